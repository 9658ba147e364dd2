// SPDX-License-Identifier: GPL-2.0-or-later
/* Disk images: format, users, partitions (libblkid), loop devices and the overlay session. */
#include <blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/exec.h"
#include "lib/fault.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "system/chroot.h"
#include "system/image.h"

static inline void blkid_free_probep(blkid_probe *p)
{
	if (*p)
		blkid_free_probe(*p);
}
#define _cleanup_blkid_probe_ _cleanup_(blkid_free_probep)

const char *image_format_to_string(enum image_format f)
{
	return f == IMAGE_FORMAT_QCOW2 ? "qcow2" : "raw";
}

int image_format_detect(const char *path, enum image_format *ret, const char **ret_name)
{
	static const struct {
		const char *magic;
		size_t offset, len;
		const char *name;
	} others[] = {
		{ "KDMV", 0, 4, "VMDK" },
		{ "# Disk DescriptorFile", 0, 21, "VMDK descriptor" },
		{ "vhdxfile", 0, 8, "VHDX" },
		{ "conectix", 0, 8, "VHD" },
		{ "<<< ", 0, 4, "VDI" },
	};
	_cleanup_close_ int fd = -1;
	unsigned char buf[64] = {};
	struct stat st;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return -EINVAL;
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return negative_errno();
	if (n >= 4 && memcmp(buf, "QFI\xfb", 4) == 0) {
		*ret = IMAGE_FORMAT_QCOW2;
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(others); i++)
		if ((size_t)n >= others[i].offset + others[i].len &&
		    memcmp(buf + others[i].offset, others[i].magic, others[i].len) == 0) {
			if (ret_name)
				*ret_name = others[i].name;
			return -EMEDIUMTYPE;
		}
	*ret = IMAGE_FORMAT_RAW;
	return 0;
}

/* Whether /proc/PID/fdinfo/FD says the descriptor was opened for writing. */
static bool fd_writable(const char *pid, const char *fd)
{
	_cleanup_free_ char *p = NULL, *text = NULL;
	const char *flags;

	if (asprintf(&p, "/proc/%s/fdinfo/%s", pid, fd) < 0)
		return false;
	if (read_full_file(p, 64 * 1024, &text, NULL) < 0)
		return false;
	flags = strstr(text, "flags:");
	if (!flags)
		return false;
	return (strtoul(flags + 6, NULL, 8) & O_ACCMODE) != O_RDONLY;
}

static int scan_proc(const struct stat *img, pid_t *ret_pid)
{
	_cleanup_closedir_ DIR *proc = opendir("/proc");
	struct dirent *de;

	if (!proc)
		return negative_errno();
	while ((de = readdir(proc))) {
		_cleanup_closedir_ DIR *fds = NULL;
		_cleanup_free_ char *dir = NULL;
		struct dirent *fe;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == getpid())
			continue;
		if (asprintf(&dir, "/proc/%ld/fd", pid) < 0)
			return -ENOMEM;
		fds = opendir(dir);
		if (!fds)
			continue; /* gone, or not ours to look at */
		while ((fe = readdir(fds))) {
			struct stat st;

			if (fe->d_name[0] == '.')
				continue;
			if (fstatat(dirfd(fds), fe->d_name, &st, 0) < 0)
				continue;
			if (st.st_dev != img->st_dev || st.st_ino != img->st_ino)
				continue;
			if (fd_writable(de->d_name, fe->d_name)) {
				if (ret_pid)
					*ret_pid = (pid_t)pid;
				return -EBUSY;
			}
		}
	}
	return 0;
}

int image_check_unused(const char *path, pid_t *ret_pid)
{
	_cleanup_close_ int fd = -1;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	/* Any lock conflicts with a write lock on the whole file: QEMU's (OFD) ones included. */
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
		return negative_errno();
	if (fl.l_type != F_UNLCK) {
		if (ret_pid)
			*ret_pid = fl.l_pid > 0 ? fl.l_pid : 0;
		return -EBUSY;
	}
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
		if (ret_pid)
			*ret_pid = fl.l_pid;
		return -EBUSY;
	}
	return scan_proc(&st, ret_pid);
}

