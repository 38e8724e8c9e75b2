/* SPDX-License-Identifier: MIT */
/*
 * What a run will do and write, estimated from its configuration alone, and
 * the bounds a run must stay within unless the user allows large runs. The
 * estimate never simulates: it counts samples, links and migrations, and
 * takes the lower bound where the model could do more (a migration lasts at
 * least its bytes over its fastest possible rate), so a refusal is always
 * justified and a run that passes may still be larger than estimated.
 */
#include "dc_internal.h"

#include <math.h>
#include <string.h>

/* Bytes a row costs, roughly: SQLite's record of a few integers and a short
 * name (about 30 bytes with its index) plus the same row as CSV text. */
#define ROW_BYTES 64

/* Events of one migration besides its rounds' flows, and per round: a flow
 * drains and is delivered, the next round starts (statistical fidelity;
 * page-exact adds nothing the engine counts). A lower bound. */
#define EVENTS_PER_MIGRATION 4

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* Samples taken at 0, interval, 2·interval, ... up to end (inclusive). */
static uint64_t samples(uint64_t end_ns, uint64_t interval_ns)
{
	return end_ns / interval_ns + 1;
}

/* Page writes per second that migration m's guest draws page-exact: 0 for
 * statistical fidelity and for a trace replay (whose writes are data
 * already read, bounded by the trace's size). */
static double drawn_writes_per_s(const dc_config *c,
				 const dc_migration_cfg *m)
{
	if (m->fidelity != DC_FIDELITY_PAGE_EXACT)
		return 0;
	const dc_vm_cfg *vm = &c->vms[m->vm_index];
	if (vm->page_writes_node) {
		const wl_pages_params *p = &vm->page_writes;
		switch ((wl_pages_kind)p->kind) {
		case WL_PAGES_UNIFORM:
		case WL_PAGES_ZIPF:
		case WL_PAGES_SWEEP:
			return p->rate;
		case WL_PAGES_HOTSET:
			return p->hot_rate + p->cold_rate;
		case WL_PAGES_REPLAY:
			return 0;
		}
		return 0;
	}
	return vm->dirtying.hot_writes_per_s + vm->dirtying.cold_writes_per_s;
}

/* The shortest time migration m can take: every byte of the VM's memory
 * and disk crosses its host's NIC once, at most at max_rate (or at
 * final_rate, the paused round's, when that is higher). */
static double min_migration_s(const dc_config *c, const dc_migration_cfg *m)
{
	const dc_vm_cfg *vm = &c->vms[m->vm_index];
	double bytes = (double)vm->memory_bytes + (double)vm->disk.size_bytes;
	/* The fastest NIC of any rack: a bound from below on the time. */
	double rate = 0;
	for (uint64_t r = 0; r < c->datacenter.racks; r++) {
		double nic = (double)dc_config_rack_host(c, r)->nic_bps;
		if (nic > rate)
			rate = nic;
		if (!c->datacenter.rack_list)
			break;
	}
	uint64_t cap = m->mig.max_rate_bps;
	if (m->mig.final_rate_bps > cap)
		cap = m->mig.final_rate_bps;
	if (cap > 0 && (double)cap < rate)
		rate = (double)cap;
	return bytes * 8 / rate;
}

