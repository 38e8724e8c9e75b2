/* SPDX-License-Identifier: MIT */
/*
 * Tests of the results store (sim/results.c): creation, declared tables,
 * odd identifiers, exact CSV bytes and summaries. Merging is tested in
 * test_results_merge.c. Each test works in its own temporary folder, read
 * back with SQLite directly.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sim.h"
#include "results_util.h"

TestSuite(sim_results, .init = make_tdir, .fini = remove_tdir);

Test(sim_results, create_refuses_a_path_that_already_exists)
{
	char *path = tpath("taken.sqlite");
	FILE *f = fopen(path, "w");
	fputs("precious", f);
	fclose(f);
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r = (sim_results *)1;
	cr_assert(eq(int, sim_results_create(path, &r, &d), SIM_EEXIST));
	cr_assert(r == NULL);
	cr_assert(strstr(d.text, path) == d.text);
	cr_assert(strstr(d.text, "already exists") != NULL);
	char *kept = read_file(path, NULL);
	cr_assert(eq(str, kept, (char *)"precious"));
	free(kept);
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, user_version_is_the_schema_version_and_meta_is_kept)
{
	char *path = tpath("v.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_meta(r, "seed", "1", &d), 0));
	cr_assert(eq(int, sim_results_meta(r, "seed", "42", &d), 0));
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	char *want = sim_xasprintf("%d", SIM_RESULTS_SCHEMA_VERSION);
	assert_query(path, "PRAGMA user_version", want);
	assert_query(path, "SELECT value FROM meta WHERE key = 'seed'", "42");
	assert_query(path, "SELECT count(*) FROM meta", "1");
	free(want);
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, declared_table_has_run_id_first_holding_the_current_run)
{
	char *path = tpath("runs.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0));
	sim_results_set_run(r, 7);
	sim_value v[] = {{.i = 1}, {.s = "a"}};
	cr_assert(eq(int, sim_results_row(r, &xy, v, &d), 0));
	sim_results_set_run(r, 8);
	v[0].i = 2;
	v[1].s = NULL;
	cr_assert(eq(int, sim_results_row(r, &xy, v, &d), 0));
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(path, "SELECT group_concat(name || ':' || type || ':' || "
			   "\"notnull\", ' ') FROM pragma_table_info('xy')",
		     "run_id:INTEGER:1 x:INTEGER:0 y:TEXT:0");
	assert_query(path, "SELECT group_concat(run_id || '/' || x || '/' || "
			   "ifnull(y, 'NULL'), ' ') FROM (SELECT * FROM xy "
			   "ORDER BY rowid)",
		     "7/1/a 8/2/NULL");
	assert_query(path, "SELECT doc FROM columns WHERE tbl = 'xy' AND "
			   "col = 'run_id'",
		     "run this row belongs to, see runs");
	assert_query(path, "SELECT unit FROM columns WHERE tbl = 'xy' AND "
			   "col = 'x'",
		     "B");
	assert_query(path, "SELECT doc FROM columns WHERE tbl = 'xy' AND "
			   "col = ''",
		     "a test table");
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, plain_table_has_no_run_id_and_rows_need_no_run)
{
	char *path = tpath("plain.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare_plain(r, &xy, &d), 0));
	sim_value v[] = {{.i = 5}, {.s = "p"}};
	cr_assert(eq(int, sim_results_row(r, &xy, v, &d), 0));
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(path, "SELECT group_concat(name, ' ') FROM "
			   "pragma_table_info('xy')",
		     "x y");
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, rows_of_a_run_table_before_any_run_is_set_are_refused)
{
	char *path = tpath("norun.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0));
	sim_value v[] = {{.i = 5}, {.s = "p"}};
	cr_assert(eq(int, sim_results_row(r, &xy, v, &d), SIM_EINPUT));
	cr_assert(strstr(d.text, "no run set") != NULL, "%s", d.text);
	sim_results_abort(r);
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, rows_of_an_undeclared_table_are_refused)
{
	char *path = tpath("undeclared.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	sim_results_set_run(r, 1);
	sim_value v[] = {{.i = 5}, {.s = "p"}};
	cr_assert(eq(int, sim_results_row(r, &xy, v, &d), SIM_EINPUT));
	cr_assert(strstr(d.text, "table 'xy' was not declared") != NULL,
		  "%s", d.text);
	sim_results_abort(r);
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, odd_column_names_round_trip_through_sqlite_and_csv)
{
	static const sim_column cols[] = {
		{"a.b", SIM_COL_INT, "", "dotted"},
		{"x\"y", SIM_COL_TEXT, "", "quoted"},
		{"datacenter.host.memory", SIM_COL_REAL, "B", "long"},
		{"it's", SIM_COL_INT, "", "apostrophe"},
	};
	static const sim_table t = {"odd \"table\"", "odd names", cols, 4};
	char *path = tpath("odd.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare_plain(r, &t, &d), 0), "%s", d.text);
	sim_value v[] = {{.i = 3}, {.s = "q"}, {.r = 1.5}, {.i = 4}};
	cr_assert(eq(int, sim_results_row(r, &t, v, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_export_csv(r, tdir, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(path, "SELECT group_concat(name, '|') FROM "
			   "pragma_table_info('odd \"table\"')",
		     "a.b|x\"y|datacenter.host.memory|it's");
	assert_query(path, "SELECT \"x\"\"y\" || \"a.b\" || \"it's\" FROM "
			   "\"odd \"\"table\"\"\"",
		     "q34");
	char *csv_path = tpath("odd \"table\".csv");
	char *csv = read_file(csv_path, NULL);
	cr_assert(eq(str, csv, (char *)"a.b,\"x\"\"y\",datacenter.host.memory,it's\r\n"
			       "3,q,1.5,4\r\n"));
	free(csv);
	free(csv_path);
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, redeclaring_with_the_same_columns_is_accepted)
{
	char *path = tpath("same.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	/* Documented once, not once per declaration. */
	assert_query(path, "SELECT count(*) FROM columns WHERE tbl = 'xy'", "4");
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, redeclaring_with_different_columns_fails)
{
	static const sim_column other_cols[] = {
		{"x", SIM_COL_REAL, "", "now real"},
		{"y", SIM_COL_TEXT, "", "a label"},
	};
	static const sim_table other = {"xy", "changed", other_cols, 2};
	char *path = tpath("diff.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &other, &d), SIM_EINPUT));
	cr_assert(strstr(d.text, "table 'xy' already exists with columns") != NULL,
		  "%s", d.text);
	/* With and without run_id are different columns too. */
	cr_assert(eq(int, sim_results_declare_plain(r, &xy, &d), SIM_EINPUT));
	cr_assert(eq(u32, d.errors, 2));
	sim_results_abort(r);
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, sqlite_errors_are_edb_with_path_and_message)
{
	static const sim_column dup_cols[] = {
		{"a", SIM_COL_INT, "", ""},
		{"A", SIM_COL_INT, "", ""},
	};
	static const sim_table dup = {"dup", "", dup_cols, 2};
	char *path = tpath("dup.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &dup, &d), SIM_EDB));
	char *want = sim_xasprintf("%s: sqlite: duplicate column name", path);
	cr_assert(strstr(d.text, want) == d.text, "%s", d.text);
	free(want);
	/* The failed declaration left nothing behind; the rest still works. */
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0));
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(path, "SELECT count(*) FROM sqlite_master WHERE name = 'dup'",
		     "0");
	assert_query(path, "SELECT count(*) FROM columns WHERE tbl = 'dup'", "0");
	sim_diag_fini(&d);
	free(path);
}

