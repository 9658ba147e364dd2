// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exitcode.h"
#include "lib/fault.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "system/linkcheck.h"
#include "system/reach.h"
#include "verbs/verbs.h"

/* The verb table. Keep it sorted by how a user meets the verbs: look, build, move, undo. */
static const struct verb verbs[] = {
	{ "version", verb_version, OPT_JSON, 0, 0, "[--json]", "Print the version",
	  "Prints vnic-install's version, which is also the version of the vmxnet3 driver it "
	  "installs." },
	{ "detect", verb_detect, OPT_ROOT | OPT_JSON, 0, 0, "[--root DIR] [--json]",
	  "Show the distribution, kernels, tools and NICs",
	  "Reports the distribution, package manager, kernels (headers, in-kernel and vnic "
	  "vmxnet3),\nDKMS, compiler, initramfs tool, Secure Boot, and each NIC with the backend "
	  "and files that\nconfigure it. Problems with input files are named on stderr and in "
	  "the JSON \"errors\";\nthe report is still printed and the exit code is then 8. "
	  "See docs/detect.md." },
	{ "health", verb_health, OPT_JSON | OPT_INTERVAL, 0, 0, "[--interval SEC] [--json]",
	  "Show how the VMXNET3 NICs run, with recommendations",
	  "For each VMXNET3 NIC: the driver and its version, ring sizes against the device's "
	  "maximum,\nchannels, the counters that show trouble (drops for lack of receive buffers, "
	  "allocation\nfailures, errors, transmit queue stops, resets) over a sample of --interval "
	  "seconds\n(default 5; 0: totals only), the interrupt rate of each vector, and the backend "
	  "that\nconfigures it; then open-vm-tools and the kernel's socket buffer limits. Each "
	  "finding comes\nwith what to do. Changes nothing and needs no root. Exit code 9 when a "
	  "finding is a warning.\nSee docs/health.md." },
	{ "driver", verb_driver,
	  OPT_ROOT | OPT_JSON | OPT_YES | OPT_KERNEL | OPT_ALL_KERNELS | OPT_INSTALL_PREREQS |
		  OPT_FORCE | OPT_SOURCE,
	  1, 1,
	  "install|remove|status [--kernel KVER ...|--all-kernels] [--root DIR] [--install-prereqs] "
	  "[--source DIR] [--force] [--json] [--yes]",
	  "Build, install, remove or show vnic's vmxnet3 driver (DKMS)",
	  "install: stages the sources in /usr/src/vmxnet3-VERSION, runs dkms add, build and install\n"
	  "for each target kernel (default: the default and the running kernel), regenerates each\n"
	  "initramfs that carries vmxnet3, and loads vnic's module when no interface that is up uses\n"
	  "the loaded one. Missing prerequisites are listed with the command that installs them\n"
	  "(--install-prereqs runs it). Under Secure Boot, DKMS's key must be enrolled (--force goes\n"
	  "on anyway). A failure undoes everything. remove: the reverse, for every kernel. status:\n"
	  "per kernel, which vmxnet3 would load, the initramfs, DKMS's state. See docs/driver-install.md." },
	{ "plan", verb_plan, OPT_ROOT | OPT_IMAGE | OPT_JSON | OPT_FROM | OPT_TO | OPT_CHECK |
		  OPT_TIMEOUT | OPT_NO_DRIVER | OPT_SOURCE | OPT_CONFIRM_TIMEOUT | OPT_TUNE |
		  OPT_ALLOW_DIFFERENCE | OPT_INSTALL_TOOLS, 0, 1,
	  "[swap|prepare|tune] [--from IF] [--to IF] [--check HOW] [--timeout SEC] [--no-driver]\n"
	  "            [--confirm-timeout SEC] [--allow-difference] [--install-tools]\n"
	  "            [--root DIR | --image FILE] [--source DIR]\n"
	  "            [tune's options] [--json]",
	  "Show what 'swap' or 'prepare' would do, changing nothing",
	  "A dry run: every step in order, every file with a unified diff against the file as it "
	  "is now,\nevery backup, every command with its undo, the link check. 'plan' and 'plan "
	  "swap' show the\nswap of the running system; 'plan prepare', and any plan with --root "
	  "DIR or --image FILE,\nshow prepare's (for an image, on a copy-on-write overlay: the "
	  "image is only read).\nSee docs/swap.md and docs/prepare.md." },
	{ "swap", verb_swap, OPT_JSON | OPT_YES | OPT_FROM | OPT_TO | OPT_CHECK | OPT_TIMEOUT |
		  OPT_LOG | OPT_NO_DRIVER | OPT_ROOT | OPT_CONFIRM_TIMEOUT | OPT_ALLOW_DIFFERENCE |
		  OPT_INSTALL_TOOLS, 0, 0,
	  "[--from IF] [--to IF] [--check carrier|address|gateway|ping:ADDR]\n"
	  "            [--check peer:ADDR|tcp:ADDR:PORT ...] [--timeout SEC] [--confirm-timeout SEC]\n"
	  "            [--allow-difference] [--install-tools] [--no-driver] [--log FILE] [--yes]\n"
	  "            [--json]",
	  "Move the network configuration from the E1000 to the VMXNET3 NIC beside it",
	  "With a VMXNET3 adapter added next to the E1000: installs vnic's driver (unless "
	  "--no-driver),\nmoves the configuration of the E1000 interface (--from; default: the "
	  "E1000 that holds the\ndefault route) to the VMXNET3 interface (--to; default: the only "
	  "one), brings it up and\nchecks the link (--check, default gateway: the gateway must "
	  "answer as it did through the\nE1000, from the same MAC; each --check peer:ADDR or "
	  "tcp:ADDR:PORT and the SSH client of\nSSH_CONNECTION too; --timeout, default 30 s). "
	  "Then the E1000 goes down; its configuration\nis disabled, not deleted. If the check "
	  "fails, everything is restored and the E1000 is up\nagain (exit code 3). After the "
	  "check, every address and route the E1000 ran must run on\nthe VMXNET3 NIC, else the "
	  "same rollback (--allow-difference: reported, kept).\n--install-tools: open-vm-tools "
	  "installed in the same transaction.\n"
	  "--confirm-timeout SEC: the change is rolled back on its own unless\n'vnic-install "
	  "confirm' comes within SEC seconds, also across a reboot. Without --yes it\nshows the "
	  "plan and asks. Log: --log FILE (default /var/log/vnic-install.log). See docs/swap.md." },
	{ "tune", verb_tune, OPT_JSON | OPT_YES | OPT_TO | OPT_CHECK | OPT_TIMEOUT | OPT_TUNE, 0, 0,
	  "[--to IF] [--profile throughput] [--rx-ring N] [--tx-ring N] [--channels N]\n"
	  "            [--socket-buffers BYTES] [--check HOW] [--timeout SEC] [--yes] [--json]",
	  "Tune the VMXNET3 NIC's rings and channels and the TCP buffers, now and at boot",
	  "Applies ring sizes (ethtool -G), the channel count (ethtool -L) and the socket buffer "
	  "limits\n(sysctl) to the VMXNET3 NIC (--to; default: the only one), and keeps them across "
	  "a reboot:\na systemd .link file for the NIC (it carries over the [Link] settings of the "
	  "file udev\napplies today, so the name stays) and /etc/sysctl.d/60-vnic-tune.conf. "
	  "--profile throughput:\nthe largest rings, a queue per CPU, 16 MiB socket buffers; "
	  "explicit values go on top.\nAll in one transaction: the link is checked afterwards "
	  "(--check, --timeout as for swap)\nand everything is undone when it fails (exit code 3); "
	  "'vnic-install rollback' undoes it\nlater. Without --yes it shows the plan and asks. "
	  "See docs/tune.md." },
	{ "status", verb_status, OPT_ROOT | OPT_JSON, 0, 0, "[--root DIR] [--json]",
	  "Show the pending and the last change",
	  "Shows the change waiting for a link check or for 'confirm' (if any) and the last "
	  "finished one,\nfrom the journal under /var/lib/vnic." },
	{ "confirm", verb_confirm, OPT_ROOT, 0, 0, "[--root DIR]",
	  "Keep a change that waits for confirmation",
	  "Commits the change that 'prepare' staged once the new NIC works; until then the boot "
	  "guard\nrestores the previous state on its own." },
	{ "rollback", verb_rollback, OPT_ROOT | OPT_FORCE, 0, 0, "[--root DIR] [--force]",
	  "Undo the last committed change",
	  "Restores every file the last committed change wrote, byte for byte with its mode and "
	  "owner,\nand runs the undo of every command it ran. Files changed since are not "
	  "overwritten\nunless --force is given." },
	{ "recover", verb_recover, OPT_ROOT | OPT_FORCE | OPT_BOOT, 0, 0,
	  "[--root DIR] [--force] [--boot]",
	  "Finish or undo an interrupted run",
	  "Undoes a run that was interrupted before it finished (every verb does this on its own "
	  "before\nit starts). A change waiting for 'confirm' is left alone unless --force is "
	  "given.\n--boot (vnic-recover.service, before the network services start): the files "
	  "and every other\nchange are undone, but not the commands that reconfigured running "
	  "network services; those\nservices then start from the restored files." },
	{ "prepare", verb_prepare,
	  OPT_ROOT | OPT_IMAGE | OPT_FROM | OPT_TIMEOUT | OPT_SOURCE | OPT_JSON | OPT_INSTALL_TOOLS,
	  0, 0,
	  "[--root DIR | --image FILE] [--from IF] [--timeout SEC] [--source DIR]\n"
	  "            [--install-tools] [--json]",
	  "Prepare a system or a template image for the switch to VMXNET3",
	  "Builds vnic's driver through DKMS for every kernel (with the system's own tools, in a "
	  "chroot\nfor --root and --image), regenerates and checks each initramfs, stages the "
	  "network\nconfiguration of the E1000 interface (--from) for the VMXNET3 NIC that replaces "
	  "it\n(matched by driver), and arms the boot guard (--timeout: its link wait, default "
	  "120 s).\n--image takes a raw or qcow2 disk; a failed run leaves it byte-identical. "
	  "Offline, --from\nmay be left out when the configuration names one Ethernet interface. "
	  "See docs/prepare.md." },
	{ "guard", verb_guard, OPT_TIMEOUT, 0, 0, "[--timeout SEC]",
	  "Boot guard: keep the prepared change only if the link comes up",
	  "Run at boot by vnic-guard.service. Waits for the VMXNET3 link; when it does not come up "
	  "in\ntime (or 'confirm' does not come when a deadline is set), restores the state from "
	  "before\n'prepare' and reboots if an E1000 is there. See docs/prepare.md." },
	{ "wait-port", verb_wait_port, OPT_ROOT | OPT_TIMEOUT, 1, 2, "PORT [MASTER] [--timeout SEC]",
	  "Wait until PORT is an up port of its bond or bridge (a step of swap's plan)",
	  "Run by swap's plan and its rollback when the E1000 is a port of a bond or bridge: "
	  "waits\nuntil bonding sees PORT's link up (bonding_slave/mii_status) or the bridge "
	  "forwards on it,\nso that the master keeps its carrier while the other port leaves. "
	  "With MASTER, first\nmakes PORT a port of MASTER unless it is one (taken down first "
	  "for a bond). Exits 0\nwhen it is up, 1 after --timeout (default 30 s). See "
	  "docs/netcfg.md." },
	{ "help", verb_help, 0, 0, 1, "[VERB]", "Show help for vnic-install or one verb", NULL },
};

