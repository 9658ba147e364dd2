#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tests of `vnic-install prepare --root` and `--image` on the host (root): fake roots of two
# distribution families, GPT images with a separate /boot, failures injected mid-way (the
# image stays byte-identical, the root identical), ambivalent/LVM/LUKS layouts refused before
# anything is mounted, an image locked by a running QEMU refused, qcow2. Every loop device and
# mount a case makes is removed on exit, also on failure.
# Usage: tests/prepare/run.sh [VNIC_BINARY]    (default build/vnic-install)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
vnic=$(realpath "${1:-$top/build/vnic-install}")
[ "$(id -u)" = 0 ] || { echo "prepare tests: need root (loop devices, mounts, chroot)" >&2; exit 1; }
work=$(mktemp -d /var/tmp/vnic-prepare-tests.XXXXXX)
kver=6.1.0-99-amd64
passed=0 failed=0 qemu_pid=
declare -a loops=() mnts=()

cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	for ((i = ${#mnts[@]} - 1; i >= 0; i--)); do umount "${mnts[i]}" 2>/dev/null; done
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); keep=1; }
keep=0

# A listing of a tree (type, mode, size, digest), vnic's own state directory left out.
snap() {
	(cd "$1" && find . -path ./var/lib/vnic -prune -o -path ./proc -prune -o -path ./sys -prune \
		-o -path ./dev -prune -o -printf '%y %m %s %p\n' | sort &&
		find . -path ./var/lib/vnic -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
}
# What a leak to the host would show: anything of the fake roots' kernel release (host DKMS
# tree, modules, initramfs), and mounts or loop devices of ours. (Other work on this machine
# may use the host's DKMS at the same time, so the host's trees are not compared whole.)
host_state() {
	{ ls -d /lib/modules/$kver /boot/*$kver* /var/lib/dkms/vmxnet3/*/$kver /usr/src/linux-headers-$kver
	  findmnt -rn -o TARGET | grep -e /run/vnic-image -e "$work"
	  losetup -a | grep -e vnic-image -e "$work"; } 2>/dev/null
}

# mkpart DIR OUT SIZE_MB [UUID]: an ext4 file system image with DIR's contents.
mkpart() { mke2fs -q -t ext4 ${4:+-U "$4"} -d "$1" "$2" "${3}M"; }
# mkimage ROOTDIR OUT [BOOTDIR]: GPT, root at 1 MiB (96 MiB); with BOOTDIR a /boot partition
# first (32 MiB) that the root's fstab mounts by UUID.
mkimage() {
	local rootdir=$1 out=$2 bootdir=${3:-} uuid=7a1c0e54-0c5f-4b6e-9d0e-4b1f3d1e2a10
	rm -f "$out"
	truncate -s 160M "$out"
	if [ -n "$bootdir" ]; then
		printf 'label: gpt\nstart=2048, size=32M, type=L\nsize=96M, type=L\n' | sfdisk -q "$out"
		printf 'UUID=%s /boot ext4 defaults 0 2\n' "$uuid" >> "$rootdir/etc/fstab"
		mkpart "$bootdir" "$work/boot.part" 32 "$uuid"
		dd if="$work/boot.part" of="$out" bs=1M seek=1 conv=notrunc,sparse status=none
		mkpart "$rootdir" "$work/root.part" 96
		dd if="$work/root.part" of="$out" bs=1M seek=33 conv=notrunc,sparse status=none
	else
		printf 'label: gpt\nstart=2048, size=96M, type=L\n' | sfdisk -q "$out"
		mkpart "$rootdir" "$work/root.part" 96
		dd if="$work/root.part" of="$out" bs=1M seek=1 conv=notrunc,sparse status=none
	fi
	rm -f "$work/boot.part" "$work/root.part"
}
# mountpart IMAGE OFFSET_MB DIR: read-only loop mount for checking.
mountpart() {
	local l
	l=$(losetup -f --show -r -o $(($2 * 1024 * 1024)) "$1") || return 1
	loops+=("$l")
	mkdir -p "$3" && mount -o ro "$l" "$3" && mnts+=("$3")
}
umountall() { cleanup; mnts=(); loops=(); }

debian_root() { rm -rf "$1"; "$here/mkroot.sh" "$1" debian; }

# --- --root, per family ----------------------------------------------------------------------
for family in debian rhel; do
	r=$work/root-$family
	rm -rf "$r"; "$here/mkroot.sh" "$r" "$family"
	before=$(snap "$r"); hbefore=$(host_state)
	# The dry run: every step shown (DKMS, files with diffs, the guard, the initramfs), nothing
	# changed, and the same as one JSON document.
	out=$("$vnic" plan --root "$r" --from ens33 --source "$top" 2>&1); rc=$?
	js=$("$vnic" plan --root "$r" --from ens33 --source "$top" --json 2>/dev/null)
	case $family in debian) regen=update-initramfs ;; rhel) regen=dracut ;; esac
	if [ $rc -eq 0 ] && grep -q "dkms build vmxnet3/2.0.0 -k $kver" <<<"$out" &&
		grep -q "^ *run:  $regen" <<<"$out" && grep -q "+CHECK=" <<<"$out" &&
		grep -q "vnic-guard.service" <<<"$out" &&
		/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["operation"] == "prepare"; assert any(s["kind"] == "write" for s in d["steps"])' <<<"$js" &&
		[ "$(snap "$r")" = "$before" ] && [ "$(host_state)" = "$hbefore" ]; then
		ok "root-$family: plan --root shows every step (text and JSON) and changes nothing"
	else
		bad "root-$family plan" "rc=$rc; $out; diff: $(diff <(echo "$before") <(snap "$r") | head)"
	fi
	# The step layer's invariant on a copy: the plan's step ids are the ids prepare journals.
	rm -rf "$r.ids"; cp -a "$r" "$r.ids"
	if out=$(/usr/bin/python3 "$top/tests/step-ids.py" "$vnic" "$r.ids" prepare --from ens33 \
		--source "$top" 2>&1); then
		ok "root-$family: the plan's step ids are the ids prepare journals ($(echo $out))"
	else
		bad "root-$family step ids" "$out"
	fi
	rm -rf "$r.ids"
	touch "$r/etc/vnic-test-fail-build"
	out=$("$vnic" prepare --root "$r" --from ens33 --source "$top" 2>&1); rc=$?
	rm -f "$r/etc/vnic-test-fail-build"
	if [ $rc -ne 0 ] && [ "$(snap "$r")" = "$before" ] && [ "$(host_state)" = "$hbefore" ] &&
		! findmnt -rn -o TARGET | grep -q "^$r"; then
		ok "root-$family: a failed DKMS build leaves the root identical, nothing mounted"
	else
		bad "root-$family failed build" "rc=$rc; $out; diff: $(diff <(echo "$before") <(snap "$r") | head)"
	fi
	before=$(snap "$r")
	out=$("$vnic" prepare --root "$r" --from ens33 --source "$top" 2>&1); rc=$?
	st=$("$vnic" status --root "$r" 2>&1)
	case $family in
	debian) initrd=$r/boot/initrd.img-$kver; icfg=$r/etc/initramfs-tools/modules ;;
	rhel) initrd=$r/boot/initramfs-$kver.img; icfg=$r/etc/dracut.conf.d/50-vnic-vmxnet3.conf ;;
	esac
	if [ $rc -eq 0 ] && grep -q "updates/dkms/vmxnet3.ko" "$initrd" && grep -q vmxnet3 "$icfg" &&
		[ -f "$r/etc/systemd/system/vnic-guard.service" ] &&
		[ -x "$r/usr/local/sbin/vnic-install" ] && grep -q 'Wants=vnic-guard.service' \
			"$r/etc/systemd/system/multi-user.target.d/50-vnic-guard.conf" &&
		[ -f "$r/usr/src/vmxnet3-2.0.0/dkms.conf" ] &&
		grep -q "boot guard armed" <<<"$st" && [ "$(host_state)" = "$hbefore" ] &&
		! findmnt -rn -o TARGET | grep -q "^$r"; then
		ok "root-$family: driver, initramfs, network and guard staged; binds gone; host unchanged"
	else
		bad "root-$family prepare" "rc=$rc; $out; $st"
	fi
	# The boot guard's timeout path: recovery with the guarded change included. Its undo
	# commands run in the root's chroot with /proc, /sys and /dev bound (without /dev, dracut
	# used to leave a regular file dev/null in the root), and nothing stays mounted.
	"$vnic" recover --root "$r" --force >/dev/null 2>&1
	if [ "$(snap "$r")" = "$before" ] && [ ! -f "$r/dev/null" ] &&
		! findmnt -rn -o TARGET | grep -q "^$r"; then
		ok "root-$family: recover --force (the guard's restore) gives back the original root"
	else
		bad "root-$family recover" "$(diff <(echo "$before") <(snap "$r") | head -20)"
	fi
