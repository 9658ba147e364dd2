// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * system/verify on two veth interfaces in a private network namespace (root only; skipped
 * otherwise): the addresses and routes a configuration gave vd0, what vd1 lacks of them, and
 * what is not counted (the kernel's prefix routes, link-local addresses, leased addresses,
 * routes from router advertisements, metrics), and the wait for what comes a moment later.
 */
#include "unit.h"

#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/exec.h"
#include "shell.h"
#include "lib/strv.h"
#include "system/verify.h"

static bool in_netns;

static int setup(void **state)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return 0; /* tests skip themselves */
	if (sh("ip link add vd0 type veth peer name vp0 && ip link add vd1 type veth peer name vp1 && "
	       "ip link set vp0 up && ip link set vp1 up && ip link set vd0 up && ip link set vd1 up && "
	       "ip addr add 10.1.0.5/24 dev vd0 && ip addr add 10.2.0.5/24 dev vd0 && "
	       "ip addr add 2001:db8::5/64 dev vd0 nodad && "
	       "ip addr add 10.3.0.5/24 dev vd0 valid_lft 300 preferred_lft 300 && "
	       "ip route add 10.77.0.0/16 via 10.1.0.1 dev vd0 proto ra && "
	       "ip route add default via 10.1.0.1 dev vd0 && "
	       "ip route add 10.99.0.0/16 via 10.2.0.1 dev vd0 && "
	       "ip route add 10.50.0.0/16 via 10.1.0.1 dev vd0 table 100 && "
	       "ip addr add 10.1.0.5/24 dev vd1 && ip addr add 2001:db8::5/64 dev vd1 nodad && "
	       "ip route add default via 10.1.0.1 dev vd1 metric 200 && "
	       "ip route add 10.50.0.0/16 via 10.1.0.1 dev vd1 table 100 metric 200") < 0)
		return -1;
	in_netns = true;
	return 0;
}

static void test_facts_and_missing(void **state)
{
	struct net_state a = {}, b = {};
	char **missing = NULL, **none = NULL;

	if (!in_netns)
		skip();
	assert_int_equal(net_state_read((int)if_nametoindex("vd0"), &a), 0);
	assert_int_equal(net_state_read((int)if_nametoindex("vd1"), &b), 0);
	/* vd0: its addresses and the routes it was given, nothing of the kernel's own */
	assert_int_equal(strv_length(a.facts), 6);
	assert_string_equal(a.facts[0], "address 10.1.0.5/24");
	assert_string_equal(a.facts[1], "address 10.2.0.5/24");
	assert_string_equal(a.facts[2], "address 2001:db8::5/64");
	assert_string_equal(a.facts[3], "route 0.0.0.0/0 via 10.1.0.1");
	assert_string_equal(a.facts[4], "route 10.50.0.0/16 via 10.1.0.1 table 100");
	assert_string_equal(a.facts[5], "route 10.99.0.0/16 via 10.2.0.1");
	/* vd1 lacks the second address and the route through it; another metric is no difference */
	assert_int_equal(net_state_missing(&a, &b, &missing), 0);
	assert_int_equal(strv_length(missing), 2);
	assert_string_equal(missing[0], "address 10.2.0.5/24");
	assert_string_equal(missing[1], "route 10.99.0.0/16 via 10.2.0.1");
	assert_int_equal(net_state_missing(&b, &a, &none), 0);
	assert_int_equal(strv_length(none), 0);
	strv_free(missing);
	strv_free(none);
	net_state_done(&a);
	net_state_done(&b);
}

/* What vd1 lacks comes a moment later (as a manager adds a second address): the wait sees it;
 * what never comes is still listed when the time is up. */
static void test_wait_for(void **state)
{
	struct net_state a = {};
	char **missing = NULL;
	int vd1 = (int)if_nametoindex("vd1"), status;
	pid_t late;

	if (!in_netns)
		skip();
	assert_int_equal(net_state_read((int)if_nametoindex("vd0"), &a), 0);
	assert_int_equal(net_state_wait_for(&a, vd1, 300, &missing), 0);
	assert_int_equal(strv_length(missing), 2);
	strv_free(missing);
	/* a child adds them half a second later (exec's commands die with their group) */
	late = fork();
	assert_true(late >= 0);
	if (late == 0) {
		usleep(500 * 1000);
		_exit(sh("ip addr add 10.2.0.5/24 dev vd1 && "
			 "ip route add 10.99.0.0/16 via 10.2.0.1 dev vd1 metric 300") == 0 ? 0 : 1);
	}
	assert_int_equal(net_state_wait_for(&a, vd1, 10000, &missing), 0);
	assert_int_equal(strv_length(missing), 0);
	strv_free(missing);
	assert_int_equal(waitpid(late, &status, 0), late);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(net_state_wait_for(&a, 99999, 100, &missing), -ENODEV);
	net_state_done(&a);
}

/* The command that gives a fact back, for a rollback. */
static void test_fact_argv(void **state)
{
	static const struct {
		const char *fact, *cmd;
	} cases[] = {
		{ "address 10.1.0.5/24", "ip address add 10.1.0.5/24 dev vd0" },
		{ "address 2001:db8::5/64", "ip address add 2001:db8::5/64 dev vd0" },
		{ "route 10.99.0.0/16 via 10.2.0.1", "ip route add 10.99.0.0/16 via 10.2.0.1 dev vd0" },
		{ "route 0.0.0.0/0 via 10.1.0.1", "ip route add 0.0.0.0/0 via 10.1.0.1 dev vd0" },
		{ "route 10.50.0.0/16 via 10.1.0.1 table 100",
		  "ip route add 10.50.0.0/16 via 10.1.0.1 table 100 dev vd0" },
		{ "route 10.60.0.0/16", "ip route add 10.60.0.0/16 dev vd0" },
	};
	char **argv = NULL;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *cmd = NULL;

		assert_int_equal(net_fact_argv(cases[i].fact, "vd0", &argv), 0);
		cmd = strv_join(argv, " ");
		assert_string_equal(cmd, cases[i].cmd);
		strv_free(argv);
	}
	assert_int_equal(net_fact_argv("mtu 9000", "vd0", &argv), -EINVAL);
	assert_int_equal(net_fact_argv("route 10.0.0.0/8 dev x", "vd0", &argv), -EINVAL);
}

static void test_no_such_interface(void **state)
{
	struct net_state s = {};

	assert_int_equal(net_state_read(99999, &s), -ENODEV);
	assert_null(s.facts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_and_missing),
		cmocka_unit_test(test_no_such_interface),
		cmocka_unit_test(test_fact_argv),
		cmocka_unit_test(test_wait_for),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
