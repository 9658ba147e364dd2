// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Disk images without root: formats, fstab lookups, partition specs, layout refusals, libblkid
 * probes of small files (a whole-disk ext4, an ambivalent one), and who holds an image (an OFD
 * lock as QEMU takes, a writer found through /proc).
 */
#include "unit.h"

#include <signal.h>
#include <sys/wait.h>

#include "system/image.h"

static void test_format(void **state)
{
	enum image_format f = IMAGE_FORMAT_RAW;
	const char *name = NULL;

	unit_write("q.img", "QFI\xfb\x00\x00\x00\x03 rest of a qcow2 header");
	assert_int_equal(image_format_detect("q.img", &f, NULL), 0);
	assert_int_equal(f, IMAGE_FORMAT_QCOW2);
	unit_write("v.img", "KDMV\x01\x00\x00\x00 sparse extent");
	assert_int_equal(image_format_detect("v.img", &f, &name), -EMEDIUMTYPE);
	assert_string_equal(name, "VMDK");
	unit_write("r.img", "\x00\x00\x00\x00 anything else is raw");
	assert_int_equal(image_format_detect("r.img", &f, NULL), 0);
	assert_int_equal(f, IMAGE_FORMAT_RAW);
	assert_int_equal(image_format_detect("missing.img", &f, NULL), -ENOENT);
	assert_int_equal(mkdir("d", 0755), 0);
	assert_int_equal(image_format_detect("d", &f, NULL), -EISDIR);
}

static void test_fstab(void **state)
{
	const char *fstab = "# /etc/fstab\n"
			    "UUID=aaaa-1 /         ext4 errors=remount-ro 0 1\n"
			    "\n"
			    "LABEL=boot  /boot/    ext4 defaults 0 2   # trailing comment\n"
			    "/dev/vda15  /boot/efi vfat umask=0077 0 1\n";
	_cleanup_free_ char *spec = NULL, *type = NULL;
	unsigned line = 0;

	assert_int_equal(fstab_find(fstab, "/boot", &spec, &type, &line), 0);
	assert_string_equal(spec, "LABEL=boot");
	assert_string_equal(type, "ext4");
	assert_int_equal(fstab_find(fstab, "/srv", NULL, NULL, &line), -ENOENT);
	assert_int_equal(fstab_find("UUID=x / ext4\nlonely\n", "/boot", NULL, NULL, &line), -EBADMSG);
	assert_int_equal(line, 2);
}

static struct image_layout layout(void)
{
	static struct image_part parts[3];
	struct image_layout l = { .parts = parts, .n = 3 };

	parts[0] = (struct image_part){ .number = 1, .fstype = (char *)"ext4",
					.uuid = (char *)"1111-aaaa", .label = (char *)"boot" };
	parts[1] = (struct image_part){ .number = 2, .fstype = (char *)"ext4",
					.uuid = (char *)"2222-bbbb",
					.partuuid = (char *)"c0ffee00-02" };
	parts[2] = (struct image_part){ .number = 15, .fstype = (char *)"vfat",
					.partlabel = (char *)"EFI" };
	return l;
}

static void test_find_spec(void **state)
{
	struct image_layout l = layout();

	assert_ptr_equal(image_layout_find(&l, "UUID=1111-AAAA"), &l.parts[0]);
	assert_ptr_equal(image_layout_find(&l, "UUID=\"2222-bbbb\""), &l.parts[1]);
	assert_ptr_equal(image_layout_find(&l, "LABEL=boot"), &l.parts[0]);
	assert_ptr_equal(image_layout_find(&l, "PARTUUID=c0ffee00-02"), &l.parts[1]);
	assert_ptr_equal(image_layout_find(&l, "/dev/disk/by-partlabel/EFI"), &l.parts[2]);
	assert_ptr_equal(image_layout_find(&l, "/dev/sda2"), &l.parts[1]);
	assert_ptr_equal(image_layout_find(&l, "/dev/vda15"), &l.parts[2]);
	assert_ptr_equal(image_layout_find(&l, "/dev/nvme0n1p1"), &l.parts[0]);
	assert_null(image_layout_find(&l, "/dev/nvme0n1"));
	assert_null(image_layout_find(&l, "UUID=9999"));
	assert_null(image_layout_find(&l, "tmpfs"));
}

