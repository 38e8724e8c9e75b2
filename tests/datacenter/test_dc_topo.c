/* SPDX-License-Identifier: MIT */
/*
 * datacenter/topology.c: host kinds, racks given one by one, explicit
 * topologies. Closed forms: a stop-and-copy of B bytes without state or
 * start-up cost, alone on its route, takes 8·B / (the route's least
 * capacity) plus the route's latency (models/network's fluid model,
 * net.h); a fabric written out as an explicit topology, node for node and
 * link for link, gives the generated fabric's results row for row.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/tmpdir.h"
#include "dc.h"

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

/* The messages of loading text (empty if it loads). */
static char *errors_of(const char *text)
{
	cfg_doc *doc = parse(text);
	sim_diag d;
	sim_diag_init(&d);
	dc_config *c = NULL;
	dc_config_load(doc, &c, &d);
	char *msgs = strdup(d.text ? d.text : "");
	cr_assert(eq(int, c == NULL, msgs[0] != '\0'));
	dc_config_destroy(c);
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
	return msgs;
}

static void expect_error(const char *text, const char *msg)
{
	char *m = errors_of(text);
	cr_assert(eq(str, m, (char *)msg));
	free(m);
}

/* Runs text into dir/NAME.sqlite and opens it. */
static sqlite3 *run_into(const char *text, const char *dir, const char *name)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = parse(text);
	dc_config *c = NULL;
	cr_assert(eq(int, dc_config_load(doc, &c, &d), 0), "%s", d.text);
	char file[64];
	snprintf(file, sizeof file, "%s.sqlite", name);
	char *path = tmpdir_path(dir, file);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0), "%s", d.text);
	sim_results_set_run(r, 1);
	dc_run_stats st;
	cr_assert(eq(int, dc_experiment_run(c, 1, r, NULL, &st, &d), 0), "%s",
		  d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0), "%s", d.text);
	sqlite3 *db;
	cr_assert(eq(int, sqlite3_open(path, &db), SQLITE_OK));
	free(path);
	sim_diag_fini(&d);
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	return db;
}

static int64_t int_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK),
		  "%s: %s", sql, sqlite3_errmsg(db));
	cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW), "%s", sql);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static char *text_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK),
		  "%s: %s", sql, sqlite3_errmsg(db));
	cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW), "%s", sql);
	const unsigned char *t = sqlite3_column_text(st, 0);
	char *s = strdup(t ? (const char *)t : "");
	sqlite3_finalize(st);
	return s;
}

/* Every table of db (but the meta tables), its schema and rows in rowid
 * order, as text. */
static char *dump(sqlite3 *db)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	sqlite3_stmt *tables;
	cr_assert(eq(int, sqlite3_prepare_v2(db,
			"SELECT name, sql FROM sqlite_master WHERE type = 'table' "
			"ORDER BY name", -1, &tables, NULL), SQLITE_OK));
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		fprintf(f, "%s\n", (const char *)sqlite3_column_text(tables, 1));
		char sql[256];
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY rowid",
			 name);
		sqlite3_stmt *rows;
		cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &rows, NULL),
			     SQLITE_OK));
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(rows); i++) {
				const unsigned char *t = sqlite3_column_text(rows, i);
				fprintf(f, "%s|", t ? (const char *)t : "NULL");
			}
			fputc('\n', f);
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	fclose(f);
	return out;
}

/* ---- host kinds and racks as a list ------------------------------------- */

static const char kinds_cfg[] =
	"experiment: {duration: 30s, sample_interval: 5s}\n"
	"datacenter:\n"
	"  host: {cpus: 4, memory: 8GiB, nic: 1Gbit/s}\n"
	"  host_kinds:\n"
	"    large: {cpus: 32, memory: 256GiB, nic: 10Gbit/s, power_idle: 120,\n"
	"            power_peak: 300}\n"
	"    small: {memory: 32GiB}\n"
	"  racks:\n"
	"    - {hosts: 2, kind: large}\n"
	"    - {hosts: 3, kind: small}\n"
	"    - {hosts: 1}\n"
	"vms:\n"
	"  - {name: db, host: rack0/host1, memory: 1GiB}\n"
	"migrations:\n"
	"  - {vm: db, to: rack2/host0, at: 1s, scheme: stop-and-copy,\n"
	"     max_rate: 10Gbit/s, state_size: 0B, activation_cost: 0ns}\n";

