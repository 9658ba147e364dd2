/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vnic vmxnet3-class driver: every kernel-version shim, in one place.
 *
 * The VNX_HAVE_* symbols come from feature tests in Kbuild (a grep of the
 * target kernel's headers), not from version numbers: distributions
 * backport APIs, so the header is the truth. Supported: 5.10 and newer.
 */
#ifndef VNX_COMPAT_H
#define VNX_COMPAT_H

#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/pci.h>
#include <linux/tcp.h>
#ifdef VNX_HAVE_PAGE_POOL_HELPERS_H
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

/* NAPI registration: the weight argument moved to _weight() in 5.19/6.1. */
static inline void vnx_compat_napi_add(struct net_device *dev,
				       struct napi_struct *napi,
				       int (*poll)(struct napi_struct *, int),
				       int weight)
{
#ifdef VNX_HAVE_NAPI_ADD_WEIGHT
	netif_napi_add_weight(dev, napi, poll, weight);
#else
	netif_napi_add(dev, napi, poll, weight);
#endif
}

/* "More packets follow" hint: a per-cpu flag since 5.2. */
static inline bool vnx_compat_xmit_more(const struct sk_buff *skb)
{
#ifdef VNX_HAVE_NETDEV_XMIT_MORE
	return netdev_xmit_more();
#else
	return skb->xmit_more;
#endif
}

/* Setting the device address: dev_addr became const in 5.15. */
static inline void vnx_compat_set_dev_addr(struct net_device *dev, const u8 *mac)
{
#ifdef VNX_HAVE_ETH_HW_ADDR_SET
	eth_hw_addr_set(dev, mac);
#else
	ether_addr_copy(dev->dev_addr, mac);
#endif
}

/* Length of L2..L4 headers of a TCP packet (helper added in 6.0). */
static inline unsigned int vnx_compat_tcp_all_headers(const struct sk_buff *skb)
{
#ifdef VNX_HAVE_SKB_TCP_ALL_HEADERS
	return skb_tcp_all_headers(skb);
#else
	return skb_transport_offset(skb) + tcp_hdrlen(skb);
#endif
}

/* Legacy interrupt flag was renamed in 6.8 (the old name went away later). */
#ifndef VNX_HAVE_PCI_IRQ_INTX
#define PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

/*
 * ethtool ring parameters: 5.17 added the kernel_ethtool_ringparam and
 * extack arguments. The driver's handlers take the extack (or NULL); these
 * macros declare the right prototype for the ethtool_ops table.
 */
#ifdef VNX_HAVE_KERNEL_RINGPARAM
#define VNX_RINGPARAM_ARGS						\
	struct net_device *dev, struct ethtool_ringparam *ring,		\
	struct kernel_ethtool_ringparam *kring,				\
	struct netlink_ext_ack *extack
#define VNX_RINGPARAM_EXTACK	extack
#else
#define VNX_RINGPARAM_ARGS						\
	struct net_device *dev, struct ethtool_ringparam *ring
#define VNX_RINGPARAM_EXTACK	NULL
#endif

/* ethtool coalescing: 5.15 added the kernel_ethtool_coalesce and extack arguments. */
#ifdef VNX_HAVE_KERNEL_COALESCE
#define VNX_COALESCE_ARGS						\
	struct net_device *dev, struct ethtool_coalesce *ec,		\
	struct kernel_ethtool_coalesce *kec,				\
	struct netlink_ext_ack *extack
#define VNX_COALESCE_EXTACK	extack
#else
#define VNX_COALESCE_ARGS						\
	struct net_device *dev, struct ethtool_coalesce *ec
#define VNX_COALESCE_EXTACK	NULL
#endif

/* Error message for ethtool, with or without a netlink extack. */
#define vnx_compat_extack_msg(extack, msg)				\
	do {								\
		struct netlink_ext_ack *__ea = (extack);		\
		if (__ea)						\
			NL_SET_ERR_MSG(__ea, msg);			\
	} while (0)

/* An skb around a page-sized buffer: napi_build_skb (5.12) takes from the NAPI cache. */
static inline struct sk_buff *vnx_compat_build_skb(void *data, unsigned int frag_size)
{
#ifdef VNX_HAVE_NAPI_BUILD_SKB
	return napi_build_skb(data, frag_size);
#else
	return build_skb(data, frag_size);
#endif
}

/*
 * A page_pool page joins an skb (as its head or a fragment). With skb
 * recycling (5.14/5.15) the skb is marked and freeing it returns the page
 * to the pool; before that the page leaves the pool, unmapped.
 */
static inline void vnx_compat_page_to_skb(struct page_pool *pool, struct sk_buff *skb,
					  struct page *page)
{
#ifdef VNX_HAVE_SKB_MARK_FOR_RECYCLE
	skb_mark_for_recycle(skb);
#else
	page_pool_release_page(pool, page);
#endif
}

#endif /* VNX_COMPAT_H */
