/* SPDX-License-Identifier: MIT */
/*
 * Tests of sim/engine.c's three ways of keeping an event: a posted one
 * (sim_event_post) with a payload of at most 4 bytes, a small kind and
 * model index travels whole in its queue key; any other event with a
 * payload of at most 8 bytes lives in a cell, the rest in a record. They
 * must not be told apart by a model: the same FIFO order at equal times
 * (posts and schedules alike), the same payload bytes with zeros past
 * what was given, kinds and models as scheduled, and the same cancel and
 * handle rules for cells and records.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/redirect.h>

#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* What a handler saw. */
typedef struct seen {
	uint64_t now_ns;
	uint32_t kind;
	int model; /* the state's id */
	unsigned char payload[SIM_PAYLOAD_MAX];
} seen;

/* Where every model of a test writes (shared). */
typedef struct journal {
	seen *log;
	size_t n, cap;
} journal;

typedef struct probe_state {
	journal *j;
	int id;
} probe_state;

static void probe_handle(sim_engine *e, sim_model *m, void *state,
			 uint32_t kind, const void *payload)
{
	(void)m;
	probe_state *s = state;
	journal *j = s->j;
	if (j->n == j->cap) {
		j->cap = j->cap ? 2 * j->cap : 64;
		j->log = realloc(j->log, j->cap * sizeof *j->log);
	}
	seen *w = &j->log[j->n++];
	w->now_ns = sim_now(e);
	w->kind = kind;
	w->model = s->id;
	memcpy(w->payload, payload, SIM_PAYLOAD_MAX);
}

static const sim_model_ops probe_ops = {
	.name = "probe",
	.state_size = sizeof(probe_state),
	.handle = probe_handle,
};

static sim_model *probe(sim_engine *e, journal *j, int id)
{
	sim_model *m = sim_model_add(e, &probe_ops);
	probe_state *s = sim_model_state(m);
	s->j = j;
	s->id = id;
	return m;
}

/* A payload of n bytes whose bytes all differ from zero. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(1 + (seed * 31 + i * 7) % 255);
}

/* Kinds and payload sizes on both sides of the inline limits. */
static const uint32_t kinds[] = {0, 1, 0xFFFE, 0xFFFF, 0x10000, UINT32_MAX};
static const size_t sizes[] = {0, 1, 3, 4, 5, 7, 8, 9, 16,
			       SIM_PAYLOAD_MAX - 1, SIM_PAYLOAD_MAX};
enum { NKINDS = sizeof kinds / sizeof *kinds,
       NSIZES = sizeof sizes / sizeof *sizes };

Test(sim_engine_paths, every_kind_and_payload_size_arrive_as_scheduled)
{
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model *m = probe(e, &j, 7);
	/* Full payloads first, so that whatever held them holds stale
	 * bytes when the shorter ones reuse it. */
	unsigned char full[SIM_PAYLOAD_MAX];
	memset(full, 0xee, sizeof full);
	for (int i = 0; i < NKINDS * NSIZES; i++)
		sim_event_schedule(e, m, 1, kinds[i % NKINDS], full,
				   sizeof full);
	sim_run(e);
	j.n = 0;
	for (int k = 0; k < NKINDS; k++)
		for (int z = 0; z < NSIZES; z++) {
			unsigned char p[SIM_PAYLOAD_MAX];
			fill(p, sizes[z], (unsigned)(k * NSIZES + z));
			sim_event_schedule(e, m, 2, kinds[k], p, sizes[z]);
		}
	sim_run(e);
	cr_assert(eq(sz, j.n, (size_t)NKINDS * NSIZES));
	for (int k = 0; k < NKINDS; k++)
		for (int z = 0; z < NSIZES; z++) {
			const seen *w = &j.log[k * NSIZES + z];
			unsigned char p[SIM_PAYLOAD_MAX] = {0};
			fill(p, sizes[z], (unsigned)(k * NSIZES + z));
			cr_assert(eq(u32, w->kind, kinds[k]));
			cr_assert(eq(int, w->model, 7));
			cr_assert(eq(u64, w->now_ns, 2));
			cr_assert(eq(int, memcmp(w->payload, p, sizeof p), 0),
				  "payload of %zu bytes, kind %u", sizes[z],
				  kinds[k]);
		}
	free(j.log);
	sim_engine_destroy(e);
}

/* Many models, so that the last ones are past what a key can name (the
 * engine then keeps their events in records): events of the first and
 * last models, small and large, posted or scheduled, interleaved at a few
 * equal times, run in (time, scheduling order) and reach the right
 * model. */
