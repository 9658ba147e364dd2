#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: vnic's vmxnet3 driver against the kernel's own vmxnet3 driver on the same emulated
device (QEMU vmxnet3, TCG, one vCPU or --smp N), and against virtio-net, the fastest NIC QEMU emulates
(the ceiling of what a guest driver can reach here); optionally the main branch's build of our
driver (--baseline REF, a before/after in the same boot) and QEMU's e1000 as the floor.

One guest boot holds every NIC and module (ours in the module tree, the others as plain
files); the vmxnet3 drivers take turns on the same device (rmmod/insmod), the other NICs are
switched with their links. Each of ROUNDS rounds runs every driver once, in an order that
rotates from round to round, through: iperf3 TCP guest->gateway and gateway->guest with 1 and
4 streams, UDP 64-byte datagrams both ways (delivered packets/s), UDP request/response latency
(sockperf ping-pong, p50/p99 in microseconds), and the guest's CPU time per GB moved for the
1-stream TCP runs (from /proc/stat in the guest: busy jiffies / bytes).

Prints every sample, then per driver the median and min-max of each figure, and
`ratio <test> ours/<peer> <x>` lines (for latency and CPU per GB lower is better): the ratio
of the medians, then the median [min-max] of the ratios taken round by round.

    /usr/bin/python3 tests/driver/bench.py [--rounds N] [--seconds S] [--baseline REF]
                                           [--e1000] [--smp N] [--tests t1,t2]
"""
import argparse
import json
import math
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "vm"))
sys.path.insert(0, str(HERE))

from vnictest import VM, Network, Nic  # noqa: E402
from vnictest.kernel import host_kernel  # noqa: E402

from drvutil import GATEWAY, ROOT, build_driver  # noqa: E402

VMX_MAC = "52:54:00:77:02:11"
E1K_MAC = "52:54:00:77:02:10"
VIRTIO_MAC = "52:54:00:77:02:12"
ADDR = {"ours": "10.77.0.50", "main": "10.77.0.50", "inkernel": "10.77.0.50",
        "e1000": "10.77.0.51", "virtio": "10.77.0.52"}
INKERNEL_KO = "/opt/inkernel/vmxnet3.ko"
MAIN_KO = "/opt/main/vmxnet3.ko"
SOCKPERF_PORT = 11111
TESTS = ("tcp_tx", "tcp_rx", "tcp_tx4", "tcp_rx4", "udp_tx_pps", "udp_rx_pps", "lat_p50",
         "lat_p99", "cpu_tx", "cpu_rx")
UNITS = {"tcp_tx": "Mbit/s", "tcp_rx": "Mbit/s", "tcp_tx4": "Mbit/s", "tcp_rx4": "Mbit/s",
         "udp_tx_pps": "pkt/s", "udp_rx_pps": "pkt/s", "lat_p50": "us", "lat_p99": "us",
         "cpu_tx": "cpu-s/GB", "cpu_rx": "cpu-s/GB"}
LOWER_IS_BETTER = {"lat_p50", "lat_p99", "cpu_tx", "cpu_rx"}


def cpu_busy(vm):
    """Busy jiffies of the guest (all CPUs) and USER_HZ ticks: /proc/stat's first line."""
    f = [int(x) for x in vm.sh("head -1 /proc/stat").split()[1:]]
    return sum(f) - f[3] - f[4]     # idle, iowait


def iperf(vm, seconds, reverse=False, streams=1, udp=False):
    cmd = f"iperf3 -c {GATEWAY} -t {seconds} -J" + (" -R" if reverse else "") + \
        (f" -P {streams}" if streams > 1 else "") + (" -u -b 0 -l 64" if udp else "")
    r = vm.run(cmd, timeout=seconds + 60)
    if r.rc != 0:
        raise RuntimeError(f"{cmd} failed: {r}")
    return json.loads(r.stdout)["end"]


