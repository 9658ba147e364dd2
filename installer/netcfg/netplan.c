// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netplan: YAML files in /lib/netplan, /etc/netplan and /run/netplan, read with libyaml. A file
 * in /run shadows one of the same name in /etc, which shadows one in /lib; the files are taken
 * in the lexical order of their names. The NIC's definition under network.ethernets is found
 * by its match (macaddress, name, driver) or, without a match, by its id. The plan writes a new
 * file /etc/netplan/90-vnic-<name>.yaml with the definition (and its VLANs) moved to the
 * VMXNET3 NIC, copying every key it does not change, and disables the old definition: the old
 * file is set aside as <file>.vnic-disabled when it defines nothing else, or rewritten without
 * the NIC's entries otherwise (comments are then lost; the transaction keeps the original).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "netcfg/internal.h"
#include "netcfg/networkd.h"

#define NETPLAN_MAX_NODES 100000

static inline void yaml_document_deletep(yaml_document_t **d)
{
	if (*d) {
		yaml_document_delete(*d);
		free(*d);
	}
}
#define _cleanup_yaml_document_ _cleanup_(yaml_document_deletep)

struct np_file {
	char *path;
	yaml_document_t *doc; /* NULL for an empty file */
};

struct np_config {
	struct np_file *files;
	size_t n_files;
};

static void np_config_done(struct np_config *c)
{
	for (size_t k = 0; k < c->n_files; k++) {
		free(c->files[k].path);
		yaml_document_deletep(&c->files[k].doc);
	}
	free(c->files);
	*c = (struct np_config){};
}

static bool node_is(const yaml_node_t *n, yaml_node_type_t t)
{
	return n && n->type == t;
}

