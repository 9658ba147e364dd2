# SPDX-License-Identifier: GPL-2.0-or-later
"""The demonstration behind `make demo`: the whole job, in a disposable guest.

A Debian bookworm guest (QEMU, TCG) with an E1000 NIC configured by ifupdown with a static
address and a VMXNET3 NIC beside it, on a private network namespace (bridge 10.77.0.1/24).
  1. offline, on the host: vnic's driver goes into a copy of the guest's disk through
     `vnic-install driver install --root` (DKMS in a chroot of the guest's own system, for the
     guest's kernel, and its initramfs regenerated): the same path `prepare --root/--image`
     takes for templates, at the host's speed instead of the emulator's;
  2. the guest boots from that disk and initramfs: `dkms status`, `modinfo`, the initramfs
     carries the module, and the VMXNET3 NIC is driven by vnic's driver;
  3. `vnic-install plan`, then `vnic-install swap`: the configuration moves to the VMXNET3 NIC,
     its link is checked, the E1000 goes down; traffic (ping, iperf3) over the VMXNET3 NIC;
  4. `vnic-install rollback`; then the VMXNET3 link cut (QMP set_link off) and a swap whose
     link check fails: everything is rolled back and the E1000 answers again.
Everything lives under build/demo/ and is removed at the end, except the cached guest image.
Prints the time of each part.
"""
import contextlib
import os
import pathlib
import shutil
import subprocess
import sys
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "vm"))

from vnictest import Network, Nic  # noqa: E402
from vnictest.images import get_image  # noqa: E402
from vnictest.vm import VM  # noqa: E402

VERSION = (TOP / "VERSION").read_text().strip()
VNIC = TOP / "build" / "vnic-install"
GUEST_VNIC = "/usr/local/sbin/vnic-install"
E1000_MAC, VMX_MAC = "52:54:00:77:0d:10", "52:54:00:77:0d:11"
OLD, NEW, ADDR, GW = "ens3", "ens4", "10.77.0.50", "10.77.0.1"
INTERFACES = ("source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
              f"auto {OLD}\niface {OLD} inet static\n    address {ADDR}/24\n    gateway {GW}\n")
BOLD, RESET = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
T0 = time.monotonic()
PARTS = []  # (title, seconds)


def stage(text):
    now = time.monotonic()
    if PARTS and PARTS[-1][1] is None:
        PARTS[-1] = (PARTS[-1][0], now - PARTS[-1][2], None)
    PARTS.append((text.split(":")[0], None, now))
    print(f"\n{BOLD}=== [{now - T0:5.0f}s] {text}{RESET}", flush=True)


def end_parts():
    now = time.monotonic()
    if PARTS and PARTS[-1][1] is None:
        PARTS[-1] = (PARTS[-1][0], now - PARTS[-1][2], None)
    print(f"\n{BOLD}=== time of each part{RESET}")
    for title, secs, _ in PARTS:
        print(f"  {secs:6.1f} s  {title}")
    print(f"  {now - T0:6.1f} s  in all", flush=True)


