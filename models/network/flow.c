/* SPDX-License-Identifier: MIT */
/*
 * The flow model's front: an engine model whose events are flow drains
 * and deliveries, flow slots and their handles, and the API of net.h
 * (starting, re-capping, cancelling and querying flows, link statistics).
 * Routes come from the topology; latency is added once, at the end. What a
 * change recomputes, and how, is at the top of flow_change.c, which keeps
 * progress, drain times, link lists and rates up to date; water-filling is
 * in share.c.
 */
#include "net.h"
#include "net_internal.h"

#include <stdlib.h>
#include <string.h>

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
		n->pend = sim_xrealloc(n->pend, cap, sizeof *n->pend);
		n->gone = sim_xrealloc(n->gone, cap, sizeof *n->gone);
		n->changes = sim_xrealloc(n->changes, cap,
					  sizeof *n->changes);
		n->dheap = sim_xrealloc(n->dheap, cap, sizeof *n->dheap);
		n->stack = sim_xrealloc(n->stack, cap, sizeof *n->stack);
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

/* The net's drain event: the flow first in the drain heap drains. Every
 * flow of its component (net_rank_component) that drains at this same ns
 * drains with it, in start order, before one recomputation: n equal flows
 * then cost one recomputation rather than n. The component is searched
 * only when another flow drains in this ns. */
static void on_drain(net *n)
{
	uint64_t now = sim_now(n->engine);
	n->drain_ev = 0;
	n->drain_ev_ns = SIM_TIME_MAX;
	if (n->ndheap == 0)
		sim_panic("net: a drain event with no flow to drain");
	uint32_t fi = n->dheap[0];
	flow *f = &n->flows[fi];
	net_change_begin(n, f->links, f->nlinks);
	uint32_t nb = net_draining_now(n, now);
	if (nb > 1) {
		net_rank_component(n);
		uint32_t k = 0;
		for (uint32_t i = 0; i < nb; i++)
			if (n->flows[n->gone[i]].rank_seen == n->rank_epoch)
				n->gone[k++] = n->gone[i];
		nb = k;
		sort_by_seq(n, n->gone, nb);
	}
	if (nb == 0 || (nb == 1 && n->gone[0] != fi))
		sim_panic("net: flow %u drains at %llu but is not due", fi,
			  (unsigned long long)now);
	for (uint32_t i = 0; i < nb; i++)
		net_seeds_add(n, &n->flows[n->gone[i]]);
	/* net_stop_sharing appends to gone, which holds the batch: restart
	 * it. */
	n->ngone = 0;
	for (uint32_t i = 0; i < nb; i++) {
		uint32_t gi = n->gone[i];
		flow *g = &n->flows[gi];
		net_stop_sharing(n, gi, now);
		if (g->remaining_bits != 0)
			sim_panic("net: flow drained with %llu bits left",
				  (unsigned long long)g->remaining_bits);
		g->state = NET_FLOW_DELIVERING;
		net_schedule(n, gi, sim_time_add(now, g->latency_ns),
			 NET_EV_DELIVER);
	}
	net_regroup_seeds(n, NIL);
	net_reshare(n);
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
	if (kind == NET_EV_DRAIN) {
		on_drain(n);
		return;
	}
	net_payload p;
	memcpy(&p, payload, sizeof p);
	if (p.flow >= n->nflows || n->flows[p.flow].gen != p.gen)
		sim_panic("net: event for a flow that is gone");
	uint8_t st = n->flows[p.flow].state;
	switch (kind) {
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
	net_groups_fini(n);
	for (uint32_t l = 0; l < n->nlinks; l++)
		free(n->links[l].flows);
	for (uint32_t fi = 0; fi < n->nflows; fi++) {
		free(n->flows[fi].links);
		free(n->flows[fi].pos);
	}
	free(n->links);
	free(n->flows);
	free(n->dheap);
	free(n->seeds);
	free(n->gone);
	free(n->comp_links);
	free(n->pend);
	free(n->caps);
	free(n->changes);
	free(n->heap);
	free(n->stack);
	free(n->rank_links);
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
	size_t nl = (size_t)n->nlinks + 1;
	n->comp_links = sim_xmalloc(nl * sizeof *n->comp_links);
	n->heap = sim_xmalloc(nl * sizeof *n->heap);
	n->seeds = sim_xmalloc(nl * sizeof *n->seeds);
	n->rank_links = sim_xmalloc(nl * sizeof *n->rank_links);
	n->free_head = NIL;
	n->gfree_head = NIL;
	n->drain_ev_ns = SIM_TIME_MAX;
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
	f->dheap_pos = NIL;
	f->group = NIL;
	n->active++;
	*id = id_of(n, fi);
	if (bytes == 0) {
		f->state = NET_FLOW_DELIVERING;
		f->drain_ns = now;
		net_schedule(n, fi, sim_time_add(now, latency_ns),
			     NET_EV_DELIVER);
		return 0;
	}
	f->state = NET_FLOW_SHARING;
	f->drain_ns = SIM_TIME_MAX;
	net_change_begin(n, f->links, f->nlinks);
	net_seeds_add(n, f);
	net_link_join(n, fi);
	net_demand(n, f, 1);
	net_regroup_seeds(n, fi);
	net_reshare(n);
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
	if (f->state != NET_FLOW_SHARING) {
		f->cap_bps = cap_bps;
		return 0;
	}
	net_change_begin(n, f->links, f->nlinks);
	net_seeds_add(n, f);
	net_demand(n, f, -1);
	f->cap_bps = cap_bps;
	net_demand(n, f, 1);
	net_regroup_seeds(n, fi);
	net_reshare(n);
	return 0;
}

int net_flow_cancel(net *n, net_flow_id id)
{
	check_not_in_hook(n, "net_flow_cancel");
	uint32_t fi = slot_of(n, id);
	if (fi == NIL || n->flows[fi].state == NET_FLOW_DONE)
		return SIM_ENOENT;
	flow *f = &n->flows[fi];
	net_unschedule(n, f);
	n->active--;
	if (f->state == NET_FLOW_DELIVERING) {
		flow_free(n, fi);
		return 0;
	}
	net_change_begin(n, f->links, f->nlinks);
	net_seeds_add(n, f);
	net_stop_sharing(n, fi, sim_now(n->engine));
	/* The handle is stale from here on (and so for the hook), but the
	 * slot keeps its route and progress until it has left its links,
	 * and no flow can take it before then. */
	flow_free(n, fi);
	net_regroup_seeds(n, NIL);
	net_reshare(n);
	return 0;
}

bool net_flow_is_active(const net *n, net_flow_id id)
{
	uint32_t fi = slot_of(n, id);
	return fi != NIL && n->flows[fi].state != NET_FLOW_DONE;
}

/* Sent and remaining whole bits of a flow at the current time, without
 * updating it. */
/* Bits sent by a flow at rate r over dt ns with carry c: the whole part of
 * (r·dt + c) / 10^9, and the new carry. */
static void progress(uint64_t rate_bps, uint64_t dt_ns, uint64_t carry,
		     u128 *sent_bits, uint64_t *new_carry)
{
	u128 num = (u128)rate_bps * dt_ns + carry;
	*sent_bits = num / NS_PER_S;
	*new_carry = (uint64_t)(num % NS_PER_S);
}

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
