/* SPDX-License-Identifier: MIT */
/*
 * Benchmark of the machine model's detailed mode: abstract instructions
 * per second (thread CPU time) for native and each virtualization mode,
 * over a mixed hand-built stream with a TLB lookup per memory access.
 * Then the sampled mode against the detailed one on every catalog
 * workload (default sampling parameters, VT-x with shadow tables), over
 * 5 x 10^8 instructions, 1,000 windows (the default's cap; K 500,000):
 * with 4 x 10^7 (100 windows) the applications' sampling error (their
 * interval is +-5 % there) hid the estimator's biases, and with 2 x 10^8
 * (500 windows, +-1 to 2 %) a realization could put one past 2 %. Each
 * side's instructions per second (generation included; the sampled
 * side's the median of three runs, which must give the same estimate),
 * their ratio and the sampled estimate's error. Prints figures, never
 * asserts on time. `--quick` runs small sizes as a smoke test, checking
 * only that every instruction was counted and the sampled runs agree.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <math.h>

#include <gsl/gsl_rng.h>

#include "cpu.h"

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next(uint64_t *s)
{
	*s += UINT64_C(0x9e3779b97f4a7c15);
	return sim_splitmix64(*s);
}

/* A user-bound mix (SPEC-like shares: 26 % loads, 12 % stores, 17 %
 * branches, 2 % indirect, the rest ALU) over a 1 MiB working set
 * walked with locality (mostly the same or the next cache line, now and
 * then a jump), a system call every ~2,000 instructions running 100
 * kernel instructions with a few loads, a privileged op and a PTE write,
 * and a context switch between two address spaces every ~50,000. */
static trace_insn *make_stream(size_t n)
{
	trace_insn *in = sim_xcalloc(n, sizeof *in);
	uint64_t s = 42, va = 0x400000;
	size_t i = 0;
	uint16_t asid = 0;
	while (i < n) {
		uint64_t r = next(&s) % 1000;
		trace_insn *x = &in[i++];
		if (r < 260 || (r >= 260 && r < 380)) {
			uint64_t j = next(&s) % 100;
			if (j < 3)
				va = 0x400000 + (next(&s) % 256) * 4096;
			else if (j < 30)
				va += 64;
			if (va >= 0x500000)
				va = 0x400000;
			x->op = r < 260 ? TRACE_OP_LOAD : TRACE_OP_STORE;
			x->va = va;
		} else if (r < 550) {
			x->op = TRACE_OP_BRANCH;
		} else if (r < 570) {
			x->op = TRACE_OP_INDIRECT;
		} else if (r == 999 && next(&s) % 2 == 0 && i + 110 < n) {
			x->op = TRACE_OP_SYSCALL;
			for (int k = 0; k < 100; k++) {
				trace_insn *y = &in[i++];
				y->op = k % 4 == 1 ? TRACE_OP_LOAD : TRACE_OP_ALU;
				y->va = 0xc0000000 + (uint64_t)(k % 8) * 4096;
			}
			in[i - 50].op = TRACE_OP_PRIV;
			in[i - 50].arg = TRACE_PRIV_INTR_OFF;
			in[i - 40].op = TRACE_OP_PTE_WRITE;
			in[i - 40].arg = 1;
			in[i - 40].va = va;
			if (next(&s) % 25 == 0) {
				asid ^= 1;
				in[i - 30].op = TRACE_OP_CTX_SWITCH;
				in[i - 30].asid = asid;
			}
			in[i++].op = TRACE_OP_RETURN;
		} else {
			x->op = TRACE_OP_ALU;
		}
	}
	return in;
}

static wl_stream *stream_of(const wl_stream_params *p)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 11);
	wl_stream *g = wl_stream_create(p, r);
	gsl_rng_free(r);
	return g;
}

#define SBUF 65536

