// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the parsers of nmcli's terse output and of networkctl status. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "system/manager.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *file = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0; /* programs' output arrives NUL-terminated */
	if (nmcli_active_file(text, "ens33", &file) > 0)
		free(file);
	file = NULL;
	if (networkctl_status_parse(text, &file) > 0) {
		if (!file || !*file)
			__builtin_trap();
		free(file);
	}
	free(text);
	return 0;
}
