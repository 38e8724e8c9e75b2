/* SPDX-License-Identifier: MIT */
/*
 * Tests of the instruction-stream generators (workloads/stream.c,
 * stream_params.c, catalog.c): the parameter table and its messages,
 * determinism (same seed, same instructions, in blocks of any size), the
 * stream conventions on every catalog preset, the user-level mix against
 * its parameters (binomial bounds of five standard deviations), every
 * op's count against the closed form (bounds from the event lengths), the
 * linux-build kernel share and forkwait's 750 shadow-MMU events per pair.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"

#define STR(s) ((char *)(s))

static wl_stream *make(const wl_stream_params *p, uint64_t seed)
{
	gsl_rng *r = sim_rng_stream(seed, "workload/stream");
	wl_stream *g = wl_stream_create(p, r);
	gsl_rng_free(r);
	return g;
}

static const wl_stream_params *preset(const char *name)
{
	const wl_stream_preset *p = wl_stream_preset_find(name);
	cr_assert(p != NULL, "no preset %s", name);
	return &p->params;
}

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

Test(stream_params, the_presets_start_from_the_tables_defaults)
{
	/* A preset overriding nothing would equal the table's defaults:
	 * aa-in overrides level, port_io and the benchmark loop's locality
	 * only. */
	wl_stream_params def;
	memset(&def, 0, sizeof def);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_section_load(wl_stream_section(), NULL, NULL,
					   &def, &d), 0));
	wl_stream_params in = *preset("aa-in");
	in.level = def.level;
	in.port_io = def.port_io;
	in.ws_bytes = def.ws_bytes;
	in.hot_bytes = def.hot_bytes;
	in.seq_access = def.seq_access;
	in.kernel_ws_bytes = def.kernel_ws_bytes;
	cr_assert(eq(int, memcmp(&in, &def, sizeof def), 0));
	sim_diag_fini(&d);
	cfg_section_check(wl_stream_section());
}

Test(stream_params, every_preset_passes_the_checks_and_is_listed)
{
	const cfg_section *const *s = wl_sections();
	cr_assert(s[0] && s[1] && s[2] == wl_stream_section() && !s[3]);
	size_t n = 0;
	for (; wl_stream_preset_at(n); n++) {
		const wl_stream_preset *p = wl_stream_preset_at(n);
		sim_diag d;
		sim_diag_init(&d);
		cr_assert(eq(int, wl_stream_check(&p->params, p->name, &d), 0),
			  "%s", d.text);
		cr_assert(eq(ptr, (void *)wl_stream_preset_find(p->name),
			     (void *)p));
		sim_diag_fini(&d);
	}
	cr_assert(eq(sz, n, 36));
	cr_assert(eq(ptr, (void *)wl_stream_preset_find("nope"), NULL));
}

static void check_refused(const wl_stream_params *p, const char *want)
{
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, wl_stream_check(p, "s", &d), SIM_EINPUT));
	cr_assert(eq(str, d.text, STR(want)));
	sim_diag_fini(&d);
}

