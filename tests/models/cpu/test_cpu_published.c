/* SPDX-License-Identifier: MIT */
/*
 * Golden tests of the catalog's benchmark streams (workloads/catalog.c)
 * run through the machine model against the published numbers they
 * stand for: [Barham03] Tables 3-5 (lmbench, reference §1.3 and oracle
 * 5) on the 2003 Xeon, [AdamsAgesen06] forkwait (oracle 8) on the 2006
 * VT-x Pentium 4. Each stream runs unchanged under every mode on its
 * machine file's one cost set, as `vdcsim run` does for a `machine:`
 * experiment (every page of the working set touched, a warm-up, then the
 * measured run); a ratio is the mode's cycles over native's on the same
 * stream. Only the points the mechanism reaches are asserted; the others
 * are printed with their gap and listed in docs/machine-reproductions.md
 * ("lmbench, forkwait and Disco reproduced").
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "cpu_streams.h"

#define WARM UINT64_C(1000000)
#define RUN  UINT64_C(4000000)
#define BUF  65536

/* The warm-up and the run of a preset: runs long enough to hold ten of a
 * benchmark loop's events (`vdcsim validate` warns below that), as the
 * configs under configs/machine/ do. lmbench's exec and sh loops take
 * 0.8 and 2.5 M instructions an event: 4 M would hold two to five of
 * them, cut at a partial one, after a warm-up shorter than one (sh under
 * V came out 1.45 against 1.19 over 2 * 10^8 instructions). They run
 * 2.6 * 10^7 after 4 * 10^6; forkwait (0.47 M) 5 * 10^6; the others'
 * loops are short enough for RUN. */
static void lengths(const char *name, uint64_t *warm, uint64_t *run)
{
	bool long_loop = !strcmp(name, "lmbench-exec") ||
			 !strcmp(name, "lmbench-sh");
	*warm = long_loop ? 4 * WARM : WARM;
	*run = long_loop ? 26 * WARM
			 : !strcmp(name, "forkwait") ? 5 * WARM : RUN;
}

/* One preset under one mode on a fresh core and VM of 1 GiB. */
static cpu_results run_preset(const cpu_machine *m, cpu_mode mode,
			      const char *name)
{
	const wl_stream_preset *w = wl_stream_preset_find(name);
	cr_assert(w != NULL, "no preset %s", name);
	cpu_core *core = cpu_core_create(m);
	mem_vm_geom g = cpu_core_vm_geom(core, (1u << 30) / m->page_size);
	mem_vm *vm = mem_vm_create(&g, cpu_core_mfn_counter(core));
	cpu_vcpu *v = cpu_vcpu_create(core, vm, 1, mode);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 7);
	wl_stream *s = wl_stream_create(&w->params, r);
	gsl_rng_free(r);
	size_t nw = wl_stream_warm(&w->params, NULL);
	trace_insn *buf = calloc(nw > BUF ? nw : BUF, sizeof *buf);
	wl_stream_warm(&w->params, buf);
	cpu_vcpu_run(v, buf, nw);
	cpu_vcpu_warm_translations(v);
	uint64_t warm, run;
	lengths(name, &warm, &run);
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			cpu_vcpu_reset_results(v);
		for (uint64_t n = pass ? run : warm; n;) {
			size_t k = n < BUF ? (size_t)n : BUF;
			wl_stream_fill(s, buf, k);
			cpu_vcpu_run(v, buf, k);
			n -= k;
		}
	}
	cpu_results res = *cpu_vcpu_results(v);
	free(buf);
	wl_stream_destroy(s);
	cpu_vcpu_destroy(v);
	mem_vm_destroy(vm);
	cpu_core_destroy(core);
	return res;
}

static double ratio(const cpu_machine *m, cpu_mode mode, const char *name)
{
	cpu_results n = run_preset(m, CPU_MODE_NATIVE, name);
	cpu_results x = run_preset(m, mode, name);
	return (double)cpu_results_cycles(&x) / (double)cpu_results_cycles(&n);
}

static bool near(double got, double want, double tol)
{
	return fabs(got / want - 1) <= tol;
}