done

# Offline without --from: the one Ethernet interface the root's configuration names is the
# E1000 (a VLAN on it and a bridge beside it do not count); with two, prepare names both, asks
# which, and changes nothing.
r=$work/root-nofrom
debian_root "$r"
printf 'auto ens33.5\niface ens33.5 inet static\n  address 10.5.0.2/24\n' >> "$r/etc/network/interfaces"
printf 'auto br0\niface br0 inet static\n  bridge_ports none\n  address 10.6.0.1/24\n' \
	>> "$r/etc/network/interfaces"
out=$("$vnic" prepare --root "$r" --source "$top" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "configures one Ethernet interface, ens33" <<<"$out"; then
	ok "no --from: the one interface the root configures moves (VLAN and bridge beside it)"
else
	bad "no --from, one interface" "rc=$rc; $out"
fi
r=$work/root-twofrom
debian_root "$r"
printf 'auto ens34\niface ens34 inet static\n  address 10.0.0.2/24\n' >> "$r/etc/network/interfaces"
before=$(snap "$r")
out=$("$vnic" prepare --root "$r" --source "$top" 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "It configures ens33, ens34: name one with --from" <<<"$out" &&
	[ "$(snap "$r")" = "$before" ]; then
	ok "no --from: two configured interfaces are named, the root is unchanged"
else
	bad "no --from, two interfaces" "rc=$rc; $out"
fi

# The E1000 a port of a bond (systemd-networkd): prepare moves it (the VMXNET3 NIC takes the
# E1000's name, so the bond's files stay as they are) and the boot guard checks the port and the
# bond's address (CHECK=address: the bond's gateway is not in the port's model).
r=$work/root-bondport
debian_root "$r"
rm -f "$r/etc/network/interfaces"
mkdir -p "$r/etc/systemd/network"
printf '[NetDev]\nName=bond0\nKind=bond\n' > "$r/etc/systemd/network/05-bond0.netdev"
printf '[Match]\nName=ens33\n\n[Network]\nBond=bond0\n' > "$r/etc/systemd/network/10-ens33.network"
printf '[Match]\nName=bond0\n\n[Network]\nAddress=10.0.0.2/24\n' > "$r/etc/systemd/network/20-bond0.network"
mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
ln -sf /lib/systemd/system/systemd-networkd.service "$r/etc/systemd/system/multi-user.target.wants/"
out=$("$vnic" prepare --root "$r" --from ens33 --source "$top" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "ens33 is a port of the bond bond0" <<<"$out" &&
	grep -qx "CHECK=address" "$r/etc/vnic/guard.conf" &&
	grep -qx "Bond=bond0" "$r/etc/systemd/network/10-ens33.network" &&
	grep -qx "Name=ens33" "$r/etc/systemd/network/10-vnic-ens33.link"; then
	ok "a bond port: prepared, the bond's files as they were, the guard checks the address"
else
	bad "bond port" "rc=$rc; $out"
fi

# The module registered already (as the vmxnet3-dkms package leaves it): a failed prepare, and
# the boot guard's restore after a good one, leave it registered (`dkms remove --all` is the
# undo of an add this run made, never of one it found done).
r=$work/root-registered
debian_root "$r"
mkdir -p "$r/var/lib/dkms/vmxnet3/2.0.0/source"
touch "$r/etc/vnic-test-fail-build"
before=$(snap "$r")
"$vnic" prepare --root "$r" --from ens33 --source "$top" >/dev/null 2>&1; rc=$?
rm -f "$r/etc/vnic-test-fail-build"
if [ $rc -ne 0 ] && [ -d "$r/var/lib/dkms/vmxnet3/2.0.0/source" ] &&
	[ "$(snap "$r" | grep -v vnic-test-fail-build)" = "$(grep -v vnic-test-fail-build <<<"$before")" ]; then
	ok "registered module: a failed prepare leaves it registered and the root as it was"
else
	bad "registered module, failed prepare" "rc=$rc; $(ls "$r/var/lib/dkms/vmxnet3" 2>&1)"
fi
before=$(snap "$r")
out=$("$vnic" prepare --root "$r" --from ens33 --source "$top" 2>&1); rc=$?
"$vnic" recover --root "$r" --force >/dev/null 2>&1
if [ $rc -eq 0 ] && [ -d "$r/var/lib/dkms/vmxnet3/2.0.0/source" ] && [ "$(snap "$r")" = "$before" ]; then
	ok "registered module: the guard's restore after prepare leaves it registered"
else
	bad "registered module, restore" "rc=$rc; $out; $(ls "$r/var/lib/dkms/vmxnet3" 2>&1)"
fi

# --install-tools: open-vm-tools installed by the root's package manager in prepare's own
# transaction (plan and journal agree on its step); a failed prepare and the guard's restore
# take it away again (the removal is the undo); a failed install changes nothing.
r=$work/root-tools
debian_root "$r"
before=$(snap "$r")
rm -rf "$r.ids"; cp -a "$r" "$r.ids"
ids=$(/usr/bin/python3 "$top/tests/step-ids.py" "$vnic" "$r.ids" prepare --from ens33 --source "$top" \
	--install-tools 2>&1); idrc=$?
plan=$("$vnic" plan --root "$r" --from ens33 --source "$top" --install-tools 2>&1)
out=$("$vnic" prepare --root "$r" --from ens33 --source "$top" --install-tools 2>&1); rc=$?
if [ $idrc -eq 0 ] && [ $rc -eq 0 ] && [ -x "$r/usr/bin/vmtoolsd" ] && [ -x "$r.ids/usr/bin/vmtoolsd" ] &&
	grep -q "run:  apt-get install -y --no-install-recommends open-vm-tools" <<<"$plan" &&
	grep -q "undo: apt-get remove -y open-vm-tools" <<<"$plan"; then
	ok "prepare --install-tools: open-vm-tools installed in the transaction ($(echo $ids))"
else
	bad "prepare --install-tools" "rc=$rc idrc=$idrc; $ids; $out"
fi
"$vnic" recover --root "$r" --force >/dev/null 2>&1
if [ ! -e "$r/usr/bin/vmtoolsd" ] && [ "$(snap "$r")" = "$before" ]; then
	ok "prepare --install-tools: the guard's restore removes open-vm-tools again"
else
	bad "prepare --install-tools restore" "$(diff <(echo "$before") <(snap "$r") | head)"
fi
touch "$r/etc/vnic-test-fail-build"
before=$(snap "$r")
"$vnic" prepare --root "$r" --from ens33 --source "$top" --install-tools >/dev/null 2>&1; rc=$?
if [ $rc -ne 0 ] && [ ! -e "$r/usr/bin/vmtoolsd" ] && [ "$(snap "$r")" = "$before" ]; then
	ok "prepare --install-tools: a failed build takes open-vm-tools away with the rest"
else
	bad "prepare --install-tools, failed build" "rc=$rc; $(diff <(echo "$before") <(snap "$r") | head)"
fi
rm -f "$r/etc/vnic-test-fail-build"
touch "$r/etc/vnic-test-fail-apt"
before=$(snap "$r")
out=$("$vnic" prepare --root "$r" --from ens33 --source "$top" --install-tools 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "Failed to fetch open-vm-tools" <<<"$out" && [ "$(snap "$r")" = "$before" ]; then
	ok "prepare --install-tools: a failed install is reported with apt-get's words; nothing changed"
else
	bad "prepare --install-tools, failed install" "rc=$rc; $out"
fi
rm -rf "$r" "$r.ids"

# The same invariant for swap with the driver (in process, its own transaction, the lock handed
# on to the swap's): the fake root stands for the running system (VNIC_TEST_FAKE_LIVE: commands
# run as `true ...`), its NICs are debian-12's from tests/roots, its initramfs carries the
# kernel's own vmxnet3 (so that the image is kept, regenerated and checked).
swap_root() {
	debian_root "$1"
	cp -a "$top/tests/roots/debian-12/root/sys" "$1/"
	printf '#!/bin/sh\nexit 0\n' >"$1/usr/bin/make" && chmod 755 "$1/usr/bin/make"
	printf 'initrd of %s\nlib/modules/%s/kernel/drivers/net/ethernet/vmware/vmxnet3/vmxnet3.ko\n' \
		"$kver" "$kver" >"$1/boot/initrd.img-$kver"
}
r=$work/root-swap
swap_root "$r"
js=$(VNIC_TEST_FAKE_LIVE=1 "$vnic" plan --root "$r" --json 2>/dev/null)
if grep -q '"driver.dkms-build.'"$kver"'"' <<<"$js" && grep -q '"driver.initramfs-check.' <<<"$js" &&
	out=$(VNIC_TEST_FAKE_LIVE=1 /usr/bin/python3 "$top/tests/step-ids.py" "$vnic" "$r" swap 2>&1) &&
	grep -q "2 transaction" <<<"$out"; then
	ok "swap with the driver: plan shows the driver's steps, and its step ids are the journal's ($(echo $out))"
else
	bad "swap step ids" "$out"
fi
swap_root "$r"
if out=$(VNIC_TEST_FAKE_LIVE=1 /usr/bin/python3 "$top/tests/step-ids.py" "$vnic" "$r" swap \
	--confirm-timeout 60 2>&1) && "$vnic" status --root "$r" | grep -q "boot guard armed"; then
	ok "swap --confirm-timeout: the guard's files are steps of the plan and of the journal ($(echo $out))"
else
	bad "swap --confirm-timeout step ids" "$out"
fi

# Killed (_exit) at the N-th POINT, for every N, then `recover`: the root is as it was before,
# or (swap) with only the driver's committed transaction kept, or as after the whole run.
# crash_every VERB POINT: counts the points in crash_points.
crash_points=0
crash_every() {
	local verb=$1 point=$2 n=0 rc crashed=0 before after driver_only now
	local -a run
	r=$work/root-crash
	if [ "$verb" = prepare ]; then
		run=(env "$vnic" prepare --root "$r" --from ens33 --source "$top")
		debian_root "$r"; before=$(snap "$r")
		driver_only=$before
	elif [ "$verb" = driver ]; then
		run=(env "$vnic" driver install --root "$r" --source "$top" --yes)
		swap_root "$r"; before=$(snap "$r")
		driver_only=$before
	else
		run=(env VNIC_TEST_FAKE_LIVE=1 "$vnic" swap --root "$r" --yes)
		swap_root "$r"; before=$(snap "$r")
		VNIC_TEST_LINKCHECK=fail "${run[@]}" >/dev/null 2>&1
		driver_only=$(snap "$r")
	fi
	"${run[@]}" >/dev/null 2>&1
	after=$(snap "$r")
	while [ $n -lt 400 ]; do
		n=$((n + 1))
		if [ "$verb" = prepare ]; then debian_root "$r"; else swap_root "$r"; fi # driver: swap's root
		VNIC_FAULT=$point:$n:crash "${run[@]}" >/dev/null 2>&1; rc=$?
		[ $rc -eq 0 ] && break
		if [ $rc -ne 99 ]; then
			bad "$verb killed at $point:$n" "exit $rc, not the crash's 99"
			return
		fi
		crashed=$((crashed + 1))
		"$vnic" recover --root "$r" >/dev/null 2>&1
		now=$(snap "$r")
		if [ "$now" != "$before" ] && [ "$now" != "$driver_only" ] && [ "$now" != "$after" ]; then
			bad "$verb killed at $point:$n" "after recover: $(diff <(echo "$before") <(echo "$now") | head)"
			return
		fi
		if ! "$vnic" status --root "$r" 2>&1 | grep -q "^Pending: none"; then
			bad "$verb killed at $point:$n" "a transaction is still pending after recover"
			return
		fi
	done
	ok "$verb killed at each of its $crashed '$point' points: recover leaves it as before or after"
	crash_points=$((crash_points + crashed))
}
for point in journal start; do
	crash_every prepare $point
	crash_every swap $point
	crash_every driver $point
done
# A recovery that is itself killed (at its M-th undo, for every M) after prepare was killed at
# its last journal record (every change made, none committed): the next recover finishes it.
r=$work/root-crash
debian_root "$r"; before=$(snap "$r")
"$vnic" prepare --root "$r" --from ens33 --source "$top" >/dev/null 2>&1
n_journal=$(grep -c '' "$r"/var/lib/vnic/txn/*/journal)
m=0 doubles=0
while [ $m -lt 200 ]; do
	m=$((m + 1))
	debian_root "$r"
	VNIC_FAULT=journal:$n_journal:crash "$vnic" prepare --root "$r" --from ens33 --source "$top" >/dev/null 2>&1
	VNIC_FAULT=undo:$m:crash "$vnic" recover --root "$r" >/dev/null 2>&1; rc=$?
	[ $rc -eq 0 ] && break
	[ $rc -eq 99 ] || { bad "recovery killed at undo:$m" "exit $rc"; break; }
	doubles=$((doubles + 1))
	"$vnic" recover --root "$r" >/dev/null 2>&1
	if [ "$(snap "$r")" != "$before" ]; then
		bad "recovery killed at undo:$m" "$(diff <(echo "$before") <(snap "$r") | head)"
		break
	fi
done
[ $doubles -gt 0 ] && ok "prepare's recovery killed at each of its $doubles undos: the next recover finishes it"
crash_points=$((crash_points + doubles))
echo "     crash points covered here: $crash_points"

# Bad input: a malformed os-release (not one assignment: lines that are not are skipped, as
# systemd skips them, but here nothing is left) is named with its line, and nothing changes.
r=$work/root-bad
debian_root "$r"
printf '# merged by hand\n<<<<<<< ours\nID debian\n' >"$r/etc/os-release"
before=$(snap "$r")
out=$("$vnic" prepare --root "$r" --from ens33 --source "$top" 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "/etc/os-release:2" <<<"$out" && [ "$(snap "$r")" = "$before" ]; then
	ok "root: a malformed os-release is refused with file:line, the root unchanged"
else
	bad "root malformed os-release" "rc=$rc; $out"
fi

# --- --image ----------------------------------------------------------------------------------
img=$work/disk.raw
debian_root "$work/r"
mkdir -p "$work/b"
mv "$work/r/boot/"* "$work/b/"
mkimage "$work/r" "$img" "$work/b"
sum0=$(sha256sum <"$img")
hbefore=$(host_state)
out=$("$vnic" plan --image "$img" --from ens33 --source "$top" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "dkms build vmxnet3/2.0.0 -k $kver" <<<"$out" &&
	[ "$(sha256sum <"$img")" = "$sum0" ] && [ ! -e "$img.vnic-overlay.qcow2" ] &&
	[ "$(host_state)" = "$hbefore" ]; then
	ok "image: plan --image shows prepare's steps; the image stays byte-identical"
else
	bad "image plan" "rc=$rc; $out"
fi
for fault in dkms-build:1 initramfs:1 write:5:ENOSPC step:3 image-finish:1; do
	out=$(VNIC_FAULT=$fault "$vnic" prepare --image "$img" --from ens33 --source "$top" 2>&1); rc=$?
	if [ $rc -ne 0 ] && [ "$(sha256sum <"$img")" = "$sum0" ] && [ ! -e "$img.vnic-overlay.qcow2" ] &&
		[ "$(host_state)" = "$hbefore" ]; then
		ok "image: failure at $fault leaves the image byte-identical, no overlay, host unchanged"
	else
		bad "image fault $fault" "rc=$rc; $out; host: $(diff <(echo "$hbefore") <(host_state))"
	fi
done
# Killed outright (as by SIGKILL, during the DKMS build): the image is intact, no loop device
# is left; the export's dead FUSE mount under /run is removed by the next run (checked below).
(VNIC_FAULT=dkms-build:1:crash "$vnic" prepare --image "$img" --from ens33 --source "$top" >/dev/null 2>&1)
sleep 1
if [ "$(sha256sum <"$img")" = "$sum0" ] && ! losetup -a | grep -q "$work" &&
	! findmnt -rn -o TARGET | grep -q "^$work"; then
	ok "image: a run killed mid-way leaves the image byte-identical and no mount or loop device of it"
else
	bad "image crash" "$(losetup -a; findmnt -rn | grep -e vnic-image -e "$work")"
fi

out=$("$vnic" prepare --image "$img" --from ens33 --source "$top" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ ! -e "$img.vnic-overlay.qcow2" ] && [ "$(host_state)" = "$hbefore" ] &&
	! findmnt -rn -o TARGET | grep -q /run/vnic-image; then
	mountpart "$img" 33 "$work/m" && mountpart "$img" 1 "$work/m/boot"
	st=$("$vnic" status --root "$work/m" 2>&1)
	if grep -q "updates/dkms/vmxnet3.ko" "$work/m/boot/initrd.img-$kver" &&
		[ -f "$work/m/lib/modules/$kver/updates/dkms/vmxnet3.ko" ] &&
		[ -f "$work/m/etc/systemd/system/vnic-guard.service" ] && grep -q "boot guard armed" <<<"$st"; then
		ok "image: prepared (separate /boot by fstab UUID): module, initramfs, guard, journal"
	else
		bad "image contents" "$st; $(ls -la "$work/m/boot")"
	fi
	umountall
else
	bad "image prepare" "rc=$rc; $out"
fi

# qcow2
debian_root "$work/r2"
mkimage "$work/r2" "$work/d2.raw"
qemu-img convert -O qcow2 "$work/d2.raw" "$work/d2.qcow2"
out=$("$vnic" prepare --image "$work/d2.qcow2" --from ens33 --source "$top" 2>&1); rc=$?
qemu-img convert -O raw "$work/d2.qcow2" "$work/d2b.raw"
mountpart "$work/d2b.raw" 1 "$work/m2"
if [ $rc -eq 0 ] && [ -f "$work/m2/etc/systemd/system/vnic-guard.service" ]; then
	ok "qcow2 image prepared"
else
	bad "qcow2" "rc=$rc; $out"
fi
umountall

# Refusals before anything is mounted: exit code 6, image untouched.
refuse() { # NAME IMAGE PATTERN
	local s out rc
	s=$(sha256sum <"$2")
	out=$("$vnic" prepare --image "$2" --from ens33 --source "$top" 2>&1); rc=$?
	if [ $rc -eq 6 ] && grep -q "$3" <<<"$out" && grep -q "nothing was mounted" <<<"$out" &&
		[ "$(sha256sum <"$2")" = "$s" ]; then
		ok "refused: $1"
	else
		bad "refuse $1" "rc=$rc; $out"
	fi
}
truncate -s 64M "$work/amb.raw" && mke2fs -q -t ext4 -d "$work/r2" "$work/amb.raw"
printf '\x01CD001\x01' | dd of="$work/amb.raw" bs=1 seek=32768 conv=notrunc status=none
refuse "ambivalent probe (ext4 and iso9660 signatures)" "$work/amb.raw" "more than one\|cannot tell"
truncate -s 64M "$work/lvm.raw"
printf 'label: gpt\nstart=2048, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n' | sfdisk -q "$work/lvm.raw"
refuse "LVM partition" "$work/lvm.raw" "LVM"
truncate -s 64M "$work/luks.raw"
printf 'label: gpt\nstart=2048, type=L\n' | sfdisk -q "$work/luks.raw"
printf 'LUKS\xba\xbe\x00\x01aes' | dd of="$work/luks.raw" bs=1 seek=1048576 conv=notrunc status=none
refuse "LUKS partition" "$work/luks.raw" "LUKS"

# An image a running QEMU holds (it takes OFD locks): refused with exit code 4.
debian_root "$work/r3"
mkimage "$work/r3" "$work/d3.raw"
s=$(sha256sum <"$work/d3.raw")
qemu-system-x86_64 -accel tcg -S -nodefaults -display none -m 64 \
	-drive "file=$work/d3.raw,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0 &
qemu_pid=$!
sleep 2
out=$("$vnic" prepare --image "$work/d3.raw" --from ens33 --source "$top" 2>&1); rc=$?
kill "$qemu_pid"; wait "$qemu_pid" 2>/dev/null; qemu_pid=
if [ $rc -eq 4 ] && grep -q "in use" <<<"$out" && [ "$(sha256sum <"$work/d3.raw")" = "$s" ]; then
	ok "refused: image locked by a running QEMU"
else
	bad "locked image" "rc=$rc; $out"
fi

echo "prepare: $passed passed, $failed failed"
if [ $failed -eq 0 ] && [ $keep -eq 0 ]; then rm -rf "$work"; else echo "kept: $work"; fi
[ $failed -eq 0 ]
