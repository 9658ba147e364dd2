// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * system/linkcheck on a veth pair in a private network namespace (root only; skipped
 * otherwise): each stage passes when it should and times out on the stage that is missing,
 * an address that appears later is seen through its netlink event, and ARP and ICMP reach a
 * "gateway" in a second namespace: observed first (its MAC, its echo), then proved; the
 * gateway's address answering from another MAC fails; a gateway dropping ICMP passes by ARP;
 * IPv6 the same through neighbour discovery; a TCP peer (tcp:ADDR:PORT).
 */
#include "unit.h"

#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "lib/exec.h"
#include "shell.h"
#include "system/linkcheck.h"

static char gwns[64];

static int setup(void **state)
{
	char cmd[512];

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return 0; /* tests skip themselves */
	snprintf(gwns, sizeof(gwns), "vnic-ut-lc-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "ip link set lo up && ip netns add %s && ip link add vc0 type veth peer name vc1 && "
		 "ip link set vc1 netns %s && ip -n %s addr add 10.99.0.1/24 dev vc1 && "
		 "ip -n %s link set vc1 up && ip -n %s link set lo up",
		 gwns, gwns, gwns, gwns, gwns);
	if (sh(cmd) < 0) {
		gwns[0] = 0;
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	if (gwns[0]) {
		snprintf(cmd, sizeof(cmd), "ip netns del %s", gwns);
		sh(cmd);
	}
	return 0;
}

static void need_netns(void)
{
	if (!gwns[0])
		skip();
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_parse(void **state)
{
	enum linkcheck_kind k;
	const char *t = "x";

	assert_int_equal(linkcheck_parse("gateway", &k, &t), 0);
	assert_int_equal(k, LINKCHECK_GATEWAY);
	assert_null(t);
	assert_int_equal(linkcheck_parse("ping:10.1.2.3", &k, &t), 0);
	assert_int_equal(k, LINKCHECK_PING);
	assert_string_equal(t, "10.1.2.3");
	assert_int_equal(linkcheck_parse("ping:", &k, &t), -EINVAL);
	assert_int_equal(linkcheck_parse("arp", &k, &t), -EINVAL);
}

static void test_no_such_interface(void **state)
{
	struct linkcheck_spec s = { .kind = LINKCHECK_CARRIER, .ifname = "vnic-nope0", .timeout_ms = 100 };
	struct linkcheck_result res;

	assert_int_equal(linkcheck_run(&s, &res), -ENODEV);
}

static void test_carrier_missing(void **state)
{
	/* vc0 up, its peer down: no carrier, the check gives up at the timeout */
	struct linkcheck_spec s = { .kind = LINKCHECK_PING, .ifname = "vc0", .target = "10.99.0.1",
				    .timeout_ms = 400 };
	struct linkcheck_result res;
	struct timespec t0;
	char cmd[128];

	need_netns();
	snprintf(cmd, sizeof(cmd), "ip -n %s link set vc1 down && ip link set vc0 up", gwns);
	assert_int_equal(sh(cmd), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(linkcheck_run(&s, &res), -ETIMEDOUT);
	assert_int_equal(res.failed, LINKCHECK_CARRIER);
	assert_false(res.any_passed);
	assert_in_range(ms_since(&t0), 380, 1500);
	snprintf(cmd, sizeof(cmd), "ip -n %s link set vc1 up", gwns);
	assert_int_equal(sh(cmd), 0);
}

static void test_address_event(void **state)
{
	/* the address arrives 300 ms after the check started: seen through RTM_NEWADDR */
	struct linkcheck_spec s = { .kind = LINKCHECK_ADDRESS, .ifname = "vc0", .address = "10.99.0.2",
				    .timeout_ms = 5000 };
	struct linkcheck_result res;
	pid_t pid;

	need_netns();
	assert_int_equal(sh("ip addr flush dev vc0 && ip link set vc0 up"), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(300 * 1000);
		_exit(sh("ip addr add 10.99.0.2/24 dev vc0") == 0 ? 0 : 1);
	}
	assert_int_equal(linkcheck_run(&s, &res), 0);
	assert_int_equal(res.passed_up_to, LINKCHECK_ADDRESS);
	assert_string_equal(res.address, "10.99.0.2");
	assert_in_range(res.address_ms, 250, 4000);
	waitpid(pid, NULL, 0);
}

static void test_wrong_address(void **state)
{
	struct linkcheck_spec s = { .kind = LINKCHECK_ADDRESS, .ifname = "vc0", .address = "10.99.0.9",
				    .timeout_ms = 300 };
	struct linkcheck_result res;

	need_netns();
	sh("ip addr replace 10.99.0.2/24 dev vc0; ip link set vc0 up");
	assert_int_equal(linkcheck_run(&s, &res), -ETIMEDOUT);
	assert_int_equal(res.failed, LINKCHECK_ADDRESS);
	assert_int_equal(res.passed_up_to, LINKCHECK_CARRIER);
}

/* The gateway observed through vc0 as a swap does through the E1000, into *ret (need set). */
static void observe_gateway(const char *gw, struct reach_target *ret)
{
	assert_int_equal(reach_target_parse(gw, REACH_GATEWAY, false, ret), 0);
	assert_int_equal(linkcheck_observe("vc0", ret, 1, 1500), 0);
}

static void gwns_sh(const char *inner)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s sh -c '%s'", gwns, inner);
	assert_int_equal(sh(cmd), 0);
}

static void test_gateway_and_ping(void **state)
{
	struct reach_target gw;
	struct linkcheck_spec s = { .kind = LINKCHECK_GATEWAY, .ifname = "vc0", .targets = &gw,
				    .n_targets = 1, .timeout_ms = 5000 };
	struct linkcheck_result res;

	need_netns();
	assert_int_equal(sh("ip addr replace 10.99.0.2/24 dev vc0 && ip link set vc0 up"), 0);
	observe_gateway("10.99.0.1", &gw);
	assert_int_equal(gw.seen, REACH_SAME_MAC | REACH_ECHO);
	assert_int_equal(reach_decide(&gw), 0);
	assert_int_equal(linkcheck_run(&s, &res), 0);
	assert_int_equal(res.passed_up_to, LINKCHECK_GATEWAY);
	assert_int_equal(gw.got, REACH_SAME_MAC | REACH_ECHO);
	assert_true(res.reach_ms < 3000);

	s = (struct linkcheck_spec){ .kind = LINKCHECK_PING, .ifname = "vc0", .target = "10.99.0.1",
				     .timeout_ms = 5000 };
	assert_int_equal(linkcheck_run(&s, &res), 0);
	assert_int_equal(res.passed_up_to, LINKCHECK_PING);

	/* nobody at .77: nothing seen, so nothing to prove: the swap refuses */
	observe_gateway("10.99.0.77", &gw);
	assert_int_equal(gw.seen, 0);
	assert_int_equal(reach_decide(&gw), -EHOSTUNREACH);
	s.target = "10.99.0.77";
	s.timeout_ms = 600;
	assert_int_equal(linkcheck_run(&s, &res), -ETIMEDOUT);
	assert_int_equal(res.failed, LINKCHECK_PING);
}

static void test_gateway_other_mac(void **state)
{
	/* Another host with the gateway's address and another MAC (a wrong segment): its ARP
	 * replies do not count, and its IP does not come back. */
	struct reach_target gw;
	struct linkcheck_spec s = { .kind = LINKCHECK_GATEWAY, .ifname = "vc0", .targets = &gw,
				    .n_targets = 1, .timeout_ms = 1200 };
	struct linkcheck_result res;

	need_netns();
	assert_int_equal(sh("ip addr replace 10.99.0.2/24 dev vc0 && ip link set vc0 up"), 0);
	observe_gateway("10.99.0.1", &gw);
	assert_int_equal(reach_decide(&gw), 0);
	gwns_sh("ip link set vc1 address 02:00:00:00:0b:ad && sysctl -qw "
		"net.ipv4.icmp_echo_ignore_all=1");
	assert_int_equal(linkcheck_run(&s, &res), -ETIMEDOUT);
	assert_true(res.failed_at_target);
	assert_int_equal(res.failed_target, 0);
	assert_int_equal(res.failed, LINKCHECK_GATEWAY);
	assert_int_equal(res.passed_up_to, LINKCHECK_ADDRESS);
	assert_true(gw.other_mac);
	assert_memory_equal(gw.other_mac_addr, "\x02\x00\x00\x00\x0b\xad", 6);
	assert_false(gw.got & REACH_SAME_MAC);

	/* The same gateway dropping ICMP: seen by ARP only, and that passes. */
	observe_gateway("10.99.0.1", &gw);
	assert_int_equal(gw.seen, REACH_SAME_MAC);
	assert_int_equal(reach_decide(&gw), 0);
	s.timeout_ms = 3000;
	assert_int_equal(linkcheck_run(&s, &res), 0);
	assert_int_equal(gw.got, REACH_SAME_MAC);
	gwns_sh("sysctl -qw net.ipv4.icmp_echo_ignore_all=0");
}

static void test_gateway_ipv6(void **state)
{
	/* IPv6: the router's MAC from the neighbour table (after the echo's neighbour discovery),
	 * and its echo; a router with another MAC fails. */
	struct reach_target gw;
	struct linkcheck_spec s = { .kind = LINKCHECK_GATEWAY, .ifname = "vc0", .targets = &gw,
				    .n_targets = 1, .timeout_ms = 4000 };
	struct linkcheck_result res;

	need_netns();
	assert_int_equal(sh("ip addr replace 10.99.0.2/24 dev vc0 && ip link set vc0 up && "
			    "ip addr replace 2001:db8:99::2/64 dev vc0 nodad"), 0);
	gwns_sh("ip link set vc1 address 02:00:00:00:99:01 && "
		"ip addr replace 2001:db8:99::1/64 dev vc1 nodad");
	observe_gateway("2001:db8:99::1", &gw);
	assert_int_equal(gw.seen, REACH_SAME_MAC | REACH_ECHO);
	assert_memory_equal(gw.mac, "\x02\x00\x00\x00\x99\x01", 6);
	assert_int_equal(reach_decide(&gw), 0);
	assert_int_equal(linkcheck_run(&s, &res), 0);
	assert_int_equal(gw.got, REACH_SAME_MAC | REACH_ECHO);

	gwns_sh("ip link set vc1 address 02:00:00:00:0b:ad");
	assert_int_equal(sh("ip neigh flush dev vc0"), 0);
	gw.got = 0;
	assert_int_equal(linkcheck_run(&s, &res), -ETIMEDOUT);
	assert_true(res.failed_at_target);
	assert_false(gw.got & REACH_SAME_MAC);
	assert_true(gw.other_mac);
}

/* A TCP listener on 10.99.0.1:port in the gateway's namespace, in a child; returns its pid. */
static pid_t listen_in_gwns(unsigned short port)
{
	int ready[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char path[128];
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
		int ns, fd, one = 1;

		snprintf(path, sizeof(path), "/run/netns/%s", gwns);
		ns = open(path, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWNET) < 0)
			_exit(1);
		inet_pton(AF_INET, "10.99.0.1", &a.sin_addr);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0)
			_exit(1);
		(void)!write(ready[1], "r", 1);
		for (;;) {
			int cfd = accept(fd, NULL, NULL);

			if (cfd >= 0)
				close(cfd);
		}
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

static void test_tcp_peer(void **state)
{
	/* tcp:ADDR:PORT: accepted through vc0 before and after; the listener gone: it fails */
	struct reach_target t;
	struct linkcheck_spec s = { .kind = LINKCHECK_ADDRESS, .ifname = "vc0", .targets = &t,
				    .n_targets = 1, .timeout_ms = 3000 };
	struct linkcheck_result res;
	pid_t pid;

	need_netns();
	assert_int_equal(sh("ip addr replace 10.99.0.2/24 dev vc0 && ip link set vc0 up"), 0);
	pid = listen_in_gwns(5555);
	assert_int_equal(reach_target_parse("10.99.0.1:5555", REACH_PEER, true, &t), 0);
	assert_int_equal(linkcheck_observe("vc0", &t, 1, 1500), 0);
	assert_int_equal(t.seen, REACH_TCP);
	assert_int_equal(reach_decide(&t), 0);
	assert_int_equal(linkcheck_run(&s, &res), 0);
	assert_int_equal(t.got, REACH_TCP);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	t.got = 0;
	s.timeout_ms = 1200;
	assert_int_equal(linkcheck_run(&s, &res), -ETIMEDOUT);
	assert_true(res.failed_at_target);
	assert_int_equal(t.got, 0);
}

static void test_peers_and_tcp(void **state)
{
	/* a peer answering echo; a TCP port nobody listens on is refused before the swap */
	struct reach_target t[2];
	struct linkcheck_spec s = { .kind = LINKCHECK_ADDRESS, .ifname = "vc0", .targets = t,
				    .n_targets = 1, .timeout_ms = 3000 };
	struct linkcheck_result res;

	need_netns();
	assert_int_equal(sh("ip addr replace 10.99.0.2/24 dev vc0 && ip link set vc0 up"), 0);
	assert_int_equal(reach_target_parse("10.99.0.1", REACH_PEER, false, &t[0]), 0);
	assert_int_equal(reach_target_parse("10.99.0.1:9", REACH_PEER, true, &t[1]), 0);
	assert_int_equal(linkcheck_observe("vc0", t, 2, 1500), 0);
	assert_true(t[0].seen & REACH_ECHO);
	assert_int_equal(t[1].seen, 0);
	assert_int_equal(reach_decide(&t[0]), 0);
	assert_int_equal(reach_decide(&t[1]), -EHOSTUNREACH);
	assert_int_equal(linkcheck_run(&s, &res), 0);
	assert_int_equal(t[0].got, t[0].need);
	/* a GATEWAY check needs its gateway; a target with nothing to prove is a caller's bug */
	s.kind = LINKCHECK_GATEWAY;
	s.n_targets = 0;
	assert_int_equal(linkcheck_run(&s, &res), -EINVAL);
	s.targets = &t[1];
	s.n_targets = 1;
	assert_int_equal(linkcheck_run(&s, &res), -EINVAL);
}

static void test_announce(void **state)
{
	char cmd[256];

	need_netns();
	assert_int_equal(sh("ip addr replace 10.99.0.2/24 dev vc0 && ip link set vc0 up"), 0);
	/* the gateway has a stale entry with another MAC, as after the E1000 had the address */
	snprintf(cmd, sizeof(cmd),
		 "ip -n %s neigh replace 10.99.0.2 lladdr 02:00:00:00:00:99 dev vc1 nud stale", gwns);
	assert_int_equal(sh(cmd), 0);
	assert_int_equal(linkcheck_announce("vc0", "10.99.0.2"), 0);
	usleep(200 * 1000);
	/* the gateway now sends 10.99.0.2's traffic to vc0's MAC */
	snprintf(cmd, sizeof(cmd),
		 "ip -n %s neigh show 10.99.0.2 dev vc1 | grep -q \"$(ip -o link show vc0 | "
		 "sed -n 's/.*link\\/ether \\([^ ]*\\).*/\\1/p')\"",
		 gwns);
	assert_int_equal(sh(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),           cmocka_unit_test(test_no_such_interface),
		cmocka_unit_test(test_carrier_missing), cmocka_unit_test(test_address_event),
		cmocka_unit_test(test_wrong_address),   cmocka_unit_test(test_gateway_and_ping),
		cmocka_unit_test(test_gateway_other_mac), cmocka_unit_test(test_gateway_ipv6),
		cmocka_unit_test(test_peers_and_tcp),   cmocka_unit_test(test_tcp_peer),
		cmocka_unit_test(test_announce),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
