// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers shared by the backends: errors, files inside the root, lines, plan builders. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "netcfg/internal.h"
#include "system/service.h"

int nc_error(struct netcfg_error *err, const char *file, unsigned line, int error, const char *fmt,
	     ...)
{
	char *m = NULL;
	va_list ap;

	if (!err)
		return error;
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	netcfg_error_done(err);
	err->file = file ? strdup(file) : NULL;
	err->line = line;
	err->message = m;
	return error;
}

struct nc_file_entry {
	char *root, *path;
	char *data; /* NULL: error */
	int error;
};

struct nc_files {
	unsigned n_ref;
	struct nc_file_entry *v;
	size_t n;
	size_t disk_reads;
};

static _Thread_local struct nc_files *files_in_use;

struct nc_files *nc_files_new(void)
{
	struct nc_files *fs = calloc(1, sizeof(struct nc_files));

	if (fs)
		fs->n_ref = 1;
	return fs;
}

struct nc_files *nc_files_shared(void)
{
	if (!files_in_use)
		return nc_files_new();
	files_in_use->n_ref++;
	return files_in_use;
}

void nc_files_free(struct nc_files *fs)
{
	if (!fs || --fs->n_ref > 0)
		return;
	for (size_t k = 0; k < fs->n; k++) {
		free(fs->v[k].root);
		free(fs->v[k].path);
		free(fs->v[k].data);
	}
	free(fs->v);
	free(fs);
}

struct nc_files *nc_files_use(struct nc_files *fs)
{
	struct nc_files *before = files_in_use;

	files_in_use = fs;
	return before;
}

size_t nc_files_disk_reads(const struct nc_files *fs)
{
	return fs ? fs->disk_reads : 0;
}

static int read_from_disk(const char *root, const char *path, char **ret)
{
	_cleanup_free_ char *p = NULL;
	int r;

	r = path_chase(root, path, 0, &p);
	if (r < 0)
		return r;
	return read_full_file(p, READ_FILE_MAX, ret, NULL);
}

/* The entry of root and path in fs, read from disk on the first ask; NULL: out of memory. */
static const struct nc_file_entry *files_get(struct nc_files *fs, const char *root, const char *path)
{
	const char *rt = root ?: "/";
	struct nc_file_entry e = {}, *nv;

	for (size_t k = 0; k < fs->n; k++)
		if (streq(fs->v[k].root, rt) && streq(fs->v[k].path, path))
			return &fs->v[k];
	nv = realloc(fs->v, sizeof(*nv) * (fs->n + 1));
	if (!nv)
		return NULL;
	fs->v = nv;
	e.root = strdup(rt);
	e.path = strdup(path);
	if (!e.root || !e.path) {
		free(e.root);
		free(e.path);
		return NULL;
	}
	e.error = read_from_disk(root, path, &e.data);
	fs->disk_reads++;
	fs->v[fs->n] = e;
	return &fs->v[fs->n++];
}

int nc_read_file(const char *root, const char *path, char **ret)
{
	const struct nc_file_entry *e;

	if (!files_in_use)
		return read_from_disk(root, path, ret);
	e = files_get(files_in_use, root, path);
	if (!e)
		return -ENOMEM;
	if (e->error < 0)
		return e->error;
	*ret = strdup(e->data);
	return *ret ? 0 : -ENOMEM;
}

bool nc_exists(const char *root, const char *path)
{
	_cleanup_free_ char *p = NULL;

	return path_chase(root, path, 0, &p) == 0;
}

static int cmp_basename(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');

	return strcmp(x ? x + 1 : *(char *const *)a, y ? y + 1 : *(char *const *)b);
}

