/* SPDX-License-Identifier: MIT */
/*
 * Tests of the sweep page-write kind (workloads/pagegen.c): the exact pages
 * of a window, wrap-around at the region's end, windows that split the
 * writes exactly whatever their boundaries, no random draws, the closed
 * form min(R, rT) against the page-exact counts, the swing, the parameter
 * table and the checks.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"

#define STR(s) ((char *)(s))
#define MS(x) ((uint64_t)(x) * 1000000)
#define SEC(x) ((uint64_t)(x) * 1000000000)

static wl_pages_params sweep(uint64_t offset, uint64_t pages, double rate)
{
	wl_pages_params p = {.kind = WL_PAGES_SWEEP, .offset = offset,
			     .pages = pages, .rate = rate, .trace = ""};
	return p;
}

typedef struct writes {
	uint64_t *page;
	size_t n, cap;
	size_t calls;
} writes;

static void keep(void *ctx, const uint64_t *page, size_t n)
{
	writes *w = ctx;
	cr_assert(n >= 1 && n <= WL_WRITES_BATCH_PAGES, "a batch of %zu", n);
	if (w->n + n > w->cap) {
		while (w->n + n > w->cap)
			w->cap = w->cap ? 2 * w->cap : 4096;
		w->page = sim_xrealloc(w->page, w->cap, sizeof *w->page);
	}
	memcpy(w->page + w->n, page, n * sizeof *page);
	w->n += n;
	w->calls++;
}

static void keep_one(void *ctx, uint64_t page)
{
	keep(ctx, &page, 1);
}

/* The writes of [t0, t1) of a fresh generator without a random stream. */
static writes window(const wl_pages_params *p, uint64_t pages, uint64_t t0,
		     uint64_t t1)
{
	wl_pagegen *g = wl_pagegen_create(p, pages, NULL);
	writes w = {NULL, 0, 0, 0};
	uint64_t n = wl_pagegen_writes_batch(g, t0, t1, keep, &w);
	cr_assert(eq(u64, n, (uint64_t)w.n));
	wl_pagegen_destroy(g);
	return w;
}

Test(wl_sweep, a_window_holds_the_next_pages_in_order_and_wraps)
{
	/* 1000 pages/s over the 100 pages [50, 150) of a 200-page VM:
	 * write k at k ms on page 50 + k mod 100. */
	wl_pages_params p = sweep(50, 100, 1000);
	writes w = window(&p, 200, 0, MS(250));
	cr_assert(eq(sz, w.n, 250));
	for (size_t k = 0; k < w.n; k++)
		cr_assert(eq(u64, w.page[k], 50 + k % 100), "write %zu", k);
	free(w.page);
	/* A window starting mid-lap starts where the sweep is: at 130 ms the
	 * sweep is on write 130, page 80; [130 ms, 175 ms) ends on write 174,
	 * page 124, after passing no end. [185 ms, 215.5 ms) holds writes 185
	 * to 215: pages 135..149, then 50..65 after the wrap. */
	w = window(&p, 200, MS(130), MS(175));
	cr_assert(eq(sz, w.n, 45));
	cr_assert(eq(u64, w.page[0], 80));
	cr_assert(eq(u64, w.page[44], 124));
	free(w.page);
	w = window(&p, 200, MS(185), MS(215) + 500000);
	cr_assert(eq(sz, w.n, 31));
	cr_assert(eq(u64, w.page[0], 135));
	cr_assert(eq(u64, w.page[14], 149));
	cr_assert(eq(u64, w.page[15], 50));
	cr_assert(eq(u64, w.page[30], 65));
	free(w.page);
}

