/* SPDX-License-Identifier: MIT */
/*
 * models/memory/: guest memory as pages and how it gets dirtied. Page
 * bitmaps and a dirty log with the semantics of Xen's shadow log-dirty mode
 * (page-exact fidelity), the hot set + cold writes model in expected counts
 * (statistical fidelity), and Clark et al.'s writable-working-set analysis
 * over page-dirty traces. The MMU of the machine model: TLBs, page-walk
 * references, multi-level page tables, a per-VM pmap and shadow tables
 * (tlb.c, pt.c). Ballooning comes later.
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

/* The n-th page (n < pages, else a panic) that a round of Xen legacy's
 * pre-copy examines ([XenLegacy]: permute() in the save loop, written "so
 * that we scan pages in a pseudo random order" and mix contiguous ranges
 * of similar behaviour). With k the bit length of pages − 1, the index is
 * rotated left by 10 bits within k bits, and rotated again while the
 * result is >= pages (a cycle walk, so the order is a permutation of
 * [0, pages)). For a 512 MiB guest, k = 17 and no walk: the n-th page is
 * (n % 128)·1024 + n / 128, one page of every 4 MiB in turn. Xen's shift
 * is undefined for k < 10; here the rotation is by 10 mod k (k = 0, one
 * page: page 0). O(1) per rotation; a walk takes few. */
