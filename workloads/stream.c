/* SPDX-License-Identifier: MIT */
/*
 * The instruction-stream generator: a body drawn from an instruction mix
 * (Walker's alias method over one 64-bit draw per instruction) with
 * addresses from the working-set pattern, interrupted by events that run
 * the programs of stream_params.c. All draws come from a xoshiro256**
 * state seeded from the caller's GSL stream: the GSL call per draw would
 * cost more than the rest of an instruction, and the generator has to
 * outrun an executor of 200 M instructions/s.
 */
#include "stream_gen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stream_rng.h"

/* ------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------ */

static trace_insn proto_of(int c)
{
	trace_insn i;
	memset(&i, 0, sizeof i);
	switch (c) {
	case WL_C_LOAD: i.op = TRACE_OP_LOAD; break;
	case WL_C_STORE: i.op = TRACE_OP_STORE; break;
	case WL_C_TAKEN: i.op = TRACE_OP_BRANCH; i.arg = 1; break;
	case WL_C_NOT_TAKEN: i.op = TRACE_OP_BRANCH; break;
	case WL_C_INDIRECT: i.op = TRACE_OP_INDIRECT; break;
	case WL_C_SENSITIVE: i.op = TRACE_OP_SENSITIVE; break;
	case WL_C_PTE: i.op = TRACE_OP_PTE_WRITE; i.arg = 1; break;
	default:
		if (c >= WL_C_PRIV0 && c < WL_CLASSES) {
			i.op = TRACE_OP_PRIV;
			i.arg = (uint8_t)(c - WL_C_PRIV0);
		}
		break;
	}
	return i;
}

/* Walker's alias table (Vose's construction) of prob[WL_CLASSES]. */
static void mixtab_init(wl_mixtab *t, const double *prob)
{
	double q[WL_COLS];
	int small[WL_COLS], large[WL_COLS], ns = 0, nl = 0;
	double sum = 0;
	for (int c = 0; c < WL_CLASSES; c++)
		sum += prob[c];
	t->own = 0;
	t->data = 0;
	for (int c = 0; c < WL_CLASSES; c++) {
		bool own = c == WL_C_SENSITIVE || c == WL_C_PTE ||
			   c >= WL_C_PRIV0;
		t->own += own && sum > 0 ? prob[c] / sum : 0;
		t->own_cdf[c] = t->own;
	}
	for (int c = 0; c < WL_COLS; c++) {
		q[c] = c < WL_CLASSES && sum > 0 ? prob[c] / sum * WL_COLS : 0;
		if (c >= WL_CLASSES && sum <= 0)
			q[c] = 0;
		t->alias[c] = (uint8_t)c;
		t->proto[c] = proto_of(c < WL_CLASSES ? c : WL_C_ALU);
		t->data += c < WL_CLASSES && sum > 0 &&
				   (c == WL_C_LOAD || c == WL_C_STORE)
			   ? prob[c] / sum
			   : 0;
		t->mem[c] = c == WL_C_LOAD || c == WL_C_STORE ? WL_MEM_DATA
			    : c == WL_C_PTE			  ? WL_MEM_PTE
								  : WL_MEM_NONE;
		if (q[c] < 1)
			small[ns++] = c;
		else
			large[nl++] = c;
	}
	while (ns && nl) {
		int s = small[--ns], l = large[nl - 1];
		t->thr[s] = (uint64_t)(q[s] * 0x1p32);
		t->alias[s] = (uint8_t)l;
		q[l] -= 1 - q[s];
		if (q[l] < 1) {
			nl--;
			small[ns++] = l;
		}
	}
	/* What remains has probability 1 up to rounding. */
	while (nl)
		t->thr[large[--nl]] = UINT64_C(1) << 32;
	while (ns)
		t->thr[small[--ns]] = UINT64_C(1) << 32;
}

static unsigned shift_of(uint64_t pow2)
{
	unsigned s = 0;
	while ((UINT64_C(1) << s) < pow2)
		s++;
	return s;
}

