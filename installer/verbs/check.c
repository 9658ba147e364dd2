// SPDX-License-Identifier: GPL-2.0-or-later
/* The link check of a swap: chosen, observed before, run after (verbs/check.h). */
#include <errno.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/strv.h"
#include "verbs/check.h"

/* How long the targets may take to answer through the E1000 before the swap. */
#define OBSERVE_MS 3000

void check_done(struct swap_check *c)
{
	free(c->gateway);
	free(c->why);
	*c = (struct swap_check){};
}

static bool same_target(const struct reach_target *a, const struct reach_target *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

static int add_target(struct swap_check *c, const struct reach_target *t)
{
	for (size_t i = 0; i < c->n_targets; i++)
		if (same_target(&c->targets[i], t))
			return 0;
	if (c->n_targets >= ELEMENTSOF(c->targets))
		return -E2BIG;
	c->targets[c->n_targets++] = *t;
	return 0;
}

/* SSH_CONNECTION is "CLIENT CPORT SERVER SPORT": the client, unless it is this machine. */
static int add_session(struct swap_check *c, const char *ssh)
{
	char client[64];
	struct reach_target t;
	size_t len = strcspn(ssh, " %");

	if (len == 0 || len >= sizeof(client))
		return 0;
	memcpy(client, ssh, len);
	client[len] = 0;
	if (reach_target_parse(client, REACH_SESSION, false, &t) < 0)
		return 0; /* not an address: nothing to check */
	if (strncmp(client, "127.", 4) == 0 || streq(client, "::1"))
		return 0;
	return add_target(c, &t);
}

int check_choose(struct swap_check *c, const struct vnic_args *a, const char *gateway,
		 const char *ssh_connection)
{
	struct reach_target t;
	int r = 0;

	c->kind_str = a->check ? a->check : "gateway";
	if (linkcheck_parse(c->kind_str, &c->kind, &c->ping) < 0) {
		log_error("--check %s: expected carrier, address, gateway or ping:ADDR.", c->kind_str);
		return EXIT_USAGE;
	}
	if (c->kind == LINKCHECK_GATEWAY && !gateway) {
		log_warning("No gateway is known: the link check waits for an address instead "
			    "(--check ping:ADDR or peer:ADDR tests reachability).");
		c->kind = LINKCHECK_ADDRESS;
		c->kind_str = "address";
	}
	if (c->kind == LINKCHECK_GATEWAY) {
		c->gateway = strdup(gateway);
		if (!c->gateway || reach_target_parse(gateway, REACH_GATEWAY, false, &t) < 0) {
			log_error("The gateway '%s' is not an IPv4 or IPv6 address.", gateway);
			return EXIT_FAILED;
		}
		r = add_target(c, &t);
	}
	for (size_t i = 0; r >= 0 && a->check_peers && a->check_peers[i]; i++) {
		const char *p = a->check_peers[i];
		bool tcp = strncmp(p, "tcp:", 4) == 0;

		if (reach_target_parse(p + (tcp ? 4 : 5), REACH_PEER, tcp, &t) < 0) {
			log_error("--check %s: expected peer:ADDR or tcp:ADDR:PORT.", p);
			return EXIT_USAGE;
		}
		r = add_target(c, &t);
	}
	if (r >= 0 && ssh_connection)
		r = add_session(c, ssh_connection);
	if (r < 0) {
		log_error("Too many --check peers (at most %d).", CHECK_MAX_PEERS);
		return EXIT_USAGE;
	}
	return 0;
}

static const char *role_name(const struct reach_target *t)
{
	return t->role == REACH_GATEWAY ? "the gateway" :
	       t->role == REACH_SESSION ? "your SSH client" : "the peer";
}

/* Test-only (fake live): what every target answered ("arp,echo", "none"...). */
static void fake_seen(struct swap_check *c, const char *s)
{
	static const unsigned char mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };

	for (size_t i = 0; i < c->n_targets; i++) {
		struct reach_target *t = &c->targets[i];

		t->seen = (strstr(s, "arp") ? REACH_SAME_MAC : 0) | (strstr(s, "echo") ? REACH_ECHO : 0) |
			  (strstr(s, "tcp") ? REACH_TCP : 0);
		memcpy(t->mac, mac, ETH_ALEN);
	}
}

