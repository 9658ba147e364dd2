// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnic vmxnet3-class driver: transmit.
 *
 * One tx queue = a descriptor ring, a completion ring of the same size, and
 * a (never written) data ring that revision 1 devices expect to be there.
 * Everything that touches a queue's rings runs under the queue's netdev tx
 * lock: the xmit path holds it already, and the NAPI poll takes it.
 *
 * Doorbells: TXPROD makes the device walk the ring, which on QEMU means
 * processing every pending packet synchronously inside the register write,
 * so every write saved is real work saved. We ring only when the stack says
 * no more packets follow (xmit_more clear, via BQL's __netdev_tx_sent_queue)
 * and the device's txThreshold protocol agrees.
 *
 * Completions: after ringing we reap whatever the device has completed
 * right away (on QEMU: the packets just sent). When the tx queue has an
 * MSI-X vector of its own, that vector stays masked while nothing is in
 * flight, and is unmasked only when descriptors remain outstanding after a
 * reap, so a device that completes synchronously never interrupts for tx.
 */
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/checksum.h>

#include "vnx_compat.h"
#include "vnx_drv.h"

int vnx_tx_ring_alloc(struct vnx_txq *txq)
{
	struct vnx_adapter *a = txq->adapter;
	struct device *dev = &a->pdev->dev;
	u32 size = a->tx_ring_size;

	txq->size = size;
	/* Small rings: a stopped queue must still be able to wake. */
	txq->stop_thresh = min_t(u32, VNX_TX_STOP_THRESH, (size - 1) / 2);
	txq->wake_thresh = min_t(u32, 2 * txq->stop_thresh, size - 1);
	txq->ring = dma_alloc_coherent(dev, size * sizeof(*txq->ring), &txq->ring_pa,
				       GFP_KERNEL);
	if (!txq->ring)
		goto err;
	txq->comp = dma_alloc_coherent(dev, size * sizeof(*txq->comp), &txq->comp_pa,
				       GFP_KERNEL);
	if (!txq->comp)
		goto err;
	txq->data_ring = dma_alloc_coherent(dev, size * VNX_TX_DATA_DESC_SIZE,
					    &txq->data_pa, GFP_KERNEL);
	if (!txq->data_ring)
		goto err;
	txq->bufs = kcalloc(size, sizeof(*txq->bufs), GFP_KERNEL);
	if (!txq->bufs)
		goto err;

	txq->next_fill = 0;
	txq->next_clean = 0;
	txq->in_use = 0;
	txq->gen = VNX_TXD_GEN;
	txq->comp_next = 0;
	txq->comp_gen = VNX_CD_GEN;
	txq->irq_armed = false;
	txq->vec_fired = false;
	txq->unrung = false;
	txq->nq = netdev_get_tx_queue(a->netdev, txq->qid);
	txq->doorbell = a->pt + VNX_PT_TXPROD(txq->qid);
	txq->qd = vnx_txq_desc(a, txq->qid);
	return 0;

err:
	vnx_tx_ring_free(txq);
	return -ENOMEM;
}

static void vnx_tx_buf_unmap(struct device *dev, struct vnx_tx_buf *b)
{
	if (b->map == VNX_TX_MAP_SINGLE)
		dma_unmap_single(dev, b->dma, b->len, DMA_TO_DEVICE);
	else if (b->map == VNX_TX_MAP_PAGE)
		dma_unmap_page(dev, b->dma, b->len, DMA_TO_DEVICE);
	b->map = VNX_TX_MAP_NONE;
}

void vnx_tx_ring_free(struct vnx_txq *txq)
{
	struct vnx_adapter *a = txq->adapter;
	struct device *dev = &a->pdev->dev;
	u32 i;

	if (txq->bufs) {
		for (i = 0; i < txq->size; i++) {
			struct vnx_tx_buf *b = &txq->bufs[i];

			vnx_tx_buf_unmap(dev, b);
			if (b->skb)
				dev_kfree_skb_any(b->skb);
			b->skb = NULL;
		}
		kfree(txq->bufs);
		txq->bufs = NULL;
		if (txq->nq)
			netdev_tx_reset_queue(txq->nq);
	}
	if (txq->data_ring)
		dma_free_coherent(dev, txq->size * VNX_TX_DATA_DESC_SIZE, txq->data_ring,
				  txq->data_pa);
	txq->data_ring = NULL;
	if (txq->comp)
		dma_free_coherent(dev, txq->size * sizeof(*txq->comp), txq->comp,
				  txq->comp_pa);
	txq->comp = NULL;
	if (txq->ring)
		dma_free_coherent(dev, txq->size * sizeof(*txq->ring), txq->ring,
				  txq->ring_pa);
	txq->ring = NULL;
}

/* Describe the queue to the device (its descriptor in the shared area). */
void vnx_tx_ring_conf(struct vnx_txq *txq)
{
	struct vnx_txq_desc *qd = txq->qd;

	memset(qd, 0, sizeof(*qd));
	qd->conf.ring_pa = cpu_to_le64(txq->ring_pa);
	qd->conf.data_ring_pa = cpu_to_le64(txq->data_pa);
	qd->conf.comp_ring_pa = cpu_to_le64(txq->comp_pa);
	qd->conf.ring_size = cpu_to_le32(txq->size);
	qd->conf.data_ring_size = cpu_to_le32(txq->size);
	qd->conf.comp_ring_size = cpu_to_le32(txq->size);
	qd->conf.intr_idx = txq->vector;
}

#define vnx_tx_stat_inc(txq, field)				\
	do {							\
		u64_stats_update_begin(&(txq)->stats.sync);	\
		(txq)->stats.field++;				\
		u64_stats_update_end(&(txq)->stats.sync);	\
	} while (0)

static inline u32 vnx_tx_free(const struct vnx_txq *txq)
{
	return txq->size - 1 - txq->in_use;
}

/*
 * Reap completed packets; called with the queue's tx lock held.
 * budget is the NAPI budget (0 outside NAPI). Returns packets reaped.
 */
static unsigned int vnx_tx_clean(struct vnx_txq *txq, int budget)
{
	struct device *dev = &txq->adapter->pdev->dev;
	unsigned int pkts = 0, bytes = 0;

	for (;;) {
		struct vnx_tx_comp *c = &txq->comp[txq->comp_next];
		u32 w3 = le32_to_cpu(READ_ONCE(c->w3));
		struct sk_buff *skb;
		u32 last, idx;

		if ((w3 & VNX_CD_GEN) != txq->comp_gen)
			break;
		dma_rmb();
		last = le32_to_cpu(c->w0) & VNX_TCD_IDX_MASK;
		if (++txq->comp_next == txq->size) {
			txq->comp_next = 0;
			txq->comp_gen ^= VNX_CD_GEN;
		}
		if (unlikely(last >= txq->size || !txq->bufs[last].skb)) {
			netdev_err(txq->adapter->netdev,
				   "tx queue %u: completion names slot %u with no packet\n",
				   txq->qid, last);
			vnx_reset_schedule(txq->adapter);
			break;
		}

		idx = txq->next_clean;
		for (;;) {
			vnx_tx_buf_unmap(dev, &txq->bufs[idx]);
			txq->in_use--;
			if (idx == last)
				break;
			if (++idx == txq->size)
				idx = 0;
		}
		txq->next_clean = (last + 1 == txq->size) ? 0 : last + 1;

		skb = txq->bufs[last].skb;
		txq->bufs[last].skb = NULL;
		pkts++;
		bytes += skb->len;
		napi_consume_skb(skb, budget);
	}

	if (pkts)
		netdev_tx_completed_queue(txq->nq, pkts, bytes);
	return pkts;
}

/* Leave the tx vector unmasked only while packets are in flight. */
static void vnx_tx_irq_update(struct vnx_txq *txq)
{
	if (!txq->own_vector)
		return;
	if (txq->in_use && !txq->irq_armed) {
		txq->irq_armed = true;
		vnx_tx_stat_inc(txq, irq_armed);
		vnx_intr_unmask(txq->adapter, txq->vector);
	}
}

/*
 * Restart a stopped queue once a worst-case packet fits again, but never
 * while vnx_down is taking the device apart. Tx lock held.
 */
static void vnx_tx_maybe_wake(struct vnx_txq *txq)
{
	if (unlikely(netif_tx_queue_stopped(txq->nq)) && READ_ONCE(txq->adapter->up) &&
	    vnx_tx_free(txq) >= txq->wake_thresh) {
		vnx_tx_stat_inc(txq, wakes);
		netif_tx_wake_queue(txq->nq);
	}
}

void vnx_tx_poll(struct vnx_txq *txq, int budget)
{
	struct netdev_queue *nq = txq->nq;

	__netif_tx_lock(nq, smp_processor_id());
	if (txq->own_vector && READ_ONCE(txq->vec_fired)) {
		/* The vector fired, so the device (or our handler) masked it. */
		WRITE_ONCE(txq->vec_fired, false);
		txq->irq_armed = false;
	}
	vnx_tx_clean(txq, budget);
	vnx_tx_maybe_wake(txq);
	vnx_tx_irq_update(txq);
	__netif_tx_unlock(nq);
}

/*
 * Tell the device about everything written so far, then reap what it
 * completed. Tx lock held; an skb just queued may be freed in here.
 */
static void vnx_tx_doorbell(struct vnx_txq *txq)
{
	unsigned int reaped;

	txq->qd->ctrl.num_deferred = 0;
	txq->unrung = false;
	writel(txq->next_fill, txq->doorbell);
	/* Not NAPI: budget 0 frees with dev_consume_skb_any, any context. */
	reaped = vnx_tx_clean(txq, 0);
	u64_stats_update_begin(&txq->stats.sync);
	txq->stats.doorbells++;
	txq->stats.inline_reaped += reaped;
	u64_stats_update_end(&txq->stats.sync);
	/*
	 * A synchronous device may have completed everything, also what made
	 * us stop the queue: nobody else would restart it.
	 */
	vnx_tx_maybe_wake(txq);
	vnx_tx_irq_update(txq);
}

static unsigned int vnx_tx_count_desc(const struct sk_buff *skb)
{
	const struct skb_shared_info *si = skb_shinfo(skb);
	unsigned int n = DIV_ROUND_UP(skb_headlen(skb), VNX_TXD_MAX_BUF);
	unsigned int i;

	for (i = 0; i < si->nr_frags; i++)
		n += DIV_ROUND_UP(skb_frag_size(&si->frags[i]), VNX_TXD_MAX_BUF);
	return n;
}

/*
 * Offload fields of the packet's first descriptor. TSO needs the TCP
 * checksum seeded with the pseudo-header without the length, which the
 * device completes per segment.
 */
static int vnx_tx_offload(struct sk_buff *skb, u32 *w2, u32 *w3, unsigned int *segs)
{
	*w2 = 0;
	*w3 = 0;
	*segs = 1;

	if (skb_is_gso(skb)) {
		unsigned int hlen;
		int err;

		err = skb_cow_head(skb, 0);
		if (err)
			return err;
		hlen = vnx_compat_tcp_all_headers(skb);
		if (skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4) {
			struct iphdr *iph = ip_hdr(skb);

			/* Computed per segment by the device, from zero. */
			iph->check = 0;
			tcp_hdr(skb)->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, 0,
								 IPPROTO_TCP, 0);
		} else {
			const struct ipv6hdr *ip6 = ipv6_hdr(skb);

			tcp_hdr(skb)->check = ~csum_ipv6_magic(&ip6->saddr, &ip6->daddr, 0,
							       IPPROTO_TCP, 0);
		}
		*w3 = hlen | (VNX_TXD_OM_TSO << VNX_TXD_OM_SHIFT);
		*w2 = (u32)skb_shinfo(skb)->gso_size << VNX_TXD_MSSCOF_SHIFT;
		*segs = skb_shinfo(skb)->gso_segs ?: 1;
	} else if (skb->ip_summed == CHECKSUM_PARTIAL) {
		u32 start = skb_checksum_start_offset(skb);

		*w3 = start | (VNX_TXD_OM_CSUM << VNX_TXD_OM_SHIFT);
		*w2 = (start + skb->csum_offset) << VNX_TXD_MSSCOF_SHIFT;
	}

	if (skb_vlan_tag_present(skb))
		*w3 |= VNX_TXD_TI | ((u32)skb_vlan_tag_get(skb) << VNX_TXD_TCI_SHIFT);
	return 0;
}

