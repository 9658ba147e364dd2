/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the backends share: the backend operations, error reporting, file and plan helpers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "netcfg/netcfg.h"

/* Comment prefix put in front of lines that a side-by-side swap disables. */
#define NC_DISABLED_PREFIX "#vnic-disabled# "
/* Files that files we write or disable carry in their name. */
#define NC_DISABLED_SUFFIX ".vnic-disabled"

struct nc_backend {
	const char *name;
	/* Reads nic's configuration: 0 (unsupported constructs listed in the model), -ENOENT
	 * when the backend does not configure nic, -EBADMSG (err set), -errno. With ret_state,
	 * also what plan() needs besides the model: the backend's files as it parsed them and
	 * where nic's configuration is in them (freed with state_free), so that the plan is
	 * built from the parse that made the model. */
	int (*read)(const char *root, const struct netcfg_nic *nic, struct netcfg_iface **ret,
		    void **ret_state, struct netcfg_error *err);
	void (*state_free)(void *state);
	/* Adds the file operations and commands of the swap to plan, from the model and the
	 * state that read() returned for from. */
	int (*plan)(const char *root, const struct netcfg_iface *model, void *state,
		    const struct netcfg_nic *from, const struct netcfg_nic *to, enum netcfg_mode mode,
		    struct netcfg_plan *plan, struct netcfg_error *err);
	/* Adds (nc_names_add) the names of the Ethernet interfaces its files configure by
	 * name: not loopback, VLANs, bonds, bridges or wireless ones. */
	int (*names)(const char *root, char ***names, struct netcfg_error *err);
};

/* Adds name to the strv names once, unless it is no plain interface name (empty, "lo", a
 * pattern, a VLAN "parent.id" or an alias "name:n", longer than IFNAMSIZ - 1). */
int nc_names_add(char ***names, const char *name);

extern const struct nc_backend nc_backend_ifupdown, nc_backend_netplan, nc_backend_nm,
	nc_backend_ifcfg, nc_backend_networkd, nc_backend_wicked;

/* Sets *err (when err is not NULL) and returns error. file may be NULL, line 0. */
int nc_error(struct netcfg_error *err, const char *file, unsigned line, int error, const char *fmt,
	     ...) __attribute__((format(printf, 5, 6)));
#define nc_bad(err, file, line, ...) nc_error((err), (file), (line), -EBADMSG, __VA_ARGS__)

/* Reads path (inside root) with the size bound: -ENOENT when absent. While a file set is in
 * use (nc_files_use), through it: a path is read from disk once per set. */
int nc_read_file(const char *root, const char *path, char **ret);
/*
 * The files one netcfg_load read, by root and path: their bytes (or the error), read once.
 * The backends read through whichever set is in use, without passing it down: netcfg_load
 * and netcfg_config_plan put their config's set in use around the backend's calls, so that
 * the owner search, the model, the plan and its copies of files set aside see the same bytes.
 */
struct nc_files;
struct nc_files *nc_files_new(void);
/* The set in use, one more reference to it (a load inside a larger pass shares its reads), or
 * a new one. */
struct nc_files *nc_files_shared(void);
/* Drops a reference; the last frees the set. */
void nc_files_free(struct nc_files *fs);
/* Puts fs (NULL: none) in use; returns the set in use before, to put back. */
struct nc_files *nc_files_use(struct nc_files *fs);
/* How many reads of the disk the set made (tests). */
size_t nc_files_disk_reads(const struct nc_files *fs);
bool nc_exists(const char *root, const char *path);
/* The regular files in dir (inside root) whose names end in suffix (NULL: any), as absolute
 * paths inside the root, sorted by file name. A missing directory gives an empty list. */
int nc_list_dir(const char *root, const char *dir, const char *suffix, char ***ret);
/*
 * The files of a systemd-style configuration directory set: those whose names end in suffix in
 * dir+sub for each of dirs (sub "" or, for drop-ins, "/NAME.d"), a name in an earlier
 * directory shadowing the same name in a later one, sorted by file name (the order systemd
 * reads them in: .network/.link/.netdev, drop-ins, presets).
 */
int nc_conf_files(const char *root, const char *const *dirs, size_t n_dirs, const char *sub,
		  const char *suffix, char ***ret);
/* Whether a systemd unit is enabled (system/service.h: wants/requires links, masks, SysV
 * links), or will be on the first boot of an image, by its preset (preset.c). */
bool nc_unit_enabled(const char *root, const char *unit);
/* On a first boot (no /etc/machine-id, or "uninitialized"), systemd enables units by preset: whether
 * the presets under root enable unit (systemd.preset(5); no match means enable). */
