// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vnic-recover.service (step/recover.h): the text swap writes equals
 * installer/systemd/vnic-recover.service; swap stages the unit where the system has none and
 * the drop-in that makes multi-user.target want it, and nothing when both are there.
 */
#include "unit.h"
#include "sysroot.h"

#include "step/recover.h"

static const char *root = sysroot;

static void test_unit_text_is_the_shipped_file(void **state)
{
	_cleanup_free_ char *text = unit_source_file("installer/systemd/vnic-recover.service");

	if (!text)
		skip();
	assert_string_equal(text, recover_unit_text);
}

static void test_steps(void **state)
{
	_cleanup_(step_list_done) struct step_list none = {}, both = {}, wants = {};

	sysroot_new(NULL);
	assert_int_equal(recover_steps(root, &both), 0);
	assert_int_equal(both.n, 2);
	assert_string_equal(both.v[0].path, RECOVER_UNIT_PATH);
	assert_string_equal(both.v[0].data, recover_unit_text);
	assert_string_equal(both.v[1].path, RECOVER_WANTS_PATH);
	assert_non_null(strstr(both.v[1].data, "Wants=vnic-recover.service"));

	/* the package's unit: only the drop-in */
	sysroot_put("lib/systemd/system/vnic-recover.service", recover_unit_text, 0644);
	assert_int_equal(recover_steps(root, &wants), 0);
	assert_int_equal(wants.n, 1);
	assert_string_equal(wants.v[0].path, RECOVER_WANTS_PATH);

	/* both there (a swap before): nothing */
	sysroot_put("etc/systemd/system/multi-user.target.d/50-vnic-recover.conf",
		    both.v[1].data, 0644);
	assert_int_equal(recover_steps(root, &none), 0);
	assert_int_equal(none.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_text_is_the_shipped_file),
		cmocka_unit_test(test_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
