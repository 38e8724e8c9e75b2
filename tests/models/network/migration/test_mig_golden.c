/* SPDX-License-Identifier: MIT */
/*
 * Golden tests of the migration model against the migration oracles
 * of docs/references.md ("oracle N" below: Clark et al. NSDI 2005, Xen's
 * and QEMU's save code, SimGrid) and the geometric pre-copy closed form
 * ([Liu11]). Binary units throughout: MiB = 2^20 B and
 * Mibit/s = 2^20 bit/s; pages of 4 KiB unless said otherwise.
 */
#include "mig_test_util.h"

#define FAT UINT64_C(1000000000000) /* 1 Tbit/s: never the bottleneck */

/* Runs one migration alone on a fat link with latency 0 and returns it. */
static void run_one(world *w, const mig_request *q)
{
	world_pair(w, FAT, 0);
	cr_assert(eq(int, world_start(w, q), 0));
	cr_assert(eq(int, sim_run(w->e), 0));
	cr_assert(eq(sz, w->nresults, (size_t)1));
	cr_assert(eq(sz, mig_active_count(w->m), (size_t)0));
}

/* Oracle 1: 512 MiB by stop-and-copy at 128 / 256 / 512 Mibit/s takes
 * 32 / 16 / 8 s, all of it downtime (exact here: ±0.1 % allowed). */
Test(mig_golden, oracle1_stop_and_copy_of_512_MiB_takes_32_16_and_8_s)
{
	const uint64_t rate[3] = {MIBIT(128), MIBIT(256), MIBIT(512)};
	const uint64_t want[3] = {SIM_S(32), SIM_S(16), SIM_S(8)};
	for (int i = 0; i < 3; i++) {
		world w;
		mig_request q = request(MIB(512) / PAGE,
					MIG_SCHEME_STOP_AND_COPY);
		q.params.max_rate_bps = rate[i];
		run_one(&w, &q);
		const mig_result *r = &w.results[0];
		cr_assert(eq(u64, r->total_ns, want[i]));
		cr_assert(eq(u64, r->downtime_ns, want[i]));
		cr_assert(eq(u64, r->bytes, MIB(512)));
		cr_assert(eq(u32, r->rounds, 0));
		cr_assert(eq(sz, w.nrounds, (size_t)1));
		cr_assert(w.rounds[0].paused);
		cr_assert(eq(u64, w.rounds[0].rate_bps, rate[i]));
		world_fini(&w);
	}
}

/* Oracle 2: an idle VM of 1.25e9 B over 1.25e9 B/s with latency 0 takes
 * 1.000 s in one push round; data sent = RAM; downtime ~0. */
Test(mig_golden, oracle2_idle_vm_migrates_in_one_push_round_of_one_second)
{
	world w;
	mig_request q = request(1000000, MIG_SCHEME_PRECOPY);
	q.page_size_bytes = 1250;
	q.params.max_rate_bps = UINT64_C(10000000000);
	run_one(&w, &q);
	const mig_result *r = &w.results[0];
	cr_assert(eq(u64, r->total_ns, SIM_S(1)));
	cr_assert(eq(u64, r->bytes, UINT64_C(1250000000)));
	cr_assert(eq(u64, r->downtime_ns, 0));
	cr_assert(eq(u32, r->rounds, 1));
	world_fini(&w);
}

/* Oracle 3: M = 1024 MiB, R = 128 MiB/s, D = 64 MiB/s (λ = 0.5), QEMU
 * rule with d = 0.3 s: live rounds of 1024, 512, 256, 128, 64 MiB, then
 * 32 MiB paused; n = 5, downtime 0.25 s, V = 2016 MiB, T = 15.75 s (±0.5 %),
 * equal to the closed form M(1 − λ^{n+1})/(1 − λ). */
