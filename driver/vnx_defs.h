/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vnic vmxnet3-class driver: the device ABI.
 *
 * Everything the device reads or writes, in the device's byte order
 * (little-endian) and with every bit position spelt out as a shift or a
 * mask. No bitfields: their layout is the compiler's choice, not the
 * device's. Every structure's size and the offsets the device relies on are
 * pinned with static_assert at the bottom of this file.
 */
#ifndef VNX_DEFS_H
#define VNX_DEFS_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>

#define VNX_PCI_VENDOR		0x15ad
#define VNX_PCI_DEVICE		0x07b0

/* BAR numbers. */
#define VNX_BAR_PT		0	/* per-vector masks and doorbells */
#define VNX_BAR_VD		1	/* control registers */

/* BAR1 ("VD") registers, 32-bit wide, 8-byte stride. */
#define VNX_VD_VRRS		0x00	/* device revision: read mask, write choice */
#define VNX_VD_UVRS		0x08	/* UPT revision: read mask, write choice */
#define VNX_VD_DSAL		0x10	/* shared area DMA address, low half */
#define VNX_VD_DSAH		0x18	/* shared area DMA address, high half */
#define VNX_VD_CMD		0x20	/* command code in, last result out */
#define VNX_VD_MACL		0x28	/* MAC bytes 0..3 */
#define VNX_VD_MACH		0x30	/* MAC bytes 4..5 in bits 15:0 */
#define VNX_VD_ICR		0x38	/* INTx cause: non-zero means ours */
#define VNX_VD_ECR		0x40	/* event acknowledge (write 1 to clear) */

/* BAR0 ("PT") registers. */
#define VNX_PT_IMR(vec)		(0x000 + 8 * (vec))	/* 1 masks, 0 unmasks */
#define VNX_PT_TXPROD(q)	(0x600 + 8 * (q))
#define VNX_PT_RXPROD(q)	(0x800 + 8 * (q))	/* rx ring 0 */
#define VNX_PT_RXPROD2(q)	(0xa00 + 8 * (q))	/* rx ring 1 */

/* Revisions this driver drives; bit n of VRRS is revision n + 1. */
#define VNX_REV_MIN		1
#define VNX_REV_MAX		1
#define VNX_UPT_REV		1

/* Commands written to VNX_VD_CMD. */
#define VNX_CMD_SET_BASE		0xcafe0000u
#define VNX_CMD_ACTIVATE_DEV		(VNX_CMD_SET_BASE + 0x0)
#define VNX_CMD_QUIESCE_DEV		(VNX_CMD_SET_BASE + 0x1)
#define VNX_CMD_RESET_DEV		(VNX_CMD_SET_BASE + 0x2)
#define VNX_CMD_UPDATE_RX_MODE		(VNX_CMD_SET_BASE + 0x3)
#define VNX_CMD_UPDATE_MAC_FILTERS	(VNX_CMD_SET_BASE + 0x4)
#define VNX_CMD_UPDATE_VLAN_FILTERS	(VNX_CMD_SET_BASE + 0x5)
#define VNX_CMD_UPDATE_RSSIDT		(VNX_CMD_SET_BASE + 0x6)
#define VNX_CMD_UPDATE_IML		(VNX_CMD_SET_BASE + 0x7)
#define VNX_CMD_UPDATE_PMCFG		(VNX_CMD_SET_BASE + 0x8)
#define VNX_CMD_UPDATE_FEATURE		(VNX_CMD_SET_BASE + 0x9)

#define VNX_CMD_GET_BASE		0xf00d0000u
#define VNX_CMD_GET_QUEUE_STATUS	(VNX_CMD_GET_BASE + 0x0)
#define VNX_CMD_GET_STATS		(VNX_CMD_GET_BASE + 0x1)
#define VNX_CMD_GET_LINK		(VNX_CMD_GET_BASE + 0x2)
#define VNX_CMD_GET_PERM_MAC_LO		(VNX_CMD_GET_BASE + 0x3)
#define VNX_CMD_GET_PERM_MAC_HI		(VNX_CMD_GET_BASE + 0x4)
#define VNX_CMD_GET_DID_LO		(VNX_CMD_GET_BASE + 0x5)
#define VNX_CMD_GET_DID_HI		(VNX_CMD_GET_BASE + 0x6)
#define VNX_CMD_GET_DEV_EXTRA_INFO	(VNX_CMD_GET_BASE + 0x7)
#define VNX_CMD_GET_CONF_INTR		(VNX_CMD_GET_BASE + 0x8)

