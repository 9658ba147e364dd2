// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "macro.h"

#define FAULT_MAX_RULES 8

struct fault_rule {
	char point[24];
	unsigned long nth;
	unsigned long seen;
	int error; /* positive errno, or 0 for crash */
	int signal; /* or a signal the process sends itself, and goes on */
};

static struct fault_rule rules[FAULT_MAX_RULES];
static size_t n_rules;

static const struct {
	const char *name;
	int value;
} errno_names[] = {
	{ "EIO", EIO },     { "ENOSPC", ENOSPC }, { "EACCES", EACCES }, { "EPERM", EPERM },
	{ "EROFS", EROFS }, { "ENOMEM", ENOMEM }, { "EINTR", EINTR },   { "EDQUOT", EDQUOT },
};

static const struct {
	const char *name;
	int value;
} signal_names[] = { { "SIGINT", SIGINT }, { "SIGTERM", SIGTERM }, { "SIGHUP", SIGHUP } };

static int parse_signal(const char *s, int *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
		if (streq(s, signal_names[i].name)) {
			*ret = signal_names[i].value;
			return 0;
		}
	return -EINVAL;
}

static int parse_error(const char *s, int *ret)
{
	char *end;
	long v;

	if (streq(s, "crash")) {
		*ret = 0;
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
		if (streq(s, errno_names[i].name)) {
			*ret = errno_names[i].value;
			return 0;
		}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 4095)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int fault_configure(const char *spec)
{
	struct fault_rule parsed[FAULT_MAX_RULES] = {};
	size_t n = 0;
	const char *p = spec;

	while (p && *p) {
		char item[64], *colon, *what, *end;
		size_t len = strcspn(p, ",");
		struct fault_rule *r;

		if (len == 0 || len >= sizeof(item) || n == FAULT_MAX_RULES)
			return -EINVAL;
		memcpy(item, p, len);
		item[len] = 0;
		p += len + (p[len] == ',');

		colon = strchr(item, ':');
		if (!colon || colon == item || (size_t)(colon - item) >= sizeof(r->point))
			return -EINVAL;
		*colon = 0;
		r = &parsed[n];
		strcpy(r->point, item);
		what = strchr(colon + 1, ':');
		if (what)
			*what++ = 0;
		errno = 0;
		r->nth = strtoul(colon + 1, &end, 10);
		if (errno || *end || r->nth == 0)
			return -EINVAL;
		r->error = EIO;
		if (what && parse_signal(what, &r->signal) == 0)
			r->error = 0;
		else if (what && parse_error(what, &r->error) < 0)
			return -EINVAL;
		n++;
	}
	memcpy(rules, parsed, sizeof(rules));
	n_rules = n;
	return 0;
}

int fault_configure_from_env(void)
{
	const char *e = getenv("VNIC_FAULT");

	return fault_configure(e && *e ? e : NULL);
}

int fault_inject(const char *point)
{
	for (size_t i = 0; i < n_rules; i++) {
		struct fault_rule *r = &rules[i];

		if (!streq(r->point, point))
			continue;
		if (++r->seen != r->nth)
			continue;
		if (r->signal) {
			raise(r->signal);
			return 0;
		}
		if (r->error == 0)
			_exit(FAULT_CRASH_EXIT);
		return -r->error;
	}
	return 0;
}
