/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for unit tests that build a small fake root in their scratch directory. */
#pragma once

#include <limits.h>

#include "lib/fileio.h"
#include "unit.h"

static char sysroot[PATH_MAX];

/* A fresh, empty root "rootN" under the scratch directory; use as a cmocka setup. */
static inline int sysroot_new(void **state)
{
	static unsigned n;

	assert_non_null(realpath(".", sysroot));
	snprintf(sysroot + strlen(sysroot), sizeof(sysroot) - strlen(sysroot), "/root%u", n++);
	assert_int_equal(mkdir(sysroot, 0755), 0);
	return 0;
}

static inline char *sysroot_path(const char *rel, char buf[static PATH_MAX * 2])
{
	snprintf(buf, PATH_MAX * 2, "%s/%s", sysroot, rel);
	return buf;
}

static inline void sysroot_mkdir(const char *rel)
{
	char p[PATH_MAX * 2];

	assert_int_equal(mkdir_parents(sysroot_path(rel, p), 0755), 0);
}

/* Writes rel (creating its directories) with content and mode. */
static inline void sysroot_put(const char *rel, const char *content, mode_t mode)
{
	char p[PATH_MAX * 2], *slash;

	sysroot_path(rel, p);
	slash = strrchr(p, '/');
	*slash = 0;
	assert_int_equal(mkdir_parents(p, 0755), 0);
	*slash = '/';
	unit_write(p, content);
	assert_int_equal(chmod(p, mode), 0);
}

static inline void sysroot_link(const char *rel, const char *target)
{
	char p[PATH_MAX * 2], *slash;

	sysroot_path(rel, p);
	slash = strrchr(p, '/');
	*slash = 0;
	assert_int_equal(mkdir_parents(p, 0755), 0);
	*slash = '/';
	assert_int_equal(symlink(target, p), 0);
}
