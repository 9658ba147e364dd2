# SPDX-License-Identifier: GPL-2.0-or-later
"""`vnic-install swap` end to end in Debian bookworm guests, one per network backend.

Each guest has an E1000 (ens3, the configured one) and a VMXNET3 NIC (ens4) on the test network.
One boot per backend, checks combined:
  1. the VMXNET3 link cut by QMP during the check: swap exits 3, every configuration file is
     byte-identical (content, mode, owner) to before, and the E1000 answers again;
  2. the link restored: swap exits 0, the VMXNET3 interface carries the E1000's address, the
     gateway answers through it, the E1000 is down;
  3. a reboot: all of it still holds.
ifupdown and NetworkManager run with a static address, netplan and networkd with DHCP (dnsmasq
gives both MACs the same fixed address, as a DHCP reservation moved to the new NIC would). The
swaps use the guest's in-kernel vmxnet3 driver (--no-driver); test_swap_with_driver_build runs
one swap with the full DKMS build of vnic's driver.
"""
import hashlib
import json
import pathlib
import time

import pytest

from vnictest import Nic

TOP = pathlib.Path(__file__).resolve().parents[2]
VERSION = (TOP / "VERSION").read_text().strip()
VNIC = TOP / "build" / "vnic-install"
GUEST_VNIC = "/usr/local/sbin/vnic-install"
GATEWAY = "10.77.0.1"
E1000_MAC = "52:54:00:77:07:10"
VMX_MAC = "52:54:00:77:07:11"
OLD = "ens3"
NEW = "ens4"
STATIC = "10.77.0.50"
DHCP_FIXED = "10.77.0.60"
STRAY = "10.77.0.100"  # sorts before STATIC, as detect lists addresses
CONFIG_DIRS = "/etc/network /etc/netplan /etc/NetworkManager/system-connections /etc/systemd/network"

STATIC_CONFIG = {
    "ifupdown": (
        "/etc/network/interfaces",
        "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
        f"auto {OLD}\niface {OLD} inet static\n    address {STATIC}/24\n    gateway {GATEWAY}\n",
        0o644,
        # A stray address first (a leftover lease: it has a lifetime, so the comparison after
        # the check leaves it out): the rollback must wait for the address the configuration
        # gives, not for the first one ens3 has.
        f"ip addr flush dev {OLD}; ip addr add {STRAY}/24 dev {OLD} valid_lft 3600 "
        f"preferred_lft 3600; ifup --force {OLD}"),
    "networkmanager": (
        f"/etc/NetworkManager/system-connections/{OLD}.nmconnection",
        f"[connection]\nid={OLD}\ntype=ethernet\ninterface-name={OLD}\nautoconnect=true\n\n"
        f"[ipv4]\nmethod=manual\naddress1={STATIC}/24,{GATEWAY}\n\n[ipv6]\nmethod=ignore\n",
        0o600,
        # NetworkManager may still be starting on a slow boot: wait until it answers
        f"for i in $(seq 90); do nmcli connection reload 2>/dev/null && break; sleep 2; done; "
        f"nmcli connection up {OLD}"),
}
BACKENDS = ["ifupdown", "netplan", "networkmanager", "networkd"]


def address_of(backend):
    """The address the E1000 has and the VMXNET3 must get ("ifupdown-dhcp": the image's own
    DHCP configuration)."""
    return STATIC if backend in STATIC_CONFIG else DHCP_FIXED


def vnic(vm, args, timeout=300):
    return vm.run(f"{GUEST_VNIC} {args}", timeout=timeout)


def events(stdout):
    out = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def result_of(r):
    ev = [e for e in events(r.stdout) if e.get("event") == "result"]
    assert ev, f"no result event in swap's output:\n{r}"
    return ev[-1]


def config_state(vm):
    """{path: (sha256, mode, uid, gid)} of every network configuration file."""
    out = vm.sh(f"find {CONFIG_DIRS} -type f 2>/dev/null | sort | "
                "while read f; do echo \"$f $(stat -c '%a %u %g' \"$f\") "
                "$(sha256sum < \"$f\" | cut -c1-64)\"; done")
    return {line.split()[0]: tuple(line.split()[1:]) for line in out.splitlines() if line}


def has_address(vm, ifc, addr):
    return f" {addr}/" in vm.run(f"ip -4 -o addr show dev {ifc}").stdout


def wait_address(vm, ifc, addr, timeout=90):
    vm.wait_for(lambda: has_address(vm, ifc, addr), timeout, f"{addr} on {ifc}", interval=1)


def operstate(vm, ifc):
    return vm.sh(f"cat /sys/class/net/{ifc}/operstate").strip()


def check_on_new(vm, net, backend, when):
    """The VMXNET3 interface carries the address, the gateway answers through it, the E1000
    is down."""
    addr = address_of(backend)
    wait_address(vm, NEW, addr)
    assert vm.sh(f"basename $(readlink /sys/class/net/{NEW}/device/driver)").strip() == "vmxnet3"
    r = vm.run(f"ping -c 2 -W 2 -I {NEW} {GATEWAY}", timeout=30)
    assert r.rc == 0, f"{when}: the gateway does not answer through {NEW}:\n{r}"
    assert net.ping(addr, count=2), f"{when}: {addr} does not answer from the gateway"
    state = operstate(vm, OLD)
    assert state == "down" or not has_address(vm, OLD, addr), \
        f"{when}: {OLD} is still up with {addr} (operstate {state})"


