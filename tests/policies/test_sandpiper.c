/* SPDX-License-Identifier: MIT */
/*
 * Golden tests of Sandpiper [Wood07]: the twelve worked oracles of
 * docs/references.md ([Wood07] "Test oracles", T = 0.75, k = 3, n = 5,
 * unclamped AR(1) over the same 5 samples, hosts of 1.0 CPU, 1 Gbit/s
 * and 4096 MiB), each test named after its oracle, plus the clamp
 * example, the parameter table and its positioned errors.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

#define STR(s) ((char *)(s))

static pol_params params(void)
{
	pol_params p;
	pol_params_default(&p);
	return p;
}

static pol_policy *make(const char *name, const pol_params *p,
			const world *w)
{
	sim_diag d;
	sim_diag_init(&d);
	pol_policy *pol = pol_policy_create(pol_ops_find(name), p, w->nh,
					    w->nm, &d);
	cr_assert(pol != NULL, "%s", d.text ? d.text : "");
	sim_diag_fini(&d);
	return pol;
}

/* One interval on the world as it is; the actions are not applied. */
static void step(pol_policy *pol, world *w, pol_out *o)
{
	pol_view v = w_view(w);
	pol_policy_step(pol, &v, o);
}

/* n intervals of the same world (actions not applied, interval advanced)
 * and the answer of the last in o. */
static void steps(pol_policy *pol, world *w, pol_out *o, int n)
{
	for (int i = 0; i < n; i++) {
		step(pol, w, o);
		w->interval++;
	}
}

/* The host's CPU history, one interval per sample, through one VM. */
static void feed_cpu(pol_policy *pol, world *w, uint32_t vm,
		     const double *x, size_t n, pol_out *o, uint8_t *hot)
{
	for (size_t i = 0; i < n; i++) {
		w->m[vm].cpu = x[i];
		step(pol, w, o);
		hot[i] = o->hot[w->m[vm].host];
		w->interval++;
	}
}

/* ---- estimators ---------------------------------------------------------- */

/* Oracle 1 [Wood07]: mu = 0.77, phi ~ 0.385, forecast ~ 0.80. */
Test(sandpiper_golden, oracle1_ar1_forecast_of_a_rising_history)
{
	double x[] = {0.70, 0.72, 0.78, 0.80, 0.85}, phi;
	double f = pol_ar1_forecast(x, 5, false, &phi);
	cr_assert(fabs(phi - 0.0057 / 0.0148) < 1e-12);
	cr_assert(fabs(phi - 0.385) < 0.001);
	cr_assert(fabs(f - 0.8008) < 1e-3, "forecast %g", f);
	cr_assert(eq(sz, pol_count_above(x, 5, 0.75), 3));
}

/* Clamp example [Wood07]: 0.80, 0.70, ... gives phi = -0.8 and 0.728
 * unclamped (not hot), 0.76 clamped (hot). */
