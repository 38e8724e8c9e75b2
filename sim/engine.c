/* SPDX-License-Identifier: MIT */
/*
 * The discrete-event engine: models registered by ops table, events
 * ordered by (time, insertion sequence) in the ladder queue of
 * sim/ladder.h (the structure of sim_queue, built into this file with the
 * engine's own keys, so that the run loop can look ahead in it). A key is
 * 24 bytes, {time, seq, ref, mk}, as large as sim_queue's. An event posted
 * without a handle (sim_event_post) whose payload is at most 4 bytes,
 * model index below 2^16 - 1 and kind below 2^16 (every post vdcsim's
 * models make) travels whole in its key: ref is the payload, mk is model
 * << 16 | kind, and nothing else is touched. Any other event lives in a
 * 16-byte cell (payload of up to 8 bytes, model << 16 | kind, gen) or, if
 * larger, in a 64-byte record, that its key names (mk is MK_CELL or
 * MK_RECORD, ref the index). Cells and records give the handles (gen <<
 * 32 | index): gen is odd while the event is pending, cancel makes it
 * even, and the run loop drops an event whose gen is even when its key
 * reaches the head. So a pop reads its key and, for an event with a
 * handle, one cell. The engine never reads a clock; wall-time progress is
 * the caller's.
 *
 * History. Until events went inline (below), each event lived in a 64-byte
 * slot (payload, model, kind, gen) and the keys were sim_queue's 24-byte
 * {time, seq, slot}; the next paragraphs record that design, then the
 * 32-byte keys that carried small events whole, then posts (the last).
 *
 * Why the look-ahead: slots are visited in time order, not memory order, so
 * once the pending events outgrow the caches every event's slot is a cache
 * miss. With only the next event's slot prefetched (a handler's few
 * nanoseconds cannot hide a DRAM access), bench/engine_hold measured the
 * engine at 4.3x and 4.9x its bare queue at 10^5 and 10^6 pending events.
 * The ladder's bottom is a sorted array of the next events, so the run
 * loop prefetches the slot of the event PREFETCH_AHEAD places ahead (and,
 * right after a refill, the slots of the bottom's first events): misses
 * overlap instead of following one another. In the same runs, turning the
 * prefetch off took the engine from 27 to 69 ns an event at 10^5 and from
 * 62 to 150 ns at 10^6; 8, 16, 32 or 48 events ahead, for reading or for
 * writing, all measured the same. Medians of three bench runs (best of 3
 * each, 2-core AMD EPYC VM shared with other jobs), ns per event at 10^3 /
 * 10^4 / 10^5 / 10^6 pending:
 *   engine before            32.0 / 31.4 / 73.5 / 150.9  (queue 17.5 / 16.1
 *                                                          / 17.4 / 30.6)
 *   engine now               20.7 / 21.0 / 25.2 / 56.0   (queue 14.9 / 13.8
 *                                                          / 15.4 / 29.1)
 *   engine / queue now       1.37 / 1.45 / 1.64 / 2.01
 * What remains at 10^5 and 10^6 is one slot line read per event (and
 * written back), against the queue's sequential bucket traffic.
 *
 * Tried and dropped: carrying whole events (key, model, kind, 48-byte
 * payload: 72 bytes) through the ladder with no slot array, and handles as
 * tickets (a pending bit per seq). It measured 24-34 / 24-33 / 30-41 /
 * 56-94 ns on the same machine: every bucket move carries three times the
 * bytes, which cost more below 10^6 than the prefetched slot misses, and
 * no less at 10^6. A slot is one cache line.
 *
 * Huge pages (slots_alloc): perf at 10^6 put half of the run loop's
 * samples on the slot prefetch itself, which waits for a page walk when
 * the slot's 4 KiB page is not in the TLB (64 MiB of slots). Backing the
 * slot array with transparent huge pages, interleaved runs of the engine
 * alone on a loaded machine (medians, ns per event, 10^5 / 10^6):
 * 4 KiB pages 26.8 / 63.1, huge pages 26.7 / 60.4 (five runs each);
 * in full bench runs 10^6 went from 84.1, 61.6, 70.1, 58.6 to 55.6, 47.5,
 * 49.8, 62.2. A gain at 10^6 that the noise makes hard to size, none at
 * 10^5, and 10^3 / 10^4 (under 2 MiB of slots) take the old path.
 * Also tried: prefetching the next chunk while the refill scans a bucket
 * (sim/ladder.h): the bare queue went from 33.5 to 31.6 ns at 10^6, the
 * engine stayed at 60 ns, so engine / queue grew; not kept.
 * Profiled again at 10^6 (perf, cpu-clock): at that size a bottom holds
 * about 244 events (a rung of 4096 buckets over 10^6 keys), so the
 * in-bottom prefetch above covers nearly every slot; of the run loop's
 * samples 43 % wait on the refill's walk of a bucket's chunk list (the
 * bare queue: 57 % of its refill) and 20 % on the slot prefetch itself.
 * Tried: at each refill, prefetch the first chunk of the next bucket and,
 * three events into the bottom, the slots of its keys; and the slot
 * prefetch as non-temporal. Neither moved the engine outside the noise
 * of a shared machine (ns per event at 10^6 in interleaved bench runs:
 * look-ahead 44.0, 45.2 against 44.2, 47.8; non-temporal 44.2 to 56.0
 * against 45.0 to 50.6); not kept.
 *
 * Events inline (issue 11: the engine within 1.5x of its bare queue). The
 * slot design still read one random 64-byte line per event, at 10^6
 * pending events a DRAM access that the look-ahead only partly hid. Now:
 *  - keys of 32 bytes carry small events whole; sim/ladder.h became
 *    generic over the key (LQ_KEY, LQ_QUEUE) and is built twice, here and
 *    in sim/queue.c, whose 24-byte queue compiles to the same code as
 *    before (objdump: only __LINE__ constants differ);
 *  - per-slot state is a u32 gen (4 MB at 10^6, on huge pages) and a
 *    stack of free slots; the look-ahead now prefetches gen[slot] (and a
 *    record's line): without it, 67 to 122 ns an event at 10^6 against
 *    50 to 71 with it (three interleaved runs);
 *  - the engine's ladder keeps its chunk links apart (LQ_LINE_CHUNKS):
 *    16 keys of 32 bytes are 8 whole lines, where the link after them
 *    took a ninth, read at every chunk allocation and bucket walk (and
 *    the chunk pool is on huge pages). Engine alone, medians of four
 *    interleaved runs, ns per event at 10^5 / 10^6: 24.5 / 44.4 without,
 *    24.3 / 41.9 with. The same layout did next to nothing for the
 *    24-byte public queue (16.1 / 26.2 without, 16.2 / 26.0 with), which
 *    keeps the old one;
 *  - a model's handler, instance and state sit in one dispatch entry by
 *    model index, and an inline payload is written into one engine
 *    buffer whose tail stays zero (no 48-byte clear a pop): at 10^3
 *    pending (six interleaved runs, medians) the slots took 22.0 ns an
 *    event, inline events without these 23.2, with them 21.9. Then an
 *    8-byte payload copied as one word, and the look-ahead skipped while
 *    gens and records fit in L2 (under 2^16 slots and 2^12 records):
 *    pinned to one core, eight interleaved runs, medians at 10^3 / 10^4,
 *    slots 20.5 / 20.0, inline 21.0 / 19.9, with these 20.85 / 19.6
 *    (10^5 unchanged, 25.0 both in six runs). What is left at 10^3 is
 *    a few tenths of a ns; 32 KB of keys at 10^3 against 24 KB, beside
 *    a 32 KB L1, may be why (a guess, not measured).
 * Tried and dropped: chunks of 15 keys aligned to 64 bytes with the link
 * inside, 25.1 / 47.8 ns at 10^5 / 10^6 against 23.8 / 44.5 for 16 keys
 * and the link after them (five interleaved runs, medians).
 * bench/engine_hold, medians of 5 interleaved runs (best of 3 each) pinned
 * to one core of the same machine, ns per event at 10^3 / 10^4 / 10^5 /
 * 10^6 pending:
 *   slots:  queue 15.5 / 13.8 / 15.6 / 27.3, engine 20.7 / 20.1 / 24.4 /
 *           53.1, engine / queue 1.35 / 1.45 / 1.53 / 1.95
 *   inline: queue 16.1 / 14.2 / 15.4 / 27.2, engine 21.6 / 19.8 / 23.2 /
 *           38.8, engine / queue 1.35 / 1.43 / 1.49 / 1.47
 * (the queue is the same code both times: its spread is the machine's,
 * and two of the inline runs were slowed whole, which moves the engine's
 * median at 10^3 but not the ratios). Unpinned, before the last two
 * changes above: 1.35 / 1.44 / 1.68 / 1.85 against 1.36 / 1.41 / 1.54 /
 * 1.42. So 10^6 is now under 1.5 and 10^5 at about 1.5 (1.48 to 1.51
 * pinned, 1.45 to 1.56 unpinned). What remains at 10^5 is not
 * the gen read (400 KB, in L2) but the ladder's own traffic with keys a
 * third larger (perf: the run loop's time goes to the refill's bucket
 * walk, the schedule's to the first store into a bucket's chunk, as in
 * the bare queue but more) and the engine's per-event bookkeeping.
 * Whole runs, where the engine is a small share, did not move beyond the
 * machine's noise: bench/migrate case 2, best of 3, 2.70 against 2.66 us
 * of wall an event (and 2.47 to 4.15 against 2.41 to 4.05 in three later
 * pinned pairs); bench/dc_scale at 100,000 VMs, simulate phase 0.302 s
 * against 0.305 s.
 *
 * Posts (issue 11 again: 1.5x at every size, with margin). Profiled at
 * 10^5 pending (perf, cpu-clock, pinned), engine and bare queue spent
 * their time alike, on the ladder's memory traffic: the first store into
 * a bucket's chunk (44 % of the schedule's samples, 46 % of the queue
 * push's) and the refill's walk of a bucket. With keys a third larger the
 * engine moved a third more lines for the same events, and each event
 * also wrote its gen and went through the free-slot stack. Yet most
 * events are never cancelled: every call site in models/ and datacenter/
 * but the flow model's dropped the handle, and each carried 0 or 4 bytes
 * (an index). Hence sim_event_post: no handle, and a payload of at most
 * 4 bytes travels whole in a key as small as sim_queue's, with no
 * per-event state at all. Events with handles (or 5 to 8 bytes) moved
 * from the key into a 16-byte cell beside their gen, which is the one
 * random line an event read before, now behind a 24-byte key; records
 * got a gen of their own so that the look-ahead still finds a record from
 * its key. With two callers GCC kept the ladder's push and bucket append
 * out of line, a call per event: engine / queue 1.33-1.36 / 1.36-1.38 /
 * 1.30-1.39 / 1.09-1.14 at 10^3 / 10^4 / 10^5 / 10^6 (two runs), then
 * 1.28 / 1.27-1.28 / 1.28-1.30 / 1.03-1.04 with them always inlined
 * (sim/queue.c compiles to the same bytes). LQ_LINE_CHUNKS still pays
 * with 24-byte keys (a chunk is 6 whole lines on huge pages): without it
 * the engine took 31.6 to 38.0 ns an event at 10^6, with it 28.4 to 31.0
 * (three interleaved runs). bench/engine_hold, five interleaved runs
 * pinned to one core, engine / queue, medians (worst):
 *   before (scheduled, 8 bytes, 32-byte keys): 1.39 / 1.46 / 1.46 / 1.35
 *                                              (1.41 / 1.64 / 1.64 / 1.39)
 *   posted, 4 bytes, 24-byte keys:             1.28 / 1.27 / 1.33 / 1.12
 *                                              (1.30 / 1.29 / 1.38 / 1.16)
 * The same bench with --handles (the old workload: scheduled, 8 bytes,
 * now in cells) against the old engine, three interleaved runs on a
 * machine busier than above, ns an event: fastest 23.5 / 23.2 / 25.4 /
 * 36.4 against 22.8 / 22.4 / 25.1 / 35.5, medians 23.6 / 23.5 / 27.0 /
 * 37.5 against 28.6 / 23.2 / 26.7 / 47.1: the same within the noise, or
 * a few tenths of a ns slower (the cell's free list for the slot stack).
 */
