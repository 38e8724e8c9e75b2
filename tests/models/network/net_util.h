/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the tests of the network model (test_net.c,
 * test_net_changes.c, test_net_random.c): line topologies, starting a flow
 * that records its completion, link statistics, the order flows finish in.
 * Header-only: each test program includes it once.
 */
#ifndef TEST_NET_UTIL_H
#define TEST_NET_UTIL_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>

#include "net.h"

#define MBPS(x) ((uint64_t)(x) * UINT64_C(1000000))
#define GBPS(x) ((uint64_t)(x) * UINT64_C(1000000000))

/* Adds nodes "n0".."n<k-1>" (hosts) to t. */
static inline void add_nodes(net_topo *t, uint32_t k)
{
	for (uint32_t i = 0; i < k; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%u", i);
		uint32_t id;
		cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, name, &id),
			     0));
		cr_assert(eq(u32, id, i));
	}
}

/* A line n0 - n1 - ... - n<k>: full-duplex link i joins n<i> and n<i+1>
 * with bps[i] and lat[i] both ways, so directed link 2i is n<i> -> n<i+1>. */
static inline net_topo *line(uint32_t k, const uint64_t *bps, const uint64_t *lat)
{
	net_topo *t = net_topo_create();
	add_nodes(t, k + 1);
	for (uint32_t i = 0; i < k; i++)
		cr_assert(eq(int,
			     net_topo_link_add(t, i, i + 1, bps[i],
					       lat ? lat[i] : 0, NULL),
			     0));
	return t;
}

/* What a flow's on_done saw. */
typedef struct done_rec {
	uint64_t at_ns;
	int calls;
	net_flow_info info; /* queried inside the callback */
} done_rec;

static inline void record_done(void *ctx, net *n, net_flow_id id)
{
	done_rec *r = ctx;
	r->at_ns = sim_now(net_engine(n));
	r->calls++;
	cr_assert(eq(int, net_flow_query(n, id, &r->info), 0));
	cr_assert(eq(int, r->info.state, NET_FLOW_DONE));
	cr_assert(not(net_flow_is_active(n, id)));
}

static inline net_flow_id start(net *n, uint32_t src, uint32_t dst, uint64_t bytes,
			 uint64_t cap, done_rec *r)
{
	net_flow_id id = 0;
	cr_assert(eq(int,
		     net_flow_start(n, src, dst, bytes, cap,
				    r ? record_done : NULL, r, &id),
		     0));
	cr_assert(ne(u64, id, 0));
	return id;
}

static inline net_link_stats stats_of(const net *n, uint32_t link)
{
	net_link_stats s;
	cr_assert(eq(int, net_link_query(n, link, &s), 0));
	return s;
}

/* ceil(a / b) */
static inline uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* The order in which flows complete: each flow's on_done (note_order)
 * appends its tag's who to the log. */
typedef struct order_log {
	int order[8], n;
} order_log;

typedef struct order_tag {
	order_log *log;
	int who;
} order_tag;

static inline void note_order(void *ctx, net *n, net_flow_id id)
{
	(void)n;
	(void)id;
	order_tag *t = ctx;
	t->log->order[t->log->n++] = t->who;
}

#endif
