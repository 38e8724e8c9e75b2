/* SPDX-License-Identifier: MIT */
/*
 * Tests of sim_plots_render (sim/plots.c) with tiny gnuplot scripts written
 * into a temporary folder: which scripts render, what a failure says and
 * leaves behind, and the behaviour without gnuplot. Tests that need gnuplot
 * skip when it is not installed.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"

#include <sqlite3.h>
#include "tmpdir.h"

/* The test's temporary folder (each test runs in its own process), with
 * plots/, data/ and out/ inside. */
static char tdir[64];

static char *tpath(const char *name)
{
	return tmpdir_path(tdir, name);
}

static void make_tdir(void)
{
	tmpdir_make(tdir, sizeof tdir, "/tmp/vdcsim-plots-XXXXXX");
	const char *subs[] = {"plots", "data", "out"};
	for (size_t i = 0; i < 3; i++) {
		char *p = tpath(subs[i]);
		cr_assert(eq(int, mkdir(p, 0777), 0));
		free(p);
	}
}

static void remove_tdir(void)
{
	tmpdir_remove(tdir);
}

TestSuite(sim_plots, .init = make_tdir, .fini = remove_tdir);

static void write_file(const char *rel, const char *text)
{
	char *p = tpath(rel);
	FILE *f = fopen(p, "wb");
	cr_assert(f != NULL, "cannot write %s", p);
	fputs(text, f);
	fclose(f);
	free(p);
}

/* Number of entries in folder rel (without . and ..). */
static size_t count_entries(const char *rel)
{
	char *p = tpath(rel);
	DIR *dh = opendir(p);
	cr_assert(dh != NULL);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dh)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dh);
	free(p);
	return n;
}

static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	char *copy = sim_xstrdup(path);
	bool found = false;
	for (char *save = NULL, *dir = strtok_r(copy, ":", &save);
	     dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *cand = sim_xasprintf("%s/gnuplot", dir);
		found = access(cand, X_OK) == 0;
		free(cand);
	}
	free(copy);
	return found;
}

static void need_gnuplot(void)
{
	if (have_gnuplot())
		return;
	/* A skipped test does not reach the suite's .fini. */
	remove_tdir();
	cr_skip("gnuplot is not installed (apt install gnuplot-nox)");
}

/* A script plotting t.csv, choosing its terminal as vdcsim's scripts do. */
static const char good_script[] =
	"# A test plot.\n"
	"# needs: t\n"
	"set datafile separator comma\n"
	"set key autotitle columnhead\n"
	"if (svg) { set terminal svg size 300,200 } else { set terminal pngcairo size 300,200 }\n"
	"set output outfile\n"
	"plot './t.csv' using 1:2 with lines\n";

static const char t_csv[] = "x,y\r\n0,1\r\n1,3\r\n2,2\r\n";

/* Calls sim_plots_render on the test folders. */
static int render(bool svg, unsigned *made, bool *skipped, sim_diag *d)
{
	char *plots = tpath("plots"), *data = tpath("data"), *out = tpath("out");
	int rc = sim_plots_render(plots, data, out, svg, made, skipped, d);
	free(plots);
	free(data);
	free(out);
	return rc;
}

static void read_head(const char *rel, char *buf, size_t n)
{
	char *p = tpath(rel);
	FILE *f = fopen(p, "rb");
	cr_assert(f != NULL, "%s was not written", p);
	memset(buf, 0, n);
	cr_assert(eq(sz, fread(buf, 1, n, f), n));
	fclose(f);
	free(p);
}

Test(sim_plots, a_script_whose_table_has_rows_renders_a_png)
{
	need_gnuplot();
	write_file("plots/line.gp", good_script);
	write_file("data/t.csv", t_csv);
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 99;
	bool skipped = true;
	cr_assert(eq(int, render(false, &made, &skipped, &d), 0), "%s", d.text);
	cr_assert(eq(u32, made, 1));
	cr_assert(not(skipped));
	char head[8];
	read_head("out/line.png", head, sizeof head);
	cr_assert(eq(int, memcmp(head, "\x89PNG\r\n\x1a\n", 8), 0));
	/* The temporary file was renamed, not left beside the plot. */
	cr_assert(eq(sz, count_entries("out"), 1));
	sim_diag_fini(&d);
}

