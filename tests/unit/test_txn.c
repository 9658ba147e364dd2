// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Transactions: commit, rollback byte for byte, the lock, and recovery after a crash at every
 * point (each journal record, write, fsync, rename and step): afterwards the root is identical
 * to before or to after the transaction, never in between.
 */
#include "unit.h"
#include "snapshot.h"

#include <dirent.h>
#include <limits.h>
#include <sys/wait.h>

#include "lib/fault.h"
#include "lib/sha256.h"
#include "lib/strv.h"
#include "txn/journal.h"
#include "txn/txn.h"

static char root[PATH_MAX];

static void make_root(void)
{
	char cwd[PATH_MAX - 8];

	if (access("root", F_OK) == 0)
		assert_int_equal(system("rm -rf root"), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(root, sizeof(root), "%s/root", cwd);
	assert_int_equal(mkdir_parents("root/etc/network", 0755), 0);
	assert_int_equal(mkdir_parents("root/var/lib", 0755), 0);
	unit_write("root/etc/network/interfaces", "auto ens33\niface ens33 inet dhcp\n");
	chmod("root/etc/network/interfaces", 0640);
	unit_write("root/etc/old.conf", "to be removed\n");
}

/* The transaction every test uses; each call is a point where a crash can be injected. */
static int scenario(bool commit)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *ran = NULL;
	struct exec_result res;
	int r;

	if (asprintf(&ran, "%s/ran", root) < 0)
		return -ENOMEM;
	char *argv[] = { "touch", ran, NULL };
	/* Not idempotent: it fails when the command never ran, as `dkms remove` does. */
	char *undo[] = { "rm", ran, NULL };

	r = txn_begin(root, "test", &t);
	if (r < 0)
		return r;
	if ((r = txn_step(t, "replace interfaces")) < 0 ||
	    (r = txn_write_file(t, "/etc/network/interfaces", "auto ens192\n", 12, 0644)) < 0 ||
	    (r = txn_step(t, "new file in a new directory")) < 0 ||
	    (r = txn_write_file(t, "/etc/systemd/network/10-vnic.link", "[Match]\n", 8, 0644)) <
		    0 ||
	    (r = txn_step(t, "remove")) < 0 || (r = txn_remove_file(t, "/etc/old.conf")) < 0 ||
	    (r = txn_run(t, argv, undo, NULL, &res)) < 0)
		return r;
	exec_result_done(&res);
	if ((r = txn_mark_applied(t, false)) < 0)
		return r;
	return commit ? txn_commit(t) : txn_rollback(t);
}

static void test_commit_then_rollback_last(void **state)
{
	_cleanup_free_ char *before = NULL, *after = NULL, *again = NULL, *s = NULL;
	struct txn_info info;
	struct stat st;

	make_root();
	before = snapshot(root);
	assert_int_equal(scenario(true), 0);
	after = snapshot(root);
	assert_string_not_equal(before, after);
	s = unit_read("root/etc/network/interfaces");
	assert_string_equal(s, "auto ens192\n");
	assert_int_equal(stat("root/etc/network/interfaces", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640); /* an existing file keeps its mode */
	assert_int_equal(access("root/etc/old.conf", F_OK), -1);
	assert_int_equal(access("root/ran", F_OK), 0);

	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_NONE);
	assert_int_equal(txn_last_finished(root, &info), 0);
	assert_int_equal(info.state, TXN_COMMITTED);
	assert_int_equal(info.n_files, 3);
	assert_int_equal(info.n_commands, 1);

	assert_int_equal(txn_rollback_last(root, false, &info), 0);
	again = snapshot(root);
	assert_string_equal(before, again);
	assert_int_equal(txn_rollback_last(root, false, &info), -EALREADY);
}

