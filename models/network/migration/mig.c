/* SPDX-License-Identifier: MIT */
/*
 * The migration model: a per-migration state machine driven by timer
 * events (reservation, commitment, activation) and by the completions of
 * its round flows on the net. Dirtying is statistical (expected page
 * counts, no bitmaps) or page-exact (a dirty log and a to-send bitmap).
 * Draws no random numbers itself; a page-exact guest's generator does.
 */
#include "mig_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>


/* ---- state ------------------------------------------------------------ */

enum mig_event_kind {
	MIG_EV_RESERVED = 1,
	MIG_EV_COMMITTED,
	MIG_EV_ACTIVATED,
};

typedef struct mig_event {
	uint32_t slot;
} mig_event;
_Static_assert(sizeof(mig_event) <= SIM_PAYLOAD_MAX, "payload too large");


static void migration_free(migration *g)
{
	if (!g)
		return;
	mig_space_fini(&g->mem);
	mig_space_fini(&g->disk);
	if (g->has_absent)
		mem_bitmap_fini(&g->absent);
	free(g->fetches);
	free(g);
}

static void mig_fini(void *state)
{
	mig *m = state;
	for (size_t i = 0; i < m->nslots; i++)
		migration_free(m->slots[i]);
	free(m->slots);
}

static void mig_handle(sim_engine *e, sim_model *model, void *state,
		       uint32_t kind, const void *payload);

static const sim_model_ops mig_ops = {
	.name = "migration",
	.state_size = sizeof(struct mig),
	.handle = mig_handle,
	.fini = mig_fini,
};

mig *mig_create(net *n, const mig_callbacks *cb)
{
	sim_engine *e = net_engine(n);
	sim_model *model = sim_model_add(e, &mig_ops);
	mig *m = sim_model_state(model);
	m->n = n;
	m->e = e;
	m->model = model;
	if (cb)
		m->cb = *cb;
	return m;
}

size_t mig_active_count(const mig *m)
{
	return m->active;
}


/* ---- rounds ----------------------------------------------------------- */

static void flow_done(void *ctx, net *n, net_flow_id id);

void mig_flow_check(migration *g, net_flow_id id)
{
	mig *m = g->owner;
	net_flow_info f;
	if (net_flow_query(m->n, id, &f) != 0)
		sim_panic("migration flow %llu vanished",
			  (unsigned long long)id);
	uint64_t took = sim_now(m->e) - f.start_ns;
	if ((u128)f.bytes * 8 * UINT64_C(1000000000) >
	    (u128)g->path_bps * took)
		sim_panic("migration %llu: a flow of %llu bytes took %llu ns, "
			  "faster than its path's narrowest link (%llu bit/s)",
			  (unsigned long long)g->req.tag,
			  (unsigned long long)f.bytes,
			  (unsigned long long)took,
			  (unsigned long long)g->path_bps);
}

void mig_start_flow(migration *g, uint64_t bytes)
{
	mig *m = g->owner;
	if (net_flow_start(m->n, g->req.src, g->req.dst, bytes,
			   g->round_cap_bps, flow_done, g, &g->flow) != 0)
		sim_panic("migration flow %u -> %u did not start", g->req.src,
			  g->req.dst);
	g->round_bytes = bytes;
}

/* The round's bytes other than memory pages: forwarded disk blocks and,
 * paused, the state. */
static uint64_t round_extra_bytes(const migration *g)
{
	uint64_t b = g->has_disk ? g->disk.in_flight * g->disk.page_size : 0;
	if (g->phase == MIG_PHASE_PAUSED)
		b += g->req.params.state_bytes;
	return b;
}

static void restart_round(migration *g, uint64_t mem_pages)
{
	mig *m = g->owner;
	if (net_flow_cancel(m->n, g->flow) != 0)
		sim_panic("migration flow vanished");
	g->mem.in_flight = mem_pages;
	mig_start_flow(g, mem_pages * g->mem.page_size + round_extra_bytes(g));
}

/* Pages sent of a hot/cold to-send set under Xen's skip when the round's
 * transmission lasts tx_ns. */