Test(stream_params, impossible_parameters_are_refused_with_the_reason)
{
	wl_stream_params p = *preset("spec-cint");
	p.load = 0.6;
	p.store = 0.5;
	check_refused(&p, "s: load + store + branch + indirect is 129% "
			  "(expected at most 100%)\n");
	p = *preset("spec-cint");
	p.hot_bytes = p.ws_bytes + 1;
	check_refused(&p, "s: hot_bytes 33554433 exceeds ws_bytes 33554432 "
			  "(expected the hot part inside the working set)\n");
	p = *preset("aa-in");
	p.syscalls = 1;
	check_refused(&p, "s: system calls, faults, divides, forks, execs or "
			  "mmaps with a kernel-level body (expected them only "
			  "with level user: they enter the kernel from user "
			  "mode)\n");
	p = *preset("spec-cint");
	p.syscalls = 1;
	p.syscall_insns = 1000;
	check_refused(&p, "s: events take 1002.91 of every 1000 instructions "
			  "(expected fewer than 1000: lower the event rates or "
			  "their lengths)\n");
	/* The process image (the most pages an event writes: exec's
	 * default 250 here) follows the working set in its 2^40-byte
	 * region. */
	p = *preset("lmbench-fork");
	p.ws_bytes = (UINT64_C(1) << 40) - UINT64_C(0x10000000) - 100 * 4096;
	check_refused(&p, "s: 250 pages of 4096 bytes per event do not fit "
			  "beside the working set in a 2^40-byte region "
			  "(expected fewer pages per event)\n");
	p.ws_bytes -= 150 * 4096;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, wl_stream_check(&p, "s", &d), 0), "%s", d.text);
	sim_diag_fini(&d);
	/* mmap's pages have a region of their own. */
	p = *preset("lmbench-mmap");
	p.base_page = UINT64_C(1) << 30;
	p.mmap_pages = 1025;
	check_refused(&p, "s: mmap_pages 1025 of 1073741824 bytes do not fit "
			  "a 2^40-byte region (expected fewer pages per "
			  "mmap)\n");
	p = *preset("spec-cint");
	p.port_io = 5;
	check_refused(&p, "s: kernel-only ops at 5 per 1000 instructions but "
			  "only 2.91 kernel-work instructions to place them "
			  "in (expected at most as many: more kernel work or "
			  "fewer ops)\n");
}

typedef struct loaded {
	cfg_doc *doc;
	wl_stream_params p;
	int rc;
	char *msg;
} loaded;

static loaded load(const char *yaml)
{
	loaded l;
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("w.yaml", yaml, strlen(yaml), &l.doc,
					&d), 0));
	const cfg_node *n = cfg_map_get(cfg_doc_root(l.doc), "stream");
	l.rc = wl_stream_params_load(n, cfg_doc_root(l.doc), &l.p, &d);
	l.msg = sim_xstrdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return l;
}

static void unload(loaded *l)
{
	cfg_doc_destroy(l->doc);
	free(l->msg);
}

Test(stream_params, presets_mappings_and_overrides_load)
{
	loaded l = load("stream: lmbench-fork\n");
	cr_assert(eq(int, l.rc, 0));
	cr_assert(eq(int, memcmp(&l.p, preset("lmbench-fork"), sizeof l.p), 0));
	unload(&l);
	l = load("stream: {preset: forkwait, fork_ptes: 300, taken: 50%}\n");
	cr_assert(eq(int, l.rc, 0), "%s", l.msg);
	wl_stream_params want = *preset("forkwait");
	want.fork_ptes = 300;
	want.taken = 0.5;
	cr_assert(eq(int, memcmp(&l.p, &want, sizeof want), 0));
	unload(&l);
	l = load("stream: {syscalls: 2, ws_bytes: 1MiB}\n");
	cr_assert(eq(int, l.rc, 0), "%s", l.msg);
	cr_assert(eq(dbl, l.p.syscalls, 2));
	cr_assert(eq(u64, l.p.ws_bytes, 1 << 20));
	cr_assert(eq(dbl, l.p.load, 0.25));
	unload(&l);
	l = load("stream: lmbench-frk\n");
	cr_assert(eq(int, l.rc, SIM_EINPUT));
	cr_assert(eq(str, l.msg, STR("w.yaml:1:9: workloads[].stream: unknown "
				     "preset 'lmbench-frk' (did you mean "
				     "'lmbench-fork'?)\n")));
	unload(&l);
	l = load("stream: {preset: forkwait, forks: -1}\n");
	cr_assert(eq(int, l.rc, SIM_EINPUT));
	cr_assert(eq(str, l.msg, STR("w.yaml:1:35: workloads[].stream.forks: -1 "
				     "is out of range (expected 0 to 1000)\n")));
	unload(&l);
}