static void test_rollback_restores_everything(void **state)
{
	_cleanup_free_ char *before = NULL, *again = NULL;
	struct txn_info info;

	make_root();
	before = snapshot(root);
	assert_int_equal(scenario(false), 0);
	again = snapshot(root);
	assert_string_equal(before, again);
	assert_int_equal(txn_last_finished(root, &info), 0);
	assert_int_equal(info.state, TXN_ROLLED_BACK);
}

static void test_rollback_last_refuses_changed_files(void **state)
{
	struct txn_info info;

	make_root();
	assert_int_equal(scenario(true), 0);
	unit_write("root/etc/network/interfaces", "edited by the admin since\n");
	assert_int_equal(txn_rollback_last(root, false, &info), -ESTALE);
	assert_int_equal(txn_rollback_last(root, true, &info), 0);
	{
		_cleanup_free_ char *s = unit_read("root/etc/network/interfaces");

		assert_string_equal(s, "auto ens33\niface ens33 inet dhcp\n");
	}
}

/* A file a command rewrites (an initramfs): kept before, its new checksum recorded after; a
 * rollback puts the same bytes back and running no tool, `rollback` of the committed change
 * is not refused as "changed since". */
static void test_kept_file(void **state)
{
	_cleanup_free_ char *before = NULL, *again = NULL;
	_cleanup_txn_ struct txn *t = NULL;
	struct txn_info info;
	unsigned n;

	make_root();
	assert_int_equal(mkdir_parents("root/boot", 0755), 0);
	unit_write("root/boot/initrd.img-6.1.0-26-amd64", "old image\n");
	before = snapshot(root);
	assert_int_equal(txn_begin(root, "test", &t), 0);
	assert_int_equal(txn_keep_file(t, "/boot/nonexistent", &n), -ENOENT);
	assert_int_equal(txn_keep_file(t, "/boot/initrd.img-6.1.0-26-amd64", &n), 0);
	unit_write("root/boot/initrd.img-6.1.0-26-amd64", "new image, with vnic's vmxnet3\n");
	assert_int_equal(txn_kept_file_changed(t, n, "/boot/initrd.img-6.1.0-26-amd64"), 0);
	assert_int_equal(txn_mark_applied(t, false), 0);
	assert_int_equal(txn_commit(t), 0);
	txn_free(TAKE_PTR(t)); /* lets go of the lock */
	assert_int_equal(txn_rollback_last(root, false, &info), 0);
	again = snapshot(root);
	assert_string_equal(before, again);
}

static void test_lock_and_pending(void **state)
{
	_cleanup_txn_ struct txn *t = NULL;
	struct txn *t2 = NULL;
	struct txn_info info;

	make_root();
	assert_int_equal(txn_begin(root, "one", &t), 0);
	assert_int_equal(txn_begin(root, "two", &t2), -EBUSY);
	assert_null(t2);
	assert_int_equal(txn_write_file(t, "/etc/x", "x", 1, 0600), 0);
	txn_free(t);
	t = NULL; /* lock released, transaction left unfinished */
	assert_int_equal(txn_begin(root, "three", &t2), -EUCLEAN);
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_OPEN);
	assert_string_equal(info.op, "one");
	assert_int_equal(txn_recover(root, false, &info), 0);
	assert_int_equal(access("root/etc/x", F_OK), -1);
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_NONE);
}

