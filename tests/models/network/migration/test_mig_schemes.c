/* SPDX-License-Identifier: MIT */
/*
 * The schemes beyond stop-and-copy and pre-copy: push, post-copy (pull
 * with active push and demand faults), hybrid, and WAN migration's disk
 * pre-copy with write throttling and the redirection tunnel (Clark et al.
 * NSDI 2005 §3; Hines & Gopalan VEE 2009; Bradford et al. VEE 2007).
 */
#include "mig_test_util.h"

#include <gsl/gsl_rng.h>

#define GBPS(x) ((uint64_t)(x) * UINT64_C(1000000000))
#define NPAGES UINT64_C(65536) /* 256 MiB */

static mig_result run(world *w, const mig_request *q)
{
	cr_assert(eq(int, world_start(w, q), 0));
	cr_assert(eq(int, sim_run(w->e), 0));
	cr_assert(eq(sz, w->nresults, (size_t)1));
	cr_assert(eq(sz, mig_active_count(w->m), (size_t)0));
	return w->results[0];
}

static const mig_round_result *pull_round(const world *w)
{
	for (size_t i = 0; i < w->nrounds; i++)
		if (w->rounds[i].phase == MIG_PHASE_PULL)
			return &w->rounds[i];
	return NULL;
}

static mem_hotcold hot_guest(uint64_t pages)
{
	return (mem_hotcold){.pages = pages, .hot_pages = pages / 16,
			     .hot_writes_per_s = 40000,
			     .cold_writes_per_s = 2000};
}

/* ---- push ---------------------------------------------------------------- */

/* Push is one live pass, then the pages it dirtied are sent paused: the
 * same transfers as pre-copy capped at one live round. */
Test(mig_push, push_is_one_live_pass_then_a_paused_resend)
{
	world a, b;
	world_pair(&a, GBPS(1), SIM_US(50));
	world_pair(&b, GBPS(1), SIM_US(50));
	mig_request q = request(NPAGES, MIG_SCHEME_PUSH);
	q.params.max_rate_bps = GBPS(1);
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = hot_guest(NPAGES);
	mig_result p = run(&a, &q);
	q.params.scheme = MIG_SCHEME_PRECOPY;
	q.params.max_rounds = 1;
	mig_result c = run(&b, &q);
	cr_assert(eq(u32, p.rounds, 1));
	cr_assert(eq(sz, a.nrounds, (size_t)2));
	cr_assert(a.rounds[1].paused);
	cr_assert(eq(u64, a.rounds[1].pages_sent, a.rounds[0].pages_dirtied));
	cr_assert(eq(u64, p.downtime_ns, c.downtime_ns));
	cr_assert(eq(u64, p.total_ns, c.total_ns));
	cr_assert(eq(u64, p.pages_sent, c.pages_sent));
	world_fini(&a);
	world_fini(&b);
}

/* ---- post-copy ------------------------------------------------------------ */

/* An idle guest: the state goes paused, then the pages are pushed once;
 * nothing faults. Times are the transfers' exact lengths on a link of
 * latency 0: downtime = 8·state/R, total = 8·(state + M·P)/R. */
Test(mig_postcopy, an_idle_guest_pushes_every_page_once_without_faults)
{
	world w;
	world_pair(&w, GBPS(10), 0);
	mig_request q = request(NPAGES, MIG_SCHEME_POSTCOPY);
	q.params.max_rate_bps = GBPS(1);
	q.params.state_bytes = 262144;
	mig_result r = run(&w, &q);
	cr_assert(eq(u64, r.downtime_ns, UINT64_C(262144) * 8));
	cr_assert(eq(u64, r.total_ns, (UINT64_C(262144) + NPAGES * PAGE) * 8));
	cr_assert(eq(u64, r.pages_sent, NPAGES));
	cr_assert(eq(u64, r.faults, 0));
	cr_assert(eq(u64, r.stall_ns, 0));
	cr_assert(eq(u64, r.bytes, NPAGES * PAGE + 262144));
	cr_assert(eq(u64, r.residual_ns, r.end_ns - r.resume_ns));
	cr_assert(eq(u32, r.rounds, 0));
	/* Rounds: the paused state transfer, then the pull. */
	cr_assert(eq(sz, w.nrounds, (size_t)2));
	cr_assert(w.rounds[0].paused);
	cr_assert(eq(u64, w.rounds[0].pages_sent, 0));
	cr_assert(eq(u64, w.rounds[0].bytes, 262144));
	const mig_round_result *pr = pull_round(&w);
	cr_assert_not_null(pr);
	cr_assert(eq(u64, pr->pages_sent, NPAGES));
	cr_assert(eq(u64, pr->start_ns, r.resume_ns));
	/* on_resume came at resume, before the pull and on_done. */
	cr_assert(eq(sz, w.nresumed, (size_t)1));
	cr_assert(eq(u64, w.resumed_ns[0], r.resume_ns));
	cr_assert(lt(u64, r.resume_ns, r.end_ns));
	world_fini(&w);
}