static double skip_sent(const mem_hotcold *hc, mem_pageset set,
			uint64_t tx_ns)
{
	return mig_pageset_total(mem_hotcold_round(hc, set, tx_ns).sent);
}

/* With skip, the pages sent depend on the round's length, which depends
 * on the pages sent. The flow was started with the whole set to learn the
 * rate the fabric gives it now; the transmission time T solves
 * T = (8·P·sent(T) + extra bits)/rate (mem_hotcold_round_ns). The flow
 * is then restarted (in the same ns, so nothing was sent) with that many
 * pages. A rate that changes later in the round does not revise the
 * estimate. */
static void apply_skip(migration *g)
{
	mig *m = g->owner;
	uint64_t rate = net_flow_rate_bps(m->n, g->flow);
	if (rate == 0)
		return;
	const mem_hotcold *hc = &g->mem.dirty.hotcold;
	uint64_t t_ns = mem_hotcold_round_ns(
		hc, g->mem.to_send, 8.0 * (double)g->mem.page_size,
		8.0 * (double)round_extra_bytes(g), (double)rate);
	uint64_t sent = mig_pages_of(skip_sent(hc, g->mem.to_send, t_ns));
	if (sent >= g->mem.in_flight)
		return;
	g->round_skipped = g->mem.in_flight - sent;
	restart_round(g, sent);
}

/* The time batch peeks happen at: the pages sent before it have left at
 * the round's rate (ns rounded up), saturating at SIM_TIME_MAX. */
static uint64_t skip_peek_ns(const migration *g, uint64_t sent,
			     uint64_t rate)
{
	u128 bits_per_page = (u128)g->mem.page_size * 8;
	u128 ns = (sent * bits_per_page * UINT64_C(1000000000) + rate - 1) /
		  rate;
	return ns > SIM_TIME_MAX - g->round_start_ns
		       ? SIM_TIME_MAX
		       : g->round_start_ns + (uint64_t)ns;
}

/* Page-exact skip in ascending page order (MIG_SCAN_ASCENDING): batch b
 * is the next MIG_SKIP_BATCH_PAGES pages of the to-send set; it is peeked
 * once the pages sent before it have left, and its pages found dirty are
 * dropped, a word at a time. Returns the pages sent; adds to *skipped. */
static uint64_t skip_pages_ascending(migration *g, uint64_t rate,
				     uint64_t *skipped)
{
	mig_space *s = &g->mem;
	uint64_t sent = 0;
	uint64_t pages = s->send.pages;
	const mem_bitmap *dirty = mem_dirtylog_bits(s->log);
	/* A batch runs from its first page to the next batch's first page
	 * (the page MIG_SKIP_BATCH_PAGES set bits on). */
	for (uint64_t p = mem_bitmap_next(&s->send, 0); p < pages;) {
		uint64_t end = mem_bitmap_next_nth(&s->send, p,
						   MIG_SKIP_BATCH_PAGES);
		uint64_t in = end < pages ? MIG_SKIP_BATCH_PAGES
					  : mem_bitmap_count_range(&s->send, p,
								   pages);
		mig_space_draw_log(s, skip_peek_ns(g, sent, rate));
		uint64_t dropped =
			mem_bitmap_and_not_range(&s->send, dirty, p, end);
		*skipped += dropped;
		sent += in - dropped;
		p = end;
	}
	return sent;
}

/* Page-exact skip as Xen legacy's save loop runs it (MIG_SCAN_XEN): the
 * pages are examined in mem_xen_scan_page order; before each batch the
 * log is peeked (once the pages sent before it have left), then pages of
 * the to-send set are taken until MIG_SKIP_BATCH_PAGES are to be sent,
 * those peeked dirty being dropped on the way without counting. Returns
 * the pages sent; adds to *skipped. O(pages) per round. */
