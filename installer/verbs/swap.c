// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vnic-install plan` and `vnic-install swap`: the side-by-side move from the E1000 interface
 * to the VMXNET3 interface next to it. docs/swap.md describes the sequence; in short:
 *   detect (NICs, default route) -> netcfg owner, read, plan (refusing what it cannot move)
 *   -> [driver install: the driver verb, its own transaction] -> transaction: commands and
 *   files of the plan -> APPLIED -> link check -> pass: E1000 down, announce, commit
 *                                              -> fail: rollback, E1000 verified up, exit 3.
 *
 * Test-only: VNIC_TEST_FAKE_LIVE=1 lets swap run on a fake --root: every command of the plan
 * runs as `true ARGV...` (recorded as is, so that the journal reads the same), the link check
 * is not run but passes or fails as VNIC_TEST_LINKCHECK says ("pass", the default, or "fail"),
 * the driver step is left out, and nothing touches the host's network. Never set it on a real
 * system.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "lib/exec.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/report.h"
#include "lib/strv.h"
#include "netcfg/netcfg.h"
#include "plan.h"
#include "system/linkcheck.h"
#include "system/nic.h"
#include "txn/txn.h"
#include "verbs.h"
#include "verbs/check.h"
#include "verbs/confirm.h"

#define SWAP_DEFAULT_TIMEOUT 30
#define SWAP_LOG_FILE "/var/log/vnic-install.log"
/* How long the E1000 may take to be up again after a rollback before we call it broken. */
#define ROLLBACK_VERIFY_MS 30000

struct swap {
	const struct vnic_args *args;
	const char *root;
	bool live, fake;

	struct nic_list nics;
	struct default_route route;
	const struct nic *from, *to;

	struct netcfg_owner owner;
	struct netcfg_iface *model;
	struct netcfg_plan plan;

	struct swap_check check;
	char *address;     /* the static address expected on the new interface, or NULL (DHCP) */
	unsigned timeout;

	char **driver_argv;
	struct plan_command driver_step;
	char **down_argv, **up_argv;
	struct plan_command down_step;
};

static void swap_done(struct swap *s)
{
	nic_list_done(&s->nics);
	default_route_done(&s->route);
	netcfg_owner_done(&s->owner);
	netcfg_iface_free(s->model);
	netcfg_plan_done(&s->plan);
	check_done(&s->check);
	free(s->address);
	strv_free(s->driver_argv);
	strv_free(s->down_argv);
	strv_free(s->up_argv);
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
	switch (r) {
	case -EBADMSG:
		return EXIT_BAD_INPUT;
	case -EUCLEAN:
	case -EOPNOTSUPP:
		return EXIT_UNSUPPORTED;
	default:
		return EXIT_FAILED;
	}
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
	else if (s->route.gateway && streq(s->route.interface, s->from->name))
		gateway = s->route.gateway;
	else if (s->model && s->model->gateway6)
		gateway = s->model->gateway6;
	r = check_choose(&s->check, a, gateway, s->live ? getenv("SSH_CONNECTION") : NULL);
	if (r == 0)
		r = check_observe(&s->check, s->from->name, s->fake, read_only);
	return r;
}

