/* SPDX-License-Identifier: MIT */
/*
 * Recorded workload "oltp": TATP-like transactions ([TATP]) on an
 * in-memory SQLite database whose every byte (tables, indexes, page cache,
 * rollback journal, SQLite's own structures) lives in the tracked arena
 * through SQLite's allocator hook, sqlite3_config(SQLITE_CONFIG_MALLOC)
 * with rec_alloc. The hook is process-wide and must be set before
 * sqlite3_initialize: init shuts SQLite down, installs it, and fini puts
 * the previous allocator back.
 *
 * Schema: TATP's four tables (subscriber, access_info, special_facility,
 * call_forwarding) with its row counts per subscriber (1-4 access_info and
 * special_facility rows, 0-3 call_forwarding rows per facility); the ten
 * bit_, hex_ and byte2_ columns of a subscriber are packed into three
 * columns. Mix: TATP's 35 % GET_SUBSCRIBER_DATA, 10 % GET_NEW_DESTINATION,
 * 35 % GET_ACCESS_DATA, 2 % UPDATE_SUBSCRIBER_DATA, 14 % UPDATE_LOCATION,
 * 2 % INSERT_CALL_FORWARDING, 2 % DELETE_CALL_FORWARDING, subscribers
 * drawn by TATP's non-uniform rule (A = 65535). A checkpoint copies the
 * database into a second in-memory database (sqlite3_backup), as a
 * database writing its pages out at a checkpoint.
 */
#include "rec_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <sqlite3.h>

enum { Q_SUB, Q_DEST, Q_ACC, Q_UPD_SUB, Q_UPD_SF, Q_UPD_LOC, Q_SID_BY_NBR,
       Q_SF_TYPES, Q_INS_CF, Q_DEL_CF, Q_BEGIN, Q_COMMIT,
       L_SUB, L_AI, L_SF, L_CF, NQ };

static const char *const sql[NQ] = {
	[Q_SUB] = "SELECT * FROM subscriber WHERE s_id = ?1",
	[Q_DEST] = "SELECT cf.numberx FROM special_facility sf, call_forwarding cf"
		   " WHERE sf.s_id = ?1 AND sf.sf_type = ?2 AND sf.is_active = 1"
		   " AND cf.s_id = sf.s_id AND cf.sf_type = sf.sf_type"
		   " AND cf.start_time <= ?3 AND cf.end_time > ?3",
	[Q_ACC] = "SELECT data1, data2, data3, data4 FROM access_info"
		  " WHERE s_id = ?1 AND ai_type = ?2",
	[Q_UPD_SUB] = "UPDATE subscriber SET bits = ?2 WHERE s_id = ?1",
	[Q_UPD_SF] = "UPDATE special_facility SET data_a = ?3"
		     " WHERE s_id = ?1 AND sf_type = ?2",
	[Q_UPD_LOC] = "UPDATE subscriber SET vlr_location = ?2 WHERE sub_nbr = ?1",
	[Q_SID_BY_NBR] = "SELECT s_id FROM subscriber WHERE sub_nbr = ?1",
	[Q_SF_TYPES] = "SELECT sf_type FROM special_facility WHERE s_id = ?1",
	[Q_INS_CF] = "INSERT OR IGNORE INTO call_forwarding VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_DEL_CF] = "DELETE FROM call_forwarding WHERE s_id = ?1"
		     " AND sf_type = ?2 AND start_time = ?3",
	[Q_BEGIN] = "BEGIN",
	[Q_COMMIT] = "COMMIT",
	[L_SUB] = "INSERT INTO subscriber VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[L_AI] = "INSERT INTO access_info VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[L_SF] = "INSERT INTO special_facility VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[L_CF] = "INSERT INTO call_forwarding VALUES (?1, ?2, ?3, ?4, ?5)",
};

static const char schema[] =
	"CREATE TABLE subscriber (s_id INTEGER PRIMARY KEY, sub_nbr TEXT"
	" NOT NULL UNIQUE, bits INTEGER, hexes INTEGER, byte2 BLOB,"
	" msc_location INTEGER, vlr_location INTEGER);"
	"CREATE TABLE access_info (s_id INTEGER, ai_type INTEGER, data1"
	" INTEGER, data2 INTEGER, data3 TEXT, data4 TEXT,"
	" PRIMARY KEY (s_id, ai_type));"
	"CREATE TABLE special_facility (s_id INTEGER, sf_type INTEGER,"
	" is_active INTEGER, error_cntrl INTEGER, data_a INTEGER, data_b TEXT,"
	" PRIMARY KEY (s_id, sf_type));"
	"CREATE TABLE call_forwarding (s_id INTEGER, sf_type INTEGER,"
	" start_time INTEGER, end_time INTEGER, numberx TEXT,"
	" PRIMARY KEY (s_id, sf_type, start_time));";

