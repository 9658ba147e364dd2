/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal's records, in memory and on disk. One record per line, fields separated by one
 * space, every field percent-encoded (bytes <= 0x20, >= 0x7f and '%'), so that any path or
 * argument survives. A final line without its newline was torn by a crash (or a short write)
 * and is ignored; the writer cuts it off before it appends again.
 *
 *   BEGIN <id> <op>
 *   STEP <name>
 *   MKDIR <n> <path>                         a directory we created
 *   FILE <n> <path> <existed> <mode> <uid> <gid> <sha256|->   before touching path
 *   DONE <n> <sha256|->                      the new contents are in place (- : removed)
 *   RUN <n> <flags> <argc> <arg>... <undoc> <undo-arg>...    before running a command; flags:
 *                                            1 it ran in the root's chroot, 2 its undo acts on
 *                                            running network services (TXN_RUN_LIVE)
 *   STARTED <n>                              the command was let run (written before exec)
 *   RAN <n> <exit-code>
 *   UNDO <n> | UNDONE <n> | UNDOFAILED <n>   a rollback starts command n's undo / it worked /
 *                                            it failed (tried again, and an error again)
 *   APPLIED <guard>
 *   COMMIT | ROLLBACK | ROLLEDBACK
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "lib/sha256.h"
#include "txn.h"

enum rec_type {
	REC_MKDIR,
	REC_FILE,
	REC_RUN,
};

struct txn_record {
	enum rec_type type;
	unsigned n;
	char *path;
	bool existed, done, removed;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	char sha_old[SHA256_HEX_SIZE], sha_new[SHA256_HEX_SIZE];
	char **argv, **undo;
	bool chroot, live, started, ran, undo_started, undone, undo_failed;
	int exit_code;
};

struct journal {
	char id[64], op[TXN_OP_MAX];
	enum txn_state state;
	bool guard, rollback_started;
	struct txn_record *recs;
	size_t n_recs;
	unsigned n_steps;
};

void journal_done(struct journal *j);
/* Parses a journal file's text. -EBADMSG (with *ret_line set) for a malformed record,
 * -ENODATA when no complete record is there (a crash before BEGIN reached the disk). */
int journal_parse(const char *text, struct journal *ret, unsigned *ret_line);
/* Applies one parsed line to j (shared by the parser and by the writer's in-memory copy). */
int journal_apply_line(struct journal *j, char *line);
struct txn_record *journal_find(struct journal *j, enum rec_type type, unsigned n);

/*
 * A transaction id for a transaction begun at ts by pid: UTC time to the microsecond, then the
 * PID at a fixed width, so that ids sort by time as strings (not by PID within a second).
 */
int journal_format_id(const struct timespec *ts, long pid, char *buf, size_t size);

/* Percent-encoding of one field; returns a new string or NULL. */
char *journal_encode(const char *s);
