/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running network managers, asked live (only on the host): NetworkManager through nmcli's
 * terse output, systemd-networkd through networkctl. Used by detect when the configuration
 * files alone leave a NIC without an owner. Nothing here prints.
 */
#pragma once

#include <stdbool.h>

struct live_owner {
	const char *backend; /* "networkmanager", "networkd" or "netplan" (static), or NULL */
	char *file;          /* the connection / .network file the manager names, or NULL */
};

/*
 * Which running manager manages ifname, and with which file. Returns 1 with *ret filled when
 * one does, 0 when none does (or none runs, or their tools are missing), -ENOMEM. A file under
 * /run that netplan generated ("netplan-*" or "10-netplan-*") gives the backend "netplan".
 */
int live_manager_owner(const char *ifname, struct live_owner *ret);
void live_owner_done(struct live_owner *o);

/*
 * The parsers of the managers' output, for tests and fuzzing. nmcli_active_file: in the
 * output of `nmcli -t -f DEVICE,FILENAME connection show --active`, the file of ifname's
 * connection (1, *ret_file may be NULL when nmcli names none), or 0 when ifname is not listed.
 * networkctl_status_parse: in `networkctl status IF`, 1 and the "Network File:" when "State:"
 * says configured (or configuring), else 0. Both return -ENOMEM on allocation failure.
 */
int nmcli_active_file(const char *text, const char *ifname, char **ret_file);
int networkctl_status_parse(const char *text, char **ret_file);

/*
 * Offline (under a root): whether NetworkManager is what runs the interface that RHEL ifcfg
 * files configure, through its ifcfg-rh plugin. True when NetworkManager.service is enabled,
 * its configuration loads the ifcfg-rh plugin (a [main] plugins= line without it turns it
 * off; RHEL builds load it by default), no file says NM_CONTROLLED=no, and [keyfile]
 * unmanaged-devices does not name the interface (by "*", interface-name:NAME or mac:MAC).
 */
bool nm_manages_ifcfg(const char *root, const char *ifname, const char *mac,
		      char *const *ifcfg_files);
