/* SPDX-License-Identifier: MIT */
/*
 * Tests of models/memory/: bitmaps and the log-dirty semantics, the hot set
 * + cold writes formulas against a Monte Carlo over the page-exact log, and
 * the writable-working-set analysis against migration oracles 1 and 9
 * (docs/references.md) and
 * against an independent recomputation. Traces are mostly filled in by
 * hand, so that a fault in traces/ shows up in one test, not in all.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/redirect.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define STR(s) ((char *)(s))

/* ------------------------------------------------------------------------
 * Hand-made traces
 * ------------------------------------------------------------------------ */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* A trace with room for max_samples samples listing max_pages pages in
 * all: exact allocation keeps the long traces below cheap to build. */
static trace_pages *trace_new(uint64_t pages, uint64_t page_size,
			      uint64_t interval_ns, size_t max_samples,
			      size_t max_pages)
{
	trace_pages *t = calloc(1, sizeof *t);
	t->pages = pages;
	t->page_size = page_size;
	t->interval_ns = interval_ns;
	t->time_ns = calloc(max_samples, sizeof *t->time_ns);
	t->first = calloc(max_samples + 1, sizeof *t->first);
	t->page = calloc(max_pages ? max_pages : 1, sizeof *t->page);
	return t;
}

/* Appends a sample, sorting and merging its pages as the format says.
 * The caller stays within the room asked of trace_new. */
static void trace_add(trace_pages *t, uint64_t time_ns, const uint32_t *pages,
		      size_t n)
{
	size_t i = t->nsamples++, base = t->first[i];
	memcpy(t->page + base, pages, n * sizeof *pages);
	qsort(t->page + base, n, sizeof *pages, cmp_u32);
	size_t k = 0;
	for (size_t j = 0; j < n; j++)
		if (k == 0 || t->page[base + j] != t->page[base + k - 1])
			t->page[base + k++] = t->page[base + j];
	t->time_ns[i] = time_ns;
	t->first[i + 1] = base + k;
}

static void trace_free(trace_pages *t)
{
	free(t->time_ns);
	free(t->first);
	free(t->page);
	free(t);
}

/* Clark's setting (migration oracles 1 and 9): 512 MiB of 4 KiB pages. */
#define CLARK_PAGES (UINT64_C(512) << 20 >> 12)
#define MIBIT(x) ((uint64_t)(x) << 20)

/* ------------------------------------------------------------------------
 * Pages and bitmaps
 * ------------------------------------------------------------------------ */

Test(mem_pages, a_partial_page_at_the_end_is_still_a_page)
{
	cr_assert(eq(u64, mem_pages_of_bytes(0, 4096), 0));
	cr_assert(eq(u64, mem_pages_of_bytes(1, 4096), 1));
	cr_assert(eq(u64, mem_pages_of_bytes(4096, 4096), 1));
	cr_assert(eq(u64, mem_pages_of_bytes(4097, 4096), 2));
	cr_assert(eq(u64, mem_pages_of_bytes(UINT64_C(512) << 20,
					     MEM_PAGE_SIZE_DEFAULT),
		     131072));
}

Test(mem_bitmap, fill_sets_exactly_the_pages_below_the_size)
{
	const uint64_t sizes[] = {1, 63, 64, 65, 128, 130};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		mem_bitmap b;
		mem_bitmap_init(&b, sizes[i]);
		cr_assert(eq(u64, mem_bitmap_count(&b), 0));
		cr_assert(eq(u64, mem_bitmap_next(&b, 0), sizes[i]));
		mem_bitmap_fill(&b);
		cr_assert(eq(u64, mem_bitmap_count(&b), sizes[i]),
			  "%llu pages", (unsigned long long)sizes[i]);
		cr_assert(mem_bitmap_is_set(&b, sizes[i] - 1));
		cr_assert(eq(u64, mem_bitmap_next(&b, sizes[i] - 1),
			     sizes[i] - 1));
		cr_assert(eq(u64, mem_bitmap_next(&b, sizes[i]), sizes[i]));
		mem_bitmap_zero(&b);
		cr_assert(eq(u64, mem_bitmap_count(&b), 0));
		mem_bitmap_fini(&b);
	}
}

Test(mem_bitmap, next_walks_set_bits_in_order_across_empty_words)
{
	mem_bitmap b;
	mem_bitmap_init(&b, 1000);
	const uint64_t set[] = {0, 63, 64, 65, 127, 128, 700, 999};
	for (size_t i = sizeof set / sizeof set[0]; i-- > 0;)
		mem_bitmap_set(&b, set[i]);
	size_t k = 0;
	for (uint64_t p = mem_bitmap_next(&b, 0); p < b.pages;
	     p = mem_bitmap_next(&b, p + 1))
		cr_assert(eq(u64, p, set[k++]));
	cr_assert(eq(sz, k, sizeof set / sizeof set[0]));
	cr_assert(eq(u64, mem_bitmap_next(&b, 66), 127));
	cr_assert(eq(u64, mem_bitmap_next(&b, 129), 700));
	mem_bitmap_clear(&b, 700);
	cr_assert(eq(u64, mem_bitmap_next(&b, 129), 999));
	cr_assert(not(mem_bitmap_is_set(&b, 700)));
	mem_bitmap_fini(&b);
}

