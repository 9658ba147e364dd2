# SPDX-License-Identifier: GPL-2.0-or-later
"""The demonstration behind `make demo`.

A Debian bookworm guest (QEMU, TCG) with an E1000 NIC configured by ifupdown with a static
address and a VMXNET3 NIC beside it, on a private network namespace (bridge 10.77.0.1/24).
  1. before: addresses, routes, drivers, ping to the gateway;
  2. vnic-install swap: the configuration moves to the VMXNET3 NIC, the E1000 goes down;
  3. after: the same views;
  4. vnic-install rollback: back on the E1000;
  5. the VMXNET3 link cut (QMP set_link off), vnic-install swap again: its link check fails,
     everything is rolled back, the E1000 answers again.
The swaps use the guest kernel's own vmxnet3 driver (--no-driver) to stay within a few minutes;
`make check-vm` runs the full DKMS build. Everything lives under build/demo/ and is removed
at the end, except the cached guest image.
"""
import pathlib
import shutil
import sys
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "vm"))

from vnictest import Network, Nic  # noqa: E402
from vnictest.vm import VM  # noqa: E402

VNIC = TOP / "build" / "vnic-install"
GUEST_VNIC = "/usr/local/sbin/vnic-install"
E1000_MAC, VMX_MAC = "52:54:00:77:0d:10", "52:54:00:77:0d:11"
OLD, NEW, ADDR, GW = "ens3", "ens4", "10.77.0.50", "10.77.0.1"
INTERFACES = ("source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
              f"auto {OLD}\niface {OLD} inet static\n    address {ADDR}/24\n    gateway {GW}\n")
BOLD, RESET = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
T0 = time.monotonic()


def stage(text):
    print(f"\n{BOLD}=== [{time.monotonic() - T0:5.0f}s] {text}{RESET}", flush=True)


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
    show(vm, f"for i in {OLD} {NEW}; do echo \"$i: driver $(basename $(readlink "
             f"/sys/class/net/$i/device/driver)), $(cat /sys/class/net/$i/operstate)\"; done")
    show(vm, f"ping -c 2 -W 2 {GW}", timeout=30)
    print(f"host (gateway namespace)# ping {ADDR}: "
          f"{'answers' if net.ping(ADDR, count=2) else 'NO ANSWER'}", flush=True)


def main():
    if not VNIC.exists():
        sys.exit(f"{VNIC} is missing: run 'make installer' first")
    work = TOP / "build" / "demo"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ok = False
    stage("Preparing: a private network namespace and a Debian guest with an E1000 and a "
          "VMXNET3 NIC (the image is built once and cached; the boot takes a minute or two "
          "under software emulation)")
    with Network(work / "net") as net:
        vm = VM.debian(net, work / "vm", "ifupdown", memory=1024,
                       nics=[Nic("e1000", E1000_MAC, slot=3), Nic("vmxnet3", VMX_MAC, slot=4)])
        try:
            vm.start(timeout=900)  # TCG on a busy host can take minutes
            print(f"guest booted in {vm.boot_seconds:.0f} s; network namespace {net.name}")
            vm.copy_in(VNIC, GUEST_VNIC, mode=0o755)
            vm.write_file("/etc/network/interfaces", INTERFACES.encode(), mode=0o644)
            vm.sh(f"ip addr flush dev {OLD}; ifup --force {OLD}", timeout=120)
            vm.wait_for(lambda: f" {ADDR}/" in vm.run(f"ip -4 -o addr show {OLD}").stdout, 60,
                        "the static address", interval=1)

            stage(f"Before: {OLD} (E1000) carries {ADDR}; {NEW} (VMXNET3) is unconfigured")
            state(vm, net)
            show(vm, "cat /etc/network/interfaces")

            stage("What the swap will do: vnic-install plan")
            show(vm, f"{GUEST_VNIC} plan --no-driver")

            stage("vnic-install swap: move the configuration, check the link, E1000 down")
            r = show(vm, f"{GUEST_VNIC} swap --yes --no-driver", timeout=300)
            if r.rc != 0:
                raise SystemExit(f"the swap failed (exit code {r.rc})")

            stage(f"After: {NEW} (VMXNET3) carries {ADDR}; {OLD} (E1000) is down")
            state(vm, net)

            stage("vnic-install rollback: back to the E1000, byte for byte")
            show(vm, f"{GUEST_VNIC} rollback", timeout=120)
            vm.wait_for(lambda: f" {ADDR}/" in vm.run(f"ip -4 -o addr show {OLD}").stdout, 60,
                        "the E1000 back", interval=1)
            state(vm, net)

            stage(f"A failing swap: the VMXNET3 link is cut (QMP set_link off), so the link "
                  f"check of {NEW} cannot pass")
            vm.cut_link(vm.nic(VMX_MAC))
            print("host# qmp set_link vmxnet3 off", flush=True)
            r = show(vm, f"{GUEST_VNIC} swap --yes --no-driver --timeout 10", timeout=300)
            print(f"exit code {r.rc} (3: the link check failed and everything was rolled back)")
            vm.restore_link(vm.nic(VMX_MAC))

            stage(f"After the rollback: {OLD} (E1000) carries {ADDR} again, files as before")
            state(vm, net)
            show(vm, "cat /etc/network/interfaces")
            show(vm, f"{GUEST_VNIC} status")
            ok = r.rc == 3
        finally:
            vm.kill()
    shutil.rmtree(work, ignore_errors=True)
    stage("Done: guest and namespace removed" if ok else "Done, but the rollback did not end "
          "as expected")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
