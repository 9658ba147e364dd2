/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running a root's own tools (dkms, update-initramfs, dracut, systemctl) inside it: /proc,
 * /sys and /dev of the host bound into the root for as long as they run, and unbound
 * afterwards on every path (a cleanup attribute), with retries while something still holds
 * them. Nothing here prints.
 *
 * chroot_private_namespace() moves the process into a mount namespace of its own whose mounts
 * do not propagate to the host: whatever it mounts then disappears with the process, even when
 * it is killed with SIGKILL, so that no mount of ours can outlive a run.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct chroot_mounts;

/* unshare(CLONE_NEWNS) and every mount made MS_PRIVATE (recursively). 0 or -errno. */
int chroot_private_namespace(void);

/*
 * Binds the host's /proc, /sys (read-only) and /dev into root (its own directories, resolved
 * inside root with path_chase(); a missing one is created and removed again on teardown).
 * root must not be the host's "/" (-EINVAL). On failure, whatever was bound is unbound again
 * and *ret is untouched.
 */
int chroot_setup(const char *root, struct chroot_mounts **ret);

/*
 * Unbinds in reverse order: umount2() retried while it fails with EBUSY (up to about 5 s), then
 * detached lazily (MNT_DETACH) as a last resort. Returns 0, or the first error (-EBUSY when a
 * mount had to be detached lazily); frees m. NULL is fine.
 */
int chroot_teardown(struct chroot_mounts *m);
static inline void chroot_teardownp(struct chroot_mounts **m)
{
	if (*m)
		(void)chroot_teardown(*m);
}
#define _cleanup_chroot_ __attribute__((cleanup(chroot_teardownp)))

/* How many bind mounts m holds (for tests). */
size_t chroot_mount_count(const struct chroot_mounts *m);

/*
 * Unmounts path, retrying while it is busy (tries times, 100 ms apart), then lazily. Returns 0,
 * -EBUSY after a lazy detach, or another -errno (-EINVAL: not a mount point).
 */
int umount_retry(const char *path, unsigned tries);

/* True when path is a mount point (its device differs from its parent's, or it is "/"). */
bool path_is_mount_point(const char *path);
