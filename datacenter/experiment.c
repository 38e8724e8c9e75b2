/* SPDX-License-Identifier: MIT */
/*
 * Runs one experiment: builds the world, starts the engine with the host
 * monitor (a periodic sample of every host's committed resources, the view
 * a placement policy reads, and of every link's carried bits), starts the
 * migrations and the VMs' background traffic, and records hosts, VMs,
 * links and samples into the tables of outputs.c that the config selects.
 * Models of later layers attach here.
 */
#include "dc_internal.h"

#include <stdlib.h>
#include <string.h>

enum monitor_event {
	MONITOR_SAMPLE,      /* host samples, and link samples at their period */
	MONITOR_MIGRATE,
	MONITOR_TRAFFIC_START,
	MONITOR_TRAFFIC_STOP,
	MONITOR_LINK_SAMPLE, /* link samples at their own period, or past the
			      * duration while migrations finish */
	MONITOR_CONTROL,     /* the end of a monitoring interval: accounting
			      * and the policy's step (control.c) */
};

/* A migration of the run: one of migrations: (the first nmigrations, same
 * index) or one a policy started. A swap's later steps wait in chain and
 * start, one after another, when this one is done. */
typedef struct mig_rec {
	dc_migration_cfg m;
	int reason;             /* -1: config; else a pol_reason */
	gsl_rng *rng;           /* page-exact only */
	wl_pagegen *gen;
	uint32_t chain_vm[2], chain_to[2];
	unsigned chain_n;
} mig_rec;

typedef struct monitor {
	const dc_config *cfg;
	dc_world *world;
	sim_results *results;
	sim_diag *diag;
	sim_engine *engine;
	sim_model *self;
	uint64_t interval_ns, end_ns; /* host samples' period; the duration */
	uint64_t link_interval_ns;
	bool host_rows;     /* host_samples selected */
	/* results.host_sample_rows: changed: each host's values in its last
	 * host_samples row (NULL: a row per host per sample). */
	dc_host *last_rows;
	bool link_rows;     /* link_samples selected, with a net */
	/* Link samples ride on MONITOR_SAMPLE up to the duration (equal
	 * periods, the default: one event for both, as runs.events counts);
	 * else they have their own chain of MONITOR_LINK_SAMPLE. */
	bool links_with_hosts;
	uint64_t seed;
	net *net;           /* with migrations or traffic; else NULL */
	mig *mig;
	dc_traffic *traffic; /* NULL without net */
	mig_rec *migs;      /* every migration started or scheduled */
	size_t nmigs, migs_cap;
	dc_control *ctl;    /* the control loop, or NULL */
	uint64_t *link_bits; /* per link: carried bits at the last sample */
	uint64_t link_sampled_ns; /* time of the last link sample */
	size_t migrations_done;
	bool extending;     /* past the duration, waiting for migrations */
	bool ended;         /* the last migration ended the extension */
	int rc; /* first results error; stops the run */
} monitor;

/* The payload of MONITOR_MIGRATE (a migration's index) and of the
 * traffic events (a flow's index in dc_traffic). */
typedef struct migrate_payload {
	uint32_t index;
} migrate_payload;
_Static_assert(sizeof(migrate_payload) <= SIM_PAYLOAD_MAX,
	       "migrate payload fits an event");

static const char *const scheme_names[] = {"stop-and-copy", "precopy", "push",
					   "postcopy", "hybrid"};
_Static_assert(sizeof scheme_names / sizeof scheme_names[0] == MIG_SCHEME_COUNT,
	       "a name per scheme");
static const char *const phase_names[] = {"disk", "live", "paused", "pull"};
static const char *const policy_names[] = {"xen", "clark", "qemu", "xen-v2"};
static const char *const fidelity_names[] = {"statistical", "page-exact"};

/* The dirtying of a VM with `page_writes:` during migration i.
 * Statistical: the hot/cold model with the generator's exact expected
 * counts (the config check let only hotset and uniform through).
 * Page-exact: the generator itself, over stream "vm/NAME/pages", or the
 * trace replay, which draws nothing.
 *
 * Replay's clock is the run's: the trace's time 0 is time 0 of the run,
 * and the migration asks for the writes of [round 1 start, pause) in run
 * time (mig.h), so it replays the trace from the sample holding its
 * start. The trace is the VM's history, not the migration's: a VM
 * migrated at 10 s sees what it wrote from 10 s on, whatever else the
 * config changes, and `vdcsim wws TRACE` evaluated at start time 10 s is
 * the same point of the same trace (its start times are trace times). A
 * sample that straddles a round boundary dirties its pages in both rounds
 * (wl_pagegen_writes' rule: the trace cannot say when in its span a page
 * was written), where the WWS analysis (mem_wws_downtime) gives each
 * round its share of it, in proportion to the overlap (mem.h, "Share
 * rule"). So replay is the upper bound of the two; they agree when every
 * sample lists the same pages (a fixed hot set) and every round lasts at
 * least one sample interval. */
