// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "exitcode.h"
#include "lib/json.h"
#include "verbs.h"

int verb_version(const struct vnic_args *args)
{
	if (args->json) {
		struct json_writer w;

		json_init(&w, stdout, false);
		json_object_begin(&w, NULL);
		json_string(&w, "version", VNIC_VERSION);
		json_string(&w, "module", "vmxnet3");
		json_object_end(&w);
	} else {
		printf("vnic-install %s\n", VNIC_VERSION);
	}
	return EXIT_OK;
}

int verb_help(const struct vnic_args *args)
{
	const struct verb *v = NULL;

	if (args->n_verb_args == 1) {
		v = cli_find_verb(args->verb_args[0]);
		if (!v) {
			fprintf(stderr, "vnic-install: unknown verb '%s'.\n", args->verb_args[0]);
			return EXIT_USAGE;
		}
	}
	cli_print_help(v);
	return EXIT_OK;
}
