// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "system/tools.h"
#include "system/vmtools.h"

bool process_running(const char *root, const char *comm)
{
	_cleanup_free_ char *proc = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (path_chase(root, "/proc", 0, &proc) < 0 || !(d = opendir(proc)))
		return false;
	while ((de = readdir(d))) {
		_cleanup_free_ char *text = NULL;
		char path[PATH_MAX];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", proc, de->d_name);
		if (read_full_file(path, 256, &text, NULL) < 0)
			continue;
		text[strcspn(text, "\n")] = '\0';
		if (streq(text, comm))
			return true;
	}
	return false;
}

static bool vendor_is_vmware(const char *root)
{
	_cleanup_free_ char *host = NULL, *text = NULL;

	if (path_chase(root, "/sys/class/dmi/id/sys_vendor", 0, &host) < 0 ||
	    read_full_file(host, 4096, &text, NULL) < 0)
		return false;
	return strstr(text, "VMware") != NULL;
}

void vmtools_detect(const char *root, bool live, struct vmtools *ret)
{
	*ret = (struct vmtools){
		.installed = tools_find_program(root, "vmtoolsd", NULL),
		.running = live && process_running(root, "vmtoolsd"),
		.vmware = vendor_is_vmware(root),
	};
}