static int append_why(struct swap_check *c, const struct reach_target *t, const char *from)
{
	_cleanup_free_ char *need = NULL, *s = NULL;
	char addr[64];

	if (reach_need_describe(t, t->need, &need) < 0 ||
	    asprintf(&s, "%s%s%s %s: %s, as through %s", c->why ? c->why : "", c->why ? "; " : "",
		     role_name(t), reach_addr_str(t, addr, sizeof(addr)), need, from) < 0)
		return -ENOMEM;
	free(c->why);
	c->why = TAKE_PTR(s);
	return 0;
}

static void say_refused(const struct reach_target *t, const char *from)
{
	char addr[64];

	reach_addr_str(t, addr, sizeof(addr));
	if (t->port)
		log_error("tcp:%s does not accept a connection through %s, so the link check could "
			  "not tell whether it is reachable afterwards; nothing was changed.", addr,
			  from);
	else
		log_error("%s %s answers neither %s nor %s echo through %s, so the link check could "
			  "not tell the right network segment from a wrong one; nothing was changed.",
			  role_name(t), addr, t->family == AF_INET ? "ARP" : "neighbour discovery",
			  t->family == AF_INET ? "ICMP" : "ICMPv6", from);
	log_error("Choose the check with --check: ping:ADDR, peer:ADDR or tcp:ADDR:PORT of a host "
		  "that answers, or address or carrier (which prove less).");
}

int check_observe(struct swap_check *c, const char *from, const char *fake, bool read_only)
{
	size_t kept = 0;
	int r = 0;

	if (c->n_targets == 0)
		return 0;
	if (fake)
		fake_seen(c, fake);
	else
		r = linkcheck_observe(from, c->targets, c->n_targets, OBSERVE_MS);
	if ((r == -EPERM || r == -EACCES) && read_only) {
		log_warning("Probing the gateway and peers through %s needs CAP_NET_RAW (root): what "
			    "the check proves is decided when swap runs.", from);
		c->why = strdup("decided when swap runs: probing needs root");
		c->n_targets = 0;
		return c->why ? 0 : EXIT_FAILED;
	}
	if (r < 0) {
		log_error_errno(r, "Failed to probe the gateway and peers through %s: %m", from);
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < c->n_targets; i++) {
		struct reach_target *t = &c->targets[i];
		char addr[64];

		r = reach_decide(t);
		if (r == -ENODATA) {
			log_info("Your SSH client %s answers neither ARP nor ping through %s: the "
				 "gateway check covers its path.", reach_addr_str(t, addr, sizeof(addr)),
				 from);
			continue;
		}
		if (r < 0) {
			say_refused(t, from);
			return EXIT_FAILED;
		}
		if (append_why(c, t, from) < 0)
			return EXIT_FAILED;
		c->targets[kept++] = *t;
	}
	c->n_targets = kept;
	return 0;
}

/* Why the check failed (to free), or NULL when out of memory. */
static char *failure_text(const struct swap_check *c, const struct linkcheck_result *res,
			  const char *to, unsigned timeout_sec)
{
	const struct reach_target *t = &c->targets[res->failed_target];
	_cleanup_free_ char *missing = NULL;
	char addr[64], other[96] = "", *s;

	if (!res->failed_at_target)
		return asprintf(&s, "no %s on %s within %u s",
				res->failed == LINKCHECK_CARRIER ? "carrier" :
				res->failed == LINKCHECK_ADDRESS ? "address" : "answer to the ping",
				to, timeout_sec) < 0 ? NULL : s;
	if (t->other_mac)
		snprintf(other, sizeof(other),
			 " (its address answered from %02x:%02x:%02x:%02x:%02x:%02x: another segment?)",
			 t->other_mac_addr[0], t->other_mac_addr[1], t->other_mac_addr[2],
			 t->other_mac_addr[3], t->other_mac_addr[4], t->other_mac_addr[5]);
	if (reach_need_describe(t, t->need & ~t->got, &missing) < 0)
		return NULL;
	return asprintf(&s, "no %s from %s %s through %s within %u s%s", missing, role_name(t),
			reach_addr_str(t, addr, sizeof(addr)), to, timeout_sec, other) < 0 ? NULL : s;
}