def host(argv, timeout=1800):
    print(f"{BOLD}host#{RESET} {' '.join(map(str, argv))}", flush=True)
    r = subprocess.run([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout)
    out = r.stdout.rstrip()
    if out:
        print("  " + out.replace("\n", "\n  "), flush=True)
    if r.returncode:
        raise SystemExit(f"{argv[0]} failed (exit code {r.returncode})")
    return out


def show(vm, cmd, timeout=60):
    r = vm.run(cmd, timeout=timeout)
    print(f"{BOLD}guest#{RESET} {cmd}")
    out = (r.stdout + r.stderr).rstrip()
    if out:
        print("  " + out.replace("\n", "\n  "))
    if r.rc:
        print(f"  (exit code {r.rc})")
    sys.stdout.flush()
    return r


def state(vm, net):
    show(vm, "ip -br -4 address show")
    show(vm, "ip route")
    show(vm, f"for i in {OLD} {NEW}; do echo \"$i: driver $(ethtool -i $i | sed -n "
             f"'s/^driver: //p') $(ethtool -i $i | sed -n 's/^version: //p'), "
             f"$(cat /sys/class/net/$i/operstate)\"; done")
    show(vm, f"ping -c 2 -W 2 {GW}", timeout=30)
    print(f"host (gateway namespace)# ping {ADDR}: "
          f"{'answers' if net.ping(ADDR, count=2) else 'NO ANSWER'}", flush=True)


@contextlib.contextmanager
def mounted(disk, where):
    """The guest's raw ext4 disk (a copy) mounted on the host through a loop device."""
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-o", "loop", str(disk), str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def install_offline(img, work):
    """Part 1: vnic's driver into a copy of the guest's disk, through vnic-install --root."""
    disk = work / "disk.img"
    subprocess.run(["cp", "--sparse=always", str(img.disk), str(disk)], check=True)
    with mounted(disk, work / "root") as root:
        (root / "etc/network/interfaces").write_text(INTERFACES)
        # vnic-install as `make install` puts it on a system: the program, its man page and
        # units, and the driver sources it builds from (/usr/local/share/vnic/driver).
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
        subprocess.run(["make", "-s", "-C", str(TOP), "install", f"DESTDIR={root}"], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        print(f"{BOLD}host#{RESET} make install DESTDIR={root}: "
              f"{GUEST_VNIC} and the driver sources in the guest's disk", flush=True)
        host([VNIC, "driver", "install", "--root", root, "--kernel", img.kver, "--yes"])
        initrd = work / "initrd.img"
        shutil.copy(root / f"boot/initrd.img-{img.kver}", initrd)
    return disk, initrd


def guest_checks(vm):
    """Part 2: what the guest has from the offline install, before anything else runs."""
    show(vm, "dkms status")
    show(vm, f"modinfo -k {vm.kver} -F filename vmxnet3; modinfo -k {vm.kver} -F version vmxnet3")
    show(vm, f"lsinitramfs /boot/initrd.img-{vm.kver} | grep vmxnet3.ko", timeout=120)
    r = show(vm, f"ethtool -i {NEW}")
    if f"version: {VERSION}" not in r.stdout:
        raise SystemExit(f"{NEW} is not driven by vnic's driver {VERSION}")


def swap_and_traffic(vm, net):
    """Part 3: plan, swap, the new NIC carrying the address and the traffic."""
    stage("What the swap will do: vnic-install plan")
    show(vm, f"{GUEST_VNIC} plan", timeout=300)
    stage("vnic-install swap: the driver is in place, the configuration moves, the link is "
          "checked, the E1000 goes down")
    r = show(vm, f"{GUEST_VNIC} swap --yes", timeout=600)
    if r.rc != 0:
        raise SystemExit(f"the swap failed (exit code {r.rc})")
    stage(f"After: {NEW} (VMXNET3, vnic's driver {VERSION}) carries {ADDR}; {OLD} is down")
    state(vm, net)
    r = show(vm, f"ethtool -i {NEW}")
    if f"version: {VERSION}" not in r.stdout:
        raise SystemExit(f"{NEW} is not driven by vnic's driver {VERSION} after the swap")
    show(vm, f"iperf3 -c {GW} -t 5 -f m | tail -n 4", timeout=60)


def rollbacks(vm, net):
    """Part 4: a rollback by hand, then a failing swap rolled back on its own."""
    stage("vnic-install rollback: back to the E1000, byte for byte")
    show(vm, f"{GUEST_VNIC} rollback", timeout=300)
    vm.wait_for(lambda: f" {ADDR}/" in vm.run(f"ip -4 -o addr show {OLD}").stdout, 60,
                "the E1000 back", interval=1)
    state(vm, net)
    stage(f"A failing swap: the VMXNET3 link is cut (QMP set_link off), so the link check of "
          f"{NEW} cannot pass")
    vm.cut_link(vm.nic(VMX_MAC))
    print("host# qmp set_link vmxnet3 off", flush=True)
    r = show(vm, f"{GUEST_VNIC} swap --yes --timeout 10", timeout=600)
    print(f"exit code {r.rc} (3: the link check failed and everything was rolled back)")
    vm.restore_link(vm.nic(VMX_MAC))
    stage(f"After the rollback: {OLD} (E1000) carries {ADDR} again, files as before")
    state(vm, net)
    show(vm, "cat /etc/network/interfaces")
    show(vm, f"{GUEST_VNIC} status")
    return r.rc == 3


def main():
    if not VNIC.exists():
        sys.exit(f"{VNIC} is missing: run 'make installer' first")
    work = TOP / "build" / "demo"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ok = False
    stage("The guest image: Debian 12 with ifupdown (built once with mmdebstrap from this "
          "machine's apt sources, then cached)")
    img = get_image("ifupdown")
    print(f"image {img.dir.name}, kernel {img.kver}", flush=True)
    stage(f"Offline, on the host: vnic's driver {VERSION} into a copy of the guest's disk "
          f"(vnic-install driver install --root: DKMS for {img.kver}, initramfs)")
    disk, initrd = install_offline(img, work)
    stage("Boot: a private network namespace and the guest with an E1000 and a VMXNET3 NIC "
          "(a minute or two under software emulation)")
    with Network(work / "net") as net:
        vm = VM.debian(net, work / "vm", "ifupdown", memory=1024,
                       nics=[Nic("e1000", E1000_MAC, slot=3), Nic("vmxnet3", VMX_MAC, slot=4)])
        vm.base_disk, vm.initrd = disk, initrd
        try:
            vm.start(timeout=900)  # TCG on a busy host can take minutes
            print(f"guest booted in {vm.boot_seconds:.0f} s; network namespace {net.name}")
            vm.wait_for(lambda: f" {ADDR}/" in vm.run(f"ip -4 -o addr show {OLD}").stdout, 120,
                        "the static address", interval=1)
            stage(f"In the guest: vnic's driver, built offline, drives the VMXNET3 NIC {NEW}")
            guest_checks(vm)
            stage(f"Before: {OLD} (E1000) carries {ADDR}; {NEW} (VMXNET3) is unconfigured")
            state(vm, net)
            swap_and_traffic(vm, net)
            ok = rollbacks(vm, net)
        finally:
            vm.kill()
    shutil.rmtree(work, ignore_errors=True)
    stage("Done: guest and namespace removed" if ok else "Done, but the rollback did not end "
          "as expected")
    end_parts()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