static const char *scalar(const yaml_node_t *n)
{
	return node_is(n, YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

static unsigned line_of(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!node_is(map, YAML_MAPPING_NODE))
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		if (streq(scalar(yaml_document_get_node(d, p->key)), key))
			return yaml_document_get_node(d, p->value);
	return NULL;
}

/* Counts the nodes reachable from n (aliases counted each time): a bound on work. */
static size_t count_nodes(yaml_document_t *d, yaml_node_t *n, unsigned depth, size_t budget)
{
	size_t c = 1;

	if (!n || depth > 64)
		return budget + 1;
	if (n->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top && c <= budget; i++)
			c += count_nodes(d, yaml_document_get_node(d, *i), depth + 1, budget - c);
	else if (n->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top && c <= budget; p++) {
			c += count_nodes(d, yaml_document_get_node(d, p->key), depth + 1, budget - c);
			if (c <= budget)
				c += count_nodes(d, yaml_document_get_node(d, p->value), depth + 1, budget - c);
		}
	return c;
}

/* The first mapping key under n that is not a plain scalar (`? [a, b]: x`), or NULL: netplan
 * has no such keys, and a lookup by name cannot match them. count_nodes() bounded the walk. */
static yaml_node_t *complex_key(yaml_document_t *d, yaml_node_t *n, unsigned depth)
{
	yaml_node_t *bad = NULL;

	if (!n || depth > 64)
		return NULL;
	if (n->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top && !bad; i++)
			bad = complex_key(d, yaml_document_get_node(d, *i), depth + 1);
	else if (n->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top && !bad; p++) {
			yaml_node_t *k = yaml_document_get_node(d, p->key);

			if (!node_is(k, YAML_SCALAR_NODE))
				return k ? k : n;
			bad = complex_key(d, yaml_document_get_node(d, p->value), depth + 1);
		}
	return bad;
}

static int load_yaml(const char *path, const char *data, yaml_document_t **ret, struct netcfg_error *err)
{
	yaml_node_t *bad;
	_cleanup_yaml_document_ yaml_document_t *doc = NULL;
	yaml_document_t extra;
	yaml_parser_t parser;
	yaml_node_t *root;
	int r = 0;

	doc = calloc(1, sizeof(*doc));
	if (!doc)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		free(TAKE_PTR(doc));
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, strlen(data));
	if (!yaml_parser_load(&parser, doc)) {
		r = nc_bad(err, path, (unsigned)parser.problem_mark.line + 1, "YAML: %s%s%s",
			   parser.problem ? parser.problem : "syntax error",
			   parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		free(TAKE_PTR(doc));
		return r;
	}
	root = yaml_document_get_root_node(doc);
	if (root) {
		/* A second document in the file: netplan does not use it; refuse it. */
		if (!yaml_parser_load(&parser, &extra))
			r = nc_bad(err, path, (unsigned)parser.problem_mark.line + 1, "YAML: %s",
				   parser.problem ? parser.problem : "syntax error");
		else {
			if (yaml_document_get_root_node(&extra))
				r = nc_bad(err, path, line_of(yaml_document_get_root_node(&extra)),
					   "more than one YAML document");
			yaml_document_delete(&extra);
		}
	}
	yaml_parser_delete(&parser);
	if (r < 0)
		return r;
	if (!root) {
		*ret = NULL; /* empty file */
		return 0;
	}
	if (count_nodes(doc, root, 0, NETPLAN_MAX_NODES) > NETPLAN_MAX_NODES)
		return nc_bad(err, path, 1, "YAML too large or nested too deep");
	if (!node_is(root, YAML_MAPPING_NODE))
		return nc_bad(err, path, line_of(root), "the top level is not a mapping");
	bad = complex_key(doc, root, 0);
	if (bad)
		return nc_bad(err, path, line_of(bad), "a key that is a list or a mapping (netplan "
			      "keys are plain names)");
	*ret = TAKE_PTR(doc);
	return 0;
}

static const char *const np_dirs[] = { "/lib/netplan", "/etc/netplan", "/run/netplan" };

static int np_load(const char *root, struct np_config *ret, struct netcfg_error *err)
{
	static const char *const *dirs = np_dirs;
	_cleanup_strv_free_ char **chosen = NULL;
	struct np_config c = {};
	int r;

	/* Shadowing by name: the last directory wins. */
	for (size_t k = 0; k < ELEMENTSOF(np_dirs); k++) {
		_cleanup_strv_free_ char **files = NULL;

		r = nc_list_dir(root, dirs[k], ".yaml", &files);
		if (r < 0)
			return r;
		for (char **f = files; f && *f; f++) {
			const char *base = strrchr(*f, '/') + 1;
			bool replaced = false;

			for (size_t i = 0; chosen && chosen[i]; i++)
				if (streq(strrchr(chosen[i], '/') + 1, base)) {
					char *dup = strdup(*f);

					if (!dup)
						return -ENOMEM;
					free(chosen[i]);
					chosen[i] = dup;
					replaced = true;
				}
			if (!replaced && strv_push(&chosen, *f) < 0)
				return -ENOMEM;
		}
	}
	if (!chosen) {
		*ret = c;
		return 0;
	}
	/* Lexical order of the file names, whatever their directory. */
	for (size_t i = 1; chosen[i]; i++)
		for (size_t j = i; j > 0 && strcmp(strrchr(chosen[j - 1], '/'), strrchr(chosen[j], '/')) > 0; j--) {
			char *t = chosen[j];

			chosen[j] = chosen[j - 1];
			chosen[j - 1] = t;
		}
	for (char **f = chosen; *f; f++) {
		_cleanup_free_ char *data = NULL;
		yaml_document_t *doc = NULL;
		struct np_file *nv;

		r = nc_read_file(root, *f, &data);
		if (r < 0) {
			np_config_done(&c);
			return nc_error(err, *f, 0, r, "cannot read: %s", strerror(-r));
		}
		r = load_yaml(*f, data, &doc, err);
		if (r < 0) {
			np_config_done(&c);
			return r;
		}
		nv = realloc(c.files, sizeof(*nv) * (c.n_files + 1));
		if (!nv) {
			yaml_document_deletep(&doc);
			np_config_done(&c);
			return -ENOMEM;
		}
		c.files = nv;
		c.files[c.n_files].path = strdup(*f);
		c.files[c.n_files++].doc = doc;
		if (!c.files[c.n_files - 1].path) {
			np_config_done(&c);
			return -ENOMEM;
		}
	}
	*ret = c;
	return 0;
}

static int parse_bool(const char *s, enum netcfg_tristate *ret)
{
	static const char *const yes[] = { "true", "yes", "on", "y", "True", "TRUE", "Yes", "On" };
	static const char *const no[] = { "false", "no", "off", "n", "False", "FALSE", "No", "Off" };

	for (size_t k = 0; k < ELEMENTSOF(yes); k++)
		if (streq(s, yes[k])) {
			*ret = NETCFG_YES;
			return 0;
		}
	for (size_t k = 0; k < ELEMENTSOF(no); k++)
		if (streq(s, no[k])) {
			*ret = NETCFG_NO;
			return 0;
		}
	return -EINVAL;
}

/* The keys copied as they are; the model does not need them. */
static const char *const passthrough[] = {
	"optional", "critical", "dhcp4-overrides", "dhcp6-overrides", "link-local", "ipv6-privacy",
	"wakeonlan", "dhcp-identifier", "renderer", "ipv6-address-generation", "ipv6-mtu",
	"networkmanager", /* NetworkManager 1.46+ keeps its connections in netplan: uuid, name, passthrough */
	"routing-policy", /* rules (from, to, table, priority, mark): they name no interface */
	"emit-lldp", "activation-mode", "ignore-carrier", "ipv6-address-token",
	/* offloads: the VMXNET3 NIC has each of them */
	"receive-checksum-offload", "transmit-checksum-offload", "tcp-segmentation-offload",
	"tcp6-segmentation-offload", "generic-segmentation-offload", "generic-receive-offload",
	"large-receive-offload",
};

static bool is_passthrough(const char *k)
{
	for (size_t i = 0; i < ELEMENTSOF(passthrough); i++)
		if (streq(k, passthrough[i]))
			return true;
	return false;
}

static int seq_scalars(yaml_document_t *d, yaml_node_t *seq, const char *path, const char *what,
		       struct netcfg_iface *m, int (*add)(struct netcfg_iface *, const char *),
		       struct netcfg_error *err)
{
	int r;

	if (!node_is(seq, YAML_SEQUENCE_NODE))
		return nc_bad(err, path, line_of(seq), "%s: expected a list", what);
	for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++) {
		yaml_node_t *n = yaml_document_get_node(d, *i);
		const char *s = scalar(n);

		if (!s)
			return nc_bad(err, path, line_of(n), "%s: expected a value", what);
		r = add(m, s);
		if (r == -EINVAL)
			return nc_bad(err, path, line_of(n), "%s: bad value '%s'", what, s);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_addr(struct netcfg_iface *m, const char *s)
{
	return netcfg_iface_add_addr(m, s, 0);
}

/* One definition (ethernet or VLAN) into the model. */
static int def_into(yaml_document_t *d, yaml_node_t *def, const char *path, bool vlan,
		    struct netcfg_iface *m, struct netcfg_error *err)
{
	int r;

	if (!node_is(def, YAML_MAPPING_NODE))
		return nc_bad(err, path, line_of(def), "a definition must be a mapping");
	for (yaml_node_pair_t *p = def->data.mapping.pairs.start; p < def->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
		const char *k = scalar(kn), *s = scalar(v);

		r = 0;
		if (!k)
			return nc_bad(err, path, line_of(kn), "a key must be a plain value");
		if (streq(k, "dhcp4") || streq(k, "dhcp6") || streq(k, "accept-ra")) {
			enum netcfg_tristate t;

			if (!s || parse_bool(s, &t) < 0)
				return nc_bad(err, path, line_of(v), "%s: expected true or false", k);
			if (streq(k, "dhcp4"))
				m->dhcp4 = t;
			else if (streq(k, "dhcp6"))
				m->dhcp6 = t;
			else
				m->ipv6_autoconf = t;
		} else if (streq(k, "addresses")) {
			if (node_is(v, YAML_SEQUENCE_NODE))
				for (yaml_node_item_t *i = v->data.sequence.items.start;
				     i < v->data.sequence.items.top; i++)
					if (!scalar(yaml_document_get_node(d, *i)))
						return netcfg_iface_add_unsupported(m, path, line_of(v),
										    "address options (lifetime, label)");
			r = seq_scalars(d, v, path, k, m, add_addr, err);
		} else if (streq(k, "gateway4") || streq(k, "gateway6")) {
			if (!s || netcfg_iface_set_gateway(m, s) < 0)
				return nc_bad(err, path, line_of(v), "%s: bad address '%s'", k, s ? s : "");
		} else if (streq(k, "mtu")) {
			if (!s || netcfg_parse_uint(s, 68, 65535, &m->mtu) < 0)
				return nc_bad(err, path, line_of(v), "mtu: bad value '%s'", s ? s : "");
		} else if (streq(k, "nameservers")) {
			if (!node_is(v, YAML_MAPPING_NODE))
				return nc_bad(err, path, line_of(v), "nameservers: expected a mapping");
			for (yaml_node_pair_t *q = v->data.mapping.pairs.start; r >= 0 && q < v->data.mapping.pairs.top; q++) {
				yaml_node_t *qk = yaml_document_get_node(d, q->key), *qv = yaml_document_get_node(d, q->value);

				if (streq(scalar(qk), "addresses"))
					r = seq_scalars(d, qv, path, "nameservers.addresses", m, netcfg_iface_add_dns, err);
				else if (streq(scalar(qk), "search"))
					r = seq_scalars(d, qv, path, "nameservers.search", m, netcfg_iface_add_search, err);
				else
					r = netcfg_iface_add_unsupported(m, path, line_of(qk), "key 'nameservers.%s'",
									 scalar(qk) ?: "?");
			}
		} else if (streq(k, "routes")) {
			if (!node_is(v, YAML_SEQUENCE_NODE))
				return nc_bad(err, path, line_of(v), "routes: expected a list");
			for (yaml_node_item_t *i = v->data.sequence.items.start; r >= 0 && i < v->data.sequence.items.top; i++) {
				yaml_node_t *rt = yaml_document_get_node(d, *i);
				const char *to = NULL, *via = NULL;
				unsigned metric = 0, table = 0;
				bool has_metric = false;
				enum netcfg_tristate onlink = NETCFG_UNSET;

				if (!node_is(rt, YAML_MAPPING_NODE))
					return nc_bad(err, path, line_of(rt), "a route must be a mapping");
				for (yaml_node_pair_t *q = rt->data.mapping.pairs.start; q < rt->data.mapping.pairs.top; q++) {
					const char *qk = scalar(yaml_document_get_node(d, q->key));
					yaml_node_t *qvn = yaml_document_get_node(d, q->value);
					const char *qv = scalar(qvn);

					if (!qk || !qv)
						return nc_bad(err, path, line_of(qvn), "route: expected key: value");
					if (streq(qk, "to"))
						to = qv;
					else if (streq(qk, "via"))
						via = qv;
					else if (streq(qk, "metric")) {
						if (netcfg_parse_uint(qv, 0, 0x7fffffff, &metric) < 0)
							return nc_bad(err, path, line_of(qvn), "route metric: bad value '%s'", qv);
						has_metric = true;
					} else if (streq(qk, "table")) {
						if (netcfg_parse_uint(qv, 1, UINT32_MAX, &table) < 0)
							return nc_bad(err, path, line_of(qvn), "route table: bad value '%s'", qv);
						table = table == 254 ? 0 : table;
					} else if (streq(qk, "on-link")) {
						if (parse_bool(qv, &onlink) < 0)
							return nc_bad(err, path, line_of(qvn), "route on-link: bad value '%s'", qv);
					} else if ((streq(qk, "scope") && (streq(qv, "global") || streq(qv, "link"))) ||
						   (streq(qk, "type") && streq(qv, "unicast")) || streq(qk, "from")) {
						/* carried by the copy: the same route (from: its preferred source) */
					} else {
						r = netcfg_iface_add_unsupported(m, path, line_of(qvn), "route option '%s'", qk);
						if (r < 0)
							return r;
					}
				}
				if (!to)
					return nc_bad(err, path, line_of(rt), "route without 'to'");
				r = netcfg_iface_add_route_in(m, streq(to, "default") && via && strchr(via, ':') ? "default6" : to,
							      via, has_metric ? (int)metric : -1, table,
							      onlink == NETCFG_YES);
				if (r == -EINVAL)
					return nc_bad(err, path, line_of(rt), "route to '%s': bad destination or gateway", to);
			}
		} else if (streq(k, "match") || streq(k, "set-name")) {
			/* read by the matcher */
		} else if (vlan && (streq(k, "id") || streq(k, "link"))) {
		} else if (is_passthrough(k)) {
		} else if (streq(k, "macaddress"))
			r = netcfg_iface_add_unsupported(m, path, line_of(kn), "a set MAC address (macaddress)");
		else
			r = netcfg_iface_add_unsupported(m, path, line_of(kn), "key '%s'", k);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Whether an ethernets entry configures nic; -EUCLEAN-worthy matches are refused by the caller. */
/* match: driver: a name or pattern, or a list of them (netplan 0.104+: any one fits). A list
 * is a pattern too: it may match other NICs. */
static bool driver_fits(yaml_document_t *d, yaml_node_t *drv, const char *driver, bool *glob)
{
	if (node_is(drv, YAML_SEQUENCE_NODE)) {
		bool hit = false;

		*glob = true;
		for (yaml_node_item_t *i = drv->data.sequence.items.start; i < drv->data.sequence.items.top; i++) {
			const char *one = scalar(yaml_document_get_node(d, *i));

			hit |= one && driver && fnmatch(one, driver, 0) == 0;
		}
		return hit;
	}
	if (strpbrk(scalar(drv) ?: "", "*?["))
		*glob = true;
	return scalar(drv) && driver && fnmatch(scalar(drv), driver, 0) == 0;
}

static bool def_matches(yaml_document_t *d, const char *id, yaml_node_t *def, const struct netcfg_nic *nic,
			bool *ret_glob)
{
	yaml_node_t *match = map_get(d, def, "match");
	yaml_node_t *drv;
	const char *mac, *name;

	*ret_glob = false;
	if (!match)
		return streq(id, nic->name);
	mac = scalar(map_get(d, match, "macaddress"));
	name = scalar(map_get(d, match, "name"));
	drv = map_get(d, match, "driver");
	if (!mac && !name && !drv)
		return false;
	if (mac && !nc_mac_matches(mac, nic))
		return false;
	if (name) {
		if (strpbrk(name, "*?["))
			*ret_glob = true;
		if (!nic->name || fnmatch(name, nic->name, 0) != 0)
			return false;
	}
	return !drv || driver_fits(d, drv, nic->driver, ret_glob);
}

#define NP_MAX_PARTS 16

/* One file's ethernets.<id> entry: netplan merges the entries of one id across files. */
struct np_part {
	size_t file;
	yaml_node_t *def;
};

struct np_found {
	size_t file;     /* index in the config of the first part */
	const char *id;  /* ethernets key */
	yaml_node_t *def; /* the first part */
	const char *renderer; /* network.renderer of the last part's file that sets one */
	struct np_part parts[NP_MAX_PARTS]; /* every file's ethernets.<id>, in file order */
	size_t n_parts;
	bool glob;            /* matched by a pattern (name: en*, driver: e1000*) ... */
	size_t glob_file;     /* ... in this part */
	yaml_node_t *glob_def;
};

/* The value of key in the merged definition's top level (the last part that has it). */
static yaml_node_t *part_get(const struct np_config *c, const struct np_found *f, const char *key,
			     size_t *ret_file)
{
	for (size_t k = f->n_parts; k > 0; k--) {
		yaml_node_t *v = map_get(c->files[f->parts[k - 1].file].doc, f->parts[k - 1].def, key);

		if (v) {
			if (ret_file)
				*ret_file = f->parts[k - 1].file;
			return v;
		}
	}
	return NULL;
}

/* Every file's entry for f->id, as netplan merges them (netplan-generate(8): later files add
 * to or override earlier ones). */
static int np_collect_parts(struct np_config *c, struct np_found *f, struct netcfg_error *err)
{
	f->n_parts = 0;
	for (size_t k = 0; k < c->n_files; k++) {
		yaml_document_t *d = c->files[k].doc;
		yaml_node_t *net = d ? map_get(d, yaml_document_get_root_node(d), "network") : NULL;
		yaml_node_t *eth = net ? map_get(d, net, "ethernets") : NULL;
		yaml_node_t *def = node_is(eth, YAML_MAPPING_NODE) ? map_get(d, eth, f->id) : NULL;
		const char *renderer = net ? scalar(map_get(d, net, "renderer")) : NULL;

		if (!def)
			continue;
		if (f->n_parts == NP_MAX_PARTS)
			return nc_bad(err, c->files[k].path, line_of(def), "ethernets.%s in more than %d files",
				      f->id, NP_MAX_PARTS);
		f->parts[f->n_parts++] = (struct np_part){ .file = k, .def = def };
		if (renderer)
			f->renderer = renderer;
	}
	f->file = f->parts[0].file;
	f->def = f->parts[0].def;
	return 0;
}

/* Finds the NIC's ethernets entries (at most one is accepted). */
static int np_find(struct np_config *c, const struct netcfg_nic *nic, struct np_found *ret,
		   struct netcfg_iface *m, struct netcfg_error *err)
{
	bool found = false;
	int r;

	for (size_t k = 0; k < c->n_files; k++) {
		yaml_document_t *d = c->files[k].doc;
		yaml_node_t *net, *eth, *ver;
		const char *path = c->files[k].path;

		if (!d)
			continue;
		net = map_get(d, yaml_document_get_root_node(d), "network");
		if (!net)
			continue;
		if (!node_is(net, YAML_MAPPING_NODE))
			return nc_bad(err, path, line_of(net), "'network' must be a mapping");
		ver = map_get(d, net, "version");
		if (ver && !streq(scalar(ver), "2"))
			return nc_bad(err, path, line_of(ver), "unsupported netplan version '%s'", scalar(ver) ?: "?");
		eth = map_get(d, net, "ethernets");
		if (!eth)
			continue;
		if (!node_is(eth, YAML_MAPPING_NODE))
			return nc_bad(err, path, line_of(eth), "'ethernets' must be a mapping");
		for (yaml_node_pair_t *p = eth->data.mapping.pairs.start; p < eth->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = yaml_document_get_node(d, p->key), *def = yaml_document_get_node(d, p->value);
			const char *id = scalar(kn);
			bool glob;

			if (!id)
				return nc_bad(err, path, line_of(kn), "an interface id must be a plain value");
			if (!node_is(def, YAML_MAPPING_NODE))
				return nc_bad(err, path, line_of(def), "ethernets.%s must be a mapping", id);
			if (!def_matches(d, id, def, nic, &glob))
				continue;
			if (found && streq(id, ret->id))
				continue; /* the same definition, merged (np_collect_parts) */
			if (found) {
				r = netcfg_iface_add_unsupported(m, path, line_of(kn),
								 "a second definition of the NIC (ethernets.%s; first in %s)",
								 id, c->files[ret->file].path);
				if (r < 0)
					return r;
				continue;
			}
			found = true;
			*ret = (struct np_found){ .file = k, .id = id, .def = def,
						  .renderer = scalar(map_get(d, net, "renderer")),
						  .glob = glob, .glob_file = k, .glob_def = def };
		}
	}
	return found ? np_collect_parts(c, ret, err) : -ENOENT;
}

/* The NIC is in the interfaces of the bond or bridge master (path:line): it is a port; the
 * master's file joins the model's files (its interfaces are rewritten). One master only. */
static int np_port_of(struct netcfg_iface *m, const char *path, unsigned line, const char *kind,
		      const char *master)
{
	if (!master || !*master || (m->master && !streq(m->master, master)))
		return netcfg_iface_add_unsupported(m, path, line, "%s %s over %s, a port of %s already", kind,
						    master ?: "?", m->id, m->master ?: "?");
	if (m->master)
		return 0;
	m->master = strdup(master);
	m->master_kind = streq(kind, "bond") ? "bond" : "bridge";
	if (!m->master)
		return -ENOMEM;
	return netcfg_iface_add_file(m, path);
}

/* A port under NetworkManager's renderer, or with addresses of its own: refused. */
static int np_port_check(struct np_config *c, const struct np_found *f, struct netcfg_iface *m)
{
	const char *renderer = NULL;

	for (size_t k = 0; k < c->n_files; k++) {
		yaml_document_t *d = c->files[k].doc;
		yaml_node_t *net = d ? map_get(d, yaml_document_get_root_node(d), "network") : NULL;

		if (net && scalar(map_get(d, net, "renderer")))
			renderer = scalar(map_get(d, net, "renderer"));
	}
	if (f->renderer)
		renderer = f->renderer;
	if (streq(renderer, "NetworkManager"))
		return netcfg_iface_add_unsupported(m, c->files[f->file].path, line_of(f->def),
						    "a %s port under NetworkManager's renderer", m->master_kind);
	if (m->n_addrs || m->n_vlans || m->dhcp4 == NETCFG_YES || m->dhcp6 == NETCFG_YES)
		return netcfg_iface_add_unsupported(m, c->files[f->file].path, line_of(f->def),
						    "a %s port with addresses of its own", m->master_kind);
	return 0;
}

/* VLANs on the NIC, bonds and bridges over it; fills the model's VLANs and refusals. */
static int np_around(struct np_config *c, const char *id, struct netcfg_iface *m, struct netcfg_error *err)
{
	static const char *const groups[] = { "bonds", "bridges" };
	int r;

	for (size_t k = 0; k < c->n_files; k++) {
		yaml_document_t *d = c->files[k].doc;
		const char *path = c->files[k].path;
		yaml_node_t *net, *vlans;

		if (!d || !(net = map_get(d, yaml_document_get_root_node(d), "network")))
			continue;
		for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
			yaml_node_t *grp = map_get(d, net, groups[g]);

			if (!node_is(grp, YAML_MAPPING_NODE))
				continue;
			for (yaml_node_pair_t *p = grp->data.mapping.pairs.start; p < grp->data.mapping.pairs.top; p++) {
				yaml_node_t *ifs = map_get(d, yaml_document_get_node(d, p->value), "interfaces");

				if (!node_is(ifs, YAML_SEQUENCE_NODE))
					continue;
				for (yaml_node_item_t *i = ifs->data.sequence.items.start; i < ifs->data.sequence.items.top; i++)
					if (streq(scalar(yaml_document_get_node(d, *i)), id)) {
						r = np_port_of(m, path, line_of(yaml_document_get_node(d, *i)),
							       g == 0 ? "bond" : "bridge", scalar(yaml_document_get_node(d, p->key)));
						if (r < 0)
							return r;
					}
			}
		}
		vlans = map_get(d, net, "vlans");
		if (!node_is(vlans, YAML_MAPPING_NODE))
			continue;
		for (yaml_node_pair_t *p = vlans->data.mapping.pairs.start; p < vlans->data.mapping.pairs.top; p++) {
			yaml_node_t *def = yaml_document_get_node(d, p->value);
			const char *vid = scalar(yaml_document_get_node(d, p->key));
			struct netcfg_iface *v;
			unsigned num;

			if (!streq(scalar(map_get(d, def, "link")), id))
				continue;
			if (netcfg_parse_uint(scalar(map_get(d, def, "id")), 1, 4094, &num) < 0)
				return nc_bad(err, path, line_of(def), "vlans.%s: bad or missing id", vid ?: "?");
			v = netcfg_iface_new();
			if (!v)
				return -ENOMEM;
			r = netcfg_iface_add_vlan(m, v);
			if (r < 0) {
				netcfg_iface_free(v);
				return r;
			}
			v->vlan_id = num;
			v->name = strdup(vid ?: "");
			v->vlan_parent = strdup(id);
			v->start_at_boot = true;
			if (!v->name || !v->vlan_parent)
				return -ENOMEM;
			r = def_into(d, def, path, true, v, err);
			if (r >= 0)
				r = netcfg_iface_add_file(m, path);
			if (r < 0)
				return r;
			for (size_t u = 0; u < v->n_unsupported; u++) {
				r = netcfg_iface_add_unsupported(m, v->unsupported[u].file, v->unsupported[u].line,
								 "%s (on VLAN %s)", v->unsupported[u].what, v->name);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

static int np_model(struct np_config *c, const struct netcfg_nic *nic, struct np_found *ret_found,
		    struct netcfg_iface **ret, struct netcfg_error *err)
{
	_cleanup_iface_ struct netcfg_iface *m = netcfg_iface_new();
	struct np_found f;
	yaml_document_t *d;
	yaml_node_t *match;
	const char *mac, *setname;
	size_t mfile = 0;
	int r;

	if (!m)
		return -ENOMEM;
	r = np_find(c, nic, &f, m, err);
	if (r < 0)
		return r;
	setname = scalar(part_get(c, &f, "set-name", NULL));
	m->name = strdup(setname ?: nic->name ?: f.id);
	m->id = strdup(f.id);
	if (!m->name || !m->id)
		return -ENOMEM;
	match = part_get(c, &f, "match", &mfile);
	d = c->files[mfile].doc;
	if (match && !node_is(match, YAML_MAPPING_NODE))
		return nc_bad(err, c->files[mfile].path, line_of(match), "match must be a mapping");
	mac = scalar(map_get(d, match, "macaddress"));
	if (mac && netcfg_parse_mac(mac, &m->match_mac) < 0)
		return nc_bad(err, c->files[mfile].path, line_of(match), "match: bad macaddress '%s'", mac);
	if (scalar(map_get(d, match, "driver")))
		m->match_driver = strdup(scalar(map_get(d, match, "driver")));
	m->start_at_boot = true;
	/* The parts in file order: scalars override, lists add up (netplan's merge). */
	r = 0;
	for (size_t k = 0; r >= 0 && k < f.n_parts; k++) {
		const struct np_file *pf = &c->files[f.parts[k].file];

		r = def_into(pf->doc, f.parts[k].def, pf->path, false, m, err);
		if (r >= 0)
			r = netcfg_iface_add_file(m, pf->path);
	}
	if (r >= 0)
		r = np_around(c, f.id, m, err);
	if (r >= 0 && m->master)
		r = np_port_check(c, &f, m);
	if (r < 0)
		return r;
	if (ret_found)
		*ret_found = f;
	*ret = TAKE_PTR(m);
	return 0;
}

/* What the plan takes from the read: every file's document, and where the NIC's parts are. */
struct np_state {
	struct np_config c;
	struct np_found f;
};

static void np_state_free(void *state)
{
	struct np_state *st = state;

	np_config_done(&st->c);
	free(st);
}

static int netplan_read(const char *root, const struct netcfg_nic *nic, struct netcfg_iface **ret,
			void **ret_state, struct netcfg_error *err)
{
	struct np_state *st = calloc(1, sizeof(*st));
	int r;

	if (!st)
		return -ENOMEM;
	r = np_load(root, &st->c, err);
	if (r >= 0)
		r = np_model(&st->c, nic, &st->f, ret, err);
	if (r < 0 || !ret_state)
		np_state_free(st);
	else
		*ret_state = st;
	return r;
}

/* --- emitting ------------------------------------------------------------------------------ */

struct emit {
	yaml_emitter_t e;
	char *buf;
	size_t size;
	FILE *f;
	bool failed;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct emit *em = data;

	return fwrite(buffer, 1, size, em->f) == size;
}

static void ev(struct emit *em, yaml_event_t *e, int ok)
{
	if (!ok || em->failed || !yaml_emitter_emit(&em->e, e))
		em->failed = true;
}

static void emit_scalar(struct emit *em, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t e;

	ev(em, &e, yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style));
}

static void emit_map_start(struct emit *em)
{
	yaml_event_t e;

	ev(em, &e, yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void emit_map_end(struct emit *em)
{
	yaml_event_t e;

	ev(em, &e, yaml_mapping_end_event_initialize(&e));
}

static void emit_node(struct emit *em, yaml_document_t *d, yaml_node_t *n)
{
	yaml_event_t e;

	if (!n) {
		em->failed = true;
		return;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		emit_scalar(em, (const char *)n->data.scalar.value, n->data.scalar.style);
		break;
	case YAML_SEQUENCE_NODE:
		ev(em, &e, yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, n->data.sequence.style));
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
			emit_node(em, d, yaml_document_get_node(d, *i));
		ev(em, &e, yaml_sequence_end_event_initialize(&e));
		break;
	case YAML_MAPPING_NODE:
		ev(em, &e, yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, n->data.mapping.style));
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			emit_node(em, d, yaml_document_get_node(d, p->key));
			emit_node(em, d, yaml_document_get_node(d, p->value));
		}
		ev(em, &e, yaml_mapping_end_event_initialize(&e));
		break;
	default:
		em->failed = true;
	}
}

static int emit_begin(struct emit *em, const char *header)
{
	yaml_event_t e;

	*em = (struct emit){};
	em->f = open_memstream(&em->buf, &em->size);
	if (!em->f)
		return -ENOMEM;
	if (header)
		fputs(header, em->f);
	if (!yaml_emitter_initialize(&em->e)) {
		fclose(em->f);
		free(em->buf);
		return -ENOMEM;
	}
	yaml_emitter_set_output(&em->e, write_handler, em);
	yaml_emitter_set_indent(&em->e, 2);
	yaml_emitter_set_unicode(&em->e, 1);
	ev(em, &e, yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING));
	ev(em, &e, yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1));
	return 0;
}

static int emit_end(struct emit *em, char **ret)
{
	yaml_event_t e;

	ev(em, &e, yaml_document_end_event_initialize(&e, 1));
	ev(em, &e, yaml_stream_end_event_initialize(&e));
	yaml_emitter_flush(&em->e);
	yaml_emitter_delete(&em->e);
	if (fclose(em->f) != 0 || em->failed || !em->buf) {
		free(em->buf);
		return -ENOMEM;
	}
	*ret = em->buf;
	return 0;
}

/* A VLAN's definition with its link replaced. */
static void emit_vlan_def(struct emit *em, yaml_document_t *d, yaml_node_t *def, const char *link)
{
	emit_map_start(em);
	for (yaml_node_pair_t *p = def->data.mapping.pairs.start; p < def->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(d, p->key));

		if (streq(k, "match") || streq(k, "set-name"))
			continue;
		emit_scalar(em, k, YAML_ANY_SCALAR_STYLE);
		if (streq(k, "link"))
			emit_scalar(em, link, YAML_ANY_SCALAR_STYLE);
		else
			emit_node(em, d, yaml_document_get_node(d, p->value));
	}
	emit_map_end(em);
}

static void emit_merged_pairs(struct emit *em, yaml_document_t **docs, yaml_node_t **maps, size_t n,
			      const char *const *skip);

/* The merge of nodes as netplan merges a definition's files: mappings key by key, sequences
 * concatenated, anything else the last one. */
static void emit_merged(struct emit *em, yaml_document_t **docs, yaml_node_t **nodes, size_t n)
{
	bool maps = true, seqs = true;
	yaml_event_t e;

	for (size_t k = 0; k < n; k++) {
		maps &= node_is(nodes[k], YAML_MAPPING_NODE);
		seqs &= node_is(nodes[k], YAML_SEQUENCE_NODE);
	}
	if (n == 1 || (!maps && !seqs)) {
		emit_node(em, docs[n - 1], nodes[n - 1]);
		return;
	}
	if (seqs) {
		ev(em, &e, yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, nodes[0]->data.sequence.style));
		for (size_t k = 0; k < n; k++)
			for (yaml_node_item_t *i = nodes[k]->data.sequence.items.start; i < nodes[k]->data.sequence.items.top; i++)
				emit_node(em, docs[k], yaml_document_get_node(docs[k], *i));
		ev(em, &e, yaml_sequence_end_event_initialize(&e));
		return;
	}
	emit_map_start(em);
	emit_merged_pairs(em, docs, nodes, n, NULL);
	emit_map_end(em);
}

/* The keys of the mappings maps (but skip), in the order they first appear, each with the
 * merge of its values. */
static void emit_merged_pairs(struct emit *em, yaml_document_t **docs, yaml_node_t **maps, size_t n,
			      const char *const *skip)
{
	_cleanup_strv_free_ char **seen = NULL;

	for (size_t k = 0; k < n; k++)
		for (yaml_node_pair_t *p = maps[k]->data.mapping.pairs.start; p < maps[k]->data.mapping.pairs.top; p++) {
			const char *key = scalar(yaml_document_get_node(docs[k], p->key));
			yaml_document_t *sd[NP_MAX_PARTS];
			yaml_node_t *sn[NP_MAX_PARTS];
			size_t m = 0;

			if (!key || strv_contains(seen, key) || (skip && strv_contains((char **)skip, key)))
				continue;
			if (strv_push(&seen, key) < 0) {
				em->failed = true;
				return;
			}
			for (size_t j = k; j < n && m < NP_MAX_PARTS; j++) {
				yaml_node_t *v = map_get(docs[j], maps[j], key);

				if (v)
					sd[m] = docs[j], sn[m++] = v;
			}
			emit_scalar(em, key, YAML_ANY_SCALAR_STYLE);
			emit_merged(em, sd, sn, m);
		}
}

/* The NIC's definition, its parts merged, with match and set-name replaced. */
static void emit_merged_def(struct emit *em, struct np_config *c, const struct np_found *f,
			    const char *match_key, const char *match_value, const char *set_name)
{
	static const char *const skip[] = { "match", "set-name", NULL };
	yaml_document_t *docs[NP_MAX_PARTS];
	yaml_node_t *defs[NP_MAX_PARTS];

	for (size_t k = 0; k < f->n_parts; k++) {
		docs[k] = c->files[f->parts[k].file].doc;
		defs[k] = f->parts[k].def;
	}
	emit_map_start(em);
	if (match_key) {
		emit_scalar(em, "match", YAML_ANY_SCALAR_STYLE);
		emit_map_start(em);
		emit_scalar(em, match_key, YAML_ANY_SCALAR_STYLE);
		emit_scalar(em, match_value, YAML_ANY_SCALAR_STYLE);
		emit_map_end(em);
	}
	if (set_name) {
		emit_scalar(em, "set-name", YAML_ANY_SCALAR_STYLE);
		emit_scalar(em, set_name, YAML_ANY_SCALAR_STYLE);
	}
	emit_merged_pairs(em, docs, defs, f->n_parts, skip);
	emit_map_end(em);
}

/* Whether the file defines anything besides the NIC (id) and its VLANs (vlan_ids). */
static bool file_has_others(yaml_document_t *d, const char *id, char **vlan_ids)
{
	yaml_node_t *net = map_get(d, yaml_document_get_root_node(d), "network");
	yaml_node_t *root = yaml_document_get_root_node(d);

	if (root->data.mapping.pairs.top - root->data.mapping.pairs.start != 1 || !net)
		return true;
	for (yaml_node_pair_t *p = net->data.mapping.pairs.start; p < net->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(d, p->key));
		yaml_node_t *v = yaml_document_get_node(d, p->value);

		if (streq(k, "version") || streq(k, "renderer"))
			continue;
		if (!streq(k, "ethernets") && !streq(k, "vlans"))
			return true;
		if (!node_is(v, YAML_MAPPING_NODE))
			return true;
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			const char *e = scalar(yaml_document_get_node(d, q->key));

			if (streq(k, "ethernets") ? !streq(e, id) : !strv_contains(vlan_ids, e))
				return true;
		}
	}
	return false;
}