Test(mem_bitmap, and_not_drops_pages_peeked_dirty_from_a_to_send_set)
{
	mem_bitmap to_send, dirty;
	mem_bitmap_init(&to_send, 130);
	mem_bitmap_init(&dirty, 130);
	mem_bitmap_fill(&to_send);
	mem_bitmap_set(&dirty, 5);
	mem_bitmap_set(&dirty, 64);
	mem_bitmap_set(&dirty, 129);
	cr_assert(eq(u64, mem_bitmap_count_and(&to_send, &dirty), 3));
	mem_bitmap_and_not(&to_send, &dirty);
	cr_assert(eq(u64, mem_bitmap_count(&to_send), 127));
	cr_assert(not(mem_bitmap_is_set(&to_send, 64)));
	cr_assert(eq(u64, mem_bitmap_count_and(&to_send, &dirty), 0));
	mem_bitmap_or(&to_send, &dirty);
	cr_assert(eq(u64, mem_bitmap_count(&to_send), 130));
	mem_bitmap_and(&to_send, &dirty);
	cr_assert(eq(u64, mem_bitmap_count(&to_send), 3));
	mem_bitmap_zero(&dirty);
	mem_bitmap_copy(&dirty, &to_send);
	cr_assert(eq(u64, mem_bitmap_next(&dirty, 6), 64));
	mem_bitmap_fini(&to_send);
	mem_bitmap_fini(&dirty);
}

Test(mem_bitmap, operations_on_bitmaps_of_different_sizes_panic,
     .signal = SIGABRT, .init = cr_redirect_stderr)
{
	mem_bitmap a, b;
	mem_bitmap_init(&a, 64);
	mem_bitmap_init(&b, 65);
	mem_bitmap_or(&a, &b);
}

/* A bitmap of `pages` bits, each set with probability about num/8 by a
 * fixed hash of (seed, page). */
static void bitmap_pattern(mem_bitmap *b, uint64_t pages, uint64_t seed,
			   unsigned num)
{
	mem_bitmap_init(b, pages);
	for (uint64_t p = 0; p < pages; p++)
		if (sim_splitmix64(seed * 1000003 + p) % 8 < num)
			mem_bitmap_set(b, p);
}

static uint64_t brute_count(const mem_bitmap *b, uint64_t from, uint64_t to)
{
	uint64_t n = 0;
	for (uint64_t p = from; p < to; p++)
		n += mem_bitmap_is_set(b, p);
	return n;
}

static uint64_t brute_nth(const mem_bitmap *b, uint64_t from, uint64_t k)
{
	for (uint64_t p = from; p < b->pages; p++)
		if (mem_bitmap_is_set(b, p) && k-- == 0)
			return p;
	return b->pages;
}

Test(mem_bitmap, range_operations_agree_with_a_bit_by_bit_walk)
{
	static const uint64_t sizes[] = {1, 63, 64, 65, 640, 1000};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
		for (unsigned num = 0; num <= 8; num += 2) {
			uint64_t n = sizes[s];
			mem_bitmap a, b, c;
			bitmap_pattern(&a, n, 2 * s + num, num);
			bitmap_pattern(&b, n, 2 * s + num + 1, 4);
			mem_bitmap_init(&c, n);
			for (uint64_t i = 0; i < 300; i++) {
				uint64_t x = sim_splitmix64(i) % (n + 2);
				uint64_t y = sim_splitmix64(i + 7777) % (n + 1);
				uint64_t k = sim_splitmix64(i + 99) % 130;
				cr_assert(eq(u64, mem_bitmap_next_nth(&a, x, k),
					     x < n ? brute_nth(&a, x, k) : n));
				if (x > n)
					continue;
				uint64_t lo = x < y ? x : y, hi = x < y ? y : x;
				cr_assert(eq(u64,
					     mem_bitmap_count_range(&a, lo, hi),
					     brute_count(&a, lo, hi)));
				/* c = a, less b's bits in [lo, hi) */
				mem_bitmap_copy(&c, &a);
				uint64_t want = 0;
				for (uint64_t p = lo; p < hi; p++)
					want += mem_bitmap_is_set(&a, p) &&
						mem_bitmap_is_set(&b, p);
				cr_assert(eq(u64,
					     mem_bitmap_and_not_range(&c, &b, lo,
								      hi),
					     want));
				for (uint64_t p = 0; p < n; p++) {
					bool in = p >= lo && p < hi;
					bool keep = mem_bitmap_is_set(&a, p) &&
						    !(in && mem_bitmap_is_set(
								    &b, p));
					cr_assert(eq(int,
						     mem_bitmap_is_set(&c, p),
						     keep));
				}
			}
			cr_assert(eq(u64, mem_bitmap_next_nth(&a, 0, 0),
				     mem_bitmap_next(&a, 0)));
			mem_bitmap_fini(&a);
			mem_bitmap_fini(&b);
			mem_bitmap_fini(&c);
		}
}

/* Pre-copy's skip over a to-send set, in batches of `batch` pages: before
 * each batch, writes(i) dirties pages of the log; pages of the batch found
 * dirty are dropped. Walked page by page (next and peek) or a batch at a
 * time (next_nth and and_not_range); both return the pages sent. */
