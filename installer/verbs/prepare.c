// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * prepare: the driver built through DKMS for every kernel of a root with the root's own tools,
 * its initramfs regenerated and checked, the network configuration staged for the VMXNET3 NIC
 * that replaces the E1000 (matched by driver), and the boot guard armed; live, on a mounted
 * root (--root), or on a disk image (--image). See docs/prepare.md.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "lib/exec.h"
#include "lib/fault.h"
#include "lib/fileio.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/report.h"
#include "lib/strv.h"
#include "netcfg/netcfg.h"
#include "system/chroot.h"
#include "system/distro.h"
#include "system/dkms.h"
#include "system/image.h"
#include "system/initramfs.h"
#include "system/kernel.h"
#include "system/nic.h"
#include "system/tools.h"
#include "txn/txn.h"
#include "verbs.h"
#include "step/driver.h"
#include "step/guard.h"
#include "step/network.h"
#include "step/render.h"
#include "step/step.h"
#include "step/tools.h"
#include "verbs/prepare.h"

#define SELF_MAX (64u * 1024 * 1024)

static int log_oom_or(int r)
{
	return log_error_errno(r, "Failed to prepare: %m");
}

/* --- staging (also driven by the fake-root tests) ---------------------------------------- */

/* Runs the steps of l through t (the pieces below, for the fake-root tests and confirm). */
static int apply_list(struct txn *t, struct step_list *l)
{
	struct step_env env = { .txn = t };

	return step_list_apply(l, &env, NULL);
}

int prepare_stage_guard(struct txn *t, const char *root, const struct guard_config *c,
			const char *self_exe)
{
	_cleanup_(step_list_done) struct step_list l = {};
	int r;

	r = guard_steps(root, c, self_exe, &l);
	return r < 0 ? r : apply_list(t, &l);
}

int prepare_stage_initramfs_config(struct txn *t, const char *root, enum initramfs_tool tool,
				   char **ret_path)
{
	_cleanup_(step_list_done) struct step_list l = {};
	int r;

	if (ret_path)
		*ret_path = NULL;
	r = initramfs_config_steps(root, tool, &l);
	if (r >= 0)
		r = apply_list(t, &l);
	if (r >= 0 && l.n && ret_path && !(*ret_path = strdup(l.v[0].path)))
		r = -ENOMEM;
	return r;
}

int prepare_stage_sources(struct txn *t, const char *src_dir, const char *conf_path,
			  const char *version)
{
	_cleanup_(step_list_done) struct step_list l = {};
	struct driver_facts f = { .version = version, .src_dir = src_dir, .conf_path = conf_path,
				  .registered = true };
	int r;

	r = driver_install_steps(&f, &l, NULL);
	return r < 0 ? r : apply_list(t, &l);
}

int prepare_stage_network(struct txn *t, const struct netcfg_plan *plan)
{
	_cleanup_(step_list_done) struct step_list l = {};
	int r;

	r = network_steps(plan, false, &l);
	return r < 0 ? r : apply_list(t, &l);
}

