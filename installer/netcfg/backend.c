// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The backend table, the ownership rules, and the entry points (read, plan). The rules, in
 * order (docs/netcfg.md explains why):
 *   1. netplan, when a netplan file defines the NIC (whatever its renderer: netplan
 *      generates the renderer's configuration, so netplan's files are the ones to change);
 *   2. ifupdown, when /etc/network/interfaces (with its includes) has a stanza for it
 *      (Debian's NetworkManager leaves those interfaces alone unless [ifupdown] managed=true,
 *      and even then the configuration lives in the ifupdown files);
 *   3. NetworkManager, when its service is enabled, a keyfile connection matches the NIC and
 *      NetworkManager.conf does not list it in unmanaged-devices;
 *   4. systemd-networkd, when its service is enabled and a .network file matches the NIC;
 *   5. ifcfg files: SUSE's wicked on the SUSE family, RHEL's ifcfg elsewhere (RHEL's
 *      NetworkManager reads them through its ifcfg-rh plugin: the plan then applies through
 *      nmcli).
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/strv.h"
#include "netcfg/internal.h"
#include "netcfg/netcfg.h"

static const struct nc_backend *const backends[] = {
	&nc_backend_netplan, &nc_backend_ifupdown, &nc_backend_nm,
	&nc_backend_networkd, &nc_backend_wicked, &nc_backend_ifcfg,
};

static const struct nc_backend *backend_get(const char *name)
{
	for (size_t k = 0; k < ELEMENTSOF(backends); k++)
		if (streq(backends[k]->name, name))
			return backends[k];
	return NULL;
}

bool netcfg_backend_known(const char *backend)
{
	return backend_get(backend) != NULL;
}

void netcfg_error_done(struct netcfg_error *e)
{
	if (!e)
		return;
	free(e->file);
	free(e->message);
	*e = (struct netcfg_error){};
}

void netcfg_owner_done(struct netcfg_owner *o)
{
	if (!o)
		return;
	strv_free(o->config_files);
	*o = (struct netcfg_owner){};
}

void netcfg_plan_done(struct netcfg_plan *p)
{
	if (!p)
		return;
	for (size_t k = 0; k < p->n_files; k++) {
		free(p->files[k].path);
		free(p->files[k].contents);
		free(p->files[k].reason);
	}
	free(p->files);
	for (size_t k = 0; k < p->n_commands; k++) {
		strv_free(p->commands[k].argv);
		strv_free(p->commands[k].undo_argv);
		free(p->commands[k].reason);
	}
	free(p->commands);
	*p = (struct netcfg_plan){};
}

/* Whether a backend applies on this system at all (before asking it about the NIC). */
static bool backend_applies(const char *root, const struct nc_backend *b)
{
	const char *family;

	if (b == &nc_backend_nm)
		return nc_unit_enabled(root, "NetworkManager.service");
	if (b == &nc_backend_networkd)
		return nc_unit_enabled(root, "systemd-networkd.service");
	family = nc_os_family(root);
	if (b == &nc_backend_wicked)
		return streq(family, "suse");
	if (b == &nc_backend_ifcfg)
		return !streq(family, "suse");
	return true;
}

struct netcfg_config {
	const struct nc_backend *b;
	char *root;
	/* the NIC as it was loaded (its strings owned) */
	struct netcfg_nic nic;
	char *name, *mac, *permanent_mac, *driver;
	struct netcfg_iface *model;
	void *state;
	struct nc_files *files;
};

struct netcfg_config *netcfg_config_free(struct netcfg_config *c)
{
	if (!c)
		return NULL;
	if (c->state)
		c->b->state_free(c->state);
	netcfg_iface_free(c->model);
	nc_files_free(c->files);
	free(c->root);
	free(c->name);
	free(c->mac);
	free(c->permanent_mac);
	free(c->driver);
	free(c);
	return NULL;
}

static void files_restore(struct nc_files **before)
{
	nc_files_use(*before);
}
/* Puts fs in use until the end of the scope. */
#define FILES_IN_USE(fs) \
	_unused_ __attribute__((cleanup(files_restore))) struct nc_files *_files_before = nc_files_use(fs)