wl_stream *wl_stream_create(const wl_stream_params *p, gsl_rng *rng_in)
{
	sim_diag d;
	sim_diag_init(&d);
	if (wl_stream_check(p, "stream", &d))
		sim_panic("wl_stream_create: %s", d.text);
	sim_diag_fini(&d);
	if ((uint64_t)(gsl_rng_max(rng_in) - gsl_rng_min(rng_in)) !=
	    UINT64_C(0xffffffff))
		sim_panic("wl_stream_create: rng %s does not draw 32 bits",
			  gsl_rng_name(rng_in));
	wl_stream *g = sim_xcalloc(1, sizeof *g);
	g->p = *p;
	uint64_t any = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t hi = gsl_rng_get(rng_in) - gsl_rng_min(rng_in);
		uint64_t lo = gsl_rng_get(rng_in) - gsl_rng_min(rng_in);
		g->r.s[i] = hi << 32 | lo;
		any |= g->r.s[i];
	}
	if (!any)
		g->r.s[0] = 1;
	for (int i = 0; i < 4; i++)
		g->e.s[i] = sim_splitmix64(g->r.s[i] ^
					   UINT64_C(0x6a09e667f3bcc909));
	if (!(g->e.s[0] | g->e.s[1] | g->e.s[2] | g->e.s[3]))
		g->e.s[0] = 1;
	for (int i = 0; i < 4; i++)
		g->wr.s[i] = sim_splitmix64(g->r.s[i] ^
					    UINT64_C(0xbb67ae8584caa73b));
	if (!(g->wr.s[0] | g->wr.s[1] | g->wr.s[2] | g->wr.s[3]))
		g->wr.s[0] = 1;
	g->r.w = (gsl_rng_get(rng_in) - gsl_rng_min(rng_in)) << 32 |
		 (gsl_rng_get(rng_in) - gsl_rng_min(rng_in));
	g->kernel_level = p->level == WL_LEVEL_KERNEL;
	g->nprog = wl_stream_programs(p, g->prog);
	wl_mix m;
	if (!wl_stream_mix(p, g->prog, g->nprog, &m))
		sim_panic("wl_stream_create: events do not fit");
	mixtab_init(&g->body, m.pbody);
	mixtab_init(&g->kern, m.pkern);
	for (unsigned i = 0; i < g->nprog; i++) {
		g->total += g->prog[i].rate;
		g->cdf[i] = g->total;
	}
	g->gap_mean = g->nprog ? m.body / g->total : 0;
	g->gap_log = log1p(-1 / (g->gap_mean + 1));
	g->hot_bytes = p->hot_bytes;
	g->cold_bytes = p->ws_bytes - p->hot_bytes;
	/* Resolutions 2^-14 and 2^-13 (README). */
	g->hot_thr = !p->hot_bytes    ? 0
		     : !g->cold_bytes ? UINT64_C(1) << 14
				      : (uint64_t)lround(p->hot_access * 0x1p14);
	g->seq_thr = (uint64_t)lround(p->seq_access * 0x1p13);
	g->ws_end = WL_VA_WS + p->ws_bytes;
	g->stride = p->stride_bytes;
	g->last = WL_VA_WS;
	g->wlast = WL_VA_WS;
	uint64_t large = (uint64_t)(p->large_fraction * (double)p->ws_bytes) /
			 p->large_page * p->large_page;
	g->large_end = WL_VA_WS + large;
	g->large_shift = (uint8_t)shift_of(p->large_page);
	g->kws = p->kernel_ws_bytes;
	g->page = p->base_page;
	g->ws_pages = p->ws_bytes / p->base_page ? p->ws_bytes / p->base_page
						 : 1;
	g->region_pages = WL_REGION_BYTES / p->base_page;
	g->image = wl_image_va(p);  /* README "Addresses" */
	g->state = WL_S_START;
	return g;
}

void wl_stream_destroy(wl_stream *g)
{
	free(g);
}

uint16_t wl_stream_asid(const wl_stream *g)
{
	return g->asid;
}

unsigned wl_stream_depth(const wl_stream *g)
{
	return g->depth;
}

/* ------------------------------------------------------------------------
 * Mix
 * ------------------------------------------------------------------------ */

