/* SPDX-License-Identifier: MIT */
/*
 * models/memory/: guest memory as pages and how it gets dirtied. Page
 * bitmaps and a dirty log with the semantics of Xen's shadow log-dirty mode
 * (page-exact fidelity), the hot set + cold writes model in expected counts
 * (statistical fidelity), and Clark et al.'s writable-working-set analysis
 * over page-dirty traces. TLBs, page tables and ballooning come later.
 */
#ifndef VDCSIM_MEM_H
#define VDCSIM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "trace.h"

/* ------------------------------------------------------------------------
 * Pages
 * ------------------------------------------------------------------------ */

/* x86's base page (4 KiB), the default page size everywhere. */
#define MEM_PAGE_SIZE_DEFAULT UINT64_C(4096)

/* The number of pages of page_size bytes (> 0) that hold `bytes`, rounded
 * up: a partial page at the end is still a page. */
uint64_t mem_pages_of_bytes(uint64_t bytes, uint64_t page_size);

/* ------------------------------------------------------------------------
 * Page bitmaps: one bit per page in 64-bit words, page p in bit p % 64 of
 * word p / 64. Bits past `pages` in the last word are always 0, which every
 * function keeps (so counts and iteration never see them). Pre-copy keeps
 * its to-send set in one of these.
 * ------------------------------------------------------------------------ */

typedef struct mem_bitmap {
	uint64_t pages;   /* bits; read-only after init */
	uint64_t *words;  /* [mem_bitmap_words(pages)]; owned */
} mem_bitmap;

/* Words needed for `pages` bits: ceil(pages / 64). */
size_t mem_bitmap_words(uint64_t pages);
/* Initialises b in caller storage with `pages` bits, all clear. O(pages/64).
 * pages may be 0. */
void mem_bitmap_init(mem_bitmap *b, uint64_t pages);
/* Frees the words; b may be initialised again. */
void mem_bitmap_fini(mem_bitmap *b);

/* Sets, clears or tests bit `page` (< b->pages; beyond is a panic). */
void mem_bitmap_set(mem_bitmap *b, uint64_t page);
void mem_bitmap_clear(mem_bitmap *b, uint64_t page);
bool mem_bitmap_is_set(const mem_bitmap *b, uint64_t page);

/* Clears every bit, or sets every bit below b->pages. O(pages/64). */
void mem_bitmap_zero(mem_bitmap *b);
void mem_bitmap_fill(mem_bitmap *b);

/* Word-wise operations between bitmaps of the same size (a size mismatch
 * panics), storing into dst: copy (dst = src), or (dst |= src), and
 * (dst &= src), and-not (dst &= ~src: what pre-copy does to drop the pages
 * peeked dirty from a batch). Each O(pages/64). */
void mem_bitmap_copy(mem_bitmap *dst, const mem_bitmap *src);
void mem_bitmap_or(mem_bitmap *dst, const mem_bitmap *src);
void mem_bitmap_and(mem_bitmap *dst, const mem_bitmap *src);
void mem_bitmap_and_not(mem_bitmap *dst, const mem_bitmap *src);

/* Set bits in b. O(pages/64) with a population count per word. */
uint64_t mem_bitmap_count(const mem_bitmap *b);
/* |a ∩ b| without modifying either (same size). O(pages/64). */
uint64_t mem_bitmap_count_and(const mem_bitmap *a, const mem_bitmap *b);
/* The lowest set bit >= from, or b->pages if there is none (also when from
 * >= b->pages). Walking all set bits with
 *   for (p = mem_bitmap_next(b, 0); p < b->pages; p = mem_bitmap_next(b, p + 1))
 * costs O(pages/64 + set bits): empty words are skipped whole and set bits
 * are found with count-trailing-zeros. */
uint64_t mem_bitmap_next(const mem_bitmap *b, uint64_t from);
/* The set bit p >= from with exactly k set bits in [from, p): the
 * (k + 1)-th set bit from `from` on, so k = 0 is mem_bitmap_next(b, from).
 * b->pages if [from, b->pages) holds k or fewer set bits (also when from
 * >= b->pages). Pre-copy finds where each batch of 1024 pages of its
 * to-send set ends with it. O((p − from)/64) with a population count per
 * word. */
uint64_t mem_bitmap_next_nth(const mem_bitmap *b, uint64_t from, uint64_t k);
/* Set bits of b in [from, to) (from <= to <= b->pages, else a panic).
 * O((to − from)/64). */
