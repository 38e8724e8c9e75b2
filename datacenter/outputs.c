/* SPDX-License-Identifier: MIT */
/*
 * The `results:` section: which result tables a run writes, the periods of
 * its host and link samples, and whether cli/ exports CSV files and draws
 * plots. Rows themselves are experiment.c's; files are cli/'s.
 */
#include "dc_internal.h"

#include <string.h>

const char *const dc_table_names[] = {
	"hosts", "vms", "links", "host_samples", "link_samples", "migrations",
	"migration_rounds", "traffic", NULL};
_Static_assert(sizeof dc_table_names / sizeof dc_table_names[0] ==
		       DC_TABLE_COUNT + 1,
	       "a name per table");

/* What cfg_section_load fills; the periods are resolved afterwards. */
typedef struct results_keys {
	uint64_t host_sample_interval_ns;
	uint64_t link_sample_interval_ns;
	bool csv;
	bool plots;
} results_keys;

static const cfg_param results_params[] = {
	{.name = "host_interval", .type = CFG_T_TIME, .def = "0s",
	 .min = "0s", .offset = offsetof(results_keys, host_sample_interval_ns),
	 .doc = "period of host_samples (0s: experiment.sample_interval; "
		"else at least 1us)"},
	{.name = "link_interval", .type = CFG_T_TIME, .def = "0s",
	 .min = "0s", .offset = offsetof(results_keys, link_sample_interval_ns),
	 .doc = "period of link_samples (0s: experiment.sample_interval; "
		"else at least 1us)"},
	{.name = "csv", .type = CFG_T_BOOL, .def = "true",
	 .offset = offsetof(results_keys, csv),
	 .doc = "vdcsim run also writes one CSV file per table"},
	{.name = "plots", .type = CFG_T_BOOL, .def = "true",
	 .offset = offsetof(results_keys, plots),
	 .doc = "vdcsim run draws the plots (they read the CSV files: none "
		"without csv)"},
};

static const char *const results_subsections[] = {"tables", NULL};

const cfg_section dc_results_section = {
	.path = "results",
	.doc = "what a run writes: its tables, their sampling, CSV files and "
	       "plots",
	.params = results_params,
	.nparams = sizeof results_params / sizeof results_params[0],
	.subsections = results_subsections,
};

const cfg_section dc_results_tables_section = {
	.path = "results.tables",
	.doc = "a list of the tables to write, e.g. [migrations, "
	       "migration_rounds]; by default all: hosts, vms, links, "
	       "host_samples, link_samples, migrations, migration_rounds, "
	       "traffic (runs is always written)",
	.params = NULL,
	.nparams = 0,
};

/* The least nonzero period, as experiment.sample_interval's. */
#define MIN_INTERVAL_NS UINT64_C(1000)

static void check_interval(const cfg_node *map, const char *key,
			   uint64_t ns, sim_diag *d)
{
	if (ns == 0 || ns >= MIN_INTERVAL_NS)
		return;
	cfg_error(d, cfg_map_get(map, key),
		  "results.%s: %llu ns is too short (expected 0s for "
		  "experiment.sample_interval, or at least 1us)",
		  key, (unsigned long long)ns);
}

static void load_tables(dc_results_cfg *out, const cfg_node *list,
			sim_diag *d)
{
	if (cfg_node_kind(list) != CFG_SEQ) {
		cfg_error(d, list, "results.tables: expected a list of table "
			  "names such as [migrations, migration_rounds], got %s",
			  cfg_kind_name(cfg_node_kind(list)));
		return;
	}
	const cfg_node *first[DC_TABLE_COUNT] = {NULL};
	out->tables = 0;
	for (size_t i = 0; i < cfg_node_len(list); i++) {
		const cfg_node *item = cfg_node_at(list, i);
		if (cfg_node_kind(item) != CFG_SCALAR) {
			cfg_error(d, item, "results.tables: expected a table "
				  "name, got %s",
				  cfg_kind_name(cfg_node_kind(item)));
			continue;
		}
		const char *name = cfg_node_text(item);
		size_t t = 0;
		while (t < DC_TABLE_COUNT && strcmp(dc_table_names[t], name) != 0)
			t++;
		if (t == DC_TABLE_COUNT) {
			const char *near = sim_suggest(name, dc_table_names);
			if (near)
				cfg_error(d, item, "results.tables: unknown table "
					  "'%s' (did you mean '%s'?)", name, near);
			else
				cfg_error(d, item, "results.tables: unknown table "
					  "'%s' (expected hosts, vms, links, "
					  "host_samples, link_samples, migrations, "
					  "migration_rounds or traffic)", name);
			continue;
		}
		if (first[t]) {
			cfg_error(d, item, "results.tables: '%s' is listed twice "
				  "(first at %u:%u; expected each table once)",
				  name, cfg_node_line(first[t]),
				  cfg_node_col(first[t]));
			continue;
		}
		first[t] = item;
		out->tables |= 1u << t;
	}
}

void dc_results_load(dc_config *c, const cfg_node *root, sim_diag *d)
{
	dc_results_cfg *out = &c->results;
	out->tables = (1u << DC_TABLE_COUNT) - 1;
	const cfg_node *map = cfg_map_get(root, "results");
	results_keys k;
	memset(&k, 0, sizeof k);
	if (cfg_section_load(&dc_results_section, map, root, &k, d) != 0)
		return;
	check_interval(map, "host_interval", k.host_sample_interval_ns, d);
	check_interval(map, "link_interval", k.link_sample_interval_ns, d);
	uint64_t every = c->experiment.sample_interval_ns;
	out->host_sample_interval_ns =
		k.host_sample_interval_ns ? k.host_sample_interval_ns : every;
	out->link_sample_interval_ns =
		k.link_sample_interval_ns ? k.link_sample_interval_ns : every;
	out->csv = k.csv;
	out->plots = k.plots;
	const cfg_node *tables = cfg_map_get(map, "tables");
	if (tables)
		load_tables(out, tables, d);
}
