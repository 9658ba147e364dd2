// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * systemd-networkd: .network files in /etc/systemd/network, /run/systemd/network,
 * /usr/lib/systemd/network and /lib/systemd/network (a name in an earlier directory shadows
 * the same name in a later one), taken in the lexical order of their names; the first whose
 * [Match] fits the NIC configures it. VLANs come from [Network] VLAN= with their .netdev and
 * their own .network. The plan copies the .network line by line with a new [Match] for the
 * VMXNET3 NIC (so that keys the model does not need are kept) and sets the old file aside;
 * when the old [Match] (a Name= pattern, a Driver=) already fits the VMXNET3 NIC, nothing has
 * to change; a pattern that does not fit it, and may match other links, is refused.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/internal.h"
#include "netcfg/networkd.h"

static const char *const nd_dirs[] = { "/etc/systemd/network", "/run/systemd/network",
				       "/usr/lib/systemd/network", "/lib/systemd/network" };

/* Files with suffix in sub ("" or "/NAME.network.d") of the directories networkd reads. */
static int nd_list(const char *root, const char *sub, const char *suffix, char ***ret)
{
	return nc_conf_files(root, nd_dirs, ELEMENTSOF(nd_dirs), sub, suffix, ret);
}

/* A .network (or .netdev) file and, for a .network, its drop-ins (NAME.network.d/\*.conf, in
 * the order networkd reads them: after the file, by name). */
struct nd_file {
	char *path, *data;
	struct nc_ini ini;
	struct nd_file *dropins;
	size_t n_dropins;
};

static void nd_file_done(struct nd_file *f)
{
	for (size_t k = 0; k < f->n_dropins; k++)
		nd_file_done(&f->dropins[k]);
	free(f->dropins);
	free(f->path);
	free(f->data);
	nc_ini_done(&f->ini);
	*f = (struct nd_file){};
}

static int nd_load(const char *root, const char *path, bool dropins, struct nd_file *ret,
		   struct netcfg_error *err);

static int nd_load_dropins(const char *root, struct nd_file *f, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_free_ char *sub = NULL;
	int r;

	if (asprintf(&sub, "%s.d", strrchr(f->path, '/')) < 0)
		return -ENOMEM;
	r = nd_list(root, sub, ".conf", &files);
	if (r < 0 || !files)
		return r;
	f->dropins = calloc(strv_length(files), sizeof(*f->dropins));
	if (!f->dropins)
		return -ENOMEM;
	for (char **p = files; *p; p++) {
		r = nd_load(root, *p, false, &f->dropins[f->n_dropins], err);
		if (r < 0)
			return r;
		f->n_dropins++;
	}
	return 0;
}

static int nd_load(const char *root, const char *path, bool dropins, struct nd_file *ret,
		   struct netcfg_error *err)
{
	struct nd_file f = {};
	int r;

	r = nc_read_file(root, path, &f.data);
	if (r < 0)
		return nc_error(err, path, 0, r, "cannot read: %s", strerror(-r));
	r = nc_ini_parse(path, f.data, &f.ini, err);
	if (r < 0) {
		free(f.data);
		return r;
	}
	f.path = strdup(path);
	r = f.path ? 0 : -ENOMEM;
	if (r >= 0 && dropins)
		r = nd_load_dropins(root, &f, err);
	if (r < 0) {
		nd_file_done(&f);
		return r;
	}
	*ret = f;
	return 0;
}

/* Whether the [Match] of f and its drop-ins fits the NIC (networkd_match.c). */
static int nd_match(const struct nd_file *f, const struct nd_link *l, bool *ret_pattern,
		    const struct nc_ini_entry **ret_key)
{
	const struct nc_ini *inis[1 + f->n_dropins];

	inis[0] = &f->ini;
	for (size_t k = 0; k < f->n_dropins; k++)
		inis[k + 1] = &f->dropins[k].ini;
	return nd_match_inis(inis, 1 + f->n_dropins, l, ret_pattern, ret_key);
}

static int add_words(struct netcfg_iface *m, const char *v, int (*add)(struct netcfg_iface *, const char *))
{
	_cleanup_strv_free_ char **w = NULL;
	int r;

	r = strv_split(v, " \t", &w);
	for (char **x = w; r >= 0 && *x; x++)
		r = add(m, *x);
	return r;
}

