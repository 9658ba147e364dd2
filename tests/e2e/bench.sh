#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench` (mk/bench.sh) runs tests/*/bench.sh: this runs each shell benchmark of
# tests/e2e (bench_*.sh) in turn and fails when one of them fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
failed=0
for b in "$here"/bench_*.sh; do
	[ -e "$b" ] || continue
	echo "--- $(basename "$b")"
	"$b" || { echo "$(basename "$b") failed" >&2; failed=$((failed + 1)); }
done
[ $failed -eq 0 ]