/* Oracle 14, statistically: with a writing guest some pages are faulted
 * in, the rest pushed, and every page crosses exactly once. Fetches are
 * flows on the same link as the push, so the pull takes at least the
 * whole memory at the link's rate, and each fault stalls the guest at
 * least a round trip plus its page at the full link. */
Test(mig_postcopy, faulted_and_pushed_pages_add_up_to_memory)
{
	world w;
	world_pair(&w, GBPS(1), SIM_US(100));
	mig_request q = request(NPAGES, MIG_SCHEME_POSTCOPY);
	q.params.max_rate_bps = GBPS(1);
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = hot_guest(NPAGES);
	mig_result r = run(&w, &q);
	const mig_round_result *pr = pull_round(&w);
	cr_assert_not_null(pr);
	cr_assert(gt(u64, r.faults, 0));
	cr_assert(eq(u64, pr->pages_sent + pr->faults, NPAGES));
	cr_assert(eq(u64, r.pages_sent, NPAGES));
	cr_assert(eq(u64, r.memory_bytes, NPAGES * PAGE));
	cr_assert(eq(u64, pr->bytes, NPAGES * PAGE));
	cr_assert(ge(u64, r.end_ns - r.resume_ns, NPAGES * PAGE * 8));
	uint64_t fault_ns = 2 * SIM_US(100) + PAGE * 8; /* at 1 Gbit/s */
	cr_assert(ge(u64, r.stall_ns, r.faults * fault_ns));
	world_fini(&w);
}

/* The statistical pull of a guest with every page equally hot (no spatial
 * clustering for the in-order push to exploit) follows the closed form
 * for N pages pushed in order at R pages/s, each accessed at rate λ:
 * E[faults] = N·(1 − (1 − e^{−λT})/(λT)), T = N/R. Faulted pages leave
 * the push, which then ends sooner, so the model is at most that and
 * close to it when faults are few. */
Test(mig_postcopy, statistical_faults_follow_the_in_order_push_closed_form)
{
	world w;
	world_pair(&w, GBPS(10), 0);
	mig_request q = request(NPAGES, MIG_SCHEME_POSTCOPY);
	q.params.max_rate_bps = GBPS(1);
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = (mem_hotcold){.pages = NPAGES, .hot_pages = NPAGES,
					.hot_writes_per_s = 2000};
	mig_result r = run(&w, &q);
	double t = (double)(NPAGES * PAGE * 8) / 1e9;
	double lt = 2000.0 / (double)NPAGES * t;
	double want = (double)NPAGES * (1 - (1 - exp(-lt)) / lt);
	cr_assert(le(dbl, (double)r.faults, want * 1.001));
	cr_assert(near((double)r.faults, want, 0.05), "faults %llu, want %.0f",
		  (unsigned long long)r.faults, want);
	world_fini(&w);
}

/* A uniform guest writes working-set pages it has not written since
 * resume, at r pages/s; the working set W is the bottom of memory, which
 * the push (R absent pages/s, in address order) crosses first. With U
 * untouched and A absent working-set pages, dU/dt = −r and
 * dA/dt = −R − r·A/U, so a = A/U obeys da/dt = −R/U and the faults,
 * ∫ r·a dt until a = 0, come to F = W·(1 − (1 − e^{−ρ})/ρ), ρ = r/R.
 * The fetches are uncapped on a fat link, so the push keeps its rate.
 * Batches of 128 pages keep the model's one discrete step (a batch in
 * flight counts as arrived: the push runs a batch ahead of the continuous
 * form) below 1 % of W. */