static mig_dirty page_writes_dirty(monitor *mon, size_t i, uint64_t pages)
{
	const dc_migration_cfg *m = &mon->migs[i].m;
	const dc_vm_cfg *vm = &mon->cfg->vms[m->vm_index];
	const wl_pages_params *p = &vm->page_writes;
	mig_dirty dirty;
	memset(&dirty, 0, sizeof dirty);
	if (m->fidelity == DC_FIDELITY_STATISTICAL) {
		mem_hotcold hc;
		if (!dc_page_writes_hotcold(p, pages, &hc))
			sim_panic("VM '%s': page_writes without expected counts "
				  "passed the config check", vm->name);
		if (hc.hot_writes_per_s == 0 && hc.cold_writes_per_s == 0)
			return dirty; /* no writes: an idle guest */
		dirty.kind = MIG_DIRTY_HOTCOLD;
		dirty.hotcold = hc;
		return dirty;
	}
	if (wl_pages_draws_random(p)) {
		char *name = sim_xasprintf("vm/%s/pages", vm->name);
		mon->migs[i].rng = sim_rng_stream(mon->seed, name);
		free(name);
	}
	mon->migs[i].gen = wl_pagegen_create(p, pages, mon->migs[i].rng);
	dirty.kind = MIG_DIRTY_PAGES;
	dirty.pagegen = mon->migs[i].gen;
	return dirty;
}

/* The guest's dirtying during migration i, as the migration model takes
 * it: from its page_writes if it has them (above); else idle without
 * rates; else the hot/cold model in expected counts, or page-exact writes
 * from a generator over stream "vm/NAME/pages". */
static mig_dirty migration_dirty(monitor *mon, size_t i, uint64_t pages)
{
	const dc_migration_cfg *m = &mon->migs[i].m;
	const dc_vm_cfg *vm = &mon->cfg->vms[m->vm_index];
	const mem_dirtying_cfg *dc = &vm->dirtying;
	if (vm->page_writes_node)
		return page_writes_dirty(mon, i, pages);
	mig_dirty dirty;
	memset(&dirty, 0, sizeof dirty);
	if (mem_dirtying_is_fresh(dc)) {
		/* Statistical only (checked at load). */
		dirty.kind = MIG_DIRTY_UNIFORM;
		dirty.uniform_bytes_per_s =
			mem_fresh_bytes_per_s(dc, m->mig.max_rate_bps);
		dirty.uniform_ws_pages =
			mem_working_set_pages(dc, vm->memory_bytes);
		return dirty;
	}
	if (dc->hot_writes_per_s == 0 && dc->cold_writes_per_s == 0)
		return dirty;
	if (m->fidelity == DC_FIDELITY_STATISTICAL) {
		dirty.kind = MIG_DIRTY_HOTCOLD;
		mem_hotcold_init(&dirty.hotcold, vm->memory_bytes, dc);
		return dirty;
	}
	/* The config check let only generators workloads/ takes through. */
	wl_pages_params wp;
	dc_dirtying_pages(vm, pages, &wp);
	char *name = sim_xasprintf("vm/%s/pages", vm->name);
	mon->migs[i].rng = sim_rng_stream(mon->seed, name);
	free(name);
	mon->migs[i].gen = wl_pagegen_create(&wp, pages, mon->migs[i].rng);
	dirty.kind = MIG_DIRTY_PAGES;
	dirty.pagegen = mon->migs[i].gen;
	return dirty;
}

/* A VM's local disk as the migration model takes it: blocks and their
 * writes in expected counts (hot/cold or fresh rate). */
static mig_disk migration_disk(const dc_vm_cfg *vm)
{
	const dc_disk_cfg *k = &vm->disk;
	mig_disk disk;
	memset(&disk, 0, sizeof disk);
	if (k->size_bytes == 0)
		return disk;
	disk.block_size_bytes = k->block_size_bytes;
	disk.blocks = mem_pages_of_bytes(k->size_bytes, k->block_size_bytes);
	if (k->fresh_rate_bps > 0) {
		disk.dirty.kind = MIG_DIRTY_UNIFORM;
		disk.dirty.uniform_bytes_per_s = (double)k->fresh_rate_bps / 8;
	} else if (k->hot_writes_per_s > 0 || k->cold_writes_per_s > 0) {
		mem_dirtying_cfg w = {
			.page_size_bytes = k->block_size_bytes,
			.hot_set_bytes = k->hot_set_bytes,
			.hot_writes_per_s = k->hot_writes_per_s,
			.cold_writes_per_s = k->cold_writes_per_s};
		disk.dirty.kind = MIG_DIRTY_HOTCOLD;
		mem_hotcold_init(&disk.dirty.hotcold, k->size_bytes, &w);
	}
	return disk;
}