Test(dc_kinds, each_rack_has_its_count_and_its_kinds_capacities)
{
	cfg_doc *doc = parse(kinds_cfg);
	sim_diag d;
	sim_diag_init(&d);
	dc_config *c = NULL;
	cr_assert(eq(int, dc_config_load(doc, &c, &d), 0), "%s", d.text);
	dc_world *w = NULL;
	cr_assert(eq(int, dc_world_build(c, &w, &d), 0), "%s", d.text);
	cr_assert(eq(sz, w->nhosts, 6));
	cr_assert(eq(u64, c->datacenter.nhosts, 6));
	static const char *const names[] = {"rack0/host0", "rack0/host1",
					    "rack1/host0", "rack1/host1",
					    "rack1/host2", "rack2/host0"};
	static const char *const kinds[] = {"large", "large", "small",
					    "small", "small", "default"};
	for (size_t i = 0; i < 6; i++) {
		cr_assert(eq(str, w->hosts[i].name, (char *)names[i]));
		cr_assert(eq(str, (char *)w->hosts[i].kind, (char *)kinds[i]));
		cr_assert(eq(long, dc_world_find_host(w, names[i]), (long)i));
	}
	cr_assert(eq(u32, w->hosts[4].rack, 1));
	/* large: every key its own. */
	cr_assert(eq(u64, w->hosts[1].cpus, 32));
	cr_assert(eq(u64, w->hosts[1].memory_bytes, UINT64_C(256) << 30));
	cr_assert(eq(u64, w->hosts[1].nic_bps, UINT64_C(10000000000)));
	cr_assert(eq(dbl, w->hosts[1].power_peak_w, 300.0));
	/* small: memory its own, the rest datacenter.host's. */
	cr_assert(eq(u64, w->hosts[2].memory_bytes, UINT64_C(32) << 30));
	cr_assert(eq(u64, w->hosts[2].cpus, 4));
	cr_assert(eq(u64, w->hosts[2].nic_bps, UINT64_C(1000000000)));
	cr_assert(eq(dbl, w->hosts[2].power_idle_w, 93.7));
	/* no kind: datacenter.host. */
	cr_assert(eq(u64, w->hosts[5].memory_bytes, UINT64_C(8) << 30));
	cr_assert(eq(long, dc_world_find_host(w, "rack0/host2"), -1));
	cr_assert(eq(long, dc_world_find_host(w, "rack2/host1"), -1));
	/* Host links carry each rack's NIC. */
	cr_assert(eq(u64, net_topo_link(w->topo, 0)->capacity_bps,
		     UINT64_C(10000000000)));
	cr_assert(eq(u64, net_topo_link(w->topo, 4)->capacity_bps,
		     UINT64_C(1000000000)));
	dc_world_destroy(w);
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

Test(dc_kinds, the_hosts_table_has_a_kind_column_only_when_kinds_are_given)
{
	char dir[64];
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dc-kinds-XXXXXX");
	sqlite3 *db = run_into(kinds_cfg, dir, "kinds");
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM "
				     "pragma_table_info('hosts') WHERE name = 'kind'"),
		     1));
	char *k = text_of(db, "SELECT group_concat(kind, ',') FROM "
			      "(SELECT kind FROM hosts ORDER BY host_index)");
	cr_assert(eq(str, k, "large,large,small,small,small,default"));
	free(k);
	sqlite3_close(db);
	db = run_into("datacenter: {racks: [{hosts: 1}, {hosts: 2}]}\n", dir,
		      "plain");
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM "
				     "pragma_table_info('hosts') WHERE name = 'kind'"),
		     0));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM hosts"), 3));
	sqlite3_close(db);
	tmpdir_remove(dir);
}

