// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <unistd.h>

#include "fault.h"
#include "fileio.h"
#include "macro.h"

int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, alloc = 0;
	struct stat st;

	/* O_NONBLOCK keeps a FIFO planted in a bad root from hanging us before fstat. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;

	/* sysfs reports 4096 for every attribute: read until EOF rather than trust st_size. */
	for (;;) {
		ssize_t n;

		if (alloc - size < 2) {
			size_t want = alloc ? alloc * 2 : 4096;
			char *nb;

			if (want > max + 2)
				want = max + 2;
			if (want <= alloc)
				return -EFBIG;
			nb = realloc(buf, want);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			alloc = want;
		}
		n = read(fd, buf + size, alloc - size - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		size += (size_t)n;
		if (size > max)
			return -EFBIG;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[size] = 0;
	*ret = TAKE_PTR(buf);
	if (ret_size)
		*ret_size = size;
	return 0;
}

int fsync_parent_dir(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int fd = -1;
	char *slash;
	int r;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	r = fault_inject("fsync");
	if (r < 0)
		return r;
	if (fsync(fd) < 0)
		return negative_errno();
	return 0;
}

static int write_all(int fd, const void *data, size_t size)
{
	const uint8_t *p = data;

	while (size > 0) {
		ssize_t n;
		int r = fault_inject("write");

		if (r < 0)
			return r;
		n = write(fd, p, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

static void copy_selinux_label(const char *from, int to_fd)
{
	char label[256];
	ssize_t n = lgetxattr(from, "security.selinux", label, sizeof(label));

	/* Best effort: without SELinux there is no label, and then there is nothing to keep. */
	if (n > 0)
		(void)fsetxattr(to_fd, "security.selinux", label, (size_t)n, 0);
}

int write_file_atomic(const char *path, const void *data, size_t size, mode_t new_mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	const char *base;
	struct stat st;
	bool exists;
	uint32_t rnd;
	int r;

	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
		if (!S_ISREG(st.st_mode))
			return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		exists = true;
	} else if (errno == ENOENT) {
		exists = false;
	} else {
		return negative_errno();
	}

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)getpid() ^ (uint32_t)(uintptr_t)&rnd;
	base = strrchr(path, '/');
	if (asprintf(&tmp, "%.*s.#%s.vnic-%08x", base ? (int)(base - path + 1) : 0, path,
		     base ? base + 1 : path, rnd) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}

	r = fault_inject("open");
	if (r < 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return negative_errno();

	if (exists) {
		if (fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EPERM) {
			r = negative_errno();
			goto fail;
		}
		if (fchmod(fd, st.st_mode & 07777) < 0) {
			r = negative_errno();
			goto fail;
		}
		copy_selinux_label(path, fd);
	} else if (fchmod(fd, new_mode & 07777) < 0) {
		r = negative_errno();
		goto fail;
	}

	r = write_all(fd, data, size);
	if (r < 0)
		goto fail;
	r = fault_inject("fsync");
	if (r < 0)
		goto fail;
	if (fsync(fd) < 0) {
		r = negative_errno();
		goto fail;
	}
	if (close(TAKE_FD(fd)) < 0) {
		r = negative_errno();
		goto fail;
	}
	r = fault_inject("rename");
	if (r < 0)
		goto fail;
	if (rename(tmp, path) < 0) {
		r = negative_errno();
		goto fail;
	}
	/* The new contents are in place; a failed directory fsync only weakens durability. */
	return fsync_parent_dir(path);

fail:
	(void)unlink(tmp);
	return r;
}

int mkdir_parents(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return negative_errno();
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return negative_errno();
	return 0;
}

int remove_stale_temp_files(const char *path)
{
	_cleanup_free_ char *dir = strdup(path), *prefix = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char *slash;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (asprintf(&prefix, ".#%s.vnic-", slash ? slash + 1 : path) < 0) {
		prefix = NULL;
		return -ENOMEM;
	}
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		if (unlink(p) < 0 && errno != ENOENT && r == 0)
			r = negative_errno();
	}
	return r;
}
