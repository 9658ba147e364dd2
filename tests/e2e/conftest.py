# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests of vnic-install in QEMU guests: the VM harness's fixtures (tests/vm).
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "vm"))

from vnictest import plugin as _plugin  # noqa: E402
from vnictest.plugin import *  # noqa: E402,F401,F403

# Tests marked slow: each builds vnic's driver through DKMS and regenerates an initramfs inside
# a TCG guest (the build alone takes over 2 minutes there), several times over; on this
# project's 2-core CI machine they take half an hour together. `make check-vm` leaves them out;
# `make check-e2e-slow` runs them, and `make check` includes that tier when VNIC_SLOW_TESTS=1
# (docs/testing.md). test_prepare.py builds on the host (prepare --image) and only boots in
# guests: it runs in `make check` (about 6 minutes).
SLOW = {
    "test_driver_install.py::TestDriverInstall":
        "driver install/remove with DKMS builds and initramfs updates in a TCG guest",
    "test_swap.py::test_swap[ifupdown]":
        "ifupdown's plain swap (make check keeps its parts elsewhere: the link-cut rollback in "
        "test_reach, the swap and rollback in test_swap_rich[ifupdown], the reboot in test_tune)",
    "test_swap.py::test_swap_with_driver_build":
        "swap with the DKMS build of the driver in a TCG guest",
    "test_reach.py::test_confirm_timeout_across_reboot":
        "a swap left unconfirmed across a reboot: a boot and a reboot of a TCG guest",
    "test_swap_port.py::test_swap_port[bond-late-link]":
        "a bond port's swap whose VMXNET3 link comes late (make check keeps the plain bond case, "
        "whose carrier check fails without the plan's wait as well)",
    "test_swap_port.py::test_swap_port[bridge]":
        "a bridge port's swap with systemd-networkd (kept out of make check for its time)",
    "test_swap_port.py::test_swap_port[np-bond]":
        "the netplan bond port's swap (make check keeps the bond ports of networkd, "
        "NetworkManager and ifupdown; netplan's port plan ends in networkd's, as `bond`'s)",
    "test_swap_port.py::test_swap_port[nm-bridge]":
        "a bridge port's swap with NetworkManager (kept out of make check for its time)",
    "test_swap_port.py::test_swap_port[np-bridge]":
        "a bridge port's swap with netplan (kept out of make check for its time)",
    "test_swap_port.py::test_swap_bond_port_no_link":
        "a bond port's swap that waits out the plan's 60 s wait for the VMXNET3 port",
    "test_swap_crash.py":
        "swaps killed at two journal points and the guest reset: four boots of a TCG guest",
}


def pytest_configure(config):
    _plugin.pytest_configure(config)
    config.addinivalue_line("markers", "slow: DKMS builds or several boots in TCG guests "
                                       "(make check-e2e-slow)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        for key, why in SLOW.items():
            if key in item.nodeid:
                item.add_marker(pytest.mark.slow(reason=why))
