/* SPDX-License-Identifier: MIT */
/*
 * datacenter/: resource demand sources (vms[].demand, vms[].utilisation
 * and their trace cache), the policy: section, host power models and the
 * policy_metrics table.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../sim/tmpdir.h"
#include "dc.h"
#include "dc_internal.h"

/* Loads text (NULL with messages in *msgs on error; caller frees msgs). */
static dc_config *load_text(const char *text, cfg_doc **doc, char **msgs)
{
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("t.yaml", text, strlen(text), doc, &d),
		     0), "%s", d.text);
	dc_config *c = NULL;
	dc_config_load(*doc, &c, &d);
	*msgs = strdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return c;
}

/* The repository's PlanetLab copy (1,052 trace files, a README and a MANIFEST). */
static char *planetlab_dir(void)
{
	const char *src = getenv("VDCSIM_TEST_SRCDIR");
	cr_assert(src != NULL, "VDCSIM_TEST_SRCDIR is not set");
	return sim_xasprintf("%s/../traces/data/planetlab-20110303", src);
}

Test(dc_demand, a_group_over_a_folder_reads_it_once_and_deals_files_in_order)
{
	char *dir = planetlab_dir();
	/* 2,110 members over 1,052 trace files: member k gets file k mod 1052. */
	char *text = sim_xasprintf(
			   "datacenter: {racks: 20, hosts_per_rack: 20}\n"
			   "vms:\n"
			   "  - {name: pl, count: 2110, memory: 256MiB,\n"
			   "     utilisation: {trace: %s, resample: linear}}\n"
			   "  - {name: one, memory: 256MiB,\n"
			   "     utilisation: {trace: %s}}\n",
			   dir, dir);
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text(text, &doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	cr_assert(eq(sz, dc_utils_reads(c->utils), 1));
	const dc_vm_cfg *v = c->vms;
	cr_assert(eq(int, v[0].demand_source, DC_DEMAND_TRACE));
	cr_assert(eq(int, v[0].util.resample, TRACE_UTIL_LINEAR));
	/* Sorted by name, dealt round-robin, shared not copied. */
	cr_assert(strcmp(v[0].util_trace->name, v[1].util_trace->name) < 0);
	cr_assert(eq(ptr, (void *)v[0].util_trace, (void *)v[1052].util_trace));
	cr_assert(eq(ptr, (void *)v[1].util_trace, (void *)v[1053].util_trace));
	cr_assert(not(eq(ptr, (void *)v[0].util_trace, (void *)v[1].util_trace)));
	/* A VM outside a group takes the folder's first file. */
	cr_assert(eq(ptr, (void *)v[2110].util_trace, (void *)v[0].util_trace));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
	free(text);
	free(dir);
}

Test(dc_demand, a_generator_and_the_policy_section_load_with_defaults)
{
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text(
		"policy: {name: sandpiper, interval: 5s, k: 2}\n"
		"vms:\n  - {name: a, demand: {kind: web, rate: 50}}\n"
		"  - {name: b}\n",
		&doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	cr_assert(eq(int, c->vms[0].demand_source, DC_DEMAND_GENERATOR));
	cr_assert(eq(dbl, c->vms[0].demand.rate, 50.0));
	cr_assert(eq(int, c->vms[1].demand_source, DC_DEMAND_NONE));
	cr_assert(eq(str, (char *)pol_ops_at((size_t)c->policy.policy)->name,
		     "sandpiper"));
	cr_assert(eq(u64, c->policy.interval_ns, SIM_S(5)));
	cr_assert(eq(u64, c->policy.k, 2));
	cr_assert(eq(dbl, c->datacenter.host.power_idle_w, 93.7));
	cr_assert(eq(dbl, c->datacenter.host.power_peak_w, 135.0));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
}

Test(dc_demand, the_default_policy_is_none_and_k_above_n_is_refused)
{
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text("vms: []\n", &doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	cr_assert(eq(str, (char *)pol_ops_at((size_t)c->policy.policy)->name,
		     "none"));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
	c = load_text("policy: {name: sandpiper, k: 4, n: 3}\n", &doc, &msgs);
	cr_assert(eq(ptr, c, NULL));
	cr_assert(strstr(msgs, "t.yaml:1:30: policy.k: 4 is more than n = 3") != NULL,
		  "%s", msgs);
	cfg_doc_destroy(doc);
	free(msgs);
}

/* ---- runs -------------------------------------------------------------- */

static char dir[256];

static void make_dir(void)
{
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dcctl-XXXXXX");
}

static void remove_dir(void)
{
	tmpdir_remove_tree(dir);
}

/* Runs text with seed into dir/NAME.sqlite and opens it. */
static sqlite3 *run_text(const char *text, const char *name, uint64_t seed)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	cr_assert(eq(int, cfg_doc_parse("t.yaml", text, strlen(text), &doc, &d),
		     0), "%s", d.text);
	dc_config *c = NULL;
	cr_assert(eq(int, dc_config_load(doc, &c, &d), 0), "%s", d.text);
	char *path = tmpdir_path(dir, name);
	sim_results *r;
	cr_assert(eq(int, sim_results_create(path, &r, &d), 0), "%s", d.text);
	sim_results_set_run(r, 1);
	dc_run_stats st;
	cr_assert(eq(int, dc_experiment_run(c, seed, r, NULL, &st, &d), 0),
		  "%s", d.text);
	cr_assert(eq(int, sim_results_close(r, &d), 0), "%s", d.text);
	sqlite3 *db;
	cr_assert(eq(int, sqlite3_open(path, &db), SQLITE_OK));
	free(path);
	sim_diag_fini(&d);
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	return db;
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

/* Every row of sql as text, '|' between columns, one line a row. */
static char *dump(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK),
		  "%s", sqlite3_errmsg(db));
	char *out = sim_xstrdup("");
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int k = 0; k < sqlite3_column_count(st); k++) {
			const char *t = (const char *)sqlite3_column_text(st, k);
			char *n = sim_xasprintf("%s%s%s", out, k ? "|" : "",
						t ? t : "");
			free(out);
			out = n;
		}
		char *n = sim_xasprintf("%s\n", out);
		free(out);
		out = n;
	}
	sqlite3_finalize(st);
	return out;
}

