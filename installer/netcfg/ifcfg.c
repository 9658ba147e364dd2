// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RHEL ifcfg files: /etc/sysconfig/network-scripts/ifcfg-<name> (read by the network scripts,
 * or by NetworkManager's ifcfg-rh plugin), with routes in route-<name> / route6-<name>. A
 * file configures the NIC when its DEVICE= (or, without one, its file name) is the NIC's name,
 * or its HWADDR= is the NIC's MAC. VLANs are files with VLAN=yes and PHYSDEV= (or a DEVICE=
 * <parent>.<id>). MASTER=/SLAVE= (bond), BRIDGE=, TEAM_MASTER=, MACADDR= are refused. The plan
 * copies the files line by line with DEVICE=, NAME=, HWADDR= changed and UUID= dropped (two
 * files must not share one), and turns the old ones off (ONBOOT=no); across a reboot it keeps
 * the name (pinned by a .link file) and only drops a stale HWADDR=.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/internal.h"

#define IFCFG_DIR "/etc/sysconfig/network-scripts"

struct ic_file {
	char *path, *data, *name; /* name: the part after "ifcfg-" */
	struct nc_shvars v;
};

struct ic_set {
	struct ic_file *f;
	size_t n;
};

static void ic_set_done(struct ic_set *s)
{
	for (size_t k = 0; k < s->n; k++) {
		free(s->f[k].path);
		free(s->f[k].data);
		free(s->f[k].name);
		nc_shvars_done(&s->f[k].v);
	}
	free(s->f);
	*s = (struct ic_set){};
}

static int ic_load(const char *root, struct ic_set *ret, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **files = NULL;
	struct ic_set s = {};
	int r;

	r = nc_list_dir(root, IFCFG_DIR, NULL, &files);
	if (r < 0)
		return r;
	for (char **p = files; p && *p; p++) {
		const char *base = strrchr(*p, '/') + 1;
		struct ic_file f = {};
		struct ic_file *nv;

		if (strncmp(base, "ifcfg-", 6) != 0 || streq(base, "ifcfg-lo") || strchr(base, '~') ||
		    strstr(base, ".bak") || strstr(base, ".orig") || strstr(base, ".rpm") ||
		    strstr(base, NC_DISABLED_SUFFIX))
			continue;
		r = nc_read_file(root, *p, &f.data);
		if (r < 0) {
			ic_set_done(&s);
			return nc_error(err, *p, 0, r, "cannot read: %s", strerror(-r));
		}
		r = nc_shvars_parse(*p, f.data, &f.v, err);
		if (r < 0) {
			free(f.data);
			ic_set_done(&s);
			return r;
		}
		f.path = strdup(*p);
		f.name = strdup(base + 6);
		nv = f.path && f.name ? realloc(s.f, sizeof(*nv) * (s.n + 1)) : NULL;
		if (!nv) {
			free(f.path);
			free(f.name);
			free(f.data);
			nc_shvars_done(&f.v);
			ic_set_done(&s);
			return -ENOMEM;
		}
		s.f = nv;
		s.f[s.n++] = f;
	}
	*ret = s;
	return 0;
}

static const char *ic_device(const struct ic_file *f)
{
	return nc_shvars_get(&f->v, "DEVICE") ?: f->name;
}

static bool ic_matches(const struct ic_file *f, const struct netcfg_nic *nic)
{
	const char *hw = nc_shvars_get(&f->v, "HWADDR");
	const char *type = nc_shvars_get(&f->v, "TYPE");

	if (nc_shvar_true(nc_shvars_get(&f->v, "VLAN")) || (type && strcasecmp(type, "Ethernet") != 0 &&
							    strcasecmp(type, "Bond") != 0 && strcasecmp(type, "Bridge") != 0))
		return false;
	if (hw && *hw)
		return nc_mac_matches(hw, nic) && (!nc_shvars_get(&f->v, "DEVICE") || streq(ic_device(f), nic->name) || !nic->name);
	return streq(ic_device(f), nic->name);
}