/* GET_LINK result. */
#define VNX_LINK_UP			BIT(0)
#define VNX_LINK_SPEED_SHIFT		16

/* GET_CONF_INTR result. */
#define VNX_CONF_INTR_TYPE_MASK		0x3
#define VNX_INTR_TYPE_AUTO		0
#define VNX_INTR_TYPE_INTX		1
#define VNX_INTR_TYPE_MSI		2
#define VNX_INTR_TYPE_MSIX		3
#define VNX_CONF_INTR_MASK_SHIFT	2
#define VNX_CONF_INTR_MASK_MASK		0x3
#define VNX_INTR_MASK_AUTO		0
#define VNX_INTR_MASK_ACTIVE		1
#define VNX_INTR_MASK_LAZY		2

/* Limits. */
#define VNX_MAX_TX_QUEUES	8
#define VNX_MAX_RX_QUEUES	8
#define VNX_MAX_INTRS		25
#define VNX_RING_ALIGN		32	/* ring sizes are multiples of this */
#define VNX_RING_MAX		4096
#define VNX_RX_COMP_RING_MAX	8192
#define VNX_TXD_MAX_BUF		16384	/* one tx descriptor's reach */
#define VNX_TX_MAX_DESC_NOGSO	16	/* descriptors per non-TSO packet */
#define VNX_MIN_MTU		60
#define VNX_MAX_MTU		9000
#define VNX_TX_DATA_DESC_SIZE	128	/* revision 1 data ring entry */
#define VNX_MF_TABLE_MAX	512	/* multicast entries we hand over */
#define VNX_VF_TABLE_WORDS	128	/* 4096 VLAN ids, one bit each */

/* Shared area. */
#define VNX_SHARED_MAGIC	0xbabefee1u

/* driver_info.gos */
#define VNX_GOS_BITS_32		1
#define VNX_GOS_BITS_64		2
#define VNX_GOS_TYPE_SHIFT	2
#define VNX_GOS_TYPE_LINUX	1
#define VNX_GOS_VER_SHIFT	6
#define VNX_GOS_VER_MASK	0xffff

/* misc.upt_features */
#define VNX_UPT_F_RXCSUM	BIT_ULL(0)
#define VNX_UPT_F_RSS		BIT_ULL(1)
#define VNX_UPT_F_RXVLAN	BIT_ULL(2)
#define VNX_UPT_F_LRO		BIT_ULL(3)

/* rx_filter.rx_mode */
#define VNX_RXM_UCAST		BIT(0)
#define VNX_RXM_MCAST		BIT(1)
#define VNX_RXM_BCAST		BIT(2)
#define VNX_RXM_ALL_MULTI	BIT(3)
#define VNX_RXM_PROMISC		BIT(4)

/* intr.mod_levels[]: interrupt moderation per vector (ignored by QEMU) */
#define VNX_IML_NONE		0
#define VNX_IML_ADAPTIVE	8

/* Below this device revision queue counts must be powers of two. */
#define VNX_REV_ANY_QUEUES	6

/* intr.intr_ctrl */
#define VNX_INTR_CTRL_DISABLE_ALL	BIT(0)

/* RSS configuration (rss_conf.pa points at a struct vnx_rss_conf). */
#define VNX_RSS_CONF_VER	1
#define VNX_RSS_HASH_IPV4	BIT(0)
#define VNX_RSS_HASH_TCP_IPV4	BIT(1)
#define VNX_RSS_HASH_IPV6	BIT(2)
#define VNX_RSS_HASH_TCP_IPV6	BIT(3)
#define VNX_RSS_FUNC_TOEPLITZ	1
#define VNX_RSS_KEY_MAX		40
#define VNX_RSS_INDIR_MAX	128
#define VNX_RSS_KEY_SIZE	40	/* what we hand over */
#define VNX_RSS_INDIR_SIZE	(4 * VNX_MAX_RX_QUEUES)

