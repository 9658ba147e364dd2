// SPDX-License-Identifier: GPL-2.0-or-later
/* exec_run: argv in, status and output back; failures to start are errors, not statuses. */
#include "unit.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/exec.h"
#include "lib/fileio.h"

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

static bool alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

/*
 * A command and what it started (here a `sleep` under sh) die with the vnic-install that ran
 * it: a killed run leaves no dkms build behind to race the next run's recovery.
 */
static void test_children_die_with_the_parent(void **state)
{
	_cleanup_free_ char *text = NULL;
	int status, pidfd;
	pid_t run, orphan = 0;

	run = fork();
	assert_true(run >= 0);
	if (run == 0) {
		char *argv[] = { "sh", "-c", "sleep 1000 & echo $! > grandchild.tmp && "
				 "mv grandchild.tmp grandchild; wait", NULL };
		struct exec_result r;

		_exit(exec_run(argv, NULL, &r) < 0 ? 1 : 0);
	}
	while (read_full_file("grandchild", 64, &text, NULL) < 0)
		usleep(10000); /* until the command has started its own child */
	orphan = (pid_t)atoi(text);
	assert_true(orphan > 0 && alive(orphan));
	pidfd = (int)syscall(SYS_pidfd_open, orphan, 0);
	assert_true(pidfd >= 0);
	assert_int_equal(kill(run, SIGKILL), 0);
	assert_int_equal(waitpid(run, &status, 0), run);
	/* Readable once the grandchild has ended; a minute is only a guard against a hang. */
	if (poll(&(struct pollfd){ .fd = pidfd, .events = POLLIN }, 1, 60000) != 1) {
		kill(orphan, SIGKILL);
		fail_msg("pid %d, started by a command of a killed vnic-install, is still running",
			 (int)orphan);
	}
	close(pidfd);
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
		cmocka_unit_test(test_children_die_with_the_parent),
		cmocka_unit_test(test_find_program),
	};

	return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