/* "IPADDR", "IPADDR0", "IPADDR1"...: the suffix, or NULL when key is not base[n]. */
static const char *suffix_of(const char *key, const char *base)
{
	size_t n = strlen(base);

	if (strncmp(key, base, n) != 0 || strspn(key + n, "0123456789") != strlen(key + n))
		return NULL;
	return key + n;
}

static int ic_addresses(struct netcfg_iface *m, const struct ic_file *f, struct netcfg_error *err)
{
	int r;

	for (size_t k = 0; k < f->v.n; k++) {
		const struct nc_shvar *v = &f->v.v[k];
		const char *sfx = suffix_of(v->key, "IPADDR");
		_cleanup_free_ char *pk = NULL, *nk = NULL;
		const char *prefix, *netmask;
		unsigned pfx = 32;

		if (!sfx || !*v->value)
			continue;
		if (asprintf(&pk, "PREFIX%s", sfx) < 0 || asprintf(&nk, "NETMASK%s", sfx) < 0)
			return -ENOMEM;
		prefix = nc_shvars_get(&f->v, pk);
		netmask = nc_shvars_get(&f->v, nk);
		if (prefix && netcfg_parse_prefix(prefix, AF_INET, &pfx) < 0)
			return nc_bad(err, f->path, nc_shvars_find(&f->v, pk)->line, "bad %s '%s'", pk, prefix);
		if (!prefix && netmask && netcfg_parse_prefix(netmask, AF_INET, &pfx) < 0)
			return nc_bad(err, f->path, nc_shvars_find(&f->v, nk)->line, "bad %s '%s'", nk, netmask);
		r = netcfg_iface_add_addr(m, v->value, pfx);
		if (r == -EINVAL)
			return nc_bad(err, f->path, v->line, "bad %s '%s'", v->key, v->value);
		if (r < 0)
			return r;
	}
	return 0;
}

