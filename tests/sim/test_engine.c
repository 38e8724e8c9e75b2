/* SPDX-License-Identifier: MIT */
/*
 * Tests of sim/engine.c: event order and FIFO ties, payload copies, cancel
 * and stale handles, run_until boundaries, stop, progress callbacks, model
 * state and fini, and the panics on scheduling in the past or oversized
 * payloads.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/redirect.h>

#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ---- a recording model ---------------------------------------------------
 * Each event carries a tag; the handler appends (now, tag) to a log and can
 * act on the engine as the kind says. */

enum rec_kind {
	REC_LOG = 1,     /* just record */
	REC_STOP,        /* record, then sim_stop */
	REC_CHAIN,       /* record, then schedule a REC_LOG at now + tag */
	REC_SAME_TIME,   /* record, then schedule a REC_LOG at now */
	REC_CANCEL,      /* record, then cancel the event whose handle is in
			  * the payload's `victim` */
};

typedef struct rec_payload {
	uint64_t tag;
	sim_event_id victim;
	unsigned char bytes[32];
} rec_payload;
_Static_assert(sizeof(rec_payload) <= SIM_PAYLOAD_MAX,
	       "the test payload must fit in an event");

typedef struct rec_entry {
	uint64_t now_ns, tag;
	unsigned char bytes[32];
	bool own_handle_pending;
} rec_entry;

typedef struct rec_state {
	rec_entry *log;
	size_t n, cap;
	sim_event_id *own; /* handle of the event by tag, if recorded */
	size_t nown;
	bool cancel_result;
	int *fini_calls; /* where fini counts, set by the test */
	int *fini_order; /* fini writes its id at fini_order[(*fini_calls)] */
	int id;
} rec_state;

static void rec_handle(sim_engine *e, sim_model *m, void *state,
		       uint32_t kind, const void *payload)
{
	rec_state *s = state;
	rec_payload p;
	memcpy(&p, payload, sizeof p);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->log = realloc(s->log, s->cap * sizeof *s->log);
	}
	rec_entry *r = &s->log[s->n++];
	r->now_ns = sim_now(e);
	r->tag = p.tag;
	memcpy(r->bytes, p.bytes, sizeof r->bytes);
	r->own_handle_pending =
		p.tag < s->nown && sim_event_is_pending(e, s->own[p.tag]);
	switch (kind) {
	case REC_LOG:
		break;
	case REC_STOP:
		sim_stop(e);
		break;
	case REC_CHAIN: {
		rec_payload next = {.tag = p.tag + 1000};
		sim_event_schedule(e, m, sim_now(e) + p.tag, REC_LOG, &next,
				   sizeof next);
		break;
	}
	case REC_SAME_TIME: {
		rec_payload next = {.tag = p.tag + 1000};
		sim_event_schedule(e, m, sim_now(e), REC_LOG, &next,
				   sizeof next);
		break;
	}
	case REC_CANCEL:
		s->cancel_result = sim_event_cancel(e, p.victim);
		break;
	default:
		cr_fatal("unknown event kind %u", kind);
	}
}

static void rec_fini(void *state)
{
	rec_state *s = state;
	if (s->fini_calls) {
		if (s->fini_order)
			s->fini_order[*s->fini_calls] = s->id;
		(*s->fini_calls)++;
	}
	free(s->log);
	free(s->own);
}

static const sim_model_ops rec_ops = {
	.name = "recorder",
	.state_size = sizeof(rec_state),
	.handle = rec_handle,
	.fini = rec_fini,
};

/* No fini hook and no state. */
static const sim_model_ops plain_ops = {
	.name = "plain",
	.state_size = 0,
	.handle = rec_handle,
};

static sim_event_id at(sim_engine *e, sim_model *m, uint64_t t_ns,
		       uint32_t kind, uint64_t tag)
{
	rec_payload p = {.tag = tag};
	return sim_event_schedule(e, m, t_ns, kind, &p, sizeof p);
}

/* ---- order --------------------------------------------------------------- */

