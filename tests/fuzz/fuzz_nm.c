// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: NetworkManager keyfiles and NetworkManager.conf, parser and planner. */
#include "../netcfg/fuzz_common.h"

static const struct nf_file files[] = {
	{ "etc/NetworkManager/system-connections/ens33.nmconnection",
	  "[connection]\nid=ens33\nuuid=6a4f2b35-0c1e-4b8e-9d36-2f6f1b9c8a11\ntype=ethernet\ninterface-name=ens33\n[ipv4]\nmethod=auto\n" },
	{ "etc/NetworkManager/system-connections/vlan.nmconnection",
	  "[connection]\nid=v\ntype=vlan\n[vlan]\nid=5\nparent=ens33\n" },
	{ "etc/NetworkManager/NetworkManager.conf", "[main]\nplugins=keyfile\n" },
	{ "etc/os-release", "ID=fedora\n" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nf_run("nm", NETCFG_NM, files, 3, data, size);
	return 0;
}
