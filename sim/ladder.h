/* SPDX-License-Identifier: MIT */
/*
 * The ladder queue behind sim_queue, as static inline functions: the
 * private layout of a queue and its operations, included by sim/queue.c
 * (the public sim_queue_* calls, 24-byte keys) and sim/engine.c, which
 * embeds a queue of its own 24-byte keys (posted events carried whole) so
 * that pushes and pops are inlined into the run loop and the loop can look
 * ahead in the sorted bottom. The structure and its measurements are
 * described in sim/queue.c. Nothing here is API.
 *
 * Generic over the key: before including this file (once per translation
 * unit), define LQ_KEY as the name of a complete struct type whose first
 * members are `uint64_t time_ns, seq;` (the rest is carried along
 * untouched), and LQ_QUEUE as the struct tag of the queue that this file
 * defines (`struct LQ_QUEUE`). Inside, they are lq_key and lq_queue. The
 * algorithm does not depend on the key's size.
 *
 * Functions: lq_init, lq_fini, lq_push_slot (room for a new key), lq_least
 * (the least key or NULL) and lq_drop (removes what lq_least returned).
 * Order comes only from exact (time_ns, seq) comparisons; seqs must be
 * distinct.
 */
#ifndef VDCSIM_LADDER_H
#define VDCSIM_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#ifdef LQ_LINE_CHUNKS
#include <sys/mman.h>
#endif

enum {
	LQ_CHUNK_KEYS = 16,     /* 16 was a third faster than 8 at 10^6 keys */
	LQ_RUNG_BUCKETS = 4096, /* more spread pushes over too many cache lines */
	LQ_RUNGS_MAX = 64,      /* past this depth a bucket is sorted whole */
	LQ_SORT_MAX = 16384,    /* larger buckets are split into a new rung */
	LQ_SCAN_MAX = 8,        /* bottom insertions cost at most this many moves */
	LQ_SIDE_MIN = 128,      /* side heap size that may trigger a rebuild */
	LQ_GROUP_MAX = 32,      /* counting-sort group beyond which qsort is used */
};

#define LQ_NIL UINT32_MAX

#if !defined(LQ_KEY) || !defined(LQ_QUEUE)
#error "define LQ_KEY (key struct type) and LQ_QUEUE (queue struct tag) first"
#endif

typedef LQ_KEY lq_key;
_Static_assert(offsetof(lq_key, time_ns) == 0 &&
		       offsetof(lq_key, seq) == sizeof(uint64_t),
	       "a ladder key starts with uint64_t time_ns, seq");

/* With LQ_LINE_CHUNKS defined (the engine's 32-byte keys), the chunk links
 * live in an array of their own and the pool is aligned to a cache line,
 * so that a chunk is whole cache lines when its keys are (16 keys of 32
 * bytes: 8 lines, where a link after them took a ninth line, read on
 * every chunk allocation and bucket walk), and from 2 MiB up the pool is
 * aligned and rounded to 2 MiB and offered transparent huge pages, as
 * pushes and refills touch chunks all over it. Same algorithm. */
#ifdef LQ_LINE_CHUNKS
typedef struct lq_chunk {
	lq_key keys[LQ_CHUNK_KEYS];
} lq_chunk;
#define LQ_NEXT(q, c) ((q)->pool_next[c])
#else
typedef struct lq_chunk {
	lq_key keys[LQ_CHUNK_KEYS];
	uint32_t next; /* next chunk of the bucket, or of the free list */
} lq_chunk;
#define LQ_NEXT(q, c) ((q)->pool[c].next)
#endif

typedef struct lq_bucket {
	uint32_t head, tail; /* chunk indices, valid when count > 0 */
	uint32_t count;
} lq_bucket;

typedef struct lq_rung {
	uint64_t start; /* time of bucket 0 */
	uint64_t live;  /* keys >= live belong to this rung (or above) */
	unsigned shift; /* bucket width is 2^shift ns */
	uint32_t nb;    /* buckets in use */
	uint32_t cur;   /* next bucket to consume */
	lq_bucket *b;   /* LQ_RUNG_BUCKETS buckets, allocated once per level */
} lq_rung;

typedef struct LQ_QUEUE lq_queue;

struct LQ_QUEUE {
	size_t len;