/* [Barham03] Tables 3 and 5, µs (L-UP, Xen, VMware Workstation, UML),
 * and which of the three ratios to the native column the mechanism
 * reaches within 15 % (docs/machine-reproductions.md, "lmbench, forkwait
 * and Disco reproduced", gives the gaps of the others and why). */
typedef struct lm_row {
	const char *preset;
	double l, x, v, u;
	bool hold_x, hold_v, hold_u;
	int events; /* the stream's events per benchmark iteration (sh: a
		     * fork, two execs and the shell's 141 page faults) */
} lm_row;

static const lm_row lm_rows[] = {
	{"lmbench-null-call", 0.45, 0.46, 0.73, 24.7, true, true, true, 1},
	{"lmbench-null-io", 0.50, 0.50, 0.83, 25.1, true, true, true, 1},
	{"lmbench-stat", 1.28, 1.22, 1.88, 36.1, true, true, false, 1},
	{"lmbench-open-close", 1.92, 1.88, 2.99, 62.8, true, true, false, 2},
	{"lmbench-sig-inst", 0.68, 0.69, 1.02, 26.0, true, true, true, 1},
	{"lmbench-sig-hndl", 2.49, 1.75, 4.63, 46.0, false, false, true, 2},
	{"lmbench-fork", 110, 198, 874, 21000, true, true, false, 1},
	{"lmbench-exec", 530, 768, 2300, 33000, true, true, false, 2},
	{"lmbench-sh", 4000, 4800, 10000, 58000, true, false, false, 144},
	{"lmbench-page-fault", 1.42, 2.73, 12.4, 26.3, true, true, true, 1},
	{"lmbench-mmap", 68, 139, 620, 1400, true, true, true, 1},
	{"lmbench-prot-fault", 1.06, 1.40, 7.53, 21.8, true, true, true, 1},
};

static void check(const char *what, const char *col, double got, double want,
		  bool hold, int *held)
{
	bool ok = near(got, want, 0.15);
	fprintf(stderr, "%-20s %s: vdcsim %6.2f, paper %6.2f, gap %+5.0f %%%s",
		    what, col, got, want, 100 * (got / want - 1),
		    ok ? "\n" : "  (not reached)\n");
	if (hold) {
		cr_expect(ok, "%s %s/L: vdcsim %.2f, paper %.2f (over 15 %%)",
			  what, col, got, want);
		*held += ok;
	}
}

static void print_ctx(const cpu_machine *m);

/* Reference §1.3: each ratio to L-UP within 15 % where the mechanism
 * reaches it: 28 of the 36 ratios of these rows (the list above). X's
 * prot fault is where pv.bounce comes from, V's bt.fault (p4-xeon-2003),
 * V's null call bt.reflect's source: those three hold by construction.
 * X's page fault and V's page fault (pv.hypercall, bt.map) are set from
 * their rows too, less what the model charges besides, so they hold
 * within the model's own difference between the two fault streams. */
Test(cpu_published, barham_lmbench_tables_3_and_5, .timeout = 300)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	int held = 0, want = 0;
	for (size_t i = 0; i < sizeof lm_rows / sizeof lm_rows[0]; i++) {
		const lm_row *r = &lm_rows[i];
		check(r->preset, "X", ratio(&m, CPU_MODE_PV, r->preset),
		      r->x / r->l, r->hold_x, &held);
		check(r->preset, "V", ratio(&m, CPU_MODE_BT, r->preset),
		      r->v / r->l, r->hold_v, &held);
		check(r->preset, "U", ratio(&m, CPU_MODE_UML, r->preset),
		      r->u / r->l, r->hold_u, &held);
		want += r->hold_x + r->hold_v + r->hold_u;
	}
	print_ctx(&m);
	cr_expect(eq(int, held, want));
	cr_expect(eq(int, want, 28));
}

/* workloads/README.md defines each lmbench stream by the paper's native
 * (L-UP) latency: its kernel work is that time at 2.4 GHz and IPC 1, less
 * what the machine charges for the loop's other parts. So natively an
 * iteration takes that latency, a little more where the kernel's mix
 * runs under IPC 1: each within 15 % here (2 to 11 % over). lmbench-fork
 * ran 200 us against its 110 until its faults' handlers were taken off
 * its kernel work. */