def measure(vm, test, seconds):
    """One run of test; returns {figure: value} (a TCP run also gives its CPU per GB)."""
    if test in ("tcp_tx", "tcp_rx", "tcp_tx4", "tcp_rx4"):
        c0 = cpu_busy(vm)
        end = iperf(vm, seconds, reverse="rx" in test, streams=4 if test.endswith("4") else 1)
        busy = (cpu_busy(vm) - c0) / 100.0      # USER_HZ is 100
        out = {test: end["sum_received"]["bits_per_second"] / 1e6}
        if not test.endswith("4"):
            gb = end["sum_received"]["bytes"] / 1e9
            out["cpu_" + test[4:]] = busy / gb if gb else float("nan")
        return out
    if test in ("udp_tx_pps", "udp_rx_pps"):
        s = iperf(vm, seconds, reverse=test == "udp_rx_pps", udp=True)["sum"]
        return {test: (s["packets"] - s.get("lost_packets", 0)) / s["seconds"]}
    if test == "lat":
        r = vm.run(f"sockperf ping-pong -i {GATEWAY} -p {SOCKPERF_PORT} -t {seconds} -m 64",
                   timeout=seconds + 60)
        if r.rc != 0:
            raise RuntimeError(f"sockperf failed: {r}")
        pct = dict(re.findall(r"percentile (\d+)\.\d+ =\s+([\d.]+)", r.stdout))
        return {"lat_p50": float(pct["50"]), "lat_p99": float(pct["99"])}
    raise ValueError(test)


def activate(vm, drv, kos):
    """Make drv the one driver carrying traffic; return its interface."""
    vm.run("rmmod vmxnet3 2>/dev/null; true")
    for mac in (E1K_MAC, VIRTIO_MAC):
        other = vm.iface(mac)
        if other:
            vm.run(f"ip addr flush dev {other}; ip link set {other} down")
    if drv == "e1000":
        ifc = vm.iface(E1K_MAC)
    elif drv == "virtio":
        ifc = vm.iface(VIRTIO_MAC)
    else:
        vm.sh(f"insmod {kos[drv]}")
        vm.wait_for(lambda: vm.iface(VMX_MAC), 10, "the vmxnet3 interface")
        ifc = vm.iface(VMX_MAC)
    vm.sh(f"ip link set {ifc} up && ip addr add {ADDR[drv]}/24 dev {ifc}")
    vm.wait_in_guest(f"[ $(cat /sys/class/net/{ifc}/carrier) = 1 ]", timeout=10)
    vm.wait_for(f"ping -c 1 -W 1 {GATEWAY}", 20, f"the gateway through {drv}")
    return ifc


