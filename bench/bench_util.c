/* SPDX-License-Identifier: MIT */
/* Helpers shared by the benchmark programs (bench_util.h). */
#define _GNU_SOURCE /* nftw, wait4 */
#include "bench_util.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

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

int bench_spawn(char *const argv[], const char *path, const char *log,
		double *wall_s, double *cpu_s, long *rss_kib)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	char *pathvar = NULL;
	if (path) {
		size_t len = strlen(path) + 6;
		pathvar = malloc(len);
		if (pathvar)
			snprintf(pathvar, len, "PATH=%s", path);
	}
	if (!env || (path && !pathvar)) {
		free(env);
		free(pathvar);
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!path || strncmp(environ[i], "PATH=", 5) != 0)
			env[k++] = environ[i];
	if (pathvar)
		env[k++] = pathvar;
	fflush(NULL);
	double t0 = bench_now_s();
	pid_t pid = fork();
	if (pid == 0) {
		FILE *f = freopen(log, "w", stdout);
		if (f)
			dup2(fileno(stdout), STDERR_FILENO);
		execve(argv[0], argv, env);
		_exit(127);
	}
	int status = -1;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	if (pid > 0 && wait4(pid, &status, 0, &ru) == pid) {
		*wall_s = bench_now_s() - t0;
		*cpu_s = (double)ru.ru_utime.tv_sec +
			 (double)ru.ru_utime.tv_usec * 1e-6 +
			 (double)ru.ru_stime.tv_sec +
			 (double)ru.ru_stime.tv_usec * 1e-6;
		*rss_kib = ru.ru_maxrss;
		status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	} else {
		status = -1;
	}
	free(pathvar);
	free(env);
	return status;
}

size_t bench_parse_sizes(const char *arg, unsigned long *sizes, size_t max)
{
	size_t n = 0;
	for (const char *s = arg; *s && n < max;) {
		char *end;
		sizes[n++] = strtoul(s, &end, 10);
		if (*end != ',')
			break;
		s = end + 1;
	}
	return n;
}
