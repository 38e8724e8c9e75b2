/* SPDX-License-Identifier: MIT */
/*
 * Tests of workloads/: parameters and their messages, determinism of the
 * page-write generators, statistics against their closed forms (fixed
 * seeds; tolerances of five standard deviations from the Poisson or
 * binomial variance, so a correct generator fails about once in 10^6),
 * the presets against Clark et al.'s numbers, replay and trace output.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wl.h"

/* Criterion's eq(str, ...) takes char *, and -Wwrite-strings makes
 * literals const: the cast is the price of the new assert API. */
#define STR(s) ((char *)(s))

#define MS(x) ((uint64_t)(x) * 1000000)
#define SEC(x) ((uint64_t)(x) * 1000000000)

static wl_pages_params uniform(double rate)
{
	wl_pages_params p = {.kind = WL_PAGES_UNIFORM, .rate = rate};
	return p;
}

static wl_pages_params hotset(uint64_t hot, double h, double c)
{
	wl_pages_params p = {.kind = WL_PAGES_HOTSET, .hot_pages = hot,
			     .hot_rate = h, .cold_rate = c};
	return p;
}

static wl_pages_params zipf(double rate, double s)
{
	wl_pages_params p = {.kind = WL_PAGES_ZIPF, .rate = rate, .zipf_s = s};
	return p;
}

/* ------------------------------------------------------------------------
 * Collecting writes
 * ------------------------------------------------------------------------ */

typedef struct writes {
	uint64_t *page;
	size_t n, cap;
} writes;

static void keep(void *ctx, uint64_t page)
{
	writes *w = ctx;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4096;
		w->page = sim_xrealloc(w->page, w->cap, sizeof *w->page);
	}
	w->page[w->n++] = page;
}

/* Counts writes per page into counts[pages]. */
typedef struct counter {
	uint32_t *count;
	uint64_t pages;
	uint64_t outside;
} counter;

static void count(void *ctx, uint64_t page)
{
	counter *c = ctx;
	if (page < c->pages)
		c->count[page]++;
	else
		c->outside++;
}

/* Distinct pages written in one window. */
typedef struct marker {
	unsigned char *seen;
	uint64_t distinct;
} marker;

static void mark(void *ctx, uint64_t page)
{
	marker *m = ctx;
	if (!m->seen[page]) {
		m->seen[page] = 1;
		m->distinct++;
	}
}

static gsl_rng *rng(uint64_t seed)
{
	return sim_rng_stream(seed, "test/pages");
}

/* The writes of `windows` consecutive windows of window_ns. */
static writes run(const wl_pages_params *p, uint64_t pages, uint64_t seed,
		  unsigned windows, uint64_t window_ns)
{
	gsl_rng *r = rng(seed);
	wl_pagegen *g = wl_pagegen_create(p, pages, r);
	writes w = {NULL, 0, 0};
	for (unsigned i = 0; i < windows; i++)
		wl_pagegen_writes(g, i * window_ns, (i + 1) * window_ns, keep,
				  &w);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
	return w;
}

/* Mean distinct pages over `windows` independent windows of `seconds`. */
static double mean_distinct(const wl_pages_params *p, uint64_t pages,
			    uint64_t seed, unsigned windows, double seconds)
{
	gsl_rng *r = rng(seed);
	wl_pagegen *g = wl_pagegen_create(p, pages, r);
	marker m = {sim_xcalloc(pages, 1), 0};
	uint64_t ns = (uint64_t)(seconds * 1e9), total = 0;
	for (unsigned i = 0; i < windows; i++) {
		memset(m.seen, 0, pages);
		m.distinct = 0;
		wl_pagegen_writes(g, i * ns, (i + 1) * ns, mark, &m);
		total += m.distinct;
	}
	free(m.seen);
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
	return (double)total / windows;
}

/* Variance of the distinct count of n pages each written with
 * probability q independently: n·q·(1 − q). */
static double bern_var(double n, double rate_per_page, double seconds)
{
	double q = -expm1(-rate_per_page * seconds);
	return n * q * (1 - q);
}

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

