// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "lib/macro.h"
#include "tune/tune.h"

/* What the profiles say; VMware's guidance for VMXNET3 under load: the largest rings, a queue
 * per CPU, 16 MiB socket buffers. */
#define THROUGHPUT_SOCKET_BUFFERS (16ull * 1024 * 1024)
#define SOCKET_BUFFERS_MIN (64ull * 1024)
#define SOCKET_BUFFERS_MAX (1ull << 31)

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static unsigned channel_max(const struct tune_current *cur)
{
	return cur->channels.combined_max ? cur->channels.combined_max : cur->channels.rx_max;
}

static unsigned channel_now(const struct tune_current *cur)
{
	return cur->channels.combined_max ? cur->channels.combined : cur->channels.rx;
}

static int apply_profile(const char *profile, const struct tune_current *cur, struct tune_plan *p,
			 const char **why)
{
	if (!profile)
		return 0;
	if (!streq(profile, "throughput")) {
		*why = "unknown --profile (known: throughput)";
		return -EINVAL;
	}
	if (cur->has_rings) {
		p->rx_ring = cur->rings.rx_max;
		p->tx_ring = cur->rings.tx_max;
	}
	if (cur->has_channels && cur->cpus)
		p->channels = min_u(cur->cpus, channel_max(cur));
	p->socket_buffers = THROUGHPUT_SOCKET_BUFFERS;
	return 0;
}

static int apply_explicit(const struct tune_request *req, const struct tune_current *cur,
			  struct tune_plan *p, const char **why)
{
	if ((req->rx_ring || req->tx_ring) && !cur->has_rings) {
		*why = "the driver does not report its rings";
		return -EOPNOTSUPP;
	}
	if (req->rx_ring > cur->rings.rx_max || req->tx_ring > cur->rings.tx_max) {
		*why = "a ring size above the device's maximum (see 'vnic-install health')";
		return -EINVAL;
	}
	if (req->channels && (!cur->has_channels || req->channels > channel_max(cur))) {
		*why = "more channels than the device allows (see 'vnic-install health')";
		return -EINVAL;
	}
	if (req->socket_buffers &&
	    (req->socket_buffers < SOCKET_BUFFERS_MIN || req->socket_buffers > SOCKET_BUFFERS_MAX)) {
		*why = "--socket-buffers must be between 65536 and 2147483648 bytes";
		return -EINVAL;
	}
	if (req->rx_ring)
		p->rx_ring = req->rx_ring;
	if (req->tx_ring)
		p->tx_ring = req->tx_ring;
	if (req->channels)
		p->channels = req->channels;
	if (req->socket_buffers)
		p->socket_buffers = req->socket_buffers;
	return 0;
}

int tune_decide(const struct tune_request *req, const struct tune_current *cur,
		struct tune_plan *ret, const char **ret_why)
{
	struct tune_plan p = {
		.old_rx_ring = cur->rings.rx,
		.old_tx_ring = cur->rings.tx,
		.old_channels = channel_now(cur),
		.channels_combined = cur->channels.combined_max > 0,
	};
	int r;

	r = apply_profile(req->profile, cur, &p, ret_why);
	if (r >= 0)
		r = apply_explicit(req, cur, &p, ret_why);
	if (r < 0)
		return r;
	if (p.rx_ring == p.old_rx_ring)
		p.rx_ring = 0;
	if (p.tx_ring == p.old_tx_ring)
		p.tx_ring = 0;
	if (p.channels == p.old_channels)
		p.channels = 0;
	if (p.socket_buffers && (int64_t)p.socket_buffers == cur->rmem_max &&
	    (int64_t)p.socket_buffers == cur->wmem_max)
		p.socket_buffers = 0;
	*ret = p;
	return 0;
}

bool tune_plan_empty(const struct tune_plan *p)
{
	return !p->rx_ring && !p->tx_ring && !p->channels && !p->socket_buffers;
}
