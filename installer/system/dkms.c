// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dkms.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"

#ifndef VNIC_DATADIR
#define VNIC_DATADIR "/usr/local/share/vnic"
#endif
#ifndef VNIC_SRCDIR
#define VNIC_SRCDIR ""
#endif

const char *dkms_state_to_string(enum dkms_state s)
{
	switch (s) {
	case DKMS_STATE_ADDED: return "added";
	case DKMS_STATE_BUILT: return "built";
	case DKMS_STATE_INSTALLED: return "installed";
	default: return "none";
	}
}

void dkms_status_done(struct dkms_status *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->entries[i].version);
		free(s->entries[i].kver);
		free(s->entries[i].arch);
	}
	free(s->entries);
	s->entries = NULL;
	s->n = 0;
}

static char *trimmed(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return strndup(s, n);
}

/* One line; 0 with *e filled, 1 when it is not one of module's lines, or -ENOMEM. */
static int status_line(const char *line, size_t len, const char *module, struct dkms_status_entry *e)
{
	_cleanup_free_ char *head = NULL;
	_cleanup_strv_free_ char **fields = NULL;
	const char *colon = memchr(line, ':', len), *st;
	size_t mlen = strlen(module), stlen;
	char *slash;
	unsigned first;

	if (!colon)
		return 1;
	head = strndup(line, (size_t)(colon - line));
	if (!head)
		return -ENOMEM;
	st = colon + 1;
	stlen = len - (size_t)(st - line);
	while (stlen > 0 && *st == ' ')
		st++, stlen--;
	if (stlen >= 9 && strncmp(st, "installed", 9) == 0)
		e->state = DKMS_STATE_INSTALLED;
	else if (stlen >= 5 && strncmp(st, "built", 5) == 0)
		e->state = DKMS_STATE_BUILT;
	else if (stlen >= 5 && strncmp(st, "added", 5) == 0)
		e->state = DKMS_STATE_ADDED;
	else
		return 1;
	if (strv_split(head, ",", &fields) < 0)
		return -ENOMEM;
	for (char **f = fields; *f; f++) {
		char *t = trimmed(*f, strlen(*f));

		if (!t)
			return -ENOMEM;
		free(*f);
		*f = t;
	}
	if (!fields[0])
		return 1;
	/* DKMS 3: "module/version, kver, arch"; DKMS 2: "module, version, kver, arch". */
	slash = strchr(fields[0], '/');
	if (slash) {
		if ((size_t)(slash - fields[0]) != mlen || strncmp(fields[0], module, mlen) != 0 || !slash[1])
			return 1;
		e->version = strdup(slash + 1);
		first = 1;
	} else {
		if (!streq(fields[0], module) || strv_length(fields) < 2)
			return 1;
		e->version = strdup(fields[1]);
		first = 2;
	}
	if (!e->version)
		return -ENOMEM;
	if (strv_length(fields) > first) {
		e->kver = strdup(fields[first]);
		if (!e->kver)
			goto oom;
		if (strv_length(fields) > first + 1 && !(e->arch = strdup(fields[first + 1])))
			goto oom;
	} else if (e->state != DKMS_STATE_ADDED) {
		free(e->version);
		e->version = NULL;
		return 1; /* "built" without a kernel makes no sense */
	}
	return 0;
oom:
	free(e->version);
	free(e->kver);
	e->version = e->kver = NULL;
	return -ENOMEM;
}

int dkms_status_parse(const char *text, const char *module, struct dkms_status *ret)
{
	struct dkms_status s = {};

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct dkms_status_entry e = {};
		int r = status_line(p, len, module, &e);

		if (r < 0) {
			dkms_status_done(&s);
			return r;
		}
		if (r == 0) {
			struct dkms_status_entry *n = realloc(s.entries, (s.n + 1) * sizeof(*n));

			if (!n) {
				free(e.version);
				free(e.kver);
				free(e.arch);
				dkms_status_done(&s);
				return -ENOMEM;
			}
			s.entries = n;
			s.entries[s.n++] = e;
		}
		p = nl ? nl + 1 : p + len;
	}
	*ret = s;
	return 0;
}

enum dkms_state dkms_status_get(const struct dkms_status *s, const char *version, const char *kver)
{
	enum dkms_state best = DKMS_STATE_NONE;

