/* SPDX-License-Identifier: MIT */
/*
 * Runs one experiment: builds the world, starts the engine with the host
 * monitor (a periodic sample of every host's committed resources, the view
 * a placement policy reads), and records hosts, VMs and samples. Models of
 * later layers attach here.
 */
#include "dc.h"

#include <stdlib.h>

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
static const sim_table hosts_table = {
	"hosts", "every host with its capacities and what is placed on it",
	host_cols, sizeof host_cols / sizeof host_cols[0]};

static const sim_column vm_cols[] = {
	{"vm", SIM_COL_TEXT, "", "VM name"},
	{"host", SIM_COL_TEXT, "", "host at the end of the run"},
	{"vcpus", SIM_COL_INT, "", "virtual CPUs"},
	{"memory_bytes", SIM_COL_INT, "B", "guest-physical memory"},
	{"placed_by", SIM_COL_TEXT, "", "'config' (named host) or the placement policy"},
};
static const sim_table vms_table = {"vms", "every VM and its placement",
				    vm_cols, sizeof vm_cols / sizeof vm_cols[0]};

static const sim_column link_cols[] = {
	{"link", SIM_COL_INT, "", "directed link index (2k and 2k+1: the two "
				  "directions of full-duplex link k)"},
	{"from", SIM_COL_TEXT, "", "node it leaves (host, rackR/tor, core)"},
	{"to", SIM_COL_TEXT, "", "node it enters"},
	{"capacity_bps", SIM_COL_INT, "bit/s", "capacity in this direction"},
	{"latency_ns", SIM_COL_INT, "ns", "one-way propagation delay"},
};
static const sim_table links_table = {
	"links", "the fabric: every directed link with capacity and latency",
	link_cols, sizeof link_cols / sizeof link_cols[0]};

static const sim_column sample_cols[] = {
	{"time_ns", SIM_COL_INT, "ns", "simulated time of the sample"},
	{"host", SIM_COL_TEXT, "", "host name"},
	{"vms", SIM_COL_INT, "", "VMs on the host"},
	{"vcpus_committed", SIM_COL_INT, "", "sum of the VMs' vCPUs"},
	{"memory_committed_bytes", SIM_COL_INT, "B", "sum of the VMs' memory"},
};
static const sim_table samples_table = {
	"host_samples", "the host monitor's periodic view of every host",
	sample_cols, sizeof sample_cols / sizeof sample_cols[0]};

int dc_results_declare(sim_results *r, sim_diag *d)
{
	int rc = sim_results_declare(r, &hosts_table, d);
	if (rc == 0)
		rc = sim_results_declare(r, &vms_table, d);
	if (rc == 0)
		rc = sim_results_declare(r, &links_table, d);
	if (rc == 0)
		rc = sim_results_declare(r, &samples_table, d);
	return rc;
}

enum monitor_event { MONITOR_SAMPLE };

typedef struct monitor {
	const dc_world *world;
	sim_results *results;
	sim_diag *diag;
	uint64_t interval_ns, end_ns;
	int rc; /* first results error; stops the run */
} monitor;

static void monitor_handle(sim_engine *e, sim_model *m, void *state,
			   uint32_t kind, const void *payload)
{
	(void)payload;
	monitor *mon = state;
	switch ((enum monitor_event)kind) {
	case MONITOR_SAMPLE:
		for (size_t i = 0; i < mon->world->nhosts && mon->rc == 0; i++) {
			const dc_host *h = &mon->world->hosts[i];
			sim_value v[] = {
				{.i = (int64_t)sim_now(e)},
				{.s = h->name},
				{.i = h->nvms},
				{.i = (int64_t)h->vcpus_committed},
				{.i = (int64_t)h->memory_committed_bytes},
			};
			mon->rc = sim_results_row(mon->results, &samples_table, v,
						  mon->diag);
		}
		if (mon->rc != 0) {
			sim_stop(e);
			return;
		}
		uint64_t next = sim_time_add(sim_now(e), mon->interval_ns);
		if (next <= mon->end_ns)
			sim_event_schedule(e, m, next, MONITOR_SAMPLE, NULL, 0);
		return;
	default:
		sim_panic("monitor: unknown event kind %u", kind);
	}
}