static uint64_t skip_pages_xen(migration *g, uint64_t rate,
			       uint64_t *skipped)
{
	mig_space *s = &g->mem;
	uint64_t sent = 0;
	uint64_t pages = s->send.pages;
	const mem_bitmap *dirty = mem_dirtylog_bits(s->log);
	uint64_t left = mem_bitmap_count(&s->send);
	for (uint64_t n = 0; n < pages && left > 0;) {
		mig_space_draw_log(s, skip_peek_ns(g, sent, rate));
		uint64_t batch = 0;
		for (; batch < MIG_SKIP_BATCH_PAGES && n < pages && left > 0;
		     n++) {
			uint64_t p = mem_xen_scan_page(n, pages);
			if (!mem_bitmap_is_set(&s->send, p))
				continue;
			left--;
			if (mem_bitmap_is_set(dirty, p)) {
				mem_bitmap_clear(&s->send, p);
				(*skipped)++;
			} else {
				batch++;
			}
		}
		sent += batch;
	}
	return sent;
}

/* Page-exact skip (Xen's peek of the dirty bitmap): the round's pages
 * leave at the flow's current rate (before any forwarded disk blocks) in
 * the order of the migration's scan; pages found dirty at a peek are
 * dropped from this round (they stay in the log for the next). The flow
 * is restarted in the same ns with what is left. */
static void apply_skip_pages(migration *g)
{
	mig *m = g->owner;
	uint64_t rate = net_flow_rate_bps(m->n, g->flow);
	if (rate == 0)
		return;
	uint64_t skipped = 0;
	uint64_t sent = g->req.params.scan == MIG_SCAN_XEN
				? skip_pages_xen(g, rate, &skipped)
				: skip_pages_ascending(g, rate, &skipped);
	if (skipped == 0)
		return;
	g->round_skipped = skipped;
	restart_round(g, sent);
}

/* Starts a round of the given phase now. DISK sends the disk's set; LIVE
 * the memory's set and the disk blocks dirtied since the last round;
 * PAUSED the memory's set (none for post-copy and hybrid: they pull it),
 * the disk's and the state. */
static void round_begin(migration *g, mig_phase phase)
{
	mig *m = g->owner;
	const mig_params *p = &g->req.params;
	bool pulls = p->scheme == MIG_SCHEME_POSTCOPY ||
		     p->scheme == MIG_SCHEME_HYBRID;
	g->stage = MIG_STAGE_ROUND;
	g->phase = phase;
	g->round_start_ns = sim_now(m->e);
	g->round_skipped = 0;
	g->mem.in_flight = 0;
	g->disk.in_flight = g->has_disk ? mig_space_pending(&g->disk) : 0;
	switch (phase) {
	case MIG_PHASE_DISK:
		g->round_cap_bps = p->max_rate_bps;
		break;
	case MIG_PHASE_LIVE:
		if (g->live_rounds == 0)
			g->round_cap_bps = p->policy == MIG_POLICY_CLARK
						   ? p->start_rate_bps
						   : p->max_rate_bps;
		/* Otherwise round_cap_bps was set when the last round
		 * ended. */
		g->mem.in_flight = mig_space_pending(&g->mem);
		break;
	case MIG_PHASE_PAUSED:
		g->stop_ns = g->round_start_ns;
		g->round_cap_bps = p->final_rate_bps ? p->final_rate_bps
						     : p->max_rate_bps;
		mig_space_pause(&g->mem);
		if (g->has_disk)
			mig_space_pause(&g->disk);
		if (!pulls)
			g->mem.in_flight = mig_space_pending(&g->mem);
		break;
	case MIG_PHASE_PULL:
	default:
		sim_panic("round_begin: phase %d", (int)phase);
	}
	mig_start_flow(g, g->mem.in_flight * g->mem.page_size +
				  round_extra_bytes(g));
	/* Xen skips in live rounds only ([XenLegacy]: disabled in the last round). */
	if (phase == MIG_PHASE_LIVE && p->skip) {
		if (g->mem.dirty.kind == MIG_DIRTY_HOTCOLD)
			apply_skip(g);
		else if (g->mem.log)
			apply_skip_pages(g);
	}
}

