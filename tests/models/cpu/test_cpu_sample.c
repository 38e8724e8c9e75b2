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
#define WARM  UINT64_C(200000)
#define RUN   UINT64_C(1000000)
#define BUF   65536

/* Runs of minutes are sized for the release build only, not under the
 * sanitizers (tests/meson.build). */
#ifndef VDCSIM_RELEASE_TESTS
#define VDCSIM_RELEASE_TESTS 0
#endif

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

/* The layout of generated streams (workloads/README.md, "Instruction
 * streams"): the user working set and the kernel's data. */
#define VA_WS     UINT64_C(0x0000000010000000)
#define VA_KERNEL UINT64_C(0xffffffff80000000)

/* The steady state both sides start from: every process's working set
 * and the kernel's data touched once (mapped, shadows filled), so that
 * the compared runs hold no first-touch transient. Sampled windows
 * cannot extrapolate a working set's first touches: a page first
 * touched in a window was, in the detailed run, touched in the skipped
 * part before it (README, "Sampled mode"). A stream that forks runs its
 * child as address space `processes` (workloads/README.md), a process
 * too: left cold, its kernel data took 16 first-touch faults in the
 * detailed run at the first fork (forkwait: one fork every ~440,000
 * instructions, after the warm-up) that sampled mode never counts. */
static void touch_all(cpu_vcpu *v, const wl_stream_params *p)
{
	stream s = {0};
	uint64_t large = (uint64_t)(p->large_fraction * (double)p->ws_bytes) /
			 p->large_page * p->large_page;
	uint8_t shift = 0;
	while ((UINT64_C(1) << shift) < p->large_page)
		shift++;
	for (uint64_t a = p->processes + (p->forks > 0); a-- > 0;) {
		put(&s, TRACE_OP_SYSCALL, 0, 0);
		put_asid(&s, (uint16_t)a);
		for (uint64_t o = 0; o < p->kernel_ws_bytes; o += p->base_page)
			put(&s, TRACE_OP_LOAD, 0, VA_KERNEL + o);
		put(&s, TRACE_OP_RETURN, 0, 0);
		for (uint64_t o = 0; o < p->ws_bytes; o += p->base_page)
			put_sized(&s, TRACE_OP_LOAD, 0, VA_WS + o,
				  o < large ? shift : 0);
	}
	cpu_vcpu_run(v, s.in, s.n);
	stream_free(&s);
}

static rig rig_big(const cpu_machine *m, cpu_mode mode)
{
	rig r;
	r.core = cpu_core_create(m);
	mem_vm_geom g = cpu_core_vm_geom(r.core, 1 << 20);
	r.vm = mem_vm_create(&g, cpu_core_mfn_counter(r.core));
	r.v = cpu_vcpu_create(r.core, r.vm, 1, mode);
	return r;
}

/* The pairs the catalog test below cannot hold within 2 % at either
 * size, each with its figures and the reason (models/cpu/README.md,
 * "Sampled mode"): none today. A listed pair is run and printed all the
 * same; every other pair must hold, and a listed pair that holds fails
 * the test until it is taken off the list. Until 2026-12 linux-build and
 * dbench under hw-nested were listed (-4.21 and -2.83 % at 5000 windows,
 * the windows' TLB missing 15 % of the run's misses): the sparse warming
 * did not run with windows this close. */
static const char *const known[][2] = {
	{NULL, NULL},
};

static bool is_known(const char *w, const char *mode)
{
	for (size_t i = 0; known[i][0]; i++)
		if (!strcmp(known[i][0], w) && !strcmp(known[i][1], mode))
			return true;
	return false;
}

static bool is_disco(const char *name)
{
	return strncmp(name, "disco-", 6) == 0;
}

typedef struct cmp {
	double detailed, sampled, err, cpi, half;
	bool inside;
} cmp;

/* Detailed against sampled over n instructions of the stream of p with
 * generator seed `seed`, both after the same warm-up. */