static void dirty_some(mem_dirtylog *log, uint64_t batch_index)
{
	uint64_t pages = mem_dirtylog_pages(log);
	for (uint64_t j = 0; j < 40; j++)
		mem_dirtylog_mark(log,
				  sim_splitmix64(batch_index * 64 + j) % pages);
}

static uint64_t skip_by_page(mem_bitmap *send, mem_dirtylog *log,
			     uint64_t batch, uint64_t *skipped)
{
	uint64_t sent = 0, in_batch = 0, index = 0;
	*skipped = 0;
	for (uint64_t p = mem_bitmap_next(send, 0); p < send->pages;
	     p = mem_bitmap_next(send, p + 1)) {
		if (in_batch == 0)
			dirty_some(log, index++);
		if (mem_dirtylog_peek(log, p)) {
			mem_bitmap_clear(send, p);
			++*skipped;
		} else {
			sent++;
		}
		in_batch = (in_batch + 1) % batch;
	}
	return sent;
}

static uint64_t skip_by_batch(mem_bitmap *send, mem_dirtylog *log,
			      uint64_t batch, uint64_t *skipped)
{
	uint64_t sent = 0, index = 0, pages = send->pages;
	*skipped = 0;
	for (uint64_t p = mem_bitmap_next(send, 0); p < pages;) {
		uint64_t end = mem_bitmap_next_nth(send, p, batch);
		uint64_t in = end < pages ? batch
					  : mem_bitmap_count_range(send, p, pages);
		dirty_some(log, index++);
		uint64_t dropped = mem_bitmap_and_not_range(
			send, mem_dirtylog_bits(log), p, end);
		*skipped += dropped;
		sent += in - dropped;
		p = end;
	}
	return sent;
}

Test(mem_bitmap, a_batch_at_a_time_skip_drops_what_a_page_walk_drops)
{
	for (unsigned num = 1; num <= 8; num += 7) {
		mem_bitmap s1, s2;
		bitmap_pattern(&s1, 5000, num, num);
		bitmap_pattern(&s2, 5000, num, num);
		mem_dirtylog *l1 = mem_dirtylog_create(5000);
		mem_dirtylog *l2 = mem_dirtylog_create(5000);
		mem_dirtylog_start(l1);
		mem_dirtylog_start(l2);
		uint64_t k1, k2;
		uint64_t sent1 = skip_by_page(&s1, l1, 100, &k1);
		uint64_t sent2 = skip_by_batch(&s2, l2, 100, &k2);
		cr_assert(gt(u64, k1, 0));
		cr_assert(eq(u64, sent1, sent2));
		cr_assert(eq(u64, k1, k2));
		cr_assert(eq(int, memcmp(s1.words, s2.words,
					 mem_bitmap_words(5000) * 8),
			     0));
		cr_assert(eq(u64, mem_dirtylog_count(l1), mem_dirtylog_count(l2)));
		mem_bitmap_fini(&s1);
		mem_bitmap_fini(&s2);
		mem_dirtylog_destroy(l1);
		mem_dirtylog_destroy(l2);
	}
}

Test(mem_bitmap, a_range_past_the_end_panics, .signal = SIGABRT,
     .init = cr_redirect_stderr)
{
	mem_bitmap a;
	mem_bitmap_init(&a, 64);
	mem_bitmap_count_range(&a, 10, 65);
}

/* ------------------------------------------------------------------------
 * Dirty log
 * ------------------------------------------------------------------------ */

Test(mem_dirtylog, first_write_after_start_faults_and_later_writes_do_not)
{
	mem_dirtylog *log = mem_dirtylog_create(100);
	mem_dirtylog_start(log);
	cr_assert(mem_dirtylog_is_enabled(log));
	cr_assert(mem_dirtylog_mark(log, 7), "the first write faults");
	cr_assert(not(mem_dirtylog_mark(log, 7)), "the page is writable now");
	cr_assert(not(mem_dirtylog_mark(log, 7)));
	cr_assert(mem_dirtylog_mark(log, 8));
	cr_assert(eq(u64, mem_dirtylog_count(log), 2));
	cr_assert(eq(u64, mem_dirtylog_faults(log), 2));
	mem_dirtylog_destroy(log);
}

Test(mem_dirtylog, a_page_faults_again_after_each_clean)
{
	mem_dirtylog *log = mem_dirtylog_create(100);
	mem_dirtylog_start(log);
	for (int round = 0; round < 3; round++) {
		cr_assert(mem_dirtylog_mark(log, 42), "round %d", round);
		cr_assert(not(mem_dirtylog_mark(log, 42)));
		cr_assert(eq(u64, mem_dirtylog_clean(log, NULL, NULL), 1));
		cr_assert(not(mem_dirtylog_peek(log, 42)));
	}
	cr_assert(eq(u64, mem_dirtylog_faults(log), 3),
		  "faults add up over cleans");
	cr_assert(eq(u64, mem_dirtylog_count(log), 0));
	mem_dirtylog_destroy(log);
}

