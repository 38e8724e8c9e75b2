/* SPDX-License-Identifier: MIT */
/*
 * Tests of models/memory/'s writable-working-set analysis against
 * migration oracles 1 and 9 (docs/references.md) and against an
 * independent recomputation, and of its dirtying rates. Traces are mostly
 * filled in by hand (mem_util.h), so that a fault in traces/ shows up in
 * one test, not in all.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "mem_util.h"

/* ------------------------------------------------------------------------
 * Writable-working-set analysis
 * ------------------------------------------------------------------------ */

/* Oracle 9's trace: a hot set of 1000 pages (spread over memory) dirtied in
 * every 50 ms sample and nothing else, for `seconds`. */
static trace_pages *hot_set_trace(unsigned seconds)
{
	trace_pages *t = trace_new(CLARK_PAGES, 4096, SIM_MS(50), seconds * 20,
				   (size_t)seconds * 20 * 1000);
	uint32_t hot[1000];
	for (uint32_t i = 0; i < 1000; i++)
		hot[i] = i * 131;
	for (unsigned k = 1; k <= seconds * 20; k++)
		trace_add(t, SIM_MS(50) * k, hot, 1000);
	return t;
}

Test(mem_wws, oracle_1_stop_and_copy_of_512MiB_takes_32_16_8_s)
{
	trace_pages *t = hot_set_trace(1);
	const uint64_t rates[] = {MIBIT(128), MIBIT(256), MIBIT(512)};
	const uint64_t want[] = {SIM_S(32), SIM_S(16), SIM_S(8)};
	for (size_t i = 0; i < 3; i++) {
		mem_wws_point p;
		cr_assert(eq(u64, mem_wws_downtime(t, 0, rates[i], 0, &p),
			     want[i]));
		cr_assert(p.evaluable);
		cr_assert(eq(u64, p.final_pages, CLARK_PAGES));
		cr_assert(eq(u64, p.precopy_ns, 0));
		cr_assert(eq(u64, p.sent_pages, 0));
	}
	trace_free(t);
}

Test(mem_wws, oracle_9_a_hot_set_bounds_the_downtime_at_0_244140625_s)
{
	trace_pages *t = hot_set_trace(40);
	/* 1000 · 4096 · 8 / 2^27 s exactly. */
	const uint64_t wws_ns = UINT64_C(244140625);
	const uint64_t starts[] = {0, UINT64_C(1234567891), SIM_S(7)};
	for (size_t s = 0; s < 3; s++) {
		cr_assert(eq(u64, mem_wws_downtime(t, starts[s], MIBIT(128), 0,
						   NULL),
			     SIM_S(32)));
		for (unsigned n = 1; n <= 5; n++) {
			mem_wws_point p;
			cr_assert(eq(u64,
				     mem_wws_downtime(t, starts[s], MIBIT(128),
						      n, &p),
				     wws_ns),
				  "start %llu ns, N = %u",
				  (unsigned long long)starts[s], n);
			cr_assert(eq(u64, p.final_pages, 1000));
			cr_assert(eq(u64, p.sent_pages,
				     CLARK_PAGES + 1000 * (n - 1)));
			cr_assert(eq(u64, p.precopy_ns,
				     SIM_S(32) + wws_ns * (n - 1)));
		}
	}
	trace_free(t);
}

/* The trace of the growing working set: every 50 ms sample writes the hot
 * set [0, 1000) and 100 cold pages that no sample wrote before (for the
 * first 1300 samples), so the pages dirtied in a window grow with its
 * length: 1000 + 100 per sample. */
static trace_pages *growing_trace(unsigned seconds)
{
	trace_pages *t = trace_new(CLARK_PAGES, 4096, SIM_MS(50), seconds * 20,
				   (size_t)seconds * 20 * 1100);
	uint32_t pages[1100];
	for (uint32_t i = 0; i < 1000; i++)
		pages[i] = i;
	for (unsigned k = 1; k <= seconds * 20; k++) {
		for (uint32_t j = 0; j < 100; j++)
			pages[1000 + j] = (uint32_t)(1000 + (100 * k + j) %
						     (CLARK_PAGES - 1000));
		trace_add(t, SIM_MS(50) * k, pages, 1100);
	}
	return t;
}

