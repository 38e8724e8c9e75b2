/* SPDX-License-Identifier: MIT */
/*
 * Page bitmaps and the dirty log of shadow paging's log-dirty mode: the
 * page-exact fidelity of memory dirtying. The log models what the VMM
 * records and what the guest pays (one write fault per page per round), not
 * the shadow page tables themselves.
 */
#include "mem.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

uint64_t mem_pages_of_bytes(uint64_t bytes, uint64_t page_size)
{
	if (page_size == 0)
		sim_panic("mem_pages_of_bytes: page size 0");
	return bytes / page_size + (bytes % page_size != 0);
}

/* ------------------------------------------------------------------------
 * Bitmaps
 * ------------------------------------------------------------------------ */

size_t mem_bitmap_words(uint64_t pages)
{
	uint64_t words = pages / 64 + (pages % 64 != 0);
	if (words > SIZE_MAX / sizeof(uint64_t))
		sim_panic("mem_bitmap: %llu pages do not fit in memory",
			  (unsigned long long)pages);
	return (size_t)words;
}

/* The bits of the last word that lie below `pages`; all ones when pages is
 * a multiple of 64. fill and every operation that could set a bit past the
 * end go through it, so counts and iteration can trust the words. */
static uint64_t last_word_mask(uint64_t pages)
{
	unsigned tail = (unsigned)(pages % 64);
	return tail ? (UINT64_C(1) << tail) - 1 : ~UINT64_C(0);
}

/* Set bits of a word. __builtin_popcountll becomes a call into libgcc
 * on a baseline x86-64 build (no POPCNT), which the counting loops below
 * would pay per word; this is the branch-free SWAR count instead (Warren,
 * Hacker's Delight, 2nd ed., §5-1). */
static unsigned popcount64(uint64_t x)
{
	x -= (x >> 1) & UINT64_C(0x5555555555555555);
	x = (x & UINT64_C(0x3333333333333333)) +
	    ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
}

/* Words of a bitmap already initialised: mem_bitmap_init checked that
 * they fit, so the hot paths need not call mem_bitmap_words again. */
static size_t nwords(const mem_bitmap *b)
{
	return (size_t)(b->pages / 64 + (b->pages % 64 != 0));
}

/* The bits of word i that lie in [from, to), from < to. */
static uint64_t range_mask(size_t i, uint64_t from, uint64_t to)
{
	uint64_t lo = (uint64_t)i * 64, m = ~UINT64_C(0);
	if (from > lo)
		m &= ~UINT64_C(0) << (from - lo);
	if (to < lo + 64)
		m &= (UINT64_C(1) << (to - lo)) - 1;
	return m;
}

void mem_bitmap_init(mem_bitmap *b, uint64_t pages)
{
	b->pages = pages;
	b->words = sim_xcalloc(mem_bitmap_words(pages), sizeof(uint64_t));
}

void mem_bitmap_fini(mem_bitmap *b)
{
	free(b->words);
	b->words = NULL;
	b->pages = 0;
}

static void check_page(const mem_bitmap *b, uint64_t page, const char *who)
{
	if (page >= b->pages)
		sim_panic("%s: page %llu out of range (%llu pages)", who,
			  (unsigned long long)page,
			  (unsigned long long)b->pages);
}

void mem_bitmap_set(mem_bitmap *b, uint64_t page)
{
	check_page(b, page, "mem_bitmap_set");
	b->words[page / 64] |= UINT64_C(1) << (page % 64);
}

void mem_bitmap_clear(mem_bitmap *b, uint64_t page)
{
	check_page(b, page, "mem_bitmap_clear");
	b->words[page / 64] &= ~(UINT64_C(1) << (page % 64));
}

bool mem_bitmap_is_set(const mem_bitmap *b, uint64_t page)
{
	check_page(b, page, "mem_bitmap_is_set");
	return (b->words[page / 64] >> (page % 64)) & 1;
}

void mem_bitmap_zero(mem_bitmap *b)
{
	memset(b->words, 0, mem_bitmap_words(b->pages) * sizeof(uint64_t));
}

void mem_bitmap_fill(mem_bitmap *b)
{
	size_t n = mem_bitmap_words(b->pages);
	if (n == 0)
		return;
	memset(b->words, 0xff, n * sizeof(uint64_t));
	b->words[n - 1] = last_word_mask(b->pages);
}

static void check_sizes(const mem_bitmap *a, const mem_bitmap *b,
			const char *who)
{
	if (a->pages != b->pages)
		sim_panic("%s: bitmaps of %llu and %llu pages", who,
			  (unsigned long long)a->pages,
			  (unsigned long long)b->pages);
}

