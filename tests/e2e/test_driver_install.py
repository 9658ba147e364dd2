# SPDX-License-Identifier: GPL-2.0-or-later
"""`vnic-install driver` in a Debian bookworm guest (its own kernel, headers, gcc, make, dkms).

One guest boots once for the whole class and the tests run in order on it, because each DKMS
build costs about 75 s under TCG: the install (our module loaded, `ethtool -i` shows our
version), a second run that changes nothing, a restart with the regenerated initramfs (ours
still loaded), a second kernel whose headers arrive by dpkg (DKMS's autoinstall builds for it),
the removal (the in-kernel driver back after a restart), and last a broken copy of the sources
(the build fails, its log is named, nothing stays behind, the in-kernel driver keeps working).

The guest has an E1000 NIC on ens3 (DHCP, the path that stays up) and a VMXNET3 NIC on ens4 that
nothing configures, as before a swap: the installer may replace the loaded vmxnet3 module.
"""
import pathlib
import re
import subprocess

import pytest

from vnictest import Nic

TOP = pathlib.Path(__file__).resolve().parents[2]
VERSION = (TOP / "VERSION").read_text().strip()
VNIC = TOP / "build" / "vnic-install"
E1000_MAC = "52:54:00:77:01:10"
VMX_MAC = "52:54:00:77:01:11"
GUEST_SRC = "/root/vnic"          # a source tree: driver/ + dkms.conf
GUEST_BROKEN = "/root/vnic-broken"


def driver_files():
    files = [p for p in (TOP / "driver").iterdir()
             if p.is_file() and (p.suffix in (".c", ".h") or p.name in ("Kbuild", "Makefile"))]
    return sorted(files)


def copy_tree_in(vm, dest, broken=False):
    vm.sh(f"rm -rf {dest} && mkdir -p {dest}/driver")
    first_c = next(p for p in driver_files() if p.suffix == ".c")
    for p in driver_files():
        data = p.read_bytes()
        if broken and p == first_c:
            data += b"\nthis is not C; the build must fail here\n"
        vm.write_file(f"{dest}/driver/{p.name}", data)
    vm.write_file(f"{dest}/dkms.conf", (TOP / "dkms.conf").read_bytes())


def vnic(vm, args, timeout=2700):
    return vm.run(f"/usr/local/sbin/vnic-install {args}", timeout=timeout)


def loaded_version(vm):
    r = vm.run("cat /sys/module/vmxnet3/version")
    return r.stdout.strip() if r.rc == 0 else None


def ethtool_version(vm):
    ifc = vm.iface(VMX_MAC)
    out = vm.sh(f"ethtool -i {ifc}")
    m = re.search(r"^version:\s*(\S+)", out, re.M)
    drv = re.search(r"^driver:\s*(\S+)", out, re.M)
    assert drv and drv.group(1) == "vmxnet3", out
    return m.group(1) if m else None


def nothing_of_ours(vm):
    """No trace of vnic's driver in DKMS, /usr/src, or any kernel's updates/."""
    out = vm.run("ls -d /usr/src/vmxnet3-* /var/lib/dkms/vmxnet3 2>/dev/null; "
                 "find /lib/modules/*/updates -name 'vmxnet3.ko*' 2>/dev/null; "
                 "dkms status -m vmxnet3 2>/dev/null").stdout.strip()
    return out


@pytest.fixture(scope="class")
def guest(class_vm_factory):
    if not VNIC.exists():
        pytest.skip(f"{VNIC} is not built (make installer)")
    if not (TOP / "driver" / "Kbuild").exists() and not (TOP / "driver" / "Makefile").exists():
        pytest.skip("no driver sources")
    vm = class_vm_factory("ifupdown", nics=[Nic("e1000", E1000_MAC, slot=3),
                                            Nic("vmxnet3", VMX_MAC, slot=4)], memory=1536)
    vm.copy_in(VNIC, "/usr/local/sbin/vnic-install", mode=0o755)
    copy_tree_in(vm, GUEST_SRC)
    copy_tree_in(vm, GUEST_BROKEN, broken=True)
    # The in-kernel driver is what the guest runs before we start.
    vm.sh(f"ip link set {vm.iface(VMX_MAC)} down")
    return vm


