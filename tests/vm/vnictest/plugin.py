# SPDX-License-Identifier: GPL-2.0-only
"""pytest plugin of the vnic VM harness: fixtures, per-test artifact directories, summary.

Load it from any conftest.py:
    sys.path.insert(0, str(<repo>/"tests"/"vm")); pytest_plugins = ["vnictest.plugin"]
(tests/vm/conftest.py does this; a conftest.py at tests/ level makes it available to
tests/driver and tests/e2e too.)
"""
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from . import cleanup, netns
from . import vm as vm_mod
from .kernel import host_kernel
from .netns import Network
from .util import artifacts_root
from .vm import VM, Nic

DEBIAN_VARIANTS = ("ifupdown", "networkmanager", "networkd", "netplan", "fleet")
_run_dir = None
_kept = []          # (nodeid, path) of kept artifact directories
_boots = []         # (nodeid, vm name, kind, seconds)
_durations = {}     # nodeid -> setup + call seconds (setup includes boots and image builds)


def run_dir() -> Path:
    global _run_dir
    if _run_dir is None:
        _run_dir = artifacts_root() / time.strftime(f"run-%Y%m%d-%H%M%S-{os.getpid()}")
        _run_dir.mkdir(parents=True, exist_ok=True)
    return _run_dir


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]


def pytest_configure(config):
    """Exported to the conftest.py that imports this module; registers the hooks once even
    when several conftest.py files (tests/vm, tests/driver, tests/e2e) import the fixtures."""
    if config.pluginmanager.get_plugin("vnictest-hooks") is None:
        config.pluginmanager.register(_Hooks(), "vnictest-hooks")
        cleanup.install()
        netns.sweep_stale()
        config.addinivalue_line("markers", "vm: boots QEMU guests (slow under TCG)")
        config.addinivalue_line("markers", "slow: the slow tier (make check-e2e-slow), "
                                           "not make check")


class _Hooks:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        _after_report(item, outcome.get_result())

    def pytest_terminal_summary(self, terminalreporter):
        _summary(terminalreporter)


def _after_report(item, rep):
    setattr(item, f"vnic_rep_{rep.when}", rep)
    if rep.when in ("setup", "call"):
        _durations[item.nodeid] = _durations.get(item.nodeid, 0.0) + rep.duration
    if rep.failed:
        d = getattr(item, "vnic_dir", None) or (run_dir() / _safe(item.nodeid))
        (d / "collected").mkdir(parents=True, exist_ok=True)
        # While the fixtures still live: copy logs and dmesg of every running guest.
        for v in list(vm_mod.LIVE):
            try:
                v.collect(d / "collected")
            except Exception as e:  # noqa: BLE001
                (d / "collect-error.txt").write_text(repr(e))
        for n in _live_nets:
            for f in n.workdir.glob("*"):
                if f.is_file():
                    try:
                        shutil.copy(f, d / "collected" / f"{n.name}-{f.name}")
                    except OSError:
                        pass
        if getattr(item, "vnic_dir", None) is None and not getattr(item, "vnic_keep", False):
            _kept.append((item.nodeid, d))
        item.vnic_keep = True
        rep.sections.append(("vnic artifacts", f"logs kept in {d}"))
        # The guest's own view at the failure, in the report itself: CI keeps only the output.
        for f in sorted((d / "collected").glob("*-summary.txt")):
            try:
                text = f.read_text(errors="replace")[-6000:]
            except OSError:
                continue
            rep.sections.append((f"guest state ({f.name})", text))


def _failed(item):
    return any(getattr(getattr(item, f"vnic_rep_{w}", None), "failed", False)
               for w in ("setup", "call", "teardown")) or getattr(item, "vnic_keep", False)


_live_nets = []


@pytest.fixture
def vnic_dir(request):
    """The test's own directory (build/vm-tests/run-*/<test>): removed on success, kept and
    printed on failure."""
    d = run_dir() / _safe(request.node.nodeid)
    d.mkdir(parents=True, exist_ok=True)
    request.node.vnic_dir = d
    yield d
    if _failed(request.node):
        _kept.append((request.node.nodeid, d))
    else:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def vnic_kernel():
    """The host kernel the initramfs guest boots (newest /boot/vmlinuz-*-amd64)."""
    return host_kernel()


def _make_net(workdir, **kw):
    net = Network(workdir, **kw)
    _live_nets.append(net)
    return net


def _close_net(net):
    net.close()
    if net in _live_nets:
        _live_nets.remove(net)


