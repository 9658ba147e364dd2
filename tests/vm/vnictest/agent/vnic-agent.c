// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnic-agent: the command channel of the initramfs test guest.
 *
 * Runs in the guest on a virtio-serial port (or any character device given as argv[1]) and
 * executes shell commands for the host, independent of the guest's network. Built statically
 * at test time (gcc -static), so the initramfs needs nothing but busybox and this file.
 *
 * Protocol (binary-safe, one request at a time):
 *   host  -> guest: "EXEC <id> <timeout_s> <cmdlen> <inlen>\n" <cmd bytes> <stdin bytes>
 *   guest -> host:  "RET <id> <rc> <outlen> <errlen>\n" <stdout bytes> <stderr bytes>
 *   host  -> guest: "PING <id> 0 0 0\n"
 *   guest -> host:  "PONG <id> 0 0 0\n"
 * At start the agent sends "HELLO 0 0 0 0\n". rc is the exit status, 128+N for a signal,
 * 124 when the timeout (0 = none) killed the command's process group. Lines that do not parse
 * are skipped, so the host can resynchronise by sending a PING with a fresh id.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 256

static int port = -1;
static unsigned char rbuf[65536];
static size_t rpos, rlen;

static int read_byte(void)
{
	if (rpos == rlen) {
		ssize_t n;

		do
			n = read(port, rbuf, sizeof(rbuf));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		if (n == 0) {
			/* Host side not connected: wait and retry. */
			usleep(100000);
			return -EAGAIN;
		}
		rpos = 0;
		rlen = (size_t)n;
	}
	return rbuf[rpos++];
}

static int read_exact(char *dst, size_t len)
{
	size_t done = 0;

	while (done < len) {
		int c = read_byte();

		if (c == -EAGAIN)
			continue;
		if (c < 0)
			return c;
		dst[done++] = (char)c;
	}
	return 0;
}

static int read_line(char *line, size_t size)
{
	size_t n = 0;

	for (;;) {
		int c = read_byte();

		if (c == -EAGAIN)
			continue;
		if (c < 0)
			return c;
		if (c == '\n')
			break;
		if (n + 1 < size)
			line[n++] = (char)c;
	}
	line[n] = '\0';
	return (int)n;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				usleep(1000);
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int tmpfile_fd(void)
{
	char path[] = "/tmp/.vnic-agent-XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

static void send_header(const char *word, unsigned long id, long a, long long b, long long c)
{
	char hdr[MAX_LINE];
	int n = snprintf(hdr, sizeof(hdr), "%s %lu %ld %lld %lld\n", word, id, a, b, c);

	write_all(port, hdr, (size_t)n);
}

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

static void do_exec(unsigned long id, long timeout, size_t cmdlen, size_t inlen)
{
	char *cmd = malloc(cmdlen + 1), *in = malloc(inlen + 1);
	int fd_in = tmpfile_fd(), fd_out = tmpfile_fd(), fd_err = tmpfile_fd();
	int status = 0, rc;
	pid_t pid;

	if (!cmd || !in || read_exact(cmd, cmdlen) < 0 || read_exact(in, inlen) < 0)
		exit(2); /* lost the stream: init restarts us */
	cmd[cmdlen] = '\0';
	if (fd_in < 0 || fd_out < 0 || fd_err < 0 || write_all(fd_in, in, inlen) < 0) {
		const char msg[] = "vnic-agent: cannot create temporary files in /tmp\n";

		send_header("RET", id, 125, 0, (long long)sizeof(msg) - 1);
		write_all(port, msg, sizeof(msg) - 1);
		goto out;
	}
	lseek(fd_in, 0, SEEK_SET);

	pid = fork();
	if (pid == 0) {
		setsid();
		dup2(fd_in, 0);
		dup2(fd_out, 1);
		dup2(fd_err, 2);
		signal(SIGALRM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* busybox sh prefers its applets over PATH: /etc/vnic/env.sh defines functions
		 * that call the real tools copied into the initramfs (ip from iproute2...). */
		if (access("/etc/vnic/env.sh", R_OK) == 0) {
			char *full = malloc(cmdlen + 64);

			if (full) {
				snprintf(full, cmdlen + 64, ". /etc/vnic/env.sh\n%s", cmd);
				cmd = full;
			}
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	alarm_fired = 0;
	if (timeout > 0)
		alarm((unsigned int)timeout);
	for (;;) {
		pid_t r = waitpid(pid, &status, 0);

		if (r == pid)
			break;
		if (r < 0 && errno == EINTR && alarm_fired) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			alarm_fired = 0;
			continue;
		}
		if (r < 0 && errno != EINTR) {
			status = 127 << 8;
			break;
		}
	}
	alarm(0);
	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		rc = WTERMSIG(status) == SIGKILL && timeout > 0 ? 124 : 128 + WTERMSIG(status);
	else
		rc = 125;

	{
		struct stat so, se;

		fstat(fd_out, &so);
		fstat(fd_err, &se);
		send_header("RET", id, rc, (long long)so.st_size, (long long)se.st_size);
		/* Background children may still append: send exactly the announced sizes. */
		{
			char buf[65536];
			long long left[2] = { so.st_size, se.st_size };
			int fds[2] = { fd_out, fd_err };

			for (int i = 0; i < 2; i++) {
				lseek(fds[i], 0, SEEK_SET);
				while (left[i] > 0) {
					size_t want = left[i] > (long long)sizeof(buf) ? sizeof(buf) : (size_t)left[i];
					ssize_t n = read(fds[i], buf, want);

					if (n <= 0) {
						memset(buf, 0, want);
						n = (ssize_t)want;
					}
					write_all(port, buf, (size_t)n);
					left[i] -= n;
				}
			}
		}
	}
out:
	if (fd_in >= 0)
		close(fd_in);
	if (fd_out >= 0)
		close(fd_out);
	if (fd_err >= 0)
		close(fd_err);
	free(cmd);
	free(in);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char line[MAX_LINE];

	if (argc != 2) {
		fprintf(stderr, "usage: vnic-agent DEVICE\n");
		return 2;
	}
	port = open(argv[1], O_RDWR | O_CLOEXEC);
	if (port < 0) {
		fprintf(stderr, "vnic-agent: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	send_header("HELLO", 0, 0, 0, 0);

	for (;;) {
		char word[16];
		unsigned long id;
		long a;
		long long b, c;
		int r = read_line(line, sizeof(line));

		if (r < 0) {
			fprintf(stderr, "vnic-agent: read: %s\n", strerror(-r));
			return 1;
		}
		if (sscanf(line, "%15s %lu %ld %lld %lld", word, &id, &a, &b, &c) != 5)
			continue;
		if (!strcmp(word, "PING"))
			send_header("PONG", id, 0, 0, 0);
		else if (!strcmp(word, "EXEC") && b >= 0 && c >= 0)
			do_exec(id, a, (size_t)b, (size_t)c);
	}
}
