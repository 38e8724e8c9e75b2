/* SPDX-License-Identifier: MIT */
/*
 * Skipping ahead in a stream without generating it (wl_stream_skip), and
 * jumping over whole cycles of a regular stream of one program.
 *
 * A regular stream of one event program (a benchmark loop: lmbench's
 * null call, the nanobenchmarks) repeats one cycle: a gap of body from
 * the deterministic accumulator of draw_gap, then the program, whose
 * instructions per phase are fixed and which moves the generator's
 * counters by fixed amounts (the fresh and protected page cursors, the
 * address space on a circle of `processes`, the parent set at a fork).
 * Walking such a stream costs its events: a skip of 400,000 instructions
 * of the null call walks 18,000 of them. The jump walks two cycles from
 * a cycle boundary (the gap used up, the next event not started) and
 * records what each moved; if both moved the same, it applies m more
 * cycles by arithmetic, leaving at least one whole cycle to walk after
 * them, so that what only an event's run sets (the page it touches, the
 * loop's position) is set as walking would. Anything else falls back to
 * the walk, and so does a gap accumulator whose additions could round
 * (below). The result is the walk's: same per-phase counts and state.
 */
#include "stream_gen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

void wl_stream_slow_skip(wl_stream *g, bool on)
{
	g->slow_skip = on;
}

static bool at_boundary(const wl_stream *g)
{
	return g->state == WL_S_BODY && !g->gap_left;
}

/* Skips up to n instructions part by part, adding them to count (own
 * instructions to *own instead, when own is not NULL); with stop, only
 * up to the next cycle boundary. Returns those skipped. */
static uint64_t walk(wl_stream *g, uint64_t n, uint64_t *count,
		     uint64_t *own_count, bool stop)
{
	trace_insn one_insn;
	uint64_t done = 0;
	while (done < n) {
		unsigned ph;
		bool own;
		uint64_t room = n - done;
		/* A kernel-work step at once (its PTE writes draw nothing). */
		uint64_t kb = wl_stream_kb_rest(g, room, count, own_count);
		if (kb) {
			done += kb;
			continue;
		}
		size_t k = wl_stream_part(g, &one_insn,
					  room < SIZE_MAX ? (size_t)room
							  : SIZE_MAX,
					  true, &ph, &own);
		if (own && own_count)
			*own_count += k;
		else
			count[ph] += k;
		done += k;
		if (stop && at_boundary(g))
			break;
	}
	return done;
}

/* The regular gap accumulator (draw_gap: acc += gap_mean, the gap its
 * floor, acc the fraction left) in integers of its ulp: acc = a / U and
 * gap_mean = gm / U. Exact when gap_mean is in [2^(e-1), 2^e) with
 * gap_mean + 1 <= 2^e: every sum acc + gap_mean then lies in that
 * binade, a multiple of its ulp 2^(e-53), so it is exact, and so are its
 * floor and fraction; m draws are then one integer division, exactly
 * what m additions give, bit for bit. Other means (below 1, or within 1
 * of a power of two, where a sum rounds) are left to the walk. */
typedef struct fixed {
	int sh;      /* U = 2^sh */
	uint64_t U, gm;
} fixed;

static bool fixed_of(const wl_stream *g, fixed *f)
{
	double G = g->gap_mean;
	if (!(G >= 1 && G < 0x1p52))
		return false;
	int e;
	frexp(G, &e); /* 2^(e-1) <= G < 2^e */
	if (ldexp(1, e) - G < 1) /* exact (Sterbenz) */
		return false;
	f->sh = 53 - e;
	f->U = UINT64_C(1) << f->sh;
	f->gm = (uint64_t)ldexp(G, f->sh);
	return true;
}

/* acc in units of f, false if it is not a whole number of them. */
static bool acc_of(const wl_stream *g, const fixed *f, uint64_t *a)
{
	double x = ldexp(g->acc, f->sh);
	if (!(g->acc >= 0 && g->acc < 1) || x != floor(x))
		return false;
	*a = (uint64_t)x;
	return true;
}