static const sim_model_ops monitor_ops = {
	.name = "host-monitor",
	.state_size = sizeof(monitor),
	.handle = monitor_handle,
	.fini = NULL,
};

static int write_world(const dc_world *w, sim_results *r, sim_diag *d)
{
	int rc = 0;
	for (size_t i = 0; i < w->nhosts && rc == 0; i++) {
		const dc_host *h = &w->hosts[i];
		sim_value v[] = {
			{.i = h->index},
			{.s = h->name},
			{.i = h->rack},
			{.i = (int64_t)h->cpus},
			{.i = (int64_t)h->memory_bytes},
			{.i = (int64_t)h->nic_bps},
			{.i = h->nvms},
			{.i = (int64_t)h->vcpus_committed},
			{.i = (int64_t)h->memory_committed_bytes},
		};
		rc = sim_results_row(r, &hosts_table, v, d);
	}
	size_t nlinks = net_topo_link_count(w->topo);
	for (size_t k = 0; k < nlinks && rc == 0; k++) {
		const net_link_desc *l = net_topo_link(w->topo, (uint32_t)k);
		sim_value v[] = {
			{.i = (int64_t)k},
			{.s = net_topo_node_name(w->topo, l->from)},
			{.s = net_topo_node_name(w->topo, l->to)},
			{.i = (int64_t)l->capacity_bps},
			{.i = (int64_t)l->latency_ns},
		};
		rc = sim_results_row(r, &links_table, v, d);
	}
	static const char *const placement_names[] = {"first-fit", "worst-fit"};
	for (size_t i = 0; i < w->nvms && rc == 0; i++) {
		const dc_vm *vm = &w->vms[i];
		sim_value v[] = {
			{.s = vm->name},
			{.s = w->hosts[vm->host].name},
			{.i = (int64_t)vm->vcpus},
			{.i = (int64_t)vm->memory_bytes},
			{.s = vm->placed_by_policy
				      ? placement_names[w->cfg->datacenter.placement]
				      : "config"},
		};
		rc = sim_results_row(r, &vms_table, v, d);
	}
	return rc;
}

int dc_experiment_run(const dc_config *c, uint64_t seed, sim_results *r,
		      const dc_progress *progress, dc_run_stats *stats,
		      sim_diag *d)
{
	/* Nothing in this layer draws random numbers yet; the seed is taken so
	 * that models attached here derive their streams from it. */
	(void)seed;
	dc_world *w = NULL;
	int rc = dc_world_build(c, &w, d);
	if (rc != 0)
		return rc;
	rc = dc_results_declare(r, d);
	sim_engine *e = sim_engine_create();
	if (progress && progress->fn)
		sim_engine_set_progress(e, progress->fn, progress->ctx,
					progress->every ? progress->every : 1);
	sim_model *m = sim_model_add(e, &monitor_ops);
	monitor *mon = sim_model_state(m);
	mon->world = w;
	mon->results = r;
	mon->diag = d;
	mon->interval_ns = c->experiment.sample_interval_ns;
	mon->end_ns = c->experiment.duration_ns;
	if (rc == 0) {
		sim_event_schedule(e, m, 0, MONITOR_SAMPLE, NULL, 0);
		rc = sim_run_until(e, c->experiment.duration_ns);
		if (rc == SIM_EINTR && mon->rc != 0)
			rc = mon->rc;
	}
	if (rc == 0)
		rc = write_world(w, r, d);
	if (stats) {
		stats->events = sim_events_executed(e);
		stats->end_ns = sim_now(e);
	}
	sim_engine_destroy(e);
	dc_world_destroy(w);
	return rc;
}