Test(mig_golden, oracle3_qemu_rule_halves_rounds_down_to_32_MiB_paused)
{
	world w;
	mig_request q = request(MIB(1024) / PAGE, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_QEMU);
	q.params.max_rate_bps = MIBIT(1024); /* 128 MiB/s */
	q.params.downtime_limit_ns = SIM_MS(300);
	q.dirty.kind = MIG_DIRTY_UNIFORM;
	q.dirty.uniform_bytes_per_s = (double)MIB(64);
	run_one(&w, &q);
	const uint64_t want_mib[6] = {1024, 512, 256, 128, 64, 32};
	cr_assert(eq(sz, w.nrounds, (size_t)6));
	for (int i = 0; i < 6; i++) {
		cr_assert(eq(u64, w.rounds[i].pages_sent,
			     MIB(want_mib[i]) / PAGE));
		cr_assert(eq(int, w.rounds[i].paused, i == 5));
	}
	const mig_result *r = &w.results[0];
	cr_assert(eq(u32, r->rounds, 5));
	cr_assert(near((double)r->downtime_ns, 0.25e9, 0.005));
	cr_assert(near((double)r->bytes, (double)MIB(2016), 0.005));
	cr_assert(near((double)r->total_ns, 15.75e9, 0.005));
	double closed = (double)MIB(1024) * (1 - pow(0.5, 6)) / (1 - 0.5);
	cr_assert(near((double)r->bytes, closed, 0.005));
	world_fini(&w);
}

/* Xen v2 at λ = 0.25 (each round dirties a quarter of what it sent):
 * R = 2^27 bit/s and D = 0.25·R/8 B/s make every round exact. */
static mig_request xen_v2_quarter(void)
{
	mig_request q = request(131072, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_XEN_V2);
	q.params.max_rate_bps = MIBIT(128);
	q.dirty.kind = MIG_DIRTY_UNIFORM;
	q.dirty.uniform_bytes_per_s = 0.25 * (double)MIBIT(128) / 8;
	return q;
}

/* Oracle 4: Xen v2 default policy, M = 131072 pages, dirty count 0.25 ×
 * pages sent: live rounds of 131072, 32768, 8192, 2048, 512 pages (the
 * iteration cap comes before < 50 pages), then a paused round of 128. */
Test(mig_golden, oracle4_xen_v2_stops_after_five_live_rounds_then_128_pages)
{
	world w;
	mig_request q = xen_v2_quarter();
	run_one(&w, &q);
	const uint64_t want[6] = {131072, 32768, 8192, 2048, 512, 128};
	cr_assert(eq(sz, w.nrounds, (size_t)6));
	for (int i = 0; i < 6; i++) {
		cr_assert(eq(u64, w.rounds[i].pages_sent, want[i]));
		cr_assert(eq(int, w.rounds[i].paused, i == 5));
	}
	cr_assert(eq(u32, w.results[0].rounds, 5));
	world_fini(&w);
}

/* Oracle 4, variant: when a dirty count below the threshold appears at
 * check k, that set is still sent live and one paused round follows.
 * With the threshold at 3000 pages, 2048 < 3000 appears after round 3. */
Test(mig_golden, oracle4_xen_v2_sends_a_small_dirty_set_live_before_pausing)
{
	world w;
	mig_request q = xen_v2_quarter();
	q.params.stop_pages = 3000;
	run_one(&w, &q);
	const uint64_t want[5] = {131072, 32768, 8192, 2048, 512};
	cr_assert(eq(sz, w.nrounds, (size_t)5));
	for (int i = 0; i < 5; i++) {
		cr_assert(eq(u64, w.rounds[i].pages_sent, want[i]));
		cr_assert(eq(int, w.rounds[i].paused, i == 4));
	}
	cr_assert(eq(u32, w.results[0].rounds, 4));
	world_fini(&w);
}

/* Oracle 5: Xen legacy caps, no skip, λ = 1: totals after rounds 1..4 are
 * M..4M, the factor cap (> 3M) stops after round 4, the paused round sends
 * M: total 5M, downtime M·4 KiB·8/R, 4 live rounds. */
Test(mig_golden, oracle5_xen_legacy_factor_cap_gives_four_live_rounds)
{
	world w;
	const uint64_t m = 131072;
	mig_request q = request(m, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_XEN);
	q.params.skip = false;
	q.params.max_rate_bps = MIBIT(128);
	q.dirty.kind = MIG_DIRTY_UNIFORM;
	q.dirty.uniform_bytes_per_s = (double)MIBIT(128) / 8;
	run_one(&w, &q);
	cr_assert(eq(sz, w.nrounds, (size_t)5));
	for (int i = 0; i < 5; i++)
		cr_assert(eq(u64, w.rounds[i].pages_sent, m));
	const mig_result *r = &w.results[0];
	cr_assert(eq(u32, r->rounds, 4));
	cr_assert(eq(u64, r->pages_sent, 5 * m));
	/* M·4 KiB·8 / 128 Mibit/s = 2^32 bit / 2^27 bit/s = 32 s. */
	cr_assert(eq(u64, r->downtime_ns, SIM_S(32)));
	world_fini(&w);
}

