// SPDX-License-Identifier: GPL-2.0-or-later
/* The neutral interface model: builders that validate, and a stable text form. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/model.h"

struct netcfg_iface *netcfg_iface_new(void)
{
	struct netcfg_iface *i = calloc(1, sizeof(*i));

	if (!i)
		return NULL;
	i->dhcp4 = i->dhcp6 = i->ipv6_autoconf = NETCFG_UNSET;
	return i;
}

void netcfg_iface_free(struct netcfg_iface *i)
{
	if (!i)
		return;
	free(i->name);
	free(i->match_mac);
	free(i->match_driver);
	free(i->id);
	for (size_t k = 0; k < i->n_addrs; k++)
		free(i->addrs[k].address);
	free(i->addrs);
	free(i->gateway4);
	free(i->gateway6);
	for (size_t k = 0; k < i->n_routes; k++) {
		free(i->routes[k].destination);
		free(i->routes[k].gateway);
	}
	free(i->routes);
	strv_free(i->dns);
	strv_free(i->search);
	free(i->vlan_parent);
	free(i->master);
	for (size_t k = 0; k < i->n_vlans; k++)
		netcfg_iface_free(i->vlans[k]);
	free(i->vlans);
	for (size_t k = 0; k < i->n_unsupported; k++) {
		free(i->unsupported[k].what);
		free(i->unsupported[k].file);
	}
	free(i->unsupported);
	strv_free(i->files);
	free(i);
}

int netcfg_parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s) || strlen(s) > 10)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int netcfg_parse_ip(const char *s, int *ret_family, char **ret_canonical)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char text[INET6_ADDRSTRLEN];
	int family;
	char *c;

	if (!s || strlen(s) >= INET6_ADDRSTRLEN)
		return -EINVAL;
	if (inet_pton(AF_INET, s, buf) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, s, buf) == 1)
		family = AF_INET6;
	else
		return -EINVAL;
	if (!inet_ntop(family, buf, text, sizeof(text)))
		return -EINVAL;
	c = strdup(text);
	if (!c)
		return -ENOMEM;
	if (ret_family)
		*ret_family = family;
	*ret_canonical = c;
	return 0;
}

int netcfg_parse_prefix(const char *s, int family, unsigned *ret)
{
	struct in_addr a;
	uint32_t m;
	unsigned n = 0;

	if (!s)
		return -EINVAL;
	if (family == AF_INET && strchr(s, '.')) {
		if (inet_pton(AF_INET, s, &a) != 1)
			return -EINVAL;
		m = ntohl(a.s_addr);
		while (m & 0x80000000u) {
			n++;
			m <<= 1;
		}
		if (m != 0)
			return -EINVAL; /* not contiguous */
		*ret = n;
		return 0;
	}
	return netcfg_parse_uint(s, 0, family == AF_INET ? 32 : 128, ret);
}