static void after_migration(monitor *mon);

/* Starts migration i now. A configured one whose VM is migrating (a
 * policy moved it) or already on its destination is skipped and counts as
 * done. */
static void start_migration(monitor *mon, sim_engine *e, uint32_t i)
{
	const dc_migration_cfg *m = &mon->migs[i].m;
	const dc_vm *vm = &mon->world->vms[m->vm_index];
	uint32_t dst = m->to_host;
	if (vm->host == dst ||
	    (mon->ctl && dc_control_in_flight(mon->ctl, (uint32_t)m->vm_index))) {
		after_migration(mon);
		return;
	}
	uint64_t page = mon->cfg->vms[m->vm_index].dirtying.page_size_bytes;
	mig_request req;
	memset(&req, 0, sizeof req);
	req.tag = i;
	req.src = vm->host;
	req.dst = dst;
	req.page_size_bytes = page;
	req.pages = mem_pages_of_bytes(vm->memory_bytes, page);
	req.params = m->mig;
	req.dirty = migration_dirty(mon, i, req.pages);
	req.disk = migration_disk(&mon->cfg->vms[m->vm_index]);
	/* The destination's memory is reserved now (Clark's stage 1). */
	mon->world->hosts[dst].memory_committed_bytes += vm->memory_bytes;
	mon->world->hosts[dst].vcpus_committed += vm->vcpus;
	mon->world->hosts[dst].nvms++;
	if (mig_migration_start(mon->mig, &req) != 0) {
		/* Every input was validated at load time. */
		sim_panic("migration %u of VM '%s' refused", i, vm->name);
	}
	if (mon->ctl)
		dc_control_migrating(mon->ctl, (uint32_t)m->vm_index, dst,
				     sim_now(mon->engine));
	(void)e;
}

/* Appends a policy's migration of VM vm to host dst at now (not started):
 * the default knobs of migrations: entries, statistical fidelity unless
 * the VM's page_writes have no expected counts (then page-exact).
 * Returns its index. */
static uint32_t add_migration(monitor *mon, uint32_t vm, uint32_t dst,
			      int reason, uint64_t now)
{
	if (mon->nmigs == mon->migs_cap) {
		mon->migs_cap = mon->migs_cap ? 2 * mon->migs_cap : 16;
		mon->migs = sim_xrealloc(mon->migs, mon->migs_cap,
					 sizeof *mon->migs);
	}
	mig_rec *r = &mon->migs[mon->nmigs];
	memset(r, 0, sizeof *r);
	const dc_vm_cfg *vc = &mon->cfg->vms[vm];
	r->m.vm = vc->name;
	r->m.to = mon->world->hosts[dst].name;
	r->m.at_ns = now;
	r->m.fidelity = DC_FIDELITY_STATISTICAL;
	if (vc->page_writes_node) {
		mem_hotcold hc;
		uint64_t pages = mem_pages_of_bytes(
			vc->memory_bytes, vc->dirtying.page_size_bytes);
		if (!dc_page_writes_hotcold(&vc->page_writes, pages, &hc))
			r->m.fidelity = DC_FIDELITY_PAGE_EXACT;
	}
	mig_params_default(&r->m.mig);
	r->m.vm_index = vm;
	r->m.to_host = dst;
	r->reason = reason;
	return (uint32_t)mon->nmigs++;
}

/* Migration i is done: the next step of its swap, if any, starts now
 * (through an event: this runs inside the migration model's callback). */
static void chain_next(monitor *mon, uint64_t i)
{
	mig_rec *r = &mon->migs[i];
	if (r->chain_n == 0)
		return;
	uint32_t vm = r->chain_vm[0], to = r->chain_to[0];
	unsigned n = r->chain_n - 1;
	uint32_t cv = r->chain_vm[1], ct = r->chain_to[1];
	int reason = r->reason;
	uint32_t j = add_migration(mon, vm, to, reason, sim_now(mon->engine));
	r = &mon->migs[j];
	r->chain_n = n;
	r->chain_vm[0] = cv;
	r->chain_to[0] = ct;
	migrate_payload mp = {j};
	sim_event_post(mon->engine, mon->self, sim_now(mon->engine),
		       MONITOR_MIGRATE, &mp, sizeof mp);
}

