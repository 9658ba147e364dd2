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

#include "lib/macro.h"
#include "system/linkcheck.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h; clashes with net/if.h */
#endif

/* How often ARP requests and echo requests are repeated while waiting for an answer. */
#define RETRY_MS 250

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

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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

struct arp_ipv4 {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN], spa[4], tha[ETH_ALEN], tpa[4];
} __attribute__((packed));

static int arp_socket(int ifindex, int *ret)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				   .sll_ifindex = ifindex };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP));

	if (fd < 0)
		return negative_errno();
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int r = negative_errno();

		close(fd);
		return r;
	}
	*ret = fd;
	return 0;
}

static int arp_send(int fd, int ifindex, const unsigned char *mac, const void *spa,
		    const void *tpa, uint16_t op)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				  .sll_ifindex = ifindex, .sll_halen = ETH_ALEN };
	struct arp_ipv4 p = { .htype = htons(ARPHRD_ETHER), .ptype = htons(ETH_P_IP),
			      .hlen = ETH_ALEN, .plen = 4, .op = htons(op) };

	memset(to.sll_addr, 0xff, ETH_ALEN);
	memcpy(p.sha, mac, ETH_ALEN);
	memcpy(p.spa, spa, 4);
	memcpy(p.tpa, tpa, 4);
	if (op == ARPOP_REPLY) /* gratuitous reply: target = sender, broadcast */
		memset(p.tha, 0xff, ETH_ALEN);
	if (sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return negative_errno();
	return 0;
}

/* ARP: who has gw, tell (our address)? until a reply from gw arrives on the interface. */
static int arp_reach(const struct watch *w, const struct in_addr *gw, uint64_t deadline)
{
	_cleanup_close_ int fd = -1;
	uint64_t next = 0;
	int r;

	if (!w->have_mac)
		return -EADDRNOTAVAIL;
	r = arp_socket(w->ifindex, &fd);
	if (r < 0)
		return r;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t t = now_ms();
		struct arp_ipv4 a;
		ssize_t n;

		if (t >= deadline)
			return -ETIMEDOUT;
		if (t >= next) {
			static const unsigned char zero[4];

			r = arp_send(fd, w->ifindex, w->mac,
				     w->have_addr && w->addr_family == AF_INET ? w->addr : zero, gw,
				     ARPOP_REQUEST);
			if (r < 0 && r != -ENETDOWN && r != -ENOBUFS)
				return r;
			next = t + RETRY_MS;
		}
		r = poll(&p, 1, (int)((next < deadline ? next : deadline) - t));
		if (r < 0 && errno != EINTR)
			return negative_errno();
		while ((n = recv(fd, &a, sizeof(a), 0)) >= (ssize_t)sizeof(a))
			if (ntohs(a.op) == ARPOP_REPLY && ntohs(a.ptype) == ETH_P_IP &&
			    memcmp(a.spa, gw, 4) == 0)
				return 0;
	}
}

static uint16_t inet_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* ICMP (v4 or v6) echo to target through ifname only, until a reply from target arrives. */
static int echo_reach(const char *ifname, int family, const void *target, uint64_t deadline)
{
	_cleanup_close_ int fd = -1;
	uint16_t id = (uint16_t)(getpid() ^ (int)now_ms()), seq = 0;
	uint64_t next = 0;
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} to = {};
	socklen_t tolen;

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return negative_errno();
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0)
		return negative_errno();
	if (family == AF_INET) {
		to.in.sin_family = AF_INET;
		memcpy(&to.in.sin_addr, target, 4);
		tolen = sizeof(to.in);
	} else {
		to.in6.sin6_family = AF_INET6;
		memcpy(&to.in6.sin6_addr, target, 16);
		to.in6.sin6_scope_id = if_nametoindex(ifname);
		tolen = sizeof(to.in6);
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t t = now_ms();
		unsigned char buf[1500];
		union {
			struct sockaddr_in in;
			struct sockaddr_in6 in6;
		} from;
		socklen_t fromlen = sizeof(from);
		ssize_t n;
		int r;

		if (t >= deadline)
			return -ETIMEDOUT;
		if (t >= next) {
			unsigned char pkt[16] = {};

			pkt[0] = family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
			memcpy(pkt + 4, &id, 2);
			seq++;
			pkt[6] = (unsigned char)(seq >> 8);
			pkt[7] = (unsigned char)seq;
			memcpy(pkt + 8, "vnic-chk", 8);
			if (family == AF_INET) {
				uint16_t c = inet_csum(pkt, sizeof(pkt));

				memcpy(pkt + 2, &c, 2);
			} /* the kernel fills the ICMPv6 checksum */
			if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, tolen) < 0 &&
			    errno != ENETUNREACH && errno != EHOSTUNREACH && errno != ENOBUFS &&
			    errno != EAGAIN && errno != ENETDOWN)
				return negative_errno();
			next = t + RETRY_MS;
		}
		r = poll(&p, 1, (int)((next < deadline ? next : deadline) - t));
		if (r < 0 && errno != EINTR)
			return negative_errno();
		while ((n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen)) > 0) {
			const unsigned char *icmp = buf;
			size_t len = (size_t)n;

			if (family == AF_INET) {
				size_t ihl = (size_t)(buf[0] & 0x0f) * 4;

				if (len < ihl + 8 || memcmp(&from.in.sin_addr, target, 4))
					continue;
				icmp += ihl;
				len -= ihl;
				if (icmp[0] != ICMP_ECHOREPLY)
					continue;
			} else {
				if (len < 8 || memcmp(&from.in6.sin6_addr, target, 16) ||
				    icmp[0] != ICMP6_ECHO_REPLY)
					continue;
			}
			if (memcmp(icmp + 4, &id, 2) == 0)
				return 0;
			fromlen = sizeof(from);
		}
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
	r = arp_socket(w.ifindex, &fd);
	if (r < 0)
		return r;
	/* Both forms: some neighbours update their cache from one, some from the other. */
	r = arp_send(fd, w.ifindex, w.mac, &a, &a, ARPOP_REQUEST);
	if (r >= 0)
		r = arp_send(fd, w.ifindex, w.mac, &a, &a, ARPOP_REPLY);
	return r;
}