	lq_key *top;
	size_t top_n, top_cap;
	uint64_t top_min, top_max, top_start;
	bool top_closed; /* top_start would be 2^64: nothing goes to the top */

	bool head_in_side; /* where lq_least found the least entry */

	lq_rung rungs[LQ_RUNGS_MAX];
	unsigned nr;

	lq_key *bot;
	size_t bot_head, bot_n, bot_cap;

	lq_key *side;
	size_t side_n, side_cap;

	lq_key *tmp; /* a bucket being moved */
	size_t tmp_cap;
	uint32_t *counts; /* counting sort */
	size_t counts_cap;

	lq_chunk *pool;
#ifdef LQ_LINE_CHUNKS
	uint32_t *pool_next; /* LQ_NEXT: a chunk's successor */
#endif
	uint32_t pool_cap, pool_used, pool_free;
};

static inline bool lq_less(const lq_key *a, const lq_key *b)
{
	return a->time_ns < b->time_ns ||
	       (a->time_ns == b->time_ns && a->seq < b->seq);
}

/* Is key (t, seq) below entry b? */
static inline bool lq_key_less(uint64_t t, uint64_t seq, const lq_key *b)
{
	return t < b->time_ns || (t == b->time_ns && seq < b->seq);
}

static inline int lq_cmp(const void *pa, const void *pb)
{
	const lq_key *a = pa, *b = pb;
	return lq_less(a, b) ? -1 : lq_less(b, a) ? 1 : 0;
}

/* Grows an array to hold at least `need` elements, doubling. */
static inline void *lq_reserve(void *ptr, size_t *cap, size_t need,
			       size_t size)
{
	if (need <= *cap)
		return ptr;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	*cap = c;
	return sim_xrealloc(ptr, c, size);
}

/* ---- side heap ---------------------------------------------------------- */

/* Makes room in the side heap for key (t, seq) and returns its slot. */
static inline lq_key *lq_side_slot(lq_queue *q, uint64_t t, uint64_t seq)
{
	q->side = lq_reserve(q->side, &q->side_cap, q->side_n + 1,
			     sizeof(lq_key));
	size_t i = q->side_n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!lq_key_less(t, seq, &q->side[p]))
			break;
		q->side[i] = q->side[p];
		i = p;
	}
	return &q->side[i];
}

/* Removes the head of the side heap. */
static inline void lq_side_drop(lq_queue *q)
{
	lq_key *last = &q->side[--q->side_n];
	size_t n = q->side_n, i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && lq_less(&q->side[c + 1], &q->side[c]))
			c++;
		if (!lq_less(&q->side[c], last))
			break;
		q->side[i] = q->side[c];
		i = c;
	}
	if (n)
		q->side[i] = *last;
}

/* ---- buckets ------------------------------------------------------------ */