/* ------------------------------------------------------------------------
 * Determinism
 * ------------------------------------------------------------------------ */

Test(stream_gen, same_seed_same_stream_in_blocks_of_any_size)
{
	enum { N = 300000 };
	trace_insn *a = sim_xcalloc(N, sizeof *a), *b = sim_xcalloc(N, sizeof *b);
	const wl_stream_params *p = preset("linux-build");
	wl_stream *g = make(p, 5);
	wl_stream_fill(g, a, N);
	wl_stream_destroy(g);
	static const size_t blocks[] = {1, 7, 4096, 100000};
	for (size_t k = 0; k < 4; k++) {
		memset(b, 0xa5, N * sizeof *b);
		g = make(p, 5);
		for (size_t at = 0; at < N; at += blocks[k])
			wl_stream_fill(g, b + at,
				       N - at < blocks[k] ? N - at : blocks[k]);
		wl_stream_destroy(g);
		cr_assert(eq(int, memcmp(a, b, N * sizeof *a), 0),
			  "blocks of %zu", blocks[k]);
	}
	g = make(p, 6);
	wl_stream_fill(g, b, N);
	wl_stream_destroy(g);
	cr_assert(ne(int, memcmp(a, b, N * sizeof *a), 0));
	free(a);
	free(b);
}

/* ------------------------------------------------------------------------
 * Conventions and statistics on every preset
 * ------------------------------------------------------------------------ */

typedef struct counts {
	uint64_t n, kernel, op[TRACE_OP_COUNT], priv[TRACE_PRIV_COUNT];
	uint64_t exc[TRACE_EXC_COUNT], irq[TRACE_IRQ_COUNT], taken;
	/* User-level mix instructions (not entries, not a faulting access
	 * replayed after its handler). */
	uint64_t body, body_op[TRACE_OP_COUNT], body_taken;
	uint64_t child_switches, mmu_events;
} counts;

/* Generates about n instructions of p, finishes the event in progress,
 * checks the conventions and counts. */
static void run(const wl_stream_params *p, uint64_t n, uint64_t seed,
		counts *c)
{
	memset(c, 0, sizeof *c);
	enum { B = 8192 };
	trace_insn *buf = sim_xmalloc(B * sizeof *buf);
	wl_stream *g = make(p, seed);
	trace_insn_levels lv;
	trace_insn_levels_init(&lv);
	unsigned entry[3] = {0};
	bool replay = false, finishing = false;
	for (;;) {
		size_t got = B;
		if (c->n >= n) {
			got = wl_stream_finish(g, buf, B);
			finishing = true;
			if (!got)
				break;
		} else {
			wl_stream_fill(g, buf, B);
		}
		for (size_t k = 0; k < got; k++) {
			const trace_insn *i = &buf[k];
			unsigned depth = lv.depth;
			uint64_t bad;
			const char *why = trace_insn_levels_feed(&lv, i, 1, &bad);
			cr_assert(why == NULL, "instruction %llu: %s",
				  (unsigned long long)bad, why);
			c->n++;
			c->kernel += depth > 0;
			c->op[i->op]++;
			if (i->op == TRACE_OP_PRIV)
				c->priv[i->arg]++;
			if (i->op == TRACE_OP_EXCEPTION)
				c->exc[i->arg]++;
			if (i->op == TRACE_OP_INTERRUPT)
				c->irq[i->arg]++;
			if (i->op == TRACE_OP_BRANCH)
				c->taken += i->arg;
			if (i->op == TRACE_OP_CTX_SWITCH) {
				cr_assert(i->asid <= p->processes);
				c->child_switches += i->asid == p->processes;
			}
			if (i->op == TRACE_OP_PTE_WRITE ||
			    (i->op == TRACE_OP_EXCEPTION &&
			     i->arg != TRACE_EXC_DIVIDE))
				c->mmu_events++;
			if (i->op == TRACE_OP_SYSCALL ||
			    i->op == TRACE_OP_EXCEPTION ||
			    i->op == TRACE_OP_INTERRUPT)
				entry[depth] = i->op == TRACE_OP_EXCEPTION &&
					       i->arg != TRACE_EXC_DIVIDE;
			bool user_mix = depth == 0 && !replay &&
					i->op != TRACE_OP_SYSCALL &&
					i->op != TRACE_OP_EXCEPTION &&
					i->op != TRACE_OP_INTERRUPT;
			replay = i->op == TRACE_OP_RETURN && depth == 1 &&
				 entry[0];
			if (user_mix) {
				c->body++;
				c->body_op[i->op]++;
				if (i->op == TRACE_OP_BRANCH)
					c->body_taken += i->arg;
			}
			if (i->op == TRACE_OP_LOAD || i->op == TRACE_OP_STORE) {
				if (depth)
					cr_assert(i->va >= UINT64_C(0xffffffff80000000),
						  "kernel access at %llx",
						  (unsigned long long)i->va);
				cr_assert(i->size == 0 || i->size == 21);
			}
		}
	}
	cr_assert(finishing && lv.depth == 0, "ends at depth %u", lv.depth);
	cr_assert(wl_stream_asid(g) < p->processes);
	wl_stream_destroy(g);
	free(buf);
}

