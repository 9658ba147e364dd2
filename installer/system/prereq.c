// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/exec.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "prereq.h"

static const struct {
	const char *id;
	enum prereq_family family;
} family_ids[] = {
	{ "debian", PREREQ_FAMILY_DEBIAN },  { "ubuntu", PREREQ_FAMILY_DEBIAN },
	{ "rhel", PREREQ_FAMILY_RHEL },      { "centos", PREREQ_FAMILY_RHEL },
	{ "rocky", PREREQ_FAMILY_RHEL },     { "almalinux", PREREQ_FAMILY_RHEL },
	{ "ol", PREREQ_FAMILY_RHEL },        { "fedora", PREREQ_FAMILY_FEDORA },
	{ "amzn", PREREQ_FAMILY_AMAZON },    { "sles", PREREQ_FAMILY_SUSE },
	{ "sled", PREREQ_FAMILY_SUSE },      { "opensuse", PREREQ_FAMILY_SUSE },
	{ "opensuse-leap", PREREQ_FAMILY_SUSE }, { "opensuse-tumbleweed", PREREQ_FAMILY_SUSE },
	{ "suse", PREREQ_FAMILY_SUSE },      { "photon", PREREQ_FAMILY_PHOTON },
	{ "arch", PREREQ_FAMILY_ARCH },
};

static enum prereq_family family_of_id(const char *id)
{
	for (size_t i = 0; i < ELEMENTSOF(family_ids); i++)
		if (streq(family_ids[i].id, id))
			return family_ids[i].family;
	return PREREQ_FAMILY_UNKNOWN;
}

enum prereq_family prereq_family_from_ids(const char *id, const char *id_like)
{
	enum prereq_family f = family_of_id(id);
	_cleanup_strv_free_ char **like = NULL;

	if (f != PREREQ_FAMILY_UNKNOWN || !id_like)
		return f;
	if (strv_split(id_like, " \t", &like) < 0)
		return PREREQ_FAMILY_UNKNOWN;
	for (char **w = like; *w; w++) {
		f = family_of_id(*w);
		/* "centos rhel fedora": a rebuild is RHEL, not Fedora, whatever comes first. */
		if (f == PREREQ_FAMILY_FEDORA && (strv_contains(like, "rhel") || strv_contains(like, "centos")))
			f = PREREQ_FAMILY_RHEL;
		if (f != PREREQ_FAMILY_UNKNOWN)
			return f;
	}
	return PREREQ_FAMILY_UNKNOWN;
}

const char *prereq_family_to_string(enum prereq_family f)
{
	static const char *const names[] = {
		[PREREQ_FAMILY_UNKNOWN] = "unknown", [PREREQ_FAMILY_DEBIAN] = "debian",
		[PREREQ_FAMILY_RHEL] = "rhel",       [PREREQ_FAMILY_FEDORA] = "fedora",
		[PREREQ_FAMILY_AMAZON] = "amazon",   [PREREQ_FAMILY_SUSE] = "suse",
		[PREREQ_FAMILY_PHOTON] = "photon",   [PREREQ_FAMILY_ARCH] = "arch",
	};
	return (unsigned)f < ELEMENTSOF(names) ? names[f] : "unknown";
}

enum package_manager prereq_usable_manager(const char *root, enum package_manager detected)
{
	static const char *const programs[] = {
		[PACKAGE_MANAGER_APT] = "apt-get", [PACKAGE_MANAGER_DNF] = "dnf",
		[PACKAGE_MANAGER_YUM] = "yum",     [PACKAGE_MANAGER_ZYPPER] = "zypper",
		[PACKAGE_MANAGER_PACMAN] = "pacman", [PACKAGE_MANAGER_TDNF] = "tdnf",
	};

	if ((unsigned)detected >= ELEMENTSOF(programs) || !programs[detected])
		return PACKAGE_MANAGER_NONE;
	return exec_find_program(root, programs[detected], NULL) ? detected : PACKAGE_MANAGER_NONE;
}

