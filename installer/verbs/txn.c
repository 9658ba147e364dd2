// SPDX-License-Identifier: GPL-2.0-or-later
/* status, recover, confirm, rollback: the verbs over the transaction journal. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exitcode.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/path.h"
#include "system/chroot.h"
#include "txn/txn.h"
#include "verbs.h"

static const char *root_name(const struct vnic_args *args)
{
	return root_is_host(args->root) ? "/" : args->root;
}

/*
 * For recover and rollback under --root: undo commands (dkms remove, update-initramfs, dracut)
 * run in the root's chroot and need /proc, /sys and /dev there, as when prepare ran them (or
 * dracut leaves a regular file /dev/null in the root). The binds live in a mount namespace
 * of this process only. Without them (not root, say) the undo still runs, with a warning.
 */
static struct chroot_mounts *bind_root(const struct vnic_args *args)
{
	struct chroot_mounts *m = NULL;
	int r;

	if (root_is_host(args->root))
		return NULL;
	r = chroot_private_namespace();
	if (r >= 0)
		r = chroot_setup(args->root, &m);
	if (r < 0) {
		log_warning_errno(r, "Cannot bind /proc, /sys and /dev into %s (%m); undo commands "
				  "run in it without them.", args->root);
		return NULL;
	}
	return m;
}

int begin_transaction(const struct vnic_args *args, const char *op, struct txn **ret)
{
	struct txn_info info;
	int r;

	r = txn_begin(args->root, op, ret);
	if (r == -EUCLEAN) {
		/* An earlier run was interrupted: undo it before anything new starts. */
		log_info("An interrupted vnic-install run was found; recovering it first.");
		r = txn_recover(args->root, false, &info);
		if (r < 0 && info.n_failed)
			return log_error_errno(r, "Failed to recover the interrupted run under %s%s: "
					       "these undos failed: %s. 'vnic-install recover --force' "
					       "accepts that and finishes the recovery.",
					       root_name(args), TXN_STATE_DIR, info.failed);
		if (r < 0)
			return log_error_errno(r, "Failed to recover the interrupted run under %s%s: "
					       "%m. Run 'vnic-install status' for details.",
					       root_name(args), TXN_STATE_DIR);
		if (info.state != TXN_NONE)
			log_info("Recovered %s (%s): %s.", info.id, info.op,
				 txn_state_to_string(info.state));
		r = txn_begin(args->root, op, ret);
	}
	if (r == -EUCLEAN)
		return log_error_errno(r, "A %s run is waiting for 'vnic-install confirm' (or its "
				       "boot guard); confirm or roll it back first.", "prepare");
	if (r == -EBUSY)
		return log_error_errno(r, "Another vnic-install is running on %s (it holds %s/lock).",
				       root_name(args), TXN_STATE_DIR);
	if (r < 0)
		return log_error_errno(r, "Failed to start a transaction under %s%s: %m",
				       root_name(args), TXN_STATE_DIR);
	return 0;
}

static void info_json(struct json_writer *w, const char *key, const struct txn_info *i)
{
	if (i->state == TXN_NONE) {
		json_null(w, key);
		return;
	}
	json_object_begin(w, key);
	json_string(w, "id", i->id);
	json_string(w, "operation", i->op);
	json_string(w, "state", txn_state_to_string(i->state));
	json_bool(w, "boot_guard", i->guard);
	json_int(w, "files", i->n_files);
	json_int(w, "commands", i->n_commands);
	json_object_end(w);
}

int verb_status(const struct vnic_args *args)
{
	struct txn_info pending, last;
	int r;

	r = txn_pending(args->root, &pending);
	if (r < 0)
		return exit_code_for_errno(log_error_errno(
			r, "Failed to read the pending transaction under %s%s: %m", root_name(args),
			TXN_STATE_DIR));
	r = txn_last_finished(args->root, &last);
	if (r < 0)
		return exit_code_for_errno(log_error_errno(
			r, "Failed to read the transaction history under %s%s: %m", root_name(args),
			TXN_STATE_DIR));
	if (args->json) {
		struct json_writer w;

		json_init(&w, stdout, true);
		json_object_begin(&w, NULL);
		info_json(&w, "pending", &pending);
		info_json(&w, "last", &last);
		json_object_end(&w);
		return EXIT_OK;
	}
	if (pending.state == TXN_NONE)
		printf("Pending: none\n");
	else
		printf("Pending: %s (%s), %s%s, %u files, %u commands\n", pending.id, pending.op,
		       txn_state_to_string(pending.state),
		       pending.guard ? ", boot guard armed: run 'vnic-install confirm' to keep it" :
				       "",
		       pending.n_files, pending.n_commands);
	if (last.state == TXN_NONE)
		printf("Last:    none\n");
	else
		printf("Last:    %s (%s), %s, %u files, %u commands\n", last.id, last.op,
		       txn_state_to_string(last.state), last.n_files, last.n_commands);
	return EXIT_OK;
}

