/* SPDX-License-Identifier: MIT */
/*
 * The discrete-event engine: models registered by ops table, events kept in
 * an engine-owned slot array and ordered by (time, insertion sequence) in
 * the ladder queue of sim/ladder.h (the structure of sim_queue, built into
 * this file so that the run loop can look ahead in it). Cancel marks a
 * slot, and the mark is seen when the event is popped. The engine never
 * reads a clock; wall-time progress is the caller's.
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
 */
#include "sim.h"
#include "ladder.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Copying a fixed-size payload keeps every event slot aligned for any type. */
_Static_assert(SIM_PAYLOAD_MAX % _Alignof(max_align_t) == 0,
	       "SIM_PAYLOAD_MAX must be a multiple of the maximal alignment");
_Static_assert(SIM_PAYLOAD_MAX > 0 && SIM_PAYLOAD_MAX <= 4096,
	       "SIM_PAYLOAD_MAX is copied by value into every event");

#define NIL UINT32_MAX

/* How many events ahead the run loop prefetches slots. */
enum { PREFETCH_AHEAD = 16 };
/* For writing: the run loop frees the slot (a write) once it is read. */
#define SLOT_PREFETCH(p) __builtin_prefetch((p), 1, 3)

struct sim_model {
	const sim_model_ops *ops;
	void *state;
	sim_engine *engine;
};

/*
 * One event. `model` is NULL when the slot is free (then `kind` links the
 * free list), the engine's `cancelled` sentinel when the event was
 * cancelled but is still in the queue, and the target model otherwise.
 * `gen` is the generation in the event's handle. It changes whenever the
 * slot is freed, so a handle to an event that has run or been dropped never
 * matches a newer event in the same slot.
 */
typedef struct event {
	_Alignas(64) unsigned char payload[SIM_PAYLOAD_MAX];
	sim_model *model;
	uint32_t kind;
	uint32_t gen;
} event;

struct sim_engine {
	sim_queue queue; /* keys carry the event's slot as value */
	event *slots;
	uint32_t nslots, cap, free_head;

	uint64_t now_ns;
	uint64_t seq;      /* next insertion sequence number */
	uint64_t executed; /* handlers run */
	size_t pending;    /* scheduled, not yet run or cancelled */

	sim_model **models;
	size_t nmodels, models_cap;

	void (*progress)(void *ctx, sim_engine *e);
	void *progress_ctx;
	uint64_t progress_every, progress_left;

	volatile sig_atomic_t *attention;
	void (*attention_fn)(void *ctx, sim_engine *e);
	void *attention_ctx;

	bool stop, running, in_progress;
	sim_model cancelled; /* sentinel, never a real model */
};

sim_engine *sim_engine_create(void)
{
	sim_engine *e = sim_xcalloc(1, sizeof *e);
	lq_init(&e->queue);
	e->free_head = NIL;
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
	free(e->slots);
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
	if (e->nmodels == e->models_cap) {
		e->models_cap = e->models_cap ? 2 * e->models_cap : 8;
		e->models = sim_xrealloc(e->models, e->models_cap,
					 sizeof *e->models);
	}
	e->models[e->nmodels++] = m;
	return m;
}

void *sim_model_state(sim_model *m)
{
	return m->state;
}

/*
 * An array of cap slots, each one cache line. From 2 MiB up, the array is
 * aligned to 2 MiB and rounded up to whole 2 MiB so that the kernel can
 * back it with transparent huge pages (asked for with madvise where it
 * exists): slots are read in time order, which is random in memory, and
 * with 4 KiB pages each such read also missed the TLB, at 10^6 pending
 * events a page walk per event that the slot prefetch does not hide.
 */
static event *slots_alloc(uint32_t cap)
{
	enum { HUGE = 2u << 20 };
	size_t bytes = (size_t)cap * sizeof(event);
	size_t align = _Alignof(event);
	if (bytes >= HUGE) {
		align = HUGE;
		bytes = (bytes + HUGE - 1) / HUGE * HUGE;
	}
	event *slots = aligned_alloc(align, bytes);
	if (!slots)
		sim_panic("out of memory (%u event slots)", cap);
#ifdef MADV_HUGEPAGE
	if (align == HUGE)
		(void)madvise(slots, bytes, MADV_HUGEPAGE); /* a hint only */
#endif
	return slots;
}

static uint32_t slot_alloc(sim_engine *e)
{
	uint32_t i = e->free_head;
	if (i != NIL) {
		e->free_head = e->slots[i].kind;
		return i;
	}
	if (e->nslots == e->cap) {
		if (e->cap >= NIL / 2)
			sim_panic("sim_event_schedule: too many pending events");
		uint32_t cap = e->cap ? 2 * e->cap : 256;
		event *slots = slots_alloc(cap);
		if (e->nslots)
			memcpy(slots, e->slots, e->nslots * sizeof(event));
		free(e->slots);
		e->slots = slots;
		e->cap = cap;
	}
	e->slots[e->nslots].gen = 1;
	return e->nslots++;
}

