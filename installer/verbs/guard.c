// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guard: run at boot by vnic-guard.service after `prepare`. Waits for the VMXNET3 link
 * (carrier, an address, and the default route through it when the old configuration had a
 * gateway); when it does not come within the time, or `confirm` does not come within the
 * confirmation time (when one is set), restores the previous state (txn_recover with the
 * guarded transaction included) and reboots if an E1000 NIC is there to take over. See
 * docs/prepare.md for the exact behaviour.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "exitcode.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "system/nic.h"
#include "system/port.h"
#include "txn/txn.h"
#include "verbs.h"
#include "verbs/check.h"
#include "verbs/prepare.h"

const char guard_unit_text[] =
	"# SPDX-License-Identifier: GPL-2.0-or-later\n"
	"# vnic's boot guard: after `vnic-install prepare`, checks on the next boot that the "
	"VMXNET3 NIC\n"
	"# gets its link (carrier, address, gateway) and restores the previous state on its own "
	"if it\n"
	"# does not, or if `vnic-install confirm` does not come within the configured time.\n"
	"# See docs/prepare.md.\n"
	"[Unit]\n"
	"Description=vnic boot guard for the E1000 to VMXNET3 change\n"
	"Documentation=man:vnic-install(8)\n"
	"ConditionDirectoryNotEmpty=/var/lib/vnic/txn\n"
	"After=network-pre.target systemd-udev-settle.service\n"
	"Before=network-online.target\n"
	"\n"
	"[Service]\n"
	"Type=notify\n"
	"NotifyAccess=main\n"
	"ExecStart=vnic-install guard\n"
	"TimeoutStartSec=15min\n"
	"KillMode=process\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

char *guard_config_format(const struct guard_config *c)
{
	char *s;

	if (asprintf(&s,
		     "# Written by vnic-install %s; read by vnic-install guard at boot.\n"
		     "LINK_TIMEOUT=%u\nCONFIRM_TIMEOUT=%u\nCHECK=%s\nFROM=%s\n",
		     c->to ? "swap --confirm-timeout" : "prepare", c->link_timeout,
		     c->confirm_timeout, c->check ? c->check : "address", c->from ? c->from : "") < 0)
		return NULL;
	if (c->to) {
		char *more;

		if (asprintf(&more, "%sTO=%s\n", s, c->to) < 0) {
			free(s);
			return NULL;
		}
		free(s);
		s = more;
	}
	for (unsigned i = 0; i < c->n_reach; i++) {
		char *more;

		if (asprintf(&more, "%sREACH=%s\n", s, c->reach[i]) < 0) {
			free(s);
			return NULL;
		}
		free(s);
		s = more;
	}
	return s;
}

static int parse_uint(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 86400)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int guard_config_parse(const char *text, struct guard_config *ret, char **ret_buf,
		       unsigned *ret_line)
{
	struct guard_config c = { .link_timeout = 120, .confirm_timeout = 0, .check = "gateway" };
	_cleanup_free_ char *buf = strdup(text);
	unsigned line = 0;
	char *p = buf;

	if (!buf)
		return -ENOMEM;
	while (p && *p) {
		char *nl = strchr(p, '\n'), *eq, *key = p;

		if (nl)
			*nl = 0;
		line++;
		p = nl ? nl + 1 : NULL;
		key += strspn(key, " \t");
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq)
			goto bad;
		*eq = 0;
		if (streq(key, "LINK_TIMEOUT")) {
			if (parse_uint(eq + 1, &c.link_timeout) < 0 || c.link_timeout == 0)
				goto bad;
		} else if (streq(key, "CONFIRM_TIMEOUT")) {
			if (parse_uint(eq + 1, &c.confirm_timeout) < 0)
				goto bad;
		} else if (streq(key, "CHECK")) {
			if (!streq(eq + 1, "address") && !streq(eq + 1, "gateway") &&
			    !streq(eq + 1, "carrier"))
				goto bad;
			c.check = eq + 1;
		} else if (streq(key, "FROM")) {
			c.from = eq + 1;
		} else if (streq(key, "TO")) {
			c.to = eq + 1;
		} else if (streq(key, "REACH")) {
			struct reach_target t;

			if (c.n_reach >= GUARD_MAX_REACH || reach_target_from_string(eq + 1, &t) < 0)
				goto bad;
			c.reach[c.n_reach++] = eq + 1;
		} /* unknown keys: a newer prepare; ignored */
	}
	*ret = c;
	*ret_buf = TAKE_PTR(buf);
	return 0;
bad:
	if (ret_line)
		*ret_line = line;
	return -EBADMSG;
}

