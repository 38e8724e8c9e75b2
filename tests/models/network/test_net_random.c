/* SPDX-License-Identifier: MIT */
/*
 * Randomized tests of the network model's flows: random starts, cancels and
 * cap changes on datacenter fabrics at three scales, checked after every
 * recomputation against a naive water-filling (loads, capacities,
 * max-min fairness), bit conservation at the end, and determinism.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "net_util.h"

/* ---- randomized --------------------------------------------------------- */

enum { OP_START, OP_CANCEL, OP_SET_CAP };

typedef struct rop {
	int kind;
	uint32_t target; /* flow index */
	uint64_t cap_bps;
} rop;

typedef struct rflow {
	struct rworld *w;
	net_flow_id id;
	uint32_t src, dst;
	uint64_t bytes, cap_bps, start_ns;
	uint32_t route[8];
	size_t hops;
	bool started, cancelled, done;
	uint64_t sent_at_cancel, done_ns;
} rflow;

typedef struct rworld {
	sim_engine *e;
	net *n;
	net_topo *t;
	rflow *flows;
	size_t nflows;
	rop *ops;
	size_t nops;
	bool starting; /* inside net_flow_start: the new id is not known */
	uint64_t checks, completed;
	uint64_t zero_rate; /* sharing flows seen at 0 bit/s, over all checks */
	/* scratch for the checks, per directed link */
	uint64_t *sum, *max;
	uint32_t *count;
} rworld;

static bool is_sharing(const rworld *w, const rflow *f, net_flow_info *info)
{
	/* A flow being cancelled is already gone when the hook runs inside
	 * net_flow_cancel, before the driver has marked it. */
	if (!f->started || f->cancelled || f->done ||
	    net_flow_query(w->n, f->id, info) != 0)
		return false;
	return info->state == NET_FLOW_SHARING;
}

/* The documented water-filling done naively, over every sharing flow at
 * once rather than a component, with linear scans instead of a heap: the
 * link with the least exact share (ties to the lower index) freezes its
 * flows at the floor of it, unless the smallest cap is no larger. Fills
 * rate[i] for each sharing flow i. */
static void reference_rates(rworld *w, uint64_t *rate)
{
	size_t L = net_topo_link_count(w->t);
	uint64_t *rem = calloc(L, sizeof *rem);
	uint32_t *unfrozen = calloc(L, sizeof *unfrozen);
	bool *open = calloc(w->nflows, sizeof *open);
	uint64_t *cap = calloc(w->nflows, sizeof *cap);
	for (uint32_t l = 0; l < L; l++)
		rem[l] = net_topo_link(w->t, l)->capacity_bps;
	net_flow_info info;
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		if (!is_sharing(w, f, &info))
			continue;
		open[i] = true;
		cap[i] = info.cap_bps;
		for (size_t k = 0; k < f->hops; k++)
			unfrozen[f->route[k]]++;
	}
	for (;;) {
		uint32_t best = UINT32_MAX;
		for (uint32_t l = 0; l < L; l++)
			if (unfrozen[l] &&
			    (best == UINT32_MAX ||
			     (unsigned __int128)rem[l] * unfrozen[best] <
				     (unsigned __int128)rem[best] * unfrozen[l]))
				best = l;
		if (best == UINT32_MAX)
			break;
		size_t low = SIZE_MAX;
		for (size_t i = 0; i < w->nflows; i++)
			if (open[i] && cap[i] != NET_UNCAPPED &&
			    (low == SIZE_MAX || cap[i] < cap[low]))
				low = i;
		uint64_t share = rem[best] / unfrozen[best];
		bool by_cap = low != SIZE_MAX &&
			      (unsigned __int128)cap[low] * unfrozen[best] <=
				      rem[best];
		for (size_t i = 0; i < w->nflows; i++) {
			rflow *f = &w->flows[i];
			bool on_best = false;
			for (size_t k = 0; k < f->hops; k++)
				on_best |= f->route[k] == best;
			uint64_t r;
			if (by_cap) {
				if (i != low)
					continue;
				r = cap[low];
			} else {
				if (!open[i] || !on_best)
					continue;
				r = share;
			}
			open[i] = false;
			rate[i] = r;
			for (size_t k = 0; k < f->hops; k++) {
				rem[f->route[k]] -= r;
				unfrozen[f->route[k]]--;
			}
		}
	}
	free(rem);
	free(unfrozen);
	free(open);
	free(cap);
}

