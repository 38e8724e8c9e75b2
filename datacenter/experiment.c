/* SPDX-License-Identifier: MIT */
/*
 * Runs one experiment: builds the world, starts the engine with the host
 * monitor (a periodic sample of every host's committed resources, the view
 * a placement policy reads), and records hosts, VMs and samples. Models of
 * later layers attach here.
 */
#include "dc_internal.h"

#include <stdlib.h>
#include <string.h>

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

static const sim_column mig_cols[] = {
	{"migration", SIM_COL_INT, "", "index in migrations:, from 0"},
	{"vm", SIM_COL_TEXT, "", "the VM"},
	{"scheme", SIM_COL_TEXT, "", "stop-and-copy or precopy"},
	{"policy", SIM_COL_TEXT, "", "xen, clark, qemu or xen-v2"},
	{"fidelity", SIM_COL_TEXT, "", "statistical or page-exact"},
	{"source", SIM_COL_TEXT, "", "host it left"},
	{"destination", SIM_COL_TEXT, "", "host it went to"},
	{"max_rate_bps", SIM_COL_INT, "bit/s", "the max_rate knob"},
	{"max_rounds", SIM_COL_INT, "", "the max_rounds knob"},
	{"start_ns", SIM_COL_INT, "ns", "when it was requested"},
	{"stop_ns", SIM_COL_INT, "ns", "when the VM paused"},
	{"end_ns", SIM_COL_INT, "ns", "when the VM resumed at the destination"},
	{"total_ns", SIM_COL_INT, "ns", "end - start"},
	{"downtime_ns", SIM_COL_INT, "ns", "end - stop"},
	{"total_s", SIM_COL_REAL, "s", "total time in seconds"},
	{"downtime_s", SIM_COL_REAL, "s", "downtime in seconds"},
	{"bytes", SIM_COL_INT, "B", "memory sent"},
	{"pages", SIM_COL_INT, "", "pages sent"},
	{"rounds", SIM_COL_INT, "", "live pre-copy rounds (0: stop-and-copy)"},
};
static const sim_table migrations_table = {
	"migrations", "every migration: its mechanism, times, downtime and volume",
	mig_cols, sizeof mig_cols / sizeof mig_cols[0]};

static const sim_column round_cols[] = {
	{"migration", SIM_COL_INT, "", "index in migrations:, from 0"},
	{"round", SIM_COL_INT, "", "round, from 1; the paused round is last"},
	{"paused", SIM_COL_INT, "", "1 for the stop-and-copy round"},
	{"start_ns", SIM_COL_INT, "ns", "start of the round's flow"},
	{"duration_ns", SIM_COL_INT, "ns", "until its last byte arrived"},
	{"cap_bps", SIM_COL_INT, "bit/s", "the round's rate limit"},
	{"rate_bps", SIM_COL_INT, "bit/s", "achieved rate"},
	{"pages_sent", SIM_COL_INT, "", "pages sent in the round"},
	{"pages_dirtied", SIM_COL_INT, "", "pages dirtied during it (to send next)"},
	{"pages_skipped", SIM_COL_INT, "", "pages skipped as dirtied again"},
};
static const sim_table rounds_table = {
	"migration_rounds", "every round of every migration",
	round_cols, sizeof round_cols / sizeof round_cols[0]};

int dc_results_declare(sim_results *r, sim_diag *d)
{
	int rc = sim_results_declare(r, &hosts_table, d);
	if (rc == 0)
		rc = sim_results_declare(r, &vms_table, d);
	if (rc == 0)
		rc = sim_results_declare(r, &links_table, d);
	if (rc == 0)
		rc = sim_results_declare(r, &samples_table, d);
	if (rc == 0)
		rc = sim_results_declare(r, &migrations_table, d);
	if (rc == 0)
		rc = sim_results_declare(r, &rounds_table, d);
	return rc;
}

enum monitor_event { MONITOR_SAMPLE, MONITOR_MIGRATE };

typedef struct monitor {
	const dc_config *cfg;
	dc_world *world;
	sim_results *results;
	sim_diag *diag;
	uint64_t interval_ns, end_ns;
	uint64_t seed;
	mig *mig;
	gsl_rng **rngs;     /* per migration, page-exact only */
	wl_pagegen **gens;  /* per migration, page-exact only */
	int rc; /* first results error; stops the run */
} monitor;

