/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of datacenter/: the migrations: section, shared by
 * config.c (loading) and experiment.c; a VM's guest activity (page_writes,
 * traffic) loaded by guests.c; the background traffic of a run
 * (traffic.c), driven by experiment.c.
 */
#ifndef VDCSIM_DC_INTERNAL_H
#define VDCSIM_DC_INTERNAL_H

#include "dc.h"

/* The table of a migration entry's own keys (vm, to, at, fidelity); its
 * subsections are the mechanism's keys (migration_knob_names). */
extern const cfg_section dc_migration_section;
/* The names of mig_sections()[0]'s parameters, NULL-terminated: a test
 * checks that the two lists agree. */
extern const char *const dc_migration_knob_names[];

/* Loads `migrations:` of root into c (c->vms already loaded). Reports at
 * the entries' nodes. */
void dc_migrations_load(dc_config *c, const cfg_node *root, sim_diag *d);
/* Checks each migration against the initial placement of w: a VM that
 * exists and is migrated once, a destination host that exists, differs
 * from the source and has room (migrations applied in time order), a time
 * within the run. */
void dc_migrations_check(const dc_config *c, const dc_world *w, sim_diag *d);

/* ---- topology.c: host kinds, racks: as a list, topology: ------------- */

/* The tables of datacenter.host_kinds.NAME, datacenter.racks[],
 * datacenter.topology and datacenter.topology.links[]. */
extern const cfg_section dc_kind_section, dc_rack_section,
	dc_topology_section, dc_topo_link_section;
/* Loads host_kinds, racks: as a list and topology of the datacenter
 * mapping dcn (NULL: none) into c->datacenter, whose other keys and host
 * are loaded (a kind starts from datacenter.host); sets racks and
 * hosts_per_rack (the largest rack) from a list. Reports at the nodes.
 * Names in links are resolved when the world is built
 * (dc_topology_build). */
void dc_layout_load(dc_config *c, const cfg_node *dcn, sim_diag *d);
/* Frees what dc_layout_load allocated in dc. */
void dc_layout_free(dc_datacenter_cfg *dc);

/* ---- names.c: a map from names to indices ----------------------------- */

/* A new map sized for about `expected` names (it grows past that). Names
 * are borrowed and must outlive it. Nothing iterates it: its order never
 * reaches results. */
dc_names *dc_names_create(size_t expected);
/* Frees the map (not the names); NULL is a no-op. */
void dc_names_destroy(dc_names *m);
/* Maps name to value unless name is mapped already; returns the value
 * name maps to afterwards (value, or the earlier one). O(1) expected. */
size_t dc_names_add(dc_names *m, const char *name, size_t value);
/* The value name maps to, or -1 (also for a NULL map or name). O(1)
 * expected. */
long dc_names_find(const dc_names *m, const char *name);

/* ---- power.c: the power settings of a host mapping --------------------- */

/* The choices of a host mapping's power_model, in dc_power_model order. */
extern const char *const dc_power_model_names[];
/* After a host section's parameters (power_model, power_idle, power_peak,
 * power_off_empty; "power_table" one of its subsections) are loaded into
 * h from mapping `map`
 * (NULL: absent) named `path` ("datacenter.host"): reads power_table,
 * resolves power_model (a named machine's table; power_table only with
 * power_model table or no power_model; power_idle and power_peak only
 * with the linear model; idle <= peak; a table of POL_POWER_POINTS
 * non-negative watts that never fall) and sets power_idle_w and
 * power_peak_w to a table's ends. Reports at the offending nodes, or at
 * `where` when map is NULL. */
void dc_host_power_load(dc_host_cfg *h, const cfg_node *map,
			const cfg_node *where, const char *path, sim_diag *d);

/* ---- outputs.c: the result tables and the results: section ------------ */

/* The result tables written by experiment.c (traffic.c has its own). */
extern const sim_table dc_hosts_table, dc_hosts_kind_table, dc_vms_table, dc_links_table,
	dc_host_samples_table, dc_link_samples_table, dc_migrations_table,
	dc_rounds_table, dc_host_intervals_table, dc_vm_intervals_table,
	dc_actions_table, dc_energy_table, dc_policy_metrics_table;
/* Declares in r the tables sel selects, in dc_table order (host_samples
 * documented as sel->host_rows_changed makes it). Returns 0 or the first
 * results error. */
int dc_tables_declare(sim_results *r, const dc_results_cfg *sel,
		      sim_diag *d);

/* The tables of `results:` and of its `tables:` list, for dc_section_at. */
extern const cfg_section dc_results_section;
extern const cfg_section dc_results_tables_section;
/* Frees what dc_results_load allocated in r (its plot lists). */
void dc_results_free(dc_results_cfg *r);
/* Loads `results:` of root into c->results (c->experiment loaded):
 * unknown or repeated table names are reported at their list items. */
void dc_results_load(dc_config *c, const cfg_node *root, sim_diag *d);

/* ---- loader.c: traces read once per loader --------------------------- */

/* The trace at path: l's copy if l read it before, else read now (by
 * trace_pages_load, errors as it reports them) and kept in l (a failed
 * read is not kept). *out is borrowed from l, or owned by the caller when
 * l is NULL. */
