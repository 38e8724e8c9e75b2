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
 * A heap pop touches log2(n) scattered entries, choosing between children
 * with branches that cannot be predicted. Here a key moves about twice
 * (push into a rung bucket, then sort into the bottom), almost always
 * sequentially, and in the common case a pop is an array read.
 *
 * Costs: push O(1) expected, O(log n) when it lands in the side heap; pop
 * amortised O(1) for smooth distributions; many keys at one time are sorted
 * by seq in O(k log k). Memory: 24 bytes a key, plus at most one partly
 * filled chunk per non-empty bucket.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

enum {
	CHUNK_KEYS = 16,     /* 16 was a third faster than 8 at 10^6 keys */
	RUNG_BUCKETS = 4096, /* more spread pushes over too many cache lines */
	RUNGS_MAX = 64,      /* past this depth a bucket is sorted whole */
	SORT_MAX = 16384,    /* larger buckets are split into a new rung */
	SCAN_MAX = 8,        /* bottom insertions cost at most this many moves */
	SIDE_MIN = 128,      /* side heap size that may trigger a rebuild */
	GROUP_MAX = 32,      /* counting-sort group size beyond which qsort is used */
};

#define NIL UINT32_MAX

typedef struct entry {
	uint64_t time_ns, seq;
	uint32_t value;
} entry;

typedef struct chunk {
	entry keys[CHUNK_KEYS];
	uint32_t next; /* next chunk of the bucket, or of the free list */
} chunk;

typedef struct bucket {
	uint32_t head, tail; /* chunk indices, valid when count > 0 */
	uint32_t count;
} bucket;

typedef struct rung {
	uint64_t start; /* time of bucket 0 */
	uint64_t live;  /* keys >= live belong to this rung (or above) */
	unsigned shift; /* bucket width is 2^shift ns */
	uint32_t nb;    /* buckets in use */
	uint32_t cur;   /* next bucket to consume */
	bucket *b;      /* RUNG_BUCKETS buckets, allocated once per level */
} rung;

struct sim_queue {
	size_t len;

	entry *top;
	size_t top_n, top_cap;
	uint64_t top_min, top_max, top_start;
	bool top_closed; /* top_start would be 2^64: nothing goes to the top */

	rung rungs[RUNGS_MAX];
	unsigned nr;

	entry *bot;
	size_t bot_head, bot_n, bot_cap;

	entry *side;
	size_t side_n, side_cap;

	entry *tmp; /* a bucket being moved */
	size_t tmp_cap;
	uint32_t *counts; /* counting sort */
	size_t counts_cap;

	chunk *pool;
	uint32_t pool_cap, pool_used, pool_free;
};

static inline bool entry_less(const entry *a, const entry *b)
{
	return a->time_ns < b->time_ns ||
	       (a->time_ns == b->time_ns && a->seq < b->seq);
}

static int entry_cmp(const void *pa, const void *pb)
{
	const entry *a = pa, *b = pb;
	return entry_less(a, b) ? -1 : entry_less(b, a) ? 1 : 0;
}

/* Grows an array to hold at least `need` elements, doubling. */
static void *reserve(void *ptr, size_t *cap, size_t need, size_t size)
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

static void side_push(sim_queue *q, entry e)
{
	q->side = reserve(q->side, &q->side_cap, q->side_n + 1, sizeof(entry));
	size_t i = q->side_n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!entry_less(&e, &q->side[p]))
			break;
		q->side[i] = q->side[p];
		i = p;
	}
	q->side[i] = e;
}

static entry side_pop(sim_queue *q)
{
	entry top = q->side[0];
	entry e = q->side[--q->side_n];
	size_t n = q->side_n, i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && entry_less(&q->side[c + 1], &q->side[c]))
			c++;
		if (!entry_less(&q->side[c], &e))
			break;
		q->side[i] = q->side[c];
		i = c;
	}
	if (n)
		q->side[i] = e;
	return top;
}

/* ---- buckets ------------------------------------------------------------ */

static uint32_t chunk_alloc(sim_queue *q)
{
	uint32_t c = q->pool_free;
	if (c != NIL) {
		q->pool_free = q->pool[c].next;
		return c;
	}
	if (q->pool_used == q->pool_cap) {
		if (q->pool_cap >= NIL / 2)
			sim_panic("sim_queue: chunk pool exhausted");
		q->pool_cap = q->pool_cap ? 2 * q->pool_cap : 64;
		q->pool = sim_xrealloc(q->pool, q->pool_cap, sizeof(chunk));
	}
	return q->pool_used++;
}

