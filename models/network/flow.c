/* SPDX-License-Identifier: MIT */
/*
 * The flow model: an engine model whose events are flow drains and
 * deliveries, per-link flow lists and carried-bit integrals, exact integer
 * progress of each flow, and max-min fair rates recomputed by water-filling
 * over the connected component of links and flows that a change touches.
 * Routes come from the topology; latency is added once, at the end.
 */
#include "net.h"
#include "net_internal.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define NS_PER_S UINT64_C(1000000000)

/* Rates times durations overflow 64 bits (10 Gbit/s for 60 years of ns
 * does), so progress and integrals are kept in 128 bits. */
__extension__ typedef unsigned __int128 u128;

enum net_event_kind {
	NET_EV_DRAIN = 1, /* a flow's last bit leaves its source */
	NET_EV_DELIVER,   /* a drained flow's last bit arrives: on_done */
};

typedef struct net_payload {
	uint32_t flow, gen;
} net_payload;
_Static_assert(sizeof(net_payload) <= SIM_PAYLOAD_MAX,
	       "the network's payload must fit in an event");

/* A flow's entry in a link's list: which flow, and which hop of its route
 * the link is (so that the flow's position record can be updated when
 * entries move). */
typedef struct member {
	uint32_t flow, hop;
} member;

typedef struct link_state {
	/* The integral of load over time, in bit·ns, up to folded_ns, less
	 * the parts below one bit left by flows that have gone: so that once
	 * a link is idle it holds exactly 10^9 times the bits it carried. */
	u128 bit_ns;
	uint64_t capacity_bps;
	uint64_t load_bps;
	uint64_t folded_ns;
	member *flows; /* sharing flows crossing it, in no particular order */
	uint32_t nflows, flows_cap;
	/* Scratch of one recomputation. */
	uint64_t rem_bps;  /* capacity not yet given to frozen flows */
	uint32_t unfrozen; /* flows on it not yet frozen */
	uint32_t heap_pos;
	uint32_t seen; /* epoch of the last component search that met it */
} link_state;

typedef struct flow {
	uint32_t gen;  /* generation in the handle; changes when freed */
	uint8_t state; /* 0 when free, else a net_flow_state */
	bool frozen;   /* scratch: rate fixed by this water-filling */
	uint32_t seen; /* scratch: epoch of the last component search */
	uint32_t src, dst;
	uint32_t *links; /* route, directed links from the source */
	uint32_t *pos;   /* pos[i]: index of this flow in links[i]'s list */
	uint32_t nlinks, links_cap;
	uint64_t bytes, cap_bps, rate_bps;
	uint64_t new_rate_bps; /* scratch: result of the water-filling */
	/* Progress as of updated_ns: whole bits still to send, the part of a
	 * bit already sent (bit·ns, < 10^9), and what was sent beyond the
	 * size in the nanosecond that drained it (bit·ns). */
	uint64_t remaining_bits, carry_bit_ns, excess_bit_ns;
	uint64_t updated_ns;
	uint64_t drain_ns; /* at the current rate; SIM_TIME_MAX if never */
	uint64_t latency_ns, start_ns;
	uint64_t seq; /* start order, for the order of simultaneous calls */
	sim_event_id ev;
	net_flow_done_fn done;
	void *ctx;
	uint32_t next_free;
} flow;

/* A capped flow in the order the water-filling considers caps. */
typedef struct capped {
	uint64_t cap_bps, seq;
	uint32_t flow;
} capped;

struct net {
	sim_engine *engine;
	sim_model *model;
	net_topo *topo;

	link_state *links;
	uint32_t nlinks;

	flow *flows;
	uint32_t nflows, flows_cap, free_head;
	size_t active;
	uint64_t next_seq;

	/* Scratch of one recomputation, sized for every link and flow slot. */
	uint32_t epoch;
	uint32_t *comp_links, ncomp_links;
	uint32_t *comp_flows, ncomp_flows;
	uint32_t *batch;
	capped *caps;
	uint32_t *heap, nheap;
	uint32_t *route;
	size_t route_cap;

