/* SPDX-License-Identifier: MIT */
/*
 * Tests of the page-write generators' time structure (workloads/phases.c):
 * bursts only while they last and only in their region, a hot set that
 * moves when it should, the swing's closed-form integral against drawn
 * counts (five standard deviations of the Poisson count, fixed seeds), the
 * checks, and the presets' structure: their writes are not stationary.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"

#define STR(s) ((char *)(s))
#define MS(x) ((uint64_t)(x) * 1000000)
#define SEC(x) ((uint64_t)(x) * 1000000000)

typedef struct span_count {
	uint64_t lo, hi;      /* pages counted as inside: [lo, hi) */
	uint64_t inside, outside;
} span_count;

static void tally(void *ctx, const uint64_t *page, size_t n)
{
	span_count *c = ctx;
	for (size_t i = 0; i < n; i++) {
		if (page[i] >= c->lo && page[i] < c->hi)
			c->inside++;
		else
			c->outside++;
	}
}

static gsl_rng *stream(uint64_t seed)
{
	return sim_rng_stream(seed, "test/phases");
}

/* |got − mu| within five standard deviations of a Poisson count. */
static void near_poisson(double got, double mu)
{
	cr_assert(fabs(got - mu) <= 5 * sqrt(mu) + 1,
		  "got %.0f writes, expected %.1f", got, mu);
}