typedef struct loaded {
	cfg_doc *doc;
	wl_pages_params p;
	int rc;
	char *msg;
} loaded;

static loaded load(const char *yaml)
{
	loaded l;
	memset(&l, 0, sizeof l);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("w.yaml", yaml, strlen(yaml), &l.doc, &d),
		     0),
		  "%s", d.text ? d.text : "");
	const cfg_node *root = cfg_doc_root(l.doc);
	l.rc = wl_pages_params_load(cfg_map_get(root, "w"), root, &l.p, &d);
	l.msg = sim_xstrdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return l;
}

static void unload(loaded *l)
{
	cfg_doc_destroy(l->doc);
	free(l->msg);
}

static void load_refused(const char *yaml, const char *want)
{
	loaded l = load(yaml);
	cr_assert(eq(int, l.rc, SIM_EINPUT));
	cr_assert(eq(str, l.msg, STR(want)));
	unload(&l);
}

static void check_refused(const wl_pages_params *p, uint64_t pages,
			  const char *want)
{
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, wl_pages_check(p, pages, "vm1", &d), SIM_EINPUT));
	cr_assert(eq(str, d.text, STR(want)));
	sim_diag_fini(&d);
}

Test(wl_params, the_parameter_table_passes_its_own_check)
{
	const cfg_section *const *s = wl_sections();
	cr_assert(s[0] != NULL);
	cr_assert(eq(ptr, (void *)s[1], (void *)&wl_demand_section));
	cr_assert(s[2] != NULL); /* the instruction streams (test_stream.c) */
	cr_assert(eq(ptr, (void *)s[3], NULL));
	cfg_section_check(s[0]);
	cr_assert(eq(str, STR(s[0]->path), STR("vms[].page_writes")));
}

Test(wl_params, a_mapping_loads_every_parameter)
{
	loaded l = load("w: {kind: zipf, pages: 1000, offset: 10, rate: 2.5e3, "
			"zipf_s: 0.9}\n");
	cr_assert(eq(int, l.rc, 0), "%s", l.msg);
	cr_assert(eq(int, l.p.kind, WL_PAGES_ZIPF));
	cr_assert(eq(u64, l.p.pages, 1000));
	cr_assert(eq(u64, l.p.offset, 10));
	cr_assert(eq(dbl, l.p.rate, 2500.0));
	cr_assert(eq(dbl, l.p.zipf_s, 0.9));
	cr_assert(eq(u64, l.p.hot_pages, 0));
	cr_assert(eq(str, STR(l.p.trace), STR("")));
	cr_assert(eq(ptr, (void *)l.p.replay, NULL));
	unload(&l);
	l = load("w:\n  kind: hotset\n  hot_pages: 4608\n  hot_rate: 1e5\n"
		 "  cold_rate: 800\n  offset: 4096\n");
	cr_assert(eq(int, l.rc, 0), "%s", l.msg);
	cr_assert(eq(int, l.p.kind, WL_PAGES_HOTSET));
	cr_assert(eq(u64, l.p.hot_pages, 4608));
	cr_assert(eq(dbl, l.p.hot_rate, 1e5));
	cr_assert(eq(dbl, l.p.cold_rate, 800.0));
	cr_assert(eq(dbl, l.p.zipf_s, 1.0));
	unload(&l);
}

Test(wl_params, a_scalar_names_a_preset)
{
	loaded l = load("w: quake3\n");
	cr_assert(eq(int, l.rc, 0), "%s", l.msg);
	const wl_pages_preset *q = wl_pages_preset_find("quake3");
	cr_assert(eq(int, memcmp(&l.p, &q->params, sizeof l.p), 0));
	unload(&l);
}