static int add_addr(struct netcfg_iface *m, const char *s)
{
	return netcfg_iface_add_addr(m, s, 0);
}

static int set_gw(struct netcfg_iface *m, const char *s)
{
	return netcfg_iface_set_gateway(m, s);
}

static int parse_bool_or(const char *v, enum netcfg_tristate *ret)
{
	if (streq(v, "yes") || streq(v, "true") || streq(v, "1") || streq(v, "on"))
		*ret = NETCFG_YES;
	else if (streq(v, "no") || streq(v, "false") || streq(v, "0") || streq(v, "off"))
		*ret = NETCFG_NO;
	else
		return -EINVAL;
	return 0;
}

/* The .network into the model; VLAN= names into *ret_vlans. */
/* Bond= or Bridge=: the NIC is a port; the master carries the addresses (one master only). */
static int nd_set_master(struct netcfg_iface *m, const struct nd_file *f, const struct nc_ini_entry *e,
			 const char *key)
{
	if (m->master && !streq(m->master, e->value))
		return netcfg_iface_add_unsupported(m, f->path, e->line, "%s=%s (a port of %s already)",
						    key, e->value, m->master);
	if (!*e->value || strpbrk(e->value, " \t/"))
		return -EINVAL;
	free(m->master);
	m->master = strdup(e->value);
	m->master_kind = streq(key, "Bond") ? "bond" : "bridge";
	return m->master ? 0 : -ENOMEM;
}

/* A size as systemd.network(5) writes one: a number, or with K, M or G (powers of 1024). */
static int parse_bytes(const char *v, unsigned min, unsigned max, unsigned *ret)
{
	static const char units[] = "KMG";
	_cleanup_free_ char *digits = strdup(v);
	unsigned long long n;
	unsigned x;
	size_t len;
	const char *u;

	if (!digits)
		return -ENOMEM;
	len = strlen(digits);
	u = len > 1 ? strchr(units, digits[len - 1]) : NULL;
	if (u)
		digits[len - 1] = 0;
	if (netcfg_parse_uint(digits, 0, UINT32_MAX, &x) < 0)
		return -EINVAL;
	n = (unsigned long long)x << (u ? 10 * (u - units + 1) : 0);
	if (n < min || n > max)
		return -EINVAL;
	*ret = (unsigned)n;
	return 0;
}

/* One [Route] section, as its keys come. */
struct nd_route {
	unsigned no; /* its section_no; 0: none open */
	const char *dest, *gw;
	int metric;
	unsigned table;
	bool onlink;
};

static int nd_route_key(struct netcfg_iface *m, const struct nd_file *f, const struct nc_ini_entry *e,
			struct nd_route *rt, struct netcfg_error *err)
{
	enum netcfg_tristate onlink;
	unsigned n;

	rt->no = e->section_no;
	if (streq(e->key, "Destination"))
		rt->dest = e->value;
	else if (streq(e->key, "Gateway"))
		rt->gw = e->value;
	else if (streq(e->key, "Metric")) {
		if (netcfg_parse_uint(e->value, 0, 0x7fffffff, &n) < 0)
			return nc_bad(err, f->path, e->line, "Metric=: bad value '%s'", e->value);
		rt->metric = (int)n;
	} else if (streq(e->key, "Table")) {
		if (netcfg_parse_table(e->value, &rt->table) < 0)
			return netcfg_iface_add_unsupported(m, f->path, e->line, "[Route] Table=%s (a named table)",
							    e->value);
	} else if (streq(e->key, "GatewayOnLink") || streq(e->key, "GatewayOnlink")) {
		if (parse_bool_or(e->value, &onlink) < 0)
			return nc_bad(err, f->path, e->line, "%s=: bad value '%s'", e->key, e->value);
		rt->onlink = onlink == NETCFG_YES;
	} else if ((streq(e->key, "Scope") && (streq(e->value, "global") || streq(e->value, "link"))) ||
		   (streq(e->key, "Type") && streq(e->value, "unicast")) || streq(e->key, "PreferredSource")) {
		/* carried by the copy: the same route (with its preferred source) */
	} else
		return netcfg_iface_add_unsupported(m, f->path, e->line, "[Route] %s=%s", e->key, e->value);
	return 0;
}