static int argv_of(char ***ret, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strv_push(ret, words[i]) < 0)
			return -ENOMEM;
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
	s->fake = streq(getenv("VNIC_TEST_FAKE_LIVE"), "1");
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
	r = netcfg_find_owner_full(s->root, &from, &s->owner, &err);
	if (r < 0) {
		r = report_netcfg_error(r, "find what configures the E1000 interface", &err);
		netcfg_error_done(&err);
		return r;
	}
	if (!s->owner.backend) {
		log_error("Nothing configures %s (no netplan, NetworkManager, ifupdown, ifcfg, "
			  "systemd-networkd or wicked configuration found): nothing to move.",
			  s->from->name);
		return EXIT_UNSUPPORTED;
	}
	r = netcfg_read(s->root, s->owner.backend, &from, &s->model, &err);
	if (r == -EUCLEAN && s->model && s->model->n_unsupported > 0) {
		log_error("The configuration of %s uses what vnic-install does not migrate; nothing "
			  "was changed:", s->from->name);
		for (size_t i = 0; i < s->model->n_unsupported; i++)
			log_error("%s:%u: %s",
				  s->model->unsupported[i].file ? s->model->unsupported[i].file : "?",
				  s->model->unsupported[i].line, s->model->unsupported[i].what);
		netcfg_error_done(&err);
		return EXIT_UNSUPPORTED;
	}
	if (r < 0) {
		r = report_netcfg_error(r, "read the configuration", &err);
		netcfg_error_done(&err);
		return r;
	}
	r = netcfg_plan(s->root, s->owner.backend, &from, &to, NETCFG_SIDE_BY_SIDE, &s->plan, &err);
	if (r == -ENOTSUP || r == -EOPNOTSUPP) {
		log_error("The %s backend cannot plan a side-by-side move (yet).", s->owner.backend);
		netcfg_error_done(&err);
		return EXIT_UNSUPPORTED;
	}
	if (r < 0) {
		r = report_netcfg_error(r, "plan the move", &err);
		netcfg_error_done(&err);
		return r;
	}
	netcfg_error_done(&err);

	r = pick_check(s, read_only);
	if (r != 0)
		return r;

	/* After a passed check: the E1000 down (its configuration is already disabled). */
	if (argv_of(&s->down_argv, (const char *const[]){ "ip", "link", "set", "dev", s->from->name,
							 "down", NULL }) < 0 ||
	    argv_of(&s->up_argv, (const char *const[]){ "ip", "link", "set", "dev", s->from->name,
						       "up", NULL }) < 0)
		return EXIT_FAILED;
	s->down_step = (struct plan_command){ "Take the E1000 interface down", s->down_argv,
					      s->up_argv };

	/* The driver: the driver verb, its own transaction, before the network part. */
	if (!a->no_driver && !s->fake && cli_find_verb("driver")) {
		if (argv_of(&s->driver_argv, (const char *const[]){ "vnic-install", "driver", "install",
								   "--all-kernels", "--yes", NULL }) < 0)
			return EXIT_FAILED;
		s->driver_step = (struct plan_command){
			"Install vnic's vmxnet3 driver for every installed kernel (DKMS; its own "
			"transaction, kept if the swap is rolled back)",
			s->driver_argv, NULL
		};
	}
	return 0;
}

static struct plan_view swap_view(const struct swap *s)
{
	return (struct plan_view){
		.operation = "swap",
		.root = s->root,
		.from = s->from->name,
		.to = s->to->name,
		.backend = s->owner.backend,
		.driver_steps = s->driver_argv ? &s->driver_step : NULL,
		.n_driver_steps = s->driver_argv ? 1 : 0,
		.netcfg = &s->plan,
		.run_commands = true,
		.check = s->check.kind_str,
		.check_target = s->check.kind == LINKCHECK_GATEWAY ? s->check.gateway :
				s->check.kind == LINKCHECK_PING ? NULL : s->address,
		.check_why = s->check.why,
		.timeout_sec = s->timeout,
		.final_steps = &s->down_step,
		.n_final_steps = 1,
	};
}

int verb_plan(const struct vnic_args *args)
{
	_cleanup_free_ char *bad = NULL;
	struct swap s = {};
	struct plan_view v;
	const char *what = args->n_verb_args ? args->verb_args[0] : NULL;
	bool fake = streq(getenv("VNIC_TEST_FAKE_LIVE"), "1");
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
	if (r != 0) {
		swap_done(&s);
		return r;
	}
	v = swap_view(&s);
	r = plan_print(stdout, &v, args->json, &bad);
	if (r < 0) {
		log_error_errno(r, "Failed to read %s for its diff: %m", bad ? bad : "a file");
		r = exit_code_for_errno(r);
	}
	swap_done(&s);
	return r;
}

