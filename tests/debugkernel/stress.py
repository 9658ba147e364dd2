#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The debug-kernel tier: vnic's vmxnet3 driver under KASAN, lockdep, DEBUG_ATOMIC_SLEEP,
DMA-API debugging, kmemleak and fault injection (tests/debugkernel/kernel.config), in a busybox
guest with 2 vCPUs and QEMU's vmxnet3, TCP running both ways all along.

Phases (each ends with: a fresh DHCP lease, ping, a short iperf3, a kmemleak scan, dmesg):
  plain     link down/up 50x, ethtool -G 20x, -L over 1/2/4/8 and refused counts 20x
            (RSS on from 2 rx queues), ethtool -X/-x/-d 20x, MTU 1500/9000/576 20x,
            ethtool --reset 10x, QMP carrier cuts 10x, S3 suspend/resume 5x (QEMU resets
            the device on wakeup), module unload/reload 20x
  inject    the same with failslab and fail_page_alloc failing 1 in 10 allocations of the
            commands under test (task filter: /proc/<pid>/make-it-fail of the command only);
            a command may fail, but the NIC must end either working or closed, never UP
            without rings
  swiotlb   a boot with swiotlb=384,force: mapping failures under TCP both ways (tx, and rx
            buffers mapped per buffer, not by the page_pools, since mappings bounce), with
            ring changes

Pass: no KASAN, lockdep, DMA-API, kmemleak (in our code) or WARN report, no oops, and after each
phase the NIC gets a lease and moves traffic. Prints the count of each operation and the time.

    tests/debugkernel/stress.py [--quick]     (root; builds the kernel first if not cached)
