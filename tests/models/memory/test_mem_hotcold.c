/* SPDX-License-Identifier: MIT */
/*
 * Tests of models/memory/'s hot set + cold writes model: its closed forms,
 * the same formulas against a Monte Carlo over the page-exact log (and of
 * Xen's skip over rounds), and its parameter table.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/redirect.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "mem_util.h"

/* ------------------------------------------------------------------------
 * Hot set + cold writes
 * ------------------------------------------------------------------------ */

static bool close_to(double got, double want, double tol)
{
	return fabs(got - want) <= tol;
}

Test(mem_hotcold, dirtied_pages_follow_the_closed_form)
{
	/* Each hot page takes 1 write/s and each cold page 0.01: after 1 s,
	 * 1000(1 − e^{−1}) hot and 9000(1 − e^{−0.01}) cold pages. */
	mem_hotcold m = {.pages = 10000, .hot_pages = 1000,
			 .hot_writes_per_s = 1000, .cold_writes_per_s = 90};
	mem_pageset d = mem_hotcold_dirtied(&m, SIM_S(1));
	cr_assert(close_to(d.hot_pages, 632.120558828557678, 1e-9),
		  "%.15g", d.hot_pages);
	cr_assert(close_to(d.cold_pages, 89.551496257487530, 1e-9),
		  "%.15g", d.cold_pages);
	cr_assert(close_to(mem_hotcold_dirtied_pages(&m, SIM_S(1)),
			   632.120558828557678 + 89.551496257487530, 1e-9));
}

Test(mem_hotcold, dirtied_pages_start_at_zero_and_saturate_at_the_memory)
{
	mem_hotcold m = {.pages = 4096, .hot_pages = 64,
			 .hot_writes_per_s = 1e4, .cold_writes_per_s = 50};
	cr_assert(eq(dbl, mem_hotcold_dirtied_pages(&m, 0), 0.0));
	cr_assert(close_to(mem_hotcold_dirtied_pages(&m, SIM_S(100000)), 4096,
			   1e-6));
	/* A model with no hot set, and one that is all hot set. */
	mem_hotcold cold_only = {.pages = 100, .hot_pages = 0,
				 .hot_writes_per_s = 5,
				 .cold_writes_per_s = 100};
	mem_pageset d = mem_hotcold_dirtied(&cold_only, SIM_S(1));
	cr_assert(eq(dbl, d.hot_pages, 0.0));
	cr_assert(close_to(d.cold_pages, 100 * (1 - exp(-1.0)), 1e-9));
	mem_hotcold hot_only = {.pages = 100, .hot_pages = 100,
				.hot_writes_per_s = 100,
				.cold_writes_per_s = 7};
	d = mem_hotcold_dirtied(&hot_only, SIM_S(1));
	cr_assert(eq(dbl, d.cold_pages, 0.0));
	cr_assert(close_to(d.hot_pages, 100 * (1 - exp(-1.0)), 1e-9));
}

Test(mem_hotcold, a_round_without_writes_sends_everything_and_skips_nothing)
{
	mem_hotcold m = {.pages = 1000, .hot_pages = 100};
	mem_round_est e = mem_hotcold_round(
		&m, (mem_pageset){.hot_pages = 100, .cold_pages = 900},
		SIM_S(3));
	cr_assert(eq(dbl, e.sent.hot_pages, 100.0));
	cr_assert(eq(dbl, e.sent.cold_pages, 900.0));
	cr_assert(eq(dbl, e.skipped.hot_pages + e.skipped.cold_pages, 0.0));
	cr_assert(eq(dbl, e.wasted.hot_pages + e.wasted.cold_pages, 0.0));
	cr_assert(eq(dbl, e.dirtied.hot_pages + e.dirtied.cold_pages, 0.0));
}

/* Only hot pages are written (λ = 4 per page and second, T = 0.5 s). A
 * page examined at u is sent with chance g(u) = f_h e^{−λu} + f_c and the
 * pages are examined at the rate c/g(u) (mem.h), so the set of S = c·F(T)
 * pages has F(T) = ∫₀ᵀ du/g(u) = ln(f_c e^{λT} + f_h)/(λ f_c) and the round
 * sends c·T = S·T/F(T) pages: every cold page and the rest hot; a hot page
 * is wasted when sent and written later, so wasted = sent − s_h e^{−λT}. A
 * set of one class sends S·λT/(e^{λT} − 1). */
