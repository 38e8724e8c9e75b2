/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the migration model: the parameter table and presets,
 * request validation, stage costs and latency in the timeline, sharing
 * links with other flows, Xen's skip on the hot/cold model, and
 * determinism. The migration oracles are in test_mig_golden.c.
 */
#include "mig_test_util.h"

#include <stdlib.h>

#define GBPS(x) ((uint64_t)(x) * UINT64_C(1000000000))

Test(mig_params, the_table_is_valid_and_defaults_follow_the_reference)
{
	const cfg_section *const *s = mig_sections();
	cr_assert(not(eq(ptr, (void *)s[0], NULL)));
	cr_assert(eq(str, (char *)s[0]->path, (char *)"migrations[]"));
	cr_assert(eq(ptr, (void *)s[1], NULL));
	cfg_section_check(s[0]);
	mig_params p;
	mig_params_default(&p);
	cr_assert(eq(int, p.scheme, MIG_SCHEME_PRECOPY));
	cr_assert(eq(int, p.policy, MIG_POLICY_XEN));
	cr_assert(eq(u64, p.start_rate_bps, MIBIT(100)));
	cr_assert(eq(u64, p.rate_step_bps, MIBIT(50)));
	cr_assert(eq(u64, p.max_rate_bps, MIBIT(500)));
	cr_assert(eq(u64, p.max_rounds, 29));
	cr_assert(eq(dbl, p.max_sent_factor, 3.0));
	cr_assert(eq(u64, p.stop_pages, 50));
	cr_assert(eq(u64, p.downtime_limit_ns, SIM_MS(300)));
	cr_assert(p.skip);
	/* Realistic stage costs: Clark et al. §6's 9 ms start-up (SPECweb)
	 * and 128 KiB of state, within its Quake 3 final round of 148 KiB. */
	cr_assert(eq(u64, p.reservation_ns, 0));
	cr_assert(eq(u64, p.commitment_ns, 0));
	cr_assert(eq(u64, p.activation_ns, SIM_MS(9)));
	cr_assert(eq(u64, p.state_bytes, UINT64_C(128) << 10));
	cr_assert(not(p.prepaging));
}

/* With the defaults a post-copy's downtime is tens of milliseconds, not
 * microseconds: the state at the link (128 KiB at 1 Gbit/s, 1048576 ns)
 * plus the 9 ms start-up and the path latency. */
Test(mig_params, default_costs_give_a_downtime_of_milliseconds)
{
	world w;
	world_pair(&w, GBPS(1), SIM_US(50));
	mig_request q = {.src = 0, .dst = 1, .pages = 16384,
			 .page_size_bytes = PAGE};
	mig_params_default(&q.params);
	q.params.scheme = MIG_SCHEME_POSTCOPY;
	q.params.max_rate_bps = GBPS(1);
	cr_assert(eq(int, world_start(&w, &q), 0));
	cr_assert(eq(int, sim_run(w.e), 0));
	cr_assert(eq(u64, w.results[0].downtime_ns,
		     SIM_US(50) + UINT64_C(1048576) + SIM_MS(9)));
	world_fini(&w);
}

Test(mig_params, a_yaml_mapping_loads_into_the_knobs)
{
	const char *text = "m:\n  scheme: stop-and-copy\n  policy: xen-v2\n"
			   "  max_rate: 1Gbit/s\n  activation_cost: 9ms\n"
			   "  skip: false\n";
	cfg_doc *doc = NULL;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("t.yaml", text, strlen(text), &doc, &d),
		     0));
	mig_params p;
	cr_assert(eq(int,
		     cfg_section_load(mig_sections()[0],
				      cfg_map_get(cfg_doc_root(doc), "m"), NULL,
				      &p, &d),
		     0));
	cr_assert(eq(int, p.scheme, MIG_SCHEME_STOP_AND_COPY));
	cr_assert(eq(int, p.policy, MIG_POLICY_XEN_V2));
	cr_assert(eq(u64, p.max_rate_bps, GBPS(1)));
	cr_assert(eq(u64, p.activation_ns, SIM_MS(9)));
	cr_assert(not(p.skip));
	cr_assert(eq(u64, p.max_rounds, 29));
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