int nc_list_dir(const char *root, const char *dir, const char *suffix, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char *host = NULL;
	struct dirent *de;
	int r;

	r = path_chase(root, dir, 0, &host);
	if (r == -ENOENT || r == -ENOTDIR) {
		*ret = NULL;
		return 0;
	}
	if (r < 0)
		return r;
	d = opendir(host);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR) {
			*ret = NULL;
			return 0;
		}
		return negative_errno();
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *in_root = NULL, *h = NULL;
		size_t n = strlen(de->d_name), s = suffix ? strlen(suffix) : 0;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (suffix && (n <= s || strcmp(de->d_name + n - s, suffix) != 0))
			continue;
		in_root = path_join(dir, de->d_name);
		if (!in_root)
			return -ENOMEM;
		if (path_chase(root, in_root, 0, &h) < 0 || stat(h, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		r = strv_consume(&l, TAKE_PTR(in_root));
		if (r < 0)
			return r;
	}
	if (l)
		qsort(l, strv_length(l), sizeof(char *), cmp_basename);
	*ret = TAKE_PTR(l);
	return 0;
}

int nc_conf_files(const char *root, const char *const *dirs, size_t n_dirs, const char *sub,
		  const char *suffix, char ***ret)
{
	_cleanup_strv_free_ char **chosen = NULL;
	int r;

	for (size_t k = 0; k < n_dirs; k++) {
		_cleanup_strv_free_ char **files = NULL;
		_cleanup_free_ char *dir = NULL;

		if (asprintf(&dir, "%s%s", dirs[k], sub ?: "") < 0)
			return -ENOMEM;
		r = nc_list_dir(root, dir, suffix, &files);
		if (r < 0)
			return r;
		for (char **f = files; f && *f; f++) {
			bool seen = false;

			for (char **c = chosen; c && *c && !seen; c++)
				seen = streq(strrchr(*c, '/'), strrchr(*f, '/'));
			if (!seen && strv_push(&chosen, *f) < 0)
				return -ENOMEM;
		}
	}
	if (chosen)
		qsort(chosen, strv_length(chosen), sizeof(char *), cmp_basename);
	*ret = TAKE_PTR(chosen);
	return 0;
}

int nc_plan_nmcli_devices(struct netcfg_plan *p, const char *reload_reason, const char *from,
			  const char *target)
{
	int r;

	r = nc_plan_command_restored(p, reload_reason,
				     (const char *const[]){ "nmcli", "connection", "reload", NULL },
				     (const char *const[]){ "nmcli", "connection", "reload", NULL });
	if (r >= 0)
		r = nc_plan_command_restored(p, "take the E1000 down",
				    (const char *const[]){ "nmcli", "device", "disconnect", from, NULL },
				    (const char *const[]){ "nmcli", "device", "connect", from, NULL });
	if (r >= 0)
		r = nc_plan_command(p, false, "bring the VMXNET3 NIC up",
				    (const char *const[]){ "nmcli", "device", "connect", target, NULL },
				    (const char *const[]){ "nmcli", "device", "disconnect", target, NULL });
	return r;
}

bool nc_unit_enabled(const char *root, const char *unit)
{
	enum service_state st;

	if (service_state(root, unit, &st) < 0)
		return false;
	return st == SERVICE_ENABLED || (st == SERVICE_DISABLED && nc_unit_preset_enabled(root, unit));
}

const char *nc_os_family(const char *root)
{
	static const char *const files[] = { "/etc/os-release", "/usr/lib/os-release" };

	for (size_t k = 0; k < ELEMENTSOF(files); k++) {
		_cleanup_free_ char *data = NULL;
		char *save = NULL;

		if (nc_read_file(root, files[k], &data) < 0)
			continue;
		for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, "ID=", 3) != 0 && strncmp(line, "ID_LIKE=", 8) != 0)
				continue;
			if (strstr(line, "suse") || strstr(line, "sles"))
				return "suse";
			if (strstr(line, "rhel") || strstr(line, "fedora") || strstr(line, "centos") ||
			    strstr(line, "amzn"))
				return "rhel";
			if (strstr(line, "debian") || strstr(line, "ubuntu"))
				return "debian";
			if (strstr(line, "arch"))
				return "arch";
		}
		return "other";
	}
	return "other";
}

