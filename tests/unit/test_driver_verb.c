// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vnic-install driver` end to end on fake roots, without building anything: missing
 * prerequisites stop it before any change with the family's exact command; status reports a
 * root with no driver; a bad action is a usage error. Needs root (the verb mounts /proc, /sys
 * and /dev into the root in a private mount namespace); skipped otherwise.
 */
#include "unit.h"

#include <sys/wait.h>

#include "cli.h"
#include "exitcode.h"
#include "lib/path.h"
#include "lib/strv.h"

static void put(const char *path, const char *content, mode_t mode)
{
	_cleanup_free_ char *dir = strdup(path);

	*strrchr(dir, '/') = 0;
	assert_int_equal(mkdir_parents(dir, 0755), 0);
	unit_write(path, content);
	assert_int_equal(chmod(path, mode), 0);
}

/* Runs vnic-install argv in a child with stdout and stderr in out.txt; returns its exit code. */
static int run_vnic(char **argv, char **ret_out)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		int code = vnic_main((int)strv_length(argv), argv);

		fflush(NULL);
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	*ret_out = unit_read("out.txt");
	return WEXITSTATUS(status);
}

static void debian_root(const char *root)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/etc/os-release", root);
	put(p, "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n", 0644);
	snprintf(p, sizeof(p), "%s/usr/bin/apt-get", root);
	put(p, "#!/bin/sh\nexit 1\n", 0755);
	snprintf(p, sizeof(p), "%s/usr/bin/make", root);
	put(p, "#!/bin/sh\nexit 1\n", 0755);
	snprintf(p, sizeof(p), "%s/boot/vmlinuz-6.1.0-26-amd64", root);
	put(p, "kernel", 0644);
	snprintf(p, sizeof(p), "%s/lib/modules/6.1.0-26-amd64/modules.dep", root);
	put(p, "", 0644);
}

static void test_missing_prereqs_stop_before_changes(void **state)
{
	_cleanup_free_ char *out = NULL;
	char *argv[] = { "vnic-install", "driver", "install", "--root", "deb", "--yes", NULL };
	struct stat st;

	if (geteuid() != 0)
		skip();
	debian_root("deb");
	assert_int_equal(run_vnic(argv, &out), EXIT_PREREQ);
	if (!strstr(out, "apt-get install -y --no-install-recommends dkms gcc linux-headers-6.1.0-26-amd64"))
		fail_msg("expected the apt-get command in:\n%s", out);
	assert_non_null(strstr(out, "--install-prereqs"));
	/* nothing staged, nothing pending */
	assert_int_equal(stat("deb/usr/src/vmxnet3-" VNIC_VERSION, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* not even a journal: the check comes before the transaction */
	assert_int_equal(stat("deb/var/lib/vnic", &st), -1);
	{
		char *sargv[] = { "vnic-install", "status", "--root", "deb", "--json", NULL };
		_cleanup_free_ char *s = NULL;

		assert_int_equal(run_vnic(sargv, &s), EXIT_OK);
		if (!strstr(s, "\"pending\": null"))
			fail_msg("a transaction was left pending:\n%s", s);
	}
	/* and the mounts went with the child */
	assert_int_equal(stat("deb/proc/self", &st), -1);
}

static void test_status_of_a_root_without_driver(void **state)
{
	_cleanup_free_ char *out = NULL;
	char *argv[] = { "vnic-install", "driver", "status", "--root", "deb2", "--json", NULL };

	if (geteuid() != 0)
		skip();
	debian_root("deb2");
	assert_int_equal(run_vnic(argv, &out), EXIT_OK);
	if (!strstr(out, "\"kernel\": \"6.1.0-26-amd64\"") || !strstr(out, "\"dkms\": \"none\"") ||
	    !strstr(out, "\"would_load\": null") || !strstr(out, "\"initramfs\": \"no image\""))
		fail_msg("unexpected status:\n%s", out);
}

static void test_bad_action_and_kernel(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL;
	char *bad[] = { "vnic-install", "driver", "frobnicate", NULL };
	char *nokernel[] = { "vnic-install", "driver", "status", "--root", "deb3", "--kernel", "9.9.9", NULL };

	assert_int_equal(run_vnic(bad, &a), EXIT_USAGE);
	assert_non_null(strstr(a, "frobnicate"));
	if (geteuid() != 0)
		skip();
	debian_root("deb3");
	assert_int_equal(run_vnic(nokernel, &b), EXIT_FAILED);
	assert_non_null(strstr(b, "Kernel 9.9.9 is not installed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_prereqs_stop_before_changes),
		cmocka_unit_test(test_status_of_a_root_without_driver),
		cmocka_unit_test(test_bad_action_and_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