static void part_done(struct image_part *p)
{
	free(p->fstype);
	free(p->uuid);
	free(p->label);
	free(p->partuuid);
	free(p->partlabel);
	free(p->part_type);
}

void image_layout_done(struct image_layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		part_done(&l->parts[i]);
	free(l->parts);
	free(l->pttype);
	*l = (struct image_layout){};
}

static int dup_value(blkid_probe pr, const char *name, char **ret)
{
	const char *v = NULL;

	if (blkid_probe_lookup_value(pr, name, &v, NULL) < 0 || !v) {
		*ret = NULL;
		return 0;
	}
	*ret = strdup(v);
	return *ret ? 0 : -ENOMEM;
}

/* The file system signature in [offset, offset+size) of fd. */
static int probe_fs(int fd, uint64_t offset, uint64_t size, struct image_part *p, char **ret_why)
{
	_cleanup_blkid_probe_ blkid_probe pr = blkid_new_probe();
	int r;

	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)offset, (blkid_loff_t)size) < 0)
		return -EIO;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID |
						      BLKID_SUBLKS_LABEL);
	blkid_probe_enable_partitions(pr, 0);
	errno = 0;
	r = blkid_do_safeprobe(pr);
	if (r == -2) {
		if (ret_why && asprintf(ret_why, "partition %u (at byte %llu) carries more than "
					"one file system signature; blkid cannot tell which is "
					"real (wipe the stale one with wipefs)",
					p->number, (unsigned long long)offset) < 0)
			*ret_why = NULL;
		return -ENOTUNIQ;
	}
	if (r < 0)
		return errno > 0 ? -errno : -EIO;
	if (r == 1)
		return 0; /* nothing there */
	if ((r = dup_value(pr, "TYPE", &p->fstype)) < 0 || (r = dup_value(pr, "UUID", &p->uuid)) < 0 ||
	    (r = dup_value(pr, "LABEL", &p->label)) < 0)
		return r;
	return 0;
}

static int add_part(struct image_layout *l, struct image_part *p)
{
	struct image_part *n = realloc(l->parts, (l->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	l->parts = n;
	l->parts[l->n++] = *p;
	*p = (struct image_part){};
	return 0;
}

static int strdup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

int image_probe(const char *path, struct image_layout *ret, char **ret_why)
{
	_cleanup_blkid_probe_ blkid_probe pr = NULL;
	_cleanup_close_ int fd = -1;
	struct image_layout l = {};
	blkid_partlist list;
	const char *pttype = NULL;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	pr = blkid_new_probe_from_filename(path);
	if (!pr)
		return errno > 0 ? -errno : -EIO;
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID |
						      BLKID_SUBLKS_LABEL);
	errno = 0;
	r = blkid_do_safeprobe(pr);
	if (r == -2) {
		if (ret_why && asprintf(ret_why, "%s carries both a partition table and a file "
					"system signature (or several of either); blkid cannot "
					"tell which is real", path) < 0)
			*ret_why = NULL;
		return -ENOTUNIQ;
	}
	if (r < 0)
		return errno > 0 ? -errno : -EIO;
	if (r == 1)
		return -ENOMEDIUM;

	if (blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL) < 0 || !pttype) {
		/* A file system (or LVM, LUKS) on the whole disk. */
		struct image_part p = { .number = 0, .offset = 0,
					.size = (uint64_t)blkid_probe_get_size(pr) };

		if ((r = dup_value(pr, "TYPE", &p.fstype)) < 0 ||
		    (r = dup_value(pr, "UUID", &p.uuid)) < 0 ||
		    (r = dup_value(pr, "LABEL", &p.label)) < 0 || (r = add_part(&l, &p)) < 0) {
			part_done(&p);
			image_layout_done(&l);
			return r;
		}
		*ret = l;
		return 0;
	}

	l.pttype = strdup(pttype);
	if (!l.pttype)
		return -ENOMEM;
	list = blkid_probe_get_partitions(pr);
	for (int i = 0; list && i < blkid_partlist_numof_partitions(list); i++) {
		blkid_partition par = blkid_partlist_get_partition(list, i);
		struct image_part p = {};
		const char *type_str = blkid_partition_get_type_string(par);

		if (blkid_partition_is_extended(par))
			continue;
		p.number = (unsigned)blkid_partition_get_partno(par);
		p.offset = (uint64_t)blkid_partition_get_start(par) * 512;
		p.size = (uint64_t)blkid_partition_get_size(par) * 512;
		r = strdup_or_null(blkid_partition_get_uuid(par), &p.partuuid);
		if (r == 0)
			r = strdup_or_null(blkid_partition_get_name(par), &p.partlabel);
		if (r == 0 && type_str)
			r = strdup_or_null(type_str, &p.part_type);
		else if (r == 0 && asprintf(&p.part_type, "0x%x",
					    (unsigned)blkid_partition_get_type(par)) < 0)
			r = -ENOMEM;
		if (r == 0)
			r = probe_fs(fd, p.offset, p.size, &p, ret_why);
		if (r == 0)
			r = add_part(&l, &p);
		if (r < 0) {
			part_done(&p);
			image_layout_done(&l);
			return r;
		}
	}
	*ret = l;
	return 0;
}