/* bonds: or bridges: (grp) with id replaced by port_to in each master's interfaces. */
static void emit_ports_renamed(struct emit *em, yaml_document_t *d, yaml_node_t *grp, const char *id,
			       const char *port_to)
{
	yaml_event_t e;

	emit_map_start(em);
	for (yaml_node_pair_t *p = grp->data.mapping.pairs.start; p < grp->data.mapping.pairs.top; p++) {
		yaml_node_t *def = yaml_document_get_node(d, p->value);

		emit_node(em, d, yaml_document_get_node(d, p->key));
		if (!node_is(def, YAML_MAPPING_NODE)) {
			emit_node(em, d, def);
			continue;
		}
		emit_map_start(em);
		for (yaml_node_pair_t *q = def->data.mapping.pairs.start; q < def->data.mapping.pairs.top; q++) {
			yaml_node_t *k = yaml_document_get_node(d, q->key), *v = yaml_document_get_node(d, q->value);

			emit_node(em, d, k);
			if (!streq(scalar(k), "interfaces") || !node_is(v, YAML_SEQUENCE_NODE)) {
				emit_node(em, d, v);
				continue;
			}
			ev(em, &e, yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, v->data.sequence.style));
			for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
				yaml_node_t *item = yaml_document_get_node(d, *i);

				if (streq(scalar(item), id))
					emit_scalar(em, port_to, YAML_ANY_SCALAR_STYLE);
				else
					emit_node(em, d, item);
			}
			ev(em, &e, yaml_sequence_end_event_initialize(&e));
		}
		emit_map_end(em);
	}
	emit_map_end(em);
}

