/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Network configuration: which backend configures a NIC (ownership), what that configuration
 * says (read, into the neutral model of model.h), and what has to change so that the VMXNET3
 * NIC gets the same configuration (plan). netcfg never writes to the system: a plan is a list
 * of file operations and commands that the swap verb hands to the transaction layer
 * (txn_write_file, txn_remove_file, txn_run). Paths are absolute paths inside the root
 * ("/etc/netplan/50-cloud-init.yaml"); every file is read through path_chase() under root.
 * Nothing here prints: malformed input comes back as -EBADMSG with a struct netcfg_error that
 * names the file and line.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "netcfg/model.h"

/* A NIC as the system sees it (any field may be NULL when unknown). */
struct netcfg_nic {
	const char *name;          /* kernel interface name ("ens33") */
	const char *mac;           /* current MAC, lower case "00:0c:29:aa:bb:cc" */
	const char *permanent_mac; /* permanent (burnt-in) MAC, if it differs or is known */
	const char *driver;        /* "e1000", "e1000e", "vmxnet3" */
};

/* The backends, by name. */
#define NETCFG_IFUPDOWN "ifupdown"
#define NETCFG_NETPLAN "netplan"
#define NETCFG_NM "networkmanager"
#define NETCFG_IFCFG "ifcfg"
#define NETCFG_NETWORKD "networkd"
#define NETCFG_WICKED "wicked"

struct netcfg_owner {
	const char *backend; /* one of NETCFG_* (static string), or NULL: nothing configures it */
	char **config_files; /* absolute paths inside the root, sorted; NULL when none */
};

/*
 * Details of a failure: the file and line of malformed or unsupported input and a message
 * the verb can print ("/etc/network/interfaces:12: unknown option 'foo' in iface eth0").
 * Every field may be NULL/0. Filled by the functions below on -EBADMSG and -EUCLEAN (and
 * when they know more about another error); freed with netcfg_error_done().
 */
struct netcfg_error {
	char *file;
	unsigned line;
	char *message;
};
void netcfg_error_done(struct netcfg_error *e);

/*
 * Which backend configures nic on the system under root (NULL or "/": the host), following
 * the ownership rules of docs/netcfg.md (services enabled, NetworkManager's unmanaged
 * devices, netplan's renderer, ifupdown's includes, networkd's [Match], ifcfg vs wicked by
 * distribution family). Returns 0 (ret->backend NULL when no backend configures it), or
 * -errno (-EBADMSG for a file it cannot parse). *ret is untouched on failure.
 */
int netcfg_find_owner(const char *root, const struct netcfg_nic *nic, struct netcfg_owner *ret);
/* Same, with error details. err may be NULL. */
int netcfg_find_owner_full(const char *root, const struct netcfg_nic *nic,
			   struct netcfg_owner *ret, struct netcfg_error *err);
void netcfg_owner_done(struct netcfg_owner *o);

/*
 * The Ethernet interfaces the configuration under root names and a backend owns (for each
 * name: netcfg_find_owner with the E1000's driver), sorted, as a strv: what an offline
 * prepare moves when it is told no --from. Interfaces matched only by a pattern or a MAC are
 * not among them (no name to report). 0 or -errno (-EBADMSG with err set).
 */
int netcfg_configured_names(const char *root, char ***ret, struct netcfg_error *err);

/* True when name is one of the backends above. */
bool netcfg_backend_known(const char *backend);

/*
 * The effective configuration of nic under backend (one netcfg_load; swap and prepare load
 * once and plan from that load instead). Returns 0 and a model in *ret (freed
 * with netcfg_iface_free), -ENOENT when the backend does not configure nic, -EBADMSG for
 * malformed input (err names file and line), or -EUCLEAN when the configuration uses
 * constructs a migration must refuse (bond, bridge, team, wifi, ...): *ret is then still set,
 * with ret->unsupported listing each one with its file and line, and err names the first.
 */
int netcfg_read(const char *root, const char *backend, const struct netcfg_nic *nic,
		struct netcfg_iface **ret, struct netcfg_error *err);

enum netcfg_mode {
	/*
	 * Both NICs exist: to->name and to->mac are known. The new configuration is written for
	 * the VMXNET3 interface; the E1000's configuration is disabled (not deleted).
	 */
	NETCFG_SIDE_BY_SIDE,
	/*
	 * Across a reboot, or offline on an image: the VMXNET3 NIC does not exist yet. The new
	 * configuration matches it by driver (vmxnet3), or by MAC when to->mac is set (the MAC is
	 * kept), and pins its name to to->name (when set; else from->name) where the backend
	 * matches by name (a systemd .link file). The E1000's configuration is replaced.
	 */
	NETCFG_REPLACE,
};