int verb_recover(const struct vnic_args *args)
{
	_cleanup_chroot_ _unused_ struct chroot_mounts *binds = bind_root(args);
	struct txn_info info;
	int r;

	/* --force also rolls back a change that waits for confirmation, and accepts undos that
	 * fail (they are listed), so that a journal can never block every later run. */
	r = txn_recover_full(args->root,
			     (args->force ? TXN_RECOVER_GUARDED | TXN_RECOVER_ACCEPT : 0) |
				     (args->boot ? TXN_RECOVER_BOOT : 0), &info);
	if (r < 0 && info.n_failed) {
		log_error("Recovery under %s could not undo everything; these undos failed: %s. The "
			  "rest was undone and the journal is kept in %s/txn. Fix what they needed "
			  "and run 'vnic-install recover' again, or 'vnic-install recover --force' "
			  "to accept it.", root_name(args), info.failed, TXN_STATE_DIR);
		return EXIT_INCONSISTENT;
	}
	if (r < 0) {
		log_error_errno(r, "Recovery under %s failed: %m. The journal is kept in %s/txn; "
				"nothing more was changed.", root_name(args), TXN_STATE_DIR);
		return r == -EBUSY ? EXIT_LOCKED : EXIT_INCONSISTENT;
	}
	if (info.n_failed)
		log_warning("Recovered with --force, accepting %u undo(s) that failed: %s.",
			    info.n_failed, info.failed);
	if (info.state == TXN_NONE && info.id[0])
		log_info("%s (%s) waits for 'vnic-install confirm'; --force rolls it back now.",
			 info.id, info.op);
	else if (info.state == TXN_NONE)
		log_info("Nothing to recover.");
	else
		log_info("Recovered %s (%s): %s.", info.id, info.op,
			 txn_state_to_string(info.state));
	return EXIT_OK;
}

int verb_confirm(const struct vnic_args *args)
{
	struct txn_info info;
	int r;

	r = txn_confirm(args->root, &info);
	if (r == -ENOENT || r == -EINVAL) {
		log_error("Nothing waits for confirmation (see 'vnic-install status').");
		return EXIT_FAILED;
	}
	if (r < 0)
		return exit_code_for_errno(log_error_errno(r, "Failed to confirm: %m"));
	log_info("Confirmed %s (%s): the change is permanent; 'vnic-install rollback' can still "
		 "undo it.", info.id, info.op);
	return EXIT_OK;
}

int verb_rollback(const struct vnic_args *args)
{
	_cleanup_chroot_ _unused_ struct chroot_mounts *binds = bind_root(args);
	struct txn_info info;
	int r;

	r = txn_rollback_last(args->root, args->force, &info);
	switch (r) {
	case 0:
		if (info.n_failed)
			log_warning("Rolled back with --force, accepting %u undo(s) that failed: %s.",
				    info.n_failed, info.failed);
		log_info("Rolled back %s (%s): %u files restored, %u commands undone.", info.id,
			 info.op, info.n_files, info.n_commands);
		return EXIT_OK;
	case -ENOENT:
		log_error("There is no finished change to roll back.");
		return EXIT_FAILED;
	case -EALREADY:
		log_error("The last change was already rolled back.");
		return EXIT_FAILED;
	case -ESTALE:
		log_error("Files written by %s were changed since; nothing was restored. --force "
			  "restores the originals anyway.", info.id);
		return EXIT_FAILED;
	case -EUCLEAN:
		log_error("An unfinished run is pending: run 'vnic-install recover' first.");
		return EXIT_FAILED;
	default:
		if (info.n_failed) {
			log_error("Rollback of %s was undone again, because these undos failed: %s. "
				  "The change is in place as it was; --force rolls back anyway.",
				  info.id, info.failed);
			return EXIT_FAILED;
		}
		log_error_errno(r, "Rollback of %s failed: %m", info.id[0] ? info.id : "the last change");
		return r == -EBUSY ? EXIT_LOCKED : EXIT_INCONSISTENT;
	}
}
