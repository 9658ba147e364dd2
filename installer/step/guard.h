/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The boot guard's steps (prepare, swap --confirm-timeout) and the initramfs configuration's
 * (prepare): files written through the journal. */
#pragma once

#include "step/step.h"
#include "system/tools.h"

struct guard_config;

/*
 * The guard's unit, the drop-in that makes multi-user.target want it, guard.conf, and a copy
 * of this program (self_exe, NULL: /proc/self/exe) at GUARD_BINARY_PATH when root is not the
 * host and has no vnic-install of its own.
 */
int guard_steps(const char *root, const struct guard_config *c, const char *self_exe,
		struct step_list *l);

/*
 * What makes the root's initramfs tool include vmxnet3: a line in
 * /etc/initramfs-tools/modules (added once, the rest kept), a file in /etc/dracut.conf.d, a
 * drop-in in /etc/mkinitcpio.conf.d; no step when it is there already. -EOPNOTSUPP for a
 * tool that takes no configuration.
 */
int initramfs_config_steps(const char *root, enum initramfs_tool tool, struct step_list *l);