void mig_finish(migration *g)
{
	mig *m = g->owner;
	uint64_t now = sim_now(m->e);
	uint64_t redirect_end = sim_time_add(g->resume_ns,
					     g->req.params.redirect_ns);
	mig_result r = {
		.tag = g->req.tag,
		.scheme = (mig_scheme)g->req.params.scheme,
		.policy = (mig_policy)g->req.params.policy,
		.start_ns = g->start_ns,
		.stop_ns = g->stop_ns,
		.resume_ns = g->resume_ns,
		.end_ns = now,
		.total_ns = now - g->start_ns,
		.downtime_ns = g->resume_ns - g->stop_ns,
		.residual_ns = (now > redirect_end ? now : redirect_end) -
			       g->resume_ns,
		.memory_bytes = g->mem.sent * g->mem.page_size,
		.disk_bytes = g->disk.sent * g->disk.page_size,
		.state_bytes = g->req.params.state_bytes,
		.pages_sent = g->mem.sent,
		.blocks_sent = g->disk.sent,
		.rounds = g->live_rounds,
		.disk_rounds = g->disk_rounds,
		.disk_ns = g->has_disk ? g->disk_end_ns - g->disk.origin_ns : 0,
		.faults = g->faults,
		.stall_ns = g->stall_ns,
		.log_faults = g->log_faults,
		.log_stall_ns = g->log_faults * g->req.params.log_fault_ns,
	};
	r.bytes = r.memory_bytes + r.disk_bytes + r.state_bytes;
	/* The migration as a whole: every byte crossed the path's narrowest
	 * link between start and end. */
	if ((u128)r.bytes * 8 * UINT64_C(1000000000) >
	    (u128)g->path_bps * r.total_ns)
		sim_panic("migration %llu moved %llu bytes in %llu ns, more "
			  "than its path's narrowest link (%llu bit/s) carries",
			  (unsigned long long)r.tag,
			  (unsigned long long)r.bytes,
			  (unsigned long long)r.total_ns,
			  (unsigned long long)g->path_bps);
	m->slots[g->slot] = NULL;
	m->active--;
	migration_free(g);
	if (m->cb.on_done)
		m->cb.on_done(m->cb.ctx, &r);
}

/* CLARK's "sent more pages than the round before" for a round at the cap.
 * Page-exact, the counts themselves. Statistically the counts are
 * expectations, which at the cap fall round after round towards a fixed
 * point, so the test would never hold, while a page-exact run's counts
 * scatter and one soon rises: the round rises with the chance
 * Φ((μ − μ_last)/√(μ + μ_last)) (two independent counts of Poisson
 * spread), and pre-copy stops once half of the page-exact runs would
 * have (models/network/migration/README.md). */
static bool clark_rises(migration *g, uint64_t sent_pages)
{
	if (g->mem.log)
		return sent_pages > g->last_sent;
	double mu = (double)sent_pages, last = (double)g->last_sent;
	double s = sqrt(mu + last);
	double rise = s > 0 ? 0.5 * erfc((last - mu) / (s * M_SQRT2)) : 0;
	g->unstopped *= 1 - rise;
	return g->unstopped <= 0.5;
}

/* Decides after live round k whether pre-copy goes on, and sets the next
 * round's cap. Returns true to stop (pause and send the rest). */
static bool policy_stops(migration *g, uint64_t remaining_pages,
			 uint64_t sent_pages, uint64_t duration_ns)
{
	uint64_t sent_bytes = sent_pages * g->mem.page_size;
	const mig_params *p = &g->req.params;
	uint64_t k = g->live_rounds;
	if (p->scheme == MIG_SCHEME_PUSH)
		return true;
	bool caps = k >= p->max_rounds || remaining_pages < p->stop_pages ||
		    (double)g->mem.sent >
			    p->max_sent_factor * (double)g->req.pages;
	switch ((mig_policy)p->policy) {
	case MIG_POLICY_XEN:
		return caps;
	case MIG_POLICY_CLARK: {
		if (caps)
			return true;
		uint64_t dirty_bps = 0;
		if (duration_ns > 0)
			dirty_bps = (uint64_t)((u128)remaining_pages *
					       g->mem.page_size * 8 *
					       UINT64_C(1000000000) /
					       duration_ns);
		/* Xen's save loop tests the rate this round ran at, then
		 * sets the next ([XenLegacy]). */
		bool stop = g->round_cap_bps >= p->max_rate_bps &&
			    clark_rises(g, sent_pages);
		g->last_sent = sent_pages;
		g->round_cap_bps =
			mig_rate_next_bps(p, g->round_cap_bps, dirty_bps, NULL);
		return stop;
	}
	case MIG_POLICY_QEMU:
		/* remaining ≤ (sent / duration) · limit, cross-multiplied so
		 * that it is exact; a round of no duration has unbounded
		 * bandwidth. */
		return k >= p->max_rounds ||
		       (u128)remaining_pages * g->mem.page_size * duration_ns <=
			       (u128)sent_bytes * p->downtime_limit_ns;
	case MIG_POLICY_XEN_V2:
		if (g->last_live || k >= p->max_rounds)
			return true;
		if (remaining_pages < p->stop_pages)
			g->last_live = true;
		return false;
	default:
		sim_panic("unknown migration policy %d", p->policy);
	}
}

