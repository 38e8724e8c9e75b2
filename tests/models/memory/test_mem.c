/* SPDX-License-Identifier: MIT */
/*
 * Tests of models/memory/: page counts, bitmaps (single bits and ranges,
 * against a bit-by-bit walk) and the log-dirty semantics (faults, cleans,
 * word boundaries, broken invariants). The hot set + cold writes model is
 * tested in test_mem_hotcold.c, the writable-working-set analysis and
 * dirtying rates in test_mem_wws.c.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/redirect.h>

#include <signal.h>
#include <string.h>

#include "mem.h"

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

/* Xen legacy's scan order ([XenLegacy], permute()) is a permutation of
 * the pages for any count (powers of two and not, below the 10-bit
 * rotation and above), and for a 512 MiB guest (2^17 pages) it takes one
 * page of every 4 MiB (1024 pages) in turn: n -> (n % 128)·1024 + n / 128. */
Test(mem_scan, xen_order_is_a_permutation_one_page_of_every_4_MiB_in_turn)
{
	const uint64_t counts[] = {1, 2, 3, 5, 1000, 1023, 1024, 1025, 4096,
				   131072, 131073, 300000};
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		uint64_t n = counts[c];
		mem_bitmap seen;
		mem_bitmap_init(&seen, n);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t p = mem_xen_scan_page(i, n);
			cr_assert(lt(u64, p, n), "%lu pages: %lu -> %lu",
				  (unsigned long)n, (unsigned long)i,
				  (unsigned long)p);
			cr_assert(not(mem_bitmap_is_set(&seen, p)),
				  "%lu pages: %lu twice", (unsigned long)n,
				  (unsigned long)p);
			mem_bitmap_set(&seen, p);
		}
		cr_assert(eq(u64, mem_bitmap_count(&seen), n));
		mem_bitmap_fini(&seen);
	}
	const uint64_t m = 131072;
	for (uint64_t i = 0; i < m; i += 997)
		cr_assert(eq(u64, mem_xen_scan_page(i, m),
			     (i % 128) * 1024 + i / 128));
	/* Below 2^10 pages the rotation is by 10 mod k bits: 1000 pages,
	 * k = 10, is the identity, as Xen's shift by 0 is. */
	for (uint64_t i = 0; i < 1000; i += 37)
		cr_assert(eq(u64, mem_xen_scan_page(i, 1000), i));
}
