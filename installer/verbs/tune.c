// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vnic-install tune [--to IF] [--profile throughput] [--rx-ring N] [--tx-ring N]
 * [--channels N] [--socket-buffers BYTES] [--check HOW] [--timeout SEC] [--yes] [--json]`
 * and `vnic-install plan tune ...`: the VMXNET3 NIC's rings and channels and the TCP buffer
 * limits, applied now (ethtool, sysctl) and kept across a reboot (a systemd .link file, a
 * sysctl.d file), all in one transaction: the link is checked after applying and everything
 * is rolled back when it fails; `rollback` undoes it later. See docs/tune.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "health/health.h"
#include "lib/diff.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/report.h"
#include "lib/strv.h"
#include "system/nic.h"
#include "system/tools.h"
#include "txn/txn.h"
#include "tune/tune.h"
#include "verbs.h"
#include "verbs/check.h"

#define TUNE_DEFAULT_TIMEOUT_SEC 30

struct tune_file {
	char *path, *text, *old; /* old: NULL when the file does not exist */
};

struct tune {
	const struct vnic_args *args;
	char *ifname, *mac;
	int ifindex;
	struct tune_current cur;
	struct tune_plan plan;
	struct tune_file link, sysctl;
	char *udev_link;           /* the .link file udev applied, or NULL */
	char **argv[3], **undo[3]; /* ethtool -G, ethtool -L, sysctl -w */
	const char *titles[3];
	struct swap_check check;
	unsigned timeout;
};

static void tune_done(struct tune *t)
{
	free(t->ifname);
	free(t->mac);
	free(t->udev_link);
	for (size_t i = 0; i < 2; i++) {
		struct tune_file *f = i ? &t->sysctl : &t->link;

		free(f->path);
		free(f->text);
		free(f->old);
	}
	for (size_t i = 0; i < ELEMENTSOF(t->argv); i++) {
		strv_free(t->argv[i]);
		strv_free(t->undo[i]);
	}
	check_done(&t->check);
}

/* The NIC: --to, or the only VMXNET3 NIC. Returns 0 or an exit code (said). */
static int choose_nic(struct tune *t)
{
	struct nic_list l = {};
	const struct nic *pick = NULL;
	unsigned n = 0;
	int r;

	r = nic_list_detect(NULL, false, &l);
	if (r < 0)
		return log_error_errno(r, "Cannot list the network interfaces: %m"), EXIT_FAILED;
	for (size_t i = 0; i < l.n; i++) {
		const struct nic *x = &l.nics[i];

		if (t->args->to ? streq(x->name, t->args->to) : x->model == NIC_MODEL_VMXNET3) {
			pick = x;
			n++;
		}
	}
	if (!pick || n > 1 || pick->model != NIC_MODEL_VMXNET3 || !pick->mac) {
		if (t->args->to)
			log_error("%s is not a VMXNET3 NIC.", t->args->to);
		else if (n)
			log_error("There are several VMXNET3 NICs: say which with --to IF.");
		else
			log_error("There is no VMXNET3 NIC.");
		nic_list_done(&l);
		return EXIT_FAILED;
	}
	t->ifname = strdup(pick->name);
	t->mac = strdup(pick->mac);
	t->ifindex = pick->ifindex;
	nic_list_done(&l);
	return t->ifname && t->mac ? 0 : EXIT_FAILED;
}

/* A whole small file under the host root, or NULL. */
static char *read_text(const char *path, size_t max)
{
	char *text = NULL;

	return read_full_file(path, max, &text, NULL) < 0 ? NULL : text;
}

/* "4096\t131072\t6291456\n" -> "4096 131072 6291456". */
static void read_triple(const char *path, char *buf, size_t size)
{
	_cleanup_free_ char *text = read_text(path, 4096);
	unsigned long long a, b, c;

	buf[0] = '\0';
	if (text && sscanf(text, "%llu %llu %llu", &a, &b, &c) == 3)
		snprintf(buf, size, "%llu %llu %llu", a, b, c);
}

/* What the NIC and the system have now. Returns 0 or an exit code (said). */
static int read_current(struct tune *t)
{
	struct health h = {};
	int r;

	r = health_collect(NULL, &health_source_live, 0, &h);
	if (r < 0)
		return log_error_errno(r, "Cannot read the state of %s: %m", t->ifname), EXIT_FAILED;
	for (size_t i = 0; i < h.n_nics; i++) {
		if (!streq(h.nics[i].name, t->ifname))
			continue;
		t->cur.rings = h.nics[i].rings;
		t->cur.has_rings = h.nics[i].has_rings;
		t->cur.channels = h.nics[i].channels;
		t->cur.has_channels = h.nics[i].has_channels;
	}
	t->cur.cpus = h.cpus;
	t->cur.rmem_max = h.sysctl.rmem_max;
	t->cur.wmem_max = h.sysctl.wmem_max;
	health_done(&h);
	read_triple("/proc/sys/net/ipv4/tcp_rmem", t->cur.tcp_rmem, sizeof(t->cur.tcp_rmem));
	read_triple("/proc/sys/net/ipv4/tcp_wmem", t->cur.tcp_wmem, sizeof(t->cur.tcp_wmem));
	return 0;
}

/* The .link file udev applied to the NIC (its database: E:ID_NET_LINK_FILE=), or else the
 * first 99-default.link systemd would read. */
static char *udev_link_file(int ifindex)
{
	static const char *const defaults[] = {
		"/etc/systemd/network/99-default.link", "/run/systemd/network/99-default.link",
		"/usr/lib/systemd/network/99-default.link", "/lib/systemd/network/99-default.link",
	};
	_cleanup_free_ char *db = NULL;
	char path[64];
	const char *p;

	snprintf(path, sizeof(path), "/run/udev/data/n%d", ifindex);
	db = read_text(path, 65536);
	for (p = db; p && (p = strstr(p, "E:ID_NET_LINK_FILE=")); p++)
		if (p == db || p[-1] == '\n')
			return strndup(p + 19, strcspn(p + 19, "\n"));
	for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
		if (access(defaults[i], F_OK) == 0)
			return strdup(defaults[i]);
	return NULL;
}

static int file_plan(struct tune_file *f, char *path, char *text)
{
	f->path = path;
	f->text = text;
	if (!path || !text)
		return -ENOMEM;
	f->old = read_text(path, READ_FILE_MAX); /* NULL: a new file */
	return 0;
}

/* The .link file: ours replaces the one udev applies (or the one we wrote before). */
static int plan_link_file(struct tune *t)
{
	_cleanup_free_ char *current = NULL;
	char *path = NULL, *text = NULL;
	int r;

	t->udev_link = udev_link_file(t->ifindex);
	if (t->udev_link)
		current = read_text(t->udev_link, 65536);
	if (t->udev_link && strstr(t->udev_link, "-vnic-tune-"))
		path = strdup(t->udev_link);
	else if (tune_link_name(t->ifname, t->udev_link, &path) < 0)
		return -ENOMEM;
	r = tune_link_file(t->mac, current, t->udev_link, &t->plan, &text);
	if (r < 0) {
		free(path);
		return r;
	}
	return file_plan(&t->link, path, text);
}

static int push_all(char ***l, const char *const *items)
{
	for (; *items; items++)
		if (strv_push(l, *items) < 0)
			return -ENOMEM;
	return 0;
}

static int push_num(char ***l, const char *key, unsigned v)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", v);
	return strv_push(l, key) < 0 || strv_push(l, num) < 0 ? -ENOMEM : 0;
}

/* ethtool -G IF rx N tx M, and its undo with the values of now. */
static int plan_rings(struct tune *t, const char *ethtool)
{
	const char *head[] = { ethtool, "-G", t->ifname, NULL };
	int r;

	if (!t->plan.rx_ring && !t->plan.tx_ring)
		return 0;
	r = push_all(&t->argv[0], head) ?: push_all(&t->undo[0], head);
	if (r == 0 && t->plan.rx_ring)
		r = push_num(&t->argv[0], "rx", t->plan.rx_ring) ?:
		    push_num(&t->undo[0], "rx", t->plan.old_rx_ring);
	if (r == 0 && t->plan.tx_ring)
		r = push_num(&t->argv[0], "tx", t->plan.tx_ring) ?:
		    push_num(&t->undo[0], "tx", t->plan.old_tx_ring);
	t->titles[0] = "Setting the ring sizes";
	return r;
}

static int plan_channels(struct tune *t, const char *ethtool)
{
	const char *head[] = { ethtool, "-L", t->ifname, NULL };
	const char *kind = t->plan.channels_combined ? "combined" : "rx";
	int r;

	if (!t->plan.channels)
		return 0;
	r = push_all(&t->argv[1], head) ?: push_all(&t->undo[1], head) ?:
	    push_num(&t->argv[1], kind, t->plan.channels) ?:
	    push_num(&t->undo[1], kind, t->plan.old_channels);
	if (r == 0 && !t->plan.channels_combined)
		r = push_num(&t->argv[1], "tx", t->plan.channels) ?:
		    push_num(&t->undo[1], "tx", t->plan.old_channels);
	t->titles[1] = "Setting the channel count";
	return r;
}

/* sysctl -q -w KEY=VALUE ... for the socket buffers, and back. */
static int plan_sysctl(struct tune *t, const char *sysctl)
{
	const char *head[] = { sysctl, "-q", "-w", NULL };
	char rmem[64], wmem[64], kv[4][96], old[4][96];
	uint64_t v = t->plan.socket_buffers;
	int r;

	if (!v)
		return 0;
	r = tune_tcp_mem(t->cur.tcp_rmem, v, rmem, sizeof(rmem)) ?:
	    tune_tcp_mem(t->cur.tcp_wmem, v, wmem, sizeof(wmem));
	if (r < 0 || t->cur.rmem_max < 0 || t->cur.wmem_max < 0 || !*t->cur.tcp_rmem ||
	    !*t->cur.tcp_wmem)
		return -ENODATA;
	snprintf(kv[0], sizeof(kv[0]), "net.core.rmem_max=%" PRIu64, v);
	snprintf(kv[1], sizeof(kv[1]), "net.core.wmem_max=%" PRIu64, v);
	snprintf(kv[2], sizeof(kv[2]), "net.ipv4.tcp_rmem=%s", rmem);
	snprintf(kv[3], sizeof(kv[3]), "net.ipv4.tcp_wmem=%s", wmem);
	snprintf(old[0], sizeof(old[0]), "net.core.rmem_max=%" PRId64, t->cur.rmem_max);
	snprintf(old[1], sizeof(old[1]), "net.core.wmem_max=%" PRId64, t->cur.wmem_max);
	snprintf(old[2], sizeof(old[2]), "net.ipv4.tcp_rmem=%s", t->cur.tcp_rmem);
	snprintf(old[3], sizeof(old[3]), "net.ipv4.tcp_wmem=%s", t->cur.tcp_wmem);
	r = push_all(&t->argv[2], head) ?: push_all(&t->undo[2], head);
	for (size_t i = 0; r == 0 && i < 4; i++)
		r = strv_push(&t->argv[2], kv[i]) < 0 || strv_push(&t->undo[2], old[i]) < 0 ?
			    -ENOMEM : 0;
	t->titles[2] = "Setting the socket buffer limits";
	if (r == 0) {
		char *text = NULL;

		r = tune_sysctl_file(&t->plan, &t->cur, &text) ?:
		    file_plan(&t->sysctl, strdup(TUNE_SYSCTL_FILE), text);
	}
	return r;
}

/* A program of the host, or NULL (said: it is a prerequisite). */
static char *need_program(const char *name, const char *package)
{
	char *path = NULL;

	if (!tools_find_program(NULL, name, &path))
		log_error("tune needs %s: install the %s package.", name, package);
	return path;
}

static int plan_commands(struct tune *t)
{
	_cleanup_free_ char *ethtool = NULL, *sysctl = NULL;
	int r = 0;

	if (t->plan.rx_ring || t->plan.tx_ring || t->plan.channels) {
		if (!(ethtool = need_program("ethtool", "ethtool")))
			return EXIT_PREREQ;
		if (access("/etc/systemd/network", F_OK) < 0 && access("/lib/systemd/network", F_OK) < 0 &&
		    access("/usr/lib/systemd/network", F_OK) < 0) {
			log_error("This system has no systemd-udevd .link files: tune cannot keep ring "
				  "and channel sizes across a reboot here.");
			return EXIT_UNSUPPORTED;
		}
		r = plan_rings(t, ethtool) ?: plan_channels(t, ethtool) ?: plan_link_file(t);
	}
	if (r == 0 && t->plan.socket_buffers) {
		if (!(sysctl = need_program("sysctl", "procps")))
			return EXIT_PREREQ;
		r = plan_sysctl(t, sysctl);
	}
	if (r < 0)
		return log_error_errno(r, "Cannot plan the change: %m"), EXIT_FAILED;
	return 0;
}

static int tune_prepare(struct tune *t, const struct vnic_args *args, bool read_only)
{
	struct tune_request req = {
		.rx_ring = args->rx_ring, .tx_ring = args->tx_ring, .channels = args->channels,
		.socket_buffers = args->socket_buffers, .profile = args->profile,
	};
	struct default_route dr = {};
	const char *why = NULL;
	int code;

	t->args = args;
	t->timeout = args->timeout_sec ? args->timeout_sec : TUNE_DEFAULT_TIMEOUT_SEC;
	if (!req.rx_ring && !req.tx_ring && !req.channels && !req.socket_buffers && !req.profile) {
		log_error("tune: say what to change (--profile throughput, --rx-ring N, --tx-ring N, "
			  "--channels N, --socket-buffers BYTES).");
		return EXIT_USAGE;
	}
	code = choose_nic(t) ?: read_current(t);
	if (code)
		return code;
	if (tune_decide(&req, &t->cur, &t->plan, &why) < 0) {
		log_error("tune %s: %s.", t->ifname, why);
		return EXIT_USAGE;
	}
	if (tune_plan_empty(&t->plan))
		return 0;
	code = plan_commands(t);
	if (code)
		return code;
	(void)default_route_detect(&dr);
	code = check_choose(&t->check, args,
			    dr.interface && streq(dr.interface, t->ifname) ? dr.gateway : NULL,
			    NULL);
	default_route_done(&dr);
	return code ?: check_observe(&t->check, t->ifname, false, read_only);
}

static const char *const step_ids[3] = { "rings", "channels", "sysctl" };

static void print_change(FILE *f, const char *what, unsigned long long from, unsigned long long to)
{
	if (to)
		fprintf(f, "  %-16s %llu -> %llu\n", what, from, to);
}

static void print_file_step(FILE *f, unsigned *n, const struct tune_file *x)
{
	_cleanup_free_ char *d = NULL;

	if (!x->path)
		return;
	fprintf(f, "%u. Write %s%s\n", ++*n, x->path, x->old ? "" : " (new)");
	if (diff_unified(x->old, x->old ? strlen(x->old) : 0, x->text, strlen(x->text),
			 x->old ? x->path : "/dev/null", x->path, DIFF_CONTEXT, &d) >= 0)
		fprintf(f, "%s", d);
}

static void print_plan_text(const struct tune *t, FILE *f)
{
	unsigned n = 0;

	fprintf(f, "tune %s:\n", t->ifname);
	print_change(f, "rx ring", t->plan.old_rx_ring, t->plan.rx_ring);
	print_change(f, "tx ring", t->plan.old_tx_ring, t->plan.tx_ring);
	print_change(f, "channels", t->plan.old_channels, t->plan.channels);
	print_change(f, "socket buffers", (unsigned long long)(t->cur.rmem_max > 0 ? t->cur.rmem_max : 0),
		     t->plan.socket_buffers);
	fprintf(f, "\nSteps:\n");
	print_file_step(f, &n, &t->link);
	print_file_step(f, &n, &t->sysctl);
	for (size_t i = 0; i < ELEMENTSOF(t->argv); i++) {
		_cleanup_free_ char *cmd = NULL, *undo = NULL;

		if (!t->argv[i])
			continue;
		cmd = strv_join(t->argv[i], " ");
		undo = strv_join(t->undo[i], " ");
		fprintf(f, "%u. Run: %s\n   undo: %s\n", ++n, cmd ? cmd : "?", undo ? undo : "?");
	}
	fprintf(f, "%u. Check the link of %s (%s%s%s, up to %u s); on failure, undo all of it\n",
		++n, t->ifname, t->check.kind_str, t->check.gateway ? " " : "",
		t->check.gateway ? t->check.gateway : "", t->timeout);
}

static void json_argv(struct json_writer *w, const char *key, char **argv)
{
	json_array_begin(w, key);
	for (char **a = argv; a && *a; a++)
		json_string(w, NULL, *a);
	json_array_end(w);
}

static void print_plan_json(const struct tune *t, FILE *f)
{
	struct json_writer w;

	json_init(&w, f, true);
	json_object_begin(&w, NULL);
	json_int(&w, "schema_version", 1);
	json_string(&w, "verb", "tune");
	json_string(&w, "nic", t->ifname);
	json_array_begin(&w, "steps");
	for (size_t i = 0; i < 2; i++) {
		const struct tune_file *x = i ? &t->sysctl : &t->link;

		if (!x->path)
			continue;
		json_object_begin(&w, NULL);
		json_string(&w, "id", i ? "write-sysctl" : "write-link");
		json_string(&w, "kind", "write");
		json_string(&w, "path", x->path);
		json_string(&w, "contents", x->text);
		json_bool(&w, "new", !x->old);
		json_object_end(&w);
	}
	for (size_t i = 0; i < ELEMENTSOF(t->argv); i++) {
		if (!t->argv[i])
			continue;
		json_object_begin(&w, NULL);
		json_string(&w, "id", step_ids[i]);
		json_string(&w, "kind", "run");
		json_argv(&w, "argv", t->argv[i]);
		json_argv(&w, "undo", t->undo[i]);
		json_object_end(&w);
	}
	json_object_begin(&w, NULL);
	json_string(&w, "id", "check");
	json_string(&w, "kind", "probe");
	json_string(&w, "check", t->check.kind_str);
	json_string(&w, "gateway", t->check.gateway);
	json_int(&w, "timeout_sec", t->timeout);
	json_object_end(&w);
	json_array_end(&w);
	json_object_end(&w);
	fputc('\n', f);
}

static unsigned count_steps(const struct tune *t)
{
	unsigned n = 1 + !!t->link.path + !!t->sysctl.path;

	for (size_t i = 0; i < ELEMENTSOF(t->argv); i++)
		n += !!t->argv[i];
	return n;
}

/* One command through the journal, judged by its exit status. */
static int run_command(struct txn *txn, struct report *rep, char **argv, char **undo)
{
	struct exec_opts o = { .merge_stderr = true, .timeout_sec = 120 };
	struct exec_result res = {};
	int r;

	r = txn_run(txn, argv, undo, &o, &res);
	if (r >= 0 && !exec_succeeded(&res)) {
		report_step_end(rep, false, "%s exited with status %d: %.300s", argv[0],
				res.exit_code, res.output ? res.output : "");
		r = -ECANCELED;
	} else if (r < 0) {
		report_step_end(rep, false, "%s: %s", argv[0], strerror(-r));
	}
	exec_result_done(&res);
	return r;
}

static int apply(struct tune *t, struct txn *txn, struct report *rep)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < 2; i++) {
		const struct tune_file *x = i ? &t->sysctl : &t->link;

		if (!x->path)
			continue;
		report_step(rep, i ? "write-sysctl" : "write-link", "Writing %s", x->path);
		r = txn_step(txn, i ? "write-sysctl" : "write-link");
		if (r >= 0)
			r = txn_write_file(txn, x->path, x->text, strlen(x->text), 0644);
		if (r < 0)
			report_step_end(rep, false, "%s: %s", x->path, strerror(-r));
	}
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(t->argv); i++) {
		if (!t->argv[i])
			continue;
		report_step(rep, step_ids[i], "%s", t->titles[i]);
		r = txn_step(txn, step_ids[i]);
		if (r >= 0)
			r = run_command(txn, rep, t->argv[i], t->undo[i]);
	}
	return r;
}

/* After a failure: everything back. Returns the exit code. */
static int undo_all(struct txn *txn, struct report *rep, int code, const char *why)
{
	unsigned n = 0;
	int r;

	report_step(rep, "rollback", "Rolling back");
	r = txn_rollback(txn);
	if (r < 0) {
		report_step_end(rep, false, "rollback incomplete: %s", txn_failed_undos(txn, &n));
		report_result(rep, "inconsistent", EXIT_INCONSISTENT, "%s; the rollback failed too: "
			      "see 'vnic-install status'.", why);
		return EXIT_INCONSISTENT;
	}
	report_step_end(rep, true, NULL);
	report_result(rep, code == EXIT_ROLLED_BACK ? "rolled-back" : "failed", code,
		      "%s; everything was undone.", why);
	return code;
}

static int run_tune(struct tune *t)
{
	_cleanup_txn_ struct txn *txn = NULL;
	struct report rep;
	int r;

	report_init(&rep, stdout, t->args->json, count_steps(t));
	r = begin_transaction(t->args, "tune", &txn);
	if (r < 0)
		return exit_code_for_errno(r);
	r = apply(t, txn, &rep);
	if (r >= 0)
		r = txn_mark_applied(txn, false);
	if (r < 0)
		return undo_all(txn, &rep, EXIT_FAILED, "a step failed");
	report_step(&rep, "check", "Checking the link of %s (%s, up to %u s)", t->ifname,
		    t->check.kind_str, t->timeout);
	r = txn_step(txn, "check");
	if (r >= 0 && check_run(&t->check, t->ifname, NULL, t->timeout, &rep) < 0)
		return undo_all(txn, &rep, EXIT_ROLLED_BACK, "the link check failed");
	r = r < 0 ? r : txn_commit(txn);
	if (r < 0)
		return undo_all(txn, &rep, EXIT_FAILED, "the change could not be committed");
	report_result(&rep, "ok", EXIT_OK, "%s is tuned, now and at the next boot; "
		      "'vnic-install rollback' undoes it.", t->ifname);
	return EXIT_OK;
}

static bool ask(const struct tune *t)
{
	char line[16];

	printf("\nTune %s now? [y/N] ", t->ifname);
	fflush(stdout);
	return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

int verb_tune_plan(const struct vnic_args *args)
{
	struct tune t = {};
	int code = tune_prepare(&t, args, true);

	if (code == 0 && tune_plan_empty(&t.plan))
		printf("%s: nothing to change.\n", t.ifname);
	else if (code == 0 && args->json)
		print_plan_json(&t, stdout);
	else if (code == 0)
		print_plan_text(&t, stdout);
	tune_done(&t);
	return code;
}

int verb_tune(const struct vnic_args *args)
{
	struct tune t = {};
	int code = tune_prepare(&t, args, false);

	if (code == 0 && tune_plan_empty(&t.plan)) {
		log_info("%s: nothing to change.", t.ifname);
	} else if (code == 0 && !args->yes) {
		if (!isatty(STDIN_FILENO) || args->json) {
			log_error("tune changes the NIC and the system: run it with --yes (see "
				  "'vnic-install plan tune' for what it does).");
			code = EXIT_USAGE;
		} else {
			print_plan_text(&t, stdout);
			code = ask(&t) ? run_tune(&t) : EXIT_FAILED;
		}
	} else if (code == 0) {
		code = run_tune(&t);
	}
	tune_done(&t);
	return code;
}
