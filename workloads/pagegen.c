/* SPDX-License-Identifier: MIT */
/*
 * Page-write generators: Poisson write counts per window, each write's
 * page drawn uniformly, from a hot set and the rest, from a Zipf law over a
 * scattered region, or replayed from a page-dirty trace; a deterministic
 * sweep through a region in page order; their expected
 * distinct-page counts in closed form; and page-dirty traces made from
 * them. Every draw comes from the caller's gsl_rng, in a fixed order.
 */
#include "wl_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

__extension__ typedef unsigned __int128 u128;

/* Uniform draws on [0, n) for 1 <= n <= 2^32 by Lemire's multiply-shift
 * ("Fast random integer generation in an interval", ACM TOMACS 29(1),
 * 2019): a 32-bit draw x gives m = x·n, whose high word is the value;
 * draws whose low word falls below 2^32 mod n are rejected, which leaves
 * every value exactly floor(2^32 / n) draws, so the result is unbiased.
 * A class of at most 2^16 pages takes two pages from one draw: a value
 * uniform on [0, n²) split into its quotient and remainder by n, both
 * uniform and independent (its digits in base n). */
typedef struct span {
	uint64_t n;           /* values; 0 = an empty class, never drawn */
	uint32_t reject;      /* 2^32 mod n */
	uint64_t nn;          /* n² when pairs are drawn, else 0 */
	uint32_t nn_reject;   /* 2^32 mod n² */
	uint64_t magic;       /* 2^64 / n rounded up, for the split */
} span;

struct wl_pagegen {
	int kind;
	uint64_t vm_pages;
	gsl_rng *rng;
	/* rng's own draw function and state, the public gsl_rng fields that
	 * gsl_rng_get reads on every call: calling them directly saves the
	 * library call per draw on the hot path. */
	unsigned long (*get)(void *state);
	void *state;
	unsigned long rng_min;
	double rate;          /* all writes/s */
	double hot_share;     /* hotset: hot_rate / (hot_rate + cold_rate) */
	uint64_t first;       /* uniform, zipf, sweep: region; hotset: hot set */
	uint64_t count;
	span pick;            /* uniform: the region; hotset: the hot set */
	span cold;            /* hotset: the vm_pages - count other pages */
	/* zipf: the rejection-inversion constants (see zipf_rank) */
	double s, h_x1, h_n, s_accept;
	unsigned half_bits;   /* zipf: half width of the Feistel permutation */
	const trace_pages *trace;
	/* Time structure (phases.c), or NULL; with it, `first` is moved
	 * to the hot set's place at each piece of a window. */
	const wl_phases *phases;
	wl_pages_params base;  /* p as created, for the hot set's offset */
	span burst[WL_MAX_BURSTS];
};

/* Writes handed out per call of a wl_writes_fn; even (see emit_span). */
#define CHUNK WL_WRITES_BATCH_PAGES
_Static_assert(CHUNK % 2 == 0, "pairs would depend on the chunking");

/* ------------------------------------------------------------------------
 * Draws
 * ------------------------------------------------------------------------ */

/* 32 uniform bits: wl_pagegen_create admits only generators whose range
 * is exactly 2^32 values. */
static uint32_t bits32(const wl_pagegen *g)
{
	return (uint32_t)(g->get(g->state) - g->rng_min);
}

static void span_init(span *s, uint64_t n)
{
	*s = (span){.n = n};
	if (n == 0)
		return;
	s->reject = (uint32_t)((UINT64_C(1) << 32) % n);
	if (n >= 2 && n <= (UINT64_C(1) << 16)) {
		s->nn = n * n;
		s->nn_reject = (uint32_t)((UINT64_C(1) << 32) % s->nn);
		/* Lemire, Kaser and Kurz, "Faster remainder by direct
		 * computation" (Software: Practice and Experience 49(6),
		 * 2019): with M = floor((2^64 − 1)/n) + 1, (M·v) >> 64 is
		 * v / n for every 32-bit v and 2 <= n < 2^32. */
		s->magic = UINT64_MAX / n + 1;
	}
}