typedef struct migrate_payload {
	uint32_t index;
} migrate_payload;
_Static_assert(sizeof(migrate_payload) <= SIM_PAYLOAD_MAX,
	       "migrate payload fits an event");

static const char *const scheme_names[] = {"stop-and-copy", "precopy"};
static const char *const policy_names[] = {"xen", "clark", "qemu", "xen-v2"};
static const char *const fidelity_names[] = {"statistical", "page-exact"};

/* The guest's dirtying during migration i, as the migration model takes
 * it: idle without rates; else the hot/cold model in expected counts, or
 * page-exact writes from a generator over stream "vm/NAME/pages". */
static mig_dirty migration_dirty(monitor *mon, size_t i, uint64_t pages)
{
	const dc_migration_cfg *m = &mon->cfg->migrations[i];
	const dc_vm_cfg *vm = &mon->cfg->vms[m->vm_index];
	const mem_dirtying_cfg *dc = &vm->dirtying;
	mig_dirty dirty;
	memset(&dirty, 0, sizeof dirty);
	if (dc->hot_writes_per_s == 0 && dc->cold_writes_per_s == 0)
		return dirty;
	mem_hotcold hc;
	mem_hotcold_init(&hc, vm->memory_bytes, dc);
	if (m->fidelity == DC_FIDELITY_STATISTICAL) {
		dirty.kind = MIG_DIRTY_HOTCOLD;
		dirty.hotcold = hc;
		return dirty;
	}
	wl_pages_params wp;
	memset(&wp, 0, sizeof wp);
	if (hc.hot_pages > 0 && hc.hot_pages < pages) {
		wp.kind = WL_PAGES_HOTSET;
		wp.hot_pages = hc.hot_pages;
		wp.hot_rate = hc.hot_writes_per_s;
		wp.cold_rate = hc.cold_writes_per_s;
	} else {
		/* One class: all pages hot, or no hot set. */
		wp.kind = WL_PAGES_UNIFORM;
		wp.rate = hc.hot_pages > 0 ? hc.hot_writes_per_s : hc.cold_writes_per_s;
	}
	char *name = sim_xasprintf("vm/%s/pages", vm->name);
	mon->rngs[i] = sim_rng_stream(mon->seed, name);
	free(name);
	mon->gens[i] = wl_pagegen_create(&wp, pages, mon->rngs[i]);
	dirty.kind = MIG_DIRTY_PAGES;
	dirty.pagegen = mon->gens[i];
	return dirty;
}

static void start_migration(monitor *mon, sim_engine *e, uint32_t i)
{
	const dc_migration_cfg *m = &mon->cfg->migrations[i];
	const dc_vm *vm = &mon->world->vms[m->vm_index];
	long dst = dc_world_find_host(mon->world, m->to);
	uint64_t page = mon->cfg->vms[m->vm_index].dirtying.page_size_bytes;
	mig_request req;
	memset(&req, 0, sizeof req);
	req.tag = i;
	req.src = vm->host;
	req.dst = (uint32_t)dst;
	req.page_size_bytes = page;
	req.pages = mem_pages_of_bytes(vm->memory_bytes, page);
	req.params = m->mig;
	req.dirty = migration_dirty(mon, i, req.pages);
	/* The destination's memory is reserved now (Clark's stage 1). */
	mon->world->hosts[dst].memory_committed_bytes += vm->memory_bytes;
	mon->world->hosts[dst].vcpus_committed += vm->vcpus;
	mon->world->hosts[dst].nvms++;
	if (mig_migration_start(mon->mig, &req) != 0) {
		/* Every input was validated at load time. */
		sim_panic("migration %u of VM '%s' refused", i, vm->name);
	}
	(void)e;
}

static void on_round(void *ctx, const mig_round_result *rr)
{
	monitor *mon = ctx;
	if (mon->rc != 0)
		return;
	sim_value v[] = {
		{.i = (int64_t)rr->tag},
		{.i = rr->index},
		{.i = rr->paused},
		{.i = (int64_t)rr->start_ns},
		{.i = (int64_t)rr->duration_ns},
		{.i = (int64_t)rr->cap_bps},
		{.i = (int64_t)rr->rate_bps},
		{.i = (int64_t)rr->pages_sent},
		{.i = (int64_t)rr->pages_dirtied},
		{.i = (int64_t)rr->pages_skipped},
	};
	mon->rc = sim_results_row(mon->results, &rounds_table, v, mon->diag);
}