/* The analysis of growing_trace redone by hand, by the share rule: a
 * round (a, b] holds w whole 50 ms samples, which dirty 1000 + 100·w
 * pages, and of each sample it overlaps in part the fraction f overlapped
 * of its pages not among those: 100 new pages, or all 1100 when there is
 * no whole sample; capped at the union of the samples overlapped. At
 * 2^27 bit/s a page takes 244140.625 ns, rounded up per round. */
static double grow_round_pages(uint64_t a, uint64_t b)
{
	const uint64_t w = SIM_MS(50);
	uint64_t first_whole = (a + w - 1) / w, last_whole = b / w;
	uint64_t whole = last_whole > first_whole ? last_whole - first_whole
						  : 0;
	double share = whole ? 1000.0 + 100.0 * (double)whole : 0.0;
	double extra = whole ? 100.0 : 1100.0;
	unsigned parts = 0;
	if (a % w) { /* the head: (a, next multiple], or (a, b] inside one */
		uint64_t s1 = (a / w + 1) * w;
		uint64_t hi = s1 < b ? s1 : b;
		share += (double)(hi - a) / (double)w * extra;
		parts++;
	}
	if (b % w && b / w * w >= a && b / w != a / w) { /* the tail */
		share += (double)(b - b / w * w) / (double)w * extra;
		parts++;
	}
	double all = whole ? 1000.0 + 100.0 * (double)(whole + parts)
			   : (parts ? 1000.0 + 100.0 * parts : 0.0);
	return share < all ? share : all;
}

static uint64_t pages_ns_at_128mibit(double pages)
{
	if (pages == floor(pages))
		return ((uint64_t)pages * UINT64_C(244140625) + 999) / 1000;
	return (uint64_t)round(pages * 4096 * 8e9 / 134217728.0);
}

Test(mem_wws, downtime_falls_then_flattens_when_the_dirtied_set_grows_with_the_window)
{
	trace_pages *t = growing_trace(80);
	enum { NMAX = 16 };
	const uint64_t start = SIM_MS(1230), rate = MIBIT(128);
	size_t npoints = 0;
	mem_wws_point *pts = mem_wws_table(t, &start, 1, &rate, 1, NMAX,
					   &npoints);
	cr_assert(eq(sz, npoints, NMAX + 1));
	uint64_t a = start;
	double send = CLARK_PAGES;
	uint64_t down[NMAX + 1];
	for (unsigned n = 1; n <= NMAX; n++) {
		uint64_t b = a + pages_ns_at_128mibit(send);
		double dirtied = grow_round_pages(a, b);
		down[n] = pages_ns_at_128mibit(dirtied);
		cr_assert(pts[n].evaluable, "N = %u", n);
		cr_assert(eq(u64, pts[n].downtime_ns, down[n]), "N = %u", n);
		cr_assert(eq(dbl, pts[n].final_share, dirtied), "N = %u", n);
		cr_assert(eq(u64, pts[n].final_pages,
			     (uint64_t)llround(dirtied)), "N = %u", n);
		cr_assert(eq(u64, pts[n].precopy_ns, b - start), "N = %u", n);
		a = b;
		send = dirtied;
	}
	cr_assert(eq(u64, mem_wws_downtime(t, start, rate, NMAX, NULL),
		     down[NMAX]));
	/* It falls steeply while rounds shrink by half... */
	for (unsigned n = 1; n < 8; n++)
		cr_assert(lt(u64, down[n + 1], down[n]), "N = %u", n);
	/* ...then settles near the fixed point D = 1000 + 100·D·P·8/(R·50ms),
	 * D ≈ 1953 pages (0.477 s), jittering by a sample or so. */
	for (unsigned n = 12; n <= NMAX; n++) {
		cr_assert(ge(u64, down[n], pages_ns_at_128mibit(1800)), "N = %u",
			  n);
		cr_assert(le(u64, down[n], pages_ns_at_128mibit(2150)), "N = %u",
			  n);
	}
	cr_assert(gt(u64, down[1], SIM_S(15)), "round 1 dirtied 65000 pages");
	free(pts);
	trace_free(t);
}

/* A small trace for the share rule: 64 pages of 4 KiB at 32768000
 * bit/s, so one page takes exactly 1 ms and round 1 64 ms; sample i at
 * 10·i ms (i = 1..30) writes page i alone, so a round dirties one page per
 * whole sample in it plus the overlapped fraction of each sample at its
 * edges: the length of the round in ms / 10, within the trace. */
