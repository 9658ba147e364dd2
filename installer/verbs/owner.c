// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/netcfg.h"
#include "system/manager.h"
#include "system/nic.h"
#include "verbs/owner.h"

/* Live, when the files name no owner: ask the running managers. */
static void owner_from_managers(struct nic *n)
{
	struct live_owner lo = {};

	if (live_manager_owner(n->name, &lo) <= 0)
		return;
	n->backend = lo.backend;
	strv_free(n->config_files);
	n->config_files = calloc(1, sizeof(char *));
	if (n->config_files && lo.file && strncmp(lo.file, "/run/", 5) != 0)
		(void)strv_push(&n->config_files, lo.file);
	live_owner_done(&lo);
}

int nic_owner_find(const char *root, bool live, struct nic *n, struct netcfg_error *err)
{
	struct netcfg_nic cn = {
		.name = n->name,
		.mac = n->mac,
		.permanent_mac = n->permanent_mac,
		.driver = n->driver,
	};
	struct netcfg_owner owner = {};
	int r;

	r = netcfg_find_owner_full(root, &cn, &owner, err);
	if (r < 0)
		return r;
	n->backend = owner.backend;
	n->config_files = TAKE_PTR(owner.config_files);
	netcfg_owner_done(&owner);

	if (streq(n->backend, "ifcfg") &&
	    nm_manages_ifcfg(root, n->name, n->permanent_mac ? n->permanent_mac : n->mac,
			     n->config_files))
		n->backend = "networkmanager";
	if (live && !n->backend)
		owner_from_managers(n);
	return 0;
}
