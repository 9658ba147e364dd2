// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: what `vnic-install driver` parses from its tools' output: `dkms status`,
 * dkms error texts (outcome, make.log path), lsinitramfs/lsinitrd listings, mokutil --test-key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "system/dkms.h"
#include "system/initramfs.h"
#include "system/secureboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkms_status s = {};
	char *text, *p = NULL;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;

	if (dkms_status_parse(text, "vmxnet3", &s) == 0) {
		for (size_t i = 0; i < s.n; i++)
			if (!s.entries[i].version || (!s.entries[i].kver && s.entries[i].state != DKMS_STATE_ADDED))
				__builtin_trap();
		(void)dkms_status_get(&s, "2.0.0", "6.1.0-26-amd64");
		dkms_status_done(&s);
	}
	(void)dkms_outcome_of("build", size ? data[0] : 0, text);
	(void)dkms_outcome_of("install", 6, text);
	if (dkms_log_from_output(text, &p) == 0) {
		if (p[0] != '/' || !strstr(p, "/make.log"))
			__builtin_trap();
		free(p);
		p = NULL;
	}
	if (initramfs_listing_find(text, "vmxnet3", &p) == 0) {
		if (!strstr(p, "vmxnet3.ko"))
			__builtin_trap();
		free(p);
	}
	(void)secureboot_parse_test_key(text);
	free(text);
	return 0;
}
