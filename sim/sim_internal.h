/* SPDX-License-Identifier: MIT */
/*
 * Private declarations shared by the files of sim/: the layout of
 * configuration trees and their arena (cfg_tree.c, cfg_parse.c, cfg_edit.c,
 * cfg_emit.c), message quoting for the cfg_ files, and the SQLite helpers
 * that CSV export (results_csv.c) borrows from the results store. Included
 * only by the .c files of sim/; nothing here is API.
 */
#ifndef VDCSIM_SIM_INTERNAL_H
#define VDCSIM_SIM_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------ */

/* Returns s as a new string fit for a one-line message, which the caller
 * frees: control characters escaped, and cut (at a character boundary)
 * after 60 bytes with "..." appended. */
char *cfg_show(const char *s);

/* ------------------------------------------------------------------------
 * Configuration trees (cfg_tree.c; parsing in cfg_parse.c, copies and
 * edits in cfg_edit.c, emission in cfg_emit.c)
 * ------------------------------------------------------------------------ */

/* Nodes are immutable once their document is parsed, so an alias does not
 * copy its anchor's subtree: it points at it and the node is marked shared.
 * Readers see exactly the expanded tree a deep copy would give, the node
 * budget counts the expanded size, and an alias bomb costs nothing before it
 * is refused. The only writer, cfg_doc_set, copies shared nodes on its path
 * before changing them. */
struct cfg_node {
	const char *text;   /* scalars: NUL-terminated, in the arena */
	const char *file;   /* interned in the arena */
	cfg_node **kids;    /* maps: key, value, key, value...; sequences: items */
	size_t n;           /* map entries or sequence items */
	size_t size;        /* nodes in the expanded subtree, this one included */
	size_t bytes;       /* scalar text in the expanded subtree */
	unsigned line, col;
	unsigned char kind;
	unsigned char height; /* collections on the longest downward path */
	bool quoted;
	bool shared;        /* may have more than one parent */
};

typedef struct cfg_arena_block {
	struct cfg_arena_block *next;
	size_t used, cap;
	max_align_t data[];
} cfg_arena_block;

struct cfg_doc {
	cfg_arena_block *blocks;
	size_t block_bytes;
	cfg_node *root;
	const char **files;  /* distinct file names, strings in the arena */
	size_t nfiles;
};

/* A new empty document (no root), freed with cfg_doc_destroy. */
cfg_doc *cfg_doc_new(void);
/* Memory from the document's arena, aligned for any type and freed with
 * the document. Panics on requests past SIZE_MAX / 2. */
void *cfg_arena_alloc(cfg_doc *doc, size_t bytes);
/* A NUL-terminated copy of s[0..len) in the document's arena. */
char *cfg_arena_strndup(cfg_doc *doc, const char *s, size_t len);
/* The document's copy of a file name, made on first use. Costs O(files in
 * the document), which is a handful. */
const char *cfg_intern_file(cfg_doc *doc, const char *name);
/* A node of one kind at a position, with no text and no children. */
cfg_node *cfg_node_new(cfg_doc *doc, cfg_kind kind, const char *file,
		       unsigned line, unsigned col);
/* Recomputes size, bytes and height of n from its children. */
void cfg_node_update(cfg_node *n);
/* The index of key among the entries of map n, or SIZE_MAX. O(entries). */
size_t cfg_map_find(const cfg_node *n, const char *key);

/* Entries of kids[]: two per map entry (key, value), one per item. */
static inline size_t cfg_kid_count(const cfg_node *n)
{
	return n->kind == CFG_MAP ? 2 * n->n : n->n;
}

static inline unsigned cfg_clamp_uint(size_t v)
{
	return v > UINT_MAX ? UINT_MAX : (unsigned)v;
}

/* cfg_doc_parse with the two knobs `--set` values need: need_map false
 * accepts any node (an empty text is a null scalar), and col_offset is
 * added to the columns of line 1. A NULL file is named "<config>". */
int cfg_doc_parse_text(const char *file, const char *text, size_t len,
		       bool need_map, unsigned col_offset, cfg_doc **out,
		       sim_diag *d);

/* A small open-addressing hash table keyed by (tag, string) for parsing
 * and copying (cfg_tree.c has the details). Zero-initialise it; it borrows
 * keys and values. Nothing iterates over it, so its order never reaches
 * any output. */
typedef struct cfg_table_entry {
	uint64_t tag;
	const char *key;
	void *val;       /* NULL marks an empty slot */
} cfg_table_entry;

typedef struct cfg_table {
	cfg_table_entry *e;
	size_t cap, used;
} cfg_table;

/* The value stored under (tag, key), or NULL. key may be NULL. */
void *cfg_table_get(const cfg_table *t, uint64_t tag, const char *key);
/* Stores val (not NULL) under (tag, key), replacing any earlier value.
 * Amortised O(1). */
