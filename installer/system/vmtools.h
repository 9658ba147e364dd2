/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VMware Tools as Linux guests have them today: open-vm-tools' vmtoolsd. Nothing here prints. */
#pragma once

#include <stdbool.h>

struct vmtools {
	bool installed; /* vmtoolsd is a program in the root */
	bool running;   /* live: a process named vmtoolsd runs (read from the root's /proc) */
	bool vmware;    /* the DMI system vendor is VMware */
};

/* live false: only what the files say (running stays false). */
void vmtools_detect(const char *root, bool live, struct vmtools *ret);
/* True when a process whose comm is comm shows in root's /proc. */
bool process_running(const char *root, const char *comm);