/* A user address for a PTE write of the mix (rare: branches are fine). */
static uint64_t user_page(wl_stream *g, wl_rng *r)
{
	uint64_t x = next(r), y = next(r);
	bool hot = ((x >> 45) & 0x3fff) < g->hot_thr;
	uint64_t va = hot ? WL_VA_WS + below(y, g->hot_bytes)
			  : WL_VA_WS + g->hot_bytes + below(y, g->cold_bytes);
	return va & ~(g->page - 1);
}

#define CHUNK 256

/* Writes k mix instructions of table t into out, in chunks. A first pass
 * draws each instruction's class (one draw: its top 5 bits the alias
 * column, its low 32 bits the column's threshold; bits 32-44 and 45-58
 * later say whether a user access is sequential and whether it is hot)
 * and notes the ones with an address; a second pass draws their offsets
 * from the second sequence. Both passes are free of branches the
 * processor would mispredict: the outcome of each draw is as unpredictable
 * to it as it is meant to be. */
static inline __attribute__((always_inline)) void
emit_mix_as(wl_stream *g, const wl_mixtab *t, bool kernel, trace_insn *out,
	    size_t k)
{
	wl_rng r = g->r;
	uint64_t last = g->last;
	const uint64_t hot_bytes = g->hot_bytes, cold_bytes = g->cold_bytes;
	const uint64_t cold_base = WL_VA_WS + hot_bytes, end = g->ws_end;
	const uint64_t large_end = g->large_end, stride = g->stride;
	const uint64_t seq_thr = g->seq_thr, hot_thr = g->hot_thr;
	const uint64_t kws = g->kws;
	const uint8_t shift = g->large_shift;
	uint16_t at[CHUNK];
	uint64_t xs[CHUNK];
	for (size_t from = 0; from < k; from += CHUNK) {
		size_t kk = k - from < CHUNK ? k - from : CHUNK, m = 0;
		trace_insn *o = out + from;
		for (size_t i = 0; i < kk; i++) {
			uint64_t x = next(&r);
			unsigned col = (unsigned)(x >> 59);
			unsigned c = (unsigned)pick((uint32_t)x < t->thr[col],
						    col, t->alias[col]);
			o[i] = t->proto[c];
			at[m] = (uint16_t)i;
			xs[m] = x;
			m += t->mem[c] == WL_MEM_DATA;
			if (__builtin_expect(t->mem[c] == WL_MEM_PTE, 0)) {
				g->r = r;
				o[i].va = user_page(g, &g->r);
				o[i].size = size_of(g, o[i].va);
				r = g->r;
			}
		}
		/* Written field by field: composing an instruction in a local
		 * and copying it would read back 16 bytes just written in
		 * parts, a store-forwarding stall. */
		for (size_t j = 0; j < m; j++) {
			uint64_t x = xs[j], y = next_w(&r);
			trace_insn *p = &o[at[j]];
			if (kernel) {
				p->va = WL_VA_KERNEL +
					(below(y, kws) & ~(uint64_t)7);
				continue;
			}
			bool hot = ((x >> 45) & 0x3fff) < hot_thr;
			bool seq = ((x >> 32) & 0x1fff) < seq_thr;
			uint64_t span = pick(hot, hot_bytes, cold_bytes);
			uint64_t base = pick(hot, WL_VA_WS, cold_base);
			uint64_t rv = base + (below(y, span) & ~(uint64_t)7);
			uint64_t sv = last + stride;
			sv = pick(sv >= end, WL_VA_WS, sv);
			uint64_t va = pick(seq, sv, rv);
			last = va;
			p->va = va;
			p->size = (uint8_t)pick(va < large_end, shift, 0);
		}
	}
	g->r = r;
	g->last = last;
}

/* The two specialisations, so that neither tests `kernel` per draw. */
static void emit_mix(wl_stream *g, const wl_mixtab *t, bool kernel,
		     trace_insn *out, size_t k)
{
	if (kernel)
		emit_mix_as(g, t, true, out, k);
	else
		emit_mix_as(g, t, false, out, k);
}

/* ------------------------------------------------------------------------
 * Events
 * ------------------------------------------------------------------------ */

