/* SPDX-License-Identifier: MIT */
/*
 * Tests of the skip's jump over whole cycles of a regular stream of one
 * program (workloads/stream_skip.c): against the walk it replaces
 * (wl_stream_slow_skip), on every catalog preset and many skip lengths,
 * the same per-phase counts, the same generator state and the same
 * instructions after; deterministic; and streams that do not qualify
 * (Poisson events, several programs, a gap mean whose sums could round)
 * walk.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stream_gen.h"

static wl_stream *make(const wl_stream_params *p, uint64_t seed, bool slow)
{
	gsl_rng *r = sim_rng_stream(seed, "workload/stream");
	wl_stream *g = wl_stream_create(p, r);
	gsl_rng_free(r);
	wl_stream_slow_skip(g, slow);
	return g;
}

static const wl_stream_params *preset(const char *name)
{
	const wl_stream_preset *p = wl_stream_preset_find(name);
	cr_assert(p != NULL, "no preset %s", name);
	return &p->params;
}

static long idx(const wl_stream *g, const wl_prog *pr)
{
	return pr ? pr - g->prog : -1;
}

/* Every field a skip or a fill moves, a against b. */
static void same_state(const wl_stream *a, const wl_stream *b,
		       const char *name, uint64_t n)
{
	cr_assert(eq(int, memcmp(&a->r, &b->r, sizeof a->r), 0), "%s %llu r",
		  name, (unsigned long long)n);
	cr_assert(eq(int, memcmp(&a->e, &b->e, sizeof a->e), 0), "%s e", name);
	cr_assert(eq(int, memcmp(&a->acc, &b->acc, sizeof a->acc), 0),
		  "%s %llu acc %.17g %.17g", name, (unsigned long long)n,
		  a->acc, b->acc);
	cr_assert(eq(u64, a->gap_left, b->gap_left), "%s gap", name);
	cr_assert(eq(int, a->state, b->state), "%s state", name);
	cr_assert(eq(long, idx(a, a->cur), idx(b, b->cur)), "%s cur", name);
	cr_assert(eq(u32, a->pc, b->pc), "%s pc", name);
	cr_assert(eq(u32, a->loop_pc, b->loop_pc), "%s loop_pc", name);
	cr_assert(eq(int, a->in_loop, b->in_loop), "%s in_loop", name);
	cr_assert(eq(u64, a->loop_left, b->loop_left), "%s", name);
	cr_assert(eq(u64, a->loop_i, b->loop_i), "%s loop_i", name);
	cr_assert(eq(u64, a->kb_mix, b->kb_mix), "%s kb_mix", name);
	cr_assert(eq(u64, a->kb_pte, b->kb_pte), "%s kb_pte", name);
	cr_assert(eq(u64, a->cur_va, b->cur_va), "%s %llu cur_va", name,
		  (unsigned long long)n);
	cr_assert(eq(u64, a->fresh, b->fresh), "%s %llu fresh", name,
		  (unsigned long long)n);
	cr_assert(eq(u64, a->wsprot, b->wsprot), "%s wsprot", name);
	cr_assert(eq(u64, a->last, b->last), "%s last", name);
	cr_assert(eq(u64, a->own_gap, b->own_gap), "%s own_gap", name);
	cr_assert(eq(int, a->own_for == &a->body, b->own_for == &b->body));
	cr_assert(eq(int, a->own_for == &a->kern, b->own_for == &b->kern));
	cr_assert(eq(int, a->split_mix, b->split_mix));
	cr_assert(eq(int, a->kernel_level, b->kernel_level));
	cr_assert(eq(u16, a->asid, b->asid), "%s %llu asid", name,
		  (unsigned long long)n);
	cr_assert(eq(u16, a->parent, b->parent), "%s parent", name);
	cr_assert(eq(u32, a->depth, b->depth), "%s depth", name);
}

/* Skips of lengths from 1 to 10^7 (and fills between them) on a stream
 * with the jump and one without: the same counts per phase, the same
 * state after each, the same instructions at the end. Returns the cycles
 * jumped. */
