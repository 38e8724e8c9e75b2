/* SPDX-License-Identifier: MIT */
/*
 * The hot set + cold writes model of memory dirtying in expected page
 * counts: the statistical fidelity, for runs with too many VMs to keep a
 * bitmap each. mem.h states the assumptions and derives the formulas; the
 * page-exact log checks them in tests/models/memory.
 */
#include "mem.h"

#include <gsl/gsl_integration.h>
#include <math.h>

static void check_model(const mem_hotcold *m, const char *who)
{
	if (m->pages == 0 || m->hot_pages > m->pages ||
	    m->hot_offset > m->pages - m->hot_pages)
		sim_panic("%s: hot set of %llu pages at page %llu in %llu "
			  "pages", who, (unsigned long long)m->hot_pages,
			  (unsigned long long)m->hot_offset,
			  (unsigned long long)m->pages);
	if (!isfinite(m->hot_writes_per_s) || m->hot_writes_per_s < 0 ||
	    !isfinite(m->cold_writes_per_s) || m->cold_writes_per_s < 0)
		sim_panic("%s: write rates %g and %g writes/s", who,
			  m->hot_writes_per_s, m->cold_writes_per_s);
}

/* λT of one page of a class of `pages` pages receiving `writes_per_s`. A
 * class with no pages has no writes: its rate is irrelevant. */
static double page_exposure(double writes_per_s, uint64_t pages, double t_s)
{
	return pages ? writes_per_s / (double)pages * t_s : 0;
}

/* 1 − e^{−x}, the probability that a page with exposure x is written;
 * expm1 keeps it exact for the tiny exposures of cold pages. */
static double p_written(double x)
{
	return -expm1(-x);
}

/* ln(1 + e^y) without overflow. */
static double softplus(double y)
{
	return y > 0 ? y + log1p(exp(-y)) : log1p(exp(y));
}

static double seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

mem_pageset mem_hotcold_dirtied(const mem_hotcold *m, uint64_t window_ns)
{
	check_model(m, "mem_hotcold_dirtied");
	double t_s = seconds(window_ns);
	uint64_t cold = m->pages - m->hot_pages;
	double xh = page_exposure(m->hot_writes_per_s, m->hot_pages, t_s);
	double xc = page_exposure(m->cold_writes_per_s, cold, t_s);
	return (mem_pageset){
		.hot_pages = (double)m->hot_pages * p_written(xh),
		.cold_pages = (double)cold * p_written(xc),
	};
}

double mem_hotcold_dirtied_pages(const mem_hotcold *m, uint64_t window_ns)
{
	mem_pageset d = mem_hotcold_dirtied(m, window_ns);
	return d.hot_pages + d.cold_pages;
}

/* The examination model of mem.h for a to-send set of shares f_h, f_c of
 * per-page write rates l_h, l_c: g(u) = f_h e^{−l_h u} + f_c e^{−l_c u} is
 * the chance that the page examined at u is sent. */
typedef struct exam {
	double lf_h, lf_c; /* ln f (−inf for an empty class) */
	double l_h, l_c;
} exam;

/* ln g(u), as a log-sum-exp. */
static double log_g(const exam *x, double u)
{
	double a = x->lf_h - x->l_h * u, b = x->lf_c - x->l_c * u;
	double hi = fmax(a, b), lo = fmin(a, b);
	return lo == -INFINITY ? hi : hi + log1p(exp(lo - hi));
}

/* The classes' shares at the round's end, as logarithms: ln π_j =
 * ln f_j − l_j T − ln g(T) (−inf for an empty class). */
typedef struct exam_at {
	double lp_h, lp_c, l_h, l_c;
} exam_at;

/* g(T)/g(T − s) = 1/(π_h e^{l_h s} + π_c e^{l_c s}), in (0, 1] for s in
 * [0, T]: 1/g scaled so that it cannot overflow (an overflowing
 * denominator gives 0, an empty class's term is exp(−inf) = 0). */
static double scaled_inv_g(double s, void *ctx)
{
	const exam_at *a = ctx;
	return 1 / (exp(a->lp_h + a->l_h * s) + exp(a->lp_c + a->l_c * s));
}

/* ∫₀ᵀ g(T)/g(u) du: F(T)·g(T), F(T) = ∫₀ᵀ du/g(u), integrated over the
 * time s = T − u before the round's end. Gauss-Kronrod (adaptive, GSL),
 * relative error 1e-10; the integrand is smooth, falling from 1 at s = 0
 * over about 1/l of the largest rate. */
