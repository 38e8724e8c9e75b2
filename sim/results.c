/* SPDX-License-Identifier: MIT */
/*
 * The results store: one SQLite database per run or sweep, with declared
 * typed tables, a `meta` table, a `columns` table documenting every column,
 * and the helpers that merging per-run databases (results_merge.c) shares;
 * RFC 4180 CSV export is in results_csv.c, the messages for SQLite failures
 * (a full disk among them) in results_err.c. Crash safety comes from the
 * caller's staging directory, not from here.
 */
#include "sim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

/* A declared table and its cached INSERT statement. */
typedef struct table_entry {
	char *name;            /* owned copy of the table's name */
	size_t ncols;          /* columns of the definition, not counting run_id */
	bool run_id;           /* has the leading run_id column */
	bool keyed;            /* first column is the PRIMARY KEY: rows whose
				  key is present are not added */
	sqlite3_stmt *insert;  /* prepared on first use */
} table_entry;

struct sim_results {
	sqlite3 *db;
	char *path;            /* as the caller gave it, for messages */
	bool created;          /* abort and failed closes delete the file */
	int fd;                /* the created file, kept open to sync it; or -1 */
	bool have_run;
	int64_t run_id;
	table_entry *tables;   /* in declaration order */
	size_t ntables, cap;
	size_t last;           /* index of the last table found, a search hint */
};

typedef sim_colspec colspec;

typedef struct strbuf {
	char *s;
	size_t len, cap;
} strbuf;

static const char *const col_type_names[] = {"INTEGER", "REAL", "TEXT"};

/* ---- strings ---------------------------------------------------------- */

static void sb_add(strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = sim_xrealloc(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Appends name as an SQL identifier: double-quoted with embedded quotes
 * doubled, so that dots, spaces and quotes in column names are harmless.
 * The one function that puts a name into SQL text (table and column
 * names, swept parameter paths among them). */
static void sb_ident(strbuf *b, const char *name)
{
	sb_add(b, "\"", 1);
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			sb_add(b, "\"", 1);
		sb_add(b, p, 1);
	}
	sb_add(b, "\"", 1);
}

char *sim_db_ident(const char *name)
{
	strbuf b = {0};
	sb_ident(&b, name);
	return b.s;
}

char *sim_db_select_sql(const char *table)
{
	strbuf b = {0};
	sb_puts(&b, "SELECT * FROM ");
	sb_ident(&b, table);
	sb_puts(&b, " ORDER BY rowid");
	return b.s;
}

/* SQLite reads ":memory:" and, when URIs are enabled, "file:..." specially;
 * a relative path is prefixed with "./" so that it always names a file. */
char *sim_res_file_name(const char *path)
{
	if (path[0] == '/')
		return sim_xstrdup(path);
	return sim_xasprintf("./%s", path);
}

/* ---- errors ----------------------------------------------------------- */

/* Every statement is prepared alone: SQL text that held a second
 * statement (sqlite3_exec would run it) is a programming error. The text
 * is always a constant or built from constants, sql_ident() and ?
 * placeholders; values are bound, never spliced. */
static int prepare_one(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	const char *tail = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, st, &tail);
	if (rc != SQLITE_OK) {
		*st = NULL;
		return rc;
	}
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t'))
		tail++;
	if (tail && *tail)
		sim_panic("SQL holds more than one statement: '%s'", sql);
	return SQLITE_OK;
}

