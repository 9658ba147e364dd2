# SPDX-License-Identifier: GPL-2.0-only
"""Tests of the VM harness itself: every guest variant boots, DHCP and ping work through the
in-kernel e1000 driver, the VMXNET3 NIC is there with its PCI ID and MAC, QMP link cuts reach
the guest's carrier within 2 s, and a reboot keeps the disk's state.

Checks are combined per boot: each guest kind boots once (module-scoped) and several tests use it.
"""
import hashlib

import pytest

from vnictest import Nic
from vnictest.images import VARIANTS as ALL_VARIANTS

# One per network backend; the fleet image (ifupdown + SSH) is the fleet tier's, tested there.
VARIANTS = tuple(v for v in ALL_VARIANTS if v in ("ifupdown", "networkmanager", "networkd",
                                                    "netplan"))

GATEWAY = "10.77.0.1"
E1000_MAC = "52:54:00:77:00:10"
E1000EM_MAC = "52:54:00:77:00:12"
VMX_MAC = "52:54:00:77:00:11"
VMXNET3_PCI = "15ad:07b0"


def pci_id_of(vm, ifc):
    """vendor:device of a guest interface, read from sysfs."""
    out = vm.sh(f"cat /sys/class/net/{ifc}/device/vendor /sys/class/net/{ifc}/device/device")
    vendor, device = out.split()
    return f"{vendor[2:]}:{device[2:]}"


# How fast the guest must see a QMP link cut. vmxnet3 reports link changes by interrupt. The
# in-kernel e1000 driver's interrupt only reschedules its watchdog, and that is a no-op while the
# periodic 2 s watchdog is pending (schedule_delayed_work on a queued work): it sees a cut up to
# 2 s late by design, plus TCG's slowness. Measured here: 1.0-2.4 s.
LINK_DOWN_LIMIT = {"vmxnet3": 2.0, "e1000": 3.0, "e1000-82545em": 3.0}


def check_link_cut(vm, nic, attempts=3):
    """QMP set_link down drops the carrier in time; up brings it back.

    A timing check on a shared 2-core machine: a starved TCG guest can miss the limit once
    although its driver is fine, so up to `attempts` cuts are measured and the best one must
    be within the limit (a driver that is slow every time still fails)."""
    nic = vm.nic(nic)
    ifc = vm.iface(nic)
    carrier = f"/sys/class/net/{ifc}/carrier"
    limit = LINK_DOWN_LIMIT[nic.model]
    vm.sh(f"ip link set {ifc} up")
    times = []
    for _ in range(attempts):
        vm.wait_in_guest(f"[ $(cat {carrier}) = 1 ]", timeout=30)
        vm.cut_link(nic)
        # measured inside the guest from the moment the poll starts (after set_link returned)
        took = vm.wait_in_guest(f"[ $(cat {carrier}) = 0 ]", timeout=15)
        vm.restore_link(nic)
        took_up = vm.wait_in_guest(f"[ $(cat {carrier}) = 1 ]", timeout=30)
        times.append(took)
        print(f"{vm.name} {nic.model}: carrier down after {took:.2f} s, up after {took_up:.2f} s")
        if took <= limit:
            break
    assert min(times) <= limit, \
        f"{nic.model}: carrier dropped after {', '.join(f'{t:.2f}' for t in times)} s (limit {limit} s)"
    return min(times)


# -- the initramfs fast path ---------------------------------------------------------------------

