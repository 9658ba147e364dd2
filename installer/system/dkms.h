/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnic's driver and DKMS: staging the sources under /usr/src/vmxnet3-<version>, the dkms
 * command lines (add, build, install, remove) with their undo, reading `dkms status`, and
 * turning DKMS's exit codes into what happened. Nothing here prints or runs a command that
 * changes the system: the verb runs the argv vectors built here through the transaction.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define DKMS_MODULE "vmxnet3"
#define DKMS_TREE "/var/lib/dkms"

/* What a kernel's entry in `dkms status` says of our module. */
enum dkms_state {
	DKMS_STATE_NONE,      /* not known to DKMS for that kernel */
	DKMS_STATE_ADDED,     /* sources added, nothing built */
	DKMS_STATE_BUILT,
	DKMS_STATE_INSTALLED,
};
const char *dkms_state_to_string(enum dkms_state s);

struct dkms_status_entry {
	char *version;
	char *kver; /* NULL for an entry that is only "added" */
	char *arch;
	enum dkms_state state;
};

struct dkms_status {
	struct dkms_status_entry *entries;
	size_t n;
};

/*
 * Parses the output of `dkms status -m vmxnet3` in both the DKMS 3 form
 * ("vmxnet3/2.0.0, 6.1.0-26-amd64, x86_64: installed (...)", "vmxnet3/2.0.0: added") and the
 * DKMS 2 form ("vmxnet3, 2.0.0, 6.1.0-26-amd64, x86_64: installed"). Lines of other modules
 * and warnings are skipped. Returns 0 or -ENOMEM; *ret untouched on failure.
 */
int dkms_status_parse(const char *text, const char *module, struct dkms_status *ret);
void dkms_status_done(struct dkms_status *s);
/* The state of version for kver (DKMS_STATE_ADDED when the version is added but not built for
 * kver; DKMS_STATE_NONE when the version is unknown). */
enum dkms_state dkms_status_get(const struct dkms_status *s, const char *version, const char *kver);

/* What a dkms run came to. */
enum dkms_outcome {
	DKMS_OK,
	DKMS_ALREADY_DONE,      /* add of an added version, install of an installed one */
	DKMS_HEADERS_MISSING,
	DKMS_BUILD_FAILED,      /* make failed, or built no module: see the make.log */
	DKMS_BUILD_EXCLUSIVE,   /* skipped: the kernel does not match BUILD_EXCLUSIVE_* */
	DKMS_VERSION_REFUSED,   /* install refused by DKMS's version sanity check */
	DKMS_BAD_CONF,          /* dkms.conf or the source tree is broken */
	DKMS_FAILED,            /* anything else */
};

/*
 * Maps the exit code and output of `dkms ACTION` (action: "add", "build", "install", "remove")
 * to an outcome. DKMS 3: 77 BUILD_EXCLUSIVE, 10 and 7 build failures, 1 with "kernel headers
 * ... cannot be found" (21 in later versions) missing headers, 3 on add "already contains",
 * 5 on install "already installed", 6 on install with "will not replace"/"not newer" the
 * version check.
 */
enum dkms_outcome dkms_outcome_of(const char *action, int exit_code, const char *output);
/* A sentence for people ("the kernel headers are missing"). */
const char *dkms_outcome_to_string(enum dkms_outcome o);
/* True for outcomes that leave the step done (DKMS_OK, DKMS_ALREADY_DONE). */
static inline bool dkms_outcome_ok(enum dkms_outcome o)
{
	return o == DKMS_OK || o == DKMS_ALREADY_DONE;
}

/* Where DKMS leaves the build log of a failed build, inside the root (to free). */
char *dkms_make_log_path(const char *version);
/* The source directory for version inside the root: "/usr/src/vmxnet3-<version>" (to free). */
char *dkms_source_dir(const char *version);

/*
 * The command vector of `dkms ACTION vmxnet3/VERSION [-k KVER] [-j JOBS]` (to free with
 * strv_free): jobs > 0 passes -j (build); kver NULL with remove means --all.
 */
int dkms_argv(const char *action, const char *version, const char *kver, unsigned jobs,
	      char ***ret);

/*
 * The files of the driver's source directory that go to /usr/src: *.c, *.h, Kbuild and
 * Makefile (sorted names). -ENOENT when dir has none of them (not a driver source directory).
 */
int dkms_source_files(const char *dir, char ***ret);

/*
 * dkms.conf's text with every #MODULE_VERSION# replaced by version (to free). -EBADMSG when
 * the template has no PACKAGE_NAME line or no placeholder/version.
 */
int dkms_conf_render(const char *template, const char *version, char **ret);

/*
 * Finds the driver sources: dir given (--source), else VNIC_DATADIR/driver (make install), else
 * VNIC_SRCDIR/driver with VNIC_SRCDIR/dkms.conf (the source tree). Returns the directory
 * holding the sources and the path of dkms.conf in *ret_dir and *ret_conf (host paths, to
 * free); -ENOENT when none has them.
 */
int dkms_find_sources(const char *dir, char **ret_dir, char **ret_conf);

/*
 * The make.log that a failed `dkms build` names in its output ("Consult PATH for more
 * information."), in *ret (to free); -ENOENT when the output names none.
 */
int dkms_log_from_output(const char *output, char **ret);