/* One change to one file. contents NULL: remove the file. */
struct netcfg_file_op {
	char *path;     /* absolute, inside the root */
	char *contents; /* the new file, or NULL to remove it */
	size_t size;
	mode_t mode;    /* for a new file */
	char *reason;   /* for people: "new configuration of ens192", "disabled ens33" */
};

/* A command that applies the plan on a running system (not run for image prepare). */
struct netcfg_command {
	char **argv;      /* NULL-terminated */
	char **undo_argv; /* what undoes it after a rollback of the files, or NULL */
	bool before_files; /* run before the file operations (ifdown of the old interface) */
	/* its undo must see the restored files (what re-applies the old configuration: netplan
	 * apply, networkctl reload, nmcli's reconnect of the E1000): a rollback runs it after
	 * the files are back, not before them as the reverse order would */
	bool undo_after_files;
	char *reason;
};

struct netcfg_plan {
	const char *backend;
	struct netcfg_file_op *files;
	size_t n_files;
	struct netcfg_command *commands;
	size_t n_commands;
};
void netcfg_plan_done(struct netcfg_plan *p);
/* Appends the writing of size bytes of data to path (a copy), for plans built outside the
 * backends (prepare's dry run shows its own files this way). Returns 0 or -ENOMEM. */
int netcfg_plan_add_file(struct netcfg_plan *p, const char *path, const char *data, size_t size,
			 mode_t mode, const char *reason);

/*
 * The file operations (and apply commands) that move nic from's configuration under backend
 * to the VMXNET3 NIC to, in mode. Includes the clean-ups the swap needs (stale
 * 70-persistent-net.rules entries for from's MAC, HWADDR= lines). Returns 0, -ENOENT when the
 * backend does not configure from, -EBADMSG, -EUCLEAN (as netcfg_read), -EINVAL when to lacks
 * what mode needs (a name and MAC side by side). *ret is untouched on failure.
 */
int netcfg_plan(const char *root, const char *backend, const struct netcfg_nic *from,
		const struct netcfg_nic *to, enum netcfg_mode mode, struct netcfg_plan *ret,
		struct netcfg_error *err);

/*
 * One read: a backend's files, loaded and parsed once, the model of one NIC built from them,
 * and the plan built from that same parse. What `swap` and `prepare` use: the configuration
 * that was validated and shown is the one that is moved, even if a file changes meanwhile.
 */
struct netcfg_config;

/*
 * Loads nic's configuration under backend, or, with backend NULL, under the backend that owns
 * nic (the rules of netcfg_find_owner). Returns 0 and *ret, 0 and *ret NULL when backend is
 * NULL and nothing configures nic, -ENOENT when the named backend does not configure it,
 * -EBADMSG (err names file and line) or -errno. Unsupported constructs do not fail the load:
 * they are listed in the model (netcfg_config_check says whether there are any).
 */
int netcfg_load(const char *root, const char *backend, const struct netcfg_nic *nic,
		struct netcfg_config **ret, struct netcfg_error *err);
struct netcfg_config *netcfg_config_free(struct netcfg_config *c);
static inline void netcfg_config_freep(struct netcfg_config **c)
{
	netcfg_config_free(*c);
}
#define _cleanup_config_ __attribute__((cleanup(netcfg_config_freep)))
const char *netcfg_config_backend(const struct netcfg_config *c);
const struct netcfg_iface *netcfg_config_model(const struct netcfg_config *c);
/* -EUCLEAN (err names the first) when the model lists constructs a migration refuses, else 0. */
int netcfg_config_check(const struct netcfg_config *c, struct netcfg_error *err);
/* How many times the load read a file from disk (each file at most once). */
size_t netcfg_config_disk_reads(const struct netcfg_config *c);
/*
 * The plan that moves the loaded NIC's configuration to the VMXNET3 NIC to in mode, from the
 * files as they were loaded (netcfg_plan's results and errors). The plan's own reads (files it
 * sets aside, 70-persistent-net.rules) go through the same set of files. *ret is untouched on
 * failure.
 */
int netcfg_config_plan(struct netcfg_config *c, const struct netcfg_nic *to, enum netcfg_mode mode,
		       struct netcfg_plan *ret, struct netcfg_error *err);