/* Two VMs wanting 2 cores each (web: 200 req/s x 10 ms = 2 x their 1
 * vcpu... capped at 1 core each by the allocation) on a 1-core host. */
Test(dc_control, an_overloaded_host_shares_in_proportion_and_unmet_is_recorded,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db = run_text(
		"experiment: {duration: 30s}\n"
		"datacenter: {racks: 1, hosts_per_rack: 2, host: {cpus: 1}}\n"
		"x-d: &d {kind: web, amplitude: 0, noise_cv: 0, "
		"service_time: 10ms}\n"
		"vms:\n"
		"  - {name: a, host: rack0/host0, vcpus: 1, demand: {<<: *d, rate: 200}}\n"
		"  - {name: b, host: rack0/host0, vcpus: 2, demand: {<<: *d, rate: 50}}\n"
		"results: {tables: [host_intervals, vm_intervals, energy]}\n",
		"share.sqlite", 1);
	/* a: 2 x 1 vcpu = 2 cores wanted, capped at 1 by its allocation; b:
	 * 0.5 x 2 = 1 core. The host's 1 core is shared 1:1. */
	cr_assert(eq(dbl, real_of(db, "SELECT count(*) FROM vm_intervals"), 6));
	cr_assert(eq(dbl, real_of(db, "SELECT max(cpu_granted) FROM vm_intervals "
				      "WHERE vm = 'a'"), 0.5));
	cr_assert(eq(dbl, real_of(db, "SELECT max(cpu_unmet) FROM vm_intervals "
				      "WHERE vm = 'a'"), 1.5));
	cr_assert(eq(dbl, real_of(db, "SELECT max(cpu_unmet) FROM vm_intervals "
				      "WHERE vm = 'b'"), 0.5));
	cr_assert(eq(dbl, real_of(db, "SELECT max(cpu) FROM host_intervals "
				      "WHERE host = 'rack0/host0'"), 1.0));
	/* The idle host draws idle power, the full one peak: 30 s each. */
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT energy_j FROM energy "
					       "WHERE host = 'rack0/host0'"),
			      135.0 * 30, 4));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT energy_j FROM energy "
					       "WHERE host = 'total'"),
			      (135.0 + 93.7) * 30, 4));
	sqlite3_close(db);
}