/* The flavor of a kernel release: what follows its last '-' when that is not a number. */
static const char *kver_flavor(const char *kver)
{
	const char *dash = strrchr(kver, '-');

	if (!dash || !dash[1] || (dash[1] >= '0' && dash[1] <= '9'))
		return NULL;
	return dash + 1;
}

int prereq_headers_package(enum prereq_family f, const char *kver, char **ret)
{
	const char *flavor;
	char *p;
	int n;

	if (!kver || !*kver)
		return -EINVAL;
	switch (f) {
	case PREREQ_FAMILY_DEBIAN:
		n = asprintf(&p, "linux-headers-%s", kver);
		break;
	case PREREQ_FAMILY_RHEL:
	case PREREQ_FAMILY_FEDORA:
	case PREREQ_FAMILY_AMAZON:
		/* kernel-devel-<version>-<release>.<arch> is the rpm's full name: that is kver. */
		n = asprintf(&p, strstr(kver, "uek") ? "kernel-uek-devel-%s" : "kernel-devel-%s", kver);
		break;
	case PREREQ_FAMILY_SUSE:
		flavor = kver_flavor(kver);
		n = asprintf(&p, "kernel-%s-devel", flavor ? flavor : "default");
		break;
	case PREREQ_FAMILY_PHOTON:
		/* 6.1.10-11.ph5 is "linux"; 6.1.10-11.ph5-esx is "linux-esx". */
		flavor = kver_flavor(kver);
		n = flavor ? asprintf(&p, "linux-%s-devel", flavor) : asprintf(&p, "linux-devel");
		break;
	case PREREQ_FAMILY_ARCH:
		/* 6.6.1-arch1-1 is "linux"; 6.1.62-1-lts is "linux-lts"; 6.6.1-zen1-1-zen ... */
		flavor = kver_flavor(kver);
		n = flavor ? asprintf(&p, "linux-%s-headers", flavor) : asprintf(&p, "linux-headers");
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (n < 0)
		return -ENOMEM;
	*ret = p;
	return 0;
}

static bool root_has_file(const char *root, const char *path)
{
	_cleanup_free_ char *resolved = NULL;
	struct stat st;

	if (path_chase(root, path, 0, &resolved) < 0)
		return false;
	return stat(resolved, &st) == 0 && S_ISREG(st.st_mode);
}

void prereq_state_done(struct prereq_state *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n_kernels; i++)
		free(s->kernels[i].kver);
	free(s->kernels);
	s->kernels = NULL;
	s->n_kernels = 0;
}

int prereq_probe(const char *root, char *const *kernels, struct prereq_state *ret)
{
	struct prereq_state s = {};
	size_t n = strv_length(kernels);

	s.has_dkms = exec_find_program(root, "dkms", NULL);
	s.has_compiler = exec_find_program(root, "gcc", NULL) || exec_find_program(root, "cc", NULL);
	s.has_make = exec_find_program(root, "make", NULL);
	if (n > 0) {
		s.kernels = calloc(n, sizeof(*s.kernels));
		if (!s.kernels)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *mk = NULL;

		if (asprintf(&mk, "/lib/modules/%s/build/Makefile", kernels[i]) < 0 ||
		    !(s.kernels[i].kver = strdup(kernels[i]))) {
			prereq_state_done(&s);
			return -ENOMEM;
		}
		s.n_kernels++;
		s.kernels[i].has_headers = root_has_file(root, mk);
	}
	*ret = s;
	return 0;
}

void prereq_plan_done(struct prereq_plan *p)
{
	if (!p)
		return;
	strv_free(p->missing);
	strv_free(p->packages);
	strv_free(p->install_argv);
	*p = (struct prereq_plan){};
}