static void test_layout_check(void **state)
{
	struct image_part p[2] = {};
	struct image_layout l = { .parts = p, .n = 2 };
	char *why = NULL;

	p[0] = (struct image_part){ .number = 1, .fstype = (char *)"ext4" };
	p[1] = (struct image_part){ .number = 2, .fstype = (char *)"LVM2_member" };
	assert_int_equal(image_layout_check(&l, &why), -EMEDIUMTYPE);
	assert_non_null(strstr(why, "partition 2 is an LVM physical volume"));
	free(why);
	/* An LVM partition type without a signature yet is refused too. */
	p[1] = (struct image_part){ .number = 2,
				    .part_type = (char *)"e6d6d379-f507-44c2-a23c-238f2a3df928" };
	assert_int_equal(image_layout_check(&l, &why), -EMEDIUMTYPE);
	free(why);
	p[1] = (struct image_part){ .number = 2, .fstype = (char *)"crypto_LUKS" };
	assert_int_equal(image_layout_check(&l, &why), -EMEDIUMTYPE);
	assert_non_null(strstr(why, "LUKS"));
	free(why);
	p[1] = (struct image_part){ .number = 2, .fstype = (char *)"swap" };
	assert_int_equal(image_layout_check(&l, NULL), 0);
	p[0].fstype = (char *)"vfat";
	assert_int_equal(image_layout_check(&l, &why), -EMEDIUMTYPE);
	assert_non_null(strstr(why, "no partition holds a file system"));
	free(why);
}

static void test_probe(void **state)
{
	struct image_layout l = {};
	char *why = NULL;

	if (system("mke2fs -q -F -t ext4 -L tmpl whole.img 8M >/dev/null 2>&1") != 0)
		skip();
	assert_int_equal(image_probe("whole.img", &l, &why), 0);
	assert_null(l.pttype);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.parts[0].number, 0);
	assert_string_equal(l.parts[0].fstype, "ext4");
	assert_string_equal(l.parts[0].label, "tmpl");
	image_layout_done(&l);

	/* An iso9660 signature over the ext4: libblkid's safe probe is ambivalent (-2). */
	assert_int_equal(system("printf '\\001CD001\\001' | dd of=whole.img bs=1 seek=32768 "
				"conv=notrunc status=none"), 0);
	assert_int_equal(image_probe("whole.img", &l, &why), -ENOTUNIQ);
	assert_non_null(why);
	free(why);

	unit_write("zero.img", "");
	assert_int_equal(truncate("zero.img", 1 << 20), 0);
	assert_int_equal(image_probe("zero.img", &l, NULL), -ENOMEDIUM);
}

static void test_partitioned(void **state)
{
	struct image_layout l = {};

	if (system("truncate -s 16M gpt.img && printf 'label: gpt\\nstart=2048, size=6M, "
		   "type=L\\nsize=8M, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\\n' | "
		   "sfdisk -q gpt.img >/dev/null 2>&1 && mke2fs -q -F -t ext4 p1.img 6M && "
		   "dd if=p1.img of=gpt.img bs=1M seek=1 conv=notrunc status=none") != 0)
		skip();
	assert_int_equal(image_probe("gpt.img", &l, NULL), 0);
	assert_string_equal(l.pttype, "gpt");
	assert_int_equal(l.n, 2);
	assert_int_equal(l.parts[0].number, 1);
	assert_int_equal(l.parts[0].offset, 1024 * 1024);
	assert_int_equal(l.parts[0].size, 6 * 1024 * 1024);
	assert_string_equal(l.parts[0].fstype, "ext4");
	assert_non_null(l.parts[0].partuuid);
	assert_null(l.parts[1].fstype);
	assert_int_equal(image_layout_check(&l, NULL), -EMEDIUMTYPE);
	image_layout_done(&l);
}

/* A child holds img open (and maybe locked) until killed. */
static pid_t holder(const char *img, int flags, bool lock)
{
	int pipefd[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(img, flags);
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 100,
				    .l_len = 1 };

		if (fd < 0 || (lock && fcntl(fd, F_OFD_SETLK, &fl) < 0))
			_exit(1);
		(void)!write(pipefd[1], "x", 1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_in_use(void **state)
{
	pid_t pid, who = 0;

	unit_write("disk.img", "data");
	assert_int_equal(image_check_unused("disk.img", NULL), 0);

	pid = holder("disk.img", O_RDONLY, true); /* QEMU locks bytes of its images (OFD) */
	assert_int_equal(image_check_unused("disk.img", &who), -EBUSY);
	stop(pid);

	pid = holder("disk.img", O_RDWR, false); /* a writer without locks: found in /proc */
	assert_int_equal(image_check_unused("disk.img", &who), -EBUSY);
	assert_int_equal(who, pid);
	stop(pid);

	pid = holder("disk.img", O_RDONLY, false); /* a reader does not count */
	assert_int_equal(image_check_unused("disk.img", NULL), 0);
	stop(pid);
}

static void test_paths(void **state)
{
	_cleanup_free_ char *o = image_overlay_path("/srv/t.raw"),
			    *m = image_commit_marker_path("/srv/t.raw");

	assert_string_equal(o, "/srv/t.raw.vnic-overlay.qcow2");
	assert_string_equal(m, "/srv/t.raw.vnic-commit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),     cmocka_unit_test(test_fstab),
		cmocka_unit_test(test_find_spec),  cmocka_unit_test(test_layout_check),
		cmocka_unit_test(test_probe),      cmocka_unit_test(test_partitioned),
		cmocka_unit_test(test_in_use),     cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