/* Uniform on [0, n) for 1 <= n <= 2^32 (n·x < 2^64), rejecting draws whose
 * low word is below `reject` = 2^32 mod n. */
static uint64_t lemire(const wl_pagegen *g, uint64_t n, uint32_t reject)
{
	uint64_t m = (uint64_t)bits32(g) * n;
	while ((uint32_t)m < reject)
		m = (uint64_t)bits32(g) * n;
	return m >> 32;
}

/* out[0..k) = base + k independent uniform draws on [0, s->n), in pairs
 * while two are left when the class is small enough. */
static void draw_span(const wl_pagegen *g, const span *s, uint64_t base,
		      uint64_t *out, size_t k)
{
	if (k > 0 && s->n == 0)
		sim_panic("draw_span: %zu writes into an empty class", k);
	size_t i = 0;
	if (s->nn)
		for (; i + 1 < k; i += 2) {
			uint64_t v = lemire(g, s->nn, s->nn_reject);
			uint64_t q = (uint64_t)(((u128)s->magic * v) >> 64);
			out[i] = base + q;
			out[i + 1] = base + (v - q * s->n);
		}
	for (; i < k; i++)
		out[i] = base + lemire(g, s->n, s->reject);
}

/* Uniform on [0, n), 1 <= n <= 2^32, for an n that changes from call to
 * call: the rejection threshold 2^32 mod n costs a division, so it is
 * computed only when the low word is below n, where it can matter (the
 * threshold is less than n). */
static uint64_t below(const wl_pagegen *g, uint64_t n)
{
	uint64_t m = (uint64_t)bits32(g) * n;
	if ((uint32_t)m < n) {
		uint32_t reject = (uint32_t)((UINT64_C(1) << 32) % n);
		while ((uint32_t)m < reject)
			m = (uint64_t)bits32(g) * n;
	}
	return m >> 32;
}

/* Uniform on [0, 1) with 53 bits from two draws: one 32-bit draw would
 * leave the Zipf inversion steps coarser than a page on large regions. */
static double uniform53(const wl_pagegen *g)
{
	uint64_t hi = bits32(g) >> 6;
	uint64_t lo = bits32(g) >> 5;
	return (double)(hi << 27 | lo) * 0x1p-53;
}

/* A Poisson count of mean mu >= 0. gsl_ran_poisson returns an unsigned
 * int, so a large mean is drawn in parts (a sum of independent Poisson
 * counts is Poisson with the summed mean). */
static uint64_t poisson(gsl_rng *r, double mu)
{
	const double part = 0x1p30;
	uint64_t n = 0;
	while (mu > part) {
		n += gsl_ran_poisson(r, part);
		mu -= part;
	}
	if (mu > 0)
		n += gsl_ran_poisson(r, mu);
	return n;
}

/* The Zipf sampler is Hörmann and Derflinger's rejection-inversion
 * ("Rejection-inversion to generate variates from monotone discrete
 * distributions", ACM TOMACS 6(3), 1996), in the form of Apache Commons
 * RNG's RejectionInversionZipfSampler: O(1) memory and expected time for
 * any region size, where a cumulative table would cost 8 bytes per page.
 * h(x) = x^-s, H is an antiderivative of h, and helper1/helper2 keep
 * log1p(x)/x and expm1(x)/x accurate near 0 (so s = 1 needs no case). */
