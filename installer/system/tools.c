// SPDX-License-Identifier: GPL-2.0-or-later
/* Package manager, DKMS, compiler, initramfs tool and Secure Boot, read under a root. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "system/tools.h"

/* The dkms script is ~100 KiB; its version assignment is near the top. */
#define DKMS_SCRIPT_MAX (1u * 1024 * 1024)

#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"

bool tools_find_program(const char *root, const char *name, char **ret_path)
{
	static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *path = path_join(dirs[i], name), *host = NULL;
		struct stat st;

		if (!path)
			return false;
		if (path_chase(root, path, 0, &host) < 0)
			continue;
		if (stat(host, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			continue;
		if (ret_path)
			*ret_path = TAKE_PTR(path);
		return true;
	}
	return false;
}

const char *package_manager_to_string(enum package_manager p)
{
	switch (p) {
	case PACKAGE_MANAGER_APT:
		return "apt";
	case PACKAGE_MANAGER_DNF:
		return "dnf";
	case PACKAGE_MANAGER_YUM:
		return "yum";
	case PACKAGE_MANAGER_ZYPPER:
		return "zypper";
	case PACKAGE_MANAGER_PACMAN:
		return "pacman";
	case PACKAGE_MANAGER_TDNF:
		return "tdnf";
	default:
		return NULL;
	}
}

enum package_manager package_manager_detect(const char *root, const struct distro *distro)
{
	static const struct {
		const char *program;
		enum package_manager pm;
	} programs[] = {
		{ "apt-get", PACKAGE_MANAGER_APT },  { "tdnf", PACKAGE_MANAGER_TDNF },
		{ "dnf", PACKAGE_MANAGER_DNF },      { "yum", PACKAGE_MANAGER_YUM },
		{ "zypper", PACKAGE_MANAGER_ZYPPER }, { "pacman", PACKAGE_MANAGER_PACMAN },
	};
	int major;

	switch (distro ? distro->family : DISTRO_FAMILY_UNKNOWN) {
	case DISTRO_FAMILY_DEBIAN:
		return PACKAGE_MANAGER_APT;
	case DISTRO_FAMILY_RHEL:
		major = distro_version_major(distro);
		if (streq(distro->id, "amzn"))
			/* Amazon Linux 2 and the 2018.03 AMI use yum; 2023 uses dnf. */
			return major >= 2022 ? PACKAGE_MANAGER_DNF : PACKAGE_MANAGER_YUM;
		if (streq(distro->id, "fedora"))
			return major >= 0 && major < 22 ? PACKAGE_MANAGER_YUM : PACKAGE_MANAGER_DNF;
		if (major >= 0)
			return major < 8 ? PACKAGE_MANAGER_YUM : PACKAGE_MANAGER_DNF;
		/* No version: what the root has. */
		if (tools_find_program(root, "dnf", NULL))
			return PACKAGE_MANAGER_DNF;
		return PACKAGE_MANAGER_YUM;
	case DISTRO_FAMILY_SUSE:
		return PACKAGE_MANAGER_ZYPPER;
	case DISTRO_FAMILY_ARCH:
		return PACKAGE_MANAGER_PACMAN;
	case DISTRO_FAMILY_PHOTON:
		return PACKAGE_MANAGER_TDNF;
	default:
		break;
	}
	for (size_t i = 0; i < ELEMENTSOF(programs); i++)
		if (tools_find_program(root, programs[i].program, NULL))
			return programs[i].pm;
	return PACKAGE_MANAGER_NONE;
}

const char *initramfs_tool_to_string(enum initramfs_tool t)
{
	switch (t) {
	case INITRAMFS_UPDATE_INITRAMFS:
		return "update-initramfs";
	case INITRAMFS_DRACUT:
		return "dracut";
	case INITRAMFS_MKINITCPIO:
		return "mkinitcpio";
	default:
		return NULL;
	}
}

enum initramfs_tool initramfs_tool_detect(const char *root, const struct distro *distro,
					  char **ret_path)
{
	static const struct {
		const char *program;
		enum initramfs_tool tool;
	} programs[] = {
		{ "update-initramfs", INITRAMFS_UPDATE_INITRAMFS },
		{ "dracut", INITRAMFS_DRACUT },
		{ "mkinitcpio", INITRAMFS_MKINITCPIO },
	};
	enum distro_family family = distro ? distro->family : DISTRO_FAMILY_UNKNOWN;
	enum initramfs_tool preferred = family == DISTRO_FAMILY_DEBIAN ? INITRAMFS_UPDATE_INITRAMFS :
					family == DISTRO_FAMILY_ARCH   ? INITRAMFS_MKINITCPIO :
					family == DISTRO_FAMILY_UNKNOWN ? INITRAMFS_NONE :
									  INITRAMFS_DRACUT;

	/* The family's own tool first (a system can have more than one installed), then any. */
	for (size_t i = 0; i < ELEMENTSOF(programs); i++)
		if (programs[i].tool == preferred &&
		    tools_find_program(root, programs[i].program, ret_path))
			return preferred;
	for (size_t i = 0; i < ELEMENTSOF(programs); i++)
		if (tools_find_program(root, programs[i].program, ret_path))
			return programs[i].tool;
	return INITRAMFS_NONE;
}

const char *secure_boot_to_string(enum secure_boot s)
{
	switch (s) {
	case SECURE_BOOT_ENABLED:
		return "enabled";
	case SECURE_BOOT_DISABLED:
		return "disabled";
	default:
		return "unknown";
	}
}

static bool dir_exists(const char *root, const char *path)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;

	return path_chase(root, path, 0, &host) >= 0 && stat(host, &st) >= 0 &&
	       S_ISDIR(st.st_mode);
}

