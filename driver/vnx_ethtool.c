// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnic vmxnet3-class driver: ethtool.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "vnx_compat.h"
#include "vnx_drv.h"

struct vnx_stat_desc {
	const char *name;
	size_t offset;
};

#define VNX_TX_STAT(f)	{ #f, offsetof(struct vnx_tx_stats, f) }
#define VNX_RX_STAT(f)	{ #f, offsetof(struct vnx_rx_stats, f) }
#define VNX_DEV_STAT(f)	{ #f, offsetof(struct vnx_dev_stats, f) }

static const struct vnx_stat_desc vnx_dev_stat_descs[] = {
	VNX_DEV_STAT(events),
	VNX_DEV_STAT(link_events),
	VNX_DEV_STAT(queue_errors),
	VNX_DEV_STAT(resets),
	VNX_DEV_STAT(tx_timeouts),
	VNX_DEV_STAT(reset_failures),
	VNX_DEV_STAT(filter_cmds),
	VNX_DEV_STAT(forced_closes),
	VNX_DEV_STAT(rss_cmds),
	VNX_DEV_STAT(suspends),
	VNX_DEV_STAT(resumes),
};

static const struct vnx_stat_desc vnx_tx_stat_descs[] = {
	VNX_TX_STAT(packets),
	VNX_TX_STAT(bytes),
	VNX_TX_STAT(doorbells),
	VNX_TX_STAT(deferred),
	VNX_TX_STAT(tso),
	VNX_TX_STAT(csum),
	VNX_TX_STAT(vlan),
	VNX_TX_STAT(stops),
	VNX_TX_STAT(wakes),
	VNX_TX_STAT(busy),
	VNX_TX_STAT(linearized),
	VNX_TX_STAT(drops),
	VNX_TX_STAT(map_errors),
	VNX_TX_STAT(inline_reaped),
	VNX_TX_STAT(irq_armed),
};

static const struct vnx_stat_desc vnx_rx_stat_descs[] = {
	VNX_RX_STAT(packets),
	VNX_RX_STAT(bytes),
	VNX_RX_STAT(csum_ok),
	VNX_RX_STAT(lro),
	VNX_RX_STAT(vlan),
	VNX_RX_STAT(alloc_fail),
	VNX_RX_STAT(err_drops),
	VNX_RX_STAT(frag_drops),
	VNX_RX_STAT(bad_comp),
	VNX_RX_STAT(copybreak),
	VNX_RX_STAT(polls),
};

/* Device counters, in the device's order (enum vnx_dev_tx_stat / rx_stat). */
static const char * const vnx_dev_tx_names[VNX_DTX_NUM] = {
	"dev_tso_pkts", "dev_tso_bytes", "dev_ucast_pkts", "dev_ucast_bytes",
	"dev_mcast_pkts", "dev_mcast_bytes", "dev_bcast_pkts", "dev_bcast_bytes",
	"dev_err_pkts", "dev_discard_pkts",
};

static const char * const vnx_dev_rx_names[VNX_DRX_NUM] = {
	"dev_lro_pkts", "dev_lro_bytes", "dev_ucast_pkts", "dev_ucast_bytes",
	"dev_mcast_pkts", "dev_mcast_bytes", "dev_bcast_pkts", "dev_bcast_bytes",
	"dev_out_of_buf", "dev_err_pkts",
};

static void vnx_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	struct vnx_adapter *a = netdev_priv(dev);

	strscpy(info->driver, VNX_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, VNX_DRV_VERSION, sizeof(info->version));
	strscpy(info->bus_info, pci_name(a->pdev), sizeof(info->bus_info));
	snprintf(info->fw_version, sizeof(info->fw_version), "rev %u", a->rev);
}

static int vnx_get_link_ksettings(struct net_device *dev, struct ethtool_link_ksettings *ks)
{
	struct vnx_adapter *a = netdev_priv(dev);
	u32 speed = READ_ONCE(a->link_speed);

	ethtool_link_ksettings_zero_link_mode(ks, supported);
	ethtool_link_ksettings_zero_link_mode(ks, advertising);
	ks->base.port = PORT_OTHER;
	ks->base.autoneg = AUTONEG_DISABLE;
	if (netif_carrier_ok(dev) && speed) {
		ks->base.speed = speed;
		ks->base.duplex = DUPLEX_FULL;
	} else {
		ks->base.speed = SPEED_UNKNOWN;
		ks->base.duplex = DUPLEX_UNKNOWN;
	}
	return 0;
}