Test(wl_phases, a_burst_writes_only_while_it_lasts_and_only_in_its_region)
{
	wl_phases ph = {.nbursts = 1,
			.bursts = {{.period_ns = SEC(10), .first_ns = SEC(2),
				    .length_ns = SEC(1), .rate = 20000,
				    .offset = 500, .pages = 300}}};
	wl_pages_params p = {.kind = WL_PAGES_UNIFORM, .rate = 0,
			     .phases = &ph};
	gsl_rng *r = stream(1);
	wl_pagegen *g = wl_pagegen_create(&p, 1000, r);
	span_count before = {500, 800, 0, 0}, during = before, after = before;
	/* Windows that straddle the burst's edges are split at them. */
	wl_pagegen_writes_batch(g, 0, MS(2000), tally, &before);
	wl_pagegen_writes_batch(g, MS(2000), MS(3000), tally, &during);
	wl_pagegen_writes_batch(g, MS(3000), MS(12000), tally, &after);
	cr_assert(eq(u64, before.inside + before.outside, 0));
	cr_assert(eq(u64, during.outside, 0));
	near_poisson((double)during.inside, 20000);
	/* The second event, [12 s, 13 s), is not in [3 s, 12 s). */
	cr_assert(eq(u64, after.inside + after.outside, 0));
	span_count second = {500, 800, 0, 0};
	wl_pagegen_writes_batch(g, MS(11500), MS(12500), tally, &second);
	near_poisson((double)second.inside, 10000);
	cr_assert(eq(dbl, wl_pagegen_expected_writes(&p, 1000, MS(11500),
						      MS(12500)),
		     10000.0));
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

Test(wl_phases, the_hot_set_moves_at_each_shift)
{
	wl_phases ph = {.shift_period_ns = SEC(1), .shift_pages = 100,
			.shift_span = 250};
	wl_pages_params p = {.kind = WL_PAGES_HOTSET, .hot_pages = 50,
			     .hot_rate = 5000, .cold_rate = 0, .offset = 10,
			     .phases = &ph};
	gsl_rng *r = stream(2);
	wl_pagegen *g = wl_pagegen_create(&p, 1000, r);
	/* Offsets 10, 110, 210, then 10 + 300 mod 250 = 60. */
	const uint64_t at[] = {10, 110, 210, 60};
	for (int k = 0; k < 4; k++) {
		span_count c = {at[k], at[k] + 50, 0, 0};
		/* A window across two shifts sees both places. */
		wl_pagegen_writes_batch(g, SEC(k), SEC(k + 1), tally, &c);
		cr_assert(eq(u64, c.outside, 0), "shift %d", k);
		near_poisson((double)c.inside, 5000);
	}
	span_count across = {10, 60, 0, 0};
	wl_pagegen_writes_batch(g, MS(4500), MS(5500), tally, &across);
	/* [4.5 s, 5 s) at 60 (outside [10, 60)), [5 s, 5.5 s) at 10 + 500
	 * mod 250 = 10. */
	cr_assert(across.outside > 2000 && across.inside > 0,
		  "%lu outside, %lu inside", (unsigned long)across.outside,
		  (unsigned long)across.inside);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

Test(wl_phases, the_swing_scales_the_writes_by_its_integral)
{
	wl_phases ph = {.swing = 0.5, .swing_period_ns = SEC(4)};
	wl_pages_params p = {.kind = WL_PAGES_UNIFORM, .rate = 40000,
			     .phases = &ph};
	/* Over a whole period the mean is the base; over the first half,
	 * 2 s·(1 + 0.5·2/π): ∫_0^2 0.5 sin(πt/2) dt = 0.5·4/π·... */
	double whole = wl_pagegen_expected_writes(&p, 1000, 0, SEC(4));
	cr_assert(fabs(whole - 160000) < 1e-6, "%f", whole);
	double high = wl_pagegen_expected_writes(&p, 1000, 0, SEC(2));
	double want = 40000 * (2 + 0.5 * 4 / M_PI);
	cr_assert(fabs(high - want) < 1e-6, "%f vs %f", high, want);
	/* A window late in a long run keeps its precision. */
	double late = wl_pagegen_expected_writes(&p, 1000, SEC(4000000),
						 SEC(4000002));
	cr_assert(fabs(late - want) < 1e-3, "%f vs %f", late, want);
	gsl_rng *r = stream(3);
	wl_pagegen *g = wl_pagegen_create(&p, 1000, r);
	double hi = 0, lo = 0;
	for (int k = 0; k < 5; k++) {
		hi += (double)wl_pagegen_writes_batch(g, SEC(4 * k),
						      SEC(4 * k + 2), NULL,
						      NULL);
		lo += (double)wl_pagegen_writes_batch(g, SEC(4 * k + 2),
						      SEC(4 * k + 4), NULL,
						      NULL);
	}
	near_poisson(hi, 5 * want);
	near_poisson(lo, 5 * (160000 - want));
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

static void refused(const wl_pages_params *p, uint64_t pages,
		    const char *want)
{
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, wl_pages_check(p, pages, "vm1", &d), SIM_EINPUT));
	cr_assert(eq(str, d.text ? d.text : STR(""), STR(want)));
	sim_diag_fini(&d);
}

Test(wl_phases, the_check_refuses_structure_that_does_not_fit)
{
	wl_phases ph = {.nbursts = 1,
			.bursts = {{.period_ns = SEC(10), .length_ns = SEC(1),
				    .rate = 1, .offset = 900, .pages = 200}}};
	wl_pages_params p = {.kind = WL_PAGES_UNIFORM, .rate = 1,
			     .phases = &ph};
	refused(&p, 1000,
		"vm1: burst region of 200 pages at offset 900 does not fit in "
		"the VM's 1000 pages (expected a VM of at least 1100 pages: "
		"set a larger memory)\n");
	ph.bursts[0].pages = 100;
	ph.bursts[0].length_ns = SEC(11);
	refused(&p, 1000,
		"vm1: burst train 0: period 10000000000 ns, length 11000000000 "
		"ns, rate 1, 100 pages (expected 0 < length <= period, a rate "
		">= 0 and pages >= 1)\n");
	ph = (wl_phases){.swing = 1.0, .swing_period_ns = SEC(1)};
	refused(&p, 1000,
		"vm1: swing 1 with period 1000000000 ns (expected 0 <= swing < "
		"1 and a period above 0)\n");
	ph = (wl_phases){.shift_period_ns = SEC(1), .shift_pages = 10,
			 .shift_span = 10};
	refused(&p, 1000,
		"vm1: a moving hot set needs kind hotset and a span of at "
		"least 1 page\n");
	p = (wl_pages_params){.kind = WL_PAGES_HOTSET, .hot_pages = 100,
			      .hot_rate = 1, .phases = &ph};
	ph.shift_span = 950;
	refused(&p, 1000,
		"vm1: a hot set of 100 pages moving over 950 pages from offset "
		"0 does not fit in the VM's 1000 pages (expected a VM of at "
		"least 1049 pages: set a larger memory)\n");
	ph.shift_span = 901;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, wl_pages_check(&p, 1000, "vm1", &d), 0));
	sim_diag_fini(&d);
}