typedef struct oltp {
	sqlite3 *db, *snap;
	sqlite3_stmt *q[NQ];
	gsl_rng *rng;
	uint64_t subscribers, batch;
	sqlite3_mem_methods saved;
	bool hooked;
	rec_ctx *c;
} oltp;

/* The allocator SQLite's hooks serve (one recording at a time). */
static rec_alloc *rec_oltp_al;

static void *m_malloc(int n)
{
	return rec_alloc_malloc(rec_oltp_al, (uint64_t)n);
}

static void m_free(void *p)
{
	rec_alloc_free(rec_oltp_al, p);
}

static void *m_realloc(void *p, int n)
{
	return rec_alloc_realloc(rec_oltp_al, p, (uint64_t)n);
}

static int m_size(void *p)
{
	return (int)rec_alloc_size(rec_oltp_al, p);
}

static int m_roundup(int n)
{
	return (int)rec_alloc_roundup((uint64_t)n);
}

static int m_init(void *app)
{
	(void)app;
	return SQLITE_OK;
}

static void m_shutdown(void *app)
{
	(void)app;
}

static int sql_error(oltp *s, int rc, const char *what, sim_diag *d)
{
	if (rc == SQLITE_NOMEM || s->c->al.failed)
		return rec_nomem(s->c, what, s->c->al.failed, d);
	sim_diag_error(d, "trace-record", 0, 0, "workload oltp: %s: %s", what,
		       s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return SIM_EINPUT;
}

static const rec_param params[] = {
	{"subscribers", "20000", "", 1, 1e7,
	 "subscriber rows loaded (TATP's scale; 1-4 access_info, 1-4 "
	 "special_facility, 0-3 call_forwarding rows each)"},
	{"load_batch", "1000", "", 1, 1e6,
	 "subscribers inserted per load transaction"},
	{NULL, NULL, NULL, 0, 0, NULL},
};

static uint64_t uni(oltp *s, uint64_t lo, uint64_t hi)
{
	return lo + gsl_rng_uniform_int(s->rng, (unsigned long)(hi - lo + 1));
}

/* TATP's non-uniform subscriber: (rand(0, A) | rand(1, N)) % N + 1. */
static uint64_t pick_sid(oltp *s)
{
	uint64_t n = s->subscribers;
	return ((uni(s, 0, 65535) | uni(s, 1, n)) % n) + 1;
}

static void nbr_of(uint64_t sid, char out[24])
{
	snprintf(out, 24, "%015llu", (unsigned long long)sid);
}

static int step_all(oltp *s, sqlite3_stmt *st, const char *what, sim_diag *d)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : sql_error(s, rc, what, d);
}

static int oltp_init(rec_ctx *c, sim_diag *d)
{
	oltp *s = sim_xcalloc(1, sizeof *s);
	c->state = s;
	s->c = c;
	s->subscribers = (uint64_t)rec_param_get(c, "subscribers");
	s->batch = (uint64_t)rec_param_get(c, "load_batch");
	s->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(s->rng, (unsigned long)c->seed);
	rec_oltp_al = &c->al;
	static const sqlite3_mem_methods mm = {
		m_malloc, m_free, m_realloc, m_size, m_roundup, m_init,
		m_shutdown, NULL,
	};
	sqlite3_shutdown();
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &s->saved) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MALLOC, &mm) != SQLITE_OK) {
		sim_diag_error(d, "trace-record", 0, 0, "workload oltp: SQLite "
			       "refuses a custom allocator");
		return SIM_EINPUT;
	}
	s->hooked = true;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	int rc = sqlite3_initialize();
	if (rc != SQLITE_OK)
		return sql_error(s, rc, "sqlite3_initialize", d);
	/* SQLite's own generator, seeded: nothing it draws depends on
	 * /dev/urandom. */
	sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED, (int)(c->seed & 0x7fffffff),
			     NULL);
	rc = sqlite3_open(":memory:", &s->db);
	if (rc == SQLITE_OK)
		rc = sqlite3_open(":memory:", &s->snap);
	if (rc != SQLITE_OK)
		return sql_error(s, rc, "opening the database", d);
	rc = sqlite3_exec(s->db, schema, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sql_error(s, rc, "creating the tables", d);
	for (int i = 0; i < NQ; i++) {
		rc = sqlite3_prepare_v2(s->db, sql[i], -1, &s->q[i], NULL);
		if (rc != SQLITE_OK)
			return sql_error(s, rc, "preparing the statements", d);
	}
	return 0;
}

