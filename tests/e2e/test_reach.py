# SPDX-License-Identifier: GPL-2.0-or-later
"""The swap's link check on broken segments (issue 19), in one Debian bookworm guest (ifupdown,
static address; E1000 ens3 and VMXNET3 ens4 as in test_swap.py). One boot, scenarios in turn:
  1. wrong segment: the VMXNET3 tap on a second bridge where a host holds the gateway's address
     with another MAC and drops IP: rolled back (with the check before issue 19: committed);
  2. a segment where nothing answers: rolled back; the same with --check tcp:ADDR:PORT;
  3. the admin's peer (--check peer:ADDR, then SSH_CONNECTION) answers the E1000 only, while
     the gateway answers both: rolled back;
  4. the gateway drops ICMP but answers ARP from its own MAC: the swap passes; then
     `vnic-install rollback`.
Each rollback ends with the configuration files byte-identical and the E1000 answering again.
VNIC_REACH_BINARY=PATH runs another vnic-install build in the guest (to show that a build
without the fix commits scenario 1).
"""
import json
import os
import pathlib
import sys
import time

from test_swap import (E1000_MAC, GATEWAY, GUEST_VNIC, OLD, STATIC, boot, check_on_new,
                       check_on_old, config_state, result_of)

PEER = "10.77.0.2"
PEER_MAC = "02:00:00:77:00:02"
WRONG_MAC = "02:00:00:00:0b:ad"
SWAP = f"{GUEST_VNIC} swap --yes --no-driver --json --timeout 10"
LISTENER = ("import socket, sys\ns = socket.create_server((sys.argv[1], int(sys.argv[2])))\n"
            "while True:\n    s.accept()[0].close()\n")


def bridge_mac(net, dev="br0"):
    out = net.ip("-o", "link", "show", dev).stdout
    return out.split("link/ether ")[1].split()[0]


def rolled_back(vm, net, before, args="", env="", what=""):
    t0 = time.monotonic()
    r = vm.run(f"{env} {SWAP} {args}", timeout=300)
    print(r.stdout, r.stderr)
    assert r.rc == 3, f"{what}: expected exit 3 (rolled back):\n{r}"
    assert result_of(r)["outcome"] == "rolled-back", r.stdout
    assert config_state(vm) == before, f"{what}: configuration files differ after the rollback"
    check_on_old(vm, net, "ifupdown", f"{what}: after the rollback")
    print(f"{what}: {time.monotonic() - t0:.1f} s")
    return r


