/* SPDX-License-Identifier: MIT */
/*
 * Tests of sim/queue.c: pops must come out in exact (time, seq) order for
 * any input. Random and adversarial inputs are checked against a reference,
 * either a sort of the same keys or a binary heap fed the same operations.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

typedef struct key {
	uint64_t time_ns, seq;
	uint32_t value;
} key;

static bool key_less(const key *a, const key *b)
{
	return a->time_ns < b->time_ns ||
	       (a->time_ns == b->time_ns && a->seq < b->seq);
}

static int key_cmp(const void *pa, const void *pb)
{
	const key *a = pa, *b = pb;
	return key_less(a, b) ? -1 : key_less(b, a) ? 1 : 0;
}

/* The reference for interleaved operations: a textbook binary heap. */
typedef struct ref_heap {
	key *a;
	size_t n, cap;
} ref_heap;

static void ref_push(ref_heap *h, key k)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->a = realloc(h->a, h->cap * sizeof *h->a);
	}
	size_t i = h->n++;
	while (i > 0 && key_less(&k, &h->a[(i - 1) / 2])) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = k;
}

static key ref_pop(ref_heap *h)
{
	key top = h->a[0], last = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && key_less(&h->a[c + 1], &h->a[c]))
			c++;
		if (!key_less(&h->a[c], &last))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (h->n)
		h->a[i] = last;
	return top;
}

static gsl_rng *stream(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	return r;
}

static uint64_t rand64(gsl_rng *r)
{
	/* mt19937 gives 32 bits a call. */
	return (gsl_rng_get(r) << 32) ^ gsl_rng_get(r);
}

/* Pushes keys[0..n) in array order, pops everything and checks the order
 * against a sorted copy, values included. */
static void check_sorted_pops(key *keys, size_t n)
{
	sim_queue *q = sim_queue_create();
	for (size_t i = 0; i < n; i++)
		sim_queue_push(q, keys[i].time_ns, keys[i].seq, keys[i].value);
	cr_assert(eq(sz, sim_queue_len(q), n));
	qsort(keys, n, sizeof *keys, key_cmp);
	for (size_t i = 0; i < n; i++) {
		uint64_t t, s;
		uint32_t v;
		cr_assert(sim_queue_pop(q, &t, &s, &v), "pop %zu of %zu", i, n);
		cr_assert(eq(u64, t, keys[i].time_ns), "pop %zu", i);
		cr_assert(eq(u64, s, keys[i].seq), "pop %zu", i);
		cr_assert(eq(u32, v, keys[i].value), "pop %zu", i);
	}
	cr_assert(not(sim_queue_pop(q, NULL, NULL, NULL)));
	cr_assert(eq(sz, sim_queue_len(q), 0));
	sim_queue_destroy(q);
}

Test(sim_queue, empty_queue_pops_and_peeks_nothing)
{
	sim_queue *q = sim_queue_create();
	uint64_t t = 7, s = 7;
	uint32_t v = 7;
	cr_assert(not(sim_queue_pop(q, &t, &s, &v)));
	cr_assert(not(sim_queue_peek(q, &t, &s, &v)));
	cr_assert(eq(u64, t, 7), "out-parameters are left alone");
	cr_assert(eq(sz, sim_queue_len(q), 0));
	sim_queue_push(q, 5, 1, 2);
	cr_assert(sim_queue_pop(q, NULL, NULL, NULL));
	cr_assert(not(sim_queue_pop(q, NULL, NULL, NULL)),
		  "a drained queue is empty again");
	sim_queue_destroy(q);
	sim_queue_destroy(NULL);
}

Test(sim_queue, equal_times_pop_in_schedule_order)
{
	enum { N = 50000 };
	sim_queue *q = sim_queue_create();
	for (uint64_t i = 0; i < N; i++)
		sim_queue_push(q, SIM_MS(3), i, (uint32_t)i);
	for (uint64_t i = 0; i < N; i++) {
		uint64_t t, s;
		cr_assert(sim_queue_pop(q, &t, &s, NULL));
		cr_assert(eq(u64, t, SIM_MS(3)));
		cr_assert(eq(u64, s, i));
	}
	sim_queue_destroy(q);
}