class TestDriverInstall:
    def test_prereqs_present_and_status(self, guest):
        r = vnic(guest, "driver status --json")
        assert r.rc == 0, r
        assert '"would_load": "in-kernel"' in r.stdout, r
        assert loaded_version(guest) and not loaded_version(guest).startswith(VERSION)

    def test_install_loads_ours(self, guest):
        r = vnic(guest, f"driver install --source {GUEST_SRC} --yes")
        print(r.stdout, r.stderr)
        assert r.rc == 0, r
        assert loaded_version(guest) == VERSION
        assert ethtool_version(guest) == VERSION
        kver = guest.sh("uname -r").strip()
        assert f"vmxnet3/{VERSION}, {kver}" in guest.sh("dkms status -m vmxnet3")
        listing = guest.sh(f"lsinitramfs /boot/initrd.img-{kver} | grep vmxnet3.ko", timeout=900)
        assert "updates/dkms/vmxnet3.ko" in listing, listing
        assert guest.run(f"ls /boot/initrd.img-{kver}.vnic-prev").rc != 0, "a copy of the image was left in /boot"

    def test_install_again_is_idempotent(self, guest):
        r = vnic(guest, f"driver install --source {GUEST_SRC} --yes", timeout=1800)
        assert r.rc == 0, r
        assert "already installed" in r.stdout, r
        assert "sources already in" in r.stdout, r

    def test_restart_keeps_ours(self, guest):
        guest.restart(refresh_boot=True)
        assert loaded_version(guest) == VERSION
        assert ethtool_version(guest) == VERSION

    def test_second_kernel_autoinstall(self, guest, tmp_path):
        kver = guest.sh("uname -r").strip()
        abi = kver.rsplit("-", 1)[0]                     # 6.1.0-26
        flavor = "cloud-amd64" if not kver.endswith("cloud-amd64") else "amd64"
        second = f"{abi}-{flavor}"
        pkgs = [f"linux-image-{second}", f"linux-headers-{second}"]
        try:
            subprocess.run(["apt-get", "download", *pkgs], cwd=tmp_path, check=True,
                           capture_output=True, timeout=600)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            pytest.skip(f"cannot download {pkgs} on the host: {e}")
        for deb in tmp_path.glob("*.deb"):
            guest.copy_in(deb, f"/root/{deb.name}")
        r = guest.run("dpkg -i /root/linux-image-*.deb /root/linux-headers-*.deb", timeout=3000)
        assert r.rc == 0, r
        status = guest.sh("dkms status -m vmxnet3")
        assert f"vmxnet3/{VERSION}, {second}, x86_64: installed" in status, status
        assert guest.run(f"modinfo -k {second} -F version vmxnet3").stdout.strip() == VERSION

    def test_remove_restores_inkernel(self, guest):
        r = vnic(guest, "driver remove --yes")
        print(r.stdout, r.stderr)
        assert r.rc == 0, r
        assert nothing_of_ours(guest) == "", nothing_of_ours(guest)
        guest.restart(refresh_boot=True)
        v = loaded_version(guest)
        assert v and v != VERSION, v
        assert ethtool_version(guest).startswith(v)

    def test_build_failure_leaves_inkernel(self, guest):
        before = loaded_version(guest)
        r = vnic(guest, f"driver install --source {GUEST_BROKEN} --yes")
        assert r.rc == 1, r
        text = r.stdout + r.stderr
        m = re.search(r"build log: (\S+)", text)
        assert m, f"no build log named:\n{text}"
        log = guest.run(f"cat {m.group(1)}")
        assert log.rc == 0 and "error" in log.stdout, log
        assert nothing_of_ours(guest) == "", nothing_of_ours(guest)
        assert loaded_version(guest) == before
        assert ethtool_version(guest).startswith(before)  # the in-kernel one says 1.7.0.0-k-NAPI
        # and no transaction is left open
        st = vnic(guest, "status --json")
        assert '"pending": null' in st.stdout, st
