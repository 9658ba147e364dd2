// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Debian's ifupdown: /etc/network/interfaces and the files it includes (source,
 * source-directory). Stanzas: "iface NAME FAMILY METHOD" followed by option lines, "auto" and
 * "allow-*" lists, "mapping" (refused for the NIC). A side-by-side plan comments out the
 * E1000's stanzas and appends the VMXNET3's; a replace plan keeps the name (pinned by a .link
 * file) and so keeps the stanzas as they are.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/internal.h"

#define IFU_MAIN "/etc/network/interfaces"
#define IFU_MAX_DEPTH 8
#define IFU_MAX_FILES 256

struct ifu_opt {
	char *key, *value;
	unsigned line;
};

struct ifu_stanza {
	char *file;
	unsigned first, last; /* physical lines, 1-based */
	char *name, *family, *method;
	struct ifu_opt *opts;
	size_t n_opts;
};

struct ifu_mark {
	char *file;
	unsigned line;
	char *kind;  /* "auto", "allow-hotplug", ... */
	char **names;
};

struct ifu_config {
	struct ifu_stanza *st;
	size_t n_st;
	struct ifu_mark *marks;
	size_t n_marks;
	char **files;
	/* mapping stanzas and rename lines: where, and the names they mention */
	struct ifu_mark *other;
	size_t n_other;
};

static void ifu_config_done(struct ifu_config *c)
{
	for (size_t k = 0; k < c->n_st; k++) {
		struct ifu_stanza *s = &c->st[k];

		free(s->file);
		free(s->name);
		free(s->family);
		free(s->method);
		for (size_t o = 0; o < s->n_opts; o++) {
			free(s->opts[o].key);
			free(s->opts[o].value);
		}
		free(s->opts);
	}
	free(c->st);
	for (size_t k = 0; k < c->n_marks; k++) {
		free(c->marks[k].file);
		free(c->marks[k].kind);
		strv_free(c->marks[k].names);
	}
	free(c->marks);
	for (size_t k = 0; k < c->n_other; k++) {
		free(c->other[k].file);
		free(c->other[k].kind);
		strv_free(c->other[k].names);
	}
	free(c->other);
	strv_free(c->files);
	*c = (struct ifu_config){};
}

static int add_mark(struct ifu_mark **v, size_t *n, const char *file, unsigned line,
		    const char *kind, const char *rest)
{
	struct ifu_mark m = { .line = line };
	struct ifu_mark *nv;
	int r;

	r = strv_split(rest, " \t", &m.names);
	if (r < 0)
		return r;
	m.file = strdup(file);
	m.kind = strdup(kind);
	nv = m.file && m.kind ? realloc(*v, sizeof(*nv) * (*n + 1)) : NULL;
	if (!nv) {
		free(m.file);
		free(m.kind);
		strv_free(m.names);
		return -ENOMEM;
	}
	*v = nv;
	nv[(*n)++] = m;
	return 0;
}

static int parse_file(const char *root, const char *path, unsigned depth, struct ifu_config *c,
		      struct netcfg_error *err);