Test(mem_dirtylog, writes_while_disabled_are_neither_logged_nor_faulted)
{
	mem_dirtylog *log = mem_dirtylog_create(100);
	cr_assert(not(mem_dirtylog_is_enabled(log)), "a new log is disabled");
	cr_assert(not(mem_dirtylog_mark(log, 1)));
	cr_assert(not(mem_dirtylog_peek(log, 1)));
	mem_dirtylog_start(log);
	cr_assert(mem_dirtylog_mark(log, 2));
	mem_dirtylog_stop(log);
	cr_assert(not(mem_dirtylog_mark(log, 3)));
	cr_assert(not(mem_dirtylog_peek(log, 3)));
	cr_assert(mem_dirtylog_peek(log, 2), "stop keeps the bits");
	cr_assert(eq(u64, mem_dirtylog_count(log), 1));
	cr_assert(eq(u64, mem_dirtylog_clean(log, NULL, NULL), 1),
		  "the final bitmap is still read after stop");
	mem_dirtylog_destroy(log);
}

Test(mem_dirtylog, start_clears_a_dirty_log)
{
	mem_dirtylog *log = mem_dirtylog_create(100);
	mem_dirtylog_start(log);
	mem_dirtylog_mark(log, 1);
	mem_dirtylog_mark(log, 99);
	mem_dirtylog_start(log);
	cr_assert(eq(u64, mem_dirtylog_count(log), 0));
	cr_assert(eq(u64, mem_dirtylog_faults(log), 0));
	cr_assert(not(mem_dirtylog_peek(log, 99)));
	cr_assert(mem_dirtylog_mark(log, 99));
	mem_dirtylog_destroy(log);
}

Test(mem_dirtylog, peek_reports_dirty_pages_without_cleaning)
{
	mem_dirtylog *log = mem_dirtylog_create(200);
	mem_dirtylog_start(log);
	mem_dirtylog_mark(log, 150);
	for (int i = 0; i < 3; i++) {
		cr_assert(mem_dirtylog_peek(log, 150));
		cr_assert(not(mem_dirtylog_peek(log, 151)));
	}
	cr_assert(eq(u64, mem_dirtylog_count(log), 1));
	cr_assert(mem_bitmap_is_set(mem_dirtylog_bits(log), 150));
	mem_dirtylog_destroy(log);
}

typedef struct collected {
	uint64_t pages[64];
	size_t n;
} collected;

static void collect(void *ctx, uint64_t page)
{
	collected *c = ctx;
	cr_assert(lt(sz, c->n, 64));
	c->pages[c->n++] = page;
}

Test(mem_dirtylog, clean_hands_out_dirty_pages_in_ascending_order_and_clears)
{
	/* 130 pages: the last word holds pages 128 and 129 only. */
	mem_dirtylog *log = mem_dirtylog_create(130);
	mem_dirtylog_start(log);
	const uint64_t written[] = {129, 65, 0, 64, 63, 128, 1, 64, 129};
	for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
		mem_dirtylog_mark(log, written[i]);
	cr_assert(eq(u64, mem_dirtylog_count(log), 7));
	collected c = {.n = 0};
	cr_assert(eq(u64, mem_dirtylog_clean(log, collect, &c), 7));
	const uint64_t want[] = {0, 1, 63, 64, 65, 128, 129};
	cr_assert(eq(sz, c.n, 7));
	for (size_t i = 0; i < 7; i++)
		cr_assert(eq(u64, c.pages[i], want[i]), "page %zu", i);
	cr_assert(eq(u64, mem_dirtylog_count(log), 0));
	cr_assert(eq(u64, mem_bitmap_count(mem_dirtylog_bits(log)), 0));
	c.n = 0;
	cr_assert(eq(u64, mem_dirtylog_clean(log, collect, &c), 0));
	cr_assert(eq(sz, c.n, 0));
	mem_dirtylog_destroy(log);
}

Test(mem_dirtylog, pages_63_64_65_at_a_word_boundary_are_distinct_bits)
{
	mem_dirtylog *log = mem_dirtylog_create(192);
	mem_dirtylog_start(log);
	cr_assert(mem_dirtylog_mark(log, 64));
	cr_assert(not(mem_dirtylog_peek(log, 63)));
	cr_assert(not(mem_dirtylog_peek(log, 65)));
	cr_assert(mem_dirtylog_mark(log, 63));
	cr_assert(mem_dirtylog_mark(log, 65));
	cr_assert(not(mem_dirtylog_mark(log, 64)));
	cr_assert(eq(u64, mem_bitmap_next(mem_dirtylog_bits(log), 0), 63));
	cr_assert(eq(u64, mem_bitmap_next(mem_dirtylog_bits(log), 66), 192));
	cr_assert(eq(u64, mem_dirtylog_count(log), 3));
	mem_dirtylog_destroy(log);
}

Test(mem_dirtylog, the_last_page_of_a_size_not_a_multiple_of_64_is_logged)
{
	mem_dirtylog *log = mem_dirtylog_create(1000);
	mem_dirtylog_start(log);
	cr_assert(mem_dirtylog_mark(log, 999));
	cr_assert(mem_dirtylog_peek(log, 999));
	cr_assert(not(mem_dirtylog_peek(log, 998)));
	mem_bitmap out;
	mem_bitmap_init(&out, 1000);
	cr_assert(eq(u64, mem_dirtylog_clean_into(log, &out), 1));
	cr_assert(eq(u64, mem_bitmap_next(&out, 0), 999));
	cr_assert(eq(u64, mem_bitmap_count(&out), 1));
	mem_bitmap_fini(&out);
	mem_dirtylog_destroy(log);
}

