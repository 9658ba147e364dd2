/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probes of the link check, each on one interface: ARP requests and replies (an AF_PACKET
 * socket bound to it), ICMP and ICMPv6 echo (a raw socket bound to it with SO_BINDTODEVICE),
 * the kernel's neighbour table (rtnetlink) and a TCP connection bound to it. Sockets are
 * non-blocking; the caller polls them. Nothing here prints; functions return 0 or -errno.
 * Needs CAP_NET_RAW.
 */
#pragma once

#include <net/ethernet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int probe_arp_socket(int ifindex, int *ret_fd);
/* One ARP packet out of ifindex, broadcast: op ARPOP_REQUEST (who has tpa) or ARPOP_REPLY. */
int probe_arp_send(int fd, int ifindex, const unsigned char *mac, const void *spa,
		   const void *tpa, uint16_t op);
/* The next waiting ARP reply: its sender's IPv4 address and MAC. 0, or -EAGAIN when none. */
int probe_arp_recv(int fd, unsigned char ret_ip[4], unsigned char ret_mac[ETH_ALEN]);

int probe_echo_socket(const char *ifname, int family, int *ret_fd);
/* An echo request to target (4 or 16 bytes; scope ifindex for link-local IPv6). */
int probe_echo_send(int fd, int family, int ifindex, const void *target, uint16_t id,
		    uint16_t seq);
/* The next waiting echo reply with our id: its source address. 0, or -EAGAIN when none. */
int probe_echo_recv(int fd, int family, uint16_t id, unsigned char ret_from[16]);

/*
 * The neighbour table's entry for ip on ifindex: its MAC when it has one, and whether the
 * kernel confirmed it (NUD_REACHABLE or NUD_PERMANENT). 0, -ENOENT when there is none.
 */
int probe_neigh(int ifindex, int family, const void *ip, unsigned char ret_mac[ETH_ALEN],
		bool *ret_confirmed);

/*
 * A TCP connection to ip:port from ifname only, within timeout_ms: 0 when it was accepted,
 * -ETIMEDOUT, -ECONNREFUSED or another -errno otherwise. The connection is closed at once.
 */
int probe_tcp(const char *ifname, int family, const void *ip, uint16_t port,
	      unsigned timeout_ms);