/* dom0's charge-back: two network VMs of 800 Mbit/s and half a core each
 * on a 1-core host whose dom0 spends 0.5 cores per Gbit/s: dom0 takes
 * 2 x 0.4 = 0.8 cores first, the guests share the 0.2 left (0.1 each of
 * the 0.5 they want), and the host is full. Without the cost each gets its
 * 0.5. */
Test(dc_control, dom0_work_for_guest_traffic_is_taken_first_and_charged,
     .init = make_dir, .fini = remove_dir)
{
	const char *fmt =
		"experiment: {duration: 30s}\n"
		"datacenter: {racks: 1, hosts_per_rack: 2, "
		"host: {cpus: 1, dom0_cpu_per_gbit: %s}}\n"
		"x-n: &n {kind: network, amplitude: 0, noise_cv: 0, "
		"burst_prob: 0%%, net_rate: 800Mbit/s, cpu: 50%%}\n"
		"vms:\n"
		"  - {name: a, host: rack0/host0, vcpus: 1, demand: *n}\n"
		"  - {name: b, host: rack0/host0, vcpus: 1, demand: *n}\n"
		"results: {tables: [host_intervals, vm_intervals, "
		"policy_metrics]}\n";
	char *with = sim_xasprintf(fmt, "0.5");
	sqlite3 *db = run_text(with, "dom0.sqlite", 1);
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT max(cpu_granted) FROM "
					       "vm_intervals WHERE vm = 'a'"),
			      0.1, 4));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT min(cpu_unmet) FROM "
					       "vm_intervals WHERE vm = 'b'"),
			      0.4, 4));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT min(cpu) FROM "
					       "host_intervals WHERE host = "
					       "'rack0/host0'"),
			      1.0, 4));
	sqlite3_close(db);
	char *without = sim_xasprintf(fmt, "0");
	db = run_text(without, "nodom0.sqlite", 1);
	cr_assert(eq(dbl, real_of(db, "SELECT max(cpu_granted) FROM "
				      "vm_intervals WHERE vm = 'a'"), 0.5));
	cr_assert(eq(dbl, real_of(db, "SELECT max(cpu_unmet) FROM "
				      "vm_intervals"), 0));
	sqlite3_close(db);
	free(with);
	free(without);
}

static char *staged_config(void)
{
	const char *src = getenv("VDCSIM_TEST_SRCDIR");
	cr_assert(src != NULL);
	char *path = sim_xasprintf("%s/../configs/sandpiper/staged-hotspot.yaml",
				   src);
	FILE *f = fopen(path, "rb");
	cr_assert(f != NULL, "%s", path);
	char *text = sim_xcalloc(1, 1 << 16);
	size_t n = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	free(path);
	text[n] = 0;
	return text;
}