static void vnx_get_ringparam(VNX_RINGPARAM_ARGS)
{
	struct vnx_adapter *a = netdev_priv(dev);

	ring->rx_max_pending = VNX_RING_MAX;
	ring->rx_jumbo_max_pending = VNX_RING_MAX;
	ring->tx_max_pending = VNX_RING_MAX;
	ring->rx_mini_max_pending = 0;
	ring->rx_pending = a->rx_ring_size[0];
	ring->rx_jumbo_pending = a->rx_ring_size[1];
	ring->tx_pending = a->tx_ring_size;
	ring->rx_mini_pending = 0;
}

static bool vnx_ring_size_ok(u32 v)
{
	return v >= VNX_MIN_RING && v <= VNX_RING_MAX && !(v % VNX_RING_ALIGN);
}

static int vnx_set_ringparam(VNX_RINGPARAM_ARGS)
{
	struct netlink_ext_ack *ea = VNX_RINGPARAM_EXTACK;
	struct vnx_adapter *a = netdev_priv(dev);

	if (ring->rx_mini_pending) {
		vnx_compat_extack_msg(ea, "vmxnet3 has no rx mini ring");
		return -EINVAL;
	}
	if (!vnx_ring_size_ok(ring->rx_pending) || !vnx_ring_size_ok(ring->tx_pending) ||
	    !vnx_ring_size_ok(ring->rx_jumbo_pending)) {
		vnx_compat_extack_msg(ea, "ring sizes must be multiples of 32 between 32 and 4096");
		netdev_info(dev, "ring sizes must be multiples of 32 between 32 and 4096\n");
		return -EINVAL;
	}
	if (ring->rx_pending == a->rx_ring_size[0] && ring->tx_pending == a->tx_ring_size &&
	    ring->rx_jumbo_pending == a->rx_ring_size[1])
		return 0;
	return vnx_reconfigure(a, a->num_tx, a->num_rx, ring->tx_pending, ring->rx_pending,
			       ring->rx_jumbo_pending);
}

static void vnx_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct vnx_adapter *a = netdev_priv(dev);
	bool msix = a->intr_mode == VNX_INTR_MSIX;

	ch->max_tx = msix ? VNX_MAX_TX_QUEUES : 1;
	ch->max_rx = msix ? VNX_MAX_RX_QUEUES : 1;
	ch->max_combined = 0;
	ch->max_other = 0;
	ch->tx_count = a->num_tx;
	ch->rx_count = a->num_rx;
	ch->combined_count = 0;
	ch->other_count = 0;
}

static int vnx_set_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct vnx_adapter *a = netdev_priv(dev);

	if (ch->combined_count || ch->other_count || !ch->tx_count || !ch->rx_count)
		return -EINVAL;
	if (a->intr_mode != VNX_INTR_MSIX && (ch->tx_count > 1 || ch->rx_count > 1))
		return -EINVAL;
	if (ch->tx_count > VNX_MAX_TX_QUEUES || ch->rx_count > VNX_MAX_RX_QUEUES)
		return -EINVAL;
	/* set_channels has no extack (up to 6.12 at least): say it in the log. */
	if (!vnx_queue_count_ok(a, ch->tx_count) || !vnx_queue_count_ok(a, ch->rx_count)) {
		netdev_err(dev, "queue counts must be a power of two on device revision %u (asked tx %u rx %u)\n",
			   a->rev, ch->tx_count, ch->rx_count);
		return -EINVAL;
	}
	if (ch->tx_count == a->num_tx && ch->rx_count == a->num_rx)
		return 0;
	return vnx_reconfigure(a, ch->tx_count, ch->rx_count, a->tx_ring_size,
			       a->rx_ring_size[0], a->rx_ring_size[1]);
}

/*
 * Interrupt moderation: revision 1 knows per-vector levels only, of which
 * we offer the device's adaptive one (the default) or none.
 */
static int vnx_get_coalesce(VNX_COALESCE_ARGS)
{
	struct vnx_adapter *a = netdev_priv(dev);

	ec->use_adaptive_rx_coalesce = a->adaptive_coal;
	ec->use_adaptive_tx_coalesce = a->adaptive_coal;
	return 0;
}

