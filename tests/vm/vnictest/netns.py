# SPDX-License-Identifier: GPL-2.0-only
"""The test network: a private network namespace with a bridge, a gateway, dnsmasq, iperf3.

    ns vnictest-<pid>-<n>
      br0  10.77.0.1/24  (gateway, dnsmasq DHCP [+DNS], iperf3 -s)
       |- tap0  <- guest NIC 0 (QEMU -netdev tap, runs inside the namespace)
       |- tap1  <- guest NIC 1
       ...

Nothing is routed out of the namespace: it has no link to the host's namespace at all.
"""
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import cleanup
from .util import die_with_parent, log, run, wait_until

PREFIX = "vnictest-"
_seq = itertools.count()


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _kill_ns_pids(name):
    p = subprocess.run(["ip", "netns", "pids", name], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    pids = [int(x) for x in p.stdout.split() if x.isdigit()]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and any(_pid_alive(x) for x in pids):
            time.sleep(0.05)


def sweep_stale():
    """Remove namespaces vnictest-<pid>-* whose creating process no longer exists
    (left behind by a SIGKILLed run). Processes inside them were started by that run."""
    p = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, text=True)
    for line in p.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX):
            continue
        try:
            owner = int(name[len(PREFIX):].split("-")[0])
        except ValueError:
            continue
        if owner != os.getpid() and not _pid_alive(owner):
            log.warning("removing stale namespace %s", name)
            _kill_ns_pids(name)
            subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)
    # socket directories of VMs (vm.py: /tmp/vnic-<pid>-*) of dead runs
    for d in Path(tempfile.gettempdir()).glob("vnic-*-*"):
        parts = d.name.split("-")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) != os.getpid() \
                and not _pid_alive(int(parts[1])) and d.is_dir() \
                and all(f.name in ("qmp.sock", "agent.sock") for f in d.iterdir()):
            shutil.rmtree(d, ignore_errors=True)


