#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Feeds the files the netcfg plans write to the real tools, offline: netplan's generator
# (netplan.io, libnetplan0) must turn every netplan plan into backend files for the new NIC,
# ifupdown's ifquery must find the new interface in every ifupdown plan, and NetworkManager's
# own keyfile reader (nmcli --offline, network-manager and libnm0) must accept every keyfile
# a NetworkManager plan writes, the VMXNET3 NIC's naming it, with the DNS servers the model
# read (libglib, which nmcli needs, comes with QEMU on this machine). The tools are
# fetched with `apt-get download` into $VNIC_CACHE/netcfg-tools and unpacked there (nothing is
# installed). Not part of check-unit (it needs the package mirror).
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VNIC_CACHE:-$src/build/cache}/netcfg-tools
mkdir -p "$cache"
if [ ! -x "$cache/x/sbin/ifquery" ] || [ ! -x "$cache/x/usr/libexec/netplan/generate" ] ||
   [ ! -x "$cache/x/usr/bin/nmcli" ]; then
	(cd "$cache" && apt-get download netplan.io libnetplan0 ifupdown network-manager libnm0 >/dev/null) || {
		echo "validate-tools: apt-get download failed" >&2; exit 2; }
	for d in "$cache"/*.deb; do dpkg-deb -x "$d" "$cache/x"; done
	ln -sf libnetplan.so.0.0 "$cache/x/usr/lib/x86_64-linux-gnu/libnetplan.so.0"
fi
generate=$cache/x/usr/libexec/netplan/generate
ifquery=$cache/x/sbin/ifquery
# NetworkManager's reading of one keyfile, written back in its canonical form (a no-op change)
nm_read() {
	LD_LIBRARY_PATH=$cache/x/usr/lib/x86_64-linux-gnu "$cache/x/usr/bin/nmcli" --offline \
		connection modify connection.autoconnect-retries -1 <"$1"
}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vnic-netcfg-tools.XXXXXX")
passed=0 failed=0
for c in "$src"/tests/netcfg/cases/*/; do
	name=$(basename "$c")
	backend=$(sed -n 's/^backend //p' "$c/case")
	grep -qx 'plan OK' "$c/expected/result" || continue
	[ -d "$c/expected/root" ] || continue
	target=$(awk '$1=="to"{print $2}' "$c/case")
	[ "$target" = - ] && target=$(awk '$1=="from"{print $2}' "$c/case")
	r=$scratch/$name
	mkdir -p "$r"
	cp -a "$c/in/." "$r/"
	cp -a "$c/expected/root/." "$r/"
	[ -f "$c/expected/removed" ] && while read -r f; do rm -f "$r$f"; done <"$c/expected/removed"
	case $backend in
	netplan)
		out=$(LD_LIBRARY_PATH=$cache/x/usr/lib/x86_64-linux-gnu "$generate" --root-dir "$r" 2>&1)
		if [ $? -eq 0 ] && grep -rqs -e "Name=$target" -e "interface-name=$target" "$r/run/systemd/network" "$r/run/NetworkManager"; then
			passed=$((passed + 1))
		else
			echo "FAILED: $name: netplan generate did not configure $target"; echo "$out"
			failed=$((failed + 1))
		fi ;;
	ifupdown)
		# ifquery reads absolute paths: point the includes at the scratch root.
		sed -e "s|/etc/network|$r/etc/network|g" -e "s|^source-directory interfaces.d|source-directory $r/etc/network/interfaces.d|" \
			"$r/etc/network/interfaces" >"$r/main"
		# a port: its master's stanza must list it (bond-slaves, bridge_ports), as ifquery reads it
		master=$(awk '$1=="port"{print $4}' "$c/expected/model")
		if "$ifquery" -i "$r/main" --state-dir="$r/state" "$target" >/dev/null 2>&1 ||
		   { [ -n "$master" ] && "$ifquery" -i "$r/main" --state-dir="$r/state" "$master" 2>/dev/null |
			grep -Eq "^(bond-slaves|bridge[-_]ports):.* $target( |$)"; } ||
		   grep -q "10-vnic-$target.link" <(cd "$r" && find . -name '*.link'); then
			passed=$((passed + 1))
		else
			echo "FAILED: $name: ifquery does not know $target"
			failed=$((failed + 1))
		fi ;;
	networkmanager)
		ok=1 seen=0
		for f in $(cd "$c/expected/root" && find . -name '*.nmconnection'); do
			if ! out=$(nm_read "$r/$f" 2>&1); then
				echo "FAILED: $name: NetworkManager refuses $f: $out"; ok=0; continue
			fi
			case $f in
			*/vnic-"$target".nmconnection)
				seen=1
				grep -qx "interface-name=$target" <<<"$out" || {
					echo "FAILED: $name: $f does not name $target for NetworkManager"; ok=0; }
				for d in $(awk '$1=="dns"{print $2}' "$c/expected/model"); do
					grep -q "^dns=.*$d;" <<<"$out" || {
						echo "FAILED: $name: NetworkManager reads no DNS server $d in $f"; ok=0; }
				done ;;
			esac
		done
		# replace mode edits the connections in place: no vnic- file
		[ $seen = 1 ] || grep -q '^mode replace' "$c/case" || [ -n "$(awk '$1=="port"' "$c/expected/model")" ] ||
			{ echo "FAILED: $name: no connection for $target"; ok=0; }
		if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi ;;
	esac
done
rm -rf "$scratch"
echo "netcfg-tools: $passed passed, $failed failed"
[ $failed -eq 0 ]
