// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "lib/fault.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "txn.h"

#define HISTORY_KEEP 20
#define BACKUP_MAX (64u * 1024 * 1024)

struct txn {
	char *root;      /* NULL for the host */
	char *state_dir; /* host path of <root>/var/lib/vnic */
	char *dir;       /* host path of this transaction's directory */
	int lock_fd;
	int journal_fd;
	unsigned next_n;
	struct journal j;
	unsigned n_failed;
	char failed[512]; /* the undos that failed in the last rollback, "; "-separated */
};

const char *txn_state_to_string(enum txn_state s)
{
	switch (s) {
	case TXN_NONE:
		return "none";
	case TXN_OPEN:
		return "open";
	case TXN_APPLIED:
		return "applied";
	case TXN_COMMITTED:
		return "committed";
	case TXN_ROLLED_BACK:
		return "rolled-back";
	}
	return "unknown";
}

const char *txn_id(const struct txn *t)
{
	return t->j.id;
}

/* mkdir -p, and the new entries fsynced: after a power cut the journal's directory is there. */
static int mkdir_durable(const char *path)
{
	struct stat st;
	int r;

	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	r = mkdir_parents(path, 0700);
	if (r < 0)
		return r;
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *slash; (slash = strrchr(p, '/')) && slash != p; *slash = 0) {
		r = fsync_parent_dir(p);
		if (r < 0)
			return r;
	}
	return 0;
}

static int state_dir(const char *root, char **ret)
{
	_cleanup_free_ char *p = NULL;
	int r;

	r = path_chase(root, TXN_STATE_DIR, CHASE_NONEXISTENT, &p);
	if (r < 0)
		return r;
	r = mkdir_durable(p);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

static int take_lock(const char *sdir, int *ret_fd)
{
	_cleanup_free_ char *p = path_join(sdir, "lock");
	_cleanup_close_ int fd = -1;

	if (!p)
		return -ENOMEM;
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return negative_errno();
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : negative_errno();
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static void txn_release(struct txn *t)
{
	if (t->journal_fd >= 0)
		close(t->journal_fd);
	if (t->lock_fd >= 0)
		close(t->lock_fd); /* releases the flock */
	journal_done(&t->j);
	free(t->root);
	free(t->state_dir);
	free(t->dir);
	free(t);
}

void txn_free(struct txn *t)
{
	if (t)
		txn_release(t);
}

/* Writes one record; a short write is cut off again, so that no record is glued onto it. */
static int write_record(int fd, const char *rec, size_t len)
{
	struct stat st;
	ssize_t n;
	int r;

	if (fstat(fd, &st) < 0)
		return negative_errno();
	/* VNIC_FAULT=torn:N: the N-th record reaches the disk half-way, then the process dies. */
	if (fault_inject("torn") < 0) {
		(void)!write(fd, rec, len / 2);
		(void)fsync(fd);
		_exit(FAULT_CRASH_EXIT);
	}
	/* VNIC_FAULT=short:N: the N-th record is written only half-way (a full disk). */
	r = fault_inject("short");
	n = write(fd, rec, r < 0 ? len / 2 : len);
	if (n >= 0 && (size_t)n == len)
		return 0;
	r = n < 0 ? negative_errno() : r < 0 ? r : -EIO;
	if (ftruncate(fd, st.st_size) < 0 || fsync(fd) < 0)
		return r;
	return r;
}

/* Appends one record: built from already-encoded fields, written in one write, fsynced. */
static int journal_append(struct txn *t, const char *line)
{
	_cleanup_free_ char *copy = NULL, *withnl = NULL;
	int r;

	r = fault_inject("journal");
	if (r < 0)
		return r;
	if (asprintf(&withnl, "%s\n", line) < 0) {
		withnl = NULL;
		return -ENOMEM;
	}
	r = write_record(t->journal_fd, withnl, strlen(withnl));
	if (r < 0)
		return r;
	if (fsync(t->journal_fd) < 0)
		return negative_errno();
	/* Keep the in-memory journal the same as the one on disk: one parser for both. */
	copy = strdup(line);
	if (!copy)
		return -ENOMEM;
	return journal_apply_line(&t->j, copy);
}

_printf_(2, 3) static int journal_appendf(struct txn *t, const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (r < 0) {
		line = NULL;
		return -ENOMEM;
	}
	return journal_append(t, line);
}

static int new_id(char *buf, size_t size)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return journal_format_id(&ts, (long)getpid(), buf, size);
}

/* The directory of the unfinished transaction under sdir/txn, if any. */
static int find_pending_dir(const char *sdir, char **ret)
{
	_cleanup_free_ char *tdir = path_join(sdir, "txn");
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char *best = NULL;
	struct dirent *de;

	if (!tdir)
		return -ENOMEM;
	d = opendir(tdir);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!best || strcmp(de->d_name, best) < 0) {
			free(best);
			best = strdup(de->d_name);
			if (!best)
				return -ENOMEM;
		}
	}
	if (!best)
		return 0;
	*ret = path_join(tdir, best);
	return *ret ? 1 : -ENOMEM;
}

