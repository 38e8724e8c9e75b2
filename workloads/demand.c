/* SPDX-License-Identifier: MIT */
/*
 * Resource-demand generators: a web server, a memory-hungry VM and a
 * network-heavy VM, read per monitoring interval in O(1) and in any order
 * (each interval's noise is a hash of the generator's key and the
 * interval), their parameter table, checks and closed-form means, and the
 * G/G/1 response time of the web kind. workloads/README.md gives the
 * reasoning behind every default.
 */
#include "wl_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

__extension__ typedef unsigned __int128 u128;

/* ------------------------------------------------------------------------
 * Parameter table
 * ------------------------------------------------------------------------ */

static const char *const kind_names[] = {"web", "memory", "network", NULL};

/* Every default is our choice, not a measured figure (no source in
 * docs/references.md gives one); workloads/README.md says why each. */
static const cfg_param demand_params[] = {
	{"kind", CFG_T_ENUM, NULL, NULL, NULL, kind_names,
	 offsetof(wl_demand_params, kind),
	 "what drives the demand: web, memory or network"},
	{"period", CFG_T_TIME, "24h", "1s", "8760h", NULL,
	 offsetof(wl_demand_params, period_ns),
	 "web, network: length of the daily profile (a diurnal cycle)"},
	{"peak", CFG_T_TIME, "14h", "0s", "8760h", NULL,
	 offsetof(wl_demand_params, peak_ns),
	 "web, network: time of the profile's peak within the period "
	 "(an afternoon peak; below period)"},
	{"amplitude", CFG_T_FLOAT, "0.5", "0", "1", NULL,
	 offsetof(wl_demand_params, amplitude),
	 "web, network: relative amplitude of the daily cosine (0.5: the "
	 "peak is 3 times the trough)"},
	{"noise_cv", CFG_T_FLOAT, "0.1", "0", "2", NULL,
	 offsetof(wl_demand_params, noise_cv),
	 "coefficient of variation of the lognormal noise (mean 1) drawn "
	 "per interval on the rate or working set"},
	{"rate", CFG_T_FLOAT, "100", "0", "1e7", NULL,
	 offsetof(wl_demand_params, rate),
	 "web: mean arrival rate over the period (requests/s)"},
	{"service_time", CFG_T_TIME, "5ms", "1us", "1h", NULL,
	 offsetof(wl_demand_params, service_ns),
	 "web: mean service time at the VM's full CPU allocation (100 req/s "
	 "x 5 ms: half the allocation on average, 0.75 at the peak)"},
	{"service_cv", CFG_T_FLOAT, "1", "0", "10", NULL,
	 offsetof(wl_demand_params, service_cv),
	 "web: coefficient of variation of service times (1: exponential)"},
	{"arrival_cv", CFG_T_FLOAT, "1", "0", "10", NULL,
	 offsetof(wl_demand_params, arrival_cv),
	 "web: coefficient of variation of inter-arrival times (1: Poisson)"},
	{"request_bytes", CFG_T_BYTES, "16KiB", "0", "1GiB", NULL,
	 offsetof(wl_demand_params, request_bytes),
	 "web: network bytes sent and received per request (a small web "
	 "object)"},
	{"sla", CFG_T_TIME, "0s", "0s", "1h", NULL,
	 offsetof(wl_demand_params, sla_ns),
	 "web: mean response-time target (SLA) the application's log is "
	 "checked against in grey-box mode; 0s: none"},
	{"mem_base", CFG_T_BYTES, "512MiB", "0", "16TiB", NULL,
	 offsetof(wl_demand_params, mem_base_bytes),
	 "working set of every kind; the memory kind's lowest"},
	{"mem_peak", CFG_T_BYTES, "2GiB", "0", "16TiB", NULL,
	 offsetof(wl_demand_params, mem_peak_bytes),
	 "memory: working set at the top of each cycle (at least mem_base)"},
	{"grow", CFG_T_TIME, "1h", "0s", "8760h", NULL,
	 offsetof(wl_demand_params, grow_ns),
	 "memory: time the working set takes to grow from mem_base to "
	 "mem_peak"},
	{"hold", CFG_T_TIME, "2h", "0s", "8760h", NULL,
	 offsetof(wl_demand_params, hold_ns),
	 "memory: time it stays at mem_peak"},
	{"shrink", CFG_T_TIME, "1h", "0s", "8760h", NULL,
	 offsetof(wl_demand_params, shrink_ns),
	 "memory: time it takes to shrink back to mem_base"},
	{"idle", CFG_T_TIME, "2h", "0s", "8760h", NULL,
	 offsetof(wl_demand_params, idle_ns),
	 "memory: time it stays at mem_base before the next cycle"},
	{"net_rate", CFG_T_RATE, "200Mbit/s", "0bit/s", "1Tbit/s", NULL,
	 offsetof(wl_demand_params, net_rate_bps),
	 "network: mean transfer rate of the daily profile (a fifth of a "
	 "1 Gbit/s NIC)"},
	{"burst_rate", CFG_T_RATE, "600Mbit/s", "0bit/s", "1Tbit/s", NULL,
	 offsetof(wl_demand_params, burst_rate_bps),
	 "network: extra transfer rate during a burst"},
	{"burst_prob", CFG_T_PERCENT, "5%", "0%", "100%", NULL,
	 offsetof(wl_demand_params, burst_prob),
	 "network: probability that an interval carries a burst"},
	{"cpu", CFG_T_PERCENT, "10%", "0%", "10000%", NULL,
	 offsetof(wl_demand_params, cpu),
	 "memory, network: CPU demand as a share of the VM's allocation"},
};