static void test_guarded_waits_for_confirm(void **state)
{
	_cleanup_free_ char *before = NULL, *after = NULL;
	struct txn *t = NULL;
	struct txn_info info;

	make_root();
	before = snapshot(root);
	assert_int_equal(txn_begin(root, "prepare", &t), 0);
	assert_int_equal(txn_write_file(t, "/etc/network/interfaces", "new\n", 4, 0644), 0);
	assert_int_equal(txn_mark_applied(t, true), 0);
	txn_free(t); /* "reboot" */
	after = snapshot(root);

	assert_int_equal(txn_recover(root, false, &info), 0);
	{
		_cleanup_free_ char *now = snapshot(root);

		assert_string_equal(now, after); /* left for the guard */
	}
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_APPLIED);
	assert_true(info.guard);
	assert_int_equal(txn_confirm(root, &info), 0);
	assert_int_equal(txn_last_finished(root, &info), 0);
	assert_int_equal(info.state, TXN_COMMITTED);
	assert_int_equal(txn_confirm(root, &info), -ENOENT);

	/* The guard's timeout: the same, but rolled back. */
	assert_int_equal(txn_rollback_last(root, false, &info), 0);
	assert_int_equal(txn_begin(root, "prepare", &t), 0);
	assert_int_equal(txn_write_file(t, "/etc/network/interfaces", "new\n", 4, 0644), 0);
	assert_int_equal(txn_mark_applied(t, true), 0);
	txn_free(t);
	assert_int_equal(txn_recover(root, true, &info), 0);
	{
		_cleanup_free_ char *now = snapshot(root);

		assert_string_equal(now, before);
	}
}

static const char *const crash_points[] = { "journal", "torn",  "write", "fsync", "rename",
					    "mkdir",   "unlink", "start", "step",  "undo" };

/* Runs fn in a child that crashes at the rule; true when it crashed, false when it finished. */
static bool crashes(const char *rule, int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fault_configure(rule);
		_exit(fn() == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 0)
		return false;
	if (WEXITSTATUS(status) != FAULT_CRASH_EXIT)
		fail_msg("%s: exit %d, neither a crash nor success", rule, WEXITSTATUS(status));
	return true;
}

static int commit_scenario(void)
{
	return scenario(true);
}

static int recover_now(void)
{
	struct txn_info info;

	return txn_recover(root, false, &info);
}

static int rollback_last_now(void)
{
	struct txn_info info;

	return txn_rollback_last(root, false, &info);
}

/* The root is one of the allowed states (or fails naming the crash); returns which. */
static int expect_one_of(const char *what, const char *a, const char *b)
{
	_cleanup_free_ char *now = snapshot(root);

	if (streq(now, a))
		return 0;
	if (b && streq(now, b))
		return 1;
	fail_msg("%s left the root in between:\n%s\nexpected:\n%s\nor:\n%s", what, now, a,
		 b ? b : "-");
	return -1;
}

/*
 * A crash during the recovery of a crash (a double crash): the recovery that crashed is
 * itself recovered, at every point it passes, and the root still ends before or after.
 */
static unsigned double_crashes(const char *first, const char *before, const char *after)
{
	unsigned n_crashes = 0;

	for (size_t p = 0; p < ELEMENTSOF(crash_points); p++)
		for (unsigned n = 1;; n++) {
			_cleanup_free_ char *rule = NULL, *what = NULL;

			make_root();
			assert_true(crashes(first, commit_scenario));
			assert_int_not_equal(asprintf(&rule, "%s:%u:crash", crash_points[p], n), -1);
			if (!crashes(rule, recover_now))
				break;
			n_crashes++;
			assert_int_not_equal(asprintf(&what, "%s, then %s in recovery", first, rule),
					     -1);
			if (recover_now() < 0)
				fail_msg("%s: the second recovery failed", what);
			expect_one_of(what, before, after);
		}
	return n_crashes;
}