	void (*hook)(void *ctx, const net *n);
	void *hook_ctx;
	bool in_hook;
	uint64_t reshares, rate_changes;
};

/* ---- flow slots and handles -------------------------------------------- */

static net_flow_id id_of(const net *n, uint32_t fi)
{
	return ((uint64_t)n->flows[fi].gen << 32) | fi;
}

/* The slot of a live flow with handle id (any state but free), or NIL. */
static uint32_t slot_of(const net *n, net_flow_id id)
{
	uint32_t fi = (uint32_t)id, gen = (uint32_t)(id >> 32);
	if (gen == 0 || fi >= n->nflows)
		return NIL;
	const flow *f = &n->flows[fi];
	return f->gen == gen && f->state != 0 ? fi : NIL;
}

static uint32_t flow_alloc(net *n)
{
	uint32_t fi = n->free_head;
	if (fi != NIL) {
		n->free_head = n->flows[fi].next_free;
		return fi;
	}
	if (n->nflows == n->flows_cap) {
		if (n->flows_cap >= NIL / 4)
			sim_panic("net_flow_start: too many flows");
		uint32_t cap = n->flows_cap ? 2 * n->flows_cap : 64;
		n->flows = sim_xrealloc(n->flows, cap, sizeof *n->flows);
		memset(n->flows + n->flows_cap, 0,
		       (cap - n->flows_cap) * sizeof *n->flows);
		n->comp_flows = sim_xrealloc(n->comp_flows, cap,
					     sizeof *n->comp_flows);
		n->batch = sim_xrealloc(n->batch, cap, sizeof *n->batch);
		n->caps = sim_xrealloc(n->caps, cap, sizeof *n->caps);
		n->flows_cap = cap;
	}
	n->flows[n->nflows].gen = 1;
	return n->nflows++;
}

/* Frees a slot and retires its handle. The route arrays stay with the
 * slot for its next flow. As in the engine, a slot whose generation would
 * wrap is retired for good rather than risk a confused handle. */
static void flow_free(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	f->state = 0;
	f->done = NULL;
	f->ctx = NULL;
	f->ev = 0;
	if (f->gen == UINT32_MAX)
		return;
	f->gen++;
	f->next_free = n->free_head;
	n->free_head = fi;
}

/* ---- exact progress ----------------------------------------------------- */

/* Bits sent by a flow at rate r over dt ns with carry c: the whole part of
 * (r·dt + c) / 10^9, and the new carry. */
static void progress(uint64_t rate_bps, uint64_t dt_ns, uint64_t carry,
		     u128 *sent_bits, uint64_t *new_carry)
{
	u128 num = (u128)rate_bps * dt_ns + carry;
	*sent_bits = num / NS_PER_S;
	*new_carry = (uint64_t)(num % NS_PER_S);
}

/* Brings a sharing flow's progress to now at its current rate. Lazy
 * updates are exact because the rate was constant since updated_ns and
 * the carry keeps the fraction of a bit. */
static void advance(flow *f, uint64_t now)
{
	if (now == f->updated_ns)
		return;
	u128 num = (u128)f->rate_bps * (now - f->updated_ns) + f->carry_bit_ns;
	u128 sent = num / NS_PER_S;
	if (sent >= f->remaining_bits) {
		/* Only in the nanosecond that drains the flow: what the fluid
		 * carried beyond the flow's size is kept so that it can be
		 * taken back from the links' integrals. */
		f->excess_bit_ns +=
			(uint64_t)(num - (u128)f->remaining_bits * NS_PER_S);
		f->remaining_bits = 0;
		f->carry_bit_ns = 0;
	} else {
		f->remaining_bits -= (uint64_t)sent;
		f->carry_bit_ns = (uint64_t)(num % NS_PER_S);
	}
	f->updated_ns = now;
}

