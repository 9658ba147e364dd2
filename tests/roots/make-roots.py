#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the fake roots under tests/roots/<case>/ and the JSON each one should give.

Each case is written out by hand below: the distribution's real file layout (os-release
symlinks, usr-merge, where kernels and headers live), its network configuration, its services
and a fake sysfs with an E1000 (or E1000E) and a VMXNET3 NIC. The expected JSON of each case
is stated here too, from what the distribution is, not captured from vnic-install. The
committed trees are this script's output: edit the script, run it, and commit both.

A case directory holds:
  root/          the tree (plain files and symlinks; no binaries)
  modules.list   kernel modules the runner builds at test time: MODDIR RELPATH VERSION
                 (depmod then indexes each kernel in a scratch copy)
  expected.json  what `vnic-install detect --root <copy> --json` must print
  exit           the expected exit code, when it is not 0

Usage: tests/roots/make-roots.py [CASE...]   (default: every case; removes and rewrites them)
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

E1000 = ("8086", "100f", "e1000", "e1000")
E1000E = ("8086", "10d3", "e1000e", "e1000e")
VMXNET3 = ("15ad", "07b0", "vmxnet3", "vmxnet3")

EXEC_STUB = "#!/bin/sh\n# stub of a program, for a test root\nexit 0\n"


