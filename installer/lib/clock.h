/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Monotonic time for deadlines and durations. */
#pragma once

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t now_ms(void);