/* The file without the NIC's entries; with port_to, the NIC's place in a bond's or bridge's
 * interfaces goes to port_to. */
static int rewrite_without(yaml_document_t *d, const char *id, char **vlan_ids, const char *port_to,
			   char **ret)
{
	yaml_node_t *root = yaml_document_get_root_node(d);
	struct emit em;
	int r;

	r = emit_begin(&em, NULL);
	if (r < 0)
		return r;
	emit_map_start(&em);
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);

		emit_node(&em, d, k);
		if (!streq(scalar(k), "network") || !node_is(v, YAML_MAPPING_NODE)) {
			emit_node(&em, d, v);
			continue;
		}
		emit_map_start(&em);
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *qk = yaml_document_get_node(d, q->key), *qv = yaml_document_get_node(d, q->value);
			bool eth = streq(scalar(qk), "ethernets"), vl = streq(scalar(qk), "vlans");
			size_t kept = 0;

			if (port_to && (streq(scalar(qk), "bonds") || streq(scalar(qk), "bridges")) &&
			    node_is(qv, YAML_MAPPING_NODE)) {
				emit_node(&em, d, qk);
				emit_ports_renamed(&em, d, qv, id, port_to);
				continue;
			}
			if ((!eth && !vl) || !node_is(qv, YAML_MAPPING_NODE)) {
				emit_node(&em, d, qk);
				emit_node(&em, d, qv);
				continue;
			}
			for (yaml_node_pair_t *x = qv->data.mapping.pairs.start; x < qv->data.mapping.pairs.top; x++) {
				const char *e = scalar(yaml_document_get_node(d, x->key));

				kept += eth ? !streq(e, id) : !strv_contains(vlan_ids, e);
			}
			if (kept == 0)
				continue;
			emit_node(&em, d, qk);
			emit_map_start(&em);
			for (yaml_node_pair_t *x = qv->data.mapping.pairs.start; x < qv->data.mapping.pairs.top; x++) {
				const char *e = scalar(yaml_document_get_node(d, x->key));

				if (eth ? streq(e, id) : strv_contains(vlan_ids, e))
					continue;
				emit_node(&em, d, yaml_document_get_node(d, x->key));
				emit_node(&em, d, yaml_document_get_node(d, x->value));
			}
			emit_map_end(&em);
		}
		emit_map_end(&em);
	}
	emit_map_end(&em);
	return emit_end(&em, ret);
}