static int copy_or_null(const char *s, char **ret)
{
	*ret = s ? strdup(s) : NULL;
	return !s || *ret ? 0 : -ENOMEM;
}

static int config_new(const char *root, const struct netcfg_nic *nic, struct netcfg_config **ret)
{
	struct netcfg_config *c = calloc(1, sizeof(*c));

	if (!c || !(c->files = nc_files_shared()) || copy_or_null(root, &c->root) < 0 ||
	    copy_or_null(nic->name, &c->name) < 0 || copy_or_null(nic->mac, &c->mac) < 0 ||
	    copy_or_null(nic->permanent_mac, &c->permanent_mac) < 0 ||
	    copy_or_null(nic->driver, &c->driver) < 0) {
		netcfg_config_free(c);
		return -ENOMEM;
	}
	c->nic = (struct netcfg_nic){ .name = c->name, .mac = c->mac, .permanent_mac = c->permanent_mac,
				      .driver = c->driver };
	*ret = c;
	return 0;
}

/* b's read into c (its set of files in use): 0, -ENOENT or an error. */
static int config_read(struct netcfg_config *c, const struct nc_backend *b, struct netcfg_error *err)
{
	FILES_IN_USE(c->files);
	int r;

	r = b->read(c->root, &c->nic, &c->model, &c->state, err);
	if (r < 0)
		return r;
	c->b = b;
	return 0;
}

int netcfg_load(const char *root, const char *backend, const struct netcfg_nic *nic,
		struct netcfg_config **ret, struct netcfg_error *err)
{
	_cleanup_config_ struct netcfg_config *c = NULL;
	const struct nc_backend *only = NULL;
	int r;

	if (backend && !(only = backend_get(backend)))
		return nc_error(err, NULL, 0, -EINVAL, "unknown network backend '%s'", backend);
	if (!nic || (!nic->name && !nic->mac))
		return -EINVAL;
	r = config_new(root, nic, &c);
	if (r < 0)
		return r;
	if (only) {
		r = config_read(c, only, err);
		if (r < 0)
			return r;
		*ret = TAKE_PTR(c);
		return 0;
	}
	for (size_t k = 0; k < ELEMENTSOF(backends); k++) {
		bool applies;

		{
			FILES_IN_USE(c->files);
			applies = backend_applies(root, backends[k]);
		}
		if (!applies)
			continue;
		r = config_read(c, backends[k], err);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		*ret = TAKE_PTR(c);
		return 0;
	}
	*ret = NULL;
	return 0;
}

const char *netcfg_config_backend(const struct netcfg_config *c)
{
	return c->b->name;
}

const struct netcfg_iface *netcfg_config_model(const struct netcfg_config *c)
{
	return c->model;
}

size_t netcfg_config_disk_reads(const struct netcfg_config *c)
{
	return nc_files_disk_reads(c->files);
}

int netcfg_config_check(const struct netcfg_config *c, struct netcfg_error *err)
{
	const struct netcfg_iface *m = c->model;

	if (m->n_unsupported == 0)
		return 0;
	return nc_error(err, m->unsupported[0].file, m->unsupported[0].line, -EUCLEAN,
			"%s: not supported for a migration", m->unsupported[0].what);
}

int netcfg_config_plan(struct netcfg_config *c, const struct netcfg_nic *to, enum netcfg_mode mode,
		       struct netcfg_plan *ret, struct netcfg_error *err)
{
	FILES_IN_USE(c->files);
	const struct netcfg_nic *from = &c->nic;
	struct netcfg_plan p = {};
	int r;

	if (!from->name || !to)
		return nc_error(err, NULL, 0, -EINVAL, "the E1000 interface's name is not known");
	if (mode == NETCFG_SIDE_BY_SIDE && !to->name)
		return nc_error(err, NULL, 0, -EINVAL, "the VMXNET3 interface's name is not known");
	r = netcfg_config_check(c, err);
	if (r < 0)
		return r;
	if (mode == NETCFG_SIDE_BY_SIDE && c->model->match_mac && !to->mac)
		return nc_error(err, NULL, 0, -EINVAL,
				"the configuration matches the E1000's MAC, but the VMXNET3's MAC is not known");
	p.backend = c->b->name;
	r = c->b->plan(c->root, c->model, c->state, from, to, mode, &p, err);
	if (r == 0 && mode == NETCFG_REPLACE)
		r = nc_plan_persistent_net(&p, c->root, from);
	if (r < 0) {
		netcfg_plan_done(&p);
		return r;
	}
	*ret = p;
	return 0;
}