static int ic_into(struct netcfg_iface *m, const struct ic_file *f, struct netcfg_error *err)
{
	const char *bp = nc_shvars_get(&f->v, "BOOTPROTO");
	int r;

	for (size_t k = 0; k < f->v.n; k++) {
		const struct nc_shvar *v = &f->v.v[k];
		const char *key = v->key, *val = v->value;

		r = 0;
		if (streq(key, "MASTER") || (streq(key, "SLAVE") && nc_shvar_true(val)))
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "a bond port (%s=%s)", key, val);
		else if (streq(key, "BRIDGE") && *val)
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "a bridge port (BRIDGE=%s)", val);
		else if (streq(key, "TEAM_MASTER"))
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "a team port (TEAM_MASTER=%s)", val);
		else if (streq(key, "MACADDR") && *val)
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "a set MAC address (MACADDR=)");
		else if (streq(key, "TYPE") && strcasecmp(val, "Ethernet") != 0)
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "TYPE=%s", val);
		else if (streq(key, "GATEWAY")) {
			if (netcfg_iface_set_gateway(m, val) < 0)
				return nc_bad(err, f->path, v->line, "bad GATEWAY '%s'", val);
		} else if (suffix_of(key, "DNS") && *suffix_of(key, "DNS")) {
			if (netcfg_iface_add_dns(m, val) < 0)
				return nc_bad(err, f->path, v->line, "bad %s '%s'", key, val);
		} else if (streq(key, "DOMAIN")) {
			_cleanup_strv_free_ char **w = NULL;

			r = strv_split(val, " \t", &w);
			for (char **x = w; r >= 0 && *x; x++)
				r = netcfg_iface_add_search(m, *x);
			if (r == -EINVAL)
				return nc_bad(err, f->path, v->line, "bad DOMAIN '%s'", val);
		} else if (streq(key, "MTU")) {
			if (netcfg_parse_uint(val, 68, 65535, &m->mtu) < 0)
				return nc_bad(err, f->path, v->line, "bad MTU '%s'", val);
		} else if (streq(key, "IPV6ADDR") || streq(key, "IPV6ADDR_SECONDARIES")) {
			_cleanup_strv_free_ char **w = NULL;

			r = strv_split(val, " \t", &w);
			for (char **x = w; r >= 0 && *x; x++)
				r = netcfg_iface_add_addr(m, *x, 64);
			if (r == -EINVAL)
				return nc_bad(err, f->path, v->line, "bad %s '%s'", key, val);
		} else if (streq(key, "IPV6_DEFAULTGW")) {
			_cleanup_free_ char *gw = strndup(val, strcspn(val, "%"));

			if (!gw)
				return -ENOMEM;
			if (netcfg_iface_set_gateway(m, gw) < 0)
				return nc_bad(err, f->path, v->line, "bad IPV6_DEFAULTGW '%s'", val);
		} else if (streq(key, "IPV6_AUTOCONF"))
			m->ipv6_autoconf = nc_shvar_true(val) ? NETCFG_YES : NETCFG_NO;
		else if (streq(key, "DHCPV6C"))
			m->dhcp6 = nc_shvar_true(val) ? NETCFG_YES : NETCFG_NO;
		else if (streq(key, "IPV6INIT") && !nc_shvar_true(val))
			m->ipv6_autoconf = NETCFG_NO, m->dhcp6 = NETCFG_NO;
		if (r < 0)
			return r;
	}
	if (bp && (strcasecmp(bp, "dhcp") == 0 || strcasecmp(bp, "bootp") == 0))
		m->dhcp4 = NETCFG_YES;
	else if (!bp || strcasecmp(bp, "none") == 0 || strcasecmp(bp, "static") == 0 || !*bp)
		m->dhcp4 = NETCFG_NO;
	else {
		r = netcfg_iface_add_unsupported(m, f->path, nc_shvars_find(&f->v, "BOOTPROTO")->line, "BOOTPROTO=%s", bp);
		if (r < 0)
			return r;
	}
	if (nc_shvar_true(nc_shvars_get(&f->v, "IPV6INIT")) && m->ipv6_autoconf == NETCFG_UNSET)
		m->ipv6_autoconf = nc_shvars_get(&f->v, "IPV6ADDR") ? NETCFG_NO : NETCFG_YES;
	r = ic_addresses(m, f, err);
	if (r < 0)
		return r;
	m->start_at_boot = !nc_shvars_get(&f->v, "ONBOOT") || nc_shvar_true(nc_shvars_get(&f->v, "ONBOOT"));
	return netcfg_iface_add_file(m, f->path);
}

