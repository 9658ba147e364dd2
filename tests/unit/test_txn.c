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
	char *undo[] = { "rm", "-f", ran, NULL };

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

static void test_crash_at_every_point(void **state)
{
	static const char *const points[] = { "journal", "write", "fsync", "rename", "step" };
	_cleanup_free_ char *before = NULL, *after = NULL;
	unsigned crashes = 0, before_count = 0, after_count = 0;

	make_root();
	before = snapshot(root);
	assert_int_equal(scenario(true), 0);
	after = snapshot(root);

	for (size_t p = 0; p < ELEMENTSOF(points); p++) {
		for (unsigned n = 1;; n++) {
			_cleanup_free_ char *rule = NULL, *now = NULL;
			struct txn_info info;
			int status;
			pid_t pid;

			make_root();
			assert_int_not_equal(asprintf(&rule, "%s:%u:crash", points[p], n), -1);
			pid = fork();
			assert_true(pid >= 0);
			if (pid == 0) {
				fault_configure(rule);
				_exit(scenario(true) == 0 ? 0 : 1);
			}
			assert_int_equal(waitpid(pid, &status, 0), pid);
			assert_true(WIFEXITED(status));
			if (WEXITSTATUS(status) == 0)
				break; /* fewer than n passes through this point */
			assert_int_equal(WEXITSTATUS(status), FAULT_CRASH_EXIT);
			crashes++;

			assert_int_equal(txn_recover(root, false, &info), 0);
			now = snapshot(root);
			if (streq(now, before))
				before_count++;
			else if (streq(now, after))
				after_count++;
			else
				fail_msg("crash at %s left the root in between:\n%s\nbefore:\n%s\n"
					 "after:\n%s",
					 rule, now, before, after);
			assert_int_equal(txn_pending(root, &info), 0);
			assert_int_equal(info.state, TXN_NONE);
		}
	}
	print_message("crashed at %u points: %u recovered to before, %u to after\n", crashes,
		      before_count, after_count);
	assert_true(crashes > 20);
	assert_true(after_count > 0); /* a crash after COMMIT is finished, not undone */
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
		cmocka_unit_test(test_failed_write_is_rolled_back),
		cmocka_unit_test(test_journal_parser),
	};

	return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
