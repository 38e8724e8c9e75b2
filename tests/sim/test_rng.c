/* SPDX-License-Identifier: MIT */
/*
 * Tests of sim/rng.c: streams are reproducible, named, independent of the
 * order of creation, and seeded exactly as SIM_RNG_DERIVATION says. The
 * expected seeds below were computed by hand (with Python's integers) from
 * the documented derivation, not by this code.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <gsl/gsl_rng.h>
#include <string.h>

#include "sim.h"

/* SplitMix64 reference (Vigna, splitmix64.c): the generator seeded with 0
 * outputs mix(G), mix(2G), mix(3G), ... with G the golden gamma, and these
 * are its first three outputs. sim_splitmix64 is mix, the finaliser. */
#define GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)
#define SPLITMIX_SEED0_OUT1 UINT64_C(0xe220a8397b1dcdaf)
#define SPLITMIX_SEED0_OUT2 UINT64_C(0x6e789e6aa1b965f4)
#define SPLITMIX_SEED0_OUT3 UINT64_C(0x06c45d188009454f)

Test(sim_rng, splitmix64_matches_the_reference_outputs)
{
	cr_assert(eq(u64, sim_splitmix64(GOLDEN_GAMMA), SPLITMIX_SEED0_OUT1));
	cr_assert(eq(u64, sim_splitmix64(2 * GOLDEN_GAMMA),
		     SPLITMIX_SEED0_OUT2));
	cr_assert(eq(u64, sim_splitmix64(3 * GOLDEN_GAMMA),
		     SPLITMIX_SEED0_OUT3));
	cr_assert(eq(u64, sim_splitmix64(0), 0), "the finaliser fixes 0");
}

Test(sim_rng, seed_of_a_fixed_stream_is_the_documented_derivation)
{
	/* fnv1a64("vm0.cpu") = 0x2ac4719e53605530;
	 * splitmix64(42 ^ that) = 0xc73a91cb02405491; low 32 bits: */
	cr_assert(eq(u64, sim_hash64("vm0.cpu", 7),
		     UINT64_C(0x2ac4719e53605530)));
	cr_assert(eq(u32, sim_rng_seed(42, "vm0.cpu"), UINT32_C(0x02405491)));
	/* fnv1a64("workload.web1") = 0xe0fed0592cf17fc3; master 0:
	 * splitmix64 = 0x2b5cd7ec201ca750. */
	cr_assert(eq(u32, sim_rng_seed(0, "workload.web1"),
		     UINT32_C(0x201ca750)));
}

Test(sim_rng, stream_is_mt19937_seeded_with_the_derived_seed)
{
	gsl_rng *s = sim_rng_stream(42, "vm0.cpu");
	gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(ref, 0x02405491UL);
	cr_assert(eq(str, (char *)gsl_rng_name(s), (char *)"mt19937"));
	for (int i = 0; i < 1000; i++)
		cr_assert(eq(ulong, gsl_rng_get(s), gsl_rng_get(ref)));
	gsl_rng_free(s);
	gsl_rng_free(ref);
}

Test(sim_rng, a_derived_seed_of_zero_becomes_one)
{
	/* splitmix64 fixes 0, so master = fnv1a64(name) derives 0. */
	const char *name = "vm7.disk";
	uint64_t master = sim_hash64(name, strlen(name));
	cr_assert(eq(u32, sim_rng_seed(master, name), 1));
	gsl_rng *s = sim_rng_stream(master, name);
	gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(ref, 1);
	cr_assert(eq(ulong, gsl_rng_get(s), gsl_rng_get(ref)));
	gsl_rng_free(s);
	gsl_rng_free(ref);
}

Test(sim_rng, same_seed_and_name_give_the_same_sequence)
{
	gsl_rng *a = sim_rng_stream(7, "net.flows");
	gsl_rng *b = sim_rng_stream(7, "net.flows");
	for (int i = 0; i < 10000; i++)
		cr_assert(eq(ulong, gsl_rng_get(a), gsl_rng_get(b)));
	gsl_rng_free(a);
	gsl_rng_free(b);
}

/* Counts equal draws in the first n outputs of two streams. */
static int equal_draws(gsl_rng *a, gsl_rng *b, int n)
{
	int same = 0;
	for (int i = 0; i < n; i++)
		same += gsl_rng_get(a) == gsl_rng_get(b);
	return same;
}

