// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernels under a root: order, default, headers, package names, vmxnet3 through the index. */
#include "sysroot.h"

#include "lib/exec.h"
#include "system/kernel.h"

static const struct distro debian = { .id = "debian", .family = DISTRO_FAMILY_DEBIAN };
static const struct distro rhel = { .id = "rhel", .family = DISTRO_FAMILY_RHEL };

static void test_release_order(void **state)
{
	/* rpm's rule: numbers compare as numbers and beat letters; more segments are newer. */
	assert_true(kernel_release_compare("3.10.0-1160.el7.x86_64",
					   "3.10.0-1160.108.1.el7.x86_64") < 0);
	assert_true(kernel_release_compare("5.15.0-91-generic", "5.15.0-105-generic") < 0);
	assert_true(kernel_release_compare("6.8.5-301.fc40.x86_64", "6.10.12-200.fc40.x86_64") < 0);
	assert_true(kernel_release_compare("6.1.90-1.ph5", "6.1.90-1.ph5-esx") < 0);
	assert_true(kernel_release_compare("6.9.7-arch1-1", "6.6.35-1-lts") > 0);
	assert_true(kernel_release_compare("5.10.0-028", "5.10.0-28") == 0);
	assert_true(kernel_release_compare("abc", "abd") < 0);
	assert_true(kernel_release_compare("", "1") < 0);
	assert_int_equal(kernel_release_compare("4.4.0-210-generic", "4.4.0-210-generic"), 0);
}

static void test_headers_package(void **state)
{
	static const struct {
		enum distro_family family;
		const char *id, *release, *want;
	} cases[] = {
		{ DISTRO_FAMILY_DEBIAN, "ubuntu", "5.15.0-91-generic", "linux-headers-5.15.0-91-generic" },
		{ DISTRO_FAMILY_RHEL, "rhel", "3.10.0-1160.el7.x86_64", "kernel-devel-3.10.0-1160.el7.x86_64" },
		{ DISTRO_FAMILY_RHEL, "ol", "5.15.0-200.131.27.el8uek.x86_64",
		  "kernel-uek-devel-5.15.0-200.131.27.el8uek.x86_64" },
		{ DISTRO_FAMILY_RHEL, "amzn", "4.14.336-257.562.amzn2.x86_64",
		  "kernel-devel-4.14.336-257.562.amzn2.x86_64" },
		{ DISTRO_FAMILY_SUSE, "sles", "5.14.21-150500.55.39-default", "kernel-default-devel" },
		{ DISTRO_FAMILY_SUSE, "sles", "5.14.21-150500.13-azure", "kernel-azure-devel" },
		{ DISTRO_FAMILY_ARCH, "arch", "6.9.7-arch1-1", "linux-headers" },
		{ DISTRO_FAMILY_ARCH, "arch", "6.6.35-1-lts", "linux-lts-headers" },
		{ DISTRO_FAMILY_PHOTON, "photon", "6.1.90-1.ph5", "linux-devel" },
		{ DISTRO_FAMILY_PHOTON, "photon", "5.10.216-1.ph4-esx", "linux-esx-devel" },
	};
	struct distro unknown = { .id = "zork" };

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct distro d = { .id = (char *)cases[i].id, .family = cases[i].family };
		char *p = kernel_headers_package(&d, cases[i].release);

		assert_non_null(p);
		assert_string_equal(p, cases[i].want);
		free(p);
	}
	assert_null(kernel_headers_package(&unknown, "1.0"));
	assert_null(kernel_headers_package(NULL, "1.0"));
}

static void add_kernel(const char *moddir, const char *release)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/%s/modules.order", moddir, release);
	sysroot_put(rel, "", 0644);
}