class Root:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(HERE, name)
        self.root = os.path.join(self.dir, "root")
        self.modules = []
        self.nics = []
        self.kernels = []
        self.expected = None
        self.exit = 0
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.root)

    # --- files ------------------------------------------------------------------------------
    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def write(self, p, content, mode=0o644):
        full = self.path(p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        os.chmod(full, mode)

    def link(self, p, target):
        full = self.path(p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        os.symlink(target, full)

    def mkdir(self, p):
        os.makedirs(self.path(p), exist_ok=True)

    def program(self, p, content=EXEC_STUB):
        self.write(p, content, 0o755)

    def merged_usr(self):
        """usr-merge: /bin, /sbin, /lib are links into /usr (relative, as distributions do)."""
        for d in ("bin", "sbin", "lib", "lib64"):
            self.mkdir("usr/" + d)
            self.link(d, "usr/" + d)

    # --- system pieces ----------------------------------------------------------------------
    def os_release(self, text, where="etc", link=None):
        """where: "etc" (a file), "usr" (only /usr/lib/os-release), "link" (/etc -> link)."""
        if where == "etc":
            self.write("etc/os-release", text)
        else:
            self.write("usr/lib/os-release", text)
            if where == "link":
                self.link("etc/os-release", link or "../usr/lib/os-release")

    def unit(self, name, unitdir="/usr/lib/systemd/system", target="multi-user.target",
             enabled=True):
        self.write(unitdir + "/" + name, "[Unit]\nDescription=%s\n\n[Install]\nWantedBy=%s\n"
                   % (name, target))
        if enabled:
            self.link("etc/systemd/system/%s.wants/%s" % (target, name), unitdir + "/" + name)

    def kernel(self, release, inbox, vnic=None, headers=None, build_target=None,
               vnic_dir="updates/dkms", moddir="/lib/modules", compress=""):
        """headers: None (no build link), "dangling" (a link whose target is missing),
        "link" (build -> build_target with a Makefile there), "dir" (build is a directory)."""
        d = "%s/%s" % (moddir, release)
        self.write(d + "/modules.order", "kernel/drivers/net/vmxnet3/vmxnet3.ko\n")
        self.write(d + "/modules.builtin", "kernel/drivers/net/ethernet/intel/e1000/e1000.ko\n")
        if inbox:
            # compress: ".xz" (Fedora, RHEL 9) or ".zst" (Ubuntu 24.04, Arch), as shipped.
            self.modules.append((d, "kernel/drivers/net/vmxnet3/vmxnet3.ko" + compress, inbox))
        if vnic:
            self.modules.append((d, vnic_dir + "/vmxnet3.ko" + compress, vnic))
        if headers == "link":
            self.link(d + "/build", build_target)
            self.write(build_target + "/Makefile", "# kernel headers (test root)\n")
        elif headers == "dangling":
            self.link(d + "/build", build_target)
        elif headers == "dir":
            self.write(d + "/build/Makefile", "# kernel headers (test root)\n")
        return d

    def nic(self, name, ids, mac, slot, bridge, ifindex, carrier=True, mtu=1500):
        vendor, device, driver, _ = ids
        dev = "sys/devices/pci0000:00/%s/%s" % (bridge, slot)
        self.write(dev + "/vendor", "0x%s\n" % vendor)
        self.write(dev + "/device", "0x%s\n" % device)
        self.write(dev + "/subsystem_vendor", "0x15ad\n")
        self.write(dev + "/class", "0x020000\n")
        self.link(dev + "/driver", "../../../../bus/pci/drivers/" + driver)
        self.write("sys/bus/pci/drivers/%s/uevent" % driver, "DRIVER=%s\n" % driver)
        net = dev + "/net/" + name
        self.write(net + "/address", mac + "\n")
        self.write(net + "/addr_assign_type", "0\n")
        self.write(net + "/ifindex", "%d\n" % ifindex)
        self.write(net + "/mtu", "%d\n" % mtu)
        self.write(net + "/operstate", "up\n" if carrier else "down\n")
        if carrier:
            # The kernel refuses to read carrier of an interface that is down: no file then.
            self.write(net + "/carrier", "1\n")
        self.link(net + "/device", "../../../" + slot)
        self.link("sys/class/net/" + name, "../../devices/pci0000:00/%s/%s/net/%s"
                  % (bridge, slot, name))

    def loopback(self):
        self.write("sys/devices/virtual/net/lo/address", "00:00:00:00:00:00\n")
        self.write("sys/devices/virtual/net/lo/ifindex", "1\n")
        self.write("sys/devices/virtual/net/lo/mtu", "65536\n")
        self.link("sys/class/net/lo", "../../devices/virtual/net/lo")

    def efi(self, secure_boot):
        guid = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
        self.write("sys/firmware/efi/efivars/SecureBoot-" + guid,
                   bytes([6, 0, 0, 0, 1 if secure_boot else 0]))
        self.write("sys/firmware/efi/fw_platform_size", "64\n")

    # --- output -----------------------------------------------------------------------------
    def save(self):
        with open(os.path.join(self.dir, "modules.list"), "w") as f:
            f.write("# MODDIR RELPATH MODULE_VERSION: built by run.sh, indexed with depmod\n")
            for m in self.modules:
                f.write("%s %s %s\n" % m)
        with open(os.path.join(self.dir, "expected.json"), "w") as f:
            json.dump(self.expected, f, indent=2, sort_keys=True)
            f.write("\n")
        if self.exit:
            with open(os.path.join(self.dir, "exit"), "w") as f:
                f.write("%d\n" % self.exit)


# --- expected JSON helpers --------------------------------------------------------------------
def distro(id_, like, version, pretty, family, source):
    return {"id": id_, "id_like": like, "version_id": version, "pretty_name": pretty,
            "family": family, "source": source}


def kern(release, headers, package, default, inbox, vnic=None, moddir="/lib/modules"):
    d = "%s/%s" % (moddir, release)
    return {"release": release, "modules_dir": d, "headers": d + "/build" if headers else None,
            "headers_package": package, "running": False, "default": default,
            "inbox_vmxnet3": inbox, "vnic_vmxnet3": vnic}


def nic(name, ids, mac, backend, files, carrier=True, mtu=1500):
    vendor, device, driver, model = ids
    return {"name": name, "mac": mac, "permanent_mac": mac, "pci_id": vendor + ":" + device,
            "model": model, "driver": driver, "carrier": True if carrier else None, "mtu": mtu,
            "addresses": [], "backend": backend, "config_files": files}


def expected(d, pm, kernels, dkms, compiler, sb, initramfs, nics, errors=None):
    return {"distro": d, "package_manager": pm, "kernels": kernels,
            "dkms": {"present": dkms is not None, "version": dkms or None},
            "compiler": {"present": compiler}, "secure_boot": sb, "initramfs_tool": initramfs,
            "nics": nics, "default_route": None, "errors": errors or []}


def vmware_nics(r, first, second, mac1, mac2, first_ids=E1000, carrier2=False):
    """The usual VMware guest: an E1000 in slot 0000:02:01.0, a VMXNET3 at 0000:03:00.0."""
    r.loopback()
    r.nic(first, first_ids, mac1, "0000:02:01.0", "0000:00:11.0", 2)
    r.nic(second, VMXNET3, mac2, "0000:03:00.0", "0000:00:15.0", 3, carrier=carrier2)


def dkms_script(version, style=3):
    if style == 3:
        return ("#!/bin/bash\n# Dynamic Kernel Module Support (test root stub)\n"
                "show_version() {\n    echo $\"dkms-%s\"\n}\n" % version)
    return "#!/bin/bash\n# DKMS (test root stub)\nreadonly dkms_version=\"%s\"\n" % version


def debian_tools(r, gcc=True, dkms=None, dkms_style=3):
    r.program("usr/bin/apt-get")
    r.program("usr/bin/dpkg")
    r.program("usr/sbin/update-initramfs")
    if gcc:
        r.program("usr/bin/gcc-12")
        r.link("usr/bin/gcc", "gcc-12")
    if dkms:
        r.program("usr/sbin/dkms", dkms_script(dkms, dkms_style))


def rhel_tools(r, pm, gcc=True, dkms=None):
    r.program("usr/bin/" + pm)
    if pm == "dnf":
        r.link("usr/bin/yum", "dnf-3")
        r.program("usr/bin/dnf-3")
    r.program("usr/bin/dracut")
    r.program("usr/bin/rpm")
    if gcc:
        r.program("usr/bin/gcc")
    if dkms:
        r.program("usr/sbin/dkms", dkms_script(dkms))


# Real os-release texts (trimmed to the keys that matter plus a few others, quoting as shipped).
OS = {
    "ubuntu-16.04": 'NAME="Ubuntu"\nVERSION="16.04.7 LTS (Xenial Xerus)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 16.04.7 LTS"\nVERSION_ID="16.04"\nHOME_URL="http://www.ubuntu.com/"\nVERSION_CODENAME=xenial\nUBUNTU_CODENAME=xenial\n',
    "ubuntu-18.04": 'NAME="Ubuntu"\nVERSION="18.04.6 LTS (Bionic Beaver)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 18.04.6 LTS"\nVERSION_ID="18.04"\nHOME_URL="https://www.ubuntu.com/"\nVERSION_CODENAME=bionic\nUBUNTU_CODENAME=bionic\n',
    "ubuntu-20.04": 'NAME="Ubuntu"\nVERSION="20.04.6 LTS (Focal Fossa)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\nVERSION_ID="20.04"\nHOME_URL="https://www.ubuntu.com/"\nVERSION_CODENAME=focal\nUBUNTU_CODENAME=focal\n',
    "ubuntu-22.04": 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\nUBUNTU_CODENAME=jammy\n',
    "ubuntu-24.04": 'PRETTY_NAME="Ubuntu 24.04 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04 LTS (Noble Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\nUBUNTU_CODENAME=noble\nLOGO=ubuntu-logo\n',
    "debian-10": 'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nNAME="Debian GNU/Linux"\nVERSION_ID="10"\nVERSION="10 (buster)"\nVERSION_CODENAME=buster\nID=debian\nHOME_URL="https://www.debian.org/"\n',
    "debian-11": 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nVERSION="11 (bullseye)"\nVERSION_CODENAME=bullseye\nID=debian\nHOME_URL="https://www.debian.org/"\n',
    "debian-12": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n',
    "debian-13": 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nVERSION="13 (trixie)"\nVERSION_CODENAME=trixie\nDEBIAN_VERSION_FULL=13.1\nID=debian\nHOME_URL="https://www.debian.org/"\n',
    "rhel-7": 'NAME="Red Hat Enterprise Linux Server"\nVERSION="7.9 (Maipo)"\nID="rhel"\nID_LIKE="fedora"\nVARIANT="Server"\nVARIANT_ID="server"\nVERSION_ID="7.9"\nPRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"\nANSI_COLOR="0;31"\nCPE_NAME="cpe:/o:redhat:enterprise_linux:7.9:GA:server"\n',
    "centos-7": 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\nANSI_COLOR="0;31"\nCPE_NAME="cpe:/o:centos:centos:7"\nHOME_URL="https://www.centos.org/"\n',
    "rocky-8": 'NAME="Rocky Linux"\nVERSION="8.9 (Green Obsidian)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.9"\nPLATFORM_ID="platform:el8"\nPRETTY_NAME="Rocky Linux 8.9 (Green Obsidian)"\nANSI_COLOR="0;32"\n',
    "alma-9": 'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\nANSI_COLOR="0;34"\n',
    "oracle-8": 'NAME="Oracle Linux Server"\nVERSION="8.9"\nID="ol"\nID_LIKE="fedora"\nVARIANT="Server"\nVARIANT_ID="server"\nVERSION_ID="8.9"\nPLATFORM_ID="platform:el8"\nPRETTY_NAME="Oracle Linux Server 8.9"\nANSI_COLOR="0;31"\n',
    "rhel-9": 'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\nANSI_COLOR="0;31"\n',
    "fedora-40": 'NAME="Fedora Linux"\nVERSION="40 (Server Edition)"\nID=fedora\nVERSION_ID=40\nVERSION_CODENAME=""\nPLATFORM_ID="platform:f40"\nPRETTY_NAME="Fedora Linux 40 (Server Edition)"\nANSI_COLOR="0;38;2;60;110;180"\nVARIANT="Server Edition"\nVARIANT_ID=server\n',
    "sles-12": 'NAME="SLES"\nVERSION="12-SP5"\nVERSION_ID="12.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 12 SP5"\nID="sles"\nANSI_COLOR="0;32"\nCPE_NAME="cpe:/o:suse:sles:12:sp5"\n',
    "sles-15": 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\nANSI_COLOR="0;32"\nCPE_NAME="cpe:/o:suse:sles:15:sp5"\nDOCUMENTATION_URL="https://documentation.suse.com/"\n',
    "leap-15": 'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"\nANSI_COLOR="0;32"\nCPE_NAME="cpe:/o:opensuse:leap:15.5"\n',
    "photon-4": 'NAME="VMware Photon OS"\nVERSION="4.0"\nID=photon\nVERSION_ID=4.0\nPRETTY_NAME="VMware Photon OS/Linux"\nANSI_COLOR="1;34"\nHOME_URL="https://vmware.github.io/photon/"\n',
    "photon-5": 'NAME="VMware Photon OS"\nVERSION="5.0"\nID=photon\nVERSION_ID=5.0\nPRETTY_NAME="VMware Photon OS/Linux"\nANSI_COLOR="1;34"\nHOME_URL="https://vmware.github.io/photon/"\n',
    "amzn-2": 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\nANSI_COLOR="0;33"\nCPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"\nHOME_URL="https://amazonlinux.com/"\n',
    "arch": 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\nANSI_COLOR="38;2;23;147;209"\nHOME_URL="https://archlinux.org/"\nLOGO=archlinux-logo\n',
    "mint-21": 'NAME="Linux Mint"\nVERSION="21.3 (Virginia)"\nID=linuxmint\nID_LIKE="ubuntu debian"\nPRETTY_NAME="Linux Mint 21.3"\nVERSION_ID="21.3"\nHOME_URL="https://www.linuxmint.com/"\nVERSION_CODENAME=virginia\nUBUNTU_CODENAME=jammy\n',
    "pop-22.04": 'NAME="Pop!_OS"\nVERSION="22.04 LTS"\nID=pop\nID_LIKE="ubuntu debian"\nPRETTY_NAME="Pop!_OS 22.04 LTS"\nVERSION_ID="22.04"\nHOME_URL="https://pop.system76.com"\nVERSION_CODENAME=jammy\nUBUNTU_CODENAME=jammy\n',
    # A RHEL rebuild nobody has heard of: only ID_LIKE says what it is. Quoting and escapes
    # as os-release(5) allows them.
    "tern-9": "# Tern Linux: a rebuild\nNAME='Tern Linux'\nVERSION=\"9.3 (Blue \\\"Heron\\\")\"\nID=tern\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=9.3\nPRETTY_NAME=\"Tern Linux 9.3 (\\$pecial \\\"Heron\\\")\"\nHOME_URL=https://tern.example/\n",
    "zork": 'NAME="Zork OS"\nID=zork\nVERSION_ID=3\nPRETTY_NAME="Zork OS 3"\n',
}

NM_KEYFILE = """[connection]
id={id}
uuid={uuid}
type=ethernet
autoconnect-priority=-999
{ifname}timestamp=1717000000

[ethernet]
{mac}
[ipv4]
method=auto

[ipv6]
addr-gen-mode=eui64
method=auto

[proxy]
"""


def nm_keyfile(r, fname, conn_id, uuid, ifname=None, mac=None):
    r.write("etc/NetworkManager/system-connections/" + fname,
            NM_KEYFILE.format(id=conn_id, uuid=uuid,
                              ifname="interface-name=%s\n" % ifname if ifname else "",
                              mac="mac-address=%s\n" % mac.upper() if mac else ""), 0o600)


def nm_enabled(r, unitdir="/usr/lib/systemd/system"):
    r.unit("NetworkManager.service", unitdir)
    r.link("etc/systemd/system/dbus-org.freedesktop.nm-dispatcher.service",
           unitdir + "/NetworkManager-dispatcher.service")
    r.write(unitdir + "/NetworkManager-dispatcher.service", "[Unit]\n")
    r.write("etc/NetworkManager/NetworkManager.conf", "[main]\nplugins=keyfile\n")


def networkd_enabled(r, unitdir="/usr/lib/systemd/system"):
    r.unit("systemd-networkd.service", unitdir)
    r.link("etc/systemd/system/dbus-org.freedesktop.network1.service",
           unitdir + "/systemd-networkd.service")


def wicked_enabled(r):
    r.unit("wicked.service")
    r.link("etc/systemd/system/network.service", "/usr/lib/systemd/system/wicked.service")
    r.unit("wickedd.service")


UBUNTU_NM_CONF = "[main]\nplugins=ifupdown,keyfile\n\n[ifupdown]\nmanaged=false\n\n[device]\nwifi.scan-rand-mac-address=no\n"


# --- the cases --------------------------------------------------------------------------------
CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-").replace("-dot-", ".")] = fn
    return fn


@case
def ubuntu_16_dot_04_server():
    r = Root("ubuntu-16.04-server")
    r.os_release(OS["ubuntu-16.04"], "link")
    r.write("etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=16.04\n")
    r.write("etc/debian_version", "stretch/sid\n")
    debian_tools(r, dkms="2.2.0.3", dkms_style=2)
    k = "4.4.0-210-generic"
    r.kernel(k, "1.4.7.0-k", headers="link", build_target="/usr/src/linux-headers-" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.link("vmlinuz", "boot/vmlinuz-" + k)
    r.unit("networking.service", "/lib/systemd/system")
    r.write("etc/network/interfaces",
            "# interfaces(5) file used by ifup(8) and ifdown(8)\n"
            "source /etc/network/interfaces.d/*\n\n"
            "auto lo\niface lo inet loopback\n")
    r.write("etc/network/interfaces.d/ens33",
            "# The primary network interface\nauto ens33\niface ens33 inet static\n"
            "    address 192.168.10.21\n    netmask 255.255.255.0\n    gateway 192.168.10.1\n"
            "    dns-nameservers 192.168.10.1\n")
    vmware_nics(r, "ens33", "ens160", "00:0c:29:16:04:01", "00:0c:29:16:04:0b")
    r.expected = expected(
        distro("ubuntu", ["debian"], "16.04", "Ubuntu 16.04.7 LTS", "debian", "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.4.7.0-k")], "2.2.0.3", True,
        "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:16:04:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:16:04:01", "ifupdown",
             ["/etc/network/interfaces.d/ens33"])])
    return r


