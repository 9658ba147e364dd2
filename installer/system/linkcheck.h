/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link check of a swap: does the new interface work? In stages, each within what is left
 * of one overall timeout:
 *   carrier  the interface is up with a carrier (IFF_UP and IFF_LOWER_UP), from rtnetlink
 *            link events (RTNLGRP_LINK; no polling);
 *   address  it holds the configured address, or any global IPv4/IPv6 address when none is
 *            given (a DHCP lease), from RTM_NEWADDR events (IPv6 only once no longer tentative);
 *   gateway  the gateway proves itself as system/reach.h says: what it answered through the
 *            old interface before the swap (linkcheck_observe: its MAC by ARP, ICMP echo) must
 *            come back through this one; an ARP reply from another MAC does not count;
 *   ping     ADDR answers an ICMP echo sent on a raw socket bound to the interface
 *            (SO_BINDTODEVICE).
 * Each kind includes the ones before it. Peers (spec->targets after the gateway, or all of
 * them for the other kinds) are proved after the address in the same way. Nothing here
 * prints. Needs CAP_NET_RAW for gateway, ping and peers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "system/reach.h"

enum linkcheck_kind {
	LINKCHECK_CARRIER,
	LINKCHECK_ADDRESS,
	LINKCHECK_GATEWAY,
	LINKCHECK_PING,
};

struct linkcheck_spec {
	enum linkcheck_kind kind;
	const char *ifname;
	const char *address; /* the address to wait for ("10.0.0.5"), or NULL: any global one */
	const char *target;  /* ping: the address to ping */
	/* gateway: targets[0] is the gateway; then peers. Each with ->need set (reach_decide);
	 * ->got and ->other_mac are filled in. */
	struct reach_target *targets;
	size_t n_targets;
	unsigned timeout_ms;
};

struct linkcheck_result {
	enum linkcheck_kind passed_up_to; /* the last stage passed (valid when any_passed) */
	bool any_passed;
	enum linkcheck_kind failed;       /* the stage that failed (on -ETIMEDOUT) */
	unsigned carrier_ms, address_ms, reach_ms; /* when each stage passed, from the start */
	char address[64];                 /* the address found (text), if any */
	bool failed_at_target;            /* on -ETIMEDOUT: targets[failed_target] did not prove */
	size_t failed_target;
};

/*
 * "carrier", "address", "gateway" or "ping:ADDR" into *ret_kind and, for ping, the address
 * (pointer into s) in *ret_target. -EINVAL otherwise.
 */
int linkcheck_parse(const char *s, enum linkcheck_kind *ret_kind, const char **ret_target);
const char *linkcheck_kind_to_string(enum linkcheck_kind k);

/*
 * Runs the check. Returns 0 when every stage passed within the timeout, -ETIMEDOUT when one did
 * not (ret->failed says which), -ENODEV when the interface does not exist, -EINVAL for a
 * missing or malformed target, or another -errno. *ret is filled in every case.
 */
int linkcheck_run(const struct linkcheck_spec *spec, struct linkcheck_result *ret);

/*
 * Before a swap: what each of targets answers through ifname within timeout_ms, into their
 * ->seen and ->mac (any MAC counts). Returns 0 (whatever answered), -ENODEV, -EADDRNOTAVAIL
 * (ifname has no MAC) or another -errno.
 */
int linkcheck_observe(const char *ifname, struct reach_target *targets, size_t n,
		      unsigned timeout_ms);

/*
 * Announces address (IPv4) on ifname with a gratuitous ARP, so that neighbours (the gateway)
 * send to this interface's MAC from now on: after a swap, for the new interface; after a
 * rollback, for the old one. Returns 0 or -errno.
 */
int linkcheck_announce(const char *ifname, const char *address);
