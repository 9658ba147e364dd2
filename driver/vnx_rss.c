// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnic vmxnet3-class driver: receive side scaling.
 *
 * With MSI-X and more than one rx queue the device hashes each packet
 * (Toeplitz over the IPv4/IPv6 addresses and TCP ports) and picks the rx
 * queue from an indirection table. The driver keeps its own copy of the
 * key and the table (set at probe, changed by ethtool -X) and writes it to
 * the device-visible configuration on every activation, so it survives
 * resets, MTU and ring changes and suspend/resume; a change while running
 * is announced with UPDATE_RSSIDT.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "vnx_drv.h"

bool vnx_rss_active(const struct vnx_adapter *a)
{
	return a->intr_mode == VNX_INTR_MSIX && a->num_rx > 1;
}

/* Spread the table over the rx queues, unless the user chose it and it still fits. */
void vnx_rss_indir_check(struct vnx_adapter *a)
{
	bool fits = netif_is_rxfh_configured(a->netdev);
	unsigned int i;

	for (i = 0; fits && i < VNX_RSS_INDIR_SIZE; i++)
		fits = a->rss_indir[i] < a->num_rx;
	if (fits)
		return;
	for (i = 0; i < VNX_RSS_INDIR_SIZE; i++)
		a->rss_indir[i] = ethtool_rxfh_indir_default(i, a->num_rx);
}

static void vnx_rss_copy_out(struct vnx_adapter *a)
{
	struct vnx_rss_conf *rc = a->rss;

	memcpy(rc->key, a->rss_key, VNX_RSS_KEY_SIZE);
	memcpy(rc->indir, a->rss_indir, VNX_RSS_INDIR_SIZE);
}

/*
 * Describe RSS in the shared area before activation, or leave it out
 * (single rx queue, MSI, INTx). vnx_shared_fill has zeroed rss_conf.
 */
void vnx_rss_conf_fill(struct vnx_adapter *a)
{
	struct vnx_var_conf *vc = &a->shared->rss_conf;
	struct vnx_rss_conf *rc = a->rss;

	if (!vnx_rss_active(a))
		return;
	memset(rc, 0, sizeof(*rc));
	rc->hash_type = cpu_to_le16(VNX_RSS_HASH_IPV4 | VNX_RSS_HASH_TCP_IPV4 |
				    VNX_RSS_HASH_IPV6 | VNX_RSS_HASH_TCP_IPV6);
	rc->hash_func = cpu_to_le16(VNX_RSS_FUNC_TOEPLITZ);
	rc->key_size = cpu_to_le16(VNX_RSS_KEY_SIZE);
	rc->indir_size = cpu_to_le16(VNX_RSS_INDIR_SIZE);
	vnx_rss_copy_out(a);
	vc->ver = cpu_to_le32(VNX_RSS_CONF_VER);
	vc->len = cpu_to_le32(sizeof(*rc));
	vc->pa = cpu_to_le64(a->rss_pa);
}

/* ethtool -X changed the key or the table; RTNL held. */
void vnx_rss_apply(struct vnx_adapter *a)
{
	if (!a->up || !vnx_rss_active(a))
		return;
	vnx_rss_copy_out(a);
	vnx_cmd_run(a, VNX_CMD_UPDATE_RSSIDT);
	a->dstats.rss_cmds++;
}

/* The hash the device computed, for the stack (RPS, RFS, sockets). */
void vnx_rss_skb_hash(struct sk_buff *skb, u32 w0, u32 hash)
{
	u32 type = (w0 >> VNX_RCD_RSS_SHIFT) & VNX_RCD_RSS_MASK;

	switch (type) {
	case VNX_RCD_RSS_NONE:
		return;
	case VNX_RCD_RSS_TCP_IPV4:
	case VNX_RCD_RSS_TCP_IPV6:
		skb_set_hash(skb, hash, PKT_HASH_TYPE_L4);
		return;
	default:
		skb_set_hash(skb, hash, PKT_HASH_TYPE_L3);
		return;
	}
}