static uint64_t oltp_load_ops(rec_ctx *c)
{
	return ((oltp *)c->state)->subscribers;
}

/* Loads subscriber i + 1 with its rows (TATP's population rules). */
static int oltp_load(rec_ctx *c, uint64_t i, sim_diag *d)
{
	oltp *s = c->state;
	uint64_t sid = i + 1;
	int rc = 0;
	if (i % s->batch == 0)
		rc = step_all(s, s->q[Q_BEGIN], "loading", d);
	char nbr[24];
	nbr_of(sid, nbr);
	sqlite3_stmt *q = s->q[L_SUB];
	unsigned char byte2[10];
	for (int k = 0; k < 10; k++)
		byte2[k] = (unsigned char)uni(s, 0, 255);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
	sqlite3_bind_text(q, 2, nbr, 15, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)uni(s, 0, 1023));
	sqlite3_bind_int64(q, 4, (sqlite3_int64)uni(s, 0, 0xfffffffeu));
	sqlite3_bind_blob(q, 5, byte2, 10, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)uni(s, 1, 0xffffffffu));
	sqlite3_bind_int64(q, 7, (sqlite3_int64)uni(s, 1, 0xffffffffu));
	if (rc == 0)
		rc = step_all(s, q, "loading subscribers", d);
	/* 1-4 access_info rows of distinct types, likewise facilities. */
	unsigned nai = (unsigned)uni(s, 1, 4), nsf = (unsigned)uni(s, 1, 4);
	unsigned first = (unsigned)uni(s, 0, 3);
	for (unsigned k = 0; k < nai && rc == 0; k++) {
		q = s->q[L_AI];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		sqlite3_bind_int64(q, 2, (first + k) % 4 + 1);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)uni(s, 0, 255));
		sqlite3_bind_int64(q, 4, (sqlite3_int64)uni(s, 0, 255));
		sqlite3_bind_text(q, 5, "ABC", 3, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, "ABCDE", 5, SQLITE_STATIC);
		rc = step_all(s, q, "loading access_info", d);
	}
	first = (unsigned)uni(s, 0, 3);
	for (unsigned k = 0; k < nsf && rc == 0; k++) {
		unsigned type = (first + k) % 4 + 1;
		q = s->q[L_SF];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		sqlite3_bind_int64(q, 2, type);
		sqlite3_bind_int64(q, 3, uni(s, 0, 99) < 85);
		sqlite3_bind_int64(q, 4, (sqlite3_int64)uni(s, 0, 255));
		sqlite3_bind_int64(q, 5, (sqlite3_int64)uni(s, 0, 255));
		sqlite3_bind_text(q, 6, "ABCDE", 5, SQLITE_STATIC);
		rc = step_all(s, q, "loading special_facility", d);
		unsigned ncf = (unsigned)uni(s, 0, 3);
		for (unsigned j = 0; j < ncf && rc == 0; j++) {
			q = s->q[L_CF];
			uint64_t start = 8 * j;
			sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
			sqlite3_bind_int64(q, 2, type);
			sqlite3_bind_int64(q, 3, (sqlite3_int64)start);
			sqlite3_bind_int64(q, 4, (sqlite3_int64)(start + uni(s, 1, 8)));
			sqlite3_bind_text(q, 5, nbr, 15, SQLITE_TRANSIENT);
			rc = step_all(s, q, "loading call_forwarding", d);
		}
	}
	if (rc == 0 && ((i + 1) % s->batch == 0 || i + 1 == s->subscribers))
		rc = step_all(s, s->q[Q_COMMIT], "loading", d);
	return rc;
}

