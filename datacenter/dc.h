/* SPDX-License-Identifier: MIT */
/*
 * datacenter/: the simulated world. Loads an experiment's configuration
 * (experiment, datacenter, vms) into typed structs, builds hosts, racks and
 * VMs with their placement, and runs one experiment into a results store.
 * Sweeps, replications and output directories belong to cli/.
 */
#ifndef VDCSIM_DC_H
#define VDCSIM_DC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "mig.h"
#include "net.h"
#include "pol.h"
#include "sim.h"
#include "trace.h"
#include "wl.h"

/* Placement policies for VMs whose configuration names no host. */
typedef enum dc_placement {
	DC_PLACE_FIRST_FIT, /* first host, in name order, with room */
	DC_PLACE_WORST_FIT, /* the host with the most free memory (ties: first) */
} dc_placement;

typedef struct dc_experiment_cfg {
	const char *name;
	uint64_t seed;
	uint64_t duration_ns;
	uint64_t sample_interval_ns;
} dc_experiment_cfg;

/* A host's power model (datacenter.host.power_model). */
typedef enum dc_power_model {
	DC_POWER_LINEAR,   /* idle + (peak - idle) x CPU utilisation */
	DC_POWER_TABLE,    /* power_table: watts at 0 %, 10 %, ..., 100 % */
	DC_POWER_ML110_G4, /* the HP ProLiant ML110 G4 table [BeloglazovBuyya12] */
	DC_POWER_ML110_G5, /* the HP ProLiant ML110 G5 table [BeloglazovBuyya12] */
} dc_power_model;

/* A host's settings. The power settings are resolved by dc_host_power_load
 * so that any mapping of host settings can carry them. */
typedef struct dc_host_cfg {
	uint64_t cpus;
	uint64_t memory_bytes;
	uint64_t nic_bps;
	int power_model;        /* a dc_power_model */
	/* The linear model's watts at 0 % and 100 % CPU: defaults from the HP
	 * ProLiant ML110 G5 SPECpower table that [BeloglazovBuyya12] uses
	 * (93.7 W at 0 %, 135 W at 100 %). With a table model, its ends. */
	double power_idle_w;
	double power_peak_w;
	/* Table models: watts at 0 %, 10 %, ..., 100 % CPU, linear in
	 * between (power_table, or the named machine's). */
	double power_table_w[POL_POWER_POINTS];
	/* A host with no VM (none resident, none migrating in) is switched
	 * off: it draws nothing, as CloudSim counts a host at 0 % CPU. */
	bool power_off_empty;
	/* dom0's CPU for guests' network I/O: cores per Gbit/s of a VM's
	 * traffic (sent + received), charged back to the VM (control.c).
	 * 0: not modelled. */
	double dom0_cpu_per_gbit;
} dc_host_cfg;

/* The power table of host settings h, or NULL for the linear model. */
const double *dc_host_power_table(const dc_host_cfg *h);
/* Watts host settings h draw at CPU utilisation u (clamped to [0, 1]),
 * with `vms` VMs counted on the host (0 and power_off_empty: 0 W). */
double dc_host_power_w(const dc_host_cfg *h, double u, size_t vms);

typedef struct dc_fabric_cfg {
	uint64_t uplink_bps;
	uint64_t latency_ns;
} dc_fabric_cfg;

/* An entry of `datacenter.host_kinds:` (NAME: {cpus, memory, nic,
 * power_idle, power_peak}): the keys it leaves out are datacenter.host's.
 * The key `machine:` is reserved for a machine file per kind (models/cpu)
 * and refused for now. */
typedef struct dc_host_kind {
	const char *name;
	dc_host_cfg host;
	const cfg_node *node;   /* its mapping */
} dc_host_kind;

/* An entry of `racks:` in its list form ({hosts: N, kind: NAME}). */
typedef struct dc_rack_cfg {
	uint64_t hosts;
	const char *kind;       /* "": datacenter.host */
	size_t kind_index;      /* into dc_datacenter_cfg.kinds, or SIZE_MAX */
	const cfg_node *node;
} dc_rack_cfg;

/* One link of `datacenter.topology.links:`, full duplex, the same
 * capacity and one-way latency in each direction. */