Test(wl_params, an_unknown_preset_is_refused_with_a_suggestion)
{
	load_refused("w: specwebb\n",
		     "w.yaml:1:4: vms[].page_writes: unknown preset 'specwebb' "
		     "(did you mean 'specweb'?)\n");
	load_refused("w:\n",
		     "w.yaml:1:3: vms[].page_writes: expected a preset name or "
		     "a mapping, got null\n");
	load_refused("w: tetris\n",
		     "w.yaml:1:4: vms[].page_writes: unknown preset 'tetris' "
		     "(expected one of specweb, oltp, kernel-compile, quake3, "
		     "mmuncher, or a mapping with a kind)\n");
}

Test(wl_params, a_mapping_needs_a_kind_and_valid_values)
{
	load_refused("w: {rate: 10}\n",
		     "w.yaml:1:4: missing required key 'kind' in "
		     "vms[].page_writes (expected kind: one of uniform, hotset, "
		     "zipf, replay, sweep)\n");
	load_refused("w: {kind: hotest}\n",
		     "w.yaml:1:11: vms[].page_writes.kind: expected one of "
		     "uniform, hotset, zipf, replay, sweep, got 'hotest' (did "
		     "you mean "
		     "'hotset'?)\n");
	load_refused("w: {kind: uniform, rate: -5}\n",
		     "w.yaml:1:26: vms[].page_writes.rate: -5 is out of range "
		     "(expected 0 to 1e10)\n");
	load_refused("w: {kind: zipf, zipf_s: 11}\n",
		     "w.yaml:1:25: vms[].page_writes.zipf_s: 11 is out of range "
		     "(expected 0 to 10)\n");
	load_refused("w: {kind: uniform, hot_page: 5}\n",
		     "w.yaml:1:20: unknown key 'hot_page' in vms[].page_writes "
		     "(did you mean 'hot_pages'?)\n");
}

Test(wl_params, the_check_says_what_does_not_fit_the_vm)
{
	wl_pages_params p = hotset(100, 10, 1);
	p.offset = 950;
	check_refused(&p, 1000,
		      "vm1: hot set of 100 pages at offset 950 does not fit in "
		      "the VM's 1000 pages (expected offset + hot_pages <= "
		      "1000)\n");
	p.offset = 1000;
	check_refused(&p, 1000,
		      "vm1: offset 1000 is outside the VM's 1000 pages (expected "
		      "at most 999)\n");
	p = hotset(0, 10, 1);
	check_refused(&p, 1000,
		      "vm1: a hot set of 0 pages (expected hot_pages of at least "
		      "1)\n");
	p = hotset(1000, 10, 1);
	check_refused(&p, 1000,
		      "vm1: cold_rate 1 with no cold pages (expected cold_rate 0 "
		      "when the hot set is the whole VM)\n");
	p = uniform(5);
	p.pages = 600;
	p.offset = 500;
	check_refused(&p, 1000,
		      "vm1: region of 600 pages at offset 500 does not fit in the "
		      "VM's 1000 pages (expected offset + pages <= 1000)\n");
	p = uniform(NAN);
	check_refused(&p, 1000,
		      "vm1: rate nan is not a rate (expected a finite number of "
		      "writes/s, at least 0)\n");
	p = hotset(10, 1, -1);
	check_refused(&p, 1000,
		      "vm1: cold_rate -1 is not a rate (expected a finite number "
		      "of writes/s, at least 0)\n");
	p = zipf(5, 10.5);
	check_refused(&p, 1000,
		      "vm1: zipf_s 10.5 is out of range (expected 0 to 10)\n");
	p = uniform(5);
	check_refused(&p, 0,
		      "vm1: a VM of 0 pages (expected 1 to 4294967296)\n");
	p.kind = 7;
	check_refused(&p, 10,
		      "vm1: unknown page-write kind 7 (expected uniform, hotset, "
		      "zipf, replay or sweep)\n");
}

