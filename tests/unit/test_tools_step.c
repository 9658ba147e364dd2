// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --install-tools (step/tools.h): the package manager's install command with its removal as the
 * undo; nothing when vmtoolsd is there; a refusal when the root has no package manager; and
 * through the journal, a rollback runs the removal.
 */
#include "unit.h"
#include "sysroot.h"

#include "lib/strv.h"
#include "step/tools.h"
#include "system/tools.h"
#include "txn/txn.h"

static const char *root = sysroot;

static void test_apt_install_and_undo(void **state)
{
	_cleanup_(step_list_done) struct step_list l = {};
	_cleanup_free_ char *argv = NULL, *undo = NULL;
	bool present = true;

	sysroot_new(NULL);
	sysroot_put("usr/bin/apt-get", "#!/bin/sh\n", 0755);
	assert_int_equal(package_manager_detect(root, NULL), PACKAGE_MANAGER_APT);
	assert_int_equal(tools_steps(root, PACKAGE_MANAGER_APT, &l, &present), 0);
	assert_false(present);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].id, "tools.install");
	argv = strv_join(l.v[0].argv, " ");
	undo = strv_join(l.v[0].undo, " ");
	assert_string_equal(argv, "apt-get install -y --no-install-recommends open-vm-tools");
	assert_string_equal(undo, "apt-get remove -y open-vm-tools");
}

static void test_other_managers(void **state)
{
	static const struct {
		enum package_manager m;
		const char *install, *remove;
	} cases[] = {
		{ PACKAGE_MANAGER_DNF, "dnf install -y open-vm-tools", "dnf remove -y open-vm-tools" },
		{ PACKAGE_MANAGER_ZYPPER, "zypper --non-interactive install open-vm-tools",
		  "zypper --non-interactive remove open-vm-tools" },
		{ PACKAGE_MANAGER_TDNF, "tdnf install -y open-vm-tools", "tdnf remove -y open-vm-tools" },
		{ PACKAGE_MANAGER_PACMAN, "pacman -S --needed --noconfirm open-vm-tools",
		  "pacman -R --noconfirm open-vm-tools" },
	};

	sysroot_new(NULL);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(step_list_done) struct step_list l = {};
		_cleanup_free_ char *argv = NULL, *undo = NULL;
		bool present;

		assert_int_equal(tools_steps(root, cases[i].m, &l, &present), 0);
		argv = strv_join(l.v[0].argv, " ");
		undo = strv_join(l.v[0].undo, " ");
		assert_string_equal(argv, cases[i].install);
		assert_string_equal(undo, cases[i].remove);
	}
}

static void test_present_or_no_manager(void **state)
{
	_cleanup_(step_list_done) struct step_list l = {};
	bool present = false;

	sysroot_new(NULL);
	assert_int_equal(tools_steps(root, PACKAGE_MANAGER_NONE, &l, &present), -EOPNOTSUPP);
	assert_int_equal(l.n, 0);
	sysroot_put("usr/bin/vmtoolsd", "#!/bin/sh\n", 0755);
	assert_int_equal(tools_steps(root, PACKAGE_MANAGER_APT, &l, &present), 0);
	assert_true(present);
	assert_int_equal(l.n, 0);
}

/* Through the journal: installed, then rolled back: the removal runs (fake apt-get logs). */
static void test_rollback_removes(void **state)
{
	_cleanup_(step_list_done) struct step_list l = {};
	_cleanup_free_ char *log = NULL, *got = NULL;
	struct txn *t = NULL;
	struct step_env env = {};
	bool present;

	sysroot_new(NULL);
	sysroot_mkdir("var/lib");
	assert_int_not_equal(asprintf(&log, "%s/apt.log", root), -1);
	assert_int_equal(tools_steps(root, PACKAGE_MANAGER_APT, &l, &present), 0);
	/* run a logging stand-in instead of apt-get, keeping its words */
	free(l.v[0].argv[0]);
	free(l.v[0].undo[0]);
	assert_int_not_equal(asprintf(&l.v[0].argv[0], "%s/apt", root), -1);
	assert_int_not_equal(asprintf(&l.v[0].undo[0], "%s/apt", root), -1);
	{
		_cleanup_free_ char *script = NULL;

		assert_int_not_equal(asprintf(&script, "#!/bin/sh\necho \"$*\" >>%s\n", log), -1);
		sysroot_put("apt", script, 0755);
	}
	assert_int_equal(txn_begin(root, "test", &t), 0);
	env.txn = t;
	assert_int_equal(step_list_apply(&l, &env, NULL), 0);
	assert_int_equal(txn_rollback(t), 0);
	txn_free(t);
	got = unit_read(log);
	assert_string_equal(got, "install -y --no-install-recommends open-vm-tools\n"
				 "remove -y open-vm-tools\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apt_install_and_undo),
		cmocka_unit_test(test_other_managers),
		cmocka_unit_test(test_present_or_no_manager),
		cmocka_unit_test(test_rollback_removes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