/* route-<name>: "ADDRESS0=... NETMASK0=... GATEWAY0=... METRIC0=..." or "ip route" lines. */
static int ic_routes(const char *root, struct netcfg_iface *m, const char *name, int family,
		     struct netcfg_error *err)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	struct nc_lines l = {};
	int r;

	if (asprintf(&path, IFCFG_DIR "/route%s-%s", family == AF_INET6 ? "6" : "", name) < 0)
		return -ENOMEM;
	r = nc_read_file(root, path, &data);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return nc_error(err, path, 0, r, "cannot read: %s", strerror(-r));
	r = netcfg_iface_add_file(m, path);
	if (r < 0)
		return r;
	if (strstr(data, "ADDRESS0=") || strstr(data, "ADDRESS1=")) {
		struct nc_shvars v;

		r = nc_shvars_parse(path, data, &v, err);
		if (r < 0)
			return r;
		for (size_t k = 0; r >= 0 && k < v.n; k++) {
			const char *sfx = suffix_of(v.v[k].key, "ADDRESS");
			_cleanup_free_ char *nk = NULL, *gk = NULL, *mk = NULL, *dest = NULL;
			const char *nm, *gw, *metric;
			unsigned pfx = 32, met = 0;

			if (!sfx || !*sfx)
				continue;
			if (asprintf(&nk, "NETMASK%s", sfx) < 0 || asprintf(&gk, "GATEWAY%s", sfx) < 0 ||
			    asprintf(&mk, "METRIC%s", sfx) < 0)
				r = -ENOMEM;
			nm = nc_shvars_get(&v, nk ?: "");
			gw = nc_shvars_get(&v, gk ?: "");
			metric = nc_shvars_get(&v, mk ?: "");
			if (r >= 0 && nm && netcfg_parse_prefix(nm, AF_INET, &pfx) < 0)
				r = nc_bad(err, path, v.v[k].line, "bad %s", nk);
			if (r >= 0 && metric && netcfg_parse_uint(metric, 0, 0x7fffffff, &met) < 0)
				r = nc_bad(err, path, v.v[k].line, "bad %s", mk);
			if (r >= 0 && asprintf(&dest, "%s/%u", v.v[k].value, pfx) < 0)
				r = -ENOMEM;
			if (r >= 0) {
				r = netcfg_iface_add_route(m, dest, gw && *gw ? gw : NULL, metric ? (int)met : -1);
				if (r == -EINVAL)
					r = nc_bad(err, path, v.v[k].line, "bad route %s via %s", dest, gw ?: "-");
			}
		}
		nc_shvars_done(&v);
		return r;
	}
	r = nc_lines_split(data, &l);
	for (size_t k = 0; r >= 0 && k < l.n; k++) {
		_cleanup_strv_free_ char **w = NULL;
		struct nc_route_words rw;

		if (*nc_strip(l.v[k]) == 0 || *nc_strip(l.v[k]) == '#')
			continue;
		r = strv_split(l.v[k], " \t", &w);
		if (r < 0)
			break;
		if (nc_route_words(w + 1, name, &rw, NULL) < 0) {
			r = netcfg_iface_add_unsupported(m, path, (unsigned)k + 1, "route '%s'", l.v[k]);
			continue;
		}
		r = netcfg_iface_add_route_in(m, streq(w[0], "default") && family == AF_INET6 ? "default6" : w[0],
					      rw.gateway, rw.metric, rw.table, rw.onlink);
		if (r == -EINVAL)
			r = nc_bad(err, path, (unsigned)k + 1, "bad route '%s'", l.v[k]);
	}
	nc_lines_done(&l);
	return r;
}

static int ic_model(const char *root, const struct ic_set *s, const struct netcfg_nic *nic, size_t *ret_main,
		    struct netcfg_iface **ret, struct netcfg_error *err)
{
	_cleanup_iface_ struct netcfg_iface *m = NULL;
	size_t main = SIZE_MAX;
	int r;

	for (size_t k = 0; k < s->n; k++) {
		if (!ic_matches(&s->f[k], nic))
			continue;
		if (main == SIZE_MAX) {
			main = k;
			continue;
		}
		if (!m && !(m = netcfg_iface_new()))
			return -ENOMEM;
		r = netcfg_iface_add_unsupported(m, s->f[k].path, 1, "a second file for %s (first: %s)",
						 nic->name ?: nic->mac, s->f[main].path);
		if (r < 0)
			return r;
	}
	if (main == SIZE_MAX)
		return -ENOENT;
	if (!m && !(m = netcfg_iface_new()))
		return -ENOMEM;
	m->name = strdup(ic_device(&s->f[main]));
	m->id = strdup(s->f[main].name);
	if (!m->name || !m->id)
		return -ENOMEM;
	if (nc_shvars_get(&s->f[main].v, "HWADDR") && *nc_shvars_get(&s->f[main].v, "HWADDR") &&
	    netcfg_parse_mac(nc_shvars_get(&s->f[main].v, "HWADDR"), &m->match_mac) < 0)
		return nc_bad(err, s->f[main].path, nc_shvars_find(&s->f[main].v, "HWADDR")->line, "bad HWADDR");
	r = ic_into(m, &s->f[main], err);
	if (r >= 0)
		r = ic_routes(root, m, s->f[main].name, AF_INET, err);
	if (r >= 0)
		r = ic_routes(root, m, s->f[main].name, AF_INET6, err);
	if (r < 0)
		return r;
	for (size_t k = 0; k < s->n; k++) {
		const struct ic_file *f = &s->f[k];
		const char *dev = ic_device(f), *phys = nc_shvars_get(&f->v, "PHYSDEV");
		size_t n = strlen(m->name);
		struct netcfg_iface *v;
		unsigned id;

		if (k == main)
			continue;
		if (!nc_shvar_true(nc_shvars_get(&f->v, "VLAN")))
			continue;
		if (!(streq(phys, m->name) || (!phys && strncmp(dev, m->name, n) == 0 && dev[n] == '.')))
			continue;
		if (netcfg_parse_uint(nc_shvars_get(&f->v, "VLAN_ID") ?: (strrchr(dev, '.') ? strrchr(dev, '.') + 1 : ""),
				      1, 4094, &id) < 0)
			return nc_bad(err, f->path, 0, "VLAN without a VLAN_ID= or a <parent>.<id> name");
		v = netcfg_iface_new();
		if (!v)
			return -ENOMEM;
		r = netcfg_iface_add_vlan(m, v);
		if (r < 0) {
			netcfg_iface_free(v);
			return r;
		}
		v->vlan_id = id;
		v->name = strdup(dev);
		v->id = strdup(f->name);
		v->vlan_parent = strdup(m->name);
		if (!v->name || !v->id || !v->vlan_parent)
			return -ENOMEM;
		r = ic_into(v, f, err);
		if (r >= 0)
			r = netcfg_iface_add_file(m, f->path);
		for (size_t u = 0; r >= 0 && u < v->n_unsupported; u++)
			r = netcfg_iface_add_unsupported(m, v->unsupported[u].file, v->unsupported[u].line,
							 "%s (on VLAN %s)", v->unsupported[u].what, v->name);
		if (r < 0)
			return r;
	}
	if (ret_main)
		*ret_main = main;
	*ret = TAKE_PTR(m);
	return 0;
}

