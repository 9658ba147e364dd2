# SPDX-License-Identifier: GPL-2.0-only
"""A small synchronous QMP client that keeps a transcript of everything it sends and reads."""
import json
import socket
import threading
import time
from pathlib import Path

from .util import wait_until


class QMPError(RuntimeError):
    pass


class QMP:
    def __init__(self, path: Path, transcript: Path, connect_timeout=30):
        self.path = str(path)
        self.transcript = open(transcript, "a", buffering=1)
        self.events = []
        self._lock = threading.Lock()
        self.sock = wait_until(self._try_connect, connect_timeout, f"QMP socket {path}")
        self.sock.settimeout(None)
        self.file = self.sock.makefile("rwb", buffering=0)
        self._read()                     # greeting
        self.execute("qmp_capabilities")

    def _try_connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.path)
        except OSError:
            s.close()
            raise
        return s

    def _log(self, direction, obj):
        self.transcript.write(f"{time.strftime('%H:%M:%S')} {direction} {json.dumps(obj)}\n")

    def _read(self, timeout=None):
        self.sock.settimeout(timeout)
        line = self.file.readline()
        if not line:
            raise QMPError("QMP connection closed")
        obj = json.loads(line)
        self._log("<-", obj)
        return obj

    def execute(self, cmd, timeout=30, **arguments):
        """Run a QMP command and return its "return" value (raise QMPError on "error")."""
        req = {"execute": cmd}
        if arguments:
            req["arguments"] = arguments
        with self._lock:
            self._log("->", req)
            self.file.write(json.dumps(req).encode() + b"\n")
            while True:
                obj = self._read(timeout)
                if "event" in obj:
                    self.events.append(obj)
                    continue
                if "error" in obj:
                    raise QMPError(f"{cmd}: {obj['error'].get('desc', obj['error'])}")
                if "return" in obj:
                    return obj["return"]

    def poll_events(self):
        """Read events that arrived since the last command (without blocking long)."""
        with self._lock:
            try:
                while True:
                    self.events.append(self._read(timeout=0.01))
            except (socket.timeout, TimeoutError, BlockingIOError):
                pass
            except (QMPError, OSError, ValueError):
                pass
        return self.events

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.transcript.close()
