# SPDX-License-Identifier: GPL-2.0-only
"""vnictest: the system test harness of vnic (QEMU guests on private network namespaces).

See tests/vm/README.md. Typical use goes through the pytest fixtures of vnictest.plugin.
"""
from .guestagent import AgentError, Result
from .kernel import Kernel, host_kernel
from .netns import Network
from .util import WaitTimeout, cache_dir, wait_until
from .vm import VM, GuestDied, Nic

__all__ = ["AgentError", "GuestDied", "Kernel", "Network", "Nic", "Result", "VM",
           "WaitTimeout", "cache_dir", "host_kernel", "wait_until"]
