// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vnic-install plan` and `vnic-install swap`: the side-by-side move from the E1000 interface
 * to the VMXNET3 interface next to it. docs/swap.md describes the sequence; in short:
 *   detect (NICs, default route) -> netcfg load (owner, model), plan from that one read
 *   (refusing what it cannot move)
 *   -> [the driver's steps (verbs/driver.h) in their own transaction, in process; the lock
 *   goes on to the next] -> transaction: the network's steps (commands and files of the
 *   plan) -> APPLIED -> link check -> pass: E1000 down, announce, commit
 *                                  -> fail: rollback, E1000 verified up, exit 3.
 * `plan` renders the same two step lists (step/render.h).
 *
 * Test-only: VNIC_TEST_FAKE_LIVE=1 lets swap run on a fake --root: every command of the plan
 * runs as `true ARGV...` (recorded as is, so that the journal reads the same), the link check
 * is not run but passes or fails as VNIC_TEST_LINKCHECK says ("pass", the default, or "fail"),
 * the driver's steps run as `true ARGV...` in the root too (or --no-driver leaves them out),
 * and nothing touches the host's network. Never set it on a real system.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "lib/exec.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/report.h"
#include "lib/strv.h"
#include "netcfg/netcfg.h"
#include "step/network.h"
#include "step/render.h"
#include "step/step.h"
#include "step/recover.h"
#include "step/tools.h"
#include "verbs/driver.h"
#include "system/linkcheck.h"
#include "system/nic.h"
#include "system/port.h"
#include "system/verify.h"
#include "txn/txn.h"
#include "verbs.h"
#include "verbs/check.h"
#include "verbs/confirm.h"

#define SWAP_DEFAULT_TIMEOUT 30
#define SWAP_LOG_FILE "/var/log/vnic-install.log"
/* How long the VMXNET3 NIC may take, after the check, to run every address and route. */
#define VERIFY_WAIT_MS 10000
/* After a rollback: how long the managers get to give the E1000 back what they configure. */
#define RESTORE_WAIT_MS 5000
/* How long the E1000 may take to be up again after a rollback before we call it broken. */
#define ROLLBACK_VERIFY_MS 30000

struct swap {
	const struct vnic_args *args;
	const char *root;
	bool live, fake;

	struct nic_list nics;
	struct default_route route;
	const struct nic *from, *to;

	/* the E1000's configuration, read once: the owner, the model, and what the plan is
	 * built from */
	struct netcfg_config *config;
	const char *backend;               /* config's */
	const struct netcfg_iface *model;  /* config's */
	struct netcfg_plan plan;

	struct swap_check check;
	/* The interfaces that carry the addresses, before and after: the E1000 and the VMXNET3
	 * NIC, or for a port of a bond or bridge its master both times (pick_links). */
	const char *old_link, *new_link;
	int old_ifindex, new_ifindex;
	char *address;     /* the static address expected on the new interface, or NULL (DHCP) */
	unsigned timeout;

	/* the driver (installed first, in its own transaction under the same lock) */
	bool with_driver, driver_planned;
	struct vnic_args driver_args;
	struct driver_job driver;
	/* the network: the netcfg plan's steps, [the guard], then the check and the E1000 down */
	struct step_list net;
	size_t check_at;   /* the check's index in net: APPLIED is recorded before it */
	char *check_title;
	/* what ran on the E1000 before (live): the VMXNET3 NIC must run it after the check */
	struct net_state before;
	bool have_before;
	char *verify_title;
};

static void swap_done(struct swap *s)
{
	nic_list_done(&s->nics);
	default_route_done(&s->route);
	netcfg_config_free(s->config);
	netcfg_plan_done(&s->plan);
	check_done(&s->check);
	free(s->address);
	driver_job_done(&s->driver);
	step_list_done(&s->net);
	free(s->check_title);
	net_state_done(&s->before);
	free(s->verify_title);
}

static bool is_e1000(const struct nic *n)
{
	return n->model == NIC_MODEL_E1000 || n->model == NIC_MODEL_E1000E;
}

static struct netcfg_nic as_netcfg_nic(const struct nic *n)
{
	return (struct netcfg_nic){ .name = n->name, .mac = n->mac, .permanent_mac = n->permanent_mac,
				    .driver = n->driver };
}

