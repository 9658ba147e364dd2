// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Myers' greedy shortest-edit-script search over lines, with the furthest-reaching x of every
 * diagonal kept for each edit distance d so that the path can be walked back. Common leading
 * and trailing lines are cut off first (configuration files mostly change in a few places).
 * Memory is O(D^2) for D edits; beyond TRACE_MAX entries the middle part is reported as
 * removed and re-added, which is still a correct (if not minimal) diff.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "macro.h"

#define TRACE_MAX (16u * 1024 * 1024)

struct line {
	const char *s;
	size_t len; /* with its '\n', if it has one */
};

enum op { OP_EQ, OP_DEL, OP_INS };

struct edit {
	enum op op;
	size_t a, b; /* line index in a (EQ, DEL) and in b (EQ, INS) */
};

struct script {
	struct edit *e;
	size_t n, cap;
};

static int split_lines(const char *s, size_t size, struct line **ret, size_t *ret_n)
{
	_cleanup_free_ struct line *l = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; s && i < size;) {
		const char *nl = memchr(s + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (s + i)) + 1 : size - i;

		if (n == cap) {
			struct line *m;

			cap = cap ? cap * 2 : 64;
			if (cap > DIFF_MAX_LINES)
				return -E2BIG;
			m = reallocarray(l, cap, sizeof(*l));
			if (!m)
				return -ENOMEM;
			l = m;
		}
		l[n++] = (struct line){ s + i, len };
		i += len;
	}
	*ret = TAKE_PTR(l);
	*ret_n = n;
	return 0;
}

static bool line_eq(const struct line *x, const struct line *y)
{
	return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

static int push(struct script *sc, enum op op, size_t a, size_t b)
{
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;
		struct edit *m = reallocarray(sc->e, cap, sizeof(*m));

		if (!m)
			return -ENOMEM;
		sc->e = m;
		sc->cap = cap;
	}
	sc->e[sc->n++] = (struct edit){ op, a, b };
	return 0;
}

static void reverse(struct edit *e, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct edit t = e[i];

		e[i] = e[n - 1 - i];
		e[n - 1 - i] = t;
	}
}

/*
 * The edit script of a[0..n) -> b[0..m), appended to sc (in order), indices offset by oa/ob.
 * trace[d] holds V for k in [-d, d] at offset d*d (sum of (2j+1) for j < d).
 */
