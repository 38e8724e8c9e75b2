/* SPDX-License-Identifier: MIT */
/*
 * SimGrid's live-migration model (Hirofuchi, Lebre & Pouilloux, IEEE
 * CloudCom 2013; [Hirofuchi13] in docs/references.md) as vdcsim runs it: dirtying
 * in proportion to the CPU work the VM gets (intensity × migration speed
 * × CPU share), capped at the working set in any window, under the qemu
 * policy, which is SimGrid's stage-2 rule: stage 1 sends all of RAM, the
 * threshold is the last transfer's bandwidth × max_downtime, and rounds go
 * on while the threshold is below what remains. Oracle 12 and the closed
 * form of [Liu11] with the working-set cap. Binary units: MiB = 2^20 B.
 */
#include "mig_test_util.h"

#define FAT UINT64_C(1000000000000) /* 1 Tbit/s: never the bottleneck */

/* A SimGrid-style migration of `bytes` of RAM at mig_speed (bit/s, the
 * cap of every transfer) with max_downtime d: qemu's rule without skip,
 * stage costs and state 0 (SimGrid has neither), and a cap on rounds
 * (SimGrid has none; λ >= 1 needs one). The guest dirties fresh pages at
 * mem_fresh_bytes_per_s of `dirtying` within its working set. */
static mig_request simgrid_request(uint64_t bytes, uint64_t mig_speed_bps,
				   uint64_t d_ns, const mem_dirtying_cfg *c,
				   uint64_t max_rounds)
{
	mig_request q = request(bytes / PAGE, MIG_SCHEME_PRECOPY);
	mig_params_preset(&q.params, MIG_POLICY_QEMU);
	q.params.max_rate_bps = mig_speed_bps;
	q.params.downtime_limit_ns = d_ns;
	q.params.max_rounds = max_rounds;
	q.dirty.kind = MIG_DIRTY_UNIFORM;
	q.dirty.uniform_bytes_per_s = mem_fresh_bytes_per_s(c, mig_speed_bps);
	q.dirty.uniform_ws_pages = mem_working_set_pages(c, bytes);
	return q;
}

static mem_dirtying_cfg simgrid_guest(double intensity, double cpu_share)
{
	return (mem_dirtying_cfg){.page_size_bytes = PAGE,
				  .intensity = intensity,
				  .cpu_share = cpu_share,
				  .working_set = 0.9};
}

static void run_one(world *w, const mig_request *q)
{
	world_pair(w, FAT, 0);
	cr_assert(eq(int, world_start(w, q), 0));
	cr_assert(eq(int, sim_run(w->e), 0));
	cr_assert(eq(sz, w->nresults, (size_t)1));
}

/* Oracle 12: RAM 1024 MiB, mig_speed 100 MiB/s, intensity 0.5 at 100 %
 * CPU, max_downtime 30 ms (threshold 3 MiB), cap 921.6 MiB: stage 1 sends
 * 1024 MiB, stage 2 rounds of 512, 256, ..., 4 MiB, stage 3 sends 2 MiB
 * (downtime 20 ms): 2046 MiB in 20.46 s (±0.5 %; exact here). At 50 %
 * CPU share the dirty rate halves (λ = 0.25): 1024, 256, 64, 16, 4 live
 * and 1 MiB paused, 1365 MiB in 13.65 s, downtime 10 ms. */
Test(mig_simgrid, oracle12_rounds_halve_from_1024_to_a_2_MiB_stage_3)
{
	const uint64_t speed = MIB(100) * 8;
	const struct {
		double share;
		size_t live;
		uint64_t paused_mib, total_mib;
	} cases[2] = {{1.0, 9, 2, 2046}, {0.5, 5, 1, 1365}};
	for (int c = 0; c < 2; c++) {
		mem_dirtying_cfg g = simgrid_guest(0.5, cases[c].share);
		mig_request q = simgrid_request(MIB(1024), speed, SIM_MS(30),
						&g, 1000);
		cr_assert(eq(u64, q.dirty.uniform_ws_pages, 235930));
		world w;
		run_one(&w, &q);
		size_t n = cases[c].live;
		cr_assert(eq(sz, w.nrounds, n + 1));
		uint64_t mib = 1024;
		for (size_t i = 0; i < n; i++) {
			cr_assert(eq(u64, w.rounds[i].bytes, MIB(mib)),
				  "share %g round %zu", cases[c].share, i + 1);
			cr_assert(not(w.rounds[i].paused));
			mib = (uint64_t)((double)mib * 0.5 * cases[c].share);
		}
		cr_assert(w.rounds[n].paused);
		cr_assert(eq(u64, w.rounds[n].bytes,
			     MIB(cases[c].paused_mib)));
		const mig_result *r = &w.results[0];
		cr_assert(eq(u32, r->rounds, (uint32_t)n));
		cr_assert(eq(u64, r->bytes, MIB(cases[c].total_mib)));
		/* 100 MiB/s: 10 ms per MiB. */
		cr_assert(eq(u64, r->downtime_ns,
			     SIM_MS(10) * cases[c].paused_mib));
		cr_assert(eq(u64, r->total_ns, SIM_MS(10) * cases[c].total_mib));
		world_fini(&w);
	}
}

