/* SPDX-License-Identifier: MIT */
/*
 * Recorded workload "zlib": a compressor streaming through buffers with
 * zlib's deflate, its state and window allocated in the tracked arena
 * (zalloc/zfree on rec_alloc). Each operation writes the next chunk of
 * input (log-like text drawn from a GSL random stream over a fixed
 * vocabulary, so that it compresses about as text does) into a ring of
 * input buffers and deflates it into a ring of output buffers. A
 * checkpoint is a full flush (Z_FULL_FLUSH), as a stream writer that makes
 * a restart point.
 */
#include "rec_internal.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <zlib.h>

typedef struct zw {
	gsl_rng *rng;
	z_stream z;
	bool started;
	uint64_t chunk, nbuf, in_i, out_i, out_off;
	unsigned char **in, **out;
	rec_ctx *c;
} zw;

static const rec_param params[] = {
	{"chunk", "16KiB", "B", 512, 64e6, "input bytes per operation (one "
	 "input buffer)"},
	{"buffers", "64", "", 1, 1e5, "input buffers in the ring, and as many "
	 "output buffers of the same size"},
	{"level", "6", "", 0, 9, "deflate compression level"},
	{"mem_level", "8", "", 1, 9, "deflate memLevel (state size)"},
	{NULL, NULL, NULL, 0, 0, NULL},
};

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	zw *s = opaque;
	return rec_alloc_malloc(&s->c->al, (uint64_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
	zw *s = opaque;
	rec_alloc_free(&s->c->al, p);
}

static int zw_init(rec_ctx *c, sim_diag *d)
{
	zw *s = sim_xcalloc(1, sizeof *s);
	c->state = s;
	s->c = c;
	s->chunk = (uint64_t)rec_param_get(c, "chunk");
	s->nbuf = (uint64_t)rec_param_get(c, "buffers");
	s->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(s->rng, (unsigned long)c->seed);
	s->z.zalloc = z_alloc;
	s->z.zfree = z_free;
	s->z.opaque = s;
	int rc = deflateInit2(&s->z, (int)rec_param_get(c, "level"), Z_DEFLATED,
			      15, (int)rec_param_get(c, "mem_level"),
			      Z_DEFAULT_STRATEGY);
	if (rc == Z_MEM_ERROR)
		return rec_nomem(c, "the deflate state", c->al.failed, d);
	if (rc != Z_OK) {
		sim_diag_error(d, "trace-record", 0, 0, "workload zlib: "
			       "deflateInit2 failed (%d)", rc);
		return SIM_EINPUT;
	}
	s->started = true;
	s->in = sim_xcalloc(s->nbuf, sizeof *s->in);
	s->out = sim_xcalloc(s->nbuf, sizeof *s->out);
	for (uint64_t i = 0; i < s->nbuf; i++) {
		s->in[i] = rec_alloc_malloc(&c->al, s->chunk);
		s->out[i] = rec_alloc_malloc(&c->al, s->chunk);
		if (!s->in[i] || !s->out[i])
			return rec_nomem(c, "the stream buffers", c->al.failed, d);
	}
	return 0;
}

/* Writes the next chunk of log-like text into input buffer i. */
static void fill(zw *s, unsigned char *buf)
{
	static const char *const words[] = {
		"GET", "POST", "/index.html", "/api/v1/items", "200", "304",
		"404", "HTTP/1.1", "Mozilla/5.0", "-", "user", "session",
		"cache", "miss", "hit", "ms", "bytes", "ok", "error", "retry",
	};
	uint64_t off = 0;
	while (off < s->chunk) {
		char tok[24];
		unsigned long r = gsl_rng_get(s->rng);
		size_t n;
		if (r % 4 == 0)
			n = (size_t)snprintf(tok, sizeof tok, "%lu ", r % 100000);
		else
			n = (size_t)snprintf(tok, sizeof tok, "%s%c",
					     words[(r >> 8) % 20],
					     (r >> 16) % 12 == 0 ? '\n' : ' ');
		if (n > s->chunk - off)
			n = (size_t)(s->chunk - off);
		memcpy(buf + off, tok, n);
		off += n;
	}
}

static int pump(zw *s, int flush, sim_diag *d)
{
	s->z.next_in = s->in[s->in_i];
	s->z.avail_in = flush == Z_NO_FLUSH ? (uInt)s->chunk : 0;
	if (flush == Z_NO_FLUSH)
		s->in_i = (s->in_i + 1) % s->nbuf;
	do {
		s->z.next_out = s->out[s->out_i] + s->out_off;
		s->z.avail_out = (uInt)(s->chunk - s->out_off);
		int rc = deflate(&s->z, flush);
		if (rc == Z_STREAM_ERROR) {
			sim_diag_error(d, "trace-record", 0, 0, "workload zlib: "
				       "deflate failed");
			return SIM_EINPUT;
		}
		s->out_off = s->chunk - s->z.avail_out;
		if (s->out_off == s->chunk) {
			s->out_off = 0;
			s->out_i = (s->out_i + 1) % s->nbuf;
		}
	} while (s->z.avail_in > 0 || s->z.avail_out == 0);
	return 0;
}

static uint64_t zw_load_ops(rec_ctx *c)
{
	return ((zw *)c->state)->nbuf;
}

/* Primes input buffer i (the stream's first window of input). */
static int zw_load(rec_ctx *c, uint64_t i, sim_diag *d)
{
	(void)d;
	zw *s = c->state;
	fill(s, s->in[i]);
	memset(s->out[i], 0, s->chunk);
	return 0;
}

static int zw_op(rec_ctx *c, sim_diag *d)
{
	zw *s = c->state;
	fill(s, s->in[s->in_i]);
	return pump(s, Z_NO_FLUSH, d);
}

static int zw_checkpoint(rec_ctx *c, sim_diag *d)
{
	return pump(c->state, Z_FULL_FLUSH, d);
}

static void zw_fini(rec_ctx *c)
{
	zw *s = c->state;
	if (!s)
		return;
	if (s->started)
		deflateEnd(&s->z);
	if (s->rng)
		gsl_rng_free(s->rng);
	free(s->in);
	free(s->out);
	free(s);
	c->state = NULL;
}

const rec_workload rec_wl_zlib = {
	.name = "zlib",
	.doc = "compressor streaming text through ring buffers with zlib",
	.op = "one input chunk written and deflated (a load operation: one "
	      "input buffer primed)",
	.op_ns = 500000,
	.arena_bytes = UINT64_C(16) << 20,
	.params = params,
	.init = zw_init,
	.load_ops = zw_load_ops,
	.load = zw_load,
	.op_run = zw_op,
	.checkpoint = zw_checkpoint,
	.fini = zw_fini,
};