int nc_lines_split(const char *data, struct nc_lines *ret)
{
	struct nc_lines l = {};
	const char *p = data;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char **nv = realloc(l.v, sizeof(char *) * (l.n + 1));

		if (!nv)
			goto fail;
		l.v = nv;
		l.v[l.n] = strndup(p, n);
		if (!l.v[l.n])
			goto fail;
		l.n++;
		p += n + (e ? 1 : 0);
	}
	*ret = l;
	return 0;
fail:
	nc_lines_done(&l);
	return -ENOMEM;
}

void nc_lines_done(struct nc_lines *l)
{
	for (size_t k = 0; k < l->n; k++)
		free(l->v[k]);
	free(l->v);
	*l = (struct nc_lines){};
}

int nc_lines_join(const struct nc_lines *l, char **ret)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return -ENOMEM;
	for (size_t k = 0; k < l->n; k++)
		if (l->v[k])
			fprintf(f, "%s\n", l->v[k]);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}

int nc_lines_set(struct nc_lines *l, size_t k, char *s)
{
	if (k >= l->n)
		return -EINVAL;
	free(l->v[k]);
	l->v[k] = s;
	return 0;
}

int nc_lines_insert(struct nc_lines *l, size_t k, const char *s)
{
	char **nv;
	char *c = strdup(s);

	if (!c)
		return -ENOMEM;
	if (k > l->n)
		k = l->n;
	nv = realloc(l->v, sizeof(char *) * (l->n + 1));
	if (!nv) {
		free(c);
		return -ENOMEM;
	}
	l->v = nv;
	memmove(l->v + k + 1, l->v + k, sizeof(char *) * (l->n - k));
	l->v[k] = c;
	l->n++;
	return 0;
}

bool nc_mac_matches(const char *config_mac, const struct netcfg_nic *nic)
{
	_cleanup_free_ char *m = NULL, *a = NULL, *b = NULL;

	if (!config_mac || netcfg_parse_mac(config_mac, &m) < 0)
		return false;
	if (nic->mac && netcfg_parse_mac(nic->mac, &a) == 0 && streq(a, m))
		return true;
	if (nic->permanent_mac && netcfg_parse_mac(nic->permanent_mac, &b) == 0 && streq(b, m))
		return true;
	return false;
}

