# SPDX-License-Identifier: GPL-2.0-or-later
"""`vnic-install health` and `tune` after the move, in one Debian bookworm guest (ifupdown, the
kernel's vmxnet3 driver; E1000 ens3 and VMXNET3 ens4 as in test_swap.py), issue 18:
  1. swap to ens4; with a 32-buffer rx ring, a UDP flood from the gateway makes the device drop
     packets for lack of receive buffers, and health names it (exit 9) with the tune command;
  2. plan tune --profile throughput --json lists the steps the run then journals, in order;
  3. tune applies the largest rings and 16 MiB socket buffers now, checks the link, commits;
     the same flood then drops (next to) nothing;
  4. after a reboot ens4 keeps its name, its address, the rings and the sysctls;
  5. rollback removes both files (byte-identical to before) and puts the rings back now;
  6. tune killed at every journal record (VNIC_FAULT=journal:N:crash), then recovered: each
     ends as before (or, killed after the commit, as after, and then rolled back);
  7. tune with the VMXNET3's link cut fails its link check and is rolled back (exit 3), with
     nothing changed.
"""
import json
import re
import time

from test_swap import GATEWAY, GUEST_VNIC, NEW, STATIC, boot, check_on_new, wait_address

TUNE_DIRS = "/etc/systemd/network /etc/sysctl.d"
FLOOD_PORT = 5204
RATE = "400M"


def flood_health(vm):
    """health --json over 5 s of a UDP flood gateway->guest: (exit code, ens4's report, all)."""
    vm.sh(f"iperf3 -c {GATEWAY} -p {FLOOD_PORT} -R -u -b {RATE} -l 1400 -t 9 "
          ">/tmp/flood.log 2>&1 &")
    time.sleep(2)
    r = vm.run(f"{GUEST_VNIC} health --interval 5 --json", timeout=120)
    vm.run("pkill iperf3; sleep 1")
    assert r.rc in (0, 9), r
    rep = json.loads(r.stdout)
    return r.rc, next(n for n in rep["nics"] if n["name"] == NEW), rep


def files_state(vm):
    out = vm.sh(f"find {TUNE_DIRS} -type f 2>/dev/null | sort | "
                "while read f; do echo \"$f $(sha256sum < \"$f\" | cut -c1-64)\"; done")
    return dict(line.split() for line in out.splitlines() if line)


def rings(vm):
    """(rx, tx) current ring sizes of ens4, from `ethtool -g`."""
    out = vm.sh(f"ethtool -g {NEW}")
    cur = out.split("Current hardware settings:")[1]
    vals = {}
    for line in cur.splitlines():
        k, _, v = line.partition(":")
        if v.strip().isdigit():
            vals[k.strip()] = int(v)
    return vals["RX"], vals["TX"]