@case
def ubuntu_18_dot_04_server():
    r = Root("ubuntu-18.04-server")
    r.os_release(OS["ubuntu-18.04"], "link")
    debian_tools(r, gcc=False)
    k = "4.15.0-213-generic"
    r.kernel(k, "1.4.13.0-k", headers="dangling", build_target="/usr/src/linux-headers-" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.link("boot/vmlinuz", "vmlinuz-" + k)
    networkd_enabled(r, "/lib/systemd/system")
    r.write("etc/netplan/50-cloud-init.yaml",
            "# This file is generated from information provided by the datasource.\n"
            "network:\n    ethernets:\n        ens33:\n            dhcp4: true\n"
            "    version: 2\n")
    vmware_nics(r, "ens33", "ens160", "00:0c:29:18:04:01", "00:0c:29:18:04:0b")
    r.expected = expected(
        distro("ubuntu", ["debian"], "18.04", "Ubuntu 18.04.6 LTS", "debian", "/etc/os-release"),
        "apt", [kern(k, False, "linux-headers-" + k, True, "1.4.13.0-k")], None, False,
        "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:18:04:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:18:04:01", "netplan", ["/etc/netplan/50-cloud-init.yaml"])])
    return r


@case
def ubuntu_20_dot_04_server():
    r = Root("ubuntu-20.04-server")
    r.merged_usr()
    r.os_release(OS["ubuntu-20.04"], "link")
    debian_tools(r, dkms="2.8.1", dkms_style=2)
    k1, k2 = "5.4.0-169-generic", "5.4.0-182-generic"
    r.kernel(k1, "1.5.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k1)
    r.kernel(k2, "1.5.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k2)
    for k in (k1, k2):
        r.write("boot/vmlinuz-" + k, "")
    r.link("boot/vmlinuz", "vmlinuz-" + k2)
    r.link("boot/vmlinuz.old", "vmlinuz-" + k1)
    networkd_enabled(r)
    r.write("etc/netplan/00-installer-config.yaml",
            "# This is the network config written by 'subiquity'\nnetwork:\n  ethernets:\n"
            "    ens33:\n      match:\n        macaddress: 00:0c:29:20:04:01\n"
            "      set-name: ens33\n      addresses:\n      - 10.20.4.15/24\n"
            "      routes:\n      - to: default\n        via: 10.20.4.1\n"
            "      nameservers:\n        addresses: [10.20.4.1]\n  version: 2\n")
    vmware_nics(r, "ens33", "ens160", "00:0c:29:20:04:01", "00:0c:29:20:04:0b")
    r.expected = expected(
        distro("ubuntu", ["debian"], "20.04", "Ubuntu 20.04.6 LTS", "debian", "/etc/os-release"),
        "apt",
        [kern(k1, True, "linux-headers-" + k1, False, "1.5.0.0-k"),
         kern(k2, True, "linux-headers-" + k2, True, "1.5.0.0-k")], "2.8.1", True,
        "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:20:04:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:20:04:01", "netplan",
             ["/etc/netplan/00-installer-config.yaml"])])
    return r


@case
def ubuntu_22_dot_04_server():
    r = Root("ubuntu-22.04-server")
    r.merged_usr()
    r.os_release(OS["ubuntu-22.04"], "link")
    debian_tools(r, dkms="2.8.7", dkms_style=2)
    k1, k2 = "5.15.0-105-generic", "5.15.0-91-generic"
    # Only the older kernel has its headers; the default is the newest (by the symlink).
    r.kernel(k1, "1.6.0.0-k", headers="dangling", build_target="/usr/src/linux-headers-" + k1)
    r.kernel(k2, "1.6.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k2)
    for k in (k1, k2):
        r.write("boot/vmlinuz-" + k, "")
    r.link("boot/vmlinuz", "vmlinuz-" + k1)
    networkd_enabled(r)
    r.write("etc/netplan/50-cloud-init.yaml",
            "network:\n  version: 2\n  renderer: networkd\n  ethernets:\n    ens33:\n"
            "      dhcp4: no\n      addresses: [192.168.50.10/24]\n"
            "      routes:\n        - to: default\n          via: 192.168.50.1\n")
    r.write("etc/cloud/cloud.cfg.d/99-disable-network-config.cfg", "network: {config: disabled}\n")
    vmware_nics(r, "ens33", "ens192", "00:50:56:22:04:01", "00:50:56:22:04:0b")
    r.expected = expected(
        distro("ubuntu", ["debian"], "22.04", "Ubuntu 22.04.4 LTS", "debian", "/etc/os-release"),
        "apt",
        [kern(k2, True, "linux-headers-" + k2, False, "1.6.0.0-k"),
         kern(k1, False, "linux-headers-" + k1, True, "1.6.0.0-k")], "2.8.7", True,
        "disabled", "update-initramfs",
        [nic("ens192", VMXNET3, "00:50:56:22:04:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:50:56:22:04:01", "netplan", ["/etc/netplan/50-cloud-init.yaml"])])
    return r


@case
def ubuntu_22_dot_04_desktop():
    r = Root("ubuntu-22.04-desktop")
    r.merged_usr()
    r.os_release(OS["ubuntu-22.04"], "link")
    debian_tools(r)
    k = "6.5.0-35-generic"
    r.kernel(k, "1.7.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.link("boot/vmlinuz", "vmlinuz-" + k)
    nm_enabled(r)
    r.write("etc/NetworkManager/NetworkManager.conf", UBUNTU_NM_CONF)
    r.write("etc/netplan/01-network-manager-all.yaml",
            "# Let NetworkManager manage all devices on this system\nnetwork:\n  version: 2\n"
            "  renderer: NetworkManager\n")
    nm_keyfile(r, "Wired connection 1.nmconnection", "Wired connection 1",
               "5d5a4c5e-4b1e-3a8f-9b7e-0c2f2d8a1e11", ifname="ens33")
    r.efi(secure_boot=True)
    vmware_nics(r, "ens33", "ens160", "00:0c:29:22:d4:01", "00:0c:29:22:d4:0b")
    r.expected = expected(
        distro("ubuntu", ["debian"], "22.04", "Ubuntu 22.04.4 LTS", "debian", "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.7.0.0-k")], None, True,
        "enabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:22:d4:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:22:d4:01", "networkmanager",
             ["/etc/NetworkManager/system-connections/Wired connection 1.nmconnection"])])
    return r


