/* SPDX-License-Identifier: MIT */
/*
 * workloads/: generators of guest activity. Today: page-write generators
 * (uniform, hot set, Zipf, trace replay, sweep) that say which page each
 * write of a time window lands on, their expected dirtying in closed form,
 * presets shaped like Clark et al.'s traced workloads, and page-dirty trace
 * output.
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
	WL_PAGES_SWEEP,   /* `rate` writes/s through a region in page order,
			     cyclically: no random draws */
} wl_pages_kind;

/* Time structure of a workload (workloads/phases.c; the presets carry it,
 * workloads/README.md "Time structure" gives each preset's numbers). Times
 * are ns of the writer's clock (trace time, or simulated time in an
 * experiment). All three parts are optional:
 *  - swing: every rate of the base generator is multiplied by
 *    1 + swing·sin(2π·t/swing_period), so the long-run mean is the base's;
 *  - bursts: trains of events, event k of a train lasting [first + k·period,
 *    first + k·period + length), adding `rate` writes/s uniform over the
 *    train's own region [offset, offset + pages);
 *  - shift (hotset only): the hot set starts at offset + (k·shift_pages mod
 *    shift_span) during [k·shift_period, (k + 1)·shift_period). */
typedef struct wl_burst {
	uint64_t period_ns; /* > 0 */
	uint64_t first_ns;  /* start of the first event */
	uint64_t length_ns; /* 1 ns to period_ns */
	double rate;        /* writes/s added while an event lasts */
	uint64_t offset;    /* first page of the region written */
	uint64_t pages;     /* pages of that region (>= 1) */
} wl_burst;

#define WL_MAX_BURSTS 4

typedef struct wl_phases {
	double swing;            /* relative amplitude, 0 to < 1 */
	uint64_t swing_period_ns; /* > 0 when swing > 0 */
	uint64_t shift_period_ns; /* 0: the hot set stays put */
	uint64_t shift_pages;    /* step of each move */
	uint64_t shift_span;     /* moves wrap within this many pages (>= 1) */
	size_t nbursts;          /* <= WL_MAX_BURSTS */
	wl_burst bursts[WL_MAX_BURSTS];
} wl_phases;

typedef struct wl_pages_params {
	int kind;           /* a wl_pages_kind (an int, as CFG_T_ENUM stores) */
	uint64_t pages;     /* uniform, zipf, sweep: pages of the region
			       written, 0 = from `offset` to the end of the VM */
	uint64_t offset;    /* first page of that region, or of the hot set */
	uint64_t hot_pages; /* hotset: pages in the hot set (>= 1) */
	double hot_rate;    /* hotset: writes/s into the hot set */
	double cold_rate;   /* hotset: writes/s into all other pages */
	double rate;        /* uniform, zipf, sweep: writes/s */
	double zipf_s;      /* zipf: exponent s in [0, 10]; 0 is uniform */
	const char *trace;  /* replay: path of the trace, as configured; the
			       caller loads it (borrowed from the document) */
	const trace_pages *replay; /* replay: the loaded trace (borrowed; not
				      in the parameter table) */
	const wl_phases *phases; /* time structure, or NULL for a stationary
				    workload (presets set it; borrowed, not in
				    the parameter table) */
} wl_pages_params;

/* The parameter tables of workloads/, NULL-terminated, for `vdcsim params`
 * and cfg_section_load: the page-write generator, target struct
 * wl_pages_params, path "vms[].page_writes" (datacenter/ mounts it), and
 * resource demand, wl_demand_section (declared below). */
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

/* Whether p's writes take random draws: false for a replay and for a sweep
 * without burst trains (its writes are a function of time alone), true
 * otherwise. wl_pagegen_create takes a NULL rng exactly when this is
 * false. */
