/* SPDX-License-Identifier: MIT */
/*
 * Tests of the resource-demand generators (workloads/demand.c): sampled
 * means against their closed forms within computed statistical bounds,
 * the profiles' shape, determinism and random access by interval, the
 * G/G/1 response time against M/M/1 and Sandpiper's oracle 10, and the
 * parameter table and checks.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"

#define STR(s) ((char *)(s))
#define S_NS UINT64_C(1000000000)
#define H_NS (3600 * S_NS)

/* The table's defaults, loaded from an empty mapping with a kind. */
static wl_demand_params defaults(const char *kind)
{
	char *text = sim_xasprintf("demand: {kind: %s}\n", kind);
	cfg_doc *doc;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("t.yaml", text, strlen(text), &doc, &d),
		     0), "%s", d.text);
	wl_demand_params p;
	int rc = wl_demand_params_load(cfg_map_get(cfg_doc_root(doc), "demand"),
				       NULL, &p, &d);
	cr_assert(eq(int, rc, 0), "%s", d.text);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	free(text);
	return p;
}

static wl_demand_gen *gen(const wl_demand_params *p, uint64_t interval_ns,
			  uint64_t seed)
{
	gsl_rng *r = sim_rng_stream(seed, "workload/demand");
	wl_demand_gen *g = wl_demand_create(p, interval_ns, r);
	gsl_rng_free(r);
	return g;
}

/* Mean and variance of a field over intervals [0, n). */
typedef struct moments {
	double mean, var;
} moments;

static moments measure(const wl_demand_gen *g, uint64_t n,
		       double (*field)(const wl_demand *))
{
	double sum = 0, sq = 0;
	for (uint64_t i = 0; i < n; i++) {
		wl_demand x;
		wl_demand_at(g, i, &x);
		double v = field(&x);
		sum += v;
		sq += v * v;
	}
	moments m = {sum / (double)n, 0};
	m.var = sq / (double)n - m.mean * m.mean;
	return m;
}

static double f_rate(const wl_demand *x) { return x->arrival_rate; }
static double f_cpu(const wl_demand *x) { return x->cpu; }
static double f_mem(const wl_demand *x) { return x->mem_bytes; }
static double f_net(const wl_demand *x) { return x->net_Bps; }

Test(demand_table, the_table_is_sound_and_listed_by_wl_sections)
{
	cfg_section_check(&wl_demand_section);
	const cfg_section *const *s = wl_sections();
	bool found = false;
	for (size_t i = 0; s[i]; i++)
		found |= s[i] == &wl_demand_section;
	cr_assert(found);
	cr_assert(eq(str, (char *)wl_demand_section.path, STR("vms[].demand")));
	wl_demand_params p = defaults("web");
	cr_assert(eq(u64, p.period_ns, 24 * H_NS));
	cr_assert(eq(u64, p.service_ns, 5000000));
	cr_assert(eq(dbl, p.rate, 100));
	cr_assert(eq(u64, p.request_bytes, 16384));
}

/* ------------------------------------------------------------------------
 * Means against closed forms
 * ------------------------------------------------------------------------ */

/* 30 days at 5 minutes: 8640 intervals, whole periods. The noise makes
 * each sample v_i = m_i · N_i with E[N] = 1 and Var N = cv², so the
 * sample mean's standard deviation is at most max(m_i)·cv/√n; the
 * cosine terms sum to 0 exactly over whole periods. Bounds are 6 σ. */
#define N_INT 8640
#define INTERVAL (300 * S_NS)

Test(demand_web, the_mean_rate_cpu_and_network_match_the_closed_form)
{
	wl_demand_params p = defaults("web");
	/* 10 days of 10 s intervals: 6 σ is 0.31 req/s, below the 0.5 req/s
	 * that a noise of mean e^{σ²/2} instead of 1 would add. */
	const uint64_t n10 = 86400;
	wl_demand_gen *g = gen(&p, 10 * S_NS, 42);
	wl_demand want;
	wl_demand_mean(&p, &want);
	cr_assert(eq(dbl, want.cpu, 0.5));
	double sd = p.rate * (1 + p.amplitude) * p.noise_cv / sqrt(n10);
	moments r = measure(g, n10, f_rate);
	cr_assert(fabs(r.mean - p.rate) < 6 * sd, "mean rate %g", r.mean);
	moments c = measure(g, n10, f_cpu);
	cr_assert(fabs(c.mean - 0.5) < 6 * sd * 0.005, "mean cpu %g", c.mean);
	moments n = measure(g, n10, f_net);
	cr_assert(fabs(n.mean - want.net_Bps) < 6 * sd * 16384);
	/* Without noise, the variance is the cosine's: rate² · A² / 2. */
	p.noise_cv = 0;
	wl_demand_gen *q = gen(&p, INTERVAL, 42);
	moments z = measure(q, N_INT, f_rate);
	cr_assert(fabs(z.mean - 100) < 1e-9, "%g", z.mean);
	cr_assert(fabs(z.var - 100.0 * 100 * 0.25 / 2) < 1e-6, "%g", z.var);
	wl_demand_destroy(q);
	wl_demand_destroy(g);
}