/* State of one packet being laid into the ring. */
struct vnx_tx_fill {
	u32 idx;	/* next slot */
	u32 gen;	/* ring gen at idx */
	u32 first;
	u32 last;
	u32 ndesc;
	u32 w2_first;	/* offload bits of the first descriptor */
	u32 w3_first;
};

/* Lay one DMA-mapped buffer into as many descriptors as it needs. */
static void vnx_tx_fill_buf(struct vnx_txq *txq, struct vnx_tx_fill *f,
			    dma_addr_t dma, u32 len, u16 map)
{
	struct vnx_tx_buf *b = &txq->bufs[f->idx];

	/* The mapping is released through its first slot. */
	b->dma = dma;
	b->len = len;
	b->map = map;

	do {
		u32 chunk = min_t(u32, len, VNX_TXD_MAX_BUF);
		struct vnx_tx_desc *d = &txq->ring[f->idx];
		u32 w2 = (chunk & VNX_TXD_LEN_MASK), w3 = 0;

		if (f->ndesc == 0) {
			/* First descriptor: wrong gen until the packet is complete. */
			w2 |= f->w2_first | (f->gen ^ VNX_TXD_GEN);
			w3 = f->w3_first;
		} else {
			w2 |= f->gen;
		}
		d->addr = cpu_to_le64(dma);
		d->w2 = cpu_to_le32(w2);
		d->w3 = cpu_to_le32(w3);

		f->last = f->idx;
		f->ndesc++;
		if (++f->idx == txq->size) {
			f->idx = 0;
			f->gen ^= VNX_TXD_GEN;
		}
		dma += chunk;
		len -= chunk;
	} while (len);
}

