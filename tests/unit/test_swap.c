// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The swap verb on a fake root (VNIC_TEST_FAKE_LIVE=1: the plan's commands run as `true ...`,
 * the link check passes or fails as VNIC_TEST_LINKCHECK says): a swap that passes changes the
 * ifupdown configuration and commits; one whose check fails leaves the root byte-identical;
 * a crash at every step (VNIC_FAULT=step:N:crash) followed by `recover` leaves the root
 * identical to before or to after; failing writes, renames and fsyncs roll back; an
 * unsupported configuration (a bond) is refused with exit code 6 before anything changes;
 * `plan` changes nothing and shows the diff.
 */
#include "unit.h"
#include "snapshot.h"

#include <limits.h>
#include <sys/wait.h>

#include "cli.h"
#include "exitcode.h"
#include "lib/fault.h"
#include "lib/sha256.h"
#include "lib/strv.h"
#include "txn/txn.h"
#include "verbs/prepare.h"

static const char static_config[] = "auto lo\n"
				    "iface lo inet loopback\n"
				    "\n"
				    "auto ens33\n"
				    "iface ens33 inet static\n"
				    "    address 10.77.0.50/24\n"
				    "    gateway 10.77.0.1\n";

/* a bond port with an address of its own: refused (a plain port moves) */
static const char bond_config[] = "auto ens33\n"
				  "iface ens33 inet static\n"
				  "\taddress 198.51.100.5/24\n"
				  "\tbond-master bond0\n"
				  "\n"
				  "auto bond0\n"
				  "iface bond0 inet dhcp\n"
				  "\tbond-slaves ens33\n";

static void mkdirs(const char *root, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	assert_int_equal(mkdir_parents(p, 0755), 0);
}

static void put(const char *root, const char *rel, const char *content)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	unit_write(p, content);
}

static void link_to(const char *root, const char *rel, const char *target)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* A sysfs NIC: /sys/class/net/<name> -> devices/pci0000:00/<pci>/net/<name>. */
static void fake_nic(const char *root, const char *name, const char *pci, const char *vendor,
		     const char *device, const char *driver, const char *mac)
{
	char rel[PATH_MAX], tgt[PATH_MAX];

	snprintf(rel, sizeof(rel), "/sys/devices/pci0000:00/%s/net/%s", pci, name);
	mkdirs(root, rel);
	snprintf(rel, sizeof(rel), "/sys/devices/pci0000:00/%s/net/%s/address", pci, name);
	put(root, rel, mac);
	snprintf(rel, sizeof(rel), "/sys/devices/pci0000:00/%s/net/%s/addr_assign_type", pci, name);
	put(root, rel, "0\n");
	snprintf(rel, sizeof(rel), "/sys/devices/pci0000:00/%s/net/%s/device", pci, name);
	snprintf(tgt, sizeof(tgt), "../../../%s", pci);
	link_to(root, rel, tgt);
	snprintf(rel, sizeof(rel), "/sys/devices/pci0000:00/%s/vendor", pci);
	put(root, rel, vendor);
	snprintf(rel, sizeof(rel), "/sys/devices/pci0000:00/%s/device", pci);
	put(root, rel, device);
	snprintf(rel, sizeof(rel), "/sys/bus/pci/drivers/%s", driver);
	mkdirs(root, rel);
	snprintf(rel, sizeof(rel), "/sys/devices/pci0000:00/%s/driver", pci);
	snprintf(tgt, sizeof(tgt), "../../../bus/pci/drivers/%s", driver);
	link_to(root, rel, tgt);
	mkdirs(root, "/sys/class/net");
	snprintf(rel, sizeof(rel), "/sys/class/net/%s", name);
	snprintf(tgt, sizeof(tgt), "../../devices/pci0000:00/%s/net/%s", pci, name);
	link_to(root, rel, tgt);
}

/* A Debian 12 guest with an E1000 (ens33) configured by ifupdown and a VMXNET3 (ens160). */
static void make_root(const char *root, const char *interfaces)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	mkdirs(root, "/etc/network");
	mkdirs(root, "/var/lib"); /* every system has it; vnic keeps its state below */
	put(root, "/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n");
	put(root, "/etc/network/interfaces", interfaces);
	fake_nic(root, "ens33", "0000:02:01.0", "0x8086\n", "0x100f\n", "e1000",
		 "00:0c:29:11:22:33\n");
	fake_nic(root, "ens160", "0000:03:00.0", "0x15ad\n", "0x07b0\n", "vmxnet3",
		 "00:0c:29:44:55:66\n");
}


