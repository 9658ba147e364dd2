# SPDX-License-Identifier: GPL-2.0-only
"""Debian guest images, one per network backend, built with mmdebstrap and cached.

    <cache>/images/<suite>-base-<key>/            the common tree (mmdebstrap output)
    <cache>/images/<suite>-<variant>-<key>/       disk.img (raw ext4), vmlinuz, initrd.img,
                                                  kver, recipe.json, build.log

A key is a hash of the recipe (suite, mirrors, package lists, files, commands, RECIPE_VERSION),
so a changed recipe gives a new image and the old one of that variant is removed. Building
runs under a lock file, so concurrent test runs build each image once.

    /usr/bin/python3 -m vnictest.images [--suite S] [variant ...]   (from tests/vm) builds ahead
"""
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .util import cache_dir, log, sha256_of

RECIPE_VERSION = 1          # bump when the build steps below change meaning
BUILD_TIMES = []            # (image name, seconds, "built" | "cached"), for the test summary

# The machine's own apt sources and proxy settings (mk/apt-sources.sh): no package host of
# the project's own, and a machine behind a mirror or proxy builds the same images.
APT_SOURCES = Path(__file__).resolve().parents[3] / "mk" / "apt-sources.sh"

BASE_PACKAGES = [
    # boot and management
    "systemd-sysv", "udev", "kmod", "dbus", "procps", "e2fsprogs", "initramfs-tools",
    "qemu-guest-agent", "less",
    # the guest builds modules itself
    "linux-image-amd64", "linux-headers-amd64", "gcc", "make", "libc6-dev", "dkms",
    # network tools
    "iproute2", "iputils-ping", "iperf3", "ethtool",
    # libraries the vnic installer links against (it may be copied in prebuilt)
    "libkmod2", "libblkid1", "libmnl0", "libyaml-0-2",
]

BASE_FILES = {
    "/etc/fstab": "/dev/vda / ext4 defaults,errors=remount-ro 0 1\n",
    "/etc/hosts": "127.0.0.1 localhost\n10.77.0.1 gateway\n",
    # no apt timers, no interactive surprises on a TCG guest
    "/etc/apt/apt.conf.d/99vnic": 'APT::Periodic::Enable "0";\n',
    "/etc/systemd/journald.conf.d/vnic.conf": "[Journal]\nStorage=volatile\nForwardToConsole=no\n",
}
BASE_COMMANDS = [
    "passwd -d root",
    "systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer "
    "man-db.timer systemd-tmpfiles-clean.timer e2scrub_reap.service >/dev/null 2>&1 || true",
]

IF0 = "ens3"   # the E1000 NIC at PCI slot 3 (Nic slot default for the first NIC)

BACKENDS = {
    "ifupdown": {
        # resolvconf: ifupdown applies dns-nameservers/dns-search only through it; ifenslave:
        # the bond-* options (tests/e2e/test_swap_port.py)
        "packages": ["ifupdown", "isc-dhcp-client", "resolvconf", "ifenslave"],
        "files": {
            "/etc/network/interfaces": (
                "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
                f"allow-hotplug {IF0}\niface {IF0} inet dhcp\n"),
        },
        "commands": [],
    },
    "networkmanager": {
        "packages": ["network-manager"],
        "files": {
            f"/etc/NetworkManager/system-connections/{IF0}.nmconnection": (
                f"[connection]\nid={IF0}\ntype=ethernet\ninterface-name={IF0}\n"
                "autoconnect=true\n\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=ignore\n", 0o600),
            "/etc/NetworkManager/conf.d/90-vnic.conf": "[main]\nno-auto-default=*\n",
        },
        "commands": ["systemctl enable NetworkManager.service"],
    },
    "networkd": {
        "packages": [],
        "files": {
            f"/etc/systemd/network/10-{IF0}.network": (
                f"[Match]\nName={IF0}\n\n[Network]\nDHCP=ipv4\nLinkLocalAddressing=no\n"),
        },
        "commands": ["systemctl enable systemd-networkd.service"],
    },
    "netplan": {
        "packages": ["netplan.io"],
        "files": {
            "/etc/netplan/01-vnic.yaml": (
                "network:\n  version: 2\n  renderer: networkd\n  ethernets:\n"
                f"    {IF0}:\n      dhcp4: true\n", 0o600),
        },
        "commands": ["systemctl enable systemd-networkd.service"],
    },
}
# A fleet host for the Ansible tests: ifupdown, with the SSH server and the Python that Ansible
# drives a host with (root logs in with a key the test makes).
BACKENDS["fleet"] = {
    "packages": BACKENDS["ifupdown"]["packages"] + ["openssh-server", "python3", "python3-apt"],
    "files": dict(BACKENDS["ifupdown"]["files"]),
    "commands": ["systemctl enable ssh.service"],
}
VARIANTS = tuple(BACKENDS)


