/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a NIC is a port of a bond or bridge that carries traffic: bonding's own view of the
 * port's link (bonding_slave/mii_status "up"), or the bridge port's STP state (brport/state
 * forwarding). A bond whose last usable port leaves loses its carrier, and systemd-networkd
 * drops the static configuration of a link that loses its carrier: the swap makes sure the
 * port that stays is usable before the other one leaves.
 */
#pragma once

/* The master of port (its sysfs "master" link): 0 and *ret the name, -ENOENT when port is no
 * port, -errno. */
int port_master(const char *root, const char *port, char **ret);
/* 1: port is a usable port of its master; 0: not (yet); -errno. sysfs is read under root. */
int port_ready(const char *root, const char *port);
/* Makes port a port of master (live, rtnetlink), whatever state it finds it in: nothing when it
 * is one already; taken down first for a bond (bonding takes a port that is down only, and
 * brings it up), brought up after for a bridge (which does not). 0 or -errno. */
int port_join(const char *port, const char *master);
/* Polls port_ready() every 50 ms for up to timeout_ms: 0 once ready, -ETIMEDOUT, -errno. */
int port_wait(const char *root, const char *port, unsigned timeout_ms);
