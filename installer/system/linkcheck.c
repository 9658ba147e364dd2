// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/macro.h"
#include "system/linkcheck.h"
#include "system/probe.h"
#include "system/reach.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h; clashes with net/if.h */
#endif

static inline void mnl_closep(struct mnl_socket **s)
{
	if (*s)
		mnl_socket_close(*s);
}

int linkcheck_parse(const char *s, enum linkcheck_kind *ret_kind, const char **ret_target)
{
	if (streq(s, "carrier"))
		*ret_kind = LINKCHECK_CARRIER;
	else if (streq(s, "address"))
		*ret_kind = LINKCHECK_ADDRESS;
	else if (streq(s, "gateway"))
		*ret_kind = LINKCHECK_GATEWAY;
	else if (s && strncmp(s, "ping:", 5) == 0 && s[5]) {
		*ret_kind = LINKCHECK_PING;
		if (ret_target)
			*ret_target = s + 5;
		return 0;
	} else
		return -EINVAL;
	if (ret_target)
		*ret_target = NULL;
	return 0;
}

const char *linkcheck_kind_to_string(enum linkcheck_kind k)
{
	switch (k) {
	case LINKCHECK_CARRIER:
		return "carrier";
	case LINKCHECK_ADDRESS:
		return "address";
	case LINKCHECK_GATEWAY:
		return "gateway";
	case LINKCHECK_PING:
		return "ping";
	}
	return "unknown";
}

struct watch {
	int ifindex;
	int want_family;            /* of spec->address, or 0 */
	unsigned char want[16];     /* spec->address, binary */
	bool up;                    /* IFF_UP and IFF_LOWER_UP */
	unsigned char mac[ETH_ALEN];
	bool have_mac;
	bool have_addr;
	int addr_family;
	unsigned char addr[16];
};

static int link_cb(const struct nlmsghdr *nlh, struct watch *w)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (ifi->ifi_index != w->ifindex)
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		w->up = false;
		return MNL_CB_OK;
	}
	w->up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(a) == IFLA_ADDRESS &&
		    mnl_attr_get_payload_len(a) == ETH_ALEN) {
			memcpy(w->mac, mnl_attr_get_payload(a), ETH_ALEN);
			w->have_mac = true;
		}
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, struct watch *w)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	const void *local = NULL, *address = NULL, *bin;
	uint32_t flags = ifa->ifa_flags;
	size_t len = ifa->ifa_family == AF_INET ? 4 : 16;

	if ((int)ifa->ifa_index != w->ifindex || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_payload_len(a) < len && mnl_attr_get_type(a) != IFA_FLAGS)
			continue;
		switch (mnl_attr_get_type(a)) {
		case IFA_LOCAL:
			local = mnl_attr_get_payload(a);
			break;
		case IFA_ADDRESS:
			address = mnl_attr_get_payload(a);
			break;
		case IFA_FLAGS:
			if (mnl_attr_get_payload_len(a) >= 4)
				flags = mnl_attr_get_u32(a);
			break;
		}
	}
	bin = local ? local : address;
	if (!bin)
		return MNL_CB_OK;
	if (w->want_family) {
		if (ifa->ifa_family != w->want_family || memcmp(bin, w->want, len) != 0)
			return MNL_CB_OK;
	} else if (ifa->ifa_scope != RT_SCOPE_UNIVERSE) {
		return MNL_CB_OK; /* link-local addresses do not count as a lease */
	}
	if (nlh->nlmsg_type == RTM_DELADDR) {
		if (w->have_addr && w->addr_family == ifa->ifa_family && !memcmp(w->addr, bin, len))
			w->have_addr = false;
		return MNL_CB_OK;
	}
	if (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return MNL_CB_OK;
	/* Prefer IPv4 (needed for ARP); keep the first one found otherwise. */
	if (w->have_addr && !(w->addr_family == AF_INET6 && ifa->ifa_family == AF_INET))
		return MNL_CB_OK;
	w->have_addr = true;
	w->addr_family = ifa->ifa_family;
	memcpy(w->addr, bin, len);
	return MNL_CB_OK;
}

static int rtnl_cb(const struct nlmsghdr *nlh, void *data)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return link_cb(nlh, data);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return addr_cb(nlh, data);
	}
	return MNL_CB_OK;
}

/* Reads what is waiting on the socket (events and dump replies alike). Returns 1 when a dump
 * ended, 0 otherwise, or -errno. */