static uint64_t fast_is_slow(const wl_stream_params *p, const char *name,
			     uint64_t seed)
{
	wl_stream *fa = make(p, seed, false), *sl = make(p, seed, true);
	uint64_t cf[WL_STREAM_PHASES] = {0}, cs[WL_STREAM_PHASES] = {0};
	enum { B = 700 };
	trace_insn a[B], b[B];
	uint64_t x = seed, total = 0;
	for (int i = 0; i < 60; i++) {
		/* Lengths spread over 7 decades, and around a boundary. */
		x = sim_splitmix64(x);
		uint64_t n = (uint64_t)pow(10, (double)(x % 7000) / 1000);
		if (i % 5 == 4)
			n = 1 + x % 3;
		wl_stream_skip(fa, n, cf);
		wl_stream_skip(sl, n, cs);
		total += n;
		uint64_t sum = 0;
		for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++) {
			cr_assert(eq(u64, cf[ph], cs[ph]),
				  "%s skip %d of %llu: phase %u", name, i,
				  (unsigned long long)n, ph);
			sum += cf[ph];
		}
		cr_assert(eq(u64, sum, total), "%s: skipped %llu of %llu", name,
			  (unsigned long long)sum, (unsigned long long)total);
		same_state(fa, sl, name, n);
		if (i % 3 == 0) {
			size_t k = 1 + (size_t)(x >> 40) % B;
			wl_stream_fill(fa, a, k);
			wl_stream_fill(sl, b, k);
			cr_assert(eq(int, memcmp(a, b, k * sizeof *a), 0),
				  "%s: fill after skip %d", name, i);
		}
	}
	wl_stream_fill(fa, a, B);
	wl_stream_fill(sl, b, B);
	cr_assert(eq(int, memcmp(a, b, sizeof a), 0), "%s: the end", name);
	cr_assert(eq(u64, sl->jumped, 0));
	uint64_t jumped = fa->jumped;
	wl_stream_destroy(fa);
	wl_stream_destroy(sl);
	return jumped;
}

static bool qualifies(const wl_stream_params *p)
{
	wl_prog prog[WL_EV_COUNT];
	return p->regular && wl_stream_programs(p, prog) == 1;
}

Test(stream_skip, the_jump_is_the_walk_on_every_preset, .timeout = 120)
{
	unsigned fast = 0, eligible = 0;
	for (size_t i = 0; wl_stream_preset_at(i); i++) {
		const wl_stream_preset *w = wl_stream_preset_at(i);
		uint64_t j = fast_is_slow(&w->params, w->name, 11 + i);
		if (!qualifies(&w->params))
			cr_expect(eq(u64, j, 0), "%s jumped", w->name);
		eligible += qualifies(&w->params);
		cr_log_info("%s: %s, %llu cycles jumped", w->name,
			    qualifies(&w->params) ? "eligible" : "not eligible",
			    (unsigned long long)j);
		fast += j > 0;
	}
	/* The dense benchmark loops are the point: they jump. */
	const char *dense[] = {"lmbench-null-call", "lmbench-null-io",
			       "lmbench-sig-inst", "lmbench-ctx-2p-0k",
			       "aa-syscall", "aa-pgfault", "aa-divzero"};
	for (size_t i = 0; i < sizeof dense / sizeof *dense; i++)
		cr_expect(gt(u64, fast_is_slow(preset(dense[i]), dense[i], 5),
			     100),
			  "%s does not jump", dense[i]);
	cr_expect(ge(u32, fast, 14), "%u of %u eligible presets jump", fast,
		  eligible);
}

/* A fork every cycle (the child and back to the parent) in one of 3
 * address spaces, and context switches around 5 of them: the address
 * space and parent follow, and so do the page cursors of page and
 * protection faults. */
Test(stream_skip, address_spaces_and_cursors_follow_the_walk)
{
	wl_stream_params p = *preset("lmbench-fork");
	p.processes = 3;
	p.fork_insns = 3000;
	p.exit_insns = 2000;
	p.fork_ptes = 7;
	p.exit_ptes = 5;
	p.cow_faults = 4;
	p.prot_fault_insns = 100;
	p.forks = 1000.0 / 9000;
	cr_expect(gt(u64, fast_is_slow(&p, "fork", 3), 100));
	wl_stream_params c = *preset("lmbench-ctx-2p-0k");
	c.processes = 5;
	cr_expect(gt(u64, fast_is_slow(&c, "ctx5", 4), 100));
	wl_stream_params f = *preset("aa-pgfault");
	f.base_page = 1 << 16;
	cr_expect(gt(u64, fast_is_slow(&f, "pgfault", 6), 100));
	wl_stream_params w = *preset("lmbench-prot-fault");
	w.ws_bytes = 3 * 4096;
	cr_expect(gt(u64, fast_is_slow(&w, "prot", 7), 100));
	wl_stream_params k = *preset("aa-syscall");
	k.level = WL_LEVEL_KERNEL;
	k.syscalls = 0;
	k.ctx_switches = 1000.0 / 400;
	k.processes = 4;
	k.ctx_insns = 100;
	cr_expect(gt(u64, fast_is_slow(&k, "kernel ctx", 8), 100));
}

