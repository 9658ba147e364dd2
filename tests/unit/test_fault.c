// SPDX-License-Identifier: GPL-2.0-or-later
/* Fault rules: the N-th pass through a point fails, the others go through. */
#include "unit.h"

#include <sys/wait.h>

#include "lib/fault.h"

static void test_nth_pass_fails(void **state)
{
	assert_int_equal(fault_configure("write:2:ENOSPC,rename:1"), 0);
	assert_int_equal(fault_inject("write"), 0);
	assert_int_equal(fault_inject("write"), -ENOSPC);
	assert_int_equal(fault_inject("write"), 0);
	assert_int_equal(fault_inject("rename"), -EIO);
	assert_int_equal(fault_inject("fsync"), 0);
	assert_int_equal(fault_configure(NULL), 0);
	assert_int_equal(fault_inject("rename"), 0);
}

static void test_malformed_rules(void **state)
{
	assert_int_equal(fault_configure("write"), -EINVAL);
	assert_int_equal(fault_configure("write:0"), -EINVAL);
	assert_int_equal(fault_configure("write:x"), -EINVAL);
	assert_int_equal(fault_configure(":1"), -EINVAL);
	assert_int_equal(fault_configure("write:1:EWHAT"), -EINVAL);
	assert_int_equal(fault_configure("a:1,,b:2"), -EINVAL);
	assert_int_equal(fault_configure(NULL), 0);
}

static void test_crash_ends_process(void **state)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fault_configure("step:2:crash");
		fault_inject("step");
		fault_inject("step");
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), FAULT_CRASH_EXIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nth_pass_fails),
		cmocka_unit_test(test_malformed_rules),
		cmocka_unit_test(test_crash_ends_process),
	};

	return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
