# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 15: a configuration as real servers have it, moved by `vnic-install swap` without loss,
in a Debian bookworm guest per network backend, and rolled back byte for byte.

The E1000 (ens3) runs, from its backend's own configuration: two IPv4 addresses in two networks,
a static IPv6 address, the default route, a static route through the second network, a route in
table 100 through an on-link gateway outside both networks (policy routing), DNS and a search
domain, MTU 9000, and VLAN 5 with its own address. After the swap the VMXNET3 interface
(ens4) must run every one of them (swap's own comparison checks the addresses and routes too;
this test also looks at the MTU, the VLAN, the DNS and that no IPv6 address failed its duplicate
address detection), the gateway must answer over the VLAN, and the E1000 must hold none of the
addresses. `vnic-install rollback` then gives back every configuration file byte for byte and
the E1000 runs it all again. Before that, with an address added by hand on the E1000 (in no
configuration), the swap must roll back on its own after the link check passed, the files
byte-identical (ifupdown: and `--allow-difference` keeps such a swap, naming the address).
The second `iface ens3 inet static` stanza of the ifupdown case is the issue's own report.
"""
import pytest

from vnictest import Nic

from test_swap import (CONFIG_DIRS, E1000_MAC, GATEWAY, GUEST_VNIC, NEW, OLD, STATIC, VMX_MAC,
                       VNIC, config_state, events, result_of, vnic)

SECOND = "10.78.0.50"
ROUTER = "10.78.0.1"
ROUTED = "10.79.0.0/16"
V6 = "fd00:77::50"
VLAN_ID = 5
VLAN_ADDR = "10.77.5.50"
VLAN_GW = "10.77.5.1"
TABLED = "10.80.0.0/16"  # in table TABLE, through a gateway on the link but in no network
ONLINK_GW = "10.81.0.1"
TABLE = 100
MANUAL = "10.77.0.77"  # an address added by hand, in no configuration
MTU = 9000

IFUPDOWN = f"""source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

auto {OLD}
iface {OLD} inet static
    address {STATIC}/24
    gateway {GATEWAY}
    mtu {MTU}

iface {OLD} inet static
    address {SECOND}/24
    up ip route add {ROUTED} via {ROUTER} dev {OLD}
    down ip route del {ROUTED} via {ROUTER} dev {OLD}
    up ip route add {TABLED} via {ONLINK_GW} dev {OLD} onlink table {TABLE}
    dns-nameservers {GATEWAY}
    dns-search vnic.test

iface {OLD} inet6 static
    address {V6}/64

auto {OLD}.{VLAN_ID}
iface {OLD}.{VLAN_ID} inet static
    address {VLAN_ADDR}/24
"""

NETPLAN = f"""network:
  version: 2
  renderer: networkd
  ethernets:
    {OLD}:
      addresses: [{STATIC}/24, {SECOND}/24, "{V6}/64"]
      routes:
        - to: default
          via: {GATEWAY}
        - to: {ROUTED}
          via: {ROUTER}
        - to: {TABLED}
          via: {ONLINK_GW}
          on-link: true
          table: {TABLE}
      nameservers:
        addresses: [{GATEWAY}]
        search: [vnic.test]
      mtu: {MTU}
  vlans:
    {OLD}.{VLAN_ID}:
      id: {VLAN_ID}
      link: {OLD}
      addresses: [{VLAN_ADDR}/24]
"""

NETWORKD = {
    "/etc/systemd/network/10-ens3.network": f"""[Match]
Name={OLD}

[Link]
MTUBytes={MTU}

[Network]
Address={STATIC}/24
Address={SECOND}/24
Address={V6}/64
Gateway={GATEWAY}
DNS={GATEWAY}
Domains=vnic.test
VLAN=vlan{VLAN_ID}

[Route]
Destination={ROUTED}
Gateway={ROUTER}

[Route]
Destination={TABLED}
Gateway={ONLINK_GW}
GatewayOnLink=yes
Table={TABLE}
""",
    f"/etc/systemd/network/20-vlan{VLAN_ID}.netdev": f"""[NetDev]
Name=vlan{VLAN_ID}
Kind=vlan

[VLAN]
Id={VLAN_ID}
""",
    f"/etc/systemd/network/20-vlan{VLAN_ID}.network": f"""[Match]
Name=vlan{VLAN_ID}

[Network]
Address={VLAN_ADDR}/24
""",
}

NM = {
    f"/etc/NetworkManager/system-connections/{OLD}.nmconnection": f"""[connection]
id={OLD}
type=ethernet
interface-name={OLD}
autoconnect=true

[ethernet]
mtu={MTU}

[ipv4]
method=manual
address1={STATIC}/24,{GATEWAY}
address2={SECOND}/24
route1={ROUTED},{ROUTER}
route2={TABLED},{ONLINK_GW}
route2_options=onlink=true,table={TABLE}
dns={GATEWAY};
dns-search=vnic.test;

