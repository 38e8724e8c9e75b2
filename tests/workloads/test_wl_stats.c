/* SPDX-License-Identifier: MIT */
/*
 * Tests of workloads/' page-write generators against their closed forms:
 * write counts, regions, chi-square tests of uniformity, hot and cold
 * classes, zipf rank frequencies, and the expected distinct pages (fixed
 * seeds; tolerances of five standard deviations from the Poisson or
 * binomial variance, so a correct generator fails about once in 10^6).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"
#include "wl_util.h"

/* ------------------------------------------------------------------------
 * Statistics
 * ------------------------------------------------------------------------ */

Test(wl_stats, the_mean_number_of_writes_per_window_is_rate_times_length)
{
	/* 4000 windows of 50 ms at 1000 writes/s: Poisson(50) each, so the
	 * total is Poisson(200000), sd 447, and the sample variance of the
	 * counts estimates 50 with a relative sd of sqrt(2/3999) = 2.2 %. */
	wl_pages_params p = uniform(1000);
	gsl_rng *r = rng(11);
	wl_pagegen *g = wl_pagegen_create(&p, 1000, r);
	double sum = 0, sum2 = 0;
	unsigned n = 4000;
	for (unsigned i = 0; i < n; i++) {
		double k = (double)wl_pagegen_writes(g, i * MS(50),
						     (i + 1) * MS(50), NULL,
						     NULL);
		sum += k;
		sum2 += k * k;
	}
	double mean = sum / n, var = (sum2 - n * mean * mean) / (n - 1);
	cr_assert(lt(dbl, fabs(sum - 200000), 5 * sqrt(200000.0)), "total %g",
		  sum);
	cr_assert(lt(dbl, fabs(var / 50 - 1), 5 * sqrt(2.0 / (n - 1))),
		  "variance %g", var);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

Test(wl_stats, uniform_writes_stay_in_their_region_and_cover_it)
{
	wl_pages_params p = uniform(1e6);
	p.offset = 100;
	p.pages = 400;
	counter c = {sim_xcalloc(1000, sizeof(uint32_t)), 1000, 0};
	gsl_rng *r = rng(3);
	wl_pagegen *g = wl_pagegen_create(&p, 1000, r);
	uint64_t n = wl_pagegen_writes(g, 0, MS(200), count, &c);
	cr_assert(eq(u64, c.outside, 0));
	uint64_t inside = 0;
	for (uint64_t i = 0; i < 1000; i++) {
		bool in = i >= 100 && i < 500;
		if (!in)
			cr_assert(eq(u32, c.count[i], 0), "page %lu", (unsigned long)i);
		else
			cr_assert(gt(u32, c.count[i], 0), "page %lu", (unsigned long)i);
		inside += c.count[i];
	}
	cr_assert(eq(u64, inside, n));
	free(c.count);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

Test(wl_stats, a_vm_of_2_to_the_32_pages_is_written_across_its_whole_range)
{
	wl_pages_params p = uniform(1e5);
	gsl_rng *r = rng(8);
	wl_pagegen *g = wl_pagegen_create(&p, UINT64_C(1) << 32, r);
	writes w = {NULL, 0, 0};
	wl_pagegen_writes(g, 0, MS(100), keep, &w);
	uint64_t hi = 0;
	for (size_t i = 0; i < w.n; i++) {
		cr_assert(lt(u64, w.page[i], UINT64_C(1) << 32));
		if (w.page[i] > hi)
			hi = w.page[i];
	}
	/* 10^4 uniform draws: the largest lies in the top 0.1 % with
	 * probability 1 − 0.999^10000 > 0.9999. */
	cr_assert(gt(u64, hi, (UINT64_C(1) << 32) / 1000 * 999));
	free(w.page);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

Test(wl_stats, hotset_writes_fall_in_the_hot_set_in_proportion_to_its_rate)
{
	/* hot 3000/s, cold 1000/s: a write is hot with probability 0.75.
	 * Over N writes the hot fraction has sd sqrt(0.75 · 0.25 / N). */
	wl_pages_params p = hotset(500, 3000, 1000);
	p.offset = 2000;
	counter c = {sim_xcalloc(10000, sizeof(uint32_t)), 10000, 0};
	gsl_rng *r = rng(21);
	wl_pagegen *g = wl_pagegen_create(&p, 10000, r);
	uint64_t n = wl_pagegen_writes(g, 0, SEC(50), count, &c);
	cr_assert(eq(u64, c.outside, 0));
	uint64_t hot = 0;
	for (uint64_t i = 2000; i < 2500; i++)
		hot += c.count[i];
	double frac = (double)hot / (double)n;
	cr_assert(lt(dbl, fabs(frac - 0.75), 5 * sqrt(0.75 * 0.25 / (double)n)),
		  "hot fraction %g of %lu writes", frac, (unsigned long)n);
	/* Cold writes reach both sides of the hot set. */
	cr_assert(gt(u32, c.count[0], 0));
	cr_assert(gt(u32, c.count[1999], 0));
	cr_assert(gt(u32, c.count[2500], 0));
	cr_assert(gt(u32, c.count[9999], 0));
	free(c.count);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

/* Pearson's chi-square of counts[0..k) against equal expected counts. */
static double chi_square(const uint32_t *counts, uint64_t k)
{
	double total = 0, x2 = 0;
	for (uint64_t i = 0; i < k; i++)
		total += counts[i];
	double e = total / (double)k;
	for (uint64_t i = 0; i < k; i++)
		x2 += (counts[i] - e) * (counts[i] - e) / e;
	return x2;
}

/* A generous bound for a chi-square of df degrees of freedom: its mean
 * plus six of its standard deviations, sqrt(2 df) (for df >= 50 the
 * statistic is near normal and exceeds this about once in 10^8; for small
 * df see the callers). */
static double chi_square_bound(double df)
{
	return df + 6 * sqrt(2 * df);
}

/* Counts of uniform writes over a region of n pages, about per_page each. */
static counter uniform_counts(uint64_t n, double per_page, uint64_t seed)
{
	wl_pages_params p = uniform(per_page * (double)n * 10);
	counter c = {sim_xcalloc(n, sizeof(uint32_t)), n, 0};
	gsl_rng *r = rng(seed);
	wl_pagegen *g = wl_pagegen_create(&p, n, r);
	wl_pagegen_writes(g, 0, MS(100), count, &c);
	cr_assert(eq(u64, c.outside, 0));
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
	return c;
}

Test(wl_stats, uniform_pages_pass_a_chi_square_test_on_both_draw_paths)
{
	/* Pages are drawn two per 32-bit draw up to 2^16 pages and one per
	 * draw beyond; the edges of both paths, and small odd sizes. */
	static const uint64_t sizes[] = {2, 3, 1000, 49152, 65536, 65537,
					 100003};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		uint64_t n = sizes[i];
		counter c = uniform_counts(n, n < 100 ? 100000 : 40, 70 + i);
		double x2 = chi_square(c.count, n);
		/* For df = 1 and 2 the bound is 9.5 and 14.0: p < 0.01 and
		 * p < 0.001, loose enough for the fixed seeds here. */
		cr_assert(lt(dbl, x2, chi_square_bound((double)(n - 1))),
			  "%lu pages: chi-square %g", (unsigned long)n, x2);
		free(c.count);
	}
}

/* Page residues mod 3 of a region of n pages, chi-square against 1/3. */
static double residue_chi_square(uint64_t n, uint64_t vm, uint64_t seed)
{
	wl_pages_params p = uniform(1e7);
	p.pages = n;
	uint32_t mod3[3] = {0, 0, 0};
	gsl_rng *r = rng(seed);
	wl_pagegen *g = wl_pagegen_create(&p, vm, r);
	writes w = {NULL, 0, 0};
	wl_pagegen_writes(g, 0, MS(100), keep, &w);
	for (size_t i = 0; i < w.n; i++)
		mod3[w.page[i] % 3]++;
	free(w.page);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
	return chi_square(mod3, 3);
}

Test(wl_stats, the_range_reduction_rejects_what_would_bias_it)
{
	/* Multiply-shift without its rejection step maps 32-bit draws x to
	 * floor(x·n / 2^32). For n = 3·2^30 that is floor(3x/4), which gives
	 * pages ≡ 0 (mod 3) half the writes; for n = 3·2^14, drawn in pairs
	 * from [0, n²) = [0, 9·2^28), it gives the second page of each pair
	 * ≡ 0 (mod 3) with probability 6/16. Both would push the chi-square
	 * of 10^6 writes' residues into the thousands; unbiased draws keep it
	 * a chi-square of 2 degrees of freedom (below 30 but once in 3·10^6). */
	double big = residue_chi_square(UINT64_C(3) << 30, UINT64_C(1) << 32, 80);
	cr_assert(lt(dbl, big, 30.0), "3·2^30 pages: chi-square %g", big);
	double pairs = residue_chi_square(UINT64_C(3) << 14, UINT64_C(3) << 14,
					  81);
	cr_assert(lt(dbl, pairs, 30.0), "3·2^14 pages: chi-square %g", pairs);
}

Test(wl_stats, hot_and_cold_pages_are_each_uniform_within_their_class)
{
	wl_pages_params p = hotset(500, 1e6, 2e6);
	p.offset = 2000;
	counter c = {sim_xcalloc(50000, sizeof(uint32_t)), 50000, 0};
	gsl_rng *r = rng(22);
	wl_pagegen *g = wl_pagegen_create(&p, 50000, r);
	wl_pagegen_writes(g, 0, MS(100), count, &c);
	cr_assert(eq(u64, c.outside, 0));
	double hot = chi_square(c.count + 2000, 500);
	cr_assert(lt(dbl, hot, chi_square_bound(499)), "hot: %g", hot);
	/* The cold pages lie on both sides of the hot set. */
	uint32_t *cold = sim_xcalloc(49500, sizeof(uint32_t));
	memcpy(cold, c.count, 2000 * sizeof *cold);
	memcpy(cold + 2000, c.count + 2500, 47500 * sizeof *cold);
	double x2 = chi_square(cold, 49500);
	cr_assert(lt(dbl, x2, chi_square_bound(49499)), "cold: %g", x2);
	free(cold);
	free(c.count);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

/* Hot and cold writes of one window. */
typedef struct split {
	uint64_t first, count;
	uint64_t hot, cold;
} split;

static void tally_split(void *ctx, const uint64_t *page, size_t n)
{
	split *s = ctx;
	for (size_t i = 0; i < n; i++) {
		if (page[i] >= s->first && page[i] < s->first + s->count)
			s->hot++;
		else
			s->cold++;
	}
}

Test(wl_stats, hot_and_cold_write_counts_are_independent_poisson_counts)
{
	/* 4000 windows of 50 ms at 1000 hot and 400 cold writes/s: hot
	 * counts Poisson(50), cold Poisson(20), uncorrelated. Each mean is
	 * checked to 5 sd of the mean, each variance to 5 sd of a sample
	 * variance (relative sd about sqrt(2/(n − 1))), and the correlation
	 * to 5/sqrt(n). */
	wl_pages_params p = hotset(64, 1000, 400);
	p.offset = 100;
	gsl_rng *r = rng(23);
	wl_pagegen *g = wl_pagegen_create(&p, 1000, r);
	unsigned n = 4000;
	double sh = 0, sc = 0, shh = 0, scc = 0, shc = 0;
	for (unsigned i = 0; i < n; i++) {
		split s = {100, 64, 0, 0};
		uint64_t k = wl_pagegen_writes_batch(g, i * MS(50),
						     (i + 1) * MS(50),
						     tally_split, &s);
		cr_assert(eq(u64, k, s.hot + s.cold));
		double h = (double)s.hot, c = (double)s.cold;
		sh += h;
		sc += c;
		shh += h * h;
		scc += c * c;
		shc += h * c;
	}
	double mh = sh / n, mc = sc / n;
	double vh = (shh - n * mh * mh) / (n - 1);
	double vc = (scc - n * mc * mc) / (n - 1);
	double cov = (shc - n * mh * mc) / (n - 1);
	double rel = 5 * sqrt(2.0 / (n - 1));
	cr_assert(lt(dbl, fabs(mh - 50), 5 * sqrt(50.0 / n)), "hot mean %g", mh);
	cr_assert(lt(dbl, fabs(mc - 20), 5 * sqrt(20.0 / n)), "cold mean %g",
		  mc);
	cr_assert(lt(dbl, fabs(vh / 50 - 1), rel), "hot variance %g", vh);
	cr_assert(lt(dbl, fabs(vc / 20 - 1), rel), "cold variance %g", vc);
	cr_assert(lt(dbl, fabs(cov / sqrt(vh * vc)), 5 / sqrt((double)n)),
		  "correlation %g", cov / sqrt(vh * vc));
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

/* Cold writes by position within a window, over many windows. */
typedef struct by_position {
	uint64_t first, count; /* the hot set */
	size_t at;             /* writes of this window so far */
	uint64_t cold[1024], seen[1024];
	bool last_cold;
} by_position;

static void tally_position(void *ctx, const uint64_t *page, size_t n)
{
	by_position *b = ctx;
	for (size_t i = 0; i < n; i++, b->at++) {
		bool cold = page[i] < b->first || page[i] >= b->first + b->count;
		if (b->at < 1024) {
			b->cold[b->at] += cold;
			b->seen[b->at]++;
		}
		b->last_cold = cold;
	}
}

/* Each write of a window is cold with the same probability whatever its
 * position, the last one included (post-copy takes a window's last fault
 * as the most recent): windows of about 1000 writes span two batches,
 * positions are pooled in 16 groups of 64, and each group's cold fraction
 * and the last write's are checked to 5 sd. */
static void classes_are_exchangeable(double hot_rate, double cold_rate,
				     uint64_t seed)
{
	wl_pages_params p = hotset(200, hot_rate, cold_rate);
	p.offset = 300;
	double pc = cold_rate / (hot_rate + cold_rate);
	by_position *b = sim_xcalloc(1, sizeof *b);
	b->first = 300;
	b->count = 200;
	gsl_rng *r = rng(seed);
	wl_pagegen *g = wl_pagegen_create(&p, 5000, r);
	unsigned windows = 3000, lasts = 0, last_cold = 0;
	for (unsigned w = 0; w < windows; w++) {
		b->at = 0;
		wl_pagegen_writes_batch(g, w * MS(10), (w + 1) * MS(10),
					tally_position, b);
		if (b->at > 0) {
			lasts++;
			last_cold += b->last_cold;
		}
	}
	for (size_t grp = 0; grp < 16; grp++) {
		uint64_t c = 0, n = 0;
		for (size_t i = grp * 64; i < (grp + 1) * 64; i++) {
			c += b->cold[i];
			n += b->seen[i];
		}
		cr_assert(gt(u64, n, 10000));
		double f = (double)c / (double)n;
		cr_assert(lt(dbl, fabs(f - pc), 5 * sqrt(pc * (1 - pc) / n)),
			  "positions %zu-%zu: cold fraction %g, want %g",
			  grp * 64, grp * 64 + 63, f, pc);
	}
	double f = (double)last_cold / lasts;
	cr_assert(lt(dbl, fabs(f - pc), 5 * sqrt(pc * (1 - pc) / lasts)),
		  "last write cold %g, want %g", f, pc);
	free(b);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

Test(wl_stats, a_writes_class_does_not_depend_on_its_position_in_the_window)
{
	/* Cold the smaller class, then hot the smaller class. */
	classes_are_exchangeable(80000, 20000, 24);
	classes_are_exchangeable(30000, 70000, 25);
}

Test(wl_stats, distinct_pages_of_uniform_writes_match_the_closed_form)
{
	/* M = 10000, 20000 writes/s over 0.5 s: M(1 − e^−1) = 6321.2, with
	 * per-window variance M·q(1 − q) = 2325; 40 windows. */
	wl_pages_params p = uniform(20000);
	double want = wl_pagegen_expected_dirty(&p, 10000, 0.5);
	cr_assert(lt(dbl, fabs(want - 10000 * (1 - exp(-1.0))), 1e-9));
	double got = mean_distinct(&p, 10000, 31, 40, 0.5);
	double sd = sqrt(bern_var(10000, 2.0, 0.5) / 40);
	cr_assert(lt(dbl, fabs(got - want), 5 * sd), "got %g want %g", got,
		  want);
}

Test(wl_stats, distinct_pages_of_hotset_writes_match_the_closed_form)
{
	/* H = 1000 at 5000/s and 49000 cold pages at 2000/s over 0.4 s. */
	wl_pages_params p = hotset(1000, 5000, 2000);
	p.offset = 12345;
	double want = wl_pagegen_expected_dirty(&p, 50000, 0.4);
	double closed = 1000 * -expm1(-5000 * 0.4 / 1000) +
			49000 * -expm1(-2000 * 0.4 / 49000);
	cr_assert(lt(dbl, fabs(want - closed), 1e-9));
	double got = mean_distinct(&p, 50000, 32, 40, 0.4);
	double sd = sqrt((bern_var(1000, 5.0, 0.4) +
			  bern_var(49000, 2000.0 / 49000, 0.4)) /
			 40);
	cr_assert(lt(dbl, fabs(got - want), 5 * sd), "got %g want %g", got,
		  want);
}

/* Σ_{i=1..n} i^−s term by term, smallest terms first (relative error
 * near n·2^−53, far below the tolerances here). */
static double brute_norm(double s, uint64_t n)
{
	double h = 0;
	for (uint64_t i = n; i >= 1; i--)
		h += pow((double)i, -s);
	return h;
}

Test(wl_stats, distinct_pages_of_zipf_writes_match_the_closed_form)
{
	wl_pages_params p = zipf(30000, 0.9);
	uint64_t m = 20000;
	double want = wl_pagegen_expected_dirty(&p, m, 0.3);
	double h = brute_norm(0.9, m), var = 0;
	for (uint64_t i = 1; i <= m; i++) {
		double q = -expm1(-30000 * 0.3 * pow((double)i, -0.9) / h);
		var += q * (1 - q);
	}
	double got = mean_distinct(&p, m, 33, 40, 0.3);
	cr_assert(lt(dbl, fabs(got - want), 5 * sqrt(var / 40)),
		  "got %g want %g", got, want);
}

/* Counts of a zipf generator's pages, most written first. */
static int desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x < y) - (x > y);
}

Test(wl_stats, zipf_rank_frequencies_are_one_over_the_generalised_harmonic)
{
	static const struct {
		uint64_t m;
		double s;
	} cases[] = {{1000, 1.0}, {1000, 0.6}, {1 << 20, 1.2}, {50, 2.5}};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		wl_pages_params p = zipf(1e6, cases[k].s);
		uint64_t m = cases[k].m;
		counter c = {sim_xcalloc(m, sizeof(uint32_t)), m, 0};
		gsl_rng *r = rng(40 + k);
		wl_pagegen *g = wl_pagegen_create(&p, m, r);
		uint64_t n = wl_pagegen_writes(g, 0, MS(300), count, &c);
		cr_assert(eq(u64, c.outside, 0));
		qsort(c.count, m, sizeof *c.count, desc);
		double h = brute_norm(cases[k].s, m);
		/* The three most written pages are ranks 1, 2, 3 (their
		 * expected counts are far apart at these sizes). */
		for (uint64_t rank = 1; rank <= 3; rank++) {
			double pr = pow((double)rank, -cases[k].s) / h;
			double f = (double)c.count[rank - 1] / (double)n;
			cr_assert(lt(dbl, fabs(f - pr),
				     5 * sqrt(pr * (1 - pr) / (double)n)),
				  "m %lu s %g rank %lu: %g, want %g",
				  (unsigned long)m, cases[k].s,
				  (unsigned long)rank, f, pr);
		}
		free(c.count);
		wl_pagegen_destroy(g);
		gsl_rng_free(r);
	}
}

Test(wl_stats, zipf_with_exponent_0_is_uniform_over_a_scattered_region)
{
	/* The permutation must be a bijection of the region: with s = 0
	 * every page of it gets Poisson(500)-like counts and none outside. */
	wl_pages_params p = zipf(5e6, 0);
	p.offset = 7;
	p.pages = 1000;
	counter c = {sim_xcalloc(1100, sizeof(uint32_t)), 1100, 0};
	gsl_rng *r = rng(50);
	wl_pagegen *g = wl_pagegen_create(&p, 1100, r);
	uint64_t n = wl_pagegen_writes(g, 0, MS(100), count, &c);
	double mean = (double)n / 1000;
	for (uint64_t i = 0; i < 1100; i++) {
		if (i < 7 || i >= 1007) {
			cr_assert(eq(u32, c.count[i], 0));
			continue;
		}
		cr_assert(lt(dbl, fabs(c.count[i] - mean), 6 * sqrt(mean)),
			  "page %lu: %u of mean %g", (unsigned long)i,
			  c.count[i], mean);
	}
	free(c.count);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

Test(wl_stats, the_most_popular_zipf_pages_are_scattered)
{
	wl_pages_params p = zipf(1e6, 1.5);
	uint64_t m = 4096;
	counter c = {sim_xcalloc(m, sizeof(uint32_t)), m, 0};
	gsl_rng *r = rng(60);
	wl_pagegen *g = wl_pagegen_create(&p, m, r);
	wl_pagegen_writes(g, 0, MS(100), count, &c);
	/* Pages of ranks 1..4 (the four most written, far apart in count)
	 * span more than a small neighbourhood. */
	uint64_t lo = m, hi = 0;
	for (int k = 0; k < 4; k++) {
		uint64_t best = 0;
		for (uint64_t i = 1; i < m; i++)
			if (c.count[i] > c.count[best])
				best = i;
		lo = best < lo ? best : lo;
		hi = best > hi ? best : hi;
		c.count[best] = 0;
	}
	cr_assert(gt(u64, hi - lo, 64), "ranks 1-4 within [%lu, %lu]",
		  (unsigned long)lo, (unsigned long)hi);
	free(c.count);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

/* ------------------------------------------------------------------------
 * Expected distinct pages
 * ------------------------------------------------------------------------ */

/* Σ (1 − e^{−w i^−s / h}) term by term, h = brute_norm(s, n). */
static double brute_zipf(double s, uint64_t n, double h, double w)
{
	double sum = 0;
	for (uint64_t i = n; i >= 1; i--)
		sum += -expm1(-w * pow((double)i, -s) / h);
	return sum;
}

Test(wl_expected, zipf_matches_a_term_by_term_sum_beyond_the_exact_ranks)
{
	/* 200000 ranks: three times past the 65536 summed exactly. */
	static const double ss[] = {0.5, 1.0, 1.2, 2.0};
	static const double ws[] = {1e3, 1e5, 1e7};
	static const uint64_t ns[] = {1000, 200000};
	for (size_t a = 0; a < 4; a++)
		for (size_t c = 0; c < 2; c++) {
			double h = brute_norm(ss[a], ns[c]);
			for (size_t b = 0; b < 3; b++) {
				wl_pages_params p = zipf(ws[b], ss[a]);
				double got = wl_pagegen_expected_dirty(
					&p, ns[c], 1.0);
				double want = brute_zipf(ss[a], ns[c], h, ws[b]);
				cr_assert(lt(dbl, fabs(got - want) / want, 1e-9),
					  "s %g w %g n %lu: %.12g vs %.12g",
					  ss[a], ws[b], (unsigned long)ns[c],
					  got, want);
			}
		}
}

Test(wl_expected, zipf_with_exponent_0_is_the_uniform_closed_form)
{
	wl_pages_params z = zipf(5e5, 0), u = uniform(5e5);
	uint64_t n = UINT64_C(1) << 22;
	double a = wl_pagegen_expected_dirty(&z, n, 2.0);
	double b = wl_pagegen_expected_dirty(&u, n, 2.0);
	cr_assert(lt(dbl, fabs(a - b) / b, 1e-9), "%.12g vs %.12g", a, b);
}

Test(wl_expected, the_closed_forms_at_their_limits)
{
	wl_pages_params u = uniform(1000);
	cr_assert(eq(dbl, wl_pagegen_expected_dirty(&u, 1000, 0), 0.0));
	cr_assert(lt(dbl, fabs(wl_pagegen_expected_dirty(&u, 1000, 1e6) - 1000),
		     1e-9));
	u.pages = 10;
	cr_assert(lt(dbl, fabs(wl_pagegen_expected_dirty(&u, 1000, 1e6) - 10),
		     1e-9));
	wl_pages_params h = hotset(1000, 100, 0);
	cr_assert(lt(dbl, fabs(wl_pagegen_expected_dirty(&h, 1000, 1) -
			       1000 * -expm1(-0.1)),
		     1e-9));
	trace_pages *t = trace_pages_builder_finish(
		trace_pages_builder_create(10, 4096, 1000));
	wl_pages_params r = {.kind = WL_PAGES_REPLAY, .replay = t};
	cr_assert(isnan(wl_pagegen_expected_dirty(&r, 10, 1)));
	trace_pages_destroy(t);
}