/* Writes nrows rows of table t (row i at rows + i * t->ncols) under run 1
 * into a new database NAME.sqlite, exports its CSVs into the new folder
 * NAME (returned in *dir) and returns the text of t's CSV. */
static char *csv_of(const sim_table *t, const sim_value *rows, size_t nrows,
		    const char *name, char **dir)
{
	char *db = sim_xasprintf("%s.sqlite", name);
	char *path = tpath(db);
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, t, &d), 0));
	sim_results_set_run(r, 1);
	for (size_t i = 0; i < nrows; i++)
		cr_assert(eq(int,
			     sim_results_row(r, t, rows + i * t->ncols, &d),
			     0));
	*dir = tpath(name);
	cr_assert(eq(int, mkdir(*dir, 0777), 0));
	cr_assert(eq(int, sim_results_export_csv(r, *dir, &d), 0), "%s",
		  d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	char *csv_path = sim_xasprintf("%s/%s.csv", *dir, t->name);
	char *csv = read_file(csv_path, NULL);
	free(csv_path);
	free(path);
	free(db);
	sim_diag_fini(&d);
	return csv;
}

Test(sim_results, csv_export_writes_exact_rfc4180_bytes)
{
	static const sim_column cols[] = {
		{"s", SIM_COL_TEXT, "", "text"},
		{"r", SIM_COL_REAL, "", "real"},
		{"i", SIM_COL_INT, "", "integer"},
	};
	static const sim_table t = {"t", "csv", cols, 3};
	const sim_value rows[][3] = {
		{{.s = "a,b"}, {.r = 0.1}, {.i = INT64_MAX}},
		{{.s = "say \"hi\""}, {.r = 2.0}, {.i = INT64_MIN}},
		{{.s = "line1\r\nline2"}, {.r = -0.5}, {.i = 0}},
		{{.s = " lead"}, {.r = 1e300}, {.i = -1}},
		{{.s = NULL}, {.r = 1e-7}, {.i = 42}},
		{{.s = ""}, {.r = 0.0}, {.i = 7}},
		{{.s = "plain"}, {.r = 3.0e15}, {.i = 1}},
		/* Needs all 17 digits to read back as the same double. */
		{{.s = "sum"}, {.r = 0.1 + 0.2}, {.i = 2}},
	};
	char *out;
	char *csv = csv_of(&t, rows[0], sizeof rows / sizeof rows[0], "csv",
			   &out);
	const char want[] =
		"run_id,s,r,i\r\n"
		"1,\"a,b\",0.1,9223372036854775807\r\n"
		"1,\"say \"\"hi\"\"\",2,-9223372036854775808\r\n"
		"1,\"line1\r\nline2\",-0.5,0\r\n"
		"1,\" lead\",1e+300,-1\r\n"
		"1,,1e-07,42\r\n"
		"1,,0,7\r\n"
		"1,plain,3e+15,1\r\n"
		"1,sum,0.30000000000000004,2\r\n";
	cr_assert(eq(sz, strlen(csv), sizeof want - 1));
	cr_assert(eq(str, csv, (char *)want));
	free(csv);

	/* Every table has its file, and no temporary file is left over. */
	const char *expect[] = {"columns.csv", "meta.csv", "t.csv"};
	DIR *dh = opendir(out);
	struct dirent *de;
	size_t seen = 0;
	while ((de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		bool known = false;
		for (size_t i = 0; i < 3; i++)
			known = known || strcmp(de->d_name, expect[i]) == 0;
		cr_assert(known, "unexpected file %s", de->d_name);
		seen++;
	}
	closedir(dh);
	cr_assert(eq(sz, seen, 3));
	char *meta_path = sim_xasprintf("%s/meta.csv", out);
	char *meta = read_file(meta_path, NULL);
	cr_assert(eq(str, meta, (char *)"key,value\r\n"));
	free(meta);
	free(meta_path);
	free(out);
}

Test(sim_results, abort_deletes_the_file)
{
	char *path = tpath("gone.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0));
	sim_results_set_run(r, 1);
	sim_value v[] = {{.i = 1}, {.s = "a"}};
	cr_assert(eq(int, sim_results_row(r, &xy, v, &d), 0));
	cr_assert(access(path, F_OK) == 0);
	sim_results_abort(r);
	cr_assert(access(path, F_OK) != 0);
	sim_results_abort(NULL);
	cr_assert(eq(int, sim_results_close(NULL, &d), 0));
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, table_names_with_a_slash_are_refused)
{
	static const sim_table bad = {"a/b", "", xy_cols, 2};
	char *path = tpath("slash.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &bad, &d), SIM_EINPUT));
	sim_results_abort(r);
	sim_diag_fini(&d);
	free(path);
}

Test(sim_results, sql_and_formula_text_in_values_and_names_round_trips)
{
	/* Values are bound and names quoted by one function: SQL text,
	 * quotes, a leading = and control characters come out as they went
	 * in, in SQLite and in the CSV. */
	static const sim_column cols[] = {
		{"x'); DROP TABLE meta; --", SIM_COL_TEXT, "", "a hostile name"},
	};
	static const sim_table t = {"t\"; DROP TABLE meta; --", "", cols, 1};
	const char *values[] = {"'); DROP TABLE meta; --", "=1+1",
				"a\"b", "tab\there"};
	char *path = tpath("vals.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &t, &d), 0), "%s", d.text);
	sim_results_set_run(r, 1);
	for (size_t i = 0; i < 4; i++) {
		sim_value v[] = {{.s = values[i]}};
		cr_assert(eq(int, sim_results_row(r, &t, v, &d), 0));
	}
	cr_assert(eq(int, sim_results_meta(r, "k'--", "v');--", &d), 0));
	char *out = tpath("csv");
	cr_assert(eq(int, mkdir(out, 0777), 0));
	cr_assert(eq(int, sim_results_export_csv(r, out, &d), 0), "%s", d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(path, "SELECT value FROM meta WHERE key = 'k''--'",
		     "v');--");
	assert_query(path,
		     "SELECT group_concat(\"x'); DROP TABLE meta; --\", '|') "
		     "FROM \"t\"\"; DROP TABLE meta; --\"",
		     "'); DROP TABLE meta; --|=1+1|a\"b|tab\there");
	char *csv_path = sim_xasprintf("%s/t\"; DROP TABLE meta; --.csv", out);
	char *csv = read_file(csv_path, NULL);
	cr_assert(eq(str, csv,
		     (char *)"run_id,x'); DROP TABLE meta; --\r\n"
			     "1,'); DROP TABLE meta; --\r\n"
			     "1,=1+1\r\n"
			     "1,\"a\"\"b\"\r\n"
			     "1,tab\there\r\n"));
	free(csv);
	free(csv_path);
	free(out);
	free(path);
	sim_diag_fini(&d);
}

/* The CSV writes a double as the shortest "%.Ng", N = 15..17, that reads
 * back as the same double; whole numbers and short decimals are formatted
 * without printf. Each written field must equal what printf gives, for
 * doubles of every kind: whole, short decimals m / 10^k (both signs, near
 * the fixed/exponent boundaries 1e-4 and 1e15), their neighbours one ulp
 * away, and values that need 16 or 17 digits. (Not -0.0: SQLite stores
 * it as 0.) */
static void shortest_g(char out[40], double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, 40, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
}

Test(sim_results, csv_doubles_match_the_shortest_round_trip_printf)
{
	static const sim_column cols[] = {{"r", SIM_COL_REAL, "", "real"}};
	static const sim_table t = {"t", "doubles", cols, 1};
	enum { N = 24000 };
	double *v = sim_xcalloc(N, sizeof *v);
	const double fixed[] = {0.1,   0.3,    -0.5,  1e-4,  -1e-4, 9.99e-5,
				1e-5,  0.125,  2.675, 1e15,  -1e15, 1e14 + 0.5,
				99999999999999.9, 0.1 + 0.2, 1.0 / 3,
				0.08388608, 5e-324, 123456789.012345};
	size_t n = 0;
	for (; n < sizeof fixed / sizeof fixed[0]; n++)
		v[n] = fixed[n];
	/* A fixed LCG (Knuth's MMIX constants) draws m and k. */
	uint64_t x = 20261206;
	while (n + 3 <= N) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		uint64_t m = (x >> 11) % (uint64_t)pow(10, 1 + (x >> 3) % 15);
		int k = (int)((x >> 7) % 17);
		double d = (double)m / pow(10, k);
		if ((x & 1) && m)
			d = -d;
		v[n++] = d;
		v[n++] = nextafter(d, INFINITY);
		v[n++] = d * 1.0000001;
	}
	sim_value *vals = sim_xcalloc(n, sizeof *vals);
	for (size_t i = 0; i < n; i++)
		vals[i].r = v[i];
	char *out;
	char *csv = csv_of(&t, vals, n, "doubles", &out);
	free(vals);
	char *row = strstr(csv, "\r\n");
	cr_assert(row != NULL);
	row += 2;
	for (size_t i = 0; i < n; i++) {
		char *end = strstr(row, "\r\n");
		cr_assert(end != NULL, "row %zu missing", i);
		*end = '\0';
		char want[40], got[48];
		shortest_g(want, v[i]);
		snprintf(got, sizeof got, "1,%s", want);
		cr_assert(eq(str, row, got), "value %.17g", v[i]);
		row = end + 2;
	}
	cr_assert(eq(chr, *row, '\0'));
	free(csv);
	free(out);
	free(v);
}

Test(sim_results, csv_export_never_writes_through_a_planted_link)
{
	char *path = tpath("l.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &xy, &d), 0));
	char *out = tpath("csv");
	cr_assert(eq(int, mkdir(out, 0777), 0));
	char *victim = tpath("victim");
	FILE *f = fopen(victim, "wb");
	fputs("keep", f);
	fclose(f);
	char *link = sim_xasprintf("%s/xy.csv", out);
	cr_assert(eq(int, symlink(victim, link), 0));
	cr_assert(eq(int, sim_results_export_csv(r, out, &d), SIM_EINPUT));
	cr_assert(strstr(d.text, "xy.csv: is a symbolic link (refusing") !=
			  NULL,
		  "%s", d.text);
	char *kept = read_file(victim, NULL);
	cr_assert(eq(str, kept, (char *)"keep"));
	free(kept);
	sim_results_abort(r);
	free(link);
	free(victim);
	free(out);
	free(path);
	sim_diag_fini(&d);
}

/* Statistics against hand values: 1, 2, 3, 4 has mean 2.5, sample sd
 * sqrt(5/3) and, with t(0.975, 3) = 3.182446305 (Student's t table), the
 * 95 % interval 2.5 -+ 3.182446305 * sqrt(5/3) / 2. One value has no sd
 * and no interval. */
Test(sim_results, summary_stats_of_four_values_match_the_closed_form)
{
	const double x[] = {4, 1, 3, 2};
	sim_summary_row s;
	sim_summary_stats(x, 4, &s);
	double sd = sqrt(5.0 / 3.0), half = 3.182446305 * sd / 2.0;
	cr_assert(eq(i64, s.n, 4));
	cr_assert(ieee_ulp_eq(dbl, s.mean, 2.5, 4));
	cr_assert(epsilon_eq(dbl, s.sd, sd, 1e-12));
	cr_assert(eq(dbl, s.min, 1.0));
	cr_assert(eq(dbl, s.max, 4.0));
	cr_assert(epsilon_eq(dbl, s.ci_low, 2.5 - half, 1e-8));
	cr_assert(epsilon_eq(dbl, s.ci_high, 2.5 + half, 1e-8));
	cr_assert(s.has_sd);
	sim_summary_stats(x, 1, &s);
	cr_assert(eq(i64, s.n, 1));
	cr_assert(eq(dbl, s.mean, 4.0));
	cr_assert(not(s.has_sd));
}

/* The summary groups by point and entity, in that order, skips NULLs and
 * stores NULL where n < 2. */
Test(sim_results, summary_groups_replications_by_point_and_entity)
{
	char *path = tpath("sum.sqlite");
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0));
	static const sim_column run_cols[] = {
		{"run_id", SIM_COL_INT, "", ""}, {"point", SIM_COL_INT, "", ""}};
	static const sim_table runs = {"runs", "", run_cols, 2};
	static const sim_column m_cols[] = {
		{"m", SIM_COL_INT, "", "entity"},
		{"t_ns", SIM_COL_INT, "ns", "a metric"}};
	static const sim_table mt = {"mt", "", m_cols, 2};
	cr_assert(eq(int, sim_results_declare_plain(r, &runs, &d), 0));
	cr_assert(eq(int, sim_results_declare(r, &mt, &d), 0));
	/* Runs 1, 2, 3 are point 0; run 4 is point 1. */
	for (int64_t run = 1; run <= 4; run++) {
		sim_value rv[2] = {{.i = run}, {.i = run <= 3 ? 0 : 1}};
		cr_assert(eq(int, sim_results_row(r, &runs, rv, &d), 0));
		sim_results_set_run(r, run);
		for (int64_t m = 1; m >= 0; m--) {
			sim_value v[2] = {{.i = m}, {.i = 10 * m + run}};
			cr_assert(eq(int, sim_results_row(r, &mt, v, &d), 0));
		}
	}
	static const char *const keys[] = {"m"}, *const metrics[] = {"t_ns"};
	sim_summary_spec spec = {"mt", keys, 1, metrics, 1};
	sim_summary_spec absent = {"nothere", keys, 1, metrics, 1};
	sim_summary_spec specs[] = {absent, spec};
	cr_assert(eq(int, sim_results_summarize(r, specs, 2, &d), 0),
		  "%s", d.text ? d.text : "");
	cr_assert(eq(int, sim_results_close(r, &d), 0));
	assert_query(path,
		     "SELECT group_concat(point || ':' || entity || ':' || unit "
		     "|| ':' || n || ':' || mean || ':' || min || ':' || max || "
		     "':' || coalesce(sd, 'null'), ' ') FROM summary",
		     "0:m=0:ns:3:2.0:1.0:3.0:1.0 0:m=1:ns:3:12.0:11.0:13.0:1.0 "
		     "1:m=0:ns:1:4.0:4.0:4.0:null 1:m=1:ns:1:14.0:14.0:14.0:null");
	sim_diag_fini(&d);
	free(path);
}
