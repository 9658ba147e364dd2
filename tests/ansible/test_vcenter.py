# SPDX-License-Identifier: GPL-2.0-or-later
"""The vCenter side of vnic.fleet (roles/vcenter, playbook vnic.fleet.vcenter) against a vCenter
simulator: govmomi's simulator package from Debian's golang-github-vmware-govmomi-dev, built with
Debian's Go into a small server (vcsim/main.go), on loopback. Its VMs carry one E1000 on a
distributed port group (DC0_DVPG0), as VMware's E1000 guests do.
  1. add: each VM gets a VMXNET3 adapter on the E1000's port group, with its own MAC;
  2. add again: nothing changes;
  3. remove: the E1000 goes, the VMXNET3 stays; again: nothing changes;
  4. remove on a VM without a VMXNET3 adapter is refused and leaves its E1000.
"""
import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from test_fleet import recap

TOP = Path(__file__).resolve().parents[2]
VMS = ["DC0_H0_VM0", "DC0_H0_VM1"]
BARE = "DC0_C0_RP0_VM0"  # left without a VMXNET3 adapter


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def vcsim(tmp_path_factory):
    out = TOP / "build" / "vcsim"
    binary = out / "vcsim-vnic"
    src = Path(__file__).resolve().parent / "vcsim" / "main.go"
    if not binary.exists() or binary.stat().st_mtime < src.stat().st_mtime:
        out.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off",
                   GOCACHE=str(out / "gocache"), GOFLAGS="")
        t0 = time.monotonic()
        subprocess.run(["go", "build", "-o", str(binary), str(src)], check=True, env=env)
        print(f"vcsim built in {time.monotonic() - t0:.0f} s")
    port = free_port()
    p = subprocess.Popen([str(binary), "-l", f"127.0.0.1:{port}"], stdout=subprocess.PIPE,
                         text=True)
    url = p.stdout.readline().strip()
    assert url.startswith("https://"), url
    yield port
    p.terminate()
    p.wait(timeout=10)


@pytest.fixture(scope="module")
def col(tmp_path_factory):
    out = tmp_path_factory.mktemp("ansible")
    subprocess.run(["ansible-galaxy", "collection", "build", str(TOP / "ansible"),
                    "--output-path", str(out), "--force"], check=True, capture_output=True)
    subprocess.run(["ansible-galaxy", "collection", "install", str(next(out.glob("*.tar.gz"))),
                    "-p", str(out / "c"), "--force"], check=True, capture_output=True)
    return out


def run(col, port, args, hosts=VMS):
    inv = col / "inventory"
    inv.write_text("[vnic_guests]\n" + "".join(
        f"{h} ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n"
        for h in hosts))
    conn = {"vnic_vcenter_hostname": "127.0.0.1", "vnic_vcenter_port": port,
            "vnic_vcenter_username": "user", "vnic_vcenter_password": "pass",
            "vnic_vcenter_validate_certs": False}
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(col / "c"), ANSIBLE_NOCOLOR="1",
               HOME=str(col))
    r = subprocess.run(["ansible-playbook", "-i", str(inv), "vnic.fleet.vcenter",
                        "-e", json.dumps(conn)] + args, env=env, capture_output=True, text=True,
                       timeout=600)
    print(r.stdout[-4000:], r.stderr[-2000:])
    return r


def adapters(col, port, vm):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(col / "c"), HOME=str(col))
    r = subprocess.run(
        ["ansible", "localhost", "-o", "-e", "ansible_python_interpreter=/usr/bin/python3",
         "-m", "community.vmware.vmware_guest_network", "-a",
         f"hostname=127.0.0.1 port={port} username=user password=pass validate_certs=false "
         f"name={vm} gather_network_info=true"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    info = json.loads(r.stdout.split("=>", 1)[1])
    return [(n["device_type"], n["network_name"], n["mac_address"]) for n in info["network_info"]]


def test_vcenter(vcsim, col):
    port = vcsim
    before = {vm: adapters(col, port, vm) for vm in VMS + [BARE]}
    for vm in VMS:
        assert [a[0] for a in before[vm]] == ["e1000"], before[vm]

    r = run(col, port, ["-e", "vnic_vcenter_step=add"])
    assert r.returncode == 0
    macs = set()
    for vm in VMS:
        now = adapters(col, port, vm)
        e1000 = before[vm][0]
        vmx = [a for a in now if a[0] == "vmxnet3"]
        assert e1000 in now and len(vmx) == 1, now
        assert vmx[0][1] == e1000[1], f"{vm}: the VMXNET3 is not on the E1000's network"
        assert vmx[0][2] != e1000[2]
        macs.add(vmx[0][2])
    assert len(macs) == len(VMS)

    r = run(col, port, ["-e", "vnic_vcenter_step=add"])
    assert r.returncode == 0
    assert all(v["changed"] == 0 for v in recap(r.stdout).values()), "add is not idempotent"

    r = run(col, port, ["-e", "vnic_vcenter_step=remove"])
    assert r.returncode == 0
    for vm in VMS:
        assert [a[0] for a in adapters(col, port, vm)] == ["vmxnet3"]
    r = run(col, port, ["-e", "vnic_vcenter_step=remove"])
    assert r.returncode == 0
    assert all(v["changed"] == 0 for v in recap(r.stdout).values()), "remove is not idempotent"

    r = run(col, port, ["-e", "vnic_vcenter_step=remove"], hosts=[BARE])
    assert r.returncode != 0 and "has no VMXNET3 adapter" in r.stdout
    assert adapters(col, port, BARE) == before[BARE]