Test(sim_queue, equal_times_with_shuffled_seqs_pop_by_seq)
{
	enum { N = 40000 };
	gsl_rng *r = stream(11);
	key *keys = sim_xmalloc(N * sizeof *keys);
	for (size_t i = 0; i < N; i++)
		keys[i] = (key){42, i * 3, (uint32_t)i};
	gsl_ran_shuffle(r, keys, N, sizeof *keys);
	check_sorted_pops(keys, N);
	free(keys);
	gsl_rng_free(r);
}

Test(sim_queue, random_keys_pop_in_the_order_of_a_reference_sort)
{
	gsl_rng *r = stream(1);
	/* Sizes straddle the thresholds of the structure: a few keys, one
	 * bucket's worth, and more than one bucket may hold. */
	const size_t sizes[] = {1, 2, 9, 100, 5000, 70000};
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
		size_t n = sizes[si];
		key *keys = sim_xmalloc(n * sizeof *keys);
		for (size_t i = 0; i < n; i++)
			keys[i] = (key){(uint64_t)gsl_ran_exponential(r, 1e6),
					rand64(r), (uint32_t)i};
		check_sorted_pops(keys, n);
		free(keys);
	}
	gsl_rng_free(r);
}

Test(sim_queue, keys_spread_over_the_whole_clock_are_ordered)
{
	enum { N = 30000 };
	gsl_rng *r = stream(2);
	key *keys = sim_xmalloc(N * sizeof *keys);
	for (size_t i = 0; i < N; i++)
		keys[i] = (key){rand64(r), i, (uint32_t)i};
	keys[0].time_ns = 0;
	keys[1].time_ns = UINT64_MAX;
	keys[2].time_ns = UINT64_C(1) << 63;
	keys[3].time_ns = (UINT64_C(1) << 63) - 1;
	check_sorted_pops(keys, N);
	free(keys);
	gsl_rng_free(r);
}

Test(sim_queue, times_at_the_top_of_the_clock_are_ordered)
{
	enum { N = 20000 };
	gsl_rng *r = stream(3);
	key *keys = sim_xmalloc(N * sizeof *keys);
	/* Many keys share UINT64_MAX exactly, the rest lie just below it. */
	for (size_t i = 0; i < N; i++)
		keys[i] = (key){UINT64_MAX - gsl_rng_uniform_int(r, 50),
				rand64(r), (uint32_t)i};
	check_sorted_pops(keys, N);
	free(keys);
	gsl_rng_free(r);
}

Test(sim_queue, keys_at_the_maximum_time_can_follow_pops)
{
	/* After the queue has taken UINT64_MAX into its structure, more keys
	 * at and below that time must still come out in order. */
	sim_queue *q = sim_queue_create();
	sim_queue_push(q, UINT64_MAX, 1, 1);
	sim_queue_push(q, UINT64_MAX - 5, 2, 2);
	sim_queue_push(q, 10, 3, 3);
	uint64_t t, s;
	cr_assert(sim_queue_pop(q, &t, &s, NULL));
	cr_assert(eq(u64, s, 3));
	sim_queue_push(q, UINT64_MAX, 0, 4);
	sim_queue_push(q, UINT64_MAX - 1, 9, 5);
	sim_queue_push(q, 11, 8, 6);
	const uint64_t want[] = {8, 2, 9, 0, 1};
	for (size_t i = 0; i < 5; i++) {
		cr_assert(sim_queue_pop(q, &t, &s, NULL));
		cr_assert(eq(u64, s, want[i]), "pop %zu", i);
	}
	cr_assert(not(sim_queue_pop(q, NULL, NULL, NULL)));
	sim_queue_destroy(q);
}

