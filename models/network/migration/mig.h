/* SPDX-License-Identifier: MIT */
/*
 * models/network/migration/: live migration of a VM's memory (and, for
 * WAN migration, its local disk) over the flow network. Stop-and-copy,
 * push, iterative pre-copy (Clark et al. NSDI 2005; Xen legacy and v2,
 * QEMU switchover rules), post-copy (Hines & Gopalan VEE 2009: demand
 * faults plus active push) and hybrid (pre-copy, then post-copy), with
 * statistical dirtying in expected page counts or page-exact (a dirty log
 * fed by a page-write generator). A local disk is pre-copied first with
 * block dirty tracking and write throttling (Bradford et al. VEE 2007).
 * Every transfer is a real net flow, so migrations share links with all
 * other traffic.
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
 * RATE_TO_BTU ([XenLegacy]; docs/references.md).
 * ------------------------------------------------------------------------ */

typedef enum mig_scheme {
	MIG_SCHEME_STOP_AND_COPY, /* "stop-and-copy": pause, send all, resume */
	MIG_SCHEME_PRECOPY,       /* "precopy": live rounds, then stop-and-copy */
	/* "push": [Clark05] §3's push phase on its own: one live pass over all
	 * pages, then the pages it dirtied are re-sent while paused (pre-copy
	 * with exactly one live round; skip and max_rate apply). */
	MIG_SCHEME_PUSH,
	/* "postcopy": pause, send only the CPU/device state (state_size),
	 * resume at the destination, then pull: the source pushes the pages
	 * in address order in batches (active push) while every guest
	 * access to a page not yet there is a network fault; the faults of
	 * each batch's window are fetched by one net flow, sharing the
	 * links with the push and all other traffic, and each stalls the
	 * guest a round trip plus its page's transfer at the rate that flow
	 * got ([Hines09]). Each page crosses the network
	 * once. */
	MIG_SCHEME_POSTCOPY,
	/* "hybrid": pre-copy rounds under the policy; when it would stop,
	 * the pages still dirty are pulled post-copy instead of being sent
	 * while paused (QEMU's postcopy-after-precopy, [QEMU]). */
	MIG_SCHEME_HYBRID,
} mig_scheme;
#define MIG_SCHEME_COUNT 5

/* When pre-copy stops iterating (checked after each live round k, with r
 * the pages dirtied during round k, i.e. still to send):
 *   XEN     stop if k >= max_rounds, r < stop_pages or total pages sent >
 *           max_sent_factor·M ([XenLegacy]). Live rounds at max_rate.
 *   CLARK   as XEN, with Xen's 2005 adaptive rate ([XenLegacy], the
 *           save loop [Clark05] §5-6 ran): round 1 at start_rate; when
 *           the guest dirtied faster than a round sent, the next round
 *           runs at the observed dirty rate + rate_step, capped at
 *           max_rate (mig_rate_next_bps); and pre-copy stops after a
 *           round that ran at max_rate and sent more pages than the
 *           round before it (for round 1, than M): at the cap and not
 *           converging.
 *   QEMU    stop if r·P <= bandwidth · downtime_limit, the bandwidth being
 *           round k's bytes over its duration ([QEMU] migration.c), or
 *           k >= max_rounds. Live rounds at max_rate.
 *   XEN_V2  stop if k >= max_rounds; else if r < stop_pages, send those r
 *           pages in one more live round and then stop (xg_sr_save.c,
 *           §2.2). Live rounds at max_rate.
 * The final, paused round runs at final_rate, max_rate when that is 0. */
typedef enum mig_policy {
	MIG_POLICY_XEN,
	MIG_POLICY_CLARK,
	MIG_POLICY_QEMU,
	MIG_POLICY_XEN_V2,
} mig_policy;

/* The order in which a page-exact live round with skip examines its
 * to-send set, and when it peeks the dirty log:
 *   ASCENDING  pages in ascending order; a batch is the next
 *              MIG_SKIP_BATCH_PAGES pages of the to-send set, whether
 *              sent or skipped (the default: the presets and golden
 *              values are calibrated with it).
 *   XEN        Xen legacy's save loop ([XenLegacy]): pages in the order
 *              of mem_xen_scan_page; the log is peeked before each batch,
 *              and a batch closes when it holds MIG_SKIP_BATCH_PAGES pages
 *              to send (pages peeked dirty are passed over and do not
 *              count). */