#include "sim.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Copying a fixed-size payload keeps every event record aligned for any
 * type. */
_Static_assert(SIM_PAYLOAD_MAX % _Alignof(max_align_t) == 0,
	       "SIM_PAYLOAD_MAX must be a multiple of the maximal alignment");
_Static_assert(SIM_PAYLOAD_MAX >= 8 && SIM_PAYLOAD_MAX <= 4096,
	       "SIM_PAYLOAD_MAX is copied by value into every event");

#define NIL UINT32_MAX

/*
 * The engine's queue key: one event. A posted event (payload of at most
 * KEY_BYTES bytes, model index below MK_MODELS, kind at most MK_KIND)
 * carries its payload bytes in `ref` and model index << 16 | kind in
 * `mk`; any other event has mk == MK_CELL or MK_RECORD and `ref` is the
 * index of the cell or record that holds it.
 */
typedef struct ekey {
	uint64_t time_ns, seq;
	uint32_t ref;
	uint32_t mk;
} ekey;
_Static_assert(sizeof(ekey) == 24, "an engine key is as large as sim_queue's");

enum {
	MK_KIND = 0xFFFF,   /* largest kind carried in a key or cell */
	MK_MODELS = 0xFFFF, /* model indices in keys and cells are below this */
	KEY_BYTES = 4,      /* largest payload carried in a key */
	CELL_BYTES = 8,     /* largest payload carried in a cell */
};
/* Above every model << 16 | kind with a model index below MK_MODELS. */
#define MK_CELL (UINT32_MAX - 1)
#define MK_RECORD UINT32_MAX
/* The bit of a handle's index that names a record rather than a cell;
 * cells and records each stay below it (cells_grow, rec_alloc). */