#define MS_PER_PAGE_BPS UINT64_C(32768000)

static trace_pages *boundary_trace(void)
{
	trace_pages *t = trace_new(64, 4096, SIM_MS(10), 30, 30);
	for (uint32_t i = 1; i <= 30; i++)
		trace_add(t, SIM_MS(10) * i, &i, 1);
	return t;
}

Test(mem_wws, a_round_gets_its_share_of_the_samples_it_overlaps)
{
	trace_pages *t = boundary_trace();
	mem_wws_point p;
	/* From 0: round 1 (0, 64] holds samples 10..60 ms whole and 4 ms of
	 * the 10 ms sample ending at 70: 6.4 pages, 6.4 ms. */
	cr_assert(eq(u64, mem_wws_downtime(t, 0, MS_PER_PAGE_BPS, 1, &p),
		     SIM_US(6400)));
	cr_assert(eq(dbl, p.final_share, 6.4));
	cr_assert(eq(u64, p.final_pages, 6));
	/* Round 2 (64, 70.4] holds a sample time only by luck (a rule that
	 * gave each sample whole to the round holding its time would give a
	 * round inside a sample 0): 6/10 of the sample
	 * ending at 70 and 0.4/10 of the next, 0.64 pages. */
	cr_assert(eq(u64, mem_wws_downtime(t, 0, MS_PER_PAGE_BPS, 2, &p),
		     SIM_US(640)));
	cr_assert(eq(u64, p.precopy_ns, SIM_US(70400)));
	cr_assert(eq(u64, p.sent_pages, 70));
	/* Round 3 (70.4, 71.04] lies inside one sample: 0.064 pages, never
	 * a silent zero. */
	cr_assert(eq(u64, mem_wws_downtime(t, 0, MS_PER_PAGE_BPS, 3, &p),
		     SIM_US(64)));
	cr_assert(p.evaluable);
	cr_assert(p.final_share > 0.0639 && p.final_share < 0.0641);
	/* From 10 ms: (10, 74] holds 20..70 whole and 4/10 of 80. */
	cr_assert(eq(u64, mem_wws_downtime(t, SIM_MS(10), MS_PER_PAGE_BPS, 1,
					   NULL),
		     SIM_US(6400)));
	/* From 16 ms: 4/10 of the sample ending at 20, 30..80 whole. */
	cr_assert(eq(u64, mem_wws_downtime(t, SIM_MS(16), MS_PER_PAGE_BPS, 1,
					   NULL),
		     SIM_US(6400)));
	trace_free(t);
}

Test(mem_wws, the_share_stays_between_the_whole_samples_and_the_union)
{
	/* Samples at 10 and 20 ms over one page each; a round (2, 18] of
	 * 16 pages at 1 ms/page overlaps 8/10 of each and no whole one:
	 * 1.6 pages when the two write different pages, capped at the union
	 * (1 page) when they write the same. */
	const uint32_t page[] = {1, 2};
	for (int same = 0; same < 2; same++) {
		trace_pages *t = trace_new(16, 4096, SIM_MS(10), 3, 3);
		trace_add(t, SIM_MS(10), &page[0], 1);
		trace_add(t, SIM_MS(20), &page[same ? 0 : 1], 1);
		trace_add(t, SIM_MS(30), &page[0], 1);
		mem_wws_point p;
		mem_wws_downtime(t, SIM_MS(2), MS_PER_PAGE_BPS, 1, &p);
		cr_assert(p.evaluable);
		cr_assert(eq(dbl, p.final_share, same ? 1.0 : 1.6));
		cr_assert(eq(u64, p.downtime_ns,
			     same ? SIM_MS(1) : SIM_US(1600)));
		trace_free(t);
	}
}

