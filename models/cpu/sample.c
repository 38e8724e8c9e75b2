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
#include <stddef.h>
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
	uint64_t own_insns, own_cycles; /* own instructions, counted */
} win;

void cpu_sample_defaults(cpu_sample_params *p)
{
	p->window = 1000;
	p->warmup = 2000;
	p->period = 400000;
	p->windows = 1000;
	p->functional = 8000;
	p->pass_cycles = true;
	p->confidence = 0.95;
	p->seed = 1;
}

static void fields(const cpu_results *r, uint64_t *f)
{
	memcpy(f, r, sizeof *r);
}

/* Fields of cpu_results, as uint64_t offsets. */
#define F_OF(m) (offsetof(cpu_results, m) / sizeof(uint64_t))
#define F_TRANSLATE F_OF(events[CPU_EV_TRANSLATE])
#define F_VMM_TR F_OF(vmm[CPU_VMM_TRANSLATION])
#define F_VMM F_OF(cycles_vmm)

/* What a sampled run counts rather than extrapolates: the stream's own
 * instructions (wl_stream_fill_part), every one run in detail, with
 * every result field they changed, and the BT translations made by the
 * mix run in detail (a block translates once in a vcpu's life, so its
 * cost is a cold-start transient, not a rate to extrapolate). */
typedef struct counted {
	bool exact;           /* own instructions counted (else all mix) */
	bool split;           /* the mix's own ones too */
	bool cycles;          /* skips may jump whole cycles (below) */
	uint64_t f[NFIELDS];  /* fields the own instructions added */
	uint64_t own;         /* own instructions run in detail */
	uint64_t jumped;      /* own instructions of cycles jumped over */
	uint64_t translated;  /* translations by mix run in detail */
	uint64_t hist;        /* span of the sparse warming before the
				 functional warming (0: none) */
	trace_insn *sparse;   /* its touches, SPARSE_CAP */
	trace_insn *scan;     /* a passed scan's pages, SCAN_CAP */
} counted;

/* The touches of a sparse warming, per call (about 250 draws of a hot
 * set of 32 pages). */
#define SPARSE_CAP 8192
/* A passed scan's pages touched at most: a TLB's worth and more. */
#define SCAN_CAP 4096

static void add_delta(uint64_t *to, const uint64_t *a, const uint64_t *b)
{
	for (size_t f = 0; f < NFIELDS; f++)
		to[f] += b[f] - a[f];
}

/* The mix's instructions of their own (workloads/wl.h): counted like
 * the programs' own, since a skip draws them one by one. */
static bool own_op(const trace_insn *in)
{
	return in->op != TRACE_OP_ALU && in->op != TRACE_OP_LOAD &&
	       in->op != TRACE_OP_STORE && in->op != TRACE_OP_BRANCH &&
	       in->op != TRACE_OP_INDIRECT;
}

/* Cycles in a result's fields (cpu_results_cycles on f). */
static uint64_t cycles_of(const uint64_t *f)
{
	return f[F_OF(cycles_user)] + f[F_OF(cycles_kernel)] +
	       f[F_OF(cycles_vmm)] + f[F_OF(cycles_tlb)];
}

/* Cycles in the fields the own instructions added, but translations
 * (one-off: not extrapolated over jumped cycles). */
static double own_cost(const uint64_t *f)
{
	return (double)(cycles_of(f) - f[F_VMM_TR]);
}

/* Runs the k instructions at in on v: own ones go to c; mix of phase ph
 * counts in np[ph] and, when w is not NULL, its instructions, cycles and
 * every result field are added to w and sum[ph], less the one-off cost
 * of BT translations. Called per part of a window, so kept to integer
 * sums of the fields (exact, as their totals are). */
