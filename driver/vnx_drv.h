/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vnic vmxnet3-class driver: driver state and the prototypes of each area.
 */
#ifndef VNX_DRV_H
#define VNX_DRV_H

#include <linux/if_vlan.h>
#include <linux/io.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "vnx_defs.h"

#define VNX_DRV_NAME		"vmxnet3"

#ifndef VNX_DRV_VERSION
#error "VNX_DRV_VERSION must come from the build (make ... VNX_VERSION=x.y.z)"
#endif

/* Ring size defaults (module parameters and ethtool -G change them). */
#define VNX_DEF_TX_RING		512
#define VNX_DEF_RX_RING		1024
#define VNX_DEF_RX_BODY_RING	1024
#define VNX_MIN_RING		32

#define VNX_NAPI_WEIGHT		64

/* Rx head buffer: MTU + Ethernet + VLAN + FCS room, at least 128 bytes. */
#define VNX_RX_HEAD_EXTRA	22
#define VNX_RX_HEAD_MIN		128
#define VNX_RX_HEAD_MAX		2048

/* Rx packets up to this size are copied and their buffer kept (ethtool rx-copybreak). */
#define VNX_RX_COPYBREAK	256

/*
 * Stop the tx queue while fewer slots than a worst-case packet are free
 * (capped at half the ring for small rings, where packets needing more
 * descriptors than that are linearised; see vnx_tx_ring_alloc).
 */
#define VNX_TX_STOP_THRESH	(MAX_SKB_FRAGS + 8)

enum vnx_intr_mode {
	VNX_INTR_MSIX,
	VNX_INTR_MSI,
	VNX_INTR_INTX,
};

/* Driver-side counters of one tx queue (ethtool -S). */
struct vnx_tx_stats {
	u64 packets;
	u64 bytes;
	u64 doorbells;
	u64 deferred;		/* doorbells saved by xmit_more */
	u64 tso;
	u64 csum;
	u64 vlan;
	u64 stops;
	u64 wakes;
	u64 busy;
	u64 linearized;
	u64 drops;
	u64 map_errors;
	u64 inline_reaped;	/* completions reaped in the xmit path */
	u64 irq_armed;		/* times the tx vector was unmasked */
	struct u64_stats_sync sync;
};

struct vnx_rx_stats {
	u64 packets;
	u64 bytes;
	u64 csum_ok;
	u64 lro;
	u64 vlan;
	u64 alloc_fail;
	u64 err_drops;		/* device flagged the packet */
	u64 frag_drops;		/* too many fragments */
	u64 bad_comp;		/* completion naming a foreign ring */
	u64 copybreak;		/* small packets copied, buffer kept */
	u64 polls;
	struct u64_stats_sync sync;
};

struct vnx_tx_buf {
	struct sk_buff *skb;	/* set on the packet's last slot */
	dma_addr_t dma;
	u32 len;
	u16 map;		/* VNX_TX_MAP_* */
	u16 ndesc;		/* on the last slot: descriptors in packet */
};

#define VNX_TX_MAP_NONE		0
#define VNX_TX_MAP_SINGLE	1
#define VNX_TX_MAP_PAGE		2

struct vnx_adapter;

struct vnx_txq {
	/* Hot: xmit path. */
	struct vnx_tx_desc *ring;
	struct vnx_tx_buf *bufs;
	u32 size;
	u32 next_fill;
	u32 next_clean;		/* oldest slot of the oldest packet in flight */
	u32 stop_thresh;	/* stop the queue below this many free slots */
	u32 wake_thresh;	/* wake it from this many free slots */
	u32 in_use;		/* descriptors owned by packets in flight */
	u32 gen;		/* VNX_TXD_GEN or 0 */
	struct vnx_tx_comp *comp;
	u32 comp_next;
	u32 comp_gen;		/* VNX_CD_GEN or 0 */
	void __iomem *doorbell;
	struct vnx_txq_desc *qd;
	struct netdev_queue *nq;
	bool own_vector;	/* tx completions have a vector of their own */
	bool irq_armed;		/* that vector is unmasked */
	bool vec_fired;		/* set by the tx vector's handler */
	bool unrung;		/* descriptors written since the last doorbell */
	u16 vector;

	struct vnx_tx_stats stats;

	/* Cold. */
	u16 qid;
	struct vnx_adapter *adapter;
	dma_addr_t ring_pa;
	dma_addr_t comp_pa;
	void *data_ring;	/* handed to the device, never written */
	dma_addr_t data_pa;
} ____cacheline_aligned_in_smp;

struct vnx_rx_buf {
	struct page *page;	/* from the ring's page_pool, mapped by it */
	dma_addr_t dma;		/* where the device writes: the page's mapping + buf_off */
};

