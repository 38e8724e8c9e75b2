/* SPDX-License-Identifier: MIT */
/*
 * datacenter/ at scale: the name index (duplicates, lookups), placement by
 * the free-memory tree against the plain scan it replaced, migrations'
 * hosts resolved at load, the results: section (tables, sampling periods,
 * its errors) and link samples that leave out idle links.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/tmpdir.h"
#include "dc.h"
#include "dc_internal.h"

static cfg_doc *parse(const char *text)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	int rc = cfg_doc_parse("t.yaml", text, strlen(text), &doc, &d);
	cr_assert(eq(int, rc, 0), "parse failed: %s", d.text ? d.text : "");
	sim_diag_fini(&d);
	return doc;
}

/* Loads doc; the config (NULL on error) and the messages in *msgs (the
 * caller frees them). */
static dc_config *load(cfg_doc *doc, char **msgs)
{
	sim_diag d;
	sim_diag_init(&d);
	dc_config *c = NULL;
	dc_config_load(doc, &c, &d);
	*msgs = strdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return c;
}

/* The messages of loading text, which must fail. The caller frees them. */
static char *errors_of(const char *text)
{
	cfg_doc *doc = parse(text);
	char *msgs;
	dc_config *c = load(doc, &msgs);
	cr_assert(eq(ptr, c, NULL), "loaded: %s", text);
	cfg_doc_destroy(doc);
	return msgs;
}

/* A deterministic pseudo-random sequence for the tests' inputs (64-bit
 * LCG, Knuth's MMIX constants). */
static uint64_t next_rand(uint64_t *s)
{
	*s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return *s >> 33;
}

/* ---- the name index ------------------------------------------------------ */

Test(dc_names, every_name_maps_to_its_first_value_and_others_to_nothing)
{
	enum { N = 50000 };
	char (*names)[16] = calloc(N, sizeof *names);
	dc_names *m = dc_names_create(4); /* grows many times */
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "vm%zu", i);
		cr_assert(eq(sz, dc_names_add(m, names[i], i), i));
	}
	for (size_t i = 0; i < N; i++) {
		cr_assert(eq(long, dc_names_find(m, names[i]), (long)i));
		/* A second add keeps the first value. */
		cr_assert(eq(sz, dc_names_add(m, names[i], i + N), i));
	}
	cr_assert(eq(long, dc_names_find(m, "vm50000"), -1));
	cr_assert(eq(long, dc_names_find(m, ""), -1));
	cr_assert(eq(long, dc_names_find(m, NULL), -1));
	cr_assert(eq(long, dc_names_find(NULL, "vm1"), -1));
	dc_names_destroy(m);
	dc_names_destroy(NULL);
	free(names);
}

Test(dc_config, a_duplicate_names_the_first_of_its_name_even_past_errors)
{
	/* The first 'a' has a bad vcpus: it still holds the name, as before
	 * the index (every name read counts as used). */
	char *msgs = errors_of("vms:\n"
			       "  - {name: a, vcpus: 0}\n"
			       "  - {name: b}\n"
			       "  - {name: a}\n"
			       "  - {name: a}\n");
	cr_assert(not(eq(ptr, strstr(msgs, "t.yaml:4:12: duplicate VM name 'a' "
					   "(first used at 2:12; expected "
					   "unique names)\n"),
			 NULL)),
		  "%s", msgs);
	cr_assert(not(eq(ptr, strstr(msgs, "t.yaml:5:12: duplicate VM name 'a' "
					   "(first used at 2:12;"),
			 NULL)),
		  "%s", msgs);
	free(msgs);
}

Test(dc_config, find_vm_gives_the_index_in_vms)
{
	cfg_doc *doc = parse("vms:\n  - {name: x}\n  - {name: y}\n  - {name: z}\n");
	char *msgs;
	dc_config *c = load(doc, &msgs);
	cr_assert(not(eq(ptr, c, NULL)), "%s", msgs);
	cr_assert(eq(long, dc_config_find_vm(c, "x"), 0));
	cr_assert(eq(long, dc_config_find_vm(c, "z"), 2));
	cr_assert(eq(long, dc_config_find_vm(c, "w"), -1));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
}

/* ---- placement ---------------------------------------------------------- */

/* The plain scan the tree replaced: the first host with room (first-fit)
 * or the first of those with the most free memory (worst-fit). */
static long scan_host(const uint64_t *free_bytes, size_t n, uint64_t need,
		      bool first_fit)
{
	long best = -1;
	for (size_t i = 0; i < n; i++) {
		if (free_bytes[i] < need)
			continue;
		if (first_fit)
			return (long)i;
		if (best < 0 || free_bytes[i] > free_bytes[best])
			best = (long)i;
	}
	return best;
}