@case
def ubuntu_24_dot_04_server():
    r = Root("ubuntu-24.04-server")
    r.merged_usr()
    r.os_release(OS["ubuntu-24.04"], "link")
    debian_tools(r, dkms="3.0.11")
    k = "6.8.0-31-generic"
    # vnic's driver is installed through DKMS: updates/dkms wins the index lookup.
    r.kernel(k, "1.7.0.0-k", vnic="2.0.0", headers="link",
             build_target="/usr/src/linux-headers-" + k, compress=".zst")
    r.write("boot/vmlinuz-" + k, "")
    r.link("boot/vmlinuz", "vmlinuz-" + k)
    networkd_enabled(r)
    r.write("etc/netplan/50-cloud-init.yaml",
            "network:\n  version: 2\n  ethernets:\n    ens33:\n      match:\n"
            "        macaddress: \"00:0c:29:24:04:01\"\n      dhcp4: true\n"
            "      set-name: \"ens33\"\n")
    vmware_nics(r, "ens33", "ens160", "00:0c:29:24:04:01", "00:0c:29:24:04:0b")
    r.expected = expected(
        distro("ubuntu", ["debian"], "24.04", "Ubuntu 24.04 LTS", "debian", "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.7.0.0-k", vnic="2.0.0")], "3.0.11",
        True, "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:24:04:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:24:04:01", "netplan", ["/etc/netplan/50-cloud-init.yaml"])])
    return r


@case
def ubuntu_24_dot_04_desktop():
    r = Root("ubuntu-24.04-desktop")
    r.merged_usr()
    r.os_release(OS["ubuntu-24.04"], "link")
    debian_tools(r)
    k = "6.8.0-31-generic"
    r.kernel(k, "1.7.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k,
             compress=".zst")
    r.write("boot/vmlinuz-" + k, "")
    r.link("boot/vmlinuz", "vmlinuz-" + k)
    nm_enabled(r)
    r.write("etc/NetworkManager/NetworkManager.conf", UBUNTU_NM_CONF)
    # 24.04: NetworkManager keeps its connections as netplan files (renderer NetworkManager).
    r.write("etc/netplan/01-network-manager-all.yaml",
            "# Let NetworkManager manage all devices on this system\nnetwork:\n  version: 2\n"
            "  renderer: NetworkManager\n", 0o600)
    uuid = "2f1e6a38-5d0c-4b8e-9c2a-7a6f0f3b5d24"
    r.write("etc/netplan/90-NM-%s.yaml" % uuid,
            "network:\n  version: 2\n  ethernets:\n    NM-%s:\n      renderer: NetworkManager\n"
            "      match:\n        name: \"ens33\"\n      dhcp4: true\n      dhcp6: true\n"
            "      wakeonlan: true\n      networkmanager:\n        uuid: \"%s\"\n"
            "        name: \"Wired connection 1\"\n" % (uuid, uuid), 0o600)
    r.efi(secure_boot=True)
    vmware_nics(r, "ens33", "ens160", "00:0c:29:24:d4:01", "00:0c:29:24:d4:0b", first_ids=E1000E)
    r.expected = expected(
        distro("ubuntu", ["debian"], "24.04", "Ubuntu 24.04 LTS", "debian", "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.7.0.0-k")], None, True,
        "enabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:24:d4:0b", None, [], carrier=False),
         nic("ens33", E1000E, "00:0c:29:24:d4:01", "netplan",
             ["/etc/netplan/90-NM-%s.yaml" % uuid])])
    return r


@case
def debian_10():
    r = Root("debian-10")
    r.os_release(OS["debian-10"], "link")
    r.write("etc/debian_version", "10.13\n")
    debian_tools(r, dkms="2.6.1", dkms_style=2)
    k = "4.19.0-26-amd64"
    r.kernel(k, "1.4.16.0-k", headers="link", build_target="/usr/src/linux-headers-" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.link("vmlinuz", "boot/vmlinuz-" + k)
    r.unit("networking.service", "/lib/systemd/system", target="network-online.target")
    r.write("etc/network/interfaces",
            "# This file describes the network interfaces available on your system\n"
            "# and how to activate them. For more information, see interfaces(5).\n\n"
            "source /etc/network/interfaces.d/*\n\n# The loopback network interface\n"
            "auto lo\niface lo inet loopback\n\n# The primary network interface\n"
            "allow-hotplug ens33\niface ens33 inet dhcp\n")
    r.mkdir("etc/network/interfaces.d")
    r.write("etc/network/interfaces.d/.keep", "")
    vmware_nics(r, "ens33", "ens160", "00:0c:29:10:00:01", "00:0c:29:10:00:0b")
    r.expected = expected(
        distro("debian", [], "10", "Debian GNU/Linux 10 (buster)", "debian", "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.4.16.0-k")], "2.6.1", True,
        "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:10:00:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:10:00:01", "ifupdown", ["/etc/network/interfaces"])])
    return r


@case
def debian_11():
    r = Root("debian-11")
    r.os_release(OS["debian-11"], "link")
    debian_tools(r)
    k1, k2 = "5.10.0-28-amd64", "6.1.0-0.deb11.17-amd64"
    r.kernel(k1, "1.5.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k1)
    r.kernel(k2, "1.7.0.0-k")
    for k in (k1, k2):
        r.write("boot/vmlinuz-" + k, "")
    # The backports kernel is installed but /vmlinuz still points to the stable one.
    r.link("vmlinuz", "boot/vmlinuz-" + k1)
    r.link("vmlinuz.old", "boot/vmlinuz-" + k2)
    r.unit("networking.service", "/lib/systemd/system", target="network-online.target")
    r.write("etc/network/interfaces",
            "source-directory /etc/network/interfaces.d\n\nauto lo\niface lo inet loopback\n")
    r.write("etc/network/interfaces.d/uplink",
            "auto ens33\niface ens33 inet static\n  address 172.16.11.5/24\n"
            "  gateway 172.16.11.1\n")
    vmware_nics(r, "ens33", "ens160", "00:0c:29:11:00:01", "00:0c:29:11:00:0b")
    r.expected = expected(
        distro("debian", [], "11", "Debian GNU/Linux 11 (bullseye)", "debian", "/etc/os-release"),
        "apt",
        [kern(k1, True, "linux-headers-" + k1, True, "1.5.0.0-k"),
         kern(k2, False, "linux-headers-" + k2, False, "1.7.0.0-k")], None, True,
        "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:11:00:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:11:00:01", "ifupdown",
             ["/etc/network/interfaces.d/uplink"])])
    return r


@case
def debian_12():
    r = Root("debian-12")
    r.merged_usr()
    r.os_release(OS["debian-12"], "link")
    debian_tools(r, dkms="3.0.10")
    k = "6.1.0-26-amd64"
    r.kernel(k, "1.7.0.0-k", vnic="2.0.0", headers="link",
             build_target="/usr/src/linux-headers-" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.link("vmlinuz", "boot/vmlinuz-" + k)
    r.unit("networking.service", "/usr/lib/systemd/system", target="network-online.target")
    r.write("etc/network/interfaces",
            "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
            "allow-hotplug ens33\niface ens33 inet dhcp\n")
    r.efi(secure_boot=False)
    vmware_nics(r, "ens33", "ens160", "00:0c:29:12:00:01", "00:0c:29:12:00:0b")
    r.expected = expected(
        distro("debian", [], "12", "Debian GNU/Linux 12 (bookworm)", "debian", "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.7.0.0-k", vnic="2.0.0")], "3.0.10",
        True, "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:12:00:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:12:00:01", "ifupdown", ["/etc/network/interfaces"])])
    return r