/* Carries out one action of the policy at now and records its outcome.
 * A VM in flight is not moved again; a migration needs room for the VM's
 * memory at its destination (a swap's steps do not: its staging is the
 * policy's, policies/README.md). */
static void carry_out(monitor *mon, sim_engine *e, const pol_action *a,
		      uint64_t now)
{
	dc_world *w = mon->world;
	const char *outcome = "started";
	if (a->vm >= w->nvms || (a->kind == POL_SWAP && a->vm_b >= w->nvms) ||
	    (a->kind != POL_RESIZE && a->to >= w->nhosts) ||
	    (a->kind == POL_SWAP && a->stage != POL_NONE &&
	     a->stage >= w->nhosts))
		sim_panic("policy '%s': an action names a host or VM that "
			  "does not exist",
			  pol_ops_at((size_t)mon->cfg->policy.policy)->name);
	pol_action act = *a;
	act.from = w->vms[a->vm].host;
	switch (a->kind) {
	case POL_RESIZE:
		dc_control_resize(mon->ctl, a->vm, a->resource, a->amount);
		outcome = "done";
		break;
	case POL_MIGRATE: {
		const dc_host *h = &w->hosts[a->to];
		if (dc_control_in_flight(mon->ctl, a->vm))
			outcome = "in-flight";
		else if (a->to == act.from)
			outcome = "same-host";
		else if (h->memory_committed_bytes + w->vms[a->vm].memory_bytes >
			 h->memory_bytes)
			outcome = "no-room";
		else
			start_migration(mon, e,
					add_migration(mon, a->vm, a->to,
						      (int)a->reason, now));
		break;
	}
	case POL_SWAP: {
		uint32_t from = act.from, to = w->vms[a->vm_b].host;
		if (dc_control_in_flight(mon->ctl, a->vm) ||
		    dc_control_in_flight(mon->ctl, a->vm_b)) {
			outcome = "in-flight";
			break;
		}
		if (from == to) {
			outcome = "same-host";
			break;
		}
		uint32_t vms[3], tos[3];
		unsigned n;
		if (a->stage != POL_NONE) {
			vms[0] = a->vm, tos[0] = a->stage;
			vms[1] = a->vm_b, tos[1] = from;
			vms[2] = a->vm, tos[2] = to;
			n = 3;
		} else if (a->b_first) {
			vms[0] = a->vm_b, tos[0] = from;
			vms[1] = a->vm, tos[1] = to;
			n = 2;
		} else {
			vms[0] = a->vm, tos[0] = to;
			vms[1] = a->vm_b, tos[1] = from;
			n = 2;
		}
		uint32_t j = add_migration(mon, vms[0], tos[0], (int)a->reason,
					   now);
		mig_rec *r = &mon->migs[j];
		r->chain_n = n - 1;
		for (unsigned k = 1; k < n; k++) {
			r->chain_vm[k - 1] = vms[k];
			r->chain_to[k - 1] = tos[k];
		}
		start_migration(mon, e, j);
		break;
	}
	}
	if (mon->rc == 0)
		mon->rc = dc_control_action_row(mon->ctl, now, &act, outcome);
}

/* The end of a monitoring interval: accounting, the policy's step, its
 * actions in order, and the next interval (up to the duration). */
static void control_interval(monitor *mon, sim_engine *e, sim_model *m)
{
	uint64_t now = sim_now(e);
	const pol_out *out = NULL;
	if (mon->rc == 0)
		mon->rc = dc_control_step(mon->ctl, now, &out);
	for (size_t k = 0; out && k < out->nactions && mon->rc == 0; k++)
		carry_out(mon, e, &out->actions[k], now);
	if (mon->rc != 0) {
		sim_stop(e);
		return;
	}
	uint64_t next = sim_time_add(now, dc_control_interval_ns(mon->ctl));
	if (next <= mon->end_ns)
		sim_event_post(e, m, next, MONITOR_CONTROL, NULL, 0);
}

static void on_round(void *ctx, const mig_round_result *rr)
{
	monitor *mon = ctx;
	if (mon->rc != 0 ||
	    !dc_results_has(&mon->cfg->results, DC_TABLE_MIGRATION_ROUNDS))
		return;
	sim_value v[] = {
		{.i = (int64_t)rr->tag},
		{.i = rr->index},
		{.s = phase_names[rr->phase]},
		{.i = rr->paused},
		{.i = (int64_t)rr->start_ns},
		{.i = (int64_t)rr->duration_ns},
		{.i = (int64_t)rr->cap_bps},
		{.i = (int64_t)rr->rate_bps},
		{.i = (int64_t)rr->bytes},
		{.i = (int64_t)rr->pages_sent},
		{.i = (int64_t)rr->pages_dirtied},
		{.i = (int64_t)rr->pages_skipped},
		{.i = (int64_t)rr->faults},
	};
	mon->rc = sim_results_row(mon->results, &dc_rounds_table, v, mon->diag);
}