bool nc_unit_preset_enabled(const char *root, const char *unit);
/* Debian's NetworkManager with plugins=ifupdown and [ifupdown] managed=true runs the
 * interfaces of /etc/network/interfaces itself: apply through nmcli, not ifup. */
bool nc_nm_manages_ifupdown(const char *root);
/* "suse", "rhel", "debian", "arch" or "other", from os-release ID and ID_LIKE. */
const char *nc_os_family(const char *root);

/* Lines of a text file, without their newlines; joined back with a final newline. */
struct nc_lines {
	char **v;
	size_t n;
};
int nc_lines_split(const char *data, struct nc_lines *ret);
void nc_lines_done(struct nc_lines *l);
int nc_lines_join(const struct nc_lines *l, char **ret);
/* Replaces line k (takes ownership of s), inserts s before line k. */
int nc_lines_set(struct nc_lines *l, size_t k, char *s);
int nc_lines_insert(struct nc_lines *l, size_t k, const char *s);

/* A route's options in iproute2's words, as ifupdown's `ip route add`, ifcfg's route-<if> and
 * wicked's ifroute lines write them: "via GW", "dev D", "metric N" ("preference", "priority"),
 * "table T", "onlink", "proto static", "scope global|link", "src ADDR" (carried by the copy). */
struct nc_route_words {
	const char *gateway; /* points into the words */
	int metric;          /* -1: unset */
	unsigned table;      /* 0: main */
	bool onlink;
};
/* Parses the NULL-terminated words w; a "dev" must name dev (when dev is set). 0, or -EINVAL
 * with *ret_bad (when not NULL) the index of the first word it does not take. */
int nc_route_words(char *const *w, const char *dev, struct nc_route_words *ret, size_t *ret_bad);

/* Whether a config's MAC (any case and separator) names nic's MAC or permanent MAC. */
bool nc_mac_matches(const char *config_mac, const struct netcfg_nic *nic);
/* Trims blanks at both ends in place; returns s. */
char *nc_strip(char *s);

/* Plan builders; text is copied. */
int nc_plan_write(struct netcfg_plan *p, const char *path, const char *text, mode_t mode,
		  const char *reason_fmt, ...) __attribute__((format(printf, 5, 6)));
int nc_plan_remove(struct netcfg_plan *p, const char *path, const char *reason);
/* argv and undo are NULL-terminated lists of strings; undo may be NULL. */
int nc_plan_command(struct netcfg_plan *p, bool before_files, const char *reason,
		    const char *const *argv, const char *const *undo);
/* The apply commands where NetworkManager reads files of another format (ifcfg-rh,
 * ifupdown plugins): reload, disconnect the E1000, connect the VMXNET3 NIC. */
int nc_plan_nmcli_devices(struct netcfg_plan *p, const char *reload_reason, const char *from,
			  const char *target);
/* A command after the files whose undo must run once the files are restored (it re-applies
 * the old configuration). The undo is recorded before the first file is written, so every
 * rollback from then on runs it, whether the command ran or not: it must be safe both ways. */
int nc_plan_command_restored(struct netcfg_plan *p, const char *reason, const char *const *argv,
			     const char *const *undo);
/* `vnic-install wait-port port [master]`: after the files, or (in_rollback) as the undo, after
 * the files are back, of a step that does nothing (a bond must not lose its last usable port).
 * With master (or NULL), port is made a port of it first unless it is one. */
int nc_plan_wait_port(struct netcfg_plan *p, const char *reason, const char *port, const char *master,
		      bool in_rollback);
/* A port's move, the steps every backend shares (its own commands given). First the half that
 * must run last on a rollback (steps are undone in reverse): the VMXNET3 NIC out of the master
 * (vmxnet3_out, unless NULL), for a bond only once the E1000 is an up port again (rejoin: the
 * wait makes it one, where no backend command does). */
int nc_plan_port_rollback(struct netcfg_plan *p, const struct netcfg_iface *m, const char *from,
			  const char *const *vmxnet3_out, bool rejoin);
/* Then the swap's half: a bridge's E1000 leaves first (two ports on one segment are a loop),
 * the VMXNET3 NIC joins; a bond's E1000 leaves only once the VMXNET3 NIC is an up port.
 * unleave_reads_files: the leave's undo re-applies the restored files (networkctl reload), so
 * it runs after them on every rollback, whether the leave ran or not; else (NetworkManager's
 * connection up, which would take a port that never left out and back in) only when it ran. */
int nc_plan_port_swap(struct netcfg_plan *p, const struct netcfg_iface *m, const char *from,
		      const char *target, const char *const *join, const char *const *unjoin,
		      const char *const *leave, const char *const *unleave, bool unleave_reads_files);