#define REC_BIT (UINT32_C(1) << 31)

#define LQ_KEY ekey
#define LQ_QUEUE engine_queue
#define LQ_LINE_CHUNKS /* chunks of 16 keys are 6 whole cache lines */
#include "ladder.h"
_Static_assert(sizeof(lq_chunk) % 64 == 0, "a chunk is whole cache lines");

/* How many events ahead the run loop prefetches per-event state. */
enum { PREFETCH_AHEAD = 16 };
/* For writing: the run loop writes what it prefetches. */
#define AHEAD_PREFETCH(p) __builtin_prefetch((p), 1, 3)
/* The look-ahead pays only once cells (16 bytes each) or records (64
 * bytes) outgrow what stays in L2: below, it is skipped. */
enum { AHEAD_CELLS = 1 << 14, AHEAD_RECS = 1 << 12 };
#define AHEAD_WORTH(e)                                                         \
	((e)->cells_cap >= AHEAD_CELLS || (e)->recs_cap >= AHEAD_RECS)
/* Starts loading the cell or record of key a, if it has one. (A macro: as
 * a helper function GCC took it for a pure one and dropped the call.) */
#define AHEAD_KEY(e, a)                                                        \
	do {                                                                   \
		if ((a)->mk == MK_CELL)                                        \
			AHEAD_PREFETCH(&(e)->cells[(a)->ref]);                 \
		else if ((a)->mk == MK_RECORD)                                 \
			AHEAD_PREFETCH(&(e)->recs[(a)->ref]);                  \
	} while (0)