/* Says what went wrong in netcfg, naming file and line; returns the exit code. */
static int report_netcfg_error(int r, const char *what, const struct netcfg_error *e)
{
	if (e->file && e->line)
		log_error("%s:%u: %s", e->file, e->line, e->message ? e->message : strerror(-r));
	else if (e->file)
		log_error("%s: %s", e->file, e->message ? e->message : strerror(-r));
	else if (e->message)
		log_error("Failed to %s: %s", what, e->message);
	else
		log_error_errno(r, "Failed to %s: %m", what);
	/* from netcfg, -EUCLEAN and -EOPNOTSUPP are what it does not migrate */
	return r == -EUCLEAN || r == -EOPNOTSUPP ? EXIT_UNSUPPORTED : exit_code_for_errno(r);
}

static int pick_nics(struct swap *s)
{
	const struct vnic_args *a = s->args;
	const struct nic *only = NULL, *vmx = NULL;
	unsigned n_e1000 = 0, n_vmx = 0;

	for (size_t i = 0; i < s->nics.n; i++) {
		if (is_e1000(&s->nics.nics[i])) {
			n_e1000++;
			only = only ? only : &s->nics.nics[i];
		}
		if (s->nics.nics[i].model == NIC_MODEL_VMXNET3) {
			n_vmx++;
			vmx = &s->nics.nics[i];
		}
	}
	if (a->from) {
		s->from = nic_list_find(&s->nics, a->from);
		if (!s->from) {
			log_error("--from %s: no such network interface.", a->from);
			return EXIT_FAILED;
		}
		if (s->from->model == NIC_MODEL_VMXNET3) {
			log_error("--from %s is a VMXNET3 interface already.", a->from);
			return EXIT_FAILED;
		}
	} else {
		if (s->route.interface) {
			const struct nic *r = nic_list_find(&s->nics, s->route.interface);

			if (r && is_e1000(r))
				s->from = r;
		}
		if (!s->from && n_e1000 == 1)
			s->from = only;
		if (!s->from) {
			if (n_e1000)
				log_error("Several E1000 interfaces and none holds the default route: "
					  "name one with --from.");
			else
				log_error("There is no E1000 interface to move from (see 'vnic-install "
					  "detect').");
			return EXIT_FAILED;
		}
	}
	if (a->to) {
		s->to = nic_list_find(&s->nics, a->to);
		if (!s->to) {
			log_error("--to %s: no such network interface.", a->to);
			return EXIT_FAILED;
		}
	} else if (n_vmx > 1) {
		log_error("There are %u VMXNET3 interfaces: name one with --to.", n_vmx);
		return EXIT_FAILED;
	} else if (n_vmx == 0) {
		log_error("There is no VMXNET3 interface: add a VMXNET3 adapter to the VM next to the "
			  "E1000 first (or use 'prepare' for an offline change).");
		return EXIT_FAILED;
	} else {
		s->to = vmx;
	}
	if (s->to == s->from) {
		log_error("--from and --to name the same interface.");
		return EXIT_FAILED;
	}
	if (s->to->model != NIC_MODEL_VMXNET3)
		log_warning("%s is not a VMXNET3 interface (driver %s).", s->to->name,
			    s->to->driver ? s->to->driver : "none");
	return 0;
}

/* Where the addresses live: on the NICs, or on the master of the port the E1000 is. */
static int pick_links(struct swap *s)
{
	const char *master = s->model ? s->model->master : NULL;

	s->old_link = s->from->name;
	s->new_link = s->to->name;
	s->old_ifindex = s->from->ifindex;
	s->new_ifindex = s->to->ifindex;
	if (!master)
		return 0;
	s->old_link = s->new_link = master;
	s->old_ifindex = s->new_ifindex = 0;
	if (s->live && !s->fake) {
		s->old_ifindex = s->new_ifindex = (int)if_nametoindex(master);
		if (s->old_ifindex == 0) {
			log_error("%s is a port of the %s %s, which does not exist: nothing to check "
				  "the move through; nothing was changed.", s->from->name,
				  s->model->master_kind, master);
			return EXIT_FAILED;
		}
	}
	log_info("%s is a port of the %s %s: %s takes its place there, and the link check and "
		 "the comparison run on %s.", s->from->name, s->model->master_kind, master,
		 s->to->name, master);
	return 0;
}

