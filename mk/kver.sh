#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The newest kernel release whose headers are installed (/lib/modules/KVER/build), or nothing.
# Never `uname -r`: the machine's running kernel is not the one the driver is built for.
for b in /lib/modules/*/build; do
	[ -d "$b" ] && basename "$(dirname "$b")"
done | sort -V | tail -n 1
