/* SPDX-License-Identifier: MIT */
/*
 * The migration model: a per-migration state machine driven by timer
 * events (reservation, commitment, activation) and by the completions of
 * its round flows on the net. Dirtying is statistical (expected page
 * counts, no bitmaps) or page-exact (a dirty log and a to-send bitmap).
 * Draws no random numbers itself; a page-exact guest's generator does.
 */
#include "mig.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

__extension__ typedef unsigned __int128 u128;

/* ---- parameters ------------------------------------------------------- */

static const char *const scheme_choices[] = {"stop-and-copy", "precopy",
					     NULL};
static const char *const policy_choices[] = {"xen", "clark", "qemu",
					     "xen-v2", NULL};

static const cfg_param mig_param_table[] = {
	{.name = "scheme", .type = CFG_T_ENUM, .def = "precopy",
	 .choices = scheme_choices, .offset = offsetof(mig_params, scheme),
	 .doc = "stop-and-copy, or iterative pre-copy then stop-and-copy "
		"(Clark §3, reference §1.2)"},
	{.name = "policy", .type = CFG_T_ENUM, .def = "xen",
	 .choices = policy_choices, .offset = offsetof(mig_params, policy),
	 .doc = "when pre-copy stops: Xen legacy caps (§2.1), Clark's rate "
		"rule (§1.4), QEMU's downtime rule (§3.1) or Xen v2 (§2.2)"},
	/* START_MBIT_RATE 100 in Xen's legacy save code (§2.1, §1.4). */
	{.name = "start_rate", .type = CFG_T_RATE, .def = "100Mibit/s",
	 .min = "1bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mig_params, start_rate_bps),
	 .doc = "clark: rate of the first round"},
	/* Clark §5: "+ 50 Mbit/s" per round (§1.4). */
	{.name = "rate_step", .type = CFG_T_RATE, .def = "50Mibit/s",
	 .min = "0bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mig_params, rate_step_bps),
	 .doc = "clark: added to the observed dirty rate for the next round"},
	/* MAX_MBIT_RATE 500 in Xen's legacy save code (§2.1). */
	{.name = "max_rate", .type = CFG_T_RATE, .def = "500Mibit/s",
	 .min = "1bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mig_params, max_rate_bps),
	 .doc = "cap of every flow of the migration, and the paused round's "
		"rate"},
	/* DEF_MAX_ITERS 29 (§2.1). */
	{.name = "max_rounds", .type = CFG_T_UINT, .def = "29", .min = "1",
	 .max = "1000000", .offset = offsetof(mig_params, max_rounds),
	 .doc = "live pre-copy rounds at most"},
	/* DEF_MAX_FACTOR 3 (§2.1). */
	{.name = "max_sent_factor", .type = CFG_T_FLOAT, .def = "3",
	 .min = "1", .max = "1000000",
	 .offset = offsetof(mig_params, max_sent_factor),
	 .doc = "xen, clark: stop once more than this many times the memory "
		"has been sent"},
	/* "sent_this_iter + skip_this_iter < 50" (§2.1), and Xen v2's
	 * SPP_TARGET_DIRTY_COUNT 50 (§2.2). */
	{.name = "stop_pages", .type = CFG_T_UINT, .def = "50", .min = "0",
	 .max = "1000000000000",
	 .offset = offsetof(mig_params, stop_pages),
	 .doc = "stop when fewer pages than this remain to send"},
	/* DEFAULT_MIGRATE_SET_DOWNTIME 300 ms (§3). */
	{.name = "downtime_limit", .type = CFG_T_TIME, .def = "300ms",
	 .min = "0ns", .max = "2000s",
	 .offset = offsetof(mig_params, downtime_limit_ns),
	 .doc = "qemu: switch over when the rest can be sent in this time"},
	/* Xen legacy peeks the dirty bitmap and skips (§2.1, Clark §5). */
	{.name = "skip", .type = CFG_T_BOOL, .def = "true",
	 .offset = offsetof(mig_params, skip),
	 .doc = "skip pages dirtied again before they are sent (Xen legacy)"},
	/* The reference gives no general figure for stages 1 and 4 (§1.2);
	 * they default to free. */
	{.name = "reservation_cost", .type = CFG_T_TIME, .def = "0ns",
	 .min = "0ns", .max = "1h",
	 .offset = offsetof(mig_params, reservation_ns),
	 .doc = "stage 1: reserving resources at the target"},
	{.name = "commitment_cost", .type = CFG_T_TIME, .def = "0ns",
	 .min = "0ns", .max = "1h",
	 .offset = offsetof(mig_params, commitment_ns),
	 .doc = "stage 4: the target confirms, the source lets go (paused)"},
	/* Clark §6 measured 9 to 40 ms (oracle 8); it depends on the guest,
	 * so the default is left at 0. */
	{.name = "activation_cost", .type = CFG_T_TIME, .def = "0ns",
	 .min = "0ns", .max = "1h",
	 .offset = offsetof(mig_params, activation_ns),
	 .doc = "stage 5: resuming at the target, gratuitous ARP (paused)"},
};

