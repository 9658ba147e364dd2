// SPDX-License-Identifier: GPL-2.0-or-later
/* vnic-install: everything lives in cli.c and below, so that the unit tests can reach it. */
#include "cli.h"

int main(int argc, char **argv)
{
	return vnic_main(argc, argv);
}