@dataclass
class Image:
    variant: str
    suite: str
    dir: Path

    @property
    def disk(self):
        return self.dir / "disk.img"

    @property
    def vmlinuz(self):
        return self.dir / "vmlinuz"

    @property
    def initrd(self):
        return self.dir / "initrd.img"

    @property
    def kver(self):
        return (self.dir / "kver").read_text().strip()


def sources(suite):
    out = subprocess.run([str(APT_SOURCES), suite], check=True, capture_output=True, text=True)
    return out.stdout.splitlines()


def aptopts():
    out = subprocess.run([str(APT_SOURCES), "--aptconf"], check=True, capture_output=True,
                         text=True)
    return [f"--aptopt={line}" for line in out.stdout.splitlines()]


def base_recipe(suite):
    return {"version": RECIPE_VERSION, "suite": suite, "sources": sources(suite),
            "packages": BASE_PACKAGES, "files": BASE_FILES, "commands": BASE_COMMANDS}


def _key(obj):
    return sha256_of(json.dumps(obj, sort_keys=True))[:16]


def _images_dir():
    d = cache_dir() / "images"
    d.mkdir(parents=True, exist_ok=True)
    return d


class _Lock:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.f = open(self.path, "w")
        fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def _sh(argv, logf, **kw):
    logf.write(f"$ {' '.join(map(str, argv))}\n")
    logf.flush()
    p = subprocess.run([str(a) for a in argv], stdout=logf, stderr=subprocess.STDOUT, **kw)
    if p.returncode:
        raise RuntimeError(f"{argv[0]} failed ({p.returncode}); see {logf.name}")


def _write_files(root: Path, files):
    for gpath, spec in files.items():
        text, mode = (spec if isinstance(spec, tuple) else (spec, 0o644))
        dst = root / gpath.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.exists() or dst.is_symlink():
            dst.unlink()
        dst.write_text(text)
        os.chmod(dst, mode)


def _in_chroot(root: Path, script: str, logf):
    """Run a shell script chrooted in root with /proc, /sys, /dev mounted in a private mount
    namespace (the mounts vanish with it, so deleting root later cannot reach the host)."""
    wrapper = (
        'set -e; R="$1"; shift\n'
        'mount -t proc proc "$R/proc"; mount --rbind /sys "$R/sys"; mount --rbind /dev "$R/dev"\n'
        'mount -t tmpfs tmpfs "$R/tmp"\n'
        'exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin '
        'DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 /bin/sh -ec "$1"\n')
    _sh(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", wrapper, "sh",
         str(root), script], logf)


