/* SPDX-License-Identifier: MIT */
/*
 * traces/: trace formats of vdcsim: read (with FILE:LINE:COL errors),
 * validate and write. Today: page-dirty traces, the input of Clark et al.'s
 * writable-working-set analysis and of trace-driven memory dirtying.
 * Utilisation traces (CPU, memory, network per VM) come with the Sandpiper
 * policies.
 */
#ifndef VDCSIM_TRACE_H
#define VDCSIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/*
 * Page-dirty trace, text format version 1 (documented in
 * traces/page-dirty-format.md):
 *
 *   # vdcsim page-dirty trace v1        <- first line, exactly
 *   pages 131072                        <- guest pages (1 .. 2^32)
 *   page_size 4096                      <- bytes per page (power of two)
 *   interval 50ms                       <- nominal sample period (a time)
 *   # comment lines and blank lines are allowed anywhere after line 1
 *   50000000 17 18 100-163 9000         <- a sample: time in ns, then pages
 *   100000000                           <- a sample with nothing dirtied
 *
 * A sample lists the pages written in (previous sample time, its time];
 * times strictly increase and start after 0; pages are decimal indices
 * < pages or inclusive ranges a-b (a <= b), in any order, duplicates
 * allowed (they are merged). The trace covers (0, last sample time].
 */
typedef struct trace_pages {
	uint64_t pages;        /* guest pages */
	uint64_t page_size;    /* bytes */
	uint64_t interval_ns;  /* nominal sample period */
	size_t nsamples;
	uint64_t *time_ns;     /* [nsamples], strictly increasing */
	size_t *first;         /* [nsamples + 1]: sample i's pages are
				  page[first[i] .. first[i+1]) */
	uint32_t *page;        /* sorted, distinct within a sample */
} trace_pages;

/* Reads a page-dirty trace from text (len bytes) named `file` in messages.
 * On error returns SIM_EINPUT with "file:line:col: what is wrong (expected
 * ...)" in d and *out NULL. Never crashes on any input. O(len + P log P)
 * for P listed pages. */
int trace_pages_parse(const char *file, const char *text, size_t len,
		      trace_pages **out, sim_diag *d);
/* Reads the file at path and parses it (I/O errors as "path: message"). */
int trace_pages_load(const char *path, trace_pages **out, sim_diag *d);
/* Writes t in format v1 (ranges for runs of 3 or more consecutive pages)
 * to path through sim_file with flags (SIM_FILE_REPLACE to replace an
 * existing regular file): a fresh temporary, synced, renamed; a link,
 * device or FIFO at path is refused (SIM_EINPUT) and left as it was.
 * Deterministic bytes. */
int trace_pages_save_as(const trace_pages *t, const char *path,
			unsigned flags, sim_diag *d);
/* trace_pages_save_as with SIM_FILE_REPLACE. */
int trace_pages_save(const trace_pages *t, const char *path, sim_diag *d);
/* Frees a trace; NULL is a no-op. */
void trace_pages_destroy(trace_pages *t);

/* Builds a trace sample by sample (for generators and tests). Creating one
 * panics on pages outside 1..2^32, a page_size that is not a power of two
 * from 512 to 2^30, or interval_ns outside 1..2^63-1 (the durations a
 * config or trace can state; callers validate user input first).
 * The parser also refuses files over 1 GiB and traces of more than 2^28
 * listed pages (see traces/page-dirty-format.md). */
typedef struct trace_pages_builder trace_pages_builder;
trace_pages_builder *trace_pages_builder_create(uint64_t pages,
						uint64_t page_size,
						uint64_t interval_ns);
/* Appends a sample at time_ns (> the previous sample's) with n pages (each
 * < pages, any order, duplicates allowed). Panics on a broken invariant. */
void trace_pages_builder_add(trace_pages_builder *b, uint64_t time_ns,
			     const uint32_t *pages, size_t n);
/* Returns the finished trace and frees the builder. */
trace_pages *trace_pages_builder_finish(trace_pages_builder *b);

#endif /* VDCSIM_TRACE_H */