static int myers(const struct line *a, size_t n, const struct line *b, size_t m, size_t oa,
		 size_t ob, struct script *sc)
{
	_cleanup_free_ int64_t *trace = NULL;
	size_t max = n + m, d_end = 0, start = sc->n;
	int64_t x = 0, y = 0, D = -1;
	int r;

	/* (max+1)^2 entries would cover every d; allocate up to the cap and give up beyond it. */
	{
		size_t want = (max + 1) * (max + 1);

		if (max + 1 > 65536 || want > TRACE_MAX)
			want = TRACE_MAX;
		trace = malloc(want * sizeof(*trace));
		if (!trace)
			return -ENOMEM;
		d_end = want;
	}

	for (int64_t d = 0; d <= (int64_t)max; d++) {
		int64_t *V = trace + (size_t)(d * d), *P = d > 0 ? trace + (size_t)((d - 1) * (d - 1)) : NULL;

		if ((size_t)((d + 1) * (d + 1)) > d_end)
			break; /* too many edits for the trace: fall back below */
		for (int64_t k = -d; k <= d; k += 2) {
			/* P is indexed by k + (d - 1), V by k + d */
			if (d == 0)
				x = 0;
			else if (k == -d || (k != d && P[k - 1 + d - 1] < P[k + 1 + d - 1]))
				x = P[k + 1 + d - 1]; /* down: insert b[y] */
			else
				x = P[k - 1 + d - 1] + 1; /* right: delete a[x] */
			y = x - k;
			while (x < (int64_t)n && y < (int64_t)m && line_eq(&a[x], &b[y]))
				x++, y++;
			V[k + d] = x;
			if (x >= (int64_t)n && y >= (int64_t)m) {
				D = d;
				goto found;
			}
		}
		/* entries for k of the wrong parity are never read, but keep them defined */
		for (int64_t k = -d + 1; k <= d - 1; k += 2)
			V[k + d] = -1;
	}

	/* Fallback: everything removed, then everything added. */
	for (size_t i = 0; i < n; i++)
		if ((r = push(sc, OP_DEL, oa + i, ob)) < 0)
			return r;
	for (size_t j = 0; j < m; j++)
		if ((r = push(sc, OP_INS, oa + n, ob + j)) < 0)
			return r;
	return 0;

found:
	x = (int64_t)n;
	y = (int64_t)m;
	for (int64_t d = D; d > 0; d--) {
		int64_t *P = trace + (size_t)((d - 1) * (d - 1));
		int64_t k = x - y, pk, px, py;

		if (k == -d || (k != d && P[k - 1 + d - 1] < P[k + 1 + d - 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = P[pk + d - 1];
		py = px - pk;
		{
			/* the move ends at x = mx; from there a snake of equal lines to (x, y) */
			int64_t mx = pk == k + 1 ? px : px + 1;

			while (x > mx) {
				x--, y--;
				if ((r = push(sc, OP_EQ, oa + (size_t)x, ob + (size_t)y)) < 0)
					return r;
			}
		}
		if (pk == k + 1) { /* down: b[py] inserted */
			x = px;
			y = py;
			if ((r = push(sc, OP_INS, oa + (size_t)x, ob + (size_t)y)) < 0)
				return r;
		} else { /* right: a[px] deleted */
			x = px;
			y = py;
			if ((r = push(sc, OP_DEL, oa + (size_t)x, ob + (size_t)y)) < 0)
				return r;
		}
	}
	while (x > 0 && y > 0) {
		x--, y--;
		if ((r = push(sc, OP_EQ, oa + (size_t)x, ob + (size_t)y)) < 0)
			return r;
	}
	reverse(sc->e + start, sc->n - start);
	return 0;
}

static int edit_script(const struct line *a, size_t n, const struct line *b, size_t m,
		       struct script *ret)
{
	struct script sc = {};
	size_t pre = 0, suf = 0;
	int r;

	while (pre < n && pre < m && line_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < n - pre && suf < m - pre && line_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
		suf++;
	for (size_t i = 0; i < pre; i++)
		if ((r = push(&sc, OP_EQ, i, i)) < 0)
			goto fail;
	r = myers(a + pre, n - pre - suf, b + pre, m - pre - suf, pre, pre, &sc);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < suf; i++)
		if ((r = push(&sc, OP_EQ, n - suf + i, m - suf + i)) < 0)
			goto fail;
	*ret = sc;
	return 0;
fail:
	free(sc.e);
	return r;
}

static void put_line(FILE *f, char mark, const struct line *l)
{
	fputc(mark, f);
	fwrite(l->s, 1, l->len, f);
	if (l->len == 0 || l->s[l->len - 1] != '\n')
		fputs("\n\\ No newline at end of file\n", f);
}

/* "-l,s" as diff -u writes it: the count is left out when it is 1; an empty range names the
 * line before it. */
static void put_range(FILE *f, char sign, size_t start, size_t count)
{
	if (count == 1)
		fprintf(f, "%c%zu", sign, start + 1);
	else
		fprintf(f, "%c%zu,%zu", sign, count ? start + 1 : start, count);
}

int diff_unified(const char *a, size_t a_size, const char *b, size_t b_size, const char *label_a,
		 const char *label_b, unsigned context, char **ret)
{
	_cleanup_free_ struct line *la = NULL, *lb = NULL;
	_cleanup_free_ char *buf = NULL;
	struct script sc = {};
	size_t na = 0, nb = 0, bufsize = 0, i = 0;
	bool header = false;
	FILE *f;
	int r;

	if ((r = split_lines(a, a ? a_size : 0, &la, &na)) < 0 ||
	    (r = split_lines(b, b ? b_size : 0, &lb, &nb)) < 0)
		return r;
	if (na + nb > DIFF_MAX_LINES)
		return -E2BIG;
	r = edit_script(la, na, lb, nb, &sc);
	if (r < 0)
		return r;

	f = open_memstream(&buf, &bufsize);
	if (!f) {
		free(sc.e);
		return -ENOMEM;
	}
	while (i < sc.n) {
		size_t first, last, end, as, bs, ac = 0, bc = 0;

		/* the next change */
		while (i < sc.n && sc.e[i].op == OP_EQ)
			i++;
		if (i == sc.n)
			break;
		first = i >= context ? i - context : 0;
		/* extend while the gap of equal lines to the next change is at most 2*context */
		last = i;
		for (size_t j = i; j < sc.n; j++) {
			if (sc.e[j].op != OP_EQ) {
				last = j;
				continue;
			}
			if (j - last > 2 * (size_t)context)
				break;
		}
		end = last + context + 1 < sc.n ? last + context + 1 : sc.n;
		as = sc.e[first].a;
		bs = sc.e[first].b;
		for (size_t j = first; j < end; j++) {
			if (sc.e[j].op != OP_INS)
				ac++;
			if (sc.e[j].op != OP_DEL)
				bc++;
		}
		if (!header) {
			fprintf(f, "--- %s\n+++ %s\n", label_a ? label_a : "a", label_b ? label_b : "b");
			header = true;
		}
		fputs("@@ ", f);
		put_range(f, '-', as, ac);
		fputc(' ', f);
		put_range(f, '+', bs, bc);
		fputs(" @@\n", f);
		for (size_t j = first; j < end; j++) {
			const struct edit *e = &sc.e[j];

			if (e->op == OP_EQ)
				put_line(f, ' ', &la[e->a]);
			else if (e->op == OP_DEL)
				put_line(f, '-', &la[e->a]);
			else
				put_line(f, '+', &lb[e->b]);
		}
		i = end;
	}
	free(sc.e);
	if (fclose(f) != 0)
		return -ENOMEM;
	if (!buf) {
		buf = strdup("");
		if (!buf)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(buf);
	return 0;
}

int diff_count(const char *a, size_t a_size, const char *b, size_t b_size, size_t *ret_removed,
	       size_t *ret_added)
{
	_cleanup_free_ struct line *la = NULL, *lb = NULL;
	struct script sc = {};
	size_t na = 0, nb = 0, del = 0, ins = 0;
	int r;

	if ((r = split_lines(a, a ? a_size : 0, &la, &na)) < 0 ||
	    (r = split_lines(b, b ? b_size : 0, &lb, &nb)) < 0)
		return r;
	r = edit_script(la, na, lb, nb, &sc);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sc.n; i++) {
		del += sc.e[i].op == OP_DEL;
		ins += sc.e[i].op == OP_INS;
	}
	free(sc.e);
	if (ret_removed)
		*ret_removed = del;
	if (ret_added)
		*ret_added = ins;
	return 0;
}
