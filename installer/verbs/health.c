// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vnic-install health [--interval SEC] [--json]`: the VMXNET3 NICs as they run, their trouble
 * counters over a sample, open-vm-tools and the socket buffer limits, with findings and what to
 * do about each. Changes nothing; needs no root. Exit 0, or EXIT_UNHEALTHY when a finding is a
 * warning. docs/health.md documents the JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "exitcode.h"
#include "health/health.h"
#include "lib/json.h"
#include "lib/log.h"
#include "verbs.h"

#define HEALTH_SCHEMA_VERSION 1
#define HEALTH_DEFAULT_INTERVAL_SEC 5

static double per_second(const struct health *h, uint64_t a, uint64_t b)
{
	return h->interval_ms ? (double)(b >= a ? b - a : b) * 1000.0 / h->interval_ms : 0;
}

static const struct health_irq *irq_before(const struct health_nic *n, const char *name)
{
	for (size_t i = 0; i < n->before.n_irqs; i++)
		if (streq(n->before.irqs[i].name, name))
			return &n->before.irqs[i];
	return NULL;
}

static void json_nic(struct json_writer *w, const struct health *h, const struct health_nic *n)
{
	json_object_begin(w, NULL);
	json_string(w, "name", n->name);
	json_string(w, "backend", n->backend);
	json_object_begin(w, "driver");
	json_string(w, "name", n->has_driver ? n->driver.driver : NULL);
	json_string(w, "version", n->has_driver ? n->driver.version : NULL);
	json_string(w, "firmware", n->has_driver ? n->driver.firmware : NULL);
	json_string(w, "bus", n->has_driver ? n->driver.bus : NULL);
	json_object_end(w);
	if (n->has_rings) {
		json_object_begin(w, "rings");
		json_int(w, "rx", n->rings.rx);
		json_int(w, "rx_max", n->rings.rx_max);
		json_int(w, "tx", n->rings.tx);
		json_int(w, "tx_max", n->rings.tx_max);
		json_object_end(w);
	} else {
		json_null(w, "rings");
	}
	if (n->has_channels) {
		json_object_begin(w, "channels");
		json_int(w, "rx", n->channels.rx);
		json_int(w, "tx", n->channels.tx);
		json_int(w, "combined", n->channels.combined);
		json_int(w, "rx_max", n->channels.rx_max);
		json_int(w, "tx_max", n->channels.tx_max);
		json_int(w, "combined_max", n->channels.combined_max);
		json_object_end(w);
	} else {
		json_null(w, "channels");
	}
	json_object_begin(w, "counters");
	for (int c = 0; c < _HC_MAX; c++) {
		if (n->after.counter[c] < 0) {
			json_null(w, health_counter_to_string(c));
			continue;
		}
		json_object_begin(w, health_counter_to_string(c));
		json_int(w, "total", n->after.counter[c]);
		json_int(w, "sample", health_delta(n, c));
		json_object_end(w);
	}
	json_object_end(w);
	json_array_begin(w, "interrupts");
	for (size_t i = 0; i < n->after.n_irqs; i++) {
		const struct health_irq *q = &n->after.irqs[i], *p = irq_before(n, q->name);

		json_object_begin(w, NULL);
		json_string(w, "name", q->name);
		json_int(w, "total", (int64_t)q->count);
		json_int(w, "per_second", (int64_t)(per_second(h, p ? p->count : 0, q->count) + 0.5));
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

static void json_system(struct json_writer *w, const struct health *h)
{
	json_int(w, "cpus", h->cpus);
	json_array_begin(w, "e1000");
	for (char **e = h->e1000s; e && *e; e++)
		json_string(w, NULL, *e);
	json_array_end(w);
	json_object_begin(w, "open_vm_tools");
	json_bool(w, "installed", h->tools.installed);
	json_bool(w, "running", h->tools.running);
	json_object_end(w);
	json_object_begin(w, "sysctl");
	json_int(w, "net.core.rmem_max", h->sysctl.rmem_max);
	json_int(w, "net.core.wmem_max", h->sysctl.wmem_max);
	json_int(w, "net.ipv4.tcp_rmem.max", h->sysctl.tcp_rmem_max);
	json_int(w, "net.ipv4.tcp_wmem.max", h->sysctl.tcp_wmem_max);
	json_object_end(w);
}

static void print_json(const struct health *h, const struct health_findings *f)
{
	struct json_writer w;

	json_init(&w, stdout, true);
	json_object_begin(&w, NULL);
	json_int(&w, "schema_version", HEALTH_SCHEMA_VERSION);
	json_string(&w, "status", health_severity_to_string(health_findings_worst(f)));
	json_int(&w, "interval_ms", h->interval_ms);
	json_array_begin(&w, "nics");
	for (size_t i = 0; i < h->n_nics; i++)
		json_nic(&w, h, &h->nics[i]);
	json_array_end(&w);
	json_system(&w, h);
	json_array_begin(&w, "findings");
	for (size_t i = 0; i < f->n; i++) {
		json_object_begin(&w, NULL);
		json_string(&w, "severity", health_severity_to_string(f->v[i].severity));
		json_string(&w, "id", f->v[i].id);
		json_string(&w, "nic", f->v[i].nic);
		json_string(&w, "message", f->v[i].message);
		json_string(&w, "recommendation", f->v[i].recommendation);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	fputc('\n', stdout);
}

static void print_counters(const struct health *h, const struct health_nic *n)
{
	printf("  in %.0f s     ", h->interval_ms / 1000.0);
	for (int c = 0, first = 1; c < _HC_MAX; c++) {
		int64_t d = health_delta(n, c);

		if (d < 0)
			continue;
		printf("%s%s %" PRId64, first ? "" : ", ", health_counter_to_string(c), d);
		first = 0;
	}
	printf("\n");
	if (!n->after.n_irqs)
		return;
	printf("  interrupts  ");
	for (size_t i = 0; i < n->after.n_irqs; i++) {
		const struct health_irq *q = &n->after.irqs[i], *p = irq_before(n, q->name);

		printf("%s%s %.0f/s", i ? ", " : "", q->name,
		       per_second(h, p ? p->count : 0, q->count));
	}
	printf("\n");
}

static void print_nic(const struct health *h, const struct health_nic *n)
{
	printf("%s: %s %s%s%s, configured by %s\n", n->name,
	       n->has_driver ? n->driver.driver : "vmxnet3",
	       n->has_driver ? n->driver.version : "(driver unknown)",
	       n->has_driver && *n->driver.bus ? " at " : "", n->has_driver ? n->driver.bus : "",
	       n->backend ? n->backend : "nothing found");
	if (n->has_rings)
		printf("  rings       rx %u of %u, tx %u of %u\n", n->rings.rx, n->rings.rx_max,
		       n->rings.tx, n->rings.tx_max);
	if (n->has_channels)
		printf("  channels    %u combined, %u rx, %u tx (up to %u combined)\n",
		       n->channels.combined, n->channels.rx, n->channels.tx,
		       n->channels.combined_max);
	print_counters(h, n);
}

static void print_text(const struct health *h, const struct health_findings *f)
{
	if (!h->n_nics)
		printf("No VMXNET3 NIC.\n");
	for (size_t i = 0; i < h->n_nics; i++)
		print_nic(h, &h->nics[i]);
	printf("system: %u CPUs; open-vm-tools %s; net.core.rmem_max %" PRId64
	       ", net.ipv4.tcp_rmem max %" PRId64 "\n",
	       h->cpus, !h->tools.installed ? "not installed" :
			h->tools.running ? "running" : "installed, not running",
	       h->sysctl.rmem_max, h->sysctl.tcp_rmem_max);
	printf("\n%s\n", f->n ? "Findings:" : "No findings.");
	for (size_t i = 0; i < f->n; i++) {
		const struct health_finding *x = &f->v[i];

		printf("  %-8s %s%s%s\n", health_severity_to_string(x->severity),
		       x->nic ? x->nic : "", x->nic ? ": " : "", x->message);
		if (x->recommendation)
			printf("           -> %s\n", x->recommendation);
	}
}

int verb_health(const struct vnic_args *args)
{
	unsigned sec = args->interval_set ? args->interval_sec : HEALTH_DEFAULT_INTERVAL_SEC;
	struct health_findings f = {};
	struct health h = {};
	int r;

	if (!args->json && args->verbosity >= 0 && isatty(STDERR_FILENO) && sec)
		fprintf(stderr, "Sampling the counters for %u s...\n", sec);
	r = health_collect(NULL, &health_source_live, sec * 1000, &h);
	if (r < 0) {
		log_error_errno(r, "Cannot read the NICs' state: %m");
		return EXIT_FAILED;
	}
	r = health_assess(&h, &f);
	if (r < 0) {
		health_done(&h);
		log_error_errno(r, "Cannot assess the NICs' state: %m");
		return EXIT_FAILED;
	}
	if (args->json)
		print_json(&h, &f);
	else if (args->verbosity >= 0 || health_findings_worst(&f) == HEALTH_WARNING)
		print_text(&h, &f);
	r = health_findings_worst(&f) == HEALTH_WARNING ? EXIT_UNHEALTHY : EXIT_OK;
	health_findings_done(&f);
	health_done(&h);
	return r;
}
