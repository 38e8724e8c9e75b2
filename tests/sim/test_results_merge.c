/* SPDX-License-Identifier: MIT */
/*
 * Tests of the results store's merging (sim/results.c): deterministic
 * order, tables created or refused, opening an existing database, keyed
 * tables, and types read back from another database. Each test works in
 * its own temporary folder, read back with SQLite directly.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sim.h"
#include "results_util.h"

TestSuite(sim_results, .init = make_tdir, .fini = remove_tdir);

/* Every table's CREATE statement and every row, values tagged with their
 * storage class, in name and rowid order: what `sqlite3 .dump` shows. */
static char *canonical_dump(const char *path)
{
	sqlite3 *db;
	cr_assert(eq(int, sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
		     SQLITE_OK));
	char *out = sim_xstrdup("");
	sqlite3_stmt *tl;
	cr_assert(eq(int, sqlite3_prepare_v2(db,
		"SELECT name, sql, type FROM sqlite_master ORDER BY name", -1, &tl,
		NULL), SQLITE_OK));
	while (sqlite3_step(tl) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tl, 0);
		const char *sql = (const char *)sqlite3_column_text(tl, 1);
		char *next = sim_xasprintf("%s%s;\n", out, sql ? sql : "");
		free(out);
		out = next;
		if (strcmp((const char *)sqlite3_column_text(tl, 2), "table") != 0)
			continue;
		char *sel = sim_xasprintf("SELECT * FROM \"%s\" ORDER BY rowid",
					  name);
		sqlite3_stmt *st;
		cr_assert(eq(int, sqlite3_prepare_v2(db, sel, -1, &st, NULL),
			     SQLITE_OK));
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(st); i++) {
				char *v;
				switch (sqlite3_column_type(st, i)) {
				case SQLITE_INTEGER:
					v = sim_xasprintf("i%lld", (long long)sqlite3_column_int64(st, i));
					break;
				case SQLITE_FLOAT:
					v = sim_xasprintf("r%.17g", sqlite3_column_double(st, i));
					break;
				case SQLITE_NULL:
					v = sim_xstrdup("n");
					break;
				default:
					v = sim_xasprintf("t'%s'", sqlite3_column_text(st, i));
				}
				next = sim_xasprintf("%s%s%s", out, i ? "|" : "", v);
				free(v);
				free(out);
				out = next;
			}
			next = sim_xasprintf("%s\n", out);
			free(out);
			out = next;
		}
		sqlite3_finalize(st);
		free(sel);
	}
	sqlite3_finalize(tl);
	sqlite3_close(db);
	return out;
}

/* Creates a database at name holding run `run` of xy with rows x = first,
 * first + 1, ... (n rows). */
static char *make_xy_db(const char *name, int64_t run, int64_t first, int n)
{
	char *path = tpath(name);
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0));
	sim_results_set_run(r, run);
	for (int i = 0; i < n; i++) {
		char label[32];
		snprintf(label, sizeof label, "run %lld row %d", (long long)run, i);
		sim_value v[] = {{.i = first + i}, {.s = label}};
		cr_assert(eq(int, sim_results_row(r, &xy, v, &d), 0));
	}
	cr_assert(eq(int, sim_results_meta(r, "origin", name, &d), 0));
	cr_assert(eq(int, sim_results_close(r, &d), 0), "%s", d.text);
	sim_diag_fini(&d);
	return path;
}

