/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for unit tests that build a small fake root in their scratch directory. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/fileio.h"
#include "unit.h"

static char sysroot[PATH_MAX];

/* A fresh, empty root "rootN" under the scratch directory; use as a cmocka setup. */
static inline int sysroot_new(void **state)
{
	static unsigned n;

	assert_non_null(realpath(".", sysroot));
	snprintf(sysroot + strlen(sysroot), sizeof(sysroot) - strlen(sysroot), "/root%u", n++);
	assert_int_equal(mkdir(sysroot, 0755), 0);
	return 0;
}

static inline char *sysroot_path(const char *rel, char buf[static PATH_MAX * 2])
{
	snprintf(buf, PATH_MAX * 2, "%s/%s", sysroot, rel);
	return buf;
}

static inline void sysroot_mkdir(const char *rel)
{
	char p[PATH_MAX * 2];

	assert_int_equal(mkdir_parents(sysroot_path(rel, p), 0755), 0);
}

/* Writes rel (creating its directories) with content and mode. */
static inline void sysroot_put(const char *rel, const char *content, mode_t mode)
{
	char p[PATH_MAX * 2], *slash;

	sysroot_path(rel, p);
	slash = strrchr(p, '/');
	*slash = 0;
	assert_int_equal(mkdir_parents(p, 0755), 0);
	*slash = '/';
	unit_write(p, content);
	assert_int_equal(chmod(p, mode), 0);
}

static inline void sysroot_link(const char *rel, const char *target)
{
	char p[PATH_MAX * 2], *slash;

	sysroot_path(rel, p);
	slash = strrchr(p, '/');
	*slash = 0;
	assert_int_equal(mkdir_parents(p, 0755), 0);
	*slash = '/';
	assert_int_equal(symlink(target, p), 0);
}

/* A sysfs NIC: /sys/class/net/<name> -> devices/pci0000:00/<slot>/net/<name>, with its PCI ids,
 * driver, MAC (address and addr_assign_type), MTU 9000, ifindex 4 and carrier. */
static inline void sysroot_fake_nic(const char *name, const char *slot, const char *vendor, const char *device,
		     const char *driver, const char *mac, const char *assign, bool carrier)
{
	char rel[PATH_MAX], target[PATH_MAX];

#define PUT(attr, val)                                                                     \
	do {                                                                               \
		snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/net/%s/" attr, slot, name); \
		sysroot_put(rel, val, 0644);                                                \
	} while (0)
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/vendor", slot);
	sysroot_put(rel, vendor, 0644);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/device", slot);
	sysroot_put(rel, device, 0644);
	if (driver) {
		snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/driver", slot);
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
		sysroot_link(rel, target);
	}
	PUT("address", mac);
	PUT("addr_assign_type", assign);
	PUT("mtu", "9000\n");
	PUT("ifindex", "4\n");
	if (carrier)
		PUT("carrier", "1\n");
#undef PUT
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/net/%s/device", slot, name);
	sysroot_link(rel, "../..");
	snprintf(rel, sizeof(rel), "sys/class/net/%s", name);
	snprintf(target, sizeof(target), "../../devices/pci0000:00/%s/net/%s", slot, name);
	sysroot_link(rel, target);
}
