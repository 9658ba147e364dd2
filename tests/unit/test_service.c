// SPDX-License-Identifier: GPL-2.0-or-later
/* Service state from unit files and links under a root. */
#include "sysroot.h"

#include "system/service.h"

static enum service_state state_of(const char *unit)
{
	enum service_state s = 99;

	assert_int_equal(service_state(sysroot, unit, &s), 0);
	return s;
}

static void test_wants_link_enables(void **state)
{
	sysroot_put("usr/lib/systemd/system/NetworkManager.service", "[Unit]\n", 0644);
	assert_int_equal(state_of("NetworkManager.service"), SERVICE_DISABLED);
	sysroot_link("etc/systemd/system/multi-user.target.wants/NetworkManager.service",
		     "/usr/lib/systemd/system/NetworkManager.service");
	assert_int_equal(state_of("NetworkManager.service"), SERVICE_ENABLED);
	assert_int_equal(state_of("NetworkManager"), SERVICE_ENABLED); /* .service implied */
	assert_true(service_is_enabled(sysroot, "NetworkManager"));
	/* Another unit is not enabled by it. */
	assert_int_equal(state_of("systemd-networkd.service"), SERVICE_ABSENT);
	assert_false(service_is_enabled(sysroot, "systemd-networkd"));
}

static void test_mask_wins(void **state)
{
	sysroot_put("lib/systemd/system/systemd-networkd.service", "[Unit]\n", 0644);
	sysroot_link("etc/systemd/system/multi-user.target.wants/systemd-networkd.service",
		     "/lib/systemd/system/systemd-networkd.service");
	assert_int_equal(state_of("systemd-networkd.service"), SERVICE_ENABLED);
	sysroot_link("etc/systemd/system/systemd-networkd.service", "/dev/null");
	assert_int_equal(state_of("systemd-networkd.service"), SERVICE_MASKED);
	assert_false(service_is_enabled(sysroot, "systemd-networkd.service"));
	/* An empty unit file in /etc masks too. */
	sysroot_put("etc/systemd/system/wicked.service", "", 0644);
	assert_int_equal(state_of("wicked.service"), SERVICE_MASKED);
}

static void test_vendor_wants_and_requires(void **state)
{
	sysroot_link("usr/lib/systemd/system/sysinit.target.requires/foo.service", "../foo.service");
	sysroot_put("usr/lib/systemd/system/foo.service", "[Unit]\n", 0644);
	assert_int_equal(state_of("foo.service"), SERVICE_ENABLED);
}

static void test_alias_follows_target(void **state)
{
	/* SUSE: network.service is an alias of wicked.service. */
	sysroot_put("usr/lib/systemd/system/wicked.service", "[Unit]\n", 0644);
	sysroot_link("etc/systemd/system/network.service", "/usr/lib/systemd/system/wicked.service");
	assert_int_equal(state_of("network.service"), SERVICE_DISABLED);
	sysroot_link("etc/systemd/system/multi-user.target.wants/wicked.service",
		     "/usr/lib/systemd/system/wicked.service");
	assert_int_equal(state_of("network.service"), SERVICE_ENABLED);
}

static void test_sysv(void **state)
{
	sysroot_put("etc/rc.d/init.d/network", "#!/bin/sh\n", 0755);
	sysroot_link("etc/init.d", "rc.d/init.d");
	assert_int_equal(state_of("network.service"), SERVICE_DISABLED);
	sysroot_link("etc/rc.d/rc3.d/K90network", "../init.d/network");
	assert_int_equal(state_of("network.service"), SERVICE_DISABLED);
	sysroot_link("etc/rc.d/rc3.d/S10network", "../init.d/network");
	assert_int_equal(state_of("network"), SERVICE_ENABLED);
	/* A unit file of the same name hides the script (systemd-sysv-generator's rule). */
	sysroot_put("usr/lib/systemd/system/network.service", "[Unit]\n", 0644);
	assert_int_equal(state_of("network"), SERVICE_DISABLED);
}

static void test_bad_input(void **state)
{
	enum service_state s = SERVICE_MASKED;
	char p[PATH_MAX * 2];

	assert_int_equal(service_state(sysroot, "../etc/passwd", &s), -EINVAL);
	assert_int_equal(service_state(sysroot, "", &s), -EINVAL);
	assert_int_equal(s, SERVICE_MASKED); /* untouched */
	sysroot_put("file", "", 0644);
	assert_int_equal(service_state(sysroot_path("file", p), "x.service", &s), -ENOTDIR);
	/* A loop in the unit directories is not an error: nothing is enabled there. */
	sysroot_link("etc/systemd/system", "system");
	assert_int_equal(state_of("x.service"), SERVICE_ABSENT);
	assert_string_equal(service_state_to_string(SERVICE_MASKED), "masked");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_wants_link_enables, sysroot_new),
		cmocka_unit_test_setup(test_mask_wins, sysroot_new),
		cmocka_unit_test_setup(test_vendor_wants_and_requires, sysroot_new),
		cmocka_unit_test_setup(test_alias_follows_target, sysroot_new),
		cmocka_unit_test_setup(test_sysv, sysroot_new),
		cmocka_unit_test_setup(test_bad_input, sysroot_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