@case
def debian_13():
    r = Root("debian-13")
    r.merged_usr()
    r.os_release(OS["debian-13"], "link")
    debian_tools(r, dkms="3.2.0")
    k = "6.12.48+deb13-amd64"
    r.kernel(k, "1.9.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.link("vmlinuz", "boot/vmlinuz-" + k)
    networkd_enabled(r)
    r.write("etc/systemd/network/10-uplink.network",
            "[Match]\nName=ens33\n\n[Network]\nDHCP=yes\n")
    r.write("etc/systemd/network/20-other.network",
            "[Match]\nName=eth9\n\n[Network]\nDHCP=yes\n")
    vmware_nics(r, "ens33", "ens160", "00:0c:29:13:00:01", "00:0c:29:13:00:0b")
    r.expected = expected(
        distro("debian", [], "13", "Debian GNU/Linux 13 (trixie)", "debian", "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.9.0.0-k")], "3.2.0", True,
        "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:13:00:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:13:00:01", "networkd",
             ["/etc/systemd/network/10-uplink.network"])])
    return r


def rhel7_common(r, osr, mac1, mac2):
    r.merged_usr()
    r.os_release(osr, "etc")
    rhel_tools(r, "yum")
    k1, k2 = "3.10.0-1160.el7.x86_64", "3.10.0-1160.108.1.el7.x86_64"
    # RHEL 7: kernels in /usr/lib/modules, reached through /lib -> usr/lib.
    r.kernel(k1, "1.4.17.0-k", headers="link", build_target="/usr/src/kernels/" + k1)
    r.kernel(k2, "1.4.17.0-k", headers="dangling", build_target="/usr/src/kernels/" + k2)
    for k in (k1, k2):
        r.write("boot/vmlinuz-" + k, "")
    # SysV network service, enabled in runlevels 2-5 (chkconfig).
    r.write("etc/rc.d/init.d/network", "#! /bin/bash\n# network (test root)\n", 0o755)
    for lvl in "2345":
        r.link("etc/rc.d/rc%s.d/S10network" % lvl, "../init.d/network")
    r.link("etc/init.d", "rc.d/init.d")
    vmware_nics(r, "ens33", "ens192", mac1, mac2)
    return k1, k2


@case
def rhel_7():
    r = Root("rhel-7")
    k1, k2 = rhel7_common(r, OS["rhel-7"], "00:50:56:07:00:01", "00:50:56:07:00:0b")
    r.write("etc/redhat-release", "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n")
    # GRUB's saved entry (title form) names the older kernel.
    r.write("boot/grub2/grubenv",
            "# GRUB Environment Block\nsaved_entry=Red Hat Enterprise Linux Server (%s) 7.9 "
            "(Maipo)\n" % k1 + "#" * 900 + "\n")
    r.write("etc/sysconfig/network-scripts/ifcfg-ens33",
            'TYPE=Ethernet\nBOOTPROTO=none\nNAME=ens33\nDEVICE=ens33\nONBOOT=yes\n'
            'IPADDR=10.7.0.20\nPREFIX=24\nGATEWAY=10.7.0.1\nHWADDR=00:50:56:07:00:01\n')
    r.write("etc/sysconfig/network-scripts/ifcfg-lo",
            "DEVICE=lo\nIPADDR=127.0.0.1\nNETMASK=255.0.0.0\nONBOOT=yes\nNAME=loopback\n")
    r.expected = expected(
        distro("rhel", ["fedora"], "7.9", "Red Hat Enterprise Linux Server 7.9 (Maipo)", "rhel",
               "/etc/os-release"),
        "yum",
        [kern(k1, True, "kernel-devel-" + k1, True, "1.4.17.0-k"),
         kern(k2, False, "kernel-devel-" + k2, False, "1.4.17.0-k")], None, True,
        "disabled", "dracut",
        [nic("ens192", VMXNET3, "00:50:56:07:00:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:50:56:07:00:01", "ifcfg",
             ["/etc/sysconfig/network-scripts/ifcfg-ens33"])])
    return r


@case
def centos_7():
    r = Root("centos-7")
    k1, k2 = rhel7_common(r, OS["centos-7"], "00:0c:29:c7:00:01", "00:0c:29:c7:00:0b")
    r.write("etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n")
    r.link("etc/redhat-release", "centos-release")
    r.link("etc/system-release", "centos-release")
    # NetworkManager runs, but the ifcfg file keeps the interface away from it.
    nm_enabled(r)
    r.write("etc/NetworkManager/NetworkManager.conf", "[main]\nplugins=ifcfg-rh\n")
    r.write("etc/sysconfig/network-scripts/ifcfg-ens33",
            'TYPE="Ethernet"\nBOOTPROTO="dhcp"\nDEFROUTE="yes"\nNAME="ens33"\n'
            'UUID="8c7c8d3e-7c2a-4d3e-9f7c-3c1a2b3c4d5e"\nDEVICE="ens33"\nONBOOT="yes"\n'
            'NM_CONTROLLED="no"\n')
    r.expected = expected(
        distro("centos", ["rhel", "fedora"], "7", "CentOS Linux 7 (Core)", "rhel",
               "/etc/os-release"),
        "yum",
        [kern(k1, True, "kernel-devel-" + k1, False, "1.4.17.0-k"),
         kern(k2, False, "kernel-devel-" + k2, True, "1.4.17.0-k")], None, True,
        "disabled", "dracut",
        [nic("ens192", VMXNET3, "00:0c:29:c7:00:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:c7:00:01", "ifcfg",
             ["/etc/sysconfig/network-scripts/ifcfg-ens33"])])
    return r


def el8_common(r, osr, kernels, default, mac1, mac2, pm="dnf"):
    r.merged_usr()
    r.os_release(osr, "link")
    rhel_tools(r, pm)
    for k, inbox, headers in kernels:
        r.kernel(k, inbox, headers="link" if headers else None,
                 build_target="/usr/src/kernels/" + k, compress=".xz")
        r.write("boot/vmlinuz-" + k, "")
        r.write("boot/loader/entries/0123456789abcdef0123456789abcdef-%s.conf" % k,
                "title Linux (%s)\nversion %s\nlinux /vmlinuz-%s\n" % (k, k, k))
    # BLS: grubenv names the default entry by machine id and kernel release.
    r.write("boot/grub2/grubenv",
            "# GRUB Environment Block\nsaved_entry=0123456789abcdef0123456789abcdef-%s\n"
            "boot_success=0\n" % default + "#" * 800 + "\n")
    nm_enabled(r)
    # RHEL 8 and 9 ship both plugins (ifcfg-rh built in) with this line commented out.
    r.write("etc/NetworkManager/NetworkManager.conf",
            "[main]\n#plugins=keyfile,ifcfg-rh\n")
    vmware_nics(r, "ens33", "ens192", mac1, mac2)


@case
def rocky_8():
    r = Root("rocky-8")
    ks = [("4.18.0-513.5.1.el8_9.x86_64", "1.5.0.0-k", True),
          ("4.18.0-513.24.1.el8_9.x86_64", "1.5.0.0-k", False)]
    el8_common(r, OS["rocky-8"], ks, ks[0][0], "00:0c:29:08:00:01", "00:0c:29:08:00:0b")
    # An ifcfg file named after the connection, matched to the NIC by HWADDR alone.
    r.write("etc/sysconfig/network-scripts/ifcfg-Wired_connection_1",
            'HWADDR=00:0C:29:08:00:01\nTYPE=Ethernet\nBOOTPROTO=dhcp\nDEFROUTE=yes\n'
            'NAME="Wired connection 1"\nUUID=1b7a3f2c-8f55-4a5a-9a6c-2c1e0d9b8a77\n'
            'ONBOOT=yes\n')
    r.expected = expected(
        distro("rocky", ["rhel", "centos", "fedora"], "8.9", "Rocky Linux 8.9 (Green Obsidian)",
               "rhel", "/etc/os-release"),
        "dnf",
        [kern(ks[0][0], True, "kernel-devel-" + ks[0][0], True, "1.5.0.0-k"),
         kern(ks[1][0], False, "kernel-devel-" + ks[1][0], False, "1.5.0.0-k")], None, True,
        "disabled", "dracut",
        [nic("ens192", VMXNET3, "00:0c:29:08:00:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:08:00:01", "networkmanager",
             ["/etc/sysconfig/network-scripts/ifcfg-Wired_connection_1"])])
    return r