bool image_fstype_supported(const char *fstype)
{
	return streq(fstype, "ext4") || streq(fstype, "ext3") || streq(fstype, "ext2") ||
	       streq(fstype, "xfs") || streq(fstype, "btrfs");
}

static bool is_lvm_type(const char *t)
{
	return t && (strcasecmp(t, "e6d6d379-f507-44c2-a23c-238f2a3df928") == 0 ||
		     strcasecmp(t, "0x8e") == 0);
}

int image_layout_check(const struct image_layout *l, char **ret_why)
{
	bool any = false;

	for (size_t i = 0; i < l->n; i++) {
		const struct image_part *p = &l->parts[i];
		const char *what = NULL;

		if (streq(p->fstype, "LVM2_member") || is_lvm_type(p->part_type))
			what = "an LVM physical volume";
		else if (p->fstype && strncmp(p->fstype, "crypto_", 7) == 0)
			what = "an encrypted (LUKS) volume";
		else if (streq(p->fstype, "linux_raid_member") || streq(p->fstype, "isw_raid_member"))
			what = "a software RAID member";
		if (what) {
			if (ret_why && (p->number ?
				asprintf(ret_why, "partition %u is %s; prepare --image supports plain "
					 "partitions only (prepare the mounted system with --root "
					 "instead)", p->number, what) :
				asprintf(ret_why, "the disk is %s; prepare --image supports plain "
					 "partitions only (prepare the mounted system with --root "
					 "instead)", what)) < 0)
				*ret_why = NULL;
			return -EMEDIUMTYPE;
		}
		any = any || image_fstype_supported(p->fstype);
	}
	if (!any) {
		if (ret_why && asprintf(ret_why, "no partition holds a file system vnic can mount "
					"(ext2/3/4, xfs, btrfs)") < 0)
			*ret_why = NULL;
		return -EMEDIUMTYPE;
	}
	return 0;
}

/* The partition number at the end of a device name: sda2, vda2, nvme0n1p2, mmcblk0p2. */
static int devname_partno(const char *name)
{
	size_t n = strlen(name), i = n;

	while (i > 0 && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i == n || i == 0)
		return -1;
	if (name[i - 1] == 'p' && i >= 2 && isdigit((unsigned char)name[i - 2]))
		return atoi(name + i);
	if (strncmp(name, "nvme", 4) == 0 || strncmp(name, "mmcblk", 6) == 0)
		return -1; /* nvme0n1 is the disk */
	return atoi(name + i);
}