int linkcheck_run(const struct linkcheck_spec *spec, struct linkcheck_result *ret)
{
	struct mnl_socket *nl _cleanup_(mnl_closep) = NULL;
	struct watch w = {};
	unsigned char target[16];
	int target_family = 0, r;
	uint64_t start = now_ms(), deadline = start + spec->timeout_ms;

	*ret = (struct linkcheck_result){ .failed = LINKCHECK_CARRIER };
	if (!spec->ifname)
		return -EINVAL;
	if (spec->address) {
		if (inet_pton(AF_INET, spec->address, w.want) == 1)
			w.want_family = AF_INET;
		else if (inet_pton(AF_INET6, spec->address, w.want) == 1)
			w.want_family = AF_INET6;
		else
			return -EINVAL;
	}
	if (spec->kind >= LINKCHECK_GATEWAY) {
		if (!spec->target)
			return -EINVAL;
		if (inet_pton(AF_INET, spec->target, target) == 1)
			target_family = AF_INET;
		else if (inet_pton(AF_INET6, spec->target, target) == 1)
			target_family = AF_INET6;
		else
			return -EINVAL;
	}
	w.ifindex = (int)if_nametoindex(spec->ifname);
	if (w.ifindex <= 0)
		return -ENODEV;

	/* Subscribe first, then read the current state: no event can fall in between. */
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return negative_errno();
	if (mnl_socket_bind(nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
			    MNL_SOCKET_AUTOPID) < 0)
		return negative_errno();
	r = rtnl_dump(nl, &w, RTM_GETLINK, (unsigned)start);
	if (r < 0)
		return r;
	r = rtnl_dump(nl, &w, RTM_GETADDR, (unsigned)start + 1);
	if (r < 0)
		return r;

	r = rtnl_wait(nl, &w, carrier_done, deadline);
	if (r < 0)
		return r;
	ret->carrier_ms = (unsigned)(now_ms() - start);
	ret->any_passed = true;
	ret->passed_up_to = LINKCHECK_CARRIER;
	if (spec->kind == LINKCHECK_CARRIER)
		return 0;

	ret->failed = LINKCHECK_ADDRESS;
	r = rtnl_wait(nl, &w, address_done, deadline);
	if (r < 0)
		return r;
	ret->address_ms = (unsigned)(now_ms() - start);
	ret->passed_up_to = LINKCHECK_ADDRESS;
	inet_ntop(w.addr_family, w.addr, ret->address, sizeof(ret->address));
	if (spec->kind == LINKCHECK_ADDRESS)
		return 0;

	ret->failed = spec->kind;
	if (spec->kind == LINKCHECK_GATEWAY && target_family == AF_INET) {
		r = arp_reach(&w, (const struct in_addr *)target, deadline);
	} else {
		/* Replies must come back to this interface: tell the neighbours its MAC first. */
		if (w.have_addr && w.addr_family == AF_INET) {
			char a[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, w.addr, a, sizeof(a));
			(void)linkcheck_announce(spec->ifname, a);
		}
		r = echo_reach(spec->ifname, target_family, target, deadline);
	}
	if (r < 0)
		return r;
	ret->reach_ms = (unsigned)(now_ms() - start);
	ret->passed_up_to = spec->kind;
	return 0;
}
