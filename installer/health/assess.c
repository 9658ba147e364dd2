// SPDX-License-Identifier: GPL-2.0-or-later
/* From what health_collect() read to findings, each with a recommendation. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/health.h"
#include "lib/macro.h"

/* The limit VMware's tuning guidance and most 10/25 GbE guides give for socket buffers. */
#define SOCKET_BUFFER_GOOD (16ll * 1024 * 1024)
#define FINDINGS_MAX 256u

static int64_t max0(int64_t v)
{
	return v > 0 ? v : 0;
}

struct assess {
	const struct health *h;
	struct health_findings *f;
	int r;
};

_printf_(5, 6) static void add(struct assess *a, enum health_severity sev, const char *id,
			       const char *nic, const char *fmt, ...)
{
	struct health_finding *x;
	va_list ap;

	if (a->r < 0 || a->f->n >= FINDINGS_MAX)
		return;
	x = &a->f->v[a->f->n];
	*x = (struct health_finding){ .severity = sev, .id = id };
	va_start(ap, fmt);
	if (vasprintf(&x->message, fmt, ap) < 0)
		x->message = NULL;
	va_end(ap);
	x->nic = nic ? strdup(nic) : NULL;
	if (!x->message || (nic && !x->nic)) {
		free(x->message);
		free(x->nic);
		a->r = -ENOMEM;
		return;
	}
	a->f->n++;
}

/* The recommendation of the finding added last. */
_printf_(2, 3) static void advise(struct assess *a, const char *fmt, ...)
{
	struct health_finding *x;
	va_list ap;
	int r;

	if (a->r < 0 || !a->f->n)
		return;
	x = &a->f->v[a->f->n - 1];
	va_start(ap, fmt);
	r = vasprintf(&x->recommendation, fmt, ap);
	va_end(ap);
	if (r < 0) {
		x->recommendation = NULL;
		a->r = -ENOMEM;
	}
}

static double seconds(const struct health *h)
{
	return h->interval_ms / 1000.0;
}

static void assess_rx(struct assess *a, const struct health_nic *n)
{
	int64_t oob = health_delta(n, HC_RX_NO_BUFFER), total = n->after.counter[HC_RX_NO_BUFFER];
	int64_t dropped = health_delta(n, HC_RX_DROPPED);

	if (oob > 0) {
		add(a, HEALTH_WARNING, "rx-no-buffer", n->name,
		    "%" PRId64 " packets dropped for lack of receive buffers in %.0f s (rx ring %u of "
		    "%u)", oob, seconds(a->h), n->rings.rx, n->rings.rx_max);
		if (n->has_rings && n->rings.rx < n->rings.rx_max)
			advise(a, "raise it: vnic-install tune --to %s --rx-ring %u", n->name,
			       n->rings.rx_max);
		else
			advise(a, "the rx ring is at its maximum: spread receive over more queues "
			       "(vnic-install tune --to %s --channels N) or give the VM more CPU",
			       n->name);
	} else if (total > 0) {
		add(a, HEALTH_INFO, "rx-no-buffer-earlier", n->name,
		    "%" PRId64 " packets dropped for lack of receive buffers since the driver "
		    "loaded, none in the %.0f s sample", total, seconds(a->h));
	} else if (oob < 0 && dropped > 0) {
		add(a, HEALTH_WARNING, "rx-dropped", n->name,
		    "%" PRId64 " received packets dropped in %.0f s (the driver does not say why)",
		    dropped, seconds(a->h));
	}
	if (health_delta(n, HC_RX_ALLOC_FAIL) > 0)
		add(a, HEALTH_WARNING, "rx-alloc-fail", n->name,
		    "%" PRId64 " receive buffer allocations failed in %.0f s: the guest is short of "
		    "memory", health_delta(n, HC_RX_ALLOC_FAIL), seconds(a->h));
}

static void assess_tx(struct assess *a, const struct health_nic *n)
{
	int64_t stops = health_delta(n, HC_TX_STOPS);

	if (stops > 0) {
		add(a, HEALTH_INFO, "tx-stops", n->name,
		    "the transmit queue stopped %" PRId64 " times in %.0f s, its ring full (tx "
		    "ring %u of %u)", stops, seconds(a->h), n->rings.tx, n->rings.tx_max);
		if (n->has_rings && n->rings.tx < n->rings.tx_max)
			advise(a, "raise it: vnic-install tune --to %s --tx-ring %u", n->name,
			       n->rings.tx_max);
	}
}

static void assess_errors(struct assess *a, const struct health_nic *n)
{
	static const enum health_counter errs[] = { HC_RX_ERRORS, HC_TX_ERRORS, HC_TX_DROPS };

	for (size_t i = 0; i < ELEMENTSOF(errs); i++)
		if (health_delta(n, errs[i]) > 0)
			add(a, HEALTH_WARNING, health_counter_to_string(errs[i]), n->name,
			    "%" PRId64 " %s in %.0f s", health_delta(n, errs[i]),
			    health_counter_to_string(errs[i]), seconds(a->h));
	if (n->after.counter[HC_TX_TIMEOUTS] > 0 || n->after.counter[HC_RESETS] > 0) {
		add(a, HEALTH_WARNING, "resets", n->name,
		    "the device was reset %" PRId64 " times (%" PRId64 " transmit timeouts) since "
		    "the driver loaded", max0(n->after.counter[HC_RESETS]),
		    max0(n->after.counter[HC_TX_TIMEOUTS]));
		advise(a, "look in the kernel log (journalctl -k) for %s", n->name);
	}
}