Test(mem_hotcold, a_round_follows_the_closed_forms_of_xen_pacing)
{
	mem_hotcold m = {.pages = 1000, .hot_pages = 100,
			 .hot_writes_per_s = 400, .cold_writes_per_s = 0};
	mem_round_est e = mem_hotcold_round(
		&m, (mem_pageset){.hot_pages = 50, .cold_pages = 10},
		SIM_MS(500));
	double fh = 50.0 / 60, fc = 10.0 / 60, lam = 4, t = 0.5;
	double f = log(fc * exp(lam * t) + fh) / (lam * fc);
	double sent = 60 * t / f;
	cr_assert(close_to(e.sent.cold_pages, 10.0, 1e-9));
	cr_assert(close_to(e.sent.hot_pages, sent - 10, 1e-8), "%.12g vs %.12g",
		  e.sent.hot_pages, sent - 10);
	cr_assert(close_to(e.skipped.hot_pages, 50 - (sent - 10), 1e-8));
	cr_assert(eq(dbl, e.skipped.cold_pages, 0.0));
	cr_assert(close_to(e.wasted.hot_pages, sent - 10 - 50 * exp(-2.0),
			   1e-8));
	cr_assert(close_to(e.dirtied.hot_pages, 100 * (1 - exp(-2.0)), 1e-12));

	e = mem_hotcold_round(&m, (mem_pageset){.hot_pages = 50}, SIM_MS(500));
	cr_assert(close_to(e.sent.hot_pages, 50 * 2 / expm1(2.0), 1e-8));
	/* Far into the round the hot set is all written: the sends are the
	 * pages examined before, c·T with S = c·(e^{λT} − 1)/λ. */
	e = mem_hotcold_round(&m, (mem_pageset){.hot_pages = 50}, SIM_S(100));
	cr_assert(close_to(e.sent.hot_pages, 50 * 400 / expm1(400.0), 1e-12));
	cr_assert(isfinite(e.wasted.hot_pages) && e.wasted.hot_pages >= 0);
	/* Exponents of 10^4 neither overflow nor lose the classes' bounds. */
	mem_hotcold big = {.pages = 1000, .hot_pages = 100,
			   .hot_writes_per_s = 1000, .cold_writes_per_s = 9};
	e = mem_hotcold_round(&big, (mem_pageset){50, 500}, SIM_S(1000));
	cr_assert(e.sent.hot_pages >= 0 && e.sent.hot_pages <= 50);
	cr_assert(e.sent.cold_pages >= 0 && e.sent.cold_pages <= 500);
	cr_assert(e.wasted.hot_pages >= 0 && e.wasted.cold_pages >= 0);
	cr_assert(e.sent.cold_pages > e.sent.hot_pages);
}

/* mem_hotcold_round_ns is the first ns at which the round has sent its
 * pages (as mem_hotcold_round counts them) and the extra bits: one ns
 * earlier it has not; without writes, every page at the rate. */
Test(mem_hotcold, a_round_lasts_until_its_sent_pages_have_left)
{
	const mem_hotcold m = {.pages = 4096, .hot_pages = 256,
			       .hot_writes_per_s = 2000,
			       .cold_writes_per_s = 300};
	const mem_pageset sets[] = {{200, 60}, {256, 3840}, {0, 900}, {50, 0}};
	const double extra[] = {0, 1e6};
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		for (size_t k = 0; k < 2; k++) {
			double rate = 1e8, bits = 32768;
			uint64_t t = mem_hotcold_round_ns(&m, sets[i], bits,
							  extra[k], rate);
			mem_round_est e = mem_hotcold_round(&m, sets[i], t);
			mem_round_est b = mem_hotcold_round(&m, sets[i], t - 1);
			double sent = e.sent.hot_pages + e.sent.cold_pages;
			double sent_b = b.sent.hot_pages + b.sent.cold_pages;
			cr_assert(ge(dbl, (double)t * rate / 1e9,
				     bits * sent + extra[k] - 1e-3),
				  "set %zu: %llu ns", i, (unsigned long long)t);
			cr_assert(lt(dbl, (double)(t - 1) * rate / 1e9,
				     bits * sent_b + extra[k]),
				  "set %zu: %llu ns", i, (unsigned long long)t);
			cr_assert(lt(dbl, sent,
				     sets[i].hot_pages + sets[i].cold_pages));
		}
	const mem_hotcold idle = {.pages = 4096, .hot_pages = 256};
	uint64_t t = mem_hotcold_round_ns(&idle, (mem_pageset){100, 100}, 32768,
					  0, 1e8);
	cr_assert(eq(u64, t, (uint64_t)ceil(200 * 32768 / 1e8 * 1e9)));
}