/* A [Route] section ended: adds what it said. */
static int nd_route_end(struct netcfg_iface *m, const struct nd_file *f, struct nd_route *rt,
			struct netcfg_error *err)
{
	unsigned line = f->ini.section_line[rt->no];
	int r;

	if (!rt->dest && !rt->gw)
		return nc_bad(err, f->path, line, "[Route] without Destination= or Gateway=");
	r = netcfg_iface_add_route_in(m, rt->dest ?: (strchr(rt->gw, ':') ? "default6" : "default"), rt->gw,
				      rt->metric, rt->table, rt->onlink);
	if (r == -EINVAL)
		return nc_bad(err, f->path, line, "[Route]: bad Destination= or Gateway=");
	*rt = (struct nd_route){ .metric = -1 };
	return r;
}

static int nd_into(struct netcfg_iface *m, const struct nd_file *f, char ***ret_vlans, struct netcfg_error *err)
{
	struct nd_route rt = { .metric = -1 };
	int r = 0;

	for (size_t k = 0; k <= f->ini.n && r >= 0; k++) {
		const struct nc_ini_entry *e = k < f->ini.n ? &f->ini.e[k] : NULL;
		const char *s = e ? e->section : NULL, *key = e ? e->key : NULL, *v = e ? e->value : NULL;

		if (rt.no && (!e || e->section_no != rt.no)) {
			r = nd_route_end(m, f, &rt, err);
			if (r < 0)
				return r;
		}
		if (!e)
			break;
		if (streq(s, "Match"))
			continue;
		if (streq(s, "Network")) {
			if (streq(key, "Address"))
				r = add_words(m, v, add_addr);
			else if (streq(key, "Gateway"))
				r = add_words(m, v, set_gw);
			else if (streq(key, "DNS"))
				r = add_words(m, v, netcfg_iface_add_dns);
			else if (streq(key, "Domains")) {
				if (strchr(v, '~'))
					r = netcfg_iface_add_unsupported(m, f->path, e->line, "routing-only domains (Domains=~)");
				else
					r = add_words(m, v, netcfg_iface_add_search);
			} else if (streq(key, "DHCP")) {
				if (streq(v, "ipv4"))
					m->dhcp4 = NETCFG_YES, m->dhcp6 = NETCFG_NO;
				else if (streq(v, "ipv6"))
					m->dhcp4 = NETCFG_NO, m->dhcp6 = NETCFG_YES;
				else {
					enum netcfg_tristate t;

					if (parse_bool_or(v, &t) < 0)
						return nc_bad(err, f->path, e->line, "DHCP=: bad value '%s'", v);
					m->dhcp4 = m->dhcp6 = t;
				}
			} else if (streq(key, "IPv6AcceptRA")) {
				if (parse_bool_or(v, &m->ipv6_autoconf) < 0)
					return nc_bad(err, f->path, e->line, "IPv6AcceptRA=: bad value '%s'", v);
			} else if (streq(key, "VLAN")) {
				r = strv_push(ret_vlans, v);
			} else if (streq(key, "Bond") || streq(key, "Bridge")) {
				r = nd_set_master(m, f, e, key);
			} else if (streq(key, "VRF") ||
				   streq(key, "MACVLAN") || streq(key, "IPVLAN") || streq(key, "VXLAN") ||
				   streq(key, "Tunnel") || streq(key, "MACVTAP") || streq(key, "Xfrm"))
				r = netcfg_iface_add_unsupported(m, f->path, e->line, "%s=%s", key, v);
			if (r == -EINVAL)
				return nc_bad(err, f->path, e->line, "%s=: bad value '%s'", key, v);
		} else if (streq(s, "Address")) {
			if (streq(key, "Address"))
				r = add_words(m, v, add_addr);
			else
				r = netcfg_iface_add_unsupported(m, f->path, e->line, "[Address] %s=", key);
			if (r == -EINVAL)
				return nc_bad(err, f->path, e->line, "Address=: bad value '%s'", v);
		} else if (streq(s, "Route")) {
			r = nd_route_key(m, f, e, &rt, err);
		} else if (streq(s, "Link")) {
			if (streq(key, "MTUBytes")) {
				if (parse_bytes(v, 68, 65535, &m->mtu) < 0)
					return nc_bad(err, f->path, e->line, "MTUBytes=: bad value '%s'", v);
			} else if (streq(key, "MACAddress"))
				r = netcfg_iface_add_unsupported(m, f->path, e->line, "a set MAC address ([Link] MACAddress=)");
		} else if (streq(s, "RoutingPolicyRule")) {
			/* carried by the copy, unless it names an interface (the E1000's, or another) */
			if (streq(key, "IncomingInterface") || streq(key, "OutgoingInterface"))
				r = netcfg_iface_add_unsupported(m, f->path, e->line,
								 "[RoutingPolicyRule] %s=%s (a rule naming an interface)",
								 key, v);
		} else if (streq(s, "DHCPv4") || streq(s, "DHCPv6") || streq(s, "IPv6AcceptRA") || streq(s, "DHCP")) {
			/* kept by the line-by-line copy */
		} else
			r = netcfg_iface_add_unsupported(m, f->path, f->ini.section_line[e->section_no], "section [%s]", s);
	}
	if (r < 0)
		return r;
	m->start_at_boot = true;
	return netcfg_iface_add_file(m, f->path);
}

