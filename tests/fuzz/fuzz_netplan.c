// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the netplan (libyaml) parser and planner. */
#include "../netcfg/fuzz_common.h"

static const struct nf_file files[] = {
	{ "etc/netplan/50-cloud-init.yaml", "network:\n  version: 2\n  ethernets:\n    ens33:\n      dhcp4: true\n" },
	{ "run/netplan/60-extra.yaml", "network:\n  version: 2\n  vlans:\n    v100: {id: 100, link: ens33}\n" },
	{ "etc/os-release", "ID=ubuntu\n" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nf_run("netplan", NETCFG_NETPLAN, files, 2, data, size);
	return 0;
}