int netcfg_parse_mac(const char *s, char **ret)
{
	unsigned b[6];
	char end;
	char *c;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (int k = 0; k < 17; k++)
		if ((k % 3 == 2) ? s[k] != ':' && s[k] != '-' : !isxdigit((unsigned char)s[k]))
			return -EINVAL;
	if (sscanf(s, "%2x%*c%2x%*c%2x%*c%2x%*c%2x%*c%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &end) != 6)
		return -EINVAL;
	if (asprintf(&c, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]) < 0)
		return -ENOMEM;
	*ret = c;
	return 0;
}

/* Splits "addr/prefix"; prefix may be absent (then default_prefix, 0 = required). */
static int parse_cidr(const char *cidr, unsigned default_prefix, int *ret_family, char **ret_addr,
		      unsigned *ret_prefix)
{
	_cleanup_free_ char *a = NULL, *canon = NULL;
	const char *slash = strchr(cidr, '/');
	unsigned prefix = default_prefix;
	int family, r;

	a = slash ? strndup(cidr, (size_t)(slash - cidr)) : strdup(cidr);
	if (!a)
		return -ENOMEM;
	r = netcfg_parse_ip(a, &family, &canon);
	if (r < 0)
		return r;
	if (slash) {
		r = netcfg_parse_prefix(slash + 1, family, &prefix);
		if (r < 0)
			return r;
	} else if (default_prefix == 0)
		return -EINVAL;
	if (family == AF_INET && prefix > 32)
		return -EINVAL;
	*ret_family = family;
	*ret_addr = TAKE_PTR(canon);
	*ret_prefix = prefix;
	return 0;
}

int netcfg_iface_add_addr(struct netcfg_iface *i, const char *cidr, unsigned default_prefix)
{
	struct netcfg_addr *n;
	char *addr;
	unsigned prefix;
	int family, r;

	r = parse_cidr(cidr, default_prefix, &family, &addr, &prefix);
	if (r < 0)
		return r;
	n = realloc(i->addrs, sizeof(*n) * (i->n_addrs + 1));
	if (!n) {
		free(addr);
		return -ENOMEM;
	}
	i->addrs = n;
	n[i->n_addrs++] = (struct netcfg_addr){ .family = family, .address = addr, .prefix = prefix };
	return 0;
}

int netcfg_iface_set_gateway(struct netcfg_iface *i, const char *gw)
{
	char *c;
	int family, r;

	r = netcfg_parse_ip(gw, &family, &c);
	if (r < 0)
		return r;
	if (family == AF_INET) {
		free(i->gateway4);
		i->gateway4 = c;
	} else {
		free(i->gateway6);
		i->gateway6 = c;
	}
	return 0;
}

int netcfg_parse_table(const char *s, unsigned *ret)
{
	static const struct {
		const char *name;
		unsigned id;
	} named[] = { { "main", 0 }, { "local", 255 }, { "default", 253 } };
	unsigned id;

	for (size_t k = 0; k < ELEMENTSOF(named); k++)
		if (streq(s, named[k].name)) {
			*ret = named[k].id;
			return 0;
		}
	if (netcfg_parse_uint(s, 1, UINT32_MAX, &id) < 0)
		return -EINVAL;
	*ret = id == 254 ? 0 : id;
	return 0;
}

int netcfg_iface_add_route(struct netcfg_iface *i, const char *dest, const char *gw, int metric)
{
	return netcfg_iface_add_route_in(i, dest, gw, metric, 0, false);
}

int netcfg_iface_add_route_in(struct netcfg_iface *i, const char *dest, const char *gw, int metric,
			      unsigned table, bool onlink)
{
	_cleanup_free_ char *d = NULL, *g = NULL;
	struct netcfg_route *n;
	unsigned prefix = 0;
	int family = 0, gfamily = 0, r;

	if (gw) {
		r = netcfg_parse_ip(gw, &gfamily, &g);
		if (r < 0)
			return r;
	}
	if (streq(dest, "default") || streq(dest, "default6")) {
		family = gw ? gfamily : streq(dest, "default6") ? AF_INET6 : AF_INET;
		d = strdup(family == AF_INET ? "0.0.0.0" : "::");
		if (!d)
			return -ENOMEM;
	} else {
		if (strchr(dest, '/'))
			r = parse_cidr(dest, 0, &family, &d, &prefix);
		else {
			r = netcfg_parse_ip(dest, &family, &d);
			prefix = family == AF_INET ? 32 : 128;
		}
		if (r < 0)
			return r;
	}
	if (gw && gfamily != family)
		return -EINVAL;
	n = realloc(i->routes, sizeof(*n) * (i->n_routes + 1));
	if (!n)
		return -ENOMEM;
	i->routes = n;
	n[i->n_routes++] = (struct netcfg_route){ .family = family, .destination = TAKE_PTR(d),
						  .prefix = prefix, .gateway = TAKE_PTR(g),
						  .metric = metric, .table = table, .onlink = onlink };
	return 0;
}

int netcfg_iface_add_dns(struct netcfg_iface *i, const char *server)
{
	_cleanup_free_ char *c = NULL;
	int r;

	r = netcfg_parse_ip(server, NULL, &c);
	if (r < 0)
		return r;
	if (strv_contains(i->dns, c))
		return 0;
	r = strv_consume(&i->dns, c);
	if (r == 0)
		c = NULL;
	return r;
}

int netcfg_iface_add_search(struct netcfg_iface *i, const char *domain)
{
	size_t n = strlen(domain);

	if (n == 0 || n > 253)
		return -EINVAL;
	for (const char *p = domain; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._", *p))
			return -EINVAL;
	if (strv_contains(i->search, domain))
		return 0;
	return strv_push(&i->search, domain);
}

int netcfg_iface_add_unsupported(struct netcfg_iface *i, const char *file, unsigned line,
				 const char *fmt, ...)
{
	struct netcfg_unsupported *n;
	char *what, *f;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	f = strdup(file ? file : "");
	n = f ? realloc(i->unsupported, sizeof(*n) * (i->n_unsupported + 1)) : NULL;
	if (!n) {
		free(what);
		free(f);
		return -ENOMEM;
	}
	i->unsupported = n;
	n[i->n_unsupported++] = (struct netcfg_unsupported){ .what = what, .file = f, .line = line };
	return 0;
}

int netcfg_iface_add_vlan(struct netcfg_iface *i, struct netcfg_iface *vlan)
{
	struct netcfg_iface **n = realloc(i->vlans, sizeof(*n) * (i->n_vlans + 1));

	if (!n)
		return -ENOMEM;
	i->vlans = n;
	n[i->n_vlans++] = vlan;
	return 0;
}

int netcfg_iface_add_file(struct netcfg_iface *i, const char *file)
{
	int r;

	if (strv_contains(i->files, file))
		return 0;
	r = strv_push(&i->files, file);
	if (r < 0)
		return r;
	return strv_sort(i->files);
}

static const char *tristate(enum netcfg_tristate t)
{
	return t == NETCFG_YES ? "yes" : t == NETCFG_NO ? "no" : "unset";
}

static void iface_text(FILE *f, const struct netcfg_iface *i, const char *indent)
{
	fprintf(f, "%sname %s\n", indent, i->name ? i->name : "-");
	if (i->match_mac)
		fprintf(f, "%smatch-mac %s\n", indent, i->match_mac);
	if (i->match_driver)
		fprintf(f, "%smatch-driver %s\n", indent, i->match_driver);
	if (i->vlan_id)
		fprintf(f, "%svlan %u on %s\n", indent, i->vlan_id, i->vlan_parent ? i->vlan_parent : "-");
	fprintf(f, "%sstart-at-boot %s\n", indent, i->start_at_boot ? "yes" : "no");
	fprintf(f, "%sdhcp4 %s\n%sdhcp6 %s\n%sipv6-autoconf %s\n", indent, tristate(i->dhcp4), indent,
		tristate(i->dhcp6), indent, tristate(i->ipv6_autoconf));
	for (size_t k = 0; k < i->n_addrs; k++)
		fprintf(f, "%saddress %s/%u\n", indent, i->addrs[k].address, i->addrs[k].prefix);
	if (i->gateway4)
		fprintf(f, "%sgateway4 %s\n", indent, i->gateway4);
	if (i->gateway6)
		fprintf(f, "%sgateway6 %s\n", indent, i->gateway6);
	for (size_t k = 0; k < i->n_routes; k++) {
		const struct netcfg_route *rt = &i->routes[k];

		fprintf(f, "%sroute %s/%u via %s metric %d", indent, rt->destination, rt->prefix,
			rt->gateway ? rt->gateway : "-", rt->metric);
		if (rt->table)
			fprintf(f, " table %u", rt->table);
		fprintf(f, "%s\n", rt->onlink ? " onlink" : "");
	}
	for (char **s = i->dns; s && *s; s++)
		fprintf(f, "%sdns %s\n", indent, *s);
	for (char **s = i->search; s && *s; s++)
		fprintf(f, "%ssearch %s\n", indent, *s);
	if (i->mtu)
		fprintf(f, "%smtu %u\n", indent, i->mtu);
	if (i->master)
		fprintf(f, "%sport of %s %s\n", indent, i->master_kind, i->master);
	for (size_t k = 0; k < i->n_unsupported; k++)
		fprintf(f, "%sunsupported %s:%u: %s\n", indent, i->unsupported[k].file,
			i->unsupported[k].line, i->unsupported[k].what);
	for (size_t k = 0; k < i->n_vlans; k++) {
		_cleanup_free_ char *sub = NULL;

		if (asprintf(&sub, "%s  ", indent) < 0)
			return;
		fprintf(f, "%svlan-interface\n", indent);
		iface_text(f, i->vlans[k], sub);
	}
}

int netcfg_iface_to_text(const struct netcfg_iface *i, char **ret)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return -ENOMEM;
	iface_text(f, i, "");
	for (char **s = i->files; s && *s; s++)
		fprintf(f, "file %s\n", *s);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}
