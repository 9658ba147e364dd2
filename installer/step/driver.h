/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver's steps, written once for `driver install|remove`, `prepare` and `swap` (and so
 * for their plans): the sources staged under /usr/src/vmxnet3-VERSION, `dkms add` (undone only
 * when this run registered the module), `dkms build` and `dkms install` per kernel, each
 * initramfs kept in the journal, regenerated and checked, and the module activated.
 *
 * The builders decide from facts the verb gathered (what DKMS knows, which images carry which
 * vmxnet3); they run nothing themselves except reading files.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "step/step.h"
#include "system/dkms.h"
#include "system/initramfs.h"

struct driver_kernel {
	const char *kver;
	enum dkms_state state; /* what DKMS has for it now */
	const char *image;     /* its initramfs, or NULL */
	bool regen;            /* the image must be regenerated (and is kept first) */
	unsigned group;        /* set by the builder: the kernel's steps share it */
};

struct driver_facts {
	const char *root;       /* NULL: the host */
	const char *version;
	const char *src_dir, *conf_path; /* the driver sources and their dkms.conf template */
	bool registered;        /* DKMS knew VERSION before this run */
	bool strict;            /* prepare: every kernel must build; else a kernel may be left out */
	unsigned jobs;          /* for dkms build; 0: DKMS's default */
	unsigned timeout_sec;   /* per dkms command */
	enum initramfs_tool tool;
	struct driver_kernel *kernels;
	size_t n_kernels;
};

/* Sources, the initramfs backups, dkms add, build and install per kernel. *ret_changed (may
 * be NULL): whether any source file differs from what is staged. */
int driver_install_steps(struct driver_facts *f, struct step_list *l, bool *ret_changed);
/* Regeneration and check of each image marked regen; want_ours: it must carry vnic's vmxnet3
 * (install) or must not (remove). */
int driver_initramfs_steps(struct driver_facts *f, bool want_ours, struct step_list *l);

/* A version of the driver to remove: whether DKMS knows it. */
struct driver_removal {
	const char *version;
	bool known;
};
/* Each image marked regen kept in the journal (a too large one gets an undo that regenerates
 * it). driver_install_steps() and driver_remove_steps() start with them. */
int driver_keep_steps(struct driver_facts *f, struct step_list *l);
/* The images kept, then dkms remove --all per version, its sources removed file by file, and
 * a check that DKMS no longer lists it. -ENOTEMPTY when /usr/src/vmxnet3-VERSION holds a
 * directory. */
int driver_remove_steps(struct driver_facts *f, const struct driver_removal *v, size_t n,
			struct step_list *l);

/* Module activation (the running kernel's vmxnet3 reloaded from what modprobe resolves to). */
struct driver_activation {
	const char *running;    /* the running kernel's release */
	bool want_ours;
	char *what;             /* the outcome, for the summary (to free) */
};
int driver_activate_steps(struct driver_activation *a, struct step_list *l);

/* How the kernel's build went, from its steps' statuses (after a run): "installed",
 * "already installed", "skipped", "failed", "not attempted". */
const char *driver_kernel_result(struct step_list *l, const struct driver_kernel *k,
				 const char **ret_why);