/* Runs vnic-install with argv in a child (faults stop the child, not the test); returns its
 * exit code. */
static int run_vnic(const char *fault, const char *check, char **argv)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, STDOUT_FILENO);
		if (!getenv("VNIC_TEST_VERBOSE"))
			dup2(devnull, STDERR_FILENO);
		setenv("VNIC_TEST_FAKE_LIVE", "1", 1);
		if (fault)
			setenv("VNIC_FAULT", fault, 1);
		else
			unsetenv("VNIC_FAULT");
		setenv("VNIC_TEST_LINKCHECK", check ? check : "pass", 1);
		int code = vnic_main((int)strv_length(argv), argv);

		fflush(NULL);
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int swap(const char *root, const char *fault, const char *check)
{
	char *argv[] = { "vnic-install", "swap", "--root", (char *)root, "--yes", "--no-driver",
			 NULL };

	return run_vnic(fault, check, argv);
}

static int recover(const char *root)
{
	char *argv[] = { "vnic-install", "recover", "--root", (char *)root, NULL };

	return run_vnic(NULL, NULL, argv);
}

static char cwd[PATH_MAX];

static char *root_path(const char *name)
{
	char *p;

	if (!cwd[0])
		assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_not_equal(asprintf(&p, "%s/%s", cwd, name), -1);
	return p;
}

static void assert_same(const char *what, const char *want, const char *got)
{
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "%s: expected\n%s\n--- actual:\n%s\n", what, want, got);
		fail();
	}
}

static void test_swap_passes(void **state)
{
	_cleanup_free_ char *root = root_path("pass"), *before = NULL, *after = NULL, *cfg = NULL,
			   *p = NULL;

	make_root(root, static_config);
	before = snapshot(root);
	assert_int_equal(swap(root, NULL, NULL), EXIT_OK);
	after = snapshot(root);
	assert_string_not_equal(before, after);
	assert_int_not_equal(asprintf(&p, "%s/etc/network/interfaces", root), -1);
	cfg = unit_read(p);
	assert_non_null(strstr(cfg, "iface ens160 inet static"));
	assert_non_null(strstr(cfg, "10.77.0.50/24"));
	/* the E1000's configuration is disabled, not deleted */
	assert_non_null(strstr(cfg, "ens33"));
	assert_null(strstr(cfg, "\nauto ens33\n"));
}

static void test_check_fails_restores(void **state)
{
	_cleanup_free_ char *root = root_path("fail"), *before = NULL, *after = NULL;

	make_root(root, static_config);
	before = snapshot(root);
	assert_int_equal(swap(root, NULL, "fail"), EXIT_ROLLED_BACK);
	after = snapshot(root);
	assert_same("after a failed check", before, after);
}

static void test_silent_gateway_refused(void **state)
{
	/* A gateway that answers neither ARP nor ping through the E1000: the check could not tell
	 * a right segment from a wrong one, so the swap refuses before it changes anything; with
	 * a check the user chose, it goes. */
	_cleanup_free_ char *root = root_path("silent"), *before = NULL, *after = NULL;
	char *argv[] = { "vnic-install", "swap", "--root", NULL, "--yes", "--no-driver",
			 "--check", "address", NULL };

	make_root(root, static_config);
	before = snapshot(root);
	setenv("VNIC_TEST_REACH_SEEN", "none", 1);
	assert_int_equal(swap(root, NULL, NULL), EXIT_FAILED);
	after = snapshot(root);
	assert_same("after a refused swap", before, after);
	argv[3] = root;
	assert_int_equal(run_vnic(NULL, NULL, argv), EXIT_OK);
	unsetenv("VNIC_TEST_REACH_SEEN");
}

