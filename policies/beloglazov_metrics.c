/* SPDX-License-Identifier: MIT */
/*
 * The statistics behind [BeloglazovBuyya12]'s detectors (median, MAD,
 * IQR, tricube-weighted local regression), the linear and table power
 * models, and the paper's SLA metrics (SLATAH, PDM, SLAV) over recorded
 * series.
 */
#include "pol_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double pol_median(const double *x, size_t n, double *scratch)
{
	memcpy(scratch, x, n * sizeof *x);
	qsort(scratch, n, sizeof *scratch, cmp_double);
	return n % 2 ? scratch[n / 2]
		     : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

double pol_mad(const double *x, size_t n, double *scratch)
{
	double m = pol_median(x, n, scratch);
	double *dev = scratch + n;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(x[i] - m);
	return pol_median(dev, n, scratch);
}

static size_t quartile_index(double q, size_t n)
{
	double r = floor(q * (double)(n + 1) + 0.5) - 1;
	if (r < 0)
		return 0;
	return (size_t)r >= n ? n - 1 : (size_t)r;
}

double pol_iqr(const double *x, size_t n, double *scratch)
{
	memcpy(scratch, x, n * sizeof *x);
	qsort(scratch, n, sizeof *scratch, cmp_double);
	return scratch[quartile_index(0.75, n)] -
	       scratch[quartile_index(0.25, n)];
}

void pol_loess_fit(const double *y, size_t n, double *a, double *b)
{
	double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++) {
		double x = (double)(i + 1);
		double u = ((double)n - x) / (double)(n - 1);
		double t = 1 - u * u * u;
		double w = t * t * t;
		sw += w;
		sx += w * x;
		sy += w * y[i];
		sxx += w * x * x;
		sxy += w * x * y[i];
	}
	double den = sw * sxx - sx * sx;
	*b = den != 0 ? (sw * sxy - sx * sy) / den : 0;
	*a = sw != 0 ? (sy - *b * sx) / sw : 0;
}

double pol_power_linear(double idle_w, double peak_w, double u)
{
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	return idle_w + (peak_w - idle_w) * u;
}

double pol_power_table(const double *table_w, double u)
{
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	double x = u * (POL_POWER_POINTS - 1);
	size_t i = (size_t)x;
	if (i >= POL_POWER_POINTS - 1)
		return table_w[POL_POWER_POINTS - 1];
	return table_w[i] + (table_w[i + 1] - table_w[i]) * (x - (double)i);
}

double pol_host_power(const pol_host_view *h, double u)
{
	return h->power_table_w ? pol_power_table(h->power_table_w, u)
				: pol_power_linear(h->power_idle_w,
						   h->power_peak_w, u);
}

/* Adds one host's share to SLATAH's mean (hosts never active are left
 * out). */
static void slatah_add(double *sum, size_t *hosts, uint64_t on, uint64_t full)
{
	if (on) {
		*sum += (double)full / (double)on;
		(*hosts)++;
	}
}

double pol_slatah(const double *util, const uint8_t *active, size_t nhosts,
		  size_t nsteps)
{
	double sum = 0;
	size_t hosts = 0;
	for (size_t h = 0; h < nhosts; h++) {
		uint64_t on = 0, full = 0;
		for (size_t t = 0; t < nsteps; t++) {
			if (!active[h * nsteps + t])
				continue;
			on++;
			full += util[h * nsteps + t] >= 1;
		}
		slatah_add(&sum, &hosts, on, full);
	}
	return hosts ? sum / (double)hosts : 0;
}

double pol_slatah_counts(const uint64_t *active, const uint64_t *full,
			 size_t nhosts)
{
	double sum = 0;
	size_t hosts = 0;
	for (size_t h = 0; h < nhosts; h++)
		slatah_add(&sum, &hosts, active[h], full[h]);
	return hosts ? sum / (double)hosts : 0;
}

double pol_pdm(const double *degraded, const double *requested,
	       size_t nvms)
{
	double sum = 0;
	size_t m = 0;
	for (size_t j = 0; j < nvms; j++)
		if (requested[j] > 0) {
			sum += degraded[j] / requested[j];
			m++;
		}
	return m ? sum / (double)m : 0;
}

double pol_slav(double slatah, double pdm)
{
	return slatah * pdm;
}

double pol_migration_loss(double cpu, double seconds)
{
	return 0.1 * cpu * seconds;
}

double pol_migration_degradation(double mem_bytes, double bw_bps,
				 double mean_cpu)
{
	if (bw_bps <= 0)
		return 0;
	return pol_migration_loss(mean_cpu, mem_bytes * 8 / bw_bps);
}
