// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vnic-install driver install|remove|status`: vnic's vmxnet3 driver through DKMS, for each
 * target kernel, with the initramfs and the loaded module kept in step. Every change goes
 * through one transaction, so that a failure or an interrupted run is undone.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "system/chroot.h"
#include "system/distro.h"
#include "system/dkms.h"
#include "system/initramfs.h"
#include "system/kernel.h"
#include "system/modules.h"
#include "system/prereq.h"
#include "system/secureboot.h"
#include "system/tools.h"
#include "txn/txn.h"
#include "lib/report.h"
#include "step/driver.h"
#include "verbs.h"
#include "verbs/driver.h"

void driver_job_done(struct driver_job *j)
{
	step_list_done(&j->steps);
	for (size_t i = 0; j->images && i < j->facts.n_kernels; i++)
		free(j->images[i]);
	free(j->images);
	free(j->facts.kernels);
	free(j->removals);
	free(j->act.what);
	dkms_status_done(&j->st);
	distro_done(&j->distro);
	kernel_list_done(&j->kernels);
	tools_done(&j->tools);
	strv_free(j->targets);
}

static const char *root_label(const struct driver_job *c)
{
	return c->host ? "/" : c->root;
}

/* Detects the system and chooses the target kernels. Prints on failure. */
int driver_job_init(struct driver_job *c, const struct vnic_args *args, bool default_all)
{
	_cleanup_free_ char *bad = NULL;
	unsigned bad_line = 0;
	int r;

	c->args = args;
	c->host = root_is_host(args->root);
	c->root = c->host ? NULL : args->root;
	r = distro_detect(c->root, &c->distro, &bad, &bad_line);
	if (r < 0) {
		if (bad && bad_line)
			log_error_errno(r, "Failed to read %s, line %u: %m", bad, bad_line);
		else
			log_error_errno(r, "Failed to detect the distribution under %s: %m",
					root_label(c));
		return r;
	}
	distro_log_skipped(&c->distro);
	r = kernel_list_detect(c->root, &c->distro, &c->kernels);
	if (r < 0)
		return log_error_errno(r, "Failed to list the kernels under %s/lib/modules: %m",
				       c->host ? "" : c->root);
	r = tools_detect(c->root, &c->distro, &c->tools);
	if (r < 0)
		return log_error_errno(r, "Failed to look for DKMS and the build tools under %s: %m",
				       root_label(c));
	for (size_t i = 0; i < c->kernels.n; i++)
		if (c->kernels.kernels[i].running)
			c->running = c->kernels.kernels[i].release;

	if (args->kernels) {
		for (char **k = args->kernels; *k; k++) {
			if (!kernel_list_find(&c->kernels, *k))
				return log_error_errno(-ENOENT, "Kernel %s is not installed under "
						       "%s/lib/modules.", *k, c->host ? "" : c->root);
			if ((r = strv_push(&c->targets, *k)) < 0)
				return log_error_errno(r, "Out of memory.");
		}
	} else if (args->all_kernels || default_all) {
		for (size_t i = 0; i < c->kernels.n; i++)
			if ((r = strv_push(&c->targets, c->kernels.kernels[i].release)) < 0)
				return log_error_errno(r, "Out of memory.");
	} else {
		/* The kernel that boots next, and the one running now (activation needs it). */
		const struct kernel *d = kernel_list_default(&c->kernels);

		if (d && (r = strv_push(&c->targets, d->release)) < 0)
			return log_error_errno(r, "Out of memory.");
		if (c->running && !strv_contains(c->targets, c->running) &&
		    (r = strv_push(&c->targets, c->running)) < 0)
			return log_error_errno(r, "Out of memory.");
	}
	if (!c->targets)
		return log_error_errno(-ENOENT, "No kernel is installed under %s/lib/modules.",
				       c->host ? "" : c->root);
	return 0;
}

/* Runs argv (not through the journal: reads only). Returns like exec_run(). */
static int run_plain(const struct driver_job *c, char *const *argv, struct exec_result *ret)
{
	return exec_run(argv, &(struct exec_opts){ .chroot_dir = c->root, .merge_stderr = true,
			.timeout_sec = 900 }, ret);
}

