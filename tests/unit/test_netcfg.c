// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netcfg fake-root migration tests: every directory in tests/netcfg/cases/ is one case (see
 * tests/netcfg/README.md): a root tree in/, the NICs and mode in case, and what must come out
 * in expected/ (owner, model, the files the plan writes, removals, commands, or the refusal).
 * Each case runs the owner lookup, the read and the plan, writes what it got under
 * ./actual/<case>/ in the scratch directory, and compares it file by file with expected/.
 * VNIC_NETCFG_UPDATE=1 writes expected/ from what was got instead (review it with git diff).
 */
#include "unit.h"

#include <dirent.h>
#include <limits.h>
#include <sys/socket.h>

#include "lib/path.h"
#include "lib/strv.h"
#include "netcfg/netcfg.h"

static char srcdir[PATH_MAX];

static int find_srcdir(void)
{
	const char *env = getenv("VNIC_SRCDIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env) {
		snprintf(srcdir, sizeof(srcdir), "%s", env);
		return 0;
	}
#ifdef VNIC_SRCDIR
	/* The build passes the source tree it was built from. */
	{
		char probe[PATH_MAX + 32];

		snprintf(probe, sizeof(probe), "%s/tests/netcfg/cases", VNIC_SRCDIR);
		if (access(probe, F_OK) == 0) {
			snprintf(srcdir, sizeof(srcdir), "%s", VNIC_SRCDIR);
			return 0;
		}
	}
#endif
	/* The binary lives under <srcdir>/<build>/...: walk up until the cases appear. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	for (char *slash = strrchr(exe, '/'); slash; slash = strrchr(exe, '/')) {
		char probe[PATH_MAX + 32];

		*slash = 0;
		snprintf(probe, sizeof(probe), "%s/tests/netcfg/cases", exe);
		if (access(probe, F_OK) == 0) {
			snprintf(srcdir, sizeof(srcdir), "%s", exe);
			return 0;
		}
	}
	return -1;
}

struct tcase {
	char *name, *dir;
	char *backend, *owner;
	char *f_name, *f_mac, *f_driver, *t_name, *t_mac, *t_driver;
	enum netcfg_mode mode;
};

static char *field(char *s)
{
	return streq(s, "-") ? NULL : strdup(s);
}

static void load_case(struct tcase *c)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	char *save = NULL;

	assert_int_not_equal(asprintf(&path, "%s/case", c->dir), -1);
	data = unit_read(path);
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char a[128], b[128], d[128];

		if (l[0] == '#')
			continue;
		if (sscanf(l, "backend %127s", a) == 1)
			c->backend = strdup(a);
		else if (sscanf(l, "owner %127s", a) == 1)
			c->owner = strdup(a);
		else if (sscanf(l, "from %127s %127s %127s", a, b, d) == 3) {
			c->f_name = field(a), c->f_mac = field(b), c->f_driver = field(d);
		} else if (sscanf(l, "to %127s %127s %127s", a, b, d) == 3) {
			c->t_name = field(a), c->t_mac = field(b), c->t_driver = field(d);
		} else if (sscanf(l, "mode %127s", a) == 1)
			c->mode = streq(a, "replace") ? NETCFG_REPLACE : NETCFG_SIDE_BY_SIDE;
		else
			fail_msg("%s: bad line '%s'", path, l);
	}
	assert_non_null(c->backend);
}

static void put(const char *dir, const char *rel, const char *text, size_t size)
{
	_cleanup_free_ char *p = path_join(dir, rel);
	FILE *f;

	assert_non_null(p);
	*strrchr(p, '/') = 0;
	assert_int_equal(mkdir_parents(p, 0755), 0);
	p[strlen(p)] = '/';
	f = fopen(p, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

static void put_text(const char *dir, const char *rel, const char *text)
{
	put(dir, rel, text, strlen(text));
}

static const char *errname(int r)
{
	switch (r) {
	case 0: return "OK";
	case -ENOENT: return "ENOENT";
	case -EBADMSG: return "EBADMSG";
	case -EUCLEAN: return "EUCLEAN";
	case -EINVAL: return "EINVAL";
	default: return "OTHER";
	}
}

/* Every file under dir, relative, sorted. */
static void walk(const char *base, const char *rel, char ***out)
{
	_cleanup_free_ char *p = rel[0] ? path_join(base, rel) : strdup(base);
	_cleanup_closedir_ DIR *d = opendir(p);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		_cleanup_free_ char *r = NULL;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		r = rel[0] ? path_join(rel, de->d_name) : strdup(de->d_name);
		if (de->d_type == DT_DIR)
			walk(base, r, out);
		else
			assert_int_equal(strv_push(out, r), 0);
	}
}