static void run_part(cpu_vcpu *v, const trace_insn *in, size_t k, bool own,
		     unsigned ph, uint64_t *np, counted *c, win *w,
		     uint64_t (*sum)[NFIELDS])
{
	uint64_t a[NFIELDS], b[NFIELDS];
	fields(cpu_vcpu_results(v), a);
	cpu_vcpu_run(v, in, k);
	fields(cpu_vcpu_results(v), b);
	if (own) {
		add_delta(c->f, a, b);
		c->own += k;
		if (w) {
			w->own_insns += k;
			w->own_cycles += cycles_of(b) - cycles_of(a);
		}
		return;
	}
	np[ph] += k;
	uint64_t tr = b[F_TRANSLATE] - a[F_TRANSLATE];
	c->translated += tr;
	if (!w)
		return;
	/* One-off costs are taken out of what is extrapolated. */
	const uint64_t once =
		tr * cpu_core_machine(cpu_vcpu_core(v))->bt.translate;
	b[F_VMM_TR] -= once;
	b[F_VMM] -= once;
	add_delta(sum[ph], a, b);
	w->insns[ph] += k;
	w->cycles[ph] += cycles_of(b) - cycles_of(a);
}

/* Runs k instructions of g on v in detail, part by part (run_part), the
 * mix's own instructions apart from the rest; a warm-up (w NULL) whose
 * own instructions are not counted apart, in blocks. */
static void detailed(cpu_vcpu *v, wl_stream *g, uint64_t k, trace_insn *buf,
		     size_t cap, uint64_t *np, counted *c, win *w,
		     uint64_t (*sum)[NFIELDS])
{
	if (!w && !c->exact) {
		/* A warm-up of mix only: counted by phase, run at once. */
		while (k) {
			size_t n = 0, room = k < cap ? (size_t)k : cap;
			while (n < room) {
				unsigned ph;
				size_t got = wl_stream_fill_phase(
					g, buf + n, room - n, &ph);
				np[ph] += got;
				n += got;
			}
			const uint64_t *tr =
				&cpu_vcpu_results(v)->events[CPU_EV_TRANSLATE];
			uint64_t before = *tr;
			cpu_vcpu_run(v, buf, n);
			c->translated += *tr - before;
			k -= n;
		}
		return;
	}
	while (k) {
		unsigned ph;
		bool own = false;
		size_t room = k < cap ? (size_t)k : cap;
		/* Own instructions not counted apart: the phase's whole run
		 * at once (the same stream, fewer parts in a dense one). */
		size_t got = c->exact ? wl_stream_fill_part(g, buf, room, &ph,
							    &own)
				      : wl_stream_fill_phase(g, buf, room, &ph);
		k -= got;
		own = own && c->exact;
		for (size_t i = 0, j; i < got; i = j) {
			bool o = own || (c->split && own_op(&buf[i]));
			for (j = i + 1;
			     j < got && (own || (c->split && own_op(&buf[j]))) == o;
			     j++)
				;
			run_part(v, buf + i, j - i, o, ph, np, c, w, sum);
		}
	}
}

/* Functional warming of the machine's view of the stream after a skip:
 * the skipped instructions did not run, so the vcpu may be in another
 * address space or level than the stream. A system call entry, the
 * switch and a return (as needed) put it where the stream is; they run
 * unmeasured, and are not part of the run's n instructions. */
static void sync_state(cpu_vcpu *v, const wl_stream *g)
{
	trace_insn s[4];
	size_t k = 0;
	memset(s, 0, sizeof s);
	uint16_t asid = wl_stream_asid(g);
	bool user = cpu_vcpu_level(v) == CPU_LEVEL_USER;
	if (asid != cpu_vcpu_asid(v)) {
		if (user)
			s[k++].op = TRACE_OP_SYSCALL;
		user = false;
		s[k].op = TRACE_OP_CTX_SWITCH;
		s[k++].asid = asid;
	}
	bool kernel = wl_stream_depth(g) > 0;
	if (kernel && user)
		s[k++].op = TRACE_OP_SYSCALL;
	else if (!kernel && !user)
		s[k++].op = TRACE_OP_RETURN;
	cpu_vcpu_run(v, s, k);
	/* A nested entry needs a second return. */
	if (!kernel && cpu_vcpu_level(v) != CPU_LEVEL_USER) {
		s[0].op = TRACE_OP_RETURN;
		cpu_vcpu_run(v, s, 1);
	}
}

/* The loads of a functional warming, per call of cpu_vcpu_touch. */
#define WARM_CAP 1024