Test(mig_params, presets_set_the_knobs_their_implementations_hard_code)
{
	mig_params p;
	mig_params_default(&p);
	mig_params_preset(&p, MIG_POLICY_XEN_V2);
	cr_assert(eq(int, p.policy, MIG_POLICY_XEN_V2));
	cr_assert(eq(u64, p.max_rounds, 5));
	cr_assert(eq(u64, p.stop_pages, 50));
	cr_assert(not(p.skip));
	mig_params_preset(&p, MIG_POLICY_QEMU);
	cr_assert(eq(int, p.policy, MIG_POLICY_QEMU));
	cr_assert(eq(u64, p.downtime_limit_ns, SIM_MS(300)));
	mig_params_preset(&p, MIG_POLICY_XEN);
	cr_assert(eq(u64, p.max_rounds, 29));
	cr_assert(eq(dbl, p.max_sent_factor, 3.0));
}

Test(mig_start, invalid_requests_are_refused_without_side_effects)
{
	world w;
	world_pair(&w, GBPS(1), 0);
	mig_request q = request(1024, MIG_SCHEME_PRECOPY);
	mig_request bad = q;
	bad.dst = 0;
	cr_assert(eq(int, world_start(&w, &bad), SIM_EINPUT));
	bad = q;
	bad.pages = 0;
	cr_assert(eq(int, world_start(&w, &bad), SIM_EINPUT));
	bad = q;
	bad.page_size_bytes = 0;
	cr_assert(eq(int, world_start(&w, &bad), SIM_EINPUT));
	bad = q;
	bad.params.max_rate_bps = 0;
	cr_assert(eq(int, world_start(&w, &bad), SIM_EINPUT));
	bad = q;
	bad.params.policy = 7;
	cr_assert(eq(int, world_start(&w, &bad), SIM_EINPUT));
	bad = q;
	bad.dirty.kind = MIG_DIRTY_UNIFORM;
	bad.dirty.uniform_bytes_per_s = -1;
	cr_assert(eq(int, world_start(&w, &bad), SIM_EINPUT));
	bad = q;
	bad.dirty.kind = MIG_DIRTY_HOTCOLD;
	bad.dirty.hotcold = (mem_hotcold){.pages = 1023, .hot_pages = 1};
	cr_assert(eq(int, world_start(&w, &bad), SIM_EINPUT));
	bad = q;
	bad.dst = 9;
	cr_assert(eq(int, world_start(&w, &bad), SIM_EINPUT));
	cr_assert(eq(sz, mig_active_count(w.m), (size_t)0));
	cr_assert(eq(int, sim_run(w.e), 0));
	cr_assert(eq(sz, w.nresults, (size_t)0));
	world_fini(&w);
}

Test(mig_start, an_unreachable_destination_is_not_found)
{
	world w;
	const uint64_t links[1][4] = {{0, 1, GBPS(1), 0}};
	world_init(&w, 3, links, 1);
	mig_request q = request(1024, MIG_SCHEME_PRECOPY);
	q.dst = 2;
	cr_assert(eq(int, world_start(&w, &q), SIM_ENOENT));
	world_fini(&w);
}

/* Stop-and-copy with every cost and a link latency: the VM pauses after
 * the reservation, and the downtime is transfer + latency + commitment +
 * activation. */
Test(mig_timeline, stage_costs_and_latency_add_up_in_total_and_downtime)
{
	world w;
	world_pair(&w, GBPS(10), SIM_US(100));
	mig_request q = request(MIB(64) / PAGE, MIG_SCHEME_STOP_AND_COPY);
	q.params.max_rate_bps = MIBIT(512); /* 64 MiB in 1 s */
	q.params.reservation_ns = SIM_MS(5);
	q.params.commitment_ns = SIM_MS(2);
	q.params.activation_ns = SIM_MS(40);
	cr_assert(eq(int, sim_run_until(w.e, SIM_S(3)), 0));
	cr_assert(eq(int, world_start(&w, &q), 0));
	cr_assert(eq(sz, mig_active_count(w.m), (size_t)1));
	cr_assert(eq(int, sim_run(w.e), 0));
	cr_assert(eq(sz, w.nresults, (size_t)1));
	const mig_result *r = &w.results[0];
	uint64_t down = SIM_S(1) + SIM_US(100) + SIM_MS(2) + SIM_MS(40);
	cr_assert(eq(u64, r->start_ns, SIM_S(3)));
	cr_assert(eq(u64, r->stop_ns, SIM_S(3) + SIM_MS(5)));
	cr_assert(eq(u64, r->downtime_ns, down));
	cr_assert(eq(u64, r->total_ns, SIM_MS(5) + down));
	cr_assert(eq(u64, r->end_ns, r->start_ns + r->total_ns));
	cr_assert(eq(int, r->scheme, MIG_SCHEME_STOP_AND_COPY));
	cr_assert(eq(u64, w.rounds[0].start_ns, SIM_S(3) + SIM_MS(5)));
	cr_assert(eq(u64, w.rounds[0].duration_ns, SIM_S(1) + SIM_US(100)));
	cr_assert(eq(sz, mig_active_count(w.m), (size_t)0));
	world_fini(&w);
}

