/* SPDX-License-Identifier: MIT */
/*
 * The pull phase of post-copy and hybrid migration (Hines & Gopalan, VEE
 * 2009; [Hines09]): the VM runs at the destination while the source
 * pushes the absent pages in address order, in batches of pull_batch
 * pages, each batch one net flow at max_rate (active push), and every
 * guest access to an absent page is a network fault that fetches it
 * (demand paging). A fetched page is not pushed again, so each page
 * crosses the network once.
 *
 * Time goes in windows, a window being one push batch's flow. The faults
 * of a window are counted when it ends: page-exact, the generator's writes
 * of the window tested against a bitmap of absent pages; statistically,
 * the expected absent pages first accessed within it. They are then
 * fetched as one net flow, uncapped (demand fetches are not held to the
 * push's max_rate, as QEMU's max-postcopy-bandwidth does not hold page
 * requests), which shares its links with the next push batch and all
 * other traffic. Each fault stalls the guest for a round trip (request and
 * page latency) plus its page's transfer at the rate the fetch flow
 * actually got: a window of F faults whose fetch took d ns on a path of
 * latency L stalls the guest F·2L + (d − L). Aggregating a window's
 * faults keeps the cost at one flow per window instead of one per fault;
 * the price is that the fetches of a window leave when it ends, at most
 * one batch's transfer after their faults.
 *
 * The statistical push follows the same address order: memory is cut into
 * segments of one class each (below the hot set, the hot set, above it; a
 * uniform guest's working set is the bottom of memory), each holding an
 * expected number of absent pages, and the push empties them in order.
 * Faults take absent pages of a class uniformly across its segments.
 */
#include "mig_internal.h"

#include <math.h>
#include <stdlib.h>

static uint64_t absent_left(const migration *g)
{
	return g->pull_pages - g->pushed - g->faults;
}

/* ---- statistical: segments of memory in address order ----------------- */

/* The hot class's pages (the hot set; a uniform guest's working set; all
 * of memory otherwise) and its first page. */
static void hot_class(const mig_space *s, uint64_t *pages, uint64_t *offset)
{
	*offset = 0;
	switch (s->dirty.kind) {
	case MIG_DIRTY_HOTCOLD:
		*pages = s->dirty.hotcold.hot_pages;
		*offset = s->dirty.hotcold.hot_offset;
		break;
	case MIG_DIRTY_UNIFORM:
		*pages = mig_dirty_ws_pages(&s->dirty, s->pages);
		break;
	default:
		*pages = s->pages;
		break;
	}
}

/* The absent set at resume (the space's to-send set) spread over the
 * segments: each class's absent pages uniformly over its pages. */
static void segments_init(migration *g)
{
	const mig_space *s = &g->mem;
	uint64_t hot, off;
	hot_class(s, &hot, &off);
	uint64_t cold = s->pages - hot;
	double ah, ac;
	if (s->dirty.kind == MIG_DIRTY_HOTCOLD) {
		ah = s->to_send.hot_pages;
		ac = s->to_send.cold_pages;
	} else {
		/* One class in the set: what fits the hot class is in it. */
		double all = mig_pageset_total(s->to_send);
		ah = fmin(all, (double)hot);
		ac = all - ah;
	}
	const uint64_t len[3] = {off, hot, s->pages - off - hot};
	g->nseg = 0;
	for (int i = 0; i < 3; i++) {
		if (len[i] == 0)
			continue;
		bool is_hot = i == 1;
		double absent = is_hot ? ah
				       : ac * (double)len[i] / (double)cold;
		g->seg[g->nseg++] = (mig_segment){.hot = is_hot,
						  .absent = absent};
	}
	g->untouched_x = (double)hot;
}

/* The push takes the next b absent pages in address order. */
static void segments_push(migration *g, double b)
{
	for (size_t i = 0; i < g->nseg && b > 0; i++) {
		mig_segment *sg = &g->seg[i];
		double take = sg->absent < b ? sg->absent : b;
		sg->absent -= take;
		b -= take;
	}
}

/* Expected faults of a window of dt_s seconds: the absent pages of each
 * class first accessed within it, which leave the segments. */
