# SPDX-License-Identifier: GPL-2.0-only
"""A QEMU guest on a test Network, controlled from outside (QMP, serial log, guest agent)."""
import itertools
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import cleanup
from .guestagent import AgentError, QemuGuestAgent, Result, VnicAgent
from .qmp import QMP, QMPError
from .util import WaitTimeout, die_with_parent, log, run, timeout_scale, wait_until

QEMU = os.environ.get("VNIC_QEMU", "qemu-system-x86_64")
PCI_IDS = {"e1000": "8086:100e", "e1000-82545em": "8086:100f", "e1000-82544gc": "8086:100c",
           "vmxnet3": "15ad:07b0", "virtio-net-pci": "1af4:1000"}
_seq = itertools.count()
LIVE = []      # VMs currently started (the pytest plugin collects their logs on failure)


class GuestDied(AssertionError):
    pass


@dataclass
class Nic:
    """One guest NIC on its own tap. model: a QEMU device (e1000, e1000-82545em, vmxnet3...).
    slot: PCI slot (addr=), which fixes the systemd name (slot 3 -> ens3). bridged=False leaves
    the tap off the bridge from the start."""
    model: str
    mac: str
    slot: int = None
    id: str = None          # QEMU netdev id, used by set_link; default nic<index>
    tap: str = None         # filled in at start
    tap_mtu: int = None
    bridged: bool = True

    @property
    def pci_id(self):
        return PCI_IDS.get(self.model)


