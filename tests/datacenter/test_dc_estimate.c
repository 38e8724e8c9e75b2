/* SPDX-License-Identifier: MIT */
/*
 * datacenter/estimate.c: what a run will write and do, counted from the
 * config alone, and the bounds that refuse absurd runs at the position
 * that makes them absurd.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dc.h"

typedef struct loaded {
	cfg_doc *doc;
	dc_config *c;
} loaded;

static loaded load(const char *text)
{
	sim_diag d;
	sim_diag_init(&d);
	loaded l = {0};
	cr_assert(eq(int, cfg_doc_parse("e.yaml", text, strlen(text), &l.doc, &d),
		     0));
	cr_assert(eq(int, dc_config_load(l.doc, &l.c, &d), 0), "%s",
		  d.text ? d.text : "");
	sim_diag_fini(&d);
	return l;
}

static void unload(loaded *l)
{
	dc_config_destroy(l->c);
	cfg_doc_destroy(l->doc);
}

/* The messages of dc_config_check_bounds (a new string, "" if none) and
 * its status in *rc. */
static char *bounds(const loaded *l, bool allow, int *rc)
{
	sim_diag d;
	sim_diag_init(&d);
	*rc = dc_config_check_bounds(l->c, allow, &d);
	char *s = strdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return s;
}

Test(dc_estimate, samples_and_links_are_counted_exactly)
{
	/* 2 racks x 4 hosts: 8 host links and 2 ToR uplinks, each two
	 * directed links; samples at 0, 10, ..., 60 s: 7 per host. */
	loaded l = load("experiment: {duration: 60s, sample_interval: 10s}\n"
			"datacenter: {racks: 2, hosts_per_rack: 4}\n"
			"vms: [{name: a, memory: 1GiB}]\n");
	dc_estimate e;
	dc_config_estimate(l.c, &e);
	cr_assert(eq(u64, e.hosts, 8));
	cr_assert(eq(u64, e.links, 20));
	cr_assert(eq(u64, e.host_samples, 56));
	/* Nothing crosses the fabric, so no link is sampled. */
	cr_assert(eq(u64, e.link_samples_max, 0));
	cr_assert(eq(u64, e.rows, 56 + 8 + 20 + 1));
	cr_assert(eq(u64, e.rows_max, e.rows));
	cr_assert(eq(dbl, e.min_end_s, 60.0));
	unload(&l);
}

Test(dc_estimate, a_migration_lasts_at_least_its_memory_over_its_rate)
{
	/* 1 GiB at max_rate 500 Mibit/s (below the 10 Gbit/s NIC) takes at
	 * least 2^33 / (500 * 2^20) = 16.384 s, so a migration at 50 s ends
	 * after 66.384 s and links are sampled at 0, 10, ..., 60 s: 7 times
	 * 20 directed links. */
	loaded l = load("experiment: {duration: 60s, sample_interval: 10s}\n"
			"datacenter: {racks: 2, hosts_per_rack: 4}\n"
			"vms: [{name: a, host: rack0/host0, memory: 1GiB}]\n"
			"migrations: [{vm: a, to: rack1/host0, at: 50s, "
			"max_rate: 500Mibit/s}]\n");
	dc_estimate e;
	dc_config_estimate(l.c, &e);
	cr_assert(fabs(e.min_end_s - 66.384) < 1e-9,
		  "min_end_s %.9f", e.min_end_s);
	cr_assert(eq(u64, e.link_samples_max, 7 * 20));
	cr_assert(eq(u64, e.rows_max, e.rows + 7 * 20));
	cr_assert(eq(dbl, e.page_writes, 0.0));
	unload(&l);
}

Test(dc_estimate, microsecond_sampling_over_an_hour_is_refused_at_the_interval)
{
	loaded l = load("experiment: {duration: 1h,\n"
			"  sample_interval: 1us}\n"
			"datacenter: {racks: 1, hosts_per_rack: 1}\n");
	int rc;
	char *msg = bounds(&l, false, &rc);
	cr_assert(eq(int, rc, SIM_EINPUT));
	/* 3.6e9 + 1 samples of one host. */
	cr_assert(eq(str, msg,
		     "e.yaml:2:20: a run would write at least 3.6e+09 rows "
		     "(3.6e+09 host samples; about 230 GB) (expected at most "
		     "1e+08 rows per run: raise experiment.sample_interval or "
		     "results.host_interval, leave host_samples out of "
		     "results.tables, shorten the run, or pass "
		     "--allow-large)\n"));
	free(msg);
	/* Allowed explicitly, it passes. */
	msg = bounds(&l, true, &rc);
	cr_assert(eq(int, rc, 0));
	cr_assert(eq(str, msg, ""));
	free(msg);
	unload(&l);
}