static double scaled_f(const exam *x, double t)
{
	double lg = log_g(x, t);
	exam_at a = {.lp_h = x->lf_h - x->l_h * t - lg,
		     .lp_c = x->lf_c - x->l_c * t - lg,
		     .l_h = x->l_h,
		     .l_c = x->l_c};
	gsl_function fn = {.function = scaled_inv_g, .params = &a};
	gsl_integration_workspace *w = gsl_integration_workspace_alloc(64);
	if (!w)
		sim_panic("mem_hotcold_round: out of memory");
	double r = 0, err = 0;
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int rc = gsl_integration_qag(&fn, 0, t, 0, 1e-10, 64,
				     GSL_INTEG_GAUSS15, w, &r, &err);
	gsl_set_error_handler(old);
	gsl_integration_workspace_free(w);
	/* Roundoff limits (GSL_EROUND) leave a result accurate to about
	 * the target; anything else is a bug in the integrand. */
	if (rc != 0 && rc != GSL_EROUND)
		sim_panic("mem_hotcold_round: integration failed (%d)", rc);
	return r;
}

/* ∫₀ᵀ q_h(u) du, q_h = f_h e^{−l_h u}/g(u) = 1/(1 + a e^{δu}) with a =
 * f_c/f_h and δ = l_h − l_c: the logistic integral
 * T − (ln(1 + a e^{δT}) − ln(1 + a))/δ. */
static double hot_share_integral(const exam *x, double t)
{
	if (x->lf_c == -INFINITY)
		return t;
	if (x->lf_h == -INFINITY)
		return 0;
	double ln_a = x->lf_c - x->lf_h, d = x->l_h - x->l_c;
	if (d == 0)
		return t / (1 + exp(ln_a));
	double r = t - (softplus(ln_a + d * t) - softplus(ln_a)) / d;
	return fmin(t, fmax(0, r));
}

/* The examination model of a to-send set (mem.h), after checking it. */
static exam exam_of(const mem_hotcold *m, mem_pageset send, const char *who)
{
	check_model(m, who);
	uint64_t cold = m->pages - m->hot_pages;
	if (!(send.hot_pages >= 0 && send.hot_pages <= (double)m->hot_pages &&
	      send.cold_pages >= 0 && send.cold_pages <= (double)cold))
		sim_panic("%s: to-send set of %g hot and %g cold pages in a "
			  "model of %llu hot and %llu cold",
			  who, send.hot_pages, send.cold_pages,
			  (unsigned long long)m->hot_pages,
			  (unsigned long long)cold);
	double s = send.hot_pages + send.cold_pages;
	return (exam){.lf_h = s > 0 ? log(send.hot_pages / s) : -INFINITY,
		      .lf_c = s > 0 ? log(send.cold_pages / s) : -INFINITY,
		      .l_h = page_exposure(m->hot_writes_per_s, m->hot_pages, 1),
		      .l_c = page_exposure(m->cold_writes_per_s, cold, 1)};
}

/* T/F(T), the pages a round of T seconds sends per page of its set,
 * from F·g(T) so that nothing overflows; T > 0. */
static double sent_share(const exam *x, double t)
{
	if (x->l_h == 0 && x->l_c == 0)
		return 1;
	double fg = scaled_f(x, t);
	return fg > 0 ? t * exp(log_g(x, t)) / fg : 0;
}

mem_round_est mem_hotcold_round(const mem_hotcold *m, mem_pageset send,
				uint64_t round_ns)
{
	exam x = exam_of(m, send, "mem_hotcold_round");
	double t_s = seconds(round_ns);
	double s = send.hot_pages + send.cold_pages;
	mem_round_est e;
	/* A page never written in [0, T) is sent and stays sent. */
	double keep_h = send.hot_pages * exp(-x.l_h * t_s);
	double keep_c = send.cold_pages * exp(-x.l_c * t_s);
	if (s > 0 && t_s > 0) {
		/* Pages are examined at the rate c/g(u) and sent at c, so
		 * S = c·F(T) and class j sends c·∫₀ᵀ q_j: sent_j =
		 * (S/F(T))·∫q_j. Every page is sent when nothing is
		 * written. */
		double per_s = s * sent_share(&x, t_s) / t_s;
		double qh = hot_share_integral(&x, t_s);
		e.sent.hot_pages = per_s * qh;
		e.sent.cold_pages = per_s * (t_s - qh);
	} else {
		e.sent = send;
	}
	/* Sent is at least what is never written and at most the class. */
	e.sent.hot_pages = fmin(send.hot_pages, fmax(keep_h, e.sent.hot_pages));
	e.sent.cold_pages =
		fmin(send.cold_pages, fmax(keep_c, e.sent.cold_pages));
	e.skipped.hot_pages = send.hot_pages - e.sent.hot_pages;
	e.skipped.cold_pages = send.cold_pages - e.sent.cold_pages;
	/* Sent and written later: the sent pages less those never written. */
	e.wasted.hot_pages = e.sent.hot_pages - keep_h;
	e.wasted.cold_pages = e.sent.cold_pages - keep_c;
	e.dirtied = mem_hotcold_dirtied(m, round_ns);
	return e;
}

