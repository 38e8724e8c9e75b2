/* SPDX-License-Identifier: MIT */
/*
 * The pull phase of post-copy and hybrid migration (Hines & Gopalan, VEE
 * 2009; reference §4): the VM runs at the destination while the source
 * pushes the absent pages in batches of pull_batch pages, each batch one
 * net flow at max_rate (active push), and every guest access to an absent
 * page is a network fault that fetches it at once (demand paging). A
 * fetched page is not pushed again, so each page crosses the network
 * once. Faults are accounted window by window, a window being one batch:
 * page-exact, the generator's writes of the window are tested against a
 * bitmap of absent pages; statistically, the expected number of absent
 * pages of each class first accessed within the window (independent
 * Poisson accesses per page). Fetches are charged to the guest as stall
 * time (mig_result.stall_ns) but are not net flows: they take no
 * bandwidth from the push or from other traffic.
 */
#include "mig_internal.h"

#include <math.h>

/* Per-page access rates of the hot and cold classes. */
static void class_rates(const mig_space *s, double *hot, double *cold)
{
	*hot = 0;
	*cold = 0;
	if (s->dirty.kind == MIG_DIRTY_UNIFORM) {
		*hot = s->dirty.uniform_bytes_per_s / (double)s->page_size /
		       (double)s->pages;
	} else if (s->dirty.kind == MIG_DIRTY_HOTCOLD) {
		const mem_hotcold *h = &s->dirty.hotcold;
		if (h->hot_pages > 0)
			*hot = h->hot_writes_per_s / (double)h->hot_pages;
		if (h->hot_pages < h->pages)
			*cold = h->cold_writes_per_s /
				(double)(h->pages - h->hot_pages);
	}
}

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

/* Faults of the window [g->window_ns, now). */
static void account_window(migration *g, uint64_t now)
{
	if (g->has_absent) {
		mig_space_draw(&g->mem, now, on_access, g);
	} else {
		double hot, cold;
		class_rates(&g->mem, &hot, &cold);
		double dt = (double)(now - g->window_ns) / 1e9;
		double fh = g->absent_x.hot_pages * -expm1(-hot * dt);
		double fc = g->absent_x.cold_pages * -expm1(-cold * dt);
		g->absent_x.hot_pages -= fh;
		g->absent_x.cold_pages -= fc;
		g->faults_x += fh + fc;
		uint64_t most = g->pull_pages - g->pushed;
		uint64_t f = g->faults_x > 0 ? (uint64_t)llround(g->faults_x)
					     : 0;
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
		mig_round_result r = {
			.tag = g->req.tag,
			.index = ++g->rounds,
			.phase = MIG_PHASE_PULL,
			.start_ns = g->resume_ns,
			.duration_ns = duration,
			.cap_bps = g->req.params.max_rate_bps,
			.rate_bps = duration ? (uint64_t)((u128)g->pushed *
							  g->mem.page_size * 8 *
							  UINT64_C(1000000000) /
							  duration)
					     : 0,
			.bytes = (g->pushed + g->faults) * g->mem.page_size,
			.pages_sent = g->pushed,
			.faults = g->faults,
		};
		m->cb.on_round(m->cb.ctx, &r);
	}
	mig_finish(g);
}

/* Takes the next batch of absent pages and sends it, or ends the pull. */
static void next_batch(migration *g)
{
	uint64_t absent = g->pull_pages - g->pushed - g->faults;
	if (absent == 0) {
		pull_end(g);
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
		double total = g->absent_x.hot_pages + g->absent_x.cold_pages;
		if (total > 0) {
			double bh = (double)b * g->absent_x.hot_pages / total;
			g->absent_x.hot_pages -= bh;
			g->absent_x.cold_pages -= (double)b - bh;
			if (g->absent_x.hot_pages < 0)
				g->absent_x.hot_pages = 0;
			if (g->absent_x.cold_pages < 0)
				g->absent_x.cold_pages = 0;
		}
	}
	g->pushed += b;
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
		g->absent_x = s->to_send;
		g->pull_pages = mig_pageset_pages(s->to_send);
	}
	next_batch(g);
}

void mig_pull_batch_done(migration *g)
{
	mig *m = g->owner;
	g->mem.sent += g->mem.in_flight;
	g->mem.in_flight = 0;
	account_window(g, sim_now(m->e));
	if (g->req.params.prepaging && g->faulted)
		g->cursor = g->last_fault + 1;
	g->faulted = false;
	next_batch(g);
}
