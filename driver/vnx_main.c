// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnic vmxnet3-class driver: PCI glue, net_device operations, bring-up,
 * interrupts, events and resets.
 *
 * Life cycle: probe negotiates the revision, reads the MAC, allocates the
 * shared area and the interrupt vectors. Open (vnx_up) allocates the rings,
 * describes them in the shared area, activates the device and unmasks the
 * interrupts. Close (vnx_down) quiesces and resets the device, then frees
 * the rings. Everything that must rebuild the rings (MTU, ring sizes,
 * channel count, recovery after an error) is vnx_down + vnx_up under RTNL.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rtnetlink.h>
#include <linux/version.h>

#include "vnx_compat.h"
#include "vnx_drv.h"

/* ---- module parameters ------------------------------------------------ */

static char *intr_mode = "auto";
module_param(intr_mode, charp, 0444);
MODULE_PARM_DESC(intr_mode, "Interrupt mode: auto (MSI-X, then MSI, then INTx), msix, msi, intx");

static unsigned int tx_queues;
module_param(tx_queues, uint, 0444);
MODULE_PARM_DESC(tx_queues, "Tx queues, 1-8 (default 0: one per online CPU, at most 8)");

static unsigned int rx_queues;
module_param(rx_queues, uint, 0444);
MODULE_PARM_DESC(rx_queues,
		 "Rx queues, 1-8 (default 0: one per online CPU, at most 8; RSS spreads flows over them)");

static unsigned int tx_ring_size = VNX_DEF_TX_RING;
module_param(tx_ring_size, uint, 0444);
MODULE_PARM_DESC(tx_ring_size, "Tx ring size, multiple of 32, 32-4096 (default 512)");

static unsigned int rx_ring_size = VNX_DEF_RX_RING;
module_param(rx_ring_size, uint, 0444);
MODULE_PARM_DESC(rx_ring_size, "Rx head ring size, multiple of 32, 32-4096 (default 1024)");

static unsigned int rx_body_ring_size = VNX_DEF_RX_BODY_RING;
module_param(rx_body_ring_size, uint, 0444);
MODULE_PARM_DESC(rx_body_ring_size,
		 "Rx body ring size (jumbo frames, LRO), multiple of 32, 32-4096 (default 1024)");

/* ---- small helpers ---------------------------------------------------- */

static u32 vnx_ring_param(struct pci_dev *pdev, const char *name, unsigned int val, u32 def)
{
	u32 r;

	if (val >= VNX_MIN_RING && val <= VNX_RING_MAX && !(val % VNX_RING_ALIGN))
		return val;
	r = clamp_t(u32, rounddown(val, VNX_RING_ALIGN), VNX_MIN_RING, VNX_RING_MAX);
	if (!val)
		r = def;
	dev_warn(&pdev->dev, "%s=%u is not a multiple of %u in %u..%u; using %u\n", name, val,
		 VNX_RING_ALIGN, VNX_MIN_RING, VNX_RING_MAX, r);
	return r;
}

bool vnx_queue_count_ok(const struct vnx_adapter *a, unsigned int n)
{
	return a->rev >= VNX_REV_ANY_QUEUES || is_power_of_2(n);
}

/* A queue count from a module parameter (quiet: from the CPU count), made usable. */
static unsigned int vnx_queue_param(struct vnx_adapter *a, const char *name, unsigned int val,
				    unsigned int max, bool quiet)
{
	unsigned int n = clamp_t(unsigned int, val, 1, max);

	if (!vnx_queue_count_ok(a, n))
		n = rounddown_pow_of_two(n);
	if (n != val && !quiet)
		dev_warn(&a->pdev->dev, "%s=%u: using %u (1..%u, a power of two on revision %u)\n",
			 name, val, n, max, a->rev);
	return n;
}

static u64 vnx_upt_features(const struct vnx_adapter *a, netdev_features_t features)
{
	u64 upt = vnx_rss_active(a) ? VNX_UPT_F_RSS : 0;

	if (features & NETIF_F_RXCSUM)
		upt |= VNX_UPT_F_RXCSUM;
	if (features & NETIF_F_LRO)
		upt |= VNX_UPT_F_LRO;
	if (features & NETIF_F_HW_VLAN_CTAG_RX)
		upt |= VNX_UPT_F_RXVLAN;
	return upt;
}

static void vnx_mac_read(struct vnx_adapter *a, u8 *mac)
{
	u32 lo = vnx_vd_read(a, VNX_VD_MACL);
	u32 hi = vnx_vd_read(a, VNX_VD_MACH);

	mac[0] = lo & 0xff;
	mac[1] = (lo >> 8) & 0xff;
	mac[2] = (lo >> 16) & 0xff;
	mac[3] = (lo >> 24) & 0xff;
	mac[4] = hi & 0xff;
	mac[5] = (hi >> 8) & 0xff;
}

static void vnx_mac_write(struct vnx_adapter *a, const u8 *mac)
{
	vnx_vd_write(a, VNX_VD_MACL, mac[0] | (mac[1] << 8) | (mac[2] << 16) |
		     ((u32)mac[3] << 24));
	vnx_vd_write(a, VNX_VD_MACH, mac[4] | (mac[5] << 8));
}

/* ---- link and events -------------------------------------------------- */

void vnx_link_update(struct vnx_adapter *a, bool announce)
{
	struct net_device *dev = a->netdev;
	u32 link = vnx_cmd_get_link(a);

	if (link & VNX_LINK_UP) {
		WRITE_ONCE(a->link_speed, link >> VNX_LINK_SPEED_SHIFT);
		if (!netif_carrier_ok(dev)) {
			if (announce)
				netdev_info(dev, "link up, %u Mbps\n",
					    link >> VNX_LINK_SPEED_SHIFT);
			netif_carrier_on(dev);
		}
	} else {
		WRITE_ONCE(a->link_speed, 0);
		if (netif_carrier_ok(dev)) {
			if (announce)
				netdev_info(dev, "link down\n");
			netif_carrier_off(dev);
		}
	}
}

static void vnx_queue_errors_report(struct vnx_adapter *a)
{
	unsigned int q;

	vnx_cmd_run(a, VNX_CMD_GET_QUEUE_STATUS);
	for (q = 0; q < a->num_tx; q++) {
		struct vnx_txq_desc *qd = vnx_txq_desc(a, q);

		if (qd->status.stopped)
			netdev_err(a->netdev, "tx queue %u stopped by the device, error %#x\n",
				   q, le32_to_cpu(qd->status.error));
	}
	for (q = 0; q < a->num_rx; q++) {
		struct vnx_rxq_desc *qd = vnx_rxq_desc(a, q);

		if (qd->status.stopped)
			netdev_err(a->netdev, "rx queue %u stopped by the device, error %#x\n",
				   q, le32_to_cpu(qd->status.error));
	}
}