Test(stream_skip, same_seed_same_calls_same_stream)
{
	const wl_stream_params *p = preset("lmbench-null-io");
	wl_stream *a = make(p, 21, false), *b = make(p, 21, false);
	uint64_t ca[WL_STREAM_PHASES] = {0}, cb[WL_STREAM_PHASES] = {0};
	trace_insn x[300], y[300];
	for (uint64_t n = 5; n < 50000000; n = n * 7 + 3) {
		wl_stream_skip(a, n, ca);
		wl_stream_skip(b, n, cb);
		wl_stream_fill(a, x, 300);
		wl_stream_fill(b, y, 300);
		cr_assert(eq(int, memcmp(x, y, sizeof x), 0));
	}
	cr_expect(eq(int, memcmp(ca, cb, sizeof ca), 0));
	cr_expect(gt(u64, a->jumped, 0));
	wl_stream_destroy(a);
	wl_stream_destroy(b);
}

/* What does not qualify walks: Poisson events, two programs, and a gap
 * mean within 1 below a power of two (15.5: acc + 15.5 can reach 16, a
 * sum that rounds at the binade's edge). */
Test(stream_skip, other_streams_walk)
{
	wl_stream_params poisson = *preset("aa-syscall");
	poisson.regular = false;
	cr_expect(eq(u64, fast_is_slow(&poisson, "poisson", 1), 0));
	cr_expect(eq(u64, fast_is_slow(preset("lmbench-exec"), "exec", 2), 0));
	wl_stream_params two = *preset("aa-syscall");
	two.divides = two.syscalls / 4;
	two.divide_insns = 5;
	cr_expect(eq(u64, fast_is_slow(&two, "two", 3), 0));
	/* One syscall of 12 instructions per 27.5: a gap mean of 15.5. */
	wl_stream_params edge = *preset("aa-syscall");
	edge.syscalls = 1000.0 / 27.5;
	gsl_rng *r = sim_rng_stream(1, "workload/stream");
	wl_stream *g = wl_stream_create(&edge, r);
	gsl_rng_free(r);
	cr_expect(ieee_ulp_eq(dbl, g->gap_mean, 15.5, 64), "%.17g",
		  g->gap_mean);
	wl_stream_destroy(g);
	cr_expect(eq(u64, fast_is_slow(&edge, "edge", 4), 0));
}

/* Skips with own instructions apart (wl_stream_skip_cycles, the jump;
 * wl_stream_skip_events, whole events walked), from the body between
 * two events, against the part-by-part skip over as many instructions:
 * the same mix per phase, the same own instructions, the same state; a
 * call that consumes nothing leaves the stream as it was. Returns the
 * calls that consumed. */