static void draw_gap(wl_stream *g)
{
	if (!g->nprog) {
		g->gap_left = UINT64_MAX;
	} else if (g->p.regular) {
		g->acc += g->gap_mean;
		double f = floor(g->acc);
		g->acc -= f;
		g->gap_left = (uint64_t)f;
	} else {
		double x = floor(log(unit(&g->e)) / g->gap_log);
		g->gap_left = x < 0x1p62 ? (uint64_t)x : UINT64_C(1) << 62;
	}
}

/* The kind is drawn from the event sequence in proportion to the rates,
 * but in a regular stream (a benchmark loop). There the kinds take turns
 * by smooth weighted round robin: each program gains its rate in credit
 * per event, the one with the most (the first on a tie) runs and pays
 * the total, so that every stretch of events holds each kind within a
 * few of its share (tests/workloads/test_stream.c). Drawn at random,
 * lmbench-sh's kinds (a fork, two execs and 141 faults a loop) gave a
 * run of a few loops a binomial count of execs, and its V ratio moved
 * from 2.21 to 2.09 between runs of 10^8 and 4 x 10^8 instructions; the
 * round robin keeps the loop. Nothing is drawn from the sequence, whose
 * other draws are the Poisson gaps; so a skip can jump over whole cycles
 * of a regular stream of one program without stepping anything
 * (stream_skip.c). */
static void start_event(wl_stream *g)
{
	unsigned i = 0;
	if (!g->p.regular) {
		double u = (double)(next(&g->e) >> 11) * 0x1p-53 * g->total;
		while (i + 1 < g->nprog && u >= g->cdf[i])
			i++;
	} else if (g->nprog > 1) {
		for (unsigned k = 0; k < g->nprog; k++) {
			g->credit[k] += g->prog[k].rate;
			if (g->credit[k] > g->credit[i])
				i = k;
		}
		g->credit[i] -= g->total;
	}
	g->cur = &g->prog[i];
	g->pc = 0;
	g->in_loop = false;
	g->kb_mix = g->kb_pte = 0;
	g->state = WL_S_EVENT;
}

static uint64_t loop_page(wl_stream *g, unsigned where)
{
	switch (where) {
	case WL_L_FRESH:
		return WL_VA_FRESH + (g->fresh++ % g->region_pages) * g->page;
	case WL_L_WS:
		return WL_VA_WS + (g->wsprot++ % g->ws_pages) * g->page;
	case WL_L_IMAGE:
		return g->image + g->loop_i * g->page;
	default:
		return WL_VA_MMAP + g->loop_i * g->page;
	}
}

static uint64_t pte_page(const wl_stream *g, unsigned where, uint64_t j)
{
	switch (where) {
	case WL_P_IMAGE:
		return g->image + j * g->page;
	case WL_P_MMAP:
		return WL_VA_MMAP + j * g->page;
	default:
		return g->cur_va;
	}
}

/* Follows the stream's kernel entries and returns. */
static inline void track(wl_stream *g, unsigned op)
{
	if (op == TRACE_OP_SYSCALL || op == TRACE_OP_EXCEPTION ||
	    op == TRACE_OP_INTERRUPT)
		g->depth++;
	else if (op == TRACE_OP_RETURN && g->depth)
		g->depth--;
}

static void one(trace_insn *o, unsigned op, unsigned arg)
{
	memset(o, 0, sizeof *o);
	o->op = (uint8_t)op;
	o->arg = (uint8_t)arg;
}

/* The kernel mix of step s due before its next PTE write (all of it
 * once every write is made): the writes are spread evenly. */
static uint64_t kb_due(const wl_stream *g, const wl_step *s)
{
	return g->kb_pte < s->m ? s->n * (g->kb_pte + 1) / (s->m + 1) : s->n;
}

/* Step s's next PTE write, into o. */
static void kb_pte_write(wl_stream *g, const wl_step *s, trace_insn *o)
{
	one(o, TRACE_OP_PTE_WRITE, s->arg);
	o->va = pte_page(g, s->where, g->kb_pte++);
	o->size = size_of(g, o->va);
}

