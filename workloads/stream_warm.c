/* SPDX-License-Identifier: MIT */
/*
 * The warm-up pass of an instruction stream: one access to every page of
 * every address space's working set and kernel data, so that a machine
 * measured after it runs in steady state (the benchmarks the catalog
 * stands for ran for minutes, their working sets mapped long before the
 * measurement) instead of paying each first-touch fault inside the
 * measurement. And the functional warming of the machine's sampled mode
 * over what its skips pass: the loads the skipped mix would have made
 * (in full near a window, sparse before), and the scan of a body whose
 * every access is sequential, carried through a skip.
 */
#include "stream_rng.h"

#include <math.h>

static unsigned log2u(uint64_t x)
{
	unsigned s = 0;
	while (x >>= 1)
		s++;
	return s;
}

static void put(trace_insn *buf, size_t *n, uint8_t op, uint64_t va,
		uint8_t size, uint16_t asid)
{
	if (buf) {
		trace_insn *in = &buf[*n];
		*in = (trace_insn){0};
		in->op = op;
		in->va = va;
		in->size = size;
		in->asid = asid;
	}
	(*n)++;
}

size_t wl_stream_warm(const wl_stream_params *p, trace_insn *buf)
{
	size_t n = 0;
	uint64_t large = (uint64_t)(p->large_fraction * (double)p->ws_bytes);
	large -= large % p->large_page;
	uint8_t lsize = (uint8_t)log2u(p->large_page);
	uint64_t procs = p->processes ? p->processes : 1;
	for (uint64_t a = 0; a < procs; a++) {
		/* Into address space a, touching the kernel's data there. */
		put(buf, &n, TRACE_OP_SYSCALL, 0, 0, 0);
		if (a != 0)
			put(buf, &n, TRACE_OP_CTX_SWITCH, 0, 0, (uint16_t)a);
		for (uint64_t o = 0; o < p->kernel_ws_bytes; o += p->base_page)
			put(buf, &n, TRACE_OP_LOAD, WL_VA_KERNEL + o, 0, 0);
		put(buf, &n, TRACE_OP_RETURN, 0, 0, 0);
		for (uint64_t o = 0; o < large; o += p->large_page)
			put(buf, &n, TRACE_OP_LOAD, WL_VA_WS + o, lsize, 0);
		for (uint64_t o = large; o < p->ws_bytes; o += p->base_page)
			put(buf, &n, TRACE_OP_LOAD, WL_VA_WS + o, 0, 0);
	}
	if (procs > 1) {
		put(buf, &n, TRACE_OP_SYSCALL, 0, 0, 0);
		put(buf, &n, TRACE_OP_CTX_SWITCH, 0, 0, 0);
		put(buf, &n, TRACE_OP_RETURN, 0, 0, 0);
	}
	return n;
}

/* The probability that a user load is a random draw outside the hot set
 * (a draw neither sequential nor hot, into the rest of the working set). */
static double cold_p(const wl_stream *g)
{
	if (g->kernel_level || !g->cold_bytes)
		return 0;
	return (1 - (double)g->seq_thr * 0x1p-13) *
	       (1 - (double)g->hot_thr * 0x1p-14);
}

/* The hot set's pages in order (large ones where the working set has
 * them): writes up to cap, returns their number. */
static size_t hot_pages(const wl_stream *g, trace_insn *out, size_t cap)
{
	size_t n = 0;
	uint64_t end = WL_VA_WS + g->hot_bytes;
	for (uint64_t va = WL_VA_WS; va < end;) {
		bool large = va < g->large_end;
		if (out && n < cap) {
			out[n].va = va;
			out[n].size = large ? g->large_shift : 0;
		}
		n++;
		va += large ? UINT64_C(1) << g->large_shift : g->page;
	}
	return n;
}

uint64_t wl_stream_warm_pages(const wl_stream *g)
{
	return hot_pages(g, NULL, 0) + (g->kws + g->page - 1) / g->page;
}

double wl_stream_cold_rate(const wl_stream *g)
{
	return g->body.data * cold_p(g);
}