static int apart_is_part_by_part(const wl_stream_params *p, const char *name,
				 uint64_t seed, bool events)
{
	wl_stream *a = make(p, seed, false), *b = make(p, seed, false);
	uint64_t ca[WL_STREAM_PHASES] = {0}, cb[WL_STREAM_PHASES] = {0};
	uint64_t x = seed;
	int consumed = 0;
	for (int i = 0; i < 40; i++) {
		trace_insn op;
		unsigned ph;
		bool own;
		/* The same parts on both until a is between two events. */
		do {
			uint64_t n = 1 + sim_splitmix64(x + (uint64_t)i) % 50;
			wl_stream_skip_part(a, n, ca, &op, &ph, &own);
			wl_stream_skip_part(b, n, cb, &op, &ph, &own);
		} while (!wl_stream_between_events(a));
		cr_assert(eq(int, wl_stream_between_events(b), 1));
		x = sim_splitmix64(x);
		uint64_t n = (uint64_t)pow(10, 1 + (double)(x % 5000) / 1000);
		uint64_t oa = 0, ob = 0;
		uint64_t got = events ? wl_stream_skip_events(a, n, ca, &oa)
				      : wl_stream_skip_cycles(a, n, ca, &oa);
		cr_assert(le(u64, got, n), "%s", name);
		for (uint64_t left = got; left;) {
			uint64_t k = wl_stream_skip_part(b, left, cb, &op, &ph,
							 &own);
			ob += own;
			left -= k;
		}
		for (unsigned q = 0; q < WL_STREAM_PHASES; q++)
			cr_assert(eq(u64, ca[q], cb[q]), "%s skip %d of %llu: "
				  "phase %u", name, i, (unsigned long long)n, q);
		cr_assert(eq(u64, oa, ob), "%s skip %d: own", name, i);
		if (got) {
			cr_assert(eq(int, a->state == WL_S_BODY && !a->gap_left,
				     1), "%s: not at a cycle boundary", name);
			/* The jump leaves the page and loop position of the
			 * last cycle it walked, not of the last it passed:
			 * dead at a boundary, where the next event's loop
			 * sets them before any use, as the same
			 * instructions after show. */
			trace_insn fa[300], fb[300];
			wl_stream_fill(a, fa, 300);
			wl_stream_fill(b, fb, 300);
			cr_assert(eq(int, memcmp(fa, fb, sizeof fa), 0),
				  "%s skip %d: the instructions after", name,
				  i);
			a->cur_va = b->cur_va;
			a->loop_i = b->loop_i;
		}
		same_state(a, b, name, n);
		consumed += got > 0;
	}
	trace_insn fa[500], fb[500];
	wl_stream_fill(a, fa, 500);
	wl_stream_fill(b, fb, 500);
	cr_assert(eq(int, memcmp(fa, fb, sizeof fa), 0), "%s: the end", name);
	wl_stream_destroy(a);
	wl_stream_destroy(b);
	return consumed;
}

Test(stream_skip, own_apart_is_part_by_part)
{
	/* Short cycles jump; long ones are walked event by event. */
	const char *cyc[] = {"lmbench-prot-fault", "lmbench-page-fault",
			     "aa-pgfault", "lmbench-null-call"};
	for (size_t i = 0; i < sizeof cyc / sizeof *cyc; i++) {
		cr_expect(gt(int, apart_is_part_by_part(preset(cyc[i]), cyc[i],
							3 + i, false), 5),
			  "%s does not jump", cyc[i]);
		cr_expect(gt(int, apart_is_part_by_part(preset(cyc[i]), cyc[i],
							3 + i, true), 5),
			  "%s: no whole events", cyc[i]);
	}
	const char *lng[] = {"lmbench-fork", "lmbench-mmap", "forkwait"};
	for (size_t i = 0; i < sizeof lng / sizeof *lng; i++)
		cr_expect(gt(int, apart_is_part_by_part(preset(lng[i]), lng[i],
							9 + i, true), 0),
			  "%s: no whole events", lng[i]);
	/* Several programs or a mix with own classes: nothing consumed. */
	cr_expect(eq(int, apart_is_part_by_part(preset("linux-build"),
						"linux-build", 2, true), 0));
	cr_expect(eq(int, apart_is_part_by_part(preset("aa-ptemod"),
						"aa-ptemod", 2, false), 0));
}

/* The part-by-part skip as it was before a kernel-work step's mix and
 * PTE write were taken at once: one wl_stream_part after another, mix
 * counted, up to the first own instruction. */
static uint64_t two_parts(wl_stream *g, uint64_t n, uint64_t *count,
			  trace_insn *op, unsigned *ph, bool *own)
{
	uint64_t done = 0;
	*own = false;
	while (done < n) {
		uint64_t room = n - done;
		size_t k = wl_stream_part(g, op, (size_t)room, true, ph, own);
		if (*own)
			return done + 1;
		count[*ph] += k;
		done += k;
	}
	return done;
}

/* wl_stream_skip_part, which takes a kernel-work step's mix and its next
 * PTE write in one call, against two_parts: the same instructions
 * skipped, the same own instruction, phase and counts, the same state,
 * on streams with kernel work (fork, exit, faults, mmap) and one whose
 * kernel mix has own classes (drawn, so never taken at once). */
