// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: SUSE sysconfig files (ifcfg, ifroute, routes, config), parser and planner. */
#include "../netcfg/fuzz_common.h"

static const struct nf_file files[] = {
	{ "etc/sysconfig/network/ifcfg-ens33", "BOOTPROTO='static'\nSTARTMODE='auto'\nIPADDR='10.0.0.5/24'\n" },
	{ "etc/sysconfig/network/ifroute-ens33", "default 10.0.0.1 - ens33\n" },
	{ "etc/sysconfig/network/routes", "10.9.0.0/16 10.0.0.2 - ens33\n" },
	{ "etc/sysconfig/network/config", "NETCONFIG_DNS_STATIC_SERVERS='10.0.0.53'\n" },
	{ "etc/sysconfig/network/ifcfg-vlan5", "ETHERDEVICE='ens33'\nSTARTMODE='auto'\n" },
	{ "etc/os-release", "ID=sles\nID_LIKE=suse\n" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nf_run("wicked", NETCFG_WICKED, files, 5, data, size);
	return 0;
}
