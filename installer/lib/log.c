// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"

static enum log_level max_level = LOG_INFO;
static FILE *log_file;

void log_set_level(enum log_level level)
{
	max_level = level;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_set_file(FILE *f)
{
	log_file = f;
}

int log_full_errno(enum log_level level, int error, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	int saved = errno;
	va_list ap;

	if (error > 0)
		error = -error;
	if (log_file) {
		char stamp[32];
		time_t t = time(NULL);
		struct tm tm;

		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
		fprintf(log_file, "%sZ %s", stamp, prefix[level]);
		errno = -error;
		va_start(ap, fmt);
		vfprintf(log_file, fmt, ap);
		va_end(ap);
		fputc('\n', log_file);
		fflush(log_file);
	}
	if (level <= max_level) {
		/* Messages go to stderr: stdout carries the result (a report, or JSON). */
		fprintf(stderr, "%s%s", level == LOG_INFO ? "" : "vnic-install: ", prefix[level]);
		errno = -error;
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	errno = saved;
	return error;
}