Test(mem_wws, rounds_past_the_end_of_the_trace_are_not_evaluable)
{
	trace_pages *t = boundary_trace(); /* ends at 300 ms */
	mem_wws_point p;
	/* (236, 300] ends exactly at the last sample: evaluable (4/10 of
	 * 240, 250..300 whole); round 2 would end at 306.4 ms. */
	cr_assert(eq(u64, mem_wws_downtime(t, SIM_MS(236), MS_PER_PAGE_BPS, 1,
					   &p),
		     SIM_US(6400)));
	cr_assert(p.evaluable);
	cr_assert(eq(u64, mem_wws_downtime(t, SIM_MS(236), MS_PER_PAGE_BPS, 2,
					   &p),
		     MEM_WWS_PAST_END));
	cr_assert(not(p.evaluable));
	cr_assert(eq(u64, p.downtime_ns, 0));
	cr_assert(eq(u64, p.iterations, 2));
	/* Stop-and-copy needs no dirtying data, but a start in the trace. */
	cr_assert(eq(u64, mem_wws_downtime(t, SIM_MS(250), MS_PER_PAGE_BPS, 1,
					   NULL),
		     MEM_WWS_PAST_END));
	cr_assert(eq(u64, mem_wws_downtime(t, SIM_MS(300), MS_PER_PAGE_BPS, 0,
					   NULL),
		     SIM_MS(64)));
	cr_assert(eq(u64, mem_wws_downtime(t, SIM_MS(301), MS_PER_PAGE_BPS, 0,
					   NULL),
		     MEM_WWS_PAST_END));
	trace_free(t);
}

Test(mem_wws, rounds_that_dirty_nothing_end_the_work_for_any_number_of_iterations)
{
	/* Samples of 10 ms writing page 1 up to 60 ms, then nothing: round 1
	 * (0, 64] dirties that one page, round 2 (64, 65] overlaps only an
	 * empty sample, and every later round is empty and lasts 0 ns. */
	trace_pages *t = trace_new(64, 4096, SIM_MS(10), 30, 30);
	const uint32_t one = 1;
	for (unsigned i = 1; i <= 30; i++)
		trace_add(t, SIM_MS(10) * i, &one, i <= 6 ? 1 : 0);
	mem_wws_point p;
	cr_assert(eq(u64, mem_wws_downtime(t, 0, MS_PER_PAGE_BPS, UINT32_MAX,
					   &p),
		     0));
	cr_assert(p.evaluable);
	cr_assert(eq(u32, p.iterations, UINT32_MAX));
	cr_assert(eq(u64, p.sent_pages, 65));
	cr_assert(eq(u64, p.precopy_ns, SIM_MS(65)));
	trace_free(t);
}

Test(mem_wws, the_table_holds_each_start_rate_and_iteration_at_its_index)
{
	trace_pages *t = boundary_trace();
	const uint64_t starts[] = {0, SIM_MS(10), SIM_MS(16), SIM_MS(236),
				   SIM_MS(250), SIM_MS(301)};
	const uint64_t rates[] = {MS_PER_PAGE_BPS, 2 * MS_PER_PAGE_BPS,
				  3 * MS_PER_PAGE_BPS};
	const unsigned nmax = 4;
	size_t n = 0;
	mem_wws_point *pts = mem_wws_table(t, starts, 6, rates, 3, nmax, &n);
	cr_assert(eq(sz, n, 6 * 3 * 5));
	for (size_t s = 0; s < 6; s++)
		for (size_t r = 0; r < 3; r++)
			for (unsigned k = 0; k <= nmax; k++) {
				const mem_wws_point *got =
					&pts[(s * 3 + r) * (nmax + 1) + k];
				mem_wws_point want;
				mem_wws_downtime(t, starts[s], rates[r], k,
						 &want);
				cr_assert(eq(u64, got->start_ns, starts[s]));
				cr_assert(eq(u64, got->rate_bps, rates[r]));
				cr_assert(eq(u32, got->iterations, k));
				cr_assert(eq(int, got->evaluable,
					     want.evaluable));
				cr_assert(eq(u64, got->downtime_ns,
					     want.downtime_ns),
					  "s %zu r %zu N %u", s, r, k);
				cr_assert(eq(u64, got->final_pages,
					     want.final_pages));
				cr_assert(eq(u64, got->precopy_ns,
					     want.precopy_ns));
				cr_assert(eq(u64, got->sent_pages,
					     want.sent_pages));
			}
	/* Three times the rate: 64 pages in 21333333.3 ns, rounded up. */
	cr_assert(eq(u64, pts[(0 * 3 + 2) * (nmax + 1) + 0].downtime_ns,
		     UINT64_C(21333334)));
	free(pts);
	trace_free(t);
}

