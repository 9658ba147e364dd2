// SPDX-License-Identifier: GPL-2.0-or-later
/* reach_prove (system/reach.h): the probes of every target in one loop, until the deadline. */
#include <errno.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/macro.h"
#include "system/probe.h"
#include "system/reach.h"

/* How often ARP requests, echo requests and TCP connections are repeated. */
#define RETRY_MS 250
/* How long one TCP attempt may wait for its SYN-ACK within a round. */
#define TCP_TRY_MS 1000

struct prove {
	const struct reach_iface *ifc;
	struct reach_target *t;
	size_t n;
	bool learn;
	uint16_t id, seq;
	int arp, echo4, echo6;
};

static unsigned goal(const struct prove *p, const struct reach_target *t)
{
	if (!p->learn)
		return t->need;
	return t->port ? REACH_TCP : REACH_SAME_MAC | REACH_ECHO;
}

static unsigned *have(const struct prove *p, struct reach_target *t)
{
	return p->learn ? &t->seen : &t->got;
}

static unsigned missing(const struct prove *p, struct reach_target *t)
{
	return goal(p, t) & ~*have(p, t);
}

static void close_all(struct prove *p)
{
	if (p->arp >= 0)
		close(p->arp);
	if (p->echo4 >= 0)
		close(p->echo4);
	if (p->echo6 >= 0)
		close(p->echo6);
}

static int open_sockets(struct prove *p)
{
	int r = 0;

	for (size_t i = 0; i < p->n && r >= 0; i++) {
		unsigned g = goal(p, &p->t[i]);

		if (p->t[i].family == AF_INET && (g & REACH_SAME_MAC) && p->arp < 0)
			r = probe_arp_socket(p->ifc->ifindex, &p->arp);
		if (r >= 0 && p->t[i].family == AF_INET && (g & REACH_ECHO) && p->echo4 < 0)
			r = probe_echo_socket(p->ifc->name, AF_INET, &p->echo4);
		if (r >= 0 && p->t[i].family == AF_INET6 && (g & (REACH_ECHO | REACH_SAME_MAC)) &&
		    p->echo6 < 0)
			r = probe_echo_socket(p->ifc->name, AF_INET6, &p->echo6);
	}
	return r;
}

/* IPv6 has no ARP: the kernel's neighbour discovery (set off by the echo) gives the MAC. */
static void check_neigh6(const struct prove *p, struct reach_target *t)
{
	unsigned char mac[ETH_ALEN];
	bool confirmed = false;

	if (probe_neigh(p->ifc->ifindex, AF_INET6, t->addr, mac, &confirmed) < 0)
		return;
	if (p->learn) {
		memcpy(t->mac, mac, ETH_ALEN);
		t->seen |= REACH_SAME_MAC;
	} else if (confirmed && memcmp(mac, t->mac, ETH_ALEN) == 0) {
		t->got |= REACH_SAME_MAC;
	} else if (confirmed) {
		t->other_mac = true;
		memcpy(t->other_mac_addr, mac, ETH_ALEN);
	}
}

/* One round: a request of each kind still missing, to every target. */
static int send_round(struct prove *p, uint64_t deadline)
{
	static const unsigned char zero[4];
	int r = 0;

	p->seq++;
	for (size_t i = 0; i < p->n && r >= 0; i++) {
		struct reach_target *t = &p->t[i];
		unsigned want = missing(p, t);

		if (t->family == AF_INET && (want & REACH_SAME_MAC)) {
			r = probe_arp_send(p->arp, p->ifc->ifindex, p->ifc->mac,
					   p->ifc->have_ip4 ? p->ifc->ip4 : zero, t->addr,
					   ARPOP_REQUEST);
			if (r == -ENETDOWN || r == -ENOBUFS)
				r = 0;
		}
		if (r >= 0 && ((want & REACH_ECHO) || (t->family == AF_INET6 && (want & REACH_SAME_MAC))))
			r = probe_echo_send(t->family == AF_INET ? p->echo4 : p->echo6, t->family,
					    p->ifc->ifindex, t->addr, p->id, p->seq);
		if (r >= 0 && t->family == AF_INET6 && (want & REACH_SAME_MAC))
			check_neigh6(p, t);
		if (r >= 0 && (want & REACH_TCP)) {
			uint64_t now = now_ms();
			unsigned left = now < deadline ? (unsigned)(deadline - now) : 0;

			if (left && probe_tcp(p->ifc->name, t->family, t->addr, t->port,
					      left < TCP_TRY_MS ? left : TCP_TRY_MS) == 0)
				*have(p, t) |= REACH_TCP;
		}
	}
	return r;
}

