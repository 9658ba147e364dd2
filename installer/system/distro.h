/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which distribution a system is: os-release(5) (/etc/os-release, else /usr/lib/os-release,
 * never merged), or, when neither exists, the legacy release files. Everything is read under
 * the root through path_chase(). Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum distro_family {
	DISTRO_FAMILY_UNKNOWN = 0,
	DISTRO_FAMILY_DEBIAN, /* Debian, Ubuntu, Mint, Pop!_OS, ... */
	DISTRO_FAMILY_RHEL,   /* RHEL, CentOS, Rocky, Alma, Oracle, Fedora, Amazon Linux, ... */
	DISTRO_FAMILY_SUSE,   /* SLES, openSUSE */
	DISTRO_FAMILY_ARCH,
	DISTRO_FAMILY_PHOTON,
};

struct distro {
	char *id;          /* ID= ("ubuntu"); "linux" when os-release has no ID; NULL: unknown */
	char **id_like;    /* ID_LIKE=, split at spaces (strv, never NULL after a detect) */
	char *version_id;  /* VERSION_ID= ("22.04"), or NULL */
	char *pretty_name; /* PRETTY_NAME=, or NULL */
	char *name;        /* NAME=, or NULL */
	enum distro_family family;
	char *source;      /* the file it came from, as a path inside the root ("/etc/os-release",
			    * "/usr/lib/os-release", "/etc/redhat-release", ...), NULL: none found */
	unsigned *skipped_lines; /* lines of source that are not assignments, skipped as systemd
				  * skips them (the caller warns: source:line) */
	size_t n_skipped;
};

/*
 * Detects the distribution of the system under root (NULL or "/": the host). Returns 0 with
 * *ret filled (family DISTRO_FAMILY_UNKNOWN and source NULL when nothing identifies it), or
 * -errno: -ENOTDIR when root is not a directory, -EBADMSG when the os-release file that exists
 * is malformed (binary data, no KEY=VALUE lines), -EFBIG for a huge one, -ELOOP, -EACCES...
 * On such an error *ret_bad_file (when not NULL) gets the path inside the root of the file at
 * fault (to free) and *ret_bad_line its line (0 when not about a line). *ret is untouched on
 * failure.
 */
int distro_detect(const char *root, struct distro *ret, char **ret_bad_file, unsigned *ret_bad_line);
void distro_done(struct distro *d);
/* Warns "FILE:LINE: not an assignment, ignored" for each line detect skipped (distro_log.c). */
void distro_log_skipped(const struct distro *d);

/*
 * Parses os-release text (shell-style assignments: quoting with '' and "", backslash escapes
 * of $ " \ ` inside double quotes, comments, blank lines, CRLF line ends). Unknown keys are
 * ignored; a line that is not an assignment (or opens a quote it does not close) is skipped
 * and listed in skipped_lines. Returns 0, or -EBADMSG with *ret_line set: NUL bytes in the data
 * (their line), or not one assignment among lines that are not (the first of them). Fills
 * id, id_like, version_id, pretty_name, name, skipped_lines of *ret (family and source are
 * left alone); *ret is untouched on failure.
 */
int os_release_parse(const char *data, size_t size, struct distro *ret, unsigned *ret_line);

/* The family from ID, then each ID_LIKE in order; DISTRO_FAMILY_UNKNOWN if none matches. */
enum distro_family distro_family_from_ids(const char *id, char *const *id_like);
/* "debian", "rhel", "suse", "arch", "photon", "unknown" */
const char *distro_family_to_string(enum distro_family f);

/* The major number of VERSION_ID ("8.9" -> 8), or -1 when there is none. */
int distro_version_major(const struct distro *d);