static double helper1(double x)
{
	if (fabs(x) > 1e-8)
		return log1p(x) / x;
	return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

static double helper2(double x)
{
	if (fabs(x) > 1e-8)
		return expm1(x) / x;
	return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

static double zipf_h(double s, double x)
{
	return exp(-s * log(x));
}

static double zipf_H(double s, double x)
{
	double lx = log(x);
	return helper2((1.0 - s) * lx) * lx;
}

static double zipf_H_inv(double s, double x)
{
	double t = x * (1.0 - s);
	if (t < -1.0)
		t = -1.0;
	return exp(helper1(t) * x);
}

static void zipf_init(wl_pagegen *g, double s)
{
	g->s = s;
	g->h_x1 = zipf_H(s, 1.5) - 1.0;
	g->h_n = zipf_H(s, (double)g->count + 0.5);
	g->s_accept = 2.0 - zipf_H_inv(s, zipf_H(s, 2.5) - zipf_h(s, 2.0));
}

/* A rank in [1, count] with probability proportional to rank^-s. */
static uint64_t zipf_rank(wl_pagegen *g)
{
	for (;;) {
		double u = g->h_n + uniform53(g) * (g->h_x1 - g->h_n);
		double x = zipf_H_inv(g->s, u);
		double kx = floor(x + 0.5);
		uint64_t k = kx < 1.0 ? 1
			     : kx >= (double)g->count ? g->count
						      : (uint64_t)kx;
		if ((double)k - x <= g->s_accept ||
		    u >= zipf_H(g->s, (double)k + 0.5) - zipf_h(g->s, (double)k))
			return k;
	}
}

/* A fixed pseudo-random permutation of [0, count): a four-round Feistel
 * network on the smallest even number of bits that covers count, walked
 * until it lands inside (each step is a bijection of the covering domain,
 * so the walk is one on [0, count); at most four steps expected). It
 * scatters the popular ranks over the region as a real guest's hot pages
 * are, with no table. The key is a constant: the permutation belongs to
 * the workload, not to the seed. */
static uint64_t scatter(const wl_pagegen *g, uint64_t x)
{
	unsigned h = g->half_bits;
	if (h == 0)
		return x;
	uint64_t mask = (UINT64_C(1) << h) - 1;
	do {
		uint64_t l = x >> h, r = x & mask;
		for (uint64_t round = 1; round <= 4; round++) {
			uint64_t key = round * UINT64_C(0x9e3779b97f4a7c15);
			uint64_t f = sim_splitmix64(r + key) & mask;
			uint64_t t = l ^ f;
			l = r;
			r = t;
		}
		x = l << h | r;
	} while (x >= g->count);
	return x;
}

/* ------------------------------------------------------------------------
 * Generators
 * ------------------------------------------------------------------------ */

/* Panics unless p passes wl_pages_check: callers validate user input
 * first, so a failure here is a broken invariant. */
static void require_valid(const wl_pages_params *p, uint64_t pages,
			  const char *who)
{
	sim_diag d;
	sim_diag_init(&d);
	if (wl_pages_check(p, pages, who, &d)) {
		/* The message is copied so that the diagnostic is freed on
		 * the way to the panic's abort. */
		char msg[512];
		snprintf(msg, sizeof msg, "%s", d.text ? d.text : who);
		msg[strcspn(msg, "\n")] = '\0';
		sim_diag_fini(&d);
		sim_panic("invalid page-write parameters: %s", msg);
	}
	sim_diag_fini(&d);
}

wl_pagegen *wl_pagegen_create(const wl_pages_params *p, uint64_t pages,
			      gsl_rng *rng)
{
	require_valid(p, pages, "wl_pagegen_create");
	if (!rng && wl_pages_draws_random(p))
		sim_panic("wl_pagegen_create: no random generator");
	if (rng && (uint64_t)(gsl_rng_max(rng) - gsl_rng_min(rng)) !=
			   (UINT64_C(1) << 32) - 1)
		sim_panic("wl_pagegen_create: generator '%s' does not draw "
			  "exactly 32 bits",
			  gsl_rng_name(rng));
	wl_pagegen *g = sim_xcalloc(1, sizeof *g);
	g->kind = p->kind;
	g->vm_pages = pages;
	g->rng = rng;
	if (rng) {
		g->get = rng->type->get;
		g->state = rng->state;
		g->rng_min = gsl_rng_min(rng);
	}
	switch (p->kind) {
	case WL_PAGES_UNIFORM:
		g->rate = p->rate;
		wl_region(p, pages, &g->first, &g->count);
		span_init(&g->pick, g->count);
		break;
	case WL_PAGES_HOTSET: {
		g->rate = p->hot_rate + p->cold_rate;
		g->hot_share = g->rate > 0 ? p->hot_rate / g->rate : 1.0;
		g->first = p->offset;
		g->count = p->hot_pages;
		span_init(&g->pick, g->count);
		span_init(&g->cold, pages - p->hot_pages);
		break;
	}
	case WL_PAGES_ZIPF: {
		g->rate = p->rate;
		wl_region(p, pages, &g->first, &g->count);
		zipf_init(g, p->zipf_s);
		unsigned bits = 0;
		while ((UINT64_C(1) << bits) < g->count)
			bits++;
		g->half_bits = (bits + 1) / 2;
		break;
	}
	case WL_PAGES_REPLAY:
		g->trace = p->replay;
		break;
	case WL_PAGES_SWEEP:
		g->rate = p->rate;
		wl_region(p, pages, &g->first, &g->count);
		break;
	}
	if (p->phases && p->kind != WL_PAGES_REPLAY) {
		g->phases = p->phases;
		g->base = *p;
		for (size_t i = 0; i < p->phases->nbursts; i++)
			span_init(&g->burst[i], p->phases->bursts[i].pages);
	}
	return g;
}

void wl_pagegen_destroy(wl_pagegen *g)
{
	free(g);
}

/* Draws n writes uniform over span s, pages base + the draw, and hands
 * them to fn in batches. fn may be NULL: the pages are drawn all the same.
 * CHUNK is even, so the pairs do not depend on the batching. */
static void emit_span(const wl_pagegen *g, const span *s, uint64_t base,
		      uint64_t n, wl_writes_fn *fn, void *ctx)
{
	uint64_t buf[CHUNK];
	while (n > 0) {
		size_t k = n < CHUNK ? (size_t)n : CHUNK;
		draw_span(g, s, base, buf, k);
		if (fn)
			fn(ctx, buf, k);
		n -= k;
	}
}

/* Fills out[0..k) with k cold pages: uniform over the pages outside the
 * hot set. */
static void draw_cold(const wl_pagegen *g, uint64_t *out, size_t k)
{
	draw_span(g, &g->cold, 0, out, k);
	for (size_t i = 0; i < k; i++)
		out[i] += out[i] >= g->first ? g->count : 0;
}

/* The next position >= from in [from, to) whose bit in `bits` equals
 * `want`, or `to`. */
static size_t next_with(const uint64_t *bits, size_t from, size_t to,
			bool want)
{
	while (from < to) {
		uint64_t w = want ? bits[from / 64] : ~bits[from / 64];
		w &= ~UINT64_C(0) << (from % 64);
		if (w) {
			size_t at = from / 64 * 64 + (size_t)__builtin_ctzll(w);
			return at < to ? at : to;
		}
		from = (from / 64 + 1) * 64;
	}
	return to;
}

/* Hot set and cold pages: each write is hot with probability hot_share,
 * independently. Per batch of k writes that is a Binomial(k, hot_share)
 * count of hot writes at a uniformly random subset of the batch's
 * positions, drawn by Floyd's sampling for whichever class is the smaller
 * (the "marked" class, m writes). Its pages are drawn into buf[0, m) and
 * the other class's into buf[m, k); then each marked position at or past
 * m swaps with an unmarked one below m, which puts every class where the
 * subset says. The swaps depend only on the positions, not on the pages,
 * so the pages of each class stay independent and uniform. The same law
 * as a class draw per write, for a draw per write of the smaller class. */
static void emit_hotset(wl_pagegen *g, uint64_t n, wl_writes_fn *fn,
			void *ctx)
{
	uint64_t buf[CHUNK];
	uint64_t marked[CHUNK / 64];
	while (n > 0) {
		size_t k = n < CHUNK ? (size_t)n : CHUNK;
		size_t nh = g->hot_share >= 1.0
				    ? k
				    : gsl_ran_binomial(g->rng, g->hot_share,
						       (unsigned)k);
		bool mark_cold = k - nh <= nh;
		size_t m = mark_cold ? k - nh : nh;
		memset(marked, 0, sizeof marked);
		for (size_t j = k - m; j < k; j++) {
			size_t t = (size_t)below(g, j + 1);
			if (marked[t / 64] >> (t % 64) & 1)
				t = j;
			marked[t / 64] |= UINT64_C(1) << (t % 64);
		}
		if (mark_cold) {
			draw_cold(g, buf, m);
			draw_span(g, &g->pick, g->first, buf + m, k - m);
		} else {
			draw_span(g, &g->pick, g->first, buf, m);
			draw_cold(g, buf + m, k - m);
		}
		/* As many marked positions lie at or past m as unmarked ones
		 * lie below it. */
		size_t a = next_with(marked, 0, m, false);
		size_t b = next_with(marked, m, k, true);
		while (a < m) {
			uint64_t t = buf[a];
			buf[a] = buf[b];
			buf[b] = t;
			a = next_with(marked, a + 1, m, false);
			b = next_with(marked, b + 1, k, true);
		}
		if (fn)
			fn(ctx, buf, k);
		n -= k;
	}
}

static void emit_zipf(wl_pagegen *g, uint64_t n, wl_writes_fn *fn,
		      void *ctx)
{
	uint64_t buf[CHUNK];
	while (n > 0) {
		size_t k = n < CHUNK ? (size_t)n : CHUNK;
		for (size_t i = 0; i < k; i++)
			buf[i] = g->first + scatter(g, zipf_rank(g) - 1);
		if (fn)
			fn(ctx, buf, k);
		n -= k;
	}
}

/* Emits the pages of the samples whose span (previous time, time]
 * overlaps [t0, t1) by a positive length: previous < t1 and time > t0. */
static uint64_t replay(const wl_pagegen *g, uint64_t t0, uint64_t t1,
		       wl_writes_fn *fn, void *ctx)
{
	const trace_pages *t = g->trace;
	size_t lo = 0, hi = t->nsamples;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->time_ns[mid] > t0)
			hi = mid;
		else
			lo = mid + 1;
	}
	uint64_t n = 0, buf[CHUNK];
	size_t k = 0;
	for (size_t i = lo; i < t->nsamples; i++) {
		uint64_t prev = i ? t->time_ns[i - 1] : 0;
		if (prev >= t1)
			break;
		for (size_t j = t->first[i]; j < t->first[i + 1]; j++) {
			buf[k++] = t->page[j];
			if (k == CHUNK) {
				if (fn)
					fn(ctx, buf, k);
				k = 0;
			}
			n++;
		}
	}
	if (fn && k > 0)
		fn(ctx, buf, k);
	return n;
}