/* Random VM sizes (some pinned) on 1 to 37 hosts of 16 GiB, under both
 * policies: every VM lands where the scan puts it, and a VM that fits
 * nowhere is refused exactly when the scan finds no host. */
Test(dc_world, tree_placement_matches_the_plain_scan)
{
	uint64_t seed = 12345;
	for (int round = 0; round < 60; round++) {
		bool first_fit = round % 2 == 0;
		size_t hosts = 1 + next_rand(&seed) % 37;
		size_t nvms = next_rand(&seed) % (4 * hosts + 3);
		size_t cap = 4096 + nvms * 96;
		char *text = malloc(cap);
		size_t len = (size_t)snprintf(
			text, cap,
			"datacenter: {racks: 1, hosts_per_rack: %zu, placement: "
			"%s, host: {memory: 16GiB}}\nvms:%s\n",
			hosts, first_fit ? "first-fit" : "worst-fit",
			nvms ? "" : " []");
		uint64_t *mem = calloc(nvms + 1, sizeof *mem);
		long *pin = calloc(nvms + 1, sizeof *pin);
		for (size_t v = 0; v < nvms; v++) {
			mem[v] = (1 + next_rand(&seed) % 24) * (UINT64_C(1) << 29);
			/* A few VMs pinned, small enough to fit on any host
			 * once (one per host at most). */
			pin[v] = -1;
			if (v < hosts && next_rand(&seed) % 4 == 0) {
				pin[v] = (long)v;
				mem[v] = UINT64_C(1) << 30;
			}
			if (pin[v] >= 0)
				len += (size_t)snprintf(text + len, cap - len,
							"  - {name: v%zu, memory: %llu, "
							"host: rack0/host%ld}\n",
							v, (unsigned long long)mem[v],
							pin[v]);
			else
				len += (size_t)snprintf(text + len, cap - len,
							"  - {name: v%zu, memory: %llu}\n",
							v, (unsigned long long)mem[v]);
		}
		/* The expected placement by the scan. */
		uint64_t *free_bytes = calloc(hosts, sizeof *free_bytes);
		for (size_t h = 0; h < hosts; h++)
			free_bytes[h] = UINT64_C(16) << 30;
		long *want = calloc(nvms + 1, sizeof *want);
		for (size_t v = 0; v < nvms; v++)
			if (pin[v] >= 0) {
				want[v] = pin[v];
				free_bytes[pin[v]] -= mem[v];
			}
		bool all_fit = true;
		for (size_t v = 0; v < nvms; v++) {
			if (pin[v] >= 0)
				continue;
			want[v] = scan_host(free_bytes, hosts, mem[v], first_fit);
			if (want[v] < 0)
				all_fit = false;
			else
				free_bytes[want[v]] -= mem[v];
		}
		cfg_doc *doc = parse(text);
		sim_diag d;
		sim_diag_init(&d);
		dc_config *c = NULL;
		int rc = dc_config_load(doc, &c, &d);
		cr_assert(eq(int, rc == 0, all_fit), "round %d: %s", round,
			  d.text ? d.text : "");
		if (rc == 0) {
			dc_world *w = NULL;
			cr_assert(eq(int, dc_world_build(c, &w, &d), 0));
			for (size_t v = 0; v < nvms; v++)
				cr_assert(eq(long, (long)w->vms[v].host, want[v]),
					  "round %d, VM %zu", round, v);
			dc_world_destroy(w);
		}
		sim_diag_fini(&d);
		dc_config_destroy(c);
		cfg_doc_destroy(doc);
		free(want);
		free(free_bytes);
		free(pin);
		free(mem);
		free(text);
	}
}

Test(dc_migrations, the_destination_host_is_resolved_at_load)
{
	cfg_doc *doc = parse("datacenter: {racks: 2, hosts_per_rack: 3}\n"
			     "vms:\n  - {name: a, host: rack0/host0}\n"
			     "  - {name: b, host: rack0/host1}\n"
			     "migrations:\n"
			     "  - {vm: b, to: rack1/host2, at: 2s}\n"
			     "  - {vm: a, to: rack0/host2, at: 1s}\n");
	char *msgs;
	dc_config *c = load(doc, &msgs);
	cr_assert(not(eq(ptr, c, NULL)), "%s", msgs);
	cr_assert(eq(u32, c->migrations[0].to_host, 5));
	cr_assert(eq(sz, c->migrations[0].vm_index, 1));
	cr_assert(eq(u32, c->migrations[1].to_host, 2));
	cr_assert(eq(sz, c->migrations[1].vm_index, 0));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
}