/* The closed form of [Liu11] with SimGrid's cap. With λ = D/R, working set W
 * and threshold R·d, round 1 sends V_1 = M, and after live round k (which
 * sent V_k) r_k = min(W, λ·V_k) remain, which the next round sends. For
 * λ < 1 that is V_2 = min(W, λM) and then geometric, V_k = V_2·λ^{k−2}
 * (once below W it stays below); for λ >= 1 every later round sends W.
 * Pre-copy stops after the first round k with r_k <= R·d, or at the cap:
 *   n = min(max_rounds, 1 + ⌈ln(R·d / V_2) / ln λ⌉)   (λ < 1, V_2 > R·d)
 *   n = max_rounds                                     (λ >= 1, W > R·d)
 * and the paused round sends r_n: downtime = r_n / R, volume
 * V = M + Σ_{k=2..n} V_k + r_n = M + V_2·(1 − λ^n)/(1 − λ) for λ < 1 and
 * M + n·W for λ >= 1, total = V / R (latency and stage costs 0). Over a
 * grid of RAM, speed and intensity (λ below 1, at 1 and above with the
 * cap), rounds must match exactly and volume, downtime, total and every
 * round's bytes within 1 %. */
Test(mig_simgrid, rounds_volume_downtime_and_total_match_the_capped_closed_form)
{
	const uint64_t rams[3] = {MIB(256), MIB(1024), MIB(8192)};
	const uint64_t speeds[3] = {MIB(100) * 8, UINT64_C(1000000000),
				    UINT64_C(10000000000)};
	const double lambdas[6] = {0.3, 0.55, 0.8, 0.95, 1.0, 1.5};
	const uint64_t cap = 12, d_ns = SIM_MS(30);
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++)
			for (int l = 0; l < 6; l++) {
				double lam = lambdas[l];
				mem_dirtying_cfg g = simgrid_guest(lam, 1.0);
				mig_request q = simgrid_request(
					rams[a], speeds[b], d_ns, &g, cap);
				double m = (double)rams[a];
				double w_b = (double)q.dirty.uniform_ws_pages *
					     PAGE;
				double r = (double)speeds[b] / 8;
				double thr = r * (double)d_ns / 1e9;
				double v2 = fmin(w_b, lam * m);
				uint64_t n;
				double vol, last;
				if (lam < 1) {
					n = v2 <= thr
						    ? 1
						    : 1 + (uint64_t)ceil(
							      log(thr / v2) /
							      log(lam));
					if (n > cap)
						n = cap;
					last = v2 * pow(lam, (double)n - 1);
					vol = m + v2 * (1 - pow(lam, (double)n)) /
							  (1 - lam);
				} else {
					n = cap;
					last = w_b;
					vol = m + (double)n * w_b;
				}
				world w;
				run_one(&w, &q);
				const mig_result *res = &w.results[0];
				cr_assert(eq(u32, res->rounds, (uint32_t)n),
					  "M %llu R %llu λ %g",
					  (unsigned long long)rams[a],
					  (unsigned long long)speeds[b], lam);
				cr_assert(eq(sz, w.nrounds, (size_t)n + 1));
				for (size_t k = 0; k <= n; k++) {
					double want = k == 0 ? m
						      : k == n ? last
						      : lam < 1
							      ? v2 * pow(lam,
									 (double)k - 1)
							      : w_b;
					cr_assert(near((double)w.rounds[k].bytes,
						       want, 0.01),
						  "M %llu R %llu λ %g round %zu",
						  (unsigned long long)rams[a],
						  (unsigned long long)speeds[b],
						  lam, k + 1);
				}
				cr_assert(near((double)res->bytes, vol, 0.01));
				cr_assert(near((double)res->downtime_ns,
					       last / r * 1e9, 0.01));
				cr_assert(near((double)res->total_ns,
					       vol / r * 1e9, 0.01));
				world_fini(&w);
			}
}
