# SPDX-License-Identifier: GPL-2.0-or-later
"""The fleet playbook (ansible/, vnic.fleet) against three Debian guests over real SSH, all in the
test's private network namespace (issue 16). Each guest: E1000 ens3 with a static address, a
VMXNET3 ens4 beside it, openssh-server with a key the test makes.
  0. `migrate --tags install` installs the two .debs on every host;
  1. check mode (--check --diff) changes nothing on any guest and plans a swap for each;
     the readiness playbook writes its table and JSON;
  2. with fleet2's VMXNET3 link cut (QMP), the rollout moves fleet1, fails on fleet2, which
     vnic-install leaves rolled back, and stops: fleet3 is not reached; the summary says so;
  3. link restored, the same command resumes: fleet1 unchanged, fleet2 and fleet3 moved;
  4. a third run changes nothing (changed=0 for every host).
"""
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from vnictest import Nic
from test_swap import CONFIG_DIRS, GATEWAY, config_state

TOP = Path(__file__).resolve().parents[2]
DEBS = ("vmxnet3-dkms_{v}_all.deb", "vnic-install_{v}_amd64.deb")
HOSTS = [("fleet1", "52:54:00:77:08:10", "52:54:00:77:08:11", "10.77.0.61"),
         ("fleet2", "52:54:00:77:08:20", "52:54:00:77:08:21", "10.77.0.62"),
         ("fleet3", "52:54:00:77:08:30", "52:54:00:77:08:31", "10.77.0.63")]
STATE = CONFIG_DIRS + " /var/lib/vnic"


def version():
    return (TOP / "VERSION").read_text().strip()


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    """The collection built and installed, and the .debs (built when missing)."""
    v = version()
    debs = [TOP / "build" / "deb" / d.format(v=v) for d in DEBS]
    if not all(d.exists() for d in debs):
        subprocess.run(["make", "-s", "-C", str(TOP), "deb"], check=True)
    out = tmp_path_factory.mktemp("ansible")
    subprocess.run(["ansible-galaxy", "collection", "build", str(TOP / "ansible"),
                    "--output-path", str(out), "--force"], check=True, capture_output=True)
    tarball = next(out.glob("vnic-fleet-*.tar.gz"))
    subprocess.run(["ansible-galaxy", "collection", "install", str(tarball), "-p",
                    str(out / "collections"), "--force"], check=True, capture_output=True)
    return {"collections": out / "collections", "debs": [str(d) for d in debs], "dir": out}


def boot_fleet(vm_factory):
    vms = []
    for name, mac0, mac1, _ in HOSTS:
        vms.append(vm_factory("fleet", nics=[Nic("e1000", mac0, slot=3),
                                             Nic("vmxnet3", mac1, slot=4)],
                              memory=1024, name=name, start=False))
    for vm in vms:
        vm.start(wait=False)
    for vm in vms:
        vm.wait_ready(timeout=900)
    return vms


def configure(vm, addr, pubkey):
    vm.sh("ifdown --force ens3 || true", timeout=120)
    vm.write_file("/etc/network/interfaces",
                  ("source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
                   f"auto ens3\niface ens3 inet static\n    address {addr}/24\n"
                   f"    gateway {GATEWAY}\n").encode(), mode=0o644)
    vm.sh("ip addr flush dev ens3; ifup --force ens3", timeout=120)
    vm.sh("mkdir -p -m 700 /root/.ssh")
    vm.write_file("/root/.ssh/authorized_keys", pubkey, mode=0o600)
    vm.sh("systemctl start ssh", timeout=60)


class Fleet:
    def __init__(self, net, col, workdir):
        self.net, self.col, self.dir = net, col, Path(workdir)
        # ssh's ControlPath must fit in a socket address (108 bytes): a short directory.
        self.cp = tempfile.mkdtemp(prefix="vnic-cp-", dir="/tmp")
        key = self.dir / "key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                       check=True)
        self.pubkey = (self.dir / "key.pub").read_bytes()
        inv = ["[vnic_guests]"] + [f"{n} ansible_host={a}" for n, _, _, a in HOSTS]
        inv += ["", "[vnic_guests:vars]", "ansible_user=root",
                f"ansible_ssh_private_key_file={key}",
                "ansible_ssh_common_args='-o StrictHostKeyChecking=no "
                "-o UserKnownHostsFile=/dev/null'",
                "ansible_python_interpreter=/usr/bin/python3", "vnic_become=false"]
        (self.dir / "inventory").write_text("\n".join(inv) + "\n")
        (self.dir / "vars.json").write_text(json.dumps({
            "vnic_packages": col["debs"], "vnic_driver": False, "vnic_timeout": 20,
            "vnic_report_dir": str(self.dir / "report")}))

    def play(self, playbook, *args, timeout=1800):
        env = ["env", f"ANSIBLE_COLLECTIONS_PATH={self.col['collections']}",
               "ANSIBLE_HOST_KEY_CHECKING=False", "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0",
               f"HOME={self.dir}", f"ANSIBLE_LOCAL_TEMP={self.dir / 'tmp'}",
               f"ANSIBLE_SSH_CONTROL_PATH_DIR={self.cp}"]
        t0 = time.monotonic()
        r = self.net.sh(*env, "ansible-playbook", "-i", str(self.dir / "inventory"),
                        "-e", f"@{self.dir / 'vars.json'}", f"vnic.fleet.{playbook}", *args,
                        check=False, timeout=timeout)
        print(f"--- ansible-playbook {playbook} {' '.join(args)}: exit {r.returncode} in "
              f"{time.monotonic() - t0:.0f} s\n{r.stdout[-6000:]}")
        return r

    def summary(self):
        return json.loads((self.dir / "report" / "summary.json").read_text())


