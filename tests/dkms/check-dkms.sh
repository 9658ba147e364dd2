#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The DKMS tier: stage the driver sources as every installer of vnic does (the sources plus the
# top-level dkms.conf with its version filled in, under /usr/src/vmxnet3-<version>), run
# dkms add, build and install for one kernel, check what got installed, then remove it all and
# check that nothing is left. Needs root; cleans up also when a step fails.
#   check-dkms.sh --kernel KVER --driver DIR [--vnic BIN]
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
version=$(cat "$top/VERSION")
name=vmxnet3
kver= driver= vnic=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kver=$2; shift 2 ;;
	--driver) driver=$2; shift 2 ;;
	--vnic) vnic=$2; shift 2 ;;
	*) echo "check-dkms: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$kver" ] || { echo "check-dkms: no kernel headers installed (set KVER=)" >&2; exit 2; }
[ -d "/lib/modules/$kver/build" ] || { echo "check-dkms: no headers for $kver" >&2; exit 2; }
[ -f "$driver/Kbuild" ] || [ -f "$driver/Makefile" ] || { echo "check-dkms: no driver in '$driver'" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "check-dkms: needs root (dkms writes /usr/src, /var/lib/dkms)" >&2; exit 2; }

src=/usr/src/$name-$version
if [ -e "$src" ] || [ -e "/var/lib/dkms/$name/$version" ]; then
	echo "check-dkms: $name $version is already registered with DKMS on this machine" >&2
	echo "check-dkms: (a vnic installation?) remove it first: dkms remove $name/$version --all; rm -rf $src" >&2
	exit 2
fi
inkernel_before=$(modinfo -k "$kver" -F version "$name" 2>/dev/null || echo none)

passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
run() { # run DESCRIPTION CMD...: the command's output is shown only when it fails
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$d"; else
		not_ok "$d (exit $?)"
		echo "$out" | tail -n 30 | sed 's/^/    /'
		return 1
	fi
}

cleanup() {
	dkms remove "$name/$version" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT INT TERM

# Stage exactly what the packages install: the module sources and dkms.conf, nothing else.
mkdir -p "$src"
find "$driver" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name Kbuild -o -name Makefile \) \
	-exec cp {} "$src/" \;
sed "s/#MODULE_VERSION#/$version/" "$top/dkms.conf" >"$src/dkms.conf"

t0=$EPOCHREALTIME
run "dkms add $name/$version" dkms add "$name/$version" &&
	run "dkms build for $kver" dkms build "$name/$version" -k "$kver" ||
	sed 's/^/    make.log: /' "/var/lib/dkms/$name/$version/build/make.log" 2>/dev/null | tail -n 40
run "dkms install for $kver" dkms install "$name/$version" -k "$kver"
echo "    (add+build+install: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s)"

check "modinfo name" "$name" "$(modinfo -k "$kver" -F name "$name" 2>/dev/null)"
check "modinfo version is ours" "$version" "$(modinfo -k "$kver" -F version "$name" 2>/dev/null)"
file=$(modinfo -k "$kver" -F filename "$name" 2>/dev/null)
case $file in
*/updates/*) ok "module resolves to updates/ over the in-kernel one ($file)" ;;
*) not_ok "module resolves to '$file', not updates/" ;;
esac
if modinfo -k "$kver" -F alias "$name" 2>/dev/null | grep -qi '^pci:v000015ADd000007B0'; then
	ok "PCI alias for 15ad:07b0"
else
	not_ok "no PCI alias for 15ad:07b0"
fi
check "modinfo license" "GPL" "$(modinfo -k "$kver" -F license "$name" 2>/dev/null)"
if [ -n "$vnic" ]; then
	check "vnic-install --version matches the module" "vnic-install $version" "$("$vnic" --version)"
fi
if dkms status "$name/$version" -k "$kver" 2>/dev/null | grep -q ': installed'; then
	ok "dkms status: installed"
else
	not_ok "dkms status: $(dkms status "$name/$version" 2>&1)"
fi

run "dkms remove --all" dkms remove "$name/$version" --all
rm -rf "$src"
check "nothing left in /usr/src" "" "$(ls -d /usr/src/$name-* 2>/dev/null)"
check "nothing left in /var/lib/dkms" "" "$(ls -d /var/lib/dkms/$name 2>/dev/null)"
check "nothing left in /lib/modules/*/updates" "" \
	"$(find /lib/modules/*/updates -name "$name.ko*" 2>/dev/null)"
check "in-kernel driver resolves again" "$inkernel_before" \
	"$(modinfo -k "$kver" -F version "$name" 2>/dev/null || echo none)"

echo "dkms: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