Test(wl_params, replay_needs_a_loaded_trace_that_fits)
{
	wl_pages_params p = {.kind = WL_PAGES_REPLAY, .trace = ""};
	check_refused(&p, 10,
		      "vm1: replay without a trace (expected trace: PATH of a "
		      "page-dirty trace)\n");
	p.trace = "t.pdt";
	check_refused(&p, 10,
		      "vm1: replay trace 't.pdt' is not loaded (expected the "
		      "caller to load it)\n");
	trace_pages *t = trace_pages_builder_finish(
		trace_pages_builder_create(20, 4096, 1000));
	p.replay = t;
	check_refused(&p, 10,
		      "vm1: replay trace 't.pdt' has 20 pages, more than the "
		      "VM's 10 (expected at most 10)\n");
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, wl_pages_check(&p, 20, "vm1", &d), 0));
	sim_diag_fini(&d);
	trace_pages_destroy(t);
}

Test(wl_params, creating_a_generator_from_invalid_parameters_panics,
     .signal = SIGABRT)
{
	wl_pages_params p = hotset(0, 1, 1);
	gsl_rng *r = rng(1);
	wl_pagegen_create(&p, 100, r);
}

Test(wl_params, a_generator_of_fewer_than_32_bits_is_refused,
     .signal = SIGABRT)
{
	/* RANLUX draws 24 bits: the multiply-shift draws need all 32. */
	wl_pages_params p = uniform(10);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_ranlux);
	wl_pagegen_create(&p, 100, r);
}

/* ------------------------------------------------------------------------
 * Determinism
 * ------------------------------------------------------------------------ */

static void same_writes(const wl_pages_params *p, uint64_t pages)
{
	writes a = run(p, pages, 42, 50, MS(10));
	writes b = run(p, pages, 42, 50, MS(10));
	writes c = run(p, pages, 43, 50, MS(10));
	cr_assert(gt(sz, a.n, 100));
	cr_assert(eq(sz, a.n, b.n));
	cr_assert(eq(int, memcmp(a.page, b.page, a.n * sizeof *a.page), 0));
	cr_assert(a.n != c.n || memcmp(a.page, c.page, a.n * sizeof *a.page),
		  "another seed gave the same writes");
	free(a.page);
	free(b.page);
	free(c.page);
}

Test(wl_pagegen, the_same_seed_gives_the_same_writes_for_each_kind)
{
	wl_pages_params u = uniform(20000);
	same_writes(&u, 5000);
	wl_pages_params h = hotset(100, 15000, 5000);
	h.offset = 300;
	same_writes(&h, 5000);
	wl_pages_params z = zipf(20000, 1.1);
	same_writes(&z, 5000);
}

Test(wl_pagegen, counting_without_a_callback_leaves_the_rng_where_emitting_does)
{
	wl_pages_params p = zipf(5000, 0.8);
	gsl_rng *r1 = rng(5), *r2 = rng(5);
	wl_pagegen *g1 = wl_pagegen_create(&p, 1000, r1);
	wl_pagegen *g2 = wl_pagegen_create(&p, 1000, r2);
	writes w = {NULL, 0, 0};
	uint64_t n1 = wl_pagegen_writes(g1, 0, MS(100), keep, &w);
	uint64_t n2 = wl_pagegen_writes(g2, 0, MS(100), NULL, NULL);
	cr_assert(eq(u64, n1, n2));
	cr_assert(eq(u64, n1, w.n));
	cr_assert(eq(ulong, gsl_rng_get(r1), gsl_rng_get(r2)));
	free(w.page);
	wl_pagegen_destroy(g1);
	wl_pagegen_destroy(g2);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
}

/* The batch form's calls, and the writes they carried. */
typedef struct batches {
	writes w;
	size_t calls, min, max;
} batches;

static void keep_batch(void *ctx, const uint64_t *page, size_t n)
{
	batches *b = ctx;
	b->calls++;
	b->min = b->calls == 1 || n < b->min ? n : b->min;
	b->max = n > b->max ? n : b->max;
	for (size_t i = 0; i < n; i++)
		keep(&b->w, page[i]);
}

/* For the same seed, the batch form hands out the very writes of the
 * per-write form, in order, in batches of 1 to WL_WRITES_BATCH_PAGES, and
 * leaves the generator where it does; counting only (NULL) too. */