int check_prove(struct swap_check *c, const char *to, const char *address, unsigned timeout_sec,
		struct linkcheck_result *res, char **ret_why)
{
	struct linkcheck_spec spec = { .kind = c->kind, .ifname = to, .address = address,
				       .target = c->ping, .targets = c->targets,
				       .n_targets = c->n_targets, .timeout_ms = timeout_sec * 1000 };
	int r;

	r = linkcheck_run(&spec, res);
	*ret_why = NULL;
	if (r == -ETIMEDOUT)
		*ret_why = failure_text(c, res, to, timeout_sec);
	else if (r < 0 && asprintf(ret_why, "the link check failed: %s", strerror(-r)) < 0)
		*ret_why = NULL;
	return r;
}

int check_run(struct swap_check *c, const char *to, const char *address, unsigned timeout_sec,
	      struct report *rep)
{
	_cleanup_free_ char *why = NULL;
	struct linkcheck_result res;
	int r;

	r = check_prove(c, to, address, timeout_sec, &res, &why);
	if (res.any_passed)
		report_detail(rep, "carrier after %.1f s", res.carrier_ms / 1000.0);
	if (res.any_passed && res.passed_up_to >= LINKCHECK_ADDRESS)
		report_detail(rep, "address %s after %.1f s", res.address, res.address_ms / 1000.0);
	if (r >= 0 && c->ping)
		report_detail(rep, "%s answered after %.1f s", c->ping, res.reach_ms / 1000.0);
	if (r >= 0 && c->n_targets)
		report_detail(rep, "proved after %.1f s: %s", res.reach_ms / 1000.0,
			      c->why ? c->why : "?");
	if (r < 0)
		report_step_end(rep, false, "%s", why ? why : strerror(-r));
	return r;
}

int check_to_guard(const struct swap_check *c, char ***ret_lines)
{
	if (c->ping) { /* ping:ADDR: a peer that must answer echo */
		_cleanup_free_ char *line = NULL;
		struct reach_target t;

		if (reach_target_parse(c->ping, REACH_PEER, false, &t) < 0)
			return -EINVAL;
		t.need = REACH_ECHO;
		if (reach_target_format(&t, &line) < 0 || strv_push(ret_lines, line) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < c->n_targets; i++) {
		_cleanup_free_ char *line = NULL;

		if (reach_target_format(&c->targets[i], &line) < 0 || strv_push(ret_lines, line) < 0)
			return -ENOMEM;
	}
	return 0;
}

int check_from_guard(struct swap_check *c, const char *kind, char *const *lines)
{
	*c = (struct swap_check){ .kind_str = kind ? kind : "address" };
	if (linkcheck_parse(c->kind_str, &c->kind, NULL) < 0 || c->kind == LINKCHECK_PING)
		return -EINVAL;
	for (size_t i = 0; lines && lines[i]; i++) {
		if (c->n_targets >= ELEMENTSOF(c->targets))
			return -E2BIG;
		if (reach_target_from_string(lines[i], &c->targets[c->n_targets]) < 0)
			return -EINVAL;
		c->n_targets++;
	}
	if (c->kind == LINKCHECK_GATEWAY && (!c->n_targets || c->targets[0].role != REACH_GATEWAY))
		c->kind = LINKCHECK_ADDRESS; /* no gateway seen: the address, and the peers */
	return 0;
}
