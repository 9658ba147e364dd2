// SPDX-License-Identifier: GPL-2.0-or-later
/* The one executor of step lists (step.h): each step journaled by its id, then done, judged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/fault.h"
#include "lib/report.h"
#include "lib/strv.h"
#include "step.h"
#include "txn/txn.h"

#define DEFAULT_TIMEOUT 1800

/* `true ARGV...` for env->inert_commands (to free), or NULL with *ret = argv unchanged. */
static int inert(const struct step_env *env, char *const *argv, char ***ret_owned,
		 char *const **ret)
{
	*ret_owned = NULL;
	*ret = argv;
	if (!env->inert_commands || !argv)
		return 0;
	if (strv_push(ret_owned, "true") < 0)
		return -ENOMEM;
	for (char *const *a = argv; *a; a++)
		if (strv_push(ret_owned, *a) < 0)
			return -ENOMEM;
	*ret = *ret_owned;
	return 0;
}

static struct exec_opts opts_of(const struct step *s, const struct step_env *env)
{
	return (struct exec_opts){ .chroot_dir = env->chroot_dir, .merge_stderr = true,
				   .timeout_sec = s->timeout_sec ? s->timeout_sec :
						  env->default_timeout ? env->default_timeout :
						  DEFAULT_TIMEOUT };
}

/* The default judge: exit status 0. */
static int judge_exit(const struct step *s, const struct exec_result *res, char **ret_why)
{
	_cleanup_free_ char *tail = NULL;

	if (exec_succeeded(res))
		return 0;
	tail = step_output_tail(res->output, 5);
	if (res->timed_out)
		return asprintf(ret_why, "%s timed out after %u s: %s", s->argv[0], s->timeout_sec,
				tail ? tail : "") < 0 ? -ENOMEM : -ETIMEDOUT;
	if (asprintf(ret_why, "%s exited with status %d%s%s", s->argv[0], res->exit_code,
		     tail && *tail ? ": " : "", tail ? tail : "") < 0)
		*ret_why = NULL;
	return -EIO;
}

static int judge(const struct step *s, const struct exec_result *res, char **ret_why)
{
	return (s->judge ? s->judge : judge_exit)(s, res, ret_why);
}

/* The KEEP step before index i whose path is path (for a RUN that rewrites it). */
static struct step *kept_step(struct step_list *l, size_t i, const char *path)
{
	while (i-- > 0)
		if (l->v[i].kind == STEP_KEEP && streq(l->v[i].path, path))
			return &l->v[i];
	return NULL;
}

static int do_run(struct step_list *l, size_t i, struct step_env *env, bool undo_recorded)
{
	struct step *s = &l->v[i];
	_cleanup_strv_free_ char **a = NULL, **u = NULL;
	char *const *argv, *const *undo;
	struct exec_opts o = opts_of(s, env);
	struct exec_result res = {};
	struct step *k;
	int r;

	if (inert(env, s->argv, &a, &argv) < 0 ||
	    inert(env, undo_recorded && s->undo_phase == UNDO_AFTER_FILES ? NULL : s->undo,
		  &u, &undo) < 0)
		return -ENOMEM;
	if (s->fault && (r = fault_inject(s->fault)) < 0)
		return asprintf(&s->why, "%s (injected)", strerror(-r)) < 0 ? -ENOMEM : r;
	r = txn_run_flags(env->txn, argv, undo, &o, s->live_undo ? TXN_RUN_LIVE : 0, &res);
	if (r < 0 && r != -ETIMEDOUT) {
		if (asprintf(&s->why, "Failed to run %s: %s", s->argv[0], strerror(-r)) < 0)
			s->why = NULL;
		return r;
	}
	r = judge(s, &res, &s->why);
	if (r >= 0 && s->rewrites && (k = kept_step(l, i, s->rewrites)) && k->kept)
		r = txn_kept_file_changed(env->txn, k->keep_n, s->rewrites);
	exec_result_done(&res);
	return r;
}

static int do_probe(struct step *s, struct step_env *env)
{
	_cleanup_strv_free_ char **a = NULL;
	char *const *argv;
	struct exec_opts o = opts_of(s, env);
	struct exec_result res = {};
	int r;

	if (env->inert_commands)
		return 0; /* a read-only check of something the inert commands did not make */
	if (inert(env, s->argv, &a, &argv) < 0)
		return -ENOMEM;
	r = exec_run(argv, &o, &res);
	if (r < 0 && r != -ETIMEDOUT) {
		if (asprintf(&s->why, "Failed to run %s: %s", s->argv[0], strerror(-r)) < 0)
			s->why = NULL;
		return r;
	}
	r = judge(s, &res, &s->why);
	exec_result_done(&res);
	return r;
}

