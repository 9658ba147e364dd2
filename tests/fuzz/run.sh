#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each libFuzzer binary for SECS seconds on a scratch copy of its seed corpus
# (tests/fuzz/corpus/<name without fuzz_>/), in a scratch directory that is removed when the
# run is clean and kept (with the crash input) when it is not.
#
# Usage: tests/fuzz/run.sh SECS BIN...
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 SECS BIN..." >&2; exit 2; }
secs=$1
shift
here=$(dirname "$(realpath "$0")")
passed=0 failed=0 broken=()
for bin in "$@"; do
	name=$(basename "$bin")
	target=${name#fuzz_}
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/vnic-fuzz-$target.XXXXXX")
	mkdir -p "$scratch/corpus"
	if [ -d "$here/corpus/$target" ]; then
		cp -a "$here/corpus/$target/." "$scratch/corpus/"
	fi
	echo "=== $name: ${secs}s, $(find "$scratch/corpus" -type f | wc -l) seeds"
	abs=$(realpath "$bin")
	(cd "$scratch" && TMPDIR="$scratch" "$abs" -max_total_time="$secs" -timeout=5 \
		-print_final_stats=1 corpus) >"$scratch/log" 2>&1
	rc=$?
	grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$scratch/log" | tail -3
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		rm -rf "$scratch"
	else
		failed=$((failed + 1))
		tail -n 40 "$scratch/log"
		broken+=("$name (exit $rc; log and crash input kept in $scratch)")
	fi
done
echo
for b in "${broken[@]}"; do echo "FAILED: $b"; done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
