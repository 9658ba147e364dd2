// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnic vmxnet3-class driver: receive, and the NAPI poll.
 *
 * One rx queue = two buffer rings and one completion ring. Ring 0 holds
 * head buffers (one skb per packet, sized for the MTU, capped); ring 1
 * holds page-sized body buffers that carry the rest of jumbo frames and
 * of LRO-merged packets. A packet arrives as a run of completions from sop
 * to eop.
 *
 * Buffers are replaced in place: a completed slot gets a fresh buffer
 * before its old one goes up the stack, and when the allocation fails the
 * packet is dropped and the old buffer stays. So every slot always holds a
 * buffer and the ring can never run dry through our fault.
 *
 * Slots go back to the device in order, once per poll, up to (not
 * including) the last slot the device completed: that one slot is the gap
 * that tells a full ring from an empty one.
 */
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>

#include "vnx_compat.h"
#include "vnx_drv.h"

#define VNX_RX_BODY_LEN		min_t(u32, PAGE_SIZE, 8192)

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

/* Give slot b a fresh buffer of ring r's kind. napi is NULL outside NAPI. */
static int vnx_rx_buf_alloc(struct vnx_rxq *rxq, unsigned int r, struct vnx_rx_buf *b,
			    struct napi_struct *napi)
{
	struct device *dev = &rxq->adapter->pdev->dev;
	struct vnx_rx_ring *ring = &rxq->ring[r];
	dma_addr_t dma;

	if (r == 0) {
		struct sk_buff *skb;

		if (napi)
			skb = napi_alloc_skb(napi, ring->buf_len);
		else
			skb = __netdev_alloc_skb_ip_align(rxq->adapter->netdev, ring->buf_len,
							  GFP_KERNEL);
		if (unlikely(!skb))
			return -ENOMEM;
		dma = dma_map_single(dev, skb->data, ring->buf_len, DMA_FROM_DEVICE);
		if (unlikely(dma_mapping_error(dev, dma))) {
			dev_kfree_skb_any(skb);
			return -ENOMEM;
		}
		b->va = skb;
	} else {
		struct page *page = napi ? dev_alloc_page() : alloc_page(GFP_KERNEL);

		if (unlikely(!page))
			return -ENOMEM;
		dma = dma_map_page(dev, page, 0, ring->buf_len, DMA_FROM_DEVICE);
		if (unlikely(dma_mapping_error(dev, dma))) {
			put_page(page);
			return -ENOMEM;
		}
		b->va = page;
	}
	b->dma = dma;
	return 0;
}

static void vnx_rx_buf_release(struct vnx_rxq *rxq, unsigned int r, struct vnx_rx_buf *b)
{
	struct device *dev = &rxq->adapter->pdev->dev;
	struct vnx_rx_ring *ring = &rxq->ring[r];

	if (!b->va)
		return;
	if (r == 0) {
		dma_unmap_single(dev, b->dma, ring->buf_len, DMA_FROM_DEVICE);
		dev_kfree_skb_any(b->va);
	} else {
		dma_unmap_page(dev, b->dma, ring->buf_len, DMA_FROM_DEVICE);
		put_page(b->va);
	}
	b->va = NULL;
}

/* Hand slots [next_fill, upto) back to the device. */
static void vnx_rx_ring_give(struct vnx_rx_ring *ring, u32 upto)
{
	while (ring->next_fill != upto) {
		struct vnx_rx_desc *d = &ring->desc[ring->next_fill];

		d->addr = cpu_to_le64(ring->bufs[ring->next_fill].dma);
		dma_wmb();
		d->w2 = cpu_to_le32(ring->w2_bits | ring->gen);
		if (++ring->next_fill == ring->size) {
			ring->next_fill = 0;
			ring->gen ^= VNX_RXD_GEN;
		}
	}
}

