// SPDX-License-Identifier: GPL-2.0-or-later
/* Shell-variable configuration files (RHEL ifcfg, SUSE sysconfig): read and edit by line. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/macro.h"
#include "netcfg/internal.h"

void nc_shvars_done(struct nc_shvars *s)
{
	for (size_t k = 0; k < s->n; k++) {
		free(s->v[k].key);
		free(s->v[k].value);
	}
	free(s->v);
	*s = (struct nc_shvars){};
}

/* Unquotes the right-hand side of one assignment; NULL + *ret_why on refusal. */
static char *unquote(const char *s, const char **ret_why)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;

	if (!out) {
		*ret_why = "out of memory";
		return NULL;
	}
	while (*s) {
		if (*s == '\'') {
			const char *e = strchr(s + 1, '\'');

			if (!e)
				goto unterminated;
			memcpy(o, s + 1, (size_t)(e - s - 1));
			o += e - s - 1;
			s = e + 1;
		} else if (*s == '"') {
			s++;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1] && strchr("\\\"$`\n", s[1])) {
					*o++ = s[1];
					s += 2;
				} else if (*s == '$' || *s == '`') {
					*ret_why = "shell expansions ($, `) are not supported";
					free(out);
					return NULL;
				} else
					*o++ = *s++;
			}
			if (*s != '"')
				goto unterminated;
			s++;
		} else if (*s == '\\' && s[1]) {
			*o++ = s[1];
			s += 2;
		} else if (*s == '$' || *s == '`') {
			*ret_why = "shell expansions ($, `) are not supported";
			free(out);
			return NULL;
		} else if (*s == '#' && o == out) {
			break;
		} else if (isspace((unsigned char)*s)) {
			/* "A=b # comment" ends the value; "A=b c" would run c: refuse. */
			while (isspace((unsigned char)*s))
				s++;
			if (*s && *s != '#') {
				*ret_why = "a value with unquoted blanks (a command would run)";
				free(out);
				return NULL;
			}
			break;
		} else if (strchr(";&|<>()", *s)) {
			*ret_why = "shell syntax other than assignments is not supported";
			free(out);
			return NULL;
		} else
			*o++ = *s++;
	}
	*o = 0;
	return out;
unterminated:
	*ret_why = "unterminated quote";
	free(out);
	return NULL;
}

int nc_shvars_parse(const char *path, const char *data, struct nc_shvars *ret, struct netcfg_error *err)
{
	struct nc_shvars s = {};
	struct nc_lines l;
	int r;

	if (strlen(data) > 0 && memchr(data, 0, strlen(data)))
		return nc_bad(err, path, 0, "not a text file");
	r = nc_lines_split(data, &l);
	if (r < 0)
		return r;
	for (size_t k = 0; k < l.n; k++) {
		char *line = nc_strip(l.v[k]), *eq, *value;
		const char *why = NULL;
		struct nc_shvar *nv;

		if (*line == 0 || *line == '#')
			continue;
		if (strncmp(line, "export ", 7) == 0)
			line = nc_strip(line + 7);
		eq = strchr(line, '=');
		if (!eq || eq == line) {
			r = nc_bad(err, path, (unsigned)k + 1, "not a variable assignment");
			goto fail;
		}
		for (char *c = line; c < eq; c++)
			if (!isalnum((unsigned char)*c) && *c != '_') {
				r = nc_bad(err, path, (unsigned)k + 1, "not a variable assignment");
				goto fail;
			}
		*eq = 0;
		value = unquote(eq + 1, &why);
		if (!value) {
			r = nc_bad(err, path, (unsigned)k + 1, "%s: %s", line, why);
			goto fail;
		}
		nv = realloc(s.v, sizeof(*nv) * (s.n + 1));
		if (!nv) {
			free(value);
			r = -ENOMEM;
			goto fail;
		}
		s.v = nv;
		nv[s.n] = (struct nc_shvar){ .key = strdup(line), .value = value, .line = (unsigned)k + 1 };
		s.n++;
		if (!nv[s.n - 1].key) {
			r = -ENOMEM;
			goto fail;
		}
	}
	nc_lines_done(&l);
	*ret = s;
	return 0;
fail:
	nc_lines_done(&l);
	nc_shvars_done(&s);
	return r;
}

const struct nc_shvar *nc_shvars_find(const struct nc_shvars *s, const char *key)
{
	for (size_t k = s->n; k > 0; k--)
		if (streq(s->v[k - 1].key, key))
			return &s->v[k - 1];
	return NULL;
}

const char *nc_shvars_get(const struct nc_shvars *s, const char *key)
{
	const struct nc_shvar *v = nc_shvars_find(s, key);

	return v ? v->value : NULL;
}

bool nc_shvar_true(const char *v)
{
	return v && (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
		     strcasecmp(v, "on") == 0);
}

static char *quote(const char *v)
{
	bool plain = *v != 0;
	char *out, *o;

	for (const char *c = v; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._:/-+,@%", *c))
			plain = false;
	if (plain)
		return strdup(v);
	out = malloc(strlen(v) * 4 + 3);
	if (!out)
		return NULL;
	o = out;
	*o++ = '\'';
	for (const char *c = v; *c; c++) {
		if (*c == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else
			*o++ = *c;
	}
	*o++ = '\'';
	*o = 0;
	return out;
}

int nc_shvars_set(struct nc_lines *l, const char *key, const char *value)
{
	_cleanup_free_ char *q = NULL, *line = NULL;
	size_t n = strlen(key);
	bool done = false;

	if (value) {
		q = quote(value);
		if (!q || asprintf(&line, "%s=%s", key, q) < 0)
			return -ENOMEM;
	}
	for (size_t k = 0; k < l->n; k++) {
		const char *s = l->v[k];

		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "export ", 7) == 0)
			s += 7;
		if (strncmp(s, key, n) != 0 || s[n] != '=')
			continue;
		if (!value || done) {
			free(l->v[k]);
			memmove(l->v + k, l->v + k + 1, sizeof(char *) * (l->n - k - 1));
			l->n--;
			k--;
			continue;
		}
		nc_lines_set(l, k, strdup(line));
		if (!l->v[k])
			return -ENOMEM;
		done = true;
	}
	if (value && !done)
		return nc_lines_insert(l, l->n, line);
	return 0;
}
