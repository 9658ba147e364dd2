// SPDX-License-Identifier: GPL-2.0-or-later
/* A bond or bridge port's readiness from sysfs (port.h). */
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "system/port.h"
#include "system/rtnl.h"

/* The first line of root/sys/class/net/port/rel, or NULL with -ENOENT when it is not there. */
static int read_attr(const char *root, const char *port, const char *rel, char **ret)
{
	_cleanup_free_ char *path = NULL;
	size_t size;
	int r;

	if (asprintf(&path, "%s/sys/class/net/%s/%s", root_is_host(root) ? "" : root, port, rel) < 0)
		return -ENOMEM;
	r = read_full_file(path, 4096, ret, &size);
	if (r < 0)
		return r;
	(*ret)[strcspn(*ret, "\n")] = 0;
	return 0;
}

int port_master(const char *root, const char *port, char **ret)
{
	_cleanup_free_ char *path = NULL;
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (!port || !*port || strchr(port, '/') || streq(port, ".") || streq(port, ".."))
		return -EINVAL;
	if (asprintf(&path, "%s/sys/class/net/%s/master", root_is_host(root) ? "" : root, port) < 0)
		return -ENOMEM;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	base = strrchr(target, '/');
	*ret = strdup(base ? base + 1 : target);
	return *ret ? 0 : -ENOMEM;
}

int port_ready(const char *root, const char *port)
{
	_cleanup_free_ char *v = NULL;
	int r;

	if (!port || !*port || strchr(port, '/') || streq(port, ".") || streq(port, ".."))
		return -EINVAL;
	r = read_attr(root, port, "bonding_slave/mii_status", &v);
	if (r == 0)
		return streq(v, "up");
	if (r != -ENOENT)
		return r;
	/* BR_STATE_FORWARDING */
	r = read_attr(root, port, "brport/state", &v);
	if (r == 0)
		return streq(v, "3");
	return r == -ENOENT ? 0 : r;
}

/* One RTM_NEWLINK for ifindex: its master (master_ifindex >= 0) or its IFF_UP flag (up >= 0). */
static int link_set(int ifindex, int master_ifindex, int up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = up ? IFF_UP : 0;
	}
	if (master_ifindex >= 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_ifindex);
	return rtnl_talk(nlh, NULL, NULL);
}

int port_join(const char *port, const char *master)
{
	_cleanup_free_ char *now = NULL, *bonding = NULL;
	int port_index, master_index, r;
	bool bond;

	r = port_master(NULL, port, &now);
	if (r == 0 && streq(now, master))
		return 0;
	if (r < 0 && r != -ENOENT)
		return r;
	port_index = (int)if_nametoindex(port);
	master_index = (int)if_nametoindex(master);
	if (port_index <= 0 || master_index <= 0 || strchr(master, '/'))
		return -ENODEV;
	if (asprintf(&bonding, "/sys/class/net/%s/bonding", master) < 0)
		return -ENOMEM;
	bond = access(bonding, F_OK) == 0;
	if (bond && (r = link_set(port_index, -1, 0)) < 0)
		return r;
	r = link_set(port_index, master_index, -1);
	if (r >= 0 && !bond)
		r = link_set(port_index, -1, 1);
	return r;
}

int port_wait(const char *root, const char *port, unsigned timeout_ms)
{
	const uint64_t end = now_ms() + timeout_ms;

	for (;;) {
		int r = port_ready(root, port);

		if (r != 0)
			return r < 0 ? r : 0;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
}
