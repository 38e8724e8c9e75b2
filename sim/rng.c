/* SPDX-License-Identifier: MIT */
/*
 * Named random streams: a GSL mt19937 generator per (master seed, stream
 * name), seeded as SIM_RNG_DERIVATION says, so that a stream depends only on
 * its name and the master seed, never on the order of creation. Also the
 * seeds of the replications of a sweep point.
 */
#include "sim.h"

#include <string.h>

uint64_t sim_splitmix64(uint64_t x)
{
	/* The output function of SplitMix64 (Steele, Lea and Flood, OOPSLA
	 * 2014; constants of Vigna's splitmix64.c): each step is invertible,
	 * xor-shift and multiplication by an odd constant, so the whole is a
	 * bijection. The generator adds 0x9e3779b97f4a7c15 to its state
	 * before this; the finaliser alone is what the derivation uses. */
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

uint32_t sim_rng_seed(uint64_t master, const char *name)
{
	if (!name)
		sim_panic("sim_rng_seed: stream without a name");
	uint64_t h = sim_hash64(name, strlen(name));
	uint32_t seed = (uint32_t)sim_splitmix64(master ^ h);
	/* gsl_rng_set would replace seed 0 with mt19937's default 4357,
	 * hiding the derivation; the documented mapping is 0 to 1. */
	return seed ? seed : 1;
}

gsl_rng *sim_rng_stream(uint64_t master, const char *name)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		sim_panic("sim_rng_stream: out of memory");
	gsl_rng_set(r, sim_rng_seed(master, name));
	return r;
}

uint64_t sim_rng_replication_seed(uint64_t seed, uint32_t r)
{
	return r == 0 ? seed : sim_splitmix64(seed + r) & (UINT64_MAX >> 1);
}
