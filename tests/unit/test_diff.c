// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/diff: exact output for the cases people read (a change, a new file, a removed file, a
 * missing final newline, hunks merged or split by the context), and, over thousands of random
 * pairs, that the diff applied to the old text gives the new one and is minimal (its number
 * of removed + added lines equals n + m - 2 * LCS, from a plain dynamic program). One case is
 * also applied with patch(1) when it is installed.
 */
#include "unit.h"

#include "lib/diff.h"
#include "lib/exec.h"

static char *udiff(const char *a, const char *b)
{
	char *out = NULL;

	assert_int_equal(diff_unified(a, a ? strlen(a) : 0, b, b ? strlen(b) : 0, "a/f", "b/f",
				      DIFF_CONTEXT, &out),
			 0);
	return out;
}

static void expect(const char *a, const char *b, const char *want)
{
	_cleanup_free_ char *got = udiff(a, b);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "expected:\n%s\n--- actual:\n%s\n", want, got);
		fail();
	}
}

static void test_identical(void **state)
{
	expect("", "", "");
	expect("a\nb\n", "a\nb\n", "");
	expect(NULL, NULL, "");
}

static void test_change(void **state)
{
	expect("auto ens33\niface ens33 inet static\n    address 10.0.0.5/24\n",
	       "auto ens33\niface ens33 inet static\n    address 10.0.0.6/24\n",
	       "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n auto ens33\n iface ens33 inet static\n"
	       "-    address 10.0.0.5/24\n+    address 10.0.0.6/24\n");
	expect("x\n", "y\n", "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n+y\n");
}

static void test_new_and_removed(void **state)
{
	expect(NULL, "a\nb\n", "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n");
	expect("a\nb\n", NULL, "--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-a\n-b\n");
	expect("a\n", "a\nb\n", "--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n a\n+b\n");
}

static void test_no_newline(void **state)
{
	expect("a\nb", "a\nb\n",
	       "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
	expect("a\n", "a\nc", "--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n a\n+c\n\\ No newline at end of file\n");
}

static void test_hunks(void **state)
{
	/* 1..20, change 2 and 19: two hunks; change 2 and 9: one (gap of 6 lines = 2 * 3) */
	char a[256] = "", b1[256] = "", b2[256] = "";

	for (int i = 1; i <= 20; i++) {
		char l[16];

		snprintf(l, sizeof(l), "%d\n", i);
		strcat(a, l);
		strcat(b1, i == 2 || i == 19 ? "X\n" : l);
		strcat(b2, i == 2 || i == 9 ? "X\n" : l);
	}
	expect(a, b1,
	       "--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n"
	       "@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+X\n 20\n");
	expect(a, b2,
	       "--- a/f\n+++ b/f\n@@ -1,12 +1,12 @@\n 1\n-2\n+X\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+X\n"
	       " 10\n 11\n 12\n");
}

/* Applies a unified diff (our own output) to a; returns the result. */
static char *apply(const char *a, const char *d)
{
	char *out = NULL, *line = NULL;
	size_t outsize = 0, cap = 0, apos = 1; /* 1-based next line of a */
	FILE *o = open_memstream(&out, &outsize), *in = fmemopen((void *)d, strlen(d), "r");
	const char *ap = a;
	ssize_t n;
	bool last_nonl = false;

	assert_non_null(o);
	if (!*d) {
		fputs(a, o);
		fclose(o);
		if (in)
			fclose(in);
		return out;
	}
	assert_non_null(in);
	while ((n = getline(&line, &cap, in)) > 0) {
		if (!strncmp(line, "--- ", 4) || !strncmp(line, "+++ ", 4))
			continue;
		if (!strncmp(line, "@@ -", 4)) {
			unsigned long s = strtoul(line + 4, NULL, 10), c = 1;
			char *comma = strchr(line + 4, ','), *space = strchr(line + 4, ' ');

			if (comma && comma < space)
				c = strtoul(comma + 1, NULL, 10);
			if (c == 0)
				s++;
			while (apos < s) { /* copy untouched lines */
				const char *nl = strchr(ap, '\n');
				size_t len = nl ? (size_t)(nl - ap) + 1 : strlen(ap);

				fwrite(ap, 1, len, o);
				ap += len;
				apos++;
			}
			continue;
		}
		if (line[0] == '\\') {
			if (last_nonl) { /* drop the newline we wrote */
				fflush(o);
				if (outsize && out[outsize - 1] == '\n')
					fseeko(o, -1, SEEK_CUR);
			}
			continue;
		}
		last_nonl = false;
		if (line[0] == ' ' || line[0] == '-') {
			const char *nl = strchr(ap, '\n');
			size_t len = nl ? (size_t)(nl - ap) + 1 : strlen(ap);

			if (line[0] == ' ')
				fwrite(ap, 1, len, o);
			last_nonl = line[0] == ' ' && !nl;
			ap += len;
			apos++;
		}
		if (line[0] == '+') {
			fwrite(line + 1, 1, (size_t)n - 1, o);
			last_nonl = true;
		}
	}
	fputs(ap, o);
	free(line);
	fclose(in);
	fclose(o);
	return out;
}

static size_t lcs(char **x, size_t n, char **y, size_t m)
{
	size_t *t = calloc((n + 1) * (m + 1), sizeof(*t)), res;

	assert_non_null(t);
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++)
			t[i * (m + 1) + j] = streq(x[i - 1], y[j - 1]) ?
						     t[(i - 1) * (m + 1) + j - 1] + 1 :
						     (t[(i - 1) * (m + 1) + j] > t[i * (m + 1) + j - 1] ?
							      t[(i - 1) * (m + 1) + j] :
							      t[i * (m + 1) + j - 1]);
	res = t[n * (m + 1) + m];
	free(t);
	return res;
}