/* Rx completion rss_type (w0 bits 29:26). */
#define VNX_RCD_RSS_NONE	0
#define VNX_RCD_RSS_IPV4	1
#define VNX_RCD_RSS_TCP_IPV4	2
#define VNX_RCD_RSS_IPV6	3
#define VNX_RCD_RSS_TCP_IPV6	4

/* ecr event bits */
#define VNX_ECR_RQERR		BIT(0)
#define VNX_ECR_TQERR		BIT(1)
#define VNX_ECR_LINK		BIT(2)
#define VNX_ECR_DIC		BIT(3)
#define VNX_ECR_DEBUG		BIT(4)

struct vnx_drv_info {
	__le32 version;
	__le32 gos;
	__le32 rev_supported;
	__le32 upt_supported;
};

struct vnx_misc_conf {
	struct vnx_drv_info drv_info;
	__le64 upt_features;
	__le64 dd_pa;
	__le64 queue_desc_pa;
	__le32 dd_len;
	__le32 queue_desc_len;
	__le32 mtu;
	__le16 max_rx_sg;
	u8 num_tx_queues;
	u8 num_rx_queues;
	__le32 reserved[4];
};

struct vnx_intr_conf {
	u8 auto_mask;
	u8 num_intrs;
	u8 event_intr_idx;
	u8 mod_levels[VNX_MAX_INTRS];
	__le32 intr_ctrl;
	__le32 reserved[2];
};

struct vnx_rx_filter_conf {
	__le32 rx_mode;
	__le16 mf_table_len;	/* in bytes */
	__le16 pad;
	__le64 mf_table_pa;
	__le32 vf_table[VNX_VF_TABLE_WORDS];
};

struct vnx_var_conf {
	__le32 ver;
	__le32 len;
	__le64 pa;
};

struct vnx_shared {
	__le32 magic;
	__le32 pad;
	struct vnx_misc_conf misc;
	struct vnx_intr_conf intr;
	struct vnx_rx_filter_conf rx_filter;
	struct vnx_var_conf rss_conf;
	struct vnx_var_conf pm_conf;
	struct vnx_var_conf plugin_conf;
	__le32 ecr;
	__le32 reserved[5];
};

struct vnx_rss_conf {
	__le16 hash_type;
	__le16 hash_func;
	__le16 key_size;
	__le16 indir_size;
	u8 key[VNX_RSS_KEY_MAX];
	u8 indir[VNX_RSS_INDIR_MAX];
};

/* Queue descriptors: 256 bytes each, all tx queues first, then all rx. */
struct vnx_queue_status {
	u8 stopped;
	u8 pad[3];
	__le32 error;
};

struct vnx_txq_ctrl {
	__le32 num_deferred;
	__le32 threshold;
	__le64 reserved;
};

struct vnx_txq_conf {
	__le64 ring_pa;
	__le64 data_ring_pa;
	__le64 comp_ring_pa;
	__le64 dd_pa;
	__le64 reserved;
	__le32 ring_size;
	__le32 data_ring_size;
	__le32 comp_ring_size;
	__le32 dd_len;
	u8 intr_idx;
	u8 pad[7];
};

/* Device counters, filled in by GET_STATS; the order is the device's. */
enum vnx_dev_tx_stat {
	VNX_DTX_TSO_PKTS,
	VNX_DTX_TSO_BYTES,
	VNX_DTX_UCAST_PKTS,
	VNX_DTX_UCAST_BYTES,
	VNX_DTX_MCAST_PKTS,
	VNX_DTX_MCAST_BYTES,
	VNX_DTX_BCAST_PKTS,
	VNX_DTX_BCAST_BYTES,
	VNX_DTX_ERR_PKTS,
	VNX_DTX_DISCARD_PKTS,
	VNX_DTX_NUM
};

enum vnx_dev_rx_stat {
	VNX_DRX_LRO_PKTS,
	VNX_DRX_LRO_BYTES,
	VNX_DRX_UCAST_PKTS,
	VNX_DRX_UCAST_BYTES,
	VNX_DRX_MCAST_PKTS,
	VNX_DRX_MCAST_BYTES,
	VNX_DRX_BCAST_PKTS,
	VNX_DRX_BCAST_BYTES,
	VNX_DRX_OUT_OF_BUF,
	VNX_DRX_ERR_PKTS,
	VNX_DRX_NUM
};