Test(sim_queue, pushes_earlier_than_the_last_pop_come_out_first)
{
	sim_queue *q = sim_queue_create();
	for (uint64_t i = 0; i < 1000; i++)
		sim_queue_push(q, 1000 + i * 10, i, 0);
	uint64_t t, s;
	for (int i = 0; i < 500; i++)
		cr_assert(sim_queue_pop(q, &t, &s, NULL));
	cr_assert(eq(u64, t, 1000 + 499 * 10));
	/* Earlier than everything popped so far, then between pops. */
	sim_queue_push(q, 3, 5000, 0);
	sim_queue_push(q, 1000 + 250 * 10 + 1, 5001, 0);
	sim_queue_push(q, 1000 + 499 * 10, 5002, 0);
	sim_queue_push(q, 1000 + 499 * 10, 1, 0);
	const uint64_t want[] = {5000, 5001, 1, 5002, 500};
	for (size_t i = 0; i < 5; i++) {
		cr_assert(sim_queue_pop(q, &t, &s, NULL));
		cr_assert(eq(u64, s, want[i]), "pop %zu", i);
	}
	sim_queue_destroy(q);
}

/* Draws a time for mode m relative to the last popped time. */
static uint64_t draw_time(gsl_rng *r, int m, uint64_t last)
{
	switch (m) {
	case 0: /* the hold model */
		return last + (uint64_t)gsl_ran_exponential(r, 1e6);
	case 1: /* heavy ties */
		return last + gsl_rng_uniform_int(r, 4);
	case 2: /* anywhere on the clock, often in the past */
		return rand64(r);
	case 3: /* at the top of the clock */
		return UINT64_MAX - gsl_rng_uniform_int(r, 1000);
	case 4: /* one time for everything */
		return 12345;
	case 5: /* rare far-future outliers among near keys */
		return last + (gsl_rng_uniform(r) < 0.001
				       ? UINT64_C(1) << 50
				       : gsl_rng_uniform_int(r, 1000));
	case 6: /* earlier than the last pop */
		return last > 500 ? last - gsl_rng_uniform_int(r, 500) : last;
	case 7: /* increments of every magnitude */
	{
		uint64_t d = UINT64_C(1) << gsl_rng_uniform_int(r, 63);
		return last <= UINT64_MAX - d ? last + d : UINT64_MAX;
	}
	default: /* zero-delay events */
		return last;
	}
}

Test(sim_queue, interleaved_operations_match_a_reference_heap)
{
	gsl_rng *r = stream(4);
	for (int round = 0; round < 120; round++) {
		sim_queue *q = sim_queue_create();
		ref_heap h = {0};
		int mode = (int)gsl_rng_uniform_int(r, 9);
		int other = (int)gsl_rng_uniform_int(r, 9);
		int seq_mode = (int)gsl_rng_uniform_int(r, 3);
		size_t target = (size_t)1 << gsl_rng_uniform_int(r, 15);
		uint64_t seq = 0, last = 0;
		long ops = 5000 + (long)gsl_rng_uniform_int(r, 40000);
		for (long i = 0; i < ops; i++) {
			double u = gsl_rng_uniform(r);
			if (h.n < target ? u < 0.7 : u < 0.3) {
				int m = gsl_rng_uniform(r) < 0.9 ? mode : other;
				uint64_t s = seq_mode == 0   ? seq
					     : seq_mode == 1 ? UINT64_MAX - seq
							     : rand64(r) ^ (seq << 48);
				seq++;
				key k = {draw_time(r, m, last), s, (uint32_t)i};
				sim_queue_push(q, k.time_ns, k.seq, k.value);
				ref_push(&h, k);
			} else if (u < 0.95 || h.n == 0) {
				uint64_t t, s;
				uint32_t v;
				bool ok = sim_queue_pop(q, &t, &s, &v);
				cr_assert(eq(int, ok, h.n > 0));
				if (!ok)
					continue;
				key k = ref_pop(&h);
				cr_assert(eq(u64, t, k.time_ns),
					  "round %d (modes %d/%d) op %ld", round,
					  mode, other, i);
				cr_assert(eq(u64, s, k.seq), "round %d op %ld",
					  round, i);
				cr_assert(eq(u32, v, k.value));
				last = t;
			} else {
				uint64_t t, s;
				bool ok = sim_queue_peek(q, &t, &s, NULL);
				cr_assert(eq(int, ok, h.n > 0));
				if (ok) {
					cr_assert(eq(u64, t, h.a[0].time_ns));
					cr_assert(eq(u64, s, h.a[0].seq));
				}
			}
			cr_assert(eq(sz, sim_queue_len(q), h.n));
		}
		while (h.n) {
			key k = ref_pop(&h);
			uint64_t t, s;
			cr_assert(sim_queue_pop(q, &t, &s, NULL));
			cr_assert(eq(u64, t, k.time_ns));
			cr_assert(eq(u64, s, k.seq));
		}
		cr_assert(not(sim_queue_pop(q, NULL, NULL, NULL)));
		sim_queue_destroy(q);
		free(h.a);
	}
	gsl_rng_free(r);
}

