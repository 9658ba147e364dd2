// SPDX-License-Identifier: GPL-2.0-or-later
/* Asking the running network manager which interface it manages, and with which file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <strings.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "system/manager.h"
#include "system/nmconf.h"
#include "system/service.h"

#define MANAGER_TIMEOUT_SEC 5
#define CONFIG_FILE_MAX (256u * 1024)

void live_owner_done(struct live_owner *o)
{
	if (!o)
		return;
	free(o->file);
	o->file = NULL;
	o->backend = NULL;
}

/* Runs argv; returns its stdout (to free) when it exited 0, else NULL. */
static char *run_output(char *const argv[])
{
	struct exec_opts opts = { .timeout_sec = MANAGER_TIMEOUT_SEC };
	struct exec_result r = {};
	char *out = NULL;

	if (exec_run(argv, &opts, &r) == 0 && exec_succeeded(&r) && r.output)
		out = strdup(r.output);
	exec_result_done(&r);
	return out;
}

/* nmcli -t escapes ':' and '\' in values with a backslash; splits one field off *p. */
static char *terse_field(char **p)
{
	char *s = *p, *w = s, *r = s;

	if (!s)
		return NULL;
	for (; *r && *r != ':'; r++) {
		if (*r == '\\' && r[1])
			r++;
		*w++ = *r;
	}
	*p = *r == ':' ? r + 1 : NULL;
	*w = 0;
	return s;
}

static bool is_netplan_generated(const char *file)
{
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	return strncmp(file, "/run/", 5) == 0 &&
	       (strncmp(base, "netplan-", 8) == 0 || strncmp(base, "10-netplan-", 11) == 0);
}

static int fill(const char *backend, const char *file, struct live_owner *ret)
{
	char *f = NULL;

	if (file && *file) {
		f = strdup(file);
		if (!f)
			return -ENOMEM;
	}
	ret->backend = f && is_netplan_generated(f) ? "netplan" : backend;
	ret->file = f;
	return 1;
}

/* NetworkManager: the device's state, then the file of its active connection. */
int nmcli_active_file(const char *text, const char *ifname, char **ret_file)
{
	_cleanup_free_ char *copy = strdup(text ? text : "");
	char *line, *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *dev = terse_field(&p), *file = terse_field(&p);

		if (!streq(dev, ifname))
			continue;
		*ret_file = file && *file ? strdup(file) : NULL;
		if (file && *file && !*ret_file)
			return -ENOMEM;
		return 1;
	}
	*ret_file = NULL;
	return 0;
}

static int ask_nm(const char *ifname, struct live_owner *ret)
{
	char *show[] = { "nmcli", "-t", "-f", "GENERAL.STATE", "device", "show", (char *)ifname,
			 NULL };
	char *active[] = { "nmcli", "-t", "-f", "DEVICE,FILENAME", "connection", "show", "--active",
			   NULL };
	_cleanup_free_ char *state = NULL, *list = NULL, *file = NULL;
	long code;
	int r;

	state = run_output(show);
	if (!state || strncmp(state, "GENERAL.STATE:", 14) != 0)
		return 0;
	code = strtol(state + 14, NULL, 10);
	/* 10 unmanaged, 20 unavailable (no carrier) and up: managed. */
	if (code < 20)
		return 0;
	list = run_output(active);
	if (list) {
		r = nmcli_active_file(list, ifname, &file);
		if (r < 0)
			return r;
	}
	return fill("networkmanager", file, ret);
}

/* The value after "Key:" on a line of text, blanks trimmed (a copy); NULL if absent. */
static char *status_value(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *line = text; line && *line;) {
		const char *next = strchr(line, '\n'), *l = line, *end;

		end = next ? next : line + strlen(line);
		l += strspn(l, " \t");
		if (l + kl < end && strncmp(l, key, kl) == 0 && l[kl] == ':') {
			const char *v = l + kl + 1;

			v += strspn(v, " \t");
			if (v > end)
				v = end;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
				end--;
			return strndup(v, (size_t)(end - v));
		}
		line = next ? next + 1 : NULL;
	}
	return NULL;
}

int networkctl_status_parse(const char *text, char **ret_file)
{
	_cleanup_free_ char *state = NULL, *file = NULL;

	if (!text)
		return 0;
	state = status_value(text, "State");
	file = status_value(text, "Network File");
	if (!state || !file || !*file || streq(file, "n/a") ||
	    !(strstr(state, "(configured)") || strstr(state, "(configuring)")))
		return 0;
	*ret_file = TAKE_PTR(file);
	return 1;
}

/* systemd-networkd: "State: ... (configured)" and "Network File: /etc/...". */
static int ask_networkd(const char *ifname, struct live_owner *ret)
{
	char *argv[] = { "networkctl", "--no-pager", "status", (char *)ifname, NULL };
	_cleanup_free_ char *out = NULL, *file = NULL;

	out = run_output(argv);
	if (networkctl_status_parse(out, &file) <= 0)
		return 0;
	return fill("networkd", file, ret);
}

int live_manager_owner(const char *ifname, struct live_owner *ret)
{
	struct live_owner o = {};
	int r;

	if (!ifname || !*ifname || strchr(ifname, '/'))
		return -EINVAL;
	r = ask_nm(ifname, &o);
	if (r == 0)
		r = ask_networkd(ifname, &o);
	if (r > 0)
		*ret = o;
	return r;
}

/* A shell value without its quotes ("no", 'no' or no). */
static void unquote(char *v)
{
	size_t n = strlen(v);

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		v[--n] = 0;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		memmove(v, v + 1, n - 2);
		v[n - 2] = 0;
	}
}

static char *read_in_root(const char *root, const char *path)
{
	_cleanup_free_ char *host = NULL;
	char *text = NULL;

	if (path_chase(root, path, 0, &host) < 0 ||
	    read_full_file(host, CONFIG_FILE_MAX, &text, NULL) < 0)
		return NULL;
	return text;
}

/* NM_CONTROLLED=no (or n, false, 0) in an ifcfg file. */
static bool ifcfg_says_unmanaged(const char *root, const char *file)
{
	_cleanup_free_ char *text = read_in_root(root, file);
	char *line, *save = NULL;
	bool unmanaged = false;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (strncmp(line, "NM_CONTROLLED=", 14) != 0)
			continue;
		line += 14;
		unquote(line);
		unmanaged = !strcasecmp(line, "no") || !strcasecmp(line, "n") ||
			    !strcasecmp(line, "false") || streq(line, "0");
	}
	return unmanaged;
}

bool nm_manages_ifcfg(const char *root, const char *ifname, const char *mac,
		      char *const *ifcfg_files)
{
	const struct nmconf_device dev = { .ifname = ifname, .mac = mac, .type = "ethernet" };
	struct nmconf c = {};
	const char *plugins;
	bool r, extends;

	if (!service_is_enabled(root, "NetworkManager.service"))
		return false;
	for (char *const *f = ifcfg_files; f && *f; f++)
		if (ifcfg_says_unmanaged(root, *f))
			return false;
	if (nmconf_load(root, &c, NULL, NULL) < 0)
		return false;
	/* RHEL builds load ifcfg-rh by default: when no plugins= line replaces the default list */
	plugins = nmconf_get_full(&c, "main", "plugins", &extends);
	r = !nmconf_unmanaged(&c, &dev) &&
	    (!plugins || extends || nmconf_list_contains(&c, "main", "plugins", "ifcfg-rh"));
	nmconf_done(&c);
	return r;
}