static void assess_channels(struct assess *a, const struct health_nic *n)
{
	unsigned have = n->channels.combined + n->channels.rx;
	unsigned max = n->channels.combined_max + n->channels.rx_max;
	unsigned want = a->h->cpus < max ? a->h->cpus : max;

	if (!n->has_channels || a->h->cpus < 2 || have >= want)
		return;
	add(a, HEALTH_INFO, "channels", n->name, "%u receive queue%s for %u CPUs (up to %u)",
	    have, have == 1 ? "" : "s", a->h->cpus, max);
	advise(a, "spread the load over %u queues: vnic-install tune --to %s --channels %u", want,
	       n->name, want);
}

static void assess_sockets(struct assess *a, const struct health_sysctl *s)
{
	const struct {
		const char *name;
		int64_t v;
	} limits[] = {
		{ "net.core.rmem_max", s->rmem_max },
		{ "net.core.wmem_max", s->wmem_max },
		{ "net.ipv4.tcp_rmem (max)", s->tcp_rmem_max },
		{ "net.ipv4.tcp_wmem (max)", s->tcp_wmem_max },
	};
	char low[256] = "";
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(limits); i++)
		if (limits[i].v >= 0 && limits[i].v < SOCKET_BUFFER_GOOD)
			n += (size_t)snprintf(low + n, n < sizeof(low) ? sizeof(low) - n : 0,
					      "%s%s %" PRId64, n ? ", " : "", limits[i].name,
					      limits[i].v);
	if (!n)
		return;
	add(a, HEALTH_INFO, "socket-buffers", NULL, "socket buffer limits below %lld bytes, "
	    "which fast TCP needs: %s", SOCKET_BUFFER_GOOD, low);
	advise(a, "raise them: vnic-install tune --socket-buffers %lld (or --profile throughput)",
	       SOCKET_BUFFER_GOOD);
}

static void assess_system(struct assess *a)
{
	const struct health *h = a->h;
	const struct health_sysctl *s = &h->sysctl;

	for (char **e = h->e1000s; e && *e; e++) {
		add(a, HEALTH_INFO, "e1000", *e, "%s is an emulated E1000 NIC", *e);
		advise(a, h->n_nics ? "move its configuration to the VMXNET3 NIC: vnic-install swap "
				      "--from %s" :
				      "add a VMXNET3 adapter to the VM, then: vnic-install swap "
				      "--from %s", *e);
	}
	if (!h->tools.installed) {
		add(a, h->tools.vmware ? HEALTH_WARNING : HEALTH_INFO, "tools-missing", NULL,
		    "open-vm-tools is not installed%s", h->tools.vmware ? "" : " (this is not a VMware VM)");
		if (h->tools.vmware)
			advise(a, h->e1000s ? "install it with the swap: vnic-install swap --install-tools" :
					      "install open-vm-tools with the distribution's package manager");
	} else if (!h->tools.running) {
		add(a, h->tools.vmware ? HEALTH_WARNING : HEALTH_INFO, "tools-stopped", NULL,
		    "open-vm-tools (vmtoolsd) is not running");
		advise(a, "start it: systemctl enable --now open-vm-tools (vmtoolsd on RHEL and "
		       "SUSE)");
	}
	assess_sockets(a, s);
}

int health_assess(const struct health *h, struct health_findings *ret)
{
	struct health_findings f = { .v = calloc(FINDINGS_MAX, sizeof(*f.v)) };
	struct assess a = { .h = h, .f = &f };

	if (!f.v)
		return -ENOMEM;
	for (size_t i = 0; i < h->n_nics; i++) {
		assess_rx(&a, &h->nics[i]);
		assess_tx(&a, &h->nics[i]);
		assess_errors(&a, &h->nics[i]);
		assess_channels(&a, &h->nics[i]);
	}
	assess_system(&a);
	if (a.r < 0) {
		health_findings_done(&f);
		return a.r;
	}
	*ret = f;
	return 0;
}

void health_findings_done(struct health_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].nic);
		free(f->v[i].message);
		free(f->v[i].recommendation);
	}
	free(f->v);
	*f = (struct health_findings){};
}

const char *health_severity_to_string(enum health_severity s)
{
	static const char *const names[] = { "ok", "info", "warning" };

	return s < ELEMENTSOF(names) ? names[s] : "?";
}

enum health_severity health_findings_worst(const struct health_findings *f)
{
	enum health_severity w = HEALTH_OK;

	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].severity > w)
			w = f->v[i].severity;
	return w;
}