Test(demand_web, the_profile_peaks_at_the_peak_and_bottoms_half_a_period_later)
{
	wl_demand_params p = defaults("web");
	p.noise_cv = 0;
	/* 10 minute intervals: intervals 83 and 84 are centred 5 minutes
	 * either side of the 14:00 peak. */
	wl_demand_gen *g = gen(&p, 600 * S_NS, 7);
	wl_demand x;
	double best = 0;
	uint64_t at = 0;
	for (uint64_t i = 0; i < 144; i++) {
		wl_demand_at(g, i, &x);
		if (x.arrival_rate > best) {
			best = x.arrival_rate;
			at = i;
		}
	}
	cr_assert(at == 83 || at == 84, "peak at interval %lu", at);
	cr_assert(fabs(best - 100 * (1 + 0.5 * cos(2 * M_PI * 300 / 86400))) <
		  1e-9);
	wl_demand_at(g, 83 + 72, &x); /* 12 h later: the trough */
	cr_assert(fabs(x.arrival_rate - 100 * (1 - 0.5 * cos(2 * M_PI * 300 /
							       86400))) < 1e-9);
	/* The grey-box statistics of an interval. */
	cr_assert(fabs(x.cpu - x.arrival_rate * 0.005) < 1e-12);
	cr_assert(eq(dbl, x.service_s, 0.005));
	cr_assert(fabs(x.service_var_s2 - 0.005 * 0.005) < 1e-18);
	cr_assert(fabs(x.arrival_var_s2 * x.arrival_rate * x.arrival_rate - 1) <
		  1e-12);
	cr_assert(eq(dbl, x.mem_bytes, 512.0 * 1048576));
	wl_demand_destroy(g);
}

Test(demand_memory, the_mean_working_set_matches_the_trapezoid)
{
	wl_demand_params p = defaults("memory");
	wl_demand want;
	wl_demand_mean(&p, &want);
	/* 512 MiB + 1.5 GiB · (0.5 + 2 + 0.5)/6 = 1280 MiB. */
	cr_assert(fabs(want.mem_bytes - 1280.0 * 1048576) < 1e-3);
	p.noise_cv = 0;
	wl_demand_gen *g = gen(&p, INTERVAL, 1);
	moments m = measure(g, 72, f_mem); /* one 6 h cycle */
	cr_assert(fabs(m.mean - want.mem_bytes) < 1, "%g", m.mean);
	wl_demand x;
	wl_demand_at(g, 0, &x); /* 150 s into the growth */
	cr_assert(fabs(x.mem_bytes - (512 + 1536.0 * 150 / 3600) * 1048576) <
		  1e-3);
	wl_demand_at(g, 20, &x); /* in the hold */
	cr_assert(eq(dbl, x.mem_bytes, 2048.0 * 1048576));
	wl_demand_at(g, 70, &x); /* idle */
	cr_assert(eq(dbl, x.mem_bytes, 512.0 * 1048576));
	wl_demand_at(g, 72 * 1000 + 20, &x); /* 1000 cycles later */
	cr_assert(eq(dbl, x.mem_bytes, 2048.0 * 1048576));
	cr_assert(eq(dbl, x.cpu, 0.1));
	wl_demand_destroy(g);
	/* With noise: the mean over 120 cycles within 6 σ. */
	p.noise_cv = 0.1;
	g = gen(&p, INTERVAL, 3);
	m = measure(g, N_INT, f_mem);
	double sd = 2048.0 * 1048576 * 0.1 / sqrt(N_INT);
	cr_assert(fabs(m.mean - want.mem_bytes) < 6 * sd, "%g", m.mean);
	wl_demand_destroy(g);
}