/* The number of sweep writes before time t: write k falls at the time
 * where W(t) = rate · (the swing's integral over [0, t), in seconds)
 * reaches k, so ceil(W(t)) writes come before t. The same t always gives
 * the same count, so adjacent windows split the writes exactly. Without
 * a swing W is rate · t_ns / 1e9, one rounding of the product and one of
 * the quotient: a write that falls on a whole nanosecond (an integral
 * rate · t_ns below 2^53 that 1e9 divides) is then placed exactly, where
 * rate · (t_ns · 1e-9) could round it into the window before. */
static uint64_t sweep_before(const wl_pagegen *g, uint64_t t)
{
	const wl_phases *ph = g->phases;
	double w = ph && ph->swing > 0
			   ? g->rate * wl_phases_swing_s(ph, 0, t)
			   : g->rate * (double)t / 1e9;
	w = ceil(w);
	/* 2^63 writes is 29 years at the largest rate: no run gets there,
	 * but a count past it would not convert. */
	if (!(w < 0x1p63))
		sim_panic("sweep: %g writes before %llu ns", w,
			  (unsigned long long)t);
	return w > 0 ? (uint64_t)w : 0;
}

/* The sweep's writes of [t0, t1): writes ceil(W(t0)) .. ceil(W(t1)) − 1,
 * write k on page first + (k mod count), handed out in batches. */