/* A file too large for the journal: a command that does nothing carries the undo instead. */
static int do_keep(struct step *s, struct step_env *env)
{
	char *nothing[] = { (char *)"true", NULL };
	struct exec_opts o = opts_of(s, env);
	struct exec_result res = {};
	int r;

	r = txn_keep_file(env->txn, s->path, &s->keep_n);
	if (r == 0) {
		s->kept = true;
		return 0;
	}
	if (r != -EFBIG || !s->undo)
		return r == -ENOENT ? 0 : r;
	r = txn_run(env->txn, nothing, s->undo, &o, &res);
	exec_result_done(&res);
	return r;
}

static int do_step(struct step_list *l, size_t i, struct step_env *env, bool undo_recorded)
{
	struct step *s = &l->v[i];

	switch (s->kind) {
	case STEP_WRITE:
		return txn_write_file(env->txn, s->path, s->data, s->size, s->mode);
	case STEP_REMOVE:
		return txn_remove_file(env->txn, s->path);
	case STEP_KEEP:
		return do_keep(s, env);
	case STEP_RUN:
		return do_run(l, i, env, undo_recorded);
	case STEP_PROBE:
		return do_probe(s, env);
	case STEP_CALL:
		return s->call(l, i, env, &s->why);
	}
	return -EINVAL;
}

/* Records the UNDO_AFTER_FILES undos of [from, to) on commands that do nothing. */
static int record_late_undos(struct step_list *l, size_t from, size_t to, struct step_env *env)
{
	char *nothing[] = { (char *)"true", NULL };

	for (size_t i = from; i < to; i++) {
		struct step *s = &l->v[i];
		_cleanup_strv_free_ char **u = NULL;
		char *const *undo;
		struct exec_opts o = opts_of(s, env);
		struct exec_result res = {};
		int r;

		if (s->kind != STEP_RUN || !s->undo || s->undo_phase != UNDO_AFTER_FILES)
			continue;
		if (inert(env, s->undo, &u, &undo) < 0)
			return -ENOMEM;
		r = txn_run_flags(env->txn, nothing, undo, &o, s->live_undo ? TXN_RUN_LIVE : 0, &res);
		exec_result_done(&res);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool is_file(const struct step *s)
{
	return s->kind == STEP_WRITE || s->kind == STEP_REMOVE;
}

static void report_begin(struct step_env *env, const struct step *s)
{
	if (!env->rep)
		return;
	if (is_file(s)) {
		report_step(env->rep, s->id, "%s %s (%s)", s->kind == STEP_WRITE ? "Writing" :
			    "Removing", s->path, s->title);
		return;
	}
	report_step(env->rep, s->id, "%c%s", s->title[0] >= 'a' && s->title[0] <= 'z' ?
		    s->title[0] - 'a' + 'A' : s->title[0], s->title + (s->title[0] != 0));
}

static void report_end(struct step_env *env, const struct step *s, int r)
{
	if (!env->rep)
		return;
	if (r < 0)
		report_step_end(env->rep, false, "%s", s->why ? s->why : strerror(-r));
	else if (r > 0 && s->why)
		report_detail(env->rep, "%s", s->why);
}

/* Runs one step: STEP record, work, judge; 0, a group verdict (> 0) or -errno. */
static int run_one(struct step_list *l, size_t i, struct step_env *env, bool undo_recorded)
{
	struct step *s = &l->v[i];
	uint64_t t0 = now_ms();
	int r;

	report_begin(env, s);
	r = env->should_stop ? env->should_stop() : 0;
	if (r >= 0)
		r = txn_step(env->txn, s->id);
	if (r >= 0)
		r = do_step(l, i, env, undo_recorded);
	s->ms = (long)(now_ms() - t0);
	s->status = r < 0 ? STEP_FAILED : r == STEP_SKIP_GROUP ? STEP_GROUP_SKIPPED :
		    r == STEP_FAIL_GROUP ? STEP_GROUP_FAILED : STEP_DONE;
	report_end(env, s, r);
	return r;
}

/* Whether a step before i in s's group was skipped or failed for the group. */
static bool group_dead(const struct step_list *l, size_t i)
{
	unsigned g = l->v[i].group;

	for (size_t k = 0; g && k < i; k++)
		if (l->v[k].group == g && (l->v[k].status == STEP_GROUP_SKIPPED ||
					   l->v[k].status == STEP_GROUP_FAILED))
			return true;
	return false;
}

int step_list_apply_range(struct step_list *l, size_t from, size_t to, struct step_env *env,
			  size_t *ret_failed)
{
	bool late_recorded = false;

	for (size_t i = from; i < to; i++) {
		struct step *s = &l->v[i];
		int r;

		if (group_dead(l, i)) {
			s->status = STEP_SKIPPED;
			continue;
		}
		if (!late_recorded && is_file(s)) {
			r = record_late_undos(l, i, to, env);
			if (r < 0) {
				if (ret_failed)
					*ret_failed = i;
				return r;
			}
			late_recorded = true;
		}
		r = run_one(l, i, env, late_recorded);
		if (r < 0) {
			if (ret_failed)
				*ret_failed = i;
			return r;
		}
	}
	return 0;
}