Test(stream_skip, a_kernel_step_at_once_is_its_two_parts)
{
	const char *names[] = {"forkwait", "lmbench-fork", "lmbench-mmap",
			       "aa-ptemod", "linux-build", "disco-pmake"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		wl_stream *a = make(preset(names[i]), 5 + i, false);
		wl_stream *b = make(preset(names[i]), 5 + i, false);
		/* As the sampled mode skips, the mix's own classes apart
		 * (aa-ptemod's PTE writes are in its mix), or not. */
		bool split = i % 2 == 0 || !strcmp(names[i], "aa-ptemod");
		wl_stream_split_mix(a, split);
		wl_stream_split_mix(b, split);
		uint64_t ca[WL_STREAM_PHASES] = {0}, cb[WL_STREAM_PHASES] = {0};
		uint64_t x = 77 + i, owns = 0;
		for (int j = 0; j < 20000; j++) {
			x = sim_splitmix64(x);
			uint64_t n = 1 + x % (j % 3 ? 40 : 4000);
			trace_insn oa, ob;
			memset(&oa, 0, sizeof oa);
			memset(&ob, 0, sizeof ob);
			unsigned pa = 99, pb = 99;
			bool wa, wb;
			uint64_t ka = wl_stream_skip_part(a, n, ca, &oa, &pa,
							  &wa);
			uint64_t kb = two_parts(b, n, cb, &ob, &pb, &wb);
			cr_assert(eq(u64, ka, kb), "%s call %d of %llu",
				  names[i], j, (unsigned long long)n);
			cr_assert(eq(int, wa, wb), "%s call %d own", names[i],
				  j);
			if (wa) {
				cr_assert(eq(u32, pa, pb), "%s call %d phase",
					  names[i], j);
				cr_assert(eq(int, memcmp(&oa, &ob, sizeof oa),
					     0),
					  "%s call %d: the own instruction",
					  names[i], j);
				owns++;
			}
			cr_assert(eq(int, memcmp(ca, cb, sizeof ca), 0),
				  "%s call %d: counts", names[i], j);
			same_state(a, b, names[i], n);
		}
		cr_expect(gt(u64, owns, 100), "%s: %llu own instructions",
			  names[i], (unsigned long long)owns);
		wl_stream_destroy(a);
		wl_stream_destroy(b);
	}
}

/* What the jump's early refusal rests on (wl_stream_skip_cycles needs
 * four cycles' worth of room, a cycle being at least the program and
 * floor(gap_mean) of body): every cycle walked between two boundaries
 * of a regular stream of one program is at least that long, and the
 * program's instructions, wl_prog_len, are exactly what one event
 * issues. */
Test(stream_skip, a_cycle_is_at_least_its_program_and_shortest_gap)
{
	const char *names[] = {"forkwait", "lmbench-fork", "lmbench-null-call",
			       "aa-pgfault", "lmbench-ctx-2p-64k",
			       "lmbench-prot-fault"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const wl_stream_params *p = preset(names[i]);
		cr_assert(qualifies(p), "%s", names[i]);
		wl_stream *g = make(p, 3 + i, false);
		uint64_t len = wl_prog_len(&g->prog[0]);
		uint64_t least = len + (uint64_t)floor(g->gap_mean);
		uint64_t c[WL_STREAM_PHASES] = {0};
		trace_insn op;
		unsigned ph;
		bool o;
		/* To the first boundary: the body, then an event. */
		while (!(g->state == WL_S_EVENT))
			wl_stream_skip_part(g, 1, c, &op, &ph, &o);
		for (int k = 0; k < 5; k++) {
			/* One event, counted apart from the gap after it. */
			uint64_t ev = 0;
			while (g->state == WL_S_EVENT)
				ev += wl_stream_skip_part(g, 1, c, &op, &ph,
							  &o);
			cr_expect(eq(u64, ev, len), "%s event %d", names[i],
				  k);
			uint64_t gap = 0;
			while (g->state != WL_S_EVENT)
				gap += wl_stream_skip_part(g, 1, c, &op, &ph,
							   &o);
			cr_expect(ge(u64, ev + gap, least), "%s cycle %d",
				  names[i], k);
		}
		/* Not refused with room for five of the longest cycles,
		 * from between two events: two walked, at least one
		 * jumped, one left. */
		while (!wl_stream_between_events(g))
			wl_stream_skip_part(g, 1, c, &op, &ph, &o);
		uint64_t own = 0, most = len + (uint64_t)ceil(g->gap_mean) + 1;
		cr_expect(gt(u64, wl_stream_skip_cycles(g, 5 * most, c, &own),
			     0), "%s: no jump in 5 cycles", names[i]);
		cr_expect(gt(u64, g->jumped, 0), "%s jumped", names[i]);
		wl_stream_destroy(g);
	}
}

