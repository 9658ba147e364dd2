// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * systemd presets (systemd.preset(5)), for images that have not booted yet: on its first
 * boot (no /etc/machine-id, or "uninitialized") systemd enables the units its presets enable, so a
 * networkd that a distribution enables by preset has no enablement link in the image yet.
 * The *.preset files of /etc, /run, /usr/local/lib, /usr/lib and /lib .../systemd/system-preset
 * are read in the order of their names (an earlier directory shadows a name); the first line
 * whose glob fits the unit decides ("enable" or "disable"; "ignore" leaves it as it is); when
 * none does, the unit is enabled.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/internal.h"

static const char *const preset_dirs[] = {
	"/etc/systemd/system-preset", "/run/systemd/system-preset",
	"/usr/local/lib/systemd/system-preset", "/usr/lib/systemd/system-preset",
	"/lib/systemd/system-preset",
};

/* systemd's first boot (machine-id(5)): /etc/machine-id missing or "uninitialized" (an
 * empty one, as cloud images ship it, is not a first boot). */
static bool first_boot(const char *root)
{
	_cleanup_free_ char *id = NULL;
	int r;

	r = nc_read_file(root, "/etc/machine-id", &id);
	if (r == -ENOENT)
		return true;
	return r >= 0 && streq(nc_strip(id), "uninitialized");
}

/* 1 enable, 0 disable, -ENOENT no line fits (or "ignore"). */
static int preset_verdict(const char *data, const char *unit)
{
	_cleanup_free_ char *copy = strdup(data);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		_cleanup_strv_free_ char **w = NULL;

		if (strv_split(l, " \t\r", &w) < 0)
			return -ENOMEM;
		if (!w[0] || w[0][0] == '#' || w[0][0] == ';' || !w[1])
			continue;
		if (fnmatch(w[1], unit, 0) != 0)
			continue;
		if (streq(w[0], "enable"))
			return 1;
		if (streq(w[0], "disable"))
			return 0;
		return -ENOENT; /* "ignore" */
	}
	return -ENOENT;
}

bool nc_unit_preset_enabled(const char *root, const char *unit)
{
	_cleanup_strv_free_ char **files = NULL;

	if (!first_boot(root) ||
	    nc_conf_files(root, preset_dirs, ELEMENTSOF(preset_dirs), NULL, ".preset", &files) < 0)
		return false;
	for (char **f = files; f && *f; f++) {
		_cleanup_free_ char *data = NULL;
		int r;

		if (nc_read_file(root, *f, &data) < 0)
			continue;
		r = preset_verdict(data, unit);
		if (r == -ENOMEM)
			return false;
		if (r >= 0)
			return r > 0;
	}
	return true;
}
