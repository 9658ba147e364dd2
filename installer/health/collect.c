// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <unistd.h>

#include "lib/clock.h"
#include "health/health.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/strv.h"
#include "netcfg/netcfg.h"
#include "system/nic.h"
#include "system/vmtools.h"
#include "verbs/owner.h"

#define HEALTH_IRQS_MAX 256u

static void sleep_ms_real(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

const struct health_source health_source_live = {
	.driver = eth_get_driver,
	.rings = eth_get_rings,
	.channels = eth_get_channels,
	.stats = eth_get_stats,
	.sleep_ms = sleep_ms_real,
	.now_ms = now_ms,
};

/* A decimal number in a file under root, or -1. */
static int64_t read_number(const char *root, const char *path, unsigned field)
{
	_cleanup_free_ char *host = NULL, *text = NULL;
	const char *p;
	char *end;
	long long v;

	if (path_chase(root, path, 0, &host) < 0 || read_full_file(host, 4096, &text, NULL) < 0)
		return -1;
	p = text;
	for (unsigned f = 0; f < field; f++) { /* skip to the field'th number */
		while (*p && !isspace((unsigned char)*p))
			p++;
		while (isspace((unsigned char)*p))
			p++;
	}
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || end == p || v < 0)
		return -1;
	return v;
}

static int64_t sysfs_stat(const char *root, const char *ifname, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, name);
	return read_number(root, path, 0);
}

/* One line of /proc/interrupts: "  24:  10  20  PCI-MSIX-0000:0b:00.0 0-edge  ens192-rx-0".
 * The vector belongs to ifname when its last word is ifname or starts with "ifname-". */
static int irq_line(const char *line, const char *ifname, struct health_irq *ret)
{
	const char *p = strchr(line, ':'), *last;
	size_t n = strlen(ifname), len;
	uint64_t sum = 0;

	if (!p)
		return 0;
	len = strcspn(line, "\n");
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	for (last = line + len; last > line && !isspace((unsigned char)last[-1]); last--)
		;
	if ((size_t)(line + len - last) >= sizeof(ret->name) ||
	    strncmp(last, ifname, n) != 0 || (last[n] != '-' && last + n != line + len))
		return 0;
	for (p++;;) {
		char *end;
		unsigned long long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		v = strtoull(p, &end, 10);
		sum += v;
		p = end;
	}
	memcpy(ret->name, last, (size_t)(line + len - last));
	ret->name[line + len - last] = '\0';
	ret->count = sum;
	return 1;
}

static int read_irqs(const char *root, const char *ifname, struct health_sample *s)
{
	_cleanup_free_ char *host = NULL, *text = NULL;
	const char *line;

	if (path_chase(root, "/proc/interrupts", 0, &host) < 0 ||
	    read_full_file(host, READ_FILE_MAX, &text, NULL) < 0)
		return 0; /* no /proc: no interrupt figures */
	s->irqs = calloc(HEALTH_IRQS_MAX, sizeof(*s->irqs));
	if (!s->irqs)
		return -ENOMEM;
	for (line = text; *line && s->n_irqs < HEALTH_IRQS_MAX; line += strcspn(line, "\n")) {
		if (*line == '\n')
			line++;
		s->n_irqs += (size_t)irq_line(line, ifname, &s->irqs[s->n_irqs]);
	}
	return 0;
}

static int take_sample(const char *root, const struct health_source *src, const char *ifname,
		       struct health_sample *s)
{
	struct eth_stats st = {};

	for (size_t c = 0; c < _HC_MAX; c++)
		s->counter[c] = -1;
	if (src->stats(ifname, &st) >= 0) {
		for (size_t i = 0; i < st.n; i++) {
			int c = health_counter_from_stat(st.names[i]);

			if (c < 0)
				continue;
			s->counter[c] = (s->counter[c] < 0 ? 0 : s->counter[c]) +
					(int64_t)st.values[i];
		}
		eth_stats_done(&st);
	}
	s->counter[HC_RX_PACKETS] = sysfs_stat(root, ifname, "rx_packets");
	s->counter[HC_TX_PACKETS] = sysfs_stat(root, ifname, "tx_packets");
	s->counter[HC_RX_DROPPED] = sysfs_stat(root, ifname, "rx_dropped");
	s->at_ms = src->now_ms();
	return read_irqs(root, ifname, s);
}