static int rtnl_read(struct mnl_socket *nl, struct watch *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	int r;

	if (n < 0)
		return errno == ENOBUFS ? 0 : negative_errno(); /* overrun: the next dump catches up */
	r = mnl_cb_run(buf, (size_t)n, 0, 0, rtnl_cb, w);
	if (r < 0)
		return negative_errno();
	return r == MNL_CB_STOP ? 1 : 0;
}

static int rtnl_dump(struct mnl_socket *nl, struct watch *w, uint16_t type, unsigned seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	int r;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return negative_errno();
	while ((r = rtnl_read(nl, w)) == 0)
		;
	return r < 0 ? r : 0;
}

/* Waits on the netlink socket until done(w) or the deadline. */
static int rtnl_wait(struct mnl_socket *nl, struct watch *w, bool (*done)(const struct watch *),
		     uint64_t deadline)
{
	while (!done(w)) {
		struct pollfd p = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
		uint64_t t = now_ms();
		int r;

		if (t >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(deadline - t));
		if (r < 0 && errno != EINTR)
			return negative_errno();
		if (r > 0 && (r = rtnl_read(nl, w)) < 0)
			return r;
	}
	return 0;
}

static bool carrier_done(const struct watch *w)
{
	return w->up;
}

static bool address_done(const struct watch *w)
{
	return w->up && w->have_addr;
}

/* ping:ADDR: ADDR answers an echo through the interface, nothing else asked. */
static int ping_reach(const struct watch *w, const char *ifname, int family, const void *target,
		      uint64_t deadline)
{
	struct reach_iface ifc = { .name = ifname, .ifindex = w->ifindex };
	struct reach_target t = { .role = REACH_PEER, .family = family, .need = REACH_ECHO };

	memcpy(t.addr, target, family == AF_INET ? 4 : 16);
	return reach_prove(&ifc, &t, 1, false, deadline, NULL);
}

static void iface_of(const struct watch *w, const char *ifname, struct reach_iface *ret)
{
	*ret = (struct reach_iface){ .name = ifname, .ifindex = w->ifindex };
	memcpy(ret->mac, w->mac, ETH_ALEN);
	if (w->have_addr && w->addr_family == AF_INET) {
		ret->have_ip4 = true;
		memcpy(ret->ip4, w->addr, 4);
	}
}

int linkcheck_announce(const char *ifname, const char *address)
{
	_cleanup_close_ int fd = -1;
	struct watch w = {};
	struct in_addr a;
	struct mnl_socket *nl;
	int r;

	if (!ifname || !address || inet_pton(AF_INET, address, &a) != 1)
		return -EINVAL;
	w.ifindex = (int)if_nametoindex(ifname);
	if (w.ifindex <= 0)
		return -ENODEV;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return negative_errno();
	r = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ? negative_errno() : 0;
	if (r == 0)
		r = rtnl_dump(nl, &w, RTM_GETLINK, (unsigned)now_ms());
	mnl_socket_close(nl);
	if (r < 0)
		return r;
	if (!w.have_mac)
		return -EADDRNOTAVAIL;
	r = probe_arp_socket(w.ifindex, &fd);
	if (r < 0)
		return r;
	/* Both forms: some neighbours update their cache from one, some from the other. */
	r = probe_arp_send(fd, w.ifindex, w.mac, &a, &a, ARPOP_REQUEST);
	if (r >= 0)
		r = probe_arp_send(fd, w.ifindex, w.mac, &a, &a, ARPOP_REPLY);
	return r;
}