Test(dc_kinds, a_migration_to_a_slower_nic_takes_size_over_that_nic_plus_latency)
{
	/* 1 GiB from a 10 Gbit/s host to a 1 Gbit/s one in another rack:
	 * 8·2^30 bits at 1 Gbit/s = 8.589934592 s, plus rack_latency (2 us,
	 * the default) and fabric.latency (5 us, the default). */
	char dir[64];
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dc-kinds-XXXXXX");
	sqlite3 *db = run_into(kinds_cfg, dir, "kinds");
	cr_assert(eq(i64, int_of(db, "SELECT total_ns FROM migrations"),
		     INT64_C(8589934592) + 7000));
	cr_assert(eq(i64, int_of(db, "SELECT vms FROM hosts WHERE host = "
				     "'rack2/host0'"), 1));
	sqlite3_close(db);
	tmpdir_remove(dir);
}

/* An experiment's body after datacenter: racks (migrations within and
 * between racks, pre-copy, and traffic), for comparing ways of writing
 * the same datacenter. */
static const char alike_body[] =
	"  host: {memory: 8GiB, nic: 1Gbit/s}\n"
	"experiment: {duration: 20s, sample_interval: 2s}\n"
	"vms:\n"
	"  - {name: a, host: rack0/host0, memory: 1GiB}\n"
	"  - {name: b, host: rack1/host1, memory: 512MiB,\n"
	"     dirtying: {hot_set: 8MiB, hot_rate: 20000, cold_rate: 500},\n"
	"     traffic: [{to: c, rate: 300Mbit/s}]}\n"
	"  - {name: c, memory: 2GiB}\n"
	"migrations:\n"
	"  - {vm: a, to: rack1/host0, at: 1s, scheme: stop-and-copy}\n"
	"  - {vm: b, to: rack0/host1, at: 2s, scheme: precopy, max_rate: 400Mbit/s}\n";

Test(dc_kinds, a_list_of_alike_racks_gives_the_numbers_results)
{
	char dir[64];
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dc-kinds-XXXXXX");
	char *a = NULL, *b = NULL;
	char *text = NULL;
	text = sim_xasprintf("datacenter:\n  racks: 2\n  hosts_per_rack: 2\n%s",
			   alike_body);
	sqlite3 *db = run_into(text, dir, "number");
	a = dump(db);
	sqlite3_close(db);
	free(text);
	text = sim_xasprintf("datacenter:\n  racks: [{hosts: 2}, {hosts: 2}]\n%s",
			   alike_body);
	db = run_into(text, dir, "list");
	b = dump(db);
	sqlite3_close(db);
	free(text);
	cr_assert(strstr(a, "rack1/host0|") != NULL);
	cr_assert(eq(str, a, b));
	free(a);
	free(b);
	tmpdir_remove(dir);
}

