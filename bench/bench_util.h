/* SPDX-License-Identifier: MIT */
/*
 * Small helpers the benchmark programs of bench/ share: clocks, failed
 * checks counted and reported under the program's name, and removing a
 * temporary folder. Benchmarks only: nothing here affects a result.
 */
#ifndef VDCSIM_BENCH_UTIL_H
#define VDCSIM_BENCH_UTIL_H

#include <stddef.h>

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

/* Runs argv (argv[0] a path) with stdout and stderr to the file `log`,
 * the environment's PATH replaced by `path` if not NULL; its wall time,
 * CPU time and peak RSS (KiB) from wait4. Returns its exit status, or -1
 * (also when it did not exit normally). */
int bench_spawn(char *const argv[], const char *path, const char *log,
		double *wall_s, double *cpu_s, long *rss_kib);
/* Parses "N,N,..." into at most max sizes; returns how many (0: none). */
size_t bench_parse_sizes(const char *arg, unsigned long *sizes, size_t max);

#endif /* VDCSIM_BENCH_UTIL_H */