enum {
	ARG_ROOT = 0x100,
	ARG_JSON,
	ARG_ALL_KERNELS,
	ARG_INSTALL_PREREQS,
	ARG_FORCE,
	ARG_FROM,
	ARG_TO,
	ARG_CHECK,
	ARG_TIMEOUT,
	ARG_IMAGE,
	ARG_LOG,
	ARG_SOURCE,
	ARG_NO_DRIVER,
	ARG_VERSION,
	ARG_CONFIRM_TIMEOUT,
	ARG_INTERVAL,
	ARG_RX_RING,
	ARG_TX_RING,
	ARG_CHANNELS,
	ARG_SOCKET_BUFFERS,
	ARG_PROFILE,
	ARG_ALLOW_DIFFERENCE,
	ARG_INSTALL_TOOLS,
	ARG_BOOT,
};

static const struct {
	struct option opt;
	unsigned flag; /* OPT_*, or 0 for options every verb takes */
	const char *arg, *help;
} options[] = {
	{ { "help", no_argument, NULL, 'h' }, 0, NULL, "Show this help (or the verb's) and exit" },
	{ { "version", no_argument, NULL, ARG_VERSION }, 0, NULL, "Print the version and exit" },
	{ { "quiet", no_argument, NULL, 'q' }, 0, NULL, "Print errors only" },
	{ { "verbose", no_argument, NULL, 'v' }, 0, NULL, "Print more detail (repeat for debug)" },
	{ { "root", required_argument, NULL, ARG_ROOT }, OPT_ROOT, "DIR",
	  "Work on the system mounted at DIR instead of the running one" },
	{ { "image", required_argument, NULL, ARG_IMAGE }, OPT_IMAGE, "FILE",
	  "Work on the disk image FILE (raw, or qcow2 through qemu-nbd)" },
	{ { "json", no_argument, NULL, ARG_JSON }, OPT_JSON, NULL,
	  "Print machine-readable JSON on stdout" },
	{ { "yes", no_argument, NULL, 'y' }, OPT_YES, NULL, "Do not ask for confirmation" },
	{ { "kernel", required_argument, NULL, 'k' }, OPT_KERNEL, "KVER",
	  "Act on this kernel release (repeatable)" },
	{ { "all-kernels", no_argument, NULL, ARG_ALL_KERNELS }, OPT_ALL_KERNELS, NULL,
	  "Act on every installed kernel" },
	{ { "install-prereqs", no_argument, NULL, ARG_INSTALL_PREREQS }, OPT_INSTALL_PREREQS, NULL,
	  "Install missing prerequisites with the distribution's package manager" },
	{ { "force", no_argument, NULL, ARG_FORCE }, OPT_FORCE, NULL,
	  "Go on despite a safety check that failed (see the verb's help)" },
	{ { "from", required_argument, NULL, ARG_FROM }, OPT_FROM, "IF",
	  "The E1000 interface to move away from" },
	{ { "to", required_argument, NULL, ARG_TO }, OPT_TO, "IF",
	  "The VMXNET3 interface to move to" },
	{ { "check", required_argument, NULL, ARG_CHECK }, OPT_CHECK, "HOW",
	  "Link check: carrier, address, gateway, ping:ADDR; peers: peer:ADDR, tcp:ADDR:PORT" },
	{ { "timeout", required_argument, NULL, ARG_TIMEOUT }, OPT_TIMEOUT, "SEC",
	  "Seconds to wait for the link check, the boot guard's link or the port (wait-port)" },
	{ { "confirm-timeout", required_argument, NULL, ARG_CONFIRM_TIMEOUT }, OPT_CONFIRM_TIMEOUT,
	  "SEC", "Roll the swap back unless 'confirm' comes within SEC seconds" },
	{ { "interval", required_argument, NULL, ARG_INTERVAL }, OPT_INTERVAL, "SEC",
	  "Seconds over which health samples the counters (0 to 3600)" },
	{ { "profile", required_argument, NULL, ARG_PROFILE }, OPT_PROFILE, "NAME",
	  "tune: a set of values (throughput)" },
	{ { "rx-ring", required_argument, NULL, ARG_RX_RING }, OPT_RX_RING, "N",
	  "tune: receive ring size" },
	{ { "tx-ring", required_argument, NULL, ARG_TX_RING }, OPT_TX_RING, "N",
	  "tune: transmit ring size" },
	{ { "channels", required_argument, NULL, ARG_CHANNELS }, OPT_CHANNELS, "N",
	  "tune: number of queues" },
	{ { "socket-buffers", required_argument, NULL, ARG_SOCKET_BUFFERS }, OPT_SOCKET_BUFFERS,
	  "BYTES", "tune: the socket buffer limit (rmem/wmem max, TCP max)" },
	{ { "log", required_argument, NULL, ARG_LOG }, OPT_LOG, "FILE",
	  "Also append a detailed log to FILE" },
	{ { "source", required_argument, NULL, ARG_SOURCE }, OPT_SOURCE, "DIR",
	  "Take the driver sources from DIR" },
	{ { "no-driver", no_argument, NULL, ARG_NO_DRIVER }, OPT_NO_DRIVER, NULL,
	  "Leave the driver out (use the vmxnet3 driver the system has)" },
	{ { "allow-difference", no_argument, NULL, ARG_ALLOW_DIFFERENCE }, OPT_ALLOW_DIFFERENCE,
	  NULL, "Keep the swap when the VMXNET3 NIC lacks an address or route the E1000 had" },
	{ { "install-tools", no_argument, NULL, ARG_INSTALL_TOOLS }, OPT_INSTALL_TOOLS, NULL,
	  "Also install open-vm-tools (VMware Tools) with the package manager" },
	{ { "boot", no_argument, NULL, ARG_BOOT }, OPT_BOOT, NULL,
	  "recover: at boot, before the network services start (vnic-recover.service)" },
};