/* Every process's working set and the kernel's data touched once, on
 * both sides: sampled mode estimates a run from a warm state, since
 * windows cannot extrapolate first touches (models/cpu/README.md,
 * "Sampled mode"). The layout is workloads/README.md's. */
static void touch_all(cpu_vcpu *v, const wl_stream_params *p)
{
	const uint64_t ws = UINT64_C(0x10000000);
	const uint64_t kern = UINT64_C(0xffffffff80000000);
	uint64_t large = (uint64_t)(p->large_fraction * (double)p->ws_bytes) /
			 p->large_page * p->large_page;
	uint8_t shift = 0;
	while ((UINT64_C(1) << shift) < p->large_page)
		shift++;
	size_t cap = 4 + (p->kernel_ws_bytes + p->ws_bytes) / p->base_page;
	trace_insn *in = sim_xcalloc(cap, sizeof *in);
	for (uint64_t a = p->processes; a-- > 0;) {
		size_t k = 0;
		memset(in, 0, cap * sizeof *in);
		in[k++].op = TRACE_OP_SYSCALL;
		in[k].op = TRACE_OP_CTX_SWITCH;
		in[k++].asid = (uint16_t)a;
		for (uint64_t o = 0; o < p->kernel_ws_bytes; o += p->base_page) {
			in[k].op = TRACE_OP_LOAD;
			in[k++].va = kern + o;
		}
		in[k++].op = TRACE_OP_RETURN;
		for (uint64_t o = 0; o < p->ws_bytes; o += p->base_page) {
			in[k].op = TRACE_OP_LOAD;
			in[k].va = ws + o;
			in[k++].size = o < large ? shift : 0;
		}
		cpu_vcpu_run(v, in, k);
	}
	free(in);
}

/* The sampled rows so far: how many, how many at least 100 times
 * faster than detailed, how many within 2 %, the largest |error|. */
typedef struct summary {
	int rows, fast, close;
	double worst;
} summary;

/* Sampled runs per row: a run of a fraction of a second is timed three
 * times and the median taken, the host's bursts being of that order;
 * the three must give the same estimate (same seed, same bytes). */
#define SAMPLED_RUNS 3

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One catalog workload, n instructions after a warm-up of w, detailed
 * once and sampled SAMPLED_RUNS times, added to sum; returns 1 if an
 * instruction went uncounted or the sampled runs differed. */
static int sampled_vs_detailed(const cpu_machine *m,
			       const wl_stream_preset *w, uint64_t warm,
			       uint64_t n, const cpu_sample_params *sp,
			       trace_insn *buf, summary *sum)
{
	double t[1 + SAMPLED_RUNS] = {0}, cyc[1 + SAMPLED_RUNS] = {0};
	int bad = 0;
	cpu_sample_result s;
	for (int side = 0; side < 1 + SAMPLED_RUNS; side++) {
		cpu_core *c = cpu_core_create(m);
		mem_vm_geom g = cpu_core_vm_geom(c, 1 << 20);
		mem_vm *vm = mem_vm_create(&g, cpu_core_mfn_counter(c));
		cpu_vcpu *v = cpu_vcpu_create(c, vm, 1, CPU_MODE_HW);
		wl_stream *st = stream_of(&w->params);
		touch_all(v, &w->params);
		for (uint64_t k = warm; k;) {
			size_t b = k < SBUF ? (size_t)k : SBUF;
			wl_stream_fill(st, buf, b);
			cpu_vcpu_run(v, buf, b);
			k -= b;
		}
		cpu_vcpu_reset_results(v);
		double t0 = cpu_seconds();
		if (side == 0) {
			for (uint64_t k = n; k;) {
				size_t b = k < SBUF ? (size_t)k : SBUF;
				wl_stream_fill(st, buf, b);
				cpu_vcpu_run(v, buf, b);
				k -= b;
			}
			cyc[0] = (double)cpu_results_cycles(
				cpu_vcpu_results(v));
			bad |= cpu_vcpu_results(v)->insns != n;
		} else {
			cpu_sample_run(v, st, n, sp, &s);
			cyc[side] = s.cycles;
			bad |= s.est.insns != n;
			bad |= cyc[side] != cyc[1];
		}
		t[side] = cpu_seconds() - t0;
		wl_stream_destroy(st);
		cpu_vcpu_destroy(v);
		mem_vm_destroy(vm);
		cpu_core_destroy(c);
	}
	qsort(t + 1, SAMPLED_RUNS, sizeof *t, cmp_double);
	double ts = t[1 + SAMPLED_RUNS / 2];
	double ips0 = t[0] > 0 ? (double)n / t[0] : 0;
	double ips1 = ts > 0 ? (double)n / ts : 0;
	double ratio = ips0 > 0 ? ips1 / ips0 : 0;
	double err = 100 * (cyc[1] - cyc[0]) / cyc[0];
	printf("%-22s %12.3g %12.3g %8.1f %+9.3f %9.4f %8.4f\n", w->name,
	       ips0, ips1, ratio, err, s.cpi, s.cpi_half);
	sum->rows++;
	sum->fast += ratio >= 100;
	sum->close += fabs(err) <= 2;
	if (fabs(err) > sum->worst)
		sum->worst = fabs(err);
	return bad;
}

