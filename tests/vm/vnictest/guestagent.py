# SPDX-License-Identifier: GPL-2.0-only
"""Command channels into the guest that do not use the guest's network.

Both speak over a QEMU chardev unix socket backed by a virtio-serial port:
  VnicAgent: our vnic-agent (initramfs guest), port "vnic.agent.0".
  QemuGuestAgent: qemu-guest-agent (Debian images), port "org.qemu.guest_agent.0".
Both offer ping(), exec(cmd, timeout, input) -> Result, write_file(), read_file().
"""
import base64
import itertools
import json
import random
import shlex
import socket
import time
from dataclasses import dataclass


class AgentError(RuntimeError):
    pass


@dataclass
class Result:
    cmd: str
    rc: int
    stdout: str
    stderr: str
    raw_stdout: bytes = b""

    @property
    def ok(self):
        return self.rc == 0

    @property
    def output(self):
        return self.stdout + self.stderr

    def __str__(self):
        return f"$ {self.cmd}\n[rc={self.rc}]\n{self.stdout}{self.stderr}"


class _Channel:
    def __init__(self, path, transcript=None):
        self.path = str(path)
        self.sock = None
        self.buf = b""
        self.transcript = transcript
        self._ids = itertools.count(random.randint(1, 1 << 30))

    def _log(self, text):
        if self.transcript:
            with open(self.transcript, "a") as f:
                f.write(f"{time.strftime('%H:%M:%S')} {text}\n")

    def connect(self):
        if self.sock:
            return
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        self.sock, self.buf = s, b""

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def _recv(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("agent did not answer in time")
        self.sock.settimeout(remaining)
        data = self.sock.recv(1 << 16)
        if not data:
            self.close()
            raise ConnectionError("agent socket closed")
        self.buf += data

    def _readline(self, deadline):
        while b"\n" not in self.buf:
            self._recv(deadline)
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def _readn(self, n, deadline):
        while len(self.buf) < n:
            self._recv(deadline)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


class VnicAgent(_Channel):
    """Client of tests/vm/vnictest/agent/vnic-agent.c."""

    def _send(self, data):
        self.connect()
        self.sock.sendall(data)

    def ping(self, timeout=2):
        """True if the agent answers within timeout."""
        try:
            self.connect()
            ident = next(self._ids)
            self._send(f"PING {ident} 0 0 0\n".encode())
            deadline = time.monotonic() + timeout
            while True:
                f = self._readline(deadline).split()
                if len(f) == 5 and f[0] == b"PONG" and int(f[1]) == ident:
                    return True
        except (OSError, TimeoutError, ConnectionError, ValueError):
            self.close()
            return False

    def exec(self, cmd, timeout=60, input=b""):
        if isinstance(input, str):
            input = input.encode()
        ident = next(self._ids)
        cmd_b = cmd.encode()
        self._log(f"exec[{ident}] {cmd}")
        self._send(f"EXEC {ident} {int(timeout)} {len(cmd_b)} {len(input)}\n".encode() + cmd_b + input)
        deadline = time.monotonic() + timeout + 15
        try:
            while True:
                f = self._readline(deadline).split()
                if len(f) != 5 or f[0] != b"RET":
                    continue
                rid, rc, nout, nerr = int(f[1]), int(f[2]), int(f[3]), int(f[4])
                out = self._readn(nout, deadline)
                err = self._readn(nerr, deadline)
                if rid == ident:
                    break
        except (TimeoutError, socket.timeout) as e:
            self.close()
            raise AgentError(f"no answer from the guest agent to {cmd!r} within {timeout + 15} s") from e
        self._log(f"ret[{ident}] rc={rc} out={len(out)}B err={len(err)}B")
        return Result(cmd, rc, out.decode(errors="replace"), err.decode(errors="replace"), out)

    def write_file(self, path, data: bytes, mode=None):
        cmd = f"cat > {shlex.quote(path)}"
        if mode is not None:
            cmd += f" && chmod {mode:o} {shlex.quote(path)}"
        r = self.exec(cmd, timeout=120, input=data)
        if r.rc:
            raise AgentError(f"writing {path} in the guest failed: {r}")

    def read_file(self, path) -> bytes:
        r = self.exec(f"cat {shlex.quote(path)}", timeout=120)
        if r.rc:
            raise AgentError(f"reading {path} in the guest failed: {r}")
        return r.raw_stdout


class QemuGuestAgent(_Channel):
    """Client of qemu-guest-agent (JSON over virtio-serial)."""

    def _call(self, cmd, timeout=30, **args):
        self.connect()
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            line = self._readline(deadline).strip().lstrip(b"\xff")
            if not line:
                continue
            obj = json.loads(line)
            if "error" in obj:
                raise AgentError(f"{cmd}: {obj['error'].get('desc', obj['error'])}")
            if "return" in obj:
                return obj["return"]

    def ping(self, timeout=2):
        """Synchronise the stream (guest-sync-delimited) and check the agent answers."""
        try:
            self.connect()
            ident = next(self._ids)
            self.sock.sendall(b"\xff" + json.dumps(
                {"execute": "guest-sync-delimited", "arguments": {"id": ident}}).encode() + b"\n")
            deadline = time.monotonic() + timeout
            while True:
                line = self._readline(deadline)
                if b"\xff" in line:
                    line = line.rsplit(b"\xff", 1)[1]
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if obj.get("return") == ident:
                    self.buf = b""
                    return True
        except (OSError, TimeoutError, ConnectionError, ValueError, AgentError):
            self.close()
            return False

    def exec(self, cmd, timeout=60, input=b""):
        if isinstance(input, str):
            input = input.encode()
        self._log(f"exec {cmd}")
        args = {"path": "/bin/sh", "arg": ["-c", cmd], "capture-output": True}
        if input:
            args["input-data"] = base64.b64encode(input).decode()
        try:
            pid = self._call("guest-exec", **args)["pid"]
            deadline = time.monotonic() + timeout
            delay = 0.05
            while True:
                st = self._call("guest-exec-status", pid=pid)
                if st.get("exited"):
                    break
                if time.monotonic() > deadline:
                    self.exec(f"kill -9 {pid}", timeout=10)
                    raise AgentError(f"{cmd!r} did not finish within {timeout} s")
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        except (TimeoutError, socket.timeout, ConnectionError) as e:
            self.close()
            raise AgentError(f"qemu-guest-agent did not answer to {cmd!r}: {e}") from e
        out = base64.b64decode(st.get("out-data", ""))
        err = base64.b64decode(st.get("err-data", ""))
        rc = st.get("exitcode", 128 + st.get("signal", 0))
        self._log(f"ret rc={rc} out={len(out)}B err={len(err)}B")
        return Result(cmd, rc, out.decode(errors="replace"), err.decode(errors="replace"), out)

    def write_file(self, path, data: bytes, mode=None):
        h = self._call("guest-file-open", path=path, mode="w")
        try:
            for i in range(0, len(data), 48 * 1024):
                self._call("guest-file-write", handle=h,
                           **{"buf-b64": base64.b64encode(data[i:i + 48 * 1024]).decode()})
        finally:
            self._call("guest-file-close", handle=h)
        if mode is not None:
            self.exec(f"chmod {mode:o} {shlex.quote(path)}")

    def read_file(self, path) -> bytes:
        h = self._call("guest-file-open", path=path, mode="r")
        chunks = []
        try:
            while True:
                r = self._call("guest-file-read", handle=h, count=48 * 1024)
                chunks.append(base64.b64decode(r.get("buf-b64", "")))
                if r.get("eof"):
                    break
        finally:
            self._call("guest-file-close", handle=h)
        return b"".join(chunks)