const cfg_section wl_demand_section = {
	"vms[].demand",
	"synthetic CPU, memory and network demand of a VM, per monitoring "
	"interval",
	demand_params,
	sizeof demand_params / sizeof demand_params[0],
	NULL,
};

/* ------------------------------------------------------------------------
 * Checks
 * ------------------------------------------------------------------------ */

static uint64_t cycle_ns(const wl_demand_params *p)
{
	uint64_t c = p->grow_ns;
	const uint64_t parts[] = {p->hold_ns, p->shrink_ns, p->idle_ns};
	for (int i = 0; i < 3; i++)
		c = parts[i] > UINT64_MAX - c ? UINT64_MAX : c + parts[i];
	return c;
}

static bool in(double x, double lo, double hi)
{
	return x >= lo && x <= hi; /* false for NaN */
}

/* Writes the first problem of p into msg and returns true, or returns
 * false. The ranges repeat the table's so that a struct built in code is
 * held to the same rules as a config. */
static bool problem(const wl_demand_params *p, char *msg, size_t n)
{
	if (p->kind < WL_DEMAND_WEB || p->kind > WL_DEMAND_NETWORK)
		snprintf(msg, n, "unknown demand kind %d (expected web, memory "
				 "or network)", p->kind);
	else if (p->period_ns == 0)
		snprintf(msg, n, "a period of 0 (expected at least 1s)");
	else if (p->peak_ns >= p->period_ns)
		snprintf(msg, n, "peak %" PRIu64 " ns is not within the period of "
				 "%" PRIu64 " ns (expected peak < period)",
			 p->peak_ns, p->period_ns);
	else if (!in(p->amplitude, 0, 1))
		snprintf(msg, n, "amplitude %g is out of range (expected 0 to 1)",
			 p->amplitude);
	else if (!in(p->noise_cv, 0, 2))
		snprintf(msg, n, "noise_cv %g is out of range (expected 0 to 2)",
			 p->noise_cv);
	else if (!in(p->rate, 0, 1e7))
		snprintf(msg, n, "rate %g is out of range (expected 0 to 1e7 "
				 "requests/s)", p->rate);
	else if (p->kind == WL_DEMAND_WEB && p->service_ns == 0)
		snprintf(msg, n, "a service time of 0 (expected at least 1us)");
	else if (!in(p->service_cv, 0, 10) || !in(p->arrival_cv, 0, 10))
		snprintf(msg, n, "service_cv %g or arrival_cv %g is out of range "
				 "(expected 0 to 10)",
			 p->service_cv, p->arrival_cv);
	else if (p->mem_peak_bytes < p->mem_base_bytes &&
		 p->kind == WL_DEMAND_MEMORY)
		snprintf(msg, n, "mem_peak %" PRIu64 " B is below mem_base %" PRIu64
				 " B (expected mem_peak >= mem_base)",
			 p->mem_peak_bytes, p->mem_base_bytes);
	else if (p->kind == WL_DEMAND_MEMORY &&
		 (cycle_ns(p) == 0 || cycle_ns(p) == UINT64_MAX))
		snprintf(msg, n, "a memory cycle of grow + hold + shrink + idle = "
				 "%" PRIu64 " ns (expected 1 ns to 2^64 - 2 ns)",
			 cycle_ns(p));
	else if (!in(p->burst_prob, 0, 1))
		snprintf(msg, n, "burst_prob %g is out of range (expected 0%% to "
				 "100%%)", p->burst_prob);
	else if (!in(p->cpu, 0, 100))
		snprintf(msg, n, "cpu %g is out of range (expected 0%% to "
				 "10000%%)", p->cpu);
	else
		return false;
	return true;
}