Test(mem_hotcold, a_to_send_set_larger_than_its_class_panics,
     .signal = SIGABRT, .init = cr_redirect_stderr)
{
	mem_hotcold m = {.pages = 1000, .hot_pages = 100};
	mem_hotcold_round(&m, (mem_pageset){.hot_pages = 101}, SIM_S(1));
}

/* Poisson write stream of the model, page by page, from one GSL stream. */
typedef struct writer {
	const mem_hotcold *m;
	gsl_rng *rng;
	double next_s;  /* time of the next write */
} writer;

static void writer_init(writer *w, const mem_hotcold *m, gsl_rng *rng)
{
	w->m = m;
	w->rng = rng;
	w->next_s = gsl_ran_exponential(
		rng, 1 / (m->hot_writes_per_s + m->cold_writes_per_s));
}

/* Performs every write before `until_s` on the log. */
static void writer_run(writer *w, mem_dirtylog *log, double until_s)
{
	const mem_hotcold *m = w->m;
	double total = m->hot_writes_per_s + m->cold_writes_per_s;
	uint64_t cold = m->pages - m->hot_pages;
	while (w->next_s < until_s) {
		uint64_t page;
		if (gsl_rng_uniform(w->rng) * total < m->hot_writes_per_s)
			page = gsl_rng_uniform_int(w->rng, m->hot_pages);
		else
			page = m->hot_pages + gsl_rng_uniform_int(w->rng, cold);
		mem_dirtylog_mark(log, page);
		w->next_s += gsl_ran_exponential(w->rng, 1 / total);
	}
}

typedef struct hot_cold_count {
	uint64_t hot_pages, cold_pages;
	uint64_t split;
} hot_cold_count;

static void count_class(void *ctx, uint64_t page)
{
	hot_cold_count *c = ctx;
	if (page < c->split)
		c->hot_pages++;
	else
		c->cold_pages++;
}

/* Mean and variance accumulated over replications. */
typedef struct moments {
	double sum, sum2;
	unsigned n;
} moments;

static void moments_add(moments *m, double x)
{
	m->sum += x;
	m->sum2 += x * x;
	m->n++;
}

static double moments_mean(const moments *m)
{
	return m->sum / m->n;
}

static double moments_var(const moments *m)
{
	double mean = moments_mean(m);
	return (m->sum2 - m->n * mean * mean) / (m->n - 1);
}

/* The deterministic tests accept a mean within Z standard errors: with a
 * fixed seed a pass is reproducible, and 4.5 standard errors would be
 * exceeded by chance less than once in 10^5 seeds. */
#define Z 4.5

Test(mem_hotcold, distinct_dirtied_pages_match_a_monte_carlo_of_the_page_exact_log)
{
	const mem_hotcold m = {.pages = 2048, .hot_pages = 128,
			       .hot_writes_per_s = 400,
			       .cold_writes_per_s = 100};
	const uint64_t window_ns = SIM_MS(500);
	const unsigned reps = 4000;
	gsl_rng *rng = sim_rng_stream(42, "test.mem.dirtied");
	mem_dirtylog *log = mem_dirtylog_create(m.pages);
	moments hot = {0}, cold = {0};
	for (unsigned r = 0; r < reps; r++) {
		writer w;
		writer_init(&w, &m, rng);
		mem_dirtylog_start(log);
		writer_run(&w, log, (double)window_ns / 1e9);
		hot_cold_count c = {.split = m.hot_pages};
		mem_dirtylog_clean(log, count_class, &c);
		moments_add(&hot, (double)c.hot_pages);
		moments_add(&cold, (double)c.cold_pages);
	}
	mem_dirtylog_destroy(log);
	gsl_rng_free(rng);

	/* Pages are independent Bernoulli(p) under the model, so the count
	 * of a class of n pages has variance n·p(1 − p). */
	mem_pageset want = mem_hotcold_dirtied(&m, window_ns);
	double ph = want.hot_pages / (double)m.hot_pages;
	double pc = want.cold_pages / (double)(m.pages - m.hot_pages);
	double var_h = (double)m.hot_pages * ph * (1 - ph);
	double var_c = (double)(m.pages - m.hot_pages) * pc * (1 - pc);
	cr_assert(close_to(moments_mean(&hot), want.hot_pages,
			   Z * sqrt(var_h / reps)),
		  "hot: Monte Carlo %g, formula %g", moments_mean(&hot),
		  want.hot_pages);
	cr_assert(close_to(moments_mean(&cold), want.cold_pages,
			   Z * sqrt(var_c / reps)),
		  "cold: Monte Carlo %g, formula %g", moments_mean(&cold),
		  want.cold_pages);
	/* The sample variance estimates n·p(1 − p) with a relative standard
	 * error of about sqrt(2/reps) = 2.2 %: within 12 % says the pages
	 * really are independent, as the formula assumes. */
	cr_assert(close_to(moments_var(&hot), var_h, 0.12 * var_h),
		  "hot variance %g, n·p(1 − p) %g", moments_var(&hot), var_h);
	cr_assert(close_to(moments_var(&cold), var_c, 0.12 * var_c),
		  "cold variance %g, n·p(1 − p) %g", moments_var(&cold), var_c);
}