static const cfg_section mig_section = {
	.path = "migrations[]",
	.doc = "a live migration's scheme, pre-copy policy, rates and stage "
	       "costs",
	.params = mig_param_table,
	.nparams = sizeof mig_param_table / sizeof mig_param_table[0]};

static const cfg_section *const sections[] = {&mig_section, NULL};

const cfg_section *const *mig_sections(void)
{
	return sections;
}

void mig_params_default(mig_params *p)
{
	sim_diag d;
	sim_diag_init(&d);
	*p = (mig_params){0};
	/* Loading an absent mapping applies every default: the table is the
	 * one place they are written. */
	if (cfg_section_load(&mig_section, NULL, NULL, p, &d) != 0)
		sim_panic("migration defaults do not load: %s", d.text);
	sim_diag_fini(&d);
}

#define MIBIT(x) ((uint64_t)(x) << 20)

void mig_params_preset(mig_params *p, mig_policy policy)
{
	p->policy = (int)policy;
	switch (policy) {
	case MIG_POLICY_XEN:
		p->max_rounds = 29;
		p->max_sent_factor = 3;
		p->stop_pages = 50;
		break;
	case MIG_POLICY_CLARK:
		p->max_rounds = 29;
		p->max_sent_factor = 3;
		p->stop_pages = 50;
		p->start_rate_bps = MIBIT(100);
		p->max_rate_bps = MIBIT(500);
		break;
	case MIG_POLICY_QEMU:
		p->downtime_limit_ns = SIM_MS(300);
		p->skip = false;
		break;
	case MIG_POLICY_XEN_V2:
		p->max_rounds = 5;
		p->stop_pages = 50;
		p->skip = false;
		break;
	default:
		sim_panic("unknown migration policy %d", (int)policy);
	}
}

uint64_t mig_rate_next_bps(const mig_params *p, uint64_t current_bps,
			   uint64_t dirty_bps, bool *over)
{
	uint64_t want = dirty_bps > UINT64_MAX - p->rate_step_bps
				? UINT64_MAX
				: dirty_bps + p->rate_step_bps;
	if (want < current_bps)
		want = current_bps;
	bool is_over = want > p->max_rate_bps;
	if (over)
		*over = is_over;
	return is_over ? p->max_rate_bps : want;
}

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

typedef struct migration {
	mig *owner;
	uint32_t slot;
	mig_request req;
	uint64_t start_ns, stop_ns;
	uint32_t live_rounds;      /* finished live rounds */
	bool last_live;            /* XEN_V2: this live round is the last */
	bool paused;               /* the round in flight is the paused one */
	mem_pageset to_send;       /* expected pages of the current round */
	uint64_t round_pages;      /* pages the current flow carries */
	uint64_t round_skipped;
	uint64_t round_start_ns;
	uint64_t round_cap_bps;
	uint64_t total_pages;
	net_flow_id flow;
	/* Page-exact only: the log, the current round's pages, and the time
	 * up to which the guest's writes have been drawn. */
	mem_dirtylog *log;
	mem_bitmap send;
	uint64_t drawn_ns;
} migration;

struct mig {
	net *n;
	sim_engine *e;
	sim_model *model;
	mig_callbacks cb;
	migration **slots;         /* owned; NULL where a migration ended */
	size_t nslots, cap;
	size_t active;
};

