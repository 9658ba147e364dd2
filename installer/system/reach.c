// SPDX-License-Identifier: GPL-2.0-or-later
/* The pure part of system/reach.h: parsing a target, the decision, the descriptions. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "system/reach.h"

static int parse_addr(const char *s, size_t len, struct reach_target *t)
{
	char buf[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (inet_pton(AF_INET, buf, t->addr) == 1)
		t->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, t->addr) == 1)
		t->family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

static int parse_port(const char *s, uint16_t *ret)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

int reach_target_parse(const char *s, enum reach_role role, bool tcp, struct reach_target *ret)
{
	struct reach_target t = { .role = role };
	const char *colon;

	if (!s)
		return -EINVAL;
	if (!tcp) {
		if (parse_addr(s, strlen(s), &t) < 0)
			return -EINVAL;
	} else if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || parse_addr(s + 1, (size_t)(close - s - 1), &t) < 0 ||
		    t.family != AF_INET6 || parse_port(close + 2, &t.port) < 0)
			return -EINVAL;
	} else {
		colon = strrchr(s, ':');
		if (!colon || parse_addr(s, (size_t)(colon - s), &t) < 0 || t.family != AF_INET ||
		    parse_port(colon + 1, &t.port) < 0)
			return -EINVAL;
	}
	*ret = t;
	return 0;
}

int reach_decide(struct reach_target *t)
{
	t->need = t->port ? t->seen & REACH_TCP : t->seen & (REACH_SAME_MAC | REACH_ECHO);
	if (t->need)
		return 0;
	return t->role == REACH_SESSION ? -ENODATA : -EHOSTUNREACH;
}

const char *reach_addr_str(const struct reach_target *t, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(t->family, t->addr, a, sizeof(a));
	if (!t->port)
		snprintf(buf, size, "%s", a);
	else
		snprintf(buf, size, t->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, t->port);
	return buf;
}

int reach_need_describe(const struct reach_target *t, unsigned need, char **ret)
{
	char mac[3 * ETH_ALEN] = "", arp[64] = "";
	const char *parts[3];
	size_t n = 0;

	if (need & REACH_SAME_MAC) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", t->mac[0], t->mac[1],
			 t->mac[2], t->mac[3], t->mac[4], t->mac[5]);
		snprintf(arp, sizeof(arp), "%s from %s", t->family == AF_INET ? "ARP" :
			 "neighbour discovery", mac);
		parts[n++] = arp;
	}
	if (need & REACH_ECHO)
		parts[n++] = t->family == AF_INET ? "ICMP echo" : "ICMPv6 echo";
	if (need & REACH_TCP)
		parts[n++] = "TCP connection";
	if (n == 0)
		parts[n++] = "nothing";
	if (asprintf(ret, "%s%s%s%s%s", parts[0], n > 1 ? (n > 2 ? ", " : " and ") : "",
		     n > 1 ? parts[1] : "", n > 2 ? " and " : "", n > 2 ? parts[2] : "") < 0)
		return -ENOMEM;
	return 0;
}

static const char *const role_words[] = { [REACH_GATEWAY] = "gateway", [REACH_PEER] = "peer",
					  [REACH_SESSION] = "session" };

int reach_target_format(const struct reach_target *t, char **ret)
{
	char addr[64], need[16];

	snprintf(need, sizeof(need), "%s%s%s", t->need & REACH_SAME_MAC ? ",arp" : "",
		 t->need & REACH_ECHO ? ",echo" : "", t->need & REACH_TCP ? ",tcp" : "");
	if (!need[0])
		return -EINVAL;
	if (asprintf(ret, "%s %s %s %02x:%02x:%02x:%02x:%02x:%02x", role_words[t->role],
		     reach_addr_str(t, addr, sizeof(addr)), need + 1, t->mac[0], t->mac[1],
		     t->mac[2], t->mac[3], t->mac[4], t->mac[5]) < 0)
		return -ENOMEM;
	return 0;
}

static int parse_need(const char *s, size_t len, unsigned *ret)
{
	unsigned need = 0;

	while (len) {
		size_t w = strcspn(s, ",");

		w = w < len ? w : len;
		if (w == 3 && !strncmp(s, "arp", 3))
			need |= REACH_SAME_MAC;
		else if (w == 4 && !strncmp(s, "echo", 4))
			need |= REACH_ECHO;
		else if (w == 3 && !strncmp(s, "tcp", 3))
			need |= REACH_TCP;
		else
			return -EINVAL;
		s += w;
		len -= w;
		if (len) {
			s++;
			len--;
		}
	}
	*ret = need;
	return need ? 0 : -EINVAL;
}

int reach_target_from_string(const char *s, struct reach_target *ret)
{
	char addr[64];
	const char *f[4];
	size_t len[4], i;
	unsigned m[ETH_ALEN];
	struct reach_target t;
	int role = -1;

	for (i = 0; i < 4; i++) {
		s += strspn(s, " ");
		f[i] = s;
		len[i] = strcspn(s, " ");
		if (!len[i])
			return -EINVAL;
		s += len[i];
	}
	if (s[strspn(s, " ")])
		return -EINVAL;
	for (i = 0; i < ELEMENTSOF(role_words); i++)
		if (len[0] == strlen(role_words[i]) && !strncmp(f[0], role_words[i], len[0]))
			role = (int)i;
	if (role < 0 || len[1] >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, f[1], len[1]);
	addr[len[1]] = 0;
	if (parse_need(f[2], len[2], &t.need) < 0)
		return -EINVAL;
	{
		unsigned need = t.need;

		if (reach_target_parse(addr, (enum reach_role)role, need & REACH_TCP, &t) < 0)
			return -EINVAL;
		t.need = need;
	}
	if (len[3] != 17 || sscanf(f[3], "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3],
				   &m[4], &m[5]) != 6)
		return -EINVAL;
	for (i = 0; i < ETH_ALEN; i++)
		t.mac[i] = (unsigned char)m[i];
	t.seen = t.need;
	*ret = t;
	return 0;
}
