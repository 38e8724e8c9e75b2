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

typedef struct exam_at {
	const exam *x;
	double log_g_end; /* ln g(T) */
} exam_at;

/* g(T)/g(u), in (0, 1] on [0, T]: 1/g scaled so that it cannot overflow. */
static double scaled_inv_g(double u, void *ctx)
{
	const exam_at *a = ctx;
	return exp(a->log_g_end - log_g(a->x, u));
}

/* ∫₀ᵀ g(T)/g(u) du: F(T)·g(T), F(T) = ∫₀ᵀ du/g(u). Gauss-Kronrod
 * (adaptive, GSL), relative error 1e-10; the integrand is smooth, rising
 * to 1 at T over about 1/l of the largest rate. */
static double scaled_f(const exam *x, double t)
{
	exam_at a = {.x = x, .log_g_end = log_g(x, t)};
	gsl_function fn = {.function = scaled_inv_g, .params = &a};
	gsl_integration_workspace *w = gsl_integration_workspace_alloc(64);
	if (!w)
		sim_panic("mem_hotcold_round: out of memory");
	double r = 0, err = 0;
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int rc = gsl_integration_qag(&fn, 0, t, 0, 1e-10, 64,
				     GSL_INTEG_GAUSS21, w, &r, &err);
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

mem_round_est mem_hotcold_round(const mem_hotcold *m, mem_pageset send,
				uint64_t round_ns)
{
	check_model(m, "mem_hotcold_round");
	uint64_t cold = m->pages - m->hot_pages;
	if (!(send.hot_pages >= 0 && send.hot_pages <= (double)m->hot_pages &&
	      send.cold_pages >= 0 && send.cold_pages <= (double)cold))
		sim_panic("mem_hotcold_round: to-send set of %g hot and %g "
			  "cold pages in a model of %llu hot and %llu cold",
			  send.hot_pages, send.cold_pages,
			  (unsigned long long)m->hot_pages,
			  (unsigned long long)cold);
	double t_s = seconds(round_ns);
	double s = send.hot_pages + send.cold_pages;
	exam x = {.lf_h = log(send.hot_pages / s),
		  .lf_c = log(send.cold_pages / s),
		  .l_h = page_exposure(m->hot_writes_per_s, m->hot_pages, 1),
		  .l_c = page_exposure(m->cold_writes_per_s, cold, 1)};
	mem_round_est e;
	e.sent = (mem_pageset){0};
	/* A page never written in [0, T) is sent and stays sent. */
	double keep_h = send.hot_pages * exp(-x.l_h * t_s);
	double keep_c = send.cold_pages * exp(-x.l_c * t_s);
	if (s > 0 && t_s > 0) {
		/* Pages are examined at the rate c/g(u) and sent at c, so
		 * S = c·F(T) and class j sends c·∫₀ᵀ q_j: sent_j =
		 * S·∫q_j/F(T). Every page is sent when nothing is
		 * written. */
		double f = x.l_h == 0 && x.l_c == 0 ? t_s : scaled_f(&x, t_s);
		double per_s = f > 0 ? s * exp(log_g(&x, t_s)) / f : 0;
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