/* The detailed mode's instructions per second per mode, over the
 * hand-built stream; returns 1 if an instruction went uncounted. */
static int detailed_speed(const cpu_machine *m, bool quick)
{
	size_t n = quick ? 100000 : 65536;
	int reps = quick ? 1 : 3052;
	trace_insn *in = make_stream(n);
	printf("%-10s %14s %14s %10s %10s %12s\n", "mode", "instructions",
	       "insns/s", "tlb_miss", "vmm %", "cycles/insn");
	int bad = 0;
	for (cpu_mode mode = 0; mode < CPU_MODE_COUNT; mode++) {
		cpu_core *c = cpu_core_create(m);
		mem_vm_geom g = cpu_core_vm_geom(c, 1 << 20);
		mem_vm *vm = mem_vm_create(&g, cpu_core_mfn_counter(c));
		cpu_vcpu *v = cpu_vcpu_create(c, vm, 1, mode);
		cpu_vcpu_run(v, in, n);  /* warm-up: faults, shadows, BT cache */
		cpu_vcpu_reset_results(v);
		double t0 = cpu_seconds();
		for (int r = 0; r < reps; r++)
			cpu_vcpu_run(v, in, n);
		double t = cpu_seconds() - t0;
		const cpu_results *res = cpu_vcpu_results(v);
		uint64_t total = (uint64_t)n * (uint64_t)reps;
		if (res->insns != total)
			bad = 1;
		uint64_t cyc = cpu_results_cycles(res);
		printf("%-10s %14" PRIu64 " %14.3g %10" PRIu64 " %10.2f %12.3f\n",
		       cpu_mode_name(mode), total, t > 0 ? (double)total / t : 0.0,
		       res->events[CPU_EV_TLB_MISS],
		       100.0 * (double)res->cycles_vmm / (double)cyc,
		       (double)cyc / (double)total);
		cpu_vcpu_destroy(v);
		mem_vm_destroy(vm);
		cpu_core_destroy(c);
	}
	free(in);

	return bad;
}

