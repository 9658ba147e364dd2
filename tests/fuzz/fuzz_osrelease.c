// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the os-release parser (quoting, escapes, comments, malformed lines). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "system/distro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct distro d = {};
	unsigned line = 0;

	if (os_release_parse((const char *)data, size, &d, &line) == 0) {
		/* What a successful parse promises. */
		if (!d.id_like)
			__builtin_trap();
		(void)distro_family_from_ids(d.id, d.id_like);
		(void)distro_version_major(&d);
		distro_done(&d);
	} else if (d.id || d.id_like) {
		__builtin_trap(); /* outputs untouched on failure */
	}
	return 0;
}