Test(wl_sweep, a_write_falls_at_k_over_rate_so_a_slow_sweep_skips_windows)
{
	/* 0.5 pages/s: writes at 0, 2 s, 4 s, ... A window [t0, t1) holds
	 * the writes at times t0 <= k/r < t1. */
	wl_pages_params p = sweep(0, 10, 0.5);
	writes w = window(&p, 10, 0, 1);
	cr_assert(eq(sz, w.n, 1)); /* the write at time 0 */
	cr_assert(eq(u64, w.page[0], 0));
	free(w.page);
	w = window(&p, 10, 1, SEC(2));
	cr_assert(eq(sz, w.n, 0)); /* (0, 2 s) holds none */
	free(w.page);
	w = window(&p, 10, SEC(2), SEC(2) + 1);
	cr_assert(eq(sz, w.n, 1));
	cr_assert(eq(u64, w.page[0], 1));
	free(w.page);
	w = window(&p, 10, SEC(3), SEC(23));
	cr_assert(eq(sz, w.n, 10)); /* writes 2..11: pages 2..9, 0, 1 */
	cr_assert(eq(u64, w.page[0], 2));
	cr_assert(eq(u64, w.page[8], 0));
	cr_assert(eq(u64, w.page[9], 1));
	free(w.page);
}

/* splitmix64 steps for window boundaries that fall anywhere. */
static uint64_t next_boundary(uint64_t *state, uint64_t max_step)
{
	*state = sim_splitmix64(*state);
	return *state % max_step;
}

Test(wl_sweep, windows_split_the_writes_exactly_whatever_their_boundaries)
{
	/* A rate that is no divisor of a second, so that writes fall
	 * between nanoseconds: uneven windows, some empty, some of zero
	 * length, must give the one long window's pages in order. */
	wl_pages_params p = sweep(7, 997, 33333.3);
	uint64_t end = MS(700);
	writes whole = window(&p, 2000, 0, end);
	wl_pagegen *g = wl_pagegen_create(&p, 2000, NULL);
	writes parts = {NULL, 0, 0, 0};
	uint64_t state = 12345, t = 0;
	while (t < end) {
		uint64_t step = next_boundary(&state, 3 * MS(1));
		uint64_t t1 = end - t < step ? end : t + step;
		wl_pagegen_writes(g, t, t1, keep_one, &parts);
		t = t1;
	}
	wl_pagegen_destroy(g);
	cr_assert(eq(sz, whole.n, (size_t)ceil(33333.3 * 0.7)));
	cr_assert(eq(sz, parts.n, whole.n));
	cr_assert(eq(int, memcmp(parts.page, whole.page,
				 whole.n * sizeof *whole.page), 0));
	free(whole.page);
	free(parts.page);
}

Test(wl_sweep, large_windows_come_in_full_batches)
{
	wl_pages_params p = sweep(0, 300, 1e6);
	writes w = window(&p, 300, 0, MS(2)); /* 2000 writes */
	cr_assert(eq(sz, w.n, 2000));
	cr_assert(eq(sz, w.calls, (2000 + WL_WRITES_BATCH_PAGES - 1) /
					  WL_WRITES_BATCH_PAGES));
	for (size_t k = 0; k < w.n; k++)
		cr_assert(eq(u64, w.page[k], k % 300));
	free(w.page);
	/* Counting without a callback gives the same count. */
	wl_pagegen *g = wl_pagegen_create(&p, 300, NULL);
	cr_assert(eq(u64, wl_pagegen_writes_batch(g, 0, MS(2), NULL, NULL),
		     2000));
	cr_assert(eq(u64, wl_pagegen_writes(g, MS(2), MS(3), NULL, NULL),
		     1000));
	wl_pagegen_destroy(g);
}

Test(wl_sweep, a_sweep_draws_nothing_from_a_stream_it_is_given)
{
	wl_pages_params p = sweep(0, 0, 5000); /* the whole VM */
	cr_assert(not(wl_pages_draws_random(&p)));
	gsl_rng *r = sim_rng_stream(1, "test/sweep");
	gsl_rng *fresh = sim_rng_stream(1, "test/sweep");
	wl_pagegen *g = wl_pagegen_create(&p, 64, r);
	writes w = {NULL, 0, 0, 0};
	wl_pagegen_writes_batch(g, 0, SEC(1), keep, &w);
	cr_assert(eq(sz, w.n, 5000));
	cr_assert(eq(u64, w.page[4999], 4999 % 64));
	wl_pagegen_destroy(g);
	cr_assert(eq(u64, (uint64_t)gsl_rng_get(r),
		     (uint64_t)gsl_rng_get(fresh)));
	gsl_rng_free(r);
	gsl_rng_free(fresh);
	free(w.page);
	/* The other kinds draw, and a sweep with bursts draws for them. */
	wl_pages_params u = {.kind = WL_PAGES_UNIFORM, .rate = 1};
	cr_assert(wl_pages_draws_random(&u));
	wl_phases ph = {.nbursts = 1,
			.bursts = {{.period_ns = SEC(1), .length_ns = MS(1),
				    .rate = 1, .pages = 1}}};
	p.phases = &ph;
	cr_assert(wl_pages_draws_random(&p));
}