const struct verb *cli_find_verb(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

_printf_(2, 3) static int fail(char **ret_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_error, fmt, ap) < 0)
		*ret_error = NULL;
	va_end(ap);
	return -EINVAL;
}

static const char *option_name(unsigned flag)
{
	for (size_t i = 0; i < ELEMENTSOF(options); i++)
		if (options[i].flag == flag)
			return options[i].opt.name;
	return "?";
}

static int parse_timeout(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 3600)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* One --check: the kind (the last one given counts) or a peer (all count). */
static int parse_check(const char *s, struct vnic_args *args)
{
	struct reach_target t;
	enum linkcheck_kind k;

	if (strncmp(s, "peer:", 5) == 0 || strncmp(s, "tcp:", 4) == 0) {
		bool tcp = s[0] == 't';

		if (reach_target_parse(s + (tcp ? 4 : 5), REACH_PEER, tcp, &t) < 0)
			return -EINVAL;
		return strv_push(&args->check_peers, s) < 0 ? -ENOMEM : 0;
	}
	if (linkcheck_parse(s, &k, NULL) < 0)
		return -EINVAL;
	args->check = s;
	return 0;
}

/* tune's options: the flag of each, and its value into args. */
static unsigned tune_flag(int c)
{
	switch (c) {
	case ARG_RX_RING:
		return OPT_RX_RING;
	case ARG_TX_RING:
		return OPT_TX_RING;
	case ARG_CHANNELS:
		return OPT_CHANNELS;
	case ARG_SOCKET_BUFFERS:
		return OPT_SOCKET_BUFFERS;
	default:
		return OPT_PROFILE;
	}
}

