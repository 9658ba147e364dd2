// SPDX-License-Identifier: GPL-2.0-or-later
/* String vectors, including the NULL lookups that parsers of bad input produce. */
#include "unit.h"

#include "lib/strv.h"

static void test_split_push_contains(void **state)
{
	_cleanup_strv_free_ char **l = NULL;

	assert_int_equal(strv_split("  a,b  c,,", " ,", &l), 0);
	assert_int_equal(strv_length(l), 3);
	assert_true(strv_contains(l, "b"));
	assert_false(strv_contains(l, "d"));
	assert_int_equal(strv_push(&l, "0"), 0);
	strv_sort(l);
	assert_string_equal(l[0], "0");
}

static void test_null_is_in_no_vector(void **state)
{
	_cleanup_strv_free_ char **l = NULL;

	/* fuzz_netplan found this: a non-scalar YAML key made the netplan planner look up NULL. */
	assert_int_equal(strv_split("a b", " ", &l), 0);
	assert_false(strv_contains(l, NULL));
	assert_false(strv_contains(NULL, "a"));
	assert_false(strv_contains(NULL, NULL));
	assert_int_equal(strv_length(NULL), 0);
	assert_int_equal(strv_sort(NULL), 0);
}

static void test_empty_split(void **state)
{
	_cleanup_strv_free_ char **l = NULL;

	assert_int_equal(strv_split("", " ", &l), 0);
	assert_non_null(l);
	assert_int_equal(strv_length(l), 0);
}

static void test_join(void **state)
{
	_cleanup_strv_free_ char **l = NULL;
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

	assert_int_equal(strv_split("ifdown --force ens4", " ", &l), 0);
	a = strv_join(l, " ");
	assert_string_equal(a, "ifdown --force ens4");
	b = strv_join(NULL, ", ");
	assert_string_equal(b, "");
	strv_free(l);
	l = NULL;
	assert_int_equal(strv_split("x", " ", &l), 0);
	c = strv_join(l, ", ");
	assert_string_equal(c, "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_push_contains),
		cmocka_unit_test(test_null_is_in_no_vector),
		cmocka_unit_test(test_empty_split),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests_name("strv", tests, NULL, NULL);
}