static int vnx_set_coalesce(VNX_COALESCE_ARGS)
{
	struct netlink_ext_ack *ea = VNX_COALESCE_EXTACK;
	struct vnx_adapter *a = netdev_priv(dev);

	if (ec->use_adaptive_rx_coalesce != ec->use_adaptive_tx_coalesce) {
		vnx_compat_extack_msg(ea, "vmxnet3 moderates rx and tx together: set adaptive-rx and adaptive-tx alike");
		return -EINVAL;
	}
	if (!!ec->use_adaptive_rx_coalesce == a->adaptive_coal)
		return 0;
	a->adaptive_coal = ec->use_adaptive_rx_coalesce;
	vnx_coalesce_apply(a);
	return 0;
}

static unsigned int vnx_stats_count(struct vnx_adapter *a)
{
	return ARRAY_SIZE(vnx_dev_stat_descs) +
	       a->num_tx * (ARRAY_SIZE(vnx_tx_stat_descs) + VNX_DTX_NUM) +
	       a->num_rx * (ARRAY_SIZE(vnx_rx_stat_descs) + VNX_DRX_NUM);
}

static int vnx_get_sset_count(struct net_device *dev, int sset)
{
	if (sset == ETH_SS_STATS)
		return vnx_stats_count(netdev_priv(dev));
	return -EOPNOTSUPP;
}

static void vnx_put_string(u8 **p, const char *fmt, unsigned int q, const char *name)
{
	snprintf((char *)*p, ETH_GSTRING_LEN, fmt, q, name);
	*p += ETH_GSTRING_LEN;
}

static void vnx_get_strings(struct net_device *dev, u32 sset, u8 *p)
{
	struct vnx_adapter *a = netdev_priv(dev);
	unsigned int q, i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(vnx_dev_stat_descs); i++) {
		strscpy((char *)p, vnx_dev_stat_descs[i].name, ETH_GSTRING_LEN);
		p += ETH_GSTRING_LEN;
	}
	for (q = 0; q < a->num_tx; q++) {
		for (i = 0; i < ARRAY_SIZE(vnx_tx_stat_descs); i++)
			vnx_put_string(&p, "tx%u_%s", q, vnx_tx_stat_descs[i].name);
		for (i = 0; i < VNX_DTX_NUM; i++)
			vnx_put_string(&p, "tx%u_%s", q, vnx_dev_tx_names[i]);
	}
	for (q = 0; q < a->num_rx; q++) {
		for (i = 0; i < ARRAY_SIZE(vnx_rx_stat_descs); i++)
			vnx_put_string(&p, "rx%u_%s", q, vnx_rx_stat_descs[i].name);
		for (i = 0; i < VNX_DRX_NUM; i++)
			vnx_put_string(&p, "rx%u_%s", q, vnx_dev_rx_names[i]);
	}
}

static void vnx_get_ethtool_stats(struct net_device *dev, struct ethtool_stats *st, u64 *data)
{
	struct vnx_adapter *a = netdev_priv(dev);
	bool up = READ_ONCE(a->up);
	unsigned int q, i, start;

	if (up)
		vnx_cmd_get_stats(a);

	for (i = 0; i < ARRAY_SIZE(vnx_dev_stat_descs); i++)
		*data++ = *(u64 *)((u8 *)&a->dstats + vnx_dev_stat_descs[i].offset);

	for (q = 0; q < a->num_tx; q++) {
		struct vnx_tx_stats *ts = &a->txq[q].stats;

		do {
			start = u64_stats_fetch_begin(&ts->sync);
			for (i = 0; i < ARRAY_SIZE(vnx_tx_stat_descs); i++)
				data[i] = *(u64 *)((u8 *)ts + vnx_tx_stat_descs[i].offset);
		} while (u64_stats_fetch_retry(&ts->sync, start));
		data += ARRAY_SIZE(vnx_tx_stat_descs);
		for (i = 0; i < VNX_DTX_NUM; i++)
			*data++ = up ? le64_to_cpu(vnx_txq_desc(a, q)->stats[i]) : 0;
	}
	for (q = 0; q < a->num_rx; q++) {
		struct vnx_rx_stats *rs = &a->rxq[q].stats;

		do {
			start = u64_stats_fetch_begin(&rs->sync);
			for (i = 0; i < ARRAY_SIZE(vnx_rx_stat_descs); i++)
				data[i] = *(u64 *)((u8 *)rs + vnx_rx_stat_descs[i].offset);
		} while (u64_stats_fetch_retry(&rs->sync, start));
		data += ARRAY_SIZE(vnx_rx_stat_descs);
		for (i = 0; i < VNX_DRX_NUM; i++)
			*data++ = up ? le64_to_cpu(vnx_rxq_desc(a, q)->stats[i]) : 0;
	}
}