Test(sim_engine, events_run_in_time_order_whatever_the_schedule_order)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	const uint64_t times[] = {50, 10, 40, 20, 30};
	for (size_t i = 0; i < 5; i++)
		at(e, m, times[i], REC_LOG, i);
	cr_assert(eq(int, sim_run(e), 0));
	cr_assert(eq(sz, s->n, 5));
	const uint64_t tags[] = {1, 3, 4, 2, 0};
	for (size_t i = 0; i < 5; i++) {
		cr_assert(eq(u64, s->log[i].now_ns, (i + 1) * 10));
		cr_assert(eq(u64, s->log[i].tag, tags[i]));
	}
	sim_engine_destroy(e);
}

Test(sim_engine, equal_times_run_in_schedule_order_across_many_events)
{
	/* 20000 events over 7 distinct times, scheduled in a random order of
	 * times: within each time they must run by schedule order. */
	enum { N = 20000 };
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 99);
	for (uint64_t i = 0; i < N; i++)
		at(e, m, SIM_US(gsl_rng_uniform_int(r, 7)), REC_LOG, i);
	sim_run(e);
	cr_assert(eq(sz, s->n, N));
	for (size_t i = 1; i < N; i++) {
		cr_assert(ge(u64, s->log[i].now_ns, s->log[i - 1].now_ns));
		if (s->log[i].now_ns == s->log[i - 1].now_ns)
			cr_assert(gt(u64, s->log[i].tag, s->log[i - 1].tag),
				  "FIFO broken at %zu", i);
	}
	gsl_rng_free(r);
	sim_engine_destroy(e);
}

Test(sim_engine, an_event_scheduled_now_runs_after_those_already_due_now)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	at(e, m, 100, REC_SAME_TIME, 1);
	at(e, m, 100, REC_LOG, 2);
	at(e, m, 101, REC_LOG, 3);
	sim_run(e);
	cr_assert(eq(sz, s->n, 4));
	const uint64_t tags[] = {1, 2, 1001, 3};
	for (size_t i = 0; i < 4; i++)
		cr_assert(eq(u64, s->log[i].tag, tags[i]), "event %zu", i);
	cr_assert(eq(u64, s->log[2].now_ns, 100));
	sim_engine_destroy(e);
}

Test(sim_engine, handlers_chain_events_and_time_follows_them)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	at(e, m, 5, REC_CHAIN, 7);
	cr_assert(eq(int, sim_run(e), 0));
	cr_assert(eq(sz, s->n, 2));
	cr_assert(eq(u64, s->log[1].now_ns, 12));
	cr_assert(eq(u64, s->log[1].tag, 1007));
	cr_assert(eq(u64, sim_now(e), 12));
	cr_assert(eq(u64, sim_events_executed(e), 2));
	sim_engine_destroy(e);
}

/* ---- payload ------------------------------------------------------------- */

Test(sim_engine, payload_is_copied_when_scheduled)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	rec_payload p = {.tag = 1};
	memset(p.bytes, 0xab, sizeof p.bytes);
	sim_event_schedule(e, m, 10, REC_LOG, &p, sizeof p);
	memset(p.bytes, 0x11, sizeof p.bytes);
	p.tag = 2;
	sim_event_schedule(e, m, 20, REC_LOG, &p, sizeof p);
	memset(&p, 0, sizeof p);
	sim_run(e);
	cr_assert(eq(sz, s->n, 2));
	cr_assert(eq(u64, s->log[0].tag, 1));
	cr_assert(eq(u64, s->log[1].tag, 2));
	for (size_t i = 0; i < sizeof p.bytes; i++) {
		cr_assert(eq(u8, s->log[0].bytes[i], 0xab));
		cr_assert(eq(u8, s->log[1].bytes[i], 0x11));
	}
	sim_engine_destroy(e);
}

Test(sim_engine, bytes_past_a_short_payload_read_as_zero)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	/* A full payload first, so that the slot holds stale bytes. */
	rec_payload full = {.tag = 1};
	memset(full.bytes, 0xff, sizeof full.bytes);
	sim_event_schedule(e, m, 1, REC_LOG, &full, sizeof full);
	sim_run(e);
	uint64_t tag = 2;
	sim_event_schedule(e, m, 2, REC_LOG, &tag, sizeof tag);
	sim_run(e);
	cr_assert(eq(sz, s->n, 2));
	cr_assert(eq(u64, s->log[1].tag, 2));
	for (size_t i = 0; i < sizeof full.bytes; i++)
		cr_assert(eq(u8, s->log[1].bytes[i], 0));
	sim_engine_destroy(e);
}

