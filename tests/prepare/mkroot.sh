#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds a fake root for the prepare tests: mkroot.sh DIR FAMILY (debian|rhel).
# Real enough to be chrooted into: busybox-static is its shell, and its dkms, gcc,
# update-initramfs/dracut and lsinitramfs/lsinitrd are small scripts that act on the root only
# (fake-tools/). /proc must be bound for the fake dkms build to succeed, which checks that
# prepare's bind mounts are in place.
set -euo pipefail
dir=$1 family=${2:-debian}
here=$(cd "$(dirname "$0")" && pwd)
kver=6.1.0-99-amd64
busybox=$(command -v busybox)
file "$busybox" | grep -q 'statically linked' || { echo "mkroot: needs busybox-static" >&2; exit 1; }

mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,var/lib,boot,root} \
	"$dir/lib/modules/$kver/kernel/drivers/net" "$dir/usr/src/linux-headers-$kver" \
	"$dir/usr/lib/x86_64-linux-gnu"
cp "$busybox" "$dir/bin/busybox"
for a in sh true false mkdir rm cat echo ls grep touch test find rmdir sed; do
	ln -sf busybox "$dir/bin/$a"
done
echo 'obj-m :=' > "$dir/usr/src/linux-headers-$kver/Makefile"
ln -s "/usr/src/linux-headers-$kver" "$dir/lib/modules/$kver/build"
: > "$dir/lib/modules/$kver/modules.dep"
for l in libkmod.so.2 libblkid.so.1 libmnl.so.0 libyaml-0.so.2; do
	: > "$dir/usr/lib/x86_64-linux-gnu/$l"
done
install -m 0755 "$here/fake-tools/dkms" "$dir/usr/sbin/dkms"
install -m 0755 "$here/fake-tools/gcc" "$dir/usr/bin/gcc"
printf '/dev/vda1 / ext4 defaults 0 1\n' > "$dir/etc/fstab"

case $family in
debian)
	cat > "$dir/etc/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
OS
	install -m 0755 "$here/fake-tools/apt-get" "$dir/usr/bin/apt-get"
	install -m 0755 "$here/fake-tools/update-initramfs" "$dir/usr/sbin/update-initramfs"
	install -m 0755 "$here/fake-tools/lsinitramfs" "$dir/usr/bin/lsinitramfs"
	mkdir -p "$dir/etc/initramfs-tools" "$dir/etc/network"
	printf '# modules for the initramfs\nvirtio_blk\n' > "$dir/etc/initramfs-tools/modules"
	printf 'initrd of %s\n' "$kver" > "$dir/boot/initrd.img-$kver"
	cat > "$dir/etc/network/interfaces" <<'IF'
# The loopback network interface
auto lo
iface lo inet loopback

auto ens33
iface ens33 inet dhcp
IF
	;;
rhel)
	cat > "$dir/etc/os-release" <<'OS'
NAME="Rocky Linux"
VERSION_ID="9.3"
ID="rocky"
ID_LIKE="rhel centos fedora"
OS
	install -m 0755 "$here/fake-tools/dracut" "$dir/usr/bin/dracut"
	install -m 0755 "$here/fake-tools/lsinitrd" "$dir/usr/bin/lsinitrd"
	: > "$dir/usr/bin/dnf"
	chmod 0755 "$dir/usr/bin/dnf"
	printf 'initrd of %s\n' "$kver" > "$dir/boot/initramfs-$kver.img"
	# RHEL 9: NetworkManager with a keyfile.
	mkdir -p "$dir/etc/NetworkManager/system-connections" "$dir/usr/lib/systemd/system" \
		"$dir/etc/systemd/system/multi-user.target.wants"
	printf '[Unit]\nDescription=Network Manager\n[Install]\nWantedBy=multi-user.target\n' \
		> "$dir/usr/lib/systemd/system/NetworkManager.service"
	ln -s /usr/lib/systemd/system/NetworkManager.service \
		"$dir/etc/systemd/system/multi-user.target.wants/NetworkManager.service"
	printf '[connection]\nid=ens33\ntype=ethernet\ninterface-name=ens33\n\n[ipv4]\nmethod=auto\n' \
		> "$dir/etc/NetworkManager/system-connections/ens33.nmconnection"
	chmod 0600 "$dir/etc/NetworkManager/system-connections/ens33.nmconnection"
	;;
*)
	echo "mkroot: unknown family $family" >&2
	exit 2
	;;
esac