Test(sim_engine_paths, small_and_large_events_keep_fifo_order_at_equal_times)
{
	enum { MODELS = 0x10002, N = 20000, TIMES = 5 };
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model **ms = sim_xmalloc(MODELS * sizeof *ms);
	for (int i = 0; i < MODELS; i++)
		ms[i] = probe(e, &j, i);
	const int pick[] = {0, 1, 0xFFFE, 0xFFFF, 0x10000, MODELS - 1};
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 4242);
	uint64_t *t = sim_xmalloc(N * sizeof *t);
	int *mi = sim_xmalloc(N * sizeof *mi);
	size_t *sz = sim_xmalloc(N * sizeof *sz);
	uint32_t *kd = sim_xmalloc(N * sizeof *kd);
	for (unsigned i = 0; i < N; i++) {
		t[i] = 100 * gsl_rng_uniform_int(r, TIMES);
		mi[i] = pick[gsl_rng_uniform_int(r, sizeof pick / sizeof *pick)];
		sz[i] = sizes[gsl_rng_uniform_int(r, NSIZES)];
		kd[i] = kinds[gsl_rng_uniform_int(r, NKINDS)];
		/* The event's number in its first four bytes when it has
		 * them, else as many of them as fit. */
		unsigned char p[SIM_PAYLOAD_MAX];
		fill(p, sz[i], i);
		memcpy(p, &i, sz[i] < sizeof i ? sz[i] : sizeof i);
		if (gsl_rng_uniform_int(r, 2))
			sim_event_post(e, ms[mi[i]], t[i], kd[i], p, sz[i]);
		else
			sim_event_schedule(e, ms[mi[i]], t[i], kd[i], p,
					   sz[i]);
	}
	sim_run(e);
	cr_assert(eq(sz, j.n, (size_t)N));
	/* The expected order: by time, then by scheduling order. */
	size_t k = 0;
	for (uint64_t when = 0; when < 100 * TIMES; when += 100)
		for (unsigned i = 0; i < N; i++) {
			if (t[i] != when)
				continue;
			const seen *w = &j.log[k++];
			unsigned char p[SIM_PAYLOAD_MAX] = {0};
			fill(p, sz[i], i);
			memcpy(p, &i, sz[i] < sizeof i ? sz[i] : sizeof i);
			cr_assert(eq(u64, w->now_ns, when));
			cr_assert(eq(int, w->model, mi[i]), "event %u", i);
			cr_assert(eq(u32, w->kind, kd[i]), "event %u", i);
			cr_assert(eq(int, memcmp(w->payload, p, sizeof p), 0),
				  "event %u", i);
		}
	cr_assert(eq(sz, k, (size_t)N));
	free(t);
	free(mi);
	free(sz);
	free(kd);
	free(ms);
	gsl_rng_free(r);
	free(j.log);
	sim_engine_destroy(e);
}

/* Each posted event runs right after a cell event whose 8 payload bytes
 * are all set, so that a posted payload shorter than 8 bytes shows any
 * byte the cell event left behind. */
Test(sim_engine_paths, every_kind_and_payload_size_arrive_as_posted)
{
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model *m = probe(e, &j, 3);
	unsigned char full[8];
	memset(full, 0xee, sizeof full);
	for (int k = 0; k < NKINDS; k++)
		for (int z = 0; z < NSIZES; z++) {
			unsigned char p[SIM_PAYLOAD_MAX];
			fill(p, sizes[z], (unsigned)(k * NSIZES + z));
			sim_event_schedule(e, m, 5, 1, full, sizeof full);
			sim_event_post(e, m, 5, kinds[k], p, sizes[z]);
		}
	cr_assert(eq(sz, sim_events_pending(e), 2 * NKINDS * NSIZES));
	sim_run(e);
	cr_assert(eq(sz, j.n, 2 * NKINDS * NSIZES));
	cr_assert(eq(sz, sim_events_pending(e), 0));
	for (int k = 0; k < NKINDS; k++)
		for (int z = 0; z < NSIZES; z++) {
			const seen *w = &j.log[2 * (k * NSIZES + z) + 1];
			unsigned char p[SIM_PAYLOAD_MAX] = {0};
			fill(p, sizes[z], (unsigned)(k * NSIZES + z));
			cr_assert(eq(u32, w->kind, kinds[k]));
			cr_assert(eq(int, w->model, 3));
			cr_assert(eq(int, memcmp(w->payload, p, sizeof p), 0),
				  "posted payload of %zu bytes, kind %u",
				  sizes[z], kinds[k]);
		}
	free(j.log);
	sim_engine_destroy(e);
}

/* A cell and a record can hold the same index and gen at once: their
 * handles must still name one event each. */
Test(sim_engine_paths, a_cell_handle_never_names_a_record_event)
{
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model *m = probe(e, &j, 0);
	unsigned char p[SIM_PAYLOAD_MAX] = {1};
	sim_event_id small = sim_event_schedule(e, m, 1, 1, p, 8);
	sim_event_id large = sim_event_schedule(e, m, 1, 2, p, sizeof p);
	cr_assert(ne(u64, small, large));
	cr_assert(eq(u32, (uint32_t)(small >> 32), (uint32_t)(large >> 32)),
		  "the first cell and record share their gen");
	cr_assert(sim_event_cancel(e, small));
	cr_assert(sim_event_is_pending(e, large));
	cr_assert(not(sim_event_cancel(e, small)));
	sim_run(e);
	cr_assert(eq(sz, j.n, 1));
	cr_assert(eq(u32, j.log[0].kind, 2));
	/* Handles that name no cell or record yet are not pending. */
	cr_assert(not(sim_event_is_pending(e, (uint64_t)1 << 32 | 5)));
	cr_assert(not(sim_event_cancel(e, (uint64_t)1 << 32 | 1u << 31 | 5)));
	free(j.log);
	sim_engine_destroy(e);
}

