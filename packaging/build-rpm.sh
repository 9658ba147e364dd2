#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make rpm`: the RPM packages vnic-install and dkms-vmxnet3 (and the source RPM) into OUTDIR,
# built by `rpmbuild -ta` from the `make dist` tarball, exactly as a packager would on an RPM
# distribution. On Debian the BuildRequires cannot be checked against an (empty) RPM database,
# so this passes --nodeps there; the build dependencies are Debian's (make deps).
#   build-rpm.sh OUTDIR
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?build-rpm.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vnic-rpm.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
tarball=$("$top/packaging/dist.sh" "$scratch")

nodeps=()
[ -e /etc/debian_version ] && nodeps=(--nodeps)
echo "make rpm: rpmbuild -ta $(basename "$tarball")" >&2
rpmbuild -ta "${nodeps[@]}" --define "_topdir $scratch/rpmbuild" "$tarball" \
	>"$scratch/build.log" 2>&1 || {
	tail -n 40 "$scratch/build.log" >&2
	echo "make rpm: rpmbuild failed (the last 40 lines of its log are above)" >&2
	exit 1
}
rm -f "$out"/*.rpm
find "$scratch/rpmbuild/RPMS" "$scratch/rpmbuild/SRPMS" -name '*.rpm' -exec cp {} "$out/" \;
cp "$scratch/build.log" "$out/build.log"
ls -1 "$out"/*.rpm