/* The link check: its kind and targets, each observed through the E1000 (verbs/check.h). */
static int pick_check(struct swap *s, bool read_only)
{
	const struct vnic_args *a = s->args;
	const char *gateway = NULL;
	int r;

	s->timeout = a->timeout_sec ? a->timeout_sec : SWAP_DEFAULT_TIMEOUT;
	if (s->model && s->model->dhcp4 != NETCFG_YES && s->model->n_addrs > 0) {
		s->address = strdup(s->model->addrs[0].address);
		if (!s->address)
			return EXIT_FAILED;
	}
	if (s->model && s->model->gateway4)
		gateway = s->model->gateway4;
	else if (s->route.gateway && streq(s->route.interface, s->old_link))
		gateway = s->route.gateway;
	else if (s->model && s->model->gateway6)
		gateway = s->model->gateway6;
	r = check_choose(&s->check, a, gateway, s->live ? getenv("SSH_CONNECTION") : NULL);
	if (r == 0)
		r = check_observe(&s->check, s->old_link,
				  !s->fake ? NULL : a->seams.reach_seen ? a->seams.reach_seen : "arp,echo",
				  read_only);
	return r;
}


/* --- the steps --------------------------------------------------------------------------------- */

static int run_check(struct step_list *l, size_t i, struct step_env *env, char **ret_why)
{
	struct swap *s = env->userdata;

	if (s->fake) {
		if (!s->args->seams.linkcheck_fails)
			return 0;
		*ret_why = strdup("the link check failed (VNIC_TEST_LINKCHECK=fail)");
		return -ETIMEDOUT;
	}
	return check_run(&s->check, s->new_link, s->address, s->timeout, env->rep);
}

/* For a port: the VMXNET3 NIC is a port of the master now (its sysfs "master" link). */
static int verify_port(const struct swap *s, char **ret_why)
{
	_cleanup_free_ char *master = NULL;
	int r;

	r = port_master(NULL, s->to->name, &master);
	if (r == -ENOMEM)
		return r;
	if (r == 0 && streq(master, s->model->master))
		return 0;
	if (asprintf(ret_why, "%s is not a port of the %s %s", s->to->name, s->model->master_kind,
		     s->model->master) < 0)
		*ret_why = NULL;
	return -ENOENT;
}

/*
 * After the check: everything the E1000 ran (its permanent addresses and configured routes,
 * system/verify.h) runs on the VMXNET3 NIC too, else roll back (--allow-difference: say it and
 * go on). A setting lost in the move is an outage the link check does not see. For a port,
 * the master runs what it ran, with the VMXNET3 NIC as its port.
 */
static int run_verify(struct step_list *l, size_t i, struct step_env *env, char **ret_why)
{
	_cleanup_strv_free_ char **missing = NULL;
	_cleanup_free_ char *list = NULL;
	struct swap *s = env->userdata;
	int r;

	if (s->fake)
		return 0;
	if (s->model && s->model->master && (r = verify_port(s, ret_why)) < 0)
		return r;
	if (!s->have_before)
		return 0;
	r = net_state_wait_for(&s->before, s->new_ifindex, VERIFY_WAIT_MS, &missing);
	if (r < 0)
		return r;
	if (!*missing) {
		report_detail(env->rep, "%s runs all %zu addresses and routes %s had", s->new_link,
			      strv_length(s->before.facts), s->old_link);
		return 0;
	}
	list = strv_join(missing, ", ");
	if (!list)
		return -ENOMEM;
	if (s->args->allow_difference) {
		report_detail(env->rep, "%s lacks what %s had (allowed by --allow-difference): %s",
			      s->new_link, s->old_link, list);
		return 0;
	}
	if (asprintf(ret_why, "%s lacks what %s had: %s", s->new_link, s->old_link, list) < 0)
		*ret_why = NULL;
	return -ENOENT;
}

static int verify_title(struct swap *s)
{
	size_t n = s->have_before ? strv_length(s->before.facts) : 0;
	_cleanup_free_ char *port = NULL;

	if (s->model && s->model->master &&
	    asprintf(&port, ", with %s a port of it", s->to->name) < 0)
		return -ENOMEM;
	return asprintf(&s->verify_title, "Compare what runs on %s with what %s ran (%zu "
			"addresses and routes%s)%s; %s", s->new_link, s->old_link, n,
			s->have_before || s->fake ? "" : ": not readable, not compared",
			port ? port : "", s->args->allow_difference ? "a difference is reported (--allow-difference)"
						  : "a difference rolls everything back") < 0
		       ? -ENOMEM : 0;
}

