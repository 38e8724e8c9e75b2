/* SPDX-License-Identifier: MIT */
/*
 * Background traffic between VMs during a run: each `traffic:` entry is a
 * persistent net flow from its VM's host to its peer's host that shares
 * links max-min fairly with migrations, follows both VMs when they migrate,
 * and is recorded segment by segment (one host pair each). When it starts
 * and stops is experiment.c's (it owns the events); nothing here reads a
 * clock other than the engine's.
 */
#include "dc_internal.h"

#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

static const sim_column traffic_cols[] = {
	{"vm", SIM_COL_TEXT, "", "the VM that sends"},
	{"peer", SIM_COL_TEXT, "", "the VM that receives (traffic[].to)"},
	{"flow", SIM_COL_INT, "", "index in the sending VM's traffic:, from 0"},
	{"source", SIM_COL_TEXT, "", "the sender's host during the segment"},
	{"destination", SIM_COL_TEXT, "", "the receiver's host during the "
					  "segment (the same host: no flow, "
					  "0 bytes)"},
	{"start_ns", SIM_COL_INT, "ns", "the segment began: the flow started, "
					"or a VM of it finished a migration"},
	{"end_ns", SIM_COL_INT, "ns", "the segment ended: stop, a migration "
				      "of either VM, or the end of the run"},
	{"bytes", SIM_COL_INT, "B", "bytes that left the source in the "
				    "segment (they arrive one route latency "
				    "later)"},
	{"mean_rate_bps", SIM_COL_INT, "bit/s", "bits sent x 1e9 / (end - "
						"start), rounded down; 0 for "
						"an empty segment"},
};

const sim_table dc_traffic_table = {
	"traffic",
	"background flows between VMs, one row per segment between two hosts",
	traffic_cols, sizeof traffic_cols / sizeof traffic_cols[0]};

/* A persistent flow is a net flow of the largest size, restarted if it
 * ever drains (at 1 Tbit/s that takes over 200 days of simulated time):
 * net's flows carry a byte count, and this one simply never runs out. */
#define PERSISTENT_BYTES NET_FLOW_MAX_BYTES

typedef struct tflow {
	dc_traffic *owner;
	const dc_traffic_cfg *cfg;
	uint32_t vm, peer;      /* indices into the world's VMs */
	uint32_t entry;         /* index in the sender's traffic: */
	uint64_t cap_bps;       /* NET_UNCAPPED or the configured rate */
	bool running;
	uint32_t src, dst;      /* hosts of the current segment */
	uint64_t seg_start_ns;
	u128 seg_bits;          /* bits of the segment's drained net flows */
	net_flow_id flow;       /* 0 while the VMs share a host */
} tflow;

struct dc_traffic {
	const dc_config *cfg;
	dc_world *world;
	net *n;
	sim_results *results;
	sim_diag *diag;
	tflow *flows;
	size_t nflows;
	/* The flows of VM v, from or to it, in flow order: by_vm[first[v]]
	 * up to by_vm[first[v + 1]], so that a migration touches only its
	 * VM's flows. */
	size_t *first;
	uint32_t *by_vm;
	bool rows;  /* the traffic table is selected */
	int rc; /* first results error */
};

dc_traffic *dc_traffic_create(const dc_config *c, dc_world *w, net *n,
			      sim_results *r, sim_diag *d)
{
	dc_traffic *t = sim_xcalloc(1, sizeof *t);
	t->cfg = c;
	t->world = w;
	t->n = n;
	t->results = r;
	t->diag = d;
	for (size_t v = 0; v < c->nvms; v++)
		t->nflows += c->vms[v].ntraffic;
	t->flows = sim_xcalloc(t->nflows ? t->nflows : 1, sizeof *t->flows);
	size_t k = 0;
	for (size_t v = 0; v < c->nvms; v++) {
		for (size_t i = 0; i < c->vms[v].ntraffic; i++, k++) {
			tflow *f = &t->flows[k];
			const dc_traffic_cfg *tc = &c->vms[v].traffic[i];
			f->owner = t;
			f->cfg = tc;
			f->vm = (uint32_t)v;
			f->peer = (uint32_t)tc->peer;
			f->entry = (uint32_t)i;
			f->cap_bps = tc->rate_bps >= DC_TRAFFIC_UNCAPPED_BPS
					     ? NET_UNCAPPED
					     : tc->rate_bps;
		}
	}
	t->rows = dc_results_has(&c->results, DC_TABLE_TRAFFIC);
	/* Counting sort of the flows by VM (each under its sender and its
	 * peer, which differ), stable: flow order within each VM. */
	t->first = sim_xcalloc(c->nvms + 2, sizeof *t->first);
	for (size_t i = 0; i < t->nflows; i++) {
		t->first[t->flows[i].vm + 2]++;
		t->first[t->flows[i].peer + 2]++;
	}
	for (size_t v = 2; v < c->nvms + 2; v++)
		t->first[v] += t->first[v - 1];
	t->by_vm = sim_xcalloc(2 * t->nflows + 1, sizeof *t->by_vm);
	for (size_t i = 0; i < t->nflows; i++) {
		t->by_vm[t->first[t->flows[i].vm + 1]++] = (uint32_t)i;
		t->by_vm[t->first[t->flows[i].peer + 1]++] = (uint32_t)i;
	}
	return t;
}

