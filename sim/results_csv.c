/* SPDX-License-Identifier: MIT */
/*
 * CSV export of a results database: one RFC 4180 file per user table,
 * rows in rowid order, each written through sim_file (a fresh temporary,
 * synced and renamed into place). The database itself is results.c's
 * business.
 */
#include "sim_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/* A table's CSV is built in this buffer and written to the file in blocks
 * of about CSV_BLOCK bytes with sim_file_write: formatting into memory and
 * one write per block, rather than a stdio call per field, was most of what
 * the CSV phase of a 10,000-migration run saved (bench/dc_scale). */
enum { CSV_BLOCK = 1 << 18 };

typedef struct csv_buf {
	char *p;
	size_t n, cap;
} csv_buf;

/* Room for `more` bytes after the n already held. */
static inline char *csv_room(csv_buf *b, size_t more)
{
	if (b->n + more > b->cap) {
		size_t c = b->cap ? b->cap : CSV_BLOCK + 256;
		while (c < b->n + more)
			c *= 2;
		b->p = sim_xrealloc(b->p, c, 1);
		b->cap = c;
	}
	return b->p + b->n;
}

static inline void csv_put(csv_buf *b, const char *s, size_t n)
{
	memcpy(csv_room(b, n), s, n);
	b->n += n;
}

static inline void csv_putc(csv_buf *b, char c)
{
	*csv_room(b, 1) = c;
	b->n++;
}

/* Writes one RFC 4180 field: quoted when it holds a separator, a quote, a
 * line break, or spaces at either end that readers would trim. An empty
 * string is an empty field, like NULL: the CSVs are for plotting and
 * spreadsheets, the database keeps the difference. */
static void csv_field(csv_buf *b, const char *s, size_t n)
{
	bool quote = n > 0 && (s[0] == ' ' || s[0] == '\t' ||
			       s[n - 1] == ' ' || s[n - 1] == '\t');
	for (size_t i = 0; !quote && i < n; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
			s[i] == '\n';
	if (!quote) {
		csv_put(b, s, n);
		return;
	}
	/* At worst every byte doubled, plus the two quotes. */
	char *d = csv_room(b, 2 * n + 2), *d0 = d;
	*d++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*d++ = '"';
		*d++ = s[i];
	}
	*d++ = '"';
	b->n += (size_t)(d - d0);
}

static const char csv_pairs[201] =
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

/* The digits of u, at least `width` of them (leading zeros), end just
 * before `end`; returns where they start. Two digits a step. */
static char *csv_digits(char *end, unsigned long long u, int width)
{
	char *p = end;
	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		p -= 2;
		memcpy(p, &csv_pairs[2 * r], 2);
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, &csv_pairs[2 * u], 2);
	} else {
		*--p = (char)('0' + u);
	}
	while (end - p < width)
		*--p = '0';
	return p;
}

/* Writes v in decimal, as "%lld" would, without the format machinery (the
 * bulk of a results CSV is integers). */
static void csv_int(csv_buf *b, long long v)
{
	char buf[24];
	char *end = buf + sizeof buf;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
				     : (unsigned long long)v;
	char *p = csv_digits(end, u, 1);
	if (v < 0)
		*--p = '-';
	csv_put(b, p, (size_t)(end - p));
}

/* 10^k, exact as doubles, for k = 0..15. */
static const double csv_pow10[16] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
				     1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				     1e12, 1e13, 1e14, 1e15};

/* Writes v the way "%.15g" does when v, in magnitude in [1e-4, 1e15), is
 * the double nearest m / 10^k for integers m < 10^15 and 1 <= k <= 15,
 * and returns true; else writes nothing and returns false. Why that is
 * "%.15g": m / 10^k has at most 15 significant digits, and v lies within
 * half a unit in the 17th digit of it, far inside half a unit in the
 * 15th; so "%.15g", which rounds v's exact value to 15 digits, prints
 * m / 10^k, in fixed notation in that range (exponent from -4 to 14),
 * without trailing zeros (the least k makes m not a multiple of 10). It
 * also reads back as v, so the 15-digit try of csv_double is the answer.
 * Whether v is that nearest double is tested exactly: m and 10^k are
 * exact doubles and IEEE division rounds to nearest. */