/* Runs one statement to completion; returns an SQLite result code. */
int sim_res_run(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int rc = prepare_one(db, sql, &st);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int sim_res_exec(sim_results *r, const char *sql, sim_diag *d)
{
	if (sim_res_run(r->db, sql) == SQLITE_OK)
		return 0;
	return sim_db_error(r->path, r->db, d);
}

int sim_db_prepare(sqlite3 *db, const char *path, const char *sql,
		   sqlite3_stmt **st, sim_diag *d)
{
	if (prepare_one(db, sql, st) == SQLITE_OK)
		return 0;
	*st = NULL;
	return sim_db_error(path, db, d);
}

/* Steps a write statement to completion and resets it for reuse. The
 * message is taken before the reset, which may replace it. */
int sim_res_step_done(sqlite3 *db, const char *path, sqlite3_stmt *st,
		     sim_diag *d)
{
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sim_db_error(path, db, d);
	sqlite3_reset(st);
	return rc;
}

/* SQLite rolls a whole transaction back by itself after some errors (disk
 * full, I/O). Writing on in autocommit mode would then save fragments, so
 * every write first checks that the transaction is still open. */
int sim_res_check_txn(sim_results *r, sim_diag *d)
{
	if (!sqlite3_get_autocommit(r->db))
		return 0;
	sim_diag_error(d, r->path, 0, 0,
		       "sqlite: the transaction was rolled back after an "
		       "earlier error; nothing more can be written");
	return SIM_EDB;
}

/* Savepoints make each multi-statement operation all-or-nothing inside the
 * open transaction, so a failed declare or merge leaves no fragments. */
static int sp_begin(sim_results *r, sim_diag *d)
{
	return sim_res_exec(r, "SAVEPOINT vdcsim_op", d);
}

static int sp_end(sim_results *r, int rc, sim_diag *d)
{
	if (rc == 0)
		return sim_res_exec(r, "RELEASE vdcsim_op", d);
	/* Errors here only mean SQLite already rolled everything back. */
	sim_res_run(r->db, "ROLLBACK TO vdcsim_op");
	sim_res_run(r->db, "RELEASE vdcsim_op");
	return rc;
}

/* ---- tables ----------------------------------------------------------- */

void sim_res_cols_free(colspec *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].type);
	}
	free(c);
}

/* Reads the columns of table `name` in db, in order. A missing table gives
 * zero columns. */
int sim_res_table_columns(sqlite3 *db, const char *path, const char *schema,
			 const char *name, colspec **out, size_t *n,
			 sim_diag *d)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	int rc = sim_db_prepare(db, path,
				"SELECT name, type, \"notnull\", pk FROM "
				"pragma_table_info(?1, ?2) ORDER BY cid",
				&st, d);
	if (rc != 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
	colspec *c = NULL;
	size_t len = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		c = sim_xrealloc(c, len + 1, sizeof *c);
		const char *cn = (const char *)sqlite3_column_text(st, 0);
		const char *ct = (const char *)sqlite3_column_text(st, 1);
		c[len].name = sim_xstrdup(cn ? cn : "");
		c[len].type = sim_xstrdup(ct ? ct : "");
		c[len].notnull = sqlite3_column_int(st, 2) != 0;
		c[len].pk = sqlite3_column_int(st, 3) != 0;
		len++;
	}
	if (s != SQLITE_DONE) {
		rc = sim_db_error(path, db, d);
		sim_res_cols_free(c, len);
		c = NULL;
		len = 0;
	}
	sqlite3_finalize(st);
	*out = c;
	*n = len;
	return rc;
}

bool sim_res_same_columns(const colspec *a, size_t na, const colspec *b,
			 size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) != 0 ||
		    strcmp(a[i].type, b[i].type) != 0 ||
		    a[i].notnull != b[i].notnull || a[i].pk != b[i].pk)
			return false;
	return true;
}

/* Writes "name TYPE, ..." for messages. */
char *sim_res_describe_columns(const colspec *c, size_t n)
{
	strbuf b = {0};
	sb_puts(&b, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(&b, ", ");
		sb_puts(&b, c[i].name);
		if (c[i].type[0]) {
			sb_puts(&b, " ");
			sb_puts(&b, c[i].type);
		}
		if (c[i].pk)
			sb_puts(&b, " PRIMARY KEY");
		if (c[i].notnull)
			sb_puts(&b, " NOT NULL");
	}
	return b.s;
}

/* Creates a table from a column list. Declared and merged tables go
 * through here alike, so their CREATE statements are byte-identical and a
 * `.dump` does not depend on how a table came to exist. */