void mem_bitmap_copy(mem_bitmap *dst, const mem_bitmap *src)
{
	check_sizes(dst, src, "mem_bitmap_copy");
	if (dst != src)
		memcpy(dst->words, src->words,
		       mem_bitmap_words(src->pages) * sizeof(uint64_t));
}

/* The binary operations cannot set a bit past the end when neither operand
 * has one, so they need no masking. */
void mem_bitmap_or(mem_bitmap *dst, const mem_bitmap *src)
{
	check_sizes(dst, src, "mem_bitmap_or");
	size_t n = mem_bitmap_words(dst->pages);
	for (size_t i = 0; i < n; i++)
		dst->words[i] |= src->words[i];
}

void mem_bitmap_and(mem_bitmap *dst, const mem_bitmap *src)
{
	check_sizes(dst, src, "mem_bitmap_and");
	size_t n = mem_bitmap_words(dst->pages);
	for (size_t i = 0; i < n; i++)
		dst->words[i] &= src->words[i];
}

void mem_bitmap_and_not(mem_bitmap *dst, const mem_bitmap *src)
{
	check_sizes(dst, src, "mem_bitmap_and_not");
	size_t n = mem_bitmap_words(dst->pages);
	for (size_t i = 0; i < n; i++)
		dst->words[i] &= ~src->words[i];
}

uint64_t mem_bitmap_count(const mem_bitmap *b)
{
	size_t n = nwords(b);
	uint64_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += popcount64(b->words[i]);
	return count;
}

uint64_t mem_bitmap_count_and(const mem_bitmap *a, const mem_bitmap *b)
{
	check_sizes(a, b, "mem_bitmap_count_and");
	size_t n = nwords(a);
	uint64_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += popcount64(a->words[i] & b->words[i]);
	return count;
}

uint64_t mem_bitmap_next(const mem_bitmap *b, uint64_t from)
{
	if (from >= b->pages)
		return b->pages;
	size_t n = nwords(b);
	size_t i = (size_t)(from / 64);
	/* The first word is masked below `from`; the rest are taken whole. */
	uint64_t w = b->words[i] & (~UINT64_C(0) << (from % 64));
	while (w == 0) {
		if (++i == n)
			return b->pages;
		w = b->words[i];
	}
	return (uint64_t)i * 64 + (uint64_t)__builtin_ctzll(w);
}

uint64_t mem_bitmap_next_nth(const mem_bitmap *b, uint64_t from, uint64_t k)
{
	if (from >= b->pages)
		return b->pages;
	size_t n = nwords(b);
	size_t i = (size_t)(from / 64);
	uint64_t w = b->words[i] & (~UINT64_C(0) << (from % 64));
	/* Whole words are skipped by their counts until the word that holds
	 * the bit; there the k lower set bits are cleared one by one. */
	for (;;) {
		unsigned c = popcount64(w);
		if (k < c)
			break;
		k -= c;
		if (++i == n)
			return b->pages;
		w = b->words[i];
	}
	while (k-- > 0)
		w &= w - 1;
	return (uint64_t)i * 64 + (uint64_t)__builtin_ctzll(w);
}

static void check_range(const mem_bitmap *b, uint64_t from, uint64_t to,
			const char *who)
{
	if (from > to || to > b->pages)
		sim_panic("%s: range [%llu, %llu) outside %llu pages", who,
			  (unsigned long long)from, (unsigned long long)to,
			  (unsigned long long)b->pages);
}

uint64_t mem_bitmap_count_range(const mem_bitmap *b, uint64_t from,
				uint64_t to)
{
	check_range(b, from, to, "mem_bitmap_count_range");
	if (from == to)
		return 0;
	uint64_t count = 0;
	size_t last = (size_t)((to - 1) / 64);
	for (size_t i = (size_t)(from / 64); i <= last; i++)
		count += popcount64(b->words[i] & range_mask(i, from, to));
	return count;
}

uint64_t mem_bitmap_and_not_range(mem_bitmap *dst, const mem_bitmap *src,
				  uint64_t from, uint64_t to)
{
	check_sizes(dst, src, "mem_bitmap_and_not_range");
	check_range(dst, from, to, "mem_bitmap_and_not_range");
	if (from == to)
		return 0;
	uint64_t cleared = 0;
	size_t last = (size_t)((to - 1) / 64);
	for (size_t i = (size_t)(from / 64); i <= last; i++) {
		uint64_t drop = dst->words[i] & src->words[i] &
				range_mask(i, from, to);
		dst->words[i] &= ~drop;
		cleared += popcount64(drop);
	}
	return cleared;
}

