/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim compare DIR_A DIR_B`: the metrics of two results directories side
 * by side. Each metric of each sweep point comes from the `summary` table
 * when the directory has one (replications), else it is summarised from the
 * run tables as run does for replications, in a temporary database; the
 * results directories are only read. Points are matched by their swept
 * values, so two sweeps that share some points compare on those.
 */
#include "cli_internal.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

static void usage_compare(FILE *f)
{
	fputs("usage: vdcsim compare DIR_A DIR_B [--csv] [--changed]\n"
	      "\n"
	      "Prints the metrics of two results directories side by side: for\n"
	      "each sweep point, table, entity (a migration, a flow, or the run)\n"
	      "and metric, the mean in A and in B, the difference B - A, the\n"
	      "relative difference (B - A) / |A|, and whether the difference\n"
	      "exceeds the 95 % confidence intervals of the means. The values\n"
	      "come from the summary table of a directory run with replications,\n"
	      "else from its run tables (one replication: no interval). Points\n"
	      "are matched by their swept values (runs' text columns); a row that\n"
	      "only one directory has is shown with the other side empty.\n"
	      "\n"
	      "The last column, 'exceeds', is yes when both intervals exist and\n"
	      "are disjoint, or when one exists and the other side's mean lies\n"
	      "outside it; no when they overlap; '-' without any interval (then\n"
	      "only the difference itself tells); 'only A' or 'only B' when one\n"
	      "side lacks the row. The directories are only read.\n"
	      "\n"
	      "  --csv       print CSV (RFC 4180, a header row) instead of a table\n"
	      "  --changed   only rows whose means differ or that one side lacks\n"
	      "\n"
	      "Exit status: 0 compared (whether or not anything differs), 1 a\n"
	      "run-time failure (a temporary database could not be written), 2\n"
	      "bad usage, or a DIR that is not a results directory or whose\n"
	      "results.sqlite is damaged.\n",
	      f);
}

/* One metric of one point and entity, as the summary table holds it. */
typedef struct cmp_row {
	char *key;      /* label \x1f tbl \x1f entity \x1f metric: matches sides */
	char *point;    /* the point's swept values, or its index */
	char *tbl, *entity, *metric, *unit;
	int64_t n;
	double mean;
	bool has_ci;
	double lo, hi;
} cmp_row;

typedef struct cmp_side {
	cmp_row *v;
	size_t n;
} cmp_side;

static void side_free(cmp_side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].point);
		free(s->v[i].tbl);
		free(s->v[i].entity);
		free(s->v[i].metric);
		free(s->v[i].unit);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* An SQL identifier in double quotes (quotes doubled). New string. */
static char *ident(const char *name)
{
	size_t n = 3;
	for (const char *p = name; *p; p++)
		n += *p == '"' ? 2 : 1;
	char *out = sim_xmalloc(n), *o = out;
	*o++ = '"';
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			*o++ = '"';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

static const char *text_or_empty(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

static bool table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE "
				   "type = 'table' AND name = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The label of each point: "path=value ..." over the swept text columns of
 * runs (all its TEXT columns but config_hash and vdcsim_version), or ""
 * when nothing was swept. labels[p] for p < *npoints; new strings. */
static int point_labels(sqlite3 *db, const char *dbpath, char ***labels,
			size_t *npoints)
{
	*labels = NULL;
	*npoints = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info('runs') "
				   "ORDER BY cid",
			       -1, &st, NULL) != SQLITE_OK)
		goto bad;
	char *sel = sim_xstrdup("SELECT DISTINCT point"), **names = NULL;
	size_t ncols = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = text_or_empty(st, 0);
		if (strcmp(text_or_empty(st, 1), "TEXT") != 0 ||
		    strcmp(name, "config_hash") == 0 ||
		    strcmp(name, "vdcsim_version") == 0)
			continue;
		char *id = ident(name);
		char *ns = sim_xasprintf("%s, %s", sel, id);
		free(id);
		free(sel);
		sel = ns;
		names = sim_xrealloc(names, ncols + 1, sizeof *names);
		names[ncols++] = sim_xstrdup(name);
	}
	sqlite3_finalize(st);
	char *sql = sim_xasprintf("%s FROM runs ORDER BY point", sel);
	free(sel);
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	free(sql);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t p = sqlite3_column_int64(st, 0);
			if (p < 0 || p > (int64_t)1 << 40)
				continue;
			if ((size_t)p >= *npoints) {
				*labels = sim_xrealloc(*labels, (size_t)p + 1,
						       sizeof **labels);
				for (size_t i = *npoints; i <= (size_t)p; i++)
					(*labels)[i] = NULL;
				*npoints = (size_t)p + 1;
			}
			if ((*labels)[p])
				continue;
			char *l = sim_xstrdup("");
			for (size_t c = 0; c < ncols; c++) {
				char *nl = sim_xasprintf("%s%s%s=%s", l,
							 c ? " " : "", names[c],
							 text_or_empty(st, (int)c + 1));
				free(l);
				l = nl;
			}
			(*labels)[p] = l;
		}
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	for (size_t c = 0; c < ncols; c++)
		free(names[c]);
	free(names);
	if (rc == SQLITE_OK)
		return 0;
bad:
	cli_error("compare: %s: cannot read the runs table: %s", dbpath,
		  sqlite3_errmsg(db));
	return SIM_EINPUT;
}

/* Reads the summary table of db into s, points labelled. */
static int read_summary(sqlite3 *db, const char *dbpath, char **labels,
			size_t npoints, cmp_side *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT point, tbl, entity, metric, unit, n, "
				   "mean, ci95_low, ci95_high FROM summary "
				   "ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK) {
		cli_error("compare: %s: cannot read the summary table: %s",
			  dbpath, sqlite3_errmsg(db));
		return SIM_EINPUT;
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 6) == SQLITE_NULL)
			continue; /* no value in any replication */
		int64_t p = sqlite3_column_int64(st, 0);
		const char *label = p >= 0 && (size_t)p < npoints && labels[p] &&
					    labels[p][0]
				    ? labels[p] : NULL;
		cmp_row r = {0};
		r.point = label ? sim_xstrdup(label)
				: sim_xasprintf("%lld", (long long)p);
		r.tbl = sim_xstrdup(text_or_empty(st, 1));
		r.entity = sim_xstrdup(text_or_empty(st, 2));
		r.metric = sim_xstrdup(text_or_empty(st, 3));
		r.unit = sim_xstrdup(text_or_empty(st, 4));
		r.n = sqlite3_column_int64(st, 5);
		r.mean = sqlite3_column_double(st, 6);
		r.has_ci = sqlite3_column_type(st, 7) != SQLITE_NULL &&
			   sqlite3_column_type(st, 8) != SQLITE_NULL;
		r.lo = sqlite3_column_double(st, 7);
		r.hi = sqlite3_column_double(st, 8);
		r.key = sim_xasprintf("%s\x1f%s\x1f%s\x1f%s", r.point, r.tbl,
				      r.entity, r.metric);
		s->v = sim_xrealloc(s->v, s->n + 1, sizeof *s->v);
		s->v[s->n++] = r;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cli_error("compare: %s: cannot read the summary table: %s",
			  dbpath, sqlite3_errmsg(db));
		return SIM_EINPUT;
	}
	return 0;
}

/* A temporary database holding dbpath's tables and their summary (as run
 * writes it for replications). *tmpdir and the returned path are new
 * strings; the caller removes both. */
static int summarise_copy(const char *dbpath, char **tmpdir, char **out)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = sim_xasprintf("%s/vdcsim-compare-XXXXXX",
				   base && base[0] ? base : "/tmp");
	if (!mkdtemp(tmpl)) {
		cli_error("compare: cannot make a temporary folder (%s): %s",
			  tmpl, strerror(errno));
		free(tmpl);
		return SIM_EIO;
	}
	*tmpdir = tmpl;
	*out = sim_xasprintf("%s/summary.sqlite", tmpl);
	sim_diag d;
	sim_diag_init(&d);
	sim_results *r = NULL;
	int rc = sim_results_create(*out, &r, &d);
	if (rc == 0)
		rc = sim_results_merge(r, dbpath, &d);
	if (rc == 0) {
		size_t nspecs;
		const sim_summary_spec *specs = dc_summary_specs(&nspecs);
		rc = sim_results_summarize(r, specs, nspecs, &d);
	}
	if (rc == 0)
		rc = sim_results_close(r, &d);
	else
		sim_results_abort(r);
	if (rc != 0) {
		cli_print_diag(&d);
		cli_error("compare: cannot summarise %s", dbpath);
	}
	sim_diag_fini(&d);
	return rc;
}

static void remove_copy(char *tmpdir, char *path)
{
	if (path) {
		unlink(path);
		char *j = sim_xasprintf("%s-journal", path);
		unlink(j);
		free(j);
	}
	if (tmpdir)
		rmdir(tmpdir);
	free(path);
	free(tmpdir);
}

/* Loads the metrics of results directory dir into s. SIM_EINPUT for a
 * directory that is not a results directory (said), SIM_EIO for a failure
 * of the temporary copy. */
static int load_side(const char *dir, cmp_side *s)
{
	struct stat sb;
	char *shown = sim_escape(dir);
	char *dbpath = sim_xasprintf("%s/results.sqlite", dir);
	int rc = 0;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		cli_error("compare: '%s' is not a directory (expected a results "
			  "directory written by vdcsim run)", shown);
		rc = SIM_EINPUT;
	} else if (stat(dbpath, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		cli_error("compare: '%s' is not a results directory (expected "
			  "its results.sqlite, written by vdcsim run)", shown);
		rc = SIM_EINPUT;
	}
	sqlite3 *db = NULL;
	if (rc == 0 && sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
				       NULL) != SQLITE_OK) {
		cli_error("compare: %s/results.sqlite: cannot open: %s", shown,
			  db ? sqlite3_errmsg(db) : "out of memory");
		rc = SIM_EINPUT;
	}
	/* A file that is not SQLite fails at the first read. */
	if (rc == 0 && !table_exists(db, "runs")) {
		cli_error("compare: %s/results.sqlite: not the results of vdcsim "
			  "run (expected its runs table%s%s)",
			  shown, sqlite3_errcode(db) != SQLITE_OK ? ": " : "",
			  sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errmsg(db) : "");
		rc = SIM_EINPUT;
	}
	char **labels = NULL;
	size_t npoints = 0;
	if (rc == 0)
		rc = point_labels(db, dbpath, &labels, &npoints);
	if (rc == 0 && table_exists(db, "summary")) {
		rc = read_summary(db, dbpath, labels, npoints, s);
	} else if (rc == 0) {
		char *tmpdir = NULL, *copy = NULL;
		rc = summarise_copy(dbpath, &tmpdir, &copy);
		sqlite3 *cdb = NULL;
		if (rc == 0 && sqlite3_open_v2(copy, &cdb, SQLITE_OPEN_READONLY,
					       NULL) != SQLITE_OK) {
			cli_error("compare: cannot read %s: %s", copy,
				  sqlite3_errmsg(cdb));
			rc = SIM_EIO;
		}
		if (rc == 0)
			rc = read_summary(cdb, copy, labels, npoints, s);
		sqlite3_close(cdb);
		remove_copy(tmpdir, copy);
	}
	for (size_t i = 0; i < npoints; i++)
		free(labels[i]);
	free(labels);
	sqlite3_close(db);
	free(dbpath);
	free(shown);
	return rc;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(((const cmp_row *)a)->key, ((const cmp_row *)b)->key);
}

/* The row of sorted side s with key, or NULL. */
static const cmp_row *find_row(const cmp_side *s, const char *key)
{
	cmp_row probe = {.key = (char *)key};
	return s->n ? bsearch(&probe, s->v, s->n, sizeof *s->v, cmp_keys)
		    : NULL;
}

/* Whether the difference of a and b exceeds their 95 % intervals. */
static const char *exceeds(const cmp_row *a, const cmp_row *b)
{
	if (!a)
		return "only B";
	if (!b)
		return "only A";
	if (a->has_ci && b->has_ci)
		return a->hi < b->lo || b->hi < a->lo ? "yes" : "no";
	if (a->has_ci)
		return b->mean < a->lo || b->mean > a->hi ? "yes" : "no";
	if (b->has_ci)
		return a->mean < b->lo || a->mean > b->hi ? "yes" : "no";
	return "-";
}

/* A double as the shortest of %.15g..%.17g that reads back the same. */
static void fmt_exact(char *buf, size_t n, double x)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

/* One output line's cells. */
enum { C_POINT, C_TBL, C_ENTITY, C_METRIC, C_UNIT, C_A, C_B, C_DIFF, C_REL,
       C_EXCEEDS, NCELLS };
static const char *const headers[NCELLS] = {
	"point", "table", "entity", "metric", "unit", "a", "b", "diff",
	"rel_diff", "exceeds"};

static void fill_cells(const cmp_row *a, const cmp_row *b, bool csv,
		       char cells[NCELLS][64], const char *text[NCELLS])
{
	const cmp_row *any = a ? a : b;
	text[C_POINT] = any->point;
	text[C_TBL] = any->tbl;
	text[C_ENTITY] = csv || any->entity[0] ? any->entity : "-";
	text[C_METRIC] = any->metric;
	text[C_UNIT] = any->unit;
	for (int c = C_A; c < NCELLS; c++) {
		cells[c][0] = '\0';
		text[c] = cells[c];
	}
	const char *empty = csv ? "" : "-";
	if (a)
		csv ? fmt_exact(cells[C_A], 64, a->mean)
		    : (void)snprintf(cells[C_A], 64, "%.6g", a->mean);
	else
		text[C_A] = empty;
	if (b)
		csv ? fmt_exact(cells[C_B], 64, b->mean)
		    : (void)snprintf(cells[C_B], 64, "%.6g", b->mean);
	else
		text[C_B] = empty;
	if (a && b) {
		double diff = b->mean - a->mean;
		csv ? fmt_exact(cells[C_DIFF], 64, diff)
		    : (void)snprintf(cells[C_DIFF], 64, "%.6g", diff);
		if (a->mean != 0)
			csv ? fmt_exact(cells[C_REL], 64, diff / fabs(a->mean))
			    : (void)snprintf(cells[C_REL], 64, "%+.2f%%",
					     100 * diff / fabs(a->mean));
		else
			text[C_REL] = diff == 0 ? (csv ? "0" : "+0.00%") : empty;
	} else {
		text[C_DIFF] = empty;
		text[C_REL] = empty;
	}
	text[C_EXCEEDS] = exceeds(a, b);
}

/* Prints s as one CSV field (quoted when it has a comma, quote or line
 * break), RFC 4180. */
static void csv_field(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

typedef struct cmp_pair {
	const cmp_row *a, *b;
} cmp_pair;

static bool changed(const cmp_pair *p)
{
	return !p->a || !p->b || p->a->mean != p->b->mean;
}

int cli_cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"csv", no_argument, NULL, 'c'},
		{"changed", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool csv = false, only_changed = false;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': csv = true; break;
		case 'C': only_changed = true; break;
		case 'h': usage_compare(stdout); return CLI_OK;
		default:
			cli_error("compare: unknown option '%s' (see vdcsim compare --help)",
				  argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (argc - optind != 2) {
		cli_error("compare: expected two results directories DIR_A DIR_B "
			  "(see vdcsim compare --help)");
		return CLI_USAGE;
	}
	cmp_side a = {0}, b = {0};
	int rc = load_side(argv[optind], &a);
	if (rc == 0)
		rc = load_side(argv[optind + 1], &b);
	if (rc != 0) {
		side_free(&a);
		side_free(&b);
		return rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
	}
	/* Rows in A's order, then B's rows that A lacks in B's order. */
	cmp_side sorted_a = a, sorted_b = b;
	cmp_row *va = sim_xmalloc((a.n ? a.n : 1) * sizeof *va);
	cmp_row *vb = sim_xmalloc((b.n ? b.n : 1) * sizeof *vb);
	if (a.n)
		memcpy(va, a.v, a.n * sizeof *va);
	if (b.n)
		memcpy(vb, b.v, b.n * sizeof *vb);
	sorted_a.v = va;
	sorted_b.v = vb;
	if (a.n)
		qsort(va, a.n, sizeof *va, cmp_keys);
	if (b.n)
		qsort(vb, b.n, sizeof *vb, cmp_keys);
	cmp_pair *pairs = sim_xmalloc((a.n + b.n + 1) * sizeof *pairs);
	size_t np = 0;
	for (size_t i = 0; i < a.n; i++)
		pairs[np++] = (cmp_pair){&a.v[i], find_row(&sorted_b, a.v[i].key)};
	for (size_t i = 0; i < b.n; i++)
		if (!find_row(&sorted_a, b.v[i].key))
			pairs[np++] = (cmp_pair){NULL, &b.v[i]};
	size_t width[NCELLS];
	for (int c = 0; c < NCELLS; c++)
		width[c] = strlen(headers[c]);
	char cells[NCELLS][64];
	const char *text[NCELLS];
	if (!csv)
		for (size_t i = 0; i < np; i++) {
			if (only_changed && !changed(&pairs[i]))
				continue;
			fill_cells(pairs[i].a, pairs[i].b, false, cells, text);
			for (int c = 0; c < NCELLS; c++)
				if (strlen(text[c]) > width[c])
					width[c] = strlen(text[c]);
		}
	for (int c = 0; c < NCELLS; c++) {
		if (csv) {
			fputs(headers[c], stdout);
			fputs(c + 1 < NCELLS ? "," : "\r\n", stdout);
		} else {
			if (c + 1 < NCELLS)
				printf("%-*s  ", (int)width[c], headers[c]);
			else
				printf("%s\n", headers[c]);
		}
	}
	size_t shown = 0;
	for (size_t i = 0; i < np; i++) {
		if (only_changed && !changed(&pairs[i]))
			continue;
		shown++;
		fill_cells(pairs[i].a, pairs[i].b, csv, cells, text);
		for (int c = 0; c < NCELLS; c++) {
			if (csv) {
				csv_field(text[c]);
				fputs(c + 1 < NCELLS ? "," : "\r\n", stdout);
			} else {
				/* Numbers right-aligned, words left. */
				bool num = c >= C_A && c <= C_REL;
				if (c + 1 == NCELLS)
					printf("%s\n", text[c]);
				else
					printf(num ? "%*s  " : "%-*s  ",
					       (int)width[c], text[c]);
			}
		}
	}
	if (!csv && shown == 0)
		printf("(%s)\n", only_changed ? "no differences" : "no metrics");
	int status = CLI_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("compare: cannot write the output: %s", strerror(errno));
		status = CLI_FAIL;
	}
	free(pairs);
	free(va);
	free(vb);
	side_free(&a);
	side_free(&b);
	return status;
}