int dc_loader_trace(dc_loader *l, const char *path, trace_pages **out,
		    sim_diag *d);
/* True if l holds the trace read from path (false for a NULL l). */
bool dc_loader_has(const dc_loader *l, const char *path);

/* ---- guests.c: vms[].page_writes and vms[].traffic -------------------- */

/* The table of a traffic entry (vms[].traffic[]). */
extern const cfg_section dc_traffic_section;
/* vms[].disk (guests.c), filling a dc_disk_cfg. */
extern const cfg_section dc_disk_section;

/* Loads VM vm's `page_writes:` and `traffic:` entries (its mapping item)
 * after its other keys: the generator (wl_pages_params_load), its check
 * against the VM's pages, and a replay trace read from base_dir (see
 * dc_config_load). Reports at the nodes. */
void dc_guest_load(dc_config *c, size_t vm, const cfg_node *item,
		   const char *base_dir, sim_diag *d);
/* Checks every VM's traffic entries once all VMs are loaded: the peer is
 * another VM, the times lie within the run. Sets each entry's peer. */
void dc_traffic_check(dc_config *c, sim_diag *d);
/* Checks each migration against its VM's page_writes: a statistical one
 * needs expected counts (dc_page_writes_hotcold), a page-exact one of a
 * replaying VM must start before the trace ends; and a page-exact one of
 * a VM with dirtying: rates needs a generator (dc_dirtying_pages) that
 * workloads/ takes: at most as many pages and writes/s as page_writes:
 * may have. Migrations must have their vm_index (dc_migrations_check ran
 * without errors). */
void dc_guest_check_migrations(const dc_config *c, sim_diag *d);
/* Frees what dc_guest_load allocated for VM vm. */
void dc_guest_fini(dc_vm_cfg *vm);
/* The hot/cold model with exactly p's expected counts on a VM of `pages`
 * pages (p passes wl_pages_check): a hot set is itself, a uniform region
 * of R pages a hot set of R pages without cold writes. Returns false for
 * zipf, replay and sweep, which the statistical model cannot take. */
bool dc_page_writes_hotcold(const wl_pages_params *p, uint64_t pages,
			    mem_hotcold *out);
/* The page-write generator that stands for VM vm's `dirtying:` hot/cold
 * rates (no fresh_rate) in a page-exact migration, the VM having `pages`
 * pages: a hot set and the other pages, or a single uniform class when
 * the hot set is empty or the whole VM. */
void dc_dirtying_pages(const dc_vm_cfg *vm, uint64_t pages,
		       wl_pages_params *out);

/* ---- traffic.c: background flows between VMs during a run ------------- */

/* The `traffic` result table: one row per segment of a flow (its time
 * between two hosts). */
extern const sim_table dc_traffic_table;

typedef struct dc_traffic dc_traffic;

/* The traffic of config c over world w and flow model n, writing its rows
 * into r (errors reported in d). Every entry of every VM's traffic: list,
 * in VM then entry order, is flow index 0, 1, ...; nothing starts until
 * dc_traffic_start. Borrows everything. */
dc_traffic *dc_traffic_create(const dc_config *c, dc_world *w, net *n,
			      sim_results *r, sim_diag *d);
/* Frees the records (not the flows, which the net owns); NULL is a
 * no-op. */
void dc_traffic_destroy(dc_traffic *t);
/* Flows in all. */
size_t dc_traffic_count(const dc_traffic *t);
/* The configuration entry of flow i. */
const dc_traffic_cfg *dc_traffic_entry(const dc_traffic *t, size_t i);
/* Starts flow i now between its VMs' current hosts (no net flow if they
 * share a host). Returns 0 or the first results error so far. */
int dc_traffic_start(dc_traffic *t, size_t i);
/* Ends flow i now and records its segment. Returns as dc_traffic_start. */
int dc_traffic_stop(dc_traffic *t, size_t i);
/* VM vm now lives on host `host`: every running flow from or to it ends
 * its segment (recorded) and restarts between the new pair of hosts.
 * Returns as dc_traffic_start. */
int dc_traffic_vm_moved(dc_traffic *t, size_t vm, uint32_t host);
/* Ends every running flow now (the end of the run), recording them.
 * Returns as dc_traffic_start. */
int dc_traffic_finish(dc_traffic *t);

/* ---- demand.c: vms[].demand, vms[].utilisation, policy: -------------- */

/* The table of `utilisation:` (trace, format, resample). */
extern const cfg_section dc_util_section;
/* Loads VM v's `demand:` or `utilisation:` (its mapping item; at most
 * one of them) after its other keys; a utilisation trace path is joined to
 * base_dir and read once per config into c->utils (a folder: member k of
 * a group gets its file k mod the number of files, in name order).
 * Errors about the path at the config's trace: node, errors inside a file
 * where they are. */
void dc_demand_load(dc_config *c, size_t v, const cfg_node *item,
		    const char *base_dir, sim_diag *d);