	for (size_t i = 0; i < s->n; i++) {
		const struct dkms_status_entry *e = &s->entries[i];

		if (!streq(e->version, version))
			continue;
		if (e->kver && streq(e->kver, kver))
			return e->state;
		if (best == DKMS_STATE_NONE)
			best = DKMS_STATE_ADDED; /* the version is known to DKMS */
	}
	return best;
}

static bool has(const char *output, const char *needle)
{
	return output && strstr(output, needle);
}

enum dkms_outcome dkms_outcome_of(const char *action, int exit_code, const char *output)
{
	if (exit_code == 0)
		return DKMS_OK;
	if (exit_code == 77 || has(output, "BUILD_EXCLUSIVE"))
		return DKMS_BUILD_EXCLUSIVE;
	if (exit_code == 21 || has(output, "kernel headers for kernel") ||
	    has(output, "headers for kernel"))
		return DKMS_HEADERS_MISSING;
	if (streq(action, "add") && (exit_code == 3 || has(output, "already contains") ||
				     has(output, "is already added")))
		return DKMS_ALREADY_DONE;
	if (streq(action, "install") && (has(output, "will not replace") ||
					 has(output, "not newer than what is already found") ||
					 has(output, "exactly matches what is already found") ||
					 has(output, "has been obsoleted")))
		return DKMS_VERSION_REFUSED;
	if (streq(action, "install") && (exit_code == 5 || has(output, "already installed")))
		return DKMS_ALREADY_DONE;
	if (streq(action, "build") && (exit_code == 10 || exit_code == 7 ||
				       has(output, "Bad return status for module build")))
		return DKMS_BUILD_FAILED;
	if (exit_code == 8 || exit_code == 9 || has(output, "Bad conf file") ||
	    has(output, "Could not locate dkms.conf") || has(output, "Malformed dkms.conf"))
		return DKMS_BAD_CONF;
	return DKMS_FAILED;
}

const char *dkms_outcome_to_string(enum dkms_outcome o)
{
	switch (o) {
	case DKMS_OK: return "done";
	case DKMS_ALREADY_DONE: return "already done";
	case DKMS_HEADERS_MISSING: return "the kernel headers are missing";
	case DKMS_BUILD_FAILED: return "the build failed";
	case DKMS_BUILD_EXCLUSIVE: return "skipped: the kernel is outside the driver's BUILD_EXCLUSIVE rules (it keeps its own vmxnet3)";
	case DKMS_VERSION_REFUSED: return "DKMS's version check refused to replace the kernel's own vmxnet3";
	case DKMS_BAD_CONF: return "the DKMS configuration or source tree is broken";
	default: return "DKMS failed";
	}
}

char *dkms_make_log_path(const char *version)
{
	char *p;

	if (asprintf(&p, DKMS_TREE "/" DKMS_MODULE "/%s/build/make.log", version) < 0)
		return NULL;
	return p;
}

char *dkms_source_dir(const char *version)
{
	char *p;

	if (asprintf(&p, "/usr/src/" DKMS_MODULE "-%s", version) < 0)
		return NULL;
	return p;
}

int dkms_argv(const char *action, const char *version, const char *kver, unsigned jobs, char ***ret)
{
	_cleanup_strv_free_ char **a = NULL;
	_cleanup_free_ char *mv = NULL;
	char jbuf[16];
	int r;

	if (!action || !version || !*version)
		return -EINVAL;
	if (asprintf(&mv, DKMS_MODULE "/%s", version) < 0)
		return -ENOMEM;
	if ((r = strv_push(&a, "dkms")) < 0 || (r = strv_push(&a, action)) < 0 ||
	    (r = strv_push(&a, mv)) < 0)
		return r;
	if (kver) {
		if ((r = strv_push(&a, "-k")) < 0 || (r = strv_push(&a, kver)) < 0)
			return r;
	} else if (streq(action, "remove") && (r = strv_push(&a, "--all")) < 0) {
		return r;
	}
	if (jobs > 0) {
		snprintf(jbuf, sizeof(jbuf), "%u", jobs);
		if ((r = strv_push(&a, "-j")) < 0 || (r = strv_push(&a, jbuf)) < 0)
			return r;
	}
	*ret = TAKE_PTR(a);
	return 0;
}

