#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages listed in the given files (one per line, '#' comments) that are
# not installed yet. Quiet when everything is present; idempotent.
#   deps.sh FILE...           install what is missing (root), or name it in one line
#   deps.sh --check FILE...   only name what is missing, in one line, and fail
set -euo pipefail
check=
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$@" | grep -v '^$' | sort -u)
missing=()
for p in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ -n "$check" ] || [ "$(id -u)" -ne 0 ]; then
	echo "make: missing packages: ${missing[*]}; run 'sudo make deps' first." >&2
	exit 1
fi
echo "make deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