/*
 * Undo a packet that could not be completed: release its mappings and give
 * its descriptors back to the driver. All but the first were written with
 * the live generation, i.e. owned by the device: left so, the device would
 * take them for the start of the next packet (sending from unmapped memory)
 * as soon as the next packet's first descriptor is handed over.
 */
static void vnx_tx_unwind(struct vnx_txq *txq, const struct vnx_tx_fill *f)
{
	struct device *dev = &txq->adapter->pdev->dev;
	u32 idx = f->first, gen = txq->gen, n;

	for (n = 0; n < f->ndesc; n++) {
		vnx_tx_buf_unmap(dev, &txq->bufs[idx]);
		txq->ring[idx].w2 = cpu_to_le32(gen ^ VNX_TXD_GEN);
		txq->ring[idx].w3 = 0;
		if (++idx == txq->size) {
			idx = 0;
			gen ^= VNX_TXD_GEN;
		}
	}
}

netdev_tx_t vnx_tx_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vnx_adapter *a = netdev_priv(dev);
	struct vnx_txq *txq = &a->txq[skb_get_queue_mapping(skb)];
	struct device *ddev = &a->pdev->dev;
	struct vnx_tx_fill f;
	unsigned int segs, i, len;
	bool more = vnx_compat_xmit_more(skb);
	u32 need, deferred;
	dma_addr_t dma;
	bool kick;

	need = vnx_tx_count_desc(skb);
	if (unlikely((!skb_is_gso(skb) && need > VNX_TX_MAX_DESC_NOGSO) ||
		     need > txq->stop_thresh)) {
		if (__skb_linearize(skb))
			goto drop;
		vnx_tx_stat_inc(txq, linearized);
		need = vnx_tx_count_desc(skb);
	}
	if (unlikely(need > vnx_tx_free(txq))) {
		vnx_tx_clean(txq, 0);
		if (need > vnx_tx_free(txq)) {
			netif_tx_stop_queue(txq->nq);
			u64_stats_update_begin(&txq->stats.sync);
			txq->stats.busy++;
			txq->stats.stops++;
			u64_stats_update_end(&txq->stats.sync);
			/* Packets deferred by xmit_more must not wait for a wake. */
			if (txq->unrung)
				vnx_tx_doorbell(txq);
			vnx_tx_irq_update(txq);
			return NETDEV_TX_BUSY;
		}
	}

	f.idx = txq->next_fill;
	f.gen = txq->gen;
	f.first = f.idx;
	f.last = f.idx;
	f.ndesc = 0;
	if (vnx_tx_offload(skb, &f.w2_first, &f.w3_first, &segs))
		goto drop;

	len = skb_headlen(skb);
	if (len) {
		dma = dma_map_single(ddev, skb->data, len, DMA_TO_DEVICE);
		if (unlikely(dma_mapping_error(ddev, dma)))
			goto map_error;
		vnx_tx_fill_buf(txq, &f, dma, len, VNX_TX_MAP_SINGLE);
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		len = skb_frag_size(frag);
		if (!len)
			continue;
		dma = skb_frag_dma_map(ddev, frag, 0, len, DMA_TO_DEVICE);
		if (unlikely(dma_mapping_error(ddev, dma)))
			goto map_error;
		vnx_tx_fill_buf(txq, &f, dma, len, VNX_TX_MAP_PAGE);
	}
	if (unlikely(!f.ndesc))
		goto drop;

	txq->ring[f.last].w3 |= cpu_to_le32(VNX_TXD_EOP | VNX_TXD_CQ);
	txq->bufs[f.last].skb = skb;
	txq->bufs[f.last].ndesc = f.ndesc;
	txq->in_use += f.ndesc;
	txq->next_fill = f.idx;
	txq->gen = f.gen;

	/* Software tx timestamp: before the device may complete (and we free) it. */
	skb_tx_timestamp(skb);
	/* Everything written: hand the packet over by flipping its first gen. */
	dma_wmb();
	txq->ring[f.first].w2 ^= cpu_to_le32(VNX_TXD_GEN);

	len = skb->len;
	u64_stats_update_begin(&txq->stats.sync);
	txq->stats.packets += segs;
	txq->stats.bytes += len;
	if (skb_is_gso(skb))
		txq->stats.tso++;
	else if (skb->ip_summed == CHECKSUM_PARTIAL)
		txq->stats.csum++;
	if (skb_vlan_tag_present(skb))
		txq->stats.vlan++;
	if (unlikely(vnx_tx_free(txq) < txq->stop_thresh)) {
		netif_tx_stop_queue(txq->nq);
		txq->stats.stops++;
	}
	u64_stats_update_end(&txq->stats.sync);

	txq->unrung = true;
	kick = __netdev_tx_sent_queue(txq->nq, len, more);
	deferred = le32_to_cpu(txq->qd->ctrl.num_deferred) + segs;
	if (kick && deferred >= le32_to_cpu(READ_ONCE(txq->qd->ctrl.threshold))) {
		vnx_tx_doorbell(txq);	/* skb may be gone after this */
	} else {
		txq->qd->ctrl.num_deferred = cpu_to_le32(deferred);
		vnx_tx_stat_inc(txq, deferred);
		/*
		 * xmit_more: the packet closing the burst rings (and arms if
		 * needed). Only a doorbell withheld by the device's txThreshold
		 * leaves the device working on its own: then the completion
		 * must be able to interrupt.
		 */
		if (kick)
			vnx_tx_irq_update(txq);
	}
	return NETDEV_TX_OK;