static void other_done(void *ctx, net *n, net_flow_id id)
{
	(void)n;
	(void)id;
	*(int *)ctx += 1;
}

/* The migration's flow shares its link max-min fairly: against one
 * uncapped flow on a 1 Gbit/s link it gets half. */
Test(mig_timeline, a_migration_shares_its_link_with_other_flows)
{
	world w;
	world_pair(&w, GBPS(1), 0);
	mig_request q = request(30517, MIG_SCHEME_STOP_AND_COPY);
	q.params.max_rate_bps = GBPS(10);
	int done = 0;
	net_flow_id other;
	cr_assert(eq(int,
		     net_flow_start(w.n, 0, 1, UINT64_C(1000000000),
				    NET_UNCAPPED, other_done, &done, &other),
		     0));
	cr_assert(eq(int, world_start(&w, &q), 0));
	cr_assert(eq(int, sim_run(w.e), 0));
	cr_assert(eq(int, done, 1));
	/* 30517 pages at 0.5 Gbit/s. */
	uint64_t bits = 30517 * PAGE * 8;
	uint64_t want = (bits * 1000000000 + 500000000 - 1) / 500000000;
	cr_assert(eq(u64, w.results[0].total_ns, want));
	world_fini(&w);
}

/* Xen's skip under the hot/cold model: live rounds send fewer pages than
 * their to-send set, what is skipped is reported, the paused round skips
 * nothing, and more pages are skipped than without skip are sent less. */
Test(mig_skip, skip_sends_fewer_pages_in_live_rounds_only)
{
	uint64_t sent[2];
	for (int s = 0; s < 2; s++) {
		world w;
		world_pair(&w, GBPS(10), 0);
		const uint64_t m = 65536;
		mig_request q = request(m, MIG_SCHEME_PRECOPY);
		q.params.skip = s == 1;
		q.params.max_rate_bps = GBPS(1);
		q.dirty.kind = MIG_DIRTY_HOTCOLD;
		q.dirty.hotcold = (mem_hotcold){.pages = m, .hot_pages = 4096,
						.hot_writes_per_s = 40000,
						.cold_writes_per_s = 2000};
		cr_assert(eq(int, world_start(&w, &q), 0));
		cr_assert(eq(int, sim_run(w.e), 0));
		cr_assert(eq(sz, w.nresults, (size_t)1));
		cr_assert(w.rounds[w.nrounds - 1].paused);
		cr_assert(eq(u64, w.rounds[w.nrounds - 1].pages_skipped, 0));
		uint64_t skipped = 0;
		for (size_t i = 0; i + 1 < w.nrounds; i++) {
			skipped += w.rounds[i].pages_skipped;
			if (s == 0)
				cr_assert(eq(u64, w.rounds[i].pages_skipped, 0));
		}
		if (s == 1) {
			cr_assert(gt(u64, skipped, 0));
			cr_assert(lt(u64, w.rounds[0].pages_sent, m));
			cr_assert(eq(u64,
				     w.rounds[0].pages_sent +
					     w.rounds[0].pages_skipped,
				     m));
		}
		sent[s] = w.results[0].pages_sent;
		world_fini(&w);
	}
	cr_assert(lt(u64, sent[1], sent[0]));
}