static int run_compare(const char *expected, const char *actual)
{
	_cleanup_strv_free_ char **e = NULL, **a = NULL;
	int bad = 0;

	walk(expected, "", &e);
	walk(actual, "", &a);
	if (e)
		strv_sort(e);
	if (a)
		strv_sort(a);
	for (char **x = a; x && *x; x++) {
		_cleanup_free_ char *pe = path_join(expected, *x), *pa = path_join(actual, *x);
		_cleanup_free_ char *de = NULL, *da = NULL;

		if (!strv_contains(e, *x)) {
			print_error("unexpected output %s:\n%s\n", *x, (da = unit_read(pa)));
			bad++;
			continue;
		}
		de = unit_read(pe);
		da = unit_read(pa);
		if (!streq(de, da)) {
			print_error("%s differs:\n--- expected\n%s--- actual\n%s---\n", *x, de, da);
			bad++;
		}
	}
	for (char **x = e; x && *x; x++)
		if (!strv_contains(a, *x)) {
			print_error("missing output %s\n", *x);
			bad++;
		}
	return bad;
}

/* A plan as text: every file operation and command, for comparing two plans. */
static char *plan_text(const struct netcfg_plan *plan)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	for (size_t k = 0; k < plan->n_files; k++)
		fprintf(f, "file %s %o %s\n%s\n", plan->files[k].path, (unsigned)plan->files[k].mode,
			plan->files[k].reason, plan->files[k].contents ?: "(removed)");
	for (size_t k = 0; k < plan->n_commands; k++) {
		fprintf(f, "command %d %d %s:", plan->commands[k].before_files,
			plan->commands[k].undo_after_files, plan->commands[k].reason);
		for (char **a = plan->commands[k].argv; *a; a++)
			fprintf(f, " %s", *a);
		for (char **a = plan->commands[k].undo_argv; a && *a; a++)
			fprintf(f, " | %s", *a);
		fprintf(f, "\n");
	}
	assert_int_equal(fclose(f), 0);
	return text;
}

/*
 * One read: the plan is built from the files as netcfg_load read them. Loaded from a copy of
 * the case's root whose configuration files are then overwritten with garbage, the plan must
 * be the one the intact files give, and each file must have been read from disk once.
 */
static void check_one_read(const struct tcase *c, const struct netcfg_nic *from,
			   const struct netcfg_nic *to, const char *expected_plan)
{
	_cleanup_free_ char *copy = strdup("/tmp/vnic-netcfg-XXXXXX"), *cmd = NULL, *root = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_config_ struct netcfg_config *cfg = NULL;
	struct netcfg_error err = {};
	struct netcfg_plan plan = {};
	const struct netcfg_iface *m;
	size_t reads;

	assert_non_null(copy);
	assert_non_null(mkdtemp(copy));
	assert_int_not_equal(asprintf(&cmd, "cp -a '%s/in' '%s/in'", c->dir, copy), -1);
	assert_int_equal(system(cmd), 0);
	assert_int_not_equal(asprintf(&root, "%s/in", copy), -1);
	assert_int_equal(netcfg_load(root, c->backend, from, &cfg, &err), 0);
	m = netcfg_config_model(cfg);
	assert_non_null(m->files);
	for (char **f = m->files; *f; f++) {
		_cleanup_free_ char *p = path_join(root, *f);

		put_text("/", p, "{{{ [garbage written after the load\n");
	}
	reads = netcfg_config_disk_reads(cfg);
	assert_true(reads >= strv_length(m->files));
	assert_int_equal(netcfg_config_plan(cfg, to, c->mode, &plan, &err), 0);
	text = plan_text(&plan);
	if (!streq(text, expected_plan))
		fail_msg("case %s: the plan changed with the files after the load:\n%s\n--- instead of ---\n%s",
			 c->name, text, expected_plan);
	netcfg_plan_done(&plan);
	netcfg_error_done(&err);
	free(cmd);
	assert_int_not_equal(asprintf(&cmd, "rm -rf '%s'", copy), -1);
	assert_int_equal(system(cmd), 0);
}

