/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a service is enabled on the system under a root, read from the files alone (so it
 * works offline): systemd units through their *.wants/ and *.requires/ symlinks (and alias
 * symlinks) in /etc/systemd/system, /run/systemd/system, /usr/lib/systemd/system and
 * /lib/systemd/system; masks (a symlink to /dev/null, or an empty file, in /etc or /run);
 * SysV init scripts through their /etc/rc[2-5].d/S* (or /etc/rc.d/rc[2-5].d/S*) links when the
 * system has no systemd unit for it. Nothing here prints.
 */
#pragma once

#include <stdbool.h>

enum service_state {
	SERVICE_ABSENT = 0, /* no unit file, no init script, no links */
	SERVICE_DISABLED,   /* installed, not enabled */
	SERVICE_ENABLED,    /* a wants/requires link or an rc S link */
	SERVICE_MASKED,     /* masked: never starts, whatever links exist */
};

/*
 * The state of unit ("NetworkManager.service"; a name without a suffix gets ".service") under
 * root (NULL or "/": the host). Returns 0 with *ret set, or -errno (-ENOTDIR: root is not a
 * directory; -EINVAL: a bad unit name). *ret is untouched on failure.
 */
int service_state(const char *root, const char *unit, enum service_state *ret);

/* True when unit is enabled and not masked; false on any error. */
bool service_is_enabled(const char *root, const char *unit);

/* "absent", "disabled", "enabled", "masked" */
const char *service_state_to_string(enum service_state s);