static uint64_t sweep(const wl_pagegen *g, uint64_t t0, uint64_t t1,
		      wl_writes_fn *fn, void *ctx)
{
	uint64_t lo = sweep_before(g, t0), hi = sweep_before(g, t1);
	/* The swing's integral is non-decreasing; a rounding step back
	 * gives an empty window, never a negative one. */
	uint64_t n = hi > lo ? hi - lo : 0;
	if (!fn)
		return n;
	uint64_t buf[CHUNK];
	uint64_t at = lo % g->count;
	for (uint64_t left = n; left > 0;) {
		size_t k = left < CHUNK ? (size_t)left : CHUNK;
		for (size_t i = 0; i < k; i++) {
			buf[i] = g->first + at;
			if (++at == g->count)
				at = 0;
		}
		fn(ctx, buf, k);
		left -= k;
	}
	return n;
}

/* The base generator's writes for an expected count mu. */
static uint64_t emit_base(wl_pagegen *g, double mu, wl_writes_fn *fn,
			  void *ctx)
{
	uint64_t n = poisson(g->rng, mu);
	switch (g->kind) {
	case WL_PAGES_UNIFORM:
		emit_span(g, &g->pick, g->first, n, fn, ctx);
		break;
	case WL_PAGES_HOTSET:
		emit_hotset(g, n, fn, ctx);
		break;
	case WL_PAGES_ZIPF:
		emit_zipf(g, n, fn, ctx);
		break;
	default:
		sim_panic("wl_pagegen_writes: unknown kind %d", g->kind);
	}
	return n;
}

