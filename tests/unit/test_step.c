// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The step executor (installer/step/): every step journaled by its id, in order; an undo of
 * phase UNDO_AFTER_FILES runs after the files are restored (it sees the old file), one of
 * UNDO_IN_ORDER before (it sees the new one), also when the rollback is a recovery from the
 * journal alone; a judged skip leaves out the rest of its group and nothing else; the renderer
 * shows the same ids in the same order.
 */
#include "unit.h"
#include "sysroot.h"

#include "lib/strv.h"
#include "step/render.h"
#include "step/step.h"
#include "txn/txn.h"

static const char *root = sysroot;

/* A fresh root (rootN) with /etc/net.conf. */
static void make_root(void)
{
	sysroot_new(NULL);
	sysroot_mkdir("var/lib");
	sysroot_put("etc/net.conf", "old\n", 0644);
}

/*
 * A command after the file whose undo copies the file as it is when the undo runs (what
 * `netplan apply` does with the configuration): with phase, rolled back by txn_rollback() or
 * (recover) from the journal after the process is gone. Returns what the undo saw.
 */
static char *undo_sees(enum undo_phase phase, bool recover)
{
	_cleanup_(step_list_done) struct step_list l = {};
	_cleanup_free_ char *conf = NULL, *seen = NULL, *now = NULL;
	struct txn *t = NULL;
	struct step_env env = {};

	make_root();
	assert_int_not_equal(asprintf(&conf, "%s/etc/net.conf", root), -1);
	assert_int_not_equal(asprintf(&seen, "%s/seen", root), -1);
	char *apply[] = { "true", NULL };
	char *undo[] = { "cp", conf, seen, NULL };

	assert_int_equal(step_add_write(&l, "net.write./etc/net.conf", "/etc/net.conf", "new\n", 4,
					0644, "the new configuration"), 0);
	assert_int_equal(step_add_run(&l, "net.run.apply", apply, undo, "apply it"), 0);
	step_last(&l)->undo_phase = phase;
	assert_int_equal(txn_begin(root, "test", &t), 0);
	env.txn = t;
	assert_int_equal(step_list_apply(&l, &env, NULL), 0);
	if (recover) {
		struct txn_info info;

		txn_free(t); /* as if the process died: the journal is all there is */
		assert_int_equal(txn_recover(root, false, &info), 0);
		assert_int_equal(info.state, TXN_ROLLED_BACK);
	} else {
		assert_int_equal(txn_rollback(t), 0);
		txn_free(t);
	}
	now = unit_read(conf);
	assert_string_equal(now, "old\n");
	return unit_read(seen);
}

static void test_undo_phase(void **state)
{
	_cleanup_free_ char *a = undo_sees(UNDO_AFTER_FILES, false), *b = undo_sees(UNDO_IN_ORDER, false),
			   *c = undo_sees(UNDO_AFTER_FILES, true), *d = undo_sees(UNDO_IN_ORDER, true);

	assert_string_equal(a, "old\n");
	assert_string_equal(b, "new\n");
	assert_string_equal(c, "old\n");
	assert_string_equal(d, "new\n");
}

static int judge_skip(const struct step *s, const struct exec_result *res, char **ret_why)
{
	*ret_why = strdup("not for this kernel");
	return STEP_SKIP_GROUP;
}

/* The STEP records of the journal under root's history, in order ("; "-joined, to free). */
static char *journaled_steps(void)
{
	_cleanup_free_ char *cmd = NULL;
	char *out = NULL;
	size_t size = 0;
	FILE *p;
	int c;

	assert_int_not_equal(asprintf(&cmd, "cat %s/var/lib/vnic/history/*/journal | "
				      "sed -n 's/^STEP //p'", root), -1);
	p = popen(cmd, "r");
	assert_non_null(p);
	FILE *m = open_memstream(&out, &size);

	while ((c = fgetc(p)) != EOF)
		fputc(c == '\n' ? ';' : c, m);
	fclose(m);
	assert_int_equal(pclose(p), 0);
	return out;
}

static void test_groups_and_ids(void **state)
{
	_cleanup_(step_list_done) struct step_list l = {};
	_cleanup_free_ char *steps = NULL, *plan = NULL;
	char *ok[] = { "true", NULL };
	struct step_env env = {};
	struct txn *t = NULL;
	size_t size = 0;
	FILE *f;

	make_root();
	assert_int_equal(step_add_run(&l, "k1.build", ok, NULL, "build for k1"), 0);
	step_last(&l)->group = 1;
	step_last(&l)->judge = judge_skip;
	assert_int_equal(step_add_run(&l, "k2.build", ok, NULL, "build for k2"), 0);
	step_last(&l)->group = 2;
	assert_int_equal(step_add_run(&l, "k1.install", ok, NULL, "install for k1"), 0);
	step_last(&l)->group = 1;
	assert_int_equal(step_add_run(&l, "k2.install", ok, NULL, "install for k2"), 0);
	step_last(&l)->group = 2;

	/* the plan shows every step, in order */
	f = open_memstream(&plan, &size);
	struct step_view v = { .operation = "test", .lists = { &l } };
	assert_int_equal(step_render(f, &v, true, NULL), 0);
	fclose(f);
	assert_non_null(strstr(plan, "\"id\": \"k1.build\""));
	assert_true(strstr(plan, "\"k2.build\"") < strstr(plan, "\"k1.install\""));

	assert_int_equal(txn_begin(root, "test", &t), 0);
	env.txn = t;
	assert_int_equal(step_list_apply(&l, &env, NULL), 0);
	assert_int_equal(txn_commit(t), 0);
	txn_free(t);
	assert_int_equal(l.v[0].status, STEP_GROUP_SKIPPED);
	assert_string_equal(l.v[0].why, "not for this kernel");
	assert_int_equal(l.v[1].status, STEP_DONE);
	assert_int_equal(l.v[2].status, STEP_SKIPPED);
	assert_int_equal(l.v[3].status, STEP_DONE);
	/* journaled by id, in order; a left-out step is not journaled */
	steps = journaled_steps();
	assert_string_equal(steps, "k1.build;k2.build;k2.install;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_undo_phase),
		cmocka_unit_test(test_groups_and_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