Test(dc_control, the_staged_run_conserves_cpu_and_moves_vms_when_they_resume,
     .init = make_dir, .fini = remove_dir)
{
	char *text = staged_config();
	sqlite3 *db = run_text(text, "staged.sqlite", 1);
	free(text);
	/* unmet = demand - granted >= 0, granted <= allocation. */
	cr_assert(eq(dbl, real_of(db, "SELECT count(*) FROM vm_intervals WHERE "
				      "cpu_unmet < 0 OR cpu_granted > cpu_alloc "
				      "OR abs(cpu_demand - cpu_granted - "
				      "cpu_unmet) > 1e-9"), 0));
	/* Outside migrations a host's CPU use is the sum of its VMs' grants
	 * (during one the VM also loads its destination). */
	cr_assert(eq(dbl, real_of(db,
		"SELECT count(*) FROM host_intervals h WHERE NOT EXISTS ("
		" SELECT 1 FROM migrations m WHERE h.time_ns >= m.start_ns AND "
		" h.time_ns <= m.end_ns) AND abs(h.cpu_cores - (SELECT "
		" coalesce(sum(cpu_granted), 0) FROM vm_intervals v WHERE "
		" v.time_ns = h.time_ns AND v.host = h.host)) > 1e-9"), 0));
	cr_assert(real_of(db, "SELECT count(*) FROM host_intervals") > 100);
	/* Each policy migration: the VM is on its source up to its end and
	 * on its destination from the next interval on. */
	cr_assert(eq(dbl, real_of(db, "SELECT count(*) FROM migrations"), 2));
	cr_assert(eq(dbl, real_of(db,
		"SELECT count(*) FROM migrations m JOIN vm_intervals v ON "
		"v.vm = m.vm WHERE (v.time_ns < m.end_ns AND v.time_ns >= "
		"m.start_ns AND v.host <> m.source) OR (v.time_ns > m.end_ns "
		"AND v.host <> m.destination)"), 0));
	cr_assert(eq(dbl, real_of(db, "SELECT count(*) FROM migrations WHERE "
				      "reason = 'hotspot'"), 2));
	sqlite3_close(db);
}

Test(dc_control, actions_are_the_same_bytes_run_after_run,
     .init = make_dir, .fini = remove_dir)
{
	char *text = staged_config();
	/* Noise on: the demand draws from the run's seed. */
	char *noisy = sim_xasprintf("%s", text);
	char *at = strstr(noisy, "noise_cv: 0");
	cr_assert(at != NULL);
	memcpy(at, "noise_cv: 1", 11);
	sqlite3 *a = run_text(noisy, "a.sqlite", 7);
	sqlite3 *b = run_text(noisy, "b.sqlite", 7);
	char *da = dump(a, "SELECT * FROM actions ORDER BY rowid");
	char *db = dump(b, "SELECT * FROM actions ORDER BY rowid");
	cr_assert(strlen(da) > 0);
	cr_assert(eq(str, da, db));
	char *ha = dump(a, "SELECT * FROM host_intervals ORDER BY rowid");
	char *hb = dump(b, "SELECT * FROM host_intervals ORDER BY rowid");
	cr_assert(eq(str, ha, hb));
	free(da);
	free(db);
	free(ha);
	free(hb);
	sqlite3_close(a);
	sqlite3_close(b);
	free(noisy);
	free(text);
}

/* A Bitbrains VM: CPU fraction x vcpus, memory in use above a smaller
 * allocation swaps at 2 x excess x 8 / interval, network in bit/s. */
Test(dc_control, a_bitbrains_vm_has_cpu_memory_network_and_swaps_above_its_allocation,
     .init = make_dir, .fini = remove_dir)
{
	const char *src = getenv("VDCSIM_TEST_SRCDIR");
	cr_assert(src != NULL);
	char *text = sim_xasprintf(
		"experiment: {duration: 20s}\n"
		"policy: {interval: 10s}\n"
		"vms:\n  - {name: bb, vcpus: 2, memory: 1GiB, utilisation: "
		"{trace: %s/../traces/data/bitbrains-rnd-2013-7/198.csv, "
		"format: bitbrains}}\n"
		"results: {tables: [vm_intervals]}\n", src);
	sqlite3 *db = run_text(text, "bb.sqlite", 1);
	free(text);
	/* First row of 198.csv: 49.67 % of 2 cores (kept to 0.01 %),
	 * 1358952.53 KB in use, 5.87 + 17.27 KB/s of network. */
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT cpu_demand FROM vm_intervals "
					       "WHERE time_ns = 10000000000"),
			      0.4967 * 2, 4));
	double use = real_of(db, "SELECT mem_use_bytes FROM vm_intervals WHERE "
				 "time_ns = 10000000000");
	cr_assert(fabs(use - 1358952.5333 * 1024) < 1e-6 * use, "%g", use);
	double swap = real_of(db, "SELECT swap_bps FROM vm_intervals WHERE "
				  "time_ns = 10000000000");
	cr_assert(fabs(swap - 2 * (use - 1073741824.0) * 8 / 10) < 1e-6 * swap,
		  "%g", swap);
	double rx_tx = real_of(db, "SELECT net_bps FROM vm_intervals WHERE "
				 "time_ns = 10000000000");
	cr_assert(fabs(rx_tx - (5.8666667 + 17.2666667) * 1024 * 8) < 1e-3 * rx_tx,
		  "%g", rx_tx);
	sqlite3_close(db);
}

