// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the ifupdown parser and planner (interfaces and an included file). */
#include "../netcfg/fuzz_common.h"

static const struct nf_file files[] = {
	{ "etc/network/interfaces", "source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\n" },
	{ "etc/network/interfaces.d/ens33", "auto ens33\niface ens33 inet dhcp\n" },
	{ "etc/os-release", "ID=debian\n" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nf_run("ifupdown", NETCFG_IFUPDOWN, files, 2, data, size);
	return 0;
}