Test(sim_rng, different_names_give_different_sequences)
{
	const char *names[] = {"vm0.cpu", "vm1.cpu", "vm0.mem", "vm0.cpu ",
			       "", "a", "b"};
	size_t n = sizeof names / sizeof *names;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			cr_assert(ne(u32, sim_rng_seed(1, names[i]),
				     sim_rng_seed(1, names[j])),
				  "'%s' and '%s'", names[i], names[j]);
			gsl_rng *a = sim_rng_stream(1, names[i]);
			gsl_rng *b = sim_rng_stream(1, names[j]);
			/* Two unrelated 32-bit streams agree about once in
			 * 4 billion draws. */
			cr_assert(le(int, equal_draws(a, b, 1000), 1));
			gsl_rng_free(a);
			gsl_rng_free(b);
		}
}

Test(sim_rng, different_master_seeds_give_different_sequences)
{
	gsl_rng *a = sim_rng_stream(1, "vm0.cpu");
	gsl_rng *b = sim_rng_stream(2, "vm0.cpu");
	cr_assert(le(int, equal_draws(a, b, 1000), 1));
	gsl_rng_free(a);
	gsl_rng_free(b);
}

Test(sim_rng, streams_do_not_depend_on_creation_order)
{
	/* Create and use streams in one order, then in another with an
	 * extra stream in between: each named stream draws the same. */
	enum { DRAWS = 100 };
	unsigned long first[2][DRAWS], second[2][DRAWS];
	gsl_rng *x = sim_rng_stream(99, "x");
	gsl_rng *y = sim_rng_stream(99, "y");
	for (int i = 0; i < DRAWS; i++) {
		first[0][i] = gsl_rng_get(x);
		first[1][i] = gsl_rng_get(y);
	}
	gsl_rng_free(x);
	gsl_rng_free(y);

	gsl_rng *extra = sim_rng_stream(99, "a-new-vm");
	gsl_rng_get(extra);
	y = sim_rng_stream(99, "y");
	for (int i = 0; i < DRAWS; i++)
		second[1][i] = gsl_rng_get(y);
	x = sim_rng_stream(99, "x");
	for (int i = 0; i < DRAWS; i++)
		second[0][i] = gsl_rng_get(x);
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < DRAWS; i++)
			cr_assert(eq(ulong, first[s][i], second[s][i]));
	gsl_rng_free(x);
	gsl_rng_free(y);
	gsl_rng_free(extra);
}

Test(sim_rng, replication_zero_runs_with_the_seed_itself)
{
	cr_assert(eq(u64, sim_rng_replication_seed(42, 0), 42));
	cr_assert(eq(u64, sim_rng_replication_seed(UINT64_MAX, 0),
		     UINT64_MAX));
}

Test(sim_rng, later_replications_use_splitmix64_of_seed_plus_r)
{
	/* splitmix64(43) and splitmix64(49), computed by hand. */
	cr_assert(eq(u64, sim_rng_replication_seed(42, 1),
		     UINT64_C(0x4f0a61d9c798d8ca)));
	cr_assert(eq(u64, sim_rng_replication_seed(42, 7),
		     UINT64_C(0x622570c6c262c8df)));
	/* The sum wraps: seed UINT64_MAX, r = 1 is splitmix64(0). */
	cr_assert(eq(u64, sim_rng_replication_seed(UINT64_MAX, 1), 0));
}

Test(sim_rng, replication_seeds_stay_below_2_to_the_63)
{
	/* splitmix64(42 + 3) has its top bit set; the seed drops it. */
	cr_assert(ne(u64, sim_splitmix64(45) >> 63, 0));
	cr_assert(eq(u64, sim_rng_replication_seed(42, 3),
		     sim_splitmix64(45) & (UINT64_MAX >> 1)));
	for (uint32_t r = 0; r < 1000; r++)
		cr_assert(eq(u64, sim_rng_replication_seed(INT64_MAX, r) >> 63,
			     0));
}

Test(sim_rng, replication_seeds_of_one_experiment_are_distinct)
{
	enum { R = 1000 };
	static uint64_t seeds[R];
	for (uint32_t r = 0; r < R; r++)
		seeds[r] = sim_rng_replication_seed(5, r);
	for (int i = 0; i < R; i++)
		for (int j = i + 1; j < R; j++)
			cr_assert(ne(u64, seeds[i], seeds[j]));
}
