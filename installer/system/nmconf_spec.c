// SPDX-License-Identifier: GPL-2.0-or-later
/* NetworkManager's device lists ("Device List Format" in NetworkManager.conf(5)). */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "system/nmconf.h"

/* Two MAC addresses in any case and with any separator. */
static bool mac_eq(const char *a, const char *b)
{
	size_t digits = 0;

	if (!a || !b)
		return false;
	for (;;) {
		while (*a == ':' || *a == '-' || *a == '.')
			a++;
		while (*b == ':' || *b == '-' || *b == '.')
			b++;
		if (!*a || !*b)
			return !*a && !*b && digits == 12;
		if (!isxdigit((unsigned char)*a) || tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++, b++, digits++;
	}
}

static bool glob_fits(const char *glob, const char *value, int flags)
{
	return value && fnmatch(glob, value, flags) == 0;
}

/* One spec without "except:". */
static bool one_fits(const char *s, const struct nmconf_device *d)
{
	if (streq(s, "*"))
		return true;
	if (strncmp(s, "interface-name:", 15) == 0) {
		s += 15;
		if (*s == '=')
			return d->ifname && streq(s + 1, d->ifname);
		if (*s == '~')
			return glob_fits(s + 1, d->ifname, FNM_CASEFOLD);
		return glob_fits(s, d->ifname, 0);
	}
	if (strncmp(s, "mac:", 4) == 0)
		return mac_eq(s + 4, d->mac) || mac_eq(s + 4, d->permanent_mac);
	if (strncmp(s, "driver:", 7) == 0)
		return glob_fits(s + 7, d->driver, 0);
	if (strncmp(s, "type:", 5) == 0)
		return glob_fits(s + 5, d->type, 0);
	/* the old form: a bare MAC address */
	return mac_eq(s, d->mac) || mac_eq(s, d->permanent_mac);
}

bool nmconf_spec_matches(const char *spec, const struct nmconf_device *d)
{
	_cleanup_strv_free_ char **items = NULL;
	bool positive = false, only_except = true;

	if (!spec || strv_split(spec, ",;", &items) < 0)
		return false;
	for (char **i = items; *i; i++) {
		char *s = *i + strspn(*i, " \t");
		size_t n = strlen(s);

		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			s[--n] = 0;
		if (!*s)
			continue;
		if (strncmp(s, "except:", 7) == 0) {
			if (one_fits(s + 7, d))
				return false;
			continue;
		}
		only_except = false;
		positive |= one_fits(s, d);
	}
	return positive || (only_except && items[0]);
}

bool nmconf_unmanaged(const struct nmconf *c, const struct nmconf_device *d)
{
	return nmconf_spec_matches(nmconf_get(c, "keyfile", "unmanaged-devices"), d);
}