uint64_t mem_bitmap_count_range(const mem_bitmap *b, uint64_t from,
				uint64_t to);
/* mem_bitmap_and_not restricted to pages in [from, to): clears in dst the
 * bits of that range set in src (same size as dst, and from <= to <=
 * pages, else a panic) and returns how many it cleared. Pre-copy drops a
 * batch's pages peeked dirty with it. O((to − from)/64). */
uint64_t mem_bitmap_and_not_range(mem_bitmap *dst, const mem_bitmap *src,
				  uint64_t from, uint64_t to);

/* ------------------------------------------------------------------------
 * Dirty log, as Xen's shadow paging runs it in log-dirty mode (Clark et
 * al. §5; Xen's SHADOW_OP_ENABLE_LOGDIRTY / PEEK / CLEAN). While the log is
 * enabled, every guest page is write-protected after a clean; the first
 * write to it traps to the VMM, which sets its bit and unprotects it, and
 * later writes run at full speed until the next clean. mem_dirtylog_mark
 * is that write: it says whether it faulted, which is what the guest pays
 * for in each round.
 * ------------------------------------------------------------------------ */

typedef struct mem_dirtylog mem_dirtylog;

/* Creates a disabled log over `pages` guest pages (>= 1), all clean.
 * O(pages/64). */
mem_dirtylog *mem_dirtylog_create(uint64_t pages);
/* Frees the log; NULL is a no-op. */
void mem_dirtylog_destroy(mem_dirtylog *log);

/* Enables logging and clears every bit (all pages write-protected again);
 * the fault counter restarts at 0. Starting an enabled log restarts it.
 * O(pages/64). */
void mem_dirtylog_start(mem_dirtylog *log);
/* Disables logging: later writes are neither logged nor fault. The bits
 * are kept, so the final bitmap can still be peeked and cleaned after the
 * guest is paused. */
void mem_dirtylog_stop(mem_dirtylog *log);
/* True between start and stop. */
bool mem_dirtylog_is_enabled(const mem_dirtylog *log);
/* Guest pages covered. */
uint64_t mem_dirtylog_pages(const mem_dirtylog *log);

/* The guest writes `page` (< pages; beyond is a panic). Returns true if
 * this is the first write to the page since the last clean (or start)
 * while logging is enabled: the write fault. Returns false for a page
 * already dirty and whenever logging is disabled (nothing is recorded). */
bool mem_dirtylog_mark(mem_dirtylog *log, uint64_t page);
/* The guest writes page[0..n) in order: mem_dirtylog_mark for each, in
 * one call (the batch form of wl_pagegen_writes_batch hands out pages this
 * way). Returns the write faults among them (0 while disabled). A page out
 * of range is a panic. O(n). */
uint64_t mem_dirtylog_mark_pages(mem_dirtylog *log, const uint64_t *page,
				 size_t n);
/* True if `page` was written since the last clean (SHADOW_OP_PEEK of one
 * page); does not change the log. */
bool mem_dirtylog_peek(const mem_dirtylog *log, uint64_t page);
/* Pages dirty now (set bits). O(1): the log keeps the count. */
uint64_t mem_dirtylog_count(const mem_dirtylog *log);
/* Write faults since the last start, summed over cleans: the number of
 * pages the guest dirtied counted once per round. */
uint64_t mem_dirtylog_faults(const mem_dirtylog *log);
/* A read-only view of the bits, borrowed until the log is destroyed; the
 * pre-copy loop peeks a whole batch with it (mem_bitmap_and_not). */
const mem_bitmap *mem_dirtylog_bits(const mem_dirtylog *log);

/* SHADOW_OP_CLEAN: reads and clears the log, returning the number of dirty
 * pages. fn (may be NULL) is called once per dirty page in ascending page
 * order; it must not call back into this log. O(pages/64 + dirty). Allowed
 * while disabled (reads the bits kept by stop). */
uint64_t mem_dirtylog_clean(mem_dirtylog *log,
			    void (*fn)(void *ctx, uint64_t page), void *ctx);
/* SHADOW_OP_CLEAN into a caller's bitmap: dst (same size as the log, else a
 * panic) is overwritten with the dirty bits, then the log is cleared.
 * Returns the number of dirty pages. O(pages/64). */
uint64_t mem_dirtylog_clean_into(mem_dirtylog *log, mem_bitmap *dst);

