// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnic vmxnet3-class driver: receive, and the NAPI poll.
 *
 * One rx queue = two buffer rings and one completion ring. Ring 0 holds
 * head buffers (one per packet, sized for the MTU, capped); ring 1 holds
 * body buffers (8 KiB) that carry the rest of jumbo frames and of
 * LRO-merged packets. A packet arrives as a run of completions from sop
 * to eop.
 *
 * Every buffer is a page of the ring's page_pool, mapped once by the pool
 * (or, where mappings bounce, while it sits in the ring: map_each) and
 * recycled through it: a head page becomes the skb's head
 * (napi_build_skb), a body page one of its fragments, and freeing the skb
 * gives the pages back to the pool. A packet of up to rx_copybreak bytes
 * in one buffer is copied into a small skb instead and its page stays in
 * the slot.
 *
 * Buffers are replaced in place: a completed slot gets a fresh page before
 * its old one goes up the stack, and when that fails (no memory, or the
 * page could not be mapped) the packet is dropped and the old page stays
 * in the slot, mapped. So every slot always holds a mapped buffer and the
 * ring can never run dry through our fault.
 *
 * Slots go back to the device in order, once per poll (all addresses,
 * one barrier, then all generation bits), up to (not including) the last
 * slot the device completed: that one slot is the gap that tells a full
 * ring from an empty one.
 */
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>

#include "vnx_compat.h"
#include "vnx_drv.h"

/* Body buffers: 8 KiB (order-1 pages on 4 KiB pages), so a 64 KiB packet takes 8. */
#define VNX_RX_BODY_ORDER	(PAGE_SHIFT < 13 ? 13 - PAGE_SHIFT : 0)
#define VNX_RX_BODY_LEN		8192u
/* Head buffers start after room for the stack's headers and end before skb_shared_info. */
#define VNX_RX_HEADROOM		(NET_SKB_PAD + NET_IP_ALIGN)
#define VNX_RX_HEAD_ROOM_MAX	(PAGE_SIZE - VNX_RX_HEADROOM - \
				 SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))

static_assert(VNX_RX_BODY_LEN <= VNX_RXD_LEN_MASK);
static_assert((PAGE_SIZE << VNX_RX_BODY_ORDER) >= VNX_RX_BODY_LEN);

unsigned int vnx_rx_copybreak_default = VNX_RX_COPYBREAK;
module_param_named(rx_copybreak, vnx_rx_copybreak_default, uint, 0444);
MODULE_PARM_DESC(rx_copybreak,
		 "Copy received packets up to this size into a small skb and keep the buffer (default 256, 0 = never; ethtool --set-tunable rx-copybreak)");

/* Test hook: every n-th buffer allocation of the NAPI poll fails (0 = none). */
static unsigned int fault_rx_alloc;
module_param(fault_rx_alloc, uint, 0644);
MODULE_PARM_DESC(fault_rx_alloc,
		 "Testing: fail every n-th rx buffer allocation in the poll (default 0 = never)");

#define vnx_rx_stat_inc(rxq, field)				\
	do {							\
		u64_stats_update_begin(&(rxq)->stats.sync);	\
		(rxq)->stats.field++;				\
		u64_stats_update_end(&(rxq)->stats.sync);	\
	} while (0)

u32 vnx_rx_head_len(unsigned int mtu)
{
	return clamp_t(u32, mtu + VNX_RX_HEAD_EXTRA, VNX_RX_HEAD_MIN, VNX_RX_HEAD_MAX);
}

/* The fault_rx_alloc hook: true when this allocation of the poll is to fail. */
static bool vnx_rx_fault(struct vnx_rxq *rxq)
{
	unsigned int n = READ_ONCE(fault_rx_alloc);

	return unlikely(n) && ++rxq->fault_seq % n == 0;
}

/*
 * Give slot b a fresh page of ring r's pool, mapped. In the poll (napi set)
 * the allocation is atomic and subject to fault_rx_alloc.
 */
static int vnx_rx_buf_alloc(struct vnx_rxq *rxq, struct vnx_rx_ring *ring,
			    struct vnx_rx_buf *b, bool napi)
{
	struct device *dev = &rxq->adapter->pdev->dev;
	struct page *page;
	dma_addr_t dma;