@case
def alma_9():
    r = Root("alma-9")
    k = "5.14.0-427.13.1.el9_4.x86_64"
    el8_common(r, OS["alma-9"], [(k, "1.7.0.0-k", True)], k, "00:0c:29:09:a1:01",
               "00:0c:29:09:a1:0b")
    # A keyfile matched by MAC only (no interface-name).
    nm_keyfile(r, "uplink.nmconnection", "uplink", "0e3b2d6c-2a4b-4c9e-8f7e-6b5a4c3d2e1f",
               mac="00:0c:29:09:a1:01")
    r.expected = expected(
        distro("almalinux", ["rhel", "centos", "fedora"], "9.4", "AlmaLinux 9.4 (Seafoam Ocelot)",
               "rhel", "/etc/os-release"),
        "dnf", [kern(k, True, "kernel-devel-" + k, True, "1.7.0.0-k")], None, True, "disabled",
        "dracut",
        [nic("ens192", VMXNET3, "00:0c:29:09:a1:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:09:a1:01", "networkmanager",
             ["/etc/NetworkManager/system-connections/uplink.nmconnection"])])
    return r


@case
def oracle_8():
    r = Root("oracle-8")
    uek, rhck = "5.15.0-200.131.27.el8uek.x86_64", "4.18.0-513.5.1.el8_9.x86_64"
    el8_common(r, OS["oracle-8"], [(uek, "1.7.0.0-k", True), (rhck, "1.5.0.0-k", False)], uek,
               "00:0c:29:0e:18:01", "00:0c:29:0e:18:0b")
    r.write("etc/oracle-release", "Oracle Linux Server release 8.9\n")
    r.link("etc/redhat-release", "oracle-release")
    r.write("etc/sysconfig/network-scripts/ifcfg-ens33",
            "TYPE=Ethernet\nBOOTPROTO=none\nIPADDR=10.8.1.5\nPREFIX=24\nGATEWAY=10.8.1.1\n"
            "NAME=ens33\nDEVICE=ens33\nONBOOT=yes\n")
    r.expected = expected(
        distro("ol", ["fedora"], "8.9", "Oracle Linux Server 8.9", "rhel", "/etc/os-release"),
        "dnf",
        [kern(rhck, False, "kernel-devel-" + rhck, False, "1.5.0.0-k"),
         kern(uek, True, "kernel-uek-devel-" + uek, True, "1.7.0.0-k")], None, True, "disabled",
        "dracut",
        [nic("ens192", VMXNET3, "00:0c:29:0e:18:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:0e:18:01", "networkmanager",
             ["/etc/sysconfig/network-scripts/ifcfg-ens33"])])
    return r


@case
def rhel_9():
    r = Root("rhel-9")
    k = "5.14.0-427.16.1.el9_4.x86_64"
    el8_common(r, OS["rhel-9"], [(k, "1.7.0.0-k", True)], k, "00:50:56:09:00:01",
               "00:50:56:09:00:0b")
    # vnic installed through DKMS the RHEL way: extra/.
    r.modules.append(("/lib/modules/" + k, "extra/vmxnet3.ko", "2.0.0"))
    r.program("usr/sbin/dkms", dkms_script("3.0.13"))
    r.write("etc/redhat-release", "Red Hat Enterprise Linux release 9.4 (Plow)\n")
    nm_keyfile(r, "ens33.nmconnection", "ens33", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
               ifname="ens33")
    r.efi(secure_boot=False)
    r.expected = expected(
        distro("rhel", ["fedora"], "9.4", "Red Hat Enterprise Linux 9.4 (Plow)", "rhel",
               "/etc/os-release"),
        "dnf", [kern(k, True, "kernel-devel-" + k, True, "1.7.0.0-k", vnic="2.0.0")], "3.0.13",
        True, "disabled", "dracut",
        [nic("ens192", VMXNET3, "00:50:56:09:00:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:50:56:09:00:01", "networkmanager",
             ["/etc/NetworkManager/system-connections/ens33.nmconnection"])])
    return r


@case
def fedora_40():
    r = Root("fedora-40")
    r.merged_usr()
    r.os_release(OS["fedora-40"], "link")
    rhel_tools(r, "dnf")
    k1, k2 = "6.8.5-301.fc40.x86_64", "6.10.12-200.fc40.x86_64"
    for k in (k1, k2):
        r.kernel(k, "1.7.0.0-k", headers="link" if k == k2 else None,
                 build_target="/usr/src/kernels/" + k, compress=".xz")
        r.write("lib/modules/%s/vmlinuz" % k, "")
    nm_enabled(r)
    nm_keyfile(r, "ens33.nmconnection", "ens33", "4c3b2a19-0f8e-4d7c-b6a5-948372615a0b",
               ifname="ens33")
    vmware_nics(r, "ens33", "ens224", "00:0c:29:40:00:01", "00:0c:29:40:00:0b", first_ids=E1000E)
    # No vmlinuz link, no grubenv: the newest kernel is the default (strverscmp: 6.10 > 6.8).
    r.expected = expected(
        distro("fedora", [], "40", "Fedora Linux 40 (Server Edition)", "rhel", "/etc/os-release"),
        "dnf",
        [kern(k1, False, "kernel-devel-" + k1, False, "1.7.0.0-k"),
         kern(k2, True, "kernel-devel-" + k2, True, "1.7.0.0-k")], None, True, "disabled",
        "dracut",
        [nic("ens224", VMXNET3, "00:0c:29:40:00:0b", None, [], carrier=False),
         nic("ens33", E1000E, "00:0c:29:40:00:01", "networkmanager",
             ["/etc/NetworkManager/system-connections/ens33.nmconnection"])])
    return r


def suse_common(r, osr, k, inbox, mac1, mac2, link=True, compress=""):
    r.os_release(osr, "link" if link else "etc")
    r.program("usr/bin/zypper")
    r.program("usr/bin/rpm")
    r.program("usr/bin/dracut")
    r.program("usr/bin/gcc")
    ver = k.rsplit("-", 1)[0]
    r.kernel(k, inbox, headers="link", build_target="/usr/src/linux-%s-obj/x86_64/default" % ver,
             compress=compress)
    r.write("boot/vmlinuz-" + k, "")
    r.link("boot/vmlinuz", "vmlinuz-" + k)
    wicked_enabled(r)
    r.write("etc/sysconfig/network/ifcfg-lo",
            "IPADDR=127.0.0.1\nNETMASK=255.0.0.0\nNETWORK=127.0.0.0\nSTARTMODE=nfsroot\n")
    r.write("etc/sysconfig/network/ifcfg-eth0",
            "BOOTPROTO='dhcp'\nSTARTMODE='auto'\nZONE=''\n")
    r.loopback()
    r.nic("eth0", E1000, mac1, "0000:02:01.0", "0000:00:11.0", 2)
    r.nic("eth1", VMXNET3, mac2, "0000:03:00.0", "0000:00:15.0", 3, carrier=False)


@case
def sles_12():
    r = Root("sles-12-sp5")
    k = "4.12.14-122.189-default"
    suse_common(r, OS["sles-12"], k, "1.4.14.0-k", "00:50:56:12:05:01", "00:50:56:12:05:0b",
                link=False)
    r.write("etc/SuSE-release",
            "SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 5\n")
    r.expected = expected(
        distro("sles", [], "12.5", "SUSE Linux Enterprise Server 12 SP5", "suse",
               "/etc/os-release"),
        "zypper", [kern(k, True, "kernel-default-devel", True, "1.4.14.0-k")], None, True,
        "disabled", "dracut",
        [nic("eth0", E1000, "00:50:56:12:05:01", "wicked", ["/etc/sysconfig/network/ifcfg-eth0"]),
         nic("eth1", VMXNET3, "00:50:56:12:05:0b", None, [], carrier=False)])
    return r


@case
def sles_15():
    r = Root("sles-15")
    k = "5.14.21-150500.55.39-default"
    suse_common(r, OS["sles-15"], k, "1.6.0.0-k", "00:50:56:15:05:01", "00:50:56:15:05:0b",
                compress=".zst")
    r.expected = expected(
        distro("sles", ["suse"], "15.5", "SUSE Linux Enterprise Server 15 SP5", "suse",
               "/etc/os-release"),
        "zypper", [kern(k, True, "kernel-default-devel", True, "1.6.0.0-k")], None, True,
        "disabled", "dracut",
        [nic("eth0", E1000, "00:50:56:15:05:01", "wicked", ["/etc/sysconfig/network/ifcfg-eth0"]),
         nic("eth1", VMXNET3, "00:50:56:15:05:0b", None, [], carrier=False)])
    return r


