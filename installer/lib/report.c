// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "report.h"

void report_init(struct report *r, FILE *out, bool json, unsigned total)
{
	*r = (struct report){ .out = out, .total = total };
	if (json)
		r->mode = REPORT_JSON;
	else if (isatty(fileno(out)))
		r->mode = REPORT_TERMINAL;
	else
		r->mode = REPORT_PLAIN;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
}

void report_set_quiet(struct report *r, bool quiet)
{
	r->quiet = quiet && r->mode != REPORT_JSON;
}

void report_set_total(struct report *r, unsigned total)
{
	r->total = total;
}

long report_elapsed_ms(const struct report *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - r->start.tv_sec) * 1000L + (now.tv_nsec - r->start.tv_nsec) / 1000000L;
}

_printf_(1, 0) static char *format(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (!fmt || vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static void json_event(struct report *r, const char *event, const char *message, int ok,
		       int exit_code, const char *outcome)
{
	struct json_writer w;

	json_init(&w, r->out, false);
	json_object_begin(&w, NULL);
	json_string(&w, "event", event);
	if (outcome) {
		json_string(&w, "outcome", outcome);
		json_int(&w, "exit_code", exit_code);
	} else {
		json_int(&w, "step", r->step);
		if (!strcmp(event, "step"))
			json_int(&w, "total", r->total);
		if (strcmp(event, "detail"))
			json_string(&w, "id", r->step_id);
	}
	if (ok >= 0)
		json_bool(&w, "ok", ok);
	if (message)
		json_string(&w, "message", message);
	if (strcmp(event, "detail"))
		json_int(&w, "elapsed_ms", report_elapsed_ms(r));
	json_object_end(&w); /* ends the line at depth 0 */
	fflush(r->out);
}

static void end_step(struct report *r, bool ok, const char *why)
{
	if (!r->in_step)
		return;
	r->in_step = false;
	log_debug("step %u (%s) %s%s%s", r->step, r->step_id, ok ? "done" : "failed",
		  why ? ": " : "", why ? why : "");
	if (r->mode == REPORT_JSON) {
		json_event(r, "step_end", why, ok, 0, NULL);
		return;
	}
	if (!ok) {
		fprintf(r->out, "%s%s\n", r->mode == REPORT_TERMINAL ? "      \033[1;31m✗\033[0m " :
								 "      FAILED: ",
			why ? why : "failed");
		fflush(r->out);
	}
}

void report_step(struct report *r, const char *id, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	long ms;

	end_step(r, true, NULL);
	va_start(ap, fmt);
	msg = format(fmt, ap);
	va_end(ap);
	r->step++;
	if (r->total && r->step > r->total)
		r->total = r->step;
	snprintf(r->step_id, sizeof(r->step_id), "%s", id ? id : "");
	r->in_step = true;
	ms = report_elapsed_ms(r);
	log_full_errno(LOG_DEBUG, 0, "[%u/%u %ld.%lds] %s", r->step, r->total, ms / 1000,
		       (ms % 1000) / 100, msg ? msg : "");
	if (r->mode == REPORT_JSON) {
		json_event(r, "step", msg, -1, 0, NULL);
		return;
	}
	if (r->quiet)
		return;
	if (r->total)
		fprintf(r->out, "[%u/%u %ld.%lds] %s%s\n", r->step, r->total, ms / 1000,
			(ms % 1000) / 100, msg ? msg : "",
			r->mode == REPORT_TERMINAL ? "…" : "...");
	else
		fprintf(r->out, "[%u %ld.%lds] %s%s\n", r->step, ms / 1000, (ms % 1000) / 100,
			msg ? msg : "", r->mode == REPORT_TERMINAL ? "…" : "...");
	fflush(r->out);
}

void report_step_end(struct report *r, bool ok, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = format(fmt, ap);
	va_end(ap);
	end_step(r, ok, msg);
}

void report_detail(struct report *r, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = format(fmt, ap);
	va_end(ap);
	log_full_errno(LOG_DEBUG, 0, "  %s", msg ? msg : "");
	if (r->mode == REPORT_JSON) {
		json_event(r, "detail", msg, -1, 0, NULL);
		return;
	}
	if (r->quiet)
		return;
	fprintf(r->out, "      %s\n", msg ? msg : "");
	fflush(r->out);
}

void report_result(struct report *r, const char *outcome, int exit_code, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	long ms;

	end_step(r, exit_code == 0, NULL);
	va_start(ap, fmt);
	msg = format(fmt, ap);
	va_end(ap);
	ms = report_elapsed_ms(r);
	log_full_errno(LOG_DEBUG, 0, "result: %s (exit %d) after %ld ms: %s", outcome, exit_code,
		       ms, msg ? msg : "");
	if (r->mode == REPORT_JSON) {
		json_event(r, "result", msg, -1, exit_code, outcome);
		return;
	}
	if (r->quiet && exit_code == 0)
		return;
	if (r->mode == REPORT_TERMINAL)
		fprintf(r->out, "%s %s (%ld.%lds)\n",
			exit_code == 0 ? "\033[1;32m✓\033[0m" : "\033[1;31m✗\033[0m", msg ? msg : outcome,
			ms / 1000, (ms % 1000) / 100);
	else
		fprintf(r->out, "%s: %s (%ld.%lds)\n", exit_code == 0 ? "Done" : "Failed",
			msg ? msg : outcome, ms / 1000, (ms % 1000) / 100);
	fflush(r->out);
}