/* Read, acknowledge and act on the event bits. Any context. */
void vnx_event_handle(struct vnx_adapter *a)
{
	u32 ecr = le32_to_cpu(READ_ONCE(a->shared->ecr));

	if (!ecr)
		return;
	vnx_vd_write(a, VNX_VD_ECR, ecr);
	a->dstats.events++;

	if (!READ_ONCE(a->up))
		return;
	if (ecr & VNX_ECR_LINK) {
		a->dstats.link_events++;
		vnx_link_update(a, true);
	}
	if (ecr & (VNX_ECR_TQERR | VNX_ECR_RQERR)) {
		a->dstats.queue_errors++;
		vnx_queue_errors_report(a);
		vnx_reset_schedule(a);
	}
}

/* ---- interrupts ------------------------------------------------------- */

/* True when the device masks a vector by itself when it fires. */
static bool vnx_dev_masks(const struct vnx_adapter *a)
{
	return a->auto_mask && a->intr_mode != VNX_INTR_INTX;
}

static irqreturn_t vnx_irq_rx(int irq, void *data)
{
	struct vnx_vector *v = data;
	struct vnx_adapter *a = v->adapter;
	struct vnx_rxq *rxq = &a->rxq[v->index];

	if (!vnx_dev_masks(a))
		vnx_intr_mask(a, rxq->vector);
	WRITE_ONCE(rxq->vec_masked, true);
	napi_schedule(rxq->napi);
	return IRQ_HANDLED;
}

static irqreturn_t vnx_irq_tx(int irq, void *data)
{
	struct vnx_vector *v = data;
	struct vnx_adapter *a = v->adapter;
	struct vnx_txq *txq = &a->txq[v->index];

	if (!vnx_dev_masks(a))
		vnx_intr_mask(a, txq->vector);
	WRITE_ONCE(txq->vec_fired, true);
	napi_schedule(&a->napi[v->index].napi);
	return IRQ_HANDLED;
}

static irqreturn_t vnx_irq_event(int irq, void *data)
{
	struct vnx_vector *v = data;
	struct vnx_adapter *a = v->adapter;

	if (!vnx_dev_masks(a))
		vnx_intr_mask(a, a->event_vector);
	vnx_event_handle(a);
	vnx_intr_unmask(a, a->event_vector);
	return IRQ_HANDLED;
}

/* MSI or INTx: one vector for queue 0's tx and rx and for events. */
static irqreturn_t vnx_irq_all(int irq, void *data)
{
	struct vnx_vector *v = data;
	struct vnx_adapter *a = v->adapter;

	if (a->intr_mode == VNX_INTR_INTX && !vnx_vd_read(a, VNX_VD_ICR))
		return IRQ_NONE;
	if (!vnx_dev_masks(a))
		vnx_intr_mask(a, 0);
	if (READ_ONCE(a->shared->ecr))
		vnx_event_handle(a);
	napi_schedule(&a->napi[0].napi);
	return IRQ_HANDLED;
}

static void vnx_vectors_assign(struct vnx_adapter *a)
{
	unsigned int q, i = 0;

	memset(a->vec, 0, sizeof(a->vec));
	if (a->intr_mode != VNX_INTR_MSIX) {
		a->txq[0].vector = 0;
		a->txq[0].own_vector = false;
		a->rxq[0].vector = 0;
		a->event_vector = 0;
		a->vec[0].kind = VNX_VEC_ALL;
		a->vec[0].adapter = a;
		return;
	}
	for (q = 0; q < a->num_rx; q++, i++) {
		a->rxq[q].vector = i;
		a->vec[i].kind = VNX_VEC_RX;
		a->vec[i].index = q;
		a->vec[i].adapter = a;
	}
	for (q = 0; q < a->num_tx; q++, i++) {
		a->txq[q].vector = i;
		a->txq[q].own_vector = true;
		a->vec[i].kind = VNX_VEC_TX;
		a->vec[i].index = q;
		a->vec[i].adapter = a;
	}
	a->event_vector = i;
	a->vec[i].kind = VNX_VEC_EVENT;
	a->vec[i].adapter = a;
}

static int vnx_intr_parse_mode(struct pci_dev *pdev, int *ret_mode)
{
	if (!intr_mode || !strcmp(intr_mode, "auto") || !*intr_mode)
		*ret_mode = -1;
	else if (!strcmp(intr_mode, "msix"))
		*ret_mode = VNX_INTR_MSIX;
	else if (!strcmp(intr_mode, "msi"))
		*ret_mode = VNX_INTR_MSI;
	else if (!strcmp(intr_mode, "intx"))
		*ret_mode = VNX_INTR_INTX;
	else {
		dev_err(&pdev->dev, "intr_mode=%s: expected auto, msix, msi or intx\n", intr_mode);
		return -EINVAL;
	}
	return 0;
}

/*
 * Allocate the interrupt vectors: MSI-X with one vector per rx queue, one
 * per tx queue and one for events; else MSI, else INTx, each with a single
 * vector and a single queue pair. The device's own preference and the
 * intr_mode parameter choose where to start; a forced mode does not fall
 * back.
 */
