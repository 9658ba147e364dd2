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
#include <time.h>
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
#include "verbs.h"

#define LOG_DIR TXN_STATE_DIR "/logs"
#define PREV_SUFFIX ".vnic-prev"

struct ctx {
	const struct vnic_args *args;
	const char *root; /* NULL: the host */
	bool host, tty;
	struct exec_opts xo;
	struct distro distro;
	struct kernel_list kernels;
	struct tools tools;
	char **targets;
	const char *running; /* the running kernel's release (host only), or NULL */
};

static void ctx_done(struct ctx *c)
{
	distro_done(&c->distro);
	kernel_list_done(&c->kernels);
	tools_done(&c->tools);
	strv_free(c->targets);
}

static const char *root_label(const struct ctx *c)
{
	return c->host ? "/" : c->root;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(const struct ctx *c, const char *fmt, ...) _printf_(2, 3);
static void progress(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->args->json || c->args->verbosity < 0)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Detects the system and chooses the target kernels. Prints on failure. */
static int ctx_init(struct ctx *c, const struct vnic_args *args, bool default_all)
{
	_cleanup_free_ char *bad = NULL;
	unsigned bad_line = 0;
	int r;

	c->args = args;
	c->host = root_is_host(args->root);
	c->root = c->host ? NULL : args->root;
	c->tty = isatty(STDOUT_FILENO);
	c->xo = (struct exec_opts){ .chroot_dir = c->root, .merge_stderr = true };
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
static int run_plain(const struct ctx *c, char *const *argv, struct exec_result *ret)
{
	return exec_run(argv, &c->xo, ret);
}

static int read_dkms_status(const struct ctx *c, struct dkms_status *ret)
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
static int ensure_prereqs(struct ctx *c, struct txn *t)
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
	progress(c, "Installing prerequisites: %s\n", cmd);
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
	progress(c, "Prerequisites installed.\n");
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
static int check_secure_boot(struct ctx *c, const char **ret_state)
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

/* --- staging the sources ---------------------------------------------------------------------- */

/* Writes the sources and dkms.conf to /usr/src/vmxnet3-<version>; *ret_changed when any file
 * differed. Prints on failure. */
static int stage_sources(struct ctx *c, struct txn *t, bool *ret_changed)
{
	_cleanup_free_ char *dir = NULL, *conf = NULL, *tpl = NULL, *rendered = NULL,
			    *dest = dkms_source_dir(VNIC_VERSION);
	_cleanup_strv_free_ char **files = NULL;
	bool changed = false;
	int r;

	if (!dest)
		return log_error_errno(-ENOMEM, "Out of memory.");
	r = dkms_find_sources(c->args->source_dir, &dir, &conf);
	if (r < 0)
		return log_error_errno(r, "Failed to find the driver sources (%s): %m. Use --source DIR.",
				       c->args->source_dir ? c->args->source_dir :
							     "the installed share directory or the source tree");
	r = dkms_source_files(dir, &files);
	if (r < 0)
		return log_error_errno(r, "Failed to list the driver sources in %s: %m", dir);
	r = read_full_file(conf, 64 * 1024, &tpl, NULL);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s: %m", conf);
	r = dkms_conf_render(tpl, VNIC_VERSION, &rendered);
	if (r < 0)
		return log_error_errno(r, "Failed to use %s: it is not vnic's dkms.conf for version %s.",
				       conf, VNIC_VERSION);
	r = strv_push(&files, "dkms.conf");
	if (r < 0)
		return log_error_errno(r, "Out of memory.");
	for (char **f = files; *f; f++) {
		_cleanup_free_ char *src = NULL, *data = NULL, *target = NULL, *host = NULL, *old = NULL;
		size_t size, old_size = 0;
		bool is_conf = streq(*f, "dkms.conf");

		if (is_conf) {
			data = TAKE_PTR(rendered);
			size = strlen(data);
		} else {
			src = path_join(dir, *f);
			if (!src)
				return log_error_errno(-ENOMEM, "Out of memory.");
			r = read_full_file(src, READ_FILE_MAX, &data, &size);
			if (r < 0)
				return log_error_errno(r, "Failed to read %s: %m", src);
		}
		target = path_join(dest, *f);
		if (!target)
			return log_error_errno(-ENOMEM, "Out of memory.");
		if (path_chase(c->root, target, 0, &host) >= 0 &&
		    read_full_file(host, READ_FILE_MAX, &old, &old_size) >= 0 && old_size == size &&
		    memcmp(old, data, size) == 0)
			continue; /* re-run: already there */
		r = txn_write_file(t, target, data, size, 0644);
		if (r < 0)
			return log_error_errno(r, "Failed to write %s%s: %m", c->host ? "" : c->root,
					       target);
		changed = true;
	}
	*ret_changed = changed;
	return 0;
}

/* --- building ---------------------------------------------------------------------------------- */

struct kernel_result {
	const char *kver;
	const char *result;  /* "installed", "already installed", "skipped", "failed" */
	char *message;       /* why, for skipped and failed */
	char *log;           /* the kept build log (inside the root), for failures */
	const char *initramfs; /* "updated", "not needed", "no image", "failed", NULL */
	double seconds;
	bool ok;
};

/* Keeps a copy of DKMS's make.log under /var/lib/vnic/logs (rollback removes DKMS's tree). */
static char *keep_log(const struct ctx *c, const char *log, const char *kver)
{
	_cleanup_free_ char *host = NULL, *data = NULL, *dest = NULL, *dest_host = NULL;
	size_t size;

	if (!log || path_chase(c->root, log, 0, &host) < 0 ||
	    read_full_file(host, READ_FILE_MAX, &data, &size) < 0)
		return log ? strdup(log) : NULL;
	if (asprintf(&dest, LOG_DIR "/dkms-build-%s.log", kver) < 0)
		return NULL;
	if (path_chase(c->root, dest, CHASE_NONEXISTENT, &dest_host) < 0)
		return strdup(log);
	{
		_cleanup_free_ char *dirp = strdup(dest_host);

		if (!dirp)
			return NULL;
		*strrchr(dirp, '/') = 0;
		if (mkdir_parents(dirp, 0755) < 0 || write_file_atomic(dest_host, data, size, 0644) < 0)
			return strdup(log);
	}
	return TAKE_PTR(dest);
}

/* One dkms action through the journal; *ret_outcome and the output for messages. */
static int dkms_step(struct ctx *c, struct txn *t, const char *action, const char *kver,
		     unsigned jobs, bool force, char *const *undo, enum dkms_outcome *ret_outcome,
		     char **ret_output)
{
	_cleanup_strv_free_ char **argv = NULL;
	struct exec_result res;
	int r;

	r = dkms_argv(action, VNIC_VERSION, kver, jobs, &argv);
	if (r >= 0 && force)
		r = strv_push(&argv, "--force");
	if (r < 0)
		return r;
	r = txn_run(t, argv, undo, &(struct exec_opts){ .chroot_dir = c->root, .merge_stderr = true,
			.timeout_sec = 3600 }, &res);
	if (r < 0 && r != -ETIMEDOUT)
		return r;
	*ret_outcome = res.timed_out ? DKMS_FAILED : dkms_outcome_of(action, res.exit_code, res.output);
	if (ret_output)
		*ret_output = TAKE_PTR(res.output);
	exec_result_done(&res);
	return 0;
}

static char *last_lines(const char *s, unsigned n)
{
	const char *p;

	if (!s)
		return strdup("");
	p = s + strlen(s);
	while (p > s && (p[-1] == '\n'))
		p--;
	for (; p > s; p--)
		if (p[-1] == '\n' && --n == 0)
			break;
	return strdup(p);
}

/* Builds and installs for one kernel. Fills r; returns -errno only for failures to run. */
static int build_kernel(struct ctx *c, struct txn *t, const struct dkms_status *st, bool was_added,
			bool rebuild, unsigned jobs, struct kernel_result *kr)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_strv_free_ char **undo = NULL;
	enum dkms_state state = dkms_status_get(st, VNIC_VERSION, kr->kver);
	enum dkms_outcome o;
	double t0 = now_sec();
	int r;

	if (state == DKMS_STATE_INSTALLED && !rebuild) {
		kr->result = "already installed";
		kr->ok = true;
		progress(c, "  %s: already installed\n", kr->kver);
		return 0;
	}
	/* When the version was registered before this run, the add's undo does not cover this
	 * kernel: remove it for this kernel only. */
	if (was_added && state < DKMS_STATE_BUILT && (r = dkms_argv("remove", VNIC_VERSION, kr->kver, 0, &undo)) < 0)
		return r;
	if (c->tty && !c->args->json && c->args->verbosity >= 0)
		progress(c, "  %s: building with DKMS (%u jobs)...\n", kr->kver, jobs);
	if (state < DKMS_STATE_BUILT || rebuild) {
		r = dkms_step(c, t, "build", kr->kver, jobs, rebuild, undo, &o, &out);
		if (r < 0)
			return r;
		if (!dkms_outcome_ok(o)) {
			kr->seconds = now_sec() - t0;
			kr->result = o == DKMS_BUILD_EXCLUSIVE ? "skipped" : "failed";
			if (o == DKMS_BUILD_FAILED || o == DKMS_FAILED) {
				_cleanup_free_ char *named = NULL;

				if (dkms_log_from_output(out, &named) < 0)
					named = dkms_make_log_path(VNIC_VERSION);
				kr->log = keep_log(c, named, kr->kver);
			}
			if (o == DKMS_FAILED || o == DKMS_BAD_CONF) {
				_cleanup_free_ char *tail = last_lines(out, 5);

				if (asprintf(&kr->message, "%s: %s", dkms_outcome_to_string(o), tail ? tail : "") < 0)
					kr->message = NULL;
			} else {
				kr->message = strdup(dkms_outcome_to_string(o));
			}
			return 0;
		}
		free(out);
		out = NULL;
	}
	r = dkms_step(c, t, "install", kr->kver, 0, rebuild, NULL, &o, &out);
	if (r < 0)
		return r;
	kr->seconds = now_sec() - t0;
	if (!dkms_outcome_ok(o)) {
		_cleanup_free_ char *tail = last_lines(out, 4);

		kr->result = "failed";
		if (asprintf(&kr->message, "dkms install: %s%s%s", dkms_outcome_to_string(o),
			     o == DKMS_VERSION_REFUSED ? "" : ": ", o == DKMS_VERSION_REFUSED ? "" : (tail ? tail : "")) < 0)
			kr->message = NULL;
		return 0;
	}
	kr->result = "installed";
	kr->ok = true;
	return 0;
}

/* --- initramfs --------------------------------------------------------------------------------- */

/* Lists image; *ret_path gets the vmxnet3 in it (NULL: none). -errno when it cannot be read. */
static int initramfs_carries(const struct ctx *c, const char *image, char **ret_path)
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

/*
 * Regenerates kver's initramfs when it carries vmxnet3, keeping the previous image as
 * IMAGE.vnic-prev until the new one is checked (want_ours: it must carry ours; else it must not).
 * Returns 0 with *ret_what, or -errno after printing.
 */
static int refresh_initramfs(struct ctx *c, struct txn *t, const char *kver, bool want_ours,
			     const char **ret_what, char ***prev_images)
{
	_cleanup_free_ char *image = NULL, *before = NULL, *after = NULL, *prev = NULL;
	_cleanup_strv_free_ char **regen = NULL;
	struct exec_opts xo = { .chroot_dir = c->root, .merge_stderr = true, .timeout_sec = 900 };
	struct exec_result res;
	int r;

	*ret_what = "no image";
	if (c->tools.initramfs_tool == INITRAMFS_NONE)
		return 0;
	r = initramfs_find_image(c->root, c->tools.initramfs_tool, kver, &image);
	if (r == -ENOENT || r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return log_error_errno(r, "Failed to look for the initramfs of %s: %m", kver);
	r = initramfs_carries(c, image, &before);
	if (r < 0)
		return log_error_errno(r, "Failed to list %s with %s: %m", image,
				       initramfs_tool_to_string(c->tools.initramfs_tool));
	if (!before || initramfs_path_is_ours(before) == want_ours) {
		*ret_what = before ? "already right" : "not needed";
		return 0;
	}
	if (asprintf(&prev, "%s" PREV_SUFFIX, image) < 0)
		return log_error_errno(-ENOMEM, "Out of memory.");
	{
		char *cp[] = { "cp", "-a", image, prev, NULL };
		char *mv[] = { "mv", "-f", prev, image, NULL };

		r = txn_run(t, cp, mv, &xo, &res);
		if (r < 0 || !exec_succeeded(&res)) {
			exec_result_done(&res);
			return log_error_errno(r < 0 ? r : -EIO, "Failed to keep a copy of %s as %s.",
					       image, prev);
		}
		exec_result_done(&res);
	}
	strv_push(prev_images, prev);
	r = initramfs_regen_argv(c->tools.initramfs_tool, kver, image, &regen);
	if (r < 0)
		return log_error_errno(r, "Out of memory.");
	progress(c, "  %s: regenerating %s...\n", kver, image);
	r = txn_run(t, regen, NULL, &xo, &res);
	if (r < 0 || !exec_succeeded(&res)) {
		_cleanup_free_ char *tail = last_lines(res.output, 5);

		log_error("%s failed for %s (exit %d): %s", regen[0], kver, res.exit_code, tail ? tail : "");
		exec_result_done(&res);
		*ret_what = "failed";
		return -EIO;
	}
	exec_result_done(&res);
	r = initramfs_carries(c, image, &after);
	if (r < 0 || !after || initramfs_path_is_ours(after) != want_ours) {
		log_error("The new %s %s vnic's vmxnet3 (%s); the previous image is put back.", image,
			  want_ours ? "does not carry" : "still carries", after ? after : "no vmxnet3 at all");
		*ret_what = "failed";
		return -EIO;
	}
	*ret_what = "updated";
	return 0;
}

static void drop_prev_images(const struct ctx *c, char **prev)
{
	for (char **p = prev; p && *p; p++) {
		_cleanup_free_ char *host = NULL;

		if (path_chase(c->root, *p, 0, &host) >= 0)
			(void)unlink(host);
	}
}

/* --- activation --------------------------------------------------------------------------------- */

/* Puts the kernel's own vmxnet3 back after ours failed to load. */
static void restore_inbox(const struct ctx *c)
{
	_cleanup_(module_info_done) struct module_info inbox = {}, now = {};

	if (modules_loaded(DKMS_MODULE, &now) >= 0) {
		module_info_done(&now);
		(void)modules_unload(DKMS_MODULE);
	}
	if (!c->running || modules_inbox(NULL, c->running, DKMS_MODULE, &inbox) < 0) {
		log_error("The kernel's own vmxnet3 could not be found to load it again; a reboot loads it.");
		return;
	}
	if (modules_insert_file(inbox.path) < 0)
		log_error("Failed to load the kernel's own vmxnet3 (%s) again; a reboot loads it.", inbox.path);
	else
		log_info("The kernel's own vmxnet3 %s is loaded again.", inbox.version ? inbox.version : "");
}

/*
 * Makes the module that `modprobe vmxnet3` now resolves to the loaded one when nothing uses the
 * loaded one. want_ours: it must be ours (install) or not (remove). *ret_what describes the
 * result; returns -errno when loading failed (after putting the kernel's own back).
 */
static int activate(struct ctx *c, struct txn *t, bool want_ours, char **ret_what)
{
	_cleanup_(module_info_done) struct module_info target = {}, loaded = {}, after = {};
	_cleanup_strv_free_ char **bound = NULL, **up = NULL;
	bool is_loaded;
	int r;

	if (!c->host || !c->running || !strv_contains(c->targets, c->running)) {
		*ret_what = strdup(c->host ? "the running kernel is not a target: a reboot into a target "
					     "kernel loads it" :
					     "not a running system (--root): the next boot loads it");
		return 0;
	}
	r = modules_lookup(NULL, c->running, DKMS_MODULE, &target);
	if (r < 0)
		return log_error_errno(r, "Failed to look up vmxnet3 for %s: %m", c->running);
	if (target.in_updates != want_ours) {
		*ret_what = strdup("modprobe does not resolve to the expected vmxnet3; a reboot decides");
		return 0;
	}
	is_loaded = modules_loaded(DKMS_MODULE, &loaded) >= 0;
	if (is_loaded && streq(loaded.srcversion, target.srcversion) && streq(loaded.version, target.version)) {
		if (asprintf(ret_what, "already active (%s)", loaded.version ? loaded.version : "?") < 0)
			*ret_what = NULL;
		return 0;
	}
	if (is_loaded) {
		r = modules_users(NULL, DKMS_MODULE, &bound, &up);
		if (r < 0)
			return log_error_errno(r, "Failed to read /sys/class/net: %m");
		if (up) {
			_cleanup_free_ char *names = join_ids(up);

			if (asprintf(ret_what, "left as it is: %s %s up on the loaded vmxnet3 %s; a reboot or "
				     "'vnic-install swap' activates the new one", names ? names : "?",
				     strv_length(up) > 1 ? "are" : "is", loaded.version ? loaded.version : "") < 0)
				*ret_what = NULL;
			return 0;
		}
	}
	r = txn_step(t, want_ours ? "activate vnic vmxnet3" : "activate in-kernel vmxnet3");
	if (r < 0)
		return log_error_errno(r, "Failed to write the journal: %m");
	if (is_loaded) {
		r = modules_unload(DKMS_MODULE);
		if (r < 0) {
			if (asprintf(ret_what, "left as it is: the loaded vmxnet3 could not be unloaded (%s); a "
				     "reboot activates the new one", strerror(-r)) < 0)
				*ret_what = NULL;
			return 0;
		}
	}
	r = modules_probe(DKMS_MODULE);
	if (r >= 0)
		r = modules_loaded(DKMS_MODULE, &after);
	if (r >= 0 && (!streq(after.srcversion, target.srcversion) || !streq(after.version, target.version)))
		r = -EBADE;
	if (r < 0) {
		log_error_errno(r, "Failed to load %s (%s): %m", target.path, target.version ? target.version : "?");
		if (want_ours)
			restore_inbox(c);
		return r;
	}
	if (asprintf(ret_what, "loaded %s %s (srcversion %s)", want_ours ? "vnic's vmxnet3" : "the kernel's vmxnet3",
		     after.version ? after.version : "?", after.srcversion ? after.srcversion : "?") < 0)
		*ret_what = NULL;
	return 0;
}

/* --- install ------------------------------------------------------------------------------------- */

static void results_json(struct json_writer *w, const struct kernel_result *kr, size_t n)
{
	json_array_begin(w, "kernels");
	for (size_t i = 0; i < n; i++) {
		json_object_begin(w, NULL);
		json_string(w, "kernel", kr[i].kver);
		json_string(w, "result", kr[i].result);
		json_string(w, "message", kr[i].message);
		json_string(w, "log", kr[i].log);
		json_string(w, "initramfs", kr[i].initramfs);
		json_int(w, "milliseconds", (int64_t)(kr[i].seconds * 1000));
		json_object_end(w);
	}
	json_array_end(w);
}

static int driver_install(struct ctx *c)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_(dkms_status_done) struct dkms_status st = {};
	_cleanup_strv_free_ char **prev_images = NULL;
	_cleanup_free_ char *activation = NULL;
	_cleanup_free_ struct kernel_result *kr = NULL;
	size_t n = strv_length(c->targets), n_ok = 0, n_failed = 0;
	const char *sb = "unknown";
	bool was_added, changed = false, failed_hard = false;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned jobs = cpus > 0 ? (unsigned)cpus : 1;
	enum dkms_outcome o;
	int r, ec;

	kr = calloc(n, sizeof(*kr));
	if (!kr)
		return log_error_errno(-ENOMEM, "Out of memory."), EXIT_FAILED;
	for (size_t i = 0; i < n; i++) {
		kr[i].kver = c->targets[i];
		kr[i].result = "not attempted";
	}
	ec = check_secure_boot(c, &sb);
	if (ec != EXIT_OK)
		return ec;
	/* Missing prerequisites stop the run before it journals anything (unless they are to be
	 * installed, which goes through the transaction below). */
	if (!c->args->install_prereqs) {
		ec = ensure_prereqs(c, NULL);
		if (ec != EXIT_OK)
			return ec;
	}
	if (begin_transaction(c->args, "driver-install", &t) < 0)
		return EXIT_LOCKED;
	ec = ensure_prereqs(c, t);
	if (ec != EXIT_OK)
		goto rollback;
	/* The tools may have just been installed. */
	tools_done(&c->tools);
	if ((r = tools_detect(c->root, &c->distro, &c->tools)) < 0) {
		log_error_errno(r, "Failed to look for DKMS under %s: %m", root_label(c));
		ec = EXIT_FAILED;
		goto rollback;
	}
	r = read_dkms_status(c, &st);
	if (r < 0) {
		log_error_errno(r, "Failed to run 'dkms status': %m");
		ec = EXIT_FAILED;
		goto rollback;
	}
	was_added = dkms_status_get(&st, VNIC_VERSION, "") != DKMS_STATE_NONE;
	r = txn_step(t, "stage sources");
	if (r >= 0)
		r = stage_sources(c, t, &changed);
	if (r < 0) {
		ec = EXIT_FAILED;
		goto rollback;
	}
	progress(c, "vnic vmxnet3 %s: %s /usr/src/%s-%s\n", VNIC_VERSION,
		 changed ? "staged sources in" : "sources already in", DKMS_MODULE, VNIC_VERSION);
	if (!was_added) {
		_cleanup_strv_free_ char **undo = NULL;
		_cleanup_free_ char *out = NULL;

		if ((r = dkms_argv("remove", VNIC_VERSION, NULL, 0, &undo)) < 0 ||
		    (r = dkms_step(c, t, "add", NULL, 0, false, undo, &o, &out)) < 0) {
			log_error_errno(r, "Failed to run dkms add: %m");
			ec = EXIT_FAILED;
			goto rollback;
		}
		if (!dkms_outcome_ok(o)) {
			_cleanup_free_ char *tail = last_lines(out, 5);

			log_error("dkms add %s/%s failed: %s\n%s", DKMS_MODULE, VNIC_VERSION,
				  dkms_outcome_to_string(o), tail ? tail : "");
			ec = EXIT_FAILED;
			goto rollback;
		}
	}

	for (size_t i = 0; i < n; i++) {
		r = build_kernel(c, t, &st, was_added, changed && was_added, jobs, &kr[i]);
		if (r < 0) {
			log_error_errno(r, "Failed to run dkms for %s: %m", kr[i].kver);
			ec = EXIT_FAILED;
			goto rollback;
		}
		if (kr[i].ok) {
			n_ok++;
			if (!streq(kr[i].result, "already installed"))
				progress(c, "  %s: %s in %.1f s\n", kr[i].kver, kr[i].result, kr[i].seconds);
		} else if (streq(kr[i].result, "skipped")) {
			progress(c, "  %s: %s\n", kr[i].kver, kr[i].message);
		} else {
			n_failed++;
			if (!c->args->json)
				log_error("  %s: %s after %.1f s%s%s", kr[i].kver,
					  kr[i].message ? kr[i].message : "failed", kr[i].seconds,
					  kr[i].log ? "; build log: " : "", kr[i].log ? kr[i].log : "");
		}
	}
	if (n_ok == 0) {
		log_error("The driver was installed for no kernel; everything is undone and the "
			  "kernel's own vmxnet3 stays in use.");
		ec = EXIT_FAILED;
		goto rollback;
	}
	for (size_t i = 0; i < n; i++) {
		if (!kr[i].ok)
			continue;
		r = refresh_initramfs(c, t, kr[i].kver, true, &kr[i].initramfs, &prev_images);
		if (r < 0) {
			ec = EXIT_FAILED;
			goto rollback;
		}
	}
	r = activate(c, t, true, &activation);
	if (r < 0) {
		log_error("vnic's vmxnet3 did not load; everything is undone.");
		ec = EXIT_FAILED;
		goto rollback;
	}
	r = txn_commit(t);
	if (r < 0) {
		log_error_errno(r, "Failed to commit the transaction: %m");
		ec = EXIT_FAILED;
		goto rollback;
	}
	drop_prev_images(c, prev_images);

	if (c->args->json) {
		struct json_writer w;

		json_init(&w, stdout, true);
		json_object_begin(&w, NULL);
		json_string(&w, "action", "install");
		json_string(&w, "version", VNIC_VERSION);
		json_string(&w, "secure_boot", sb);
		results_json(&w, kr, n);
		json_string(&w, "activation", activation);
		json_int(&w, "succeeded", (int64_t)n_ok);
		json_int(&w, "failed", (int64_t)n_failed);
		json_object_end(&w);
		fputc('\n', stdout);
	} else if (c->args->verbosity >= 0) {
		printf("Summary: vnic vmxnet3 %s is installed for", VNIC_VERSION);
		for (size_t i = 0; i < n; i++)
			if (kr[i].ok)
				printf(" %s", kr[i].kver);
		printf(".\n");
		for (size_t i = 0; i < n; i++)
			if (!kr[i].ok)
				printf("  not for %s: %s\n", kr[i].kver, kr[i].message ? kr[i].message : kr[i].result);
		for (size_t i = 0; i < n; i++)
			if (kr[i].ok && kr[i].initramfs)
				printf("  initramfs of %s: %s\n", kr[i].kver, kr[i].initramfs);
		printf("Activation: %s\n", activation ? activation : "?");
	}
	ec = n_failed > 0 ? EXIT_FAILED : EXIT_OK;
	goto out;

rollback:
	failed_hard = true;
	r = txn_rollback(t);
	if (r < 0) {
		log_error_errno(r, "The rollback did not complete: %m. See 'vnic-install status'.");
		ec = EXIT_INCONSISTENT;
	}
	if (c->args->json) {
		struct json_writer w;

		json_init(&w, stdout, true);
		json_object_begin(&w, NULL);
		json_string(&w, "action", "install");
		json_string(&w, "version", VNIC_VERSION);
		json_bool(&w, "rolled_back", true);
		results_json(&w, kr, n);
		json_object_end(&w);
		fputc('\n', stdout);
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(kr[i].message);
		free(kr[i].log);
	}
	(void)failed_hard;
	return ec;
}

/* --- remove -------------------------------------------------------------------------------------- */

/* Removes /usr/src/vmxnet3-<version> file by file (restorable) and then the directory. */
static int unstage(struct ctx *c, struct txn *t, const char *version)
{
	_cleanup_free_ char *dir = dkms_source_dir(version), *host = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r;

	if (!dir)
		return -ENOMEM;
	r = path_chase(c->root, dir, 0, &host);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	d = opendir(host);
	if (!d)
		return negative_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR)
			return -ENOTEMPTY; /* not something we staged */
		p = path_join(dir, de->d_name);
		if (!p)
			return -ENOMEM;
		r = txn_remove_file(t, p);
		if (r < 0)
			return r;
	}
	{
		char *rmdir_argv[] = { "rmdir", dir, NULL };
		char *mkdir_argv[] = { "mkdir", "-p", dir, NULL };
		struct exec_result res;

		r = txn_run(t, rmdir_argv, mkdir_argv, &c->xo, &res);
		if (r >= 0 && !exec_succeeded(&res))
			r = -ENOTEMPTY;
		exec_result_done(&res);
	}
	return r;
}

