/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The health of the VMXNET3 NICs: what each one runs with (driver, rings, channels), the
 * counters that show trouble sampled twice over an interval, the interrupt rate of each of its
 * vectors, open-vm-tools, and the kernel's socket buffer limits; then findings, each with a
 * plain recommendation. Changes nothing. Nothing here prints.
 *
 * The live facts come through struct health_source, so that tests inject their own; files
 * (/proc, /sys) are read under a root.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "system/ethtool.h"
#include "system/vmtools.h"

/* Counters that show trouble, summed over the queues, by what they mean rather than by the
 * name a driver gives them (vnic's driver and the kernel's name them differently). */
enum health_counter {
	HC_RX_PACKETS,
	HC_RX_NO_BUFFER, /* the device had no receive buffer: the ring was empty */
	HC_RX_ALLOC_FAIL,
	HC_RX_ERRORS,
	HC_RX_DROPPED,   /* the kernel's rx_dropped (ip -s link) */
	HC_TX_PACKETS,
	HC_TX_STOPS,     /* the transmit ring was full and the queue stopped */
	HC_TX_DROPS,
	HC_TX_ERRORS,
	HC_TX_TIMEOUTS,
	HC_RESETS,
	_HC_MAX,
};

struct health_irq {
	char name[64];  /* "ens192-rx-0" */
	uint64_t count; /* summed over the CPUs */
};

struct health_sample {
	int64_t counter[_HC_MAX]; /* -1: the driver does not count it */
	struct health_irq *irqs;
	size_t n_irqs;
	uint64_t at_ms; /* CLOCK_MONOTONIC */
};

struct health_nic {
	char *name;
	char *backend; /* the owning configuration backend, or NULL */
	struct eth_driver driver;
	bool has_driver, has_rings, has_channels;
	struct eth_rings rings;
	struct eth_channels channels;
	struct health_sample before, after;
};

struct health_sysctl {
	int64_t rmem_max, wmem_max;             /* net.core.*; -1 unknown */
	int64_t tcp_rmem_max, tcp_wmem_max;     /* the third field of net.ipv4.tcp_[rw]mem */
};

struct health {
	struct health_nic *nics; /* the VMXNET3 NICs, sorted by name */
	size_t n_nics;
	char **e1000s;           /* E1000/E1000E interfaces still there (strv) */
	struct health_sysctl sysctl;
	struct vmtools tools;    /* open-vm-tools, and whether this is a VMware VM */
	unsigned cpus;           /* online CPUs */
	unsigned interval_ms;
};

/* The live facts, injectable. */
struct health_source {
	int (*driver)(const char *ifname, struct eth_driver *ret);
	int (*rings)(const char *ifname, struct eth_rings *ret);
	int (*channels)(const char *ifname, struct eth_channels *ret);
	int (*stats)(const char *ifname, struct eth_stats *ret);
	void (*sleep_ms)(unsigned ms);
	uint64_t (*now_ms)(void);
};
/* The kernel's (SIOCETHTOOL), a real sleep and CLOCK_MONOTONIC. */
extern const struct health_source health_source_live;

/*
 * Collects the health of every VMXNET3 NIC under root (sysfs, /proc), sampling the counters
 * interval_ms apart. Returns 0 or -errno.
 */
int health_collect(const char *root, const struct health_source *src, unsigned interval_ms,
		   struct health *ret);
void health_done(struct health *h);

/* Classifies one ethtool statistic name; -1 when it is none of the counters above. */
int health_counter_from_stat(const char *name);
const char *health_counter_to_string(enum health_counter c);

/* What health_collect() read, turned into findings. */
enum health_severity {
	HEALTH_OK,
	HEALTH_INFO,    /* a recommendation that may help */
	HEALTH_WARNING, /* something is wrong now */
};

struct health_finding {
	enum health_severity severity;
	const char *id;        /* stable: "rx-no-buffer", "tools-missing", ... */
	char *nic;             /* or NULL for the system */
	char *message;         /* what was seen, with figures */
	char *recommendation;  /* what to do, or NULL */
};

struct health_findings {
	struct health_finding *v;
	size_t n;
};

int health_assess(const struct health *h, struct health_findings *ret);
void health_findings_done(struct health_findings *f);
const char *health_severity_to_string(enum health_severity s);
/* The worst severity among the findings. */
enum health_severity health_findings_worst(const struct health_findings *f);
/* The change of counter c over the sample, or -1 when the driver does not count it. */
int64_t health_delta(const struct health_nic *n, enum health_counter c);
