# SPDX-License-Identifier: GPL-2.0-only
"""Teardown that also runs when a test fails, the run is interrupted or killed.

Every resource (QEMU process, dnsmasq, network namespace) registers its release function here
and unregisters it after a normal release. The remaining functions run at interpreter exit
(atexit). SIGTERM and SIGHUP become KeyboardInterrupt, so pytest unwinds its fixtures as it does
for Ctrl-C; a second signal runs the remaining cleanups at once and exits. Namespaces left by a
process that died by SIGKILL are removed by sweep_stale() at the next start.
"""
import atexit
import itertools
import os
import signal
import threading

from .util import log

_lock = threading.RLock()
_items = {}
_counter = itertools.count()
_installed = False
_signalled = False


def register(fn, what=""):
    """Register fn() to run at exit; return a key for unregister()."""
    install()
    with _lock:
        key = next(_counter)
        _items[key] = (fn, what)
        return key


def unregister(key):
    with _lock:
        _items.pop(key, None)


def run_all():
    """Run all registered cleanups, newest first; each runs once and errors are only logged."""
    while True:
        with _lock:
            if not _items:
                return
            key = max(_items)
            fn, what = _items.pop(key)
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            log.warning("cleanup of %s failed: %r", what, e)


def _on_signal(signum, frame):
    global _signalled
    if _signalled or threading.current_thread() is not threading.main_thread():
        run_all()
        os._exit(128 + signum)
    _signalled = True
    raise KeyboardInterrupt(f"signal {signum}")


def install():
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(run_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, _on_signal)
