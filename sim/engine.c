/* SPDX-License-Identifier: MIT */
/*
 * The discrete-event engine: models registered by ops table, events ordered
 * by (time, insertion sequence). The queue is sim/ladder.h instantiated
 * with whole events: time, sequence, model, kind and the payload travel
 * together through the ladder, so running an event reads the entry the
 * queue hands over, which is sequential memory, instead of visiting an
 * event array in time order (a cache miss per event once the pending
 * events outgrow the caches: bench/engine_hold measured the engine at 4x
 * its bare queue at 10^5 and 10^6 pending events with such an array).
 *
 * An event's handle is its sequence number (from 1; 0 is "no event"), a
 * ticket that is never reused. A ticket book keeps one bit per seq, set
 * while the event is pending: schedule sets it, cancel clears it, and a pop
 * clears it, or drops the event if it was already clear (cancelled). So
 * cancel is O(1), stale handles are told apart forever, and the run loop
 * touches one bit and one counter per event besides the queue's entries.
 *
 * The engine never reads a clock; wall-time progress is the caller's.
 */
#include "sim.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The payload a handler sees is copied into an aligned buffer. */
_Static_assert(SIM_PAYLOAD_MAX % _Alignof(max_align_t) == 0,
	       "SIM_PAYLOAD_MAX must be a multiple of the maximal alignment");
_Static_assert(SIM_PAYLOAD_MAX > 0 && SIM_PAYLOAD_MAX <= 4096,
	       "SIM_PAYLOAD_MAX is copied by value into every event");

/* One pending event, as the queue holds it: 72 bytes. The payload bytes
 * past what was scheduled are zero. */
typedef struct event {
	uint64_t time_ns, seq;
	uint32_t model; /* index into the engine's models */
	uint32_t kind;
	unsigned char payload[SIM_PAYLOAD_MAX];
} event;

/* Events move in batches between buckets of about this many, and a bucket
 * is sorted into the bottom in one piece: with 72-byte entries, 8 keys a
 * bucket (the bare queue's choice) was as fast as 4 or 16. */
#define LQ_ENTRY event
#define LQ_QUEUE event_queue
#define LQ_MIN_BUCKET_KEYS 8
#include "ladder.h"

struct sim_model {
	const sim_model_ops *ops;
	void *state;
	sim_engine *engine;
	uint32_t index; /* in the engine's models */
};

/*
 * The ticket book: a bit per seq, in pages of TICKET_PAGE seqs (4 KiB of
 * bits). A page counts its events still in the queue (cancelled ones leave
 * when popped) and is freed once that count is zero and its last seq has
 * been handed out. It costs 4 KiB per page between the page of the oldest
 * queued event and the newest (a hold model with 10^6 pending events and
 * exponential delays spans about 15 * 10^6 seqs: 2 MiB), plus 16 bytes per
 * 2^15 seqs handed out after a long-pending event, whose page stays.
 * Schedules write bits in order; a pop writes one bit in that window.
 */
enum { TICKET_SHIFT = 15, TICKET_PAGE = 1 << TICKET_SHIFT };

typedef struct ticket_page {
	uint64_t *bits; /* bit s % TICKET_PAGE: pending; NULL once freed */
	uint64_t live;  /* events of this page still in the queue */
} ticket_page;

struct sim_engine {
	lq_queue queue;

	uint64_t now_ns;
	uint64_t seq;              /* the next event's seq (from 1) */
	uint64_t executed;         /* handlers run */
	size_t pending;            /* scheduled, not yet run or cancelled */

	/* Ticket book: page number tk_base + i is tk[i]; pages below
	 * tk_head are all freed. */
	ticket_page *tk;
	size_t tk_head, tk_n, tk_cap;
	uint64_t tk_base;
	uint64_t *tk_spare; /* one freed page kept for reuse */

	sim_model **models;
	size_t nmodels, models_cap;

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
	e->seq = 1;
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
	for (size_t i = e->tk_head; i < e->tk_n; i++)
		free(e->tk[i].bits);
	free(e->tk);
	free(e->tk_spare);
	lq_fini(&e->queue);
	free(e);
}