Test(sim_plots, svg_true_writes_an_svg_file)
{
	need_gnuplot();
	write_file("plots/line.gp", good_script);
	write_file("data/t.csv", t_csv);
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 0;
	bool skipped = true;
	cr_assert(eq(int, render(true, &made, &skipped, &d), 0), "%s", d.text);
	cr_assert(eq(u32, made, 1));
	char head[5];
	read_head("out/line.svg", head, sizeof head);
	cr_assert(memcmp(head, "<?xml", 5) == 0 || memcmp(head, "<svg", 4) == 0);
	cr_assert(eq(sz, count_entries("out"), 1));
	sim_diag_fini(&d);
}

Test(sim_plots, a_script_whose_needs_are_absent_or_empty_is_not_rendered)
{
	need_gnuplot();
	/* nosuch.csv does not exist; empty.csv has only a header. */
	write_file("plots/a.gp", "# needs: t, nosuch\nset output outfile\nplot x\n");
	write_file("plots/b.gp", "# needs: empty\nset output outfile\nplot x\n");
	write_file("data/t.csv", t_csv);
	write_file("data/empty.csv", "x,y\r\n");
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 99;
	bool skipped = true;
	cr_assert(eq(int, render(false, &made, &skipped, &d), 0), "%s", d.text);
	cr_assert(eq(u32, made, 0));
	cr_assert(not(skipped));
	cr_assert(eq(sz, count_entries("out"), 0));
	cr_assert(eq(u32, d.errors, 0));
	sim_diag_fini(&d);
}

Test(sim_plots, a_failing_script_gives_etool_naming_it_and_leaves_no_output)
{
	need_gnuplot();
	write_file("plots/bad.gp",
		   "# needs: t\n"
		   "set terminal pngcairo\n"
		   "set output outfile\n"
		   "plot nosuch_function(x)\n");
	write_file("data/t.csv", t_csv);
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 99;
	bool skipped = true;
	cr_assert(eq(int, render(false, &made, &skipped, &d), SIM_ETOOL));
	cr_assert(eq(u32, made, 0));
	char *want = sim_xasprintf("%s/plots/bad.gp: gnuplot failed: ", tdir);
	cr_assert(strstr(d.text, want) == d.text, "%s", d.text);
	cr_assert(strstr(d.text, "nosuch_function") != NULL, "%s", d.text);
	/* One message, on one line. */
	cr_assert(eq(u32, d.errors, 1));
	cr_assert(strchr(d.text, '\n') == d.text + d.len - 1, "%s", d.text);
	cr_assert(eq(sz, count_entries("out"), 0));
	free(want);
	sim_diag_fini(&d);
}

Test(sim_plots, scripts_run_in_bytewise_name_order)
{
	need_gnuplot();
	/* Bytewise, "B.gp" sorts before "a.gp" (a locale might disagree):
	 * the first failure reported names B.gp, the second a.gp. */
	write_file("plots/a.gp", "plot nosuch_a(x)\n");
	write_file("plots/B.gp", "plot nosuch_b(x)\n");
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 0;
	bool skipped = false;
	cr_assert(eq(int, render(false, &made, &skipped, &d), SIM_ETOOL));
	const char *b = strstr(d.text, "/B.gp: gnuplot failed");
	const char *a = strstr(d.text, "/a.gp: gnuplot failed");
	cr_assert(b != NULL && a != NULL && b < a, "%s", d.text);
	cr_assert(eq(u32, d.errors, 2));
	sim_diag_fini(&d);
}

/* One broken script costs its own plot only: the others are drawn, and
 * the result is still the failure. */
Test(sim_plots, a_failing_script_leaves_the_others_drawn)
{
	need_gnuplot();
	write_file("plots/bad.gp", "# needs: t\nplot nosuch_function(x)\n");
	write_file("plots/good.gp", "# needs: t\nset terminal pngcairo\n"
				    "set output outfile\nplot x\n");
	write_file("data/t.csv", t_csv);
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 0;
	bool skipped = false;
	cr_assert(eq(int, render(false, &made, &skipped, &d), SIM_ETOOL));
	cr_assert(eq(u32, made, 1));
	cr_assert(eq(u32, d.errors, 1));
	cr_assert(strstr(d.text, "/bad.gp: gnuplot failed") != NULL, "%s",
		  d.text);
	cr_assert(eq(sz, count_entries("out"), 1));
	sim_diag_fini(&d);
}