/* The disk pre-copy goes on while its cap allows and at least
 * stop_pages blocks remain. */
static bool disk_stops(const migration *g, uint64_t remaining)
{
	return g->disk_rounds >= g->req.params.disk_max_rounds ||
	       remaining < g->req.params.stop_pages;
}

/* The first memory round after reservation or the disk pre-copy. */
static void memory_begin(migration *g)
{
	mig *m = g->owner;
	const mig_params *p = &g->req.params;
	/* Stop-and-copy and post-copy log nothing: the guest stops at once. */
	mig_space_begin(&g->mem, sim_now(m->e),
		    p->scheme != MIG_SCHEME_STOP_AND_COPY &&
			    p->scheme != MIG_SCHEME_POSTCOPY);
	switch ((mig_scheme)p->scheme) {
	case MIG_SCHEME_STOP_AND_COPY:
	case MIG_SCHEME_POSTCOPY:
		round_begin(g, MIG_PHASE_PAUSED);
		break;
	case MIG_SCHEME_PRECOPY:
	case MIG_SCHEME_PUSH:
	case MIG_SCHEME_HYBRID:
		round_begin(g, MIG_PHASE_LIVE);
		break;
	default:
		sim_panic("unknown migration scheme %d", p->scheme);
	}
}

static void flow_done(void *ctx, net *n, net_flow_id id)
{
	migration *g = ctx;
	mig *m = g->owner;
	uint64_t now = sim_now(net_engine(n));
	mig_flow_check(g, id);
	g->flow = 0;
	if (g->stage == MIG_STAGE_PULL) {
		mig_pull_batch_done(g);
		return;
	}
	uint64_t duration = now - g->round_start_ns;
	uint64_t bytes = g->round_bytes;
	g->mem.sent += g->mem.in_flight;
	g->disk.sent += g->disk.in_flight;
	g->rounds++;

	mig_round_result r = {
		.tag = g->req.tag,
		.index = g->rounds,
		.phase = g->phase,
		.paused = g->phase == MIG_PHASE_PAUSED,
		.start_ns = g->round_start_ns,
		.duration_ns = duration,
		.cap_bps = g->round_cap_bps,
		.rate_bps = duration ? (uint64_t)((u128)bytes * 8 *
						  UINT64_C(1000000000) /
						  duration)
				     : 0,
		.bytes = bytes,
		.pages_sent = g->phase == MIG_PHASE_DISK ? g->disk.in_flight
							  : g->mem.in_flight,
		.pages_skipped = g->round_skipped,
	};

	if (g->phase == MIG_PHASE_PAUSED) {
		if (m->cb.on_round)
			m->cb.on_round(m->cb.ctx, &r);
		g->stage = MIG_STAGE_COMMITTING;
		mig_event ev = {.slot = g->slot};
		sim_event_post(m->e, m->model,
			       sim_time_add(now, g->req.params.commitment_ns),
			       MIG_EV_COMMITTED, &ev, sizeof ev);
		return;
	}

	/* Disk blocks written during the round go with the next one. */
	uint64_t disk_left = g->has_disk
				     ? mig_space_round_end(&g->disk, now, duration)
				     : 0;
	if (g->phase == MIG_PHASE_DISK) {
		g->disk_rounds++;
		r.pages_dirtied = disk_left;
		if (m->cb.on_round)
			m->cb.on_round(m->cb.ctx, &r);
		if (!disk_stops(g, disk_left)) {
			round_begin(g, MIG_PHASE_DISK);
			return;
		}
		g->disk_end_ns = now;
		memory_begin(g);
		return;
	}

	g->live_rounds++;
	uint64_t remaining = mig_space_round_end(&g->mem, now, duration);
	/* Statistically the round's first writes are its distinct pages
	 * dirtied; page-exact the log counts them since it started. */
	if (g->mem.log)
		g->log_faults = mem_dirtylog_faults(g->mem.log);
	else
		g->log_faults += remaining;
	r.pages_dirtied = remaining;
	if (m->cb.on_round)
		m->cb.on_round(m->cb.ctx, &r);
	bool stop = policy_stops(g, remaining, g->mem.in_flight, duration);
	round_begin(g, stop ? MIG_PHASE_PAUSED : MIG_PHASE_LIVE);
}

