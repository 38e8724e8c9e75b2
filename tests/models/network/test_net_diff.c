/* SPDX-License-Identifier: MIT */
/*
 * Differential tests of the flow model's recomputation: long randomized
 * sequences of starts, cancels, re-caps and drains, on random connected
 * topologies and on datacenter fabrics, with the rates after every
 * recomputation (through net_set_reshare_hook) compared flow by flow with
 * a naive water-filling written straight from net.h's definition. The
 * draws favour what the grouped, incremental recomputation must get right:
 * many flows between few node pairs (large groups), caps from a short
 * list (equal caps across groups), uncapped flows (links turning tight
 * and back, single-flow links), and links of a few dozen bit/s (floors).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

enum { MAX_HOPS = 64 };

typedef struct dflow {
	struct dworld *w;
	net_flow_id id;
	uint32_t src, dst;
	uint64_t bytes, cap_bps;
	uint32_t route[MAX_HOPS];
	size_t hops;
	bool started, ended;
} dflow;

typedef struct dworld {
	sim_engine *e;
	net *n;
	net_topo *t;
	gsl_rng *rng;
	dflow *flows;
	size_t nflows, next;
	uint64_t caps[4];
	bool starting;
	uint64_t checks, rate_changes_seen;
	/* reference scratch */
	uint64_t *rem;
	uint32_t *unfrozen;
	bool *open;
	uint64_t *cap, *want;
} dworld;

static bool sharing(const dworld *w, const dflow *f, net_flow_info *info)
{
	if (!f->started || f->ended || net_flow_query(w->n, f->id, info) != 0)
		return false;
	return info->state == NET_FLOW_SHARING;
}

/* net.h's water-filling, naively: over every sharing flow and every link,
 * linear scans for the least exact share (ties to the lower link index)
 * and the least cap. */
static void reference(dworld *w)
{
	size_t L = net_topo_link_count(w->t);
	for (uint32_t l = 0; l < L; l++) {
		w->rem[l] = net_topo_link(w->t, l)->capacity_bps;
		w->unfrozen[l] = 0;
	}
	net_flow_info info;
	for (size_t i = 0; i < w->nflows; i++) {
		dflow *f = &w->flows[i];
		w->open[i] = sharing(w, f, &info);
		if (!w->open[i])
			continue;
		w->cap[i] = info.cap_bps;
		for (size_t k = 0; k < f->hops; k++)
			w->unfrozen[f->route[k]]++;
	}
	for (;;) {
		uint32_t best = UINT32_MAX;
		for (uint32_t l = 0; l < L; l++)
			if (w->unfrozen[l] &&
			    (best == UINT32_MAX ||
			     (unsigned __int128)w->rem[l] * w->unfrozen[best] <
				     (unsigned __int128)w->rem[best] *
					     w->unfrozen[l]))
				best = l;
		if (best == UINT32_MAX)
			break;
		size_t low = SIZE_MAX;
		for (size_t i = 0; i < w->nflows; i++)
			if (w->open[i] && w->cap[i] != NET_UNCAPPED &&
			    (low == SIZE_MAX || w->cap[i] < w->cap[low]))
				low = i;
		bool by_cap = low != SIZE_MAX &&
			      (unsigned __int128)w->cap[low] *
					      w->unfrozen[best] <=
				      w->rem[best];
		uint64_t share = w->rem[best] / w->unfrozen[best];
		for (size_t i = 0; i < w->nflows; i++) {
			dflow *f = &w->flows[i];
			if (!w->open[i] || (by_cap && i != low))
				continue;
			bool on_best = false;
			for (size_t k = 0; k < f->hops; k++)
				on_best |= f->route[k] == best;
			if (!by_cap && !on_best)
				continue;
			uint64_t r = by_cap ? w->cap[i] : share;
			w->open[i] = false;
			w->want[i] = r;
			for (size_t k = 0; k < f->hops; k++) {
				w->rem[f->route[k]] -= r;
				w->unfrozen[f->route[k]]--;
			}
		}
	}
}

