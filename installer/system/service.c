// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Service state from the files, as systemd would see them at boot: a unit is enabled when a
 * *.wants/ or *.requires/ directory of a unit directory holds a link with its name; masked
 * when /etc or /run holds a link to /dev/null (or an empty file) with its name. SysV init
 * scripts count only when no unit file of that name exists (as systemd-sysv-generator does).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "lib/path.h"
#include "system/service.h"

static const char *const unit_dirs[] = {
	"/etc/systemd/system",
	"/run/systemd/system",
	"/usr/lib/systemd/system",
	"/lib/systemd/system",
};

/* lstat()s dir/name inside root (dir chased, name itself not followed). */
static int lstat_in(const char *root, const char *dir, const char *name, struct stat *st,
		    char **ret_host)
{
	_cleanup_free_ char *hostdir = NULL, *host = NULL;
	int r;

	r = path_chase(root, dir, 0, &hostdir);
	if (r < 0)
		return r;
	host = path_join(hostdir, name);
	if (!host)
		return -ENOMEM;
	if (lstat(host, st) < 0)
		return negative_errno();
	if (ret_host)
		*ret_host = TAKE_PTR(host);
	return 0;
}

static bool is_mask(const char *root, const char *dir, const char *unit)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;
	char target[PATH_MAX];
	ssize_t n;

	if (lstat_in(root, dir, unit, &st, &host) < 0)
		return false;
	if (S_ISREG(st.st_mode))
		return st.st_size == 0;
	if (!S_ISLNK(st.st_mode))
		return false;
	n = readlink(host, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	return streq(target, "/dev/null");
}

/* An alias: /etc/systemd/system/network.service -> /usr/lib/systemd/system/wicked.service. */
static char *alias_target(const char *root, const char *unit)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (lstat_in(root, "/etc/systemd/system", unit, &st, &host) < 0 || !S_ISLNK(st.st_mode))
		return NULL;
	n = readlink(host, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base || streq(base, unit) || streq(target, "/dev/null"))
		return NULL;
	return strdup(base);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && streq(s + ls - lx, suffix);
}

/* A link named unit in any *.wants/ or *.requires/ directory of dir. */
static bool wanted_in(const char *root, const char *dir, const char *unit)
{
	_cleanup_free_ char *hostdir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (path_chase(root, dir, 0, &hostdir) < 0)
		return false;
	d = opendir(hostdir);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		struct stat st;

		if (!has_suffix(de->d_name, ".wants") && !has_suffix(de->d_name, ".requires"))
			continue;
		sub = path_join(dir, de->d_name);
		if (!sub)
			return false;
		if (lstat_in(root, sub, unit, &st, NULL) == 0)
			return true;
	}
	return false;
}

static bool unit_file_exists(const char *root, const char *unit)
{
	for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
		struct stat st;

		if (lstat_in(root, unit_dirs[i], unit, &st, NULL) == 0)
			return true;
	}
	return false;
}

/* SysV: /etc/init.d/<name> and an S link in a multi-user runlevel. */
static int sysv_state(const char *root, const char *name, enum service_state *ret)
{
	static const char *const script_dirs[] = { "/etc/init.d", "/etc/rc.d/init.d" };
	static const char *const rc_dirs[] = {
		"/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d",
		"/etc/rc.d/rc2.d", "/etc/rc.d/rc3.d", "/etc/rc.d/rc4.d", "/etc/rc.d/rc5.d",
	};
	bool script = false;

	for (size_t i = 0; i < ELEMENTSOF(script_dirs); i++) {
		struct stat st;

		if (lstat_in(root, script_dirs[i], name, &st, NULL) == 0)
			script = true;
	}
	if (!script) {
		*ret = SERVICE_ABSENT;
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(rc_dirs); i++) {
		_cleanup_free_ char *hostdir = NULL;
		_cleanup_closedir_ DIR *d = NULL;
		struct dirent *de;

		if (path_chase(root, rc_dirs[i], 0, &hostdir) < 0)
			continue;
		d = opendir(hostdir);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			/* S<two digits><name> */
			if (de->d_name[0] == 'S' && strlen(de->d_name) > 3 &&
			    streq(de->d_name + 3, name)) {
				*ret = SERVICE_ENABLED;
				return 0;
			}
		}
	}
	*ret = SERVICE_DISABLED;
	return 0;
}

static bool valid_unit_name(const char *unit)
{
	size_t n = strlen(unit);

	return n > 0 && n < 256 && !strchr(unit, '/') && !streq(unit, ".") && !streq(unit, "..");
}

static int unit_state(const char *root, const char *unit, unsigned depth,
		      enum service_state *ret)
{
	for (size_t i = 0; i < 2; i++)
		if (is_mask(root, unit_dirs[i], unit)) {
			*ret = SERVICE_MASKED;
			return 0;
		}
	for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++)
		if (wanted_in(root, unit_dirs[i], unit)) {
			*ret = SERVICE_ENABLED;
			return 0;
		}
	if (depth < 4) {
		_cleanup_free_ char *target = alias_target(root, unit);

		if (target)
			return unit_state(root, target, depth + 1, ret);
	}
	if (unit_file_exists(root, unit)) {
		*ret = SERVICE_DISABLED;
		return 0;
	}
	if (has_suffix(unit, ".service")) {
		_cleanup_free_ char *name = strndup(unit, strlen(unit) - strlen(".service"));

		if (!name)
			return -ENOMEM;
		return sysv_state(root, name, ret);
	}
	*ret = SERVICE_ABSENT;
	return 0;
}

int service_state(const char *root, const char *unit, enum service_state *ret)
{
	_cleanup_free_ char *full = NULL;

	if (!unit || !valid_unit_name(unit))
		return -EINVAL;
	if (!root_is_host(root)) {
		_cleanup_free_ char *rootdir = NULL;
		int r = path_chase(root, "/", 0, &rootdir);

		if (r < 0)
			return r;
	}
	if (!strchr(unit, '.')) {
		if (asprintf(&full, "%s.service", unit) < 0)
			return -ENOMEM;
		unit = full;
	}
	return unit_state(root, unit, 0, ret);
}

bool service_is_enabled(const char *root, const char *unit)
{
	enum service_state s;

	return service_state(root, unit, &s) >= 0 && s == SERVICE_ENABLED;
}

const char *service_state_to_string(enum service_state s)
{
	switch (s) {
	case SERVICE_DISABLED:
		return "disabled";
	case SERVICE_ENABLED:
		return "enabled";
	case SERVICE_MASKED:
		return "masked";
	default:
		return "absent";
	}
}
