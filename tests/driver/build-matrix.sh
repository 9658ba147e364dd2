#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build driver/ against the kernel headers of several Debian suites, with W=1, and count a
# build with any compiler warning as failed. Each suite builds in a minimal chroot of that suite
# (made once with mmdebstrap and cached under $VNIC_CACHE/chroot/<suite>), so its own compiler
# and kbuild tools are used; the host's own headers serve when the host runs that suite.
#
#   tests/driver/build-matrix.sh            # suites: $VNIC_SUITES (default "bookworm trixie")
#   VNIC_SUITES="bullseye bookworm trixie sid" tests/driver/build-matrix.sh
#
# Prints one line per kernel and finally "build-matrix: N passed, N failed"; exits non-zero
# when something failed. Needs root (chroot) and mmdebstrap for suites not cached yet.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${VNIC_CACHE:-$ROOT/build/cache}
SUITES=${VNIC_SUITES:-bookworm trixie}
VERSION=$(cat "$ROOT/VERSION")
LOGDIR=$ROOT/build/build-matrix
PKGS=linux-headers-amd64,gcc,make,libc6-dev,kmod,perl
passed=0
failed=0

mkdir -p "$LOGDIR"

host_suite() {
	. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}"
}

# build_one <label> <log> <command...>: run a build, judge it, print one line.
build_one() {
	label=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1 && ! grep -q 'warning:' "$log"; then
		passed=$((passed + 1))
		echo "PASS $label"
	else
		failed=$((failed + 1))
		echo "FAIL $label (log: $log)"
		grep -E 'warning:|error:|Error' "$log" | head -20 | sed 's/^/    /'
	fi
}

ensure_chroot() {
	dir=$CACHE/chroot/$1
	mkdir -p "$CACHE/chroot"
	# Two runs at once must not build into the same $dir.tmp: the second waits, then reuses.
	exec 9>"$CACHE/chroot/.lock-$1"
	flock 9
	if [ -x "$dir/usr/bin/make" ] && [ -f "$dir/.vnic-ready" ]; then
		return 0
	fi
	echo "creating $1 chroot in $dir (about a minute)"
	rm -rf "$dir.tmp"
	mkdir -p "$CACHE/chroot"
	# The machine's own apt sources and proxy (mk/apt-sources.sh), moved to suite $1.
	"$ROOT/mk/apt-sources.sh" --aptconf >"$LOGDIR/aptconf-$1"
	if ! "$ROOT/mk/apt-sources.sh" "$1" | mmdebstrap --variant=minbase --include="$PKGS" \
		--aptopt="$LOGDIR/aptconf-$1" "$1" "$dir.tmp" - >"$LOGDIR/mmdebstrap-$1.log" 2>&1; then
		echo "mmdebstrap $1 failed (log: $LOGDIR/mmdebstrap-$1.log)"
		rm -rf "$dir.tmp"
		return 1
	fi
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	touch "$dir/.vnic-ready"
}

for suite in $SUITES; do
	if [ "$suite" = "$(host_suite)" ] && ls -d /lib/modules/*/build >/dev/null 2>&1; then
		for b in /lib/modules/*/build; do
			kver=$(basename "$(dirname "$b")")
			src=$ROOT/build/build-matrix/src-$kver
			rm -rf "$src"
			mkdir -p "$src"
			cp "$ROOT"/driver/Kbuild "$ROOT"/driver/*.c "$ROOT"/driver/*.h "$src"/
			build_one "$suite $kver (host headers)" "$LOGDIR/$suite-$kver.log" \
				make -C "$b" M="$src" VNX_VERSION="$VERSION" W=1 modules
		done
		continue
	fi
	if ! ensure_chroot "$suite"; then
		failed=$((failed + 1))
		echo "FAIL $suite (no chroot)"
		continue
	fi
	dir=$CACHE/chroot/$suite
	found=0
	for b in "$dir"/lib/modules/*/build; do
		# An absolute symlink inside the chroot: test it as a link, not its target.
		[ -L "$b" ] || [ -e "$b" ] || continue
		found=1
		kver=$(basename "$(dirname "$b")")
		rm -rf "$dir/src"
		mkdir -p "$dir/src"
		cp "$ROOT"/driver/Kbuild "$ROOT"/driver/*.c "$ROOT"/driver/*.h "$dir/src"/
		build_one "$suite $kver (chroot)" "$LOGDIR/$suite-$kver.log" \
			chroot "$dir" make -C "/lib/modules/$kver/build" M=/src \
			VNX_VERSION="$VERSION" W=1 modules
	done
	if [ "$found" -eq 0 ]; then
		failed=$((failed + 1))
		echo "FAIL $suite (no kernel headers in $dir)"
	fi
done

echo "build-matrix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
