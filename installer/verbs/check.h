/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link check of a swap, chosen, observed and run (docs/swap.md, "The link check"):
 *   choose   the kind (--check, default gateway), the gateway, the peers (--check peer:ADDR,
 *            tcp:ADDR:PORT) and the admin's SSH client (SSH_CONNECTION);
 *   observe  before anything changes, through the E1000: what each answers (system/reach.h),
 *            and so what must come back through the VMXNET3 NIC; a gateway or peer that
 *            answers nothing is refused here, before the swap;
 *   run      after the switch, through the VMXNET3 NIC, reported through the reporter.
 * Test-only: with VNIC_TEST_FAKE_LIVE=1 nothing is probed; every target is taken to have
 * answered as VNIC_TEST_REACH_SEEN says ("arp,echo" by default; "arp", "echo", "tcp", "none").
 */
#pragma once

#include <stdbool.h>

#include "cli.h"
#include "lib/report.h"
#include "system/linkcheck.h"
#include "system/reach.h"

#define CHECK_MAX_PEERS 8

struct swap_check {
	enum linkcheck_kind kind;
	const char *kind_str;  /* "gateway", "ping:10.0.0.1", ... */
	const char *ping;      /* ping: the address */
	char *gateway;         /* the gateway's address (text), or NULL */
	/* the gateway first (kind gateway), then the peers, then the SSH client */
	struct reach_target targets[CHECK_MAX_PEERS + 2];
	size_t n_targets;
	char *why;             /* for plan and the log: what the check proves, and why */
};

void check_done(struct swap_check *c);

/*
 * From the command line (a->check, a->check_peers), the gateway (or NULL) and
 * SSH_CONNECTION (or NULL). Returns 0 or an exit code (said with log_error).
 */
int check_choose(struct swap_check *c, const struct vnic_args *a, const char *gateway,
		 const char *ssh_connection);

/*
 * Observes every target through from (the E1000) and decides what must come back. Returns 0,
 * or EXIT_FAILED when a gateway or peer answered nothing (said with log_error: nothing is
 * changed; the user chooses another check). fake_seen (a test seam, NULL on a real system):
 * what the targets are taken to answer ("arp,echo", "none"), nothing is sent. read_only (plan): without the
 * privilege to probe, says so and leaves the decision to swap.
 */
int check_observe(struct swap_check *c, const char *from, const char *fake_seen, bool read_only);

/*
 * Runs the check on to (the VMXNET3 interface), address: the static address expected or
 * NULL. Reports the details and, on failure, the step's end. Returns 0 or -errno.
 */
int check_run(struct swap_check *c, const char *to, const char *address, unsigned timeout_sec,
	      struct report *rep);
/* The same without the reporter: *ret_why (to free) says why it failed. */
int check_prove(struct swap_check *c, const char *to, const char *address, unsigned timeout_sec,
		struct linkcheck_result *res, char **ret_why);

/*
 * For the boot guard (swap --confirm-timeout): the observed targets as lines of guard.conf
 * (REACH=, system/reach.h's format), pushed to *ret_lines; and back into *c with the kind
 * ("gateway", "address" or "carrier"). Return 0 or -errno (-EINVAL: a malformed line).
 */
int check_to_guard(const struct swap_check *c, char ***ret_lines);
int check_from_guard(struct swap_check *c, const char *kind, char *const *lines);