int netcfg_find_owner_full(const char *root, const struct netcfg_nic *nic,
			   struct netcfg_owner *ret, struct netcfg_error *err)
{
	_cleanup_config_ struct netcfg_config *c = NULL;
	_cleanup_strv_free_ char **files = NULL;
	int r;

	r = netcfg_load(root, NULL, nic, &c, err);
	if (r < 0)
		return r;
	for (char **f = c ? c->model->files : NULL; f && *f; f++) {
		r = strv_push(&files, *f);
		if (r < 0)
			return r;
	}
	*ret = (struct netcfg_owner){ .backend = c ? c->b->name : NULL, .config_files = TAKE_PTR(files) };
	return 0;
}

int netcfg_find_owner(const char *root, const struct netcfg_nic *nic, struct netcfg_owner *ret)
{
	return netcfg_find_owner_full(root, nic, ret, NULL);
}

int nc_names_add(char ***names, const char *name)
{
	if (!name || !*name || streq(name, "lo") || strlen(name) >= IFNAMSIZ ||
	    strpbrk(name, "*?[]!.: /\t"))
		return 0;
	return strv_contains(*names, name) ? 0 : strv_push(names, name);
}

static void files_unref(struct nc_files **fs)
{
	nc_files_free(*fs);
}

int netcfg_configured_names(const char *root, char ***ret, struct netcfg_error *err)
{
	_cleanup_strv_free_ char **names = NULL, **owned = NULL;
	/* one set of files for the whole pass: each file is read once, not once per name */
	__attribute__((cleanup(files_unref))) struct nc_files *fs = nc_files_new();
	FILES_IN_USE(fs);
	int r;

	if (!fs)
		return -ENOMEM;
	for (size_t k = 0; k < ELEMENTSOF(backends); k++) {
		if (!backend_applies(root, backends[k]) || !backends[k]->names)
			continue;
		r = backends[k]->names(root, &names, err);
		if (r < 0)
			return r;
	}
	/* What the owner search makes of each: the first backend that applies decides. */
	for (char **n = names; n && *n; n++) {
		struct netcfg_nic nic = { .name = *n, .driver = "e1000" };
		struct netcfg_owner o = {};

		r = netcfg_find_owner_full(root, &nic, &o, err);
		if (r >= 0 && o.backend)
			r = strv_push(&owned, *n);
		netcfg_owner_done(&o);
		if (r < 0)
			return r;
	}
	strv_sort(owned);
	*ret = TAKE_PTR(owned);
	return 0;
}

int netcfg_read(const char *root, const char *backend, const struct netcfg_nic *nic,
		struct netcfg_iface **ret, struct netcfg_error *err)
{
	_cleanup_config_ struct netcfg_config *c = NULL;
	int r;

	r = netcfg_load(root, backend, nic, &c, err);
	if (r < 0)
		return r;
	r = netcfg_config_check(c, err);
	*ret = TAKE_PTR(c->model);
	return r;
}

int netcfg_plan(const char *root, const char *backend, const struct netcfg_nic *from,
		const struct netcfg_nic *to, enum netcfg_mode mode, struct netcfg_plan *ret,
		struct netcfg_error *err)
{
	_cleanup_config_ struct netcfg_config *c = NULL;
	int r;

	if (!backend_get(backend))
		return nc_error(err, NULL, 0, -EINVAL, "unknown network backend '%s'", backend);
	if (!from || !from->name || !to)
		return nc_error(err, NULL, 0, -EINVAL, "the E1000 interface's name is not known");
	if (mode == NETCFG_SIDE_BY_SIDE && !to->name)
		return nc_error(err, NULL, 0, -EINVAL, "the VMXNET3 interface's name is not known");
	r = netcfg_load(root, backend, from, &c, err);
	if (r < 0)
		return r;
	return netcfg_config_plan(c, to, mode, ret, err);
}
