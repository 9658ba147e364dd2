// SPDX-License-Identifier: GPL-2.0-or-later
/* A bond or bridge port's readiness, from a fake sysfs (system/port.h). */
#include <errno.h>
#include <unistd.h>

#include "lib/macro.h"

#include "sysroot.h"
#include "system/port.h"
#include "unit.h"

static void test_bond_port(void **state)
{
	sysroot_put("sys/class/net/ens4/bonding_slave/mii_status", "down\n", 0644);
	assert_int_equal(port_ready(sysroot, "ens4"), 0);
	sysroot_put("sys/class/net/ens4/bonding_slave/mii_status", "going back\n", 0644);
	assert_int_equal(port_ready(sysroot, "ens4"), 0);
	sysroot_put("sys/class/net/ens4/bonding_slave/mii_status", "up\n", 0644);
	assert_int_equal(port_ready(sysroot, "ens4"), 1);
	assert_int_equal(port_wait(sysroot, "ens4", 0), 0);
}

static void test_bridge_port(void **state)
{
	sysroot_put("sys/class/net/ens4/brport/state", "1\n", 0644); /* listening */
	assert_int_equal(port_ready(sysroot, "ens4"), 0);
	sysroot_put("sys/class/net/ens4/brport/state", "3\n", 0644); /* forwarding */
	assert_int_equal(port_ready(sysroot, "ens4"), 1);
}

/* Not a port (yet): the wait gives up after its time, without an error of its own. */
static void test_no_port_times_out(void **state)
{
	sysroot_mkdir("sys/class/net/ens3");
	assert_int_equal(port_ready(sysroot, "ens3"), 0);
	assert_int_equal(port_ready(sysroot, "gone0"), 0);
	assert_int_equal(port_wait(sysroot, "ens3", 120), -ETIMEDOUT);
}

/* The master from the sysfs "master" link, as the guard and swap's comparison read it. */
static void test_master(void **state)
{
	_cleanup_free_ char *m = NULL;
	char p[PATH_MAX * 2];

	sysroot_mkdir("sys/class/net/ens4");
	sysroot_mkdir("sys/devices/virtual/net/bond0");
	assert_int_equal(port_master(sysroot, "ens4", &m), -ENOENT);
	assert_int_equal(symlink("../../devices/virtual/net/bond0",
				 sysroot_path("sys/class/net/ens4/master", p)), 0);
	assert_int_equal(port_master(sysroot, "ens4", &m), 0);
	assert_string_equal(m, "bond0");
	assert_int_equal(port_master(sysroot, "../ens4", &m), -EINVAL);
	assert_int_equal(port_master(sysroot, "gone0", &m), -ENOENT);
}

static void test_bad_names(void **state)
{
	assert_int_equal(port_ready(sysroot, ""), -EINVAL);
	assert_int_equal(port_ready(sysroot, "../etc"), -EINVAL);
	assert_int_equal(port_ready(sysroot, ".."), -EINVAL);
	assert_int_equal(port_ready(sysroot, NULL), -EINVAL);
	assert_int_equal(port_wait(sysroot, "a/b", 1000), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bond_port, sysroot_new),
		cmocka_unit_test_setup(test_bridge_port, sysroot_new),
		cmocka_unit_test_setup(test_no_port_times_out, sysroot_new),
		cmocka_unit_test_setup(test_master, sysroot_new),
		cmocka_unit_test_setup(test_bad_names, sysroot_new),
	};

	return cmocka_run_group_tests_name("port", tests, NULL, NULL);
}
