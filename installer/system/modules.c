// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/kmod-util.h"
#include "lib/strv.h"
#include "modules.h"


void module_info_done(struct module_info *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->version);
	free(m->srcversion);
	*m = (struct module_info){};
}

/* A context for kernel kver of root, reading the root's own modprobe.d. */
static int ctx_for(const char *root, const char *kver, struct kmod_ctx **ret)
{
	_cleanup_free_ char *rel = NULL, *dir = NULL, *c1 = NULL, *c2 = NULL, *c3 = NULL;
	struct kmod_ctx *ctx;
	int r;

	if (!kver || !*kver || strchr(kver, '/'))
		return -EINVAL;
	if (asprintf(&rel, "/lib/modules/%s", kver) < 0)
		return -ENOMEM;
	r = path_chase(root, rel, 0, &dir);
	if (r < 0)
		return r;
	if (root_is_host(root)) {
		ctx = kmod_new(dir, NULL);
	} else {
		const char *cfg[4];

		/* Missing configuration directories are fine: kmod skips them. */
		path_chase(root, "/etc/modprobe.d", CHASE_NONEXISTENT, &c1);
		path_chase(root, "/lib/modprobe.d", CHASE_NONEXISTENT, &c2);
		path_chase(root, "/run/modprobe.d", CHASE_NONEXISTENT, &c3);
		cfg[0] = c1 ? c1 : "/nonexistent";
		cfg[1] = c2 ? c2 : "/nonexistent";
		cfg[2] = c3 ? c3 : "/nonexistent";
		cfg[3] = NULL;
		ctx = kmod_new(dir, cfg);
	}
	if (!ctx)
		return -ENOMEM;
	*ret = ctx;
	return 0;
}

/* version and srcversion from a module file's .modinfo. */
static int file_info(struct kmod_module *mod, struct module_info *m)
{
	_cleanup_kmod_info_ struct kmod_list *info = NULL;
	struct kmod_list *l;
	int r;

	r = kmod_module_get_info(mod, &info);
	if (r < 0)
		return r;
	kmod_list_foreach(l, info) {
		const char *k = kmod_module_info_get_key(l), *v = kmod_module_info_get_value(l);
		char **slot = streq(k, "version") ? &m->version : streq(k, "srcversion") ? &m->srcversion : NULL;

		if (!slot || *slot || !v)
			continue;
		*slot = strdup(v);
		if (!*slot)
			return -ENOMEM;
	}
	return 0;
}

static bool path_in_updates(const char *path)
{
	return strstr(path, "/updates/") || strstr(path, "/extra/");
}

int modules_lookup(const char *root, const char *kver, const char *name, struct module_info *ret)
{
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	_cleanup_kmod_list_ struct kmod_list *list = NULL;
	_cleanup_(module_info_done) struct module_info m = {};
	struct kmod_list *l;
	int r;

	r = ctx_for(root, kver, &ctx);
	if (r < 0)
		return r;
	r = kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0)
		return r;
	kmod_list_foreach(l, list) {
		_cleanup_kmod_module_ struct kmod_module *mod = kmod_module_get_module(l);
		const char *p = kmod_module_get_path(mod);

		if (!p || !streq(kmod_module_get_name(mod), name))
			continue;
		m.path = strdup(p);
		if (!m.path)
			return -ENOMEM;
		m.in_updates = path_in_updates(p);
		r = file_info(mod, &m);
		if (r < 0)
			return r;
		*ret = m;
		m = (struct module_info){};
		return 0;
	}
	return -ENOENT;
}

int modules_inbox(const char *root, const char *kver, const char *name, struct module_info *ret)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	int r;

	if (strchr(name, '/'))
		return -EINVAL;
	r = ctx_for(root, kver, &ctx);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		_cleanup_free_ char *rel = NULL, *host = NULL;
		_cleanup_kmod_module_ struct kmod_module *mod = NULL;
		_cleanup_(module_info_done) struct module_info m = {};

		if (asprintf(&rel, "/lib/modules/%s/kernel/drivers/net/%s/%s%s", kver, name, name,
			     suffixes[i]) < 0)
			return -ENOMEM;
		if (path_chase(root, rel, 0, &host) < 0)
			continue;
		r = kmod_module_new_from_path(ctx, host, &mod);
		if (r < 0)
			return r;
		m.path = TAKE_PTR(host);
		r = file_info(mod, &m);
		if (r < 0)
			return r;
		*ret = m;
		m = (struct module_info){};
		return 0;
	}
	return -ENOENT;
}

