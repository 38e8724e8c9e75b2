/* SPDX-License-Identifier: MIT */
/*
 * Small helpers the benchmark programs of bench/ share: clocks, failed
 * checks counted and reported under the program's name, and removing a
 * temporary folder. Benchmarks only: nothing here affects a result.
 */
#ifndef VDCSIM_BENCH_UTIL_H
#define VDCSIM_BENCH_UTIL_H

/* The program's name, the prefix of bench_fail's messages (set it first
 * thing in main). */
extern const char *bench_name;
/* The checks that failed so far. */
extern int bench_failures;

/* Reports "NAME: FAILED: what: detail" (detail may be NULL) on stderr and
 * counts it. */
void bench_fail(const char *what, const char *detail);
/* Wall time (CLOCK_MONOTONIC) and this process's CPU time, seconds. */
double bench_now_s(void);
double bench_cpu_s(void);
/* Removes path and everything below it (symbolic links not followed);
 * errors are ignored. */
void bench_rm_tree(const char *path);

#endif /* VDCSIM_BENCH_UTIL_H */
