// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnx-tstamp IFNAME ADDR: send one UDP datagram to ADDR port 9 through IFNAME with software
 * transmit timestamps requested (SO_TIMESTAMPING), and wait up to two seconds for the
 * timestamp on the socket's error queue. The driver produces it with skb_tx_timestamp().
 * Prints "tx timestamp <sec>.<nsec>" and exits 0, or says what is missing and exits 1.
 * Built statically by the driver tests and run in the busybox guest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int open_socket(const char *ifname, const char *addr, struct sockaddr_in *dst)
{
	int flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
		    SOF_TIMESTAMPING_OPT_TSONLY;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags))) {
		int err = -errno;

		close(fd);
		return err;
	}
	memset(dst, 0, sizeof(*dst));
	dst->sin_family = AF_INET;
	dst->sin_port = htons(9);
	if (inet_pton(AF_INET, addr, &dst->sin_addr) != 1) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* 0 and *ret_ts on a software timestamp from the error queue, -errno otherwise. */
static int read_timestamp(int fd, struct timespec *ret_ts)
{
	char data[256], control[512];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control, .msg_controllen = sizeof(control) };
	struct pollfd pfd = { .fd = fd, .events = POLLERR };
	struct cmsghdr *c;

	if (poll(&pfd, 1, 2000) <= 0)
		return -ETIMEDOUT;
	if (recvmsg(fd, &msg, MSG_ERRQUEUE) < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
			struct scm_timestamping *ts = (struct scm_timestamping *)CMSG_DATA(c);

			if (!ts->ts[0].tv_sec && !ts->ts[0].tv_nsec)
				return -ENODATA;
			*ret_ts = ts->ts[0];
			return 0;
		}
	}
	return -ENOMSG;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst;
	struct timespec ts;
	int fd, err;

	if (argc != 3) {
		fprintf(stderr, "usage: vnx-tstamp IFNAME ADDR\n");
		return 2;
	}
	fd = open_socket(argv[1], argv[2], &dst);
	if (fd < 0) {
		fprintf(stderr, "socket setup: %s\n", strerror(-fd));
		return 1;
	}
	if (sendto(fd, "vnic", 4, 0, (struct sockaddr *)&dst, sizeof(dst)) != 4) {
		fprintf(stderr, "sendto: %s\n", strerror(errno));
		return 1;
	}
	err = read_timestamp(fd, &ts);
	close(fd);
	if (err) {
		fprintf(stderr, "no tx timestamp: %s\n", strerror(-err));
		return 1;
	}
	printf("tx timestamp %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	return 0;
}