/* "0-3,6\n" -> 5. */
static unsigned online_cpus(const char *root)
{
	_cleanup_free_ char *host = NULL, *text = NULL;
	unsigned n = 0;
	char *p;

	if (path_chase(root, "/sys/devices/system/cpu/online", 0, &host) < 0 ||
	    read_full_file(host, 4096, &text, NULL) < 0)
		return 0;
	for (p = text; isdigit((unsigned char)*p);) {
		unsigned long a = strtoul(p, &p, 10), b = a;

		if (*p == '-')
			b = strtoul(p + 1, &p, 10);
		if (b >= a && b - a < 65536)
			n += (unsigned)(b - a + 1);
		if (*p != ',')
			break;
		p++;
	}
	return n;
}

static void read_system(const char *root, struct health *h)
{
	h->sysctl.rmem_max = read_number(root, "/proc/sys/net/core/rmem_max", 0);
	h->sysctl.wmem_max = read_number(root, "/proc/sys/net/core/wmem_max", 0);
	h->sysctl.tcp_rmem_max = read_number(root, "/proc/sys/net/ipv4/tcp_rmem", 2);
	h->sysctl.tcp_wmem_max = read_number(root, "/proc/sys/net/ipv4/tcp_wmem", 2);
	vmtools_detect(root, true, &h->tools);
	h->cpus = online_cpus(root);
}

static int add_nic(const char *root, const struct health_source *src, struct nic *n,
		   struct health *h)
{
	struct health_nic *hn = &h->nics[h->n_nics];
	struct netcfg_error err = {};

	*hn = (struct health_nic){ .name = strdup(n->name) };
	if (!hn->name)
		return -ENOMEM;
	h->n_nics++;
	if (nic_owner_find(root, root_is_host(root), n, &err) >= 0 && n->backend) {
		hn->backend = strdup(n->backend);
		if (!hn->backend)
			return -ENOMEM;
	}
	netcfg_error_done(&err);
	hn->has_driver = src->driver(n->name, &hn->driver) >= 0;
	hn->has_rings = src->rings(n->name, &hn->rings) >= 0;
	hn->has_channels = src->channels(n->name, &hn->channels) >= 0;
	return 0;
}

static int collect_nics(const char *root, const struct health_source *src, struct health *h)
{
	struct nic_list l = {};
	int r;

	r = nic_list_detect(root, false, &l);
	if (r < 0)
		return r;
	h->nics = calloc(l.n ? l.n : 1, sizeof(*h->nics));
	h->e1000s = calloc(1, sizeof(char *));
	r = h->nics && h->e1000s ? 0 : -ENOMEM;
	for (size_t i = 0; r >= 0 && i < l.n; i++) {
		struct nic *n = &l.nics[i];

		if (n->model == NIC_MODEL_VMXNET3)
			r = add_nic(root, src, n, h);
		else if (n->model == NIC_MODEL_E1000 || n->model == NIC_MODEL_E1000E)
			r = strv_push(&h->e1000s, n->name);
	}
	nic_list_done(&l);
	return r;
}

int health_collect(const char *root, const struct health_source *src, unsigned interval_ms,
		   struct health *ret)
{
	struct health h = { .interval_ms = interval_ms };
	int r;

	r = collect_nics(root, src, &h);
	read_system(root, &h);
	for (size_t i = 0; r >= 0 && i < h.n_nics; i++)
		r = take_sample(root, src, h.nics[i].name, &h.nics[i].before);
	if (r >= 0 && h.n_nics && interval_ms)
		src->sleep_ms(interval_ms);
	for (size_t i = 0; r >= 0 && i < h.n_nics; i++)
		r = take_sample(root, src, h.nics[i].name, &h.nics[i].after);
	if (r < 0) {
		health_done(&h);
		return r;
	}
	*ret = h;
	return 0;
}

void health_done(struct health *h)
{
	for (size_t i = 0; i < h->n_nics; i++) {
		free(h->nics[i].name);
		free(h->nics[i].backend);
		free(h->nics[i].before.irqs);
		free(h->nics[i].after.irqs);
	}
	free(h->nics);
	strv_free(h->e1000s);
	*h = (struct health){};
}

int64_t health_delta(const struct health_nic *n, enum health_counter c)
{
	if (n->before.counter[c] < 0 || n->after.counter[c] < 0)
		return -1;
	/* A counter that went back (the driver was reloaded) counts from zero. */
	if (n->after.counter[c] < n->before.counter[c])
		return n->after.counter[c];
	return n->after.counter[c] - n->before.counter[c];
}
