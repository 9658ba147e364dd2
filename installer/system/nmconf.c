// SPDX-License-Identifier: GPL-2.0-or-later
/* NetworkManager.conf and its conf.d snippets, read once for detect and swap (nmconf.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "system/nmconf.h"

#define NMCONF_MAIN "/etc/NetworkManager/NetworkManager.conf"

void nmconf_done(struct nmconf *c)
{
	if (!c)
		return;
	for (size_t k = 0; k < c->n; k++) {
		free(c->e[k].section);
		free(c->e[k].key);
		free(c->e[k].value);
	}
	free(c->e);
	*c = (struct nmconf){};
}

static struct nmconf_entry *find(const struct nmconf *c, const char *section, const char *key)
{
	for (size_t k = 0; k < c->n; k++)
		if (streq(c->e[k].section, section) && streq(c->e[k].key, key))
			return &c->e[k];
	return NULL;
}

const char *nmconf_get_full(const struct nmconf *c, const char *section, const char *key,
			    bool *ret_extends_default)
{
	struct nmconf_entry *e = find(c, section, key);

	if (ret_extends_default)
		*ret_extends_default = e && e->extends_default;
	return e ? e->value : NULL;
}

/* GKeyFile's value escapes: \s \t \n \r \\ (others kept as they are, with the backslash:
 * NetworkManager's list values use "\," for a literal separator). */
static char *decode(const char *v)
{
	char *out = malloc(strlen(v) + 1), *w = out;

	if (!out)
		return NULL;
	for (; *v; v++) {
		if (*v != '\\' || !v[1]) {
			*w++ = *v;
			continue;
		}
		v++;
		switch (*v) {
		case 's': *w++ = ' '; break;
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case '\\': *w++ = '\\'; break;
		default: *w++ = '\\'; *w++ = *v;
		}
	}
	*w = 0;
	return out;
}

/* "key-=v": the list without the items of v. */
static char *list_minus(const char *old, const char *v)
{
	_cleanup_strv_free_ char **have = NULL, **drop = NULL, **keep = NULL;

	if (strv_split(old ?: "", ",;", &have) < 0 || strv_split(v, ",;", &drop) < 0)
		return NULL;
	for (char **h = have; *h; h++)
		if (!strv_contains(drop, *h) && strv_push(&keep, *h) < 0)
			return NULL;
	return strv_join(keep, ",");
}

