#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The rehearsal tier: the README's set-up as the first command on a machine that has nothing.
# A pristine Debian 12 root (mmdebstrap minbase plus make, from the machine's own apt sources)
# gets the project's tracked files, and one `make deps all` runs in it: the packages are
# installed and the installer and the driver are built in that same run. A Makefile that reads
# pkg-config flags or the kernel release when it is parsed fails here, though every other tier
# passes on a machine where everything is installed already.
#   tests/fresh/run.sh [REV]    rehearse the tracked files of the work tree, or git revision REV
# The root is made once and cached as a tarball (keyed by the machine's apt sources); the .debs
# that `make deps` downloads are cached too; each run unpacks a new root and removes it after.
# Needs root. Prints each step's time and "fresh: N passed, N failed".
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VNIC_CACHE:-$top/build/cache}/fresh
work=$top/build/fresh
rev=${1:-}
goals=${FRESH_GOALS:-deps all}
passed=0 failed=0
t0=$EPOCHREALTIME

step() { printf 'fresh: [%5.1fs] %s\n' "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "$*"; }
check() {
	if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

[ "$(id -u)" -eq 0 ] || { echo "fresh: needs root (chroot, mounts)" >&2; exit 1; }

# 1. The pristine root: minbase and make, nothing else.
mkdir -p "$cache/archives/partial" "$work"
mapfile -t sources < <("$top/mk/apt-sources.sh" bookworm)
"$top/mk/apt-sources.sh" --aptconf >"$work/aptconf"
key=$(cat "$work/aptconf" <(printf '%s\n' "${sources[@]}") | sha256sum | cut -c1-16)
tarball=$cache/bookworm-minbase-make-$key.tar
if [ ! -s "$tarball" ]; then
	step "building the pristine root (mmdebstrap minbase + make; cached as ${tarball##*/})"
	printf '%s\n' "${sources[@]}" | mmdebstrap --quiet --variant=minbase --include=make \
		--aptopt="$work/aptconf" --format=tar bookworm "$tarball.tmp" - >"$work/mmdebstrap.log" 2>&1 ||
		{ tail -n 20 "$work/mmdebstrap.log" >&2; rm -f "$tarball.tmp"; exit 1; }
	mv "$tarball.tmp" "$tarball"
	find "$cache" -maxdepth 1 -name 'bookworm-minbase-make-*.tar' ! -name "${tarball##*/}" -delete
fi
root=$work/root
rm -rf --one-file-system "$root"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
step "pristine root unpacked: $(chroot "$root" dpkg-query -W -f '.\n' | wc -l) packages"

# 2. The project, as a clone would have it: the tracked files (or those of REV), no build/.
mkdir -p "$root/src"
if [ -n "$rev" ]; then
	git -C "$top" archive --format=tar "$rev" | tar -C "$root/src" -xf -
else
	git -C "$top" ls-files -z | tar -C "$top" --null -T - -cf - | tar -C "$root/src" -xf -
fi
step "tree copied (${rev:-work tree}): $(find "$root/src" -type f | wc -l) files"

# 3. One make run, as a new user types it. The .debs are kept in the cache between runs, and
# those this machine's own apt has downloaded already are linked in (no second download).
find /var/cache/apt/archives -maxdepth 1 -name '*.deb' -exec cp -l -n -t "$cache/archives" {} + \
	2>/dev/null || true
cp /etc/resolv.conf "$root/etc/resolv.conf"
inner='set -e; R="$1"; shift
mount -t proc proc "$R/proc"; mount --rbind /sys "$R/sys"; mount --rbind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/tmp"; mount --bind "$1" "$R/var/cache/apt/archives"; shift
exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"'
in_root() {
	unshare --mount --propagation private -- sh -c "$inner" sh "$root" "$cache/archives" "$@"
}
# Before `make deps`, a target that cannot install what it needs says in one line what to run.
says_run_deps() {
	local rc=0 out
	out=$(in_root make -C /src --no-print-directory "$@" 2>&1) || rc=$?
	if [ $rc -ne 0 ] && grep -q "run 'sudo make deps' first" <<<"$out" &&
		[ "$(grep -vc '^make: \*\*\*' <<<"$out")" -eq 1 ]; then
		step "make${1:+ $*} before deps: exit $rc, \"$(head -n 1 <<<"$out")\""
		return 0
	fi
	step "make${1:+ $*} before deps: exit $rc, not the one line that names 'sudo make deps':"
	sed 's/^/    /' <<<"$out" | head -n 20
	return 1
}
if [ -z "$rev" ]; then
	check says_run_deps
	check says_run_deps driver
fi
step "running: make $goals (in the root)"
rc=0
# shellcheck disable=SC2086
in_root make -C /src $goals >"$work/make.log" 2>&1 || rc=$?
if [ $rc -eq 0 ]; then
	step "make $goals: ok"
	passed=$((passed + 1))
else
	step "make $goals: FAILED (exit $rc); the last lines of $work/make.log:"
	tail -n 25 "$work/make.log" | sed 's/^/    /'
	failed=$((failed + 1))
fi

# 4. What the run must have left: a working installer and a driver for the root's kernel.
installer_ok() {
	local v
	v=$(chroot "$root" /src/build/vnic-install --version 2>/dev/null) || { echo "fresh: no working build/vnic-install"; return 1; }
	[ "$v" = "vnic-install $(cat "$top/VERSION")" ] || { echo "fresh: vnic-install --version says '$v'"; return 1; }
	step "installer: $v"
}
driver_ok() {
	local kver magic
	kver=$(chroot "$root" sh -c 'ls /lib/modules' 2>/dev/null | sort -V | tail -n 1)
	magic=$(chroot "$root" modinfo -F vermagic /src/driver/vmxnet3.ko 2>/dev/null) ||
		{ echo "fresh: no driver/vmxnet3.ko"; return 1; }
	[ -n "$kver" ] && [ "${magic%% *}" = "$kver" ] ||
		{ echo "fresh: vmxnet3.ko is for '${magic%% *}', the root's kernel is '$kver'"; return 1; }
	step "driver: vmxnet3.ko $(chroot "$root" modinfo -F version /src/driver/vmxnet3.ko) for $kver"
}
if [ "$goals" = "deps all" ]; then
	check installer_ok
	check driver_ok
fi

rm -rf --one-file-system "$root"
step "root removed; $(du -sh "$cache/archives" | cut -f1) of cached packages kept"
echo "fresh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