struct vnx_txq_desc {
	struct vnx_txq_ctrl ctrl;
	struct vnx_txq_conf conf;
	struct vnx_queue_status status;
	__le64 stats[VNX_DTX_NUM];
	u8 pad[88];
};

struct vnx_rxq_ctrl {
	u8 update_prod;
	u8 pad[7];
	__le64 reserved;
};

struct vnx_rxq_conf {
	__le64 ring_pa[2];
	__le64 comp_ring_pa;
	__le64 dd_pa;
	__le64 reserved;
	__le32 ring_size[2];
	__le32 comp_ring_size;
	__le32 dd_len;
	u8 intr_idx;
	u8 pad[7];
};

struct vnx_rxq_desc {
	struct vnx_rxq_ctrl ctrl;
	struct vnx_rxq_conf conf;
	struct vnx_queue_status status;
	__le64 stats[VNX_DRX_NUM];
	u8 pad[88];
};

/* Tx descriptor. */
struct vnx_tx_desc {
	__le64 addr;
	__le32 w2;
	__le32 w3;
};

#define VNX_TXD_LEN_MASK	0x3fffu		/* w2; 0 means 16384 */
#define VNX_TXD_GEN		BIT(14)		/* w2 */
#define VNX_TXD_DTYPE		BIT(16)		/* w2 */
#define VNX_TXD_MSSCOF_SHIFT	18		/* w2, 14 bits */
#define VNX_TXD_MSSCOF_MAX	0x3fffu
#define VNX_TXD_HLEN_MASK	0x3ffu		/* w3 */
#define VNX_TXD_OM_SHIFT	10		/* w3, 2 bits */
#define VNX_TXD_OM_NONE		0u
#define VNX_TXD_OM_CSUM		2u
#define VNX_TXD_OM_TSO		3u
#define VNX_TXD_EOP		BIT(12)		/* w3 */
#define VNX_TXD_CQ		BIT(13)		/* w3 */
#define VNX_TXD_TI		BIT(15)		/* w3 */
#define VNX_TXD_TCI_SHIFT	16		/* w3 */

/* Tx completion descriptor. */
struct vnx_tx_comp {
	__le32 w0;
	__le32 w1;
	__le32 w2;
	__le32 w3;
};

#define VNX_TCD_IDX_MASK	0xfffu		/* w0 */

/* Shared by both completion kinds: w3. */
#define VNX_CD_TYPE_SHIFT	24
#define VNX_CD_TYPE_MASK	0x7fu
#define VNX_CD_GEN		BIT(31)

/* Rx descriptor. */
struct vnx_rx_desc {
	__le64 addr;
	__le32 w2;
	__le32 w3;
};

#define VNX_RXD_LEN_MASK	0x3fffu		/* w2 */
#define VNX_RXD_BTYPE_BODY	BIT(14)		/* w2; clear = head buffer */
#define VNX_RXD_DTYPE		BIT(15)		/* w2 */
#define VNX_RXD_GEN		BIT(31)		/* w2 */

/* Rx completion descriptor. */
struct vnx_rx_comp {
	__le32 w0;
	__le32 w1;	/* RSS hash */
	__le32 w2;
	__le32 w3;
};

#define VNX_RCD_IDX_MASK	0xfffu		/* w0 */
#define VNX_RCD_EOP		BIT(14)		/* w0 */
#define VNX_RCD_SOP		BIT(15)		/* w0 */
#define VNX_RCD_RQID_SHIFT	16		/* w0, 10 bits */
#define VNX_RCD_RQID_MASK	0x3ffu
#define VNX_RCD_RSS_SHIFT	26		/* w0, 4 bits */
#define VNX_RCD_RSS_MASK	0xfu
#define VNX_RCD_CNC		BIT(30)		/* w0: checksum not calculated */
#define VNX_RCD_LEN_MASK	0x3fffu		/* w2 */
#define VNX_RCD_ERR		BIT(14)		/* w2 */
#define VNX_RCD_TS		BIT(15)		/* w2: VLAN tag stripped */
#define VNX_RCD_TCI_SHIFT	16		/* w2 */
#define VNX_RCD_CSUM_MASK	0xffffu		/* w3 */
#define VNX_RCD_TUC		BIT(16)		/* w3: L4 checksum good */
#define VNX_RCD_UDP		BIT(17)
#define VNX_RCD_TCP		BIT(18)
#define VNX_RCD_IPC		BIT(19)		/* w3: IPv4 header checksum good */
#define VNX_RCD_V6		BIT(20)
#define VNX_RCD_V4		BIT(21)
#define VNX_RCD_FRG		BIT(22)
#define VNX_RCD_FCS		BIT(23)

