// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The value syntax of GLib key files, which NetworkManager's keyfiles use: "\s" (a space, for
 * one at either end of a value), "\t", "\n", "\r" and "\\" in every value; in a list, items end
 * at an unescaped ';' and "\;" is a ';' inside an item. Any other backslash sequence is an
 * error, as GKeyFile reports it.
 *
 * Not GLib itself: vnic-install is also the boot guard that `prepare` copies into images, and
 * an image need not have libglib. tests/netcfg/validate-tools.sh checks our reading of the
 * keyfile cases against NetworkManager's own (nmcli --offline).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/internal.h"

/* The character an escape stands for, or 0; sep: the list separator, or 0 outside lists. */
static char unescaped(char c, char sep)
{
	switch (c) {
	case 's':
		return ' ';
	case 't':
		return '\t';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case '\\':
		return '\\';
	default:
		return sep && c == sep ? sep : 0;
	}
}

/* Decodes raw into items (NULL: one value, not a list, whose ';' are plain characters). */
static int decode(const char *raw, char ***items, char **ret)
{
	_cleanup_free_ char *buf = malloc(strlen(raw) + 1);
	char sep = items ? ';' : 0;
	size_t n = 0;
	int r;

	if (!buf)
		return -ENOMEM;
	for (const char *p = raw;; p++) {
		if (*p == '\\') {
			char c = unescaped(p[1], sep);

			if (!c)
				return -EBADMSG;
			buf[n++] = c;
			p++;
		} else if (items && (*p == sep || *p == 0)) {
			buf[n] = 0;
			if (n > 0 && (r = strv_push(items, buf)) < 0)
				return r;
			n = 0;
			if (*p == 0)
				return 0;
		} else {
			buf[n++] = *p;
			if (*p == 0)
				break;
		}
	}
	*ret = TAKE_PTR(buf);
	return 0;
}

int nc_kf_value(const char *raw, char **ret)
{
	return decode(raw, NULL, ret);
}

int nc_kf_list(const char *raw, char ***ret)
{
	_cleanup_strv_free_ char **items = NULL;
	int r;

	r = decode(raw, &items, NULL);
	if (r < 0)
		return r;
	if (!items && !(items = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(items);
	return 0;
}

int nc_kf_escape(const char *value, char **ret)
{
	size_t len = strlen(value);
	char *buf = malloc(2 * len + 1), *q = buf;

	if (!buf)
		return -ENOMEM;
	for (size_t k = 0; k < len; k++) {
		char c = value[k];

		if (c == ' ' && (k == 0 || k == len - 1))
			*q++ = '\\', *q++ = 's';
		else if (c == '\t' || c == '\n' || c == '\r' || c == '\\')
			*q++ = '\\', *q++ = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
		else
			*q++ = c;
	}
	*q = 0;
	*ret = buf;
	return 0;
}

int nc_ini_keyfile(struct nc_ini *ini, const char *path, struct netcfg_error *err)
{
	for (size_t k = 0; k < ini->n; k++) {
		struct nc_ini_entry *e = &ini->e[k];
		char *v;
		int r;

		r = nc_kf_value(e->value, &v);
		if (r == -EBADMSG)
			return nc_bad(err, path, e->line, "%s=%s: a backslash that starts no key-file escape",
				      e->key, e->value);
		if (r < 0)
			return r;
		e->raw = e->value;
		e->value = v;
	}
	return 0;
}