def check_on_old(vm, net, backend, when):
    addr = address_of(backend)
    wait_address(vm, OLD, addr, timeout=30)
    r = vm.run(f"ping -c 2 -W 2 -I {OLD} {GATEWAY}", timeout=30)
    assert r.rc == 0, f"{when}: the gateway does not answer through {OLD}:\n{r}"
    assert net.ping(addr, count=2), f"{when}: {addr} does not answer from the gateway"


def boot(vm_factory, vnic_net, backend, static=True):
    """A guest of the backend's image; static: with the static configuration of STATIC_CONFIG
    when the backend has one, else the image's DHCP configuration (a fixed lease for both
    MACs)."""
    if not VNIC.exists():
        pytest.skip(f"{VNIC} is not built (make installer)")
    static = static and backend in STATIC_CONFIG
    if not static:
        vnic_net.start_dnsmasq(dhcp_hosts=[f"{E1000_MAC},{VMX_MAC},{DHCP_FIXED}"])
    vm = vm_factory(backend, nics=[Nic("e1000", E1000_MAC, slot=3),
                                   Nic("vmxnet3", VMX_MAC, slot=4)], memory=1024,
                    timeout=900)  # boots under TCG on a loaded host can take minutes
    vm.copy_in(VNIC, GUEST_VNIC, mode=0o755)
    if static:
        path, text, mode, apply = STATIC_CONFIG[backend]
        if backend == "ifupdown":
            # the image's DHCP configuration down first: no dhclient left running on ens3
            vm.sh(f"ifdown --force {OLD} || true", timeout=120)
        vm.write_file(path, text.encode(), mode=mode)
        vm.sh(apply, timeout=300)
    return vm


@pytest.mark.parametrize("backend", BACKENDS)
def test_swap(backend, vm_factory, vnic_net):
    vm = boot(vm_factory, vnic_net, backend)
    check_on_old(vm, vnic_net, backend, "before")
    before = config_state(vm)
    assert before, "no configuration files found"

    # 1. The VMXNET3 link cut: the check fails, everything comes back.
    vmx = vm.nic(VMX_MAC)
    vm.cut_link(vmx)
    r = vnic(vm, "swap --yes --no-driver --json --timeout 10")
    print(r.stdout)
    assert r.rc == 3, f"swap with the VMXNET3 link cut: expected exit 3 (rolled back):\n{r}"
    res = result_of(r)
    assert res["outcome"] == "rolled-back", res
    vm.restore_link(vmx)
    assert config_state(vm) == before, "configuration files differ after the rollback"
    check_on_old(vm, vnic_net, backend, "after the rollback")
    st = json.loads(vnic(vm, "status --json").stdout)
    assert st["pending"] is None and st["last"]["state"] == "rolled-back", st

    # 2. The real swap.
    r = vnic(vm, "swap --yes --no-driver --json")
    print(r.stdout)
    assert r.rc == 0, f"swap failed:\n{r}"
    assert result_of(r)["outcome"] == "ok"
    check_on_new(vm, vnic_net, backend, "after the swap")
    after = config_state(vm)
    assert after != before

    # 3. A reboot keeps it.
    vm.reboot(timeout=900)  # a loaded 2-core host boots a TCG guest slowly
    check_on_new(vm, vnic_net, backend, "after a reboot")
    assert config_state(vm) == after
    log = vm.sh("cat /var/log/vnic-install.log")
    assert "result: ok" in log, log


def test_swap_with_driver_build(vm_factory, vnic_net):
    """The full path once: swap builds vnic's driver through DKMS first, then moves ifupdown's
    DHCP configuration; the VMXNET3 interface then runs vnic's driver."""
    if not (TOP / "driver" / "Kbuild").exists():
        pytest.skip("no driver sources")
    vm = boot(vm_factory, vnic_net, "ifupdown", static=False)
    # driver sources where the installer looks for them (VNIC_DATADIR/driver)
    vm.sh("mkdir -p /usr/local/share/vnic/driver")
    for p in sorted((TOP / "driver").iterdir()):
        if p.is_file() and (p.suffix in (".c", ".h") or p.name in ("Kbuild", "Makefile")):
            vm.write_file(f"/usr/local/share/vnic/driver/{p.name}", p.read_bytes())
    vm.write_file("/usr/local/share/vnic/driver/dkms.conf", (TOP / "dkms.conf").read_bytes())
    vm.write_file("/usr/local/share/vnic/driver/VERSION", (TOP / "VERSION").read_bytes())
    # with DHCP the E1000 keeps the fixed address until the swap
    wait_address(vm, OLD, DHCP_FIXED)
    t0 = time.monotonic()
    r = vnic(vm, "swap --yes --json", timeout=2400)  # DKMS and initramfs under TCG
    print(r.stdout, f"\nswap with the driver build: {time.monotonic() - t0:.1f} s")
    assert r.rc == 0, f"swap with the driver build failed:\n{r}"
    check_on_new(vm, vnic_net, "ifupdown-dhcp", "after the swap with the driver build")
    assert vm.sh("cat /sys/module/vmxnet3/version").strip() == VERSION
