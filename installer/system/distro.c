// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * os-release(5) and the legacy release files. The os-release grammar: KEY=VALUE per line,
 * where VALUE is made of unquoted text, '...' (literal) and "..." (with \" \\ \$ \` escapes)
 * parts, read as systemd reads it (nothing expanded, unquoted inner blanks kept); comments
 * start with '#'. A line that is not an assignment or opens a quote it does not close is
 * skipped and listed, as systemd skips it; NUL bytes, or no assignment at all, are malformed
 * and reported with their line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "system/distro.h"

/* os-release and the legacy files are a few hundred bytes; anything above this is not one. */
#define RELEASE_FILE_MAX (64u * 1024)

static const struct {
	const char *id;
	enum distro_family family;
} family_ids[] = {
	{ "debian", DISTRO_FAMILY_DEBIAN },    { "ubuntu", DISTRO_FAMILY_DEBIAN },
	{ "raspbian", DISTRO_FAMILY_DEBIAN },  { "rhel", DISTRO_FAMILY_RHEL },
	{ "centos", DISTRO_FAMILY_RHEL },      { "fedora", DISTRO_FAMILY_RHEL },
	{ "rocky", DISTRO_FAMILY_RHEL },       { "almalinux", DISTRO_FAMILY_RHEL },
	{ "ol", DISTRO_FAMILY_RHEL },          { "amzn", DISTRO_FAMILY_RHEL },
	{ "scientific", DISTRO_FAMILY_RHEL },  { "sles", DISTRO_FAMILY_SUSE },
	{ "sled", DISTRO_FAMILY_SUSE },        { "sles_sap", DISTRO_FAMILY_SUSE },
	{ "suse", DISTRO_FAMILY_SUSE },        { "opensuse", DISTRO_FAMILY_SUSE },
	{ "opensuse-leap", DISTRO_FAMILY_SUSE }, { "opensuse-tumbleweed", DISTRO_FAMILY_SUSE },
	{ "arch", DISTRO_FAMILY_ARCH },        { "photon", DISTRO_FAMILY_PHOTON },
};

static enum distro_family family_of(const char *id)
{
	if (!id)
		return DISTRO_FAMILY_UNKNOWN;
	for (size_t i = 0; i < ELEMENTSOF(family_ids); i++)
		if (streq(family_ids[i].id, id))
			return family_ids[i].family;
	return DISTRO_FAMILY_UNKNOWN;
}

enum distro_family distro_family_from_ids(const char *id, char *const *id_like)
{
	enum distro_family f = family_of(id);

	if (f != DISTRO_FAMILY_UNKNOWN)
		return f;
	for (char *const *l = id_like; l && *l; l++) {
		f = family_of(*l);
		if (f != DISTRO_FAMILY_UNKNOWN)
			return f;
	}
	return DISTRO_FAMILY_UNKNOWN;
}

const char *distro_family_to_string(enum distro_family f)
{
	switch (f) {
	case DISTRO_FAMILY_DEBIAN:
		return "debian";
	case DISTRO_FAMILY_RHEL:
		return "rhel";
	case DISTRO_FAMILY_SUSE:
		return "suse";
	case DISTRO_FAMILY_ARCH:
		return "arch";
	case DISTRO_FAMILY_PHOTON:
		return "photon";
	default:
		return "unknown";
	}
}

int distro_version_major(const struct distro *d)
{
	const char *v = d ? d->version_id : NULL;
	long n = 0;

	if (!v || !isdigit((unsigned char)*v))
		return -1;
	for (; isdigit((unsigned char)*v); v++) {
		n = n * 10 + (*v - '0');
		if (n > 1000000)
			return -1;
	}
	return (int)n;
}

void distro_done(struct distro *d)
{
	if (!d)
		return;
	free(d->id);
	strv_free(d->id_like);
	free(d->version_id);
	free(d->pretty_name);
	free(d->name);
	free(d->source);
	free(d->skipped_lines);
	memset(d, 0, sizeof(*d));
}

/* A growing string for one parsed value. */
struct buf {
	char *s;
	size_t n, alloc;
};

static int buf_put(struct buf *b, char c)
{
	if (b->n + 2 > b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 64;
		char *ns = realloc(b->s, na);

		if (!ns)
			return -ENOMEM;
		b->s = ns;
		b->alloc = na;
	}
	b->s[b->n++] = c;
	b->s[b->n] = 0;
	return 0;
}

static bool is_key_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_key_char(char c)
{
	return is_key_start(c) || (c >= '0' && c <= '9');
}

/* The lines an os-release reader skipped, as systemd's does (it ignores what is not an
 * assignment), and how many assignments it read. */
struct skips {
	unsigned *lines;
	size_t n, n_assigned;
};

static int skips_add(struct skips *s, unsigned line)
{
	unsigned *nv = realloc(s->lines, sizeof(*nv) * (s->n + 1));

	if (!nv)
		return -ENOMEM;
	nv[s->n++] = line;
	s->lines = nv;
	return 0;
}

/*
 * Calls cb(key, value) for each assignment in data. Returns 0, -EBADMSG (with *ret_line), or
 * what cb returned when negative. With skips, a line that is not an assignment (or opens a
 * quote it does not close) is recorded there and skipped instead; NUL bytes stay an error.
 */
typedef int (*assign_cb)(const char *key, const char *value, void *userdata);

static int parse_assignments(const char *data, size_t size, assign_cb cb, void *userdata,
			     struct skips *skips, unsigned *ret_line)
{
	const char *p = data, *end = data + size;
	unsigned line = 1;
	int r;

	if (memchr(data, 0, size)) {
		/* Binary data: name the line of the first NUL. */
		const char *z = memchr(data, 0, size);

		for (const char *q = data; q < z; q++)
			if (*q == '\n')
				line++;
		*ret_line = line;
		return -EBADMSG;
	}

	while (p < end) {
		_cleanup_free_ char *key = NULL;
		struct buf val = {};
		const char *k;
		unsigned start_line = line;

		/* Leading blanks, blank lines and comments. */
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p >= end)
			break;
		if (*p == '\n') {
			p++;
			line++;
			continue;
		}
		if (*p == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}

		k = p;
		if (!is_key_start(*p))
			goto bad;
		while (p < end && is_key_char(*p))
			p++;
		if (p >= end || *p != '=')
			goto bad;
		key = strndup(k, (size_t)(p - k));
		if (!key)
			return -ENOMEM;
		p++;

		/*
		 * The value: shell-style quoting and escapes. Like systemd's reader (and unlike a
		 * shell), unquoted blanks inside the value are kept and nothing is expanded: real
		 * files with `NAME=Foo Linux` or a literal '$' still read. Trailing blanks and a
		 * comment after a blank are dropped.
		 */
		if (buf_put(&val, 0) < 0) /* an empty value is "" rather than NULL */
			return -ENOMEM;
		val.n = 0;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		{
			size_t keep = 0; /* val.n up to the last character that is not a blank */

			while (p < end && *p != '\n') {
				if (*p == '\'') {
					p++;
					while (p < end && *p != '\'') {
						if (*p == '\n')
							line++;
						if (buf_put(&val, *p++) < 0)
							goto nomem;
					}
					if (p >= end)
						goto bad;
					p++;
					keep = val.n;
				} else if (*p == '"') {
					p++;
					while (p < end && *p != '"') {
						if (*p == '\\' && p + 1 < end &&
						    strchr("\"\\$`\n", p[1])) {
							if (p[1] == '\n') {
								/* A line continuation. */
								line++;
								p += 2;
								continue;
							}
							p++;
						}
						if (*p == '\n')
							line++;
						if (buf_put(&val, *p++) < 0)
							goto nomem;
					}
					if (p >= end)
						goto bad;
					p++;
					keep = val.n;
				} else if (*p == '\\') {
					if (p + 1 >= end || p[1] == '\n')
						goto bad;
					if (buf_put(&val, p[1]) < 0)
						goto nomem;
					p += 2;
					keep = val.n;
				} else if (*p == '#' && val.n > 0 && val.n > keep) {
					/* "# comment" after a blank */
					while (p < end && *p != '\n')
						p++;
				} else {
					bool blank = *p == ' ' || *p == '\t' || *p == '\r';

					if (buf_put(&val, *p++) < 0)
						goto nomem;
					if (!blank)
						keep = val.n;
				}
			}
			val.n = keep;
			val.s[keep] = 0;
		}

		r = cb(key, val.s, userdata);
		free(val.s);
		if (r < 0)
			return r;
		if (skips)
			skips->n_assigned++;
		continue;

	nomem:
		free(val.s);
		return -ENOMEM;
	bad:
		free(val.s);
		if (!skips) {
			*ret_line = start_line;
			return -EBADMSG;
		}
		r = skips_add(skips, start_line);
		if (r < 0)
			return r;
		/* Resume on the line after the one that started it. */
		p = memchr(k, '\n', (size_t)(end - k));
		p = p ? p + 1 : end;
		line = start_line + 1;
	}
	return 0;
}

