/* SPDX-License-Identifier: MIT */
/*
 * The recorder of `vdcsim trace-record`: real programs (SQLite, a web cache,
 * zlib, a memory muncher) run over a memory arena whose pages are
 * write-tracked the way a hypervisor's dirty log works, sampled every K
 * operations into a page-dirty trace (traces/page-dirty-format.md).
 *
 * Three parts: the arena and its write tracking (rec_arena.c: userfaultfd
 * write-protection in asynchronous mode read with PAGEMAP_SCAN, or mprotect
 * plus a SIGSEGV handler), a deterministic allocator over the arena
 * (rec_alloc.c), and the workloads with their phases (rec_run.c and
 * rec_*.c). Parameters and units: workloads/recorded.md.
 */
#ifndef VDCSIM_REC_H
#define VDCSIM_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "trace.h"

/* The arena's page: every trace the recorder writes has 4 KiB pages. */
#define REC_PAGE 4096u
/* Arena limits: 1 MiB to 4 GiB. */
#define REC_ARENA_MIN (UINT64_C(1) << 20)
#define REC_ARENA_MAX (UINT64_C(4) << 30)

/* ---- The tracked arena ------------------------------------------------ */

typedef enum rec_mech {
	REC_MECH_AUTO,     /* userfaultfd if the kernel allows it, else mprotect */
	REC_MECH_UFFD,     /* userfaultfd WP_ASYNC + PAGEMAP_SCAN, or an error */
	REC_MECH_MPROTECT, /* mprotect + SIGSEGV handler */
} rec_mech;

/* "auto", "uffd", "mprotect", NULL in rec_mech order. */
extern const char *const rec_mech_names[];

typedef struct rec_arena rec_arena;

/* Maps an arena of `bytes` (a multiple of REC_PAGE within the limits
 * above), touches every page (so that no later read maps a fresh page
 * that the kernel would report as written) and write-protects it with
 * mechanism m. With REC_MECH_AUTO a refused userfaultfd (EPERM, ENOSYS, a
 * missing feature) falls back to mprotect and *note gets why (static text,
 * else NULL). Errors: SIM_EINPUT (bad size, or uffd asked for and refused:
 * the reason in d), SIM_EIO (mmap failed). Only one mprotect arena may
 * exist at a time (it owns the SIGSEGV handler). */
int rec_arena_create(uint64_t bytes, rec_mech m, rec_arena **out,
		     const char **note, sim_diag *d);
/* The mechanism in use (never REC_MECH_AUTO). */
rec_mech rec_arena_mech(const rec_arena *a);
/* The first byte and the size. */
void *rec_arena_base(const rec_arena *a);
uint64_t rec_arena_bytes(const rec_arena *a);
/* Collects the pages written since the previous collect (or since
 * creation) into pages[] (indices from the arena's start, increasing;
 * room for every page of the arena), sets *n and write-protects them
 * again. Both mechanisms report exactly the pages a store reached. */
void rec_arena_collect(rec_arena *a, uint32_t *pages, size_t *n);
/* Unmaps the arena and restores the SIGSEGV handler; NULL is a no-op. */
void rec_arena_destroy(rec_arena *a);

/* ---- A deterministic allocator over a region -------------------------- */

#define REC_ALLOC_CLASSES 120

/* Size classes of four steps per power of two from 16 B, blocks carved
 * from the region's start upwards and kept, when freed, on a LIFO list
 * per class: the same calls give the same offsets, wherever the region is
 * mapped. Blocks are 16-byte aligned with a 16-byte header before them. */
typedef struct rec_alloc {
	unsigned char *base;
	uint64_t size, top;   /* carved bytes: [0, top) */
	void *free_list[REC_ALLOC_CLASSES];
	uint64_t in_use;      /* bytes of live blocks (class sizes) */
	uint64_t peak;        /* largest top reached */
	uint64_t failed;      /* size of the first request that did not fit,
				 0 if none */
} rec_alloc;

/* Starts an allocator over [base, base + size). */
void rec_alloc_init(rec_alloc *al, void *base, uint64_t size);
/* A block of at least n bytes (n >= 1), or NULL when the region is full
 * (al->failed then records n if it is the first failure). */
void *rec_alloc_malloc(rec_alloc *al, uint64_t n);
/* Frees a block of this allocator; NULL is a no-op. */
void rec_alloc_free(rec_alloc *al, void *p);
/* Resizes p (malloc for NULL) keeping its bytes; NULL if it does not fit
 * (p is then left alone). */