Test(sim_plots, a_script_that_writes_no_plot_is_an_error)
{
	need_gnuplot();
	write_file("plots/quiet.gp", "# needs: t\nx = 1\n");
	write_file("data/t.csv", t_csv);
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 0;
	bool skipped = false;
	cr_assert(eq(int, render(false, &made, &skipped, &d), SIM_ETOOL));
	cr_assert(strstr(d.text, "quiet.gp: gnuplot wrote no plot") != NULL,
		  "%s", d.text);
	cr_assert(eq(sz, count_entries("out"), 0));
	sim_diag_fini(&d);
}

/* A folder name that the old way of passing paths (spliced into
 * datadir.'/t.csv' and outfile='...') turned into a shell command, a
 * broken command or a broken string. */
static const char hostile[] =
	"<touch canary;echo it's \"q\" `touch canary` |x $(id) \\ \n\r ü";

static bool exists(const char *p)
{
	struct stat sb;
	return lstat(p, &sb) == 0;
}

Test(sim_plots, folders_with_hostile_names_are_only_data_to_gnuplot)
{
	need_gnuplot();
	char *plots = tpath(hostile);
	cr_assert(eq(int, mkdir(plots, 0777), 0));
	char *script = sim_xasprintf("%s/line.gp", plots);
	FILE *f = fopen(script, "wb");
	cr_assert(f != NULL);
	/* The script as vdcsim's are written now: a fixed relative name. */
	fputs("# needs: t\n"
	      "set datafile separator comma\n"
	      "set terminal pngcairo size 300,200\n"
	      "set output outfile\n"
	      "plot './t.csv' using 1:2 with lines\n",
	      f);
	fclose(f);
	char *data = sim_xasprintf("%s/d", plots);
	cr_assert(eq(int, mkdir(data, 0777), 0));
	char *csv = sim_xasprintf("%s/t.csv", data);
	f = fopen(csv, "wb");
	cr_assert(f != NULL);
	fputs(t_csv, f);
	fclose(f);
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 0;
	bool skipped = true;
	/* Scripts, data and plot all under the hostile name; a datadir.'/'
	 * script still works, as datadir is '.'. */
	cr_assert(eq(int, sim_plots_render(plots, data, data, false, &made,
					   &skipped, &d),
		     0),
		  "%s", d.text);
	cr_assert(eq(u32, made, 1));
	char *png = sim_xasprintf("%s/line.png", data);
	cr_assert(exists(png));
	/* Nothing ran: no canary in any folder a shell could have used. */
	char *c1 = tpath("canary"), *c2 = sim_xasprintf("%s/canary", data);
	char *c3 = sim_xasprintf("%s/canary", plots);
	cr_assert(not(exists(c1)));
	cr_assert(not(exists(c2)));
	cr_assert(not(exists(c3)));
	cr_assert(not(exists("canary")));
	free(c1);
	free(c2);
	free(c3);
	free(png);
	free(csv);
	free(data);
	free(script);
	free(plots);
	sim_diag_fini(&d);
}

Test(sim_plots, a_symbolic_link_in_place_of_the_plot_is_refused_and_kept)
{
	need_gnuplot();
	write_file("plots/line.gp", good_script);
	write_file("data/t.csv", t_csv);
	write_file("victim", "keep me");
	char *victim = tpath("victim"), *link = tpath("out/line.png");
	cr_assert(eq(int, symlink(victim, link), 0));
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 0;
	bool skipped = true;
	cr_assert(eq(int, render(false, &made, &skipped, &d), SIM_EINPUT));
	cr_assert(strstr(d.text, "line.png: is a symbolic link") != NULL, "%s",
		  d.text);
	char buf[16] = {0};
	FILE *f = fopen(victim, "rb");
	cr_assert(f != NULL);
	cr_assert(eq(sz, fread(buf, 1, sizeof buf - 1, f), 7));
	fclose(f);
	cr_assert(eq(str, buf, "keep me"));
	struct stat sb;
	cr_assert(eq(int, lstat(link, &sb), 0));
	bool is_link = S_ISLNK(sb.st_mode);
	cr_assert(is_link);
	/* No temporary left beside it. */
	cr_assert(eq(sz, count_entries("out"), 1));
	free(victim);
	free(link);
	sim_diag_fini(&d);
}