Test(sim_engine, largest_payload_is_accepted)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	unsigned char big[SIM_PAYLOAD_MAX] = {0};
	cr_assert(ne(u64, sim_event_schedule(e, m, 1, REC_LOG, big,
					     sizeof big),
		     0));
	cr_assert(ne(u64, sim_event_schedule(e, m, 1, REC_LOG, NULL, 0), 0));
	cr_assert(eq(int, sim_run(e), 0));
	cr_assert(eq(u64, sim_events_executed(e), 2));
	sim_engine_destroy(e);
}

Test(sim_engine, oversized_payload_panics, .signal = SIGABRT,
     .init = cr_redirect_stderr)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	unsigned char big[SIM_PAYLOAD_MAX + 1] = {0};
	sim_event_schedule(e, m, 1, REC_LOG, big, sizeof big);
}

Test(sim_engine, scheduling_in_the_past_panics, .signal = SIGABRT,
     .init = cr_redirect_stderr)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	at(e, m, 100, REC_LOG, 0);
	sim_run(e);
	at(e, m, 99, REC_LOG, 1);
}

Test(sim_engine, scheduling_exactly_now_is_allowed)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	cr_assert(eq(int, sim_run_until(e, 100), 0));
	at(e, m, 100, REC_LOG, 0);
	cr_assert(eq(int, sim_run(e), 0));
	cr_assert(eq(u64, sim_events_executed(e), 1));
	sim_engine_destroy(e);
}

/* ---- cancel -------------------------------------------------------------- */

Test(sim_engine, cancelled_event_does_not_run)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	at(e, m, 10, REC_LOG, 1);
	sim_event_id id = at(e, m, 20, REC_LOG, 2);
	at(e, m, 30, REC_LOG, 3);
	cr_assert(sim_event_is_pending(e, id));
	cr_assert(sim_event_cancel(e, id));
	cr_assert(not(sim_event_is_pending(e, id)));
	sim_run(e);
	cr_assert(eq(sz, s->n, 2));
	cr_assert(eq(u64, s->log[0].tag, 1));
	cr_assert(eq(u64, s->log[1].tag, 3));
	sim_engine_destroy(e);
}

Test(sim_engine, cancelling_twice_is_false_the_second_time)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	sim_event_id id = at(e, m, 20, REC_LOG, 2);
	cr_assert(sim_event_cancel(e, id));
	cr_assert(not(sim_event_cancel(e, id)));
	sim_run(e);
	cr_assert(not(sim_event_cancel(e, id)), "still false once dropped");
	sim_engine_destroy(e);
}

Test(sim_engine, cancelling_an_executed_event_is_false)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	sim_event_id id = at(e, m, 20, REC_LOG, 2);
	sim_run(e);
	cr_assert(not(sim_event_is_pending(e, id)));
	cr_assert(not(sim_event_cancel(e, id)));
	cr_assert(not(sim_event_cancel(e, 0)), "0 is no event");
	cr_assert(not(sim_event_is_pending(e, 0)));
	cr_assert(not(sim_event_cancel(e, UINT64_MAX)), "never issued");
	sim_engine_destroy(e);
}

Test(sim_engine, a_stale_handle_never_touches_a_newer_event_in_its_slot)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	/* Each event reuses the slot the previous one freed. */
	sim_event_id old = at(e, m, 1, REC_LOG, 1);
	sim_run(e);
	sim_event_id cancelled = at(e, m, 2, REC_LOG, 2);
	cr_assert(sim_event_cancel(e, cancelled));
	sim_run(e);
	sim_event_id fresh = at(e, m, 3, REC_LOG, 3);
	cr_assert(ne(u64, fresh, old));
	cr_assert(ne(u64, fresh, cancelled));
	cr_assert(not(sim_event_cancel(e, old)));
	cr_assert(not(sim_event_cancel(e, cancelled)));
	cr_assert(sim_event_is_pending(e, fresh));
	sim_run(e);
	cr_assert(eq(sz, s->n, 2));
	cr_assert(eq(u64, s->log[1].tag, 3));
	sim_engine_destroy(e);
}

Test(sim_engine, handler_sees_its_own_handle_as_no_longer_pending)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	s->own = calloc(1, sizeof *s->own);
	s->nown = 1;
	s->own[0] = at(e, m, 5, REC_LOG, 0);
	sim_run(e);
	cr_assert(eq(sz, s->n, 1));
	cr_assert(not(s->log[0].own_handle_pending));
	sim_engine_destroy(e);
}