size_t wl_stream_warm_sparse(wl_stream *g, unsigned phase, uint64_t k,
			     trace_insn *out, size_t cap)
{
	bool kern = phase > 0;
	const wl_mixtab *t = kern ? &g->kern : &g->body;
	double x = (double)k * t->data + g->sfrac[kern];
	double loads = floor(x);
	g->sfrac[kern] = x - loads;
	if (loads < 1)
		return 0;
	size_t n = 0;
	if (kern || g->kernel_level) {
		/* Uniform over a few pages: every one, once a run. */
		for (uint64_t o = 0; o < g->kws && n < cap; o += g->page) {
			out[n] = (trace_insn){0};
			out[n].va = WL_VA_KERNEL + o;
			n++;
		}
		return n;
	}
	double p = cold_p(g);
	if (!(p > 0))
		return 0;
	size_t per = 1 + hot_pages(g, NULL, 0);
	if (cap < per)
		return 0;
	/* The draws among these loads, by geometric gaps carried across
	 * calls; only the last ones that fit are written (the TLB forgets
	 * the older ones first). */
	const double lq = log1p(-p);
	uint64_t left = loads < 0x1p62 ? (uint64_t)loads : UINT64_C(1) << 62;
	uint64_t draws = 0;
	for (;;) {
		if (!g->sgap) {
			double gap = floor(log(unit(&g->wr)) / lq);
			g->sgap = 1 + (gap < 0x1p62 ? (uint64_t)gap
						    : UINT64_C(1) << 62);
		}
		if (left < g->sgap) {
			g->sgap -= left;
			break;
		}
		left -= g->sgap;
		g->sgap = 0;
		draws++;
	}
	/* The hot set after every BATCH draws rather than after each: the
	 * pages a batch evicts are re-inserted at the FIFO's tail either
	 * way, and none of them reaches its head again within a batch of a
	 * TLB's size or more. */
	enum { BATCH = 8 };
	uint64_t fit = cap / (BATCH + per - 1) * BATCH;
	uint64_t from = draws > fit ? draws - fit : 0;
	for (uint64_t d = from; d < draws; d++) {
		uint64_t va = WL_VA_WS + g->hot_bytes +
			      below(next(&g->wr), g->cold_bytes);
		out[n] = (trace_insn){0};
		out[n].va = va;
		out[n].size = va < g->large_end ? g->large_shift : 0;
		n++;
		if ((d - from) % BATCH == BATCH - 1 || d + 1 == draws)
			n += hot_pages(g, out + n, cap - n);
	}
	return n;
}

/* ------------------------------------------------------------------------
 * Functional warming of a skip, and the scan of a wholly sequential body
 * ------------------------------------------------------------------------ */

/* Whether every access of the body is the scan's next (seq_access 100 %
 * at user level): where the scan is after a number of accesses is then
 * known, not drawn. */
static bool scan_only(const wl_stream *g)
{
	return !g->kernel_level && g->seq_thr >= UINT64_C(1) << 13;
}

/* The scan's position a accesses after va, as emit_mix steps it (on by
 * the stride, back to the working set's start on passing its end). */
static uint64_t scan_after(const wl_stream *g, uint64_t va, uint64_t a)
{
	const uint64_t size = g->ws_end - WL_VA_WS, stride = g->stride;
	uint64_t o = va - WL_VA_WS;
	/* Steps until the one that goes back to the start, then the
	 * period from the start. */
	uint64_t to_start = (size - o + stride - 1) / stride;
	if (a < to_start)
		return va + a * stride;
	uint64_t period = (size + stride - 1) / stride;
	return WL_VA_WS + (a - to_start) % period * stride;
}

