#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion against the built program: verbs, a verb's options (read from its
# --help), the values of an option, and the words after `driver` and `plan`.
# Usage: tests/unit/test_completion.sh BIN
set -u
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../installer/completion/vnic-install.bash"
PATH=$(dirname "$bin"):$PATH
passed=0 failed=0

expect() { # WANT WORD...
	local want=$1
	shift
	COMP_WORDS=(vnic-install "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_vnic_install
	if [ "${COMPREPLY[*]}" = "$want" ]; then
		passed=$((passed + 1))
	else
		echo "FAIL completion of '$*': got '${COMPREPLY[*]}', want '$want'"
		failed=$((failed + 1))
	fi
}

expect "prepare" pr
expect "plan" pl
expect "install remove status" driver ""
expect "swap prepare" plan ""
expect "--image" plan --im
expect "--install-prereqs" driver install --install
expect "carrier address gateway ping:" swap --check ""
expect "" driver install ""
echo "completion: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
