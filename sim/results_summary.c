/* SPDX-License-Identifier: MIT */
/*
 * The `summary` table: for each sweep point, each entity of a result table
 * (a migration, a flow, the run itself) and each of its metrics, the
 * statistics over the point's replications: count, mean, standard
 * deviation, minimum, maximum and the 95 % confidence interval of the mean
 * from Student's t (GSL). Computed from the merged database in one ordered
 * pass per table, so it is deterministic and needs memory for one group.
 */
#include "sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <sqlite3.h>

static const sim_column summary_cols[] = {
	{"point", SIM_COL_INT, "", "sweep point, from 0 (runs.point)"},
	{"tbl", SIM_COL_TEXT, "", "table the metric comes from"},
	{"entity", SIM_COL_TEXT, "",
	 "which row of the table, by its key columns (\"migration=0 vm=web\"); "
	 "'' for the runs table"},
	{"metric", SIM_COL_TEXT, "", "the column summarised"},
	{"unit", SIM_COL_TEXT, "", "its unit, as in columns.unit"},
	{"n", SIM_COL_INT, "", "replications with a value (NULLs left out)"},
	{"mean", SIM_COL_REAL, "", "mean over the replications"},
	{"sd", SIM_COL_REAL, "",
	 "sample standard deviation (n - 1 in the denominator); NULL when n < 2"},
	{"min", SIM_COL_REAL, "", "smallest value"},
	{"max", SIM_COL_REAL, "", "largest value"},
	{"ci95_low", SIM_COL_REAL, "",
	 "lower end of the 95 % confidence interval of the mean: mean - "
	 "t(0.975, n - 1) sd / sqrt(n); NULL when n < 2"},
	{"ci95_high", SIM_COL_REAL, "",
	 "upper end of that interval; NULL when n < 2"},
};

static const sim_table summary_table = {
	.name = "summary",
	.doc = "statistics of each metric over the replications of each sweep "
	       "point (written when a point has more than one replication)",
	.cols = summary_cols,
	.ncols = sizeof summary_cols / sizeof summary_cols[0],
};

/* Welford's running mean and sum of squared deviations: stable for the
 * large, nearly equal values of nanosecond times. */
typedef struct acc {
	int64_t n;
	double mean, m2, min, max;
} acc;

static void acc_add(acc *a, double x)
{
	a->n++;
	double delta = x - a->mean;
	a->mean += delta / (double)a->n;
	a->m2 += delta * (x - a->mean);
	if (a->n == 1 || x < a->min)
		a->min = x;
	if (a->n == 1 || x > a->max)
		a->max = x;
}

void sim_summary_stats(const double *x, size_t n, sim_summary_row *out)
{
	acc a = {0};
	for (size_t i = 0; i < n; i++)
		acc_add(&a, x[i]);
	memset(out, 0, sizeof *out);
	out->n = a.n;
	out->mean = a.mean;
	out->min = a.min;
	out->max = a.max;
	out->has_sd = a.n >= 2;
	if (out->has_sd) {
		out->sd = sqrt(a.m2 / (double)(a.n - 1));
		double t = gsl_cdf_tdist_Pinv(0.975, (double)(a.n - 1));
		double half = t * out->sd / sqrt((double)a.n);
		out->ci_low = a.mean - half;
		out->ci_high = a.mean + half;
	}
}

/* Writes the summary rows of one group (the values of one metric of one
 * entity at one point). */
static int emit(sim_results *r, int64_t point, const char *tbl,
		const char *entity, const char *metric, const char *unit,
		const double *x, size_t n, sim_diag *d)
{
	if (n == 0)
		return 0;
	sim_summary_row s;
	sim_summary_stats(x, n, &s);
	sim_value v[12];
	v[0].i = point;
	v[1].s = tbl;
	v[2].s = entity;
	v[3].s = metric;
	v[4].s = unit;
	v[5].i = s.n;
	v[6].r = s.mean;
	v[7].r = s.sd;
	v[8].r = s.min;
	v[9].r = s.max;
	v[10].r = s.ci_low;
	v[11].r = s.ci_high;
	if (!s.has_sd) {
		/* NULL for the statistics n = 1 cannot give. */
		v[7].r = v[10].r = v[11].r = NAN;
	}
	return sim_results_row(r, &summary_table, v, d);
}