Test(sim_queue, hold_model_matches_a_reference_heap)
{
	/* Large enough that buckets hold thousands of keys. */
	enum { N = 200000, HOLDS = 600000 };
	gsl_rng *r = stream(5);
	sim_queue *q = sim_queue_create();
	ref_heap h = {0};
	uint64_t seq = 0;
	for (size_t i = 0; i < N; i++) {
		key k = {(uint64_t)gsl_ran_exponential(r, 1e6), seq++, 0};
		sim_queue_push(q, k.time_ns, k.seq, k.value);
		ref_push(&h, k);
	}
	for (size_t i = 0; i < HOLDS; i++) {
		uint64_t t, s;
		cr_assert(sim_queue_pop(q, &t, &s, NULL));
		key k = ref_pop(&h);
		cr_assert(eq(u64, t, k.time_ns), "hold %zu", i);
		cr_assert(eq(u64, s, k.seq), "hold %zu", i);
		key next = {t + (uint64_t)gsl_ran_exponential(r, 1e6), seq++,
			    0};
		sim_queue_push(q, next.time_ns, next.seq, next.value);
		ref_push(&h, next);
	}
	sim_queue_destroy(q);
	free(h.a);
	gsl_rng_free(r);
}

Test(sim_queue, dense_clusters_larger_than_a_bucket_stay_ordered)
{
	/* 60000 keys within 1000 ns next to keys a second away: the dense
	 * part lands in one bucket far larger than a sorted bottom may be. */
	enum { N = 80000 };
	gsl_rng *r = stream(6);
	key *keys = sim_xmalloc(N * sizeof *keys);
	for (size_t i = 0; i < N; i++) {
		uint64_t t = i < 60000 ? SIM_S(5) + gsl_rng_uniform_int(r, 1000)
				       : rand64(r) % SIM_S(10);
		keys[i] = (key){t, rand64(r), (uint32_t)i};
	}
	check_sorted_pops(keys, N);
	free(keys);
	gsl_rng_free(r);
}

Test(sim_queue, a_lone_far_future_key_does_not_disturb_near_keys)
{
	/* One key a year away stretches the first buckets; the near keys
	 * pushed while popping must still come out in order, and last the
	 * far one. */
	gsl_rng *r = stream(7);
	sim_queue *q = sim_queue_create();
	ref_heap h = {0};
	uint64_t seq = 0;
	key far = {SIM_S(365 * 24 * 3600), seq++, 0};
	sim_queue_push(q, far.time_ns, far.seq, 0);
	ref_push(&h, far);
	for (int i = 0; i < 100; i++) {
		key k = {gsl_rng_uniform_int(r, SIM_MS(1)), seq++, 0};
		sim_queue_push(q, k.time_ns, k.seq, 0);
		ref_push(&h, k);
	}
	for (int i = 0; i < 200000; i++) {
		uint64_t t, s;
		cr_assert(sim_queue_pop(q, &t, &s, NULL));
		key k = ref_pop(&h);
		cr_assert(eq(u64, t, k.time_ns));
		cr_assert(eq(u64, s, k.seq));
		key next = {t + gsl_rng_uniform_int(r, SIM_MS(1)), seq++, 0};
		sim_queue_push(q, next.time_ns, next.seq, 0);
		ref_push(&h, next);
		if (i % 3 == 0) {
			key more = {t + gsl_rng_uniform_int(r, SIM_MS(2)),
				    seq++, 0};
			sim_queue_push(q, more.time_ns, more.seq, 0);
			ref_push(&h, more);
		}
	}
	uint64_t t;
	while (h.n > 1) {
		key k = ref_pop(&h);
		cr_assert(sim_queue_pop(q, &t, NULL, NULL));
		cr_assert(eq(u64, t, k.time_ns));
	}
	cr_assert(sim_queue_pop(q, &t, NULL, NULL));
	cr_assert(eq(u64, t, far.time_ns));
	sim_queue_destroy(q);
	free(h.a);
	gsl_rng_free(r);
}

