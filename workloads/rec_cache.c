/* SPDX-License-Identifier: MIT */
/*
 * Recorded workload "cache": a web object cache in the tracked arena, a
 * chained hash table with LRU eviction serving GET requests whose objects
 * follow a Zipf law of popularity ([Breslau99]) and a lognormal law of
 * size, drawn from GSL random streams (gsl_rng_mt19937). A hit moves the
 * object to the head of the LRU list and copies it into the response
 * buffer; a miss fetches it (writes its bytes), inserts it and evicts from
 * the tail until the cache holds at most `capacity` bytes. A checkpoint
 * writes the cache's objects, most recent first, into a snapshot area of
 * `capacity` bytes (a cache persisting its contents).
 */
#include "rec_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

typedef struct item {
	struct item *hnext, *prev, *next;
	uint64_t key;
	uint64_t size;
	unsigned char data[];
} item;

typedef struct cache {
	gsl_rng *rng;
	double *cdf;              /* [objects] Zipf CDF over ranks (heap) */
	uint64_t objects, capacity, used, size_min, size_max;
	double zeta, sigma;
	item **bucket;            /* [nbuckets], in the arena */
	uint64_t nbuckets;
	item *head, *tail;        /* LRU: head most recent */
	unsigned char *resp, *snap;
	uint64_t hits, misses;
} cache;

static const rec_param params[] = {
	{"capacity", "16MiB", "B", 4096, 4e9, "bytes of objects the cache "
	 "holds before it evicts (least recently used first)"},
	{"objects", "200000", "", 1, 1e7, "distinct objects requested "
	 "(Zipf ranks 1..objects)"},
	{"zipf_s", "0.8", "", 0, 3, "Zipf exponent of popularity (web "
	 "requests: 0.64 to 0.83 [Breslau99])"},
	{"size_mean", "8KiB", "B", 64, 1e8, "mean object size (lognormal)"},
	{"size_sigma", "1", "", 0, 4, "sigma of the lognormal object size"},
	{"size_min", "256B", "B", 16, 1e8, "smallest object"},
	{"size_max", "256KiB", "B", 16, 1e8, "largest object"},
	{NULL, NULL, NULL, 0, 0, NULL},
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* An object's size: a function of its key (the same object, the same
 * size), the lognormal quantile of a hash of the key, clamped. */
static uint64_t size_of(const cache *s, uint64_t key)
{
	double u = ((double)(mix64(key) >> 11) + 0.5) / 9007199254740992.0;
	double v = gsl_cdf_lognormal_Pinv(u, s->zeta, s->sigma);
	uint64_t n = v > 1e12 ? UINT64_C(1000000000000) : (uint64_t)v;
	return n < s->size_min ? s->size_min : n > s->size_max ? s->size_max : n;
}

static int cache_init(rec_ctx *c, sim_diag *d)
{
	cache *s = sim_xcalloc(1, sizeof *s);
	c->state = s;
	s->capacity = (uint64_t)rec_param_get(c, "capacity");
	s->objects = (uint64_t)rec_param_get(c, "objects");
	s->size_min = (uint64_t)rec_param_get(c, "size_min");
	s->size_max = (uint64_t)rec_param_get(c, "size_max");
	double mean = rec_param_get(c, "size_mean"), zs = rec_param_get(c, "zipf_s");
	s->sigma = rec_param_get(c, "size_sigma");
	s->zeta = log(mean) - s->sigma * s->sigma / 2;
	if (s->size_min > s->size_max) {
		sim_diag_error(d, "trace-record", 0, 0, "workload cache: size_min "
			       "above size_max (expected size_min <= size_max)");
		return SIM_EINPUT;
	}
	if (s->size_max > s->capacity) {
		sim_diag_error(d, "trace-record", 0, 0, "workload cache: size_max "
			       "above capacity (expected objects that fit the "
			       "cache)");
		return SIM_EINPUT;
	}
	s->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(s->rng, (unsigned long)c->seed);
	s->cdf = sim_xcalloc(s->objects, sizeof *s->cdf);
	double sum = 0;
	for (uint64_t i = 0; i < s->objects; i++)
		s->cdf[i] = sum += pow((double)(i + 1), -zs);
	for (uint64_t i = 0; i < s->objects; i++)
		s->cdf[i] /= sum;
	/* A bucket per 4 objects the cache holds at the mean size. */
	s->nbuckets = s->capacity / (uint64_t)mean / 4 + 64;
	s->bucket = rec_alloc_malloc(&c->al, s->nbuckets * sizeof *s->bucket);
	s->resp = rec_alloc_malloc(&c->al, s->size_max);
	s->snap = rec_alloc_malloc(&c->al, s->capacity);
	if (!s->bucket || !s->resp || !s->snap)
		return rec_nomem(c, "the hash table, response buffer and snapshot "
				 "area", c->al.failed, d);
	memset(s->bucket, 0, s->nbuckets * sizeof *s->bucket);
	return 0;
}