Test(mig_postcopy, a_uniform_guest_faults_as_the_sweep_closed_form_says)
{
	const uint64_t ws[2] = {NPAGES, NPAGES / 4};
	for (int i = 0; i < 2; i++) {
		world w;
		world_pair(&w, GBPS(10), 0);
		mig_request q = request(NPAGES, MIG_SCHEME_POSTCOPY);
		q.params.max_rate_bps = GBPS(1);
		q.dirty.kind = MIG_DIRTY_UNIFORM;
		q.dirty.uniform_bytes_per_s = 4000.0 * PAGE;
		q.dirty.uniform_ws_pages = ws[i];
		q.params.pull_batch_pages = 128;
		mig_result r = run(&w, &q);
		double rho = 4000.0 / (1e9 / (double)(PAGE * 8));
		double want = (double)ws[i] * (1 - -expm1(-rho) / rho);
		cr_assert(near((double)r.faults, want, 0.02),
			  "W %llu: faults %llu, want %.0f",
			  (unsigned long long)ws[i],
			  (unsigned long long)r.faults, want);
		cr_assert(eq(u64, r.pages_sent, NPAGES));
		world_fini(&w);
	}
}

/* The fetch of a window's faults is a flow that shares the link with the
 * push. Two windows (pull_batch = M/2) of a guest whose every page is
 * written at rate λ: window 1 pushes the lower half alone, in
 * T1 = L + (M/2)·P·8/C, while the upper half is absent, so
 * F = (M/2)(1 − e^{−λ·T1}) pages fault (statistically, rounded). Then
 * the fetch of those F pages and the push of the other M/2 − F start
 * together and share the link half and half: the fetch takes
 * L + F·P·8/(C/2), so the guest stalls F·2L + 2F·P·8/C. The link never
 * idles, so the pull ends at 2L + M·P·8/C after resume, as if nothing had
 * faulted. */
Test(mig_postcopy, a_window_s_faults_are_fetched_by_a_flow_sharing_the_link)
{
	const uint64_t lat = SIM_US(100), c = GBPS(1);
	world w;
	world_pair(&w, c, lat);
	mig_request q = request(NPAGES, MIG_SCHEME_POSTCOPY);
	q.params.max_rate_bps = c;
	q.params.pull_batch_pages = NPAGES / 2;
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = (mem_hotcold){.pages = NPAGES, .hot_pages = NPAGES,
					.hot_writes_per_s = 20000};
	mig_result r = run(&w, &q);
	double t1 = (double)(lat + NPAGES / 2 * PAGE * 8) / 1e9;
	uint64_t f = (uint64_t)llround(
		NPAGES / 2 * -expm1(-20000.0 / NPAGES * t1));
	cr_assert(gt(u64, f, 1000));
	cr_assert(eq(u64, r.faults, f));
	cr_assert(eq(u64, r.stall_ns, f * 2 * lat + 2 * f * PAGE * 8));
	cr_assert(eq(u64, r.end_ns - r.resume_ns, 2 * lat + NPAGES * PAGE * 8));
	world_fini(&w);
}

/* Page-exact and statistical post-copy agree on faults and stall within
 * 5 %, for a guest writing all pages uniformly and for hot sets at the
 * bottom, in the middle and at the top of memory, at two memory sizes.
 * The statistical push goes in address order, as the page-exact push
 * does, so a hot set low in memory is pushed early in both. Each page is
 * sent once in both. */