/* Oracle 6: a dirty set that settles at 1000 pages a round (> 50) without
 * passing 3M in total runs into the iteration cap: 29 live rounds + 1. The
 * hot set of 1000 pages is written so fast that all of it is dirty in
 * every round, and nothing else is written. */
Test(mig_golden, oracle6_xen_legacy_iteration_cap_gives_29_live_rounds)
{
	world w;
	const uint64_t m = 131072;
	mig_request q = request(m, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_XEN);
	q.params.skip = false;
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = (mem_hotcold){.pages = m, .hot_pages = 1000,
					.hot_writes_per_s = 1e12,
					.cold_writes_per_s = 0};
	run_one(&w, &q);
	cr_assert(eq(sz, w.nrounds, (size_t)30));
	cr_assert(eq(u64, w.rounds[0].pages_sent, m));
	for (size_t i = 1; i < 30; i++)
		cr_assert(eq(u64, w.rounds[i].pages_sent, 1000));
	cr_assert(w.rounds[29].paused);
	cr_assert(not(w.rounds[28].paused));
	cr_assert(eq(u32, w.results[0].rounds, 29));
	world_fini(&w);
}

/* Oracle 7: Clark's rate rule as Xen's 2005 save loop has it
 * ([XenLegacy]): when the guest dirtied faster than the round sent, the next
 * rate is the dirty rate + 50, capped at 500 Mibit/s: observed 220 at 100
 * gives 270; observed 480 gives 500 (capped). Otherwise the rate stays: 80
 * at 100 keeps 100 (max(current, dirty + 50) would give 130). */
Test(mig_golden, oracle7_clark_rate_rule_gives_270_then_caps_at_500)
{
	mig_params p;
	mig_params_default(&p);
	mig_params_preset(&p, MIG_POLICY_CLARK);
	bool capped = true;
	cr_assert(eq(u64, mig_rate_next_bps(&p, MIBIT(100), MIBIT(220), &capped),
		     MIBIT(270)));
	cr_assert(not(capped));
	cr_assert(eq(u64, mig_rate_next_bps(&p, MIBIT(100), MIBIT(480), &capped),
		     MIBIT(500)));
	cr_assert(capped);
	cr_assert(eq(u64, mig_rate_next_bps(&p, MIBIT(100), MIBIT(80), &capped),
		     MIBIT(100)));
	cr_assert(not(capped));
	/* The rate only ever increases. */
	cr_assert(eq(u64, mig_rate_next_bps(&p, MIBIT(300), MIBIT(10), &capped),
		     MIBIT(300)));
	cr_assert(not(capped));
}

/* Oracle 7, round 1: 676.8 MiB at the 100 Mibit/s start rate takes 54.1 s
 * (±0.5 %). */
Test(mig_golden, oracle7_clark_round_one_of_676_8_MiB_takes_54_1_s)
{
	world w;
	mig_request q = request((uint64_t)llround(676.8 * 256),
				MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_CLARK);
	run_one(&w, &q);
	cr_assert(eq(u64, w.rounds[0].cap_bps, MIBIT(100)));
	cr_assert(near((double)w.rounds[0].duration_ns, 54.1e9, 0.005));
	world_fini(&w);
}

/* Oracle 7 end to end: a guest dirtying 60 Mibit/s, slower than the
 * 100 Mibit/s start rate, leaves every round at 100 (Xen raises the rate
 * only when the guest dirtied faster than the round sent). */
Test(mig_golden, oracle7_clark_rate_stays_while_the_guest_dirties_slower)
{
	world w;
	mig_request q = request(MIB(256) / PAGE, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_CLARK);
	q.params.skip = false;
	q.dirty.kind = MIG_DIRTY_UNIFORM;
	q.dirty.uniform_bytes_per_s = (double)MIBIT(60) / 8;
	run_one(&w, &q);
	cr_assert(ge(sz, w.nrounds, (size_t)3));
	for (size_t i = 0; i + 1 < w.nrounds; i++)
		cr_assert(eq(u64, w.rounds[i].cap_bps, MIBIT(100)), "round %zu",
			  i + 1);
	cr_assert(w.rounds[w.nrounds - 1].paused);
	cr_assert(eq(u64, w.rounds[w.nrounds - 1].cap_bps, MIBIT(500)));
	world_fini(&w);
}

