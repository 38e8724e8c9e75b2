/* SPDX-License-Identifier: MIT */
/*
 * Private to workloads/ (and its tests): the state of the stream
 * generator, shared by the generator (stream.c) and the skip
 * (stream_skip.c), which extrapolates whole cycles of a regular stream
 * from that state.
 */
#ifndef VDCSIM_STREAM_GEN_H
#define VDCSIM_STREAM_GEN_H

#include "stream_internal.h"

#define WL_COLS 32 /* alias columns: WL_CLASSES rounded up to a power of 2 */
_Static_assert(WL_CLASSES <= WL_COLS, "alias table too small");

enum { WL_MEM_NONE, WL_MEM_DATA, WL_MEM_PTE };
enum { WL_S_START, WL_S_BODY, WL_S_EVENT };

typedef struct wl_mixtab {
	uint64_t thr[WL_COLS];   /* column c keeps class c if u < thr[c] */
	uint8_t alias[WL_COLS];
	uint8_t mem[WL_COLS];
	trace_insn proto[WL_COLS];
	/* The classes of their own in the mix (sensitive, PTE write,
	 * privileged): their probability and cumulative probabilities, for
	 * a skip that draws them alone (wl_stream_skip_part). */
	double own, own_cdf[WL_CLASSES];
	double data; /* probability of a class with a data address */
} wl_mixtab;

typedef struct wl_rng {
	uint64_t s[4]; /* xoshiro256** */
	uint64_t w;    /* wyrand's Weyl sequence */
} wl_rng;

struct wl_stream {
	wl_stream_params p;
	wl_rng r;
	wl_rng e; /* the event sequence's own draws (gaps and kinds), so that a
		  skip, which draws no body, leaves it as filling would */
	wl_mixtab body, kern;
	bool kernel_level;
	/* User addresses. */
	uint64_t hot_bytes, cold_bytes, ws_end, stride, last;
	uint64_t seq_thr, hot_thr;
	uint64_t large_end;
	uint64_t image;  /* first page of the process image (fork, exec) */
	uint8_t large_shift;
	uint64_t kws, page, ws_pages, region_pages;
	/* Events. */
	wl_prog prog[WL_EV_COUNT];
	unsigned nprog;
	double cdf[WL_EV_COUNT], total, gap_mean, gap_log, acc;
	double credit[WL_EV_COUNT]; /* a regular stream's kinds (start_event) */
	uint64_t gap_left;
	int state;
	const wl_prog *cur;
	unsigned pc, loop_pc;
	bool in_loop;
	uint64_t loop_left, loop_i, kb_mix, kb_pte, cur_va;
	uint64_t fresh, wsprot;
	/* Skipping by parts: mix instructions before the next own one of
	 * the mix table own_for (NULL: none drawn yet). */
	uint64_t own_gap;
	const wl_mixtab *own_for;
	bool split_mix; /* wl_stream_split_mix */
	uint16_t asid, parent;
	unsigned depth; /* kernel entries not yet returned */
	bool slow_skip; /* wl_stream_slow_skip */
	uint64_t jumped; /* cycles wl_stream_skip jumped over (for tests) */
	/* wl_stream_warm_loads: its own draws and sequential position, so
	 * that the stream itself is unchanged, and the fraction of a load
	 * carried to its next call per table (body, kernel work). */
	wl_rng wr;
	uint64_t wlast;
	double wfrac[2];
	/* wl_stream_warm_sparse: loads up to the next draw outside the hot
	 * set (0: none drawn yet) and the fraction of a load carried. */
	uint64_t sgap;
	double sfrac[2];
};

/* One part of the stream from its state (wl_stream_fill_part's when skip
 * is false, wl_stream_skip_part's when true: then the mix is not drawn,
 * only counted, and buf receives only an own instruction): up to max
 * instructions of phase *phase, *own saying whether it is one own
 * instruction. Returns their number, at least 1 (max >= 1). */
size_t wl_stream_part(wl_stream *g, trace_insn *buf, size_t max, bool skip,
		      unsigned *phase, bool *own);

/* Skipping with the mix not split (nothing drawn): the rest of the
 * kernel-work step the current event is at, its mix and its PTE writes,
 * at once, when some is left and it fits in room. Its mix goes to
 * count[phase], its PTE writes to *own (to count[phase] when own is
 * NULL). Returns the instructions passed, 0 (nothing done) when it does
 * not apply. The same counts and state as the wl_stream_part calls
 * skipping them one part at a time (2m + 1 parts for m writes). O(1). */
uint64_t wl_stream_kb_rest(wl_stream *g, uint64_t room, uint64_t *count,
			   uint64_t *own);

/* Forces wl_stream_skip to walk every event (on) instead of jumping
 * over whole cycles of a regular stream (off, the default): for tests
 * that compare the two. */
void wl_stream_slow_skip(wl_stream *g, bool on);

#endif /* VDCSIM_STREAM_GEN_H */