static int set_string(char **field, const char *value)
{
	char *c = strdup(value);

	if (!c)
		return -ENOMEM;
	free(*field);
	*field = c;
	return 0;
}

static int os_release_assign(const char *key, const char *value, void *userdata)
{
	struct distro *d = userdata;

	if (streq(key, "ID"))
		return set_string(&d->id, value);
	if (streq(key, "VERSION_ID"))
		return set_string(&d->version_id, value);
	if (streq(key, "PRETTY_NAME"))
		return set_string(&d->pretty_name, value);
	if (streq(key, "NAME"))
		return set_string(&d->name, value);
	if (streq(key, "ID_LIKE")) {
		char **l = NULL;
		int r = strv_split(value, " \t\n", &l);

		if (r < 0)
			return r;
		strv_free(d->id_like);
		d->id_like = l;
	}
	return 0;
}

int os_release_parse(const char *data, size_t size, struct distro *ret, unsigned *ret_line)
{
	struct distro d = {};
	unsigned line = 0;
	int r;

	struct skips skips = {};

	r = parse_assignments(data, size, os_release_assign, &d, &skips, &line);
	if (r >= 0 && skips.n > 0 && skips.n_assigned == 0) {
		/* Not one assignment: not an os-release file at all. */
		line = skips.lines[0];
		r = -EBADMSG;
	}
	if (r < 0) {
		free(skips.lines);
		distro_done(&d);
		if (r == -EBADMSG && ret_line)
			*ret_line = line;
		return r;
	}
	if (!d.id_like) {
		d.id_like = calloc(1, sizeof(char *));
		if (!d.id_like) {
			distro_done(&d);
			return -ENOMEM;
		}
	}
	/* Empty values are as good as absent. */
	if (d.id && !*d.id)
		d.id = (free(d.id), NULL);
	if (d.version_id && !*d.version_id)
		d.version_id = (free(d.version_id), NULL);
	if (d.pretty_name && !*d.pretty_name)
		d.pretty_name = (free(d.pretty_name), NULL);

	free(ret->id);
	strv_free(ret->id_like);
	free(ret->version_id);
	free(ret->pretty_name);
	free(ret->name);
	free(ret->skipped_lines);
	ret->skipped_lines = skips.lines;
	ret->n_skipped = skips.n;
	ret->id = d.id;
	ret->id_like = d.id_like;
	ret->version_id = d.version_id;
	ret->pretty_name = d.pretty_name;
	ret->name = d.name;
	return 0;
}

