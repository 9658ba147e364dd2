// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/macro.h"
#include "system/probe.h"

struct arp_ipv4 {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN], spa[4], tha[ETH_ALEN], tpa[4];
} __attribute__((packed));

int probe_arp_socket(int ifindex, int *ret_fd)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				   .sll_ifindex = ifindex };
	_cleanup_close_ int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
					htons(ETH_P_ARP));

	if (fd < 0)
		return negative_errno();
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return negative_errno();
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int probe_arp_send(int fd, int ifindex, const unsigned char *mac, const void *spa,
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

int probe_arp_recv(int fd, unsigned char ret_ip[4], unsigned char ret_mac[ETH_ALEN])
{
	struct arp_ipv4 a;
	ssize_t n;

	while ((n = recv(fd, &a, sizeof(a), 0)) >= 0) {
		if (n < (ssize_t)sizeof(a) || ntohs(a.op) != ARPOP_REPLY ||
		    ntohs(a.ptype) != ETH_P_IP || a.hlen != ETH_ALEN || a.plen != 4)
			continue;
		memcpy(ret_ip, a.spa, 4);
		memcpy(ret_mac, a.sha, ETH_ALEN);
		return 0;
	}
	return errno == EWOULDBLOCK ? -EAGAIN : negative_errno();
}

int probe_echo_socket(const char *ifname, int family, int *ret_fd)
{
	_cleanup_close_ int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
					family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);

	if (fd < 0)
		return negative_errno();
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0)
		return negative_errno();
	*ret_fd = TAKE_FD(fd);
	return 0;
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

union sockaddr_inx {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static socklen_t sockaddr_of(int family, int ifindex, const void *ip, uint16_t port,
			     union sockaddr_inx *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (family == AF_INET) {
		ret->in.sin_family = AF_INET;
		ret->in.sin_port = htons(port);
		memcpy(&ret->in.sin_addr, ip, 4);
		return sizeof(ret->in);
	}
	ret->in6.sin6_family = AF_INET6;
	ret->in6.sin6_port = htons(port);
	memcpy(&ret->in6.sin6_addr, ip, 16);
	ret->in6.sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(&ret->in6.sin6_addr) ? (uint32_t)ifindex : 0;
	return sizeof(ret->in6);
}

int probe_echo_send(int fd, int family, int ifindex, const void *target, uint16_t id,
		    uint16_t seq)
{
	unsigned char pkt[16] = {};
	union sockaddr_inx to;
	socklen_t tolen = sockaddr_of(family, ifindex, target, 0, &to);

	pkt[0] = family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	memcpy(pkt + 4, &id, 2);
	pkt[6] = (unsigned char)(seq >> 8);
	pkt[7] = (unsigned char)seq;
	memcpy(pkt + 8, "vnic-chk", 8);
	if (family == AF_INET) {
		uint16_t c = inet_csum(pkt, sizeof(pkt));

		memcpy(pkt + 2, &c, 2);
	} /* the kernel fills the ICMPv6 checksum */
	if (sendto(fd, pkt, sizeof(pkt), 0, &to.sa, tolen) < 0 && errno != ENETUNREACH &&
	    errno != EHOSTUNREACH && errno != ENOBUFS && errno != EAGAIN && errno != ENETDOWN)
		return negative_errno();
	return 0;
}

int probe_echo_recv(int fd, int family, uint16_t id, unsigned char ret_from[16])
{
	unsigned char buf[1500];
	union sockaddr_inx from;
	socklen_t fromlen = sizeof(from);
	ssize_t n;

	while ((n = recvfrom(fd, buf, sizeof(buf), 0, &from.sa, &fromlen)) >= 0) {
		const unsigned char *icmp = buf;
		size_t len = (size_t)n;

		fromlen = sizeof(from);
		if (family == AF_INET) {
			size_t ihl = (size_t)(buf[0] & 0x0f) * 4;

			if (len < ihl + 8 || buf[ihl] != ICMP_ECHOREPLY)
				continue;
			icmp += ihl;
			memcpy(ret_from, &from.in.sin_addr, 4);
		} else {
			if (len < 8 || icmp[0] != ICMP6_ECHO_REPLY)
				continue;
			memcpy(ret_from, &from.in6.sin6_addr, 16);
		}
		if (memcmp(icmp + 4, &id, 2) == 0)
			return 0;
	}
	return errno == EWOULDBLOCK ? -EAGAIN : negative_errno();
}

struct neigh_find {
	int ifindex, family;
	const void *ip;
	bool found, confirmed;
	unsigned char mac[ETH_ALEN];
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_find *f = data;
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	const void *dst = NULL, *ll = NULL;
	size_t len = f->family == AF_INET ? 4 : 16;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || nd->ndm_ifindex != f->ifindex ||
	    nd->ndm_family != f->family ||
	    (nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP | NUD_NONE)) ||
	    nd->ndm_state == 0)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*nd)) {
		if (mnl_attr_get_type(a) == NDA_DST && mnl_attr_get_payload_len(a) == len)
			dst = mnl_attr_get_payload(a);
		else if (mnl_attr_get_type(a) == NDA_LLADDR &&
			 mnl_attr_get_payload_len(a) == ETH_ALEN)
			ll = mnl_attr_get_payload(a);
	}
	if (!dst || !ll || memcmp(dst, f->ip, len) != 0)
		return MNL_CB_OK;
	f->found = true;
	f->confirmed = nd->ndm_state & (NUD_REACHABLE | NUD_PERMANENT);
	memcpy(f->mac, ll, ETH_ALEN);
	return MNL_CB_OK;
}

static inline void mnl_closep(struct mnl_socket **s)
{
	if (*s)
		mnl_socket_close(*s);
}

int probe_neigh(int ifindex, int family, const void *ip, unsigned char ret_mac[ETH_ALEN],
		bool *ret_confirmed)
{
	struct mnl_socket *nl _cleanup_(mnl_closep) = mnl_socket_open(NETLINK_ROUTE);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct neigh_find f = { .ifindex = ifindex, .family = family, .ip = ip };
	unsigned seq = (unsigned)now_ms();
	struct ndmsg *nd;
	int r;

	if (!nl)
		return negative_errno();
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return negative_errno();
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)family;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return negative_errno();
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return negative_errno();
		r = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), neigh_cb, &f);
	} while (r > MNL_CB_STOP);
	if (r < 0)
		return negative_errno();
	if (!f.found)
		return -ENOENT;
	memcpy(ret_mac, f.mac, ETH_ALEN);
	if (ret_confirmed)
		*ret_confirmed = f.confirmed;
	return 0;
}

int probe_tcp(const char *ifname, int family, const void *ip, uint16_t port,
	      unsigned timeout_ms)
{
	_cleanup_close_ int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	union sockaddr_inx to;
	socklen_t tolen = sockaddr_of(family, (int)if_nametoindex(ifname), ip, port, &to);
	struct pollfd p;
	int err = 0, r;
	socklen_t errlen = sizeof(err);

	if (fd < 0)
		return negative_errno();
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0)
		return negative_errno();
	if (connect(fd, &to.sa, tolen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return negative_errno();
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	do
		r = poll(&p, 1, (int)timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return negative_errno();
	if (r == 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
		return negative_errno();
	return -err;
}