static void mig_handle(sim_engine *e, sim_model *model, void *state,
		       uint32_t kind, const void *payload)
{
	(void)model;
	mig *m = state;
	const mig_event *ev = payload;
	if (ev->slot >= m->nslots || !m->slots[ev->slot])
		sim_panic("migration event for a finished migration");
	migration *g = m->slots[ev->slot];
	switch ((enum mig_event_kind)kind) {
	case MIG_EV_RESERVED:
		if (g->has_disk) {
			mig_space_begin(&g->disk, sim_now(e), true);
			round_begin(g, MIG_PHASE_DISK);
		} else {
			memory_begin(g);
		}
		break;
	case MIG_EV_COMMITTED: {
		g->stage = MIG_STAGE_ACTIVATING;
		mig_event next = {.slot = g->slot};
		sim_event_post(e, m->model,
			       sim_time_add(sim_now(e),
					    g->req.params.activation_ns),
			       MIG_EV_ACTIVATED, &next, sizeof next);
		break;
	}
	case MIG_EV_ACTIVATED:
		g->resume_ns = sim_now(e);
		if (m->cb.on_resume)
			m->cb.on_resume(m->cb.ctx, g->req.tag);
		if (g->req.params.scheme == MIG_SCHEME_POSTCOPY ||
		    g->req.params.scheme == MIG_SCHEME_HYBRID)
			mig_pull_begin(g);
		else
			mig_finish(g);
		break;
	default:
		sim_panic("unknown migration event kind %u", kind);
	}
}

/* ---- start ------------------------------------------------------------ */

static bool dirty_is_valid(const mig_dirty *d, uint64_t pages)
{
	switch (d->kind) {
	case MIG_DIRTY_NONE:
		return true;
	case MIG_DIRTY_UNIFORM:
		return isfinite(d->uniform_bytes_per_s) &&
		       d->uniform_bytes_per_s >= 0 &&
		       d->uniform_ws_pages <= pages;
	case MIG_DIRTY_HOTCOLD: {
		const mem_hotcold *h = &d->hotcold;
		return h->pages == pages && h->hot_pages <= h->pages &&
		       h->hot_offset <= h->pages - h->hot_pages &&
		       isfinite(h->hot_writes_per_s) &&
		       h->hot_writes_per_s >= 0 &&
		       isfinite(h->cold_writes_per_s) &&
		       h->cold_writes_per_s >= 0;
	}
	case MIG_DIRTY_PAGES:
		return d->pagegen != NULL;
	default:
		return false;
	}
}

static bool request_is_valid(const mig_request *q)
{
	const mig_params *p = &q->params;
	if (q->src == q->dst || q->pages == 0 || q->page_size_bytes == 0)
		return false;
	if (q->pages > NET_FLOW_MAX_BYTES / q->page_size_bytes)
		return false;
	if (p->scheme < 0 || p->scheme >= MIG_SCHEME_COUNT || p->policy < 0 ||
	    p->policy > MIG_POLICY_XEN_V2)
		return false;
	if (p->max_rate_bps == 0 ||
	    (p->policy == MIG_POLICY_CLARK && p->start_rate_bps == 0))
		return false;
	if (!isfinite(p->max_sent_factor) || p->max_sent_factor < 0)
		return false;
	if (p->pull_batch_pages == 0 || p->disk_max_rounds == 0)
		return false;
	/* The largest flow: all memory, all disk and the state at once. */
	u128 most = (u128)q->pages * q->page_size_bytes + p->state_bytes +
		    (u128)q->disk.blocks * q->disk.block_size_bytes;
	if (most > NET_FLOW_MAX_BYTES)
		return false;
	if (q->disk.blocks > 0 &&
	    (q->disk.block_size_bytes == 0 ||
	     !dirty_is_valid(&q->disk.dirty, q->disk.blocks) ||
	     !isfinite(q->disk.write_bytes_per_s) ||
	     q->disk.write_bytes_per_s < 0))
		return false;
	return dirty_is_valid(&q->dirty, q->pages);
}

