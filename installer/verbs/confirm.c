// SPDX-License-Identifier: GPL-2.0-or-later
/* swap --confirm-timeout: the boot guard armed by a swap (verbs/confirm.h). */
#include <errno.h>

#include "lib/exec.h"
#include "lib/strv.h"
#include "step/guard.h"
#include "verbs/confirm.h"
#include "verbs/prepare.h"

/* The guard waits at least this long for the link at boot (a DHCP lease can take time). */
#define CONFIRM_MIN_LINK_TIMEOUT 120

int confirm_guard_steps(const struct swap_check *c, const char *from, const char *to,
			unsigned link_timeout, unsigned confirm_timeout, struct step_list *l)
{
	_cleanup_strv_free_ char **lines = NULL;
	struct guard_config g = {
		.link_timeout = link_timeout > CONFIRM_MIN_LINK_TIMEOUT ? link_timeout :
									  CONFIRM_MIN_LINK_TIMEOUT,
		.confirm_timeout = confirm_timeout,
		.check = c->kind == LINKCHECK_PING ? "address" : c->kind_str,
		.from = from,
		.to = to,
	};
	int r;

	r = check_to_guard(c, &lines);
	if (r < 0)
		return r;
	for (size_t i = 0; lines && lines[i]; i++) {
		if (g.n_reach >= GUARD_MAX_REACH)
			return -E2BIG;
		g.reach[g.n_reach++] = lines[i];
	}
	return guard_steps(NULL, &g, NULL, l);
}

static int systemctl(const char *const *words)
{
	_cleanup_strv_free_ char **argv = NULL;
	struct exec_result res = {};
	int r;

	for (size_t i = 0; words[i]; i++)
		if (strv_push(&argv, words[i]) < 0)
			return -ENOMEM;
	r = exec_run(argv, &(struct exec_opts){ .merge_stderr = true, .timeout_sec = 60 }, &res);
	if (r >= 0 && !exec_succeeded(&res))
		r = -ECHILD;
	exec_result_done(&res);
	return r;
}

int confirm_start_guard(void)
{
	int r = systemctl((const char *const[]){ "systemctl", "daemon-reload", NULL });

	if (r >= 0)
		r = systemctl((const char *const[]){ "systemctl", "start", "--no-block",
						     "vnic-guard.service", NULL });
	return r;
}
