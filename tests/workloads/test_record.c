/* SPDX-License-Identifier: MIT */
/*
 * Tests of the recorder (workloads/rec.h): the allocator over the arena
 * (offsets independent of where the region lies, alignment, reuse,
 * refusal when full), the two write-tracking mechanisms against stores of
 * known pages, their equality on a real recording, determinism, and the
 * phases (ramp, bursts, checkpoints) as the pages they dirty.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"

/* ---- Allocator -------------------------------------------------------- */

static const uint64_t sizes[] = {1, 16, 17, 100, 4096, 5000, 70000, 24, 1 << 20};

/* A fixed sequence of calls; returns the offsets of its live blocks. */
static void sequence(rec_alloc *al, uint64_t *off)
{
	void *p[9];
	for (int i = 0; i < 9; i++)
		p[i] = rec_alloc_malloc(al, sizes[i]);
	rec_alloc_free(al, p[2]);
	rec_alloc_free(al, p[4]);
	p[2] = rec_alloc_malloc(al, 20);
	p[4] = rec_alloc_realloc(al, p[5], 9000);
	p[5] = rec_alloc_malloc(al, 4000);
	for (int i = 0; i < 9; i++)
		off[i] = (uint64_t)((unsigned char *)p[i] - al->base);
}

Test(rec_alloc, offsets_do_not_depend_on_the_region_address)
{
	unsigned char *a = aligned_alloc(4096, 8 << 20);
	unsigned char *b = aligned_alloc(4096, (8 << 20) + 4096);
	rec_alloc x, y;
	rec_alloc_init(&x, a, 8 << 20);
	rec_alloc_init(&y, b + 4096, 8 << 20);
	uint64_t ox[9], oy[9];
	sequence(&x, ox);
	sequence(&y, oy);
	for (int i = 0; i < 9; i++)
		cr_expect_eq(ox[i], oy[i], "block %d at %llu and %llu", i,
			     (unsigned long long)ox[i], (unsigned long long)oy[i]);
	cr_expect_eq(x.top, y.top);
	free(a);
	free(b);
}

Test(rec_alloc, blocks_are_aligned_large_enough_and_disjoint)
{
	unsigned char *r = aligned_alloc(4096, 4 << 20);
	rec_alloc al;
	rec_alloc_init(&al, r, 4 << 20);
	unsigned char *p[200];
	uint64_t n[200];
	for (int i = 0; i < 200; i++) {
		n[i] = 1 + (uint64_t)(i * 7919) % 9000;
		p[i] = rec_alloc_malloc(&al, n[i]);
		cr_assert(p[i]);
		cr_expect_eq((uintptr_t)p[i] % 16, 0);
		cr_expect_geq(rec_alloc_size(&al, p[i]), n[i]);
		cr_expect_eq(rec_alloc_size(&al, p[i]), rec_alloc_roundup(n[i]));
		memset(p[i], i, n[i]);
	}
	for (int i = 0; i < 200; i++)
		for (uint64_t k = 0; k < n[i]; k++)
			if (p[i][k] != (unsigned char)i)
				cr_assert_fail("block %d overwritten at byte %llu", i,
					 (unsigned long long)k);
	free(r);
}

Test(rec_alloc, a_freed_block_is_reused_first)
{
	unsigned char *r = aligned_alloc(4096, 1 << 20);
	rec_alloc al;
	rec_alloc_init(&al, r, 1 << 20);
	void *a = rec_alloc_malloc(&al, 100), *b = rec_alloc_malloc(&al, 100);
	rec_alloc_free(&al, a);
	rec_alloc_free(&al, b);
	cr_expect_eq(rec_alloc_malloc(&al, 105), b, "same class (128-byte blocks)");
	cr_expect_eq(rec_alloc_malloc(&al, 100), a);
	free(r);
}

Test(rec_alloc, a_full_region_refuses_and_remembers_the_request)
{
	unsigned char *r = aligned_alloc(4096, 1 << 20);
	rec_alloc al;
	rec_alloc_init(&al, r, 1 << 20);
	cr_expect_null(rec_alloc_malloc(&al, 2 << 20));
	cr_expect_eq(al.failed, 2 << 20);
	void *p = rec_alloc_malloc(&al, 600000);
	cr_assert(p);
	memset(p, 7, 600000);
	cr_expect_null(rec_alloc_realloc(&al, p, 900000));
	cr_expect_eq(((unsigned char *)p)[599999], 7, "a refused realloc "
		     "keeps the block");
	cr_expect_eq(al.failed, 2 << 20, "the first failure is kept");
	free(r);
}

Test(rec_alloc, realloc_keeps_the_bytes)
{
	unsigned char *r = aligned_alloc(4096, 1 << 20);
	rec_alloc al;
	rec_alloc_init(&al, r, 1 << 20);
	unsigned char *p = rec_alloc_malloc(&al, 50);
	for (int i = 0; i < 50; i++)
		p[i] = (unsigned char)i;
	unsigned char *q = rec_alloc_realloc(&al, p, 5000);
	cr_assert(q && q != p);
	for (int i = 0; i < 50; i++)
		cr_expect_eq(q[i], i);
	cr_expect_eq(rec_alloc_realloc(&al, q, 10), q, "shrinking stays");
	free(r);
}