Test(wl_sweep, a_sweep_with_bursts_needs_a_stream, .signal = SIGABRT)
{
	wl_phases ph = {.nbursts = 1,
			.bursts = {{.period_ns = SEC(1), .length_ns = MS(1),
				    .rate = 1, .pages = 1}}};
	wl_pages_params p = sweep(0, 10, 100);
	p.phases = &ph;
	wl_pagegen_create(&p, 10, NULL);
}

/* Distinct pages among w's writes, on a VM of `pages` pages. */
static uint64_t distinct(const writes *w, uint64_t pages)
{
	unsigned char *seen = sim_xcalloc(pages, 1);
	uint64_t n = 0;
	for (size_t i = 0; i < w->n; i++)
		if (!seen[w->page[i]]) {
			seen[w->page[i]] = 1;
			n++;
		}
	free(seen);
	return n;
}

Test(wl_sweep, the_closed_form_is_within_one_page_of_every_window)
{
	/* The MMuncher-sized region (256 MiB of a 512 MiB VM in 4 KiB
	 * pages) at a rate that is no divisor of a second, windows from
	 * 1 ms to past one lap (65536 / 15000.7 = 4.37 s), starting at
	 * several points of the lap. */
	const uint64_t vm = 131072, region = 65536;
	wl_pages_params p = sweep(1000, region, 15000.7);
	const double len_s[] = {0.001, 0.0333, 0.25, 1.0, 3.7, 4.3, 4.37,
				4.5, 9.0};
	const uint64_t start[] = {0, MS(1) + 17, SEC(2) + 3, SEC(7) + 999};
	for (size_t i = 0; i < sizeof len_s / sizeof len_s[0]; i++)
		for (size_t j = 0; j < sizeof start / sizeof start[0]; j++) {
			uint64_t t0 = start[j];
			uint64_t t1 = t0 + (uint64_t)llround(len_s[i] * 1e9);
			writes w = window(&p, vm, t0, t1);
			double want = wl_pagegen_expected_dirty(
				&p, vm, (double)(t1 - t0) * 1e-9);
			double got = (double)distinct(&w, vm);
			cr_assert(lt(dbl, fabs(got - want), 1.0 + 1e-9),
				  "%g s from %llu ns: %g distinct pages, "
				  "closed form %g",
				  len_s[i], (unsigned long long)t0, got, want);
			/* Every page lies in the region. */
			for (size_t k = 0; k < w.n; k++)
				cr_assert(w.page[k] >= 1000 &&
					  w.page[k] < 1000 + region);
			free(w.page);
		}
	/* The closed form's two regimes. */
	cr_assert(eq(dbl, wl_pagegen_expected_dirty(&p, vm, 0), 0.0));
	cr_assert(eq(dbl, wl_pagegen_expected_dirty(&p, vm, 2.0),
		     15000.7 * 2.0));
	cr_assert(eq(dbl, wl_pagegen_expected_dirty(&p, vm, 5.0),
		     (double)region));
	/* pages: 0 is the rest of the VM from the offset. */
	wl_pages_params all = sweep(1000, 0, 1e9);
	cr_assert(eq(dbl, wl_pagegen_expected_dirty(&all, vm, 1.0),
		     (double)(vm - 1000)));
}

Test(wl_sweep, the_expected_write_count_is_rate_times_length)
{
	wl_pages_params p = sweep(0, 100, 2500);
	cr_assert(eq(dbl, wl_pagegen_expected_writes(&p, 100, MS(10), MS(30)),
		     2500 * 0.02));
	writes w = window(&p, 100, MS(10), MS(30));
	cr_assert(eq(sz, w.n, 50));
	free(w.page);
}

