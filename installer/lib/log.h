/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages for people. Only verbs and main() print; everything below them returns -errno.
 * log_*_errno() return the (negative) error they were given, so a verb can write
 *   return log_error_errno(r, "Failed to write %s: %m", path);
 * where %m stands for the error's text.
 */
#pragma once

#include <stdio.h>

#include "macro.h"

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Everything (all levels, with timestamps) is also appended to this file when set. */
void log_set_file(FILE *f);

_printf_(3, 4) int log_full_errno(enum log_level level, int error, const char *fmt, ...);

#define log_error_errno(e, ...) log_full_errno(LOG_ERR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARN, (e), __VA_ARGS__)
#define log_error(...) ((void)log_full_errno(LOG_ERR, 0, __VA_ARGS__))
#define log_warning(...) ((void)log_full_errno(LOG_WARN, 0, __VA_ARGS__))
#define log_info(...) ((void)log_full_errno(LOG_INFO, 0, __VA_ARGS__))
#define log_debug(...) ((void)log_full_errno(LOG_DEBUG, 0, __VA_ARGS__))