static void test_case(void **state)
{
	struct tcase *c = *state;
	_cleanup_free_ char *root = NULL, *actual = NULL, *expected = NULL;
	_cleanup_free_ char *result = NULL, *commands = NULL, *removed = NULL;
	size_t rsize = 0, csize = 0, dsize = 0;
	struct netcfg_nic from = {}, to = {};
	struct netcfg_owner owner = {};
	struct netcfg_error err = {};
	struct netcfg_iface *m = NULL;
	struct netcfg_plan plan = {};
	FILE *res, *cmds, *rem;
	int r;

	load_case(c);
	from = (struct netcfg_nic){ .name = c->f_name, .mac = c->f_mac, .driver = c->f_driver };
	to = (struct netcfg_nic){ .name = c->t_name, .mac = c->t_mac, .driver = c->t_driver };
	assert_int_not_equal(asprintf(&root, "%s/in", c->dir), -1);
	assert_int_not_equal(asprintf(&expected, "%s/expected", c->dir), -1);
	assert_int_not_equal(asprintf(&actual, "actual/%s", c->name), -1);
	assert_int_equal(mkdir_parents(actual, 0755), 0);

	res = open_memstream(&result, &rsize);
	assert_non_null(res);

	/* Owner */
	r = netcfg_find_owner_full(root, &from, &owner, &err);
	fprintf(res, "owner %s %s\n", errname(r), r == 0 && owner.backend ? owner.backend : "-");
	for (char **f = owner.config_files; f && *f; f++)
		fprintf(res, "owner-file %s\n", *f);
	netcfg_owner_done(&owner);
	netcfg_error_done(&err);

	/* The Ethernet interfaces it names: what an offline prepare without --from chooses from */
	{
		_cleanup_strv_free_ char **names = NULL;

		r = netcfg_configured_names(root, &names, &err);
		fprintf(res, "names %s", errname(r));
		for (char **n = names; n && *n; n++)
			fprintf(res, " %s", *n);
		fprintf(res, "\n");
		netcfg_error_done(&err);
	}

	/* Read */
	r = netcfg_read(root, c->backend, &from, &m, &err);
	fprintf(res, "read %s\n", errname(r));
	if (err.message)
		fprintf(res, "read-error %s:%u: %s\n", err.file ? err.file : "-", err.line, err.message);
	netcfg_error_done(&err);
	if (m) {
		_cleanup_free_ char *text = NULL;

		assert_int_equal(netcfg_iface_to_text(m, &text), 0);
		put_text(actual, "model", text);
		netcfg_iface_free(m);
	}

	/* Plan */
	r = netcfg_plan(root, c->backend, &from, &to, c->mode, &plan, &err);
	fprintf(res, "plan %s\n", errname(r));
	if (err.message)
		fprintf(res, "plan-error %s:%u: %s\n", err.file ? err.file : "-", err.line, err.message);
	netcfg_error_done(&err);
	cmds = open_memstream(&commands, &csize);
	rem = open_memstream(&removed, &dsize);
	assert_non_null(cmds);
	assert_non_null(rem);
	for (size_t k = 0; r == 0 && k < plan.n_files; k++) {
		const struct netcfg_file_op *op = &plan.files[k];
		_cleanup_free_ char *rel = NULL;

		assert_true(op->path[0] == '/');
		assert_non_null(op->reason);
		if (!op->contents) {
			fprintf(rem, "%s\n", op->path);
			continue;
		}
		assert_int_equal(strlen(op->contents), op->size);
		assert_int_not_equal(asprintf(&rel, "root%s", op->path), -1);
		put(actual, rel, op->contents, op->size);
	}
	for (size_t k = 0; r == 0 && k < plan.n_commands; k++) {
		const struct netcfg_command *cm = &plan.commands[k];

		fprintf(cmds, "%s", cm->before_files ? "before:" : "after:");
		for (char **a = cm->argv; *a; a++)
			fprintf(cmds, " %s", *a);
		if (cm->undo_argv) {
			fprintf(cmds, " | undo:");
			for (char **a = cm->undo_argv; *a; a++)
				fprintf(cmds, " %s", *a);
		}
		fprintf(cmds, "\n");
	}
	if (r == 0) {
		_cleanup_free_ char *text = plan_text(&plan);

		check_one_read(c, &from, &to, text);
	}
	netcfg_plan_done(&plan);
	assert_int_equal(fclose(res), 0);
	assert_int_equal(fclose(cmds), 0);
	assert_int_equal(fclose(rem), 0);
	put_text(actual, "result", result);
	if (csize)
		put_text(actual, "commands", commands);
	if (dsize)
		put_text(actual, "removed", removed);

	if (getenv("VNIC_NETCFG_UPDATE")) {
		_cleanup_free_ char *cmd = NULL;

		assert_int_not_equal(asprintf(&cmd, "rm -rf '%s' && cp -r '%s' '%s'", expected, actual,
					      expected), -1);
		assert_int_equal(system(cmd), 0);
		return;
	}
	if (run_compare(expected, actual) > 0)
		fail_msg("case %s: output differs from %s (actual output kept in %s)", c->name, expected,
			 actual);
}

