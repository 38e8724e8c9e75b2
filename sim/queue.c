/* SPDX-License-Identifier: MIT */
/*
 * sim_queue: the engine's priority queue of (time, seq) keys. It is a ladder
 * queue (Tang, Goh and Thng, ACM TOMACS 15(3), 2005) reworked for integer
 * keys: power-of-two bucket widths, buckets stored in chunks, and a bottom
 * that is bucket-sorted into an array. Fast when most keys land after the
 * last pop, as simulation events do; correct for any keys.
 *
 * Layout, from the far future down to the next key:
 *   top     an unsorted array of keys with time >= top_start. A push there
 *           is an append.
 *   rungs   a stack of bucket arrays. A rung has at most RUNG_BUCKETS
 *           buckets of width 2^shift from `start`; buckets before `cur`
 *           have been consumed and `live` is where the live ones begin.
 *           Each deeper rung holds keys below the `live` of the one above.
 *           A rung's last bucket also takes keys past its nominal end (up
 *           to the rung above). Buckets are lists of CHUNK_KEYS-key chunks
 *           from one pool: a push writes one slot and a bucket is read
 *           back sequentially.
 *   bottom  a sorted array of the smallest keys, consumed from bot_head.
 *   side    a binary heap for the few keys that belong below the rungs but
 *           cannot go into the bottom cheaply: pushes earlier than keys
 *           already popped, or into the middle of the bottom. Each pop
 *           compares the heads of bottom and side.
 * When the bottom runs dry, the next non-empty bucket of the deepest rung is
 * taken. If it holds at most SORT_MAX keys, it is sorted into the bottom
 * (counting sort on time, then insertion sort). Otherwise it becomes a new,
 * finer rung. With no rungs left, the whole top becomes a new rung. When
 * the side outgrows a quarter of the bottom, side and bottom become a new
 * rung. Placement decides only speed. Order comes from exact integer (time,
 * seq) comparisons, so pops are in that order for any input, including
 * pushes earlier than the last pop.
 *
 * Why: bench/engine_hold runs the hold model (exponential increments, mean
 * 1 ms) on this queue and on an array binary heap. Prototypes, timed with
 * rougher harnesses on the 2-core AMD EPYC development machine, in ns per
 * hold at 10^3 / 10^4 / 10^5 / 10^6 pending keys:
 *   binary heap                          62 / 86 / 121 / 276
 *   4-ary heap                           66 / 88 / 125 / 238
 *   radix heap on 128-bit keys           41 / 45 /  55 /  89
 *   256-way radix heap                   37 / 52 /  60 / 148 (and its
 *                                        memory grew with bucket count)
 *   ladder, one list node per key        25 / 26 /  47 / 185
 *   ladder, chunks and a sorted bottom   17 / 16 /  16 /  23
 * The final code in bench/engine_hold (best of 3 runs, 10^7 holds):
 *   binary heap                          62 / 87 / 123 / 238
 *   sim_queue                            18 / 16 /  17 /  24
 *   heap / queue                        3.5 / 5.3 / 7.1 / 9.8
 * On runs slowed by other jobs the ratio still stayed at or above 4.6 at
 * 10^4 keys and 9.2 at 10^6.
 * Later, a refill that counting-sorts a bucket straight from its chunks
 * (one copy of each key instead of two) and pushes that write their key in
 * place: sim_queue 17.5 / 16.1 / 17.4 / 30.6 before, 14.9 / 13.8 / 15.4 /
 * 29.1 after (medians of three bench runs on a loaded machine).
 * A heap pop touches log2(n) scattered entries, choosing between children
 * with branches that cannot be predicted. Here a key moves about twice
 * (push into a rung bucket, then sort into the bottom), almost always
 * sequentially, and in the common case a pop is an array read.
 *
 * The code lives in sim/ladder.h as inline functions, generic over the
 * key: this file builds it with 24-byte keys, sim/engine.c with its own
 * 24-byte keys that carry posted events whole.
 *
 * Costs: push O(1) expected, O(log n) when it lands in the side heap; pop
 * amortised O(1) for smooth distributions; many keys at one time are sorted
 * by seq in O(k log k). Memory: 24 bytes a key, plus at most one partly
 * filled chunk per non-empty bucket.
 */
#include "sim.h"

#include <stdint.h>
#include <stdlib.h>

/* A key of the public queue: 24 bytes. */
typedef struct qkey {
	uint64_t time_ns, seq;
	uint32_t value;
} qkey;

#define LQ_KEY qkey
#define LQ_QUEUE sim_queue
#include "ladder.h"

sim_queue *sim_queue_create(void)
{
	sim_queue *q = sim_xmalloc(sizeof *q);
	lq_init(q);
	return q;
}

void sim_queue_destroy(sim_queue *q)
{
	if (!q)
		return;
	lq_fini(q);
	free(q);
}

void sim_queue_push(sim_queue *q, uint64_t time_ns, uint64_t seq,
		    uint32_t value)
{
	lq_push_slot(q, time_ns, seq)->value = value;
}

bool sim_queue_pop(sim_queue *q, uint64_t *time_ns, uint64_t *seq,
		   uint32_t *value)
{
	const lq_key *p = lq_least(q);
	if (!p)
		return false;
	lq_key e = *p;
	lq_drop(q);
	if (time_ns)
		*time_ns = e.time_ns;
	if (seq)
		*seq = e.seq;
	if (value)
		*value = e.value;
	return true;
}

bool sim_queue_peek(sim_queue *q, uint64_t *time_ns, uint64_t *seq,
		    uint32_t *value)
{
	const lq_key *p = lq_least(q);
	if (!p)
		return false;
	if (time_ns)
		*time_ns = p->time_ns;
	if (seq)
		*seq = p->seq;
	if (value)
		*value = p->value;
	return true;
}

size_t sim_queue_len(const sim_queue *q)
{
	return q->len;
}
