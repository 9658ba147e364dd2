# SPDX-License-Identifier: GPL-2.0-only
"""`vnic-install health` in a guest on vnic's driver (initramfs guest, 2 vCPUs): a small rx ring
under a receive flood from the gateway makes the device drop packets for lack of receive
buffers; health must name it with the remedy and exit 9; with the ring at the device's maximum
the same flood (400 Mbit/s of UDP) drops all but a few (issue 18). Figures go to the test log."""
import json
import pathlib
import time

import pytest

from vnictest import Nic

from drvutil import GATEWAY

MAC = "52:54:00:77:03:21"
KO = "/lib/modules/$(uname -r)/vnic/vmxnet3.ko"
VNIC = pathlib.Path(__file__).resolve().parents[2] / "build" / "vnic-install"
FLOOD_PORT = 5203
RATE = "400M"  # 32 buffers drop tens of thousands in 5 s here; 4096 none


@pytest.fixture
def env(vm_factory, driver_ko):
    net = vm_factory.net
    net.start_iperf3(FLOOD_PORT)
    vm = vm_factory("initramfs", nics=[Nic("vmxnet3", MAC)], modules=[str(driver_ko)],
                    tools=("ip", "iperf3", "ethtool", "ping", str(VNIC)), memory=512, smp=2)
    vm.sh(f"insmod {KO}")
    vm.wait_for(lambda: vm.iface(MAC), 10, "the vmxnet3 interface")
    ifc = vm.iface(MAC)
    vm.sh(f"ip link set {ifc} up && udhcpc -i {ifc} -n -q -t 10 -T 1", timeout=60)
    yield {"vm": vm, "ifc": ifc}


def health(vm, interval):
    """health --json during a UDP flood gateway->guest; returns (exit code, report)."""
    vm.sh(f"iperf3 -c {GATEWAY} -p {FLOOD_PORT} -R -u -b {RATE} -l 1400 -t {interval + 4} "
          ">/tmp/flood.log 2>&1 &")
    time.sleep(2)
    r = vm.run(f"{VNIC} health --interval {interval} --json", timeout=interval + 60)
    vm.run("killall iperf3; sleep 1")
    assert r.rc in (0, 9), r.stdout + r.stderr
    return r.rc, json.loads(r.stdout)


def finding(report, fid):
    return next((f for f in report["findings"] if f["id"] == fid), None)


def test_health_names_rx_drops_and_the_remedy(env):
    vm, ifc = env["vm"], env["ifc"]
    vm.sh(f"ethtool -G {ifc} rx 32")
    rc, rep = health(vm, 5)
    nic = rep["nics"][0]
    print("small ring:", json.dumps(nic["counters"]), nic["rings"])
    assert rep["schema_version"] == 1 and nic["name"] == ifc
    assert nic["driver"]["name"] == "vmxnet3" and nic["rings"]["rx"] == 32
    assert nic["counters"]["rx_packets"]["sample"] > 0
    f = finding(rep, "rx-no-buffer")
    assert f, rep["findings"]
    assert rc == 9 and rep["status"] == "warning"
    assert f"vnic-install tune --to {ifc} --rx-ring {nic['rings']['rx_max']}" in f["recommendation"]
    assert any(q["per_second"] > 0 for q in nic["interrupts"]), nic["interrupts"]

    small = nic["counters"]["rx_no_buffer"]["sample"]
    small_frac = small / max(1, small + nic["counters"]["rx_packets"]["sample"])
    vm.sh(f"ethtool -G {ifc} rx {nic['rings']['rx_max']}")
    rc, rep = health(vm, 5)
    nic = rep["nics"][0]
    print("largest ring:", json.dumps(nic["counters"]), nic["rings"])
    big = nic["counters"]["rx_no_buffer"]["sample"]
    big_frac = big / max(1, big + nic["counters"]["rx_packets"]["sample"])
    print(f"drops for lack of buffers in 5 s: rx ring 32: {small}, rx ring "
          f"{nic['rings']['rx']}: {big}")
    assert small > 1000, "the small ring did not drop: the flood is too slow for this test"
    # Quiet host: 72417 -> 0; a loaded one cannot keep up whatever the ring: compare shares.
    assert big_frac * 2 < small_frac, \
        f"the largest ring did not take away the drops ({small_frac:.0%} -> {big_frac:.0%})"
    assert not finding(rep, "rx-no-buffer") or big > 0
