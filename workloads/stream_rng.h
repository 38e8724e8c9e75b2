/* SPDX-License-Identifier: MIT */
/*
 * Private to workloads/: the generator's random sequences (xoshiro256**
 * for classes and events, wyrand for offsets) and the draws made from
 * them, shared by the stream generator (stream.c) and its functional
 * warming (stream_warm.c), with the two small helpers both use.
 */
#ifndef VDCSIM_STREAM_RNG_H
#define VDCSIM_STREAM_RNG_H

#include "stream_gen.h"

__extension__ typedef unsigned __int128 u128;

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static inline uint64_t next(wl_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* wyrand (Wang Yi): a second, independent sequence for offsets, a Weyl
 * step and one 128-bit multiply, so that its latency overlaps the class
 * draw's instead of following it. */
static inline uint64_t next_w(wl_rng *r)
{
	r->w += UINT64_C(0xa0761d6478bd642f);
	u128 t = (u128)r->w * (r->w ^ UINT64_C(0xe7037ed1a0b428db));
	return (uint64_t)(t >> 64) ^ (uint64_t)t;
}

/* A uniform double in (0, 1]. */
static inline double unit(wl_rng *r)
{
	return (double)((next(r) >> 11) + 1) * 0x1p-53;
}

static inline uint64_t below(uint64_t x, uint64_t n)
{
	return (uint64_t)(((u128)x * n) >> 64);
}

/* a if c else b, without a branch the processor would mispredict. */
static inline uint64_t pick(bool c, uint64_t a, uint64_t b)
{
	uint64_t m = 0 - (uint64_t)c;
	return (a & m) | (b & ~m);
}

/* The page size (shift, 0 the base page) of a working-set address. */
static inline uint8_t size_of(const wl_stream *g, uint64_t va)
{
	return va >= WL_VA_WS && va < g->large_end ? g->large_shift : 0;
}

#endif /* VDCSIM_STREAM_RNG_H */