/* Same inputs, same records, byte for byte. */
Test(mig_determinism, two_identical_runs_give_identical_records)
{
	world *w[2];
	for (int k = 0; k < 2; k++) {
		w[k] = calloc(1, sizeof(world));
		world_pair(w[k], GBPS(1), SIM_US(50));
		for (uint64_t i = 0; i < 3; i++) {
			mig_request q = request(16384, MIG_SCHEME_PRECOPY);
			q.tag = i;
			q.params.policy = (int)i;
			q.dirty.kind = MIG_DIRTY_HOTCOLD;
			q.dirty.hotcold = (mem_hotcold){
				.pages = 16384, .hot_pages = 512,
				.hot_writes_per_s = 5000,
				.cold_writes_per_s = 100};
			cr_assert(eq(int, world_start(w[k], &q), 0));
		}
		cr_assert(eq(int, sim_run(w[k]->e), 0));
		cr_assert(eq(sz, w[k]->nresults, (size_t)3));
	}
	cr_assert(eq(sz, w[0]->nrounds, w[1]->nrounds));
	/* Field by field: struct padding is not part of the record. */
	for (size_t i = 0; i < w[0]->nrounds; i++) {
		const mig_round_result *a = &w[0]->rounds[i], *b = &w[1]->rounds[i];
		cr_assert(eq(u64, a->tag, b->tag));
		cr_assert(eq(u32, a->index, b->index));
		cr_assert(eq(int, a->paused, b->paused));
		cr_assert(eq(u64, a->start_ns, b->start_ns));
		cr_assert(eq(u64, a->duration_ns, b->duration_ns));
		cr_assert(eq(u64, a->cap_bps, b->cap_bps));
		cr_assert(eq(u64, a->rate_bps, b->rate_bps));
		cr_assert(eq(u64, a->pages_sent, b->pages_sent));
		cr_assert(eq(u64, a->pages_dirtied, b->pages_dirtied));
		cr_assert(eq(u64, a->pages_skipped, b->pages_skipped));
	}
	for (size_t i = 0; i < 3; i++) {
		const mig_result *a = &w[0]->results[i], *b = &w[1]->results[i];
		cr_assert(eq(u64, a->tag, b->tag));
		cr_assert(eq(u64, a->end_ns, b->end_ns));
		cr_assert(eq(u64, a->downtime_ns, b->downtime_ns));
		cr_assert(eq(u64, a->bytes, b->bytes));
		cr_assert(eq(u32, a->rounds, b->rounds));
	}
	for (int k = 0; k < 2; k++) {
		world_fini(w[k]);
		free(w[k]);
	}
}

/* ---- page-exact fidelity ------------------------------------------------ */

#define FID_PAGES UINT64_C(65536)

/* A guest: H hot pages (first in memory, as wl's hot set is) written at h
 * writes/s, the others at c writes/s. */
typedef struct guest {
	uint64_t hot_pages;
	double hot_rate, cold_rate;
} guest;

static const guest hot_guest = {4096, 40000.0, 2000.0};
/* Every page equally hot: no spatial clustering. */
static const guest flat_guest = {FID_PAGES, 20000.0, 0.0};

/* Runs one Xen v2 pre-copy of guest g over 1 Gbit/s, statistical (gen
 * NULL) or page-exact (writes from gen), and returns its result; rounds
 * are left in w. */
static mig_result run_fidelity(world *w, const guest *g, wl_pagegen *gen,
			       bool skip)
{
	world_pair(w, GBPS(10), SIM_US(20));
	mig_request q = request(FID_PAGES, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_XEN_V2);
	q.params.skip = skip;
	q.params.max_rate_bps = GBPS(1);
	q.params.activation_ns = SIM_MS(10);
	if (gen) {
		q.dirty.kind = MIG_DIRTY_PAGES;
		q.dirty.pagegen = gen;
	} else {
		q.dirty.kind = MIG_DIRTY_HOTCOLD;
		q.dirty.hotcold = (mem_hotcold){
			.pages = FID_PAGES, .hot_pages = g->hot_pages,
			.hot_writes_per_s = g->hot_rate,
			.cold_writes_per_s = g->cold_rate};
	}
	cr_assert(eq(int, world_start(w, &q), 0));
	cr_assert(eq(int, sim_run(w->e), 0));
	cr_assert(eq(sz, w->nresults, (size_t)1));
	return w->results[0];
}

static wl_pagegen *fidelity_gen(const guest *g, gsl_rng **rng, uint64_t seed)
{
	wl_pages_params p = {.kind = WL_PAGES_HOTSET, .offset = 0,
			     .hot_pages = g->hot_pages, .hot_rate = g->hot_rate,
			     .cold_rate = g->cold_rate};
	*rng = sim_rng_stream(seed, "workload/pages");
	return wl_pagegen_create(&p, FID_PAGES, *rng);
}

/* The statistical model is the page-exact one in expectation (mem.h), so
 * for the same hot/cold parameters the mean over page-exact runs agrees
 * with it on every round's volume, on downtime and on total time within
 * 2 %. One run's downtime spreads by about 1.5 % (one standard deviation)
 * from seed to seed, so the page-exact side is the mean of 16 seeds. */
