/* SPDX-License-Identifier: MIT */
/*
 * Merging per-run results databases into one: each source is ATTACHed and
 * every table copied by one INSERT ... SELECT in rowid order, tables in
 * name order, so the merged bytes depend only on the sources and their
 * order.
 */
#include "sim_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

/* The schema name under which a merged database is attached. */
#define SRC "vdcsim_src"

/* Appends the rows of table `name` of the attached source to r's, in rowid
 * order, in one INSERT ... SELECT (values keep their storage classes).
 * Rows of `columns` already present in r (same tbl and col), and rows of
 * a keyed table whose key is present, are skipped, so that merging many
 * runs documents each column, and stores each keyed row, once. */
static int copy_rows(sim_results *r, const char *name, bool keyed,
		     sim_diag *d)
{
	char *sql;
	if (strcmp(name, "columns") == 0) {
		sql = sim_xstrdup("INSERT INTO main.\"columns\" SELECT * FROM "
				  SRC ".\"columns\" AS s WHERE NOT EXISTS "
				  "(SELECT 1 FROM main.\"columns\" AS m WHERE "
				  "m.\"tbl\" IS s.\"tbl\" AND m.\"col\" IS "
				  "s.\"col\") ORDER BY s.rowid");
	} else {
		char *id = sim_db_ident(name);
		sql = sim_xasprintf("INSERT %sINTO main.%s SELECT * FROM " SRC
				    ".%s ORDER BY rowid",
				    keyed ? "OR IGNORE " : "", id, id);
		free(id);
	}
	int rc = sim_res_exec(r, sql, d);
	free(sql);
	return rc;
}

/* Makes table `name` of the source exist in r with the same columns,
 * then copies its rows. */
static int merge_table(sim_results *r, const char *src_path,
		       const char *name, sim_diag *d)
{
	sim_colspec *sc, *mc = NULL;
	size_t nsc, nmc = 0;
	sqlite3 *db = sim_results_db(r);
	int rc = sim_res_table_columns(db, src_path, SRC, name, &sc, &nsc, d);
	if (rc == 0 && sim_res_table_exists(db, name)) {
		rc = sim_res_table_columns(db, sim_results_path(r), "main",
					   name, &mc, &nmc, d);
		if (rc == 0 && !sim_res_same_columns(sc, nsc, mc, nmc)) {
			char *a = sim_res_describe_columns(sc, nsc);
			char *b = sim_res_describe_columns(mc, nmc);
			sim_diag_error(d, src_path, 0, 0,
				       "table '%s' has columns (%s) but %s "
				       "has (%s); cannot merge",
				       name, a, sim_results_path(r), b);
			free(a);
			free(b);
			rc = SIM_EINPUT;
		}
	} else if (rc == 0) {
		rc = sim_res_create_table(r, name, sc, nsc, d);
	}
	bool keyed = nsc > 0 && sc[0].pk;
	if (rc == 0)
		rc = copy_rows(r, name, keyed, d);
	sim_res_cols_free(sc, nsc);
	sim_res_cols_free(mc, nmc);
	return rc;
}

/* The source's tables, its version checked, then each table merged. */
static int merge_attached(sim_results *r, const char *src_path, sim_diag *d)
{
	sqlite3_stmt *st;
	int rc = sim_db_prepare(sim_results_db(r), src_path,
				"PRAGMA " SRC ".user_version", &st, d);
	if (rc != 0)
		return rc;
	int version = sqlite3_step(st) == SQLITE_ROW
			      ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (version != SIM_RESULTS_SCHEMA_VERSION) {
		sim_diag_error(d, src_path, 0, 0,
			       "not a vdcsim results database of schema "
			       "version %d (user_version is %d)",
			       SIM_RESULTS_SCHEMA_VERSION, version);
		return SIM_EINPUT;
	}
	rc = sim_db_prepare(sim_results_db(r), src_path,
			    "SELECT name FROM " SRC ".sqlite_master WHERE "
			    "type = 'table' AND name NOT LIKE 'sqlite\\_%' "
			    "ESCAPE '\\' AND name <> 'meta' ORDER BY name",
			    &st, d);
	if (rc != 0)
		return rc;
	char **names = NULL;
	size_t n = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		names = sim_xrealloc(names, n + 1, sizeof *names);
		names[n++] = sim_xstrdup(name ? name : "");
	}
	if (s != SQLITE_DONE)
		rc = sim_db_error(src_path, sim_results_db(r), d);
	sqlite3_finalize(st);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = merge_table(r, src_path, names[i], d);
	sim_db_names_free(names, n);
	return rc;
}

int sim_results_merge(sim_results *r, const char *src_path, sim_diag *d)
{
	if (!r || !src_path) {
		sim_diag_error(d, NULL, 0, 0, "sim_results_merge: no source");
		return SIM_EINPUT;
	}
	int rc = sim_res_check_txn(r, d);
	if (rc != 0)
		return rc;
	/* Attaching a missing file would create it. */
	struct stat sb;
	if (stat(src_path, &sb) != 0) {
		sim_diag_error(d, src_path, 0, 0, "cannot merge: %s",
			       strerror(errno));
		return SIM_ENOENT;
	}
	if (!S_ISREG(sb.st_mode)) {
		sim_diag_error(d, src_path, 0, 0,
			       "cannot merge: not a regular file");
		return SIM_EINPUT;
	}
	/* SQLite attaches and detaches only outside a transaction: what was
	 * written so far is committed, the merge is a transaction of its own
	 * (all of the source or nothing), and a new one is open afterwards. */
	sqlite3 *db = sim_results_db(r);
	const char *path = sim_results_path(r);
	rc = sim_res_exec(r, "COMMIT", d);
	sqlite3_stmt *st = NULL;
	char *fn = sim_res_file_name(src_path);
	if (rc == 0)
		rc = sim_db_prepare(db, path, "ATTACH ?1 AS " SRC, &st, d);
	if (rc == 0) {
		sqlite3_bind_text(st, 1, fn, -1, SQLITE_STATIC);
		rc = sim_res_step_done(db, src_path, st, d);
	}
	sqlite3_finalize(st);
	free(fn);
	bool attached = rc == 0;
	if (rc == 0)
		rc = sim_res_exec(r, "BEGIN", d);
	if (rc == 0) {
		rc = merge_attached(r, src_path, d);
		if (rc == 0)
			rc = sim_res_exec(r, "COMMIT", d);
		if (rc != 0 && !sqlite3_get_autocommit(db))
			sim_res_run(db, "ROLLBACK");
	}
	if (attached && sim_res_run(db, "DETACH " SRC) != SQLITE_OK && rc == 0)
		rc = sim_db_error(path, db, d);
	if (sqlite3_get_autocommit(db) && sim_res_run(db, "BEGIN") != SQLITE_OK &&
	    rc == 0)
		rc = sim_db_error(path, db, d);
	return rc;
}
