# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 14: a swap killed half-way, then a power cut, is undone at the next boot.

In a Debian bookworm guest with ifupdown (static address): `vnic-install swap` is killed
(VNIC_FAULT=step:N:crash, an _exit on the spot) at a step where the E1000's configuration is
already disabled, then the VM is reset through QMP (a power cut: nothing of the guest runs
after the kill). At the next boot vnic-recover.service, which the swap staged as its first
steps, undoes the run before the network services start: every configuration file is
byte-identical to before, nothing is pending, the E1000 comes up with its address from the
restored files and answers, and the VMXNET3 NIC holds nothing of it. Two points: when the
VMXNET3 interface is being brought up (step 6), and after the link check passed (step 9: the
journal is APPLIED).
"""
import json

import pytest

from test_swap import (GUEST_VNIC, NEW, STATIC, boot, check_on_old, config_state, vnic)

# swap's steps for this configuration: 1-2 the recovery unit and its drop-in, 3 ifdown ens3,
# 4 ens3's link up, 5 /etc/network/interfaces, 6 ifup ens4, 7 the link check, 8 the
# comparison, 9 ens3 down
POINTS = (6, 9)


def test_swap_killed_then_power_cut(vm_factory, vnic_net):
    vm = boot(vm_factory, vnic_net, "ifupdown")
    check_on_old(vm, vnic_net, "ifupdown", "before")
    before = config_state(vm)
    for point in POINTS:
        r = vm.run(f"VNIC_FAULT=step:{point}:crash {GUEST_VNIC} swap --yes --no-driver --json",
                   timeout=300)
        print(r.stdout, r.stderr)
        assert r.rc == 99, f"swap was not killed at step {point}:\n{r}"
        st = json.loads(vnic(vm, "status --json").stdout)
        assert st["pending"] is not None, f"step {point}: nothing pending after the kill: {st}"
        vm.reboot(hard=True, timeout=900)

        log = vm.run("journalctl -b -u vnic-recover.service --no-pager").stdout
        print(log)
        assert "Recovered" in log, f"step {point}: vnic-recover.service did not recover:\n{log}"
        st = json.loads(vnic(vm, "status --json").stdout)
        assert st["pending"] is None and st["last"]["state"] == "rolled-back", st
        assert config_state(vm) == before, f"step {point}: files differ after the recovery"
        check_on_old(vm, vnic_net, "ifupdown", f"after the kill at step {point} and a power cut")
        new = vm.run(f"ip -o addr show dev {NEW}").stdout
        assert f" {STATIC}/" not in new, f"step {point}: {NEW} has {STATIC}:\n{new}"
        # the recovery ran before the network: ifupdown brought ens3 up from the old file
        done = vm.sh("systemctl show -P ExecMainExitTimestampMonotonic vnic-recover.service")
        up = vm.sh("systemctl show -P ExecMainStartTimestampMonotonic networking.service")
        assert 0 < int(done) < int(up), f"vnic-recover ended at {done}, networking began at {up}"
    if not POINTS:
        pytest.skip("no crash points")