@pytest.fixture
def vnic_net(vnic_dir):
    """A fresh Network (namespace, bridge 10.77.0.1/24, dnsmasq DHCP, iperf3) for this test."""
    net = _make_net(vnic_dir / "net")
    yield net
    _close_net(net)


class VMFactory:
    """boot(kind, nics=..., **kw) -> started VM. kind: "initramfs" or a Debian variant
    (ifupdown, networkmanager, networkd, netplan). All VMs stop when the fixture ends."""

    def __init__(self, net, workdir, nodeid):
        self.net, self.workdir, self.nodeid = net, Path(workdir), nodeid
        self.vms = []

    def create(self, kind="initramfs", nics=(), net=None, start=True, timeout=None, **kw):
        net = net or self.net
        name = kw.pop("name", f"{kind}{len(self.vms)}")
        wd = self.workdir / name
        if kind == "initramfs":
            v = VM.initramfs(net, wd, nics=nics, name=name, **kw)
        elif kind in DEBIAN_VARIANTS:
            v = VM.debian(net, wd, kind, nics=nics, name=name, **kw)
        else:
            raise ValueError(f"unknown guest kind {kind!r}")
        self.vms.append(v)
        if start:
            v.start(timeout=timeout)
            _boots.append((self.nodeid, name, kind, v.boot_seconds))
        return v

    __call__ = create

    def close(self):
        for v in reversed(self.vms):
            v.kill()


@pytest.fixture
def vm_factory(vnic_net, vnic_dir, request):
    """Boot guests for this test: vm_factory("initramfs", nics=[Nic("e1000", mac)],
    modules=[...], load=[...]) or vm_factory("netplan", nics=[...])."""
    f = VMFactory(vnic_net, vnic_dir, request.node.nodeid)
    yield f
    f.close()


class _ModuleScope:
    """Shared directory of a module- or class-scoped boot: kept if any of its tests failed."""

    def __init__(self, request):
        node = request.node
        self.dir = run_dir() / _safe(node.nodeid.replace("/", "_")) / "shared"
        self.dir.mkdir(parents=True, exist_ok=True)
        prefix = node.nodeid + "::"
        self.items = [i for i in request.session.items
                      if i.nodeid.startswith(prefix) or i.nodeid.startswith(node.nodeid + "[")]

    def finish(self):
        if any(_failed(i) for i in self.items):
            _kept.append((str(self.dir.parent.name) + " (shared)", self.dir))
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
            try:
                self.dir.parent.rmdir()
            except OSError:
                pass


@pytest.fixture(scope="module")
def module_vm_factory(request):
    """Like vm_factory, but the network and guests live for the whole test module, so several
    tests share one boot (TCG boots are expensive). Use with a module-scoped fixture of your
    own that boots once; logs of running guests are still collected into each failing test's
    directory."""
    scope = _ModuleScope(request)
    net = _make_net(scope.dir / "net")
    f = VMFactory(net, scope.dir, request.node.nodeid)
    yield f
    f.close()
    _close_net(net)
    scope.finish()


@pytest.fixture(scope="class")
def class_vm_factory(request):
    """module_vm_factory for one test class: guests shared by the tests of a class and
    stopped when the class is done (so two classes never run guests at the same time)."""
    scope = _ModuleScope(request)
    net = _make_net(scope.dir / "net")
    f = VMFactory(net, scope.dir, request.node.nodeid)
    yield f
    f.close()
    _close_net(net)
    scope.finish()


def _summary(terminalreporter):
    from . import images
    tr = terminalreporter
    if images.BUILD_TIMES or _boots:
        tr.section("vnic VM harness")
        for name, secs, how in images.BUILD_TIMES:
            tr.write_line(f"image {name}: {how} in {secs:.1f} s")
        for nodeid, name, kind, secs in _boots:
            if secs is not None:
                tr.write_line(f"boot {kind} ({name}) {secs:.1f} s  [{nodeid}]")
    if _durations and _boots:
        tr.write_line("per test (setup + call, s):")
        for nodeid, secs in _durations.items():
            tr.write_line(f"  {secs:7.1f}  {nodeid}")
    if _kept:
        tr.section("vnic artifacts kept (failures)")
        for nodeid, path in _kept:
            tr.write_line(f"{nodeid}: {path}")
    if _run_dir is not None:
        try:
            _run_dir.rmdir()          # empty when everything passed
        except OSError:
            pass


# What `from vnictest.plugin import *` gives a conftest.py: the fixtures and the configure hook.
__all__ = ["pytest_configure", "vnic_dir", "vnic_kernel", "vnic_net", "vm_factory",
           "module_vm_factory", "class_vm_factory", "Nic", "VM", "Network", "VMFactory"]