	if (napi) {
		if (vnx_rx_fault(rxq))
			return -ENOMEM;
		page = page_pool_dev_alloc_pages(ring->pool);
	} else {
		page = page_pool_alloc_pages(ring->pool, GFP_KERNEL | __GFP_NOWARN);
	}
	if (unlikely(!page))
		return -ENOMEM;
	if (!ring->map_each) {
		dma = page_pool_get_dma_addr(page) + ring->buf_off;
	} else {
		dma = dma_map_page(dev, page, ring->buf_off, ring->buf_len, DMA_FROM_DEVICE);
		if (unlikely(dma_mapping_error(dev, dma))) {
			page_pool_put_full_page(ring->pool, page, napi);
			return -ENOMEM;
		}
	}
	b->page = page;
	b->dma = dma;
	return 0;
}

/*
 * The device wrote len bytes into the buffer at dma, which leaves the ring:
 * make them the CPU's, and let go of a per-buffer mapping.
 */
static void vnx_rx_buf_unmap(struct device *dev, struct vnx_rx_ring *ring, dma_addr_t dma,
			     u32 len)
{
	if (len)
		dma_sync_single_for_cpu(dev, dma, len, DMA_FROM_DEVICE);
	if (ring->map_each)
		dma_unmap_page_attrs(dev, dma, ring->buf_len, DMA_FROM_DEVICE,
				     DMA_ATTR_SKIP_CPU_SYNC);
}

static void vnx_rx_buf_release(struct vnx_rxq *rxq, struct vnx_rx_ring *ring,
			       struct vnx_rx_buf *b)
{
	if (!b->page)
		return;
	vnx_rx_buf_unmap(&rxq->adapter->pdev->dev, ring, b->dma, 0);
	page_pool_put_full_page(ring->pool, b->page, false);
	b->page = NULL;
}

/*
 * Hand slots [next_fill, upto) back to the device: every address first,
 * one barrier, then the generation bits that give the slots away.
 */
static void vnx_rx_ring_give(struct vnx_rx_ring *ring, u32 upto)
{
	u32 i, gen;

	if (ring->next_fill == upto)
		return;
	for (i = ring->next_fill; i != upto; i = i + 1 == ring->size ? 0 : i + 1)
		ring->desc[i].addr = cpu_to_le64(ring->bufs[i].dma);
	dma_wmb();
	gen = ring->gen;
	for (i = ring->next_fill; i != upto;) {
		ring->desc[i].w2 = cpu_to_le32(ring->w2_bits | gen);
		if (++i == ring->size) {
			i = 0;
			gen ^= VNX_RXD_GEN;
		}
	}
	ring->next_fill = upto;
	ring->gen = gen;
}

/*
 * Where every streaming mapping bounces (swiotlb=force, a confidential
 * guest, an IOMMU that bounces untrusted devices), a mapping holds slots of
 * a small bounce buffer. Pools that keep their pages mapped would hold
 * them for pages waiting in socket queues and in the pools' caches too,
 * beyond the rings, and could starve transmit for good. There a buffer is
 * mapped only while it sits in a ring (map_each). One page tells: a
 * bounced address needs syncs; a probe that cannot map says the same.
 */
static bool vnx_rx_mappings_bounce(struct device *dev)
{
	struct page *page = alloc_page(GFP_KERNEL);
	bool bounce = true;
	dma_addr_t dma;

	if (!page)
		return true;
	dma = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (!dma_mapping_error(dev, dma)) {
		bounce = dma_need_sync(dev, dma);
		dma_unmap_page(dev, dma, PAGE_SIZE, DMA_FROM_DEVICE);
	}
	__free_page(page);
	return bounce;
}

static int vnx_rx_pool_create(struct vnx_rxq *rxq, unsigned int r)
{
	struct vnx_rx_ring *ring = &rxq->ring[r];
	struct device *dev = &rxq->adapter->pdev->dev;
	struct page_pool_params pp = {
		.flags = ring->map_each ? 0 : PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order = r ? VNX_RX_BODY_ORDER : 0,
		.pool_size = ring->size,
		.nid = dev_to_node(dev),
		.dev = dev,
		.dma_dir = DMA_FROM_DEVICE,
		.offset = ring->buf_off,
		.max_len = ring->buf_len,
	};
	struct page_pool *pool = page_pool_create(&pp);

	if (IS_ERR(pool))
		return PTR_ERR(pool);
	ring->pool = pool;
	return 0;
}

