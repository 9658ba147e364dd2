/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reachability of the neighbours a swap must not lose: the gateway, peers the user names
 * (--check peer:ADDR, tcp:ADDR:PORT) and the admin's SSH client (SSH_CONNECTION).
 *
 * Before anything changes, each target is observed through the old interface (reach_prove
 * with learn set): its MAC (an ARP reply, or the neighbour table for IPv6), whether it answers
 * ICMP echo, whether its TCP port accepts. reach_decide turns that into what must come back
 * through the new interface after the switch (reach_prove without learn):
 *   REACH_SAME_MAC  an ARP reply (IPv6: a confirmed neighbour entry) from the MAC seen before;
 *                   a reply from another MAC does not count (another segment);
 *   REACH_ECHO      an echo reply, when the target answered echo before;
 *   REACH_TCP       the TCP connection is accepted.
 * All that was seen must come back. Nothing here prints.
 */
#pragma once

#include <net/ethernet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum reach_role {
	REACH_GATEWAY, /* the default route's gateway: it must answer something */
	REACH_PEER,    /* --check peer:ADDR or tcp:ADDR:PORT: it must answer something */
	REACH_SESSION, /* the SSH client: checked when it answers something, else left out */
};

enum {
	REACH_SAME_MAC = 1 << 0,
	REACH_ECHO = 1 << 1,
	REACH_TCP = 1 << 2,
};

struct reach_target {
	enum reach_role role;
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	uint16_t port;           /* tcp: the port; 0 otherwise */
	/* through the old interface, before: */
	unsigned seen;           /* REACH_* */
	unsigned char mac[ETH_ALEN]; /* valid with REACH_SAME_MAC in seen */
	/* from reach_decide: */
	unsigned need;           /* REACH_* all of which must come back */
	/* through the new interface, after: */
	unsigned got;
	bool other_mac;          /* an ARP reply came from another MAC: other_mac_addr */
	unsigned char other_mac_addr[ETH_ALEN];
};

/*
 * "ADDR" (IPv4 or IPv6) into *ret, or with tcp "ADDR:PORT" ("[ADDR]:PORT" for IPv6).
 * -EINVAL when malformed.
 */
int reach_target_parse(const char *s, enum reach_role role, bool tcp, struct reach_target *ret);

/*
 * From t->seen, sets t->need: all that was seen (tcp targets: the connection only). Returns
 * 0; -EHOSTUNREACH when a gateway or peer answered nothing through the old interface (the swap
 * must refuse: the check would prove nothing); -ENODATA for a session peer that answered
 * nothing (left out; the gateway check covers its path).
 */
int reach_decide(struct reach_target *t);

/* The interface probed: its name, index, MAC and IPv4 address (the ARP sender). */
struct reach_iface {
	const char *name;
	int ifindex;
	unsigned char mac[ETH_ALEN];
	bool have_ip4;
	unsigned char ip4[4];
};

/*
 * Probes the n targets through ifc until deadline (now_ms() time, lib/clock.h).
 * learn: records in ->seen what answers (any MAC), until everything possible answered or the
 *        deadline; returns 0.
 * else:  records in ->got what answers as ->need asks; returns 0 when every target got all it
 *        needs, -ETIMEDOUT otherwise (*ret_failed: the index of the first one that did not).
 */
int reach_prove(const struct reach_iface *ifc, struct reach_target *t, size_t n, bool learn,
		uint64_t deadline, size_t *ret_failed);

/*
 * One line for a file the boot guard reads: "gateway 10.77.0.1 arp,echo 52:54:00:12:34:56"
 * (role, address[:port], need, MAC), and back (-EINVAL when malformed). What was seen is taken
 * to be what is needed.
 */
int reach_target_format(const struct reach_target *t, char **ret);
int reach_target_from_string(const char *s, struct reach_target *ret);

/* For people: what need asks, "ARP from 52:54:00:12:34:56 and ICMP echo". */
int reach_need_describe(const struct reach_target *t, unsigned need, char **ret);
/* The address ("10.0.0.1", "10.0.0.1:22") into buf. */
const char *reach_addr_str(const struct reach_target *t, char *buf, size_t size);
