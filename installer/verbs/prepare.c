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
#include "lib/log.h"
#include "lib/path.h"
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
#include "verbs/plan.h"
#include "verbs/prepare.h"

#define SELF_MAX (64u * 1024 * 1024)

static int log_oom_or(int r)
{
	return log_error_errno(r, "Failed to prepare: %m");
}

/* --- staging (also driven by the fake-root tests) ---------------------------------------- */

/* GUARD_WANTS_PATH: multi-user.target wants the guard (a plain file the journal restores). */
static const char guard_wants_text[] = "# Written by vnic-install prepare: runs the boot guard.\n"
				       "[Unit]\nWants=vnic-guard.service\n";

int prepare_stage_guard(struct txn *t, const char *root, const struct guard_config *c,
			const char *self_exe)
{
	_cleanup_free_ char *conf = NULL, *own = NULL;
	int r;

	conf = guard_config_format(c);
	if (!conf)
		return -ENOMEM;
	r = txn_write_file(t, GUARD_UNIT_PATH, guard_unit_text, strlen(guard_unit_text), 0644);
	if (r < 0)
		return r;
	r = txn_write_file(t, GUARD_WANTS_PATH, guard_wants_text, strlen(guard_wants_text), 0644);
	if (r < 0)
		return r;
	r = txn_write_file(t, GUARD_CONF_PATH, conf, strlen(conf), 0644);
	if (r < 0)
		return r;
	if (!root_is_host(root) && !tools_find_program(root, "vnic-install", &own)) {
		_cleanup_free_ char *data = NULL;
		size_t size;

		r = read_full_file(self_exe ? self_exe : "/proc/self/exe", SELF_MAX, &data, &size);
		if (r < 0)
			return r;
		r = txn_write_file(t, GUARD_BINARY_PATH, data, size, 0755);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * What prepare adds to the initramfs configuration of tool in root: *ret_path and its new
 * *ret_text, or both NULL when there is nothing to add (vmxnet3 is listed already). Returns 0,
 * -EOPNOTSUPP for a tool that needs no configuration, or -errno.
 */
static int initramfs_config_text(const char *root, enum initramfs_tool tool, const char **ret_path,
				 char **ret_text)
{
	static const char dracut_conf[] = "# Written by vnic-install prepare: vnic's vmxnet3 in "
					  "the initramfs.\nadd_drivers+=\" vmxnet3 \"\n";
	static const char mkinitcpio_conf[] = "# Written by vnic-install prepare: vnic's vmxnet3 in "
					      "the initramfs.\nMODULES+=(vmxnet3)\n";
	_cleanup_free_ char *old = NULL, *host = NULL;
	int r;

	*ret_path = NULL;
	*ret_text = NULL;
	switch (tool) {
	case INITRAMFS_UPDATE_INITRAMFS:
		r = path_chase(root, "/etc/initramfs-tools/modules", CHASE_NONEXISTENT, &host);
		if (r < 0)
			return r;
		r = read_full_file(host, READ_FILE_MAX, &old, NULL);
		if (r < 0 && r != -ENOENT)
			return r;
		if (old) {
			_cleanup_strv_free_ char **lines = NULL;

			r = strv_split(old, "\n", &lines);
			if (r < 0)
				return r;
			for (size_t i = 0; lines && lines[i]; i++) {
				char *l = lines[i] + strspn(lines[i], " \t");

				if (strncmp(l, "vmxnet3", 7) == 0 && (!l[7] || strchr(" \t", l[7])))
					return 0; /* already there */
			}
		}
		if (asprintf(ret_text, "%s%s%s", old ? old : "",
			     old && *old && old[strlen(old) - 1] != '\n' ? "\n" : "", "vmxnet3\n") < 0) {
			*ret_text = NULL;
			return -ENOMEM;
		}
		*ret_path = "/etc/initramfs-tools/modules";
		return 0;
	case INITRAMFS_DRACUT:
		*ret_text = strdup(dracut_conf);
		if (!*ret_text)
			return -ENOMEM;
		*ret_path = "/etc/dracut.conf.d/50-vnic-vmxnet3.conf";
		return 0;
	case INITRAMFS_MKINITCPIO:
		/* A drop-in (mkinitcpio 36 and later read the drop-ins in /etc/mkinitcpio.conf.d): in a
		 * chroot, the autodetect hook sees the host's hardware, not the clone's VMXNET3. */
		*ret_text = strdup(mkinitcpio_conf);
		if (!*ret_text)
			return -ENOMEM;
		*ret_path = "/etc/mkinitcpio.conf.d/50-vnic-vmxnet3.conf";
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int prepare_stage_initramfs_config(struct txn *t, const char *root, enum initramfs_tool tool,
				   char **ret_path)
{
	_cleanup_free_ char *text = NULL;
	const char *path;
	int r;

	r = initramfs_config_text(root, tool, &path, &text);
	if (r < 0)
		return r;
	if (ret_path)
		*ret_path = NULL;
	if (!text)
		return 0;
	r = txn_write_file(t, path, text, strlen(text), 0644);
	if (r < 0)
		return r;
	if (ret_path) {
		*ret_path = strdup(path);
		if (!*ret_path)
			return -ENOMEM;
	}
	return 0;
}

int prepare_stage_sources(struct txn *t, const char *src_dir, const char *conf_path,
			  const char *version)
{
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_free_ char *dest = dkms_source_dir(version), *tmpl = NULL, *conf = NULL,
			    *conf_dest = NULL;
	int r;

	if (!dest)
		return -ENOMEM;
	r = dkms_source_files(src_dir, &files);
	if (r < 0)
		return r;
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *from = path_join(src_dir, files[i]), *to = path_join(dest, files[i]),
				    *data = NULL;
		size_t size;

		if (!from || !to)
			return -ENOMEM;
		r = read_full_file(from, READ_FILE_MAX, &data, &size);
		if (r < 0)
			return r;
		r = txn_write_file(t, to, data, size, 0644);
		if (r < 0)
			return r;
	}
	r = read_full_file(conf_path, READ_FILE_MAX, &tmpl, NULL);
	if (r < 0)
		return r;
	r = dkms_conf_render(tmpl, version, &conf);
	if (r < 0)
		return r;
	conf_dest = path_join(dest, "dkms.conf");
	if (!conf_dest)
		return -ENOMEM;
	return txn_write_file(t, conf_dest, conf, strlen(conf), 0644);
}

int prepare_stage_network(struct txn *t, const struct netcfg_plan *plan)
{
	for (size_t i = 0; i < plan->n_files; i++) {
		const struct netcfg_file_op *op = &plan->files[i];
		int r = op->contents ? txn_write_file(t, op->path, op->contents, op->size, op->mode) :
				       txn_remove_file(t, op->path);

		if (r < 0)
			return r;
	}
	return 0;
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

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int check_interrupted(void)
{
	if (interrupted) {
		log_error("Interrupted by signal %d; undoing what was done.", (int)interrupted);
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
	struct initrd_backup {
		bool kept;    /* else too large: the rollback regenerates it instead */
		unsigned n;   /* the journal record of the backup */
	} *initrd;            /* per kernel */
};

static void ctx_done(struct ctx *c)
{
	if (c->binds)
		(void)chroot_teardown(c->binds);
	if (c->txn)
		txn_free(c->txn);
	distro_done(&c->distro);
	tools_done(&c->tools);
	kernel_list_done(&c->kernels);
	if (c->have_plan)
		netcfg_plan_done(&c->plan);
	free(c->from);
	free(c->check);
	free(c->src_dir);
	free(c->conf_path);
	free(c->initrd);
}

/* Runs argv through the transaction (in the root's chroot when offline); logs on failure. */
static int run_step(struct ctx *c, char *const *argv, char *const *undo, const char *action,
		    struct exec_result *ret_res)
{
	struct exec_opts o = { .chroot_dir = c->offline ? c->root : NULL, .merge_stderr = true,
			       .timeout_sec = 1800 };
	struct exec_result res = {};
	int r;

	r = check_interrupted();
	if (r < 0)
		return r;
	r = fault_inject(action);
	if (r < 0)
		return log_error_errno(r, "Failed to run %s in %s (injected): %m", argv[0], c->where);
	r = txn_run(c->txn, argv, undo, &o, &res);
	if (r < 0)
		return log_error_errno(r, "Failed to run %s in %s: %m", argv[0], c->where);
	if (ret_res)
		*ret_res = res;
	else
		exec_result_done(&res);
	return 0;
}

static void print_tail(const char *out)
{
	size_t n = out ? strlen(out) : 0;
	const char *p = out;

	if (!n)
		return;
	if (n > 2000)
		p = out + n - 2000;
	fprintf(stderr, "%s%s", p, out[n - 1] == '\n' ? "" : "\n");
}

static int dkms_step(struct ctx *c, const char *action, const char *kver, char *const *undo)
{
	_cleanup_strv_free_ char **argv = NULL;
	struct exec_result res;
	enum dkms_outcome o;
	int r;

	r = dkms_argv(action, VNIC_VERSION, kver, strcmp(action, "build") == 0 ? 2 : 0, &argv);
	if (r < 0)
		return log_error_errno(r, "Failed to build the dkms command line: %m");
	r = run_step(c, argv, undo, strcmp(action, "build") == 0 ? "dkms-build" : "dkms", &res);
	if (r < 0)
		return r;
	o = dkms_outcome_of(action, res.exit_code, res.output);
	if (!dkms_outcome_ok(o)) {
		print_tail(res.output);
		log_error("dkms %s of vmxnet3/%s%s%s in %s failed: %s.", action, VNIC_VERSION,
			  kver ? " for " : "", kver ? kver : "", c->where, dkms_outcome_to_string(o));
		exec_result_done(&res);
		return o == DKMS_HEADERS_MISSING ? -ENOPKG : -EIO;
	}
	exec_result_done(&res);
	return 0;
}

static int install_driver(struct ctx *c)
{
	_cleanup_strv_free_ char **remove = NULL;
	unsigned built = 0;
	int r;

	r = txn_step(c->txn, "sources");
	if (r < 0)
		return log_error_errno(r, "Failed to write the journal in %s: %m", c->where);
	r = prepare_stage_sources(c->txn, c->src_dir, c->conf_path, VNIC_VERSION);
	if (r < 0)
		return log_error_errno(r, "Failed to stage the driver sources from %s under "
				       "/usr/src/vmxnet3-%s in %s: %m", c->src_dir, VNIC_VERSION,
				       c->where);
	/*
	 * Each initramfs is backed up before anything changes: a rollback (also the boot guard's
	 * restore) puts the same bytes back, in a moment, without running the initramfs tool. An
	 * image too large for the journal gets a step whose undo regenerates it instead; undo order
	 * is newest first, so that regeneration runs after `dkms remove` (the undo of `dkms add`
	 * below) and no longer finds our module.
	 */
	c->initrd = calloc(c->kernels.n ? c->kernels.n : 1, sizeof(*c->initrd));
	if (!c->initrd)
		return log_oom_or(-ENOMEM);
	for (size_t i = 0; i < c->kernels.n; i++) {
		_cleanup_strv_free_ char **regen = NULL;
		_cleanup_free_ char *image = NULL;
		char *noop[] = { (char *)"true", NULL };

		if (!c->kernels.kernels[i].headers)
			continue;
		if (initramfs_find_image(c->root, c->tools.initramfs_tool,
					 c->kernels.kernels[i].release, &image) < 0)
			continue;
		r = txn_keep_file(c->txn, image, &c->initrd[i].n);
		if (r == 0) {
			c->initrd[i].kept = true;
			continue;
		}
		if (r != -EFBIG)
			return log_error_errno(r, "Failed to back up %s in %s: %m", image, c->where);
		if (initramfs_regen_argv(c->tools.initramfs_tool, c->kernels.kernels[i].release,
					 image, &regen) < 0)
			continue;
		r = run_step(c, noop, regen, "step-noop", NULL);
		if (r < 0)
			return r;
	}
	/* Registered already (by the vmxnet3-dkms package, say): `dkms add` finds it and a
	 * rollback must leave it registered, so the add gets no undo then. */
	if (!dkms_registered(c->root)) {
		r = dkms_argv("remove", VNIC_VERSION, NULL, 0, &remove);
		if (r < 0)
			return log_oom_or(r);
	}
	r = dkms_step(c, "add", NULL, remove);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->kernels.n; i++) {
		const struct kernel *k = &c->kernels.kernels[i];

		if (!k->headers) {
			log_warning("Kernel %s in %s has no headers (%s): vnic's driver is not built "
				    "for it; it keeps its own vmxnet3.", k->release, c->where,
				    k->headers_package ? k->headers_package : "headers package");
			continue;
		}
		log_info("Building vmxnet3 %s for %s in %s...", VNIC_VERSION, k->release, c->where);
		r = dkms_step(c, "build", k->release, NULL);
		if (r == 0)
			r = dkms_step(c, "install", k->release, NULL);
		if (r < 0)
			return r;
		built++;
	}
	if (built == 0) {
		log_error("No kernel in %s has its headers installed; install them first "
			  "(vnic-install detect lists the packages).", c->where);
		return -ENOPKG;
	}
	return 0;
}

static int update_initramfs(struct ctx *c)
{
	_cleanup_free_ char *conf = NULL;
	int r;

	if (c->tools.initramfs_tool == INITRAMFS_NONE) {
		log_info("%s has no initramfs tool; the driver loads from the root file system.",
			 c->where);
		return 0;
	}
	r = prepare_stage_initramfs_config(c->txn, c->root, c->tools.initramfs_tool, &conf);
	if (r < 0 && r != -EOPNOTSUPP)
		return log_error_errno(r, "Failed to add vmxnet3 to the initramfs configuration in "
				       "%s: %m", c->where);
	for (size_t i = 0; i < c->kernels.n; i++) {
		const struct kernel *k = &c->kernels.kernels[i];
		_cleanup_strv_free_ char **regen = NULL, **list = NULL;
		_cleanup_free_ char *image = NULL, *found = NULL;
		struct exec_result res;

		if (!k->headers)
			continue;
		r = initramfs_find_image(c->root, c->tools.initramfs_tool, k->release, &image);
		if (r == -ENOENT) {
			log_warning("Kernel %s in %s has no initramfs; none is created.", k->release,
				    c->where);
			continue;
		}
		if (r < 0)
			return log_error_errno(r, "Failed to find the initramfs of %s in %s: %m",
					       k->release, c->where);
		r = initramfs_regen_argv(c->tools.initramfs_tool, k->release, image, &regen);
		if (r < 0)
			return log_oom_or(r);
		r = run_step(c, regen, NULL, "initramfs", &res);
		if (r < 0)
			return r;
		if (!exec_succeeded(&res)) {
			print_tail(res.output);
			log_error("%s for %s in %s failed (exit status %d).", regen[0], k->release,
				  c->where, res.exit_code);
			exec_result_done(&res);
			return -EIO;
		}
		exec_result_done(&res);
		r = initramfs_list_argv(c->tools.initramfs_tool, image, &list);
		if (r < 0)
			return log_oom_or(r);
		r = run_step(c, list, NULL, "initramfs-list", &res);
		if (r < 0)
			return r;
		if (!exec_succeeded(&res) ||
		    initramfs_listing_find(res.output, "vmxnet3", &found) < 0 ||
		    !initramfs_path_is_ours(found)) {
			log_error("The initramfs %s of %s in %s does not contain vnic's vmxnet3 after "
				  "%s (checked with %s).", image, k->release, c->where, regen[0],
				  list[0]);
			exec_result_done(&res);
			return -EIO;
		}
		exec_result_done(&res);
		if (c->initrd && c->initrd[i].kept) {
			r = txn_kept_file_changed(c->txn, c->initrd[i].n, image);
			if (r < 0)
				return log_error_errno(r, "Failed to write the journal in %s: %m",
						       c->where);
		}
		log_info("Initramfs of %s in %s regenerated; it holds vnic's vmxnet3.", k->release,
			 c->where);
	}
	return 0;
}

/* The E1000 whose configuration moves: --from, else the one E1000 of the running system. */
static int find_from(struct ctx *c)
{
	struct nic_list nics = {};
	const struct nic *found = NULL;
	int r;

	if (c->args->from) {
		c->from = strdup(c->args->from);
		return c->from ? 0 : log_oom_or(-ENOMEM);
	}
	if (c->offline) {
		log_error("Which interface of %s is the E1000? Name it with --from IF (a clone "
			  "keeps the name: its configuration is matched by driver instead).",
			  c->where);
		return -EINVAL;
	}
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

static int plan_network(struct ctx *c)
{
	struct netcfg_nic from = { .name = c->from, .driver = "e1000" };
	struct netcfg_nic to = { .driver = "vmxnet3" };
	struct netcfg_owner owner = {};
	struct netcfg_error err = {};
	_cleanup_iface_ struct netcfg_iface *model = NULL;
	int r;

	r = netcfg_find_owner_full(c->root, &from, &owner, &err);
	if (r == 0 && !owner.backend)
		r = -ENOENT;
	if (r < 0) {
		if (r == -ENOENT)
			log_error("No network configuration of %s was found in %s: nothing to move.",
				  c->from, c->where);
		else if (err.file)
			log_error_errno(r, "%s:%u: %s", err.file, err.line,
					err.message ? err.message : "cannot be read");
		else
			log_error_errno(r, "Failed to find what configures %s in %s: %m", c->from,
					c->where);
		netcfg_error_done(&err);
		netcfg_owner_done(&owner);
		return r;
	}
	r = netcfg_read(c->root, owner.backend, &from, &model, &err);
	if (r == 0 && model)
		c->check = strdup(model->gateway4 || model->gateway6 || model->dhcp4 == NETCFG_YES ||
						  model->dhcp6 == NETCFG_YES ?
					  "gateway" : "address");
	if (r == 0)
		r = netcfg_plan(c->root, owner.backend, &from, &to, NETCFG_REPLACE, &c->plan, &err);
	if (r < 0) {
		if (r == -EUCLEAN)
			log_error("%s:%u: %s: vnic does not migrate this configuration.",
				  err.file ? err.file : "?", err.line,
				  err.message ? err.message : "unsupported");
		else if (err.file)
			log_error_errno(r, "%s:%u: %s", err.file, err.line,
					err.message ? err.message : "%m");
		else
			log_error_errno(r, "Failed to plan the %s configuration of %s in %s: %m",
					owner.backend, c->from, c->where);
		netcfg_error_done(&err);
		netcfg_owner_done(&owner);
		return r == -EUCLEAN ? -EMEDIUMTYPE : r;
	}
	c->have_plan = true;
	if (!c->dry_run)
		log_info("Network: %s configuration of %s (%zu file%s) staged for the VMXNET3 NIC.",
			 owner.backend, c->from, c->plan.n_files, c->plan.n_files == 1 ? "" : "s");
	netcfg_error_done(&err);
	netcfg_owner_done(&owner);
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

/* --- the dry run (vnic-install plan --root|--image, plan prepare) -------------------------- */

struct dry_steps {
	struct plan_command *v;
	size_t n;
	char **titles;  /* owned */
	char ***argvs;  /* owned */
	size_t n_argvs;
};

static void dry_steps_done(struct dry_steps *d)
{
	free(d->v);
	strv_free(d->titles);
	for (size_t i = 0; i < d->n_argvs; i++)
		strv_free(d->argvs[i]);
	free(d->argvs);
}

/* Takes title (allocated), argv and undo (owned once added, also on failure). */
static int dry_add(struct dry_steps *d, char *title, char **argv, char **undo)
{
	struct plan_command *v;
	char ***a;
	int r;

	a = realloc(d->argvs, sizeof(*a) * (d->n_argvs + 2));
	if (a) {
		d->argvs = a;
		if (argv)
			a[d->n_argvs++] = argv;
		if (undo)
			a[d->n_argvs++] = undo;
	} else {
		strv_free(argv);
		strv_free(undo);
	}
	r = title ? strv_consume(&d->titles, title) : -ENOMEM;
	if (r < 0 || !a)
		return -ENOMEM;
	v = realloc(d->v, sizeof(*v) * (d->n + 1));
	if (!v)
		return -ENOMEM;
	d->v = v;
	v[d->n++] = (struct plan_command){ .title = title, .argv = argv, .undo_argv = undo };
	return 0;
}

static char *fmt(const char *f, ...) _printf_(1, 2);
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, f);
	r = vasprintf(&s, f, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* Prints what prepare_root() would do from here, in order; changes nothing. */
static int show_plan(struct ctx *c, const struct guard_config *g)
{
	_cleanup_(dry_steps_done) struct dry_steps pre = {}, post = {};
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_free_ char *src = dkms_source_dir(VNIC_VERSION), *gconf = NULL,
			    *own = NULL, *itext = NULL, *bad = NULL;
	struct netcfg_plan extra = {};
	const char *ipath = NULL, *in = c->offline ? " (in the root's chroot)" : "";
	_cleanup_strv_free_ char **argv = NULL, **undo = NULL; /* TAKE_PTR()-ed into the steps */
	unsigned built = 0;
	int r;

	if (!src)
		return log_oom_or(-ENOMEM);
	r = dkms_source_files(c->src_dir, &files);
	if (r < 0)
		return log_error_errno(r, "Failed to list the driver sources in %s: %m", c->src_dir);
	r = dry_add(&pre, fmt("Stage the driver sources (%zu files and dkms.conf from %s) in %s; "
			      "removed on rollback", strv_length(files), c->src_dir, src),
		    NULL, NULL);
	if (r >= 0 && (r = dkms_argv("add", VNIC_VERSION, NULL, 0, &argv)) >= 0 &&
	    (r = dkms_argv("remove", VNIC_VERSION, NULL, 0, &undo)) >= 0)
		r = dry_add(&pre, fmt("Register vmxnet3/%s with DKMS%s", VNIC_VERSION, in),
			    TAKE_PTR(argv), TAKE_PTR(undo));
	for (size_t i = 0; r >= 0 && i < c->kernels.n; i++) {
		const struct kernel *k = &c->kernels.kernels[i];

		if (!k->headers) {
			r = dry_add(&pre, fmt("Kernel %s has no headers (%s): it keeps its own "
					      "vmxnet3", k->release,
					      k->headers_package ? k->headers_package : "?"),
				    NULL, NULL);
			continue;
		}
		built++;
		if ((r = dkms_argv("build", VNIC_VERSION, k->release, 2, &argv)) >= 0)
			r = dry_add(&pre, fmt("Build vmxnet3 %s for %s%s", VNIC_VERSION, k->release,
					      in), TAKE_PTR(argv), NULL);
		if (r >= 0 && (r = dkms_argv("install", VNIC_VERSION, k->release, 0, &argv)) >= 0)
			r = dry_add(&pre, fmt("Install it into /lib/modules/%s/updates/dkms",
					      k->release), TAKE_PTR(argv), NULL);
	}
	if (r < 0)
		return log_oom_or(r);

	/* The guard's files and the initramfs configuration, shown with their diffs. */
	gconf = guard_config_format(g);
	if (!gconf)
		return log_oom_or(-ENOMEM);
	r = netcfg_plan_add_file(&extra, GUARD_UNIT_PATH, guard_unit_text, strlen(guard_unit_text),
				 0644, "the boot guard");
	if (r >= 0)
		r = netcfg_plan_add_file(&extra, GUARD_WANTS_PATH, guard_wants_text,
					 strlen(guard_wants_text), 0644,
					 "multi-user.target wants the boot guard");
	if (r >= 0)
		r = netcfg_plan_add_file(&extra, GUARD_CONF_PATH, gconf, strlen(gconf), 0644,
					 "the guard's settings");
	if (r >= 0 && c->tools.initramfs_tool != INITRAMFS_NONE) {
		r = initramfs_config_text(c->root, c->tools.initramfs_tool, &ipath, &itext);
		if (r == -EOPNOTSUPP)
			r = 0;
		if (r >= 0 && itext)
			r = netcfg_plan_add_file(&extra, ipath, itext, strlen(itext), 0644,
						 "vmxnet3 in the initramfs");
	}
	if (r < 0) {
		netcfg_plan_done(&extra);
		return log_error_errno(r, "Failed to plan the guard's files in %s: %m", c->where);
	}

	if (c->offline && !tools_find_program(c->root, "vnic-install", &own))
		r = dry_add(&post, fmt("Copy this vnic-install to %s (the guard runs it)",
				       GUARD_BINARY_PATH), NULL, NULL);
	for (size_t i = 0; r >= 0 && i < c->kernels.n; i++) {
		const struct kernel *k = &c->kernels.kernels[i];
		_cleanup_free_ char *image = NULL;

		if (!k->headers || c->tools.initramfs_tool == INITRAMFS_NONE)
			continue;
		if (initramfs_find_image(c->root, c->tools.initramfs_tool, k->release, &image) < 0) {
			r = dry_add(&post, fmt("Kernel %s has no initramfs; none is created",
					       k->release), NULL, NULL);
			continue;
		}
		if ((r = initramfs_regen_argv(c->tools.initramfs_tool, k->release, image,
					      &argv)) >= 0)
			r = dry_add(&post, fmt("Regenerate the initramfs of %s%s; the image as it "
					       "is now is kept in the journal and put back on "
					       "rollback", k->release, in),
				    TAKE_PTR(argv), NULL);
		if (r >= 0 && (r = initramfs_list_argv(c->tools.initramfs_tool, image, &argv)) >= 0)
			r = dry_add(&post, fmt("Check that %s holds vnic's vmxnet3 (else everything "
					       "is undone)", image), TAKE_PTR(argv), NULL);
	}
	if (r < 0) {
		netcfg_plan_done(&extra);
		return log_oom_or(r);
	}
	if (built == 0)
		log_warning("No kernel in %s has its headers installed: prepare would stop there.",
			    c->where);

	struct plan_view v = {
		.operation = "prepare",
		.root = c->root,
		.from = c->from,
		.to = "the VMXNET3 NIC (matched by driver)",
		.backend = c->plan.backend,
		.driver_steps = pre.v,
		.n_driver_steps = pre.n,
		.netcfg = &c->plan,
		.extra_files = &extra,
		.final_steps = post.v,
		.n_final_steps = post.n,
	};
	r = plan_print(stdout, &v, c->args->json, &bad);
	netcfg_plan_done(&extra);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s in %s for its diff: %m",
				       bad ? bad : "a file", c->where);
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
			_cleanup_free_ char *list = NULL;

			for (size_t i = 0; missing[i]; i++) {
				char *n;

				if (asprintf(&n, "%s%s%s", list ? list : "", list ? ", " : "",
					     missing[i]) < 0)
					return log_oom_or(-ENOMEM);
				free(list);
				list = n;
			}
			log_error("%s lacks libraries the boot guard needs (%s): install them (or the "
				  "vnic-install package) in it first.", c->where, list);
			return -ENOPKG;
		}
	}
	if (c->dry_run) {
		g.check = c->check ? c->check : "address";
		g.from = c->from;
		return show_plan(c, &g);
	}
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
	r = install_driver(c);
	if (r < 0)
		return r;
	r = txn_step(c->txn, "network");
	if (r == 0)
		r = prepare_stage_network(c->txn, &c->plan);
	if (r < 0)
		return log_error_errno(r, "Failed to stage the network configuration in %s: %m",
				       c->where);
	g.check = c->check ? c->check : "address";
	g.from = c->from;
	r = txn_step(c->txn, "guard");
	if (r == 0)
		r = prepare_stage_guard(c->txn, c->root, &g, NULL);
	if (r < 0)
		return log_error_errno(r, "Failed to arm the boot guard in %s: %m", c->where);
	/* Last, so that the initramfs also carries the network files (a .link file). */
	r = update_initramfs(c);
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

static int fail_exit(int r)
{
	switch (r) {
	case -ENOPKG:
		return EXIT_PREREQ;
	case -EMEDIUMTYPE:
		return EXIT_UNSUPPORTED;
	case -EINVAL:
		return EXIT_USAGE;
	default:
		return exit_code_for_errno(r);
	}
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
		log_info("Prepared %s: shut the VM down, change its adapter to VMXNET3 and boot; "
			 "then run 'vnic-install confirm'. Until then the boot guard restores the "
			 "E1000 configuration if the VMXNET3 link does not come up.", c.where);
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
	r = image_session_open(args->image, fmt, workdir, getenv("VNIC_IMAGE_DIRECT") != NULL, &s);
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
	log_info("Prepared %s: a VM booted from it with a VMXNET3 NIC uses vnic's driver; the "
		 "boot guard restores the E1000 configuration if the link does not come up. Run "
		 "'vnic-install confirm' in the VM to keep the change.", args->image);
	code = EXIT_OK;
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
	catch_signals();
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
