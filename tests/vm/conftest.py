# SPDX-License-Identifier: GPL-2.0-only
# Fixtures of the VM harness (tests/vm/vnictest/plugin.py). Other test directories do the same:
#   import sys, pathlib
#   sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "vm"))
#   from vnictest.plugin import *  # noqa: F401,F403
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from vnictest.plugin import *  # noqa: E402,F401,F403
