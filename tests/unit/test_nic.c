// SPDX-License-Identifier: GPL-2.0-or-later
/* NICs from a fake sysfs under a root. */
#include "sysroot.h"

#include "lib/strv.h"
#include "system/nic.h"

static void test_model_table(void **state)
{
	assert_int_equal(nic_model_from_ids("8086:100f", NULL), NIC_MODEL_E1000);
	assert_int_equal(nic_model_from_ids("8086:100e", "e1000"), NIC_MODEL_E1000);
	assert_int_equal(nic_model_from_ids("8086:10d3", NULL), NIC_MODEL_E1000E);
	assert_int_equal(nic_model_from_ids("15ad:07b0", NULL), NIC_MODEL_VMXNET3);
	assert_int_equal(nic_model_from_ids("1af4:1041", "virtio_net"), NIC_MODEL_OTHER);
	/* Unknown id: the driver decides. */
	assert_int_equal(nic_model_from_ids(NULL, "vmxnet3"), NIC_MODEL_VMXNET3);
	assert_int_equal(nic_model_from_ids(NULL, NULL), NIC_MODEL_OTHER);
	assert_string_equal(nic_model_to_string(NIC_MODEL_E1000E), "e1000e");
}

static void test_sysfs_tree(void **state)
{
	struct nic_list l = {};
	const struct nic *n;

	sysroot_fake_nic("ens33", "0000:02:01.0", "0x8086\n", "0x100f\n", "e1000", "00:0C:29:AA:BB:01\n",
		 "0\n", true);
	sysroot_fake_nic("ens160", "0000:03:00.0", "0x15ad\n", "0x07b0\n", "vmxnet3",
		 "00:0c:29:aa:bb:0b\n", "3\n", false);
	/* Bad values are dropped, not fatal. */
	sysroot_fake_nic("ens9", "0000:04:00.0", "garbage\n", "0x10d3\n", NULL, "not-a-mac\n", "x\n", true);
	/* Virtual: no device link. */
	sysroot_put("sys/devices/virtual/net/lo/address", "00:00:00:00:00:00\n", 0644);
	sysroot_link("sys/class/net/lo", "../../devices/virtual/net/lo");
	/* A loop is skipped. */
	sysroot_link("sys/class/net/loop0", "loop0");

	assert_int_equal(nic_list_detect(sysroot, false, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.nics[0].name, "ens160"); /* sorted */
	n = nic_list_find(&l, "ens33");
	assert_non_null(n);
	assert_string_equal(n->mac, "00:0c:29:aa:bb:01");
	assert_string_equal(n->permanent_mac, "00:0c:29:aa:bb:01");
	assert_string_equal(n->pci_id, "8086:100f");
	assert_int_equal(n->model, NIC_MODEL_E1000);
	assert_string_equal(n->driver, "e1000");
	assert_int_equal(n->carrier, 1);
	assert_int_equal(n->mtu, 9000);
	assert_int_equal(strv_length(n->addresses), 0);
	n = nic_list_find(&l, "ens160");
	assert_int_equal(n->model, NIC_MODEL_VMXNET3);
	assert_null(n->permanent_mac); /* addr_assign_type 3: set by someone */
	assert_int_equal(n->carrier, -1);
	n = nic_list_find(&l, "ens9");
	assert_null(n->pci_id);
	assert_null(n->mac);
	assert_null(n->driver);
	assert_int_equal(n->model, NIC_MODEL_OTHER);
	assert_null(nic_list_find(&l, "lo"));
	nic_list_done(&l);
}

static void test_uevent_fallback(void **state)
{
	struct nic_list l = {};

	/* No vendor/device files, no driver link: the uevent file says it. */
	sysroot_put("sys/devices/pci0000:00/0000:02:01.0/uevent",
		    "DRIVER=e1000\nPCI_CLASS=20000\nPCI_ID=8086:100F\nPCI_SUBSYS_ID=15AD:0750\n", 0644);
	sysroot_put("sys/devices/pci0000:00/0000:02:01.0/net/eth0/address", "00:0c:29:00:00:01\n",
		    0644);
	sysroot_link("sys/devices/pci0000:00/0000:02:01.0/net/eth0/device", "../..");
	sysroot_link("sys/class/net/eth0", "../../devices/pci0000:00/0000:02:01.0/net/eth0");
	assert_int_equal(nic_list_detect(sysroot, false, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.nics[0].pci_id, "8086:100f");
	assert_string_equal(l.nics[0].driver, "e1000");
	assert_int_equal(l.nics[0].model, NIC_MODEL_E1000);
	assert_null(l.nics[0].permanent_mac); /* no addr_assign_type: not known */
	nic_list_done(&l);
}

static void test_no_sysfs(void **state)
{
	struct nic_list l = { .n = 7 };
	char p[PATH_MAX * 2];

	assert_int_equal(nic_list_detect(sysroot, false, &l), 0);
	assert_int_equal(l.n, 0);
	sysroot_put("f", "", 0644);
	assert_int_equal(nic_list_detect(sysroot_path("f", p), false, &l), -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_table),
		cmocka_unit_test_setup(test_sysfs_tree, sysroot_new),
		cmocka_unit_test_setup(test_uevent_fallback, sysroot_new),
		cmocka_unit_test_setup(test_no_sysfs, sysroot_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
