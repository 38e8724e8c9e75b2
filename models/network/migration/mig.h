/* SPDX-License-Identifier: MIT */
/*
 * models/network/migration/: live migration of a VM's memory over the flow
 * network. Stop-and-copy and iterative pre-copy (Clark et al. NSDI 2005;
 * Xen legacy and v2, QEMU switchover rules) with statistical dirtying in
 * expected page counts or page-exact (a dirty log fed by a page-write
 * generator). Each round is a real net flow, so migrations share links
 * with all other traffic. Post-copy is not modelled.
 */
#ifndef VDCSIM_MIG_H
#define VDCSIM_MIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "net.h"
#include "sim.h"
#include "wl.h"

/* ------------------------------------------------------------------------
 * Parameters. "Mibit" is 2^20 bit, as in Clark et al. and Xen's
 * RATE_TO_BTU (reference migration.md, units warning).
 * ------------------------------------------------------------------------ */

typedef enum mig_scheme {
	MIG_SCHEME_STOP_AND_COPY, /* "stop-and-copy": pause, send all, resume */
	MIG_SCHEME_PRECOPY,       /* "precopy": live rounds, then stop-and-copy */
} mig_scheme;

/* When pre-copy stops iterating (checked after each live round k, with r
 * the pages dirtied during round k, i.e. still to send):
 *   XEN     stop if k >= max_rounds, r < stop_pages or total pages sent >
 *           max_sent_factor·M (Xen legacy, §2.1). Live rounds at max_rate.
 *   CLARK   as XEN, and each next round's rate is
 *           max(current, observed dirty rate + rate_step); stop when that
 *           exceeds max_rate (Clark §5, reference §1.4). Round 1 at
 *           start_rate.
 *   QEMU    stop if r·P <= bandwidth · downtime_limit, the bandwidth being
 *           round k's bytes over its duration (QEMU migration.c, §3.1), or
 *           k >= max_rounds. Live rounds at max_rate.
 *   XEN_V2  stop if k >= max_rounds; else if r < stop_pages, send those r
 *           pages in one more live round and then stop (xg_sr_save.c,
 *           §2.2). Live rounds at max_rate.
 * The final, paused round always runs at max_rate. */
typedef enum mig_policy {
	MIG_POLICY_XEN,
	MIG_POLICY_CLARK,
	MIG_POLICY_QEMU,
	MIG_POLICY_XEN_V2,
} mig_policy;

/* A migration's knobs, as the section "migrations[]" fills them (enums
 * are stored as int, the index in their choices). */
typedef struct mig_params {
	int scheme;                /* mig_scheme */
	int policy;                /* mig_policy */
	uint64_t start_rate_bps;   /* CLARK: rate of round 1 */
	uint64_t rate_step_bps;    /* CLARK: added to the observed dirty rate */
	uint64_t max_rate_bps;     /* cap of every flow of the migration */
	uint64_t max_rounds;       /* live rounds at most */
	double max_sent_factor;    /* XEN, CLARK: stop past this many × M */
	uint64_t stop_pages;       /* stop when fewer remain */
	uint64_t downtime_limit_ns;/* QEMU: switchover target */
	bool skip;                 /* Xen legacy skip of pages dirtied again */
	uint64_t reservation_ns;   /* stage 1 */
	uint64_t commitment_ns;    /* stage 4 */
	uint64_t activation_ns;    /* stage 5 (resume, gratuitous ARP) */
} mig_params;

/* The parameter tables of this folder, NULL-terminated, for `vdcsim
 * params` and cfg_section_load (the first, "migrations[]", fills a
 * mig_params). Static; they live for the program. */
const cfg_section *const *mig_sections(void);
/* Fills *p with the defaults of the "migrations[]" table. */
void mig_params_default(mig_params *p);
/* Sets p's policy and the knobs that policy's implementation hard-codes:
 * XEN_V2 sets max_rounds 5, stop_pages 50 and skip false (xg_sr_save.c
 * simple_precopy_policy, §2.2); XEN sets max_rounds 29, max_sent_factor 3,
 * stop_pages 50 (DEF_MAX_ITERS, DEF_MAX_FACTOR, §2.1); CLARK as XEN with
 * start_rate 100 and max_rate 500 Mibit/s (§1.4); QEMU sets downtime_limit
 * 300 ms (§3) and skip false. Other fields are left alone. */
void mig_params_preset(mig_params *p, mig_policy policy);

/* CLARK's rate rule: the rate of the round after one that ran at
 * current_bps while the guest dirtied dirty_bps (pages dirtied · P · 8 /
 * duration) is max(current_bps, dirty_bps + rate_step_bps); if that
 * exceeds max_rate_bps, *over is set (pre-copy stops) and max_rate_bps is
 * returned; otherwise *over is cleared. Saturating. over may be NULL. */
uint64_t mig_rate_next_bps(const mig_params *p, uint64_t current_bps,
			   uint64_t dirty_bps, bool *over);

/* ------------------------------------------------------------------------
 * How the guest dirties memory during live rounds, in expected counts.
 * ------------------------------------------------------------------------ */