Test(mig_postcopy, page_exact_and_statistical_faults_and_stall_agree)
{
	const uint64_t sizes[2] = {MIB(256), MIB(1024)};
	for (int z = 0; z < 2; z++) {
		uint64_t pages = sizes[z] / PAGE;
		for (int k = 0; k < 4; k++) {
			uint64_t hot = k == 0 ? pages : pages / 16;
			uint64_t off = k == 0   ? 0
				       : k == 1 ? 0
				       : k == 2 ? pages / 2
						: pages - hot;
			double hr = k == 0 ? 20000 : 50000;
			double cr = k == 0 ? 0 : 1000;
			world ws, wp;
			world_pair(&ws, GBPS(1), SIM_US(50));
			world_pair(&wp, GBPS(1), SIM_US(50));
			mig_request q = request(pages, MIG_SCHEME_POSTCOPY);
			q.params.max_rate_bps = GBPS(1);
			q.dirty.kind = MIG_DIRTY_HOTCOLD;
			q.dirty.hotcold = (mem_hotcold){
				.pages = pages, .hot_pages = hot,
				.hot_writes_per_s = hr,
				.cold_writes_per_s = cr, .hot_offset = off};
			mig_result s = run(&ws, &q);
			gsl_rng *rng = sim_rng_stream(7, "workload/pages");
			wl_pages_params p = {.kind = WL_PAGES_HOTSET,
					     .offset = off, .hot_pages = hot,
					     .hot_rate = hr, .cold_rate = cr};
			if (k == 0)
				p = (wl_pages_params){.kind = WL_PAGES_UNIFORM,
						      .rate = hr};
			wl_pagegen *gen = wl_pagegen_create(&p, pages, rng);
			q.dirty.kind = MIG_DIRTY_PAGES;
			q.dirty.pagegen = gen;
			mig_result e = run(&wp, &q);
			cr_assert(eq(u64, e.pages_sent, pages));
			cr_assert(eq(u64, s.pages_sent, pages));
			cr_assert(gt(u64, e.faults, 1000));
			cr_assert(near((double)e.faults, (double)s.faults, 0.05),
				  "size %d kind %d: faults page-exact %llu, "
				  "statistical %llu", z, k,
				  (unsigned long long)e.faults,
				  (unsigned long long)s.faults);
			cr_assert(near((double)e.stall_ns, (double)s.stall_ns,
				       0.05),
				  "size %d kind %d: stall page-exact %llu, "
				  "statistical %llu", z, k,
				  (unsigned long long)e.stall_ns,
				  (unsigned long long)s.stall_ns);
			cr_assert(near((double)e.total_ns, (double)s.total_ns,
				       0.01));
			wl_pagegen_destroy(gen);
			gsl_rng_free(rng);
			world_fini(&ws);
			world_fini(&wp);
		}
	}
}

/* Pre-paging: a guest whose hot set sits at the top of memory faults on
 * it; moving the push to the fault pushes the hot set's neighbours before
 * the guest reaches them, so fewer faults than pushing in order. */
Test(mig_postcopy, prepaging_cuts_faults_on_a_clustered_hot_set)
{
	uint64_t faults[2];
	for (int pre = 0; pre < 2; pre++) {
		world w;
		world_pair(&w, GBPS(10), 0);
		mig_request q = request(NPAGES, MIG_SCHEME_POSTCOPY);
		q.params.max_rate_bps = GBPS(1);
		q.params.prepaging = pre;
		gsl_rng *rng = sim_rng_stream(11, "workload/pages");
		wl_pages_params p = {.kind = WL_PAGES_HOTSET,
				     .offset = NPAGES - 8192,
				     .hot_pages = 8192, .hot_rate = 20000,
				     .cold_rate = 0};
		wl_pagegen *gen = wl_pagegen_create(&p, NPAGES, rng);
		q.dirty.kind = MIG_DIRTY_PAGES;
		q.dirty.pagegen = gen;
		mig_result r = run(&w, &q);
		cr_assert(eq(u64, r.pages_sent, NPAGES));
		faults[pre] = r.faults;
		wl_pagegen_destroy(gen);
		gsl_rng_free(rng);
		world_fini(&w);
	}
	cr_assert(gt(u64, faults[0], 0));
	cr_assert(lt(u64, faults[1], faults[0]), "with %llu, without %llu",
		  (unsigned long long)faults[1], (unsigned long long)faults[0]);
}

/* ---- hybrid ---------------------------------------------------------------- */

/* Hybrid runs pre-copy's live rounds, then pulls what is still dirty
 * instead of sending it paused: its paused round carries the state only,
 * so downtime is shorter than pre-copy's, and the bytes add up. */
