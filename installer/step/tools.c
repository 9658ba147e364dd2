// SPDX-License-Identifier: GPL-2.0-or-later
/* open-vm-tools installed in the same transaction as a swap or a prepare (tools.h). */
#include <errno.h>

#include "lib/strv.h"
#include "step/tools.h"
#include "system/prereq.h"
#include "system/vmtools.h"

int tools_steps(const char *root, enum package_manager m, struct step_list *l, bool *ret_present)
{
	char *packages[] = { (char *)VMTOOLS_PACKAGE, NULL };
	_cleanup_strv_free_ char **install = NULL, **remove = NULL;
	struct vmtools vt = {};
	int r;

	vmtools_detect(root, false, &vt);
	*ret_present = vt.installed;
	if (vt.installed)
		return 0;
	r = package_command(m, false, packages, &install);
	if (r >= 0)
		r = package_command(m, true, packages, &remove);
	if (r < 0)
		return r;
	r = step_add_run(l, "tools.install", install, remove,
			 "Install %s (VMware Tools) with %s; the undo removes it", VMTOOLS_PACKAGE,
			 package_manager_to_string(m));
	if (r >= 0)
		step_last(l)->timeout_sec = 1800;
	return r;
}