int wl_demand_check(const wl_demand_params *p, const char *what,
		    sim_diag *d)
{
	char msg[256];
	if (!problem(p, msg, sizeof msg))
		return 0;
	sim_diag_error(d, what, 0, 0, "%s", msg);
	return SIM_EINPUT;
}

int wl_demand_params_load(const cfg_node *n, const cfg_node *where,
			  wl_demand_params *out, sim_diag *d)
{
	memset(out, 0, sizeof *out);
	int rc = cfg_section_load(&wl_demand_section, n, where, out, d);
	if (rc)
		return rc;
	char msg[256];
	if (!problem(out, msg, sizeof msg))
		return 0;
	cfg_error(d, n ? n : where, "%s: %s", wl_demand_section.path, msg);
	return SIM_EINPUT;
}

/* ------------------------------------------------------------------------
 * Generators
 * ------------------------------------------------------------------------ */

struct wl_demand_gen {
	wl_demand_params p;
	uint64_t interval_ns;
	uint64_t key;
	uint64_t cycle_ns;   /* memory */
	double sigma, mu;    /* lognormal noise: exp(sigma·Z + mu) */
};

wl_demand_gen *wl_demand_create(const wl_demand_params *p,
				uint64_t interval_ns, gsl_rng *rng)
{
	char msg[256];
	if (problem(p, msg, sizeof msg))
		sim_panic("wl_demand_create: %s", msg);
	if (interval_ns == 0)
		sim_panic("wl_demand_create: an interval of 0 ns");
	if (gsl_rng_max(rng) - gsl_rng_min(rng) != UINT32_MAX)
		sim_panic("wl_demand_create: rng %s does not draw 32 bits",
			  gsl_rng_name(rng));
	wl_demand_gen *g = sim_xcalloc(1, sizeof *g);
	g->p = *p;
	g->interval_ns = interval_ns;
	uint64_t hi = gsl_rng_get(rng) - gsl_rng_min(rng);
	uint64_t lo = gsl_rng_get(rng) - gsl_rng_min(rng);
	g->key = hi << 32 | lo;
	g->cycle_ns = cycle_ns(p);
	/* A lognormal of mean 1 and coefficient of variation cv:
	 * σ² = ln(1 + cv²), μ = −σ²/2. */
	double s2 = log1p(p->noise_cv * p->noise_cv);
	g->sigma = sqrt(s2);
	g->mu = -s2 / 2;
	return g;
}

void wl_demand_destroy(wl_demand_gen *g)
{
	free(g);
}

/* A uniform draw in (0, 1) for interval i and purpose j: SplitMix64 of
 * the key mixed with (i, j), its top 53 bits centred in their cell so
 * that neither 0 nor 1 comes out. */
static double uniform(const wl_demand_gen *g, uint64_t i, unsigned j)
{
	uint64_t h = sim_splitmix64(g->key ^ sim_splitmix64(4 * i + j + 1));
	h = sim_splitmix64(h + UINT64_C(0x9e3779b97f4a7c15));
	return ((double)(h >> 11) + 0.5) * 0x1p-53;
}

static double noise(const wl_demand_gen *g, uint64_t i)
{
	if (g->sigma == 0)
		return 1;
	return exp(g->sigma * gsl_cdf_ugaussian_Pinv(uniform(g, i, 0)) +
		   g->mu);
}

/* 1 + amplitude · cos(2π (t − peak)/period) at the middle of interval i;
 * the phase is reduced in integers so that it stays exact for any i. */
static double daily(const wl_demand_gen *g, uint64_t mid_mod)
{
	const wl_demand_params *p = &g->p;
	uint64_t off = (mid_mod + p->period_ns - p->peak_ns) % p->period_ns;
	return 1 + p->amplitude *
			   cos(2 * M_PI * ((double)off / (double)p->period_ns));
}

/* The middle of interval i modulo m, (i + 1/2)·interval mod m, rounded
 * down, without overflow for any i. */
static uint64_t mid_mod(const wl_demand_gen *g, uint64_t i, uint64_t m)
{
	uint64_t t = (uint64_t)((u128)(i % m) * g->interval_ns % m);
	return (uint64_t)(((u128)t + g->interval_ns / 2) % m);
}