static void test_confirm_timeout(void **state)
{
	/* --confirm-timeout: the swap passes and waits, its transaction APPLIED with prepare's
	 * boot guard armed and the swap's own check in guard.conf; the guard's restore (nobody
	 * confirmed) brings every file back; a second swap is kept by confirm. */
	_cleanup_free_ char *root = root_path("confirm"), *before = NULL, *after = NULL,
			   *p = NULL, *text = NULL, *buf = NULL;
	char *argv[] = { "vnic-install", "swap", "--root", NULL, "--yes", "--no-driver",
			 "--confirm-timeout", "60", "--check", "peer:10.77.0.2", NULL };
	char *confirm[] = { "vnic-install", "confirm", "--root", NULL, NULL };
	struct guard_config g;
	struct txn_info info;

	make_root(root, static_config);
	before = snapshot(root);
	argv[3] = confirm[3] = root;
	assert_int_equal(run_vnic(NULL, NULL, argv), EXIT_OK);
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_APPLIED);
	assert_true(info.guard);
	assert_int_not_equal(asprintf(&p, "%s%s", root, GUARD_CONF_PATH), -1);
	text = unit_read(p);
	assert_non_null(strstr(text, "CONFIRM_TIMEOUT=60\n"));
	assert_non_null(strstr(text, "TO=ens160\n"));
	assert_non_null(strstr(text, "REACH=gateway 10.77.0.1 arp,echo 02:00:00:00:00:01\n"));
	assert_non_null(strstr(text, "REACH=peer 10.77.0.2 arp,echo 02:00:00:00:00:01\n"));
	assert_int_equal(guard_config_parse(text, &g, &buf, NULL), 0);
	assert_int_equal(g.n_reach, 2);
	assert_string_equal(g.to, "ens160");
	{
		_cleanup_free_ char *bad = NULL;
		unsigned line = 0;

		/* a malformed REACH line: named by its line, the guard keeps its defaults */
		assert_int_equal(guard_config_parse("TO=ens160\nREACH=router 10.0.0.1 arp "
						    "00:00:00:00:00:00\n", &g, &bad, &line),
				 -EBADMSG);
		assert_int_equal(line, 2);
	}

	assert_int_equal(txn_recover(root, true, &info), 0); /* the guard's restore */
	after = snapshot(root);
	assert_same("after the guard's restore", before, after);
	free(after);

	/* a failed check takes the guard's files back with the rest */
	assert_int_equal(run_vnic(NULL, "fail", argv), EXIT_ROLLED_BACK);
	after = snapshot(root);
	assert_same("after a failed check with --confirm-timeout", before, after);
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_NONE);

	assert_int_equal(run_vnic(NULL, NULL, argv), EXIT_OK);
	assert_int_equal(run_vnic(NULL, NULL, confirm), EXIT_OK);
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_NONE);
}

static void test_crash_at_every_step(void **state)
{
	_cleanup_free_ char *root = root_path("crash"), *before = NULL, *after = NULL;
	unsigned n, crashed = 0;

	make_root(root, static_config);
	before = snapshot(root);
	assert_int_equal(swap(root, NULL, NULL), EXIT_OK);
	after = snapshot(root);

	for (n = 1; n < 50; n++) {
		_cleanup_free_ char *now = NULL, *spec = NULL;
		int code;

		make_root(root, static_config);
		assert_int_not_equal(asprintf(&spec, "step:%u:crash", n), -1);
		code = swap(root, spec, NULL);
		if (code == EXIT_OK)
			break; /* past the last step */
		assert_int_equal(code, FAULT_CRASH_EXIT);
		crashed++;
		assert_int_equal(recover(root), EXIT_OK);
		now = snapshot(root);
		if (strcmp(now, before) != 0 && strcmp(now, after) != 0) {
			fprintf(stderr, "crash at step %u, after recover:\n%s\n--- before:\n%s\n--- "
					"after:\n%s\n", n, now, before, after);
			fail();
		}
	}
	/* ifdown, the file, ifup, the check, the E1000 down */
	assert_true(crashed >= 5);
}

/* SIGINT or SIGTERM at any step rolls the swap back; SIGHUP (the SSH session dropped while
 * the address moved) does not stop it. */