/*
 * A definition matched by a pattern may configure other NICs as well, so it is not rewritten:
 * when the pattern fits the VMXNET3 NIC too, netplan configures it as it is (nothing to
 * change but applying it); otherwise it is refused.
 */
static int plan_glob(struct np_config *c, const struct np_found *f, const struct netcfg_nic *from,
		     const struct netcfg_nic *to, const char *target, const char *target_mac,
		     enum netcfg_mode mode, struct netcfg_plan *p, struct netcfg_error *err)
{
	const struct netcfg_nic future = { .name = target, .mac = target_mac, .driver = "vmxnet3" };
	yaml_document_t *d = c->files[f->glob_file].doc;
	bool glob;
	int r;

	if (!def_matches(d, f->id, f->glob_def, &future, &glob))
		return nc_error(err, c->files[f->glob_file].path, line_of(f->glob_def), -EUCLEAN,
				"ethernets.%s matches %s by a pattern that the VMXNET3 NIC %s does not fit, and may "
				"configure other NICs: not supported for a migration", f->id, from->name, target);
	if (mode == NETCFG_REPLACE)
		return nc_plan_pin_name(p, to, target);
	r = nc_plan_command_restored(p, "apply the netplan configuration (its pattern fits the VMXNET3 NIC)",
				     (const char *const[]){ "netplan", "apply", NULL },
				     (const char *const[]){ "netplan", "apply", NULL });
	if (r >= 0)
		r = nc_plan_command(p, false, "remove the E1000's addresses",
				    (const char *const[]){ "ip", "address", "flush", "dev", from->name, NULL }, NULL);
	return r;
}

