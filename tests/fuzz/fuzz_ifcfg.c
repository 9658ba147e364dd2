// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: RHEL ifcfg and route files (shell-variable reader), parser and planner. */
#include "../netcfg/fuzz_common.h"

static const struct nf_file files[] = {
	{ "etc/sysconfig/network-scripts/ifcfg-ens33", "DEVICE=ens33\nBOOTPROTO=dhcp\nONBOOT=yes\n" },
	{ "etc/sysconfig/network-scripts/route-ens33", "10.0.0.0/8 via 192.0.2.1\n" },
	{ "etc/sysconfig/network-scripts/ifcfg-ens33.5", "DEVICE=ens33.5\nVLAN=yes\n" },
	{ "etc/os-release", "ID=rhel\n" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nf_run("ifcfg", NETCFG_IFCFG, files, 3, data, size);
	return 0;
}