/* The check's title: what it tries and what that proves. */
static int check_title(struct swap *s)
{
	const char *target = s->check.kind == LINKCHECK_GATEWAY ? s->check.gateway :
			     s->check.kind == LINKCHECK_PING ? NULL : s->address;
	const char *why = s->check.why;

	return asprintf(&s->check_title, "Check the link of %s: %s%s%s%s%s%s, within %u s; on "
			"failure roll everything back", s->new_link, s->check.kind_str,
			target ? " " : "", target ? target : "", why ? " (" : "", why ? why : "",
			why ? ")" : "", s->timeout) < 0 ? -ENOMEM : 0;
}

/* The network transaction's steps: the netcfg plan, [the guard], the check, the E1000 down. */
static int network_list(struct swap *s)
{
	char *down[] = { (char *)"ip", (char *)"link", (char *)"set", (char *)"dev",
			 (char *)s->from->name, (char *)"down", NULL };
	char *up[] = { (char *)"ip", (char *)"link", (char *)"set", (char *)"dev",
		       (char *)s->from->name, (char *)"up", NULL };
	bool present = false;
	int r;

	/* first, so that a crash or a power cut later is undone at the next boot */
	r = recover_steps(s->root, &s->net);
	/* --install-tools: open-vm-tools first, while the E1000 still reaches the mirrors */
	if (r >= 0 && s->args->install_tools) {
		r = tools_steps(s->root, package_manager_detect(s->root, NULL), &s->net, &present);
		if (present)
			log_info("%s is installed already: --install-tools adds nothing.",
				 VMTOOLS_PACKAGE);
	}
	if (r >= 0)
		r = network_steps(&s->plan, true, &s->net);
	/* --confirm-timeout: the boot guard's files, in the transaction (verbs/confirm.h) */
	if (r >= 0 && s->args->confirm_timeout_sec)
		r = confirm_guard_steps(&s->check, s->old_link, s->new_link, s->timeout,
					s->args->confirm_timeout_sec, &s->net);
	s->check_at = s->net.n;
	if (r >= 0)
		r = check_title(s);
	if (r >= 0)
		r = step_add_call(&s->net, "swap.check", run_check, s, "%s", s->check_title);
	if (r >= 0) {
		step_last(&s->net)->gate = true;
		r = verify_title(s);
	}
	if (r >= 0)
		r = step_add_call(&s->net, "swap.verify", run_verify, s, "%s", s->verify_title);
	if (r >= 0) {
		step_last(&s->net)->gate = true;
		r = step_add_run(&s->net, "swap.down", down, up, "Take the E1000 interface down");
	}
	if (r >= 0)
		step_last(&s->net)->live_undo = true;
	return r;
}

/* The network's steps, and the driver's job (its steps are planned when they are needed). */
static int swap_steps(struct swap *s, const struct vnic_args *a, bool read_only)
{
	int r;

	r = network_list(s);
	if (r == -EOPNOTSUPP) {
		log_error("--install-tools: no package manager that vnic-install knows (apt-get, dnf, "
			  "yum, zypper, tdnf, pacman) in %s; nothing was changed.",
			  s->root ? s->root : "this system");
		return EXIT_PREREQ;
	}
	if (r < 0) {
		log_error_errno(r, "Failed to plan the swap's steps: %m");
		return EXIT_FAILED;
	}
	/* The driver: installed in process, before the network part (driver/verbs.h). */
	s->with_driver = !a->no_driver;
	s->driver.inert = s->fake;
	if (s->with_driver) {
		s->driver_args = *a;
		s->driver_args.all_kernels = true;
		s->driver_args.kernels = NULL;
		if (driver_job_init(&s->driver, &s->driver_args, true) < 0)
			return EXIT_FAILED;
		r = read_only ? EXIT_OK : driver_job_check(&s->driver);
		if (r != EXIT_OK)
			return r;
	}
	return 0;
}