/* ------------------------------------------------------------------------
 * Statistical dirtying: the hot set + cold writes model, in expected page
 * counts and without bitmaps, for datacenter-scale runs. Of M pages, H form
 * the hot set; writes to the hot set arrive at h writes/s and writes to the
 * other M − H pages at c writes/s.
 *
 * Assumptions (exact for the page-exact log driven the same way; see the
 * Monte Carlo tests): each write picks a page uniformly within its class,
 * and write arrivals are Poisson, so by Poisson splitting every page is
 * written by its own independent Poisson process of rate λ_h = h/H (hot)
 * or λ_c = c/(M − H) (cold). A page is dirty at the end of a window of T
 * seconds from a clean log with probability 1 − e^{−λT}.
 *
 * Pre-copy rounds (mem_hotcold_round): the S = s_h + s_c pages of a round's
 * to-send set are examined one after another at evenly spaced times across
 * the round's T seconds, the log having been cleaned at the round's start,
 * and the sending order is independent of hotness (hot pages uniformly
 * spread in the order). A page's writes after the round starts do not
 * depend on why it is in the set (Poisson increments are independent), so
 * a set made of last round's dirty pages is no different. Then a page's
 * examination time τ is uniform on
 * [0, T) and, with φ(x) = (1 − e^{−x})/x (φ(0) = 1), per class of rate λ:
 *   skipped (written in [0, τ): Xen peeks it dirty and does not send it)
 *     = s · (1 − φ(λT))                        [1 − (1/T)∫₀ᵀ e^{−λτ} dτ]
 *   sent  = s − skipped = s · φ(λT)
 *   wasted (sent, then written again in (τ, T], so sent again next round)
 *     = s · (φ(λT) − e^{−λT})                  [(1/T)∫₀ᵀ e^{−λτ}(1 − e^{−λ(T−τ)}) dτ]
 *   dirtied (distinct pages written during the round, whether in the set
 *     or not: the next round's to-send set)
 *     = H (1 − e^{−λ_h T}) + (M − H)(1 − e^{−λ_c T}).
 * Evenly spaced discrete positions (j − ½)·T/S differ from the integral by
 * a midpoint-rule error of relative order (λT/S)², negligible for S in the
 * thousands. Spatially clustered hot pages (common in real guests, where
 * the kernel's hot data sits low in memory and Xen scans in pfn order)
 * break the independence assumption; then use the page-exact log.
 * ------------------------------------------------------------------------ */

typedef struct mem_hotcold {
	uint64_t pages;            /* M >= 1 */
	uint64_t hot_pages;        /* H <= M */
	double hot_writes_per_s;   /* h >= 0; ignored when H = 0 */
	double cold_writes_per_s;  /* c >= 0; ignored when H = M */
	/* The hot set is pages [hot_offset, hot_offset + H) (<= M). Expected
	 * counts do not depend on it; only an order over the pages does
	 * (post-copy's in-order push meets the hot set when it reaches it).
	 * 0, the bottom of memory, is where the page-write generators put a
	 * hot set unless told otherwise. */
	uint64_t hot_offset;
} mem_hotcold;

/* Expected page counts split by class. */
typedef struct mem_pageset {
	double hot_pages;
	double cold_pages;
} mem_pageset;

/* Expected outcome of one pre-copy round (see the formulas above). */
typedef struct mem_round_est {
	mem_pageset skipped;  /* of the to-send set, peeked dirty: not sent */
	mem_pageset sent;     /* the to-send set minus skipped */
	mem_pageset wasted;   /* sent, then dirtied again within the round */
	mem_pageset dirtied;  /* distinct pages dirtied during the round */
} mem_round_est;

/* Expected distinct pages dirtied in a window of window_ns from a clean
 * log: H(1 − e^{−hT/H}) + (M − H)(1 − e^{−cT/(M − H)}), T = window_ns/1e9,
 * split by class. Panics on a model with H > M or a negative or non-finite
 * rate. */
mem_pageset mem_hotcold_dirtied(const mem_hotcold *m, uint64_t window_ns);
/* The total of mem_hotcold_dirtied. */
double mem_hotcold_dirtied_pages(const mem_hotcold *m, uint64_t window_ns);
/* Expected outcome of a round of round_ns whose to-send set holds
 * send.hot_pages hot and send.cold_pages cold pages (each between 0 and its
 * class's size, else a panic). round_ns is the round's duration as the
 * caller models it; under Xen's skip a link-bound round lasts
 * sent·P·8/R, which depends on the result, so callers either iterate to
 * the fixed point or take S·P·8/R as an upper bound. */