def recap(text):
    """{host: {ok: n, changed: n, failed: n, ...}} from PLAY RECAP."""
    out = {}
    for m in re.finditer(r"^(\S+)\s+:\s+(.*)$", text.split("PLAY RECAP")[-1], re.M):
        out[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
    return out


def outcomes(fleet):
    return {h["host"]: h["outcome"] for h in fleet.summary()["hosts"]}


def on_vmxnet3(vm, addr):
    r = vm.run(f"ip -4 -o addr show dev ens4 | grep -q ' {addr}/' && "
               f"ping -c 2 -W 2 -I ens4 {GATEWAY}", timeout=30)
    return r.rc == 0


def on_e1000(vm, addr):
    r = vm.run(f"ip -4 -o addr show dev ens3 | grep -q ' {addr}/' && "
               f"ping -c 2 -W 2 -I ens3 {GATEWAY}", timeout=30)
    return r.rc == 0


def test_fleet(vm_factory, vnic_net, vnic_dir, collection):
    t0 = time.monotonic()
    fleet = Fleet(vnic_net, collection, vnic_dir)
    vms = boot_fleet(vm_factory)
    for vm, (_, _, _, addr) in zip(vms, HOSTS):
        configure(vm, addr, fleet.pubkey)
    booted = time.monotonic()

    # 0. vnic installed everywhere (no network setting changes).
    before = [config_state(vm) for vm in vms]
    r = fleet.play("migrate", "--tags", "install")
    assert r.returncode == 0, "install failed"
    assert all(vm.run("vnic-install version").rc == 0 for vm in vms)
    installed = time.monotonic()

    # 1. Check mode and the readiness report change nothing.
    state = [vm.sh(f"find {STATE} -type f 2>/dev/null | sort | xargs -r sha256sum") for vm in vms]
    r = fleet.play("migrate", "--check", "--diff")
    assert r.returncode == 0, "check mode failed"
    assert set(outcomes(fleet).values()) == {"would change"}, outcomes(fleet)
    assert "+++ b/etc/network/interfaces" in r.stdout, "--diff showed no file diff"
    r = fleet.play("readiness")
    assert r.returncode == 0, "readiness failed"
    md = (fleet.dir / "report" / "readiness.md").read_text()
    ready = json.loads((fleet.dir / "report" / "readiness.json").read_text())
    print(md)
    assert [h["ready"] for h in ready["hosts"]] == [True, True, True], ready
    assert "3 of 3 hosts are ready" in md and "| fleet2 | yes | Debian" in md
    assert [vm.sh(f"find {STATE} -type f 2>/dev/null | sort | xargs -r sha256sum")
            for vm in vms] == state, "check mode or readiness changed a guest"

    # 2. fleet2's VMXNET3 has no link: moved, failed and rolled back, not reached.
    vms[1].cut_link(1)
    r = fleet.play("migrate")
    assert r.returncode != 0, "the rollout did not fail"
    got = outcomes(fleet)
    assert got == {"fleet1": "migrated", "fleet2": "failed"}, got
    assert fleet.summary()["not_reached"] == ["fleet3"]
    failed = next(h for h in fleet.summary()["hosts"] if h["host"] == "fleet2")
    assert "rolled back" in failed["reason"] and str(failed["rc"]) == "3", failed
    assert on_vmxnet3(vms[0], HOSTS[0][3])
    assert config_state(vms[1]) == before[1] and on_e1000(vms[1], HOSTS[1][3])
    assert config_state(vms[2]) == before[2] and on_e1000(vms[2], HOSTS[2][3])

    # 3. Resumed once the link is back.
    vms[1].restore_link(1)
    r = fleet.play("migrate")
    assert r.returncode == 0, "the resumed rollout failed"
    assert outcomes(fleet) == {"fleet1": "unchanged", "fleet2": "migrated",
                               "fleet3": "migrated"}, outcomes(fleet)
    for vm, (_, _, _, addr) in zip(vms, HOSTS):
        assert on_vmxnet3(vm, addr), f"{vm.name} is not on its VMXNET3 NIC"

    # 4. Idempotent.
    r = fleet.play("migrate")
    assert r.returncode == 0
    rc = recap(r.stdout)
    assert all(rc[n]["changed"] == 0 for n, _, _, _ in HOSTS), rc
    assert set(outcomes(fleet).values()) == {"unchanged"}
    print(f"test_fleet: boot {booted - t0:.0f} s, install {installed - booted:.0f} s, "
          f"all {time.monotonic() - t0:.0f} s")