int sim_res_create_table(sim_results *r, const char *name, const colspec *c,
			size_t n, sim_diag *d)
{
	/* A declared type cannot be bound or quoted (quotes would change
	 * it), and one read from a merged database could be any text, even
	 * "INTEGER); DROP TABLE ...": only the types vdcsim declares pass. */
	for (size_t i = 0; i < n; i++) {
		bool known = c[i].type[0] == '\0';
		for (size_t k = 0; k < 3; k++)
			known |= strcmp(c[i].type, col_type_names[k]) == 0;
		if (!known) {
			sim_diag_error(d, r->path, 0, 0,
				       "table '%s', column '%s': type '%s' is "
				       "not a results type (expected INTEGER, "
				       "REAL or TEXT)",
				       name, c[i].name, c[i].type);
			return SIM_EINPUT;
		}
	}
	strbuf b = {0};
	sb_puts(&b, "CREATE TABLE ");
	sb_ident(&b, name);
	sb_puts(&b, " (");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(&b, ", ");
		sb_ident(&b, c[i].name);
		if (c[i].type[0]) {
			sb_puts(&b, " ");
			sb_puts(&b, c[i].type);
		}
		if (c[i].pk)
			sb_puts(&b, " PRIMARY KEY");
		if (c[i].notnull)
			sb_puts(&b, " NOT NULL");
	}
	sb_puts(&b, ")");
	int rc = sim_res_exec(r, b.s, d);
	free(b.s);
	return rc;
}

/* The `columns` table, written as create_table would write it. */
static const char columns_sql[] =
	"CREATE TABLE \"columns\" (\"tbl\" TEXT, \"col\" TEXT, \"type\" TEXT, "
	"\"unit\" TEXT, \"doc\" TEXT)";

/* Documentation of the two tables every database has. */
static const char *const builtin_docs[][5] = {
	{"meta", "", "TABLE", "", "facts about the whole database: versions, seed, config"},
	{"meta", "key", "TEXT", "", "name of the fact"},
	{"meta", "value", "TEXT", "", "the fact, as text"},
	{"columns", "", "TABLE", "",
	 "documentation of every column; col '' documents the table itself"},
	{"columns", "tbl", "TEXT", "", "table the column belongs to"},
	{"columns", "col", "TEXT", "", "column name ('' for the table itself)"},
	{"columns", "type", "TEXT", "", "INTEGER, REAL or TEXT ('TABLE' for the table)"},
	{"columns", "unit", "TEXT", "", "unit of the values, '' if none"},
	{"columns", "doc", "TEXT", "", "one line of documentation"},
};

static int add_doc(sim_results *r, sqlite3_stmt *st, const char *tbl,
		   const char *col, const char *type, const char *unit,
		   const char *doc, sim_diag *d)
{
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, unit ? unit : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, doc ? doc : "", -1, SQLITE_STATIC);
	return sim_res_step_done(r->db, r->path, st, d);
}