void cfg_table_put(cfg_table *t, uint64_t tag, const char *key, void *val);
/* Frees the slots and leaves t empty and reusable. */
void cfg_table_fini(cfg_table *t);

/* ------------------------------------------------------------------------
 * Results store (results.c; CSV export in results_csv.c)
 * ------------------------------------------------------------------------ */

struct sqlite3;
struct sqlite3_stmt;

/* The handle's connection and its path as the caller gave it (for
 * messages); both borrowed. */
struct sqlite3 *sim_results_db(const sim_results *r);
const char *sim_results_path(const sim_results *r);

/* Reports db's last error (or "out of memory" when db is NULL) as
 * "path: sqlite: ..."; returns SIM_EDB. */
int sim_db_error(const char *path, struct sqlite3 *db, sim_diag *d);
/* Prepares sql on db; on error *st is NULL, the error is reported as
 * sim_db_error does and SIM_EDB returned. */
int sim_db_prepare(struct sqlite3 *db, const char *path, const char *sql,
		   struct sqlite3_stmt **st, sim_diag *d);
/* Names of the user tables of db in name (byte) order, as a new array of
 * new strings for sim_db_names_free (also on error). */
int sim_db_list_tables(struct sqlite3 *db, const char *path, char ***out,
		       size_t *n, sim_diag *d);
/* Frees what sim_db_list_tables returned; NULL is a no-op. */
void sim_db_names_free(char **v, size_t n);

/* A growing list of owned strings (plots.c, plots_labels.c). */
typedef struct sim_name_list {
	char **v;
	size_t n;
} sim_name_list;
/* Appends s, which the list then owns. */
void sim_names_add(sim_name_list *l, char *s);
/* Frees every string and the array; the list is empty again. */
void sim_names_free(sim_name_list *l);
/* "SELECT * FROM <table> ORDER BY rowid" with the name quoted as an
 * identifier, as a new string. */
char *sim_db_select_sql(const char *table);
/* The name quoted as an SQL identifier ("a""b"). New string. */
char *sim_db_ident(const char *name);

/* Shared by results.c and results_merge.c. A column as SQLite reports it,
 * for creating and comparing tables. */
typedef struct sim_colspec {
	char *name;
	char *type;            /* declared type, possibly "" */
	bool notnull;
	bool pk;               /* the (single-column) PRIMARY KEY */
} sim_colspec;
/* Runs one statement on r's connection; 0 or SIM_EDB reported. */
int sim_res_exec(sim_results *r, const char *sql, sim_diag *d);
/* Runs one statement, reporting nothing: SQLite's status. */
int sim_res_run(struct sqlite3 *db, const char *sql);
/* Steps st to completion and resets it; 0 or SIM_EDB reported. */
int sim_res_step_done(struct sqlite3 *db, const char *path,
		      struct sqlite3_stmt *st, sim_diag *d);
/* 0 if r's transaction is open, else SIM_EDB reported (SQLite rolled it
 * back after an error). */
int sim_res_check_txn(sim_results *r, sim_diag *d);
/* The columns of table name in schema ("main", or an attached one), in
 * order; a missing table gives none. */
int sim_res_table_columns(struct sqlite3 *db, const char *path,
			  const char *schema, const char *name,
			  sim_colspec **out, size_t *n, sim_diag *d);
/* Same names, types, NOT NULL and PRIMARY KEY, in order. */
bool sim_res_same_columns(const sim_colspec *a, size_t na,
			  const sim_colspec *b, size_t nb);
/* "name TYPE, ..." for messages. New string. */
char *sim_res_describe_columns(const sim_colspec *c, size_t n);
void sim_res_cols_free(sim_colspec *c, size_t n);
/* Creates table name in r from a column list (only results types). */
int sim_res_create_table(sim_results *r, const char *name,
			 const sim_colspec *c, size_t n, sim_diag *d);
/* True if db's main schema has table name. */
bool sim_res_table_exists(struct sqlite3 *db, const char *name);
/* path as SQLite must be given it to name that file ("./" before a
 * relative path). New string. */
char *sim_res_file_name(const char *path);

/* plots_labels.c. The gnuplot definitions handed to every plot script
 * (before it runs): text_bps(x), text_bytes(x), text_ns(x), text_frac(x),
 * text_num(x) give a value as the user wrote it when it is a swept value of
 * that kind in data_dir/results.sqlite's runs table, else in the exact unit
 * that divides it (fmt_bps(x), ...: 1e10 is '10Gbit/s'); point_text(p) the
 * swept values of point p, or p. Labels hold only letters, digits, spaces
 * and . , + - _ / %. A new string; without a readable runs table, the
 * formatters alone. Cost: one query per swept column. */
char *sim_plots_prelude(const char *data_dir);

#endif
