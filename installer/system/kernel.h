/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernels installed under a root: /lib/modules/<release> and /usr/lib/modules/<release>
 * (one entry per release), their headers, and the vmxnet3 driver each one would load, found
 * through the kernel's own module index with libkmod. Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "system/distro.h"

struct kernel {
	char *release;         /* "6.1.0-26-amd64" */
	char *modules_dir;     /* inside the root: "/lib/modules/6.1.0-26-amd64" */
	char *headers;         /* inside the root: "<modules_dir>/build" when its target exists
				* inside the root as a directory; else NULL */
	char *headers_package; /* the distribution's package for them ("linux-headers-<release>",
				* "kernel-devel-<release>", "kernel-default-devel", "linux-headers",
				* "linux-devel"), or NULL for an unknown family */
	bool running;          /* the host's running kernel (only without --root, or with "/") */
	bool is_default;       /* the one that boots by default (see kernel_list_detect) */
	char *inbox_vmxnet3;   /* MODULE_VERSION of the kernel's own vmxnet3, or NULL */
	char *inbox_vmxnet3_srcversion;
	char *vnic_vmxnet3;    /* version of vnic's vmxnet3 installed for it (updates/, extra/), or
				* NULL */
	char *vnic_vmxnet3_path; /* inside the root, or NULL */
};

struct kernel_list {
	struct kernel *kernels; /* sorted by release, oldest first (kernel_release_compare) */
	size_t n;
};

/*
 * Lists the kernels under root. The default kernel is, in this order: the target of the
 * /boot/vmlinuz (or /vmlinuz) symlink; the release named by saved_entry in GRUB's grubenv;
 * systemd-boot's loader.conf default entry; Photon's /boot/photon.cfg; the newest release. Returns 0 (an empty list when there are none), or -errno. distro may be
 * NULL (headers_package is then NULL). *ret is untouched on failure.
 */
int kernel_list_detect(const char *root, const struct distro *distro, struct kernel_list *ret);
void kernel_list_done(struct kernel_list *l);

/* The default kernel of the list, or NULL when the list is empty. */
const struct kernel *kernel_list_default(const struct kernel_list *l);
const struct kernel *kernel_list_find(const struct kernel_list *l, const char *release);

/* Orders two releases the way rpm orders versions (see kernel.c): <0, 0 or >0. */
int kernel_release_compare(const char *a, const char *b);

/* The headers package name for release on distro (to free), or NULL for an unknown family. */
char *kernel_headers_package(const struct distro *distro, const char *release);