def _build_base(suite, bdir: Path, logf):
    tmp = bdir.with_name(bdir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    argv = ["mmdebstrap", "--variant=minbase", "--mode=root", "--format=directory",
            "--include=" + ",".join(BASE_PACKAGES),
            "--aptopt=Acquire::Retries \"3\"", *aptopts(),
            "--dpkgopt=path-exclude=/usr/share/man/*",
            "--dpkgopt=path-exclude=/usr/share/locale/*",
            "--dpkgopt=path-exclude=/usr/share/doc/*",
            "--dpkgopt=path-include=/usr/share/doc/*/copyright",
            "--skip=cleanup/apt/lists",
            suite, tmp] + sources(suite)
    _sh(argv, logf)
    _write_files(tmp, BASE_FILES)
    _in_chroot(tmp, "\n".join(BASE_COMMANDS), logf)
    os.replace(tmp, bdir)


def _build_variant(suite, variant, base: Path, vdir: Path, logf, size="4G"):
    recipe = BACKENDS[variant]
    tmp = vdir.with_name(vdir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tree = tmp / "root"
    tmp.mkdir(parents=True)
    _sh(["cp", "-a", base, tree], logf)
    shutil.copy("/etc/resolv.conf", tree / "etc/resolv.conf.vnic")
    script = ["echo vnic-$VNIC_VARIANT > /etc/hostname"]
    if recipe["packages"]:
        script += [
            "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d",
            "mv /etc/resolv.conf /etc/resolv.conf.keep 2>/dev/null || true",
            "cp /etc/resolv.conf.vnic /etc/resolv.conf",
            "apt-get -o Acquire::Retries=3 install -y --no-install-recommends "
            + " ".join(recipe["packages"]),
            "apt-get clean",
            "rm -f /etc/resolv.conf /usr/sbin/policy-rc.d",
            "mv /etc/resolv.conf.keep /etc/resolv.conf 2>/dev/null || true",
        ]
    script += ["rm -f /etc/resolv.conf.vnic"]
    _write_files(tree, recipe["files"])
    script += recipe["commands"]
    _in_chroot(tree, "\n".join(script).replace("$VNIC_VARIANT", variant), logf)
    # Boot files for direct kernel boot.
    kvers = sorted(p.name[len("vmlinuz-"):] for p in (tree / "boot").glob("vmlinuz-*"))
    if not kvers:
        raise RuntimeError(f"no kernel in the {variant} image")
    kver = kvers[-1]
    shutil.copy(tree / "boot" / f"vmlinuz-{kver}", tmp / "vmlinuz")
    shutil.copy(tree / "boot" / f"initrd.img-{kver}", tmp / "initrd.img")
    (tmp / "kver").write_text(kver + "\n")
    _sh(["mke2fs", "-q", "-F", "-t", "ext4", "-L", f"vnic-{variant}", "-d", tree,
         tmp / "disk.img", size], logf)
    _sh(["rm", "-rf", "--one-file-system", tree], logf)
    return tmp


def get_image(variant, suite=None, rebuild=False) -> Image:
    """The cached image of a variant (building the base and the variant if needed)."""
    suite = suite or os.environ.get("VNIC_SUITE", "bookworm")
    if variant not in BACKENDS:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    idir = _images_dir()
    brecipe = base_recipe(suite)
    bkey = _key(brecipe)
    vrecipe = {"base": bkey, "variant": variant, **BACKENDS[variant]}
    vkey = _key(vrecipe)
    vdir = idir / f"{suite}-{variant}-{vkey}"
    name = f"{suite}-{variant}"
    if (vdir / "disk.img").exists() and not rebuild:
        if not any(n == name for n, _, _ in BUILD_TIMES):
            BUILD_TIMES.append((name, 0.0, "cached"))
        return Image(variant, suite, vdir)
    with _Lock(idir / ".lock"):
        if (vdir / "disk.img").exists() and not rebuild:
            return Image(variant, suite, vdir)
        bdir = idir / f"{suite}-base-{bkey}"
        if not (bdir / "etc").exists():
            t0 = time.monotonic()
            with open(idir / f"{suite}-base-{bkey}.log", "w") as logf:
                log.info("building base image %s (mmdebstrap)", bdir.name)
                _build_base(suite, bdir, logf)
            BUILD_TIMES.append((f"{suite}-base", time.monotonic() - t0, "built"))
            for old in idir.glob(f"{suite}-base-*"):
                if old.name not in (bdir.name, bdir.name + ".log"):
                    subprocess.run(["rm", "-rf", "--one-file-system", str(old)])
        t0 = time.monotonic()
        log.info("building image %s", vdir.name)
        with open(idir / f"{vdir.name}.log", "w") as logf:
            tmp = _build_variant(suite, variant, bdir, vdir, logf)
        (tmp / "recipe.json").write_text(json.dumps({"base": brecipe, "variant": vrecipe},
                                                     indent=1, sort_keys=True))
        shutil.move(str(idir / f"{vdir.name}.log"), tmp / "build.log")
        if vdir.exists():
            shutil.rmtree(vdir)
        os.replace(tmp, vdir)
        BUILD_TIMES.append((name, time.monotonic() - t0, "built"))
        for old in idir.glob(f"{suite}-{variant}-*"):
            if old != vdir:
                subprocess.run(["rm", "-rf", "--one-file-system", str(old)])
    return Image(variant, suite, vdir)


def main(argv):
    import argparse
    import logging
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description="build the vnic test images")
    ap.add_argument("--suite", default=None)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("variants", nargs="*", default=list(VARIANTS))
    a = ap.parse_args(argv)
    for v in a.variants:
        img = get_image(v, a.suite, rebuild=a.rebuild)
        print(f"{v}: {img.dir} (kernel {img.kver})")
    for name, secs, how in BUILD_TIMES:
        print(f"image {name}: {how} in {secs:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