static struct reach_target *find(struct prove *p, int family, const unsigned char *addr)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->t[i].family == family && !p->t[i].port &&
		    memcmp(p->t[i].addr, addr, family == AF_INET ? 4 : 16) == 0)
			return &p->t[i];
	return NULL;
}

static void on_arp(struct prove *p, const unsigned char *ip, const unsigned char *mac)
{
	struct reach_target *t = find(p, AF_INET, ip);

	if (!t || !(missing(p, t) & REACH_SAME_MAC))
		return;
	if (p->learn) {
		memcpy(t->mac, mac, ETH_ALEN);
		t->seen |= REACH_SAME_MAC;
	} else if (memcmp(mac, t->mac, ETH_ALEN) == 0) {
		t->got |= REACH_SAME_MAC;
	} else {
		t->other_mac = true;
		memcpy(t->other_mac_addr, mac, ETH_ALEN);
	}
}

static void drain(struct prove *p)
{
	unsigned char ip[16], mac[ETH_ALEN];
	struct reach_target *t;

	while (p->arp >= 0 && probe_arp_recv(p->arp, ip, mac) == 0)
		on_arp(p, ip, mac);
	while (p->echo4 >= 0 && probe_echo_recv(p->echo4, AF_INET, p->id, ip) == 0)
		if ((t = find(p, AF_INET, ip)) && (goal(p, t) & REACH_ECHO))
			*have(p, t) |= REACH_ECHO;
	while (p->echo6 >= 0 && probe_echo_recv(p->echo6, AF_INET6, p->id, ip) == 0)
		if ((t = find(p, AF_INET6, ip)) && (goal(p, t) & REACH_ECHO))
			*have(p, t) |= REACH_ECHO;
}

static bool first_missing(struct prove *p, size_t *ret)
{
	for (size_t i = 0; i < p->n; i++)
		if (missing(p, &p->t[i])) {
			*ret = i;
			return true;
		}
	return false;
}

int reach_prove(const struct reach_iface *ifc, struct reach_target *t, size_t n, bool learn,
		uint64_t deadline, size_t *ret_failed)
{
	struct prove p = { .ifc = ifc, .t = t, .n = n, .learn = learn, .arp = -1, .echo4 = -1,
			   .echo6 = -1, .id = (uint16_t)(getpid() ^ (int)now_ms()) };
	uint64_t next = 0;
	size_t failed = 0;
	int r;

	r = open_sockets(&p);
	while (r >= 0 && first_missing(&p, &failed)) {
		struct pollfd fds[3] = { { .fd = p.arp, .events = POLLIN },
					 { .fd = p.echo4, .events = POLLIN },
					 { .fd = p.echo6, .events = POLLIN } };
		uint64_t now = now_ms();

		if (now >= deadline) {
			r = learn ? 0 : -ETIMEDOUT;
			break;
		}
		if (now >= next) {
			r = send_round(&p, deadline);
			next = now_ms() + RETRY_MS;
			continue;
		}
		if (poll(fds, 3, (int)((next < deadline ? next : deadline) - now)) < 0 &&
		    errno != EINTR)
			r = negative_errno();
		else
			drain(&p);
	}
	close_all(&p);
	if (r == -ETIMEDOUT && ret_failed)
		*ret_failed = failed;
	return r;
}