/* Once a VM runs at its destination (it resumed there; post-copy still
 * pulls pages from the source afterwards), its background flows (and
 * those of the VMs that send to it) leave from or go to its new host. */
static void on_resume(void *ctx, uint64_t tag)
{
	monitor *mon = ctx;
	const dc_migration_cfg *m = &mon->migs[tag].m;
	if (mon->traffic) {
		int rc = dc_traffic_vm_moved(mon->traffic, m->vm_index,
					     m->to_host);
		if (rc != 0 && mon->rc == 0)
			mon->rc = rc;
	}
}

/* Past the run's duration, the last migration to finish ends the run:
 * traffic flows never drain, so the engine would not run dry. */
static void after_migration(monitor *mon)
{
	mon->migrations_done++;
	if (mon->extending && mon->migrations_done == mon->nmigs) {
		mon->ended = true;
		sim_stop(mon->engine);
	}
}

static void on_done(void *ctx, const mig_result *mr)
{
	monitor *mon = ctx;
	chain_next(mon, mr->tag);
	after_migration(mon);
	const dc_migration_cfg *m = &mon->migs[mr->tag].m;
	dc_vm *vm = &mon->world->vms[m->vm_index];
	dc_host *src = &mon->world->hosts[vm->host];
	uint32_t dst = m->to_host;
	/* The source lets the VM go once the destination has it (stage 4). */
	src->memory_committed_bytes -= vm->memory_bytes;
	src->vcpus_committed -= vm->vcpus;
	src->nvms--;
	vm->host = dst;
	vm->placed_by_policy = false;
	if (mon->ctl)
		dc_control_migrating(mon->ctl, (uint32_t)m->vm_index, POL_NONE,
				     sim_now(mon->engine));
	if (mon->rc != 0 ||
	    !dc_results_has(&mon->cfg->results, DC_TABLE_MIGRATIONS))
		return;
	sim_value v[] = {
		{.i = (int64_t)mr->tag},
		{.s = vm->name},
		{.s = scheme_names[mr->scheme]},
		{.s = policy_names[mr->policy]},
		{.s = fidelity_names[m->fidelity]},
		{.s = src->name},
		{.s = mon->world->hosts[dst].name},
		{.i = (int64_t)vm->memory_bytes},
		{.i = (int64_t)mon->cfg->vms[m->vm_index].disk.size_bytes},
		{.i = (int64_t)m->mig.max_rate_bps},
		{.i = (int64_t)m->mig.max_rounds},
		{.i = (int64_t)mr->start_ns},
		{.i = (int64_t)mr->stop_ns},
		{.i = (int64_t)mr->resume_ns},
		{.i = (int64_t)mr->end_ns},
		{.i = (int64_t)mr->total_ns},
		{.i = (int64_t)mr->downtime_ns},
		{.r = (double)mr->total_ns / 1e9},
		{.r = (double)mr->downtime_ns / 1e9},
		{.i = (int64_t)mr->residual_ns},
		{.i = (int64_t)mr->bytes},
		{.i = (int64_t)mr->memory_bytes},
		{.i = (int64_t)mr->disk_bytes},
		{.i = (int64_t)mr->state_bytes},
		{.i = (int64_t)mr->pages_sent},
		{.i = (int64_t)mr->blocks_sent},
		{.i = mr->rounds},
		{.i = mr->disk_rounds},
		{.i = (int64_t)mr->disk_ns},
		{.i = (int64_t)mr->faults},
		{.i = (int64_t)mr->stall_ns},
		{.i = (int64_t)mr->log_faults},
		{.i = (int64_t)mr->log_stall_ns},
		{.s = mon->migs[mr->tag].reason < 0
			      ? "config"
			      : pol_reason_name(
					(pol_reason)mon->migs[mr->tag].reason)},
	};
	mon->rc = sim_results_row(mon->results, &dc_migrations_table, v, mon->diag);
}

/* Writes a link_samples row for every link that carried something over
 * (the last link sample, now], if that is not empty: the bits it carried,
 * from net's exact integral of load (net_link_stats.carried_bits). Idle
 * links write nothing: at scale most links are idle in most intervals, and
 * their zeros would be most of the table. */
