// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wait-port: a step of the swap's plan (and of its rollback), journaled as a command so that a
 * recovery runs it too: waits until a NIC is a usable port of its bond or bridge, before the
 * other port leaves (system/port.h says why).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exitcode.h"
#include "system/port.h"
#include "verbs.h"

#define WAIT_PORT_DEFAULT_SEC 30

int verb_wait_port(const struct vnic_args *args)
{
	const char *port = args->verb_args[0];
	const unsigned sec = (args->given & OPT_TIMEOUT) ? args->timeout_sec : WAIT_PORT_DEFAULT_SEC;
	int r;

	r = port_wait(args->root, port, sec * 1000);
	if (r == -EINVAL) {
		fprintf(stderr, "vnic-install: '%s' is not an interface name.\n", port);
		return EXIT_USAGE;
	}
	if (r == -ETIMEDOUT) {
		fprintf(stderr, "vnic-install: %s is not an up port of a bond or bridge after %u s.\n",
			port, sec);
		return EXIT_FAILED;
	}
	if (r < 0) {
		fprintf(stderr, "vnic-install: cannot read the port state of %s: %s\n", port, strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
