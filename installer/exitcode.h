/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnic-install's exit codes; documented in vnic-install(8). Keep both in step. */
#pragma once

enum vnic_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,        /* the operation failed; nothing was changed, or it was undone */
	EXIT_USAGE = 2,         /* bad command line */
	EXIT_ROLLED_BACK = 3,   /* a swap failed its link check and was rolled back */
	EXIT_LOCKED = 4,        /* another vnic-install holds the lock */
	EXIT_PREREQ = 5,        /* prerequisites missing (headers, dkms, compiler, signing key) */
	EXIT_UNSUPPORTED = 6,   /* configuration we refuse to migrate (bond, bridge, ...) */
	EXIT_INCONSISTENT = 7,  /* a rollback or recovery could not complete: needs a person */
	EXIT_BAD_INPUT = 8,     /* a file we read is malformed; it names the file and line */
	EXIT_UNHEALTHY = 9,     /* health: a finding is a warning (drops, errors, no tools) */
};

/*
 * The exit code for a failure a verb reports as -errno (exitcode.c holds the one table):
 * -EBUSY another run holds the lock, -EBADMSG a malformed file, -ENOPKG a prerequisite is
 * missing, -EMEDIUMTYPE a configuration or image we do not migrate; anything else EXIT_FAILED.
 */
int exit_code_for_errno(int r);