/* sd_notify(3)'s protocol: one datagram to $NOTIFY_SOCKET. */
static void notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	size_t len;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	len = strlen(path);
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
}

static bool usable_address(const char *a)
{
	return strncmp(a, "fe80:", 5) != 0 && strncmp(a, "169.254.", 8) != 0 &&
	       strncmp(a, "127.", 4) != 0 && strncmp(a, "::1/", 4) != 0;
}

/*
 * What VMXNET3 NIC n lacks for the check, or NULL when it passes (*ret_where: where it passed,
 * to free). A port of a bond or bridge (prepare moved one) must be a usable port of it, and
 * the addresses and the default route are then its master's.
 */
static const char *nic_lacks(const char *check, const struct nic *n, char **ret_where)
{
	_cleanup_strv_free_ char **master_addrs = NULL;
	_cleanup_free_ char *master = NULL;
	char *const *addrs = n->addresses;
	bool addr = false;

	if (n->carrier != 1)
		return "no carrier on the VMXNET3 NIC";
	if (port_master(NULL, n->name, &master) == 0) {
		if (port_ready(NULL, n->name) != 1)
			return "the VMXNET3 NIC is not a usable port of its bond or bridge yet";
		if (nic_addresses_live((int)if_nametoindex(master), &master_addrs) < 0)
			return "the addresses of the VMXNET3 NIC's bond or bridge cannot be read";
		addrs = master_addrs;
	}
	if (!streq(check, "carrier")) {
		for (size_t a = 0; addrs && addrs[a]; a++)
			addr = addr || usable_address(addrs[a]);
		if (!addr)
			return master ? "no address on the VMXNET3 NIC's bond or bridge" : "no address on the VMXNET3 NIC";
	}
	if (streq(check, "gateway")) {
		struct default_route rt = {};
		bool through = default_route_detect(&rt) == 0 && streq(rt.interface, master ?: n->name);

		default_route_done(&rt);
		if (!through)
			return "no default route through the VMXNET3 NIC";
	}
	if ((master ? asprintf(ret_where, "%s (a port of %s)", n->name, master)
		    : asprintf(ret_where, "%s", n->name)) < 0)
		*ret_where = NULL;
	return NULL;
}

/* Whether a VMXNET3 NIC passes the check; *ret_detail says where, or what is missing (to free). */
static bool link_ok(const char *check, char **ret_detail)
{
	struct nic_list nics = {};
	const char *missing = "no VMXNET3 NIC";
	bool ok = false;

	if (nic_list_detect(NULL, true, &nics) < 0) {
		*ret_detail = strdup("the network interfaces cannot be listed");
		return false;
	}
	for (size_t i = 0; i < nics.n && !ok; i++) {
		const struct nic *n = &nics.nics[i];
		const char *lacks;

		if (n->model != NIC_MODEL_VMXNET3 && !streq(n->driver, "vmxnet3"))
			continue;
		lacks = nic_lacks(check, n, ret_detail);
		if (lacks)
			missing = lacks;
		ok = !lacks;
	}
	if (!ok)
		*ret_detail = strdup(missing);
	nic_list_done(&nics);
	return ok;
}

/*
 * swap --confirm-timeout: the same check as the swap's, on c->to: what the gateway and peers
 * answered through the E1000 before the swap must answer through it (verbs/check.h).
 */
static bool reach_ok(const struct guard_config *c, char **ret_detail)
{
	const char *lines[GUARD_MAX_REACH + 1] = {};
	struct swap_check chk;
	struct linkcheck_result res;
	int r;

	memcpy(lines, c->reach, c->n_reach * sizeof(lines[0]));
	r = check_from_guard(&chk, c->check, (char *const *)lines);
	if (r == 0)
		r = check_prove(&chk, c->to, NULL, c->link_timeout, &res, ret_detail);
	else
		*ret_detail = strdup("guard.conf's REACH lines are malformed");
	if (r == 0)
		*ret_detail = strdup(c->to);
	check_done(&chk);
	return r == 0;
}

static bool has_e1000(void)
{
	struct nic_list nics = {};
	bool found = false;

	if (nic_list_detect(NULL, false, &nics) < 0)
		return false;
	for (size_t i = 0; i < nics.n; i++)
		found = found || nics.nics[i].model == NIC_MODEL_E1000 ||
			nics.nics[i].model == NIC_MODEL_E1000E;
	nic_list_done(&nics);
	return found;
}

static double now(void)
{
	return (double)now_ms() / 1000.0;
}

