// SPDX-License-Identifier: GPL-2.0-or-later
/* DKMS: status parsing, exit-code mapping (texts as DKMS 3.0.10 prints them), argv, staging. */
#include "unit.h"

#include "lib/path.h"
#include "lib/strv.h"
#include "system/dkms.h"

static void test_status_dkms3(void **state)
{
	const char *text = "vmxnet3/2.0.0, 6.1.0-26-amd64, x86_64: installed\n"
			   "vmxnet3/2.0.0, 6.1.0-28-amd64, x86_64: built\n"
			   "zfs/2.1.11, 6.1.0-26-amd64, x86_64: installed\n"
			   "vmxnet3/1.9.0: added\n"
			   "vmxnet3/2.0.0, 6.12.0-1-amd64, x86_64: installed (WARNING! Diff between built and installed module!)\n"
			   "Error! Could not locate dkms.conf file.\n";
	_cleanup_(dkms_status_done) struct dkms_status s = {};

	assert_int_equal(dkms_status_parse(text, "vmxnet3", &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.entries[0].version, "2.0.0");
	assert_string_equal(s.entries[0].kver, "6.1.0-26-amd64");
	assert_string_equal(s.entries[0].arch, "x86_64");
	assert_int_equal(dkms_status_get(&s, "2.0.0", "6.1.0-26-amd64"), DKMS_STATE_INSTALLED);
	assert_int_equal(dkms_status_get(&s, "2.0.0", "6.1.0-28-amd64"), DKMS_STATE_BUILT);
	assert_int_equal(dkms_status_get(&s, "2.0.0", "6.12.0-1-amd64"), DKMS_STATE_INSTALLED);
	/* known version, other kernel: added; unknown version: none */
	assert_int_equal(dkms_status_get(&s, "2.0.0", "5.10.0-1-amd64"), DKMS_STATE_ADDED);
	assert_int_equal(dkms_status_get(&s, "1.9.0", "6.1.0-26-amd64"), DKMS_STATE_ADDED);
	assert_int_equal(dkms_status_get(&s, "3.0.0", "6.1.0-26-amd64"), DKMS_STATE_NONE);
	assert_null(s.entries[2].kver);
	assert_string_equal(s.entries[3].kver, "6.12.0-1-amd64");
}

static void test_status_dkms2_and_junk(void **state)
{
	const char *text = "vmxnet3, 2.0.0, 5.10.0-28-amd64, x86_64: installed\n"
			   "vmxnet3-extra/2.0.0, 5.10.0-28-amd64, x86_64: installed\n"
			   "vmxnet3/, 1, x: installed\n"
			   "vmxnet3/2.0.0: weird\n"
			   "vmxnet3/2.0.0, 5.10.0-28-amd64: built";
	_cleanup_(dkms_status_done) struct dkms_status s = {};
	_cleanup_(dkms_status_done) struct dkms_status empty = {};

	assert_int_equal(dkms_status_parse(text, "vmxnet3", &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(dkms_status_get(&s, "2.0.0", "5.10.0-28-amd64"), DKMS_STATE_INSTALLED);
	assert_string_equal(s.entries[1].kver, "5.10.0-28-amd64");
	assert_null(s.entries[1].arch);
	assert_int_equal(dkms_status_parse("", "vmxnet3", &empty), 0);
	assert_int_equal(empty.n, 0);
}

static void test_outcomes(void **state)
{
	assert_int_equal(dkms_outcome_of("build", 0, ""), DKMS_OK);
	assert_int_equal(dkms_outcome_of("add", 3,
		"Error! DKMS tree already contains: vmxnet3-2.0.0\n"), DKMS_ALREADY_DONE);
	assert_int_equal(dkms_outcome_of("build", 77,
		"Error! The /var/lib/dkms/vmxnet3/2.0.0/4.19.0-1-amd64/x86_64/dkms.conf for module "
		"vmxnet3 includes a BUILD_EXCLUSIVE directive which does not match this "
		"kernel/arch/config.\n"), DKMS_BUILD_EXCLUSIVE);
	assert_int_equal(dkms_outcome_of("build", 1,
		"Error! Your kernel headers for kernel 6.1.0-99-amd64 cannot be found at "
		"/lib/modules/6.1.0-99-amd64/build or /lib/modules/6.1.0-99-amd64/source.\n"),
		DKMS_HEADERS_MISSING);
	assert_int_equal(dkms_outcome_of("build", 21, ""), DKMS_HEADERS_MISSING);
	assert_int_equal(dkms_outcome_of("build", 10,
		"Error! Bad return status for module build on kernel: 6.1.0-56-amd64 (x86_64)\n"
		"Consult /var/lib/dkms/vmxnet3/2.0.0/build/make.log for more information.\n"),
		DKMS_BUILD_FAILED);
	assert_int_equal(dkms_outcome_of("install", 6,
		"Module version 1.7.0.0-k for vmxnet3.ko\nexactly matches what is already found in "
		"kernel 6.1.0-26-amd64.\nDKMS will not replace this module.\n"), DKMS_VERSION_REFUSED);
	assert_int_equal(dkms_outcome_of("install", 0,
		"Module vmxnet3/2.0.0 already installed on kernel 6.1.0-56-amd64 (x86_64), skip."),
		DKMS_OK);
	assert_int_equal(dkms_outcome_of("install", 5, "already installed"), DKMS_ALREADY_DONE);
	assert_int_equal(dkms_outcome_of("add", 8, "Error! Bad conf file."), DKMS_BAD_CONF);
	assert_int_equal(dkms_outcome_of("remove", 1, "something else"), DKMS_FAILED);
	/* "already" only counts for the actions where it means done. */
	assert_int_equal(dkms_outcome_of("build", 3, "already contains"), DKMS_FAILED);
	assert_true(dkms_outcome_ok(DKMS_ALREADY_DONE));
	assert_false(dkms_outcome_ok(DKMS_BUILD_EXCLUSIVE));
	assert_non_null(strstr(dkms_outcome_to_string(DKMS_HEADERS_MISSING), "headers"));
}

static void test_log_from_output(void **state)
{
	_cleanup_free_ char *log = NULL;
	char *none = NULL;

	assert_int_equal(dkms_log_from_output(
		"Error! Bad return status for module build on kernel: 6.1.0-56-amd64 (x86_64)\n"
		"Consult /var/lib/dkms/vmxnet3/2.0.0/build/make.log for more information.\n", &log), 0);
	assert_string_equal(log, "/var/lib/dkms/vmxnet3/2.0.0/build/make.log");
	assert_int_equal(dkms_log_from_output("Consult the manual.", &none), -ENOENT);
	assert_int_equal(dkms_log_from_output(NULL, &none), -ENOENT);
	assert_null(none);
}

static void assert_argv(char **got, const char *want)
{
	_cleanup_free_ char *j = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&j, &len);

	for (char **a = got; a && *a; a++)
		fprintf(f, "%s%s", a == got ? "" : " ", *a);
	fclose(f);
	assert_string_equal(j, want);
}

static void test_argv(void **state)
{
	_cleanup_strv_free_ char **a = NULL, **b = NULL, **c = NULL;

	assert_int_equal(dkms_argv("build", "2.0.0", "6.1.0-26-amd64", 2, &a), 0);
	assert_argv(a, "dkms build vmxnet3/2.0.0 -k 6.1.0-26-amd64 -j 2");
	assert_int_equal(dkms_argv("remove", "2.0.0", NULL, 0, &b), 0);
	assert_argv(b, "dkms remove vmxnet3/2.0.0 --all");
	assert_int_equal(dkms_argv("add", "2.0.0", NULL, 0, &c), 0);
	assert_argv(c, "dkms add vmxnet3/2.0.0");
	assert_int_equal(dkms_argv("add", "", NULL, 0, &c), -EINVAL);
}

static void test_conf_render(void **state)
{
	_cleanup_free_ char *out = NULL, *again = NULL;
	char *none = NULL;
	const char *tpl = "PACKAGE_NAME=\"vmxnet3\"\nPACKAGE_VERSION=\"#MODULE_VERSION#\"\n"
			  "MAKE[0]=\"make VNX_VERSION=#MODULE_VERSION#\"\n";

	assert_int_equal(dkms_conf_render(tpl, "2.0.0", &out), 0);
	assert_string_equal(out, "PACKAGE_NAME=\"vmxnet3\"\nPACKAGE_VERSION=\"2.0.0\"\n"
				 "MAKE[0]=\"make VNX_VERSION=2.0.0\"\n");
	/* An installed, already rendered file passes when it carries the version. */
	assert_int_equal(dkms_conf_render(out, "2.0.0", &again), 0);
	assert_int_equal(dkms_conf_render(out, "2.1.0", &none), -EBADMSG);
	assert_int_equal(dkms_conf_render("MAKE=x\n", "2.0.0", &none), -EBADMSG);
	assert_int_equal(dkms_conf_render(tpl, "2.0.0\"; rm -rf /", &none), -EINVAL);
	assert_null(none);
}

static void test_source_files_and_find(void **state)
{
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_free_ char *dir = NULL, *conf = NULL;

	assert_int_equal(mkdir_parents("tree/driver/sub", 0755), 0);
	unit_write("tree/driver/main.c", "");
	unit_write("tree/driver/drv.h", "");
	unit_write("tree/driver/.hidden.c", "");
	unit_write("tree/driver/main.o", "");
	unit_write("tree/driver/notes.txt", "");
	/* no Kbuild/Makefile yet: not a driver directory */
	assert_int_equal(dkms_source_files("tree/driver", &files), -ENOENT);
	unit_write("tree/driver/Kbuild", "obj-m := vmxnet3.o\n");
	assert_int_equal(symlink("/etc/passwd", "tree/driver/link.c"), 0);
	assert_int_equal(dkms_source_files("tree/driver", &files), 0);
	assert_argv(files, "Kbuild drv.h main.c");
	/* --source pointing at a source tree: driver/ inside it, dkms.conf at its top */
	assert_int_equal(dkms_find_sources("tree", &dir, &conf), -ENOENT);
	unit_write("tree/dkms.conf", "PACKAGE_NAME=\"vmxnet3\"\n");
	unit_write("tree/Makefile", "all:\n"); /* the tree's own Makefile does not make it a driver */
	assert_int_equal(dkms_find_sources("tree", &dir, &conf), 0);
	assert_string_equal(dir, "tree/driver");
	assert_string_equal(conf, "tree/dkms.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_dkms3),
		cmocka_unit_test(test_status_dkms2_and_junk),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_log_from_output),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_conf_render),
		cmocka_unit_test(test_source_files_and_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
