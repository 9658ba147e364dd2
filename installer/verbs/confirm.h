/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * swap --confirm-timeout SEC: the change waits for `vnic-install confirm` and is rolled back
 * on its own when nobody confirms, also across a reboot. It is prepare's boot guard
 * (verbs/guard.c), armed by the swap: its files are written in the swap's transaction, which
 * stays APPLIED with a guard; the guard runs at once (systemd, vnic-guard.service) and again
 * at every boot until `confirm`; it checks the VMXNET3 interface with the swap's own check
 * (REACH= lines of guard.conf) and restores the transaction when the check fails or the time
 * runs out.
 */
#pragma once

#include "step/step.h"
#include "txn/txn.h"
#include "verbs/check.h"

/* The steps that write the guard's files (step/guard.h): the check c of to (from: the E1000).
 * Returns 0 or -errno. */
int confirm_guard_steps(const struct swap_check *c, const char *from, const char *to,
			unsigned link_timeout, unsigned confirm_timeout, struct step_list *l);

/* Starts the guard now (systemctl daemon-reload; start --no-block). Returns 0 or -errno. */
int confirm_start_guard(void);