static int read_dkms_status(const struct driver_job *c, struct dkms_status *ret)
{
	char *argv[] = { "dkms", "status", "-m", DKMS_MODULE, NULL };
	struct exec_result res;
	int r;

	if (!c->tools.dkms_present) {
		*ret = (struct dkms_status){};
		return 0;
	}
	r = run_plain(c, argv, &res);
	if (r < 0)
		return r;
	r = dkms_status_parse(res.output, DKMS_MODULE, ret);
	exec_result_done(&res);
	return r;
}

/* --- prerequisites and Secure Boot ----------------------------------------------------------- */

static char *join_ids(char *const *l)
{
	_cleanup_free_ char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	for (char *const *p = l; p && *p; p++)
		fprintf(f, "%s%s", p == l ? "" : " ", *p);
	if (fclose(f) != 0)
		return NULL;
	return TAKE_PTR(s);
}

/* Checks (and with --install-prereqs installs, through t) the prerequisites. Returns an exit
 * code. t may be NULL for the check alone. */
static int ensure_prereqs(struct driver_job *c, struct txn *t)
{
	_cleanup_(prereq_state_done) struct prereq_state s = {};
	_cleanup_(prereq_plan_done) struct prereq_plan p = {};
	_cleanup_free_ char *like = join_ids(c->distro.id_like), *cmd = NULL;
	enum prereq_family fam = prereq_family_from_ids(c->distro.id, like);
	enum package_manager pm = prereq_usable_manager(c->root, c->tools.package_manager);
	struct exec_result res;
	int r;

	r = prereq_probe(c->root, c->targets, &s);
	if (r >= 0)
		r = prereq_plan(fam, pm, &s, &p);
	if (r < 0)
		return log_error_errno(r, "Failed to check the build prerequisites: %m"), EXIT_FAILED;
	if (!p.missing)
		return EXIT_OK;
	cmd = p.install_argv ? prereq_command_line(p.install_argv) : NULL;
	if (!c->args->install_prereqs || !p.install_argv) {
		_cleanup_free_ char *what = join_ids(p.missing), *pkgs = join_ids(p.packages);

		log_error("Missing prerequisites for building the driver: %s.", what ? what : "?");
		if (pkgs && *pkgs)
			log_error("Packages (%s): %s", prereq_family_to_string(fam), pkgs);
		if (cmd)
			log_error("Install them with:\n  %s%s\nor run again with --install-prereqs.",
				  c->host ? "" : "chroot ROOT ", cmd);
		else
			log_error("No package manager is known for this system: install them by hand.");
		if (p.note)
			log_error("%s", p.note);
		return EXIT_PREREQ;
	}
	log_info("Installing prerequisites: %s", cmd);
	r = txn_run(t, p.install_argv, NULL, &(struct exec_opts){ .chroot_dir = c->root,
			.merge_stderr = true, .timeout_sec = 1800 }, &res);
	if (r < 0 && r != -ETIMEDOUT)
		return log_error_errno(r, "Failed to run %s: %m", p.install_argv[0]), EXIT_PREREQ;
	if (!exec_succeeded(&res)) {
		const char *out = res.output ? res.output : "";
		size_t n = strlen(out);

		log_error("'%s' failed (exit %d)%s. Its last output:\n%s", cmd, res.exit_code,
			  res.timed_out ? " after 30 minutes" : "", n > 2000 ? out + n - 2000 : out);
		if (p.note)
			log_error("%s", p.note);
		exec_result_done(&res);
		return EXIT_PREREQ;
	}
	exec_result_done(&res);
	log_info("Prerequisites installed.");
	/* Check again: a package may have been installed without what we need. */
	prereq_state_done(&s);
	prereq_plan_done(&p);
	if (prereq_probe(c->root, c->targets, &s) < 0 || prereq_plan(fam, pm, &s, &p) < 0 || p.missing) {
		_cleanup_free_ char *what = p.missing ? join_ids(p.missing) : NULL;

		log_error("Still missing after '%s': %s.", cmd, what ? what : "?");
		return EXIT_PREREQ;
	}
	return EXIT_OK;
}