/* Oracle 7 end to end, the stop ([XenLegacy], 2005): a guest writing half
 * its memory 60,000 times a second (MMuncher's shape, [Clark05] §6) drives
 * the rate up by the rule above, and page-exact pre-copy stops right after
 * the first round that ran at the 500 Mibit/s cap and sent more pages than
 * the round before it, not earlier; the statistical fidelity, whose
 * expected counts at the cap only fall, stops where half the page-exact
 * runs would (mig.c) and here after the same rounds. The paused round runs
 * at final_rate when it is set, else at the cap. */
Test(mig_golden, oracle7_clark_stops_after_a_round_at_the_cap_that_sent_more)
{
	size_t rounds[2];
	for (int exact = 0; exact < 2; exact++) {
		world w;
		uint64_t m = MIB(512) / PAGE;
		mig_request q = request(m, MIG_SCHEME_PRECOPY);
		mig_params_preset(&q.params, MIG_POLICY_CLARK);
		q.params.final_rate_bps = exact ? MIBIT(724) : 0;
		gsl_rng *rng = NULL;
		wl_pagegen *gen = NULL;
		if (exact) {
			rng = sim_rng_stream(5, "workload/pages");
			wl_pages_params p = {.kind = WL_PAGES_HOTSET,
					     .hot_pages = m / 2,
					     .hot_rate = 60000};
			gen = wl_pagegen_create(&p, m, rng);
			q.dirty.kind = MIG_DIRTY_PAGES;
			q.dirty.pagegen = gen;
		} else {
			q.dirty.kind = MIG_DIRTY_HOTCOLD;
			q.dirty.hotcold = (mem_hotcold){
				.pages = m, .hot_pages = m / 2,
				.hot_writes_per_s = 60000};
		}
		run_one(&w, &q);
		size_t n = w.nrounds;
		rounds[exact] = n;
		cr_assert(ge(sz, n, (size_t)3));
		cr_assert(eq(u64, w.rounds[0].cap_bps, MIBIT(100)));
		uint64_t last = m;
		for (size_t i = 0; i + 1 < n; i++) {
			const mig_round_result *r = &w.rounds[i];
			cr_assert(not(r->paused));
			bool at_cap = r->cap_bps == MIBIT(500);
			if (exact)
				cr_assert(eq(int, at_cap && r->pages_sent > last,
					     i + 2 == n),
					  "round %zu", i + 1);
			last = r->pages_sent;
			if (i + 2 == n) {
				cr_assert(at_cap);
				break;
			}
			/* The next round's rate from this one's dirty rate. */
			double dirty = (double)r->pages_dirtied * PAGE * 8 * 1e9 /
				       (double)r->duration_ns;
			double want = dirty > (double)r->cap_bps
					      ? fmin(dirty + MIBIT(50), MIBIT(500))
					      : (double)r->cap_bps;
			cr_assert(near((double)w.rounds[i + 1].cap_bps, want, 1e-6),
				  "round %zu: %llu vs %.0f", i + 2,
				  (unsigned long long)w.rounds[i + 1].cap_bps, want);
		}
		cr_assert(w.rounds[n - 1].paused);
		cr_assert(eq(u64, w.rounds[n - 1].cap_bps,
			     exact ? MIBIT(724) : MIBIT(500)));
		world_fini(&w);
		if (gen)
			wl_pagegen_destroy(gen);
		if (rng)
			gsl_rng_free(rng);
	}
	cr_assert(eq(sz, rounds[0], rounds[1]));
}

/* The statistical CLARK stop (mig.c, clark_rises): with SPECweb's hot and
 * cold rates ([Clark05] §6, workloads/README.md) the expected counts at the
 * cap only fall, and pre-copy stops after the round by which half of the
 * page-exact runs would have seen a count rise, each round at the cap
 * rising with the chance Φ((μ − μ_last)/√(μ + μ_last)); not at the first
 * round at the cap, not at the 29-round cap. */