int vnx_rx_ring_alloc(struct vnx_rxq *rxq)
{
	struct vnx_adapter *a = rxq->adapter;
	struct device *dev = &a->pdev->dev;
	unsigned int r;
	int err = -ENOMEM;
	bool map_each;
	u32 i;

	/* A head buffer, its headroom and skb_shared_info share one page. */
	BUILD_BUG_ON(VNX_RX_HEAD_MAX > VNX_RX_HEAD_ROOM_MAX);

	rxq->skb = NULL;
	rxq->discard = false;
	rxq->vec_masked = false;
	rxq->qd = vnx_rxq_desc(a, rxq->qid);
	rxq->prod[0] = a->pt + VNX_PT_RXPROD(rxq->qid);
	rxq->prod[1] = a->pt + VNX_PT_RXPROD2(rxq->qid);
	map_each = vnx_rx_mappings_bounce(dev);
	if (map_each && rxq->qid == 0)
		netdev_info_once(a->netdev,
				 "DMA mappings bounce (swiotlb): rx buffers are mapped while in the ring only\n");

	for (r = 0; r < 2; r++) {
		struct vnx_rx_ring *ring = &rxq->ring[r];

		ring->size = a->rx_ring_size[r];
		ring->buf_len = r ? VNX_RX_BODY_LEN : vnx_rx_head_len(a->netdev->mtu);
		ring->buf_off = r ? 0 : VNX_RX_HEADROOM;
		ring->truesize = r ? PAGE_SIZE << VNX_RX_BODY_ORDER : PAGE_SIZE;
		ring->w2_bits = ring->buf_len | (r ? VNX_RXD_BTYPE_BODY : 0);
		ring->next_fill = 0;
		ring->gen = VNX_RXD_GEN;
		ring->has_done = false;
		ring->map_each = map_each;
		err = vnx_rx_pool_create(rxq, r);
		if (err)
			goto err;
		err = -ENOMEM;
		ring->desc = dma_alloc_coherent(dev, ring->size * sizeof(*ring->desc),
						&ring->pa, GFP_KERNEL);
		if (!ring->desc)
			goto err;
		ring->bufs = kcalloc(ring->size, sizeof(*ring->bufs), GFP_KERNEL);
		if (!ring->bufs)
			goto err;
		for (i = 0; i < ring->size; i++)
			if (vnx_rx_buf_alloc(rxq, ring, &ring->bufs[i], false))
				goto err;
	}

	rxq->comp_size = rxq->ring[0].size + rxq->ring[1].size;
	rxq->comp = dma_alloc_coherent(dev, rxq->comp_size * sizeof(*rxq->comp),
				       &rxq->comp_pa, GFP_KERNEL);
	if (!rxq->comp)
		goto err;
	rxq->comp_next = 0;
	rxq->comp_gen = VNX_CD_GEN;

	/* Every slot but the last belongs to the device. */
	for (r = 0; r < 2; r++)
		vnx_rx_ring_give(&rxq->ring[r], rxq->ring[r].size - 1);
	return 0;

err:
	vnx_rx_ring_free(rxq);
	return err;
}

/*
 * Called with NAPI disabled and the device quiesced (or never activated).
 * The pools go last: skbs still in the stack hold pages of them, and
 * page_pool_destroy waits for those in the background.
 */
void vnx_rx_ring_free(struct vnx_rxq *rxq)
{
	struct device *dev = &rxq->adapter->pdev->dev;
	unsigned int r;
	u32 i;

	if (rxq->skb) {
		dev_kfree_skb_any(rxq->skb);
		rxq->skb = NULL;
	}
	for (r = 0; r < 2; r++) {
		struct vnx_rx_ring *ring = &rxq->ring[r];

		if (ring->bufs) {
			for (i = 0; i < ring->size; i++)
				vnx_rx_buf_release(rxq, ring, &ring->bufs[i]);
			kfree(ring->bufs);
			ring->bufs = NULL;
		}
		if (ring->desc)
			dma_free_coherent(dev, ring->size * sizeof(*ring->desc), ring->desc,
					  ring->pa);
		ring->desc = NULL;
		if (ring->pool)
			page_pool_destroy(ring->pool);
		ring->pool = NULL;
	}
	if (rxq->comp)
		dma_free_coherent(dev, rxq->comp_size * sizeof(*rxq->comp), rxq->comp,
				  rxq->comp_pa);
	rxq->comp = NULL;
}

