/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secure Boot and DKMS's signing key: under Secure Boot the kernel loads only modules signed
 * with a key the firmware trusts, so vnic's module must be signed with a key enrolled in the
 * MOK list. This finds DKMS's certificate, reads `mokutil` output, and writes the enrolment
 * steps. The Secure Boot state itself comes from system/tools.h (secure_boot_detect).
 */
#pragma once

enum mok_state {
	MOK_UNKNOWN,
	MOK_ENROLLED,
	MOK_NOT_ENROLLED,
	MOK_PENDING,  /* queued with mokutil --import: enrolled at the next boot, in MokManager */
	MOK_NO_KEY,   /* DKMS has no certificate yet */
};
const char *mok_state_to_string(enum mok_state s);

/*
 * DKMS's certificate, as a path inside root (to free): mok_certificate= from
 * /etc/dkms/framework.conf (and /etc/dkms/framework.conf.d/\*.conf, later ones win), else
 * Ubuntu's /var/lib/shim-signed/mok/MOK.der when it exists, else /var/lib/dkms/mok.pub.
 */
int secureboot_dkms_certificate(const char *root, char **ret);

/* `mokutil --test-key CERT` (to free with strv_free). */
int secureboot_test_key_argv(const char *cert, char ***ret);
/* What `mokutil --test-key` printed: "... is already enrolled", "... is not enrolled", "... is
 * already in the enrollment request". */
enum mok_state secureboot_parse_test_key(const char *output);

/* The steps that enrol cert (text for people, to free). */
char *secureboot_enrol_steps(const char *cert);