/* After every recomputation: loads are the sums of the rates, no link is
 * over capacity, each flow is capped or has the largest rate on some
 * saturated link it crosses (saturated: less than one bit/s per flow left
 * unused, the slack of floored shares), and the rates are exactly those of
 * the naive global water-filling. */
static void check_shares(void *ctx, const net *n)
{
	rworld *w = ctx;
	if (w->starting)
		return;
	size_t L = net_topo_link_count(w->t);
	memset(w->sum, 0, L * sizeof *w->sum);
	memset(w->max, 0, L * sizeof *w->max);
	memset(w->count, 0, L * sizeof *w->count);
	net_flow_info info;
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		if (!is_sharing(w, f, &info))
			continue;
		/* 0 bit/s is a floored share below 1 (net.h): such a flow
		 * still has its bottleneck, checked below like any other. */
		w->zero_rate += info.rate_bps == 0;
		cr_assert(le(u64, info.rate_bps, info.cap_bps));
		for (size_t k = 0; k < f->hops; k++) {
			uint32_t l = f->route[k];
			w->sum[l] += info.rate_bps;
			w->count[l]++;
			if (info.rate_bps > w->max[l])
				w->max[l] = info.rate_bps;
		}
	}
	for (uint32_t l = 0; l < L; l++) {
		net_link_stats s;
		cr_assert(eq(int, net_link_query(n, l, &s), 0));
		cr_assert(eq(u64, s.load_bps, w->sum[l]), "link %u", l);
		cr_assert(eq(u32, s.flows, w->count[l]), "link %u", l);
		cr_assert(le(u64, s.load_bps, s.capacity_bps), "link %u", l);
	}
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		if (!is_sharing(w, f, &info) || info.rate_bps == info.cap_bps)
			continue;
		bool bottlenecked = false;
		for (size_t k = 0; k < f->hops; k++) {
			uint32_t l = f->route[k];
			uint64_t cap = net_topo_link(w->t, l)->capacity_bps;
			if (cap - w->sum[l] < w->count[l] &&
			    info.rate_bps == w->max[l])
				bottlenecked = true;
		}
		cr_assert(bottlenecked, "flow %zu at %llu bit/s has no bottleneck",
			  i, (unsigned long long)info.rate_bps);
	}
	uint64_t *want = calloc(w->nflows, sizeof *want);
	reference_rates(w, want);
	for (size_t i = 0; i < w->nflows; i++)
		if (is_sharing(w, &w->flows[i], &info))
			cr_assert(eq(u64, info.rate_bps, want[i]), "flow %zu", i);
	free(want);
	w->checks++;
}

static void random_done(void *ctx, net *n, net_flow_id id)
{
	rflow *f = ctx;
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, id, &info), 0));
	cr_assert(eq(u64, info.sent_bits, 8 * f->bytes));
	cr_assert(eq(u64, info.remaining_bits, 0));
	cr_assert(eq(u64, info.done_ns, sim_now(net_engine(n))));
	/* Never faster than alone at the route's narrowest link. */
	uint64_t narrow = UINT64_MAX;
	for (size_t k = 0; k < f->hops; k++) {
		uint64_t c = net_topo_link(f->w->t, f->route[k])->capacity_bps;
		narrow = c < narrow ? c : narrow;
	}
	uint64_t lat;
	cr_assert(eq(int, net_topo_path_latency(f->w->t, f->src, f->dst, &lat),
		     0));
	uint64_t least = f->start_ns + lat +
			 (uint64_t)(((unsigned __int128)8 * f->bytes *
					     1000000000 +
				     narrow - 1) /
				    narrow);
	cr_assert(ge(u64, sim_now(net_engine(n)), least));
	f->done = true;
	f->done_ns = sim_now(net_engine(n));
	f->w->completed++;
}