/* The expected writes of preset `name` on its own VM in [t0, t1) s. */
static double preset_writes(const char *name, double t0, double t1)
{
	const wl_pages_preset *p = wl_pages_preset_find(name);
	return wl_pagegen_expected_writes(&p->params, p->vm_bytes / 4096,
					  (uint64_t)(t0 * 1e9),
					  (uint64_t)(t1 * 1e9));
}

Test(wl_phases, the_presets_default_to_clarks_512_mib_vm)
{
	for (size_t i = 0; wl_pages_preset_at(i); i++)
		cr_assert(eq(u64, wl_pages_preset_at(i)->vm_bytes,
			     (uint64_t)512 << 20),
			  "%s", wl_pages_preset_at(i)->name);
}

Test(wl_phases, the_presets_move_with_their_events)
{
	/* OLTP: a checkpoint in [20 s, 25 s) adds 30000 writes/s to 11000. */
	cr_assert(fabs(preset_writes("oltp", 21, 22) - 41000) < 1e-6);
	cr_assert(fabs(preset_writes("oltp", 10, 11) - 11000) < 1e-6);
	/* Kernel compile: a link in [35 s, 39 s) adds 40000 writes/s. */
	cr_assert(fabs(preset_writes("kernel-compile", 36, 37) - 62000) < 1e-6);
	cr_assert(fabs(preset_writes("kernel-compile", 30, 31) - 22000) < 1e-6);
	/* Quake 3: a map change in [60 s, 63 s) adds 15000 writes/s. */
	cr_assert(fabs(preset_writes("quake3", 61, 62) - 16650) < 1e-6);
	cr_assert(fabs(preset_writes("quake3", 30, 31) - 1650) < 1e-6);
	/* SPECweb: ±25 % over 30 s; the mean of a period is the base. */
	double hi = preset_writes("specweb", 0, 15);
	double lo = preset_writes("specweb", 15, 30);
	cr_assert(fabs(hi + lo - 30 * 51000.0) < 1e-3);
	cr_assert(fabs(hi / 15 - 51000 * (1 + 0.25 * 2 / M_PI)) < 1e-3);
	/* MMuncher writes continuously: the same in any second. */
	cr_assert(fabs(preset_writes("mmuncher", 0, 1) -
		       preset_writes("mmuncher", 37, 38)) < 1e-9);
}

Test(wl_phases, a_preset_too_large_for_a_vm_is_refused_with_the_size_it_needs)
{
	const wl_pages_preset *p = wl_pages_preset_find("kernel-compile");
	refused(&p->params, 16384,
		"vm1: burst region of 16384 pages at offset 32768 does not fit "
		"in the VM's 16384 pages (expected a VM of at least 49152 pages: "
		"set a larger memory)\n");
	/* Quake 3 fits the 64 MiB VM of Clark's section 6. */
	sim_diag d;
	sim_diag_init(&d);
	const wl_pages_preset *q = wl_pages_preset_find("quake3");
	cr_assert(eq(int, wl_pages_check(&q->params, 16384, "vm1", &d), 0),
		  "%s", d.text ? d.text : "");
	sim_diag_fini(&d);
}