static int parse_tune_option(int c, const char *s, struct vnic_args *args)
{
	unsigned long long v;
	char *end;

	args->given |= tune_flag(c);
	if (c == ARG_PROFILE) {
		args->profile = s;
		return *s ? 0 : -EINVAL;
	}
	if (*s < '1' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || (c != ARG_SOCKET_BUFFERS && v > 65536))
		return -EINVAL;
	if (c == ARG_SOCKET_BUFFERS)
		args->socket_buffers = v;
	else
		*(c == ARG_RX_RING ? &args->rx_ring : c == ARG_TX_RING ? &args->tx_ring :
				     &args->channels) = (unsigned)v;
	return 0;
}

int cli_parse(int argc, char **argv, struct vnic_args *args, char **ret_error)
{
	struct option longopts[ELEMENTSOF(options) + 1] = {};
	int c, r;

	memset(args, 0, sizeof(*args));
	for (size_t i = 0; i < ELEMENTSOF(options); i++)
		longopts[i] = options[i].opt;

	optind = 0; /* reset getopt, also for repeated calls from tests */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvyk:", longopts, NULL)) >= 0) {
		switch (c) {
		case 'h':
			args->help = true;
			break;
		case ARG_VERSION:
			args->version = true;
			break;
		case 'q':
			args->verbosity = -1;
			break;
		case 'v':
			if (args->verbosity < 3)
				args->verbosity++;
			break;
		case ARG_ROOT:
			if (!*optarg)
				return fail(ret_error, "--root needs a directory.");
			args->root = optarg;
			args->given |= OPT_ROOT;
			break;
		case ARG_IMAGE:
			if (!*optarg)
				return fail(ret_error, "--image needs a file.");
			args->image = optarg;
			args->given |= OPT_IMAGE;
			break;
		case ARG_JSON:
			args->json = true;
			args->given |= OPT_JSON;
			break;
		case 'y':
			args->yes = true;
			args->given |= OPT_YES;
			break;
		case 'k':
			if (!*optarg || strchr(optarg, '/'))
				return fail(ret_error, "--kernel '%s' is not a kernel release.", optarg);
			if (!strv_contains(args->kernels, optarg)) {
				r = strv_push(&args->kernels, optarg);
				if (r < 0)
					return r;
			}
			args->given |= OPT_KERNEL;
			break;
		case ARG_ALL_KERNELS:
			args->all_kernels = true;
			args->given |= OPT_ALL_KERNELS;
			break;
		case ARG_INSTALL_PREREQS:
			args->install_prereqs = true;
			args->given |= OPT_INSTALL_PREREQS;
			break;
		case ARG_FORCE:
			args->force = true;
			args->given |= OPT_FORCE;
			break;
		case ARG_FROM:
			args->from = optarg;
			args->given |= OPT_FROM;
			break;
		case ARG_TO:
			args->to = optarg;
			args->given |= OPT_TO;
			break;
		case ARG_CHECK:
			r = parse_check(optarg, args);
			if (r < 0)
				return r == -ENOMEM ? r :
				       fail(ret_error, "--check '%s': expected carrier, address, gateway, "
					    "ping:ADDR, peer:ADDR or tcp:ADDR:PORT.", optarg);
			args->given |= OPT_CHECK;
			break;
		case ARG_CONFIRM_TIMEOUT:
			if (parse_timeout(optarg, &args->confirm_timeout_sec) < 0)
				return fail(ret_error, "--confirm-timeout '%s': expected whole seconds "
					    "from 1 to 3600.", optarg);
			args->given |= OPT_CONFIRM_TIMEOUT;
			break;
		case ARG_INTERVAL:
			if (streq(optarg, "0")) {
				args->interval_sec = 0;
			} else if (parse_timeout(optarg, &args->interval_sec) < 0) {
				return fail(ret_error, "--interval '%s': expected whole seconds "
					    "from 0 to 3600.", optarg);
			}
			args->interval_set = true;
			args->given |= OPT_INTERVAL;
			break;
		case ARG_RX_RING:
		case ARG_TX_RING:
		case ARG_CHANNELS:
		case ARG_SOCKET_BUFFERS:
		case ARG_PROFILE:
			r = parse_tune_option(c, optarg, args);
			if (r < 0)
				return fail(ret_error, "--%s '%s': expected a whole number%s.",
					    option_name(tune_flag(c)), optarg,
					    c == ARG_SOCKET_BUFFERS ? " of bytes" : " above 0");
			break;
		case ARG_TIMEOUT:
			if (parse_timeout(optarg, &args->timeout_sec) < 0)
				return fail(ret_error,
					    "--timeout '%s': expected whole seconds from 1 to 3600.",
					    optarg);
			args->given |= OPT_TIMEOUT;
			break;
		case ARG_LOG:
			args->log_path = optarg;
			args->given |= OPT_LOG;
			break;
		case ARG_NO_DRIVER:
			args->no_driver = true;
			args->given |= OPT_NO_DRIVER;
			break;
		case ARG_ALLOW_DIFFERENCE:
			args->allow_difference = true;
			args->given |= OPT_ALLOW_DIFFERENCE;
			break;
		case ARG_INSTALL_TOOLS:
			args->install_tools = true;
			args->given |= OPT_INSTALL_TOOLS;
			break;
		case ARG_BOOT:
			args->boot = true;
			args->given |= OPT_BOOT;
			break;
		case ARG_SOURCE:
			args->source_dir = optarg;
			args->given |= OPT_SOURCE;
			break;
		case ':':
			return fail(ret_error, "Option '%s' needs a value.", argv[optind - 1]);
		default:
			if (optopt && optopt < 0x100)
				return fail(ret_error, "Unknown option '-%c'.", optopt);
			return fail(ret_error, "Unknown option '%s'.", argv[optind - 1]);
		}
	}

	/* GNU getopt has moved every positional argument behind the options, in order. */
	if (optind < argc) {
		const struct verb *v = cli_find_verb(argv[optind]);
		unsigned extra;

		if (!v)
			return fail(ret_error, "Unknown verb '%s'.", argv[optind]);
		args->verb = v;
		args->verb_args = &argv[optind + 1];
		args->n_verb_args = (unsigned)(argc - optind - 1);
		if (args->help)
			return 0; /* `VERB --help` needs nothing else to be right */
		extra = args->given & ~v->options;
		if (extra)
			return fail(ret_error, "Option --%s does not apply to '%s'.",
				    option_name(extra & -extra), v->name);
		if (args->n_verb_args < v->min_args)
			return fail(ret_error, "'%s' needs more arguments: %s %s.", v->name, v->name,
				    v->synopsis);
		if (args->n_verb_args > v->max_args)
			return fail(ret_error, "Unexpected argument '%s' for '%s'.",
				    args->verb_args[v->max_args], v->name);
	}
	if ((args->given & OPT_ROOT) && (args->given & OPT_IMAGE))
		return fail(ret_error, "--root and --image exclude each other.");
	if ((args->given & OPT_KERNEL) && args->all_kernels)
		return fail(ret_error, "--kernel and --all-kernels exclude each other.");
	return 0;
}

