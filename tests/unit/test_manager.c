// SPDX-License-Identifier: GPL-2.0-or-later
/* Asking running managers: fake nmcli and networkctl programs first in PATH. */
#include "sysroot.h"

#include "system/manager.h"
#include "system/nmconf.h"

static char bin[PATH_MAX * 2];

static int setup(void **state)
{
	char path[PATH_MAX * 4];

	sysroot_new(state);
	sysroot_path("bin", bin);
	assert_int_equal(mkdir(bin, 0755), 0);
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", bin);
	assert_int_equal(setenv("PATH", path, 1), 0);
	return 0;
}

static void fake(const char *name, const char *script)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "bin/%s", name);
	sysroot_put(rel, script, 0755);
}

static void test_nothing_runs(void **state)
{
	struct live_owner o = {};

	/* No nmcli, no networkctl in PATH besides the system's: nothing claims a made-up name. */
	assert_int_equal(setenv("PATH", bin, 1), 0);
	assert_int_equal(live_manager_owner("vnictest0", &o), 0);
	assert_null(o.backend);
	assert_int_equal(live_manager_owner("a/b", &o), -EINVAL);
}

static void test_networkmanager(void **state)
{
	struct live_owner o = {};

	fake("nmcli",
	     "#!/bin/sh\n"
	     "case \"$*\" in\n"
	     "*'device show ens33'*) echo 'GENERAL.STATE:100 (connected)' ;;\n"
	     "*'device show ens160'*) echo 'GENERAL.STATE:10 (unmanaged)' ;;\n"
	     "*'connection show --active'*)\n"
	     "  echo 'lo:/run/NetworkManager/system-connections/lo.nmconnection'\n"
	     "  echo 'ens33:/etc/NetworkManager/system-connections/Wired\\: one.nmconnection' ;;\n"
	     "*) exit 10 ;;\n"
	     "esac\n");
	fake("networkctl", "#!/bin/sh\nexit 1\n");
	assert_int_equal(live_manager_owner("ens33", &o), 1);
	assert_string_equal(o.backend, "networkmanager");
	assert_string_equal(o.file, "/etc/NetworkManager/system-connections/Wired: one.nmconnection");
	live_owner_done(&o);
	assert_int_equal(live_manager_owner("ens160", &o), 0);
	assert_null(o.file);
}

static void test_netplan_generated(void **state)
{
	struct live_owner o = {};

	fake("nmcli", "#!/bin/sh\nexit 8\n"); /* "NetworkManager is not running" */
	fake("networkctl",
	     "#!/bin/sh\n"
	     "cat <<OUT\n"
	     "* 2: ens33\n"
	     "                     Link File: /usr/lib/systemd/network/99-default.link\n"
	     "                  Network File: /run/systemd/network/10-netplan-ens33.network\n"
	     "                         State: routable (configured)\n"
	     "OUT\n");
	assert_int_equal(live_manager_owner("ens33", &o), 1);
	assert_string_equal(o.backend, "netplan");
	assert_string_equal(o.file, "/run/systemd/network/10-netplan-ens33.network");
	live_owner_done(&o);

	fake("networkctl",
	     "#!/bin/sh\n"
	     "echo '  Network File: /etc/systemd/network/20-wired.network'\n"
	     "echo '         State: routable (configured)'\n");
	assert_int_equal(live_manager_owner("ens33", &o), 1);
	assert_string_equal(o.backend, "networkd");
	assert_string_equal(o.file, "/etc/systemd/network/20-wired.network");
	live_owner_done(&o);

	fake("networkctl",
	     "#!/bin/sh\n"
	     "echo '  Network File: n/a'\n"
	     "echo '         State: off (unmanaged)'\n");
	assert_int_equal(live_manager_owner("ens33", &o), 0);
}