typedef enum mig_dirty_kind {
	MIG_DIRTY_NONE,    /* an idle guest */
	/* Every write dirties a clean page at uniform_bytes_per_s (§5.1's
	 * assumption; dirtied pages = min(M, D·T/P)). Skip does not apply. */
	MIG_DIRTY_UNIFORM,
	/* The hot set + cold writes model of mem.h (hotcold.pages must equal
	 * the migration's pages); skip per mem_hotcold_round. */
	MIG_DIRTY_HOTCOLD,
	/* Page-exact: the guest's writes come from `pagegen` window by window
	 * into a dirty log (mem_dirtylog, Xen's log-dirty semantics) and each
	 * round sends the pages of a bitmap. Skip peeks the log before each
	 * batch of MIG_SKIP_BATCH_PAGES pages (in ascending page order), at
	 * the time that batch leaves at the rate the round's flow has when
	 * the round starts; so the writes of a round are drawn up to its last
	 * batch at its start (a later change of rate does not move them). */
	MIG_DIRTY_PAGES,
} mig_dirty_kind;

/* Xen legacy peeks the bitmap once per MAX_BATCH_SIZE = 1024 pages
 * (reference §2.1). */
#define MIG_SKIP_BATCH_PAGES UINT64_C(1024)

typedef struct mig_dirty {
	mig_dirty_kind kind;
	double uniform_bytes_per_s; /* MIG_DIRTY_UNIFORM: D >= 0 */
	mem_hotcold hotcold;        /* MIG_DIRTY_HOTCOLD */
	/* MIG_DIRTY_PAGES: a generator of the guest's writes over exactly
	 * the migration's pages. Borrowed; the migration draws from it
	 * alone, for windows [round 1 start, pause), and it must outlive the
	 * migration. */
	wl_pagegen *pagegen;
} mig_dirty;

/* ------------------------------------------------------------------------
 * Results, delivered through callbacks as each round and each migration
 * ends (datacenter/ stores them).
 * ------------------------------------------------------------------------ */

typedef struct mig_round_result {
	uint64_t tag;             /* the request's tag */
	uint32_t index;           /* 1-based; the paused round is the last */
	bool paused;              /* the stop-and-copy round */
	uint64_t start_ns, duration_ns; /* flow start to its completion */
	uint64_t cap_bps;         /* the round flow's cap */
	uint64_t rate_bps;        /* achieved: bits sent · 1e9 / duration */
	uint64_t pages_sent;
	uint64_t pages_dirtied;   /* expected, rounded; 0 for a paused round */
	uint64_t pages_skipped;   /* expected, rounded */
} mig_round_result;

typedef struct mig_result {
	uint64_t tag;
	mig_scheme scheme;
	mig_policy policy;
	uint64_t start_ns, end_ns;   /* request to activation done */
	uint64_t stop_ns;            /* the VM paused */
	uint64_t total_ns;           /* end - start */
	uint64_t downtime_ns;        /* end - stop (pause to resume) */
	uint64_t bytes;              /* pages_sent · page size */
	uint64_t pages_sent;
	uint32_t rounds;             /* live rounds (0 for stop-and-copy) */
} mig_result;

typedef struct mig_callbacks {
	/* Each may be NULL; called from inside the engine's handlers; they
	 * must not destroy the engine. ctx is borrowed. */
	void (*on_round)(void *ctx, const mig_round_result *r);
	void (*on_done)(void *ctx, const mig_result *r);
	void *ctx;
} mig_callbacks;

/* ------------------------------------------------------------------------
 * The migration model.
 * ------------------------------------------------------------------------ */

typedef struct mig mig;

typedef struct mig_request {
	uint64_t tag;            /* echoed in results */
	uint32_t src, dst;       /* node ids of the net */
	uint64_t pages;          /* M >= 1 */
	uint64_t page_size_bytes;/* P >= 1 */
	mig_params params;       /* copied */
	mig_dirty dirty;         /* copied */
} mig_request;

/* Adds a migration model to n's engine and returns it. n is borrowed and
 * must outlive it; cb is copied (cb may be NULL). Like the net, the model
 * is engine state, freed by sim_engine_destroy. */
mig *mig_create(net *n, const mig_callbacks *cb);

/* Starts a migration now: reservation, then the rounds of its scheme and
 * policy as net flows from src to dst, then commitment and activation.
 * Results go to the callbacks. Returns 0, or SIM_EINPUT for src == dst,
 * M or P of 0, M·P over NET_FLOW_MAX_BYTES, a rate of 0, a scheme or
 * policy out of range, or a dirty model that does not fit (negative or
 * non-finite rate, hot/cold pages != M, an invalid hot/cold model or a
 * NULL pagegen; a pagegen made for another page count is not detected),
 * an unknown node, or SIM_ENOENT if dst cannot be reached from src.
 * Cost: one route query (see net_topo_path) and one scheduled event; each
 * round then costs one flow start (two with skip) and, page-exact, O(M/64
 * + writes drawn). Memory: a small record per migration started, kept
 * until the engine is destroyed, and while a page-exact migration runs, a
 * dirty log and a bitmap of M bits each. */
int mig_migration_start(mig *m, const mig_request *req);

/* Migrations started and not yet done. */
size_t mig_active_count(const mig *m);

#endif /* VDCSIM_MIG_H */
