/* SPDX-License-Identifier: MIT */
/*
 * Recorded workload "munch": a memory muncher like Clark et al.'s
 * MMuncher ([Clark05] §6: a program writing a 256 MB region of a 512 MB
 * VM as fast as it can). Each operation writes `write` bytes of a region
 * of `region` bytes, sequentially (wrapping) or at a position drawn from
 * a GSL random stream; a checkpoint sweeps the whole region once.
 */
#include "rec_internal.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

typedef struct munch {
	gsl_rng *rng;
	unsigned char *region;
	uint64_t size, write, pos, pass;
	bool random;
} munch;

static const rec_param params[] = {
	{"region", "32MiB", "B", 4096, 4e9, "bytes of the region written"},
	{"write", "4KiB", "B", 1, 1e8, "bytes written per operation"},
	{"random", "0", "", 0, 1, "1: each write at a random position "
	 "(write-aligned); 0: sequential, wrapping at the region's end"},
	{NULL, NULL, NULL, 0, 0, NULL},
};

static int munch_init(rec_ctx *c, sim_diag *d)
{
	munch *s = sim_xcalloc(1, sizeof *s);
	c->state = s;
	s->size = (uint64_t)rec_param_get(c, "region");
	s->write = (uint64_t)rec_param_get(c, "write");
	s->random = rec_param_get(c, "random") >= 0.5;
	if (s->write > s->size) {
		sim_diag_error(d, "trace-record", 0, 0, "workload munch: write "
			       "larger than region (expected write <= region)");
		return SIM_EINPUT;
	}
	s->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(s->rng, (unsigned long)c->seed);
	s->region = rec_alloc_malloc(&c->al, s->size);
	if (!s->region)
		return rec_nomem(c, "the region", s->size, d);
	return 0;
}

static uint64_t munch_load_ops(rec_ctx *c)
{
	(void)c;
	return 1;
}

static int munch_load(rec_ctx *c, uint64_t i, sim_diag *d)
{
	(void)i;
	(void)d;
	munch *s = c->state;
	memset(s->region, 1, s->size);
	return 0;
}

static int munch_op(rec_ctx *c, sim_diag *d)
{
	(void)d;
	munch *s = c->state;
	uint64_t at;
	if (s->random) {
		uint64_t slots = s->size / s->write;
		/* A uniform double in [0, 1): any number of slots, where
		 * gsl_rng_uniform_int stops at 2^32. */
		at = (uint64_t)(gsl_rng_uniform(s->rng) * (double)slots) * s->write;
	} else {
		if (s->pos + s->write > s->size) {
			s->pos = 0;
			s->pass++;
		}
		at = s->pos;
		s->pos += s->write;
	}
	memset(s->region + at, (int)(s->pass & 0xff) + 2, s->write);
	return 0;
}

static int munch_checkpoint(rec_ctx *c, sim_diag *d)
{
	(void)d;
	munch *s = c->state;
	memset(s->region, 0xcc, s->size);
	return 0;
}

static void munch_fini(rec_ctx *c)
{
	munch *s = c->state;
	if (!s)
		return;
	if (s->rng)
		gsl_rng_free(s->rng);
	free(s);
	c->state = NULL;
}

const rec_workload rec_wl_munch = {
	.name = "munch",
	.doc = "memory muncher writing a region (Clark's MMuncher)",
	.op = "one write of `write` bytes (the load operation: the region "
	      "written once)",
	.op_ns = 10000,
	.arena_bytes = UINT64_C(64) << 20,
	.params = params,
	.init = munch_init,
	.load_ops = munch_load_ops,
	.load = munch_load,
	.op_run = munch_op,
	.checkpoint = munch_checkpoint,
	.fini = munch_fini,
};