Test(sim_engine, a_handler_can_cancel_a_later_event)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	sim_event_id victim = at(e, m, 20, REC_LOG, 2);
	rec_payload p = {.tag = 1, .victim = victim};
	sim_event_schedule(e, m, 10, REC_CANCEL, &p, sizeof p);
	sim_run(e);
	cr_assert(s->cancel_result);
	cr_assert(eq(sz, s->n, 1));
	cr_assert(eq(u64, sim_events_executed(e), 1));
	sim_engine_destroy(e);
}

Test(sim_engine, executed_and_pending_counts_leave_out_cancelled_events)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	sim_event_id ids[10];
	for (uint64_t i = 0; i < 10; i++)
		ids[i] = at(e, m, 10 + i, REC_LOG, i);
	cr_assert(eq(sz, sim_events_pending(e), 10));
	for (int i = 0; i < 10; i += 3)
		cr_assert(sim_event_cancel(e, ids[i]));
	cr_assert(eq(sz, sim_events_pending(e), 6));
	cr_assert(eq(int, sim_run_until(e, 14), 0));
	/* Events 10..14 ran except the cancelled 10 and 13. */
	cr_assert(eq(u64, sim_events_executed(e), 3));
	cr_assert(eq(sz, sim_events_pending(e), 3));
	sim_run(e);
	cr_assert(eq(u64, sim_events_executed(e), 6));
	cr_assert(eq(sz, sim_events_pending(e), 0));
	sim_engine_destroy(e);
}

Test(sim_engine, random_schedules_and_cancels_match_a_reference)
{
	/* Schedules at random times and cancels at random; the events that
	 * run must be exactly the uncancelled ones, sorted by (time, order
	 * of scheduling). */
	enum { N = 30000 };
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 1234);
	uint64_t *time = sim_xmalloc(N * sizeof *time);
	bool *alive = sim_xmalloc(N * sizeof *alive);
	sim_event_id *ids = sim_xmalloc(N * sizeof *ids);
	for (uint64_t i = 0; i < N; i++) {
		time[i] = gsl_rng_uniform_int(r, 5000);
		ids[i] = at(e, m, time[i], REC_LOG, i);
		alive[i] = true;
		if (gsl_rng_uniform(r) < 0.3) {
			uint64_t k = gsl_rng_uniform_int(r, (unsigned long)i + 1);
			cr_assert(eq(int, sim_event_cancel(e, ids[k]), alive[k]));
			alive[k] = false;
		}
	}
	size_t want = 0;
	for (size_t i = 0; i < N; i++)
		want += alive[i];
	cr_assert(eq(sz, sim_events_pending(e), want));
	sim_run(e);
	cr_assert(eq(sz, s->n, want));
	cr_assert(eq(u64, sim_events_executed(e), want));
	for (size_t i = 0; i < s->n; i++) {
		uint64_t tag = s->log[i].tag;
		cr_assert(alive[tag], "cancelled event %llu ran",
			  (unsigned long long)tag);
		cr_assert(eq(u64, s->log[i].now_ns, time[tag]));
		if (i > 0) {
			uint64_t prev = s->log[i - 1].tag;
			cr_assert(time[prev] < time[tag] ||
				  (time[prev] == time[tag] && prev < tag));
		}
	}
	free(time);
	free(alive);
	free(ids);
	gsl_rng_free(r);
	sim_engine_destroy(e);
}

/* A hold model at scale: P events pending throughout, each run event
 * schedules a successor, and every seventh cancels an earlier event that
 * may or may not have run. A third of the events are posted (4-byte ids,
 * no handle: a cancel of one is a cancel of handle 0), the rest scheduled
 * (8-byte ids). Enough pending events that the run loop's look-ahead and
 * cell reuse are exercised; the run must match a reference built on a
 * plain binary heap, event for event, cancel results included. */
enum { HOLD_P = 50000, HOLD_RUN = 300000, HOLD_INC = 4096 };

typedef struct hold_ctx {
	const uint64_t *inc;  /* delays by event id % HOLD_INC */
	sim_event_id *handle; /* by event id */
	uint64_t next_id, ran;
	uint64_t *log_t, *log_id;
	bool *log_cancel;
} hold_ctx;

typedef struct hold_state {
	hold_ctx *c;
} hold_state;