int package_command(enum package_manager m, bool remove, char *const *packages, char ***ret)
{
	static const struct {
		enum package_manager m;
		const char *const install[5], *const erase[4];
	} heads[] = {
		{ PACKAGE_MANAGER_APT, { "apt-get", "install", "-y", "--no-install-recommends" },
		  { "apt-get", "remove", "-y" } },
		{ PACKAGE_MANAGER_DNF, { "dnf", "install", "-y" }, { "dnf", "remove", "-y" } },
		{ PACKAGE_MANAGER_YUM, { "yum", "install", "-y" }, { "yum", "remove", "-y" } },
		{ PACKAGE_MANAGER_ZYPPER, { "zypper", "--non-interactive", "install" },
		  { "zypper", "--non-interactive", "remove" } },
		{ PACKAGE_MANAGER_TDNF, { "tdnf", "install", "-y" }, { "tdnf", "remove", "-y" } },
		{ PACKAGE_MANAGER_PACMAN, { "pacman", "-S", "--needed", "--noconfirm" },
		  { "pacman", "-R", "--noconfirm" } },
	};
	_cleanup_strv_free_ char **argv = NULL;
	const char *const *head = NULL;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(heads) && !head; i++)
		if (heads[i].m == m)
			head = remove ? heads[i].erase : heads[i].install;
	if (!head)
		return -EOPNOTSUPP;
	for (; *head; head++)
		if ((r = strv_push(&argv, *head)) < 0)
			return r;
	for (char *const *p = packages; p && *p; p++)
		if ((r = strv_push(&argv, *p)) < 0)
			return r;
	*ret = TAKE_PTR(argv);
	return 0;
}

/* Adds what is missing and the package that brings it (no package when it is not known). */
static int plan_add(struct prereq_plan *p, const char *what, const char *package)
{
	int r = strv_push(&p->missing, what);

	if (r < 0 || !package || strv_contains(p->packages, package))
		return r;
	return strv_push(&p->packages, package);
}

int prereq_plan(enum prereq_family f, enum package_manager m, const struct prereq_state *s,
		struct prereq_plan *ret)
{
	_cleanup_(prereq_plan_done) struct prereq_plan p = {};
	bool known = f != PREREQ_FAMILY_UNKNOWN;
	int r = 0;

	if (!s->has_dkms)
		r = plan_add(&p, "dkms", known ? "dkms" : NULL);
	if (r >= 0 && !s->has_compiler)
		r = plan_add(&p, "a C compiler (gcc)", known ? "gcc" : NULL);
	if (r >= 0 && !s->has_make)
		r = plan_add(&p, "make", known ? "make" : NULL);
	for (unsigned i = 0; r >= 0 && i < s->n_kernels; i++) {
		_cleanup_free_ char *what = NULL, *pkg = NULL;

		if (s->kernels[i].has_headers)
			continue;
		if (asprintf(&what, "headers for %s", s->kernels[i].kver) < 0)
			return -ENOMEM;
		if (known && (r = prereq_headers_package(f, s->kernels[i].kver, &pkg)) < 0)
			return r;
		r = plan_add(&p, what, pkg);
	}
	if (r < 0)
		return r;
	if (!p.missing)
		goto done;
	if (!s->has_dkms && f == PREREQ_FAMILY_RHEL)
		p.note = "dkms comes from EPEL: enable it first (Rocky, Alma, CentOS: "
			 "'dnf install epel-release'; Oracle Linux 8/9: 'dnf install "
			 "oracle-epel-release-el8' / '-el9'; RHEL: see "
			 "https://docs.fedoraproject.org/en-US/epel/).";
	if (known && m != PACKAGE_MANAGER_NONE && (r = package_command(m, false, p.packages, &p.install_argv)) < 0)
		return r;
done:
	*ret = p;
	p = (struct prereq_plan){};
	return 0;
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/:=+@%", *s))
			return true;
	return false;
}

char *prereq_command_line(char *const *argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (char *const *a = argv; a && *a; a++) {
		if (a != argv)
			fputc(' ', f);
		if (!needs_quotes(*a)) {
			fputs(*a, f);
			continue;
		}
		fputc('\'', f);
		for (const char *c = *a; *c; c++)
			if (*c == '\'')
				fputs("'\\''", f);
			else
				fputc(*c, f);
		fputc('\'', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