static bool is_source_name(const char *n)
{
	size_t l = strlen(n);

	if (streq(n, "Kbuild") || streq(n, "Makefile"))
		return true;
	if (n[0] == '.' || l < 3)
		return false;
	return streq(n + l - 2, ".c") || streq(n + l - 2, ".h");
}

int dkms_source_files(const char *dir, char ***ret)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	_cleanup_strv_free_ char **l = NULL;
	bool has_build = false;
	struct dirent *de;
	int r;

	if (!d)
		return negative_errno();
	while ((errno = 0, de = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		if (!is_source_name(de->d_name))
			continue;
		p = path_join(dir, de->d_name);
		if (!p)
			return -ENOMEM;
		if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (streq(de->d_name, "Kbuild") || streq(de->d_name, "Makefile"))
			has_build = true;
		if ((r = strv_push(&l, de->d_name)) < 0)
			return r;
	}
	if (errno)
		return negative_errno();
	if (!l || !has_build)
		return -ENOENT;
	strv_sort(l);
	*ret = TAKE_PTR(l);
	return 0;
}

int dkms_conf_render(const char *template, const char *version, char **ret)
{
	static const char ph[] = "#MODULE_VERSION#";
	const size_t phl = sizeof(ph) - 1;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	unsigned n = 0;

	if (!template || !version || !*version || strpbrk(version, "\"'$`\\\n /"))
		return -EINVAL;
	if (!strstr(template, "PACKAGE_NAME="))
		return -EBADMSG;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	for (const char *p = template; *p;) {
		const char *hit = strstr(p, ph);

		if (!hit) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(hit - p), f);
		fputs(version, f);
		p = hit + phl;
		n++;
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	/* An already rendered file (installed share directory) must carry this version. */
	if (n == 0 && !strstr(buf, version)) {
		free(buf);
		return -EBADMSG;
	}
	*ret = buf;
	return 0;
}

/* dir holds driver sources and conf exists: fills the results. */
static int try_sources(const char *dir, const char *conf, char **ret_dir, char **ret_conf)
{
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_free_ char *d = NULL, *c = NULL;
	struct stat st;
	int r;

	r = dkms_source_files(dir, &files);
	if (r < 0)
		return r;
	if (stat(conf, &st) < 0)
		return negative_errno();
	d = strdup(dir);
	c = strdup(conf);
	if (!d || !c)
		return -ENOMEM;
	*ret_dir = TAKE_PTR(d);
	*ret_conf = TAKE_PTR(c);
	return 0;
}

int dkms_find_sources(const char *dir, char **ret_dir, char **ret_conf)
{
	_cleanup_free_ char *c1 = NULL, *c2 = NULL, *d3 = NULL, *c3 = NULL;
	int r;

	if (dir) {
		/* --source DIR: DIR/dkms.conf, or the tree's top-level one when DIR is a tree. */
		_cleanup_free_ char *sub = path_join(dir, "driver");

		c1 = path_join(dir, "dkms.conf");
		if (!c1 || !sub)
			return -ENOMEM;
		/* A source tree has a Makefile of its own: its driver/ comes first. */
		r = try_sources(sub, c1, ret_dir, ret_conf);
		if (r != -ENOENT)
			return r;
		return try_sources(dir, c1, ret_dir, ret_conf);
	}
	c2 = strdup(VNIC_DATADIR "/driver/dkms.conf");
	if (!c2)
		return -ENOMEM;
	r = try_sources(VNIC_DATADIR "/driver", c2, ret_dir, ret_conf);
	if (r != -ENOENT || !*VNIC_SRCDIR)
		return r;
	d3 = path_join(VNIC_SRCDIR, "driver");
	c3 = path_join(VNIC_SRCDIR, "dkms.conf");
	if (!d3 || !c3)
		return -ENOMEM;
	return try_sources(d3, c3, ret_dir, ret_conf);
}

int dkms_log_from_output(const char *output, char **ret)
{
	const char *p = output ? strstr(output, "Consult ") : NULL;
	size_t n;
	char *s;

	if (!p)
		return -ENOENT;
	p += strlen("Consult ");
	n = strcspn(p, " \t\n");
	if (n < 9 || p[0] != '/' || strncmp(p + n - 9, "/make.log", 9) != 0)
		return -ENOENT;
	s = strndup(p, n);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}
