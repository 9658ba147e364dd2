// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prerequisite planning on small fake roots, one per distribution family: what is missing, the
 * family's package names, and the command that installs them.
 */
#include "unit.h"

#include "lib/path.h"
#include "lib/strv.h"
#include "system/prereq.h"

/* Creates root/<path> with content (and parents); mode 0755 for programs. */
static void put(const char *root, const char *path, mode_t mode)
{
	_cleanup_free_ char *p = path_join(root, path);
	_cleanup_free_ char *dir = strdup(p);

	assert_non_null(p);
	*strrchr(dir, '/') = 0;
	assert_int_equal(mkdir_parents(dir, 0755), 0);
	unit_write(p, "#!/bin/sh\n");
	assert_int_equal(chmod(p, mode), 0);
}

/* A root with the given programs in /usr/bin and headers for the given kernels. */
static void mkroot(const char *root, const char *const *programs, const char *const *headers)
{
	assert_int_equal(mkdir_parents(root, 0755), 0);
	for (; programs && *programs; programs++) {
		_cleanup_free_ char *p = NULL;

		assert_true(asprintf(&p, "/usr/bin/%s", *programs) > 0);
		put(root, p, 0755);
	}
	for (; headers && *headers; headers++) {
		_cleanup_free_ char *p = NULL;

		assert_true(asprintf(&p, "/lib/modules/%s/build/Makefile", *headers) > 0);
		put(root, p, 0644);
	}
}

/* Compares a vector with the expected words, printing both when they differ. */
static void assert_strv(char *const *got, const char *const *want)
{
	size_t i = 0;

	for (; want[i] && got && got[i]; i++)
		if (strcmp(got[i], want[i]) != 0)
			break;
	if (want[i] || (got && got[i])) {
		_cleanup_free_ char *g = prereq_command_line(got), *w = prereq_command_line((char *const *)want);

		fail_msg("expected [%s], got [%s]", w, g ? g : "(null)");
	}
}

struct plan_case {
	const char *name, *id, *id_like;
	const char *const *programs;
	const char *const *kernels, *const *with_headers;
	enum prereq_family family;
	enum package_manager manager;
	const char *const *missing, *const *packages, *const *argv;
};

static void run_case(const struct plan_case *c)
{
	_cleanup_(prereq_state_done) struct prereq_state s = {};
	_cleanup_(prereq_plan_done) struct prereq_plan p = {};
	_cleanup_strv_free_ char **like = NULL;
	struct distro d = { .id = (char *)c->id };
	enum prereq_family f;
	enum package_manager m;

	mkroot(c->name, c->programs, c->with_headers);
	f = prereq_family_from_ids(c->id, c->id_like);
	assert_string_equal(prereq_family_to_string(f), prereq_family_to_string(c->family));
	/* The package manager is the one detect finds (tools.c), as the driver verb uses it. */
	assert_int_equal(strv_split(c->id_like ? c->id_like : "", " ", &like), 0);
	d.id_like = like;
	d.family = distro_family_from_ids(c->id, like);
	m = prereq_usable_manager(c->name, package_manager_detect(c->name, &d));
	assert_int_equal(m, c->manager);
	assert_int_equal(prereq_probe(c->name, (char *const *)c->kernels, &s), 0);
	assert_int_equal(prereq_plan(f, m, &s, &p), 0);
	assert_strv(p.missing, c->missing);
	assert_strv(p.packages, c->packages);
	if (c->argv)
		assert_strv(p.install_argv, c->argv);
	else
		assert_null(p.install_argv);
}

#define V(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static void test_debian_missing_headers_and_dkms(void **state)
{
	run_case(&(struct plan_case){
		.name = "debian", .id = "debian",
		.programs = V("apt-get", "gcc", "make"),
		.kernels = V("6.1.0-26-amd64", "6.1.0-28-amd64"), .with_headers = V("6.1.0-28-amd64"),
		.family = PREREQ_FAMILY_DEBIAN, .manager = PACKAGE_MANAGER_APT,
		.missing = V("dkms", "headers for 6.1.0-26-amd64"),
		.packages = V("dkms", "linux-headers-6.1.0-26-amd64"),
		.argv = V("apt-get", "install", "-y", "--no-install-recommends", "dkms",
			  "linux-headers-6.1.0-26-amd64"),
	});
}

