/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The neutral model of one interface's effective configuration, whatever backend wrote it.
 * Every parser fills it; every backend's plan renders it. Strings are owned by the model.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum netcfg_tristate {
	NETCFG_UNSET = -1,
	NETCFG_NO = 0,
	NETCFG_YES = 1,
};

struct netcfg_addr {
	int family;      /* AF_INET or AF_INET6 */
	char *address;   /* canonical text form, without the prefix */
	unsigned prefix;
};

struct netcfg_route {
	int family;
	char *destination; /* "10.1.0.0", "::" for default */
	unsigned prefix;
	char *gateway;     /* or NULL: on-link */
	int metric;        /* -1: unset */
	unsigned table;    /* routing table; 0: the main one */
	bool onlink;       /* the gateway is on the link, whatever the addresses say */
};

/* A construct a migration must refuse, and where it was found. */
struct netcfg_unsupported {
	char *what; /* "bond", "bridge over ens33", "wifi", "team", "option 'foo'" ... */
	char *file;
	unsigned line;
};

struct netcfg_iface {
	char *name;        /* the interface name it matches (or the name it sets) */
	char *match_mac;   /* the MAC it matches on, or NULL */
	char *match_driver;
	char *id;          /* backend's own id: netplan key, NM connection id, file name */

	bool start_at_boot;           /* auto / ONBOOT / STARTMODE=auto / autoconnect */
	enum netcfg_tristate dhcp4, dhcp6, ipv6_autoconf;

	struct netcfg_addr *addrs;
	size_t n_addrs;
	char *gateway4, *gateway6;
	struct netcfg_route *routes;
	size_t n_routes;
	char **dns;       /* strv */
	char **search;    /* strv */
	unsigned mtu;     /* 0: unset */

	unsigned vlan_id;      /* for a VLAN: its id, and its parent's name */
	char *vlan_parent;
	struct netcfg_iface **vlans; /* VLANs on top of this interface */
	size_t n_vlans;

	/* A port of a bond or bridge: the master that carries the addresses (its own
	 * configuration stays as it is; the VMXNET3 NIC takes this port's place in it). */
	char *master;           /* "bond0", or NULL */
	const char *master_kind; /* "bond" or "bridge" (static) */

	struct netcfg_unsupported *unsupported;
	size_t n_unsupported;

	char **files; /* the files that configure it, sorted (strv) */
};

struct netcfg_iface *netcfg_iface_new(void);
void netcfg_iface_free(struct netcfg_iface *i);
static inline void netcfg_iface_freep(struct netcfg_iface **i)
{
	netcfg_iface_free(*i);
}
#define _cleanup_iface_ __attribute__((cleanup(netcfg_iface_freep)))

/*
 * Builders. Addresses are validated and canonicalised (inet_pton/inet_ntop); they return 0,
 * -EINVAL for a malformed value, or -ENOMEM.
 */
/* "10.0.0.5/24", or "10.0.0.5" with default_prefix (0: a prefix is required). */
int netcfg_iface_add_addr(struct netcfg_iface *i, const char *cidr, unsigned default_prefix);
int netcfg_iface_set_gateway(struct netcfg_iface *i, const char *gw);
/* dest "default" or "a.b.c.d/n"; gw NULL for on-link; metric -1 for unset. */
int netcfg_iface_add_route(struct netcfg_iface *i, const char *dest, const char *gw, int metric);
/* The same with a table (0: main) and the on-link flag of the gateway. */
int netcfg_iface_add_route_in(struct netcfg_iface *i, const char *dest, const char *gw, int metric,
			      unsigned table, bool onlink);
/* A route table as iproute2 and networkd name it: a number, or main (0 here), local, default;
 * -EINVAL for anything else. */
int netcfg_parse_table(const char *s, unsigned *ret);
int netcfg_iface_add_dns(struct netcfg_iface *i, const char *server);
int netcfg_iface_add_search(struct netcfg_iface *i, const char *domain);
int netcfg_iface_add_unsupported(struct netcfg_iface *i, const char *file, unsigned line,
				 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int netcfg_iface_add_vlan(struct netcfg_iface *i, struct netcfg_iface *vlan); /* takes it */
int netcfg_iface_add_file(struct netcfg_iface *i, const char *file);

/* Parses "a.b.c.d" or an IPv6 address into canonical text; family out. */
int netcfg_parse_ip(const char *s, int *ret_family, char **ret_canonical);
/* Parses "24" or a dotted netmask "255.255.255.0" into a prefix length. */
int netcfg_parse_prefix(const char *s, int family, unsigned *ret);
/* Parses a MAC address into lower-case "aa:bb:cc:dd:ee:ff". */
int netcfg_parse_mac(const char *s, char **ret);
/* Unsigned decimal in [min, max]. */
int netcfg_parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret);

/* The model as stable text, one fact per line, for tests and `vnic-install plan` output. */
int netcfg_iface_to_text(const struct netcfg_iface *i, char **ret);