static item **slot(cache *s, uint64_t key)
{
	return &s->bucket[mix64(key ^ UINT64_C(0x9e3779b97f4a7c15)) % s->nbuckets];
}

static void lru_unlink(cache *s, item *it)
{
	if (it->prev)
		it->prev->next = it->next;
	else
		s->head = it->next;
	if (it->next)
		it->next->prev = it->prev;
	else
		s->tail = it->prev;
}

static void lru_push(cache *s, item *it)
{
	it->prev = NULL;
	it->next = s->head;
	if (s->head)
		s->head->prev = it;
	s->head = it;
	if (!s->tail)
		s->tail = it;
}

static void evict_tail(rec_ctx *c, cache *s)
{
	item *it = s->tail;
	lru_unlink(s, it);
	item **p = slot(s, it->key);
	while (*p != it)
		p = &(*p)->hnext;
	*p = it->hnext;
	s->used -= it->size;
	rec_alloc_free(&c->al, it);
}

/* Serves a GET of key; a miss fetches and inserts the object. */
static int get(rec_ctx *c, cache *s, uint64_t key, sim_diag *d)
{
	item *it = *slot(s, key);
	while (it && it->key != key)
		it = it->hnext;
	if (it) {
		s->hits++;
		lru_unlink(s, it);
		lru_push(s, it);
		memcpy(s->resp, it->data, it->size);
		return 0;
	}
	s->misses++;
	uint64_t size = size_of(s, key);
	while (s->used + size > s->capacity && s->tail)
		evict_tail(c, s);
	it = rec_alloc_malloc(&c->al, sizeof *it + size);
	/* Fragmentation can refuse a block the byte count allows: evict
	 * more, as a slab cache does. */
	while (!it && s->tail) {
		evict_tail(c, s);
		it = rec_alloc_malloc(&c->al, sizeof *it + size);
	}
	if (!it)
		return rec_nomem(c, "an object of the cache", sizeof *it + size, d);
	c->al.failed = 0;
	it->key = key;
	it->size = size;
	memset(it->data, (int)(key & 0xff), size);
	item **p = slot(s, key);
	it->hnext = *p;
	*p = it;
	lru_push(s, it);
	s->used += size;
	return 0;
}

static uint64_t cache_load_ops(rec_ctx *c)
{
	cache *s = c->state;
	double mean = rec_param_get(c, "size_mean");
	uint64_t n = (uint64_t)((double)s->capacity / mean);
	return n < s->objects ? n : s->objects;
}

/* Warms the cache with the most popular objects, in rank order. */
static int cache_load(rec_ctx *c, uint64_t i, sim_diag *d)
{
	return get(c, c->state, i + 1, d);
}

static int cache_op(rec_ctx *c, sim_diag *d)
{
	cache *s = c->state;
	double u = gsl_rng_uniform(s->rng);
	uint64_t lo = 0, hi = s->objects - 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (s->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return get(c, s, lo + 1, d);
}

static int cache_checkpoint(rec_ctx *c, sim_diag *d)
{
	(void)d;
	cache *s = c->state;
	uint64_t off = 0;
	for (item *it = s->head; it; it = it->next) {
		uint64_t n = 16 + it->size;
		if (off + n > s->capacity)
			break;
		memcpy(s->snap + off, &it->key, 8);
		memcpy(s->snap + off + 8, &it->size, 8);
		memcpy(s->snap + off + 16, it->data, it->size);
		off += n;
	}
	return 0;
}

static void cache_fini(rec_ctx *c)
{
	cache *s = c->state;
	if (!s)
		return;
	if (s->rng)
		gsl_rng_free(s->rng);
	free(s->cdf);
	free(s);
	c->state = NULL;
}

const rec_workload rec_wl_cache = {
	.name = "cache",
	.doc = "web object cache: hash table, LRU eviction, Zipf GETs",
	.op = "one GET (a load operation: one object fetched)",
	.op_ns = 50000,
	.arena_bytes = UINT64_C(64) << 20,
	.params = params,
	.init = cache_init,
	.load_ops = cache_load_ops,
	.load = cache_load,
	.op_run = cache_op,
	.checkpoint = cache_checkpoint,
	.fini = cache_fini,
};