typedef struct dc_topo_link_cfg {
	const char *a, *b;      /* host or node names */
	uint64_t capacity_bps;
	uint64_t latency_ns;
	const cfg_node *node;
} dc_topo_link_cfg;

/* `datacenter.topology:`: switches (nodes:) and links that replace the
 * generated fabric. Hosts are still those of racks:, named as always. */
typedef struct dc_topology_cfg {
	const char **nodes;     /* borrowed names */
	const cfg_node **node_nodes;
	size_t nnodes;
	dc_topo_link_cfg *links;
	size_t nlinks;
	const cfg_node *node;   /* the section */
} dc_topology_cfg;

typedef struct dc_datacenter_cfg {
	uint64_t racks;          /* per datacenter */
	uint64_t hosts_per_rack; /* racks: as a number; else the largest rack */
	int placement; /* dc_placement */
	dc_host_cfg host;
	dc_fabric_cfg fabric;
	/* The fabric as models/network builds it: datacenter.network's keys
	 * (datacenters, rack_latency, wan_bandwidth, wan_latency) plus the
	 * counts and rates above. */
	net_dc_params network;
	/* Owned. host_kinds: in document order (nkinds 0: none given, and the
	 * hosts table has no kind column). */
	dc_host_kind *kinds;
	size_t nkinds;
	/* racks: as a list, one entry per rack of each datacenter (NULL when
	 * racks: is a number: every rack has hosts_per_rack hosts of
	 * datacenter.host). */
	dc_rack_cfg *rack_list;
	/* topology: given, or NULL for the generated fabric. */
	dc_topology_cfg *topology;
	uint64_t nhosts;         /* over all racks and datacenters */
} dc_datacenter_cfg;

/* One entry of a VM's `traffic:` list: a persistent flow from the VM's
 * host to the host of VM `to`, capped at rate_bps, from start_ns until
 * stop_ns (0: the end of the run). It follows both VMs when they migrate. */
typedef struct dc_traffic_cfg {
	const char *to;         /* the peer VM's name */
	uint64_t rate_bps;      /* the cap; >= DC_TRAFFIC_UNCAPPED_BPS: none */
	uint64_t start_ns;
	uint64_t stop_ns;       /* 0: never stops */
	size_t peer;            /* index of `to` in dc_config.vms */
	const cfg_node *node;   /* the entry's mapping */
} dc_traffic_cfg;

/* The default cap of a traffic flow, 1000 Tbit/s: above any link's
 * capacity (NET_LINK_MAX_BPS), so no cap at all. */
#define DC_TRAFFIC_UNCAPPED_BPS NET_LINK_MAX_BPS

/* A VM's local disk (`disk:`), migrated with it before its memory (WAN
 * migration); size 0 means shared storage, nothing to migrate. Its block
 * writes follow the hot/cold or fresh-rate model of `dirtying:`, in
 * expected counts whatever the migration's fidelity. */
typedef struct dc_disk_cfg {
	uint64_t size_bytes;
	uint64_t block_size_bytes;
	uint64_t hot_set_bytes;
	double hot_writes_per_s;   /* block writes/s into the hot set */
	double cold_writes_per_s;  /* block writes/s into the rest */
	uint64_t fresh_rate_bps;   /* or: clean blocks written at this rate */
} dc_disk_cfg;

/* Where a VM's resource demand comes from (for policies and the
 * per-interval accounting of control.c). */
typedef enum dc_demand_source {
	DC_DEMAND_NONE,      /* no demand: the VM only occupies its host */
	DC_DEMAND_GENERATOR, /* `demand:` (workloads/' generator) */
	DC_DEMAND_TRACE,     /* `utilisation:` (a PlanetLab/Bitbrains trace) */
} dc_demand_source;

/* A VM's `utilisation:` section. */
typedef struct dc_util_cfg {
	const char *trace;   /* a file, or a folder dealt to a group */
	int format;          /* a trace_util_format */
	int resample;        /* a trace_util_interp */
} dc_util_cfg;