/* Secure Boot: the module must be signed with an enrolled key. Returns an exit code. */
static int check_secure_boot(struct driver_job *c, const char **ret_state)
{
	_cleanup_free_ char *cert = NULL, *host_cert = NULL, *steps = NULL;
	_cleanup_strv_free_ char **argv = NULL;
	enum mok_state m = MOK_UNKNOWN;
	struct exec_result res;
	struct stat st;
	int r;

	*ret_state = secure_boot_to_string(c->tools.secure_boot);
	if (c->tools.secure_boot != SECURE_BOOT_ENABLED)
		return EXIT_OK;
	r = secureboot_dkms_certificate(c->root, &cert);
	if (r < 0)
		return log_error_errno(r, "Failed to read DKMS's configuration: %m"), EXIT_FAILED;
	if (path_chase(c->root, cert, 0, &host_cert) < 0 || stat(host_cert, &st) < 0) {
		m = MOK_NO_KEY;
	} else if (secureboot_test_key_argv(cert, &argv) >= 0 && run_plain(c, argv, &res) >= 0) {
		m = secureboot_parse_test_key(res.output);
		exec_result_done(&res);
	}
	if (m == MOK_ENROLLED)
		return EXIT_OK;
	steps = secureboot_enrol_steps(cert);
	if (c->args->force) {
		log_warning("Secure Boot is enabled and DKMS's key %s is %s; going on (--force): "
			    "vnic's module loads only once the key is enrolled.", cert,
			    mok_state_to_string(m));
		return EXIT_OK;
	}
	log_error("DKMS's signing key %s: %s. Nothing was changed.\n%s", cert,
		  mok_state_to_string(m), steps ? steps : "");
	return EXIT_PREREQ;
}

int driver_job_check(struct driver_job *c)
{
	int ec = check_secure_boot(c, &c->secure_boot);

	/* Missing prerequisites stop the run before it journals anything (unless they are to be
	 * installed, which goes through the transaction). */
	if (ec == EXIT_OK && !c->args->install_prereqs)
		ec = ensure_prereqs(c, NULL);
	return ec;
}

/* --- what is there -------------------------------------------------------------------------- */

/* Lists image; *ret_path gets the vmxnet3 in it (NULL: none). -errno when it cannot be read. */
static int initramfs_carries(const struct driver_job *c, const char *image, char **ret_path)
{
	_cleanup_strv_free_ char **argv = NULL;
	struct exec_result res;
	char *found = NULL;
	int r;

	r = initramfs_list_argv(c->tools.initramfs_tool, image, &argv);
	if (r < 0)
		return r;
	r = run_plain(c, argv, &res);
	if (r < 0)
		return r;
	if (!exec_succeeded(&res)) {
		exec_result_done(&res);
		return -EIO;
	}
	r = initramfs_listing_find(res.output, DKMS_MODULE, &found);
	exec_result_done(&res);
	if (r < 0 && r != -ENOENT)
		return r;
	*ret_path = found;
	return 0;
}

/* Each target kernel's DKMS state and whether its initramfs must be regenerated: it carries a
 * vmxnet3 that is not the wanted one (want_ours: vnic's). Prints on failure. */
static int gather_kernels(struct driver_job *c, bool want_ours)
{
	size_t n = strv_length(c->targets);
	struct driver_kernel *k = calloc(n ? n : 1, sizeof(*k));
	char **images = calloc(n ? n : 1, sizeof(char *));

	c->facts.kernels = k;
	c->images = images;
	if (!k || !images)
		return log_error_errno(-ENOMEM, "Out of memory.");
	c->facts.n_kernels = n;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *before = NULL;
		int r;

		k[i] = (struct driver_kernel){ .kver = c->targets[i],
					       .state = dkms_status_get(&c->st, VNIC_VERSION,
									 c->targets[i]) };
		if (c->tools.initramfs_tool == INITRAMFS_NONE)
			continue;
		r = initramfs_find_image(c->root, c->tools.initramfs_tool, k[i].kver, &images[i]);
		if (r == -ENOENT || r == -EOPNOTSUPP)
			continue;
		if (r < 0)
			return log_error_errno(r, "Failed to look for the initramfs of %s: %m", k[i].kver);
		r = initramfs_carries(c, images[i], &before);
		if (r < 0)
			return log_error_errno(r, "Failed to list %s with %s: %m", images[i],
					       initramfs_tool_to_string(c->tools.initramfs_tool));
		k[i].image = images[i];
		k[i].regen = before && initramfs_path_is_ours(before) != want_ours;
	}
	return 0;
}

