#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: the same template preparation done by virt-customize (libguestfs boots an
# appliance VM; forced to TCG here, where KVM guests hang) and by `vnic-install prepare --image` (a chroot on the host),
# side by side on two copies of the same image in the same run: wall time of each and the
# ratio. The job: the driver's sources into /usr/src, dkms add + build + install for the
# image's kernel, vmxnet3 into the initramfs configuration and update-initramfs, a .link file
# that keeps the interface name. (prepare does more on top: the checks, the journal, the
# network plan and the boot guard.)
# Run by `make bench` (tests/e2e/bench.sh). Needs root; virt-customize from libguestfs-tools
# (when it is missing or cannot run here, only our figure is printed, and why).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
vnic=$top/build/vnic-install
version=$(cat "$top/VERSION")
python=${PYTHON:-/usr/bin/python3}
[ "$(id -u)" = 0 ] || { echo "bench_prepare: needs root" >&2; exit 1; }
[ -x "$vnic" ] || { echo "bench_prepare: build $vnic first (make installer)" >&2; exit 1; }

base=$(cd "$top/tests/vm" && "$python" -c \
	'from vnictest.images import get_image; i = get_image("ifupdown"); print(i.disk, i.kver)') ||
	{ echo "bench_prepare: the harness image could not be built" >&2; exit 1; }
read -r image kver <<<"$base"
work=$(mktemp -d /var/tmp/vnic-bench-prepare.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp --sparse=always "$image" "$work/ours.raw"
cp --sparse=always "$image" "$work/theirs.raw"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- ours ---
t0=$(now)
"$vnic" -q prepare --image "$work/ours.raw" --from ens3 --source "$top" >"$work/ours.log" 2>&1
rc=$?
t1=$(now)
if [ $rc -ne 0 ]; then
	cat "$work/ours.log" >&2
	echo "bench_prepare: vnic-install prepare failed ($rc)" >&2
	exit 1
fi
ours=$(secs "$t0" "$t1")

# --- virt-customize ---
theirs=
why=
if ! command -v virt-customize >/dev/null; then
	why="virt-customize is not installed (Debian: libguestfs-tools)"
else
	stage=$work/src/vmxnet3-$version
	mkdir -p "$stage"
	cp "$top"/driver/*.c "$top"/driver/*.h "$top"/driver/Kbuild "$stage"/ 2>/dev/null
	[ -e "$top/driver/Makefile" ] && cp "$top/driver/Makefile" "$stage/"
	sed "s/#MODULE_VERSION#/$version/g" "$top/dkms.conf" >"$stage/dkms.conf"
	printf '[Match]\nDriver=vmxnet3\n\n[Link]\nName=ens3\n' >"$work/10-vnic-ens3.link"
	job="dkms add vmxnet3/$version && dkms build vmxnet3/$version -k $kver && "
	job+="dkms install vmxnet3/$version -k $kver && "
	job+="echo vmxnet3 >> /etc/initramfs-tools/modules && update-initramfs -u -k $kver && "
	job+="lsinitramfs /boot/initrd.img-$kver | grep -q updates/dkms/vmxnet3.ko"
	t0=$(now)
	LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg timeout 3600 virt-customize --format raw -a "$work/theirs.raw" \
		--no-network --memsize 1024 --smp 2 \
		--copy-in "$stage:/usr/src" \
		--copy-in "$work/10-vnic-ens3.link:/etc/systemd/network" \
		--run-command "$job" >"$work/theirs.log" 2>&1
	rc=$?
	t1=$(now)
	if [ $rc -eq 0 ]; then
		theirs=$(secs "$t0" "$t1")
	else
		why="virt-customize failed here (exit $rc): $(tail -n 3 "$work/theirs.log" | tr '\n' ' ')"
	fi
fi

echo "prepare an image (DKMS build + install, initramfs, network file), same image, same run:"
printf '  %-38s %8s s\n' "vnic-install prepare --image" "$ours"
if [ -n "$theirs" ]; then
	printf '  %-38s %8s s\n' "virt-customize (LIBGUESTFS_BACKEND=direct)" "$theirs"
	awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "  ratio virt-customize / vnic-install: %.2f\n", a / b }'
else
	echo "  virt-customize: not measured: $why"
fi
