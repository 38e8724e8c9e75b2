/* SPDX-License-Identifier: MIT */
/*
 * Sandpiper's indexes: sorted windows for the profile percentiles. Pure
 * array code; the contracts and the reason for each index are in
 * sandpiper_index.h, the equality with the naive path is tested.
 */
#include "sandpiper_index.h"

#include <math.h>
#include <string.h>

#include "sim.h"

/* The first index whose value is >= x (lo) or > x (!lo). */
static uint32_t bound(const double *a, uint32_t n, double x, bool lo)
{
	uint32_t l = 0, h = n;
	while (l < h) {
		uint32_t m = l + (h - l) / 2;
		if (lo ? a[m] < x : a[m] <= x)
			l = m + 1;
		else
			h = m;
	}
	return l;
}

void sp_sorted_push(double *sorted, uint32_t len, bool evict, double old,
		    double x)
{
	if (evict) {
		uint32_t i = bound(sorted, len, old, true);
		if (i >= len || sorted[i] != old)
			sim_panic("sandpiper: a sorted window lost a sample");
		memmove(sorted + i, sorted + i + 1,
			(len - i - 1) * sizeof *sorted);
		len--;
	}
	uint32_t j = bound(sorted, len, x, false);
	memmove(sorted + j + 1, sorted + j, (len - j) * sizeof *sorted);
	sorted[j] = x;
}

double sp_sorted_percentile(const double *sorted, size_t n, double p)
{
	if (p <= 0)
		return sorted[0];
	/* As pol_percentile: rank ceil(p n) with a small tolerance. */
	double r = ceil(p * (double)n - 1e-9);
	size_t k = r < 1 ? 1 : (size_t)r;
	return sorted[(k > n ? n : k) - 1];
}
