/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the tests of the results store (test_results.c,
 * test_results_merge.c): each test's temporary folder, reading a file
 * back, one-value queries with SQLite directly, and a small test table.
 * Header-only: each test program includes it once.
 */
#ifndef TEST_RESULTS_UTIL_H
#define TEST_RESULTS_UTIL_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "sim.h"
#include "tmpdir.h"

/* The test's temporary folder (each test runs in its own process). */
static char tdir[64];

static inline void make_tdir(void)
{
	tmpdir_make(tdir, sizeof tdir, "/tmp/vdcsim-results-XXXXXX");
}

static inline void remove_tdir(void)
{
	tmpdir_remove(tdir);
}

/* A path inside the test folder; the caller frees it. */
static inline char *tpath(const char *name)
{
	return tmpdir_path(tdir, name);
}

static inline char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f != NULL, "cannot open %s", path);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int c;
	while ((c = getc(f)) != EOF) {
		if (n + 1 >= cap) {
			cap = cap ? 2 * cap : 256;
			buf = sim_xrealloc(buf, cap, 1);
		}
		buf[n++] = (char)c;
	}
	fclose(f);
	if (!buf)
		buf = sim_xmalloc(1);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Runs a one-value query on the database at path and returns the value
 * as text (NULL for SQL NULL or no row); the caller frees it. */
static inline char *query1(const char *path, const char *sql)
{
	sqlite3 *db;
	cr_assert(eq(int, sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
		     SQLITE_OK));
	sqlite3_stmt *st;
	cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK),
		  "%s: %s", sql, sqlite3_errmsg(db));
	char *out = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = sim_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static inline void assert_query(const char *path, const char *sql, const char *want)
{
	char *got = query1(path, sql);
	cr_assert(got != NULL, "%s gave no value", sql);
	cr_assert(eq(str, got, (char *)want), "%s", sql);
	free(got);
}

static const sim_column xy_cols[] = {
	{"x", SIM_COL_INT, "B", "an integer"},
	{"y", SIM_COL_TEXT, "", "a label"},
};
static const sim_table xy = {"xy", "a test table", xy_cols, 2};

#endif