Test(mig_hybrid, hybrid_pulls_the_last_dirty_set_instead_of_pausing_for_it)
{
	world wh, wc;
	world_pair(&wh, GBPS(1), SIM_US(50));
	world_pair(&wc, GBPS(1), SIM_US(50));
	mig_request q = request(NPAGES, MIG_SCHEME_HYBRID);
	mig_params_preset(&q.params, MIG_POLICY_XEN_V2);
	q.params.max_rate_bps = GBPS(1);
	q.params.max_rounds = 3;
	q.params.state_bytes = 65536;
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = hot_guest(NPAGES);
	mig_result h = run(&wh, &q);
	q.params.scheme = MIG_SCHEME_PRECOPY;
	mig_result c = run(&wc, &q);
	cr_assert(eq(u32, h.rounds, 3));
	cr_assert(eq(u32, c.rounds, 3));
	/* Rounds: 3 live, the paused state, the pull. */
	cr_assert(eq(sz, wh.nrounds, (size_t)5));
	cr_assert(wh.rounds[3].paused);
	cr_assert(eq(u64, wh.rounds[3].pages_sent, 0));
	const mig_round_result *pr = pull_round(&wh);
	cr_assert_not_null(pr);
	/* The pull takes exactly the set pre-copy would have sent paused. */
	cr_assert(eq(u64, pr->pages_sent + pr->faults,
		     wc.rounds[3].pages_sent));
	cr_assert(eq(u64, h.pages_sent, c.pages_sent));
	cr_assert(lt(u64, h.downtime_ns, c.downtime_ns));
	world_fini(&wh);
	world_fini(&wc);
}

/* ---- WAN migration: disk, throttle, tunnel ------------------------------- */

#define BLOCKS UINT64_C(262144) /* 1 GiB of 4 KiB blocks */

/* An idle disk: one disk round of every block, then memory; totals for
 * disk and memory; total time is both transfers back to back. */
Test(mig_wan, an_idle_disk_is_sent_once_before_memory)
{
	world w;
	world_pair(&w, GBPS(10), 0);
	mig_request q = request(NPAGES, MIG_SCHEME_STOP_AND_COPY);
	q.params.max_rate_bps = GBPS(1);
	q.disk.blocks = BLOCKS;
	q.disk.block_size_bytes = 4096;
	mig_result r = run(&w, &q);
	cr_assert(eq(u32, r.disk_rounds, 1));
	cr_assert(eq(u64, r.blocks_sent, BLOCKS));
	cr_assert(eq(u64, r.disk_bytes, BLOCKS * 4096));
	cr_assert(eq(u64, r.disk_ns, BLOCKS * 4096 * 8));
	cr_assert(eq(u64, r.total_ns, (BLOCKS + NPAGES) * 4096 * 8));
	cr_assert(eq(u64, r.downtime_ns, NPAGES * 4096 * 8));
	cr_assert(eq(u64, r.bytes, (BLOCKS + NPAGES) * 4096));
	cr_assert(eq(int, w.rounds[0].phase, MIG_PHASE_DISK));
	world_fini(&w);
}

/* A disk written uniformly at W bytes/s and pre-copied at R: each disk
 * round sends the blocks written during the previous one, a geometric
 * series of ratio W/R ([Liu11] with blocks for pages). A write
 * limit L < W throttles the guest so that the ratio becomes L/R. */
Test(mig_wan, disk_rounds_are_geometric_and_the_throttle_sets_their_ratio)
{
	const double w_bps = 400e6, limit = 200e6; /* bits per second */
	for (int throttled = 0; throttled < 2; throttled++) {
		world w;
		world_pair(&w, GBPS(10), 0);
		mig_request q = request(NPAGES, MIG_SCHEME_PRECOPY);
		mig_params_preset(&q.params, MIG_POLICY_XEN_V2);
		q.params.max_rate_bps = GBPS(1);
		q.params.disk_max_rounds = 4;
		q.params.stop_pages = 0;
		q.params.disk_write_limit_bps =
			throttled ? (uint64_t)limit : 0;
		q.disk.blocks = BLOCKS;
		q.disk.block_size_bytes = 4096;
		q.disk.dirty.kind = MIG_DIRTY_UNIFORM;
		q.disk.dirty.uniform_bytes_per_s = w_bps / 8;
		run(&w, &q);
		double ratio = (throttled ? limit : w_bps) / 1e9;
		double want = (double)BLOCKS;
		for (size_t i = 0; i < 4; i++) {
			cr_assert(eq(int, w.rounds[i].phase, MIG_PHASE_DISK));
			cr_assert(near((double)w.rounds[i].pages_sent, want,
				       0.005),
				  "disk round %zu: %llu blocks, want %.0f", i,
				  (unsigned long long)w.rounds[i].pages_sent,
				  want);
			want *= ratio;
		}
		/* The blocks written during the last disk round go with the
		 * first memory round. */
		cr_assert(eq(int, w.rounds[4].phase, MIG_PHASE_LIVE));
		cr_assert(eq(u64, w.rounds[4].pages_sent, NPAGES));
		cr_assert(near((double)(w.rounds[4].bytes - NPAGES * PAGE),
			       want * 4096, 0.005));
		world_fini(&w);
	}
}