Test(mig_golden, clark_statistically_stops_where_half_the_runs_would)
{
	world w;
	uint64_t m = MIB(800) / PAGE;
	mig_request q = request(m, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_CLARK);
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = (mem_hotcold){.pages = m, .hot_pages = MIB(20) / PAGE,
					.hot_writes_per_s = 50000,
					.cold_writes_per_s = 1000};
	run_one(&w, &q);
	size_t n = w.nrounds, at_cap = 0;
	double unstopped = 1;
	size_t stop = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		const mig_round_result *r = &w.rounds[i];
		if (r->cap_bps != MIBIT(500))
			continue;
		at_cap++;
		double mu = (double)r->pages_sent;
		double last = (double)w.rounds[i - 1].pages_sent;
		cr_assert(lt(dbl, mu, last), "round %zu rose", i + 1);
		unstopped *= 1 - 0.5 * erfc((last - mu) / sqrt(2 * (mu + last)));
		if (unstopped <= 0.5 && !stop)
			stop = i + 1;
	}
	cr_assert(ge(sz, at_cap, (size_t)3));
	cr_assert(lt(sz, n - 1, (size_t)29));
	cr_assert(eq(sz, stop, n - 1));
	cr_assert(w.rounds[n - 1].paused);
	world_fini(&w);
}

/* Oracle 13: two identical stop-and-copy migrations through one
 * bottleneck each take twice the solo time (±1 %; exact here). Sources n0
 * and n1 reach n3 through switch n2; the n2 - n3 link is the bottleneck. */
Test(mig_golden, oracle13_two_migrations_through_one_bottleneck_take_twice_as_long)
{
	const uint64_t links[3][4] = {{0, 2, FAT, 0},
				      {1, 2, FAT, 0},
				      {2, 3, MIBIT(256), 0}};
	uint64_t solo = 0;
	for (int k = 1; k <= 2; k++) {
		world w;
		world_init(&w, 4, links, 3);
		for (int i = 0; i < k; i++) {
			mig_request q = request(MIB(512) / PAGE,
						MIG_SCHEME_STOP_AND_COPY);
			q.src = (uint32_t)i;
			q.dst = 3;
			q.tag = (uint64_t)i;
			q.params.max_rate_bps = MIBIT(1024);
			cr_assert(eq(int, world_start(&w, &q), 0));
		}
		cr_assert(eq(int, sim_run(w.e), 0));
		cr_assert(eq(sz, w.nresults, (size_t)k));
		if (k == 1) {
			solo = w.results[0].total_ns;
			cr_assert(eq(u64, solo, SIM_S(16)));
		} else {
			for (int i = 0; i < 2; i++)
				cr_assert(eq(u64, w.results[i].total_ns,
					     2 * solo));
		}
		world_fini(&w);
	}
}

/* [Liu11]: with a uniform dirty rate (λ = 0.3) and a stop threshold V_th =
 * 1000 pages, round i sends M·λ^i, n = ⌈ln(V_th/M)/ln λ⌉ live rounds
 * precede the paused one, downtime = M·λ^n/R, V = M(1 − λ^{n+1})/(1 − λ),
 * T = V/R: each within 0.5 %. */
Test(mig_golden, uniform_dirty_rate_matches_the_geometric_closed_form)
{
	world w;
	const double lambda = 0.3;
	const uint64_t m = 262144;
	const double r_bps = (double)MIBIT(1024);
	mig_request q = request(m, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_XEN);
	q.params.skip = false;
	q.params.stop_pages = 1000;
	q.params.max_rate_bps = MIBIT(1024);
	q.dirty.kind = MIG_DIRTY_UNIFORM;
	q.dirty.uniform_bytes_per_s = lambda * r_bps / 8;
	run_one(&w, &q);

	uint64_t n = (uint64_t)ceil(log(1000.0 / (double)m) / log(lambda));
	cr_assert(eq(u64, n, 5));
	cr_assert(eq(sz, w.nrounds, (size_t)n + 1));
	for (size_t i = 0; i <= n; i++)
		cr_assert(near((double)w.rounds[i].pages_sent,
			       (double)m * pow(lambda, (double)i), 0.005));
	const mig_result *res = &w.results[0];
	double bits = (double)m * (double)PAGE * 8;
	cr_assert(eq(u64, res->rounds, n));
	cr_assert(near((double)res->downtime_ns,
		       bits * pow(lambda, (double)n) / r_bps * 1e9, 0.005));
	double v = bits * (1 - pow(lambda, (double)n + 1)) / (1 - lambda);
	cr_assert(near((double)res->bytes * 8, v, 0.005));
	cr_assert(near((double)res->total_ns, v / r_bps * 1e9, 0.005));
	world_fini(&w);
}

