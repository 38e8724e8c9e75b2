/* SPDX-License-Identifier: MIT */
/*
 * What a run writes: its result tables' columns (the rows are
 * experiment.c's and traffic.c's), and the `results:` section that picks
 * the tables, the periods of the host and link samples, and whether cli/
 * exports CSV files and draws plots (the files are cli/'s).
 */
#include "dc_internal.h"

#include <string.h>

const char *const dc_table_names[] = {
	"hosts", "vms", "links", "host_samples", "link_samples", "migrations",
	"migration_rounds", "traffic", "host_intervals", "vm_intervals",
	"actions", "energy", "policy_metrics", NULL};
_Static_assert(sizeof dc_table_names / sizeof dc_table_names[0] ==
		       DC_TABLE_COUNT + 1,
	       "a name per table");

static const sim_column host_cols[] = {
	{"host_index", SIM_COL_INT, "", "global host index, rack-major"},
	{"host", SIM_COL_TEXT, "", "host name rackR/hostH"},
	{"rack", SIM_COL_INT, "", "rack index"},
	{"cpus", SIM_COL_INT, "", "physical CPUs"},
	{"memory_bytes", SIM_COL_INT, "B", "machine memory"},
	{"nic_bps", SIM_COL_INT, "bit/s", "NIC bandwidth"},
	{"vms", SIM_COL_INT, "", "VMs placed on the host at the end of the run"},
	{"vcpus_committed", SIM_COL_INT, "", "sum of the VMs' vCPUs"},
	{"memory_committed_bytes", SIM_COL_INT, "B", "sum of the VMs' memory"},
};
const sim_table dc_hosts_table = {
	"hosts", "every host with its capacities and what is placed on it",
	host_cols, sizeof host_cols / sizeof host_cols[0]};

/* The same with datacenter.host_kinds: a kind column after rack. */
static const sim_column host_kind_cols[] = {
	{"host_index", SIM_COL_INT, "", "global host index, rack-major"},
	{"host", SIM_COL_TEXT, "", "host name rackR/hostH"},
	{"rack", SIM_COL_INT, "", "rack index"},
	{"kind", SIM_COL_TEXT, "", "its rack's kind (datacenter.host_kinds), "
				   "or 'default': datacenter.host"},
	{"cpus", SIM_COL_INT, "", "physical CPUs"},
	{"memory_bytes", SIM_COL_INT, "B", "machine memory"},
	{"nic_bps", SIM_COL_INT, "bit/s", "NIC bandwidth"},
	{"vms", SIM_COL_INT, "", "VMs placed on the host at the end of the run"},
	{"vcpus_committed", SIM_COL_INT, "", "sum of the VMs' vCPUs"},
	{"memory_committed_bytes", SIM_COL_INT, "B", "sum of the VMs' memory"},
};
const sim_table dc_hosts_kind_table = {
	"hosts", "every host with its kind, capacities and what is placed on it",
	host_kind_cols, sizeof host_kind_cols / sizeof host_kind_cols[0]};

static const sim_column vm_cols[] = {
	{"vm", SIM_COL_TEXT, "", "VM name"},
	{"host", SIM_COL_TEXT, "", "host at the end of the run"},
	{"vcpus", SIM_COL_INT, "", "virtual CPUs"},
	{"memory_bytes", SIM_COL_INT, "B", "guest-physical memory"},
	{"placed_by", SIM_COL_TEXT, "", "'config' (named host) or the placement policy"},
};
const sim_table dc_vms_table = {"vms", "every VM and its placement",
				    vm_cols, sizeof vm_cols / sizeof vm_cols[0]};

static const sim_column link_cols[] = {
	{"link", SIM_COL_INT, "", "directed link index (2k and 2k+1: the two "
				  "directions of full-duplex link k)"},
	{"source", SIM_COL_TEXT, "", "node it leaves (host, rackR/tor, core)"},
	{"destination", SIM_COL_TEXT, "", "node it enters"},
	{"capacity_bps", SIM_COL_INT, "bit/s", "capacity in this direction"},
	{"latency_ns", SIM_COL_INT, "ns", "one-way propagation delay"},
	{"bits", SIM_COL_INT, "bit", "bits carried over the whole run (all "
				     "flows: migrations and traffic)"},
	{"utilisation", SIM_COL_REAL, "", "mean over the run: bits x 1e9 / "
					  "(capacity_bps x the run's end_ns); "
					  "0 to 1"},
};
const sim_table dc_links_table = {
	"links", "the fabric: every directed link with capacity, latency and "
		 "what it carried over the run",
	link_cols, sizeof link_cols / sizeof link_cols[0]};

