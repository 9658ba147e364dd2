/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel modules through libkmod: which vmxnet3 a kernel would load (the module index of
 * <root>/lib/modules/<kver>), which one is loaded now, which interfaces use it, and loading
 * and unloading on the running system. Nothing here prints.
 */
#pragma once

#include <stdbool.h>

struct module_info {
	char *path;       /* host path of the module file (lookups), or NULL (loaded modules) */
	char *version;    /* MODULE_VERSION, or NULL */
	char *srcversion; /* the module's srcversion, or NULL */
	bool in_updates;  /* the file is under updates/ (or extra/): an out-of-tree module */
};
void module_info_done(struct module_info *m);

/*
 * The module that `modprobe name` would load for kernel kver of root, with its version and
 * srcversion. -ENOENT when the kernel has no such module, -errno otherwise.
 */
int modules_lookup(const char *root, const char *kver, const char *name, struct module_info *ret);

/*
 * The file of the kernel's own module (kernel/drivers/net/<name>/<name>.ko[.xz|.zst|.gz]) and
 * its version: what a swap back must load. -ENOENT when the kernel has none.
 */
int modules_inbox(const char *root, const char *kver, const char *name, struct module_info *ret);

/* The loaded module name from /sys/module (host only); -ENOENT when it is not loaded. */
int modules_loaded(const char *name, struct module_info *ret);

/*
 * The network interfaces of root's /sys/class/net bound to driver (ret_bound) and those of them
 * that are up (ret_up); both may be NULL vectors. Either output pointer may be NULL.
 */
int modules_users(const char *root, const char *driver, char ***ret_bound, char ***ret_up);

/* Unloads name (fails with -EBUSY while in use; -ENOENT when not loaded). */
int modules_unload(const char *name);
/* Loads name as modprobe would (dependencies, options, blacklist) for the running kernel. */
int modules_probe(const char *name);
/* Loads the module file at path (host path) for the running kernel. */
int modules_insert_file(const char *path);