typedef enum mig_scan {
	MIG_SCAN_ASCENDING,
	MIG_SCAN_XEN,
} mig_scan;

/* A migration's knobs, as the section "migrations[]" fills them (enums
 * are stored as int, the index in their choices). */
typedef struct mig_params {
	int scheme;                /* mig_scheme */
	int policy;                /* mig_policy */
	uint64_t start_rate_bps;   /* CLARK: rate of round 1 */
	uint64_t rate_step_bps;    /* CLARK: added to the observed dirty rate */
	uint64_t max_rate_bps;     /* cap of the migration's flows */
	uint64_t final_rate_bps;   /* the paused round's cap instead; 0: none */
	uint64_t max_rounds;       /* live rounds at most */
	double max_sent_factor;    /* XEN, CLARK: stop past this many × M */
	uint64_t stop_pages;       /* stop when fewer remain */
	uint64_t downtime_limit_ns;/* QEMU: switchover target */
	/* Xen legacy skip of pages dirtied again; false is KVM/QEMU's
	 * resend (a page written before it is sent goes in this round and
	 * again in the next, [QEMU]). */
	bool skip;
	int scan;                  /* mig_scan: the skip's page order */
	uint64_t log_fault_ns;     /* a dirty-logging write fault's cost */
	uint64_t state_bytes;      /* CPU and device state, sent paused */
	uint64_t pull_batch_pages; /* post-copy: pages per active-push flow */
	bool prepaging;            /* post-copy: push restarts at a fault */
	uint64_t disk_max_rounds;  /* disk pre-copy rounds at most (>= 1) */
	uint64_t disk_write_limit_bps; /* guest disk writes throttled to this
					* rate while migrating; 0: none */
	uint64_t redirect_ns;      /* IP tunnel from the source after resume
				    * until the new address is announced */
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
 * simple_precopy_policy, [XenV2]); XEN sets max_rounds 29, max_sent_factor 3,
 * stop_pages 50 (DEF_MAX_ITERS, DEF_MAX_FACTOR, [XenLegacy]); CLARK as XEN with
 * start_rate 100 and max_rate 500 Mibit/s ([Clark05] §5); QEMU sets downtime_limit
 * 300 ms ([QEMU]) and skip false. Other fields are left alone. */
void mig_params_preset(mig_params *p, mig_policy policy);

/* CLARK's rate rule: the rate of the round after one that ran at
 * current_bps while the guest dirtied dirty_bps (pages dirtied · P · 8 /
 * duration): current_bps if dirty_bps <= current_bps, otherwise
 * dirty_bps + rate_step_bps, and max_rate_bps if that is above it, in
 * which case *capped is set (otherwise cleared). Saturating. capped may
 * be NULL. */
uint64_t mig_rate_next_bps(const mig_params *p, uint64_t current_bps,
			   uint64_t dirty_bps, bool *capped);

/* ------------------------------------------------------------------------
 * How the guest dirties memory during live rounds, in expected counts.
 * ------------------------------------------------------------------------ */

