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

/*
 * The contents of rel, a file of the source tree, found by walking up from the test binary
 * (build/san/tests/...); NULL when the binary runs outside the tree.
 */
static inline char *unit_source_file(const char *rel)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	assert_true(n > 0);
	exe[n] = 0;
	for (char *slash = strrchr(exe, '/'); slash; slash = strrchr(exe, '/')) {
		char path[4096 + 256];

		*slash = 0;
		snprintf(path, sizeof(path), "%s/%s", exe, rel);
		if (access(path, F_OK) == 0)
			return unit_read(path);
	}
	return NULL;
}