"""
import argparse
import collections
import pathlib
import re
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "vm"))
sys.path.insert(0, str(ROOT / "tests" / "driver"))

from vnictest import VM, Network, Nic  # noqa: E402
from vnictest.kernel import Kernel  # noqa: E402

from drvutil import GATEWAY, sleep_s3, version  # noqa: E402

MAC = "52:54:00:77:05:11"
REVERSE_PORT = 5202
KO = "/lib/modules/$(uname -r)/vnic/vmxnet3.ko"
# What the checkers print when they find something (lockdep, DMA-API debugging and
# DEBUG_ATOMIC_SLEEP report through WARNING:/BUG: lines; their banners at boot do not match).
BAD = ("BUG:", "WARNING:", "KASAN:", "Oops", "general protection", "Kernel panic",
       "INFO: task", "DMA-API: vmxnet3", "refcount_t", "list_add corruption",
       "list_del corruption", "scheduling while atomic")
FAULT_DIRS = ("/sys/kernel/debug/failslab", "/sys/kernel/debug/fail_page_alloc")


class Failure(AssertionError):
    pass


def build_kernel():
    out = subprocess.run([str(HERE / "build-kernel.sh")], check=True, stdout=subprocess.PIPE,
                         text=True).stdout.strip().splitlines()[-1]
    d = pathlib.Path(out)
    kver = (d / "kver").read_text().strip()
    return d, Kernel(kver, d / "vmlinuz", d / "lib" / "modules" / kver)


def build_module(kdir, dest):
    dest = pathlib.Path(dest)
    subprocess.run(["cp", "-r", str(ROOT / "driver"), str(dest)], check=True)
    r = subprocess.run(["make", "-C", str(kdir / "build"), f"M={dest}",
                        f"VNX_VERSION={version()}", "modules"], capture_output=True, text=True)
    if r.returncode:
        raise Failure(f"module build failed:\n{r.stdout}\n{r.stderr}")
    return dest / "vmxnet3.ko"


class Stress:
    def __init__(self, vm, net, quick):
        self.vm, self.net, self.quick = vm, net, quick
        self.counts = collections.Counter()
        self.inject = False
        self.dmesg_seen = 0

    # -- guest helpers ------------------------------------------------------------------------
    @property
    def ifc(self):
        return self.vm.iface(MAC)

    def n(self, count):
        return max(1, count // 5) if self.quick else count

    def cmd(self, what, command, timeout=120):
        """A command under test; with injection only it (not the agent) gets failures."""
        self.counts[what] += 1
        if self.inject:
            command = f"sh -c 'echo 1 > /proc/self/make-it-fail; exec {command}'"
        r = self.vm.run(command, timeout=timeout)
        if r.rc != 0:
            self.counts[what + " (refused or failed)"] += 1
        return r

    def traffic_start(self):
        self.vm.sh(f"( while :; do iperf3 -c {GATEWAY} -t 20 -P 2 >/dev/null 2>&1; sleep 0.5; "
                   f"done ) >/dev/null 2>&1 & echo $! > /tmp/up.pid; "
                   f"( while :; do iperf3 -c {GATEWAY} -p {REVERSE_PORT} -R -t 20 >/dev/null 2>&1;"
                   f" sleep 0.5; done ) >/dev/null 2>&1 & echo $! > /tmp/down.pid")

    def traffic_stop(self):
        self.vm.run("kill $(cat /tmp/up.pid) $(cat /tmp/down.pid); killall iperf3; sleep 1")

    def not_up_without_rings(self, what):
        """IFF_UP must mean a working device: the carrier comes (the host link is up)."""
        ifc = self.ifc
        flags = self.vm.sh(f"cat /sys/class/net/{ifc}/flags").strip()
        if int(flags, 16) & 1:
            r = self.vm.run(f"for i in $(seq 100); do [ $(cat /sys/class/net/{ifc}/carrier) = 1 ]"
                            f" && exit 0; sleep 0.1; done; exit 1", timeout=30)
            if r.rc != 0:
                raise Failure(f"{ifc} is UP without carrier after {what}")

    def ensure_up(self):
        r = self.vm.run(f"ip link set {self.ifc} up")
        if r.rc:
            self.counts["re-open after a failure"] += 1

    def check_dmesg(self, phase):
        text = self.vm.sh("dmesg")
        lines = text.splitlines()
        bad = [l for l in lines[self.dmesg_seen:] if any(b in l for b in BAD)]
        self.dmesg_seen = len(lines)
        if bad:
            ctx = "\n".join(lines[-80:])
            raise Failure(f"{phase}: kernel reports:\n" + "\n".join(bad) + f"\n--- dmesg tail\n{ctx}")

    def kmemleak(self, phase):
        self.vm.run("echo scan > /sys/kernel/debug/kmemleak; sleep 1; "
                    "echo scan > /sys/kernel/debug/kmemleak", timeout=300)
        rep = self.vm.run("cat /sys/kernel/debug/kmemleak", timeout=60).stdout
        ours = [blk for blk in rep.split("unreferenced object") if re.search(r"vnx_|vmxnet3", blk)]
        others = rep.count("unreferenced object") - len(ours)
        self.vm.run("echo clear > /sys/kernel/debug/kmemleak")
        if ours:
            raise Failure(f"{phase}: kmemleak in the driver:\n" + "unreferenced object".join(ours))
        return others

    def healthy(self, phase):
        """After a phase: a fresh lease, ping, TCP both ways, clean reports."""
        vm, ifc = self.vm, self.ifc
        vm.run(f"ip link set {ifc} mtu 1500; ip link set {ifc} up; ip -4 addr flush dev {ifc}")
        vm.sh(f"udhcpc -i {ifc} -n -q -t 20 -T 1", timeout=120)
        vm.sh(f"ping -c 3 -W 2 {GATEWAY}", timeout=60)
        for rev in ("", "-R"):
            r = vm.run(f"iperf3 -c {GATEWAY} -t 3 {rev}", timeout=120)
            if r.rc:
                raise Failure(f"{phase}: no traffic afterwards ({rev or 'tx'}):\n{r}")
        self.check_dmesg(phase)
        return self.kmemleak(phase)

    def suspend_s3(self):
        """Suspend to RAM, woken through QMP; QEMU resets the device on wakeup."""
        self.counts["S3 suspend/resume"] += 1
        sleep_s3(self.vm, timeout=180)
        self.not_up_without_rings("S3 resume")

    def reload(self):
        vm = self.vm
        self.counts["module unload"] += 1
        vm.run("rmmod vmxnet3", timeout=120)
        r = self.cmd("module load", f"insmod {KO}")
        if r.rc == 0:
            vm.wait_for(lambda: vm.iface(MAC), 20, "the vmxnet3 interface")
            vm.run(f"ip link set {self.ifc} up")
        return r.rc == 0

    # -- the operations ----------------------------------------------------------------------
    def ops(self):
        vm = self.vm
        for i in range(self.n(50)):
            self.cmd("link down/up", f"ip link set {self.ifc} down")
            self.cmd("link down/up (up)", f"ip link set {self.ifc} up")
            self.not_up_without_rings("link up")
        for i in range(self.n(20)):
            size = (256, 1024, 32, 512, 4096)[i % 5]
            self.cmd("ethtool -G", f"ethtool -G {self.ifc} rx {size} tx {size} "
                                   f"rx-jumbo {min(size, 1024)}")
            self.not_up_without_rings("ethtool -G")
            self.ensure_up()
        for i in range(self.n(20)):
            n = (1, 2, 4, 8, 3, 2, 5, 1, 6, 4)[i % 10]
            r = self.cmd("ethtool -L", f"ethtool -L {self.ifc} tx {n} rx {n}")
            if n & (n - 1) and r.rc == 0:
                raise Failure(f"ethtool -L {n} accepted (not a power of two)")
            self.not_up_without_rings("ethtool -L")
            self.ensure_up()
        for i in range(self.n(20)):
            how = ("equal 2", "weight 1 1", f"hkey {bytes(range(i, i + 40)).hex(':')}",
                   "default")[i % 4]
            self.cmd("ethtool -X", f"ethtool -X {self.ifc} {how}")
            self.cmd("ethtool -x", f"ethtool -x {self.ifc}")
            self.cmd("ethtool -d", f"ethtool -d {self.ifc} hex on")
        self.net.set_mtu(9000)
        for i in range(self.n(20)):
            mtu = (9000, 576, 1500)[i % 3]
            self.cmd("MTU change", f"ip link set {self.ifc} mtu {mtu}")
            self.not_up_without_rings("MTU change")
            self.ensure_up()
        self.net.set_mtu(1500)
        vm.run(f"ip link set {self.ifc} mtu 1500")
        for i in range(self.n(10)):
            self.cmd("ethtool --reset", f"ethtool --reset {self.ifc} dedicated")
            time.sleep(1)        # the reset worker runs asynchronously
            self.not_up_without_rings("ethtool --reset")
            self.ensure_up()
        for i in range(self.n(10)):
            self.counts["QMP carrier cut"] += 1
            vm.cut_link(MAC)
            time.sleep(0.5)
            vm.restore_link(MAC)
            vm.wait_in_guest(f"[ $(cat /sys/class/net/{self.ifc}/carrier) = 1 ]", timeout=20)
        for i in range(self.n(5)):
            self.suspend_s3()
            self.ensure_up()
        for i in range(self.n(20)):
            if not self.reload():
                vm.run(f"insmod {KO}")      # injection made the load fail: load it plainly
                vm.wait_for(lambda: vm.iface(MAC), 20, "the vmxnet3 interface")
                vm.run(f"ip link set {self.ifc} up")

    def phase(self, name):
        t0 = time.monotonic()
        self.traffic_start()
        try:
            self.ops()
        finally:
            self.inject_off()
            self.traffic_stop()
        self.ensure_up()
        others = self.healthy(name)
        secs = time.monotonic() - t0
        print(f"phase {name}: ok in {secs:.0f} s; kmemleak reports outside the driver: {others}",
              flush=True)
        return secs

    def inject_on(self):
        for d in FAULT_DIRS:
            self.vm.sh(f"echo 10 > {d}/probability; echo 1 > {d}/interval; "
                       f"echo -1 > {d}/times; echo 0 > {d}/space; echo 0 > {d}/verbose; "
                       f"echo Y > {d}/task-filter")
        self.vm.sh("echo N > /sys/kernel/debug/failslab/ignore-gfp-wait; "
                   "echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-wait; "
                   "echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem; "
                   "echo 0 > /sys/kernel/debug/fail_page_alloc/min-order")
        self.inject = True

    def inject_off(self):
        if self.inject:
            for d in FAULT_DIRS:
                self.vm.run(f"echo 0 > {d}/probability")
        self.inject = False

    def fault_totals(self):
        return self.vm.run("grep -h . /sys/kernel/debug/failslab/times "
                           "/sys/kernel/debug/fail_page_alloc/times").stdout.split()


def boot(net, workdir, kernel, ko, append="", params=""):
    vm = VM.initramfs(net, workdir, kernel=kernel, nics=[Nic("vmxnet3", MAC)],
                      modules=[str(ko)], tools=("ip", "iperf3", "ethtool", "ping"),
                      memory=1536, smp=2, append_extra=f"{append} kmemleak=on".strip(),
                      boot_script="mount -t debugfs none /sys/kernel/debug\n")
    vm.start(timeout=600)
    vm.sh(f"insmod {KO} {params}")
    vm.wait_for(lambda: vm.iface(MAC), 30, "the vmxnet3 interface")
    vm.sh(f"ip link set {vm.iface(MAC)} up && udhcpc -i {vm.iface(MAC)} -n -q -t 20 -T 1",
          timeout=120)
    return vm


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a fifth of each count")
    args = ap.parse_args()
    t0 = time.monotonic()
    kdir, kernel = build_kernel()
    print(f"debug kernel {kernel.kver} ({kdir}), built in {(kdir / 'build-seconds').read_text().strip()} s"
          f" when it was built", flush=True)
    secs = {}
    with tempfile.TemporaryDirectory(prefix="vnic-debugkernel-") as tmp:
        tmp = pathlib.Path(tmp)
        ko = build_module(kdir, tmp / "driver")
        with Network(tmp / "net") as net:
            net.start_iperf3(REVERSE_PORT)
            for attempt in ("main", "swiotlb"):
                # The tiny swiotlb holds small rx rings of one rx queue only: 192 slabs
                # for 32 + 32 buffers mapped while in the ring, as tests/driver/test_swiotlb.py.
                sw = attempt == "swiotlb"
                vm = boot(net, tmp / f"vm-{attempt}", kernel, ko,
                          "swiotlb=384,force" if sw else "",
                          "rx_queues=1 rx_ring_size=32 rx_body_ring_size=32 tx_ring_size=256"
                          if sw else "")
                s = Stress(vm, net, args.quick)
                try:
                    s.check_dmesg("boot")
                    if attempt == "main":
                        secs["plain"] = s.phase("plain")
                        s.inject_on()
                        secs["inject"] = s.phase("inject")
                    else:
                        secs["swiotlb"] = swiotlb_phase(s)
                except Exception:
                    (ROOT / "build").mkdir(exist_ok=True)
                    vm.collect(ROOT / "build" / f"debugkernel-{attempt}")
                    print(f"logs in {ROOT / 'build' / f'debugkernel-{attempt}'}")
                    raise
                finally:
                    counts = s.counts
                    vm.kill()
                print(f"operations ({attempt} boot):")
                for k in sorted(counts):
                    print(f"  {counts[k]:5d}  {k}")
    print("times: " + ", ".join(f"{k} {v:.0f} s" for k, v in secs.items()) +
          f"; total {time.monotonic() - t0:.0f} s")
    print("debugkernel: PASS")
    return 0


def swiotlb_phase(s):
    """Tiny forced swiotlb: TCP both ways with small rings and ring changes."""
    t0 = time.monotonic()
    vm = s.vm
    s.traffic_start()
    try:
        for i in range(s.n(10)):
            time.sleep(2)
            s.cmd("ethtool -G", f"ethtool -G {s.ifc} tx {(256, 128)[i % 2]} rx 32 rx-jumbo 32")
            s.not_up_without_rings("ethtool -G")
            s.ensure_up()
    finally:
        s.traffic_stop()
    st = vm.sh(f"ethtool -S {s.ifc}")
    errs = sum(int(v) for v in re.findall(r"tx\d+_map_errors: (\d+)", st))
    s.counts["tx DMA mapping errors"] += errs
    s.healthy("swiotlb")
    secs = time.monotonic() - t0
    print(f"phase swiotlb: ok in {secs:.0f} s, {errs} tx mapping errors", flush=True)
    return secs


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print(f"debugkernel: FAIL: {e}")
        sys.exit(1)
