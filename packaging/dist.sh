#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make dist`: the source tarball OUTDIR/vnic-<version>.tar.gz, reproducible (fixed owner,
# order and dates). In a git checkout it holds the committed tree (HEAD: uncommitted changes
# are left out, and said so), or with VNIC_DIST_FROM=worktree the working tree's tracked and
# new files; outside git (an unpacked tarball) every file but build/. To that
# it adds vnic.spec, generated from packaging/rpm/vnic.spec.in, so that `rpmbuild -tb` builds
# the tarball. Prints the tarball's path.
#   dist.sh OUTDIR
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?dist.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

stage=$(mktemp -d "${TMPDIR:-/tmp}/vnic-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/tree"
cd "$top"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	tar --exclude=./build -cf - . | tar -C "$stage/tree" -xf -
elif [ "${VNIC_DIST_FROM:-HEAD}" = worktree ]; then
	# A developer's snapshot: the working tree's tracked and new (not ignored) files.
	echo "dist: from the working tree (VNIC_DIST_FROM=worktree), not from a commit" >&2
	git ls-files -z --cached --others --exclude-standard | grep -zv -e '^build[^/]*/' -e '__pycache__/' |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -C "$stage/tree" -xf -
else
	git archive --format=tar HEAD | tar -C "$stage/tree" -xf -
	if ! git diff --quiet HEAD -- 2>/dev/null; then
		echo "dist: from commit $(git rev-parse --short HEAD); uncommitted changes are not in the tarball" >&2
	fi
fi

tree=$stage/tree
version=$(cat "$tree/VERSION")
"$tree/packaging/version.sh" check
{
	sed "s/@VERSION@/$version/g" "$tree/packaging/rpm/vnic.spec.in"
	"$tree/packaging/version.sh" rpm-changelog
} >"$tree/vnic.spec.tmp"
mv "$tree/vnic.spec.tmp" "$tree/vnic.spec"

# Every file gets the date of the newest changelog entry: reproducible, and not 1970 (which
# lintian rejects as package-contains-ancient-file).
stamp=$(date -d "$(sed -n 's/^ -- .*>  //p' "$tree/packaging/debian/changelog" | head -n 1)" +%s)
tarball=$out/vnic-$version.tar.gz
mv "$tree" "$stage/vnic-$version"
tar -C "$stage" --owner=0 --group=0 --numeric-owner --mode=go-w --sort=name --mtime=@"$stamp" \
	-cf - "vnic-$version" | gzip -n -9 >"$tarball.tmp"
mv "$tarball.tmp" "$tarball"
echo "$tarball"