@case
def opensuse_leap_15():
    r = Root("opensuse-leap-15")
    k = "5.14.21-150500.55.65-default"
    suse_common(r, OS["leap-15"], k, "1.6.0.0-k", "00:0c:29:15:5e:01", "00:0c:29:15:5e:0b")
    r.expected = expected(
        distro("opensuse-leap", ["suse", "opensuse"], "15.5", "openSUSE Leap 15.5", "suse",
               "/etc/os-release"),
        "zypper", [kern(k, True, "kernel-default-devel", True, "1.6.0.0-k")], None, True,
        "disabled", "dracut",
        [nic("eth0", E1000, "00:0c:29:15:5e:01", "wicked", ["/etc/sysconfig/network/ifcfg-eth0"]),
         nic("eth1", VMXNET3, "00:0c:29:15:5e:0b", None, [], carrier=False)])
    return r


def photon_common(r, osr):
    r.merged_usr()
    r.os_release(osr, "etc")
    r.program("usr/bin/tdnf")
    r.program("usr/bin/rpm")
    r.program("usr/bin/dracut")
    networkd_enabled(r)


@case
def photon_4():
    r = Root("photon-4")
    photon_common(r, OS["photon-4"])
    k = "5.10.216-1.ph4-esx"
    r.kernel(k, "1.5.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.link("boot/photon.cfg", "linux-%s.cfg" % k)
    r.write("boot/linux-%s.cfg" % k, "# GRUB Environment Block\nphoton_cmdline=init=/lib/systemd/"
            "systemd ro loglevel=3 quiet\nphoton_linux=vmlinuz-%s\nphoton_initrd=initrd.img-%s\n"
            % (k, k))
    # Photon's own default: DHCP on every e* interface.
    r.write("etc/systemd/network/99-dhcp-en.network",
            "[Match]\nName=e*\n\n[Network]\nDHCP=yes\nIPv6AcceptRA=no\n")
    vmware_nics(r, "eth0", "eth1", "00:50:56:04:00:01", "00:50:56:04:00:0b", carrier2=True)
    r.expected = expected(
        distro("photon", [], "4.0", "VMware Photon OS/Linux", "photon", "/etc/os-release"),
        "tdnf", [kern(k, True, "linux-esx-devel", True, "1.5.0.0-k")], None, False, "disabled",
        "dracut",
        [nic("eth0", E1000, "00:50:56:04:00:01", "networkd",
             ["/etc/systemd/network/99-dhcp-en.network"]),
         nic("eth1", VMXNET3, "00:50:56:04:00:0b", "networkd",
             ["/etc/systemd/network/99-dhcp-en.network"])])
    return r


@case
def photon_5():
    r = Root("photon-5")
    photon_common(r, OS["photon-5"])
    r.program("usr/bin/gcc")
    k1, k2 = "6.1.90-1.ph5", "6.1.90-1.ph5-esx"
    r.kernel(k1, "1.7.0.0-k")
    r.kernel(k2, "1.7.0.0-k", headers="link", build_target="/usr/src/linux-headers-" + k2)
    for k in (k1, k2):
        r.write("boot/vmlinuz-" + k, "")
        r.write("boot/linux-%s.cfg" % k, "photon_linux=vmlinuz-%s\nphoton_initrd=initrd.img-%s\n"
                % (k, k))
    r.link("boot/photon.cfg", "linux-%s.cfg" % k2)
    r.write("etc/systemd/network/50-static-en.network",
            "[Match]\nMACAddress=00:50:56:05:00:01\n\n[Network]\nAddress=10.5.0.9/24\n"
            "Gateway=10.5.0.1\nDNS=10.5.0.1\n")
    r.write("etc/systemd/network/99-dhcp-en.network",
            "[Match]\nName=e*\n\n[Network]\nDHCP=yes\n")
    vmware_nics(r, "eth0", "eth1", "00:50:56:05:00:01", "00:50:56:05:00:0b", carrier2=True)
    # networkd applies the first .network file (in lexical order) that matches.
    r.expected = expected(
        distro("photon", [], "5.0", "VMware Photon OS/Linux", "photon", "/etc/os-release"),
        "tdnf",
        [kern(k1, False, "linux-devel", False, "1.7.0.0-k"),
         kern(k2, True, "linux-esx-devel", True, "1.7.0.0-k")], None, True, "disabled",
        "dracut",
        [nic("eth0", E1000, "00:50:56:05:00:01", "networkd",
             ["/etc/systemd/network/50-static-en.network"]),
         nic("eth1", VMXNET3, "00:50:56:05:00:0b", "networkd",
             ["/etc/systemd/network/99-dhcp-en.network"])])
    return r


@case
def amazon_linux_2():
    r = Root("amazon-linux-2")
    r.merged_usr()
    r.os_release(OS["amzn-2"], "etc")
    r.write("etc/system-release", "Amazon Linux release 2 (Karoo)\n")
    rhel_tools(r, "yum")
    k1, k2 = "4.14.336-257.562.amzn2.x86_64", "5.10.215-203.850.amzn2.x86_64"
    r.kernel(k1, "1.4.16.0-k")
    r.kernel(k2, "1.6.0.0-k", headers="link", build_target="/usr/src/kernels/" + k2)
    for k in (k1, k2):
        r.write("boot/vmlinuz-" + k, "")
    r.write("boot/grub2/grubenv", "# GRUB Environment Block\nsaved_entry=Amazon Linux (%s) 2\n"
            % k2 + "#" * 900 + "\n")
    r.write("etc/rc.d/init.d/network", "#! /bin/bash\n", 0o755)
    for lvl in "2345":
        r.link("etc/rc.d/rc%s.d/S10network" % lvl, "../init.d/network")
    r.write("etc/sysconfig/network-scripts/ifcfg-eth0",
            "DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\nTYPE=Ethernet\nUSERCTL=yes\n"
            "PEERDNS=yes\nDHCPV6C=yes\nDHCPV6C_OPTIONS=-nw\nPERSISTENT_DHCLIENT=yes\n"
            "RES_OPTIONS=\"timeout:2 attempts:5\"\nDHCP_ARP_CHECK=no\n")
    vmware_nics(r, "eth0", "eth1", "00:0c:29:a2:00:01", "00:0c:29:a2:00:0b")
    r.expected = expected(
        distro("amzn", ["centos", "rhel", "fedora"], "2", "Amazon Linux 2", "rhel",
               "/etc/os-release"),
        "yum",
        [kern(k1, False, "kernel-devel-" + k1, False, "1.4.16.0-k"),
         kern(k2, True, "kernel-devel-" + k2, True, "1.6.0.0-k")], None, True, "disabled",
        "dracut",
        [nic("eth0", E1000, "00:0c:29:a2:00:01", "ifcfg",
             ["/etc/sysconfig/network-scripts/ifcfg-eth0"]),
         nic("eth1", VMXNET3, "00:0c:29:a2:00:0b", None, [], carrier=False)])
    return r


@case
def arch():
    r = Root("arch")
    r.merged_usr()
    # Arch: only /usr/lib/os-release here, so the fallback is what finds it.
    r.os_release(OS["arch"], "usr")
    r.program("usr/bin/pacman")
    r.program("usr/bin/mkinitcpio")
    r.program("usr/bin/gcc")
    r.program("usr/bin/dkms", dkms_script("3.0.12"))
    k1, k2 = "6.6.35-1-lts", "6.9.7-arch1-1"
    r.kernel(k1, "1.7.0.0-k", compress=".zst")
    r.kernel(k2, "1.7.0.0-k", headers="dir", compress=".zst")
    r.write("lib/modules/%s/vmlinuz" % k1, "")
    r.write("lib/modules/%s/vmlinuz" % k2, "")
    r.write("boot/vmlinuz-linux", "")
    r.write("boot/vmlinuz-linux-lts", "")
    networkd_enabled(r)
    r.write("etc/systemd/network/20-wired.network",
            "[Match]\nName=ens33\n\n[Link]\nRequiredForOnline=routable\n\n[Network]\nDHCP=yes\n")
    r.efi(secure_boot=False)
    vmware_nics(r, "ens33", "ens160", "00:0c:29:a4:c4:01", "00:0c:29:a4:c4:0b")
    r.expected = expected(
        distro("arch", [], None, "Arch Linux", "arch", "/usr/lib/os-release"),
        "pacman",
        [kern(k1, False, "linux-lts-headers", False, "1.7.0.0-k"),
         kern(k2, True, "linux-headers", True, "1.7.0.0-k")], "3.0.12", True, "disabled",
        "mkinitcpio",
        [nic("ens160", VMXNET3, "00:0c:29:a4:c4:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:a4:c4:01", "networkd",
             ["/etc/systemd/network/20-wired.network"])])
    return r


def debian_derivative(name, osr, mac1, mac2, k, inbox):
    r = Root(name)
    r.merged_usr()
    r.os_release(osr, "link")
    debian_tools(r)
    r.kernel(k, inbox, headers="link", build_target="/usr/src/linux-headers-" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.link("boot/vmlinuz", "vmlinuz-" + k)
    nm_enabled(r)
    r.write("etc/NetworkManager/NetworkManager.conf",
            "[main]\nplugins=ifupdown,keyfile\n\n[ifupdown]\nmanaged=false\n")
    r.write("etc/network/interfaces", "auto lo\niface lo inet loopback\n")
    nm_keyfile(r, "Wired connection 1.nmconnection", "Wired connection 1",
               "7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928", mac=mac1)
    vmware_nics(r, "ens33", "ens160", mac1, mac2)
    return r


@case
def linuxmint_21():
    k = "5.15.0-113-generic"
    r = debian_derivative("linuxmint-21", OS["mint-21"], "00:0c:29:21:3a:01", "00:0c:29:21:3a:0b",
                          k, "1.6.0.0-k")
    r.expected = expected(
        distro("linuxmint", ["ubuntu", "debian"], "21.3", "Linux Mint 21.3", "debian",
               "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.6.0.0-k")], None, True,
        "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:21:3a:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:21:3a:01", "networkmanager",
             ["/etc/NetworkManager/system-connections/Wired connection 1.nmconnection"])])
    return r


