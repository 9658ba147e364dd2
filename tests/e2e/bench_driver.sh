#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: what DKMS costs on top of the driver's own build. For one kernel (KVER, default:
# the newest installed headers), in the same run and on the same sources: wall time of a plain
# `make -C /lib/modules/KVER/build M=...` next to `dkms add` + `dkms build` + `dkms install`,
# in a scratch DKMS tree (--dkmstree/--sourcetree/--installtree), so the host's real DKMS state
# is never touched. Prints the figures and their ratio; never fails on a time.
#   bench_driver.sh [--runs N]        (env: KVER, BENCH_RUNS)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
version=$(cat "$top/VERSION")
runs=${BENCH_RUNS:-2}
[ "${1:-}" = --runs ] && runs=$2
kver=${KVER:-$(ls -1d /lib/modules/*/build 2>/dev/null | sed -e 's|^/lib/modules/||' -e 's|/build$||' | sort -V | tail -n 1)}
if [ -z "$kver" ] || [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
	echo "bench_driver: no kernel headers (install linux-headers-amd64 or set KVER=)" >&2
	exit 1
fi
command -v dkms >/dev/null || { echo "bench_driver: dkms is not installed" >&2; exit 1; }
[ -f "$top/driver/Kbuild" ] || [ -f "$top/driver/Makefile" ] || { echo "bench_driver: no driver sources" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vnic-bench-driver.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
jobs=$(nproc)

stage() { # stage DIR: the sources as vnic-install stages them
	mkdir -p "$1"
	find "$top/driver" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name Kbuild -o -name Makefile \) \
		-exec cp {} "$1/" \;
	sed "s/#MODULE_VERSION#/$version/" "$top/dkms.conf" >"$1/dkms.conf"
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

make_times=() dkms_times=()
for i in $(seq 1 "$runs"); do
	# plain kbuild
	rm -rf "$scratch/plain"
	stage "$scratch/plain"
	t0=$EPOCHREALTIME
	make -s -j"$jobs" -C "/lib/modules/$kver/build" M="$scratch/plain" VNX_VERSION="$version" modules \
		>"$scratch/make.log" 2>&1 || { echo "bench_driver: plain build failed:" >&2; tail -n 20 "$scratch/make.log" >&2; exit 1; }
	make_times+=("$(elapsed "$t0" "$EPOCHREALTIME")")

	# DKMS, in a scratch tree (the kernel's own install tree is not written)
	rm -rf "$scratch/src" "$scratch/tree" "$scratch/inst"
	stage "$scratch/src/vmxnet3-$version"
	mkdir -p "$scratch/tree" "$scratch/inst/$kver"
	d=(--dkmstree "$scratch/tree" --sourcetree "$scratch/src" --installtree "$scratch/inst")
	t0=$EPOCHREALTIME
	{ dkms add "vmxnet3/$version" "${d[@]}" &&
		dkms build "vmxnet3/$version" -k "$kver" -j "$jobs" "${d[@]}" &&
		dkms install "vmxnet3/$version" -k "$kver" "${d[@]}"; } >"$scratch/dkms.log" 2>&1 ||
		{ echo "bench_driver: dkms failed:" >&2; tail -n 20 "$scratch/dkms.log" >&2; exit 1; }
	dkms_times+=("$(elapsed "$t0" "$EPOCHREALTIME")")
	[ -n "$(find "$scratch/inst/$kver" -name 'vmxnet3.ko*' -print -quit)" ] ||
		{ echo "bench_driver: dkms installed no module" >&2; exit 1; }
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { m = int((NR + 1) / 2); print (NR % 2) ? a[m] : (a[m] + a[m + 1]) / 2 }'; }
mk=$(median "${make_times[@]}")
dk=$(median "${dkms_times[@]}")
echo "driver build for $kver, $runs run(s), $jobs job(s), median wall time:"
printf '  %-40s %7.2f s   (runs: %s)\n' "make -C <kdir> M=... modules" "$mk" "${make_times[*]}"
printf '  %-40s %7.2f s   (runs: %s)\n' "dkms add + build + install" "$dk" "${dkms_times[*]}"
awk -v a="$dk" -v b="$mk" 'BEGIN { printf "  dkms / plain make: %.2fx (DKMS overhead %.2f s per kernel)\n", a / b, a - b }'