/* Frees a slot and retires its handle. A slot whose generation would wrap
 * is never reused: one leaked slot per 2^32 reuses buys handles that are
 * never confused. */
static void slot_free(sim_engine *e, uint32_t i)
{
	event *ev = &e->slots[i];
	ev->model = NULL;
	if (ev->gen == UINT32_MAX)
		return;
	ev->gen++;
	ev->kind = e->free_head;
	e->free_head = i;
}

static sim_event_id handle_of(const sim_engine *e, uint32_t i)
{
	return ((uint64_t)e->slots[i].gen << 32) | i;
}

/* The slot of a pending event with handle id, or NIL. */
static uint32_t slot_of(const sim_engine *e, sim_event_id id)
{
	uint32_t i = (uint32_t)id, gen = (uint32_t)(id >> 32);
	if (gen == 0 || i >= e->nslots)
		return NIL;
	const event *ev = &e->slots[i];
	if (ev->gen != gen || !ev->model || ev->model == &e->cancelled)
		return NIL;
	return i;
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

sim_event_id sim_event_schedule(sim_engine *e, sim_model *m, uint64_t at_ns,
				uint32_t kind, const void *payload,
				size_t payload_bytes)
{
	if (e->in_progress)
		sim_panic("sim_event_schedule from a progress callback");
	if (!m || m->engine != e)
		sim_panic("sim_event_schedule: model of another engine");
	if (at_ns < e->now_ns)
		sim_panic("sim_event_schedule: time %llu ns is before now "
			  "(%llu ns)",
			  (unsigned long long)at_ns,
			  (unsigned long long)e->now_ns);
	if (payload_bytes > SIM_PAYLOAD_MAX)
		sim_panic("sim_event_schedule: payload of %zu bytes exceeds "
			  "SIM_PAYLOAD_MAX (%d)",
			  payload_bytes, SIM_PAYLOAD_MAX);
	if (payload_bytes && !payload)
		sim_panic("sim_event_schedule: NULL payload of %zu bytes",
			  payload_bytes);
	uint32_t i = slot_alloc(e);
	event *ev = &e->slots[i];
	ev->model = m;
	ev->kind = kind;
	/* The unused tail is zeroed so that a handler reading past what was
	 * scheduled sees zeros, not a previous event's bytes. */
	memset(ev->payload, 0, SIM_PAYLOAD_MAX);
	payload_copy(ev->payload, payload, payload_bytes);
	lq_push_slot(&e->queue, at_ns, e->seq++)->value = i;
	e->pending++;
	return handle_of(e, i);
}

bool sim_event_cancel(sim_engine *e, sim_event_id id)
{
	if (e->in_progress)
		sim_panic("sim_event_cancel from a progress callback");
	uint32_t i = slot_of(e, id);
	if (i == NIL)
		return false;
	/* The queue entry stays until it reaches the head: O(1) now, and the
	 * slot and queue entry are held until the event's time. */
	e->slots[i].model = &e->cancelled;
	e->pending--;
	return true;
}

bool sim_event_is_pending(const sim_engine *e, sim_event_id id)
{
	return slot_of(e, id) != NIL;
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
	const lq_key *k;
	while (!e->stop && (k = lq_least(&e->queue)) && k->time_ns <= until_ns) {
		uint64_t t = k->time_ns;
		uint32_t i = k->value;
		lq_drop(&e->queue);
		/* Start loading the slot of the event PREFETCH_AHEAD places
		 * further in the sorted bottom or, right after a refill, the
		 * slots of the bottom's first events. Events that the side
		 * heap or later schedules put first are not covered; they are
		 * few. (Written out here: as a helper function GCC took it for
		 * a pure one and dropped the call.) */
		const sim_queue *q = &e->queue;
		size_t h = q->bot_head;
		if (h + PREFETCH_AHEAD < q->bot_n)
			SLOT_PREFETCH(
				&e->slots[q->bot[h + PREFETCH_AHEAD].value]);
		if (h == 1 && !q->head_in_side) {
			size_t end = q->bot_n < PREFETCH_AHEAD ? q->bot_n
							       : PREFETCH_AHEAD;
			for (size_t j = 1; j < end; j++)
				SLOT_PREFETCH(&e->slots[q->bot[j].value]);
		}
		event *ev = &e->slots[i];
		if (ev->model == &e->cancelled) {
			slot_free(e, i);
			continue;
		}
		/* The slot is freed before the handler runs, so the handler
		 * sees its own handle as stale and may reuse the slot; the
		 * payload is copied out because a schedule may move slots. */
		_Alignas(max_align_t) unsigned char payload[SIM_PAYLOAD_MAX];
		memcpy(payload, ev->payload, SIM_PAYLOAD_MAX);
		sim_model *m = ev->model;
		uint32_t kind = ev->kind;
		slot_free(e, i);
		e->pending--;
		e->now_ns = t;
		m->ops->handle(e, m, m->state, kind, payload);
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