@case
def pop_os_22_dot_04():
    k = "6.9.3-76060903-generic"
    r = debian_derivative("pop-os-22.04", OS["pop-22.04"], "00:0c:29:22:9c:01",
                          "00:0c:29:22:9c:0b", k, "1.7.0.0-k")
    r.efi(secure_boot=False)
    r.expected = expected(
        distro("pop", ["ubuntu", "debian"], "22.04", "Pop!_OS 22.04 LTS", "debian",
               "/etc/os-release"),
        "apt", [kern(k, True, "linux-headers-" + k, True, "1.7.0.0-k")], None, True,
        "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:22:9c:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:22:9c:01", "networkmanager",
             ["/etc/NetworkManager/system-connections/Wired connection 1.nmconnection"])])
    return r


@case
def tern_linux_9():
    r = Root("tern-linux-9")
    r.merged_usr()
    # An absolute symlink: it must resolve inside the root, not to the host's file.
    r.os_release(OS["tern-9"], "link", link="/usr/lib/os-release")
    rhel_tools(r, "dnf")
    k = "5.14.0-362.24.1.el9_3.x86_64"
    r.kernel(k, "1.7.0.0-k", headers="link", build_target="/usr/src/kernels/" + k)
    r.write("boot/vmlinuz-" + k, "")
    nm_enabled(r)
    nm_keyfile(r, "ens33.nmconnection", "ens33", "3d2c1b0a-9f8e-4d7c-a6b5-c4d3e2f1a0b9",
               ifname="ens33")
    vmware_nics(r, "ens33", "ens192", "00:0c:29:7e:09:01", "00:0c:29:7e:09:0b")
    r.expected = expected(
        distro("tern", ["rhel", "centos", "fedora"], "9.3", 'Tern Linux 9.3 ($pecial "Heron")',
               "rhel", "/etc/os-release"),
        "dnf", [kern(k, True, "kernel-devel-" + k, True, "1.7.0.0-k")], None, True, "disabled",
        "dracut",
        [nic("ens192", VMXNET3, "00:0c:29:7e:09:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:7e:09:01", "networkmanager",
             ["/etc/NetworkManager/system-connections/ens33.nmconnection"])])
    return r


@case
def unknown_distro():
    r = Root("unknown-distro")
    r.os_release(OS["zork"], "etc")
    k = "6.6.6-zork"
    # Kernels only under /usr/lib/modules, no /lib link, no index (depmod is not run for it):
    # the in-kernel module is found at its usual path.
    r.kernel(k, "1.7.0.0-k", moddir="/usr/lib/modules")
    vmware_nics(r, "eth0", "eth1", "00:0c:29:00:00:01", "00:0c:29:00:00:0b")
    r.expected = expected(
        distro("zork", [], "3", "Zork OS 3", "unknown", "/etc/os-release"),
        None, [kern(k, False, None, True, "1.7.0.0-k", moddir="/usr/lib/modules")], None, False,
        "disabled", None,
        [nic("eth0", E1000, "00:0c:29:00:00:01", None, []),
         nic("eth1", VMXNET3, "00:0c:29:00:00:0b", None, [], carrier=False)])
    return r


@case
def legacy_centos_6():
    r = Root("legacy-centos-6")
    # No os-release at all: CentOS 6 predates it.
    r.write("etc/centos-release", "CentOS release 6.10 (Final)\n")
    r.link("etc/redhat-release", "centos-release")
    r.link("etc/system-release", "centos-release")
    r.program("usr/bin/yum")
    r.program("sbin/dracut")
    k = "2.6.32-754.35.1.el6.x86_64"
    r.kernel(k, "1.4.16.0-k", headers="link", build_target="/usr/src/kernels/" + k)
    r.write("boot/vmlinuz-" + k, "")
    r.write("etc/rc.d/init.d/network", "#! /bin/bash\n", 0o755)
    r.link("etc/rc.d/rc3.d/S10network", "../init.d/network")
    r.write("etc/sysconfig/network-scripts/ifcfg-eth0",
            "DEVICE=eth0\nHWADDR=00:0C:29:06:0A:01\nTYPE=Ethernet\nONBOOT=yes\nBOOTPROTO=dhcp\n")
    vmware_nics(r, "eth0", "eth1", "00:0c:29:06:0a:01", "00:0c:29:06:0a:0b")
    r.expected = expected(
        distro("centos", [], "6.10", "CentOS release 6.10 (Final)", "rhel", "/etc/centos-release"),
        "yum", [kern(k, True, "kernel-devel-" + k, True, "1.4.16.0-k")], None, False,
        "disabled", "dracut",
        [nic("eth0", E1000, "00:0c:29:06:0a:01", "ifcfg",
             ["/etc/sysconfig/network-scripts/ifcfg-eth0"]),
         nic("eth1", VMXNET3, "00:0c:29:06:0a:0b", None, [], carrier=False)])
    return r


@case
def bad_os_release_binary():
    r = Root("bad-os-release-binary")
    r.write("etc/os-release", b'NAME="Broken"\nID=broken\n\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe\n')
    debian_tools(r, gcc=False)
    vmware_nics(r, "ens33", "ens160", "00:0c:29:ba:d0:01", "00:0c:29:ba:d0:0b")
    r.exit = 8
    r.expected = expected(
        distro(None, [], None, None, "unknown", "/etc/os-release"),
        "apt", [], None, False, "disabled", "update-initramfs",
        [nic("ens160", VMXNET3, "00:0c:29:ba:d0:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:ba:d0:01", None, [])],
        errors=[{"file": "/etc/os-release", "line": 3,
                 "message": "cannot identify the distribution: malformed (not KEY=VALUE lines, "
                            "or binary data)"}])
    return r


@case
def bad_os_release_loop():
    r = Root("bad-os-release-loop")
    r.link("etc/os-release", "os-release.d/current")
    r.link("etc/os-release.d/current", "/etc/os-release")
    r.write("usr/lib/os-release", OS["debian-12"])
    vmware_nics(r, "ens33", "ens160", "00:0c:29:ba:d1:01", "00:0c:29:ba:d1:0b")
    r.exit = 8
    r.expected = expected(
        distro(None, [], None, None, "unknown", "/etc/os-release"),
        None, [], None, False, "disabled", None,
        [nic("ens160", VMXNET3, "00:0c:29:ba:d1:0b", None, [], carrier=False),
         nic("ens33", E1000, "00:0c:29:ba:d1:01", None, [])],
        errors=[{"file": "/etc/os-release", "line": None,
                 "message": "cannot identify the distribution: symbolic link loop"}])
    return r


def main(argv):
    names = argv[1:] or sorted(CASES)
    for n in names:
        if n not in CASES:
            sys.exit("unknown case %s (known: %s)" % (n, " ".join(sorted(CASES))))
        CASES[n]().save()
    print("wrote %d roots" % len(names))


if __name__ == "__main__":
    main(sys.argv)