void cli_args_done(struct vnic_args *args)
{
	strv_free(args->kernels);
	strv_free(args->check_peers);
	args->kernels = NULL;
}

void cli_print_help(const struct verb *verb)
{
	if (verb) {
		printf("Usage: vnic-install %s %s\n\n%s\n", verb->name, verb->synopsis,
		       verb->summary);
		if (verb->help)
			printf("\n%s\n", verb->help);
		printf("\nOptions:\n");
	} else {
		printf("Usage: vnic-install [OPTIONS] VERB [ARGS]\n\n"
		       "Moves a VMware guest from its emulated E1000 NIC to the paravirtual VMXNET3 "
		       "NIC:\nbuilds vnic's vmxnet3 driver through DKMS for every kernel, moves the "
		       "network\nconfiguration, checks the link and rolls back on failure.\n\nVerbs:\n");
		for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
			printf("  %-10s %s\n", verbs[i].name, verbs[i].summary);
		printf("\nOptions (each verb takes those its help lists):\n");
	}
	for (size_t i = 0; i < ELEMENTSOF(options); i++) {
		char left[48];

		if (verb && options[i].flag && !(verb->options & options[i].flag))
			continue;
		if (options[i].opt.val < 0x100)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", options[i].opt.val,
				 options[i].opt.name, options[i].arg ? " " : "",
				 options[i].arg ? options[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", options[i].opt.name,
				 options[i].arg ? " " : "", options[i].arg ? options[i].arg : "");
		printf("  %-26s %s\n", left, options[i].help);
	}
	if (!verb)
		printf("\nSee 'vnic-install VERB --help' and vnic-install(8) for details and exit "
		       "codes.\n");
}

