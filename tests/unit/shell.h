/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A shell command for a test's setup (ip link add ...): 0, or -1 with its output on stderr. */
#pragma once

#include <stdio.h>

#include "lib/exec.h"

static inline int sh(const char *cmd)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	struct exec_result res;
	int r = exec_run(argv, &(struct exec_opts){ .merge_stderr = true }, &res);

	if (r < 0)
		return r;
	if (!exec_succeeded(&res))
		fprintf(stderr, "'%s' failed: %s\n", cmd, res.output ? res.output : "");
	r = exec_succeeded(&res) ? 0 : -1;
	exec_result_done(&res);
	return r;
}