/* ---- results: ----------------------------------------------------------- */

Test(dc_results, by_default_every_table_at_the_sample_interval)
{
	cfg_doc *doc = parse("experiment: {sample_interval: 5s}\nvms: []\n");
	char *msgs;
	dc_config *c = load(doc, &msgs);
	cr_assert(not(eq(ptr, c, NULL)), "%s", msgs);
	/* The control loop's tables only with a loop (none here). */
	for (int t = 0; t < DC_TABLE_COUNT; t++)
		cr_assert(eq(int, dc_results_has(&c->results, (dc_table)t),
			     t < DC_TABLE_HOST_INTERVALS));
	cr_assert(eq(u64, c->results.host_sample_interval_ns, SIM_S(5)));
	cr_assert(eq(u64, c->results.link_sample_interval_ns, SIM_S(5)));
	cr_assert(c->results.csv);
	cr_assert(c->results.plots);
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
}

Test(dc_results, the_section_sets_tables_periods_csv_and_plots)
{
	cfg_doc *doc = parse("results: {tables: [migrations, link_samples], "
			     "host_interval: 1min, link_interval: "
			     "250ms, csv: false, plots: false}\n");
	char *msgs;
	dc_config *c = load(doc, &msgs);
	cr_assert(not(eq(ptr, c, NULL)), "%s", msgs);
	cr_assert(eq(u32, c->results.tables,
		     (1u << DC_TABLE_MIGRATIONS) | (1u << DC_TABLE_LINK_SAMPLES)));
	cr_assert(eq(u64, c->results.host_sample_interval_ns, SIM_S(60)));
	cr_assert(eq(u64, c->results.link_sample_interval_ns, SIM_MS(250)));
	cr_assert(not(c->results.csv));
	cr_assert(not(c->results.plots));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
}

Test(dc_results, an_unknown_table_is_refused_at_its_item_with_a_suggestion)
{
	char *msgs = errors_of("results:\n  tables: [migrations, migration_round]\n");
	cr_assert(eq(str, msgs,
		     "t.yaml:2:24: results.tables: unknown table "
		     "'migration_round' (did you mean 'migration_rounds'?)\n"));
	free(msgs);
	msgs = errors_of("results: {tables: [zzzzzzzzzzzz]}\n");
	cr_assert(eq(str, msgs,
		     "t.yaml:1:20: results.tables: unknown table 'zzzzzzzzzzzz' "
		     "(expected hosts, vms, links, host_samples, link_samples, "
		     "migrations, migration_rounds, traffic, host_intervals, "
		     "vm_intervals, actions, energy or policy_metrics)\n"));
	free(msgs);
}

Test(dc_results, a_table_listed_twice_or_a_bad_list_is_refused)
{
	char *msgs = errors_of("results: {tables: [vms, hosts, vms]}\n");
	cr_assert(eq(str, msgs,
		     "t.yaml:1:32: results.tables: 'vms' is listed twice "
		     "(first at 1:20; expected each table once)\n"));
	free(msgs);
	msgs = errors_of("results: {tables: vms}\n");
	cr_assert(eq(str, msgs,
		     "t.yaml:1:19: results.tables: expected a list of table "
		     "names such as [migrations, migration_rounds], got a "
		     "scalar\n"));
	free(msgs);
	msgs = errors_of("results: {tables: [[vms]]}\n");
	cr_assert(not(eq(ptr, strstr(msgs, "expected a table name, got a "
					   "sequence"),
			 NULL)),
		  "%s", msgs);
	free(msgs);
}

Test(dc_results, unknown_keys_and_too_short_periods_are_refused)
{
	char *msgs = errors_of("results: {plot: false}\n");
	cr_assert(not(eq(ptr, strstr(msgs, "t.yaml:1:11: unknown key 'plot' in "
					   "results (did you mean 'plots'?)"),
			 NULL)),
		  "%s", msgs);
	free(msgs);
	msgs = errors_of("results: {link_interval: 10ns}\n");
	cr_assert(eq(str, msgs,
		     "t.yaml:1:26: results.link_interval: 10 ns is too "
		     "short (expected 0s for experiment.sample_interval, or at "
		     "least 1us)\n"));
	free(msgs);
}

/* ---- runs --------------------------------------------------------------- */