/* The .network and then its drop-ins, as networkd reads them. */
static int nd_into_all(struct netcfg_iface *m, const struct nd_file *f, char ***ret_vlans,
		       struct netcfg_error *err)
{
	int r;

	r = nd_into(m, f, ret_vlans, err);
	for (size_t k = 0; r >= 0 && k < f->n_dropins; k++)
		r = nd_into(m, &f->dropins[k], ret_vlans, err);
	return r;
}

/* The first .network that fits nic. */
static int nd_find(const char *root, const struct netcfg_nic *nic, struct nd_file *ret, bool *ret_pattern,
		   struct netcfg_iface *m, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_free_ char *path = NULL;
	struct nd_link link = { .nic = nic };
	int r;

	r = nd_list(root, "", ".network", &files);
	if (r < 0)
		return r;
	if (nd_link_path(root, nic->name, &path) >= 0)
		link.path = path;
	for (char **p = files; p && *p; p++) {
		const struct nc_ini_entry *key = NULL;
		struct nd_file f;

		r = nd_load(root, *p, true, &f, err);
		if (r < 0)
			return r;
		r = nd_match(&f, &link, ret_pattern, &key);
		if (r == -EUCLEAN) {
			/* We cannot tell whether it fits: refuse rather than guess. */
			r = netcfg_iface_add_unsupported(m, f.path, key->line, "[Match] %s=%s", key->key, key->value);
			if (r >= 0)
				r = netcfg_iface_add_file(m, f.path);
			nd_file_done(&f);
			if (r < 0)
				return r;
			continue;
		}
		if (r > 0) {
			*ret = f;
			return 0;
		}
		nd_file_done(&f);
	}
	return -ENOENT;
}

static int nd_vlans(const char *root, struct netcfg_iface *m, char **vlans, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **netdevs = NULL;
	int r;

	if (!vlans)
		return 0;
	r = nd_list(root, "", ".netdev", &netdevs);
	if (r < 0)
		return r;
	for (char **v = vlans; *v; v++) {
		struct netcfg_nic vn = { .name = *v };
		struct netcfg_iface *vi = NULL;
		bool found = false, pattern;
		struct nd_file nf;

		for (char **p = netdevs; p && *p && !found; p++) {
			struct nd_file d;

			r = nd_load(root, *p, false, &d, err);
			if (r < 0)
				return r;
			if (streq(nc_ini_get(&d.ini, "NetDev", "Name"), *v)) {
				const char *kind = nc_ini_get(&d.ini, "NetDev", "Kind");
				unsigned id;

				found = true;
				if (!streq(kind, "vlan"))
					r = netcfg_iface_add_unsupported(m, d.path, 1, "a %s netdev %s over %s", kind ?: "?", *v, m->name);
				else if (netcfg_parse_uint(nc_ini_get(&d.ini, "VLAN", "Id"), 0, 4094, &id) < 0)
					r = nc_bad(err, d.path, 0, "[VLAN] Id= missing or bad");
				else {
					vi = netcfg_iface_new();
					r = vi ? netcfg_iface_add_vlan(m, vi) : -ENOMEM;
					if (r < 0)
						netcfg_iface_free(TAKE_PTR(vi));
					else {
						vi->vlan_id = id;
						vi->name = strdup(*v);
						vi->vlan_parent = strdup(m->name);
						r = vi->name && vi->vlan_parent ? netcfg_iface_add_file(m, d.path) : -ENOMEM;
					}
				}
			}
			nd_file_done(&d);
			if (r < 0)
				return r;
		}
		if (!found)
			return nc_bad(err, m->files ? m->files[0] : NULL, 0, "VLAN=%s: no .netdev defines it", *v);
		if (!vi)
			continue;
		r = nd_find(root, &vn, &nf, &pattern, vi, err);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		{
			_cleanup_strv_free_ char **sub = NULL;

			r = nd_into_all(vi, &nf, &sub, err);
			if (r >= 0)
				r = netcfg_iface_add_file(m, nf.path);
			for (size_t k = 0; r >= 0 && k < nf.n_dropins; k++)
				r = netcfg_iface_add_file(m, nf.dropins[k].path);
			nd_file_done(&nf);
			if (r < 0)
				return r;
			if (sub)
				r = netcfg_iface_add_unsupported(m, vi->files[0], 0, "VLANs on the VLAN %s", vi->name);
		}
		for (size_t u = 0; r >= 0 && u < vi->n_unsupported; u++)
			r = netcfg_iface_add_unsupported(m, vi->unsupported[u].file, vi->unsupported[u].line, "%s (on VLAN %s)",
							 vi->unsupported[u].what, vi->name);
		if (r < 0)
			return r;
	}
	return 0;
}