/* Emits up to room instructions of a kernel-work step; true when the
 * step is complete. */
static bool kernel_work(wl_stream *g, const wl_step *s, trace_insn *out,
			size_t room, size_t *n)
{
	while (*n < room) {
		uint64_t due = kb_due(g, s);
		if (g->kb_mix < due) {
			uint64_t k = due - g->kb_mix;
			if (k > room - *n)
				k = room - *n;
			emit_mix(g, &g->kern, true, out + *n, (size_t)k);
			g->kb_mix += k;
			*n += (size_t)k;
		} else if (g->kb_pte < s->m) {
			kb_pte_write(g, s, &out[(*n)++]);
		} else {
			g->kb_mix = g->kb_pte = 0;
			return true;
		}
	}
	return false;
}

/* The address-space switch of a CTX step: to the next process, into a
 * new child, or back to the parent. Filling and skipping share it. */
static void switch_asid(wl_stream *g, int where)
{
	if (where == WL_T_NEXT) {
		g->asid = (uint16_t)((g->asid + 1) % g->p.processes);
	} else if (where == WL_T_CHILD) {
		g->parent = g->asid;
		g->asid = (uint16_t)g->p.processes;
	} else {
		g->asid = g->parent;
	}
}

/* A LOOP step of program pr: enter the loop, take one more pass (the
 * page it touches next in cur_va) or leave past its END. Filling and
 * skipping share it. */
static void loop_step(wl_stream *g, const wl_prog *pr, const wl_step *s)
{
	if (!g->in_loop) {
		g->in_loop = true;
		g->loop_left = s->n;
		g->loop_i = 0;
		g->loop_pc = g->pc;
	}
	if (!g->loop_left) {
		while (pr->s[g->pc].kind != WL_ST_END)
			g->pc++;
		g->pc++;
		g->in_loop = false;
	} else {
		g->loop_left--;
		g->cur_va = loop_page(g, s->where);
		g->loop_i++;
		g->pc++;
	}
}

/* Runs the current event for up to room instructions; returns how many
 * it wrote. g->cur is NULL once the event is over. */
static size_t run(wl_stream *g, trace_insn *out, size_t room)
{
	size_t n = 0;
	const wl_prog *pr = g->cur;
	while (n < room && g->cur) {
		if (g->pc >= pr->len) {
			g->cur = NULL;
			break;
		}
		const wl_step *s = &pr->s[g->pc];
		switch (s->kind) {
		case WL_ST_OP: {
			trace_insn *o = &out[n++];
			one(o, s->op, s->arg);
			track(g, s->op);
			if (s->where) {
				o->va = g->cur_va;
				if (s->op != TRACE_OP_EXCEPTION)
					o->size = size_of(g, o->va);
			}
			g->pc++;
			break;
		}
		case WL_ST_CTX: {
			switch_asid(g, s->where);
			trace_insn *o = &out[n++];
			one(o, TRACE_OP_CTX_SWITCH, 0);
			o->asid = g->asid;
			g->pc++;
			break;
		}
		case WL_ST_LOOP:
			loop_step(g, pr, s);
			break;
		case WL_ST_END:
			g->pc = g->loop_pc;
			break;
		default:
			if (kernel_work(g, s, out, room, &n))
				g->pc++;
			break;
		}
	}
	return n;
}

void wl_stream_fill(wl_stream *g, trace_insn *buf, size_t max)
{
	size_t n = 0;
	while (n < max) {
		switch (g->state) {
		case WL_S_START:
			if (g->kernel_level) {
				one(&buf[n++], TRACE_OP_SYSCALL, 0);
				track(g, TRACE_OP_SYSCALL);
			}
			g->state = WL_S_BODY;
			draw_gap(g);
			break;
		case WL_S_BODY: {
			if (!g->gap_left) {
				start_event(g);
				break;
			}
			uint64_t k = g->gap_left;
			if (k > max - n)
				k = max - n;
			emit_mix(g, &g->body, g->kernel_level, buf + n,
				 (size_t)k);
			g->gap_left -= k;
			n += (size_t)k;
			break;
		}
		default:
			n += run(g, buf + n, max - n);
			if (!g->cur) {
				g->state = WL_S_BODY;
				draw_gap(g);
			}
			break;
		}
	}
}