static int64_t int_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK),
		  "%s: %s", sql, sqlite3_errmsg(db));
	cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW));
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static bool has_table(sqlite3 *db, const char *name)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM sqlite_master WHERE "
				    "type = 'table' AND name = %Q",
				    name);
	bool yes = int_of(db, sql) == 1;
	sqlite3_free(sql);
	return yes;
}

static char dir[64];

static void make_dir(void)
{
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dcscale-XXXXXX");
}

static void remove_dir(void)
{
	tmpdir_remove_tree(dir);
}

/* Runs text into dir/run.sqlite, open in *db. */
static void run_text(const char *text, sqlite3 **db, dc_run_stats *st)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = parse(text);
	dc_config *c = NULL;
	cr_assert(eq(int, dc_config_load(doc, &c, &d), 0), "%s", d.text);
	char *path = tmpdir_path(dir, "run.sqlite");
	unlink(path);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0), "%s", d.text);
	sim_results_set_run(r, 1);
	cr_assert(eq(int, dc_experiment_run(c, 1, r, NULL, st, &d), 0), "%s",
		  d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0), "%s", d.text);
	cr_assert(eq(int, sqlite3_open(path, db), SQLITE_OK));
	free(path);
	sim_diag_fini(&d);
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
}

/* Two hosts of one rack and a 512 MiB stop-and-copy at 1 Gbit/s from 1 s:
 * only the source's uplink and the destination's downlink carry it. */
#define ONE_MIGRATION                                                       \
	"experiment: {duration: 20s, sample_interval: 2s}\n"                \
	"datacenter: {racks: 2, hosts_per_rack: 2, host: {nic: 1Gbit/s}}\n" \
	"vms:\n  - {name: a, host: rack0/host0, memory: 512MiB}\n"           \
	"migrations:\n  - {vm: a, to: rack0/host1, at: 1s, "                  \
	"scheme: stop-and-copy, max_rate: 1Gbit/s}\n"

Test(dc_results, link_samples_leave_out_idle_links_and_add_up_to_links,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db;
	dc_run_stats st;
	run_text(ONE_MIGRATION, &db, &st);
	/* 12 directed links; two carried the migration. */
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM links"), 12));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM links WHERE bits > 0"), 2));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM link_samples WHERE "
				     "bits = 0"), 0));
	cr_assert(eq(i64, int_of(db, "SELECT count(DISTINCT link) FROM "
				     "link_samples"), 2));
	/* 512 MiB at 1 Gbit/s: 4.29 s from 1 s, so the intervals ending at
	 * 2, 4 and 6 s carry it on each of the two links. */
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM link_samples"), 6));
	/* Every bit a link carried over the run is in its samples. */
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM links l WHERE bits != "
				     "(SELECT coalesce(sum(bits), 0) FROM "
				     "link_samples s WHERE s.link = l.link)"),
		     0));
	/* Host samples at 0, 2, ..., 20 s, with the link samples in the
	 * same events. */
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM host_samples"), 44));
	sqlite3_close(db);
}

Test(dc_results, a_run_writes_only_the_tables_selected,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db;
	dc_run_stats st;
	run_text(ONE_MIGRATION "results: {tables: [migrations, hosts]}\n", &db,
		 &st);
	cr_assert(has_table(db, "migrations"));
	cr_assert(has_table(db, "hosts"));
	for (int t = 0; t < DC_TABLE_COUNT; t++) {
		if (t == DC_TABLE_MIGRATIONS || t == DC_TABLE_HOSTS)
			continue;
		cr_assert(not(has_table(db, dc_table_names[t])), "%s",
			  dc_table_names[t]);
	}
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM migrations"), 1));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM hosts"), 4));
	/* The VM still moved: its destination hosts it at the end. */
	cr_assert(eq(i64, int_of(db, "SELECT vms FROM hosts WHERE host = "
				     "'rack0/host1'"),
		     1));
	sqlite3_close(db);
}

Test(dc_results, every_table_name_is_the_declared_table,
     .init = make_dir, .fini = remove_dir)
{
	/* Tables are selected by dc_table_names; each must be the table of
	 * that name, which a run selecting it alone creates. */
	for (int t = 0; t < DC_TABLE_COUNT; t++) {
		char text[512];
		snprintf(text, sizeof text, ONE_MIGRATION "results: {tables: [%s]}\n%s",
			 dc_table_names[t],
			 t >= DC_TABLE_HOST_INTERVALS ? "policy: {name: sandpiper}\n"
						      : "");
		sqlite3 *db;
		dc_run_stats st;
		run_text(text, &db, &st);
		cr_assert(has_table(db, dc_table_names[t]), "%s",
			  dc_table_names[t]);
		cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM sqlite_master "
					     "WHERE type = 'table' AND name NOT IN "
					     "('meta', 'columns')"),
			     1),
			  "%s", dc_table_names[t]);
		sqlite3_close(db);
	}
}

