// SPDX-License-Identifier: GPL-2.0-or-later
/* The addresses and routes that run on an interface, and what one lacks of another (verify.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/macro.h"
#include "lib/strv.h"
#include "system/rtnl.h"
#include "system/verify.h"

struct query {
	int ifindex;
	char **facts;
	int error;
};

static int add_fact(struct query *q, char *fact)
{
	if (!fact || strv_consume(&q->facts, fact) < 0) {
		free(fact);
		q->error = -ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct query *q = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const void *address = NULL, *local = NULL;
	const struct nlattr *attr;
	unsigned flags = ifa->ifa_flags;
	char text[INET6_ADDRSTRLEN], *fact;

	if ((int)ifa->ifa_index != q->ifindex || ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(attr) == IFA_FLAGS && mnl_attr_get_payload_len(attr) == 4)
			flags = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_payload_len(attr) != (ifa->ifa_family == AF_INET ? 4u : 16u))
			continue;
		else if (mnl_attr_get_type(attr) == IFA_ADDRESS)
			address = mnl_attr_get_payload(attr);
		else if (mnl_attr_get_type(attr) == IFA_LOCAL)
			local = mnl_attr_get_payload(attr);
	}
	/* Leased addresses (DHCP, SLAAC, DHCPv6) have lifetimes: they follow the MAC or the lease;
	 * the kernel marks those without one permanent, IPv4 and IPv6 alike. */
	if (!(flags & IFA_F_PERMANENT))
		return MNL_CB_OK;
	address = local ?: address;
	if (!address || !inet_ntop(ifa->ifa_family, address, text, sizeof(text)))
		return MNL_CB_OK;
	if (asprintf(&fact, "address %s/%u", text, ifa->ifa_prefixlen) < 0)
		fact = NULL;
	return add_fact(q, fact);
}

/* "route DEST/LEN[ via GW][ table N]" ("" when it cannot be printed). */
static char *route_text(const struct rtmsg *rt, const void *dst, const void *gw, unsigned table)
{
	static const unsigned char zero[16];
	char d[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN] = "", t[32] = "", *fact;
	int family = rt->rtm_family;

	if (!inet_ntop(family, rt->rtm_dst_len && dst ? dst : zero, d, sizeof(d)) ||
	    (gw && !inet_ntop(family, gw, g, sizeof(g))))
		return strdup("");
	if (table != RT_TABLE_MAIN)
		snprintf(t, sizeof(t), " table %u", table);
	if (asprintf(&fact, "route %s/%u%s%s%s", d, rt->rtm_dst_len, *g ? " via " : "", g, t) < 0)
		return NULL;
	return fact;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct query *q = data;
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	const void *dst = NULL, *gw = NULL;
	const struct nlattr *attr;
	unsigned table = rt->rtm_table;
	int oif = 0;

	if ((rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6) || rt->rtm_type != RTN_UNICAST ||
	    rt->rtm_protocol == RTPROT_KERNEL || rt->rtm_protocol == RTPROT_RA)
		return MNL_CB_OK; /* the kernel's prefix routes; a router's, which follow its adverts */
	mnl_attr_for_each(attr, nlh, sizeof(*rt)) {
		switch (mnl_attr_get_type(attr)) {
		case RTA_OIF: oif = (int)mnl_attr_get_u32(attr); break;
		case RTA_DST: dst = mnl_attr_get_payload(attr); break;
		case RTA_GATEWAY: gw = mnl_attr_get_payload(attr); break;
		case RTA_TABLE: table = mnl_attr_get_u32(attr); break;
		}
	}
	if (oif != q->ifindex || table == RT_TABLE_LOCAL)
		return MNL_CB_OK;
	/* IPv6's multicast and link-local routes are the kernel's (some with proto boot). */
	if (rt->rtm_family == AF_INET6 && dst && rt->rtm_dst_len &&
	    (((const unsigned char *)dst)[0] == 0xff ||
	     (((const unsigned char *)dst)[0] == 0xfe && (((const unsigned char *)dst)[1] & 0xc0) == 0x80)))
		return MNL_CB_OK;
	return add_fact(q, route_text(rt, dst, gw, table));
}