Test(mem_dirtylog, clean_into_overwrites_the_callers_bitmap_and_clears_the_log)
{
	mem_dirtylog *log = mem_dirtylog_create(300);
	mem_dirtylog_start(log);
	mem_dirtylog_mark(log, 10);
	mem_dirtylog_mark(log, 200);
	mem_bitmap out;
	mem_bitmap_init(&out, 300);
	mem_bitmap_set(&out, 11);
	cr_assert(eq(u64, mem_dirtylog_clean_into(log, &out), 2));
	cr_assert(eq(u64, mem_bitmap_count(&out), 2));
	cr_assert(mem_bitmap_is_set(&out, 10));
	cr_assert(mem_bitmap_is_set(&out, 200));
	cr_assert(not(mem_bitmap_is_set(&out, 11)));
	cr_assert(eq(u64, mem_dirtylog_count(log), 0));
	cr_assert(not(mem_dirtylog_peek(log, 10)));
	cr_assert(mem_dirtylog_mark(log, 10), "cleaned pages fault again");
	mem_bitmap_fini(&out);
	mem_dirtylog_destroy(log);
}

Test(mem_dirtylog, marking_pages_in_one_call_is_marking_them_one_by_one)
{
	/* 3000 writes over 700 pages, many repeated, in calls of 1 to 300. */
	uint64_t page[3000];
	for (size_t i = 0; i < 3000; i++)
		page[i] = sim_splitmix64(i) % 700;
	mem_dirtylog *one = mem_dirtylog_create(700);
	mem_dirtylog *many = mem_dirtylog_create(700);
	for (int round = 0; round < 2; round++) {
		mem_dirtylog_start(one);
		mem_dirtylog_start(many);
		for (size_t i = 0, n; i < 3000; i += n) {
			n = 1 + sim_splitmix64(i + 5) % 300;
			if (n > 3000 - i)
				n = 3000 - i;
			uint64_t faults = 0;
			for (size_t k = 0; k < n; k++)
				faults += mem_dirtylog_mark(one, page[i + k]);
			cr_assert(eq(u64,
				     mem_dirtylog_mark_pages(many, page + i, n),
				     faults));
			cr_assert(eq(u64, mem_dirtylog_count(one),
				     mem_dirtylog_count(many)));
		}
		cr_assert(eq(u64, mem_dirtylog_faults(one),
			     mem_dirtylog_faults(many)));
		const mem_bitmap *a = mem_dirtylog_bits(one);
		const mem_bitmap *b = mem_dirtylog_bits(many);
		cr_assert(eq(int,
			     memcmp(a->words, b->words,
				    mem_bitmap_words(700) * sizeof *a->words),
			     0));
		cr_assert(eq(u64, mem_bitmap_count(a), mem_dirtylog_count(one)));
	}
	/* Disabled: nothing recorded, no fault. */
	mem_dirtylog_stop(many);
	uint64_t before = mem_dirtylog_count(many);
	uint64_t more[3] = {699, 0, 350};
	mem_dirtylog_clean(many, NULL, NULL);
	cr_assert(gt(u64, before, 0));
	cr_assert(eq(u64, mem_dirtylog_mark_pages(many, more, 3), 0));
	cr_assert(eq(u64, mem_dirtylog_count(many), 0));
	cr_assert(not(mem_dirtylog_peek(many, 699)));
	mem_dirtylog_destroy(one);
	mem_dirtylog_destroy(many);
}

Test(mem_dirtylog, a_batch_with_a_page_past_the_end_is_a_broken_invariant,
     .signal = SIGABRT, .init = cr_redirect_stderr)
{
	mem_dirtylog *log = mem_dirtylog_create(100);
	mem_dirtylog_start(log);
	uint64_t page[3] = {1, 2, 100};
	mem_dirtylog_mark_pages(log, page, 3);
}

Test(mem_dirtylog, a_write_past_the_last_page_is_a_broken_invariant,
     .signal = SIGABRT, .init = cr_redirect_stderr)
{
	mem_dirtylog *log = mem_dirtylog_create(100);
	mem_dirtylog_start(log);
	mem_dirtylog_mark(log, 100);
}

/* ------------------------------------------------------------------------
 * Hot set + cold writes
 * ------------------------------------------------------------------------ */

static bool close_to(double got, double want, double tol)
{
	return fabs(got - want) <= tol;
}

Test(mem_hotcold, dirtied_pages_follow_the_closed_form)
{
	/* Each hot page takes 1 write/s and each cold page 0.01: after 1 s,
	 * 1000(1 − e^{−1}) hot and 9000(1 − e^{−0.01}) cold pages. */
	mem_hotcold m = {.pages = 10000, .hot_pages = 1000,
			 .hot_writes_per_s = 1000, .cold_writes_per_s = 90};
	mem_pageset d = mem_hotcold_dirtied(&m, SIM_S(1));
	cr_assert(close_to(d.hot_pages, 632.120558828557678, 1e-9),
		  "%.15g", d.hot_pages);
	cr_assert(close_to(d.cold_pages, 89.551496257487530, 1e-9),
		  "%.15g", d.cold_pages);
	cr_assert(close_to(mem_hotcold_dirtied_pages(&m, SIM_S(1)),
			   632.120558828557678 + 89.551496257487530, 1e-9));
}