static const sim_column link_sample_cols[] = {
	{"time_ns", SIM_COL_INT, "ns", "end of the interval (a multiple of "
				       "sample_interval, or the run's end)"},
	{"link", SIM_COL_INT, "", "directed link index, as in links"},
	{"interval_ns", SIM_COL_INT, "ns", "length of the interval ending at "
					   "time_ns (sample_interval, or "
					   "shorter for the last)"},
	{"bits", SIM_COL_INT, "bit", "bits the link carried during the "
				     "interval (whole bits of net's integral "
				     "of load over time)"},
	{"utilisation", SIM_COL_REAL, "", "bits x 1e9 / (capacity_bps x "
					  "interval_ns): mean load over "
					  "capacity, 0 to 1"},
};
const sim_table dc_link_samples_table = {
	"link_samples",
	"each link's carried bits and utilisation per sample interval "
	"(results.link_interval), to the end of the run (also while it "
	"is extended for migrations); only intervals in which the link carried "
	"something (a missing row means 0 bits), and only runs with migrations "
	"or traffic, as without them no link carries anything",
	link_sample_cols, sizeof link_sample_cols / sizeof link_sample_cols[0]};

static const sim_column sample_cols[] = {
	{"time_ns", SIM_COL_INT, "ns", "simulated time of the sample"},
	{"host", SIM_COL_TEXT, "", "host name"},
	{"vms", SIM_COL_INT, "", "VMs on the host"},
	{"vcpus_committed", SIM_COL_INT, "", "sum of the VMs' vCPUs"},
	{"memory_committed_bytes", SIM_COL_INT, "B", "sum of the VMs' memory"},
};
const sim_table dc_host_samples_table = {
	"host_samples", "the host monitor's periodic view of every host",
	sample_cols, sizeof sample_cols / sizeof sample_cols[0]};
/* The same table declared under results.host_sample_rows: changed, so
 * that its documentation says which rows it holds. */
static const sim_table host_changes_table = {
	"host_samples",
	"the host monitor's periodic view of every host, only where it "
	"changed (results.host_sample_rows: changed): a host has a row at the "
	"first sample and then only when a value differs from its previous "
	"row; no row means unchanged",
	sample_cols, sizeof sample_cols / sizeof sample_cols[0]};

static const sim_column mig_cols[] = {
	{"migration", SIM_COL_INT, "", "index in migrations:, from 0; a "
				       "policy's follow, numbered in the order "
				       "they start"},
	{"vm", SIM_COL_TEXT, "", "the VM"},
	{"scheme", SIM_COL_TEXT, "", "stop-and-copy, push, precopy, postcopy or hybrid"},
	{"policy", SIM_COL_TEXT, "", "xen, clark, qemu or xen-v2"},
	{"fidelity", SIM_COL_TEXT, "", "statistical or page-exact"},
	{"source", SIM_COL_TEXT, "", "host it left"},
	{"destination", SIM_COL_TEXT, "", "host it went to"},
	{"vm_memory_bytes", SIM_COL_INT, "B", "the VM's memory"},
	{"vm_disk_bytes", SIM_COL_INT, "B", "its local disk (0: shared storage)"},
	{"max_rate_bps", SIM_COL_INT, "bit/s", "the max_rate knob"},
	{"max_rounds", SIM_COL_INT, "", "the max_rounds knob"},
	{"start_ns", SIM_COL_INT, "ns", "when it was requested"},
	{"stop_ns", SIM_COL_INT, "ns", "when the VM paused"},
	{"resume_ns", SIM_COL_INT, "ns", "when the VM resumed at the destination"},
	{"end_ns", SIM_COL_INT, "ns", "when the last byte arrived (post-copy: the "
				      "last page; otherwise resume_ns)"},
	{"total_ns", SIM_COL_INT, "ns", "end - start"},
	{"downtime_ns", SIM_COL_INT, "ns", "resume - stop"},
	{"total_s", SIM_COL_REAL, "s", "total time in seconds"},
	{"downtime_s", SIM_COL_REAL, "s", "downtime in seconds"},
	{"residual_ns", SIM_COL_INT, "ns", "after resume, time the VM still "
					   "depends on the source (pull, tunnel)"},
	{"bytes", SIM_COL_INT, "B", "all bytes sent: memory + disk + state"},
	{"memory_bytes", SIM_COL_INT, "B", "memory pages sent"},
	{"disk_bytes", SIM_COL_INT, "B", "disk blocks sent"},
	{"state_bytes", SIM_COL_INT, "B", "CPU and device state sent"},
	{"pages", SIM_COL_INT, "", "pages sent (post-copy: pushed + faulted)"},
	{"blocks", SIM_COL_INT, "", "disk blocks sent"},
	{"rounds", SIM_COL_INT, "", "live memory rounds (0: stop-and-copy, postcopy)"},
	{"disk_rounds", SIM_COL_INT, "", "disk pre-copy rounds"},
	{"disk_ns", SIM_COL_INT, "ns", "the disk pre-copy phase"},
	{"faults", SIM_COL_INT, "", "post-copy network faults"},
	{"stall_ns", SIM_COL_INT, "ns", "guest time stalled on network faults"},
	{"log_faults", SIM_COL_INT, "", "dirty-logging write faults in live rounds"},
	{"log_stall_ns", SIM_COL_INT, "ns", "guest time spent on them"},
	{"reason", SIM_COL_TEXT, "", "config (migrations:), or the policy's "
				     "reason (hotspot, sla, memory, ...)"},
};
const sim_table dc_migrations_table = {
	"migrations", "every migration: its mechanism, times, downtime and volume",
	mig_cols, sizeof mig_cols / sizeof mig_cols[0]};