static int vnx_intr_setup(struct vnx_adapter *a)
{
	struct pci_dev *pdev = a->pdev;
	u32 conf = vnx_cmd_get_conf_intr(a);
	int forced, mode, ret;

	ret = vnx_intr_parse_mode(pdev, &forced);
	if (ret)
		return ret;
	a->auto_mask = ((conf >> VNX_CONF_INTR_MASK_SHIFT) & VNX_CONF_INTR_MASK_MASK) ==
		       VNX_INTR_MASK_AUTO;

	if (forced >= 0) {
		mode = forced;
	} else {
		switch (conf & VNX_CONF_INTR_TYPE_MASK) {
		case VNX_INTR_TYPE_INTX:
			mode = VNX_INTR_INTX;
			break;
		case VNX_INTR_TYPE_MSI:
			mode = VNX_INTR_MSI;
			break;
		default:
			mode = VNX_INTR_MSIX;
			break;
		}
	}

	for (; mode <= VNX_INTR_INTX; mode++) {
		unsigned int want = 1;
		unsigned int flags;

		if (mode == VNX_INTR_MSIX) {
			want = a->num_rx + a->num_tx + 1;
			flags = PCI_IRQ_MSIX;
		} else if (mode == VNX_INTR_MSI) {
			flags = PCI_IRQ_MSI;
		} else {
			flags = PCI_IRQ_INTX;
		}
		ret = pci_alloc_irq_vectors(pdev, want, want, flags);
		if (ret == want) {
			a->intr_mode = mode;
			a->num_vectors = want;
			break;
		}
		if (forced >= 0) {
			dev_err(&pdev->dev, "intr_mode=%s: cannot allocate %u vector(s): %d\n",
				intr_mode, want, ret);
			return ret < 0 ? ret : -ENOSPC;
		}
		dev_info(&pdev->dev, "%s unavailable (%d), falling back\n",
			 mode == VNX_INTR_MSIX ? "MSI-X" : "MSI", ret);
	}
	if (mode > VNX_INTR_INTX)
		return ret < 0 ? ret : -ENOSPC;

	if (a->intr_mode != VNX_INTR_MSIX) {
		a->num_tx = 1;
		a->num_rx = 1;
	}
	a->num_napi = max(a->num_tx, a->num_rx);
	vnx_vectors_assign(a);
	return 0;
}

static void vnx_intr_teardown(struct vnx_adapter *a)
{
	pci_free_irq_vectors(a->pdev);
	a->num_vectors = 0;
}

static void vnx_irqs_free(struct vnx_adapter *a)
{
	unsigned int i;

	for (i = 0; i < a->num_vectors; i++) {
		if (!a->vec[i].requested)
			continue;
		free_irq(pci_irq_vector(a->pdev, i), &a->vec[i]);
		a->vec[i].requested = false;
	}
}

static int vnx_irqs_request(struct vnx_adapter *a)
{
	struct net_device *dev = a->netdev;
	unsigned int i;
	int err;

	for (i = 0; i < a->num_vectors; i++) {
		struct vnx_vector *v = &a->vec[i];
		irq_handler_t handler;
		unsigned long flags = 0;

		switch (v->kind) {
		case VNX_VEC_RX:
			handler = vnx_irq_rx;
			snprintf(v->name, sizeof(v->name), "%s-rx-%u", dev->name, v->index);
			break;
		case VNX_VEC_TX:
			handler = vnx_irq_tx;
			snprintf(v->name, sizeof(v->name), "%s-tx-%u", dev->name, v->index);
			break;
		case VNX_VEC_EVENT:
			handler = vnx_irq_event;
			snprintf(v->name, sizeof(v->name), "%s-event", dev->name);
			break;
		default:
			handler = vnx_irq_all;
			snprintf(v->name, sizeof(v->name), "%s", dev->name);
			if (a->intr_mode == VNX_INTR_INTX)
				flags = IRQF_SHARED;
			break;
		}
		err = request_irq(pci_irq_vector(a->pdev, i), handler, flags, v->name, v);
		if (err) {
			netdev_err(dev, "cannot request interrupt %s: %d\n", v->name, err);
			vnx_irqs_free(a);
			return err;
		}
		v->requested = true;
	}
	return 0;
}

static void vnx_intr_mask_all(struct vnx_adapter *a)
{
	unsigned int i;

	a->shared->intr.intr_ctrl |= cpu_to_le32(VNX_INTR_CTRL_DISABLE_ALL);
	for (i = 0; i < a->num_vectors; i++)
		vnx_intr_mask(a, i);
}

/* Unmask what should start unmasked: rx, events, the single vector. */
static void vnx_intr_unmask_all(struct vnx_adapter *a)
{
	unsigned int i;

	a->shared->intr.intr_ctrl &= ~cpu_to_le32(VNX_INTR_CTRL_DISABLE_ALL);
	for (i = 0; i < a->num_vectors; i++)
		if (a->vec[i].kind != VNX_VEC_TX)
			vnx_intr_unmask(a, i);
}

/* ---- rx filters ------------------------------------------------------- */

/* Fill the VLAN filter table; the caller holds netif_addr_lock. */
static void vnx_vlan_table_fill(struct vnx_adapter *a)
{
	struct net_device *dev = a->netdev;
	__le32 *vf = a->shared->rx_filter.vf_table;
	unsigned int w;

	if (!(dev->features & NETIF_F_HW_VLAN_CTAG_FILTER) || (dev->flags & IFF_PROMISC)) {
		for (w = 0; w < VNX_VF_TABLE_WORDS; w++)
			vf[w] = cpu_to_le32(~0u);
		return;
	}
	for (w = 0; w < VNX_VF_TABLE_WORDS; w++) {
		u32 bits = 0;
		unsigned int b;

		for (b = 0; b < 32; b++)
			if (test_bit(w * 32 + b, a->active_vlans))
				bits |= BIT(b);
		vf[w] = cpu_to_le32(bits);
	}
	vf[0] |= cpu_to_le32(BIT(0));	/* untagged / priority-tagged */
}

/* Fill the multicast table; true when it differs from what the device has. */
static bool vnx_mf_table_fill(struct vnx_adapter *a, unsigned int *count)
{
	struct net_device *dev = a->netdev;
	struct netdev_hw_addr *ha;
	bool changed = !a->filters_valid;
	unsigned int n = 0;

	netdev_for_each_mc_addr(ha, dev) {
		u8 *slot = a->mf_table + ETH_ALEN * n++;

		if (!ether_addr_equal(slot, ha->addr)) {
			ether_addr_copy(slot, ha->addr);
			changed = true;
		}
	}
	*count = n;
	return changed || n != a->mf_count_set;
}

/*
 * Program rx mode, multicast list and VLAN table, each only when it
 * changed (every command is a trap to the hypervisor on VMware).
 * Caller holds netif_addr_lock.
 */