def sysctl(vm, key):
    return vm.sh(f"cat /proc/sys/{key.replace('.', '/')}").split()


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_tune(vm_factory, vnic_net):
    t0 = time.monotonic()
    net = vnic_net
    vm = boot(vm_factory, net, "ifupdown")
    vm.sh("command -v ethtool >/dev/null || { echo no ethtool; exit 1; }")
    r = vm.run(f"{GUEST_VNIC} swap --yes --no-driver --json --timeout 30", timeout=300)
    assert r.rc == 0, r
    check_on_new(vm, net, "ifupdown", "after the swap")

    net.start_iperf3(FLOOD_PORT)
    vm.sh(f"ethtool -G {NEW} rx 32")
    rc, nic, rep = flood_health(vm)
    small = nic["counters"]["rx_no_buffer"]["sample"]
    small_frac = small / max(1, small + nic["counters"]["rx_packets"]["sample"])
    print(f"rx ring 32: {small} drops for lack of buffers and "
          f"{nic['counters']['rx_packets']['sample']} packets received in 5 s")
    f = next((x for x in rep["findings"] if x["id"] == "rx-no-buffer"), None)
    assert f and rc == 9, rep["findings"]
    assert f"vnic-install tune --to {NEW} --rx-ring {nic['rings']['rx_max']}" in \
        f["recommendation"]
    old_rings = rings(vm)
    assert (nic["rings"]["rx"], nic["rings"]["tx"]) == old_rings
    rx_max, tx_max = nic["rings"]["rx_max"], nic["rings"]["tx_max"]
    assert old_rings != (rx_max, tx_max), "the rings are at their maximum already"
    old_rmem = sysctl(vm, "net.core.rmem_max")
    before = files_state(vm)

    # 2. The plan.
    r = vm.run(f"{GUEST_VNIC} plan tune --profile throughput --json", timeout=120)
    assert r.rc == 0, r
    plan = json.loads(r.stdout)
    plan_ids = [s["id"] for s in plan["steps"]]
    assert plan_ids[:2] == ["write-link", "write-sysctl"] and plan_ids[-1] == "check", plan_ids
    link = plan["steps"][0]
    assert link["path"].startswith("/etc/systemd/network/") and link["new"]
    assert f"RxBufferSize={rx_max}" in link["contents"]
    assert "NamePolicy=" in link["contents"], "the default .link's naming was not carried over"
    assert files_state(vm) == before, "plan changed a file"

    # 3. The run: the same steps, journaled in the same order.
    r = vm.run(f"{GUEST_VNIC} tune --profile throughput --yes --json", timeout=300)
    print(r.stdout, r.stderr)
    assert r.rc == 0, r
    events = json_lines(r.stdout)
    run_ids = [e["id"] for e in events if e["event"] == "step"]
    assert run_ids == plan_ids, (run_ids, plan_ids)
    journal = vm.sh("cat $(ls -d /var/lib/vnic/history/* | tail -n1)/journal")
    assert re.findall(r"\bSTEP (\S+)", journal) == plan_ids, journal
    assert rings(vm) == (rx_max, tx_max)
    assert sysctl(vm, "net.core.rmem_max") == ["16777216"]
    # On a quiet host the drops all but go (113115 -> 1468 here); on a loaded one the guest
    # cannot keep up with the flood whatever its ring, so the share of drops is compared, and
    # the best of up to three floods counts (a starved moment of a TCG guest on shared cores
    # drops whatever the ring).
    for _ in range(3):
        rc, nic, rep = flood_health(vm)
        big = nic["counters"]["rx_no_buffer"]["sample"]
        big_frac = big / max(1, big + nic["counters"]["rx_packets"]["sample"])
        print(f"rx ring {rx_max}: {big} drops for lack of buffers and "
              f"{nic['counters']['rx_packets']['sample']} packets received in 5 s")
        if big_frac * 2 < small_frac:
            break
    assert big_frac * 2 < small_frac, \
        f"tune did not take away the drops ({small_frac:.0%} -> {big_frac:.0%})"
    tuned = files_state(vm)
    assert tuned.keys() - before.keys() == {link["path"], "/etc/sysctl.d/60-vnic-tune.conf"}

    # 4. Across a reboot.
    vm.reboot(timeout=900)
    wait_address(vm, NEW, STATIC)
    assert rings(vm) == (rx_max, tx_max), "the rings were not kept across the reboot"
    assert sysctl(vm, "net.core.rmem_max") == ["16777216"]
    assert sysctl(vm, "net.ipv4.tcp_rmem")[-1] == "16777216"
    check_on_new(vm, net, "ifupdown", "after the reboot")

    # 5. Rollback.
    r = vm.run(f"{GUEST_VNIC} rollback", timeout=300)
    assert r.rc == 0, r
    assert files_state(vm) == before, "rollback did not restore the files"
    assert rings(vm) == old_rings, "rollback did not put the rings back"
    assert sysctl(vm, "net.core.rmem_max") == old_rmem
    check_on_new(vm, net, "ifupdown", "after the rollback")

    # 6. Killed at every journal record.
    state = lambda: (files_state(vm), rings(vm), sysctl(vm, "net.core.rmem_max"))
    start = state()
    ends = {"before": 0, "after": 0}
    for n in range(1, 100):
        r = vm.run(f"VNIC_FAULT=journal:{n}:crash {GUEST_VNIC} tune --profile throughput --yes "
                   "--json", timeout=300)
        if r.rc == 0:
            break
        assert r.rc == 99, f"journal record {n}: {r}"
        rec = vm.run(f"{GUEST_VNIC} recover", timeout=300)
        assert rec.rc == 0, f"recover after a kill at journal record {n}: {rec}"
        if state() == start:
            ends["before"] += 1
            continue
        assert files_state(vm) == tuned and rings(vm) == (rx_max, tx_max), \
            f"killed at journal record {n}: neither as before nor as after"
        ends["after"] += 1
        assert vm.run(f"{GUEST_VNIC} rollback", timeout=300).rc == 0
        assert state() == start, f"rollback after a kill at journal record {n}"
    else:
        raise AssertionError("tune never ran to the end")
    print(f"tune: killed at {n - 1} journal records, recovered to before {ends['before']}, "
          f"to after {ends['after']} times")
    assert n > 5
    assert vm.run(f"{GUEST_VNIC} rollback", timeout=300).rc == 0
    assert state() == start

    # 7. A link that does not come back: rolled back, nothing changed.
    vm.cut_link(1)
    try:
        r = vm.run(f"{GUEST_VNIC} tune --rx-ring {rx_max} --yes --json --check carrier "
                   "--timeout 5", timeout=300)
    finally:
        vm.restore_link(1)
    print(r.stdout, r.stderr)
    assert r.rc == 3, r
    assert json_lines(r.stdout)[-1]["outcome"] == "rolled-back"
    assert files_state(vm) == before
    assert rings(vm) == old_rings
    check_on_new(vm, net, "ifupdown", "after the failed tune")
    print(f"test_tune: {time.monotonic() - t0:.0f} s")
