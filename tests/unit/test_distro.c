// SPDX-License-Identifier: GPL-2.0-or-later
/* os-release parsing, family rules, legacy release files, and reading under a root. */
#include "unit.h"

#include <limits.h>

#include "lib/fileio.h"
#include "lib/strv.h"
#include "system/distro.h"

static char root[PATH_MAX];

static void mkdirs(const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir_parents(p, 0755), 0);
}

static void put(const char *rel, const char *content)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	unit_write(p, content);
}

static void put_link(const char *rel, const char *target)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void rm_file(const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(unlink(p), 0);
}

/* A fresh, empty root for each test. */
static int setup(void **state)
{
	static unsigned n;

	assert_non_null(realpath(".", root));
	snprintf(root + strlen(root), sizeof(root) - strlen(root), "/root%u", n++);
	assert_int_equal(mkdir(root, 0755), 0);
	mkdirs("etc");
	mkdirs("usr/lib");
	return 0;
}

static void parse_ok(const char *text, struct distro *d)
{
	unsigned line = 0;

	memset(d, 0, sizeof(*d));
	assert_int_equal(os_release_parse(text, strlen(text), d, &line), 0);
}

/* size 0: strlen(text) */
static void parse_bad(const char *text, size_t size, unsigned want_line)
{
	struct distro d = {};
	unsigned line = 0;

	if (!size)
		size = strlen(text);
	assert_int_equal(os_release_parse(text, size, &d, &line), -EBADMSG);
	assert_int_equal(line, want_line);
	assert_null(d.id); /* untouched on failure */
}

static void test_parse_quoting(void **state)
{
	struct distro d;

	parse_ok("# comment\n\nNAME='Tern Linux'\nID=tern\nID_LIKE=\"rhel  centos\tfedora\"\n"
		 "VERSION_ID=9.3\nPRETTY_NAME=\"Tern \\\"Heron\\\" \\$HOME \\\\ \\`x\\`\"\n",
		 &d);
	assert_string_equal(d.id, "tern");
	assert_string_equal(d.name, "Tern Linux");
	assert_string_equal(d.version_id, "9.3");
	assert_string_equal(d.pretty_name, "Tern \"Heron\" $HOME \\ `x`");
	assert_int_equal(strv_length(d.id_like), 3);
	assert_string_equal(d.id_like[0], "rhel");
	assert_string_equal(d.id_like[2], "fedora");
	distro_done(&d);

	/* Concatenated words, escapes outside quotes, single quotes keep backslashes,
	 * trailing comments and CRLF line ends. */
	parse_ok("ID=a\"b\"'c'\\ d\r\nPRETTY_NAME='x\\y' # note\nVERSION_ID=\"\"\n", &d);
	assert_string_equal(d.id, "abc d");
	assert_string_equal(d.pretty_name, "x\\y");
	assert_null(d.version_id); /* empty is absent */
	assert_non_null(d.id_like);
	assert_int_equal(strv_length(d.id_like), 0);
	distro_done(&d);

	/* Later assignments win; unknown keys are ignored. */
	parse_ok("ID=one\nFOO_BAR=1\nID=two\n", &d);
	assert_string_equal(d.id, "two");
	distro_done(&d);

	/* As systemd reads them: unquoted blanks kept, nothing expanded, leading and trailing
	 * blanks dropped, a comment only after a blank. */
	parse_ok("NAME= Foo  Linux \t\nID=$(reboot)\nPRETTY_NAME=\"`id` $HOME\"\n"
		 "VERSION_ID=1#2 # three\n",
		 &d);
	assert_string_equal(d.name, "Foo  Linux");
	assert_string_equal(d.id, "$(reboot)");
	assert_string_equal(d.pretty_name, "`id` $HOME");
	assert_string_equal(d.version_id, "1#2");
	distro_done(&d);

	/* A value may span lines inside double quotes. */
	parse_ok("PRETTY_NAME=\"two\nlines\"\nID=x\n", &d);
	assert_string_equal(d.pretty_name, "two\nlines");
	distro_done(&d);
}