Test(dc_estimate, sample_tables_left_out_or_slowed_are_not_counted)
{
	/* The same hour at 1 us writes nothing per sample once host_samples
	 * is left out, and 3,601 rows per host at its own 1 s interval. */
	loaded l = load("experiment: {duration: 1h, sample_interval: 1us}\n"
			"datacenter: {racks: 1, hosts_per_rack: 1}\n"
			"results: {tables: [hosts, vms]}\n");
	dc_estimate e;
	dc_config_estimate(l.c, &e);
	cr_assert(eq(u64, e.host_samples_max, 0));
	cr_assert(eq(u64, e.events, 0));
	int rc;
	char *msg = bounds(&l, false, &rc);
	cr_assert(eq(int, rc, 0), "%s", msg);
	free(msg);
	unload(&l);
	l = load("experiment: {duration: 1h, sample_interval: 1us}\n"
		 "datacenter: {racks: 1, hosts_per_rack: 1}\n"
		 "results: {host_interval: 1s, host_sample_rows: changed}\n");
	dc_config_estimate(l.c, &e);
	cr_assert(eq(u64, e.host_samples_max, 3601));
	cr_assert(eq(u64, e.host_samples, 1));
	unload(&l);
}

Test(dc_estimate, a_migration_past_the_clock_is_refused_even_when_allowed)
{
	/* 2 GiB at 1 bit/s: 1.7e10 s, past the 2^63 ns (~292 years) that
	 * results can store. */
	loaded l = load("datacenter: {racks: 1, hosts_per_rack: 2}\n"
			"vms: [{name: a, host: rack0/host0, memory: 2GiB}]\n"
			"migrations:\n"
			"  - {vm: a, to: rack0/host1, max_rate: 1bit/s}\n");
	int rc;
	char *msg = bounds(&l, true, &rc);
	cr_assert(eq(int, rc, SIM_EINPUT));
	cr_assert(eq(str, msg,
		     "e.yaml:4:40: migration of VM 'a' would take at least "
		     "1.72e+10 s, past the largest time stored (about 292 "
		     "years) (expected a higher max_rate or a smaller VM)\n"));
	free(msg);
	unload(&l);
}

Test(dc_estimate, page_exact_draws_beyond_the_bound_are_refused_at_the_fidelity)
{
	/* 1e10 writes/s for at least 2^33 / 1e9 s = 8.59 s at the 1 Gbit/s
	 * NIC (max_rate is higher) is 8.6e10 draws; statistically it costs
	 * nothing. */
	const char *fmt =
		"datacenter: {racks: 1, hosts_per_rack: 2, host: {nic: 1Gbit/s}}\n"
		"vms: [{name: a, host: rack0/host0, memory: 1GiB,\n"
		"       dirtying: {hot_set: 1MiB, hot_rate: 1e10}}]\n"
		"migrations:\n"
		"  - {vm: a, to: rack0/host1, max_rate: 2Gbit/s, fidelity: %s}\n";
	char text[512];
	snprintf(text, sizeof text, fmt, "page-exact");
	loaded l = load(text);
	int rc;
	char *msg = bounds(&l, false, &rc);
	cr_assert(eq(int, rc, SIM_EINPUT));
	cr_assert(eq(str, msg,
		     "e.yaml:5:59: page-exact migration of VM 'a' would draw "
		     "at least 8.59e+10 page writes (expected at most 1e+10 "
		     "per migration: use fidelity: statistical, lower the "
		     "write rates, or pass --allow-large)\n"));
	free(msg);
	unload(&l);
	snprintf(text, sizeof text, fmt, "statistical");
	l = load(text);
	msg = bounds(&l, false, &rc);
	cr_assert(eq(int, rc, 0), "%s", msg);
	free(msg);
	unload(&l);
}
