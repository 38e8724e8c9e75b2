/* SPDX-License-Identifier: MIT */
/*
 * CSV export of a results database: one RFC 4180 file per user table,
 * rows in rowid order, each written through sim_file (a fresh temporary,
 * synced and renamed into place). The database itself is results.c's
 * business.
 */
#include "sim_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/* Writes one RFC 4180 field: quoted when it holds a separator, a quote, a
 * line break, or spaces at either end that readers would trim. An empty
 * string is an empty field, like NULL: the CSVs are for plotting and
 * spreadsheets, the database keeps the difference. */
static void csv_field(FILE *f, const char *s, size_t n)
{
	/* The stream is this thread's alone (export_table locks it once), so
	 * the unlocked calls skip a mutex per character. */
	bool quote = n > 0 && (s[0] == ' ' || s[0] == '\t' ||
			       s[n - 1] == ' ' || s[n - 1] == '\t');
	for (size_t i = 0; !quote && i < n; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
			s[i] == '\n';
	if (!quote) {
		fwrite_unlocked(s, 1, n, f);
		return;
	}
	putc_unlocked('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc_unlocked('"', f);
		putc_unlocked(s[i], f);
	}
	putc_unlocked('"', f);
}

/* Writes v in decimal, as "%lld" would, without the format machinery (the
 * bulk of a results CSV is integers). */
static void csv_int(FILE *f, long long v)
{
	char buf[24];
	char *end = buf + sizeof buf, *p = end;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
				     : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	fwrite_unlocked(p, 1, (size_t)(end - p), f);
}

static void csv_value(FILE *f, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		csv_int(f, (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT: {
		/* The shortest %.Ng that reads back as the same double: 0.3,
		 * not 0.29999999999999999, and still exact. */
		double v = sqlite3_column_double(st, i);
		char buf[40];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, sizeof buf, "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				break;
		}
		fwrite_unlocked(buf, 1, strlen(buf), f);
		break;
	}
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB: {
		const void *p = sqlite3_column_blob(st, i);
		csv_field(f, p ? p : "", (size_t)sqlite3_column_bytes(st, i));
		break;
	}
	default: {
		const char *p = (const char *)sqlite3_column_text(st, i);
		csv_field(f, p ? p : "", (size_t)sqlite3_column_bytes(st, i));
		break;
	}
	}
}

static int export_table(sim_results *r, const char *dir, const char *name,
			sim_diag *d)
{
	sqlite3 *db = sim_results_db(r);
	const char *path = sim_results_path(r);
	if (!name[0] || strchr(name, '/')) {
		sim_diag_error(d, path, 0, 0,
			       "table name '%s' cannot be a file name", name);
		return SIM_EINPUT;
	}
	char *final = sim_xasprintf("%s/%s.csv", dir, name);
	char *sql = sim_db_select_sql(name);
	sqlite3_stmt *st = NULL;
	sim_file out;
	FILE *f = NULL;
	int rc = sim_db_prepare(db, path, sql, &st, d);
	/* A CSV of this name replaces an older one (vdcsim writes into its
	 * own staging folder), but never a link or device planted there. */
	if (rc == 0)
		rc = sim_file_open(&out, final, SIM_FILE_REPLACE, d);
	if (rc == 0) {
		f = sim_file_stream(&out);
		if (!f) {
			sim_file_abort(&out);
			rc = sim_file_io_error(d, final, "write", ENOMEM);
		}
	}
	if (rc == 0) {
		flockfile(f);
		int n = sqlite3_column_count(st);
		for (int i = 0; i < n; i++) {
			const char *c = sqlite3_column_name(st, i);
			if (i)
				putc_unlocked(',', f);
			csv_field(f, c ? c : "", c ? strlen(c) : 0);
		}
		fwrite_unlocked("\r\n", 1, 2, f);
		int s;
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			for (int i = 0; i < n; i++) {
				if (i)
					putc_unlocked(',', f);
				csv_value(f, st, i);
			}
			fwrite_unlocked("\r\n", 1, 2, f);
		}
		funlockfile(f);
		if (s != SQLITE_DONE) {
			rc = sim_db_error(path, db, d);
			sim_file_abort(&out);
		} else {
			rc = sim_file_commit(&out, d);
		}
	}
	sqlite3_finalize(st);
	free(sql);
	free(final);
	return rc;
}

int sim_results_export_csv(sim_results *r, const char *dir, sim_diag *d)
{
	if (!r || !dir) {
		sim_diag_error(d, NULL, 0, 0, "sim_results_export_csv: no folder");
		return SIM_EINPUT;
	}
	char **names;
	size_t n;
	int rc = sim_db_list_tables(sim_results_db(r), sim_results_path(r),
				    &names, &n, d);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = export_table(r, dir, names[i], d);
	sim_db_names_free(names, n);
	return rc;
}