static cmp compare_seeded(const cpu_machine *m, cpu_mode mode,
			  const wl_stream_params *p,
			  const cpu_sample_params *sp, uint64_t n,
			  unsigned long seed, trace_insn *buf,
			  cpu_sample_result *out)
{
	cmp c;
	rig a = rig_big(m, mode), b = rig_big(m, mode);
	wl_stream *ga = stream_of(p, seed), *gb = stream_of(p, seed);
	touch_all(a.v, p);
	touch_all(b.v, p);
	run_detailed(a.v, ga, WARM, buf);
	run_detailed(b.v, gb, WARM, buf);
	cpu_vcpu_reset_results(a.v);
	run_detailed(a.v, ga, n, buf);
	c.detailed = (double)cpu_results_cycles(cpu_vcpu_results(a.v));
	cpu_sample_result s;
	cpu_sample_run(b.v, gb, n, sp, &s);
	/* The books of both: exact when detailed; the estimate rounds each
	 * field apart. */
	char why[256];
	cr_assert(eq(int, cpu_results_check(cpu_vcpu_results(a.v), mode, 0,
					    why, sizeof why), 0), "%s", why);
	cr_assert(eq(int, cpu_results_check(&s.est, mode, 8, why, sizeof why),
		     0), "%s", why);
	c.sampled = s.cycles;
	c.err = (c.sampled - c.detailed) / c.detailed;
	c.cpi = s.cpi;
	c.half = s.cpi_half;
	c.inside = fabs(c.detailed / (double)n - s.cpi) <= s.cpi_half;
	if (out)
		*out = s;
	wl_stream_destroy(ga);
	wl_stream_destroy(gb);
	rig_free(&a);
	rig_free(&b);
	return c;
}

/* compare_seeded on the stream every pair of this file uses (seed 11). */
static cmp compare_s(const cpu_machine *m, cpu_mode mode,
		     const wl_stream_params *p, const cpu_sample_params *sp,
		     uint64_t n, trace_insn *buf, cpu_sample_result *out)
{
	return compare_seeded(m, mode, p, sp, n, 11, buf, out);
}

/* Every catalog workload under every mode its machine runs (hw-nested
 * too, on the default machine with nested paging: a what-if), sampled
 * against detailed at 500 windows (10^7 instructions, one window every
 * 20,000). A pair over 2 % there runs again at 5000 windows (10^8
 * instructions, the same period): with ten times the windows the
 * sampled interval shrinks by sqrt(10), and with ten times the
 * instructions so does the detailed run's own draw of rare events
 * (specweb under hw drew 490 exits in 10^7 instructions where the
 * stream's rate gives 518). A bias does not shrink, so a pair over 2 %
 * at both sizes fails unless listed, with its figures, above. About a
 * minute; under the sanitizers the pairs run at 50 windows (10^6
 * instructions), too few for 2 % on the rarer events, and only the
 * interval is checked there. */