static void test_crash_at_every_point(void **state)
{
	_cleanup_free_ char *before = NULL, *after = NULL;
	unsigned n_crashes = 0, before_count = 0, after_count = 0, doubles = 0;

	make_root();
	before = snapshot(root);
	assert_int_equal(scenario(true), 0);
	after = snapshot(root);

	for (size_t p = 0; p < ELEMENTSOF(crash_points); p++) {
		for (unsigned n = 1;; n++) {
			_cleanup_free_ char *rule = NULL;
			struct txn_info info;
			int r;

			make_root();
			assert_int_not_equal(asprintf(&rule, "%s:%u:crash", crash_points[p], n), -1);
			if (!crashes(rule, commit_scenario))
				break; /* fewer than n passes through this point */
			n_crashes++;
			r = txn_recover(root, false, &info);
			if (r < 0)
				fail_msg("recovery after a crash at %s failed: %s", rule, strerror(-r));
			if (expect_one_of(rule, before, after) == 0)
				before_count++;
			else
				after_count++;
			assert_int_equal(txn_pending(root, &info), 0);
			assert_int_equal(info.state, TXN_NONE);
			/* The next verb runs: a new transaction can begin. */
			{
				_cleanup_txn_ struct txn *t = NULL;

				assert_int_equal(txn_begin(root, "next", &t), 0);
			}
			if (n % 4 == 1 && !streq(crash_points[p], "undo"))
				doubles += double_crashes(rule, before, after);
		}
	}
	print_message("crashed at %u points: %u recovered to before, %u to after; %u crashes "
		      "during a recovery\n",
		      n_crashes, before_count, after_count, doubles);
	assert_true(n_crashes > 40);
	assert_true(after_count > 0); /* a crash after COMMIT is finished, not undone */
	assert_true(doubles > 20);
}

/*
 * `rollback` of a committed change, crashed at every point: recovery puts the committed change
 * back (after), and the next `rollback` then goes through (before).
 */
static void test_crash_during_rollback_last(void **state)
{
	_cleanup_free_ char *before = NULL, *after = NULL;
	unsigned n_crashes = 0;

	make_root();
	before = snapshot(root);
	assert_int_equal(scenario(true), 0);
	after = snapshot(root);
	for (size_t p = 0; p < ELEMENTSOF(crash_points); p++)
		for (unsigned n = 1;; n++) {
			_cleanup_free_ char *rule = NULL;
			struct txn_info info;

			make_root();
			assert_int_equal(scenario(true), 0);
			assert_int_not_equal(asprintf(&rule, "%s:%u:crash", crash_points[p], n), -1);
			if (!crashes(rule, rollback_last_now))
				break;
			n_crashes++;
			assert_int_equal(txn_recover(root, false, &info), 0);
			expect_one_of(rule, after, before);
			if (txn_rollback_last(root, false, &info) == 0)
				expect_one_of(rule, before, NULL);
			else
				expect_one_of(rule, before, NULL); /* it had finished: -EALREADY */
		}
	print_message("rollback of a committed change crashed at %u points\n", n_crashes);
	assert_true(n_crashes > 20);
}

static void test_failed_write_is_rolled_back(void **state)
{
	_cleanup_free_ char *before = NULL, *now = NULL;
	struct txn_info info;

	make_root();
	before = snapshot(root);
	/* The second file write hits a full disk: the transaction stops, recovery undoes it. */
	assert_int_equal(fault_configure("rename:2:ENOSPC"), 0);
	assert_int_equal(scenario(true), -ENOSPC);
	fault_configure(NULL);
	assert_int_equal(txn_recover(root, false, &info), 0);
	now = snapshot(root);
	assert_string_equal(before, now);
}

/* A command that failed (a `dkms add` that registered nothing): its undo fails too, and that
 * does not stop the rollback or leave the transaction pending. */
static void test_undo_of_a_failed_command_does_not_block(void **state)
{
	_cleanup_free_ char *before = NULL, *now = NULL;
	_cleanup_txn_ struct txn *t = NULL;
	char *argv[] = { "sh", "-c", "exit 3", NULL }, *undo[] = { "false", NULL };
	struct exec_result res;
	struct txn_info info;

	make_root();
	before = snapshot(root);
	assert_int_equal(txn_begin(root, "test", &t), 0);
	assert_int_equal(txn_write_file(t, "/etc/x", "x", 1, 0644), 0);
	assert_int_equal(txn_run(t, argv, undo, NULL, &res), 0);
	assert_int_equal(res.exit_code, 3);
	exec_result_done(&res);
	assert_int_equal(txn_rollback(t), 0);
	now = snapshot(root);
	assert_string_equal(before, now);
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_NONE);
}

