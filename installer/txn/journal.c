// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "lib/macro.h"
#include "lib/strv.h"

int journal_format_id(const struct timespec *ts, long pid, char *buf, size_t size)
{
	struct tm tm;
	char stamp[32];

	if (!gmtime_r(&ts->tv_sec, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm))
		return -EINVAL;
	return snprintf(buf, size, "%s.%06ldZ-%010ld", stamp, ts->tv_nsec / 1000, pid) < (int)size
		       ? 0
		       : -ENAMETOOLONG;
}

char *journal_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 2), *o = out;

	if (!out)
		return NULL;
	if (!*s)
		*o++ = '%'; /* an empty field is "%": fields are never empty on disk */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '%') {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		} else {
			*o++ = (char)*p;
		}
	}
	*o = 0;
	return out;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes in place; -EBADMSG for a bad escape or an encoded NUL. */
static int decode(char *s)
{
	char *o = s;

	if (streq(s, "%")) {
		*s = 0;
		return 0;
	}
	for (char *p = s; *p; p++) {
		if (*p == '%') {
			int hi = unhex(p[1]), lo = hi >= 0 ? unhex(p[2]) : -1;

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EBADMSG;
			*o++ = (char)(hi << 4 | lo);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return 0;
}

static void record_done(struct txn_record *r)
{
	free(r->path);
	strv_free(r->argv);
	strv_free(r->undo);
}

void journal_done(struct journal *j)
{
	for (size_t i = 0; i < j->n_recs; i++)
		record_done(&j->recs[i]);
	free(j->recs);
	j->recs = NULL;
	j->n_recs = 0;
}

struct txn_record *journal_find(struct journal *j, enum rec_type type, unsigned n)
{
	for (size_t i = 0; i < j->n_recs; i++)
		if (j->recs[i].type == type && j->recs[i].n == n)
			return &j->recs[i];
	return NULL;
}

static int parse_uint(const char *s, unsigned base, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -EBADMSG;
	errno = 0;
	v = strtoul(s, &end, (int)base);
	if (errno || *end)
		return -EBADMSG;
	*ret = v;
	return 0;
}

static int parse_sha(const char *s, char out[SHA256_HEX_SIZE])
{
	if (streq(s, "-")) {
		out[0] = 0;
		return 0;
	}
	if (strlen(s) != 64 || strspn(s, "0123456789abcdef") != 64)
		return -EBADMSG;
	memcpy(out, s, SHA256_HEX_SIZE);
	return 0;
}

static struct txn_record *add_record(struct journal *j, enum rec_type type, unsigned long n)
{
	struct txn_record *nr;

	if (journal_find(j, type, (unsigned)n))
		return NULL; /* numbers are unique per type */
	nr = realloc(j->recs, (j->n_recs + 1) * sizeof(*nr));
	if (!nr)
		return NULL;
	j->recs = nr;
	nr = &j->recs[j->n_recs++];
	memset(nr, 0, sizeof(*nr));
	nr->type = type;
	nr->n = (unsigned)n;
	return nr;
}

/* Takes count encoded args from f[*i...] into a new vector. */
static int take_argv(char **f, size_t nf, size_t *i, char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;
	unsigned long count;
	int r;

	if (*i >= nf || parse_uint(f[*i], 10, &count) < 0 || count > nf - *i - 1)
		return -EBADMSG;
	(*i)++;
	if (count == 0) {
		*ret = NULL;
		return 0;
	}
	v = calloc(1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (unsigned long k = 0; k < count; k++, (*i)++) {
		r = decode(f[*i]);
		if (r < 0)
			return r;
		r = strv_push(&v, f[*i]);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

int journal_apply_line(struct journal *j, char *line)
{
	_cleanup_strv_free_ char **f = NULL;
	struct txn_record *rec;
	unsigned long n, v;
	size_t nf;
	int r;

	r = strv_split(line, " ", &f);
	if (r < 0)
		return r;
	nf = strv_length(f);
	if (nf == 0)
		return -EBADMSG;

	if (streq(f[0], "BEGIN") && nf == 3) {
		if (decode(f[1]) < 0 || decode(f[2]) < 0 || strlen(f[1]) >= sizeof(j->id) ||
		    strlen(f[2]) >= sizeof(j->op))
			return -EBADMSG;
		strcpy(j->id, f[1]);
		strcpy(j->op, f[2]);
		j->state = TXN_OPEN;
		return 0;
	}
	if (j->state == TXN_NONE)
		return -EBADMSG; /* everything comes after BEGIN */
	if (streq(f[0], "STEP") && nf == 2) {
		if (decode(f[1]) < 0)
			return -EBADMSG;
		j->n_steps++;
		return 0;
	}
	if (streq(f[0], "MKDIR") && nf == 3) {
		if (parse_uint(f[1], 10, &n) < 0 || decode(f[2]) < 0)
			return -EBADMSG;
		rec = add_record(j, REC_MKDIR, n);
		if (!rec)
			return -EBADMSG;
		rec->path = strdup(f[2]);
		return rec->path ? 0 : -ENOMEM;
	}
	if (streq(f[0], "FILE") && nf == 8) {
		unsigned long existed, mode, uid, gid;
		char sha[SHA256_HEX_SIZE];

		if (parse_uint(f[1], 10, &n) < 0 || decode(f[2]) < 0 || f[2][0] != '/' ||
		    parse_uint(f[3], 10, &existed) < 0 || existed > 1 ||
		    parse_uint(f[4], 8, &mode) < 0 || mode > 07777 ||
		    parse_uint(f[5], 10, &uid) < 0 || parse_uint(f[6], 10, &gid) < 0 ||
		    parse_sha(f[7], sha) < 0 || (existed && !sha[0]))
			return -EBADMSG;
		rec = add_record(j, REC_FILE, n);
		if (!rec)
			return -EBADMSG;
		rec->existed = existed;
		rec->mode = (mode_t)mode;
		rec->uid = (uid_t)uid;
		rec->gid = (gid_t)gid;
		memcpy(rec->sha_old, sha, sizeof(sha));
		rec->path = strdup(f[2]);
		return rec->path ? 0 : -ENOMEM;
	}
	if (streq(f[0], "DONE") && nf == 3) {
		if (parse_uint(f[1], 10, &n) < 0)
			return -EBADMSG;
		rec = journal_find(j, REC_FILE, (unsigned)n);
		if (!rec || parse_sha(f[2], rec->sha_new) < 0)
			return -EBADMSG;
		rec->done = true;
		rec->removed = !rec->sha_new[0];
		return 0;
	}
	if (streq(f[0], "RUN") && nf >= 5) {
		size_t i = 3;

		if (parse_uint(f[1], 10, &n) < 0 || parse_uint(f[2], 10, &v) < 0 || v > 3)
			return -EBADMSG;
		rec = add_record(j, REC_RUN, n);
		if (!rec)
			return -EBADMSG;
		rec->chroot = v & 1;
		rec->live = v & 2;
		r = take_argv(f, nf, &i, &rec->argv);
		if (r < 0)
			return r;
		r = take_argv(f, nf, &i, &rec->undo);
		if (r < 0)
			return r;
		if (i != nf || !rec->argv)
			return -EBADMSG;
		return 0;
	}
	if ((streq(f[0], "STARTED") || streq(f[0], "UNDO") || streq(f[0], "UNDONE") ||
	     streq(f[0], "UNDOFAILED")) &&
	    nf == 2) {
		if (parse_uint(f[1], 10, &n) < 0)
			return -EBADMSG;
		rec = journal_find(j, REC_RUN, (unsigned)n);
		if (!rec)
			return -EBADMSG;
		if (streq(f[0], "STARTED"))
			rec->started = true;
		else if (streq(f[0], "UNDO"))
			rec->undo_started = true;
		else if (streq(f[0], "UNDONE"))
			rec->undone = true;
		else
			rec->undo_failed = true;
		return 0;
	}
	if (streq(f[0], "RAN") && nf == 3) {
		long code;
		char *end;

		if (parse_uint(f[1], 10, &n) < 0)
			return -EBADMSG;
		rec = journal_find(j, REC_RUN, (unsigned)n);
		code = strtol(f[2], &end, 10);
		if (!rec || *end || code < -1 || code > 255)
			return -EBADMSG;
		rec->ran = rec->started = true; /* journals older than STARTED: RAN implies it */
		rec->exit_code = (int)code;
		return 0;
	}
	if (streq(f[0], "APPLIED") && nf == 2) {
		if (parse_uint(f[1], 10, &v) < 0 || v > 1)
			return -EBADMSG;
		j->state = TXN_APPLIED;
		j->guard = v;
		return 0;
	}
	if (streq(f[0], "COMMIT") && nf == 1) {
		j->state = TXN_COMMITTED;
		return 0;
	}
	if (streq(f[0], "ROLLBACK") && nf == 1) {
		j->rollback_started = true;
		return 0;
	}
	if (streq(f[0], "ROLLEDBACK") && nf == 1) {
		j->state = TXN_ROLLED_BACK;
		return 0;
	}
	return -EBADMSG;
}

int journal_parse(const char *text, struct journal *ret, unsigned *ret_line)
{
	struct journal j = {};
	const char *p = text;
	unsigned line = 0;
	int r;

	for (;;) {
		const char *nl = strchr(p, '\n');
		_cleanup_free_ char *l = NULL;

		if (!nl)
			break; /* a torn last line (or the end): ignored */
		line++;
		l = strndup(p, (size_t)(nl - p));
		if (!l) {
			journal_done(&j);
			return -ENOMEM;
		}
		r = journal_apply_line(&j, l);
		if (r < 0) {
			journal_done(&j);
			if (ret_line)
				*ret_line = line;
			return r;
		}
		p = nl + 1;
	}
	if (line == 0)
		return -ENODATA; /* not even BEGIN reached the disk: nothing was done */
	*ret = j;
	return 0;
}
