# SPDX-License-Identifier: GPL-2.0-only
"""Helpers shared by the driver tests and the benchmark: building the module, a data server
in the test network for end-to-end integrity checks, iperf3 result parsing."""
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
GATEWAY = "10.77.0.1"
SINK_PORT = 5301      # guest -> gateway: "<size>\n" + bytes, answered with the sha256
SOURCE_PORT = 5302    # gateway -> guest: SOURCE_SIZE deterministic bytes, then close
SOURCE_SIZE = 16 << 20


def version():
    return (ROOT / "VERSION").read_text().strip()


def build_driver(kver, dest=None):
    """Build driver/ for kver in a scratch copy; return the .ko path."""
    dest = pathlib.Path(dest or ROOT / "build" / "driver-test" / kver)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "driver", dest,
                    ignore=shutil.ignore_patterns("*.o", "*.ko", "*.mod*", ".*.cmd",
                                                  "Module.symvers", "modules.order"))
    r = subprocess.run(["make", "-C", f"/lib/modules/{kver}/build", f"M={dest}",
                        f"VNX_VERSION={version()}", "modules"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"driver build failed:\n{r.stdout}\n{r.stderr}")
    return dest / "vmxnet3.ko"


def build_helper(name):
    """Build tests/driver/helpers/<name>.c as a static binary for the guest; return its path."""
    src = ROOT / "tests" / "driver" / "helpers" / f"{name}.c"
    out = ROOT / "build" / "driver-test" / "helpers" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-O2", "-static", "-o", str(out),
                        str(src)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"building {src} failed:\n{r.stderr}")
    return out


def sleep_s3(vm, timeout=60, hold=2):
    """Suspend the guest to RAM (ACPI S3) for `hold` seconds and wake it through QMP
    system_wakeup; QEMU resets every device on wakeup, so a driver must set its device up from
    nothing. Raises AssertionError (with the guest's dmesg tail) when the suspend failed.

    QEMU's vmxnet3 model never flushes its backend queue: a frame that reaches the tap while
    the VM is suspended is queued, the tap stops being read, and receive stays dead until the
    next VM state change, whatever the guest driver does (seen: ARP unanswered after S3 until
    a QMP stop/cont). So once the guest has resumed, a stop/cont flushes that queue on the
    host side; it leaves the guest's device as it is."""
    from vnictest.util import wait_until
    vm.sh("rm -f /tmp/pm.rc; echo deep > /sys/power/mem_sleep; "
          "(sleep 1; echo mem > /sys/power/state; echo $? > /tmp/pm.rc) >/dev/null 2>&1 &")
    wait_until(lambda: vm.qmp.execute("query-status")["status"] == "suspended", timeout,
               "the guest to enter S3")
    time.sleep(hold)
    vm.qmp.execute("system_wakeup")
    vm.wait_for("[ -f /tmp/pm.rc ]", timeout, "the guest to resume from S3")
    if vm.sh("cat /tmp/pm.rc").strip() != "0":
        raise AssertionError("suspend to RAM failed:\n" + vm.sh("dmesg | tail -40"))
    vm.qmp.execute("stop")
    vm.qmp.execute("cont")


def source_blob():
    """The bytes the source port sends (deterministic, incompressible enough)."""
    out = bytearray()
    h = hashlib.sha256(b"vnic-driver-test").digest()
    while len(out) < SOURCE_SIZE:
        h = hashlib.sha256(h).digest()
        out += h * 64
    return bytes(out[:SOURCE_SIZE])


SERVER = r'''
import hashlib, socket, sys, threading
def sink(c):
    f = c.makefile("rb")
    size = int(f.readline())
    h = hashlib.sha256(); left = size
    while left:
        b = f.read(min(left, 1 << 16))
        if not b: break
        h.update(b); left -= len(b)
    c.sendall((h.hexdigest() if not left else "short %d" % left).encode() + b"\n")
    c.close()
def source(c, blob):
    c.sendall(blob); c.shutdown(socket.SHUT_WR); c.close()
def serve(port, fn, *a):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(8)
    while True:
        c, _ = s.accept()
        threading.Thread(target=fn, args=(c,) + a, daemon=True).start()
blob = open(sys.argv[3], "rb").read()
threading.Thread(target=serve, args=(int(sys.argv[1]), sink), daemon=True).start()
serve(int(sys.argv[2]), source, blob)
'''


def start_data_server(net, workdir):
    """Run the sink/source server in the network's namespace."""
    workdir = pathlib.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "dataserver.py").write_text(SERVER)
    (workdir / "blob").write_bytes(source_blob())
    net.spawn("dataserver", ["/usr/bin/python3", str(workdir / "dataserver.py"),
                             str(SINK_PORT), str(SOURCE_PORT), str(workdir / "blob")],
              logfile=workdir / "dataserver.log")
    return hashlib.sha256(source_blob()).hexdigest()


def iperf_mbps(stdout, key="sum_received"):
    j = json.loads(stdout)
    return j["end"][key]["bits_per_second"] / 1e6


BAD_DMESG = ("WARNING:", "BUG:", "Oops", "scheduling while atomic", "general protection",
             "Call Trace", "refcount_t", "list_add corruption", "DMA-API")


def dmesg_problems(text):
    return [l for l in text.splitlines() if any(b in l for b in BAD_DMESG)]