static int restore(const char *why, bool no_reboot)
{
	struct txn_info info;
	int r;

	log_warning("Boot guard: %s; restoring the state from before 'prepare'.", why);
	/*
	 * Ready first: the restore (dkms remove, initramfs regeneration) can take longer than any
	 * start timeout on a slow machine, and systemd must not kill it half-way.
	 */
	notify("READY=1\nSTATUS=Restoring the state from before vnic-install prepare");
	r = txn_recover(NULL, true, &info);
	if (r < 0) {
		log_error_errno(r, "Boot guard: the restore failed: %m. The journal is kept under "
				"%s; run 'vnic-install recover --force'.", TXN_STATE_DIR);
		notify("READY=1");
		return EXIT_INCONSISTENT;
	}
	log_warning("Boot guard: restored %s (%s): the E1000 configuration is back.", info.id,
		    info.op);
	notify("READY=1");
	if (streq(info.op, "swap")) {
		/* A live swap's undo brought the E1000 back up already: no reboot. */
		log_warning("Boot guard: %s is back on the E1000.", info.op);
	} else if (has_e1000() && !no_reboot) {
		char *argv[] = { (char *)"systemctl", (char *)"reboot", NULL };
		struct exec_result res;

		log_warning("Boot guard: rebooting so that the E1000 comes up with its configuration.");
		if (exec_run(argv, NULL, &res) == 0)
			exec_result_done(&res);
	} else {
		log_warning("Boot guard: no E1000 NIC in this boot; power the VM off, give it back "
			    "its E1000 adapter and boot it.");
	}
	return EXIT_ROLLED_BACK;
}

int verb_guard(const struct vnic_args *args)
{
	_cleanup_free_ char *text = NULL, *buf = NULL, *detail = NULL;
	struct guard_config c = { .link_timeout = 120, .check = "gateway" };
	struct txn_info info;
	unsigned line = 0;
	double deadline;
	int r;

	r = txn_pending(NULL, &info);
	if (r < 0) {
		notify("READY=1");
		return exit_code_for_errno(log_error_errno(r, "Boot guard: failed to read %s: %m",
							   TXN_STATE_DIR));
	}
	if (info.state != TXN_APPLIED || !info.guard) {
		notify("READY=1");
		log_info("Boot guard: nothing waits for confirmation.");
		return EXIT_OK;
	}
	r = read_full_file(GUARD_CONF_PATH, READ_FILE_MAX, &text, NULL);
	if (r == 0) {
		r = guard_config_parse(text, &c, &buf, &line);
		if (r < 0)
			log_warning("%s:%u: not KEY=VALUE with a known value; using the defaults.",
				    GUARD_CONF_PATH, line);
	} else if (r != -ENOENT) {
		log_warning_errno(r, "Failed to read %s: %m; using the defaults.", GUARD_CONF_PATH);
	}
	if (args->timeout_sec)
		c.link_timeout = args->timeout_sec;

	log_info("Boot guard: waiting up to %u s for the VMXNET3 link (%s) of %s.", c.link_timeout,
		 c.check, info.id);
	notify("STATUS=Waiting for the VMXNET3 link");
	deadline = now() + c.link_timeout;
	if (c.to && !reach_ok(&c, &detail)) {
		_cleanup_free_ char *why = NULL;

		if (asprintf(&why, "the check of %s failed: %s", c.to, detail ? detail : "?") < 0)
			why = NULL;
		return restore(why ? why : "the check of the VMXNET3 interface failed",
			       args->seams.guard_no_reboot);
	}
	while (!c.to) {
		free(detail);
		detail = NULL;
		if (link_ok(c.check, &detail))
			break;
		if (now() >= deadline) {
			_cleanup_free_ char *why = NULL;

			if (asprintf(&why, "the VMXNET3 link did not come up within %u s (%s)",
				     c.link_timeout, detail ? detail : "?") < 0)
				why = NULL;
			return restore(why ? why : "the VMXNET3 link did not come up",
				       args->seams.guard_no_reboot);
		}
		sleep(1);
	}
	log_info("Boot guard: the VMXNET3 link is up on %s.", detail ? detail : "?");
	notify("READY=1\nSTATUS=VMXNET3 link up; waiting for vnic-install confirm");
	if (c.confirm_timeout == 0) {
		log_info("Boot guard: run 'vnic-install confirm' to keep the change (the guard checks "
			 "the link again on every boot until then).");
		return EXIT_OK;
	}
	deadline = now() + c.confirm_timeout;
	while (now() < deadline) {
		struct txn_info p;

		if (txn_pending(NULL, &p) == 0 && (p.state == TXN_NONE || !streq(p.id, info.id))) {
			log_info("Boot guard: %s was confirmed.", info.id);
			return EXIT_OK;
		}
		sleep(2);
	}
	return restore("'vnic-install confirm' did not come in time",
		       args->seams.guard_no_reboot);
}
