// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wait-port: a step of the swap's plan (and of its rollback), journaled as a command so that a
 * recovery runs it too: waits until a NIC is a usable port of its bond or bridge, before the
 * other port leaves (system/port.h says why). With a MASTER, it first makes the NIC a port of
 * it unless it is one (a rollback's: whatever state the swap left the NIC in).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exitcode.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "system/port.h"
#include "verbs.h"

#define WAIT_PORT_DEFAULT_SEC 30

int verb_wait_port(const struct vnic_args *args)
{
	const char *port = args->verb_args[0];
	const char *master = args->n_verb_args > 1 ? args->verb_args[1] : NULL;
	const unsigned sec = (args->given & OPT_TIMEOUT) ? args->timeout_sec : WAIT_PORT_DEFAULT_SEC;
	int r;

	if (master && !root_is_host(args->root)) {
		fprintf(stderr, "vnic-install: wait-port with a MASTER changes the running system: "
			"not with --root.\n");
		return EXIT_USAGE;
	}
	r = master ? port_join(port, master) : 0;
	if (r < 0) {
		fprintf(stderr, "vnic-install: cannot make %s a port of %s: %s\n", port, master,
			strerror(-r));
		return r == -ENODEV || r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
	}
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
