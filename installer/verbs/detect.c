// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vnic-install detect [--root DIR] [--json]`: what the system is, which kernels it has and
 * what they carry, and which NIC is configured by what. docs/detect.md documents the JSON.
 * Problems with input files do not stop the report: the part they concern is reported as
 * unknown, each problem is named once (file, line, reason) on stderr and in "errors", and
 * the exit code is EXIT_BAD_INPUT.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "exitcode.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "netcfg/netcfg.h"
#include "system/distro.h"
#include "system/kernel.h"
#include "system/nic.h"
#include "system/tools.h"
#include "system/vmtools.h"
#include "verbs.h"
#include "verbs/owner.h"

#define DETECT_ERRORS_MAX 64

struct detect_error {
	char *file; /* inside the root, or NULL */
	unsigned line;
	char *message;
};

struct detect {
	const char *root; /* NULL: the host */
	bool live;
	struct distro distro;
	struct kernel_list kernels;
	struct tools tools;
	struct vmtools vmtools;
	struct nic_list nics;
	struct default_route route;
	bool have_route;
	struct detect_error errors[DETECT_ERRORS_MAX];
	size_t n_errors;
};

static void detect_done(struct detect *d)
{
	distro_done(&d->distro);
	kernel_list_done(&d->kernels);
	tools_done(&d->tools);
	nic_list_done(&d->nics);
	default_route_done(&d->route);
	for (size_t i = 0; i < d->n_errors; i++) {
		free(d->errors[i].file);
		free(d->errors[i].message);
	}
}

/* Records one problem with an input file and says it once on stderr. */
_printf_(4, 5) static void detect_problem(struct detect *d, const char *file, unsigned line,
					  const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (line)
		log_warning("%s:%u: %s", file ? file : "?", line, msg ? msg : "?");
	else
		log_warning("%s: %s", file ? file : "?", msg ? msg : "?");
	if (d->n_errors >= DETECT_ERRORS_MAX)
		return;
	d->errors[d->n_errors].file = file ? strdup(file) : NULL;
	d->errors[d->n_errors].line = line;
	d->errors[d->n_errors].message = TAKE_PTR(msg);
	d->n_errors++;
}

static const char *error_text(int r)
{
	switch (r) {
	case -EBADMSG:
		return "malformed (not KEY=VALUE lines, or binary data)";
	case -EFBIG:
		return "too large to be what it should be";
	case -ELOOP:
		return "symbolic link loop";
	case -EISDIR:
		return "is a directory";
	case -EINVAL:
		return "not a regular file";
	default:
		return strerror(-r);
	}
}

static void detect_distro(struct detect *d)
{
	_cleanup_free_ char *bad = NULL;
	unsigned line = 0;
	int r;

	r = distro_detect(d->root, &d->distro, &bad, &line);
	distro_log_skipped(&d->distro);
	if (r >= 0)
		return;
	detect_problem(d, bad, line, "cannot identify the distribution: %s", error_text(r));
	/* Reported as unknown, naming the file that was at fault. */
	memset(&d->distro, 0, sizeof(d->distro));
	d->distro.id_like = calloc(1, sizeof(char *));
	d->distro.source = TAKE_PTR(bad);
}

/* The backend and configuration files of one NIC. */
static void detect_owner(struct detect *d, struct nic *n)
{
	struct netcfg_error err = {};
	int r;

	r = nic_owner_find(d->root, d->live, n, &err);
	if (r < 0 && err.file)
		detect_problem(d, err.file, err.line, "%s",
			       err.message ? err.message : error_text(r));
	else if (r < 0)
		detect_problem(d, NULL, 0, "cannot tell what configures %s: %s", n->name,
			       error_text(r));
	netcfg_error_done(&err);
}

static int detect_all(struct detect *d)
{
	int r;

	detect_distro(d);

	r = kernel_list_detect(d->root, &d->distro, &d->kernels);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		detect_problem(d, "/lib/modules", 0, "cannot list the kernels: %s", error_text(r));

	vmtools_detect(d->root, d->live, &d->vmtools);
	r = tools_detect(d->root, &d->distro, &d->tools);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		detect_problem(d, NULL, 0, "cannot look for tools: %s", error_text(r));

	r = nic_list_detect(d->root, d->live, &d->nics);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		detect_problem(d, "/sys/class/net", 0, "cannot list the network interfaces: %s",
			       error_text(r));
	for (size_t i = 0; i < d->nics.n; i++)
		detect_owner(d, &d->nics.nics[i]);

	if (d->live) {
		r = default_route_detect(&d->route);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			log_warning_errno(r, "Failed to read the routing table from netlink: %m");
		else
			d->have_route = d->route.interface != NULL;
	}
	return 0;
}