char *nc_strip(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

int netcfg_plan_add_file(struct netcfg_plan *p, const char *path, const char *data, size_t size,
			 mode_t mode, const char *reason)
{
	struct netcfg_file_op op = { .mode = mode, .size = size };
	struct netcfg_file_op *n;

	op.path = strdup(path);
	op.reason = reason ? strdup(reason) : NULL;
	op.contents = malloc(size + 1);
	if (op.contents) {
		memcpy(op.contents, data, size);
		op.contents[size] = 0;
	}
	n = op.path && op.contents && (!reason || op.reason) ?
		    realloc(p->files, sizeof(*n) * (p->n_files + 1)) : NULL;
	if (!n) {
		free(op.reason);
		free(op.path);
		free(op.contents);
		return -ENOMEM;
	}
	p->files = n;
	n[p->n_files++] = op;
	return 0;
}

int nc_plan_write(struct netcfg_plan *p, const char *path, const char *text, mode_t mode,
		  const char *reason_fmt, ...)
{
	_cleanup_free_ char *reason = NULL;
	va_list ap;
	int r;

	va_start(ap, reason_fmt);
	r = vasprintf(&reason, reason_fmt, ap);
	va_end(ap);
	if (r < 0) {
		reason = NULL;
		return -ENOMEM;
	}
	return netcfg_plan_add_file(p, path, text, strlen(text), mode, reason);
}

int nc_plan_remove(struct netcfg_plan *p, const char *path, const char *reason)
{
	struct netcfg_file_op op = {};
	struct netcfg_file_op *n;

	op.path = strdup(path);
	op.reason = strdup(reason);
	n = op.path && op.reason ? realloc(p->files, sizeof(*n) * (p->n_files + 1)) : NULL;
	if (!n) {
		free(op.path);
		free(op.reason);
		return -ENOMEM;
	}
	p->files = n;
	n[p->n_files++] = op;
	return 0;
}

static int strv_from(const char *const *a, char ***ret)
{
	_cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
	int r;

	if (!l)
		return -ENOMEM;
	for (; a && *a; a++) {
		r = strv_push(&l, *a);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

int nc_plan_command(struct netcfg_plan *p, bool before_files, const char *reason,
		    const char *const *argv, const char *const *undo)
{
	struct netcfg_command c = { .before_files = before_files };
	struct netcfg_command *n;
	int r;

	r = strv_from(argv, &c.argv);
	if (r == 0 && undo)
		r = strv_from(undo, &c.undo_argv);
	c.reason = strdup(reason);
	n = r == 0 && c.reason ? realloc(p->commands, sizeof(*n) * (p->n_commands + 1)) : NULL;
	if (!n) {
		strv_free(c.argv);
		strv_free(c.undo_argv);
		free(c.reason);
		return r < 0 ? r : -ENOMEM;
	}
	p->commands = n;
	n[p->n_commands++] = c;
	return 0;
}

int nc_plan_command_restored(struct netcfg_plan *p, const char *reason, const char *const *argv,
			     const char *const *undo)
{
	int r = nc_plan_command(p, false, reason, argv, undo);

	if (r >= 0)
		p->commands[p->n_commands - 1].undo_after_files = true;
	return r;
}

int nc_plan_wait_port(struct netcfg_plan *p, const char *reason, const char *port, const char *master,
		      bool in_rollback)
{
	const char *const wait_only[] = { "vnic-install", "wait-port", port, "--timeout", "60", NULL };
	const char *const join[] = { "vnic-install", "wait-port", port, master, "--timeout", "60", NULL };
	const char *const *wait = master ? join : wait_only;

	return in_rollback ? nc_plan_command_restored(p, reason, (const char *const[]){ "true", NULL }, wait) :
			     nc_plan_command(p, false, reason, wait, NULL);
}

int nc_plan_port_rollback(struct netcfg_plan *p, const struct netcfg_iface *m, const char *from,
			  const char *const *vmxnet3_out, bool rejoin)
{
	_cleanup_free_ char *back = NULL;
	int r = 0;

	if (vmxnet3_out)
		r = nc_plan_command_restored(p, "on a rollback, take the VMXNET3 NIC out again",
					     (const char *const[]){ "true", NULL }, vmxnet3_out);
	if (r < 0 || !streq(m->master_kind, "bond"))
		return r;
	if (asprintf(&back, "on a rollback, wait until %s is an up port of %s again", from, m->master) < 0)
		return -ENOMEM;
	return nc_plan_wait_port(p, back, from, rejoin ? m->master : NULL, true);
}

/* The E1000 leaves: its undo after the files are back when it reads them (it runs then
 * whether the leave ran or not), else only when the leave ran. */
static int plan_leave(struct netcfg_plan *p, const char *reason, const char *const *leave,
		      const char *const *unleave, bool unleave_reads_files)
{
	if (unleave_reads_files)
		return nc_plan_command_restored(p, reason, leave, unleave);
	return nc_plan_command(p, false, reason, leave, unleave);
}

int nc_plan_port_swap(struct netcfg_plan *p, const struct netcfg_iface *m, const char *from,
		      const char *target, const char *const *join, const char *const *unjoin,
		      const char *const *leave, const char *const *unleave, bool unleave_reads_files)
{
	const bool bond = streq(m->master_kind, "bond");
	_cleanup_free_ char *joins = NULL, *leaves = NULL, *ready = NULL;
	int r = 0;

	if (asprintf(&joins, "make the VMXNET3 NIC a port of the %s %s", m->master_kind, m->master) < 0 ||
	    asprintf(&leaves, "take the E1000 out of the %s %s", m->master_kind, m->master) < 0 ||
	    asprintf(&ready, "wait until %s is an up port of %s", target, m->master) < 0)
		return -ENOMEM;
	if (!bond)
		r = plan_leave(p, leaves, leave, unleave, unleave_reads_files);
	if (r >= 0)
		r = nc_plan_command(p, false, joins, join, unjoin);
	if (r >= 0 && bond)
		r = nc_plan_wait_port(p, ready, target, NULL, false);
	if (r >= 0 && bond)
		r = plan_leave(p, leaves, leave, unleave, unleave_reads_files);
	return r;
}

int nc_plan_disable(struct netcfg_plan *p, const char *root, const char *path, const char *reason)
{
	_cleanup_free_ char *data = NULL, *to = NULL;
	int r;

	r = nc_read_file(root, path, &data);
	if (r < 0)
		return r;
	if (asprintf(&to, "%s%s", path, NC_DISABLED_SUFFIX) < 0)
		return -ENOMEM;
	r = nc_plan_write(p, to, data, 0600, "%s (kept as %s)", reason, to);
	if (r < 0)
		return r;
	return nc_plan_remove(p, path, reason);
}

int nc_plan_disable_prefixed(struct netcfg_plan *p, const char *root, const char *path, const char *reason)
{
	_cleanup_free_ char *data = NULL, *to = NULL;
	const char *slash = strrchr(path, '/');
	int r;

	if (!slash)
		return -EINVAL;
	r = nc_read_file(root, path, &data);
	if (r < 0)
		return r;
	if (asprintf(&to, "%.*s/vnic-disabled.%s", (int)(slash - path), path, slash + 1) < 0)
		return -ENOMEM;
	r = nc_plan_write(p, to, data, 0600, "%s (kept as %s)", reason, to);
	if (r < 0)
		return r;
	return nc_plan_remove(p, path, reason);
}

int nc_plan_pin_name(struct netcfg_plan *p, const struct netcfg_nic *to, const char *name)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *mac = NULL;

	if (to->mac && netcfg_parse_mac(to->mac, &mac) < 0)
		return -EINVAL;
	if (asprintf(&path, "/etc/systemd/network/10-vnic-%s.link", name) < 0)
		return -ENOMEM;
	if (asprintf(&text,
		     "# Written by vnic-install: the VMXNET3 NIC keeps the name %s.\n"
		     "[Match]\n%s%s\n\n[Link]\nName=%s\n",
		     name, mac ? "MACAddress=" : "Driver=", mac ? mac : "vmxnet3", name) < 0)
		return -ENOMEM;
	return nc_plan_write(p, path, text, 0644, "name the VMXNET3 NIC %s", name);
}

int nc_plan_persistent_net(struct netcfg_plan *p, const char *root, const struct netcfg_nic *from)
{
	static const char path[] = "/etc/udev/rules.d/70-persistent-net.rules";
	_cleanup_free_ char *data = NULL, *out = NULL;
	struct nc_lines l = {};
	bool changed = false;
	int r;

	r = nc_read_file(root, path, &data);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = nc_lines_split(data, &l);
	if (r < 0)
		return r;
	for (size_t k = 0; k < l.n; k++) {
		const char *a = strcasestr(l.v[k], "ATTR{address}==\"");
		_cleanup_free_ char *mac = NULL;
		char *c;

		if (!a || l.v[k][0] == '#')
			continue;
		mac = strndup(a + 16, 17);
		if (!mac || !nc_mac_matches(mac, from))
			continue;
		if (asprintf(&c, "%s%s", NC_DISABLED_PREFIX, l.v[k]) < 0) {
			nc_lines_done(&l);
			return -ENOMEM;
		}
		nc_lines_set(&l, k, c);
		changed = true;
	}
	r = changed ? nc_lines_join(&l, &out) : 0;
	nc_lines_done(&l);
	if (r < 0 || !changed)
		return r;
	return nc_plan_write(p, path, out, 0644, "stale name rule for the E1000's MAC");
}

const char *nc_target_name(const struct netcfg_nic *from, const struct netcfg_nic *to,
			   enum netcfg_mode mode)
{
	if (to->name)
		return to->name;
	return mode == NETCFG_REPLACE ? from->name : NULL;
}

const char *nc_target_mac(const struct netcfg_iface *model, const struct netcfg_nic *to)
{
	return model->match_mac ? to->mac : NULL;
}

int nc_rename_vlan(const char *vlan_name, const char *old_parent, const char *new_parent,
		   char **ret)
{
	size_t n = strlen(old_parent);
	char *c;

	if (vlan_name && strncmp(vlan_name, old_parent, n) == 0 && vlan_name[n] == '.') {
		if (asprintf(&c, "%s%s", new_parent, vlan_name + n) < 0)
			return -ENOMEM;
	} else {
		c = strdup(vlan_name ? vlan_name : "");
		if (!c)
			return -ENOMEM;
	}
	*ret = c;
	return 0;
}

static bool is_ip(const char *s)
{
	_cleanup_free_ char *c = NULL;

	return netcfg_parse_ip(s, NULL, &c) == 0;
}

/* The value after w[k], or NULL (and *ret_bad = k) when there is none. */
static const char *word_value(char *const *w, size_t k, size_t *ret_bad)
{
	if (w[k + 1])
		return w[k + 1];
	if (ret_bad)
		*ret_bad = k;
	return NULL;
}

int nc_route_words(char *const *w, const char *dev, struct nc_route_words *ret, size_t *ret_bad)
{
	struct nc_route_words rw = { .metric = -1 };
	size_t k;

	for (k = 0; w[k]; k++) {
		const char *v;
		unsigned n;

		if (streq(w[k], "onlink")) {
			rw.onlink = true;
			continue;
		}
		if (!(v = word_value(w, k, ret_bad)))
			return -EINVAL;
		if (streq(w[k], "via"))
			rw.gateway = v;
		else if (streq(w[k], "dev") && (!dev || streq(v, dev)))
			;
		else if ((streq(w[k], "metric") || streq(w[k], "preference") || streq(w[k], "priority")) &&
			 netcfg_parse_uint(v, 0, 0x7fffffff, &n) == 0)
			rw.metric = (int)n;
		else if (streq(w[k], "table") && netcfg_parse_table(v, &n) == 0)
			rw.table = n;
		else if (streq(w[k], "scope") && (streq(v, "global") || streq(v, "link")))
			; /* the same route: link scope is what a route without a gateway has */
		else if (streq(w[k], "src") && is_ip(v))
			; /* its preferred source, carried with the line */
		else if (!(streq(w[k], "proto") && streq(v, "static")))
			break;
		k++;
	}
	if (w[k]) {
		if (ret_bad)
			*ret_bad = k;
		return -EINVAL;
	}
	*ret = rw;
	return 0;
}

int nc_rename_words(const char *value, const char *old, const char *new, char **ret)
{
	size_t n = strlen(old), extra = strlen(new) > n ? strlen(new) - n : 0, count = 0;
	const char *p;
	char *out, *q;

	for (p = strstr(value, old); p; p = strstr(p + n, old))
		count++;
	out = malloc(strlen(value) + count * extra + 1);
	if (!out)
		return -ENOMEM;
	for (p = value, q = out; *p;) {
		bool word = strncmp(p, old, n) == 0 && (p == value || isspace((unsigned char)p[-1])) &&
			    (p[n] == 0 || isspace((unsigned char)p[n]));

		if (word) {
			q = stpcpy(q, new);
			p += n;
		} else
			*q++ = *p++;
	}
	*q = 0;
	*ret = out;
	return 0;
}
