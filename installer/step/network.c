// SPDX-License-Identifier: GPL-2.0-or-later
/* The netcfg plan as steps (network.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/strv.h"
#include "netcfg/netcfg.h"
#include "step/network.h"

/*
 * A plan's own steps run as `vnic-install VERB` (wait-port): this very program, wherever it
 * is, rather than whichever one PATH finds (or none, run from a build tree). A copy of argv
 * in *ret with argv[0] made absolute, or NULL when argv stays as it is.
 */
static int resolve_self(char *const *argv, char ***ret)
{
	char self[PATH_MAX];
	ssize_t n;
	const char *base;

	*ret = NULL;
	if (!argv || !argv[0] || strcmp(argv[0], "vnic-install") != 0)
		return 0;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 0;
	self[n] = 0;
	base = strrchr(self, '/');
	if (!base || strcmp(base + 1, "vnic-install") != 0)
		return 0; /* a unit test's binary: the name stays, the seams make it inert */
	if (strv_push(ret, self) < 0 || strv_extend(ret, (const char *const *)argv + 1) < 0)
		return -ENOMEM;
	return 0;
}

static int command_step(const struct netcfg_command *c, struct step_list *l)
{
	_cleanup_free_ char *words = strv_join(c->argv, " "), *id = NULL;
	_cleanup_strv_free_ char **argv = NULL, **undo = NULL;
	int r;

	if (!words || asprintf(&id, "net.run.%s", words) < 0)
		return -ENOMEM;
	/* the same command twice in a plan (a no-op that carries an undo): ids stay unique */
	for (unsigned n = 2; step_list_find(l, id); n++) {
		free(id);
		if (asprintf(&id, "net.run.%s#%u", words, n) < 0)
			return -ENOMEM;
	}
	r = resolve_self(c->argv, &argv);
	if (r >= 0)
		r = resolve_self(c->undo_argv, &undo);
	if (r >= 0)
		r = step_add_run(l, id, argv ? argv : c->argv, undo ? undo : c->undo_argv, "%s",
				 c->reason ? c->reason : c->argv[0]);
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
