// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * prepare's staging on fake roots, per distribution family: the initramfs configuration
 * (initramfs-tools, dracut, none for mkinitcpio), the driver sources, the boot guard (unit,
 * drop-in, guard.conf, the program copied only when the root has none), all through a
 * transaction that a rollback undoes byte for byte; guard.conf's format; the unit file the
 * program writes equals installer/systemd/vnic-guard.service.
 */
#include "unit.h"

#include <limits.h>

#include "lib/path.h"
#include "lib/strv.h"
#include "txn/txn.h"
#include "verbs/prepare.h"

static char root[PATH_MAX];

static void make_root(void)
{
	char cwd[PATH_MAX - 16];

	assert_int_equal(system("rm -rf root && mkdir -p root/etc/initramfs-tools root/usr/sbin "
				"root/usr/local/sbin root/var/lib"), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(root, sizeof(root), "%s/root", cwd);
}

static char *rfile(const char *path)
{
	_cleanup_free_ char *p = path_join(root, path);
	char *s = NULL;

	assert_non_null(p);
	if (read_full_file(p, 64 << 20, &s, NULL) < 0)
		return NULL;
	return s;
}

static bool rexists(const char *path)
{
	_cleanup_free_ char *p = path_join(root, path);

	return access(p, F_OK) == 0;
}

static void test_initramfs_tools(void **state)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *again = NULL;
	struct txn *t = NULL;

	make_root();
	unit_write("root/etc/initramfs-tools/modules", "# list of modules\nvirtio_blk");
	assert_int_equal(txn_begin(root, "prepare", &t), 0);
	assert_int_equal(prepare_stage_initramfs_config(t, root, INITRAMFS_UPDATE_INITRAMFS, &path), 0);
	assert_string_equal(path, "/etc/initramfs-tools/modules");
	text = rfile("/etc/initramfs-tools/modules");
	assert_string_equal(text, "# list of modules\nvirtio_blk\nvmxnet3\n");
	/* Already listed: nothing written. */
	free(path);
	path = (char *)1;
	assert_int_equal(prepare_stage_initramfs_config(t, root, INITRAMFS_UPDATE_INITRAMFS, &path), 0);
	assert_null(path);
	again = rfile("/etc/initramfs-tools/modules");
	assert_string_equal(again, text);
	/* A rollback restores the original byte for byte. */
	assert_int_equal(txn_rollback(t), 0);
	txn_free(t);
	free(text);
	text = rfile("/etc/initramfs-tools/modules");
	assert_string_equal(text, "# list of modules\nvirtio_blk");
}

static void test_dracut_and_others(void **state)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct txn *t = NULL;

	make_root();
	assert_int_equal(txn_begin(root, "prepare", &t), 0);
	assert_int_equal(prepare_stage_initramfs_config(t, root, INITRAMFS_DRACUT, &path), 0);
	assert_string_equal(path, "/etc/dracut.conf.d/50-vnic-vmxnet3.conf");
	text = rfile(path);
	assert_non_null(strstr(text, "add_drivers+=\" vmxnet3 \""));
	free(path);
	free(text);
	assert_int_equal(prepare_stage_initramfs_config(t, root, INITRAMFS_MKINITCPIO, &path), 0);
	assert_string_equal(path, "/etc/mkinitcpio.conf.d/50-vnic-vmxnet3.conf");
	text = rfile(path);
	assert_non_null(strstr(text, "MODULES+=(vmxnet3)"));
	assert_int_equal(prepare_stage_initramfs_config(t, root, INITRAMFS_NONE, NULL), -EOPNOTSUPP);
	assert_int_equal(txn_rollback(t), 0);
	txn_free(t);
	assert_false(rexists("/etc/dracut.conf.d/50-vnic-vmxnet3.conf"));
	assert_false(rexists("/etc/mkinitcpio.conf.d/50-vnic-vmxnet3.conf"));
}

static void test_sources(void **state)
{
	_cleanup_free_ char *conf = NULL, *c = NULL;
	char src[PATH_MAX];
	struct txn *t = NULL;

	make_root();
	assert_int_equal(system("mkdir -p src && echo 'int x;' > src/main.c && "
				"echo 'obj-m += vmxnet3.o' > src/Kbuild && echo junk > src/notes.txt"),
			 0);
	unit_write("dkms.conf.in", "PACKAGE_NAME=\"vmxnet3\"\nPACKAGE_VERSION=\"#MODULE_VERSION#\"\n");
	assert_non_null(realpath("src", src));
	assert_int_equal(txn_begin(root, "prepare", &t), 0);
	assert_int_equal(prepare_stage_sources(t, src, "dkms.conf.in", "2.0.0"), 0);
	c = rfile("/usr/src/vmxnet3-2.0.0/main.c");
	assert_string_equal(c, "int x;\n");
	assert_true(rexists("/usr/src/vmxnet3-2.0.0/Kbuild"));
	assert_false(rexists("/usr/src/vmxnet3-2.0.0/notes.txt"));
	conf = rfile("/usr/src/vmxnet3-2.0.0/dkms.conf");
	assert_non_null(strstr(conf, "PACKAGE_VERSION=\"2.0.0\""));
	assert_int_equal(txn_rollback(t), 0);
	txn_free(t);
	assert_false(rexists("/usr/src/vmxnet3-2.0.0/main.c"));
}

