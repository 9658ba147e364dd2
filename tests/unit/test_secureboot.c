// SPDX-License-Identifier: GPL-2.0-or-later
/* Secure Boot: DKMS's certificate from framework.conf in fake roots, mokutil output. */
#include "unit.h"

#include "system/secureboot.h"

static void test_certificate(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

	assert_int_equal(mkdir_parents("plain/etc/dkms", 0755), 0);
	assert_int_equal(secureboot_dkms_certificate("plain", &a), 0);
	assert_string_equal(a, "/var/lib/dkms/mok.pub");

	assert_int_equal(mkdir_parents("ubuntu/var/lib/shim-signed/mok", 0755), 0);
	unit_write("ubuntu/var/lib/shim-signed/mok/MOK.der", "der");
	assert_int_equal(secureboot_dkms_certificate("ubuntu", &b), 0);
	assert_string_equal(b, "/var/lib/shim-signed/mok/MOK.der");

	assert_int_equal(mkdir_parents("conf/etc/dkms/framework.conf.d", 0755), 0);
	unit_write("conf/etc/dkms/framework.conf",
		   "# mok_certificate=/commented/out.pub\n"
		   "mok_certificate=\"/etc/keys/a.pub\"\n");
	assert_int_equal(secureboot_dkms_certificate("conf", &c), 0);
	assert_string_equal(c, "/etc/keys/a.pub");
	unit_write("conf/etc/dkms/framework.conf.d/20-b.conf", "  mok_certificate=/etc/keys/b.der # site key\n");
	unit_write("conf/etc/dkms/framework.conf.d/10-a.conf", "mok_certificate=/etc/keys/ignored.der\n");
	assert_int_equal(secureboot_dkms_certificate("conf", &d), 0);
	assert_string_equal(d, "/etc/keys/b.der");
}

static void test_test_key(void **state)
{
	assert_int_equal(secureboot_parse_test_key("/var/lib/dkms/mok.pub is already enrolled\n"), MOK_ENROLLED);
	assert_int_equal(secureboot_parse_test_key("/var/lib/dkms/mok.pub is not enrolled\n"), MOK_NOT_ENROLLED);
	assert_int_equal(secureboot_parse_test_key("/var/lib/dkms/mok.pub is already in the enrollment request\n"),
			 MOK_PENDING);
	assert_int_equal(secureboot_parse_test_key("EFI variables are not supported on this system\n"), MOK_UNKNOWN);
	assert_int_equal(secureboot_parse_test_key(NULL), MOK_UNKNOWN);
}

static void test_steps(void **state)
{
	_cleanup_free_ char *s = secureboot_enrol_steps("/var/lib/dkms/mok.pub");

	assert_non_null(strstr(s, "mokutil --import /var/lib/dkms/mok.pub"));
	assert_non_null(strstr(s, "Enroll MOK"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_test_key),
		cmocka_unit_test(test_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
