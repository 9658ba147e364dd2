/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One model of a change. A verb builds a list of steps (step/driver.h, step/network.h,
 * step/guard.h); the same list is either rendered (step/render.h: `plan`, a dry run) or run
 * through the transaction journal (step_list_apply()). Each step has a stable id, which the
 * executor journals as the step's STEP record before it does anything, so that the ids a plan
 * shows are the ids a run journals, in the same order.
 *
 *   struct step_list l = {};
 *   step_add_write(&l, "net.write./etc/network/interfaces", path, data, size, 0644, "...");
 *   step_add_run(&l, id, argv, undo, "Build vmxnet3 for %s", kver);
 *   dry_run ? step_render(stdout, &view, json, &bad) : step_list_apply(&l, &env);
 *
 * Nothing here prints: progress goes to env->rep (lib/report.h) when it is set.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/exec.h"
#include "lib/macro.h"

struct txn;
struct report;
struct step;
struct step_list;
struct step_env;

enum step_kind {
	STEP_WRITE,  /* path, data, size, mode      -> txn_write_file() */
	STEP_REMOVE, /* path                        -> txn_remove_file() */
	STEP_KEEP,   /* path a later RUN rewrites   -> txn_keep_file(); too large: undo runs instead */
	STEP_RUN,    /* argv [+undo]                -> txn_run(), then ->judge */
	STEP_PROBE,  /* argv, read-only (lsinitramfs); ->judge decides; the command is not journaled */
	STEP_CALL,   /* ->call(): in-process work (link check, module activation) */
};

/* When the undo of a RUN runs in a rollback (newest first either way). */
enum undo_phase {
	UNDO_IN_ORDER,    /* with the step: before the files written after it are restored */
	UNDO_AFTER_FILES, /* after the list's files are restored (it must see the old files) */
};

/* What a judge or call says of a step besides 0 (done) and -errno (the run fails). */
#define STEP_SKIP_GROUP 1 /* not for this group (a kernel the module does not build for) */
#define STEP_FAIL_GROUP 2 /* failed for this group only: the rest of it is left out, the list goes on */

enum step_status {
	STEP_PENDING,
	STEP_DONE,
	STEP_SKIPPED, /* left out: its group was skipped or failed before it */
	STEP_GROUP_SKIPPED,
	STEP_GROUP_FAILED,
	STEP_FAILED,
};

/* The outcome of a RUN or PROBE: 0, STEP_SKIP_GROUP, STEP_FAIL_GROUP or -errno; *ret_why (to
 * free) may say why. NULL judge: exit status 0 is success. */
typedef int (*step_judge_fn)(const struct step *s, const struct exec_result *res, char **ret_why);
/* A CALL: returns like a judge. */
typedef int (*step_call_fn)(struct step_list *l, size_t i, struct step_env *env, char **ret_why);

struct step {
	enum step_kind kind;
	char *id;             /* stable: "driver.dkms-build.6.1.0-26-amd64"; journaled as STEP */
	char *title;          /* for people: plan, progress */
	char *path;           /* WRITE, REMOVE, KEEP */
	char *data;           /* WRITE */
	size_t size;
	mode_t mode;
	char **argv, **undo;  /* RUN, PROBE; KEEP: the undo when the file is too large to keep */
	enum undo_phase undo_phase;
	unsigned timeout_sec; /* RUN, PROBE; 0: the executor's default */
	const char *fault;    /* a fault_inject() point just before the command runs, or NULL */
	const char *rewrites; /* RUN: the path of a KEEP step before it whose file this changes */
	step_judge_fn judge;
	step_call_fn call;
	void *userdata;       /* for judge and call; not owned */
	unsigned group;       /* 0: none; a skipped or failed group leaves out its later steps */
	bool gate;            /* its failure means "roll back" (the link check: exit 3) */
	bool brief;           /* WRITE: the plan shows its size, not a diff (driver sources) */
	bool live_undo;       /* RUN: its undo acts on running network services (TXN_RUN_LIVE):
			       * a recovery at boot, before they start, leaves it out */

	/* filled in by the executor */
	enum step_status status;
	char *why;            /* what the judge or call said, or the error */
	long ms;              /* how long it took */
	unsigned keep_n;      /* KEEP: the journal record of the backup */
	bool kept;            /* KEEP: the bytes are in the journal */
	char *output;         /* RUN: the command's output when the judge asked to keep it */
};

struct step_list {
	struct step *v;
	size_t n;
};

void step_list_done(struct step_list *l);
/* Moves every step of from to the end of l (from is left empty). */
int step_list_move(struct step_list *l, struct step_list *from);
/* The step with that id, or NULL. */
struct step *step_list_find(struct step_list *l, const char *id);

/* Builders: strings and argv are copied; title is a printf format. Return the new step (owned
 * by the list) in *ret when ret is not NULL; 0 or -ENOMEM. */
_printf_(7, 8) int step_add_write(struct step_list *l, const char *id, const char *path,
				  const void *data, size_t size, mode_t mode, const char *title, ...);
_printf_(4, 5) int step_add_remove(struct step_list *l, const char *id, const char *path,
				   const char *title, ...);
_printf_(5, 6) int step_add_keep(struct step_list *l, const char *id, const char *path,
				 char *const *undo_if_too_large, const char *title, ...);
_printf_(5, 6) int step_add_run(struct step_list *l, const char *id, char *const *argv,
				char *const *undo, const char *title, ...);
_printf_(4, 5) int step_add_probe(struct step_list *l, const char *id, char *const *argv,
				  const char *title, ...);
_printf_(5, 6) int step_add_call(struct step_list *l, const char *id, step_call_fn call,
				 void *userdata, const char *title, ...);
/* The step added last (to set its judge, group, phase...). */
static inline struct step *step_last(struct step_list *l)
{
	return l->n ? &l->v[l->n - 1] : NULL;
}

/* How a list runs. */
struct step_env {
	struct txn *txn;
	const char *chroot_dir;     /* commands run inside this root, or NULL */
	struct report *rep;         /* progress, or NULL */
	unsigned default_timeout;   /* seconds, for steps without their own */
	/*
	 * Test seam (injected by the verb, never read from the environment here): commands run
	 * and are journaled as `true ARGV...`, undos likewise.
	 */
	bool inert_commands;
	/* Asked before each step: -EINTR (or another -errno) stops the run there. May be NULL. */
	int (*should_stop)(void);
	void *userdata;             /* for calls */
};

/*
 * Runs steps [from, to) of l through env->txn in order: the STEP record (the step's id), then
 * the work, then the judge. Returns 0, or the failure's -errno with *ret_failed (may be NULL)
 * set to its index; the step's why says what happened. Nothing is rolled back here.
 * Undos of UNDO_AFTER_FILES are recorded (on a command that does nothing) before the first
 * file of the range, so that a rollback, also one after a crash, runs them once the files
 * are back.
 */
int step_list_apply_range(struct step_list *l, size_t from, size_t to, struct step_env *env,
			  size_t *ret_failed);
static inline int step_list_apply(struct step_list *l, struct step_env *env, size_t *ret_failed)
{
	return step_list_apply_range(l, 0, l->n, env, ret_failed);
}

/* The last lines of a command's output (for messages; to free). */
char *step_output_tail(const char *out, unsigned lines);
