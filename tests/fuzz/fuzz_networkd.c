// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: systemd-networkd .network and .netdev files, parser and planner. */
#include "../netcfg/fuzz_common.h"

static const struct nf_file files[] = {
	{ "etc/systemd/network/10-ens33.network", "[Match]\nName=ens33\n[Network]\nDHCP=yes\nVLAN=v5\n" },
	{ "etc/systemd/network/20-v5.netdev", "[NetDev]\nName=v5\nKind=vlan\n[VLAN]\nId=5\n" },
	{ "usr/lib/systemd/network/20-v5.network", "[Match]\nName=v5\n[Network]\nAddress=10.5.0.1/24\n" },
	{ "etc/systemd/system/multi-user.target.wants/systemd-networkd.service", "" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nf_run("networkd", NETCFG_NETWORKD, files, 3, data, size);
	return 0;
}
