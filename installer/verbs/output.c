// SPDX-License-Identifier: GPL-2.0-or-later
/* The one place where a verb's progress output is chosen from its options (verbs.h). */
#include <stdio.h>

#include "lib/report.h"
#include "verbs.h"

void verb_report_init(struct report *r, const struct vnic_args *a, unsigned total)
{
	report_init(r, stdout, a->json, total);
	report_set_quiet(r, a->verbosity < 0);
}
