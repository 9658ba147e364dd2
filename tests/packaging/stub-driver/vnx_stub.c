// SPDX-License-Identifier: GPL-2.0-only
/* A stand-in vmxnet3 module for the package tests: it loads nothing and binds to nothing, but
 * carries the version and the PCI alias that the tests look for. */
#include <linux/module.h>
#include <linux/pci.h>

static const struct pci_device_id vnx_stub_ids[] = {
	{ PCI_DEVICE(0x15ad, 0x07b0) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vnx_stub_ids);

static int __init vnx_stub_init(void)
{
	return 0;
}

static void __exit vnx_stub_exit(void)
{
}

module_init(vnx_stub_init);
module_exit(vnx_stub_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vnic package-test stand-in for vmxnet3");
MODULE_VERSION(VNX_VERSION);