uint64_t mem_xen_scan_page(uint64_t n, uint64_t pages);

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
 * to-send set are examined one after another, the log having been cleaned
 * at the round's start, in an order independent of hotness (hot pages
 * uniformly spread in it), as Xen's save loop examines them: a page is
 * peeked when the pages sent before it have left, a page found written
 * since the round began is skipped and takes no time, the others are sent
 * at a steady c pages/s. A page's writes after the round starts do not
 * depend on why it is in the set (Poisson increments are independent), so
 * a set made of last round's dirty pages is no different. With f_j = s_j/S
 * and g(u) = f_h e^{−λ_h u} + f_c e^{−λ_c u}, the chance that the page
 * examined at u is sent, pages are examined at the rate c/g(u), so a round
 * of T seconds examines S = c·F(T) pages, F(T) = ∫₀ᵀ du/g(u), and
 *   sent (class j)  = c·∫₀ᵀ q_j(u) du = S·∫₀ᵀ q_j / F(T),
 *                     q_j(u) = f_j e^{−λ_j u}/g(u) (q_h is a logistic in u,
 *                     its integral closed; F by adaptive quadrature), in
 *                     all c·T = S·T/F(T): one class sends S·x/(e^x − 1),
 *                     x = λT;
 *   skipped         = s_j − sent_j (written before its turn);
 *   wasted (sent, then written again before T, so sent again next round)
 *                   = sent_j − s_j e^{−λ_j T} (a page never written in the
 *                     round is sent and stays sent);
 *   dirtied (distinct pages written during the round, whether in the set
 *     or not: the next round's to-send set)
 *     = H (1 − e^{−λ_h T}) + (M − H)(1 − e^{−λ_c T}).
 * Until 2026-12 the pages were taken as examined at evenly spaced times
 * over the round, which overstates the sends of a round whose skips are
 * many (a set all of one class: S·(1 − e^{−x})/x instead of S·x/(e^x −
 * 1); MMuncher's second round in Clark et al.'s §6, 15,032 pages against
 * 10,427). The continuum stands for a discrete scan with an error of order
 * one page; Xen's peek per batch of 1024 pages (its save loop) sends a
 * little more (a page written after its batch's peek is sent all the
 * same). Spatially clustered hot pages (common in real guests, where the
 * kernel's hot data sits low in memory) meet a scan in page order all at
 * once and break the independence assumption; Xen's permuted order
 * (mem_xen_scan_page) spreads them through the round and restores it
 * closely. Otherwise use the page-exact log.
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
 * sent·P·8/R, which depends on the result: mem_hotcold_round_ns finds
 * that fixed point (S·P·8/R is an upper bound). */
mem_round_est mem_hotcold_round(const mem_hotcold *m, mem_pageset send,
				uint64_t round_ns);
/* The duration in ns, rounded up, of a round that sends its pages under
 * skip (as mem_hotcold_round counts them) and extra_bits more, at
 * bits_per_page a page and rate_bps: the T with T·rate = bits_per_page ·
 * sent(T) + extra_bits, unique since sent(T) falls as T grows. Panics on
 * a bad set (as mem_hotcold_round), a rate or page size <= 0 or negative
 * extra bits. */
uint64_t mem_hotcold_round_ns(const mem_hotcold *m, mem_pageset send,
			      double bits_per_page, double extra_bits,
			      double rate_bps);

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
 * Share rule: a trace sample lists the distinct pages written in
 * (previous sample time, its time]; when in that span each was written
 * the trace does not say. A round (a, b] dirtied
 *   D = |U| + Σ_j f_j·|S_j \ U|,  capped at |U ∪ S_head ∪ S_tail|,
 * where U is the union of the samples wholly inside (a, b], S_j (j = head,
 * tail: at most two) a sample it overlaps in part and f_j the overlapped
 * fraction of S_j's span. So a round shorter than a sample gets its share
 * f·|S| of the sample it lies in (or of the two it straddles), never a
 * silent zero, and a long round its whole samples plus the new pages of
 * its edges in proportion. Bounds: |U| <= D <= |U ∪ S_head ∪ S_tail|;
 * the lower bound is what a page written at the far end of each partial
 * sample would give, the upper one what a page written inside the round
 * would. D is exact for pages written at a steady rate, uniformly in
 * time, that are new to the round; D may be fractional, and durations and
 * downtimes are taken from it (final_pages rounds it).
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
	uint64_t final_pages;    /* pages it sends, final_share rounded */
	double final_share;      /* the same as the share rule gives it */
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

/* ------------------------------------------------------------------------
 * MMU of the machine model (tlb.c, pt.c): the structures models/cpu/ runs
 * guest memory accesses through. Costs are not here: this layer says what
 * happened (hit, miss, references walked, fault), the CPU model charges it.
 * ------------------------------------------------------------------------ */

/* Largest TLB and L2TLB the loader accepts, and the largest page size
 * (log2) a mapping may have. */
#define MEM_TLB_MAX_ENTRIES 65536u
#define MEM_PAGE_SHIFT_MAX 40u

/* A TLB entry allows stores without a fault (clear while dirty logging
 * still has to see the page's first write). */
#define MEM_TLB_W 1u
/* A global entry (x86 PGE): a page-table base write does not remove it
 * (mem_tlb_flush_nonglobal); a whole flush does. */
#define MEM_TLB_G 2u

typedef struct mem_tlb_entry {
	uint64_t key;    /* (va >> shift) << 6 | shift; 0 = invalid */
	uint32_t tag;    /* address-space / VM tag; 0 when untagged */
	uint32_t flags;  /* MEM_TLB_W, MEM_TLB_G */
	uint64_t gfn;    /* guest-physical frame the page starts at */
} mem_tlb_entry;

/* A set-associative TLB in caller storage: sets = entries / ways (a power
 * of two) indexed by the low bits of the virtual page number, FIFO
 * replacement within a set (so hits change no state, and a lookup is a
 * mask, a multiply and `ways` compares: no hashing, no allocation).
 * Several page sizes share the entries: the key holds the size. */
typedef struct mem_tlb {
	uint32_t sets, ways;
	uint64_t set_mask;
	mem_tlb_entry *e;     /* [sets * ways]; set s is e[s*ways ..) */
	uint32_t *victim;     /* [sets]: next way to replace */
	uint32_t *valid;      /* [sets]: valid ways (a full set has no
				 invalid way to search for) */
	uint64_t gen;         /* bumped by every insert, flush, invalidate */
	uint64_t flushes;     /* whole-TLB flushes */
	/* A bit per hash of the key of every entry inserted since the last
	 * whole flush: a key whose bit is clear is in no way, and its
	 * invalidation (a guest PTE write to a page the TLB never held, as
	 * most of fork's are) needs no search. */
	uint64_t sig[4];
} mem_tlb;

/* True if a TLB of `entries` with `ways` ways is buildable: 1 <= ways <=
 * entries <= MEM_TLB_MAX_ENTRIES, entries divisible by ways, and
 * entries / ways a power of two. */
bool mem_tlb_geometry_is_valid(uint64_t entries, uint64_t ways);
/* Initialises an empty TLB (panics on a geometry that is not valid; users'
 * values are checked by the machine-file loader first). O(entries). */
void mem_tlb_init(mem_tlb *t, uint32_t entries, uint32_t ways);
/* Frees its arrays; t may be initialised again. */
void mem_tlb_fini(mem_tlb *t);
/* The entry mapping va at page size 2^shift under tag, or NULL. O(ways). */
static inline mem_tlb_entry *mem_tlb_lookup(mem_tlb *t, uint64_t va,
					    unsigned shift, uint32_t tag)
{
	uint64_t vpn = va >> shift;
	uint64_t key = vpn << 6 | shift;
	mem_tlb_entry *s = t->e + (size_t)(vpn & t->set_mask) * t->ways;
	for (uint32_t w = 0; w < t->ways; w++)
		if (s[w].key == key && s[w].tag == tag)
			return &s[w];
	return NULL;
}
/* Inserts (va, shift, tag) -> gfn with flags, replacing the set's FIFO
 * victim, and returns the entry. The caller has looked it up and missed. */
mem_tlb_entry *mem_tlb_insert(mem_tlb *t, uint64_t va, unsigned shift,
			      uint32_t tag, uint64_t gfn, uint32_t flags);
/* Removes the entry of (va, shift, tag) if present (invlpg). O(ways). */
void mem_tlb_invalidate(mem_tlb *t, uint64_t va, unsigned shift,
			uint32_t tag);
/* Removes every entry (counted in flushes). O(entries). */
void mem_tlb_flush(mem_tlb *t);
/* Removes every entry without MEM_TLB_G (an x86 CR3 write with global
 * pages enabled), counted in flushes. O(entries). */
void mem_tlb_flush_nonglobal(mem_tlb *t);
/* Removes the entries whose tag has (tag & mask) == (want & mask): a VM's
 * entries with a VPID mask, one address space's with the full mask.
 * Not counted as a flush. O(entries). */
void mem_tlb_flush_tag(mem_tlb *t, uint32_t mask, uint32_t want);
/* Clears MEM_TLB_W in every entry (dirty logging restarts). O(entries). */
void mem_tlb_clear_writable(mem_tlb *t);
/* Valid entries now. O(entries). */
uint64_t mem_tlb_valid(const mem_tlb *t);

/* Memory references of one page walk. n: guest (or native) levels walked
 * for the page, m: host levels of a nested walk (0 for a one-dimensional
 * walk: native, or shadow tables). Each of the n guest references is a
 * guest-physical address the host walks first (m references), and so is
 * the final guest-physical page: n(m + 1) + m = (n + 1)(m + 1) − 1, 24 for
 * 4 × 4 levels [Bhargava08]. A page-walk-cache hit leaves only the leaf's
 * guest level to walk (n = 1). n >= 1 (else a panic). */
unsigned mem_walk_refs(unsigned n, unsigned m, bool pwc_hit);

/* A direct-mapped cache of keys (page-walk cache, Disco's L2TLB): `entries`
 * a power of two (0: the cache is absent and never hits). */
typedef struct mem_kcache {
	uint64_t mask;
	uint64_t *key;   /* [entries]; 0 = empty */
	uint64_t *val;   /* [entries] */
	uint32_t *tag;   /* [entries] */
} mem_kcache;
void mem_kcache_init(mem_kcache *c, uint64_t entries);
void mem_kcache_fini(mem_kcache *c);
/* True (and *val) if slot (key & mask) holds (key, tag). key != 0. */
bool mem_kcache_get(const mem_kcache *c, uint64_t key, uint32_t tag,
		    uint64_t *val);
/* Stores (key, tag) -> val in its slot, evicting what was there. */
void mem_kcache_put(mem_kcache *c, uint64_t key, uint32_t tag, uint64_t val);
/* Empties the cache. O(entries). */
void mem_kcache_clear(mem_kcache *c);

/* A multi-level radix page table: `levels` levels of 2^bits entries above
 * pages of 2^base_shift bytes. A mapping of a page of 2^shift bytes, shift
 * = base_shift + k·bits (k < levels), is a leaf k levels above the bottom
 * (a large page). The table's reach is 2^(base_shift + levels·bits): an
 * address whose bits above it are all zeros or all ones (the canonical
 * halves) is taken modulo the reach under the one root; any other value
 * of those bits gets a root of its own, made on its first mapping, so
 * that the workload streams' regions, laid out 2^40 bytes apart, do not
 * share entries on a 32-bit table (a modelling convenience: a walk still
 * reads `levels` entries). Nodes come from a pool grown as needed and are
 * addressed by index, never by pointer order. */
typedef struct mem_pt mem_pt;

/* Creates an empty table (panics unless 1 <= levels <= 6, 1 <= bits <= 12,
 * 10 <= base_shift and base_shift + levels·bits <= 64). */
mem_pt *mem_pt_create(unsigned levels, unsigned bits, unsigned base_shift);
void mem_pt_destroy(mem_pt *pt);
/* True if shift is a page size the table can map (see above). */
bool mem_pt_shift_is_valid(const mem_pt *pt, unsigned shift);
/* Looks va up. On a mapping returns true with its frame (the frame number
 * of its first base page), its page shift and the levels walked to reach
 * the leaf (levels − k); else false, with *levels_walked the levels read
 * before the walk stopped. Any output may be NULL. O(levels). */
bool mem_pt_lookup(const mem_pt *pt, uint64_t va, uint64_t *frame,
		   unsigned *shift, unsigned *levels_walked);
/* True if the table holds the node into which the entry of the page of
 * 2^shift bytes holding va is written (the page-table page that entry
 * lives in), whether or not that node still holds entries (nodes stay
 * until mem_pt_clear); also true if a larger mapping covers va. The node
 * need not hold va's own entry. Panics on a shift the table cannot map.
 * O(levels). */
bool mem_pt_table_exists(const mem_pt *pt, uint64_t va, unsigned shift);
/* Maps the page of 2^shift bytes holding va to frame (shift valid, else a
 * panic), replacing what mapped any part of it. Returns the page-table
 * nodes allocated for it (a new root included). O(levels + roots), or
 * more when a subtree is replaced. */
unsigned mem_pt_map(mem_pt *pt, uint64_t va, unsigned shift, uint64_t frame);
/* Removes the mapping holding va; true if there was one. O(levels). */
bool mem_pt_unmap(mem_pt *pt, uint64_t va);
/* Leaf mappings now, and nodes allocated (the table's own pages). */
uint64_t mem_pt_mappings(const mem_pt *pt);
uint64_t mem_pt_nodes(const mem_pt *pt);
/* Removes every mapping (nodes are kept for reuse). O(nodes). */
void mem_pt_clear(mem_pt *pt);

/* One VM's memory as the MMU sees it: a guest page table per address
 * space (asid), guest-physical frames handed out deterministically (freed
 * frames first, last freed first; else in order from 0, wrapping after
 * guest_pages), the pmap from guest-physical to
 * machine frames (a machine frame taken from the shared counter on a
 * frame's first use), a shadow table per address space (virtual to
 * machine, filled by the VMM on hidden faults) and a dirty log over the
 * guest-physical frames. */
typedef struct mem_vm mem_vm;

typedef struct mem_vm_geom {
	unsigned levels, bits, base_shift;  /* as mem_pt_create */
	uint64_t guest_pages;               /* guest-physical frames >= 1 */
} mem_vm_geom;

/* Creates a VM's memory. next_mfn is the host's machine-frame counter,
 * shared by the VMs of a host and borrowed until the VM is destroyed. */
mem_vm *mem_vm_create(const mem_vm_geom *g, uint64_t *next_mfn);
void mem_vm_destroy(mem_vm *vm);
/* The guest page table / shadow table of address space asid, created
 * empty on first use (O(asid) the first time an asid is seen). */
mem_pt *mem_vm_gpt(mem_vm *vm, uint16_t asid);
mem_pt *mem_vm_spt(mem_vm *vm, uint16_t asid);
/* The shadow table of asid if it exists, else NULL (no allocation). */
mem_pt *mem_vm_spt_peek(const mem_vm *vm, uint16_t asid);
/* Drops every shadow table's mappings (a VMM discarding its shadows). */
void mem_vm_shadow_drop(mem_vm *vm);
/* Hands out 2^order aligned guest-physical frames (order < 32, else a
 * panic); returns the first. A single frame is the one freed last if any
 * (a guest's allocator reuses freed frames, LIFO), else the next in
 * order. */
uint64_t mem_vm_gfn_alloc(mem_vm *vm, unsigned order);
/* Gives single frame gfn (< guest_pages, else a panic) back for reuse.
 * The caller frees a frame once. */
void mem_vm_gfn_free(mem_vm *vm, uint64_t gfn);
/* The machine frame behind gfn (< guest_pages, else a panic), assigned on
 * first use; *fresh (may be NULL) says whether it was assigned now. */
uint64_t mem_vm_pmap(mem_vm *vm, uint64_t gfn, bool *fresh);
/* True if gfn has a machine frame already (no assignment). */
bool mem_vm_pmap_has(const mem_vm *vm, uint64_t gfn);
/* Frames the pmap holds. */
uint64_t mem_vm_pmap_frames(const mem_vm *vm);
/* The dirty log over the guest-physical frames (created disabled). */
mem_dirtylog *mem_vm_dirtylog(mem_vm *vm);
/* The geometry the VM was created with. */
const mem_vm_geom *mem_vm_geometry(const mem_vm *vm);

#endif /* VDCSIM_MEM_H */