/* Runs one command of the plan through the transaction; fake: as `true ARGV...`. */
static int run_step(struct swap *s, struct txn *t, struct report *rep, char *const *argv,
		    char *const *undo)
{
	_cleanup_strv_free_ char **fa = NULL, **fu = NULL;
	struct exec_opts o = { .merge_stderr = true, .timeout_sec = 300 };
	struct exec_result res = {};
	int r;

	if (s->fake) {
		if (strv_push(&fa, "true") < 0 || argv_of(&fa, (const char *const *)argv) < 0)
			return -ENOMEM;
		if (undo && (strv_push(&fu, "true") < 0 || argv_of(&fu, (const char *const *)undo) < 0))
			return -ENOMEM;
		argv = fa;
		undo = fu;
	}
	r = txn_run(t, argv, undo, &o, &res);
	if (r < 0) {
		report_step_end(rep, false, "%s: %s", argv[0], strerror(-r));
		exec_result_done(&res);
		return r;
	}
	if (!exec_succeeded(&res)) {
		const char *out = res.output ? res.output : "";
		size_t len = strlen(out);

		while (len && out[len - 1] == '\n')
			len--;
		report_step_end(rep, false, "%s exited with status %d%s%.*s", argv[0], res.exit_code,
				len ? ": " : "", (int)(len > 400 ? 400 : len),
				len > 400 ? out + len - 400 : out);
		exec_result_done(&res);
		return -ECANCELED;
	}
	exec_result_done(&res);
	return 0;
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
	struct linkcheck_spec spec = { .kind = LINKCHECK_ADDRESS, .ifname = s->from->name,
				       .address = s->address, .timeout_ms = ROLLBACK_VERIFY_MS };
	int r;

	if (s->fake)
		return 0;
	r = linkcheck_run(&spec, res);
	if (r >= 0)
		(void)linkcheck_announce(s->from->name, res->address); /* IPv4 only; -EINVAL else */
	return r;
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

/* The driver step: the driver verb in a child (its output captured for the log). */
static int install_driver(struct swap *s, struct report *rep)
{
	_cleanup_strv_free_ char **argv = NULL;
	struct exec_result res = {};
	int r, code;

	report_step(rep, "driver", "Installing vnic's vmxnet3 driver through DKMS");
	if (strv_push(&argv, "/proc/self/exe") < 0 ||
	    argv_of(&argv, (const char *const *)s->driver_argv + 1) < 0)
		return EXIT_FAILED;
	r = exec_run(argv, &(struct exec_opts){ .merge_stderr = true }, &res);
	if (res.output && *res.output)
		log_debug("driver install:\n%s", res.output);
	if (r >= 0 && exec_succeeded(&res)) {
		exec_result_done(&res);
		return 0;
	}
	code = r >= 0 && (res.exit_code == EXIT_PREREQ || res.exit_code == EXIT_LOCKED) ?
		       res.exit_code : EXIT_FAILED;
	report_step_end(rep, false, "driver install failed (exit %d)%s%s", res.exit_code,
			res.output && *res.output ? ":\n" : "", res.output ? res.output : "");
	exec_result_done(&res);
	report_result(rep, "failed", code, "The driver could not be installed; the network "
		      "configuration was not touched.");
	return code;
}

/* Rolls back after a failure before or during the check; returns the exit code. */
static int undo(struct swap *s, struct txn *t, struct report *rep, bool check_failed, int why)
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
	report_step_end(rep, true, NULL);
	if (check_failed) {
		report_result(rep, "rolled-back", EXIT_ROLLED_BACK,
			      "The link check of %s failed; everything was rolled back and %s is up "
			      "again.", s->to->name, s->from->name);
		return EXIT_ROLLED_BACK;
	}
	report_result(rep, "failed", EXIT_FAILED, "The swap failed (%s) and was rolled back; %s is "
		      "up again.", why == -ECANCELED ? "a command failed" : strerror(-why),
		      s->from->name);
	return EXIT_FAILED;
}

static int run_check(struct swap *s, struct report *rep)
{
	int r;

	if (s->fake) {
		r = streq(getenv("VNIC_TEST_LINKCHECK"), "fail") ? -ETIMEDOUT : 0;
		if (r < 0)
			report_step_end(rep, false, "the link check failed (VNIC_TEST_LINKCHECK=fail)");
		return r;
	}
	return check_run(&s->check, s->to->name, s->address, s->timeout, rep);
}

static bool strv_equal(char *const *a, char *const *b)
{
	size_t i;

	for (i = 0; a[i] && b[i]; i++)
		if (!streq(a[i], b[i]))
			return false;
	return !a[i] && !b[i];
}

