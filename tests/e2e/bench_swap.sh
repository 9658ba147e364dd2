#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench` runs tests/e2e/bench_*.sh: the swap benchmark lives in bench_swap.py (QEMU guest,
# root). Options pass through (--runs N).
exec "${PYTHON:-/usr/bin/python3}" "$(dirname "$0")/bench_swap.py" "$@"