int guard_missing_libraries(const char *root, char ***ret)
{
	static const char *const sonames[] = { "libkmod.so.2", "libblkid.so.1", "libmnl.so.0",
					       "libyaml-0.so.2" };
	static const char *const dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					    "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
	_cleanup_strv_free_ char **missing = NULL;

	for (size_t i = 0; i < ELEMENTSOF(sonames); i++) {
		bool found = false;

		for (size_t d = 0; d < ELEMENTSOF(dirs) && !found; d++) {
			_cleanup_free_ char *p = path_join(dirs[d], sonames[i]), *host = NULL;

			if (!p)
				return -ENOMEM;
			found = path_chase(root, p, 0, &host) == 0;
		}
		if (!found && strv_push(&missing, sonames[i]) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(missing);
	return 0;
}

/* True when DKMS in root knows vnic's module version already (/var/lib/dkms/MODULE/VERSION). */
static bool dkms_registered(const char *root)
{
	_cleanup_free_ char *p = NULL;
	struct stat st;

	if (path_chase(root, "/var/lib/dkms/" DKMS_MODULE "/" VNIC_VERSION, 0, &p) < 0)
		return false;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --- the run ------------------------------------------------------------------------------ */

static int check_interrupted(void)
{
	if (interrupt_signal()) {
		log_error("Interrupted by signal %d; undoing what was done.", interrupt_signal());
		return -EINTR;
	}
	return 0;
}

struct ctx {
	const struct vnic_args *args;
	const char *root;     /* NULL: the running system */
	const char *where;    /* for messages: "/", the directory, or the image */
	bool offline;         /* --root or --image: tools run in a chroot */
	bool image;
	struct distro distro;
	struct tools tools;
	struct kernel_list kernels;
	struct netcfg_plan plan;
	bool have_plan;
	char *from;
	char *check;
	char *src_dir, *conf_path;
	struct txn *txn;
	struct chroot_mounts *binds;
	bool dry_run;         /* plan: show the steps, change nothing */
	struct driver_facts facts;
	char **images;        /* per kernel of facts (owned) */
	struct step_list steps;
	struct report rep;    /* progress of the run (not of the dry run) */
	bool reporting;
};

static void ctx_done(struct ctx *c)
{
	if (c->binds)
		(void)chroot_teardown(c->binds);
	if (c->txn)
		txn_free(c->txn);
	step_list_done(&c->steps);
	for (size_t i = 0; c->images && i < c->facts.n_kernels; i++)
		free(c->images[i]);
	free(c->images);
	free(c->facts.kernels);
	distro_done(&c->distro);
	tools_done(&c->tools);
	kernel_list_done(&c->kernels);
	if (c->have_plan)
		netcfg_plan_done(&c->plan);
	free(c->from);
	free(c->check);
	free(c->src_dir);
	free(c->conf_path);
}

/* The kernels the driver is built for (those with headers) and their initramfs images. */
static int gather_kernels(struct ctx *c)
{
	struct driver_kernel *k = calloc(c->kernels.n ? c->kernels.n : 1, sizeof(*k));
	char **images = calloc(c->kernels.n ? c->kernels.n : 1, sizeof(char *));
	size_t n = 0;

	c->facts.kernels = k;
	c->images = images;
	if (!k || !images)
		return log_oom_or(-ENOMEM);
	for (size_t i = 0; i < c->kernels.n; i++) {
		const struct kernel *kl = &c->kernels.kernels[i];
		int r;

		if (!kl->headers) {
			log_warning("Kernel %s in %s has no headers (%s): vnic's driver is not built "
				    "for it; it keeps its own vmxnet3.", kl->release, c->where,
				    kl->headers_package ? kl->headers_package : "headers package");
			continue;
		}
		k[n] = (struct driver_kernel){ .kver = kl->release };
		r = c->tools.initramfs_tool == INITRAMFS_NONE ? -ENOENT :
		    initramfs_find_image(c->root, c->tools.initramfs_tool, kl->release, &images[n]);
		if (r == -ENOENT && c->tools.initramfs_tool != INITRAMFS_NONE)
			log_warning("Kernel %s in %s has no initramfs; none is created.", kl->release,
				    c->where);
		else if (r < 0 && r != -ENOENT)
			return log_error_errno(r, "Failed to find the initramfs of %s in %s: %m",
					       kl->release, c->where);
		k[n].image = images[n];
		k[n].regen = images[n] != NULL;
		n++;
		c->facts.n_kernels = n;
	}
	if (n == 0) {
		log_error("No kernel in %s has its headers installed; install them first "
			  "(vnic-install detect lists the packages).", c->where);
		return -ENOPKG;
	}
	return 0;
}

/*
 * Every step of prepare, in order: the driver (sources, initramfs backups, dkms add, build and
 * install per kernel), the network files, the boot guard, the initramfs configuration, and
 * last each initramfs regenerated and checked (so that it also carries the network files).
 */
static int build_steps(struct ctx *c, const struct guard_config *g)
{
	int r;

	c->facts = (struct driver_facts){ .root = c->root, .version = VNIC_VERSION,
					  .src_dir = c->src_dir, .conf_path = c->conf_path,
					  .registered = dkms_registered(c->root), .strict = true,
					  .jobs = 2, .timeout_sec = 1800,
					  .tool = c->tools.initramfs_tool };
	r = gather_kernels(c);
	if (r < 0)
		return r;
	r = driver_install_steps(&c->facts, &c->steps, NULL);
	if (r >= 0 && c->args->install_tools) {
		bool present = false;

		r = tools_steps(c->root, c->tools.package_manager, &c->steps, &present);
		if (r == -EOPNOTSUPP)
			return log_error_errno(-ENOPKG, "--install-tools: no package manager that "
					       "vnic-install knows in %s.", c->where);
		if (present)
			log_info("%s is installed already in %s: --install-tools adds nothing.",
				 VMTOOLS_PACKAGE, c->where);
	}
	if (r >= 0)
		r = network_steps(&c->plan, false, &c->steps);
	if (r >= 0)
		r = guard_steps(c->root, g, NULL, &c->steps);
	if (r >= 0 && c->tools.initramfs_tool != INITRAMFS_NONE) {
		r = initramfs_config_steps(c->root, c->tools.initramfs_tool, &c->steps);
		if (r == -EOPNOTSUPP)
			r = 0;
	}
	if (r >= 0)
		r = driver_initramfs_steps(&c->facts, true, &c->steps);
	if (r < 0)
		return log_error_errno(r, "Failed to plan the steps of prepare in %s: %m", c->where);
	return 0;
}

static int show_plan(struct ctx *c)
{
	_cleanup_free_ char *bad = NULL;
	struct step_view v = { .operation = "prepare", .root = c->root, .from = c->from,
			       .to = "the VMXNET3 NIC (matched by driver)",
			       .backend = c->plan.backend, .lists = { &c->steps } };
	int r;

	r = step_render(stdout, &v, c->args->json, &bad);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s in %s for its diff: %m",
				       bad ? bad : "a file", c->where);
	return 0;
}

/* Runs the steps through the transaction; says which failed and why. */
static int run_steps(struct ctx *c)
{
	struct step_env env = { .txn = c->txn, .chroot_dir = c->offline ? c->root : NULL,
				.rep = &c->rep, .default_timeout = 1800,
				.should_stop = check_interrupted };
	size_t failed = 0;
	int r;

	verb_report_init(&c->rep, c->args, (unsigned)c->steps.n);
	c->reporting = true;
	r = step_list_apply(&c->steps, &env, &failed);
	if (r < 0) {
		const struct step *s = &c->steps.v[failed];

		if (s->why)
			log_error("%s in %s: %s", s->id, c->where, s->why);
		else
			log_error_errno(r, "%s in %s failed: %m", s->id, c->where);
		return r;
	}
	return 0;
}

static const char *outcome_of(int code)
{
	return code == EXIT_OK ? "ok" : code == EXIT_INCONSISTENT ? "inconsistent" : "failed";
}

/* The last line: through the reporter once the steps ran (also --json), else the log. */
#define say_result(c, code, ...)                                                   \
	((c)->reporting ? report_result(&(c)->rep, outcome_of(code), code, __VA_ARGS__) : \
	 (code) == EXIT_OK ? log_info(__VA_ARGS__) : (void)0)

/* Offline, no hardware says which NIC is the E1000: the one Ethernet interface the image's
 * configuration names, if it names exactly one. */
static int find_from_configured(struct ctx *c)
{
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_free_ char *list = NULL;
	struct netcfg_error err = {};
	int r;

	r = netcfg_configured_names(c->root, &names, &err);
	if (r < 0) {
		if (err.file)
			log_error_errno(r, "%s:%u: %s", err.file, err.line, err.message ? err.message : "%m");
		else
			log_error_errno(r, "Failed to list the interfaces %s configures: %m", c->where);
		netcfg_error_done(&err);
		return r;
	}
	if (strv_length(names) == 1) {
		c->from = strdup(names[0]);
		if (!c->from)
			return log_oom_or(-ENOMEM);
		log_info("%s configures one Ethernet interface, %s: its configuration moves to the "
			 "VMXNET3 NIC (--from names another).", c->where, c->from);
		return 0;
	}
	list = strv_join(names, ", ");
	if (!list)
		return log_oom_or(-ENOMEM);
	if (!names)
		log_error("%s configures no Ethernet interface by name: which is the E1000? Name it "
			  "with --from IF (a clone keeps the name: its configuration is matched by "
			  "driver instead).", c->where);
	else
		log_error("Which interface of %s is the E1000? It configures %s: name one with "
			  "--from IF.", c->where, list);
	return -EINVAL;
}

/* The E1000 whose configuration moves: --from, else the one E1000 of the running system (or
 * offline, the one interface the configuration names). */
static int find_from(struct ctx *c)
{
	struct nic_list nics = {};
	const struct nic *found = NULL;
	int r;

	if (c->args->from) {
		c->from = strdup(c->args->from);
		return c->from ? 0 : log_oom_or(-ENOMEM);
	}
	if (c->offline)
		return find_from_configured(c);
	r = nic_list_detect(NULL, false, &nics);
	if (r < 0)
		return log_error_errno(r, "Failed to list the network interfaces: %m");
	for (size_t i = 0; i < nics.n; i++)
		if (nics.nics[i].model == NIC_MODEL_E1000 || nics.nics[i].model == NIC_MODEL_E1000E) {
			if (found) {
				log_error("More than one E1000 NIC (%s, %s): name one with --from IF.",
					  found->name, nics.nics[i].name);
				nic_list_done(&nics);
				return -EINVAL;
			}
			found = &nics.nics[i];
		}
	if (!found) {
		log_error("This system has no E1000 NIC; name the interface with --from IF.");
		nic_list_done(&nics);
		return -ENODEV;
	}
	c->from = strdup(found->name);
	nic_list_done(&nics);
	return c->from ? 0 : log_oom_or(-ENOMEM);
}

/* The reason a plan failed, from its error (file and line when it has them). */
static void report_plan_error(const struct ctx *c, int r, const char *backend, const struct netcfg_error *err)
{
	if (r == -EUCLEAN)
		log_error("%s:%u: %s: vnic does not migrate this configuration.", err->file ? err->file : "?",
			  err->line, err->message ? err->message : "unsupported");
	else if (err->file)
		log_error_errno(r, "%s:%u: %s", err->file, err->line, err->message ? err->message : "%m");
	else if (backend)
		log_error_errno(r, "Failed to plan the %s configuration of %s in %s: %m", backend, c->from,
				c->where);
	else
		log_error_errno(r, "Failed to find what configures %s in %s: %m", c->from, c->where);
}

/* What the boot guard checks: a port's master gets the address; otherwise the gateway, if any. */
static int pick_guard_check(struct ctx *c, const struct netcfg_iface *model)
{
	if (model->master) {
		/* the master keeps its files, the VMXNET3 NIC becomes its port: the boot guard waits
		 * until the NIC is a usable port and the master has an address (the master's gateway
		 * is not in the NIC's model) */
		log_info("%s is a port of the %s %s: the VMXNET3 NIC takes its place there.", c->from,
			 model->master_kind, model->master);
		c->check = strdup("address");
	} else
		c->check = strdup(model->gateway4 || model->gateway6 || model->dhcp4 == NETCFG_YES ||
						  model->dhcp6 == NETCFG_YES ?
					  "gateway" : "address");
	return c->check ? 0 : -ENOMEM;
}

/* One read of the configuration: its owner, its model and the plan, from the same files. */
static int plan_network(struct ctx *c)
{
	struct netcfg_nic from = { .name = c->from, .driver = "e1000" };
	struct netcfg_nic to = { .driver = "vmxnet3" };
	_cleanup_config_ struct netcfg_config *config = NULL;
	struct netcfg_error err = {};
	const char *backend = NULL;
	int r;

	r = netcfg_load(c->root, NULL, &from, &config, &err);
	if (r == 0 && !config) {
		log_error("No network configuration of %s was found in %s: nothing to move.", c->from,
			  c->where);
		return -ENOENT;
	}
	if (r >= 0) {
		backend = netcfg_config_backend(config);
		r = netcfg_config_check(config, &err);
	}
	if (r >= 0)
		r = pick_guard_check(c, netcfg_config_model(config));
	if (r >= 0)
		r = netcfg_config_plan(config, &to, NETCFG_REPLACE, &c->plan, &err);
	if (r < 0) {
		report_plan_error(c, r, backend, &err);
		netcfg_error_done(&err);
		return r == -EUCLEAN ? -EMEDIUMTYPE : r;
	}
	c->have_plan = true;
	if (!c->dry_run)
		log_info("Network: %s configuration of %s (%zu file%s) staged for the VMXNET3 NIC.",
			 backend, c->from, c->plan.n_files, c->plan.n_files == 1 ? "" : "s");
	netcfg_error_done(&err);
	return 0;
}

static int detect(struct ctx *c)
{
	_cleanup_free_ char *bad = NULL;
	unsigned line = 0;
	int r;

	r = distro_detect(c->root, &c->distro, &bad, &line);
	if (r < 0) {
		if (bad && line)
			return log_error_errno(r, "Failed to read %s:%u: %m", bad, line);
		if (bad)
			return log_error_errno(r, "Failed to read %s: %m", bad);
		return log_error_errno(r, "Failed to identify the system in %s: %m", c->where);
	}
	distro_log_skipped(&c->distro);
	r = tools_detect(c->root, &c->distro, &c->tools);
	if (r < 0)
		return log_error_errno(r, "Failed to look for DKMS and the initramfs tool in %s: %m",
				       c->where);
	r = kernel_list_detect(c->root, &c->distro, &c->kernels);
	if (r < 0)
		return log_error_errno(r, "Failed to list the kernels in %s: %m", c->where);
	if (c->kernels.n == 0) {
		log_error("%s has no kernel under /lib/modules.", c->where);
		return -ENOENT;
	}
	if (!c->tools.dkms_present || !c->tools.compiler_present) {
		log_error("%s lacks %s%s%s: install them in it first (vnic-install detect%s%s "
			  "lists the packages).", c->where, c->tools.dkms_present ? "" : "dkms",
			  !c->tools.dkms_present && !c->tools.compiler_present ? " and " : "",
			  c->tools.compiler_present ? "" : "a C compiler", c->offline ? " --root " : "",
			  c->offline ? c->where : "");
		return -ENOPKG;
	}
	r = dkms_find_sources(c->args->source_dir, &c->src_dir, &c->conf_path);
	if (r < 0)
		return log_error_errno(r, "Failed to find vnic's driver sources%s%s: %m (give them "
				       "with --source DIR)", c->args->source_dir ? " in " : "",
				       c->args->source_dir ? c->args->source_dir : "");
	return 0;
}

/* Everything after the root is reachable: detect, plan, change, arm the guard. */
static int prepare_root(struct ctx *c)
{
	struct vnic_args targs = *c->args;
	struct guard_config g = {
		.link_timeout = c->args->timeout_sec ? c->args->timeout_sec : 120,
		.confirm_timeout = c->offline ? 0 : 600,
	};
	_cleanup_strv_free_ char **missing = NULL;
	int r;

	r = detect(c);
	if (r < 0)
		return r;
	r = find_from(c);
	if (r < 0)
		return r;
	r = plan_network(c);
	if (r < 0)
		return r;
	if (c->offline) {
		r = guard_missing_libraries(c->root, &missing);
		if (r < 0)
			return log_oom_or(r);
		if (missing && !tools_find_program(c->root, "vnic-install", NULL)) {
			_cleanup_free_ char *list = strv_join(missing, ", ");

			if (!list)
				return log_oom_or(-ENOMEM);
			log_error("%s lacks libraries the boot guard needs (%s): install them (or the "
				  "vnic-install package) in it first.", c->where, list);
			return -ENOPKG;
		}
	}
	g.check = c->check ? c->check : "address";
	g.from = c->from;
	r = build_steps(c, &g);
	if (r < 0)
		return r;
	if (c->dry_run)
		return show_plan(c);
	r = check_interrupted();
	if (r < 0)
		return r;

	/* Before the transaction: recovering an interrupted run also runs the root's tools. */
	if (c->offline) {
		r = chroot_setup(c->root, &c->binds);
		if (r < 0)
			return log_error_errno(r, "Failed to bind /proc, /sys and /dev into %s: %m",
					       c->where);
	}
	targs.root = c->root;
	r = begin_transaction(&targs, "prepare", &c->txn);
	if (r < 0)
		return r;
	r = run_steps(c);
	if (r < 0)
		return r;
	r = check_interrupted();
	if (r < 0)
		return r;
	if (c->binds) {
		r = chroot_teardown(TAKE_PTR(c->binds));
		if (r < 0)
			return log_error_errno(r, "Failed to unbind /proc, /sys and /dev from %s: %m",
					       c->where);
	}
	r = txn_mark_applied(c->txn, true);
	if (r < 0)
		return log_error_errno(r, "Failed to write the journal in %s: %m", c->where);
	return 0;
}

/* -EINVAL here is the command line's (--from missing or ambiguous). */
static int fail_exit(int r)
{
	return r == -EINVAL ? EXIT_USAGE : exit_code_for_errno(r);
}

static int undo(struct ctx *c, int r)
{
	int q;

	if (!c->txn) {
		if (c->binds)
			(void)chroot_teardown(TAKE_PTR(c->binds));
		return fail_exit(r);
	}
	/* The undo commands run in the chroot too: the binds stay until they are done. */
	q = txn_rollback(c->txn);
	if (c->binds)
		(void)chroot_teardown(TAKE_PTR(c->binds));
	if (q < 0) {
		log_error_errno(q, "The rollback in %s did not complete: %m. The journal is kept "
				"under %s; run 'vnic-install recover%s%s' before anything else.",
				c->where, TXN_STATE_DIR, c->root ? " --root " : "",
				c->root ? c->root : "");
		return EXIT_INCONSISTENT;
	}
	log_info("Everything prepare changed in %s was undone.", c->where);
	return fail_exit(r);
}

static int prepare_dir(const struct vnic_args *args, bool dry_run)
{
	struct ctx c = { .args = args, .root = root_is_host(args->root) ? NULL : args->root,
			 .dry_run = dry_run };
	int r, code;

	c.offline = c.root != NULL;
	c.where = c.root ? c.root : "/";
	if (c.offline) {
		r = chroot_private_namespace();
		if (r < 0) {
			log_error_errno(r, "Failed to create a private mount namespace: %m");
			return EXIT_FAILED;
		}
	}
	r = prepare_root(&c);
	code = r < 0 ? undo(&c, r) : EXIT_OK;
	if (r == 0 && !dry_run)
		say_result(&c, code, "Prepared %s: shut the VM down, change its adapter to VMXNET3 "
			   "and boot; then run 'vnic-install confirm'. Until then the boot guard "
			   "restores the E1000 configuration if the VMXNET3 link does not come up.",
			   c.where);
	else if (r < 0)
		say_result(&c, code, "prepare of %s failed; %s", c.where, code == EXIT_INCONSISTENT ?
			   "its rollback did not complete" : "what it changed was undone");
	ctx_done(&c);
	return code;
}

static int prepare_image(const struct vnic_args *args, bool dry_run)
{
	_cleanup_image_session_ struct image_session *s = NULL;
	struct image_layout layout = {};
	struct ctx c = { .args = args, .offline = true, .image = true, .where = args->image,
			 .dry_run = dry_run };
	_cleanup_free_ char *why = NULL, *rootdir = NULL;
	char workdir[] = "/run/vnic-image.XXXXXX";
	enum image_format fmt;
	const char *other = NULL;
	pid_t holder = 0;
	int r, code = EXIT_FAILED;

	r = image_format_detect(args->image, &fmt, &other);
	if (r == -EMEDIUMTYPE) {
		log_error("%s is a %s image; prepare --image takes raw and qcow2 images (convert "
			  "it with qemu-img convert -O raw).", args->image, other);
		return EXIT_UNSUPPORTED;
	}
	if (r < 0)
		return fail_exit(log_error_errno(r, "Failed to open %s: %m", args->image));
	r = image_check_unused(args->image, &holder);
	if (r == -EBUSY) {
		if (holder > 0)
			log_error("%s is in use (process %d has it open or locked, a running VM?); "
				  "shut it down first.", args->image, (int)holder);
		else
			log_error("%s is in use (another process holds a lock on it, a running VM?); "
				  "shut it down first.", args->image);
		return EXIT_LOCKED;
	}
	if (r < 0)
		return fail_exit(log_error_errno(r, "Failed to check who uses %s: %m", args->image));

	(void)image_cleanup_stale_exports("/run", "vnic-image.");
	if (!mkdtemp(workdir))
		return fail_exit(log_error_errno(-errno, "Failed to create a directory under /run: %m"));
	rootdir = path_join(workdir, "root");
	if (!rootdir) {
		log_oom_or(-ENOMEM);
		goto out;
	}
	if (mkdir(rootdir, 0700) < 0) {
		log_error_errno(-errno, "Failed to create %s: %m", rootdir);
		goto out;
	}
	r = image_session_open(args->image, fmt, workdir, args->seams.image_direct, &s);
	if (r == -EOPNOTSUPP) {
		log_error("%s is a qcow2 image; preparing it needs qemu-storage-daemon and qemu-img "
			  "(Debian: qemu-system-common, qemu-utils).", args->image);
		code = EXIT_PREREQ;
		goto out;
	}
	if (r < 0) {
		log_error_errno(r, "Failed to open %s for preparation: %m", args->image);
		goto out;
	}
	/* After the export has started (see image_session_open()). */
	r = chroot_private_namespace();
	if (r < 0) {
		log_error_errno(r, "Failed to create a private mount namespace: %m");
		goto out;
	}
	if (image_session_direct(s) && dry_run) {
		/* Mounting it read-write could replay a journal: a dry run must not write. */
		log_error("plan --image needs qemu-storage-daemon (Debian: qemu-system-common), so "
			  "that %s is only read.", args->image);
		code = EXIT_PREREQ;
		goto out;
	}
	if (image_session_direct(s))
		log_warning("qemu-storage-daemon is missing: %s is changed in place; a failed run is "
			    "undone through the journal but the image is not byte-identical.",
			    args->image);
	r = image_probe(image_session_disk(s), &layout, &why);
	if (r == -ENOTUNIQ) {
		log_error("%s: %s; nothing was mounted or changed.", args->image,
			  why ? why : "the probe is ambivalent");
		code = EXIT_UNSUPPORTED;
		goto out;
	}
	if (r == -ENOMEDIUM) {
		log_error("%s holds neither a partition table nor a file system.", args->image);
		code = EXIT_UNSUPPORTED;
		goto out;
	}
	if (r < 0) {
		log_error_errno(r, "Failed to read the partitions of %s: %m", args->image);
		goto out;
	}
	r = image_layout_check(&layout, &why);
	if (r < 0) {
		log_error("%s: %s; nothing was mounted or changed.", args->image, why);
		code = EXIT_UNSUPPORTED;
		goto out;
	}
	free(why);
	why = NULL;
	r = image_session_mount(s, &layout, rootdir, &why);
	if (r == -ENOENT) {
		log_error("No partition of %s holds an operating system (/etc/os-release).",
			  args->image);
		code = EXIT_UNSUPPORTED;
		goto out;
	}
	if (r < 0) {
		if (why)
			log_error("%s: %s.", args->image, why);
		else
			log_error_errno(r, "Failed to mount the file systems of %s: %m", args->image);
		goto out;
	}
	{
		const struct image_part *rp = image_session_root_part(s);

		if (rp->number)
			log_info("%s: root file system on partition %u (%s).", args->image,
				 rp->number, rp->fstype);
		else
			log_info("%s: root file system on the whole disk (%s).", args->image,
				 rp->fstype);
	}

	c.root = rootdir;
	r = prepare_root(&c);
	if (r < 0) {
		if (image_session_direct(s))
			code = undo(&c, r);
		else {
			/* The overlay goes away with the session: the image never changed. */
			if (c.binds)
				(void)chroot_teardown(TAKE_PTR(c.binds));
			code = fail_exit(r);
			log_info("%s was left unchanged.", args->image);
		}
		ctx_done(&c);
		goto out;
	}
	ctx_done(&c);
	if (dry_run) {
		code = EXIT_OK; /* the session ends below without writing anything back */
		goto out;
	}
	r = fault_inject("image-finish");
	if (r < 0) {
		log_error_errno(r, "Failed before the commit of %s (injected): %m", args->image);
		goto out;
	}
	r = image_session_finish(TAKE_PTR(s), true);
	if (r < 0) {
		log_error_errno(r, "Failed to write the changes into %s: %m; run prepare again "
				"(an unfinished commit is completed first).", args->image);
		goto out;
	}
	code = EXIT_OK;
	say_result(&c, code, "Prepared %s: a VM booted from it with a VMXNET3 NIC uses vnic's "
		   "driver; the boot guard restores the E1000 configuration if the link does not "
		   "come up. Run 'vnic-install confirm' in the VM to keep the change.", args->image);
out:
	image_layout_done(&layout);
	if (s)
		(void)image_session_finish(TAKE_PTR(s), false);
	if (rootdir)
		(void)rmdir(rootdir);
	(void)rmdir(workdir);
	return code;
}

int verb_prepare(const struct vnic_args *args)
{
	interrupt_catch(true);
	if (args->image)
		return prepare_image(args, false);
	return prepare_dir(args, false);
}

int verb_prepare_plan(const struct vnic_args *args)
{
	if (args->image)
		return prepare_image(args, true);
	return prepare_dir(args, true);
}
