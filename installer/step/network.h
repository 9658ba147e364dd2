/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network's steps: a netcfg plan (netcfg/netcfg.h) as steps, in the order they run: the
 * commands that go before the files, the files, the commands after them. Each command's undo
 * runs when its backend says (netcfg_command.undo_after_files). */
#pragma once

#include <stdbool.h>

#include "step/step.h"

struct netcfg_plan;

/* with_commands: a live swap (prepare stages the files only). */
int network_steps(const struct netcfg_plan *p, bool with_commands, struct step_list *l);
