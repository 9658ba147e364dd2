// SPDX-License-Identifier: GPL-2.0-or-later
/* path_chase: symlinks and ".." resolve inside the root, never outside it. */
#include "unit.h"

#include <limits.h>

#include "lib/path.h"

static char root[PATH_MAX];

static int setup(void **state)
{
	assert_non_null(realpath(".", root));
	strcat(root, "/r");
	mkdir("r", 0755);
	mkdir("r/etc", 0755);
	mkdir("r/usr", 0755);
	mkdir("r/usr/lib", 0755);
	unit_write("r/usr/lib/os-release", "ID=test\n");
	/* An absolute link, as distributions ship it: it must resolve inside the root. */
	symlink("/usr/lib/os-release", "r/etc/os-release");
	symlink("../../../../../../etc/passwd", "r/etc/escape");
	symlink("loop2", "r/etc/loop1");
	symlink("loop1", "r/etc/loop2");
	symlink("/", "r/etc/toroot");
	return 0;
}

static void expect(const char *path, unsigned flags, int err, const char *suffix)
{
	_cleanup_free_ char *want = NULL;
	char *got = NULL;
	int r = path_chase(root, path, flags, &got);

	if (r != err)
		fail_msg("%s: expected %d, got %d (%s)", path, err, r, got ? got : "");
	if (err < 0) {
		assert_null(got);
		return;
	}
	assert_int_not_equal(asprintf(&want, "%s%s", root, suffix), -1);
	assert_string_equal(got, want);
	free(got);
}

static void test_absolute_link_stays_inside(void **state)
{
	expect("/etc/os-release", 0, 0, "/usr/lib/os-release");
}

static void test_dotdot_clamped_at_root(void **state)
{
	expect("/../../etc/../usr/./lib/os-release", 0, 0, "/usr/lib/os-release");
	/* The link points far above the root: it ends at the root's /etc/passwd, which is absent. */
	expect("/etc/escape", 0, -ENOENT, NULL);
	expect("/etc/escape", CHASE_NONEXISTENT, 0, "/etc/passwd");
	expect("/etc/toroot/usr/lib", 0, 0, "/usr/lib");
}

static void test_loops_detected(void **state)
{
	expect("/etc/loop1", 0, -ELOOP, NULL);
}

static void test_nonexistent(void **state)
{
	expect("/etc/netplan/60-vnic.yaml", 0, -ENOENT, NULL);
	expect("/etc/netplan/60-vnic.yaml", CHASE_NONEXISTENT, 0, "/etc/netplan/60-vnic.yaml");
	expect("/usr/lib/os-release/x", 0, -ENOTDIR, NULL);
}

static void test_root_must_be_directory(void **state)
{
	char *got = NULL;

	assert_int_equal(path_chase("r/usr/lib/os-release", "/etc", 0, &got), -ENOTDIR);
	assert_int_equal(path_chase("no-such-root", "/etc", 0, &got), -ENOENT);
	assert_null(got);
}

static void test_host_root_and_join(void **state)
{
	_cleanup_free_ char *p = NULL, *j = NULL;

	assert_int_equal(path_chase("/", "/", 0, &p), 0);
	assert_string_equal(p, "/");
	j = path_join("/a/", "/b/c");
	assert_string_equal(j, "/a/b/c");
	assert_true(root_is_host(NULL));
	assert_true(root_is_host("/"));
	assert_false(root_is_host("/mnt"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absolute_link_stays_inside),
		cmocka_unit_test(test_dotdot_clamped_at_root),
		cmocka_unit_test(test_loops_detected),
		cmocka_unit_test(test_nonexistent),
		cmocka_unit_test(test_root_must_be_directory),
		cmocka_unit_test(test_host_root_and_join),
	};

	return cmocka_run_group_tests_name("path", tests, setup, NULL);
}