def test_reach(vm_factory, vnic_net):
    t0 = time.monotonic()
    net = vnic_net
    vm = boot(vm_factory, net, "ifupdown")
    other = os.environ.get("VNIC_REACH_BINARY")
    if other:
        vm.copy_in(pathlib.Path(other), GUEST_VNIC, mode=0o755)
    booted = time.monotonic()
    check_on_old(vm, net, "ifupdown", "before")
    before = config_state(vm)
    tap = vm.nic(1).tap  # the VMXNET3's
    seg = net.add_segment()

    # 1. The gateway's address answers ARP from another MAC on the VMXNET3's segment.
    net.move_tap(tap, seg)
    net.start_fake_host("gw", GATEWAY, WRONG_MAC, bridge=seg, echo=False)
    r = rolled_back(vm, net, before, what="wrong segment, another MAC")
    assert WRONG_MAC in r.stdout, "the report does not name the other MAC"

    # What the check proves, said by plan: the gateway's own MAC (seen through the E1000) and
    # its echo.
    r = vm.run(f"{GUEST_VNIC} plan --no-driver", timeout=120)
    assert r.rc == 0, r
    assert f"ARP from {bridge_mac(net)} and ICMP echo, as through {OLD}" in r.stdout, r.stdout

    # 2. Nothing answers there.
    net.stop_fake_host("gw")
    r = rolled_back(vm, net, before, what="silent segment")
    assert "another segment?" not in r.stdout, "something answered on the silent segment"

    # 2b. tcp:ADDR:PORT (a listener in the test's namespace, reached through the E1000 only).
    net.spawn("listener", [sys.executable, "-c", LISTENER, GATEWAY, "2222"])
    connect = ["python3", "-c", f"import socket; socket.create_connection(('{GATEWAY}', 2222), 1)"]
    vm.wait_for(lambda: net.sh(*connect, check=False).returncode == 0, 30, "the listener")
    rolled_back(vm, net, before, args=f"--check address --check tcp:{GATEWAY}:2222",
                what="TCP peer unreachable")
    net.stop("listener")

    # 3. The right segment, but the admin's peer answers the E1000 only.
    net.move_tap(tap)
    net.start_fake_host("peer", PEER, PEER_MAC, echo_only_from=[E1000_MAC])
    r = rolled_back(vm, net, before, args=f"--check peer:{PEER}", what="peer unreachable")
    assert f"the peer {PEER}" in r.stdout, r.stdout
    r = rolled_back(vm, net, before, env=f"SSH_CONNECTION='{PEER} 50022 {STATIC} 22'",
                    what="SSH client unreachable")
    assert f"your SSH client {PEER}" in r.stdout, r.stdout
    net.stop_fake_host("peer")

    # 4. A gateway that drops ICMP but answers ARP from its own MAC: passes.
    net.sh("sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1")
    try:
        r = vm.run(SWAP, timeout=300)
        print(r.stdout, r.stderr)
        assert r.rc == 0, f"swap with a gateway that drops ICMP:\n{r}"
        assert f"ARP from {bridge_mac(net)}, as through {OLD}" in r.stdout, r.stdout
    finally:
        net.sh("sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=0")
    check_on_new(vm, net, "ifupdown", "after the swap past a gateway dropping ICMP")
    r = vm.run(f"{GUEST_VNIC} rollback", timeout=300)
    assert r.rc == 0, f"rollback:\n{r}"
    assert config_state(vm) == before, "configuration files differ after 'rollback'"
    check_on_old(vm, net, "ifupdown", "after 'rollback'")

    # 5. --confirm-timeout and nobody confirms: the guard rolls it back on its own.
    t5 = time.monotonic()
    swap_waiting(vm, 20)
    wait_for_guard_rollback(vm, net, before, "no confirm")
    print(f"confirm timeout, live: {time.monotonic() - t5:.1f} s")

    # 6. --confirm-timeout and confirm: kept.
    swap_waiting(vm, 600)
    r = vm.run(f"{GUEST_VNIC} confirm", timeout=60)
    assert r.rc == 0, f"confirm:\n{r}"
    assert status(vm)["pending"] is None
    check_on_new(vm, net, "ifupdown", "after confirm")
    print(f"test_reach: boot {booted - t0:.1f} s, scenarios {time.monotonic() - booted:.1f} s")


def status(vm):
    return json.loads(vm.run(f"{GUEST_VNIC} status --json").stdout)


def swap_waiting(vm, confirm_timeout):
    """swap --confirm-timeout: passes, and waits for confirm."""
    r = vm.run(f"{SWAP} --confirm-timeout {confirm_timeout}", timeout=300)
    print(r.stdout, r.stderr)
    assert r.rc == 0, f"swap --confirm-timeout:\n{r}"
    assert result_of(r)["outcome"] == "waiting", r.stdout
    st = status(vm)
    assert st["pending"] and st["pending"]["state"] == "applied", st
    return r


def wait_for_guard_rollback(vm, net, before, what, timeout=300):
    vm.wait_for(lambda: status(vm)["pending"] is None, timeout, f"{what}: the guard's rollback",
                interval=2)
    st = status(vm)
    assert st["last"]["state"] == "rolled-back", st
    assert config_state(vm) == before, f"{what}: configuration files differ after the rollback"
    check_on_old(vm, net, "ifupdown", f"{what}: after the guard's rollback")


def test_confirm_timeout_across_reboot(vm_factory, vnic_net):
    """swap --confirm-timeout, then a reboot before anyone confirms: the guard checks again at
    boot and rolls the swap back when the time is up."""
    t0 = time.monotonic()
    vm = boot(vm_factory, vnic_net, "ifupdown")
    other = os.environ.get("VNIC_REACH_BINARY")
    if other:
        vm.copy_in(pathlib.Path(other), GUEST_VNIC, mode=0o755)
    check_on_old(vm, vnic_net, "ifupdown", "before")
    before = config_state(vm)
    swap_waiting(vm, 120)
    vm.reboot(timeout=900)
    log = vm.run("journalctl -b -u vnic-guard.service --no-pager").stdout
    print(log)
    wait_for_guard_rollback(vm, vnic_net, before, "after a reboot")
    print(f"test_confirm_timeout_across_reboot: {time.monotonic() - t0:.1f} s")
