// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "secureboot.h"

const char *mok_state_to_string(enum mok_state s)
{
	switch (s) {
	case MOK_ENROLLED: return "enrolled";
	case MOK_NOT_ENROLLED: return "not enrolled";
	case MOK_PENDING: return "pending (enrolled at the next boot)";
	case MOK_NO_KEY: return "no key yet";
	default: return "unknown";
	}
}

/* The value of the last "mok_certificate=" line of a framework.conf file (quotes removed). */
static int conf_certificate(const char *host_path, char **io)
{
	_cleanup_free_ char *data = NULL;
	int r = read_full_file(host_path, 64 * 1024, &data, NULL);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (char *line = data, *next; line && *line; line = next) {
		char *v, *e;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		line += strspn(line, " \t");
		if (strncmp(line, "mok_certificate=", 16) != 0)
			continue;
		v = line + 16;
		if (*v == '"' || *v == '\'') {
			e = strchr(v + 1, *v);
			v++;
			if (e)
				*e = 0;
		} else {
			v[strcspn(v, " \t#")] = 0;
		}
		if (*v != '/')
			continue;
		free(*io);
		*io = strdup(v);
		if (!*io)
			return -ENOMEM;
	}
	return 0;
}

int secureboot_dkms_certificate(const char *root, char **ret)
{
	_cleanup_free_ char *cert = NULL, *conf = NULL, *confd = NULL, *ubuntu = NULL;
	_cleanup_strv_free_ char **names = NULL;
	int r;

	if (path_chase(root, "/etc/dkms/framework.conf", 0, &conf) >= 0 &&
	    (r = conf_certificate(conf, &cert)) < 0)
		return r;
	if (path_chase(root, "/etc/dkms/framework.conf.d", 0, &confd) >= 0) {
		_cleanup_closedir_ DIR *d = opendir(confd);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			size_t l = strlen(de->d_name);

			if (l > 5 && streq(de->d_name + l - 5, ".conf") && (r = strv_push(&names, de->d_name)) < 0)
				return r;
		}
		strv_sort(names);
		for (char **n = names; n && *n; n++) {
			_cleanup_free_ char *p = path_join(confd, *n);

			if (!p)
				return -ENOMEM;
			if ((r = conf_certificate(p, &cert)) < 0)
				return r;
		}
	}
	if (!cert) {
		struct stat st;

		if (path_chase(root, "/var/lib/shim-signed/mok/MOK.der", 0, &ubuntu) >= 0 &&
		    stat(ubuntu, &st) == 0)
			cert = strdup("/var/lib/shim-signed/mok/MOK.der");
		else
			cert = strdup("/var/lib/dkms/mok.pub");
		if (!cert)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(cert);
	return 0;
}

int secureboot_test_key_argv(const char *cert, char ***ret)
{
	_cleanup_strv_free_ char **a = NULL;
	int r;

	if ((r = strv_push(&a, "mokutil")) < 0 || (r = strv_push(&a, "--test-key")) < 0 ||
	    (r = strv_push(&a, cert)) < 0)
		return r;
	*ret = TAKE_PTR(a);
	return 0;
}

enum mok_state secureboot_parse_test_key(const char *output)
{
	if (!output)
		return MOK_UNKNOWN;
	if (strstr(output, "in the enrollment request"))
		return MOK_PENDING;
	if (strstr(output, "is not enrolled"))
		return MOK_NOT_ENROLLED;
	if (strstr(output, "is already enrolled"))
		return MOK_ENROLLED;
	return MOK_UNKNOWN;
}

char *secureboot_enrol_steps(const char *cert)
{
	char *s;

	if (asprintf(&s,
		     "Secure Boot is enabled and DKMS's signing key is not enrolled, so the firmware\n"
		     "would refuse vnic's vmxnet3 module. Enrol the key, then run this again:\n"
		     "  1. sudo mokutil --import %s\n"
		     "     (choose a one-time password; you type it once more at the next boot)\n"
		     "  2. Reboot. In the blue MOK manager screen choose \"Enroll MOK\", \"Continue\",\n"
		     "     \"Yes\", type the password, then \"Reboot\". This needs the VM's console.\n"
		     "  3. Check with: mokutil --test-key %s   (\"is already enrolled\")\n"
		     "If DKMS has no key yet, `dkms generate_mok` creates it first (DKMS 3).\n"
		     "--force goes on anyway: the module then loads only once the key is enrolled.",
		     cert, cert) < 0)
		return NULL;
	return s;
}
