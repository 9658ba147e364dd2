// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SUSE wicked: /etc/sysconfig/network/ifcfg-<name> (the file name is the interface name),
 * routes in ifroute-<name> and in the global routes file (lines "DEST GATEWAY NETMASK
 * INTERFACE ..."), DNS in /etc/sysconfig/network/config (NETCONFIG_DNS_STATIC_*, global: read
 * into the model, never changed). VLANs are ifcfg files with ETHERDEVICE=<the NIC>. Bond and
 * bridge ports (BONDING_SLAVE*, BRIDGE_PORTS naming the NIC) and LLADDR= are refused. The plan
 * copies ifcfg-<old> to ifcfg-<new> and turns the old one off (STARTMODE=off), or, across a
 * reboot, keeps the name (pinned by a .link file) and changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/internal.h"

#define WK_DIR "/etc/sysconfig/network"

struct wk_file {
	char *path, *data, *name;
	struct nc_shvars v;
};

static void wk_file_done(struct wk_file *f)
{
	free(f->path);
	free(f->data);
	free(f->name);
	nc_shvars_done(&f->v);
	*f = (struct wk_file){};
}

static int wk_load(const char *root, const char *path, struct wk_file *ret, struct netcfg_error *err)
{
	struct wk_file f = {};
	int r;

	r = nc_read_file(root, path, &f.data);
	if (r < 0)
		return r == -ENOENT ? r : nc_error(err, path, 0, r, "cannot read: %s", strerror(-r));
	r = nc_shvars_parse(path, f.data, &f.v, err);
	if (r < 0) {
		free(f.data);
		return r;
	}
	f.path = strdup(path);
	f.name = strdup(strrchr(path, '/') + 1 + strlen("ifcfg-"));
	if (!f.path || !f.name) {
		wk_file_done(&f);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

static int wk_list(const char *root, char ***ret)
{
	_cleanup_strv_free_ char **all = NULL, **l = NULL;
	int r;

	r = nc_list_dir(root, WK_DIR, NULL, &all);
	if (r < 0)
		return r;
	for (char **p = all; p && *p; p++) {
		const char *b = strrchr(*p, '/') + 1;

		if (strncmp(b, "ifcfg-", 6) != 0 || streq(b, "ifcfg-lo") || strchr(b, '~') || strchr(b + 6, '.') == b + 6 ||
		    strstr(b, ".bak") || strstr(b, ".rpm") || strstr(b, NC_DISABLED_SUFFIX) || strstr(b, ".orig"))
			continue;
		if (strv_push(&l, *p) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

static bool words_contain(const char *value, const char *name)
{
	_cleanup_strv_free_ char **w = NULL;

	return value && strv_split(value, " \t", &w) == 0 && strv_contains(w, name);
}

static int wk_into(struct netcfg_iface *m, const struct wk_file *f, struct netcfg_error *err)
{
	const char *bp = nc_shvars_get(&f->v, "BOOTPROTO"), *sm = nc_shvars_get(&f->v, "STARTMODE");
	int r = 0;

	for (size_t k = 0; r >= 0 && k < f->v.n; k++) {
		const struct nc_shvar *v = &f->v.v[k];

		if (strncmp(v->key, "IPADDR", 6) == 0 && *v->value) {
			const char *sfx = v->key + 6;
			_cleanup_free_ char *pk = NULL, *nk = NULL;
			const char *plen, *nm;
			unsigned pfx = 0;
			int family = strchr(v->value, ':') ? AF_INET6 : AF_INET;

			if (*sfx && *sfx != '_')
				continue;
			if (asprintf(&pk, "PREFIXLEN%s", sfx) < 0 || asprintf(&nk, "NETMASK%s", sfx) < 0)
				return -ENOMEM;
			plen = nc_shvars_get(&f->v, pk);
			nm = nc_shvars_get(&f->v, nk);
			if (plen && netcfg_parse_prefix(plen, family, &pfx) < 0)
				return nc_bad(err, f->path, nc_shvars_find(&f->v, pk)->line, "bad %s '%s'", pk, plen);
			if (!plen && nm && netcfg_parse_prefix(nm, family, &pfx) < 0)
				return nc_bad(err, f->path, nc_shvars_find(&f->v, nk)->line, "bad %s '%s'", nk, nm);
			if (!strchr(v->value, '/') && !plen && !nm)
				pfx = family == AF_INET ? 32 : 128;
			r = netcfg_iface_add_addr(m, v->value, pfx);
			if (r == -EINVAL)
				return nc_bad(err, f->path, v->line, "bad %s '%s'", v->key, v->value);
		} else if (streq(v->key, "MTU") && *v->value) {
			if (netcfg_parse_uint(v->value, 68, 65535, &m->mtu) < 0)
				return nc_bad(err, f->path, v->line, "bad MTU '%s'", v->value);
		} else if (streq(v->key, "LLADDR") && *v->value)
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "a set MAC address (LLADDR=)");
		else if ((streq(v->key, "BONDING_MASTER") || streq(v->key, "BRIDGE")) && nc_shvar_true(v->value))
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "%s=%s on the NIC itself", v->key, v->value);
		else if (streq(v->key, "TUNNEL") && *v->value)
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "a tunnel");
		else if (streq(v->key, "WIRELESS_MODE") || streq(v->key, "WIRELESS_ESSID"))
			r = netcfg_iface_add_unsupported(m, f->path, v->line, "wifi (%s)", v->key);
	}
	if (r < 0)
		return r;
	if (!bp || streq(bp, "static") || streq(bp, "none") || !*bp)
		m->dhcp4 = NETCFG_NO;
	else if (streq(bp, "dhcp"))
		m->dhcp4 = m->dhcp6 = NETCFG_YES;
	else if (streq(bp, "dhcp4"))
		m->dhcp4 = NETCFG_YES;
	else if (streq(bp, "dhcp6"))
		m->dhcp6 = NETCFG_YES;
	else if ((r = netcfg_iface_add_unsupported(m, f->path, nc_shvars_find(&f->v, "BOOTPROTO")->line, "BOOTPROTO='%s'", bp)) < 0)
		return r;
	m->start_at_boot = sm && (streq(sm, "auto") || streq(sm, "onboot") || streq(sm, "hotplug") || streq(sm, "nfsroot"));
	return netcfg_iface_add_file(m, f->path);
}

/* Route lines: "DEST GATEWAY NETMASK|PREFIX|- INTERFACE|- [TYPE] [OPTIONS]". */
static int wk_routes(const char *root, struct netcfg_iface *m, const char *path, const char *ifname,
		     struct netcfg_error *err)
{
	_cleanup_free_ char *data = NULL;
	struct nc_lines l;
	bool used = false;
	int r;

	r = nc_read_file(root, path, &data);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return nc_error(err, path, 0, r, "cannot read: %s", strerror(-r));
	r = nc_lines_split(data, &l);
	for (size_t k = 0; r >= 0 && k < l.n; k++) {
		_cleanup_strv_free_ char **w = NULL;
		_cleanup_free_ char *dest = NULL;
		struct nc_route_words rw = { .metric = -1 };
		const char *gw;
		size_t n;

		if (*nc_strip(l.v[k]) == 0 || *nc_strip(l.v[k]) == '#')
			continue;
		r = strv_split(l.v[k], " \t", &w);
		if (r < 0)
			break;
		n = strv_length(w);
		if (n < 2) {
			r = nc_bad(err, path, (unsigned)k + 1, "a route needs at least a destination and a gateway");
			break;
		}
		/* In the global file, only the NIC's lines (or lines for any interface via its gateway). */
		if (n >= 4 && !streq(w[3], "-") && !streq(w[3], ifname))
			continue;
		if (n < 4 && !strstr(path, "ifroute-"))
			continue;
		used = true;
		/* [TYPE] [OPTIONS]: a unicast route with iproute2's options (metric, table, onlink) */
		if (n > 4 && nc_route_words(w + 4 + streq(w[4], "unicast"), NULL, &rw, NULL) < 0) {
			r = netcfg_iface_add_unsupported(m, path, (unsigned)k + 1, "route options '%s'", l.v[k]);
			continue;
		}
		if (rw.gateway) {
			r = netcfg_iface_add_unsupported(m, path, (unsigned)k + 1, "a second gateway in '%s'", l.v[k]);
			continue;
		}
		gw = streq(w[1], "-") || streq(w[1], "0.0.0.0") ? NULL : w[1];
		if (streq(w[0], "default"))
			dest = strdup(gw && strchr(gw, ':') ? "default6" : "default");
		else if (n >= 3 && !streq(w[2], "-") && !strchr(w[0], '/'))
			r = asprintf(&dest, "%s/%s", w[0], w[2]) < 0 ? -ENOMEM : 0;
		else
			dest = strdup(w[0]);
		if (r >= 0 && !dest)
			r = -ENOMEM;
		if (r >= 0 && dest && strchr(dest, '/') && strchr(strchr(dest, '/'), '.')) {
			/* a dotted netmask in the third column */
			unsigned pfx;
			char *slash = strchr(dest, '/');

			if (netcfg_parse_prefix(slash + 1, AF_INET, &pfx) < 0)
				r = nc_bad(err, path, (unsigned)k + 1, "bad netmask '%s'", slash + 1);
			else
				sprintf(slash + 1, "%u", pfx);
		}
		if (r >= 0) {
			r = netcfg_iface_add_route_in(m, dest, gw, rw.metric, rw.table, rw.onlink);
			if (r == -EINVAL)
				r = nc_bad(err, path, (unsigned)k + 1, "bad route '%s'", l.v[k]);
		}
	}
	nc_lines_done(&l);
	if (r >= 0 && used)
		r = netcfg_iface_add_file(m, path);
	return r;
}

static int wk_dns(const char *root, struct netcfg_iface *m, struct netcfg_error *err)
{
	struct wk_file f;
	const char *s;
	int r;

	r = nc_read_file(root, WK_DIR "/config", &f.data);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return nc_error(err, WK_DIR "/config", 0, r, "cannot read: %s", strerror(-r));
	r = nc_shvars_parse(WK_DIR "/config", f.data, &f.v, err);
	free(f.data);
	if (r < 0)
		return r;
	if ((s = nc_shvars_get(&f.v, "NETCONFIG_DNS_STATIC_SERVERS"))) {
		_cleanup_strv_free_ char **w = NULL;

		r = strv_split(s, " \t", &w);
		for (char **x = w; r >= 0 && *x; x++)
			r = netcfg_iface_add_dns(m, *x);
		if (r == -EINVAL)
			r = nc_bad(err, WK_DIR "/config", nc_shvars_find(&f.v, "NETCONFIG_DNS_STATIC_SERVERS")->line,
				   "bad NETCONFIG_DNS_STATIC_SERVERS");
	}
	if (r >= 0 && (s = nc_shvars_get(&f.v, "NETCONFIG_DNS_STATIC_SEARCHLIST"))) {
		_cleanup_strv_free_ char **w = NULL;

		r = strv_split(s, " \t", &w);
		for (char **x = w; r >= 0 && *x; x++)
			r = netcfg_iface_add_search(m, *x);
		if (r == -EINVAL)
			r = nc_bad(err, WK_DIR "/config", nc_shvars_find(&f.v, "NETCONFIG_DNS_STATIC_SEARCHLIST")->line,
				   "bad NETCONFIG_DNS_STATIC_SEARCHLIST");
	}
	nc_shvars_done(&f.v);
	return r;
}

/* What the plan takes from the read: the files of the NIC's VLANs and the ETHTOOL_OPTIONS of its
 * own file (which may name it). The files themselves are read again through the run's file
 * set: the same bytes. */
struct wk_state {
	char **vlan_files;
	char *ethtool_options;
};

static void wk_state_free(void *state)
{
	struct wk_state *st = state;

	if (!st)
		return;
	strv_free(st->vlan_files);
	free(st->ethtool_options);
	free(st);
}

static int wk_model(const char *root, const struct netcfg_nic *nic, struct netcfg_iface **ret, struct wk_state *ret_state,
		    struct netcfg_error *err)
{
	_cleanup_iface_ struct netcfg_iface *m = NULL;
	_cleanup_strv_free_ char **files = NULL, **vlan_files = NULL;
	_cleanup_free_ char *path = NULL, *ifroute = NULL;
	struct wk_file f;
	int r;

	if (!nic->name)
		return -ENOENT;
	if (asprintf(&path, WK_DIR "/ifcfg-%s", nic->name) < 0 || asprintf(&ifroute, WK_DIR "/ifroute-%s", nic->name) < 0)
		return -ENOMEM;
	r = wk_load(root, path, &f, err);
	if (r < 0)
		return r;
	m = netcfg_iface_new();
	r = m ? 0 : -ENOMEM;
	if (r >= 0 && (!(m->name = strdup(nic->name)) || !(m->id = strdup(f.name))))
		r = -ENOMEM;
	if (r >= 0)
		r = wk_into(m, &f, err);
	if (r >= 0 && ret_state && nc_shvars_get(&f.v, "ETHTOOL_OPTIONS") &&
	    !(ret_state->ethtool_options = strdup(nc_shvars_get(&f.v, "ETHTOOL_OPTIONS"))))
		r = -ENOMEM;
	wk_file_done(&f);
	if (r >= 0)
		r = wk_routes(root, m, ifroute, nic->name, err);
	if (r >= 0)
		r = wk_routes(root, m, WK_DIR "/routes", nic->name, err);
	if (r >= 0)
		r = wk_dns(root, m, err);
	if (r >= 0)
		r = wk_list(root, &files);
	for (char **p = files; r >= 0 && p && *p; p++) {
		struct wk_file o;

		if (streq(*p, path))
			continue;
		r = wk_load(root, *p, &o, err);
		if (r < 0)
			break;
		for (size_t k = 0; r >= 0 && k < o.v.n; k++) {
			const struct nc_shvar *v = &o.v.v[k];

			if ((strncmp(v->key, "BONDING_SLAVE", 13) == 0 && streq(v->value, nic->name)) ||
			    (streq(v->key, "BRIDGE_PORTS") && words_contain(v->value, nic->name)) ||
			    (streq(v->key, "TEAM_PORT_DEVICE") && streq(v->value, nic->name)))
				r = netcfg_iface_add_unsupported(m, o.path, v->line, "%s %s over %s",
								 strncmp(v->key, "BOND", 4) == 0 ? "bond" :
								 streq(v->key, "BRIDGE_PORTS") ? "bridge" : "team",
								 o.name, nic->name);
		}
		if (r >= 0 && streq(nc_shvars_get(&o.v, "ETHERDEVICE"), nic->name)) {
			struct netcfg_iface *vl = netcfg_iface_new();
			const char *vid = nc_shvars_get(&o.v, "VLAN_ID");
			const char *dot = strrchr(o.name, '.');

			r = vl ? netcfg_iface_add_vlan(m, vl) : -ENOMEM;
			if (r < 0)
				netcfg_iface_free(vl);
			else if (netcfg_parse_uint(vid ?: dot ? dot + 1 : (strncmp(o.name, "vlan", 4) == 0 ? o.name + 4 : ""),
						   1, 4094, &vl->vlan_id) < 0)
				r = nc_bad(err, o.path, 0, "a VLAN without VLAN_ID= or an id in its name");
			else if (!(vl->name = strdup(o.name)) || !(vl->vlan_parent = strdup(nic->name)) ||
				 !(vl->id = strdup(o.name)))
				r = -ENOMEM;
			else
				r = wk_into(vl, &o, err);
			if (r >= 0)
				r = netcfg_iface_add_file(m, o.path);
			if (r >= 0)
				r = strv_push(&vlan_files, o.path);
			for (size_t u = 0; r >= 0 && u < vl->n_unsupported; u++)
				r = netcfg_iface_add_unsupported(m, vl->unsupported[u].file, vl->unsupported[u].line,
								 "%s (on VLAN %s)", vl->unsupported[u].what, vl->name);
		}
		wk_file_done(&o);
	}
	if (r < 0)
		return r;
	if (ret_state)
		ret_state->vlan_files = TAKE_PTR(vlan_files);
	*ret = TAKE_PTR(m);
	return 0;
}

static int wicked_read(const char *root, const struct netcfg_nic *nic, struct netcfg_iface **ret,
		       void **ret_state, struct netcfg_error *err)
{
	struct wk_state *st = ret_state ? calloc(1, sizeof(*st)) : NULL;
	int r;

	if (ret_state && !st)
		return -ENOMEM;
	r = wk_model(root, nic, ret, st, err);
	if (r < 0 || !ret_state)
		wk_state_free(st);
	else
		*ret_state = st;
	return r;
}

static int edit_file(const char *root, const char *path, const char *const *kv, char **ret)
{
	_cleanup_free_ char *data = NULL;
	struct nc_lines l;
	int r;

	r = nc_read_file(root, path, &data);
	if (r < 0)
		return r;
	r = nc_lines_split(data, &l);
	for (; r >= 0 && kv[0]; kv += 2)
		r = nc_shvars_set(&l, kv[0], kv[1]);
	if (r >= 0)
		r = nc_lines_join(&l, ret);
	nc_lines_done(&l);
	return r;
}

/* Route lines whose interface column is old, rewritten for new. */
static int routes_renamed(const char *data, const char *old, const char *new, bool *ret_changed, char **ret)
{
	struct nc_lines l;
	int r;

	*ret_changed = false;
	r = nc_lines_split(data, &l);
	for (size_t k = 0; r >= 0 && k < l.n; k++) {
		_cleanup_strv_free_ char **w = NULL;
		_cleanup_free_ char *line = NULL;

		if (*nc_strip(l.v[k]) == 0 || *nc_strip(l.v[k]) == '#')
			continue;
		r = strv_split(l.v[k], " \t", &w);
		if (r < 0 || strv_length(w) < 4 || !streq(w[3], old))
			continue;
		free(w[3]);
		w[3] = strdup(new);
		if (!w[3]) {
			r = -ENOMEM;
			break;
		}
		for (char **x = w; *x; x++) {
			char *next;

			if (asprintf(&next, "%s%s%s", line ?: "", line ? " " : "", *x) < 0) {
				r = -ENOMEM;
				break;
			}
			free(line);
			line = next;
		}
		if (r >= 0) {
			nc_lines_set(&l, k, TAKE_PTR(line));
			*ret_changed = true;
		}
	}
	if (r >= 0)
		r = nc_lines_join(&l, ret);
	nc_lines_done(&l);
	return r;
}

static int wicked_plan(const char *root, const struct netcfg_iface *m, void *state,
		       const struct netcfg_nic *from, const struct netcfg_nic *to, enum netcfg_mode mode,
		       struct netcfg_plan *p, struct netcfg_error *err)
{
	const struct wk_state *st = state;
	char **vlan_files = st->vlan_files;
	_cleanup_free_ char *old = NULL, *new = NULL, *text = NULL, *off = NULL, *ethtool = NULL;
	const char *target = nc_target_name(from, to, mode);
	int r;

	if (mode == NETCFG_REPLACE) {
		r = nc_plan_pin_name(p, to, target);
		if (r < 0 || streq(target, from->name))
			return r; /* the name stays, so does the configuration */
	}
	(void)err;
	if (asprintf(&old, WK_DIR "/ifcfg-%s", from->name) < 0 || asprintf(&new, WK_DIR "/ifcfg-%s", target) < 0)
		return -ENOMEM;
	/* ETHTOOL_OPTIONS='-K eth0 tso off' may name the interface (or say "iface") */
	if (st->ethtool_options && nc_rename_words(st->ethtool_options, from->name, target, &ethtool) < 0)
		return -ENOMEM;
	if (streq(ethtool, st->ethtool_options)) {
		free(ethtool); /* nothing named: the line stays as written */
		ethtool = NULL;
	}
	r = edit_file(root, old, (const char *const[]){ ethtool ? "ETHTOOL_OPTIONS" : NULL, ethtool, NULL }, &text);
	if (r >= 0)
		r = nc_plan_write(p, new, text, 0644, "the configuration of the VMXNET3 NIC %s", target);
	if (r >= 0 && mode == NETCFG_SIDE_BY_SIDE) {
		r = edit_file(root, old, (const char *const[]){ "STARTMODE", "off", NULL }, &off);
		if (r >= 0)
			r = nc_plan_write(p, old, off, 0644, "the E1000's configuration no longer starts (STARTMODE=off)");
	} else if (r >= 0)
		r = nc_plan_disable_prefixed(p, root, old, "the E1000's configuration, set aside");
	/* ifroute-<old> and the global routes file. */
	for (int k = 0; r >= 0 && k < 2; k++) {
		_cleanup_free_ char *src = NULL, *dst = NULL, *data = NULL, *out = NULL;
		bool changed;

		if (k == 0 && (asprintf(&src, WK_DIR "/ifroute-%s", from->name) < 0 ||
			       asprintf(&dst, WK_DIR "/ifroute-%s", target) < 0))
			return -ENOMEM;
		if (k == 1 && !(src = strdup(WK_DIR "/routes")))
			return -ENOMEM;
		r = nc_read_file(root, src, &data);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r >= 0)
			r = routes_renamed(data, from->name, target, &changed, &out);
		if (r >= 0 && k == 0) {
			r = nc_plan_write(p, dst, out, 0644, "the routes of %s", target);
			if (r >= 0)
				r = nc_plan_disable_prefixed(p, root, src, "the E1000's routes, set aside");
		} else if (r >= 0 && changed)
			r = nc_plan_write(p, src, out, 0644, "routes moved from %s to %s", from->name, target);
	}
	/* VLANs: ETHERDEVICE= moves; a VLAN named after the parent gets a new file. */
	for (char **vf = vlan_files; r >= 0 && vf && *vf; vf++) {
		const char *vname = strrchr(*vf, '/') + 1 + 6;
		_cleanup_free_ char *nname = NULL, *npath = NULL, *vtext = NULL, *voff = NULL;

		r = nc_rename_vlan(vname, from->name, target, &nname);
		if (r >= 0 && asprintf(&npath, WK_DIR "/ifcfg-%s", nname) < 0)
			r = -ENOMEM;
		if (r >= 0)
			r = edit_file(root, *vf, (const char *const[]){ "ETHERDEVICE", target, NULL }, &vtext);
		if (r >= 0)
			r = nc_plan_write(p, npath, vtext, 0644, "the VLAN %s on the VMXNET3 NIC", nname);
		if (r >= 0 && !streq(npath, *vf)) {
			if (mode == NETCFG_SIDE_BY_SIDE) {
				r = edit_file(root, *vf, (const char *const[]){ "STARTMODE", "off", NULL }, &voff);
				if (r >= 0)
					r = nc_plan_write(p, *vf, voff, 0644, "the E1000's VLAN no longer starts (STARTMODE=off)");
			} else
				r = nc_plan_disable_prefixed(p, root, *vf, "the E1000's VLAN, set aside");
		}
	}
	if (r >= 0 && mode == NETCFG_SIDE_BY_SIDE) {
		r = nc_plan_command(p, true, "take the E1000 down",
				    (const char *const[]){ "wicked", "ifdown", from->name, NULL },
				    (const char *const[]){ "wicked", "ifup", from->name, NULL });
		if (r >= 0)
			r = nc_plan_command_restored(p, "apply the configuration",
					    (const char *const[]){ "wicked", "ifreload", "all", NULL },
					    (const char *const[]){ "wicked", "ifreload", "all", NULL });
	}
	return r;
}

/* Not a plain Ethernet interface: a VLAN, bond, bridge, wireless or tunnel by its keys. */
static bool wk_virtual(const struct wk_file *f)
{
	static const char *const keys[] = { "ETHERDEVICE", "WIRELESS_ESSID", "TUNNEL" };
	static const char *const flags[] = { "BONDING_MASTER", "BRIDGE", "WIRELESS" };

	for (size_t k = 0; k < ELEMENTSOF(keys); k++)
		if (nc_shvars_get(&f->v, keys[k]))
			return true;
	for (size_t k = 0; k < ELEMENTSOF(flags); k++)
		if (nc_shvar_true(nc_shvars_get(&f->v, flags[k])))
			return true;
	return false;
}

static int wicked_names(const char *root, char ***names, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **files = NULL;
	int r;

	r = wk_list(root, &files);
	for (char **p = files; r >= 0 && p && *p; p++) {
		struct wk_file f;

		r = wk_load(root, *p, &f, err);
		if (r < 0)
			break;
		if (!wk_virtual(&f))
			r = nc_names_add(names, f.name);
		wk_file_done(&f);
	}
	return r;
}

const struct nc_backend nc_backend_wicked = {
	.name = NETCFG_WICKED,
	.read = wicked_read,
	.state_free = wk_state_free,
	.plan = wicked_plan,
	.names = wicked_names,
};