struct vnx_rx_ring {
	struct vnx_rx_desc *desc;
	struct vnx_rx_buf *bufs;
	u32 size;
	u32 next_fill;		/* next slot to hand back to the device */
	u32 gen;		/* VNX_RXD_GEN or 0: gen of the next hand-back */
	u32 done;		/* last slot the device completed */
	bool has_done;
	u32 buf_len;
	u32 buf_off;		/* headroom before the buffer in its page */
	u32 truesize;		/* memory a buffer's page accounts for */
	u32 w2_bits;		/* length and buffer type of every descriptor */
	bool map_each;		/* buffers mapped in the ring only, not by the pool */
	struct page_pool *pool;
	dma_addr_t pa;
};

struct vnx_rxq {
	struct vnx_rx_ring ring[2];
	struct vnx_rx_comp *comp;
	u32 comp_size;
	u32 comp_next;
	u32 comp_gen;
	struct sk_buff *skb;	/* packet being assembled across completions */
	bool discard;		/* drop completions up to the next eop */
	u32 sop_w0;		/* first completion of that packet: RSS type */
	u32 sop_hash;		/* and RSS hash */
	struct napi_struct *napi;
	struct vnx_rxq_desc *qd;
	void __iomem *prod[2];
	u16 vector;
	bool vec_masked;
	u32 copybreak;		/* the adapter's rx_copybreak, read once per poll */
	u32 fault_seq;		/* allocations counted by the fault_rx_alloc hook */

	struct vnx_rx_stats stats;

	u16 qid;
	struct vnx_adapter *adapter;
	dma_addr_t comp_pa;
} ____cacheline_aligned_in_smp;

/* One NAPI context serves tx queue i and rx queue i (either may be absent). */
struct vnx_napi {
	struct napi_struct napi;
	struct vnx_adapter *adapter;
	struct vnx_txq *txq;
	struct vnx_rxq *rxq;
};

enum vnx_vec_kind {
	VNX_VEC_RX,
	VNX_VEC_TX,
	VNX_VEC_EVENT,
	VNX_VEC_ALL,		/* MSI/INTx: one vector does everything */
};

struct vnx_vector {
	struct vnx_adapter *adapter;
	enum vnx_vec_kind kind;
	u16 index;		/* queue index for RX/TX */
	bool requested;
	char name[IFNAMSIZ + 16];
};

/* Driver-wide counters. */
struct vnx_dev_stats {
	u64 events;
	u64 link_events;
	u64 queue_errors;
	u64 resets;
	u64 tx_timeouts;
	u64 reset_failures;
	u64 filter_cmds;	/* rx mode, multicast and VLAN filter commands */
	u64 forced_closes;	/* failed re-opens that closed the interface */
	u64 rss_cmds;		/* RSS table/key updates sent to a running device */
	u64 suspends;
	u64 resumes;
};

struct vnx_adapter {
	struct net_device *netdev;
	struct pci_dev *pdev;
	void __iomem *pt;	/* BAR0 */
	void __iomem *vd;	/* BAR1 */

	/* Command channel: CMD write + read back happen under this lock. */
	spinlock_t cmd_lock;

	struct vnx_shared *shared;
	dma_addr_t shared_pa;
	void *qdesc;		/* tx queue descriptors, then rx */
	dma_addr_t qdesc_pa;
	u8 *mf_table;
	dma_addr_t mf_table_pa;
	struct vnx_rss_conf *rss;	/* read by the device, written from rss_key/indir */
	dma_addr_t rss_pa;

	u32 rev;		/* negotiated device revision */
	u8 perm_addr[ETH_ALEN];

	/* Queues and rings. */
	unsigned int num_tx;
	unsigned int num_rx;
	unsigned int num_napi;	/* max(num_tx, num_rx) */
	u32 tx_ring_size;
	u32 rx_ring_size[2];
	struct vnx_txq txq[VNX_MAX_TX_QUEUES];
	struct vnx_rxq rxq[VNX_MAX_RX_QUEUES];
	struct vnx_napi napi[VNX_MAX_TX_QUEUES];

	/* Interrupts. */
	enum vnx_intr_mode intr_mode;
	bool auto_mask;		/* the device masks a vector when it fires */
	unsigned int num_vectors;
	unsigned int event_vector;
	struct vnx_vector vec[VNX_MAX_INTRS];

	/* RSS: the driver's copy (ethtool -x/-X), handed over on activation. */
	u8 rss_key[VNX_RSS_KEY_SIZE];
	u8 rss_indir[VNX_RSS_INDIR_SIZE];

	/* VLAN ids in use (for the device's filter table). */
	unsigned long active_vlans[BITS_TO_LONGS(VLAN_N_VID)];