/*
 * ethtool --reset: the device's own components (DMA rings, filters,
 * offloads, MAC, interrupts) are rebuilt by the same reset worker that
 * recovers from queue errors and tx timeouts. Asynchronous: the worker
 * takes RTNL, which our caller holds.
 */
static int vnx_reset(struct net_device *dev, u32 *flags)
{
	const u32 ours = ETH_RESET_DMA | ETH_RESET_FILTER | ETH_RESET_OFFLOAD |
			 ETH_RESET_MAC | ETH_RESET_IRQ;
	struct vnx_adapter *a = netdev_priv(dev);

	if (!(*flags & ours))
		return -EOPNOTSUPP;
	if (!netif_running(dev))
		return -ENETDOWN;
	*flags &= ~ours;
	vnx_reset_schedule(a);
	return 0;
}

/* ---- RSS (ethtool -x / -X) ------------------------------------------- */

static int vnx_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *nfc, u32 *rules)
{
	struct vnx_adapter *a = netdev_priv(dev);

	if (nfc->cmd != ETHTOOL_GRXRINGS)
		return -EOPNOTSUPP;
	nfc->data = a->num_rx;
	return 0;
}

static u32 vnx_get_rxfh_key_size(struct net_device *dev)
{
	return VNX_RSS_KEY_SIZE;
}

static u32 vnx_get_rxfh_indir_size(struct net_device *dev)
{
	return VNX_RSS_INDIR_SIZE;
}

static void vnx_rss_get(struct vnx_adapter *a, u32 *indir, u8 *key, u8 *hfunc)
{
	unsigned int i;

	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	if (key)
		memcpy(key, a->rss_key, VNX_RSS_KEY_SIZE);
	if (indir)
		for (i = 0; i < VNX_RSS_INDIR_SIZE; i++)
			indir[i] = a->rss_indir[i];
}

/*
 * The device hashes with Toeplitz only. The core has checked the key size
 * and that every table entry names an existing rx queue. RTNL held.
 */
static int vnx_rss_set(struct vnx_adapter *a, const u32 *indir, const u8 *key, u8 hfunc)
{
	unsigned int i;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP) {
		netdev_info(a->netdev, "vmxnet3 hashes with Toeplitz only\n");
		return -EOPNOTSUPP;
	}
	if (indir)
		for (i = 0; i < VNX_RSS_INDIR_SIZE; i++)
			if (indir[i] >= a->num_rx)
				return -EINVAL;
	if (key)
		memcpy(a->rss_key, key, VNX_RSS_KEY_SIZE);
	if (indir)
		for (i = 0; i < VNX_RSS_INDIR_SIZE; i++)
			a->rss_indir[i] = indir[i];
	vnx_rss_apply(a);
	return 0;
}

#ifdef VNX_HAVE_RXFH_PARAM
static int vnx_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p)
{
	vnx_rss_get(netdev_priv(dev), p->indir, p->key, &p->hfunc);
	return 0;
}

static int vnx_set_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p,
			struct netlink_ext_ack *extack)
{
	if (p->rss_context) {
		NL_SET_ERR_MSG(extack, "vmxnet3 has one RSS context");
		return -EOPNOTSUPP;
	}
	if (p->hfunc != ETH_RSS_HASH_NO_CHANGE && p->hfunc != ETH_RSS_HASH_TOP)
		NL_SET_ERR_MSG(extack, "vmxnet3 hashes with Toeplitz only");
	return vnx_rss_set(netdev_priv(dev), p->indir, p->key, p->hfunc);
}
#else
static int vnx_get_rxfh(struct net_device *dev, u32 *indir, u8 *key, u8 *hfunc)
{
	vnx_rss_get(netdev_priv(dev), indir, key, hfunc);
	return 0;
}

static int vnx_set_rxfh(struct net_device *dev, const u32 *indir, const u8 *key,
			const u8 hfunc)
{
	return vnx_rss_set(netdev_priv(dev), indir, key, hfunc);
}
#endif

/* ---- register dump (ethtool -d) ---------------------------------------- */

/*
 * Layout (version VNX_REGS_VERSION): the readable BAR1 registers and the
 * driver's view of the device, then the device-visible memory as the
 * device reads it: the shared area, the RSS configuration, and every queue
 * descriptor slot. ICR is left out: reading it acknowledges an interrupt.
 */
#define VNX_REGS_VERSION	1