/* |got - want| within 5 standard deviations of a binomial count of n
 * trials with probability q, plus slack. */
static void near_binomial(uint64_t got, uint64_t n, double q, double slack,
			  const char *what, const char *name)
{
	double want = q * (double)n, sd = sqrt((double)n * q * (1 - q));
	cr_assert(fabs((double)got - want) <= 5 * sd + slack + 1e-9,
		  "%s %s: %llu, expected %.1f +- %.1f", name, what,
		  (unsigned long long)got, want, 5 * sd + slack);
}

/* The longest event of p in instructions, from the shapes README gives
 * (an independent recount of stream_params.c's programs). */
static double longest_event(const wl_stream_params *p)
{
	double fault = 4 + (double)p->fault_insns;
	double prot = 4 + (double)p->prot_fault_insns;
	double len[] = {
		p->syscalls > 0 ? 2 + (double)p->syscall_insns : 0,
		p->page_faults > 0 ? fault : 0,
		p->prot_faults > 0 || p->signal_faults > 0 ? prot : 0,
		p->divides > 0 ? 2 + (double)p->divide_insns : 0,
		p->forks > 0 ? 6 + (double)(p->fork_insns + p->fork_ptes +
					    p->exit_insns + p->exit_ptes) +
				       (double)p->cow_faults * prot
			     : 0,
		p->execs > 0 ? 2 + (double)(p->exec_insns + p->exec_ptes) +
				       (double)p->exec_faults * fault
			     : 0,
		p->mmaps > 0 ? 4 + 2 * (double)p->mmap_insns +
				       (double)p->mmap_pages * (1 + fault)
			     : 0,
		p->ctx_switches > 0 ? 3 + (double)p->ctx_insns : 0,
		p->timer_irqs > 0 || p->device_irqs > 0
			? 2 + (double)p->irq_insns
			: 0,
	};
	double m = 0;
	for (size_t i = 0; i < sizeof len / sizeof *len; i++)
		m = fmax(m, len[i]);
	return m;
}