/* The versions DKMS knows, and ours. */
static int gather_removals(struct driver_job *c)
{
	size_t n = 0;

	c->removals = calloc(c->st.n + 1, sizeof(*c->removals));
	if (!c->removals)
		return -ENOMEM;
	for (size_t i = 0; i <= c->st.n; i++) {
		const char *v = i < c->st.n ? c->st.entries[i].version : VNIC_VERSION;
		bool seen = false;

		for (size_t k = 0; k < n; k++)
			seen = seen || streq(c->removals[k].version, v);
		if (!seen)
			c->removals[n++] = (struct driver_removal){ v, i < c->st.n };
	}
	c->n_removals = n;
	return 0;
}

/* Activation only where it can happen now: on the host, when the running kernel is a target. */
static bool activates(const struct driver_job *c)
{
	return c->host && c->running && strv_contains(c->targets, c->running);
}

int driver_job_plan(struct driver_job *c, bool install)
{
	_cleanup_free_ char *dir = NULL, *conf = NULL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int r;

	c->install = install;
	r = read_dkms_status(c, &c->st);
	if (r < 0)
		return log_error_errno(r, "Failed to run 'dkms status': %m"), EXIT_FAILED;
	if (install && (r = dkms_find_sources(c->args->source_dir, &dir, &conf)) < 0)
		return log_error_errno(r, "Failed to find the driver sources (%s): %m. Use --source DIR.",
				       c->args->source_dir ? c->args->source_dir :
				       "the installed share directory or the source tree"), EXIT_FAILED;
	c->facts = (struct driver_facts){ .root = c->root, .version = VNIC_VERSION,
		.src_dir = dir, .conf_path = conf, .timeout_sec = 3600,
		.registered = dkms_status_get(&c->st, VNIC_VERSION, "") != DKMS_STATE_NONE,
		.jobs = cpus > 0 ? (unsigned)cpus : 1, .tool = c->tools.initramfs_tool };
	r = gather_kernels(c, install);
	if (r < 0)
		return EXIT_FAILED;
	r = install ? driver_install_steps(&c->facts, &c->steps, &c->sources_changed) :
		      gather_removals(c) < 0 ? -ENOMEM :
		      driver_remove_steps(&c->facts, c->removals, c->n_removals, &c->steps);
	c->split = c->steps.n;
	if (r >= 0)
		r = driver_initramfs_steps(&c->facts, install, &c->steps);
	c->act = (struct driver_activation){ .running = c->running, .want_ours = install };
	if (r >= 0 && activates(c))
		r = driver_activate_steps(&c->act, &c->steps);
	/* the sources are read now; the steps hold their copies */
	c->facts.src_dir = c->facts.conf_path = NULL;
	if (r < 0)
		return log_error_errno(r, "Failed to plan the driver's steps under %s: %m",
				       root_label(c)), EXIT_FAILED;
	return EXIT_OK;
}

/* --- running ------------------------------------------------------------------------------- */

static size_t kernels_with(struct driver_job *c, const char *result)
{
	size_t n = 0;

	for (size_t i = 0; i < c->facts.n_kernels; i++) {
		const char *why;

		n += streq(driver_kernel_result(&c->steps, &c->facts.kernels[i], &why), result);
	}
	return n;
}