static void check(void *ctx, const net *n)
{
	(void)n;
	dworld *w = ctx;
	if (w->starting)
		return; /* the new flow's handle is not known yet */
	reference(w);
	net_flow_info info;
	for (size_t i = 0; i < w->nflows; i++)
		if (sharing(w, &w->flows[i], &info))
			cr_assert(eq(u64, info.rate_bps, w->want[i]),
				  "flow %zu after %llu checks", i,
				  (unsigned long long)w->checks);
	w->checks++;
}

static void on_done(void *ctx, net *n, net_flow_id id)
{
	(void)n;
	(void)id;
	dflow *f = ctx;
	f->ended = true;
}

static uint64_t draw_cap(dworld *w)
{
	uint32_t k = (uint32_t)gsl_rng_uniform_int(w->rng, 6);
	return k < 4 ? w->caps[k] : NET_UNCAPPED;
}

/* One random step: mostly starts (between few node pairs, so that flows
 * share routes), and cancels and re-caps of random earlier flows. */
static void step(dworld *w, const uint32_t *ends, uint32_t nends)
{
	uint32_t kind = (uint32_t)gsl_rng_uniform_int(w->rng, 5);
	if (kind < 3 && w->next < w->nflows) {
		dflow *f = &w->flows[w->next++];
		f->w = w;
		do {
			f->src = ends[gsl_rng_uniform_int(w->rng, nends)];
			f->dst = ends[gsl_rng_uniform_int(w->rng, nends)];
		} while (f->src == f->dst);
		f->bytes = 1 + gsl_rng_uniform_int(w->rng, 4000);
		f->cap_bps = draw_cap(w);
		cr_assert(eq(int, net_topo_path(w->t, f->src, f->dst, f->route,
						MAX_HOPS, &f->hops),
			     0));
		cr_assert(le(sz, f->hops, MAX_HOPS));
		w->starting = true;
		cr_assert(eq(int, net_flow_start(w->n, f->src, f->dst, f->bytes,
						 f->cap_bps, on_done, f, &f->id),
			     0));
		w->starting = false;
		f->started = true;
		check(w, w->n);
		return;
	}
	if (w->next == 0)
		return;
	dflow *f = &w->flows[gsl_rng_uniform_int(w->rng, w->next)];
	if (f->ended || !net_flow_is_active(w->n, f->id))
		return;
	if (kind == 3) {
		cr_assert(eq(int, net_flow_cancel(w->n, f->id), 0));
		f->ended = true;
	} else {
		uint64_t cap = draw_cap(w);
		cr_assert(eq(int, net_flow_set_cap(w->n, f->id, cap), 0));
		f->cap_bps = cap;
	}
}

/* Runs nsteps random steps spread over simulated time (drains happen in
 * between), then lets every flow finish. */
static uint64_t run(net_topo *t, uint64_t seed, size_t nsteps,
		    const uint64_t caps[4], const uint32_t *ends,
		    uint32_t nends, uint64_t gap_ns)
{
	dworld w = {.t = t, .nflows = nsteps};
	memcpy(w.caps, caps, sizeof w.caps);
	w.e = sim_engine_create();
	w.n = net_create(w.e, t);
	w.rng = sim_rng_stream(seed, "test-net-diff");
	w.flows = calloc(nsteps, sizeof *w.flows);
	size_t L = net_topo_link_count(t);
	w.rem = calloc(L, sizeof *w.rem);
	w.unfrozen = calloc(L, sizeof *w.unfrozen);
	w.open = calloc(nsteps, sizeof *w.open);
	w.cap = calloc(nsteps, sizeof *w.cap);
	w.want = calloc(nsteps, sizeof *w.want);
	net_set_reshare_hook(w.n, check, &w);
	for (size_t i = 0; i < nsteps; i++) {
		step(&w, ends, nends);
		uint64_t until = sim_now(w.e) +
				 gsl_rng_uniform_int(w.rng, 1000) *
					 (gap_ns / 1000);
		cr_assert(eq(int, sim_run_until(w.e, until), 0));
	}
	cr_assert(eq(int, sim_run(w.e), 0));
	/* Flows whose share rounds down to 0 bit/s never finish on their
	 * own: cancel what is left (each cancel is checked too). */
	for (size_t i = 0; i < w.next; i++)
		if (net_flow_is_active(w.n, w.flows[i].id)) {
			cr_assert(eq(int, net_flow_cancel(w.n, w.flows[i].id),
				     0));
			w.flows[i].ended = true;
		}
	cr_assert(eq(sz, net_flow_count(w.n), 0));
	for (uint32_t l = 0; l < L; l++) {
		net_link_stats s;
		cr_assert(eq(int, net_link_query(w.n, l, &s), 0));
		cr_assert(eq(u64, s.load_bps, 0));
	}
	uint64_t checks = w.checks;
	sim_engine_destroy(w.e);
	gsl_rng_free(w.rng);
	free(w.flows);
	free(w.rem);
	free(w.unfrozen);
	free(w.open);
	free(w.cap);
	free(w.want);
	return checks;
}

