// SPDX-License-Identifier: GPL-2.0-or-later
/* health: counters by meaning, a sample from a fake root and an injected source, findings. */
#include "sysroot.h"

#include "health/health.h"
#include "lib/strv.h"

/* The injected source: statistics "before" until the sample's sleep, "after" from then on. */
struct fake_stat {
	const char *name;
	uint64_t before, after;
};

static const struct fake_stat *fake_stats;
static size_t n_fake_stats;
static struct eth_rings fake_rings;
static struct eth_channels fake_channels;
static bool slept;
static uint64_t clock_ms;

static int fake_driver(const char *ifname, struct eth_driver *ret)
{
	(void)ifname;
	*ret = (struct eth_driver){ .driver = "vmxnet3", .version = "2.0.0", .bus = "0000:0b:00.0" };
	return 0;
}

static int fake_get_rings(const char *ifname, struct eth_rings *ret)
{
	(void)ifname;
	*ret = fake_rings;
	return 0;
}

static int fake_get_channels(const char *ifname, struct eth_channels *ret)
{
	(void)ifname;
	*ret = fake_channels;
	return 0;
}

static int fake_get_stats(const char *ifname, struct eth_stats *ret)
{
	(void)ifname;
	*ret = (struct eth_stats){ .values = calloc(n_fake_stats + 1, sizeof(uint64_t)) };
	assert_non_null(ret->values);
	for (size_t i = 0; i < n_fake_stats; i++) {
		assert_int_equal(strv_push(&ret->names, fake_stats[i].name), 0);
		ret->values[i] = slept ? fake_stats[i].after : fake_stats[i].before;
	}
	ret->n = n_fake_stats;
	return 0;
}

static void fake_sleep(unsigned ms)
{
	slept = true;
	clock_ms += ms;
}

static uint64_t fake_now(void)
{
	return clock_ms;
}

static const struct health_source fake = {
	.driver = fake_driver, .rings = fake_get_rings, .channels = fake_get_channels,
	.stats = fake_get_stats, .sleep_ms = fake_sleep, .now_ms = fake_now,
};

static void use_stats(const struct fake_stat *s, size_t n)
{
	fake_stats = s;
	n_fake_stats = n;
	slept = false;
}

/* A VMware VM with one VMXNET3 NIC (ens192), one E1000 (ens33), 4 CPUs, tools running and
 * roomy socket buffers. */
static int vm_root(void **state)
{
	sysroot_new(state);
	sysroot_fake_nic("ens192", "0000:0b:00.0", "0x15ad\n", "0x07b0\n", "vmxnet3",
			 "00:50:56:aa:bb:01\n", "0\n", true);
	sysroot_fake_nic("ens33", "0000:02:01.0", "0x8086\n", "0x100f\n", "e1000",
			 "00:0c:29:aa:bb:02\n", "0\n", true);
	sysroot_put("sys/class/net/ens192/statistics/rx_packets", "1000\n", 0644);
	sysroot_put("sys/class/net/ens192/statistics/tx_packets", "500\n", 0644);
	sysroot_put("sys/class/net/ens192/statistics/rx_dropped", "0\n", 0644);
	sysroot_put("sys/devices/system/cpu/online", "0-3\n", 0644);
	sysroot_put("sys/class/dmi/id/sys_vendor", "VMware, Inc.\n", 0644);
	sysroot_put("proc/sys/net/core/rmem_max", "16777216\n", 0644);
	sysroot_put("proc/sys/net/core/wmem_max", "16777216\n", 0644);
	sysroot_put("proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t16777216\n", 0644);
	sysroot_put("proc/sys/net/ipv4/tcp_wmem", "4096\t16384\t16777216\n", 0644);
	sysroot_put("proc/interrupts",
		    "           CPU0       CPU1       CPU2       CPU3\n"
		    "  1:          9          0          0          0   IO-APIC   1-edge      i8042\n"
		    " 56:        100        200          0          0   PCI-MSIX-0000:0b:00.0    0-edge      ens192-rx-0\n"
		    " 57:         10          0          0          0   PCI-MSIX-0000:0b:00.0    1-edge      ens192-event\n"
		    " 58:          5          0          0          0   PCI-MSIX-0000:0c:00.0    0-edge      ens1920-rx-0\n"
		    "NMI:          0          0          0          0   Non-maskable interrupts\n",
		    0644);
	sysroot_put("proc/42/comm", "vmtoolsd\n", 0644);
	sysroot_put("usr/bin/vmtoolsd", "", 0755);
	fake_rings = (struct eth_rings){ .rx = 256, .rx_max = 4096, .tx = 512, .tx_max = 4096 };
	fake_channels = (struct eth_channels){ .combined = 4, .combined_max = 4 };
	return 0;
}

