/* SPDX-License-Identifier: MIT */
/*
 * Estimators shared by the policies: the AR(1) forecast, k-of-n counts,
 * percentiles, Volume, Kingman's G/G/1 capacity, the LRU working set,
 * history rings and a deterministic sort of ids by key. Pure functions;
 * the formulas and their sources are in pol.h and policies/README.md.
 */
#include "pol_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double pol_ar1_forecast(const double *x, size_t n, bool clamp,
			double *phi_out)
{
	double mu = 0, var = 0, cov = 0;
	for (size_t i = 0; i < n; i++)
		mu += x[i];
	mu /= (double)n;
	for (size_t i = 0; i < n; i++)
		var += (x[i] - mu) * (x[i] - mu);
	for (size_t i = 0; i + 1 < n; i++)
		cov += (x[i] - mu) * (x[i + 1] - mu);
	/* A constant window has no autocorrelation to speak of: phi = 0
	 * predicts the mean, which is then every sample. */
	double phi = var > 0 ? cov / var : 0;
	if (clamp)
		phi = phi < 0 ? 0 : phi > 1 ? 1 : phi;
	if (phi_out)
		*phi_out = phi;
	return mu + phi * (x[n - 1] - mu);
}

size_t pol_count_above(const double *x, size_t n, double t)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += x[i] > t;
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double pol_percentile(const double *x, size_t n, double p, double *scratch)
{
	memcpy(scratch, x, n * sizeof *x);
	qsort(scratch, n, sizeof *scratch, cmp_double);
	if (p <= 0)
		return scratch[0];
	/* Rank ceil(p n), computed with a small tolerance so that 0.95 * 20
	 * is 19, not 20 through rounding. */
	double r = ceil(p * (double)n - 1e-9);
	size_t k = r < 1 ? 1 : (size_t)r;
	return scratch[(k > n ? n : k) - 1];
}

double pol_volume(double cpu, double net, double mem, double umax)
{
	double u[3] = {cpu, net, mem}, v = 1;
	for (int i = 0; i < 3; i++) {
		double x = u[i] < 0 ? 0 : u[i] > umax ? umax : u[i];
		v /= 1 - x;
	}
	return v;
}

double pol_kingman_lambda_cap(double d, double s, double va, double vb)
{
	if (!(d > s) || s < 0)
		return 0;
	return 1 / (s + (va + vb) / (2 * (d - s)));
}

double pol_working_set(const uint64_t *hist, size_t buckets,
		       uint64_t bucket_bytes, uint64_t beyond,
		       double miss_ratio)
{
	double total = (double)beyond;
	for (size_t i = 0; i < buckets; i++)
		total += (double)hist[i];
	if (total <= 0)
		return 0;
	/* misses(j) = accesses deeper than j buckets = total minus the hits
	 * of buckets 0..j-1. */
	double misses = total;
	for (size_t j = 0; j <= buckets; j++) {
		if (misses <= miss_ratio * total)
			return (double)j * (double)bucket_bytes;
		if (j < buckets)
			misses -= (double)hist[j];
	}
	return (double)(buckets + 1) * (double)bucket_bytes;
}

/* ---- rings -------------------------------------------------------------- */

void pol_ring_push(pol_ring *r, double x)
{
	r->v[r->head] = x;
	r->head = r->head + 1 == r->cap ? 0 : r->head + 1;
	if (r->len < r->cap)
		r->len++;
}

size_t pol_ring_last(const pol_ring *r, size_t m, double *out)
{
	size_t k = m < r->len ? m : r->len;
	size_t start = (r->head + r->cap - k) % r->cap;
	/* At most two runs: up to the end of the storage, then from 0. */
	size_t first = r->cap - start < k ? r->cap - start : k;
	memcpy(out, r->v + start, first * sizeof *out);
	memcpy(out + first, r->v, (k - first) * sizeof *out);
	return k;
}

double pol_ring_newest(const pol_ring *r)
{
	return r->len ? r->v[(r->head + r->cap - 1) % r->cap] : 0;
}

/* ---- sorting ids -------------------------------------------------------- */

static bool before(uint32_t a, uint32_t b, const double *key, bool desc)
{
	if (key[a] != key[b])
		return desc ? key[a] > key[b] : key[a] < key[b];
	return a < b;
}

void pol_sort_ids(uint32_t *idx, size_t n, const double *key, bool desc,
		  uint32_t *tmp)
{
	/* Bottom-up merge sort: the order is total (ties by id), so the
	 * result does not depend on the input order. */
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi)
				tmp[o++] = before(idx[j], idx[i], key, desc)
						   ? idx[j++]
						   : idx[i++];
			while (i < mid)
				tmp[o++] = idx[i++];
			while (j < hi)
				tmp[o++] = idx[j++];
		}
		memcpy(idx, tmp, n * sizeof *idx);
	}
}