[ipv6]
method=manual
address1={V6}/64
""",
    f"/etc/NetworkManager/system-connections/{OLD}.{VLAN_ID}.nmconnection": f"""[connection]
id={OLD}.{VLAN_ID}
type=vlan
interface-name={OLD}.{VLAN_ID}
autoconnect=true

[vlan]
id={VLAN_ID}
parent={OLD}

[ipv4]
method=manual
address1={VLAN_ADDR}/24

[ipv6]
method=ignore
""",
}


def configure(vm, backend):
    """Writes the backend's rich configuration for ens3 and applies it."""
    vm.sh("modprobe 8021q")
    if backend == "ifupdown":
        vm.sh(f"ifdown --force {OLD} || true", timeout=120)
        vm.sh("ln -sf ../run/resolvconf/resolv.conf /etc/resolv.conf")
        vm.write_file("/etc/network/interfaces", IFUPDOWN.encode(), mode=0o644)
        vm.sh(f"ip addr flush dev {OLD}; ifup {OLD} && ifup {OLD}.{VLAN_ID}", timeout=300)
    elif backend == "netplan":
        vm.sh("rm -f /etc/netplan/*.yaml")
        vm.write_file("/etc/netplan/01-vnic.yaml", NETPLAN.encode(), mode=0o600)
        vm.sh(f"ip addr flush dev {OLD}; netplan apply", timeout=300)
    elif backend == "networkd":
        for path, text in NETWORKD.items():
            vm.write_file(path, text.encode(), mode=0o644)
        vm.sh(f"ip addr flush dev {OLD}; networkctl reload && networkctl reconfigure {OLD}",
              timeout=300)
    else:
        for path, text in NM.items():
            vm.write_file(path, text.encode(), mode=0o600)
        vm.sh("for i in $(seq 90); do nmcli connection reload 2>/dev/null && break; sleep 2; "
              f"done; nmcli connection up {OLD} && nmcli connection up {OLD}.{VLAN_ID}",
              timeout=300)


def vlan_of(vm, parent):
    """The VLAN interface with id VLAN_ID on parent, or None."""
    out = vm.run("ip -d -o link show type vlan").stdout
    for line in out.splitlines():
        name = line.split(":")[1].strip()
        if f"@{parent}:" in line and f"vlan protocol 802.1Q id {VLAN_ID} " in line:
            return name.split("@")[0]
    return None


def dns_of(vm, backend, ifc):
    """The DNS servers and search domains the backend runs for ifc, as one text."""
    if backend == "ifupdown":
        return vm.run(f"cat /run/resolvconf/interface/{ifc}.inet").stdout
    if backend == "networkmanager":
        # the servers per device; the search domains only in what NM writes for the resolver
        # (the E1000 is disconnected after the swap, so it holds the VMXNET3 NIC's alone)
        return vm.run(f"nmcli -g IP4.DNS device show {ifc}; "
                      "grep ^search /run/NetworkManager/resolv.conf").stdout
    idx = vm.sh(f"cat /sys/class/net/{ifc}/ifindex").strip()
    return vm.run(f"cat /run/systemd/netif/links/{idx}").stdout


def missing(vm, backend, ifc):
    """What of the rich configuration ifc does not run (empty when it runs it all)."""
    lacks = []
    addrs = vm.run(f"ip -o addr show dev {ifc}").stdout
    for a in (f"{STATIC}/24", f"{SECOND}/24", f"{V6}/64"):
        if f" {a} " not in addrs:
            lacks.append(f"address {a}")
    if "dadfailed" in addrs or "tentative" in addrs:
        lacks.append("an address still tentative or failed DAD:\n" + addrs)
    if f"dev {ifc}" not in vm.run(f"ip route show {ROUTED}").stdout:
        lacks.append(f"route {ROUTED}")
    tabled = vm.run(f"ip route show table {TABLE} {TABLED}").stdout
    if f"dev {ifc}" not in tabled or "onlink" not in tabled:
        lacks.append(f"route {TABLED} onlink in table {TABLE}")
    if f"dev {ifc}" not in vm.run("ip route show default").stdout:
        lacks.append("the default route")
    if vm.sh(f"cat /sys/class/net/{ifc}/mtu").strip() != str(MTU):
        lacks.append(f"mtu {MTU}")
    vlan = vlan_of(vm, ifc)
    if not vlan:
        lacks.append(f"VLAN {VLAN_ID}")
    elif f" {VLAN_ADDR}/24 " not in vm.run(f"ip -o addr show dev {vlan}").stdout:
        lacks.append(f"{VLAN_ADDR} on the VLAN {vlan}")
    dns = dns_of(vm, backend, ifc)
    if GATEWAY not in dns or "vnic.test" not in dns:
        lacks.append(f"DNS: {dns!r}")
    return lacks