Test(dc_kinds, errors_are_positioned)
{
	expect_error("datacenter:\n  host_kinds: {big: {memory: 1TiB}}\n"
		     "  racks: [{hosts: 1, kind: bg}]\n",
		     "t.yaml:3:28: datacenter.racks[].kind: unknown host kind "
		     "'bg' (did you mean 'big'?)\n");
	expect_error("datacenter:\n  racks: [{hosts: 1, kind: big}]\n",
		     "t.yaml:2:28: datacenter.racks[].kind: unknown host kind "
		     "'big' (expected a key of datacenter.host_kinds, which is "
		     "not given)\n");
	expect_error("datacenter:\n  racks: [{hosts: 10001}]\n",
		     "t.yaml:2:19: datacenter.racks[].hosts: 10001 is out of "
		     "range (expected 1 to 10000)\n");
	expect_error("datacenter:\n  racks: [{kind: x}]\n",
		     "t.yaml:2:11: missing required key 'hosts' in "
		     "datacenter.racks[] (expected hosts: a non-negative "
		     "integer)\n");
	expect_error("datacenter:\n  racks: []\n",
		     "t.yaml:2:10: datacenter.racks: 0 entries (expected 1 to "
		     "100000 racks, each {hosts: N, kind: NAME})\n");
	expect_error("datacenter:\n  host_kinds: {default: {cpus: 2}}\n",
		     "t.yaml:2:16: datacenter.host_kinds: the name 'default' is "
		     "reserved for the hosts of datacenter.host (expected "
		     "another name)\n");
	expect_error("datacenter:\n  host_kinds: {big: {cpu: 2}}\n",
		     "t.yaml:2:22: unknown key 'cpu' in datacenter.host_kinds.NAME "
		     "(did you mean 'cpus'?)\n");
	expect_error("datacenter:\n  host_kinds: {big: {power_idle: 500}}\n",
		     "t.yaml:2:34: datacenter.host_kinds.big.power_idle: 500 W is "
		     "more than power_peak 135 W (expected idle <= peak)\n");
	expect_error("datacenter:\n  host_kinds: {big: {power_model: ml110-g4, "
		     "power_idle: 50}}\n",
		     "t.yaml:2:57: datacenter.host_kinds.big.power_idle: applies "
		     "to power_model linear only (this host's is ml110-g4, whose "
		     "table gives the watts)\n");
	expect_error("datacenter:\n  racks: [{hosts: 1}, {hosts: 2}]\n"
		     "vms:\n  - {name: a, host: rack0/host1}\n",
		     "t.yaml:4:21: vms[].host: no host 'rack0/host1' (expected "
		     "rackR/hostH with R < 2 and H below the hosts: of rack R in "
		     "datacenter.racks)\n");
}

/* ---- explicit topologies -------------------------------------------------- */

static const char spine_cfg[] =
	"experiment: {duration: 10s, sample_interval: 1s}\n"
	"datacenter:\n"
	"  racks: 1\n"
	"  hosts_per_rack: 2\n"
	"  host: {memory: 16GiB, nic: 10Gbit/s}\n"
	"  topology:\n"
	"    nodes: [leaf0, leaf1, spine0, spine1]\n"
	"    links:\n"
	"      - {a: rack0/host0, b: leaf0, capacity: 10Gbit/s, latency: 50us}\n"
	"      - {a: rack0/host1, b: leaf1, capacity: 10Gbit/s, latency: 50us}\n"
	"      - {a: leaf0, b: spine0, capacity: 10Gbit/s, latency: 25us}\n"
	"      - {a: spine0, b: leaf1, capacity: 2Gbit/s, latency: 25us}\n"
	"      - {a: leaf0, b: spine1, capacity: 40Gbit/s, latency: 25us}\n"
	"      - {a: spine1, b: leaf1, capacity: 40Gbit/s, latency: 25us}\n"
	"vms:\n"
	"  - {name: a, host: rack0/host0, memory: 1GiB}\n"
	"migrations:\n"
	"  - {vm: a, to: rack0/host1, at: 1s, scheme: stop-and-copy,\n"
	"     max_rate: 10Gbit/s, state_size: 0B, activation_cost: 0ns}\n";

Test(dc_topology, a_migration_takes_size_over_the_bottleneck_plus_the_routes_latency)
{
	/* Both routes have four hops; the one through spine0 uses the lower
	 * links (2, 3 before 4, 5), so its 2 Gbit/s link bounds the copy:
	 * 8·2^30 / 2e9 s = 4.294967296 s, plus 50 + 25 + 25 + 50 us. */
	char dir[64];
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dc-topo-XXXXXX");
	sqlite3 *db = run_into(spine_cfg, dir, "spine");
	cr_assert(eq(i64, int_of(db, "SELECT total_ns FROM migrations"),
		     INT64_C(4294967296) + 150000));
	cr_assert(eq(i64, int_of(db, "SELECT count(*) FROM links"), 12));
	char *used = text_of(db, "SELECT group_concat(link, ',') FROM (SELECT "
				 "link FROM links WHERE bits > 0 ORDER BY link)");
	cr_assert(eq(str, used, "0,3,4,6"));
	free(used);
	cr_assert(eq(i64, int_of(db, "SELECT bits FROM links WHERE source = "
				     "'spine0' AND destination = 'leaf1'"),
		     INT64_C(8) << 30));
	sqlite3_close(db);
	tmpdir_remove(dir);
}

