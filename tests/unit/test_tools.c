// SPDX-License-Identifier: GPL-2.0-or-later
/* Package manager, DKMS, compiler, initramfs tool and Secure Boot under a root. */
#include "sysroot.h"

#include "system/tools.h"

#define SB_VAR "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

static void put_bytes(const char *rel, const unsigned char *b, size_t n)
{
	char p[PATH_MAX * 2];
	FILE *f;

	sysroot_put(rel, "", 0644);
	f = fopen(sysroot_path(rel, p), "we");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void test_package_manager_rules(void **state)
{
	static const struct {
		enum distro_family family;
		const char *id, *version;
		enum package_manager want;
	} cases[] = {
		{ DISTRO_FAMILY_DEBIAN, "ubuntu", "22.04", PACKAGE_MANAGER_APT },
		{ DISTRO_FAMILY_RHEL, "rhel", "7.9", PACKAGE_MANAGER_YUM },
		{ DISTRO_FAMILY_RHEL, "centos", "7", PACKAGE_MANAGER_YUM },
		{ DISTRO_FAMILY_RHEL, "rocky", "8.9", PACKAGE_MANAGER_DNF },
		{ DISTRO_FAMILY_RHEL, "tern", "9.3", PACKAGE_MANAGER_DNF },
		{ DISTRO_FAMILY_RHEL, "amzn", "2", PACKAGE_MANAGER_YUM },
		{ DISTRO_FAMILY_RHEL, "amzn", "2023", PACKAGE_MANAGER_DNF },
		{ DISTRO_FAMILY_RHEL, "fedora", "40", PACKAGE_MANAGER_DNF },
		{ DISTRO_FAMILY_SUSE, "sles", "15.5", PACKAGE_MANAGER_ZYPPER },
		{ DISTRO_FAMILY_ARCH, "arch", NULL, PACKAGE_MANAGER_PACMAN },
		{ DISTRO_FAMILY_PHOTON, "photon", "5.0", PACKAGE_MANAGER_TDNF },
		{ DISTRO_FAMILY_UNKNOWN, "zork", "3", PACKAGE_MANAGER_NONE },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct distro d = { .id = (char *)cases[i].id, .version_id = (char *)cases[i].version,
				    .family = cases[i].family };

		if (package_manager_detect(sysroot, &d) != cases[i].want)
			fail_msg("%s %s: got %s", cases[i].id, cases[i].version ? cases[i].version : "",
				 package_manager_to_string(package_manager_detect(sysroot, &d)));
	}
	/* Unknown family: what the root has. */
	sysroot_put("usr/bin/zypper", "#!/bin/sh\n", 0755);
	assert_int_equal(package_manager_detect(sysroot, NULL), PACKAGE_MANAGER_ZYPPER);
	assert_string_equal(package_manager_to_string(PACKAGE_MANAGER_TDNF), "tdnf");
	assert_null(package_manager_to_string(PACKAGE_MANAGER_NONE));
}

static void test_programs(void **state)
{
	struct tools t = {};
	struct distro deb = { .id = "debian", .family = DISTRO_FAMILY_DEBIAN };

	/* Not executable: not a program. */
	sysroot_put("usr/bin/gcc", "", 0644);
	sysroot_put("usr/sbin/update-initramfs", "#!/bin/sh\n", 0755);
	sysroot_put("usr/bin/dracut", "#!/bin/sh\n", 0755);
	sysroot_put("usr/sbin/dkms", "#!/bin/bash\nshow() {\n  echo $\"dkms-3.0.10\"\n}\n", 0755);
	assert_int_equal(tools_detect(sysroot, &deb, &t), 0);
	assert_false(t.compiler_present);
	assert_true(t.dkms_present);
	assert_string_equal(t.dkms_version, "3.0.10");
	assert_string_equal(t.dkms_path, "/usr/sbin/dkms");
	/* The family's tool first, though dracut is there too. */
	assert_int_equal(t.initramfs_tool, INITRAMFS_UPDATE_INITRAMFS);
	assert_int_equal(t.package_manager, PACKAGE_MANAGER_APT);
	assert_int_equal(t.secure_boot, SECURE_BOOT_UNKNOWN); /* no sysfs at all */
	tools_done(&t);

	/* A link to the program, as /usr/bin/gcc -> gcc-12. */
	sysroot_put("usr/bin/gcc-12", "", 0755);
	{
		char p[PATH_MAX * 2];

		unlink(sysroot_path("usr/bin/gcc", p));
	}
	sysroot_link("usr/bin/gcc", "gcc-12");
	assert_int_equal(tools_detect(sysroot, NULL, &t), 0);
	assert_true(t.compiler_present);
	assert_string_equal(t.compiler_path, "/usr/bin/gcc");
	/* No family: the first tool found. */
	assert_int_equal(t.initramfs_tool, INITRAMFS_UPDATE_INITRAMFS);
	tools_done(&t);
}

static void test_dkms_versions(void **state)
{
	bool present = false;
	char *v = NULL;

	sysroot_put("usr/sbin/dkms", "#!/bin/bash\nreadonly dkms_version=\"2.8.7\"\n", 0755);
	assert_int_equal(dkms_detect(sysroot, &present, &v, NULL), 0);
	assert_true(present);
	assert_string_equal(v, "2.8.7");
	free(v);
	/* Not at the start of a line: not the assignment; nothing else: version unknown. */
	sysroot_put("usr/sbin/dkms", "#!/bin/bash\necho dkms_version=9.9\n", 0755);
	assert_int_equal(dkms_detect(sysroot, &present, &v, NULL), 0);
	assert_true(present);
	assert_null(v);
	{
		char p[PATH_MAX * 2];

		unlink(sysroot_path("usr/sbin/dkms", p));
	}
	assert_int_equal(dkms_detect(sysroot, &present, &v, NULL), 0);
	assert_false(present);
	assert_null(v);
}

static void test_secure_boot(void **state)
{
	static const unsigned char on[] = { 6, 0, 0, 0, 1 }, off[] = { 6, 0, 0, 0, 0 },
				   odd[] = { 6, 0, 0, 0, 7 }, shortv[] = { 6, 0, 0 };

	assert_int_equal(secure_boot_detect(sysroot), SECURE_BOOT_UNKNOWN);
	sysroot_mkdir("sys/class/net");
	assert_int_equal(secure_boot_detect(sysroot), SECURE_BOOT_DISABLED); /* BIOS */
	sysroot_mkdir("sys/firmware/efi/efivars");
	assert_int_equal(secure_boot_detect(sysroot), SECURE_BOOT_DISABLED); /* no variable */
	put_bytes(SB_VAR, on, sizeof(on));
	assert_int_equal(secure_boot_detect(sysroot), SECURE_BOOT_ENABLED);
	put_bytes(SB_VAR, off, sizeof(off));
	assert_int_equal(secure_boot_detect(sysroot), SECURE_BOOT_DISABLED);
	put_bytes(SB_VAR, odd, sizeof(odd));
	assert_int_equal(secure_boot_detect(sysroot), SECURE_BOOT_UNKNOWN);
	put_bytes(SB_VAR, shortv, sizeof(shortv));
	assert_int_equal(secure_boot_detect(sysroot), SECURE_BOOT_UNKNOWN);
	assert_string_equal(secure_boot_to_string(SECURE_BOOT_ENABLED), "enabled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_package_manager_rules, sysroot_new),
		cmocka_unit_test_setup(test_programs, sysroot_new),
		cmocka_unit_test_setup(test_dkms_versions, sysroot_new),
		cmocka_unit_test_setup(test_secure_boot, sysroot_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