Test(sim_queue, peek_shows_the_next_pop_without_removing_it)
{
	sim_queue *q = sim_queue_create();
	sim_queue_push(q, 30, 1, 100);
	sim_queue_push(q, 20, 2, 200);
	sim_queue_push(q, 20, 0, 300);
	uint64_t t, s;
	uint32_t v;
	cr_assert(sim_queue_peek(q, &t, &s, &v));
	cr_assert(eq(u64, t, 20));
	cr_assert(eq(u64, s, 0));
	cr_assert(eq(u32, v, 300));
	cr_assert(eq(sz, sim_queue_len(q), 3));
	/* A key pushed after a peek, below the peeked one, comes first. */
	sim_queue_push(q, 10, 9, 400);
	cr_assert(sim_queue_peek(q, &t, NULL, &v));
	cr_assert(eq(u32, v, 400));
	const uint32_t want[] = {400, 300, 200, 100};
	for (size_t i = 0; i < 4; i++) {
		cr_assert(sim_queue_pop(q, NULL, NULL, &v));
		cr_assert(eq(u32, v, want[i]));
	}
	sim_queue_destroy(q);
}

Test(sim_queue, a_drained_queue_accepts_earlier_times_again)
{
	sim_queue *q = sim_queue_create();
	for (uint64_t round = 0; round < 3; round++) {
		/* Each round goes back in time after draining. */
		uint64_t base = SIM_S(10) - round * SIM_S(4);
		for (uint64_t i = 0; i < 3000; i++)
			sim_queue_push(q, base + (i * 7919) % 3000, i, 0);
		uint64_t prev = 0, t;
		for (int i = 0; i < 3000; i++) {
			cr_assert(sim_queue_pop(q, &t, NULL, NULL));
			cr_assert(ge(u64, t, prev));
			prev = t;
		}
		cr_assert(eq(u64, prev, base + 2999));
		cr_assert(not(sim_queue_pop(q, NULL, NULL, NULL)));
	}
	sim_queue_destroy(q);
}

Test(sim_queue, a_burst_into_the_bottom_without_pops_stays_ordered)
{
	/* After the first pop the bottom holds the first bucket's keys.
	 * Thousands of pushes into that range with no pop in between go past
	 * the bottom into the side heap until it is turned into a rung, and
	 * then on into that rung; every key must still come out in order. */
	gsl_rng *r = stream(11);
	sim_queue *q = sim_queue_create();
	ref_heap h = {0};
	uint64_t seq = 0;
	for (uint32_t i = 0; i < 10000; i++) {
		key k = {gsl_rng_uniform_int(r, SIM_S(1)), seq++, i};
		sim_queue_push(q, k.time_ns, k.seq, k.value);
		ref_push(&h, k);
	}
	uint64_t t, s;
	uint32_t v;
	cr_assert(sim_queue_pop(q, &t, &s, &v));
	key first = ref_pop(&h);
	cr_assert(eq(u64, s, first.seq));
	for (uint32_t i = 0; i < 20000; i++) {
		key k = {t + gsl_rng_uniform_int(r, SIM_US(500)), seq++,
			 100000 + i};
		sim_queue_push(q, k.time_ns, k.seq, k.value);
		ref_push(&h, k);
	}
	cr_assert(eq(sz, sim_queue_len(q), h.n));
	while (h.n > 0) {
		key k = ref_pop(&h);
		cr_assert(sim_queue_pop(q, &t, &s, &v));
		cr_assert(eq(u64, t, k.time_ns));
		cr_assert(eq(u64, s, k.seq));
		cr_assert(eq(u32, v, k.value));
	}
	cr_assert(not(sim_queue_pop(q, NULL, NULL, NULL)));
	sim_queue_destroy(q);
	free(h.a);
	gsl_rng_free(r);
}