#ifdef LQ_LINE_CHUNKS
/* Moves the pool into one of pool_cap chunks (see LQ_LINE_CHUNKS). */
static void lq_pool_grow(lq_queue *q)
{
	enum { HUGE = 2u << 20 };
	size_t bytes = (size_t)q->pool_cap * sizeof(lq_chunk);
	size_t align = bytes >= HUGE ? HUGE : 64;
	bytes = (bytes + align - 1) / align * align;
	lq_chunk *p = aligned_alloc(align, bytes);
	if (!p)
		sim_panic("sim_queue: out of memory (%zu bytes of chunks)",
			  bytes);
#ifdef MADV_HUGEPAGE
	if (align == HUGE)
		(void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint only */
#endif
	if (q->pool_used)
		memcpy(p, q->pool, q->pool_used * sizeof(lq_chunk));
	free(q->pool);
	q->pool = p;
	q->pool_next = sim_xrealloc(q->pool_next, q->pool_cap,
				    sizeof(uint32_t));
}
#endif

static inline uint32_t lq_chunk_alloc(lq_queue *q)
{
	uint32_t c = q->pool_free;
	if (c != LQ_NIL) {
		q->pool_free = LQ_NEXT(q, c);
		return c;
	}
	if (q->pool_used == q->pool_cap) {
		if (q->pool_cap >= LQ_NIL / 2)
			sim_panic("sim_queue: chunk pool exhausted");
		q->pool_cap = q->pool_cap ? 2 * q->pool_cap : 64;
#ifdef LQ_LINE_CHUNKS
		lq_pool_grow(q);
#else
		q->pool = sim_xrealloc(q->pool, q->pool_cap, sizeof(lq_chunk));
#endif
	}
	return q->pool_used++;
}

/* Appends a slot to bucket b and returns it. Always inlined, as
 * lq_push_slot is. */
__attribute__((always_inline)) static inline lq_key *
lq_bucket_slot(lq_queue *q, lq_bucket *b)
{
	uint32_t k = b->count % LQ_CHUNK_KEYS;
	if (k == 0) {
		if (b->count == UINT32_MAX)
			sim_panic("sim_queue: bucket overflow");
		uint32_t c = lq_chunk_alloc(q);
		LQ_NEXT(q, c) = LQ_NIL;
		if (b->count == 0)
			b->head = c;
		else
			LQ_NEXT(q, b->tail) = c;
		b->tail = c;
	}
	b->count++;
	return &q->pool[b->tail].keys[k];
}

/* Moves a bucket's keys into q->tmp (in no particular order) and returns
 * their number, freeing its chunks. */
static inline size_t lq_bucket_take(lq_queue *q, lq_bucket *b)
{
	size_t n = b->count;
	q->tmp = lq_reserve(q->tmp, &q->tmp_cap, n, sizeof(lq_key));
	lq_key *d = q->tmp;
	uint32_t c = b->head;
	size_t done = 0;
	while (done < n) {
		lq_chunk *ch = &q->pool[c];
		size_t m = n - done < LQ_CHUNK_KEYS ? n - done : LQ_CHUNK_KEYS;
		/* A plain loop: memcpy of a few hundred bytes is slower here. */
		for (size_t k = 0; k < m; k++)
			d[done + k] = ch->keys[k];
		done += m;
		uint32_t next = LQ_NEXT(q, c);
		LQ_NEXT(q, c) = q->pool_free;
		q->pool_free = c;
		c = next;
	}
	b->count = 0;
	return n;
}

/* The smallest shift s such that span >> s < buckets, so that a range of
 * span + 1 ns fits in `buckets` buckets of width 2^s. */
static inline unsigned lq_width_shift(uint64_t span, uint64_t buckets)
{
	uint64_t x = span / buckets;
	unsigned s = x ? 64u - (unsigned)__builtin_clzll(x) : 0;
	return s > 63 ? 63 : s;
}

/* Pushes a new deepest rung holding keys v[0..n) with times in [lo, hi].
 * It takes keys >= lo from now on; keys past its last bucket (up to the
 * live boundary of the rung above) go into that last bucket. */
static inline void lq_rung_build(lq_queue *q, const lq_key *v, size_t n,
				 uint64_t lo, uint64_t hi)
{
	lq_rung *r = &q->rungs[q->nr++];
	if (!r->b)
		r->b = sim_xcalloc(LQ_RUNG_BUCKETS, sizeof(lq_bucket));
	/* About eight keys a bucket. The bottom's counting sort handles
	 * that many cheaply, and fewer buckets mean fewer partly filled
	 * chunks: measured 10% faster than two keys a bucket, and the
	 * engine's slots stay in cache longer. */
	uint64_t want = n / 8;
	if (want < 1)
		want = 1;
	if (want > LQ_RUNG_BUCKETS)
		want = LQ_RUNG_BUCKETS;
	unsigned shift = lq_width_shift(hi - lo, want);
	r->start = lo;
	r->live = lo;
	r->shift = shift;
	r->nb = (uint32_t)((hi - lo) >> shift) + 1;
	r->cur = 0;
	for (size_t i = 0; i < n; i++)
		*lq_bucket_slot(q, &r->b[(v[i].time_ns - lo) >> shift]) = v[i];
}

/* ---- bottom ------------------------------------------------------------- */

static inline void lq_insertion_sort(lq_key *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (!lq_less(&a[i], &a[i - 1]))
			continue;
		lq_key x = a[i];
		size_t j = i;
		do {
			a[j] = a[j - 1];
			j--;
		} while (j > 0 && lq_less(&x, &a[j - 1]));
		a[j] = x;
	}
}

static inline bool lq_is_sorted(const lq_key *a, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (lq_less(&a[i], &a[i - 1]))
			return false;
	return true;
}