typedef struct dc_vm_cfg {
	const char *name;
	const char *host;       /* "rack0/host3", or "" to let placement choose */
	uint64_t vcpus;
	uint64_t memory_bytes;
	mem_dirtying_cfg dirtying; /* its `dirtying:` (defaults: idle) */
	dc_disk_cfg disk;       /* its `disk:` (defaults: none) */
	/* Its `page_writes:` (a workloads/ preset, generator or trace replay)
	 * when page_writes_node is not NULL; then dirtying gives only the
	 * page size. page_writes.replay points into `trace`. */
	wl_pages_params page_writes;
	const cfg_node *page_writes_node;
	trace_pages *trace;     /* the replayed trace, or NULL: owned, or
				   borrowed from the config's loader */
	bool trace_borrowed;
	dc_traffic_cfg *traffic; /* owned: its `traffic:` entries */
	size_t ntraffic;
	const cfg_node *node;   /* the VM's mapping, for messages */
	const cfg_node *host_node; /* its host: value, or NULL */
	uint64_t count;         /* its entry's count: (0: not a group) */
	char *owned_name;       /* a group member's name (name points here) */
	size_t group;           /* index into dc_config.groups, or SIZE_MAX */
	int demand_source;      /* a dc_demand_source */
	wl_demand_params demand; /* its `demand:` (DC_DEMAND_GENERATOR) */
	dc_util_cfg util;       /* its `utilisation:` (DC_DEMAND_TRACE) */
	const trace_util *util_trace; /* borrowed from dc_config.utils */
} dc_vm_cfg;

/* An entry of `vms:` with `count: N`: N VMs named NAME0 .. NAME<N-1>, all
 * alike, in vms[first .. first + count). A migration that names the group
 * moves every member. */
typedef struct dc_vm_group {
	const char *name;
	size_t first, count;
	const cfg_node *node;   /* the entry's mapping */
} dc_vm_group;

/* How a migration's guest dirtying is modelled. */
typedef enum dc_fidelity {
	DC_FIDELITY_STATISTICAL, /* expected counts (mem_hotcold) */
	DC_FIDELITY_PAGE_EXACT,  /* a dirty log fed by a page-write generator */
} dc_fidelity;

/* One entry of `migrations:`: which VM goes where and when, and the
 * mechanism's knobs (models/network/migration's table, whose defaults
 * follow the chosen policy: see dc_config_load). */
typedef struct dc_migration_cfg {
	const char *vm;
	const char *to;
	uint64_t at_ns;
	int fidelity;           /* dc_fidelity */
	mig_params mig;
	size_t vm_index;        /* into dc_config.vms */
	uint32_t to_host;       /* `to` as a host index of the world (a host
				 * index depends only on the config) */
	const cfg_node *node;   /* the entry's mapping */
} dc_migration_cfg;

/* The result tables of a run, in the order they are declared. */
typedef enum dc_table {
	DC_TABLE_HOSTS,
	DC_TABLE_VMS,
	DC_TABLE_LINKS,
	DC_TABLE_HOST_SAMPLES,
	DC_TABLE_LINK_SAMPLES,
	DC_TABLE_MIGRATIONS,
	DC_TABLE_MIGRATION_ROUNDS,
	DC_TABLE_TRAFFIC,
	DC_TABLE_HOST_INTERVALS, /* control loop: per host per interval */
	DC_TABLE_VM_INTERVALS,   /* per VM per interval: only when listed */
	DC_TABLE_ACTIONS,        /* the policy's actions */
	DC_TABLE_ENERGY,         /* per host and in total */
	DC_TABLE_POLICY_METRICS, /* one row per run: SLATAH, PDM, SLAV, ... */
	DC_TABLE_COUNT
} dc_table;

/* The names of the result tables, in dc_table order, NULL-terminated. */
extern const char *const dc_table_names[];
/* What sim_results_summarize summarises of a run's tables: runs (events,
 * end_ns), migrations (by migration and vm: times, volumes, rounds,
 * faults), traffic (by flow and vm) and policy_metrics (SLATAH, PDM,
 * SLAV, energy, migrations, hotspots); *n specs. */
const sim_summary_spec *dc_summary_specs(size_t *n);

/* A name or path the config wrote, and where (for positioned errors). */
typedef struct dc_plot_ref {
	char *text;
	char *file; /* cfg_node_file, or NULL */
	unsigned line, col;
} dc_plot_ref;