class VM:
    """A guest. Normally made by the `vm_factory` fixture or VM.initramfs()/VM.debian().

    kernel/initrd/append: direct kernel boot. disk: a base image (raw or qcow2); the VM
    runs on a private qcow2 overlay in its work directory. agent: "vnic" (initramfs guest) or
    "qga" (qemu-guest-agent in the Debian images).
    """

    def __init__(self, net, workdir, kernel, initrd, append, nics=(), disk=None, agent="vnic",
                 memory=512, smp=1, no_reboot=False, extra_args=(), name=None):
        self.net = net
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.name = name or f"vm{next(_seq)}"
        self.kernel, self.initrd, self.append = kernel, initrd, append
        self.nics = list(nics)
        for i, nic in enumerate(self.nics):
            nic.id = nic.id or f"nic{i}"
            nic.slot = nic.slot if nic.slot is not None else 3 + i
        self.base_disk = disk
        self.agent_kind = agent
        self.memory, self.smp, self.no_reboot = memory, smp, no_reboot
        self.extra_args = list(extra_args)
        self.console_log = self.workdir / "console.log"
        self.qmp_log = self.workdir / "qmp.log"
        self.agent_log = self.workdir / "agent.log"
        self.qemu_log = self.workdir / "qemu.log"
        self.sockdir = Path(tempfile.mkdtemp(prefix=f"vnic-{os.getpid()}-"))
        self.proc = None
        self.qmp = None
        self.disk = None
        self.boot_seconds = None
        self._cleanup_key = None
        port = "vnic.agent.0" if agent == "vnic" else "org.qemu.guest_agent.0"
        self._port_name = port
        cls = VnicAgent if agent == "vnic" else QemuGuestAgent
        self.agent = cls(self.sockdir / "agent.sock", self.agent_log)

    # -- construction helpers --------------------------------------------------------------
    @classmethod
    def initramfs(cls, net, workdir, nics=(), modules=(), load=(), tools=None, files=None,
                  boot_script=None, kernel=None, append_extra="", **kw):
        """The fast-path guest: host Debian kernel + initramfs with the chosen modules."""
        from .initramfs import DEFAULT_TOOLS, build_initramfs
        from .kernel import host_kernel
        k = kernel if hasattr(kernel, "vmlinuz") else host_kernel(kernel)
        initrd = build_initramfs(k, modules=modules, load=load,
                                 tools=DEFAULT_TOOLS if tools is None else tools,
                                 files=files, boot_script=boot_script)
        append = f"console=ttyS0,115200 panic=-1 loglevel=6 {append_extra}".strip()
        kw.setdefault("memory", 384)
        kw.setdefault("no_reboot", True)
        vm = cls(net, workdir, k.vmlinuz, initrd, append, nics=nics, agent="vnic", **kw)
        vm.kver = k.kver
        return vm

    @classmethod
    def debian(cls, net, workdir, variant, nics=(), suite="bookworm", append_extra="", **kw):
        """A Debian guest of a backend variant (ifupdown, networkmanager, networkd, netplan)."""
        from .images import get_image
        img = get_image(variant, suite=suite)
        append = f"root=/dev/vda rw console=ttyS0,115200 panic=-1 {append_extra}".strip()
        kw.setdefault("memory", 1024)
        vm = cls(net, workdir, img.vmlinuz, img.initrd, append, nics=nics, disk=img.disk,
                 agent="qga", **kw)
        vm.image = img
        vm.kver = img.kver
        return vm

    # -- lifecycle ---------------------------------------------------------------------------
    def _argv(self):
        a = [QEMU, "-name", self.name, "-accel", "tcg", "-machine", "pc", "-m", str(self.memory),
             "-smp", str(self.smp), "-nodefaults", "-no-user-config", "-display", "none",
             "-kernel", self.kernel, "-initrd", self.initrd, "-append", self.append,
             "-chardev", f"file,id=con0,path={self.console_log}", "-serial", "chardev:con0",
             "-qmp", f"unix:{self.sockdir / 'qmp.sock'},server=on,wait=off",
             "-device", "virtio-serial-pci,id=vser0,addr=0x10",
             "-chardev", f"socket,id=agent0,path={self.sockdir / 'agent.sock'},server=on,wait=off",
             "-device", f"virtserialport,bus=vser0.0,chardev=agent0,name={self._port_name}",
             "-rtc", "base=utc"]
        if self.disk:
            a += ["-drive", f"file={self.disk},if=none,id=disk0,format=qcow2,cache=writeback",
                  "-device", "virtio-blk-pci,drive=disk0,addr=0x11"]
        for nic in self.nics:
            a += ["-netdev", f"tap,id={nic.id},ifname={nic.tap},script=no,downscript=no",
                  "-device", f"{nic.model},netdev={nic.id},mac={nic.mac},addr={nic.slot:#x},"
                             f"id=dev-{nic.id}"]
        if self.no_reboot:
            a.append("-no-reboot")
        return [str(x) for x in a + self.extra_args]

    def start(self, wait=True, timeout=None):
        """Start QEMU; with wait, return once the guest agent answers."""
        self.sockdir.mkdir(parents=True, exist_ok=True)
        if self.base_disk and not self.disk:
            self.disk = self.workdir / "disk.qcow2"
            fmt = "qcow2" if str(self.base_disk).endswith(".qcow2") else "raw"
            run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", Path(self.base_disk).resolve(),
                 "-F", fmt, self.disk])
        for nic in self.nics:
            if not nic.tap:
                nic.tap = self.net.add_tap(mtu=nic.tap_mtu)
                if not nic.bridged:
                    self.net.detach(nic.tap)
        argv = self._argv()
        with open(self.qemu_log, "a") as f:
            f.write("$ " + " ".join(shlex.quote(x) for x in argv) + "\n")
        log.info("starting %s: %s", self.name, " ".join(argv))
        out = open(self.qemu_log, "ab")
        self._t0 = time.monotonic()
        self.proc = subprocess.Popen(self.net.exec_argv(argv), stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        out.close()
        self._cleanup_key = cleanup.register(self.kill, f"qemu {self.name}")
        if self not in LIVE:
            LIVE.append(self)
        try:
            self.qmp = QMP(self.sockdir / "qmp.sock", self.qmp_log)
        except Exception:
            self._check_alive()
            raise
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=None):
        """Wait until the guest agent answers; return the boot time in seconds."""
        timeout = timeout or self.default_boot_timeout()
        wait_until(lambda: self.agent.ping(timeout=1), timeout,
                   f"the guest agent of {self.name}", interval=0.5, on_poll=self._check_alive)
        self.boot_seconds = time.monotonic() - self._t0
        log.info("%s ready after %.1f s", self.name, self.boot_seconds)
        return self.boot_seconds

    def default_boot_timeout(self):
        """120 s for the initramfs guest, 600 s for Debian, times VNIC_TIMEOUT_SCALE. Idle,
        they boot in ~10 s and ~40 s; the margin is for a CI machine shared with others."""
        return (120 if self.agent_kind == "vnic" else 600) * timeout_scale()

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _check_alive(self):
        if self.proc is not None and self.proc.poll() is not None:
            raise GuestDied(f"QEMU of {self.name} exited with {self.proc.returncode}; "
                            f"console tail:\n{self.console_tail()}\nqemu log:\n"
                            f"{self.qemu_log.read_text(errors='replace')[-2000:]}")
        if "Kernel panic" in self.console_text()[-20000:]:
            raise GuestDied(f"kernel panic in {self.name}:\n{self.console_tail()}")

    def kill(self):
        """Stop QEMU at once (QMP quit, then SIGKILL) and release its taps."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.qmp.execute("quit", timeout=5)
            except Exception:  # noqa: BLE001
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._release()

    close = kill

    def _release(self):
        if self in LIVE:
            LIVE.remove(self)
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        self.agent.close()
        if self._cleanup_key is not None:
            cleanup.unregister(self._cleanup_key)
            self._cleanup_key = None
        if not getattr(self.net, "_closed", True):
            for nic in self.nics:
                if nic.tap:
                    self.net.ip("link", "del", nic.tap, check=False)
                    nic.tap = None
        shutil.rmtree(self.sockdir, ignore_errors=True)

    def poweroff(self, timeout=120):
        """Clean shutdown from inside the guest; QEMU exits. Falls back to kill()."""
        cmd = "sync; poweroff -f" if self.agent_kind == "vnic" else "sync; (sleep 0.5; systemctl poweroff) >/dev/null 2>&1 &"
        try:
            self.agent.exec(cmd, timeout=10)
        except (AgentError, OSError):
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s did not power off in %s s, killing it", self.name, timeout)
        self.kill()

    def power_button(self):
        """ACPI power button (QMP system_powerdown): a systemd guest shuts down cleanly."""
        self.qmp.execute("system_powerdown")

    def restart(self, timeout=None, refresh_boot=False):
        """Power off cleanly and boot again on the same disk (state kept). refresh_boot=True
        first takes /boot/vmlinuz-<kver> and /boot/initrd.img-<kver> from the guest's disk, so
        a changed initramfs (update-initramfs in the guest) is what boots next."""
        self.poweroff()
        if refresh_boot:
            self.refresh_boot_files()
        return self.start(timeout=timeout)

    def refresh_boot_files(self, kver=None):
        """With QEMU stopped: copy the kernel and initrd of kver (default: the booted one) out
        of the disk (qemu-img convert + debugfs, no mount) and boot them from now on."""
        if self.running:
            raise RuntimeError("refresh_boot_files() needs the VM stopped")
        kver = kver or self.kver
        raw = self.workdir / "disk-snapshot.raw"
        run(["qemu-img", "convert", "-O", "raw", self.disk, raw])
        try:
            for src, attr in ((f"/boot/vmlinuz-{kver}", "kernel"), (f"/boot/initrd.img-{kver}", "initrd")):
                dst = self.workdir / Path(src).name
                dst.unlink(missing_ok=True)
                run(["debugfs", "-R", f"dump {src} {dst}", raw])
                if not dst.exists() or dst.stat().st_size == 0:
                    raise FileNotFoundError(f"{src} not found on the disk of {self.name}")
                setattr(self, attr, dst)
        finally:
            raw.unlink(missing_ok=True)

    def boot_id(self):
        return self.run("cat /proc/sys/kernel/random/boot_id", check=True).stdout.strip()

    def reboot(self, timeout=None, hard=False):
        """Reboot in place (same QEMU, same disk); return when the agent of the new boot
        answers. hard=True resets through QMP (system_reset) instead of asking the guest."""
        if self.no_reboot:
            raise RuntimeError("this VM runs with -no-reboot: use restart()")
        old = self.boot_id()
        self._t0 = time.monotonic()
        if hard:
            self.run("sync", check=True)
            self.qmp.execute("system_reset")
        else:
            self.run("sync; (sleep 0.5; systemctl reboot || reboot) >/dev/null 2>&1 &", check=True)
        self.agent.close()
        timeout = timeout or self.default_boot_timeout()

        def new_boot():
            if not self.agent.ping(timeout=1):
                return False
            return self.agent.exec("cat /proc/sys/kernel/random/boot_id", timeout=10).stdout.strip() != old

        wait_until(new_boot, timeout, f"{self.name} to come back from reboot", interval=1,
                   on_poll=self._check_alive)
        self.boot_seconds = time.monotonic() - self._t0
        return self.boot_seconds

    # -- commands and files ------------------------------------------------------------------
    def run(self, cmd, timeout=60, input=b"", check=False) -> Result:
        """Run a shell command in the guest (via the agent); check=True asserts rc == 0."""
        self._check_alive()
        r = self.agent.exec(cmd, timeout=timeout, input=input)
        if check and r.rc != 0:
            raise AssertionError(f"command failed in {self.name}:\n{r}")
        return r

    def sh(self, cmd, timeout=60):
        """run(check=True) and return stdout."""
        return self.run(cmd, timeout=timeout, check=True).stdout

    def write_file(self, path, data, mode=None):
        self.agent.write_file(path, data.encode() if isinstance(data, str) else data, mode)

    def read_file(self, path) -> bytes:
        return self.agent.read_file(path)

    def copy_in(self, local, remote, mode=None):
        local = Path(local)
        if mode is None:
            mode = local.stat().st_mode & 0o777
        self.write_file(remote, local.read_bytes(), mode)

    def copy_out(self, remote, local):
        Path(local).write_bytes(self.read_file(remote))

    def wait_for(self, cond, timeout=30, what="condition", interval=0.2):
        """Poll cond() (a callable, or a shell command that must exit 0) until true."""
        if isinstance(cond, str):
            cmd = cond
            cond = lambda: self.run(cmd, timeout=max(5, timeout)).rc == 0  # noqa: E731
            what = what if what != "condition" else f"`{cmd}` in {self.name}"
        return wait_until(cond, timeout, what, interval=interval, on_poll=self._check_alive)

    def wait_in_guest(self, cond, timeout=10, interval=0.05):
        """Poll a shell condition inside the guest (one agent call, fine-grained timing).
        Return the seconds it took; raise WaitTimeout if it stays false."""
        script = (f"t0=$(cut -d' ' -f1 /proc/uptime); n=0; "
                  f"while ! ( {cond} ) >/dev/null 2>&1; do n=$((n+1)); "
                  f"[ $n -gt {int(timeout / interval)} ] && exit 1; sleep {interval}; done; "
                  "t1=$(cut -d' ' -f1 /proc/uptime); echo $t0 $t1")
        r = self.run(script, timeout=timeout + 30)
        if r.rc != 0:
            raise WaitTimeout(f"`{cond}` stayed false for {timeout} s in {self.name}")
        t0, t1 = (float(x) for x in r.stdout.split())
        return t1 - t0

    # -- NICs ------------------------------------------------------------------------------------
    def nic(self, key):
        """A Nic by index, netdev id, or MAC."""
        if isinstance(key, Nic):
            return key
        if isinstance(key, int):
            return self.nics[key]
        for n in self.nics:
            if key in (n.id, n.mac):
                return n
        raise KeyError(key)

    def iface(self, nic):
        """The guest's interface name of a NIC (found by MAC), or None."""
        mac = self.nic(nic).mac.lower()
        r = self.run("for d in /sys/class/net/*; do [ \"$(cat $d/address)\" = "
                     f"{mac} ] && echo ${{d##*/}}; done; true")
        return r.stdout.split()[0] if r.stdout.split() else None

    def carrier(self, nic):
        """1/0 from /sys/class/net/<if>/carrier, None if unreadable (interface down)."""
        ifc = self.iface(nic)
        if not ifc:
            return None
        r = self.run(f"cat /sys/class/net/{ifc}/carrier")
        return int(r.stdout) if r.rc == 0 and r.stdout.strip().isdigit() else None

    def set_link(self, nic, up):
        """QMP set_link: the NIC loses (up=False) or regains its carrier."""
        self.qmp.execute("set_link", name=self.nic(nic).id, up=bool(up))

    def cut_link(self, nic):
        self.set_link(nic, False)

    def restore_link(self, nic):
        self.set_link(nic, True)

    def hotplug_nic(self, nic: Nic):
        """device_add a new NIC (netdev_add of its own tap first)."""
        nic.id = nic.id or f"nic{len(self.nics)}"
        nic.slot = nic.slot if nic.slot is not None else 3 + len(self.nics)
        nic.tap = nic.tap or self.net.add_tap(mtu=nic.tap_mtu)
        self.qmp.execute("netdev_add", type="tap", id=nic.id, ifname=nic.tap, script="no",
                         downscript="no")
        self.qmp.execute("device_add", driver=nic.model, netdev=nic.id, mac=nic.mac,
                         addr=f"{nic.slot:#x}", id=f"dev-{nic.id}")
        self.nics.append(nic)
        return nic

    def unplug_nic(self, nic, timeout=30):
        nic = self.nic(nic)
        self.qmp.execute("device_del", id=f"dev-{nic.id}")
        wait_until(lambda: not any(d.get("qdev") == f"dev-{nic.id}"
                                   for d in self._pci_devices()), timeout,
                   f"removal of {nic.id}")
        self.qmp.execute("netdev_del", id=nic.id)
        self.nics.remove(nic)

    def _pci_devices(self):
        return [d for bus in self.qmp.execute("query-pci") for d in bus["devices"]]

    # -- logs --------------------------------------------------------------------------------------
    def console_text(self):
        try:
            return self.console_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def console_tail(self, lines=40):
        return "\n".join(self.console_text().splitlines()[-lines:])

    def wait_console(self, pattern, timeout=60, start=0):
        """Wait until regex pattern appears in the console log (after offset start)."""
        rx = re.compile(pattern)
        return wait_until(lambda: rx.search(self.console_text()[start:]), timeout,
                          f"/{pattern}/ on the console of {self.name}",
                          on_poll=self._check_alive)

    def collect(self, dest):
        """Copy console, QMP transcript, agent and QEMU logs and the guest's dmesg to dest."""
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        for f in (self.console_log, self.qmp_log, self.agent_log, self.qemu_log):
            if f.exists() and f.resolve().parent != dest.resolve():
                shutil.copy(f, dest / f"{self.name}-{f.name}")
        if self.running:
            try:
                r = self.agent.exec("dmesg", timeout=10)
                (dest / f"{self.name}-dmesg.txt").write_text(r.stdout + r.stderr)
                r = self.agent.exec("ip -d addr; ip route; cat /proc/net/dev", timeout=10)
                (dest / f"{self.name}-net.txt").write_text(r.stdout + r.stderr)
                r = self.agent.exec("journalctl -b --no-pager 2>/dev/null | tail -n 400; "
                                    "cat /run/network/ifstate* 2>/dev/null", timeout=20)
                (dest / f"{self.name}-journal.txt").write_text(r.stdout + r.stderr)
                r = self.agent.exec("tail -n 60 /var/log/vnic-install.log 2>/dev/null; "
                                    "ip -br link; ip -br addr; ip route", timeout=10)
                (dest / f"{self.name}-summary.txt").write_text(r.stdout + r.stderr)
            except Exception as e:  # noqa: BLE001
                (dest / f"{self.name}-dmesg.txt").write_text(f"agent unavailable: {e!r}\n")