/* A bad line in a trace is reported where it is, in the trace file. */
Test(dc_demand, an_error_inside_a_trace_is_positioned_in_the_trace,
     .init = make_dir, .fini = remove_dir)
{
	char *path = tmpdir_path(dir, "vm1");
	FILE *f = fopen(path, "w");
	cr_assert(f != NULL);
	fputs("10\n2x\n", f);
	fclose(f);
	char *text = sim_xasprintf(
		"vms:\n  - {name: a, utilisation: {trace: %s}}\n", path);
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text(text, &doc, &msgs);
	cr_assert(eq(ptr, c, NULL));
	char *want = sim_xasprintf("%s:2:", path);
	cr_assert(strncmp(msgs, want, strlen(want)) == 0, "%s", msgs);
	cfg_doc_destroy(doc);
	free(msgs);
	free(want);
	free(text);
	free(path);
}

/* Through a loader (a sweep's points), the folder is read once for all. */
Test(dc_demand, configs_loaded_through_one_loader_share_the_folder)
{
	char *pl = planetlab_dir();
	char *text = sim_xasprintf("vms:\n  - {name: pl, count: 3, memory: 256MiB,"
				   " utilisation: {trace: %s}}\n", pl);
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	cr_assert(eq(int, cfg_doc_parse("t.yaml", text, strlen(text), &doc, &d),
		     0), "%s", d.text);
	dc_loader *l = dc_loader_create();
	dc_config *a = NULL, *b = NULL;
	cr_assert(eq(int, dc_config_load_with(doc, NULL, l, &a, &d), 0), "%s",
		  d.text);
	cr_assert(eq(int, dc_config_load_with(doc, NULL, l, &b, &d), 0), "%s",
		  d.text);
	cr_assert(eq(sz, dc_utils_reads(*dc_loader_utils(l)), 1));
	cr_assert(eq(ptr, (void *)a->vms[2].util_trace,
		     (void *)b->vms[2].util_trace));
	dc_config_destroy(a);
	dc_config_destroy(b);
	dc_loader_destroy(l);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	free(text);
	free(pl);
}

/* ---- host power --------------------------------------------------------- */