/* The unit of tbl.col from the columns table ("" if none). New string. */
static char *unit_of(sqlite3 *db, const char *path, const char *tbl,
		     const char *col, sim_diag *d)
{
	sqlite3_stmt *st;
	if (sim_db_prepare(db, path,
			   "SELECT unit FROM \"columns\" WHERE tbl = ?1 AND "
			   "col = ?2",
			   &st, d) != 0)
		return NULL;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	char *unit = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		unit = sim_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return unit ? unit : sim_xstrdup("");
}

/* Summarises one metric of one spec: rows ordered by point, entity key,
 * run, grouped on (point, key). */
static int summarise_metric(sim_results *r, const sim_summary_spec *s,
			    const char *metric, sim_diag *d)
{
	sqlite3 *db = sim_results_db(r);
	const char *path = sim_results_path(r);
	char *t = sim_db_ident(s->table);
	char *m = sim_db_ident(metric);
	/* The key as text: "col=value col=value", ordered by the key
	 * columns themselves (so numeric keys sort as numbers). */
	char *key = sim_xstrdup("''"), *order = sim_xstrdup("");
	for (size_t k = 0; k < s->nkeys; k++) {
		char *c = sim_db_ident(s->keys[k]);
		char *lit = sim_xasprintf("'%s%s='", k ? " " : "", s->keys[k]);
		char *nk = sim_xasprintf("%s || %s || coalesce(t.%s, '')", key,
					 lit, c);
		char *no = sim_xasprintf("%s, t.%s", order, c);
		free(key);
		free(order);
		free(lit);
		free(c);
		key = nk;
		order = no;
	}
	char *sql = sim_xasprintf("SELECT r.point, %s, t.%s FROM %s AS t JOIN "
				  "runs AS r ON r.run_id = t.run_id ORDER BY "
				  "r.point%s, t.run_id",
				  key, m, t, order);
	free(t);
	free(m);
	free(key);
	free(order);
	sqlite3_stmt *st;
	int rc = sim_db_prepare(db, path, sql, &st, d);
	free(sql);
	if (rc != 0)
		return rc;
	char *unit = unit_of(db, path, s->table, metric, d);
	if (!unit) {
		sqlite3_finalize(st);
		return SIM_EDB;
	}
	/* A group is the replications of one point; its row goes into
	 * `summary` while the select still reads the source table (SQLite
	 * allows writes to another table during a read). */
	size_t cap = 16, n = 0;
	double *x = sim_xmalloc(cap * sizeof *x);
	int64_t point = -1;
	char *entity = NULL;
	int s3;
	while (rc == 0 && (s3 = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t p = sqlite3_column_int64(st, 0);
		const char *e = (const char *)sqlite3_column_text(st, 1);
		if (!e)
			e = "";
		if (!entity || p != point || strcmp(e, entity) != 0) {
			if (entity)
				rc = emit(r, point, s->table, entity, metric,
					  unit, x, n, d);
			free(entity);
			entity = sim_xstrdup(e);
			point = p;
			n = 0;
		}
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			continue;
		if (n == cap)
			x = sim_xrealloc(x, cap *= 2, sizeof *x);
		x[n++] = sqlite3_column_double(st, 2);
	}
	if (rc == 0 && s3 != SQLITE_DONE)
		rc = sim_db_error(path, db, d);
	if (rc == 0 && entity)
		rc = emit(r, point, s->table, entity, metric, unit, x, n, d);
	sqlite3_finalize(st);
	free(entity);
	free(unit);
	free(x);
	return rc;
}

int sim_results_summarize(sim_results *r, const sim_summary_spec *specs,
			  size_t nspecs, sim_diag *d)
{
	sqlite3 *db = sim_results_db(r);
	int rc = sim_results_declare_plain(r, &summary_table, d);
	for (size_t i = 0; rc == 0 && i < nspecs; i++) {
		if (!sim_res_table_exists(db, specs[i].table))
			continue;
		for (size_t k = 0; rc == 0 && k < specs[i].nmetrics; k++)
			rc = summarise_metric(r, &specs[i], specs[i].metrics[k],
					      d);
	}
	return rc;
}