Test(sim_plots, a_plot_drawn_again_replaces_the_regular_file)
{
	need_gnuplot();
	write_file("plots/line.gp", good_script);
	write_file("data/t.csv", t_csv);
	write_file("out/line.png", "old");
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 0;
	bool skipped = true;
	cr_assert(eq(int, render(false, &made, &skipped, &d), 0), "%s", d.text);
	char head[8];
	read_head("out/line.png", head, sizeof head);
	cr_assert(eq(int, memcmp(head, "\x89PNG\r\n\x1a\n", 8), 0));
	cr_assert(eq(sz, count_entries("out"), 1));
	sim_diag_fini(&d);
}

/* Puts a fake gnuplot (a shell script with body) first on PATH. */
static void fake_gnuplot(const char *body)
{
	char *bin = tpath("fakebin");
	cr_assert(eq(int, mkdir(bin, 0777), 0));
	char *exe = sim_xasprintf("%s/gnuplot", bin);
	FILE *f = fopen(exe, "wb");
	cr_assert(f != NULL);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	cr_assert(eq(int, chmod(exe, 0755), 0));
	char *path = sim_xasprintf("%s:%s", bin, getenv("PATH") ? getenv("PATH") : "");
	cr_assert(eq(int, setenv("PATH", path, 1), 0));
	free(path);
	free(exe);
	free(bin);
}

Test(sim_plots, a_hung_gnuplot_is_killed_at_the_limit_and_named)
{
	/* It says something first, then hangs with stderr still open. */
	fake_gnuplot("echo starting >&2\nexec sleep 600");
	write_file("plots/line.gp", good_script);
	write_file("data/t.csv", t_csv);
	char *plots = tpath("plots"), *data = tpath("data"), *out = tpath("out");
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 0;
	bool skipped = true;
	cr_assert(eq(int, sim_plots_render_timeout(plots, data, out, false,
						   SIM_MS(300), NULL, &made,
						   &skipped, &d),
		     SIM_ETOOL));
	char *want = sim_xasprintf("%s/plots/line.gp: gnuplot did not finish "
				   "within 300ms and was killed",
				   tdir);
	cr_assert(strstr(d.text, want) == d.text, "%s", d.text);
	cr_assert(strstr(d.text, SIM_PLOTS_TIMEOUT_ENV) != NULL, "%s", d.text);
	cr_assert(eq(u32, d.errors, 1));
	cr_assert(eq(sz, count_entries("out"), 0));
	free(want);
	free(plots);
	free(data);
	free(out);
	sim_diag_fini(&d);
}

Test(sim_plots, a_gnuplot_that_closes_stderr_and_hangs_is_killed_too)
{
	fake_gnuplot("exec 2>&-\nexec sleep 600");
	write_file("plots/line.gp", good_script);
	write_file("data/t.csv", t_csv);
	char *plots = tpath("plots"), *data = tpath("data"), *out = tpath("out");
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_plots_render_timeout(plots, data, out, false,
						   SIM_S(1), NULL, NULL, NULL,
						   &d),
		     SIM_ETOOL));
	cr_assert(strstr(d.text, "within 1s and was killed") != NULL, "%s",
		  d.text);
	free(plots);
	free(data);
	free(out);
	sim_diag_fini(&d);
}

Test(sim_plots, without_gnuplot_on_path_nothing_is_written_and_skipped_is_set)
{
	write_file("plots/line.gp", good_script);
	write_file("data/t.csv", t_csv);
	char *bin = tpath("emptybin");
	cr_assert(eq(int, mkdir(bin, 0777), 0));
	cr_assert(eq(int, setenv("PATH", bin, 1), 0));
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 99;
	bool skipped = false;
	cr_assert(eq(int, render(false, &made, &skipped, &d), 0));
	cr_assert(skipped);
	cr_assert(eq(u32, made, 0));
	cr_assert(eq(u32, d.errors, 0));
	cr_assert(eq(sz, count_entries("out"), 0));
	free(bin);
	sim_diag_fini(&d);
}

/* Set by SIGUSR1, which the fake gnuplot below sends its parent: a stop
 * that arrives while gnuplot runs, as SIGINT would in vdcsim run. */
static volatile sig_atomic_t stop_flag;

static void on_usr1(int sig)
{
	stop_flag = sig;
}