Test(mem_wws, traces_from_the_trace_library_give_the_same_analysis)
{
	/* boundary_trace in the text format, and through the builder. */
	char text[1024];
	size_t len = (size_t)snprintf(text, sizeof text,
				      "# vdcsim page-dirty trace v1\n"
				      "pages 64\npage_size 4096\n"
				      "interval 10ms\n");
	for (unsigned i = 1; i <= 30; i++)
		len += (size_t)snprintf(text + len, sizeof text - len,
					"%u %u\n", i * 10000000u, i);
	sim_diag d;
	sim_diag_init(&d);
	trace_pages *parsed = NULL;
	cr_assert(eq(int, trace_pages_parse("b.trace", text, len, &parsed, &d),
		     0),
		  "%s", d.text ? d.text : "");
	sim_diag_fini(&d);
	trace_pages_builder *b = trace_pages_builder_create(64, 4096,
							    SIM_MS(10));
	for (uint32_t i = 1; i <= 30; i++)
		trace_pages_builder_add(b, SIM_MS(10) * i, &i, 1);
	trace_pages *built = trace_pages_builder_finish(b);
	trace_pages *mine = boundary_trace();
	const uint64_t starts[] = {0, SIM_MS(10), SIM_MS(16), SIM_MS(236)};
	for (size_t s = 0; s < 4; s++)
		for (unsigned n = 0; n <= 3; n++) {
			uint64_t want = mem_wws_downtime(mine, starts[s],
							 MS_PER_PAGE_BPS, n,
							 NULL);
			cr_assert(eq(u64,
				     mem_wws_downtime(parsed, starts[s],
						      MS_PER_PAGE_BPS, n,
						      NULL),
				     want));
			cr_assert(eq(u64,
				     mem_wws_downtime(built, starts[s],
						      MS_PER_PAGE_BPS, n,
						      NULL),
				     want));
		}
	trace_pages_destroy(parsed);
	trace_pages_destroy(built);
	trace_free(mine);
}

/* ------------------------------------------------------------------------
 * Dirtying rates
 * ------------------------------------------------------------------------ */

static trace_pages *rate_trace(void)
{
	trace_pages *t = trace_new(4096, 4096, SIM_MS(50), 4, 1150);
	uint32_t pages[1000];
	for (uint32_t i = 0; i < 1000; i++)
		pages[i] = i;
	trace_add(t, SIM_MS(50), pages, 100);   /* 2000 pages/s */
	trace_add(t, SIM_MS(150), pages, 0);    /* 0 over 100 ms */
	trace_add(t, SIM_MS(200), pages, 1000); /* 20000 pages/s */
	trace_add(t, SIM_MS(250), pages, 50);   /* 1000 pages/s */
	return t;
}

Test(mem_rate, a_samples_rate_is_its_pages_over_its_length_in_each_unit)
{
	trace_pages *t = rate_trace();
	cr_assert(eq(dbl, mem_sample_dirty_rate(t, 0, MEM_RATE_PAGES_PER_S),
		     2000.0));
	cr_assert(eq(dbl, mem_sample_dirty_rate(t, 0, MEM_RATE_MIB_PER_S),
		     7.8125));
	cr_assert(eq(dbl, mem_sample_dirty_rate(t, 0, MEM_RATE_MIBIT_PER_S),
		     62.5));
	cr_assert(eq(dbl, mem_sample_dirty_rate(t, 1, MEM_RATE_PAGES_PER_S),
		     0.0));
	cr_assert(eq(dbl, mem_sample_dirty_rate(t, 2, MEM_RATE_PAGES_PER_S),
		     20000.0));
	trace_free(t);
}

Test(mem_rate, the_histogram_bins_sample_rates_and_clamps_the_overflow)
{
	trace_pages *t = rate_trace();
	uint64_t counts[5] = {9, 9, 9, 9, 9};
	cr_assert(eq(u64, mem_dirty_rate_hist(t, MEM_RATE_PAGES_PER_S, 1000, 5,
					      counts),
		     1));
	/* 0 in [0, 1000), 1000 and 2000 on the lower edges of their bins,
	 * 20000 clamped into the last. */
	const uint64_t want[] = {1, 1, 1, 0, 1};
	for (size_t b = 0; b < 5; b++)
		cr_assert(eq(u64, counts[b], want[b]), "bin %zu", b);
	trace_free(t);
}