int main(int argc, char **argv)
{
	bool quick = false;
	const char *only = NULL;
	int bad_args = 0;
	cpu_sample_params sp;
	cpu_sample_defaults(&sp);
	uint64_t sn = 0;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (strcmp(argv[i], "--workload") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else {
			/* A numeric option and its value. */
			const struct {
				const char *name;
				uint64_t *to;
			} num[] = {{"--instructions", &sn},
				   {"--period", &sp.period},
				   {"--windows", &sp.windows},
				   {"--warmup", &sp.warmup},
				   {"--functional", &sp.functional}};
			size_t j = 0;
			while (j < sizeof num / sizeof *num &&
			       strcmp(argv[i], num[j].name) != 0)
				j++;
			if (j == sizeof num / sizeof *num || i + 1 == argc) {
				bad_args = 1;
				continue;
			}
			const char *v = argv[++i];
			unsigned long long x = strtoull(v, &end, 10);
			if (!*v || *end || v[0] == '-')
				bad_args = 1;
			else
				*num[j].to = x;
		}
	}
	if (!bad_args && (sp.period < sp.window + sp.warmup || sn == 1 ||
			  sp.windows < 2))
		bad_args = 1;
	if (only && !wl_stream_preset_find(only)) {
		fprintf(stderr, "%s: unknown workload '%s'; expected one "
			"of the catalog's:", argv[0], only);
		for (size_t i = 0; wl_stream_preset_at(i); i++)
			fprintf(stderr, " %s", wl_stream_preset_at(i)->name);
		fputc('\n', stderr);
		return 2;
	}
	if (bad_args) {
		fprintf(stderr,
			"usage: %s [--quick] [--workload NAME] [--instructions "
			"N] [--period K]\n"
			"       [--windows N] [--warmup W] [--functional F]\n"
			"  (none)   instructions per second of the detailed "
			"mode per mode, then\n"
			"           sampled against detailed on every catalog "
			"workload (minutes)\n"
			"  --quick  small sizes, checking only that every "
			"instruction was counted\n"
			"  --workload NAME  only the sampled-against-detailed "
			"row of one catalog\n"
			"           workload (for profiling)\n"
			"  --instructions N, --period K, --windows N, --warmup "
			"W, --functional F\n"
			"           the sampled runs' length (default 5 x 10^8) "
			"and sampling\n"
			"           parameters (default cpu_sample_defaults'; "
			"K >= 1000 + W;\n"
			"           at most N windows: a longer run spaces them "
			"further apart)\n",
			argv[0]);
		return 2;
	}
	cpu_machine m;
	cpu_machine_defaults(&m);  /* the 2006 P4 with VT-x */
	m.nested_paging = true;    /* so that hw-nested's speed is measured */
	int bad = 0;
	if (!only)
		bad = detailed_speed(&m, quick);
	uint64_t warm = quick ? 100000 : 2000000;
	if (!sn)
		sn = quick ? 1000000 : 500000000;
	trace_insn *buf = sim_xcalloc(SBUF, sizeof *buf);
	/* The period the run takes (cpu_sample_run's). */
	uint64_t k = sn / sp.windows > sp.period ? sn / sp.windows : sp.period;
	printf("\nsampled vs detailed, mode hw, %" PRIu64 " instructions "
	       "(%" PRIu64 " windows; U %" PRIu64 ", W %" PRIu64 ", K %" PRIu64
	       ", F %" PRIu64 ") after the working set's first touches and %"
	       PRIu64 " of warm-up; sampled/s the median of %d runs\n", sn,
	       sn / k, sp.window, sp.warmup, k, sp.functional, warm,
	       SAMPLED_RUNS);
	printf("%-22s %12s %12s %8s %9s %9s %8s\n", "workload",
	       "detailed/s", "sampled/s", "ratio", "error %", "cpi", "+-");
	summary sum = {0, 0, 0, 0};
	for (size_t i = 0; wl_stream_preset_at(i); i++)
		if (!only || strcmp(only, wl_stream_preset_at(i)->name) == 0)
			bad |= sampled_vs_detailed(&m, wl_stream_preset_at(i),
						   warm, sn, &sp, buf, &sum);
	printf("%d workloads: %d at least 100 times faster than detailed, %d "
	       "within 2 %% of it (largest error %.3f %%)\n", sum.rows,
	       sum.fast, sum.close, sum.worst);
	free(buf);
	if (bad)
		fprintf(stderr, "cpu bench: instruction count mismatch\n");
	return bad;
}