/* Loads `policy:` of root into c->policy (c->experiment loaded). */
void dc_policy_load(dc_config *c, const cfg_node *root, sim_diag *d);
/* Frees the utilisation traces' cache; NULL is a no-op. */
void dc_utils_destroy(struct dc_utils *u);
/* The utilisation traces' cache of loader l (NULL until the first
 * read), freed with l: a sweep's points share it as they share replay
 * traces. */
struct dc_utils **dc_loader_utils(dc_loader *l);
/* Files or folders read into the cache (for tests of sharing). */
size_t dc_utils_reads(const struct dc_utils *u);

/* ---- control.c: per-interval accounting and the policy's step -------- */

typedef struct dc_control dc_control;

/* True if a run of c has a control loop: a policy other than none, or a
 * VM with a demand source (accounting without a policy). */
bool dc_control_wanted(const dc_config *c);
/* The loop of c over world w (borrowed; its VMs' hosts are read each
 * interval), generators seeded from `seed` (stream "vm/NAME/demand"),
 * rows into r. NULL with messages in d if the policy refuses the sizes. */
dc_control *dc_control_create(const dc_config *c, dc_world *w, uint64_t seed,
			      sim_results *r, sim_diag *d);
/* Frees it; NULL is a no-op. */
void dc_control_destroy(dc_control *ctl);
/* Calls fn(ctx, false) before and fn(ctx, true) after each policy step
 * (dc_progress.decide); fn NULL: none. */
void dc_control_set_decide_hook(dc_control *ctl, void (*fn)(void *, bool),
				void *ctx);
/* The monitoring interval, ns. */
uint64_t dc_control_interval_ns(const dc_control *ctl);
/* The interval ending at now (now >= interval; called at every multiple
 * of it in order): accounts demand and shares (rules in control.c), writes
 * host_intervals and vm_intervals rows, steps the policy and points *out
 * at its answer (valid until the next step). Returns 0 or a results
 * error. O(hosts + VMs) plus the policy's cost. */
int dc_control_step(dc_control *ctl, uint64_t now, const pol_out **out);
/* VM vm is migrating to dst from now_ns (POL_NONE: its migration ended
 * then and the world already has it on its new host). The time in flight
 * within accounted intervals is the VM's migration time for PDM. */
void dc_control_migrating(dc_control *ctl, uint32_t vm, uint32_t dst,
			  uint64_t now_ns);
/* True while a migration of vm is in flight. */
bool dc_control_in_flight(const dc_control *ctl, uint32_t vm);
/* Sets vm's allocation of res to amount (cores, bit/s, bytes); a
 * negative or non-finite amount is ignored. */
void dc_control_resize(dc_control *ctl, uint32_t vm, pol_resource res,
		       double amount);
/* Writes the actions row of a with its outcome ("started", "in-flight",
 * "no-room", "done"). Returns 0 or a results error. */
int dc_control_action_row(dc_control *ctl, uint64_t now, const pol_action *a,
			  const char *outcome);
/* Writes the energy rows (per host and a "total" row) and the run's
 * policy_metrics row, each if selected. */
int dc_control_finish(dc_control *ctl, uint64_t end_ns);

/* ---- machine_runs.c: the machine alone (`machine:`) ------------------- */

/* The table of `machine:` (file, instructions, warmup, memory; its lists
 * workloads and modes are loaded apart). */
extern const cfg_section dc_machine_section;
extern const cfg_section dc_machine_sampling_section; /* machine.sampling */
/* The machine_runs result table. */
extern const sim_table dc_machine_runs_table;
/* Loads `machine:` of root into c->machine (nothing when absent): the
 * machine file (base_dir joined to a relative path; its own errors
 * positioned in it), each workload (a catalog name or a stream mapping,
 * checked by wl_stream_check), each mode (known, supported by the
 * machine's arch, listed once). With a machine, c->results.tables is
 * cleared: the run writes machine_runs only. Reports at the nodes and
 * returns 0 or SIM_EINPUT. */
int dc_machine_load(dc_config *c, const cfg_node *root, const char *base_dir,
		    sim_diag *d);
/* The machine_runs rows a run of mc writes (workloads x modes) and the
 * machine runs it makes (native's too where not listed). */
void dc_machine_counts(const dc_machine_cfg *mc, uint64_t *rows,
		       uint64_t *runs);
/* Frees a machine section; NULL is a no-op. */
void dc_machine_destroy(dc_machine_cfg *mc);
/* Runs c->machine into r: for each workload, native and then each listed
 * mode on a fresh core and VM, the stream drawn from random stream
 * "machine/WORKLOAD" of seed (the same for every mode): warmup
 * instructions unmeasured, then `instructions` measured and the event in
 * progress completed. A machine_runs row per workload and listed mode.
 * stats->events counts the runs of the machine. progress (NULL: none)
 * is polled as dc_progress.machine says. Returns 0, SIM_EINTR when
 * progress->machine asked to stop (nothing of the run is valid then), or
 * a results error. Cost: O(workloads x modes x (warmup + instructions)). */
int dc_machine_run(const dc_config *c, uint64_t seed, sim_results *r,
		   const dc_progress *progress, dc_run_stats *stats,
		   sim_diag *d);

#endif /* VDCSIM_DC_INTERNAL_H */
