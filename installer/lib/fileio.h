/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading whole files with a size bound; replacing files atomically. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Configuration and sysfs files are small; anything larger than this is refused. */
#define READ_FILE_MAX (4u * 1024 * 1024)

/*
 * Reads a whole regular file (or sysfs attribute) into a NUL-terminated buffer.
 * Returns 0, -EFBIG when it holds more than max bytes, -EINVAL when it is not a regular
 * file (a FIFO, a device, a directory gives -EISDIR), or the -errno of open/read.
 * ret_size may be NULL. Outputs are untouched on failure.
 */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size);

/*
 * Replaces (or creates) path with data, atomically: a temporary file in the same directory
 * (O_CREAT|O_EXCL), the original's mode, owner and SELinux label (new_mode for a new file),
 * write, fsync, rename over path, fsync of the directory. On any failure the temporary file is
 * removed and path is left exactly as it was. A symlink at path is refused with -ELOOP: callers
 * resolve paths (path_chase) before writing.
 */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t new_mode);

/*
 * Removes temporary files that write_file_atomic() left next to path when the process was
 * killed half-way (".#<name>.vnic-*"). Recovery calls it for every file it restores.
 */
int remove_stale_temp_files(const char *path);

/* fsync()s the directory that contains path. */
int fsync_parent_dir(const char *path);

/* Creates a directory and its parents (like mkdir -p), mode for the ones it creates. */
int mkdir_parents(const char *path, mode_t mode);
