// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NetworkManager keyfiles: <name>.nmconnection in /run, /etc and /usr/lib
 * .../NetworkManager/system-connections (for one uuid the first of these wins). A
 * connection configures the NIC when its type is ethernet and its [connection] interface-name,
 * [ethernet] mac-address or [match] interface-name/driver lists fit it (and autoconnect is not
 * false; a [match] path= or kernel-command-line= is refused), unless
 * NetworkManager.conf (and conf.d) lists the NIC in [keyfile] unmanaged-devices. VLAN
 * connections whose [vlan] parent is the NIC's name or the connection's uuid ride along. The
 * plan copies each keyfile line by line, changing only what names the NIC (id, uuid,
 * interface-name, mac-address, VLAN parent), so that settings the model does not need are kept
 * as they were; the old connections get autoconnect=false (side by side) or are edited in
 * place (replace).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "netcfg/internal.h"
#include "system/nmconf.h"

#define NM_DIR "/etc/NetworkManager/system-connections"

struct nm_conn {
	char *path;
	char *data;
	struct nc_ini ini;
};

struct nm_set {
	struct nm_conn *c;
	size_t n;
};

static void nm_set_done(struct nm_set *s)
{
	for (size_t k = 0; k < s->n; k++) {
		free(s->c[k].path);
		free(s->c[k].data);
		nc_ini_done(&s->c[k].ini);
	}
	free(s->c);
	*s = (struct nm_set){};
}

/* Profiles live in /run (in memory), /etc and /usr/lib: for one uuid, the first of these
 * wins; /etc/.../.nmmeta/UUID.nmmeta linking to /dev/null deletes a profile of /usr/lib. */
static const char *const nm_dirs[] = { "/run/NetworkManager/system-connections", NM_DIR,
				       "/usr/lib/NetworkManager/system-connections" };

static bool nm_tombstoned(const char *root, const char *uuid)
{
	_cleanup_free_ char *dir = NULL, *link = NULL;
	char target[16];
	ssize_t n;

	if (!uuid || strchr(uuid, '/') || path_chase(root, NM_DIR "/.nmmeta", 0, &dir) < 0 ||
	    asprintf(&link, "%s/%s.nmmeta", dir, uuid) < 0)
		return false;
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	return streq(target, "/dev/null");
}

/* Whether an earlier profile has c's uuid (or a tombstone deletes it). */
static bool nm_shadowed(const char *root, const struct nm_set *s, const struct nm_conn *c)
{
	const char *uuid = nc_ini_get(&c->ini, "connection", "uuid");

	if (!uuid)
		return false;
	for (size_t k = 0; k < s->n; k++)
		if (streq(nc_ini_get(&s->c[k].ini, "connection", "uuid"), uuid))
			return true;
	return strncmp(c->path, NM_DIR "/", sizeof(NM_DIR)) != 0 && nm_tombstoned(root, uuid);
}

static int nm_load(const char *root, struct nm_set *ret, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **files = NULL;
	struct nm_set s = {};
	int r;

	for (size_t k = 0; k < ELEMENTSOF(nm_dirs); k++) {
		_cleanup_strv_free_ char **l = NULL;

		r = nc_list_dir(root, nm_dirs[k], ".nmconnection", &l);
		for (char **f = l; r >= 0 && f && *f; f++)
			r = strv_push(&files, *f);
		if (r < 0)
			return r;
	}
	for (char **f = files; f && *f; f++) {
		struct nm_conn c = {};
		struct nm_conn *nv;

		r = nc_read_file(root, *f, &c.data);
		if (r < 0) {
			nm_set_done(&s);
			return nc_error(err, *f, 0, r, "cannot read: %s", strerror(-r));
		}
		r = nc_ini_parse(*f, c.data, &c.ini, err);
		if (r >= 0 && (r = nc_ini_keyfile(&c.ini, *f, err)) < 0)
			nc_ini_done(&c.ini);
		c.path = strdup(*f);
		if (r >= 0 && c.path && nm_shadowed(root, &s, &c)) {
			free(c.data);
			free(c.path);
			nc_ini_done(&c.ini);
			continue;
		}
		nv = r >= 0 && c.path ? realloc(s.c, sizeof(*nv) * (s.n + 1)) : NULL;
		if (!nv) {
			free(c.data);
			free(c.path);
			if (r >= 0)
				nc_ini_done(&c.ini);
			nm_set_done(&s);
			return r < 0 ? r : -ENOMEM;
		}
		s.c = nv;
		s.c[s.n++] = c;
	}
	*ret = s;
	return 0;
}

static const char *conn_type(const struct nm_conn *c)
{
	const char *t = nc_ini_get(&c->ini, "connection", "type");

	if (streq(t, "802-3-ethernet"))
		return "ethernet";
	return t;
}

static const char *eth_get(const struct nm_conn *c, const char *key)
{
	return nc_ini_get(&c->ini, "ethernet", key) ?: nc_ini_get(&c->ini, "802-3-ethernet", key);
}

static const struct nc_ini_entry *eth_find(const struct nm_conn *c, const char *key)
{
	return nc_ini_find(&c->ini, "ethernet", key) ?: nc_ini_find(&c->ini, "802-3-ethernet", key);
}