/* Everything swap and plan need before anything changes. Returns an exit code (0: go on). */
static int swap_prepare(struct swap *s, const struct vnic_args *a, bool read_only)
{
	struct netcfg_error err = {};
	struct netcfg_nic from, to;
	int r;

	s->args = a;
	s->root = root_is_host(a->root) ? NULL : a->root;
	s->fake = a->seams.fake_live;
	s->live = !s->root;
	if (s->root && !read_only && !s->fake) {
		log_error("swap changes the running system; for a system mounted elsewhere or a disk "
			  "image use 'vnic-install prepare'.");
		return EXIT_USAGE;
	}

	r = nic_list_detect(s->root, s->live, &s->nics);
	if (r < 0) {
		log_error_errno(r, "Failed to list the network interfaces under %s/sys/class/net: %m",
				s->root ? s->root : "");
		return EXIT_FAILED;
	}
	if (s->live) {
		r = default_route_detect(&s->route);
		if (r < 0)
			log_warning_errno(r, "Failed to read the default route: %m");
	}
	r = pick_nics(s);
	if (r != 0)
		return r;

	from = as_netcfg_nic(s->from);
	to = as_netcfg_nic(s->to);
	r = netcfg_load(s->root, NULL, &from, &s->config, &err);
	if (r < 0) {
		r = report_netcfg_error(r, "find what configures the E1000 interface", &err);
		netcfg_error_done(&err);
		return r;
	}
	if (!s->config) {
		log_error("Nothing configures %s (no netplan, NetworkManager, ifupdown, ifcfg, "
			  "systemd-networkd or wicked configuration found): nothing to move.",
			  s->from->name);
		return EXIT_UNSUPPORTED;
	}
	s->backend = netcfg_config_backend(s->config);
	s->model = netcfg_config_model(s->config);
	if (s->model->n_unsupported > 0) {
		log_error("The configuration of %s uses what vnic-install does not migrate; nothing "
			  "was changed:", s->from->name);
		for (size_t i = 0; i < s->model->n_unsupported; i++)
			log_error("%s:%u: %s",
				  s->model->unsupported[i].file ? s->model->unsupported[i].file : "?",
				  s->model->unsupported[i].line, s->model->unsupported[i].what);
		return EXIT_UNSUPPORTED;
	}
	r = netcfg_config_plan(s->config, &to, NETCFG_SIDE_BY_SIDE, &s->plan, &err);
	if (r == -ENOTSUP || r == -EOPNOTSUPP) {
		log_error("The %s backend cannot plan a side-by-side move (yet).", s->backend);
		netcfg_error_done(&err);
		return EXIT_UNSUPPORTED;
	}
	if (r < 0) {
		r = report_netcfg_error(r, "plan the move", &err);
		netcfg_error_done(&err);
		return r;
	}
	netcfg_error_done(&err);

	r = pick_links(s);
	if (r == 0)
		r = pick_check(s, read_only);
	if (r != 0)
		return r;
	/* What the E1000 runs now, for the comparison after the check (rtnetlink: no root). */
	if (s->live && !s->fake && s->old_ifindex > 0) {
		r = net_state_read(s->old_ifindex, &s->before);
		if (r < 0)
			log_warning_errno(r, "Cannot read the addresses and routes of %s; they will "
					  "not be compared after the swap: %m", s->old_link);
		s->have_before = r >= 0;
	}

	return swap_steps(s, a, read_only);
}

static struct step_view swap_view(const struct swap *s)
{
	return (struct step_view){
		.operation = "swap",
		.root = s->root,
		.from = s->from->name,
		.to = s->to->name,
		.backend = s->backend,
		.check = s->check.kind_str,
		.check_target = s->check.kind == LINKCHECK_GATEWAY ? s->check.gateway :
				s->check.kind == LINKCHECK_PING ? NULL : s->address,
		.check_why = s->check.why,
		.timeout_sec = s->timeout,
		.lists = { s->driver_planned ? &s->driver.steps : &s->net,
			   s->driver_planned ? &s->net : NULL },
	};
}

/* The driver's steps, once (plan, the question before a swap, or the swap itself). */
static int plan_driver(struct swap *s)
{
	int r;

	if (!s->with_driver || s->driver_planned)
		return EXIT_OK;
	r = driver_job_plan(&s->driver, true);
	s->driver_planned = r == EXIT_OK;
	return r;
}

