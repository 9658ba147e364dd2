# SPDX-License-Identifier: GPL-2.0-only
"""Small helpers shared by the harness: paths, logging, subprocesses, waiting."""
import ctypes
import hashlib
import logging
import os
import signal
import subprocess
import time
from pathlib import Path

log = logging.getLogger("vnictest")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]                      # tests/vm/vnictest -> repository root
BUILD = Path(os.environ.get("VNIC_BUILD", REPO / "build"))


def cache_dir() -> Path:
    """Where images, initramfs files and the agent binary are cached (env VNIC_CACHE)."""
    d = Path(os.environ.get("VNIC_CACHE", BUILD / "cache" / "vm"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def artifacts_root() -> Path:
    """Where per-test directories live (env VNIC_ARTIFACTS)."""
    d = Path(os.environ.get("VNIC_ARTIFACTS", BUILD / "vm-tests"))
    d.mkdir(parents=True, exist_ok=True)
    return d


class CommandError(RuntimeError):
    pass


class WaitTimeout(AssertionError):
    """A condition did not become true in time (an AssertionError, so pytest reports a failure)."""


def timeout_scale() -> float:
    """Env VNIC_TIMEOUT_SCALE multiplies the harness's boot and reboot timeouts (a loaded
    CI machine runs TCG guests several times slower)."""
    try:
        return max(0.1, float(os.environ.get("VNIC_TIMEOUT_SCALE", "1")))
    except ValueError:
        return 1.0


def run(argv, check=True, capture=True, timeout=None, **kw):
    """Run argv (a list, never a shell string); raise CommandError with its output on failure."""
    argv = [str(a) for a in argv]
    log.debug("run: %s", " ".join(argv))
    p = subprocess.run(argv, stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.STDOUT if capture else None,
                       text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise CommandError(f"{' '.join(argv)} exited with {p.returncode}:\n{p.stdout or ''}")
    return p


def die_with_parent():
    """preexec_fn for long-running children (QEMU, dnsmasq): SIGKILL them when the harness
    dies, even by SIGKILL. Their namespace is removed by the next run (netns.sweep_stale)."""
    os.setsid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def sha256_of(*parts) -> str:
    """Hash of strings, bytes and file contents (Path objects), in order."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            h.update(str(part).encode() + b"\0")
            h.update(part.read_bytes())
        elif isinstance(part, bytes):
            h.update(part)
        else:
            h.update(str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def wait_until(cond, timeout, what="condition", interval=0.2, on_poll=None):
    """Call cond() until it returns a true value; return that value or raise WaitTimeout.

    Exceptions from cond() count as "not yet" (the last one is reported on timeout).
    on_poll() runs each round and may raise to stop early (a crashed guest, for instance).
    """
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        if on_poll:
            on_poll()
        try:
            value = cond()
            if value:
                return value
            last_exc = None
        except (WaitTimeout, KeyboardInterrupt):
            raise
        except Exception as e:  # noqa: BLE001 - reported below
            last_exc = e
        if time.monotonic() >= deadline:
            msg = f"timed out after {timeout:.1f} s waiting for {what}"
            if last_exc is not None:
                msg += f" (last error: {last_exc!r})"
            raise WaitTimeout(msg)
        time.sleep(interval)