uint64_t mem_xen_scan_page(uint64_t n, uint64_t pages)
{
	if (n >= pages)
		sim_panic("mem_xen_scan_page: index %" PRIu64 " of %" PRIu64
			  " pages", n, pages);
	if (pages == 1)
		return 0;
	/* k, the bit length of pages - 1 (>= 1 here). */
	unsigned k = 64u - (unsigned)__builtin_clzll(pages - 1);
	unsigned r = 10 % k;
	uint64_t mask = k == 64 ? UINT64_MAX : (UINT64_C(1) << k) - 1;
	do {
		n = r == 0 ? n : ((n << r) | (n >> (k - r))) & mask;
	} while (n >= pages);
	return n;
}

/* ------------------------------------------------------------------------
 * Dirty log
 * ------------------------------------------------------------------------ */

struct mem_dirtylog {
	mem_bitmap bits;
	uint64_t dirty;   /* set bits, kept so that count is O(1) */
	uint64_t faults;  /* first writes since start */
	bool enabled;
};

mem_dirtylog *mem_dirtylog_create(uint64_t pages)
{
	if (pages == 0)
		sim_panic("mem_dirtylog_create: a log over 0 pages");
	mem_dirtylog *log = sim_xcalloc(1, sizeof *log);
	mem_bitmap_init(&log->bits, pages);
	return log;
}

void mem_dirtylog_destroy(mem_dirtylog *log)
{
	if (!log)
		return;
	mem_bitmap_fini(&log->bits);
	free(log);
}

void mem_dirtylog_start(mem_dirtylog *log)
{
	mem_bitmap_zero(&log->bits);
	log->dirty = 0;
	log->faults = 0;
	log->enabled = true;
}

void mem_dirtylog_stop(mem_dirtylog *log)
{
	log->enabled = false;
}

bool mem_dirtylog_is_enabled(const mem_dirtylog *log)
{
	return log->enabled;
}

uint64_t mem_dirtylog_pages(const mem_dirtylog *log)
{
	return log->bits.pages;
}

bool mem_dirtylog_mark(mem_dirtylog *log, uint64_t page)
{
	check_page(&log->bits, page, "mem_dirtylog_mark");
	if (!log->enabled)
		return false;
	uint64_t *w = &log->bits.words[page / 64];
	uint64_t bit = UINT64_C(1) << (page % 64);
	if (*w & bit)
		return false;
	*w |= bit;
	log->dirty++;
	log->faults++;
	return true;
}

uint64_t mem_dirtylog_mark_pages(mem_dirtylog *log, const uint64_t *page,
				 size_t n)
{
	if (!log->enabled) {
		for (size_t i = 0; i < n; i++)
			check_page(&log->bits, page[i],
				   "mem_dirtylog_mark_pages");
		return 0;
	}
	/* Branch-free, the count kept in a register: whether a page is
	 * already dirty is hard to predict when hot and cold writes mix,
	 * and the counters are written back once per batch. */
	uint64_t *words = log->bits.words, pages = log->bits.pages;
	uint64_t fresh = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t p = page[i];
		if (p >= pages)
			check_page(&log->bits, p, "mem_dirtylog_mark_pages");
		uint64_t *w = &words[p / 64];
		fresh += (~*w >> (p % 64)) & 1;
		*w |= UINT64_C(1) << (p % 64);
	}
	log->dirty += fresh;
	log->faults += fresh;
	return fresh;
}

bool mem_dirtylog_peek(const mem_dirtylog *log, uint64_t page)
{
	check_page(&log->bits, page, "mem_dirtylog_peek");
	return (log->bits.words[page / 64] >> (page % 64)) & 1;
}

uint64_t mem_dirtylog_count(const mem_dirtylog *log)
{
	return log->dirty;
}

uint64_t mem_dirtylog_faults(const mem_dirtylog *log)
{
	return log->faults;
}

const mem_bitmap *mem_dirtylog_bits(const mem_dirtylog *log)
{
	return &log->bits;
}

uint64_t mem_dirtylog_clean(mem_dirtylog *log,
			    void (*fn)(void *ctx, uint64_t page), void *ctx)
{
	uint64_t dirty = log->dirty;
	size_t n = nwords(&log->bits);
	/* Each word is cleared before its pages are handed out, so the log is
	 * clean by the time the last callback returns. */
	for (size_t i = 0; i < n; i++) {
		uint64_t w = log->bits.words[i];
		if (w == 0)
			continue;
		log->bits.words[i] = 0;
		while (fn && w) {
			fn(ctx, (uint64_t)i * 64 + (uint64_t)__builtin_ctzll(w));
			w &= w - 1;
		}
	}
	log->dirty = 0;
	return dirty;
}

uint64_t mem_dirtylog_clean_into(mem_dirtylog *log, mem_bitmap *dst)
{
	mem_bitmap_copy(dst, &log->bits);
	mem_bitmap_zero(&log->bits);
	uint64_t dirty = log->dirty;
	log->dirty = 0;
	return dirty;
}
