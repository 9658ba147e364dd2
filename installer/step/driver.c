// SPDX-License-Identifier: GPL-2.0-or-later
/* The driver's install and remove steps (driver.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "step/driver.h"
#include "txn/txn.h"

#define LOG_DIR TXN_STATE_DIR "/logs"

/* --- judging dkms ------------------------------------------------------------------------- */

static const char *action_of(const struct step *s)
{
	return s->argv[1];
}

/* Keeps a copy of DKMS's make.log under /var/lib/vnic/logs (a rollback removes DKMS's tree);
 * returns its path inside the root, or the original path (to free). */
static char *keep_log(const char *root, const char *output, const char *kver, const char *version)
{
	_cleanup_free_ char *log = NULL, *host = NULL, *data = NULL, *dest = NULL, *dest_host = NULL,
			    *dir = NULL;
	size_t size;

	if (dkms_log_from_output(output, &log) < 0)
		log = dkms_make_log_path(version);
	if (!log || path_chase(root, log, 0, &host) < 0 ||
	    read_full_file(host, READ_FILE_MAX, &data, &size) < 0)
		return TAKE_PTR(log);
	if (asprintf(&dest, LOG_DIR "/dkms-build-%s.log", kver) < 0)
		return TAKE_PTR(log);
	if (path_chase(root, dest, CHASE_NONEXISTENT, &dest_host) < 0 || !(dir = strdup(dest_host)))
		return TAKE_PTR(log);
	*strrchr(dir, '/') = 0;
	if (mkdir_parents(dir, 0755) < 0 || write_file_atomic(dest_host, data, size, 0644) < 0)
		return TAKE_PTR(log);
	return TAKE_PTR(dest);
}

static int judge_dkms(const struct step *s, const struct exec_result *res, char **ret_why)
{
	const struct driver_facts *f = s->userdata;
	const char *action = action_of(s);
	const char *kver = strv_length(s->argv) > 4 && streq(s->argv[3], "-k") ? s->argv[4] : NULL;
	enum dkms_outcome o = res->timed_out ? DKMS_FAILED :
					       dkms_outcome_of(action, res->exit_code, res->output);
	_cleanup_free_ char *tail = NULL, *log = NULL;
	bool build_failed = o == DKMS_BUILD_FAILED || o == DKMS_FAILED;

	if (dkms_outcome_ok(o))
		return 0;
	tail = step_output_tail(res->output, 5);
	if (streq(action, "build") && build_failed && kver)
		log = keep_log(f->root, res->output, kver, f->version);
	if (asprintf(ret_why, "dkms %s %s/%s%s%s: %s%s%s%s%s", action, DKMS_MODULE, f->version,
		     kver ? " for " : "", kver ? kver : "", dkms_outcome_to_string(o),
		     tail && *tail ? ": " : "", tail ? tail : "", log ? "; build log: " : "",
		     log ? log : "") < 0)
		*ret_why = NULL;
	if (f->strict || !kver)
		return o == DKMS_HEADERS_MISSING ? -ENOPKG : -EIO;
	return o == DKMS_BUILD_EXCLUSIVE ? STEP_SKIP_GROUP : STEP_FAIL_GROUP;
}

static int dkms_step(struct driver_facts *f, struct step_list *l, const char *action,
		     const struct driver_kernel *k, bool force, char *const *undo, const char *title)
{
	_cleanup_strv_free_ char **argv = NULL;
	_cleanup_free_ char *id = NULL;
	struct step *s;
	int r;

	r = dkms_argv(action, f->version, k ? k->kver : NULL, streq(action, "build") ? f->jobs : 0,
		      &argv);
	if (r >= 0 && force)
		r = strv_push(&argv, "--force");
	if (r < 0 || asprintf(&id, "driver.dkms-%s%s%s", action, k ? "." : "", k ? k->kver : "") < 0)
		return -ENOMEM;
	r = step_add_run(l, id, argv, undo, "%s", title);
	if (r < 0)
		return r;
	s = step_last(l);
	s->judge = judge_dkms;
	s->userdata = f;
	s->timeout_sec = f->timeout_sec;
	s->fault = streq(action, "build") ? "dkms-build" : "dkms";
	s->group = k ? k->group : 0;
	return 0;
}

