// SPDX-License-Identifier: GPL-2.0-or-later
/* exec_run: argv in, status and output back; failures to start are errors, not statuses. */
#include "unit.h"

#include "lib/exec.h"

static void test_capture_and_status(void **state)
{
	char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	struct exec_result r;

	assert_int_equal(exec_run(argv, NULL, &r), 0);
	assert_int_equal(r.exit_code, 3);
	assert_false(exec_succeeded(&r));
	assert_string_equal(r.output, "out\n");
	assert_string_equal(r.errout, "err\n");
	exec_result_done(&r);
}

static void test_arguments_are_not_shell_words(void **state)
{
	char *argv[] = { "printf", "%s|", "a b", "$(id)", ";rm -rf /", NULL };
	struct exec_result r;

	assert_int_equal(exec_run(argv, NULL, &r), 0);
	assert_true(exec_succeeded(&r));
	assert_string_equal(r.output, "a b|$(id)|;rm -rf /|");
	exec_result_done(&r);
}

static void test_missing_program(void **state)
{
	char *argv[] = { "vnic-no-such-program", NULL };
	struct exec_result r = { .exit_code = 42 };

	assert_int_equal(exec_run(argv, NULL, &r), -ENOENT);
	assert_int_equal(r.exit_code, 42);
}

static void test_stdin_merge_env(void **state)
{
	char *argv[] = { "sh", "-c", "cat; echo \"$VNIC_X\" >&2", NULL };
	char *env[] = { "VNIC_X=seen", NULL };
	struct exec_opts o = { .stdin_data = "fed\n", .merge_stderr = true, .env_add = env };
	struct exec_result r;

	assert_int_equal(exec_run(argv, &o, &r), 0);
	assert_string_equal(r.output, "fed\nseen\n");
	exec_result_done(&r);
}

static void test_timeout(void **state)
{
	char *argv[] = { "sleep", "30", NULL };
	struct exec_opts o = { .timeout_sec = 1 };
	struct exec_result r;

	assert_int_equal(exec_run(argv, &o, &r), -ETIMEDOUT);
	assert_true(r.timed_out);
	assert_int_equal(r.signal, 15);
	exec_result_done(&r);
}

static void test_find_program(void **state)
{
	_cleanup_free_ char *p = NULL;

	assert_true(exec_find_program(NULL, "sh", &p));
	assert_int_equal(access(p, X_OK), 0);
	assert_false(exec_find_program(NULL, "vnic-no-such-program", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_and_status),
		cmocka_unit_test(test_arguments_are_not_shell_words),
		cmocka_unit_test(test_missing_program),
		cmocka_unit_test(test_stdin_merge_env),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_find_program),
	};

	return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
