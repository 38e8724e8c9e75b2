/* SPDX-License-Identifier: MIT */
/*
 * Clark et al.'s writable-working-set analysis over a page-dirty trace:
 * the downtime a pre-copy of N iterations started at time t would end
 * with, estimated from the trace alone (no skip, no rate adaptation), and
 * the per-sample dirtying rates drawn under it. mem.h gives the method,
 * the boundary rule and what happens at the end of the trace.
 */
#include "mem.h"

#include <math.h>
#include <stdlib.h>

/* 128-bit arithmetic keeps pages·P·8·10^9 exact; __extension__ tells
 * -Wpedantic that we know ISO C lacks the type. */
__extension__ typedef unsigned __int128 u128;

/* Transfer time of `pages` pages of page_size bytes at rate_bps, rounded
 * up to a whole nanosecond (the last bit is not out before then), or
 * SIM_TIME_MAX if it does not fit. Sizes past 2^90 bits saturate too, which
 * keeps the product below 2^128; no guest is that large. */
static uint64_t transfer_ns(uint64_t pages, uint64_t page_size,
			    uint64_t rate_bps)
{
	u128 bytes = (u128)pages * page_size;
	if (bytes >= (u128)1 << 87)
		return SIM_TIME_MAX;
	u128 num = bytes * 8 * 1000000000u;
	u128 ns = (num + rate_bps - 1) / rate_bps;
	return ns > SIM_TIME_MAX ? SIM_TIME_MAX : (uint64_t)ns;
}

/* The same for a share of pages, a real number >= 0: exact (above) when it
 * is whole, else rounded to the nearest nanosecond (an expected count has
 * no last bit to wait for, and rounding up would turn the double's last
 * place into a whole nanosecond). */
static uint64_t share_ns(double pages, uint64_t page_size, uint64_t rate_bps)
{
	if (pages == floor(pages) && pages < 0x1p53)
		return transfer_ns((uint64_t)pages, page_size, rate_bps);
	double ns = round(pages * (double)page_size * 8e9 / (double)rate_bps);
	return ns >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : (uint64_t)ns;
}

static void check_inputs(const trace_pages *t, uint64_t rate_bps,
			 const char *who)
{
	if (rate_bps == 0)
		sim_panic("%s: rate 0 bit/s", who);
	if (t->pages == 0 || t->page_size == 0)
		sim_panic("%s: trace of %llu pages of %llu bytes", who,
			  (unsigned long long)t->pages,
			  (unsigned long long)t->page_size);
}

static uint64_t trace_end_ns(const trace_pages *t)
{
	return t->nsamples ? t->time_ns[t->nsamples - 1] : 0;
}

/* The first sample whose time is after `ns` (nsamples if none): the first
 * sample of a round starting at ns, by the (a, b] rule. */
