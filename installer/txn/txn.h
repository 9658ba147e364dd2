/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transactions: every change vnic-install makes to a system goes through here, so that it can
 * be committed, rolled back, or recovered after a crash at any point.
 *
 * State lives under <root>/var/lib/vnic/:
 *   lock                   flock()ed for the whole run; a second run fails at once (-EBUSY)
 *   txn/<id>/journal       append-only, fsynced line per record (see txn.c for the grammar)
 *   txn/<id>/backup/<n>    byte copies of each original file, taken before it is touched
 *   history/<id>/          finished transactions (committed ones can still be rolled back)
 *
 * A transaction's state: OPEN (changes under way) -> APPLIED (all changes made; waiting for the
 * link check, or for `confirm` across a reboot when a boot guard is armed) -> COMMITTED or
 * ROLLED_BACK. Recovery of an interrupted run undoes an OPEN transaction, and an APPLIED one
 * without a guard; an APPLIED one with a guard is left to the guard or to `confirm`.
 *
 * Paths given here are absolute paths as seen inside the root ("/etc/netplan/x.yaml"); the
 * transaction resolves them under the root itself. Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/exec.h"

#define TXN_STATE_DIR "/var/lib/vnic"
#define TXN_OP_MAX 96

enum txn_state {
	TXN_NONE,
	TXN_OPEN,
	TXN_APPLIED,
	TXN_COMMITTED,
	TXN_ROLLED_BACK,
};

struct txn;

/*
 * Takes the lock and opens a new transaction for operation op ("swap", "prepare",
 * "driver-install", ...). Fails with -EBUSY when another run holds the lock, and with -EUCLEAN
 * when an unfinished transaction must be recovered first (txn_recover()).
 */
int txn_begin(const char *root, const char *op, struct txn **ret);

/*
 * A new transaction after prev, which is committed or rolled back, with prev's lock handed
 * over (so that nothing runs between the two: swap's driver install, then its network
 * change). prev keeps the lock when this fails.
 */
int txn_begin_after(struct txn *prev, const char *op, struct txn **ret);

/* The transaction's id (a timestamp-based name) and its journal's host path. */
const char *txn_id(const struct txn *t);

/*
 * Records a step: a journal line, then fault_inject("step"), so that tests can stop the
 * process after any step (VNIC_FAULT=step:N:crash).
 */
int txn_step(struct txn *t, const char *name);

/* Writes (creates or replaces) a file: backup of the original first, then an atomic write. */
int txn_write_file(struct txn *t, const char *path, const void *data, size_t size,
		   mode_t new_mode);
/* Removes a file (kept as a backup, so that it can be restored). */
int txn_remove_file(struct txn *t, const char *path);
/*
 * For a file that a command is about to rewrite (an initramfs): backs up its contents now, so
 * that a rollback puts the same bytes back, without running any tool. *ret_n identifies the
 * record for txn_kept_file_changed(), which records the new contents' checksum once the
 * command has run (so that `rollback` can tell a later change). -ENOENT when the file does not
 * exist, -EFBIG when it is larger than the journal keeps backups of (64 MiB).
 */
int txn_keep_file(struct txn *t, const char *path, unsigned *ret_n);
int txn_kept_file_changed(struct txn *t, unsigned n, const char *path);

/*
 * Runs a command (argv) whose effect is undone by undo_argv (NULL if it needs no undo) and
 * records both. The command runs with opts (e.g. inside a chroot). Returns like exec_run();
 * the caller judges the exit status in *ret. The undo runs on rollback only if the command
 * was started.
 */
int txn_run(struct txn *t, char *const argv[], char *const undo_argv[],
	    const struct exec_opts *opts, struct exec_result *ret);
/*
 * The same with flags. TXN_RUN_LIVE: the undo acts on running network services (nmcli, ifup,
 * networkctl, ip...); a recovery at boot (TXN_RECOVER_BOOT), before those services start from
 * the restored files, leaves it out.
 */
#define TXN_RUN_LIVE 2u
int txn_run_flags(struct txn *t, char *const argv[], char *const undo_argv[],
		  const struct exec_opts *opts, unsigned flags, struct exec_result *ret);

/* All changes are made: APPLIED. With guard, recovery leaves it for the boot guard. */
int txn_mark_applied(struct txn *t, bool guard);
/* Makes the transaction permanent and moves it to the history. */
int txn_commit(struct txn *t);
/*
 * Undoes everything recorded, newest first: files restored byte for byte with their mode and
 * owner (files that did not exist are removed), undo commands run for the commands that were
 * started. Returns 0 or the first error (it goes on after errors, undoing as much as it can);
 * the undo of a command that had failed may fail too without making this an error.
 */
int txn_rollback(struct txn *t);
/* The undos the last txn_rollback() of t could not do ("; "-separated), and their number. */
const char *txn_failed_undos(const struct txn *t, unsigned *ret_n);
/* Releases memory and the lock; a transaction that was neither committed nor rolled back stays
 * on disk for txn_recover(). */
void txn_free(struct txn *t);
static inline void txn_freep(struct txn **t)
{
	if (*t)
		txn_free(*t);
}
#define _cleanup_txn_ __attribute__((cleanup(txn_freep)))

struct txn_info {
	char id[64];
	char op[TXN_OP_MAX];
	enum txn_state state;
	bool guard;
	unsigned n_files, n_commands;
	/* Undo commands that failed although their command had succeeded ("; "-separated). */
	unsigned n_failed;
	char failed[512];
};

/* The unfinished transaction, if any (TXN_NONE when there is none). Takes no lock. */
int txn_pending(const char *root, struct txn_info *ret);
/* The newest transaction in the history, if any. */
int txn_last_finished(const char *root, struct txn_info *ret);

/*
 * Finishes an interrupted run: undoes an OPEN transaction or an APPLIED one without a guard.
 * include_guarded also undoes a guarded APPLIED one (the boot guard's timeout). Takes the lock.
 * *ret (may be NULL) describes what was recovered (state TXN_NONE: nothing to do).
 */
int txn_recover(const char *root, bool include_guarded, struct txn_info *ret);
/*
 * The same with flags: TXN_RECOVER_GUARDED as include_guarded; TXN_RECOVER_ACCEPT finishes the
 * recovery even when undos fail (`recover --force`): they are listed in ret->failed. Without
 * it a failed undo returns its error, ret->failed lists it, and the transaction stays pending.
 */
#define TXN_RECOVER_GUARDED 1u
#define TXN_RECOVER_ACCEPT 2u
/* At boot, before the network services start (vnic-recover.service): the undos of commands run
 * with TXN_RUN_LIVE are left out (recorded as done); files and every other undo as usual. */
#define TXN_RECOVER_BOOT 4u
int txn_recover_full(const char *root, unsigned flags, struct txn_info *ret);
/* Commits the pending APPLIED transaction (`vnic-install confirm`). Takes the lock. */
int txn_confirm(const char *root, struct txn_info *ret);
/*
 * Undoes the last committed transaction from its backups (`vnic-install rollback`). Refuses
 * with -ESTALE when a file it wrote was changed since, unless force. Takes the lock.
 */
int txn_rollback_last(const char *root, bool force, struct txn_info *ret);

const char *txn_state_to_string(enum txn_state s);