Test(cpu_sample, catalog_within_2_percent, .timeout = 300)
{
	cpu_machine x86, mips;
	cpu_machine_defaults(&x86);
	x86.nested_paging = true; /* every x86 mode, hw-nested too */
	mips = machine_file("mips-r10000");
	cpu_sample_params sp;
	cpu_sample_defaults(&sp);
	sp.period = 20000;
	sp.windows = 5000;
	const bool full = VDCSIM_RELEASE_TESTS;
	const uint64_t n = full ? 10 * RUN : RUN;
	trace_insn *buf = calloc(BUF, sizeof *buf);
	int runs = 0, inside = 0, bad = 0, over = 0, again = 0, stale = 0;
	for (size_t i = 0; wl_stream_preset_at(i); i++) {
		const wl_stream_preset *w = wl_stream_preset_at(i);
		const cpu_machine *m = is_disco(w->name) ? &mips : &x86;
		for (cpu_mode mode = 0; mode < CPU_MODE_COUNT; mode++) {
			if (!cpu_mode_is_supported(m->arch, mode))
				continue;
			const char *mn = cpu_mode_name(mode);
			cmp c = compare_s(m, mode, &w->params, &sp, n,
					  buf, NULL);
			runs++;
			inside += c.inside;
			bool ok = fabs(c.err) <= 0.02;
			fprintf(stderr,
				"%-22s %-9s detailed %.6g sampled %.6g "
				"err %+.3f %% cpi %.4f +- %.4f%s\n",
				w->name, mn, c.detailed, c.sampled,
				100 * c.err, c.cpi, c.half,
				ok ? "" : full ? "  over 2 %: 5000 windows"
					       : "  over 2 %");
			again += !ok;
			if (!full)
				continue;
			if (!ok) {
				c = compare_s(m, mode, &w->params, &sp,
					      100 * RUN, buf, NULL);
				ok = fabs(c.err) <= 0.02;
				fprintf(stderr,
					"%-22s %-9s 5000 windows err "
					"%+.3f %% cpi %.4f +- %.4f%s\n",
					w->name, mn, 100 * c.err, c.cpi,
					c.half, ok ? "" : "  OVER 2 %");
			}
			bool excused = is_known(w->name, mn);
			over += !ok;
			bad += !ok && !excused;
			stale += ok && excused;
			if (ok && excused)
				fprintf(stderr, "%-22s %-9s LISTED but within "
					"2 %%\n", w->name, mn);
		}
	}
	fprintf(stderr,
		"%d runs, %d over 2 %% at %d windows, %d of them also at "
		"5000 (%d not listed), %d listed but within 2 %%, %d inside "
		"the interval at %d\n",
		runs, again, (int)(n / sp.period), over, bad, stale, inside,
		(int)(n / sp.period));
	free(buf);
	cr_expect(gt(int, 2 * inside, runs));
	if (!full)
		return;
	cr_expect(eq(int, bad, 0));
	cr_expect(eq(int, stale, 0), "listed pairs within 2 %%: take them "
				     "off the list");
}

/* The modern machine's nested-dimension caching (a nested TLB, host
 * levels in the page-walk cache: x86-ept-vpid) is warmed by the skips'
 * functional warming as the TLB is, through the same walks: under
 * hw-nested a run's estimate is within 2 % of detailed on the streams
 * whose TLB misses matter, at 1000 windows (2 x 10^7 instructions). */
Test(cpu_sample, nested_caches_are_warmed_as_the_tlb_is, .timeout = 300)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	cr_assert(gt(u64, m.ntlb_entries, 0));
	cpu_sample_params sp;
	cpu_sample_defaults(&sp);
	sp.period = 20000;
	trace_insn *buf = calloc(BUF, sizeof *buf);
	static const char *const names[] = {
		"spec-cint", "osdb-oltp", "linux-build", "specweb",
		"disco-database", "lmbench-page-fault", "forkwait"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const wl_stream_preset *w = wl_stream_preset_find(names[i]);
		cmp c = compare_s(&m, CPU_MODE_HW_NESTED, &w->params, &sp,
				  20 * RUN, buf, NULL);
		fprintf(stderr, "x86-ept-vpid %-20s hw-nested err %+.3f %% "
			"cpi %.4f +- %.4f\n", names[i], 100 * c.err, c.cpi,
			c.half);
		cr_expect(fabs(c.err) <= 0.02, "%s: %+.3f %%", names[i],
			  100 * c.err);
	}
	free(buf);
}

/* An event phase the windows measured by fewer instructions than one
 * window holds is charged at the events' pooled ratio (sample.c,
 * models/cpu/README.md "Pooling thin phases"). disco-raytrace under te,
 * the realization of stream seed 14: its system calls' kernel work (20,000
 * instructions) was measured by 62, the faults' (8,400) by 320, and at
 * their own ratios the run came out +13.6 % over detailed; pooled, every
 * event phase counts as unmeasured and the run is off by less than half
 * that: +5.9 %, +6.6 % since the sparse warming runs with windows this
 * close (the same stream over 10^8 instructions, 5000 windows: +0.95 %,
 * interval +-0.95 %; so the rest is this realization's thin sample). */
