/* SPDX-License-Identifier: MIT */
/*
 * Tests of the baselines: none, random destination, and
 * [BeloglazovBuyya12]'s detectors (THR, MAD, IQR, LR) on known series,
 * minimum-migration-time selection, power-aware best-fit decreasing
 * placement, underload consolidation, the SLATAH, PDM, SLAV metrics and
 * the power models (linear, SPECpower-style table).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

static pol_policy *make(const char *name, pol_params *p, const world *w)
{
	sim_diag d;
	sim_diag_init(&d);
	pol_policy *pol = pol_policy_create(pol_ops_find(name), p, w->nh,
					    w->nm, &d);
	cr_assert(pol != NULL);
	sim_diag_fini(&d);
	return pol;
}

static void step(pol_policy *pol, world *w, pol_out *o)
{
	pol_view v = w_view(w);
	pol_policy_step(pol, &v, o);
	w->interval++;
}

Test(baselines, mad_and_iqr_of_known_series)
{
	double x[] = {1, 2, 3, 4, 100}, scratch[32];
	cr_assert(eq(dbl, pol_median(x, 5, scratch), 3));
	cr_assert(eq(dbl, pol_mad(x, 5, scratch), 1));
	double y[11];
	for (int i = 0; i < 11; i++)
		y[10 - i] = i + 1;
	/* Q1 = 3rd smallest, Q3 = 9th of 11. */
	cr_assert(eq(dbl, pol_iqr(y, 11, scratch), 6));
	double e[] = {4, 1, 3, 2};
	cr_assert(eq(dbl, pol_median(e, 4, scratch), 2.5));
}

Test(baselines, loess_recovers_a_line)
{
	double y[10], a, b;
	for (int i = 0; i < 10; i++)
		y[i] = 0.25 + 0.0625 * (i + 1);
	pol_loess_fit(y, 10, &a, &b);
	cr_assert(fabs(a - 0.25) < 1e-12 && fabs(b - 0.0625) < 1e-12);
}

Test(baselines, metrics_slatah_pdm_slav)
{
	/* Host 0: 4 active intervals, 1 at 100 %; host 1: 2 active, 2 at
	 * 100 %; host 2 never active. SLATAH = (1/4 + 1) / 2. */
	double util[12] = {0.5, 1.0, 0.7, 0.2, 1.0, 1.0, 0, 0, 0, 0, 0, 0};
	uint8_t on[12] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
	double slatah = pol_slatah(util, on, 3, 4);
	cr_assert(fabs(slatah - 0.625) < 1e-12);
	/* The same from counts (what a run keeps): active 4, 2, 0 intervals,
	 * full 1, 2, 0. */
	uint64_t act[3] = {4, 2, 0}, full[3] = {1, 2, 0};
	cr_assert(eq(dbl, pol_slatah_counts(act, full, 3), slatah));
	cr_assert(eq(dbl, pol_slatah_counts(act + 2, full + 2, 1), 0));
	/* 10 % of 0.5 cores for 20 s. */
	cr_assert(eq(dbl, pol_migration_loss(0.5, 20), 1));
	double deg[3] = {1, 0, 5}, req[3] = {100, 0, 50};
	double pdm = pol_pdm(deg, req, 3);
	cr_assert(fabs(pdm - (0.01 + 0.1) / 2) < 1e-12);
	cr_assert(fabs(pol_slav(slatah, pdm) - 0.625 * 0.055) < 1e-12);
	/* 1 GiB over 1 Gbit/s at 0.5 cores: 0.1 * 0.5 * 8.589934592 s. */
	cr_assert(fabs(pol_migration_degradation(1073741824.0, 1e9, 0.5) -
		       0.05 * 8.589934592) < 1e-9);
	cr_assert(eq(dbl, pol_power_linear(100, 200, 0.25), 125));
	cr_assert(eq(dbl, pol_power_linear(100, 200, 2), 200));
}