/* The times of bucket b's keys span [*lo, *hi]. */
static inline void lq_bucket_span(const lq_queue *q, const lq_bucket *b,
				  uint64_t *lo, uint64_t *hi)
{
	uint64_t l = UINT64_MAX, h = 0;
	size_t n = b->count, done = 0;
	for (uint32_t c = b->head; done < n; c = LQ_NEXT(q, c)) {
		const lq_chunk *ch = &q->pool[c];
		size_t m = n - done < LQ_CHUNK_KEYS ? n - done : LQ_CHUNK_KEYS;
		for (size_t k = 0; k < m; k++) {
			uint64_t t = ch->keys[k].time_ns;
			l = t < l ? t : l;
			h = t > h ? t : h;
		}
		done += m;
	}
	*lo = l;
	*hi = h;
}

/* Visits the keys of bucket b in chunk order as `e` (a const lq_key *)
 * running body. */
#define LQ_BUCKET_FOR(q, b, e, body)                                           \
	do {                                                                   \
		size_t n_ = (b)->count, done_ = 0;                             \
		for (uint32_t c_ = (b)->head; done_ < n_;                      \
		     c_ = LQ_NEXT(q, c_)) {                                    \
			const lq_chunk *ch_ = &(q)->pool[c_];                  \
			size_t m_ = n_ - done_ < LQ_CHUNK_KEYS ? n_ - done_    \
							       : LQ_CHUNK_KEYS; \
			for (size_t k_ = 0; k_ < m_; k_++) {                   \
				const lq_key *e = &ch_->keys[k_];            \
				body;                                          \
			}                                                      \
			done_ += m_;                                           \
		}                                                              \
	} while (0)

/* Returns bucket b's chunks to the free list and empties it. */
static inline void lq_bucket_free(lq_queue *q, lq_bucket *b)
{
	size_t n = b->count, done = 0;
	uint32_t c = b->head;
	while (done < n) {
		done += n - done < LQ_CHUNK_KEYS ? n - done : LQ_CHUNK_KEYS;
		uint32_t next = LQ_NEXT(q, c);
		LQ_NEXT(q, c) = q->pool_free;
		q->pool_free = c;
		c = next;
	}
	b->count = 0;
}

/* Sorts bucket b's keys, times in [lo, hi], into a fresh bottom and
 * empties b. Entries are read from the bucket's chunks and written once,
 * in place: a counting sort on time puts keys in groups of about half a
 * key each; an insertion sort then finishes the few groups with two keys
 * or more. A skewed group falls back to qsort, which is deterministic
 * because keys are distinct. */
static inline void lq_bottom_fill(lq_queue *q, lq_bucket *b, uint64_t lo,
				  uint64_t hi)
{
	size_t n = b->count;
	q->bot = lq_reserve(q->bot, &q->bot_cap, n, sizeof(lq_key));
	lq_key *out = q->bot;
	q->bot_head = 0;
	q->bot_n = n;
	if (n <= 8 || lo == hi) {
		size_t i = 0;
		LQ_BUCKET_FOR(q, b, e, out[i++] = *e);
		lq_bucket_free(q, b);
		if (n <= 8)
			lq_insertion_sort(out, n);
		else if (!lq_is_sorted(out, n))
			qsort(out, n, sizeof(lq_key), lq_cmp);
		return;
	}
	unsigned shift = lq_width_shift(hi - lo, (uint64_t)n * 2);
	size_t groups = (size_t)((hi - lo) >> shift) + 1;
	q->counts = lq_reserve(q->counts, &q->counts_cap, groups + 1,
			       sizeof(uint32_t));
	uint32_t *c = q->counts;
	memset(c, 0, (groups + 1) * sizeof(uint32_t));
	LQ_BUCKET_FOR(q, b, e, c[((e->time_ns - lo) >> shift) + 1]++);
	uint32_t largest = 0;
	for (size_t g = 1; g <= groups; g++) {
		if (c[g] > largest)
			largest = c[g];
		c[g] += c[g - 1];
	}
	LQ_BUCKET_FOR(q, b, e, out[c[(e->time_ns - lo) >> shift]++] = *e);
	lq_bucket_free(q, b);
	if (largest > LQ_GROUP_MAX)
		qsort(out, n, sizeof(lq_key), lq_cmp);
	else
		lq_insertion_sort(out, n);
}

