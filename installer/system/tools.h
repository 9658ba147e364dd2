/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a system has for building and installing a driver: its package manager, DKMS, a
 * compiler, its initramfs tool, and the Secure Boot state, all read under a root (programs
 * are looked for as files in the root's /usr/sbin, /usr/bin, /sbin, /bin; nothing is run).
 * Nothing here prints.
 */
#pragma once

#include <stdbool.h>

#include "system/distro.h"

enum package_manager {
	PACKAGE_MANAGER_NONE = 0,
	PACKAGE_MANAGER_APT,
	PACKAGE_MANAGER_DNF,
	PACKAGE_MANAGER_YUM,
	PACKAGE_MANAGER_ZYPPER,
	PACKAGE_MANAGER_PACMAN,
	PACKAGE_MANAGER_TDNF,
};

enum initramfs_tool {
	INITRAMFS_NONE = 0,
	INITRAMFS_UPDATE_INITRAMFS, /* Debian, Ubuntu (initramfs-tools) */
	INITRAMFS_DRACUT,           /* RHEL, Fedora, SUSE, Photon, Amazon Linux */
	INITRAMFS_MKINITCPIO,       /* Arch */
};

enum secure_boot {
	SECURE_BOOT_UNKNOWN = 0,
	SECURE_BOOT_DISABLED,
	SECURE_BOOT_ENABLED,
};

struct tools {
	enum package_manager package_manager;
	bool dkms_present;
	char *dkms_version; /* "3.0.10", or NULL when absent or unknown */
	char *dkms_path;    /* inside the root ("/usr/sbin/dkms"), or NULL */
	bool compiler_present;
	char *compiler_path; /* inside the root ("/usr/bin/gcc"), or NULL */
	enum initramfs_tool initramfs_tool;
	char *initramfs_path; /* inside the root, or NULL */
	enum secure_boot secure_boot;
};

/* All of the above. distro may be NULL. Returns 0 or -errno; *ret untouched on failure. */
int tools_detect(const char *root, const struct distro *distro, struct tools *ret);
void tools_done(struct tools *t);

/*
 * The distribution's package manager: by family and version (debian: apt; rhel: yum before
 * version 8 and on Amazon Linux 2, else dnf; suse: zypper; arch: pacman; photon: tdnf); for an
 * unknown family, the first of those programs found in the root; else PACKAGE_MANAGER_NONE.
 */
enum package_manager package_manager_detect(const char *root, const struct distro *distro);
/* "apt", "dnf", "yum", "zypper", "pacman", "tdnf", or NULL for none */
const char *package_manager_to_string(enum package_manager p);

/* The initramfs tool found in the root: update-initramfs, then dracut, then mkinitcpio. */
enum initramfs_tool initramfs_tool_detect(const char *root, const struct distro *distro,
					  char **ret_path);
/* "update-initramfs", "dracut", "mkinitcpio", or NULL for none */
const char *initramfs_tool_to_string(enum initramfs_tool t);

/*
 * Secure Boot from the root's /sys/firmware/efi/efivars/SecureBoot-<guid>: enabled when its
 * value byte is 1, disabled when 0, when the system booted without EFI (the root has a
 * /sys/class but no /sys/firmware/efi), or when EFI has no SecureBoot variable; unknown when
 * the root has no sysfs at all (an image) or the variable cannot be read.
 */
enum secure_boot secure_boot_detect(const char *root);
/* "enabled", "disabled", "unknown" */
const char *secure_boot_to_string(enum secure_boot s);

/* DKMS: the dkms program in the root and its version, read from the script itself. */
int dkms_detect(const char *root, bool *ret_present, char **ret_version, char **ret_path);

/* Looks for a program under root in /usr/sbin, /usr/bin, /sbin, /bin (an executable regular
 * file after symlinks); returns its path inside the root in *ret_path (may be NULL). */
bool tools_find_program(const char *root, const char *name, char **ret_path);