/* The first ns at which a flow updated at `now` has sent all its bits:
 * the least dt with rate·dt + carry >= remaining·10^9. */
static uint64_t drain_time(const flow *f, uint64_t now)
{
	if (f->remaining_bits == 0)
		return now;
	if (f->rate_bps == 0)
		return SIM_TIME_MAX;
	u128 need = (u128)f->remaining_bits * NS_PER_S - f->carry_bit_ns;
	u128 dt = (need + f->rate_bps - 1) / f->rate_bps;
	if (dt >= SIM_TIME_MAX - now)
		return SIM_TIME_MAX;
	return now + (uint64_t)dt;
}

static void schedule(net *n, uint32_t fi, uint64_t at_ns, uint32_t kind)
{
	flow *f = &n->flows[fi];
	net_payload p = {fi, f->gen};
	f->ev = sim_event_schedule(n->engine, n->model, at_ns, kind, &p,
				   sizeof p);
}

static void unschedule(net *n, flow *f)
{
	if (f->ev)
		sim_event_cancel(n->engine, f->ev);
	f->ev = 0;
}

/* ---- link lists and integrals ------------------------------------------ */

static void link_join(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	for (uint32_t k = 0; k < f->nlinks; k++) {
		link_state *l = &n->links[f->links[k]];
		if (l->nflows == l->flows_cap) {
			l->flows_cap = l->flows_cap ? 2 * l->flows_cap : 4;
			l->flows = sim_xrealloc(l->flows, l->flows_cap,
						sizeof *l->flows);
		}
		f->pos[k] = l->nflows;
		l->flows[l->nflows++] = (member){fi, k};
	}
}

/* Takes a flow off its links, which must have been folded to now, and
 * takes back from their integrals the sub-bit part it leaves unsent (its
 * carry) and what it carried beyond its size, so that each link keeps
 * exactly 10^9 bit·ns per whole bit the flow sent. */
static void link_leave(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	uint64_t back = f->carry_bit_ns + f->excess_bit_ns;
	for (uint32_t k = 0; k < f->nlinks; k++) {
		link_state *l = &n->links[f->links[k]];
		if (l->bit_ns < back)
			sim_panic("net: link %u integral below a flow's share",
				  f->links[k]);
		l->bit_ns -= back;
		uint32_t p = f->pos[k];
		member last = l->flows[--l->nflows];
		l->flows[p] = last;
		n->flows[last.flow].pos[last.hop] = p;
	}
	f->carry_bit_ns = f->excess_bit_ns = 0;
}

/* ---- the component a change touches ------------------------------------ */

static void epoch_next(net *n)
{
	if (++n->epoch != 0)
		return;
	/* Wrapped: clear every mark once, so old epochs cannot collide. */
	for (uint32_t l = 0; l < n->nlinks; l++)
		n->links[l].seen = 0;
	for (uint32_t fi = 0; fi < n->nflows; fi++)
		n->flows[fi].seen = 0;
	n->epoch = 1;
}

static void visit_link(net *n, uint32_t l)
{
	if (n->links[l].seen == n->epoch)
		return;
	n->links[l].seen = n->epoch;
	n->comp_links[n->ncomp_links++] = l;
}

/* Collects into comp_links and comp_flows every link and sharing flow
 * connected to the seed links through flows that share links. Max-min
 * rates of different components do not depend on each other, so only this
 * component needs recomputing. Also folds each link's integral to now at
 * its old load, before anything about the component changes. Cost O(links
 * + flows·hops of the component). */