static void batch_is_per_write(const wl_pages_params *p, uint64_t pages,
			       uint64_t window_ns, unsigned windows)
{
	gsl_rng *r1 = p->replay ? NULL : rng(17);
	gsl_rng *r2 = p->replay ? NULL : rng(17);
	gsl_rng *r3 = p->replay ? NULL : rng(17);
	wl_pagegen *g1 = wl_pagegen_create(p, pages, r1);
	wl_pagegen *g2 = wl_pagegen_create(p, pages, r2);
	wl_pagegen *g3 = wl_pagegen_create(p, pages, r3);
	writes a = {NULL, 0, 0};
	batches b = {{NULL, 0, 0}, 0, 0, 0};
	for (unsigned i = 0; i < windows; i++) {
		uint64_t t0 = i * window_ns, t1 = (i + 1) * window_ns;
		uint64_t n1 = wl_pagegen_writes(g1, t0, t1, keep, &a);
		uint64_t n2 = wl_pagegen_writes_batch(g2, t0, t1, keep_batch,
						      &b);
		uint64_t n3 = wl_pagegen_writes_batch(g3, t0, t1, NULL, NULL);
		cr_assert(eq(u64, n1, n2));
		cr_assert(eq(u64, n1, n3));
	}
	cr_assert(gt(sz, a.n, (size_t)WL_WRITES_BATCH_PAGES * 4));
	cr_assert(eq(sz, a.n, b.w.n));
	cr_assert(eq(int, memcmp(a.page, b.w.page, a.n * sizeof *a.page), 0));
	cr_assert(ge(sz, b.min, 1));
	cr_assert(eq(sz, b.max, (size_t)WL_WRITES_BATCH_PAGES));
	if (r1) {
		unsigned long x1 = gsl_rng_get(r1), x2 = gsl_rng_get(r2);
		cr_assert(eq(ulong, x1, x2));
		cr_assert(eq(ulong, x1, gsl_rng_get(r3)));
	}
	free(a.page);
	free(b.w.page);
	wl_pagegen_destroy(g1);
	wl_pagegen_destroy(g2);
	wl_pagegen_destroy(g3);
	if (r1) {
		gsl_rng_free(r1);
		gsl_rng_free(r2);
		gsl_rng_free(r3);
	}
}

Test(wl_pagegen, the_batch_form_hands_out_the_writes_of_the_per_write_form)
{
	/* A region small enough to be drawn in pairs, and one too large. */
	wl_pages_params u = uniform(40000);
	u.offset = 11;
	u.pages = 1000;
	batch_is_per_write(&u, 5000, MS(30), 20);
	u.pages = 0;
	batch_is_per_write(&u, 200000, MS(30), 20);
	wl_pages_params h = hotset(300, 30000, 10000);
	h.offset = 700;
	batch_is_per_write(&h, 5000, MS(30), 20);
	h.hot_rate = 5000; /* hot the smaller class */
	h.cold_rate = 35000;
	batch_is_per_write(&h, 5000, MS(30), 20);
	wl_pages_params z = zipf(40000, 1.1);
	batch_is_per_write(&z, 5000, MS(30), 20);
	/* Replay: a trace of 2000 samples of 10 ms, 1 to 600 pages each. */
	trace_pages_builder *tb = trace_pages_builder_create(4096, 4096, MS(10));
	uint32_t *pg = sim_xcalloc(600, sizeof *pg);
	for (uint64_t i = 0; i < 2000; i++) {
		size_t n = 1 + (size_t)(sim_splitmix64(i) % 600);
		for (size_t k = 0; k < n; k++)
			pg[k] = (uint32_t)(sim_splitmix64(i * 1000 + k) % 4096);
		trace_pages_builder_add(tb, (i + 1) * MS(10), pg, n);
	}
	free(pg);
	trace_pages *t = trace_pages_builder_finish(tb);
	wl_pages_params r = {.kind = WL_PAGES_REPLAY, .replay = t};
	batch_is_per_write(&r, 4096, MS(95), 200);
	trace_pages_destroy(t);
}