	u32 rx_copybreak;	/* ethtool rx-copybreak */
	bool adaptive_coal;	/* intr.mod_levels: adaptive (else none) */
	/* What the device was last told (skip commands that change nothing). */
	u32 rx_mode_set;
	unsigned int mf_count_set;
	bool filters_valid;

	/* Link. */
	u32 link_speed;		/* Mbps; 0 when down */

	bool up;		/* rings allocated and device activated */
	unsigned long state;
	struct work_struct reset_work;

	struct vnx_dev_stats dstats;
};

/* adapter->state bits */
#define VNX_STATE_REMOVING	0
#define VNX_STATE_SUSPENDED	1	/* between PM suspend/freeze and resume/thaw */

static inline u32 vnx_vd_read(struct vnx_adapter *a, u32 reg)
{
	return readl(a->vd + reg);
}

static inline void vnx_vd_write(struct vnx_adapter *a, u32 reg, u32 val)
{
	writel(val, a->vd + reg);
}

static inline void vnx_pt_write(struct vnx_adapter *a, u32 reg, u32 val)
{
	writel(val, a->pt + reg);
}

static inline void vnx_intr_mask(struct vnx_adapter *a, unsigned int vec)
{
	vnx_pt_write(a, VNX_PT_IMR(vec), 1);
}

static inline void vnx_intr_unmask(struct vnx_adapter *a, unsigned int vec)
{
	vnx_pt_write(a, VNX_PT_IMR(vec), 0);
}

static inline struct vnx_txq_desc *vnx_txq_desc(struct vnx_adapter *a, unsigned int q)
{
	return (struct vnx_txq_desc *)a->qdesc + q;
}

static inline struct vnx_rxq_desc *vnx_rxq_desc(struct vnx_adapter *a, unsigned int q)
{
	/* The device expects the rx descriptors right after the tx ones. */
	return (struct vnx_rxq_desc *)((struct vnx_txq_desc *)a->qdesc + a->num_tx) + q;
}

/* vnx_cmd.c: the command register channel. */
u32 vnx_cmd_run(struct vnx_adapter *a, u32 cmd);
int vnx_cmd_activate(struct vnx_adapter *a);
void vnx_cmd_quiesce(struct vnx_adapter *a);
void vnx_cmd_reset(struct vnx_adapter *a);
u32 vnx_cmd_get_link(struct vnx_adapter *a);
void vnx_cmd_get_perm_mac(struct vnx_adapter *a, u8 *mac);
u32 vnx_cmd_get_conf_intr(struct vnx_adapter *a);
void vnx_cmd_get_stats(struct vnx_adapter *a);

/* vnx_main.c: device bring-up, events, resets. */
void vnx_link_update(struct vnx_adapter *a, bool announce);
void vnx_event_handle(struct vnx_adapter *a);
void vnx_reset_schedule(struct vnx_adapter *a);
int vnx_reconfigure(struct vnx_adapter *a, unsigned int num_tx, unsigned int num_rx,
		    u32 tx_ring, u32 rx_ring0, u32 rx_ring1);
bool vnx_queue_count_ok(const struct vnx_adapter *a, unsigned int n);
void vnx_coalesce_apply(struct vnx_adapter *a);

/* vnx_tx.c: transmit rings. */
int vnx_tx_ring_alloc(struct vnx_txq *txq);
void vnx_tx_ring_free(struct vnx_txq *txq);
void vnx_tx_ring_conf(struct vnx_txq *txq);
netdev_tx_t vnx_tx_xmit(struct sk_buff *skb, struct net_device *dev);
void vnx_tx_poll(struct vnx_txq *txq, int budget);
netdev_features_t vnx_tx_features_check(struct sk_buff *skb, struct net_device *dev,
					netdev_features_t features);

/* vnx_rx.c: receive rings and the NAPI poll. */
extern unsigned int vnx_rx_copybreak_default;
int vnx_rx_ring_alloc(struct vnx_rxq *rxq);
void vnx_rx_ring_free(struct vnx_rxq *rxq);
void vnx_rx_ring_conf(struct vnx_rxq *rxq);
void vnx_rx_prod_kick(struct vnx_rxq *rxq, bool force);
u32 vnx_rx_head_len(unsigned int mtu);
int vnx_napi_poll(struct napi_struct *napi, int budget);

/* vnx_rss.c: receive side scaling. */
bool vnx_rss_active(const struct vnx_adapter *a);
void vnx_rss_indir_check(struct vnx_adapter *a);
void vnx_rss_conf_fill(struct vnx_adapter *a);
void vnx_rss_apply(struct vnx_adapter *a);
void vnx_rss_skb_hash(struct sk_buff *skb, u32 w0, u32 hash);

/* vnx_ethtool.c */
void vnx_ethtool_set_ops(struct net_device *dev);

#endif /* VNX_DRV_H */