const struct image_part *image_layout_find(const struct image_layout *l, const char *spec)
{
	static const struct {
		const char *prefix;
		size_t field;
	} keyed[] = {
		{ "UUID=", offsetof(struct image_part, uuid) },
		{ "LABEL=", offsetof(struct image_part, label) },
		{ "PARTUUID=", offsetof(struct image_part, partuuid) },
		{ "PARTLABEL=", offsetof(struct image_part, partlabel) },
		{ "/dev/disk/by-uuid/", offsetof(struct image_part, uuid) },
		{ "/dev/disk/by-label/", offsetof(struct image_part, label) },
		{ "/dev/disk/by-partuuid/", offsetof(struct image_part, partuuid) },
		{ "/dev/disk/by-partlabel/", offsetof(struct image_part, partlabel) },
	};
	int partno;

	if (!spec)
		return NULL;
	for (size_t k = 0; k < ELEMENTSOF(keyed); k++) {
		size_t len = strlen(keyed[k].prefix);
		const char *want = spec + len;
		char quoted[256];

		if (strncmp(spec, keyed[k].prefix, len) != 0)
			continue;
		/* UUID="..." is allowed by mount(8). */
		if (*want == '"' && strlen(want) >= 2 && strlen(want) < sizeof(quoted) &&
		    want[strlen(want) - 1] == '"') {
			snprintf(quoted, sizeof(quoted), "%.*s", (int)strlen(want) - 2, want + 1);
			want = quoted;
		}
		for (size_t i = 0; i < l->n; i++) {
			const char *v = *(char *const *)((const char *)&l->parts[i] + keyed[k].field);

			if (v && strcasecmp(v, want) == 0)
				return &l->parts[i];
		}
		return NULL;
	}
	if (strncmp(spec, "/dev/", 5) != 0)
		return NULL;
	partno = devname_partno(strrchr(spec, '/') + 1);
	for (size_t i = 0; partno > 0 && i < l->n; i++)
		if (l->parts[i].number == (unsigned)partno)
			return &l->parts[i];
	return NULL;
}

int fstab_find(const char *text, const char *mountpoint, char **ret_spec, char **ret_type,
	       unsigned *ret_line)
{
	unsigned line = 0;
	const char *p = text;

	while (p && *p) {
		const char *nl = strchrnul(p, '\n');
		_cleanup_free_ char *copy = strndup(p, (size_t)(nl - p));
		_cleanup_strv_free_ char **f = NULL;
		char *hash;
		int r;

		line++;
		p = *nl ? nl + 1 : nl;
		if (!copy)
			return -ENOMEM;
		hash = strchr(copy, '#');
		if (hash)
			*hash = 0;
		r = strv_split(copy, " \t\r", &f);
		if (r < 0)
			return r;
		if (strv_length(f) == 0)
			continue;
		if (strv_length(f) < 2) {
			if (ret_line)
				*ret_line = line;
			return -EBADMSG;
		}
		/* fstab escapes blanks in paths as \040; compare after a trailing-slash trim. */
		{
			size_t n = strlen(f[1]);

			while (n > 1 && f[1][n - 1] == '/')
				f[1][--n] = 0;
		}
		if (!streq(f[1], mountpoint))
			continue;
		if (ret_spec && !(*ret_spec = strdup(f[0])))
			return -ENOMEM;
		if (ret_type && !(*ret_type = strdup(f[2] ? f[2] : "auto"))) {
			if (ret_spec) {
				free(*ret_spec);
				*ret_spec = NULL;
			}
			return -ENOMEM;
		}
		return 0;
	}
	return -ENOENT;
}