static void collect(net *n, const uint32_t *seeds, uint32_t nseeds)
{
	epoch_next(n);
	n->ncomp_links = n->ncomp_flows = 0;
	for (uint32_t i = 0; i < nseeds; i++)
		visit_link(n, seeds[i]);
	for (uint32_t i = 0; i < n->ncomp_links; i++) {
		link_state *l = &n->links[n->comp_links[i]];
		for (uint32_t j = 0; j < l->nflows; j++) {
			uint32_t fi = l->flows[j].flow;
			flow *f = &n->flows[fi];
			if (f->seen == n->epoch)
				continue;
			f->seen = n->epoch;
			n->comp_flows[n->ncomp_flows++] = fi;
			for (uint32_t k = 0; k < f->nlinks; k++)
				visit_link(n, f->links[k]);
		}
	}
	uint64_t now = sim_now(n->engine);
	for (uint32_t i = 0; i < n->ncomp_links; i++) {
		link_state *l = &n->links[n->comp_links[i]];
		l->bit_ns += (u128)l->load_bps * (now - l->folded_ns);
		l->folded_ns = now;
	}
}

/* ---- water-filling ------------------------------------------------------ */

/* Link a has a smaller fair share than link b: rem/unfrozen compared
 * exactly as fractions, ties to the lower link index. Comparing exact
 * shares rather than their floors matters: the link that is really the
 * tightest must freeze its flows first, or a flow could be held to a
 * floored share on a link it does not saturate. */
static bool share_less(const net *n, uint32_t a, uint32_t b)
{
	const link_state *x = &n->links[a], *y = &n->links[b];
	u128 lhs = (u128)x->rem_bps * y->unfrozen;
	u128 rhs = (u128)y->rem_bps * x->unfrozen;
	if (lhs != rhs)
		return lhs < rhs;
	return a < b;
}

static void heap_set(net *n, uint32_t pos, uint32_t l)
{
	n->heap[pos] = l;
	n->links[l].heap_pos = pos;
}

static void heap_up(net *n, uint32_t pos)
{
	uint32_t l = n->heap[pos];
	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;
		if (!share_less(n, l, n->heap[parent]))
			break;
		heap_set(n, pos, n->heap[parent]);
		pos = parent;
	}
	heap_set(n, pos, l);
}

static void heap_down(net *n, uint32_t pos)
{
	uint32_t l = n->heap[pos];
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= n->nheap)
			break;
		if (c + 1 < n->nheap && share_less(n, n->heap[c + 1], n->heap[c]))
			c++;
		if (!share_less(n, n->heap[c], l))
			break;
		heap_set(n, pos, n->heap[c]);
		pos = c;
	}
	heap_set(n, pos, l);
}

static void heap_remove(net *n, uint32_t pos)
{
	uint32_t last = n->heap[--n->nheap];
	if (pos == n->nheap)
		return;
	heap_set(n, pos, last);
	heap_up(n, pos);
	heap_down(n, n->links[last].heap_pos);
}

/* Fixes a flow's rate and charges it to its links. A flow is only ever
 * frozen at r <= the least share s_min <= s = C/k of each of its links,
 * and then (C - r)/(k - 1) >= C/k because C >= k·r: a link's share never
 * falls, so it can only move down the heap. */
static void freeze(net *n, uint32_t fi, uint64_t rate_bps)
{
	flow *f = &n->flows[fi];
	f->frozen = true;
	f->new_rate_bps = rate_bps;
	for (uint32_t k = 0; k < f->nlinks; k++) {
		link_state *l = &n->links[f->links[k]];
		if (l->rem_bps < rate_bps || l->unfrozen == 0)
			sim_panic("net: water-filling overcommits link %u",
				  f->links[k]);
		l->rem_bps -= rate_bps;
		if (--l->unfrozen == 0)
			heap_remove(n, l->heap_pos);
		else
			heap_down(n, l->heap_pos);
	}
}

