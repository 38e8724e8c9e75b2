/* SPDX-License-Identifier: MIT */
/*
 * The warm-up pass of an instruction stream: one access to every page of
 * every address space's working set and kernel data, so that a machine
 * measured after it runs in steady state (the benchmarks the catalog
 * stands for ran for minutes, their working sets mapped long before the
 * measurement) instead of paying each first-touch fault inside the
 * measurement.
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
