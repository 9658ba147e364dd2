// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NICs from sysfs: /sys/class/net/<name> links into /sys/devices; an interface with a
 * "device" link is backed by hardware (a PCI function for the NICs we care about). Everything
 * is read under the root with path_chase(), so a fake tree of plain files and symlinks
 * behaves like the real sysfs.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "system/nic.h"

#define SYSFS_ATTR_MAX 4096u
#define NICS_MAX 4096

static const struct {
	const char *pci_id;
	enum nic_model model;
} pci_models[] = {
	/* What VMware and QEMU emulate, and the rest of the 8254x family e1000 drives. */
	{ "8086:100f", NIC_MODEL_E1000 }, /* 82545EM copper: VMware's e1000 */
	{ "8086:100e", NIC_MODEL_E1000 }, /* 82540EM: QEMU's e1000 */
	{ "8086:1000", NIC_MODEL_E1000 }, { "8086:1001", NIC_MODEL_E1000 },
	{ "8086:1004", NIC_MODEL_E1000 }, { "8086:1008", NIC_MODEL_E1000 },
	{ "8086:1009", NIC_MODEL_E1000 }, { "8086:100c", NIC_MODEL_E1000 },
	{ "8086:100d", NIC_MODEL_E1000 }, { "8086:1010", NIC_MODEL_E1000 },
	{ "8086:1011", NIC_MODEL_E1000 }, { "8086:1012", NIC_MODEL_E1000 },
	{ "8086:1013", NIC_MODEL_E1000 }, { "8086:1015", NIC_MODEL_E1000 },
	{ "8086:1016", NIC_MODEL_E1000 }, { "8086:1017", NIC_MODEL_E1000 },
	{ "8086:1018", NIC_MODEL_E1000 }, { "8086:1019", NIC_MODEL_E1000 },
	{ "8086:101d", NIC_MODEL_E1000 }, { "8086:1026", NIC_MODEL_E1000 },
	{ "8086:1076", NIC_MODEL_E1000 }, { "8086:1079", NIC_MODEL_E1000 },
	{ "8086:107c", NIC_MODEL_E1000 },
	{ "8086:10d3", NIC_MODEL_E1000E }, /* 82574L: VMware's e1000e, QEMU's e1000e */
	{ "8086:10d4", NIC_MODEL_E1000E }, { "8086:105e", NIC_MODEL_E1000E },
	{ "8086:10b9", NIC_MODEL_E1000E }, { "8086:10f6", NIC_MODEL_E1000E },
	{ "15ad:07b0", NIC_MODEL_VMXNET3 },
};

enum nic_model nic_model_from_ids(const char *pci_id, const char *driver)
{
	if (pci_id)
		for (size_t i = 0; i < ELEMENTSOF(pci_models); i++)
			if (streq(pci_models[i].pci_id, pci_id))
				return pci_models[i].model;
	if (streq(driver, "e1000"))
		return NIC_MODEL_E1000;
	if (streq(driver, "e1000e"))
		return NIC_MODEL_E1000E;
	if (streq(driver, "vmxnet3"))
		return NIC_MODEL_VMXNET3;
	return NIC_MODEL_OTHER;
}

const char *nic_model_to_string(enum nic_model m)
{
	switch (m) {
	case NIC_MODEL_E1000:
		return "e1000";
	case NIC_MODEL_E1000E:
		return "e1000e";
	case NIC_MODEL_VMXNET3:
		return "vmxnet3";
	default:
		return "other";
	}
}

static void nic_done(struct nic *n)
{
	free(n->name);
	free(n->mac);
	free(n->permanent_mac);
	free(n->pci_id);
	free(n->driver);
	strv_free(n->addresses);
	strv_free(n->config_files);
}

void nic_list_done(struct nic_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		nic_done(&l->nics[i]);
	free(l->nics);
	l->nics = NULL;
	l->n = 0;
}

const struct nic *nic_list_find(const struct nic_list *l, const char *name)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (streq(l->nics[i].name, name))
			return &l->nics[i];
	return NULL;
}