static bool conn_autoconnect(const struct nm_conn *c)
{
	const char *a = nc_ini_get(&c->ini, "connection", "autoconnect");

	return !(streq(a, "false") || streq(a, "no") || streq(a, "0"));
}

/* The items of a keyfile list (keyfile.c), each also split at ',' (written by hand for ';'). */
static int kf_items(const struct nc_ini_entry *e, char ***ret)
{
	_cleanup_strv_free_ char **items = NULL, **all = NULL;
	int r;

	r = nc_kf_list(e->raw ?: e->value, &items);
	if (r < 0)
		return r;
	for (char **i = items; *i; i++) {
		_cleanup_strv_free_ char **parts = NULL;

		r = strv_split(*i, ",", &parts);
		for (char **p = parts; r >= 0 && p && *p; p++)
			if (*nc_strip(*p))
				r = strv_push(&all, nc_strip(*p));
		if (r < 0)
			return r;
	}
	if (!all && !(all = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(all);
	return 0;
}

/*
 * A [match] list (nm-settings(5), match.interface-name): globs, each optional ("|x", the
 * default) or mandatory ("&x"); "!" inverts one ("!x" is "&!x"); every mandatory one must fit,
 * and one optional one when there are any.
 */
static bool match_list_fits(const struct nc_ini_entry *list, const char *value)
{
	_cleanup_strv_free_ char **items = NULL;
	bool have_optional = false, optional_hit = false;

	if (kf_items(list, &items) < 0)
		return false;
	for (char **i = items; *i; i++) {
		const char *e = nc_strip(*i);
		bool mandatory = *e == '&', explicit_optional = *e == '|', invert, hit;

		e += mandatory || explicit_optional;
		invert = *e == '!';
		e += invert;
		mandatory |= invert && !explicit_optional;
		e += *e == '\\';
		hit = value && fnmatch(e, value, 0) == 0;
		if (invert)
			hit = !hit;
		if (mandatory && !hit)
			return false;
		if (!mandatory)
			have_optional = true, optional_hit |= hit;
	}
	return !have_optional || optional_hit;
}

/* Whether the connection is for nic: 1 or 0; *ret_unknown: a [match] key it also has that
 * cannot be told offline (path, kernel-command-line), which the caller refuses. */
static bool conn_matches(const struct nm_conn *c, const struct netcfg_nic *nic,
			 const struct nc_ini_entry **ret_unknown)
{
	const char *ifname = nc_ini_get(&c->ini, "connection", "interface-name");
	const char *mac = eth_get(c, "mac-address");
	const struct nc_ini_entry *m_ifname = nc_ini_find(&c->ini, "match", "interface-name");
	const struct nc_ini_entry *m_driver = nc_ini_find(&c->ini, "match", "driver");

	*ret_unknown = NULL;
	if (!streq(conn_type(c), "ethernet"))
		return false;
	if (ifname && !streq(ifname, nic->name))
		return false;
	if (mac && !nc_mac_matches(mac, nic))
		return false;
	if ((m_ifname && !match_list_fits(m_ifname, nic->name)) || (m_driver && !match_list_fits(m_driver, nic->driver)))
		return false;
	*ret_unknown = nc_ini_find(&c->ini, "match", "path") ?: nc_ini_find(&c->ini, "match", "kernel-command-line");
	return ifname || mac || m_ifname || m_driver || *ret_unknown;
}

/* NetworkManager's configuration, by the reader detect uses too (system/nmconf.h). */
static int nm_conf_load(const char *root, struct nmconf *ret, struct netcfg_error *err)
{
	_cleanup_free_ char *bad = NULL;
	unsigned line = 0;
	int r;

	r = nmconf_load(root, ret, &bad, &line);
	if (r == -EBADMSG)
		return nc_bad(err, bad, line, "not a comment, a [section] or key=value");
	if (r < 0)
		return nc_error(err, bad, 0, r, "cannot read: %s", strerror(-r));
	return 0;
}

bool nc_nm_manages_ifupdown(const char *root)
{
	struct nmconf c = {};
	const char *managed;
	bool r;

	if (!nc_unit_enabled(root, "NetworkManager.service") || nm_conf_load(root, &c, NULL) < 0)
		return false;
	managed = nmconf_get(&c, "ifupdown", "managed");
	r = nmconf_list_contains(&c, "main", "plugins", "ifupdown") &&
	    (streq(managed, "true") || streq(managed, "yes") || streq(managed, "1"));
	nmconf_done(&c);
	return r;
}

/* NetworkManager.conf and conf.d: is the NIC listed in unmanaged-devices? */
static int nm_unmanaged(const char *root, const struct netcfg_nic *nic, bool *ret, struct netcfg_error *err)
{
	const struct nmconf_device dev = { .ifname = nic->name, .mac = nic->mac,
					   .permanent_mac = nic->permanent_mac, .driver = nic->driver,
					   .type = "ethernet" };
	struct nmconf c = {};
	int r;

	r = nm_conf_load(root, &c, err);
	if (r < 0)
		return r;
	*ret = nmconf_unmanaged(&c, &dev);
	nmconf_done(&c);
	return 0;
}

/* "a;b;" lists. */
static int add_list(struct netcfg_iface *m, const struct nc_ini_entry *e, int (*add)(struct netcfg_iface *, const char *))
{
	_cleanup_strv_free_ char **l = NULL;
	int r;

	r = kf_items(e, &l);
	if (r < 0)
		return r;
	for (char **s = l; *s; s++) {
		r = add(m, *s);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A routeN_options value ("table=100,onlink=true"): the table and on-link flag, which the model
 * carries; -EINVAL for another option, or a bad value. */
static int route_options(const char *v, unsigned *ret_table, bool *ret_onlink)
{
	_cleanup_strv_free_ char **opts = NULL;
	unsigned table = 0;
	bool onlink = false;
	int r;

	r = strv_split(v, ",", &opts);
	for (char **o = opts; r >= 0 && o && *o; o++) {
		const char *x = nc_strip(*o);

		if (strncmp(x, "table=", 6) == 0)
			r = netcfg_parse_table(x + 6, &table);
		else if (streq(x, "onlink=true") || streq(x, "onlink=1") || streq(x, "onlink=yes"))
			onlink = true;
		else if (!(streq(x, "onlink=false") || streq(x, "onlink=0") || streq(x, "onlink=no")))
			r = -EINVAL;
	}
	if (r < 0)
		return r;
	*ret_table = table;
	*ret_onlink = onlink;
	return 0;
}

/* routeN=dest/prefix[,gateway[,metric]] with its routeN_options. */
static int nm_route(struct netcfg_iface *m, const struct nm_conn *c, const struct nc_ini_entry *e,
		    struct netcfg_error *err)
{
	_cleanup_strv_free_ char **f = NULL;
	_cleanup_free_ char *okey = NULL;
	const char *gw, *opts;
	unsigned metric = 0, table = 0;
	bool onlink = false;
	int r;

	r = strv_split(e->value, ",", &f);
	if (r < 0)
		return r;
	if (strv_length(f) < 1 || strv_length(f) > 3)
		return nc_bad(err, c->path, e->line, "bad route '%s'", e->value);
	gw = f[1] && strcmp(f[1], "0.0.0.0") != 0 && strcmp(f[1], "::") != 0 ? f[1] : NULL;
	if (f[1] && f[2] && netcfg_parse_uint(f[2], 0, 0x7fffffff, &metric) < 0)
		return nc_bad(err, c->path, e->line, "bad route metric '%s'", f[2]);
	if (asprintf(&okey, "%s_options", e->key) < 0)
		return -ENOMEM;
	opts = nc_ini_get(&c->ini, e->section, okey);
	if (opts && route_options(opts, &table, &onlink) < 0)
		table = 0, onlink = false; /* refused where the options key is read */
	r = netcfg_iface_add_route_in(m, f[0], gw, f[1] && f[2] ? (int)metric : -1, table, onlink);
	if (r == -EINVAL)
		return nc_bad(err, c->path, e->line, "bad route '%s'", e->value);
	return r;
}

static int ip_section(struct netcfg_iface *m, const struct nm_conn *c, const struct nc_ini_entry *e,
		      int family, struct netcfg_error *err)
{
	const char *k = e->key, *v = e->value;
	int r = 0;

	if (streq(k, "method")) {
		if (family == AF_INET) {
			if (streq(v, "auto"))
				m->dhcp4 = NETCFG_YES;
			else if (streq(v, "manual") || streq(v, "disabled"))
				m->dhcp4 = NETCFG_NO;
			else
				r = netcfg_iface_add_unsupported(m, c->path, e->line, "ipv4 method '%s'", v);
		} else {
			if (streq(v, "auto"))
				m->ipv6_autoconf = NETCFG_YES;
			else if (streq(v, "dhcp"))
				m->dhcp6 = NETCFG_YES, m->ipv6_autoconf = NETCFG_NO;
			else if (streq(v, "manual") || streq(v, "ignore") || streq(v, "disabled") ||
				 streq(v, "link-local"))
				m->dhcp6 = NETCFG_NO, m->ipv6_autoconf = NETCFG_NO;
			else
				r = netcfg_iface_add_unsupported(m, c->path, e->line, "ipv6 method '%s'", v);
		}
	} else if (strncmp(k, "address", 7) == 0 &&
		   (k[7] == 0 || (k[7] >= '0' && k[7] <= '9') || streq(k + 7, "es"))) {
		_cleanup_strv_free_ char **items = NULL;

		/* "address1=10.0.0.5/24,10.0.0.1" or "addresses=a/n;b/n;" */
		r = strv_split(v, ";", &items);
		for (char **i = items; r >= 0 && *i; i++) {
			char *comma = strchr(*i, ',');

			if (comma)
				*comma++ = 0;
			r = netcfg_iface_add_addr(m, nc_strip(*i), family == AF_INET ? 32 : 128);
			if (r >= 0 && comma && *nc_strip(comma))
				r = netcfg_iface_set_gateway(m, nc_strip(comma));
		}
		if (r == -EINVAL)
			return nc_bad(err, c->path, e->line, "bad address '%s'", v);
	} else if (streq(k, "gateway")) {
		r = netcfg_iface_set_gateway(m, v);
		if (r == -EINVAL)
			return nc_bad(err, c->path, e->line, "bad gateway '%s'", v);
	} else if (streq(k, "dns")) {
		r = add_list(m, e, netcfg_iface_add_dns);
		if (r == -EINVAL)
			return nc_bad(err, c->path, e->line, "bad dns '%s'", v);
	} else if (streq(k, "dns-search")) {
		r = add_list(m, e, netcfg_iface_add_search);
		if (r == -EINVAL)
			return nc_bad(err, c->path, e->line, "bad dns-search '%s'", v);
	} else if (strncmp(k, "route", 5) == 0 && k[5] >= '0' && k[5] <= '9' && !strchr(k, '_'))
		r = nm_route(m, c, e, err);
	else if (strncmp(k, "route", 5) == 0 && k[5] >= '0' && k[5] <= '9' && streq(strchr(k, '_'), "_options")) {
		unsigned table;
		bool onlink;

		if (route_options(v, &table, &onlink) < 0)
			r = netcfg_iface_add_unsupported(m, c->path, e->line, "route options '%s' (%s)", v, k);
	} else if (strncmp(k, "route", 5) == 0 && strchr(k, '_'))
		r = netcfg_iface_add_unsupported(m, c->path, e->line, "route options (%s)", k);
	else if (strncmp(k, "routing-rule", 12) == 0 && (strstr(v, "iif ") || strstr(v, "oif ")))
		r = netcfg_iface_add_unsupported(m, c->path, e->line, "%s=%s (a rule naming an interface)", k, v);
	else if (streq(k, "never-default") && (streq(v, "true") || streq(v, "yes")))
		r = netcfg_iface_add_unsupported(m, c->path, e->line, "never-default");
	/* Other keys (may-fail, addr-gen-mode, dhcp-*, ...) are kept by the line-by-line copy. */
	return r;
}

/*
 * connection.master/controller with slave-type/port-type bond or bridge: a port. m->master gets
 * the master as the connection names it (an interface name, a UUID or an id; nm_model makes it
 * the interface name). A team port, or a master without a kind, is refused. Returns 0, 1 when
 * refused, or -errno.
 */
static int conn_port(struct netcfg_iface *m, const struct nm_conn *c, const struct nc_ini_entry *e)
{
	const char *master = nc_ini_get(&c->ini, "connection", "master") ?:
			     nc_ini_get(&c->ini, "connection", "controller");
	const char *kind = nc_ini_get(&c->ini, "connection", "slave-type") ?:
			   nc_ini_get(&c->ini, "connection", "port-type");
	int r;

	if (master && *master && (streq(kind, "bond") || streq(kind, "bridge"))) {
		if (m->master)
			return 0;
		m->master = strdup(master);
		m->master_kind = streq(kind, "bond") ? "bond" : "bridge";
		return m->master ? 0 : -ENOMEM;
	}
	r = netcfg_iface_add_unsupported(m, c->path, e->line, "a port of %s (%s=%s)", master ?: "?",
					 e->key, e->value);
	return r < 0 ? r : 1;
}

static int conn_into(struct netcfg_iface *m, const struct nm_conn *c, struct netcfg_error *err)
{
	int r = 0;

	for (size_t k = 0; r >= 0 && k < c->ini.n; k++) {
		const struct nc_ini_entry *e = &c->ini.e[k];
		bool eth = streq(e->section, "ethernet") || streq(e->section, "802-3-ethernet");

		if (streq(e->section, "ipv4"))
			r = ip_section(m, c, e, AF_INET, err);
		else if (streq(e->section, "ipv6"))
			r = ip_section(m, c, e, AF_INET6, err);
		else if (streq(e->section, "connection") &&
			 (streq(e->key, "master") || streq(e->key, "controller") || streq(e->key, "slave-type") ||
			  streq(e->key, "port-type"))) {
			r = conn_port(m, c, e);
			if (r != 0)
				break; /* one refusal per connection is enough */
		} else if (eth && streq(e->key, "cloned-mac-address"))
			r = netcfg_iface_add_unsupported(m, c->path, e->line, "a set MAC address (cloned-mac-address)");
		else if (eth && streq(e->key, "mtu")) {
			if (netcfg_parse_uint(e->value, 0, 65535, &m->mtu) < 0)
				return nc_bad(err, c->path, e->line, "bad mtu '%s'", e->value);
		} else if (streq(e->section, "vlan") && streq(e->key, "id")) {
			if (netcfg_parse_uint(e->value, 0, 4094, &m->vlan_id) < 0)
				return nc_bad(err, c->path, e->line, "bad VLAN id '%s'", e->value);
		}
	}
	if (r < 0)
		return r;
	m->start_at_boot = conn_autoconnect(c);
	return netcfg_iface_add_file(m, c->path);
}

/*
 * A port: m->master (as the port's connection names it: interface name, UUID or id) becomes
 * the master's interface name, from the bond or bridge connection it names. A port with
 * addresses or DHCP of its own is refused (the master carries them).
 */
static int nm_port_master(const struct nm_set *s, const struct nm_conn *port, struct netcfg_iface *m)
{
	const struct nc_ini_entry *e = nc_ini_find(&port->ini, "connection", "master") ?:
				       nc_ini_find(&port->ini, "connection", "controller");
	char *name;

	if (m->n_addrs || m->n_vlans || m->dhcp4 == NETCFG_YES || m->dhcp6 == NETCFG_YES)
		return netcfg_iface_add_unsupported(m, port->path, e ? e->line : 1,
						    "a %s port with addresses of its own", m->master_kind);
	for (size_t k = 0; k < s->n; k++) {
		const struct nm_conn *c = &s->c[k];
		const char *ifname = nc_ini_get(&c->ini, "connection", "interface-name");

		if (!streq(conn_type(c), m->master_kind))
			continue;
		if (!streq(m->master, ifname) && !streq(m->master, nc_ini_get(&c->ini, "connection", "uuid")) &&
		    !streq(m->master, nc_ini_get(&c->ini, "connection", "id")))
			continue;
		if (!ifname)
			return netcfg_iface_add_unsupported(m, port->path, e ? e->line : 1,
							    "a port of %s, whose connection (%s) sets no interface-name",
							    m->master, c->path);
		name = strdup(ifname);
		if (!name)
			return -ENOMEM;
		free(m->master);
		m->master = name;
		return 0;
	}
	/* no connection for it: an interface name, as NetworkManager takes it too */
	if (strlen(m->master) == 36 && m->master[8] == '-')
		return netcfg_iface_add_unsupported(m, port->path, e ? e->line : 1,
						    "a port of %s, which no %s connection names", m->master,
						    m->master_kind);
	return 0;
}

struct nm_found {
	size_t main;
	size_t *vlans;
	size_t n_vlans;
};

static int nm_model(const struct nm_set *s, const struct netcfg_nic *nic, struct nm_found *ret_found,
		    struct netcfg_iface **ret, struct netcfg_error *err)
{
	_cleanup_iface_ struct netcfg_iface *m = NULL;
	_cleanup_free_ size_t *vl = NULL;
	size_t main = SIZE_MAX, n_vl = 0;
	const char *uuid;
	int r;

	for (size_t k = 0; k < s->n; k++) {
		const struct nc_ini_entry *unknown;

		if (!conn_matches(&s->c[k], nic, &unknown) || !conn_autoconnect(&s->c[k]))
			continue;
		if (unknown) {
			if (!m && !(m = netcfg_iface_new()))
				return -ENOMEM;
			r = netcfg_iface_add_unsupported(m, s->c[k].path, unknown->line, "[match] %s=%s",
							 unknown->key, unknown->value);
			if (r < 0)
				return r;
		}
		if (main == SIZE_MAX) {
			main = k;
			continue;
		}
		if (!m && !(m = netcfg_iface_new()))
			return -ENOMEM;
		r = netcfg_iface_add_unsupported(m, s->c[k].path, 1, "a second connection for %s (first: %s)",
						 nic->name ?: nic->mac, s->c[main].path);
		if (r < 0)
			return r;
	}
	if (main == SIZE_MAX)
		return -ENOENT;
	if (!m && !(m = netcfg_iface_new()))
		return -ENOMEM;
	m->name = strdup(nc_ini_get(&s->c[main].ini, "connection", "interface-name") ?: nic->name ?: "");
	m->id = strdup(nc_ini_get(&s->c[main].ini, "connection", "id") ?: "");
	if (!m->name || !m->id)
		return -ENOMEM;
	if (eth_get(&s->c[main], "mac-address") &&
	    netcfg_parse_mac(eth_get(&s->c[main], "mac-address"), &m->match_mac) < 0)
		return nc_bad(err, s->c[main].path, eth_find(&s->c[main], "mac-address")->line, "bad mac-address");
	r = conn_into(m, &s->c[main], err);
	if (r >= 0 && m->master)
		r = nm_port_master(s, &s->c[main], m);
	if (r < 0)
		return r;
	uuid = nc_ini_get(&s->c[main].ini, "connection", "uuid");
	for (size_t k = 0; k < s->n; k++) {
		const char *t = conn_type(&s->c[k]);
		const char *parent = nc_ini_get(&s->c[k].ini, "vlan", "parent");
		const char *master = nc_ini_get(&s->c[k].ini, "connection", "master") ?:
				     nc_ini_get(&s->c[k].ini, "connection", "controller");
		struct netcfg_iface *v;
		size_t *nv;

		if (k == main)
			continue;
		if (master && (streq(master, m->name) || streq(master, uuid))) {
			r = netcfg_iface_add_unsupported(m, s->c[k].path, 1, "a %s connection over %s", t ?: "?", m->name);
			if (r < 0)
				return r;
			continue;
		}
		if (!streq(t, "vlan") || !parent || !(streq(parent, m->name) || streq(parent, uuid)))
			continue;
		v = netcfg_iface_new();
		if (!v)
			return -ENOMEM;
		r = netcfg_iface_add_vlan(m, v);
		if (r < 0) {
			netcfg_iface_free(v);
			return r;
		}
		v->name = strdup(nc_ini_get(&s->c[k].ini, "connection", "interface-name") ?:
				 nc_ini_get(&s->c[k].ini, "connection", "id") ?: "");
		v->vlan_parent = strdup(m->name);
		v->id = strdup(nc_ini_get(&s->c[k].ini, "connection", "id") ?: "");
		if (!v->name || !v->vlan_parent || !v->id)
			return -ENOMEM;
		r = conn_into(v, &s->c[k], err);
		if (r >= 0)
			r = netcfg_iface_add_file(m, s->c[k].path);
		if (r < 0)
			return r;
		for (size_t u = 0; u < v->n_unsupported; u++) {
			r = netcfg_iface_add_unsupported(m, v->unsupported[u].file, v->unsupported[u].line,
							 "%s (on VLAN %s)", v->unsupported[u].what, v->name);
			if (r < 0)
				return r;
		}
		nv = realloc(vl, sizeof(*nv) * (n_vl + 1));
		if (!nv)
			return -ENOMEM;
		vl = nv;
		vl[n_vl++] = k;
	}
	if (ret_found) {
		ret_found->main = main;
		ret_found->vlans = TAKE_PTR(vl);
		ret_found->n_vlans = n_vl;
	}
	*ret = TAKE_PTR(m);
	return 0;
}

/* What the plan takes from the read: the profiles as parsed, and which are the NIC's. */
struct nm_state {
	struct nm_set s;
	struct nm_found f;
};

static void nm_state_free(void *state)
{
	struct nm_state *st = state;

	nm_set_done(&st->s);
	free(st->f.vlans);
	free(st);
}

static int nm_read(const char *root, const struct netcfg_nic *nic, struct netcfg_iface **ret,
		   void **ret_state, struct netcfg_error *err)
{
	struct nm_state *st;
	bool unmanaged = false;
	int r;

	r = nm_unmanaged(root, nic, &unmanaged, err);
	if (r < 0)
		return r;
	if (unmanaged)
		return -ENOENT;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	r = nm_load(root, &st->s, err);
	if (r >= 0)
		r = nm_model(&st->s, nic, &st->f, ret, err);
	if (r < 0 || !ret_state)
		nm_state_free(st);
	else
		*ret_state = st;
	return r;
}

/* --- plan ---------------------------------------------------------------------------------- */

/* A new uuid, derived from the old one and the new name so that plans are reproducible. */
static void derive_uuid(const char *old, const char *salt, char ret[37])
{
	uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull;

	for (const char *p = old ? old : ""; *p; p++)
		h1 = (h1 ^ (unsigned char)*p) * 0x100000001b3ull, h2 = (h2 ^ (unsigned char)*p) * 0x1000193ull + h1;
	for (const char *p = salt; *p; p++)
		h1 = (h1 ^ (unsigned char)*p) * 0x100000001b3ull, h2 = (h2 ^ (unsigned char)*p) * 0x1000193ull + h1;
	snprintf(ret, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(h1 >> 32), (unsigned)(h1 >> 16) & 0xffff,
		 (unsigned)h1 & 0xfff, 0x8000 | ((unsigned)(h2 >> 48) & 0x3fff),
		 (unsigned long long)(h2 & 0xffffffffffffull));
}

/* Sets key=value in [section] (value NULL: removes it); adds the section when missing. */
static int kf_set(struct nc_lines *l, const char *section, const char *key, const char *value)
{
	_cleanup_free_ char *hdr = NULL, *kv = NULL;
	size_t start = SIZE_MAX, end;

	_cleanup_free_ char *written = NULL;

	if (value && nc_kf_escape(value, &written) < 0)
		return -ENOMEM;
	if (asprintf(&hdr, "[%s]", section) < 0 || (value && asprintf(&kv, "%s=%s", key, written) < 0))
		return -ENOMEM;
	for (size_t k = 0; k < l->n; k++)
		if (streq(nc_strip(l->v[k]), hdr))
			start = k;
	if (start == SIZE_MAX) {
		if (!value)
			return 0;
		if (nc_lines_insert(l, l->n, "") < 0 || nc_lines_insert(l, l->n, hdr) < 0)
			return -ENOMEM;
		return nc_lines_insert(l, l->n, kv);
	}
	for (end = start + 1; end < l->n && nc_strip(l->v[end])[0] != '['; end++) {
		char *line = l->v[end], *eq = strchr(line, '=');
		_cleanup_free_ char *k = NULL;

		if (!eq)
			continue;
		k = strndup(line, (size_t)(eq - line));
		if (!k)
			return -ENOMEM;
		if (!streq(nc_strip(k), key))
			continue;
		if (!value) {
			free(l->v[end]);
			memmove(l->v + end, l->v + end + 1, sizeof(char *) * (l->n - end - 1));
			l->n--;
			return 0;
		}
		return nc_lines_set(l, end, TAKE_PTR(kv));
	}
	if (!value)
		return 0;
	return nc_lines_insert(l, start + 1, kv);
}

struct conn_edit {
	const char *id, *uuid, *ifname, *mac, *parent;
	bool remove_mac, autoconnect_off;
	bool drop_match; /* [match] interface-name/driver: interface-name= names the NIC now */
};

static int kf_edit(const struct nm_conn *c, const struct conn_edit *e, char **ret)
{
	const char *eth = nc_ini_find(&c->ini, "802-3-ethernet", "mac-address") ? "802-3-ethernet" : "ethernet";
	struct nc_lines l;
	int r = 0;

	r = nc_lines_split(c->data, &l);
	if (r < 0)
		return r;
	if (e->autoconnect_off)
		r = kf_set(&l, "connection", "autoconnect", "false");
	if (r >= 0 && e->id)
		r = kf_set(&l, "connection", "id", e->id);
	if (r >= 0 && e->uuid)
		r = kf_set(&l, "connection", "uuid", e->uuid);
	if (r >= 0 && e->ifname)
		r = kf_set(&l, "connection", "interface-name", e->ifname);
	if (r >= 0 && (e->mac || e->remove_mac))
		r = kf_set(&l, eth, "mac-address", e->mac);
	if (r >= 0 && e->parent)
		r = kf_set(&l, "vlan", "parent", e->parent);
	if (r >= 0 && e->drop_match)
		r = kf_set(&l, "match", "interface-name", NULL);
	if (r >= 0 && e->drop_match)
		r = kf_set(&l, "match", "driver", NULL);
	if (r >= 0)
		r = nc_lines_join(&l, ret);
	nc_lines_done(&l);
	return r;
}

/*
 * A port of a bond or bridge, side by side: the VMXNET3 NIC's connection is a copy of the
 * E1000's, so it names the same master. A bond never goes without a usable port (see
 * networkd.c): the VMXNET3 connection comes up, the plan waits until bonding sees its link up,
 * and only then the E1000's goes down (NetworkManager releases a port it deactivates). The
 * rollback brings the E1000's connection up, waits for it, then takes the VMXNET3 one down,
 * and reloads the restored files last. In a bridge the E1000 goes first (a loop otherwise).
 */
static int nm_plan_port(const struct netcfg_iface *m, const struct netcfg_nic *from, const char *target,
			const char *old_uuid, const char *new_uuid, struct netcfg_plan *p)
{
	const bool bond = streq(m->master_kind, "bond");
	/* without a uuid= line, the E1000's connection is the one NetworkManager picks for it */
	const char *const old_up_uuid[] = { "nmcli", "connection", "up", "uuid", old_uuid, NULL };
	const char *const old_connect[] = { "nmcli", "device", "connect", from->name, NULL };
	const char *const *old_up = old_uuid ? old_up_uuid : old_connect;
	const char *const old_down[] = { "nmcli", "device", "disconnect", from->name, NULL };
	const char *const new_up[] = { "nmcli", "connection", "up", "uuid", new_uuid, NULL };
	const char *const new_down[] = { "nmcli", "connection", "down", "uuid", new_uuid, NULL };
	int r;

	r = nc_plan_command_restored(p, "make NetworkManager read the connections",
				     (const char *const[]){ "nmcli", "connection", "reload", NULL },
				     (const char *const[]){ "nmcli", "connection", "reload", NULL });
	if (r >= 0)
		r = nc_plan_port_rollback(p, m, from->name, bond ? new_down : NULL, false);
	if (r >= 0)
		r = nc_plan_port_swap(p, m, from->name, target, new_up, bond ? NULL : new_down, old_down, old_up,
				      false);
	return r;
}

static int nm_plan(const char *root, const struct netcfg_iface *m, void *state,
		   const struct netcfg_nic *from, const struct netcfg_nic *to, enum netcfg_mode mode,
		   struct netcfg_plan *p, struct netcfg_error *err)
{
	const struct nm_state *st = state;
	const struct nm_set *s = &st->s;
	const struct nm_found *f = &st->f;
	_cleanup_free_ char *target_mac = NULL;
	const char *target = nc_target_name(from, to, mode);
	const struct nm_conn *mc;
	const char *old_uuid;
	char new_uuid[37];
	bool keep_mac;
	int r;

	(void)root;
	(void)err;
	if (to->mac && (r = netcfg_parse_mac(to->mac, &target_mac)) < 0)
		return r;
	mc = &s->c[f->main];
	old_uuid = nc_ini_get(&mc->ini, "connection", "uuid");
	keep_mac = m->match_mac && target_mac;

	if (mode == NETCFG_REPLACE) {
		/* The same connections, edited in place: the name is pinned, the MAC kept or dropped. */
		struct conn_edit e = { .ifname = target, .mac = keep_mac ? target_mac : NULL,
				       .remove_mac = m->match_mac && !keep_mac, .drop_match = true };
		_cleanup_free_ char *text = NULL;

		r = nc_plan_pin_name(p, to, target);
		if (r >= 0)
			r = kf_edit(mc, &e, &text);
		if (r >= 0 && !streq(text, mc->data))
			r = nc_plan_write(p, mc->path, text, 0600, "the connection now names the VMXNET3 NIC %s", target);
		for (size_t k = 0; r >= 0 && k < f->n_vlans; k++) {
			const struct nm_conn *vc = &s->c[f->vlans[k]];
			struct conn_edit ve = { .parent = target };
			_cleanup_free_ char *vtext = NULL;

			if (!streq(nc_ini_get(&vc->ini, "vlan", "parent"), from->name) || streq(target, from->name))
				continue;
			r = kf_edit(vc, &ve, &vtext);
			if (r >= 0)
				r = nc_plan_write(p, vc->path, vtext, 0600, "VLAN parent renamed to %s", target);
		}
		goto out;
	}

	/* Side by side: new connections for the VMXNET3 NIC; the old ones no longer autoconnect. */
	derive_uuid(old_uuid, target, new_uuid);
	{
		struct conn_edit e = { .id = target, .uuid = new_uuid, .ifname = target,
				       .mac = keep_mac ? target_mac : NULL, .remove_mac = m->match_mac && !keep_mac,
				       .drop_match = true };
		struct conn_edit off = { .autoconnect_off = true };
		_cleanup_free_ char *text = NULL, *old = NULL, *path = NULL;

		if (asprintf(&path, NM_DIR "/vnic-%s.nmconnection", target) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = kf_edit(mc, &e, &text);
		if (r >= 0)
			r = nc_plan_write(p, path, text, 0600, "the connection of the VMXNET3 NIC %s", target);
		if (r >= 0)
			r = kf_edit(mc, &off, &old);
		if (r >= 0)
			r = nc_plan_write(p, mc->path, old, 0600, "the E1000's connection no longer starts (autoconnect=false)");
		if (r < 0)
			goto out;
	}
	for (size_t k = 0; k < f->n_vlans; k++) {
		const struct nm_conn *vc = &s->c[f->vlans[k]];
		const char *vparent = nc_ini_get(&vc->ini, "vlan", "parent");
		const char *vifname = nc_ini_get(&vc->ini, "connection", "interface-name");
		const char *vid = nc_ini_get(&vc->ini, "connection", "id");
		_cleanup_free_ char *nifname = NULL, *nid = NULL, *path = NULL, *text = NULL, *old = NULL;
		struct conn_edit off = { .autoconnect_off = true };
		char vuuid[37];

		if ((vifname && nc_rename_vlan(vifname, from->name, target, &nifname) < 0) ||
		    nc_rename_vlan(vid, from->name, target, &nid) < 0 ||
		    asprintf(&path, NM_DIR "/vnic-%s.nmconnection", nifname ?: nid) < 0) {
			r = -ENOMEM;
			goto out;
		}
		/* salted with its own new name: keyfiles without a uuid= must not all derive the
		 * main connection's (NetworkManager would keep one of them) */
		derive_uuid(nc_ini_get(&vc->ini, "connection", "uuid"), nifname ?: nid, vuuid);
		{
			struct conn_edit e = { .id = nid, .uuid = vuuid, .ifname = nifname,
					       .parent = streq(vparent, old_uuid) ? new_uuid : target };

			r = kf_edit(vc, &e, &text);
		}
		if (r >= 0)
			r = nc_plan_write(p, path, text, 0600, "the VLAN connection on the VMXNET3 NIC %s", target);
		if (r >= 0)
			r = kf_edit(vc, &off, &old);
		if (r >= 0)
			r = nc_plan_write(p, vc->path, old, 0600, "the E1000's VLAN no longer starts (autoconnect=false)");
		if (r < 0)
			goto out;
	}
	if (m->master) {
		r = nm_plan_port(m, from, target, old_uuid, new_uuid, p);
		goto out;
	}
	r = nc_plan_command_restored(p, "make NetworkManager read the connections",
			    (const char *const[]){ "nmcli", "connection", "reload", NULL },
			    (const char *const[]){ "nmcli", "connection", "reload", NULL });
	if (r >= 0)
		r = nc_plan_command_restored(p, "take the E1000 down",
				    (const char *const[]){ "nmcli", "device", "disconnect", from->name, NULL },
				    old_uuid ? (const char *const[]){ "nmcli", "connection", "up", "uuid", old_uuid, NULL }
					     : (const char *const[]){ "nmcli", "device", "connect", from->name, NULL });
	if (r >= 0)
		r = nc_plan_command(p, false, "bring the VMXNET3 connection up",
				    (const char *const[]){ "nmcli", "connection", "up", "uuid", new_uuid, NULL },
				    (const char *const[]){ "nmcli", "connection", "down", "uuid", new_uuid, NULL });
out:
	return r;
}

static int nm_names(const char *root, char ***names, struct netcfg_error *err)
{
	struct nm_set s = {};
	int r;

	r = nm_load(root, &s, err);
	for (size_t k = 0; r >= 0 && k < s.n; k++) {
		const struct nm_conn *c = &s.c[k];

		if (streq(conn_type(c), "ethernet"))
			r = nc_names_add(names, nc_ini_get(&c->ini, "connection", "interface-name") ?:
					 nc_ini_get(&c->ini, "match", "interface-name"));
	}
	nm_set_done(&s);
	return r;
}

const struct nc_backend nc_backend_nm = {
	.name = NETCFG_NM,
	.read = nm_read,
	.state_free = nm_state_free,
	.plan = nm_plan,
	.names = nm_names,
};