struct sim_model {
	const sim_model_ops *ops;
	void *state;
	sim_engine *engine;
	uint32_t index; /* in sim_engine.models */
};

/* What the run loop needs of a model, one load away. */
typedef struct dispatch {
	void (*handle)(sim_engine *e, sim_model *m, void *state,
		       uint32_t kind, const void *payload);
	sim_model *m;
	void *state;
} dispatch;

/*
 * An event with a handle, or whose payload does not fit in its key, and
 * whose payload fits in CELL_BYTES (and model index and kind in mk): four
 * to a cache line. `payload` links the free cells.
 */
typedef struct cell {
	uint64_t payload;
	uint32_t mk; /* model index << 16 | kind */
	uint32_t gen;
} cell;
_Static_assert(sizeof(cell) == 16, "a cell never straddles a cache line");

/*
 * Any other event: payload, model index and kind in one cache line.
 * `next` links the free records.
 */
typedef struct record {
	_Alignas(64) unsigned char payload[SIM_PAYLOAD_MAX];
	uint32_t model;
	uint32_t kind;
	uint32_t gen;
	uint32_t next;
} record;

/*
 * Cells and records give events their handles, gen << 32 | index, with
 * REC_BIT set in the index for a record. gen is odd while the event is
 * pending (that odd value is in its handle) and even once the event has
 * run or been cancelled, or when the cell or record is free: scheduling
 * and running (or cancelling) each add one, so a handle to an event that
 * has run or been dropped never matches, even after its cell is reused.
 * A cell or record is freed when its key leaves the queue; one whose gen
 * would wrap to 0 is never reused: one leaked cell per 2^31 reuses buys
 * handles that are never confused. Posted events whose key carries them
 * have neither, and no handle.
 */