def wait_runs_all(vm, backend, ifc, when, timeout=60):
    last = []

    def ok():
        last[:] = missing(vm, backend, ifc)
        return not last
    try:
        vm.wait_for(ok, timeout, f"{ifc} running the whole configuration", interval=1)
    except Exception:
        pytest.fail(f"{when}: {ifc} lacks {last}")


@pytest.mark.parametrize("backend", ["ifupdown", "netplan", "networkmanager", "networkd"])
def test_swap_rich(backend, vm_factory, vnic_net):
    if not VNIC.exists():
        pytest.skip(f"{VNIC} is not built (make installer)")
    vnic_net.add_vlan(VLAN_ID, f"{VLAN_GW}/24")
    vm = vm_factory(backend, nics=[Nic("e1000", E1000_MAC, slot=3),
                                   Nic("vmxnet3", VMX_MAC, slot=4)], memory=1024, timeout=900)
    vm.copy_in(VNIC, GUEST_VNIC, mode=0o755)
    configure(vm, backend)
    wait_runs_all(vm, backend, OLD, "before the swap")
    before = config_state(vm)

    # An address added by hand is on the E1000 and in no configuration: the link check passes,
    # the comparison after it finds the VMXNET3 NIC without it, and everything is rolled back
    # (a setting lost in the move is an outage the link check does not see).
    vm.sh(f"ip addr add {MANUAL}/24 dev {OLD}")
    r = vnic(vm, "swap --yes --no-driver --json")
    print(r.stdout)
    assert r.rc == 3, f"a lost address must roll the swap back (exit 3):\n{r}"
    res = result_of(r)
    assert res["outcome"] == "rolled-back" and f"address {MANUAL}/24" in res["message"], res
    assert config_state(vm) == before, "configuration files differ after the rollback"
    wait_runs_all(vm, backend, OLD, "after the swap was rolled back")
    # and the rollback gave the E1000 its hand-made address back: as it was
    old = vm.run(f"ip -o addr show dev {OLD}").stdout
    assert f" {MANUAL}/24 " in old, f"the rollback lost {MANUAL} on {OLD}:\n{old}"

    # ifupdown: --allow-difference keeps such a swap and says what was left behind; the
    # others: without the manual address, the plain swap
    if backend == "ifupdown":
        r = vnic(vm, "swap --yes --no-driver --json --allow-difference")
    else:
        vm.sh(f"ip addr del {MANUAL}/24 dev {OLD}")
        r = vnic(vm, "swap --yes --no-driver --json")
    print(r.stdout)
    assert r.rc == 0, f"swap failed:\n{r}"
    assert result_of(r)["outcome"] == "ok"
    said = [e.get("message", "") for e in events(r.stdout) if e.get("event") == "detail"]
    if backend == "ifupdown":
        assert any(f"address {MANUAL}/24" in m and "--allow-difference" in m for m in said), said
    else:
        assert any("runs all" in m for m in said), said  # swap's own comparison passed
    wait_runs_all(vm, backend, NEW, "after the swap")
    old = vm.run(f"ip -o addr show dev {OLD}").stdout
    for a in (STATIC, SECOND, V6):
        assert f" {a}/" not in old, f"{OLD} still has {a}:\n{old}"
    vm.wait_for(f"ping -c 1 -W 1 {VLAN_GW}", timeout=30, what="the gateway over the VLAN")

    r = vm.run(f"{GUEST_VNIC} rollback", timeout=300)
    print(r.stdout, r.stderr)
    assert r.rc == 0, f"rollback failed:\n{r}"
    assert config_state(vm) == before, "configuration files differ after the rollback"
    if backend == "networkd" and missing(vm, backend, OLD):
        # An emulator effect, understood: while the swap had the E1000 down, QEMU queued the
        # frames for it (a NIC that cannot receive gets them later, not never), among them the
        # VMXNET3 NIC's DAD probe for the IPv6 address. After the rollback the E1000 receives
        # that stale probe while its own copy of the address is tentative and fails DAD
        # ("dadfailed"), though the VMXNET3 NIC no longer holds the address (seen on the
        # bridge: no frame from it then). A down vNIC on ESXi drops frames. Only that is
        # tolerated; anything else missing fails below.
        try:
            wait_runs_all(vm, backend, OLD, "after the rollback", timeout=20)
        except BaseException as e:  # pytest.fail's exception
            stale = vm.run(f"dmesg | grep -c 'duplicate address {V6} used by {VMX_MAC}'").stdout
            held = vm.run(f"ip -o addr show dev {NEW}").stdout
            if stale.strip() not in ("", "0") and f" {V6}/" not in held:
                pytest.xfail(f"networkd after rollback: stale DAD probe from the emulator's queue: {e}")
            raise
    wait_runs_all(vm, backend, OLD, "after the rollback")
    assert vm.run(f"ping -c 2 -W 2 -I {OLD} {GATEWAY}", timeout=30).rc == 0
    new = vm.run(f"ip -o addr show dev {NEW}").stdout
    assert f" {STATIC}/" not in new, f"{NEW} still has {STATIC} after the rollback:\n{new}"