enum vnx_regs_word {
	VNX_REGW_VRRS,
	VNX_REGW_UVRS,
	VNX_REGW_MACL,
	VNX_REGW_MACH,
	VNX_REGW_REV,
	VNX_REGW_NUM_TX,
	VNX_REGW_NUM_RX,
	VNX_REGW_UP,
	VNX_REGW_NUM
};

#define VNX_REGS_QDESC_LEN	((VNX_MAX_TX_QUEUES + VNX_MAX_RX_QUEUES) * 256)

static int vnx_get_regs_len(struct net_device *dev)
{
	return VNX_REGW_NUM * sizeof(u32) + sizeof(struct vnx_shared) +
	       sizeof(struct vnx_rss_conf) + VNX_REGS_QDESC_LEN;
}

static void vnx_get_regs(struct net_device *dev, struct ethtool_regs *regs, void *p)
{
	struct vnx_adapter *a = netdev_priv(dev);
	u32 *w = p;
	u8 *b = p;

	regs->version = VNX_REGS_VERSION;
	memset(p, 0, vnx_get_regs_len(dev));
	w[VNX_REGW_VRRS] = vnx_vd_read(a, VNX_VD_VRRS);
	w[VNX_REGW_UVRS] = vnx_vd_read(a, VNX_VD_UVRS);
	w[VNX_REGW_MACL] = vnx_vd_read(a, VNX_VD_MACL);
	w[VNX_REGW_MACH] = vnx_vd_read(a, VNX_VD_MACH);
	w[VNX_REGW_REV] = a->rev;
	w[VNX_REGW_NUM_TX] = a->num_tx;
	w[VNX_REGW_NUM_RX] = a->num_rx;
	w[VNX_REGW_UP] = READ_ONCE(a->up);
	b += VNX_REGW_NUM * sizeof(u32);
	memcpy(b, a->shared, sizeof(struct vnx_shared));
	b += sizeof(struct vnx_shared);
	memcpy(b, a->rss, sizeof(struct vnx_rss_conf));
	b += sizeof(struct vnx_rss_conf);
	memcpy(b, a->qdesc, VNX_REGS_QDESC_LEN);
}

/* rx-copybreak: packets up to this size in one buffer are copied, the buffer kept. */
static int vnx_get_tunable(struct net_device *dev, const struct ethtool_tunable *t, void *data)
{
	struct vnx_adapter *a = netdev_priv(dev);

	if (t->id != ETHTOOL_RX_COPYBREAK)
		return -EOPNOTSUPP;
	*(u32 *)data = READ_ONCE(a->rx_copybreak);
	return 0;
}

static int vnx_set_tunable(struct net_device *dev, const struct ethtool_tunable *t,
			   const void *data)
{
	struct vnx_adapter *a = netdev_priv(dev);
	u32 val = *(const u32 *)data;

	if (t->id != ETHTOOL_RX_COPYBREAK)
		return -EOPNOTSUPP;
	/* A copied packet must fit a head buffer: larger values could never apply. */
	if (val > VNX_RX_HEAD_MAX)
		return -EINVAL;
	WRITE_ONCE(a->rx_copybreak, val);
	return 0;
}

static const struct ethtool_ops vnx_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_USE_ADAPTIVE,
	.get_drvinfo		= vnx_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= vnx_get_link_ksettings,
	.get_ringparam		= vnx_get_ringparam,
	.set_ringparam		= vnx_set_ringparam,
	.get_channels		= vnx_get_channels,
	.set_channels		= vnx_set_channels,
	.get_coalesce		= vnx_get_coalesce,
	.set_coalesce		= vnx_set_coalesce,
	.get_sset_count		= vnx_get_sset_count,
	.get_strings		= vnx_get_strings,
	.get_ethtool_stats	= vnx_get_ethtool_stats,
	.reset			= vnx_reset,
	.get_rxnfc		= vnx_get_rxnfc,
	.get_rxfh_key_size	= vnx_get_rxfh_key_size,
	.get_rxfh_indir_size	= vnx_get_rxfh_indir_size,
	.get_rxfh		= vnx_get_rxfh,
	.set_rxfh		= vnx_set_rxfh,
	.get_regs_len		= vnx_get_regs_len,
	.get_regs		= vnx_get_regs,
	.get_ts_info		= ethtool_op_get_ts_info,
	.get_tunable		= vnx_get_tunable,
	.set_tunable		= vnx_set_tunable,
};

void vnx_ethtool_set_ops(struct net_device *dev)
{
	dev->ethtool_ops = &vnx_ethtool_ops;
}
