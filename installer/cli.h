/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: `vnic-install [OPTIONS] VERB [ARGS] [OPTIONS]`. One option table serves
 * all verbs; each verb says which options it takes, and cli_parse() refuses the others by
 * name, so `vnic-install detect --timeout 5` is an error rather than silently ignored.
 */
#pragma once

#include <stdbool.h>

#include "lib/strv.h"

enum vnic_option {
	OPT_ROOT = 1u << 0,
	OPT_JSON = 1u << 1,
	OPT_YES = 1u << 2,
	OPT_KERNEL = 1u << 3,
	OPT_ALL_KERNELS = 1u << 4,
	OPT_INSTALL_PREREQS = 1u << 5,
	OPT_FORCE = 1u << 6,
	OPT_FROM = 1u << 7,
	OPT_TO = 1u << 8,
	OPT_CHECK = 1u << 9,
	OPT_TIMEOUT = 1u << 10,
	OPT_IMAGE = 1u << 11,
	OPT_LOG = 1u << 12,
	OPT_SOURCE = 1u << 13,
	OPT_NO_DRIVER = 1u << 14,
	OPT_CONFIRM_TIMEOUT = 1u << 15,
	OPT_INTERVAL = 1u << 16,
	OPT_RX_RING = 1u << 17,
	OPT_TX_RING = 1u << 18,
	OPT_CHANNELS = 1u << 19,
	OPT_SOCKET_BUFFERS = 1u << 20,
	OPT_PROFILE = 1u << 21,
	OPT_ALLOW_DIFFERENCE = 1u << 22,
	OPT_INSTALL_TOOLS = 1u << 23,
	OPT_BOOT = 1u << 24,
	OPT_TUNE = OPT_RX_RING | OPT_TX_RING | OPT_CHANNELS | OPT_SOCKET_BUFFERS | OPT_PROFILE,
};

struct vnic_args;

struct verb {
	const char *name;
	int (*run)(const struct vnic_args *args); /* returns an exit code (exitcode.h) */
	unsigned options;                         /* OPT_* this verb accepts */
	unsigned min_args, max_args;              /* positional arguments after the verb */
	const char *synopsis;                     /* e.g. "[--root DIR] [--json]" */
	const char *summary;                      /* one line for the verb list */
	const char *help;                         /* the rest of `vnic-install VERB --help` */
};

/*
 * Test seams, read from the environment in one place (vnic_main(), as VNIC_FAULT is) and handed
 * to the verbs, so that no production path reads them itself. Never set on a real system.
 */
struct vnic_seams {
	/* VNIC_TEST_FAKE_LIVE=1: swap and plan treat --root as the running system; every command
	 * runs (and is journaled) as `true ARGV...`; nothing touches the host's network */
	bool fake_live;
	bool linkcheck_fails;   /* VNIC_TEST_LINKCHECK=fail: the fake link check fails */
	const char *reach_seen; /* VNIC_TEST_REACH_SEEN: what the fake check's targets answer */
	bool guard_no_reboot;   /* VNIC_GUARD_NO_REBOOT: the guard does not reboot */
	bool image_direct;      /* VNIC_IMAGE_DIRECT: prepare --image without the overlay */
};

struct vnic_args {
	const char *root;
	const char *image;
	const char *from, *to, *check;
	char **check_peers; /* --check peer:ADDR and tcp:ADDR:PORT, in order (strv) */
	const char *log_path;
	const char *source_dir;
	char **kernels;
	unsigned timeout_sec;
	unsigned confirm_timeout_sec; /* swap --confirm-timeout; 0: none */
	unsigned interval_sec;        /* health --interval; 0 allowed (no sample) */
	bool interval_set;
	unsigned rx_ring, tx_ring, channels; /* tune; 0: unchanged */
	unsigned long long socket_buffers;   /* tune --socket-buffers; 0: unchanged */
	const char *profile;                 /* tune --profile */
	bool json, yes, all_kernels, install_prereqs, force;
	bool no_driver;
	bool allow_difference; /* swap: a setting the VMXNET3 NIC lacks after the check is reported */
	bool install_tools;    /* swap, prepare: install open-vm-tools in the same transaction */
	bool boot;             /* recover: at boot, before the network services start */
	bool help, version;
	int verbosity; /* -1 quiet, 0 normal, 1+ verbose */
	unsigned given; /* OPT_* seen on the command line */
	struct vnic_seams seams;

	const struct verb *verb;
	char **verb_args; /* positional arguments after the verb (a view into argv) */
	unsigned n_verb_args;
};

/*
 * Parses argv into *args (zeroed first). Returns 0, or -EINVAL with a message for the user in
 * *ret_error (to be freed). A missing verb is not an error here: args->verb stays NULL.
 */
int cli_parse(int argc, char **argv, struct vnic_args *args, char **ret_error);
void cli_args_done(struct vnic_args *args);

const struct verb *cli_find_verb(const char *name);
void cli_print_help(const struct verb *verb);

/* The program, after parsing: main() is only this. */
int vnic_main(int argc, char **argv);