static void test_signals(void **state)
{
	_cleanup_free_ char *root = root_path("signals"), *before = NULL, *after = NULL;
	static const char *const stops[] = { "SIGINT", "SIGTERM" };
	unsigned n, interrupted = 0;

	make_root(root, static_config);
	before = snapshot(root);
	assert_int_equal(swap(root, NULL, NULL), EXIT_OK);
	after = snapshot(root);
	for (n = 1; n < 50; n++) {
		_cleanup_free_ char *spec = NULL, *hup = NULL, *now = NULL;
		int code;

		make_root(root, static_config);
		assert_int_not_equal(asprintf(&spec, "step:%u:%s", n, stops[n % 2]), -1);
		code = swap(root, spec, NULL);
		now = snapshot(root);
		if (code == EXIT_OK) {
			assert_same("a signal after the last step", after, now);
			break;
		}
		assert_int_equal(code, EXIT_FAILED);
		assert_same(spec, before, now);
		interrupted++;

		make_root(root, static_config);
		assert_int_not_equal(asprintf(&hup, "step:%u:SIGHUP", n), -1);
		assert_int_equal(swap(root, hup, NULL), EXIT_OK);
		free(now);
		now = snapshot(root);
		assert_same(hup, after, now);
	}
	assert_true(interrupted >= 4);
}

static void test_errors_roll_back(void **state)
{
	static const char *const faults[] = { "write:1", "rename:1", "fsync:1", "fsync:2",
					      "step:2:EIO", "step:4:ENOSPC" };

	for (size_t i = 0; i < ELEMENTSOF(faults); i++) {
		_cleanup_free_ char *root = root_path("err"), *before = NULL, *now = NULL;
		int code;

		make_root(root, static_config);
		before = snapshot(root);
		code = swap(root, faults[i], NULL);
		assert_int_not_equal(code, EXIT_OK);
		assert_int_not_equal(code, FAULT_CRASH_EXIT);
		now = snapshot(root);
		if (strcmp(now, before) != 0) {
			fprintf(stderr, "fault %s (exit %d):\n%s\n--- before:\n%s\n", faults[i], code,
				now, before);
			fail();
		}
	}
}

static void test_unsupported_refused(void **state)
{
	_cleanup_free_ char *root = root_path("bond"), *before = NULL, *now = NULL;

	make_root(root, bond_config);
	before = snapshot(root);
	assert_int_equal(swap(root, NULL, NULL), EXIT_UNSUPPORTED);
	now = snapshot(root);
	assert_same("after a refused swap", before, now);
}

static void test_plan_changes_nothing(void **state)
{
	_cleanup_free_ char *root = root_path("plan"), *before = NULL, *now = NULL, *out = NULL;
	char *argv[] = { "vnic-install", "plan", "--root", NULL, "--no-driver", NULL };
	int status, fds[2];
	pid_t pid;
	FILE *f;
	size_t cap = 0;
	ssize_t n;
	char *line = NULL;
	bool saw_add = false, saw_disable = false, saw_check = false;

	make_root(root, static_config);
	before = snapshot(root);
	argv[3] = root;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		/* the fake root stands for the running system: plan shows its swap */
		setenv("VNIC_TEST_FAKE_LIVE", "1", 1);
		int code = vnic_main(5, argv);

		fflush(NULL);
		_exit(code);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_non_null(f);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (strstr(line, "+auto ens160"))
			saw_add = true;
		if (strstr(line, "-auto ens33"))
			saw_disable = true;
		/* what the check proves, from what the gateway answered through the E1000 */
		if (strstr(line, "gateway 10.77.0.1 (the gateway 10.77.0.1: ARP from "
			   "02:00:00:00:00:01 and ICMP echo, as through ens33)"))
			saw_check = true;
	}
	free(line);
	fclose(f);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), EXIT_OK);
	assert_true(saw_add);
	assert_true(saw_disable);
	assert_true(saw_check);
	now = snapshot(root);
	/* plan may create nothing at all, not even the state directory */
	assert_same("after plan", before, now);
	(void)out;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_passes),
		cmocka_unit_test(test_check_fails_restores),
		cmocka_unit_test(test_silent_gateway_refused),
		cmocka_unit_test(test_confirm_timeout),
		cmocka_unit_test(test_crash_at_every_step),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_errors_roll_back),
		cmocka_unit_test(test_unsupported_refused),
		cmocka_unit_test(test_plan_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