/* Event kinds: how the id travels. */
enum { HOLD_SCHEDULED, HOLD_POSTED };

/* Whether event `id` is posted rather than scheduled. */
static bool hold_posted(uint64_t id)
{
	return id % 3 == 1;
}

/* Queues event `id` at `at` as hold_posted says; its handle or 0. */
static sim_event_id hold_add(sim_engine *e, sim_model *m, uint64_t at,
			     uint64_t id)
{
	if (hold_posted(id)) {
		uint32_t p = (uint32_t)id;
		sim_event_post(e, m, at, HOLD_POSTED, &p, sizeof p);
		return 0;
	}
	return sim_event_schedule(e, m, at, HOLD_SCHEDULED, &id, sizeof id);
}

/* The event that event `id` cancels, or UINT64_MAX for none. */
static uint64_t hold_victim(uint64_t id)
{
	return id % 7 == 0 && id >= 40 ? id - 1 - 9 * (id % 5) : UINT64_MAX;
}

static void hold_handle(sim_engine *e, sim_model *m, void *state,
			uint32_t kind, const void *payload)
{
	hold_ctx *c = ((hold_state *)state)->c;
	uint64_t id;
	if (kind == HOLD_POSTED) {
		uint32_t p;
		memcpy(&p, payload, sizeof p);
		id = p;
	} else {
		memcpy(&id, payload, sizeof id);
	}
	cr_assert(eq(u32, kind,
		     hold_posted(id) ? HOLD_POSTED : HOLD_SCHEDULED));
	uint64_t n = c->ran++;
	c->log_t[n] = sim_now(e);
	c->log_id[n] = id;
	uint64_t nid = c->next_id++;
	c->handle[nid] =
		hold_add(e, m, sim_now(e) + c->inc[id % HOLD_INC], nid);
	uint64_t v = hold_victim(id);
	c->log_cancel[n] = v != UINT64_MAX && sim_event_cancel(e, c->handle[v]);
	if (c->ran == HOLD_RUN)
		sim_stop(e);
}

static const sim_model_ops hold_ops = {
	.name = "hold",
	.state_size = sizeof(hold_state),
	.handle = hold_handle,
};

typedef struct hold_key {
	uint64_t t, id; /* ids follow scheduling order, like seqs */
} hold_key;

static bool hold_less(hold_key a, hold_key b)
{
	return a.t < b.t || (a.t == b.t && a.id < b.id);
}