/*
 * A crash (or a power cut) after a live command and a plain one: `recover --boot` restores the
 * files and runs the plain undo, but not the live one (the network services start from the
 * restored files); a recovery that is not at boot runs both.
 */
static void boot_scenario(unsigned recover_flags, bool live_ran, bool plain_ran)
{
	_cleanup_free_ char *before = NULL, *live_mark = NULL, *plain_mark = NULL;
	struct txn *t = NULL;
	struct exec_result res;
	struct txn_info info;

	make_root();
	before = snapshot(root);
	assert_int_not_equal(asprintf(&live_mark, "%s/../live-undone", root), -1);
	assert_int_not_equal(asprintf(&plain_mark, "%s/../plain-undone", root), -1);
	unlink(live_mark);
	unlink(plain_mark);
	char *argv[] = { "true", NULL };
	char *live_undo[] = { "touch", live_mark, NULL }, *plain_undo[] = { "touch", plain_mark, NULL };

	assert_int_equal(txn_begin(root, "swap", &t), 0);
	assert_int_equal(txn_run(t, argv, plain_undo, NULL, &res), 0);
	exec_result_done(&res);
	assert_int_equal(txn_write_file(t, "/etc/network/interfaces", "auto ens160\n", 12, 0644), 0);
	assert_int_equal(txn_run_flags(t, argv, live_undo, NULL, TXN_RUN_LIVE, &res), 0);
	exec_result_done(&res);
	txn_free(t); /* the crash: the journal is all there is */

	assert_int_equal(txn_recover_full(root, recover_flags, &info), 0);
	assert_int_equal(info.state, TXN_ROLLED_BACK);
	assert_int_equal(access(live_mark, F_OK) == 0, live_ran);
	assert_int_equal(access(plain_mark, F_OK) == 0, plain_ran);
	{
		_cleanup_free_ char *now = snapshot(root);

		assert_string_equal(before, now);
	}
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_NONE);
}

static void test_recover_at_boot_leaves_live_undos(void **state)
{
	boot_scenario(TXN_RECOVER_BOOT, false, true);
	boot_scenario(0, true, true);
}

/* An undo that fails although its command had succeeded: the rest is still undone, the
 * failure is listed, the transaction stays pending; `recover --force` accepts it. */
static void test_failed_undo_is_listed_and_force_accepts(void **state)
{
	_cleanup_txn_ struct txn *t = NULL;
	char *argv[] = { "true", NULL }, *undo[] = { "false", "undo-of-true", NULL };
	struct exec_result res;
	struct txn_info info;
	unsigned n;

	make_root();
	assert_int_equal(txn_begin(root, "test", &t), 0);
	assert_int_equal(txn_run(t, argv, undo, NULL, &res), 0);
	exec_result_done(&res);
	assert_int_equal(txn_write_file(t, "/etc/x", "x", 1, 0644), 0);
	assert_int_equal(txn_rollback(t), -ECANCELED);
	assert_string_equal(txn_failed_undos(t, &n), "false undo-of-true (exit 1)");
	assert_int_equal(n, 1);
	assert_int_equal(access("root/etc/x", F_OK), -1); /* the rest was undone */
	txn_free(TAKE_PTR(t));

	assert_int_equal(txn_recover(root, false, &info), -ECANCELED);
	assert_int_equal(info.n_failed, 1);
	assert_non_null(strstr(info.failed, "undo-of-true"));
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_OPEN);
	assert_int_equal(txn_recover_full(root, TXN_RECOVER_ACCEPT, &info), 0);
	assert_int_equal(info.n_failed, 1);
	assert_int_equal(txn_pending(root, &info), 0);
	assert_int_equal(info.state, TXN_NONE);
	assert_int_equal(txn_last_finished(root, &info), 0);
	assert_int_equal(info.state, TXN_ROLLED_BACK);
}

