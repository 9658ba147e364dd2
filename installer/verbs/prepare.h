/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pieces of `prepare` that stage files in a root, kept apart from the verb so that the
 * fake-root tests can drive them one by one. Each writes through the transaction and does not
 * print.
 */
#pragma once

#include <stdbool.h>

#include "system/tools.h"

struct txn;
struct netcfg_plan;

/* Files of the boot guard inside a root. */
#define GUARD_UNIT_PATH "/etc/systemd/system/vnic-guard.service"
#define GUARD_WANTS_PATH "/etc/systemd/system/multi-user.target.d/50-vnic-guard.conf"
#define GUARD_CONF_PATH "/etc/vnic/guard.conf"
#define GUARD_BINARY_PATH "/usr/local/sbin/vnic-install"

/* The text of installer/systemd/vnic-guard.service (a test keeps both equal). */
extern const char guard_unit_text[];

#define GUARD_MAX_REACH 10

struct guard_config {
	unsigned link_timeout;    /* seconds to wait for the VMXNET3 link at boot */
	unsigned confirm_timeout; /* seconds to wait for `confirm` after that; 0: no deadline */
	const char *check;        /* "address" or "gateway" */
	const char *from;         /* the E1000 interface the configuration came from */
	/* swap --confirm-timeout: the interface and what must answer through it (REACH= lines,
	 * verbs/check.h); unset for prepare */
	const char *to;
	const char *reach[GUARD_MAX_REACH];
	unsigned n_reach;
};
/* guard.conf's text (to free). */
char *guard_config_format(const struct guard_config *c);
/* Parses guard.conf's text into *ret (strings point into a copy in *ret_buf, to free);
 * -EBADMSG with *ret_line for a malformed line. Missing keys keep the defaults. */
int guard_config_parse(const char *text, struct guard_config *ret, char **ret_buf,
		       unsigned *ret_line);

/*
 * Arms the boot guard in root: the unit, a drop-in that makes multi-user.target want it (a
 * plain file, so that the transaction can restore it; no enable symlink), guard.conf, and a
 * copy of this program at GUARD_BINARY_PATH when the root has no vnic-install of its own
 * (self_exe: the program to copy, NULL: /proc/self/exe).
 */
int prepare_stage_guard(struct txn *t, const char *root, const struct guard_config *c,
			const char *self_exe);

/*
 * Makes the root's initramfs tool include vmxnet3: a line in /etc/initramfs-tools/modules
 * (initramfs-tools; added once, the rest of the file kept), a file in /etc/dracut.conf.d
 * (dracut), a drop-in in /etc/mkinitcpio.conf.d (mkinitcpio 36+). *ret_path (may be NULL)
 * names the file written, NULL when nothing was needed. -EOPNOTSUPP for none.
 */
int prepare_stage_initramfs_config(struct txn *t, const char *root, enum initramfs_tool tool,
				   char **ret_path);

/* The driver's sources under /usr/src/vmxnet3-<version>/ with its rendered dkms.conf. */
int prepare_stage_sources(struct txn *t, const char *src_dir, const char *conf_path,
			  const char *version);

/* The files of a netcfg plan (its commands are for a live swap and not run here). */
int prepare_stage_network(struct txn *t, const struct netcfg_plan *plan);

/* Shared libraries the program needs, and whether root has each ("libmnl.so.0" ...):
 * the missing ones in *ret (strv, NULL when none). */
int guard_missing_libraries(const char *root, char ***ret);