Test(sim_plots, a_stop_while_gnuplot_runs_kills_it_and_leaves_no_plot)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	cr_assert(eq(int, sigaction(SIGUSR1, &sa, NULL), 0));
	fake_gnuplot("kill -USR1 $PPID\nexec sleep 600");
	write_file("plots/line.gp", good_script);
	write_file("data/t.csv", t_csv);
	char *plots = tpath("plots"), *data = tpath("data"), *out = tpath("out");
	sim_diag d;
	sim_diag_init(&d);
	unsigned made = 7;
	/* A limit of a minute: only the stop can end this within the test. */
	cr_assert(eq(int, sim_plots_render_timeout(plots, data, out, false,
						   SIM_S(60), &stop_flag,
						   &made, NULL, &d),
		     SIM_EINTR));
	cr_assert(eq(int, stop_flag, SIGUSR1));
	cr_assert(eq(u32, made, 0));
	cr_assert(strstr(d.text, "interrupted: gnuplot was stopped") != NULL,
		  "%s", d.text);
	cr_assert(eq(sz, count_entries("out"), 0));
	free(plots);
	free(data);
	free(out);
	sim_diag_fini(&d);
}

/* A results database in data/ for when: queries: a table q(v) of 1, 2, 2. */
static void write_results_db(void)
{
	char *path = tpath("data/results.sqlite");
	sqlite3 *db;
	cr_assert(eq(int, sqlite3_open(path, &db), SQLITE_OK));
	cr_assert(eq(int, sqlite3_exec(db, "CREATE TABLE q (v INTEGER); "
					   "INSERT INTO q VALUES (1), (2), (2)",
				       NULL, NULL, NULL),
		     SQLITE_OK));
	sqlite3_close(db);
	free(path);
}

/* "# when:" decides with one read-only query: true draws, false does not
 * and says why in words (the "-- ..." of the line), and a query that
 * writes, holds two statements or fails is an error naming the script's
 * line; the database is left as it was. */
Test(sim_plots, a_when_query_decides_whether_a_plot_fits)
{
	write_file("data/t.csv", t_csv);
	write_results_db();
	write_file("plots/yes.gp", "# needs: t\n# when: SELECT count(DISTINCT v) > 1 FROM q\n");
	/* The reason is after the last " -- ": the query may hold "--". */
	write_file("plots/no.gp", "# when: SELECT count(DISTINCT v) > 2 AND '--' = '--' FROM q -- needs -- three values\n");
	write_file("plots/none.gp", "# when: SELECT v FROM q WHERE v > 5\n");
	char *plots = tpath("plots"), *data = tpath("data");
	sim_diag d;
	sim_diag_init(&d);
	sim_plot_info *v;
	size_t n;
	cr_assert(eq(int, sim_plots_list(plots, data, &v, &n, &d), 0), "%s",
		  d.text ? d.text : "");
	cr_assert(eq(sz, n, 3));
	cr_assert(eq(str, v[0].name, "no"));
	cr_assert(not(v[0].applies));
	cr_assert(eq(str, v[0].why, "three values"));
	cr_assert(eq(str, v[1].name, "none"));
	cr_assert(not(v[1].applies));
	cr_assert(eq(str, v[2].name, "yes"));
	cr_assert(v[2].applies);
	cr_assert(eq(ptr, v[2].why, NULL));
	sim_plots_list_free(v, n);
	static const char *const bad[][2] = {
		{"# when: DELETE FROM q\n", "w.gp:1:3: when: the statement writes (expected one read-only SELECT)\n"},
		{"#\n# when: SELECT 1; SELECT 2\n", "w.gp:2:3: when: more than one statement (expected one SELECT)\n"},
		{"# when: SELECT nosuch FROM q\n", "w.gp:1:3: when: no such column: nosuch (expected one SELECT)\n"},
	};
	static const char *const gone[] = {"plots/yes.gp", "plots/no.gp",
					   "plots/none.gp"};
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
		char *path = tpath(gone[i]);
		remove(path);
		free(path);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file("plots/w.gp", bad[i][0]);
		sim_diag_fini(&d);
		sim_diag_init(&d);
		cr_assert(eq(int, sim_plots_list(plots, data, &v, &n, &d),
			     SIM_ETOOL));
		cr_assert(d.text != NULL);
		/* The message ends with the script's name, line and text. */
		size_t lt = strlen(d.text), lw = strlen(bad[i][1]);
		cr_assert(lt >= lw && strcmp(d.text + lt - lw, bad[i][1]) == 0,
			  "%s", d.text);
	}
	char *dbp = tpath("data/results.sqlite");
	sqlite3 *db;
	cr_assert(eq(int, sqlite3_open(dbp, &db), SQLITE_OK));
	sqlite3_stmt *st;
	cr_assert(eq(int, sqlite3_prepare_v2(db, "SELECT count(*) FROM q", -1, &st, NULL), SQLITE_OK));
	cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW));
	cr_assert(eq(i64, sqlite3_column_int64(st, 0), 3));
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(dbp);
	sim_diag_fini(&d);
	free(plots);
	free(data);
}