static void driver_handle(sim_engine *e, sim_model *m, void *state,
			  uint32_t kind, const void *payload)
{
	(void)m;
	(void)kind;
	rworld *w = *(rworld **)state;
	uint32_t i;
	memcpy(&i, payload, sizeof i);
	const rop *op = &w->ops[i];
	rflow *f = &w->flows[op->target];
	switch (op->kind) {
	case OP_START:
		f->start_ns = sim_now(e);
		w->starting = true;
		cr_assert(eq(int,
			     net_flow_start(w->n, f->src, f->dst, f->bytes,
					    f->cap_bps, random_done, f, &f->id),
			     0));
		w->starting = false;
		f->started = true;
		check_shares(w, w->n);
		break;
	case OP_CANCEL:
	case OP_SET_CAP: {
		if (!f->started)
			break;
		int want = f->cancelled || f->done ? SIM_ENOENT : 0;
		if (op->kind == OP_SET_CAP) {
			cr_assert(eq(int,
				     net_flow_set_cap(w->n, f->id, op->cap_bps),
				     want));
			if (want == 0)
				f->cap_bps = op->cap_bps;
			break;
		}
		net_flow_info info = {0};
		if (want == 0)
			cr_assert(eq(int, net_flow_query(w->n, f->id, &info), 0));
		cr_assert(eq(int, net_flow_cancel(w->n, f->id), want));
		if (want == 0) {
			f->cancelled = true;
			f->sent_at_cancel = info.sent_bits;
		}
		break;
	}
	default:
		cr_fatal("bad op");
	}
}

static const sim_model_ops driver_ops = {
	.name = "driver", .state_size = sizeof(rworld *), .handle = driver_handle};

/* The scale of a random scenario: link capacities, caps, sizes, times. */
typedef struct rscale {
	net_dc_params topo;
	uint64_t cap_min_bps, cap_span_bps; /* caps in [min, min + span) */
	uint64_t max_bytes;                 /* sizes in [1, max_bytes] */
	/* Starts in [0, window), whole ticks (mt19937 draws stay below
	 * 2^32, so long windows are drawn in coarser ticks). */
	uint64_t window_ticks, tick_ns;
	/* One flow or cap change in this many is uncapped; 0 means 2. */
	uint32_t uncapped_one_in;
} rscale;

/* Gigabit links with odd capacities, flows up to 20 MB over 2 s. */
static const rscale big_scale = {
	.topo = {.datacenters = 2, .racks = 2, .hosts_per_rack = 3,
		 .nic_bps = 999999937, .uplink_bps = 1500000001,
		 .rack_latency_ns = 2001, .fabric_latency_ns = 5003,
		 .wan_bps = 300000007, .wan_latency_ns = 3000017},
	.cap_min_bps = 1000000, .cap_span_bps = 900000000,
	.max_bytes = 20000000, .window_ticks = SIM_S(2), .tick_ns = 1};

/* Links of a few dozen bit/s, where every floor matters: ties between
 * exact and floored shares and unused remainders are common. */
static const rscale tiny_scale = {
	.topo = {.datacenters = 2, .racks = 2, .hosts_per_rack = 3,
		 .nic_bps = 97, .uplink_bps = 151, .rack_latency_ns = 3,
		 .fabric_latency_ns = 7, .wan_bps = 61, .wan_latency_ns = 11},
	.cap_min_bps = 1, .cap_span_bps = 60,
	.max_bytes = 100, .window_ticks = 60000000, .tick_ns = 1000};

/* Small caps on the same fabric, and few flows uncapped: most links are
 * slack most of the time, and turn tight and back as flows come and go
 * and caps change, so that recomputations limited to what a change can
 * affect are checked against the global water-filling. */
static const rscale slack_scale = {
	.topo = {.datacenters = 2, .racks = 2, .hosts_per_rack = 3,
		 .nic_bps = 999999937, .uplink_bps = 1500000001,
		 .rack_latency_ns = 2001, .fabric_latency_ns = 5003,
		 .wan_bps = 2000000011, .wan_latency_ns = 3000017},
	.cap_min_bps = 1000000, .cap_span_bps = 40000000,
	.max_bytes = 2000000, .window_ticks = SIM_S(2), .tick_ns = 1,
	.uncapped_one_in = 40};

static uint64_t random_cap(gsl_rng *rng, const rscale *sc)
{
	uint32_t in = sc->uncapped_one_in ? sc->uncapped_one_in : 2;
	if (gsl_rng_uniform_int(rng, in) == 0)
		return NET_UNCAPPED;
	return sc->cap_min_bps + gsl_rng_uniform_int(rng, sc->cap_span_bps);
}