size_t wl_stream_finish(wl_stream *g, trace_insn *buf, size_t max)
{
	size_t n = 0;
	while (n < max) {
		if (g->state == WL_S_EVENT) {
			n += run(g, buf + n, max - n);
			if (!g->cur)
				g->state = WL_S_BODY;
		} else if (g->state == WL_S_BODY) {
			if (g->kernel_level) {
				one(&buf[n++], TRACE_OP_RETURN, 0);
				track(g, TRACE_OP_RETURN);
			}
			g->state = WL_S_START;
		} else {
			break;
		}
	}
	return n;
}

/* ------------------------------------------------------------------------
 * Phases and skipping ahead (sampled simulation)
 * ------------------------------------------------------------------------ */

_Static_assert(1 + WL_EV_COUNT <= WL_STREAM_PHASES, "too few phases");

static unsigned phase_of(const wl_stream *g)
{
	return g->state == WL_S_EVENT && g->cur
		       ? 1 + (unsigned)(g->cur - g->prog)
		       : 0;
}

size_t wl_stream_fill_phase(wl_stream *g, trace_insn *buf, size_t max,
			    unsigned *phase)
{
	*phase = phase_of(g);
	if (!max)
		return 0;
	for (;;) {
		switch (g->state) {
		case WL_S_START:
			*phase = 0;
			g->state = WL_S_BODY;
			draw_gap(g);
			if (g->kernel_level) {
				/* The entry draws nothing: drawing the gap
				 * first leaves the stream unchanged. */
				one(&buf[0], TRACE_OP_SYSCALL, 0);
				track(g, TRACE_OP_SYSCALL);
				return 1;
			}
			break;
		case WL_S_BODY: {
			if (!g->gap_left) {
				start_event(g);
				break;
			}
			*phase = 0;
			uint64_t k = g->gap_left < max ? g->gap_left : max;
			emit_mix(g, &g->body, g->kernel_level, buf, (size_t)k);
			g->gap_left -= k;
			return (size_t)k;
		}
		default: {
			*phase = phase_of(g);
			size_t n = run(g, buf, max);
			if (!g->cur) {
				g->state = WL_S_BODY;
				draw_gap(g);
			}
			if (n)
				return n;
			break;
		}
		}
	}
}

/* ------------------------------------------------------------------------
 * Parts: the mix apart from the programs' own instructions (sampled
 * simulation with exact events)
 * ------------------------------------------------------------------------ */

/* Mix instructions of table t before its next own instruction, drawn
 * (geometric: the mix draws each instruction's class independently) when
 * none is pending for t; a pending gap of another table is redrawn,
 * which memorylessness allows. */
static uint64_t own_gap(wl_stream *g, const wl_mixtab *t)
{
	if (g->own_for != t) {
		g->own_for = t;
		if (t->own <= 0) {
			g->own_gap = UINT64_MAX;
		} else if (t->own >= 1) {
			g->own_gap = 0;
		} else {
			double x = floor(log(unit(&g->r)) / log1p(-t->own));
			g->own_gap = x < 0x1p62 ? (uint64_t)x
						: UINT64_C(1) << 62;
		}
	}
	return g->own_gap;
}

/* Draws the pending own instruction of table t into o. */
static void own_of(wl_stream *g, const wl_mixtab *t, trace_insn *o)
{
	double u = unit(&g->r) * t->own;
	int c = 0;
	while (c + 1 < WL_CLASSES && (t->own_cdf[c] < u ||
				      t->own_cdf[c] == (c ? t->own_cdf[c - 1]
							  : 0)))
		c++;
	*o = proto_of(c);
	if (c == WL_C_PTE) {
		o->va = user_page(g, &g->r);
		o->size = size_of(g, o->va);
	}
	g->own_for = NULL;
}

/* Skipping k mix instructions of table t: how many to skip before an
 * own one (< k), or k; 0 when the own one comes now (written to o). */