static void vnx_rx_filters_apply(struct vnx_adapter *a)
{
	struct net_device *dev = a->netdev;
	struct vnx_rx_filter_conf *rf = &a->shared->rx_filter;
	bool first = !a->filters_valid;
	u32 mode = VNX_RXM_UCAST;
	unsigned int n = 0;

	if (dev->flags & IFF_BROADCAST)
		mode |= VNX_RXM_BCAST;
	if (dev->flags & IFF_PROMISC)
		mode |= VNX_RXM_PROMISC;
	if ((dev->flags & IFF_ALLMULTI) || netdev_mc_count(dev) > VNX_MF_TABLE_MAX) {
		mode |= VNX_RXM_ALL_MULTI;
	} else if (!netdev_mc_empty(dev)) {
		mode |= VNX_RXM_MCAST;
		if (vnx_mf_table_fill(a, &n) || !(a->rx_mode_set & VNX_RXM_MCAST)) {
			rf->mf_table_len = cpu_to_le16(n * ETH_ALEN);
			rf->mf_table_pa = cpu_to_le64(a->mf_table_pa);
			vnx_cmd_run(a, VNX_CMD_UPDATE_MAC_FILTERS);
			a->dstats.filter_cmds++;
		}
	}
	if (!(mode & VNX_RXM_MCAST) && (first || a->mf_count_set)) {
		rf->mf_table_len = 0;
		rf->mf_table_pa = 0;
		vnx_cmd_run(a, VNX_CMD_UPDATE_MAC_FILTERS);
		a->dstats.filter_cmds++;
	}
	a->mf_count_set = n;

	if (first || mode != a->rx_mode_set) {
		rf->rx_mode = cpu_to_le32(mode);
		vnx_cmd_run(a, VNX_CMD_UPDATE_RX_MODE);
		a->dstats.filter_cmds++;
	}
	/* The VLAN table depends on promiscuity (all ids pass). */
	if (first || ((mode ^ a->rx_mode_set) & VNX_RXM_PROMISC)) {
		vnx_vlan_table_fill(a);
		vnx_cmd_run(a, VNX_CMD_UPDATE_VLAN_FILTERS);
		a->dstats.filter_cmds++;
	}
	a->rx_mode_set = mode;
	a->filters_valid = true;
}

static void vnx_set_rx_mode(struct net_device *dev)
{
	struct vnx_adapter *a = netdev_priv(dev);

	if (READ_ONCE(a->up))
		vnx_rx_filters_apply(a);
}

static void vnx_vlan_filters_update(struct vnx_adapter *a)
{
	if (!a->up)
		return;
	netif_addr_lock_bh(a->netdev);
	vnx_vlan_table_fill(a);
	vnx_cmd_run(a, VNX_CMD_UPDATE_VLAN_FILTERS);
	a->dstats.filter_cmds++;
	netif_addr_unlock_bh(a->netdev);
}

static int vnx_vlan_rx_add_vid(struct net_device *dev, __be16 proto, u16 vid)
{
	struct vnx_adapter *a = netdev_priv(dev);

	set_bit(vid, a->active_vlans);
	vnx_vlan_filters_update(a);
	return 0;
}

static int vnx_vlan_rx_kill_vid(struct net_device *dev, __be16 proto, u16 vid)
{
	struct vnx_adapter *a = netdev_priv(dev);

	clear_bit(vid, a->active_vlans);
	vnx_vlan_filters_update(a);
	return 0;
}

/* ---- bring-up and teardown -------------------------------------------- */

/* Interrupt moderation of every vector: adaptive (the device's own) or none. */
static void vnx_mod_levels_fill(struct vnx_adapter *a)
{
	u8 level = a->adaptive_coal ? VNX_IML_ADAPTIVE : VNX_IML_NONE;
	unsigned int i;

	for (i = 0; i < VNX_MAX_INTRS; i++)
		a->shared->intr.mod_levels[i] = i < a->num_vectors ? level : VNX_IML_NONE;
}

/* ethtool -C changed adaptive_coal; RTNL held. */
void vnx_coalesce_apply(struct vnx_adapter *a)
{
	if (!a->up)
		return;
	vnx_mod_levels_fill(a);
	vnx_cmd_run(a, VNX_CMD_UPDATE_IML);
}

static void vnx_shared_fill(struct vnx_adapter *a)
{
	struct vnx_shared *sh = a->shared;
	struct net_device *dev = a->netdev;
	u32 gos;

	memset(sh, 0, sizeof(*sh));
	sh->magic = cpu_to_le32(VNX_SHARED_MAGIC);

	gos = (BITS_PER_LONG == 64 ? VNX_GOS_BITS_64 : VNX_GOS_BITS_32) |
	      (VNX_GOS_TYPE_LINUX << VNX_GOS_TYPE_SHIFT) |
	      ((LINUX_VERSION_CODE & VNX_GOS_VER_MASK) << VNX_GOS_VER_SHIFT);
	sh->misc.drv_info.version = cpu_to_le32(VNX_DRV_VERSION_NUM);
	sh->misc.drv_info.gos = cpu_to_le32(gos);
	sh->misc.drv_info.rev_supported = cpu_to_le32(a->rev);
	sh->misc.drv_info.upt_supported = cpu_to_le32(VNX_UPT_REV);
	sh->misc.upt_features = cpu_to_le64(vnx_upt_features(a, dev->features));
	sh->misc.queue_desc_pa = cpu_to_le64(a->qdesc_pa);
	sh->misc.queue_desc_len = cpu_to_le32((a->num_tx + a->num_rx) * 256);
	sh->misc.mtu = cpu_to_le32(dev->mtu);
	sh->misc.max_rx_sg = cpu_to_le16(MAX_SKB_FRAGS + 1);
	sh->misc.num_tx_queues = a->num_tx;
	sh->misc.num_rx_queues = a->num_rx;

	sh->intr.auto_mask = a->auto_mask;
	sh->intr.num_intrs = a->num_vectors;
	sh->intr.event_intr_idx = a->event_vector;
	sh->intr.intr_ctrl = cpu_to_le32(VNX_INTR_CTRL_DISABLE_ALL);
	vnx_mod_levels_fill(a);

	sh->rx_filter.rx_mode = cpu_to_le32(VNX_RXM_UCAST | VNX_RXM_BCAST);
	vnx_rss_conf_fill(a);
}

static void vnx_napi_setup(struct vnx_adapter *a)
{
	unsigned int i;

	for (i = 0; i < a->num_napi; i++) {
		struct vnx_napi *n = &a->napi[i];

		n->adapter = a;
		n->txq = i < a->num_tx ? &a->txq[i] : NULL;
		n->rxq = i < a->num_rx ? &a->rxq[i] : NULL;
		if (n->rxq)
			n->rxq->napi = &n->napi;
		vnx_compat_napi_add(a->netdev, &n->napi, vnx_napi_poll, VNX_NAPI_WEIGHT);
	}
}

static void vnx_napi_teardown(struct vnx_adapter *a)
{
	unsigned int i;

	for (i = 0; i < a->num_napi; i++)
		netif_napi_del(&a->napi[i].napi);
}