/*
 * A port, side by side: not `netplan apply`, which would move both ports at once, but netplan's
 * networkd files generated and then networkd's own port sequence (networkd.c: the VMXNET3 NIC
 * joins, the plan waits for it, the E1000 leaves). The rollback generates the files from the
 * restored configuration first, then runs that sequence's undo.
 */
static int np_plan_port(const struct netcfg_iface *m, const struct netcfg_nic *from, const char *target,
			struct netcfg_plan *p)
{
	int r;

	r = nc_plan_command(p, false, "generate networkd's files from the netplan configuration",
			    (const char *const[]){ "netplan", "generate", NULL }, NULL);
	if (r >= 0)
		r = nd_plan_port(m, from, target, p, false);
	if (r >= 0)
		r = nc_plan_command_restored(p, "make networkd read the configuration",
					     (const char *const[]){ "networkctl", "reload", NULL },
					     (const char *const[]){ "networkctl", "reload", NULL });
	if (r >= 0)
		r = nd_plan_port(m, from, target, p, true);
	if (r >= 0)
		r = nc_plan_command_restored(p, "on a rollback, generate networkd's files first",
					     (const char *const[]){ "true", NULL },
					     (const char *const[]){ "netplan", "generate", NULL });
	return r;
}

static int netplan_plan(const char *root, const struct netcfg_iface *m, void *state,
			const struct netcfg_nic *from, const struct netcfg_nic *to, enum netcfg_mode mode,
			struct netcfg_plan *p, struct netcfg_error *err)
{
	struct np_state *st = state;
	struct np_config *c = &st->c;
	const struct np_found *f = &st->f;
	_cleanup_free_ char *text = NULL, *header = NULL, *path = NULL, *target_mac = NULL;
	_cleanup_strv_free_ char **vlan_ids = NULL, **sources = NULL;
	_cleanup_free_ char *joined = NULL;
	const char *target = nc_target_name(from, to, mode);
	const char *match_key = NULL, *match_value = NULL, *set_name = NULL, *new_id = target;
	struct emit em;
	int r;