static uint64_t skip_mix(wl_stream *g, const wl_mixtab *t, uint64_t k,
			 trace_insn *o, bool *own)
{
	if (!g->split_mix)
		return k;
	uint64_t gap = own_gap(g, t);
	if (!gap) {
		own_of(g, t, o);
		*own = true;
		return 0;
	}
	if (gap < k)
		k = gap;
	g->own_gap -= k;
	return k;
}

/* The next part of the current event: up to room kernel-mix instructions
 * (written unless skip), or the one instruction of a step of its own (an
 * OP, a CTX switch, a kernel-work step's PTE write), always written to
 * out; *own says which. Returns 0 once the event is over. Filling and
 * skipping share it: an instruction of its own draws nothing. */
static size_t run_part(wl_stream *g, trace_insn *out, size_t room, bool skip,
		       bool *own)
{
	const wl_prog *pr = g->cur;
	*own = false;
	while (g->cur) {
		if (g->pc >= pr->len) {
			g->cur = NULL;
			break;
		}
		const wl_step *s = &pr->s[g->pc];
		switch (s->kind) {
		case WL_ST_OP:
		case WL_ST_CTX:
			*own = true;
			return run(g, out, 1);
		case WL_ST_LOOP:
			loop_step(g, pr, s);
			break;
		case WL_ST_END:
			g->pc = g->loop_pc;
			break;
		default: {
			uint64_t due = kb_due(g, s);
			if (g->kb_mix < due) {
				uint64_t k = due - g->kb_mix;
				if (k > room)
					k = room;
				if (!skip)
					emit_mix(g, &g->kern, true, out,
						 (size_t)k);
				else if (!(k = skip_mix(g, &g->kern, k, out,
							own)))
					k = 1;
				g->kb_mix += k;
				return (size_t)k;
			}
			if (g->kb_pte < s->m) {
				*own = true;
				kb_pte_write(g, s, out);
				return 1;
			}
			g->kb_mix = g->kb_pte = 0;
			g->pc++;
			break;
		}
		}
	}
	return 0;
}

/* The kernel-work step the stream is in, NULL when it is in none. */
static const wl_step *kb_step(const wl_stream *g)
{
	const wl_prog *pr = g->cur;
	if (g->state != WL_S_EVENT || !pr || g->pc >= pr->len ||
	    pr->s[g->pc].kind != WL_ST_KB)
		return NULL;
	return &pr->s[g->pc];
}

uint64_t wl_stream_kb_rest(wl_stream *g, uint64_t room, uint64_t *count,
			   uint64_t *own)
{
	const wl_step *s = g->split_mix ? NULL : kb_step(g);
	if (!s)
		return 0;
	uint64_t mix = s->n - g->kb_mix, pte = s->m - g->kb_pte;
	if (!(mix + pte) || mix + pte > room)
		return 0;
	unsigned ph = phase_of(g);
	count[ph] += mix;
	if (own)
		*own += pte;
	else
		count[ph] += pte;
	/* As run_part leaves a finished step: the next step begun anew. */
	g->kb_mix = g->kb_pte = 0;
	g->pc++;
	return mix + pte;
}

bool wl_stream_between_events(const wl_stream *g)
{
	if (g->state != WL_S_EVENT)
		return g->state == WL_S_BODY;
	const wl_prog *pr = g->cur;
	if (!pr)
		return true;
	/* What run_part would step through before its next instruction,
	 * without stepping: loop ends and empty kernel work. */
	unsigned pc = g->pc, loop_pc = g->loop_pc;
	bool in_loop = g->in_loop;
	uint64_t left = g->loop_left;
	bool fresh_kb = false; /* a kernel-work step not yet begun */
	for (;;) {
		if (pc >= pr->len)
			return true;
		const wl_step *s = &pr->s[pc];
		switch (s->kind) {
		case WL_ST_END:
			pc = loop_pc;
			break;
		case WL_ST_LOOP:
			if (!in_loop) {
				in_loop = true;
				left = s->n;
				loop_pc = pc;
			}
			if (left)
				return false;
			while (pr->s[pc].kind != WL_ST_END)
				pc++;
			pc++;
			in_loop = false;
			break;
		case WL_ST_KB: {
			uint64_t mix = fresh_kb ? 0 : g->kb_mix;
			uint64_t pte = fresh_kb ? 0 : g->kb_pte;
			if (mix < s->n || pte < s->m)
				return false;
			pc++;
			fresh_kb = true;
			break;
		}
		default:
			return false;
		}
	}
}