/* Turns the bottom and the side heap into a new deepest rung. Called when
 * many keys have gone to the side, which happens when a rung's buckets are
 * far too wide for the keys now arriving (a lone far-future key stretched
 * them), so that pushes become O(1) again. */
static inline void lq_bottom_to_rung(lq_queue *q)
{
	size_t nb = q->bot_n - q->bot_head, n = nb + q->side_n;
	q->tmp = lq_reserve(q->tmp, &q->tmp_cap, n, sizeof(lq_key));
	memcpy(q->tmp, q->bot + q->bot_head, nb * sizeof(lq_key));
	memcpy(q->tmp + nb, q->side, q->side_n * sizeof(lq_key));
	q->bot_head = q->bot_n = 0;
	q->side_n = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t t = q->tmp[i].time_ns;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	lq_rung_build(q, q->tmp, n, lo, hi);
}

/* Returns a slot for key (t, seq), which is below every rung, in the
 * bottom if that costs at most LQ_SCAN_MAX moves, else in the side heap;
 * NULL if the side heap is due to become a rung first (the caller then
 * looks for the key's place again). */
static inline lq_key *lq_bottom_slot(lq_queue *q, uint64_t t, uint64_t seq)
{
	size_t h = q->bot_head, n = q->bot_n;
	if (h == n) {
		q->bot = lq_reserve(q->bot, &q->bot_cap, 1, sizeof(lq_key));
		q->bot_head = 0;
		q->bot_n = 1;
		return &q->bot[0];
	}
	size_t lim = n - h > LQ_SCAN_MAX ? h + LQ_SCAN_MAX : n;
	size_t p = h;
	while (p < lim && !lq_key_less(t, seq, &q->bot[p]))
		p++;
	/* Now the key goes just before bot[p] if p < lim. If the scan ran
	 * out, it goes at the end only if it is not below the last key. */
	bool found = p < lim || lim == n || !lq_key_less(t, seq, &q->bot[n - 1]);
	if (p == lim)
		p = n;
	if (found && h > 0 && p - h <= n - p && p - h <= LQ_SCAN_MAX) {
		/* A key at or just after the head (an event scheduled "now")
		 * shifts the few keys before it down into the free slot. */
		memmove(&q->bot[h - 1], &q->bot[h], (p - h) * sizeof(lq_key));
		q->bot_head = h - 1;
		return &q->bot[p - 1];
	}
	if (found && n - p <= LQ_SCAN_MAX) {
		q->bot = lq_reserve(q->bot, &q->bot_cap, n + 1,
				    sizeof(lq_key));
		memmove(&q->bot[p + 1], &q->bot[p], (n - p) * sizeof(lq_key));
		q->bot_n = n + 1;
		return &q->bot[p];
	}
	if (q->side_n + 1 > LQ_SIDE_MIN && q->side_n + 1 > (n - h) / 4 &&
	    q->nr < LQ_RUNGS_MAX) {
		lq_bottom_to_rung(q);
		return NULL;
	}
	return lq_side_slot(q, t, seq);
}

/* Refills the empty bottom from the deepest rung, splitting buckets that
 * are too large and turning the top into a rung when no rung is left.
 * Returns false if rungs and top are empty. */
static bool lq_refill(lq_queue *q)
{
	for (;;) {
		if (q->nr == 0) {
			if (q->top_n == 0)
				return false;
			lq_rung_build(q, q->top, q->top_n, q->top_min,
				      q->top_max);
			if (q->top_max == UINT64_MAX)
				q->top_closed = true;
			else
				q->top_start = q->top_max + 1;
			q->top_n = 0;
			q->top_min = UINT64_MAX;
			q->top_max = 0;
		}
		lq_rung *r = &q->rungs[q->nr - 1];
		/* The last bucket holds the rung's largest key until it is
		 * taken, so this scan stops inside the rung; the check is
		 * defensive. */
		while (r->cur < r->nb && r->b[r->cur].count == 0)
			r->cur++;
		if (r->cur == r->nb) {
			q->nr--;
			continue;
		}
		lq_bucket *b = &r->b[r->cur++];
		/* A rung whose last bucket is taken is dropped at once, so
		 * that a later push below the rung above goes to the bottom
		 * rather than into a consumed bucket. Its bucket array stays
		 * with the level and is reused. */
		if (r->cur == r->nb)
			q->nr--;
		else
			r->live = r->start + ((uint64_t)r->cur << r->shift);
		size_t n = b->count;
		uint64_t lo, hi;
		lq_bucket_span(q, b, &lo, &hi);
		if (n <= LQ_SORT_MAX || lo == hi || q->nr == LQ_RUNGS_MAX) {
			lq_bottom_fill(q, b, lo, hi);
			return true;
		}
		lq_bucket_take(q, b);
		lq_rung_build(q, q->tmp, n, lo, hi);
	}
}