Test(baselines, none_never_acts)
{
	world w = {0};
	w_host(&w, 0, 0);
	w_host(&w, 0, 0);
	w_vm(&w, 0, 0.99, 512);
	pol_params p;
	pol_params_default(&p);
	pol_policy *pol = make("none", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	for (int i = 0; i < 10; i++) {
		step(pol, &w, &o);
		cr_assert(eq(sz, o.nactions, 0));
		cr_assert(eq(u8, o.hot[0], 0));
	}
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* The random baseline moves the same VM as Sandpiper but its destination
 * is drawn from the run's seed among the hosts that fit: over seeds, more
 * than one destination appears, and each fits. */
Test(baselines, random_destination_is_seeded_and_eligible)
{
	bool seen[8] = {0};
	for (uint64_t seed = 1; seed <= 16; seed++) {
		world w = {0};
		w_host(&w, 0, 0);
		w_vm(&w, 0, 0.45, 512);
		w_vm(&w, 0, 0.40, 256);
		for (int h = 0; h < 4; h++)
			w_host(&w, 0.1 * h, 0);
		w_host(&w, 0.70, 0); /* never fits */
		pol_params p;
		pol_params_default(&p);
		pol_policy *pol = make("random", &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		for (int i = 0; i < 3; i++) {
			pol_view v = w_view(&w);
			v.seed = seed;
			pol_policy_step(pol, &v, &o);
			w.interval++;
		}
		cr_assert(eq(sz, o.nactions, 1));
		cr_assert(eq(u32, o.actions[0].vm, 1));
		cr_assert(o.actions[0].to >= 1 && o.actions[0].to <= 4);
		seen[o.actions[0].to] = true;
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
	int distinct = 0;
	for (int h = 0; h < 8; h++)
		distinct += seen[h];
	cr_assert(gt(int, distinct, 1));
}

/* THR at 0.8: a host at 0.85 sheds the VM of least memory (minimum
 * migration time) first, and PABFD sends it where power grows least: the
 * host with the flatter power curve, not the empty (off) one. */
Test(baselines, thr_min_migration_time_and_pabfd)
{
	world w = {0};
	w_host(&w, 0, 0);
	w_host(&w, 0, 0);
	w_host(&w, 0, 0);
	w_host(&w, 0, 0);
	w.h[2].power_peak_w = 150; /* flatter than host 1 */
	w_vm(&w, 0, 0.35, 2048);
	w_vm(&w, 0, 0.30, 512); /* least memory */
	w_vm(&w, 0, 0.20, 1024);
	w_vm(&w, 1, 0.30, 512);
	w_vm(&w, 2, 0.30, 512);
	pol_params p;
	pol_params_default(&p);
	p.bb_underload = false;
	pol_policy *pol = make("bb-thr", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	step(pol, &w, &o);
	cr_assert(eq(u8, o.hot[0], 1));
	cr_assert(eq(sz, o.nactions, 1));
	cr_assert(eq(u32, o.actions[0].vm, 1));
	cr_assert(eq(u32, o.actions[0].to, 2));
	cr_assert(eq(int, o.actions[0].reason, POL_REASON_OVERLOAD));
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* MAD falls back to THR until bb_history samples exist; a steady 0.85 has
 * MAD 0, so its threshold is 1 and the host is then not overloaded. IQR
 * alike. */
Test(baselines, mad_and_iqr_fall_back_to_thr_on_short_history)
{
	const char *names[] = {"bb-mad", "bb-iqr"};
	for (int k = 0; k < 2; k++) {
		world w = {0};
		w_host(&w, 0, 0);
		w_vm(&w, 0, 0.85, 512);
		pol_params p;
		pol_params_default(&p);
		pol_policy *pol = make(names[k], &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		for (int i = 0; i < 14; i++) {
			step(pol, &w, &o);
			cr_assert(eq(u8, o.hot[0], i < 11), "%s at %d",
				  names[k], i);
		}
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}

/* MAD with spread: over the last 12 samples, six of 0.7 and six of 0.5
 * (the newest 0.5): median 0.6, MAD 0.1, threshold 1 - 2.5 * 0.1 = 0.75,
 * not overloaded. A new sample of 0.76 (replacing the oldest 0.7) keeps
 * median 0.6 and MAD 0.1 and is above 0.75: overloaded, below THR. */
Test(baselines, mad_threshold_on_a_known_series)
{
	world w = {0};
	w_host(&w, 0, 0);
	uint32_t a = w_vm(&w, 0, 0.5, 512);
	pol_params p;
	pol_params_default(&p);
	p.window = 12;
	p.bb_history = 12;
	pol_policy *pol = make("bb-mad", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	for (int i = 0; i < 20; i++) {
		w.m[a].cpu = i % 2 ? 0.5 : 0.7;
		step(pol, &w, &o);
	}
	cr_assert(eq(u8, o.hot[0], 0));
	w.m[a].cpu = 0.76;
	step(pol, &w, &o);
	cr_assert(eq(u8, o.hot[0], 1));
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* LR on a line: 0.40 + 0.03 t, a 2048 MiB VM on a 1 Gbit/s NIC: the
 * longest migration takes 2048 MiB * 8 / 0.5 Gbit/s = 34.4 s, m = 4
 * intervals of 10 s, so the regression of the last 10 samples predicts
 * the current value + 4 * 0.03. With s = 1.2: overloaded once 1.2 (0.52 +
 * 0.03 t) >= 1, i.e. first at t = 11 (current 0.73, below THR's 0.8);
 * before t = 9 there are too few samples and THR decides. */
Test(baselines, lr_predicts_a_rising_line)
{
	world w = {0};
	w_host(&w, 0, 0);
	uint32_t a = w_vm(&w, 0, 0.4, 2048);
	pol_params p;
	pol_params_default(&p);
	pol_policy *pol = make("bb-lr", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	int first = -1;
	for (int t = 0; t < 14; t++) {
		w.m[a].cpu = 0.40 + 0.03 * t;
		step(pol, &w, &o);
		if (o.hot[0] && first < 0)
			first = t;
	}
	cr_assert(eq(int, first, 11));
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* Underload: the least utilised host is emptied onto hosts already on
 * when all its VMs fit; an empty host is never powered on for it. */
Test(baselines, underload_empties_the_least_utilised_host)
{
	world w = {0};
	for (int h = 0; h < 3; h++)
		w_host(&w, 0, 0);
	w_vm(&w, 0, 0.50, 512);
	w_vm(&w, 1, 0.10, 512);
	pol_params p;
	pol_params_default(&p);
	pol_policy *pol = make("bb-thr", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	step(pol, &w, &o);
	cr_assert(eq(sz, o.nactions, 1));
	cr_assert(eq(u32, o.actions[0].vm, 1));
	cr_assert(eq(u32, o.actions[0].to, 0));
	cr_assert(eq(int, o.actions[0].reason, POL_REASON_UNDERLOAD));
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* The SPECpower-style model is linear between deciles: the HP ProLiant
 * ML110 G5 table of [BeloglazovBuyya12] (docs/references.md) gives 116 W
 * at 50 % and 121 W at 60 %, so 118.5 W at 55 %; its ends at 0 and 1 and
 * beyond (clamped). A host view with a table uses it, else its line. */
Test(baselines, power_table_interpolates_between_deciles)
{
	const double g5[POL_POWER_POINTS] = {93.7, 97, 101, 105, 110, 116,
					     121, 125, 129, 133, 135};
	cr_assert(ieee_ulp_eq(dbl, pol_power_table(g5, 0.55), 118.5, 4));
	cr_assert(ieee_ulp_eq(dbl, pol_power_table(g5, 0.05), 95.35, 4));
	cr_assert(eq(dbl, pol_power_table(g5, 0), 93.7));
	cr_assert(eq(dbl, pol_power_table(g5, 0.3), 105));
	cr_assert(eq(dbl, pol_power_table(g5, 1), 135));
	cr_assert(eq(dbl, pol_power_table(g5, 1.5), 135));
	cr_assert(eq(dbl, pol_power_table(g5, -1), 93.7));
	pol_host_view h = {.power_idle_w = 100, .power_peak_w = 200};
	cr_assert(eq(dbl, pol_host_power(&h, 0.55), 155));
	h.power_table_w = g5;
	cr_assert(ieee_ulp_eq(dbl, pol_host_power(&h, 0.55), 118.5, 4));
}

/* PABFD follows the host's power model. Host 0 (0.85) sheds its 0.10 VM;
 * hosts 1 (at 0.05) and 2 (at 0.45) both have room. With the linear
 * model the increase is the same on both (10 W), so the lower id, host
 * 1, wins. With the ML110 G4 table (86, 89.4, 92.6, 96, 99.5, 102, ...
 * W) host 1 goes from 87.7 to 91.0 W (+3.3 W) and host 2 from 100.75 to
 * 104 W (+3.25 W): host 2 wins. */
Test(baselines, pabfd_uses_the_power_table)
{
	const double g4[POL_POWER_POINTS] = {86, 89.4, 92.6, 96, 99.5, 102,
					     106, 108, 112, 114, 117};
	for (int table = 0; table < 2; table++) {
		world w = {0};
		for (int h = 0; h < 3; h++)
			w_host(&w, 0, 0);
		w_vm(&w, 0, 0.75, 2048);
		w_vm(&w, 0, 0.10, 512);
		w_vm(&w, 1, 0.05, 512);
		w_vm(&w, 2, 0.45, 512);
		for (int h = 0; table && h < 3; h++)
			w.h[h].power_table_w = g4;
		pol_params p;
		pol_params_default(&p);
		p.bb_underload = false;
		pol_policy *pol = make("bb-thr", &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		step(pol, &w, &o);
		cr_assert(eq(sz, o.nactions, 1));
		cr_assert(eq(u32, o.actions[0].vm, 1));
		cr_assert(eq(u32, o.actions[0].to, table ? 2 : 1));
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}