static int oltp_op(rec_ctx *c, sim_diag *d)
{
	oltp *s = c->state;
	uint64_t r = uni(s, 0, 99), sid = pick_sid(s);
	sqlite3_stmt *q;
	char nbr[24];
	nbr_of(sid, nbr);
	int rc;
	if (r < 35) {                    /* GET_SUBSCRIBER_DATA */
		q = s->q[Q_SUB];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		return step_all(s, q, "GET_SUBSCRIBER_DATA", d);
	}
	if (r < 45) {                    /* GET_NEW_DESTINATION */
		q = s->q[Q_DEST];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)uni(s, 1, 4));
		sqlite3_bind_int64(q, 3, (sqlite3_int64)(8 * uni(s, 0, 2)));
		return step_all(s, q, "GET_NEW_DESTINATION", d);
	}
	if (r < 80) {                    /* GET_ACCESS_DATA */
		q = s->q[Q_ACC];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)uni(s, 1, 4));
		return step_all(s, q, "GET_ACCESS_DATA", d);
	}
	rc = step_all(s, s->q[Q_BEGIN], "BEGIN", d);
	if (r < 82) {                    /* UPDATE_SUBSCRIBER_DATA */
		q = s->q[Q_UPD_SUB];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)uni(s, 0, 1023));
		if (rc == 0)
			rc = step_all(s, q, "UPDATE_SUBSCRIBER_DATA", d);
		q = s->q[Q_UPD_SF];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)uni(s, 1, 4));
		sqlite3_bind_int64(q, 3, (sqlite3_int64)uni(s, 0, 255));
		if (rc == 0)
			rc = step_all(s, q, "UPDATE_SUBSCRIBER_DATA", d);
	} else if (r < 96) {             /* UPDATE_LOCATION */
		q = s->q[Q_UPD_LOC];
		sqlite3_bind_text(q, 1, nbr, 15, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)uni(s, 1, 0xffffffffu));
		if (rc == 0)
			rc = step_all(s, q, "UPDATE_LOCATION", d);
	} else {                         /* INSERT / DELETE_CALL_FORWARDING */
		bool ins = r < 98;
		q = s->q[Q_SID_BY_NBR];
		sqlite3_bind_text(q, 1, nbr, 15, SQLITE_TRANSIENT);
		if (rc == 0)
			rc = step_all(s, q, "CALL_FORWARDING", d);
		q = s->q[Q_SF_TYPES];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		if (rc == 0)
			rc = step_all(s, q, "CALL_FORWARDING", d);
		uint64_t start = 8 * uni(s, 0, 2);
		q = s->q[ins ? Q_INS_CF : Q_DEL_CF];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)sid);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)uni(s, 1, 4));
		sqlite3_bind_int64(q, 3, (sqlite3_int64)start);
		if (ins) {
			sqlite3_bind_int64(q, 4, (sqlite3_int64)(start + uni(s, 1, 8)));
			sqlite3_bind_text(q, 5, nbr, 15, SQLITE_TRANSIENT);
		}
		if (rc == 0)
			rc = step_all(s, q, "CALL_FORWARDING", d);
	}
	if (rc == 0)
		rc = step_all(s, s->q[Q_COMMIT], "COMMIT", d);
	return rc;
}

static int oltp_checkpoint(rec_ctx *c, sim_diag *d)
{
	oltp *s = c->state;
	sqlite3_backup *b = sqlite3_backup_init(s->snap, "main", s->db, "main");
	if (!b)
		return sql_error(s, sqlite3_errcode(s->snap), "checkpoint", d);
	sqlite3_backup_step(b, -1);
	int rc = sqlite3_backup_finish(b);
	return rc == SQLITE_OK ? 0 : sql_error(s, rc, "checkpoint", d);
}

static void oltp_fini(rec_ctx *c)
{
	oltp *s = c->state;
	if (!s)
		return;
	for (int i = 0; i < NQ; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->snap);
	sqlite3_close(s->db);
	if (s->hooked) {
		sqlite3_shutdown();
		sqlite3_config(SQLITE_CONFIG_MALLOC, &s->saved);
	}
	rec_oltp_al = NULL;
	gsl_rng_free(s->rng);
	free(s);
	c->state = NULL;
}

const rec_workload rec_wl_oltp = {
	.name = "oltp",
	.doc = "TATP-like transactions on an in-memory SQLite database",
	.op = "one transaction (a load operation: one subscriber and its rows)",
	.op_ns = 100000,
	.arena_bytes = UINT64_C(64) << 20,
	.params = params,
	.init = oltp_init,
	.load_ops = oltp_load_ops,
	.load = oltp_load,
	.op_run = oltp_op,
	.checkpoint = oltp_checkpoint,
	.fini = oltp_fini,
};