typedef enum mig_dirty_kind {
	MIG_DIRTY_NONE,    /* an idle guest */
	/* Every write dirties a clean page of the working set at
	 * uniform_bytes_per_s until the whole working set is dirty: a window
	 * of T dirties min(W, D·T/P) pages, W = uniform_ws_pages ([Liu11]'s
	 * assumption with W = M; SimGrid's model with W its working set,
	 * [Hirofuchi13]). The working set is pages [0, W). Skip does not
	 * apply. */
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
 * ([XenLegacy]). Post-copy (MIG_SCHEME_POSTCOPY, HYBRID) with any kind
 * takes the same writes as the guest's accesses at the destination: an
 * access to a page not yet there faults (reads are not modelled, so
 * faults are a lower bound for read-heavy guests). The push goes in
 * address order. Statistically, the pages of a hot/cold class are
 * accessed as independent Poisson processes of rate (class writes/s) /
 * (class pages), a uniform guest writes working-set pages it has not
 * written since resume, and the push meets the hot set (or working set)
 * where it lies (mem_hotcold.hot_offset; the working set at page 0);
 * page-exact, the generator's writes are tested against a bitmap of
 * absent pages window by window (a window is one push batch; the batch in
 * flight counts as arrived). */
#define MIG_SKIP_BATCH_PAGES UINT64_C(1024)

typedef struct mig_dirty {
	mig_dirty_kind kind;
	double uniform_bytes_per_s; /* MIG_DIRTY_UNIFORM: D >= 0 */
	uint64_t uniform_ws_pages;  /* MIG_DIRTY_UNIFORM: W <= M; 0 is M */
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

/* What a round moved. */
typedef enum mig_phase {
	MIG_PHASE_DISK,    /* a live round of the disk pre-copy */
	MIG_PHASE_LIVE,    /* a live memory round (plus disk blocks dirtied
			    * since the last round, forwarded) */
	MIG_PHASE_PAUSED,  /* the stop-and-copy round: remaining memory,
			    * remaining disk blocks and the state */
	MIG_PHASE_PULL,    /* post-copy after resume, as one record: active
			    * push batches plus demand faults */
} mig_phase;

typedef struct mig_round_result {
	uint64_t tag;             /* the request's tag */
	uint32_t index;           /* 1-based over all phases, in order */
	mig_phase phase;
	bool paused;              /* phase == MIG_PHASE_PAUSED */
	uint64_t start_ns, duration_ns; /* flow start to its completion */
	uint64_t cap_bps;         /* the round flow's cap */
	uint64_t rate_bps;        /* achieved: bits sent · 1e9 / duration */
	uint64_t bytes;           /* all the round's bytes (pages, blocks,
				   * state); faulted pages for PULL */
	uint64_t pages_sent;      /* memory pages (DISK: blocks); PULL:
				   * pushed, faulted ones excluded */
	uint64_t pages_dirtied;   /* expected, rounded; 0 for a paused round */
	uint64_t pages_skipped;   /* expected, rounded */
	uint64_t faults;          /* PULL: network faults (pages fetched) */
} mig_round_result;

typedef struct mig_result {
	uint64_t tag;
	mig_scheme scheme;
	mig_policy policy;
	uint64_t start_ns;           /* requested */
	uint64_t stop_ns;            /* the VM paused */
	uint64_t resume_ns;          /* the VM resumed at the destination */
	uint64_t end_ns;             /* the last byte arrived (post-copy: the
				      * last page; else resume_ns) */
	uint64_t total_ns;           /* end - start */
	uint64_t downtime_ns;        /* resume - stop */
	uint64_t residual_ns;        /* after resume the VM still depends on
				      * the source: max(end, resume +
				      * redirect) - resume */
	uint64_t bytes;              /* memory + disk + state bytes */
	uint64_t memory_bytes;       /* pages_sent · page size */
	uint64_t disk_bytes;         /* blocks_sent · block size */
	uint64_t state_bytes;
	uint64_t pages_sent;         /* each page once per send; post-copy:
				      * pushed + faulted = M */
	uint64_t blocks_sent;
	uint32_t rounds;             /* live memory rounds (0 for
				      * stop-and-copy and post-copy) */
	uint32_t disk_rounds;
	uint64_t disk_ns;            /* the disk pre-copy phase */
	uint64_t faults;             /* post-copy network faults */
	/* Guest time stalled on them: per window's fetch flow of F pages that
	 * took d ns on a path of latency L, F·2L + (d − L). Summed over
	 * fetches, which may overlap when a guest faults faster than the
	 * path serves it: then it can exceed the pull's length. */
	uint64_t stall_ns;
	/* Dirty logging's cost to the guest during live memory rounds: one
	 * write fault per first write to a page in a round (expected
	 * statistically), log_fault_ns each. Reported only: the guest's
	 * write rates are not slowed by it. */
	uint64_t log_faults;
	uint64_t log_stall_ns;
} mig_result;

typedef struct mig_callbacks {
	/* Each may be NULL; called from inside the engine's handlers; they
	 * must not destroy the engine. ctx is borrowed. */
	void (*on_round)(void *ctx, const mig_round_result *r);
	void (*on_done)(void *ctx, const mig_result *r);
	/* The VM resumed at the destination (before on_done; for post-copy
	 * and hybrid the pull phase follows, so on_done comes later). */
	void (*on_resume)(void *ctx, uint64_t tag);
	void *ctx;
} mig_callbacks;

/* ------------------------------------------------------------------------
 * The migration model.
 * ------------------------------------------------------------------------ */

typedef struct mig mig;

/* A local disk migrated with the VM (WAN migration, Bradford et al.): its
 * blocks are pre-copied before memory, in rounds of the blocks written
 * during the previous one (block dirty tracking), at most disk_max_rounds
 * of them, stopping early when fewer than stop_pages remain. Blocks
 * written later are forwarded with each memory round, and the last ones
 * in the paused round. While migrating the guest's disk writes are
 * throttled to disk_write_limit_bps: the write process runs at
 * min(1, limit / (8 · write_bytes_per_s)) of its speed. */
typedef struct mig_disk {
	uint64_t blocks;            /* 0: no local disk (shared storage) */
	uint64_t block_size_bytes;  /* >= 1 when blocks > 0 */
	/* The guest's block writes, as for memory with blocks for pages
	 * (hotcold.pages == blocks; a pagegen over the blocks). */
	mig_dirty dirty;
	/* Nominal write rate in bytes/s, for the throttle; for
	 * MIG_DIRTY_UNIFORM and HOTCOLD it is derived and this is ignored. */
	double write_bytes_per_s;
} mig_disk;

typedef struct mig_request {
	uint64_t tag;            /* echoed in results */
	uint32_t src, dst;       /* node ids of the net */
	uint64_t pages;          /* M >= 1 */
	uint64_t page_size_bytes;/* P >= 1 */
	mig_params params;       /* copied */
	mig_dirty dirty;         /* copied */
	mig_disk disk;           /* copied; zeroed: no disk */
} mig_request;

/* Adds a migration model to n's engine and returns it. n is borrowed and
 * must outlive it; cb is copied (cb may be NULL). Like the net, the model
 * is engine state, freed by sim_engine_destroy. */
mig *mig_create(net *n, const mig_callbacks *cb);

/* Starts a migration now: reservation, the disk pre-copy if there is a
 * disk, then the memory phases of its scheme and policy as net flows from
 * src to dst, commitment and activation (resume), and for post-copy and
 * hybrid the pull phase. Results go to the callbacks. Returns 0, or
 * SIM_EINPUT for src == dst, M or P of 0, M·P (or the disk's size) over
 * NET_FLOW_MAX_BYTES, a rate of 0, a pull batch of 0, disk_max_rounds of
 * 0, a scheme or policy out of range, or a dirty model that does not fit
 * (negative or non-finite rate, hot/cold pages != M (blocks for the
 * disk), an invalid hot/cold model or a NULL pagegen; a pagegen made for
 * another page count is not detected), an unknown node, or SIM_ENOENT if
 * dst cannot be reached from src. Cost: two route queries and one
 * scheduled event; each round then costs one flow start (two with skip)
 * and, page-exact, O(M/64 + writes drawn); a pull phase one flow per
 * pull_batch_pages and one per batch window with faults. Every flow's
 * completion and the migration's end are checked against the path's
 * narrowest link (bytes·8·1e9 <= capacity·time taken; a breach is a
 * sim_panic). Memory: a small record per migration started, kept
 * until the engine is destroyed, and while a page-exact migration runs, a
 * dirty log and a bitmap of M bits each (and of the disk's blocks). */
int mig_migration_start(mig *m, const mig_request *req);

/* Migrations started and not yet done. */
size_t mig_active_count(const mig *m);

#endif /* VDCSIM_MIG_H */
