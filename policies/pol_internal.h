/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of policies/: the policy kinds, their ops tables,
 * the history rings every policy keeps, and the shared Sandpiper pieces
 * split across sandpiper.c (profiles, detection, provisioning) and
 * sandpiper_mitigate.c (migration and swap phases).
 */
#ifndef VDCSIM_POL_INTERNAL_H
#define VDCSIM_POL_INTERNAL_H

#include "pol.h"

/* The policies, in the order of the "policy.name" enum. */
enum pol_kind {
	POL_KIND_NONE,
	POL_KIND_SANDPIPER,
	POL_KIND_THRESHOLD,
	POL_KIND_RANDOM,
	POL_KIND_BB_THR,
	POL_KIND_BB_MAD,
	POL_KIND_BB_IQR,
	POL_KIND_BB_LR,
	POL_KIND_COUNT
};

extern const pol_ops pol_none_ops, pol_sandpiper_ops, pol_threshold_ops,
	pol_random_ops, pol_bb_thr_ops, pol_bb_mad_ops, pol_bb_iqr_ops,
	pol_bb_lr_ops;

/* ---- history rings ------------------------------------------------------ */

/* The last `cap` samples of one series; storage owned by whoever holds
 * the ring (a slice of a larger array). */
typedef struct pol_ring {
	double *v;
	uint32_t head; /* next slot written */
	uint32_t len;  /* samples held, <= cap */
	uint32_t cap;
} pol_ring;

/* Appends x, dropping the oldest sample when full. O(1). */
void pol_ring_push(pol_ring *r, double x);
/* Copies the last min(m, len) samples, oldest first, into out; returns
 * how many. O(m). */
size_t pol_ring_last(const pol_ring *r, size_t m, double *out);
/* The newest sample (0 when empty). */
double pol_ring_newest(const pol_ring *r);

/* ---- Sandpiper ---------------------------------------------------------- */

/* Series of many items that all take one sample per interval, so one
 * head serves them all: the window is a matrix of `cap` rows of `nitems`
 * (row-major), and one interval's samples are one contiguous row. */
/* Per VM, together so that one interval touches one line of it: the
 * peaks of CPU and network (what provisioning reads) and, on the fast
 * path, their cached percentiles, forecasts and runs of equal samples. */
typedef struct sp_vm_cache {
	double peak[2], pct[2], fc[2];
	uint32_t run[2];
} sp_vm_cache;

typedef struct sp_series {
	double *v;      /* v[row * nitems + item], owned */
	size_t nitems;
	uint32_t head;  /* the row the next interval writes */
	uint32_t len;   /* rows held, <= cap */
	uint32_t cap;
} sp_series;

/* What the Sandpiper family varies: the forecast gate (off for the
 * threshold-only baseline) and how destinations are picked. */
typedef enum sp_variant { SP_SANDPIPER, SP_THRESHOLD, SP_RANDOM } sp_variant;

#define SP_GROW 1u      /* a resize candidate */
#define SP_MIGRATING 2u /* in flight this interval */

typedef struct sp_state {
	pol_params p;
	sp_variant variant;
	size_t nhosts, nvms;
	/* Histories, W samples each: host CPU and net utilisation, host
	 * memory pressure (1/0), host SLA violations (1/0); VM CPU cores,
	 * net bit/s, arrival rate. */
	double *store;
	pol_ring *host_util[2], *host_swap, *host_sla;
	sp_series vm_use[2], vm_rate; /* every VM, in lockstep */
	/* Black-box peaks (percentile over W, AR(1) over n; the larger):
	 * CPU and network per VM, filled by sp_observe (fast path) or by
	 * sp_decide (naive path). */
	struct sp_vm_cache *vc;
	/* Fast path (sandpiper_index.h): each VM series' window in
	 * ascending order (W doubles a VM; grey-box also the rates), its
	 * cached percentile and forecast, and the run of equal samples it
	 * ends with (capped at W + 1). */
	double *sorted_use[2], *sorted_rate;
	uint32_t *vm_host;        /* fast path: each VM's host this interval */
	/* Decide by the naive computations (sorts of every window, scans
	 * of every host) instead of the indexes: the reference the tests
	 * compare the fast path with. Set before the first observe. */
	bool naive;
	uint64_t *moved_at_ns;  /* per VM: when last moved, or UINT64_MAX */
	/* Scratch reused each interval. */
	double *need;           /* nvms * POL_NRES estimated needs */
	double *load;           /* nhosts * POL_NRES projected loads */
	uint32_t *order, *order2; /* 2 (hosts + VMs) each */
	uint32_t *pick;           /* random variant: hosts that fit */
	uint32_t *first_vm, *next_vm; /* VMs of each host, a linked list */
	uint32_t *last_vm;        /* fast path: each list's tail */
	uint8_t *grow;            /* fast path: SP_GROW | SP_MIGRATING */
	double *key, *key2;
	double *tmp, *tmp2;
	uint8_t *busy;          /* per VM: already given an action */
	uint8_t *hot;           /* per host: detected this interval */
	gsl_rng *rng;           /* the random baseline's stream */
} sp_state;

int sp_create(sp_state *s, const pol_params *p, size_t nhosts, size_t nvms,
	      sp_variant variant, sim_diag *d);
void sp_destroy(sp_state *s);
void sp_observe(sp_state *s, const pol_view *v);
/* Detection, provisioning, resizes, then mitigation. */
void sp_decide(sp_state *s, const pol_view *v, pol_out *out);

/* sandpiper_mitigate.c: the migration phase then the swap phase over the
 * hosts flagged hot, with s->need and s->load filled. */
void sp_mitigate(sp_state *s, const pol_view *v, pol_out *out);
/* Volume of host h's projected load in s->load. */
double sp_host_volume(const sp_state *s, const pol_view *v, uint32_t h);
/* True if host h's projected load exceeds a limit (CPU or net above T,
 * memory above mem_threshold). */
bool sp_host_over(const sp_state *s, const pol_view *v, uint32_t h);
/* True if VM i may be given an action now (not in flight, not already
 * given one, out of its hold-down). */
bool sp_vm_movable(const sp_state *s, const pol_view *v, uint32_t i);


#endif