static void on_done(void *ctx, const mig_result *mr)
{
	monitor *mon = ctx;
	const dc_migration_cfg *m = &mon->cfg->migrations[mr->tag];
	dc_vm *vm = &mon->world->vms[m->vm_index];
	dc_host *src = &mon->world->hosts[vm->host];
	long dst = dc_world_find_host(mon->world, m->to);
	/* The source lets the VM go once the destination has it (stage 4). */
	src->memory_committed_bytes -= vm->memory_bytes;
	src->vcpus_committed -= vm->vcpus;
	src->nvms--;
	vm->host = (uint32_t)dst;
	vm->placed_by_policy = false;
	if (mon->rc != 0)
		return;
	sim_value v[] = {
		{.i = (int64_t)mr->tag},
		{.s = vm->name},
		{.s = scheme_names[mr->scheme]},
		{.s = policy_names[mr->policy]},
		{.s = fidelity_names[m->fidelity]},
		{.s = src->name},
		{.s = mon->world->hosts[dst].name},
		{.i = (int64_t)m->mig.max_rate_bps},
		{.i = (int64_t)m->mig.max_rounds},
		{.i = (int64_t)mr->start_ns},
		{.i = (int64_t)mr->stop_ns},
		{.i = (int64_t)mr->end_ns},
		{.i = (int64_t)mr->total_ns},
		{.i = (int64_t)mr->downtime_ns},
		{.r = (double)mr->total_ns / 1e9},
		{.r = (double)mr->downtime_ns / 1e9},
		{.i = (int64_t)mr->bytes},
		{.i = (int64_t)mr->pages_sent},
		{.i = mr->rounds},
	};
	mon->rc = sim_results_row(mon->results, &migrations_table, v, mon->diag);
}

static void monitor_handle(sim_engine *e, sim_model *m, void *state,
			   uint32_t kind, const void *payload)
{
	monitor *mon = state;
	switch ((enum monitor_event)kind) {
	case MONITOR_MIGRATE: {
		migrate_payload mp;
		memcpy(&mp, payload, sizeof mp);
		start_migration(mon, e, mp.index);
		return;
	}
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
	mon->cfg = c;
	mon->world = w;
	mon->results = r;
	mon->diag = d;
	mon->seed = seed;
	mon->interval_ns = c->experiment.sample_interval_ns;
	mon->end_ns = c->experiment.duration_ns;
	size_t nm = c->nmigrations ? c->nmigrations : 1;
	mon->rngs = sim_xcalloc(nm, sizeof *mon->rngs);
	mon->gens = sim_xcalloc(nm, sizeof *mon->gens);
	gsl_rng **rngs = mon->rngs;
	wl_pagegen **gens = mon->gens;
	if (c->nmigrations > 0) {
		net *n = net_create(e, w->topo);
		mig_callbacks cb = {on_round, on_done, mon};
		mon->mig = mig_create(n, &cb);
	}
	if (rc == 0) {
		sim_event_schedule(e, m, 0, MONITOR_SAMPLE, NULL, 0);
		for (uint32_t i = 0; i < c->nmigrations; i++) {
			migrate_payload mp = {i};
			sim_event_schedule(e, m, c->migrations[i].at_ns,
					   MONITOR_MIGRATE, &mp, sizeof mp);
		}
		rc = sim_run_until(e, c->experiment.duration_ns);
		/* A migration still running at the end of the run is seen
		 * through: the run lasts until the last one is done. */
		if (rc == 0 && mon->mig && mig_active_count(mon->mig) > 0)
			rc = sim_run(e);
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
	/* Generators and their streams outlive the migrations that drew from
	 * them, which the engine held. */
	for (size_t i = 0; i < nm; i++) {
		wl_pagegen_destroy(gens[i]);
		if (rngs[i])
			gsl_rng_free(rngs[i]);
	}
	free(gens);
	free(rngs);
	dc_world_destroy(w);
	return rc;
}
