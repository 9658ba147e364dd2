// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "system/ethtool.h"

/* The statistics of one driver are a few hundred at most; anything above is refused. */
#define ETH_STATS_MAX 8192u

static int eth_ioctl(const char *ifname, void *cmd)
{
	_cleanup_close_ int fd = -1;
	struct ifreq ifr = {};

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -EINVAL;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	return 0;
}

static void copy_field(char *dst, size_t size, const char *src, size_t src_size)
{
	size_t n = strnlen(src, src_size);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int eth_get_driver(const char *ifname, struct eth_driver *ret)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	int r = eth_ioctl(ifname, &info);

	if (r < 0)
		return r;
	copy_field(ret->driver, sizeof(ret->driver), info.driver, sizeof(info.driver));
	copy_field(ret->version, sizeof(ret->version), info.version, sizeof(info.version));
	copy_field(ret->firmware, sizeof(ret->firmware), info.fw_version, sizeof(info.fw_version));
	copy_field(ret->bus, sizeof(ret->bus), info.bus_info, sizeof(info.bus_info));
	return 0;
}

int eth_get_rings(const char *ifname, struct eth_rings *ret)
{
	struct ethtool_ringparam rp = { .cmd = ETHTOOL_GRINGPARAM };
	int r = eth_ioctl(ifname, &rp);

	if (r < 0)
		return r;
	*ret = (struct eth_rings){ .rx = rp.rx_pending, .rx_max = rp.rx_max_pending,
				   .rx_jumbo = rp.rx_jumbo_pending,
				   .rx_jumbo_max = rp.rx_jumbo_max_pending,
				   .tx = rp.tx_pending, .tx_max = rp.tx_max_pending };
	return 0;
}

int eth_get_channels(const char *ifname, struct eth_channels *ret)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int r = eth_ioctl(ifname, &ch);

	if (r < 0)
		return r;
	*ret = (struct eth_channels){ .rx = ch.rx_count, .tx = ch.tx_count,
				      .combined = ch.combined_count, .rx_max = ch.max_rx,
				      .tx_max = ch.max_tx, .combined_max = ch.max_combined };
	return 0;
}

/* The number of statistics the driver has (ETH_SS_STATS). */
static int stats_count(const char *ifname, size_t *ret)
{
	/* The header and its one data word (the set's length), in aligned storage. */
	uint64_t buf[(sizeof(struct ethtool_sset_info) + sizeof(uint32_t) + 7) / 8] = {};
	struct ethtool_sset_info *q = (struct ethtool_sset_info *)buf;
	int r;

	q->cmd = ETHTOOL_GSSET_INFO;
	q->sset_mask = 1ull << ETH_SS_STATS;
	r = eth_ioctl(ifname, q);
	if (r < 0)
		return r;
	if (!(q->sset_mask & (1ull << ETH_SS_STATS)))
		return -EOPNOTSUPP;
	if (q->data[0] > ETH_STATS_MAX)
		return -E2BIG;
	*ret = q->data[0];
	return 0;
}

static int stats_names(const char *ifname, size_t n, char ***ret)
{
	_cleanup_free_ struct ethtool_gstrings *gs = NULL;
	char **names = NULL;
	int r;

	gs = calloc(1, sizeof(*gs) + n * ETH_GSTRING_LEN);
	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = (uint32_t)n;
	r = eth_ioctl(ifname, gs);
	if (r < 0)
		return r;
	if (gs->len != n)
		return -EAGAIN; /* the set changed between the two calls */
	for (size_t i = 0; i < n; i++) {
		char name[ETH_GSTRING_LEN + 1];

		copy_field(name, sizeof(name), (const char *)gs->data + i * ETH_GSTRING_LEN,
			   ETH_GSTRING_LEN);
		r = strv_push(&names, name);
		if (r < 0) {
			strv_free(names);
			return r;
		}
	}
	*ret = names;
	return 0;
}

int eth_get_stats(const char *ifname, struct eth_stats *ret)
{
	_cleanup_free_ struct ethtool_stats *st = NULL;
	char **names = NULL;
	size_t n;
	int r;

	r = stats_count(ifname, &n);
	if (r < 0)
		return r;
	r = stats_names(ifname, n, &names);
	if (r < 0)
		return r;
	st = calloc(1, sizeof(*st) + n * sizeof(uint64_t));
	r = st ? 0 : -ENOMEM;
	if (r == 0) {
		st->cmd = ETHTOOL_GSTATS;
		st->n_stats = (uint32_t)n;
		r = eth_ioctl(ifname, st);
	}
	if (r == 0 && st->n_stats != n)
		r = -EAGAIN;
	if (r == 0) {
		ret->values = malloc((n ? n : 1) * sizeof(uint64_t));
		r = ret->values ? 0 : -ENOMEM;
	}
	if (r < 0) {
		strv_free(names);
		return r;
	}
	memcpy(ret->values, st->data, n * sizeof(uint64_t));
	ret->names = names;
	ret->n = n;
	return 0;
}

void eth_stats_done(struct eth_stats *s)
{
	strv_free(s->names);
	free(s->values);
	*s = (struct eth_stats){};
}

int64_t eth_stats_get(const struct eth_stats *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->names[i], name))
			return (int64_t)s->values[i];
	return -1;
}