Test(wl_pagegen, a_window_of_zero_length_has_no_writes)
{
	wl_pages_params p = uniform(1e9);
	gsl_rng *r = rng(1);
	wl_pagegen *g = wl_pagegen_create(&p, 10, r);
	cr_assert(eq(u64, wl_pagegen_writes(g, MS(5), MS(5), NULL, NULL), 0));
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
}

Test(wl_pagegen, a_window_that_ends_before_it_starts_panics, .signal = SIGABRT)
{
	wl_pages_params p = uniform(10);
	gsl_rng *r = rng(1);
	wl_pagegen *g = wl_pagegen_create(&p, 10, r);
	wl_pagegen_writes(g, 10, 9, NULL, NULL);
}

Test(wl_pagegen, destroying_null_is_a_no_op)
{
	wl_pagegen_destroy(NULL);
}

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

/* ------------------------------------------------------------------------
 * Presets
 * ------------------------------------------------------------------------ */

Test(wl_presets, every_preset_fits_the_vm_it_was_shaped_for)
{
	static const char *const names[] = {"specweb", "oltp", "kernel-compile",
					    "quake3", "mmuncher"};
	for (size_t i = 0; i < 5; i++) {
		const wl_pages_preset *p = wl_pages_preset_at(i);
		cr_assert(p != NULL);
		cr_assert(eq(str, STR(p->name), STR(names[i])));
		cr_assert(eq(ptr, (void *)wl_pages_preset_find(names[i]),
			     (void *)p));
		sim_diag d;
		sim_diag_init(&d);
		cr_assert(eq(int, wl_pages_check(&p->params, p->vm_bytes / 4096,
						  p->name, &d),
			     0),
			  "%s", d.text ? d.text : "");
		sim_diag_fini(&d);
	}
	cr_assert(eq(ptr, (void *)wl_pages_preset_at(5), NULL));
	cr_assert(eq(ptr, (void *)wl_pages_preset_find("doom"), NULL));
}

/* Expected distinct bytes a preset dirties on its own VM in `seconds`. */
static double preset_dirty_bytes(const char *name, double seconds)
{
	const wl_pages_preset *p = wl_pages_preset_find(name);
	return wl_pagegen_expected_dirty(&p->params, p->vm_bytes / 4096,
					 seconds) *
	       4096;
}

/* The windows are the last live pre-copy rounds that the expected-value
 * model of workloads/README.md finds for each preset; the targets are the
 * final rounds Clark et al. report ([Clark05] §6). */
Test(wl_presets, specweb_dirties_about_18_2_mib_in_its_200_ms_rounds)
{
	double got = preset_dirty_bytes("specweb", 0.19) / (1 << 20);
	cr_assert(lt(dbl, fabs(got / 18.2 - 1), 0.05), "%g MiB", got);
	got = preset_dirty_bytes("specweb", 0.20) / (1 << 20);
	cr_assert(lt(dbl, fabs(got / 18.2 - 1), 0.05), "%g MiB", got);
}

Test(wl_presets, quake3_dirties_about_148_kib_in_its_22_ms_last_round)
{
	double got = preset_dirty_bytes("quake3", 0.022) / 1024;
	cr_assert(lt(dbl, fabs(got / 148 - 1), 0.05), "%g KiB", got);
}

Test(wl_presets, mmuncher_dirties_about_222_5_mib_in_its_2_s_last_round)
{
	double got = preset_dirty_bytes("mmuncher", 1.96) / (1 << 20);
	cr_assert(lt(dbl, fabs(got / 222.5 - 1), 0.05), "%g MiB", got);
	/* and never more than its 256 MiB region */
	got = preset_dirty_bytes("mmuncher", 1e3) / (1 << 20);
	cr_assert(lt(dbl, fabs(got - 256), 1e-6), "%g MiB", got);
}

/* ------------------------------------------------------------------------
 * Replay and traces
 * ------------------------------------------------------------------------ */

