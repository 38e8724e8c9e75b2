/* SPDX-License-Identifier: MIT */
/*
 * Tests of the network model's flows as they change: rates that change
 * over time (completions, cancels, caps set while running), carried-bit
 * integrals, what a change recomputes (slack and tight links, rates and
 * events left alone, the order of simultaneous drains), and what on_done
 * and the reshare hook may do.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdlib.h>

#include "net.h"
#include "net_util.h"

/* ---- rates changing over time ------------------------------------------- */

/*
 * One 100 Mbit/s link with 1 ms latency; A has 25 MB (200 Mbit), B 50 MB
 * (400 Mbit). Both run at 50: A drains at 4 s and completes at 4.001 s. B's
 * rate rises to 100 at 4 s itself (bandwidth is freed when the last bit
 * leaves, not when it lands); B has 200 Mbit left, drains at 6 s and
 * completes at 6.001 s.
 */
Test(net_flow, a_flow_that_finishes_midway_speeds_up_the_others_from_that_instant)
{
	const uint64_t bps[] = {MBPS(100)}, lat[] = {SIM_MS(1)};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec ra = {0}, rb = {0};
	net_flow_id a = start(n, 0, 1, 25000000, NET_UNCAPPED, &ra);
	net_flow_id b = start(n, 0, 1, 50000000, NET_UNCAPPED, &rb);
	sim_run_until(e, SIM_S(4) + SIM_US(500));
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, a, &info), 0));
	cr_assert(eq(int, info.state, NET_FLOW_DELIVERING));
	cr_assert(eq(u64, info.rate_bps, 0));
	cr_assert(eq(u64, info.remaining_bits, 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(100)));
	/* 200 Mbit by 4 s, then 100 Mbit/s for 0.5 ms: 50,000 bits. */
	cr_assert(eq(int, net_flow_query(n, b, &info), 0));
	cr_assert(eq(u64, info.sent_bits, UINT64_C(200050000)));
	cr_assert(eq(u64, net_flow_remaining_bytes(n, b),
		     (UINT64_C(400000000) - UINT64_C(200050000)) / 8));
	sim_run(e);
	cr_assert(eq(u64, ra.at_ns, SIM_S(4) + SIM_MS(1)));
	cr_assert(eq(u64, rb.at_ns, SIM_S(6) + SIM_MS(1)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * The same with numbers that do not divide. 1 Gbit/s, no latency; A, B, C
 * of 1, 2 and 3 MB (8, 16 and 24 Mbit).
 * Phase 1, three flows at floor(10^9/3) = 333,333,333 bit/s: A's 8·10^6
 * bits drain at ceil(8·10^15 / 333,333,333) = 24,000,001 ns. B and C have
 * then sent floor(333,333,333 · 24,000,001 / 10^9) = 8,000,000 bits with
 * 325,333,333 bit·ns carried over.
 * Phase 2, two flows at 5·10^8: B's last 8·10^6 bits need
 * ceil((8·10^15 - 325,333,333) / 5·10^8) = 16,000,000 ns: B at 40,000,001.
 * C sends floor((5·10^8 · 16·10^6 + 325,333,333) / 10^9) = 8·10^6 bits,
 * carry still 325,333,333.
 * Phase 3, C alone at 10^9: ceil((8·10^15 - 325,333,333) / 10^9) =
 * 8,000,000 ns: C at 48,000,001.
 */
Test(net_flow, piecewise_completion_times_are_exact_to_the_nanosecond)
{
	const uint64_t bps[] = {GBPS(1)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r[3] = {{0}};
	start(n, 0, 1, 1000000, NET_UNCAPPED, &r[0]);
	start(n, 0, 1, 2000000, NET_UNCAPPED, &r[1]);
	start(n, 0, 1, 3000000, NET_UNCAPPED, &r[2]);
	sim_run(e);
	cr_assert(eq(u64, r[0].at_ns, 24000001));
	cr_assert(eq(u64, r[1].at_ns, 40000001));
	cr_assert(eq(u64, r[2].at_ns, 48000001));
	for (int i = 0; i < 3; i++)
		cr_assert(eq(u64, r[i].info.sent_bits,
			     8 * UINT64_C(1000000) * (uint64_t)(i + 1)));
	/* The link carried exactly the 48 Mbit. */
	cr_assert(eq(u64, stats_of(n, 0).carried_bits, 48000000));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Two flows of 50 MB (400 Mbit) on 100 Mbit/s, 50 each. At 2 s A is
 * cancelled, having sent 100 Mbit; B has 300 Mbit left at 100 Mbit/s and
 * completes at 5 s. A's callback never runs.
 */
Test(net_flow, cancel_frees_bandwidth_for_the_others)
{
	const uint64_t bps[] = {MBPS(100)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec ra = {0}, rb = {0};
	net_flow_id a = start(n, 0, 1, 50000000, NET_UNCAPPED, &ra);
	net_flow_id b = start(n, 0, 1, 50000000, NET_UNCAPPED, &rb);
	sim_run_until(e, SIM_S(2));
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, a, &info), 0));
	cr_assert(eq(u64, info.sent_bits, UINT64_C(100000000)));
	cr_assert(eq(int, net_flow_cancel(n, a), 0));
	cr_assert(eq(int, net_flow_cancel(n, a), SIM_ENOENT));
	cr_assert(not(net_flow_is_active(n, a)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(100)));
	cr_assert(eq(sz, net_flow_count(n), 1));
	sim_run(e);
	cr_assert(eq(int, ra.calls, 0));
	cr_assert(eq(u64, rb.at_ns, SIM_S(5)));
	/* 100 Mbit of A and 400 of B. */
	cr_assert(eq(u64, stats_of(n, 0).carried_bits, UINT64_C(500000000)));

	sim_engine_destroy(e);
	net_topo_destroy(t);
}

Test(net_flow, a_flow_cancelled_while_its_last_bit_is_in_flight_never_completes)
{
	const uint64_t bps[] = {MBPS(100)}, lat[] = {SIM_MS(10)};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r = {0};
	net_flow_id a = start(n, 0, 1, 12500000, NET_UNCAPPED, &r); /* 1 s */
	sim_run_until(e, SIM_S(1) + SIM_MS(5));
	cr_assert(net_flow_is_active(n, a));
	cr_assert(eq(u64, net_flow_remaining_bytes(n, a), 0));
	cr_assert(eq(int, net_flow_set_cap(n, a, MBPS(1)), 0));
	cr_assert(eq(int, net_flow_cancel(n, a), 0));
	sim_run(e);
	cr_assert(eq(int, r.calls, 0));
	cr_assert(eq(u64, sim_events_executed(e), 1)); /* the drain only */
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Two flows of 400 Mbit on 100 Mbit/s, 50 each. At 2 s (100 Mbit sent
 * each) A is capped at 20: A 20, B 80. B's 300 Mbit take 3.75 s: B
 * completes at 5.75 s, when A has sent 100 + 20·3.75 = 175. Then A runs
 * alone at its cap of 20 until, at 6 s, the cap is lifted: A has sent 180
 * and does the last 220 at 100 Mbit/s, completing at 8.2 s.
 */
static void lift_cap(sim_engine *e, sim_model *m, void *state, uint32_t kind,
		     const void *payload)
{
	(void)e;
	(void)m;
	(void)kind;
	(void)payload;
	void **s = state;
	net *n = s[0];
	net_flow_id *id = s[1];
	cr_assert(eq(int, net_flow_set_cap(n, *id, NET_UNCAPPED), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, *id), MBPS(100)));
}

static const sim_model_ops lift_ops = {
	.name = "lift", .state_size = 2 * sizeof(void *), .handle = lift_cap};

Test(net_flow, set_cap_changes_rates_at_once_and_reschedules_completion)
{
	const uint64_t bps[] = {MBPS(100)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec ra = {0}, rb = {0};
	net_flow_id a = start(n, 0, 1, 50000000, NET_UNCAPPED, &ra);
	net_flow_id b = start(n, 0, 1, 50000000, NET_UNCAPPED, &rb);
	sim_model *m = sim_model_add(e, &lift_ops);
	void **s = sim_model_state(m);
	s[0] = n;
	s[1] = &a;
	sim_event_schedule(e, m, SIM_S(6), 0, NULL, 0);
	sim_run_until(e, SIM_S(2));
	uint64_t changes = net_rate_change_count(n);
	cr_assert(eq(int, net_flow_set_cap(n, a, MBPS(20)), 0));
	cr_assert(eq(u64, net_rate_change_count(n), changes + 2));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(20)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(80)));
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, a, &info), 0));
	cr_assert(eq(u64, info.cap_bps, MBPS(20)));
	/* Setting the same cap again recomputes nothing. */
	uint64_t reshares = net_reshare_count(n);
	cr_assert(eq(int, net_flow_set_cap(n, a, MBPS(20)), 0));
	cr_assert(eq(u64, net_reshare_count(n), reshares));
	sim_run(e);
	cr_assert(eq(u64, rb.at_ns, SIM_MS(5750)));
	cr_assert(eq(u64, ra.at_ns, SIM_MS(8200)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* Flows of other components keep their rates and their events: starting
 * a flow on one link touches nothing on a disjoint one. */
Test(net_flow, flows_in_other_components_are_left_alone)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 4);
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, MBPS(10), 0, NULL), 0));
	cr_assert(eq(int, net_topo_link_add(t, 2, 3, MBPS(10), 0, NULL), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	start(n, 0, 1, 1000000, NET_UNCAPPED, NULL);
	uint64_t changes = net_rate_change_count(n);
	start(n, 2, 3, 1000000, NET_UNCAPPED, NULL);
	cr_assert(eq(u64, net_rate_change_count(n), changes + 1));
	start(n, 3, 2, 1000000, NET_UNCAPPED, NULL); /* other direction */
	cr_assert(eq(u64, net_rate_change_count(n), changes + 2));
	cr_assert(eq(u64, stats_of(n, 3).load_bps, MBPS(10)));
	cr_assert(eq(u64, stats_of(n, 2).load_bps, MBPS(10)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* ---- what a change recomputes -------------------------------------------- */

/*
 * A flow held by its cap on links whose caps add up to no more than their
 * capacity ("slack" links) keeps its rate, and so its drain event and
 * completion time to the ns, whatever other flows come and go, as long as
 * the links stay slack or their shares stay above its cap. Only the flows
 * whose rate changes count as changes.
 */
Test(net_flow, a_flow_whose_rate_does_not_change_keeps_its_completion_time_exactly)
{
	const uint64_t bps[] = {GBPS(1)}, lat[] = {1000};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec ra = {0};
	net_flow_id a = start(n, 0, 1, 37500001, MBPS(300), &ra);
	net_flow_info before;
	cr_assert(eq(int, net_flow_query(n, a, &before), 0));
	/* 300,000,008 bits at 3·10^8 bit/s: ceil(300000008 / 0.3) ns. */
	cr_assert(eq(u64, before.drain_ns, div_up(UINT64_C(3000000080), 3)));
	uint64_t changes = net_rate_change_count(n);
	uint64_t reshares = net_reshare_count(n);

	sim_run_until(e, SIM_MS(100));
	net_flow_id b = start(n, 0, 1, 1000000000, MBPS(300), NULL);
	cr_assert(eq(u64, net_rate_change_count(n), changes + 1)); /* b */
	sim_run_until(e, SIM_MS(200));
	/* Uncapped c makes the link tight: its share of 10^9/3 is still
	 * above the caps, so a and b keep 300 Mbit/s and c gets the rest. */
	net_flow_id c = start(n, 0, 1, 1000000000, NET_UNCAPPED, NULL);
	cr_assert(eq(u64, net_rate_change_count(n), changes + 2)); /* c */
	cr_assert(eq(u64, net_flow_rate_bps(n, c), MBPS(400)));
	sim_run_until(e, SIM_MS(300));
	cr_assert(eq(int, net_flow_set_cap(n, b, MBPS(350)), 0));
	cr_assert(eq(u64, net_rate_change_count(n), changes + 4)); /* b, c */
	cr_assert(eq(int, net_flow_cancel(n, c), 0));
	cr_assert(eq(int, net_flow_cancel(n, b), 0));
	cr_assert(eq(u64, net_rate_change_count(n), changes + 4));
	cr_assert(eq(u64, net_reshare_count(n), reshares + 5));

	net_flow_info after;
	cr_assert(eq(int, net_flow_query(n, a, &after), 0));
	cr_assert(eq(u64, after.rate_bps, MBPS(300)));
	cr_assert(eq(u64, after.drain_ns, before.drain_ns));
	cr_assert(eq(u64, after.done_ns, before.done_ns));
	sim_run(e);
	cr_assert(eq(u64, ra.at_ns, before.drain_ns + 1000));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * 100 Mbit/s, flows capped at 40 Mbit/s: two fit (the link is slack and
 * each runs at its cap); a third overbooks it and all three get
 * floor(10^8 / 3); when it leaves the two return to their caps. Raising
 * one cap to exactly the room left keeps the link slack; one bit/s more
 * makes it tight, and that flow gets the rest of the link.
 */
Test(net_flow, a_link_turns_tight_when_caps_overbook_it_and_slack_when_they_fit_again)
{
	const uint64_t bps[] = {MBPS(100)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	net_flow_id a = start(n, 0, 1, 1000000000, MBPS(40), NULL);
	net_flow_id b = start(n, 0, 1, 1000000000, MBPS(40), NULL);
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(40)));
	net_flow_id c = start(n, 0, 1, 1000000000, MBPS(40), NULL);
	net_flow_id all[] = {a, b, c};
	for (int i = 0; i < 3; i++)
		cr_assert(eq(u64, net_flow_rate_bps(n, all[i]), 33333333));
	cr_assert(eq(u64, stats_of(n, 0).load_bps, 99999999));
	cr_assert(eq(int, net_flow_cancel(n, c), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(40)));
	cr_assert(eq(int, net_flow_set_cap(n, b, MBPS(60)), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(60)));
	cr_assert(eq(int, net_flow_set_cap(n, b, MBPS(60) + 1), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(60)));
	cr_assert(eq(u64, stats_of(n, 0).load_bps, MBPS(100)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Flows that drain in the same ns but share no link leave one by one, in
 * the order of their drain events, each with its own recomputation; flows
 * of one component among them still leave together. Q (alone on its link,
 * twice the size) and P, R (sharing theirs) all drain at 1 s.
 */
Test(net_flow, flows_draining_in_the_same_ns_leave_together_only_within_a_component)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 4);
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, MBPS(100), 0, NULL), 0));
	cr_assert(eq(int, net_topo_link_add(t, 2, 3, MBPS(100), 0, NULL), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	order_log log = {.n = 0};
	order_tag tags[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
	net_flow_id q, p, r;
	cr_assert(eq(int, net_flow_start(n, 2, 3, 12500000, NET_UNCAPPED,
					 note_order, &tags[0], &q), 0));
	cr_assert(eq(int, net_flow_start(n, 0, 1, 6250000, NET_UNCAPPED,
					 note_order, &tags[1], &p), 0));
	cr_assert(eq(int, net_flow_start(n, 0, 1, 6250000, NET_UNCAPPED,
					 note_order, &tags[2], &r), 0));
	uint64_t reshares = net_reshare_count(n);
	sim_run(e);
	cr_assert(eq(u64, sim_now(e), SIM_S(1)));
	cr_assert(eq(u64, net_reshare_count(n), reshares + 2));
	cr_assert(eq(int, log.n, 3));
	for (int i = 0; i < 3; i++)
		cr_assert(eq(int, log.order[i], i));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Which of two flows in different components, draining in the same ns,
 * completes first follows the order of their drain events; for flows
 * rescheduled by one change that is the order in which a breadth-first
 * search from the changed flow's links (each link's flows in list order)
 * finds them, as the model has always done. Here, on n0 - n1 - n2, B
 * (n1 -> n2) starts before A (n0 -> n1), both capped at 60 Mbit/s; C
 * (n0 -> n2, uncapped) holds both to 50 Mbit/s until its cap drops to
 * 10 Mbit/s at 1 s, which frees both to their caps in one change, with
 * equal drain times; C's links are searched from n0's side, so A comes
 * first. C is then cancelled, leaving A and B in separate components.
 */
Test(net_flow, flows_freed_by_one_change_to_drain_together_complete_in_search_order)
{
	const uint64_t bps[] = {MBPS(100), MBPS(100)}, lat[] = {1000, 1000};
	net_topo *t = line(2, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	order_log log = {.n = 0};
	order_tag ta = {&log, 0}, tb = {&log, 1};
	net_flow_id a, b;
	done_rec rc = {0};
	cr_assert(eq(int, net_flow_start(n, 1, 2, 12500000, MBPS(60),
					 note_order, &tb, &b), 0));
	cr_assert(eq(int, net_flow_start(n, 0, 1, 12500000, MBPS(60),
					 note_order, &ta, &a), 0));
	net_flow_id c = start(n, 0, 2, 1000000000, NET_UNCAPPED, &rc);
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(50)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(50)));
	sim_run_until(e, SIM_S(1));
	cr_assert(eq(int, net_flow_set_cap(n, c, MBPS(10)), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(60)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(60)));
	cr_assert(eq(int, net_flow_cancel(n, c), 0));
	sim_run(e);
	/* 5·10^7 bits left at 6·10^7 bit/s, then the link's latency. */
	cr_assert(eq(u64, sim_now(e),
		     SIM_S(1) + div_up(UINT64_C(5000000000), 6) + 1000));
	cr_assert(eq(int, log.n, 2));
	cr_assert(eq(int, log.order[0], 0)); /* A */
	cr_assert(eq(int, log.order[1], 1)); /* B */
	cr_assert(eq(int, rc.calls, 0));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Scale, the migration benchmark's shape: 1,000 flows capped at 1 Gbit/s
 * from host i to host i + 500 of a 1,000-host fabric, all in one connected
 * component through the core, but never more than 40 on a 40 Gbit/s ToR
 * uplink, so every link is slack. Each start changes exactly one rate (the
 * new flow's), no drain changes any, and every flow completes at its
 * closed-form time alone at its cap.
 */
typedef struct capped_run {
	uint64_t start_ns, latency_ns, bytes, done_ns;
} capped_run;

static void capped_done(void *ctx, net *n, net_flow_id id)
{
	(void)id;
	((capped_run *)ctx)->done_ns = sim_now(net_engine(n));
}

Test(net_flow, a_thousand_capped_flows_through_one_core_change_one_rate_each)
{
	net_dc_params p = {.datacenters = 1, .racks = 25,
			   .hosts_per_rack = 40, .nic_bps = GBPS(10),
			   .uplink_bps = GBPS(40), .rack_latency_ns = 2000,
			   .fabric_latency_ns = 5000};
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	gsl_rng *rng = sim_rng_stream(3, "test-net-capped-scale");
	capped_run *runs = calloc(1000, sizeof *runs);
	for (uint32_t i = 0; i < 1000; i++) {
		/* Starts spread over 10 ms, as the benchmark's are. */
		sim_run_until(e, SIM_US(10) * i);
		capped_run *r = &runs[i];
		r->start_ns = sim_now(e);
		r->bytes = 1 + gsl_rng_uniform_int(rng, 10000000);
		cr_assert(eq(int, net_topo_path_latency(t, i, (i + 500) % 1000,
							&r->latency_ns), 0));
		net_flow_id id;
		cr_assert(eq(int, net_flow_start(n, i, (i + 500) % 1000,
						 r->bytes, GBPS(1), capped_done,
						 r, &id), 0));
		cr_assert(eq(u64, net_rate_change_count(n), i + 1));
	}
	gsl_rng_free(rng);
	sim_run(e);
	cr_assert(eq(u64, net_rate_change_count(n), 1000));
	for (uint32_t i = 0; i < 1000; i++) {
		capped_run *r = &runs[i];
		/* 8B bits at 10^9 bit/s take 8B ns. */
		cr_assert(eq(u64, r->done_ns,
			     r->start_ns + r->latency_ns + 8 * r->bytes),
			  "flow %u", i);
	}
	free(runs);
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* ---- carried bits --------------------------------------------------------- */

/*
 * A line n0 - n1 - n2 with odd capacities and sizes. Whatever the rates,
 * each link's carried bits once idle equal the bits of the flows that
 * crossed it, and while a link is saturated its carried bits grow at its
 * capacity (to within a bit per flow).
 */
Test(net_flow, link_carried_bits_equal_the_bits_of_the_flows_that_crossed_it)
{
	const uint64_t bps[] = {999999937, 300000007};
	net_topo *t = line(2, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r[3] = {{0}};
	start(n, 0, 2, 1234567, NET_UNCAPPED, &r[0]);  /* links 0, 2 */
	start(n, 0, 1, 7654321, 123456791, &r[1]);     /* link 0 */
	start(n, 1, 2, 3333333, NET_UNCAPPED, &r[2]);  /* link 2 */
	/* Link 2 is saturated from the start: 2 flows, 300000007 bit/s. */
	net_link_stats s = stats_of(n, 2);
	cr_assert(ge(u64, s.load_bps + 1, 300000007));
	sim_run_until(e, SIM_MS(10));
	s = stats_of(n, 2);
	uint64_t want = 300000007 / 100; /* 10 ms at capacity */
	cr_assert(le(u64, s.carried_bits, want));
	cr_assert(ge(u64, s.carried_bits + 2, want));
	/* Mean utilisation over the first 10 ms is 1 to within 10^-6. */
	double u = (double)s.carried_bits * 1e9 /
		   ((double)s.capacity_bps * (double)SIM_MS(10));
	cr_assert(epsilon_eq(dbl, u, 1.0, 1e-6));
	sim_run(e);
	cr_assert(eq(u64, stats_of(n, 0).carried_bits,
		     8 * UINT64_C(1234567) + 8 * UINT64_C(7654321)));
	cr_assert(eq(u64, stats_of(n, 2).carried_bits,
		     8 * UINT64_C(1234567) + 8 * UINT64_C(3333333)));
	cr_assert(eq(u64, stats_of(n, 1).carried_bits, 0));
	cr_assert(eq(u64, stats_of(n, 0).load_bps, 0));
	cr_assert(eq(u32, stats_of(n, 0).flows, 0));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* A chain: each completion starts the next flow from inside on_done. */
typedef struct chain {
	int left;
	uint64_t at_ns[4];
	int n;
} chain;

static void next_link_of_chain(void *ctx, net *n, net_flow_id id)
{
	(void)id;
	chain *c = ctx;
	c->at_ns[c->n++] = sim_now(net_engine(n));
	if (--c->left > 0) {
		net_flow_id x;
		cr_assert(eq(int, net_flow_start(n, 0, 1, 1250, NET_UNCAPPED,
						 next_link_of_chain, c, &x),
			     0));
	}
}

/* 1250 B = 10^4 bits at 10 Mbit/s: 1 ms, plus 1 us latency, three times. */
Test(net_flow, on_done_may_start_the_next_flow)
{
	const uint64_t bps[] = {MBPS(10)}, lat[] = {1000};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	chain c = {.left = 3};
	net_flow_id x;
	cr_assert(eq(int, net_flow_start(n, 0, 1, 1250, NET_UNCAPPED,
					 next_link_of_chain, &c, &x),
		     0));
	sim_run(e);
	cr_assert(eq(int, c.n, 3));
	for (int i = 0; i < 3; i++)
		cr_assert(eq(u64, c.at_ns[i], (uint64_t)(i + 1) * 1001000));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

static void meddle(void *ctx, const net *n)
{
	(void)n;
	net_flow_cancel((net *)ctx, 1);
}

Test(net_flow, changing_flows_from_the_reshare_hook_panics,
     .signal = SIGABRT)
{
	const uint64_t bps[] = {MBPS(10)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	net_set_reshare_hook(n, meddle, n);
	start(n, 0, 1, 1000, NET_UNCAPPED, NULL);
}
