#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The machine's own apt configuration, for the chroots and guest images the tests build with
# mmdebstrap, so that a machine behind a company mirror or proxy gets the same result and the
# project names no package host of its own.
#   apt-sources.sh SUITE      one "deb URI SUITE[-POCKET] COMPONENTS" line per source apt has
#                             for the machine's own release, moved to SUITE (bookworm-updates
#                             becomes SUITE-updates; sid/unstable keep only the main pocket)
#   apt-sources.sh --aptconf  the proxy and validity settings of the machine's apt
#                             configuration, as apt.conf lines (mmdebstrap --aptopt=FILE or
#                             one --aptopt=LINE each)
# The sources are read through apt itself (`apt-get indextargets`), which parses one-line and
# deb822 files alike. VNIC_MIRROR=URI replaces them with that one mirror (main pocket only).
set -euo pipefail

die() { echo "apt-sources.sh: $*" >&2; exit 1; }

aptconf() {
	apt-config dump | grep -E '^Acquire::([a-z]+::Proxy|Check-Valid-Until|Check-Date)[ :]' ||
		true
}

host_codename() {
	local VERSION_CODENAME=
	# shellcheck disable=SC1091
	. /etc/os-release
	[ -n "$VERSION_CODENAME" ] || die "/etc/os-release names no VERSION_CODENAME"
	echo "$VERSION_CODENAME"
}

sources() {
	local suite=$1 host uri release comps pocket
	if [ -n "${VNIC_MIRROR:-}" ]; then
		echo "deb $VNIC_MIRROR $suite main"
		return
	fi
	host=$(host_codename)
	# One line per (repository, release), its components joined, in apt's order.
	apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Target-Of: deb' \
		'Identifier: Packages' |
		awk '!seen[$1 " " $2 " " $3]++ { k = $1 " " $2; if (!(k in c)) order[n++] = k;
			c[k] = c[k] " " $3 } END { for (i = 0; i < n; i++) print order[i] c[order[i]] }' |
		while read -r uri release comps; do
			case $release in
			"$host") pocket= ;;
			"$host"-*) pocket=${release#"$host"} ;;
			*) continue ;;
			esac
			case $suite in
			sid | unstable | experimental) [ -z "$pocket" ] || continue ;;
			esac
			echo "deb ${uri%/} $suite$pocket $comps"
		done
}

case ${1:-} in
--aptconf) aptconf ;;
"" | -*) die "usage: apt-sources.sh SUITE | --aptconf" ;;
*)
	out=$(sources "$1")
	[ -n "$out" ] || die "apt has no source for this machine's release ($(host_codename));" \
		"set VNIC_MIRROR=URI of a Debian mirror"
	echo "$out"
	;;
esac
