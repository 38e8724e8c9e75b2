/* SPDX-License-Identifier: MIT */
/*
 * The table `vdcsim run` prints after a machine experiment: each
 * workload's slowdown against native under each mode, read back from the
 * published results.sqlite, so that the numbers are on the screen with
 * the paths to the files that hold the rest.
 */
#include "run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sim.h"

#define MAX_ROWS 40   /* workloads printed */
#define MAX_MODES 16  /* columns: more than the model's modes */

typedef struct names {
	char **v;
	size_t n;
} names;

/* The index of s in ns, added at the end if absent. */
static size_t intern(names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], s))
			return i;
	ns->v = sim_xrealloc(ns->v, ns->n + 1, sizeof *ns->v);
	ns->v[ns->n] = sim_xstrdup(s);
	return ns->n++;
}

static void names_free(names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void cli_machine_summary(const char *dir)
{
	char *path = sim_xasprintf("%s/results.sqlite", dir);
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	free(path);
	if (rc != SQLITE_OK ||
	    one_int(db, "SELECT count(*) FROM sqlite_master WHERE type = "
			"'table' AND name = 'machine_runs'") != 1) {
		sqlite3_close(db);
		return;
	}
	int64_t points = one_int(db, "SELECT count(DISTINCT point) FROM runs");
	int64_t reps = one_int(db, "SELECT count(*) FROM runs WHERE point = "
				   "(SELECT min(point) FROM runs)");
	sqlite3_stmt *st;
	if (points < 1 || reps < 1 ||
	    sqlite3_prepare_v2(db,
			       "SELECT workload, mode, avg(slowdown) FROM "
			       "machine_runs m JOIN runs r USING (run_id) "
			       "WHERE r.point = (SELECT min(point) FROM runs) "
			       "GROUP BY workload, mode ORDER BY min(m.rowid)",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return;
	}
	names wl = {0}, modes = {0};
	double *cell = NULL;
	size_t ncell = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *w = (const char *)sqlite3_column_text(st, 0);
		const char *m = (const char *)sqlite3_column_text(st, 1);
		if (!w || !m)
			continue;
		size_t wi = intern(&wl, w), mi = intern(&modes, m);
		/* Row-major over the modes seen so far; grown as needed. */
		size_t need = (wi + 1) * MAX_MODES;
		if (need > ncell) {
			cell = sim_xrealloc(cell, need, sizeof *cell);
			for (size_t i = ncell; i < need; i++)
				cell[i] = -1;
			ncell = need;
		}
		if (mi < MAX_MODES)
			cell[wi * MAX_MODES + mi] = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	/* Sampled runs: the widest interval of a CPI, relative. A slowdown
	 * is a ratio of two estimates, so its relative error is about the
	 * sum of theirs. */
	int64_t sampled = 0;
	double widest = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT max(sampled), max(cpi_half / cpi) FROM "
			       "machine_runs m JOIN runs r USING (run_id) "
			       "WHERE r.point = (SELECT min(point) FROM runs) "
			       "AND cpi > 0",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			sampled = sqlite3_column_int64(st, 0);
			widest = sqlite3_column_double(st, 1);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	if (wl.n > 0 && modes.n <= MAX_MODES) {
		printf("  slowdown against native");
		if (points > 1)
			printf(" at the first point of %lld",
			       (long long)points);
		if (reps > 1)
			printf(", mean of %lld replications", (long long)reps);
		printf(" (machine_runs.csv has every column):\n");
		size_t width = 8;
		for (size_t i = 0; i < wl.n && i < MAX_ROWS; i++)
			if (strlen(wl.v[i]) > width)
				width = strlen(wl.v[i]);
		printf("    %-*s", (int)width, "workload");
		for (size_t j = 0; j < modes.n; j++)
			printf(" %9s", modes.v[j]);
		printf("\n");
		for (size_t i = 0; i < wl.n && i < MAX_ROWS; i++) {
			printf("    %-*s", (int)width, wl.v[i]);
			for (size_t j = 0; j < modes.n; j++) {
				double v = cell[i * MAX_MODES + j];
				if (v < 0)
					printf(" %9s", "-");
				else
					printf(" %9.3f", v);
			}
			printf("\n");
		}
		if (wl.n > MAX_ROWS)
			printf("    (%zu more workloads)\n", wl.n - MAX_ROWS);
		if (sampled > 0)
			printf("  sampled: each run's CPI within +-%.2g %% "
			       "(the widest cpi_half), so a slowdown within "
			       "about +-%.2g %%\n", 100 * widest,
			       200 * widest);
	}
	free(cell);
	names_free(&wl);
	names_free(&modes);
}