Test(cpu_sample, an_event_phase_seen_by_a_few_instructions_is_pooled)
{
	cpu_machine m = machine_file("mips-r10000");
	const wl_stream_preset *w = wl_stream_preset_find("disco-raytrace");
	cr_assert(ne(ptr, (void *)w, NULL));
	cpu_sample_params sp;
	cpu_sample_defaults(&sp);
	sp.period = 20000;
	trace_insn *buf = calloc(BUF, sizeof *buf);
	cpu_sample_result s;
	cmp c = compare_seeded(&m, CPU_MODE_TE, &w->params, &sp, 10 * RUN, 14,
			       buf, &s);
	uint64_t events = 0;
	for (unsigned p = 1; p < WL_STREAM_PHASES; p++)
		events += s.phase_insns[p];
	cr_expect(gt(u64, events, 20000));
	cr_expect(eq(u64, s.unmeasured, events));
	cr_expect(fabs(c.err) < 0.136 / 2, "%+.2f %%", 100 * c.err);
	free(buf);
}

/* Every catalog workload within 2 % of detailed, none excused, with the
 * default sampling at 1000 windows: 2 x 10^8 instructions under hw on
 * the default machine (bench/cpu's mode and machine; the windows 200,000
 * instructions apart, so the sparse warming runs). bench/cpu at this
 * size gives every error within 1 % (models/cpu/README.md, "Sampled
 * mode"). About a minute of detailed runs, so not under the sanitizers. */
Test(cpu_sample, every_catalog_workload_within_2_percent_at_1000_windows,
     .timeout = 600, .disabled = !VDCSIM_RELEASE_TESTS)
{
	cpu_machine m;
	cpu_machine_defaults(&m);
	cpu_sample_params sp;
	cpu_sample_defaults(&sp);
	const uint64_t n = 200 * RUN;
	sp.period = n / sp.windows;
	trace_insn *buf = calloc(BUF, sizeof *buf);
	size_t over = 0, runs = 0;
	for (size_t i = 0; wl_stream_preset_at(i); i++) {
		const wl_stream_preset *w = wl_stream_preset_at(i);
		cpu_sample_result s;
		cmp c = compare_s(&m, CPU_MODE_HW, &w->params, &sp, n, buf, &s);
		cr_assert(eq(u64, s.windows, sp.windows));
		runs++;
		over += fabs(c.err) > 0.02;
		fprintf(stderr, "%-22s hw err %+.3f %% cpi %.4f +- %.4f%s\n",
			w->name, 100 * c.err, c.cpi, c.half,
			fabs(c.err) > 0.02 ? "  OVER 2 %" : "");
	}
	free(buf);
	cr_expect(eq(sz, runs, 36));
	cr_expect(eq(sz, over, 0), "%zu of %zu over 2 %%", over, runs);
}

/* wl_stream_fill_phase, call after call, is wl_stream_fill's stream. */
Test(cpu_sample, fill_phase_is_fill)
{
	const wl_stream_preset *w = wl_stream_preset_find("lmbench-fork");
	cr_assert(ne(ptr, (void *)w, NULL));
	enum { N = 300000 };
	trace_insn *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
	wl_stream *ga = stream_of(&w->params, 5), *gb = stream_of(&w->params, 5);
	wl_stream_fill(ga, a, N);
	size_t at = 0;
	int phases = 0;
	while (at < N) {
		unsigned ph;
		size_t k = wl_stream_fill_phase(gb, b + at, N - at, &ph);
		cr_assert(k >= 1 && ph < WL_STREAM_PHASES);
		phases |= 1 << ph;
		at += k;
	}
	cr_expect(eq(int, memcmp(a, b, N * sizeof *a), 0));
	cr_expect(gt(int, phases & ~1, 0)); /* events seen, not only body */
	wl_stream_destroy(ga);
	wl_stream_destroy(gb);
	free(a);
	free(b);
}

/* A skip counts every instruction in some phase, and the same state and
 * skips give the same stream after them. */
