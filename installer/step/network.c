// SPDX-License-Identifier: GPL-2.0-or-later
/* The netcfg plan as steps (network.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/strv.h"
#include "netcfg/netcfg.h"
#include "step/network.h"

static int command_step(const struct netcfg_command *c, struct step_list *l)
{
	_cleanup_free_ char *words = strv_join(c->argv, " "), *id = NULL;
	int r;

	if (!words || asprintf(&id, "net.run.%s", words) < 0)
		return -ENOMEM;
	/* the same command twice in a plan (a no-op that carries an undo): ids stay unique */
	for (unsigned n = 2; step_list_find(l, id); n++) {
		free(id);
		if (asprintf(&id, "net.run.%s#%u", words, n) < 0)
			return -ENOMEM;
	}
	r = step_add_run(l, id, c->argv, c->undo_argv, "%s", c->reason ? c->reason : c->argv[0]);
	if (r < 0)
		return r;
	step_last(l)->undo_phase = c->undo_after_files ? UNDO_AFTER_FILES : UNDO_IN_ORDER;
	step_last(l)->live_undo = true; /* ifup, nmcli, networkctl, netplan apply, ip... */
	step_last(l)->timeout_sec = 300;
	return 0;
}

static int commands(const struct netcfg_plan *p, bool before_files, struct step_list *l)
{
	for (size_t i = 0; i < p->n_commands; i++) {
		int r;

		if (p->commands[i].before_files != before_files)
			continue;
		r = command_step(&p->commands[i], l);
		if (r < 0)
			return r;
	}
	return 0;
}

int network_steps(const struct netcfg_plan *p, bool with_commands, struct step_list *l)
{
	int r = with_commands ? commands(p, true, l) : 0;

	for (size_t i = 0; r >= 0 && i < p->n_files; i++) {
		const struct netcfg_file_op *op = &p->files[i];
		_cleanup_free_ char *id = NULL;
		const char *why = op->reason ? op->reason : "network configuration";

		if (asprintf(&id, "net.%s.%s", op->contents ? "write" : "remove", op->path) < 0)
			return -ENOMEM;
		r = op->contents ? step_add_write(l, id, op->path, op->contents, op->size, op->mode,
						  "%s", why) :
				   step_add_remove(l, id, op->path, "%s", why);
	}
	if (r >= 0 && with_commands)
		r = commands(p, false, l);
	return r;
}
