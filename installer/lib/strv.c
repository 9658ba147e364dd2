// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

void strv_free(char **l)
{
	if (!l)
		return;
	for (char **p = l; *p; p++)
		free(*p);
	free(l);
}

size_t strv_length(char *const *l)
{
	size_t n = 0;

	if (l)
		while (l[n])
			n++;
	return n;
}

int strv_consume(char ***l, char *s)
{
	size_t n = strv_length(*l);
	char **nl;

	nl = realloc(*l, sizeof(char *) * (n + 2));
	if (!nl)
		return -ENOMEM;
	nl[n] = s;
	nl[n + 1] = NULL;
	*l = nl;
	return 0;
}

int strv_push(char ***l, const char *s)
{
	char *c = strdup(s);
	int r;

	if (!c)
		return -ENOMEM;
	r = strv_consume(l, c);
	if (r < 0)
		free(c);
	return r;
}

int strv_extend(char ***l, const char *const *more)
{
	for (; more && *more; more++)
		if (strv_push(l, *more) < 0)
			return -ENOMEM;
	return 0;
}

bool strv_contains(char *const *l, const char *s)
{
	/* NULL is in no vector: callers pass lookups that may have found nothing (a YAML key
	 * that is not a scalar, say). */
	if (l && s)
		for (; *l; l++)
			if (strcmp(*l, s) == 0)
				return true;
	return false;
}

int strv_split(const char *s, const char *separators, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	const char *p = s;

	/* An empty vector is still a vector: callers can tell "none" from "failed". */
	l = calloc(1, sizeof(char *));
	if (!l)
		return -ENOMEM;
	while (*p) {
		size_t n;

		p += strspn(p, separators);
		n = strcspn(p, separators);
		if (n > 0) {
			char *w = strndup(p, n);
			int r;

			if (!w)
				return -ENOMEM;
			r = strv_consume(&l, w);
			if (r < 0) {
				free(w);
				return r;
			}
		}
		p += n;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int strv_sort(char **l)
{
	if (!l)
		return 0;
	qsort(l, strv_length(l), sizeof(char *), cmp_str);
	return 0;
}

char *strv_join(char *const *l, const char *sep)
{
	size_t n = 0, k = strlen(sep);
	char *s, *p;

	for (size_t i = 0; l && l[i]; i++)
		n += strlen(l[i]) + (i ? k : 0);
	s = malloc(n + 1);
	if (!s)
		return NULL;
	p = s;
	for (size_t i = 0; l && l[i]; i++) {
		if (i) {
			memcpy(p, sep, k);
			p += k;
		}
		memcpy(p, l[i], strlen(l[i]));
		p += strlen(l[i]);
	}
	*p = 0;
	return s;
}