static void test_nm_over_ifcfg(void **state)
{
	char *files[] = { "/etc/sysconfig/network-scripts/ifcfg-ens33", NULL };

	sysroot_put("etc/sysconfig/network-scripts/ifcfg-ens33", "DEVICE=ens33\nONBOOT=yes\n", 0644);
	/* Not enabled: the network service (or nothing) runs it. */
	assert_false(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	sysroot_put("usr/lib/systemd/system/NetworkManager.service", "[Unit]\n", 0644);
	sysroot_link("etc/systemd/system/multi-user.target.wants/NetworkManager.service",
		     "/usr/lib/systemd/system/NetworkManager.service");
	/* Enabled, default plugins (RHEL 8/9: the line is commented out). */
	sysroot_put("etc/NetworkManager/NetworkManager.conf", "[main]\n#plugins=keyfile,ifcfg-rh\n",
		    0644);
	assert_true(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	/* Another interface unmanaged: still managed. */
	sysroot_put("etc/NetworkManager/conf.d/90-unmanaged.conf",
		    "[keyfile]\nunmanaged-devices=interface-name:ens34;mac:00:0c:29:00:00:02\n", 0644);
	assert_true(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	/* This one, by MAC (any case). */
	sysroot_put("etc/NetworkManager/conf.d/90-unmanaged.conf",
		    "[keyfile]\nunmanaged-devices=mac:00:0C:29:00:00:01\n", 0644);
	assert_false(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	sysroot_put("etc/NetworkManager/conf.d/90-unmanaged.conf", "[keyfile]\n", 0644);
	/* A plugins line without ifcfg-rh: the files are not NetworkManager's. A later conf.d
	 * file can bring it back. */
	sysroot_put("etc/NetworkManager/NetworkManager.conf", "[main]\nplugins=keyfile\n", 0644);
	assert_false(nm_manages_ifcfg(sysroot, "ens33", NULL, files));
	sysroot_put("etc/NetworkManager/conf.d/99-ifcfg.conf", "[main]\nplugins=ifcfg-rh,keyfile\n",
		    0644);
	assert_true(nm_manages_ifcfg(sysroot, "ens33", NULL, files));
	/* NM_CONTROLLED=no in the file. */
	sysroot_put("etc/sysconfig/network-scripts/ifcfg-ens33",
		    "DEVICE=ens33\nNM_CONTROLLED=\"no\"\n", 0644);
	assert_false(nm_manages_ifcfg(sysroot, "ens33", NULL, files));
	sysroot_put("etc/sysconfig/network-scripts/ifcfg-ens33",
		    "DEVICE=ens33\nNM_CONTROLLED=yes\n", 0644);
	assert_true(nm_manages_ifcfg(sysroot, "ens33", NULL, files));
}

/* Issue 15: one NetworkManager.conf reader, in NetworkManager's order, for detect and swap. */
static bool unmanaged_ens33(void)
{
	const struct nmconf_device dev = { .ifname = "ens33", .mac = "00:0c:29:00:00:01",
					   .driver = "e1000", .type = "ethernet" };
	struct nmconf c = {};
	bool r;

	assert_int_equal(nmconf_load(sysroot, &c, NULL, NULL), 0);
	r = nmconf_unmanaged(&c, &dev);
	nmconf_done(&c);
	return r;
}

static void test_nmconf_order(void **state)
{
	char *files[] = { "/etc/sysconfig/network-scripts/ifcfg-ens33", NULL };
	char *bad = NULL;
	unsigned line = 0;
	struct nmconf c = {};

	sysroot_put("etc/sysconfig/network-scripts/ifcfg-ens33", "DEVICE=ens33\n", 0644);
	sysroot_put("usr/lib/systemd/system/NetworkManager.service", "[Unit]\n", 0644);
	sysroot_link("etc/systemd/system/multi-user.target.wants/NetworkManager.service",
		     "/usr/lib/systemd/system/NetworkManager.service");
	/* /run's snippets come before NetworkManager.conf, which wins over them. */
	sysroot_put("run/NetworkManager/conf.d/50-boot.conf",
		    "[keyfile]\nunmanaged-devices=interface-name:ens33\n", 0644);
	sysroot_put("etc/NetworkManager/NetworkManager.conf",
		    "[main]\nplugins=keyfile\n\n[keyfile]\nunmanaged-devices=interface-name:ens99\n", 0644);
	assert_false(unmanaged_ens33());
	/* /usr/lib's 20-x.conf is shadowed by /etc's 20-x.conf of the same name. */
	sysroot_put("usr/lib/NetworkManager/conf.d/20-x.conf", "[keyfile]\nunmanaged-devices=*\n", 0644);
	sysroot_put("etc/NetworkManager/conf.d/20-x.conf", "# nothing\n", 0644);
	assert_false(unmanaged_ens33());
	/* plugins+= adds to the list: ifcfg-rh on, so NetworkManager runs the ifcfg file. */
	assert_false(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	sysroot_put("etc/NetworkManager/conf.d/30-ifcfg.conf", "[main]\nplugins+=ifcfg-rh\n", 0644);
	assert_true(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	/* plugins+= without a plugins= before it adds to the build's default list (RHEL's loads
	 * ifcfg-rh); plugins-= takes it out again. */
	sysroot_put("etc/NetworkManager/NetworkManager.conf",
		    "[main]\n\n[keyfile]\nunmanaged-devices=interface-name:ens99\n", 0644);
	sysroot_put("etc/NetworkManager/conf.d/30-ifcfg.conf", "[main]\nplugins+=foo\n", 0644);
	assert_true(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	sysroot_put("etc/NetworkManager/conf.d/30-ifcfg.conf",
		    "[main]\nplugins=keyfile,ifcfg-rh\nplugins-=ifcfg-rh\n", 0644);
	assert_false(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	sysroot_put("etc/NetworkManager/conf.d/30-ifcfg.conf", "[main]\nplugins+=ifcfg-rh\n", 0644);
	/* /etc's snippets come after NetworkManager.conf; detect says the same. */
	sysroot_put("etc/NetworkManager/conf.d/40-lab.conf",
		    "[keyfile]\nunmanaged-devices=interface-name:ens3*\n", 0644);
	assert_true(unmanaged_ens33());
	assert_false(nm_manages_ifcfg(sysroot, "ens33", "00:0c:29:00:00:01", files));
	/* A malformed line is named. */
	sysroot_put("etc/NetworkManager/conf.d/40-lab.conf", "[keyfile]\njunk\n", 0644);
	assert_int_equal(nmconf_load(sysroot, &c, &bad, &line), -EBADMSG);
	assert_string_equal(bad, "/etc/NetworkManager/conf.d/40-lab.conf");
	assert_int_equal(line, 2);
	free(bad);
}

static void test_nmconf_specs(void **state)
{
	const struct nmconf_device d = { .ifname = "ens33", .mac = "00:0c:29:00:00:01",
					 .driver = "e1000", .type = "ethernet" };

	assert_true(nmconf_spec_matches("*", &d));
	assert_false(nmconf_spec_matches("*,except:interface-name:ens33", &d));
	/* Ubuntu's 10-globally-managed-devices.conf */
	assert_true(nmconf_spec_matches("*,except:type:wifi,except:type:gsm,except:type:cdma", &d));
	assert_true(nmconf_spec_matches("except:type:wifi", &d));
	assert_false(nmconf_spec_matches("except:type:ethernet", &d));
	assert_true(nmconf_spec_matches("interface-name:ens3*", &d));
	assert_false(nmconf_spec_matches("interface-name:=ens3*", &d));
	assert_true(nmconf_spec_matches("interface-name:~ENS33", &d));
	assert_true(nmconf_spec_matches("lo; mac:00-0C-29-00-00-01", &d));
	assert_true(nmconf_spec_matches("00:0C:29:00:00:01", &d));
	assert_true(nmconf_spec_matches("driver:e1000*", &d));
	assert_false(nmconf_spec_matches("driver:vmxnet3,mac:00:0c:29:00:00:02", &d));
	assert_false(nmconf_spec_matches("", &d));
}

static void test_parsers(void **state)
{
	char *file = (char *)"untouched";

	/* Trailing blanks on the State line must not hide the lines after it. */
	assert_int_equal(networkctl_status_parse("    State: routable (configured)   \n"
						 "Network File: /etc/systemd/network/a b.network \r\n",
						 &file),
			 1);
	assert_string_equal(file, "/etc/systemd/network/a b.network");
	free(file);
	assert_int_equal(networkctl_status_parse("State: off (unmanaged)\nNetwork File: n/a\n", &file),
			 0);
	assert_int_equal(networkctl_status_parse("State:\nNetwork File:", &file), 0);
	assert_int_equal(networkctl_status_parse("", &file), 0);
	assert_int_equal(networkctl_status_parse(NULL, &file), 0);

	assert_int_equal(nmcli_active_file("ens3:/a\\:b\nens33:/etc/x\\\\y\n", "ens33", &file), 1);
	assert_string_equal(file, "/etc/x\\y");
	free(file);
	assert_int_equal(nmcli_active_file("ens33:\n", "ens33", &file), 1);
	assert_null(file);
	assert_int_equal(nmcli_active_file("ens3:/a\n", "ens33", &file), 0);
	assert_int_equal(nmcli_active_file("", "ens33", &file), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nothing_runs, setup),
		cmocka_unit_test_setup(test_networkmanager, setup),
		cmocka_unit_test_setup(test_netplan_generated, setup),
		cmocka_unit_test_setup(test_nm_over_ifcfg, setup),
		cmocka_unit_test_setup(test_nmconf_order, setup),
		cmocka_unit_test(test_nmconf_specs),
		cmocka_unit_test(test_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