/* Moves path to path.vnic-disabled (a copy, then a removal): for directories whose readers
 * pick files by suffix (netplan *.yaml, networkd *.network). */
int nc_plan_disable(struct netcfg_plan *p, const char *root, const char *path, const char *reason);
/* Moves dir/name to dir/vnic-disabled.name: for readers that pick files by prefix (ifcfg-*,
 * route-*, ifroute-*), which would still read name.vnic-disabled. */
int nc_plan_disable_prefixed(struct netcfg_plan *p, const char *root, const char *path, const char *reason);

/* Replace mode: a .link file that gives the VMXNET3 NIC the name `name` (matched by to->mac
 * when set, else by driver vmxnet3). */
int nc_plan_pin_name(struct netcfg_plan *p, const struct netcfg_nic *to, const char *name);
/* Replace mode: comments out 70-persistent-net.rules entries for from's MAC. */
int nc_plan_persistent_net(struct netcfg_plan *p, const char *root, const struct netcfg_nic *from);

/* The name the VMXNET3 interface will have (to->name, else from->name in replace mode). */
const char *nc_target_name(const struct netcfg_nic *from, const struct netcfg_nic *to,
			   enum netcfg_mode mode);
/* The MAC the new configuration matches on: only when the old one matched on a MAC. */
const char *nc_target_mac(const struct netcfg_iface *model, const struct netcfg_nic *to);

/* value with every blank-separated word that is old replaced by new (ETHTOOL_OPTS="-K ens33
 * tso off" names the interface). */
int nc_rename_words(const char *value, const char *old, const char *new, char **ret);

/* Renames: a VLAN interface "ens33.100" of parent "ens33" becomes "ens192.100". */
int nc_rename_vlan(const char *vlan_name, const char *old_parent, const char *new_parent,
		   char **ret);

/* INI-style files (NetworkManager keyfiles, systemd .network/.netdev/.link). */
struct nc_ini_entry {
	char *section;     /* "" before the first header */
	unsigned section_no; /* counts headers: tells repeated sections ([Route]) apart */
	char *key, *value;
	char *raw; /* a key file's value as written, before nc_ini_keyfile decoded it; else NULL */
	unsigned line;
};
struct nc_ini {
	struct nc_ini_entry *e;
	size_t n;
	unsigned n_sections;
	unsigned *section_line; /* line of each header, by section_no (1-based; [0] unused) */
	char **section_name;    /* by section_no */
};
/* Parses data; comments start with '#' or ';'. -EBADMSG (err: file, line) for a malformed line. */
int nc_ini_parse(const char *path, const char *data, struct nc_ini *ret, struct netcfg_error *err);
void nc_ini_done(struct nc_ini *ini);
/* GLib key-file values (NetworkManager keyfiles, keyfile.c): decodes every value of ini in
 * place (the written form kept in raw); -EBADMSG (err: file, line) for an invalid escape. */
int nc_ini_keyfile(struct nc_ini *ini, const char *path, struct netcfg_error *err);
/* One key-file value decoded; a key-file list ("a;b;", "\;" inside an item) decoded into its
 * items (empty ones dropped); a value encoded for writing. -EBADMSG for an invalid escape. */
int nc_kf_value(const char *raw, char **ret);
int nc_kf_list(const char *raw, char ***ret);
int nc_kf_escape(const char *value, char **ret);
/* The last value of key in the (last) section named section, or NULL. */
const char *nc_ini_get(const struct nc_ini *ini, const char *section, const char *key);
const struct nc_ini_entry *nc_ini_find(const struct nc_ini *ini, const char *section, const char *key);

/* Shell-variable files (RHEL ifcfg, SUSE sysconfig): KEY=value with sh quoting. */
struct nc_shvar {
	char *key, *value;
	unsigned line;
};
struct nc_shvars {
	struct nc_shvar *v;
	size_t n;
};
/*
 * Parses data. Quoting: '...', "..." (with \\ \" \$ \` escapes), unquoted backslash escapes.
 * Refuses (-EBADMSG, err with file and line) anything else: commands, expansions ($, `),
 * lines that are not assignments.
 */
int nc_shvars_parse(const char *path, const char *data, struct nc_shvars *ret, struct netcfg_error *err);
void nc_shvars_done(struct nc_shvars *s);
const struct nc_shvar *nc_shvars_find(const struct nc_shvars *s, const char *key);
const char *nc_shvars_get(const struct nc_shvars *s, const char *key);
/* Sets KEY (value NULL: removes its line) in the lines of such a file; appends when absent. */
int nc_shvars_set(struct nc_lines *l, const char *key, const char *value);
/* True for yes/true/1/on (any case). */
bool nc_shvar_true(const char *v);