/* A window of a generator with time structure, piece by piece between the
 * times where it changes: in each piece the base writes (their expected
 * count scaled by the swing's integral, the hot set where it is at the
 * piece's start), then each burst that is on, in train order. */
static uint64_t phased(wl_pagegen *g, uint64_t t0, uint64_t t1,
		       wl_writes_fn *fn, void *ctx)
{
	const wl_phases *ph = g->phases;
	uint64_t n = 0;
	for (uint64_t a = t0; a < t1;) {
		uint64_t next = wl_phases_next_change(ph, a);
		uint64_t b = next < t1 ? next : t1;
		if (g->kind == WL_PAGES_HOTSET)
			g->first = wl_phases_hot_offset(&g->base, a);
		if (g->kind == WL_PAGES_SWEEP)
			n += sweep(g, a, b, fn, ctx);
		else
			n += emit_base(g, g->rate * wl_phases_swing_s(ph, a, b),
				       fn, ctx);
		double len = (double)(b - a) * 1e-9;
		for (size_t i = 0; i < ph->nbursts; i++) {
			const wl_burst *w = &ph->bursts[i];
			if (!wl_burst_on(w, a))
				continue;
			uint64_t k = poisson(g->rng, w->rate * len);
			emit_span(g, &g->burst[i], w->offset, k, fn, ctx);
			n += k;
		}
		a = b;
	}
	return n;
}

uint64_t wl_pagegen_writes_batch(wl_pagegen *g, uint64_t t0_ns,
				 uint64_t t1_ns, wl_writes_fn *fn, void *ctx)
{
	if (t1_ns < t0_ns)
		sim_panic("wl_pagegen_writes: window ends at %llu before it "
			  "starts at %llu",
			  (unsigned long long)t1_ns, (unsigned long long)t0_ns);
	if (g->kind == WL_PAGES_REPLAY)
		return t1_ns > t0_ns ? replay(g, t0_ns, t1_ns, fn, ctx) : 0;
	if (g->phases)
		return phased(g, t0_ns, t1_ns, fn, ctx);
	if (g->kind == WL_PAGES_SWEEP)
		return sweep(g, t0_ns, t1_ns, fn, ctx);
	double seconds = (double)(t1_ns - t0_ns) * 1e-9;
	return emit_base(g, g->rate * seconds, fn, ctx);
}

/* wl_pagegen_writes on top of the batch form: one call of the per-write
 * callback per page of each chunk, so both see the same writes. */
typedef struct one_by_one {
	wl_write_fn *fn;
	void *ctx;
} one_by_one;

static void each_write(void *ctx, const uint64_t *page, size_t n)
{
	const one_by_one *o = ctx;
	for (size_t i = 0; i < n; i++)
		o->fn(o->ctx, page[i]);
}