Test(cpu_sample, skip_counts_and_is_deterministic)
{
	const wl_stream_preset *w = wl_stream_preset_find("disco-pmake");
	cr_assert(ne(ptr, (void *)w, NULL));
	trace_insn a[512], b[512];
	wl_stream *ga = stream_of(&w->params, 9), *gb = stream_of(&w->params, 9);
	uint64_t ca[WL_STREAM_PHASES] = {0}, cb[WL_STREAM_PHASES] = {0};
	uint64_t total = 0;
	for (uint64_t k = 1; k < 2000000; k = k * 3 + 7) {
		wl_stream_skip(ga, k, ca);
		wl_stream_skip(gb, k, cb);
		total += k;
	}
	uint64_t sum = 0;
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++) {
		cr_expect(eq(u64, ca[p], cb[p]));
		sum += ca[p];
	}
	cr_expect(eq(u64, sum, total));
	wl_stream_fill(ga, a, 512);
	wl_stream_fill(gb, b, 512);
	cr_expect(eq(int, memcmp(a, b, sizeof a), 0));
	cr_expect(eq(int, wl_stream_asid(ga), wl_stream_asid(gb)));
	wl_stream_destroy(ga);
	wl_stream_destroy(gb);
}

/* wl_stream_fill_part, call after call, is wl_stream_fill's stream, and
 * its own parts are single instructions of the programs. */
Test(cpu_sample, fill_part_is_fill)
{
	const wl_stream_preset *w = wl_stream_preset_find("lmbench-fork");
	cr_assert(ne(ptr, (void *)w, NULL));
	enum { N = 300000 };
	trace_insn *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
	wl_stream *ga = stream_of(&w->params, 5), *gb = stream_of(&w->params, 5);
	wl_stream_fill(ga, a, N);
	size_t at = 0, owns = 0;
	while (at < N) {
		unsigned ph;
		bool own;
		size_t k = wl_stream_fill_part(gb, b + at, N - at, &ph, &own);
		cr_assert(k >= 1 && ph < WL_STREAM_PHASES);
		if (own) {
			cr_expect(eq(sz, k, (size_t)1));
			owns++;
		}
		at += k;
	}
	cr_expect(eq(int, memcmp(a, b, N * sizeof *a), 0));
	cr_expect(gt(sz, owns, (size_t)0));
	wl_stream_destroy(ga);
	wl_stream_destroy(gb);
	free(a);
	free(b);
}

/* Skipping by parts (mix not split) consumes what wl_stream_skip does:
 * the mix counted by phase plus the own instructions make n, and the
 * stream ends in the same address space and depth, with the same
 * events to come. */
Test(cpu_sample, skip_part_is_skip)
{
	const wl_stream_preset *w = wl_stream_preset_find("lmbench-ctx-8p-16k");
	cr_assert(ne(ptr, (void *)w, NULL));
	wl_stream *ga = stream_of(&w->params, 9), *gb = stream_of(&w->params, 9);
	uint64_t ca[WL_STREAM_PHASES] = {0}, cb[WL_STREAM_PHASES] = {0};
	uint64_t n = 1234567, own = 0, left = n;
	wl_stream_skip(ga, n, ca);
	while (left) {
		trace_insn op;
		unsigned ph;
		bool o;
		left -= wl_stream_skip_part(gb, left, cb, &op, &ph, &o);
		own += o;
	}
	uint64_t sa = 0, sb = 0;
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++) {
		sa += ca[p];
		sb += cb[p];
	}
	cr_expect(eq(u64, sa, n));
	cr_expect(eq(u64, sb + own, n));
	cr_expect(gt(u64, own, 0));
	cr_expect(eq(int, wl_stream_asid(ga), wl_stream_asid(gb)));
	cr_expect(eq(u32, wl_stream_depth(ga), wl_stream_depth(gb)));
	wl_stream_destroy(ga);
	wl_stream_destroy(gb);
}

/* wl_stream_warm_loads draws from a generator of its own: a stream that
 * gave warming loads between its fills fills the same instructions as
 * one that did not. It writes k times the data share (the fraction
 * carried over), at addresses in the working set or the kernel's data,
 * the same ones for the same seed whether or not the stream was filled
 * between them. */
