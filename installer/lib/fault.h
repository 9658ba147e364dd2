/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection for tests. VNIC_FAULT holds comma-separated rules "POINT:N[:WHAT]": the N-th
 * time the code passes POINT ("write", "fsync", "rename", "open", "step", ...) it fails with
 * errno WHAT (a name such as ENOSPC or a number; EIO by default), or, when WHAT is "crash",
 * the process ends on the spot with _exit(FAULT_CRASH_EXIT) as if it had been killed, so that
 * recovery can be tested after every step. WHAT may also be SIGINT, SIGTERM or SIGHUP: the
 * process sends itself that signal there and goes on (an interrupted swap).
 */
#pragma once

#define FAULT_CRASH_EXIT 99

/* Parses a rule set (NULL clears); returns 0 or -EINVAL for a malformed rule. */
int fault_configure(const char *spec);
/* Reads VNIC_FAULT once; called by main(). */
int fault_configure_from_env(void);
/* Counts one pass through POINT: 0 to go on, or the configured -errno. May not return. */
int fault_inject(const char *point);