static const struct health_finding *find(const struct health_findings *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (streq(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

static void test_counter_names(void **state)
{
	(void)state;
	assert_int_equal(health_counter_from_stat("rx0_dev_out_of_buf"), HC_RX_NO_BUFFER);
	assert_int_equal(health_counter_from_stat("rx15_dev_out_of_buf"), HC_RX_NO_BUFFER);
	assert_int_equal(health_counter_from_stat("  pkts rx OOB"), HC_RX_NO_BUFFER);
	assert_int_equal(health_counter_from_stat("tx3_stops"), HC_TX_STOPS);
	assert_int_equal(health_counter_from_stat("  ring full"), HC_TX_STOPS);
	assert_int_equal(health_counter_from_stat("rx1_alloc_fail"), HC_RX_ALLOC_FAIL);
	assert_int_equal(health_counter_from_stat("  rx buf alloc fail"), HC_RX_ALLOC_FAIL);
	assert_int_equal(health_counter_from_stat("tx timeout count"), HC_TX_TIMEOUTS);
	assert_int_equal(health_counter_from_stat("resets"), HC_RESETS);
	/* Not a trouble counter, or not a queue prefix. */
	assert_int_equal(health_counter_from_stat("rx0_bytes"), -1);
	assert_int_equal(health_counter_from_stat("rxq_dev_out_of_buf"), -1);
	assert_int_equal(health_counter_from_stat("rx0dev_out_of_buf"), -1);
	assert_int_equal(health_counter_from_stat(""), -1);
}

static void test_drops_named_with_the_remedy(void **state)
{
	static const struct fake_stat st[] = {
		{ "rx0_dev_out_of_buf", 100, 8100 }, { "rx1_dev_out_of_buf", 0, 4000 },
		{ "rx0_bytes", 5, 900 },             { "tx0_stops", 7, 7 },
		{ "resets", 0, 0 },
	};
	struct health_findings f = {};
	const struct health_finding *x;
	struct health h = {};

	(void)state;
	use_stats(st, ELEMENTSOF(st));
	assert_int_equal(health_collect(sysroot, &fake, 10000, &h), 0);
	assert_int_equal(h.n_nics, 1);
	assert_string_equal(h.nics[0].name, "ens192");
	assert_true(strv_contains(h.e1000s, "ens33"));
	assert_int_equal(h.cpus, 4);
	assert_true(h.tools.vmware && h.tools.installed && h.tools.running);
	assert_int_equal(h.sysctl.tcp_rmem_max, 16777216);
	assert_int_equal(health_delta(&h.nics[0], HC_RX_NO_BUFFER), 12000);
	assert_int_equal(h.nics[0].after.counter[HC_RX_NO_BUFFER], 12100);
	assert_int_equal(health_delta(&h.nics[0], HC_TX_STOPS), 0);
	assert_int_equal(health_delta(&h.nics[0], HC_TX_TIMEOUTS), -1); /* not counted */
	/* Its own vectors only: not ens1920's, not the keyboard's. */
	assert_int_equal(h.nics[0].after.n_irqs, 2);
	assert_string_equal(h.nics[0].after.irqs[0].name, "ens192-rx-0");
	assert_int_equal(h.nics[0].after.irqs[0].count, 300);

	assert_int_equal(health_assess(&h, &f), 0);
	assert_int_equal(health_findings_worst(&f), HEALTH_WARNING);
	x = find(&f, "rx-no-buffer");
	assert_non_null(x);
	assert_string_equal(x->nic, "ens192");
	assert_non_null(strstr(x->message, "12000 packets dropped for lack of receive buffers in 10 s "
					   "(rx ring 256 of 4096)"));
	assert_non_null(strstr(x->recommendation, "vnic-install tune --to ens192 --rx-ring 4096"));
	x = find(&f, "e1000");
	assert_non_null(x);
	assert_non_null(strstr(x->recommendation, "vnic-install swap --from ens33"));
	assert_null(find(&f, "tx-stops"));
	assert_null(find(&f, "tools-missing"));
	assert_null(find(&f, "tools-stopped"));
	assert_null(find(&f, "socket-buffers"));
	assert_null(find(&f, "channels")); /* 4 queues for 4 CPUs */
	health_findings_done(&f);
	health_done(&h);
}

static void test_quiet_nic_has_no_findings(void **state)
{
	static const struct fake_stat st[] = {
		{ "rx0_dev_out_of_buf", 0, 0 }, { "tx0_stops", 3, 3 }, { "resets", 0, 0 },
	};
	struct health_findings f = {};
	struct health h = {};
	char p[PATH_MAX * 2];

	(void)state;
	assert_int_equal(unlink(sysroot_path("sys/class/net/ens33", p)), 0); /* swapped already */
	use_stats(st, ELEMENTSOF(st));
	assert_int_equal(health_collect(sysroot, &fake, 5000, &h), 0);
	assert_int_equal(health_assess(&h, &f), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(health_findings_worst(&f), HEALTH_OK);
	health_findings_done(&f);
	health_done(&h);
}

static void test_ring_at_maximum_and_kernel_driver_names(void **state)
{
	/* The kernel's vmxnet3 driver repeats its names for each queue. */
	static const struct fake_stat st[] = {
		{ "Rx Queue#", 0, 0 },       { "  pkts rx OOB", 10, 30 }, { "Rx Queue#", 1, 1 },
		{ "  pkts rx OOB", 0, 5 },   { "  ring full", 0, 40 },    { "tx timeout count", 2, 2 },
	};
	struct health_findings f = {};
	const struct health_finding *x;
	struct health h = {};

	(void)state;
	fake_rings = (struct eth_rings){ .rx = 4096, .rx_max = 4096, .tx = 512, .tx_max = 4096 };
	fake_channels = (struct eth_channels){ .combined = 1, .combined_max = 8 };
	use_stats(st, ELEMENTSOF(st));
	assert_int_equal(health_collect(sysroot, &fake, 2000, &h), 0);
	assert_int_equal(health_delta(&h.nics[0], HC_RX_NO_BUFFER), 25);
	assert_int_equal(health_assess(&h, &f), 0);
	x = find(&f, "rx-no-buffer");
	assert_non_null(x);
	assert_non_null(strstr(x->recommendation, "at its maximum"));
	x = find(&f, "tx-stops");
	assert_non_null(x);
	assert_non_null(strstr(x->message, "stopped 40 times in 2 s"));
	assert_non_null(strstr(x->recommendation, "vnic-install tune --to ens192 --tx-ring 4096"));
	x = find(&f, "resets");
	assert_non_null(x);
	assert_non_null(strstr(x->message, "2 transmit timeouts"));
	x = find(&f, "channels");
	assert_non_null(x);
	assert_non_null(strstr(x->recommendation, "vnic-install tune --to ens192 --channels 4"));
	health_findings_done(&f);
	health_done(&h);
}

static void test_counter_that_went_back(void **state)
{
	/* The driver was reloaded during the sample: count from zero, not a huge number. */
	static const struct fake_stat st[] = { { "rx0_dev_out_of_buf", 5000, 7 } };
	struct health h = {};

	(void)state;
	use_stats(st, ELEMENTSOF(st));
	assert_int_equal(health_collect(sysroot, &fake, 1000, &h), 0);
	assert_int_equal(health_delta(&h.nics[0], HC_RX_NO_BUFFER), 7);
	health_done(&h);
}

static void test_tools_and_sockets(void **state)
{
	static const struct fake_stat st[] = { { "resets", 0, 0 } };
	struct health_findings f = {};
	const struct health_finding *x;
	struct health h = {};
	char p[PATH_MAX * 2];

	(void)state;
	assert_int_equal(unlink(sysroot_path("proc/42/comm", p)), 0);
	sysroot_put("proc/sys/net/core/rmem_max", "212992\n", 0644);
	use_stats(st, ELEMENTSOF(st));
	assert_int_equal(health_collect(sysroot, &fake, 0, &h), 0);
	assert_false(slept); /* --interval 0: totals only */
	assert_int_equal(health_assess(&h, &f), 0);
	x = find(&f, "tools-stopped");
	assert_non_null(x);
	assert_int_equal(x->severity, HEALTH_WARNING); /* a VMware VM */
	x = find(&f, "socket-buffers");
	assert_non_null(x);
	assert_non_null(strstr(x->message, "net.core.rmem_max 212992"));
	assert_null(strstr(x->message, "wmem")); /* only the ones that are low */
	health_findings_done(&f);
	health_done(&h);

	/* Outside VMware, missing tools are only worth a note. */
	assert_int_equal(unlink(sysroot_path("usr/bin/vmtoolsd", p)), 0);
	sysroot_put("sys/class/dmi/id/sys_vendor", "QEMU\n", 0644);
	assert_int_equal(health_collect(sysroot, &fake, 0, &h), 0);
	assert_int_equal(health_assess(&h, &f), 0);
	x = find(&f, "tools-missing");
	assert_non_null(x);
	assert_int_equal(x->severity, HEALTH_INFO);
	assert_null(x->recommendation);
	health_findings_done(&f);
	health_done(&h);
}

static void test_vmtools_as_detect_reads_them(void **state)
{
	struct vmtools t;

	(void)state;
	vmtools_detect(sysroot, false, &t); /* offline: a process list says nothing */
	assert_true(t.installed && t.vmware);
	assert_false(t.running);
	vmtools_detect(sysroot, true, &t);
	assert_true(t.running);
}

static void test_no_nics(void **state)
{
	struct health_findings f = {};
	struct health h = {};

	(void)state;
	assert_int_equal(health_collect(sysroot, &fake, 1000, &h), 0);
	assert_int_equal(h.n_nics, 0);
	assert_false(slept); /* nothing to sample */
	assert_int_equal(health_assess(&h, &f), 0);
	health_findings_done(&f);
	health_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_names),
		cmocka_unit_test_setup(test_drops_named_with_the_remedy, vm_root),
		cmocka_unit_test_setup(test_quiet_nic_has_no_findings, vm_root),
		cmocka_unit_test_setup(test_ring_at_maximum_and_kernel_driver_names, vm_root),
		cmocka_unit_test_setup(test_counter_that_went_back, vm_root),
		cmocka_unit_test_setup(test_tools_and_sockets, vm_root),
		cmocka_unit_test_setup(test_vmtools_as_detect_reads_them, vm_root),
		cmocka_unit_test_setup(test_no_nics, sysroot_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