/* What the plan takes from the read: every ifcfg file as parsed, and which one is the NIC's. */
struct ic_state {
	struct ic_set s;
	size_t main;
};

static void ic_state_free(void *state)
{
	struct ic_state *st = state;

	ic_set_done(&st->s);
	free(st);
}

static int ifcfg_read(const char *root, const struct netcfg_nic *nic, struct netcfg_iface **ret,
		      void **ret_state, struct netcfg_error *err)
{
	struct ic_state *st = calloc(1, sizeof(*st));
	int r;

	if (!st)
		return -ENOMEM;
	r = ic_load(root, &st->s, err);
	if (r >= 0)
		r = ic_model(root, &st->s, nic, &st->main, ret, err);
	if (r < 0 || !ret_state)
		ic_state_free(st);
	else
		*ret_state = st;
	return r;
}

static int edit(const char *data, const char *const *kv, char **ret)
{
	struct nc_lines l;
	int r;

	r = nc_lines_split(data, &l);
	for (; r >= 0 && kv[0]; kv += 2)
		r = nc_shvars_set(&l, kv[0], kv[1]);
	if (r >= 0)
		r = nc_lines_join(&l, ret);
	nc_lines_done(&l);
	return r;
}

/* route-<old> rewritten for <new>: "dev old" becomes "dev new". */
static int copy_routes(const char *root, struct netcfg_plan *p, const char *old, const char *new, bool disable)
{
	static const char *const kinds[] = { "route", "route6" };
	int r;

	for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
		_cleanup_free_ char *from = NULL, *to = NULL, *data = NULL, *out = NULL;
		struct nc_lines l;

		if (asprintf(&from, IFCFG_DIR "/%s-%s", kinds[k], old) < 0 ||
		    asprintf(&to, IFCFG_DIR "/%s-%s", kinds[k], new) < 0)
			return -ENOMEM;
		r = nc_read_file(root, from, &data);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		r = nc_lines_split(data, &l);
		for (size_t i = 0; r >= 0 && i < l.n; i++) {
			_cleanup_free_ char *pat = NULL;
			char *at, *n;

			if (asprintf(&pat, " dev %s", old) < 0) {
				r = -ENOMEM;
				break;
			}
			at = strstr(l.v[i], pat);
			if (!at || (at[strlen(pat)] && at[strlen(pat)] != ' '))
				continue;
			if (asprintf(&n, "%.*s dev %s%s", (int)(at - l.v[i]), l.v[i], new, at + strlen(pat)) < 0)
				r = -ENOMEM;
			else
				nc_lines_set(&l, i, n);
		}
		if (r >= 0)
			r = nc_lines_join(&l, &out);
		nc_lines_done(&l);
		if (r >= 0)
			r = nc_plan_write(p, to, out, 0644, "the routes of %s", new);
		if (r >= 0 && disable)
			r = nc_plan_disable_prefixed(p, root, from, "the E1000's routes, set aside");
		if (r < 0)
			return r;
	}
	return 0;
}