uint64_t wl_pagegen_writes(wl_pagegen *g, uint64_t t0_ns, uint64_t t1_ns,
			   wl_write_fn *fn, void *ctx)
{
	one_by_one o = {fn, ctx};
	return wl_pagegen_writes_batch(g, t0_ns, t1_ns, fn ? each_write : NULL,
				       &o);
}

/* ------------------------------------------------------------------------
 * Expected distinct pages
 * ------------------------------------------------------------------------ */

/* n pages sharing w expected writes uniformly: n(1 − e^{−w/n}). */
static double fill(double n, double w)
{
	return n > 0 ? -n * expm1(-w / n) : 0.0;
}

/* Ranks summed term by term before the Euler–Maclaurin tail. */
#define EXACT_RANKS UINT64_C(65536)
/* Simpson intervals for the tail integral, in log x. */
#define TAIL_STEPS 4096

/* Σ_{i=1..n} i^−s. The tail beyond EXACT_RANKS is Euler–Maclaurin to the
 * first derivative term: the next term, s(s+1)(s+2)·65537^(−s−3)/720, is
 * below 1e-17 of the sum. The integral of x^−s from a to b is written as
 * a^(1−s)·L·helper2((1−s)L), L = log(b/a), which needs no case for s = 1. */
static double zipf_norm(double s, uint64_t n)
{
	uint64_t k = n < EXACT_RANKS ? n : EXACT_RANKS;
	double sum = 0;
	/* Smallest terms first, for a sum exact to rounding. */
	for (uint64_t i = k; i >= 1; i--)
		sum += pow((double)i, -s);
	if (n > k) {
		double a = (double)k + 1, b = (double)n;
		double L = log(b / a);
		double integral = pow(a, 1.0 - s) * L * helper2((1.0 - s) * L);
		double fa = pow(a, -s), fb = pow(b, -s);
		/* f'(x) = −s·x^−s/x */
		sum += integral + (fa + fb) / 2 + s * (fa / a - fb / b) / 12;
	}
	return sum;
}

/* 1 − e^{−c·x^−s}: the chance that rank x is written, c = w / H_{n,s}. */
static double hit(double c, double s, double x)
{
	return -expm1(-c * pow(x, -s));
}

/* Σ_{i=1..n} (1 − e^{−w·i^−s/H}), H = zipf_norm. Ranks past EXACT_RANKS
 * are summed as Euler–Maclaurin: the integral (Simpson's rule in log x,
 * where the integrand is smooth even when the pages turn from certainly to
 * rarely written), the endpoint halves and the first-derivative term. */
static double zipf_dirty(double s, uint64_t n, double w)
{
	if (w <= 0)
		return 0;
	double c = w / zipf_norm(s, n);
	uint64_t k = n < EXACT_RANKS ? n : EXACT_RANKS;
	double sum = 0;
	for (uint64_t i = k; i >= 1; i--)
		sum += hit(c, s, (double)i);
	if (n == k)
		return sum;
	double a = (double)k + 1, b = (double)n;
	double ua = log(a), ub = log(b), step = (ub - ua) / TAIL_STEPS;
	double integral = 0;
	for (int j = 0; j <= TAIL_STEPS; j++) {
		double u = ua + step * j, x = exp(u);
		double f = hit(c, s, x) * x;
		int weight = j == 0 || j == TAIL_STEPS ? 1 : j % 2 ? 4 : 2;
		integral += weight * f;
	}
	integral *= step / 3;
	/* d/dx (1 − e^{−q}), q = c·x^−s, is −s·q·e^{−q}/x. */
	double qa = c * pow(a, -s), qb = c * pow(b, -s);
	double da = -s * qa * exp(-qa) / a, db = -s * qb * exp(-qb) / b;
	return sum + integral + (hit(c, s, a) + hit(c, s, b)) / 2 +
	       (db - da) / 12;
}

