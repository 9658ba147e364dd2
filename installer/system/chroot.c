// SPDX-License-Identifier: GPL-2.0-or-later
/* Bind mounts of /proc, /sys and /dev into a root for its own tools, and their removal. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/path.h"
#include "system/chroot.h"

#define N_BINDS 3

struct chroot_mounts {
	char *target[N_BINDS];  /* host paths, in mount order; NULL when not mounted */
	bool created[N_BINDS];  /* we made the directory: remove it after unmounting */
};

static const struct {
	const char *source;
	bool read_only;
} binds[N_BINDS] = {
	{ "/proc", false },
	{ "/sys", true },
	{ "/dev", false },
};

int chroot_private_namespace(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return negative_errno();
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return negative_errno();
	return 0;
}

bool path_is_mount_point(const char *path)
{
	struct statx sx;
	struct stat a, b;
	_cleanup_free_ char *parent = NULL;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) == 0 &&
	    (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return sx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
	/* Older kernels: a different device than the parent's (misses binds within one fs). */
	parent = path_join(path, "..");
	if (!parent || lstat(path, &a) < 0 || stat(parent, &b) < 0)
		return false;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

int umount_retry(const char *path, unsigned tries)
{
	const struct timespec pause = { 0, 100 * 1000 * 1000 };

	for (unsigned i = 0; i < tries; i++) {
		if (umount2(path, UMOUNT_NOFOLLOW) == 0)
			return 0;
		if (errno != EBUSY)
			return negative_errno();
		nanosleep(&pause, NULL);
	}
	if (umount2(path, UMOUNT_NOFOLLOW | MNT_DETACH) < 0)
		return negative_errno();
	return -EBUSY;
}

size_t chroot_mount_count(const struct chroot_mounts *m)
{
	size_t n = 0;

	for (size_t i = 0; m && i < N_BINDS; i++)
		n += m->target[i] != NULL;
	return n;
}

int chroot_teardown(struct chroot_mounts *m)
{
	int first = 0;

	if (!m)
		return 0;
	for (size_t i = N_BINDS; i-- > 0;) {
		int r;

		if (!m->target[i])
			continue;
		r = umount_retry(m->target[i], 50);
		if (r < 0 && first == 0)
			first = r;
		if (r == 0 && m->created[i] && rmdir(m->target[i]) < 0 && first == 0)
			first = negative_errno();
		free(m->target[i]);
	}
	free(m);
	return first;
}

int chroot_setup(const char *root, struct chroot_mounts **ret)
{
	struct chroot_mounts *m;
	int r;

	if (root_is_host(root))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < N_BINDS; i++) {
		_cleanup_free_ char *host = NULL;
		struct stat st;
		bool created = false;

		r = path_chase(root, binds[i].source, CHASE_NONEXISTENT, &host);
		if (r < 0)
			goto fail;
		if (lstat(host, &st) < 0) {
			if (errno != ENOENT || mkdir(host, 0555) < 0) {
				r = negative_errno();
				goto fail;
			}
			created = true;
		} else if (!S_ISDIR(st.st_mode)) {
			r = -ENOTDIR;
			goto fail;
		}
		if (mount(binds[i].source, host, NULL, MS_BIND, NULL) < 0) {
			r = negative_errno();
			if (created)
				(void)rmdir(host);
			goto fail;
		}
		m->target[i] = TAKE_PTR(host);
		m->created[i] = created;
		/* A bind mount takes its flags only through a remount. */
		if (binds[i].read_only &&
		    mount(NULL, m->target[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID |
			  MS_NODEV | MS_NOEXEC, NULL) < 0) {
			r = negative_errno();
			goto fail;
		}
	}
	*ret = m;
	return 0;
fail:
	(void)chroot_teardown(m);
	return r;
}