static int nd_model(const char *root, const struct netcfg_nic *nic, struct nd_file *ret_file,
		    struct netcfg_iface **ret, struct netcfg_error *err)
{
	_cleanup_iface_ struct netcfg_iface *m = netcfg_iface_new();
	_cleanup_strv_free_ char **vlans = NULL;
	struct nd_file f;
	bool pattern = false;
	const char *mac;
	int r;

	if (!m)
		return -ENOMEM;
	r = nd_find(root, nic, &f, &pattern, m, err);
	if (r == -ENOENT && m->n_unsupported > 0) {
		/* A file we could not evaluate may be the one: say so. */
		*ret = TAKE_PTR(m);
		return 0;
	}
	if (r < 0)
		return r;
	m->name = strdup(nic->name ?: "");
	m->id = strdup(strrchr(f.path, '/') + 1);
	mac = nc_ini_get(&f.ini, "Match", "MACAddress");
	if (mac && !strchr(mac, ' ') && netcfg_parse_mac(mac, &m->match_mac) < 0) {
		r = nc_bad(err, f.path, nc_ini_find(&f.ini, "Match", "MACAddress")->line, "bad MACAddress=");
		goto fail;
	}
	if (nc_ini_get(&f.ini, "Match", "Driver"))
		m->match_driver = strdup(nc_ini_get(&f.ini, "Match", "Driver"));
	r = !m->name || !m->id ? -ENOMEM : nd_into_all(m, &f, &vlans, err);
	if (r >= 0)
		r = nd_vlans(root, m, vlans, err);
	if (r >= 0 && m->master && (m->n_vlans || m->n_addrs || m->dhcp4 == NETCFG_YES || m->dhcp6 == NETCFG_YES)) {
		const struct nc_ini_entry *e = nc_ini_find(&f.ini, "Network", streq(m->master_kind, "bond") ? "Bond" : "Bridge");

		r = netcfg_iface_add_unsupported(m, f.path, e ? e->line : 0,
						 "a %s port with addresses or VLANs of its own", m->master_kind);
	}
	if (r < 0)
		goto fail;
	if (ret_file)
		*ret_file = f;
	else
		nd_file_done(&f);
	*ret = TAKE_PTR(m);
	return 0;
fail:
	nd_file_done(&f);
	return r;
}

/* What the plan takes from the read: the .network that matched, with its drop-ins. */
static void nd_state_free(void *state)
{
	nd_file_done(state);
	free(state);
}

static int networkd_read(const char *root, const struct netcfg_nic *nic, struct netcfg_iface **ret,
			 void **ret_state, struct netcfg_error *err)
{
	struct nd_file *st;
	int r;

	if (!ret_state)
		return nd_model(root, nic, NULL, ret, err);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	r = nd_model(root, nic, st, ret, err);
	if (r < 0) {
		free(st);
		return r;
	}
	*ret_state = st;
	return 0;
}