/* Model helpers: canonical forms, and refusal of what is not an address. */
static void test_model_parsers(void **state)
{
	_cleanup_iface_ struct netcfg_iface *m = netcfg_iface_new();
	char *s = NULL;
	unsigned u;
	int fam;

	assert_int_equal(netcfg_parse_mac("00-0C-29-AA-bb-01", &s), 0);
	assert_string_equal(s, "00:0c:29:aa:bb:01");
	free(s);
	assert_int_equal(netcfg_parse_mac("00:0c:29:aa:bb", &s), -EINVAL);
	assert_int_equal(netcfg_parse_mac("00:0c:29:aa:bb:0g", &s), -EINVAL);
	assert_int_equal(netcfg_parse_prefix("255.255.255.0", AF_INET, &u), 0);
	assert_int_equal(u, 24);
	assert_int_equal(netcfg_parse_prefix("255.0.255.0", AF_INET, &u), -EINVAL);
	assert_int_equal(netcfg_parse_prefix("129", AF_INET6, &u), -EINVAL);
	assert_int_equal(netcfg_parse_ip("2001:DB8:0:0::1", &fam, &s), 0);
	assert_string_equal(s, "2001:db8::1");
	assert_int_equal(fam, AF_INET6);
	free(s);
	assert_int_equal(netcfg_parse_ip("10.0.0.256", &fam, &s), -EINVAL);
	assert_int_equal(netcfg_iface_add_addr(m, "10.0.0.5/33", 0), -EINVAL);
	assert_int_equal(netcfg_iface_add_addr(m, "10.0.0.5", 0), -EINVAL);
	assert_int_equal(netcfg_iface_add_addr(m, "10.0.0.5", 24), 0);
	assert_int_equal(m->addrs[0].prefix, 24);
	assert_int_equal(netcfg_iface_add_route(m, "default", "10.0.0.1", -1), 0);
	assert_string_equal(m->routes[0].destination, "0.0.0.0");
	assert_int_equal(netcfg_iface_add_route(m, "10.9.0.0/16", "fe80::1", 5), -EINVAL);
	assert_int_equal(netcfg_iface_add_route(m, "10.9.0.1", NULL, 5), 0);
	assert_int_equal(m->routes[1].prefix, 32);
	assert_int_equal(netcfg_iface_add_search(m, "bad domain"), -EINVAL);
	assert_int_equal(netcfg_parse_uint("4095", 1, 4094, &u), -EINVAL);
	assert_int_equal(netcfg_parse_uint("-1", 0, 10, &u), -EINVAL);
}

