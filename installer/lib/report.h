/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Progress of a verb that runs steps (swap, prepare, driver install), printed on stdout in one
 * of three forms chosen once:
 *   terminal  "[3/9 4.2s] Applying the networkd configuration…", details indented below;
 *   plain     the same lines in ASCII (a pipe, a log collector);
 *   JSON      one object per line (--json), for automation:
 *     {"event":"step","step":3,"total":9,"id":"apply","message":"...","elapsed_ms":4210}
 *     {"event":"step_end","step":3,"id":"apply","ok":true,"elapsed_ms":4400}
 *     {"event":"detail","step":3,"message":"..."}
 *     {"event":"result","outcome":"ok","exit_code":0,"message":"...","elapsed_ms":9100}
 * Every line also goes to the log file (log_set_file()). This is for verbs only: the floors
 * below a verb never print.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "lib/macro.h"

enum report_mode {
	REPORT_PLAIN,
	REPORT_TERMINAL,
	REPORT_JSON,
};

struct report {
	FILE *out;
	enum report_mode mode;
	unsigned step, total;
	char step_id[160];
	bool in_step;
	bool quiet;       /* -q: only failures and a failed result (JSON is never quieted) */
	struct timespec start;
};

/* json: --json; otherwise terminal when out is a tty, else plain. total: the number of steps
 * expected (0: unknown; the counter then shows only the step number). */
void report_init(struct report *r, FILE *out, bool json, unsigned total);
/* -q (verbs/output.c sets it for every verb). */
void report_set_quiet(struct report *r, bool quiet);
/* Changes the expected number of steps (when a plan turns out longer). */
void report_set_total(struct report *r, unsigned total);

/* Starts the next step (ending the one before as successful). id: a stable word for JSON. */
_printf_(3, 4) void report_step(struct report *r, const char *id, const char *fmt, ...);
/* Ends the current step; ok false prints the reason (fmt may be NULL). */
_printf_(3, 4) void report_step_end(struct report *r, bool ok, const char *fmt, ...);
/* A line of detail under the current step. */
_printf_(2, 3) void report_detail(struct report *r, const char *fmt, ...);
/* The final line: outcome "ok", "rolled-back", "failed", "unsupported", ... */
_printf_(4, 5) void report_result(struct report *r, const char *outcome, int exit_code,
				  const char *fmt, ...);

/* Milliseconds since report_init(). */
long report_elapsed_ms(const struct report *r);
