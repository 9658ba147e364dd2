#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (or reuse) the debug kernel of tests/debugkernel from Debian's linux-source-6.1 with
# kernel.config on top of allnoconfig. Cached under $VNIC_CACHE/debugkernel/<key>, the key
# being a hash of the config, this script and the source package's version, like the guest
# images. Prints the cache directory, which holds:
#   vmlinuz, kver, lib/modules/<kver>/ (modules_install), build/ (the tree, for M= builds)
# Usage: build-kernel.sh [-j N]    (default -j2, under nice -n 10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jobs=2
[ "${1:-}" = "-j" ] && jobs=$2
tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "build-kernel.sh: $tarball missing: apt-get install linux-source-6.1" >&2; exit 1; }
srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1)
cache=${VNIC_CACHE:?set VNIC_CACHE}/debugkernel
key=$(cat "$here/kernel.config" "$0" <(echo "$srcver") | sha256sum | cut -c1-16)
out=$cache/$key
mkdir -p "$cache"
exec 9>"$cache/.lock-$key"
flock 9
if [ -e "$out/done" ]; then echo "$out"; exit 0; fi
rm -rf "$out" "$out.tmp"
mkdir -p "$out.tmp"
start=$(date +%s)
tar -C "$out.tmp" -xf "$tarball"
mv "$out.tmp"/linux-source-6.1 "$out.tmp/build"
tree=$out.tmp/build
grep -v '^#' "$here/kernel.config" > "$out.tmp/fragment"
make -C "$tree" -s KCONFIG_ALLCONFIG="$out.tmp/fragment" allnoconfig >&2
make -C "$tree" -s olddefconfig >&2
# Every option of the fragment must have stuck (a missing dependency silently drops one).
bad=0
while IFS= read -r line; do
	[ -n "$line" ] || continue
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "$opt=.*" "$tree/.config" && { echo "kernel config: $opt is set, wanted n" >&2; bad=1; }
	else
		grep -qxF "$line" "$tree/.config" || { echo "kernel config: $line did not stick" >&2; bad=1; }
	fi
done < "$out.tmp/fragment"
[ $bad -eq 0 ] || exit 1
nice -n 10 make -C "$tree" -j"$jobs" -s bzImage modules >&2
kver=$(make -C "$tree" -s kernelrelease)
make -C "$tree" -s INSTALL_MOD_PATH="$out.tmp" INSTALL_MOD_STRIP=1 modules_install >&2
rm -f "$out.tmp/lib/modules/$kver/build" "$out.tmp/lib/modules/$kver/source"
cp "$tree/arch/x86/boot/bzImage" "$out.tmp/vmlinuz"
echo "$kver" > "$out.tmp/kver"
# The tree stays for out-of-tree module builds; objects are not needed for that.
find "$tree" -name '*.o' ! -path '*/scripts/*' ! -path '*/tools/*' -delete
rm -f "$tree/vmlinux"
echo "$(( $(date +%s) - start ))" > "$out.tmp/build-seconds"
touch "$out.tmp/done"
mv "$out.tmp" "$out"
echo "$out"
