// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * systemd-networkd's [Match] (systemd.network(5)): which link a .network file, with its
 * drop-ins, applies to. Every key present must fit (the [Match] sections of the file and of
 * its drop-ins together); each key holds a list of shell globs, and a list that starts with
 * "!" fits when none of its globs does. Name=, MACAddress=, PermanentMACAddress=, Driver=,
 * Type= and Path= are evaluated; any other key (Property=, Host=, Virtualization=,
 * KernelCommandLine=, OriginalName=, Kind=, ...) is one we cannot tell about offline, and
 * the caller refuses the file rather than guess.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "netcfg/networkd.h"

int nd_link_path(const char *root, const char *name, char **ret)
{
	_cleanup_free_ char *in_root = NULL, *dir = NULL, *dev = NULL;
	char target[PATH_MAX];
	const char *base;
	ssize_t n;
	int r;

	if (!name || strchr(name, '/') || asprintf(&in_root, "/sys/class/net/%s", name) < 0)
		return name ? -ENOMEM : -ENOENT;
	r = path_chase(root, in_root, 0, &dir);
	if (r < 0)
		return r;
	dev = path_join(dir, "device");
	if (!dev)
		return -ENOMEM;
	n = readlink(dev, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	/* udev's path_id for a PCI NIC: "pci-" and the device's own address */
	if (strlen(base) != 12 || base[4] != ':' || base[7] != ':' || base[10] != '.')
		return -ENOENT;
	if (asprintf(ret, "pci-%s", base) < 0)
		return -ENOMEM;
	return 0;
}

static bool glob_fits(const char *glob, const char *value)
{
	return value && fnmatch(glob, value, 0) == 0;
}

/* Whether the list of words fits value (or, for MACs, one of the NIC's MACs). */
static bool list_fits(char **w, const char *key, const struct nd_link *l, bool *ret_pattern)
{
	bool invert = w[0][0] == '!', hit = false;

	for (char **x = w; *x; x++) {
		const char *g = x == w && invert ? *x + 1 : *x;

		if (!*g)
			continue;
		if (strpbrk(g, "*?[") || invert)
			*ret_pattern = true;
		if (streq(key, "Name"))
			hit |= glob_fits(g, l->nic->name);
		else if (streq(key, "MACAddress") || streq(key, "PermanentMACAddress"))
			hit |= nc_mac_matches(g, l->nic);
		else if (streq(key, "Driver")) {
			*ret_pattern = true;
			hit |= glob_fits(g, l->nic->driver);
		} else if (streq(key, "Type"))
			hit |= glob_fits(g, "ether");
		else if (streq(key, "Path"))
			hit |= glob_fits(g, l->path);
	}
	return invert ? !hit : hit;
}

static bool key_known(const char *key, const struct nd_link *l)
{
	if (streq(key, "Path"))
		return l->path != NULL;
	return streq(key, "Name") || streq(key, "MACAddress") || streq(key, "PermanentMACAddress") ||
	       streq(key, "Driver") || streq(key, "Type");
}

int nd_match_inis(const struct nc_ini *const *inis, size_t n, const struct nd_link *l,
		  bool *ret_pattern, const struct nc_ini_entry **ret_key)
{
	const struct nc_ini_entry *unknown = NULL;
	bool any = false, ok = true, pattern = false;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < inis[i]->n; k++) {
			const struct nc_ini_entry *e = &inis[i]->e[k];
			_cleanup_strv_free_ char **w = NULL;

			if (!streq(e->section, "Match"))
				continue;
			if (strv_split(e->value, " \t", &w) < 0)
				return -ENOMEM;
			if (!w[0])
				continue; /* an empty assignment resets: treat as absent */
			any = true;
			if (!key_known(e->key, l)) {
				unknown = unknown ?: e;
				continue;
			}
			ok &= list_fits(w, e->key, l, &pattern);
		}
	*ret_pattern = pattern;
	if (!any || !ok)
		return 0;
	if (unknown) {
		*ret_key = unknown;
		return -EUCLEAN;
	}
	return 1;
}