/* "source PATTERN": a glob in the last path component; relative to the including file's dir. */
static int include_glob(const char *root, const char *from, unsigned line, const char *pattern,
			unsigned depth, struct ifu_config *c, struct netcfg_error *err)
{
	_cleanup_free_ char *abs = NULL, *dir = NULL;
	_cleanup_strv_free_ char **files = NULL;
	const char *base;
	int r;

	if (pattern[0] == '/')
		abs = strdup(pattern);
	else {
		const char *slash = strrchr(from, '/');

		if (asprintf(&abs, "%.*s/%s", (int)(slash - from), from, pattern) < 0)
			abs = NULL;
	}
	if (!abs)
		return -ENOMEM;
	base = strrchr(abs, '/') + 1;
	dir = strndup(abs, (size_t)(base - abs));
	if (!dir)
		return -ENOMEM;
	if (strpbrk(dir, "*?["))
		return nc_bad(err, from, line, "a wildcard in a directory of 'source %s' is not supported",
			      pattern);
	if (!strpbrk(base, "*?[")) {
		if (!nc_exists(root, abs))
			return 0; /* ifupdown ignores a missing file */
		return parse_file(root, abs, depth + 1, c, err);
	}
	r = nc_list_dir(root, dir, NULL, &files);
	if (r < 0)
		return r;
	for (char **f = files; f && *f; f++) {
		if (fnmatch(base, strrchr(*f, '/') + 1, FNM_PERIOD) != 0)
			continue;
		r = parse_file(root, *f, depth + 1, c, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "source-directory DIR": the files whose names are made of [A-Za-z0-9_-] only. */
static int include_dir(const char *root, const char *from, const char *dirname, unsigned depth,
		       struct ifu_config *c, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_free_ char *abs = NULL;
	int r;

	if (dirname[0] == '/')
		abs = strdup(dirname);
	else if (asprintf(&abs, "%.*s/%s", (int)(strrchr(from, '/') - from), from, dirname) < 0)
		abs = NULL;
	if (!abs)
		return -ENOMEM;
	r = nc_list_dir(root, abs, NULL, &files);
	if (r < 0)
		return r;
	for (char **f = files; f && *f; f++) {
		const char *b = strrchr(*f, '/') + 1;

		if (strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
		    strlen(b))
			continue;
		r = parse_file(root, *f, depth + 1, c, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_file(const char *root, const char *path, unsigned depth, struct ifu_config *c,
		      struct netcfg_error *err)
{
	_cleanup_free_ char *data = NULL;
	struct ifu_stanza *cur = NULL;
	unsigned lineno = 0;
	char *p;
	int r;

	if (depth > IFU_MAX_DEPTH)
		return nc_bad(err, path, 0, "includes nested more than %d deep", IFU_MAX_DEPTH);
	if (strv_contains(c->files, path))
		return 0; /* already read: an include cycle */
	if (strv_length(c->files) >= IFU_MAX_FILES)
		return nc_bad(err, path, 0, "more than %d included files", IFU_MAX_FILES);
	r = nc_read_file(root, path, &data);
	if (r < 0)
		return nc_error(err, path, 0, r, "cannot read: %s", strerror(-r));
	r = strv_push(&c->files, path);
	if (r < 0)
		return r;
	if (memchr(data, 0, strlen(data) + 1) != data + strlen(data))
		return nc_bad(err, path, 0, "not a text file");

	p = data;
	while (*p) {
		_cleanup_free_ char *logical = NULL;
		unsigned start = lineno + 1;
		size_t len = 0;
		char *line, *kw, *rest;

		/* Gather one logical line (a trailing backslash continues it). */
		for (;;) {
			char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			bool cont = n > 0 && p[n - 1] == '\\';
			char *nl = realloc(logical, len + n + 2);

			if (!nl)
				return -ENOMEM;
			logical = nl;
			memcpy(logical + len, p, cont ? n - 1 : n);
			len += cont ? n - 1 : n;
			logical[len] = 0;
			lineno++;
			p += n + (e ? 1 : 0);
			if (!cont || !*p)
				break;
		}
		line = nc_strip(logical);
		if (*line == 0 || *line == '#')
			continue;
		kw = line;
		rest = line + strcspn(line, " \t");
		if (*rest)
			*rest++ = 0;
		rest = nc_strip(rest);

		if (streq(kw, "iface")) {
			_cleanup_strv_free_ char **w = NULL;
			struct ifu_stanza *nv;

			r = strv_split(rest, " \t", &w);
			if (r < 0)
				return r;
			if (strv_length(w) < 3)
				return nc_bad(err, path, start, "'iface' needs a name, a family and a method");
			if (strv_length(w) > 3)
				return nc_bad(err, path, start, "'iface %s': inheritance ('inherits') is not supported",
					      w[0]);
			nv = realloc(c->st, sizeof(*nv) * (c->n_st + 1));
			if (!nv)
				return -ENOMEM;
			c->st = nv;
			cur = &c->st[c->n_st++];
			*cur = (struct ifu_stanza){ .first = start, .last = lineno,
						    .file = strdup(path), .name = strdup(w[0]),
						    .family = strdup(w[1]), .method = strdup(w[2]) };
			if (!cur->file || !cur->name || !cur->family || !cur->method)
				return -ENOMEM;
			continue;
		}
		if (streq(kw, "auto") || strncmp(kw, "allow-", 6) == 0) {
			cur = NULL;
			r = add_mark(&c->marks, &c->n_marks, path, start, kw, rest);
			if (r < 0)
				return r;
			continue;
		}
		if (streq(kw, "mapping") || streq(kw, "rename")) {
			cur = NULL;
			r = add_mark(&c->other, &c->n_other, path, start, kw, rest);
			if (r < 0)
				return r;
			continue;
		}
		if (streq(kw, "source") || streq(kw, "source-directory")) {
			cur = NULL;
			if (!*rest)
				return nc_bad(err, path, start, "'%s' needs an argument", kw);
			r = streq(kw, "source") ? include_glob(root, path, start, rest, depth, c, err)
						: include_dir(root, path, rest, depth, c, err);
			if (r < 0)
				return r;
			continue;
		}
		if (streq(kw, "no-auto-down") || streq(kw, "no-scripts")) {
			cur = NULL;
			r = add_mark(&c->other, &c->n_other, path, start, kw, rest);
			if (r < 0)
				return r;
			continue;
		}
		if (!cur) {
			/* Options of a mapping stanza ("script", "map") belong to it. */
			if (c->n_other > 0 && streq(c->other[c->n_other - 1].kind, "mapping"))
				continue;
			return nc_bad(err, path, start, "'%s' outside of an iface stanza", kw);
		}
		{
			struct ifu_opt *nv = realloc(cur->opts, sizeof(*nv) * (cur->n_opts + 1));

			if (!nv)
				return -ENOMEM;
			cur->opts = nv;
			nv[cur->n_opts] = (struct ifu_opt){ .key = strdup(kw), .value = strdup(rest),
							    .line = start };
			if (!nv[cur->n_opts].key || !nv[cur->n_opts].value) {
				free(nv[cur->n_opts].key);
				free(nv[cur->n_opts].value);
				return -ENOMEM;
			}
			cur->n_opts++;
			cur->last = lineno;
		}
	}
	return 0;
}

static int ifu_parse(const char *root, struct ifu_config *ret, struct netcfg_error *err)
{
	struct ifu_config c = {};
	int r;

	if (!nc_exists(root, IFU_MAIN)) {
		*ret = c;
		return 0;
	}
	r = parse_file(root, IFU_MAIN, 0, &c, err);
	if (r < 0) {
		ifu_config_done(&c);
		return r;
	}
	*ret = c;
	return 0;
}

static const char *opt_get(const struct ifu_stanza *s, const char *key)
{
	for (size_t k = 0; k < s->n_opts; k++)
		if (streq(s->opts[k].key, key))
			return s->opts[k].value;
	return NULL;
}

static bool words_contain(const char *value, const char *name)
{
	_cleanup_strv_free_ char **w = NULL;

	return strv_split(value, " \t", &w) == 0 && strv_contains(w, name);
}

/* The VLAN id of stanza s if it is a VLAN on parent, else 0. */
static unsigned vlan_of(const struct ifu_stanza *s, const char *parent)
{
	const char *raw = opt_get(s, "vlan-raw-device") ?: opt_get(s, "vlan_raw_device");
	size_t n = strlen(parent);
	unsigned id = 0;

	if (raw) {
		if (!streq(raw, parent))
			return 0;
		if (strncmp(s->name, "vlan", 4) == 0 && netcfg_parse_uint(s->name + 4, 1, 4094, &id) == 0)
			return id;
		if (strchr(s->name, '.') &&
		    netcfg_parse_uint(strrchr(s->name, '.') + 1, 1, 4094, &id) == 0)
			return id;
		return 0;
	}
	if (strncmp(s->name, parent, n) == 0 && s->name[n] == '.' &&
	    netcfg_parse_uint(s->name + n + 1, 1, 4094, &id) == 0)
		return id;
	return 0;
}

/* "[post-]up ip [-4|-6] route add|replace DEST [via GW] [dev D] [metric N] [table T] [onlink]
 * [proto static]" */
static int parse_route_cmd(struct netcfg_iface *m, const char *cmd, const char *dev)
{
	_cleanup_strv_free_ char **w = NULL;
	struct nc_route_words rw;
	size_t k = 1, n;
	int r;

	r = strv_split(cmd, " \t", &w);
	if (r < 0)
		return r;
	n = strv_length(w);
	if (n < 4 || (!streq(w[0], "ip") && !streq(w[0], "/sbin/ip") && !streq(w[0], "/usr/sbin/ip") &&
		      !streq(w[0], "/bin/ip")))
		return -EINVAL;
	if (streq(w[k], "-4") || streq(w[k], "-6"))
		k++;
	if (k >= n || (!streq(w[k], "route") && !streq(w[k], "r") && !streq(w[k], "ro")))
		return -EINVAL;
	k++;
	if (k >= n || (!streq(w[k], "add") && !streq(w[k], "replace")))
		return -EINVAL;
	k++;
	if (k >= n)
		return -EINVAL;
	r = nc_route_words(w + k + 1, dev, &rw, NULL);
	if (r < 0)
		return r;
	return netcfg_iface_add_route_in(m, w[k], rw.gateway, rw.metric, rw.table, rw.onlink);
}

static bool is_route_del(const char *cmd)
{
	_cleanup_strv_free_ char **w = NULL;

	return strv_split(cmd, " \t", &w) == 0 && strv_length(w) >= 4 && strstr(w[0], "ip") &&
	       strv_contains(w, "route") && strv_contains(w, "del");
}

/* The NIC is a port of master, a bond or bridge (ifenslave's bond-master, a master's
 * bond-slaves or bridge_ports): the master carries the addresses. One master only. */
static int set_master(struct netcfg_iface *m, const char *file, unsigned line, const char *master,
		      const char *kind)
{
	if (m->master && !streq(m->master, master))
		return netcfg_iface_add_unsupported(m, file, line, "a port of two masters (%s and %s)",
						    m->master, master);
	if (!m->master && !(m->master = strdup(master)))
		return -ENOMEM;
	m->master_kind = kind;
	return 0;
}

/* Options that say nothing the model carries and move as written with the stanza: derived
 * inet values, the default route's metric, DHCP and IPv6 address behaviour. */
static bool carried_option(const struct ifu_stanza *s, const char *key)
{
	static const char *const inet[] = { "broadcast", "network", "metric", "hostname", "scope",
					    "leasetime", "vendor", "client" };
	static const char *const inet6[] = { "privext", "dad-attempts", "dad-interval", "scope",
					     "request_prefix", "metric" };
	bool v4 = streq(s->family, "inet");

	for (size_t k = 0; k < (v4 ? ELEMENTSOF(inet) : ELEMENTSOF(inet6)); k++)
		if (streq(key, v4 ? inet[k] : inet6[k]))
			return true;
	return false;
}

static int stanza_into(struct netcfg_iface *m, const struct ifu_stanza *s, struct netcfg_error *err)
{
	bool inet = streq(s->family, "inet"), inet6 = streq(s->family, "inet6");
	const char *netmask = opt_get(s, "netmask");
	int r;

	if (!inet && !inet6)
		return netcfg_iface_add_unsupported(m, s->file, s->first, "address family '%s'", s->family);
	if (inet && streq(s->method, "dhcp"))
		m->dhcp4 = NETCFG_YES;
	else if (inet && (streq(s->method, "static") || streq(s->method, "manual"))) {
		if (m->dhcp4 == NETCFG_UNSET) /* a static stanza besides a dhcp one adds to it */
			m->dhcp4 = NETCFG_NO;
	}
	else if (inet6 && streq(s->method, "dhcp"))
		m->dhcp6 = NETCFG_YES;
	else if (inet6 && streq(s->method, "auto")) {
		m->ipv6_autoconf = NETCFG_YES;
		if (m->dhcp6 == NETCFG_UNSET)
			m->dhcp6 = NETCFG_NO;
	} else if (inet6 && (streq(s->method, "static") || streq(s->method, "manual"))) {
		if (m->dhcp6 == NETCFG_UNSET)
			m->dhcp6 = NETCFG_NO;
	} else
		return netcfg_iface_add_unsupported(m, s->file, s->first, "method '%s %s'", s->family,
						    s->method);

	for (size_t k = 0; k < s->n_opts; k++) {
		const struct ifu_opt *o = &s->opts[k];
		const char *key = o->key, *v = o->value;

		r = 0;
		if (streq(key, "address")) {
			unsigned dflt = 0;

			if (!strchr(v, '/') && netmask) {
				if (netcfg_parse_prefix(netmask, inet ? AF_INET : AF_INET6, &dflt) < 0)
					return nc_bad(err, s->file, o->line, "bad netmask '%s'", netmask);
			} else if (!strchr(v, '/'))
				dflt = inet ? 32 : 128;
			r = netcfg_iface_add_addr(m, v, dflt);
			if (r == -EINVAL)
				return nc_bad(err, s->file, o->line, "bad address '%s'", v);
			if (r < 0)
				return r;
		} else if (streq(key, "netmask")) {
			unsigned pfx;

			if (netcfg_parse_prefix(v, inet ? AF_INET : AF_INET6, &pfx) < 0)
				return nc_bad(err, s->file, o->line, "bad netmask '%s'", v);
		} else if (streq(key, "gateway")) {
			r = netcfg_iface_set_gateway(m, v);
			if (r == -EINVAL)
				return nc_bad(err, s->file, o->line, "bad gateway '%s'", v);
			if (r < 0)
				return r;
		} else if (streq(key, "mtu")) {
			if (netcfg_parse_uint(v, 68, 65535, &m->mtu) < 0)
				return nc_bad(err, s->file, o->line, "bad mtu '%s'", v);
		} else if (streq(key, "dns-nameservers") || streq(key, "dns-nameserver") ||
			   streq(key, "dns-search") || streq(key, "dns-domain")) {
			_cleanup_strv_free_ char **w = NULL;

			r = strv_split(v, " \t", &w);
			if (r < 0)
				return r;
			for (char **x = w; *x; x++) {
				r = strncmp(key, "dns-nameserver", 14) != 0 ? netcfg_iface_add_search(m, *x)
									    : netcfg_iface_add_dns(m, *x);
				if (r == -EINVAL)
					return nc_bad(err, s->file, o->line, "bad %s entry '%s'", key, *x);
				if (r < 0)
					return r;
			}
		} else if (streq(key, "up") || streq(key, "post-up")) {
			r = parse_route_cmd(m, v, s->name);
			if (r == -EINVAL)
				r = netcfg_iface_add_unsupported(m, s->file, o->line, "command '%s %s'", key, v);
			if (r < 0)
				return r;
		} else if ((streq(key, "down") || streq(key, "pre-down")) && is_route_del(v)) {
			/* the undo of a route added above */
		} else if (streq(key, "vlan-raw-device") || streq(key, "vlan_raw_device") || carried_option(s, key)) {
		} else if (inet6 && (streq(key, "autoconf") || streq(key, "accept_ra"))) {
			unsigned b;

			if (netcfg_parse_uint(v, 0, 2, &b) < 0)
				return nc_bad(err, s->file, o->line, "bad %s '%s'", key, v);
			if (streq(key, "autoconf"))
				m->ipv6_autoconf = b ? NETCFG_YES : NETCFG_NO;
		} else if (inet6 && streq(key, "dhcp") && streq(s->method, "auto")) {
			unsigned b;

			if (netcfg_parse_uint(v, 0, 1, &b) < 0)
				return nc_bad(err, s->file, o->line, "bad dhcp '%s'", v);
			m->dhcp6 = b ? NETCFG_YES : NETCFG_NO;
		} else if (streq(key, "bond-master") || streq(key, "bond_master"))
			r = set_master(m, s->file, o->line, v, "bond");
		else if (strncmp(key, "bond", 4) == 0)
			r = netcfg_iface_add_unsupported(m, s->file, o->line, "bond (%s)", key);
		else if (strncmp(key, "bridge", 6) == 0)
			r = netcfg_iface_add_unsupported(m, s->file, o->line, "bridge (%s)", key);
		else if (strncmp(key, "wpa-", 4) == 0 || strncmp(key, "wireless", 8) == 0)
			r = netcfg_iface_add_unsupported(m, s->file, o->line, "wifi (%s)", key);
		else
			r = netcfg_iface_add_unsupported(m, s->file, o->line, "option '%s'", key);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool marked(const struct ifu_config *c, const char *name)
{
	for (size_t k = 0; k < c->n_marks; k++)
		if (strv_contains(c->marks[k].names, name))
			return true;
	return false;
}

/* The bond or bridge whose stanza lists name as a port (bond-slaves, bridge_ports); a bridge
 * over "all" interfaces or a "regex" of them is refused (which ports it takes is not known
 * here). Refusals: a mapping stanza or a rename for the NIC. */
static int check_around(struct netcfg_iface *m, const struct ifu_config *c, const char *name)
{
	static const char *const bridge_keys[] = { "bridge_ports", "bridge-ports" };
	static const char *const bond_keys[] = { "bond-slaves", "bond_slaves", "slaves" };
	int r = 0;

	for (size_t k = 0; r >= 0 && k < c->n_st; k++) {
		const struct ifu_stanza *s = &c->st[k];

		for (size_t o = 0; r >= 0 && o < s->n_opts; o++) {
			const struct ifu_opt *opt = &s->opts[o];

			for (size_t b = 0; r >= 0 && b < ELEMENTSOF(bridge_keys); b++) {
				if (!streq(opt->key, bridge_keys[b]))
					continue;
				if (words_contain(opt->value, "all") || strncmp(opt->value, "regex", 5) == 0)
					r = netcfg_iface_add_unsupported(m, s->file, opt->line,
									 "bridge %s over '%s'", s->name, opt->value);
				else if (words_contain(opt->value, name))
					r = set_master(m, s->file, opt->line, s->name, "bridge");
			}
			for (size_t b = 0; r >= 0 && b < ELEMENTSOF(bond_keys); b++)
				if (streq(opt->key, bond_keys[b]) && words_contain(opt->value, name))
					r = set_master(m, s->file, opt->line, s->name, "bond");
		}
	}
	if (r < 0)
		return r;
	for (size_t k = 0; k < c->n_other; k++)
		for (char **w = c->other[k].names; w && *w; w++) {
			const char *eq = strchr(*w, '=');
			size_t n = strlen(name);

			if (!streq(*w, name) && !(eq && streq(eq + 1, name)) &&
			    !(eq && (size_t)(eq - *w) == n && strncmp(*w, name, n) == 0))
				continue;
			r = netcfg_iface_add_unsupported(m, c->other[k].file, c->other[k].line, "'%s' for %s",
							 c->other[k].kind, name);
			if (r < 0)
				return r;
			break;
		}
	return 0;
}

/* "ens33:1", the old way of giving ens33 a second address. */
static bool is_alias_of(const char *name, const char *nic)
{
	size_t n = strlen(nic);

	return strncmp(name, nic, n) == 0 && name[n] == ':' && name[n + 1];
}

/* A port: its master's stanzas are rewritten too (their lists name the new port); the port
 * itself carries no address. */
static int port_into(struct netcfg_iface *m, const struct ifu_config *c)
{
	const struct ifu_stanza *own = NULL;
	bool master_found = false;
	const char *file;
	unsigned line;
	int r;

	for (size_t k = 0; k < c->n_st; k++) {
		if (streq(c->st[k].name, m->name) && !own)
			own = &c->st[k];
		if (!streq(c->st[k].name, m->master))
			continue;
		master_found = true;
		r = netcfg_iface_add_file(m, c->st[k].file);
		if (r < 0)
			return r;
	}
	file = own ? own->file : m->files && m->files[0] ? m->files[0] : IFU_MAIN;
	line = own ? own->first : 0;
	if (!master_found)
		return netcfg_iface_add_unsupported(m, file, line, "a port of the %s %s, which no stanza configures",
						    m->master_kind, m->master);
	if (m->n_addrs || m->dhcp4 == NETCFG_YES || m->dhcp6 == NETCFG_YES ||
	    m->ipv6_autoconf == NETCFG_YES || m->n_routes || m->gateway4 || m->gateway6)
		return netcfg_iface_add_unsupported(m, file, line, "a %s port with addresses or routes of its own",
						    m->master_kind);
	return 0;
}

static int ifu_read_model(const char *root, const struct ifu_config *c, const struct netcfg_nic *nic,
			  struct netcfg_iface **ret, struct netcfg_error *err)
{
	_cleanup_iface_ struct netcfg_iface *m = NULL;
	bool found = false;
	int r;

	if (!nic->name)
		return -ENOENT; /* ifupdown matches names only */
	m = netcfg_iface_new();
	if (!m || !(m->name = strdup(nic->name)))
		return -ENOMEM;
	for (size_t k = 0; k < c->n_st; k++) {
		const struct ifu_stanza *s = &c->st[k];

		if (!streq(s->name, nic->name) && !is_alias_of(s->name, nic->name))
			continue;
		found = found || streq(s->name, nic->name);
		r = stanza_into(m, s, err);
		if (r >= 0)
			r = netcfg_iface_add_file(m, s->file);
		if (r < 0)
			return r;
	}
	r = check_around(m, c, nic->name);
	if (r < 0)
		return r;
	if (!found && !m->master)
		return -ENOENT; /* a port needs no stanza of its own: its master's lists it */
	m->start_at_boot = marked(c, nic->name) || (m->master && marked(c, m->master));
	if (m->master) {
		r = port_into(m, c);
		if (r < 0)
			return r;
	}

	/* VLANs on top: their own stanzas, one model each (inet and inet6 merged). */
	for (size_t k = 0; k < c->n_st; k++) {
		const struct ifu_stanza *s = &c->st[k];
		struct netcfg_iface *v = NULL;
		unsigned id = vlan_of(s, nic->name);

		if (!id)
			continue;
		if (m->master) {
			r = netcfg_iface_add_unsupported(m, s->file, s->first, "VLAN %s on a port of the %s %s",
							 s->name, m->master_kind, m->master);
			if (r < 0)
				return r;
			continue;
		}
		for (size_t j = 0; j < m->n_vlans; j++)
			if (streq(m->vlans[j]->name, s->name))
				v = m->vlans[j];
		if (!v) {
			v = netcfg_iface_new();
			if (!v)
				return -ENOMEM;
			r = netcfg_iface_add_vlan(m, v);
			if (r < 0) {
				netcfg_iface_free(v);
				return r;
			}
			v->vlan_id = id;
			v->name = strdup(s->name);
			v->vlan_parent = strdup(nic->name);
			if (!v->name || !v->vlan_parent)
				return -ENOMEM;
			v->start_at_boot = marked(c, s->name);
		}
		r = stanza_into(v, s, err);
		if (r >= 0)
			r = netcfg_iface_add_file(m, s->file);
		if (r < 0)
			return r;
		/* A VLAN's refusals are the migration's refusals. */
		for (size_t u = 0; u < v->n_unsupported; u++) {
			const struct netcfg_unsupported *x = &v->unsupported[u];

			r = netcfg_iface_add_unsupported(m, x->file, x->line, "%s (on VLAN %s)", x->what,
							 v->name);
			if (r < 0)
				return r;
		}
		for (size_t u = 0; u < v->n_unsupported; u++) {
			free(v->unsupported[u].what);
			free(v->unsupported[u].file);
		}
		free(v->unsupported);
		v->unsupported = NULL;
		v->n_unsupported = 0;
	}
	*ret = TAKE_PTR(m);
	return 0;
}

/* What the plan takes from the read: every stanza and mark, as parsed. */
static void ifu_state_free(void *state)
{
	ifu_config_done(state);
	free(state);
}

static int ifupdown_read(const char *root, const struct netcfg_nic *nic, struct netcfg_iface **ret,
			 void **ret_state, struct netcfg_error *err)
{
	struct ifu_config *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = ifu_parse(root, c, err);
	if (r < 0) {
		free(c);
		return r;
	}
	r = ifu_read_model(root, c, nic, ret, err);
	if (r < 0 || !ret_state)
		ifu_state_free(c);
	else
		*ret_state = c;
	return r;
}

/* The new name of old (one of olds, n bytes long), or NULL. */
static const char *renamed(const char *old, size_t n, char *const *olds, char *const *news)
{
	for (size_t k = 0; olds[k]; k++)
		if (strlen(olds[k]) == n && strncmp(olds[k], old, n) == 0)
			return news[k];
	return NULL;
}

/* value with every word that names an old interface ("dev ens33", "vlan-raw-device ens33")
 * replaced by its new name; the blanks between the words stay as they were. */
static void put_renamed(FILE *f, const char *value, char *const *olds, char *const *news)
{
	const char *p = value;

	while (*p) {
		size_t blank = strspn(p, " \t"), n;
		const char *w;

		fwrite(p, 1, blank, f);
		p += blank;
		n = strcspn(p, " \t");
		w = renamed(p, n, olds, news);
		if (w)
			fputs(w, f);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
}

/*
 * The stanzas of olds[idx] as they are, one for one and in their order, under the new name:
 * ifupdown applies a second "iface NAME inet static" stanza as a second address, but not a
 * second "address" line in one stanza, so the stanzas are carried over rather than rendered
 * from the model (which validated every option in them). Its auto/allow-* marks come first.
 */
static int render_stanzas(FILE *f, const struct ifu_config *c, size_t idx, char *const *olds,
			  char *const *news)
{
	_cleanup_strv_free_ char **kinds = NULL;
	bool any = false;
	int r;

	for (size_t k = 0; !any && k < c->n_st; k++)
		any = streq(c->st[k].name, olds[idx]);
	for (size_t k = 0; !any && k < c->n_marks; k++)
		any = strv_contains(c->marks[k].names, olds[idx]);
	if (!any)
		return 0; /* a port listed by its master only */
	fprintf(f, "\n");
	for (size_t k = 0; k < c->n_marks; k++) {
		if (!strv_contains(c->marks[k].names, olds[idx]) || strv_contains(kinds, c->marks[k].kind))
			continue;
		r = strv_push(&kinds, c->marks[k].kind);
		if (r < 0)
			return r;
		fprintf(f, "%s %s\n", c->marks[k].kind, news[idx]);
	}
	for (size_t k = 0; k < c->n_st; k++) {
		const struct ifu_stanza *s = &c->st[k];

		if (!streq(s->name, olds[idx]))
			continue;
		fprintf(f, "iface %s %s %s\n", news[idx], s->family, s->method);
		for (size_t o = 0; o < s->n_opts; o++) {
			fprintf(f, "\t%s", s->opts[o].key);
			if (*s->opts[o].value) {
				fputc(' ', f);
				put_renamed(f, s->opts[o].value, olds, news);
			}
			fputc('\n', f);
		}
	}
	return 0;
}

static int comment_lines(struct nc_lines *l, unsigned first, unsigned last)
{
	for (unsigned k = first; k <= last && k <= l->n; k++) {
		char *c;

		if (l->v[k - 1][0] == 0)
			continue;
		if (asprintf(&c, NC_DISABLED_PREFIX "%s", l->v[k - 1]) < 0)
			return -ENOMEM;
		nc_lines_set(l, k - 1, c);
	}
	return 0;
}

/* The logical interfaces that move and their new names: the E1000's, its aliases
 * ("ens33:1" becomes "ens192:1") and its VLANs ("ens33.100" becomes "ens192.100"). */
static int moved_names(const struct ifu_config *c, const struct netcfg_iface *m, const char *from,
		       const char *target, char ***ret_old, char ***ret_new)
{
	_cleanup_strv_free_ char **olds = NULL, **news = NULL;
	size_t n = strlen(from);
	int r;

	r = strv_push(&olds, from);
	if (r >= 0)
		r = strv_push(&news, target);
	for (size_t k = 0; r >= 0 && k < c->n_st; k++) {
		_cleanup_free_ char *alias = NULL;
		const char *name = c->st[k].name;

		if (!is_alias_of(name, from) || strv_contains(olds, name))
			continue;
		if (asprintf(&alias, "%s%s", target, name + n) < 0)
			return -ENOMEM;
		r = strv_push(&olds, name);
		if (r >= 0)
			r = strv_push(&news, alias);
	}
	for (size_t k = 0; r >= 0 && k < m->n_vlans; k++) {
		_cleanup_free_ char *vname = NULL;

		r = nc_rename_vlan(m->vlans[k]->name, from, target, &vname);
		if (r >= 0)
			r = strv_push(&olds, m->vlans[k]->name);
		if (r >= 0)
			r = strv_push(&news, vname);
	}
	if (r < 0)
		return r;
	*ret_old = TAKE_PTR(olds);
	*ret_new = TAKE_PTR(news);
	return 0;
}

static int render_all(const struct ifu_config *c, char *const *olds, char *const *news, char **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t size = 0;
	FILE *f;
	int r = 0;

	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "\n# Written by vnic-install: %s replaces %s.", news[0], olds[0]);
	for (size_t k = 0; r >= 0 && olds[k]; k++)
		r = render_stanzas(f, c, k, olds, news);
	if (fclose(f) != 0)
		return -ENOMEM;
	if (r < 0)
		return r;
	if (size > 0 && text[size - 1] == '\n')
		text[size - 1] = 0;
	*ret = TAKE_PTR(text);
	return 0;
}

/* Comments out the marks of l that name an old interface, keeping the other names marked. */
static int disable_marks(const struct ifu_config *c, const char *file, char *const *olds,
			 struct nc_lines *l)
{
	int r = 0;

	for (size_t k = 0; r >= 0 && k < c->n_marks; k++) {
		const struct ifu_mark *mk = &c->marks[k];
		_cleanup_free_ char *keep = NULL;
		size_t kept = 0, len = 0;
		bool hit = false;

		if (!streq(mk->file, file) || mk->line > l->n)
			continue;
		for (char **n = mk->names; *n; n++) {
			if (strv_contains(olds, *n)) {
				hit = true;
				continue;
			}
			len += strlen(*n) + 1;
		}
		if (!hit)
			continue;
		keep = calloc(1, len + strlen(mk->kind) + 1);
		if (!keep)
			return -ENOMEM;
		strcpy(keep, mk->kind);
		for (char **n = mk->names; *n; n++)
			if (!strv_contains(olds, *n)) {
				strcat(keep, " ");
				strcat(keep, *n);
				kept++;
			}
		r = comment_lines(l, mk->line, mk->line);
		if (r >= 0 && kept > 0)
			r = nc_lines_insert(l, mk->line, keep);
	}
	return r;
}

static bool file_touched(const struct ifu_config *c, const char *file, char *const *olds)
{
	for (size_t k = 0; k < c->n_st; k++)
		if (streq(c->st[k].file, file) && strv_contains(olds, c->st[k].name))
			return true;
	for (size_t k = 0; k < c->n_marks; k++)
		for (char *const *n = olds; *n; n++)
			if (streq(c->marks[k].file, file) && strv_contains(c->marks[k].names, *n))
				return true;
	return false;
}

/* Disables the old stanzas and marks, file by file; appends text to the first file that
 * has one of the old stanzas. */
static int plan_files(const char *root, const struct ifu_config *c, char *const *olds,
		      char *const *news, const char *text, struct netcfg_plan *p)
{
	const char *main_file = NULL;
	int r = 0;

	for (char **file = c->files; !main_file && *file; file++)
		for (size_t k = 0; !main_file && k < c->n_st; k++)
			if (streq(c->st[k].file, *file) && strv_contains(olds, c->st[k].name))
				main_file = *file;
	for (char **file = c->files; r >= 0 && *file; file++) {
		_cleanup_free_ char *data = NULL, *out = NULL;
		struct nc_lines l = {};

		if (!file_touched(c, *file, olds))
			continue;
		r = nc_read_file(root, *file, &data);
		if (r >= 0)
			r = nc_lines_split(data, &l);
		if (r < 0)
			return r;
		for (size_t k = 0; r >= 0 && k < c->n_st; k++)
			if (streq(c->st[k].file, *file) && strv_contains(olds, c->st[k].name))
				r = comment_lines(&l, c->st[k].first, c->st[k].last);
		if (r >= 0)
			r = disable_marks(c, *file, olds, &l);
		if (r >= 0 && main_file && streq(*file, main_file))
			r = nc_lines_insert(&l, l.n, text);
		if (r >= 0)
			r = nc_lines_join(&l, &out);
		nc_lines_done(&l);
		if (r >= 0)
			r = nc_plan_write(p, *file, out, 0644, "%s disabled, %s configured", olds[0], news[0]);
	}
	return r;
}

/* ifdown the old logical interfaces (VLANs and aliases before the NIC), ifup the new ones
 * (the NIC first). */
static int plan_ifupdown(struct netcfg_plan *p, char *const *olds, char *const *news)
{
	size_t n = strv_length(olds);
	int r = 0;

	for (size_t k = 1; r >= 0 && k < n; k++)
		r = nc_plan_command(p, true, strchr(olds[k], ':') ? "take the E1000's alias down"
								  : "take the E1000's VLAN down",
				    (const char *const[]){ "ifdown", "--force", olds[k], NULL },
				    (const char *const[]){ "ifup", olds[k], NULL });
	if (r >= 0)
		r = nc_plan_command(p, true, "take the E1000 interface down",
				    (const char *const[]){ "ifdown", "--force", olds[0], NULL },
				    (const char *const[]){ "ifup", olds[0], NULL });
	/* Only its address moves now: the link stays up until the check has passed (swap then
	 * takes it down), so that a rollback's ifup finds the carrier there at once instead of
	 * waiting for the E1000 to negotiate its link again. */
	if (r >= 0)
		r = nc_plan_command(p, true, "keep the E1000's link up until the check passes",
				    (const char *const[]){ "ip", "link", "set", "dev", olds[0], "up", NULL },
				    NULL);
	for (size_t k = 0; r >= 0 && k < n; k++)
		r = nc_plan_command(p, false, k == 0 ? "bring the VMXNET3 interface up"
					     : strchr(news[k], ':') ? "bring the alias up"
								    : "bring the VLAN up",
				    (const char *const[]){ "ifup", news[k], NULL },
				    (const char *const[]){ "ifdown", "--force", news[k], NULL });
	return r;
}

/*
 * A port of a bond or bridge (files: its stanzas under the new name, the master's lists naming
 * it). ifupdown would bring up no port of a master that is up already, so the plan moves it
 * with ip(8), as ifenslave and bridge-utils do at boot: the shared sequence of util.c (a bond
 * never goes without a usable port). Bonding takes a port that is down only and brings it up
 * itself (and takes a released one down); a bridge does neither. Found in a guest: the
 * rollback's first undo (of swap's last step) brings the E1000 up, and bonding then refused
 * an `ip link set master` ("can not be enslaved while up"). So a bond's E1000 rejoins in the
 * rollback's `wait-port E1000 MASTER`, which takes it down first and does nothing when it is
 * a port still (a swap that failed before the E1000 left, or a recovery after a crash).
 */
static int plan_port(struct netcfg_plan *p, const struct netcfg_iface *m, const char *from,
		     const char *target)
{
	const bool bond = streq(m->master_kind, "bond");
	const char *const out[] = { "ip", "link", "set", "dev", target, "nomaster", NULL };
	const char *const join[] = { "ip", "link", "set", "dev", target, "master", m->master, NULL };
	const char *const leave[] = { "ip", "link", "set", "dev", from, "nomaster", NULL };
	const char *const unleave[] = { "ip", "link", "set", "dev", from, "master", m->master, NULL };
	const char *const down[] = { "ip", "link", "set", "dev", target, "down", NULL };
	const char *const up[] = { "ip", "link", "set", "dev", target, "up", NULL };
	int r;

	r = nc_plan_port_rollback(p, m, from, out, true);
	if (r >= 0 && bond)
		r = nc_plan_command(p, false, "take the VMXNET3 NIC down (bonding takes a port that is down)",
				    down, NULL);
	if (r >= 0) /* a bond's E1000 rejoins in the rollback's wait, whatever state it is in */
		r = nc_plan_port_swap(p, m, from, target, join, NULL, leave, bond ? NULL : unleave, true);
	if (r >= 0 && !bond)
		r = nc_plan_command(p, false, "bring the VMXNET3 NIC up in the bridge", up, down);
	return r;
}

static int ifupdown_plan(const char *root, const struct netcfg_iface *m, void *state,
			 const struct netcfg_nic *from, const struct netcfg_nic *to, enum netcfg_mode mode,
			 struct netcfg_plan *p, struct netcfg_error *err)
{
	const struct ifu_config *c = state;
	const char *target = nc_target_name(from, to, mode);
	_cleanup_strv_free_ char **olds = NULL, **news = NULL;
	_cleanup_free_ char *text = NULL;
	int r;

	if (mode == NETCFG_REPLACE) {
		r = nc_plan_pin_name(p, to, target);
		if (r < 0 || streq(target, from->name))
			return r; /* the name stays: the stanzas stay as they are */
	}
	r = moved_names(c, m, from->name, target, &olds, &news);
	if (r >= 0 && m->master) { /* the master's stanzas are written again, their lists renamed */
		r = strv_push(&olds, m->master);
		if (r >= 0)
			r = strv_push(&news, m->master);
	}
	if (r >= 0 && m->master && mode == NETCFG_SIDE_BY_SIDE && nc_nm_manages_ifupdown(root))
		r = nc_error(err, m->files[0], 0, -EUCLEAN,
			     "a port of the %s %s, in files that NetworkManager reads: vnic does not move it",
			     m->master_kind, m->master);
	if (r >= 0)
		r = render_all(c, olds, news, &text);
	if (r >= 0)
		r = plan_files(root, c, olds, news, text, p);
	if (r >= 0 && mode == NETCFG_SIDE_BY_SIDE)
		r = m->master ? plan_port(p, m, from->name, target)
		    : nc_nm_manages_ifupdown(root)
			    ? nc_plan_nmcli_devices(p, "make NetworkManager read /etc/network/interfaces",
						    from->name, target)
			    : plan_ifupdown(p, olds, news);
	return r;
}

/* A stanza of a bond, bridge, VLAN or wireless interface (by its options). */
static bool stanza_virtual(const struct ifu_stanza *s)
{
	static const char *const keys[] = { "bond-slaves", "bond_slaves", "slaves", "bridge_ports",
					     "bridge-ports", "vlan-raw-device", "vlan_raw_device",
					     "wpa-ssid", "wpa-conf", "wireless-essid" };

	for (size_t o = 0; o < s->n_opts; o++)
		for (size_t k = 0; k < ELEMENTSOF(keys); k++)
			if (streq(s->opts[o].key, keys[k]))
				return true;
	return false;
}

static int ifupdown_names(const char *root, char ***names, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **virt = NULL;
	struct ifu_config c = {};
	int r;

	r = ifu_parse(root, &c, err);
	/* a name is virtual when one of its stanzas says so (a bond's inet6 stanza need not) */
	for (size_t k = 0; r >= 0 && k < c.n_st; k++)
		if (stanza_virtual(&c.st[k]) && !strv_contains(virt, c.st[k].name))
			r = strv_push(&virt, c.st[k].name);
	for (size_t k = 0; r >= 0 && k < c.n_st; k++) {
		const struct ifu_stanza *s = &c.st[k];

		if ((streq(s->family, "inet") || streq(s->family, "inet6")) &&
		    !streq(s->method, "loopback") && !strv_contains(virt, s->name))
			r = nc_names_add(names, s->name);
	}
	ifu_config_done(&c);
	return r;
}

const struct nc_backend nc_backend_ifupdown = {
	.name = NETCFG_IFUPDOWN,
	.read = ifupdown_read,
	.state_free = ifu_state_free,
	.plan = ifupdown_plan,
	.names = ifupdown_names,
};