Test(dc_power, named_models_and_a_table_load_with_their_watts)
{
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text("datacenter: {host: {power_model: ml110-g4}}\n",
				 &doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	const dc_host_cfg *h = &c->datacenter.host;
	cr_assert(eq(int, h->power_model, DC_POWER_ML110_G4));
	/* The G4's SPECpower table [BeloglazovBuyya12]: 86 W idle, 117 W
	 * at 100 %, 102 W at 50 %. */
	cr_assert(eq(dbl, h->power_idle_w, 86));
	cr_assert(eq(dbl, h->power_peak_w, 117));
	cr_assert(eq(dbl, dc_host_power_w(h, 0.5, 1), 102));
	cr_assert(eq(dbl, dc_host_power_w(h, 0.5, 0), 102));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
	c = load_text("datacenter: {host: {power_off_empty: true, power_table: "
		      "[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]}}\n",
		      &doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	h = &c->datacenter.host;
	cr_assert(eq(int, h->power_model, DC_POWER_TABLE));
	cr_assert(ieee_ulp_eq(dbl, dc_host_power_w(h, 0.37, 2), 37, 4));
	cr_assert(eq(dbl, dc_host_power_w(h, 0.37, 0), 0));
	cr_assert(eq(dbl, h->power_peak_w, 100));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
	/* The default stays the linear G5 line, on even when empty. */
	c = load_text("vms: []\n", &doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	h = &c->datacenter.host;
	cr_assert(eq(ptr, (void *)dc_host_power_table(h), NULL));
	cr_assert(ieee_ulp_eq(dbl, dc_host_power_w(h, 0.5, 0),
			      93.7 + (135 - 93.7) * 0.5, 4));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
}

Test(dc_power, a_table_model_without_a_table_is_refused_where_it_is_named)
{
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text("datacenter:\n  host: {power_model: table}\n",
				 &doc, &msgs);
	cr_assert(eq(ptr, c, NULL));
	cr_assert(strstr(msgs, "t.yaml:2:23: datacenter.host.power_model: "
			       "table needs a power_table") != NULL, "%s", msgs);
	cfg_doc_destroy(doc);
	free(msgs);
}

/* A VM using 0.55 of a 1-core host (web: 55 req/s x 10 ms, no noise) on
 * the ML110 G5 table draws 116 + (121 - 116) x 0.5 = 118.5 W; the empty
 * host draws nothing with power_off_empty. 30 s of each. */
Test(dc_power, energy_follows_the_table_and_empty_hosts_are_off,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db = run_text(
		"experiment: {duration: 30s}\n"
		"datacenter: {racks: 1, hosts_per_rack: 2,\n"
		"  host: {cpus: 1, power_model: ml110-g5, power_off_empty: true}}\n"
		"vms:\n"
		"  - {name: a, host: rack0/host0, demand: {kind: web, rate: 55, "
		"amplitude: 0, noise_cv: 0, service_time: 10ms}}\n"
		"results: {tables: [host_intervals, energy]}\n",
		"table.sqlite", 1);
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT max(power_w) FROM "
					       "host_intervals WHERE host = "
					       "'rack0/host0'"), 118.5, 4));
	cr_assert(eq(dbl, real_of(db, "SELECT max(power_w) FROM host_intervals "
				      "WHERE host = 'rack0/host1'"), 0));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT energy_j FROM energy "
					       "WHERE host = 'total'"),
			      118.5 * 30, 16));
	sqlite3_close(db);
}

/* ---- policy_metrics ----------------------------------------------------- */

/* A world the metrics can be worked out for by hand: two 1-core hosts,
 * 4 intervals of 10 s, no policy. host0 holds a (web: 100 req/s x 10 ms =
 * 1 core) and b (0.5 core): its VMs ask for 1.5 cores, so it is full
 * (100 % CPU) in every interval. host1 holds c (0.25 core) until c
 * migrates to host0 from 5 s (stop-and-copy of its 1 GiB at the default
 * max_rate, 500 Mibit/s: about 16 s, so in flight at 10 s and 20 s, gone
 * by 30 s): host1 is active (c counted) in two intervals and never full.
 * - SLATAH = mean(4/4, 0/2) = 0.5.
 * - PDM = mean over a, b, c of degraded / requested: a and b lose
 *   nothing; c asks 0.25 x 40 = 10 core-s and loses 0.1 x 0.25 x its
 *   migration time within the run, so PDM = (0.025 T / 10) / 3.
 * - SLAV = 0.5 x PDM; 1 migration; hot host-intervals (CPU above 75 %):
 *   host0's 4; active 6, full 4.
 * - Energy (linear 93.7 W to 135 W, empty hosts off): host0 135 W x 40 s,
 *   host1 at 0.25 (c is granted 0.25 by its source while it moves)
 *   93.7 + 41.3 x 0.25 = 104.025 W x 20 s, then off. */