#define FID_SEEDS 16
Test(mig_fidelity, statistical_and_page_exact_agree_within_2_percent)
{
	world ws;
	mig_result s = run_fidelity(&ws, &hot_guest, NULL, false);
	double down = 0, total = 0, sent[MAX_ROUNDS_REC] = {0};
	for (uint64_t seed = 42; seed < 42 + FID_SEEDS; seed++) {
		world wp;
		gsl_rng *rng;
		wl_pagegen *gen = fidelity_gen(&hot_guest, &rng, seed);
		mig_result p = run_fidelity(&wp, &hot_guest, gen, false);
		cr_assert(eq(u32, s.rounds, p.rounds));
		cr_assert(eq(sz, ws.nrounds, wp.nrounds));
		for (size_t i = 0; i < wp.nrounds; i++)
			sent[i] += (double)wp.rounds[i].pages_sent / FID_SEEDS;
		down += (double)p.downtime_ns / FID_SEEDS;
		total += (double)p.total_ns / FID_SEEDS;
		wl_pagegen_destroy(gen);
		gsl_rng_free(rng);
		world_fini(&wp);
	}
	for (size_t i = 0; i < ws.nrounds; i++)
		cr_assert(near(sent[i], (double)ws.rounds[i].pages_sent, 0.02),
			  "round %zu: %.1f vs %llu", i + 1, sent[i],
			  (unsigned long long)ws.rounds[i].pages_sent);
	cr_assert(near(down, (double)s.downtime_ns, 0.02));
	cr_assert(near(total, (double)s.total_ns, 0.02));
	world_fini(&ws);
}

/* Page-exact skip drops pages peeked dirty from live rounds (they go in the
 * next one), never from the paused round, and sends less in all than no
 * skip. */
Test(mig_fidelity, page_exact_skip_drops_pages_dirtied_again_before_sending)
{
	world wp, wn;
	gsl_rng *rng[2];
	wl_pagegen *gen = fidelity_gen(&hot_guest, &rng[0], 7);
	mig_result p = run_fidelity(&wp, &hot_guest, gen, true);
	wl_pagegen *gen_n = fidelity_gen(&hot_guest, &rng[1], 7);
	mig_result n = run_fidelity(&wn, &hot_guest, gen_n, false);
	cr_assert(gt(u64, wp.rounds[0].pages_skipped, 0));
	cr_assert(eq(u64, wp.rounds[0].pages_sent + wp.rounds[0].pages_skipped,
		     FID_PAGES));
	cr_assert(wp.rounds[wp.nrounds - 1].paused);
	cr_assert(eq(u64, wp.rounds[wp.nrounds - 1].pages_skipped, 0));
	cr_assert(lt(u64, p.pages_sent, n.pages_sent));
	wl_pagegen_destroy(gen);
	wl_pagegen_destroy(gen_n);
	gsl_rng_free(rng[0]);
	gsl_rng_free(rng[1]);
	world_fini(&wp);
	world_fini(&wn);
}

/* With the writes spread evenly over memory, page-exact skip comes close
 * to mem_hotcold_round's expectation: within 2 % on round 1's skipped and
 * 1 % on its sent pages (here 14,946 against 15,134 skipped, -1.2 %: the
 * batch peek, up to one batch early, sends pages written after it; the
 * statistical model examined pages at evenly spaced times until 2026-12
 * and was 4.8 % off). A hot set at the bottom of memory, sent first, is
 * skipped far less than the statistical model says; mem.h states that
 * clustering breaks its independence assumption. */
Test(mig_fidelity, page_exact_skip_matches_the_statistical_skip_without_clustering)
{
	world ws, wp, wh, whs;
	run_fidelity(&ws, &flat_guest, NULL, true);
	gsl_rng *rng[2];
	wl_pagegen *gen = fidelity_gen(&flat_guest, &rng[0], 11);
	run_fidelity(&wp, &flat_guest, gen, true);
	cr_assert(near((double)wp.rounds[0].pages_skipped,
		       (double)ws.rounds[0].pages_skipped, 0.02));
	cr_assert(near((double)wp.rounds[0].pages_sent,
		       (double)ws.rounds[0].pages_sent, 0.01));

	run_fidelity(&whs, &hot_guest, NULL, true);
	wl_pagegen *gen_h = fidelity_gen(&hot_guest, &rng[1], 11);
	run_fidelity(&wh, &hot_guest, gen_h, true);
	cr_assert(lt(u64, wh.rounds[0].pages_skipped,
		     whs.rounds[0].pages_skipped));
	wl_pagegen_destroy(gen);
	wl_pagegen_destroy(gen_h);
	gsl_rng_free(rng[0]);
	gsl_rng_free(rng[1]);
	world_fini(&ws);
	world_fini(&wp);
	world_fini(&wh);
	world_fini(&whs);
}

