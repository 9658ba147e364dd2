/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Disk images of templates, for `vnic-install prepare --image`: their format, whether another
 * process uses them, their partitions and file systems (libblkid), loop devices at partition
 * offsets, and a copy-on-write session around the whole run.
 *
 * The session: a qcow2 overlay next to the image (<image>.vnic-overlay.qcow2, backed by the
 * image) is exported as a raw disk through FUSE by qemu-storage-daemon; every write of the run
 * lands in the overlay. image_session_finish(commit=true) stops the export and merges the
 * overlay into the image (qemu-img commit); commit=false deletes it, and the image is then
 * byte-identical to before. A run killed before the commit leaves only a stale overlay, which
 * the next run removes; one killed during the commit leaves a marker
 * (<image>.vnic-commit) and the next run finishes the commit first. Without
 * qemu-storage-daemon a raw image is used in place (direct mode: failures are then undone by
 * the transaction journal, but the image is not byte-identical). Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum image_format {
	IMAGE_FORMAT_RAW,
	IMAGE_FORMAT_QCOW2,
};
const char *image_format_to_string(enum image_format f);

/* raw or qcow2 by the file's first bytes; -EMEDIUMTYPE for VMDK, VHD(X), VDI (named in
 * *ret_name when not NULL, a static string). */
int image_format_detect(const char *path, enum image_format *ret, const char **ret_name);

/*
 * Whether another process has the image open for writing or locked: an OFD or POSIX lock on
 * any byte (QEMU locks its images with OFD locks: F_OFD_GETLK finds them), else any process
 * whose /proc/PID/fd holds it open with O_WRONLY or O_RDWR. Returns 0 when nobody does, -EBUSY
 * (with *ret_pid the holder, 0 when unknown; may be NULL), or another -errno.
 */
int image_check_unused(const char *path, pid_t *ret_pid);

struct image_part {
	unsigned number;  /* partition number (1...), 0 for a file system on the whole disk */
	uint64_t offset, size; /* bytes */
	char *fstype;     /* "ext4", "xfs", "LVM2_member", "crypto_LUKS", ...; NULL: none found */
	char *uuid, *label; /* of the file system, or NULL */
	char *partuuid, *partlabel; /* of the partition entry, or NULL */
	char *part_type;  /* the partition table's type: GUID or "0x83", or NULL */
};

struct image_layout {
	char *pttype; /* "gpt", "dos", or NULL: a file system on the whole disk */
	struct image_part *parts;
	size_t n;
};
void image_layout_done(struct image_layout *l);

/*
 * Reads the partition table and the file system of each partition with libblkid
 * (blkid_do_safeprobe). Returns 0, -ENOTUNIQ when a probe is ambivalent (several signatures
 * claim the same area: blkid_do_safeprobe() returned -2), -ENOMEDIUM when it finds neither a
 * partition table nor a file system, or another -errno. *ret_why (may be NULL) gets a sentence
 * for people on -ENOTUNIQ (to free).
 */
int image_probe(const char *path, struct image_layout *ret, char **ret_why);

/*
 * Refuses layouts we cannot prepare: LVM physical volumes (by signature or partition type),
 * LUKS, software RAID members, and layouts with no mountable file system. Returns 0 or
 * -EMEDIUMTYPE with a sentence in *ret_why (to free).
 */
int image_layout_check(const struct image_layout *l, char **ret_why);

/* True for the file systems we mount (ext2/3/4, xfs, btrfs). */
bool image_fstype_supported(const char *fstype);

/*
 * The partition an fstab spec names: UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/disk/by-*,
 * or a device name ending in the partition number (/dev/sda2, /dev/vda2, /dev/nvme0n1p2,
 * /dev/xvda2). NULL when none matches.
 */
const struct image_part *image_layout_find(const struct image_layout *l, const char *spec);

/*
 * The spec of the file system fstab mounts at mountpoint ("/boot"), from fstab's text, in
 * *ret_spec and its type in *ret_type (either may be NULL; to free). -ENOENT when fstab has no
 * such line, -EBADMSG with *ret_line for a line with fewer than two fields.
 */
int fstab_find(const char *text, const char *mountpoint, char **ret_spec, char **ret_type,
	       unsigned *ret_line);

/*
 * Attaches a loop device to file at [offset, offset+size) (size 0: to the end), read-write
 * unless read_only, with LO_FLAGS_AUTOCLEAR: it detaches itself when the last user (a mount or
 * *ret_fd) lets go. Returns 0 with the device's path in *ret_dev (to free) and an open fd in
 * *ret_fd (the caller closes it once the device is mounted).
 */
int loop_attach(const char *file, uint64_t offset, uint64_t size, bool read_only,
		char **ret_dev, int *ret_fd);

/* The session around a run on an image (see above). */
struct image_session;

/*
 * Opens a session on image: finishes a commit an earlier run left half done, removes a stale
 * overlay, then (unless direct mode is forced or qemu-storage-daemon is missing, which a qcow2
 * image refuses with -EOPNOTSUPP) creates the overlay and starts its export. workdir is an empty
 * directory for the export. Call it before the process moves into its private mount namespace
 * (chroot_private_namespace()): the export's daemon must not share the namespace that holds the
 * file systems mounted from the export, or, killed last, it would have to flush them to itself
 * while exiting and hang.
 */
int image_session_open(const char *image, enum image_format format, const char *workdir,
		       bool force_direct, struct image_session **ret);
/*
 * Removes the exports a run killed outright left behind in dir (entries named prefix*): a FUSE
 * mount whose daemon is gone answers ENOTCONN; it is detached and its directory removed. Live
 * exports (runs in progress) are left alone.
 */
int image_cleanup_stale_exports(const char *dir, const char *prefix);

/* The raw disk to probe and mount: the export, or the image itself in direct mode. */
const char *image_session_disk(const struct image_session *s);
bool image_session_direct(const struct image_session *s);

/*
 * Mounts the root file system (the first supported partition holding /etc/os-release or
 * /usr/lib/os-release) at dir read-write, and the partition the root's /etc/fstab mounts at
 * /boot (when it is a separate one) inside it. Returns 0, -ENOENT when no partition holds an
 * os-release, -ENXIO when fstab names a /boot that is not in the image (*ret_why says which),
 * or another -errno. Mounted file systems are unmounted by image_session_finish().
 */
int image_session_mount(struct image_session *s, const struct image_layout *l, const char *dir,
			char **ret_why);
/* The partition mounted as root (after image_session_mount), or NULL. */
const struct image_part *image_session_root_part(const struct image_session *s);

/*
 * Unmounts (retrying), syncs, stops the export; then commits the overlay into the image
 * (commit) or deletes it. Returns 0 or the first error; frees s. A failed unmount prevents the
 * commit (-EBUSY) and leaves the overlay for the next run to discard.
 */
int image_session_finish(struct image_session *s, bool commit);
static inline void image_session_abortp(struct image_session **s)
{
	if (*s)
		(void)image_session_finish(*s, false);
}
#define _cleanup_image_session_ __attribute__((cleanup(image_session_abortp)))

/* <image>.vnic-overlay.qcow2 and <image>.vnic-commit (to free), or NULL. */
char *image_overlay_path(const char *image);
char *image_commit_marker_path(const char *image);