size_t wl_stream_pass_scan(wl_stream *g, uint64_t k, trace_insn *out,
			   size_t cap)
{
	if (!k || !scan_only(g))
		return 0;
	double x = (double)k * g->body.data + g->wfrac[0];
	double m = floor(x);
	g->wfrac[0] = x - m;
	if (m < 1)
		return 0;
	uint64_t a = m < 0x1p63 ? (uint64_t)m : UINT64_C(1) << 63;
	const uint64_t page = g->page, stride = g->stride;
	const uint64_t size = g->ws_end - WL_VA_WS;
	const uint64_t period = (size + stride - 1) / stride;
	uint64_t from = g->last;
	g->last = scan_after(g, from, a);
	size_t n = 0;
	if (stride >= page) {
		/* Each access in a page of its own: the last ones. */
		uint64_t t = a < period ? a : period;
		n = t < cap ? (size_t)t : cap;
		uint64_t va = scan_after(g, from, a - n + 1);
		for (size_t i = 0; i < n; i++, va = scan_after(g, va, 1)) {
			out[i] = (trace_insn){0};
			out[i].va = va;
			out[i].size = size_of(g, va);
		}
		return n;
	}
	/* Contiguous pages from the first access's to the last's in scan
	 * order: all of them after a whole period, else round the end at
	 * most once (the access after the last position before the end
	 * goes back to the start). */
	const uint64_t pages = (size + page - 1) / page;
	const uint64_t to_start = (size - (from - WL_VA_WS) + stride - 1) /
				  stride;
	uint64_t pf = (scan_after(g, from, 1) - WL_VA_WS) / page;
	uint64_t pl = (g->last - WL_VA_WS) / page;
	bool round = a >= to_start && to_start > 1;
	uint64_t span = a >= period ? pages
			: round	    ? pages - pf + pl + 1
				    : pl - pf + 1;
	if (span > pages)
		span = pages;
	n = span < cap ? (size_t)span : cap;
	for (size_t i = 0; i < n; i++) {
		uint64_t pg = (pl + pages - (n - 1 - i)) % pages;
		out[i] = (trace_insn){0};
		out[i].va = WL_VA_WS + pg * page;
		out[i].size = size_of(g, out[i].va);
	}
	return n;
}

size_t wl_stream_warm_loads(wl_stream *g, unsigned phase, uint64_t k,
			   trace_insn *out, size_t cap)
{
	bool kern = phase > 0;
	const wl_mixtab *t = kern ? &g->kern : &g->body;
	bool kernel = kern || g->kernel_level;
	/* The loads of k mix instructions: k times the data share, the
	 * fraction carried to the next call. */
	double x = (double)k * t->data + g->wfrac[kern];
	double all = floor(x), m = all;
	if (m > (double)cap)
		m = (double)cap;
	/* A wholly sequential body's loads are the scan's next ones: the
	 * stream goes on after them (one position for both), and past the
	 * cap the ones written are the last. */
	const bool scan = !kern && scan_only(g);
	g->wfrac[kern] = scan ? x - all : x - m < 1 ? x - m : 0;
	size_t n = (size_t)m;
	wl_rng r = g->wr;
	uint64_t last = scan ? g->last : g->wlast;
	if (scan && all > m)
		last = scan_after(g, last,
				  all - m < 0x1p63 ? (uint64_t)(all - m)
						   : UINT64_C(1) << 63);
	/* One draw a load: bits 45-58 hot, 32-44 sequential (as the mix's),
	 * the low 32 bits the offset. Without branches on the draws (as
	 * emit_mix_as): they are as unpredictable as they are meant to be. */
	if (kernel) {
		for (size_t i = 0; i < n; i++) {
			uint64_t va = WL_VA_KERNEL + below(next(&r) << 32, g->kws);
			out[i].va = va;
			out[i].size = size_of(g, va);
		}
	} else {
		const uint64_t hot_bytes = g->hot_bytes, cold_bytes = g->cold_bytes;
		const uint64_t cold_base = WL_VA_WS + hot_bytes, end = g->ws_end;
		const uint64_t stride = g->stride, hot_thr = g->hot_thr;
		const uint64_t seq_thr = g->seq_thr, large_end = g->large_end;
		const uint8_t shift = g->large_shift;
		for (size_t i = 0; i < n; i++) {
			uint64_t a = next(&r);
			bool hot = ((a >> 45) & 0x3fff) < hot_thr;
			bool seq = ((a >> 32) & 0x1fff) < seq_thr;
			uint64_t rv = pick(hot, WL_VA_WS, cold_base) +
				      below(a << 32,
					    pick(hot, hot_bytes, cold_bytes));
			uint64_t sv = last + stride;
			sv = pick(sv >= end, WL_VA_WS, sv);
			uint64_t va = pick(seq, sv, rv);
			last = va;
			out[i].va = va;
			out[i].size = (uint8_t)pick(va >= WL_VA_WS &&
							    va < large_end,
						    shift, 0);
		}
	}
	g->wr = r;
	if (scan)
		g->last = last;
	else
		g->wlast = last;
	return n;
}