static int apply_range(struct driver_job *c, struct txn *t, struct report *rep, size_t from,
		       size_t to)
{
	struct step_env env = { .txn = t, .chroot_dir = c->root, .rep = rep,
				.default_timeout = 3600, .inert_commands = c->inert };
	size_t failed = 0;
	int r;

	r = step_list_apply_range(&c->steps, from, to, &env, &failed);
	if (r < 0) {
		const struct step *s = &c->steps.v[failed];

		log_error("%s: %s", s->id, s->why ? s->why : strerror(-r));
	}
	return r;
}

int driver_job_apply(struct driver_job *c, struct txn *t, struct report *rep)
{
	int r;

	r = apply_range(c, t, rep, 0, c->split);
	if (r >= 0 && c->install &&
	    kernels_with(c, "installed") + kernels_with(c, "already installed") == 0) {
		log_error("The driver was installed for no kernel; everything is undone and the "
			  "kernel's own vmxnet3 stays in use.");
		r = -ENOPKG;
	}
	if (r >= 0)
		r = apply_range(c, t, rep, c->split, c->steps.n);
	if (r < 0 && c->act.want_ours && step_list_find(&c->steps, "driver.activate.vnic") &&
	    step_list_find(&c->steps, "driver.activate.vnic")->status == STEP_FAILED)
		log_error("vnic's vmxnet3 did not load; everything is undone.");
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}

/* --- install and remove -------------------------------------------------------------------- */

static void results_json(struct json_writer *w, struct driver_job *c)
{
	json_array_begin(w, "kernels");
	for (size_t i = 0; i < c->facts.n_kernels; i++) {
		const struct driver_kernel *k = &c->facts.kernels[i];
		const char *why, *res = driver_kernel_result(&c->steps, k, &why);

		json_object_begin(w, NULL);
		json_string(w, "kernel", k->kver);
		json_string(w, "result", res);
		json_string(w, "message", why);
		json_string(w, "initramfs", !k->image ? "no image" : k->regen ? "updated" :
					    "not needed");
		json_object_end(w);
	}
	json_array_end(w);
}

static void summary_json(struct driver_job *c, const char *action, bool rolled_back)
{
	struct json_writer w;

	/* one line after the reporter's events: the same JSON-lines stream */
	json_init(&w, stdout, false);
	json_object_begin(&w, NULL);
	json_string(&w, "event", "summary");
	json_string(&w, "action", action);
	json_string(&w, "version", VNIC_VERSION);
	json_string(&w, "secure_boot", c->secure_boot);
	json_bool(&w, "rolled_back", rolled_back);
	results_json(&w, c);
	json_string(&w, "activation", c->act.what);
	json_int(&w, "succeeded", (int64_t)(kernels_with(c, "installed") +
					    kernels_with(c, "already installed")));
	json_int(&w, "failed", (int64_t)kernels_with(c, "failed"));
	json_object_end(&w);
}

static void summary_text(struct driver_job *c, bool install)
{
	if (c->args->verbosity < 0)
		return;
	if (!install) {
		printf("Removed vnic's vmxnet3 from DKMS and /usr/src.\n");
	} else {
		printf("vnic vmxnet3 %s: %s /usr/src/%s-%s\n", VNIC_VERSION,
		       c->sources_changed ? "staged sources in" : "sources already in", DKMS_MODULE,
		       VNIC_VERSION);
		printf("Summary: vnic vmxnet3 %s is installed for", VNIC_VERSION);
		for (size_t i = 0; i < c->facts.n_kernels; i++) {
			const char *why, *res = driver_kernel_result(&c->steps, &c->facts.kernels[i], &why);

			if (strstr(res, "installed"))
				printf(" %s", c->facts.kernels[i].kver);
		}
		printf(".\n");
	}
	for (size_t i = 0; i < c->facts.n_kernels; i++) {
		const struct driver_kernel *k = &c->facts.kernels[i];
		const char *why, *res = driver_kernel_result(&c->steps, k, &why);

		if (install)
			printf("  %s: %s%s%s\n", k->kver, res, why ? ": " : "", why ? why : "");
		printf("  initramfs of %s: %s\n", k->kver, !k->image ? "no image" :
		       k->regen ? "updated" : "not needed");
	}
	printf("Activation: %s\n", c->act.what ? c->act.what :
	       c->host ? "the running kernel is not a target: a reboot into a target kernel loads it" :
			 "not a running system (--root): the next boot loads it");
}