static const sim_column round_cols[] = {
	{"migration", SIM_COL_INT, "", "index in migrations:, from 0; a "
				       "policy's follow, numbered in the order "
				       "they start"},
	{"round", SIM_COL_INT, "", "round, from 1, over all phases in order"},
	{"phase", SIM_COL_TEXT, "", "disk (disk pre-copy), live (memory "
				    "pre-copy), paused (stop-and-copy) or pull "
				    "(post-copy after resume, as one row)"},
	{"paused", SIM_COL_INT, "", "1 for the stop-and-copy round"},
	{"start_ns", SIM_COL_INT, "ns", "start of the round's flow"},
	{"duration_ns", SIM_COL_INT, "ns", "until its last byte arrived"},
	{"cap_bps", SIM_COL_INT, "bit/s", "the round's rate limit"},
	{"rate_bps", SIM_COL_INT, "bit/s", "achieved rate"},
	{"bytes", SIM_COL_INT, "B", "all its bytes: pages, forwarded disk blocks, state"},
	{"pages_sent", SIM_COL_INT, "", "pages sent (disk: blocks; pull: pushed)"},
	{"pages_dirtied", SIM_COL_INT, "", "pages dirtied during it (to send next)"},
	{"pages_skipped", SIM_COL_INT, "", "pages skipped as dirtied again"},
	{"faults", SIM_COL_INT, "", "pull: pages fetched by network faults"},
};
const sim_table dc_rounds_table = {
	"migration_rounds", "every round of every migration",
	round_cols, sizeof round_cols / sizeof round_cols[0]};

static const sim_column host_interval_cols[] = {
	{"time_ns", SIM_COL_INT, "ns", "end of the monitoring interval"},
	{"host", SIM_COL_TEXT, "", "host name"},
	{"cpu", SIM_COL_REAL, "", "CPU used / cores (VMs counted on the host, "
				  "migrating ones on both hosts), 0 to 1"},
	{"net", SIM_COL_REAL, "", "network used / NIC, 0 to 1"},
	{"mem", SIM_COL_REAL, "", "memory allocated / memory (may exceed 1 "
				  "while migrations stage)"},
	{"cpu_cores", SIM_COL_REAL, "", "CPU used, cores"},
	{"volume", SIM_COL_REAL, "", "Sandpiper's volume 1/((1-cpu)(1-net)"
				     "(1-mem)), each capped at "
				     "policy.vol_util_max [Wood07]"},
	{"hot", SIM_COL_INT, "", "1 if the policy found a hotspot here this "
				 "interval"},
	{"power_w", SIM_COL_REAL, "W", "the host's power model at cpu: idle "
				       "+ (peak - idle) x cpu, or its table "
				       "(datacenter.host.power_model); 0 for "
				       "a host off (power_off_empty, no VM)"},
};
const sim_table dc_host_intervals_table = {
	"host_intervals",
	"every host every policy.interval: utilisations, volume, hotspot, "
	"power (hosts x intervals rows)",
	host_interval_cols, sizeof host_interval_cols / sizeof host_interval_cols[0]};

