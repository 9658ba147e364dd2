// SPDX-License-Identifier: GPL-2.0-or-later
/* The warnings of a distribution detection, for the verbs to give once (distro.c does not
 * print). */
#include "lib/log.h"
#include "system/distro.h"

void distro_log_skipped(const struct distro *d)
{
	for (size_t k = 0; k < d->n_skipped; k++)
		log_warning("%s:%u: not an assignment, ignored", d->source ? d->source : "os-release",
			    d->skipped_lines[k]);
}