static int load_journal(const char *dir, struct journal *ret)
{
	_cleanup_free_ char *jp = path_join(dir, "journal"), *text = NULL;
	int r;

	if (!jp)
		return -ENOMEM;
	r = read_full_file(jp, BACKUP_MAX, &text, NULL);
	if (r < 0)
		return r;
	return journal_parse(text, ret, NULL);
}

/* A transaction handle for root with the state directory made and the lock taken. */
static int txn_new_locked(const char *root, struct txn **ret)
{
	struct txn *t;
	int r;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->lock_fd = t->journal_fd = -1;
	if (!root_is_host(root) && !(t->root = strdup(root))) {
		txn_release(t);
		return -ENOMEM;
	}
	r = state_dir(root, &t->state_dir);
	if (r >= 0)
		r = take_lock(t->state_dir, &t->lock_fd);
	if (r < 0) {
		txn_release(t);
		return r;
	}
	*ret = t;
	return 0;
}

/* Removes a transaction directory: its backups, its journal, itself. */
static int remove_txn_dir(const char *dir)
{
	_cleanup_free_ char *b = path_join(dir, "backup"), *jp = path_join(dir, "journal");
	_cleanup_closedir_ DIR *bd = NULL;
	struct dirent *de;

	if (!b || !jp)
		return -ENOMEM;
	bd = opendir(b);
	while (bd && (de = readdir(bd))) {
		_cleanup_free_ char *f = NULL;

		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    asprintf(&f, "%s/%s", b, de->d_name) >= 0)
			unlink(f);
	}
	if (unlink(jp) < 0 && errno != ENOENT)
		return negative_errno();
	if (rmdir(b) < 0 && errno != ENOENT)
		return negative_errno();
	if (rmdir(dir) < 0 && errno != ENOENT)
		return negative_errno();
	return fsync_parent_dir(dir);
}