Test(cpu_published, barham_lmbench_native_latencies_match_their_definitions,
     .timeout = 300)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	for (size_t i = 0; i < sizeof lm_rows / sizeof lm_rows[0]; i++) {
		const lm_row *r = &lm_rows[i];
		cpu_results n = run_preset(&m, CPU_MODE_NATIVE, r->preset);
		wl_stream_expect e;
		wl_stream_expected(&wl_stream_preset_find(r->preset)->params,
				   &e);
		/* Instructions per iteration, at the stream's event rate. */
		double per = 1000.0 * r->events / e.events;
		double us = (double)cpu_results_cycles(&n) / (double)n.insns *
			    per / (double)m.clock_mhz;
		fprintf(stderr, "%-20s native %8.2f us per iteration, "
			"paper %8.2f\n", r->preset, us, r->l);
		cr_expect(near(us, r->l, 0.15), "%s: native %.2f us, L-UP %.2f",
			  r->preset, us, r->l);
	}
}

/* [Barham03] Table 4 (context switch, µs; L-UP, Xen, VMware, UML). Not
 * asserted here (tests/cli/machine_lmbench.sh asserts what is reached):
 * printed for docs/machine-reproductions.md. lat_ctx subtracts what one process pays
 * for the token's pipe calls and the array's summing, so a switch's time
 * here is the run's cycles less its user-level cycles, per switch, less
 * the same mode's null call. */
static const struct {
	const char *preset;
	double l, x, v, u;
} ctx_rows[] = {
	{"lmbench-ctx-2p-0k", 0.77, 1.97, 18.1, 15.5},
	{"lmbench-ctx-2p-16k", 0.91, 2.22, 17.6, 14.6},
	{"lmbench-ctx-2p-64k", 1.06, 2.67, 21.3, 14.4},
	{"lmbench-ctx-8p-16k", 1.03, 3.07, 22.4, 16.3},
	{"lmbench-ctx-8p-64k", 24.3, 28.7, 51.6, 36.8},
	{"lmbench-ctx-16p-16k", 3.61, 7.08, 41.7, 23.6},
	{"lmbench-ctx-16p-64k", 37.6, 39.4, 72.2, 52.0},
};

/* Non-user microseconds per event e of preset name under mode. */
static double kernel_us(const cpu_machine *m, cpu_mode mode, const char *name,
			cpu_event e)
{
	cpu_results r = run_preset(m, mode, name);
	return (double)(cpu_results_cycles(&r) - r.cycles_user) /
	       (double)r.events[e] / (double)m->clock_mhz;
}

static void print_ctx(const cpu_machine *m)
{
	const cpu_mode modes[4] = {CPU_MODE_NATIVE, CPU_MODE_PV, CPU_MODE_BT,
				   CPU_MODE_UML};
	/* lat_ctx's overhead: the mode's null call, run once per mode. */
	double null_us[4];
	for (int k = 0; k < 4; k++)
		null_us[k] = kernel_us(m, modes[k], "lmbench-null-call",
				       CPU_EV_SYSCALL);
	for (size_t i = 0; i < sizeof ctx_rows / sizeof ctx_rows[0]; i++) {
		const char *w = ctx_rows[i].preset;
		double us[4];
		for (int k = 0; k < 4; k++)
			us[k] = kernel_us(m, modes[k], w, CPU_EV_CTX_SWITCH) -
				null_us[k];
		fprintf(stderr, "%-20s us per switch: L %.2f (%.2f) X %.2f "
			"(%.2f) V %.2f (%.2f) U %.2f (%.2f)\n", w, us[0],
			ctx_rows[i].l, us[1], ctx_rows[i].x, us[2],
			ctx_rows[i].v, us[3], ctx_rows[i].u);
	}
}

/* Orderings of Tables 3 and 5: the paper has X < V < U in all twelve
 * rows, and so has vdcsim. (Until bt.fault of p4-xeon-2003 came from
 * Table 5's V prot fault, page fault and mmap had V under X:
 * docs/machine-reproductions.md.) Oracle 5's null call: X = L ± 5 %. */
