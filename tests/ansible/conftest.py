# SPDX-License-Identifier: GPL-2.0-or-later
# The Ansible fleet tests: the VM harness's fixtures (tests/vm).
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "vm"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "e2e"))

from vnictest.plugin import *  # noqa: E402,F401,F403
