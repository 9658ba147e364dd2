# SPDX-License-Identifier: GPL-2.0-only
"""Fixtures of the driver tests: the VM harness of tests/vm, and our vmxnet3.ko built for the
guest kernel from driver/ (in a scratch copy under build/, so the source tree stays clean)."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "vm"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from vnictest.plugin import *  # noqa: F401,F403,E402  fixtures; hooks register once

from drvutil import build_driver, build_helper  # noqa: E402


@pytest.fixture(scope="session")
def driver_ko(vnic_kernel):
    """Path of our vmxnet3.ko for the guest kernel."""
    return build_driver(vnic_kernel.kver)


@pytest.fixture(scope="session")
def tstamp_tool():
    """tests/driver/helpers/vnx-tstamp.c built static for the busybox guest."""
    return build_helper("vnx-tstamp")