static trace_pages *small_trace(void)
{
	trace_pages_builder *b = trace_pages_builder_create(100, 4096, MS(50));
	uint32_t s1[] = {5, 1, 9}, s2[] = {2}, s3[] = {99, 0};
	trace_pages_builder_add(b, MS(50), s1, 3);
	trace_pages_builder_add(b, MS(100), s2, 1);
	trace_pages_builder_add(b, MS(150), NULL, 0);
	trace_pages_builder_add(b, MS(200), s3, 2);
	return trace_pages_builder_finish(b);
}

static char *replayed(wl_pagegen *g, uint64_t t0, uint64_t t1)
{
	writes w = {NULL, 0, 0};
	uint64_t n = wl_pagegen_writes(g, t0, t1, keep, &w);
	cr_assert(eq(u64, n, w.n));
	char *s = sim_xcalloc(w.n * 12 + 1, 1), *o = s;
	for (size_t i = 0; i < w.n; i++)
		o += sprintf(o, "%s%lu", i ? " " : "", (unsigned long)w.page[i]);
	free(w.page);
	return s;
}

static void replay_is(wl_pagegen *g, uint64_t t0, uint64_t t1,
		      const char *want)
{
	char *got = replayed(g, t0, t1);
	cr_assert(eq(str, got, STR(want)), "window [%lu, %lu)",
		  (unsigned long)t0, (unsigned long)t1);
	free(got);
}

Test(wl_replay, replay_reproduces_the_pages_of_the_samples_a_window_overlaps)
{
	trace_pages *t = small_trace();
	wl_pages_params p = {.kind = WL_PAGES_REPLAY, .trace = "t.pdt",
			     .replay = t};
	/* Replay draws nothing: no random generator is needed. */
	wl_pagegen *g = wl_pagegen_create(&p, 128, NULL);
	/* Windows aligned with the samples give each sample once. */
	replay_is(g, 0, MS(50), "1 5 9");
	replay_is(g, MS(50), MS(100), "2");
	replay_is(g, MS(100), MS(150), "");
	replay_is(g, MS(150), MS(200), "0 99");
	/* A window overlapping two samples gets both, in trace order. */
	replay_is(g, MS(25), MS(75), "1 5 9 2");
	replay_is(g, MS(99), MS(100) + 1, "2");
	/* Past the end, nothing; the whole trace, everything. */
	replay_is(g, MS(200), SEC(5), "");
	replay_is(g, 0, SEC(5), "1 5 9 2 0 99");
	replay_is(g, MS(30), MS(30), "");
	wl_pagegen_destroy(g);
	trace_pages_destroy(t);
}

static char tdir[64];

static void make_dir(void)
{
	strcpy(tdir, "/tmp/vdcsim-wl-XXXXXX");
	cr_assert(mkdtemp(tdir) != NULL);
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
	cr_assert(eq(int, system(cmd), 0));
}

static bool same_trace(const trace_pages *a, const trace_pages *b)
{
	return a->pages == b->pages && a->page_size == b->page_size &&
	       a->interval_ns == b->interval_ns &&
	       a->nsamples == b->nsamples &&
	       !memcmp(a->time_ns, b->time_ns,
		       a->nsamples * sizeof *a->time_ns) &&
	       !memcmp(a->first, b->first,
		       (a->nsamples + 1) * sizeof *a->first) &&
	       !memcmp(a->page, b->page,
		       a->first[a->nsamples] * sizeof *a->page);
}