static double working_set(const wl_demand_gen *g, uint64_t tau)
{
	const wl_demand_params *p = &g->p;
	double base = (double)p->mem_base_bytes;
	double span = (double)p->mem_peak_bytes - base;
	if (tau < p->grow_ns)
		return base + span * ((double)tau / (double)p->grow_ns);
	tau -= p->grow_ns;
	if (tau < p->hold_ns)
		return base + span;
	tau -= p->hold_ns;
	if (tau < p->shrink_ns)
		return base + span * (1 - (double)tau / (double)p->shrink_ns);
	return base;
}

void wl_demand_at(const wl_demand_gen *g, uint64_t i, wl_demand *out)
{
	const wl_demand_params *p = &g->p;
	memset(out, 0, sizeof *out);
	out->mem_bytes = (double)p->mem_base_bytes;
	switch (p->kind) {
	case WL_DEMAND_WEB: {
		double lambda = p->rate * daily(g, mid_mod(g, i, p->period_ns)) *
				noise(g, i);
		double s = (double)p->service_ns / 1e9;
		out->arrival_rate = lambda;
		out->service_s = s;
		out->service_var_s2 = p->service_cv * s * p->service_cv * s;
		out->arrival_var_s2 =
			lambda > 0 ? p->arrival_cv * p->arrival_cv /
					     (lambda * lambda)
				   : 0;
		out->cpu = lambda * s;
		out->net_Bps = lambda * (double)p->request_bytes;
		break;
	}
	case WL_DEMAND_MEMORY:
		out->cpu = p->cpu;
		out->mem_bytes = working_set(g, mid_mod(g, i, g->cycle_ns)) *
				 noise(g, i);
		break;
	case WL_DEMAND_NETWORK: {
		double bps = (double)p->net_rate_bps *
			     daily(g, mid_mod(g, i, p->period_ns)) * noise(g, i);
		if (uniform(g, i, 1) < p->burst_prob)
			bps += (double)p->burst_rate_bps;
		out->cpu = p->cpu;
		out->net_Bps = bps / 8;
		break;
	}
	default:
		sim_panic("wl_demand_at: kind %d", p->kind);
	}
}

void wl_demand_mean(const wl_demand_params *p, wl_demand *out)
{
	memset(out, 0, sizeof *out);
	out->mem_bytes = (double)p->mem_base_bytes;
	double s = (double)p->service_ns / 1e9;
	switch (p->kind) {
	case WL_DEMAND_WEB:
		out->arrival_rate = p->rate;
		out->service_s = s;
		out->service_var_s2 = p->service_cv * s * p->service_cv * s;
		out->cpu = p->rate * s;
		out->net_Bps = p->rate * (double)p->request_bytes;
		break;
	case WL_DEMAND_MEMORY: {
		double span = (double)p->mem_peak_bytes -
			      (double)p->mem_base_bytes;
		double up = (double)p->grow_ns / 2 + (double)p->hold_ns +
			    (double)p->shrink_ns / 2;
		out->cpu = p->cpu;
		out->mem_bytes += span * up / (double)cycle_ns(p);
		break;
	}
	case WL_DEMAND_NETWORK:
		out->cpu = p->cpu;
		out->net_Bps = ((double)p->net_rate_bps +
				p->burst_prob * (double)p->burst_rate_bps) /
			       8;
		break;
	default:
		sim_panic("wl_demand_mean: kind %d", p->kind);
	}
}

/* ------------------------------------------------------------------------
 * Response time
 * ------------------------------------------------------------------------ */

double wl_gg1_response_s(double lambda, double s, double ca2, double cs2)
{
	double rho = lambda * s;
	if (!(rho < 1))
		return INFINITY;
	return s + rho / (1 - rho) * (ca2 + cs2) / 2 * s;
}

double wl_demand_response_s(const wl_demand *d, double share)
{
	if (d->service_s <= 0 || d->arrival_rate <= 0)
		return d->service_s > 0 && share > 0 ? d->service_s / share : 0;
	if (!(share > 0))
		return INFINITY;
	double s = d->service_s / share;
	/* The squared coefficients of variation do not change when every
	 * service time is stretched by the same factor. */
	double cs2 = d->service_var_s2 / (d->service_s * d->service_s);
	double ca2 = d->arrival_var_s2 * d->arrival_rate * d->arrival_rate;
	return wl_gg1_response_s(d->arrival_rate, s, ca2, cs2);
}