static const sim_column vm_interval_cols[] = {
	{"time_ns", SIM_COL_INT, "ns", "end of the monitoring interval"},
	{"vm", SIM_COL_TEXT, "", "VM name"},
	{"host", SIM_COL_TEXT, "", "its host (the source while migrating)"},
	{"cpu_demand", SIM_COL_REAL, "", "cores it wanted (trace or generator)"},
	{"cpu_alloc", SIM_COL_REAL, "", "its CPU allocation, cores"},
	{"cpu_granted", SIM_COL_REAL, "", "cores it got: demand capped by the "
					  "allocation, then by its host's share"},
	{"cpu_unmet", SIM_COL_REAL, "", "demand - granted, >= 0"},
	{"net_bps", SIM_COL_REAL, "bit/s", "network granted"},
	{"mem_use_bytes", SIM_COL_REAL, "B", "memory in use (0: unknown)"},
	{"mem_alloc_bytes", SIM_COL_REAL, "B", "memory allocation"},
	{"swap_bps", SIM_COL_REAL, "bit/s", "swap I/O: 2 x (use - allocation) "
					    "x 8 / interval when above"},
	{"sla_violation", SIM_COL_INT, "", "1 when a web VM with demand.sla "
					   "had a mean response time above it"},
};
const sim_table dc_vm_intervals_table = {
	"vm_intervals",
	"every VM every policy.interval (VMs x intervals rows: written only "
	"when results.tables lists it)",
	vm_interval_cols, sizeof vm_interval_cols / sizeof vm_interval_cols[0]};

static const sim_column action_cols[] = {
	{"time_ns", SIM_COL_INT, "ns", "when the policy asked"},
	{"kind", SIM_COL_TEXT, "", "migrate, swap or resize"},
	{"vm", SIM_COL_TEXT, "", "the VM (swap: the one leaving the hot host)"},
	{"vm_b", SIM_COL_TEXT, "", "swap: its partner; else empty"},
	{"source", SIM_COL_TEXT, "", "the VM's host"},
	{"destination", SIM_COL_TEXT, "", "migrate, swap: the other host"},
	{"resource", SIM_COL_TEXT, "", "resize: cpu, net or mem"},
	{"amount", SIM_COL_REAL, "", "resize: the new allocation (cores, "
				     "bit/s, bytes)"},
	{"reason", SIM_COL_TEXT, "", "hotspot, sla, memory, provision, "
				     "overload or underload"},
	{"outcome", SIM_COL_TEXT, "", "started, done (resize), in-flight (the "
				      "VM was migrating: ignored) or no-room "
				      "(the destination lacked memory)"},
};
const sim_table dc_actions_table = {
	"actions", "every action a policy asked for and what became of it",
	action_cols, sizeof action_cols / sizeof action_cols[0]};

static const sim_column energy_cols[] = {
	{"host", SIM_COL_TEXT, "", "host name, or 'total' for the run"},
	{"seconds", SIM_COL_REAL, "s", "time accounted (whole intervals)"},
	{"energy_j", SIM_COL_REAL, "J", "sum of power_w x interval"},
	{"energy_kwh", SIM_COL_REAL, "kWh", "the same in kWh"},
	{"mean_power_w", SIM_COL_REAL, "W", "energy / seconds"},
};
const sim_table dc_energy_table = {
	"energy", "energy per host and for the run (hosts + 1 rows)",
	energy_cols, sizeof energy_cols / sizeof energy_cols[0]};

