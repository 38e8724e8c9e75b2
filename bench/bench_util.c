/* SPDX-License-Identifier: MIT */
/* Helpers shared by the benchmark programs (bench_util.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "bench_util.h"

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

const char *bench_name = "bench";
int bench_failures;

void bench_fail(const char *what, const char *detail)
{
	fprintf(stderr, "%s: FAILED: %s%s%s\n", bench_name, what,
		detail ? ": " : "", detail ? detail : "");
	bench_failures++;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

double bench_cpu_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void bench_rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
