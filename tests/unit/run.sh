#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the cmocka unit-test binaries (built with ASan and UBSan), each in its own scratch
# directory (removed on success, kept on failure), and prints one closing count.
set -uo pipefail
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0 broken=()
for bin in "$@"; do
	name=$(basename "$bin")
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/vnic-unit-$name.XXXXXX")
	out=$(cd "$scratch" && VNIC_TEST_SCRATCH="$scratch" "$OLDPWD/$bin" 2>&1)
	rc=$?
	echo "$out"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -n1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ]; then
		[ -n "$f" ] || failed=$((failed + 1)) # crashed before cmocka could count
		broken+=("$name (scratch kept: $scratch)")
	else
		rm -rf "$scratch"
	fi
done
echo
for b in "${broken[@]}"; do echo "FAILED: $b"; done
echo "unit: $passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ]