void vnx_rx_ring_conf(struct vnx_rxq *rxq)
{
	struct vnx_rxq_desc *qd = rxq->qd;

	memset(qd, 0, sizeof(*qd));
	qd->conf.ring_pa[0] = cpu_to_le64(rxq->ring[0].pa);
	qd->conf.ring_pa[1] = cpu_to_le64(rxq->ring[1].pa);
	qd->conf.comp_ring_pa = cpu_to_le64(rxq->comp_pa);
	qd->conf.ring_size[0] = cpu_to_le32(rxq->ring[0].size);
	qd->conf.ring_size[1] = cpu_to_le32(rxq->ring[1].size);
	qd->conf.comp_ring_size = cpu_to_le32(rxq->comp_size);
	qd->conf.intr_idx = rxq->vector;
}

/* Tell the device how far the rings are filled, if it wants to know. */
void vnx_rx_prod_kick(struct vnx_rxq *rxq, bool force)
{
	if (!force && !READ_ONCE(rxq->qd->ctrl.update_prod))
		return;
	writel(rxq->ring[0].next_fill, rxq->prod[0]);
	writel(rxq->ring[1].next_fill, rxq->prod[1]);
}

static void vnx_rx_drop_partial(struct vnx_rxq *rxq)
{
	if (rxq->skb) {
		dev_kfree_skb_any(rxq->skb);
		rxq->skb = NULL;
	}
	rxq->discard = true;
}

/*
 * A small packet in one buffer: copy it into a small skb; the page stays
 * in the slot, given back to the device as it is.
 */
static bool vnx_rx_copy_head(struct vnx_rxq *rxq, struct vnx_rx_buf *b, u32 len)
{
	struct device *dev = &rxq->adapter->pdev->dev;
	struct sk_buff *skb;

	skb = vnx_rx_fault(rxq) ? NULL : napi_alloc_skb(rxq->napi, len);
	if (unlikely(!skb)) {
		vnx_rx_stat_inc(rxq, alloc_fail);
		return false;
	}
	dma_sync_single_for_cpu(dev, b->dma, len, DMA_FROM_DEVICE);
	skb_put_data(skb, page_address(b->page) + VNX_RX_HEADROOM, len);
	dma_sync_single_for_device(dev, b->dma, len, DMA_FROM_DEVICE);
	rxq->skb = skb;
	vnx_rx_stat_inc(rxq, copybreak);
	return true;
}

/* Take the head page of slot b as the head of a new packet, refilling the slot. */
static bool vnx_rx_take_head(struct vnx_rxq *rxq, struct vnx_rx_buf *b, u32 len, bool whole)
{
	struct vnx_rx_ring *ring = &rxq->ring[0];
	struct vnx_rx_buf fresh;
	struct sk_buff *skb;
	struct page *page;
	dma_addr_t dma;

	if (unlikely(len > ring->buf_len || len < ETH_HLEN))
		return false;
	if (whole && len <= rxq->copybreak)
		return vnx_rx_copy_head(rxq, b, len);
	if (unlikely(vnx_rx_buf_alloc(rxq, ring, &fresh, true))) {
		vnx_rx_stat_inc(rxq, alloc_fail);
		return false;
	}
	page = b->page;
	dma = b->dma;
	*b = fresh;
	vnx_rx_buf_unmap(&rxq->adapter->pdev->dev, ring, dma, len);
	skb = vnx_compat_build_skb(page_address(page), ring->truesize);
	if (unlikely(!skb)) {
		/* The slot has its fresh page already: this one goes back to the pool. */
		page_pool_recycle_direct(ring->pool, page);
		vnx_rx_stat_inc(rxq, alloc_fail);
		return false;
	}
	vnx_compat_page_to_skb(ring->pool, skb, page);
	skb_reserve(skb, VNX_RX_HEADROOM);
	skb_put(skb, len);
	rxq->skb = skb;
	return true;
}

/* Append the body page of slot b to the packet, refilling the slot. */
static bool vnx_rx_take_body(struct vnx_rxq *rxq, struct vnx_rx_buf *b, u32 len)
{
	struct vnx_rx_ring *ring = &rxq->ring[1];
	struct sk_buff *skb = rxq->skb;
	struct vnx_rx_buf fresh;
	struct page *page;
	dma_addr_t dma;

	if (unlikely(len > ring->buf_len))
		return false;
	if (unlikely(skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)) {
		vnx_rx_stat_inc(rxq, frag_drops);
		return false;
	}
	if (unlikely(vnx_rx_buf_alloc(rxq, ring, &fresh, true))) {
		vnx_rx_stat_inc(rxq, alloc_fail);
		return false;
	}
	page = b->page;
	dma = b->dma;
	*b = fresh;
	vnx_rx_buf_unmap(&rxq->adapter->pdev->dev, ring, dma, len);
	vnx_compat_page_to_skb(ring->pool, skb, page);
	skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, len, ring->truesize);
	return true;
}