	if (to->mac && (r = netcfg_parse_mac(to->mac, &target_mac)) < 0)
		goto out;
	if (f->glob) {
		r = plan_glob(c, f, from, to, target, target_mac, mode, p, err);
		goto out;
	}

	/* How the new definition finds the VMXNET3 NIC. */
	if (m->match_mac && target_mac)
		match_key = "macaddress", match_value = target_mac;
	else if (m->match_driver || mode == NETCFG_REPLACE) {
		if (target_mac && mode == NETCFG_REPLACE)
			match_key = "macaddress", match_value = target_mac;
		else
			match_key = "driver", match_value = "vmxnet3";
	} else if (part_get(c, f, "match", NULL))
		match_key = "name", match_value = target;
	if (match_key && (part_get(c, f, "set-name", NULL) || mode == NETCFG_REPLACE))
		set_name = target;
	if (mode == NETCFG_REPLACE && !part_get(c, f, "match", NULL))
		new_id = f->id; /* the id stays; the match and set-name are new */
	else if (part_get(c, f, "match", NULL))
		new_id = f->id;

	for (size_t k = 0; k < f->n_parts; k++)
		if (strv_push(&sources, c->files[f->parts[k].file].path) < 0) {
			r = -ENOMEM;
			goto out;
		}
	joined = strv_join(sources, ", ");
	if (!joined || asprintf(&header, "# Written by vnic-install: the configuration of %s (%s) moved to the VMXNET3 NIC %s.\n",
				from->name, joined, target) < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = emit_begin(&em, header);
	if (r < 0)
		goto out;
	emit_map_start(&em);
	emit_scalar(&em, "network", YAML_ANY_SCALAR_STYLE);
	emit_map_start(&em);
	emit_scalar(&em, "version", YAML_ANY_SCALAR_STYLE);
	emit_scalar(&em, "2", YAML_ANY_SCALAR_STYLE);
	if (f->renderer) {
		emit_scalar(&em, "renderer", YAML_ANY_SCALAR_STYLE);
		emit_scalar(&em, f->renderer, YAML_ANY_SCALAR_STYLE);
	}
	emit_scalar(&em, "ethernets", YAML_ANY_SCALAR_STYLE);
	emit_map_start(&em);
	emit_scalar(&em, new_id, YAML_ANY_SCALAR_STYLE);
	emit_merged_def(&em, c, f, match_key, match_value, set_name);
	emit_map_end(&em);
	/* VLANs: every vlans entry linked to the old id, in every file. */
	for (size_t k = 0; k < c->n_files; k++) {
		yaml_document_t *vd = c->files[k].doc;
		yaml_node_t *net, *vlans;

		if (!vd || !(net = map_get(vd, yaml_document_get_root_node(vd), "network")))
			continue;
		vlans = map_get(vd, net, "vlans");
		if (!node_is(vlans, YAML_MAPPING_NODE))
			continue;
		for (yaml_node_pair_t *q = vlans->data.mapping.pairs.start; q < vlans->data.mapping.pairs.top; q++) {
			yaml_node_t *def = yaml_document_get_node(vd, q->value);
			const char *vid = scalar(yaml_document_get_node(vd, q->key));
			_cleanup_free_ char *nid = NULL;

			if (!streq(scalar(map_get(vd, def, "link")), f->id))
				continue;
			if (!vlan_ids) {
				emit_scalar(&em, "vlans", YAML_ANY_SCALAR_STYLE);
				emit_map_start(&em);
			}
			if (strv_push(&vlan_ids, vid) < 0 || nc_rename_vlan(vid, f->id, new_id, &nid) < 0) {
				em.failed = true;
				continue;
			}
			emit_scalar(&em, nid, YAML_ANY_SCALAR_STYLE);
			emit_vlan_def(&em, vd, def, new_id);
		}
	}
	if (vlan_ids)
		emit_map_end(&em);
	emit_map_end(&em);
	emit_map_end(&em);
	r = emit_end(&em, &text);
	if (r < 0)
		goto out;

	/* Disable the old definitions: whole files aside, or rewritten without them. */
	for (char **file = m->files; *file; file++) {
		yaml_document_t *od = NULL;

		for (size_t k = 0; k < c->n_files; k++)
			if (streq(c->files[k].path, *file))
				od = c->files[k].doc;
		if (!od)
			continue;
		if (!file_has_others(od, f->id, vlan_ids))
			r = nc_plan_disable(p, root, *file, "the E1000's netplan configuration, disabled");
		else {
			_cleanup_free_ char *rest = NULL;

			r = rewrite_without(od, f->id, vlan_ids, m->master ? new_id : NULL, &rest);
			if (r >= 0)
				r = nc_plan_write(p, *file, rest, 0600, "the E1000's entries removed (other entries kept)");
		}
		/* A file of the same name that this one shadowed would take its place: set it aside. */
		for (size_t k = 0; r >= 0 && k < ELEMENTSOF(np_dirs); k++) {
			_cleanup_free_ char *shadowed = path_join(np_dirs[k], strrchr(*file, '/') + 1);

			if (!shadowed)
				r = -ENOMEM;
			else if (!streq(shadowed, *file) && nc_exists(root, shadowed))
				r = nc_plan_disable(p, root, shadowed, "a shadowed netplan file that would take the place of the disabled one");
		}
		if (r < 0)
			goto out;
	}
	/* A port's new definition goes before the master's file: netplan refuses a bond or bridge
	 * whose interfaces name an interface no file before it defines. */
	if (asprintf(&path, m->master ? "/etc/netplan/0-vnic-%s.yaml" : "/etc/netplan/90-vnic-%s.yaml", target) < 0) {
		r = -ENOMEM;
		goto out;
	}
	for (char **file = m->files; m->master && *file; file++)
		if (strcmp(strrchr(path, '/') + 1, strrchr(*file, '/') + 1) >= 0) {
			r = nc_error(err, *file, 1, -EUCLEAN, "the %s %s is defined in a file that sorts before "
				     "%s, which would define its new port: not supported for a migration",
				     m->master_kind, m->master, strrchr(path, '/') + 1);
			goto out;
		}
	r = nc_plan_write(p, path, text, 0600, "the netplan configuration of %s", target);
	if (r >= 0 && mode == NETCFG_SIDE_BY_SIDE && m->master) {
		r = np_plan_port(m, from, target, p);
		goto out;
	}
	if (r >= 0 && mode == NETCFG_SIDE_BY_SIDE) {
		r = nc_plan_command_restored(p, "apply the netplan configuration",
				    (const char *const[]){ "netplan", "apply", NULL },
				    (const char *const[]){ "netplan", "apply", NULL });
		if (r >= 0)
			r = nc_plan_command(p, false, "remove the E1000's addresses",
					    (const char *const[]){ "ip", "address", "flush", "dev", from->name, NULL },
					    NULL);
	}
out:
	return r;
}

/* Each ethernets entry's name: its id, or the name its match: or set-name: gives. */
static int netplan_names(const char *root, char ***names, struct netcfg_error *err)
{
	struct np_config c = {};
	int r;

	r = np_load(root, &c, err);
	for (size_t k = 0; r >= 0 && k < c.n_files; k++) {
		yaml_document_t *d = c.files[k].doc;
		yaml_node_t *net, *eth;

		if (!d || !(net = map_get(d, yaml_document_get_root_node(d), "network")) ||
		    !node_is(eth = map_get(d, net, "ethernets"), YAML_MAPPING_NODE))
			continue;
		for (yaml_node_pair_t *p = eth->data.mapping.pairs.start; r >= 0 && p < eth->data.mapping.pairs.top; p++) {
			yaml_node_t *def = yaml_document_get_node(d, p->value);
			yaml_node_t *match = node_is(def, YAML_MAPPING_NODE) ? map_get(d, def, "match") : NULL;

			if (!match)
				r = nc_names_add(names, scalar(yaml_document_get_node(d, p->key)));
			else
				r = nc_names_add(names, scalar(map_get(d, match, "name")) ?:
						 scalar(map_get(d, def, "set-name")));
		}
	}
	np_config_done(&c);
	return r;
}

const struct nc_backend nc_backend_netplan = {
	.name = NETCFG_NETPLAN,
	.read = netplan_read,
	.state_free = np_state_free,
	.plan = netplan_plan,
	.names = netplan_names,
};