#define F_TLB_MISS F_OF(events[CPU_EV_TLB_MISS])
#define F_TLB_FLUSH F_OF(events[CPU_EV_TLB_FLUSH])

/* Own instructions per instruction of the stream, per own instruction
 * run: times a count the own instructions run so far made (misses,
 * flushes), that count per instruction of the stream. */
static double own_rate(const counted *c, const uint64_t *np)
{
	double mix = 0;
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++)
		mix += (double)np[p];
	double own = (double)(c->own + c->jumped);
	return own / (mix + own) / (double)c->own;
}

static uint64_t span_of(double r)
{
	return r < 0x1p62 ? (uint64_t)ceil(r) : UINT64_MAX;
}

/* Instructions of the stream per TLB flush the own instructions run so
 * far made (UINT64_MAX when none). */
static uint64_t flush_span(const counted *c, const uint64_t *np)
{
	double flush = (double)c->f[F_TLB_FLUSH];
	if (!c->own || flush <= 0)
		return UINT64_MAX;
	return span_of(1 / (flush * own_rate(c, np)));
}

/* The instructions a skip runs in detail before its warming rather than
 * jump over: the TLB's contents are carried through a skip by the own
 * instructions run (the mix is not), so the last ones before a window,
 * as many as take the TLB (and Disco's L2TLB) once round at the rate
 * the own instructions run so far took misses, are run; back to the last
 * flush is enough (flush_span). None when they took no miss; no jump
 * before any has run. */
static uint64_t own_reserve(const cpu_vcpu *v, const counted *c,
			    const uint64_t *np)
{
	if (!c->own)
		return UINT64_MAX;
	double miss = (double)c->f[F_TLB_MISS];
	if (miss <= 0)
		return 0;
	const cpu_machine *m = cpu_core_machine(cpu_vcpu_core(v));
	uint64_t r = span_of((double)(m->tlb_entries + m->l2tlb_entries) /
			     (miss * own_rate(c, np)));
	uint64_t since = flush_span(c, np);
	return since < r ? since : r;
}

/* The scan of a wholly sequential body over k body instructions a skip
 * passed (wl_stream_pass_scan): it moves on, and the pages it passed are
 * touched, one load a page, in order with the own instructions around
 * them: those pending in buf (*pending of them; the part's own one, at
 * buf[*pending], moves to buf[0]) run first. */
static void pass_scan(cpu_vcpu *v, wl_stream *g, uint64_t k, trace_insn *buf,
		      size_t *pending, counted *c)
{
	size_t n = wl_stream_pass_scan(g, k, c->scan, SCAN_CAP);
	if (!n)
		return;
	cpu_vcpu_run(v, buf, *pending);
	buf[0] = buf[*pending];
	*pending = 0;
	cpu_vcpu_touch(v, c->scan, n);
}

/* Skips n instructions of g: the mix is counted in np by phase, not
 * drawn, and passes the vcpu by (cpu_vcpu_pass: BT's position in the
 * kernel's blocks); the own instructions run on v in detail (batched
 * when nothing passes between them) and are counted in c, so that the
 * machine's state (level, address space, TLB flushes, shadows, queued
 * PTE updates, translated blocks) follows the stream through the skip.
 * With c->cycles, once a skip, whole cycles between the first event's
 * end and the reserve before the warming (own_reserve) are passed
 * instead, their own instructions counted in c->jumped, not run.
 * Over the skip's last `warm` instructions the TLB follows too: each
 * run of mix warms it with the loads it would have made
 * (wl_stream_warm_loads, cpu_vcpu_touch), in order with the own
 * instructions around it. A wholly sequential body's scan moves on
 * over the body passed, as its accesses would have moved it
 * (wl_stream_pass_scan; within the warming, by the warming's loads), so
 * that the windows go on scanning where the run would. O(own
 * instructions run + warm + the passed cycles' walk, 3 cycles when
 * jumped). */