/* Two racks of two hosts, generated and written out: hosts, then the
 * ToRs and the core, links host by host then the uplinks, each latency
 * half the configured one (2 us in a rack, 5 us more between racks). */
static const char explicit_fabric[] =
	"  topology:\n"
	"    nodes: [rack0/tor, rack1/tor, core]\n"
	"    links:\n"
	"      - {a: rack0/host0, b: rack0/tor, capacity: 1Gbit/s, latency: 1us}\n"
	"      - {a: rack0/host1, b: rack0/tor, capacity: 1Gbit/s, latency: 1us}\n"
	"      - {a: rack1/host0, b: rack1/tor, capacity: 1Gbit/s, latency: 1us}\n"
	"      - {a: rack1/host1, b: rack1/tor, capacity: 1Gbit/s, latency: 1us}\n"
	"      - {a: rack0/tor, b: core, capacity: 40Gbit/s, latency: 2500ns}\n"
	"      - {a: rack1/tor, b: core, capacity: 40Gbit/s, latency: 2500ns}\n";

Test(dc_topology, a_generated_fabric_written_out_gives_the_same_results)
{
	char dir[64];
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dc-topo-XXXXXX");
	char *text = NULL;
	text = sim_xasprintf("datacenter:\n  racks: 2\n  hosts_per_rack: 2\n%s",
			   alike_body);
	sqlite3 *db = run_into(text, dir, "generated");
	char *a = dump(db);
	sqlite3_close(db);
	free(text);
	text = sim_xasprintf("datacenter:\n  racks: 2\n  hosts_per_rack: 2\n"
				  "%s%s",
			   explicit_fabric, alike_body);
	db = run_into(text, dir, "explicit");
	char *b = dump(db);
	sqlite3_close(db);
	free(text);
	cr_assert(strstr(a, "rack1/tor|core|") != NULL);
	cr_assert(eq(str, a, b));
	free(a);
	free(b);
	tmpdir_remove(dir);
}