struct sim_engine {
	lq_queue queue;
	cell *cells;
	uint32_t ncells, cells_cap, cell_free;

	record *recs;
	uint32_t nrecs, recs_cap, rec_free;

	uint64_t now_ns;
	uint64_t seq;      /* next insertion sequence number */
	uint64_t executed; /* handlers run */
	size_t pending;    /* scheduled, not yet run or cancelled */

	sim_model **models;
	dispatch *disp; /* by model index, beside models */
	size_t nmodels, models_cap;

	/* The payload of an event from a key or a cell as its handler sees
	 * it: the run loop writes the first CELL_BYTES, the rest stays
	 * zero. */
	_Alignas(max_align_t) unsigned char inl[SIM_PAYLOAD_MAX];

	void (*progress)(void *ctx, sim_engine *e);
	void *progress_ctx;
	uint64_t progress_every, progress_left;

	volatile sig_atomic_t *attention;
	void (*attention_fn)(void *ctx, sim_engine *e);
	void *attention_ctx;

	bool stop, running, in_progress;
};

sim_engine *sim_engine_create(void)
{
	sim_engine *e = sim_xcalloc(1, sizeof *e);
	lq_init(&e->queue);
	e->cell_free = NIL;
	e->rec_free = NIL;
	return e;
}

void sim_engine_destroy(sim_engine *e)
{
	if (!e)
		return;
	/* Models are finalised in reverse order of creation, so that a model
	 * created after another (and possibly relying on it) goes first. */
	for (size_t i = e->nmodels; i-- > 0;) {
		sim_model *m = e->models[i];
		if (m->ops->fini)
			m->ops->fini(m->state);
		free(m->state);
		free(m);
	}
	free(e->models);
	free(e->disp);
	free(e->cells);
	free(e->recs);
	lq_fini(&e->queue);
	free(e);
}

sim_model *sim_model_add(sim_engine *e, const sim_model_ops *ops)
{
	if (!ops || !ops->handle)
		sim_panic("sim_model_add: ops table without a handle hook");
	sim_model *m = sim_xmalloc(sizeof *m);
	m->ops = ops;
	m->state = sim_xcalloc(1, ops->state_size);
	m->engine = e;
	if (e->nmodels >= UINT32_MAX)
		sim_panic("sim_model_add: too many models");
	m->index = (uint32_t)e->nmodels;
	if (e->nmodels == e->models_cap) {
		e->models_cap = e->models_cap ? 2 * e->models_cap : 8;
		e->models = sim_xrealloc(e->models, e->models_cap,
					 sizeof *e->models);
		e->disp = sim_xrealloc(e->disp, e->models_cap,
				       sizeof *e->disp);
	}
	e->disp[e->nmodels] = (dispatch){ops->handle, m, m->state};
	e->models[e->nmodels++] = m;
	return m;
}

void *sim_model_state(sim_model *m)
{
	return m->state;
}

/*
 * An array of `bytes` aligned to `align`. From 2 MiB up, it is aligned to
 * 2 MiB and rounded up to whole 2 MiB so that the kernel can back it with
 * transparent huge pages (asked for with madvise where it exists): the run
 * loop reads records and gens in time order, which is random in memory,
 * and with 4 KiB pages each such read also missed the TLB.
 */