Test(sim_results, merge_appends_in_file_order_then_rowid_order)
{
	char *a = make_xy_db("a.sqlite", 1, 10, 2);
	char *b = make_xy_db("b.sqlite", 2, 20, 3);
	char *c = tpath("c.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(c, &r, &d), 0));
	cr_assert(eq(int, sim_results_meta(r, "origin", "c", &d), 0));
	cr_assert(eq(int, sim_results_merge(r, b, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_merge(r, a, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(c, "SELECT group_concat(run_id || ':' || x, ' ') FROM "
			"(SELECT * FROM xy ORDER BY rowid)",
		     "2:20 2:21 2:22 1:10 1:11");
	/* The sources' meta is not merged; their documentation is, once. */
	assert_query(c, "SELECT group_concat(key || '=' || value) FROM meta",
		     "origin=c");
	assert_query(c, "SELECT count(*) FROM columns WHERE tbl = 'xy'", "4");
	assert_query(c, "SELECT (SELECT count(*) FROM columns) = (SELECT "
			"count(*) FROM (SELECT DISTINCT tbl, col FROM columns))",
		     "1");
	sim_diag_fini(&d);
	free(a);
	free(b);
	free(c);
}

Test(sim_results, merging_the_same_files_twice_gives_identical_content)
{
	char *a = make_xy_db("a.sqlite", 1, 10, 2);
	char *b = make_xy_db("b.sqlite", 2, 20, 3);
	char *dumps[2];
	for (int k = 0; k < 2; k++) {
		char *name = sim_xasprintf("m%d.sqlite", k);
		char *m = tpath(name);
		sim_diag d;
		sim_diag_init(&d);
		sim_results *r;
		cr_assert(eq(int, sim_results_create(m, &r, &d), 0));
		cr_assert(eq(int, sim_results_merge(r, a, &d), 0));
		cr_assert(eq(int, sim_results_merge(r, b, &d), 0));
		cr_assert(eq(int, sim_results_close(r, &d), 0));
		dumps[k] = canonical_dump(m);
		sim_diag_fini(&d);
		free(name);
		free(m);
	}
	cr_assert(eq(str, dumps[0], dumps[1]));
	cr_assert(strstr(dumps[0], "i2|i22|t'run 2 row 2'\n") != NULL, "%s",
		  dumps[0]);
	free(dumps[0]);
	free(dumps[1]);
	free(a);
	free(b);
}

Test(sim_results, merge_creates_missing_tables_with_the_same_definition)
{
	static const sim_column only_cols[] = {{"z.z", SIM_COL_REAL, "s", "z"}};
	static const sim_table only = {"only_b", "only in b", only_cols, 1};
	char *a = make_xy_db("a.sqlite", 1, 10, 1);
	char *b = tpath("b.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(b, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &only, &d), 0));
	sim_results_set_run(r, 3);
	sim_value v[] = {{.r = 0.25}};
	cr_assert(eq(int, sim_results_row(r, &only, v, &d), 0));
	cr_assert(eq(int, sim_results_close(r, &d), 0));

	char *c = tpath("c.sqlite");
	cr_assert(eq(int, sim_results_create(c, &r, &d), 0));
	cr_assert(eq(int, sim_results_merge(r, a, &d), 0));
	cr_assert(eq(int, sim_results_merge(r, b, &d), 0));
	/* A merged table can be declared and written afterwards. */
	cr_assert(eq(int, sim_results_declare(r, &only, &d), 0), "%s", d.text);
	sim_results_set_run(r, 4);
	v[0].r = 0.5;
	cr_assert(eq(int, sim_results_row(r, &only, v, &d), 0));
	cr_assert(eq(int, sim_results_close(r, &d), 0));

	char *sql_b = query1(b, "SELECT sql FROM sqlite_master WHERE name = 'only_b'");
	char *sql_c = query1(c, "SELECT sql FROM sqlite_master WHERE name = 'only_b'");
	cr_assert(sql_b && sql_c);
	cr_assert(eq(str, sql_c, sql_b));
	assert_query(c, "SELECT group_concat(run_id || ':' || \"z.z\", ' ') FROM "
			"(SELECT * FROM only_b ORDER BY rowid)",
		     "3:0.25 4:0.5");
	assert_query(c, "SELECT unit FROM columns WHERE tbl = 'only_b' AND "
			"col = 'z.z'",
		     "s");
	free(sql_b);
	free(sql_c);
	sim_diag_fini(&d);
	free(a);
	free(b);
	free(c);
}

Test(sim_results, merge_of_a_table_with_other_columns_fails_and_adds_nothing)
{
	static const sim_column cols2[] = {{"x", SIM_COL_TEXT, "", ""}};
	static const sim_table xy2 = {"xy", "", cols2, 1};
	char *a = make_xy_db("a.sqlite", 1, 10, 2);
	char *b = tpath("b.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(b, &r, &d), 0));
	/* "aa" sorts before "xy": it is merged before the failure is met
	 * and must be rolled back with the rest. */
	static const sim_table aa = {"aa", "", cols2, 1};
	cr_assert(eq(int, sim_results_declare(r, &aa, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy2, &d), 0));
	sim_results_set_run(r, 2);
	sim_value v[] = {{.s = "t"}};
	cr_assert(eq(int, sim_results_row(r, &aa, v, &d), 0));
	cr_assert(eq(int, sim_results_row(r, &xy2, v, &d), 0));
	cr_assert(eq(int, sim_results_close(r, &d), 0));

	char *c = tpath("c.sqlite");
	cr_assert(eq(int, sim_results_create(c, &r, &d), 0));
	cr_assert(eq(int, sim_results_merge(r, a, &d), 0));
	cr_assert(eq(int, sim_results_merge(r, b, &d), SIM_EINPUT));
	cr_assert(strstr(d.text, "table 'xy' has columns") != NULL, "%s", d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(c, "SELECT count(*) FROM sqlite_master WHERE name = 'aa'", "0");
	assert_query(c, "SELECT count(*) FROM xy", "2");
	sim_diag_fini(&d);
	free(a);
	free(b);
	free(c);
}

Test(sim_results, merge_of_a_missing_file_fails_without_creating_it)
{
	char *c = tpath("c.sqlite");
	char *missing = tpath("missing.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(c, &r, &d), 0));
	cr_assert(eq(int, sim_results_merge(r, missing, &d), SIM_ENOENT));
	cr_assert(access(missing, F_OK) != 0);
	sim_results_abort(r);
	sim_diag_fini(&d);
	free(c);
	free(missing);
}

Test(sim_results, open_then_merge_appends_to_an_existing_database)
{
	char *a = make_xy_db("a.sqlite", 1, 10, 1);
	char *b = make_xy_db("b.sqlite", 2, 20, 1);
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	char *missing = tpath("nope.sqlite");
	cr_assert(eq(int, sim_results_open(missing, &r, &d), SIM_ENOENT));
	cr_assert(access(missing, F_OK) != 0);
	cr_assert(eq(int, sim_results_open(a, &r, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_merge(r, b, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(a, "SELECT group_concat(x, ' ') FROM xy", "10 20");
	assert_query(a, "SELECT count(*) FROM columns WHERE tbl = 'xy'", "4");
	sim_diag_fini(&d);
	free(missing);
	free(a);
	free(b);
}

Test(sim_results, abort_after_open_leaves_the_existing_file_as_it_was)
{
	char *a = make_xy_db("a.sqlite", 1, 10, 2);
	char *before = canonical_dump(a);
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_open(a, &r, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0), "%s", d.text);
	sim_results_set_run(r, 9);
	sim_value v[] = {{.i = 99}, {.s = "late"}};
	cr_assert(eq(int, sim_results_row(r, &xy, v, &d), 0));
	cr_assert(eq(int, sim_results_meta(r, "origin", "changed", &d), 0));
	sim_results_abort(r);
	char *after = canonical_dump(a);
	cr_assert(eq(str, after, before));
	free(before);
	free(after);
	sim_diag_fini(&d);
	free(a);
}

/* Runs one statement on a database file with the sqlite3 API directly,
 * as another program (or an attacker) might have written it. */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	cr_assert(eq(int, sqlite3_open(path, &db), SQLITE_OK));
	char *msg = NULL;
	cr_assert(eq(int, sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK),
		  "%s: %s", sql, msg ? msg : "");
	sqlite3_close(db);
}

Test(sim_results, a_merged_column_type_cannot_inject_sql)
{
	/* SQLite keeps a declared type as written, so a type read back from
	 * another database may hold a statement of its own. */
	char *src = tpath("evil.sqlite");
	raw_exec(src, "PRAGMA user_version = " SIM_RESULTS_SCHEMA_VERSION_TEXT);
	raw_exec(src, "CREATE TABLE t (x \"INTEGER); CREATE TABLE pwned(y\")");
	raw_exec(src, "INSERT INTO t VALUES (1)");
	char *dst = tpath("dst.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(dst, &r, &d), 0));
	cr_assert(eq(int, sim_results_merge(r, src, &d), SIM_EINPUT));
	cr_assert(strstr(d.text, "column 'x': type 'INTEGER); CREATE TABLE "
				 "pwned(y' is not a results type") != NULL,
		  "%s", d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0), "%s", d.text);
	assert_query(dst, "SELECT count(*) FROM sqlite_master WHERE name IN "
			  "('pwned', 't')",
		     "0");
	sim_diag_fini(&d);
	free(src);
	free(dst);
}

Test(sim_results, a_keyed_table_keeps_one_row_per_key_through_merges)
{
	static const sim_column kc[] = {{"hash", SIM_COL_TEXT, "", "key"},
					{"text", SIM_COL_TEXT, "", "value"}};
	static const sim_table kt = {"configs", "keyed", kc, 2};
	char *src[2] = {tpath("k0.sqlite"), tpath("k1.sqlite")};
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	for (int k = 0; k < 2; k++) {
		cr_assert(eq(int, sim_results_create(src[k], &r, &d), 0));
		cr_assert(eq(int, sim_results_declare_keyed(r, &kt, &d), 0),
			  "%s", d.text);
		sim_value a[] = {{.s = "h1"}, {.s = "one"}};
		sim_value b[] = {{.s = k ? "h2" : "h1"}, {.s = "two"}};
		cr_assert(eq(int, sim_results_row(r, &kt, a, &d), 0));
		cr_assert(eq(int, sim_results_row(r, &kt, b, &d), 0));
		cr_assert(eq(int, sim_results_close(r, &d), 0));
	}
	/* Within one database, the first row of a key stays. */
	assert_query(src[0], "SELECT group_concat(hash || '=' || text) FROM configs",
		     "h1=one");
	char *dst = tpath("kd.sqlite");
	cr_assert(eq(int, sim_results_create(dst, &r, &d), 0));
	for (int k = 0; k < 2; k++)
		cr_assert(eq(int, sim_results_merge(r, src[k], &d), 0), "%s",
			  d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(dst, "SELECT group_concat(hash || '=' || text, ' ') FROM "
			  "(SELECT * FROM configs ORDER BY rowid)",
		     "h1=one h2=two");
	/* The merged table is created with its key. */
	char *a = query1(src[0], "SELECT sql FROM sqlite_master WHERE name = 'configs'");
	char *b = query1(dst, "SELECT sql FROM sqlite_master WHERE name = 'configs'");
	cr_assert(strstr(a, "PRIMARY KEY") != NULL, "%s", a);
	cr_assert(eq(str, a, b));
	free(a);
	free(b);
	sim_diag_fini(&d);
	free(src[0]);
	free(src[1]);
	free(dst);
}