Test(cpu_published, barham_lmbench_orderings, .timeout = 300)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	const char *rows[] = {"lmbench-null-call", "lmbench-null-io",
			      "lmbench-stat", "lmbench-open-close",
			      "lmbench-sig-inst", "lmbench-sig-hndl",
			      "lmbench-fork", "lmbench-exec", "lmbench-sh",
			      "lmbench-page-fault", "lmbench-mmap",
			      "lmbench-prot-fault"};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		double x = ratio(&m, CPU_MODE_PV, rows[i]);
		double v = ratio(&m, CPU_MODE_BT, rows[i]);
		double u = ratio(&m, CPU_MODE_UML, rows[i]);
		cr_expect(x < v && v < u, "%s: X %.2f, V %.2f, U %.2f",
			  rows[i], x, v, u);
	}
	double x = ratio(&m, CPU_MODE_PV, "lmbench-null-call");
	cr_expect(near(x, 1.0, 0.05), "null call X/L %.3f", x);
}

/* [AdamsAgesen06] forkwait (reference §3.3, oracle 8): 40,000 fork+wait
 * pairs, native 6.0 s, BT 36.9 s, VT-x with shadow tables 106.4 s. */
Test(cpu_published, adams_agesen_forkwait, .timeout = 300)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	/* Oracle 8's what-if: the same machine with nested paging. */
	m.nested_paging = true;
	double bt = ratio(&m, CPU_MODE_BT, "forkwait");
	double hw = ratio(&m, CPU_MODE_HW, "forkwait");
	double ept = ratio(&m, CPU_MODE_HW_NESTED, "forkwait");
	fprintf(stderr, "forkwait: BT %.2f (paper %.2f), VT %.2f (paper %.2f), "
		"VT/BT %.2f (paper %.2f), VT with nested paging %.2f\n", bt,
		36.9 / 6.0, hw, 106.4 / 6.0, hw / bt, 106.4 / 36.9, ept);
	cr_expect(1 < bt && bt < hw, "native < BT < VT: BT %.2f, VT %.2f", bt,
		  hw);
	cr_expect(ept < bt, "nested paging %.2f beats BT %.2f", ept, bt);
	/* VT-x within 25 % of 17.7: each of the pair's shadow-MMU events
	 * exits. BT's 6.15 is not reached: its traced stores are adapted
	 * callouts (docs/machine-reproductions.md, "lmbench, forkwait and
	 * Disco reproduced"). */
	cr_expect(near(hw, 106.4 / 6.0, 0.25), "VT %.2f against %.2f", hw,
		  106.4 / 6.0);
}

/* Cycles per quick fault (IRIX's QUICK_FAULT: [Bugnion97] Table 2, 5 µs
 * natively) under mode: a protection fault whose handler runs `h`
 * instructions and rewrites the PTE, on a fresh page each time. */
static double quick_fault(const cpu_machine *m, cpu_mode mode, unsigned h)
{
	stream s[2] = {{0}, {0}};
	for (int k = 0; k < 2; k++)
		for (uint64_t i = 0; i < 200; i++) {
			uint64_t va = ((k ? 0x20000 : 0x10000) + i) << 12;
			put(&s[k], TRACE_OP_EXCEPTION, TRACE_EXC_PROT_FAULT, va);
			for (unsigned j = 0; j < h; j++)
				put(&s[k], TRACE_OP_ALU, 0, 0);
			put(&s[k], TRACE_OP_PTE_WRITE, 1, va);
			put(&s[k], TRACE_OP_RETURN, 0, 0);
			put(&s[k], TRACE_OP_LOAD, 0, va);
		}
	cpu_machine mm = *m;
	mm.fault_insns = 0;
	double c = (double)cycles_after(&mm, mode, &s[0], &s[1], NULL) / 200;
	stream_free(&s[0]);
	stream_free(&s[1]);
	return c;
}

/* [Bugnion97] on the MIPS R10000 file (reference §2.2, oracle 10):
 * virtualization overhead of 3 % on Raytrace and 16 % on Pmake and
 * Database; the oracle asks ≤ 5 % for the compute-bound stream and 10 to
 * 20 % for the other two. Only Database is reached
 * (docs/machine-reproductions.md, "lmbench, forkwait and Disco
 * reproduced", gives the other gaps and why). */