/*
 * Every queue slot knows its adapter and index from probe on: the ring
 * free functions run on all of them after a partial allocation, also on
 * queues that were never allocated (an -ENOMEM on the first open, or after
 * ethtool -L raised the count).
 */
static void vnx_queues_init(struct vnx_adapter *a)
{
	unsigned int q;

	for (q = 0; q < VNX_MAX_TX_QUEUES; q++) {
		a->txq[q].qid = q;
		a->txq[q].adapter = a;
		u64_stats_init(&a->txq[q].stats.sync);
	}
	for (q = 0; q < VNX_MAX_RX_QUEUES; q++) {
		a->rxq[q].qid = q;
		a->rxq[q].adapter = a;
		u64_stats_init(&a->rxq[q].stats.sync);
	}
}

static void vnx_rings_free(struct vnx_adapter *a)
{
	unsigned int q;

	for (q = 0; q < a->num_tx; q++)
		vnx_tx_ring_free(&a->txq[q]);
	for (q = 0; q < a->num_rx; q++)
		vnx_rx_ring_free(&a->rxq[q]);
}

static int vnx_rings_alloc(struct vnx_adapter *a)
{
	unsigned int q;
	int err;

	for (q = 0; q < a->num_tx; q++) {
		err = vnx_tx_ring_alloc(&a->txq[q]);
		if (err)
			goto err_free;
	}
	for (q = 0; q < a->num_rx; q++) {
		err = vnx_rx_ring_alloc(&a->rxq[q]);
		if (err)
			goto err_free;
	}
	return 0;

err_free:
	netdev_err(a->netdev, "cannot allocate rings (%u tx x %u, %u rx x %u+%u)\n",
		   a->num_tx, a->tx_ring_size, a->num_rx, a->rx_ring_size[0],
		   a->rx_ring_size[1]);
	vnx_rings_free(a);
	return err;
}

/* Allocate, describe, activate. Caller holds RTNL. */
static int vnx_up(struct vnx_adapter *a)
{
	struct net_device *dev = a->netdev;
	unsigned int i;
	int err;

	if (!a->num_vectors)
		return -ENODEV;	/* lost in a failed channel change */
	err = vnx_rings_alloc(a);
	if (err)
		return err;

	vnx_shared_fill(a);
	for (i = 0; i < a->num_tx; i++)
		vnx_tx_ring_conf(&a->txq[i]);
	for (i = 0; i < a->num_rx; i++)
		vnx_rx_ring_conf(&a->rxq[i]);

	vnx_napi_setup(a);
	err = vnx_irqs_request(a);
	if (err)
		goto err_napi_teardown;

	vnx_intr_mask_all(a);
	vnx_cmd_reset(a);
	vnx_mac_write(a, dev->dev_addr);
	err = vnx_cmd_activate(a);
	if (err)
		goto err_irqs_free;

	for (i = 0; i < a->num_rx; i++)
		vnx_rx_prod_kick(&a->rxq[i], true);

	WRITE_ONCE(a->up, true);
	netif_addr_lock_bh(dev);
	a->filters_valid = false;	/* the device was reset: tell it everything */
	vnx_rx_filters_apply(a);
	netif_addr_unlock_bh(dev);

	for (i = 0; i < a->num_napi; i++)
		napi_enable(&a->napi[i].napi);
	vnx_intr_unmask_all(a);
	vnx_link_update(a, false);
	netif_tx_start_all_queues(dev);
	return 0;

err_irqs_free:
	vnx_irqs_free(a);
err_napi_teardown:
	vnx_napi_teardown(a);
	vnx_rings_free(a);
	return err;
}

/* Quiesce, reset, free. Caller holds RTNL. */
static void vnx_down(struct vnx_adapter *a)
{
	struct net_device *dev = a->netdev;
	unsigned int i;

	if (!a->up)
		return;
	/*
	 * Order matters: with the qdisc live (reset, MTU, -G, -L, shutdown) a
	 * NAPI poll still running could wake a queue stopped here, and xmit
	 * would then fill rings being freed. So: no more wakes (up is false),
	 * no more interrupts, no more polls, and only then stop the queues.
	 */
	WRITE_ONCE(a->up, false);
	vnx_intr_mask_all(a);
	for (i = 0; i < a->num_napi; i++)
		napi_disable(&a->napi[i].napi);
	netif_tx_disable(dev);
	netif_carrier_off(dev);
	vnx_cmd_quiesce(a);
	vnx_irqs_free(a);
	vnx_napi_teardown(a);
	vnx_cmd_reset(a);
	vnx_rings_free(a);
}

static int vnx_open(struct net_device *dev)
{
	struct vnx_adapter *a = netdev_priv(dev);

	netif_carrier_off(dev);
	return vnx_up(a);
}

static int vnx_close(struct net_device *dev)
{
	vnx_down(netdev_priv(dev));
	return 0;
}

/*
 * A re-open (MTU, ring sizes, channels, reset) failed and the previous
 * configuration could not be brought back either: close the interface, as
 * dev_close would, rather than leave it UP without rings. RTNL held.
 */
static void vnx_force_close(struct vnx_adapter *a, const char *what, int err)
{
	struct net_device *dev = a->netdev;

	a->dstats.forced_closes++;
	netdev_err(dev, "%s failed (%d) and the device cannot be restarted: closing the interface\n",
		   what, err);
	dev_close(dev);
}

static int vnx_queues_publish(struct vnx_adapter *a)
{
	int err;

	err = netif_set_real_num_tx_queues(a->netdev, a->num_tx);
	if (err)
		return err;
	return netif_set_real_num_rx_queues(a->netdev, a->num_rx);
}

/*
 * Change queue counts and ring sizes, rebuilding everything if running.
 * Caller holds RTNL. On failure the previous configuration is restored.
 */
static int vnx_channels_apply(struct vnx_adapter *a, unsigned int num_tx, unsigned int num_rx)
{
	int err;

	vnx_intr_teardown(a);
	a->num_tx = num_tx;
	a->num_rx = num_rx;
	err = vnx_intr_setup(a);
	if (err)
		return err;
	vnx_rss_indir_check(a);
	/* A fallback to MSI/INTx would leave 1/1 queues: not what was asked. */
	if (a->num_tx != num_tx || a->num_rx != num_rx) {
		netdev_err(a->netdev, "cannot get %u MSI-X vectors for %u tx / %u rx queues\n",
			   num_tx + num_rx + 1, num_tx, num_rx);
		return -ENOSPC;
	}
	return vnx_queues_publish(a);
}