static int rollback(struct driver_job *c, struct txn *t, int ec, const char *action)
{
	int r = txn_rollback(t);

	if (r < 0) {
		log_error_errno(r, "The rollback did not complete: %m. See 'vnic-install status'.");
		ec = EXIT_INCONSISTENT;
	} else if (streq(action, "remove")) {
		log_error("Nothing was removed (the changes made were undone).");
	}
	if (c->args->json)
		summary_json(c, action, true);
	return ec;
}

static int driver_run(struct driver_job *c, bool install)
{
	_cleanup_txn_ struct txn *t = NULL;
	const char *action = install ? "install" : "remove";
	struct report rep;
	int r, ec = install ? driver_job_check(c) : EXIT_OK;

	if (ec != EXIT_OK)
		return ec;
	r = begin_transaction(c->args, install ? "driver-install" : "driver-remove", &t);
	if (r < 0)
		return exit_code_for_errno(r);
	if (install && (ec = ensure_prereqs(c, t)) != EXIT_OK)
		return rollback(c, t, ec, action);
	/* The tools may have just been installed. */
	tools_done(&c->tools);
	if ((r = tools_detect(c->root, &c->distro, &c->tools)) < 0) {
		log_error_errno(r, "Failed to look for DKMS under %s: %m", root_label(c));
		return rollback(c, t, EXIT_FAILED, action);
	}
	ec = driver_job_plan(c, install);
	if (ec != EXIT_OK)
		return rollback(c, t, ec, action);
	verb_report_init(&rep, c->args, (unsigned)c->steps.n);
	ec = driver_job_apply(c, t, &rep);
	if (ec == EXIT_OK && (r = txn_commit(t)) < 0) {
		log_error_errno(r, "Failed to commit the transaction: %m");
		ec = EXIT_FAILED;
	}
	if (ec != EXIT_OK)
		return rollback(c, t, ec, action);
	for (size_t i = 0; !install && i < c->facts.n_kernels; i++) {
		_cleanup_(module_info_done) struct module_info m = {};

		/* DKMS removed its files; what is left of ours under updates/ is reported. */
		if (modules_lookup(c->root, c->targets[i], DKMS_MODULE, &m) >= 0 && m.in_updates)
			log_warning("%s still resolves vmxnet3 to %s (not DKMS's): left alone.",
				    c->targets[i], m.path);
	}
	if (c->args->json)
		summary_json(c, action, false);
	else
		summary_text(c, install);
	return install && kernels_with(c, "failed") > 0 ? EXIT_FAILED : EXIT_OK;
}

/* --- status -------------------------------------------------------------------------------------- */