/* The tunnel: after resume the VM depends on the source until the new
 * address is announced, or until the last page arrives if later. */
Test(mig_wan, the_redirect_tunnel_sets_the_residual_dependency)
{
	world w;
	world_pair(&w, GBPS(10), 0);
	mig_request q = request(NPAGES, MIG_SCHEME_PRECOPY);
	q.params.max_rate_bps = GBPS(1);
	q.params.redirect_ns = SIM_S(60);
	mig_result r = run(&w, &q);
	cr_assert(eq(u64, r.residual_ns, SIM_S(60)));
	cr_assert(eq(u64, r.end_ns, r.resume_ns));
	world_fini(&w);

	world_pair(&w, GBPS(10), 0);
	q.params.scheme = MIG_SCHEME_POSTCOPY;
	q.params.redirect_ns = SIM_MS(1);
	r = run(&w, &q);
	cr_assert(eq(u64, r.residual_ns, r.end_ns - r.resume_ns));
	cr_assert(gt(u64, r.residual_ns, SIM_MS(1)));
	world_fini(&w);
}

Test(mig_wan, invalid_disks_and_knobs_are_refused)
{
	world w;
	world_pair(&w, GBPS(1), 0);
	mig_request q = request(NPAGES, MIG_SCHEME_PRECOPY);
	q.disk.blocks = 10;
	q.disk.block_size_bytes = 0;
	cr_assert(eq(int, world_start(&w, &q), SIM_EINPUT));
	q.disk.block_size_bytes = 4096;
	q.disk.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.disk.dirty.hotcold = hot_guest(11);
	cr_assert(eq(int, world_start(&w, &q), SIM_EINPUT));
	q.disk.dirty.kind = MIG_DIRTY_NONE;
	q.params.pull_batch_pages = 0;
	cr_assert(eq(int, world_start(&w, &q), SIM_EINPUT));
	q.params.pull_batch_pages = 1;
	q.params.disk_max_rounds = 0;
	cr_assert(eq(int, world_start(&w, &q), SIM_EINPUT));
	q.params.disk_max_rounds = 1;
	q.params.scheme = MIG_SCHEME_COUNT;
	cr_assert(eq(int, world_start(&w, &q), SIM_EINPUT));
	cr_assert(eq(sz, mig_active_count(w.m), (size_t)0));
	world_fini(&w);
}

/* ---- dirty logging's cost ------------------------------------------------- */

/* Each live round's first writes fault once: statistically the round's
 * distinct pages dirtied, which are the next round's set; the stall is
 * their count times log_fault_cost. The paused round logs nothing. */
Test(mig_log, live_rounds_charge_one_write_fault_per_page_dirtied)
{
	world w;
	world_pair(&w, GBPS(1), 0);
	mig_request q = request(NPAGES, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_XEN_V2);
	q.params.max_rate_bps = GBPS(1);
	q.params.log_fault_ns = 1300;
	q.dirty.kind = MIG_DIRTY_HOTCOLD;
	q.dirty.hotcold = hot_guest(NPAGES);
	mig_result r = run(&w, &q);
	uint64_t dirtied = 0;
	for (size_t i = 0; i < w.nrounds; i++)
		if (w.rounds[i].phase == MIG_PHASE_LIVE)
			dirtied += w.rounds[i].pages_dirtied;
	cr_assert(gt(u64, dirtied, 0));
	cr_assert(eq(u64, r.log_faults, dirtied));
	cr_assert(eq(u64, r.log_stall_ns, dirtied * 1300));
	world_fini(&w);

	/* Stop-and-copy logs nothing. */
	world_pair(&w, GBPS(1), 0);
	q.params.scheme = MIG_SCHEME_STOP_AND_COPY;
	r = run(&w, &q);
	cr_assert(eq(u64, r.log_faults, 0));
	world_fini(&w);
}