static bool csv_short_decimal(csv_buf *b, double v)
{
	double a = fabs(v);
	if (!(a >= 1e-4 && a < 1e15))
		return false;
	for (int k = 1; k <= 15; k++) {
		double x = a * csv_pow10[k];
		if (x >= 1e15)
			return false;
		double m = nearbyint(x);
		if (m / csv_pow10[k] != a)
			continue;
		unsigned long long u = (unsigned long long)m;
		unsigned long long p = (unsigned long long)csv_pow10[k];
		char buf[40];
		char *end = buf + sizeof buf;
		/* The k fraction digits, then the point, the integer part
		 * (at least "0") and the sign. */
		char *q = csv_digits(end, u % p, k);
		*--q = '.';
		q = csv_digits(q, u / p, 1);
		if (v < 0)
			*--q = '-';
		csv_put(b, q, (size_t)(end - q));
		return true;
	}
	return false;
}

/* Writes v as the shortest "%.Ng", N from 15 to 17, that reads back as the
 * same double: 0.3, not 0.29999999999999999, and still exact. */
static void csv_double(csv_buf *b, double v)
{
	/* A whole number below 10^15 in magnitude is what "%.15g" prints
	 * it as (no exponent, no fraction), and it reads back exactly: the
	 * digits are made here. Zero keeps its sign, as in "%g". So are
	 * short decimals (csv_short_decimal); the rest goes through
	 * snprintf and strtod. */
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
		if (v == 0 && signbit(v))
			csv_put(b, "-0", 2);
		else
			csv_int(b, (long long)v);
		return;
	}
	if (csv_short_decimal(b, v))
		return;
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	csv_put(b, buf, strlen(buf));
}

static void csv_value(csv_buf *b, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		csv_int(b, (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		csv_double(b, sqlite3_column_double(st, i));
		break;
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB: {
		const void *p = sqlite3_column_blob(st, i);
		csv_field(b, p ? p : "", (size_t)sqlite3_column_bytes(st, i));
		break;
	}
	default: {
		const char *p = (const char *)sqlite3_column_text(st, i);
		csv_field(b, p ? p : "", (size_t)sqlite3_column_bytes(st, i));
		break;
	}
	}
}

/* Writes the whole buffer once it holds a block (or, with `all`, whatever
 * it holds). On error f is aborted (sim_file_write). */
static int csv_flush(csv_buf *b, sim_file *f, bool all, sim_diag *d)
{
	if (b->n == 0 || (!all && b->n < CSV_BLOCK))
		return 0;
	int rc = sim_file_write(f, b->p, b->n, d);
	b->n = 0;
	return rc;
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
	csv_buf b = {0};
	int rc = sim_db_prepare(db, path, sql, &st, d);
	/* A CSV of this name replaces an older one (vdcsim writes into its
	 * own staging folder), but never a link or device planted there. */
	if (rc == 0)
		rc = sim_file_open(&out, final, SIM_FILE_REPLACE, d);
	if (rc == 0) {
		int n = sqlite3_column_count(st);
		for (int i = 0; i < n; i++) {
			const char *c = sqlite3_column_name(st, i);
			if (i)
				csv_putc(&b, ',');
			csv_field(&b, c ? c : "", c ? strlen(c) : 0);
		}
		csv_put(&b, "\r\n", 2);
		int s = SQLITE_DONE;
		while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
			for (int i = 0; i < n; i++) {
				if (i)
					csv_putc(&b, ',');
				csv_value(&b, st, i);
			}
			csv_put(&b, "\r\n", 2);
			rc = csv_flush(&b, &out, false, d);
		}
		/* A failed write has aborted the file already. */
		if (rc == 0 && s != SQLITE_DONE) {
			rc = sim_db_error(path, db, d);
			sim_file_abort(&out);
		} else if (rc == 0) {
			rc = csv_flush(&b, &out, true, d);
			if (rc == 0)
				rc = sim_file_commit(&out, d);
		}
	}
	free(b.p);
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
