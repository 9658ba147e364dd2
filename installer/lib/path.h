/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paths inside an alternative root. Every path the installer reads or writes is resolved with
 * path_chase(), so that symlinks (absolute ones too) and ".." stay inside --root, the way they
 * would resolve if the root were "/" (the same idea as systemd's chase()).
 */
#pragma once

#include <stdbool.h>

enum {
	CHASE_NONEXISTENT = 1 << 0, /* the path (or its tail) may not exist yet */
};

/*
 * Resolves path (absolute, interpreted inside root) and returns the host path of the result
 * in *ret. root NULL or "/" means the host's root. Returns 0, -ENOENT (unless
 * CHASE_NONEXISTENT), -ELOOP for symlink loops, -ENOTDIR when root is not a directory, or
 * another -errno. *ret is untouched on failure.
 */
int path_chase(const char *root, const char *path, unsigned flags, char **ret);

/* Joins two path parts with exactly one slash between them; NULL on allocation failure. */
char *path_join(const char *a, const char *b);

/* True when root is NULL, empty or "/". */
bool root_is_host(const char *root);