Test(dc_metrics, a_small_world_gives_the_hand_computed_metrics,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db = run_text(
		"experiment: {duration: 40s}\n"
		"datacenter: {racks: 1, hosts_per_rack: 2,\n"
		"  host: {cpus: 1, nic: 1Gbit/s, power_off_empty: true}}\n"
		"policy: {interval: 10s}\n"
		"x-d: &d {kind: web, amplitude: 0, noise_cv: 0, "
		"service_time: 10ms}\n"
		"vms:\n"
		"  - {name: a, host: rack0/host0, demand: {<<: *d, rate: 100}}\n"
		"  - {name: b, host: rack0/host0, demand: {<<: *d, rate: 50}}\n"
		"  - {name: c, host: rack0/host1, demand: {<<: *d, rate: 25}}\n"
		"migrations:\n  - {vm: c, to: rack0/host0, at: 5s, scheme: stop-and-copy}\n"
		"results: {tables: [migrations, policy_metrics, energy]}\n",
		"metrics.sqlite", 1);
	cr_assert(eq(dbl, real_of(db, "SELECT count(*) FROM policy_metrics"), 1));
	double start = real_of(db, "SELECT start_ns FROM migrations") / 1e9;
	double end = real_of(db, "SELECT end_ns FROM migrations") / 1e9;
	cr_assert(eq(dbl, start, 5));
	cr_assert(end > 20 && end < 30, "the migration ends at %g s", end);
	double pdm = 0.1 * 0.25 * (end - start) / 10 / 3;
	cr_assert(eq(dbl, real_of(db, "SELECT slatah FROM policy_metrics"), 0.5));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT pdm FROM policy_metrics"),
			      pdm, 64));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT slav FROM policy_metrics"),
			      0.5 * pdm, 64));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT degraded_core_s FROM "
					       "policy_metrics"),
			      0.025 * (end - start), 64));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT requested_core_s FROM "
					       "policy_metrics"),
			      (1 + 0.5 + 0.25) * 40, 4));
	cr_assert(eq(dbl, real_of(db, "SELECT migrations FROM policy_metrics"), 1));
	cr_assert(eq(dbl, real_of(db, "SELECT intervals FROM policy_metrics"), 4));
	cr_assert(eq(dbl, real_of(db, "SELECT hot_host_intervals FROM "
				      "policy_metrics"), 4));
	cr_assert(eq(dbl, real_of(db, "SELECT flagged_host_intervals FROM "
				      "policy_metrics"), 0));
	cr_assert(eq(dbl, real_of(db, "SELECT active_host_intervals FROM "
				      "policy_metrics"), 6));
	cr_assert(eq(dbl, real_of(db, "SELECT full_host_intervals FROM "
				      "policy_metrics"), 4));
	double joules = 135.0 * 40 + (93.7 + 41.3 * 0.25) * 20;
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT energy_kwh FROM "
					       "policy_metrics"),
			      joules / 3.6e6, 64));
	cr_assert(eq(dbl, real_of(db, "SELECT energy_kwh FROM policy_metrics"),
		     real_of(db, "SELECT energy_kwh FROM energy WHERE host = "
				 "'total'")));
	char *policy = dump(db, "SELECT policy FROM policy_metrics");
	cr_assert(eq(str, policy, "none\n"));
	free(policy);
	sqlite3_close(db);
}

/* ---- grey-box statistics and SLA violations ------------------------------ */

/* Kingman's G/G/1 mean response time at the VM's share of its vcpus: a
 * (rate 50, 10 ms, one vcpu, M/M/1) has rho = 0.5 and R = 20 ms, within
 * its 25 ms target (it uses half its allocation, but may use all of it);
 * b (rate 150) asks for 1.5 cores, gets its one, and its queue is
 * saturated; c has a's load on 2 vcpus (service times are those of its
 * vcpus): 20 ms again, just over a 19 ms target. */
Test(dc_control, sla_violations_follow_kingman_at_the_vms_share,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db = run_text(
		"experiment: {duration: 30s}\n"
		"datacenter: {racks: 1, hosts_per_rack: 1, host: {cpus: 4}}\n"
		"x-d: &d {kind: web, amplitude: 0, noise_cv: 0, "
		"service_time: 10ms, sla: 25ms}\n"
		"vms:\n"
		"  - {name: a, vcpus: 1, demand: {<<: *d, rate: 50}}\n"
		"  - {name: b, vcpus: 1, demand: {<<: *d, rate: 150}}\n"
		"  - {name: c, vcpus: 2, demand: {<<: *d, rate: 50, sla: 19ms}}\n"
		"results: {tables: [vm_intervals]}\n",
		"sla.sqlite", 1);
	cr_assert(eq(dbl, real_of(db, "SELECT sum(sla_violation) FROM "
				      "vm_intervals WHERE vm = 'a'"), 0));
	cr_assert(eq(dbl, real_of(db, "SELECT sum(sla_violation) FROM "
				      "vm_intervals WHERE vm = 'b'"), 3));
	cr_assert(eq(dbl, real_of(db, "SELECT sum(sla_violation) FROM "
				      "vm_intervals WHERE vm = 'c'"), 3));
	sqlite3_close(db);
}

