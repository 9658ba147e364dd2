/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Initramfs images: where each tool keeps a kernel's image, the commands that list and
 * regenerate it, and whether a listing carries a module (and whether that is vnic's, from
 * updates/). The tool itself comes from system/tools.h (initramfs_tool_detect). Nothing here
 * prints or runs anything.
 */
#pragma once

#include <stdbool.h>

#include "system/tools.h"

/*
 * The image of kernel kver that exists in root, as a path inside the root (to free):
 * /boot/initrd.img-<kver> (initramfs-tools), /boot/initramfs-<kver>.img or /boot/initrd-<kver>
 * (dracut: Red Hat and SUSE naming), /boot/initramfs-<linux|linux-FLAVOR>.img (mkinitcpio).
 * -ENOENT when the kernel has none.
 */
int initramfs_find_image(const char *root, enum initramfs_tool t, const char *kver, char **ret);

/* `lsinitramfs IMAGE`, `lsinitrd IMAGE`, `lsinitcpio IMAGE` (to free with strv_free). */
int initramfs_list_argv(enum initramfs_tool t, const char *image, char ***ret);

/*
 * Regenerates kver's image: `update-initramfs -u -k KVER`, `dracut -f --kver KVER IMAGE`,
 * `mkinitcpio -k KVER -g IMAGE`.
 */
int initramfs_regen_argv(enum initramfs_tool t, const char *kver, const char *image, char ***ret);

/*
 * Looks through a listing (one path per line, or `ls -l`-style lines whose last field is the
 * path, as lsinitrd prints) for module's file (module.ko, .ko.xz, .ko.zst, .ko.gz). Prefers one
 * under updates/ or extra/. Returns 0 with the path in *ret (to free; may be NULL), -ENOENT
 * when the image does not carry it.
 */
int initramfs_listing_find(const char *listing, const char *module, char **ret);
/* True for a module path under updates/ or extra/ (an out-of-tree module: ours). */
bool initramfs_path_is_ours(const char *path);