/* --- sources ------------------------------------------------------------------------------ */

/* The contents of source file name (dkms.conf rendered from its template), to free. */
static int source_data(const struct driver_facts *f, const char *name, char **ret, size_t *ret_size)
{
	_cleanup_free_ char *src = NULL, *tpl = NULL;
	int r;

	if (!streq(name, "dkms.conf")) {
		src = path_join(f->src_dir, name);
		return src ? read_full_file(src, READ_FILE_MAX, ret, ret_size) : -ENOMEM;
	}
	r = read_full_file(f->conf_path, READ_FILE_MAX, &tpl, NULL);
	if (r >= 0)
		r = dkms_conf_render(tpl, f->version, ret);
	if (r >= 0)
		*ret_size = strlen(*ret);
	return r;
}

/* Whether path under root holds exactly data already (a re-run). */
static bool same_file(const char *root, const char *path, const char *data, size_t size)
{
	_cleanup_free_ char *host = NULL, *old = NULL;
	size_t old_size = 0;

	return path_chase(root, path, 0, &host) >= 0 &&
	       read_full_file(host, READ_FILE_MAX, &old, &old_size) >= 0 && old_size == size &&
	       memcmp(old, data, size) == 0;
}

static int source_steps(struct driver_facts *f, struct step_list *l, bool *ret_changed)
{
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_free_ char *dest = dkms_source_dir(f->version);
	int r;

	if (!dest)
		return -ENOMEM;
	r = dkms_source_files(f->src_dir, &files);
	if (r >= 0)
		r = strv_push(&files, "dkms.conf");
	for (char **n = files; r >= 0 && *n; n++) {
		_cleanup_free_ char *data = NULL, *target = path_join(dest, *n), *id = NULL;
		size_t size = 0;

		if (!target)
			return -ENOMEM;
		r = source_data(f, *n, &data, &size);
		if (r < 0 || same_file(f->root, target, data, size))
			continue;
		if (asprintf(&id, "driver.source.%s", target) < 0)
			return -ENOMEM;
		r = step_add_write(l, id, target, data, size, 0644, "driver source %s", *n);
		if (r >= 0)
			step_last(l)->brief = true;
		*ret_changed = true;
	}
	return r;
}

/* --- install ------------------------------------------------------------------------------ */

int driver_keep_steps(struct driver_facts *f, struct step_list *l)
{
	for (size_t i = 0; i < f->n_kernels; i++) {
		struct driver_kernel *k = &f->kernels[i];
		_cleanup_strv_free_ char **regen = NULL;
		_cleanup_free_ char *id = NULL;
		int r;

		if (!k->regen || !k->image)
			continue;
		r = initramfs_regen_argv(f->tool, k->kver, k->image, &regen);
		if (r < 0 || asprintf(&id, "driver.initramfs-keep.%s", k->kver) < 0)
			return r < 0 ? r : -ENOMEM;
		/* Before `dkms add`: a rollback regenerates a too large image after the undo of
		 * the add (newest first), when our module is gone again. */
		r = step_add_keep(l, id, k->image, regen, "Keep the initramfs %s of %s in the "
				  "journal (put back on rollback)", k->image, k->kver);
		if (r < 0)
			return r;
		step_last(l)->group = k->group;
	}
	return 0;
}

static int kernel_steps(struct driver_facts *f, struct driver_kernel *k, bool rebuild,
			struct step_list *l)
{
	_cleanup_strv_free_ char **undo = NULL;
	_cleanup_free_ char *b = NULL, *in = NULL;
	int r;

	if (k->state == DKMS_STATE_INSTALLED && !rebuild)
		return 0;
	/* Registered before this run: the add's undo does not cover this kernel. */
	if (f->registered && k->state < DKMS_STATE_BUILT &&
	    (r = dkms_argv("remove", f->version, k->kver, 0, &undo)) < 0)
		return r;
	if (asprintf(&b, "Build vmxnet3 %s for %s through DKMS", f->version, k->kver) < 0 ||
	    asprintf(&in, "Install it into /lib/modules/%s/updates/dkms", k->kver) < 0)
		return -ENOMEM;
	if (k->state < DKMS_STATE_BUILT || rebuild) {
		r = dkms_step(f, l, "build", k, rebuild, undo, b);
		if (r < 0)
			return r;
	}
	return dkms_step(f, l, "install", k, rebuild, NULL, in);
}