static int ifcfg_plan(const char *root, const struct netcfg_iface *m, void *state,
		      const struct netcfg_nic *from, const struct netcfg_nic *to, enum netcfg_mode mode,
		      struct netcfg_plan *p, struct netcfg_error *err)
{
	const struct ic_state *st = state;
	const struct ic_set *s = &st->s;
	_cleanup_free_ char *target_mac = NULL;
	const char *target = nc_target_name(from, to, mode);
	bool nm = nc_unit_enabled(root, "NetworkManager.service");
	const struct ic_file *mf;
	int r;

	(void)err;
	if (to->mac && (r = netcfg_parse_mac(to->mac, &target_mac)) < 0)
		goto out;
	mf = &s->f[st->main];

	if (mode == NETCFG_REPLACE && streq(target, from->name)) {
		/* The name stays (pinned); a HWADDR= of the E1000 would stop the file from applying. */
		r = nc_plan_pin_name(p, to, target);
		if (r >= 0 && m->match_mac) {
			_cleanup_free_ char *text = NULL;

			r = edit(mf->data, (const char *const[]){ "HWADDR", target_mac, NULL }, &text);
			if (r >= 0)
				r = nc_plan_write(p, mf->path, text, 0644, target_mac ? "HWADDR= kept (the MAC moves)" :
									   "HWADDR= of the E1000 removed");
		}
		goto out;
	}
	if (mode == NETCFG_REPLACE && (r = nc_plan_pin_name(p, to, target)) < 0)
		goto out;
	{
		_cleanup_free_ char *path = NULL, *text = NULL, *old = NULL, *gw6 = NULL, *ethtool = NULL;
		const char *dgw = nc_shvars_get(&mf->v, "IPV6_DEFAULTGW");
		const char *eo = nc_shvars_get(&mf->v, "ETHTOOL_OPTS");
		const char *kv[13] = { "DEVICE", target, "NAME", nc_shvars_get(&mf->v, "NAME") ? target : NULL,
				       "UUID", NULL, "HWADDR", m->match_mac ? target_mac : NULL };
		size_t n = 8;

		/* "addr%ens33" names the interface too, and so does "-K ens33 tso off". */
		if (dgw && strchr(dgw, '%')) {
			if (asprintf(&gw6, "%.*s%%%s", (int)(strchr(dgw, '%') - dgw), dgw, target) < 0) {
				r = -ENOMEM;
				goto out;
			}
			kv[n++] = "IPV6_DEFAULTGW";
			kv[n++] = gw6;
		}
		if (eo) {
			r = nc_rename_words(eo, from->name, target, &ethtool);
			if (r < 0)
				goto out;
			if (!streq(ethtool, eo)) {
				kv[n++] = "ETHTOOL_OPTS";
				kv[n++] = ethtool;
			}
		}
		if (asprintf(&path, IFCFG_DIR "/ifcfg-%s", target) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = edit(mf->data, kv, &text);
		if (r >= 0)
			r = nc_plan_write(p, path, text, 0644, "the configuration of the VMXNET3 NIC %s", target);
		if (r >= 0 && mode == NETCFG_SIDE_BY_SIDE)
			r = edit(mf->data, (const char *const[]){ "ONBOOT", "no", NULL }, &old);
		if (r >= 0 && mode == NETCFG_SIDE_BY_SIDE)
			r = nc_plan_write(p, mf->path, old, 0644, "the E1000's configuration no longer starts (ONBOOT=no)");
		if (r >= 0 && mode == NETCFG_REPLACE)
			r = nc_plan_disable_prefixed(p, root, mf->path, "the E1000's configuration, set aside");
		if (r >= 0)
			r = copy_routes(root, p, mf->name, target, mode == NETCFG_REPLACE);
		if (r < 0)
			goto out;
	}
	for (size_t k = 0; k < s->n; k++) {
		const struct ic_file *vf = &s->f[k];
		_cleanup_free_ char *vname = NULL, *path = NULL, *text = NULL, *old = NULL;
		bool ours = false;

		for (size_t i = 0; i < m->n_vlans; i++)
			ours |= streq(m->vlans[i]->id, vf->name);
		if (!ours)
			continue;
		r = nc_rename_vlan(ic_device(vf), from->name, target, &vname);
		if (r >= 0 && asprintf(&path, IFCFG_DIR "/ifcfg-%s", vname) < 0)
			r = -ENOMEM;
		if (r >= 0)
			r = edit(vf->data,
				 (const char *const[]){ "DEVICE", vname, "PHYSDEV", nc_shvars_get(&vf->v, "PHYSDEV") ? target : NULL,
							"NAME", nc_shvars_get(&vf->v, "NAME") ? vname : NULL, "UUID", NULL, NULL },
				 &text);
		if (r >= 0)
			r = nc_plan_write(p, path, text, 0644, "the VLAN %s on the VMXNET3 NIC", vname);
		if (r >= 0 && !streq(path, vf->path)) {
			if (mode == NETCFG_SIDE_BY_SIDE) {
				r = edit(vf->data, (const char *const[]){ "ONBOOT", "no", NULL }, &old);
				if (r >= 0)
					r = nc_plan_write(p, vf->path, old, 0644, "the E1000's VLAN no longer starts (ONBOOT=no)");
			} else
				r = nc_plan_disable_prefixed(p, root, vf->path, "the E1000's VLAN, set aside");
		}
		if (r < 0)
			goto out;
	}
	if (mode == NETCFG_SIDE_BY_SIDE) {
		if (nm) {
			r = nc_plan_nmcli_devices(p, "make NetworkManager read the files", from->name, target);
		} else {
			for (size_t k = 0; r >= 0 && k < m->n_vlans; k++)
				r = nc_plan_command(p, true, "take the E1000's VLAN down",
						    (const char *const[]){ "ifdown", m->vlans[k]->name, NULL },
						    (const char *const[]){ "ifup", m->vlans[k]->name, NULL });
			if (r >= 0)
				r = nc_plan_command(p, true, "take the E1000 down",
						    (const char *const[]){ "ifdown", from->name, NULL },
						    (const char *const[]){ "ifup", from->name, NULL });
			if (r >= 0)
				r = nc_plan_command(p, false, "bring the VMXNET3 NIC up",
						    (const char *const[]){ "ifup", target, NULL },
						    (const char *const[]){ "ifdown", target, NULL });
			for (size_t k = 0; r >= 0 && k < m->n_vlans; k++) {
				_cleanup_free_ char *vname = NULL;

				r = nc_rename_vlan(m->vlans[k]->name, from->name, target, &vname);
				if (r >= 0)
					r = nc_plan_command(p, false, "bring the VLAN up",
							    (const char *const[]){ "ifup", vname, NULL },
							    (const char *const[]){ "ifdown", vname, NULL });
			}
		}
	}
out:
	return r;
}

static int ifcfg_names(const char *root, char ***names, struct netcfg_error *err)
{
	struct ic_set s = {};
	int r;

	r = ic_load(root, &s, err);
	for (size_t k = 0; r >= 0 && k < s.n; k++) {
		const struct ic_file *f = &s.f[k];
		const char *type = nc_shvars_get(&f->v, "TYPE");

		if (!nc_shvar_true(nc_shvars_get(&f->v, "VLAN")) && (!type || strcasecmp(type, "Ethernet") == 0))
			r = nc_names_add(names, ic_device(f));
	}
	ic_set_done(&s);
	return r;
}

const struct nc_backend nc_backend_ifcfg = {
	.name = NETCFG_IFCFG,
	.read = ifcfg_read,
	.state_free = ic_state_free,
	.plan = ifcfg_plan,
	.names = ifcfg_names,
};