/* One part of the stream from its state: what wl_stream_fill_part,
 * wl_stream_skip_part and wl_stream_skip (stream_skip.c) share. */
size_t wl_stream_part(wl_stream *g, trace_insn *buf, size_t max, bool skip,
		      unsigned *phase, bool *own)
{
	for (;;) {
		switch (g->state) {
		case WL_S_START:
			*phase = 0;
			g->state = WL_S_BODY;
			draw_gap(g);
			if (g->kernel_level) {
				one(&buf[0], TRACE_OP_SYSCALL, 0);
				track(g, TRACE_OP_SYSCALL);
				*own = true;
				return 1;
			}
			break;
		case WL_S_BODY: {
			if (!g->gap_left) {
				start_event(g);
				break;
			}
			*phase = 0;
			*own = false;
			uint64_t k = g->gap_left < max ? g->gap_left : max;
			if (!skip)
				emit_mix(g, &g->body, g->kernel_level, buf,
					 (size_t)k);
			else if (!(k = skip_mix(g, &g->body, k, buf, own)))
				k = 1;
			g->gap_left -= k;
			return (size_t)k;
		}
		default: {
			*phase = phase_of(g);
			size_t n = run_part(g, buf, max, skip, own);
			if (!g->cur) {
				g->state = WL_S_BODY;
				draw_gap(g);
			}
			if (n)
				return n;
			break;
		}
		}
	}
}

size_t wl_stream_fill_part(wl_stream *g, trace_insn *buf, size_t max,
			   unsigned *phase, bool *own)
{
	*phase = phase_of(g);
	*own = false;
	return max ? wl_stream_part(g, buf, max, false, phase, own) : 0;
}

/* Within a kernel-work step whose mix draws nothing, its mix up to the
 * next PTE write counted and the write made, at once: what run_part's
 * two parts give (0, nothing changed, when that does not fit in n). */
static uint64_t kb_to_pte(wl_stream *g, uint64_t n, uint64_t *count,
			  trace_insn *op, unsigned *phase)
{
	const wl_step *s = g->kern.own > 0 && g->split_mix ? NULL : kb_step(g);
	if (!s || g->kb_pte >= s->m)
		return 0;
	uint64_t due = kb_due(g, s);
	uint64_t k = due > g->kb_mix ? due - g->kb_mix : 0;
	if (k >= n)
		return 0;
	*phase = phase_of(g);
	count[*phase] += k;
	g->kb_mix += k;
	bool none = false;
	if (k)  /* the table has no own class: all k skipped, none drawn */
		skip_mix(g, &g->kern, k, op, &none);
	kb_pte_write(g, s, op);
	return k + 1;
}

uint64_t wl_stream_skip_part(wl_stream *g, uint64_t n, uint64_t *count,
			     trace_insn *op, unsigned *phase, bool *own)
{
	uint64_t done = 0;
	*own = false;
	uint64_t at_once = kb_to_pte(g, n, count, op, phase);
	if (at_once) {
		*own = true;
		return at_once;
	}
	while (done < n) {
		uint64_t room = n - done;
		size_t k = wl_stream_part(g, op,
					  room < SIZE_MAX ? (size_t)room
							  : SIZE_MAX,
					  true, phase, own);
		if (*own)
			return done + 1;
		count[*phase] += k;
		done += k;
	}
	return done;
}

void wl_stream_split_mix(wl_stream *g, bool on)
{
	g->split_mix = on;
	g->own_for = NULL;
}

double wl_stream_event_rate(const wl_stream *g)
{
	return g->nprog ? g->total / 1000 : 0;
}

double wl_stream_mix_own_rate(const wl_stream *g)
{
	return g->body.own > g->kern.own ? g->body.own : g->kern.own;
}
