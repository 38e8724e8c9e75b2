/* SPDX-License-Identifier: MIT */
/*
 * Sandpiper's indexes (private to policies/): what makes a decision cost
 * O(VMs) per interval instead of O(VMs x W log W) plus O(hot x hosts).
 * Sorted windows keep each VM series' last W samples in ascending order
 * beside its ring, so a percentile is one read. Every index returns
 * exactly what the naive computation returns (tests/policies/
 * test_sandpiper_fast.c compares them on random worlds).
 */
#ifndef VDCSIM_SANDPIPER_INDEX_H
#define VDCSIM_SANDPIPER_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
