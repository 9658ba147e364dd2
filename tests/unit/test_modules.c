// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Module lookup with libkmod in a fake root (the host kernel's own vmxnet3.ko copied in, the
 * index made by depmod -b), and which interfaces use a driver from a fake /sys/class/net.
 */
#include "unit.h"

#include <dirent.h>
#include <sys/wait.h>

#include "lib/exec.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "system/modules.h"

static char kver[256];
static char host_ko[512];

/* A host kernel with an uncompressed in-kernel vmxnet3.ko, or skip. */
static int find_host_module(void **state)
{
	_cleanup_closedir_ DIR *d = opendir("/lib/modules");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(host_ko, sizeof(host_ko), "/lib/modules/%s/kernel/drivers/net/vmxnet3/vmxnet3.ko",
			 de->d_name);
		if (access(host_ko, R_OK) == 0) {
			snprintf(kver, sizeof(kver), "%s", de->d_name);
			return 0;
		}
	}
	kver[0] = 0;
	return 0;
}

static void copy_file(const char *from, const char *to)
{
	char *argv[] = { "cp", (char *)from, (char *)to, NULL };
	struct exec_result r;

	assert_int_equal(exec_run(argv, NULL, &r), 0);
	assert_true(exec_succeeded(&r));
	exec_result_done(&r);
}

static void depmod(const char *root)
{
	char *argv[] = { "depmod", "-b", (char *)root, kver, NULL };
	struct exec_result r;

	assert_int_equal(exec_run(argv, NULL, &r), 0);
	assert_true(exec_succeeded(&r));
	exec_result_done(&r);
}

static void test_lookup_inbox_then_updates(void **state)
{
	_cleanup_free_ char *kdir = NULL, *udir = NULL, *ko = NULL, *uko = NULL;
	_cleanup_(module_info_done) struct module_info a = {}, b = {}, c = {};
	struct module_info none = {};

	if (!kver[0])
		skip();
	assert_true(asprintf(&kdir, "root/lib/modules/%s/kernel/drivers/net/vmxnet3", kver) > 0);
	assert_true(asprintf(&udir, "root/lib/modules/%s/updates/dkms", kver) > 0);
	assert_int_equal(mkdir_parents(kdir, 0755), 0);
	assert_int_equal(mkdir_parents(udir, 0755), 0);
	ko = path_join(kdir, "vmxnet3.ko");
	uko = path_join(udir, "vmxnet3.ko");
	copy_file(host_ko, ko);
	depmod("root");

	assert_int_equal(modules_lookup("root", kver, "vmxnet3", &a), 0);
	assert_non_null(strstr(a.path, "/kernel/drivers/net/vmxnet3/vmxnet3.ko"));
	assert_non_null(strstr(a.path, "root/lib/modules/")); /* in the root, not the host */
	assert_int_not_equal(strncmp(a.path, "/lib/modules/", 13), 0);
	assert_false(a.in_updates);
	assert_non_null(a.version);
	assert_non_null(a.srcversion);
	assert_int_equal(modules_lookup("root", kver, "no_such_module", &none), -ENOENT);
	assert_null(none.path);

	/* What DKMS does: a copy under updates/ and depmod; the lookup now resolves there. */
	copy_file(host_ko, uko);
	depmod("root");
	assert_int_equal(modules_lookup("root", kver, "vmxnet3", &b), 0);
	assert_non_null(strstr(b.path, "/updates/dkms/vmxnet3.ko"));
	assert_true(b.in_updates);
	assert_int_equal(modules_inbox("root", kver, "vmxnet3", &c), 0);
	assert_non_null(strstr(c.path, "/kernel/drivers/net/vmxnet3/vmxnet3.ko"));
	assert_string_equal(c.version, a.version);
	assert_int_equal(modules_lookup("root", "9.9.9-none", "vmxnet3", &none), -ENOENT);
	assert_int_equal(modules_lookup("root", "../../etc", "vmxnet3", &none), -EINVAL);
}

static void iface(const char *name, const char *driver, const char *flags)
{
	char dir[256], link[300], f[300];

	snprintf(dir, sizeof(dir), "sysroot/sys/class/net/%s/device", name);
	assert_int_equal(mkdir_parents(dir, 0755), 0);
	if (driver) {
		char target[128];

		snprintf(target, sizeof(target), "../../../../bus/pci/drivers/%s", driver);
		snprintf(link, sizeof(link), "%s/driver", dir);
		assert_int_equal(symlink(target, link), 0);
	}
	snprintf(f, sizeof(f), "sysroot/sys/class/net/%s/flags", name);
	unit_write(f, flags);
}

static void test_users(void **state)
{
	_cleanup_strv_free_ char **bound = NULL, **up = NULL, **b2 = NULL, **u2 = NULL;

	iface("ens5", "vmxnet3", "0x1002\n");
	iface("ens3", "vmxnet3", "0x1003\n");
	iface("ens4", "e1000", "0x1003\n");
	iface("lo", NULL, "0x9\n");
	assert_int_equal(modules_users("sysroot", "vmxnet3", &bound, &up), 0);
	assert_int_equal(strv_length(bound), 2);
	assert_string_equal(bound[0], "ens3");
	assert_string_equal(bound[1], "ens5");
	assert_int_equal(strv_length(up), 1);
	assert_string_equal(up[0], "ens3");
	/* a root without sysfs (an image): nobody uses anything */
	assert_int_equal(mkdir_parents("image", 0755), 0);
	assert_int_equal(modules_users("image", "vmxnet3", &b2, &u2), 0);
	assert_null(b2);
	assert_null(u2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_inbox_then_updates),
		cmocka_unit_test(test_users),
	};
	return cmocka_run_group_tests(tests, find_host_module, NULL);
}
