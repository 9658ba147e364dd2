// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which ethtool statistics mean what. vnic's driver names them per queue ("rx0_dev_out_of_buf",
 * "tx1_stops"); the kernel's vmxnet3 driver repeats one set of names for every queue, indented
 * ("  pkts rx OOB", "  ring full"). Both are matched after the queue prefix and the indent are
 * taken off, and summed over the queues. Packet counts and rx_dropped come from sysfs
 * (the kernel's own counters, the same for every driver).
 */
#include <ctype.h>
#include <string.h>

#include "health/health.h"
#include "lib/macro.h"

static const struct {
	enum health_counter c;
	const char *name;
} stat_names[] = {
	/* vnic's driver */
	{ HC_RX_NO_BUFFER, "rx_dev_out_of_buf" },
	{ HC_RX_ALLOC_FAIL, "rx_alloc_fail" },
	{ HC_RX_ERRORS, "rx_dev_err_pkts" },
	{ HC_RX_ERRORS, "rx_err_drops" },
	{ HC_RX_ERRORS, "rx_bad_comp" },
	{ HC_TX_STOPS, "tx_stops" },
	{ HC_TX_DROPS, "tx_drops" },
	{ HC_TX_DROPS, "tx_map_errors" },
	{ HC_TX_ERRORS, "tx_dev_err_pkts" },
	{ HC_TX_ERRORS, "tx_dev_discard_pkts" },
	{ HC_TX_TIMEOUTS, "tx_timeouts" },
	{ HC_RESETS, "resets" },
	/* the kernel's vmxnet3 driver */
	{ HC_RX_NO_BUFFER, "pkts rx OOB" },
	{ HC_RX_ALLOC_FAIL, "rx buf alloc fail" },
	{ HC_RX_ERRORS, "pkts rx err" },
	{ HC_TX_STOPS, "ring full" },
	{ HC_TX_DROPS, "drv dropped tx total" },
	{ HC_TX_ERRORS, "pkts tx err" },
	{ HC_TX_ERRORS, "pkts tx discard" },
	{ HC_TX_TIMEOUTS, "tx timeout count" },
};

static const char *const counter_names[_HC_MAX] = {
	[HC_RX_PACKETS] = "rx_packets",       [HC_RX_NO_BUFFER] = "rx_no_buffer",
	[HC_RX_ALLOC_FAIL] = "rx_alloc_fail", [HC_RX_ERRORS] = "rx_errors",
	[HC_RX_DROPPED] = "rx_dropped",       [HC_TX_PACKETS] = "tx_packets",
	[HC_TX_STOPS] = "tx_stops",           [HC_TX_DROPS] = "tx_drops",
	[HC_TX_ERRORS] = "tx_errors",         [HC_TX_TIMEOUTS] = "tx_timeouts",
	[HC_RESETS] = "resets",
};

const char *health_counter_to_string(enum health_counter c)
{
	return c < _HC_MAX ? counter_names[c] : NULL;
}

/* "rx12_dev_out_of_buf" -> "rx_dev_out_of_buf"; "  pkts rx OOB" -> "pkts rx OOB". */
static void normalize(const char *name, char *buf, size_t size)
{
	size_t n;

	while (*name == ' ' || *name == '\t')
		name++;
	n = strlen(name);
	while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	if (n >= size)
		n = size - 1;
	if ((strncmp(name, "rx", 2) == 0 || strncmp(name, "tx", 2) == 0) &&
	    isdigit((unsigned char)name[2])) {
		size_t d = 2;

		while (d < n && isdigit((unsigned char)name[d]))
			d++;
		if (d < n && name[d] == '_') {
			memcpy(buf, name, 2);
			memcpy(buf + 2, name + d, n - d);
			buf[2 + n - d] = '\0';
			return;
		}
	}
	memcpy(buf, name, n);
	buf[n] = '\0';
}

int health_counter_from_stat(const char *name)
{
	char buf[64];

	normalize(name, buf, sizeof(buf));
	for (size_t i = 0; i < ELEMENTSOF(stat_names); i++)
		if (streq(buf, stat_names[i].name))
			return (int)stat_names[i].c;
	return -1;
}