/*
 * A rollback undoes newest first, so the undo of a command that ran after the files runs
 * before the files are restored. That is right for taking the new interface down (ifdown
 * needs its stanza), wrong for what re-applies the old configuration (netplan apply,
 * networkctl reload, nmcli connection up of the E1000's connection): that must see the
 * restored files. Such undos are recognised (the undo repeats the command, or the command or
 * its undo is about the E1000) and recorded before the files instead, on a command that does
 * nothing, so that they run after the files are back, also in a recovery after a crash.
 */
static bool undo_after_restore(const struct swap *s, const struct netcfg_command *c)
{
	if (!c->undo_argv || c->before_files)
		return false;
	return strv_equal(c->argv, c->undo_argv) || strv_contains(c->argv, s->from->name) ||
	       strv_contains(c->undo_argv, s->from->name);
}

/* Apply the plan: commands before the files, the files, commands after them. */
static int apply(struct swap *s, struct txn *t, struct report *rep)
{
	char *nothing[] = { (char *)"true", NULL };
	int r;

	for (int pass = 0; pass < 3; pass++) {
		if (pass == 1) {
			for (size_t i = 0; i < s->plan.n_commands; i++)
				if (undo_after_restore(s, &s->plan.commands[i])) {
					r = run_step(s, t, rep, nothing, s->plan.commands[i].undo_argv);
					if (r < 0)
						return r;
				}
			for (size_t i = 0; i < s->plan.n_files; i++) {
				const struct netcfg_file_op *op = &s->plan.files[i];

				report_step(rep, "file", "%s %s", op->contents ? "Writing" : "Removing",
					    op->path);
				r = txn_step(t, op->path);
				if (r >= 0)
					r = op->contents ? txn_write_file(t, op->path, op->contents,
									  op->size, op->mode) :
							   txn_remove_file(t, op->path);
				if (r < 0) {
					report_step_end(rep, false, "%s: %s", op->path, strerror(-r));
					return r;
				}
			}
			continue;
		}
		for (size_t i = 0; i < s->plan.n_commands; i++) {
			const struct netcfg_command *c = &s->plan.commands[i];

			if (c->before_files != (pass == 0))
				continue;
			const char *what = c->reason ? c->reason : c->argv[0];

			report_step(rep, "run", "%c%s",
				    what[0] >= 'a' && what[0] <= 'z' ? what[0] - 32 : what[0],
				    what + (what[0] != 0));
			r = txn_step(t, c->argv[0]);
			if (r >= 0)
				r = run_step(s, t, rep, c->argv,
					     undo_after_restore(s, c) ? NULL : c->undo_argv);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* --confirm-timeout: the boot guard's files, in the transaction (verbs/confirm.h). */
static int arm_guard(struct swap *s, struct txn *t, struct report *rep)
{
	int r;

	report_step(rep, "guard", "Arming the guard: 'vnic-install confirm' within %u s keeps the "
		    "change", s->args->confirm_timeout_sec);
	r = confirm_arm(t, &s->check, s->from->name, s->to->name, s->timeout,
			s->args->confirm_timeout_sec);
	if (r < 0)
		report_step_end(rep, false, "%s", strerror(-r));
	return r;
}

/* --confirm-timeout, after a passed check: the guard runs; the change waits for confirm. */
static int wait_for_confirm(struct swap *s, struct txn *t, struct report *rep)
{
	int r = s->fake ? 0 : confirm_start_guard();

	if (r < 0) {
		log_error_errno(r, "Failed to start vnic-guard.service: %m");
		return undo(s, t, rep, false, r);
	}
	report_result(rep, "waiting", EXIT_OK, "%s now carries the configuration of %s. Run "
		      "'vnic-install confirm' within %u s to keep it; otherwise it is rolled back on "
		      "its own, also after a reboot.", s->to->name, s->from->name,
		      s->args->confirm_timeout_sec);
	return EXIT_OK;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
}

/*
 * SIGINT and SIGTERM (Ctrl-C, systemctl stop, a shutdown) make the swap roll back at the next
 * step, instead of leaving the new configuration applied and unverified. SIGHUP is ignored: the
 * admin's SSH session may drop while the address moves, and the swap goes on to its end.
 */
static void catch_interrupts(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

/* After a step: -EINTR when a signal asked the swap to stop (r passes through otherwise). */
static int stop_if_interrupted(int r)
{
	if (r >= 0 && interrupted) {
		log_error("Interrupted by signal %d; rolling back.", (int)interrupted);
		return -EINTR;
	}
	return r;
}

int verb_swap(const struct vnic_args *args)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_fclose_ FILE *logf = NULL;
	struct swap s = {};
	struct report rep;
	struct plan_view v;
	int r, code;

	catch_interrupts();

	code = swap_prepare(&s, args, false);
	if (code != 0)
		goto out;
	logf = open_log(args, s.live);
	log_set_file(logf);
	log_debug("swap %s -> %s (%s), check %s %s, timeout %u s", s.from->name, s.to->name,
		  s.owner.backend, s.check.kind_str, s.check.why ? s.check.why : "", s.timeout);
	v = swap_view(&s);

	if (!args->yes) {
		if (!isatty(STDIN_FILENO) || args->json) {
			log_error("swap changes the network configuration: run it with --yes (see "
				  "'vnic-install plan' for what it does).");
			code = EXIT_USAGE;
			goto out;
		}
		if (plan_print(stdout, &v, false, NULL) < 0 || !confirm(&s)) {
			log_info("Nothing was changed.");
			code = EXIT_FAILED;
			goto out;
		}
	}

	report_init(&rep, stdout, args->json,
		    plan_count_steps(&v) + (args->confirm_timeout_sec ? 1 : 0));
	if (s.driver_argv) {
		code = install_driver(&s, &rep);
		if (code != 0)
			goto out;
	}

	r = begin_transaction(args, "swap", &t);
	if (r < 0) {
		code = exit_code_for_errno(r);
		goto out;
	}
	r = stop_if_interrupted(apply(&s, t, &rep));
	if (r >= 0 && args->confirm_timeout_sec)
		r = stop_if_interrupted(arm_guard(&s, t, &rep));
	if (r >= 0)
		r = stop_if_interrupted(txn_mark_applied(t, args->confirm_timeout_sec > 0));
	if (r < 0) {
		code = undo(&s, t, &rep, false, r);
		goto out;
	}

	{
		const char *shown = s.check.gateway;

		report_step(&rep, "check", "Checking the link of %s (%s%s%s, up to %u s)",
			    s.to->name, s.check.kind_str, shown ? " " : "", shown ? shown : "",
			    s.timeout);
	}
	r = txn_step(t, "check");
	if (r >= 0) {
		r = run_check(&s, &rep);
		if (r < 0) {
			code = undo(&s, t, &rep, true, r);
			goto out;
		}
		r = stop_if_interrupted(r);
	}
	if (r < 0) {
		code = undo(&s, t, &rep, false, r);
		goto out;
	}

	report_step(&rep, "down", "Taking %s down", s.from->name);
	r = txn_step(t, "down");
	if (r >= 0)
		r = stop_if_interrupted(run_step(&s, t, &rep, s.down_argv, s.up_argv));
	if (r < 0) {
		code = undo(&s, t, &rep, false, r);
		goto out;
	}
	if (!s.fake) {
		struct linkcheck_spec spec = { .kind = LINKCHECK_ADDRESS, .ifname = s.to->name,
					       .address = s.address, .timeout_ms = 1000 };
		struct linkcheck_result res;

		/* Tell the neighbours where the address lives now. */
		if (linkcheck_run(&spec, &res) == 0 && !strchr(res.address, ':'))
			(void)linkcheck_announce(s.to->name, res.address);
	}
	if (args->confirm_timeout_sec) {
		code = wait_for_confirm(&s, t, &rep);
		goto out;
	}
	r = txn_commit(t);
	if (r < 0) {
		log_error_errno(r, "Failed to commit the transaction: %m");
		code = undo(&s, t, &rep, false, r);
		goto out;
	}
	report_result(&rep, "ok", EXIT_OK, "%s now carries the configuration of %s (whose "
		      "configuration is disabled, not deleted); 'vnic-install rollback' undoes it.",
		      s.to->name, s.from->name);
	code = EXIT_OK;
out:
	log_set_file(NULL);
	swap_done(&s);
	return code;
}