static void test_guard(void **state)
{
	struct guard_config g = { .link_timeout = 90, .confirm_timeout = 0, .check = "gateway",
				  .from = "ens192" };
	_cleanup_free_ char *unit = NULL, *conf = NULL, *wants = NULL, *bin = NULL;
	struct txn *t = NULL;

	make_root();
	unit_write("fake-exe", "\177ELF not really");
	assert_int_equal(txn_begin(root, "prepare", &t), 0);
	assert_int_equal(prepare_stage_guard(t, root, &g, "fake-exe"), 0);
	unit = rfile(GUARD_UNIT_PATH);
	assert_string_equal(unit, guard_unit_text);
	wants = rfile(GUARD_WANTS_PATH);
	assert_non_null(strstr(wants, "Wants=vnic-guard.service"));
	conf = rfile(GUARD_CONF_PATH);
	assert_non_null(strstr(conf, "LINK_TIMEOUT=90\n"));
	assert_non_null(strstr(conf, "FROM=ens192\n"));
	bin = rfile(GUARD_BINARY_PATH);
	assert_string_equal(bin, "\177ELF not really");
	assert_int_equal(txn_rollback(t), 0);
	txn_free(t);
	assert_false(rexists(GUARD_UNIT_PATH));
	assert_false(rexists(GUARD_WANTS_PATH));
	assert_false(rexists(GUARD_BINARY_PATH));

	/* The root has its own vnic-install (the package): no copy. */
	unit_write("root/usr/sbin/vnic-install", "#!/bin/sh\n");
	assert_int_equal(chmod("root/usr/sbin/vnic-install", 0755), 0);
	assert_int_equal(txn_begin(root, "prepare", &t), 0);
	assert_int_equal(prepare_stage_guard(t, root, &g, "fake-exe"), 0);
	assert_false(rexists(GUARD_BINARY_PATH));
	assert_int_equal(txn_rollback(t), 0);
	txn_free(t);
}

static void test_guard_config(void **state)
{
	struct guard_config in = { .link_timeout = 45, .confirm_timeout = 600, .check = "address",
				   .from = "ens33" }, out = {};
	_cleanup_free_ char *text = guard_config_format(&in), *buf = NULL;
	char *buf2 = NULL;
	unsigned line = 0;

	assert_int_equal(guard_config_parse(text, &out, &buf, &line), 0);
	assert_int_equal(out.link_timeout, 45);
	assert_int_equal(out.confirm_timeout, 600);
	assert_string_equal(out.check, "address");
	assert_string_equal(out.from, "ens33");
	assert_int_equal(guard_config_parse("# c\nLINK_TIMEOUT=10\nCHECK=ping\n", &out, &buf2, &line),
			 -EBADMSG);
	assert_int_equal(line, 3);
	assert_int_equal(guard_config_parse("LINK_TIMEOUT=0\n", &out, &buf2, &line), -EBADMSG);
	assert_int_equal(guard_config_parse("garbage\n", &out, &buf2, &line), -EBADMSG);
	/* Unknown keys (a newer prepare) are ignored; missing ones keep the defaults. */
	assert_int_equal(guard_config_parse("NEW_KEY=1\n", &out, &buf2, &line), 0);
	assert_int_equal(out.link_timeout, 120);
	assert_string_equal(out.check, "gateway");
	free(buf2);
}

static void test_unit_file_in_step(void **state)
{
	_cleanup_free_ char *text = unit_source_file("installer/systemd/vnic-guard.service");

	if (!text)
		skip();
	assert_string_equal(text, guard_unit_text);
}

static void test_missing_libraries(void **state)
{
	_cleanup_strv_free_ char **missing = NULL;

	make_root();
	assert_int_equal(system("mkdir -p root/usr/lib/x86_64-linux-gnu && "
				"touch root/usr/lib/x86_64-linux-gnu/libkmod.so.2 "
				"root/usr/lib/x86_64-linux-gnu/libblkid.so.1"), 0);
	assert_int_equal(guard_missing_libraries(root, &missing), 0);
	assert_int_equal(strv_length(missing), 2);
	assert_string_equal(missing[0], "libmnl.so.0");
	assert_string_equal(missing[1], "libyaml-0.so.2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initramfs_tools), cmocka_unit_test(test_dracut_and_others),
		cmocka_unit_test(test_sources),         cmocka_unit_test(test_guard),
		cmocka_unit_test(test_guard_config),    cmocka_unit_test(test_unit_file_in_step),
		cmocka_unit_test(test_missing_libraries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