/* The newest history journal's host path. */
static char *last_history_journal(void)
{
	_cleanup_strv_free_ char **names = NULL;
	DIR *d = opendir("root/var/lib/vnic/history");
	struct dirent *de;
	char *p = NULL;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			assert_int_equal(strv_push(&names, de->d_name), 0);
	closedir(d);
	strv_sort(names);
	assert_true(strv_length(names) > 0);
	assert_int_not_equal(
		asprintf(&p, "root/var/lib/vnic/history/%s/journal", names[strv_length(names) - 1]),
		-1);
	return p;
}

/* A record torn by a crash is cut off before the next one is written: the recovered journal
 * stays readable, and status and rollback see this transaction, not the one before. */
static void test_torn_record_is_cut_off(void **state)
{
	_cleanup_free_ char *jp = NULL, *text = NULL;
	struct txn_info info, first;
	struct journal j;

	make_root();
	assert_int_equal(scenario(true), 0);
	assert_int_equal(txn_last_finished(root, &first), 0);
	assert_true(crashes("torn:6", commit_scenario));
	assert_int_equal(txn_recover(root, false, &info), 0);
	assert_int_equal(txn_last_finished(root, &info), 0);
	assert_string_not_equal(info.id, first.id);
	assert_int_equal(info.state, TXN_ROLLED_BACK);
	jp = last_history_journal();
	text = unit_read(jp);
	assert_int_equal(journal_parse(text, &j, NULL), 0);
	assert_int_equal(j.state, TXN_ROLLED_BACK);
	journal_done(&j);
}

/* A short write (a full disk) is cut off again: the ROLLBACK after it is a record of its
 * own, not glued onto half a FILE record. */
static void test_short_write_is_cut_off(void **state)
{
	_cleanup_free_ char *before = NULL, *now = NULL;
	_cleanup_txn_ struct txn *t = NULL;
	struct txn_info info;

	make_root();
	before = snapshot(root);
	assert_int_equal(txn_begin(root, "short", &t), 0);
	assert_int_equal(txn_write_file(t, "/etc/x", "x", 1, 0644), 0);
	assert_int_equal(fault_configure("short:1"), 0);
	assert_int_equal(txn_write_file(t, "/etc/network/interfaces", "y", 1, 0644), -EIO);
	fault_configure(NULL);
	assert_int_equal(txn_rollback(t), 0);
	now = snapshot(root);
	assert_string_equal(before, now);
	assert_int_equal(txn_last_finished(root, &info), 0);
	assert_string_equal(info.op, "short");
	assert_int_equal(info.state, TXN_ROLLED_BACK);
}

/* Ids sort by time, not by PID within a second (a swap's driver step began just before). */
static void test_ids_sort_by_time(void **state)
{
	struct timespec early = { 1796000000, 100000000 }, late = { 1796000000, 200000000 };
	char a[64], b[64];

	assert_int_equal(journal_format_id(&early, 99999, a, sizeof(a)), 0);
	assert_int_equal(journal_format_id(&late, 2, b, sizeof(b)), 0);
	assert_true(strcmp(a, b) < 0);
	assert_string_equal(b, "20261130T005320.200000Z-0000000002");
}

/* `rollback --force` is a transaction of its own: the edits it overwrote are kept in the
 * history, and it can be recovered if it is interrupted. */
