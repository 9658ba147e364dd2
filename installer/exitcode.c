// SPDX-License-Identifier: GPL-2.0-or-later
/* The one table from errors to exit codes (exitcode.h). */
#include <errno.h>

#include "exitcode.h"
#include "lib/macro.h"

static const struct {
	int err;
	enum vnic_exit code;
} table[] = {
	{ EBUSY, EXIT_LOCKED },
	{ EBADMSG, EXIT_BAD_INPUT },
	{ ENOPKG, EXIT_PREREQ },
	{ EMEDIUMTYPE, EXIT_UNSUPPORTED },
};

int exit_code_for_errno(int r)
{
	if (r >= 0)
		return EXIT_OK;
	for (size_t i = 0; i < ELEMENTSOF(table); i++)
		if (table[i].err == -r)
			return table[i].code;
	return EXIT_FAILED;
}