int verb_plan(const struct vnic_args *args)
{
	_cleanup_free_ char *bad = NULL;
	struct swap s = {};
	struct step_view v;
	const char *what = args->n_verb_args ? args->verb_args[0] : NULL;
	bool fake = args->seams.fake_live;
	int r;

	if (streq(what, "tune"))
		return verb_tune_plan(args);
	if (what && !streq(what, "swap") && !streq(what, "prepare")) {
		log_error("plan %s: expected 'swap', 'prepare' or 'tune'.", what);
		return EXIT_USAGE;
	}
	/* A system mounted elsewhere or an image can only be prepared, not swapped (the fake-live
	 * tests treat --root as the running system). */
	if (streq(what, "prepare") || args->image || (!root_is_host(args->root) && !fake)) {
		if (streq(what, "swap")) {
			log_error("plan swap: swap works on the running system only; 'plan prepare' "
				  "shows what prepare does with --root or --image.");
			return EXIT_USAGE;
		}
		return verb_prepare_plan(args);
	}

	r = swap_prepare(&s, args, true);
	if (r == 0)
		r = plan_driver(&s);
	if (r != 0) {
		swap_done(&s);
		return r;
	}
	v = swap_view(&s);
	r = step_render(stdout, &v, args->json, &bad);
	if (r < 0) {
		log_error_errno(r, "Failed to read %s for its diff: %m", bad ? bad : "a file");
		r = exit_code_for_errno(r);
	}
	swap_done(&s);
	return r;
}