/* The `results:` section: what a run writes. */
typedef struct dc_results_cfg {
	/* Bit (1 << t) set for each dc_table t written (`tables:`; by
	 * default all but vm_intervals, a row per VM per interval). A table
	 * left out is not created. */
	uint32_t tables;
	/* The periods of host_samples and link_samples, resolved: the
	 * section's 0s (its default) is experiment.sample_interval. */
	uint64_t host_sample_interval_ns;
	uint64_t link_sample_interval_ns;
	/* host_sample_rows: changed: a host has a host_samples row only when
	 * its values differ from its previous row's (every host at the first
	 * sample); false (every, the default): a row per host per sample. */
	bool host_rows_changed;
	/* For cli/, which reads them from the first point's config (a sweep
	 * that changes them changes nothing): `vdcsim run` exports the CSV
	 * files only if csv, and draws the plots only if plots (which need
	 * CSV files). datacenter/ itself writes no file. */
	bool csv;
	bool plots;
	/* results.plots given as a list of plot names (then plots is true
	 * and exactly these are drawn), and results.plot_scripts (paths as
	 * written, relative to the config): each with where it was written,
	 * for cli/'s checks. Owned by the config. */
	dc_plot_ref *plot_names;
	size_t nplot_names;
	dc_plot_ref *plot_scripts;
	size_t nplot_scripts;
	/* The run has a control loop (dc_control_wanted): only then are
	 * host_intervals, vm_intervals, actions and energy declared. */
	bool control;
	/* datacenter.host_kinds is given: the hosts table has a kind column. */
	bool host_kinds;
} dc_results_cfg;

/* Whether config results r writes table t. */
static inline bool dc_results_has(const dc_results_cfg *r, dc_table t)
{
	return (r->tables >> t) & 1u;
}

typedef struct dc_names dc_names;
typedef struct dc_loader dc_loader;
/* The `machine:` section (machine_runs.c): the machine alone. */
typedef struct dc_machine_cfg dc_machine_cfg;

/* A validated experiment. Strings and nodes are borrowed from the document,
 * which must outlive it. */
typedef struct dc_config {
	dc_experiment_cfg experiment;
	dc_datacenter_cfg datacenter;
	dc_vm_cfg *vms;
	size_t nvms;
	dc_migration_cfg *migrations;
	size_t nmigrations;
	dc_results_cfg results;
	dc_names *vm_names;     /* owned: VM name -> index into vms */
	dc_vm_group *groups;    /* owned: the entries with count: */
	size_t ngroups;
	dc_names *group_names;  /* owned: group name -> index into groups */
	dc_loader *loader;      /* borrowed: its traces' cache, or NULL */
	pol_params policy;      /* `policy:` (name none: no control loop) */
	const cfg_node *policy_node; /* the section, or NULL */
	struct dc_utils *utils; /* owned: utilisation traces, each file or
				   folder read once per config (NULL when the
				   loader holds them) */
	const cfg_doc *doc;
	/* owned: `machine:` (the machine alone, without a datacenter: only
	 * the machine_runs table is written), or NULL */
	dc_machine_cfg *machine;
} dc_config;

/* Top-level keys of an experiment file; cli/ handles `sweep` and
 * `replications`, datacenter/ the others. NULL-terminated. */
extern const char *const dc_top_keys[];

/* Parameter table i of an experiment (experiment, datacenter, its host,
 * fabric and network, vms[], vms[].dirtying, vms[].page_writes,
 * vms[].traffic[], migrations[], the migration mechanism's knobs, results
 * and results.tables), in the order `vdcsim params` prints them; NULL past
 * the last. */
const cfg_section *dc_section_at(size_t i);

/* Validates doc (without its `sweep` and `replications` keys, which it
 * ignores) and returns a new config in *out. Checks every parameter, that
 * VM names are unique, that every VM can be placed (a named host exists
 * and has room, or the placement policy finds one) and that every
 * migration names a VM (at most one migration per VM), a host other than
 * the VM's with room for it (migrations taken in order of time), and a
 * time within the run. A migration's knobs start from the defaults of its
 * policy (mig_params_preset) and then take what the entry gives.
 * A VM's page_writes must fit its memory (wl_pages_check), and a replay
 * trace is read here (trace_pages_load: errors in its text are positioned
 * in the trace file, those about the file as a whole at the config's
 * trace: key) and must have exactly the VM's pages and page size; a
 * statistical migration needs page_writes its expected counts can take
 * (hotset, uniform), a page-exact migration of a replaying VM must
 * start before the trace ends, and one of a VM with dirtying: rates needs
 * a page count and rates its page-write generator takes (page_writes:
 * bounds). Traffic entries name another VM and times
 * within the run. Relative trace paths are taken from the directory of the
 * file the document was read from (cfg_node_file of its root; none for a
 * bare file name). Reports all problems found at their nodes and returns
 * SIM_EINPUT; *out is then NULL. Cost: reading every trace. */
