/* SPDX-License-Identifier: MIT */
/*
 * workloads/: generators of guest activity. Today: page-write generators
 * (uniform, hot set, Zipf, trace replay) that say which page each write of a
 * time window lands on, their expected dirtying in closed form, presets
 * shaped like Clark et al.'s traced workloads, and page-dirty trace output.
 * Instruction streams and resource demand come with their models.
 */
#ifndef VDCSIM_WL_H
#define VDCSIM_WL_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "sim.h"
#include "trace.h"

/* ------------------------------------------------------------------------
 * Parameters. Page counts are in guest pages (4 KiB on x86: the presets
 * assume it), rates in writes per second, as a double because expected
 * write counts need not be whole. Writes arrive as a Poisson process; each
 * write picks its page independently of the others.
 * ------------------------------------------------------------------------ */

typedef enum wl_pages_kind {
	WL_PAGES_UNIFORM, /* `rate` writes/s, uniform over a region */
	WL_PAGES_HOTSET,  /* `hot_rate` over a hot set, `cold_rate` elsewhere */
	WL_PAGES_ZIPF,    /* `rate` writes/s; rank r written with p ∝ 1/r^s */
	WL_PAGES_REPLAY,  /* the pages of a page-dirty trace */
} wl_pages_kind;

typedef struct wl_pages_params {
	int kind;           /* a wl_pages_kind (an int, as CFG_T_ENUM stores) */
	uint64_t pages;     /* uniform, zipf: pages of the region written,
			       0 = from `offset` to the end of the VM */
	uint64_t offset;    /* first page of that region, or of the hot set */
	uint64_t hot_pages; /* hotset: pages in the hot set (>= 1) */
	double hot_rate;    /* hotset: writes/s into the hot set */
	double cold_rate;   /* hotset: writes/s into all other pages */
	double rate;        /* uniform, zipf: writes/s */
	double zipf_s;      /* zipf: exponent s in [0, 10]; 0 is uniform */
	const char *trace;  /* replay: path of the trace, as configured; the
			       caller loads it (borrowed from the document) */
	const trace_pages *replay; /* replay: the loaded trace (borrowed; not
				      in the parameter table) */
} wl_pages_params;

/* The parameter tables of workloads/, NULL-terminated, for `vdcsim params`
 * and cfg_section_load. Today one: the page-write generator, target struct
 * wl_pages_params, path "vms[].page_writes" (datacenter/ mounts it). */
const cfg_section *const *wl_sections(void);

/* Loads a page-write workload from a config node: a scalar names a preset
 * ("specweb"; an unknown name is reported with the nearest preset
 * suggested), a mapping is loaded against the table (kind is required).
 * `where` positions messages when n is NULL (then kind is missing).
 * Returns 0 or SIM_EINPUT with positioned messages in d. Does not load a
 * replay trace (out->replay is NULL). */
int wl_pages_params_load(const cfg_node *n, const cfg_node *where,
			 wl_pages_params *out, sim_diag *d);

/* Checks p against a VM of `pages` guest pages: pages in 1..2^32, the
 * region or hot set inside the VM, rates finite and >= 0, a hot set of at
 * least one page and cold writes only where cold pages exist, a replay
 * trace loaded and no larger than the VM. Reports "what: problem (expected
 * ...)" without position (what names the VM or config path). Returns 0 or
 * SIM_EINPUT. */
int wl_pages_check(const wl_pages_params *p, uint64_t pages, const char *what,
		   sim_diag *d);

/* ------------------------------------------------------------------------
 * Generators
 * ------------------------------------------------------------------------ */

typedef struct wl_pagegen wl_pagegen;

/* Called once per write with its page (< the VM's pages). */
typedef void wl_write_fn(void *ctx, uint64_t page);

/* Creates a generator of p's writes for a VM of `pages` pages. p must pass
 * wl_pages_check (else a panic: the caller validates user input first); p
 * is copied, p->replay is borrowed and must outlive the generator. rng is
 * borrowed, used for every draw and must outlive the generator; it must
 * draw exactly 32 bits, max − min = 2^32 − 1 (else a panic; any
 * sim_rng_stream does, as do all of GSL's generators of 32 bits or more),
 * and may be NULL for replay, which draws nothing. Same rng state, same
 * calls: same writes. O(1) memory and time. */
wl_pagegen *wl_pagegen_create(const wl_pages_params *p, uint64_t pages,
			      gsl_rng *rng);
/* Frees the generator (not its rng); NULL is a no-op. */
void wl_pagegen_destroy(wl_pagegen *g);