static void test_parse_malformed(void **state)
{
	static const char nul[] = "ID=x\nNAME=y\nVER\0SION=1\n";

	struct distro d;

	/* Not one assignment, or NUL bytes: malformed. */
	parse_bad("1ID=x\n", 0, 1);
	parse_bad("garbage\n# and a comment\nmore garbage\n", 0, 1);
	parse_bad(nul, sizeof(nul) - 1, 3);
	parse_bad("ID=x\\", 0, 1);

	/* Lines that are not assignments are skipped, as systemd skips them, and listed. */
	parse_ok("ID=debian\nthis is not an assignment\n", &d);
	assert_string_equal(d.id, "debian");
	assert_int_equal(d.n_skipped, 1);
	assert_int_equal(d.skipped_lines[0], 2);
	distro_done(&d);
	parse_ok("ID=\"unterminated\nVERSION_ID=1\n", &d);
	assert_null(d.id);
	assert_string_equal(d.version_id, "1");
	assert_int_equal(d.n_skipped, 1);
	assert_int_equal(d.skipped_lines[0], 1);
	distro_done(&d);
	parse_ok("ID=x\n\nNAME='open\n", &d);
	assert_string_equal(d.id, "x");
	assert_int_equal(d.n_skipped, 1);
	assert_int_equal(d.skipped_lines[0], 3);
	distro_done(&d);
}

/* Issue 15: CRLF line ends and one garbage line made the whole distribution unknown. */
static void test_parse_crlf_garbage(void **state)
{
	struct distro d;

	parse_ok("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\r\nNAME=\"Debian GNU/Linux\"\r\n"
		 "VERSION_ID=\"12\"\r\n<<<<<<< HEAD\r\nID=debian\r\n=garbage\r\n", &d);
	assert_string_equal(d.id, "debian");
	assert_string_equal(d.version_id, "12");
	assert_string_equal(d.pretty_name, "Debian GNU/Linux 12 (bookworm)");
	assert_int_equal(d.n_skipped, 2);
	assert_int_equal(d.skipped_lines[0], 4);
	assert_int_equal(d.skipped_lines[1], 6);
	distro_done(&d);
}

static void test_family(void **state)
{
	char *mint[] = { "ubuntu", "debian", NULL };
	char *rebuild[] = { "rhel", "centos", "fedora", NULL };
	char *odd[] = { "unheard", "suse", NULL };
	char *none[] = { "nope", NULL };

	assert_int_equal(distro_family_from_ids("ubuntu", NULL), DISTRO_FAMILY_DEBIAN);
	assert_int_equal(distro_family_from_ids("linuxmint", mint), DISTRO_FAMILY_DEBIAN);
	assert_int_equal(distro_family_from_ids("tern", rebuild), DISTRO_FAMILY_RHEL);
	assert_int_equal(distro_family_from_ids("amzn", NULL), DISTRO_FAMILY_RHEL);
	assert_int_equal(distro_family_from_ids("ol", NULL), DISTRO_FAMILY_RHEL);
	assert_int_equal(distro_family_from_ids("opensuse-leap", NULL), DISTRO_FAMILY_SUSE);
	assert_int_equal(distro_family_from_ids("x", odd), DISTRO_FAMILY_SUSE);
	assert_int_equal(distro_family_from_ids("photon", NULL), DISTRO_FAMILY_PHOTON);
	assert_int_equal(distro_family_from_ids("arch", NULL), DISTRO_FAMILY_ARCH);
	assert_int_equal(distro_family_from_ids("zork", none), DISTRO_FAMILY_UNKNOWN);
	assert_int_equal(distro_family_from_ids(NULL, NULL), DISTRO_FAMILY_UNKNOWN);
	/* ID wins over ID_LIKE, even when ID_LIKE comes first in the file. */
	assert_int_equal(distro_family_from_ids("fedora", mint), DISTRO_FAMILY_RHEL);
	assert_string_equal(distro_family_to_string(DISTRO_FAMILY_PHOTON), "photon");
	assert_string_equal(distro_family_to_string(DISTRO_FAMILY_UNKNOWN), "unknown");
}

static void detect(struct distro *d)
{
	char *bad = NULL;
	unsigned line = 0;

	memset(d, 0, sizeof(*d));
	assert_int_equal(distro_detect(root, d, &bad, &line), 0);
	assert_null(bad);
}