/* Grey-box memory: the daemon's histogram spans the working set (2560
 * MiB = 655,360 pages in 256 buckets of 2,560 pages), so Sandpiper sizes
 * the VM in one step to the whole working set at a miss ratio of 0, and at
 * 1 % to the 254 buckets that hold 99 % of it (2540 MiB). */
Test(dc_control, grey_box_sizes_memory_from_the_daemons_histogram_in_one_step,
     .init = make_dir, .fini = remove_dir)
{
	const char *fmt =
		"experiment: {duration: 60s}\n"
		"datacenter: {racks: 1, hosts_per_rack: 1, "
		"host: {cpus: 4, memory: 16GiB}}\n"
		"policy: {name: sandpiper, mode: grey-box, ws_miss_ratio: %s}\n"
		"vms:\n"
		"  - {name: m, vcpus: 1, memory: 1GiB, demand: {kind: memory, "
		"noise_cv: 0, mem_base: 512MiB, mem_peak: 2560MiB, grow: 1s, "
		"hold: 24h}}\n"
		"results: {tables: [actions]}\n";
	const char *ratio[] = {"0%", "1%"};
	const char *want[] = {"resize|m|mem|2684354560.0|memory\n",
			      "resize|m|mem|2663383040.0|memory\n"};
	for (int k = 0; k < 2; k++) {
		char *text = sim_xasprintf(fmt, ratio[k]);
		char *name = sim_xasprintf("grey%d.sqlite", k);
		sqlite3 *db = run_text(text, name, 1);
		char *got = dump(db, "SELECT kind, vm, resource, amount, reason "
				     "FROM actions");
		cr_assert(eq(str, got, (char *)want[k]));
		free(got);
		sqlite3_close(db);
		free(name);
		free(text);
	}
}

/* Grey-box CPU [Wood07]: w (2 vcpus, 150 req/s of 10 ms, M/M/1 variances,
 * SLA 50 ms) is saturated at 2 cores. lambda_cap = 1 / (s + (va + vb) /
 * (2 (d - s))) with va = 1/150^2, vb = s^2: 84.706 req/s, so the need is
 * 2 x 150 / lambda_cap = 3.5417 cores, granted in place. At that share the
 * log's service time is 10 ms / 1.77, lambda_cap 153.7 req/s, and the
 * need (3 x 150 / 153.7 = 2.93 cores) is within the allocation: one
 * resize, one interval in violation. */
Test(dc_control, grey_box_sizes_a_saturated_web_vm_by_kingman_once,
     .init = make_dir, .fini = remove_dir)
{
	sqlite3 *db = run_text(
		"experiment: {duration: 60s}\n"
		"datacenter: {racks: 1, hosts_per_rack: 1, host: {cpus: 8}}\n"
		"policy: {name: sandpiper, mode: grey-box}\n"
		"vms:\n"
		"  - {name: w, vcpus: 2, demand: {kind: web, amplitude: 0, "
		"noise_cv: 0, service_time: 10ms, rate: 150, sla: 50ms}}\n"
		"results: {tables: [actions, vm_intervals]}\n",
		"kingman.sqlite", 1);
	double s = 0.01, va = 1.0 / (150.0 * 150.0), vb = s * s, d = 0.05;
	double cap = 1 / (s + (va + vb) / (2 * (d - s)));
	cr_assert(eq(dbl, real_of(db, "SELECT count(*) FROM actions"), 1));
	cr_assert(ieee_ulp_eq(dbl, real_of(db, "SELECT amount FROM actions "
					       "WHERE kind = 'resize' AND "
					       "resource = 'cpu' AND "
					       "reason = 'sla'"),
			      2 * 150 / cap, 8));
	cr_assert(eq(dbl, real_of(db, "SELECT sum(sla_violation) FROM "
				      "vm_intervals"), 1));
	sqlite3_close(db);
}