/* A random connected topology: a random tree on `nodes` nodes plus
 * `extra` random links (parallel links allowed), capacities drawn from
 * [lo, lo + span). Every node is a host. */
static net_topo *random_topo(uint64_t seed, uint32_t nodes, uint32_t extra,
			     uint64_t lo, uint64_t span)
{
	gsl_rng *rng = sim_rng_stream(seed, "test-net-diff-topo");
	net_topo *t = net_topo_create();
	for (uint32_t i = 0; i < nodes; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%u", i);
		cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, name,
						    NULL),
			     0));
	}
	for (uint32_t i = 1; i < nodes + extra; i++) {
		uint32_t a = i < nodes
				     ? i
				     : (uint32_t)gsl_rng_uniform_int(rng, nodes);
		uint32_t b = (uint32_t)gsl_rng_uniform_int(rng,
							   i < nodes ? i : nodes);
		if (a == b)
			continue;
		uint64_t ab = lo + gsl_rng_uniform_int(rng, (uint32_t)span);
		uint64_t ba = lo + gsl_rng_uniform_int(rng, (uint32_t)span);
		cr_assert(eq(int, net_topo_link_add_asym(t, a, b, ab, ba, 1 + i,
							 2 + i, NULL),
			     0));
	}
	gsl_rng_free(rng);
	return t;
}

Test(net_diff, random_topologies_match_the_naive_water_filling_after_every_change)
{
	uint64_t total = 0;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		net_topo *t = random_topo(seed, 14, 10, 1000000, 9000000);
		/* Four end points: many flows on the same routes. */
		uint32_t ends[] = {0, 5, 9, 13};
		uint64_t caps[4] = {300000, 300000, 1000000, 2500001};
		total += run(t, seed, 1500, caps, ends, 4, 20000000);
		net_topo_destroy(t);
	}
	cr_assert(gt(u64, total, 6000));
}

Test(net_diff, links_of_a_few_bits_per_second_match_too)
{
	uint64_t total = 0;
	for (uint64_t seed = 11; seed <= 13; seed++) {
		net_topo *t = random_topo(seed, 10, 6, 20, 60);
		uint32_t ends[] = {0, 3, 4, 7, 9};
		uint64_t caps[4] = {3, 7, 7, 40};
		total += run(t, seed, 1200, caps, ends, 5, 200000000000);
		net_topo_destroy(t);
	}
	cr_assert(gt(u64, total, 3500));
}

Test(net_diff, datacenter_fabrics_match_the_naive_water_filling)
{
	/* Oversubscribed uplinks and a thin WAN, every host an end point:
	 * groups of flows sharing a ToR uplink and a downlink, as in a
	 * migration storm. */
	net_dc_params p = {.datacenters = 3, .racks = 3, .hosts_per_rack = 4,
			   .nic_bps = 10000019, .uplink_bps = 20000003,
			   .rack_latency_ns = 2001, .fabric_latency_ns = 5003,
			   .wan_bps = 7000001, .wan_latency_ns = 100003};
	uint64_t total = 0;
	for (uint64_t seed = 21; seed <= 23; seed++) {
		net_topo *t;
		cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
		uint32_t ends[36];
		for (uint32_t i = 0; i < 36; i++)
			ends[i] = i;
		uint64_t caps[4] = {1000000, 1000000, 2500000, 9000000};
		total += run(t, seed, 2000, caps, ends, 36, 2000000);
		net_topo_destroy(t);
	}
	cr_assert(gt(u64, total, 6000));
}
