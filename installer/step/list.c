// SPDX-License-Identifier: GPL-2.0-or-later
/* Step lists: building, moving, freeing (step.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "step.h"

static void step_done(struct step *s)
{
	free(s->id);
	free(s->title);
	free(s->path);
	free(s->data);
	strv_free(s->argv);
	strv_free(s->undo);
	free(s->why);
	free(s->output);
}

void step_list_done(struct step_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		step_done(&l->v[i]);
	free(l->v);
	*l = (struct step_list){};
}

int step_list_move(struct step_list *l, struct step_list *from)
{
	struct step *v;

	if (!from->n)
		return 0;
	v = realloc(l->v, sizeof(*v) * (l->n + from->n));
	if (!v)
		return -ENOMEM;
	memcpy(v + l->n, from->v, sizeof(*v) * from->n);
	l->v = v;
	l->n += from->n;
	free(from->v);
	*from = (struct step_list){};
	return 0;
}

struct step *step_list_find(struct step_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i].id, id))
			return &l->v[i];
	return NULL;
}

static int copy_argv(char *const *from, char ***ret)
{
	char **l = NULL;

	for (; from && *from; from++)
		if (strv_push(&l, *from) < 0) {
			strv_free(l);
			return -ENOMEM;
		}
	*ret = l;
	return 0;
}

/* Appends a step of kind with id and the formatted title; the caller fills in the rest. */
_printf_(4, 0) static struct step *add(struct step_list *l, enum step_kind kind, const char *id,
				       const char *fmt, va_list ap)
{
	struct step s = { .kind = kind }, *v;

	s.id = strdup(id);
	if (!s.id || vasprintf(&s.title, fmt, ap) < 0) {
		free(s.id);
		return NULL;
	}
	v = realloc(l->v, sizeof(*v) * (l->n + 1));
	if (!v) {
		step_done(&s);
		return NULL;
	}
	l->v = v;
	v[l->n] = s;
	return &v[l->n++];
}

/* In a builder whose last named parameter is title: the new step, or NULL. */
#define ADD_STEP(l, kind, id, title)                                   \
	({                                                             \
		va_list ap_;                                           \
		struct step *s_;                                       \
                                                                       \
		va_start(ap_, title);                                  \
		s_ = add(l, kind, id, title, ap_);                     \
		va_end(ap_);                                           \
		s_;                                                    \
	})

/* Drops the last step (a builder that failed half-way); returns r. */
static int drop_last(struct step_list *l, int r)
{
	step_done(&l->v[--l->n]);
	return r;
}

int step_add_write(struct step_list *l, const char *id, const char *path, const void *data,
		   size_t size, mode_t mode, const char *title, ...)
{
	struct step *s = ADD_STEP(l, STEP_WRITE, id, title);

	if (!s)
		return -ENOMEM;
	s->path = strdup(path);
	s->data = malloc(size + 1);
	if (!s->path || !s->data)
		return drop_last(l, -ENOMEM);
	memcpy(s->data, data, size);
	s->data[size] = 0;
	s->size = size;
	s->mode = mode;
	return 0;
}

int step_add_remove(struct step_list *l, const char *id, const char *path, const char *title, ...)
{
	struct step *s = ADD_STEP(l, STEP_REMOVE, id, title);

	if (!s)
		return -ENOMEM;
	s->path = strdup(path);
	return s->path ? 0 : drop_last(l, -ENOMEM);
}

int step_add_keep(struct step_list *l, const char *id, const char *path,
		  char *const *undo_if_too_large, const char *title, ...)
{
	struct step *s = ADD_STEP(l, STEP_KEEP, id, title);

	if (!s)
		return -ENOMEM;
	s->path = strdup(path);
	if (!s->path || copy_argv(undo_if_too_large, &s->undo) < 0)
		return drop_last(l, -ENOMEM);
	return 0;
}

int step_add_run(struct step_list *l, const char *id, char *const *argv, char *const *undo,
		 const char *title, ...)
{
	struct step *s = ADD_STEP(l, STEP_RUN, id, title);

	if (!s)
		return -ENOMEM;
	if (copy_argv(argv, &s->argv) < 0 || !s->argv || copy_argv(undo, &s->undo) < 0)
		return drop_last(l, -ENOMEM);
	return 0;
}

int step_add_probe(struct step_list *l, const char *id, char *const *argv, const char *title, ...)
{
	struct step *s = ADD_STEP(l, STEP_PROBE, id, title);

	if (!s)
		return -ENOMEM;
	if (copy_argv(argv, &s->argv) < 0 || !s->argv)
		return drop_last(l, -ENOMEM);
	return 0;
}

int step_add_call(struct step_list *l, const char *id, step_call_fn call, void *userdata,
		  const char *title, ...)
{
	struct step *s = ADD_STEP(l, STEP_CALL, id, title);

	if (!s)
		return -ENOMEM;
	s->call = call;
	s->userdata = userdata;
	return 0;
}

char *step_output_tail(const char *out, unsigned lines)
{
	const char *p, *end;

	if (!out)
		return strdup("");
	end = out + strlen(out);
	while (end > out && end[-1] == '\n')
		end--;
	for (p = end; p > out; p--)
		if (p[-1] == '\n' && --lines == 0)
			break;
	return strndup(p, (size_t)(end - p));
}