/* What a cycle moves. */
typedef struct snap {
	uint64_t fresh, wsprot;
	uint16_t asid, parent;
	unsigned depth;
} snap;

static snap snap_of(const wl_stream *g)
{
	return (snap){g->fresh, g->wsprot, g->asid, g->parent, g->depth};
}

/* (b - a) on the circle of p address spaces. */
static uint64_t turn(uint16_t a, uint16_t b, uint64_t p)
{
	return ((uint64_t)b + p - a) % p;
}

/* Jumps over whole cycles of a regular stream of one program, within n
 * instructions, counting them in count (own instructions in *own when
 * own is not NULL); returns the instructions skipped (walked or jumped),
 * 0 when the stream does not qualify. */
static uint64_t jump(wl_stream *g, uint64_t n, uint64_t *count,
		     uint64_t *own)
{
	fixed f;
	if (g->slow_skip || g->nprog != 1 || !g->p.regular ||
	    g->state == WL_S_START || !fixed_of(g, &f))
		return 0;
	/* Fewer than 4 gaps' worth of instructions: walking is as cheap. */
	if (n / 4 < f.gm / f.U + 1)
		return 0;
	/* A cycle is the program and a gap of at least floor(gap_mean):
	 * Lc instructions or more. A jump walks two cycles, leaves one and
	 * passes at least one, so it needs n >= 4 Lc + 1 (below); with less
	 * it would fail after walking up to n in vain (forkwait's cycles of
	 * 471,000 instructions against sampled skips of 0.3-1.6 million). */
	uint64_t lc = wl_prog_len(&g->prog[0]) + (f.gm >> f.sh);
	if (lc > (n - 1) / 4)
		return 0;
	uint64_t done = at_boundary(g) ? 0 : walk(g, n, count, own, true);
	/* Two cycles walked, what each moved recorded: events' instructions
	 * per phase (the gap apart), own instructions (when apart) and the
	 * counters. */
	uint64_t ev[2][WL_STREAM_PHASES], ow[2] = {0, 0};
	snap s[3];
	uint64_t a;
	s[0] = snap_of(g);
	for (int c = 0; c < 2; c++) {
		if (!at_boundary(g) || !acc_of(g, &f, &a))
			return done;
		uint64_t gap = (a + f.gm) >> f.sh;
		memset(ev[c], 0, sizeof ev[c]);
		done += walk(g, n - done, ev[c], own ? &ow[c] : NULL, true);
		for (unsigned p = 0; p < WL_STREAM_PHASES; p++)
			count[p] += ev[c][p];
		if (own)
			*own += ow[c];
		if (!at_boundary(g) || ev[c][0] < gap)
			return done;
		ev[c][0] -= gap;
		/* The floating-point draw was the integer one. */
		if (g->acc != ldexp((double)((a + f.gm) & (f.U - 1)), -f.sh))
			return done;
		s[c + 1] = snap_of(g);
	}
	if (!acc_of(g, &f, &a) || ow[0] != ow[1] ||
	    memcmp(ev[0], ev[1], sizeof ev[0]) != 0)
		return done;
	uint64_t P = g->p.processes, L = ow[0];
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++)
		L += ev[0][p];
	uint64_t dfresh = s[1].fresh - s[0].fresh;
	uint64_t dws = s[1].wsprot - s[0].wsprot;
	bool same_parent = s[0].parent == s[1].parent &&
			   s[1].parent == s[2].parent;
	bool fork_parent = s[1].parent == s[0].asid &&
			   s[2].parent == s[1].asid;
	if (!L || s[0].depth != s[1].depth || s[1].depth != s[2].depth ||
	    s[2].fresh - s[1].fresh != dfresh ||
	    s[2].wsprot - s[1].wsprot != dws || !P || s[0].asid >= P ||
	    s[1].asid >= P || s[2].asid >= P ||
	    turn(s[0].asid, s[1].asid, P) != turn(s[1].asid, s[2].asid, P) ||
	    !(same_parent || fork_parent))
		return done;
	/* m cycles take m L + floor((a + m gm) / U) instructions; at least
	 * one whole cycle (at most L + floor(gap_mean) + 1) is left to walk. */
	uint64_t longest = L + (f.gm >> f.sh) + 1;
	if (n - done <= longest)
		return done;
	u128 room = (u128)(n - done - longest + 1) << f.sh;
	if (room <= a)
		return done;
	u128 m128 = (room - a - 1) / (((u128)L << f.sh) + f.gm);
	if (!m128)
		return done;
	uint64_t m = (uint64_t)m128; /* < n: each cycle takes >= 1 */
	u128 acc = (u128)a + (u128)m * f.gm;
	uint64_t gaps = (uint64_t)(acc >> f.sh);
	count[0] += gaps;
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++)
		count[p] += m * ev[0][p];
	if (own)
		*own += m * ow[0];
	done += m * L + gaps;
	g->jumped += m;
	g->acc = ldexp((double)(uint64_t)(acc & (f.U - 1)), -f.sh);
	g->fresh += m * dfresh;
	g->wsprot += m * dws;
	uint64_t d = turn(s[1].asid, s[2].asid, P);
	uint16_t asid = g->asid;
	g->asid = (uint16_t)((asid + (m % P) * d) % P);
	if (!same_parent) /* the address space the last cycle forked from */
		g->parent = (uint16_t)((asid + ((m - 1) % P) * d) % P);
	return done;
}

