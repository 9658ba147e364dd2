// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * system/reach's pure part: targets parsed, and the decision table (what was seen through the
 * E1000 before the swap -> what must come back through the VMXNET3 NIC), with its wording.
 */
#include "unit.h"

#include <arpa/inet.h>

#include "system/reach.h"

static void test_parse(void **state)
{
	struct reach_target t;

	assert_int_equal(reach_target_parse("10.77.0.1", REACH_GATEWAY, false, &t), 0);
	assert_int_equal(t.family, AF_INET);
	assert_int_equal(t.port, 0);
	assert_int_equal(reach_target_parse("fe80::1", REACH_GATEWAY, false, &t), 0);
	assert_int_equal(t.family, AF_INET6);
	assert_int_equal(reach_target_parse("10.77.0.1:22", REACH_PEER, true, &t), 0);
	assert_int_equal(t.port, 22);
	assert_int_equal(reach_target_parse("[2001:db8::5]:443", REACH_PEER, true, &t), 0);
	assert_int_equal(t.family, AF_INET6);
	assert_int_equal(t.port, 443);
	/* malformed: no port, port 0 or too big, an IPv6 address without brackets, a name */
	assert_int_equal(reach_target_parse("10.77.0.1", REACH_PEER, true, &t), -EINVAL);
	assert_int_equal(reach_target_parse("10.77.0.1:0", REACH_PEER, true, &t), -EINVAL);
	assert_int_equal(reach_target_parse("10.77.0.1:65536", REACH_PEER, true, &t), -EINVAL);
	assert_int_equal(reach_target_parse("2001:db8::5:443", REACH_PEER, true, &t), -EINVAL);
	assert_int_equal(reach_target_parse("gateway", REACH_PEER, false, &t), -EINVAL);
	assert_int_equal(reach_target_parse("10.77.0.1:22", REACH_PEER, false, &t), -EINVAL);
	assert_int_equal(reach_target_parse(NULL, REACH_PEER, false, &t), -EINVAL);
}

struct row {
	enum reach_role role;
	uint16_t port;
	unsigned seen;
	int ret;
	unsigned need;
};

static void test_decide_table(void **state)
{
	static const struct row rows[] = {
		/* the gateway: all it answered before must come back; nothing -> refuse */
		{ REACH_GATEWAY, 0, REACH_SAME_MAC | REACH_ECHO, 0, REACH_SAME_MAC | REACH_ECHO },
		{ REACH_GATEWAY, 0, REACH_SAME_MAC, 0, REACH_SAME_MAC }, /* drops ICMP */
		{ REACH_GATEWAY, 0, REACH_ECHO, 0, REACH_ECHO },         /* IPv6, no entry */
		{ REACH_GATEWAY, 0, 0, -EHOSTUNREACH, 0 },
		/* a peer named with --check: the same, refused when silent */
		{ REACH_PEER, 0, REACH_ECHO, 0, REACH_ECHO },
		{ REACH_PEER, 0, 0, -EHOSTUNREACH, 0 },
		/* tcp: the connection, and only that */
		{ REACH_PEER, 22, REACH_TCP, 0, REACH_TCP },
		{ REACH_PEER, 22, REACH_SAME_MAC | REACH_ECHO, -EHOSTUNREACH, 0 },
		/* the SSH client: checked when it answered, else left to the gateway check */
		{ REACH_SESSION, 0, REACH_SAME_MAC, 0, REACH_SAME_MAC },
		{ REACH_SESSION, 0, 0, -ENODATA, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct reach_target t = { .role = rows[i].role, .family = AF_INET,
					  .port = rows[i].port, .seen = rows[i].seen };

		assert_int_equal(reach_decide(&t), rows[i].ret);
		assert_int_equal(t.need, rows[i].need);
	}
}

static void test_describe(void **state)
{
	struct reach_target t;
	char *s = NULL, buf[64];

	assert_int_equal(reach_target_parse("10.77.0.1", REACH_GATEWAY, false, &t), 0);
	memcpy(t.mac, "\x52\x54\x00\x77\x07\x01", 6);
	assert_int_equal(reach_need_describe(&t, REACH_SAME_MAC | REACH_ECHO, &s), 0);
	assert_string_equal(s, "ARP from 52:54:00:77:07:01 and ICMP echo");
	free(s);
	assert_int_equal(reach_need_describe(&t, REACH_ECHO, &s), 0);
	assert_string_equal(s, "ICMP echo");
	free(s);
	assert_int_equal(reach_target_parse("[2001:db8::5]:443", REACH_PEER, true, &t), 0);
	assert_string_equal(reach_addr_str(&t, buf, sizeof(buf)), "[2001:db8::5]:443");
	assert_int_equal(reach_need_describe(&t, REACH_TCP, &s), 0);
	assert_string_equal(s, "TCP connection");
	free(s);
}

static void test_conf_lines(void **state)
{
	/* what swap --confirm-timeout leaves for the boot guard, and back */
	struct reach_target t, u;
	char *s = NULL;

	assert_int_equal(reach_target_parse("10.77.0.1", REACH_GATEWAY, false, &t), 0);
	memcpy(t.mac, "\x52\x54\x00\x77\x07\x01", 6);
	t.need = REACH_SAME_MAC | REACH_ECHO;
	assert_int_equal(reach_target_format(&t, &s), 0);
	assert_string_equal(s, "gateway 10.77.0.1 arp,echo 52:54:00:77:07:01");
	assert_int_equal(reach_target_from_string(s, &u), 0);
	free(s);
	assert_int_equal(u.role, REACH_GATEWAY);
	assert_int_equal(u.need, REACH_SAME_MAC | REACH_ECHO);
	assert_memory_equal(u.addr, t.addr, 4);
	assert_memory_equal(u.mac, t.mac, 6);

	assert_int_equal(reach_target_from_string("peer [2001:db8::5]:443 tcp 00:00:00:00:00:00",
						  &u), 0);
	assert_int_equal(u.port, 443);
	assert_int_equal(u.need, REACH_TCP);
	assert_int_equal(reach_target_from_string("session 10.0.0.9 echo 00:00:00:00:00:00", &u),
			 0);
	assert_int_equal(u.role, REACH_SESSION);
	/* malformed: a role, a need, a MAC, a field too many or too few */
	assert_int_equal(reach_target_from_string("router 10.0.0.1 arp 00:00:00:00:00:00", &u),
			 -EINVAL);
	assert_int_equal(reach_target_from_string("peer 10.0.0.1 ping 00:00:00:00:00:00", &u),
			 -EINVAL);
	assert_int_equal(reach_target_from_string("peer 10.0.0.1 arp 00:00:00:00:00", &u), -EINVAL);
	assert_int_equal(reach_target_from_string("peer 10.0.0.1 arp 00:00:00:00:00:00 x", &u),
			 -EINVAL);
	assert_int_equal(reach_target_from_string("peer 10.0.0.1 arp", &u), -EINVAL);
	t.need = 0;
	assert_int_equal(reach_target_format(&t, &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_conf_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