static void hold_push(hold_key *h, size_t *n, hold_key k)
{
	size_t i = (*n)++;
	while (i > 0 && hold_less(k, h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = k;
}

static hold_key hold_pop(hold_key *h, size_t *n)
{
	hold_key top = h[0], last = h[--*n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && hold_less(h[c + 1], h[c]))
			c++;
		if (!hold_less(h[c], last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

Test(sim_engine, a_large_hold_model_with_cancels_matches_a_reference)
{
	enum { IDS = HOLD_P + HOLD_RUN + 1 };
	uint64_t *inc = sim_xmalloc(HOLD_INC * sizeof *inc);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 99);
	for (size_t i = 0; i < HOLD_INC; i++)
		inc[i] = gsl_rng_uniform_int(r, SIM_MS(2)) / 4 * 4;
	gsl_rng_free(r);

	hold_ctx c = {
		.inc = inc,
		.handle = sim_xcalloc(IDS, sizeof(sim_event_id)),
		.log_t = sim_xmalloc(HOLD_RUN * sizeof(uint64_t)),
		.log_id = sim_xmalloc(HOLD_RUN * sizeof(uint64_t)),
		.log_cancel = sim_xmalloc(HOLD_RUN * sizeof(bool)),
	};
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &hold_ops);
	((hold_state *)sim_model_state(m))->c = &c;
	for (uint64_t id = 0; id < HOLD_P; id++)
		c.handle[id] = hold_add(e, m, inc[id % HOLD_INC], id);
	c.next_id = HOLD_P;
	cr_assert(eq(int, sim_run(e), SIM_EINTR));
	cr_assert(eq(u64, c.ran, HOLD_RUN));

	/* The reference: the same decisions on a binary heap, with a flag
	 * per id for "scheduled and neither run nor cancelled". */
	hold_key *h = sim_xmalloc(IDS * sizeof *h);
	bool *alive = sim_xcalloc(IDS, sizeof *alive);
	size_t n = 0;
	uint64_t next = 0;
	for (; next < HOLD_P; next++) {
		hold_push(h, &n, (hold_key){inc[next % HOLD_INC], next});
		alive[next] = true;
	}
	uint64_t ran = 0, cancels = 0, refused = 0;
	while (ran < HOLD_RUN) {
		hold_key k = hold_pop(h, &n);
		if (!alive[k.id])
			continue;
		alive[k.id] = false;
		cr_assert(eq(u64, c.log_t[ran], k.t), "event %llu",
			  (unsigned long long)ran);
		cr_assert(eq(u64, c.log_id[ran], k.id), "event %llu",
			  (unsigned long long)ran);
		hold_push(h, &n, (hold_key){k.t + inc[k.id % HOLD_INC], next});
		alive[next++] = true;
		uint64_t v = hold_victim(k.id);
		bool want = v != UINT64_MAX && alive[v] && !hold_posted(v);
		if (want)
			alive[v] = false;
		cr_assert(eq(int, c.log_cancel[ran], want), "event %llu",
			  (unsigned long long)ran);
		cancels += want;
		refused += v != UINT64_MAX && alive[v] && hold_posted(v);
		ran++;
	}
	cr_assert(gt(u64, cancels, HOLD_RUN / 100), "cancels must happen");
	cr_assert(gt(u64, refused, HOLD_RUN / 300),
		  "posted events must be asked to cancel, and run anyway");
	size_t pending = 0;
	for (size_t i = 0; i < next; i++)
		pending += alive[i];
	cr_assert(eq(sz, sim_events_pending(e), pending));
	for (size_t i = 0; i < next; i += 97)
		cr_assert(eq(int, sim_event_is_pending(e, c.handle[i]),
			     alive[i] && !hold_posted(i)));
	sim_engine_destroy(e);
	free(h);
	free(alive);
	free(inc);
	free(c.handle);
	free(c.log_t);
	free(c.log_id);
	free(c.log_cancel);
}

/* ---- run_until ----------------------------------------------------------- */

Test(sim_engine, run_until_runs_an_event_exactly_at_the_horizon)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	at(e, m, 100, REC_LOG, 1);
	at(e, m, 101, REC_LOG, 2);
	cr_assert(eq(int, sim_run_until(e, 100), 0));
	cr_assert(eq(sz, s->n, 1));
	cr_assert(eq(u64, s->log[0].tag, 1));
	cr_assert(eq(u64, sim_now(e), 100));
	cr_assert(eq(sz, sim_events_pending(e), 1));
	sim_engine_destroy(e);
}

Test(sim_engine, run_until_sets_now_to_the_horizon_when_the_next_event_is_later)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	at(e, m, 10, REC_LOG, 1);
	at(e, m, 500, REC_LOG, 2);
	cr_assert(eq(int, sim_run_until(e, 200), 0));
	cr_assert(eq(sz, s->n, 1));
	cr_assert(eq(u64, sim_now(e), 200));
	/* Scheduling between the horizon and the next event is fine. */
	at(e, m, 300, REC_LOG, 3);
	cr_assert(eq(int, sim_run_until(e, 1000), 0));
	cr_assert(eq(sz, s->n, 3));
	cr_assert(eq(u64, s->log[1].tag, 3));
	cr_assert(eq(u64, s->log[2].tag, 2));
	cr_assert(eq(u64, sim_now(e), 1000), "the queue ran dry: now = horizon");
	sim_engine_destroy(e);
}

Test(sim_engine, run_until_on_an_empty_engine_advances_now)
{
	sim_engine *e = sim_engine_create();
	cr_assert(eq(u64, sim_now(e), 0));
	cr_assert(eq(int, sim_run_until(e, SIM_MS(5)), 0));
	cr_assert(eq(u64, sim_now(e), SIM_MS(5)));
	cr_assert(eq(int, sim_run_until(e, SIM_MS(2)), 0));
	cr_assert(eq(u64, sim_now(e), SIM_MS(5)), "time never goes back");
	sim_engine_destroy(e);
}

Test(sim_engine, run_without_horizon_leaves_now_at_the_last_event)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	at(e, m, 70, REC_LOG, 1);
	at(e, m, 40, REC_LOG, 2);
	cr_assert(eq(int, sim_run(e), 0));
	cr_assert(eq(u64, sim_now(e), 70));
	cr_assert(eq(int, sim_run_until(e, SIM_TIME_MAX), 0));
	cr_assert(eq(u64, sim_now(e), 70));
	sim_engine_destroy(e);
}