/* ---- the interface ------------------------------------------------------- */

/* Initialises an empty queue in caller storage. */
static inline void lq_init(lq_queue *q)
{
	memset(q, 0, sizeof *q);
	q->top_min = UINT64_MAX;
	q->pool_free = LQ_NIL;
}

/* Frees what the queue holds; q may be initialised again. */
static inline void lq_fini(lq_queue *q)
{
	for (unsigned i = 0; i < LQ_RUNGS_MAX; i++)
		free(q->rungs[i].b);
	free(q->top);
	free(q->bot);
	free(q->side);
	free(q->tmp);
	free(q->counts);
	free(q->pool);
#ifdef LQ_LINE_CHUNKS
	free(q->pool_next);
#endif
}

/* Makes room for key (t, seq) and returns the slot, with time_ns and seq
 * written; the caller fills in the rest of the entry before any other call
 * on q. Amortised O(1) expected; O(log n) when it lands in the side heap.
 * Always inlined: with two callers (the engine's schedule and post), GCC
 * kept it out of line, a call per event. */
__attribute__((always_inline)) static inline lq_key *
lq_push_slot(lq_queue *q, uint64_t t, uint64_t seq)
{
	lq_key *d;
	if (q->len == 0) {
		/* Empty: forget old boundaries so that the next keys start
		 * a fresh top whatever their times. All buckets are empty. */
		q->nr = 0;
		q->bot_head = q->bot_n = 0;
		q->top_start = 0;
		q->top_closed = false;
	}
	q->len++;
	if (t >= q->top_start && !q->top_closed) {
		q->top = lq_reserve(q->top, &q->top_cap, q->top_n + 1,
				    sizeof(lq_key));
		d = &q->top[q->top_n++];
		if (t < q->top_min)
			q->top_min = t;
		if (t > q->top_max)
			q->top_max = t;
		goto done;
	}
	for (;;) {
		for (unsigned i = 0; i < q->nr; i++) {
			lq_rung *r = &q->rungs[i];
			if (t >= r->live) {
				uint64_t k = (t - r->start) >> r->shift;
				if (k >= r->nb)
					k = r->nb - 1;
				d = lq_bucket_slot(q, &r->b[k]);
				goto done;
			}
		}
		d = lq_bottom_slot(q, t, seq);
		if (d)
			break;
	}
done:
	d->time_ns = t;
	d->seq = seq;
	return d;
}

/* The least entry, made the head of the bottom or of the side heap, or
 * NULL when the queue is empty. The pointer is valid until the next push
 * or drop. May reorganise buckets (amortised as a pop). */
static inline const lq_key *lq_least(lq_queue *q)
{
	if (q->bot_head == q->bot_n && !lq_refill(q)) {
		/* Bottom and ladder are empty; the side heap may not be. */
		q->head_in_side = q->side_n > 0;
		return q->side_n ? &q->side[0] : NULL;
	}
	if (__builtin_expect(q->side_n == 0, 1)) {
		q->head_in_side = false;
		return &q->bot[q->bot_head];
	}
	bool side = q->bot_head == q->bot_n ||
		    lq_less(&q->side[0], &q->bot[q->bot_head]);
	q->head_in_side = side;
	return side ? &q->side[0] : &q->bot[q->bot_head];
}

/* Removes the entry that the last lq_least returned (not NULL); nothing
 * may have been pushed in between. */
static inline void lq_drop(lq_queue *q)
{
	if (q->head_in_side)
		lq_side_drop(q);
	else
		q->bot_head++;
	q->len--;
}

#endif /* VDCSIM_LADDER_H */
