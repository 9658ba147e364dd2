#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The packaging tier (`make check-pkg`): the dkms.conf checker, the .deb and .rpm packages
# built from `make dist` exactly as `make deb` and `make rpm` build them, lintian and rpmlint,
# and the .debs installed, upgraded and purged in a Debian bookworm chroot where DKMS really
# builds the driver for the chroot's kernel headers. Needs root (chroot). Runs in a scratch
# directory that is removed when everything passed and kept (and named) otherwise.
#   run.sh
# VNIC_PKG_DRIVER=stub tests the packaging with tests/packaging/stub-driver instead of driver/
# (also chosen, and said, when driver/ has no Kbuild in the committed tree).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/packaging
export VNIC_CACHE=${VNIC_CACHE:-$top/build/cache}
[ "$(id -u)" -eq 0 ] || { echo "pkg: needs root (chroot, dpkg and dkms inside it)" >&2; exit 2; }

passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
run() { # run DESCRIPTION CMD...: the command's output is shown only when it fails
	local d=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then ok "$d"; else
		not_ok "$d (exit $rc)"
		echo "$out" | tail -n 40 | sed 's/^/    /'
	fi
	return $rc
}
secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vnic-pkg.XXXXXX")
root=$scratch/root
finish() {
	wait 2>/dev/null
	# The chroot's mounts live in a private mount namespace and end with it; refuse to remove
	# anything if one is visible here all the same.
	if grep -q " $scratch/" /proc/mounts; then
		echo "pkg: something is still mounted under $scratch; not removing it" >&2
	elif [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then
		rm -rf --one-file-system "$scratch"
	else
		echo "pkg: scratch directory kept: $scratch"
	fi
}
trap finish EXIT
t_start=$EPOCHREALTIME

# --- dkms.conf ---------------------------------------------------------------------------------
echo "# dkms.conf checks"
run "top-level dkms.conf passes the checker" "$top/packaging/check-dkms-conf.sh" "$top/dkms.conf"
for f in "$here"/dkms-conf/*.conf; do
	expect=$(sed -n 's/^# expect: //p' "$f")
	out=$("$top/packaging/check-dkms-conf.sh" --source "$here/dkms-conf" "$f" 2>&1)
	rc=$?
	name=$(basename "$f")
	if [ -z "$expect" ]; then
		check "checker accepts $name" "0:" "$rc:$out"
	elif [ $rc -eq 1 ] && [[ $out == *"$expect"* ]]; then
		ok "checker rejects $name ($expect)"
	else
		not_ok "checker on $name: expected exit 1 and '$expect', got exit $rc: $out"
	fi
done

# --- the trees the packages are built from -----------------------------------------------------
echo "# building the packages"
version=$(cat "$top/VERSION")
next=$(awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }' <<<"$version")
tarball=$("$top/packaging/dist.sh" "$scratch" 2>/dev/null) || { not_ok "make dist"; exit 1; }
ok "make dist: $(basename "$tarball")"
check "the tarball holds exactly one spec (rpmbuild -t takes it)" "vnic-$version/vnic.spec" \
	"$(tar -tzf "$tarball" | grep '\.spec$')"
tar -C "$scratch" -xzf "$tarball"
src=$scratch/vnic-$version
driver=tree
if [ "${VNIC_PKG_DRIVER:-}" = stub ] || [ ! -f "$src/driver/Kbuild" ]; then
	driver=stub
	why="driver/Kbuild is not committed"
	[ "${VNIC_PKG_DRIVER:-}" = stub ] && why="VNIC_PKG_DRIVER=stub"
	echo "# NOTE: testing the packaging with tests/packaging/stub-driver, not driver/ ($why)"
	rm -rf "$src/driver"
	cp -a "$here/stub-driver" "$src/driver"
fi
mapfile -t driver_files < <(cd "$src/driver" && ls -1 -- *.c *.h Kbuild 2>/dev/null | sort)
# The next version: the same tree, with VERSION and the changelog moved on.
cp -a "$src" "$scratch/vnic-$next"
"$scratch/vnic-$next/packaging/version.sh" new "$next" "Package test: upgrade." >/dev/null

# The three builds (and unpacking the chroot) are independent: run them side by side.
t0=$EPOCHREALTIME
started() { # started NAME CMD...: run in the background, output and status in $scratch/NAME.*
	local name=$1
	shift
	("$@" >"$scratch/$name.log" 2>&1; echo $? >"$scratch/$name.rc") &
}
finished() { # finished NAME DESCRIPTION: wait for it and count it like run
	while [ ! -s "$scratch/$1.rc" ]; do wait -n 2>/dev/null || sleep 0.2; done
	if [ "$(cat "$scratch/$1.rc")" = 0 ]; then ok "$2"; else
		not_ok "$2 (exit $(cat "$scratch/$1.rc"))"
		tail -n 40 "$scratch/$1.log" | sed 's/^/    /'
	fi
}
started deb1 "$src/packaging/build-deb.sh" "$scratch/deb-$version"
started deb2 "$scratch/vnic-$next/packaging/build-deb.sh" "$scratch/deb-$next"
started rpm "$src/packaging/build-rpm.sh" "$scratch/rpm"
started chroot sh -c 'tarball=$("$1/chroot.sh") && mkdir -p "$2" && tar -C "$2" -xf "$tarball"' \
	sh "$here" "$root"
finished deb1 "make deb ($version)"
finished deb2 "make deb ($next)"
echo "    (deb builds, side by side with the rpm build: $(secs "$t0") s)"
deb_dkms=$scratch/deb-$version/vmxnet3-dkms_${version}_all.deb
deb_vnic=$(ls "$scratch/deb-$version"/vnic-install_"${version}"_*.deb 2>/dev/null | head -n 1)
[ -f "$deb_dkms" ] && [ -f "$deb_vnic" ] && ok "both .debs built" || not_ok "missing .debs in $scratch/deb-$version"

if [ -f "$deb_dkms" ] && [ -f "$deb_vnic" ]; then
	check "vmxnet3-dkms ships the driver sources (by glob) and dkms.conf" \
		"$(printf '%s\n' "${driver_files[@]}" dkms.conf | sort)" \
		"$(dpkg-deb -c "$deb_dkms" | awk '{ print $6 }' | sed -n "s|^\./usr/src/vmxnet3-$version/||p" | grep . | sort)"
	check "its dkms.conf carries the version" "PACKAGE_VERSION=\"$version\"" \
		"$(dpkg-deb --fsys-tarfile "$deb_dkms" | tar -xOf - "./usr/src/vmxnet3-$version/dkms.conf" | grep '^PACKAGE_VERSION=')"
	check "vmxnet3-dkms depends on dkms" "1" "$(dpkg-deb -f "$deb_dkms" Depends | grep -c '^dkms')"
	check "vnic-install depends on vmxnet3-dkms of its version" "1" \
		"$(dpkg-deb -f "$deb_vnic" Depends | grep -c "vmxnet3-dkms (= $version)")"
	want="./usr/sbin/vnic-install ./usr/share/bash-completion/completions/vnic-install"
	[ -f "$src/docs/vnic-install.8" ] && want="$want ./usr/share/man/man8/vnic-install.8.gz"
	for f in $want; do
		if dpkg-deb -c "$deb_vnic" | awk '{ print $6 }' | grep -qx "$f"; then ok "vnic-install ships $f"
		else not_ok "vnic-install does not ship $f"; fi
	done
	# The bash completion, as packaged, against the packaged program.
	dpkg-deb -x "$deb_vnic" "$scratch/vnic-root"
	complete_words() { # complete_words WORD...: what the completion offers for the last word
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vnic_install
			printf "%s\n" "${COMPREPLY[@]}"' sh \
			"$scratch/vnic-root/usr/share/bash-completion/completions/vnic-install" "$@" | sort | xargs
	}
	bin=$scratch/vnic-root/usr/sbin/vnic-install
	check "completion: the verbs of --help" \
		"$("$bin" --help | sed -n '/^Verbs:/,/^$/p' | sed -n 's/^  \([a-z-]*\) .*/\1/p' | sort | xargs)" \
		"$(complete_words "$bin" "")"
	check "completion: --ro" "--root" "$(complete_words "$bin" --ro)"
	check "completion: a verb's own options (version --)" \
		"$("$bin" version --help | grep -o -- '--[a-z-]*' | sort -u | xargs)" \
		"$(complete_words "$bin" version --)"
	check "completion: -k KVER from /lib/modules" "$(ls /lib/modules | sort | xargs)" \
		"$(complete_words "$bin" -k "")"
	check "completion: --check values" "address carrier gateway peer: ping: tcp:" \
		"$(complete_words "$bin" --check "")"
	check "completion: driver's actions" "install remove status" \
		"$(complete_words "$bin" driver "")"
	check "completion: what plan shows" "prepare swap" "$(complete_words "$bin" plan "")"
	check "completion: plan --im" "--image" "$(complete_words "$bin" plan --im)"

	out=$(lintian --fail-on error,warning "$scratch/deb-$version"/*.changes 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q '^[EW]:' <<<"$out"; then ok "lintian: no errors, no warnings"; else
		not_ok "lintian"; echo "$out" | sed 's/^/    /'; fi
fi

# --- rpm ---------------------------------------------------------------------------------------
echo "# rpm"
finished rpm "make rpm ($version)"
echo "    (all package builds: $(secs "$t0") s)"
rpm_dkms=$scratch/rpm/dkms-vmxnet3-$version-1.noarch.rpm
rpm_vnic=$(ls "$scratch/rpm"/vnic-install-"$version"-1.*.rpm 2>/dev/null | head -n 1)
if [ -f "$rpm_dkms" ] && [ -f "$rpm_vnic" ]; then
	ok "both .rpms built (dkms-vmxnet3 noarch)"
	check "dkms-vmxnet3 ships the driver sources (by glob) and dkms.conf" \
		"$(printf '%s\n' "${driver_files[@]}" dkms.conf | sort)" \
		"$(rpm -qpl "$rpm_dkms" | sed -n "s|^/usr/src/vmxnet3-$version/||p" | sort)"
	scripts=$(rpm -qp --scripts "$rpm_dkms")
	for want in "dkms add -m vmxnet3 -v $version --rpm_safe_upgrade" \
		"dkms build -m vmxnet3 -v $version -k \"\$kver\" --rpm_safe_upgrade" \
		"dkms install -m vmxnet3 -v $version -k \"\$kver\" --rpm_safe_upgrade" \
		"dkms remove -m vmxnet3 -v $version --all --rpm_safe_upgrade"; do
		if grep -qF -- "$want" <<<"$scripts"; then ok "scriptlet: $want"; else not_ok "no scriptlet '$want'"; fi
	done
	check "%preun holds dkms remove" "1" \
		"$(sed -n '/^preuninstall scriptlet/,$p' <<<"$scripts" | grep -c 'dkms remove')"
	check "vnic-install requires dkms-vmxnet3 of its version" "dkms-vmxnet3 = $version-1" \
		"$(rpm -qpR "$rpm_vnic" | grep '^dkms-vmxnet3')"
	check "vnic-install ships the program" "/usr/sbin/vnic-install" "$(rpm -qpl "$rpm_vnic" | grep '^/usr/sbin/')"
	out=$(rpmlint -c "$top/packaging/rpm/rpmlint.toml" "$scratch/rpm"/*.rpm 2>&1)
	if grep -q ' 0 errors' <<<"$out"; then ok "rpmlint: no errors ($(grep -o '[0-9]* warnings' <<<"$out"))"; else
		not_ok "rpmlint"; echo "$out" | grep -E ': E: |errors' | sed 's/^/    /'; fi

	# Into a scratch root with its own rpm database: every file where the spec says.
	rroot=$scratch/rpmroot
	mkdir -p "$rroot"
	run "rpm --root: install both (--nodeps --noscripts: no dkms in the scratch root)" \
		rpm --root "$rroot" --nodeps --noscripts -i "$rpm_dkms" "$rpm_vnic"
	missing=0
	for p in "$rpm_dkms" "$rpm_vnic"; do
		while read -r f; do
			[ -e "$rroot$f" ] || { missing=$((missing + 1)); echo "    missing: $f"; }
		done < <(rpm -qpl "$p")
	done
	check "every packaged file is in the root" 0 "$missing"
	check "rpm -V (files: sizes, digests, modes) of the installed packages" "" \
		"$(rpm --root "$rroot" -V --nodeps dkms-vmxnet3 vnic-install 2>&1)"
	check "installed dkms.conf carries the version" "PACKAGE_VERSION=\"$version\"" \
		"$(grep '^PACKAGE_VERSION=' "$rroot/usr/src/vmxnet3-$version/dkms.conf" 2>&1)"
	run "rpm --root: erase both" rpm --root "$rroot" --nodeps --noscripts -e dkms-vmxnet3 vnic-install
	check "nothing left of them in the root" "" \
		"$(find "$rroot/usr" \( -path '*/vmxnet3-*' -o -name 'vnic-install*' \) 2>/dev/null)"
else
	not_ok "missing .rpms in $scratch/rpm"
fi

# --- the chroot: install, upgrade, new kernel, purge ------------------------------------------
echo "# deb install in a bookworm chroot (driver: $driver)"
finished chroot "bookworm chroot (mmdebstrap, cached under \$VNIC_CACHE/pkg) unpacked"
[ -d "$root/lib/modules" ] || exit 1
mkdir -p "$root/tmp/pkg"
cp "$scratch/deb-$version"/*.deb "$scratch/deb-$next"/*.deb "$root/tmp/pkg/" 2>/dev/null
# A command inside the chroot, with /proc, in a private mount namespace that ends with it.
in_root() {
	unshare --mount --propagation private -- /bin/sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"' \
		"$root" "$@"
}
kver=$(ls "$root/lib/modules")
echo "    (chroot kernel headers: $kver; host's running kernel: $(uname -r))"

t0=$EPOCHREALTIME
run "dpkg -i vmxnet3-dkms vnic-install ($version)" in_root dpkg -i \
	"/tmp/pkg/vmxnet3-dkms_${version}_all.deb" "/tmp/pkg/$(basename "$deb_vnic")"
echo "    (install with DKMS build: $(secs "$t0") s)"
check "dkms status after install" "vmxnet3/$version, $kver, x86_64: installed" \
	"$(in_root dkms status vmxnet3 2>&1)"
check "modinfo -k $kver: our version" "$version" "$(in_root modinfo -k "$kver" -F version vmxnet3 2>&1)"
check "modinfo -k $kver: under updates/dkms" "/lib/modules/$kver/updates/dkms/vmxnet3.ko" \
	"$(in_root modinfo -k "$kver" -F filename vmxnet3 2>&1)"
check "vnic-install --version" "vnic-install $version" "$(in_root vnic-install --version 2>&1)"

t0=$EPOCHREALTIME
deb_vnic_next=$(basename "$deb_vnic")
deb_vnic_next=${deb_vnic_next/_${version}_/_${next}_}
run "dpkg -i: upgrade to $next" in_root dpkg -i \
	"/tmp/pkg/vmxnet3-dkms_${next}_all.deb" "/tmp/pkg/$deb_vnic_next"
check "both packages at $next" "vmxnet3-dkms $next ii;vnic-install $next ii;" \
	"$(in_root dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev};' vmxnet3-dkms vnic-install | sed 's/ ;/;/g')"
echo "    (upgrade with DKMS build: $(secs "$t0") s)"
check "dkms status after upgrade: exactly one version" "vmxnet3/$next, $kver, x86_64: installed" \
	"$(in_root dkms status vmxnet3 2>&1)"
check "/var/lib/dkms/vmxnet3 holds one version" "$next" \
	"$(cd "$root/var/lib/dkms/vmxnet3" 2>/dev/null && ls -d [0-9]* | tr '\n' ' ' | sed 's/ $//')"
check "/usr/src holds one vmxnet3 tree" "vmxnet3-$next" "$(cd "$root/usr/src" && ls -d vmxnet3-* 2>&1)"
check "modinfo -k $kver after upgrade" "$next" "$(in_root modinfo -k "$kver" -F version vmxnet3 2>&1)"

t0=$EPOCHREALTIME
run "install another kernel's headers (linux-headers-cloud-amd64)" \
	in_root sh -c 'dpkg -i /opt/vnic-debs/*.deb'
echo "    (new kernel headers with DKMS build: $(secs "$t0") s)"
kver2=$(ls "$root/lib/modules" | grep -vx "$kver" | head -n 1)
if [ -n "$kver2" ]; then
	check "dkms status for the new kernel $kver2" "vmxnet3/$next, $kver2, x86_64: installed" \
		"$(in_root dkms status vmxnet3 -k "$kver2" 2>&1)"
	check "modinfo -k $kver2" "$next" "$(in_root modinfo -k "$kver2" -F version vmxnet3 2>&1)"
else
	not_ok "no second kernel in /lib/modules after installing linux-headers-cloud-amd64"
fi

run "dpkg --purge vnic-install vmxnet3-dkms" in_root dpkg --purge vnic-install vmxnet3-dkms
check "nothing left in /usr/src" "" "$(ls -d "$root"/usr/src/vmxnet3* 2>/dev/null)"
check "nothing left in /var/lib/dkms" "" "$(ls -d "$root"/var/lib/dkms/vmxnet3* 2>/dev/null)"
check "nothing left in /lib/modules/*/updates" "" \
	"$(find "$root"/lib/modules/*/updates -name 'vmxnet3*' 2>/dev/null)"
check "nothing left in the dpkg database" "" \
	"$(in_root dpkg-query -W -f '${Package} ${Status}\n' vmxnet3-dkms vnic-install 2>/dev/null;
	   ls "$root"/var/lib/dpkg/info/vmxnet3-dkms.* "$root"/var/lib/dpkg/info/vnic-install.* 2>/dev/null)"

echo "    (pkg tier: $(secs "$t_start") s)"
echo "pkg: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
