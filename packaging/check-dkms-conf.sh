#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks a dkms.conf against the traps that break vnic's driver package on some machines and
# not others. Prints one line per problem ("FILE:LINE: ...") and exits 1 if there is any.
#   check-dkms-conf.sh [--source DIR] FILE
# --source DIR: the driver sources, where PRE_*/POST_* scripts must exist (default: driver/
# next to FILE).
set -uo pipefail

src=
if [ "${1:-}" = --source ]; then src=$2; shift 2; fi
conf=${1:?check-dkms-conf.sh [--source DIR] FILE}
[ -r "$conf" ] || { echo "$conf: cannot read" >&2; exit 2; }
[ -n "$src" ] || src=$(dirname "$conf")/driver

problems=0
bad() { # bad LINE MESSAGE (LINE empty or 0: the file as a whole)
	if [ "${1:-0}" != 0 ]; then echo "$conf:$1: $2"; else echo "$conf: $2"; fi
	problems=$((problems + 1))
}
# The line of the first assignment to NAME (NAME= or NAME[i]=), or 0.
line_of() { grep -nE "^[[:space:]]*$1(\[[0-9]+\])?=" "$conf" | head -n 1 | cut -d: -f1 || true; }

if ! bash -n "$conf" 2>/dev/null; then
	bad 0 "not valid shell: DKMS sources it with bash"
	exit 1
fi

# Every directive must be one DKMS 3 knows: a misspelt one (AUTO_INSTALL) is silently ignored.
known=" PACKAGE_NAME PACKAGE_VERSION BUILT_MODULE_NAME BUILT_MODULE_LOCATION DEST_MODULE_NAME
	DEST_MODULE_LOCATION MAKE MAKE_MATCH CLEAN AUTOINSTALL BUILD_EXCLUSIVE_KERNEL
	BUILD_EXCLUSIVE_KERNEL_MIN BUILD_EXCLUSIVE_KERNEL_MAX BUILD_EXCLUSIVE_ARCH
	BUILD_EXCLUSIVE_CONFIG BUILD_DEPENDS BUILD_DEPENDS_REBUILD PATCH PATCH_MATCH STRIP
	NO_WEAK_MODULES PRE_BUILD POST_BUILD PRE_INSTALL POST_INSTALL POST_ADD POST_REMOVE "
# Removed or deprecated in DKMS 3: accepted by old DKMS, ignored or refused by new.
deprecated=" REMAKE_INITRD MODULES_CONF MODULES_CONF_ALIAS_TYPE MODULES_CONF_OBSOLETES
	MODULES_CONF_OBSOLETE_ONLY OBSOLETE_BY "
n=0
while IFS= read -r line; do
	n=$((n + 1))
	[[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)(\[[0-9]+\])?= ]] || continue
	name=${BASH_REMATCH[1]}
	if [[ $deprecated == *" $name "* ]]; then
		bad "$n" "$name is deprecated or removed in DKMS 3 (drop it)"
	elif [[ $known != *[[:space:]]$name[[:space:]]* ]]; then
		bad "$n" "$name is not a DKMS directive (misspelt? DKMS ignores it silently)"
	fi
done <"$conf"
if grep -nE 'uname[[:space:]]+-r|/lib/modules/[^$]' "$conf" >/dev/null; then
	bad "$(grep -nE 'uname[[:space:]]+-r|/lib/modules/[^$]' "$conf" | head -n 1 | cut -d: -f1)" \
		"names the running kernel or a fixed kernel path: DKMS builds for other kernels than the running one"
fi

# The values, as DKMS sees them: it sources the file with these set.
# shellcheck disable=SC2016
values=$(env -i bash -c '
	kernel_source_dir=/KSRC kernelver=KVER arch=ARCH dkms_tree=/DKMS source_tree=/SRC
	. "$1" || exit 1
	printf "PACKAGE_NAME=%s\n" "$PACKAGE_NAME"
	printf "PACKAGE_VERSION=%s\n" "$PACKAGE_VERSION"
	printf "AUTOINSTALL=%s\n" "${AUTOINSTALL-}"
	printf "BUILT_MODULE_NAME=%s\n" "${BUILT_MODULE_NAME[*]-}"
	printf "DEST_MODULE_LOCATION=%s\n" "${DEST_MODULE_LOCATION[*]-}"
	printf "MAKE=%s\n" "${MAKE[0]-}"
	printf "CLEAN=%s\n" "${CLEAN-}"
	printf "BUILD_EXCLUSIVE_KERNEL=%s\n" "${BUILD_EXCLUSIVE_KERNEL-}"
	for v in PRE_BUILD POST_BUILD PRE_INSTALL POST_INSTALL POST_ADD POST_REMOVE; do
		printf "%s=%s\n" "$v" "${!v-}"
	done' vnic-check "$conf" 2>/dev/null) || { bad 0 "sourcing it with bash fails"; exit 1; }
val() { sed -n "s/^$1=//p" <<<"$values"; }

[ "$(val PACKAGE_NAME)" = vmxnet3 ] || bad "$(line_of PACKAGE_NAME)" "PACKAGE_NAME is '$(val PACKAGE_NAME)', expected vmxnet3"
[ "$(val PACKAGE_VERSION)" = "#MODULE_VERSION#" ] ||
	bad "$(line_of PACKAGE_VERSION)" "PACKAGE_VERSION is '$(val PACKAGE_VERSION)', expected the placeholder #MODULE_VERSION# (filled from VERSION by dh_dkms -V and the spec)"
[ "$(val AUTOINSTALL)" = yes ] ||
	bad "$(line_of AUTOINSTALL)" "AUTOINSTALL is '$(val AUTOINSTALL)': DKMS rebuilds on a new kernel only for exactly 'yes'"
[ "$(val BUILT_MODULE_NAME)" = vmxnet3 ] ||
	bad "$(line_of BUILT_MODULE_NAME)" "BUILT_MODULE_NAME is '$(val BUILT_MODULE_NAME)', expected exactly one module, vmxnet3"
case $(val DEST_MODULE_LOCATION) in
/updates*) ;;
*) bad "$(line_of DEST_MODULE_LOCATION)" "DEST_MODULE_LOCATION is '$(val DEST_MODULE_LOCATION)': it must be under /updates to win over the in-kernel vmxnet3" ;;
esac
for v in MAKE CLEAN; do
	case $(val $v) in
	*"-C /KSRC "*) ;;
	*) bad "$(line_of $v)" "$v does not build with the kernel's build dir (make -C \${kernel_source_dir}): '$(val $v)'" ;;
	esac
done
if [ -n "$(val BUILD_EXCLUSIVE_KERNEL)" ]; then
	grep -E -- "$(val BUILD_EXCLUSIVE_KERNEL)" </dev/null >/dev/null 2>&1
	[ $? -le 1 ] || bad "$(line_of BUILD_EXCLUSIVE_KERNEL)" "BUILD_EXCLUSIVE_KERNEL is not a valid extended regex"
fi
# PRE_*/POST_* name a script in the module's source tree that DKMS runs; a command line or an
# absolute path there runs something else, or nothing, depending on the machine.
for v in PRE_BUILD POST_BUILD PRE_INSTALL POST_INSTALL POST_ADD POST_REMOVE; do
	s=$(val $v)
	[ -n "$s" ] || continue
	script=${s%% *}
	if [[ $script == /* ]]; then
		bad "$(line_of $v)" "$v names an absolute path '$script'; it must be a script in the module's sources"
	elif [ ! -f "$src/$script" ]; then
		bad "$(line_of $v)" "$v names '$script', which is not in the module's sources ($src)"
	fi
done
exit $((problems > 0))