int vnx_reconfigure(struct vnx_adapter *a, unsigned int num_tx, unsigned int num_rx,
		    u32 tx_ring, u32 rx_ring0, u32 rx_ring1)
{
	unsigned int old_tx = a->num_tx, old_rx = a->num_rx;
	u32 old_ring[3] = { a->tx_ring_size, a->rx_ring_size[0], a->rx_ring_size[1] };
	bool running = netif_running(a->netdev);
	bool channels = num_tx != old_tx || num_rx != old_rx;
	int err = 0;

	if (running)
		vnx_down(a);

	a->tx_ring_size = tx_ring;
	a->rx_ring_size[0] = rx_ring0;
	a->rx_ring_size[1] = rx_ring1;
	if (channels)
		err = vnx_channels_apply(a, num_tx, num_rx);
	if (!err && running)
		err = vnx_up(a);
	if (!err)
		return 0;

	netdev_err(a->netdev, "reconfiguration failed (%d), restoring the previous one\n", err);
	a->tx_ring_size = old_ring[0];
	a->rx_ring_size[0] = old_ring[1];
	a->rx_ring_size[1] = old_ring[2];
	if (channels && vnx_channels_apply(a, old_tx, old_rx)) {
		netdev_err(a->netdev, "cannot restore the interrupt vectors\n");
		if (running)
			vnx_force_close(a, "reconfiguration", err);
	} else if (running && vnx_up(a)) {
		vnx_force_close(a, "reconfiguration", err);
	}
	return err;
}

static int vnx_change_mtu(struct net_device *dev, int new_mtu)
{
	struct vnx_adapter *a = netdev_priv(dev);
	unsigned int old = dev->mtu;
	int err;

	if (!netif_running(dev)) {
		WRITE_ONCE(dev->mtu, new_mtu);
		return 0;
	}
	vnx_down(a);
	WRITE_ONCE(dev->mtu, new_mtu);
	err = vnx_up(a);
	if (err) {
		netdev_err(dev, "cannot restart with MTU %d (%d), back to %u\n", new_mtu, err, old);
		WRITE_ONCE(dev->mtu, old);
		if (vnx_up(a))
			vnx_force_close(a, "MTU change", err);
	}
	return err;
}

static void vnx_reset_work(struct work_struct *work)
{
	struct vnx_adapter *a = container_of(work, struct vnx_adapter, reset_work);
	struct net_device *dev = a->netdev;
	int err;

	rtnl_lock();
	if (netif_running(dev) && !test_bit(VNX_STATE_REMOVING, &a->state) &&
	    !test_bit(VNX_STATE_SUSPENDED, &a->state)) {
		a->dstats.resets++;
		netdev_warn(dev, "resetting the device\n");
		vnx_down(a);
		err = vnx_up(a);
		if (err) {
			a->dstats.reset_failures++;
			vnx_force_close(a, "reset", err);
		}
	}
	rtnl_unlock();
}

void vnx_reset_schedule(struct vnx_adapter *a)
{
	if (!test_bit(VNX_STATE_REMOVING, &a->state) && !test_bit(VNX_STATE_SUSPENDED, &a->state))
		schedule_work(&a->reset_work);
}

static void vnx_tx_timeout(struct net_device *dev, unsigned int txqueue)
{
	struct vnx_adapter *a = netdev_priv(dev);

	a->dstats.tx_timeouts++;
	netdev_warn(dev, "tx queue %u timed out\n", txqueue);
	vnx_reset_schedule(a);
}

static int vnx_set_mac_address(struct net_device *dev, void *p)
{
	struct vnx_adapter *a = netdev_priv(dev);
	const struct sockaddr *sa = p;

	if (!is_valid_ether_addr((const u8 *)sa->sa_data))
		return -EADDRNOTAVAIL;
	vnx_compat_set_dev_addr(dev, (const u8 *)sa->sa_data);
	vnx_mac_write(a, dev->dev_addr);
	return 0;
}

static netdev_features_t vnx_fix_features(struct net_device *dev, netdev_features_t features)
{
	/* The device merges only what it has checksummed. */
	if (!(features & NETIF_F_RXCSUM))
		features &= ~NETIF_F_LRO;
	return features;
}

static int vnx_set_features(struct net_device *dev, netdev_features_t features)
{
	struct vnx_adapter *a = netdev_priv(dev);
	netdev_features_t changed = features ^ dev->features;

	if (!a->up)
		return 0;
	if (changed & (NETIF_F_RXCSUM | NETIF_F_LRO | NETIF_F_HW_VLAN_CTAG_RX)) {
		a->shared->misc.upt_features = cpu_to_le64(vnx_upt_features(a, features));
		vnx_cmd_run(a, VNX_CMD_UPDATE_FEATURE);
	}
	if (changed & NETIF_F_HW_VLAN_CTAG_FILTER) {
		/* The table depends on dev->features: set it first. */
		dev->features = features;
		vnx_vlan_filters_update(a);
	}
	return 0;
}

static void vnx_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	struct vnx_adapter *a = netdev_priv(dev);
	unsigned int q, start;

	for (q = 0; q < a->num_tx; q++) {
		struct vnx_tx_stats *ts = &a->txq[q].stats;
		u64 pkts, bytes, drops;

		do {
			start = u64_stats_fetch_begin(&ts->sync);
			pkts = ts->packets;
			bytes = ts->bytes;
			drops = ts->drops;
		} while (u64_stats_fetch_retry(&ts->sync, start));
		s->tx_packets += pkts;
		s->tx_bytes += bytes;
		s->tx_dropped += drops;
	}
	for (q = 0; q < a->num_rx; q++) {
		struct vnx_rx_stats *rs = &a->rxq[q].stats;
		u64 pkts, bytes, drops, errs;

		do {
			start = u64_stats_fetch_begin(&rs->sync);
			pkts = rs->packets;
			bytes = rs->bytes;
			drops = rs->alloc_fail + rs->frag_drops;
			errs = rs->err_drops + rs->bad_comp;
		} while (u64_stats_fetch_retry(&rs->sync, start));
		s->rx_packets += pkts;
		s->rx_bytes += bytes;
		s->rx_dropped += drops;
		s->rx_errors += errs;
	}
}

