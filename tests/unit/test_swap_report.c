// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/report: the JSON events are one valid object per line with the fields automation reads
 * (event, step, total, id, ok, outcome, exit_code, elapsed_ms), a failed step says why, and the
 * plain form carries the counter "[n/total s.ds]" and no terminal escapes.
 */
#include "unit.h"

#include "lib/report.h"

static char *capture(bool json, void (*fn)(struct report *))
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct report r;

	assert_non_null(f);
	report_init(&r, f, json, 3);
	fn(&r);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void scenario(struct report *r)
{
	report_step(r, "file", "Writing %s", "/etc/network/interfaces");
	report_step(r, "check", "Checking the link of %s", "ens4");
	report_detail(r, "carrier after %.1f s", 0.4);
	report_step_end(r, false, "no carrier on %s within %u s", "ens4", 10);
	report_step(r, "rollback", "Rolling back");
	report_step(r, "extra", "One more than announced");
	report_result(r, "rolled-back", 3, "The link check failed \"quoted\"");
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_json_lines(void **state)
{
	_cleanup_free_ char *out = capture(true, scenario);
	const char *want[] = {
		"{\"event\":\"step\",\"step\":1,\"total\":3,\"id\":\"file\",\"message\":\"Writing "
		"/etc/network/interfaces\",\"elapsed_ms\":",
		"{\"event\":\"step_end\",\"step\":1,\"id\":\"file\",\"ok\":true,\"elapsed_ms\":",
		"{\"event\":\"step\",\"step\":2,\"total\":3,\"id\":\"check\",",
		"{\"event\":\"detail\",\"step\":2,\"message\":\"carrier after 0.4 s\"}",
		"{\"event\":\"step_end\",\"step\":2,\"id\":\"check\",\"ok\":false,\"message\":\"no "
		"carrier on ens4 within 10 s\",\"elapsed_ms\":",
		"{\"event\":\"step\",\"step\":3,\"total\":3,\"id\":\"rollback\",",
		"{\"event\":\"step_end\",\"step\":3,\"id\":\"rollback\",\"ok\":true,",
		/* the total grows when a step more than announced comes */
		"{\"event\":\"step\",\"step\":4,\"total\":4,\"id\":\"extra\",",
		"{\"event\":\"step_end\",\"step\":4,\"id\":\"extra\",\"ok\":false,",
		"{\"event\":\"result\",\"outcome\":\"rolled-back\",\"exit_code\":3,\"message\":\"The "
		"link check failed \\\"quoted\\\"\",\"elapsed_ms\":",
	};
	char *line = out;

	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		char *nl = strchr(line, '\n');

		assert_non_null(nl);
		*nl = 0;
		if (strncmp(line, want[i], strlen(want[i])) != 0) {
			fprintf(stderr, "line %zu:\n  want %s...\n  got  %s\n", i + 1, want[i], line);
			fail();
		}
		assert_int_equal(line[strlen(line) - 1], '}');
		line = nl + 1;
	}
	assert_string_equal(line, "");
}

static void test_plain(void **state)
{
	_cleanup_free_ char *out = capture(false, scenario);

	assert_non_null(strstr(out, "[1/3 0.0s] Writing /etc/network/interfaces...\n"));
	assert_non_null(strstr(out, "[2/3 0.0s] Checking the link of ens4...\n"));
	assert_non_null(strstr(out, "      carrier after 0.4 s\n"));
	assert_non_null(strstr(out, "      FAILED: no carrier on ens4 within 10 s\n"));
	assert_non_null(strstr(out, "[4/4 0.0s] One more than announced...\n"));
	assert_non_null(strstr(out, "Failed: The link check failed \"quoted\" (0.0s)\n"));
	assert_null(strchr(out, '\033'));
	assert_int_equal(count(out, "\n"), 8);
}

static void quiet_scenario(struct report *r)
{
	report_set_quiet(r, true);
	scenario(r);
}

static void quiet_ok(struct report *r)
{
	report_set_quiet(r, true);
	report_step(r, "file", "Writing %s", "/etc/network/interfaces");
	report_detail(r, "%s", "renamed");
	report_result(r, "ok", 0, "%s", "done");
}

/* -q: only what failed is said; JSON is never quieted. */
static void test_quiet(void **state)
{
	_cleanup_free_ char *out = capture(false, quiet_scenario), *ok = capture(false, quiet_ok),
			   *js = capture(true, quiet_scenario);

	assert_string_equal(out, "      FAILED: no carrier on ens4 within 10 s\n"
				 "      FAILED: failed\n"
				 "Failed: The link check failed \"quoted\" (0.0s)\n");
	assert_string_equal(ok, "");
	assert_int_equal(count(js, "\n"), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quiet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
