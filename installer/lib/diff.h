/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Line diffs for `vnic-install plan`: the shortest edit script between two texts (Myers'
 * O(ND) greedy algorithm, "An O(ND) Difference Algorithm and Its Variations", 1986), printed
 * in the unified format that diff -u and patch(1) understand. A line includes its newline; a
 * last line without one is marked "\ No newline at end of file". Nothing here prints.
 */
#pragma once

#include <stddef.h>

/* Lines of context around each change, as diff -u. */
#define DIFF_CONTEXT 3

/*
 * The unified diff from a (a_size bytes) to b, with headers "--- label_a" and "+++ label_b".
 * a or b NULL means the file does not exist (an empty side, as diff -N shows a new or removed
 * file; give "/dev/null" as its label). Identical texts give an empty string. Returns 0 with a
 * NUL-terminated string in *ret (to free), -ENOMEM, or -E2BIG when the texts have more than
 * DIFF_MAX_LINES lines together. *ret is untouched on failure.
 */
#define DIFF_MAX_LINES 1000000u
int diff_unified(const char *a, size_t a_size, const char *b, size_t b_size, const char *label_a,
		 const char *label_b, unsigned context, char **ret);

/* The edit script itself, for callers that count changes: lines removed from a and added. */
int diff_count(const char *a, size_t a_size, const char *b, size_t b_size, size_t *ret_removed,
	       size_t *ret_added);
