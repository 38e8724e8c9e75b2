/* SPDX-License-Identifier: MIT */
/*
 * The machine's sampled mode (cpu.h, "Sampled mode"): systematic windows
 * of a generated stream run in detail, the rest skipped without being
 * generated, the results extrapolated per phase of the stream. The
 * sampling follows SMARTS [Wunderlich03 in docs/references.md]; the
 * estimator is stratified by phase because the skip knows each phase's
 * instruction count exactly, so that only the within-phase cost per
 * instruction is estimated.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "cpu.h"

#define NFIELDS (sizeof(cpu_results) / sizeof(uint64_t))
_Static_assert(sizeof(cpu_results) % sizeof(uint64_t) == 0,
	       "cpu_results is made of uint64_t");

/* The measurement of one window: per phase, instructions and cycles. */
typedef struct win {
	uint64_t insns[WL_STREAM_PHASES];
	uint64_t cycles[WL_STREAM_PHASES];
} win;

void cpu_sample_defaults(cpu_sample_params *p)
{
	p->window = 1000;
	p->warmup = 2000;
	p->period = 400000;
	p->confidence = 0.95;
}

static void fields(const cpu_results *r, uint64_t *f)
{
	memcpy(f, r, sizeof *r);
}

/* Runs k instructions of g on v in detail, by phase; when w is not NULL
 * each phase's instructions, cycles and every result field are added to
 * w and sum[phase]. */
static void detailed(cpu_vcpu *v, wl_stream *g, uint64_t k, trace_insn *buf,
		     size_t cap, win *w, double (*sum)[NFIELDS])
{
	while (k) {
		unsigned ph;
		size_t got = wl_stream_fill_phase(g, buf,
						  k < cap ? (size_t)k : cap,
						  &ph);
		uint64_t a[NFIELDS], b[NFIELDS];
		if (w)
			fields(cpu_vcpu_results(v), a);
		cpu_vcpu_run(v, buf, got);
		k -= got;
		if (!w)
			continue;
		fields(cpu_vcpu_results(v), b);
		for (size_t f = 0; sum && f < NFIELDS; f++)
			sum[ph][f] += (double)(b[f] - a[f]);
		cpu_results ra, rb;
		memcpy(&ra, a, sizeof ra);
		memcpy(&rb, b, sizeof rb);
		w->insns[ph] += got;
		w->cycles[ph] += cpu_results_cycles(&rb) -
				 cpu_results_cycles(&ra);
	}
}

/* The per-phase estimate of total cycles from the windows' sums tot,
 * less window x (NULL: none): Σ_p N_p · C_p / I_p, phases no window saw
 * at the overall ratio. */
static double estimate(const win *tot, const win *x, const uint64_t *np)
{
	double ci[WL_STREAM_PHASES], cc[WL_STREAM_PHASES];
	double ti = 0, tc = 0;
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++) {
		ci[p] = (double)(tot->insns[p] - (x ? x->insns[p] : 0));
		cc[p] = (double)(tot->cycles[p] - (x ? x->cycles[p] : 0));
		ti += ci[p];
		tc += cc[p];
	}
	double all = ti > 0 ? tc / ti : 0, est = 0;
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++)
		est += (double)np[p] * (ci[p] > 0 ? cc[p] / ci[p] : all);
	return est;
}

