/* SPDX-License-Identifier: MIT */
/*
 * Sandpiper's indexes: sorted windows for the profile percentiles. Pure
 * array code; the contracts and the reason for each index are in
 * sandpiper_index.h, the equality with the naive path is tested.
 */
#include "sandpiper_index.h"

#include <math.h>
#include <string.h>

#include <stdlib.h>

#include "sim.h"

void sp_series_init(sp_series *s, size_t nitems, uint32_t cap)
{
	*s = (sp_series){.nitems = nitems, .cap = cap};
	s->v = sim_xcalloc(nitems * cap + 1, sizeof *s->v);
}

void sp_series_fini(sp_series *s)
{
	free(s->v);
	s->v = NULL;
}

void sp_series_advance(sp_series *s)
{
	s->head = s->head + 1 == s->cap ? 0 : s->head + 1;
	if (s->len < s->cap)
		s->len++;
}

size_t sp_series_last(const sp_series *s, size_t item, size_t m,
		      double *out)
{
	size_t k = m < s->len ? m : s->len;
	size_t row = (s->head + s->cap - k) % s->cap;
	for (size_t i = 0; i < k; i++) {
		out[i] = s->v[row * s->nitems + item];
		row = row + 1 == s->cap ? 0 : row + 1;
	}
	return k;
}

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
	if (!evict) {
		uint32_t j = bound(sorted, len, x, false);
		memmove(sorted + j + 1, sorted + j,
			(len - j) * sizeof *sorted);
		sorted[j] = x;
		return;
	}
	uint32_t i = bound(sorted, len, old, true);
	if (i >= len || sorted[i] != old)
		sim_panic("sandpiper: a sorted window lost a sample");
	/* Replace old by x in place: shift only the samples between the
	 * slot freed and the slot x takes (one move instead of two). */
	if (x >= old) {
		while (i + 1 < len && sorted[i + 1] < x) {
			sorted[i] = sorted[i + 1];
			i++;
		}
	} else {
		while (i > 0 && sorted[i - 1] > x) {
			sorted[i] = sorted[i - 1];
			i--;
		}
	}
	sorted[i] = x;
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
