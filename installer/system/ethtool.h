/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel's ethtool interface says about a live interface (SIOCETHTOOL, the same calls
 * `ethtool -i/-g/-l/-S` make; none of them needs root): the driver, ring sizes and their
 * maxima, channel counts, and the driver's statistics by name. Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eth_driver {
	char driver[32], version[32], firmware[32], bus[32];
};

struct eth_rings {
	unsigned rx, rx_max, rx_jumbo, rx_jumbo_max, tx, tx_max;
};

struct eth_channels {
	unsigned rx, tx, combined, rx_max, tx_max, combined_max;
};

struct eth_stats {
	char **names;     /* strv */
	uint64_t *values; /* n values, in the order of names */
	size_t n;
};

/* Each returns 0 or -errno (-EOPNOTSUPP when the driver has no such call, -ENODEV when there
 * is no such interface). */
int eth_get_driver(const char *ifname, struct eth_driver *ret);
int eth_get_rings(const char *ifname, struct eth_rings *ret);
int eth_get_channels(const char *ifname, struct eth_channels *ret);
int eth_get_stats(const char *ifname, struct eth_stats *ret);
void eth_stats_done(struct eth_stats *s);
/* The value of the statistic called name, or -1 when there is none. */
int64_t eth_stats_get(const struct eth_stats *s, const char *name);
