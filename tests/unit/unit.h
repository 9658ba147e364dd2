/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every cmocka unit test includes; tests run with their scratch directory as cwd. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"

/* Writes a file for a test's fixture (not atomic, not under test). */
static inline void unit_write(const char *path, const char *content)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_int_equal(fputs(content, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static inline char *unit_read(const char *path)
{
	char *s = NULL;

	assert_int_equal(read_full_file(path, READ_FILE_MAX, &s, NULL), 0);
	return s;
}