/* Pin the layout: the device reads these at fixed offsets. */
static_assert(sizeof(struct vnx_drv_info) == 16);
static_assert(sizeof(struct vnx_misc_conf) == 72);
static_assert(offsetof(struct vnx_misc_conf, upt_features) == 16);
static_assert(offsetof(struct vnx_misc_conf, queue_desc_pa) == 32);
static_assert(offsetof(struct vnx_misc_conf, mtu) == 48);
static_assert(offsetof(struct vnx_misc_conf, max_rx_sg) == 52);
static_assert(offsetof(struct vnx_misc_conf, num_tx_queues) == 54);
static_assert(offsetof(struct vnx_misc_conf, num_rx_queues) == 55);
static_assert(sizeof(struct vnx_intr_conf) == 40);
static_assert(offsetof(struct vnx_intr_conf, intr_ctrl) == 28);
static_assert(sizeof(struct vnx_rx_filter_conf) == 528);
static_assert(offsetof(struct vnx_rx_filter_conf, mf_table_pa) == 8);
static_assert(offsetof(struct vnx_rx_filter_conf, vf_table) == 16);
static_assert(sizeof(struct vnx_var_conf) == 16);
static_assert(offsetof(struct vnx_shared, misc) == 8);
static_assert(offsetof(struct vnx_shared, intr) == 80);
static_assert(offsetof(struct vnx_shared, rx_filter) == 120);
static_assert(offsetof(struct vnx_shared, rss_conf) == 648);
static_assert(offsetof(struct vnx_shared, pm_conf) == 664);
static_assert(offsetof(struct vnx_shared, plugin_conf) == 680);
static_assert(offsetof(struct vnx_shared, ecr) == 696);
static_assert(sizeof(struct vnx_shared) == 720);
static_assert(sizeof(struct vnx_rss_conf) == 176);
static_assert(offsetof(struct vnx_rss_conf, key) == 8);
static_assert(offsetof(struct vnx_rss_conf, indir) == 48);
static_assert(VNX_RSS_INDIR_SIZE <= VNX_RSS_INDIR_MAX);
static_assert(VNX_RSS_KEY_SIZE <= VNX_RSS_KEY_MAX);
static_assert(sizeof(struct vnx_queue_status) == 8);
static_assert(sizeof(struct vnx_txq_ctrl) == 16);
static_assert(sizeof(struct vnx_txq_conf) == 64);
static_assert(offsetof(struct vnx_txq_conf, ring_size) == 40);
static_assert(offsetof(struct vnx_txq_conf, intr_idx) == 56);
static_assert(offsetof(struct vnx_txq_desc, conf) == 16);
static_assert(offsetof(struct vnx_txq_desc, status) == 80);
static_assert(offsetof(struct vnx_txq_desc, stats) == 88);
static_assert(sizeof(struct vnx_txq_desc) == 256);
static_assert(sizeof(struct vnx_rxq_ctrl) == 16);
static_assert(sizeof(struct vnx_rxq_conf) == 64);
static_assert(offsetof(struct vnx_rxq_conf, ring_size) == 40);
static_assert(offsetof(struct vnx_rxq_conf, intr_idx) == 56);
static_assert(offsetof(struct vnx_rxq_desc, conf) == 16);
static_assert(offsetof(struct vnx_rxq_desc, status) == 80);
static_assert(offsetof(struct vnx_rxq_desc, stats) == 88);
static_assert(sizeof(struct vnx_rxq_desc) == 256);
static_assert(sizeof(struct vnx_tx_desc) == 16);
static_assert(sizeof(struct vnx_tx_comp) == 16);
static_assert(sizeof(struct vnx_rx_desc) == 16);
static_assert(sizeof(struct vnx_rx_comp) == 16);

#endif /* VNX_DEFS_H */