Test(mem_hotcold, dirtied_pages_start_at_zero_and_saturate_at_the_memory)
{
	mem_hotcold m = {.pages = 4096, .hot_pages = 64,
			 .hot_writes_per_s = 1e4, .cold_writes_per_s = 50};
	cr_assert(eq(dbl, mem_hotcold_dirtied_pages(&m, 0), 0.0));
	cr_assert(close_to(mem_hotcold_dirtied_pages(&m, SIM_S(100000)), 4096,
			   1e-6));
	/* A model with no hot set, and one that is all hot set. */
	mem_hotcold cold_only = {.pages = 100, .hot_pages = 0,
				 .hot_writes_per_s = 5,
				 .cold_writes_per_s = 100};
	mem_pageset d = mem_hotcold_dirtied(&cold_only, SIM_S(1));
	cr_assert(eq(dbl, d.hot_pages, 0.0));
	cr_assert(close_to(d.cold_pages, 100 * (1 - exp(-1.0)), 1e-9));
	mem_hotcold hot_only = {.pages = 100, .hot_pages = 100,
				.hot_writes_per_s = 100,
				.cold_writes_per_s = 7};
	d = mem_hotcold_dirtied(&hot_only, SIM_S(1));
	cr_assert(eq(dbl, d.cold_pages, 0.0));
	cr_assert(close_to(d.hot_pages, 100 * (1 - exp(-1.0)), 1e-9));
}

Test(mem_hotcold, a_round_without_writes_sends_everything_and_skips_nothing)
{
	mem_hotcold m = {.pages = 1000, .hot_pages = 100};
	mem_round_est e = mem_hotcold_round(
		&m, (mem_pageset){.hot_pages = 100, .cold_pages = 900},
		SIM_S(3));
	cr_assert(eq(dbl, e.sent.hot_pages, 100.0));
	cr_assert(eq(dbl, e.sent.cold_pages, 900.0));
	cr_assert(eq(dbl, e.skipped.hot_pages + e.skipped.cold_pages, 0.0));
	cr_assert(eq(dbl, e.wasted.hot_pages + e.wasted.cold_pages, 0.0));
	cr_assert(eq(dbl, e.dirtied.hot_pages + e.dirtied.cold_pages, 0.0));
}

Test(mem_hotcold, a_round_follows_the_uniform_position_formulas)
{
	/* λT = 2 for hot pages: skip 1 − (1 − e^{−2})/2, waste
	 * (1 − e^{−2})/2 − e^{−2} of each. */
	mem_hotcold m = {.pages = 1000, .hot_pages = 100,
			 .hot_writes_per_s = 400, .cold_writes_per_s = 0};
	mem_round_est e = mem_hotcold_round(
		&m, (mem_pageset){.hot_pages = 50, .cold_pages = 10},
		SIM_MS(500));
	double phi2 = (1 - exp(-2.0)) / 2;
	cr_assert(close_to(e.skipped.hot_pages, 50 * (1 - phi2), 1e-12));
	cr_assert(close_to(e.sent.hot_pages, 50 * phi2, 1e-12));
	cr_assert(close_to(e.wasted.hot_pages, 50 * (phi2 - exp(-2.0)), 1e-12));
	cr_assert(eq(dbl, e.skipped.cold_pages, 0.0));
	cr_assert(eq(dbl, e.sent.cold_pages, 10.0));
	cr_assert(close_to(e.dirtied.hot_pages, 100 * (1 - exp(-2.0)), 1e-12));
}

Test(mem_hotcold, a_to_send_set_larger_than_its_class_panics,
     .signal = SIGABRT, .init = cr_redirect_stderr)
{
	mem_hotcold m = {.pages = 1000, .hot_pages = 100};
	mem_hotcold_round(&m, (mem_pageset){.hot_pages = 101}, SIM_S(1));
}

/* Poisson write stream of the model, page by page, from one GSL stream. */
typedef struct writer {
	const mem_hotcold *m;
	gsl_rng *rng;
	double next_s;  /* time of the next write */
} writer;

static void writer_init(writer *w, const mem_hotcold *m, gsl_rng *rng)
{
	w->m = m;
	w->rng = rng;
	w->next_s = gsl_ran_exponential(
		rng, 1 / (m->hot_writes_per_s + m->cold_writes_per_s));
}

/* Performs every write before `until_s` on the log. */
static void writer_run(writer *w, mem_dirtylog *log, double until_s)
{
	const mem_hotcold *m = w->m;
	double total = m->hot_writes_per_s + m->cold_writes_per_s;
	uint64_t cold = m->pages - m->hot_pages;
	while (w->next_s < until_s) {
		uint64_t page;
		if (gsl_rng_uniform(w->rng) * total < m->hot_writes_per_s)
			page = gsl_rng_uniform_int(w->rng, m->hot_pages);
		else
			page = m->hot_pages + gsl_rng_uniform_int(w->rng, cold);
		mem_dirtylog_mark(log, page);
		w->next_s += gsl_ran_exponential(w->rng, 1 / total);
	}
}

typedef struct hot_cold_count {
	uint64_t hot_pages, cold_pages;
	uint64_t split;
} hot_cold_count;

