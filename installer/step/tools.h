/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VMware Tools (open-vm-tools) as a step of swap and prepare (--install-tools). */
#pragma once

#include "step/step.h"
#include "system/tools.h"

#define VMTOOLS_PACKAGE "open-vm-tools"

/*
 * Appends "tools.install": the package manager m of root installs open-vm-tools, and removes
 * it again as the undo. No step when root has vmtoolsd already (*ret_present is then true).
 * -EOPNOTSUPP when root has no package manager vnic-install knows. Returns 0 or -errno.
 */
int tools_steps(const char *root, enum package_manager m, struct step_list *l, bool *ret_present);
