/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running programs from an argv array (never a shell string) and capturing their output. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct exec_opts {
	const char *chroot_dir;   /* run inside this root (chroot + chdir "/"), or NULL */
	char *const *env_add;     /* extra "NAME=value" entries, or NULL */
	unsigned timeout_sec;     /* 0: no limit; else SIGTERM, then SIGKILL 5 s later */
	bool merge_stderr;        /* stderr goes into output, interleaved */
	const char *stdin_data;   /* fed to stdin (then closed); NULL: /dev/null */
	/*
	 * Called once the child exists and before the command is exec'd (the journal records
	 * that the command starts); an error stops it from running and is returned.
	 */
	int (*on_start)(void *userdata);
	void *userdata;
};

struct exec_result {
	int exit_code;   /* exit status, or -1 if it died of a signal */
	int signal;      /* the signal, or 0 */
	bool timed_out;
	char *output;    /* captured stdout (NUL-terminated, at most EXEC_OUTPUT_MAX bytes kept) */
	size_t output_len;
	char *errout;    /* captured stderr unless merged */
	size_t errout_len;
};

#define EXEC_OUTPUT_MAX (16u * 1024 * 1024)

/*
 * Runs argv[0] (searched in PATH, or in the chroot's PATH) with argv. Returns 0 when the
 * program ran (its status is in *ret, which the caller frees with exec_result_done), -ENOENT
 * or another -errno when it could not be started, -ETIMEDOUT when it was killed for the time
 * limit (*ret then holds what it printed). opts may be NULL.
 *
 * The command runs in a process group of its own under a small supervisor that kills the
 * group when vnic-install dies (PR_SET_PDEATHSIG), so that nothing it started outlives the run;
 * a timeout signals the whole group.
 */
int exec_run(char *const argv[], const struct exec_opts *opts, struct exec_result *ret);
void exec_result_done(struct exec_result *r);

/* True when the program ran to the end and exited 0. */
static inline bool exec_succeeded(const struct exec_result *r)
{
	return r->exit_code == 0 && r->signal == 0 && !r->timed_out;
}

/* Looks for an executable named name in PATH (under root when root is not the host). */
bool exec_find_program(const char *root, const char *name, char **ret_path);