/* ψ(T) of mem_hotcold_round_ns and its derivative; −inf (slope +inf)
 * at or below T = extra/rate. */
static void hotcold_psi(const exam *x, double t, double s, double bits,
			double extra, double rate, double *psi, double *dpsi)
{
	double room = t * rate - extra;
	double fg = t > 0 ? scaled_f(x, t) : 0;
	if (!(room > 0) || !(fg > 0)) {
		*psi = -INFINITY;
		*dpsi = INFINITY;
		return;
	}
	*psi = log(fg) - log_g(x, t) + log(room) - log(bits * s * t);
	*dpsi = 1 / fg + rate / room - 1 / t;
}

uint64_t mem_hotcold_round_ns(const mem_hotcold *m, mem_pageset send,
			      double bits_per_page, double extra_bits,
			      double rate_bps)
{
	exam x = exam_of(m, send, "mem_hotcold_round_ns");
	if (!(bits_per_page > 0 && extra_bits >= 0 && rate_bps > 0) ||
	    !isfinite(bits_per_page + extra_bits + rate_bps))
		sim_panic("mem_hotcold_round_ns: %g bits a page, %g more, at "
			  "%g bit/s", bits_per_page, extra_bits, rate_bps);
	double s = send.hot_pages + send.cold_pages;
	double hi = (bits_per_page * s + extra_bits) / rate_bps;
	/* Without pages or writes, every page goes: the round lasts hi. */
	bool skips = s > 0 && (x.l_h > 0 || x.l_c > 0);
	/* The round ends where T·rate − extra = bits·S·T/F(T) (mem.h: it
	 * sends S·T/F(T) pages), i.e. where
	 *   ψ(T) = ln F(T) + ln(T·rate − extra) − ln(bits·S·T) = 0,
	 * which is < 0 as T falls to extra/rate and >= 0 at hi, where every
	 * page goes (F >= T). ln F is close to linear in T once one class's
	 * writes dominate, so Newton's method on ψ (ψ' = 1/(F·g) + rate/(T·
	 * rate − extra) − 1/T), kept inside the bracket by bisection, takes
	 * a few steps to half a ns; then the first whole ns with ψ >= 0. */
	double lo = extra_bits / rate_bps, t = hi;
	for (int i = 0; skips && i < 200; i++) {
		double psi, dpsi;
		hotcold_psi(&x, t, s, bits_per_page, extra_bits, rate_bps, &psi,
			    &dpsi);
		if (psi >= 0)
			hi = t;
		else
			lo = t;
		double next = t - psi / dpsi;
		if (!(next > lo && next < hi))
			next = 0.5 * (lo + hi);
		/* Half a ns: about what the quadrature's 1e-10 leaves. */
		bool done = fabs(next - t) < 5e-10 || hi - lo < 5e-10;
		t = next;
		if (done)
			break;
	}
	double top = ceil(hi * 1e9);
	double ns = fmin(ceil(t * 1e9), top);
	/* Rounding can leave the root a ns above: step up to where ψ >= 0
	 * (at most to hi, where it holds). */
	for (int i = 0; skips && i < 4 && ns < top; i++) {
		double psi, dpsi;
		hotcold_psi(&x, ns / 1e9, s, bits_per_page, extra_bits,
			    rate_bps, &psi, &dpsi);
		if (psi >= 0)
			break;
		ns += 1;
	}
	return ns >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)ns;
}

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