int dc_config_load(const cfg_doc *doc, dc_config **out, sim_diag *d);
/* As dc_config_load, with relative trace paths taken from base_dir instead
 * (NULL: as dc_config_load), for a document read from elsewhere than where
 * it was written (`vdcsim run --resume` reads a copy). */
int dc_config_load_at(const cfg_doc *doc, const char *base_dir,
		      dc_config **out, sim_diag *d);
/* A loader context: the traces read by the configs loaded through it,
 * each path read once per context (a sweep's points share one). */
dc_loader *dc_loader_create(void);
/* Frees the context and its traces: every config loaded through it must
 * be destroyed first. NULL is a no-op. */
void dc_loader_destroy(dc_loader *l);
/* How many trace files l has read (failed reads included). */
size_t dc_loader_reads(const dc_loader *l);
/* How many traces l holds (read successfully), and the path the i-th was
 * read from (the config's folder joined to the configured path; relative
 * to the working directory if that folder was), in first-read order; NULL
 * past the end. */
size_t dc_loader_count(const dc_loader *l);
const char *dc_loader_path(const dc_loader *l, size_t i);
/* As dc_config_load_at, with replay traces taken from l (read into it the
 * first time a path is seen; l NULL: as dc_config_load_at). The config
 * borrows them: it must be destroyed before l. */
int dc_config_load_with(const cfg_doc *doc, const char *base_dir,
			dc_loader *l, dc_config **out, sim_diag *d);
/* Frees a config and the traces it read; NULL is a no-op. */
void dc_config_destroy(dc_config *c);
/* The index in c->vms of the first VM named `name`, or -1 if there is
 * none. O(1) expected (a hash index built once at load). */
long dc_config_find_vm(const dc_config *c, const char *name);
/* The index into c->groups of the group `name`, or -1. O(1) expected. */
long dc_config_find_group(const dc_config *c, const char *name);

/* What one run of a config will do and write, estimated from its
 * parameters alone (nothing is simulated), honouring `results:`. Counts
 * are exact where the config fixes them (hosts, links, host samples of
 * every interval), with lower and upper bounds where the run decides
 * (changed-only host rows; link samples, which leave idle links out; a
 * migration takes at least its memory and disk over min(max_rate, NIC),
 * which bounds the run's end from below). The migration rounds and
 * traffic tables are not counted. Saturating. */
typedef struct dc_estimate {
	uint64_t hosts;
	uint64_t links;            /* directed */
	uint64_t host_samples;     /* rows, at least */
	uint64_t host_samples_max; /* rows, at most */
	uint64_t link_samples_max; /* rows, at most (idle links are left out) */
	uint64_t interval_rows;    /* host_intervals + vm_intervals rows */
	uint64_t rows;             /* every table, at least */
	uint64_t rows_max;         /* every table, at most what is counted */
	uint64_t bytes_max;        /* database and CSVs, roughly 64 B a row */
	uint64_t events;           /* at least */
	double min_end_s;          /* the run's simulated end, at least */
	double page_writes;        /* page-exact guest writes drawn, at least */
} dc_estimate;

/* What a `machine:` experiment runs, for a summary: its machine file's
 * name (borrowed from c), workloads and listed modes, the runs of the
 * machine (native's too where not listed), the instructions they run in
 * all (warm-ups included) and whether in sampled mode. False (and *out
 * untouched) when c has no machine section. O(1). */
