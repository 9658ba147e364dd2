// SPDX-License-Identifier: GPL-2.0-or-later
/* tune: values decided from what the NIC allows; the .link and sysctl.d files. */
#include "unit.h"

#include "tune/tune.h"

static const struct tune_current nic = {
	.rings = { .rx = 256, .rx_max = 4096, .tx = 512, .tx_max = 4096 },
	.channels = { .combined = 1, .combined_max = 8 },
	.has_rings = true,
	.has_channels = true,
	.cpus = 4,
	.rmem_max = 212992,
	.wmem_max = 212992,
	.tcp_rmem = "4096 131072 6291456",
	.tcp_wmem = "4096 16384 4194304",
};

static void test_profile_and_explicit_values(void **state)
{
	struct tune_request req = { .profile = "throughput" };
	struct tune_plan p;
	const char *why = NULL;

	(void)state;
	assert_int_equal(tune_decide(&req, &nic, &p, &why), 0);
	assert_int_equal(p.rx_ring, 4096);
	assert_int_equal(p.tx_ring, 4096);
	assert_int_equal(p.channels, 4); /* a queue per CPU, not the device's 8 */
	assert_true(p.channels_combined);
	assert_int_equal(p.socket_buffers, 16u << 20);
	assert_int_equal(p.old_rx_ring, 256);
	assert_int_equal(p.old_channels, 1);

	/* Explicit values go on top of the profile; one equal to now is left out. */
	req.rx_ring = 2048;
	req.tx_ring = 512;
	assert_int_equal(tune_decide(&req, &nic, &p, &why), 0);
	assert_int_equal(p.rx_ring, 2048);
	assert_int_equal(p.tx_ring, 0);

	req = (struct tune_request){ .rx_ring = 256 };
	assert_int_equal(tune_decide(&req, &nic, &p, &why), 0);
	assert_true(tune_plan_empty(&p));
}

static void test_refusals(void **state)
{
	struct tune_request req = { .rx_ring = 8192 };
	struct tune_current no_rings = nic;
	struct tune_plan p;
	const char *why = NULL;

	(void)state;
	assert_int_equal(tune_decide(&req, &nic, &p, &why), -EINVAL);
	assert_non_null(strstr(why, "maximum"));
	req = (struct tune_request){ .channels = 9 };
	assert_int_equal(tune_decide(&req, &nic, &p, &why), -EINVAL);
	req = (struct tune_request){ .socket_buffers = 1000 };
	assert_int_equal(tune_decide(&req, &nic, &p, &why), -EINVAL);
	req = (struct tune_request){ .profile = "latency" };
	assert_int_equal(tune_decide(&req, &nic, &p, &why), -EINVAL);
	assert_non_null(strstr(why, "throughput"));
	no_rings.has_rings = false;
	req = (struct tune_request){ .rx_ring = 1024 };
	assert_int_equal(tune_decide(&req, &no_rings, &p, &why), -EOPNOTSUPP);
}

static void test_link_file_keeps_the_naming(void **state)
{
	static const char current[] =
		"# SPDX-License-Identifier: MIT-0\n[Match]\nOriginalName=*\n\n[Link]\n"
		"NamePolicy=keep kernel database onboard slot path\n"
		"AlternativeNamesPolicy=database onboard slot path\n  MACAddressPolicy=persistent  \n"
		"RxBufferSize=1024\n; a comment\nTxBufferSize = 256\n[SR-IOV]\nVirtualFunction=0\n";
	struct tune_plan p = { .rx_ring = 4096, .channels = 2, .channels_combined = true };
	_cleanup_free_ char *text = NULL;

	(void)state;
	assert_int_equal(tune_link_file("00:50:56:aa:bb:01", current,
					"/usr/lib/systemd/network/99-default.link", &p, &text), 0);
	assert_non_null(strstr(text, "[Match]\nMACAddress=00:50:56:aa:bb:01\nType=ether\n\n[Link]\n"
				     "NamePolicy=keep kernel database onboard slot path\n"
				     "AlternativeNamesPolicy=database onboard slot path\n"
				     "MACAddressPolicy=persistent\n"
				     "TxBufferSize = 256\n"
				     "RxBufferSize=4096\nCombinedChannels=2\n"));
	assert_null(strstr(text, "RxBufferSize=1024")); /* ours replaces it */
	assert_null(strstr(text, "OriginalName"));      /* the old [Match] is not ours */
	assert_null(strstr(text, "VirtualFunction"));   /* nor other sections */
	assert_null(strstr(text, "a comment"));
}

static void test_link_file_name_sorts_first(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

	(void)state;
	assert_int_equal(tune_link_name("ens192", "/usr/lib/systemd/network/99-default.link", &a), 0);
	assert_string_equal(a, "/etc/systemd/network/98-vnic-tune-ens192.link");
	assert_int_equal(tune_link_name("ens192", "/run/systemd/network/10-netplan-ens192.link", &b),
			 0);
	assert_string_equal(b, "/etc/systemd/network/09-vnic-tune-ens192.link");
	assert_int_equal(tune_link_name("eth0", "/etc/systemd/network/00-x.link", &c), 0);
	assert_string_equal(c, "/etc/systemd/network/00-vnic-tune-eth0.link");
	assert_int_equal(tune_link_name("eth0", NULL, &d), 0);
	assert_string_equal(d, "/etc/systemd/network/98-vnic-tune-eth0.link");
}

static void test_sysctl_file(void **state)
{
	struct tune_plan p = { .socket_buffers = 16u << 20 };
	_cleanup_free_ char *text = NULL;
	char buf[64];

	(void)state;
	assert_int_equal(tune_sysctl_file(&p, &nic, &text), 0);
	assert_non_null(strstr(text, "net.core.rmem_max = 16777216\nnet.core.wmem_max = 16777216\n"
				     "net.ipv4.tcp_rmem = 4096 131072 16777216\n"
				     "net.ipv4.tcp_wmem = 4096 16384 16777216\n"));
	/* A default above the new limit comes down to it. */
	assert_int_equal(tune_tcp_mem("4096 131072 6291456", 65536, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4096 65536 65536");
	assert_int_equal(tune_tcp_mem("garbage", 65536, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_and_explicit_values),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_link_file_keeps_the_naming),
		cmocka_unit_test(test_link_file_name_sorts_first),
		cmocka_unit_test(test_sysctl_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
