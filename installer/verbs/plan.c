// SPDX-License-Identifier: GPL-2.0-or-later
/* The plan renderer (plan.h) and the argv printing it shares with swap. */
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
#include "netcfg/netcfg.h"
#include "plan.h"
#include "txn/txn.h"

unsigned plan_count_steps(const struct plan_view *v)
{
	unsigned n = (unsigned)v->n_driver_steps;

	if (v->netcfg) {
		n += (unsigned)v->netcfg->n_files;
		if (v->run_commands)
			n += (unsigned)v->netcfg->n_commands;
	}
	if (v->extra_files)
		n += (unsigned)v->extra_files->n_files;
	if (v->check)
		n++;
	return n + (unsigned)v->n_final_steps;
}

/* argv as a shell would show it, quoting where needed (for people; never executed). */
static void print_argv(FILE *f, char *const *argv)
{
	for (size_t i = 0; argv && argv[i]; i++) {
		const char *a = argv[i];
		bool plain = *a != 0;

		for (const char *p = a; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "-_./:=,+@%", *p))
				plain = false;
		if (i)
			fputc(' ', f);
		if (plain) {
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

	r = path_chase(root, path, 0, &host);
	if (r == -ENOENT) {
		*ret = NULL;
		*ret_size = 0;
		return 0;
	}
	if (r < 0)
		return r;
	if (stat(host, ret_st) < 0)
		return negative_errno();
	return read_full_file(host, READ_FILE_MAX, ret, ret_size);
}

static void print_command_step(FILE *f, unsigned n, unsigned total, const char *title,
			       char *const *argv, char *const *undo)
{
	fprintf(f, "%2u/%u  %c%s\n", n, total, title[0] >= 'a' && title[0] <= 'z' ? title[0] - 32 : title[0],
		title + (title[0] != 0));
	if (argv) {
		fputs("       run:  ", f);
		print_argv(f, argv);
		fputc('\n', f);
	}
	if (undo) {
		fputs("       undo: ", f);
		print_argv(f, undo);
		fputc('\n', f);
	}
}

static void json_command_step(struct json_writer *w, unsigned n, const char *kind,
			      const char *title, char *const *argv, char *const *undo)
{
	json_object_begin(w, NULL);
	json_int(w, "step", n);
	json_string(w, "kind", kind);
	json_string(w, "title", title);
	json_argv(w, "argv", argv);
	json_argv(w, "undo", undo);
	json_object_end(w);
}

static int file_step(FILE *f, struct json_writer *w, const struct plan_view *v, unsigned n,
		     unsigned total, const struct netcfg_file_op *op, char **ret_bad_path)
{
	_cleanup_free_ char *cur = NULL, *d = NULL, *la = NULL, *lb = NULL;
	struct stat st = {};
	size_t cur_size = 0;
	int r;

	r = read_current(v->root, op->path, &cur, &cur_size, &st);
	if (r < 0) {
		if (ret_bad_path)
			*ret_bad_path = strdup(op->path);
		return r;
	}
	if (asprintf(&la, "%s%s", cur ? "a" : "", cur ? op->path : "/dev/null") < 0 ||
	    asprintf(&lb, "%s%s", op->contents ? "b" : "", op->contents ? op->path : "/dev/null") < 0)
		return -ENOMEM;
	r = diff_unified(cur, cur_size, op->contents, op->size, la, lb, DIFF_CONTEXT, &d);
	if (r < 0)
		return r;
	if (w) {
		json_object_begin(w, NULL);
		json_int(w, "step", n);
		json_string(w, "kind", op->contents ? "write" : "remove");
		json_string(w, "path", op->path);
		json_string(w, "reason", op->reason);
		json_bool(w, "exists", cur != NULL);
		json_bool(w, "backup", cur != NULL);
		if (op->contents) {
			char mode[8];

			snprintf(mode, sizeof(mode), "%04o",
				 (unsigned)(cur ? st.st_mode & 07777 : op->mode));
			json_string(w, "mode", mode);
		}
		json_string(w, "diff", d);
		json_object_end(w);
		return 0;
	}
	fprintf(f, "%2u/%u  %s %s%s%s%s\n", n, total, op->contents ? (cur ? "Rewrite" : "Create") : "Remove",
		op->path, op->reason ? " (" : "", op->reason ? op->reason : "", op->reason ? ")" : "");
	if (cur)
		fprintf(f, "       backup: %s/txn/<id>/backup/ (mode %04o, owner %u:%u, restored on "
			   "rollback)\n",
			TXN_STATE_DIR, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
			(unsigned)st.st_gid);
	else if (op->contents)
		fprintf(f, "       new file, mode %04o (removed on rollback)\n", (unsigned)op->mode);
	if (*d) {
		for (const char *p = d; *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			fprintf(f, "       %.*s\n", (int)len, p);
			p += len + (nl ? 1 : 0);
		}
	} else {
		fputs("       (no change in content)\n", f);
	}
	return 0;
}

int plan_print(FILE *f, const struct plan_view *v, bool json, char **ret_bad_path)
{
	const struct netcfg_plan *p = v->netcfg;
	unsigned total = plan_count_steps(v), n = 0;
	struct json_writer jw, *w = NULL;
	int r;

	if (json) {
		w = &jw;
		json_init(w, f, true);
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
	} else {
		fprintf(f, "Plan for %s: %s -> %s (configured by %s), %u steps\n\n", v->operation,
			v->from ? v->from : "?", v->to ? v->to : "?", v->backend ? v->backend : "nothing",
			total);
	}

	for (size_t i = 0; i < v->n_driver_steps; i++) {
		const struct plan_command *c = &v->driver_steps[i];

		n++;
		if (w)
			json_command_step(w, n, "driver", c->title, c->argv, c->undo_argv);
		else
			print_command_step(f, n, total, c->title, c->argv, c->undo_argv);
	}
	for (int pass = 0; p && pass < 3; pass++) {
		/* pass 0: commands before the files, 1: the files, 2: commands after them */
		if (pass == 1) {
			for (size_t i = 0; i < p->n_files; i++) {
				r = file_step(f, w, v, ++n, total, &p->files[i], ret_bad_path);
				if (r < 0)
					return r;
			}
			for (size_t i = 0; v->extra_files && i < v->extra_files->n_files; i++) {
				r = file_step(f, w, v, ++n, total, &v->extra_files->files[i],
					      ret_bad_path);
				if (r < 0)
					return r;
			}
			continue;
		}
		if (!v->run_commands)
			continue;
		for (size_t i = 0; i < p->n_commands; i++) {
			const struct netcfg_command *c = &p->commands[i];

			if (c->before_files != (pass == 0))
				continue;
			n++;
			if (w)
				json_command_step(w, n, "run", c->reason, c->argv, c->undo_argv);
			else
				print_command_step(f, n, total, c->reason ? c->reason : "run", c->argv,
						   c->undo_argv);
		}
	}
	if (v->check) {
		_cleanup_free_ char *title = NULL;

		if (asprintf(&title, "Check the link of %s: %s%s%s%s%s%s, within %u s; on failure "
			     "roll everything back", v->to ? v->to : "?", v->check,
			     v->check_target ? " " : "", v->check_target ? v->check_target : "",
			     v->check_why ? " (" : "", v->check_why ? v->check_why : "",
			     v->check_why ? ")" : "", v->timeout_sec) < 0)
			return -ENOMEM;
		n++;
		if (w)
			json_command_step(w, n, "check", title, NULL, NULL);
		else
			print_command_step(f, n, total, title, NULL, NULL);
	}
	for (size_t i = 0; i < v->n_final_steps; i++) {
		const struct plan_command *c = &v->final_steps[i];

		n++;
		if (w)
			json_command_step(w, n, "run", c->title, c->argv, c->undo_argv);
		else
			print_command_step(f, n, total, c->title, c->argv, c->undo_argv);
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
