/* SPDX-License-Identifier: MIT */
/*
 * The labels every plot script gets (sim_plots_prelude): gnuplot functions
 * that show swept values in the unit the user wrote, exact units for the
 * rest, and each sweep point's values. Read from results.sqlite's runs
 * table; nothing here draws.
 */
#include "sim.h"
#include "sim_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

/* ------------------------------------------------------------------------
 * Labels. Every script gets gnuplot functions that show a value the way
 * the user wrote it: text_bps(x), text_bytes(x), text_ns(x), text_frac(x)
 * and text_num(x) give the text of a swept value whose typed runs column
 * (runs.PATH_bps, ...) holds x ('10Gbit/s', not 9536.74 Mibit/s), and
 * otherwise the exact unit that divides x (fmt_bps(x) and the like:
 * 134217728 is '128Mibit/s', 1e10 '10Gbit/s'); point_text(p) gives the
 * swept values of sweep point p ('128Mibit/s, 4'), or p, and point_keys
 * the swept paths in the same order ('migrations.0.max_rate, vms.0.count';
 * '' without a sweep, or when one is not a safe label). Only texts made of
 * letters, digits, spaces and . , + - _ / % reach gnuplot, so a script may
 * build commands of them (set xtics) with eval.
 * ------------------------------------------------------------------------ */

/* Swept values kept per kind, and points labelled, at most. */
#define LABELS_MAX 64
#define POINT_LABELS_MAX 128
#define LABEL_LEN_MAX 60

static const char *const fmt_defs =
	"vdc_ex(x, b) = x >= b && x / b == floor(x / b); "
	"vdc_u(x, b, u) = sprintf('%g%s', x / b, u); "
	"vdc_near(x, b, u) = sprintf('%.3g%s', x / b, u); "
	"fmt_bps(x) = vdc_ex(x, 1e12) ? vdc_u(x, 1e12, 'Tbit/s') : "
	"vdc_ex(x, 1099511627776.) ? vdc_u(x, 1099511627776., 'Tibit/s') : "
	"vdc_ex(x, 1e9) ? vdc_u(x, 1e9, 'Gbit/s') : "
	"vdc_ex(x, 1073741824.) ? vdc_u(x, 1073741824., 'Gibit/s') : "
	"vdc_ex(x, 1e6) ? vdc_u(x, 1e6, 'Mbit/s') : "
	"vdc_ex(x, 1048576.) ? vdc_u(x, 1048576., 'Mibit/s') : "
	"vdc_ex(x, 1e3) ? vdc_u(x, 1e3, 'kbit/s') : "
	"vdc_ex(x, 1024.) ? vdc_u(x, 1024., 'Kibit/s') : "
	"x >= 1e9 ? vdc_near(x, 1e9, 'Gbit/s') : x >= 1e6 ? "
	"vdc_near(x, 1e6, 'Mbit/s') : x >= 1e3 ? vdc_near(x, 1e3, 'kbit/s') : "
	"sprintf('%gbit/s', x); "
	"fmt_bytes(x) = vdc_ex(x, 1099511627776.) ? "
	"vdc_u(x, 1099511627776., 'TiB') : vdc_ex(x, 1e12) ? "
	"vdc_u(x, 1e12, 'TB') : vdc_ex(x, 1073741824.) ? "
	"vdc_u(x, 1073741824., 'GiB') : vdc_ex(x, 1e9) ? vdc_u(x, 1e9, 'GB') : "
	"vdc_ex(x, 1048576.) ? vdc_u(x, 1048576., 'MiB') : vdc_ex(x, 1e6) ? "
	"vdc_u(x, 1e6, 'MB') : vdc_ex(x, 1024.) ? vdc_u(x, 1024., 'KiB') : "
	"vdc_ex(x, 1e3) ? vdc_u(x, 1e3, 'kB') : x >= 1073741824. ? "
	"vdc_near(x, 1073741824., 'GiB') : x >= 1048576. ? "
	"vdc_near(x, 1048576., 'MiB') : x >= 1024. ? "
	"vdc_near(x, 1024., 'KiB') : sprintf('%gB', x); "
	"fmt_ns(x) = vdc_ex(x, 1e9) ? vdc_u(x, 1e9, 's') : vdc_ex(x, 1e6) ? "
	"vdc_u(x, 1e6, 'ms') : vdc_ex(x, 1e3) ? vdc_u(x, 1e3, 'us') : "
	"x >= 1e9 ? vdc_near(x, 1e9, 's') : x >= 1e6 ? vdc_near(x, 1e6, 'ms') "
	": x >= 1e3 ? vdc_near(x, 1e3, 'us') : sprintf('%gns', x); "
	"fmt_frac(x) = sprintf('%g%%', 100 * x); "
	"fmt_num(x) = sprintf('%g', x); ";

/* The kinds of typed runs columns, by the suffix plan.c gives them. */
static const char *const kind_suffix[] = {"_bps", "_bytes", "_ns", "_frac",
					  ""};
static const char *const kind_name[] = {"bps", "bytes", "ns", "frac", "num"};
#define NKINDS 5

/* True if text may reach gnuplot as a label (see above). */
static bool label_safe(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > LABEL_LEN_MAX)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(" .,+-_/%", *p)))
			return false;
	return true;
}

/* Appends to *defs (a growing string) the ternary chain of one kind. */
static void add_chain(char **defs, const char *kind, const char *chain)
{
	char *nd = sim_xasprintf("%stext_%s(x) = %sfmt_%s(x); ", *defs, kind,
				 chain, kind);
	free(*defs);
	*defs = nd;
}

/* The typed twin of runs' text column path (plan.c: '.' -> '_', '*' ->
 * "all", then a kind's suffix) among the REAL columns reals[0..n): its
 * kind, or -1. */
