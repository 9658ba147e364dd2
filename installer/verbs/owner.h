/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What configures a NIC, as detect and health report it. */
#pragma once

#include <stdbool.h>

struct nic;
struct netcfg_error;

/*
 * Fills n->backend and n->config_files: netcfg's owner (the configuration's format), then what
 * runs it (RHEL's NetworkManager runs ifcfg files through its ifcfg-rh plugin), and, live,
 * when no file names an owner, the running managers. Returns 0 or -errno; on a problem with an
 * input file *err names it (netcfg_error_done() it either way).
 */
int nic_owner_find(const char *root, bool live, struct nic *n, struct netcfg_error *err);