static int driver_status(struct driver_job *c)
{
	_cleanup_(dkms_status_done) struct dkms_status st = {};
	_cleanup_(module_info_done) struct module_info loaded = {};
	bool is_loaded = c->host && modules_loaded(DKMS_MODULE, &loaded) >= 0;
	struct json_writer w;
	int r;

	r = read_dkms_status(c, &st);
	if (r < 0)
		log_warning_errno(r, "Failed to run 'dkms status': %m");
	if (c->args->json) {
		json_init(&w, stdout, true);
		json_object_begin(&w, NULL);
		json_string(&w, "version", VNIC_VERSION);
		json_string(&w, "secure_boot", secure_boot_to_string(c->tools.secure_boot));
		if (is_loaded) {
			json_object_begin(&w, "loaded");
			json_string(&w, "version", loaded.version);
			json_string(&w, "srcversion", loaded.srcversion);
			json_object_end(&w);
		} else {
			json_null(&w, "loaded");
		}
		json_array_begin(&w, "kernels");
	} else {
		printf("vnic vmxnet3 %s; Secure Boot: %s; loaded now: %s%s\n", VNIC_VERSION,
		       secure_boot_to_string(c->tools.secure_boot),
		       !c->host ? "n/a (--root)" : is_loaded ? "vmxnet3 " : "no vmxnet3",
		       is_loaded && loaded.version ? loaded.version : "");
	}
	for (char **k = c->targets; *k; k++) {
		_cleanup_(module_info_done) struct module_info would = {}, inbox = {};
		_cleanup_free_ char *image = NULL, *carried = NULL;
		bool has_would = modules_lookup(c->root, *k, DKMS_MODULE, &would) >= 0;
		bool has_inbox = modules_inbox(c->root, *k, DKMS_MODULE, &inbox) >= 0;
		enum dkms_state ds = dkms_status_get(&st, VNIC_VERSION, *k);
		const char *initrd = "no image";

		if (c->tools.initramfs_tool != INITRAMFS_NONE &&
		    initramfs_find_image(c->root, c->tools.initramfs_tool, *k, &image) >= 0) {
			if (initramfs_carries(c, image, &carried) < 0)
				initrd = "unreadable";
			else
				initrd = !carried ? "no vmxnet3" : initramfs_path_is_ours(carried) ? "ours" : "in-kernel";
		}
		if (c->args->json) {
			json_object_begin(&w, NULL);
			json_string(&w, "kernel", *k);
			json_bool(&w, "running", c->running && streq(c->running, *k));
			json_string(&w, "would_load", !has_would ? NULL : would.in_updates ? "ours" : "in-kernel");
			json_string(&w, "would_load_version", has_would ? would.version : NULL);
			json_string(&w, "would_load_path", has_would ? would.path : NULL);
			json_string(&w, "in_kernel_version", has_inbox ? inbox.version : NULL);
			json_string(&w, "initramfs", initrd);
			json_string(&w, "initramfs_image", image);
			json_string(&w, "dkms", dkms_state_to_string(ds));
			json_object_end(&w);
		} else {
			printf("%s%s:\n  would load: %s %s\n  in-kernel:  %s\n  initramfs:  %s%s%s%s\n  dkms:       %s\n", *k,
			       c->running && streq(c->running, *k) ? " (running)" : "",
			       !has_would ? "no vmxnet3" : would.in_updates ? "vnic's vmxnet3" : "the kernel's vmxnet3",
			       has_would && would.version ? would.version : "",
			       has_inbox && inbox.version ? inbox.version : "none",
			       initrd, image ? " (" : "", image ? image : "", image ? ")" : "",
			       dkms_state_to_string(ds));
		}
	}
	if (c->args->json) {
		json_array_end(&w);
		json_object_end(&w);
		fputc('\n', stdout);
	}
	return EXIT_OK;
}

int verb_driver(const struct vnic_args *args)
{
	_cleanup_(driver_job_done) struct driver_job c = {};
	const char *action = args->verb_args[0];
	bool status = streq(action, "status");

	if (!status && !streq(action, "install") && !streq(action, "remove")) {
		fprintf(stderr, "vnic-install: driver: unknown action '%s': expected install, remove or "
			"status.\n", action);
		return EXIT_USAGE;
	}
	if (!status && getuid() != 0) {
		log_error("driver %s changes the system: run it as root.", action);
		return EXIT_FAILED;
	}
	_cleanup_chroot_ struct chroot_mounts *mounts = NULL;
	int r;

	/* remove and status look at every kernel unless told otherwise. */
	if (driver_job_init(&c, args, !streq(action, "install")) < 0)
		return EXIT_FAILED;
	if (!c.host) {
		/* DKMS and the initramfs tools need /proc, /sys and /dev inside the root; the
		 * mounts live in a namespace of our own and go with the process. */
		r = chroot_private_namespace();
		if (r >= 0)
			r = chroot_setup(c.root, &mounts);
		if (r < 0) {
			log_error_errno(r, "Failed to mount /proc, /sys and /dev inside %s: %m", c.root);
			return EXIT_FAILED;
		}
	}
	if (status)
		return driver_status(&c);
	return driver_run(&c, streq(action, "install"));
}