void cpu_sample_run(cpu_vcpu *v, wl_stream *g, uint64_t n,
		    const cpu_sample_params *pp, cpu_sample_result *out)
{
	cpu_sample_params p;
	if (pp)
		p = *pp;
	else
		cpu_sample_defaults(&p);
	if (!p.window || p.period < p.window + p.warmup ||
	    !(p.confidence > 0 && p.confidence < 1))
		sim_panic("cpu_sample_run: window %llu, warm-up %llu, period "
			  "%llu, confidence %g (expected window > 0, period "
			  ">= window + warm-up, confidence in (0, 1))",
			  (unsigned long long)p.window,
			  (unsigned long long)p.warmup,
			  (unsigned long long)p.period, p.confidence);
	memset(out, 0, sizeof *out);
	uint64_t periods = n / p.period;
	uint64_t *np = out->phase_insns;
	size_t cap = 4096;
	trace_insn *buf = sim_xcalloc(cap, sizeof *buf);
	win *w = sim_xcalloc(periods ? periods : 1, sizeof *w);
	double (*sum)[NFIELDS] = sim_xcalloc(WL_STREAM_PHASES, sizeof *sum);
	for (uint64_t i = 0; i < periods; i++) {
		wl_stream_skip(g, p.period - p.warmup - p.window, np);
		/* What runs in detail counts in its phase too. */
		win warm;
		memset(&warm, 0, sizeof warm);
		detailed(v, g, p.warmup, buf, cap, &warm, NULL);
		for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++)
			np[ph] += warm.insns[ph];
		detailed(v, g, p.window, buf, cap, &w[i], sum);
		for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++)
			np[ph] += w[i].insns[ph];
	}
	wl_stream_skip(g, n - periods * p.period, np);
	out->windows = periods;
	out->detailed = periods * (p.warmup + p.window);

	/* Per-phase ratios, and the fields extrapolated with them. */
	double ci[WL_STREAM_PHASES] = {0};
	double ti = 0;
	for (uint64_t i = 0; i < periods; i++)
		for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++)
			ci[ph] += (double)w[i].insns[ph];
	for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++)
		ti += ci[ph];
	double estf[NFIELDS] = {0};
	for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++) {
		if (!np[ph])
			continue;
		if (ci[ph] > 0) {
			for (size_t f = 0; f < NFIELDS; f++)
				estf[f] += sum[ph][f] * (double)np[ph] / ci[ph];
			continue;
		}
		out->unmeasured += np[ph];
		if (ti <= 0)
			continue;
		for (unsigned q = 0; q < WL_STREAM_PHASES; q++)
			for (size_t f = 0; f < NFIELDS; f++)
				estf[f] += sum[q][f] * (double)np[ph] / ti;
	}
	uint64_t ef[NFIELDS];
	for (size_t f = 0; f < NFIELDS; f++)
		ef[f] = (uint64_t)llround(estf[f]);
	memcpy(&out->est, ef, sizeof ef);
	/* Counts of instructions are known, not estimated. */
	out->est.insns = n;

	win tot;
	memset(&tot, 0, sizeof tot);
	for (uint64_t i = 0; i < periods; i++)
		for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++) {
			tot.insns[ph] += w[i].insns[ph];
			tot.cycles[ph] += w[i].cycles[ph];
		}
	out->cycles = estimate(&tot, NULL, np);
	out->cpi = n ? out->cycles / (double)n : 0;
	out->cpi_half = out->smarts_half = INFINITY;
	if (periods >= 2) {
		double nn = (double)periods;
		double t = gsl_cdf_tdist_Pinv(0.5 + p.confidence / 2,
					      nn - 1);
		/* Jackknife standard error of the per-phase estimator. */
		double *th = sim_xcalloc(periods, sizeof *th);
		double mean = 0;
		for (uint64_t i = 0; i < periods; i++) {
			th[i] = estimate(&tot, &w[i], np) / (double)n;
			mean += th[i];
		}
		mean /= nn;
		double ss = 0;
		for (uint64_t i = 0; i < periods; i++)
			ss += (th[i] - mean) * (th[i] - mean);
		out->cpi_half = t * sqrt((nn - 1) / nn * ss);
		free(th);
		/* Plain SMARTS: windows' CPI, mean ± t · s / sqrt(n). */
		double m = 0, s2 = 0;
		for (uint64_t i = 0; i < periods; i++) {
			uint64_t c = 0, k = 0;
			for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++) {
				c += w[i].cycles[ph];
				k += w[i].insns[ph];
			}
			double x = (double)c / (double)k;
			double d = x - m;
			m += d / (double)(i + 1);
			s2 += d * (x - m);
		}
		out->smarts_cpi = m;
		out->smarts_half = t * sqrt(s2 / (nn - 1)) / sqrt(nn);
	} else if (periods == 1) {
		uint64_t c = 0;
		for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++)
			c += w[0].cycles[ph];
		out->smarts_cpi = (double)c / (double)p.window;
	}
	free(sum);
	free(w);
	free(buf);
}