/* Oracle 14: post-copy sends every page exactly once (bytes = M + state),
 * for an idle guest and for one writing a hot set, statistical and
 * page-exact; pre-copy of the same guest sends more than M. */
Test(mig_golden, oracle14_postcopy_sends_every_page_exactly_once)
{
	const uint64_t pages = MIB(256) / PAGE, state = 262144;
	for (int kind = 0; kind < 3; kind++) {
		world w;
		world_pair(&w, MIBIT(1024), SIM_US(100));
		mig_request q = request(pages, MIG_SCHEME_POSTCOPY);
		q.params.max_rate_bps = MIBIT(1024);
		q.params.state_bytes = state;
		gsl_rng *rng = NULL;
		wl_pagegen *gen = NULL;
		if (kind == 1) {
			q.dirty.kind = MIG_DIRTY_HOTCOLD;
			q.dirty.hotcold = (mem_hotcold){
				.pages = pages, .hot_pages = 4096,
				.hot_writes_per_s = 50000,
				.cold_writes_per_s = 1000};
		} else if (kind == 2) {
			rng = sim_rng_stream(3, "workload/pages");
			wl_pages_params p = {.kind = WL_PAGES_HOTSET,
					     .hot_pages = 4096,
					     .hot_rate = 50000,
					     .cold_rate = 1000};
			gen = wl_pagegen_create(&p, pages, rng);
			q.dirty.kind = MIG_DIRTY_PAGES;
			q.dirty.pagegen = gen;
		}
		cr_assert(eq(int, world_start(&w, &q), 0));
		cr_assert(eq(int, sim_run(w.e), 0));
		cr_assert(eq(sz, w.nresults, (size_t)1));
		const mig_result *r = &w.results[0];
		cr_assert(eq(u64, r->pages_sent, pages), "kind %d", kind);
		cr_assert(eq(u64, r->bytes, pages * PAGE + state));
		if (kind > 0)
			cr_assert(gt(u64, r->faults, 0));
		world_fini(&w);
		if (gen) {
			wl_pagegen_destroy(gen);
			gsl_rng_free(rng);
		}
	}
	/* Pre-copy of the writing guest: more than M. */
	mig_request q = request(pages, MIG_SCHEME_PRECOPY);
	q.params.max_rate_bps = MIBIT(1024);
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = (mem_hotcold){.pages = pages, .hot_pages = 4096,
					.hot_writes_per_s = 50000,
					.cold_writes_per_s = 1000};
	world w;
	run_one(&w, &q);
	cr_assert(gt(u64, w.results[0].pages_sent, pages));
	world_fini(&w);
}

/* Post-copy's downtime is the state's transfer plus the stage costs
 * ([Hines09]: downtime ≈ state / R + resume), the same for 512 MiB and
 * 4 GiB, while its total grows with memory (≈ M / R). */
Test(mig_golden, postcopy_downtime_does_not_grow_with_memory)
{
	const uint64_t state = 262144;
	uint64_t down[2], total[2], faults[2];
	const uint64_t mem[2] = {MIB(512), MIB(4096)};
	for (int i = 0; i < 2; i++) {
		mig_request q = request(mem[i] / PAGE, MIG_SCHEME_POSTCOPY);
		q.params.max_rate_bps = MIBIT(1024);
		q.params.state_bytes = state;
		q.params.commitment_ns = SIM_MS(2);
		q.params.activation_ns = SIM_MS(9);
		q.dirty.kind = MIG_DIRTY_HOTCOLD;
		q.dirty.hotcold = (mem_hotcold){
			.pages = mem[i] / PAGE, .hot_pages = 4096,
			.hot_writes_per_s = 50000, .cold_writes_per_s = 1000};
		world w;
		run_one(&w, &q);
		down[i] = w.results[0].downtime_ns;
		total[i] = w.results[0].total_ns;
		faults[i] = w.results[0].faults;
		world_fini(&w);
	}
	/* 256 KiB at 1024 Mibit/s = 1/512 s = 1953125 ns, + 2 + 9 ms. */
	cr_assert(eq(u64, down[0], UINT64_C(1953125) + SIM_MS(11)));
	cr_assert(eq(u64, down[1], down[0]));
	/* The rest is the push of the pages not faulted in, at max_rate:
	 * the fetches are flows too, but uncapped, and on this fat link they
	 * run beside the push without slowing it. 512 MiB at 1024 Mibit/s
	 * would be 4 s, 4 GiB 32 s. */
	for (int i = 0; i < 2; i++) {
		double push = (double)(mem[i] / PAGE - faults[i]) *
			      (double)(PAGE * 8) / (double)MIBIT(1024) * 1e9;
		cr_assert(near((double)total[i], (double)down[i] + push, 1e-6));
		cr_assert(near((double)total[i], 4e9 * (double)(i ? 8 : 1),
			       0.1));
	}
}