static void test_forced_rollback_keeps_what_it_overwrote(void **state)
{
	_cleanup_free_ char *s = NULL;
	struct txn_info info;

	make_root();
	assert_int_equal(scenario(true), 0);
	unit_write("root/etc/network/interfaces", "edited by the admin since\n");
	assert_int_equal(txn_rollback_last(root, true, &info), 0);
	assert_int_equal(txn_last_finished(root, &info), 0);
	assert_int_equal(strncmp(info.op, "rollback:", 9), 0);
	assert_int_equal(info.state, TXN_COMMITTED);
	assert_int_equal(system("grep -rqx 'edited by the admin since' root/var/lib/vnic/history/"
				"*/backup/"),
			 0);
	assert_int_equal(txn_rollback_last(root, false, &info), -EALREADY);
	s = unit_read("root/etc/network/interfaces");
	assert_string_equal(s, "auto ens33\niface ens33 inet dhcp\n");
}

static void test_journal_parser(void **state)
{
	struct journal j;
	unsigned line = 0;

	assert_int_equal(journal_parse("BEGIN a op\nFILE 0 /etc/x 0 0 0 0 -\nDONE 0 -\n"
				       "APPLIED 1\nCOMMIT\nTORN LI",
				       &j, &line),
			 0);
	assert_int_equal(j.state, TXN_COMMITTED);
	assert_true(j.guard);
	assert_int_equal(j.n_recs, 1);
	assert_true(j.recs[0].removed);
	journal_done(&j);

	assert_int_equal(journal_parse("BEGIN a op\nFILE 0 relative 0 0 0 0 -\n", &j, &line),
			 -EBADMSG);
	assert_int_equal(line, 2);
	assert_int_equal(journal_parse("STEP before-begin\n", &j, &line), -EBADMSG);
	assert_int_equal(journal_parse("BEGIN a op\nDONE 7 -\n", &j, &line), -EBADMSG);
	assert_int_equal(journal_parse("BEGIN a op\nSTEP bad%0escape\nSTEP %00\n", &j, &line),
			 -EBADMSG);
	assert_int_equal(line, 3);
	assert_int_equal(journal_parse("", &j, &line), -ENODATA);
	assert_int_equal(journal_parse("BEGIN torn", &j, &line), -ENODATA);
	{
		_cleanup_free_ char *e = journal_encode("a b%\n\xff");

		assert_string_equal(e, "a%20b%25%0A%FF");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_then_rollback_last),
		cmocka_unit_test(test_rollback_restores_everything),
		cmocka_unit_test(test_rollback_last_refuses_changed_files),
		cmocka_unit_test(test_kept_file),
		cmocka_unit_test(test_lock_and_pending),
		cmocka_unit_test(test_guarded_waits_for_confirm),
		cmocka_unit_test(test_crash_at_every_point),
		cmocka_unit_test(test_crash_during_rollback_last),
		cmocka_unit_test(test_failed_write_is_rolled_back),
		cmocka_unit_test(test_undo_of_a_failed_command_does_not_block),
		cmocka_unit_test(test_failed_undo_is_listed_and_force_accepts),
		cmocka_unit_test(test_torn_record_is_cut_off),
		cmocka_unit_test(test_short_write_is_cut_off),
		cmocka_unit_test(test_ids_sort_by_time),
		cmocka_unit_test(test_forced_rollback_keeps_what_it_overwrote),
		cmocka_unit_test(test_journal_parser),
		cmocka_unit_test(test_recover_at_boot_leaves_live_undos),
	};

	char scratch[] = "/dev/shm/vnic-unit-txn.XXXXXX";
	bool in_shm;
	int r;

	/* The crash tests fsync a few thousand times: on a tmpfs when there is one (kept on a
	 * failure, as the runner keeps its scratch directory). */
	in_shm = mkdtemp(scratch) && chdir(scratch) == 0;
	r = cmocka_run_group_tests_name("txn", tests, NULL, NULL);
	if (in_shm && r == 0 && chdir("/") == 0) {
		_cleanup_free_ char *cmd = NULL;

		if (asprintf(&cmd, "rm -rf %s", scratch) > 0 && system(cmd) != 0)
			r = 1;
	} else if (in_shm) {
		fprintf(stderr, "scratch kept: %s\n", scratch);
	}
	return r;
}