Test(cpu_sample, warm_loads_leave_the_stream)
{
	const wl_stream_preset *w = wl_stream_preset_find("dbench");
	cr_assert(ne(ptr, (void *)w, NULL));
	const wl_stream_params *p = &w->params;
	enum { N = 20000, K = 1000 };
	trace_insn *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
	trace_insn la[K], lb[K];
	wl_stream *ga = stream_of(p, 5), *gb = stream_of(p, 5),
		  *gc = stream_of(p, 5);
	size_t total = 0;
	for (int r = 0; r < 4; r++) {
		wl_stream_fill(ga, a, N);
		size_t na = wl_stream_warm_loads(gb, 0, K, la, K);
		size_t nc = wl_stream_warm_loads(gc, 0, K, lb, K);
		cr_expect(eq(sz, na, nc));
		for (size_t i = 0; i < na; i++) {
			cr_expect(eq(u64, la[i].va, lb[i].va));
			cr_expect(la[i].va >= VA_WS &&
				  la[i].va < VA_WS + p->ws_bytes);
		}
		total += na;
		na = wl_stream_warm_loads(gb, 1, K, la, K);
		cr_expect(eq(sz, na, wl_stream_warm_loads(gc, 1, K, lb, K)));
		for (size_t i = 0; i < na; i++) {
			cr_expect(eq(u64, la[i].va, lb[i].va));
			cr_expect(la[i].va >= VA_KERNEL &&
				  la[i].va < VA_KERNEL + p->kernel_ws_bytes);
		}
		wl_stream_fill(gb, b, N);
		cr_expect(eq(int, memcmp(a, b, N * sizeof *a), 0));
	}
	/* The body's data share, to within the fraction carried. */
	double want = 4.0 * K * (p->load + p->store);
	cr_expect(fabs((double)total - want) <= 1, "%zu loads, want %g",
		  total, want);
	wl_stream_destroy(ga);
	wl_stream_destroy(gb);
	wl_stream_destroy(gc);
	free(a);
	free(b);
}

/* cpu_vcpu_touch fills the TLB as loads would, charging nothing: the
 * results are unchanged, and the same loads then run without a miss,
 * where on a vcpu not touched they miss. */
Test(cpu_sample, touch_warms_without_charging)
{
	cpu_machine m;
	cpu_machine_defaults(&m);
	m.nested_paging = true; /* every x86 mode, hw-nested too */
	for (cpu_mode mode = 0; mode < CPU_MODE_COUNT; mode++) {
		if (!cpu_mode_is_supported(m.arch, mode))
			continue;
		rig a = rig_big(&m, mode), b = rig_big(&m, mode);
		enum { P = 32 };
		trace_insn in[P];
		memset(in, 0, sizeof in);
		for (int i = 0; i < P; i++) {
			in[i].op = TRACE_OP_LOAD;
			in[i].va = VA_WS + (uint64_t)i * 4096;
		}
		/* Mapped on both (first touches), then the TLB flushed by a
		 * switch away and back. */
		stream s = {0};
		for (int i = 0; i < P; i++)
			put(&s, TRACE_OP_LOAD, 0, in[i].va);
		put(&s, TRACE_OP_SYSCALL, 0, 0);
		put_asid(&s, 1);
		put_asid(&s, 0);
		put(&s, TRACE_OP_RETURN, 0, 0);
		cpu_vcpu_run(a.v, s.in, s.n);
		cpu_vcpu_run(b.v, s.in, s.n);
		stream_free(&s);
		cpu_results before = *cpu_vcpu_results(a.v);
		cpu_vcpu_touch(a.v, in, P);
		cr_expect(eq(int, memcmp(&before, cpu_vcpu_results(a.v),
					 sizeof before), 0),
			  "%s: touch charged", cpu_mode_name(mode));
		cpu_vcpu_reset_results(a.v);
		cpu_vcpu_reset_results(b.v);
		cpu_vcpu_run(a.v, in, P);
		cpu_vcpu_run(b.v, in, P);
		cr_expect(eq(u64, cpu_vcpu_results(a.v)->events[CPU_EV_TLB_MISS],
			     0), "%s", cpu_mode_name(mode));
		cr_expect(gt(u64, cpu_vcpu_results(b.v)->events[CPU_EV_TLB_MISS],
			     0), "%s", cpu_mode_name(mode));
		rig_free(&a);
		rig_free(&b);
	}
}