int driver_install_steps(struct driver_facts *f, struct step_list *l, bool *ret_changed)
{
	_cleanup_strv_free_ char **remove = NULL;
	bool changed = false;
	int r;

	for (size_t i = 0; i < f->n_kernels; i++)
		f->kernels[i].group = (unsigned)i + 1;
	r = source_steps(f, l, &changed);
	if (r >= 0)
		r = driver_keep_steps(f, l);
	/* Registered already (by the vmxnet3-dkms package, say): no add, and so no undo that
	 * would unregister what this run did not register. */
	if (r >= 0 && !f->registered && (r = dkms_argv("remove", f->version, NULL, 0, &remove)) >= 0)
		r = dkms_step(f, l, "add", NULL, false, remove, "Register vmxnet3 with DKMS");
	for (size_t i = 0; r >= 0 && i < f->n_kernels; i++)
		r = kernel_steps(f, &f->kernels[i], changed && f->registered, l);
	if (ret_changed)
		*ret_changed = changed;
	return r;
}

/* --- initramfs ---------------------------------------------------------------------------- */

static int judge_listing(const struct step *s, const struct exec_result *res, char **ret_why)
{
	_cleanup_free_ char *found = NULL;
	bool want_ours = s->userdata != NULL;

	if (exec_succeeded(res) && initramfs_listing_find(res->output, DKMS_MODULE, &found) >= 0 &&
	    initramfs_path_is_ours(found) == want_ours)
		return 0;
	if (asprintf(ret_why, "The new %s %s vnic's vmxnet3 (%s)", s->argv[strv_length(s->argv) - 1],
		     want_ours ? "does not carry" : "still carries",
		     found ? found : exec_succeeded(res) ? "no vmxnet3 at all" : "unreadable") < 0)
		*ret_why = NULL;
	return -EIO;
}

int driver_initramfs_steps(struct driver_facts *f, bool want_ours, struct step_list *l)
{
	static int ours;

	for (size_t i = 0; i < f->n_kernels; i++) {
		struct driver_kernel *k = &f->kernels[i];
		_cleanup_strv_free_ char **regen = NULL, **list = NULL;
		_cleanup_free_ char *id = NULL, *cid = NULL;
		struct step *s;
		int r;

		if (!k->regen || !k->image)
			continue;
		r = initramfs_regen_argv(f->tool, k->kver, k->image, &regen);
		if (r >= 0)
			r = initramfs_list_argv(f->tool, k->image, &list);
		if (r < 0 || asprintf(&id, "driver.initramfs.%s", k->kver) < 0 ||
		    asprintf(&cid, "driver.initramfs-check.%s", k->kver) < 0)
			return r < 0 ? r : -ENOMEM;
		r = step_add_run(l, id, regen, NULL, "Regenerate the initramfs of %s", k->kver);
		if (r < 0)
			return r;
		s = step_last(l);
		s->fault = "initramfs";
		s->timeout_sec = 1800; /* prepare's; driver install had 900, too short under TCG */
		s->rewrites = k->image;
		s->group = k->group;
		r = step_add_probe(l, cid, list, "Check that %s %s vnic's vmxnet3 (else everything is "
				   "undone)", k->image, want_ours ? "holds" : "no longer holds");
		if (r < 0)
			return r;
		s = step_last(l);
		s->judge = judge_listing;
		s->userdata = want_ours ? &ours : NULL;
		s->group = k->group;
	}
	return 0;
}

/* --- remove ------------------------------------------------------------------------------- */

