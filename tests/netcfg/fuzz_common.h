/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the netcfg libFuzzer targets (tests/fuzz/fuzz_<backend>.c): a scratch root with a
 * few fixed files; each input's first byte picks which of the backend's files it replaces and
 * the rest is that file's content. Then the owner lookup, the read and both plans run on the
 * root, and everything they return is released (so that leaks show).
 */
#pragma once

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "netcfg/netcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct nf_file {
	const char *path;    /* inside the root, without the leading slash */
	const char *content; /* its content when the input does not replace it */
};

static char nf_root[4096];

static void nf_put(const char *rel, const void *data, size_t size)
{
	char p[4096 + 256], *slash;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", nf_root, rel);
	slash = strrchr(p, '/');
	*slash = 0;
	mkdir_parents(p, 0755);
	*slash = '/';
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

static void nf_run(const char *name, const char *backend, const struct nf_file *files, size_t n_files,
		   const uint8_t *data, size_t size)
{
	static const struct netcfg_nic from = { .name = "ens33", .mac = "00:0c:29:11:22:33", .driver = "e1000" };
	static const struct netcfg_nic to = { .name = "ens192", .mac = "00:0c:29:44:55:66", .driver = "vmxnet3" };
	static const struct netcfg_nic future = { .driver = "vmxnet3" };
	struct netcfg_owner owner = {};
	struct netcfg_iface *m = NULL;
	struct netcfg_error err = {};
	struct netcfg_plan plan = {};
	size_t pick;

	if (!nf_root[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(nf_root, sizeof(nf_root), "%s/%s-root.%d", tmp && *tmp ? tmp : "/tmp", name, (int)getpid());
		if (mkdir_parents(nf_root, 0755) < 0)
			abort();
	}
	if (size < 1)
		return;
	pick = data[0] % n_files;
	for (size_t k = 0; k < n_files; k++) {
		if (k == pick)
			nf_put(files[k].path, data + 1, size - 1);
		else
			nf_put(files[k].path, files[k].content, strlen(files[k].content));
	}
	if (netcfg_find_owner_full(nf_root, &from, &owner, &err) == 0)
		netcfg_owner_done(&owner);
	netcfg_error_done(&err);
	netcfg_read(nf_root, backend, &from, &m, &err);
	netcfg_iface_free(m);
	netcfg_error_done(&err);
	if (netcfg_plan(nf_root, backend, &from, &to, NETCFG_SIDE_BY_SIDE, &plan, &err) == 0)
		netcfg_plan_done(&plan);
	netcfg_error_done(&err);
	if (netcfg_plan(nf_root, backend, &from, &future, NETCFG_REPLACE, &plan, &err) == 0)
		netcfg_plan_done(&plan);
	netcfg_error_done(&err);
}