bool sim_res_table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	if (prepare_one(db,
			"SELECT 1 FROM sqlite_master WHERE type = 'table' "
			"AND name = ?1",
			&st) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static table_entry *find_table(sim_results *r, const char *name)
{
	if (r->last < r->ntables && strcmp(r->tables[r->last].name, name) == 0)
		return &r->tables[r->last];
	for (size_t i = 0; i < r->ntables; i++)
		if (strcmp(r->tables[i].name, name) == 0) {
			r->last = i;
			return &r->tables[i];
		}
	return NULL;
}

/* Table names become file names on export, so a '/' is refused here, where
 * the mistake is made, rather than later. */
static int check_table(const sim_results *r, const sim_table *t, bool run_id,
		       sim_diag *d)
{
	if (!t->name || !t->name[0] || strchr(t->name, '/')) {
		sim_diag_error(d, r->path, 0, 0,
			       "table name '%s' is not usable (expected a "
			       "non-empty name without '/')",
			       t->name ? t->name : "(null)");
		return SIM_EINPUT;
	}
	if ((t->ncols && !t->cols) || (!run_id && t->ncols == 0)) {
		sim_diag_error(d, r->path, 0, 0, "table '%s' has no columns",
			       t->name);
		return SIM_EINPUT;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		const sim_column *c = &t->cols[i];
		if (!c->name || !c->name[0] || (unsigned)c->type > SIM_COL_TEXT) {
			sim_diag_error(d, r->path, 0, 0,
				       "table '%s': column %zu has no name or "
				       "an unknown type",
				       t->name, i + 1);
			return SIM_EINPUT;
		}
	}
	return 0;
}

static int declare(sim_results *r, const sim_table *t, bool run_id,
		   bool keyed, sim_diag *d)
{
	if (!r || !t) {
		sim_diag_error(d, NULL, 0, 0, "sim_results_declare: no table");
		return SIM_EINPUT;
	}
	int rc = check_table(r, t, run_id, d);
	if (rc == 0)
		rc = sim_res_check_txn(r, d);
	if (rc != 0)
		return rc;

	size_t n = t->ncols + run_id;
	colspec *want = sim_xcalloc(n, sizeof *want);
	size_t k = 0;
	if (run_id)
		want[k++] = (colspec){sim_xstrdup("run_id"),
				      sim_xstrdup("INTEGER"), true, false};
	for (size_t i = 0; i < t->ncols; i++)
		want[k++] = (colspec){sim_xstrdup(t->cols[i].name),
				      sim_xstrdup(col_type_names[t->cols[i].type]),
				      false, keyed && i == 0};

	if (sim_res_table_exists(r->db, t->name)) {
		colspec *have;
		size_t nhave;
		rc = sim_res_table_columns(r->db, r->path, "main", t->name, &have,
				   &nhave, d);
		if (rc == 0 && !sim_res_same_columns(have, nhave, want, n)) {
			char *a = sim_res_describe_columns(have, nhave);
			char *b = sim_res_describe_columns(want, n);
			sim_diag_error(d, r->path, 0, 0,
				       "table '%s' already exists with columns "
				       "(%s), not (%s)",
				       t->name, a, b);
			free(a);
			free(b);
			rc = SIM_EINPUT;
		}
		sim_res_cols_free(have, nhave);
	} else {
		rc = sp_begin(r, d);
		if (rc == 0) {
			rc = sim_res_create_table(r, t->name, want, n, d);
			sqlite3_stmt *st = NULL;
			if (rc == 0)
				rc = sim_db_prepare(r->db, r->path,
						    "INSERT INTO \"columns\" "
						    "VALUES (?1, ?2, ?3, ?4, "
						    "?5)",
						    &st, d);
			if (rc == 0)
				rc = add_doc(r, st, t->name, "", "TABLE", "",
					     t->doc, d);
			if (rc == 0 && run_id)
				rc = add_doc(r, st, t->name, "run_id",
					     "INTEGER", "",
					     "run this row belongs to, see runs",
					     d);
			for (size_t i = 0; rc == 0 && i < t->ncols; i++)
				rc = add_doc(r, st, t->name, t->cols[i].name,
					     col_type_names[t->cols[i].type],
					     t->cols[i].unit, t->cols[i].doc,
					     d);
			sqlite3_finalize(st);
			rc = sp_end(r, rc, d);
		}
	}
	sim_res_cols_free(want, n);
	if (rc != 0)
		return rc;

	if (!find_table(r, t->name)) {
		if (r->ntables == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 8;
			r->tables = sim_xrealloc(r->tables, r->cap,
						 sizeof *r->tables);
		}
		r->tables[r->ntables++] = (table_entry){
			sim_xstrdup(t->name), t->ncols, run_id, keyed, NULL};
	}
	return 0;
}

int sim_results_declare(sim_results *r, const sim_table *t, sim_diag *d)
{
	return declare(r, t, true, false, d);
}

int sim_results_declare_plain(sim_results *r, const sim_table *t, sim_diag *d)
{
	return declare(r, t, false, false, d);
}

int sim_results_declare_keyed(sim_results *r, const sim_table *t, sim_diag *d)
{
	return declare(r, t, false, true, d);
}

/* ---- lifecycle -------------------------------------------------------- */

static void finalize_all(sim_results *r)
{
	for (size_t i = 0; i < r->ntables; i++) {
		sqlite3_finalize(r->tables[i].insert);
		r->tables[i].insert = NULL;
	}
}

/* Frees the handle once SQLite's connection is closed: closing any
 * descriptor of a file drops the process's POSIX locks on it, SQLite's
 * included, so the creation descriptor must outlive the connection. */
static void release(sim_results *r)
{
	if (r->fd >= 0)
		close(r->fd);
	for (size_t i = 0; i < r->ntables; i++)
		free(r->tables[i].name);
	free(r->tables);
	free(r->path);
	free(r);
}

/* Closes the connection; every statement is finalized first, so a
 * failure here is unexpected and the handle is then left to
 * sqlite3_close_v2 rather than leaked. */
static int close_db(sim_results *r, sim_diag *d)
{
	if (sqlite3_close(r->db) == SQLITE_OK)
		return 0;
	int rc = sim_db_error(r->path, r->db, d);
	sqlite3_close_v2(r->db);
	return rc;
}

/* Opens path (which exists) read-write or read-only. */
static int open_db(const char *path, bool readonly, sqlite3 **db,
		   sim_diag *d)
{
	char *fn = sim_res_file_name(path);
	/* A connection is only ever used by the thread that opened it: no
	 * mutex per call (SQLite's multi-thread mode). */
	int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
		    SQLITE_OPEN_NOMUTEX;
	int s = sqlite3_open_v2(fn, db, flags, NULL);
	free(fn);
	if (s == SQLITE_OK)
		return 0;
	int rc = sim_db_error(path, *db, d);
	sqlite3_close(*db);
	*db = NULL;
	return rc;
}

static int read_user_version(sqlite3 *db, const char *path, int *v,
			     sim_diag *d)
{
	sqlite3_stmt *st;
	int rc = sim_db_prepare(db, path, "PRAGMA user_version", &st, d);
	if (rc != 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	else
		rc = sim_db_error(path, db, d);
	sqlite3_finalize(st);
	return rc;
}

int sim_results_create(const char *path, sim_results **out, sim_diag *d)
{
	*out = NULL;
	if (!path || !path[0]) {
		sim_diag_error(d, NULL, 0, 0, "results: empty database path");
		return SIM_EINPUT;
	}
	/* O_EXCL makes "must not exist" race-free; SQLite takes an empty
	 * file as an empty database. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST) {
			sim_diag_error(d, path, 0, 0,
				       "already exists (results are never "
				       "overwritten)");
			return SIM_EEXIST;
		}
		sim_diag_error(d, path, 0, 0, "cannot create: %s",
			       strerror(errno));
		return SIM_EIO;
	}
	sim_results *r = sim_xcalloc(1, sizeof *r);
	r->path = sim_xstrdup(path);
	r->created = true;
	r->fd = fd;
	int rc = open_db(path, false, &r->db, d);
	if (rc != 0) {
		unlink(path);
		release(r);
		return rc;
	}
	/* The journal stays in memory and nothing is synced: the caller
	 * writes into a staging directory and renames it when complete, so a
	 * crash never exposes this file. A memory journal, unlike none,
	 * still lets savepoints and aborts roll back. */
	rc = sim_res_exec(r, "PRAGMA journal_mode = MEMORY", d);
	if (rc == 0)
		rc = sim_res_exec(r, "PRAGMA synchronous = OFF", d);
	if (rc == 0)
		rc = sim_res_exec(r, "BEGIN", d);
	if (rc == 0) {
		char *sql = sim_xasprintf("PRAGMA user_version = %d",
					  SIM_RESULTS_SCHEMA_VERSION);
		rc = sim_res_exec(r, sql, d);
		free(sql);
	}
	if (rc == 0)
		rc = sim_res_exec(r,
			  "CREATE TABLE \"meta\" (\"key\" TEXT PRIMARY KEY, "
			  "\"value\" TEXT)",
			  d);
	if (rc == 0)
		rc = sim_res_exec(r, columns_sql, d);
	sqlite3_stmt *st = NULL;
	if (rc == 0)
		rc = sim_db_prepare(r->db, r->path,
				    "INSERT INTO \"columns\" VALUES "
				    "(?1, ?2, ?3, ?4, ?5)",
				    &st, d);
	for (size_t i = 0;
	     rc == 0 && i < sizeof builtin_docs / sizeof builtin_docs[0]; i++)
		rc = add_doc(r, st, builtin_docs[i][0], builtin_docs[i][1],
			     builtin_docs[i][2], builtin_docs[i][3],
			     builtin_docs[i][4], d);
	sqlite3_finalize(st);
	if (rc != 0) {
		sim_results_abort(r);
		return rc;
	}
	*out = r;
	return 0;
}

int sim_results_open(const char *path, sim_results **out, sim_diag *d)
{
	*out = NULL;
	struct stat sb;
	if (!path || stat(path, &sb) != 0) {
		int err = path ? errno : ENOENT;
		sim_diag_error(d, path, 0, 0, "cannot open: %s",
			       strerror(err));
		return err == ENOENT ? SIM_ENOENT : SIM_EIO;
	}
	sim_results *r = sim_xcalloc(1, sizeof *r);
	r->path = sim_xstrdup(path);
	r->fd = -1;
	int rc = open_db(path, false, &r->db, d);
	int version = 0;
	if (rc == 0)
		rc = read_user_version(r->db, path, &version, d);
	if (rc == 0 && version != SIM_RESULTS_SCHEMA_VERSION) {
		sim_diag_error(d, path, 0, 0,
			       "not a vdcsim results database of schema "
			       "version %d (user_version is %d)",
			       SIM_RESULTS_SCHEMA_VERSION, version);
		rc = SIM_EINPUT;
	}
	/* An existing file keeps SQLite's default rollback journal: unlike a
	 * new one, it is not protected by a staging directory. */
	if (rc == 0)
		rc = sim_res_exec(r, "BEGIN", d);
	if (rc != 0) {
		if (r->db)
			close_db(r, d);
		release(r);
		return rc;
	}
	*out = r;
	return 0;
}

int sim_results_close(sim_results *r, sim_diag *d)
{
	if (!r)
		return 0;
	finalize_all(r);
	int rc = sim_res_check_txn(r, d);
	if (rc == 0)
		rc = sim_res_exec(r, "COMMIT", d);
	if (rc != 0 && !sqlite3_get_autocommit(r->db))
		sim_res_run(r->db, "ROLLBACK");
	int crc = close_db(r, d);
	if (rc == 0)
		rc = crc;
	/* synchronous = OFF skipped every fsync; one at the end makes the
	 * file durable before the caller renames its directory into place.
	 * The descriptor from creation is used because it names this file
	 * whatever happened to the path or the working directory since. */
	if (rc == 0 && r->fd >= 0 && fsync(r->fd) != 0) {
		sim_diag_error(d, r->path, 0, 0, "cannot sync: %s",
			       strerror(errno));
		rc = SIM_EIO;
	}
	if (rc != 0 && r->created)
		unlink(r->path);
	release(r);
	return rc;
}

void sim_results_abort(sim_results *r)
{
	if (!r)
		return;
	finalize_all(r);
	if (!sqlite3_get_autocommit(r->db))
		sim_res_run(r->db, "ROLLBACK");
	if (sqlite3_close(r->db) != SQLITE_OK)
		sqlite3_close_v2(r->db);
	if (r->created)
		unlink(r->path);
	release(r);
}

sqlite3 *sim_results_db(const sim_results *r)
{
	return r->db;
}

const char *sim_results_path(const sim_results *r)
{
	return r->path;
}

/* ---- rows ------------------------------------------------------------- */

int sim_results_meta(sim_results *r, const char *key, const char *value,
		     sim_diag *d)
{
	if (!r || !key) {
		sim_diag_error(d, NULL, 0, 0, "sim_results_meta: no key");
		return SIM_EINPUT;
	}
	int rc = sim_res_check_txn(r, d);
	sqlite3_stmt *st = NULL;
	if (rc == 0)
		rc = sim_db_prepare(r->db, r->path,
				    "INSERT OR REPLACE INTO \"meta\" "
				    "VALUES (?1, ?2)",
				    &st, d);
	if (rc == 0) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (value)
			sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		rc = sim_res_step_done(r->db, r->path, st, d);
	}
	sqlite3_finalize(st);
	return rc;
}

void sim_results_set_run(sim_results *r, int64_t run_id)
{
	if (!r)
		return;
	r->run_id = run_id;
	r->have_run = true;
}

static int prepare_insert(sim_results *r, table_entry *e, sim_diag *d)
{
	strbuf b = {0};
	sb_puts(&b, e->keyed ? "INSERT OR IGNORE INTO " : "INSERT INTO ");
	sb_ident(&b, e->name);
	sb_puts(&b, " VALUES (");
	size_t n = e->ncols + e->run_id;
	for (size_t i = 0; i < n; i++)
		sb_puts(&b, i ? ", ?" : "?");
	sb_puts(&b, ")");
	int rc = sim_db_prepare(r->db, r->path, b.s, &e->insert, d);
	free(b.s);
	return rc;
}

int sim_results_row(sim_results *r, const sim_table *t, const sim_value *values,
		    sim_diag *d)
{
	if (!r || !t || !t->name || (t->ncols && (!values || !t->cols))) {
		sim_diag_error(d, r ? r->path : NULL, 0, 0,
			       "sim_results_row: no table or values");
		return SIM_EINPUT;
	}
	table_entry *e = find_table(r, t->name);
	if (!e || e->ncols != t->ncols) {
		sim_diag_error(d, r->path, 0, 0,
			       e ? "table '%s' was declared with another "
				   "number of columns"
				 : "table '%s' was not declared",
			       t->name);
		return SIM_EINPUT;
	}
	if (e->run_id && !r->have_run) {
		sim_diag_error(d, r->path, 0, 0,
			       "table '%s': no run set for its run_id "
			       "(sim_results_set_run)",
			       t->name);
		return SIM_EINPUT;
	}
	int rc = sim_res_check_txn(r, d);
	if (rc == 0 && !e->insert)
		rc = prepare_insert(r, e, d);
	if (rc != 0)
		return rc;
	int k = 1;
	if (e->run_id)
		sqlite3_bind_int64(e->insert, k++, r->run_id);
	for (size_t i = 0; i < t->ncols; i++, k++) {
		switch (t->cols[i].type) {
		case SIM_COL_INT:
			sqlite3_bind_int64(e->insert, k, values[i].i);
			break;
		case SIM_COL_REAL:
			sqlite3_bind_double(e->insert, k, values[i].r);
			break;
		case SIM_COL_TEXT:
			/* Bound without copying: the statement is stepped
			 * and every parameter rebound before the next use. */
			if (values[i].s)
				sqlite3_bind_text(e->insert, k, values[i].s,
						  -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(e->insert, k);
			break;
		default:
			sqlite3_reset(e->insert);
			sim_diag_error(d, r->path, 0, 0,
				       "table '%s': column %zu has an unknown "
				       "type",
				       t->name, i + 1);
			return SIM_EINPUT;
		}
	}
	return sim_res_step_done(r->db, r->path, e->insert, d);
}

/* ---- merge ------------------------------------------------------------ */

/* Names of the user tables of db in name (byte) order. */
int sim_db_list_tables(sqlite3 *db, const char *path, char ***out, size_t *n,
		       sim_diag *d)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	int rc = sim_db_prepare(db, path,
				"SELECT name FROM sqlite_master WHERE "
				"type = 'table' AND name NOT LIKE "
				"'sqlite\\_%' ESCAPE '\\' ORDER BY name",
				&st, d);
	if (rc != 0)
		return rc;
	char **v = NULL;
	size_t len = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!name) {
			s = SQLITE_NOMEM;
			break;
		}
		v = sim_xrealloc(v, len + 1, sizeof *v);
		v[len++] = sim_xstrdup(name);
	}
	if (s != SQLITE_DONE)
		rc = sim_db_error(path, db, d);
	sqlite3_finalize(st);
	*out = v;
	*n = len;
	return rc;
}

void sim_db_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