static void migration_free(migration *g)
{
	if (!g)
		return;
	mem_dirtylog_destroy(g->log);
	if (g->log)
		mem_bitmap_fini(&g->send);
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

static uint64_t pages_of(double expected)
{
	if (!(expected > 0))
		return 0;
	return (uint64_t)llround(expected);
}

static double pageset_total(mem_pageset s)
{
	return s.hot_pages + s.cold_pages;
}

static void flow_done(void *ctx, net *n, net_flow_id id);

static void start_flow(migration *g, uint64_t pages)
{
	mig *m = g->owner;
	uint64_t bytes = pages * g->req.page_size_bytes;
	if (net_flow_start(m->n, g->req.src, g->req.dst, bytes,
			   g->round_cap_bps, flow_done, g, &g->flow) != 0)
		sim_panic("migration flow %u -> %u did not start", g->req.src,
			  g->req.dst);
	g->round_pages = pages;
}

/* Pages sent of a hot/cold to-send set under Xen's skip when the round's
 * transmission lasts tx_ns. */
static double skip_sent(const mem_hotcold *hc, mem_pageset set,
			uint64_t tx_ns)
{
	return pageset_total(mem_hotcold_round(hc, set, tx_ns).sent);
}

/* With skip, the pages sent depend on the round's length, which depends
 * on the pages sent. The flow was started with the whole set to learn the
 * rate the fabric gives it now; the transmission time T solves
 * T = 8·P·sent(T)/rate, and since sent(T) falls as T grows the solution is
 * unique and bisection finds it. The flow is then restarted (in the same
 * ns, so nothing was sent) with that many pages. A rate that changes later
 * in the round does not revise the estimate. */
static void apply_skip(migration *g)
{
	mig *m = g->owner;
	uint64_t rate = net_flow_rate_bps(m->n, g->flow);
	if (rate == 0)
		return;
	const mem_hotcold *hc = &g->req.dirty.hotcold;
	double bits_per_page = 8.0 * (double)g->req.page_size_bytes;
	double lo = 0;
	double hi = pageset_total(g->to_send) * bits_per_page * 1e9 /
		    (double)rate;
	for (int i = 0; i < 64; i++) {
		double mid = 0.5 * (lo + hi);
		double sent = skip_sent(hc, g->to_send, (uint64_t)mid);
		if (mid - sent * bits_per_page * 1e9 / (double)rate < 0)
			lo = mid;
		else
			hi = mid;
	}
	uint64_t sent = pages_of(skip_sent(hc, g->to_send, (uint64_t)hi));
	if (sent >= g->round_pages)
		return;
	g->round_skipped = g->round_pages - sent;
	if (net_flow_cancel(m->n, g->flow) != 0)
		sim_panic("migration flow vanished");
	start_flow(g, sent);
}

static void mark_write(void *ctx, uint64_t page)
{
	mem_dirtylog_mark(ctx, page);
}

/* Draws the guest's writes up to t_ns into the log. */
static void draw_writes(migration *g, uint64_t t_ns)
{
	if (t_ns <= g->drawn_ns)
		return;
	wl_pagegen_writes(g->req.dirty.pagegen, g->drawn_ns, t_ns, mark_write,
			  g->log);
	g->drawn_ns = t_ns;
}

/* Page-exact skip: the round's pages leave in ascending order at the
 * flow's current rate, so batch b leaves once the pages before it have
 * been sent; the log is peeked then, as Xen peeks before each batch, and
 * pages found dirty are dropped from this round (they stay in the log for
 * the next). The flow is restarted in the same ns with what is left. */
static void apply_skip_pages(migration *g)
{
	mig *m = g->owner;
	uint64_t rate = net_flow_rate_bps(m->n, g->flow);
	if (rate == 0)
		return;
	u128 bits_per_page = (u128)g->req.page_size_bytes * 8;
	uint64_t sent = 0, skipped = 0, in_batch = 0;
	uint64_t pages = g->send.pages;
	for (uint64_t p = mem_bitmap_next(&g->send, 0); p < pages;
	     p = mem_bitmap_next(&g->send, p + 1)) {
		if (in_batch == 0) {
			u128 ns = (sent * bits_per_page * UINT64_C(1000000000) +
				   rate - 1) /
				  rate;
			uint64_t at = ns > SIM_TIME_MAX - g->round_start_ns
					      ? SIM_TIME_MAX
					      : g->round_start_ns + (uint64_t)ns;
			draw_writes(g, at);
		}
		if (mem_dirtylog_peek(g->log, p)) {
			mem_bitmap_clear(&g->send, p);
			skipped++;
		} else {
			sent++;
		}
		in_batch = (in_batch + 1) % MIG_SKIP_BATCH_PAGES;
	}
	if (skipped == 0)
		return;
	g->round_skipped = skipped;
	if (net_flow_cancel(m->n, g->flow) != 0)
		sim_panic("migration flow vanished");
	start_flow(g, sent);
}

static void round_begin(migration *g, bool paused)
{
	mig *m = g->owner;
	g->paused = paused;
	g->round_start_ns = sim_now(m->e);
	g->round_skipped = 0;
	const mig_params *p = &g->req.params;
	if (paused) {
		g->stop_ns = g->round_start_ns;
		g->round_cap_bps = p->max_rate_bps;
	} else if (g->live_rounds == 0) {
		g->round_cap_bps = p->policy == MIG_POLICY_CLARK
					   ? p->start_rate_bps
					   : p->max_rate_bps;
	}
	/* Otherwise round_cap_bps was set when the last round ended. */
	if (g->log) {
		if (paused)
			mem_dirtylog_stop(g->log);
		start_flow(g, mem_bitmap_count(&g->send));
	} else {
		start_flow(g, pages_of(pageset_total(g->to_send)));
	}
	/* Xen skips in live rounds only (§2.1: disabled in the last round). */
	if (!paused && p->skip && g->req.dirty.kind == MIG_DIRTY_HOTCOLD)
		apply_skip(g);
	if (!paused && p->skip && g->log)
		apply_skip_pages(g);
}

static void finish(migration *g)
{
	mig *m = g->owner;
	uint64_t now = sim_now(m->e);
	mig_result r = {
		.tag = g->req.tag,
		.scheme = (mig_scheme)g->req.params.scheme,
		.policy = (mig_policy)g->req.params.policy,
		.start_ns = g->start_ns,
		.end_ns = now,
		.stop_ns = g->stop_ns,
		.total_ns = now - g->start_ns,
		.downtime_ns = now - g->stop_ns,
		.bytes = g->total_pages * g->req.page_size_bytes,
		.pages_sent = g->total_pages,
		.rounds = g->live_rounds,
	};
	m->slots[g->slot] = NULL;
	m->active--;
	migration_free(g);
	if (m->cb.on_done)
		m->cb.on_done(m->cb.ctx, &r);
}

/* Expected pages dirtied in a live round of duration_ns. */
static mem_pageset dirtied_in(const migration *g, uint64_t duration_ns)
{
	mem_pageset s = {0, 0};
	double m_pages = (double)g->req.pages;
	switch (g->req.dirty.kind) {
	case MIG_DIRTY_NONE:
		break;
	case MIG_DIRTY_UNIFORM:
		s.hot_pages = g->req.dirty.uniform_bytes_per_s *
			      ((double)duration_ns / 1e9) /
			      (double)g->req.page_size_bytes;
		if (s.hot_pages > m_pages)
			s.hot_pages = m_pages;
		break;
	case MIG_DIRTY_HOTCOLD:
		s = mem_hotcold_dirtied(&g->req.dirty.hotcold, duration_ns);
		break;
	case MIG_DIRTY_PAGES: /* counted in the log instead */
	default:
		sim_panic("unknown dirty model %d", (int)g->req.dirty.kind);
	}
	return s;
}

/* Decides after live round k whether pre-copy goes on, and sets the next
 * round's cap. Returns true to stop (pause and send the rest). */
static bool policy_stops(migration *g, uint64_t remaining_pages,
			 uint64_t sent_bytes, uint64_t duration_ns)
{
	const mig_params *p = &g->req.params;
	uint64_t k = g->live_rounds;
	bool caps = k >= p->max_rounds || remaining_pages < p->stop_pages ||
		    (double)g->total_pages >
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
					       g->req.page_size_bytes * 8 *
					       UINT64_C(1000000000) /
					       duration_ns);
		bool over;
		g->round_cap_bps =
			mig_rate_next_bps(p, g->round_cap_bps, dirty_bps, &over);
		return over;
	}
	case MIG_POLICY_QEMU:
		/* remaining ≤ (sent / duration) · limit, cross-multiplied so
		 * that it is exact; a round of no duration has unbounded
		 * bandwidth. */
		return k >= p->max_rounds ||
		       (u128)remaining_pages * g->req.page_size_bytes *
				       duration_ns <=
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