/* ---- Write tracking --------------------------------------------------- */

/* An arena of 1 MiB with mechanism m, or a skip when the kernel refuses
 * userfaultfd. */
static rec_arena *arena(rec_mech m)
{
	rec_arena *a;
	const char *note;
	sim_diag d;
	sim_diag_init(&d);
	int rc = rec_arena_create(1 << 20, m, &a, &note, &d);
	if (rc != 0 && m == REC_MECH_UFFD) {
		cr_log_warn("%s", d.text);
		sim_diag_fini(&d);
		cr_skip_test("the kernel refuses userfaultfd (see the warning): "
			     "only the mprotect half runs");
	}
	cr_assert_eq(rc, 0, "%s", d.text ? d.text : "");
	sim_diag_fini(&d);
	cr_assert_eq(rec_arena_mech(a), m);
	return a;
}

static void expect_pages(rec_arena *a, const uint32_t *want, size_t nwant)
{
	uint32_t got[256];
	size_t n;
	rec_arena_collect(a, got, &n);
	cr_expect_eq(n, nwant, "%zu pages collected, expected %zu", n, nwant);
	for (size_t i = 0; i < n && i < nwant; i++)
		cr_expect_eq(got[i], want[i], "page %zu: %u, expected %u", i,
			     got[i], want[i]);
}

static void tracks_exactly_the_written_pages(rec_mech m)
{
	rec_arena *a = arena(m);
	volatile unsigned char *b = rec_arena_base(a);
	unsigned char sink = 0;
	expect_pages(a, NULL, 0);
	b[0] = 1;
	b[5 * 4096 + 17] = 1;
	memset((void *)(b + 6 * 4096), 2, 2 * 4096);  /* pages 6 and 7 */
	b[255 * 4096 + 4095] = 3;
	sink += b[100 * 4096];                        /* a read: not written */
	memcpy((void *)(b + 9 * 4096 + 4090), "0123456789", 10); /* 9 and 10 */
	static const uint32_t w1[] = {0, 5, 6, 7, 9, 10, 255};
	expect_pages(a, w1, 7);
	expect_pages(a, NULL, 0);
	b[5 * 4096] = 4;
	static const uint32_t w2[] = {5};
	expect_pages(a, w2, 1);
	cr_expect_eq(b[5 * 4096 + 17], 1, "stores land: %d", sink);
	rec_arena_destroy(a);
}

Test(rec_arena, mprotect_tracks_exactly_the_written_pages)
{
	tracks_exactly_the_written_pages(REC_MECH_MPROTECT);
}

Test(rec_arena, uffd_tracks_exactly_the_written_pages)
{
	tracks_exactly_the_written_pages(REC_MECH_UFFD);
}

Test(rec_arena, a_size_outside_the_limits_is_refused)
{
	rec_arena *a;
	const char *note;
	sim_diag d;
	sim_diag_init(&d);
	cr_expect_eq(rec_arena_create(1 << 19, REC_MECH_MPROTECT, &a, &note, &d),
		     SIM_EINPUT);
	cr_expect_null(a);
	cr_expect(strstr(d.text, "from 1 MiB to 4 GiB"));
	sim_diag_fini(&d);
}

/* ---- Recordings ------------------------------------------------------- */

static trace_pages *record(const char *wl, rec_mech m, const char *const *sets,
			   size_t nsets, void (*edit)(rec_opts *))
{
	rec_opts o = {
		.w = rec_workload_find(wl), .mech = m, .seed = 1,
		.duration_ns = 1000000000, .interval_ns = 50000000,
		.burst_factor = 2, .sets = sets, .nsets = nsets,
	};
	cr_assert(o.w);
	if (edit)
		edit(&o);
	trace_pages *t;
	rec_stats st;
	sim_diag d;
	sim_diag_init(&d);
	int rc = rec_record(&o, &t, &st, &d);
	if (rc != 0 && m == REC_MECH_UFFD) {
		cr_log_warn("%s", d.text);
		sim_diag_fini(&d);
		cr_skip_test("the kernel refuses userfaultfd: no uffd recording");
	}
	cr_assert_eq(rc, 0, "%s", d.text ? d.text : "");
	cr_assert_eq(st.mech, m);
	sim_diag_fini(&d);
	return t;
}

static void expect_same(const trace_pages *a, const trace_pages *b)
{
	cr_assert_eq(a->nsamples, b->nsamples);
	cr_assert_eq(a->pages, b->pages);
	for (size_t i = 0; i < a->nsamples; i++) {
		cr_assert_eq(a->time_ns[i], b->time_ns[i]);
		cr_assert_eq(a->first[i + 1], b->first[i + 1], "sample %zu", i);
	}
	cr_assert_eq(memcmp(a->page, b->page, a->first[a->nsamples] * 4), 0);
}

