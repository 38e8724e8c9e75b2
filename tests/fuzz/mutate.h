/* SPDX-License-Identifier: MIT */
/*
 * Byte-level mutation primitives shared by the deterministic fuzz tests of
 * the config and trace parsers. Each test keeps its own mix of mutations
 * and tokens; the primitives draw from the caller's GSL stream.
 */
#ifndef VDCSIM_TESTS_FUZZ_MUTATE_H
#define VDCSIM_TESTS_FUZZ_MUTATE_H

#include <stddef.h>
#include <string.h>

#include <gsl/gsl_rng.h>

/* A uniform index below n (0 when n is 0, drawing nothing). */
static inline size_t fuzz_pick(gsl_rng *r, size_t n)
{
	return n ? (size_t)gsl_rng_uniform_int(r, n) : 0;
}

/* Inserts n bytes of s at `at` of b (*len bytes), unless that would pass
 * max bytes. */
static inline void fuzz_insert(char *b, size_t *len, size_t max, size_t at,
			       const char *s, size_t n)
{
	if (*len + n > max)
		return;
	memmove(b + at + n, b + at, *len - at);
	memcpy(b + at, s, n);
	*len += n;
}

/* Deletes 1 to 12 bytes from `at` (nothing, drawing nothing, at the end). */
static inline void fuzz_delete_span(char *b, size_t *len, size_t at,
				    gsl_rng *r)
{
	if (at >= *len)
		return;
	size_t n = 1 + fuzz_pick(r, 12);
	if (n > *len - at)
		n = *len - at;
	memmove(b + at, b + at + n, *len - at - n);
	*len -= n;
}

/* Copies a random span of 1 to 40 bytes of b into tmp and returns its
 * length; 0 (drawing nothing) when b is empty. */
static inline size_t fuzz_copy_span(const char *b, size_t len, gsl_rng *r,
				    char tmp[64])
{
	if (!len)
		return 0;
	size_t from = fuzz_pick(r, len);
	size_t n = 1 + fuzz_pick(r, 40);
	if (n > len - from)
		n = len - from;
	memcpy(tmp, b + from, n);
	return n;
}

#endif /* VDCSIM_TESTS_FUZZ_MUTATE_H */