static void sample_links(monitor *mon, uint64_t now)
{
	if (!mon->link_rows || now <= mon->link_sampled_ns)
		return;
	uint64_t dt = now - mon->link_sampled_ns;
	size_t nlinks = net_topo_link_count(mon->world->topo);
	for (size_t k = 0; k < nlinks && mon->rc == 0; k++) {
		net_link_stats st;
		if (net_link_query(mon->net, (uint32_t)k, &st) != 0)
			sim_panic("link %zu of the topology is unknown", k);
		uint64_t bits = st.carried_bits - mon->link_bits[k];
		if (bits == 0)
			continue;
		mon->link_bits[k] = st.carried_bits;
		sim_value v[] = {
			{.i = (int64_t)now},
			{.i = (int64_t)k},
			{.i = (int64_t)dt},
			{.i = (int64_t)bits},
			{.r = (double)bits * 1e9 /
			      ((double)st.capacity_bps * (double)dt)},
		};
		mon->rc = sim_results_row(mon->results, &dc_link_samples_table, v,
					  mon->diag);
	}
	mon->link_sampled_ns = now;
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
	case MONITOR_TRAFFIC_START:
	case MONITOR_TRAFFIC_STOP: {
		migrate_payload mp;
		memcpy(&mp, payload, sizeof mp);
		int rc = kind == MONITOR_TRAFFIC_START
				 ? dc_traffic_start(mon->traffic, mp.index)
				 : dc_traffic_stop(mon->traffic, mp.index);
		if (rc != 0) {
			if (mon->rc == 0)
				mon->rc = rc;
			sim_stop(e);
		}
		return;
	}
	case MONITOR_CONTROL:
		control_interval(mon, e, m);
		return;
	case MONITOR_LINK_SAMPLE:
		if (mon->rc == 0)
			sample_links(mon, sim_now(e));
		if (mon->rc != 0) {
			sim_stop(e);
			return;
		}
		sim_event_post(e, m,
			       sim_time_add(sim_now(e), mon->link_interval_ns),
			       MONITOR_LINK_SAMPLE, NULL, 0);
		return;
	case MONITOR_SAMPLE:
		if (mon->rc == 0 && mon->links_with_hosts)
			sample_links(mon, sim_now(e));
		for (size_t i = 0; mon->host_rows && i < mon->world->nhosts &&
				   mon->rc == 0;
		     i++) {
			const dc_host *h = &mon->world->hosts[i];
			if (mon->last_rows) {
				dc_host *last = &mon->last_rows[i];
				if (last->nvms == h->nvms &&
				    last->vcpus_committed == h->vcpus_committed &&
				    last->memory_committed_bytes ==
					    h->memory_committed_bytes)
					continue;
				*last = *h;
			}
			sim_value v[] = {
				{.i = (int64_t)sim_now(e)},
				{.s = h->name},
				{.i = h->nvms},
				{.i = (int64_t)h->vcpus_committed},
				{.i = (int64_t)h->memory_committed_bytes},
			};
			mon->rc = sim_results_row(mon->results, &dc_host_samples_table, v,
						  mon->diag);
		}
		if (mon->rc != 0) {
			sim_stop(e);
			return;
		}
		uint64_t next = sim_time_add(sim_now(e), mon->interval_ns);
		if (next <= mon->end_ns)
			sim_event_post(e, m, next, MONITOR_SAMPLE, NULL, 0);
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

/* Writes hosts, links (with what each carried over a run that ended at
 * end_ns > 0; nothing without a net) and VMs, those of them selected. */
static int write_world(const dc_world *w, const net *n, uint64_t end_ns,
		       sim_results *r, sim_diag *d)
{
	int rc = 0;
	const dc_results_cfg *sel = &w->cfg->results;
	for (size_t i = 0; dc_results_has(sel, DC_TABLE_HOSTS) &&
			   i < w->nhosts && rc == 0;
	     i++) {
		const dc_host *h = &w->hosts[i];
		sim_value v[] = {
			{.i = h->index},
			{.s = h->name},
			{.i = h->rack},
			{.s = h->kind},
			{.i = (int64_t)h->cpus},
			{.i = (int64_t)h->memory_bytes},
			{.i = (int64_t)h->nic_bps},
			{.i = h->nvms},
			{.i = (int64_t)h->vcpus_committed},
			{.i = (int64_t)h->memory_committed_bytes},
		};
		if (sel->host_kinds) {
			rc = sim_results_row(r, &dc_hosts_kind_table, v, d);
		} else {
			/* The old columns: the kind left out. */
			memmove(&v[3], &v[4], 6 * sizeof v[0]);
			rc = sim_results_row(r, &dc_hosts_table, v, d);
		}
	}
	size_t nlinks = dc_results_has(sel, DC_TABLE_LINKS)
				? net_topo_link_count(w->topo)
				: 0;
	for (size_t k = 0; k < nlinks && rc == 0; k++) {
		const net_link_desc *l = net_topo_link(w->topo, (uint32_t)k);
		net_link_stats st = {.carried_bits = 0};
		if (n && net_link_query(n, (uint32_t)k, &st) != 0)
			sim_panic("link %zu of the topology is unknown", k);
		sim_value v[] = {
			{.i = (int64_t)k},
			{.s = net_topo_node_name(w->topo, l->from)},
			{.s = net_topo_node_name(w->topo, l->to)},
			{.i = (int64_t)l->capacity_bps},
			{.i = (int64_t)l->latency_ns},
			{.i = (int64_t)st.carried_bits},
			{.r = end_ns ? (double)st.carried_bits * 1e9 /
					       ((double)l->capacity_bps *
						(double)end_ns)
				     : 0.0},
		};
		rc = sim_results_row(r, &dc_links_table, v, d);
	}
	static const char *const placement_names[] = {"first-fit", "worst-fit"};
	for (size_t i = 0; dc_results_has(sel, DC_TABLE_VMS) && i < w->nvms &&
			   rc == 0;
	     i++) {
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
		rc = sim_results_row(r, &dc_vms_table, v, d);
	}
	return rc;
}

/* Schedules every traffic flow's start and (if it has one) stop. */
static void schedule_traffic(monitor *mon, sim_engine *e, sim_model *m)
{
	size_t n = dc_traffic_count(mon->traffic);
	for (size_t i = 0; i < n; i++) {
		const dc_traffic_cfg *t = dc_traffic_entry(mon->traffic, i);
		migrate_payload mp = {(uint32_t)i};
		sim_event_post(e, m, t->start_ns, MONITOR_TRAFFIC_START, &mp,
			       sizeof mp);
		if (t->stop_ns != 0)
			sim_event_post(e, m, t->stop_ns, MONITOR_TRAFFIC_STOP,
				       &mp, sizeof mp);
	}
}

static bool has_traffic(const dc_config *c)
{
	for (size_t v = 0; v < c->nvms; v++)
		if (c->vms[v].ntraffic > 0)
			return true;
	return false;
}

int dc_experiment_run(const dc_config *c, uint64_t seed, sim_results *r,
		      const dc_progress *progress, dc_run_stats *stats,
		      sim_diag *d)
{
	if (c->machine)
		return dc_machine_run(c, seed, r, progress, stats, d);
	dc_world *w = NULL;
	int rc = dc_world_build(c, &w, d);
	if (rc != 0)
		return rc;
	const dc_results_cfg *sel = &c->results;
	rc = dc_tables_declare(r, sel, d);
	sim_engine *e = sim_engine_create();
	if (progress && progress->fn &&
	    (progress->every || !progress->attention))
		sim_engine_set_progress(e, progress->fn, progress->ctx,
					progress->every ? progress->every : 1);
	if (progress && progress->fn && progress->attention)
		sim_engine_set_attention(e, progress->attention, progress->fn,
					 progress->ctx);
	sim_model *m = sim_model_add(e, &monitor_ops);
	monitor *mon = sim_model_state(m);
	mon->cfg = c;
	mon->world = w;
	mon->results = r;
	mon->diag = d;
	mon->engine = e;
	mon->seed = seed;
	mon->interval_ns = sel->host_sample_interval_ns;
	mon->link_interval_ns = sel->link_sample_interval_ns;
	mon->end_ns = c->experiment.duration_ns;
	mon->host_rows = dc_results_has(sel, DC_TABLE_HOST_SAMPLES);
	if (mon->host_rows && sel->host_rows_changed) {
		mon->last_rows = sim_xcalloc(w->nhosts, sizeof *mon->last_rows);
		/* No host has this many VMs: the first sample writes all. */
		for (size_t i = 0; i < w->nhosts; i++)
			mon->last_rows[i].nvms = UINT32_MAX;
	}
	dc_host *last_rows = mon->last_rows;
	mon->self = m;
	mon->migs_cap = c->nmigrations ? c->nmigrations : 16;
	mon->migs = sim_xcalloc(mon->migs_cap, sizeof *mon->migs);
	for (size_t i = 0; i < c->nmigrations; i++) {
		mon->migs[i].m = c->migrations[i];
		mon->migs[i].reason = -1;
	}
	mon->nmigs = c->nmigrations;
	bool acting = c->policy.policy != 0;
	if (rc == 0 && c->results.control) {
		mon->ctl = dc_control_create(c, w, seed, r, d);
		if (!mon->ctl)
			rc = SIM_EINPUT;
		else if (progress && progress->decide)
			dc_control_set_decide_hook(mon->ctl, progress->decide,
						   progress->ctx);
	}
	/* Without migrations or traffic nothing crosses the fabric; the
	 * flow model, and the link samples that would all be 0, are left
	 * out. */
	if (c->nmigrations > 0 || acting || has_traffic(c)) {
		mon->net = net_create(e, w->topo);
		mon->link_bits = sim_xcalloc(net_topo_link_count(w->topo),
					     sizeof *mon->link_bits);
		mon->traffic = dc_traffic_create(c, w, mon->net, r, d);
		mon->link_rows = dc_results_has(sel, DC_TABLE_LINK_SAMPLES);
	}
	mon->links_with_hosts = mon->link_rows &&
				mon->link_interval_ns == mon->interval_ns;
	if (c->nmigrations > 0 || acting) {
		mig_callbacks cb = {.on_round = on_round,
				    .on_done = on_done,
				    .on_resume = on_resume,
				    .ctx = mon};
		mon->mig = mig_create(mon->net, &cb);
	}
	uint64_t *link_bits = mon->link_bits;
	dc_traffic *traffic = mon->traffic;
	if (rc == 0) {
		if (mon->host_rows || mon->links_with_hosts)
			sim_event_post(e, m, 0, MONITOR_SAMPLE, NULL, 0);
		if (mon->link_rows && !mon->links_with_hosts)
			sim_event_post(e, m, mon->link_interval_ns,
				       MONITOR_LINK_SAMPLE, NULL, 0);
		if (traffic)
			schedule_traffic(mon, e, m);
		if (mon->ctl && dc_control_interval_ns(mon->ctl) <= mon->end_ns)
			sim_event_post(e, m, dc_control_interval_ns(mon->ctl),
				       MONITOR_CONTROL, NULL, 0);
		for (uint32_t i = 0; i < c->nmigrations; i++) {
			migrate_payload mp = {i};
			sim_event_post(e, m, c->migrations[i].at_ns,
				       MONITOR_MIGRATE, &mp, sizeof mp);
		}
		rc = sim_run_until(e, c->experiment.duration_ns);
		/* A migration still running at the end of the run is seen
		 * through: the run lasts until the last one is done, which
		 * stops the engine (after_migration). Every migration has
		 * started by now (at <= duration). */
		if (rc == 0 && mon->migrations_done < mon->nmigs) {
			mon->extending = true;
			/* Links go on being sampled at the same period (host
			 * samples stop at the duration); their own chain
			 * goes on by itself. */
			uint64_t every = mon->link_interval_ns;
			uint64_t k = sim_now(e) / every + 1;
			if (mon->links_with_hosts && k <= SIM_TIME_MAX / every)
				sim_event_post(e, m, k * every,
					       MONITOR_LINK_SAMPLE, NULL, 0);
			rc = sim_run(e);
			if (rc == SIM_EINTR && mon->ended && mon->rc == 0)
				rc = 0;
		}
		if (rc == SIM_EINTR && mon->rc != 0)
			rc = mon->rc;
	}
	/* The last, possibly shorter, link interval, and the traffic still
	 * flowing, end with the run. */
	if (rc == 0) {
		sample_links(mon, sim_now(e));
		if (traffic && mon->rc == 0)
			mon->rc = dc_traffic_finish(traffic);
		if (mon->ctl && mon->rc == 0)
			mon->rc = dc_control_finish(mon->ctl, sim_now(e));
		rc = mon->rc;
	}
	if (rc == 0)
		rc = write_world(w, mon->net, sim_now(e), r, d);
	if (stats) {
		stats->events = sim_events_executed(e);
		stats->end_ns = sim_now(e);
	}
	mig_rec *migs = mon->migs;
	size_t nmigs = mon->nmigs;
	dc_control *ctl = mon->ctl;
	sim_engine_destroy(e);
	/* Generators and their streams outlive the migrations that drew from
	 * them, which the engine held. */
	for (size_t i = 0; i < nmigs; i++) {
		wl_pagegen_destroy(migs[i].gen);
		if (migs[i].rng)
			gsl_rng_free(migs[i].rng);
	}
	free(migs);
	dc_control_destroy(ctl);
	free(link_bits);
	free(last_rows);
	dc_traffic_destroy(traffic);
	dc_world_destroy(w);
	return rc;
}