static void flow_done(void *ctx, net *n, net_flow_id id)
{
	(void)id;
	migration *g = ctx;
	mig *m = g->owner;
	uint64_t now = sim_now(net_engine(n));
	uint64_t duration = now - g->round_start_ns;
	uint64_t bytes = g->round_pages * g->req.page_size_bytes;
	g->total_pages += g->round_pages;
	g->flow = 0;

	mig_round_result r = {
		.tag = g->req.tag,
		.index = g->live_rounds + 1,
		.paused = g->paused,
		.start_ns = g->round_start_ns,
		.duration_ns = duration,
		.cap_bps = g->round_cap_bps,
		.rate_bps = duration ? (uint64_t)((u128)bytes * 8 *
						  UINT64_C(1000000000) /
						  duration)
				     : 0,
		.pages_sent = g->round_pages,
		.pages_skipped = g->round_skipped,
	};

	if (g->paused) {
		if (m->cb.on_round)
			m->cb.on_round(m->cb.ctx, &r);
		mig_event ev = {.slot = g->slot};
		sim_event_schedule(m->e, m->model,
				   sim_time_add(now, g->req.params.commitment_ns),
				   MIG_EV_COMMITTED, &ev, sizeof ev);
		return;
	}

	g->live_rounds++;
	mem_pageset next = {0, 0};
	uint64_t remaining;
	if (g->log) {
		/* SHADOW_OP_CLEAN: the next round sends what was dirtied. */
		draw_writes(g, now);
		remaining = mem_dirtylog_clean_into(g->log, &g->send);
	} else {
		next = dirtied_in(g, duration);
		remaining = pages_of(pageset_total(next));
	}
	r.pages_dirtied = remaining;
	if (m->cb.on_round)
		m->cb.on_round(m->cb.ctx, &r);
	g->to_send = next;
	bool stop = policy_stops(g, remaining, bytes, duration);
	round_begin(g, stop);
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
		g->to_send = (mem_pageset){0, 0};
		if (g->req.dirty.kind == MIG_DIRTY_HOTCOLD) {
			g->to_send.hot_pages =
				(double)g->req.dirty.hotcold.hot_pages;
			g->to_send.cold_pages =
				(double)(g->req.pages -
					 g->req.dirty.hotcold.hot_pages);
		} else {
			g->to_send.hot_pages = (double)g->req.pages;
		}
		/* Page-exact logging starts with round 1, which sends every
		 * page; writes before it do not matter. */
		if (g->req.dirty.kind == MIG_DIRTY_PAGES &&
		    g->req.params.scheme == MIG_SCHEME_PRECOPY) {
			g->log = mem_dirtylog_create(g->req.pages);
			mem_bitmap_init(&g->send, g->req.pages);
			mem_bitmap_fill(&g->send);
			mem_dirtylog_start(g->log);
			g->drawn_ns = sim_now(e);
		}
		round_begin(g, g->req.params.scheme == MIG_SCHEME_STOP_AND_COPY);
		break;
	case MIG_EV_COMMITTED: {
		mig_event next = {.slot = g->slot};
		sim_event_schedule(e, m->model,
				   sim_time_add(sim_now(e),
						g->req.params.activation_ns),
				   MIG_EV_ACTIVATED, &next, sizeof next);
		break;
	}
	case MIG_EV_ACTIVATED:
		finish(g);
		break;
	default:
		sim_panic("unknown migration event kind %u", kind);
	}
}