/* A regular stream of one program with fewer than one event a window:
 * the skips pass whole cycles (jumped, or walked event by event) without
 * running their own instructions, whose costs are extrapolated from the
 * cycles run (models/cpu/README.md, "Sampled mode"). Every instruction
 * is still accounted for (the own run, the own passed, the mix by
 * phase), and the estimate is within 0.25 % (50 windows) of the one
 * that runs every own instruction (pass_cycles false, same windows
 * drawn), on a machine whose
 * exits flush the TLB (the 2006 VT-x default, hw) and on one without
 * flushes, where the TLB's contents before a window come from a long
 * history of own instructions (p4-xeon-2003, native and bt). 2 x 10^7
 * instructions at the default period (50 windows): a skip keeps the own
 * instructions that take the TLB once round (some 160,000 instructions
 * of page faults on the 64-entry P4 without flushes), so that shorter
 * periods pass little there. */
Test(cpu_sample, regular_cycles_passed_and_extrapolated)
{
	cpu_machine vtx, p4 = machine_file("p4-xeon-2003");
	cpu_machine_defaults(&vtx);
	struct {
		const cpu_machine *m;
		cpu_mode mode;
	} on[] = {{&vtx, CPU_MODE_HW}, {&p4, CPU_MODE_NATIVE},
		  {&p4, CPU_MODE_BT}};
	const char *names[] = {"lmbench-prot-fault", "lmbench-page-fault",
			       "lmbench-mmap"};
	cpu_sample_params pass, count;
	cpu_sample_defaults(&pass);
	cr_assert(pass.pass_cycles);
	count = pass;
	count.pass_cycles = false;
	trace_insn *buf = calloc(BUF, sizeof *buf);
	/* Short periods too (500 windows of 20,000): within 0.05 %. A skip
	 * that passed the cycles right before a window would leave the TLB
	 * of a machine without flushes with another history than the
	 * detailed run's (page fault, native: -0.50 % against -0.40 %,
	 * bt -0.92 against -0.86); with the own instructions that take the
	 * TLB once round kept, 0.024 % and 0.015 %. */
	for (int len = 0; len < 2; len++)
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		for (size_t j = 0; j < sizeof on / sizeof *on; j++) {
			const uint64_t n = len ? 10000000 : 20000000;
			pass.period = count.period = len ? 20000 : 400000;
			const wl_stream_preset *w =
				wl_stream_preset_find(names[i]);
			const char *mn = cpu_mode_name(on[j].mode);
			cpu_sample_result s, t;
			cmp c = compare_s(on[j].m, on[j].mode, &w->params,
					  &pass, n, buf, &s);
			cmp d = compare_s(on[j].m, on[j].mode, &w->params,
					  &count, n, buf, &t);
			uint64_t mix = 0;
			for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++)
				mix += s.phase_insns[ph];
			fprintf(stderr,
				"%-20s %-7s own run %llu passed %llu err "
				"%+.3f %% (all own run: %+.3f %%)\n",
				names[i], mn, (unsigned long long)s.own,
				(unsigned long long)s.own_jumped, 100 * c.err,
				100 * d.err);
			if (!len)
				cr_expect(gt(u64, s.own_jumped, 0), "%s %s",
					  names[i], mn);
			cr_expect(eq(u64, t.own_jumped, 0));
			cr_expect(eq(u64, mix + s.own + s.own_jumped, n));
			cr_expect(eq(u64, s.own + s.own_jumped, t.own));
			cr_expect(le(dbl, fabs(c.err - d.err),
				     len ? 0.0005 : 0.0025),
				  "%s %s: %+.3f %% against %+.3f %%", names[i],
				  mn, 100 * c.err, 100 * d.err);
		}
	free(buf);
}

/* `windows` caps their number: a run longer than windows x period
 * spaces them n / windows apart (the same run, 4 x 10^6 instructions
 * of spec-cint at a period of 20,000, with the cap at 50 and at the
 * default 1,000, which does not bind), and every instruction is still
 * counted; each estimate lies within three of its half-intervals of the
 * detailed run. */