/* A transaction directory still being built (".new-<id>") that a crash left: nothing ran. */
static int remove_unborn(const char *tdir)
{
	_cleanup_closedir_ DIR *d = opendir(tdir);
	struct dirent *de;
	int r;

	while (d && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (strncmp(de->d_name, ".new-", 5))
			continue;
		p = path_join(tdir, de->d_name);
		if (!p)
			return -ENOMEM;
		r = remove_txn_dir(p);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Makes t's directory with its journal and BEGIN record. It is built as txn/.new-<id> (which
 * recovery does not look at) and renamed into place once BEGIN is on disk, so that a crash
 * never leaves a transaction directory without a journal.
 */
static int create_txn_dir(struct txn *t, const char *op)
{
	_cleanup_free_ char *tdir = path_join(t->state_dir, "txn"), *tmp = NULL, *bdir = NULL,
			    *jp = NULL, *eop = journal_encode(op), *line = NULL;
	int r;

	if (!tdir || !eop || strlen(op) >= TXN_OP_MAX)
		return !tdir || !eop ? -ENOMEM : -ENAMETOOLONG;
	r = mkdir_durable(tdir);
	if (r < 0)
		return r;
	r = remove_unborn(tdir);
	if (r < 0)
		return r;
	r = new_id(t->j.id, sizeof(t->j.id));
	if (r < 0)
		return r;
	if (asprintf(&tmp, "%s/.new-%s", tdir, t->j.id) < 0 ||
	    asprintf(&t->dir, "%s/%s", tdir, t->j.id) < 0 || !(bdir = path_join(tmp, "backup")) ||
	    !(jp = path_join(tmp, "journal")) || asprintf(&line, "BEGIN %s %s", t->j.id, eop) < 0)
		return -ENOMEM;
	r = mkdir_parents(bdir, 0700);
	if (r >= 0)
		r = fault_inject("mkdir");
	if (r >= 0) {
		t->journal_fd = open(jp, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
		r = t->journal_fd < 0 ? negative_errno() : journal_append(t, line);
	}
	if (r >= 0)
		r = fsync_parent_dir(jp);
	if (r >= 0)
		r = fault_inject("rename");
	if (r >= 0 && rename(tmp, t->dir) < 0)
		r = negative_errno();
	if (r >= 0)
		return fsync_parent_dir(t->dir);
	(void)remove_txn_dir(tmp);
	return r;
}

int txn_begin(const char *root, const char *op, struct txn **ret)
{
	_cleanup_free_ char *pending = NULL;
	struct txn *t;
	int r;

	r = txn_new_locked(root, &t);
	if (r < 0)
		return r;
	r = find_pending_dir(t->state_dir, &pending);
	if (r > 0)
		r = -EUCLEAN;
	if (r >= 0)
		r = create_txn_dir(t, op);
	if (r < 0) {
		txn_release(t);
		return r;
	}
	*ret = t;
	return 0;
}

int txn_begin_after(struct txn *prev, const char *op, struct txn **ret)
{
	struct txn *t;
	int r = -ENOMEM;

	if (prev->lock_fd < 0 ||
	    (prev->j.state != TXN_COMMITTED && prev->j.state != TXN_ROLLED_BACK))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->journal_fd = -1;
	t->lock_fd = TAKE_FD(prev->lock_fd);
	if ((!prev->root || (t->root = strdup(prev->root))) &&
	    (t->state_dir = strdup(prev->state_dir)))
		r = create_txn_dir(t, op);
	if (r < 0) {
		prev->lock_fd = TAKE_FD(t->lock_fd);
		txn_release(t);
		return r;
	}
	*ret = t;
	return 0;
}

int txn_step(struct txn *t, const char *name)
{
	_cleanup_free_ char *e = journal_encode(name);
	int r;

	if (!e)
		return -ENOMEM;
	r = journal_appendf(t, "STEP %s", e);
	if (r < 0)
		return r;
	return fault_inject("step");
}

static int host_path(const struct txn *t, const char *path, char **ret)
{
	if (!path || path[0] != '/')
		return -EINVAL;
	return path_chase(t->root, path, CHASE_NONEXISTENT, ret);
}

/* Creates the missing parents of path (inside the root), journalling each directory made. */
static int make_parents(struct txn *t, const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	int r;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		_cleanup_free_ char *h = NULL, *e = NULL;
		struct stat st;

		*s = 0;
		r = host_path(t, p, &h);
		if (r < 0)
			return r;
		if (stat(h, &st) == 0) {
			*s = '/';
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
			continue;
		}
		e = journal_encode(p);
		if (!e)
			return -ENOMEM;
		r = journal_appendf(t, "MKDIR %u %s", t->next_n++, e);
		if (r < 0)
			return r;
		if (mkdir(h, 0755) < 0 && errno != EEXIST)
			return negative_errno();
		r = fault_inject("mkdir");
		if (r < 0)
			return r;
		r = fsync_parent_dir(h);
		if (r < 0)
			return r;
		*s = '/';
	}
	return 0;
}

/* Journals a FILE record for path and keeps a backup of its contents. */
static int record_original(struct txn *t, const char *path, const char *host, unsigned *ret_n)
{
	_cleanup_free_ char *data = NULL, *bpath = NULL, *e = NULL;
	char sha[SHA256_HEX_SIZE] = "-";
	unsigned n = t->next_n++;
	struct stat st;
	bool existed;
	size_t size = 0;
	int r;

	if (lstat(host, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		existed = true;
	} else if (errno == ENOENT) {
		existed = false;
	} else {
		return negative_errno();
	}

	if (existed) {
		r = read_full_file(host, BACKUP_MAX, &data, &size);
		if (r < 0)
			return r;
		sha256_hex(data, size, sha);
		if (asprintf(&bpath, "%s/backup/%u", t->dir, n) < 0) {
			bpath = NULL;
			return -ENOMEM;
		}
		r = write_file_atomic(bpath, data, size, 0600);
		if (r < 0)
			return r;
	}
	e = journal_encode(path);
	if (!e)
		return -ENOMEM;
	r = journal_appendf(t, "FILE %u %s %d %o %u %u %s", n, e, existed,
			    existed ? (unsigned)(st.st_mode & 07777) : 0,
			    existed ? (unsigned)st.st_uid : 0, existed ? (unsigned)st.st_gid : 0, sha);
	if (r < 0)
		return r;
	*ret_n = n;
	return existed;
}

int txn_write_file(struct txn *t, const char *path, const void *data, size_t size,
		   mode_t new_mode)
{
	_cleanup_free_ char *host = NULL;
	char sha[SHA256_HEX_SIZE];
	unsigned n;
	int r;

	r = make_parents(t, path);
	if (r < 0)
		return r;
	r = host_path(t, path, &host);
	if (r < 0)
		return r;
	r = record_original(t, path, host, &n);
	if (r < 0)
		return r;
	r = write_file_atomic(host, data, size, new_mode);
	if (r < 0)
		return r;
	sha256_hex(data, size, sha);
	return journal_appendf(t, "DONE %u %s", n, sha);
}

int txn_keep_file(struct txn *t, const char *path, unsigned *ret_n)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;
	unsigned n;
	int r;

	r = host_path(t, path, &host);
	if (r < 0)
		return r;
	if (stat(host, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > BACKUP_MAX)
		return -EFBIG;
	r = record_original(t, path, host, &n);
	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT; /* gone in between */
	r = txn_kept_file_changed(t, n, path);
	if (r < 0)
		return r;
	*ret_n = n;
	return 0;
}

int txn_kept_file_changed(struct txn *t, unsigned n, const char *path)
{
	_cleanup_free_ char *host = NULL, *data = NULL;
	char sha[SHA256_HEX_SIZE];
	size_t size;
	int r;

	r = host_path(t, path, &host);
	if (r < 0)
		return r;
	r = read_full_file(host, BACKUP_MAX, &data, &size);
	if (r < 0)
		return r;
	sha256_hex(data, size, sha);
	return journal_appendf(t, "DONE %u %s", n, sha);
}

int txn_remove_file(struct txn *t, const char *path)
{
	_cleanup_free_ char *host = NULL;
	unsigned n;
	int r;

	r = host_path(t, path, &host);
	if (r < 0)
		return r;
	r = record_original(t, path, host, &n);
	if (r < 0)
		return r;
	if (r == 0)
		return journal_appendf(t, "DONE %u -", n); /* nothing there: nothing to remove */
	r = fault_inject("unlink");
	if (r < 0)
		return r;
	if (unlink(host) < 0)
		return negative_errno();
	r = fsync_parent_dir(host);
	if (r < 0)
		return r;
	return journal_appendf(t, "DONE %u -", n);
}

static int encode_argv(char *const *argv, char **ret)
{
	_cleanup_free_ char *s = NULL;
	size_t count = strv_length(argv);

	if (asprintf(&s, "%zu", count) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		_cleanup_free_ char *e = journal_encode(argv[i]);
		char *ns;

		if (!e || asprintf(&ns, "%s %s", s, e) < 0)
			return -ENOMEM;
		free(s);
		s = ns;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

struct started {
	struct txn *t;
	unsigned n;
};

/* exec_run()'s on_start: the journal says the command starts before it can change anything. */
static int record_started(void *userdata)
{
	const struct started *s = userdata;
	int r;

	r = journal_appendf(s->t, "STARTED %u", s->n);
	if (r < 0)
		return r;
	return fault_inject("start");
}

int txn_run(struct txn *t, char *const argv[], char *const undo_argv[],
	    const struct exec_opts *opts, struct exec_result *ret)
{
	return txn_run_flags(t, argv, undo_argv, opts, 0, ret);
}

int txn_run_flags(struct txn *t, char *const argv[], char *const undo_argv[],
		  const struct exec_opts *opts, unsigned flags, struct exec_result *ret)
{
	_cleanup_free_ char *a = NULL, *u = NULL;
	unsigned n = t->next_n++;
	struct started st = { t, n };
	struct exec_opts o = opts ? *opts : (struct exec_opts){};
	int r;

	r = encode_argv(argv, &a);
	if (r < 0)
		return r;
	r = encode_argv(undo_argv, &u);
	if (r < 0)
		return r;
	r = journal_appendf(t, "RUN %u %u %s %s", n,
			    (opts && opts->chroot_dir ? 1u : 0u) | (flags & TXN_RUN_LIVE), a, u);
	if (r < 0)
		return r;
	o.on_start = record_started;
	o.userdata = &st;
	r = exec_run(argv, &o, ret);
	if (r < 0 && r != -ETIMEDOUT)
		return r;
	{
		int q = journal_appendf(t, "RAN %u %d", n, ret->exit_code);

		if (q < 0) {
			exec_result_done(ret);
			return q;
		}
	}
	return r;
}

int txn_mark_applied(struct txn *t, bool guard)
{
	return journal_appendf(t, "APPLIED %d", guard);
}

static int prune_history(const char *sdir)
{
	_cleanup_free_ char *hdir = path_join(sdir, "history");
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	size_t n;
	int r;

	if (!hdir)
		return -ENOMEM;
	d = opendir(hdir);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			r = strv_push(&names, de->d_name);
			if (r < 0)
				return r;
		}
	n = strv_length(names);
	if (n <= HISTORY_KEEP)
		return 0;
	strv_sort(names);
	for (size_t i = 0; i < n - HISTORY_KEEP; i++) {
		_cleanup_free_ char *dir = path_join(hdir, names[i]);

		if (!dir)
			return -ENOMEM;
		(void)remove_txn_dir(dir);
	}
	return 0;
}

/* Moves a finished transaction's directory into the history. */
static int archive(const char *sdir, const char *dir, const char *id)
{
	_cleanup_free_ char *hdir = path_join(sdir, "history"), *dest = NULL;
	int r;

	if (!hdir)
		return -ENOMEM;
	r = mkdir_parents(hdir, 0700);
	if (r < 0)
		return r;
	dest = path_join(hdir, id);
	if (!dest)
		return -ENOMEM;
	r = fault_inject("rename");
	if (r < 0)
		return r;
	if (rename(dir, dest) < 0)
		return negative_errno();
	r = fsync_parent_dir(dest);
	if (r < 0)
		return r;
	(void)fsync_parent_dir(dir);
	return prune_history(sdir);
}

int txn_commit(struct txn *t)
{
	int r;

	r = journal_append(t, "COMMIT");
	if (r < 0)
		return r;
	return archive(t->state_dir, t->dir, t->j.id);
}

static int mkdir_parents_of(const char *path)
{
	_cleanup_free_ char *d = strdup(path);
	char *slash;

	if (!d)
		return -ENOMEM;
	slash = strrchr(d, '/');
	if (!slash || slash == d)
		return 0;
	*slash = 0;
	return mkdir_parents(d, 0755);
}

/* Restores one file record; safe to repeat (a crash during rollback is rolled back again). */
static int undo_file(const char *root, const char *dir, const struct txn_record *rec)
{
	_cleanup_free_ char *host = NULL, *bpath = NULL, *data = NULL;
	char sha[SHA256_HEX_SIZE];
	size_t size;
	int r;

	r = path_chase(root, rec->path, CHASE_NONEXISTENT, &host);
	if (r < 0)
		return r;
	/* A crash inside the atomic write leaves its temporary file: never leave it behind. */
	r = remove_stale_temp_files(host);
	if (r < 0)
		return r;
	if (!rec->existed) {
		if (unlink(host) < 0 && errno != ENOENT)
			return negative_errno();
		(void)fsync_parent_dir(host);
		return 0;
	}
	if (asprintf(&bpath, "%s/backup/%u", dir, rec->n) < 0) {
		bpath = NULL;
		return -ENOMEM;
	}
	r = read_full_file(bpath, BACKUP_MAX, &data, &size);
	if (r < 0)
		return r;
	sha256_hex(data, size, sha);
	if (!streq(sha, rec->sha_old))
		return -EBADMSG; /* a damaged backup is never written over the system */
	r = mkdir_parents_of(host); /* a rollback may have removed a directory it was in */
	if (r < 0)
		return r;
	r = write_file_atomic(host, data, size, rec->mode);
	if (r < 0)
		return r;
	if (chown(host, rec->uid, rec->gid) < 0 && errno != EPERM)
		return negative_errno();
	if (chmod(host, rec->mode) < 0)
		return negative_errno();
	return 0;
}

/* What a rollback could not undo, for the person who has to look. */
struct undo_failures {
	unsigned n;
	char text[512];
};

_printf_(2, 3) static void note_failure(struct undo_failures *f, const char *fmt, ...)
{
	size_t len = strlen(f->text);
	va_list ap;

	f->n++;
	if (len + 3 >= sizeof(f->text))
		return;
	if (len)
		len += (size_t)snprintf(f->text + len, sizeof(f->text) - len, "; ");
	va_start(ap, fmt);
	vsnprintf(f->text + len, sizeof(f->text) - len, fmt, ap);
	va_end(ap);
}

/*
 * Runs a command's undo. Only commands that were started are undone, and each undo once (UNDO
 * and UNDONE records: a rollback that is itself interrupted does not run it twice). An undo that
 * fails is an error only when its command had succeeded and the undo had not been tried before:
 * the undo of a command that failed or was cut off (a `dkms add` that registered nothing), or
 * an undo cut off by a crash, may find nothing left to undo and must not block recovery.
 */
static int undo_run(struct txn *t, const struct txn_record *rec, struct undo_failures *f,
		    bool boot)
{
	struct exec_opts o = { .chroot_dir = rec->chroot ? t->root : NULL, .merge_stderr = true,
			       .timeout_sec = 600 };
	/* Cut off by a crash, an undo may have done its work: trying again may find nothing. */
	bool cut_off = rec->undo_started && !rec->undo_failed, ok;
	bool needed = rec->ran && rec->exit_code == 0 && !cut_off;
	unsigned n = rec->n;
	_cleanup_free_ char *cmd = NULL;
	struct exec_result res;
	int r;

	if (!rec->undo || !rec->started || rec->undone)
		return 0;
	/* At boot the network services have not started: they start from the restored files,
	 * and an undo that talks to them would find nothing to talk to. */
	if (boot && rec->live) {
		log_debug("undo at boot, left to the network services: %s",
			  (cmd = strv_join(rec->undo, " ")) ? cmd : rec->undo[0]);
		return journal_appendf(t, "UNDONE %u", n);
	}
	if (!rec->undo_started && (r = journal_appendf(t, "UNDO %u", n)) < 0)
		return r;
	cmd = strv_join(rec->undo, " ");
	r = exec_run(rec->undo, &o, &res);
	if (r < 0) {
		log_debug("undo: %s: %s", cmd ? cmd : rec->undo[0], strerror(-r));
		if (!needed)
			return 0;
		note_failure(f, "%s: %s", cmd ? cmd : rec->undo[0], strerror(-r));
		(void)journal_appendf(t, "UNDOFAILED %u", n);
		return r;
	}
	ok = exec_succeeded(&res);
	r = ok || !needed ? 0 : -ECANCELED;
	/* The log file keeps what the undo said: a rollback that did not bring the old
	 * interface back is diagnosed from it. */
	log_debug("undo: %s (exit %d)%s%s", cmd ? cmd : rec->undo[0], res.exit_code,
		  res.output && *res.output ? ":\n" : "", res.output ? res.output : "");
	if (r < 0)
		note_failure(f, "%s (exit %d)", cmd ? cmd : rec->undo[0], res.exit_code);
	exec_result_done(&res);
	if (ok || needed) {
		int q = journal_appendf(t, ok ? "UNDONE %u" : "UNDOFAILED %u", n);

		r = r < 0 ? r : q;
	}
	return r;
}

static int undo_mkdir(const char *root, const struct txn_record *rec)
{
	_cleanup_free_ char *host = NULL;
	int r;

	r = path_chase(root, rec->path, CHASE_NONEXISTENT, &host);
	/* A directory someone else filled since is left in place. */
	if (r == 0 && rmdir(host) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		r = negative_errno();
	return r;
}

/* Undoes every record of t's journal, newest first; returns the first error but goes on. */
static int undo_all(struct txn *t, struct undo_failures *f, bool boot)
{
	int first = 0;

	for (size_t i = t->j.n_recs; i-- > 0;) {
		const struct txn_record *rec = &t->j.recs[i];
		int r = fault_inject("undo");

		if (r < 0)
			return r;
		switch (rec->type) {
		case REC_FILE:
			r = undo_file(t->root, t->dir, rec);
			if (r < 0)
				note_failure(f, "restore %s: %s", rec->path, strerror(-r));
			break;
		case REC_MKDIR:
			r = undo_mkdir(t->root, rec);
			break;
		case REC_RUN:
			r = undo_run(t, rec, f, boot);
			break;
		}
		if (r < 0 && first == 0)
			first = r;
	}
	return first;
}

/*
 * Rolls t back; with TXN_RECOVER_ACCEPT, undos that failed are accepted (listed) and it
 * finishes anyway; with TXN_RECOVER_BOOT, live undos are left out.
 */
static int rollback_journal(struct txn *t, unsigned flags)
{
	bool accept = flags & TXN_RECOVER_ACCEPT;
	struct undo_failures f = {};
	int r, q;

	r = journal_append(t, "ROLLBACK");
	if (r < 0)
		return r;
	r = undo_all(t, &f, flags & TXN_RECOVER_BOOT);
	t->n_failed = f.n;
	memcpy(t->failed, f.text, sizeof(t->failed));
	if (r < 0 && !accept)
		return r; /* stays pending: recovery tries again, or `recover --force` accepts */
	q = journal_append(t, "ROLLEDBACK");
	if (q < 0)
		return q;
	return archive(t->state_dir, t->dir, t->j.id);
}

int txn_rollback(struct txn *t)
{
	return rollback_journal(t, 0);
}

const char *txn_failed_undos(const struct txn *t, unsigned *ret_n)
{
	if (ret_n)
		*ret_n = t->n_failed;
	return t->failed;
}

static void fill_info(const struct journal *j, struct txn_info *ret)
{
	if (!ret)
		return;
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->id, sizeof(ret->id), "%s", j->id);
	snprintf(ret->op, sizeof(ret->op), "%s", j->op);
	ret->state = j->state;
	ret->guard = j->guard;
	for (size_t i = 0; i < j->n_recs; i++) {
		if (j->recs[i].type == REC_FILE)
			ret->n_files++;
		else if (j->recs[i].type == REC_RUN)
			ret->n_commands++;
	}
}

static int existing_state_dir(const char *root, char **ret)
{
	return path_chase(root, TXN_STATE_DIR, 0, ret);
}

int txn_pending(const char *root, struct txn_info *ret)
{
	_cleanup_free_ char *sdir = NULL, *dir = NULL;
	struct journal j;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = existing_state_dir(root, &sdir);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = find_pending_dir(sdir, &dir);
	if (r <= 0)
		return r;
	r = load_journal(dir, &j);
	if (r == -ENODATA) {
		ret->state = TXN_OPEN; /* begun, nothing recorded: recovery just removes it */
		return 0;
	}
	if (r < 0)
		return r;
	fill_info(&j, ret);
	journal_done(&j);
	return 0;
}

/* The newest history entry whose state matches want (TXN_NONE: any). */
static int find_history(const char *sdir, enum txn_state want, char **ret_dir,
			struct journal *ret_j)
{
	_cleanup_free_ char *hdir = path_join(sdir, "history");
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r;

	if (!hdir)
		return -ENOMEM;
	d = opendir(hdir);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			r = strv_push(&names, de->d_name);
			if (r < 0)
				return r;
		}
	strv_sort(names);
	for (size_t i = strv_length(names); i-- > 0;) {
		_cleanup_free_ char *dir = path_join(hdir, names[i]);
		struct journal j;

		if (!dir)
			return -ENOMEM;
		if (load_journal(dir, &j) < 0)
			continue;
		if (want == TXN_NONE || j.state == want) {
			*ret_dir = TAKE_PTR(dir);
			*ret_j = j;
			return 1;
		}
		journal_done(&j);
	}
	return 0;
}

int txn_last_finished(const char *root, struct txn_info *ret)
{
	_cleanup_free_ char *sdir = NULL, *dir = NULL;
	struct journal j;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = existing_state_dir(root, &sdir);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = find_history(sdir, TXN_NONE, &dir, &j);
	if (r <= 0)
		return r;
	fill_info(&j, ret);
	journal_done(&j);
	return 0;
}

/*
 * Cuts a torn last record (a crash in the middle of a write) off, back to the last whole one,
 * so that the next record starts a line of its own and the journal stays readable.
 */
static int cut_torn_tail(int fd, const char *jp)
{
	_cleanup_free_ char *text = NULL;
	const char *nl;
	size_t size, keep;
	int r;

	r = read_full_file(jp, BACKUP_MAX, &text, &size);
	if (r < 0)
		return r;
	nl = memrchr(text, '\n', size);
	keep = nl ? (size_t)(nl - text) + 1 : 0;
	if (keep == size)
		return 0;
	if (ftruncate(fd, (off_t)keep) < 0 || fsync(fd) < 0)
		return negative_errno();
	return 0;
}

/* Opens the pending transaction for appending, under the lock. Returns 0 when none. */
static int open_pending(const char *root, struct txn **ret)
{
	_cleanup_free_ char *jp = NULL;
	struct txn *t;
	int r;

	r = txn_new_locked(root, &t);
	if (r < 0)
		return r;
	r = find_pending_dir(t->state_dir, &t->dir);
	if (r <= 0)
		goto fail;
	r = load_journal(t->dir, &t->j);
	if (r == -ENODATA) {
		r = remove_txn_dir(t->dir); /* nothing was recorded: nothing was changed */
		goto fail; /* 0: nothing pending any more */
	}
	if (r < 0)
		goto fail;
	jp = path_join(t->dir, "journal");
	if (!jp) {
		r = -ENOMEM;
		goto fail;
	}
	t->journal_fd = open(jp, O_WRONLY | O_APPEND | O_CLOEXEC);
	r = t->journal_fd < 0 ? negative_errno() : cut_torn_tail(t->journal_fd, jp);
	if (r < 0)
		goto fail;
	*ret = t;
	return 1;
fail:
	txn_release(t);
	return r;
}

int txn_recover(const char *root, bool include_guarded, struct txn_info *ret)
{
	return txn_recover_full(root, include_guarded ? TXN_RECOVER_GUARDED : 0, ret);
}

int txn_recover_full(const char *root, unsigned flags, struct txn_info *ret)
{
	bool include_guarded = flags & TXN_RECOVER_GUARDED;
	struct txn *t = NULL;
	int r;

	if (ret)
		memset(ret, 0, sizeof(*ret));
	r = open_pending(root, &t);
	if (r <= 0)
		return r;
	switch (t->j.state) {
	case TXN_COMMITTED:
	case TXN_ROLLED_BACK:
		/* It was finished; only the move into the history was interrupted. */
		r = archive(t->state_dir, t->dir, t->j.id);
		break;
	case TXN_APPLIED:
		if (t->j.guard && !include_guarded) {
			r = 0; /* waiting for `confirm` or the boot guard */
			fill_info(&t->j, ret);
			if (ret)
				ret->state = TXN_NONE;
			txn_release(t);
			return r;
		}
		/* fall through */
	default:
		r = rollback_journal(t, flags);
		break;
	}
	fill_info(&t->j, ret);
	if (ret) {
		ret->n_failed = t->n_failed;
		memcpy(ret->failed, t->failed, sizeof(ret->failed));
	}
	txn_release(t);
	return r;
}

int txn_confirm(const char *root, struct txn_info *ret)
{
	struct txn *t = NULL;
	int r;

	if (ret)
		memset(ret, 0, sizeof(*ret));
	r = open_pending(root, &t);
	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	if (t->j.state != TXN_APPLIED) {
		txn_release(t);
		return -EINVAL;
	}
	r = txn_commit(t);
	fill_info(&t->j, ret);
	txn_release(t);
	return r;
}

/* True when every file the transaction wrote still holds what it wrote. */
static int unchanged_since(const char *root, const struct journal *j)
{
	for (size_t i = 0; i < j->n_recs; i++) {
		const struct txn_record *rec = &j->recs[i];
		_cleanup_free_ char *host = NULL, *data = NULL;
		char sha[SHA256_HEX_SIZE];
		size_t size;
		int r;

		if (rec->type != REC_FILE || !rec->done)
			continue;
		r = path_chase(root, rec->path, CHASE_NONEXISTENT, &host);
		if (r < 0)
			return r;
		r = read_full_file(host, BACKUP_MAX, &data, &size);
		if (rec->removed) {
			if (r != -ENOENT)
				return -ESTALE;
			continue;
		}
		if (r < 0)
			return r == -ENOENT ? -ESTALE : r;
		sha256_hex(data, size, sha);
		if (!streq(sha, rec->sha_new))
			return -ESTALE;
	}
	return 0;
}

/*
 * The last change in the history that `rollback` undoes: 1 with its directory and journal, or
 * -EALREADY when the newest change was rolled back already (a committed "rollback:<id>"). A
 * rollback transaction that was itself rolled back (recovered after a crash) changed nothing.
 */
static int find_last_change(const char *sdir, char **ret_dir, struct journal *ret_j)
{
	_cleanup_free_ char *hdir = path_join(sdir, "history");
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r;

	if (!hdir)
		return -ENOMEM;
	d = opendir(hdir);
	if (!d)
		return errno == ENOENT ? -ENOENT : negative_errno();
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && (r = strv_push(&names, de->d_name)) < 0)
			return r;
	strv_sort(names);
	for (size_t i = strv_length(names); i-- > 0;) {
		_cleanup_free_ char *dir = path_join(hdir, names[i]);
		struct journal j;
		bool undoer;

		if (!dir)
			return -ENOMEM;
		if (load_journal(dir, &j) < 0)
			continue;
		undoer = strncmp(j.op, "rollback:", 9) == 0;
		if (undoer && j.state == TXN_ROLLED_BACK) {
			journal_done(&j);
			continue;
		}
		if (undoer || j.state != TXN_COMMITTED) {
			journal_done(&j);
			return -EALREADY;
		}
		*ret_dir = TAKE_PTR(dir);
		*ret_j = j;
		return 1;
	}
	return -ENOENT;
}

/* Puts one file of a committed change back, through t (so that t can put it back again). */
static int restore_file(struct txn *t, const char *dir, const struct txn_record *rec)
{
	_cleanup_free_ char *bpath = NULL, *data = NULL, *host = NULL;
	char sha[SHA256_HEX_SIZE];
	size_t size;
	int r;

	if (!rec->existed)
		return txn_remove_file(t, rec->path);
	if (asprintf(&bpath, "%s/backup/%u", dir, rec->n) < 0)
		return -ENOMEM;
	r = read_full_file(bpath, BACKUP_MAX, &data, &size);
	if (r < 0)
		return r;
	sha256_hex(data, size, sha);
	if (!streq(sha, rec->sha_old))
		return -EBADMSG; /* a damaged backup is never written over the system */
	r = txn_write_file(t, rec->path, data, size, rec->mode);
	if (r < 0)
		return r;
	r = host_path(t, rec->path, &host);
	if (r < 0)
		return r;
	if (chown(host, rec->uid, rec->gid) < 0 && errno != EPERM)
		return negative_errno();
	return chmod(host, rec->mode) < 0 ? negative_errno() : 0;
}

/* Runs the undo of one command of a committed change, journaled with the command as its undo. */
static int restore_run(struct txn *t, const struct txn_record *rec, struct undo_failures *f)
{
	struct exec_opts o = { .chroot_dir = rec->chroot ? t->root : NULL, .merge_stderr = true,
			       .timeout_sec = 600 };
	bool needed = rec->ran && rec->exit_code == 0;
	_cleanup_free_ char *cmd = NULL;
	struct exec_result res;
	int r;

	if (!rec->undo || !rec->started)
		return 0;
	cmd = strv_join(rec->undo, " ");
	r = txn_run(t, rec->undo, needed ? rec->argv : NULL, &o, &res);
	if (r >= 0) {
		if (!exec_succeeded(&res) && needed)
			r = -ECANCELED;
		exec_result_done(&res);
	}
	if (r < 0 && needed)
		note_failure(f, "%s: %s", cmd ? cmd : rec->undo[0], strerror(-r));
	return needed ? r : 0;
}

/* The steps of a rollback transaction: each record of the committed change, newest first. */
static int restore_all(struct txn *t, const char *dir, const struct journal *j,
		       struct undo_failures *f)
{
	int first = 0;

	for (size_t i = j->n_recs; i-- > 0;) {
		const struct txn_record *rec = &j->recs[i];
		int r = 0;

		switch (rec->type) {
		case REC_FILE:
			r = restore_file(t, dir, rec);
			if (r < 0)
				note_failure(f, "restore %s: %s", rec->path, strerror(-r));
			break;
		case REC_MKDIR:
			r = undo_mkdir(t->root, rec);
			break;
		case REC_RUN:
			r = restore_run(t, rec, f);
			break;
		}
		if (r < 0 && first == 0)
			first = r;
	}
	return first;
}

/*
 * `rollback` of the last committed change is a transaction of its own ("rollback:<id>"): each
 * file it puts back is backed up first and each undo is journaled, so that a crash half-way is
 * recovered (back to the committed change) and a forced rollback keeps the edits it overwrote
 * in the history. When an undo fails it is rolled back itself, unless force accepts it.
 */
int txn_rollback_last(const char *root, bool force, struct txn_info *ret)
{
	_cleanup_free_ char *dir = NULL, *pending = NULL, *op = NULL;
	struct undo_failures f = {};
	struct journal j = {};
	struct txn *t;
	int r;

	if (ret)
		memset(ret, 0, sizeof(*ret));
	r = txn_new_locked(root, &t);
	if (r < 0)
		return r;
	r = find_pending_dir(t->state_dir, &pending);
	if (r > 0)
		r = -EUCLEAN;
	if (r >= 0)
		r = find_last_change(t->state_dir, &dir, &j);
	if (r < 0)
		goto out;
	fill_info(&j, ret);
	if (!force && (r = unchanged_since(root, &j)) < 0)
		goto out;
	if (asprintf(&op, "rollback:%s", j.id) < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = create_txn_dir(t, op);
	if (r < 0)
		goto out;
	r = restore_all(t, dir, &j, &f);
	if (ret) {
		ret->n_failed = f.n;
		memcpy(ret->failed, f.text, sizeof(ret->failed));
	}
	if (r < 0 && (!force || f.n == 0)) {
		int q = txn_rollback(t);

		r = q < 0 ? q : r;
		goto out;
	}
	r = txn_mark_applied(t, false);
	if (r >= 0)
		r = txn_commit(t);
	if (r >= 0 && ret)
		ret->state = TXN_ROLLED_BACK;
out:
	journal_done(&j);
	txn_release(t);
	return r;
}