static double segments_fault(migration *g, double dt_s)
{
	const mig_space *s = &g->mem;
	double ah = 0, ac = 0;
	for (size_t i = 0; i < g->nseg; i++)
		*(g->seg[i].hot ? &ah : &ac) += g->seg[i].absent;
	/* The fraction of each class's absent pages accessed. */
	double ph = 0, pc = 0;
	if (s->dirty.kind == MIG_DIRTY_HOTCOLD) {
		/* Each page is accessed by its own Poisson process (mem.h):
		 * accessed within dt with probability 1 − e^{−λ·dt}. */
		const mem_hotcold *h = &s->dirty.hotcold;
		uint64_t cold = h->pages - h->hot_pages;
		if (h->hot_pages > 0)
			ph = -expm1(-h->hot_writes_per_s /
				    (double)h->hot_pages * dt_s);
		if (cold > 0)
			pc = -expm1(-h->cold_writes_per_s / (double)cold *
				    dt_s);
	} else if (s->dirty.kind == MIG_DIRTY_UNIFORM) {
		/* Every write goes to a working-set page not yet written
		 * since resume, so a page once written is there (pushed or
		 * fetched) and the absent pages are all among the untouched
		 * ones; a window writes n = min(D·dt/P, untouched) of them,
		 * each absent with probability absent / untouched. */
		double n = s->dirty.uniform_bytes_per_s * dt_s /
			   (double)s->page_size;
		if (n > g->untouched_x)
			n = g->untouched_x;
		if (g->untouched_x > 0)
			ph = n / g->untouched_x;
		g->untouched_x -= n;
	}
	for (size_t i = 0; i < g->nseg; i++)
		g->seg[i].absent *= 1 - (g->seg[i].hot ? ph : pc);
	return ah * ph + ac * pc;
}

/* ---- page-exact ---------------------------------------------------------- */

static void on_access(void *ctx, const uint64_t *page, size_t n)
{
	migration *g = ctx;
	for (size_t i = 0; i < n; i++) {
		uint64_t p = page[i];
		if (p >= g->absent.pages || !mem_bitmap_is_set(&g->absent, p))
			continue;
		mem_bitmap_clear(&g->absent, p);
		g->faults++;
		g->last_fault = p;
		g->faulted = true;
	}
}

/* ---- the phase ----------------------------------------------------------- */

/* Faults of the window [g->window_ns, now). */
static void account_window(migration *g, uint64_t now)
{
	if (g->has_absent) {
		mig_space_draw(&g->mem, now, on_access, g);
	} else {
		g->faults_x +=
			segments_fault(g, (double)(now - g->window_ns) / 1e9);
		uint64_t most = g->pull_pages - g->pushed;
		uint64_t f = mig_pages_of(g->faults_x);
		if (f < g->faults)
			f = g->faults; /* rounding never takes one back */
		g->faults = f < most ? f : most;
	}
	g->window_ns = now;
}

static void pull_end(migration *g)
{
	mig *m = g->owner;
	uint64_t now = sim_now(m->e);
	uint64_t duration = now - g->resume_ns;
	g->mem.sent += g->faults;
	if (g->pull_pages > 0 && m->cb.on_round) {
		uint64_t bytes = (g->pushed + g->faults) * g->mem.page_size;
		mig_round_result r = {
			.tag = g->req.tag,
			.index = ++g->rounds,
			.phase = MIG_PHASE_PULL,
			.start_ns = g->resume_ns,
			.duration_ns = duration,
			.cap_bps = g->req.params.max_rate_bps,
			.rate_bps = duration ? (uint64_t)((u128)bytes * 8 *
							  UINT64_C(1000000000) /
							  duration)
					     : 0,
			.bytes = bytes,
			.pages_sent = g->pushed,
			.faults = g->faults,
		};
		m->cb.on_round(m->cb.ctx, &r);
	}
	mig_finish(g);
}

/* The pull is over once nothing is absent and no transfer is in flight. */
static void maybe_end(migration *g)
{
	if (!g->pushing && g->nfetches == 0 && absent_left(g) == 0)
		pull_end(g);
}