static const struct net_device_ops vnx_netdev_ops = {
	.ndo_open		= vnx_open,
	.ndo_stop		= vnx_close,
	.ndo_start_xmit		= vnx_tx_xmit,
	.ndo_features_check	= vnx_tx_features_check,
	.ndo_set_rx_mode	= vnx_set_rx_mode,
	.ndo_set_mac_address	= vnx_set_mac_address,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_mtu		= vnx_change_mtu,
	.ndo_tx_timeout		= vnx_tx_timeout,
	.ndo_get_stats64	= vnx_get_stats64,
	.ndo_fix_features	= vnx_fix_features,
	.ndo_set_features	= vnx_set_features,
	.ndo_vlan_rx_add_vid	= vnx_vlan_rx_add_vid,
	.ndo_vlan_rx_kill_vid	= vnx_vlan_rx_kill_vid,
};

/* ---- probe and remove ------------------------------------------------- */

static int vnx_dev_negotiate(struct vnx_adapter *a)
{
	struct device *dev = &a->pdev->dev;
	u32 vrrs = vnx_vd_read(a, VNX_VD_VRRS);
	u32 uvrs, rev;

	for (rev = VNX_REV_MAX; rev >= VNX_REV_MIN; rev--)
		if (vrrs & BIT(rev - 1))
			break;
	if (rev < VNX_REV_MIN) {
		dev_err(dev, "no common device revision: device offers mask %#x, driver drives %u..%u\n",
			vrrs, VNX_REV_MIN, VNX_REV_MAX);
		return -ENODEV;
	}
	vnx_vd_write(a, VNX_VD_VRRS, BIT(rev - 1));

	uvrs = vnx_vd_read(a, VNX_VD_UVRS);
	if (!(uvrs & BIT(VNX_UPT_REV - 1))) {
		dev_err(dev, "no common UPT revision: device offers mask %#x, driver needs %u\n",
			uvrs, VNX_UPT_REV);
		return -ENODEV;
	}
	vnx_vd_write(a, VNX_VD_UVRS, BIT(VNX_UPT_REV - 1));
	a->rev = rev;
	return 0;
}

static int vnx_shared_alloc(struct vnx_adapter *a)
{
	struct device *dev = &a->pdev->dev;

	a->shared = dma_alloc_coherent(dev, sizeof(*a->shared), &a->shared_pa, GFP_KERNEL);
	if (!a->shared)
		goto err;
	a->qdesc = dma_alloc_coherent(dev, (VNX_MAX_TX_QUEUES + VNX_MAX_RX_QUEUES) * 256,
				      &a->qdesc_pa, GFP_KERNEL);
	if (!a->qdesc)
		goto err;
	a->mf_table = dma_alloc_coherent(dev, VNX_MF_TABLE_MAX * ETH_ALEN, &a->mf_table_pa,
					 GFP_KERNEL);
	if (!a->mf_table)
		goto err;
	a->rss = dma_alloc_coherent(dev, sizeof(*a->rss), &a->rss_pa, GFP_KERNEL);
	if (!a->rss)
		goto err;
	return 0;
err:
	return -ENOMEM;
}

static void vnx_shared_free(struct vnx_adapter *a)
{
	struct device *dev = &a->pdev->dev;

	if (a->rss)
		dma_free_coherent(dev, sizeof(*a->rss), a->rss, a->rss_pa);
	if (a->mf_table)
		dma_free_coherent(dev, VNX_MF_TABLE_MAX * ETH_ALEN, a->mf_table, a->mf_table_pa);
	if (a->qdesc)
		dma_free_coherent(dev, (VNX_MAX_TX_QUEUES + VNX_MAX_RX_QUEUES) * 256, a->qdesc,
				  a->qdesc_pa);
	if (a->shared)
		dma_free_coherent(dev, sizeof(*a->shared), a->shared, a->shared_pa);
	a->rss = NULL;
	a->mf_table = NULL;
	a->qdesc = NULL;
	a->shared = NULL;
}

static void vnx_netdev_setup(struct vnx_adapter *a)
{
	struct net_device *dev = a->netdev;

	dev->netdev_ops = &vnx_netdev_ops;
	vnx_ethtool_set_ops(dev);
	dev->watchdog_timeo = 5 * HZ;
	dev->min_mtu = VNX_MIN_MTU;
	dev->max_mtu = VNX_MAX_MTU;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;

	dev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM |
			   NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_RXCSUM | NETIF_F_LRO |
			   NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_CTAG_RX |
			   NETIF_F_HW_VLAN_CTAG_FILTER | NETIF_F_HIGHDMA | NETIF_F_RXHASH;
	dev->features = dev->hw_features;
	dev->vlan_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM |
			     NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_HIGHDMA;
}

static int vnx_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	const int bars = BIT(VNX_BAR_PT) | BIT(VNX_BAR_VD);
	struct net_device *netdev;
	struct vnx_adapter *a;
	u8 mac[ETH_ALEN];
	int err;

	err = pci_enable_device(pdev);
	if (err)
		return err;

	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (err) {
		dev_err(&pdev->dev, "no usable DMA mask\n");
		goto err_disable_device;
	}

	err = pci_request_selected_regions(pdev, bars, VNX_DRV_NAME);
	if (err)
		goto err_disable_device;
	pci_set_master(pdev);

	netdev = alloc_etherdev_mqs(sizeof(*a), VNX_MAX_TX_QUEUES, VNX_MAX_RX_QUEUES);
	if (!netdev) {
		err = -ENOMEM;
		goto err_release_regions;
	}
	SET_NETDEV_DEV(netdev, &pdev->dev);
	pci_set_drvdata(pdev, netdev);
	a = netdev_priv(netdev);
	a->netdev = netdev;
	a->pdev = pdev;
	spin_lock_init(&a->cmd_lock);
	INIT_WORK(&a->reset_work, vnx_reset_work);
	vnx_queues_init(a);

	a->pt = pci_iomap(pdev, VNX_BAR_PT, 0);
	if (!a->pt) {
		err = -ENOMEM;
		goto err_free_netdev;
	}
	a->vd = pci_iomap(pdev, VNX_BAR_VD, 0);
	if (!a->vd) {
		err = -ENOMEM;
		goto err_unmap_pt;
	}

	err = vnx_dev_negotiate(a);
	if (err)
		goto err_unmap_vd;

	err = vnx_shared_alloc(a);
	if (err)
		goto err_free_shared;

	vnx_mac_read(a, mac);
	if (!is_valid_ether_addr(mac)) {
		dev_warn(&pdev->dev, "device MAC %pM is not valid; using a random one\n", mac);
		eth_random_addr(mac);
		vnx_mac_write(a, mac);
	}
	vnx_compat_set_dev_addr(netdev, mac);
	vnx_cmd_get_perm_mac(a, a->perm_addr);
	if (is_valid_ether_addr(a->perm_addr))
		memcpy(netdev->perm_addr, a->perm_addr, ETH_ALEN);
	else
		memcpy(netdev->perm_addr, mac, ETH_ALEN);

	a->num_tx = vnx_queue_param(a, "tx_queues", tx_queues ?: num_online_cpus(),
				    VNX_MAX_TX_QUEUES, !tx_queues);
	a->rx_copybreak = min_t(u32, vnx_rx_copybreak_default, VNX_RX_HEAD_MAX);
	a->num_rx = vnx_queue_param(a, "rx_queues", rx_queues ?: num_online_cpus(),
				    VNX_MAX_RX_QUEUES, !rx_queues);
	a->adaptive_coal = true;
	a->tx_ring_size = vnx_ring_param(pdev, "tx_ring_size", tx_ring_size, VNX_DEF_TX_RING);
	a->rx_ring_size[0] = vnx_ring_param(pdev, "rx_ring_size", rx_ring_size,
					    VNX_DEF_RX_RING);
	a->rx_ring_size[1] = vnx_ring_param(pdev, "rx_body_ring_size", rx_body_ring_size,
					    VNX_DEF_RX_BODY_RING);

	err = vnx_intr_setup(a);
	if (err)
		goto err_free_shared;

	vnx_netdev_setup(a);
	netdev_rss_key_fill(a->rss_key, sizeof(a->rss_key));
	vnx_rss_indir_check(a);
	err = vnx_queues_publish(a);
	if (err)
		goto err_intr_teardown;
	netif_carrier_off(netdev);

	err = register_netdev(netdev);
	if (err)
		goto err_intr_teardown;

	netdev_info(netdev, "vnic vmxnet3 %s, revision %u, %pM, %s, %u tx / %u rx queues%s\n",
		    VNX_DRV_VERSION, a->rev, netdev->dev_addr,
		    a->intr_mode == VNX_INTR_MSIX ? "MSI-X" :
		    a->intr_mode == VNX_INTR_MSI ? "MSI" : "INTx",
		    a->num_tx, a->num_rx, vnx_rss_active(a) ? ", RSS" : "");
	return 0;

