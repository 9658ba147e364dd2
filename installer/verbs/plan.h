/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rendering of a plan (what `vnic-install plan` shows, and what swap and prepare are about to
 * do): every step in the order it runs, every file with a unified diff against the file as it
 * is now, every backup, every command with its undo, as text or as one JSON document.
 *
 * Usage (swap, prepare):
 *   struct plan_view v = { .operation = "prepare", .root = root, .from = "ens33",
 *                          .to = "ens33", .backend = plan.backend, .netcfg = &plan,
 *                          .driver_steps = steps, .n_driver_steps = n };
 *   plan_print(stdout, &v, json);
 * Commands of the netcfg plan are shown only when .run_commands is true (a live swap);
 * .check NULL leaves out the link check and the E1000's shutdown (prepare).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct netcfg_plan;

/* A step of the driver's installation (or any other step before the network part). */
struct plan_command {
	const char *title;       /* "Build vmxnet3 2.0.0 for 6.1.0-26-amd64 through DKMS" */
	char *const *argv;       /* the command, or NULL for a step that runs none */
	char *const *undo_argv;  /* what undoes it, or NULL */
};

struct plan_view {
	const char *operation; /* "swap", "prepare" */
	const char *root;      /* where the files are read for the diffs (NULL: the host) */
	const char *from, *to; /* interface names */
	const char *backend;
	const struct plan_command *driver_steps;
	size_t n_driver_steps;
	const struct netcfg_plan *netcfg;
	const struct netcfg_plan *extra_files; /* shown after netcfg's files (prepare's guard) */
	bool run_commands;     /* show the netcfg plan's commands (live) */
	const char *check;     /* "gateway", "ping:10.0.0.1"..., or NULL */
	const char *check_target; /* the gateway or address the check will try, or NULL */
	const char *check_why;    /* what the check proves and why (verbs/check.h), or NULL */
	unsigned timeout_sec;
	const struct plan_command *final_steps; /* last; after a passed check when there is one */
	size_t n_final_steps;
};

/* The number of steps plan_print() shows (and swap reports). */
unsigned plan_count_steps(const struct plan_view *v);

/*
 * Prints the plan to f. Returns 0, or -errno when a current file cannot be read (the path is
 * then in *ret_bad_path when that is not NULL, to free).
 */
int plan_print(FILE *f, const struct plan_view *v, bool json, char **ret_bad_path);