mem_round_est mem_hotcold_round(const mem_hotcold *m, mem_pageset send,
				uint64_t round_ns);

/* The model's parameters as a config section, for a VM's `dirtying:`
 * mapping (mounted where datacenter/ chooses; the path names it
 * "vms[].dirtying"). */
typedef struct mem_dirtying_cfg {
	uint64_t page_size_bytes;
	uint64_t hot_set_bytes;
	double hot_writes_per_s;
	double cold_writes_per_s;
	/* If > 0, instead of the hot/cold rates: bits/s of clean pages
	 * dirtied ([Liu11]'s uniform model). */
	uint64_t fresh_rate_bps;
	/* If > 0, instead of hot/cold and fresh_rate: fresh pages dirtied at
	 * this fraction of the migration's rate (SimGrid's dp_intensity). */
	double intensity;
	double cpu_share;          /* fresh_rate and intensity scale by it */
	double working_set;        /* fraction of memory fresh writes cover */
} mem_dirtying_cfg;

/* The parameter tables of models/memory/, NULL-terminated, for `vdcsim
 * params` and cfg_section_load (target struct: mem_dirtying_cfg). */
const cfg_section *const *mem_sections(void);
/* Fills m for a guest of memory_bytes (> 0) from a loaded config: M and H
 * are the sizes in pages rounded up, H capped at M. */
void mem_hotcold_init(mem_hotcold *m, uint64_t memory_bytes,
		      const mem_dirtying_cfg *c);

/* Fresh-page dirtying (the geometric model of [Liu11], and
 * SimGrid's model, [Hirofuchi13]): every write goes to a page of the
 * working set not written before, W pages from the bottom of memory, so a
 * window of t seconds dirties min(D·t/P, W) pages. The rate is
 * fresh_rate, or intensity × the migration's rate (SimGrid's
 * dp_intensity: dirtying in proportion to the CPU work the VM gets, which
 * at full speed is that share of the migration speed), times cpu_share.
 * Statistical fidelity only: no page-write generator stands for it. */

/* True if c's guest dirties fresh pages (fresh_rate or intensity > 0). */
bool mem_dirtying_is_fresh(const mem_dirtying_cfg *c);
/* Its dirty rate D in bytes/s when migrated at mig_rate_bps:
 * (fresh_rate / 8 or intensity · mig_rate_bps / 8) · cpu_share; 0 if it
 * does not dirty fresh pages. */
double mem_fresh_bytes_per_s(const mem_dirtying_cfg *c, uint64_t mig_rate_bps);
/* Its working set W in pages for a guest of memory_bytes (> 0):
 * working_set × its pages, rounded up, at least 1 and at most all; all of
 * them for a working_set of 0 (a struct not loaded from the table). */
uint64_t mem_working_set_pages(const mem_dirtying_cfg *c,
			       uint64_t memory_bytes);
/* Checks that a loaded vms[].dirtying mapping `map` (may be NULL: all
 * defaults) describes one model: hot/cold rates, fresh_rate or intensity,
 * and that working_set and cpu_share come with fresh_rate or intensity.
 * Reports each problem at its key, naming it `what`.<key>. Returns 0 or
 * SIM_EINPUT. */
int mem_dirtying_check(const mem_dirtying_cfg *c, const cfg_node *map,
		       const char *what, sim_diag *d);