static int read_attr(const char *dir, const char *attr, char **ret)
{
	_cleanup_free_ char *p = path_join(dir, attr), *s = NULL;
	int r;

	if (!p)
		return -ENOMEM;
	r = read_full_file(p, 4096, &s, NULL);
	if (r < 0)
		return r;
	s[strcspn(s, "\n")] = 0;
	*ret = TAKE_PTR(s);
	return 0;
}

int modules_loaded(const char *name, struct module_info *ret)
{
	_cleanup_free_ char *dir = NULL, *state = NULL;
	struct module_info m = {};
	int r;

	if (strchr(name, '/'))
		return -EINVAL;
	if (asprintf(&dir, "/sys/module/%s", name) < 0)
		return -ENOMEM;
	/* Built-in modules have a /sys/module directory too, but no initstate. */
	r = read_attr(dir, "initstate", &state);
	if (r < 0)
		return r == -ENOENT ? -ENOENT : r;
	if (!streq(state, "live") && !streq(state, "coming"))
		return -ENOENT;
	(void)read_attr(dir, "version", &m.version);
	(void)read_attr(dir, "srcversion", &m.srcversion);
	*ret = m;
	return 0;
}

int modules_users(const char *root, const char *driver, char ***ret_bound, char ***ret_up)
{
	_cleanup_free_ char *net = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_free_ char **bound = NULL, **up = NULL;
	struct dirent *de;
	int r;

	r = path_chase(root, "/sys/class/net", 0, &net);
	if (r == -ENOENT)
		goto done;
	if (r < 0)
		return r;
	d = opendir(net);
	if (!d)
		return negative_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *link = NULL, *flags_path = NULL, *flags = NULL;
		char target[PATH_MAX];
		const char *base;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&link, "%s/%s/device/driver", net, de->d_name) < 0)
			return -ENOMEM;
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = 0;
		base = strrchr(target, '/');
		base = base ? base + 1 : target;
		if (!streq(base, driver))
			continue;
		if ((r = strv_push(&bound, de->d_name)) < 0)
			return r;
		if (asprintf(&flags_path, "%s/%s/flags", net, de->d_name) < 0)
			return -ENOMEM;
		/* IFF_UP is 0x1 in the interface's flags ("0x1003"). */
		if (read_full_file(flags_path, 64, &flags, NULL) >= 0 && (strtoul(flags, NULL, 16) & 0x1) &&
		    (r = strv_push(&up, de->d_name)) < 0)
			return r;
	}
done:
	if (bound)
		strv_sort(bound);
	if (up)
		strv_sort(up);
	if (ret_bound)
		*ret_bound = TAKE_PTR(bound);
	if (ret_up)
		*ret_up = TAKE_PTR(up);
	return 0;
}

static int host_ctx(struct kmod_ctx **ret)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = kmod_load_resources(ctx);
	if (r < 0) {
		kmod_unref(ctx);
		return r;
	}
	*ret = ctx;
	return 0;
}

int modules_unload(const char *name)
{
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	_cleanup_kmod_module_ struct kmod_module *mod = NULL;
	int r;

	r = host_ctx(&ctx);
	if (r < 0)
		return r;
	r = kmod_module_new_from_name(ctx, name, &mod);
	if (r < 0)
		return r;
	if (kmod_module_get_initstate(mod) < 0)
		return -ENOENT;
	if (kmod_module_get_refcnt(mod) > 0)
		return -EBUSY;
	return kmod_module_remove_module(mod, 0);
}

int modules_probe(const char *name)
{
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	_cleanup_kmod_list_ struct kmod_list *list = NULL;
	struct kmod_list *l;
	int r;

	r = host_ctx(&ctx);
	if (r < 0)
		return r;
	r = kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0)
		return r;
	if (!list)
		return -ENOENT;
	kmod_list_foreach(l, list) {
		_cleanup_kmod_module_ struct kmod_module *mod = kmod_module_get_module(l);

		r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL, NULL);
		if (r < 0)
			return r;
		if (r > 0)
			return -EPERM; /* blacklisted */
	}
	return 0;
}

int modules_insert_file(const char *path)
{
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	_cleanup_kmod_module_ struct kmod_module *mod = NULL;
	int r;

	r = host_ctx(&ctx);
	if (r < 0)
		return r;
	r = kmod_module_new_from_path(ctx, path, &mod);
	if (r < 0)
		return r;
	return kmod_module_insert_module(mod, 0, NULL);
}