static void check_preset(const wl_stream_preset *pr)
{
	const wl_stream_params *p = &pr->params;
	double L = longest_event(p);
	uint64_t n = 1500000;
	if (L * 20 > (double)n)
		n = (uint64_t)(L * 20);
	counts c;
	run(p, n, 11, &c);

	/* The user-level mix, drawn instruction by instruction, against the
	 * parameters themselves. */
	if (p->level == WL_LEVEL_USER && c.body > 10000) {
		double br = p->branch, rest = 1 - p->load - p->store - br -
						 p->indirect;
		near_binomial(c.body_op[TRACE_OP_LOAD], c.body, p->load, 0,
			      "loads", pr->name);
		near_binomial(c.body_op[TRACE_OP_STORE], c.body, p->store, 0,
			      "stores", pr->name);
		near_binomial(c.body_op[TRACE_OP_BRANCH], c.body, br, 0,
			      "branches", pr->name);
		near_binomial(c.body_op[TRACE_OP_INDIRECT], c.body, p->indirect,
			      0, "indirects", pr->name);
		near_binomial(c.body_op[TRACE_OP_ALU], c.body, rest, 0, "ALU",
			      pr->name);
		near_binomial(c.body_taken, c.body_op[TRACE_OP_BRANCH],
			      p->taken, 0, "taken", pr->name);
	}

	/* Every count against the closed form. Event counts vary by the
	 * Poisson law (or by one event when evenly spaced), each event
	 * moving a count by at most its length L; the rest is binomial. */
	wl_stream_expect e;
	wl_stream_expected(p, &e);
	double kev = (double)c.n / 1000;
	double ev_sd = p->regular ? 0 : sqrt(kev * e.events) * L;
	/* 2: a kernel-level body's opening SYSCALL and closing RETURN. */
	double slack = 5 * ev_sd + 2 * L + 2;
	for (int o = 0; o < TRACE_OP_COUNT; o++)
		near_binomial(c.op[o], c.n, e.op[o] / 1000, slack, "op count",
			      pr->name);
	for (int k = 0; k < TRACE_PRIV_COUNT; k++)
		near_binomial(c.priv[k], c.n, e.priv[k] / 1000, slack, "priv",
			      pr->name);
	for (int k = 0; k < TRACE_EXC_COUNT; k++)
		near_binomial(c.exc[k], c.n, e.exc[k] / 1000, slack, "exc",
			      pr->name);
	for (int k = 0; k < TRACE_IRQ_COUNT; k++)
		near_binomial(c.irq[k], c.n, e.irq[k] / 1000, slack, "irq",
			      pr->name);
	near_binomial(c.kernel, c.n, e.kernel / 1000, slack, "kernel",
		      pr->name);
	near_binomial(c.taken, c.n, e.taken / 1000, slack, "taken",
		      pr->name);
	/* Each fork enters its child once, and only forks do. */
	if (p->forks == 0)
		cr_assert(eq(u64, c.child_switches, 0));
}

Test(stream_gen, every_preset_keeps_the_conventions_and_its_closed_form,
     .timeout = 240)
{
	for (size_t i = 0; wl_stream_preset_at(i); i++)
		check_preset(wl_stream_preset_at(i));
}

Test(stream_gen, event_rates_are_the_parameters)
{
	/* Rates per 1000 instructions, counted by their entries. */
	wl_stream_params p = *preset("spec-cint");
	p.syscalls = 2;
	p.syscall_insns = 50;
	p.fault_insns = 100;
	p.prot_fault_insns = 100;
	p.divide_insns = 50;
	p.irq_insns = 100;
	p.divides = 0.5;
	p.timer_irqs = 0.25;
	p.device_irqs = 0.125;
	p.page_faults = 0.3;
	p.prot_faults = 0.2;
	counts c;
	run(&p, 4000000, 3, &c);
	double kev = (double)c.n / 1000;
	struct {
		uint64_t got;
		double rate;
	} ev[] = {
		{c.op[TRACE_OP_SYSCALL], p.syscalls},
		{c.exc[TRACE_EXC_DIVIDE], p.divides},
		{c.irq[TRACE_IRQ_TIMER], p.timer_irqs},
		{c.irq[TRACE_IRQ_DEVICE], p.device_irqs},
		{c.exc[TRACE_EXC_PAGE_FAULT], p.page_faults},
		{c.exc[TRACE_EXC_PROT_FAULT], p.prot_faults},
	};
	for (size_t k = 0; k < sizeof ev / sizeof *ev; k++) {
		double want = kev * ev[k].rate;
		cr_assert(fabs((double)ev[k].got - want) <= 5 * sqrt(want) + 1,
			  "event %zu: %llu, expected %.1f", k,
			  (unsigned long long)ev[k].got, want);
	}
}

