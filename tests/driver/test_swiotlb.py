# SPDX-License-Identifier: GPL-2.0-only
"""DMA mapping failures for real: the stock Debian kernel booted with a tiny forced swiotlb
(every streaming mapping bounces through a few hundred KiB), 2 vCPUs, TCP both ways. Mappings
fail under load, and the driver must drop those packets cleanly: the descriptors of a packet
given up half-way go back to the driver (issue 13: they stayed device-owned, so the device took
them for the start of the next packet).

Pass: tx mapping errors happened, the device rejected no tx packet, no reset or tx timeout was needed, no completion named a
slot without a packet, dmesg is clean apart from the swiotlb's own "buffer is full" lines, and
data still crosses intact.
"""
import re
import time

import pytest

from vnictest import Nic

from drvutil import GATEWAY, SINK_PORT, dmesg_problems, start_data_server

MAC = "52:54:00:77:04:11"
KO = "/lib/modules/$(uname -r)/vnic/vmxnet3.ko"
REVERSE_PORT = 5202
# 256 slabs of 2 KiB: 512 KiB of bounce buffers (the kernel rounds the count up to whole
# segments of 128 slabs: 320 gave 384 as well). The rx rings below hold 32 head pages of 4 KiB
# and 32 body buffers of 8 KiB: 192 slabs, and tx has the other 64, two 64 KiB TSO packets (one
# rx queue: the default of one per CPU would take twice that). With 384 slabs tx had 192 and
# mappings failed in some 8 s rounds only, none in four rounds once (a failed precondition in a
# make check); with 256 they fail by the hundred in the first round. Every mapping bounces here,
# so the driver maps rx buffers while they sit in the ring only; page_pools that kept their
# pages mapped held slots for pages in socket queues and in their caches as well, filled the
# bounce buffer for good and the link died (the first page_pool rx path, reverted for it). Under
# load rx mappings fail too: those packets are dropped and their buffers stay in the ring.
RX_SLABS = 32 * 2 + 32 * 4
SWIOTLB = "swiotlb=256,force"


def counters(vm, ifc):
    out = vm.sh(f"ethtool -S {ifc}")
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*(\S+): (\d+)$", out, re.M)}


@pytest.fixture(scope="module")
def env(module_vm_factory, driver_ko):
    net = module_vm_factory.net
    net.start_iperf3(REVERSE_PORT)
    vm = module_vm_factory("initramfs", nics=[Nic("vmxnet3", MAC)], modules=[str(driver_ko)],
                           tools=("ip", "iperf3", "ethtool", "ping"), memory=512, smp=2,
                           append_extra=SWIOTLB)
    start_data_server(net, module_vm_factory.workdir / "data")
    vm.sh(f"insmod {KO} rx_queues=1 rx_ring_size=32 rx_body_ring_size=32 tx_ring_size=256")
    vm.wait_for(lambda: vm.iface(MAC), 10, "the vmxnet3 interface")
    ifc = vm.iface(MAC)
    vm.sh(f"ip link set {ifc} up && udhcpc -i {ifc} -n -q -t 10 -T 1", timeout=60)
    return {"vm": vm, "net": net, "ifc": ifc}


def test_tx_mapping_errors_are_clean(env):
    vm, ifc = env["vm"], env["ifc"]
    assert "swiotlb" in vm.sh("cat /proc/cmdline")
    before = counters(vm, ifc)
    errors = 0
    for _ in range(4):
        vm.run(f"iperf3 -c {GATEWAY} -p {REVERSE_PORT} -R -t 8 >/dev/null 2>&1 & "
               f"iperf3 -c {GATEWAY} -t 8 -P 8 -l 256K >/dev/null 2>&1; wait", timeout=90)
        st = counters(vm, ifc)
        errors = sum(v - before.get(k, 0) for k, v in st.items() if k.endswith("_map_errors"))
        print(f"mapping errors after this round: {errors}")
        if errors:
            break
    assert errors > 0, "no tx mapping failed: the swiotlb was not small enough to test"
    # Traffic after the failures: intact data, no reset needed.
    vm.sh("dd if=/dev/urandom of=/tmp/out bs=1M count=8 2>/dev/null")
    want = vm.sh("sha256sum /tmp/out").split()[0]
    for _ in range(3):
        got = vm.run(f"{{ echo {8 << 20}; cat /tmp/out; }} | timeout 120 nc {GATEWAY} {SINK_PORT}",
                     timeout=150).stdout.strip()
        if got == want:
            break
        time.sleep(1)
    assert got == want, f"data differ after mapping errors ({got} != {want})"
    st = counters(vm, ifc)
    dmesg = vm.sh("dmesg")
    # What the device made of our tx ring: a packet it could not parse counts as an error
    # (stale device-owned descriptors glue old fragments to the next packet).
    dev_err = sum(v - before.get(k, 0) for k, v in st.items()
                  if re.fullmatch(r"tx\d+_dev_(err|discard)_pkts", k))
    assert dev_err == 0, f"the device rejected {dev_err} tx packets after {errors} map errors"
    assert st["resets"] == before["resets"] and st["tx_timeouts"] == 0, \
        f"resets {st['resets'] - before['resets']}, tx timeouts {st['tx_timeouts']}"
    assert "with no packet" not in dmesg and "timed out" not in dmesg
    bad = [l for l in dmesg_problems(dmesg) if "swiotlb" not in l]
    assert not bad, "\n".join(bad)
    vm.sh(f"ping -c 2 -W 2 {GATEWAY}", timeout=30)
    rx_fail = sum(v - before.get(k, 0) for k, v in st.items()
                  if re.fullmatch(r"rx\d+_alloc_fail", k))
    assert st["rx0_bad_comp"] == 0
    # Once traffic stopped, the bounce buffer holds the rx rings and little else.
    used = vm.run("mount -t debugfs none /sys/kernel/debug 2>/dev/null; "
                  "cat /sys/kernel/debug/swiotlb/io_tlb_used").stdout.strip()
    if used.isdigit():
        assert int(used) <= RX_SLABS + 64, f"{used} swiotlb slabs still in use when idle"
    assert "mapped while in the ring only" in dmesg, "the driver did not see that mappings bounce"
    print(f"tx mapping errors: {errors}, rx buffers not replaced (mapping or memory): {rx_fail}, "
          f"swiotlb slabs in use when idle: {used}")