static int driver_remove(struct ctx *c)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_(dkms_status_done) struct dkms_status st = {};
	_cleanup_strv_free_ char **versions = NULL, **prev_images = NULL;
	_cleanup_free_ char *activation = NULL;
	size_t n = strv_length(c->targets);
	_cleanup_free_ const char **initramfs = calloc(n ? n : 1, sizeof(char *));
	int r, ec = EXIT_FAILED;

	if (!initramfs)
		return log_error_errno(-ENOMEM, "Out of memory."), EXIT_FAILED;
	if (begin_transaction(c->args, "driver-remove", &t) < 0)
		return EXIT_LOCKED;
	r = read_dkms_status(c, &st);
	if (r < 0) {
		log_error_errno(r, "Failed to run 'dkms status': %m");
		goto rollback;
	}
	for (size_t i = 0; i < st.n; i++)
		if (!strv_contains(versions, st.entries[i].version) && strv_push(&versions, st.entries[i].version) < 0)
			goto rollback;
	if (!strv_contains(versions, VNIC_VERSION) && strv_push(&versions, VNIC_VERSION) < 0)
		goto rollback;
	for (char **v = versions; *v; v++) {
		_cleanup_strv_free_ char **argv = NULL;
		struct exec_result res;
		bool known = false;

		for (size_t i = 0; i < st.n; i++)
			known = known || streq(st.entries[i].version, *v);
		if (known) {
			if ((r = dkms_argv("remove", *v, NULL, 0, &argv)) < 0)
				goto rollback;
			progress(c, "dkms remove %s/%s --all\n", DKMS_MODULE, *v);
			r = txn_run(t, argv, NULL, &c->xo, &res);
			if (r < 0 || !exec_succeeded(&res)) {
				_cleanup_free_ char *tail = last_lines(res.output, 5);

				log_error("dkms remove %s/%s --all failed: %s", DKMS_MODULE, *v,
					  r < 0 ? strerror(-r) : (tail ? tail : ""));
				exec_result_done(&res);
				goto rollback;
			}
			exec_result_done(&res);
		}
		r = unstage(c, t, *v);
		if (r >= 0 && known) {
			/* DKMS 3 can exit 0 without doing anything (no /proc in a root): check. */
			_cleanup_(dkms_status_done) struct dkms_status after = {};

			r = read_dkms_status(c, &after);
			if (r >= 0 && dkms_status_get(&after, *v, "") != DKMS_STATE_NONE) {
				log_error("dkms remove %s/%s --all returned success but DKMS still lists it.",
					  DKMS_MODULE, *v);
				goto rollback;
			}
		}
		if (r < 0) {
			log_error_errno(r, "Failed to remove /usr/src/%s-%s: %m", DKMS_MODULE, *v);
			goto rollback;
		}
	}
	/* DKMS removed the files; what is left of ours under updates/ is reported, not guessed at. */
	for (size_t i = 0; i < n; i++) {
		_cleanup_(module_info_done) struct module_info m = {};

		if (modules_lookup(c->root, c->targets[i], DKMS_MODULE, &m) >= 0 && m.in_updates)
			log_warning("%s still resolves vmxnet3 to %s (not DKMS's): left alone.", c->targets[i], m.path);
	}
	for (size_t i = 0; i < n; i++) {
		r = refresh_initramfs(c, t, c->targets[i], false, &initramfs[i], &prev_images);
		if (r < 0)
			goto rollback;
	}
	r = activate(c, t, false, &activation);
	if (r < 0)
		goto rollback;
	r = txn_commit(t);
	if (r < 0) {
		log_error_errno(r, "Failed to commit the transaction: %m");
		goto rollback;
	}
	drop_prev_images(c, prev_images);
	if (c->args->json) {
		struct json_writer w;

		json_init(&w, stdout, true);
		json_object_begin(&w, NULL);
		json_string(&w, "action", "remove");
		json_array_begin(&w, "kernels");
		for (size_t i = 0; i < n; i++) {
			json_object_begin(&w, NULL);
			json_string(&w, "kernel", c->targets[i]);
			json_string(&w, "initramfs", initramfs[i]);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_string(&w, "activation", activation);
		json_object_end(&w);
		fputc('\n', stdout);
	} else if (c->args->verbosity >= 0) {
		printf("Removed vnic's vmxnet3 from DKMS and /usr/src.\n");
		for (size_t i = 0; i < n; i++)
			printf("  initramfs of %s: %s\n", c->targets[i], initramfs[i] ? initramfs[i] : "-");
		printf("Activation: %s\n", activation ? activation : "?");
	}
	return EXIT_OK;

rollback:
	r = txn_rollback(t);
	if (r < 0) {
		log_error_errno(r, "The rollback did not complete: %m. See 'vnic-install status'.");
		return EXIT_INCONSISTENT;
	}
	log_error("Nothing was removed (the changes made were undone).");
	return ec;
}

/* --- status -------------------------------------------------------------------------------------- */

static int driver_status(struct ctx *c)
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
		printf("vnic vmxnet3 %s; Secure Boot: %s; loaded now: %s%s%s\n", VNIC_VERSION,
		       secure_boot_to_string(c->tools.secure_boot),
		       !c->host ? "n/a (--root)" : is_loaded ? "vmxnet3 " : "no vmxnet3",
		       is_loaded && loaded.version ? loaded.version : "",
		       is_loaded && loaded.srcversion ? "" : "");
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
	_cleanup_(ctx_done) struct ctx c = {};
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
	if (ctx_init(&c, args, !streq(action, "install")) < 0)
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
	if (streq(action, "install"))
		return driver_install(&c);
	return driver_remove(&c);
}