void dc_config_estimate(const dc_config *c, dc_estimate *out)
{
	memset(out, 0, sizeof *out);
	const net_dc_params *np = &c->datacenter.network;
	uint64_t D = np->datacenters ? np->datacenters : 1;
	out->hosts = c->datacenter.nhosts;
	/* Host links, ToR uplinks, and the WAN mesh; or the topology's
	 * links; each two directed. */
	uint64_t full = c->datacenter.topology
				? c->datacenter.topology->nlinks
				: sat_add(sat_add(out->hosts,
						  sat_mul(D, c->datacenter.racks)),
					  D * (D - 1) / 2);
	out->links = sat_mul(full, 2);

	uint64_t duration = c->experiment.duration_ns;
	double end_s = (double)duration / 1e9;
	for (size_t i = 0; i < c->nmigrations; i++) {
		const dc_migration_cfg *m = &c->migrations[i];
		double t = (double)m->at_ns / 1e9 + min_migration_s(c, m);
		if (t > end_s)
			end_s = t;
		out->page_writes += drawn_writes_per_s(c, m) *
				    min_migration_s(c, m);
	}
	out->min_end_s = end_s;
	uint64_t end_ns = end_s >= 9.2e18 / 1e9 ? UINT64_MAX
						 : (uint64_t)(end_s * 1e9);
	if (end_ns < duration)
		end_ns = duration;

	const dc_results_cfg *res = &c->results;
	bool hosts_on = dc_results_has(res, DC_TABLE_HOST_SAMPLES);
	bool links_on = dc_results_has(res, DC_TABLE_LINK_SAMPLES);
	uint64_t host_ticks =
		hosts_on ? samples(duration, res->host_sample_interval_ns) : 0;
	out->host_samples_max = sat_mul(host_ticks, out->hosts);
	/* Changed-only rows: every host at the first sample, at least. */
	out->host_samples = res->host_rows_changed
				    ? (host_ticks ? out->hosts : 0)
				    : out->host_samples_max;
	bool flows = c->nmigrations > 0;
	for (size_t v = 0; v < c->nvms && !flows; v++)
		flows = c->vms[v].ntraffic > 0;
	uint64_t link_ticks =
		flows && links_on ? samples(end_ns, res->link_sample_interval_ns)
				  : 0;
	/* Idle links are not written: at most every link every time. */
	out->link_samples_max = sat_mul(link_ticks, out->links);
	uint64_t fixed = 0;
	if (dc_results_has(res, DC_TABLE_HOSTS))
		fixed = sat_add(fixed, out->hosts);
	if (dc_results_has(res, DC_TABLE_LINKS))
		fixed = sat_add(fixed, out->links);
	if (dc_results_has(res, DC_TABLE_VMS))
		fixed = sat_add(fixed, c->nvms);
	if (dc_results_has(res, DC_TABLE_MIGRATIONS))
		fixed = sat_add(fixed, c->nmigrations);
	/* The control loop: a row per host (host_intervals) and per VM
	 * (vm_intervals) every policy.interval up to the duration. */
	uint64_t ctl_ticks = res->control ? duration / c->policy.interval_ns : 0;
	uint64_t per_tick = 0;
	if (dc_results_has(res, DC_TABLE_HOST_INTERVALS))
		per_tick = sat_add(per_tick, out->hosts);
	if (dc_results_has(res, DC_TABLE_VM_INTERVALS))
		per_tick = sat_add(per_tick, c->nvms);
	out->interval_rows = sat_mul(ctl_ticks, per_tick);
	fixed = sat_add(fixed, out->interval_rows);
	out->rows = sat_add(out->host_samples, fixed);
	out->rows_max = sat_add(sat_add(out->host_samples_max,
					out->link_samples_max), fixed);
	out->bytes_max = sat_mul(out->rows_max, ROW_BYTES);
	out->events = sat_add(sat_add(sat_add(host_ticks, link_ticks),
				      ctl_ticks),
			      sat_mul(c->nmigrations, EVENTS_PER_MIGRATION));
	if (c->machine) {
		/* The machine alone: a row per workload and mode, and its
		 * runs (native's included) as the run's events. */
		uint64_t rows, runs;
		dc_machine_counts(c->machine, &rows, &runs);
		out->rows = sat_add(out->rows, rows);
		out->rows_max = sat_add(out->rows_max, rows);
		out->bytes_max = sat_mul(out->rows_max, ROW_BYTES);
		out->events = sat_add(out->events, runs);
	}
}

/* The node a message about the sampling is best placed at: the
 * results.host_interval or experiment.sample_interval the user wrote, else
 * the duration, else experiment:. */
static const cfg_node *sampling_node(const dc_config *c)
{
	const cfg_node *root = cfg_doc_root(c->doc);
	const cfg_node *exp = cfg_map_get(root, "experiment");
	const cfg_node *n =
		cfg_map_get(cfg_map_get(root, "results"), "host_interval");
	if (!n)
		n = cfg_map_get(exp, "sample_interval");
	if (!n)
		n = cfg_map_get(exp, "duration");
	if (!n)
		n = exp ? exp : root;
	return n;
}

/* The node of a migration's rate: its max_rate if given, else the entry. */
static const cfg_node *rate_node(const dc_migration_cfg *m)
{
	const cfg_node *n = cfg_map_get(m->node, "max_rate");
	return n ? n : m->node;
}