static bool confirm(const struct swap *s)
{
	char line[16];

	printf("\nMove %s's configuration to %s now? [y/N] ", s->from->name, s->to->name);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

/*
 * After a rollback: is the E1000 back (carrier and its address)? Then it is announced. The
 * address waited for is the one the E1000's configuration gives it (s->address), not one of
 * its live addresses before the swap: a DHCP client still running from before a static
 * configuration was applied can leave a lease next to it, which the restored configuration
 * does not bring back. With DHCP (s->address NULL), any global address will do.
 */
static int verify_old(struct swap *s, struct linkcheck_result *res)
{
	struct linkcheck_spec spec = { .kind = LINKCHECK_ADDRESS, .ifname = s->old_link,
				       .address = s->address, .timeout_ms = ROLLBACK_VERIFY_MS };
	int r;

	if (s->fake)
		return 0;
	r = linkcheck_run(&spec, res);
	if (r >= 0)
		(void)linkcheck_announce(s->old_link, res->address); /* IPv4 only; -EINVAL else */
	return r;
}

/*
 * After a rollback: what the E1000 ran before the swap that its configuration did not give it
 * back (an address or a route added by hand; the backends' ifdown/ifup and reapply drop it) is
 * added again, so that a rollback leaves the interface as it was. What fails is reported.
 */
static void restore_runtime(struct swap *s, struct report *rep)
{
	_cleanup_strv_free_ char **missing = NULL;

	if (s->fake || !s->have_before ||
	    net_state_wait_for(&s->before, s->old_ifindex, RESTORE_WAIT_MS, &missing) < 0)
		return;
	for (char **f = missing; *f; f++) { /* sorted: addresses before the routes through them */
		_cleanup_strv_free_ char **argv = NULL;
		struct exec_result res = {};
		bool ok;

		if (net_fact_argv(*f, s->old_link, &argv) < 0)
			continue;
		ok = exec_run(argv, &(struct exec_opts){ .merge_stderr = true, .timeout_sec = 10 },
			      &res) >= 0 && exec_succeeded(&res);
		report_detail(rep, "%s: %s %s, as it had before the swap", s->old_link, *f,
			      ok ? "added again" : "could not be added again");
		exec_result_done(&res);
	}
}

static FILE *open_log(const struct vnic_args *a, bool live)
{
	const char *p = a->log_path ? a->log_path : live ? SWAP_LOG_FILE : NULL;
	FILE *f;

	if (!p)
		return NULL;
	f = fopen(p, "ae");
	if (!f)
		log_warning_errno(-errno, "Cannot open the log file %s: %m", p);
	return f;
}

/* Between steps: -EINTR when a signal asked the swap to stop. */
static int stop_requested(void)
{
	if (interrupt_signal()) {
		log_error("Interrupted by signal %d; rolling back.", interrupt_signal());
		return -EINTR;
	}
	return 0;
}

/*
 * Rolls back after a failure before or during the check; gate: the check or the comparison
 * that failed, or NULL; failed: another step that failed (named in the result), or NULL.
 * Returns the exit code.
 */
static int undo(struct swap *s, struct txn *t, struct report *rep, const struct step *gate,
		const struct step *failed, int why)
{
	long fail_at = report_elapsed_ms(rep), t0;
	struct linkcheck_result res = {};
	int r;

	report_step(rep, "rollback", "Rolling back to %s", s->from->name);
	t0 = report_elapsed_ms(rep);
	r = txn_rollback(t);
	if (r < 0) {
		report_step_end(rep, false, "rollback incomplete: %s", strerror(-r));
		report_result(rep, "inconsistent", EXIT_INCONSISTENT,
			      "The rollback could not complete (%s); the journal is kept: run "
			      "'vnic-install status' and 'vnic-install recover'.", strerror(-r));
		return EXIT_INCONSISTENT;
	}
	report_detail(rep, "files and commands restored in %.1f s",
		      (double)(report_elapsed_ms(rep) - t0) / 1000.0);
	r = verify_old(s, &res);
	if (r == -ETIMEDOUT && res.failed == LINKCHECK_CARRIER) {
		report_step_end(rep, false, "%s is not back: no carrier", s->from->name);
	} else if (r == -ETIMEDOUT) {
		report_step_end(rep, false, "%s is not back: carrier, but not the address %s",
				s->from->name, s->address ? s->address : "(any)");
	} else if (r < 0) {
		report_step_end(rep, false, "%s is not back: %s", s->from->name, strerror(-r));
	}
	if (r < 0) {
		report_result(rep, "inconsistent", EXIT_INCONSISTENT,
			      "Rolled back, but %s did not come back up within %u s.", s->from->name,
			      ROLLBACK_VERIFY_MS / 1000);
		return EXIT_INCONSISTENT;
	}
	report_detail(rep, "%s is up again, %.1f s after the failure", s->from->name,
		      (double)(report_elapsed_ms(rep) - fail_at) / 1000.0);
	restore_runtime(s, rep);
	report_step_end(rep, true, NULL);
	if (gate && streq(gate->id, "swap.verify")) {
		report_result(rep, "rolled-back", EXIT_ROLLED_BACK,
			      "%s; everything was rolled back and %s is up again (--allow-difference "
			      "keeps such a swap).", gate->why ? gate->why : "A setting was lost",
			      s->from->name);
		return EXIT_ROLLED_BACK;
	}
	if (gate) {
		report_result(rep, "rolled-back", EXIT_ROLLED_BACK,
			      "The link check of %s failed; everything was rolled back and %s is up "
			      "again.", s->to->name, s->from->name);
		return EXIT_ROLLED_BACK;
	}
	if (failed && failed->why) {
		report_result(rep, "failed", EXIT_FAILED, "The swap failed at \"%s\" (%s) and was rolled "
			      "back; %s is up again.", failed->title, failed->why, s->from->name);
		return EXIT_FAILED;
	}
	report_result(rep, "failed", EXIT_FAILED, "The swap failed (%s) and was rolled back; %s is "
		      "up again.", why == -ECANCELED ? "a command failed" : strerror(-why),
		      s->from->name);
	return EXIT_FAILED;
}

/* --confirm-timeout, after a passed check: the guard runs; the change waits for confirm. */
static int wait_for_confirm(struct swap *s, struct txn *t, struct report *rep)
{
	int r = s->fake ? 0 : confirm_start_guard();

	if (r < 0) {
		log_error_errno(r, "Failed to start vnic-guard.service: %m");
		return undo(s, t, rep, NULL, NULL, r);
	}
	report_result(rep, "waiting", EXIT_OK, "%s now carries the configuration of %s. Run "
		      "'vnic-install confirm' within %u s to keep it; otherwise it is rolled back on "
		      "its own, also after a reboot.", s->to->name, s->from->name,
		      s->args->confirm_timeout_sec);
	return EXIT_OK;
}


/*
 * The driver, in its own transaction (kept when the swap is rolled back), then the lock goes
 * on to the swap's transaction in *t. Returns an exit code.
 */
static int install_driver(struct swap *s, struct txn **t, struct report *rep)
{
	struct txn *next = NULL;
	int r, code;

	code = plan_driver(s);
	if (code == EXIT_OK) {
		report_set_total(rep, (unsigned)(s->driver.steps.n + s->net.n));
		code = driver_job_apply(&s->driver, *t, rep);
	}
	if (code == EXIT_OK && (r = txn_commit(*t)) < 0) {
		log_error_errno(r, "Failed to commit the driver's transaction: %m");
		code = EXIT_FAILED;
	}
	if (code != EXIT_OK) {
		r = txn_rollback(*t);
		if (r < 0) {
			report_result(rep, "inconsistent", EXIT_INCONSISTENT, "The driver's install "
				      "failed and its rollback did not complete (%s); the network "
				      "configuration was not touched. Run 'vnic-install status' and "
				      "'vnic-install recover'.", strerror(-r));
			return EXIT_INCONSISTENT;
		}
		report_result(rep, "failed", code, "The driver could not be installed (undone); the "
			      "network configuration was not touched.");
		return code;
	}
	r = txn_begin_after(*t, "swap", &next);
	if (r < 0) {
		log_error_errno(r, "Failed to start the swap's transaction: %m");
		return EXIT_FAILED;
	}
	txn_free(*t);
	*t = next;
	return EXIT_OK;
}

/* Applies net's steps [from, to); on failure rolls back and returns the exit code (else 0). */
static int apply_net(struct swap *s, struct txn *t, struct report *rep, size_t from, size_t to)
{
	struct step_env env = { .txn = t, .rep = rep, .default_timeout = 300,
				.inert_commands = s->fake, .should_stop = stop_requested,
				.userdata = s };
	size_t failed = 0;
	int r;

	r = step_list_apply_range(&s->net, from, to, &env, &failed);
	if (r >= 0)
		return 0;
	if (r == -EINTR || s->net.v[failed].status != STEP_FAILED)
		return undo(s, t, rep, NULL, NULL, r);
	return s->net.v[failed].gate ? undo(s, t, rep, &s->net.v[failed], NULL, r) :
				       undo(s, t, rep, NULL, &s->net.v[failed], r);
}

/* After a passed check: tell the neighbours where the address lives now. */
static void announce(const struct swap *s)
{
	struct linkcheck_spec spec = { .kind = LINKCHECK_ADDRESS, .ifname = s->new_link,
				       .address = s->address, .timeout_ms = 1000 };
	struct linkcheck_result res;

	if (!s->fake && linkcheck_run(&spec, &res) == 0 && !strchr(res.address, ':'))
		(void)linkcheck_announce(s->new_link, res.address);
}

/* Everything after the question: driver, network, check, commit. Returns the exit code. */
static int run_swap(struct swap *s, struct report *rep)
{
	_cleanup_txn_ struct txn *t = NULL;
	const struct vnic_args *args = s->args;
	int r, code;

	r = begin_transaction(args, s->with_driver ? "driver-install" : "swap", &t);
	if (r < 0)
		return exit_code_for_errno(r);
	if (s->with_driver && (code = install_driver(s, &t, rep)) != EXIT_OK)
		return code;
	code = apply_net(s, t, rep, 0, s->check_at);
	if (code != 0)
		return code;
	r = stop_requested();
	if (r >= 0)
		r = txn_mark_applied(t, args->confirm_timeout_sec > 0);
	if (r < 0)
		return undo(s, t, rep, NULL, NULL, r);
	code = apply_net(s, t, rep, s->check_at, s->net.n);
	if (code != 0)
		return code;
	announce(s);
	if (args->confirm_timeout_sec)
		return wait_for_confirm(s, t, rep);
	r = txn_commit(t);
	if (r < 0) {
		log_error_errno(r, "Failed to commit the transaction: %m");
		return undo(s, t, rep, NULL, NULL, r);
	}
	report_result(rep, "ok", EXIT_OK, "%s now carries the configuration of %s (whose "
		      "configuration is disabled, not deleted); 'vnic-install rollback' undoes it.",
		      s->to->name, s->from->name);
	return EXIT_OK;
}

int verb_swap(const struct vnic_args *args)
{
	_cleanup_fclose_ FILE *logf = NULL;
	struct swap s = {};
	struct report rep;
	struct step_view v;
	int code;

	interrupt_catch(false);

	code = swap_prepare(&s, args, false);
	if (code != 0)
		goto out;
	logf = open_log(args, s.live);
	log_set_file(logf);
	log_debug("swap %s -> %s (%s), check %s %s, timeout %u s", s.from->name, s.to->name,
		  s.backend, s.check.kind_str, s.check.why ? s.check.why : "", s.timeout);

	if (!args->yes) {
		if (!isatty(STDIN_FILENO) || args->json) {
			log_error("swap changes the network configuration: run it with --yes (see "
				  "'vnic-install plan' for what it does).");
			code = EXIT_USAGE;
			goto out;
		}
		code = plan_driver(&s);
		if (code != EXIT_OK)
			goto out;
		v = swap_view(&s);
		if (step_render(stdout, &v, false, NULL) < 0 || !confirm(&s)) {
			log_info("Nothing was changed.");
			code = EXIT_FAILED;
			goto out;
		}
	}
	verb_report_init(&rep, args, (unsigned)s.net.n);
	code = run_swap(&s, &rep);
out:
	log_set_file(NULL);
	swap_done(&s);
	return code;
}
