#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make deb`: the Debian packages vmxnet3-dkms and vnic-install (and the source package) into
# OUTDIR. Builds from what `make dist` ships, unpacked in a scratch directory, with
# packaging/debian as debian/, after checking that debian/changelog's newest entry is VERSION.
#   build-deb.sh OUTDIR
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?build-deb.sh OUTDIR}
version=$(cat "$top/VERSION")
"$top/packaging/version.sh" check

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vnic-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
tarball=$("$top/packaging/dist.sh" "$scratch")
tar -C "$scratch" -xzf "$tarball"
rm -f "$tarball"
src=$scratch/vnic-$version
cp -a "$src/packaging/debian" "$src/debian"

echo "make deb: dpkg-buildpackage in $src" >&2
(cd "$src" && dpkg-buildpackage -us -uc) >"$scratch/build.log" 2>&1 || {
	tail -n 40 "$scratch/build.log" >&2
	echo "make deb: dpkg-buildpackage failed (the last 40 lines of its log are above)" >&2
	exit 1
}

mkdir -p "$out"
rm -f "$out"/*.deb "$out"/*.dsc "$out"/*.tar.* "$out"/*.changes "$out"/*.buildinfo
cp "$scratch"/*.deb "$scratch"/*.dsc "$scratch"/*.tar.* "$scratch"/*.changes \
	"$scratch"/*.buildinfo "$out/"
cp "$scratch/build.log" "$out/build.log"
ls -1 "$out"/*.deb