map_error:
	vnx_tx_stat_inc(txq, map_errors);
	vnx_tx_unwind(txq, &f);
drop:
	vnx_tx_stat_inc(txq, drops);
	dev_kfree_skb_any(skb);
	/* This packet may have been the one meant to ring for those before it. */
	if (txq->unrung && !more)
		vnx_tx_doorbell(txq);
	return NETDEV_TX_OK;
}

netdev_features_t vnx_tx_features_check(struct sk_buff *skb, struct net_device *dev,
					netdev_features_t features)
{
	features = vlan_features_check(skb, features);

	/* The device parses headers itself: no tunnels. */
	if (skb->encapsulation)
		return features & ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);

	if (skb_is_gso(skb)) {
		if (skb_shinfo(skb)->gso_size > VNX_TXD_MSSCOF_MAX ||
		    vnx_compat_tcp_all_headers(skb) > VNX_TXD_HLEN_MASK)
			features &= ~NETIF_F_GSO_MASK;
	} else if (skb->ip_summed == CHECKSUM_PARTIAL) {
		u32 start = skb_checksum_start_offset(skb);

		if (start > VNX_TXD_HLEN_MASK ||
		    start + skb->csum_offset > VNX_TXD_MSSCOF_MAX)
			features &= ~NETIF_F_CSUM_MASK;
	}
	return features;
}