/* Reads <dir>/<attr> (dir a host path already inside the root) without its newline. */
static int read_attr(const char *root, const char *dir, const char *attr, char **ret)
{
	_cleanup_free_ char *path = path_join(dir, attr), *host = NULL, *s = NULL;
	size_t n = 0;
	int r;

	if (!path)
		return -ENOMEM;
	r = path_chase(root, path, 0, &host);
	if (r < 0)
		return r;
	r = read_full_file(host, SYSFS_ATTR_MAX, &s, &n);
	if (r < 0)
		return r;
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = 0;
	if (memchr(s, 0, n))
		return -EBADMSG;
	*ret = TAKE_PTR(s);
	return 0;
}

static int read_attr_uint(const char *root, const char *dir, const char *attr, unsigned *ret)
{
	_cleanup_free_ char *s = NULL;
	char *end;
	unsigned long v;
	int r;

	r = read_attr(root, dir, attr, &s);
	if (r < 0)
		return r;
	if (!isdigit((unsigned char)s[0]))
		return -EBADMSG;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > UINT_MAX)
		return -EBADMSG;
	*ret = (unsigned)v;
	return 0;
}

/* "0x8086" -> "8086"; NULL when not a 16-bit hex id. */
static bool parse_pci_hex(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v;

	if (!s || strncmp(s, "0x", 2) != 0 || !isxdigit((unsigned char)s[2]))
		return false;
	errno = 0;
	v = strtoul(s + 2, &end, 16);
	if (errno || *end || v > 0xffff)
		return false;
	*ret = (unsigned)v;
	return true;
}

/* A MAC in sysfs form, lower case; anything else is dropped. */
static char *normalize_mac(const char *s)
{
	size_t n = strlen(s);
	char *m;

	if (n < 2 || n > 3 * 32 - 1)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((i % 3 == 2) ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return NULL;
	if (n % 3 != 2)
		return NULL;
	m = strdup(s);
	if (m)
		for (char *c = m; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	return m;
}

/* The basename of a symlink's target, read (not followed) inside root. */
static int read_link_basename(const char *root, const char *dir, const char *name, char **ret)
{
	_cleanup_free_ char *hostdir = NULL, *host = NULL;
	char target[PATH_MAX];
	const char *base;
	ssize_t n;
	int r;

	r = path_chase(root, dir, 0, &hostdir);
	if (r < 0)
		return r;
	host = path_join(hostdir, name);
	if (!host)
		return -ENOMEM;
	n = readlink(host, target, sizeof(target) - 1);
	if (n < 0)
		return negative_errno();
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base)
		return -EINVAL;
	*ret = strdup(base);
	return *ret ? 0 : -ENOMEM;
}

/*
 * The device's uevent says the same things again ("DRIVER=e1000", "PCI_ID=8086:100F"): used
 * when the attribute files or the driver link are missing.
 */
static int uevent_fallback(const char *root, const char *devdir, struct nic *n)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;

	if (read_attr(root, devdir, "uevent", &text) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!n->driver && strncmp(line, "DRIVER=", 7) == 0 && line[7] &&
		    !strchr(line + 7, '/')) {
			n->driver = strdup(line + 7);
			if (!n->driver)
				return -ENOMEM;
		} else if (!n->pci_id && strncmp(line, "PCI_ID=", 7) == 0 && strlen(line + 7) == 9 &&
			   line[11] == ':') {
			bool ok = true;

			for (size_t i = 7; i < 16; i++)
				if (i != 11 && !isxdigit((unsigned char)line[i]))
					ok = false;
			if (!ok)
				continue;
			n->pci_id = strdup(line + 7);
			if (!n->pci_id)
				return -ENOMEM;
			for (char *c = n->pci_id; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		}
	}
	return 0;
}