enum secure_boot secure_boot_detect(const char *root)
{
	_cleanup_free_ char *host = NULL, *data = NULL;
	size_t size = 0;
	int r;

	if (!dir_exists(root, "/sys/firmware/efi"))
		/* Booted without EFI: no Secure Boot. Without a sysfs at all we cannot tell. */
		return dir_exists(root, "/sys/class") ? SECURE_BOOT_DISABLED : SECURE_BOOT_UNKNOWN;

	r = path_chase(root, "/sys/firmware/efi/efivars/SecureBoot-" EFI_GLOBAL_GUID, 0, &host);
	if (r == -ENOENT)
		/* EFI without the variable: firmware without Secure Boot support. */
		return dir_exists(root, "/sys/firmware/efi/efivars") ? SECURE_BOOT_DISABLED :
								       SECURE_BOOT_UNKNOWN;
	if (r < 0)
		return SECURE_BOOT_UNKNOWN;
	/* efivarfs: 4 bytes of attributes, then the value (one byte). */
	if (read_full_file(host, 4096, &data, &size) < 0 || size != 5)
		return SECURE_BOOT_UNKNOWN;
	if (data[4] == 1)
		return SECURE_BOOT_ENABLED;
	if (data[4] == 0)
		return SECURE_BOOT_DISABLED;
	return SECURE_BOOT_UNKNOWN;
}

/*
 * The dkms script states its version in an assignment near its top (`readonly
 * dkms_version="2.8.7"`, DKMS 2), or its --version branch prints it (`echo $"dkms-3.0.10"`,
 * DKMS 3). Returns the value or NULL.
 */
static char *dkms_version_from_script(const char *text)
{
	const char *p = text;

	while ((p = strstr(p, "dkms_version="))) {
		const char *v = p + strlen("dkms_version=");
		char quote = 0;
		size_t n;

		/* Only an assignment at the start of a line, after an optional "readonly ". */
		if (!(p == text || p[-1] == '\n' || (p - text >= 9 && !strncmp(p - 9, "readonly ", 9) &&
						      (p - 9 == text || p[-10] == '\n')))) {
			p = v;
			continue;
		}
		if (*v == '\'' || *v == '"')
			quote = *v++;
		n = strspn(v, "0123456789.abcdefghijklmnopqrstuvwxyz-+~_");
		if (n == 0 || n > 64 || (quote && v[n] != quote) || !isdigit((unsigned char)*v)) {
			p = v;
			continue;
		}
		return strndup(v, n);
	}
	/* DKMS 3 prints it: echo $"dkms-3.0.10" under --version. */
	for (p = text; (p = strstr(p, "\"dkms-")); p++) {
		const char *v = p + strlen("\"dkms-");
		size_t n = strspn(v, "0123456789.abcdefghijklmnopqrstuvwxyz-+~_");

		if (n > 0 && n <= 64 && v[n] == '"' && isdigit((unsigned char)*v))
			return strndup(v, n);
	}
	return NULL;
}

int dkms_detect(const char *root, bool *ret_present, char **ret_version, char **ret_path)
{
	_cleanup_free_ char *path = NULL, *host = NULL, *text = NULL;
	char *version = NULL;

	if (!tools_find_program(root, "dkms", &path)) {
		*ret_present = false;
		if (ret_version)
			*ret_version = NULL;
		if (ret_path)
			*ret_path = NULL;
		return 0;
	}
	if (path_chase(root, path, 0, &host) >= 0 &&
	    read_full_file(host, DKMS_SCRIPT_MAX, &text, NULL) >= 0)
		version = dkms_version_from_script(text);
	*ret_present = true;
	if (ret_version)
		*ret_version = version;
	else
		free(version);
	if (ret_path)
		*ret_path = TAKE_PTR(path);
	return 0;
}

int tools_detect(const char *root, const struct distro *distro, struct tools *ret)
{
	struct tools t = {};
	int r;

	if (!root_is_host(root)) {
		_cleanup_free_ char *rootdir = NULL;

		r = path_chase(root, "/", 0, &rootdir);
		if (r < 0)
			return r;
	}
	t.package_manager = package_manager_detect(root, distro);
	r = dkms_detect(root, &t.dkms_present, &t.dkms_version, &t.dkms_path);
	if (r < 0)
		return r;
	t.compiler_present = tools_find_program(root, "gcc", &t.compiler_path) ||
			     tools_find_program(root, "cc", &t.compiler_path) ||
			     tools_find_program(root, "clang", &t.compiler_path);
	t.initramfs_tool = initramfs_tool_detect(root, distro, &t.initramfs_path);
	t.secure_boot = secure_boot_detect(root);
	*ret = t;
	return 0;
}

void tools_done(struct tools *t)
{
	if (!t)
		return;
	free(t->dkms_version);
	free(t->dkms_path);
	free(t->compiler_path);
	free(t->initramfs_path);
	memset(t, 0, sizeof(*t));
}