static const sim_column policy_metric_cols[] = {
	{"policy", SIM_COL_TEXT, "", "policy.name of the run"},
	{"intervals", SIM_COL_INT, "", "monitoring intervals accounted"},
	{"slatah", SIM_COL_REAL, "", "SLA violation time per active host "
				     "[BeloglazovBuyya12]: the mean over hosts "
				     "ever active of full / active intervals"},
	{"pdm", SIM_COL_REAL, "", "performance degradation due to migrations "
				  "[BeloglazovBuyya12]: the mean over VMs "
				  "that requested CPU of degraded / requested "
				  "core-seconds"},
	{"slav", SIM_COL_REAL, "", "slatah x pdm [BeloglazovBuyya12]"},
	{"energy_kwh", SIM_COL_REAL, "kWh", "all hosts' energy (the energy "
					    "table's total)"},
	{"migrations", SIM_COL_INT, "", "migrations started (a policy's and "
					"migrations: entries)"},
	{"hot_host_intervals", SIM_COL_INT, "", "host-intervals with CPU or "
						"network use strictly above "
						"policy.threshold (whatever "
						"the policy)"},
	{"flagged_host_intervals", SIM_COL_INT, "", "host-intervals the policy "
						    "flagged hot (Sandpiper) "
						    "or overloaded "
						    "(bb-*)"},
	{"active_host_intervals", SIM_COL_INT, "", "host-intervals with a VM "
						   "counted on the host "
						   "(resident or migrating "
						   "in)"},
	{"full_host_intervals", SIM_COL_INT, "", "active host-intervals whose "
						 "VMs asked for all its cores "
						 "or more (100 % CPU)"},
	{"requested_core_s", SIM_COL_REAL, "", "CPU the VMs asked for: demand "
					       "capped by allocation x "
					       "interval, summed"},
	{"degraded_core_s", SIM_COL_REAL, "", "CPU lost to migrations: 10 % of "
					      "what a VM asked for during "
					      "its migrations' time within "
					      "accounted intervals"},
};
const sim_table dc_policy_metrics_table = {
	"policy_metrics",
	"one row per run: [BeloglazovBuyya12]'s metrics (SLATAH, PDM, SLAV), "
	"energy, migrations and hotspots, for comparing policies",
	policy_metric_cols,
	sizeof policy_metric_cols / sizeof policy_metric_cols[0]};

/* The tables in dc_table order (their names are dc_table_names'). */
static const sim_table *const all_tables[DC_TABLE_COUNT] = {
	&dc_hosts_table, &dc_vms_table, &dc_links_table, &dc_host_samples_table,
	&dc_link_samples_table, &dc_migrations_table, &dc_rounds_table,
	&dc_traffic_table, &dc_host_intervals_table, &dc_vm_intervals_table,
	&dc_actions_table, &dc_energy_table, &dc_policy_metrics_table};

/* What the summary of replications covers: the run itself, each
 * migration, each traffic flow and each machine run, by their outcome
 * columns (not the configured knobs, which do not vary between
 * replications). Links and samples are left out: one row per link or
 * sample and point would make the summary as large as the results. */
static const char *const run_metrics[] = {"events", "end_ns"};
static const char *const migration_keys[] = {"migration", "vm"};
static const char *const migration_metrics[] = {
	"total_ns", "downtime_ns", "residual_ns", "bytes", "memory_bytes",
	"disk_bytes", "state_bytes", "pages", "blocks", "rounds",
	"disk_rounds", "disk_ns", "faults", "stall_ns", "log_faults",
	"log_stall_ns"};
static const char *const policy_metrics[] = {
	"slatah", "pdm", "slav", "energy_kwh", "migrations",
	"hot_host_intervals", "flagged_host_intervals"};
/* A machine experiment's rows (machine_runs), by workload and mode: the
 * time and its split, the slowdown, and the counts behind the usual
 * gaps (traps, exits, TLB misses, hidden faults). */
static const char *const machine_keys[] = {"workload", "mode"};
static const char *const machine_metrics[] = {
	"slowdown", "relative", "cpi", "seconds", "cycles", "cycles_user",
	"cycles_kernel", "cycles_vmm", "cycles_tlb", "n_trap", "n_exit",
	"n_tlb_miss", "n_hidden_fault"};
static const char *const traffic_keys[] = {"flow", "vm"};
static const char *const traffic_metrics[] = {"bytes", "mean_rate_bps",
					      "end_ns"};
#define N(a) (sizeof(a) / sizeof((a)[0]))
static const sim_summary_spec summary_specs[] = {
	{"runs", NULL, 0, run_metrics, N(run_metrics)},
	{"migrations", migration_keys, N(migration_keys), migration_metrics,
	 N(migration_metrics)},
	{"traffic", traffic_keys, N(traffic_keys), traffic_metrics,
	 N(traffic_metrics)},
	{"policy_metrics", NULL, 0, policy_metrics, N(policy_metrics)},
	{"machine_runs", machine_keys, N(machine_keys), machine_metrics,
	 N(machine_metrics)},
};