static int dump(int type, size_t hdr, mnl_cb_t cb, struct query *q)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned char *family;
	int r;

	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	family = mnl_nlmsg_put_extra_header(nlh, hdr);
	*family = AF_UNSPEC; /* the first byte of ifaddrmsg and rtmsg alike */
	r = rtnl_talk(nlh, cb, q);
	return q->error < 0 ? q->error : r;
}

int net_state_read(int ifindex, struct net_state *ret)
{
	char name[IF_NAMESIZE];
	struct query q = { .ifindex = ifindex };
	int r;

	if (!if_indextoname((unsigned)ifindex, name))
		return -ENODEV;
	r = dump(RTM_GETADDR, sizeof(struct ifaddrmsg), addr_cb, &q);
	if (r >= 0)
		r = dump(RTM_GETROUTE, sizeof(struct rtmsg), route_cb, &q);
	if (r >= 0 && !q.facts && !(q.facts = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	if (r < 0) {
		strv_free(q.facts);
		return r;
	}
	/* "" marks a route we could not print: not a fact */
	for (size_t k = 0, n = strv_length(q.facts); k < n; k++)
		if (!*q.facts[k]) {
			free(q.facts[k]);
			memmove(q.facts + k, q.facts + k + 1, sizeof(char *) * (n - k));
			k--, n--;
		}
	strv_sort(q.facts);
	*ret = (struct net_state){ .facts = q.facts };
	return 0;
}

void net_state_done(struct net_state *s)
{
	if (!s)
		return;
	strv_free(s->facts);
	s->facts = NULL;
}

int net_state_missing(const struct net_state *before, const struct net_state *after, char ***ret)
{
	_cleanup_strv_free_ char **missing = NULL;

	for (char **f = before->facts; f && *f; f++)
		if (!strv_contains(after->facts, *f) && !strv_contains(missing, *f) && strv_push(&missing, *f) < 0)
			return -ENOMEM;
	if (!missing && !(missing = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(missing);
	return 0;
}

int net_state_wait_for(const struct net_state *before, int ifindex, unsigned timeout_ms,
		       char ***ret)
{
	uint64_t end = now_ms() + timeout_ms;
	char **missing = NULL;
	int r;

	for (;;) {
		struct net_state after = {};

		r = net_state_read(ifindex, &after);
		if (r >= 0) {
			strv_free(missing);
			missing = NULL;
			r = net_state_missing(before, &after, &missing);
		}
		net_state_done(&after);
		if (r < 0) {
			strv_free(missing);
			return r;
		}
		if (!*missing || now_ms() >= end)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000000L }, NULL);
	}
	*ret = missing;
	return 0;
}

int net_fact_argv(const char *fact, const char *ifname, char ***ret)
{
	_cleanup_strv_free_ char **words = NULL, **argv = NULL;
	size_t n;
	int r;

	r = strv_split(fact, " ", &words);
	if (r < 0)
		return r;
	n = strv_length(words);
	if (n == 2 && streq(words[0], "address"))
		r = strv_extend(&argv, (const char *const[]){ "ip", "address", "add", words[1], "dev",
							      ifname, NULL });
	else if (n >= 2 && streq(words[0], "route") && (n == 2 || n == 4 || n == 6)) {
		r = strv_extend(&argv, (const char *const[]){ "ip", "route", "add", words[1], NULL });
		for (size_t i = 2; r >= 0 && i + 1 < n; i += 2)
			r = streq(words[i], "via") || streq(words[i], "table") ?
				    strv_extend(&argv, (const char *const[]){ words[i], words[i + 1], NULL }) :
				    -EINVAL;
		if (r >= 0)
			r = strv_extend(&argv, (const char *const[]){ "dev", ifname, NULL });
	} else
		r = -EINVAL;
	if (r < 0)
		return r;
	*ret = TAKE_PTR(argv);
	return 0;
}
