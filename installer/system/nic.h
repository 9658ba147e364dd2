/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Network interfaces backed by a device: /sys/class/net/<name>/device exists (read under the
 * root, so that a fake sysfs tree works), with their PCI id, model, driver, carrier and MTU;
 * on the host also their addresses and the default route, live from netlink (libmnl).
 * Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum nic_model {
	NIC_MODEL_OTHER = 0,
	NIC_MODEL_E1000,
	NIC_MODEL_E1000E,
	NIC_MODEL_VMXNET3,
};

struct nic {
	char *name;          /* "ens33" */
	int ifindex;         /* from sysfs ifindex, 0 when unknown */
	char *mac;           /* lower case "00:0c:29:aa:bb:cc", or NULL */
	char *permanent_mac; /* live: IFLA_PERM_ADDRESS; else address when addr_assign_type is 0
			      * (permanent); or NULL */
	char *pci_id;        /* "8086:100f", or NULL when the device is not PCI */
	enum nic_model model;
	char *driver;        /* the bound driver ("e1000"), or NULL */
	int carrier;         /* 1 up, 0 down, -1 unknown (interface down) */
	unsigned mtu;        /* 0 when unknown */
	char **addresses;    /* "192.0.2.10/24", "fe80::1/64" (strv, never NULL after a detect;
			      * empty under --root) */
	const char *backend; /* static string filled by the caller (netcfg owner), or NULL */
	char **config_files; /* strv, filled by the caller, or NULL */
};

struct nic_list {
	struct nic *nics; /* sorted by name */
	size_t n;
};

struct default_route {
	char *interface; /* NULL when there is no default route */
	char *gateway;   /* text form, or NULL (on-link) */
	int family;      /* AF_INET or AF_INET6 */
};

/* Lists the device-backed NICs under root (/sys/class/net). live: add netlink addresses. */
int nic_list_detect(const char *root, bool live, struct nic_list *ret);
void nic_list_done(struct nic_list *l);
const struct nic *nic_list_find(const struct nic_list *l, const char *name);

/* The model from a PCI id ("8086:100f") and the driver name (either may be NULL). */
enum nic_model nic_model_from_ids(const char *pci_id, const char *driver);
/* "e1000", "e1000e", "vmxnet3", "other" */
const char *nic_model_to_string(enum nic_model m);

/* Live only: the default route (IPv4 first, else IPv6) from netlink. ret zeroed when none. */
int default_route_detect(struct default_route *ret);
void default_route_done(struct default_route *r);

/* Live only: the addresses of interface ifindex ("a.b.c.d/len"), sorted by family then text. */
int nic_addresses_live(int ifindex, char ***ret);
/* Live only: IFLA_PERM_ADDRESS of ifindex (lower case), or *ret NULL when the kernel has none. */
int nic_permanent_mac_live(int ifindex, char **ret);