# The harness's own checks run in the slow tier (about a minute): every driver test boots this
# guest, leases, cuts links over QMP and moves files through the agent in make check.
@pytest.mark.slow
class TestFastPath:
    """Host kernel + initramfs: one boot for all checks."""

    @pytest.fixture(scope="class")
    def fast_vm(self, class_vm_factory):
        return class_vm_factory(
            "initramfs",
            nics=[Nic("e1000", E1000_MAC), Nic("vmxnet3", VMX_MAC),
                  Nic("e1000-82545em", E1000EM_MAC)],
            modules=["e1000", "vmxnet3", "8021q"], load=["e1000"])

    def test_boot(self, fast_vm):
        # ~8-10 s on an idle machine; the limit only catches a hang (CI shares its 2 cores).
        assert fast_vm.boot_seconds < 120, f"initramfs guest took {fast_vm.boot_seconds:.1f} s"
        assert fast_vm.sh("uname -r").strip() == fast_vm.kver
        # vmxnet3 was included but not loaded at boot: modprobe finds it through modules.dep.
        assert "vmxnet3" not in fast_vm.sh("cat /proc/modules")
        fast_vm.sh("modprobe vmxnet3")
        fast_vm.wait_for(lambda: fast_vm.iface(VMX_MAC), 10, "the vmxnet3 interface")

    def test_dhcp_ping(self, fast_vm, class_vm_factory):
        net = class_vm_factory.net
        ifc = fast_vm.iface(E1000_MAC)
        fast_vm.sh(f"ip link set {ifc} up && udhcpc -i {ifc} -n -q -t 10 -T 1", timeout=60)
        lease = net.leases().get(E1000_MAC)
        assert lease, "no DHCP lease in dnsmasq for the e1000 NIC"
        assert f"{lease}/24" in fast_vm.sh(f"ip -4 addr show dev {ifc}")
        fast_vm.sh(f"ping -c 2 -W 2 {GATEWAY}")
        assert net.ping(lease), "the gateway cannot ping the guest"

    def test_nics(self, fast_vm):
        fast_vm.sh("modprobe vmxnet3")
        fast_vm.wait_for(lambda: fast_vm.iface(VMX_MAC), 10, "the vmxnet3 interface")
        assert pci_id_of(fast_vm, fast_vm.iface(VMX_MAC)) == VMXNET3_PCI
        assert pci_id_of(fast_vm, fast_vm.iface(E1000_MAC)) == "8086:100e"
        assert pci_id_of(fast_vm, fast_vm.iface(E1000EM_MAC)) == "8086:100f"
        assert fast_vm.sh(f"cat /sys/class/net/{fast_vm.iface(VMX_MAC)}/address").strip() == VMX_MAC

    def test_link_cut(self, fast_vm):
        fast_vm.sh("modprobe vmxnet3")
        for mac in (E1000_MAC, VMX_MAC, E1000EM_MAC):
            fast_vm.wait_for(lambda: fast_vm.iface(mac), 10, f"the interface of {mac}")
            check_link_cut(fast_vm, mac)

    def test_gateway_helpers(self, fast_vm, class_vm_factory):
        """Gateway-side faults: tap off the bridge, MTU, VLAN on the bridge side."""
        net = class_vm_factory.net
        nic = fast_vm.nic(E1000_MAC)
        ifc = fast_vm.iface(nic)
        # Only this NIC up: with several NICs on one L2 segment Linux answers ARP for its
        # address on all of them (ARP flux) and replies would find another way in.
        for other in (VMX_MAC, E1000EM_MAC):
            if fast_vm.iface(other):
                fast_vm.sh(f"ip link set {fast_vm.iface(other)} down")
        fast_vm.sh(f"ip link set {ifc} up && udhcpc -i {ifc} -n -q -t 10 -T 1", timeout=60)
        net.sh("ip", "neigh", "flush", "dev", net.bridge)
        guest_ip = net.leases()[E1000_MAC]
        fast_vm.sh(f"ping -c 1 -W 2 {GATEWAY}")
        # detached tap: carrier stays up, the gateway is unreachable
        net.detach(nic.tap)
        assert fast_vm.run(f"ping -c 1 -W 1 {GATEWAY}").rc != 0
        assert fast_vm.sh(f"cat /sys/class/net/{ifc}/carrier").strip() == "1"
        net.attach(nic.tap)
        fast_vm.wait_for(f"ping -c 1 -W 1 {GATEWAY}", timeout=20)
        # jumbo MTU on bridge and taps: a 8000-byte DF ping from the gateway gets through
        net.set_mtu(9000)
        fast_vm.sh(f"ip link set {ifc} mtu 9000")
        # e1000 resets its link on an MTU change: wait for it rather than ping once
        fast_vm.wait_for(lambda: net.sh("ping", "-c", "1", "-W", "2", "-M", "do", "-s", "8000",
                                        guest_ip, check=False).returncode == 0,
                         timeout=30, what="an 8000-byte DF ping from the gateway")
        fast_vm.sh(f"ip link set {ifc} mtu 1500")
        net.set_mtu(1500)
        # VLAN 5 on the gateway side (br0.5, 10.77.5.1/24) and in the guest
        net.add_vlan(5)
        fast_vm.sh(f"modprobe 8021q && ip link add link {ifc} name vl5 type vlan id 5 && "
                   "ip addr add 10.77.5.2/24 dev vl5 && ip link set vl5 up")
        fast_vm.wait_for("ping -c 1 -W 1 10.77.5.1", timeout=20)
        fast_vm.sh("ip link del vl5")
        net.del_vlan(5)

    def test_hotplug(self, fast_vm):
        """QMP device_add / device_del of a vmxnet3 NIC on its own tap."""
        mac = "52:54:00:77:00:19"
        fast_vm.sh("modprobe vmxnet3")
        nic = fast_vm.hotplug_nic(Nic("vmxnet3", mac, slot=7))
        fast_vm.wait_for(lambda: fast_vm.iface(nic), 30, "the hotplugged NIC")
        assert pci_id_of(fast_vm, fast_vm.iface(nic)) == VMXNET3_PCI
        fast_vm.unplug_nic(nic)
        fast_vm.wait_for(f"! grep -qx {mac} /sys/class/net/*/address", timeout=30)

    def test_files_and_commands(self, fast_vm, tmp_path):
        data = bytes(range(256)) * 4096            # 1 MiB, every byte value
        src = tmp_path / "blob"
        src.write_bytes(data)
        fast_vm.copy_in(src, "/tmp/blob")
        assert fast_vm.sh("md5sum /tmp/blob").split()[0] == hashlib.md5(data).hexdigest()
        fast_vm.copy_out("/tmp/blob", tmp_path / "back")
        assert (tmp_path / "back").read_bytes() == data
        r = fast_vm.run("echo out; echo err >&2; exit 3")
        assert (r.rc, r.stdout, r.stderr) == (3, "out\n", "err\n")
        assert fast_vm.run("sleep 30", timeout=2).rc == 124