static void test_ubuntu_everything_there(void **state)
{
	run_case(&(struct plan_case){
		.name = "ubuntu", .id = "ubuntu", .id_like = "debian",
		.programs = V("apt-get", "gcc", "make", "dkms"),
		.kernels = V("5.15.0-91-generic"), .with_headers = V("5.15.0-91-generic"),
		.family = PREREQ_FAMILY_DEBIAN, .manager = PACKAGE_MANAGER_APT,
		.missing = NONE, .packages = NONE, .argv = NULL,
	});
}

static void test_rocky_dnf_all_missing(void **state)
{
	_cleanup_(prereq_state_done) struct prereq_state s = {};
	_cleanup_(prereq_plan_done) struct prereq_plan p = {};

	run_case(&(struct plan_case){
		.name = "rocky", .id = "rocky", .id_like = "rhel centos fedora",
		.programs = V("dnf", "yum"),
		.kernels = V("5.14.0-362.8.1.el9_3.x86_64"), .with_headers = NONE,
		.family = PREREQ_FAMILY_RHEL, .manager = PACKAGE_MANAGER_DNF,
		.missing = V("dkms", "a C compiler (gcc)", "make", "headers for 5.14.0-362.8.1.el9_3.x86_64"),
		.packages = V("dkms", "gcc", "make", "kernel-devel-5.14.0-362.8.1.el9_3.x86_64"),
		.argv = V("dnf", "install", "-y", "dkms", "gcc", "make",
			  "kernel-devel-5.14.0-362.8.1.el9_3.x86_64"),
	});
	/* dkms on RHEL rebuilds comes from EPEL: the plan says so. */
	assert_int_equal(prereq_probe("rocky", NULL, &s), 0);
	assert_int_equal(prereq_plan(PREREQ_FAMILY_RHEL, PACKAGE_MANAGER_DNF, &s, &p), 0);
	assert_non_null(p.note);
	assert_non_null(strstr(p.note, "EPEL"));
}

static void test_alma_and_rhel_ids(void **state)
{
	assert_int_equal(prereq_family_from_ids("almalinux", "rhel centos fedora"), PREREQ_FAMILY_RHEL);
	assert_int_equal(prereq_family_from_ids("rhel", "fedora"), PREREQ_FAMILY_RHEL);
	/* An unknown rebuild is judged by ID_LIKE, and "fedora" after "rhel" does not win. */
	assert_int_equal(prereq_family_from_ids("navy", "fedora rhel"), PREREQ_FAMILY_RHEL);
	assert_int_equal(prereq_family_from_ids("linuxmint", "ubuntu debian"), PREREQ_FAMILY_DEBIAN);
	assert_int_equal(prereq_family_from_ids("opensuse-leap", "suse opensuse"), PREREQ_FAMILY_SUSE);
	assert_int_equal(prereq_family_from_ids("gentoo", NULL), PREREQ_FAMILY_UNKNOWN);
	assert_int_equal(prereq_family_from_ids(NULL, NULL), PREREQ_FAMILY_UNKNOWN);
}

static void test_oracle_uek_and_rhck(void **state)
{
	run_case(&(struct plan_case){
		.name = "ol8", .id = "ol", .id_like = "fedora",
		.programs = V("dnf", "gcc", "make", "dkms"),
		.kernels = V("5.15.0-200.131.27.el8uek.x86_64", "4.18.0-513.9.1.el8_9.x86_64"),
		.with_headers = NONE,
		.family = PREREQ_FAMILY_RHEL, .manager = PACKAGE_MANAGER_DNF,
		.missing = V("headers for 5.15.0-200.131.27.el8uek.x86_64",
			     "headers for 4.18.0-513.9.1.el8_9.x86_64"),
		.packages = V("kernel-uek-devel-5.15.0-200.131.27.el8uek.x86_64",
			      "kernel-devel-4.18.0-513.9.1.el8_9.x86_64"),
		.argv = V("dnf", "install", "-y", "kernel-uek-devel-5.15.0-200.131.27.el8uek.x86_64",
			  "kernel-devel-4.18.0-513.9.1.el8_9.x86_64"),
	});
}

