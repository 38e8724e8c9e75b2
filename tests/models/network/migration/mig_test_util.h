/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the migration tests: a small world (engine, topology,
 * net, migration model) whose callbacks record every round and result.
 * Header-only and static, so each test program has its own copy.
 */
#ifndef VDCSIM_MIG_TEST_UTIL_H
#define VDCSIM_MIG_TEST_UTIL_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mig.h"

#define MIBIT(x) ((uint64_t)(x) << 20)
#define MIB(x) ((uint64_t)(x) << 20)
#define PAGE UINT64_C(4096)
#define MAX_ROUNDS_REC 128
#define MAX_RESULTS_REC 8

/* A migration started through world_start: its tag and path. */
typedef struct started {
	uint64_t tag;
	uint32_t src, dst;
} started;

typedef struct world {
	sim_engine *e;
	net_topo *t;
	net *n;
	mig *m;
	mig_round_result rounds[MAX_ROUNDS_REC];
	size_t nrounds;
	mig_result results[MAX_RESULTS_REC];
	size_t nresults;
	uint64_t resumed_ns[MAX_RESULTS_REC]; /* on_resume times, in order */
	size_t nresumed;
	started started[MAX_RESULTS_REC];
	size_t nstarted;
} world;

/* The narrowest capacity on the path of the migration tagged `tag`
 * (every migration of a test goes through world_start, and migrations
 * sharing a tag share their path). */
static inline uint64_t world_path_bps(world *w, uint64_t tag)
{
	const started *s = NULL;
	for (size_t i = 0; i < w->nstarted; i++) {
		if (w->started[i].tag != tag)
			continue;
		if (s)
			cr_assert(s->src == w->started[i].src &&
					  s->dst == w->started[i].dst,
				  "two paths under tag %llu",
				  (unsigned long long)tag);
		s = &w->started[i];
	}
	cr_assert_not_null(s, "migration %llu not started by world_start",
			   (unsigned long long)tag);
	size_t hops = 0;
	cr_assert(eq(int, net_topo_path(w->t, s->src, s->dst, NULL, 0, &hops),
		     0));
	uint32_t links[64];
	cr_assert(le(sz, hops, (size_t)64));
	cr_assert(eq(int, net_topo_path(w->t, s->src, s->dst, links, 64, &hops),
		     0));
	uint64_t bps = UINT64_MAX;
	for (size_t i = 0; i < hops; i++)
		if (net_topo_link(w->t, links[i])->capacity_bps < bps)
			bps = net_topo_link(w->t, links[i])->capacity_bps;
	return bps;
}

/* The path bound, asserted for every round and every migration the tests
 * run: bytes moved over a path never exceed its narrowest capacity times
 * the time they took (bytes·8·1e9 <= bps·ns). */
static inline void check_path_bound(world *w, uint64_t tag, uint64_t bytes,
				    uint64_t ns, const char *what)
{
	unsigned __int128 bits = (unsigned __int128)bytes * 8 * 1000000000u;
	unsigned __int128 room = (unsigned __int128)world_path_bps(w, tag) * ns;
	cr_assert(bits <= room,
		  "%s of migration %llu: %llu bytes in %llu ns exceed its "
		  "path's narrowest link", what, (unsigned long long)tag,
		  (unsigned long long)bytes, (unsigned long long)ns);
}

static inline void rec_round(void *ctx, const mig_round_result *r)
{
	world *w = ctx;
	cr_assert(lt(sz, w->nrounds, (size_t)MAX_ROUNDS_REC));
	check_path_bound(w, r->tag, r->bytes, r->duration_ns, "a round");
	w->rounds[w->nrounds++] = *r;
}

static inline void rec_done(void *ctx, const mig_result *r)
{
	world *w = ctx;
	cr_assert(lt(sz, w->nresults, (size_t)MAX_RESULTS_REC));
	/* Every migration resumed before it is done. */
	cr_assert(gt(sz, w->nresumed, w->nresults), "on_done before on_resume");
	check_path_bound(w, r->tag, r->bytes, r->total_ns, "the whole");
	w->results[w->nresults++] = *r;
}

static inline void rec_resume(void *ctx, uint64_t tag)
{
	world *w = ctx;
	(void)tag;
	cr_assert(lt(sz, w->nresumed, (size_t)MAX_RESULTS_REC));
	w->resumed_ns[w->nresumed++] = sim_now(w->e);
}

/* Nodes n0..n<k-1>; links[i] = {a, b, bps, latency}. */
static inline void world_init(world *w, uint32_t nodes, const uint64_t (*links)[4],
		       size_t nlinks)
{
	memset(w, 0, sizeof *w);
	w->e = sim_engine_create();
	w->t = net_topo_create();
	for (uint32_t i = 0; i < nodes; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%u", i);
		cr_assert(eq(int,
			     net_topo_node_add(w->t, NET_NODE_HOST, name, NULL),
			     0));
	}
	for (size_t i = 0; i < nlinks; i++)
		cr_assert(eq(int,
			     net_topo_link_add(w->t, (uint32_t)links[i][0],
					       (uint32_t)links[i][1],
					       links[i][2], links[i][3], NULL),
			     0));
	w->n = net_create(w->e, w->t);
	mig_callbacks cb = {.on_round = rec_round, .on_done = rec_done,
			    .on_resume = rec_resume, .ctx = w};
	w->m = mig_create(w->n, &cb);
}

/* Two nodes joined by one link. */
static inline void world_pair(world *w, uint64_t bps, uint64_t latency_ns)
{
	const uint64_t links[1][4] = {{0, 1, bps, latency_ns}};
	world_init(w, 2, links, 1);
}

/* Starts a migration (mig_migration_start) and records its path for the
 * bound checks. Returns mig_migration_start's result. */
static inline int world_start(world *w, const mig_request *q)
{
	int rc = mig_migration_start(w->m, q);
	if (rc == 0) {
		cr_assert(lt(sz, w->nstarted, (size_t)MAX_RESULTS_REC));
		w->started[w->nstarted++] =
			(started){.tag = q->tag, .src = q->src, .dst = q->dst};
	}
	return rc;
}

static inline void world_fini(world *w)
{
	sim_engine_destroy(w->e);
	net_topo_destroy(w->t);
}

/* A request from n0 to n1 of `pages` 4 KiB pages with default knobs but
 * no state and free stages (the closed forms are memory only; the
 * defaults are realistic, see mig_params.c), and no dirtying. */
static inline mig_request request(uint64_t pages, mig_scheme scheme)
{
	mig_request q = {.src = 0, .dst = 1, .pages = pages,
			 .page_size_bytes = PAGE};
	mig_params_default(&q.params);
	q.params.scheme = (int)scheme;
	q.params.state_bytes = 0;
	q.params.reservation_ns = 0;
	q.params.commitment_ns = 0;
	q.params.activation_ns = 0;
	q.dirty.kind = MIG_DIRTY_NONE;
	return q;
}

/* Relative closeness. */
static inline bool near(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want);
}

#endif /* VDCSIM_MIG_TEST_UTIL_H */