Test(sim_engine, a_run_with_only_cancelled_events_leaves_time_alone)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	sim_event_id id = at(e, m, 50, REC_LOG, 1);
	sim_event_cancel(e, id);
	cr_assert(eq(int, sim_run(e), 0));
	cr_assert(eq(u64, sim_now(e), 0), "a cancelled event is not run");
	cr_assert(eq(u64, sim_events_executed(e), 0));
	sim_engine_destroy(e);
}

/* ---- stop and progress --------------------------------------------------- */

Test(sim_engine, stop_from_a_handler_returns_eintr_after_that_event)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	rec_state *s = sim_model_state(m);
	at(e, m, 10, REC_LOG, 1);
	at(e, m, 20, REC_STOP, 2);
	at(e, m, 20, REC_LOG, 3);
	at(e, m, 30, REC_LOG, 4);
	cr_assert(eq(int, sim_run_until(e, 1000), SIM_EINTR));
	cr_assert(eq(sz, s->n, 2));
	cr_assert(eq(u64, sim_now(e), 20), "time stays at the stopping event");
	cr_assert(eq(sz, sim_events_pending(e), 2));
	/* The next run carries on where it stopped. */
	cr_assert(eq(int, sim_run_until(e, 1000), 0));
	cr_assert(eq(sz, s->n, 4));
	cr_assert(eq(u64, s->log[2].tag, 3));
	cr_assert(eq(u64, sim_now(e), 1000));
	sim_engine_destroy(e);
}

Test(sim_engine, stop_from_the_last_event_still_reports_eintr)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	at(e, m, 10, REC_STOP, 1);
	cr_assert(eq(int, sim_run(e), SIM_EINTR));
	cr_assert(eq(int, sim_run(e), 0));
	sim_engine_destroy(e);
}

Test(sim_engine, stop_outside_a_run_has_no_effect)
{
	/* sim_stop asks the running loop to return; with none running there
	 * is nothing to stop, and the next run is not cut short. */
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	at(e, m, 10, REC_LOG, 1);
	sim_stop(e);
	cr_assert(eq(int, sim_run(e), 0));
	cr_assert(eq(u64, sim_events_executed(e), 1));
	sim_engine_destroy(e);
}

typedef struct progress_log {
	uint64_t calls;
	uint64_t executed_at[64];
	uint64_t stop_after; /* call sim_stop on this call (0: never) */
} progress_log;

static void on_progress(void *ctx, sim_engine *e)
{
	progress_log *p = ctx;
	if (p->calls < 64)
		p->executed_at[p->calls] = sim_events_executed(e);
	p->calls++;
	if (p->calls == p->stop_after)
		sim_stop(e);
}

Test(sim_engine, progress_callback_runs_every_n_executed_events)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	progress_log p = {0};
	sim_engine_set_progress(e, on_progress, &p, 7);
	for (uint64_t i = 0; i < 100; i++)
		at(e, m, i, REC_LOG, i);
	/* Cancelled events are not executed and do not count. */
	sim_event_id id = at(e, m, 3, REC_LOG, 999);
	sim_event_cancel(e, id);
	sim_run(e);
	cr_assert(eq(u64, p.calls, 100 / 7));
	for (uint64_t i = 0; i < p.calls; i++)
		cr_assert(eq(u64, p.executed_at[i], (i + 1) * 7));
	/* Turned off, it is not called again. */
	sim_engine_set_progress(e, NULL, NULL, 0);
	for (uint64_t i = 0; i < 50; i++)
		at(e, m, 200 + i, REC_LOG, i);
	sim_run(e);
	cr_assert(eq(u64, p.calls, 100 / 7));
	sim_engine_destroy(e);
}

Test(sim_engine, progress_callback_can_stop_the_run)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	progress_log p = {.stop_after = 3};
	sim_engine_set_progress(e, on_progress, &p, 10);
	for (uint64_t i = 0; i < 100; i++)
		at(e, m, i, REC_LOG, i);
	cr_assert(eq(int, sim_run(e), SIM_EINTR));
	cr_assert(eq(u64, sim_events_executed(e), 30));
	cr_assert(eq(sz, sim_events_pending(e), 70));
	sim_engine_destroy(e);
}