static size_t first_sample_after(const trace_pages *t, uint64_t ns)
{
	size_t lo = 0, hi = t->nsamples;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->time_ns[mid] <= ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t page_at(const trace_pages *t, size_t k)
{
	uint32_t p = t->page[k];
	if (p >= t->pages)
		sim_panic("mem_wws: page %u in a trace of %llu pages", p,
			  (unsigned long long)t->pages);
	return p;
}

/* Marks the pages of samples [from, to) in `seen`; returns how many were
 * not marked before. */
static uint64_t mark(const trace_pages *t, size_t from, size_t to,
		     mem_bitmap *seen)
{
	uint64_t n = 0;
	for (size_t k = t->first[from]; k < t->first[to]; k++) {
		uint32_t p = page_at(t, k);
		if (!mem_bitmap_is_set(seen, p)) {
			mem_bitmap_set(seen, p);
			n++;
		}
	}
	return n;
}

/* Pages of sample i not marked in `seen`. */
static uint64_t unmarked(const trace_pages *t, size_t i,
			 const mem_bitmap *seen)
{
	uint64_t n = 0;
	for (size_t k = t->first[i]; k < t->first[i + 1]; k++)
		n += !mem_bitmap_is_set(seen, page_at(t, k));
	return n;
}

static void unmark(const trace_pages *t, size_t from, size_t to,
		   mem_bitmap *seen)
{
	for (size_t k = t->first[from]; k < t->first[to]; k++)
		mem_bitmap_clear(seen, t->page[k]);
}

static uint64_t sample_start(const trace_pages *t, size_t i)
{
	return i ? t->time_ns[i - 1] : 0;
}

/* The pages a round (a, b] dirtied, by the share rule of mem.h: the
 * distinct pages of the samples wholly inside it, U, plus, of each sample
 * it overlaps in part, the share overlap/length of its pages not in U;
 * never more than the union of all the samples it overlaps. `seen` is an
 * all-clear bitmap of t->pages bits and is left all clear: a round costs
 * its listed pages, never the guest's size. Sets *upper to that union
 * (the bound), for the tests' sake. */
static double round_share(const trace_pages *t, uint64_t a, uint64_t b,
			  mem_bitmap *seen, uint64_t *upper)
{
	*upper = 0;
	size_t i = first_sample_after(t, a);
	if (i >= t->nsamples || b <= a)
		return 0;
	/* Sample i overlaps (a, b] in part when it starts before a or ends
	 * after b; the samples after it up to the one holding b are whole
	 * but the last, when it ends after b. */
	size_t head = SIZE_MAX, tail = SIZE_MAX;
	size_t w0 = i;
	if (sample_start(t, i) < a || t->time_ns[i] > b) {
		head = i;
		w0 = i + 1;
	}
	size_t w1 = w0;
	while (w1 < t->nsamples && t->time_ns[w1] <= b)
		w1++;
	if (w1 < t->nsamples && sample_start(t, w1) < b && w1 != head)
		tail = w1;
	uint64_t whole = w1 > w0 ? mark(t, w0, w1, seen) : 0;
	double share = (double)whole;
	uint64_t extra[2] = {0, 0};
	size_t part[2] = {head, tail};
	for (int j = 0; j < 2; j++) {
		size_t k = part[j];
		if (k == SIZE_MAX)
			continue;
		uint64_t s0 = sample_start(t, k), s1 = t->time_ns[k];
		uint64_t lo = s0 > a ? s0 : a, hi = s1 < b ? s1 : b;
		double f = (double)(hi - lo) / (double)(s1 - s0);
		extra[j] = unmarked(t, k, seen);
		share += f * (double)extra[j];
	}
	/* The union bound: the head's new pages, then the tail's not in the
	 * head either. */
	uint64_t all = whole;
	if (head != SIZE_MAX)
		all += mark(t, head, head + 1, seen);
	if (tail != SIZE_MAX)
		all += unmarked(t, tail, seen);
	if (head != SIZE_MAX)
		unmark(t, head, head + 1, seen);
	if (w1 > w0)
		unmark(t, w0, w1, seen);
	*upper = all;
	return share < (double)all ? share : (double)all;
}

/* Runs the rounds of one (start, rate) pair for N = 0..max_n. With `pts`
 * of max_n + 1 points every N is stored; with only_last, pts is one point
 * and receives N = max_n alone (how mem_wws_downtime asks for a single N
 * without an array of N points). */
static void wws_pass(const trace_pages *t, mem_bitmap *seen,
		     uint64_t start_ns, uint64_t rate_bps, unsigned max_n,
		     mem_wws_point *pts, bool only_last)
{
	const mem_wws_point blank = {.start_ns = start_ns,
				     .rate_bps = rate_bps};
	uint64_t end_ns = trace_end_ns(t);
	if (only_last) {
		pts[0] = blank;
		pts[0].iterations = max_n;
	} else {
		for (unsigned n = 0; n <= max_n; n++) {
			pts[n] = blank;
			pts[n].iterations = n;
		}
	}
	if (start_ns > end_ns)
		return;

	mem_wws_point p = blank;
	p.evaluable = true;
	p.downtime_ns = transfer_ns(t->pages, t->page_size, rate_bps);
	p.final_pages = t->pages;
	p.final_share = (double)t->pages;
	if (!only_last || max_n == 0)
		pts[0] = p;

	uint64_t a = start_ns;
	double send = (double)t->pages, sent = 0;
	for (unsigned n = 1; n <= max_n; n++) {
		uint64_t b = sim_time_add(a, share_ns(send, t->page_size,
						      rate_bps));
		/* Round n must lie within the trace; later rounds end later,
		 * so they are not evaluable either. */
		if (b > end_ns)
			return;
		uint64_t upper;
		double dirtied = round_share(t, a, b, seen, &upper);
		sent += send;
		p.iterations = n;
		p.sent_pages = (uint64_t)llround(sent);
		p.precopy_ns = b - start_ns;
		p.final_share = dirtied;
		p.final_pages = (uint64_t)llround(dirtied);
		p.downtime_ns = share_ns(dirtied, t->page_size, rate_bps);
		if (!only_last)
			pts[n] = p;
		if (dirtied == 0) {
			/* Every later round is empty, lasts 0 ns and holds no
			 * sample: the same point again, with nothing more
			 * sent. Filling them directly bounds the loop for any
			 * max_n. */
			for (unsigned k = n + 1; !only_last && k <= max_n; k++) {
				pts[k] = p;
				pts[k].iterations = k;
			}
			break;
		}
		a = b;
		send = dirtied;
	}
	if (only_last) {
		p.iterations = max_n;
		pts[0] = p;
	}
}

uint64_t mem_wws_downtime(const trace_pages *t, uint64_t start_ns,
			  uint64_t rate_bps, unsigned iterations,
			  mem_wws_point *out)
{
	check_inputs(t, rate_bps, "mem_wws_downtime");
	mem_bitmap seen;
	mem_bitmap_init(&seen, t->pages);
	mem_wws_point p;
	wws_pass(t, &seen, start_ns, rate_bps, iterations, &p, true);
	mem_bitmap_fini(&seen);
	if (out)
		*out = p;
	return p.evaluable ? p.downtime_ns : MEM_WWS_PAST_END;
}

mem_wws_point *mem_wws_table(const trace_pages *t, const uint64_t *starts_ns,
			     size_t nstarts, const uint64_t *rates_bps,
			     size_t nrates, unsigned max_iterations,
			     size_t *npoints)
{
	size_t per_pair = (size_t)max_iterations + 1;
	if (per_pair == 0 || (nrates && nstarts > SIZE_MAX / nrates) ||
	    (nstarts && nrates &&
	     per_pair > SIZE_MAX / (nstarts * nrates)))
		sim_panic("mem_wws_table: %zu x %zu x %zu points overflow",
			  nstarts, nrates, per_pair);
	size_t n = nstarts * nrates * per_pair;
	mem_wws_point *pts = sim_xcalloc(n, sizeof *pts);
	for (size_t r = 0; r < nrates; r++)
		check_inputs(t, rates_bps[r], "mem_wws_table");
	mem_bitmap seen;
	mem_bitmap_init(&seen, t->pages);
	for (size_t s = 0; s < nstarts; s++)
		for (size_t r = 0; r < nrates; r++)
			wws_pass(t, &seen, starts_ns[s], rates_bps[r],
				 max_iterations,
				 &pts[(s * nrates + r) * per_pair], false);
	mem_bitmap_fini(&seen);
	*npoints = n;
	return pts;
}

/* ------------------------------------------------------------------------
 * Dirtying rates
 * ------------------------------------------------------------------------ */

double mem_sample_dirty_rate(const trace_pages *t, size_t i,
			     mem_rate_unit unit)
{
	if (i >= t->nsamples)
		sim_panic("mem_sample_dirty_rate: sample %zu of %zu", i,
			  t->nsamples);
	uint64_t prev = i ? t->time_ns[i - 1] : 0;
	if (t->time_ns[i] <= prev)
		sim_panic("mem_sample_dirty_rate: sample %zu has no length", i);
	double pages = (double)(t->first[i + 1] - t->first[i]);
	double per_s = pages / ((double)(t->time_ns[i] - prev) / 1e9);
	double mib = (double)t->page_size / (1024.0 * 1024.0);
	switch (unit) {
	case MEM_RATE_PAGES_PER_S:
		return per_s;
	case MEM_RATE_MIB_PER_S:
		return per_s * mib;
	case MEM_RATE_MIBIT_PER_S:
		return per_s * mib * 8;
	default:
		sim_panic("mem_sample_dirty_rate: unit %d", (int)unit);
	}
}

uint64_t mem_dirty_rate_hist(const trace_pages *t, mem_rate_unit unit,
			     double bin_width, size_t nbins, uint64_t *counts)
{
	if (!(bin_width > 0) || !isfinite(bin_width) || nbins == 0)
		sim_panic("mem_dirty_rate_hist: %zu bins of width %g", nbins,
			  bin_width);
	for (size_t b = 0; b < nbins; b++)
		counts[b] = 0;
	uint64_t clamped = 0;
	for (size_t i = 0; i < t->nsamples; i++) {
		double bin = floor(mem_sample_dirty_rate(t, i, unit) /
				   bin_width);
		/* Compared as doubles before any conversion: a rate far past
		 * the range must not overflow size_t. */
		if (bin >= (double)nbins) {
			counts[nbins - 1]++;
			clamped++;
		} else {
			counts[(size_t)bin]++;
		}
	}
	return clamped;
}
