/* SPDX-License-Identifier: MIT */
/*
 * The migration model's private state, shared by mig.c (rounds of the
 * disk and memory pre-copy, policies, stages, the path bound),
 * mig_params.c (the knobs), mig_space.c (what a round sends and what the
 * guest dirties) and mig_pull.c (the post-copy pull phase). Not
 * installed; only this folder includes it.
 */
#ifndef VDCSIM_MIG_INTERNAL_H
#define VDCSIM_MIG_INTERNAL_H

#include "mig.h"

#include <math.h>

__extension__ typedef unsigned __int128 u128;

/* A space iterated in rounds: the memory (pages) or the disk (blocks). */
typedef struct mig_space {
	uint64_t pages;          /* pages or blocks */
	uint64_t page_size;      /* bytes each */
	mig_dirty dirty;
	double scale;            /* the guest's writes run at this speed */
	mem_pageset to_send;     /* statistical: what the next round sends */
	mem_dirtylog *log;       /* page-exact; NULL otherwise */
	mem_bitmap send;         /* page-exact: what the next round sends */
	uint64_t origin_ns;      /* logging started (guest time origin) */
	uint64_t drawn_ns;       /* writes drawn up to this real time */
	uint64_t in_flight;      /* units the round in flight carries */
	uint64_t sent;           /* units sent so far */
} mig_space;

typedef enum mig_stage {
	MIG_STAGE_RESERVING,
	MIG_STAGE_ROUND,         /* a DISK, LIVE or PAUSED round in flight */
	MIG_STAGE_COMMITTING,
	MIG_STAGE_ACTIVATING,
	MIG_STAGE_PULL,
} mig_stage;

/* A demand-fetch flow in flight: the faults of one pull window. */
typedef struct mig_fetch {
	net_flow_id flow;
	uint64_t start_ns;
	uint64_t pages;
} mig_fetch;

/* Statistical pull: a run of pages in address order, all of one class
 * (the hot set, or working set, or the rest), with the expected number
 * of them still absent among those the push has not passed yet. */
typedef struct mig_segment {
	bool hot;
	double ahead;              /* pages not yet passed by the push */
	double absent;             /* expected absent pages among them */
} mig_segment;

typedef struct migration {
	struct mig *owner;
	uint32_t slot;
	mig_request req;
	mig_stage stage;
	mig_phase phase;           /* of the round in flight */
	uint64_t start_ns, stop_ns, resume_ns, disk_end_ns;
	uint32_t rounds;           /* rounds reported, all phases */
	uint32_t live_rounds;      /* finished live memory rounds */
	uint32_t disk_rounds;      /* finished disk rounds */
	bool last_live;            /* XEN_V2: this live round is the last */
	uint64_t last_sent;        /* CLARK: pages the last live round sent
				    * (M before round 1) */
	double unstopped;          /* CLARK, statistical: the chance that a
				    * page-exact run would still go on */
	mig_space mem, disk;
	bool has_disk;
	uint64_t log_faults;       /* dirty-logging write faults */
	uint64_t round_skipped;
	uint64_t round_start_ns;
	uint64_t round_cap_bps;
	uint64_t round_bytes;
	net_flow_id flow;
	/* The path's narrowest link and one-way latency: the bound every
	 * transfer is checked against, and a fault's round trip. */
	uint64_t path_bps, path_latency_ns;
	/* Pull phase (mig_pull.c). */
	uint64_t pull_pages;       /* absent at resume */
	uint64_t pushed, faults;
	uint64_t fetching;         /* faults whose fetch flow has started */
	uint64_t stall_ns;         /* guest stall of the completed fetches */
	bool pushing;              /* a push batch is in flight */
	mig_fetch *fetches;        /* fetch flows in flight; owned */
	size_t nfetches, fetch_cap;
	uint64_t window_ns;        /* the pull window's start */
	/* Statistical: expected counts over the segments of memory in
	 * address order (mig_pull.c). */
	double faults_x;           /* expected faults so far */
	mig_segment seg[3];
	size_t nseg;
	double untouched_x;        /* UNIFORM: working-set pages not yet
				    * written since resume */
	/* Page-exact. */
	mem_bitmap absent;         /* pages not yet there */
	bool has_absent;
	uint64_t cursor;           /* where the push goes on */
	uint64_t last_fault;       /* the latest fault's page */
	bool faulted;              /* a fault since the batch */
} migration;

struct mig {
	net *n;
	sim_engine *e;
	sim_model *model;
	mig_callbacks cb;
	migration **slots;         /* owned; NULL where a migration ended */
	size_t nslots, cap;
	size_t active;
};

/* An expected count rounded to whole pages (0 for anything not > 0). */
static inline uint64_t mig_pages_of(double expected)
{
	return expected > 0 ? (uint64_t)llround(expected) : 0;
}

static inline double mig_pageset_total(mem_pageset s)
{
	return s.hot_pages + s.cold_pages;
}

/* Expected pages of s, rounded to whole pages. */
static inline uint64_t mig_pageset_pages(mem_pageset s)
{
	return mig_pages_of(mig_pageset_total(s));
}

/* mig_space.c */
/* s over `pages` units of page_size bytes, dirtied by *dirty (copied)
 * with the guest's writes running at `scale` of their speed. */
void mig_space_init(mig_space *s, uint64_t pages, uint64_t page_size,
		    const mig_dirty *dirty, double scale);
/* Everything to send, as round 1 does; page-exact logging starts now if
 * `logs` (writes before round 1 do not matter: it sends every page). */
void mig_space_begin(mig_space *s, uint64_t now, bool logs);
/* Frees a page-exact space's log and bitmap; a no-op otherwise. */
void mig_space_fini(mig_space *s);
/* Units the next round of s carries. */
uint64_t mig_space_pending(const mig_space *s);
/* Draws space s's guest writes up to real time t_ns into fn. */
void mig_space_draw(mig_space *s, uint64_t t_ns, wl_writes_fn *fn, void *ctx);
/* Draws them into s's dirty log. */
void mig_space_draw_log(mig_space *s, uint64_t t_ns);
/* After a round of s that lasted duration_ns ending now: the pages
 * dirtied during it become the next round's set. Returns their count. */
uint64_t mig_space_round_end(mig_space *s, uint64_t now, uint64_t duration_ns);
/* The guest stops writing (pause): the log stops; the set stays. */
void mig_space_pause(mig_space *s);

/* The working set of a MIG_DIRTY_UNIFORM guest of `pages` pages. */
static inline uint64_t mig_dirty_ws_pages(const mig_dirty *d, uint64_t pages)
{
	return d->uniform_ws_pages && d->uniform_ws_pages < pages
		       ? d->uniform_ws_pages
		       : pages;
}

/* mig.c */
/* Starts g's next flow of `bytes` at g->round_cap_bps; its completion
 * calls mig_flow_done. */
void mig_start_flow(migration *g, uint64_t bytes);
/* The invariant of every transfer: flow `id` of g, completing now, moved
 * no more bits than the path's narrowest link carries in the time it
 * took (bytes·8·1e9 <= path_bps·(now − start)). A flow that broke it is
 * a sim_panic. Call from the flow's completion callback. */
void mig_flow_check(migration *g, net_flow_id id);
/* Ends g: reports it and frees it. */
void mig_finish(migration *g);

/* mig_pull.c */
/* Starts the pull phase at resume time with the pages still absent:
 * everything for post-copy, the memory's pending set for hybrid. */
void mig_pull_begin(migration *g);
/* A pull batch's flow completed. */
void mig_pull_batch_done(migration *g);

#endif /* VDCSIM_MIG_INTERNAL_H */
