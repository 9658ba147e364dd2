#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: vnic-install swap in a disposable QEMU guest on a private network namespace,
# then a swap whose link check fails and is rolled back. Changes nothing on the host outside
# build/ and the namespace it creates and removes. Needs root (namespaces, taps).
set -e
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root (it creates a network namespace and tap devices): sudo make demo" >&2
	exit 1
fi
exec /usr/bin/python3 tests/demo/demo.py "$@"
