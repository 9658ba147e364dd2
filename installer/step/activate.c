// SPDX-License-Identifier: GPL-2.0-or-later
/* The driver's activation step (driver.h): the running kernel's vmxnet3 made the one that
 * `modprobe vmxnet3` now resolves to, when nothing uses the loaded one. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "step/driver.h"
#include "system/modules.h"

_printf_(3, 4) static int say(char **ret, int r, const char *fmt, ...)
{
	va_list ap;

	free(*ret);
	va_start(ap, fmt);
	if (vasprintf(ret, fmt, ap) < 0)
		*ret = NULL;
	va_end(ap);
	return r;
}

/* Puts the kernel's own vmxnet3 back after ours failed to load; says how it went. */
static const char *restore_inbox(const char *running)
{
	_cleanup_(module_info_done) struct module_info inbox = {}, now = {};

	if (modules_loaded(DKMS_MODULE, &now) >= 0)
		(void)modules_unload(DKMS_MODULE);
	if (!running || modules_inbox(NULL, running, DKMS_MODULE, &inbox) < 0)
		return "the kernel's own vmxnet3 could not be found to load it again; a reboot loads it";
	if (modules_insert_file(inbox.path) < 0)
		return "the kernel's own vmxnet3 could not be loaded again; a reboot loads it";
	return "the kernel's own vmxnet3 is loaded again";
}

/* Left as it is when an interface is up on the loaded module; 1 then, else 0. */
static int in_use(struct driver_activation *a, const struct module_info *loaded)
{
	_cleanup_strv_free_ char **bound = NULL, **up = NULL;
	_cleanup_free_ char *names = NULL;
	int r;

	r = modules_users(NULL, DKMS_MODULE, &bound, &up);
	if (r < 0 || !up)
		return r;
	names = strv_join(up, " ");
	say(&a->what, 0, "left as it is: %s up on the loaded vmxnet3 %s; a reboot or 'vnic-install "
	    "swap' activates the new one", names ? names : "?",
	    loaded->version ? loaded->version : "");
	return 1;
}

static int activate(struct step_list *l, size_t i, struct step_env *env, char **ret_why)
{
	struct driver_activation *a = l->v[i].userdata;
	_cleanup_(module_info_done) struct module_info target = {}, loaded = {}, after = {};
	bool is_loaded;
	int r;

	r = modules_lookup(NULL, a->running, DKMS_MODULE, &target);
	if (r < 0)
		return say(ret_why, r, "Failed to look up vmxnet3 for %s", a->running);
	if (target.in_updates != a->want_ours)
		return say(&a->what, 0, "modprobe does not resolve to the expected vmxnet3; a "
			   "reboot decides");
	is_loaded = modules_loaded(DKMS_MODULE, &loaded) >= 0;
	if (is_loaded && streq(loaded.srcversion, target.srcversion) &&
	    streq(loaded.version, target.version))
		return say(&a->what, 0, "already active (%s)",
			   loaded.version ? loaded.version : "?");
	if (is_loaded && (r = in_use(a, &loaded)) != 0)
		return r < 0 ? say(ret_why, r, "Failed to read /sys/class/net") : 0;
	if (is_loaded && (r = modules_unload(DKMS_MODULE)) < 0)
		return say(&a->what, 0, "left as it is: the loaded vmxnet3 could not be unloaded "
			   "(%s); a reboot activates the new one", strerror(-r));
	r = modules_probe(DKMS_MODULE);
	if (r >= 0)
		r = modules_loaded(DKMS_MODULE, &after);
	if (r >= 0 && (!streq(after.srcversion, target.srcversion) ||
		       !streq(after.version, target.version)))
		r = -EBADE;
	if (r < 0) {
		const char *back = a->want_ours ? restore_inbox(a->running) : "";

		return say(ret_why, r, "Failed to load %s (%s)%s%s", target.path,
			   strerror(-r), *back ? "; " : "", back);
	}
	free(a->what);
	if (asprintf(&a->what, "loaded %s %s (srcversion %s)", a->want_ours ? "vnic's vmxnet3" :
		     "the kernel's vmxnet3", after.version ? after.version : "?",
		     after.srcversion ? after.srcversion : "?") < 0)
		a->what = NULL;
	return 0;
}

int driver_activate_steps(struct driver_activation *a, struct step_list *l)
{
	return step_add_call(l, a->want_ours ? "driver.activate.vnic" : "driver.activate.in-kernel",
			     activate, a, "Load %s vmxnet3 in place of the loaded one where nothing "
			     "uses it", a->want_ours ? "vnic's" : "the kernel's");
}
