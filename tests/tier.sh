#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one test tier and records its outcome and time, so that `make check` runs every tier,
# prints one summary and fails at the end if any tier failed.
#   tier.sh --start           forget earlier results
#   tier.sh NAME CMD [ARGS]   run a tier
#   tier.sh --summary         print the table; exit 1 if a tier failed
set -uo pipefail
log=${BUILD:-build}/tiers.log
mkdir -p "$(dirname "$log")"

case "${1:-}" in
--start)
	: >"$log"
	date +%s >"$log.start"
	exit 0
	;;
--summary)
	total=$(( $(date +%s) - $(cat "$log.start" 2>/dev/null || date +%s) ))
	echo
	echo "=== test tiers"
	failed=0 passed=0
	while read -r name status secs; do
		printf '  %-14s %-6s %5ss\n' "$name" "$status" "$secs"
		if [ "$status" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	done <"$log"
	echo "  total: ${total}s"
	echo "tiers: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
	;;
esac

name=$1
shift
echo
echo "=== tier $name: $*"
start=$EPOCHREALTIME
"$@"
rc=$?
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
if [ $rc -eq 0 ]; then status=ok; else status=FAILED; fi
echo "--- tier $name: $status in ${secs}s"
echo "$name $status $secs" >>"$log"
exit 0
