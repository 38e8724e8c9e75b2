/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the tests of workloads/ (test_wl.c, test_wl_stats.c):
 * page-write parameters of each kind, callbacks that collect, count or
 * mark the writes of a window, and runs of a generator over many windows.
 * Header-only: each test program includes it once.
 */
#ifndef TEST_WL_UTIL_H
#define TEST_WL_UTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"

/* Criterion's eq(str, ...) takes char *, and -Wwrite-strings makes
 * literals const: the cast is the price of the new assert API. */
#define STR(s) ((char *)(s))

#define MS(x) ((uint64_t)(x) * 1000000)
#define SEC(x) ((uint64_t)(x) * 1000000000)

static inline wl_pages_params uniform(double rate)
{
	wl_pages_params p = {.kind = WL_PAGES_UNIFORM, .rate = rate};
	return p;
}

static inline wl_pages_params hotset(uint64_t hot, double h, double c)
{
	wl_pages_params p = {.kind = WL_PAGES_HOTSET, .hot_pages = hot,
			     .hot_rate = h, .cold_rate = c};
	return p;
}

static inline wl_pages_params zipf(double rate, double s)
{
	wl_pages_params p = {.kind = WL_PAGES_ZIPF, .rate = rate, .zipf_s = s};
	return p;
}

/* ------------------------------------------------------------------------
 * Collecting writes
 * ------------------------------------------------------------------------ */

typedef struct writes {
	uint64_t *page;
	size_t n, cap;
} writes;

static inline void keep(void *ctx, uint64_t page)
{
	writes *w = ctx;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4096;
		w->page = sim_xrealloc(w->page, w->cap, sizeof *w->page);
	}
	w->page[w->n++] = page;
}

/* Counts writes per page into counts[pages]. */
typedef struct counter {
	uint32_t *count;
	uint64_t pages;
	uint64_t outside;
} counter;

static inline void count(void *ctx, uint64_t page)
{
	counter *c = ctx;
	if (page < c->pages)
		c->count[page]++;
	else
		c->outside++;
}

/* Distinct pages written in one window. */
typedef struct marker {
	unsigned char *seen;
	uint64_t distinct;
} marker;

static inline void mark(void *ctx, uint64_t page)
{
	marker *m = ctx;
	if (!m->seen[page]) {
		m->seen[page] = 1;
		m->distinct++;
	}
}

static inline gsl_rng *rng(uint64_t seed)
{
	return sim_rng_stream(seed, "test/pages");
}

/* The writes of `windows` consecutive windows of window_ns. */
static inline writes run(const wl_pages_params *p, uint64_t pages, uint64_t seed,
		  unsigned windows, uint64_t window_ns)
{
	gsl_rng *r = rng(seed);
	wl_pagegen *g = wl_pagegen_create(p, pages, r);
	writes w = {NULL, 0, 0};
	for (unsigned i = 0; i < windows; i++)
		wl_pagegen_writes(g, i * window_ns, (i + 1) * window_ns, keep,
				  &w);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
	return w;
}

/* Mean distinct pages over `windows` independent windows of `seconds`. */
static inline double mean_distinct(const wl_pages_params *p, uint64_t pages,
			    uint64_t seed, unsigned windows, double seconds)
{
	gsl_rng *r = rng(seed);
	wl_pagegen *g = wl_pagegen_create(p, pages, r);
	marker m = {sim_xcalloc(pages, 1), 0};
	uint64_t ns = (uint64_t)(seconds * 1e9), total = 0;
	for (unsigned i = 0; i < windows; i++) {
		memset(m.seen, 0, pages);
		m.distinct = 0;
		wl_pagegen_writes(g, i * ns, (i + 1) * ns, mark, &m);
		total += m.distinct;
	}
	free(m.seen);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
	return (double)total / windows;
}

/* Variance of the distinct count of n pages each written with
 * probability q independently: n·q·(1 − q). */
static inline double bern_var(double n, double rate_per_page, double seconds)
{
	double q = -expm1(-rate_per_page * seconds);
	return n * q * (1 - q);
}

#endif