static void test_centos7_yum(void **state)
{
	run_case(&(struct plan_case){
		.name = "centos7", .id = "centos", .id_like = "rhel fedora",
		.programs = V("yum", "gcc", "make", "dkms"),
		.kernels = V("3.10.0-1160.el7.x86_64"), .with_headers = NONE,
		.family = PREREQ_FAMILY_RHEL, .manager = PACKAGE_MANAGER_YUM,
		.missing = V("headers for 3.10.0-1160.el7.x86_64"),
		.packages = V("kernel-devel-3.10.0-1160.el7.x86_64"),
		.argv = V("yum", "install", "-y", "kernel-devel-3.10.0-1160.el7.x86_64"),
	});
}

static void test_fedora(void **state)
{
	run_case(&(struct plan_case){
		.name = "fedora", .id = "fedora",
		.programs = V("dnf", "make"),
		.kernels = V("6.5.6-300.fc39.x86_64"), .with_headers = V("6.5.6-300.fc39.x86_64"),
		.family = PREREQ_FAMILY_FEDORA, .manager = PACKAGE_MANAGER_DNF,
		.missing = V("dkms", "a C compiler (gcc)"), .packages = V("dkms", "gcc"),
		.argv = V("dnf", "install", "-y", "dkms", "gcc"),
	});
}

static void test_amazon_linux_2_yum(void **state)
{
	run_case(&(struct plan_case){
		.name = "amzn2", .id = "amzn", .id_like = "centos rhel fedora",
		.programs = V("yum", "gcc", "make"),
		.kernels = V("5.10.205-195.804.amzn2.x86_64"), .with_headers = NONE,
		.family = PREREQ_FAMILY_AMAZON, .manager = PACKAGE_MANAGER_YUM,
		.missing = V("dkms", "headers for 5.10.205-195.804.amzn2.x86_64"),
		.packages = V("dkms", "kernel-devel-5.10.205-195.804.amzn2.x86_64"),
		.argv = V("yum", "install", "-y", "dkms", "kernel-devel-5.10.205-195.804.amzn2.x86_64"),
	});
}

static void test_suse_zypper(void **state)
{
	run_case(&(struct plan_case){
		.name = "sles", .id = "sles", .id_like = "suse",
		.programs = V("zypper", "gcc", "make", "dkms"),
		.kernels = V("5.14.21-150500.55.39-default"), .with_headers = NONE,
		.family = PREREQ_FAMILY_SUSE, .manager = PACKAGE_MANAGER_ZYPPER,
		.missing = V("headers for 5.14.21-150500.55.39-default"),
		.packages = V("kernel-default-devel"),
		.argv = V("zypper", "--non-interactive", "install", "kernel-default-devel"),
	});
}

static void test_photon_tdnf(void **state)
{
	run_case(&(struct plan_case){
		.name = "photon", .id = "photon",
		.programs = V("tdnf", "gcc", "make", "dkms"),
		.kernels = V("6.1.10-11.ph5", "6.1.10-11.ph5-esx"), .with_headers = NONE,
		.family = PREREQ_FAMILY_PHOTON, .manager = PACKAGE_MANAGER_TDNF,
		.missing = V("headers for 6.1.10-11.ph5", "headers for 6.1.10-11.ph5-esx"),
		.packages = V("linux-devel", "linux-esx-devel"),
		.argv = V("tdnf", "install", "-y", "linux-devel", "linux-esx-devel"),
	});
}

static void test_arch_pacman(void **state)
{
	run_case(&(struct plan_case){
		.name = "arch", .id = "arch",
		.programs = V("pacman", "gcc", "make", "dkms"),
		.kernels = V("6.6.1-arch1-1", "6.1.62-1-lts"), .with_headers = NONE,
		.family = PREREQ_FAMILY_ARCH, .manager = PACKAGE_MANAGER_PACMAN,
		.missing = V("headers for 6.6.1-arch1-1", "headers for 6.1.62-1-lts"),
		.packages = V("linux-headers", "linux-lts-headers"),
		.argv = V("pacman", "-S", "--needed", "--noconfirm", "linux-headers", "linux-lts-headers"),
	});
}