/*
 * A packet longer than the MTU was merged by the device (LRO). Tell the
 * stack what segments it was made of, as if GRO had built it.
 */
static void vnx_rx_lro_fixup(struct vnx_rxq *rxq, struct sk_buff *skb, u32 w3)
{
	unsigned int mtu = rxq->adapter->netdev->mtu;
	unsigned int hlen, gso_type;
	const struct tcphdr *th;

	/* Only with the IP header right after Ethernet (tag stripped or none). */
	if ((w3 & VNX_RCD_V4) && skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return;
		iph = (const struct iphdr *)skb->data;
		if (iph->protocol != IPPROTO_TCP)
			return;
		hlen = iph->ihl * 4;
		gso_type = SKB_GSO_TCPV4;
	} else if ((w3 & VNX_RCD_V6) && skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6;

		if (!pskb_may_pull(skb, sizeof(*ip6)))
			return;
		ip6 = (const struct ipv6hdr *)skb->data;
		if (ip6->nexthdr != IPPROTO_TCP)
			return;
		hlen = sizeof(*ip6);
		gso_type = SKB_GSO_TCPV6;
	} else {
		return;
	}
	if (!pskb_may_pull(skb, hlen + sizeof(*th)))
		return;
	th = (const struct tcphdr *)(skb->data + hlen);
	hlen += th->doff * 4;
	if (hlen >= mtu || hlen >= skb->len)
		return;

	skb_shinfo(skb)->gso_type = gso_type;
	skb_shinfo(skb)->gso_size = mtu - hlen;
	skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len - hlen, mtu - hlen);
	vnx_rx_stat_inc(rxq, lro);
}

/*
 * Two ways up the stack: GRO (napi_gro_receive), for what the device did
 * not merge (LRO off, non-TCP, a backend without offloads, the small
 * packets the device passed as they came), and the poll's list, delivered
 * in one netif_receive_skb_list at its end, for packets the device merged:
 * GRO could not add to those and would only cost its lookup (about 15% of
 * gateway->guest TCP under TCG). A flow must not be reordered between the
 * two: GRO delivers what it holds after our list, so a packet may take GRO
 * only while the list is empty, and a merged packet takes the list only
 * while GRO holds nothing (neither merge candidates nor its own batch).
 */
static void vnx_rx_hand_up(struct vnx_rxq *rxq, struct sk_buff *skb, bool merged,
			   struct list_head *batch)
{
	struct napi_struct *napi = rxq->napi;

	if (list_empty(batch) && (!merged || napi->gro_bitmask || napi->rx_count))
		napi_gro_receive(napi, skb);
	else
		list_add_tail(&skb->list, batch);
}

/* Fill in the skb's metadata from the completion and hand it up. */
static void vnx_rx_deliver(struct vnx_rxq *rxq, struct sk_buff *skb, u32 w0, u32 w2, u32 w3,
			   struct list_head *batch)
{
	struct net_device *dev = rxq->adapter->netdev;
	unsigned int frame_len = skb->len;	/* counted with the Ethernet header, as tx */
	bool csum_ok = false;
	unsigned int len;

	skb->protocol = eth_type_trans(skb, dev);
	len = skb->len;

	if ((dev->features & NETIF_F_RXCSUM) && !(w0 & VNX_RCD_CNC) && (w3 & VNX_RCD_TUC) &&
	    (((w3 & VNX_RCD_V4) && (w3 & VNX_RCD_IPC)) || (w3 & VNX_RCD_V6))) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		csum_ok = true;
	}
	if (w2 & VNX_RCD_TS)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), w2 >> VNX_RCD_TCI_SHIFT);
	if (unlikely(len > dev->mtu) && csum_ok && (w3 & VNX_RCD_TCP))
		vnx_rx_lro_fixup(rxq, skb, w3);
	skb_record_rx_queue(skb, rxq->qid);
	if (dev->features & NETIF_F_RXHASH)
		vnx_rss_skb_hash(skb, rxq->sop_w0, rxq->sop_hash);

	u64_stats_update_begin(&rxq->stats.sync);
	rxq->stats.packets++;
	rxq->stats.bytes += frame_len;
	if (csum_ok)
		rxq->stats.csum_ok++;
	if (w2 & VNX_RCD_TS)
		rxq->stats.vlan++;
	u64_stats_update_end(&rxq->stats.sync);

	vnx_rx_hand_up(rxq, skb, len > dev->mtu, batch);
}