static const cfg_param dirtying_params[] = {
	{.name = "page_size", .type = CFG_T_POW2, .def = "4KiB",
	 .min = "512B", .max = "1GiB",
	 .offset = offsetof(mem_dirtying_cfg, page_size_bytes),
	 .doc = "guest page size (x86: 4KiB)"},
	{.name = "hot_set", .type = CFG_T_BYTES, .def = "0B", .min = "0B",
	 .offset = offsetof(mem_dirtying_cfg, hot_set_bytes),
	 .doc = "size of the hot set that takes hot_rate (capped at the "
		"VM's memory)"},
	{.name = "hot_rate", .type = CFG_T_FLOAT, .def = "0", .min = "0",
	 .offset = offsetof(mem_dirtying_cfg, hot_writes_per_s),
	 .doc = "page writes per second into the hot set, each to a uniform "
		"hot page"},
	{.name = "cold_rate", .type = CFG_T_FLOAT, .def = "0", .min = "0",
	 .offset = offsetof(mem_dirtying_cfg, cold_writes_per_s),
	 .doc = "page writes per second into the rest of memory, each to a "
		"uniform cold page"},
	/* [Liu11], [Akoush10]: the geometric model's dirty rate D,
	 * every write to a clean page (so min(M, D·T/P) pages in T). */
	{.name = "fresh_rate", .type = CFG_T_RATE, .def = "0bit/s",
	 .min = "0bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mem_dirtying_cfg, fresh_rate_bps),
	 .doc = "instead of hot/cold: memory dirtied at this rate, every "
		"write to a clean page of the working set (the geometric "
		"model, e.g. 64MiB/s; statistical fidelity only)"},
	/* SimGrid's dp_intensity (Hirofuchi, Lebre & Pouilloux, IEEE
	 * CloudCom 2013; [Hirofuchi13]): bytes dirtied per flop executed,
	 * set so that a VM at full speed dirties this share of its
	 * migration speed. Above 100% pre-copy cannot converge (λ >= 1). */
	{.name = "intensity", .type = CFG_T_PERCENT, .def = "0%",
	 .min = "0%", .max = "100000%",
	 .offset = offsetof(mem_dirtying_cfg, intensity),
	 .doc = "instead of hot/cold or fresh_rate: fresh pages dirtied at "
		"this share of the migration's max_rate, scaled by cpu_share "
		"(SimGrid's dp_intensity, Hirofuchi et al. CloudCom 2013; "
		"statistical fidelity only)"},
	/* SimGrid dirties in proportion to the CPU work the VM receives;
	 * vdcsim has no CPU contention model, so the share is given. */
	{.name = "cpu_share", .type = CFG_T_PERCENT, .def = "100%",
	 .min = "0%", .max = "100%",
	 .offset = offsetof(mem_dirtying_cfg, cpu_share),
	 .doc = "with fresh_rate or intensity: the share of its CPU the VM "
		"gets while migrating; its dirtying scales with it"},
	/* SimGrid caps each interval's dirtied bytes at working_set_memory,
	 * 90% of RAM in sg_vm_create_migratable ([Hirofuchi13]); 100% keeps
	 * the geometric model, where all of memory can be dirtied. */
	{.name = "working_set", .type = CFG_T_PERCENT, .def = "100%",
	 .min = "0.0001%", .max = "100%",
	 .offset = offsetof(mem_dirtying_cfg, working_set),
	 .doc = "with fresh_rate or intensity: the share of memory written "
		"(from the bottom); a window of t dirties min(rate x t, "
		"working set); SimGrid's sg_vm_create_migratable uses 90%"},
};

static const cfg_section dirtying_section = {
	.path = "vms[].dirtying",
	.doc = "statistical memory dirtying: a hot set and cold writes, or "
	       "fresh pages of a working set at a rate",
	.params = dirtying_params,
	.nparams = sizeof dirtying_params / sizeof dirtying_params[0],
};

static const cfg_section *const sections[] = {&dirtying_section, NULL};

const cfg_section *const *mem_sections(void)
{
	return sections;
}

void mem_hotcold_init(mem_hotcold *m, uint64_t memory_bytes,
		      const mem_dirtying_cfg *c)
{
	if (memory_bytes == 0)
		sim_panic("mem_hotcold_init: a guest without memory");
	m->pages = mem_pages_of_bytes(memory_bytes, c->page_size_bytes);
	uint64_t hot = mem_pages_of_bytes(c->hot_set_bytes, c->page_size_bytes);
	m->hot_pages = hot < m->pages ? hot : m->pages;
	m->hot_writes_per_s = c->hot_writes_per_s;
	m->cold_writes_per_s = c->cold_writes_per_s;
}