static void count_class(void *ctx, uint64_t page)
{
	hot_cold_count *c = ctx;
	if (page < c->split)
		c->hot_pages++;
	else
		c->cold_pages++;
}

/* Mean and variance accumulated over replications. */
typedef struct moments {
	double sum, sum2;
	unsigned n;
} moments;

static void moments_add(moments *m, double x)
{
	m->sum += x;
	m->sum2 += x * x;
	m->n++;
}

static double moments_mean(const moments *m)
{
	return m->sum / m->n;
}

static double moments_var(const moments *m)
{
	double mean = moments_mean(m);
	return (m->sum2 - m->n * mean * mean) / (m->n - 1);
}

/* The deterministic tests accept a mean within Z standard errors: with a
 * fixed seed a pass is reproducible, and 4.5 standard errors would be
 * exceeded by chance less than once in 10^5 seeds. */
#define Z 4.5

Test(mem_hotcold, distinct_dirtied_pages_match_a_monte_carlo_of_the_page_exact_log)
{
	const mem_hotcold m = {.pages = 2048, .hot_pages = 128,
			       .hot_writes_per_s = 400,
			       .cold_writes_per_s = 100};
	const uint64_t window_ns = SIM_MS(500);
	const unsigned reps = 4000;
	gsl_rng *rng = sim_rng_stream(42, "test.mem.dirtied");
	mem_dirtylog *log = mem_dirtylog_create(m.pages);
	moments hot = {0}, cold = {0};
	for (unsigned r = 0; r < reps; r++) {
		writer w;
		writer_init(&w, &m, rng);
		mem_dirtylog_start(log);
		writer_run(&w, log, (double)window_ns / 1e9);
		hot_cold_count c = {.split = m.hot_pages};
		mem_dirtylog_clean(log, count_class, &c);
		moments_add(&hot, (double)c.hot_pages);
		moments_add(&cold, (double)c.cold_pages);
	}
	mem_dirtylog_destroy(log);
	gsl_rng_free(rng);

	/* Pages are independent Bernoulli(p) under the model, so the count
	 * of a class of n pages has variance n·p(1 − p). */
	mem_pageset want = mem_hotcold_dirtied(&m, window_ns);
	double ph = want.hot_pages / (double)m.hot_pages;
	double pc = want.cold_pages / (double)(m.pages - m.hot_pages);
	double var_h = (double)m.hot_pages * ph * (1 - ph);
	double var_c = (double)(m.pages - m.hot_pages) * pc * (1 - pc);
	cr_assert(close_to(moments_mean(&hot), want.hot_pages,
			   Z * sqrt(var_h / reps)),
		  "hot: Monte Carlo %g, formula %g", moments_mean(&hot),
		  want.hot_pages);
	cr_assert(close_to(moments_mean(&cold), want.cold_pages,
			   Z * sqrt(var_c / reps)),
		  "cold: Monte Carlo %g, formula %g", moments_mean(&cold),
		  want.cold_pages);
	/* The sample variance estimates n·p(1 − p) with a relative standard
	 * error of about sqrt(2/reps) = 2.2 %: within 12 % says the pages
	 * really are independent, as the formula assumes. */
	cr_assert(close_to(moments_var(&hot), var_h, 0.12 * var_h),
		  "hot variance %g, n·p(1 − p) %g", moments_var(&hot), var_h);
	cr_assert(close_to(moments_var(&cold), var_c, 0.12 * var_c),
		  "cold variance %g, n·p(1 − p) %g", moments_var(&cold), var_c);
}

typedef struct round_mc {
	moments skipped_hot, skipped_cold, wasted_hot, wasted_cold, dirtied;
} round_mc;

/* Runs `reps` pre-copy rounds on the page-exact log as mem.h describes
 * them: the log is cleaned at the round's start; the to-send set (the
 * first send_hot hot pages and the first send_cold cold pages; within a
 * class pages are exchangeable) is shuffled, so that the order is
 * independent of hotness, and page j of S is examined at (j − ½)·T/S: if it
 * peeks dirty it is skipped, else it is sent. */
