// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: every other file detect parses, read from a scratch root the way detect
 * reads them. The first byte picks the file (a legacy release file, GRUB's grubenv, Photon's
 * boot config, the dkms script, a sysfs attribute, a unit link target); the rest is its
 * content.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "system/distro.h"
#include "system/kernel.h"
#include "system/manager.h"
#include "system/nic.h"
#include "system/service.h"
#include "system/tools.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"etc/centos-release", "etc/redhat-release", "etc/system-release", "etc/SuSE-release",
	"etc/lsb-release",    "etc/debian_version", "boot/grub2/grubenv", "boot/photon.cfg",
	"usr/sbin/dkms",      "sys/class/net/ens33/address", "sys/class/net/ens33/device/vendor",
	"sys/class/net/ens33/mtu", "etc/systemd/system/x.service",
	"etc/NetworkManager/NetworkManager.conf", "etc/sysconfig/network-scripts/ifcfg-ens33",
	"efi/loader/loader.conf", "boot/loader/entries/x.conf",
};

static char root[4096];

static void put(const char *rel, const uint8_t *data, size_t size, mode_t mode)
{
	char p[4096 + 256], *slash;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	slash = strrchr(p, '/');
	*slash = 0;
	mkdir_parents(p, 0755);
	*slash = '/';
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

static void setup(void)
{
	/* run.sh points TMPDIR at the run's scratch directory, which it removes. */
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/sysfiles-root.%d", tmp && *tmp ? tmp : "/tmp",
		 (int)getpid());
	mkdir_parents(root, 0755);
	put("lib/modules/5.10.0-9-amd64/modules.order", (const uint8_t *)"", 0, 0644);
	put("lib/modules/5.14.0-1.el9.x86_64/modules.order", (const uint8_t *)"", 0, 0644);
	put("sys/class/net/ens33/device/device", (const uint8_t *)"0x100f\n", 7, 0644);
	put("sys/class/net/ens33/device/vendor", (const uint8_t *)"0x8086\n", 7, 0644);
	put("sys/class/net/ens33/address", (const uint8_t *)"00:0c:29:00:00:01\n", 18, 0644);
	/* systemd-boot pointing at an entry, so that entries are read. */
	put("boot/loader/loader.conf", (const uint8_t *)"default x\n", 10, 0644);
	/* NetworkManager enabled, so that its configuration is read. */
	put("usr/lib/systemd/system/NetworkManager.service", (const uint8_t *)"", 0, 0644);
	{
		char p[4096 + 256], t[4096 + 256];

		snprintf(p, sizeof(p), "%s/etc/systemd/system/multi-user.target.wants", root);
		mkdir_parents(p, 0755);
		snprintf(p, sizeof(p),
			 "%s/etc/systemd/system/multi-user.target.wants/NetworkManager.service", root);
		snprintf(t, sizeof(t), "/usr/lib/systemd/system/NetworkManager.service");
		if (symlink(t, p) < 0 && errno != EEXIST)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct distro d = {};
	struct kernel_list kl = {};
	struct tools t = {};
	struct nic_list nl = {};
	enum service_state s;
	const char *file;
	char *bad = NULL;
	unsigned line;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	file = files[data[0] % (sizeof(files) / sizeof(files[0]))];
	put(file, data + 1, size - 1, strncmp(file, "usr/sbin", 8) == 0 ? 0755 : 0644);

	if (distro_detect(root, &d, &bad, &line) == 0)
		distro_done(&d);
	free(bad);
	if (kernel_list_detect(root, &d, &kl) == 0)
		kernel_list_done(&kl);
	if (tools_detect(root, NULL, &t) == 0)
		tools_done(&t);
	if (nic_list_detect(root, false, &nl) == 0)
		nic_list_done(&nl);
	(void)service_state(root, "x.service", &s);
	{
		char *ifcfg[] = { "/etc/sysconfig/network-scripts/ifcfg-ens33", NULL };

		(void)nm_manages_ifcfg(root, "ens33", "00:0c:29:00:00:01", ifcfg);
	}

	/* Leave the file out for the next input. */
	{
		char p[4096 + 256];

		snprintf(p, sizeof(p), "%s/%s", root, file);
		unlink(p);
	}
	return 0;
}
