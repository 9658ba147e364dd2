// SPDX-License-Identifier: GPL-2.0-or-later
/* The boot guard's files and the initramfs configuration as steps (guard.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "step/guard.h"
#include "verbs/prepare.h"

#define SELF_MAX (64u * 1024 * 1024)

/* GUARD_WANTS_PATH: multi-user.target wants the guard (a plain file the journal restores). */
static const char guard_wants_text[] = "# Written by vnic-install prepare: runs the boot guard.\n"
				       "[Unit]\nWants=vnic-guard.service\n";

static int write_step(struct step_list *l, const char *path, const void *data, size_t size,
		      mode_t mode, const char *why)
{
	_cleanup_free_ char *id = NULL;

	if (asprintf(&id, "guard.write.%s", path) < 0)
		return -ENOMEM;
	return step_add_write(l, id, path, data, size, mode, "%s", why);
}

int guard_steps(const char *root, const struct guard_config *c, const char *self_exe,
		struct step_list *l)
{
	_cleanup_free_ char *conf = guard_config_format(c), *data = NULL;
	size_t size;
	int r;

	if (!conf)
		return -ENOMEM;
	r = write_step(l, GUARD_UNIT_PATH, guard_unit_text, strlen(guard_unit_text), 0644,
		       "the boot guard");
	if (r >= 0)
		r = write_step(l, GUARD_WANTS_PATH, guard_wants_text, strlen(guard_wants_text), 0644,
			       "multi-user.target wants the boot guard");
	if (r >= 0)
		r = write_step(l, GUARD_CONF_PATH, conf, strlen(conf), 0644, "the guard's settings");
	if (r < 0 || root_is_host(root) || tools_find_program(root, "vnic-install", NULL))
		return r;
	r = read_full_file(self_exe ? self_exe : "/proc/self/exe", SELF_MAX, &data, &size);
	if (r >= 0)
		r = write_step(l, GUARD_BINARY_PATH, data, size, 0755,
			       "this vnic-install, which the guard runs");
	return r;
}

/*
 * What prepare adds to the initramfs configuration of tool in root: *ret_path and its new
 * *ret_text, or both NULL when there is nothing to add (vmxnet3 is listed already). Returns 0,
 * -EOPNOTSUPP for a tool that needs no configuration, or -errno.
 */
static int config_text(const char *root, enum initramfs_tool tool, const char **ret_path,
				 char **ret_text)
{
	static const char dracut_conf[] = "# Written by vnic-install prepare: vnic's vmxnet3 in "
					  "the initramfs.\nadd_drivers+=\" vmxnet3 \"\n";
	static const char mkinitcpio_conf[] = "# Written by vnic-install prepare: vnic's vmxnet3 in "
					      "the initramfs.\nMODULES+=(vmxnet3)\n";
	_cleanup_free_ char *old = NULL, *host = NULL;
	int r;

	*ret_path = NULL;
	*ret_text = NULL;
	switch (tool) {
	case INITRAMFS_UPDATE_INITRAMFS:
		r = path_chase(root, "/etc/initramfs-tools/modules", CHASE_NONEXISTENT, &host);
		if (r < 0)
			return r;
		r = read_full_file(host, READ_FILE_MAX, &old, NULL);
		if (r < 0 && r != -ENOENT)
			return r;
		if (old) {
			_cleanup_strv_free_ char **lines = NULL;

			r = strv_split(old, "\n", &lines);
			if (r < 0)
				return r;
			for (size_t i = 0; lines && lines[i]; i++) {
				char *l = lines[i] + strspn(lines[i], " \t");

				if (strncmp(l, "vmxnet3", 7) == 0 && (!l[7] || strchr(" \t", l[7])))
					return 0; /* already there */
			}
		}
		if (asprintf(ret_text, "%s%s%s", old ? old : "",
			     old && *old && old[strlen(old) - 1] != '\n' ? "\n" : "", "vmxnet3\n") < 0) {
			*ret_text = NULL;
			return -ENOMEM;
		}
		*ret_path = "/etc/initramfs-tools/modules";
		return 0;
	case INITRAMFS_DRACUT:
		*ret_text = strdup(dracut_conf);
		if (!*ret_text)
			return -ENOMEM;
		*ret_path = "/etc/dracut.conf.d/50-vnic-vmxnet3.conf";
		return 0;
	case INITRAMFS_MKINITCPIO:
		/* A drop-in (mkinitcpio 36 and later read the drop-ins in /etc/mkinitcpio.conf.d): in a
		 * chroot, the autodetect hook sees the host's hardware, not the clone's VMXNET3. */
		*ret_text = strdup(mkinitcpio_conf);
		if (!*ret_text)
			return -ENOMEM;
		*ret_path = "/etc/mkinitcpio.conf.d/50-vnic-vmxnet3.conf";
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int initramfs_config_steps(const char *root, enum initramfs_tool tool, struct step_list *l)
{
	_cleanup_free_ char *text = NULL, *id = NULL;
	const char *path;
	int r;

	r = config_text(root, tool, &path, &text);
	if (r < 0 || !text)
		return r;
	if (asprintf(&id, "initramfs.config.%s", path) < 0)
		return -ENOMEM;
	return step_add_write(l, id, path, text, strlen(text), 0644, "vmxnet3 in the initramfs");
}
