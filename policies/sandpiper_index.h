/* SPDX-License-Identifier: MIT */
/*
 * Sandpiper's indexes (private to policies/): what makes the per-VM part
 * of a decision O(1) per interval instead of O(W log W) (the mitigation
 * search is unchanged). Series in lockstep share one head; sorted
 * windows keep each VM series' last W samples in ascending order beside
 * its window, so a percentile is one read. Every index returns
 * exactly what the naive computation returns (tests/policies/
 * test_sandpiper_fast.c compares them on random worlds).
 */
#ifndef VDCSIM_SANDPIPER_INDEX_H
#define VDCSIM_SANDPIPER_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pol_internal.h"

/* Initialises s for nitems items and windows of cap samples (cap >= 1);
 * sp_series_fini frees it. */
void sp_series_init(sp_series *s, size_t nitems, uint32_t cap);
void sp_series_fini(sp_series *s);
/* The row the current interval writes: set every item, then advance. */
static inline double *sp_series_row(sp_series *s)
{
	return s->v + (size_t)s->head * s->nitems;
}
/* The sample the current interval's push drops from item's window, valid
 * only when the window is full (len == cap). */
static inline double sp_series_oldest(const sp_series *s, size_t item)
{
	return s->v[(size_t)s->head * s->nitems + item];
}
/* The newest sample of item (valid when len > 0). */
static inline double sp_series_newest(const sp_series *s, size_t item)
{
	uint32_t r = s->head ? s->head - 1 : s->cap - 1;
	return s->v[(size_t)r * s->nitems + item];
}
/* Ends the interval: the row written becomes the newest. O(1). */
void sp_series_advance(sp_series *s);
/* Copies item's last min(m, len) samples, oldest first, into out; returns
 * how many. O(m). */
size_t sp_series_last(const sp_series *s, size_t item, size_t m,
		      double *out);

/* The sorted copy of a ring of capacity cap holding len samples: before
 * the ring takes x, call this with evict (the ring is full) and the
 * sample the push drops (old); sorted[0..len) stays ascending. The
 * samples are finite and never -0.0 (CPU, bit/s and rates are >= +0), so
 * equal values are the same bytes and any of them may be removed. A
 * missing `old` is a broken invariant (a panic). O(W) moves, O(log W)
 * compares. */
void sp_sorted_push(double *sorted, uint32_t len, bool evict, double old,
		    double x);

/* The nearest-rank percentile of the n ascending samples (what
 * pol_percentile returns for them in any order). n >= 1. O(1). */
double sp_sorted_percentile(const double *sorted, size_t n, double p);

#endif
