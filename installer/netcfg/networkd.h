/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What networkd.c shares with networkd_match.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "netcfg/internal.h"

/* The link a [Match] is evaluated against: the NIC and its udev path ("pci-0000:02:01.0",
 * NULL when unknown: then a Path= cannot be evaluated). */
struct nd_link {
	const struct netcfg_nic *nic;
	const char *path;
};

/* The udev ID_PATH of a PCI NIC under root, from /sys/class/net/<name>/device: 0, -ENOENT
 * (not a PCI NIC, or no such interface), -errno. */
int nd_link_path(const char *root, const char *name, char **ret);

/*
 * Whether the [Match] sections of inis (a .network and its drop-ins) fit l: 1, 0, or
 * -EUCLEAN when every key we can evaluate fits but one we cannot is there (*ret_key names
 * it). *ret_pattern: the match is not one name or MAC (a glob, a negation, a Driver=), so it
 * may fit another NIC as well.
 */
int nd_match_inis(const struct nc_ini *const *inis, size_t n, const struct nd_link *l,
		  bool *ret_pattern, const struct nc_ini_entry **ret_key);

/* The commands that make the VMXNET3 NIC (target) the port of m->master in from's place, for
 * networkd: called before (after_reload false) and after the plan's `networkctl reload`. */
int nd_plan_port(const struct netcfg_iface *m, const struct netcfg_nic *from, const char *target,
		 struct netcfg_plan *p, bool after_reload);
