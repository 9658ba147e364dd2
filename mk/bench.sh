#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: runs every benchmark the project has. Benchmarks print figures as ratios
# against a peer measured side by side in the same run; they never pass or fail on a time.
set -uo pipefail
python=${PYTHON:-/usr/bin/python3}
ran=0 failed=0
for b in tests/*/bench.py tests/*/bench.sh; do
	[ -e "$b" ] || continue
	echo "=== bench $b"
	case $b in
	*.py) "$python" "$b" ;;
	*) "$b" ;;
	esac || { echo "bench $b failed" >&2; failed=$((failed + 1)); }
	ran=$((ran + 1))
done
if [ $ran -eq 0 ]; then
	echo "make bench: no benchmarks yet (they come with the driver and the installer's verbs)." >&2
	exit 1
fi
[ $failed -eq 0 ]