Test(wl_trace, a_generated_trace_round_trips_through_save_and_parse,
     .init = make_dir, .fini = remove_dir)
{
	const wl_pages_preset *q = wl_pages_preset_find("quake3");
	trace_pages *t = wl_trace_generate(&q->params, 16384, 4096, SEC(2),
					   MS(50), 42);
	cr_assert(eq(sz, t->nsamples, 40));
	char path[128];
	snprintf(path, sizeof path, "%s/q.pdt", tdir);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, trace_pages_save(t, path, &d), 0), "%s",
		  d.text ? d.text : "");
	trace_pages *back = NULL;
	cr_assert(eq(int, trace_pages_load(path, &back, &d), 0), "%s",
		  d.text ? d.text : "");
	cr_assert(same_trace(t, back));
	/* Replaying the trace over its own samples gives them back. */
	wl_pages_params p = {.kind = WL_PAGES_REPLAY, .replay = back};
	wl_pagegen *g = wl_pagegen_create(&p, 16384, NULL);
	for (size_t i = 0; i < back->nsamples; i++) {
		writes w = {NULL, 0, 0};
		wl_pagegen_writes(g, i * MS(50), (i + 1) * MS(50), keep, &w);
		cr_assert(eq(sz, w.n, back->first[i + 1] - back->first[i]));
		for (size_t k = 0; k < w.n; k++)
			cr_assert(eq(u64, w.page[k],
				     back->page[back->first[i] + k]));
		free(w.page);
	}
	wl_pagegen_destroy(g);
	sim_diag_fini(&d);
	trace_pages_destroy(back);
	trace_pages_destroy(t);
}

Test(wl_trace, a_generated_trace_holds_the_distinct_pages_of_the_named_stream)
{
	wl_pages_params p = hotset(64, 4000, 500);
	trace_pages *t = wl_trace_generate(&p, 1024, 4096, MS(125), MS(50), 9);
	/* Samples at 50, 100 and the shortened 125 ms. */
	cr_assert(eq(sz, t->nsamples, 3));
	cr_assert(eq(u64, t->time_ns[0], MS(50)));
	cr_assert(eq(u64, t->time_ns[1], MS(100)));
	cr_assert(eq(u64, t->time_ns[2], MS(125)));
	gsl_rng *r = sim_rng_stream(9, "workload/pages");
	wl_pagegen *g = wl_pagegen_create(&p, 1024, r);
	uint64_t start = 0;
	for (size_t i = 0; i < 3; i++) {
		marker m = {sim_xcalloc(1024, 1), 0};
		wl_pagegen_writes(g, start, t->time_ns[i], mark, &m);
		cr_assert(eq(u64, m.distinct, t->first[i + 1] - t->first[i]));
		for (size_t k = t->first[i]; k < t->first[i + 1]; k++)
			cr_assert(m.seen[t->page[k]]);
		free(m.seen);
		start = t->time_ns[i];
	}
	wl_pagegen_destroy(g);
	gsl_rng_free(r);
	trace_pages_destroy(t);
	trace_pages *again = wl_trace_generate(&p, 1024, 4096, MS(125), MS(50), 9);
	trace_pages *other = wl_trace_generate(&p, 1024, 4096, MS(125), MS(50), 10);
	trace_pages *empty = wl_trace_generate(&p, 1024, 4096, 0, MS(50), 9);
	t = wl_trace_generate(&p, 1024, 4096, MS(125), MS(50), 9);
	cr_assert(same_trace(t, again));
	cr_assert(not(eq(int, same_trace(t, other), 1)));
	cr_assert(eq(sz, empty->nsamples, 0));
	trace_pages_destroy(t);
	trace_pages_destroy(again);
	trace_pages_destroy(other);
	trace_pages_destroy(empty);
}

Test(wl_trace, a_generated_trace_dirties_as_the_closed_form_says)
{
	/* 400 samples of 50 ms: mean distinct pages per sample against
	 * wl_pagegen_expected_dirty(50 ms), 5 sd of the mean. */
	wl_pages_params p = hotset(2000, 20000, 3000);
	trace_pages *t = wl_trace_generate(&p, 40000, 4096, SEC(20), MS(50), 77);
	double mean = (double)t->first[t->nsamples] / (double)t->nsamples;
	double want = wl_pagegen_expected_dirty(&p, 40000, 0.05);
	double sd = sqrt((bern_var(2000, 10, 0.05) +
			  bern_var(38000, 3000.0 / 38000, 0.05)) /
			 (double)t->nsamples);
	cr_assert(lt(dbl, fabs(mean - want), 5 * sd), "mean %g want %g", mean,
		  want);
	trace_pages_destroy(t);
}