def build_baseline(ref, kver, tmp):
    """Our driver as of git revision ref, built for kver; returns the .ko."""
    src = tmp / f"baseline-{ref.replace('/', '_')}"
    src.mkdir()
    arch = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "driver", "VERSION"],
                          check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=arch, check=True)
    version = (src / "VERSION").read_text().strip()
    r = subprocess.run(["make", "-C", f"/lib/modules/{kver}/build", f"M={src / 'driver'}",
                        f"VNX_VERSION={version}", "modules"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"baseline driver build failed:\n{r.stdout}\n{r.stderr}")
    return src / "driver" / "vmxnet3.ko"


def fmt(v):
    return f"{v:.1f}" if v >= 10 else f"{v:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--baseline", metavar="REF",
                    help="also run our driver as of this git revision (e.g. main)")
    ap.add_argument("--e1000", action="store_true", help="also run the e1000 floor")
    ap.add_argument("--no-e1000", action="store_true", help=argparse.SUPPRESS)  # the old default
    ap.add_argument("--no-virtio", action="store_true")
    ap.add_argument("--smp", type=int, default=1, help="the guest's vCPUs (default 1)")
    ap.add_argument("--tests", default="tcp_tx,tcp_rx,tcp_tx4,tcp_rx4,udp_tx_pps,udp_rx_pps,lat",
                    help="comma-separated subset (lat gives lat_p50 and lat_p99)")
    args = ap.parse_args()
    runs = args.tests.split(",")

    k = host_kernel(None)
    ko_ours = build_driver(k.kver)
    inkernel = pathlib.Path(k.moddir) / "kernel/drivers/net/vmxnet3/vmxnet3.ko"
    drivers = ["ours"] + (["main"] if args.baseline else []) + ["inkernel"] + \
        ([] if args.no_virtio else ["virtio"]) + (["e1000"] if args.e1000 else [])
    results = {}

    with tempfile.TemporaryDirectory(prefix="vnic-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        files = {INKERNEL_KO: inkernel.read_bytes()}
        if args.baseline:
            files[MAIN_KO] = build_baseline(args.baseline, k.kver, tmp).read_bytes()
        with Network(tmp / "net") as net:
            if "lat" in runs:
                net.spawn("sockperf", ["sockperf", "server", "-i", GATEWAY,
                                       "-p", str(SOCKPERF_PORT)], tmp / "sockperf.log")
            nics = [Nic("vmxnet3", VMX_MAC), Nic("e1000", E1K_MAC),
                    Nic("virtio-net-pci", VIRTIO_MAC)]
            vm = VM.initramfs(net, tmp / "vm", kernel=k, nics=nics,
                              modules=[str(ko_ours), "e1000", "virtio_net"],
                              load=["e1000", "virtio_net"],
                              tools=("ip", "iperf3", "ethtool", "sockperf"),
                              files=files, memory=512, smp=args.smp)
            vm.start()
            try:
                kos = {"ours": f"/lib/modules/{k.kver}/vnic/vmxnet3.ko", "main": MAIN_KO,
                       "inkernel": INKERNEL_KO}
                for rnd in range(args.rounds):
                    # every pair of drivers runs in both orders within any two rounds in a
                    # row: the order is reversed on odd rounds, rotated every second round
                    shift = (rnd // 2) % len(drivers)
                    order = drivers[shift:] + drivers[:shift]
                    if rnd % 2:
                        order.reverse()
                    for drv in order:
                        activate(vm, drv, kos)
                        for test in runs:
                            for name, v in measure(vm, test, args.seconds).items():
                                results.setdefault((drv, name), []).append(v)
                                print(f"round {rnd + 1} {drv:8s} {name:10s} {fmt(v):>12s} "
                                      f"{UNITS[name]}", flush=True)
            finally:
                vm.kill()

    names = [t for t in TESTS if any((d, t) in results for d in drivers)]
    print()
    print(f"{'test':11s} {'unit':8s} " + " ".join(f"{d + ' median [min-max]':>30s}"
                                                   for d in drivers))
    med = {}
    for t in names:
        cells = []
        for d in drivers:
            v = results.get((d, t), [])
            if not v:
                cells.append(f"{'-':>30s}")
                continue
            med[(d, t)] = statistics.median(v)
            cells.append(f"{fmt(med[(d, t)]) + ' [' + fmt(min(v)) + '-' + fmt(max(v)) + ']':>30s}")
        print(f"{t:11s} {UNITS[t]:8s} " + " ".join(cells))
    print()
    for t in names:
        for peer in drivers[1:]:
            if (peer, t) in med and ("ours", t) in med and med[(peer, t)]:
                print(f"ratio {t} ours/{peer} {med[('ours', t)] / med[(peer, t)]:.3f}"
                      + per_round(results, t, peer)
                      + ("  (lower is better)" if t in LOWER_IS_BETTER else ""))
    return 0


def per_round(results, test, peer):
    """The ratio ours/peer of each round on its own (both ran in the same round, minutes apart
    at most): its median [min-max]. The host's load drifts between rounds, and a ratio of
    medians mixes rounds of different load; the spread says how far one round's ratio can be
    trusted (our driver against the same source built as --baseline has read 1.12 for latency
    p50 and 1.95 for p99 as ratios of medians of five rounds)."""
    ours, theirs = results.get(("ours", test), []), results.get((peer, test), [])
    r = [a / b for a, b in zip(ours, theirs) if b and not math.isnan(a / b)]
    if not r:
        return ""
    return f"  per round {statistics.median(r):.3f} [{min(r):.3f}-{max(r):.3f}]"


if __name__ == "__main__":
    t0 = time.time()
    rc = main()
    print(f"bench: {time.time() - t0:.0f} s")
    sys.exit(rc)