/* sim_plots_audit: the statements a config's own script may hold pass;
 * each refusal is one message at the position of what was found. */
static const char *const audit_tables[] = {"runs", "migrations", NULL};

static void audit_refuses(const char *text, const char *where)
{
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_plots_audit(text, "s.gp", audit_tables, &d),
		     SIM_EINPUT), "%s", text);
	cr_assert(strstr(d.text, where) == d.text, "%s: %s", text, d.text);
	sim_diag_fini(&d);
}

Test(sim_plots_audit, an_ordinary_script_passes)
{
	const char *ok =
		"# a comment may say system('x') or `x`\n"
		"set datafile separator comma\n"
		"set title 'Downtime; per run' font ',10'\n"
		"set xlabel \"size\"; set logscale y\n"
		"l = 3; f(a) = a * 2\n"
		"set tics out\n"
		"if (l > 2) { set key left } else { unset key }\n"
		"do for [i = 1:2] {\n"
		"    set label i sprintf('%d', i) at i, 1\n"
		"}\n"
		"stats './migrations.csv' using 2 nooutput\n"
		"plot './migrations.csv' using 1:($2 / 1e9) with lines title 'a', \\\n"
		"     '' using 1:3 title 'b', sin(x) notitle\n"
		"print 'done'\n"
		"exit\n";
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_plots_audit(ok, "s.gp", audit_tables, &d), 0),
		  "%s", d.text);
	cr_assert(eq(u32, d.errors, 0));
	sim_diag_fini(&d);
}

Test(sim_plots_audit, refusals_are_at_the_position_found)
{
	audit_refuses("set title 'a'\ns = system('id')\n", "s.gp:2:5: 'system'");
	audit_refuses("set te png\n", "s.gp:1:5: 'set te'");
	audit_refuses("set ou 'x'\n", "s.gp:1:5: 'set ou'");
	audit_refuses("lo 'x.gp'\n", "s.gp:1:1: 'lo'");
	audit_refuses("if (1) load 'x.gp'\n", "s.gp:1:8: 'load'");
	audit_refuses("  !id\n", "s.gp:1:3: '!'");
	audit_refuses("set title \"`id`\"\n", "s.gp:1:11: \"`id`\"");
	audit_refuses("plot './hosts.csv' u 1:2\n", "s.gp:1:6: file name");
	audit_refuses("plot 'runs.csv' u 1:2\n", "s.gp:1:6: file name");
	audit_refuses("plot sin(x), f u 1:2\n", "s.gp:1:14: 'f' as what to plot");
	audit_refuses("set title 'a' \\\n  . @m\n", "s.gp:2:5: '@'");
	audit_refuses("# note \\\nsystem 'id'\nsystem 'id'\n", "s.gp:3:1: 'system'");
	audit_refuses("set palette file f\n", "s.gp:1:18: 'f' after file");
	audit_refuses("print x . \"\\074id\"\n", "s.gp:1:11: \"\\074id\": a numeric");
	audit_refuses("s = '<id'\n", "s.gp:1:5: '<id'");
	audit_refuses("x = 'a'\n", "s.gp:1:1: 'x' assigned");
}

/* The data source of a plot item is a file name written out alone, or an
 * expression with no string, no variable but the dummies and no function
 * but the numeric ones: every way gnuplot has to build a file name (or a
 * '<' pipe) out of strings is refused where it starts. */