int vnic_main(int argc, char **argv)
{
	_cleanup_free_ char *error = NULL;
	struct vnic_args args;
	int r;

	if (fault_configure_from_env() < 0) {
		fprintf(stderr, "vnic-install: VNIC_FAULT is malformed; expected POINT:N[:ERRNO|crash].\n");
		return EXIT_USAGE;
	}
	r = cli_parse(argc, argv, &args, &error);
	if (r < 0) {
		fprintf(stderr, "vnic-install: %s\nTry 'vnic-install --help'.\n",
			error ? error : strerror(-r));
		cli_args_done(&args);
		return EXIT_USAGE;
	}
	log_set_level(args.verbosity < 0 ? LOG_ERR : (enum log_level)(LOG_INFO + args.verbosity));
	args.seams = (struct vnic_seams){
		.fake_live = streq(getenv("VNIC_TEST_FAKE_LIVE"), "1"),
		.linkcheck_fails = streq(getenv("VNIC_TEST_LINKCHECK"), "fail"),
		.reach_seen = getenv("VNIC_TEST_REACH_SEEN"),
		.guard_no_reboot = getenv("VNIC_GUARD_NO_REBOOT") != NULL,
		.image_direct = getenv("VNIC_IMAGE_DIRECT") != NULL,
	};

	if (args.version) {
		r = verb_version(&args);
	} else if (args.help) {
		cli_print_help(args.verb);
		r = EXIT_OK;
	} else if (!args.verb) {
		cli_print_help(NULL);
		r = EXIT_USAGE;
	} else {
		r = args.verb->run(&args);
	}
	cli_args_done(&args);
	return r;
}