static int parse_ip(const char *s, unsigned char *bin, int *ret_family)
{
	if (inet_pton(AF_INET, s, bin) == 1)
		*ret_family = AF_INET;
	else if (inet_pton(AF_INET6, s, bin) == 1)
		*ret_family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

/* Opens the netlink socket subscribed to link and address events and reads the state of
 * ifname into *w (subscribed first, then dumped: no event can fall in between). */
static int watch_open(const char *ifname, struct watch *w, struct mnl_socket **ret)
{
	struct mnl_socket *nl _cleanup_(mnl_closep) = NULL;
	unsigned seq = (unsigned)now_ms();
	int r;

	w->ifindex = (int)if_nametoindex(ifname);
	if (w->ifindex <= 0)
		return -ENODEV;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return negative_errno();
	if (mnl_socket_bind(nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
			    MNL_SOCKET_AUTOPID) < 0)
		return negative_errno();
	r = rtnl_dump(nl, w, RTM_GETLINK, seq);
	if (r >= 0)
		r = rtnl_dump(nl, w, RTM_GETADDR, seq + 1);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(nl);
	return 0;
}

int linkcheck_observe(const char *ifname, struct reach_target *targets, size_t n,
		      unsigned timeout_ms)
{
	struct mnl_socket *nl _cleanup_(mnl_closep) = NULL;
	struct reach_iface ifc;
	struct watch w = {};
	int r;

	for (size_t i = 0; i < n; i++)
		targets[i].seen = 0;
	r = watch_open(ifname, &w, &nl);
	if (r < 0)
		return r;
	if (!w.have_mac)
		return -EADDRNOTAVAIL;
	iface_of(&w, ifname, &ifc);
	return reach_prove(&ifc, targets, n, true, now_ms() + timeout_ms, NULL);
}

/* The last stage: the gateway and peers (spec->targets), or ping:ADDR and the peers. */
static int reach_stage(const struct linkcheck_spec *spec, const struct watch *w,
		       uint64_t deadline, struct linkcheck_result *ret)
{
	struct reach_iface ifc;
	unsigned char target[16];
	int family = 0, r = 0;

	ret->failed = spec->kind == LINKCHECK_PING ? LINKCHECK_PING : LINKCHECK_GATEWAY;
	/* Replies must come back to this interface: tell the neighbours its MAC first. */
	if (w->have_addr && w->addr_family == AF_INET) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, w->addr, a, sizeof(a));
		(void)linkcheck_announce(spec->ifname, a);
	}
	if (spec->kind == LINKCHECK_PING) {
		if (parse_ip(spec->target, target, &family) < 0)
			return -EINVAL;
		r = ping_reach(w, spec->ifname, family, target, deadline);
		if (r < 0)
			return r;
	}
	if (!spec->n_targets)
		return 0;
	if (!w->have_mac)
		return -EADDRNOTAVAIL;
	iface_of(w, spec->ifname, &ifc);
	r = reach_prove(&ifc, spec->targets, spec->n_targets, false, deadline, &ret->failed_target);
	if (r == -ETIMEDOUT)
		ret->failed_at_target = true;
	return r;
}

static int check_spec(const struct linkcheck_spec *spec, unsigned char *want, int *want_family)
{
	unsigned char bin[16];
	int family;

	if (!spec->ifname)
		return -EINVAL;
	if (spec->address && parse_ip(spec->address, want, want_family) < 0)
		return -EINVAL;
	if (spec->kind == LINKCHECK_PING && (!spec->target || parse_ip(spec->target, bin, &family) < 0))
		return -EINVAL;
	if (spec->kind == LINKCHECK_GATEWAY && spec->n_targets == 0)
		return -EINVAL;
	for (size_t i = 0; i < spec->n_targets; i++)
		if (!spec->targets[i].need)
			return -EINVAL;
	return 0;
}

int linkcheck_run(const struct linkcheck_spec *spec, struct linkcheck_result *ret)
{
	struct mnl_socket *nl _cleanup_(mnl_closep) = NULL;
	struct watch w = {};
	uint64_t start = now_ms(), deadline = start + spec->timeout_ms;
	bool reach = spec->kind >= LINKCHECK_GATEWAY || spec->n_targets > 0;
	int r;

	*ret = (struct linkcheck_result){ .failed = LINKCHECK_CARRIER };
	r = check_spec(spec, w.want, &w.want_family);
	if (r < 0)
		return r;
	r = watch_open(spec->ifname, &w, &nl);
	if (r < 0)
		return r;

	r = rtnl_wait(nl, &w, carrier_done, deadline);
	if (r < 0)
		return r;
	ret->carrier_ms = (unsigned)(now_ms() - start);
	ret->any_passed = true;
	ret->passed_up_to = LINKCHECK_CARRIER;
	if (spec->kind == LINKCHECK_CARRIER && !reach)
		return 0;

	ret->failed = LINKCHECK_ADDRESS;
	r = rtnl_wait(nl, &w, address_done, deadline);
	if (r < 0)
		return r;
	ret->address_ms = (unsigned)(now_ms() - start);
	ret->passed_up_to = LINKCHECK_ADDRESS;
	inet_ntop(w.addr_family, w.addr, ret->address, sizeof(ret->address));
	if (!reach)
		return 0;

	r = reach_stage(spec, &w, deadline, ret);
	if (r < 0)
		return r;
	ret->reach_ms = (unsigned)(now_ms() - start);
	ret->passed_up_to = spec->kind >= LINKCHECK_GATEWAY ? spec->kind : LINKCHECK_ADDRESS;
	return 0;
}
