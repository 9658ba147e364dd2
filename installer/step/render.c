// SPDX-License-Identifier: GPL-2.0-or-later
/* The step renderer (render.h): text with diffs, or one JSON document. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/diff.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "render.h"
#include "step.h"
#include "txn/txn.h"

static const char *const kind_names[] = {
	[STEP_WRITE] = "write", [STEP_REMOVE] = "remove", [STEP_KEEP] = "keep",
	[STEP_RUN] = "run",     [STEP_PROBE] = "probe",   [STEP_CALL] = "call",
};

unsigned step_view_count(const struct step_view *v)
{
	unsigned n = 0;

	for (size_t i = 0; i < ELEMENTSOF(v->lists) && v->lists[i]; i++)
		n += (unsigned)v->lists[i]->n;
	return n;
}

/* argv as a shell would show it, quoting where needed (for people; never executed). */
static void print_argv(FILE *f, char *const *argv)
{
	static const char plain_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789-_./:=,+@%";

	for (size_t i = 0; argv && argv[i]; i++) {
		const char *a = argv[i];

		if (i)
			fputc(' ', f);
		if (*a && strspn(a, plain_chars) == strlen(a)) {
			fputs(a, f);
			continue;
		}
		fputc('\'', f);
		for (const char *p = a; *p; p++)
			if (*p == '\'')
				fputs("'\\''", f);
			else
				fputc(*p, f);
		fputc('\'', f);
	}
}

static void json_argv(struct json_writer *w, const char *key, char *const *argv)
{
	if (!argv) {
		json_null(w, key);
		return;
	}
	json_array_begin(w, key);
	for (size_t i = 0; argv[i]; i++)
		json_string(w, NULL, argv[i]);
	json_array_end(w);
}

/* The current content of path under root: NULL (and 0) when it does not exist. */
static int read_current(const char *root, const char *path, char **ret, size_t *ret_size,
			struct stat *ret_st)
{
	_cleanup_free_ char *host = NULL;
	int r;

	*ret = NULL;
	*ret_size = 0;
	r = path_chase(root, path, 0, &host);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (stat(host, ret_st) < 0)
		return negative_errno();
	return read_full_file(host, READ_FILE_MAX, ret, ret_size);
}

static void print_indented(FILE *f, const char *text)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		fprintf(f, "       %.*s\n", (int)len, p);
		p += len + (nl ? 1 : 0);
	}
}

static void print_title(FILE *f, unsigned n, unsigned total, const char *title)
{
	fprintf(f, "%2u/%u  %c%s\n", n, total,
		title[0] >= 'a' && title[0] <= 'z' ? title[0] - 'a' + 'A' : title[0],
		title + (title[0] != 0));
}

static void text_command(FILE *f, const struct step *s)
{
	if (s->argv) {
		fputs(s->kind == STEP_PROBE ? "       check: " : "       run:  ", f);
		print_argv(f, s->argv);
		fputc('\n', f);
	}
	if (s->undo) {
		fputs(s->kind == STEP_KEEP ? "       if too large to keep, undo: " :
		      s->undo_phase == UNDO_AFTER_FILES ? "       undo (after the files are restored): " :
							  "       undo: ", f);
		print_argv(f, s->undo);
		fputc('\n', f);
	}
}

static void text_file(FILE *f, const struct step *s, const char *cur, const struct stat *st,
		      const char *diff)
{
	if (s->kind == STEP_KEEP) {
		fprintf(f, "       backup: %s bytes kept in %s/txn/<id>/backup/, put back on "
			   "rollback\n", cur ? "its" : "(no file yet) no", TXN_STATE_DIR);
		return;
	}
	if (cur)
		fprintf(f, "       backup: %s/txn/<id>/backup/ (mode %04o, owner %u:%u, restored on "
			   "rollback)\n", TXN_STATE_DIR, (unsigned)(st->st_mode & 07777),
			(unsigned)st->st_uid, (unsigned)st->st_gid);
	else if (s->kind == STEP_WRITE)
		fprintf(f, "       new file, mode %04o (removed on rollback)\n", (unsigned)s->mode);
	if (*diff)
		print_indented(f, diff);
	else
		fputs("       (no change in content)\n", f);
}

static void json_file(struct json_writer *w, const struct step *s, const char *cur,
		      const struct stat *st, const char *diff)
{
	json_string(w, "path", s->path);
	json_bool(w, "exists", cur != NULL);
	json_bool(w, "backup", cur != NULL);
	if (s->kind == STEP_WRITE) {
		char mode[8];

		snprintf(mode, sizeof(mode), "%04o", (unsigned)(cur ? st->st_mode & 07777 : s->mode));
		json_string(w, "mode", mode);
	}
	if (s->kind != STEP_KEEP)
		json_string(w, "diff", diff);
}

/* A file step's diff against the file now (KEEP: none). */
static int file_diff(const struct step_view *v, const struct step *s, char **ret_cur,
		     struct stat *ret_st, char **ret_diff, char **ret_bad_path)
{
	_cleanup_free_ char *la = NULL, *lb = NULL;
	size_t cur_size = 0;
	int r;