typedef struct dc_machine_info {
	const char *machine;
	uint64_t workloads, modes, runs, instructions;
	bool sampled;
} dc_machine_info;
bool dc_config_machine_info(const dc_config *c, dc_machine_info *out);
/* A benchmark loop (a workload with evenly spaced events) whose run in a
 * machine experiment holds fewer than DC_MACHINE_MIN_EVENTS of its
 * events (where the run cuts one, the cut weighs on the ratios: lmbench's
 * exec, an event every ~0.56 M instructions, ran 4 M), or less than one
 * loop (wl_stream_loop: lmbench-sh, a fork, two execs and 141 faults in
 * 9.2 M, would miss its fork in a run of 4 M). */
#define DC_MACHINE_MIN_EVENTS 10
typedef struct dc_machine_short {
	const char *workload;   /* borrowed from c */
	double every;           /* instructions from one event to the next */
	double events;          /* events the run holds */
	double loop;            /* instructions of its loop (wl_stream_loop) */
	uint64_t instructions;  /* machine.instructions */
	const cfg_node *at;     /* machine.instructions, else machine: */
} dc_machine_short;
/* Writes up to max such loops of c's machine experiment to out, in the
 * order of machine.workloads, and returns how many there are (0 when c
 * has no machine experiment). O(workloads). */
size_t dc_machine_short_loops(const dc_config *c, dc_machine_short *out,
			      size_t max);
/* Fewer windows than this in a sampled machine run give a wide interval
 * (the catalog's applications: +-2 to +-10 % at 50 windows, where 45 of
 * 237 workload and mode pairs were over 2 % from detailed; 10 at 500;
 * models/cpu/README.md "Sampled mode"): validate and run warn. */
#define DC_MACHINE_MIN_WINDOWS 100
/* The windows each sampled run of c's machine experiment measures, as
 * cpu_sample_run spaces them (0 without machine.sampling), with *period
 * their spacing, *instructions the run's (machine.instructions), *capped
 * whether machine.sampling.windows set their number, and *at the node a
 * warning points at (machine.sampling's period, else the section). O(1). */
uint64_t dc_machine_windows(const dc_config *c, uint64_t *period,
			    uint64_t *instructions, bool *capped,
			    const cfg_node **at);

/* The bounds a run must stay within unless large runs are allowed. */
#define DC_MAX_ROWS UINT64_C(100000000)     /* ~6 GB of results per run */
#define DC_MAX_EVENTS UINT64_C(10000000000) /* minutes of simulation */
#define DC_MAX_PAGE_WRITES 1e10             /* per page-exact migration */

/* True if a run of c draws from a random stream, so that replications
 * with different seeds can differ: some page-exact migration takes its
 * guest's writes from a generator (page_writes of a kind other than
 * replay, or dirtying: hot/cold rates not both 0). Statistical fidelity,
 * replay, traffic and disks are deterministic. O(migrations). */
bool dc_config_has_random_draws(const dc_config *c);
/* Fills *out for one run of c. O(VMs + migrations). */
void dc_config_estimate(const dc_config *c, dc_estimate *out);
/* Checks c's estimate against the bounds above, reporting each excess at
 * the node that causes it (the sampling interval, a migration's fidelity)
 * with what to change. A migration that could not end within the largest
 * stored time (2^63 - 1 ns) is refused even when allow_large is set.
 * Returns 0 or SIM_EINPUT. */
int dc_config_check_bounds(const dc_config *c, bool allow_large, sim_diag *d);

typedef struct dc_host {
	char name[32];          /* "rack0/host3", or "dc1/rack0/host3" */
	uint32_t datacenter;
	uint32_t rack;          /* within its datacenter */
	uint32_t index;         /* global index, rack-major */
	const char *kind;       /* its rack's kind, or "default" */
	uint64_t cpus;
	uint64_t memory_bytes;
	uint64_t nic_bps;
	double power_idle_w;
	double power_peak_w;
	uint64_t vcpus_committed;
	uint64_t memory_committed_bytes;
	uint32_t nvms;
} dc_host;

typedef struct dc_vm {
	const char *name;       /* borrowed from the config */
	uint32_t host;          /* index into the world's hosts */
	uint64_t vcpus;
	uint64_t memory_bytes;
	bool placed_by_policy;
} dc_vm;

typedef struct dc_world {
	dc_host *hosts;         /* node id order of the topology */
	size_t nhosts;
	dc_vm *vms;
	size_t nvms;
	net_topo *topo;         /* owned: hosts, ToRs, cores, links */
	const dc_config *cfg;   /* borrowed */
} dc_world;