static void test_default_from_vmlinuz_link(void **state)
{
	struct kernel_list l = {};

	add_kernel("lib/modules", "5.15.0-105-generic");
	add_kernel("lib/modules", "5.15.0-91-generic");
	sysroot_link("boot/vmlinuz", "vmlinuz-5.15.0-91-generic");
	/* Not a kernel directory: no modules, no index. */
	sysroot_mkdir("lib/modules/leftover");
	assert_int_equal(kernel_list_detect(sysroot, &debian, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.kernels[0].release, "5.15.0-91-generic");
	assert_string_equal(l.kernels[1].release, "5.15.0-105-generic");
	assert_true(l.kernels[0].is_default);
	assert_false(l.kernels[1].is_default);
	assert_false(l.kernels[0].running); /* never under a root */
	assert_string_equal(l.kernels[0].headers_package, "linux-headers-5.15.0-91-generic");
	assert_string_equal(kernel_list_default(&l)->release, "5.15.0-91-generic");
	kernel_list_done(&l);
}

static void test_default_from_grubenv_and_merged_usr(void **state)
{
	struct kernel_list l = {};

	/* RHEL 7: modules under /usr/lib, /lib -> usr/lib; one kernel listed once. */
	add_kernel("usr/lib/modules", "3.10.0-1160.el7.x86_64");
	add_kernel("usr/lib/modules", "3.10.0-1160.108.1.el7.x86_64");
	sysroot_link("lib", "usr/lib");
	sysroot_put("boot/grub2/grubenv",
		    "# GRUB Environment Block\nsaved_entry=CentOS Linux (3.10.0-1160.el7.x86_64) 7 "
		    "(Core)\n",
		    0644);
	assert_int_equal(kernel_list_detect(sysroot, &rhel, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.kernels[0].release, "3.10.0-1160.el7.x86_64");
	assert_string_equal(l.kernels[0].modules_dir, "/lib/modules/3.10.0-1160.el7.x86_64");
	assert_true(l.kernels[0].is_default);
	assert_false(l.kernels[1].is_default);
	kernel_list_done(&l);
}

static void test_default_bls_grubenv(void **state)
{
	struct kernel_list l = {};

	add_kernel("lib/modules", "4.18.0-513.5.1.el8_9.x86_64");
	add_kernel("lib/modules", "4.18.0-513.24.1.el8_9.x86_64");
	sysroot_put("boot/grub2/grubenv",
		    "saved_entry=0123456789abcdef0123456789abcdef-4.18.0-513.5.1.el8_9.x86_64\n", 0644);
	assert_int_equal(kernel_list_detect(sysroot, &rhel, &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(kernel_list_find(&l, "4.18.0-513.5.1.el8_9.x86_64")->is_default);
	assert_false(kernel_list_find(&l, "4.18.0-513.24.1.el8_9.x86_64")->is_default);
	kernel_list_done(&l);
}

static void test_default_newest_and_photon(void **state)
{
	struct kernel_list l = {};
	struct distro photon = { .id = "photon", .family = DISTRO_FAMILY_PHOTON };

	add_kernel("lib/modules", "6.1.90-1.ph5");
	add_kernel("lib/modules", "6.1.90-1.ph5-esx");
	assert_int_equal(kernel_list_detect(sysroot, &photon, &l), 0);
	assert_true(l.kernels[1].is_default); /* the newest */
	kernel_list_done(&l);

	sysroot_link("boot/photon.cfg", "linux-6.1.90-1.ph5.cfg");
	sysroot_put("boot/linux-6.1.90-1.ph5.cfg", "photon_linux=vmlinuz-6.1.90-1.ph5\n", 0644);
	assert_int_equal(kernel_list_detect(sysroot, &photon, &l), 0);
	assert_string_equal(kernel_list_default(&l)->release, "6.1.90-1.ph5");
	assert_string_equal(l.kernels[0].headers_package, "linux-devel");
	assert_string_equal(l.kernels[1].headers_package, "linux-esx-devel");
	kernel_list_done(&l);
}

static void test_default_systemd_boot(void **state)
{
	struct kernel_list l = {};
	struct distro arch = { .id = "arch", .family = DISTRO_FAMILY_ARCH };

	add_kernel("lib/modules", "6.6.35-1-lts");
	add_kernel("lib/modules", "6.9.7-arch1-1");
	sysroot_put("efi/loader/loader.conf", "timeout 3\ndefault arch-lts*\n", 0644);
	sysroot_put("efi/loader/entries/arch.conf", "title Arch\nlinux /vmlinuz-linux\n", 0644);
	sysroot_put("efi/loader/entries/arch-lts.conf",
		    "title Arch LTS\nversion 6.6.35-1-lts\nlinux /vmlinuz-linux-lts\n", 0644);
	assert_int_equal(kernel_list_detect(sysroot, &arch, &l), 0);
	assert_string_equal(kernel_list_default(&l)->release, "6.6.35-1-lts");
	kernel_list_done(&l);
}

static void test_headers_inside_root_only(void **state)
{
	struct kernel_list l = {};

	add_kernel("lib/modules", "6.1.0-26-amd64");
	add_kernel("lib/modules", "6.1.0-56-amd64");
	add_kernel("lib/modules", "6.1.0-99-amd64");
	/* Present in the root. */
	sysroot_link("lib/modules/6.1.0-26-amd64/build", "/usr/src/linux-headers-6.1.0-26-amd64");
	sysroot_put("usr/src/linux-headers-6.1.0-26-amd64/Makefile", "", 0644);
	/* Present on this host, absent in the root: must not count. */
	sysroot_link("lib/modules/6.1.0-56-amd64/build", "/usr/src/linux-headers-6.1.0-56-amd64");
	/* A relative link that climbs out of the root: clamped at the root, absent there. */
	sysroot_link("lib/modules/6.1.0-99-amd64/build",
		     "../../../../../../../../../../usr/src/linux-headers-6.1.0-56-amd64");
	/* A link to a file is not a headers directory. */
	add_kernel("lib/modules", "6.1.0-30-amd64");
	sysroot_link("lib/modules/6.1.0-30-amd64/build",
		     "/usr/src/linux-headers-6.1.0-26-amd64/Makefile");
	assert_int_equal(kernel_list_detect(sysroot, &debian, &l), 0);
	assert_int_equal(l.n, 4);
	assert_null(kernel_list_find(&l, "6.1.0-30-amd64")->headers);
	assert_string_equal(l.kernels[0].headers, "/lib/modules/6.1.0-26-amd64/build");
	assert_null(kernel_list_find(&l, "6.1.0-56-amd64")->headers);
	assert_null(kernel_list_find(&l, "6.1.0-99-amd64")->headers);
	kernel_list_done(&l);
}

static void test_no_kernels(void **state)
{
	struct kernel_list l = { .n = 99 };
	char p[PATH_MAX * 2];

	assert_int_equal(kernel_list_detect(sysroot, NULL, &l), 0);
	assert_int_equal(l.n, 0);
	assert_null(kernel_list_default(&l));
	sysroot_put("plain", "", 0644);
	assert_int_equal(kernel_list_detect(sysroot_path("plain", p), NULL, &l), -ENOTDIR);
}

/* Runs a program for a fixture; skips the test when it is not installed. */
static void run_or_skip(char *const argv[])
{
	struct exec_result r = {};
	int e = exec_run(argv, NULL, &r);

	if (e == -ENOENT)
		skip();
	assert_int_equal(e, 0);
	if (!exec_succeeded(&r))
		fail_msg("%s failed: %s", argv[0], r.errout ? r.errout : "");
	exec_result_done(&r);
}

/* A minimal module: an object file with a .modinfo section (what depmod and libkmod read). */
static void make_module(const char *rel, const char *version)
{
	char path[PATH_MAX * 2], info[PATH_MAX * 2 + 16], obj[PATH_MAX * 2], content[512];
	int n;

	sysroot_path(rel, path);
	snprintf(info, sizeof(info), "%s.modinfo", path);
	snprintf(obj, sizeof(obj), "%s/fake.o", sysroot);
	n = snprintf(content, sizeof(content), "version=%s%clicense=GPL%cname=vmxnet3%c"
		     "srcversion=0123456789ABCDEF0123456%c", version, 0, 0, 0, 0);
	sysroot_put("fake.c", "int fake_module_marker;\n", 0644);
	{
		char src[PATH_MAX * 2];
		char *cc[] = { "cc", "-c", "-o", obj, sysroot_path("fake.c", src), NULL };

		run_or_skip(cc);
	}
	{
		char *slash;
		FILE *f;

		slash = strrchr(path, '/');
		*slash = 0;
		assert_int_equal(mkdir_parents(path, 0755), 0);
		*slash = '/';
		f = fopen(info, "we");
		assert_non_null(f);
		assert_int_equal(fwrite(content, 1, (size_t)n, f), (size_t)n);
		assert_int_equal(fclose(f), 0);
	}
	{
		char arg[PATH_MAX * 2 + 32];
		char *objcopy[] = { "objcopy", "--add-section", arg, "--set-section-flags",
				    ".modinfo=alloc,readonly", obj, path, NULL };

		snprintf(arg, sizeof(arg), ".modinfo=%s", info);
		run_or_skip(objcopy);
	}
	unlink(info);
}

static void test_vmxnet3_through_the_index(void **state)
{
	struct kernel_list l = {};
	char *depmod[] = { "depmod", "-b", sysroot, "5.10.0-9-amd64", NULL };

	/* An unusual place for the in-kernel module: only the index can find it. */
	make_module("lib/modules/5.10.0-9-amd64/kernel/drivers/net/vmware/vmxnet3.ko", "1.5.0.0-k");
	make_module("lib/modules/5.10.0-9-amd64/updates/dkms/vmxnet3.ko", "2.0.0");
	run_or_skip(depmod);
	assert_int_equal(kernel_list_detect(sysroot, &debian, &l), 0);
	assert_int_equal(l.n, 1);
	/* updates/ wins the lookup: vnic's. */
	assert_string_equal(l.kernels[0].vnic_vmxnet3, "2.0.0");
	assert_string_equal(l.kernels[0].vnic_vmxnet3_path,
			    "/lib/modules/5.10.0-9-amd64/updates/dkms/vmxnet3.ko");
	kernel_list_done(&l);

	/* Without vnic's module the index leads to the in-kernel one, wherever it is. */
	{
		char p[PATH_MAX * 2];

		assert_int_equal(unlink(sysroot_path("lib/modules/5.10.0-9-amd64/updates/dkms/"
						     "vmxnet3.ko", p)),
				 0);
	}
	run_or_skip(depmod);
	assert_int_equal(kernel_list_detect(sysroot, &debian, &l), 0);
	assert_string_equal(l.kernels[0].inbox_vmxnet3, "1.5.0.0-k");
	assert_string_equal(l.kernels[0].inbox_vmxnet3_srcversion, "0123456789ABCDEF0123456");
	assert_null(l.kernels[0].vnic_vmxnet3);
	kernel_list_done(&l);
}

static void test_vmxnet3_without_index(void **state)
{
	struct kernel_list l = {};

	/* No depmod: the usual paths are read directly. A vmxnet3 1.x outside kernel/ is not
	 * vnic's. */
	make_module("lib/modules/4.19.0-26-amd64/kernel/drivers/net/vmxnet3/vmxnet3.ko",
		    "1.4.16.0-k");
	make_module("lib/modules/4.19.0-26-amd64/updates/dkms/vmxnet3.ko", "1.4.99.0");
	assert_int_equal(kernel_list_detect(sysroot, &debian, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.kernels[0].inbox_vmxnet3, "1.4.16.0-k");
	assert_null(l.kernels[0].vnic_vmxnet3);
	kernel_list_done(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_order),
		cmocka_unit_test(test_headers_package),
		cmocka_unit_test_setup(test_default_from_vmlinuz_link, sysroot_new),
		cmocka_unit_test_setup(test_default_from_grubenv_and_merged_usr, sysroot_new),
		cmocka_unit_test_setup(test_default_bls_grubenv, sysroot_new),
		cmocka_unit_test_setup(test_default_newest_and_photon, sysroot_new),
		cmocka_unit_test_setup(test_default_systemd_boot, sysroot_new),
		cmocka_unit_test_setup(test_headers_inside_root_only, sysroot_new),
		cmocka_unit_test_setup(test_no_kernels, sysroot_new),
		cmocka_unit_test_setup(test_vmxnet3_through_the_index, sysroot_new),
		cmocka_unit_test_setup(test_vmxnet3_without_index, sysroot_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
