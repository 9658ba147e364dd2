// SPDX-License-Identifier: GPL-2.0-or-later
/* A small reader of INI-style files: "[Section]" headers, "key=value" lines, '#'/';' comments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "netcfg/internal.h"

void nc_ini_done(struct nc_ini *ini)
{
	for (size_t k = 0; k < ini->n; k++) {
		free(ini->e[k].section);
		free(ini->e[k].key);
		free(ini->e[k].value);
		free(ini->e[k].raw);
	}
	free(ini->e);
	for (unsigned k = 0; k <= ini->n_sections && ini->section_name; k++)
		free(ini->section_name[k]);
	free(ini->section_name);
	free(ini->section_line);
	*ini = (struct nc_ini){};
}

int nc_ini_parse(const char *path, const char *data, struct nc_ini *ret, struct netcfg_error *err)
{
	struct nc_ini ini = {};
	const char *p = data;
	char *section = strdup("");
	unsigned lineno = 0;
	int r = 0;

	if (!section)
		return -ENOMEM;
	ini.section_name = calloc(1, sizeof(char *));
	ini.section_line = calloc(1, sizeof(unsigned));
	if (!ini.section_name || !ini.section_line) {
		r = -ENOMEM;
		goto fail;
	}
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		_cleanup_free_ char *raw = strndup(p, n);
		char *line, *eq;

		lineno++;
		p += n + (e ? 1 : 0);
		if (!raw) {
			r = -ENOMEM;
			goto fail;
		}
		if (memchr(raw, 0, n) || strlen(raw) != n) {
			r = nc_bad(err, path, lineno, "not a text file");
			goto fail;
		}
		line = nc_strip(raw);
		if (*line == 0 || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			size_t len = strlen(line);
			char **nn;
			unsigned *nl;

			if (line[len - 1] != ']' || len < 3 || memchr(line + 1, ']', len - 2)) {
				r = nc_bad(err, path, lineno, "malformed section header");
				goto fail;
			}
			free(section);
			section = strndup(line + 1, len - 2);
			nn = realloc(ini.section_name, sizeof(char *) * (ini.n_sections + 2));
			if (nn)
				ini.section_name = nn;
			nl = realloc(ini.section_line, sizeof(unsigned) * (ini.n_sections + 2));
			if (nl)
				ini.section_line = nl;
			if (!section || !nn || !nl) {
				r = -ENOMEM;
				goto fail;
			}
			ini.n_sections++;
			ini.section_name[ini.n_sections] = strdup(section);
			ini.section_line[ini.n_sections] = lineno;
			if (!ini.section_name[ini.n_sections]) {
				r = -ENOMEM;
				goto fail;
			}
			continue;
		}
		eq = strchr(line, '=');
		if (!eq || eq == line) {
			r = nc_bad(err, path, lineno, "expected key=value");
			goto fail;
		}
		*eq = 0;
		{
			struct nc_ini_entry *nv = realloc(ini.e, sizeof(*nv) * (ini.n + 1));

			if (!nv) {
				r = -ENOMEM;
				goto fail;
			}
			ini.e = nv;
			nv[ini.n] = (struct nc_ini_entry){ .section = strdup(section), .section_no = ini.n_sections,
							   .key = strdup(nc_strip(line)), .value = strdup(nc_strip(eq + 1)),
							   .line = lineno };
			ini.n++;
			if (!nv[ini.n - 1].section || !nv[ini.n - 1].key || !nv[ini.n - 1].value) {
				r = -ENOMEM;
				goto fail;
			}
		}
	}
	free(section);
	*ret = ini;
	return 0;
fail:
	free(section);
	nc_ini_done(&ini);
	return r;
}

const struct nc_ini_entry *nc_ini_find(const struct nc_ini *ini, const char *section, const char *key)
{
	for (size_t k = ini->n; k > 0; k--)
		if (streq(ini->e[k - 1].section, section) && streq(ini->e[k - 1].key, key))
			return &ini->e[k - 1];
	return NULL;
}

const char *nc_ini_get(const struct nc_ini *ini, const char *section, const char *key)
{
	const struct nc_ini_entry *e = nc_ini_find(ini, section, key);

	return e ? e->value : NULL;
}