typedef struct round_mc {
	moments skipped_hot, skipped_cold, wasted_hot, wasted_cold, dirtied;
} round_mc;

/* Runs `reps` pre-copy rounds on the page-exact log as Xen's save loop
 * runs them (mem.h): the log is cleaned at the round's start; the to-send
 * set (the first send_hot hot pages and the first send_cold cold pages;
 * within a class pages are exchangeable) is shuffled, so that the order is
 * independent of hotness; a page is examined once the pages sent before
 * it have left at `pages_per_s`: if it peeks dirty it is skipped and takes
 * no time, else it is sent. The round ends when the last page sent has
 * left; *mean_s gets the rounds' mean duration. */
static round_mc run_rounds(const mem_hotcold *m, uint64_t send_hot,
			   uint64_t send_cold, double pages_per_s,
			   unsigned reps, const char *stream, double *mean_s)
{
	round_mc out;
	memset(&out, 0, sizeof out);
	gsl_rng *rng = sim_rng_stream(7, stream);
	mem_dirtylog *log = mem_dirtylog_create(m->pages);
	mem_bitmap sent, dirty;
	mem_bitmap_init(&sent, m->pages);
	mem_bitmap_init(&dirty, m->pages);
	size_t s = (size_t)(send_hot + send_cold);
	uint64_t *order = calloc(s, sizeof *order);
	*mean_s = 0;
	for (unsigned r = 0; r < reps; r++) {
		for (size_t j = 0; j < s; j++)
			order[j] = j < send_hot ? j
						: m->hot_pages + (j - send_hot);
		gsl_ran_shuffle(rng, order, s, sizeof *order);
		writer w;
		writer_init(&w, m, rng);
		mem_dirtylog_start(log);
		mem_bitmap_zero(&sent);
		double skipped_hot = 0, skipped_cold = 0, t_s = 0;
		for (size_t j = 0; j < s; j++) {
			writer_run(&w, log, t_s);
			bool hot = order[j] < m->hot_pages;
			if (mem_dirtylog_peek(log, order[j])) {
				*(hot ? &skipped_hot : &skipped_cold) += 1;
			} else {
				mem_bitmap_set(&sent, order[j]);
				t_s += 1 / pages_per_s;
			}
		}
		writer_run(&w, log, t_s);
		*mean_s += t_s / reps;
		uint64_t dirtied = mem_dirtylog_clean_into(log, &dirty);
		/* A page sent clean and dirty at the end was written after
		 * it was sent. */
		double wasted_hot = 0, wasted_cold = 0;
		for (uint64_t p = mem_bitmap_next(&sent, 0); p < sent.pages;
		     p = mem_bitmap_next(&sent, p + 1))
			if (mem_bitmap_is_set(&dirty, p))
				*(p < m->hot_pages ? &wasted_hot
						   : &wasted_cold) += 1;
		cr_assert(eq(u64, mem_bitmap_count_and(&sent, &dirty),
			     (uint64_t)(wasted_hot + wasted_cold)));
		moments_add(&out.skipped_hot, skipped_hot);
		moments_add(&out.skipped_cold, skipped_cold);
		moments_add(&out.wasted_hot, wasted_hot);
		moments_add(&out.wasted_cold, wasted_cold);
		moments_add(&out.dirtied, (double)dirtied);
	}
	free(order);
	mem_bitmap_fini(&sent);
	mem_bitmap_fini(&dirty);
	mem_dirtylog_destroy(log);
	gsl_rng_free(rng);
	return out;
}

/* The formula's value lies within Z standard errors of the Monte Carlo
 * mean, the standard error taken from the sample variance. */
static void expect_within(const moments *mc, double want, const char *what)
{
	double tol = Z * sqrt(moments_var(mc) / mc->n);
	cr_expect(close_to(moments_mean(mc), want, tol),
		  "%s: Monte Carlo %g ± %g, formula %g", what,
		  moments_mean(mc), tol, want);
}