Test(cpu_sample, windows_cap_spaces_a_long_run)
{
	cpu_machine vtx;
	cpu_machine_defaults(&vtx);
	const wl_stream_params *p = &wl_stream_preset_find("spec-cint")->params;
	cpu_sample_params sp;
	cpu_sample_defaults(&sp);
	cr_assert(eq(u64, sp.windows, 1000));
	sp.period = 20000;
	const uint64_t n = 4000000;
	trace_insn *buf = calloc(BUF, sizeof *buf);
	const uint64_t caps[] = {50, 1000}, want[] = {50, 200};
	for (int i = 0; i < 2; i++) {
		sp.windows = caps[i];
		cpu_sample_result s;
		cmp c = compare_s(&vtx, CPU_MODE_HW, p, &sp, n, buf, &s);
		uint64_t mix = 0;
		for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++)
			mix += s.phase_insns[ph];
		fprintf(stderr, "windows cap %llu: %llu windows, err %+.3f %%, "
			"cpi %.4f +- %.4f\n", (unsigned long long)caps[i],
			(unsigned long long)s.windows, 100 * c.err, c.cpi,
			c.half);
		cr_expect(eq(u64, s.windows, want[i]));
		cr_expect(eq(u64, mix + s.own + s.own_jumped, n));
		cr_expect(le(dbl, fabs(c.detailed / (double)n - c.cpi),
			     3 * c.half));
	}
	free(buf);
}

/* The sparse warming (wl_stream_warm_sparse): it leaves the stream as it
 * was; its draws lie outside the hot set, each batch followed by the hot
 * set's pages in order, and come at the stream's rate
 * (wl_stream_cold_rate) within 4 standard deviations of a Poisson count;
 * an event's kernel work touches each page of the kernel's data once;
 * the entries fit in cap, the last draws kept. */
Test(cpu_sample, sparse_warming_draws_outside_the_hot_set_at_its_rate)
{
	const wl_stream_preset *w = wl_stream_preset_find("spec-cint");
	cr_assert(ne(ptr, (void *)w, NULL));
	const wl_stream_params *p = &w->params;
	enum { N = 20000, CAP = 8192 };
	trace_insn *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
	trace_insn *s = calloc(CAP, sizeof *s);
	wl_stream *ga = stream_of(p, 7), *gb = stream_of(p, 7);
	const uint64_t hot = p->hot_bytes / p->base_page;
	const uint64_t kern = p->kernel_ws_bytes / p->base_page;
	cr_expect(eq(u64, wl_stream_warm_pages(gb), hot + kern));
	const uint64_t hot_end = VA_WS + p->hot_bytes;
	uint64_t draws = 0, k = 200000;
	for (int r = 0; r < 50; r++) {
		wl_stream_fill(ga, a, N);
		size_t n = wl_stream_warm_sparse(gb, 0, k, s, CAP);
		for (size_t i = 0; i < n;) {
			/* A batch: draws outside the hot set, then the hot set. */
			size_t d = 0;
			while (i < n && s[i].va >= hot_end) {
				cr_assert(lt(u64, s[i].va, VA_WS + p->ws_bytes));
				d++;
				i++;
			}
			cr_assert(gt(sz, d, 0));
			cr_assert(le(sz, d, 8));
			for (uint64_t h = 0; h < hot; h++, i++) {
				cr_assert(lt(sz, i, n));
				cr_assert(eq(u64, s[i].va, VA_WS + h * p->base_page));
			}
			draws += d;
		}
		size_t nk = wl_stream_warm_sparse(gb, 1, 5000, s, CAP);
		cr_assert(eq(sz, nk, kern));
		for (size_t i = 0; i < nk; i++)
			cr_expect(eq(u64, s[i].va, VA_KERNEL + i * p->base_page));
		wl_stream_fill(gb, b, N);
		cr_expect(eq(int, memcmp(a, b, N * sizeof *a), 0));
	}
	double want = 50.0 * (double)k * wl_stream_cold_rate(gb);
	cr_expect(gt(dbl, want, 1000));
	cr_expect(le(dbl, fabs((double)draws - want), 4 * sqrt(want)),
		  "%llu draws, want %g", (unsigned long long)draws, want);
	/* A cap of one batch keeps the last 8 draws of many. */
	size_t n = wl_stream_warm_sparse(gb, 0, 10000000, s, 8 + hot);
	cr_expect(eq(sz, n, 8 + hot));
	wl_stream_destroy(ga);
	wl_stream_destroy(gb);
	free(a);
	free(b);
	free(s);
}