static void skip(cpu_vcpu *v, wl_stream *g, uint64_t n, uint64_t warm,
		 uint64_t hist, trace_insn *buf, size_t cap, trace_insn *loads,
		 uint64_t *np, counted *c)
{
	if (!c->exact) {
		/* The own instructions are not run here: the scan moves, the
		 * pages it passed are not touched. */
		uint64_t body = np[0];
		wl_stream_skip(g, n, np);
		wl_stream_pass_scan(g, np[0] - body, NULL, 0);
		sync_state(v, g);
		return;
	}
	const bool pass = cpu_vcpu_mode(v) == CPU_MODE_BT;
	uint64_t a[NFIELDS], b[NFIELDS];
	size_t k = 0;
	bool jump = c->cycles;
	fields(cpu_vcpu_results(v), a);
	/* A flush forgets all before it: back to the last one is enough. */
	uint64_t since = hist ? flush_span(c, np) : 0;
	if (since < hist)
		hist = since;
	while (n) {
		unsigned ph;
		bool own;
		bool warming = n <= warm;
		bool history = !warming && n <= warm + hist;
		/* Up to the sparse warming's start, then to the warming's, then
		 * within it. */
		uint64_t room = warming ? n : history ? n - warm : n - warm - hist;
		/* Whole cycles of a regular stream, once a skip, from the
		 * first cycle boundary: their own instructions are not run
		 * but extrapolated (cpu_sample_run), and the jump leaves at
		 * least one whole cycle to run before the warming. */
		bool try_jump = jump && !warming && wl_stream_between_events(g);
		uint64_t keep = try_jump ? own_reserve(v, c, np) : 0;
		if (try_jump && room > keep) {
			uint64_t jo = 0, r = room - keep, body = np[0];
			uint64_t got = wl_stream_skip_cycles(g, r, np, &jo);
			if (!got)
				got = wl_stream_skip_events(g, r, np, &jo);
			pass_scan(v, g, np[0] - body, buf, &k, c);
			/* One attempt a skip: a failed one walked in vain. */
			jump = false;
			if (got) {
				n -= got;
				c->jumped += jo;
				continue;
			}
		}
		uint64_t before[WL_STREAM_PHASES], body = np[0];
		if (warming || history)
			memcpy(before, np, sizeof before);
		uint64_t got = wl_stream_skip_part(g, room, np, &buf[k], &ph,
						   &own);
		n -= got;
		uint64_t mix = got - own;
		/* The warming's loads move the scan themselves. */
		if (!warming)
			pass_scan(v, g, np[0] - body, buf, &k, c);
		if ((pass || warming || history) && mix) {
			cpu_vcpu_run(v, buf, k);
			cpu_vcpu_pass(v, mix);
			buf[0] = buf[k];
			k = 0;
		}
		for (unsigned q = 0; history && mix && q < WL_STREAM_PHASES;
		     q++) {
			uint64_t left = np[q] - before[q];
			if (!left)
				continue;
			size_t nl = wl_stream_warm_sparse(g, q, left, c->sparse,
							  SPARSE_CAP);
			cpu_vcpu_touch(v, c->sparse, nl);
		}
		for (unsigned q = 0; warming && mix && q < WL_STREAM_PHASES;
		     q++) {
			uint64_t left = np[q] - before[q];
			while (left) {
				/* At most one load an instruction. */
				uint64_t part = left < WARM_CAP ? left
								: WARM_CAP;
				size_t nl = wl_stream_warm_loads(
					g, q, part, loads, WARM_CAP);
				cpu_vcpu_touch(v, loads, nl);
				left -= part;
			}
		}
		if (!own)
			continue;
		c->own++;
		if (++k == cap) {
			cpu_vcpu_run(v, buf, k);
			k = 0;
		}
	}
	cpu_vcpu_run(v, buf, k);
	fields(cpu_vcpu_results(v), b);
	add_delta(c->f, a, b);
}

/* The phases whose pooled ratio stands for a phase p the windows did
 * not measure (fewer than a window's instructions of it), from the
 * returned one on: for an event, the events' (kernel work, after an
 * entry) if the windows measured any, however few; else every phase. */
static unsigned pool_from(unsigned p, const double *ci)
{
	if (p == 0)
		return 0;
	for (unsigned q = 1; q < WL_STREAM_PHASES; q++)
		if (ci[q] > 0)
			return 1;
	return 0;
}