static void test_relative_link_and_no_merge(void **state)
{
	struct distro d;

	/* Ubuntu's layout: /etc/os-release -> ../usr/lib/os-release. */
	put("usr/lib/os-release", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n");
	put_link("etc/os-release", "../usr/lib/os-release");
	detect(&d);
	assert_string_equal(d.id, "ubuntu");
	assert_string_equal(d.source, "/etc/os-release");
	assert_int_equal(d.family, DISTRO_FAMILY_DEBIAN);
	assert_int_equal(distro_version_major(&d), 22);
	distro_done(&d);
}

static void test_etc_wins_never_merged(void **state)
{
	struct distro d;

	put("etc/os-release", "ID=first\n");
	put("usr/lib/os-release", "ID=second\nVERSION_ID=7\nPRETTY_NAME=Second\n");
	detect(&d);
	assert_string_equal(d.id, "first");
	assert_null(d.version_id); /* not taken from the other file */
	assert_null(d.pretty_name);
	assert_string_equal(d.source, "/etc/os-release");
	distro_done(&d);
}

static void test_usr_lib_fallback_and_absolute_link(void **state)
{
	struct distro d;

	/* An absolute link must resolve inside the root; it is dangling there, so the
	 * /usr/lib file is used (as on a host where /etc's link target is missing). */
	put_link("etc/os-release", "/usr/lib/os-release.missing");
	put("usr/lib/os-release", "ID=arch\n");
	detect(&d);
	assert_string_equal(d.id, "arch");
	assert_string_equal(d.source, "/usr/lib/os-release");
	distro_done(&d);
}

static void test_absolute_link_inside_root(void **state)
{
	struct distro d;

	put("usr/lib/os-release", "ID=tern\nID_LIKE=\"rhel fedora\"\n");
	put_link("etc/os-release", "/usr/lib/os-release");
	detect(&d);
	assert_string_equal(d.id, "tern");
	assert_int_equal(d.family, DISTRO_FAMILY_RHEL);
	distro_done(&d);
}

static void test_no_id_means_linux(void **state)
{
	struct distro d;

	put("etc/os-release", "NAME=Something\n");
	detect(&d);
	assert_string_equal(d.id, "linux");
	assert_int_equal(d.family, DISTRO_FAMILY_UNKNOWN);
	distro_done(&d);
}

static void test_legacy_files(void **state)
{
	struct distro d;

	put("etc/redhat-release", "Red Hat Enterprise Linux Server release 6.10 (Santiago)\n");
	detect(&d);
	assert_string_equal(d.id, "rhel");
	assert_string_equal(d.version_id, "6.10");
	assert_string_equal(d.source, "/etc/redhat-release");
	assert_int_equal(d.family, DISTRO_FAMILY_RHEL);
	distro_done(&d);

	/* centos-release comes before redhat-release. */
	put("etc/centos-release", "CentOS release 6.10 (Final)\n");
	detect(&d);
	assert_string_equal(d.id, "centos");
	assert_string_equal(d.source, "/etc/centos-release");
	distro_done(&d);
}

static void test_legacy_suse_lsb_debian(void **state)
{
	struct distro d;

	put("etc/SuSE-release", "SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\n"
				"PATCHLEVEL = 4\n");
	detect(&d);
	assert_string_equal(d.id, "sles");
	assert_string_equal(d.version_id, "11.4");
	assert_int_equal(d.family, DISTRO_FAMILY_SUSE);
	distro_done(&d);
	rm_file("etc/SuSE-release");

	/* Ubuntu before os-release: lsb-release wins over debian_version. */
	put("etc/debian_version", "jessie/sid\n");
	put("etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\n"
			       "DISTRIB_DESCRIPTION=\"Ubuntu 14.04.6 LTS\"\n");
	detect(&d);
	assert_string_equal(d.id, "ubuntu");
	assert_string_equal(d.version_id, "14.04");
	assert_string_equal(d.pretty_name, "Ubuntu 14.04.6 LTS");
	assert_string_equal(d.source, "/etc/lsb-release");
	assert_int_equal(d.family, DISTRO_FAMILY_DEBIAN);
	distro_done(&d);
}

static void test_debian_version_only(void **state)
{
	struct distro d;

	put("etc/debian_version", "8.11\n");
	detect(&d);
	assert_string_equal(d.id, "debian");
	assert_string_equal(d.version_id, "8.11");
	assert_string_equal(d.pretty_name, "Debian GNU/Linux 8.11");
	distro_done(&d);
}

static void test_unknown_system(void **state)
{
	struct distro d;

	detect(&d);
	assert_null(d.id);
	assert_null(d.source);
	assert_int_equal(d.family, DISTRO_FAMILY_UNKNOWN);
	assert_non_null(d.id_like);
	distro_done(&d);
}

static void test_bad_files_named(void **state)
{
	struct distro d = {};
	char *bad = NULL, *big;
	unsigned line = 0;
	char p[PATH_MAX * 2];

	put("etc/os-release", "ID=x\n\x01\x02garbage\n");
	assert_int_equal(distro_detect(root, &d, &bad, &line), 0);
	assert_string_equal(d.id, "x");
	assert_string_equal(d.source, "/etc/os-release");
	assert_int_equal(d.n_skipped, 1);
	assert_int_equal(d.skipped_lines[0], 2);
	assert_null(bad);
	distro_done(&d);

	put("etc/os-release", "\x01\x02garbage\nmore\n");
	assert_int_equal(distro_detect(root, &d, &bad, &line), -EBADMSG);
	assert_string_equal(bad, "/etc/os-release");
	assert_int_equal(line, 1);
	assert_null(d.id);
	free(bad);
	bad = NULL;

	/* Too big. */
	big = malloc(200000);
	assert_non_null(big);
	memset(big, 'A', 199999);
	big[199999] = 0;
	put("etc/os-release", big);
	free(big);
	assert_int_equal(distro_detect(root, &d, &bad, &line), -EFBIG);
	assert_string_equal(bad, "/etc/os-release");
	free(bad);
	bad = NULL;

	/* A loop. */
	snprintf(p, sizeof(p), "%s/etc/os-release", root);
	unlink(p);
	put_link("etc/os-release", "os-release.2");
	put_link("etc/os-release.2", "/etc/os-release");
	assert_int_equal(distro_detect(root, &d, &bad, &line), -ELOOP);
	assert_string_equal(bad, "/etc/os-release");
	free(bad);
	bad = NULL;

	/* A directory where the file should be. */
	unlink(p);
	mkdirs("etc/os-release");
	assert_int_equal(distro_detect(root, &d, &bad, &line), -EISDIR);
	free(bad);
}

static void test_root_not_a_directory(void **state)
{
	struct distro d = {};
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/plain", root);
	unit_write(p, "x");
	assert_int_equal(distro_detect(p, &d, NULL, NULL), -ENOTDIR);
	snprintf(p, sizeof(p), "%s/missing", root);
	assert_int_equal(distro_detect(p, &d, NULL, NULL), -ENOENT);
}

static void test_version_major(void **state)
{
	struct distro d = {};

	assert_int_equal(distro_version_major(&d), -1);
	d.version_id = "8.9";
	assert_int_equal(distro_version_major(&d), 8);
	d.version_id = "2023";
	assert_int_equal(distro_version_major(&d), 2023);
	d.version_id = "rolling";
	assert_int_equal(distro_version_major(&d), -1);
	d.version_id = "99999999999999999999";
	assert_int_equal(distro_version_major(&d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_quoting),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_crlf_garbage),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_version_major),
		cmocka_unit_test_setup(test_relative_link_and_no_merge, setup),
		cmocka_unit_test_setup(test_etc_wins_never_merged, setup),
		cmocka_unit_test_setup(test_usr_lib_fallback_and_absolute_link, setup),
		cmocka_unit_test_setup(test_absolute_link_inside_root, setup),
		cmocka_unit_test_setup(test_no_id_means_linux, setup),
		cmocka_unit_test_setup(test_legacy_files, setup),
		cmocka_unit_test_setup(test_legacy_suse_lsb_debian, setup),
		cmocka_unit_test_setup(test_debian_version_only, setup),
		cmocka_unit_test_setup(test_unknown_system, setup),
		cmocka_unit_test_setup(test_bad_files_named, setup),
		cmocka_unit_test_setup(test_root_not_a_directory, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