void dc_traffic_destroy(dc_traffic *t)
{
	if (!t)
		return;
	free(t->flows);
	free(t->first);
	free(t->by_vm);
	free(t);
}

size_t dc_traffic_count(const dc_traffic *t)
{
	return t->nflows;
}

const dc_traffic_cfg *dc_traffic_entry(const dc_traffic *t, size_t i)
{
	return t->flows[i].cfg;
}

static void flow_drained(void *ctx, net *n, net_flow_id id);

static void start_net_flow(tflow *f)
{
	dc_traffic *t = f->owner;
	f->flow = 0;
	if (f->src == f->dst)
		return;
	/* Every host of a datacenter topology reaches every other, and the
	 * cap was validated: a refusal is a broken invariant. */
	if (net_flow_start(t->n, f->src, f->dst, PERSISTENT_BYTES, f->cap_bps,
			   flow_drained, f, &f->flow) != 0)
		sim_panic("traffic flow %u -> %u did not start", f->src, f->dst);
}

/* The largest flow drained: count it and go on with another. */
static void flow_drained(void *ctx, net *n, net_flow_id id)
{
	(void)n;
	(void)id;
	tflow *f = ctx;
	f->seg_bits += PERSISTENT_BYTES * 8;
	start_net_flow(f);
}

static void open_segment(tflow *f, uint32_t src, uint32_t dst)
{
	f->src = src;
	f->dst = dst;
	f->seg_start_ns = sim_now(net_engine(f->owner->n));
	f->seg_bits = 0;
	start_net_flow(f);
}

/* Ends the current segment now: the net flow is cancelled (the bits it
 * sent stay counted on the links) and the segment's row written. */
static void close_segment(tflow *f)
{
	dc_traffic *t = f->owner;
	uint64_t now = sim_now(net_engine(t->n));
	if (f->flow) {
		net_flow_info info;
		if (net_flow_query(t->n, f->flow, &info) != 0 ||
		    net_flow_cancel(t->n, f->flow) != 0)
			sim_panic("traffic flow vanished");
		f->seg_bits += info.sent_bits;
		f->flow = 0;
	}
	if (t->rc != 0 || !t->rows)
		return;
	uint64_t dt = now - f->seg_start_ns;
	u128 rate = dt ? f->seg_bits * UINT64_C(1000000000) / dt : 0;
	u128 bytes = f->seg_bits / 8;
	const dc_world *w = t->world;
	sim_value v[] = {
		{.s = w->vms[f->vm].name},
		{.s = w->vms[f->peer].name},
		{.i = f->entry},
		{.s = w->hosts[f->src].name},
		{.s = w->hosts[f->dst].name},
		{.i = (int64_t)f->seg_start_ns},
		{.i = (int64_t)now},
		{.i = bytes > INT64_MAX ? INT64_MAX : (int64_t)bytes},
		{.i = rate > INT64_MAX ? INT64_MAX : (int64_t)rate},
	};
	t->rc = sim_results_row(t->results, &dc_traffic_table, v, t->diag);
}

int dc_traffic_start(dc_traffic *t, size_t i)
{
	tflow *f = &t->flows[i];
	if (f->running)
		sim_panic("traffic flow %zu started twice", i);
	f->running = true;
	open_segment(f, t->world->vms[f->vm].host, t->world->vms[f->peer].host);
	return t->rc;
}

int dc_traffic_stop(dc_traffic *t, size_t i)
{
	tflow *f = &t->flows[i];
	if (f->running) {
		close_segment(f);
		f->running = false;
	}
	return t->rc;
}

int dc_traffic_vm_moved(dc_traffic *t, size_t vm, uint32_t host)
{
	for (size_t k = t->first[vm]; k < t->first[vm + 1]; k++) {
		tflow *f = &t->flows[t->by_vm[k]];
		if (!f->running)
			continue;
		uint32_t src = f->vm == vm ? host : t->world->vms[f->vm].host;
		uint32_t dst = f->peer == vm ? host : t->world->vms[f->peer].host;
		close_segment(f);
		open_segment(f, src, dst);
	}
	return t->rc;
}

int dc_traffic_finish(dc_traffic *t)
{
	for (size_t i = 0; i < t->nflows; i++)
		dc_traffic_stop(t, i);
	return t->rc;
}
