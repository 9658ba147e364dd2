/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one renderer of step lists (what `plan` shows, what swap asks about before it runs):
 * every step in the order the executor runs it, with its id; files with a unified diff against
 * the file as it is now and where its backup goes; commands with their undo and when the undo
 * runs. Text for people, or one JSON document:
 *   {"operation": ..., "from", "to", "backend", "check": {...} | null,
 *    "steps": [{"step": 1, "id": ..., "kind": "write|remove|keep|run|probe|call", "title",
 *               "argv", "undo", "undo_phase": "in-order|after-files", "path", "diff", ...}]}
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct step_list;

struct step_view {
	const char *operation;   /* "swap", "prepare", "driver install" */
	const char *root;        /* where the current files are read for the diffs (NULL: host) */
	const char *from, *to;   /* interface names, or NULL */
	const char *backend;
	const char *check;       /* the link check's kind, or NULL */
	const char *check_target;
	const char *check_why;
	unsigned timeout_sec;
	const struct step_list *lists[3]; /* shown one after the other; NULL ends */
};

/* The number of steps the view holds. */
unsigned step_view_count(const struct step_view *v);
/* Prints v to f. Returns 0, or -errno when a current file cannot be read (its path then in
 * *ret_bad_path when that is not NULL, to free). */
int step_render(FILE *f, const struct step_view *v, bool json, char **ret_bad_path);