void *rec_alloc_realloc(rec_alloc *al, void *p, uint64_t n);
/* The usable size of a block (its class size less the header). */
uint64_t rec_alloc_size(const rec_alloc *al, const void *p);
/* The usable size a request of n bytes gets. */
uint64_t rec_alloc_roundup(uint64_t n);

/* ---- Workloads -------------------------------------------------------- */

/* One documented parameter of a workload. */
typedef struct rec_param {
	const char *name;
	const char *def;  /* default, as text */
	const char *unit; /* "", "B", "ops", ... */
	double min, max;
	const char *doc;
} rec_param;

typedef struct rec_ctx rec_ctx;

/* A workload: a real program driven operation by operation. Every
 * callback returns 0 or SIM_EINPUT (a parameter that does not fit, with
 * the reason in d). */
typedef struct rec_workload {
	const char *name;
	const char *doc;
	const char *op;            /* what one operation is */
	uint64_t op_ns;            /* nominal time of one operation */
	uint64_t arena_bytes;      /* default arena */
	const rec_param *params;   /* terminated by a NULL name */
	/* Set-up outside the timeline (libraries, empty structures). */
	int (*init)(rec_ctx *c, sim_diag *d);
	/* Load operations before the run: their count, and one of them. */
	uint64_t (*load_ops)(rec_ctx *c);
	int (*load)(rec_ctx *c, uint64_t i, sim_diag *d);
	/* One operation of the run. */
	int (*op_run)(rec_ctx *c, sim_diag *d);
	/* A checkpoint (a burst of writes of the program's own kind). */
	int (*checkpoint)(rec_ctx *c, sim_diag *d);
	/* Releases what init made (also after an error). */
	void (*fini)(rec_ctx *c);
} rec_workload;

/* The workloads, in --list order, and lookup by name (NULL if unknown). */
const rec_workload *rec_workload_at(size_t i);
const rec_workload *rec_workload_find(const char *name);

/* What a recording does: the phases and the sampling. Times in ns of
 * simulated time; a sample is taken every `interval_ns` (K = interval /
 * op_ns operations at level 1). */
typedef struct rec_opts {
	const rec_workload *w;
	uint64_t arena_bytes;     /* 0: the workload's default */
	rec_mech mech;
	uint64_t seed;
	uint64_t duration_ns;     /* whole trace, load included */
	uint64_t interval_ns;     /* sample period */
	uint64_t op_ns;           /* 0: the workload's nominal time */
	uint64_t ramp_ns;         /* level from 0 to 1 after the load */
	uint64_t burst_every_ns;  /* 0: no bursts */
	uint64_t burst_ns;        /* length of each burst */
	double burst_factor;      /* level during a burst */
	uint64_t checkpoint_every_ns; /* 0: no checkpoints */
	const char *const *sets;  /* "NAME=VALUE" workload parameters */
	size_t nsets;
} rec_opts;

/* What a recording did. */
typedef struct rec_stats {
	rec_mech mech;
	uint64_t ops, load_ops, checkpoints;
	uint64_t arena_peak;      /* bytes the allocator carved */
	const char *note;         /* why auto fell back, or NULL */
} rec_stats;

/* Checks the options (the workload's parameters by name and range, the
 * phase times): SIM_EINPUT with "what is wrong (expected ...)" in d. */
int rec_opts_check(const rec_opts *o, sim_diag *d);
/* Records: creates the arena, runs the workload through its phases and
 * returns the trace in *out (NULL on error). Errors: SIM_EINPUT (a
 * parameter or size that does not fit, uffd refused when asked for),
 * SIM_EIO (the arena could not be mapped). The trace depends only on o
 * (never on the wall clock or on where the arena is mapped). */
int rec_record(const rec_opts *o, trace_pages **out, rec_stats *st,
	       sim_diag *d);

/* ---- For the workloads (rec_*.c) -------------------------------------- */

struct rec_ctx {
	rec_alloc al;             /* over the arena */
	uint64_t seed;
	void *state;              /* the workload's own (ordinary heap) */
	const rec_opts *o;
};

/* The value of workload parameter `name` (from o->sets, else its
 * default); the name must be one of the workload's. */
double rec_param_get(const rec_ctx *c, const char *name);

#endif /* VDCSIM_REC_H */