/* ---- the scan of a wholly sequential body through skips --------------- */

/* The first user data access of the next n instructions filled (0 if
 * none). */
static uint64_t next_access(wl_stream *g, size_t n)
{
	trace_insn *b = calloc(n, sizeof *b);
	wl_stream_fill(g, b, n);
	uint64_t va = 0;
	for (size_t i = 0; i < n && !va; i++)
		if ((b[i].op == TRACE_OP_LOAD || b[i].op == TRACE_OP_STORE) &&
		    b[i].va >= WL_VA_WS && b[i].va < g->ws_end)
			va = b[i].va;
	free(b);
	return va;
}

/* A body whose every access is sequential (the lmbench context switch:
 * a 16 KiB array summed word by word) has one scan: k body instructions
 * passed move it by floor(k x data share) strides, round the array, and
 * the stream's next access is the one after. */
Test(stream_scan, a_passed_body_moves_a_sequential_scan)
{
	const wl_stream_params *p = preset("lmbench-ctx-2p-16k");
	cr_assert(eq(u64, p->ws_bytes, 16384));
	cr_assert(eq(u64, p->stride_bytes, 4));
	const uint64_t ks[] = {1, 999, 20000, 123457, 3000000};
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
		wl_stream *g = make(p, 3, false);
		cr_assert(eq(u64, g->last, WL_VA_WS));
		wl_stream_pass_scan(g, ks[i], NULL, 0);
		uint64_t a = (uint64_t)floor((double)ks[i] * g->body.data);
		cr_expect(eq(u64, g->last, WL_VA_WS + a % 4096 * 4),
			  "k %llu", (unsigned long long)ks[i]);
		uint64_t want = g->last + 4 < g->ws_end ? g->last + 4
							 : WL_VA_WS;
		cr_expect(eq(u64, next_access(g, 64), want));
		wl_stream_destroy(g);
	}
}

/* The scan's access after va (as the mix steps it). */
static uint64_t step(const wl_stream *g, uint64_t va)
{
	return va + g->stride < g->ws_end ? va + g->stride : WL_VA_WS;
}

/* Passing k body instructions and warming over them leave the scan at
 * the same place: the warming's loads are the scan's next ones, one
 * stride apart, back to the start past the end (a stride that does not
 * divide the array: 12 B over 16 KiB, a period of 1366 steps); past the
 * cap, the last of them. */
Test(stream_scan, warming_and_passing_agree_on_the_scan)
{
	wl_stream_params p = *preset("lmbench-ctx-2p-16k");
	p.stride_bytes = 12;
	enum { CAP = 1024 };
	trace_insn loads[CAP];
	uint64_t total = 0;
	int capped = 0;
	wl_stream *a = make(&p, 4, false), *b = make(&p, 4, false);
	for (int r = 0; r < 40; r++) {
		/* 150 to 2500 loads at the preset's data share of one half. */
		uint64_t k = 300 + 120 * (uint64_t)r;
		wl_stream_pass_scan(a, k, NULL, 0);
		uint64_t from = b->last;
		size_t n = wl_stream_warm_loads(b, 0, k, loads, CAP);
		cr_assert(gt(sz, n, 0));
		total += n;
		capped += n == CAP;
		if (n < CAP)
			cr_assert(eq(u64, loads[0].va, step(b, from)));
		for (size_t i = 1; i < n; i++)
			cr_assert(eq(u64, loads[i].va, step(b, loads[i - 1].va)),
				  "round %d load %zu", r, i);
		cr_assert(eq(u64, loads[n - 1].va, b->last));
		cr_assert(eq(u64, a->last, b->last), "round %d", r);
	}
	cr_expect(gt(int, capped, 0));
	/* Round the array more than once. */
	cr_expect(gt(u64, total, 2 * 1366));
	cr_expect(eq(u64, next_access(a, 64), next_access(b, 64)));
	wl_stream_destroy(a);
	wl_stream_destroy(b);
}

/* Other bodies keep their realization: after a random access the scan's
 * place is itself random, so passing moves nothing there. */