/*
 * Builds and runs a random scenario on a two-datacenter topology: nflows
 * flows between random hosts, of random size (a tenth of them 0 bytes),
 * half of them capped, started at random times within the scale's window,
 * plus as many random cancels and cap changes over 1.5 windows. Returns
 * the world for checks; the caller frees it with random_free.
 */
static rworld *random_run(uint64_t seed, size_t nflows, const rscale *sc)
{
	rworld *w = calloc(1, sizeof *w);
	cr_assert(eq(int, net_topo_create_dc(&sc->topo, &w->t), 0));
	w->e = sim_engine_create();
	w->n = net_create(w->e, w->t);
	size_t L = net_topo_link_count(w->t);
	w->sum = calloc(L, sizeof *w->sum);
	w->max = calloc(L, sizeof *w->max);
	w->count = calloc(L, sizeof *w->count);
	net_set_reshare_hook(w->n, check_shares, w);
	sim_model *drv = sim_model_add(w->e, &driver_ops);
	*(rworld **)sim_model_state(drv) = w;

	gsl_rng *rng = sim_rng_stream(seed, "test-net-random");
	uint32_t hosts = 12;
	w->nflows = nflows;
	w->flows = calloc(nflows, sizeof *w->flows);
	w->nops = 2 * nflows;
	w->ops = calloc(w->nops, sizeof *w->ops);
	for (size_t i = 0; i < nflows; i++) {
		rflow *f = &w->flows[i];
		f->w = w;
		f->src = (uint32_t)gsl_rng_uniform_int(rng, hosts);
		f->dst = (uint32_t)gsl_rng_uniform_int(rng, hosts - 1);
		f->dst += f->dst >= f->src;
		f->bytes = gsl_rng_uniform_int(rng, 10) == 0
				   ? 0
				   : 1 + gsl_rng_uniform_int(rng, sc->max_bytes);
		f->cap_bps = random_cap(rng, sc);
		cr_assert(eq(int, net_topo_path(w->t, f->src, f->dst, f->route,
						8, &f->hops),
			     0));
		w->ops[i] = (rop){OP_START, (uint32_t)i, 0};
		uint64_t at = gsl_rng_uniform_int(rng, sc->window_ticks) *
			      sc->tick_ns;
		uint32_t idx = (uint32_t)i;
		sim_event_schedule(w->e, drv, at, 0, &idx, sizeof idx);
	}
	for (size_t j = nflows; j < w->nops; j++) {
		rop *op = &w->ops[j];
		op->kind = gsl_rng_uniform_int(rng, 3) == 0 ? OP_CANCEL
							   : OP_SET_CAP;
		op->target = (uint32_t)gsl_rng_uniform_int(rng, nflows);
		op->cap_bps = random_cap(rng, sc);
		uint64_t at = gsl_rng_uniform_int(rng, sc->window_ticks / 2 * 3) *
			      sc->tick_ns;
		uint32_t idx = (uint32_t)j;
		sim_event_schedule(w->e, drv, at, 0, &idx, sizeof idx);
	}
	gsl_rng_free(rng);
	cr_assert(eq(int, sim_run(w->e), 0));
	return w;
}

static void random_free(rworld *w)
{
	sim_engine_destroy(w->e);
	net_topo_destroy(w->t);
	free(w->sum);
	free(w->max);
	free(w->count);
	free(w->flows);
	free(w->ops);
	free(w);
}

/* Every flow ended one way or the other, and each link carried exactly the
 * bits of the flows that crossed it: whole for completed flows, as far as
 * they got for cancelled ones. */
static void check_conservation(rworld *w)
{
	size_t cancelled = 0;
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		cr_assert(f->started);
		cr_assert(f->done != f->cancelled, "flow %zu", i);
		cancelled += f->cancelled;
	}
	cr_assert(eq(u64, w->completed + cancelled, w->nflows));
	cr_assert(gt(sz, cancelled, 10));
	cr_assert(gt(u64, w->checks, 400));
	cr_assert(eq(sz, net_flow_count(w->n), 0));
	cr_assert(eq(sz, sim_events_pending(w->e), 0));
	size_t L = net_topo_link_count(w->t);
	uint64_t *want = calloc(L, sizeof *want);
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		uint64_t bits = f->cancelled ? f->sent_at_cancel : 8 * f->bytes;
		for (size_t k = 0; k < f->hops; k++)
			want[f->route[k]] += bits;
	}
	for (uint32_t l = 0; l < L; l++) {
		net_link_stats s;
		cr_assert(eq(int, net_link_query(w->n, l, &s), 0));
		cr_assert(eq(u64, s.carried_bits, want[l]), "link %u", l);
		cr_assert(eq(u64, s.load_bps, 0));
	}
	free(want);
}