static size_t count(const trace_pages *t, size_t i)
{
	return t->first[i + 1] - t->first[i];
}

static const char *const oltp_small[] = {"subscribers=500"};

static void with_checkpoints(rec_opts *o)
{
	o->checkpoint_every_ns = 300000000;
}

Test(rec_record, oltp_is_the_same_with_both_mechanisms)
{
	trace_pages *a = record("oltp", REC_MECH_MPROTECT, oltp_small, 1,
				with_checkpoints);
	trace_pages *b = record("oltp", REC_MECH_UFFD, oltp_small, 1,
				with_checkpoints);
	expect_same(a, b);
	trace_pages_destroy(a);
	trace_pages_destroy(b);
}

Test(rec_record, oltp_is_deterministic_and_seeded)
{
	trace_pages *a = record("oltp", REC_MECH_MPROTECT, oltp_small, 1, NULL);
	trace_pages *b = record("oltp", REC_MECH_MPROTECT, oltp_small, 1, NULL);
	expect_same(a, b);
	cr_expect_eq(a->nsamples, 20);
	cr_expect_eq(a->time_ns[0], 50000000);
	size_t total = 0;
	for (size_t i = 0; i < a->nsamples; i++) {
		cr_expect_gt(count(a, i), 0, "sample %zu: SQLite writes", i);
		total += count(a, i);
	}
	cr_expect_lt(total, a->nsamples * a->pages, "not every page");
	trace_pages_destroy(a);
	trace_pages_destroy(b);
}

/* The muncher writes 4 KiB per operation, sequentially: a sample holds
 * its operations' pages, one more when the first write is not aligned. */
static const char *const munch_seq[] = {"region=8MiB"};

static void munch_phases(rec_opts *o)
{
	o->arena_bytes = 16 << 20;
	o->op_ns = 500000;            /* K = 100 */
	o->ramp_ns = 500000000;       /* level (j + 0.5) / 10 in sample j */
	o->burst_every_ns = 800000000;
	o->burst_ns = 50000000;
	o->burst_factor = 3;
	o->checkpoint_every_ns = 700000000;
	o->duration_ns = 1500000000;
}

Test(rec_record, munch_phases_shape_the_dirtying)
{
	trace_pages *t = record("munch", REC_MECH_MPROTECT, munch_seq, 1,
				munch_phases);
	/* Sample 0 is the load: the whole 8 MiB region (2048 or 2049
	 * pages) and the allocator's header. */
	cr_expect_geq(count(t, 0), 2048);
	/* Ramp: run sample j (trace sample j + 1) does llround(100 (j +
	 * 0.5) / 10) operations, so 5 pages (+1), then 15, 25, ... */
	for (size_t j = 0; j < 10; j++) {
		size_t ops = (size_t)(10 * j + 5), got = count(t, j + 1);
		cr_expect(got == ops || got == ops + 1, "ramp sample %zu: %zu "
			  "pages for %zu operations", j, got, ops);
	}
	/* Steady: 100 operations a sample; the burst at 800 ms after the
	 * load (run sample 16) does 300. */
	cr_expect_leq(count(t, 12), 101);
	cr_expect_geq(count(t, 12), 100);
	cr_expect_geq(count(t, 17), 300);
	cr_expect_leq(count(t, 17), 301);
	/* The checkpoint at 700 ms (run sample 13) sweeps the region. */
	cr_expect_geq(count(t, 14), 2048);
	trace_pages_destroy(t);
}

Test(rec_record, every_workload_records_with_its_defaults_scaled_down)
{
	static const char *const cache[] = {"capacity=2MiB", "objects=5000"};
	static const char *const zl[] = {"buffers=8"};
	trace_pages *t = record("cache", REC_MECH_MPROTECT, cache, 2, NULL);
	cr_expect_eq(t->nsamples, 20);
	cr_expect_gt(count(t, 19), 0);
	trace_pages_destroy(t);
	t = record("zlib", REC_MECH_MPROTECT, zl, 1, NULL);
	cr_expect_eq(t->pages, 4096);
	cr_expect_gt(count(t, 19), 0);
	trace_pages_destroy(t);
}

Test(rec_record, a_database_too_big_for_the_arena_is_input_error)
{
	static const char *const big[] = {"subscribers=100000"};
	rec_opts o = {
		.w = rec_workload_find("oltp"), .mech = REC_MECH_MPROTECT,
		.arena_bytes = 2 << 20, .seed = 1, .duration_ns = 1000000000,
		.interval_ns = 50000000, .burst_factor = 2, .sets = big,
		.nsets = 1,
	};
	trace_pages *t;
	rec_stats st;
	sim_diag d;
	sim_diag_init(&d);
	cr_expect_eq(rec_record(&o, &t, &st, &d), SIM_EINPUT);
	cr_expect_null(t);
	cr_expect(strstr(d.text, "does not fit in the arena of 2 MiB"), "%s", d.text);
	sim_diag_fini(&d);
}