err_intr_teardown:
	vnx_intr_teardown(a);
err_free_shared:
	vnx_shared_free(a);
err_unmap_vd:
	pci_iounmap(pdev, a->vd);
err_unmap_pt:
	pci_iounmap(pdev, a->pt);
err_free_netdev:
	free_netdev(netdev);
err_release_regions:
	pci_release_selected_regions(pdev, bars);
err_disable_device:
	pci_disable_device(pdev);
	return err;
}

static void vnx_remove(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);
	struct vnx_adapter *a = netdev_priv(netdev);

	set_bit(VNX_STATE_REMOVING, &a->state);
	cancel_work_sync(&a->reset_work);
	unregister_netdev(netdev);
	cancel_work_sync(&a->reset_work);

	vnx_cmd_reset(a);
	vnx_vd_write(a, VNX_VD_DSAL, 0);
	vnx_vd_write(a, VNX_VD_DSAH, 0);
	vnx_intr_teardown(a);
	vnx_shared_free(a);
	pci_iounmap(pdev, a->vd);
	pci_iounmap(pdev, a->pt);
	free_netdev(netdev);
	pci_release_selected_regions(pdev, BIT(VNX_BAR_PT) | BIT(VNX_BAR_VD));
	pci_disable_device(pdev);
}

static void vnx_shutdown(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);
	struct vnx_adapter *a = netdev_priv(netdev);

	set_bit(VNX_STATE_REMOVING, &a->state);
	cancel_work_sync(&a->reset_work);
	rtnl_lock();
	netif_device_detach(netdev);
	vnx_down(a);
	rtnl_unlock();
	vnx_cmd_reset(a);
	pci_disable_device(pdev);
}

/* ---- power management -------------------------------------------------- */

/*
 * Suspend, freeze (hibernation image), poweroff: stop the device as close
 * does (quiesce, reset, rings and interrupts released) with the interface
 * detached, so that nothing transmits, resets or polls until resume. The
 * interrupt vectors stay allocated; the PCI core saves and restores their
 * state with the config space.
 */
static int __maybe_unused vnx_pm_suspend(struct device *d)
{
	struct net_device *dev = dev_get_drvdata(d);
	struct vnx_adapter *a = netdev_priv(dev);

	set_bit(VNX_STATE_SUSPENDED, &a->state);
	cancel_work_sync(&a->reset_work);
	rtnl_lock();
	netif_device_detach(dev);
	vnx_down(a);
	a->dstats.suspends++;
	rtnl_unlock();
	return 0;
}

/*
 * Resume, thaw, restore: the device may have lost everything (power off,
 * a hibernation image restored by another boot): choose the revision
 * again and bring the interface back up from nothing, exactly as open
 * does: shared area rewritten, rings rebuilt, device activated. A device
 * that cannot be restarted leaves the interface closed, with the reason
 * in the log; the system resumes anyway.
 */
static int __maybe_unused vnx_pm_resume(struct device *d)
{
	struct net_device *dev = dev_get_drvdata(d);
	struct vnx_adapter *a = netdev_priv(dev);
	int err;

	rtnl_lock();
	err = vnx_dev_negotiate(a);
	if (!err)
		vnx_mac_write(a, dev->dev_addr);
	if (!err && netif_running(dev))
		err = vnx_up(a);
	netif_device_attach(dev);
	clear_bit(VNX_STATE_SUSPENDED, &a->state);
	a->dstats.resumes++;
	if (err && netif_running(dev))
		vnx_force_close(a, "resume", err);
	rtnl_unlock();
	return 0;
}

static SIMPLE_DEV_PM_OPS(vnx_pm_ops, vnx_pm_suspend, vnx_pm_resume);

static const struct pci_device_id vnx_pci_ids[] = {
	{ PCI_DEVICE(VNX_PCI_VENDOR, VNX_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vnx_pci_ids);

static struct pci_driver vnx_pci_driver = {
	.name		= VNX_DRV_NAME,
	.id_table	= vnx_pci_ids,
	.probe		= vnx_probe,
	.remove		= vnx_remove,
	.shutdown	= vnx_shutdown,
	.driver.pm	= &vnx_pm_ops,
};

module_pci_driver(vnx_pci_driver);

MODULE_DESCRIPTION("vnic driver for VMware VMXNET3-class paravirtual NICs");
MODULE_AUTHOR("The vnic authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(VNX_DRV_VERSION);