int dc_config_check_bounds(const dc_config *c, bool allow_large, sim_diag *d)
{
	unsigned before = d->errors;
	dc_estimate est;
	dc_config_estimate(c, &est);
	/* Past the clock's range no flag helps: results could not hold the
	 * times. */
	for (size_t i = 0; i < c->nmigrations; i++) {
		const dc_migration_cfg *m = &c->migrations[i];
		double t = (double)m->at_ns / 1e9 + min_migration_s(c, m);
		if (t * 1e9 >= (double)INT64_MAX)
			cfg_error(d, rate_node(m),
				  "migration of VM '%s' would take at least "
				  "%.3g s, past the largest time stored "
				  "(about 292 years) (expected a higher "
				  "max_rate or a smaller VM)",
				  m->vm, min_migration_s(c, m));
	}
	if (d->errors != before || allow_large)
		return d->errors == before ? 0 : SIM_EINPUT;
	if (est.rows > DC_MAX_ROWS && est.interval_rows > est.host_samples) {
		const cfg_node *root = cfg_doc_root(c->doc);
		const cfg_node *pn = cfg_map_get(root, "policy");
		const cfg_node *n = cfg_map_get(pn, "interval");
		cfg_error(d, n ? n : pn ? pn : root,
			  "a run would write at least %.3g rows (%.3g of "
			  "host_intervals and vm_intervals) (expected at most "
			  "%.0e rows per run: raise policy.interval, leave "
			  "vm_intervals out of results.tables, shorten the "
			  "run, or pass --allow-large)",
			  (double)est.rows, (double)est.interval_rows,
			  (double)DC_MAX_ROWS);
	} else if (est.rows > DC_MAX_ROWS) {
		const cfg_node *n = sampling_node(c);
		cfg_error(d, n,
			  "a run would write at least %.3g rows (%.3g host "
			  "samples; about %.3g GB) (expected at most %.0e rows "
			  "per run: raise experiment.sample_interval or "
			  "results.host_interval, leave host_samples out of "
			  "results.tables, shorten the run, or pass "
			  "--allow-large)",
			  (double)est.rows, (double)est.host_samples,
			  (double)est.rows * ROW_BYTES / 1e9,
			  (double)DC_MAX_ROWS);
	}
	if (est.events > DC_MAX_EVENTS)
		cfg_error(d, sampling_node(c),
			  "a run would execute at least %.3g events (expected "
			  "at most %.0e per run: raise "
			  "experiment.sample_interval, shorten the run, or "
			  "pass --allow-large)",
			  (double)est.events, (double)DC_MAX_EVENTS);
	for (size_t i = 0; i < c->nmigrations; i++) {
		const dc_migration_cfg *m = &c->migrations[i];
		double w = drawn_writes_per_s(c, m) * min_migration_s(c, m);
		if (w > DC_MAX_PAGE_WRITES) {
			const cfg_node *n = cfg_map_get(m->node, "fidelity");
			cfg_error(d, n ? n : m->node,
				  "page-exact migration of VM '%s' would draw "
				  "at least %.3g page writes (expected at most "
				  "%.0e per migration: use fidelity: "
				  "statistical, lower the write rates, or pass "
				  "--allow-large)",
				  m->vm, w, DC_MAX_PAGE_WRITES);
		}
	}
	return d->errors == before ? 0 : SIM_EINPUT;
}

/* Mirrors experiment.c's migration_dirty: a generator (and its stream
 * "vm/NAME/pages") exists only for a page-exact migration of a VM whose
 * writes take random draws (wl_pages_draws_random: not a replay, not a
 * sweep without bursts) and are neither fresh-rate nor idle. */
bool dc_config_has_random_draws(const dc_config *c)
{
	if (c->machine)
		return true;  /* streams from "machine/WORKLOAD" */
	for (size_t i = 0; i < c->nmigrations; i++) {
		const dc_migration_cfg *m = &c->migrations[i];
		if (m->fidelity != DC_FIDELITY_PAGE_EXACT)
			continue;
		const dc_vm_cfg *vm = &c->vms[m->vm_index];
		if (vm->page_writes_node) {
			if (wl_pages_draws_random(&vm->page_writes))
				return true;
			continue;
		}
		const mem_dirtying_cfg *dc = &vm->dirtying;
		if (!mem_dirtying_is_fresh(dc) &&
		    (dc->hot_writes_per_s != 0 || dc->cold_writes_per_s != 0))
			return true;
	}
	return false;
}