const sim_summary_spec *dc_summary_specs(size_t *n)
{
	*n = N(summary_specs);
	return summary_specs;
}
#undef N

int dc_tables_declare(sim_results *r, const dc_results_cfg *sel,
		      sim_diag *d)
{
	int rc = 0;
	for (size_t t = 0; t < DC_TABLE_COUNT && rc == 0; t++) {
		if (!dc_results_has(sel, (dc_table)t))
			continue;
		if (t >= DC_TABLE_HOST_INTERVALS && !sel->control)
			continue;
		const sim_table *table = all_tables[t];
		if (t == DC_TABLE_HOST_SAMPLES && sel->host_rows_changed)
			table = &host_changes_table;
		if (t == DC_TABLE_HOSTS && sel->host_kinds)
			table = &dc_hosts_kind_table;
		rc = sim_results_declare(r, table, d);
	}
	return rc;
}

int dc_results_declare(sim_results *r, sim_diag *d)
{
	dc_results_cfg all = {.tables = (1u << DC_TABLE_COUNT) - 1,
			      .control = true};
	return dc_tables_declare(r, &all, d);
}

/* What cfg_section_load fills; the periods are resolved afterwards. */
typedef struct results_keys {
	uint64_t host_sample_interval_ns;
	uint64_t link_sample_interval_ns;
	int host_sample_rows; /* index into host_rows_choices */
	bool csv;
	bool plots;
} results_keys;

static const char *const host_rows_choices[] = {"every", "changed", NULL};

static const cfg_param results_params[] = {
	{.name = "host_interval", .type = CFG_T_TIME, .def = "0s",
	 .min = "0s", .offset = offsetof(results_keys, host_sample_interval_ns),
	 .doc = "period of host_samples (0s: experiment.sample_interval; "
		"else at least 1us)"},
	{.name = "link_interval", .type = CFG_T_TIME, .def = "0s",
	 .min = "0s", .offset = offsetof(results_keys, link_sample_interval_ns),
	 .doc = "period of link_samples (0s: experiment.sample_interval; "
		"else at least 1us)"},
	{.name = "host_sample_rows", .type = CFG_T_ENUM, .def = "every",
	 .choices = host_rows_choices,
	 .offset = offsetof(results_keys, host_sample_rows),
	 .doc = "every: a host_samples row per host per sample; changed: only "
		"when a host's values differ from its previous row"},
	{.name = "csv", .type = CFG_T_BOOL, .def = "true",
	 .offset = offsetof(results_keys, csv),
	 .doc = "vdcsim run also writes one CSV file per table"},
	{.name = "plots", .type = CFG_T_BOOL, .def = "true",
	 .offset = offsetof(results_keys, plots),
	 .doc = "vdcsim run draws the plots that fit the results (they read "
		"the CSV files: none without csv); or a list of plot names "
		"([migration_timeline, link_utilisation]): exactly those"},
};

/* plots: is the last parameter; given as a list it is read apart. */
#define RESULTS_NPARAMS (sizeof results_params / sizeof results_params[0])

static const char *const results_subsections[] = {"tables", "plot_scripts",
						  NULL};
static const char *const results_subsections_listed[] = {
	"tables", "plot_scripts", "plots", NULL};

/* results: when plots: is a list. */
static const cfg_section results_section_listed = {
	.path = "results",
	.params = results_params,
	.nparams = RESULTS_NPARAMS - 1,
	.subsections = results_subsections_listed,
};

const cfg_section dc_results_section = {
	.path = "results",
	.doc = "what a run writes: its tables, their sampling, CSV files and "
	       "plots; plot_scripts: [FILE.gp, ...] the config's own gnuplot "
	       "scripts (relative to the config, audited before the run)",
	.params = results_params,
	.nparams = RESULTS_NPARAMS,
	.subsections = results_subsections,
};