/* dkms status no longer lists the version (DKMS 3 can exit 0 having done nothing). */
static int check_gone(struct step_list *l, size_t i, struct step_env *env, char **ret_why)
{
	const struct driver_removal *v = l->v[i].userdata;
	char *argv[] = { (char *)"dkms", (char *)"status", (char *)"-m", (char *)DKMS_MODULE, NULL };
	_cleanup_(dkms_status_done) struct dkms_status st = {};
	struct exec_result res = {};
	int r;

	if (env->inert_commands)
		return 0;
	r = exec_run(argv, &(struct exec_opts){ .chroot_dir = env->chroot_dir,
			.merge_stderr = true, .timeout_sec = 300 }, &res);
	if (r >= 0)
		r = dkms_status_parse(res.output, DKMS_MODULE, &st);
	exec_result_done(&res);
	if (r < 0)
		return r;
	if (dkms_status_get(&st, v->version, "") == DKMS_STATE_NONE)
		return 0;
	if (asprintf(ret_why, "dkms remove %s/%s --all returned success but DKMS still lists it",
		     DKMS_MODULE, v->version) < 0)
		*ret_why = NULL;
	return -EIO;
}

static int unstage_steps(struct driver_facts *f, const char *version, struct step_list *l)
{
	_cleanup_free_ char *dir = dkms_source_dir(version), *host = NULL, *id = NULL;
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	char *rmdir_argv[] = { (char *)"rmdir", dir, NULL }, *mkdir_argv[] = { (char *)"mkdir",
								      (char *)"-p", dir, NULL };
	struct dirent *de;
	int r;

	if (!dir)
		return -ENOMEM;
	r = path_chase(f->root, dir, 0, &host);
	if (r == -ENOENT)
		return 0;
	if (r < 0 || !(d = opendir(host)))
		return r < 0 ? r : negative_errno();
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
			if (de->d_type == DT_DIR)
				return -ENOTEMPTY; /* not something we staged */
			if (strv_push(&names, de->d_name) < 0)
				return -ENOMEM;
		}
	strv_sort(names);
	for (char **n = names; n && *n; n++) {
		_cleanup_free_ char *p = path_join(dir, *n), *fid = NULL;

		if (!p || asprintf(&fid, "driver.unstage.%s", p) < 0)
			return -ENOMEM;
		r = step_add_remove(l, fid, p, "driver source %s", *n);
		if (r < 0)
			return r;
	}
	if (asprintf(&id, "driver.unstage.%s", dir) < 0)
		return -ENOMEM;
	return step_add_run(l, id, rmdir_argv, mkdir_argv, "Remove the directory %s", dir);
}

int driver_remove_steps(struct driver_facts *f, const struct driver_removal *v, size_t n,
			struct step_list *l)
{
	int r;

	for (size_t i = 0; i < f->n_kernels; i++)
		f->kernels[i].group = (unsigned)i + 1;
	r = driver_keep_steps(f, l);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_strv_free_ char **argv = NULL;
		_cleanup_free_ char *id = NULL, *gid = NULL;

		if (asprintf(&id, "driver.dkms-remove.%s", v[i].version) < 0 ||
		    asprintf(&gid, "driver.dkms-gone.%s", v[i].version) < 0)
			return -ENOMEM;
		if (v[i].known && (r = dkms_argv("remove", v[i].version, NULL, 0, &argv)) >= 0)
			r = step_add_run(l, id, argv, NULL, "Remove vmxnet3/%s from DKMS, every kernel",
					 v[i].version);
		if (r >= 0)
			r = unstage_steps(f, v[i].version, l);
		if (r >= 0 && v[i].known)
			r = step_add_call(l, gid, check_gone, (void *)&v[i], "Check that DKMS no "
					  "longer lists vmxnet3/%s", v[i].version);
	}
	return r;
}

/* --- results ------------------------------------------------------------------------------ */

const char *driver_kernel_result(struct step_list *l, const struct driver_kernel *k,
				 const char **ret_why)
{
	const char *result = "already installed";

	*ret_why = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct step *s = &l->v[i];

		if (s->group != k->group || s->kind != STEP_RUN || !strstr(s->id, "dkms-"))
			continue;
		switch (s->status) {
		case STEP_PENDING:
			return "not attempted";
		case STEP_GROUP_SKIPPED:
			*ret_why = s->why;
			return "skipped";
		case STEP_GROUP_FAILED:
		case STEP_FAILED:
			*ret_why = s->why;
			return "failed";
		default:
			result = "installed";
		}
	}
	return result;
}