typedef struct attention_log {
	volatile sig_atomic_t flag;
	uint64_t calls, executed_at_call;
} attention_log;

static void on_attention(void *ctx, sim_engine *e)
{
	attention_log *a = ctx;
	a->calls++;
	a->executed_at_call = sim_events_executed(e);
	a->flag = 0;
	sim_stop(e);
}

Test(sim_engine, attention_flag_is_seen_after_the_event_that_raised_it)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	attention_log a = {0};
	sim_engine_set_attention(e, &a.flag, on_attention, &a);
	for (uint64_t i = 0; i < 100; i++)
		at(e, m, i, REC_LOG, i);
	/* Not raised: never called, the run goes to the end. */
	cr_assert(eq(int, sim_run_until(e, 9), 0));
	cr_assert(eq(u64, a.calls, 0));
	/* Raised between events: the next event is the last before the
	 * callback stops the run. */
	a.flag = 1;
	cr_assert(eq(int, sim_run(e), SIM_EINTR));
	cr_assert(eq(u64, a.calls, 1));
	cr_assert(eq(u64, a.executed_at_call, 11));
	cr_assert(eq(int, a.flag, 0));
	/* Turned off, a raised flag is ignored. */
	sim_engine_set_attention(e, NULL, NULL, NULL);
	a.flag = 1;
	cr_assert(eq(int, sim_run(e), 0));
	cr_assert(eq(u64, a.calls, 1));
	cr_assert(eq(u64, sim_events_executed(e), 100));
	sim_engine_destroy(e);
}

static void schedule_from_progress(void *ctx, sim_engine *e)
{
	sim_model *m = ctx;
	at(e, m, sim_now(e) + 1, REC_LOG, 0);
}

Test(sim_engine, scheduling_from_a_progress_callback_panics,
     .signal = SIGABRT, .init = cr_redirect_stderr)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	sim_engine_set_progress(e, schedule_from_progress, m, 1);
	at(e, m, 1, REC_LOG, 0);
	sim_run(e);
}

/* ---- models -------------------------------------------------------------- */

Test(sim_engine, model_state_starts_zeroed_and_belongs_to_its_instance)
{
	sim_engine *e = sim_engine_create();
	sim_model *a = sim_model_add(e, &rec_ops);
	sim_model *b = sim_model_add(e, &rec_ops);
	rec_state *sa = sim_model_state(a), *sb = sim_model_state(b);
	cr_assert(ne(ptr, sa, sb));
	cr_assert(eq(sz, sa->n, 0));
	cr_assert(eq(ptr, sa->log, NULL));
	at(e, b, 1, REC_LOG, 5);
	sim_run(e);
	cr_assert(eq(sz, sa->n, 0));
	cr_assert(eq(sz, sb->n, 1));
	sim_engine_destroy(e);
}

Test(sim_engine, destroy_calls_fini_once_per_model_in_reverse_order)
{
	sim_engine *e = sim_engine_create();
	int calls = 0, order[3] = {-1, -1, -1};
	for (int i = 0; i < 3; i++) {
		rec_state *s = sim_model_state(sim_model_add(e, &rec_ops));
		s->fini_calls = &calls;
		s->fini_order = order;
		s->id = i;
	}
	/* A model without fini and without state is fine too. */
	sim_model_add(e, &plain_ops);
	cr_assert(eq(int, calls, 0));
	sim_engine_destroy(e);
	cr_assert(eq(int, calls, 3));
	cr_assert(eq(int, order[0], 2));
	cr_assert(eq(int, order[1], 1));
	cr_assert(eq(int, order[2], 0));
	sim_engine_destroy(NULL);
}

Test(sim_engine, destroy_with_pending_events_runs_nothing)
{
	sim_engine *e = sim_engine_create();
	sim_model *m = sim_model_add(e, &rec_ops);
	int calls = 0;
	rec_state *s = sim_model_state(m);
	s->fini_calls = &calls;
	for (uint64_t i = 0; i < 1000; i++)
		at(e, m, i, REC_LOG, i);
	sim_event_cancel(e, at(e, m, 5, REC_LOG, 0));
	sim_engine_destroy(e);
	cr_assert(eq(int, calls, 1));
}