/* Emits the writes of the window [t0_ns, t1_ns) (t0_ns <= t1_ns, else a
 * panic) by calling fn(ctx, page) once per write, and returns their count.
 * fn may be NULL to count only (the pages are drawn all the same, so that
 * counting leaves the rng where emitting would).
 * Synthetic kinds draw N ~ Poisson(rate · (t1 − t0)/1e9) writes, then each
 * write's page independently (hotset: hot with probability hot_rate /
 * (hot_rate + cold_rate), then uniform within its class; zipf: a rank by
 * Hörmann and Derflinger's rejection-inversion, mapped to a page by a fixed
 * pseudo-random permutation of the region so that popular pages are
 * scattered). Uniform draws are exact (Lemire's multiply-shift with
 * rejection). Windows are independent: splitting a window in two gives the
 * same distribution, not the same draws. Replay emits, in trace order, the
 * pages of every sample whose span (previous time, time] overlaps the
 * window by a positive length; a sample straddling two windows is emitted
 * in both (the trace cannot say when within its span a page was written),
 * and nothing is emitted past the trace's last sample. O(writes), plus
 * O(log samples) for replay. */
uint64_t wl_pagegen_writes(wl_pagegen *g, uint64_t t0_ns, uint64_t t1_ns,
			   wl_write_fn *fn, void *ctx);

/* The most pages handed to one call of a wl_writes_fn. */
#define WL_WRITES_BATCH_PAGES 512

/* Called with the pages of n consecutive writes, 1 <= n <=
 * WL_WRITES_BATCH_PAGES; page is borrowed for the call only. */
typedef void wl_writes_fn(void *ctx, const uint64_t *page, size_t n);

/* wl_pagegen_writes with one call per batch of writes instead of one per
 * write: the same draws in the same order, so for the same rng state the
 * batches, concatenated, are the pages wl_pagegen_writes passes to its fn,
 * the count is the same and the rng ends in the same state. fn may be
 * NULL to count only. O(writes), plus O(log samples) for replay. */
uint64_t wl_pagegen_writes_batch(wl_pagegen *g, uint64_t t0_ns,
				 uint64_t t1_ns, wl_writes_fn *fn, void *ctx);

/* Expected number of distinct pages written in a window of `seconds` (>= 0)
 * by p on a VM of `pages` pages (p must pass wl_pages_check). Each page i
 * receives its own Poisson stream of rate λ_i, so the answer is
 * Σ_i (1 − e^{−λ_i T}):
 *   uniform: R(1 − e^{−rT/R}) for a region of R pages;
 *   hotset:  H(1 − e^{−hT/H}) + (M − H)(1 − e^{−cT/(M − H)});
 *   zipf:    Σ_{i=1..R} (1 − e^{−r p_i T}), p_i = i^{−s} / H_{R,s}, exact
 *            over the first 65536 ranks and by Euler–Maclaurin beyond
 *            (relative error below 1e-9); O(min(R, 65536)) time;
 *   replay:  NAN (a trace is data, not a rate; measure it instead). */
double wl_pagegen_expected_dirty(const wl_pages_params *p, uint64_t pages,
				 double seconds);

/* Writes p's page writes as a page-dirty trace of duration_ns in samples
 * every interval_ns (> 0, else a panic), the last one shortened to end at
 * duration_ns (0 gives a trace without samples): sample k lists the
 * distinct pages written in its span. The
 * writes come from stream "workload/pages" of master seed `seed`
 * (sim_rng_stream), so that the WWS analysis and the simulator can run on
 * the same file. pages and page_size as trace_pages_builder_create accepts
 * them, and p must pass wl_pages_check for `pages` (else a panic). The
 * caller destroys the trace. O(writes · log writes per sample). */
trace_pages *wl_trace_generate(const wl_pages_params *p, uint64_t pages,
			       uint64_t page_size, uint64_t duration_ns,
			       uint64_t interval_ns, uint64_t seed);

/* ------------------------------------------------------------------------
 * Presets shaped like Clark et al.'s traced workloads (NSDI 2005 §4, §6;
 * [Clark05] in docs/references.md). workloads/README.md says where each
 * number comes from and which are calibrated guesses.
 * ------------------------------------------------------------------------ */

typedef struct wl_pages_preset {
	const char *name;      /* "specweb", "oltp", "kernel-compile", ... */
	const char *doc;       /* one line */
	uint64_t vm_bytes;     /* the VM size it was shaped for */
	wl_pages_params params;
} wl_pages_preset;

/* The preset named `name`, or NULL. */
const wl_pages_preset *wl_pages_preset_find(const char *name);
/* Preset i in documentation order, or NULL past the last. */
const wl_pages_preset *wl_pages_preset_at(size_t i);

#endif /* VDCSIM_WL_H */