static int nic_read(const char *root, const char *name, struct nic *ret)
{
	_cleanup_free_ char *dir = NULL, *devdir = NULL, *vendor = NULL, *device = NULL,
			    *address = NULL;
	struct nic n = { .carrier = -1 };
	unsigned v, d, u;
	int r;

	if (asprintf(&dir, "/sys/class/net/%s", name) < 0)
		return -ENOMEM;
	devdir = path_join(dir, "device");
	if (!devdir)
		return -ENOMEM;

	n.name = strdup(name);
	n.addresses = calloc(1, sizeof(char *));
	if (!n.name || !n.addresses) {
		nic_done(&n);
		return -ENOMEM;
	}
	if (read_attr(root, dir, "address", &address) >= 0)
		n.mac = normalize_mac(address);
	if (read_attr_uint(root, dir, "addr_assign_type", &u) >= 0 && u == 0 && n.mac)
		n.permanent_mac = strdup(n.mac); /* NET_ADDR_PERM: the address is the burnt-in one */
	if (read_attr_uint(root, dir, "ifindex", &u) >= 0 && u <= INT32_MAX)
		n.ifindex = (int)u;
	if (read_attr_uint(root, dir, "mtu", &u) >= 0)
		n.mtu = u;
	if (read_attr_uint(root, dir, "carrier", &u) >= 0)
		n.carrier = u ? 1 : 0;

	if (read_attr(root, devdir, "vendor", &vendor) >= 0 &&
	    read_attr(root, devdir, "device", &device) >= 0 && parse_pci_hex(vendor, &v) &&
	    parse_pci_hex(device, &d)) {
		if (asprintf(&n.pci_id, "%04x:%04x", v, d) < 0) {
			n.pci_id = NULL;
			nic_done(&n);
			return -ENOMEM;
		}
	}
	r = read_link_basename(root, devdir, "driver", &n.driver);
	if (r == -ENOMEM) {
		nic_done(&n);
		return r;
	}
	if (!n.pci_id || !n.driver) {
		r = uevent_fallback(root, devdir, &n);
		if (r < 0) {
			nic_done(&n);
			return r;
		}
	}
	n.model = nic_model_from_ids(n.pci_id, n.driver);
	*ret = n;
	return 0;
}

static int compare_nics(const void *a, const void *b)
{
	return strcmp(((const struct nic *)a)->name, ((const struct nic *)b)->name);
}

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 16 && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

int nic_list_detect(const char *root, bool live, struct nic_list *ret)
{
	_cleanup_(nic_list_done) struct nic_list l = {};
	_cleanup_free_ char *hostdir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r;

	if (!root_is_host(root)) {
		_cleanup_free_ char *rootdir = NULL;

		r = path_chase(root, "/", 0, &rootdir);
		if (r < 0)
			return r;
	}
	r = path_chase(root, "/sys/class/net", 0, &hostdir);
	if (r == -ENOENT) {
		*ret = l;
		return 0;
	}
	if (r < 0)
		return r;
	d = opendir(hostdir);
	if (!d)
		return negative_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *devlink = NULL, *host = NULL;
		struct nic *nn;

		if (de->d_name[0] == '.' || !valid_ifname(de->d_name))
			continue;
		if (asprintf(&devlink, "/sys/class/net/%s/device", de->d_name) < 0)
			return -ENOMEM;
		if (path_chase(root, devlink, 0, &host) < 0)
			continue; /* virtual: lo, bridges, tunnels */
		if (l.n >= NICS_MAX)
			return -E2BIG;
		nn = realloc(l.nics, sizeof(*nn) * (l.n + 1));
		if (!nn)
			return -ENOMEM;
		l.nics = nn;
		r = nic_read(root, de->d_name, &l.nics[l.n]);
		if (r < 0)
			return r;
		l.n++;
	}
	if (l.n > 1)
		qsort(l.nics, l.n, sizeof(*l.nics), compare_nics);

	if (live)
		for (size_t i = 0; i < l.n; i++) {
			struct nic *n = &l.nics[i];
			char **addrs = NULL;
			char *perm = NULL;

			if (n->ifindex <= 0)
				continue;
			if (nic_addresses_live(n->ifindex, &addrs) >= 0) {
				strv_free(n->addresses);
				n->addresses = addrs;
			}
			if (nic_permanent_mac_live(n->ifindex, &perm) >= 0 && perm) {
				free(n->permanent_mac);
				n->permanent_mac = perm;
			}
		}

	*ret = l;
	l.nics = NULL;
	l.n = 0;
	return 0;
}