Test(wl_sweep, a_swing_moves_the_sweep_by_its_integral)
{
	/* ±50 % over 1 s: the writes up to t are ceil(r · ∫_0^t (1 +
	 * 0.5 sin 2πs) ds); the first quarter period runs faster than the
	 * mean, the third slower. */
	wl_phases ph = {.swing = 0.5, .swing_period_ns = SEC(1)};
	wl_pages_params p = sweep(0, 100000, 10000);
	p.phases = &ph;
	const double two_pi = 6.283185307179586;
	uint64_t q = MS(250);
	writes first = window(&p, 100000, 0, q);
	writes third = window(&p, 100000, 2 * q, 3 * q);
	double w1 = 10000 * (0.25 + 0.5 / two_pi * (1 - cos(two_pi * 0.25)));
	double w2 = 10000 * (0.5 + 0.5 / two_pi * (1 - cos(two_pi * 0.5)));
	double w3 = 10000 * (0.75 + 0.5 / two_pi * (1 - cos(two_pi * 0.75)));
	cr_assert(eq(sz, first.n, (size_t)ceil(w1)));
	cr_assert(eq(sz, third.n, (size_t)(ceil(w3) - ceil(w2))));
	cr_assert(gt(sz, first.n, 2500));
	cr_assert(lt(sz, third.n, 2500));
	/* The third quarter continues where the second left off. */
	cr_assert(eq(u64, third.page[0], (uint64_t)ceil(w2)));
	free(first.page);
	free(third.page);
	/* Over a whole period the swing averages out. */
	writes whole = window(&p, 100000, 0, SEC(1));
	cr_assert(lt(dbl, fabs((double)whole.n - 10000), 1.5));
	free(whole.page);
}

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

static int load(const char *yaml, wl_pages_params *out, char **msg)
{
	cfg_doc *doc;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("w.yaml", yaml, strlen(yaml), &doc, &d),
		     0));
	const cfg_node *root = cfg_doc_root(doc);
	int rc = wl_pages_params_load(cfg_map_get(root, "w"), root, out, &d);
	if (rc == 0)
		rc = wl_pages_check(out, 131072, "w.yaml: vms[].page_writes", &d);
	*msg = sim_xstrdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
	return rc;
}

Test(wl_sweep, a_mapping_loads_a_sweep)
{
	wl_pages_params p;
	char *msg;
	cr_assert(eq(int, load("w: {kind: sweep, pages: 65536, offset: 4, "
			       "rate: 1.5e4}\n", &p, &msg), 0), "%s", msg);
	cr_assert(eq(int, p.kind, WL_PAGES_SWEEP));
	cr_assert(eq(u64, p.pages, 65536));
	cr_assert(eq(u64, p.offset, 4));
	cr_assert(eq(dbl, p.rate, 15000.0));
	free(msg);
}

Test(wl_sweep, a_bad_sweep_is_refused_with_what_was_expected)
{
	wl_pages_params p;
	char *msg;
	cr_assert(eq(int, load("w: {kind: sweep, rate: -1}\n", &p, &msg),
		     SIM_EINPUT));
	cr_assert(eq(str, msg, STR("w.yaml:1:24: vms[].page_writes.rate: -1 "
				   "is out of range (expected 0 to 1e10)\n")));
	free(msg);
	cr_assert(eq(int, load("w: {kind: sweep, pages: 70000, offset: "
			       "70000, rate: 1}\n", &p, &msg),
		     SIM_EINPUT));
	cr_assert(eq(str, msg,
		     STR("w.yaml: vms[].page_writes: region of 70000 pages "
			 "at offset 70000 does not fit in the VM's 131072 "
			 "pages (expected offset + pages <= 131072)\n")));
	free(msg);
	cr_assert(eq(int, load("w: {kind: swep}\n", &p, &msg), SIM_EINPUT));
	cr_assert(eq(str, msg,
		     STR("w.yaml:1:11: vms[].page_writes.kind: expected one of "
			 "uniform, hotset, zipf, replay, sweep, got 'swep' "
			 "(did you mean 'sweep'?)\n")));
	free(msg);
	p = sweep(0, 10, NAN);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, wl_pages_check(&p, 10, "vm1", &d), SIM_EINPUT));
	cr_assert(eq(str, d.text,
		     STR("vm1: rate nan is not a rate (expected a finite "
			 "number of writes/s, at least 0)\n")));
	sim_diag_fini(&d);
}