Test(sandpiper_golden, clamp_example_phi_minus_0_8_forecast_0_728_or_0_76)
{
	double x[] = {0.80, 0.70, 0.80, 0.70, 0.80}, phi;
	double f = pol_ar1_forecast(x, 5, false, &phi);
	cr_assert(fabs(phi + 0.8) < 1e-9, "phi %g", phi);
	cr_assert(fabs(f - 0.728) < 1e-9, "forecast %g", f);
	f = pol_ar1_forecast(x, 5, true, &phi);
	cr_assert(eq(dbl, phi, 0.0));
	cr_assert(fabs(f - 0.76) < 1e-9);

	uint8_t hot[5];
	for (int clamp = 0; clamp < 2; clamp++) {
		world w = {0};
		w_host(&w, 0, 0);
		uint32_t a = w_vm(&w, 0, 0, 512);
		pol_params p = params();
		p.policy = 1;
		p.clamp_phi = clamp;
		pol_policy *pol = make("sandpiper", &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		feed_cpu(pol, &w, a, x, 5, &o, hot);
		cr_assert(eq(int, hot[4], clamp), "clamp %d", clamp);
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}

Test(sandpiper_golden, constant_window_has_phi_zero)
{
	double x[] = {0.9, 0.9, 0.9}, phi = 1;
	cr_assert(eq(dbl, pol_ar1_forecast(x, 3, false, &phi), 0.9));
	cr_assert(eq(dbl, phi, 0.0));
}

/* ---- detection ----------------------------------------------------------- */

/* Oracle 1 [Wood07]: flagged at 0.70, 0.72, 0.78, 0.80, 0.85; with 0.60
 * before it, not flagged one interval earlier (2 of 5 above). */
Test(sandpiper_golden, oracle1_k_of_n_and_rising_forecast_is_hot)
{
	world w = {0};
	w_host(&w, 0, 0);
	uint32_t a = w_vm(&w, 0, 0, 512);
	pol_params p = params();
	pol_policy *pol = make("sandpiper", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	double x[] = {0.60, 0.70, 0.72, 0.78, 0.80, 0.85};
	uint8_t hot[6];
	feed_cpu(pol, &w, a, x, 6, &o, hot);
	for (int i = 0; i < 5; i++)
		cr_assert(eq(u8, hot[i], 0), "interval %d", i);
	cr_assert(eq(u8, hot[5], 1));
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* Oracle 2 [Wood07]: 2 of 5 above T is never hot, nor is one spike. */
Test(sandpiper_golden, oracle2_too_few_violations_is_not_hot)
{
	double cases[2][5] = {{0.70, 0.80, 0.70, 0.70, 0.90},
			      {0.10, 0.10, 0.10, 0.10, 1.00}};
	for (int c = 0; c < 2; c++) {
		world w = {0};
		w_host(&w, 0, 0);
		uint32_t a = w_vm(&w, 0, 0, 512);
		pol_params p = params();
		pol_policy *pol = make("sandpiper", &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		uint8_t hot[5];
		feed_cpu(pol, &w, a, cases[c], 5, &o, hot);
		for (int i = 0; i < 5; i++)
			cr_assert(eq(u8, hot[i], 0), "case %d at %d", c, i);
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}

/* Oracle 3 [Wood07]: 0.95 x3, 0.40, 0.30: 3 of 5 above but the forecast
 * (~0.55) vetoes: not hot, no migration, although a host has room. The
 * threshold-only baseline, without the forecast, does flag it. */
Test(sandpiper_golden, oracle3_falling_trend_vetoes)
{
	double x[] = {0.95, 0.95, 0.95, 0.40, 0.30};
	double f = pol_ar1_forecast(x, 5, false, NULL);
	cr_assert(fabs(f - 0.5525) < 2e-3, "forecast %g", f);
	const char *names[] = {"sandpiper", "threshold"};
	for (int k = 0; k < 2; k++) {
		world w = {0};
		w_host(&w, 0, 0);
		w_host(&w, 0, 0);
		uint32_t a = w_vm(&w, 0, 0, 512);
		pol_params p = params();
		pol_policy *pol = make(names[k], &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		uint8_t hot[5];
		feed_cpu(pol, &w, a, x, 5, &o, hot);
		cr_assert(eq(u8, hot[4], k == 1), "%s", names[k]);
		cr_assert(eq(sz, o.nactions, 0));
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}

/* ---- Volume, VSR, mitigation --------------------------------------------- */

/* Oracle 4 [Wood07]: Vol(0.5, 0.5, 0.5) = 8, Vol(0.9, 0, 0) = 10; VSR =
 * Vol / MB; equal keys are ordered by lowest id. */
Test(sandpiper_golden, oracle4_volume_and_vsr_arithmetic)
{
	cr_assert(fabs(pol_volume(0.5, 0.5, 0.5, 0.99) - 8) < 1e-12);
	cr_assert(fabs(pol_volume(0.9, 0, 0, 0.99) - 10) < 1e-12);
	/* Oracle 5's VMs on a 4096 MB host. */
	double va = pol_volume(0.40, 0, 1024.0 / 4096, 0.99);
	double vb = pol_volume(0.30, 0, 256.0 / 4096, 0.99);
	double vc = pol_volume(0.15, 0, 512.0 / 4096, 0.99);
	cr_assert(fabs(va - 2.22) < 0.005 && fabs(vb - 1.52) < 0.005);
	cr_assert(fabs(va / 1024 - 2.17e-3) < 0.005e-3);
	cr_assert(fabs(vb / 256 - 5.95e-3) < 0.005e-3);
	cr_assert(fabs(vc / 512 - 2.63e-3) < 0.005e-3);
	double key[5] = {3, 1, 3, 1, 2};
	uint32_t idx[5] = {4, 3, 2, 1, 0}, tmp[5];
	pol_sort_ids(idx, 5, key, true, tmp);
	uint32_t want[5] = {0, 2, 4, 1, 3};
	for (int i = 0; i < 5; i++)
		cr_assert(eq(u32, idx[i], want[i]));
}

/* Oracle 5's and 6's hot PM1: A (0.40, 1024 MB), B (0.30, 256 MB),
 * C (0.15, 512 MB); CPU 0.85, memory 1792 MB. */
static void pm1(world *w)
{
	w_host(w, 0, 0);
	w_vm(w, 0, 0.40, 1024);
	w_vm(w, 0, 0.30, 256);
	w_vm(w, 0, 0.15, 512);
}

static void expect_one_migration(world *w, uint32_t vm, uint32_t to)
{
	pol_params p = params();
	pol_policy *pol = make("sandpiper", &p, w);
	pol_out o;
	pol_out_init(&o, w->nh);
	steps(pol, w, &o, 2);
	cr_assert(eq(sz, o.nactions, 0), "not hot before 3 samples");
	steps(pol, w, &o, 1);
	cr_assert(eq(u8, o.hot[0], 1));
	cr_assert(eq(sz, o.nactions, 1));
	cr_assert(eq(int, o.actions[0].kind, POL_MIGRATE));
	cr_assert(eq(u32, o.actions[0].vm, vm));
	cr_assert(eq(u32, o.actions[0].from, 0));
	cr_assert(eq(u32, o.actions[0].to, to));
	cr_assert(eq(int, o.actions[0].reason, POL_REASON_HOTSPOT));
	/* Carried out, PM1 is at 0.55: the phase has stopped and A, C are
	 * never moved in the following intervals. */
	w_apply(w, &o);
	for (int i = 0; i < 5; i++) {
		step(pol, w, &o);
		cr_assert(eq(sz, o.nactions, 0), "interval %d after", i);
		w->interval++;
	}
	pol_view v = w_view(w);
	cr_assert(fabs(v.hosts[0].used[POL_CPU] - 0.55) < 1e-12);
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* Oracle 5 [Wood07]: VSR, not raw load: exactly one migration, B -> PM2
 * (PM2: 0.30 CPU, 1024 MB, Vol 1.90; PM3: 0.50, 1024 MB, Vol 2.67). */
Test(sandpiper_golden, oracle5_vsr_picks_b_and_one_migration_to_pm2)
{
	world w = {0};
	pm1(&w);
	w_host(&w, 0.30, 1024);
	w_host(&w, 0.50, 1024);
	expect_one_migration(&w, 1, 1);
}

/* Oracle 6 [Wood07]: PM2 (0.50, 512 MB, Vol 2.29) is lowest but 0.50 +
 * 0.30 > T; B -> PM3 (0.40, 3072 MB), ending at 0.70 and 3328 MB. */
Test(sandpiper_golden, oracle6_destination_is_lowest_volume_eligible_pm)
{
	world w = {0};
	pm1(&w);
	w_host(&w, 0.50, 512);
	w_host(&w, 0.40, 3072);
	expect_one_migration(&w, 1, 2);
	pol_view v = w_view(&w);
	cr_assert(fabs(v.hosts[2].used[POL_CPU] - 0.70) < 1e-12);
	cr_assert(fabs(v.hosts[2].used[POL_MEM] - 3328 * MIB) < 1);
}

/* Oracle 7 [Wood07]: hot PMs in decreasing Volume (the hotter one has the
 * higher id here); the one destination with room goes to it, and is not
 * made hot by the move (0.30 + 0.40 <= T). */
Test(sandpiper_golden, oracle7_hot_pms_served_by_decreasing_volume)
{
	world w = {0};
	w_host(&w, 0, 0);       /* PM0: 0.80, the less hot */
	w_host(&w, 0, 0);       /* PM1: 0.90, the hottest */
	w_host(&w, 0.30, 0);    /* room for 0.45 at most */
	w_vm(&w, 0, 0.45, 512); /* 0: R */
	w_vm(&w, 0, 0.35, 512); /* 1: S */
	w_vm(&w, 1, 0.50, 512); /* 2: P */
	w_vm(&w, 1, 0.40, 512); /* 3: Q */
	pol_params p = params();
	pol_policy *pol = make("sandpiper", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	steps(pol, &w, &o, 3);
	cr_assert(eq(u8, o.hot[0], 1));
	cr_assert(eq(u8, o.hot[1], 1));
	cr_assert(eq(sz, o.nactions, 1));
	cr_assert(eq(u32, o.actions[0].from, 1));
	cr_assert(eq(u32, o.actions[0].vm, 3));
	cr_assert(eq(u32, o.actions[0].to, 2));
	w_apply(&w, &o);
	pol_view v = w_view(&w);
	cr_assert(le(dbl, v.hosts[2].used[POL_CPU], 0.75));
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* Oracle 8's PMs: PM1 hot with X (0.50, 512 MB), Y (0.35, 512 MB); PM2
 * (0.25, 3840 MB) with U (0.05, 3456 MB) and V (0.20, 384 MB). */
static void oracle8(world *w)
{
	w_host(w, 0, 0);
	w_host(w, 0, 0);
	w_vm(w, 0, 0.50, 512);  /* X */
	w_vm(w, 0, 0.35, 512);  /* Y */
	w_vm(w, 1, 0.05, 3456); /* U */
	w_vm(w, 1, 0.20, 384);  /* V */
}

/* Oracle 8 [Wood07]: no migration fits (memory), so one swap X <-> U,
 * staged one-side with X first (PM2 holds 256 MB extra briefly, under
 * swap_room): PM1 ends at 0.40 and 3968 MB, PM2 at 0.70 and 896 MB. */
Test(sandpiper_golden, oracle8_swap_only_when_no_migration_fits)
{
	world w = {0};
	oracle8(&w);
	pol_params p = params();
	pol_policy *pol = make("sandpiper", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	steps(pol, &w, &o, 3);
	cr_assert(eq(sz, o.nactions, 1));
	pol_action a = o.actions[0];
	cr_assert(eq(int, a.kind, POL_SWAP));
	cr_assert(eq(u32, a.vm, 0));
	cr_assert(eq(u32, a.vm_b, 2));
	cr_assert(eq(u32, a.from, 0));
	cr_assert(eq(u32, a.to, 1));
	cr_assert(eq(u32, a.stage, POL_NONE));
	cr_assert(not(a.b_first));
	char line[160];
	pol_action_format(&a, 30000000000u, line, sizeof line);
	cr_assert(eq(str, line, STR("30000000000 swap vm=0 host=0 with vm=2 "
				    "host=1 first=0 reason=hotspot\n")));
	w_apply(&w, &o);
	pol_view v = w_view(&w);
	cr_assert(fabs(v.hosts[0].used[POL_CPU] - 0.40) < 1e-12);
	cr_assert(fabs(v.hosts[0].used[POL_MEM] - 3968 * MIB) < 1);
	cr_assert(fabs(v.hosts[1].used[POL_CPU] - 0.70) < 1e-12);
	cr_assert(fabs(v.hosts[1].used[POL_MEM] - 896 * MIB) < 1);
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* Oracle 8 [Wood07], second half: with a third PM where X fits, the
 * migration phase acts and no swap is attempted. */
Test(sandpiper_golden, oracle8_no_swap_when_a_migration_fits)
{
	world w = {0};
	oracle8(&w);
	w_host(&w, 0.10, 0);
	pol_params p = params();
	pol_policy *pol = make("sandpiper", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	steps(pol, &w, &o, 3);
	cr_assert(eq(sz, o.nactions, 1));
	cr_assert(eq(int, o.actions[0].kind, POL_MIGRATE));
	cr_assert(eq(u32, o.actions[0].to, 2));
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* Staging alternatives with swap_room 5 % (below the 6.25 % X <-> U
 * needs one-side) and a PM3 whose CPU cannot take X but whose memory can
 * hold it briefly: auto and third-host stage X <-> U through PM3;
 * one-side cannot, and falls to the next partner, V, which PM1 can take
 * first without any excess. */
Test(sandpiper_golden, swap_staging_rules)
{
	for (int rule = 0; rule < 3; rule++) {
		world w = {0};
		oracle8(&w);
		w_host(&w, 0.70, 3200);
		pol_params p = params();
		p.swap_staging = rule;
		p.swap_room = 0.05;
		pol_policy *pol = make("sandpiper", &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		steps(pol, &w, &o, 3);
		cr_assert(eq(sz, o.nactions, 1), "rule %d", rule);
		pol_action a = o.actions[0];
		cr_assert(eq(int, a.kind, POL_SWAP));
		cr_assert(eq(u32, a.vm, 0));
		if (rule == POL_STAGE_ONE_SIDE) {
			cr_assert(eq(u32, a.vm_b, 3));
			cr_assert(eq(u32, a.stage, POL_NONE));
			cr_assert(a.b_first);
		} else {
			cr_assert(eq(u32, a.vm_b, 2));
			cr_assert(eq(u32, a.stage, 2));
		}
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}

/* Oracle 9 [Wood07]: neither a migration nor a swap keeps every PM <= T:
 * no action, the hotspot stays recorded, interval after interval. */
Test(sandpiper_golden, oracle9_no_feasible_action_means_no_action)
{
	world w = {0};
	oracle8(&w);
	w.m[3].cpu = 0.65; /* V: PM2 at 0.70 */
	pol_params p = params();
	pol_policy *pol = make("sandpiper", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	steps(pol, &w, &o, 2);
	for (int i = 0; i < 8; i++) {
		steps(pol, &w, &o, 1);
		cr_assert(eq(u8, o.hot[0], 1));
		cr_assert(eq(sz, o.nactions, 0), "interval %d", i);
	}
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* A VM moved is not moved again within hold_down. */
Test(sandpiper_golden, moved_vm_is_held_down)
{
	world w = {0};
	pm1(&w);
	w_host(&w, 0.30, 1024);
	pol_params p = params();
	p.hold_down_ns = 100 * STEP_NS;
	pol_policy *pol = make("sandpiper", &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	steps(pol, &w, &o, 3);
	cr_assert(eq(sz, o.nactions, 1));
	w_apply(&w, &o);
	/* B's new host turns hot; B is the only VM there and may not move
	 * back within the hold-down. */
	w.m[1].cpu = 0.60;
	for (int i = 0; i < 6; i++) {
		step(&*pol, &w, &o);
		w.interval++;
		for (size_t k = 0; k < o.nactions; k++)
			cr_assert(o.actions[k].vm != 1 ||
				  o.actions[k].kind == POL_RESIZE);
	}
	pol_out_fini(&o);
	pol_policy_destroy(pol);
}

/* ---- grey-box ------------------------------------------------------------ */

/* Oracle 10 [Wood07]: d = 1 s, s = 0.2 s, sa2 = sb2 = 0.04 s^2 give
 * lambda_cap = 4 req/s; a 95th-percentile rate of 8 req/s doubles the
 * CPU need. A CPU-saturated web VM (0.30 used of 0.30) is resized to 0.60
 * in grey-box mode and left alone in black-box mode. */
Test(sandpiper_golden, oracle10_grey_box_gg1_sizing)
{
	cr_assert(fabs(pol_kingman_lambda_cap(1.0, 0.2, 0.04, 0.04) - 4.0) <
		  1e-12);
	cr_assert(eq(dbl, pol_kingman_lambda_cap(0.2, 0.2, 0.04, 0.04), 0.0));
	for (int grey = 0; grey < 2; grey++) {
		world w = {0};
		w_host(&w, 0, 0);
		uint32_t a = w_vm(&w, 0, 0.30, 512);
		w.m[a].alloc[POL_CPU] = 0.30;
		w.m[a].app = true;
		w.m[a].arrival_rate = 8;
		w.m[a].service_s = 0.2;
		w.m[a].interarrival_var_s2 = 0.04;
		w.m[a].service_var_s2 = 0.04;
		w.m[a].response_s = 0.5;
		w.m[a].sla_response_s = 1.0;
		pol_params p = params();
		p.mode = grey ? POL_GREY_BOX : POL_BLACK_BOX;
		pol_policy *pol = make("sandpiper", &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		steps(pol, &w, &o, 1);
		if (!grey) {
			cr_assert(eq(sz, o.nactions, 0));
		} else {
			cr_assert(eq(sz, o.nactions, 1));
			cr_assert(eq(int, o.actions[0].kind, POL_RESIZE));
			cr_assert(eq(int, o.actions[0].resource, POL_CPU));
			cr_assert(fabs(o.actions[0].amount - 0.60) < 1e-12);
		}
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}

/* Grey-box SLA violations are a direct trigger: one interval of response
 * time above d flags the host (sla_k = 1); black-box cannot see it. */
Test(sandpiper_golden, grey_box_sla_violation_flags_the_host)
{
	for (int grey = 0; grey < 2; grey++) {
		world w = {0};
		w_host(&w, 0, 0);
		uint32_t a = w_vm(&w, 0, 0.30, 512);
		w.m[a].app = true;
		w.m[a].arrival_rate = 2;
		w.m[a].service_s = 0.2;
		w.m[a].response_s = 1.5;
		w.m[a].sla_response_s = 1.0;
		pol_params p = params();
		p.mode = grey ? POL_GREY_BOX : POL_BLACK_BOX;
		pol_policy *pol = make("sandpiper", &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		steps(pol, &w, &o, 1);
		cr_assert(eq(u8, o.hot[0], grey));
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}

/* Oracle 11 [Wood07]: black-box memory blindness. Usage within the
 * allocation: no swap, no memory action ever. Above it (1536 MiB wanted,
 * 1024 allocated): black-box grows by mem_step (128 MiB) each round, four
 * rounds; grey-box sizes the working set (1536 MiB from the histogram)
 * in one step. */
Test(sandpiper_golden, oracle11_black_box_memory_blindness)
{
	uint64_t hist[32] = {0};
	for (int i = 0; i < 24; i++)
		hist[i] = 1000; /* 24 buckets of 64 MiB: 1536 MiB */
	cr_assert(eq(dbl, pol_working_set(hist, 32, 64 << 20, 0, 0.01),
		     1536 * MIB));
	for (int grey = 0; grey < 2; grey++) {
		world w = {0};
		w_host(&w, 0, 0);
		uint32_t a = w_vm(&w, 0, 0.20, 1024);
		pol_params p = params();
		p.mode = grey ? POL_GREY_BOX : POL_BLACK_BOX;
		p.mem_step_bytes = 128 << 20;
		pol_policy *pol = make("sandpiper", &p, &w);
		pol_out o;
		pol_out_init(&o, w.nh);
		/* Phase 1: the VM uses 900 MiB of its 1024. */
		uint64_t small[32] = {0};
		for (int i = 0; i < 14; i++)
			small[i] = 1000;
		w.m[a].grey = grey;
		w.m[a].lru_hist = small;
		w.m[a].lru_buckets = 32;
		w.m[a].lru_bucket_bytes = 64 << 20;
		for (int i = 0; i < 10; i++) {
			step(pol, &w, &o);
			cr_assert(eq(sz, o.nactions, 0));
			cr_assert(eq(u8, o.hot[0], 0));
			w_apply(&w, &o);
		}
		/* Phase 2: it wants 1536 MiB and swaps while short. */
		w.m[a].lru_hist = hist;
		int rounds = 0;
		for (int i = 0; i < 10; i++) {
			bool short_ = w.m[a].alloc[POL_MEM] < 1536 * MIB;
			w.m[a].swap_bps = short_ ? 8e6 : 0;
			step(pol, &w, &o);
			if (o.nactions) {
				cr_assert(eq(sz, o.nactions, 1));
				cr_assert(eq(int, o.actions[0].resource,
					     POL_MEM));
				rounds++;
				double want = grey ? 1536 * MIB
					: w.m[a].alloc[POL_MEM] + 128 * MIB;
				cr_assert(eq(dbl, o.actions[0].amount, want));
			}
			w_apply(&w, &o);
		}
		cr_assert(eq(int, rounds, grey ? 1 : 4));
		cr_assert(eq(dbl, w.m[a].alloc[POL_MEM], 1536 * MIB));
		pol_out_fini(&o);
		pol_policy_destroy(pol);
	}
}

/* ---- determinism --------------------------------------------------------- */

/* A scripted run: 4 hosts, 10 VMs whose CPU follows fixed ramps, actions
 * carried out between intervals; returns the action log. */
static char *scripted_log(const char *name, uint64_t seed)
{
	world w = {0};
	for (int h = 0; h < 4; h++)
		w_host(&w, 0.02 * h, 256.0 * h);
	double mem[10] = {512, 256, 1024, 384, 768, 512, 2048, 128, 640, 300};
	for (uint32_t i = 0; i < 10; i++)
		w_vm(&w, i % 3, 0.1, mem[i]);
	pol_params p = params();
	pol_policy *pol = make(name, &p, &w);
	pol_out o;
	pol_out_init(&o, w.nh);
	size_t cap = 1 << 16, len = 0;
	char *log = calloc(cap, 1);
	for (int t = 0; t < 60; t++) {
		for (uint32_t i = 0; i < 10; i++) {
			/* Ramps of different slopes and phases, wrapping:
			 * exact binary fractions, no libm. */
			int phase = (t * (int)(i + 1) + 7 * (int)i) % 40;
			w.m[i].cpu = 0.05 + 0.0125 * phase;
			w.m[i].net_bps = 1e7 * (double)((t + (int)i) % 9);
		}
		pol_view v = w_view(&w);
		v.seed = seed;
		pol_policy_step(pol, &v, &o);
		for (size_t k = 0; k < o.nactions; k++)
			len += (size_t)pol_action_format(&o.actions[k], v.now_ns,
							 log + len, cap - len);
		cr_assert(lt(sz, len, cap));
		w_apply(&w, &o);
	}
	pol_out_fini(&o);
	pol_policy_destroy(pol);
	return log;
}

/* Oracle 12 [Wood07]: the same views and parameters give a byte-identical
 * action log, for every policy (the random one with the same seed). */
Test(sandpiper_golden, oracle12_same_views_same_action_log)
{
	for (size_t k = 0; pol_ops_at(k); k++) {
		const char *name = pol_ops_at(k)->name;
		char *a = scripted_log(name, 42), *b = scripted_log(name, 42);
		cr_assert(eq(str, a, b), "%s", name);
		if (strcmp(name, "sandpiper") == 0) {
			cr_assert(strstr(a, " migrate ") != NULL, "%s", a);
		}
		free(a);
		free(b);
	}
}

/* ---- parameters ---------------------------------------------------------- */

static int load(const char *text, pol_params *p, sim_diag *d)
{
	cfg_doc *doc = NULL;
	cr_assert(eq(int, cfg_doc_parse("p.yaml", text, strlen(text), &doc, d),
		     0));
	const cfg_node *n = cfg_map_get(cfg_doc_root(doc), "policy");
	int rc = pol_params_load(n, cfg_doc_root(doc), p, d);
	cfg_doc_destroy(doc);
	return rc;
}

Test(sandpiper_params, defaults_are_the_oracles_settings)
{
	pol_params p = params();
	cr_assert(eq(int, p.policy, 0));
	cr_assert(eq(dbl, p.threshold, 0.75));
	cr_assert(eq(u64, p.k, 3));
	cr_assert(eq(u64, p.n, 5));
	cr_assert(eq(dbl, p.percentile, 0.95));
	cr_assert(not(p.clamp_phi));
	cr_assert(eq(dbl, p.bb_thr, 0.8));
	cr_assert(eq(dbl, p.bb_mad_s, 2.5));
	cr_assert(eq(dbl, p.bb_iqr_s, 1.5));
	cr_assert(eq(dbl, p.bb_lr_s, 1.2));
	cfg_section_check(pol_sections()[0]);
	for (size_t k = 0; pol_ops_at(k); k++)
		cr_assert(eq(ptr, (void *)pol_ops_find(pol_ops_at(k)->name),
			     (void *)pol_ops_at(k)));
	cr_assert(eq(ptr, (void *)pol_ops_find("nope"), NULL));
	/* The "name" enum's choices are the ops tables' names, in order. */
	const cfg_param *name = &pol_sections()[0]->params[0];
	size_t k = 0;
	for (; name->choices[k]; k++)
		cr_assert(eq(str, STR(name->choices[k]),
			     STR(pol_ops_at(k)->name)));
	cr_assert(eq(ptr, (void *)pol_ops_at(k), NULL));
}

Test(sandpiper_params, values_load_by_name)
{
	pol_params p;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, load("policy:\n  name: bb-lr\n  threshold: 80%\n"
			       "  hold_down: 30s\n  mode: grey-box\n",
			       &p, &d), 0), "%s", d.text);
	cr_assert(eq(str, STR(pol_ops_at((size_t)p.policy)->name),
		     STR("bb-lr")));
	cr_assert(eq(dbl, p.threshold, 0.8));
	cr_assert(eq(u64, p.hold_down_ns, 30 * UINT64_C(1000000000)));
	cr_assert(eq(int, p.mode, POL_GREY_BOX));
	sim_diag_fini(&d);
}

Test(sandpiper_params, out_of_range_values_are_positioned_errors)
{
	pol_params p;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, load("policy:\n  threshold: 150%\n", &p, &d),
		     SIM_EINPUT));
	cr_assert(strncmp(d.text, "p.yaml:2:14: ", 13) == 0, "%s", d.text);
	sim_diag_fini(&d);
	sim_diag_init(&d);
	cr_assert(eq(int, load("policy:\n  n: 5\n  k: 7\n", &p, &d),
		     SIM_EINPUT));
	cr_assert(eq(str, d.text,
		     STR("p.yaml:3:6: policy.k: 7 is more than n = 5 "
			 "(expected k <= n)\n")));
	sim_diag_fini(&d);
	sim_diag_init(&d);
	cr_assert(eq(int, load("policy:\n  window: 4\n", &p, &d),
		     SIM_EINPUT));
	cr_assert(strncmp(d.text, "p.yaml:2:11: policy.n: 5 is more than "
			  "window = 4", 48) == 0, "%s", d.text);
	sim_diag_fini(&d);
	sim_diag_init(&d);
	cr_assert(eq(int, load("policy:\n  name: sandpipr\n", &p, &d),
		     SIM_EINPUT));
	cr_assert(strncmp(d.text, "p.yaml:2:9: ", 12) == 0, "%s", d.text);
	sim_diag_fini(&d);
}