static int vnx_rx_clean(struct vnx_rxq *rxq, int budget)
{
	struct vnx_adapter *a = rxq->adapter;
	LIST_HEAD(batch);
	unsigned int r;
	int done = 0;

	rxq->copybreak = READ_ONCE(a->rx_copybreak);
	while (done < budget) {
		struct vnx_rx_comp *c = &rxq->comp[rxq->comp_next];
		u32 w0, w2, w3, rid, idx, len;
		struct vnx_rx_ring *ring;
		struct vnx_rx_buf *b;
		struct sk_buff *skb;

		w3 = le32_to_cpu(READ_ONCE(c->w3));
		if ((w3 & VNX_CD_GEN) != rxq->comp_gen)
			break;
		dma_rmb();
		w0 = le32_to_cpu(c->w0);
		w2 = le32_to_cpu(c->w2);
		if (++rxq->comp_next == rxq->comp_size) {
			rxq->comp_next = 0;
			rxq->comp_gen ^= VNX_CD_GEN;
		}

		rid = (w0 >> VNX_RCD_RQID_SHIFT) & VNX_RCD_RQID_MASK;
		if (rid == rxq->qid)
			r = 0;
		else if (rid == rxq->qid + a->num_rx)
			r = 1;
		else
			r = 2;
		idx = w0 & VNX_RCD_IDX_MASK;
		if (unlikely(r > 1 || idx >= rxq->ring[r].size)) {
			vnx_rx_stat_inc(rxq, bad_comp);
			vnx_rx_drop_partial(rxq);
			continue;
		}
		ring = &rxq->ring[r];
		ring->done = idx;
		ring->has_done = true;
		b = &ring->bufs[idx];
		len = w2 & VNX_RCD_LEN_MASK;

		if (w0 & VNX_RCD_SOP) {
			if (unlikely(rxq->skb))
				vnx_rx_drop_partial(rxq);
			rxq->discard = false;
			/* The device reports the RSS hash on the first completion. */
			rxq->sop_w0 = w0;
			rxq->sop_hash = le32_to_cpu(c->w1);
			if (unlikely(r != 0 ||
				     !vnx_rx_take_head(rxq, b, len, w0 & VNX_RCD_EOP)))
				rxq->discard = true;
		} else if (!rxq->discard) {
			if (unlikely(!rxq->skb || r != 1))
				vnx_rx_drop_partial(rxq);
			else if (len && unlikely(!vnx_rx_take_body(rxq, b, len)))
				vnx_rx_drop_partial(rxq);
		}

		if (!(w0 & VNX_RCD_EOP))
			continue;

		skb = rxq->skb;
		rxq->skb = NULL;
		if (rxq->discard || !skb) {
			rxq->discard = false;
			continue;
		}
		if (unlikely(w2 & VNX_RCD_ERR)) {
			vnx_rx_stat_inc(rxq, err_drops);
			dev_kfree_skb_any(skb);
			continue;
		}
		vnx_rx_deliver(rxq, skb, w0, w2, w3, &batch);
		done++;
	}
	if (!list_empty(&batch))
		netif_receive_skb_list(&batch);

	for (r = 0; r < 2; r++) {
		struct vnx_rx_ring *ring = &rxq->ring[r];

		if (ring->has_done) {
			ring->has_done = false;
			vnx_rx_ring_give(ring, ring->done);
		}
	}
	vnx_rx_prod_kick(rxq, false);
	return done;
}

int vnx_napi_poll(struct napi_struct *napi, int budget)
{
	struct vnx_napi *n = container_of(napi, struct vnx_napi, napi);
	struct vnx_adapter *a = n->adapter;
	int done = 0;

	if (n->txq)
		vnx_tx_poll(n->txq, budget);
	if (n->rxq && budget)
		done = vnx_rx_clean(n->rxq, budget);
	if (n->rxq)
		vnx_rx_stat_inc(n->rxq, polls);

	if (done >= budget)
		return budget;

	if (napi_complete_done(napi, done)) {
		if (a->intr_mode != VNX_INTR_MSIX) {
			vnx_intr_unmask(a, 0);
		} else if (n->rxq && READ_ONCE(n->rxq->vec_masked)) {
			WRITE_ONCE(n->rxq->vec_masked, false);
			vnx_intr_unmask(a, n->rxq->vector);
		}
	}
	return done;
}