void wl_stream_skip(wl_stream *g, uint64_t n, uint64_t *count)
{
	/* Part by part, the own instructions counted with the mix: they
	 * draw nothing, and the mix is not split (nothing is drawn). */
	bool split = g->split_mix;
	g->split_mix = false;
	n -= jump(g, n, count, NULL);
	walk(g, n, count, NULL, false);
	g->split_mix = split;
}

/* A stream's state and a caller's counts, to restore an attempt that
 * did not succeed. */
typedef struct mark {
	wl_stream g;
	uint64_t count[WL_STREAM_PHASES], own;
} mark;

static void mark_set(mark *m, const wl_stream *g, const uint64_t *count,
		     uint64_t own)
{
	memcpy(&m->g, g, sizeof *g);
	memcpy(m->count, count, sizeof m->count);
	m->own = own;
}

static void mark_restore(const mark *m, wl_stream *g, uint64_t *count,
			 uint64_t *own)
{
	memcpy(g, &m->g, sizeof *g);
	memcpy(count, m->count, sizeof m->count);
	*own = m->own;
}

/* Whether g can pass cycles with its own instructions apart: between two
 * events, and no own classes in its mix (they would be counted as mix). */
static bool passable(const wl_stream *g)
{
	return wl_stream_between_events(g) && !(g->body.own > 0) &&
	       !(g->kern.own > 0);
}

uint64_t wl_stream_skip_cycles(wl_stream *g, uint64_t n, uint64_t *count,
			       uint64_t *own)
{
	if (!passable(g))
		return 0;
	/* All or nothing: a jump that fails may have walked into an event,
	 * and the caller would then have lost its own instructions. */
	mark *m = sim_xmalloc(sizeof *m);
	mark_set(m, g, count, *own);
	const uint64_t jumped = g->jumped;
	bool split = g->split_mix;
	g->split_mix = false;
	uint64_t done = jump(g, n, count, own);
	g->split_mix = split;
	if (g->jumped == jumped) {
		mark_restore(m, g, count, own);
		done = 0;
	}
	free(m);
	return done;
}

uint64_t wl_stream_skip_events(wl_stream *g, uint64_t n, uint64_t *count,
			       uint64_t *own)
{
	if (g->nprog != 1 || !g->p.regular || !passable(g))
		return 0;
	bool split = g->split_mix;
	g->split_mix = false;
	mark *m = sim_xmalloc(sizeof *m);
	uint64_t done = 0;
	/* Up to the next boundary (the body left, then an event and the
	 * body after it) as long as one is reached within n. */
	while (done < n) {
		mark_set(m, g, count, *own);
		uint64_t k = walk(g, n - done, count, own, true);
		if (!at_boundary(g)) {
			mark_restore(m, g, count, own);
			break;
		}
		done += k;
	}
	free(m);
	g->split_mix = split;
	return done;
}
