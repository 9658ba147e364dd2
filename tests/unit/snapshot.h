/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A listing of a tree for byte-for-byte comparisons in tests: one line per entry with its type,
 * mode, owner and content digest (or link target). vnic's own state, /var/lib/vnic, is left out.
 */
#pragma once

#include <dirent.h>
#include <limits.h>

#include "lib/sha256.h"
#include "lib/strv.h"
#include "unit.h"

/* One line per entry (type, mode, digest or link target); /var/lib/vnic is left out. */
static void snap_dir(const char *base, const char *rel, FILE *f)
{
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_free_ char *dir = NULL;
	DIR *d;
	struct dirent *de;

	assert_int_not_equal(asprintf(&dir, "%s%s", base, rel), -1);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			assert_int_equal(strv_push(&names, de->d_name), 0);
	closedir(d);
	strv_sort(names);
	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *r = NULL, *p = NULL;
		struct stat st;

		assert_int_not_equal(asprintf(&r, "%s/%s", rel, names[i]), -1);
		if (streq(r, "/var/lib/vnic"))
			continue;
		assert_int_not_equal(asprintf(&p, "%s%s", base, r), -1);
		assert_int_equal(lstat(p, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			fprintf(f, "d %04o %s\n", st.st_mode & 07777, r);
			snap_dir(base, r, f);
		} else if (S_ISLNK(st.st_mode)) {
			char t[PATH_MAX] = "";

			assert_true(readlink(p, t, sizeof(t) - 1) > 0);
			fprintf(f, "l %s -> %s\n", r, t);
		} else {
			_cleanup_free_ char *data = NULL;
			char sha[SHA256_HEX_SIZE];
			size_t n;

			assert_int_equal(read_full_file(p, 1 << 20, &data, &n), 0);
			sha256_hex(data, n, sha);
			fprintf(f, "f %04o %u:%u %.16s %s\n", st.st_mode & 07777, (unsigned)st.st_uid,
				(unsigned)st.st_gid, sha, r);
		}
	}
}

static char *snapshot(const char *root)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	snap_dir(root, "", f);
	assert_int_equal(fclose(f), 0);
	return buf;
}