/* Unknown backends and missing names are refused before anything is read. */
static void test_bad_arguments(void **state)
{
	struct netcfg_nic from = { .name = "ens33" }, to = {};
	struct netcfg_error err = {};
	struct netcfg_plan plan = {};
	struct netcfg_iface *m = NULL;

	assert_int_equal(netcfg_read("/nonexistent", "nope", &from, &m, &err), -EINVAL);
	assert_non_null(strstr(err.message, "nope"));
	netcfg_error_done(&err);
	assert_null(m);
	assert_int_equal(netcfg_plan("/nonexistent", NETCFG_IFUPDOWN, &from, &to, NETCFG_SIDE_BY_SIDE,
				     &plan, &err),
			 -EINVAL);
	assert_null(plan.files);
	netcfg_error_done(&err);
	assert_true(netcfg_backend_known(NETCFG_WICKED));
	assert_false(netcfg_backend_known("connman"));
}

/* A NIC known by its MAC only (no name yet): backends that match by MAC still find it. */
static void test_owner_by_mac_only(void **state)
{
	struct netcfg_nic nic = { .mac = "00:0C:29:11:22:33" };
	struct netcfg_owner owner = {};
	_cleanup_free_ char *root = NULL;

	assert_int_not_equal(asprintf(&root, "%s/tests/netcfg/cases/nm-static-mac/in", srcdir), -1);
	assert_int_equal(netcfg_find_owner(root, &nic, &owner), 0);
	assert_string_equal(owner.backend, NETCFG_NM);
	assert_non_null(owner.config_files);
	assert_string_equal(owner.config_files[0], "/etc/NetworkManager/system-connections/Wired.nmconnection");
	netcfg_owner_done(&owner);
	free(root);
	assert_int_not_equal(asprintf(&root, "%s/tests/netcfg/cases/ifupdown-dhcp/in", srcdir), -1);
	assert_int_equal(netcfg_find_owner(root, &nic, &owner), 0);
	assert_null(owner.backend); /* ifupdown knows names only */
	netcfg_owner_done(&owner);
}

int main(void)
{
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_free_ char *cases = NULL;
	struct CMUnitTest *tests;
	struct tcase *tc;
	DIR *d;
	size_t n, k = 0;
	int r;

	if (find_srcdir() < 0) {
		fprintf(stderr, "test_netcfg: cannot find the source tree (set VNIC_SRCDIR)\n");
		return 1;
	}
	if (asprintf(&cases, "%s/tests/netcfg/cases", srcdir) < 0)
		return 1;
	d = opendir(cases);
	if (!d) {
		fprintf(stderr, "test_netcfg: %s: %m\n", cases);
		return 1;
	}
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.' && strv_push(&names, de->d_name) < 0)
			return 1;
	closedir(d);
	if (names)
		strv_sort(names);
	n = strv_length(names);
	tests = calloc(n + 3, sizeof(*tests));
	tc = calloc(n + 1, sizeof(*tc));
	if (!tests || !tc)
		return 1;
	tests[k++] = (struct CMUnitTest){ .name = "model_parsers", .test_func = test_model_parsers };
	tests[k++] = (struct CMUnitTest){ .name = "bad_arguments", .test_func = test_bad_arguments };
	tests[k++] = (struct CMUnitTest){ .name = "owner_by_mac_only", .test_func = test_owner_by_mac_only };
	for (size_t i = 0; i < n; i++) {
		tc[i].name = names[i];
		if (asprintf(&tc[i].dir, "%s/%s", cases, names[i]) < 0)
			return 1;
		tests[k++] = (struct CMUnitTest){ .name = names[i], .test_func = test_case,
						  .initial_state = &tc[i] };
	}
	r = _cmocka_run_group_tests("netcfg", tests, k, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		free(tc[i].dir);
		free(tc[i].backend);
		free(tc[i].owner);
		free(tc[i].f_name);
		free(tc[i].f_mac);
		free(tc[i].f_driver);
		free(tc[i].t_name);
		free(tc[i].t_mac);
		free(tc[i].t_driver);
	}
	free(tc);
	free(tests);
	return r;
}