/* The statistical skip (mem.h, mem_hotcold_round) assumes the hot pages
 * are spread evenly through a round's sending order. Xen's permuted scan
 * spreads a hot set that lies in one block of memory ([XenLegacy]), so a
 * page-exact round 1 under scan xen sends what the statistical round 1
 * predicts; the ascending scan meets that hot set in the round's first
 * 1.3 s, before most of its pages are written again, and sends most of
 * them. 256 MiB, hot set 16 MiB at page 0 written 2,048 times/s (0.5 per
 * page per second), the rest 1,000 times/s, 100 Mibit/s: a round of
 * T ≈ 20 s, λT ≈ 10 for a hot page. */
Test(mig_golden, xen_scan_order_meets_the_statistical_skip_of_a_contiguous_hot_set)
{
	const uint64_t pages = MIB(256) / PAGE, hot = 4096;
	double sent[3]; /* statistical, page-exact xen, page-exact ascending */
	for (int kind = 0; kind < 3; kind++) {
		mig_request q = request(pages, MIG_SCHEME_PRECOPY);
		q.params.policy = MIG_POLICY_XEN;
		q.params.max_rate_bps = MIBIT(100);
		q.params.max_rounds = 1;
		gsl_rng *rng = NULL;
		wl_pagegen *gen = NULL;
		if (kind == 0) {
			q.dirty.kind = MIG_DIRTY_HOTCOLD;
			q.dirty.hotcold = (mem_hotcold){
				.pages = pages, .hot_pages = hot,
				.hot_writes_per_s = 2048,
				.cold_writes_per_s = 1000};
		} else {
			rng = sim_rng_stream(11, "workload/pages");
			wl_pages_params p = {.kind = WL_PAGES_HOTSET,
					     .hot_pages = hot,
					     .hot_rate = 2048,
					     .cold_rate = 1000};
			gen = wl_pagegen_create(&p, pages, rng);
			q.dirty.kind = MIG_DIRTY_PAGES;
			q.dirty.pagegen = gen;
			q.params.scan = kind == 1 ? MIG_SCAN_XEN
						  : MIG_SCAN_ASCENDING;
		}
		world w;
		run_one(&w, &q);
		cr_assert(ge(sz, w.nrounds, (size_t)2));
		cr_assert(eq(u32, w.rounds[0].index, 1));
		sent[kind] = (double)w.rounds[0].pages_sent;
		/* Page-exact, every page goes in round 1 or is skipped. */
		if (kind > 0)
			cr_assert(eq(u64, w.rounds[0].pages_sent +
						  w.rounds[0].pages_skipped,
				     pages));
		world_fini(&w);
		if (gen) {
			wl_pagegen_destroy(gen);
			gsl_rng_free(rng);
		}
	}
	/* The hot set's pages are 90 % skipped when spread (1 − φ(10)), about
	 * 20 % when met first (batch k peeked at k · 0.33 s): ascending sends
	 * ~0.7 · 4096 more. The xen scan comes out 0.1-0.5 % below the
	 * closed form over seeds 1-4 and 11 (its batches close on pages sent,
	 * not examined); ascending 3.4-3.7 % above it. */
	cr_assert(near(sent[1], sent[0], 0.01), "xen %.0f, statistical %.0f",
		  sent[1], sent[0]);
	cr_assert(gt(dbl, sent[2] - sent[0], 0.35 * (double)hot),
		  "ascending %.0f, statistical %.0f", sent[2], sent[0]);
}