/* Whether phase p, measured by ci instructions, is charged at its own
 * ratio: an event phase when the windows measured at least min of it,
 * the body when they measured any (else pool_from's pooled ratio). */
static bool own_ratio(unsigned p, double ci, double min)
{
	return p ? ci >= min : ci > 0;
}

/* The per-phase estimate of total cycles from the windows' sums tot,
 * less window x (NULL: none): Σ_p N_p · C_p / I_p, event phases measured
 * by fewer than min instructions (the body: by none) at the pooled ratio
 * of the phases of their kind (pool_from). */
static double estimate(const win *tot, const win *x, const uint64_t *np,
		       double min)
{
	double ci[WL_STREAM_PHASES], cc[WL_STREAM_PHASES];
	double ti = 0, tc = 0;
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++) {
		ci[p] = (double)(tot->insns[p] - (x ? x->insns[p] : 0));
		cc[p] = (double)(tot->cycles[p] - (x ? x->cycles[p] : 0));
		ti += ci[p];
		tc += cc[p];
	}
	double est = 0;
	for (unsigned p = 0; p < WL_STREAM_PHASES; p++) {
		if (own_ratio(p, ci[p], min)) {
			est += (double)np[p] * cc[p] / ci[p];
			continue;
		}
		double pi = 0, pc = 0;
		for (unsigned q = pool_from(p, ci); q < WL_STREAM_PHASES;
		     q++) {
			pi += ci[q];
			pc += cc[q];
		}
		est += pi > 0 ? (double)np[p] * pc / pi : 0;
	}
	return est;
}

/* Where period i's window sits in its period: drawn per period
 * (stratified random sampling), uniform in 0..slack. */
static uint64_t offset_of(const cpu_sample_params *p, uint64_t i,
			  uint64_t slack)
{
	return slack ? sim_splitmix64(p->seed + i) % (slack + 1) : 0;
}

uint64_t cpu_sample_windows(uint64_t n, const cpu_sample_params *p,
			    uint64_t *period)
{
	uint64_t k = p->period;
	if (p->windows && n / p->windows > k)
		k = n / p->windows;
	*period = k;
	return k ? n / k : 0;
}

