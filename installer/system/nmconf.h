/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NetworkManager's own configuration (NetworkManager.conf(5)), read as NetworkManager reads
 * it, for detect (system/manager.c) and for swap and prepare (netcfg/nm.c) alike: the conf.d
 * snippets of /usr/lib and then /run, NetworkManager.conf, then those of /etc (a name in /etc
 * shadows the same name in /run and /usr/lib, one in /run the one in /usr/lib), each
 * directory's files in the order of their names; a later assignment wins, and "key+=v" /
 * "key-=v" add to or remove from a list. Values are decoded as GKeyFile decodes them (\s \t
 * \n \r \\). Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct nmconf_entry {
	char *section, *key, *value;
	bool extends_default; /* "key+=v" with no earlier value: v after the build's default */
};

struct nmconf {
	struct nmconf_entry *e;
	size_t n;
};

/*
 * Loads the configuration under root (NULL or "/": the host). Missing files are fine (an
 * empty configuration). Returns 0, or -errno; -EBADMSG for a line that is neither a comment,
 * a [section] nor key=value, with *ret_bad_file (to free) and *ret_bad_line set.
 */
int nmconf_load(const char *root, struct nmconf *ret, char **ret_bad_file, unsigned *ret_bad_line);
void nmconf_done(struct nmconf *c);
/* The value of [section] key, or NULL; *ret_extends_default (may be NULL): the value only adds
 * to the build's default list ("plugins+=foo" and no plugins= before it). */
const char *nmconf_get_full(const struct nmconf *c, const char *section, const char *key,
			    bool *ret_extends_default);
static inline const char *nmconf_get(const struct nmconf *c, const char *section, const char *key)
{
	return nmconf_get_full(c, section, key, NULL);
}
/* Whether the list value of [section] key holds item (lists: ',' or ';' separated). */
bool nmconf_list_contains(const struct nmconf *c, const char *section, const char *key, const char *item);

/* What a device spec is matched against; NULL members are unknown (match nothing). */
struct nmconf_device {
	const char *ifname, *mac, *permanent_mac, *driver;
	const char *type; /* "ethernet" for the NICs vnic handles */
};

/*
 * A "device list" (NetworkManager.conf(5)): "*", interface-name:GLOB (":=" literal, ":~" glob
 * ignoring case), mac:HWADDR, driver:GLOB, type:GLOB, except:SPEC, a bare MAC address; ',' or
 * ';' separated. An except: that fits excludes the device; a list of except: alone takes
 * every device it does not exclude.
 */
bool nmconf_spec_matches(const char *spec, const struct nmconf_device *dev);
/* [keyfile] unmanaged-devices names the device. */
bool nmconf_unmanaged(const struct nmconf *c, const struct nmconf_device *dev);
