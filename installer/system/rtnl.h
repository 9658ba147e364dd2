/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One rtnetlink request and its replies (netlink.c), for the readers of live link facts. */
#pragma once

#include <libmnl/libmnl.h>

/* Sends nlh and feeds every reply to cb until the dump (or ack) ends: 0 or -errno. */
int rtnl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
