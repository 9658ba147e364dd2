// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "exec.h"
#include "macro.h"
#include "path.h"

extern char **environ;

/* The pipe ends exec_run() hands its supervisor: the parent's ends first (closed there). */
enum {
	EXEC_OUT_R,
	EXEC_ERR_R,
	EXEC_IN_W,
	EXEC_ST_R,
	EXEC_GO_W,
	EXEC_PARENT_ENDS,
	EXEC_OUT_W = EXEC_PARENT_ENDS,
	EXEC_ERR_W,
	EXEC_IN_R,
	EXEC_ST_W,
	EXEC_GO_R,
	EXEC_FDS,
};

struct sink {
	int fd;
	char *buf;
	size_t len, alloc;
};

static int sink_read(struct sink *s)
{
	char chunk[8192];
	ssize_t n = read(s->fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : negative_errno();
	if (n == 0) {
		close(s->fd);
		s->fd = -1;
		return 0;
	}
	if (s->len + (size_t)n + 1 > s->alloc) {
		size_t want = s->alloc ? s->alloc * 2 : 16384;
		char *nb;

		while (want < s->len + (size_t)n + 1)
			want *= 2;
		if (want > EXEC_OUTPUT_MAX + 1)
			want = EXEC_OUTPUT_MAX + 1;
		if (s->len + 1 >= want)
			return 0; /* full: keep draining, drop the rest */
		nb = realloc(s->buf, want);
		if (!nb)
			return -ENOMEM;
		s->buf = nb;
		s->alloc = want;
	}
	if ((size_t)n > s->alloc - s->len - 1)
		n = (ssize_t)(s->alloc - s->len - 1);
	memcpy(s->buf + s->len, chunk, (size_t)n);
	s->len += (size_t)n;
	s->buf[s->len] = 0;
	return 0;
}

/* The command itself: its stdio in place, the parent's signal choices undone, then exec. */
static void command(char *const argv[], const struct exec_opts *o, int out_w, int err_w,
		    int in_r, int status_w)
{
	int e;

	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (dup2(in_r, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		goto fail;
	if (o->chroot_dir && (chroot(o->chroot_dir) < 0 || chdir("/") < 0))
		goto fail;
	if (o->env_add)
		for (char *const *e2 = o->env_add; *e2; e2++)
			if (putenv((char *)*e2) < 0)
				goto fail;
	/* Commands run by the installer must never stop to ask a question. */
	putenv((char *)"DEBIAN_FRONTEND=noninteractive");
	execvp(argv[0], argv);
fail:
	e = errno;
	(void)!write(status_w, &e, sizeof(e));
	_exit(127);
}

static void kill_group(int sig)
{
	kill(0, SIGKILL); /* the whole process group: the command and everything it started */
	_exit(127);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Closes every descriptor but stdio and keep[]: the supervisor must not hold the lock (or any
 * other file vnic-install had open) while it outlives vnic-install by a moment.
 */
static void keep_only(const int *keep, size_t n)
{
	int v[8], m = 0, prev = 2;

	for (size_t i = 0; i < n && m < (int)ELEMENTSOF(v); i++)
		if (keep[i] > 2)
			v[m++] = keep[i];
	qsort(v, (size_t)m, sizeof(int), cmp_int);
	for (int i = 0; i < m; prev = v[i++])
		if (v[i] > prev + 1)
			close_range((unsigned)prev + 1, (unsigned)v[i] - 1, 0);
	close_range((unsigned)prev + 1, ~0u, 0);
}

/*
 * The child vnic-install forks for each command: it leads a process group of its own, waits
 * for the parent's go (once the journal says the command started), runs the command in the
 * group and passes its status on. When vnic-install dies, the kernel tells it (PDEATHSIG) and
 * it kills the group, so no dkms build or update-initramfs outlives the run that started it
 * and races the next run's recovery.
 */
static void supervise(char *const argv[], const struct exec_opts *o, pid_t parent,
		      const int fds[EXEC_FDS])
{
	int status, go = fds[EXEC_GO_R];
	pid_t pid;

	setpgid(0, 0);
	signal(SIGUSR1, kill_group);
	signal(SIGTERM, SIG_IGN); /* a timeout signals the group; the command decides */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) < 0 || getppid() != parent)
		kill_group(0);
	keep_only(fds + EXEC_PARENT_ENDS, EXEC_FDS - EXEC_PARENT_ENDS);
	if (go >= 0) {
		char c;

		if (read(go, &c, 1) != 1)
			_exit(127); /* the parent did not let it start */
		close(go);
	}
	pid = fork();
	if (pid < 0)
		_exit(127);
	if (pid == 0)
		command(argv, o, fds[EXEC_OUT_W],
			fds[EXEC_ERR_W] >= 0 ? fds[EXEC_ERR_W] : fds[EXEC_OUT_W], fds[EXEC_IN_R],
			fds[EXEC_ST_W]);
	for (size_t i = EXEC_PARENT_ENDS; i < EXEC_FDS; i++)
		if (fds[i] >= 0 && i != EXEC_GO_R)
			close(fds[i]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	signal(WTERMSIG(status), SIG_DFL);
	raise(WTERMSIG(status));
	_exit(128 + WTERMSIG(status));
}

/* Lets the child run once opts->on_start agreed; 0, or on_start's error (the child is gone). */
static int gate(const struct exec_opts *o, pid_t pid, int *go_w)
{
	int r;

	if (*go_w < 0)
		return 0;
	r = o->on_start(o->userdata);
	if (r >= 0 && write(*go_w, "g", 1) != 1)
		r = negative_errno();
	close(*go_w);
	*go_w = -1;
	if (r < 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return r;
}

int exec_run(char *const argv[], const struct exec_opts *opts, struct exec_result *ret)
{
	static const struct exec_opts defaults = {};
	const struct exec_opts *o = opts ? opts : &defaults;
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, in[2] = { -1, -1 }, st[2] = { -1, -1 };
	int go[2] = { -1, -1 }, ready[2] = { -1, -1 };
	struct sink so = { .fd = -1 }, se = { .fd = -1 };
	struct exec_result res = {};
	size_t in_off = 0, in_len = o->stdin_data ? strlen(o->stdin_data) : 0;
	uint64_t deadline = o->timeout_sec ? now_ms() + o->timeout_sec * 1000ull : 0;
	bool term_sent = false;
	int child_errno = 0, status, r = 0;
	pid_t pid, self = getpid();

	if (!argv || !argv[0])
		return -EINVAL;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0 ||
	    (!o->merge_stderr && pipe2(err, O_CLOEXEC) < 0) || pipe2(in, O_CLOEXEC) < 0 ||
	    (o->on_start && pipe2(go, O_CLOEXEC) < 0) || pipe2(ready, O_CLOEXEC) < 0) {
		r = negative_errno();
		goto out_close;
	}
	if (!o->stdin_data) {
		close(in[1]);
		in[1] = -1;
		close(in[0]);
		in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in[0] < 0) {
			r = negative_errno();
			goto out_close;
		}
	}

	pid = fork();
	if (pid < 0) {
		r = negative_errno();
		goto out_close;
	}
	if (pid == 0)
		supervise(argv, o, self,
			  (const int[EXEC_FDS]){ out[0], err[0], in[1], st[0], go[1], out[1], err[1],
						 in[0], st[1], go[0] });
	(void)setpgid(pid, pid); /* also here: a timeout's kill(-pid) must find the group */
	/* EOF once the supervisor closed what it inherited: from here it holds no lock of ours. */
	close(ready[1]);
	ready[1] = -1;
	while (read(ready[0], &child_errno, 1) < 0 && errno == EINTR)
		;

	close(out[1]);
	out[1] = -1;
	if (err[1] >= 0) {
		close(err[1]);
		err[1] = -1;
	}
	close(st[1]);
	st[1] = -1;
	close(in[0]);
	in[0] = -1;
	if (go[0] >= 0) {
		close(go[0]);
		go[0] = -1;
	}
	r = gate(o, pid, &go[1]);
	if (r < 0)
		goto out_close;
	so.fd = TAKE_FD(out[0]);
	se.fd = TAKE_FD(err[0]);
	if (in[1] >= 0)
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);

	while (so.fd >= 0 || se.fd >= 0) {
		struct pollfd p[3];
		int np = 0, timeout = -1;

		if (so.fd >= 0)
			p[np++] = (struct pollfd){ .fd = so.fd, .events = POLLIN };
		if (se.fd >= 0)
			p[np++] = (struct pollfd){ .fd = se.fd, .events = POLLIN };
		if (in[1] >= 0)
			p[np++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		if (deadline) {
			uint64_t now = now_ms();

			if (now >= deadline) {
				kill(-pid, term_sent ? SIGKILL : SIGTERM);
				res.timed_out = true;
				deadline = term_sent ? 0 : now + 5000;
				term_sent = true;
				continue;
			}
			timeout = (int)(deadline - now);
		}
		if (poll(p, (nfds_t)np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			r = negative_errno();
			break;
		}
		for (int i = 0; i < np; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == in[1]) {
				ssize_t n = write(in[1], o->stdin_data + in_off, in_len - in_off);

				if (n > 0)
					in_off += (size_t)n;
				if (n < 0 && errno != EAGAIN && errno != EINTR)
					in_off = in_len;
				if (in_off >= in_len) {
					close(in[1]);
					in[1] = -1;
				}
			} else if (r == 0) {
				r = sink_read(p[i].fd == so.fd ? &so : &se);
			}
		}
	}
	if (in[1] >= 0) {
		close(in[1]);
		in[1] = -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			r = r ? r : negative_errno();
			goto out_close;
		}
	if (read(st[0], &child_errno, sizeof(child_errno)) == sizeof(child_errno) && child_errno) {
		r = -child_errno;
		goto out_close;
	}
	if (r < 0)
		goto out_close;

	res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	res.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	res.output = so.buf ? so.buf : strdup("");
	res.output_len = so.len;
	res.errout = se.buf ? se.buf : strdup("");
	res.errout_len = se.len;
	so.buf = se.buf = NULL;
	if (!res.output || !res.errout) {
		exec_result_done(&res);
		r = -ENOMEM;
		goto out_close;
	}
	*ret = res;
	r = res.timed_out ? -ETIMEDOUT : 0;

out_close: {
	int fds[] = { out[0], out[1], err[0], err[1], in[0], in[1], st[0], st[1], so.fd, se.fd,
		      go[0], go[1], ready[0], ready[1] };

	for (size_t i = 0; i < ELEMENTSOF(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}
	free(so.buf);
	free(se.buf);
	return r;
}

void exec_result_done(struct exec_result *r)
{
	if (!r)
		return;
	free(r->output);
	free(r->errout);
	r->output = r->errout = NULL;
}

bool exec_find_program(const char *root, const char *name, char **ret_path)
{
	static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					    "/usr/bin", "/sbin", "/bin" };

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *p = NULL, *resolved = NULL;
		struct stat st;

		if (asprintf(&p, "%s/%s", dirs[i], name) < 0)
			return false;
		if (path_chase(root, p, 0, &resolved) < 0)
			continue;
		if (stat(resolved, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			if (ret_path)
				*ret_path = TAKE_PTR(resolved);
			return true;
		}
	}
	return false;
}
