// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "path.h"

#define CHASE_MAX_LINKS 40

bool root_is_host(const char *root)
{
	return !root || !*root || streq(root, "/");
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	char *r;

	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (asprintf(&r, "%.*s/%s", (int)la, a, b) < 0)
		return NULL;
	return r;
}

/* Appends "/comp" (n bytes of comp) to the dynamically grown string *s. */
static int append_component(char **s, const char *comp, size_t n)
{
	size_t l = strlen(*s);
	char *ns = realloc(*s, l + n + 2);

	if (!ns)
		return -ENOMEM;
	ns[l] = '/';
	memcpy(ns + l + 1, comp, n);
	ns[l + 1 + n] = 0;
	*s = ns;
	return 0;
}

int path_chase(const char *root, const char *path, unsigned flags, char **ret)
{
	_cleanup_free_ char *rootdir = NULL, *done = NULL, *todo = NULL;
	unsigned links = 0;
	const char *p;

	if (!path || !*path)
		return -EINVAL;
	if (root_is_host(root)) {
		rootdir = strdup("");
	} else {
		struct stat st;

		rootdir = realpath(root, NULL);
		if (!rootdir)
			return negative_errno();
		if (stat(rootdir, &st) < 0)
			return negative_errno();
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		if (streq(rootdir, "/"))
			rootdir[0] = 0;
	}
	if (!rootdir)
		return -ENOMEM;
	done = strdup("");
	todo = strdup(path);
	if (!done || !todo)
		return -ENOMEM;

	p = todo;
	for (;;) {
		_cleanup_free_ char *host = NULL;
		char target[PATH_MAX];
		struct stat st;
		size_t n;
		ssize_t tl;
		int r;

		p += strspn(p, "/");
		if (!*p)
			break;
		n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* Never above the root: "/.." is "/". */
			char *slash = strrchr(done, '/');

			if (slash)
				*slash = 0;
			p += n;
			continue;
		}

		r = append_component(&done, p, n);
		if (r < 0)
			return r;
		p += n;
		if (asprintf(&host, "%s%s", rootdir, done) < 0) {
			host = NULL;
			return -ENOMEM;
		}
		if (lstat(host, &st) < 0) {
			if (errno == ENOENT && (flags & CHASE_NONEXISTENT)) {
				/* Keep the rest as it stands, normalised: it does not exist yet. */
				for (;;) {
					p += strspn(p, "/");
					if (!*p)
						break;
					n = strcspn(p, "/");
					if (n == 2 && p[0] == '.' && p[1] == '.')
						return -ENOENT;
					if (!(n == 1 && p[0] == '.')) {
						r = append_component(&done, p, n);
						if (r < 0)
							return r;
					}
					p += n;
				}
				break;
			}
			return negative_errno();
		}
		if (!S_ISLNK(st.st_mode)) {
			if (p[strspn(p, "/")] && !S_ISDIR(st.st_mode))
				return -ENOTDIR;
			continue;
		}

		if (++links > CHASE_MAX_LINKS)
			return -ELOOP;
		tl = readlink(host, target, sizeof(target) - 1);
		if (tl < 0)
			return negative_errno();
		target[tl] = 0;

		/* The link replaces its own component: drop it from done and read its target. */
		*strrchr(done, '/') = 0;
		if (target[0] == '/')
			done[0] = 0;
		{
			char *nt;

			if (asprintf(&nt, "%s/%s", target, p) < 0)
				return -ENOMEM;
			free(todo);
			todo = nt;
			p = todo;
		}
	}

	{
		char *result;

		if (asprintf(&result, "%s%s", rootdir, *done ? done : "/") < 0)
			return -ENOMEM;
		*ret = result;
	}
	return 0;
}
