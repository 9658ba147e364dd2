/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `vnic-install tune` changes, decided from what the NIC allows: ring sizes, channel
 * counts, the TCP socket buffer limits; and the files that keep them across a reboot:
 *   a systemd .link file for the NIC (udev applies ring and channel settings from it when the
 *   NIC appears, whatever configures its addresses), which carries over the [Link] section of
 *   the .link file udev applies to the NIC today, so that its name stays what it is;
 *   /etc/sysctl.d/60-vnic-tune.conf for the socket buffers.
 * Nothing here prints or touches the system.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "system/ethtool.h"

#define TUNE_SYSCTL_FILE "/etc/sysctl.d/60-vnic-tune.conf"
#define TUNE_LINK_DIR "/etc/systemd/network"

/* What the user asked; 0: leave it. */
struct tune_request {
	unsigned rx_ring, tx_ring, channels;
	uint64_t socket_buffers; /* bytes */
	const char *profile;     /* "throughput", or NULL */
};

/* What the NIC has now and allows. */
struct tune_current {
	struct eth_rings rings;
	struct eth_channels channels;
	bool has_rings, has_channels;
	unsigned cpus;
	int64_t rmem_max, wmem_max;                 /* -1 unknown */
	char tcp_rmem[64], tcp_wmem[64];            /* "4096 131072 6291456" */
};

/* The settings to apply: for each, the old and the new value. */
struct tune_plan {
	unsigned rx_ring, tx_ring, channels;         /* new (0: unchanged) */
	unsigned old_rx_ring, old_tx_ring, old_channels;
	bool channels_combined;                      /* combined, else rx/tx */
	uint64_t socket_buffers;                     /* new limit (0: unchanged) */
};

/*
 * The profile's values, clamped to what the NIC allows; then the explicit values on top. An
 * explicit value the NIC cannot take is -EINVAL with *ret_why (static text) saying which.
 * Values equal to the current ones are left out. Returns 0 or -errno.
 */
int tune_decide(const struct tune_request *req, const struct tune_current *cur,
		struct tune_plan *ret, const char **ret_why);
bool tune_plan_empty(const struct tune_plan *p);

/*
 * The .link file for the NIC with permanent MAC mac: [Match] on it, the [Link] section of
 * current_link (the text of the .link file udev applies today, or NULL) without its ring and
 * channel settings, then ours. Returns 0 or -ENOMEM; *ret to free.
 */
int tune_link_file(const char *mac, const char *current_link, const char *current_path,
		   const struct tune_plan *p, char **ret);
/*
 * The name of our .link file: it must sort before the one udev applies today
 * (current_path's file name, e.g. "99-default.link", "10-netplan-ens192.link"), so
 * "NN-vnic-tune-IF.link" with NN one below its number (00 at least). *ret to free.
 */
int tune_link_name(const char *ifname, const char *current_path, char **ret);
/* The sysctl.d file's text. *ret to free. */
int tune_sysctl_file(const struct tune_plan *p, const struct tune_current *cur, char **ret);
/* "4096 131072 6291456" with the last field replaced by max. */
int tune_tcp_mem(const char *cur, uint64_t max, char *buf, size_t size);