Test(cpu_published, bugnion_disco_overheads, .timeout = 300)
{
	cpu_machine m = machine_file("mips-r10000");
	double ray = ratio(&m, CPU_MODE_TE, "disco-raytrace");
	double pmake = ratio(&m, CPU_MODE_TE, "disco-pmake");
	double db = ratio(&m, CPU_MODE_TE, "disco-database");
	fprintf(stderr, "Disco: raytrace %+.1f %% (paper +3 %%, oracle <= 5 %%), "
		"pmake %+.1f %%, database %+.1f %% (paper +16 %%, oracle 10 to "
		"20 %%)\n", 100 * (ray - 1), 100 * (pmake - 1),
		100 * (db - 1));
	/* Oracle 10's quick fault (at least 3×, 3.17 published): printed,
	 * not reached (docs/machine-reproductions.md). */
	/* 5 µs at the file's clock less the fault's delivery. */
	unsigned h = (unsigned)(5 * m.clock_mhz - m.native.exception);
	double qn = quick_fault(&m, CPU_MODE_NATIVE, h);
	double qt = quick_fault(&m, CPU_MODE_TE, h);
	fprintf(stderr, "Disco quick fault: native %.0f cycles, te %.0f, "
		"%.2fx (paper 3.17x)\n", qn, qt, qt / qn);
	cr_expect(db >= 1.10 && db <= 1.20, "database %.3f", db);
}

/* The share of a run's cycles spent on TLB misses. */
static double tlb_share(const cpu_results *r)
{
	return (double)r->cycles_tlb / (double)cpu_results_cycles(r);
}

/* Nested paging on the modern machine file (x86-ept-vpid: 2 MiB host
 * pages, a page-walk cache that holds host levels too and
 * [Bhargava08]'s nested TLB). Oracle 1: a SPEC-CINT-like stream under HW
 * with EPT within 3 % of native. Oracle 11's third part: with 2 MiB host
 * pages the virtualization share of TLB-miss time is about 5 points or
 * less (TPC-C +4.2 [Buell13]), on the OLTP stream. Without the nested
 * TLB the 2-D walks' host references put SPEC-CINT 13 % above native. */
Test(cpu_published, oracle1_nested_paging_near_native_on_cpu_bound_work,
     .timeout = 300)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	double spec = ratio(&m, CPU_MODE_HW_NESTED, "spec-cint");
	cpu_results on = run_preset(&m, CPU_MODE_NATIVE, "osdb-oltp");
	cpu_results ox = run_preset(&m, CPU_MODE_HW_NESTED, "osdb-oltp");
	cpu_machine bare = m;
	bare.ntlb_entries = 0;
	double spec_bare = ratio(&bare, CPU_MODE_HW_NESTED, "spec-cint");
	bare.host_page_size = 4096;
	double spec_4k = ratio(&bare, CPU_MODE_HW_NESTED, "spec-cint");
	fprintf(stderr, "EPT: spec-cint %+.1f %% (oracle 1: at most 3 %%; "
		"%+.1f %% without the nested-dimension caching, %+.1f %% nor "
		"2 MiB host pages); osdb-oltp TLB-miss share "
		"%.1f %% native, %.1f %% nested (%+.1f points; oracle 11: "
		"about 5 or less)\n", 100 * (spec - 1), 100 * (spec_bare - 1),
		100 * (spec_4k - 1),
		100 * tlb_share(&on), 100 * tlb_share(&ox),
		100 * (tlb_share(&ox) - tlb_share(&on)));
	cr_expect(spec <= 1.03, "spec-cint under hw-nested %.3f", spec);
	cr_expect(spec_bare > spec, "the nested-dimension caching changed nothing");
	cr_expect(tlb_share(&ox) > tlb_share(&on));
	cr_expect(tlb_share(&ox) - tlb_share(&on) <= 0.05,
		  "osdb-oltp: TLB-miss share %.3f native, %.3f nested",
		  tlb_share(&on), tlb_share(&ox));
}