static void fetch_done(void *ctx, net *n, net_flow_id id)
{
	migration *g = ctx;
	uint64_t now = sim_now(net_engine(n));
	mig_flow_check(g, id);
	size_t i = 0;
	while (i < g->nfetches && g->fetches[i].flow != id)
		i++;
	if (i == g->nfetches)
		sim_panic("pull: an unknown fetch flow completed");
	const mig_fetch *f = &g->fetches[i];
	uint64_t lat = g->path_latency_ns;
	uint64_t took = now - f->start_ns;
	uint64_t transfer = took > lat ? took - lat : 0;
	u128 trips = (u128)f->pages * 2 * lat;
	uint64_t stall = trips > SIM_TIME_MAX ? SIM_TIME_MAX : (uint64_t)trips;
	g->stall_ns = sim_time_add(g->stall_ns, sim_time_add(stall, transfer));
	g->fetches[i] = g->fetches[--g->nfetches];
	maybe_end(g);
}

/* Fetches the faults counted since the last fetch as one flow. */
static void fetch_start(migration *g)
{
	uint64_t pages = g->faults - g->fetching;
	if (pages == 0)
		return;
	mig *m = g->owner;
	if (g->nfetches == g->fetch_cap) {
		g->fetch_cap = g->fetch_cap ? 2 * g->fetch_cap : 4;
		g->fetches = sim_xrealloc(g->fetches, g->fetch_cap,
					  sizeof *g->fetches);
	}
	mig_fetch *f = &g->fetches[g->nfetches++];
	f->pages = pages;
	f->start_ns = sim_now(m->e);
	if (net_flow_start(m->n, g->req.src, g->req.dst,
			   pages * g->mem.page_size, NET_UNCAPPED, fetch_done,
			   g, &f->flow) != 0)
		sim_panic("pull: fetch flow %u -> %u did not start",
			  g->req.src, g->req.dst);
	g->fetching += pages;
}

/* Takes the next batch of absent pages and sends it, or ends the pull. */
static void next_batch(migration *g)
{
	uint64_t absent = absent_left(g);
	if (absent == 0) {
		maybe_end(g);
		return;
	}
	uint64_t b = g->req.params.pull_batch_pages;
	if (b > absent)
		b = absent;
	if (g->has_absent) {
		uint64_t pages = g->absent.pages;
		for (uint64_t i = 0; i < b; i++) {
			uint64_t p = mem_bitmap_next(&g->absent, g->cursor);
			if (p >= pages)
				p = mem_bitmap_next(&g->absent, 0);
			if (p >= pages)
				sim_panic("pull: absent pages miscounted");
			mem_bitmap_clear(&g->absent, p);
			g->cursor = p + 1;
		}
	} else {
		segments_push(g, (double)b);
	}
	g->pushed += b;
	g->pushing = true;
	g->mem.in_flight = b;
	g->round_cap_bps = g->req.params.max_rate_bps;
	mig_start_flow(g, b * g->mem.page_size);
}

void mig_pull_begin(migration *g)
{
	mig *m = g->owner;
	uint64_t now = sim_now(m->e);
	g->stage = MIG_STAGE_PULL;
	g->window_ns = now;
	mig_space *s = &g->mem;
	if (s->dirty.kind == MIG_DIRTY_PAGES) {
		mem_bitmap_init(&g->absent, s->pages);
		g->has_absent = true;
		if (s->log)
			mem_bitmap_copy(&g->absent, &s->send);
		else
			mem_bitmap_fill(&g->absent);
		g->pull_pages = mem_bitmap_count(&g->absent);
		/* The guest's accesses at the destination start now; the
		 * writes of the pause are not drawn. */
		s->drawn_ns = now;
		s->origin_ns = now;
	} else {
		segments_init(g);
		g->pull_pages = mig_pageset_pages(s->to_send);
	}
	next_batch(g);
}

void mig_pull_batch_done(migration *g)
{
	mig *m = g->owner;
	g->pushing = false;
	g->mem.sent += g->mem.in_flight;
	g->mem.in_flight = 0;
	account_window(g, sim_now(m->e));
	fetch_start(g);
	if (g->req.params.prepaging && g->faulted)
		g->cursor = g->last_fault + 1;
	g->faulted = false;
	next_batch(g);
}