int loop_attach(const char *file, uint64_t offset, uint64_t size, bool read_only,
		char **ret_dev, int *ret_fd)
{
	_cleanup_close_ int ctl = -1, fd = -1;
	int r;

	r = fault_inject("loop");
	if (r < 0)
		return r;
	fd = open(file, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return negative_errno();
	for (unsigned attempt = 0; attempt < 64; attempt++) {
		_cleanup_close_ int dev = -1;
		_cleanup_free_ char *name = NULL;
		struct loop_config cfg = {
			.fd = (unsigned)fd,
			.info = {
				.lo_offset = offset,
				.lo_sizelimit = size,
				.lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0),
			},
		};
		int nr = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (nr < 0)
			return negative_errno();
		if (asprintf(&name, "/dev/loop%d", nr) < 0)
			return -ENOMEM;
		dev = open(name, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (dev < 0)
			return negative_errno();
		if (ioctl(dev, LOOP_CONFIGURE, &cfg) < 0) {
			if (errno == EBUSY)
				continue; /* another process took it first */
			if (errno != EINVAL && errno != ENOTTY)
				return negative_errno();
			/* Kernels before 5.8: LOOP_SET_FD, then the offsets. */
			if (ioctl(dev, LOOP_SET_FD, fd) < 0) {
				if (errno == EBUSY)
					continue;
				return negative_errno();
			}
			if (ioctl(dev, LOOP_SET_STATUS64, &cfg.info) < 0) {
				r = negative_errno();
				(void)ioctl(dev, LOOP_CLR_FD, 0);
				return r;
			}
		}
		*ret_dev = TAKE_PTR(name);
		*ret_fd = TAKE_FD(dev);
		return 0;
	}
	return -EBUSY;
}

/* --- the session ----------------------------------------------------------------------- */

#define MAX_MOUNTS 4

struct image_session {
	char *image, *overlay, *marker, *workdir, *export;
	enum image_format format;
	bool direct;
	pid_t daemon;
	char *mounts[MAX_MOUNTS]; /* mounted directories, in mount order */
	int loop_fds[MAX_MOUNTS];  /* the loop device under each, kept open until it is detached */
	char *loop_devs[MAX_MOUNTS];
	size_t n_mounts;
	const struct image_part *root_part;
};

char *image_overlay_path(const char *image)
{
	char *p;

	return asprintf(&p, "%s.vnic-overlay.qcow2", image) < 0 ? NULL : p;
}

char *image_commit_marker_path(const char *image)
{
	char *p;

	return asprintf(&p, "%s.vnic-commit", image) < 0 ? NULL : p;
}

static int run_quiet(char *const argv[])
{
	struct exec_opts o = { .merge_stderr = true, .timeout_sec = 3600 };
	struct exec_result res;
	int r;

	r = exec_run(argv, &o, &res);
	if (r < 0)
		return r;
	r = exec_succeeded(&res) ? 0 : -EIO;
	exec_result_done(&res);
	return r;
}

/* Merges the overlay into the image; the marker says a commit is under way. */
static int commit_overlay(const char *overlay, const char *marker)
{
	char *argv[] = { (char *)"qemu-img", (char *)"commit", (char *)"-q", (char *)overlay, NULL };
	_cleanup_close_ int fd = -1;
	int r;

	fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return negative_errno();
	if (fsync(fd) < 0 || fsync_parent_dir(marker) < 0)
		return negative_errno();
	r = fault_inject("commit");
	if (r < 0)
		return r;
	r = run_quiet(argv);
	if (r < 0)
		return r;
	if (unlink(overlay) < 0 && errno != ENOENT)
		return negative_errno();
	if (unlink(marker) < 0)
		return negative_errno();
	return fsync_parent_dir(marker);
}

/* Removes what an interrupted run left next to the image (see image.h). */
static int recover_leftovers(const char *image, const char *overlay, const char *marker)
{
	if (access(marker, F_OK) == 0) {
		if (access(overlay, F_OK) == 0)
			return commit_overlay(overlay, marker);
		if (unlink(marker) < 0)
			return negative_errno();
		return 0;
	}
	if (unlink(overlay) < 0 && errno != ENOENT)
		return negative_errno();
	return 0;
}

/* ",," escapes a comma in qemu's key=value option syntax. */
static char *qemu_escape(const char *s)
{
	size_t n = strlen(s) + 1;
	char *out, *o;

	for (const char *c = s; *c; c++)
		n += *c == ',';
	out = o = malloc(n);
	if (!out)
		return NULL;
	for (const char *c = s; *c; c++) {
		*o++ = *c;
		if (*c == ',')
			*o++ = ',';
	}
	*o = 0;
	return out;
}

static int start_export(struct image_session *s)
{
	_cleanup_free_ char *ov = qemu_escape(s->overlay), *ex = qemu_escape(s->export);
	_cleanup_free_ char *a1 = NULL, *a3 = NULL;
	_cleanup_close_ int fd = -1;
	const struct timespec pause = { 0, 50 * 1000 * 1000 };
	pid_t pid;

	if (!ov || !ex)
		return -ENOMEM;
	if (asprintf(&a1, "driver=file,node-name=vnicfile,filename=%s", ov) < 0 ||
	    asprintf(&a3, "type=fuse,id=vnicexp,node-name=vnicdisk,mountpoint=%s,writable=on", ex) < 0)
		return -ENOMEM;
	fd = open(s->export, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return negative_errno();
	pid = fork();
	if (pid < 0)
		return negative_errno();
	if (pid == 0) {
		char *argv[] = { (char *)"qemu-storage-daemon", (char *)"--blockdev", a1,
				 (char *)"--blockdev",
				 (char *)"driver=qcow2,node-name=vnicdisk,file=vnicfile",
				 (char *)"--export", a3, NULL };
		int null = open("/dev/null", O_RDWR);

		/* The export must not outlive us, whatever kills us. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	s->daemon = pid;
	/* Ready when the export file has become a mount point of its own. */
	for (unsigned i = 0; i < 200; i++) {
		int status;

		if (path_is_mount_point(s->export))
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			s->daemon = 0;
			return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
		}
		nanosleep(&pause, NULL);
	}
	return -ETIMEDOUT;
}

static int stop_export(struct image_session *s)
{
	int status, r = 0;

	if (s->daemon <= 0)
		return 0;
	/* Our namespace's copy of the export first; the daemon unmounts its own. */
	if (path_is_mount_point(s->export))
		(void)umount2(s->export, MNT_DETACH);
	/* SIGTERM: qemu-storage-daemon flushes, unmounts the export and exits. The flush of a
	 * whole DKMS build and initramfs can take a while on a loaded machine: up to 2 minutes
	 * (15 s was seen to run out in CI while another image was being prepared). */
	kill(s->daemon, SIGTERM);
	for (unsigned i = 0; i < 2400; i++) {
		const struct timespec pause = { 0, 50 * 1000 * 1000 };

		if (waitpid(s->daemon, &status, WNOHANG) == s->daemon) {
			s->daemon = 0;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				r = -EIO;
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (s->daemon > 0) {
		kill(s->daemon, SIGKILL);
		waitpid(s->daemon, &status, 0);
		s->daemon = 0;
		r = -ETIMEDOUT;
	}
	return r;
}

int image_cleanup_stale_exports(const char *dir, const char *prefix)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	int first = 0;

	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL, *disk = NULL, *rootdir = NULL;
		struct stat st;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		sub = path_join(dir, de->d_name);
		disk = sub ? path_join(sub, "disk") : NULL;
		rootdir = sub ? path_join(sub, "root") : NULL;
		if (!disk || !rootdir)
			return -ENOMEM;
		/* Only dead ones: a live export belongs to a run in progress. */
		if (stat(disk, &st) == 0 || errno != ENOTCONN)
			continue;
		if (umount2(disk, MNT_DETACH) < 0 && first == 0)
			first = negative_errno();
		(void)unlink(disk);
		(void)rmdir(rootdir);
		(void)rmdir(sub);
	}
	return first;
}

static bool program_exists(const char *name)
{
	_cleanup_free_ char *p = NULL;

	return exec_find_program(NULL, name, &p);
}

int image_session_open(const char *image, enum image_format format, const char *workdir,
		       bool force_direct, struct image_session **ret)
{
	struct image_session *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->format = format;
	s->image = realpath(image, NULL);
	s->workdir = strdup(workdir);
	if (!s->image || !s->workdir) {
		r = s->image ? -ENOMEM : negative_errno();
		goto fail;
	}
	s->overlay = image_overlay_path(s->image);
	s->marker = image_commit_marker_path(s->image);
	s->export = path_join(workdir, "disk");
	if (!s->overlay || !s->marker || !s->export) {
		r = -ENOMEM;
		goto fail;
	}
	r = recover_leftovers(s->image, s->overlay, s->marker);
	if (r < 0)
		goto fail;

	s->direct = force_direct || !program_exists("qemu-storage-daemon") ||
		    !program_exists("qemu-img");
	if (s->direct) {
		if (format != IMAGE_FORMAT_RAW) {
			r = -EOPNOTSUPP;
			goto fail;
		}
		*ret = s;
		return 0;
	}
	{
		char *argv[] = { (char *)"qemu-img", (char *)"create", (char *)"-q", (char *)"-f",
				 (char *)"qcow2", (char *)"-b", s->image, (char *)"-F",
				 (char *)image_format_to_string(format), s->overlay, NULL };

		r = run_quiet(argv);
		if (r < 0)
			goto fail;
	}
	r = start_export(s);
	if (r < 0)
		goto fail;
	*ret = s;
	return 0;
fail:
	(void)image_session_finish(s, false);
	return r;
}

const char *image_session_disk(const struct image_session *s)
{
	return s->direct ? s->image : s->export;
}

bool image_session_direct(const struct image_session *s)
{
	return s->direct;
}

const struct image_part *image_session_root_part(const struct image_session *s)
{
	return s->root_part;
}

static int mount_part(struct image_session *s, const struct image_part *p, const char *dir,
		      unsigned long flags)
{
	_cleanup_free_ char *dev = NULL, *copy = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (s->n_mounts >= MAX_MOUNTS)
		return -E2BIG;
	copy = strdup(dir);
	if (!copy)
		return -ENOMEM;
	r = loop_attach(image_session_disk(s), p->offset, p->size, false, &dev, &fd);
	if (r < 0)
		return r;
	r = fault_inject("mount");
	if (r < 0)
		return r;
	if (mount(dev, dir, p->fstype, flags, NULL) < 0)
		return negative_errno();
	s->mounts[s->n_mounts] = TAKE_PTR(copy);
	s->loop_devs[s->n_mounts] = TAKE_PTR(dev);
	s->loop_fds[s->n_mounts] = TAKE_FD(fd);
	s->n_mounts++;
	return 0;
}

/*
 * Detaches a loop device and waits until it is gone. An auto-clearing loop device detaches
 * asynchronously after its last close, flushing to its backing file: the export must still be
 * there to take that flush, so the session waits for it before it stops the export.
 */
static int loop_detach_wait(int fd, const char *dev)
{
	_cleanup_free_ char *sys = NULL;
	const struct timespec pause = { 0, 20 * 1000 * 1000 };

	if (fd >= 0) {
		(void)fsync(fd);
		if (ioctl(fd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO) {
			int r = negative_errno();

			close(fd);
			return r;
		}
		close(fd);
	}
	if (!dev || asprintf(&sys, "/sys/block/%s/loop/backing_file", strrchr(dev, '/') + 1) < 0)
		return 0;
	for (unsigned i = 0; i < 6000; i++) { /* up to 2 minutes, as stop_export() */
		if (access(sys, F_OK) < 0)
			return 0;
		nanosleep(&pause, NULL);
	}
	return -ETIMEDOUT;
}

static int unmount_last(struct image_session *s)
{
	size_t i;
	int r, q;

	if (s->n_mounts == 0)
		return 0;
	i = --s->n_mounts;
	r = umount_retry(s->mounts[i], 50);
	q = r == 0 ? loop_detach_wait(s->loop_fds[i], s->loop_devs[i]) : 0;
	if (r != 0 && s->loop_fds[i] >= 0)
		close(s->loop_fds[i]); /* lazily detached: it clears itself when the mount goes */
	free(s->mounts[i]);
	free(s->loop_devs[i]);
	s->loop_fds[i] = -1;
	return r < 0 ? r : q;
}

static bool has_os_release(const char *dir)
{
	static const char *const files[] = { "/etc/os-release", "/usr/lib/os-release" };

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *p = NULL;

		if (path_chase(dir, files[i], 0, &p) == 0)
			return true;
	}
	return false;
}

int image_session_mount(struct image_session *s, const struct image_layout *l, const char *dir,
			char **ret_why)
{
	_cleanup_free_ char *fstab_path = NULL, *fstab = NULL, *spec = NULL, *boot = NULL;
	const struct image_part *bp;
	unsigned line = 0;
	int r;

	for (size_t i = 0; i < l->n && !s->root_part; i++) {
		if (!image_fstype_supported(l->parts[i].fstype))
			continue;
		r = mount_part(s, &l->parts[i], dir, MS_RDONLY);
		if (r < 0)
			return r;
		if (has_os_release(dir)) {
			s->root_part = &l->parts[i];
			if (mount(NULL, dir, NULL, MS_REMOUNT, NULL) < 0)
				return negative_errno();
		} else {
			r = unmount_last(s);
			if (r < 0)
				return r;
		}
	}
	if (!s->root_part)
		return -ENOENT;

	/* A separate /boot, where the root's fstab says. */
	r = path_chase(dir, "/etc/fstab", 0, &fstab_path);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = read_full_file(fstab_path, READ_FILE_MAX, &fstab, NULL);
	if (r < 0)
		return r;
	r = fstab_find(fstab, "/boot", &spec, NULL, &line);
	if (r == -ENOENT)
		return 0;
	if (r == -EBADMSG) {
		if (ret_why && asprintf(ret_why, "/etc/fstab:%u: expected at least two fields",
					line) < 0)
			*ret_why = NULL;
		return r;
	}
	if (r < 0)
		return r;
	bp = image_layout_find(l, spec);
	if (!bp || !image_fstype_supported(bp->fstype)) {
		if (ret_why && asprintf(ret_why, "/etc/fstab mounts %s at /boot, which is not a "
					"file system of this image", spec) < 0)
			*ret_why = NULL;
		return -ENXIO;
	}
	if (bp == s->root_part)
		return 0;
	r = path_chase(dir, "/boot", 0, &boot);
	if (r < 0)
		return r;
	return mount_part(s, bp, boot, 0);
}

int image_session_finish(struct image_session *s, bool commit)
{
	int first = 0, r;

	if (!s)
		return 0;
	while (s->n_mounts > 0) {
		r = unmount_last(s);
		if (r < 0 && first == 0)
			first = r;
	}
	sync();
	r = stop_export(s);
	if (r < 0 && first == 0)
		first = r;
	if (s->export)
		(void)unlink(s->export);
	if (!s->direct && s->overlay) {
		if (commit && first == 0)
			first = commit_overlay(s->overlay, s->marker);
		else if (unlink(s->overlay) < 0 && errno != ENOENT && first == 0)
			first = negative_errno();
	}
	free(s->image);
	free(s->overlay);
	free(s->marker);
	free(s->workdir);
	free(s->export);
	free(s);
	return first;
}
