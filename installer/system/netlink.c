// SPDX-License-Identifier: GPL-2.0-or-later
/* Live link facts from rtnetlink through libmnl: addresses, permanent MACs, default route. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "system/nic.h"
#include "system/rtnl.h"

static inline void mnl_socket_closep(struct mnl_socket **s)
{
	if (*s)
		mnl_socket_close(*s);
}
#define _cleanup_mnl_ _cleanup_(mnl_socket_closep)

/* Sends the request in buf and feeds every reply to cb until the dump (or ack) ends. */
int rtnl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	_cleanup_mnl_ struct mnl_socket *nl = NULL;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned portid, seq;
	ssize_t n;
	int r;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return negative_errno();
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return negative_errno();
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned)time(NULL);
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return negative_errno();
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return negative_errno();
		r = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (r < 0)
			return negative_errno();
		if (r == MNL_CB_STOP)
			return 0;
	}
}

struct addr_query {
	int ifindex;
	char **list;
	int error;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_query *q = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	const void *address = NULL, *local = NULL;
	char text[INET6_ADDRSTRLEN], *entry;

	if ((int)ifa->ifa_index != q->ifindex ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		size_t want = ifa->ifa_family == AF_INET ? 4 : 16;

		if (mnl_attr_get_payload_len(attr) != want)
			continue;
		if (mnl_attr_get_type(attr) == IFA_ADDRESS)
			address = mnl_attr_get_payload(attr);
		else if (mnl_attr_get_type(attr) == IFA_LOCAL)
			local = mnl_attr_get_payload(attr);
	}
	/* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours. */
	if (local)
		address = local;
	if (!address || !inet_ntop(ifa->ifa_family, address, text, sizeof(text)))
		return MNL_CB_OK;
	if (asprintf(&entry, "%s/%u", text, ifa->ifa_prefixlen) < 0 ||
	    strv_consume(&q->list, entry) < 0) {
		q->error = -ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* IPv4 before IPv6, then by text. */
static int compare_addrs(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	bool x6 = strchr(x, ':'), y6 = strchr(y, ':');

	if (x6 != y6)
		return x6 ? 1 : -1;
	return strcmp(x, y);
}

int nic_addresses_live(int ifindex, char ***ret)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	struct addr_query q = { .ifindex = ifindex };
	int r;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	r = rtnl_talk(nlh, addr_cb, &q);
	if (r < 0 || q.error < 0) {
		strv_free(q.list);
		return q.error < 0 ? q.error : r;
	}
	if (!q.list) {
		q.list = calloc(1, sizeof(char *));
		if (!q.list)
			return -ENOMEM;
	}
	qsort(q.list, strv_length(q.list), sizeof(char *), compare_addrs);
	*ret = q.list;
	return 0;
}

struct link_query {
	int ifindex;
	char *perm;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_query *q = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	if (ifi->ifi_index != q->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifi)) {
		const unsigned char *a;
		uint16_t len;

		if (mnl_attr_get_type(attr) != IFLA_PERM_ADDRESS)
			continue;
		len = mnl_attr_get_payload_len(attr);
		a = mnl_attr_get_payload(attr);
		if (len == 0 || len > 32 || q->perm)
			continue;
		q->perm = malloc((size_t)len * 3);
		if (!q->perm)
			return MNL_CB_ERROR;
		for (uint16_t i = 0; i < len; i++)
			sprintf(q->perm + i * 3, "%02x%s", a[i], i + 1 < len ? ":" : "");
	}
	return MNL_CB_OK;
}

int nic_permanent_mac_live(int ifindex, char **ret)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct link_query q = { .ifindex = ifindex };
	int r;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK; /* one reply, then the ack ends it */
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	r = rtnl_talk(nlh, link_cb, &q);
	if (r < 0) {
		free(q.perm);
		return r;
	}
	/* An all-zero permanent address means the device has none. */
	if (q.perm && strspn(q.perm, "0:") == strlen(q.perm))
		q.perm = (free(q.perm), NULL);
	*ret = q.perm;
	return 0;
}

struct route_query {
	int family;
	int oif;
	uint32_t metric;
	bool found;
	unsigned char gw[16];
	bool has_gw;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_query *q = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	uint32_t table = rtm->rtm_table, metric = 0;
	int oif = 0;
	const void *gw = NULL;
	size_t alen = rtm->rtm_family == AF_INET ? 4 : 16;

	if (rtm->rtm_family != q->family || rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(attr)) {
		case RTA_TABLE:
			if (mnl_attr_get_payload_len(attr) == 4)
				table = mnl_attr_get_u32(attr);
			break;
		case RTA_OIF:
			if (mnl_attr_get_payload_len(attr) == 4)
				oif = (int)mnl_attr_get_u32(attr);
			break;
		case RTA_PRIORITY:
			if (mnl_attr_get_payload_len(attr) == 4)
				metric = mnl_attr_get_u32(attr);
			break;
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(attr) == alen)
				gw = mnl_attr_get_payload(attr);
			break;
		}
	}
	if (table != RT_TABLE_MAIN || oif <= 0)
		return MNL_CB_OK;
	if (q->found && metric >= q->metric)
		return MNL_CB_OK;
	q->found = true;
	q->oif = oif;
	q->metric = metric;
	q->has_gw = gw != NULL;
	if (gw)
		memcpy(q->gw, gw, alen);
	return MNL_CB_OK;
}

int default_route_detect(struct default_route *ret)
{
	static const int families[] = { AF_INET, AF_INET6 };

	for (size_t i = 0; i < ELEMENTSOF(families); i++) {
		char buf[MNL_SOCKET_BUFFER_SIZE], name[IF_NAMESIZE], text[INET6_ADDRSTRLEN];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct route_query q = { .family = families[i] };
		struct rtmsg *rtm;
		struct default_route d = { .family = families[i] };
		int r;

		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = (unsigned char)families[i];
		r = rtnl_talk(nlh, route_cb, &q);
		if (r < 0)
			return r;
		if (!q.found || !if_indextoname((unsigned)q.oif, name))
			continue;
		d.interface = strdup(name);
		if (!d.interface)
			return -ENOMEM;
		if (q.has_gw && inet_ntop(families[i], q.gw, text, sizeof(text))) {
			d.gateway = strdup(text);
			if (!d.gateway) {
				free(d.interface);
				return -ENOMEM;
			}
		}
		*ret = d;
		return 0;
	}
	memset(ret, 0, sizeof(*ret));
	return 0;
}

void default_route_done(struct default_route *r)
{
	if (!r)
		return;
	free(r->interface);
	free(r->gateway);
	memset(r, 0, sizeof(*r));
}