/* In a regular stream the kinds take turns (smooth weighted round robin,
 * workloads/README.md): each count stays within two events of its
 * share, where drawing the kind at random would spread it as a binomial
 * count (a standard deviation of 40 to 80 over these 27,000 events; it
 * fails then). wl_stream_loop is the rarest kind's spacing. */
Test(stream_gen, a_regular_streams_kinds_take_turns)
{
	wl_stream_params p = *preset("lmbench-null-call");
	p.divides = p.syscalls / 3;
	p.divide_insns = 10;
	p.prot_faults = p.syscalls / 7;
	p.prot_fault_insns = 10;
	cr_assert(p.regular);
	cr_assert(wl_stream_check(&p, "test", NULL) == 0);
	counts c;
	run(&p, 400000, 5, &c);
	double kev = (double)c.n / 1000;
	const struct {
		uint64_t got;
		double rate;
	} ev[] = {
		{c.op[TRACE_OP_SYSCALL], p.syscalls},
		{c.exc[TRACE_EXC_DIVIDE], p.divides},
		{c.exc[TRACE_EXC_PROT_FAULT], p.prot_faults},
	};
	for (size_t k = 0; k < sizeof ev / sizeof *ev; k++)
		cr_expect(fabs((double)ev[k].got - kev * ev[k].rate) <= 2,
			  "kind %zu: %llu, its share %.1f", k,
			  (unsigned long long)ev[k].got, kev * ev[k].rate);
	cr_expect(ieee_ulp_eq(dbl, wl_stream_loop(&p), 1000 / p.prot_faults,
			      4));
	const wl_stream_params *sh = preset("lmbench-sh");
	cr_expect(ieee_ulp_eq(dbl, wl_stream_loop(sh), 1000 / sh->forks, 4));
	wl_stream_params none = *preset("spec-cint");
	none.syscalls = none.page_faults = none.timer_irqs = 0;
	none.ctx_switches = 0;
	cr_expect(eq(dbl, wl_stream_loop(&none), 0));
}

/* A protection fault maps the page again (one PTE write, as for
 * copy-on-write); a fault the kernel answers with a signal changes no
 * PTE (workloads/README.md, the event table). */
Test(stream_gen, a_signal_fault_writes_no_pte_a_protection_fault_one)
{
	for (int sig = 0; sig < 2; sig++) {
		wl_stream_params p = *preset("lmbench-prot-fault");
		p.signal_faults = sig ? 0.2 : 0;
		p.prot_faults = sig ? 0 : 0.2;
		counts c;
		run(&p, 1000000, 5, &c);
		uint64_t f = c.exc[TRACE_EXC_PROT_FAULT];
		double want = (double)c.n / 1000 * 0.2;
		cr_assert(fabs((double)f - want) <= 5 * sqrt(want) + 1,
			  "%s: %llu faults, expected %.0f",
			  sig ? "signal" : "prot", (unsigned long long)f,
			  want);
		cr_assert(eq(u64, c.op[TRACE_OP_PTE_WRITE], sig ? 0 : f),
			  "%s: %llu PTE writes for %llu faults",
			  sig ? "signal" : "prot",
			  (unsigned long long)c.op[TRACE_OP_PTE_WRITE],
			  (unsigned long long)f);
	}
}

Test(stream_gen, linux_build_runs_about_7_percent_in_the_kernel)
{
	wl_stream_expect e;
	wl_stream_expected(preset("linux-build"), &e);
	cr_assert(e.kernel > 65 && e.kernel < 75, "closed form %.2f", e.kernel);
	/* A fork or exec moves 20 million instructions' share by about one
	 * point: the measured share has that much more room. */
	counts c;
	run(preset("linux-build"), 20000000, 2, &c);
	double share = (double)c.kernel / (double)c.n;
	cr_assert(share > 0.06 && share < 0.085, "kernel share %.4f", share);
}