static inline void bucket_add(sim_queue *q, bucket *b, uint64_t time_ns,
			      uint64_t seq, uint32_t value)
{
	uint32_t k = b->count % CHUNK_KEYS;
	if (k == 0) {
		if (b->count == UINT32_MAX)
			sim_panic("sim_queue: bucket overflow");
		uint32_t c = chunk_alloc(q);
		q->pool[c].next = NIL;
		if (b->count == 0)
			b->head = c;
		else
			q->pool[b->tail].next = c;
		b->tail = c;
	}
	entry *e = &q->pool[b->tail].keys[k];
	e->time_ns = time_ns;
	e->seq = seq;
	e->value = value;
	b->count++;
}

/* Moves a bucket's keys into q->tmp (in no particular order) and returns
 * their number, freeing its chunks. */
static size_t bucket_take(sim_queue *q, bucket *b)
{
	size_t n = b->count;
	q->tmp = reserve(q->tmp, &q->tmp_cap, n, sizeof(entry));
	entry *d = q->tmp;
	uint32_t c = b->head;
	size_t done = 0;
	while (done < n) {
		chunk *ch = &q->pool[c];
		size_t m = n - done < CHUNK_KEYS ? n - done : CHUNK_KEYS;
		/* A plain loop: memcpy of a few hundred bytes is slower here. */
		for (size_t k = 0; k < m; k++)
			d[done + k] = ch->keys[k];
		done += m;
		uint32_t next = ch->next;
		ch->next = q->pool_free;
		q->pool_free = c;
		c = next;
	}
	b->count = 0;
	return n;
}

/* The smallest shift s such that span >> s < buckets, so that a range of
 * span + 1 ns fits in `buckets` buckets of width 2^s. */
static unsigned width_shift(uint64_t span, uint64_t buckets)
{
	uint64_t x = span / buckets;
	unsigned s = x ? 64u - (unsigned)__builtin_clzll(x) : 0;
	return s > 63 ? 63 : s;
}

/* Pushes a new deepest rung holding keys v[0..n) with times in [lo, hi].
 * It takes keys >= lo from now on; keys past its last bucket (up to the
 * live boundary of the rung above) go into that last bucket. */
static void rung_build(sim_queue *q, const entry *v, size_t n, uint64_t lo,
		       uint64_t hi)
{
	rung *r = &q->rungs[q->nr++];
	if (!r->b)
		r->b = sim_xcalloc(RUNG_BUCKETS, sizeof(bucket));
	/* About eight keys a bucket. The bottom's counting sort handles
	 * that many cheaply, and fewer buckets mean fewer partly filled
	 * chunks: measured 10% faster than two keys a bucket, and the
	 * engine's slots stay in cache longer. */
	uint64_t want = n / 8;
	if (want < 1)
		want = 1;
	if (want > RUNG_BUCKETS)
		want = RUNG_BUCKETS;
	unsigned shift = width_shift(hi - lo, want);
	r->start = lo;
	r->live = lo;
	r->shift = shift;
	r->nb = (uint32_t)((hi - lo) >> shift) + 1;
	r->cur = 0;
	for (size_t i = 0; i < n; i++)
		bucket_add(q, &r->b[(v[i].time_ns - lo) >> shift],
			   v[i].time_ns, v[i].seq, v[i].value);
}

/* ---- bottom ------------------------------------------------------------- */

static void insertion_sort(entry *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (!entry_less(&a[i], &a[i - 1]))
			continue;
		entry x = a[i];
		size_t j = i;
		do {
			a[j] = a[j - 1];
			j--;
		} while (j > 0 && entry_less(&x, &a[j - 1]));
		a[j] = x;
	}
}

static bool is_sorted(const entry *a, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (entry_less(&a[i], &a[i - 1]))
			return false;
	return true;
}

/* Sorts q->tmp[0..n), times in [lo, hi], into a fresh bottom. A counting
 * sort on time puts keys in groups of about half a key each; an insertion
 * sort then finishes the few groups with two keys or more. A skewed group
 * falls back to qsort, which is deterministic because keys are distinct. */