/* Builds the topology and hosts and places VMs in config order. Returns a
 * new world or SIM_EINPUT with messages (unknown host name, no room) at the
 * VM's nodes. O(hosts + vms·log(hosts)): policy placement searches a tree
 * of the hosts' free memory. */
int dc_world_build(const dc_config *c, dc_world **out, sim_diag *d);
/* The host parameters of rack r (within any datacenter): its kind's, or
 * datacenter.host. */
const dc_host_cfg *dc_config_rack_host(const dc_config *c, uint64_t r);
/* The number of hosts of rack r (within any datacenter). */
uint64_t dc_config_rack_hosts(const dc_config *c, uint64_t r);
/* The network of c's world, into a new *out: net_topo_create_dc's fabric
 * when racks are alike (same count and NIC) and no topology: is given
 * (routes then cost O(1)); else the same fabric built node by node with
 * each rack's count and NIC (same names, numbering and latency split), or
 * the explicit topology: hosts first (rack-major, as always), then the
 * topology's nodes in their order, then its links in their order. Routes
 * on a built topology are net_topo_path's (fewest hops, ties to the
 * lowest link index), cached per pair in use within a bound that does
 * not grow with the hosts (net.h). Reports, at their
 * nodes, a node that repeats a name, a link naming an unknown node or
 * joining a node to itself, a link that repeats an earlier link's pair of
 * nodes, and a host no route joins to the first host; returns SIM_EINPUT
 * then. O(hosts + nodes + links·log links). */
int dc_topology_build(const dc_config *c, net_topo **out, sim_diag *d);

/* Frees a world; NULL is a no-op. */
void dc_world_destroy(dc_world *w);
/* The host index of w named `name` ("rackR/hostH", or "dcD/rackR/hostH"
 * with several datacenters; canonical decimal numbers only); -1 if there is
 * no such host. O(1) expected. */
long dc_world_find_host(const dc_world *w, const char *name);

/* Wall-clock progress is the caller's: the engine calls fn with the
 * running engine every `every` events (every 0: never, if attention is
 * set; else every event), and whenever *attention is non-zero after an
 * event (sim_engine_set_attention; NULL: never). */
typedef struct dc_progress {
	void (*fn)(void *ctx, sim_engine *e);
	void *ctx;
	uint64_t every;
	volatile sig_atomic_t *attention;
	/* Optional (NULL: none): called with ctx right before (done false)
	 * and right after (done true) each interval's policy step (observe
	 * and decide), so that a caller can time the policy's decisions on
	 * its own clock. It must not touch the run. */
	void (*decide)(void *ctx, bool done);
	/* Optional (NULL: none): a `machine:` experiment runs no engine, so
	 * fn and attention's engine calls do not apply; it calls this with
	 * ctx whenever *attention is non-zero, between blocks of at most
	 * 65,536 instructions (and between sampled runs), with the
	 * instructions done and to do over all of the run's workloads and
	 * modes (warm-ups included). Returning true stops the run
	 * (dc_experiment_run returns SIM_EINTR). */
	bool (*machine)(void *ctx, uint64_t done, uint64_t total);
} dc_progress;

/* What one run did, for the runs table and the progress line. */
typedef struct dc_run_stats {
	uint64_t events;
	uint64_t end_ns;
} dc_run_stats;

/* Declares all of datacenter/'s result tables (hosts, vms, links,
 * host_samples, link_samples, migrations, migration_rounds, traffic) in r.
 * (A run declares only those its config's results.tables selects.) */
int dc_results_declare(sim_results *r, sim_diag *d);
/* Runs the experiment c with master seed `seed` (the run's own seed, after
 * replication) and writes the rows of the tables c->results selects into r
 * under r's current run id (declaring those tables). The
 * run lasts experiment.duration, or until its last migration is done if
 * that is later (background traffic never extends it: its flows are cut
 * at the end).
 * Returns 0, SIM_EINTR if the engine was stopped through the progress hook
 * (nothing of the run is valid then), or a results error. */
int dc_experiment_run(const dc_config *c, uint64_t seed, sim_results *r,
		      const dc_progress *progress, dc_run_stats *stats,
		      sim_diag *d);

#endif /* VDCSIM_DC_H */