static round_mc run_rounds(const mem_hotcold *m, uint64_t send_hot,
			   uint64_t send_cold, uint64_t round_ns,
			   unsigned reps, const char *stream)
{
	round_mc out;
	memset(&out, 0, sizeof out);
	gsl_rng *rng = sim_rng_stream(7, stream);
	mem_dirtylog *log = mem_dirtylog_create(m->pages);
	mem_bitmap sent, dirty;
	mem_bitmap_init(&sent, m->pages);
	mem_bitmap_init(&dirty, m->pages);
	size_t s = (size_t)(send_hot + send_cold);
	uint64_t *order = calloc(s, sizeof *order);
	double t_s = (double)round_ns / 1e9;
	for (unsigned r = 0; r < reps; r++) {
		for (size_t j = 0; j < s; j++)
			order[j] = j < send_hot ? j
						: m->hot_pages + (j - send_hot);
		gsl_ran_shuffle(rng, order, s, sizeof *order);
		writer w;
		writer_init(&w, m, rng);
		mem_dirtylog_start(log);
		mem_bitmap_zero(&sent);
		double skipped_hot = 0, skipped_cold = 0;
		for (size_t j = 0; j < s; j++) {
			writer_run(&w, log, ((double)j + 0.5) * t_s / (double)s);
			bool hot = order[j] < m->hot_pages;
			if (mem_dirtylog_peek(log, order[j]))
				*(hot ? &skipped_hot : &skipped_cold) += 1;
			else
				mem_bitmap_set(&sent, order[j]);
		}
		writer_run(&w, log, t_s);
		uint64_t dirtied = mem_dirtylog_clean_into(log, &dirty);
		/* A page sent clean and dirty at the end was written after
		 * it was sent. */
		double wasted_hot = 0, wasted_cold = 0;
		for (uint64_t p = mem_bitmap_next(&sent, 0); p < sent.pages;
		     p = mem_bitmap_next(&sent, p + 1))
			if (mem_bitmap_is_set(&dirty, p))
				*(p < m->hot_pages ? &wasted_hot
						   : &wasted_cold) += 1;
		cr_assert(eq(u64, mem_bitmap_count_and(&sent, &dirty),
			     (uint64_t)(wasted_hot + wasted_cold)));
		moments_add(&out.skipped_hot, skipped_hot);
		moments_add(&out.skipped_cold, skipped_cold);
		moments_add(&out.wasted_hot, wasted_hot);
		moments_add(&out.wasted_cold, wasted_cold);
		moments_add(&out.dirtied, (double)dirtied);
	}
	free(order);
	mem_bitmap_fini(&sent);
	mem_bitmap_fini(&dirty);
	mem_dirtylog_destroy(log);
	gsl_rng_free(rng);
	return out;
}

/* The formula's value lies within Z standard errors of the Monte Carlo
 * mean, the standard error taken from the sample variance. */
static void expect_within(const moments *mc, double want, const char *what)
{
	double tol = Z * sqrt(moments_var(mc) / mc->n);
	cr_expect(close_to(moments_mean(mc), want, tol),
		  "%s: Monte Carlo %g ± %g, formula %g", what,
		  moments_mean(mc), tol, want);
}

static void check_round(const mem_hotcold *m, uint64_t send_hot,
			uint64_t send_cold, uint64_t round_ns, unsigned reps,
			const char *stream)
{
	round_mc mc = run_rounds(m, send_hot, send_cold, round_ns, reps,
				 stream);
	mem_round_est e = mem_hotcold_round(
		m,
		(mem_pageset){.hot_pages = (double)send_hot,
			      .cold_pages = (double)send_cold},
		round_ns);
	expect_within(&mc.skipped_hot, e.skipped.hot_pages, "skipped hot");
	expect_within(&mc.skipped_cold, e.skipped.cold_pages, "skipped cold");
	expect_within(&mc.wasted_hot, e.wasted.hot_pages, "wasted hot");
	expect_within(&mc.wasted_cold, e.wasted.cold_pages, "wasted cold");
	expect_within(&mc.dirtied, e.dirtied.hot_pages + e.dirtied.cold_pages,
		      "dirtied");
}

Test(mem_hotcold, a_first_round_of_all_pages_matches_a_monte_carlo_of_xen_skip)
{
	/* Round 1 sends all M pages, hot ones spread uniformly in the
	 * order; λ_h·T = 1.5625 makes skips of hot pages common. */
	const mem_hotcold m = {.pages = 2048, .hot_pages = 128,
			       .hot_writes_per_s = 400,
			       .cold_writes_per_s = 100};
	check_round(&m, 128, 1920, SIM_MS(500), 1500, "test.mem.round1");
}

Test(mem_hotcold, a_later_round_of_a_hot_heavy_set_matches_a_monte_carlo_of_xen_skip)
{
	/* A later round sends what the previous one dirtied: mostly hot. */
	const mem_hotcold m = {.pages = 4096, .hot_pages = 256,
			       .hot_writes_per_s = 2000,
			       .cold_writes_per_s = 300};
	check_round(&m, 200, 60, SIM_MS(100), 3000, "test.mem.round2");
}

Test(mem_hotcold, the_parameter_table_is_valid_and_sizes_become_pages)
{
	for (const cfg_section *const *s = mem_sections(); *s; s++)
		cfg_section_check(*s);
	const char text[] = "dirtying: {hot_set: 1MiB, hot_rate: 5000, "
			    "cold_rate: 12.5}\n";
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	cr_assert(eq(int, cfg_doc_parse("c.yaml", text, sizeof text - 1, &doc,
					&d),
		     0));
	mem_dirtying_cfg c;
	const cfg_node *root = cfg_doc_root(doc);
	cr_assert(eq(int, cfg_section_load(mem_sections()[0],
					   cfg_map_get(root, "dirtying"), root,
					   &c, &d),
		     0),
		  "%s", d.text ? d.text : "");
	cr_assert(eq(u64, c.page_size_bytes, 4096));
	mem_hotcold m;
	mem_hotcold_init(&m, (UINT64_C(512) << 20) + 1, &c);
	cr_assert(eq(u64, m.pages, CLARK_PAGES + 1));
	cr_assert(eq(u64, m.hot_pages, 256));
	cr_assert(eq(dbl, m.hot_writes_per_s, 5000.0));
	cr_assert(eq(dbl, m.cold_writes_per_s, 12.5));
	mem_hotcold_init(&m, 8192, &c);
	cr_assert(eq(u64, m.hot_pages, 2), "the hot set is capped at memory");
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

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