	r = read_current(v->root, s->path, ret_cur, &cur_size, ret_st);
	if (r < 0) {
		if (ret_bad_path)
			*ret_bad_path = strdup(s->path);
		return r;
	}
	if (s->kind == STEP_KEEP) {
		*ret_diff = strdup("");
		return *ret_diff ? 0 : -ENOMEM;
	}
	if (s->brief)
		return asprintf(ret_diff, "(%zu bytes, not shown)", s->size) < 0 ? -ENOMEM : 0;
	if ((s->data && memchr(s->data, 0, s->size)) || (*ret_cur && memchr(*ret_cur, 0, cur_size)))
		return asprintf(ret_diff, "(a binary file: %zu bytes%s)", s->size,
				*ret_cur ? ", replacing the one there" : "") < 0 ? -ENOMEM : 0;
	if (asprintf(&la, "%s%s", *ret_cur ? "a" : "", *ret_cur ? s->path : "/dev/null") < 0 ||
	    asprintf(&lb, "%s%s", s->data ? "b" : "", s->data ? s->path : "/dev/null") < 0)
		return -ENOMEM;
	return diff_unified(*ret_cur, cur_size, s->data, s->size, la, lb, DIFF_CONTEXT, ret_diff);
}

static int render_step(FILE *f, struct json_writer *w, const struct step_view *v,
		       const struct step *s, unsigned n, unsigned total, char **ret_bad_path)
{
	_cleanup_free_ char *cur = NULL, *diff = NULL, *title = NULL;
	bool file = s->kind == STEP_WRITE || s->kind == STEP_REMOVE || s->kind == STEP_KEEP;
	struct stat st = {};
	int r;

	if (file && (r = file_diff(v, s, &cur, &st, &diff, ret_bad_path)) < 0)
		return r;
	if (!w) {
		if (s->kind == STEP_WRITE || s->kind == STEP_REMOVE) {
			if (asprintf(&title, "%s %s (%s)", s->kind == STEP_REMOVE ? "Remove" :
				     cur ? "Rewrite" : "Create", s->path, s->title) < 0)
				return -ENOMEM;
		}
		print_title(f, n, total, title ? title : s->title);
		fprintf(f, "       id: %s\n", s->id);
		text_command(f, s);
		if (file)
			text_file(f, s, cur, &st, diff);
		return 0;
	}
	json_object_begin(w, NULL);
	json_int(w, "step", n);
	json_string(w, "id", s->id);
	json_string(w, "kind", kind_names[s->kind]);
	json_string(w, "title", s->title);
	if (s->kind == STEP_RUN || s->kind == STEP_PROBE || s->undo) {
		json_argv(w, "argv", s->argv);
		json_argv(w, "undo", s->undo);
		json_string(w, "undo_phase", s->undo_phase == UNDO_AFTER_FILES ? "after-files" :
								       "in-order");
	}
	if (file)
		json_file(w, s, cur, &st, diff);
	json_object_end(w);
	return 0;
}

static void header(FILE *f, struct json_writer *w, const struct step_view *v, unsigned total)
{
	if (!w) {
		fprintf(f, "Plan for %s: %s -> %s (configured by %s), %u steps\n\n", v->operation,
			v->from ? v->from : "?", v->to ? v->to : "?",
			v->backend ? v->backend : "nothing", total);
		return;
	}
	json_object_begin(w, NULL);
	json_string(w, "operation", v->operation);
	json_string(w, "from", v->from);
	json_string(w, "to", v->to);
	json_string(w, "backend", v->backend);
	if (v->check) {
		json_object_begin(w, "check");
		json_string(w, "kind", v->check);
		json_string(w, "target", v->check_target);
		json_string(w, "proves", v->check_why);
		json_int(w, "timeout", v->timeout_sec);
		json_object_end(w);
	} else {
		json_null(w, "check");
	}
	json_array_begin(w, "steps");
}

int step_render(FILE *f, const struct step_view *v, bool json, char **ret_bad_path)
{
	unsigned total = step_view_count(v), n = 0;
	struct json_writer jw, *w = NULL;
	int r;

	if (json) {
		w = &jw;
		json_init(w, f, true);
	}
	header(f, w, v, total);
	for (size_t k = 0; k < ELEMENTSOF(v->lists) && v->lists[k]; k++)
		for (size_t i = 0; i < v->lists[k]->n; i++) {
			r = render_step(f, w, v, &v->lists[k]->v[i], ++n, total, ret_bad_path);
			if (r < 0)
				return r;
		}
	if (w) {
		json_array_end(w);
		json_object_end(w);
	} else {
		fprintf(f, "\nEvery file is backed up and every command recorded in %s/txn before "
			   "it changes;\n'vnic-install rollback' undoes a finished %s.\n",
			TXN_STATE_DIR, v->operation);
	}
	return 0;
}