sim_model *sim_model_add(sim_engine *e, const sim_model_ops *ops)
{
	if (!ops || !ops->handle)
		sim_panic("sim_model_add: ops table without a handle hook");
	if (e->nmodels >= UINT32_MAX)
		sim_panic("sim_model_add: too many models");
	sim_model *m = sim_xmalloc(sizeof *m);
	m->ops = ops;
	m->state = sim_xcalloc(1, ops->state_size);
	m->engine = e;
	m->index = (uint32_t)e->nmodels;
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

/* ---- ticket book ---------------------------------------------------------- */

/* Frees page tk[i] if no event of it is in the queue and it is not the page
 * still being handed out (the last one), then moves tk_head past freed
 * pages, compacting the array when that frees half of it. */
static void ticket_page_release(sim_engine *e, size_t i)
{
	ticket_page *p = &e->tk[i];
	if (p->live || i + 1 == e->tk_n || !p->bits)
		return;
	if (e->tk_spare)
		free(p->bits);
	else
		e->tk_spare = p->bits;
	p->bits = NULL;
	while (e->tk_head < e->tk_n && !e->tk[e->tk_head].bits)
		e->tk_head++;
	if (e->tk_head > 64 && e->tk_head >= e->tk_n / 2) {
		memmove(e->tk, e->tk + e->tk_head,
			(e->tk_n - e->tk_head) * sizeof *e->tk);
		e->tk_base += e->tk_head;
		e->tk_n -= e->tk_head;
		e->tk_head = 0;
	}
}

/* A new page at the end of the book, for the seqs from page number
 * tk_base + tk_n on. The page before it may now be freed. */
static void ticket_page_add(sim_engine *e)
{
	if (e->tk_n == e->tk_cap) {
		e->tk_cap = e->tk_cap ? 2 * e->tk_cap : 16;
		e->tk = sim_xrealloc(e->tk, e->tk_cap, sizeof *e->tk);
	}
	uint64_t *bits = e->tk_spare;
	e->tk_spare = NULL;
	if (!bits)
		bits = sim_xmalloc(TICKET_PAGE / 8);
	memset(bits, 0, TICKET_PAGE / 8);
	e->tk[e->tk_n++] = (ticket_page){bits, 0};
	if (e->tk_n >= 2)
		ticket_page_release(e, e->tk_n - 2);
}

/* Marks the event with seq s (the next one handed out) pending. */
static inline void ticket_add(sim_engine *e, uint64_t s)
{
	uint64_t i = (s >> TICKET_SHIFT) - e->tk_base;
	if (i == e->tk_n)
		ticket_page_add(e);
	ticket_page *p = &e->tk[i];
	p->bits[(s & (TICKET_PAGE - 1)) >> 6] |= UINT64_C(1) << (s & 63);
	p->live++;
}

/* The event with seq s has left the queue. Returns whether it was pending
 * (not cancelled), and clears its bit. */
static inline bool ticket_pop(sim_engine *e, uint64_t s)
{
	size_t i = (size_t)((s >> TICKET_SHIFT) - e->tk_base);
	ticket_page *p = &e->tk[i];
	uint64_t *w = &p->bits[(s & (TICKET_PAGE - 1)) >> 6];
	uint64_t bit = UINT64_C(1) << (s & 63);
	bool was = (*w & bit) != 0;
	*w &= ~bit;
	if (--p->live == 0)
		ticket_page_release(e, i);
	return was;
}

/* The word holding the bit of handle id and the bit, or NULL if the event
 * is certainly not pending (never handed out, or its page is freed). */
static uint64_t *ticket_word(const sim_engine *e, sim_event_id id,
			     uint64_t *bit)
{
	if (id == 0 || id >= e->seq)
		return NULL;
	uint64_t page = id >> TICKET_SHIFT;
	if (page < e->tk_base + e->tk_head)
		return NULL;
	const ticket_page *p = &e->tk[page - e->tk_base];
	if (!p->bits)
		return NULL;
	*bit = UINT64_C(1) << (id & 63);
	return &p->bits[(id & (TICKET_PAGE - 1)) >> 6];
}

/* ---- events --------------------------------------------------------------- */

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
	uint64_t s = e->seq++;
	event *ev = lq_push_slot(&e->queue, at_ns, s);
	ev->model = m->index;
	ev->kind = kind;
	/* The unused tail is zeroed so that a handler reading past what was
	 * scheduled sees zeros, not a previous event's bytes. */
	if (payload_bytes)
		memcpy(ev->payload, payload, payload_bytes);
	memset(ev->payload + payload_bytes, 0, SIM_PAYLOAD_MAX - payload_bytes);
	ticket_add(e, s);
	e->pending++;
	return s;
}

bool sim_event_cancel(sim_engine *e, sim_event_id id)
{
	if (e->in_progress)
		sim_panic("sim_event_cancel from a progress callback");
	uint64_t bit, *w = ticket_word(e, id, &bit);
	if (!w || !(*w & bit))
		return false;
	/* The queue entry stays until it reaches the head, where the clear
	 * bit drops it: O(1) now, and the entry is held until its time. */
	*w &= ~bit;
	e->pending--;
	return true;
}

bool sim_event_is_pending(const sim_engine *e, sim_event_id id)
{
	uint64_t bit, *w = ticket_word(e, id, &bit);
	return w && (*w & bit);
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
	const event *ev;
	while (!e->stop && (ev = lq_least(&e->queue)) &&
	       ev->time_ns <= until_ns) {
		uint64_t t = ev->time_ns, s = ev->seq;
		/* The payload is copied out (into aligned storage) because the
		 * handler's schedules may move the queue's entries. */
		_Alignas(max_align_t) unsigned char payload[SIM_PAYLOAD_MAX];
		memcpy(payload, ev->payload, SIM_PAYLOAD_MAX);
		sim_model *m = e->models[ev->model];
		uint32_t kind = ev->kind;
		lq_drop(&e->queue);
		/* From here the handle is stale, also to its own handler. */
		if (!ticket_pop(e, s))
			continue; /* cancelled */
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
