/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the tests of models/memory/ (test_mem.c,
 * test_mem_hotcold.c, test_mem_wws.c): page traces made by hand, and
 * Clark's setting of the migration oracles. Header-only: each test
 * program includes it once.
 */
#ifndef TEST_MEM_UTIL_H
#define TEST_MEM_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* ------------------------------------------------------------------------
 * Hand-made traces
 * ------------------------------------------------------------------------ */

static inline int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* A trace with room for max_samples samples listing max_pages pages in
 * all: exact allocation keeps the long traces below cheap to build. */
static inline trace_pages *trace_new(uint64_t pages, uint64_t page_size,
			      uint64_t interval_ns, size_t max_samples,
			      size_t max_pages)
{
	trace_pages *t = calloc(1, sizeof *t);
	t->pages = pages;
	t->page_size = page_size;
	t->interval_ns = interval_ns;
	t->time_ns = calloc(max_samples, sizeof *t->time_ns);
	t->first = calloc(max_samples + 1, sizeof *t->first);
	t->page = calloc(max_pages ? max_pages : 1, sizeof *t->page);
	return t;
}

/* Appends a sample, sorting and merging its pages as the format says.
 * The caller stays within the room asked of trace_new. */
static inline void trace_add(trace_pages *t, uint64_t time_ns, const uint32_t *pages,
		      size_t n)
{
	size_t i = t->nsamples++, base = t->first[i];
	memcpy(t->page + base, pages, n * sizeof *pages);
	qsort(t->page + base, n, sizeof *pages, cmp_u32);
	size_t k = 0;
	for (size_t j = 0; j < n; j++)
		if (k == 0 || t->page[base + j] != t->page[base + k - 1])
			t->page[base + k++] = t->page[base + j];
	t->time_ns[i] = time_ns;
	t->first[i + 1] = base + k;
}

static inline void trace_free(trace_pages *t)
{
	free(t->time_ns);
	free(t->first);
	free(t->page);
	free(t);
}

/* Clark's setting (migration oracles 1 and 9): 512 MiB of 4 KiB pages. */
#define CLARK_PAGES (UINT64_C(512) << 20 >> 12)
#define MIBIT(x) ((uint64_t)(x) << 20)

#endif