static void bottom_fill(sim_queue *q, size_t n, uint64_t lo, uint64_t hi)
{
	q->bot = reserve(q->bot, &q->bot_cap, n, sizeof(entry));
	entry *in = q->tmp, *out = q->bot;
	q->bot_head = 0;
	q->bot_n = n;
	if (n <= 8 || lo == hi) {
		memcpy(out, in, n * sizeof(entry));
		if (n <= 8)
			insertion_sort(out, n);
		else if (!is_sorted(out, n))
			qsort(out, n, sizeof(entry), entry_cmp);
		return;
	}
	unsigned shift = width_shift(hi - lo, (uint64_t)n * 2);
	size_t groups = (size_t)((hi - lo) >> shift) + 1;
	q->counts = reserve(q->counts, &q->counts_cap, groups + 1,
			    sizeof(uint32_t));
	uint32_t *c = q->counts;
	memset(c, 0, (groups + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		c[((in[i].time_ns - lo) >> shift) + 1]++;
	uint32_t largest = 0;
	for (size_t g = 1; g <= groups; g++) {
		if (c[g] > largest)
			largest = c[g];
		c[g] += c[g - 1];
	}
	for (size_t i = 0; i < n; i++)
		out[c[(in[i].time_ns - lo) >> shift]++] = in[i];
	if (largest > GROUP_MAX)
		qsort(out, n, sizeof(entry), entry_cmp);
	else
		insertion_sort(out, n);
}

/* Turns the bottom and the side heap into a new deepest rung. Called when
 * many keys have gone to the side, which happens when a rung's buckets are
 * far too wide for the keys now arriving (a lone far-future key stretched
 * them), so that pushes become O(1) again. */
static void bottom_to_rung(sim_queue *q)
{
	size_t nb = q->bot_n - q->bot_head, n = nb + q->side_n;
	q->tmp = reserve(q->tmp, &q->tmp_cap, n, sizeof(entry));
	memcpy(q->tmp, q->bot + q->bot_head, nb * sizeof(entry));
	memcpy(q->tmp + nb, q->side, q->side_n * sizeof(entry));
	q->bot_head = q->bot_n = 0;
	q->side_n = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t t = q->tmp[i].time_ns;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	rung_build(q, q->tmp, n, lo, hi);
}

/* Inserts a key that is below every rung into the bottom if that costs at
 * most SCAN_MAX moves, else into the side heap. */
static void bottom_insert(sim_queue *q, entry e)
{
	size_t h = q->bot_head, n = q->bot_n;
	if (h == n) {
		q->bot = reserve(q->bot, &q->bot_cap, 1, sizeof(entry));
		q->bot[0] = e;
		q->bot_head = 0;
		q->bot_n = 1;
		return;
	}
	size_t lim = n - h > SCAN_MAX ? h + SCAN_MAX : n;
	size_t p = h;
	while (p < lim && !entry_less(&e, &q->bot[p]))
		p++;
	/* Now e goes just before bot[p] if p < lim. If the scan ran out,
	 * e goes at the end only if it is not below the last key. */
	bool found = p < lim || lim == n || !entry_less(&e, &q->bot[n - 1]);
	if (p == lim)
		p = n;
	if (found && h > 0 && p - h <= n - p && p - h <= SCAN_MAX) {
		/* A key at or just after the head (an event scheduled "now")
		 * shifts the few keys before it down into the free slot. */
		memmove(&q->bot[h - 1], &q->bot[h], (p - h) * sizeof(entry));
		q->bot[p - 1] = e;
		q->bot_head = h - 1;
		return;
	}
	if (found && n - p <= SCAN_MAX) {
		q->bot = reserve(q->bot, &q->bot_cap, n + 1, sizeof(entry));
		memmove(&q->bot[p + 1], &q->bot[p], (n - p) * sizeof(entry));
		q->bot[p] = e;
		q->bot_n = n + 1;
		return;
	}
	side_push(q, e);
	if (q->side_n > SIDE_MIN && q->side_n > (n - h) / 4 &&
	    q->nr < RUNGS_MAX)
		bottom_to_rung(q);
}

/* Refills the empty bottom from the deepest rung, splitting buckets that
 * are too large and turning the top into a rung when no rung is left.
 * Returns false if rungs and top are empty. */
static bool refill(sim_queue *q)
{
	for (;;) {
		if (q->nr == 0) {
			if (q->top_n == 0)
				return false;
			rung_build(q, q->top, q->top_n, q->top_min, q->top_max);
			if (q->top_max == UINT64_MAX)
				q->top_closed = true;
			else
				q->top_start = q->top_max + 1;
			q->top_n = 0;
			q->top_min = UINT64_MAX;
			q->top_max = 0;
		}
		rung *r = &q->rungs[q->nr - 1];
		/* The last bucket holds the rung's largest key until it is
		 * taken, so this scan stops inside the rung; the check is
		 * defensive. */
		while (r->cur < r->nb && r->b[r->cur].count == 0)
			r->cur++;
		if (r->cur == r->nb) {
			q->nr--;
			continue;
		}
		bucket *b = &r->b[r->cur++];
		/* A rung whose last bucket is taken is dropped at once, so
		 * that a later push below the rung above goes to the bottom
		 * rather than into a consumed bucket. Its bucket array stays
		 * with the level and is reused. */
		if (r->cur == r->nb)
			q->nr--;
		else
			r->live = r->start + ((uint64_t)r->cur << r->shift);
		size_t n = bucket_take(q, b);
		uint64_t lo = UINT64_MAX, hi = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t t = q->tmp[i].time_ns;
			lo = t < lo ? t : lo;
			hi = t > hi ? t : hi;
		}
		if (n <= SORT_MAX || lo == hi || q->nr == RUNGS_MAX) {
			bottom_fill(q, n, lo, hi);
			return true;
		}
		rung_build(q, q->tmp, n, lo, hi);
	}
}

/* ---- public ------------------------------------------------------------- */

sim_queue *sim_queue_create(void)
{
	sim_queue *q = sim_xcalloc(1, sizeof *q);
	q->top_min = UINT64_MAX;
	q->pool_free = NIL;
	return q;
}

void sim_queue_destroy(sim_queue *q)
{
	if (!q)
		return;
	for (unsigned i = 0; i < RUNGS_MAX; i++)
		free(q->rungs[i].b);
	free(q->top);
	free(q->bot);
	free(q->side);
	free(q->tmp);
	free(q->counts);
	free(q->pool);
	free(q);
}

void sim_queue_push(sim_queue *q, uint64_t time_ns, uint64_t seq,
		    uint32_t value)
{
	if (q->len == 0) {
		/* Empty: forget old boundaries so that the next keys start
		 * a fresh top whatever their times. All buckets are empty. */
		q->nr = 0;
		q->bot_head = q->bot_n = 0;
		q->top_start = 0;
		q->top_closed = false;
	}
	q->len++;
	if (time_ns >= q->top_start && !q->top_closed) {
		q->top = reserve(q->top, &q->top_cap, q->top_n + 1,
				 sizeof(entry));
		q->top[q->top_n++] = (entry){time_ns, seq, value};
		if (time_ns < q->top_min)
			q->top_min = time_ns;
		if (time_ns > q->top_max)
			q->top_max = time_ns;
		return;
	}
	for (unsigned i = 0; i < q->nr; i++) {
		rung *r = &q->rungs[i];
		if (time_ns >= r->live) {
			uint64_t k = (time_ns - r->start) >> r->shift;
			if (k >= r->nb)
				k = r->nb - 1;
			bucket_add(q, &r->b[k], time_ns, seq, value);
			return;
		}
	}
	bottom_insert(q, (entry){time_ns, seq, value});
}

/* Makes the least key the head of the bottom or of the side heap and
 * returns it, or NULL when the queue is empty. */
static const entry *least(sim_queue *q, bool *in_side)
{
	if (q->bot_head == q->bot_n)
		refill(q);
	bool bot_empty = q->bot_head == q->bot_n;
	if (q->side_n == 0) {
		*in_side = false;
		return bot_empty ? NULL : &q->bot[q->bot_head];
	}
	*in_side = bot_empty || entry_less(&q->side[0], &q->bot[q->bot_head]);
	return *in_side ? &q->side[0] : &q->bot[q->bot_head];
}

bool sim_queue_pop(sim_queue *q, uint64_t *time_ns, uint64_t *seq,
		   uint32_t *value)
{
	bool in_side;
	const entry *p = least(q, &in_side);
	if (!p)
		return false;
	entry e = in_side ? side_pop(q) : q->bot[q->bot_head++];
	q->len--;
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
	bool in_side;
	const entry *p = least(q, &in_side);
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