Test(net_random, random_flows_conserve_bits_never_overload_links_and_are_max_min_fair)
{
	rworld *w = random_run(20240601, 300, &big_scale);
	check_conservation(w);
	/* Links of Mbit/s and more: no share floors to 0. */
	cr_expect(eq(u64, w->zero_rate, 0));
	random_free(w);
}

Test(net_random, random_flows_on_links_of_a_few_bits_per_second_are_fair_too)
{
	rworld *w = random_run(99, 300, &tiny_scale);
	check_conservation(w);
	/* More flows than bit/s on some links: shares floored to 0 occur
	 * (each checked for its bottleneck), and every flow still ends. */
	cr_expect(gt(u64, w->zero_rate, 0));
	random_free(w);
}

Test(net_random, mostly_capped_flows_on_mostly_slack_links_are_fair_too)
{
	rworld *w = random_run(4242, 300, &slack_scale);
	check_conservation(w);
	random_free(w);
}

Test(net_random, the_same_operations_twice_give_identical_completion_times)
{
	rworld *a = random_run(7, 120, &big_scale);
	rworld *b = random_run(7, 120, &big_scale);
	for (size_t i = 0; i < a->nflows; i++) {
		cr_assert(eq(int, a->flows[i].done, b->flows[i].done));
		cr_assert(eq(u64, a->flows[i].done_ns, b->flows[i].done_ns));
		cr_assert(eq(u64, a->flows[i].sent_at_cancel,
			     b->flows[i].sent_at_cancel));
	}
	cr_assert(eq(u64, net_reshare_count(a->n), net_reshare_count(b->n)));
	cr_assert(eq(u64, sim_events_executed(a->e), sim_events_executed(b->e)));
	cr_assert(eq(u64, sim_now(a->e), sim_now(b->e)));
	random_free(a);
	random_free(b);
}

/*
 * Scale: 1,000 concurrent flows between random hosts of a 1,000-host
 * fabric (25 racks of 40), all started at time 0, run to completion. Every
 * flow completes and the core's links carried exactly what crossed them.
 */
static void count_done(void *ctx, net *n, net_flow_id id)
{
	(void)n;
	(void)id;
	++*(uint64_t *)ctx;
}

Test(net_random, a_thousand_flows_on_a_thousand_host_fabric_complete)
{
	net_dc_params p = {.datacenters = 1, .racks = 25,
			   .hosts_per_rack = 40, .nic_bps = GBPS(10),
			   .uplink_bps = GBPS(40), .rack_latency_ns = 2000,
			   .fabric_latency_ns = 5000};
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	gsl_rng *rng = sim_rng_stream(1, "test-net-scale");
	size_t L = net_topo_link_count(t);
	uint64_t *want = calloc(L, sizeof *want);
	uint32_t route[8];
	uint64_t done = 0;
	for (int i = 0; i < 1000; i++) {
		uint32_t src = (uint32_t)gsl_rng_uniform_int(rng, 1000);
		uint32_t dst = (uint32_t)gsl_rng_uniform_int(rng, 999);
		dst += dst >= src;
		uint64_t bytes = 1 + gsl_rng_uniform_int(rng, 100000000);
		net_flow_id id;
		cr_assert(eq(int, net_flow_start(n, src, dst, bytes,
						 NET_UNCAPPED, count_done, &done,
						 &id),
			     0));
		size_t hops;
		cr_assert(eq(int, net_topo_path(t, src, dst, route, 8, &hops),
			     0));
		for (size_t k = 0; k < hops; k++)
			want[route[k]] += 8 * bytes;
	}
	gsl_rng_free(rng);
	cr_assert(eq(sz, net_flow_count(n), 1000));
	sim_run(e);
	cr_assert(eq(u64, done, 1000));
	for (uint32_t l = 0; l < L; l++)
		cr_assert(eq(u64, stats_of(n, l).carried_bits, want[l]));
	free(want);
	sim_engine_destroy(e);
	net_topo_destroy(t);
}
