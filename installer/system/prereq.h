/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prerequisites of a DKMS build, per kernel: dkms, a C compiler, make and the kernel's headers.
 * prereq_probe() looks at a root (nothing runs); prereq_plan() turns what is missing into the
 * exact package names of the distribution family and the one command that installs them.
 * Nothing here prints or installs: the verb runs the command (through the transaction).
 */
#pragma once

#include <stdbool.h>

#include "system/tools.h" /* enum package_manager */

enum prereq_family {
	PREREQ_FAMILY_UNKNOWN,
	PREREQ_FAMILY_DEBIAN,  /* Debian, Ubuntu and derivatives: apt-get */
	PREREQ_FAMILY_RHEL,    /* RHEL, Rocky, Alma, Oracle Linux, CentOS: dnf or yum; dkms from EPEL */
	PREREQ_FAMILY_FEDORA,  /* Fedora: dnf; dkms in the distribution */
	PREREQ_FAMILY_AMAZON,  /* Amazon Linux 2 (yum) and 2023 (dnf) */
	PREREQ_FAMILY_SUSE,    /* SLES, openSUSE: zypper */
	PREREQ_FAMILY_PHOTON,  /* VMware Photon OS: tdnf */
	PREREQ_FAMILY_ARCH,    /* Arch Linux: pacman */
};

/*
 * The family of an os-release's ID and ID_LIKE (either may be NULL): ID first, then each word
 * of ID_LIKE. Returns PREREQ_FAMILY_UNKNOWN when nothing matches.
 */
enum prereq_family prereq_family_from_ids(const char *id, const char *id_like);
const char *prereq_family_to_string(enum prereq_family f);

/*
 * detected (tools_detect()'s package manager, which goes by the distribution) when its program
 * is in root, else PACKAGE_MANAGER_NONE: no install command is offered that cannot run there.
 */
enum package_manager prereq_usable_manager(const char *root, enum package_manager detected);

/*
 * The package that carries the headers of kernel kver on family f, in *ret (to be freed):
 * linux-headers-<kver> (Debian), kernel-devel-<kver> or kernel-uek-devel-<kver> for Oracle's
 * UEK kernels (RHEL, Fedora, Amazon), kernel-<flavor>-devel (SUSE: the flavor is the release's
 * last field, "default" mostly), linux-devel or linux-<flavor>-devel (Photon), linux-headers or
 * linux-<flavor>-headers (Arch: lts, zen, hardened). -EOPNOTSUPP for an unknown family.
 */
int prereq_headers_package(enum prereq_family f, const char *kver, char **ret);

struct prereq_kernel {
	char *kver;
	bool has_headers; /* /lib/modules/<kver>/build/Makefile exists in the root */
};

struct prereq_state {
	bool has_dkms, has_compiler, has_make;
	struct prereq_kernel *kernels;
	unsigned n_kernels;
};

/* Looks inside root for dkms, gcc (or cc), make and each kernel's headers. */
int prereq_probe(const char *root, char *const *kernels, struct prereq_state *ret);
void prereq_state_done(struct prereq_state *s);

struct prereq_plan {
	char **missing;      /* what is missing, for people: "dkms", "headers for 6.1.0-26-amd64" */
	char **packages;     /* the packages that provide it, in the family's names */
	char **install_argv; /* the command that installs them non-interactively; NULL if none */
	const char *note;    /* an extra step the family needs (EPEL for dkms), or NULL */
};

/*
 * What to install. An empty plan (missing == NULL) means everything is there. When the family
 * is unknown the plan lists what is missing but no packages; when the package manager is
 * unknown (PACKAGE_MANAGER_NONE; tools_detect() finds it) it has no install_argv.
 */
int prereq_plan(enum prereq_family f, enum package_manager m, const struct prereq_state *s,
		struct prereq_plan *ret);
void prereq_plan_done(struct prereq_plan *p);
/* The install command as one line for people to copy (words quoted where needed). */
char *prereq_command_line(char *const *argv);

/*
 * The command that installs (remove: removes) packages with manager m, non-interactive:
 * "apt-get install -y --no-install-recommends P...", "dnf remove -y P...". -EOPNOTSUPP for
 * no manager. Returns 0 or -errno.
 */
int package_command(enum package_manager m, bool remove, char *const *packages, char ***ret);