double wl_pagegen_expected_dirty(const wl_pages_params *p, uint64_t pages,
				 double seconds)
{
	require_valid(p, pages, "wl_pagegen_expected_dirty");
	if (!(seconds >= 0) || !isfinite(seconds))
		sim_panic("wl_pagegen_expected_dirty: window of %g s", seconds);
	uint64_t first, count;
	switch (p->kind) {
	case WL_PAGES_UNIFORM:
		wl_region(p, pages, &first, &count);
		return fill((double)count, p->rate * seconds);
	case WL_PAGES_HOTSET:
		return fill((double)p->hot_pages, p->hot_rate * seconds) +
		       fill((double)(pages - p->hot_pages),
			    p->cold_rate * seconds);
	case WL_PAGES_ZIPF:
		wl_region(p, pages, &first, &count);
		return zipf_dirty(p->zipf_s, count, p->rate * seconds);
	case WL_PAGES_SWEEP: {
		/* Consecutive writes are distinct pages until the sweep
		 * has gone once round its region. */
		wl_region(p, pages, &first, &count);
		double w = p->rate * seconds;
		return w < (double)count ? w : (double)count;
	}
	default:
		return NAN;
	}
}

double wl_pagegen_expected_writes(const wl_pages_params *p, uint64_t pages,
				  uint64_t t0_ns, uint64_t t1_ns)
{
	require_valid(p, pages, "wl_pagegen_expected_writes");
	if (t1_ns < t0_ns)
		sim_panic("wl_pagegen_expected_writes: window ends before it "
			  "starts");
	double rate;
	switch (p->kind) {
	case WL_PAGES_UNIFORM:
	case WL_PAGES_ZIPF:
	case WL_PAGES_SWEEP:
		rate = p->rate;
		break;
	case WL_PAGES_HOTSET:
		rate = p->hot_rate + p->cold_rate;
		break;
	default:
		return NAN;
	}
	const wl_phases *ph = p->phases;
	double w = rate * wl_phases_swing_s(ph, t0_ns, t1_ns);
	for (uint64_t a = t0_ns; ph && ph->nbursts && a < t1_ns;) {
		uint64_t next = wl_phases_next_change(ph, a);
		uint64_t b = next < t1_ns ? next : t1_ns;
		for (size_t i = 0; i < ph->nbursts; i++)
			if (wl_burst_on(&ph->bursts[i], a))
				w += ph->bursts[i].rate * (double)(b - a) * 1e-9;
		a = b;
	}
	return w;
}

/* ------------------------------------------------------------------------
 * Traces
 * ------------------------------------------------------------------------ */

typedef struct page_buf {
	uint32_t *page;
	size_t n, cap;
} page_buf;

static void collect(void *ctx, const uint64_t *page, size_t n)
{
	page_buf *b = ctx;
	if (n > b->cap - b->n) {
		while (n > b->cap - b->n)
			b->cap = b->cap ? 2 * b->cap : 1024;
		b->page = sim_xrealloc(b->page, b->cap, sizeof *b->page);
	}
	for (size_t i = 0; i < n; i++)
		b->page[b->n++] = (uint32_t)page[i];
}

trace_pages *wl_trace_generate(const wl_pages_params *p, uint64_t pages,
			       uint64_t page_size, uint64_t duration_ns,
			       uint64_t interval_ns, uint64_t seed)
{
	require_valid(p, pages, "wl_trace_generate");
	if (interval_ns == 0)
		sim_panic("wl_trace_generate: interval of 0 ns");
	/* The builder checks pages and page_size against the format. */
	trace_pages_builder *b =
		trace_pages_builder_create(pages, page_size, interval_ns);
	gsl_rng *rng = sim_rng_stream(seed, "workload/pages");
	wl_pagegen *g = wl_pagegen_create(p, pages, rng);
	page_buf buf = {NULL, 0, 0};
	for (uint64_t t0 = 0; t0 < duration_ns;) {
		uint64_t t1 = duration_ns - t0 < interval_ns ? duration_ns
							     : t0 + interval_ns;
		buf.n = 0;
		wl_pagegen_writes_batch(g, t0, t1, collect, &buf);
		trace_pages_builder_add(b, t1, buf.page, buf.n);
		t0 = t1;
	}
	free(buf.page);
	wl_pagegen_destroy(g);
	gsl_rng_free(rng);
	return trace_pages_builder_finish(b);
}