/* The round at `pages_per_s` lasts the T at which it has sent c·T pages
 * (mem.h); sent(T) falls as T grows, so bisection finds it. */
static uint64_t round_ns_at(const mem_hotcold *m, mem_pageset set,
			    double pages_per_s)
{
	double lo = 0, hi = (set.hot_pages + set.cold_pages) / pages_per_s;
	for (int i = 0; i < 64; i++) {
		double mid = (lo + hi) / 2;
		mem_round_est e = mem_hotcold_round(m, set, (uint64_t)(mid * 1e9));
		if (mid * pages_per_s < e.sent.hot_pages + e.sent.cold_pages)
			lo = mid;
		else
			hi = mid;
	}
	return (uint64_t)(hi * 1e9);
}

static void check_round(const mem_hotcold *m, uint64_t send_hot,
			uint64_t send_cold, double pages_per_s, unsigned reps,
			const char *stream)
{
	double mean_s;
	round_mc mc = run_rounds(m, send_hot, send_cold, pages_per_s, reps,
				 stream, &mean_s);
	mem_pageset set = {.hot_pages = (double)send_hot,
			   .cold_pages = (double)send_cold};
	uint64_t round_ns = round_ns_at(m, set, pages_per_s);
	mem_round_est e = mem_hotcold_round(m, set, round_ns);
	/* The duration is a mean of sums of thousands of sends: within
	 * 0.5 %. */
	cr_expect(close_to(mean_s, (double)round_ns / 1e9, 0.005 * mean_s),
		  "round: Monte Carlo %g s, formula %g s", mean_s,
		  (double)round_ns / 1e9);
	expect_within(&mc.skipped_hot, e.skipped.hot_pages, "skipped hot");
	expect_within(&mc.skipped_cold, e.skipped.cold_pages, "skipped cold");
	expect_within(&mc.wasted_hot, e.wasted.hot_pages, "wasted hot");
	expect_within(&mc.wasted_cold, e.wasted.cold_pages, "wasted cold");
	expect_within(&mc.dirtied, e.dirtied.hot_pages + e.dirtied.cold_pages,
		      "dirtied");
}

Test(mem_hotcold, a_first_round_of_all_pages_matches_a_monte_carlo_of_xen_skip)
{
	/* Round 1 sends all M pages, hot ones spread uniformly in the
	 * order, at 4096 pages/s: λ_h·T about 1.5 makes skips of hot pages
	 * common. */
	const mem_hotcold m = {.pages = 2048, .hot_pages = 128,
			       .hot_writes_per_s = 400,
			       .cold_writes_per_s = 100};
	check_round(&m, 128, 1920, 4096, 1500, "test.mem.round1");
}

Test(mem_hotcold, a_later_round_of_a_hot_heavy_set_matches_a_monte_carlo_of_xen_skip)
{
	/* A later round sends what the previous one dirtied: mostly hot. */
	const mem_hotcold m = {.pages = 4096, .hot_pages = 256,
			       .hot_writes_per_s = 2000,
			       .cold_writes_per_s = 300};
	check_round(&m, 200, 60, 1500, 3000, "test.mem.round2");
}

Test(mem_hotcold, the_parameter_table_is_valid_and_sizes_become_pages)
{
	for (const cfg_section *const *s = mem_sections(); *s; s++)
		cfg_section_check(*s);
	const char text[] = "dirtying: {hot_set: 1MiB, hot_rate: 5000, "
			    "cold_rate: 12.5}\n";
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	cr_assert(eq(int, cfg_doc_parse("c.yaml", text, sizeof text - 1, &doc,
					&d),
		     0));
	mem_dirtying_cfg c;
	const cfg_node *root = cfg_doc_root(doc);
	cr_assert(eq(int, cfg_section_load(mem_sections()[0],
					   cfg_map_get(root, "dirtying"), root,
					   &c, &d),
		     0),
		  "%s", d.text ? d.text : "");
	cr_assert(eq(u64, c.page_size_bytes, 4096));
	mem_hotcold m;
	mem_hotcold_init(&m, (UINT64_C(512) << 20) + 1, &c);
	cr_assert(eq(u64, m.pages, CLARK_PAGES + 1));
	cr_assert(eq(u64, m.hot_pages, 256));
	cr_assert(eq(dbl, m.hot_writes_per_s, 5000.0));
	cr_assert(eq(dbl, m.cold_writes_per_s, 12.5));
	mem_hotcold_init(&m, 8192, &c);
	cr_assert(eq(u64, m.hot_pages, 2), "the hot set is capped at memory");
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}
