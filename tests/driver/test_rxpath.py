# SPDX-License-Identifier: GPL-2.0-only
"""The receive path of issue 17 (page_pool buffers, copybreak, batched refills), its failure
paths driven on purpose: one initramfs guest (stock Debian kernel, 2 vCPUs).

- copybreak: small packets are copied (counter `rxN_copybreak`), `ethtool --set-tunable
  rx-copybreak 0` turns it off, values above a head buffer are refused;
- allocation failures in the poll (module parameter `fault_rx_alloc`: every n-th rx buffer
  or copybreak skb allocation fails): the packet is dropped, its buffer stays in the slot, the
  ring never runs dry; data received meanwhile is intact, and traffic flows at full rate once
  the faults stop;
- teardown with pages of the pools still in the stack (down/up, unload) while faults happen.
Pass also needs a clean dmesg (no WARN/BUG/oops, no page_pool "stalled pool shutdown").
"""
import re
import time

import pytest

from vnictest import Nic

from drvutil import GATEWAY, SOURCE_PORT, SOURCE_SIZE, dmesg_problems, iperf_mbps, \
    start_data_server

MAC = "52:54:00:77:05:11"
KO = "/lib/modules/$(uname -r)/vnic/vmxnet3.ko"
FAULT = "/sys/module/vmxnet3/parameters/fault_rx_alloc"
MIN_MBPS = 20


def counters(vm, ifc):
    out = vm.sh(f"ethtool -S {ifc}")
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*(\S+): (\d+)$", out, re.M)}


class TestRxPath:
    @pytest.fixture(scope="class")
    def env(self, class_vm_factory, driver_ko):
        net = class_vm_factory.net
        vm = class_vm_factory("initramfs", nics=[Nic("vmxnet3", MAC)], modules=[str(driver_ko)],
                              tools=("ip", "iperf3", "ethtool", "ping"), memory=512, smp=2)
        blob_sha = start_data_server(net, class_vm_factory.workdir / "data")
        env = {"vm": vm, "net": net, "blob_sha": blob_sha}
        env["ifc"] = self.load(env)
        yield env

    def load(self, env, params=""):
        vm = env["vm"]
        vm.sh(f"insmod {KO} {params}")
        vm.wait_for(lambda: vm.iface(MAC), 10, "the vmxnet3 interface")
        ifc = vm.iface(MAC)
        vm.sh(f"ip link set {ifc} up && udhcpc -i {ifc} -n -q -t 10 -T 1", timeout=60)
        return ifc

    def receive_blob(self, env, tag):
        vm = env["vm"]
        vm.sh(f"timeout 120 nc {GATEWAY} {SOURCE_PORT} </dev/null >/tmp/in", timeout=150)
        got = vm.sh("sha256sum /tmp/in; wc -c </tmp/in")
        vm.sh("rm -f /tmp/in")
        assert env["blob_sha"] in got and str(SOURCE_SIZE) in got, f"{tag}: gateway->guest: {got}"

    def clean(self, env, what):
        vm, ifc = env["vm"], env["ifc"]
        vm.wait_for(f"ping -c 1 -W 1 {GATEWAY}", 20, f"the gateway after {what}")
        dmesg = vm.sh("dmesg")
        bad = dmesg_problems(dmesg) + [l for l in dmesg.splitlines() if "page_pool" in l]
        assert not bad, f"after {what}:\n" + "\n".join(bad)
        assert counters(vm, ifc)["rx0_bad_comp"] == 0

    def test_copybreak(self, env):
        vm, ifc = env["vm"], env["ifc"]
        assert vm.sh(f"ethtool --get-tunable {ifc} rx-copybreak").split()[-1] == "256"
        c0 = counters(vm, ifc)["rx0_copybreak"]
        vm.sh(f"ping -c 20 -i 0.05 -s 100 {GATEWAY}", timeout=30)
        c1 = counters(vm, ifc)["rx0_copybreak"]
        assert c1 - c0 >= 20, f"ping replies not copied: {c1 - c0}"
        vm.sh(f"ethtool --set-tunable {ifc} rx-copybreak 0")
        try:
            vm.sh(f"ping -c 20 -i 0.05 -s 100 {GATEWAY}", timeout=30)
            assert counters(vm, ifc)["rx0_copybreak"] == c1, "copied with rx-copybreak 0"
            # Larger than any head buffer: refused, the value stays.
            assert vm.run(f"ethtool --set-tunable {ifc} rx-copybreak 4096").rc != 0
            assert vm.sh(f"ethtool --get-tunable {ifc} rx-copybreak").split()[-1] == "0"
            self.receive_blob(env, "copybreak off")
        finally:
            vm.sh(f"ethtool --set-tunable {ifc} rx-copybreak 256")
        self.receive_blob(env, "copybreak on")
        self.clean(env, "copybreak")

    # Every 20th: a 64 KiB packet needs 9 buffers, so a third of them is dropped; every 200th:
    # rare drops among full-rate traffic.
    @pytest.mark.parametrize("every", [20, 200])
    def test_alloc_failures_drop_and_keep_the_buffer(self, env, every):
        vm, ifc = env["vm"], env["ifc"]
        before = counters(vm, ifc)
        vm.sh(f"echo {every} > {FAULT}")
        try:
            # Large packets (head + body refills) and small ones (copybreak skbs).
            vm.sh(f"ping -q -i 0.02 -s 64 {GATEWAY} >/dev/null 2>&1 &")
            r = vm.run(f"iperf3 -c {GATEWAY} -R -t 4 -J", timeout=90)
            self.receive_blob(env, f"fault_rx_alloc={every}")
        finally:
            vm.sh(f"echo 0 > {FAULT}")
            vm.run("killall ping")
        st = counters(vm, ifc)
        fails = st["rx0_alloc_fail"] - before["rx0_alloc_fail"]
        assert fails > 0, "no rx allocation failed: the hook did not fire"
        print(f"fault_rx_alloc={every}: {fails} allocation failures, iperf3 rc {r.rc}")
        # The rings are whole again: full traffic after the faults stop.
        mbps = iperf_mbps(vm.sh(f"iperf3 -c {GATEWAY} -R -t 3 -J", timeout=60))
        assert mbps > MIN_MBPS, f"{mbps:.0f} Mbit/s after the faults"
        self.clean(env, f"fault_rx_alloc={every}")

    def test_teardown_with_pages_in_flight(self, env):
        vm = env["vm"]
        vm.sh("rmmod vmxnet3")
        env["ifc"] = self.load(env, "fault_rx_alloc=5")
        fails = 0
        try:
            for i in range(3):
                ifc = env["ifc"]
                vm.sh(f"iperf3 -c {GATEWAY} -R -t 30 >/dev/null 2>&1 &")
                time.sleep(2)
                vm.sh(f"ip link set {ifc} down; ip link set {ifc} up")
                time.sleep(1)
                vm.sh(f"ethtool -G {ifc} rx {(256, 1024, 64)[i]} rx-jumbo {(64, 512, 1024)[i]}",
                      timeout=60)
                time.sleep(1)
                fails += counters(vm, ifc)["rx0_alloc_fail"]
                vm.sh("rmmod vmxnet3")
                vm.run("killall iperf3; sleep 1")
                env["ifc"] = self.load(env, "fault_rx_alloc=5")
            assert fails > 0, "no rx allocation failed: the hook did not fire"
        finally:
            vm.run("killall iperf3; sleep 1")
            vm.run("rmmod vmxnet3")
            env["ifc"] = self.load(env)
        self.receive_blob(env, "after teardowns")
        self.clean(env, "down/up, ring changes and unloads under traffic with faults")