static void post_now(void *ctx, sim_engine *e)
{
	sim_event_post(e, ctx, sim_now(e), 0, NULL, 0);
}

Test(sim_engine_paths, posting_from_a_progress_callback_panics,
     .signal = SIGABRT, .init = cr_redirect_stderr)
{
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model *m = probe(e, &j, 0);
	sim_engine_set_progress(e, post_now, m, 1);
	sim_event_post(e, m, 1, 0, NULL, 0);
	sim_run(e);
}

Test(sim_engine_paths, posting_in_the_past_panics, .signal = SIGABRT,
     .init = cr_redirect_stderr)
{
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model *m = probe(e, &j, 0);
	sim_run_until(e, 10);
	sim_event_post(e, m, 9, 0, NULL, 0);
}

Test(sim_engine_paths, posting_an_oversized_payload_panics,
     .signal = SIGABRT, .init = cr_redirect_stderr)
{
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model *m = probe(e, &j, 0);
	unsigned char p[SIM_PAYLOAD_MAX + 1] = {0};
	sim_event_post(e, m, 1, 0, p, sizeof p);
}

/* Schedules an event that goes into a cell (small) or a record. */
static sim_event_id sched(sim_engine *e, sim_model *m, uint64_t t,
			  bool small, unsigned tag)
{
	unsigned char p[SIM_PAYLOAD_MAX] = {0};
	memcpy(p, &tag, sizeof tag);
	return sim_event_schedule(e, m, t, 1, p, small ? 8 : SIM_PAYLOAD_MAX);
}

Test(sim_engine_paths, cancel_works_the_same_for_small_and_large_events)
{
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model *m = probe(e, &j, 0);
	sim_event_id a = sched(e, m, 10, true, 1);
	sim_event_id b = sched(e, m, 10, false, 2);
	sim_event_id c = sched(e, m, 10, true, 3);
	sim_event_id d = sched(e, m, 10, false, 4);
	cr_assert(eq(sz, sim_events_pending(e), 4));
	cr_assert(sim_event_cancel(e, a));
	cr_assert(sim_event_cancel(e, b));
	cr_assert(not(sim_event_cancel(e, a)));
	cr_assert(not(sim_event_cancel(e, b)));
	cr_assert(not(sim_event_is_pending(e, a)));
	cr_assert(not(sim_event_is_pending(e, b)));
	cr_assert(sim_event_is_pending(e, c));
	cr_assert(sim_event_is_pending(e, d));
	cr_assert(eq(sz, sim_events_pending(e), 2));
	sim_run(e);
	cr_assert(eq(sz, j.n, 2));
	unsigned tag;
	memcpy(&tag, j.log[0].payload, sizeof tag);
	cr_assert(eq(u32, tag, 3));
	memcpy(&tag, j.log[1].payload, sizeof tag);
	cr_assert(eq(u32, tag, 4));
	cr_assert(eq(u64, sim_events_executed(e), 2));
	cr_assert(not(sim_event_cancel(e, c)));
	cr_assert(not(sim_event_cancel(e, d)));
	free(j.log);
	sim_engine_destroy(e);
}

/* A handle stays stale however its slot is reused: by a small or a large
 * event, after the event ran or after it was cancelled. */
Test(sim_engine_paths, handles_of_run_or_cancelled_events_stay_stale)
{
	journal j = {0};
	sim_engine *e = sim_engine_create();
	sim_model *m = probe(e, &j, 0);
	enum { ROUNDS = 64 };
	sim_event_id old[2 * ROUNDS];
	size_t nold = 0;
	for (unsigned i = 0; i < ROUNDS; i++) {
		uint64_t now = sim_now(e);
		/* One slot in use at a time: each event reuses the last
		 * one's slot. */
		sim_event_id ran = sched(e, m, now + 1, i % 2, i);
		sim_run(e);
		sim_event_id dropped = sched(e, m, now + 2, i % 3 == 0, i);
		cr_assert(sim_event_cancel(e, dropped));
		sim_run(e);
		old[nold++] = ran;
		old[nold++] = dropped;
		sim_event_id live = sched(e, m, now + 3, i % 5 < 2, i);
		for (size_t k = 0; k < nold; k++) {
			cr_assert(ne(u64, old[k], live));
			cr_assert(not(sim_event_is_pending(e, old[k])));
			cr_assert(not(sim_event_cancel(e, old[k])));
		}
		cr_assert(sim_event_is_pending(e, live));
		cr_assert(sim_event_cancel(e, live));
		sim_run(e);
	}
	cr_assert(eq(sz, j.n, ROUNDS));
	cr_assert(not(sim_event_is_pending(e, 0)));
	free(j.log);
	sim_engine_destroy(e);
}
