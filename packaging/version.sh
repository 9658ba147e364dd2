#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The one version, and the changelogs checked against it.
#   version.sh check        exit 1 (with a message) unless packaging/debian/changelog's newest
#                           entry is the version in VERSION
#   version.sh new VERSION [TEXT]
#                           set VERSION and add a changelog entry for it (releases, and the
#                           package tests' upgrade step)
#   version.sh rpm-changelog
#                           the debian changelog as an RPM %changelog (the spec's is generated)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
changelog=$top/packaging/debian/changelog

# The newest entry's version: "vnic (2.0.0) unstable; urgency=medium".
newest() { sed -n '1s/^[a-z0-9.+-]* (\([^)]*\)).*/\1/p' "$changelog"; }

case ${1:-} in
check)
	version=$(cat "$top/VERSION")
	if [ "$(newest)" != "$version" ]; then
		echo "$changelog: newest entry is '$(newest)' but VERSION is '$version'." >&2
		echo "Add an entry for $version: packaging/version.sh new $version 'What changed.'" >&2
		exit 1
	fi
	;;
new)
	new=${2:?version.sh new VERSION [TEXT]}
	text=${3:-New upstream release $new.}
	[[ $new =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "version.sh: '$new' is not X.Y.Z" >&2; exit 2; }
	maint=$(sed -n 's/^Maintainer: //p' "$top/packaging/debian/control")
	tmp=$(mktemp "$changelog.XXXXXX")
	{
		printf 'vnic (%s) unstable; urgency=medium\n\n  * %s\n\n -- %s  %s\n\n' \
			"$new" "$text" "$maint" "$(LC_ALL=C date -u -R)"
		cat "$changelog"
	} >"$tmp"
	mv "$tmp" "$changelog"
	echo "$new" >"$top/VERSION"
	;;
rpm-changelog)
	# "* Thu Nov 26 2026 Name <mail> - 2.0.0-1" then "- change" lines, newest first.
	LC_ALL=C awk '
		/^[a-z0-9.+-]+ \(/ { v = $2; gsub(/[()]/, "", v); n = 0; next }
		/^  \* / { sub(/^  \* /, ""); items[++n] = "- " $0; next }
		/^    [^ ]/ { sub(/^ +/, ""); items[n] = items[n] " " $0; next }
		/^ -- / {
			line = $0; sub(/^ -- /, "", line)
			who = line; sub(/  .*/, "", who)
			date = line; sub(/.*  /, "", date)
			split(date, d, /[ ,]+/)   # Thu, 26 Nov 2026 18:40:00 +0000
			printf "* %s %s %s %s %s - %s-1\n", d[1], d[3], d[2], d[4], who, v
			for (i = 1; i <= n; i++) print items[i]
			print ""
		}' "$changelog"
	;;
*)
	echo "usage: version.sh check | new VERSION [TEXT] | rpm-changelog" >&2
	exit 2
	;;
esac