const cfg_section dc_results_tables_section = {
	.path = "results.tables",
	.doc = "a list of the tables to write, e.g. [migrations, "
	       "migration_rounds]; by default all but vm_intervals: hosts, "
	       "vms, links, host_samples, link_samples, migrations, "
	       "migration_rounds, traffic, host_intervals, actions, energy, "
	       "policy_metrics (runs is always written; the last five only "
	       "with a control loop: a policy or a VM with demand)",
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
					  "migration_rounds, traffic, "
					  "host_intervals, vm_intervals, actions, "
					  "energy or policy_metrics)", name);
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

static void refs_free(dc_plot_ref *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].file);
	}
	free(v);
}

void dc_results_free(dc_results_cfg *r)
{
	refs_free(r->plot_names, r->nplot_names);
	refs_free(r->plot_scripts, r->nplot_scripts);
	r->plot_names = r->plot_scripts = NULL;
	r->nplot_names = r->nplot_scripts = 0;
}

/* A list of names (plots:) or paths (plot_scripts:), each once. */
static void load_refs(const cfg_node *list, const char *key,
		      const char *want, dc_plot_ref **out, size_t *n,
		      sim_diag *d)
{
	if (cfg_node_kind(list) != CFG_SEQ) {
		cfg_error(d, list, "results.%s: expected a list of %s, got %s",
			  key, want, cfg_kind_name(cfg_node_kind(list)));
		return;
	}
	size_t len = cfg_node_len(list);
	*out = sim_xcalloc(len ? len : 1, sizeof **out);
	for (size_t i = 0; i < len; i++) {
		const cfg_node *item = cfg_node_at(list, i);
		const char *text = cfg_node_kind(item) == CFG_SCALAR
					   ? cfg_node_text(item) : NULL;
		if (!text || !*text) {
			cfg_error(d, item, "results.%s: expected %s, got %s", key,
				  want, text ? "an empty string"
					     : cfg_kind_name(cfg_node_kind(item)));
			continue;
		}
		bool twice = false;
		for (size_t j = 0; j < *n && !twice; j++)
			if (strcmp((*out)[j].text, text) == 0) {
				cfg_error(d, item, "results.%s: '%s' is listed "
					  "twice (first at %u:%u; expected each "
					  "once)", key, text, (*out)[j].line,
					  (*out)[j].col);
				twice = true;
			}
		if (twice)
			continue;
		const char *file = cfg_node_file(item);
		(*out)[*n] = (dc_plot_ref){
			.text = sim_xstrdup(text),
			.file = file ? sim_xstrdup(file) : NULL,
			.line = cfg_node_line(item),
			.col = cfg_node_col(item),
		};
		(*n)++;
	}
}

void dc_results_load(dc_config *c, const cfg_node *root, sim_diag *d)
{
	dc_results_cfg *out = &c->results;
	out->tables = ((1u << DC_TABLE_COUNT) - 1) &
		      ~(1u << DC_TABLE_VM_INTERVALS);
	const cfg_node *map = cfg_map_get(root, "results");
	results_keys k;
	memset(&k, 0, sizeof k);
	const cfg_node *plots = cfg_map_get(map, "plots");
	bool listed = plots && cfg_node_kind(plots) == CFG_SEQ;
	if (cfg_section_load(listed ? &results_section_listed
				    : &dc_results_section,
			     map, root, &k, d) != 0)
		return;
	if (listed) {
		k.plots = true;
		load_refs(plots, "plots", "a plot name such as "
			  "migration_timeline", &out->plot_names,
			  &out->nplot_names, d);
	}
	const cfg_node *scripts = cfg_map_get(map, "plot_scripts");
	if (scripts)
		load_refs(scripts, "plot_scripts", "a gnuplot script such as "
			  "my_plot.gp", &out->plot_scripts,
			  &out->nplot_scripts, d);
	check_interval(map, "host_interval", k.host_sample_interval_ns, d);
	check_interval(map, "link_interval", k.link_sample_interval_ns, d);
	uint64_t every = c->experiment.sample_interval_ns;
	out->host_sample_interval_ns =
		k.host_sample_interval_ns ? k.host_sample_interval_ns : every;
	out->link_sample_interval_ns =
		k.link_sample_interval_ns ? k.link_sample_interval_ns : every;
	out->host_rows_changed = k.host_sample_rows == 1;
	out->csv = k.csv;
	out->plots = k.plots;
	const cfg_node *tables = cfg_map_get(map, "tables");
	if (tables)
		load_tables(out, tables, d);
}