/* The line of f's first [Match] header (0 when it has none). */
static unsigned match_line(const struct nd_file *f)
{
	for (unsigned k = 1; k <= f->ini.n_sections; k++)
		if (streq(f->ini.section_name[k], "Match"))
			return f->ini.section_line[k];
	return 0;
}

/* Whether a [Match] key of ini names one link alone: a single name or MAC, no pattern. */
static bool ini_pins_one(const struct nc_ini *ini)
{
	for (size_t k = 0; k < ini->n; k++) {
		const struct nc_ini_entry *e = &ini->e[k];

		if (streq(e->section, "Match") &&
		    (streq(e->key, "Name") || streq(e->key, "MACAddress") || streq(e->key, "PermanentMACAddress")) &&
		    *e->value && !strpbrk(e->value, " \t*?[!"))
			return true;
	}
	return false;
}

/* Whether f's [Match] (with its drop-ins') can fit one link only, whatever patterns it has too. */
static bool match_pins_one(const struct nd_file *f)
{
	if (ini_pins_one(&f->ini))
		return true;
	for (size_t k = 0; k < f->n_dropins; k++)
		if (ini_pins_one(&f->dropins[k].ini))
			return true;
	return false;
}

/* The .network text with its [Match] section(s) replaced by match_text. */
static int replace_match(const struct nd_file *f, const char *match_text, char **ret)
{
	struct nc_lines l;
	bool in_match = false, done = false;
	size_t k = 0;
	int r;

	r = nc_lines_split(f->data, &l);
	if (r < 0)
		return r;
	while (k < l.n) {
		const char *s = nc_strip(l.v[k]);

		if (s[0] == '[')
			in_match = streq(s, "[Match]");
		if (in_match) {
			if (!done) {
				r = nc_lines_set(&l, k, strdup(match_text));
				if (r < 0 || !l.v[k])
					break;
				done = true;
				k++;
				continue;
			}
			if (!strchr(s, '=') || s[0] == '#' || s[0] == ';') {
				k++; /* blank lines and comments stay */
				continue;
			}
			free(l.v[k]);
			memmove(l.v + k, l.v + k + 1, sizeof(char *) * (l.n - k - 1));
			l.n--;
			continue;
		}
		k++;
	}
	if (r >= 0)
		r = nc_lines_join(&l, ret);
	nc_lines_done(&l);
	return r;
}

/* The drop-ins' settings after the file's, as networkd reads them: the new file does not
 * match the old file's NAME.network.d/ (their [Match] lines are left out: the new file has
 * its own). */
static int append_dropins(const struct nd_file *f, char **text)
{
	for (size_t k = 0; k < f->n_dropins; k++) {
		_cleanup_free_ char *body = NULL;
		char *joined;
		int r;

		r = replace_match(&f->dropins[k], "", &body);
		if (r < 0)
			return r;
		if (asprintf(&joined, "%s\n# From the drop-in %s:\n%s", *text, f->dropins[k].path, body) < 0)
			return -ENOMEM;
		free(*text);
		*text = joined;
	}
	return 0;
}

/*
 * A port of a bond or bridge: the master keeps its configuration and addresses; networkd makes
 * the VMXNET3 NIC a port (its .network says Bond=/Bridge=) and the plan takes the E1000 out,
 * since networkd leaves a link it stops managing in its master.
 *
 * A bond must never lose its last usable port: its carrier goes, and networkd drops what it
 * configured on a link whose carrier goes (an outage even where it puts it back; once, under
 * load, it did not). So the VMXNET3 NIC joins, the plan waits until bonding sees its
 * link up (`vnic-install wait-port`), and only then the E1000 leaves. The rollback mirrors it:
 * with the files back, the reload makes the E1000 a port again, the rollback waits for it, and
 * only then takes the VMXNET3 NIC out.
 *
 * In a bridge, two ports on one segment are a loop: the E1000 goes down first, and the
 * rollback takes the VMXNET3 NIC down first. Called before and after the reload (netplan.c
 * too, for its networkd renderer).
 */
int nd_plan_port(const struct netcfg_iface *m, const struct netcfg_nic *from, const char *target,
			      struct netcfg_plan *p, bool after_reload)
{
	const bool bond = streq(m->master_kind, "bond");
	const char *const leave[] = { "ip", "link", "set", "dev", from->name, "nomaster", NULL };
	const char *const reload[] = { "networkctl", "reload", NULL };
	int r;