/* ------------------------------------------------------------------------
 * Writable-working-set analysis ([Clark05] §4): the expected downtime of the final stop-and-copy if pre-copy had
 * started at a given time of a page-dirty trace, for a link rate R and N
 * pre-copy iterations, exactly as the paper's Figures 3–6 estimate it.
 * With M = t->pages and P = t->page_size:
 *   round 1 sends all M pages, from start to start + T1, T1 = M·P·8/R;
 *   round k (2..N) sends D_k = the pages dirtied during round k − 1 (the
 *   union of that round's samples), T_k = D_k·P·8/R, right after round k − 1;
 *   downtime(N) = (pages dirtied during round N)·P·8/R, and for N = 0
 *   (pure stop-and-copy) downtime = M·P·8/R.
 * No skip, no rate adaptation: the round structure is the paper's.
 * Durations are rounded up to whole nanoseconds (computed exactly in
 * integers).
 *
 * Boundary rule: a trace sample lists the pages written in (previous
 * sample time, its time], and it counts, whole, for the round (a, b] that
 * holds its time: a < time <= b. A sample straddling a round boundary thus
 * goes entirely to the later round, as if the bitmap were read only at
 * sample times, which is all a sampled trace knows. A round shorter than
 * the sample interval may hold no sample time and then counts nothing (on
 * average the right fraction of rounds holds one).
 *
 * End of the trace: the analysis needs the trace to cover every live round.
 * If round N ends after the last sample time (or the start is after it),
 * the point is not evaluable and no number is made up: the curve of N
 * iterations stops that much before the end of the trace, and curves of
 * more iterations stop earlier, as they do in the paper's figures (they
 * are neither wrapped around nor extrapolated). N = 0 needs no dirtying
 * data and is evaluable for any start within the trace (start <= last
 * sample time).
 * ------------------------------------------------------------------------ */

/* Returned for a point that is not evaluable. */
#define MEM_WWS_PAST_END SIM_TIME_MAX

/* One point of the analysis. */
typedef struct mem_wws_point {
	uint64_t start_ns;       /* when pre-copy starts */
	uint64_t rate_bps;       /* link rate R */
	unsigned iterations;     /* N live rounds; 0 = stop-and-copy */
	bool evaluable;          /* false: past the end; the rest is 0 */
	uint64_t downtime_ns;    /* the final stop-and-copy */
	uint64_t final_pages;    /* pages it sends */
	uint64_t precopy_ns;     /* T1 + ... + TN, the live rounds */
	uint64_t sent_pages;     /* M + D_2 + ... + D_N, sent live */
} mem_wws_point;

/* The expected downtime in ns of the point (start_ns, rate_bps,
 * iterations) over trace t, or MEM_WWS_PAST_END if it is not evaluable.
 * If out is not NULL it receives the whole point. rate_bps must be > 0 and
 * t must have pages >= 1 and page_size >= 1 (else a panic). Cost: one pass
 * over the samples the rounds cover, O(their listed pages + log nsamples),
 * plus an O(M) scratch array. */
uint64_t mem_wws_downtime(const trace_pages *t, uint64_t start_ns,
			  uint64_t rate_bps, unsigned iterations,
			  mem_wws_point *out);
/* The whole table for every start time × rate × N = 0..max_iterations
 * (the `vdcsim wws` command), returned as a new array (free it with
 * free(); never NULL, empty when nstarts or nrates is 0) of *npoints =
 * nstarts·nrates·(max_iterations + 1) points, point (s, r, n) at index
 * (s·nrates + r)·(max_iterations + 1) + n. Each (start, rate) is one pass
 * over the rounds, so the cost is that of mem_wws_downtime with N =
 * max_iterations, per pair. Panics as mem_wws_downtime, and if a rate is 0. */
mem_wws_point *mem_wws_table(const trace_pages *t, const uint64_t *starts_ns,
			     size_t nstarts, const uint64_t *rates_bps,
			     size_t nrates, unsigned max_iterations,
			     size_t *npoints);

/* Units of a dirtying rate. MiB and Mibit are binary (2^20), as in Clark
 * et al. */
typedef enum mem_rate_unit {
	MEM_RATE_PAGES_PER_S,
	MEM_RATE_MIB_PER_S,
	MEM_RATE_MIBIT_PER_S,
} mem_rate_unit;

/* The dirtying rate of sample i (< t->nsamples, else a panic): its pages
 * over its length, time_ns[i] − time_ns[i − 1] (time_ns[0] − 0 for the
 * first), in `unit`. This is the curve under Clark's downtime plots. */
double mem_sample_dirty_rate(const trace_pages *t, size_t i,
			     mem_rate_unit unit);
/* Histogram of the per-sample dirtying rates: counts[b] (nbins >= 1
 * entries, overwritten) receives the samples with rate in
 * [b·bin_width, (b + 1)·bin_width); rates at or past nbins·bin_width go in
 * the last bin. bin_width must be > 0 and finite (else a panic). Returns
 * how many samples were put in the last bin because they were past its
 * range, so a caller can say so. O(nsamples). */
uint64_t mem_dirty_rate_hist(const trace_pages *t, mem_rate_unit unit,
			     double bin_width, size_t nbins, uint64_t *counts);

#endif /* VDCSIM_MEM_H */