Test(sim_plots_audit, a_data_source_cannot_be_a_string_expression)
{
	audit_refuses("plot (\"a<id\"[2:]) using 1:2\n",
		      "s.gp:1:7: '\"a<id\"' as what to plot: a string");
	audit_refuses("f = \"a|id\"[2:]; plot f\n", "s.gp:1:22: 'f' as what");
	audit_refuses("plot \".\".\"/x\" u 1\n", "s.gp:1:6: file name");
	audit_refuses("plot './migrations.csv'.'x' u 1\n",
		      "s.gp:1:24: '.' after a file name");
	audit_refuses("plot './migrations.csv'[1:0].'a<id'[2:] u 1\n",
		      "s.gp:1:24: '[' after a file name");
	audit_refuses("plot './migrations.csv' eq '' ? '' : 'a|id'[2:]\n",
		      "s.gp:1:25: 'eq' after a file name");
	audit_refuses("plot 1 ? 'a|id'[2:] : 0\n", "s.gp:1:10: ''a|id'' as");
	audit_refuses("plot 1 ? f : 0\n", "s.gp:1:10: 'f' as what");
	audit_refuses("plot sin(1) ? f : 0\n", "s.gp:1:15: 'f' as what");
	audit_refuses("plot 1 + x.'id'\n", "s.gp:1:11: '.' as what to plot: "
		      "string concatenation");
	audit_refuses("plot x[1:2]\n", "s.gp:1:7: '[' as what to plot");
	audit_refuses("plot value('f') u 1\n", "s.gp:1:6: 'value' as what");
	audit_refuses("plot sprintf('%s', 'a') u 1\n", "s.gp:1:6: 'sprintf'");
	audit_refuses("plot word('a b', 1) u 1\n", "s.gp:1:6: 'word'");
	audit_refuses("plot strcol(1) u 1\n", "s.gp:1:6: 'strcol'");
	audit_refuses("plot gprintf('%g', 1) u 1\n", "s.gp:1:6: 'gprintf'");
	audit_refuses("plot sin u 1\n", "s.gp:1:6: 'sin' as what to plot: a "
		      "function name not called");
	audit_refuses("plot 1, 2 * (3 + GPVAL_PWD)\n", "s.gp:1:18: 'GPVAL_PWD'");
	audit_refuses("plot for [t in 'a b'] t u 1\n",
		      "s.gp:1:11: 't' as an iteration variable");
	audit_refuses("do for [x in 'a'] { plot x }\n",
		      "s.gp:1:9: 'x' as an iteration variable");
	audit_refuses("array t[1]\n", "s.gp:1:7: 't' declared an array");
	audit_refuses("sin(a) = 'x'\n", "s.gp:1:1: 'sin' assigned");
	audit_refuses("replot 'a|id'[2:]\n", "s.gp:1:8: file name");
	audit_refuses("stats 1 ? 'x' : 0\n", "s.gp:1:11: ''x'' as what");
	audit_refuses("set palette file './migrations.csv'.'x'\n",
		      "s.gp:1:36: '.' after a file name");
}

/* What a data source may still be: a file name written out, followed by
 * its options; the pseudo-files; functions of the dummies; items after
 * ranges and iterations; the statement's end right after the name. */
Test(sim_plots_audit, file_names_and_numeric_functions_still_pass)
{
	const char *ok =
		"set datafile separator comma\n"
		"plot sin(x) ** 2 + atan2(x, 1) with lines title 'a', \\\n"
		"     './migrations.csv' u 1:2 w l t 'b', '' u 1:3, \\\n"
		"     x > 0 ? x : -x notitle, -1.5e3 * pi, NaN\n"
		"plot [t=0:1] t**2 title sprintf('%d', 2)\n"
		"plot for [i=1:3] './migrations.csv' using 1:(column(i)) "
		"title sprintf('%d', i)\n"
		"plot '+' using 1:(1) with points, keyentry with points "
		"title 'k'\n"
		"splot x * y with pm3d, '++' using 1:2:(0)\n"
		"stats './runs.csv'\n"
		"plot './runs.csv'; plot x != 1 ? 1 : 0 t 'c', (x) w l\n"
		"f(a) = a . 'x'; s = 'a'[1:1] . 'b'\n"
		"set palette file './runs.csv' using 1:2:3:4\n";
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_plots_audit(ok, "s.gp", audit_tables, &d), 0),
		  "%s", d.text);
	sim_diag_fini(&d);
}