Test(dc_topology, racks_of_unequal_sizes_build_the_generated_fabric_node_by_node)
{
	/* Not alike, so built by datacenter/ rather than net_topo_create_dc:
	 * the same naming, numbering and latency split. */
	cfg_doc *doc = parse("datacenter:\n  racks: [{hosts: 1}, {hosts: 3}]\n"
			     "  network: {datacenters: 2, rack_latency: 3us}\n");
	sim_diag d;
	sim_diag_init(&d);
	dc_config *c = NULL;
	cr_assert(eq(int, dc_config_load(doc, &c, &d), 0), "%s", d.text);
	net_topo *t = NULL;
	cr_assert(eq(int, dc_topology_build(c, &t, &d), 0));
	/* 8 hosts, 4 ToRs, 2 cores; 8 + 4 + 1 full-duplex links. */
	cr_assert(eq(sz, net_topo_node_count(t), 14));
	cr_assert(eq(sz, net_topo_link_count(t), 26));
	cr_assert(eq(str, (char *)net_topo_node_name(t, 5), "dc1/rack1/host0"));
	cr_assert(eq(str, (char *)net_topo_node_name(t, 11), "dc1/rack1/tor"));
	cr_assert(eq(str, (char *)net_topo_node_name(t, 13), "dc1/core"));
	/* dc0/rack1/host2 to dc1/rack0/host0: rack + fabric + WAN latency. */
	uint64_t lat = 0;
	cr_assert(eq(int, net_topo_path_latency(t, 3, 4, &lat), 0));
	cr_assert(eq(u64, lat, 3000 + 5000 + 10000000));
	cr_assert(eq(int, net_topo_path_latency(t, 1, 2, &lat), 0));
	cr_assert(eq(u64, lat, 3000));
	net_topo_destroy(t);
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

Test(dc_topology, errors_are_positioned)
{
	static const char head[] = "datacenter:\n  racks: 1\n  hosts_per_rack: 2\n"
				   "  topology:\n";
	char *text = NULL;
	text = sim_xasprintf("%s    nodes: [s, rack0/host1]\n    links:\n"
				  "      - {a: rack0/host0, b: s, capacity: 1Gbit/s}\n",
			   head);
	expect_error(text, "t.yaml:5:16: datacenter.topology.nodes: "
			   "'rack0/host1' is a host's name (expected a switch "
			   "name; hosts come from racks:)\n");
	free(text);
	text = sim_xasprintf("%s    nodes: [s, s]\n    links:\n"
				  "      - {a: rack0/host0, b: s, capacity: 1Gbit/s}\n",
			   head);
	expect_error(text, "t.yaml:5:16: datacenter.topology.nodes: duplicate "
			   "node 's' (first at 5:13; expected unique names)\n");
	free(text);
	text = sim_xasprintf("%s    nodes: [s]\n    links:\n"
				  "      - {a: s, b: s, capacity: 1Gbit/s}\n",
			   head);
	expect_error(text, "t.yaml:7:9: datacenter.topology.links[]: a link "
			   "from 's' to itself (expected two different nodes)\n");
	free(text);
	text = sim_xasprintf("%s    nodes: [s]\n    links:\n"
				  "      - {a: rack0/host0, b: s, capacity: 1Gbit/s}\n"
				  "      - {a: rack0/host1, b: t, capacity: 1Gbit/s}\n",
			   head);
	expect_error(text, "t.yaml:8:29: datacenter.topology.links[].b: unknown "
			   "node 't' (did you mean 's'?)\n");
	free(text);
	text = sim_xasprintf("%s    nodes: [s]\n    links:\n"
				  "      - {a: rack0/host0, b: s, capacity: 1Gbit/s}\n",
			   head);
	expect_error(text, "t.yaml:5:5: datacenter.topology: host 'rack0/host1' "
			   "has no route to 'rack0/host0' (1 host cut off; "
			   "expected links joining every host of racks:)\n");
	free(text);
	text = sim_xasprintf("%s    links: []\n", head);
	expect_error(text, "t.yaml:5:12: datacenter.topology.links: expected a "
			   "non-empty list of {a, b, capacity, latency}\n");
	free(text);
	text = sim_xasprintf("%s    nodes: [s]\n    links:\n"
				  "      - {a: rack0/host0, b: s}\n",
			   head);
	expect_error(text, "t.yaml:7:9: missing required key 'capacity' in "
			   "datacenter.topology.links[] (expected capacity: a "
			   "rate such as 1Gbit/s)\n");
	free(text);
}

static double real_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK),
		  "%s: %s", sql, sqlite3_errmsg(db));
	cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW), "%s", sql);
	double v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

Test(dc_kinds, each_host_draws_its_kinds_power)
{
	/* The linear power model per kind: a full 1-core host of kind hot
	 * (idle 50 W, peak 250 W) draws 250 W, an idle one of kind cold
	 * (idle 10 W, peak 20 W) 10 W, each for the run's 30 s. */
	char dir[64];
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dc-kinds-XXXXXX");
	sqlite3 *db = run_into(
		"experiment: {duration: 30s}\n"
		"datacenter:\n"
		"  host_kinds:\n"
		"    hot: {cpus: 1, power_idle: 50, power_peak: 250}\n"
		"    cold: {cpus: 1, power_idle: 10, power_peak: 20}\n"
		"  racks: [{hosts: 1, kind: hot}, {hosts: 1, kind: cold}]\n"
		"vms:\n"
		"  - {name: a, host: rack0/host0, vcpus: 1, demand: {kind: web,\n"
		"     amplitude: 0, noise_cv: 0, service_time: 10ms, rate: 200}}\n"
		"results: {tables: [hosts, energy]}\n",
		dir, "power");
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT energy_j FROM energy "
					       "WHERE host = 'rack0/host0'"),
			      250.0 * 30, 4));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT energy_j FROM energy "
					       "WHERE host = 'rack1/host0'"),
			      10.0 * 30, 4));
	sqlite3_close(db);
	tmpdir_remove(dir);
}