static int typed_kind(const char *path, char *const *reals, size_t n,
		      char **typed)
{
	size_t len = strlen(path);
	char *base = sim_xmalloc(3 * len + 1), *o = base;
	for (const char *p = path; *p; p++) {
		if (*p == '.') {
			*o++ = '_';
		} else if (*p == '*') {
			memcpy(o, "all", 3);
			o += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	int kind = -1;
	for (int k = 0; k < NKINDS && kind < 0; k++) {
		char *cand = sim_xasprintf("%s%s", base, kind_suffix[k]);
		for (size_t i = 0; i < n && kind < 0; i++)
			if (strcmp(reals[i], cand) == 0) {
				kind = k;
				*typed = cand;
				cand = NULL;
			}
		free(cand);
	}
	free(base);
	return kind;
}

/* The label definitions for the results in data_dir (the formatters
 * alone when it has no runs table). A new string; deterministic: every
 * list is read in SQL order. */
char *sim_plots_prelude(const char *data_dir)
{
	char *defs = sim_xstrdup(fmt_defs);
	char *chain[NKINDS];
	size_t nchain[NKINDS] = {0};
	for (int k = 0; k < NKINDS; k++)
		chain[k] = sim_xstrdup("");
	char *pchain = sim_xstrdup("");
	char *path = sim_xasprintf("%s/results.sqlite", data_dir);
	sqlite3 *db = NULL;
	sim_name_list texts = {0}, reals = {0};
	char *keys = sim_xstrdup(""); /* point_keys */
	if (access(path, F_OK) != 0 ||
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto done;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT name, type FROM "
				   "pragma_table_info('runs') ORDER BY cid",
			       -1, &st, NULL) != SQLITE_OK)
		goto done;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		if (!name || !type)
			continue;
		if (strcmp(type, "REAL") == 0)
			sim_names_add(&reals, sim_xstrdup(name));
		else if (strcmp(type, "TEXT") == 0 &&
			 strcmp(name, "config_hash") != 0 &&
			 strcmp(name, "vdcsim_version") != 0)
			sim_names_add(&texts, sim_xstrdup(name));
	}
	sqlite3_finalize(st);
	/* Each swept value of a typed column, by kind. */
	for (size_t t = 0; t < texts.n; t++) {
		char *typed = NULL;
		int k = typed_kind(texts.v[t], reals.v, reals.n, &typed);
		if (k < 0)
			continue;
		char *tq = sim_db_ident(texts.v[t]), *vq = sim_db_ident(typed);
		char *sql = sim_xasprintf("SELECT DISTINCT %s, %s FROM runs "
					  "WHERE %s IS NOT NULL ORDER BY 2, 1",
					  tq, vq, vq);
		free(tq);
		free(vq);
		free(typed);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW &&
			       nchain[k] < LABELS_MAX) {
				const char *text =
					(const char *)sqlite3_column_text(st, 0);
				if (!text || !label_safe(text))
					continue;
				char *nc = sim_xasprintf(
					"%sx == %.17g ? '%s' : ", chain[k],
					sqlite3_column_double(st, 1), text);
				free(chain[k]);
				chain[k] = nc;
				nchain[k]++;
			}
			sqlite3_finalize(st);
		}
		free(sql);
	}
	/* Each point's swept values, joined by ", ". */
	if (texts.n > 0) {
		char *cols = sim_xstrdup("");
		for (size_t t = 0; t < texts.n; t++) {
			char *q = sim_db_ident(texts.v[t]);
			char *nc = sim_xasprintf("%s, %s", cols, q);
			free(q);
			free(cols);
			cols = nc;
		}
		char *sql = sim_xasprintf("SELECT point%s FROM runs WHERE "
					  "replication = 0 ORDER BY point "
					  "LIMIT %d",
					  cols, POINT_LABELS_MAX);
		free(cols);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				char *label = sim_xstrdup("");
				bool ok = true;
				for (int c = 1; ok && c <= (int)texts.n; c++) {
					const char *v = (const char *)
						sqlite3_column_text(st, c);
					ok = v && label_safe(v);
					char *nl = sim_xasprintf(
						"%s%s%s", label, c > 1 ? ", " : "",
						ok ? v : "");
					free(label);
					label = nl;
				}
				if (ok && strlen(label) <= 2 * LABEL_LEN_MAX) {
					char *np = sim_xasprintf(
						"%sp == %lld ? '%s' : ", pchain,
						(long long)sqlite3_column_int64(st, 0),
						label);
					free(pchain);
					pchain = np;
				}
				free(label);
			}
			sqlite3_finalize(st);
		}
		free(sql);
	}
	/* The swept paths, in the order of point_text's values. */
	for (size_t t = 0; t < texts.n; t++) {
		if (!label_safe(texts.v[t])) {
			keys[0] = '\0';
			break;
		}
		char *nk = sim_xasprintf("%s%s%s", keys, t ? ", " : "",
					 texts.v[t]);
		free(keys);
		keys = nk;
	}
	if (strlen(keys) > 2 * LABEL_LEN_MAX)
		keys[0] = '\0';
done:
	sqlite3_close(db);
	free(path);
	sim_names_free(&texts);
	sim_names_free(&reals);
	for (int k = 0; k < NKINDS; k++) {
		add_chain(&defs, kind_name[k], chain[k]);
		free(chain[k]);
	}
	char *nd = sim_xasprintf("%spoint_text(p) = %ssprintf('%%d', p); "
				 "point_keys = '%s'; ",
				 defs, pchain, keys);
	free(keys);
	free(defs);
	free(pchain);
	return nd;
}