Test(stream_gen, forkwait_makes_750_shadow_mmu_events_per_pair)
{
	counts c;
	run(preset("forkwait"), 10000000, 4, &c);
	cr_assert(gt(u64, c.child_switches, 10));
	cr_assert(eq(u64, c.mmu_events, 750 * c.child_switches));
}

/* The image pages fork write-protects, the child faults in and exit
 * unmaps follow the working set in the process's own region (README
 * "Addresses"), from the next base page on: for lmbench-fork's one page
 * of variables, the 200 pages after it, the page-table page they share. */
Test(stream_gen, the_image_follows_the_working_set)
{
	const wl_stream_params *p = preset("lmbench-fork");
	const uint64_t first = 0x10000000 + p->ws_bytes;
	const size_t n = 2000000;
	trace_insn *buf = sim_xmalloc(n * sizeof *buf);
	wl_stream *g = make(p, 3);
	wl_stream_fill(g, buf, n);
	wl_stream_destroy(g);
	uint64_t writes = 0, lo = UINT64_MAX, hi = 0;
	for (size_t k = 0; k < n; k++) {
		if (buf[k].op != TRACE_OP_PTE_WRITE)
			continue;
		writes++;
		lo = buf[k].va < lo ? buf[k].va : lo;
		hi = buf[k].va > hi ? buf[k].va : hi;
	}
	cr_assert(gt(u64, writes, 400));
	cr_assert(eq(u64, lo, first));
	cr_assert(eq(u64, hi, first + (p->fork_ptes - 1) * p->base_page));
	cr_assert(eq(u64, lo >> 22, hi >> 22));  /* one 4 MiB table page */
	free(buf);
}

Test(stream_gen, large_pages_cover_their_fraction_of_the_working_set)
{
	wl_stream_params p = *preset("spec-cint");
	p.large_fraction = 0.5;
	p.hot_bytes = 0;
	p.seq_access = 0;
	p.ws_bytes = 64 << 20;
	trace_insn *buf = sim_xmalloc(1000000 * sizeof *buf);
	wl_stream *g = make(&p, 9);
	wl_stream_fill(g, buf, 1000000);
	wl_stream_destroy(g);
	uint64_t user = 0, large = 0;
	for (size_t k = 0; k < 1000000; k++) {
		if ((buf[k].op != TRACE_OP_LOAD && buf[k].op != TRACE_OP_STORE) ||
		    buf[k].va < 0x10000000 || buf[k].va >= 0x10000000 + (64 << 20))
			continue;
		user++;
		large += buf[k].size == 21;
		cr_assert(eq(int, buf[k].size == 21,
			     buf[k].va < 0x10000000 + (32 << 20)));
	}
	near_binomial(large, user, 0.5, 0, "large", "spec-cint");
	free(buf);
}

Test(stream_gen, a_kernel_level_stream_opens_and_closes_its_entry)
{
	trace_insn buf[64];
	wl_stream *g = make(preset("aa-ptemod"), 1);
	wl_stream_fill(g, buf, 64);
	cr_assert(eq(u8, buf[0].op, TRACE_OP_SYSCALL));
	size_t k = 0;
	for (size_t i = 1; i < 64; i++)
		k += buf[i].op == TRACE_OP_PTE_WRITE;
	cr_assert(gt(sz, k, 3));
	cr_assert(eq(sz, wl_stream_finish(g, buf, 64), 1));
	cr_assert(eq(u8, buf[0].op, TRACE_OP_RETURN));
	cr_assert(eq(sz, wl_stream_finish(g, buf, 64), 0));
	wl_stream_fill(g, buf, 1);
	cr_assert(eq(u8, buf[0].op, TRACE_OP_SYSCALL));
	wl_stream_destroy(g);
}