/* Sets [section] key to value: op '=' replaces, '+' appends to the list, '-' removes. */
static int assign(struct nmconf *c, const char *section, const char *key, char op, const char *value)
{
	struct nmconf_entry *e = find(c, section, key), *nv;
	char *v;

	if (op == '+' && e && *e->value && asprintf(&v, "%s,%s", e->value, value) < 0)
		return -ENOMEM;
	else if (op == '+' && !(e && *e->value) && !(v = strdup(value)))
		return -ENOMEM;
	else if (op == '-' && !(v = list_minus(e ? e->value : NULL, value)))
		return -ENOMEM;
	else if (op == '=' && !(v = strdup(value)))
		return -ENOMEM;
	if (e) {
		free(e->value);
		e->value = v;
		e->extends_default &= op != '=';
		return 0;
	}
	nv = realloc(c->e, sizeof(*nv) * (c->n + 1));
	if (!nv) {
		free(v);
		return -ENOMEM;
	}
	c->e = nv;
	nv[c->n] = (struct nmconf_entry){ .section = strdup(section), .key = strdup(key), .value = v,
					  .extends_default = op == '+' };
	if (!nv[c->n].section || !nv[c->n].key) {
		free(nv[c->n].section);
		free(nv[c->n].key);
		free(v);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

static char *strip(char *s)
{
	size_t n;

	s += strspn(s, " \t\r");
	n = strlen(s);
	while (n > 0 && strchr(" \t\r", s[n - 1]))
		s[--n] = 0;
	return s;
}

/* One line of a file in [*section]: 0, -EBADMSG when it is not a comment/section/assignment. */
static int parse_line(struct nmconf *c, char *line, char **section)
{
	_cleanup_free_ char *value = NULL;
	char *eq, op = '=', *key;

	line = strip(line);
	if (!*line || *line == '#' || *line == ';')
		return 0;
	if (*line == '[') {
		char *end = strchr(line, ']');

		if (!end || end[1])
			return -EBADMSG;
		free(*section);
		*section = strndup(line + 1, (size_t)(end - line - 1));
		return *section ? 0 : -ENOMEM;
	}
	eq = strchr(line, '=');
	if (!eq || eq == line || !*section)
		return -EBADMSG;
	if (eq[-1] == '+' || eq[-1] == '-')
		op = eq[-1], eq[-1] = 0;
	*eq = 0;
	key = strip(line);
	value = decode(strip(eq + 1));
	if (!value)
		return -ENOMEM;
	return *key ? assign(c, *section, key, op, value) : -EBADMSG;
}

static int parse_file(struct nmconf *c, const char *root, const char *path, char **ret_bad_file,
		      unsigned *ret_bad_line)
{
	_cleanup_free_ char *host = NULL, *text = NULL, *section = NULL;
	char *p, *nl;
	unsigned line = 0;
	int r;

	r = path_chase(root, path, 0, &host);
	if (r == -ENOENT)
		return 0;
	if (r >= 0)
		r = read_full_file(host, READ_FILE_MAX, &text, NULL);
	if (r == -ENOENT)
		return 0;
	for (p = text; r >= 0 && p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		line++;
		r = parse_line(c, p, &section);
	}
	if (r == -EBADMSG || (r < 0 && r != -ENOMEM)) {
		if (ret_bad_file)
			*ret_bad_file = strdup(path);
		if (ret_bad_line)
			*ret_bad_line = r == -EBADMSG ? line : 0;
	}
	return r;
}

/* The *.conf names of dir inside root, sorted. */
static int conf_names(const char *root, const char *dir, char ***ret)
{
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char *host = NULL;
	struct dirent *de;

	*ret = NULL;
	if (path_chase(root, dir, 0, &host) < 0 || !(d = opendir(host)))
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		if (strv_push(&names, de->d_name) < 0)
			return -ENOMEM;
	}
	if (names)
		strv_sort(names);
	*ret = TAKE_PTR(names);
	return 0;
}

static int parse_dir(struct nmconf *c, const char *root, const char *dir, char *const *shadows1,
		     char *const *shadows2, char **ret_bad_file, unsigned *ret_bad_line)
{
	_cleanup_strv_free_ char **names = NULL;
	int r;

	r = conf_names(root, dir, &names);
	for (char **n = names; r >= 0 && n && *n; n++) {
		_cleanup_free_ char *p = NULL;

		if (strv_contains(shadows1, *n) || strv_contains(shadows2, *n))
			continue;
		p = path_join(dir, *n);
		r = p ? parse_file(c, root, p, ret_bad_file, ret_bad_line) : -ENOMEM;
	}
	return r;
}

int nmconf_load(const char *root, struct nmconf *ret, char **ret_bad_file, unsigned *ret_bad_line)
{
	static const char *const lib = "/usr/lib/NetworkManager/conf.d", *const run = "/run/NetworkManager/conf.d",
			  *const etc = "/etc/NetworkManager/conf.d";
	_cleanup_strv_free_ char **run_names = NULL, **etc_names = NULL;
	struct nmconf c = {};
	int r;

	r = conf_names(root, run, &run_names);
	if (r >= 0)
		r = conf_names(root, etc, &etc_names);
	if (r >= 0)
		r = parse_dir(&c, root, lib, run_names, etc_names, ret_bad_file, ret_bad_line);
	if (r >= 0)
		r = parse_dir(&c, root, run, etc_names, NULL, ret_bad_file, ret_bad_line);
	if (r >= 0)
		r = parse_file(&c, root, NMCONF_MAIN, ret_bad_file, ret_bad_line);
	if (r >= 0)
		r = parse_dir(&c, root, etc, NULL, NULL, ret_bad_file, ret_bad_line);
	if (r < 0) {
		nmconf_done(&c);
		return r;
	}
	*ret = c;
	return 0;
}

bool nmconf_list_contains(const struct nmconf *c, const char *section, const char *key, const char *item)
{
	_cleanup_strv_free_ char **l = NULL;
	const char *v = nmconf_get(c, section, key);

	if (!v || strv_split(v, ",; \t", &l) < 0)
		return false;
	return strv_contains(l, item);
}