void cpu_sample_run(cpu_vcpu *v, wl_stream *g, uint64_t n,
		    const cpu_sample_params *pp, cpu_sample_result *out)
{
	cpu_sample_params p;
	if (pp)
		p = *pp;
	else
		cpu_sample_defaults(&p);
	if (!p.window || p.period < p.window + p.warmup || p.windows < 2 ||
	    !(p.confidence > 0 && p.confidence < 1))
		sim_panic("cpu_sample_run: window %llu, warm-up %llu, period "
			  "%llu, windows %llu, confidence %g (expected window "
			  "> 0, period >= window + warm-up, windows >= 2, "
			  "confidence in (0, 1))",
			  (unsigned long long)p.window,
			  (unsigned long long)p.warmup,
			  (unsigned long long)p.period,
			  (unsigned long long)p.windows, p.confidence);
	uint64_t periods = cpu_sample_windows(n, &p, &p.period);
	memset(out, 0, sizeof *out);
	uint64_t *np = out->phase_insns;
	size_t cap = 4096;
	trace_insn *buf = sim_xcalloc(cap, sizeof *buf);
	trace_insn *loads = sim_xcalloc(WARM_CAP, sizeof *loads);
	win *w = sim_xcalloc(periods ? periods : 1, sizeof *w);
	uint64_t (*sum)[NFIELDS] = sim_xcalloc(WL_STREAM_PHASES, sizeof *sum);
	counted c;
	memset(&c, 0, sizeof c);
	/* Own instructions are counted when windows would see fewer than
	 * one of them each (rare, and their costs concentrated); denser
	 * ones the windows measure well, and running them all in detail
	 * would cost the speed of sampling. */
	c.exact = wl_stream_event_rate(g) * (double)p.window < 1;
	c.scan = sim_xcalloc(SCAN_CAP, sizeof *c.scan);
	c.split = c.exact && wl_stream_mix_own_rate(g) * (double)p.window < 1;
	/* A regular stream of one program repeats one cycle: its own
	 * instructions cost alike in every cycle, so the skips jump over
	 * whole cycles and the own instructions of those are extrapolated
	 * from the cycles run in detail (wl_stream_skip_cycles). */
	c.cycles = p.pass_cycles && c.exact && wl_stream_mix_own_rate(g) == 0;
	wl_stream_split_mix(g, c.split);
	/* Before the functional warming, a sparse one over the span in which
	 * the TLB takes its steady share of pages outside the hot set (its
	 * entries' worth of draws), where the hot set and the kernel's data
	 * fit it: a FIFO TLB changes only on misses, and the warming's 8,000
	 * instructions are too few for that share. With windows closer than
	 * that span, it covers the whole skip before the functional warming
	 * (the end of the previous period's included): the TLB the last
	 * window left has missed those draws, and since the last flush of
	 * an exit without VPID it would hold too few cold pages (linux-build
	 * under hw-nested at 20,000-instruction periods and 5000 windows:
	 * -4.21 % without this, -1.34 % with it; models/cpu/README.md). */
	if (c.split && p.functional) {
		const cpu_machine *m = cpu_core_machine(cpu_vcpu_core(v));
		double rate = wl_stream_cold_rate(g);
		if (rate > 0 && wl_stream_warm_pages(g) < m->tlb_entries) {
			double h = (double)(m->tlb_entries + m->l2tlb_entries) /
				   rate;
			c.hist = h < 0x1p62 ? (uint64_t)h : UINT64_C(1) << 62;
			c.sparse = sim_xcalloc(SPARSE_CAP, sizeof *c.sparse);
		}
	}
	/* Per period, the own instructions run in detail and their cycles
	 * (translations apart), for the interval of the extrapolation. */
	double *oy = sim_xcalloc(periods ? periods : 1, sizeof *oy);
	double *orr = sim_xcalloc(periods ? periods : 1, sizeof *orr);
	/* The caller's vcpu follows the stream already, or (a fresh vcpu,
	 * another stream) is put where it is. */
	sync_state(v, g);
	for (uint64_t i = 0; i < periods; i++) {
		/* Where the window sits in its period is drawn per period
		 * (stratified random sampling): a fixed offset would alias
		 * with streams whose events are evenly spaced. */
		uint64_t slack = p.period - p.warmup - p.window;
		uint64_t at = offset_of(&p, i, slack);
		/* Functional warming where the skip runs every own
		 * instruction, the mix's too: a skip that passes the mix's
		 * dense own ones (exits that flush the TLB every few
		 * instructions) does not follow them, and the warm-up sees
		 * many of them anyway. */
		uint64_t f = c.split ? p.functional : 0;
		const uint64_t own0 = c.own;
		const double y0 = own_cost(c.f);
		/* The sparse warming's span before this warm-up: within this
		 * skip, and the rest at the end of the previous period's. */
		uint64_t before = at > f ? at - f : 0;
		skip(v, g, at, f, c.hist < before ? c.hist : before, buf, cap,
		     loads, np, &c);
		detailed(v, g, p.warmup, buf, cap, np, &c, NULL, NULL);
		detailed(v, g, p.window, buf, cap, np, &c, &w[i], sum);
		uint64_t h2 = 0;
		if (c.hist && i + 1 < periods) {
			uint64_t next = offset_of(&p, i + 1, slack);
			uint64_t room = next > f ? next - f : 0;
			h2 = c.hist > room ? c.hist - room : 0;
			if (h2 > slack - at)
				h2 = slack - at;
		}
		skip(v, g, slack - at, 0, h2, buf, cap, loads, np, &c);
		if (i + 1 == periods)
			skip(v, g, n - periods * p.period, 0, 0, buf, cap,
			     loads, np, &c);
		orr[i] = (double)(c.own - own0);
		oy[i] = own_cost(c.f) - y0;
	}
	if (!periods)
		skip(v, g, n, 0, 0, buf, cap, loads, np, &c);
	wl_stream_split_mix(g, false);
	out->own = c.own;
	out->own_jumped = c.jumped;
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
	/* An event phase the windows measured by fewer instructions than
	 * one window holds is charged at the events' pooled ratio, as one
	 * they did not see: its own ratio is the cost of a few
	 * instructions, the first of a kernel entry's work (where its misses
	 * are) or its last, extrapolated over the whole phase
	 * (disco-raytrace's system calls seen by 62 instructions gave
	 * +13.6 %; models/cpu/README.md). The body keeps its own ratio
	 * however thin: pooled, it would take the kernel's. */
	const double pool_min = (double)p.window;
	for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++) {
		if (!np[ph])
			continue;
		if (own_ratio(ph, ci[ph], pool_min)) {
			for (size_t f = 0; f < NFIELDS; f++)
				estf[f] += (double)sum[ph][f] * (double)np[ph] /
					   ci[ph];
			continue;
		}
		out->unmeasured += np[ph];
		double pi = 0;
		unsigned from = pool_from(ph, ci);
		for (unsigned q = from; q < WL_STREAM_PHASES; q++)
			pi += ci[q];
		if (pi <= 0)
			continue;
		for (unsigned q = from; q < WL_STREAM_PHASES; q++)
			for (size_t f = 0; f < NFIELDS; f++)
				estf[f] += (double)sum[q][f] *
					   (double)np[ph] / pi;
	}
	/* Counted, not extrapolated: the own instructions' fields, and the
	 * translations of the mix run in detail (blocks first reached by
	 * skipped mix are missed; their number is bounded by the
	 * translation cache). The own instructions of jumped cycles are
	 * extrapolated from those run, every field in the ratio of their
	 * numbers, but for translations (one-off costs). */
	const double jr = c.own ? (double)c.jumped / (double)c.own : 0;
	for (size_t f = 0; f < NFIELDS; f++) {
		double once_f = f == F_TRANSLATE || f == F_VMM_TR
					? (double)c.f[f]
				: f == F_VMM ? (double)c.f[F_VMM_TR]
					     : 0;
		estf[f] += (double)c.f[f] + ((double)c.f[f] - once_f) * jr;
	}
	double once_n = (double)c.translated;
	double once = once_n *
		(double)cpu_core_machine(cpu_vcpu_core(v))->bt.translate;
	estf[F_TRANSLATE] += once_n;
	estf[F_VMM_TR] += once;
	estf[F_VMM] += once;
	cpu_results cr;
	memcpy(&cr, c.f, sizeof cr);
	/* The cycles counted, not estimated, and the own instructions'
	 * extrapolated over jumped cycles: y per own instruction run. */
	double ysum = own_cost(c.f), rsum = (double)c.own;
	const double fixed = once + (double)cpu_results_cycles(&cr);
	const double jumped = (double)c.jumped;
	const double own_x = rsum > 0 ? ysum / rsum * jumped : 0;
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
	out->cycles = estimate(&tot, NULL, np, pool_min) + fixed + own_x;
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
			/* Period i's own instructions left out of the ratio
			 * too (the counted ones stay: they have no error). */
			double ri = rsum - orr[i];
			double xi = ri > 0 ? (ysum - oy[i]) / ri * jumped
					   : own_x;
			th[i] = (estimate(&tot, &w[i], np, pool_min) + fixed + xi) /
				(double)n;
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
			uint64_t cy = w[i].own_cycles, k = w[i].own_insns;
			for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++) {
				cy += w[i].cycles[ph];
				k += w[i].insns[ph];
			}
			double x = (double)cy / (double)k;
			double d = x - m;
			m += d / (double)(i + 1);
			s2 += d * (x - m);
		}
		out->smarts_cpi = m;
		out->smarts_half = t * sqrt(s2 / (nn - 1)) / sqrt(nn);
	} else if (periods == 1) {
		uint64_t cy = w[0].own_cycles;
		for (unsigned ph = 0; ph < WL_STREAM_PHASES; ph++)
			cy += w[0].cycles[ph];
		out->smarts_cpi = (double)cy / (double)p.window;
	}
	free(c.sparse);
	free(c.scan);
	free(orr);
	free(oy);
	free(sum);
	free(w);
	free(loads);
	free(buf);
}
