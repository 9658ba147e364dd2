// SPDX-License-Identifier: GPL-2.0-or-later
/* Option parsing: what is accepted, what is refused, and that refusals say why. */
#include "unit.h"

#include "cli.h"

#define PARSE(ok, ...)                                                                  \
	do {                                                                            \
		char *argv_[] = { "vnic-install", __VA_ARGS__, NULL };                  \
		r = cli_parse((int)ELEMENTSOF(argv_) - 1, argv_, &a, &err);             \
		if ((r == 0) != (ok))                                                   \
			fail_msg("parse gave %d (%s)", r, err ? err : "no message");   \
	} while (0)

static void test_no_verb(void **state)
{
	char *argv[] = { "vnic-install", NULL };
	_cleanup_free_ char *err = NULL;
	struct vnic_args a;

	assert_int_equal(cli_parse(1, argv, &a, &err), 0);
	assert_null(a.verb);
	cli_args_done(&a);
}

static void test_version_flag_and_verb(void **state)
{
	_cleanup_free_ char *err = NULL;
	struct vnic_args a;
	int r;

	PARSE(true, "--version");
	assert_true(a.version);
	cli_args_done(&a);

	PARSE(true, "version", "--json");
	assert_string_equal(a.verb->name, "version");
	assert_true(a.json);
	cli_args_done(&a);
}

static void test_unknown_things_are_named(void **state)
{
	struct vnic_args a;
	char *err = NULL;
	int r;

	PARSE(false, "--frobnicate");
	assert_non_null(strstr(err, "--frobnicate"));
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "swizzle");
	assert_non_null(strstr(err, "swizzle"));
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "-Z");
	assert_non_null(strstr(err, "-Z"));
	free(err);
	cli_args_done(&a);
}

static void test_option_not_for_verb(void **state)
{
	struct vnic_args a;
	char *err = NULL;
	int r;

	PARSE(false, "version", "--root", "/mnt");
	assert_non_null(strstr(err, "--root"));
	assert_non_null(strstr(err, "version"));
	free(err);
	cli_args_done(&a);
}

static void test_values_validated(void **state)
{
	struct vnic_args a;
	char *err = NULL;
	int r;

	PARSE(false, "version", "--timeout", "soon");
	assert_non_null(strstr(err, "soon"));
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "version", "--timeout", "0");
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "version", "--check", "ping:");
	assert_non_null(strstr(err, "ping:"));
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "swap", "--check", "peer:gateway");
	assert_non_null(strstr(err, "peer:ADDR"));
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "swap", "--check", "tcp:10.0.0.1");
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "version", "--kernel", "../../etc");
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "version", "--root");
	assert_non_null(strstr(err, "--root"));
	free(err);
	cli_args_done(&a);
}

static void test_exclusive_options(void **state)
{
	struct vnic_args a;
	char *err = NULL;
	int r;

	PARSE(false, "--root", "/a", "--image", "b.img");
	assert_non_null(strstr(err, "--image"));
	free(err);
	err = NULL;
	cli_args_done(&a);

	PARSE(false, "-k", "6.1.0-1-amd64", "--all-kernels");
	free(err);
	cli_args_done(&a);
}

static void test_repeated_kernels_kept_once(void **state)
{
	_cleanup_free_ char *err = NULL;
	struct vnic_args a;
	int r;

	PARSE(true, "-k", "6.1.0-1-amd64", "--kernel", "6.12.0-1-amd64", "-k", "6.1.0-1-amd64",
	      "--check", "ping:10.0.0.1", "--timeout", "45", "-vv");
	assert_int_equal(strv_length(a.kernels), 2);
	assert_string_equal(a.kernels[1], "6.12.0-1-amd64");
	assert_string_equal(a.check, "ping:10.0.0.1");
	assert_int_equal(a.timeout_sec, 45);
	assert_int_equal(a.verbosity, 2);
	cli_args_done(&a);

	/* peers add up; the kind is the last one given */
	PARSE(true, "swap", "--check", "peer:10.0.0.9", "--check", "tcp:10.0.0.8:22", "--check",
	      "address", "--check", "peer:fe80::1", "--confirm-timeout", "120");
	assert_string_equal(a.check, "address");
	assert_int_equal(strv_length(a.check_peers), 3);
	assert_string_equal(a.check_peers[1], "tcp:10.0.0.8:22");
	assert_int_equal(a.confirm_timeout_sec, 120);
	cli_args_done(&a);
}

static void test_help_for_verb_and_extra_args(void **state)
{
	struct vnic_args a;
	char *err = NULL;
	int r;

	{
		/* verb_args points into argv: argv must outlive the parse result. */
		char *argv[] = { "vnic-install", "help", "version", NULL };

		assert_int_equal(cli_parse(3, argv, &a, &err), 0);
		assert_string_equal(a.verb->name, "help");
		assert_int_equal(a.n_verb_args, 1);
		assert_string_equal(a.verb_args[0], "version");
		cli_args_done(&a);
	}

	PARSE(true, "version", "--help", "--root", "/x");
	assert_true(a.help);
	cli_args_done(&a);

	PARSE(false, "version", "extra");
	assert_non_null(strstr(err, "extra"));
	free(err);
	cli_args_done(&a);
}

static void test_main_exit_codes(void **state)
{
	char *ok[] = { "vnic-install", "--version", NULL };
	char *bad[] = { "vnic-install", "--nope", NULL };
	char *none[] = { "vnic-install", NULL };
	int saved = dup(1), devnull = open("/dev/null", O_WRONLY);

	/* Keep the test's own output readable: the program's stdout goes to /dev/null. */
	dup2(devnull, 1);
	assert_int_equal(vnic_main(2, ok), 0);
	assert_int_equal(vnic_main(2, bad), 2);
	assert_int_equal(vnic_main(1, none), 2);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(devnull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_verb),
		cmocka_unit_test(test_version_flag_and_verb),
		cmocka_unit_test(test_unknown_things_are_named),
		cmocka_unit_test(test_option_not_for_verb),
		cmocka_unit_test(test_values_validated),
		cmocka_unit_test(test_exclusive_options),
		cmocka_unit_test(test_repeated_kernels_kept_once),
		cmocka_unit_test(test_help_for_verb_and_extra_args),
		cmocka_unit_test(test_main_exit_codes),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