Test(stream_scan, passing_leaves_other_bodies_alone)
{
	const char *names[] = {"dbench", "spec-cint", "disco-database"};
	enum { N = 50000 };
	trace_insn *x = calloc(N, sizeof *x), *y = calloc(N, sizeof *y);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const wl_stream_params *p = preset(names[i]);
		wl_stream *a = make(p, 5, false), *b = make(p, 5, false);
		wl_stream_fill(a, x, N);
		wl_stream_fill(b, y, N);
		cr_expect(eq(sz, wl_stream_pass_scan(b, 123456, NULL, 0), 0));
		wl_stream_fill(a, x, N);
		wl_stream_fill(b, y, N);
		cr_expect(eq(int, memcmp(x, y, N * sizeof *x), 0), "%s",
			  names[i]);
		wl_stream_destroy(a);
		wl_stream_destroy(b);
	}
	free(x);
	free(y);
}

/* The pages wl_stream_pass_scan gives are those the passed accesses
 * touched, in the order of their last touch, the last cap of them:
 * against a walk access by access, for strides below, at and above a
 * page, cut or not by the cap, from many places of the scan. */
Test(stream_scan, the_pages_passed_are_the_walks)
{
	wl_stream_params p = *preset("lmbench-ctx-2p-16k");
	const uint64_t strides[] = {4, 12, 4096, 5000, 8192};
	const uint64_t ks[] = {1, 3, 700, 2001, 8000, 9001, 40000};
	const size_t caps[] = {2, 4, 64};
	enum { PAGES = 4, MAXW = 40000, NK = sizeof ks / sizeof ks[0] };
	trace_insn out[64];
	uint64_t *walk = calloc(MAXW, sizeof *walk);
	for (size_t s = 0; s < sizeof strides / sizeof strides[0]; s++) {
		p.stride_bytes = strides[s];
		wl_stream *a = make(&p, 6, false), *b = make(&p, 6, false);
		const uint64_t period = (16384 + strides[s] - 1) / strides[s];
		for (size_t r = 0; r < 3 * NK + 12; r++) {
			uint64_t k = r < 3 * NK ? ks[r % NK] : 0;
			size_t cap = caps[r % 3];
			if (r >= 3 * NK) {
				/* The edges: from the last place before the
				 * end (the next access goes back to the start)
				 * or from the start, a whole period, one less,
				 * one more; an access an instruction. */
				uint64_t at = r % 2 ? WL_VA_WS
					    : WL_VA_WS + (period - 1) * strides[s];
				const uint64_t as[] = {1, period - 1, period,
						       period + 1, 2 * period + 3,
						       2};
				a->last = b->last = at;
				a->body.data = b->body.data = 1;
				a->wfrac[0] = b->wfrac[0] = 0;
				k = as[(r - 3 * NK) / 2];
				cap = 64;
			}
			size_t n = wl_stream_pass_scan(a, k, out, cap);
			/* b walks the same accesses one by one. */
			double x = (double)k * b->body.data + b->wfrac[0];
			uint64_t acc = (uint64_t)floor(x);
			b->wfrac[0] = x - floor(x);
			cr_assert(le(u64, acc, MAXW));
			for (uint64_t i = 0; i < acc; i++)
				walk[i] = b->last = step(b, b->last);
			cr_assert(eq(u64, a->last, b->last));
			/* Distinct pages by last touch, newest first. */
			uint64_t want[PAGES];
			size_t m = 0;
			for (uint64_t i = acc; i-- > 0 && m < PAGES;) {
				uint64_t pg = (walk[i] - WL_VA_WS) / 4096;
				bool seen = false;
				for (size_t j = 0; j < m; j++)
					seen |= want[j] == pg;
				if (!seen)
					want[m++] = pg;
			}
			size_t expect = m < cap ? m : cap;
			cr_assert(eq(sz, n, expect), "stride %llu k %llu cap %zu",
				  (unsigned long long)strides[s],
				  (unsigned long long)k, cap);
			for (size_t i = 0; i < n; i++)
				cr_assert(eq(u64, (out[i].va - WL_VA_WS) / 4096,
					     want[n - 1 - i]),
					  "stride %llu k %llu page %zu",
					  (unsigned long long)strides[s],
					  (unsigned long long)k, i);
		}
		wl_stream_destroy(a);
		wl_stream_destroy(b);
	}
	free(walk);
}
