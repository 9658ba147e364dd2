// SPDX-License-Identifier: GPL-2.0-or-later
/* The boot-time recovery unit as steps of a swap (recover.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/path.h"
#include "step/recover.h"

const char recover_unit_text[] =
	"# SPDX-License-Identifier: GPL-2.0-or-later\n"
	"# Undoes a vnic-install run that a crash or a power cut interrupted, at boot, before the "
	"network\n"
	"# services start: they then start from the restored files. A change that waits for\n"
	"# `vnic-install confirm` is the boot guard's (vnic-guard.service). See docs/swap.md.\n"
	"[Unit]\n"
	"Description=Undo an interrupted vnic-install run before the network starts\n"
	"Documentation=man:vnic-install(8)\n"
	"DefaultDependencies=no\n"
	"ConditionDirectoryNotEmpty=/var/lib/vnic/txn\n"
	"After=local-fs.target systemd-remount-fs.service\n"
	"Before=network-pre.target vnic-guard.service shutdown.target\n"
	"Wants=network-pre.target\n"
	"Conflicts=shutdown.target\n"
	"\n"
	"[Service]\n"
	"Type=oneshot\n"
	"ExecStart=vnic-install recover --boot\n"
	"TimeoutStartSec=15min\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

static const char recover_wants_text[] =
	"# Written by vnic-install swap: at boot, undo a run that was interrupted.\n"
	"[Unit]\nWants=" RECOVER_UNIT_NAME "\n";

/* The unit in one of the directories systemd loads system units from. */
static bool unit_installed(const char *root)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/usr/local/lib/systemd/system",
					     "/usr/lib/systemd/system", "/lib/systemd/system" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		_cleanup_free_ char *rel = NULL, *host = NULL;

		if (asprintf(&rel, "%s/%s", dirs[i], RECOVER_UNIT_NAME) < 0)
			return false;
		if (path_chase(root, rel, 0, &host) == 0)
			return true;
	}
	return false;
}

/* True when path in root holds exactly text. */
static bool holds(const char *root, const char *path, const char *text)
{
	_cleanup_free_ char *host = NULL, *data = NULL;

	return path_chase(root, path, 0, &host) == 0 &&
	       read_full_file(host, READ_FILE_MAX, &data, NULL) >= 0 && strcmp(data, text) == 0;
}

int recover_steps(const char *root, struct step_list *l)
{
	int r = 0;

	if (!unit_installed(root))
		r = step_add_write(l, "recover.write." RECOVER_UNIT_PATH, RECOVER_UNIT_PATH,
				   recover_unit_text, strlen(recover_unit_text), 0644,
				   "the unit that undoes an interrupted run at boot");
	if (r >= 0 && !holds(root, RECOVER_WANTS_PATH, recover_wants_text))
		r = step_add_write(l, "recover.write." RECOVER_WANTS_PATH, RECOVER_WANTS_PATH,
				   recover_wants_text, strlen(recover_wants_text), 0644,
				   "multi-user.target wants " RECOVER_UNIT_NAME);
	return r;
}
