# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark of `vnic-install swap` in one Debian guest (ifupdown, static address), the guest
kernel's vmxnet3 driver (no DKMS build):

  swap       wall time of a passing swap (the installer's own elapsed time and the host's view of
             the command), next to a peer measured in the same boot: the same move done by hand
             with the backend's tools (ifdown, the file, ifup, until the gateway answers a ping);
  rollback   with the VMXNET3 link cut by QMP: the time from the check's failure to the E1000
             being up with its address again (the installer's figure), and the host's view: the
             time from the failure to the first answer of the address seen from the gateway.
             Goal: under 3 s.

Prints figures and ratios; fails only when the runs themselves fail, never on a time.
    /usr/bin/python3 tests/e2e/bench_swap.py [--runs N]
"""
import argparse
import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import threading
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "vm"))

from vnictest import Network, Nic  # noqa: E402
from vnictest.vm import VM  # noqa: E402

VNIC = TOP / "build" / "vnic-install"
GUEST_VNIC = "/usr/local/sbin/vnic-install"
E1000_MAC, VMX_MAC = "52:54:00:77:0b:10", "52:54:00:77:0b:11"
OLD, NEW, ADDR, GW = "ens3", "ens4", "10.77.0.50", "10.77.0.1"


def interfaces(ifc):
    return ("source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
            f"auto {ifc}\niface {ifc} inet static\n    address {ADDR}/24\n    gateway {GW}\n")


def events(out):
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def reset_to_old(vm):
    """Back to the starting point: the E1000 configured and up, the VMXNET3 down."""
    vm.write_file("/etc/network/interfaces", interfaces(OLD).encode(), mode=0o644)
    vm.run(f"ifdown --force {NEW} 2>/dev/null; ip addr flush dev {NEW}; ip link set {NEW} down; "
           f"rm -f /run/network/ifstate.{NEW}; ip link set {OLD} up; ip addr flush dev {OLD}; "
           f"ifup --force {OLD}", timeout=120)
    vm.wait_for(lambda: f" {ADDR}/" in vm.run(f"ip -4 -o addr show {OLD}").stdout, 60,
                "the E1000's address", interval=0.5)
    vm.run("rm -rf /var/lib/vnic/history")


class Pinger:
    """Pings ADDR from the gateway namespace every 100 ms; records when answers come."""

    def __init__(self, net):
        self.net, self.ok_times, self.stop = net, [], False
        self.t = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.stop:
            t = time.monotonic()
            r = subprocess.run(["ip", "netns", "exec", self.net.name, "ping", "-c", "1", "-W",
                                "0.2", ADDR], capture_output=True)
            if r.returncode == 0:
                self.ok_times.append(t)
            time.sleep(max(0, 0.1 - (time.monotonic() - t)))

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *a):
        self.stop = True
        self.t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    runs = ap.parse_args().runs
    if not VNIC.exists():
        sys.exit(f"bench_swap: {VNIC} is not built (make installer)")
    work = TOP / "build" / "bench-swap"
    shutil.rmtree(work, ignore_errors=True)
    swap_ms, swap_host, peer_s, back_ms, back_host = [], [], [], [], []
    with Network(work / "net") as net:
        vm = VM.debian(net, work / "vm", "ifupdown", memory=1024,
                       nics=[Nic("e1000", E1000_MAC, slot=3), Nic("vmxnet3", VMX_MAC, slot=4)])
        try:
            vm.start(timeout=900)  # TCG on a busy host can take minutes
            vm.copy_in(VNIC, GUEST_VNIC, mode=0o755)
            for i in range(runs):
                # the peer: the same move by hand, until the gateway answers on the new NIC
                reset_to_old(vm)
                r = vm.run(
                    "s=$(date +%s%N); "
                    f"ifdown --force {OLD} && printf '%s' '{interfaces(NEW)}' > /etc/network/interfaces "
                    f"&& ifup {NEW} && until ping -c 1 -W 1 -I {NEW} {GW} >/dev/null 2>&1; do :; done; "
                    "e=$(date +%s%N); echo $(( (e - s) / 1000000 ))", timeout=120)
                assert r.rc == 0, r
                peer_s.append(int(r.stdout.strip()) / 1000.0)

                reset_to_old(vm)
                t0 = time.monotonic()
                r = vm.run(f"{GUEST_VNIC} swap --yes --no-driver --json", timeout=300)
                swap_host.append(time.monotonic() - t0)
                assert r.rc == 0, r
                swap_ms.append(events(r.stdout)[-1]["elapsed_ms"])

                reset_to_old(vm)
                vm.cut_link(vm.nic(VMX_MAC))
                with Pinger(net) as p:
                    t0 = time.monotonic()
                    r = vm.run(f"{GUEST_VNIC} swap --yes --no-driver --json --timeout 5",
                               timeout=300)
                    t1 = time.monotonic()
                    time.sleep(1)
                vm.restore_link(vm.nic(VMX_MAC))
                assert r.rc == 3, r
                ev = events(r.stdout)
                fail = next(e for e in ev if e.get("event") == "step_end" and e["id"] == "swap.check")
                end = next(e for e in ev if e.get("event") == "step_end" and e["id"] == "rollback")
                back_ms.append(end["elapsed_ms"] - fail["elapsed_ms"])
                # host: the command started at t0, the check failed fail_ms later (the guest's
                # clock and ours run alike); the first answer after that point
                t_fail = t0 + fail["elapsed_ms"] / 1000.0
                after = [t for t in p.ok_times if t >= t_fail]
                if after:
                    back_host.append(after[0] - t_fail)
                print(f"run {i + 1}: peer {peer_s[-1]:.2f} s, swap {swap_ms[-1] / 1000:.2f} s "
                      f"(host {swap_host[-1]:.2f} s), back on the E1000 {back_ms[-1] / 1000:.2f} s "
                      f"after the failure (host: "
                      f"{f'{back_host[-1]:.2f} s' if after else 'no answer'}, command ended "
                      f"{t1 - t_fail:.2f} s after it)", flush=True)
        finally:
            vm.kill()
    shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    print(f"\nswap (no DKMS build): {med(swap_ms) / 1000:.2f} s median over {runs} runs "
          f"(host view {med(swap_host):.2f} s); by hand with ifdown/ifup: {med(peer_s):.2f} s; "
          f"ratio {med(swap_ms) / 1000 / med(peer_s):.2f}")
    print(f"rollback: E1000 up with its address {med(back_ms) / 1000:.2f} s after the check "
          f"failed (goal < 3 s)" + (f"; reachable from the gateway after {med(back_host):.2f} s"
                                   if back_host else "; never reachable from the gateway"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