static void random_text(unsigned *seed, char *buf, char **lines, size_t *ret_n)
{
	size_t n = (size_t)(rand_r(seed) % 25);

	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		static const char *const words[] = { "a", "b", "c", "d", "address 10.0.0.5", "" };

		lines[i] = (char *)words[rand_r(seed) % ELEMENTSOF(words)];
		strcat(buf, lines[i]);
		strcat(buf, "\n");
	}
	*ret_n = n;
}

static void test_random_minimal(void **state)
{
	unsigned seed = 7;

	for (int round = 0; round < 3000; round++) {
		char a[1024], b[1024], *la[32], *lb[32];
		_cleanup_free_ char *d = NULL, *back = NULL;
		size_t na, nb, del = 0, ins = 0;

		random_text(&seed, a, la, &na);
		random_text(&seed, b, lb, &nb);
		d = udiff(a, b);
		back = apply(a, d);
		if (strcmp(back, b) != 0) {
			fprintf(stderr, "a:\n%s\nb:\n%s\ndiff:\n%s\napplied:\n%s\n", a, b, d, back);
			fail();
		}
		assert_int_equal(diff_count(a, strlen(a), b, strlen(b), &del, &ins), 0);
		assert_int_equal(del + ins, na + nb - 2 * lcs(la, na, lb, nb));
		/* lines in the diff that start with - or + (not the headers) agree */
		{
			size_t minus = 0, plus = 0;
			const char *p = d;

			while (*p) {
				if (*p == '-' && strncmp(p, "--- ", 4))
					minus++;
				if (*p == '+' && strncmp(p, "+++ ", 4))
					plus++;
				p = strchr(p, '\n');
				p = p ? p + 1 : "";
			}
			assert_int_equal(minus, del);
			assert_int_equal(plus, ins);
		}
	}
}

/* The unified format is the one patch(1) reads. */
static void test_patch_accepts(void **state)
{
	const char *a = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";
	const char *b = "one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven";
	_cleanup_free_ char *d = NULL, *got = NULL;
	char *argv[] = { "patch", "-s", "f", "f.diff", NULL };
	struct exec_result res;

	if (!exec_find_program(NULL, "patch", NULL))
		skip();
	d = udiff(a, b);
	unit_write("f", a);
	unit_write("f.diff", d);
	assert_int_equal(exec_run(argv, NULL, &res), 0);
	assert_true(exec_succeeded(&res));
	exec_result_done(&res);
	got = unit_read("f");
	assert_string_equal(got, b);
}

static void test_large(void **state)
{
	/* 20000 lines, every other one changed: the edit distance is large, the result still
	 * applies */
	size_t n = 20000;
	_cleanup_free_ char *a = calloc(n, 16), *b = calloc(n, 16), *d = NULL, *back = NULL;

	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		char l[16];

		snprintf(l, sizeof(l), "%zu\n", i);
		strcat(a + strlen(a), l);
		snprintf(l, sizeof(l), "%zu\n", i % 2 ? i : i + 1000000);
		strcat(b + strlen(b), l);
	}
	d = udiff(a, b);
	back = apply(a, d);
	assert_string_equal(back, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),      cmocka_unit_test(test_change),
		cmocka_unit_test(test_new_and_removed), cmocka_unit_test(test_no_newline),
		cmocka_unit_test(test_hunks),          cmocka_unit_test(test_random_minimal),
		cmocka_unit_test(test_patch_accepts),  cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
