#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian bookworm chroot the package tests install into, built once with mmdebstrap and
# cached as a tarball under $VNIC_CACHE/pkg/, keyed by a hash of the recipe below (change the
# recipe and a new tarball is made). Prints the tarball's path.
#   chroot.sh
# The recipe: what a user's machine has before installing vnic (kernel headers, dkms and its
# compiler), the libraries vnic-install links against, and the .debs of a second kernel flavour
# (linux-headers-cloud-amd64) kept under /opt/vnic-debs, so that the test can install "a new
# kernel" without the network.
set -euo pipefail

cache=${VNIC_CACHE:-build/cache}/pkg
recipe=(
	--variant=minbase
	--include=linux-headers-amd64,dkms,gcc,make,kmod,libkmod2,libblkid1,libmnl0,libyaml-0-2
	--customize-hook='mkdir -p "$1/opt/vnic-debs/partial"'
	--customize-hook='chroot "$1" apt-get install -y -qq --download-only -o Dir::Cache::Archives=/opt/vnic-debs/ linux-headers-cloud-amd64'
	--customize-hook='rm -rf "$1/opt/vnic-debs/partial"'
	bookworm
)
# The machine's own apt sources and proxy settings (mk/apt-sources.sh); they are part of the key.
top=$(cd "$(dirname "$0")/../.." && pwd)
mapfile -t sources < <("$top/mk/apt-sources.sh" bookworm)
mapfile -t aptconf < <("$top/mk/apt-sources.sh" --aptconf)
recipe=("${aptconf[@]/#/--aptopt=}" "${recipe[@]}")
key=$(printf '%s\n' "${recipe[@]}" "${sources[@]}" | sha256sum | cut -c1-16)
tarball=$cache/bookworm-$key.tar

if [ ! -s "$tarball" ]; then
	mkdir -p "$cache"
	echo "pkg: building the bookworm chroot (mmdebstrap, once; cached as $tarball)" >&2
	tmp=$tarball.tmp.$$
	trap 'rm -f "$tmp"' EXIT
	printf '%s\n' "${sources[@]}" |
		mmdebstrap --quiet --format=tar "${recipe[@]}" "$tmp" - >&2
	mv "$tmp" "$tarball"
	trap - EXIT
	# Older recipes' tarballs are of no further use.
	find "$cache" -maxdepth 1 -name 'bookworm-*.tar' ! -name "${tarball##*/}" -delete
fi
echo "$tarball"