static void test_no_package_manager_in_root(void **state)
{
	/* A Debian root without apt-get: what is missing is named, but there is no command. */
	run_case(&(struct plan_case){
		.name = "bare", .id = "debian",
		.programs = V("gcc", "make", "dkms"),
		.kernels = V("6.1.0-26-amd64"), .with_headers = NONE,
		.family = PREREQ_FAMILY_DEBIAN, .manager = PACKAGE_MANAGER_NONE,
		.missing = V("headers for 6.1.0-26-amd64"),
		.packages = V("linux-headers-6.1.0-26-amd64"), .argv = NULL,
	});
}

static void test_headers_symlink_stays_in_root(void **state)
{
	_cleanup_(prereq_state_done) struct prereq_state s = {};
	char *k[] = { "6.1.0-26-amd64", NULL };

	/* build -> /usr/src/linux-headers-...: resolved inside the root, where it is missing. */
	mkroot("linked", V("gcc"), NONE);
	assert_int_equal(mkdir_parents("linked/lib/modules/6.1.0-26-amd64", 0755), 0);
	assert_int_equal(symlink("/usr/src/linux-headers-6.1.0-26-amd64",
				 "linked/lib/modules/6.1.0-26-amd64/build"), 0);
	assert_int_equal(prereq_probe("linked", k, &s), 0);
	assert_false(s.kernels[0].has_headers);
	put("linked", "/usr/src/linux-headers-6.1.0-26-amd64/Makefile", 0644);
	prereq_state_done(&s);
	assert_int_equal(prereq_probe("linked", k, &s), 0);
	assert_true(s.kernels[0].has_headers);
	assert_true(s.has_compiler);
	/* A file that is not executable is not a program. */
	put("linked", "/usr/bin/make", 0644);
	prereq_state_done(&s);
	assert_int_equal(prereq_probe("linked", k, &s), 0);
	assert_false(s.has_make);
}

static void test_unknown_family(void **state)
{
	_cleanup_(prereq_plan_done) struct prereq_plan p = {};
	struct prereq_kernel k = { .kver = (char *)"6.1.0", .has_headers = false };
	struct prereq_state s = { .has_dkms = true, .has_compiler = true, .kernels = &k, .n_kernels = 1 };
	char *pkg = NULL;

	assert_int_equal(prereq_plan(PREREQ_FAMILY_UNKNOWN, PACKAGE_MANAGER_NONE, &s, &p), 0);
	assert_strv(p.missing, V("make", "headers for 6.1.0"));
	assert_null(p.packages);
	assert_null(p.install_argv);
	assert_int_equal(prereq_headers_package(PREREQ_FAMILY_UNKNOWN, "6.1.0", &pkg), -EOPNOTSUPP);
	assert_null(pkg);
}

static void test_command_line_quoting(void **state)
{
	_cleanup_free_ char *a = prereq_command_line((char *const *)V("apt-get", "install", "-y", "x"));
	_cleanup_free_ char *b = prereq_command_line((char *const *)V("echo", "it's", "a b", ""));

	assert_string_equal(a, "apt-get install -y x");
	assert_string_equal(b, "echo 'it'\\''s' 'a b' ''");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_missing_headers_and_dkms),
		cmocka_unit_test(test_ubuntu_everything_there),
		cmocka_unit_test(test_rocky_dnf_all_missing),
		cmocka_unit_test(test_alma_and_rhel_ids),
		cmocka_unit_test(test_oracle_uek_and_rhck),
		cmocka_unit_test(test_centos7_yum),
		cmocka_unit_test(test_fedora),
		cmocka_unit_test(test_amazon_linux_2_yum),
		cmocka_unit_test(test_suse_zypper),
		cmocka_unit_test(test_photon_tdnf),
		cmocka_unit_test(test_arch_pacman),
		cmocka_unit_test(test_no_package_manager_in_root),
		cmocka_unit_test(test_headers_symlink_stays_in_root),
		cmocka_unit_test(test_unknown_family),
		cmocka_unit_test(test_command_line_quoting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