	if (!after_reload) {
		r = nc_plan_port_rollback(p, m, from->name,
					  (const char *const[]){ "ip", "link", "set", "dev", target, "nomaster", NULL },
					  false);
		if (r >= 0 && !bond)
			r = nc_plan_command(p, false, "take the E1000 down first (two ports on one segment are a loop)",
					    (const char *const[]){ "ip", "link", "set", "dev", from->name, "down", NULL },
					    (const char *const[]){ "ip", "link", "set", "dev", from->name, "up", NULL });
		return r;
	}
	return nc_plan_port_swap(p, m, from->name, target,
				 (const char *const[]){ "networkctl", "reconfigure", target, NULL },
				 bond ? NULL : (const char *const[]){ "ip", "link", "set", "dev", target, "down", NULL },
				 leave, reload, true);
}

static int networkd_plan(const char *root, const struct netcfg_iface *m, void *state,
			 const struct netcfg_nic *from, const struct netcfg_nic *to, enum netcfg_mode mode,
			 struct netcfg_plan *p, struct netcfg_error *err)
{
	const struct nd_file *f = state;
	_cleanup_free_ char *target_mac = NULL, *match = NULL, *text = NULL, *path = NULL;
	const char *target = nc_target_name(from, to, mode);
	struct netcfg_nic future = { .name = target, .driver = "vmxnet3" };
	_cleanup_free_ char *future_path = NULL;
	struct nd_link future_link = { .nic = &future };
	const struct nc_ini_entry *dummy;
	const char *base;
	bool still, pattern;
	size_t digits;
	int r = 0;