static int capped_cmp(const void *a, const void *b)
{
	const capped *x = a, *y = b;
	if (x->cap_bps != y->cap_bps)
		return x->cap_bps < y->cap_bps ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Progressive filling over the collected component: repeatedly take the
 * link with the least exact share s = rem/unfrozen; if the smallest cap
 * among unfrozen flows is <= s, freeze that flow at its cap, otherwise
 * freeze every unfrozen flow of the link at floor(s). Each step freezes at
 * least one flow and every flow lies on some link of the heap, so it ends
 * with all flows frozen. Cost O(F·h·log L + F·log F) for the component's
 * F flows of h hops over L links. */
static void waterfill(net *n)
{
	n->nheap = 0;
	for (uint32_t i = 0; i < n->ncomp_links; i++) {
		uint32_t li = n->comp_links[i];
		link_state *l = &n->links[li];
		l->rem_bps = l->capacity_bps;
		l->unfrozen = l->nflows;
		if (l->unfrozen) {
			n->heap[n->nheap] = li;
			l->heap_pos = n->nheap++;
		}
	}
	for (uint32_t i = n->nheap / 2; i-- > 0;)
		heap_down(n, i);
	uint32_t ncaps = 0;
	for (uint32_t i = 0; i < n->ncomp_flows; i++) {
		uint32_t fi = n->comp_flows[i];
		flow *f = &n->flows[fi];
		f->frozen = false;
		if (f->state == NET_FLOW_SHARING && f->cap_bps != NET_UNCAPPED)
			n->caps[ncaps++] = (capped){f->cap_bps, f->seq, fi};
	}
	qsort(n->caps, ncaps, sizeof *n->caps, capped_cmp);
	uint32_t ci = 0;
	while (n->nheap) {
		uint32_t top = n->heap[0];
		link_state *l = &n->links[top];
		while (ci < ncaps && n->flows[n->caps[ci].flow].frozen)
			ci++;
		if (ci < ncaps &&
		    (u128)n->caps[ci].cap_bps * l->unfrozen <= l->rem_bps) {
			freeze(n, n->caps[ci].flow, n->caps[ci].cap_bps);
			ci++;
			continue;
		}
		uint64_t share = l->rem_bps / l->unfrozen;
		/* Freezing removes this link from the heap once its last flow
		 * is frozen; its own list does not change meanwhile. */
		for (uint32_t j = 0; j < l->nflows; j++) {
			uint32_t fi = l->flows[j].flow;
			if (!n->flows[fi].frozen)
				freeze(n, fi, share);
		}
	}
}

/* Installs the water-filling's rates: flows whose rate changed are brought
 * up to now at their old rate and get a new drain event; the others keep
 * theirs. Then sets the links' loads and tells the hook. */
static void reshare(net *n)
{
	waterfill(n);
	uint64_t now = sim_now(n->engine);
	for (uint32_t i = 0; i < n->ncomp_flows; i++) {
		uint32_t fi = n->comp_flows[i];
		flow *f = &n->flows[fi];
		if (f->state != NET_FLOW_SHARING ||
		    f->new_rate_bps == f->rate_bps)
			continue;
		advance(f, now);
		f->rate_bps = f->new_rate_bps;
		unschedule(n, f);
		f->drain_ns = drain_time(f, now);
		if (f->drain_ns != SIM_TIME_MAX)
			schedule(n, fi, f->drain_ns, NET_EV_DRAIN);
		n->rate_changes++;
	}
	for (uint32_t i = 0; i < n->ncomp_links; i++) {
		link_state *l = &n->links[n->comp_links[i]];
		l->load_bps = l->capacity_bps - l->rem_bps;
	}
	n->reshares++;
	if (n->hook) {
		n->in_hook = true;
		n->hook(n->hook_ctx, n);
		n->in_hook = false;
	}
}

/* ---- events ------------------------------------------------------------- */

/* Sorts a batch of flow slots by start order. Insertion sort (which,
 * unlike qsort, can see the net): batches are mostly tiny, and a batch of
 * k equal flows costs O(k²) here next to the O(k·h·log L) recomputation
 * that follows, which is fine for the hundreds we expect. */
static void sort_by_seq(const net *n, uint32_t *v, uint32_t len)
{
	for (uint32_t i = 1; i < len; i++) {
		uint32_t x = v[i], j = i;
		while (j > 0 && n->flows[v[j - 1]].seq > n->flows[x].seq) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* A flow's drain event. Every flow of its component that drains at this
 * same ns drains with it, in start order, before one recomputation: n
 * equal flows then cost one recomputation rather than n. */
static void on_drain(net *n, uint32_t fi)
{
	uint64_t now = sim_now(n->engine);
	flow *f = &n->flows[fi];
	f->ev = 0;
	collect(n, f->links, f->nlinks);
	uint32_t nb = 0;
	for (uint32_t i = 0; i < n->ncomp_flows; i++) {
		flow *g = &n->flows[n->comp_flows[i]];
		if (g->state == NET_FLOW_SHARING && g->drain_ns == now)
			n->batch[nb++] = n->comp_flows[i];
	}
	sort_by_seq(n, n->batch, nb);
	for (uint32_t i = 0; i < nb; i++) {
		uint32_t gi = n->batch[i];
		flow *g = &n->flows[gi];
		advance(g, now);
		if (g->remaining_bits != 0)
			sim_panic("net: flow drained with %llu bits left",
				  (unsigned long long)g->remaining_bits);
		unschedule(n, g);
		link_leave(n, gi);
		g->state = NET_FLOW_DELIVERING;
		g->rate_bps = 0;
		schedule(n, gi, sim_time_add(now, g->latency_ns),
			 NET_EV_DELIVER);
	}
	reshare(n);
}

/* A flow's delivery: its last bit has arrived. The slot is freed after the
 * callback so that the callback can still query it, and re-read after it
 * because the callback may start flows and move the slot array. */
static void on_deliver(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	f->ev = 0;
	f->state = NET_FLOW_DONE;
	n->active--;
	if (f->done)
		f->done(f->ctx, n, id_of(n, fi));
	flow_free(n, fi);
}

static void net_handle(sim_engine *e, sim_model *m, void *state,
		       uint32_t kind, const void *payload)
{
	(void)e;
	(void)m;
	net *n = state;
	net_payload p;
	memcpy(&p, payload, sizeof p);
	if (p.flow >= n->nflows || n->flows[p.flow].gen != p.gen)
		sim_panic("net: event for a flow that is gone");
	uint8_t st = n->flows[p.flow].state;
	switch (kind) {
	case NET_EV_DRAIN:
		if (st != NET_FLOW_SHARING)
			sim_panic("net: drain of a flow in state %u", st);
		on_drain(n, p.flow);
		break;
	case NET_EV_DELIVER:
		if (st != NET_FLOW_DELIVERING)
			sim_panic("net: delivery of a flow in state %u", st);
		on_deliver(n, p.flow);
		break;
	default:
		sim_panic("net: unknown event kind %u", kind);
	}
}

static void net_fini(void *state)
{
	net *n = state;
	for (uint32_t l = 0; l < n->nlinks; l++)
		free(n->links[l].flows);
	for (uint32_t fi = 0; fi < n->nflows; fi++) {
		free(n->flows[fi].links);
		free(n->flows[fi].pos);
	}
	free(n->links);
	free(n->flows);
	free(n->comp_links);
	free(n->comp_flows);
	free(n->batch);
	free(n->caps);
	free(n->heap);
	free(n->route);
}

static const sim_model_ops net_ops = {
	.name = "network",
	.state_size = sizeof(net),
	.handle = net_handle,
	.fini = net_fini,
};

/* ---- public API --------------------------------------------------------- */

net *net_create(sim_engine *e, net_topo *t)
{
	sim_model *m = sim_model_add(e, &net_ops);
	net *n = sim_model_state(m);
	n->engine = e;
	n->model = m;
	n->topo = t;
	topo_freeze(t);
	n->nlinks = (uint32_t)net_topo_link_count(t);
	n->links = sim_xcalloc((size_t)n->nlinks + 1, sizeof *n->links);
	for (uint32_t l = 0; l < n->nlinks; l++) {
		n->links[l].capacity_bps = net_topo_link(t, l)->capacity_bps;
		n->links[l].folded_ns = sim_now(e);
	}
	n->comp_links = sim_xmalloc(((size_t)n->nlinks + 1) *
				    sizeof *n->comp_links);
	n->heap = sim_xmalloc(((size_t)n->nlinks + 1) * sizeof *n->heap);
	n->free_head = NIL;
	return n;
}

sim_engine *net_engine(const net *n)
{
	return n->engine;
}

net_topo *net_topology(const net *n)
{
	return n->topo;
}

static void check_not_in_hook(const net *n, const char *what)
{
	if (n->in_hook)
		sim_panic("%s called from the reshare hook", what);
}

int net_flow_start(net *n, uint32_t src, uint32_t dst, uint64_t bytes,
		   uint64_t cap_bps, net_flow_done_fn on_done, void *ctx,
		   net_flow_id *id)
{
	check_not_in_hook(n, "net_flow_start");
	if (!id || src == dst || cap_bps == 0 || bytes > NET_FLOW_MAX_BYTES)
		return SIM_EINPUT;
	*id = 0;
	size_t hops;
	int rc = net_topo_path(n->topo, src, dst, n->route, n->route_cap,
			       &hops);
	if (rc != 0)
		return rc;
	if (hops > n->route_cap) {
		n->route = sim_xrealloc(n->route, hops, sizeof *n->route);
		n->route_cap = hops;
		net_topo_path(n->topo, src, dst, n->route, hops, &hops);
	}
	uint64_t latency_ns;
	net_topo_path_latency(n->topo, src, dst, &latency_ns);

	uint64_t now = sim_now(n->engine);
	uint32_t fi = flow_alloc(n);
	flow *f = &n->flows[fi];
	if (f->links_cap < hops) {
		f->links = sim_xrealloc(f->links, hops, sizeof *f->links);
		f->pos = sim_xrealloc(f->pos, hops, sizeof *f->pos);
		f->links_cap = (uint32_t)hops;
	}
	memcpy(f->links, n->route, hops * sizeof *f->links);
	f->nlinks = (uint32_t)hops;
	f->src = src;
	f->dst = dst;
	f->bytes = bytes;
	f->cap_bps = cap_bps;
	f->rate_bps = 0;
	f->remaining_bits = bytes * 8;
	f->carry_bit_ns = f->excess_bit_ns = 0;
	f->updated_ns = f->start_ns = now;
	f->latency_ns = latency_ns;
	f->seq = n->next_seq++;
	f->done = on_done;
	f->ctx = ctx;
	f->ev = 0;
	n->active++;
	*id = id_of(n, fi);
	if (bytes == 0) {
		f->state = NET_FLOW_DELIVERING;
		f->drain_ns = now;
		schedule(n, fi, sim_time_add(now, latency_ns), NET_EV_DELIVER);
		return 0;
	}
	f->state = NET_FLOW_SHARING;
	f->drain_ns = SIM_TIME_MAX;
	link_join(n, fi);
	collect(n, f->links, f->nlinks);
	reshare(n);
	return 0;
}

int net_flow_set_cap(net *n, net_flow_id id, uint64_t cap_bps)
{
	check_not_in_hook(n, "net_flow_set_cap");
	uint32_t fi = slot_of(n, id);
	if (fi == NIL || n->flows[fi].state == NET_FLOW_DONE)
		return SIM_ENOENT;
	if (cap_bps == 0)
		return SIM_EINPUT;
	flow *f = &n->flows[fi];
	if (f->cap_bps == cap_bps)
		return 0;
	f->cap_bps = cap_bps;
	if (f->state != NET_FLOW_SHARING)
		return 0;
	collect(n, f->links, f->nlinks);
	reshare(n);
	return 0;
}

int net_flow_cancel(net *n, net_flow_id id)
{
	check_not_in_hook(n, "net_flow_cancel");
	uint32_t fi = slot_of(n, id);
	if (fi == NIL || n->flows[fi].state == NET_FLOW_DONE)
		return SIM_ENOENT;
	flow *f = &n->flows[fi];
	unschedule(n, f);
	n->active--;
	if (f->state == NET_FLOW_DELIVERING) {
		flow_free(n, fi);
		return 0;
	}
	/* The component is found with the flow still on its links, so that
	 * it includes every flow the departure can speed up. */
	collect(n, f->links, f->nlinks);
	advance(f, sim_now(n->engine));
	link_leave(n, fi);
	flow_free(n, fi);
	reshare(n);
	return 0;
}

bool net_flow_is_active(const net *n, net_flow_id id)
{
	uint32_t fi = slot_of(n, id);
	return fi != NIL && n->flows[fi].state != NET_FLOW_DONE;
}

/* Sent and remaining whole bits of a flow at the current time, without
 * updating it. */
static void bits_now(const net *n, const flow *f, uint64_t *sent,
		     uint64_t *remaining)
{
	uint64_t rem = f->remaining_bits;
	if (f->state == NET_FLOW_SHARING) {
		u128 s;
		uint64_t carry;
		progress(f->rate_bps, sim_now(n->engine) - f->updated_ns,
			 f->carry_bit_ns, &s, &carry);
		rem = s >= rem ? 0 : rem - (uint64_t)s;
	}
	*remaining = rem;
	*sent = f->bytes * 8 - rem;
}

int net_flow_query(const net *n, net_flow_id id, net_flow_info *out)
{
	uint32_t fi = slot_of(n, id);
	if (fi == NIL)
		return SIM_ENOENT;
	const flow *f = &n->flows[fi];
	*out = (net_flow_info){
		.state = (net_flow_state)f->state,
		.src = f->src,
		.dst = f->dst,
		.hops = f->nlinks,
		.bytes = f->bytes,
		.cap_bps = f->cap_bps,
		.rate_bps = f->state == NET_FLOW_SHARING ? f->rate_bps : 0,
		.latency_ns = f->latency_ns,
		.start_ns = f->start_ns,
		.drain_ns = f->drain_ns,
	};
	bits_now(n, f, &out->sent_bits, &out->remaining_bits);
	out->done_ns = f->drain_ns == SIM_TIME_MAX
			       ? SIM_TIME_MAX
			       : sim_time_add(f->drain_ns, f->latency_ns);
	return 0;
}

uint64_t net_flow_rate_bps(const net *n, net_flow_id id)
{
	uint32_t fi = slot_of(n, id);
	if (fi == NIL || n->flows[fi].state != NET_FLOW_SHARING)
		return 0;
	return n->flows[fi].rate_bps;
}

uint64_t net_flow_remaining_bytes(const net *n, net_flow_id id)
{
	uint32_t fi = slot_of(n, id);
	if (fi == NIL)
		return 0;
	uint64_t sent, rem;
	bits_now(n, &n->flows[fi], &sent, &rem);
	return rem / 8 + (rem % 8 != 0);
}

size_t net_flow_count(const net *n)
{
	return n->active;
}

int net_link_query(const net *n, uint32_t link, net_link_stats *out)
{
	if (link >= n->nlinks)
		return SIM_EINPUT;
	const link_state *l = &n->links[link];
	u128 bit_ns = l->bit_ns + (u128)l->load_bps *
					  (sim_now(n->engine) - l->folded_ns);
	u128 bits = bit_ns / NS_PER_S;
	*out = (net_link_stats){
		.capacity_bps = l->capacity_bps,
		.load_bps = l->load_bps,
		.flows = l->nflows,
		.carried_bits = bits > UINT64_MAX ? UINT64_MAX : (uint64_t)bits,
	};
	return 0;
}

void net_set_reshare_hook(net *n, void (*fn)(void *ctx, const net *n),
			  void *ctx)
{
	n->hook = fn;
	n->hook_ctx = ctx;
}

uint64_t net_reshare_count(const net *n)
{
	return n->reshares;
}

uint64_t net_rate_change_count(const net *n)
{
	return n->rate_changes;
}
