# SPDX-License-Identifier: GPL-2.0-only
"""The host's Debian kernel (for the initramfs guest) and its module tree."""
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .util import run


def _version_key(kver):
    return [int(x) if x.isdigit() else x for x in re.split(r"[.\-+~]", kver)]


@dataclass(frozen=True)
class Kernel:
    kver: str
    vmlinuz: Path
    moddir: Path           # /lib/modules/<kver>

    @property
    def build_dir(self) -> Path:
        return self.moddir / "build"


def host_kernel(kver=None) -> Kernel:
    """The kernel to boot: kver, else env VNIC_KERNEL_VERSION, else the newest
    /boot/vmlinuz-*-amd64 (installed by Debian's linux-image-amd64). Never `uname -r`."""
    kver = kver or os.environ.get("VNIC_KERNEL_VERSION")
    if not kver:
        found = [p.name[len("vmlinuz-"):] for p in Path("/boot").glob("vmlinuz-*-amd64")]
        if not found:
            raise FileNotFoundError("no /boot/vmlinuz-*-amd64: apt-get install linux-image-amd64")
        kver = max(found, key=_version_key)
    vmlinuz = Path("/boot") / f"vmlinuz-{kver}"
    moddir = Path("/lib/modules") / kver
    for p in (vmlinuz, moddir / "modules.dep"):
        if not p.exists():
            raise FileNotFoundError(f"{p} missing for kernel {kver}")
    return Kernel(kver, vmlinuz, moddir)


def _modname(path) -> str:
    name = Path(path).name
    for suffix in (".xz", ".zst", ".gz"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith(".ko"):
        name = name[:-3]
    return name.replace("-", "_")


class ModuleTree:
    """modules.dep of one kernel: name -> path, name -> dependency names."""

    def __init__(self, kernel: Kernel):
        self.kernel = kernel
        self.paths, self.deps = {}, {}
        for line in (kernel.moddir / "modules.dep").read_text().splitlines():
            if ":" not in line:
                continue
            mod, deps = line.split(":", 1)
            name = _modname(mod)
            self.paths[name] = kernel.moddir / mod
            self.deps[name] = [_modname(d) for d in deps.split()]

    def resolve(self, specs):
        """Turn module specs into an ordered list [(name, path)], dependencies first.

        A spec is a module name of the kernel tree ("e1000") or a path to a .ko file (our own
        vmxnet3.ko). A file given by path replaces the tree's module of the same name; its own
        dependencies (modinfo depends) come from the tree.
        """
        explicit = {}
        for spec in specs:
            s = str(spec)
            if "/" in s or s.endswith(".ko"):
                p = Path(s).resolve()
                if not p.exists():
                    raise FileNotFoundError(p)
                explicit[_modname(p)] = p
        order, seen = [], set()

        def visit(name, stack=()):
            if name in seen:
                return
            if name in stack:
                raise ValueError(f"module dependency loop: {stack + (name,)}")
            if name in explicit:
                dep_s = run(["modinfo", "-F", "depends", explicit[name]]).stdout.strip()
                deps = [d for d in dep_s.split(",") if d]
                path = explicit[name]
            elif name in self.paths:
                deps, path = self.deps[name], self.paths[name]
            else:
                raise KeyError(f"module {name} not found for kernel {self.kernel.kver}")
            for d in deps:
                visit(_modname(d), stack + (name,))
            seen.add(name)
            order.append((name, path))

        for spec in specs:
            s = str(spec)
            visit(_modname(s) if ("/" in s or s.endswith(".ko")) else s.replace("-", "_"))
        return order

    def closure(self, name, resolved):
        """Names to insmod, in order, to load `name` from an already resolved list."""
        by_name = dict(resolved)
        out = []

        def visit(n):
            if n in out:
                return
            path = by_name[n]
            if path in self.paths.values() and n not in self._explicit_names(resolved):
                deps = self.deps.get(n, [])
            else:
                dep_s = run(["modinfo", "-F", "depends", path]).stdout.strip()
                deps = [d for d in dep_s.split(",") if d]
            for d in deps:
                visit(_modname(d))
            out.append(n)

        visit(name.replace("-", "_"))
        return out

    def _explicit_names(self, resolved):
        return {n for n, p in resolved if self.paths.get(n) != p}