int vnx_rx_ring_alloc(struct vnx_rxq *rxq)
{
	struct vnx_adapter *a = rxq->adapter;
	struct device *dev = &a->pdev->dev;
	unsigned int r;
	u32 i;

	rxq->skb = NULL;
	rxq->discard = false;
	rxq->vec_masked = false;
	rxq->qd = vnx_rxq_desc(a, rxq->qid);
	rxq->prod[0] = a->pt + VNX_PT_RXPROD(rxq->qid);
	rxq->prod[1] = a->pt + VNX_PT_RXPROD2(rxq->qid);

	for (r = 0; r < 2; r++) {
		struct vnx_rx_ring *ring = &rxq->ring[r];

		ring->size = a->rx_ring_size[r];
		ring->buf_len = r ? VNX_RX_BODY_LEN : vnx_rx_head_len(a->netdev->mtu);
		ring->w2_bits = ring->buf_len | (r ? VNX_RXD_BTYPE_BODY : 0);
		ring->next_fill = 0;
		ring->gen = VNX_RXD_GEN;
		ring->has_done = false;
		ring->desc = dma_alloc_coherent(dev, ring->size * sizeof(*ring->desc),
						&ring->pa, GFP_KERNEL);
		if (!ring->desc)
			goto err;
		ring->bufs = kcalloc(ring->size, sizeof(*ring->bufs), GFP_KERNEL);
		if (!ring->bufs)
			goto err;
		for (i = 0; i < ring->size; i++)
			if (vnx_rx_buf_alloc(rxq, r, &ring->bufs[i], NULL))
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
	return -ENOMEM;
}

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
				vnx_rx_buf_release(rxq, r, &ring->bufs[i]);
			kfree(ring->bufs);
			ring->bufs = NULL;
		}
		if (ring->desc)
			dma_free_coherent(dev, ring->size * sizeof(*ring->desc), ring->desc,
					  ring->pa);
		ring->desc = NULL;
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

/* Take the head buffer of slot b into a new packet, refilling the slot. */
static bool vnx_rx_take_head(struct vnx_rxq *rxq, struct vnx_rx_buf *b, u32 len)
{
	struct vnx_rx_ring *ring = &rxq->ring[0];
	struct vnx_rx_buf fresh;
	struct sk_buff *skb;

	if (unlikely(len > ring->buf_len || len < ETH_HLEN))
		return false;
	if (unlikely(vnx_rx_buf_alloc(rxq, 0, &fresh, rxq->napi))) {
		vnx_rx_stat_inc(rxq, alloc_fail);
		return false;
	}
	skb = b->va;
	dma_unmap_single(&rxq->adapter->pdev->dev, b->dma, ring->buf_len, DMA_FROM_DEVICE);
	*b = fresh;
	skb_put(skb, len);
	rxq->skb = skb;
	return true;
}

/* Append the body buffer of slot b to the packet, refilling the slot. */
static bool vnx_rx_take_body(struct vnx_rxq *rxq, struct vnx_rx_buf *b, u32 len)
{
	struct vnx_rx_ring *ring = &rxq->ring[1];
	struct sk_buff *skb = rxq->skb;
	struct vnx_rx_buf fresh;

	if (unlikely(len > ring->buf_len))
		return false;
	if (unlikely(skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)) {
		vnx_rx_stat_inc(rxq, frag_drops);
		return false;
	}
	if (unlikely(vnx_rx_buf_alloc(rxq, 1, &fresh, rxq->napi))) {
		vnx_rx_stat_inc(rxq, alloc_fail);
		return false;
	}
	dma_unmap_page(&rxq->adapter->pdev->dev, b->dma, ring->buf_len, DMA_FROM_DEVICE);
	skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, b->va, 0, len, ring->buf_len);
	*b = fresh;
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
 * Hand a finished packet to the stack: through GRO when the device does not
 * merge (LRO off), else onto the poll's list. A device-merged packet gains
 * nothing from GRO but its cost, and mixing the two paths could reorder a
 * flow, so with LRO on every packet takes the list (delivered in one batch
 * by netif_receive_skb_list at the end of the poll).
 */
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

	if (batch)
		list_add_tail(&skb->list, batch);
	else
		napi_gro_receive(rxq->napi, skb);
}

static int vnx_rx_clean(struct vnx_rxq *rxq, int budget)
{
	struct vnx_adapter *a = rxq->adapter;
	bool lro = a->netdev->features & NETIF_F_LRO;
	LIST_HEAD(batch);
	unsigned int r;
	int done = 0;

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
			if (unlikely(r != 0 || !vnx_rx_take_head(rxq, b, len)))
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
		vnx_rx_deliver(rxq, skb, w0, w2, w3, lro ? &batch : NULL);
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