static void json_strv(struct json_writer *w, const char *key, char *const *l)
{
	json_array_begin(w, key);
	for (; l && *l; l++)
		json_string(w, NULL, *l);
	json_array_end(w);
}

static void print_json(const struct detect *d)
{
	struct json_writer w;

	json_init(&w, stdout, true);
	json_object_begin(&w, NULL);

	json_object_begin(&w, "distro");
	json_string(&w, "id", d->distro.id);
	json_strv(&w, "id_like", d->distro.id_like);
	json_string(&w, "version_id", d->distro.version_id);
	json_string(&w, "pretty_name", d->distro.pretty_name);
	json_string(&w, "family", distro_family_to_string(d->distro.family));
	json_string(&w, "source", d->distro.source);
	json_object_end(&w);

	json_string(&w, "package_manager", package_manager_to_string(d->tools.package_manager));

	json_array_begin(&w, "kernels");
	for (size_t i = 0; i < d->kernels.n; i++) {
		const struct kernel *k = &d->kernels.kernels[i];

		json_object_begin(&w, NULL);
		json_string(&w, "release", k->release);
		json_string(&w, "modules_dir", k->modules_dir);
		json_string(&w, "headers", k->headers);
		json_string(&w, "headers_package", k->headers_package);
		json_bool(&w, "running", k->running);
		json_bool(&w, "default", k->is_default);
		json_string(&w, "inbox_vmxnet3", k->inbox_vmxnet3);
		json_string(&w, "vnic_vmxnet3", k->vnic_vmxnet3);
		json_object_end(&w);
	}
	json_array_end(&w);

	json_object_begin(&w, "dkms");
	json_bool(&w, "present", d->tools.dkms_present);
	json_string(&w, "version", d->tools.dkms_version);
	json_object_end(&w);
	json_object_begin(&w, "compiler");
	json_bool(&w, "present", d->tools.compiler_present);
	json_object_end(&w);
	json_string(&w, "secure_boot", secure_boot_to_string(d->tools.secure_boot));
	json_string(&w, "initramfs_tool", initramfs_tool_to_string(d->tools.initramfs_tool));
	json_object_begin(&w, "open_vm_tools");
	json_bool(&w, "installed", d->vmtools.installed);
	if (d->live)
		json_bool(&w, "running", d->vmtools.running);
	else
		json_null(&w, "running");
	json_object_end(&w);
	json_bool(&w, "vmware", d->vmtools.vmware);

	json_array_begin(&w, "nics");
	for (size_t i = 0; i < d->nics.n; i++) {
		const struct nic *n = &d->nics.nics[i];

		json_object_begin(&w, NULL);
		json_string(&w, "name", n->name);
		json_string(&w, "mac", n->mac);
		json_string(&w, "permanent_mac", n->permanent_mac);
		json_string(&w, "pci_id", n->pci_id);
		json_string(&w, "model", nic_model_to_string(n->model));
		json_string(&w, "driver", n->driver);
		if (n->carrier < 0)
			json_null(&w, "carrier");
		else
			json_bool(&w, "carrier", n->carrier > 0);
		if (n->mtu)
			json_int(&w, "mtu", n->mtu);
		else
			json_null(&w, "mtu");
		json_strv(&w, "addresses", n->addresses);
		json_string(&w, "backend", n->backend);
		json_strv(&w, "config_files", n->config_files);
		json_object_end(&w);
	}
	json_array_end(&w);

	if (d->have_route) {
		json_object_begin(&w, "default_route");
		json_string(&w, "interface", d->route.interface);
		json_string(&w, "gateway", d->route.gateway);
		json_object_end(&w);
	} else {
		json_null(&w, "default_route");
	}

	json_array_begin(&w, "errors");
	for (size_t i = 0; i < d->n_errors; i++) {
		json_object_begin(&w, NULL);
		json_string(&w, "file", d->errors[i].file);
		if (d->errors[i].line)
			json_int(&w, "line", d->errors[i].line);
		else
			json_null(&w, "line");
		json_string(&w, "message", d->errors[i].message);
		json_object_end(&w);
	}
	json_array_end(&w);

	json_object_end(&w);
	fputc('\n', stdout);
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void print_human(const struct detect *d)
{
	const struct distro *di = &d->distro;

	if (d->root)
		printf("Root:             %s\n", d->root);
	if (di->source && di->id)
		printf("Distribution:     %s (id %s, version %s, family %s, from %s)\n",
		       di->pretty_name ? di->pretty_name : di->id, di->id, or_dash(di->version_id),
		       distro_family_to_string(di->family), di->source);
	else if (di->source)
		printf("Distribution:     unknown (%s could not be used)\n", di->source);
	else
		printf("Distribution:     unknown (no os-release or release file)\n");
	printf("Package manager:  %s\n",
	       or_dash(package_manager_to_string(d->tools.package_manager)));
	printf("DKMS:             %s\n",
	       d->tools.dkms_present ? (d->tools.dkms_version ? d->tools.dkms_version : "present")
				     : "not installed");
	printf("Compiler:         %s\n", d->tools.compiler_present ? d->tools.compiler_path : "none");
	printf("Initramfs tool:   %s\n",
	       or_dash(initramfs_tool_to_string(d->tools.initramfs_tool)));
	printf("Secure Boot:      %s\n", secure_boot_to_string(d->tools.secure_boot));
	printf("open-vm-tools:    %s\n", !d->vmtools.installed ? "not installed" :
	       !d->live ? "installed" : d->vmtools.running ? "running" : "installed, not running");

	printf("\nKernels (%zu):\n", d->kernels.n);
	for (size_t i = 0; i < d->kernels.n; i++) {
		const struct kernel *k = &d->kernels.kernels[i];

		printf("  %s%s%s\n", k->release, k->is_default ? "  [default]" : "",
		       k->running ? "  [running]" : "");
		printf("    headers: %s", k->headers ? k->headers : "missing");
		if (!k->headers && k->headers_package)
			printf(" (install %s)", k->headers_package);
		printf("\n    vmxnet3: in-kernel %s, vnic %s\n",
		       k->inbox_vmxnet3 ? k->inbox_vmxnet3 : "none",
		       k->vnic_vmxnet3 ? k->vnic_vmxnet3 : "not installed");
	}

	printf("\nNetwork interfaces (%zu):\n", d->nics.n);
	for (size_t i = 0; i < d->nics.n; i++) {
		const struct nic *n = &d->nics.nics[i];

		printf("  %s: %s (%s, driver %s), MAC %s", n->name, nic_model_to_string(n->model),
		       or_dash(n->pci_id), or_dash(n->driver), or_dash(n->mac));
		if (n->permanent_mac && !streq(n->permanent_mac, n->mac))
			printf(" (permanent %s)", n->permanent_mac);
		printf(", carrier %s, MTU %u\n",
		       n->carrier < 0 ? "unknown (interface down)" : n->carrier ? "up" : "down", n->mtu);
		if (n->addresses && n->addresses[0]) {
			printf("    addresses:");
			for (char **a = n->addresses; *a; a++)
				printf(" %s", *a);
			printf("\n");
		}
		printf("    configured by: %s", n->backend ? n->backend : "nothing found");
		for (char **f = n->config_files; f && *f; f++)
			printf("%s%s", f == n->config_files ? " (" : ", ", *f);
		printf("%s\n", n->config_files && n->config_files[0] ? ")" : "");
	}

	if (d->have_route)
		printf("\nDefault route:    %s%s%s\n", d->route.interface,
		       d->route.gateway ? " via " : "", d->route.gateway ? d->route.gateway : "");
	else if (d->live)
		printf("\nDefault route:    none\n");
}

int verb_detect(const struct vnic_args *args)
{
	struct detect d = {};
	int r;

	d.root = root_is_host(args->root) ? NULL : args->root;
	d.live = !d.root;
	if (d.root) {
		_cleanup_free_ char *host = NULL;
		struct stat st;

		/* A bad --root is a bad command line, not a system to describe. */
		if (stat(d.root, &st) < 0) {
			log_error_errno(-errno, "--root %s: %m", d.root);
			return EXIT_USAGE;
		}
		if (!S_ISDIR(st.st_mode)) {
			log_error("--root %s: not a directory.", d.root);
			return EXIT_USAGE;
		}
		r = path_chase(d.root, "/", 0, &host);
		if (r < 0) {
			log_error_errno(r, "--root %s: %m", d.root);
			return EXIT_USAGE;
		}
		/* "/.", "//" or a link to "/": the running system after all. */
		if (streq(host, "/")) {
			d.root = NULL;
			d.live = true;
		}
	}

	r = detect_all(&d);
	if (r < 0) {
		detect_done(&d);
		log_error_errno(r, "Failed to detect the system: %m");
		return EXIT_FAILED;
	}
	if (args->json)
		print_json(&d);
	else
		print_human(&d);
	r = d.n_errors ? EXIT_BAD_INPUT : EXIT_OK;
	detect_done(&d);
	return r;
}