class Network:
    """One test network. Use as a context manager or call close(); close() is idempotent and
    also runs from the cleanup registry (atexit / signals)."""

    GATEWAY = "10.77.0.1"
    PREFIXLEN = 24

    def __init__(self, workdir: Path, dhcp=True, dns=False, iperf=True,
                 dhcp_range=("10.77.0.100", "10.77.0.200"), dhcp_hosts=(), name=None):
        self.name = name or f"{PREFIX}{os.getpid()}-{next(_seq)}"
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.bridge = "br0"
        self._taps = itertools.count()
        self._procs = {}
        self._closed = False
        self._cleanup_key = cleanup.register(self.close, f"network {self.name}")
        try:
            run(["ip", "netns", "add", self.name])
            self.ip("link", "set", "lo", "up")
            self.ip("link", "add", self.bridge, "type", "bridge", "stp_state", "0",
                    "forward_delay", "0")
            self.ip("addr", "add", f"{self.GATEWAY}/{self.PREFIXLEN}", "dev", self.bridge)
            self.ip("link", "set", self.bridge, "up")
            if dhcp or dns:
                self.start_dnsmasq(dhcp=dhcp, dns=dns, dhcp_range=dhcp_range,
                                   dhcp_hosts=dhcp_hosts)
            if iperf:
                self.start_iperf3()
        except BaseException:
            self.close()
            raise

    # -- running things inside -------------------------------------------------------------
    def exec_argv(self, argv):
        return ["ip", "netns", "exec", self.name] + [str(a) for a in argv]

    def sh(self, *argv, check=True, timeout=60):
        """Run a command in the namespace, return CompletedProcess (stdout+stderr in .stdout)."""
        return run(self.exec_argv(argv), check=check, timeout=timeout)

    def ip(self, *args, check=True):
        return run(["ip", "-n", self.name] + list(args), check=check)

    def spawn(self, key, argv, logfile=None):
        """Start a long-running process in the namespace, stopped by close()."""
        out = open(logfile, "ab") if logfile else subprocess.DEVNULL
        p = subprocess.Popen(self.exec_argv(argv), stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        if logfile:
            out.close()
        self._procs[key] = p
        return p

    def stop(self, key):
        p = self._procs.pop(key, None)
        if p and p.poll() is None:
            p.terminate()
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    # -- services ----------------------------------------------------------------------------
    def start_dnsmasq(self, dhcp=True, dns=False, dhcp_range=("10.77.0.100", "10.77.0.200"),
                      dhcp_hosts=(), extra=()):
        """(Re)start dnsmasq on br0. dhcp_hosts: ["52:54:00:..,10.77.0.50", ...] fixed leases.
        The log (with every DHCP exchange) is <workdir>/dnsmasq.log."""
        self.stop("dnsmasq")
        self.leasefile = self.workdir / "dnsmasq.leases"
        self.leasefile.write_text("")
        argv = ["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                f"--interface={self.bridge}", "--bind-interfaces", "--except-interface=lo",
                f"--dhcp-leasefile={self.leasefile}", "--log-dhcp", "--log-facility=-",
                f"--pid-file={self.workdir / 'dnsmasq.pid'}", "--user=root", "--group=root"]
        if dhcp:
            argv += [f"--dhcp-range={dhcp_range[0]},{dhcp_range[1]},255.255.255.0,12h",
                     f"--dhcp-option=option:router,{self.GATEWAY}", "--dhcp-authoritative", "--no-ping",
                     "--dhcp-rapid-commit"]
            argv += [f"--dhcp-host={h}" for h in dhcp_hosts]
        if dns:
            argv += [f"--dhcp-option=option:dns-server,{self.GATEWAY}", "--domain=vnic.test",
                     "--local=/vnic.test/", f"--address=/gateway.vnic.test/{self.GATEWAY}"]
        else:
            argv += ["--port=0"]
        argv += list(extra)
        self.spawn("dnsmasq", argv, self.workdir / "dnsmasq.log")

    def start_iperf3(self, port=5201):
        self.spawn(f"iperf3-{port}", ["iperf3", "-s", "-B", self.GATEWAY, "-p", str(port)],
                   self.workdir / f"iperf3-{port}.log")

    def leases(self):
        """{mac: ip} of dnsmasq's current leases."""
        out = {}
        try:
            for line in self.leasefile.read_text().splitlines():
                f = line.split()
                if len(f) >= 3:
                    out[f[1].lower()] = f[2]
        except (AttributeError, FileNotFoundError):
            pass
        return out

    def wait_lease(self, mac, timeout=60):
        return wait_until(lambda: self.leases().get(mac.lower()), timeout,
                          f"a DHCP lease for {mac}")

    def ping(self, addr, count=1, timeout=2):
        return self.sh("ping", "-c", count, "-W", timeout, addr, check=False).returncode == 0

    # -- taps and link faults ------------------------------------------------------------------
    def add_tap(self, mtu=None):
        """Create a tap device enslaved to the bridge; return its name."""
        name = f"tap{next(self._taps)}"
        self.ip("tuntap", "add", "dev", name, "mode", "tap")
        self.ip("link", "set", name, "master", self.bridge)
        if mtu:
            self.ip("link", "set", name, "mtu", str(mtu))
        self.ip("link", "set", name, "up")
        return name

    def detach(self, tap):
        """Take a tap off the bridge: the guest keeps its carrier but reaches nothing."""
        self.ip("link", "set", tap, "nomaster")

    def attach(self, tap):
        self.ip("link", "set", tap, "master", self.bridge)
        self.ip("link", "set", tap, "up")

    def set_tap_down(self, tap, down=True):
        self.ip("link", "set", tap, "down" if down else "up")

    def set_mtu(self, mtu, dev=None):
        """MTU of the bridge and all its taps (dev=None), or of one device."""
        devs = [dev] if dev else [self.bridge] + self.taps()
        for d in devs:
            self.ip("link", "set", d, "mtu", str(mtu))

    def taps(self):
        out = self.ip("-o", "link", "show", "master", self.bridge).stdout
        return [l.split(":")[1].strip().split("@")[0] for l in out.splitlines() if ":" in l]

    def add_vlan(self, vid, addr=None):
        """The gateway on VLAN vid: frames tagged vid on the bridge reach an interface with
        addr (default 10.77.<vid % 256>.1/24). Returns that interface's name.

        With 8021q in the host kernel this is a VLAN device br0.<vid>. Without it (this CI
        machine's kernel has neither 8021q nor bridge VLAN filtering), a userspace relay
        (vlanrelay.py) tags and untags between a trunk tap on the bridge and a tap vl<vid>."""
        addr = addr or f"10.77.{vid % 256}.1/24"
        name = f"{self.bridge}.{vid}"
        r = self.ip("link", "add", "link", self.bridge, "name", name, "type", "vlan", "id",
                    str(vid), check=False)
        if r.returncode != 0:
            name, trunk = f"vl{vid}", f"vl{vid}t"
            for dev in (name, trunk):
                self.ip("tuntap", "add", "dev", dev, "mode", "tap")
            self.ip("link", "set", trunk, "master", self.bridge)
            self.ip("link", "set", trunk, "up")
            self.spawn(f"vlan{vid}", [sys.executable, Path(__file__).with_name("vlanrelay.py"),
                                      trunk, name, vid], self.workdir / f"vlan{vid}.log")
        self.ip("addr", "add", addr, "dev", name)
        self.ip("link", "set", name, "up")
        return name

    def del_vlan(self, vid):
        if f"vlan{vid}" in self._procs:
            self.stop(f"vlan{vid}")
            for dev in (f"vl{vid}", f"vl{vid}t"):
                self.ip("link", "del", dev, check=False)
        else:
            self.ip("link", "del", f"{self.bridge}.{vid}")

    # -- a second segment and hosts that are only there for a test -------------------------
    def add_segment(self, name="br1"):
        """A second bridge with no address: a wrong segment (a wrong port group). Move a tap
        onto it with move_tap; nothing answers there unless a fake host is started on it."""
        self.ip("link", "add", name, "type", "bridge", "stp_state", "0", "forward_delay", "0")
        # The namespace holds the gateway's address (on br0) and would answer ARP for it on
        # any interface: not on this one (arp_ignore=1: only for addresses it has itself).
        self.sh("sysctl", "-qw", f"net.ipv6.conf.{name}.disable_ipv6=1",
                f"net.ipv4.conf.{name}.arp_ignore=1")
        self.ip("link", "set", name, "up")
        return name

    def move_tap(self, tap, bridge=None):
        """Put tap on bridge (default: the test bridge br0)."""
        self.ip("link", "set", tap, "master", bridge or self.bridge)
        self.ip("link", "set", tap, "up")

    def start_fake_host(self, key, ip, mac, bridge=None, echo=True, echo_only_from=()):
        """A host on bridge (default br0) that answers ARP for ip with mac and, when echo,
        ICMP echo (only to frames from echo_only_from MACs when given); nothing else. See
        fakehost.py. Stopped by stop_fake_host(key) or close()."""
        tap = f"fh{key}"
        self.ip("tuntap", "add", "dev", tap, "mode", "tap")
        self.move_tap(tap, bridge)
        argv = [sys.executable, Path(__file__).with_name("fakehost.py"), tap, ip, mac]
        if not echo:
            argv.append("--no-echo")
        if echo_only_from:
            argv += ["--echo-only-from", ",".join(echo_only_from)]
        self.spawn(f"fakehost-{key}", argv, self.workdir / f"fakehost-{key}.log")
        return tap

    def stop_fake_host(self, key):
        self.stop(f"fakehost-{key}")
        self.ip("link", "del", f"fh{key}", check=False)

    # -- teardown --------------------------------------------------------------------------
    def close(self):
        if self._closed:
            return
        self._closed = True
        for key in list(self._procs):
            self.stop(key)
        _kill_ns_pids(self.name)
        subprocess.run(["ip", "netns", "del", self.name], stderr=subprocess.DEVNULL)
        cleanup.unregister(self._cleanup_key)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
