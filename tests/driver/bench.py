#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: vnic's vmxnet3 driver against the kernel's own vmxnet3 driver on the same emulated
device (QEMU vmxnet3, TCG, one vCPU), with QEMU's e1000 + the kernel's e1000 driver alongside
as the floor that the VMXNET3 migration is meant to leave behind.

One guest boot holds both NICs and both vmxnet3 modules (ours in the module tree, the kernel's
as a plain file); the drivers take turns on the same device (rmmod/insmod) in alternating order,
ROUNDS rounds of: iperf3 TCP guest->gateway, TCP gateway->guest, and UDP 64-byte datagrams
guest->gateway (delivered packets/s). Prints the median of each figure and
`ratio <name> <ours/in-kernel>` lines (and `floor <name> <ours/e1000>`).

    /usr/bin/python3 tests/driver/bench.py [--rounds N] [--seconds S]
"""
import argparse
import json
import pathlib
import statistics
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "vm"))
sys.path.insert(0, str(HERE))

from vnictest import VM, Network, Nic  # noqa: E402
from vnictest.kernel import host_kernel  # noqa: E402

from drvutil import GATEWAY, build_driver  # noqa: E402

VMX_MAC = "52:54:00:77:02:11"
E1K_MAC = "52:54:00:77:02:10"
ADDR = {"ours": "10.77.0.50", "inkernel": "10.77.0.50", "e1000": "10.77.0.51"}
INKERNEL_KO = "/opt/inkernel/vmxnet3.ko"
TESTS = ("tcp_tx", "tcp_rx", "udp_pps")
UNITS = {"tcp_tx": "Mbit/s", "tcp_rx": "Mbit/s", "udp_pps": "pkt/s"}


def measure(vm, test, seconds):
    if test == "tcp_tx":
        cmd = f"iperf3 -c {GATEWAY} -t {seconds} -J"
    elif test == "tcp_rx":
        cmd = f"iperf3 -c {GATEWAY} -t {seconds} -R -J"
    else:
        cmd = f"iperf3 -c {GATEWAY} -t {seconds} -u -b 0 -l 64 -J"
    r = vm.run(cmd, timeout=seconds + 60)
    if r.rc != 0:
        raise RuntimeError(f"{test} failed: {r}")
    end = json.loads(r.stdout)["end"]
    if test == "udp_pps":
        s = end["sum"]
        return (s["packets"] - s.get("lost_packets", 0)) / s["seconds"]
    return end["sum_received"]["bits_per_second"] / 1e6


def activate(vm, drv, ko_ours):
    """Make drv the one driver carrying traffic; return its interface."""
    vm.run("rmmod vmxnet3 2>/dev/null; true")
    e1k = vm.iface(E1K_MAC)
    vm.run(f"ip addr flush dev {e1k}; ip link set {e1k} down")
    if drv == "e1000":
        ifc = e1k
    else:
        vm.sh(f"insmod {INKERNEL_KO if drv == 'inkernel' else ko_ours}")
        vm.wait_for(lambda: vm.iface(VMX_MAC), 10, "the vmxnet3 interface")
        ifc = vm.iface(VMX_MAC)
    vm.sh(f"ip link set {ifc} up && ip addr add {ADDR[drv]}/24 dev {ifc}")
    vm.wait_in_guest(f"[ $(cat /sys/class/net/{ifc}/carrier) = 1 ]", timeout=10)
    vm.wait_for(f"ping -c 1 -W 1 {GATEWAY}", 20, f"the gateway through {drv}")
    return ifc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--no-e1000", action="store_true")
    args = ap.parse_args()

    k = host_kernel(None)
    ko_ours = build_driver(k.kver)
    inkernel = pathlib.Path(k.moddir) / "kernel/drivers/net/vmxnet3/vmxnet3.ko"
    drivers = ["ours", "inkernel"] + ([] if args.no_e1000 else ["e1000"])
    results = {(d, t): [] for d in drivers for t in TESTS}
    doorbells = []

    with tempfile.TemporaryDirectory(prefix="vnic-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        with Network(tmp / "net") as net:
            vm = VM.initramfs(net, tmp / "vm", kernel=k,
                              nics=[Nic("vmxnet3", VMX_MAC), Nic("e1000", E1K_MAC)],
                              modules=[str(ko_ours), "e1000"], load=["e1000"],
                              files={INKERNEL_KO: inkernel.read_bytes()}, memory=512)
            vm.start()
            try:
                guest_ko = f"/lib/modules/{k.kver}/vnic/vmxnet3.ko"
                for rnd in range(args.rounds):
                    order = drivers if rnd % 2 == 0 else list(reversed(drivers))
                    for drv in order:
                        ifc = activate(vm, drv, guest_ko)
                        for test in TESTS:
                            v = measure(vm, test, args.seconds)
                            results[(drv, test)].append(v)
                            print(f"round {rnd + 1} {drv:8s} {test:7s} {v:12.1f} {UNITS[test]}",
                                  flush=True)
                        if drv == "ours":
                            out = vm.sh(f"ethtool -S {ifc}")
                            st = {l.split(":")[0].strip(): int(l.split(":")[1])
                                  for l in out.splitlines()[1:] if ":" in l}
                            pk = sum(v for n, v in st.items() if n.endswith("_dev_ucast_pkts")
                                     and n.startswith("tx"))
                            db = sum(v for n, v in st.items() if n.endswith("_doorbells"))
                            if pk:
                                doorbells.append(db / pk)
            finally:
                vm.kill()

    print()
    print(f"{'driver':10s} " + " ".join(f"{t + ' (' + UNITS[t] + ')':>20s}" for t in TESTS))
    med = {key: statistics.median(v) for key, v in results.items()}
    for d in drivers:
        print(f"{d:10s} " + " ".join(f"{med[(d, t)]:20.1f}" for t in TESTS))
    if doorbells:
        print(f"ours: {statistics.median(doorbells):.3f} TXPROD writes per tx packet "
              f"(the kernel's driver: 1 per packet on QEMU, whose txThreshold is 1)")
    for t in TESTS:
        print(f"ratio {t} {med[('ours', t)] / med[('inkernel', t)]:.3f}")
    if "e1000" in drivers:
        for t in TESTS:
            print(f"floor {t} {med[('ours', t)] / med[('e1000', t)]:.3f}")
    return 0


if __name__ == "__main__":
    t0 = time.time()
    rc = main()
    print(f"bench: {time.time() - t0:.0f} s")
    sys.exit(rc)