Test(demand_network, the_mean_rate_includes_the_bursts)
{
	wl_demand_params p = defaults("network");
	wl_demand want;
	wl_demand_mean(&p, &want);
	/* (200 + 0.05 · 600) Mbit/s = 230 Mbit/s = 28.75e6 B/s. */
	cr_assert(fabs(want.net_Bps - 28.75e6) < 1e-6);
	wl_demand_gen *g = gen(&p, INTERVAL, 9);
	moments m = measure(g, N_INT, f_net);
	double base = 200e6 / 8 * 1.5 * 0.1, burst = 600e6 / 8;
	double sd = sqrt(base * base + burst * burst * 0.05 * 0.95) /
		    sqrt(N_INT);
	cr_assert(fabs(m.mean - want.net_Bps) < 6 * sd, "%g", m.mean);
	/* Bursts: about 5 % of intervals; binomial bound at 6 σ. */
	p.noise_cv = 0;
	p.amplitude = 0;
	wl_demand_gen *q = gen(&p, INTERVAL, 9);
	unsigned bursts = 0;
	for (uint64_t i = 0; i < N_INT; i++) {
		wl_demand x;
		wl_demand_at(q, i, &x);
		cr_assert(x.net_Bps == 25e6 || x.net_Bps == 100e6, "%g",
			  x.net_Bps);
		bursts += x.net_Bps > 25e6;
	}
	double bsd = sqrt(N_INT * 0.05 * 0.95);
	cr_assert(fabs(bursts - N_INT * 0.05) < 6 * bsd, "%u bursts", bursts);
	wl_demand_destroy(q);
	wl_demand_destroy(g);
}

/* ------------------------------------------------------------------------
 * Determinism and random access
 * ------------------------------------------------------------------------ */

Test(demand_determinism, the_same_seed_gives_the_same_series_in_any_order)
{
	for (int k = WL_DEMAND_WEB; k <= WL_DEMAND_NETWORK; k++) {
		static const char *const kinds[] = {"web", "memory", "network"};
		wl_demand_params p = defaults(kinds[k]);
		wl_demand_gen *a = gen(&p, 10 * S_NS, 5);
		wl_demand_gen *b = gen(&p, 10 * S_NS, 5);
		wl_demand_gen *c = gen(&p, 10 * S_NS, 6);
		unsigned differ = 0;
		for (uint64_t i = 0; i < 1000; i++) {
			wl_demand x, y, z, w;
			wl_demand_at(a, i, &x);
			wl_demand_at(b, 999 - i, &w); /* backwards */
			wl_demand_at(b, i, &y);
			wl_demand_at(c, i, &z);
			cr_assert(eq(int, memcmp(&x, &y, sizeof x), 0), "interval %lu", i);
			differ += memcmp(&x, &z, sizeof x) != 0;
			(void)w;
		}
		cr_assert(gt(u32, differ, 900), "%s: %u", kinds[k], differ);
		wl_demand_destroy(a);
		wl_demand_destroy(b);
		wl_demand_destroy(c);
	}
	wl_demand_destroy(NULL);
}

Test(demand_determinism, any_interval_of_a_long_run_is_read_in_constant_time)
{
	wl_demand_params p = defaults("web");
	p.noise_cv = 0;
	wl_demand_gen *g = gen(&p, 10 * S_NS, 5);
	wl_demand x, y;
	/* 8640 intervals of 10 s are a day: the profile repeats. */
	wl_demand_at(g, 1234, &x);
	wl_demand_at(g, 1234 + UINT64_C(8640) * 1000000000, &y);
	cr_assert(eq(dbl, x.arrival_rate, y.arrival_rate));
	wl_demand_at(g, UINT64_MAX, &y);
	cr_assert(isfinite(y.arrival_rate) && y.arrival_rate >= 50 &&
		  y.arrival_rate <= 150);
	wl_demand_destroy(g);
}

/* ------------------------------------------------------------------------
 * Response time
 * ------------------------------------------------------------------------ */

Test(demand_response, kingman_is_exact_for_m_m_1_and_infinite_at_saturation)
{
	for (double rho = 0.05; rho < 0.99; rho += 0.07) {
		double s = 0.01, lambda = rho / s;
		cr_assert(fabs(wl_gg1_response_s(lambda, s, 1, 1) -
			       s / (1 - rho)) < 1e-12);
	}
	/* D/D/1: no waiting. */
	cr_assert(eq(dbl, wl_gg1_response_s(50, 0.01, 0, 0), 0.01));
	cr_assert(isinf(wl_gg1_response_s(100, 0.01, 1, 1)));
	cr_assert(isinf(wl_gg1_response_s(200, 0.01, 1, 1)));
}

