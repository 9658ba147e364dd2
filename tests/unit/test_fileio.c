// SPDX-License-Identifier: GPL-2.0-or-later
/* Atomic writes: the target is either the old or the new contents, never anything else. */
#include "unit.h"

#include <dirent.h>
#include <sys/types.h>

#include "lib/fault.h"

static int count_entries(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	return n;
}

static int teardown(void **state)
{
	fault_configure(NULL);
	return 0;
}

static void test_new_file_gets_mode(void **state)
{
	_cleanup_free_ char *s = NULL;
	struct stat st;

	mkdir("new", 0755);
	assert_int_equal(write_file_atomic("new/a.conf", "hello\n", 6, 0640), 0);
	assert_int_equal(stat("new/a.conf", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	s = unit_read("new/a.conf");
	assert_string_equal(s, "hello\n");
	assert_int_equal(count_entries("new"), 1); /* no temporary file left */
}

static void test_replace_keeps_mode(void **state)
{
	_cleanup_free_ char *s = NULL;
	struct stat st;

	mkdir("keep", 0755);
	unit_write("keep/b.conf", "old contents\n");
	assert_int_equal(chmod("keep/b.conf", 0604), 0);
	assert_int_equal(write_file_atomic("keep/b.conf", "new\n", 4, 0600), 0);
	assert_int_equal(stat("keep/b.conf", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);
	s = unit_read("keep/b.conf");
	assert_string_equal(s, "new\n");
	assert_int_equal(count_entries("keep"), 1);
}

/* A failure at each point of the sequence leaves the original byte for byte, and no litter. */
static void check_failure_leaves_original(const char *rule, int expected)
{
	_cleanup_free_ char *s = NULL;
	struct stat st;

	mkdir("fail", 0755);
	unit_write("fail/c.conf", "original\n");
	assert_int_equal(chmod("fail/c.conf", 0644), 0);
	assert_int_equal(fault_configure(rule), 0);
	assert_int_equal(write_file_atomic("fail/c.conf", "replacement\n", 12, 0600), expected);
	fault_configure(NULL);
	s = unit_read("fail/c.conf");
	assert_string_equal(s, "original\n");
	assert_int_equal(stat("fail/c.conf", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(count_entries("fail"), 1);
}

static void test_write_failure(void **state)
{
	check_failure_leaves_original("write:1:ENOSPC", -ENOSPC);
}

static void test_fsync_failure(void **state)
{
	check_failure_leaves_original("fsync:1", -EIO);
}

static void test_rename_failure(void **state)
{
	check_failure_leaves_original("rename:1:EROFS", -EROFS);
}

static void test_open_failure(void **state)
{
	check_failure_leaves_original("open:1:EACCES", -EACCES);
}

static void test_symlink_refused(void **state)
{
	_cleanup_free_ char *s = NULL;

	mkdir("link", 0755);
	unit_write("link/real", "real\n");
	assert_int_equal(symlink("real", "link/alias"), 0);
	assert_int_equal(write_file_atomic("link/alias", "x", 1, 0644), -ELOOP);
	s = unit_read("link/real");
	assert_string_equal(s, "real\n");
}

static void test_missing_directory(void **state)
{
	assert_int_equal(write_file_atomic("nodir/x.conf", "x", 1, 0644), -ENOENT);
}

static void test_read_bounds(void **state)
{
	_cleanup_free_ char *s = NULL;
	char *t = (char *)0x1;
	size_t n = 0;

	unit_write("big", "0123456789");
	assert_int_equal(read_full_file("big", 10, &s, &n), 0);
	assert_int_equal(n, 10);
	assert_string_equal(s, "0123456789");
	assert_int_equal(read_full_file("big", 9, &t, NULL), -EFBIG);
	assert_ptr_equal(t, (char *)0x1); /* untouched on failure */

	unit_write("empty", "");
	free(s);
	s = NULL;
	assert_int_equal(read_full_file("empty", 10, &s, &n), 0);
	assert_int_equal(n, 0);
	assert_string_equal(s, "");
}

static void test_read_refuses_special_files(void **state)
{
	char *t = NULL;

	mkdir("adir", 0755);
	assert_int_equal(read_full_file("adir", 100, &t, NULL), -EISDIR);
	assert_int_equal(mkfifo("fifo", 0600), 0);
	assert_int_equal(read_full_file("fifo", 100, &t, NULL), -EINVAL);
	assert_int_equal(read_full_file("does-not-exist", 100, &t, NULL), -ENOENT);
	assert_null(t);
}

static void test_mkdir_parents(void **state)
{
	struct stat st;

	assert_int_equal(mkdir_parents("p/q/r", 0755), 0);
	assert_int_equal(stat("p/q/r", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mkdir_parents("p/q/r", 0755), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_new_file_gets_mode, teardown),
		cmocka_unit_test_teardown(test_replace_keeps_mode, teardown),
		cmocka_unit_test_teardown(test_write_failure, teardown),
		cmocka_unit_test_teardown(test_fsync_failure, teardown),
		cmocka_unit_test_teardown(test_rename_failure, teardown),
		cmocka_unit_test_teardown(test_open_failure, teardown),
		cmocka_unit_test_teardown(test_symlink_refused, teardown),
		cmocka_unit_test_teardown(test_missing_directory, teardown),
		cmocka_unit_test_teardown(test_read_bounds, teardown),
		cmocka_unit_test_teardown(test_read_refuses_special_files, teardown),
		cmocka_unit_test_teardown(test_mkdir_parents, teardown),
	};

	return cmocka_run_group_tests_name("fileio", tests, NULL, NULL);
}