/* The guest's disk write speed under the throttle: limit / nominal rate,
 * at most 1. */
static double disk_scale(const mig_request *q)
{
	uint64_t limit = q->params.disk_write_limit_bps;
	const mig_dirty *d = &q->disk.dirty;
	double bytes_per_s = q->disk.write_bytes_per_s;
	if (d->kind == MIG_DIRTY_UNIFORM)
		bytes_per_s = d->uniform_bytes_per_s;
	else if (d->kind == MIG_DIRTY_HOTCOLD)
		bytes_per_s = ((d->hotcold.hot_pages > 0
					? d->hotcold.hot_writes_per_s
					: 0) +
			       (d->hotcold.hot_pages < d->hotcold.pages
					? d->hotcold.cold_writes_per_s
					: 0)) *
			      (double)q->disk.block_size_bytes;
	if (limit == 0 || d->kind == MIG_DIRTY_NONE ||
	    8 * bytes_per_s <= (double)limit)
		return 1;
	return (double)limit / (8 * bytes_per_s);
}

/* The narrowest capacity and the latency of the path from src to dst. */
static void path_props(net_topo *t, const mig_request *q, uint64_t *bps,
		       uint64_t *latency)
{
	size_t hops = 0;
	if (net_topo_path_latency(t, q->src, q->dst, latency) != 0 ||
	    net_topo_path(t, q->src, q->dst, NULL, 0, &hops) != 0)
		sim_panic("migration path: no route");
	uint32_t *links = sim_xcalloc(hops ? hops : 1, sizeof *links);
	if (net_topo_path(t, q->src, q->dst, links, hops, &hops) != 0)
		sim_panic("migration path: no route");
	uint64_t narrowest = UINT64_MAX;
	for (size_t i = 0; i < hops; i++) {
		uint64_t c = net_topo_link(t, links[i])->capacity_bps;
		if (c < narrowest)
			narrowest = c;
	}
	free(links);
	*bps = narrowest;
}

int mig_migration_start(mig *m, const mig_request *req)
{
	if (!request_is_valid(req))
		return SIM_EINPUT;
	size_t hops;
	int rc = net_topo_path(net_topology(m->n), req->src, req->dst, NULL, 0,
			       &hops);
	if (rc != 0)
		return rc;
	if (m->nslots == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->slots = sim_xrealloc(m->slots, m->cap, sizeof *m->slots);
	}
	migration *g = sim_xcalloc(1, sizeof *g);
	g->owner = m;
	g->slot = (uint32_t)m->nslots;
	g->req = *req;
	g->last_sent = req->pages;
	g->unstopped = 1;
	g->stage = MIG_STAGE_RESERVING;
	g->start_ns = sim_now(m->e);
	mig_space_init(&g->mem, req->pages, req->page_size_bytes, &req->dirty, 1);
	g->has_disk = req->disk.blocks > 0;
	if (g->has_disk)
		mig_space_init(&g->disk, req->disk.blocks,
			       req->disk.block_size_bytes, &req->disk.dirty,
			       disk_scale(req));
	path_props(net_topology(m->n), req, &g->path_bps, &g->path_latency_ns);
	m->slots[m->nslots++] = g;
	m->active++;
	mig_event ev = {.slot = g->slot};
	sim_event_post(m->e, m->model,
		       sim_time_add(g->start_ns, req->params.reservation_ns),
		       MIG_EV_RESERVED, &ev, sizeof ev);
	return 0;
}
