// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnic vmxnet3-class driver: the command register channel.
 *
 * The device has one command register and one result register behind it,
 * shared by every command. A command is a write of its code followed by a
 * read of the result, and the pair must not interleave with another
 * command's: every caller goes through vnx_cmd_run(), which holds
 * cmd_lock (irq-safe: link events issue GET_LINK from interrupt context).
 */
#include "vnx_drv.h"

u32 vnx_cmd_run(struct vnx_adapter *a, u32 cmd)
{
	unsigned long flags;
	u32 ret;

	spin_lock_irqsave(&a->cmd_lock, flags);
	vnx_vd_write(a, VNX_VD_CMD, cmd);
	ret = vnx_vd_read(a, VNX_VD_CMD);
	spin_unlock_irqrestore(&a->cmd_lock, flags);
	return ret;
}

/*
 * Point the device at the shared area and activate it. The device latches
 * the address on the DSAH write. Returns 0 or -EIO with the area unset.
 */
int vnx_cmd_activate(struct vnx_adapter *a)
{
	unsigned long flags;
	u32 ret;

	spin_lock_irqsave(&a->cmd_lock, flags);
	vnx_vd_write(a, VNX_VD_DSAL, lower_32_bits(a->shared_pa));
	vnx_vd_write(a, VNX_VD_DSAH, upper_32_bits(a->shared_pa));
	vnx_vd_write(a, VNX_VD_CMD, VNX_CMD_ACTIVATE_DEV);
	ret = vnx_vd_read(a, VNX_VD_CMD);
	if (ret) {
		vnx_vd_write(a, VNX_VD_DSAL, 0);
		vnx_vd_write(a, VNX_VD_DSAH, 0);
	}
	spin_unlock_irqrestore(&a->cmd_lock, flags);

	if (ret) {
		netdev_err(a->netdev, "device refused activation (result %#x)\n", ret);
		return -EIO;
	}
	return 0;
}

void vnx_cmd_quiesce(struct vnx_adapter *a)
{
	vnx_cmd_run(a, VNX_CMD_QUIESCE_DEV);
}

void vnx_cmd_reset(struct vnx_adapter *a)
{
	vnx_cmd_run(a, VNX_CMD_RESET_DEV);
}

u32 vnx_cmd_get_link(struct vnx_adapter *a)
{
	return vnx_cmd_run(a, VNX_CMD_GET_LINK);
}

void vnx_cmd_get_perm_mac(struct vnx_adapter *a, u8 *mac)
{
	unsigned long flags;
	u32 lo, hi;

	spin_lock_irqsave(&a->cmd_lock, flags);
	vnx_vd_write(a, VNX_VD_CMD, VNX_CMD_GET_PERM_MAC_LO);
	lo = vnx_vd_read(a, VNX_VD_CMD);
	vnx_vd_write(a, VNX_VD_CMD, VNX_CMD_GET_PERM_MAC_HI);
	hi = vnx_vd_read(a, VNX_VD_CMD);
	spin_unlock_irqrestore(&a->cmd_lock, flags);

	mac[0] = lo & 0xff;
	mac[1] = (lo >> 8) & 0xff;
	mac[2] = (lo >> 16) & 0xff;
	mac[3] = (lo >> 24) & 0xff;
	mac[4] = hi & 0xff;
	mac[5] = (hi >> 8) & 0xff;
}

u32 vnx_cmd_get_conf_intr(struct vnx_adapter *a)
{
	return vnx_cmd_run(a, VNX_CMD_GET_CONF_INTR);
}

/* Ask the device to refresh the counters in the queue descriptors. */
void vnx_cmd_get_stats(struct vnx_adapter *a)
{
	vnx_cmd_run(a, VNX_CMD_GET_STATS);
}