static void *huge_alloc(size_t bytes, size_t align)
{
	enum { HUGE = 2u << 20 };
	if (bytes >= HUGE) {
		align = HUGE;
		bytes = (bytes + HUGE - 1) / HUGE * HUGE;
	}
	bytes = (bytes + align - 1) / align * align;
	void *p = aligned_alloc(align, bytes);
	if (!p)
		sim_panic("out of memory (%zu bytes of events)", bytes);
#ifdef MADV_HUGEPAGE
	if (align == HUGE)
		(void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint only */
#endif
	return p;
}

/* Moves the first n of an array's elements of `size` bytes into a new one
 * of cap elements (huge_alloc), frees the old one and returns the new. */
static void *huge_grow(void *p, size_t n, size_t cap, size_t size,
		       size_t align)
{
	void *q = huge_alloc(cap * size, align);
	if (n)
		memcpy(q, p, n * size);
	free(p);
	return q;
}

static uint32_t rec_alloc(sim_engine *e)
{
	uint32_t r = e->rec_free;
	if (r != NIL) {
		e->rec_free = e->recs[r].next;
		return r;
	}
	if (e->nrecs == e->recs_cap) {
		if (e->recs_cap >= REC_BIT)
			sim_panic("sim_event_schedule: too many pending events");
		uint32_t cap = e->recs_cap ? 2 * e->recs_cap : 64;
		e->recs = huge_grow(e->recs, e->nrecs, cap, sizeof(record),
				    _Alignof(record));
		e->recs_cap = cap;
	}
	e->recs[e->nrecs].gen = 0;
	return e->nrecs++;
}

/* Frees record r unless its gen has wrapped to 0 (see sim_engine). */
static void rec_free(sim_engine *e, uint32_t r)
{
	if (e->recs[r].gen == 0)
		return;
	e->recs[r].next = e->rec_free;
	e->rec_free = r;
}

/* A cell for a new event, its gen still even. */
static uint32_t cell_alloc(sim_engine *e)
{
	uint32_t c = e->cell_free;
	if (c != NIL) {
		e->cell_free = (uint32_t)e->cells[c].payload;
		return c;
	}
	if (e->ncells == e->cells_cap) {
		if (e->cells_cap >= REC_BIT)
			sim_panic("sim_event_schedule: too many pending events");
		uint32_t cap = e->cells_cap ? 2 * e->cells_cap : 256;
		e->cells = huge_grow(e->cells, e->ncells, cap, sizeof(cell),
				     sizeof(cell));
		e->cells_cap = cap;
	}
	e->cells[e->ncells].gen = 0;
	return e->ncells++;
}

/* The gen of the pending event with handle id, or NULL. */
static uint32_t *gen_of(sim_engine *e, sim_event_id id)
{
	uint32_t i = (uint32_t)id, gen = (uint32_t)(id >> 32);
	uint32_t *g;
	if (!(gen & 1))
		return NULL;
	if (i & REC_BIT) {
		i &= ~REC_BIT;
		if (i >= e->nrecs)
			return NULL;
		g = &e->recs[i].gen;
	} else {
		if (i >= e->ncells)
			return NULL;
		g = &e->cells[i].gen;
	}
	return *g == gen ? g : NULL;
}

/* memcpy for n <= SIM_PAYLOAD_MAX bytes, inline: whole words, the last one
 * overlapping, rather than a library call (a few percent of an event). */
static inline void payload_copy(unsigned char *d, const unsigned char *s,
				size_t n)
{
	uint64_t w;
	if (n >= 8) {
		size_t i = 0;
		for (; i + 8 <= n; i += 8) {
			memcpy(&w, s + i, 8);
			memcpy(d + i, &w, 8);
		}
		if (i < n) {
			memcpy(&w, s + n - 8, 8);
			memcpy(d + n - 8, &w, 8);
		}
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}

/* Panics unless scheduling as `fn` (its name in the message) is allowed
 * now. */
static inline void event_check(const sim_engine *e, const char *fn,
			       const sim_model *m, uint64_t at_ns,
			       const void *payload, size_t payload_bytes)
{
	if (e->in_progress)
		sim_panic("%s from a progress callback", fn);
	if (!m || m->engine != e)
		sim_panic("%s: model of another engine", fn);
	if (at_ns < e->now_ns)
		sim_panic("%s: time %llu ns is before now (%llu ns)", fn,
			  (unsigned long long)at_ns,
			  (unsigned long long)e->now_ns);
	if (payload_bytes > SIM_PAYLOAD_MAX)
		sim_panic("%s: payload of %zu bytes exceeds SIM_PAYLOAD_MAX "
			  "(%d)",
			  fn, payload_bytes, SIM_PAYLOAD_MAX);
	if (payload_bytes && !payload)
		sim_panic("%s: NULL payload of %zu bytes", fn, payload_bytes);
}

/* Queues a checked event in a cell or a record; returns its handle.
 * Either way the unused tail of the payload is zero, so that a handler
 * reading past what was scheduled sees zeros, not a previous event's
 * bytes. */
static sim_event_id event_keep(sim_engine *e, const sim_model *m,
			       uint64_t at_ns, uint32_t kind,
			       const void *payload, size_t payload_bytes)
{
	uint32_t i, gen, mk;
	if (payload_bytes <= CELL_BYTES && m->index < MK_MODELS &&
	    kind <= MK_KIND) {
		i = cell_alloc(e);
		cell *c = &e->cells[i];
		uint64_t w = 0;
		if (payload_bytes == CELL_BYTES)
			memcpy(&w, payload, CELL_BYTES);
		else
			payload_copy((unsigned char *)&w, payload,
				     payload_bytes);
		c->payload = w;
		c->mk = m->index << 16 | kind;
		gen = ++c->gen; /* odd: pending */
		mk = MK_CELL;
	} else {
		i = rec_alloc(e);
		record *rec = &e->recs[i];
		rec->model = m->index;
		rec->kind = kind;
		memset(rec->payload, 0, SIM_PAYLOAD_MAX);
		payload_copy(rec->payload, payload, payload_bytes);
		gen = ++rec->gen;
		mk = MK_RECORD;
	}
	ekey *k = lq_push_slot(&e->queue, at_ns, e->seq++);
	k->ref = i;
	k->mk = mk;
	e->pending++;
	return (uint64_t)gen << 32 | (mk == MK_RECORD ? REC_BIT : 0) | i;
}

sim_event_id sim_event_schedule(sim_engine *e, sim_model *m, uint64_t at_ns,
				uint32_t kind, const void *payload,
				size_t payload_bytes)
{
	event_check(e, "sim_event_schedule", m, at_ns, payload, payload_bytes);
	return event_keep(e, m, at_ns, kind, payload, payload_bytes);
}

void sim_event_post(sim_engine *e, sim_model *m, uint64_t at_ns,
		    uint32_t kind, const void *payload, size_t payload_bytes)
{
	event_check(e, "sim_event_post", m, at_ns, payload, payload_bytes);
	if (payload_bytes > KEY_BYTES || m->index >= MK_MODELS ||
	    kind > MK_KIND) {
		(void)event_keep(e, m, at_ns, kind, payload, payload_bytes);
		return;
	}
	/* The common case: a key and nothing else. */
	uint32_t w = 0;
	if (payload_bytes == KEY_BYTES)
		memcpy(&w, payload, KEY_BYTES);
	else
		payload_copy((unsigned char *)&w, payload, payload_bytes);
	ekey *k = lq_push_slot(&e->queue, at_ns, e->seq++);
	k->ref = w;
	k->mk = m->index << 16 | kind;
	e->pending++;
}

bool sim_event_cancel(sim_engine *e, sim_event_id id)
{
	if (e->in_progress)
		sim_panic("sim_event_cancel from a progress callback");
	uint32_t *g = gen_of(e, id);
	if (!g)
		return false;
	/* The queue entry stays until it reaches the head: O(1) now, and the
	 * cell (or record) is held until the event's time. */
	++*g; /* even: no longer pending */
	e->pending--;
	return true;
}

bool sim_event_is_pending(const sim_engine *e, sim_event_id id)
{
	/* gen_of only reads. */
	return gen_of((sim_engine *)e, id) != NULL;
}

uint64_t sim_now(const sim_engine *e)
{
	return e->now_ns;
}

int sim_run_until(sim_engine *e, uint64_t until_ns)
{
	if (e->running)
		sim_panic("sim_run_until called from inside a handler");
	e->running = true;
	e->stop = false;
	const ekey *kp;
	while (!e->stop && (kp = lq_least(&e->queue)) &&
	       kp->time_ns <= until_ns) {
		ekey k = *kp;
		lq_drop(&e->queue);
		/* Start loading the cell (or record) of the event
		 * PREFETCH_AHEAD places further in the sorted bottom or,
		 * right after a refill, those of the bottom's first events.
		 * Events that the side heap or later schedules put first are
		 * not covered; they are few. */
		const lq_queue *q = &e->queue;
		size_t h = q->bot_head;
		if (AHEAD_WORTH(e) && h + PREFETCH_AHEAD < q->bot_n)
			AHEAD_KEY(e, &q->bot[h + PREFETCH_AHEAD]);
		if (h == 1 && !q->head_in_side && AHEAD_WORTH(e)) {
			size_t end = q->bot_n < PREFETCH_AHEAD ? q->bot_n
							       : PREFETCH_AHEAD;
			for (size_t j = 1; j < end; j++)
				AHEAD_KEY(e, &q->bot[j]);
		}
		_Alignas(max_align_t) unsigned char payload[SIM_PAYLOAD_MAX];
		dispatch d;
		uint32_t kind;
		const void *pl;
		if (k.mk < MK_CELL) {
			/* Posted, whole in its key. Handlers never run
			 * nested, so one buffer serves; the 4 bytes after
			 * the payload may hold a cell's, hence the zeros. */
			const uint32_t zero = 0;
			memcpy(e->inl, &k.ref, KEY_BYTES);
			memcpy(e->inl + KEY_BYTES, &zero, KEY_BYTES);
			pl = e->inl;
			d = e->disp[k.mk >> 16];
			kind = k.mk & MK_KIND;
		} else if (k.mk == MK_CELL) {
			/* The cell is freed before the handler runs, so the
			 * handler sees its own handle as stale and may reuse
			 * the cell. */
			cell *c = &e->cells[k.ref];
			uint64_t w = c->payload;
			uint32_t mk = c->mk, gen = c->gen;
			bool cancelled = !(gen & 1);
			if (!cancelled)
				c->gen = ++gen;
			if (gen != 0) {
				c->payload = e->cell_free;
				e->cell_free = k.ref;
			}
			if (cancelled)
				continue;
			memcpy(e->inl, &w, CELL_BYTES);
			pl = e->inl;
			d = e->disp[mk >> 16];
			kind = mk & MK_KIND;
		} else {
			record *rec = &e->recs[k.ref];
			if (!(rec->gen & 1)) {
				rec_free(e, k.ref);
				continue;
			}
			rec->gen++;
			/* Copied out: a schedule may move the records. */
			memcpy(payload, rec->payload, SIM_PAYLOAD_MAX);
			pl = payload;
			d = e->disp[rec->model];
			kind = rec->kind;
			rec_free(e, k.ref);
		}
		e->pending--;
		e->now_ns = k.time_ns;
		d.handle(e, d.m, d.state, kind, pl);
		e->executed++;
		if (e->progress && --e->progress_left == 0) {
			e->progress_left = e->progress_every;
			e->in_progress = true;
			e->progress(e->progress_ctx, e);
			e->in_progress = false;
		}
		if (e->attention && *e->attention) {
			e->in_progress = true;
			e->attention_fn(e->attention_ctx, e);
			e->in_progress = false;
		}
	}
	e->running = false;
	if (e->stop) {
		e->stop = false;
		return SIM_EINTR;
	}
	/* Ran dry or the next event is later: time advances to the horizon
	 * (never backwards), except for the open horizon of sim_run. */
	if (until_ns != SIM_TIME_MAX && until_ns > e->now_ns)
		e->now_ns = until_ns;
	return 0;
}

int sim_run(sim_engine *e)
{
	return sim_run_until(e, SIM_TIME_MAX);
}

void sim_stop(sim_engine *e)
{
	e->stop = true;
}

uint64_t sim_events_executed(const sim_engine *e)
{
	return e->executed;
}

size_t sim_events_pending(const sim_engine *e)
{
	return e->pending;
}

void sim_engine_set_progress(sim_engine *e,
			     void (*fn)(void *ctx, sim_engine *e), void *ctx,
			     uint64_t every)
{
	if (fn && every == 0)
		sim_panic("sim_engine_set_progress: every must be >= 1");
	e->progress = fn;
	e->progress_ctx = ctx;
	e->progress_every = every;
	e->progress_left = every;
}

void sim_engine_set_attention(sim_engine *e, volatile sig_atomic_t *flag,
			      void (*fn)(void *ctx, sim_engine *e), void *ctx)
{
	e->attention = fn ? flag : NULL;
	e->attention_fn = flag ? fn : NULL;
	e->attention_ctx = ctx;
}