/*
 * Reads path (inside root) into *ret. -ENOENT when it does not exist (also a dangling
 * symlink); other errors as read_full_file/path_chase.
 */
static int read_root_file(const char *root, const char *path, char **ret, size_t *ret_size)
{
	_cleanup_free_ char *host = NULL;
	int r;

	r = path_chase(root, path, 0, &host);
	if (r < 0)
		return r;
	return read_full_file(host, RELEASE_FILE_MAX, ret, ret_size);
}

/* The first line of s, without surrounding blanks (to free). */
static char *first_line(const char *s)
{
	size_t n;

	s += strspn(s, " \t\r\n");
	n = strcspn(s, "\r\n");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/* The first "N[.N...]" in s after the word "release" (or anywhere), or NULL (to free). */
static char *release_number(const char *s)
{
	const char *p = strstr(s, "release ");

	p = p ? p + 8 : s;
	while (*p && !isdigit((unsigned char)*p) && *p != '\n')
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	return strndup(p, strspn(p, "0123456789."));
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "Red Hat Enterprise Linux Server release 6.10 (Santiago)" and its relatives. */
static const char *rh_id_from_line(const char *l)
{
	static const struct {
		const char *prefix, *id;
	} m[] = {
		{ "Red Hat", "rhel" },        { "CentOS", "centos" },     { "Fedora", "fedora" },
		{ "Rocky", "rocky" },         { "AlmaLinux", "almalinux" }, { "Oracle", "ol" },
		{ "Scientific", "scientific" }, { "Amazon", "amzn" },
	};

	for (size_t i = 0; i < ELEMENTSOF(m); i++)
		if (starts_with(l, m[i].prefix))
			return m[i].id;
	return NULL;
}

struct lsb {
	char *id, *release, *description;
};

static int lsb_assign(const char *key, const char *value, void *userdata)
{
	struct lsb *l = userdata;

	if (streq(key, "DISTRIB_ID"))
		return set_string(&l->id, value);
	if (streq(key, "DISTRIB_RELEASE"))
		return set_string(&l->release, value);
	if (streq(key, "DISTRIB_DESCRIPTION"))
		return set_string(&l->description, value);
	return 0;
}

/* Fills d (id, version_id, pretty_name) from one legacy file's text. -EBADMSG if unusable. */
static int parse_legacy(const char *path, const char *text, size_t size, struct distro *d,
			unsigned *ret_line)
{
	_cleanup_free_ char *line = NULL;
	const char *id = NULL;

	if (memchr(text, 0, size)) {
		*ret_line = 1;
		return -EBADMSG;
	}
	if (streq(path, "/etc/lsb-release")) {
		struct lsb l = {};
		int r = parse_assignments(text, size, lsb_assign, &l, NULL, ret_line);

		if (r >= 0 && (!l.id || !*l.id)) {
			*ret_line = 0;
			r = -EBADMSG;
		}
		if (r >= 0) {
			for (char *c = l.id; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			d->id = TAKE_PTR(l.id);
			d->version_id = TAKE_PTR(l.release);
			d->pretty_name = TAKE_PTR(l.description);
		}
		free(l.id);
		free(l.release);
		free(l.description);
		return r;
	}

	line = first_line(text);
	if (!line)
		return -ENOMEM;
	if (!*line) {
		*ret_line = 1;
		return -EBADMSG;
	}

	if (streq(path, "/etc/debian_version")) {
		d->id = strdup("debian");
		if (isdigit((unsigned char)line[0]))
			d->version_id = strndup(line, strspn(line, "0123456789."));
		if (asprintf(&d->pretty_name, "Debian GNU/Linux %s", line) < 0)
			d->pretty_name = NULL;
		return d->id && d->pretty_name ? 0 : -ENOMEM;
	}

	if (streq(path, "/etc/SuSE-release")) {
		const char *v = strstr(text, "VERSION = "), *pl = strstr(text, "PATCHLEVEL = ");

		id = starts_with(line, "openSUSE") ? "opensuse" : "sles";
		if (v) {
			_cleanup_free_ char *major = NULL;

			v += strlen("VERSION = ");
			major = strndup(v, strspn(v, "0123456789."));
			if (!major)
				return -ENOMEM;
			if (pl && !strchr(major, '.') && isdigit((unsigned char)pl[13])) {
				if (asprintf(&d->version_id, "%s.%.*s", major,
					     (int)strspn(pl + 13, "0123456789"), pl + 13) < 0)
					d->version_id = NULL;
			} else
				d->version_id = TAKE_PTR(major);
		}
	} else {
		/* redhat-release, centos-release, system-release */
		id = rh_id_from_line(line);
		if (!id) {
			if (streq(path, "/etc/redhat-release"))
				id = "rhel";
			else if (streq(path, "/etc/centos-release"))
				id = "centos";
			else {
				*ret_line = 1;
				return -EBADMSG;
			}
		}
		d->version_id = release_number(line);
	}
	d->id = strdup(id);
	d->pretty_name = TAKE_PTR(line);
	return d->id ? 0 : -ENOMEM;
}

/* Legacy release files, most specific first (Ubuntu has lsb-release and debian_version). */
static const char *const legacy_files[] = {
	"/etc/centos-release", "/etc/redhat-release", "/etc/system-release",
	"/etc/SuSE-release",   "/etc/lsb-release",    "/etc/debian_version",
};

int distro_detect(const char *root, struct distro *ret, char **ret_bad_file,
		  unsigned *ret_bad_line)
{
	static const char *const os_release_files[] = { "/etc/os-release", "/usr/lib/os-release" };
	struct distro d = {};
	unsigned line = 0;
	int r;

	if (!root_is_host(root)) {
		_cleanup_free_ char *rootdir = NULL;

		/* A root that is not a directory fails here, not as "no os-release". */
		r = path_chase(root, "/", 0, &rootdir);
		if (r < 0)
			return r;
	}

	for (size_t i = 0; i < ELEMENTSOF(os_release_files); i++) {
		_cleanup_free_ char *text = NULL;
		size_t size = 0;

		r = read_root_file(root, os_release_files[i], &text, &size);
		if (r == -ENOENT)
			continue;
		if (r >= 0)
			r = os_release_parse(text, size, &d, &line);
		if (r < 0) {
			distro_done(&d);
			if (ret_bad_file)
				*ret_bad_file = strdup(os_release_files[i]);
			if (ret_bad_line)
				*ret_bad_line = r == -EBADMSG ? line : 0;
			return r;
		}
		/* os-release(5): a missing ID means "linux". */
		if (!d.id) {
			d.id = strdup("linux");
			if (!d.id) {
				distro_done(&d);
				return -ENOMEM;
			}
		}
		d.source = strdup(os_release_files[i]);
		if (!d.source) {
			distro_done(&d);
			return -ENOMEM;
		}
		d.family = distro_family_from_ids(d.id, d.id_like);
		*ret = d;
		return 0;
	}

	for (size_t i = 0; i < ELEMENTSOF(legacy_files); i++) {
		_cleanup_free_ char *text = NULL;
		size_t size = 0;

		r = read_root_file(root, legacy_files[i], &text, &size);
		if (r == -ENOENT)
			continue;
		if (r >= 0)
			r = parse_legacy(legacy_files[i], text, size, &d, &line);
		if (r < 0) {
			distro_done(&d);
			if (ret_bad_file)
				*ret_bad_file = strdup(legacy_files[i]);
			if (ret_bad_line)
				*ret_bad_line = r == -EBADMSG ? line : 0;
			return r;
		}
		d.id_like = calloc(1, sizeof(char *));
		d.source = strdup(legacy_files[i]);
		if (!d.id_like || !d.source) {
			distro_done(&d);
			return -ENOMEM;
		}
		d.family = distro_family_from_ids(d.id, d.id_like);
		*ret = d;
		return 0;
	}

	/* Nothing identifies it: say so. */
	d.id_like = calloc(1, sizeof(char *));
	if (!d.id_like)
		return -ENOMEM;
	d.family = DISTRO_FAMILY_UNKNOWN;
	*ret = d;
	return 0;
}