	if (to->mac && (r = netcfg_parse_mac(to->mac, &target_mac)) < 0)
		return r;
	future.mac = target_mac;
	if (nd_link_path(root, to->name, &future_path) >= 0)
		future_link.path = future_path;
	if (!f->path)
		return nc_error(err, NULL, 0, -EUCLEAN, "no .network file could be evaluated for %s", from->name);
	if (mode == NETCFG_REPLACE) {
		r = nc_plan_pin_name(p, to, target);
		if (r < 0)
			goto out;
	}
	/* Does the old [Match] already fit the VMXNET3 NIC (a pattern, or the pinned name)? */
	still = nd_match(f, &future_link, &pattern, &dummy) > 0;
	if (!still && pattern && !match_pins_one(f)) {
		/* a .network applies to every link it matches: set aside, it would leave them all */
		r = nc_error(err, f->path, match_line(f), -EUCLEAN,
			     "[Match] fits %s by a pattern that the VMXNET3 NIC %s does not fit, and may "
			     "configure other NICs: not supported for a migration", from->name, target);
		goto out;
	}
	if (still) {
		if (mode == NETCFG_SIDE_BY_SIDE)
			r = nc_plan_command(p, false, "apply the configuration to the VMXNET3 NIC",
					    (const char *const[]){ "networkctl", "reconfigure", target, NULL }, NULL);
		goto out;
	}
	if (mode == NETCFG_REPLACE && m->match_mac && target_mac)
		r = asprintf(&match, "[Match]\nMACAddress=%s", target_mac);
	else if (mode == NETCFG_SIDE_BY_SIDE && m->match_mac)
		r = asprintf(&match, "[Match]\nMACAddress=%s", target_mac);
	else
		r = asprintf(&match, "[Match]\nName=%s", target);
	if (r < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = replace_match(f, match, &text);
	if (r >= 0)
		r = append_dropins(f, &text);
	if (r < 0)
		goto out;
	base = strrchr(f->path, '/') + 1;
	digits = strspn(base, "0123456789");
	if (asprintf(&path, "/etc/systemd/network/%.*s%svnic-%s.network", (int)digits, base,
		     digits && base[digits] == '-' ? "-" : digits ? "-" : "10-", target) < 0) {
		r = -ENOMEM;
		goto out;
	}
	{
		_cleanup_free_ char *hdr = NULL;

		if (asprintf(&hdr, "# Written by vnic-install: the configuration of %s (%s) for the VMXNET3 NIC %s.\n%s",
			     from->name, f->path, target, text) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = nc_plan_write(p, path, hdr, 0644, "the networkd configuration of %s", target);
	}
	if (r >= 0)
		r = nc_plan_disable(p, root, f->path, "the E1000's .network, set aside");
	if (r >= 0 && mode == NETCFG_SIDE_BY_SIDE) {
		for (size_t k = 0; r >= 0 && k < m->n_vlans; k++)
			r = nc_plan_command_restored(p, "remove the VLAN from the E1000 (networkd recreates it)",
					    (const char *const[]){ "ip", "link", "delete", m->vlans[k]->name, NULL },
					    (const char *const[]){ "networkctl", "reload", NULL });
		/* The E1000's addresses go before networkd reads the files, so that a rollback,
		 * which runs these undos in reverse once the files are back, reloads first and
		 * then reconfigures the E1000 (reconfigure alone does not read the files) */
		if (r >= 0 && !m->master)
			r = nc_plan_command_restored(p, "remove the E1000's addresses",
					    (const char *const[]){ "ip", "address", "flush", "dev", from->name, NULL },
					    (const char *const[]){ "networkctl", "reconfigure", from->name, NULL });
		if (r >= 0 && m->master)
			r = nd_plan_port(m, from, target, p, false);
		if (r >= 0)
			r = nc_plan_command_restored(p, "make networkd read the configuration",
					    (const char *const[]){ "networkctl", "reload", NULL },
					    (const char *const[]){ "networkctl", "reload", NULL });
		if (r >= 0 && m->master) {
			r = nd_plan_port(m, from, target, p, true);
			goto out;
		}
		/* networkd leaves what it configured on a link whose .network is gone: a rollback
		 * takes the addresses and the VLANs off the VMXNET3 NIC itself, before the files
		 * come back, so that the E1000 gets them again without a duplicate (IPv6 DAD) or a
		 * VLAN name taken */
		if (r >= 0)
			r = nc_plan_command(p, false, "configure the VMXNET3 NIC",
					    (const char *const[]){ "networkctl", "reconfigure", target, NULL },
					    (const char *const[]){ "ip", "address", "flush", "dev", target, NULL });
		for (size_t k = 0; r >= 0 && k < m->n_vlans; k++)
			r = nc_plan_command(p, false, "on a rollback, take the VLAN off the VMXNET3 NIC again",
					    (const char *const[]){ "true", NULL },
					    (const char *const[]){ "ip", "link", "delete", m->vlans[k]->name, NULL });
	}
out:
	return r;
}

/* The [NetDev] Name= of every .netdev: virtual devices (bonds, bridges, VLANs), not NICs. */
static int nd_netdev_names(const char *root, char ***ret, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **files = NULL;
	int r;

	r = nd_list(root, "", ".netdev", &files);
	for (char **p = files; r >= 0 && p && *p; p++) {
		struct nd_file f = {};
		const char *v;

		r = nd_load(root, *p, false, &f, err);
		if (r < 0)
			break;
		v = nc_ini_get(&f.ini, "NetDev", "Name");
		if (v)
			r = strv_push(ret, v);
		nd_file_done(&f);
	}
	return r;
}

/* The plain names of each .network's [Match] Name= (globs and negations name no interface),
 * but for the virtual devices .netdev files define. */
static int networkd_names(const char *root, char ***names, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **files = NULL, **virtual = NULL;
	int r;

	r = nd_netdev_names(root, &virtual, err);
	if (r >= 0)
		r = nd_list(root, "", ".network", &files);
	for (char **p = files; r >= 0 && p && *p; p++) {
		_cleanup_strv_free_ char **words = NULL;
		struct nd_file f = {};
		const char *v, *type;

		r = nd_load(root, *p, false, &f, err);
		if (r < 0)
			break;
		v = nc_ini_get(&f.ini, "Match", "Name");
		type = nc_ini_get(&f.ini, "Match", "Type");
		if (v && (!type || streq(type, "ether")) && (r = strv_split(v, " \t", &words)) >= 0 &&
		    strv_length(words) == 1 && !strv_contains(virtual, words[0]))
			r = nc_names_add(names, words[0]);
		nd_file_done(&f);
	}
	return r;
}

const struct nc_backend nc_backend_networkd = {
	.name = NETCFG_NETWORKD,
	.read = networkd_read,
	.state_free = nd_state_free,
	.plan = networkd_plan,
	.names = networkd_names,
};