bool wl_pages_draws_random(const wl_pages_params *p);

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
 * and may be NULL when wl_pages_draws_random(p) is false (replay, a sweep
 * without bursts), which draw nothing. Same rng state, same
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
 * scattered). A sweep draws nothing: its write k (k = 0, 1, ...) falls
 * where W(t) = rate · t reaches k (t in s of the writer's clock; with a
 * swing, rate times the swing's integral over [0, t)), on page offset +
 * (k mod R), so the window holds writes ceil(W(t0)) to ceil(W(t1)) − 1
 * and adjacent windows split the writes exactly. With a time structure
 * (p->phases) the window is split where a burst starts or ends or the hot
 * set moves; each piece draws its base writes (a sweep: its next ones),
 * Poisson of the rate times the swing's integral over the
 * piece (the hot set where it is at the piece's start), then each burst
 * that is on, uniform over its region. Uniform draws are exact (Lemire's
 * multiply-shift with rejection). Windows are independent: splitting a window in two gives the
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
 *   sweep:   min(R, rT), not a Poisson sum: a window of length T holds
 *            floor(rT) or ceil(rT) consecutive writes (rT on average over
 *            where it starts), which are distinct pages while fewer than
 *            R, so a window's count is within one page of this;
 *   replay:  NAN (a trace is data, not a rate; measure it instead).
 * These are the base generator's, without its time structure (p->phases:
 * a window's count then depends on where it lies in time). */
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
	uint64_t vm_bytes;     /* default VM size: 512 MiB, Clark's traced VM */
	wl_pages_params params;
} wl_pages_preset;

/* Expected number of writes (not distinct pages) p makes in [t0_ns, t1_ns)
 * on a VM of `pages` pages, its time structure included: the base rate
 * times the integral of the swing, plus each burst's rate times its overlap
 * with the window. NAN for replay. p must pass wl_pages_check. */
double wl_pagegen_expected_writes(const wl_pages_params *p, uint64_t pages,
				  uint64_t t0_ns, uint64_t t1_ns);

/* The preset named `name`, or NULL. */
const wl_pages_preset *wl_pages_preset_find(const char *name);
/* Preset i in documentation order, or NULL past the last. */
const wl_pages_preset *wl_pages_preset_at(size_t i);

/* ------------------------------------------------------------------------
 * Resource demand: synthetic VMs whose CPU, memory and network demand vary
 * by monitoring interval, for the datacenter's accounting and Sandpiper's
 * policies (workloads/README.md, "Resource demand"). Three kinds: a web
 * server (a daily arrival-rate profile, service times, a G/G/1 response
 * time), a memory-hungry VM (a working set growing and shrinking by
 * phase) and a network-heavy VM (a daily transfer-rate profile with
 * bursts). CPU demand is a fraction of the VM's CPU allocation, as in the
 * utilisation traces; it may exceed 1 (the excess is unmet demand).
 * ------------------------------------------------------------------------ */

typedef enum wl_demand_kind {
	WL_DEMAND_WEB,
	WL_DEMAND_MEMORY,
	WL_DEMAND_NETWORK,
} wl_demand_kind;

typedef struct wl_demand_params {
	int kind;                 /* a wl_demand_kind */
	/* Daily profile (web, network): mean · (1 + amplitude ·
	 * cos(2π (t − peak) / period)), times a lognormal noise of mean 1
	 * and coefficient of variation noise_cv drawn per interval. */
	uint64_t period_ns;
	uint64_t peak_ns;         /* < period_ns */
	double amplitude;         /* 0..1 */
	double noise_cv;          /* 0..2 (memory: noise of the working set) */
	/* Web server. */
	double rate;              /* mean arrival rate, requests/s */
	uint64_t service_ns;      /* mean service time at the full allocation */
	double service_cv;        /* coefficient of variation of service times */
	double arrival_cv;        /* coefficient of variation of inter-arrival
				     times (1: Poisson arrivals) */
	uint64_t request_bytes;   /* network bytes per request */
	uint64_t sla_ns;          /* response-time target the application
				     reports to a grey-box policy (0: none) */
	/* Memory: every kind's footprint is mem_base; the memory kind's
	 * working set is a trapezoid per cycle: grow from mem_base to
	 * mem_peak, hold, shrink back, stay idle at mem_base. */
	uint64_t mem_base_bytes;
	uint64_t mem_peak_bytes;  /* memory: >= mem_base_bytes */
	uint64_t grow_ns, hold_ns, shrink_ns, idle_ns;
	/* Network-heavy VM: a daily profile of mean net_rate_bps plus, in
	 * each interval with probability burst_prob, burst_rate_bps more. */
	uint64_t net_rate_bps;    /* bit/s */
	uint64_t burst_rate_bps;  /* bit/s */
	double burst_prob;        /* fraction, 0..1 */
	double cpu;               /* memory, network: CPU demand, a fraction
				     of the allocation */
} wl_demand_params;

/* One interval's demand. The grey-box statistics are the web kind's
 * (zero for the others): what an in-VM daemon would report. */
typedef struct wl_demand {
	double cpu;             /* fraction of the VM's CPU allocation, >= 0 */
	double mem_bytes;       /* working set */
	double net_Bps;         /* network bytes/s */
	double arrival_rate;    /* web: requests/s */
	double arrival_var_s2;  /* web: variance of inter-arrival times, s² */
	double service_s;       /* web: mean service time at the full
				   allocation, s */
	double service_var_s2;  /* web: variance of service times, s² */
} wl_demand;

/* The parameter table of resource demand, path "vms[].demand" (target
 * struct wl_demand_params); wl_sections() lists it too. */
extern const cfg_section wl_demand_section;

/* Loads demand parameters from a config mapping (kind is required; `where`
 * positions the message when n is NULL) and checks them with
 * wl_demand_check, reporting at n. Returns 0 or SIM_EINPUT. */
int wl_demand_params_load(const cfg_node *n, const cfg_node *where,
			  wl_demand_params *out, sim_diag *d);

/* Checks what the table's ranges cannot: peak < period, period > 0,
 * mem_peak >= mem_base, a memory cycle longer than 0, numbers finite and
 * in the table's ranges. Reports "what: problem (expected ...)". Returns 0
 * or SIM_EINPUT. */
int wl_demand_check(const wl_demand_params *p, const char *what,
		    sim_diag *d);

typedef struct wl_demand_gen wl_demand_gen;

/* Creates a generator of p's demand per interval of interval_ns (>= 1).
 * p must pass wl_demand_check and interval_ns be >= 1 (else a panic). Two
 * 32-bit draws from rng (borrowed for this call only; it must draw 32
 * bits, as every sim_rng_stream does) make the generator's key; interval
 * i's noise is then a fixed function of (key, i), so that any interval is
 * read in O(1), in any order, with the same result. */
wl_demand_gen *wl_demand_create(const wl_demand_params *p,
				uint64_t interval_ns, gsl_rng *rng);
/* Frees the generator; NULL is a no-op. */
void wl_demand_destroy(wl_demand_gen *g);

/* The demand of interval i, [i·interval, (i+1)·interval), with the
 * profiles read at the interval's middle. O(1); no allocation. */
void wl_demand_at(const wl_demand_gen *g, uint64_t i, wl_demand *out);

/* The long-run mean of each field over whole profile periods (web,
 * network) or memory cycles, in closed form: web cpu = rate · s, net =
 * rate · request_bytes; memory mem = base + (peak − base)(grow/2 + hold
 * + shrink/2)/cycle; network net = (net_rate + burst_prob · burst_rate)/8.
 * Sampled means over whole periods converge to these when the interval
 * divides the period (or each memory phase). */
void wl_demand_mean(const wl_demand_params *p, wl_demand *out);

/* Mean response time (s) of a G/G/1 queue by Kingman's approximation
 * [Kingman61]:
 * s + ρ/(1 − ρ) · (ca² + cs²)/2 · s with ρ = λ·s, for arrival rate λ
 * (req/s, >= 0), mean service time s (s, > 0) and squared coefficients of
 * variation ca², cs² of inter-arrival and service times. Exact for M/M/1
 * (ca² = cs² = 1). INFINITY when ρ >= 1. */
double wl_gg1_response_s(double lambda, double s, double ca2, double cs2);

/* The mean response time of a web interval d when the VM receives `share`
 * (> 0) of its CPU allocation: service times stretch to s/share, and the
 * interval's arrival rate and variances feed wl_gg1_response_s. INFINITY
 * when the queue is saturated; 0 for a kind without requests. */
double wl_demand_response_s(const wl_demand *d, double share);

/* ------------------------------------------------------------------------
 * Instruction streams: generators of abstract guest instructions
 * (trace_insn) for the machine model, following the stream conventions
 * of workloads/README.md ("Instruction streams"). A stream is a body of
 * instructions drawn from an instruction mix, interrupted by events
 * (system calls, faults, fork, exec, mmap, context switches, interrupts)
 * that each expand to a fixed shape of entry, kernel work and return.
 * Every parameter is in the table wl_sections() lists ("workloads[].
 * stream"); rates are per 1000 instructions of the whole stream.
 * ------------------------------------------------------------------------ */

typedef enum wl_level {
	WL_LEVEL_USER,   /* the body runs in user mode (applications) */
	WL_LEVEL_KERNEL, /* the body runs in the guest kernel (a benchmark
			    loop inside the kernel, as FrobOS's) */
} wl_level;

typedef struct wl_stream_params {
	int level;               /* a wl_level (an int, as CFG_T_ENUM) */
	/* Instruction mix: fractions of the body's and the kernel's
	 * instructions that are not events or kernel-only ops; the rest
	 * is ALU. */
	double load, store, branch, indirect;
	double taken;            /* fraction of branches taken */
	/* Addresses (each process has the same layout, see README). */
	uint64_t ws_bytes;       /* user working set */
	uint64_t hot_bytes;      /* hot part of it (at its start) */
	double hot_access;       /* fraction of random accesses to it */
	double seq_access;       /* fraction of accesses one stride on */
	uint64_t stride_bytes;   /* the stride of sequential accesses */
	uint64_t large_page;     /* bytes of a large page (power of two) */
	double large_fraction;   /* fraction of the working set mapped by
				    large pages (at its start) */
	uint64_t kernel_ws_bytes; /* kernel data touched by kernel work */
	uint64_t base_page;      /* bytes of the base page */
	uint64_t processes;      /* address spaces switched among */
	bool regular;            /* events evenly spaced, kinds in turn
				    (else a Poisson process) */
	/* Events per 1000 instructions. */
	double syscalls, page_faults, prot_faults, signal_faults, divides,
		forks, execs, mmaps, ctx_switches, timer_irqs, device_irqs;
	/* Kernel-only instructions per 1000 instructions, placed in the
	 * kernel's work. */
	double port_io, tpr_writes, intr_toggles, timer_writes, cpuid,
		pte_writes, sensitive;
	/* Shapes of the events: kernel instructions and pages. */
	uint64_t syscall_insns, fault_insns, prot_fault_insns, divide_insns,
		ctx_insns, irq_insns;
	uint64_t fork_insns, fork_ptes, cow_faults, exit_insns, exit_ptes;
	uint64_t exec_insns, exec_ptes, exec_faults;
	uint64_t mmap_insns, mmap_pages;
} wl_stream_params;

/* Loads stream parameters from a config node: a scalar names a catalog
 * preset (an unknown name reported with the nearest one suggested); a
 * mapping is loaded against the table, starting from the preset its
 * optional key `preset` names, else from the table's defaults. `where`
 * positions messages when n is NULL. Returns 0 or SIM_EINPUT with
 * positioned messages in d; then wl_stream_check still applies. */
int wl_stream_params_load(const cfg_node *n, const cfg_node *where,
			  wl_stream_params *out, sim_diag *d);

/* Checks what the table's ranges cannot: mix fractions summing to at
 * most 1, the hot set and large pages inside the working set, user-level
 * events only in a user-level body, events taking fewer than 1000 of
 * every 1000 instructions, and enough kernel work to hold the
 * kernel-only ops. Reports "what: problem (expected ...)". Returns 0 or
 * SIM_EINPUT. */
int wl_stream_check(const wl_stream_params *p, const char *what,
		    sim_diag *d);

/* What a stream of p yields on average, per 1000 instructions. */
typedef struct wl_stream_expect {
	double op[TRACE_OP_COUNT];     /* each op */
	double priv[TRACE_PRIV_COUNT]; /* each privileged kind */
	double exc[TRACE_EXC_COUNT];   /* each exception kind */
	double irq[TRACE_IRQ_COUNT];   /* each interrupt class */
	double kernel;                 /* instructions run in the kernel */
	double events;                 /* events of every kind */
	double taken;                  /* branches taken */
} wl_stream_expect;

/* Fills e from p (which must pass wl_stream_check, else a panic): the
 * closed form the generator's draws average to. */
void wl_stream_expected(const wl_stream_params *p, wl_stream_expect *e);

/* Instructions from one event of p's rarest kind to the next (1000 over
 * its rate), 0 if p has no events. In a regular stream, whose kinds take
 * turns, this is its loop: a run shorter than it misses some kinds. O(1). */
double wl_stream_loop(const wl_stream_params *p);

typedef struct wl_stream wl_stream;

/* Creates a generator of p (copied; p must pass wl_stream_check, else a
 * panic). Its state is seeded by eight 32-bit draws from rng (borrowed
 * for the call only; it must draw 32 bits, as any sim_rng_stream does):
 * the same rng state gives the same stream. Precomputes its tables:
 * O(1) after that. */
wl_stream *wl_stream_create(const wl_stream_params *p, gsl_rng *rng);
/* Frees g; NULL is a no-op. */
void wl_stream_destroy(wl_stream *g);
/* Writes the next max instructions of the (endless) stream into buf.
 * Filling in blocks of any size gives the same stream. O(max). */
void wl_stream_fill(wl_stream *g, trace_insn *buf, size_t max);
/* Writes up to max instructions that complete the event in progress
 * (and leave a kernel-level body with its RETURN), so that the stream so
 * far ends at user level with every entry returned; returns their number,
 * 0 once there is nothing left. A later fill starts the stream's next
 * part (a kernel-level body enters the kernel again). */
size_t wl_stream_finish(wl_stream *g, trace_insn *buf, size_t max);
/* Phases of a stream, for sampled simulation (models/cpu/sample.c):
 * phase 0 is the body (and a kernel-level body's entry), phase 1 + i the
 * i-th event kind of the stream's programs (those with a rate above 0,
 * in the order of stream_params.c). Fewer than WL_STREAM_PHASES. */
#define WL_STREAM_PHASES 12
/* wl_stream_fill that stops at the end of the current phase: writes 1 to
 * max instructions (0 when max is 0) of one phase, sets *phase to it and
 * returns their number. Successive calls give the same stream as
 * wl_stream_fill with the same state. O(returned). */
size_t wl_stream_fill_phase(wl_stream *g, trace_insn *buf, size_t max,
			    unsigned *phase);
/* Advances the stream by n instructions without writing them, adding
 * how many fell in each phase to count[0..WL_STREAM_PHASES). The event
 * sequence (gaps and kinds, drawn from their own generator), address
 * spaces, fresh and protected page cursors and the position in the event
 * in progress advance exactly as filling would; the body's and the
 * kernel work's instructions are not drawn, so what follows a skip has
 * the events of the filled stream with other body draws (same state,
 * same n: same result). O(events and event steps skipped), not O(n);
 * a regular stream of one event program (a benchmark loop) jumps over
 * its whole cycles in O(1) (workloads/stream_skip.c), with the same
 * counts and state as stepping through them: O(3 cycles) then. */
void wl_stream_skip(wl_stream *g, uint64_t n, uint64_t *count);
/* Whether g is between two events: in the body, or in an event whose
 * steps left hold no instruction (loop ends, empty kernel work), so that
 * its next part is the body's. */
bool wl_stream_between_events(const wl_stream *g);
/* wl_stream_skip over whole cycles of a regular stream of one program
 * (the jump above), from the body between two events: mix instructions
 * are added to count[phase] and own instructions to *own, so that a
 * caller that runs own instructions in detail can extrapolate those of
 * the skipped cycles instead. Returns the instructions consumed: 0 when
 * g is inside an event, its mix has own classes
 * (wl_stream_mix_own_rate > 0), or the jump does not succeed within n
 * (g is then left as it was); else the body up to the next event, the
 * cycles walked (two, to check that they move the stream alike) and
 * those jumped, ending at a cycle boundary with at least one whole cycle
 * of n left. O(3 cycles + sizeof *g). */
uint64_t wl_stream_skip_cycles(wl_stream *g, uint64_t n, uint64_t *count,
			       uint64_t *own);
/* The same over cycles too long to jump within n, by walking them: from
 * the body between two events, the body up to the next event, then whole
 * events each with the body after it (to the next cycle boundary), as
 * many as end within n, counted as wl_stream_skip_cycles counts. Returns
 * the instructions consumed (0 under the same conditions but the jump's,
 * or when no boundary comes within n; g is then left as it was).
 * O(instruction parts of the cycles walked). */
uint64_t wl_stream_skip_events(wl_stream *g, uint64_t n, uint64_t *count,
			       uint64_t *own);
/* A stream's own instructions are those of its event programs' steps:
 * the entries, returns, context switches and other single instructions
 * of a program, and a kernel-work step's PTE writes; the rest (the
 * body's and the kernel work's mix) is drawn. Sampled simulation runs
 * every own instruction in detail and extrapolates the mix only.
 * wl_stream_fill_part writes the next part of the stream: 1 to max mix
 * instructions of one phase (*own false) or one own instruction (*own
 * true), sets *phase and returns their number (0 when max is 0).
 * Successive calls give wl_stream_fill's stream. O(returned). */
size_t wl_stream_fill_part(wl_stream *g, trace_insn *buf, size_t max,
			   unsigned *phase, bool *own);
/* Whether wl_stream_skip_part draws the mix's own instructions (its
 * privileged, sensitive and PTE-write classes) one by one, as own
 * instructions (on), or skips them with the rest of the mix (off, the
 * default). wl_stream_fill_part writes them inside mix parts either way:
 * a caller that splits them tells them by op. */
void wl_stream_split_mix(wl_stream *g, bool on);
/* Events per instruction of the stream (the programs' rates), and the
 * larger of the body's and the kernel work's probabilities of an own
 * class per mix instruction. */
double wl_stream_event_rate(const wl_stream *g);
double wl_stream_mix_own_rate(const wl_stream *g);
/* wl_stream_skip up to the next own instruction: skips mix instructions,
 * adding them to count[phase], until n instructions are consumed or an
 * own instruction comes; that one is consumed too, written to *op as
 * filling would write it, not counted, and *own is set (*phase its
 * phase). Returns the instructions consumed (own one included).
 * wl_stream_skip_part calls that consume n in total advance the event
 * sequence, address spaces and event positions as wl_stream_skip(n)
 * does (with wl_stream_split_mix on, the body's draws differ and the
 * mix's own instructions are not counted). O(event steps and own
 * instructions skipped). */
uint64_t wl_stream_skip_part(wl_stream *g, uint64_t n, uint64_t *count,
			     trace_insn *op, unsigned *phase, bool *own);
/* Functional warming of a machine over mix a skip passed: writes into
 * out (va and size only) the loads that k mix instructions of `phase`
 * (0 the body, else an event's kernel work) would make (k times the
 * table's share of data accesses, the fraction carried to the next
 * call; at most cap), at addresses drawn as that mix draws them (user:
 * hot set, the rest of the working set, sequential after the last;
 * kernel: its data), and returns their number. The draws come from a
 * generator of their own: what filling and skipping the stream give is
 * unchanged, except that a body whose every access is sequential
 * (seq_access 100 %, user level) has one scan: the loads are its next
 * ones (past the cap, the last of them are written), and the stream
 * goes on after them.
 * O(returned). */
size_t wl_stream_warm_loads(wl_stream *g, unsigned phase, uint64_t k,
			   trace_insn *out, size_t cap);
/* A skip does not move the body's scan; a caller that passes k body
 * instructions without warming them (wl_stream_warm_loads) calls this,
 * so that a body whose every access is sequential (seq_access 100 %,
 * user level) goes on where those instructions' accesses would have left
 * its scan (k times the data share, the fraction carried as warm_loads
 * carries it). Writes into out one load in each page those accesses
 * touched, in scan order, the last cap of them (the TLB's view of the
 * passed scan), and returns their number. Other bodies: nothing moves,
 * 0 (their position after a random access is itself random). O(1 +
 * returned). */
size_t wl_stream_pass_scan(wl_stream *g, uint64_t k, trace_insn *out,
			   size_t cap);
/* Functional warming over a long span, cheaply (models/cpu/README.md,
 * "Sampled mode"): of the loads k mix instructions of `phase` would make
 * (as wl_stream_warm_loads counts them, its own fraction carried), only
 * those that change a TLB already holding the stream's hot set, written
 * into out (va and size): for the body, each random draw outside the hot
 * set (its count from geometric gaps carried across calls), followed by
 * every page of the hot set, which the body touches again long before
 * its next such draw; for an event's kernel work, every page of the
 * kernel's data once. Only the last draws that fit in cap are written.
 * Holds when the hot set and the kernel's data fit the TLB
 * (wl_stream_warm_pages). The draws come from warm_loads' generator: the
 * stream is unchanged. Returns the entries written. O(returned + draws). */
size_t wl_stream_warm_sparse(wl_stream *g, unsigned phase, uint64_t k,
			     trace_insn *out, size_t cap);
/* The pages wl_stream_warm_sparse touches again: the hot set's and the
 * kernel data's. */
uint64_t wl_stream_warm_pages(const wl_stream *g);
/* Random draws outside the hot set per instruction of the body (the
 * loads that keep changing a TLB that holds the hot set). */
double wl_stream_cold_rate(const wl_stream *g);
/* The address space the stream is in (0 at the start). */
uint16_t wl_stream_asid(const wl_stream *g);
/* The warm-up pass of a stream of p (p passes wl_stream_check): for each
 * address space 0 .. processes - 1 in turn, a system call that switches
 * to it and loads every page of the kernel data, then a load of every
 * page of the working set (large pages with their size); back in address
 * space 0 at user level at the end, where a stream starts. Writes the
 * instructions into buf unless buf is NULL (call once with NULL for the
 * count) and returns their number. O(pages). */
size_t wl_stream_warm(const wl_stream_params *p, trace_insn *buf);
/* Kernel entries (SYSCALL, EXCEPTION, INTERRUPT) the stream so far has
 * not returned from: 0 at user level. */
unsigned wl_stream_depth(const wl_stream *g);

/* A catalog preset: a named stream defined by its mix and event rates
 * (workloads/README.md gives each number's source). */
typedef struct wl_stream_preset {
	const char *name; /* "spec-cint", "lmbench-fork", ... */
	const char *doc;  /* one line: what it stands for */
	wl_stream_params params;
} wl_stream_preset;

/* The preset named `name`, or NULL. */
const wl_stream_preset *wl_stream_preset_find(const char *name);
/* Preset i in catalog order, or NULL past the last. */
const wl_stream_preset *wl_stream_preset_at(size_t i);
/* The parameter table of stream parameters (also in wl_sections()). */
const cfg_section *wl_stream_section(void);

#endif /* VDCSIM_WL_H */