# -- Debian images, one per network backend ---------------------------------------------------

def macs(variant):
    """Distinct MACs per variant, so a lease seen in dnsmasq is this boot's."""
    i = VARIANTS.index(variant)
    return f"52:54:00:77:{0x20 + i:02x}:10", f"52:54:00:77:{0x20 + i:02x}:11"


# The two E1000 device models alternate across variants (8086:100e and VMware's 8086:100f).
E1000_MODEL = {"ifupdown": "e1000", "networkmanager": "e1000-82545em",
               "networkd": "e1000", "netplan": "e1000-82545em"}
REBOOT_VARIANT = "networkd"      # the disk-state-across-reboot check runs on one variant


# Every variant boots in the e2e tests too, which fail when its image does (DHCP, QMP link cuts
# and reboots are used there as well): all variants run in the slow tier (a TCG boot each; the
# networkd one with its reboot took 2.5 minutes of make check).
@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS, scope="class")
class TestDebian:
    """A Debian guest per backend: one boot for all checks of a variant."""

    @pytest.fixture(scope="class")
    def deb_vm(self, variant, class_vm_factory):
        e1000_mac, vmx_mac = macs(variant)
        vm = class_vm_factory(variant, nics=[Nic(E1000_MODEL[variant], e1000_mac, slot=3),
                                             Nic("vmxnet3", vmx_mac, slot=4)])
        yield vm
        vm.kill()

    def test_boot(self, deb_vm, variant):
        assert deb_vm.sh("uname -r").strip() == deb_vm.kver
        assert deb_vm.sh("cat /etc/hostname").strip() == f"vnic-{variant}"
        # the guest can build modules for its kernel
        deb_vm.sh(f"test -d /lib/modules/{deb_vm.kver}/build && command -v gcc make dkms")

    def test_dhcp_ping(self, deb_vm, variant, class_vm_factory):
        e1000_mac, _ = macs(variant)
        net = class_vm_factory.net
        lease = net.wait_lease(e1000_mac, timeout=120)
        deb_vm.wait_for(f"ip -4 addr show dev ens3 | grep -q 'inet {lease}/'", timeout=60)
        assert deb_vm.sh("readlink /sys/class/net/ens3/device/driver").strip().endswith("/e1000")
        expect = "8086:100f" if E1000_MODEL[variant] == "e1000-82545em" else "8086:100e"
        assert pci_id_of(deb_vm, "ens3") == expect
        deb_vm.wait_for(f"ping -c 1 -W 2 {GATEWAY}", timeout=30)
        assert net.ping(lease)

    def test_vmxnet3_visible(self, deb_vm, variant):
        _, vmx_mac = macs(variant)
        assert deb_vm.iface(vmx_mac) == "ens4"
        assert pci_id_of(deb_vm, "ens4") == VMXNET3_PCI
        assert deb_vm.sh("cat /sys/class/net/ens4/address").strip() == vmx_mac

    def test_link_cut(self, deb_vm, variant):
        e1000_mac, vmx_mac = macs(variant)
        check_link_cut(deb_vm, e1000_mac)
        check_link_cut(deb_vm, vmx_mac)

    def test_reboot_keeps_disk(self, deb_vm, variant):
        if variant != REBOOT_VARIANT:
            pytest.skip(f"reboot checked on {REBOOT_VARIANT} only (saves a TCG boot)")
        token = deb_vm.sh("cat /proc/sys/kernel/random/uuid").strip()
        deb_vm.write_file("/var/tmp/vnic-token", token)
        deb_vm.reboot()
        assert deb_vm.read_file("/var/tmp/vnic-token").decode() == token