Test(dc_results, host_and_link_samples_keep_their_own_periods,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db;
	dc_run_stats st;
	run_text(ONE_MIGRATION "results: {host_interval: 5s, "
			       "link_interval: 1s}\n",
		 &db, &st);
	/* Host samples at 0, 5, 10, 15, 20 s on 4 hosts. */
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM host_samples"), 20));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM host_samples WHERE "
				     "time_ns % 5000000000 != 0"),
		     0));
	/* The migration runs from 1 s to ~5.29 s: link intervals ending at
	 * 2, 3, 4, 5 and 6 s on two links, each a second long. */
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM link_samples"), 10));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM link_samples WHERE "
				     "interval_ns != 1000000000 OR time_ns % "
				     "1000000000 != 0"),
		     0));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM links l WHERE bits != "
				     "(SELECT coalesce(sum(bits), 0) FROM "
				     "link_samples s WHERE s.link = l.link)"),
		     0));
	sqlite3_close(db);
}

Test(dc_results, a_run_without_samples_has_fewer_events,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db;
	dc_run_stats all, none;
	run_text(ONE_MIGRATION, &db, &all);
	sqlite3_close(db);
	run_text(ONE_MIGRATION "results: {tables: [migrations]}\n", &db, &none);
	/* The 11 sample events (0, 2, ..., 20 s) are gone; the migration's
	 * own events are the same. */
	cr_assert(eq(u64, all.events - none.events, 11));
	cr_assert(eq(u64, all.end_ns, none.end_ns));
	sqlite3_close(db);
}

Test(dc_results, changed_host_rows_are_the_every_rows_that_differ,
     .init = make_dir, .fini = remove_dir)
{
	/* Two migrations over a 2 x 2 datacenter: the rows of `changed` are
	 * exactly those of `every` whose values differ from the same host's
	 * previous row, and every host's first. */
	const char *text =
		"experiment: {duration: 30s, sample_interval: 1s}\n"
		"datacenter: {racks: 2, hosts_per_rack: 2, host: {nic: 1Gbit/s}}\n"
		"vms:\n  - {name: a, host: rack0/host0, memory: 512MiB}\n"
		"  - {name: b, host: rack1/host0, memory: 1GiB, vcpus: 2}\n"
		"migrations:\n  - {vm: a, to: rack0/host1, at: 1s}\n"
		"  - {vm: b, to: rack0/host1, at: 12s}\n";
	sqlite3 *db;
	dc_run_stats st;
	run_text(text, &db, &st);
	sqlite3_close(db);
	char *every = tmpdir_path(dir, "every.sqlite");
	char *run = tmpdir_path(dir, "run.sqlite");
	cr_assert(eq(int, rename(run, every), 0));
	char *full = sim_xasprintf("%s%s", text,
				   "results: {host_sample_rows: changed}\n");
	run_text(full, &db, &st);
	char *attach = sqlite3_mprintf("ATTACH %Q AS e", every);
	cr_assert(eq(int, sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK));
	sqlite3_free(attach);
	static const char diff_rows[] =
		"WITH w AS (SELECT time_ns, host, vms, vcpus_committed AS c, "
		"memory_committed_bytes AS m, lag(vms) OVER h AS pv, "
		"lag(vcpus_committed) OVER h AS pc, "
		"lag(memory_committed_bytes) OVER h AS pm FROM e.host_samples "
		"WINDOW h AS (PARTITION BY host ORDER BY time_ns)), "
		"want AS (SELECT time_ns, host, vms, c, m FROM w WHERE pv IS NULL "
		"OR pv != vms OR pc != c OR pm != m), "
		"got AS (SELECT time_ns, host, vms, vcpus_committed, "
		"memory_committed_bytes FROM main.host_samples) "
		"SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * "
		"FROM got)) + (SELECT count(*) FROM (SELECT * FROM got EXCEPT "
		"SELECT * FROM want))";
	cr_assert(eq(i64, int_of(db, diff_rows), 0));
	/* 4 hosts at 0 s, then each migration changes its destination at
	 * its start (reserved) and its source at its end: 4 more rows. */
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM host_samples"), 8));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM e.host_samples"), 124));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM columns WHERE "
				     "tbl = 'host_samples' AND col = '' AND doc LIKE "
				     "'%only where it changed%'"),
		     1));
	sqlite3_close(db);
	free(full);
	free(run);
	free(every);
}
