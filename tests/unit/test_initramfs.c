// SPDX-License-Identifier: GPL-2.0-or-later
/* Initramfs: images per tool in fake roots, listings of lsinitramfs and lsinitrd, commands. */
#include "unit.h"

#include "lib/path.h"
#include "lib/strv.h"
#include "system/initramfs.h"

static void touch(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);

	*strrchr(dir, '/') = 0;
	assert_int_equal(mkdir_parents(dir, 0755), 0);
	unit_write(path, "x");
}

static void test_find_image(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	char *none = NULL;

	touch("deb/boot/initrd.img-6.1.0-26-amd64");
	assert_int_equal(initramfs_find_image("deb", INITRAMFS_UPDATE_INITRAMFS, "6.1.0-26-amd64", &a), 0);
	assert_string_equal(a, "/boot/initrd.img-6.1.0-26-amd64");
	assert_int_equal(initramfs_find_image("deb", INITRAMFS_UPDATE_INITRAMFS, "6.1.0-28-amd64", &none), -ENOENT);
	touch("rhel/boot/initramfs-5.14.0-362.el9.x86_64.img");
	assert_int_equal(initramfs_find_image("rhel", INITRAMFS_DRACUT, "5.14.0-362.el9.x86_64", &b), 0);
	assert_string_equal(b, "/boot/initramfs-5.14.0-362.el9.x86_64.img");
	touch("suse/boot/initrd-5.14.21-150500.55.39-default");
	assert_int_equal(initramfs_find_image("suse", INITRAMFS_DRACUT, "5.14.21-150500.55.39-default", &c), 0);
	assert_string_equal(c, "/boot/initrd-5.14.21-150500.55.39-default");
	touch("arch/boot/initramfs-linux-lts.img");
	assert_int_equal(initramfs_find_image("arch", INITRAMFS_MKINITCPIO, "6.1.62-1-lts", &d), 0);
	assert_string_equal(d, "/boot/initramfs-linux-lts.img");
	assert_int_equal(initramfs_find_image("arch", INITRAMFS_MKINITCPIO, "6.6.1-arch1-1", &none), -ENOENT);
	assert_int_equal(initramfs_find_image("deb", INITRAMFS_UPDATE_INITRAMFS, "../../etc/x", &none), -EINVAL);
	assert_int_equal(initramfs_find_image("deb", INITRAMFS_NONE, "6.1.0-26-amd64", &none), -EOPNOTSUPP);
	assert_null(none);
}

static void test_listing_lsinitramfs(void **state)
{
	const char *inbox = "usr/lib/modules/6.1.0-26-amd64/kernel/drivers/net/vmxnet3\n"
			    "usr/lib/modules/6.1.0-26-amd64/kernel/drivers/net/vmxnet3/vmxnet3.ko\n"
			    "usr/lib/modules/6.1.0-26-amd64/kernel/drivers/net/ethernet/intel/e1000/e1000.ko\n";
	const char *ours = "usr/lib/modules/6.1.0-26-amd64/updates/dkms/vmxnet3.ko\n"
			   "usr/lib/modules/6.1.0-26-amd64/kernel/drivers/net/vmxnet3/vmxnet3.ko\n";
	_cleanup_free_ char *a = NULL, *b = NULL;

	assert_int_equal(initramfs_listing_find(inbox, "vmxnet3", &a), 0);
	assert_string_equal(a, "usr/lib/modules/6.1.0-26-amd64/kernel/drivers/net/vmxnet3/vmxnet3.ko");
	assert_false(initramfs_path_is_ours(a));
	/* ours wins wherever it is in the listing */
	assert_int_equal(initramfs_listing_find(ours, "vmxnet3", &b), 0);
	assert_true(initramfs_path_is_ours(b));
	assert_int_equal(initramfs_listing_find("usr/lib/modules/x/kernel/drivers/net/vmxnet3/xvmxnet3.ko\n"
						"vmxnet3.kox\nvmxnet3.ko.bak\n", "vmxnet3", NULL), -ENOENT);
	assert_int_equal(initramfs_listing_find("", "vmxnet3", NULL), -ENOENT);
}

static void test_listing_lsinitrd(void **state)
{
	const char *l = "Image: /boot/initramfs-5.14.0-362.el9.x86_64.img: 33M\n"
			"========================================================================\n"
			"-rw-r--r--   1 root     root        61640 Oct 30 12:00 usr/lib/modules/5.14.0-362.el9.x86_64/extra/vmxnet3.ko.xz\r\n"
			"-rw-r--r--   1 root     root        41640 Oct 30 12:00 usr/lib/modules/5.14.0-362.el9.x86_64/kernel/drivers/net/vmxnet3/vmxnet3.ko.xz  \n";
	_cleanup_free_ char *p = NULL;

	assert_int_equal(initramfs_listing_find(l, "vmxnet3", &p), 0);
	assert_string_equal(p, "usr/lib/modules/5.14.0-362.el9.x86_64/extra/vmxnet3.ko.xz");
}

static void test_argv(void **state)
{
	_cleanup_strv_free_ char **a = NULL, **b = NULL, **c = NULL, **d = NULL;

	assert_int_equal(initramfs_regen_argv(INITRAMFS_UPDATE_INITRAMFS, "6.1.0-26-amd64", "/boot/initrd.img-6.1.0-26-amd64", &a), 0);
	assert_int_equal(strv_length(a), 4);
	assert_string_equal(a[0], "update-initramfs");
	assert_string_equal(a[3], "6.1.0-26-amd64");
	assert_int_equal(initramfs_regen_argv(INITRAMFS_DRACUT, "5.14.0", "/boot/initramfs-5.14.0.img", &b), 0);
	assert_string_equal(b[0], "dracut");
	assert_string_equal(b[1], "-f");
	assert_string_equal(b[2], "--kver");
	assert_string_equal(b[4], "/boot/initramfs-5.14.0.img");
	assert_int_equal(initramfs_regen_argv(INITRAMFS_MKINITCPIO, "6.6.1-arch1-1", "/boot/initramfs-linux.img", &c), 0);
	assert_string_equal(c[0], "mkinitcpio");
	assert_string_equal(c[2], "6.6.1-arch1-1");
	assert_int_equal(initramfs_list_argv(INITRAMFS_DRACUT, "/boot/i.img", &d), 0);
	assert_string_equal(d[0], "lsinitrd");
	assert_string_equal(d[1], "/boot/i.img");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_image),
		cmocka_unit_test(test_listing_lsinitramfs),
		cmocka_unit_test(test_listing_lsinitrd),
		cmocka_unit_test(test_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