/* ---- start ------------------------------------------------------------ */

static bool request_is_valid(const mig_request *q)
{
	const mig_params *p = &q->params;
	if (q->src == q->dst || q->pages == 0 || q->page_size_bytes == 0)
		return false;
	if (q->pages > NET_FLOW_MAX_BYTES / q->page_size_bytes)
		return false;
	if (p->scheme < 0 || p->scheme > MIG_SCHEME_PRECOPY || p->policy < 0 ||
	    p->policy > MIG_POLICY_XEN_V2)
		return false;
	if (p->max_rate_bps == 0 ||
	    (p->policy == MIG_POLICY_CLARK && p->start_rate_bps == 0))
		return false;
	if (!isfinite(p->max_sent_factor) || p->max_sent_factor < 0)
		return false;
	switch (q->dirty.kind) {
	case MIG_DIRTY_NONE:
		return true;
	case MIG_DIRTY_UNIFORM:
		return isfinite(q->dirty.uniform_bytes_per_s) &&
		       q->dirty.uniform_bytes_per_s >= 0;
	case MIG_DIRTY_HOTCOLD: {
		const mem_hotcold *h = &q->dirty.hotcold;
		return h->pages == q->pages && h->hot_pages <= h->pages &&
		       isfinite(h->hot_writes_per_s) &&
		       h->hot_writes_per_s >= 0 &&
		       isfinite(h->cold_writes_per_s) &&
		       h->cold_writes_per_s >= 0;
	}
	case MIG_DIRTY_PAGES:
		return q->dirty.pagegen != NULL;
	default:
		return false;
	}
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
	g->start_ns = sim_now(m->e);
	m->slots[m->nslots++] = g;
	m->active++;
	mig_event ev = {.slot = g->slot};
	sim_event_schedule(m->e, m->model,
			   sim_time_add(g->start_ns, req->params.reservation_ns),
			   MIG_EV_RESERVED, &ev, sizeof ev);
	return 0;
}
