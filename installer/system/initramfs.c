// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "initramfs.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"

static bool root_has_file(const char *root, const char *path)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;

	return path_chase(root, path, 0, &host) >= 0 && stat(host, &st) == 0 && S_ISREG(st.st_mode);
}

int initramfs_find_image(const char *root, enum initramfs_tool t, const char *kver, char **ret)
{
	char cand[3][512];
	unsigned n = 0;

	if (!kver || !*kver || strchr(kver, '/'))
		return -EINVAL;
	switch (t) {
	case INITRAMFS_UPDATE_INITRAMFS:
		snprintf(cand[n++], sizeof(cand[0]), "/boot/initrd.img-%s", kver);
		break;
	case INITRAMFS_DRACUT:
		snprintf(cand[n++], sizeof(cand[0]), "/boot/initramfs-%s.img", kver);
		snprintf(cand[n++], sizeof(cand[0]), "/boot/initrd-%s", kver);
		break;
	case INITRAMFS_MKINITCPIO: {
		/* Arch names images after the package: 6.6.1-arch1-1 is linux, 6.1.62-1-lts linux-lts. */
		const char *dash = strrchr(kver, '-');

		if (dash && dash[1] && !(dash[1] >= '0' && dash[1] <= '9'))
			snprintf(cand[n++], sizeof(cand[0]), "/boot/initramfs-linux-%s.img", dash + 1);
		else
			snprintf(cand[n++], sizeof(cand[0]), "/boot/initramfs-linux.img");
		break;
	}
	default:
		return -EOPNOTSUPP;
	}
	for (unsigned i = 0; i < n; i++)
		if (root_has_file(root, cand[i])) {
			char *p = strdup(cand[i]);

			if (!p)
				return -ENOMEM;
			*ret = p;
			return 0;
		}
	return -ENOENT;
}

static int make_argv(const char *const *words, char ***ret)
{
	_cleanup_strv_free_ char **a = NULL;
	int r;

	for (; *words; words++)
		if ((r = strv_push(&a, *words)) < 0)
			return r;
	*ret = TAKE_PTR(a);
	return 0;
}

int initramfs_list_argv(enum initramfs_tool t, const char *image, char ***ret)
{
	switch (t) {
	case INITRAMFS_UPDATE_INITRAMFS:
		return make_argv((const char *[]){ "lsinitramfs", image, NULL }, ret);
	case INITRAMFS_DRACUT:
		return make_argv((const char *[]){ "lsinitrd", image, NULL }, ret);
	case INITRAMFS_MKINITCPIO:
		return make_argv((const char *[]){ "lsinitcpio", image, NULL }, ret);
	default:
		return -EOPNOTSUPP;
	}
}

int initramfs_regen_argv(enum initramfs_tool t, const char *kver, const char *image, char ***ret)
{
	switch (t) {
	case INITRAMFS_UPDATE_INITRAMFS:
		return make_argv((const char *[]){ "update-initramfs", "-u", "-k", kver, NULL }, ret);
	case INITRAMFS_DRACUT:
		return make_argv((const char *[]){ "dracut", "-f", "--kver", kver, image, NULL }, ret);
	case INITRAMFS_MKINITCPIO:
		return make_argv((const char *[]){ "mkinitcpio", "-k", kver, "-g", image, NULL }, ret);
	default:
		return -EOPNOTSUPP;
	}
}

bool initramfs_path_is_ours(const char *path)
{
	return path && (strstr(path, "/updates/") || strstr(path, "/extra/"));
}

static bool is_module_file(const char *path, size_t len, const char *module)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t ml = strlen(module);
	const char *base = path;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	len -= (size_t)(base - path);
	if (len <= ml || strncmp(base, module, ml) != 0)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
		if (len - ml == strlen(suffixes[i]) && strncmp(base + ml, suffixes[i], len - ml) == 0)
			return true;
	return false;
}

int initramfs_listing_find(const char *listing, const char *module, char **ret)
{
	_cleanup_free_ char *found = NULL;

	for (const char *p = listing; p && *p;) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p), *field;

		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		field = end;
		while (field > p && field[-1] != ' ' && field[-1] != '\t')
			field--;
		if (end > field && is_module_file(field, (size_t)(end - field), module) &&
		    (!found || !initramfs_path_is_ours(found))) {
			free(found);
			found = strndup(field, (size_t)(end - field));
			if (!found)
				return -ENOMEM;
		}
		p = nl ? nl + 1 : end + strlen(end);
	}
	if (!found)
		return -ENOENT;
	if (ret)
		*ret = TAKE_PTR(found);
	return 0;
}
