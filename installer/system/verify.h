/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What runs on an interface, read from rtnetlink, to compare the VMXNET3 interface after a swap
 * with what the E1000 had before it (issue 15, deliverable 3: a setting lost in the move is an
 * outage no link check sees). Facts are text without the interface, so that two interfaces
 * compare: "address 10.0.0.5/24", "route 10.99.0.0/16 via 10.20.0.1", "route 0.0.0.0/0 via
 * 10.0.0.1 table 100". Counted: addresses of global scope that are permanent (a leased one,
 * from DHCP, SLAAC or DHCPv6, has a lifetime and follows the MAC or the lease), and unicast
 * routes through the interface that the configuration made (not the kernel's prefix routes,
 * not those of router advertisements, not the local table); metrics are left out (managers
 * number them per interface). Nothing here prints.
 */
#pragma once

struct net_state {
	char **facts; /* sorted strv */
};

/* The facts of interface ifindex. Returns 0 or -errno (-ENODEV: no such interface). */
int net_state_read(int ifindex, struct net_state *ret);
void net_state_done(struct net_state *s);

/* The facts of before that after lacks, sorted (an empty strv when none); 0 or -ENOMEM. */
int net_state_missing(const struct net_state *before, const struct net_state *after, char ***ret);

/*
 * Waits up to timeout_ms for interface ifindex to run everything before had (a manager may
 * add a second address or a route a moment after the first): *ret lists what it still lacks
 * then (an empty strv when nothing). Returns 0 or -errno (-ENODEV: no such interface).
 */
int net_state_wait_for(const struct net_state *before, int ifindex, unsigned timeout_ms,
		       char ***ret);

/*
 * The iproute2 command that gives ifname the fact back ("address A/L" -> ip address add A/L dev
 * IF; "route D/L via G table N" -> ip route add D/L via G dev IF table N), for a rollback that
 * must leave the interface as it was also where no configuration says so (an address added by
 * hand). Returns 0 or -errno (-EINVAL: not a fact of ours).
 */
int net_fact_argv(const char *fact, const char *ifname, char ***ret);