Test(demand_response, oracle_10_numbers_give_the_sla_response_time)
{
	/* Sandpiper oracle 10: d = 1 s, s = 0.2 s, σa² = σb² = 0.04 s²
	 * give λ_cap = 4 req/s by the heavy-traffic inverse, whose response
	 * time at λ_cap is exactly d. Kingman's form, which the generator
	 * reports, at λ = 4: ρ = 0.8, ca² = 0.04·16 = 0.64, cs² = 0.04/0.04
	 * = 1, so R = 0.2 + (0.8/0.2)·(1.64/2)·0.2 = 0.856 s. The two
	 * differ away from saturation and agree as ρ → 1. */
	wl_demand x = {.arrival_rate = 4, .arrival_var_s2 = 0.04,
		       .service_s = 0.2, .service_var_s2 = 0.04};
	cr_assert(fabs(wl_demand_response_s(&x, 1) - 0.856) < 1e-12,
		  "%g", wl_demand_response_s(&x, 1));
	/* Half the allocation doubles service times: ρ = 1.6, saturated. */
	cr_assert(isinf(wl_demand_response_s(&x, 0.5)));
	/* Twice the allocation: s = 0.1, ρ = 0.4, cs² still 1. */
	cr_assert(fabs(wl_demand_response_s(&x, 2) -
		       (0.1 + 0.4 / 0.6 * 0.82 * 0.1)) < 1e-12);
	wl_demand none = {0};
	cr_assert(eq(dbl, wl_demand_response_s(&none, 1), 0));
}

Test(demand_response, the_web_default_at_its_peak_stays_finite)
{
	wl_demand_params p = defaults("web");
	p.noise_cv = 0;
	wl_demand_gen *g = gen(&p, 600 * S_NS, 1);
	wl_demand x;
	wl_demand_at(g, 84, &x); /* near 14:00, ρ ≈ 0.75 */
	double r = wl_demand_response_s(&x, 1);
	double rho = x.cpu;
	cr_assert(fabs(r - 0.005 / (1 - rho)) < 1e-12, "%g", r);
	cr_assert(gt(dbl, r, 0.0195));
	wl_demand_destroy(g);
}

/* ------------------------------------------------------------------------
 * Checks
 * ------------------------------------------------------------------------ */

static void load_refused(const char *yaml, const char *want)
{
	cfg_doc *doc;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("t.yaml", yaml, strlen(yaml), &doc, &d),
		     0));
	wl_demand_params p;
	int rc = wl_demand_params_load(cfg_map_get(cfg_doc_root(doc), "demand"),
				       cfg_doc_root(doc), &p, &d);
	cr_assert(eq(int, rc, SIM_EINPUT));
	cr_assert(eq(str, d.text, STR(want)));
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

Test(demand_checks, bad_parameters_are_refused_with_positions)
{
	load_refused("demand: {kind: web, peak: 25h}\n",
		     "t.yaml:1:9: vms[].demand: peak 90000000000000 ns is not "
		     "within the period of 86400000000000 ns (expected peak < "
		     "period)\n");
	load_refused("demand: {kind: memory, mem_base: 4GiB}\n",
		     "t.yaml:1:9: vms[].demand: mem_peak 2147483648 B is below "
		     "mem_base 4294967296 B (expected mem_peak >= mem_base)\n");
	load_refused("demand: {kind: memory, grow: 0s, hold: 0s, shrink: 0s, "
		     "idle: 0s}\n",
		     "t.yaml:1:9: vms[].demand: a memory cycle of grow + hold + "
		     "shrink + idle = 0 ns (expected 1 ns to 2^64 - 2 ns)\n");
	load_refused("demand: {kind: disk}\n",
		     "t.yaml:1:16: vms[].demand.kind: expected one of web, "
		     "memory, network, got 'disk'\n");
}

Test(demand_checks, a_struct_built_in_code_is_checked_too)
{
	wl_demand_params p = defaults("web");
	p.amplitude = NAN;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, wl_demand_check(&p, "vm web1", &d), SIM_EINPUT));
	cr_assert(eq(str, d.text,
		     STR("vm web1: amplitude nan is out of range (expected 0 "
			 "to 1)\n")));
	sim_diag_fini(&d);
}

Test(demand_checks, creating_from_bad_parameters_panics, .signal = SIGABRT)
{
	wl_demand_params p = defaults("web");
	p.kind = 7;
	gen(&p, S_NS, 1);
}
