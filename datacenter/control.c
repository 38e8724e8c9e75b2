/* SPDX-License-Identifier: MIT */
/*
 * The control loop's accounting: every monitoring interval (policy.interval)
 * each VM's demand (its trace or generator), what its allocation and its
 * host grant it, the hosts' aggregates, power and energy; then the view a
 * policy reads (policies/pol.h) and the policy's step. experiment.c carries
 * the actions out (migrations through the migration model).
 *
 * Rules (README.md, "Policies (Sandpiper)"):
 * - CPU demand of interval [t0, t1) = the trace's CPU fraction at t0 (read
 *   by the VM's resample rule) x the VM's vcpus, or the generator's
 *   interval i = t0 / I fraction x vcpus. It is capped by the VM's CPU
 *   allocation (its vcpus until a resize) and then by its host: when the
 *   capped demands on a host add up to more than its cores, each VM gets
 *   the same fraction cores / sum of them (shares in proportion to demand).
 *   unmet = demand - granted >= 0.
 * - Network likewise (Bitbrains net column or the generator's, x 8 bit/B;
 *   an allocation of 0 is uncapped), shared by the host's NIC.
 * - Memory: use (Bitbrains or the generator's working set; PlanetLab has
 *   none: 0) against the allocation (the VM's memory until a resize). Use
 *   above the allocation swaps: the excess is paged out and back in once
 *   per interval, swap = 2 x excess x 8 / I bit/s. A black-box view sees
 *   only that swap rate; the host's memory use is the sum of allocations.
 * - Grey-box (policy.mode grey-box), what the in-VM daemon reports: its
 *   LRU stack-distance histogram assumes the guest touches each page of
 *   its working set once per interval in no favoured order, so distances
 *   are uniform over the working set W: LRU_BUCKETS buckets of whole
 *   pages (4 KiB) spanning W, each counting the pages of W it holds, none
 *   deeper (pol_working_set then gives W rounded up to a bucket at a miss
 *   ratio of 0, and (1 - miss ratio) W rounded up otherwise); page faults
 *   = the pages of W beyond the allocation per interval; guest swap = the
 *   swap above. A web VM's log gives its interval's arrival and service
 *   statistics, its response time and its SLA target (demand.sla).
 * - Response time of a web VM: Kingman's G/G/1 (wl_demand_response_s)
 *   with the service time of its vcpus stretched to the cores it may use,
 *   share = its allocation x its host's factor (granted / capped demand)
 *   / vcpus: infinite when its demand exceeds that. An SLA violation is a
 *   mean response time above the target. The log reports the service
 *   time (and its variance) as measured at that share.
 * - dom0's work for guests' network I/O ([Wood07]: Sandpiper charges it
 *   back to them), when a host's dom0_cpu_per_gbit c is not 0: a VM whose
 *   traffic its source host's NIC grants at g bit/s costs dom0 c x g / 1e9
 *   cores there. dom0 runs first: the guests share the host's cores less
 *   dom0's total (never below 0), the host's CPU use includes dom0's total,
 *   and the VM's black-box CPU is its grant plus its charge (the
 *   vm_intervals row keeps the grant alone). A host is full when its
 *   counted demand plus dom0's work reach its cores.
 * - During a migration (from its start to its end) the VM counts on both
 *   hosts: its capped demand and its allocation load the destination too
 *   (the destination reserves them), and it is granted what its source
 *   gives it; a host's use is the sum of what it gives the VMs counted on
 *   it, shadows included.
 * - Power per host (power.c): the host's model at its CPU utilisation
 *   (linear idle to peak, or a SPECpower-style table by decile); with
 *   power_off_empty a host on which no VM is counted draws 0 W, else
 *   every host is always on; energy = power x I summed over intervals.
 * - Metrics (policy_metrics, [BeloglazovBuyya12]): a host is active in
 *   an interval when a VM is counted on it, and full when the capped
 *   demands counted there reach its cores (the host at 100 % CPU); SLATAH
 *   is pol_slatah over those counts. A VM requests its capped CPU demand
 *   x I; it loses pol_migration_loss (10 %) of that demand for the time
 *   its migrations overlap the interval (time past the last interval,
 *   when a run is extended for migrations to end, is not counted); PDM is
 *   pol_pdm over VMs, SLAV = SLATAH x PDM.
 * Hosts and VMs are visited in index order (config order): no hashing.
 */
#include "dc_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Buckets of the grey-box LRU histogram (rules above). */
#define LRU_BUCKETS 256
#define LRU_PAGE_BYTES 4096.0

struct dc_control {
	const dc_config *cfg;
	dc_world *w;
	sim_results *r;
	sim_diag *d;
	const pol_ops *ops;
	pol_policy *pol;        /* NULL for policy none */
	uint64_t interval_ns;
	uint64_t steps;         /* intervals accounted so far */
	wl_demand_gen **gens;   /* per VM with demand:, else NULL */
	double *alloc;          /* [nvms][POL_NRES] */
	uint32_t *mig_to;       /* destination while migrating, or POL_NONE */
	double *want;           /* [nvms][2]: capped CPU and net demand */
	double *dem;            /* [nvms][3]: CPU, net, memory demand */
	uint64_t seed;
	double *sum;            /* [nhosts][2]: capped demand counted there */
	pol_host_view *hv;
	pol_vm_view *vv;
	double *energy_j;       /* per host */
	uint32_t *counted;      /* per host: VMs counted there this interval */
	/* policy_metrics (rules above) */
	uint64_t *active_n, *full_n; /* per host: active, full intervals */
	double *requested, *degraded; /* per VM: core-seconds */
	uint64_t *mig_since_ns;  /* per VM in flight: its migration's start */
	uint64_t *mig_done_ns;   /* per VM: migration time in the interval
				    being accounted, of migrations that
				    ended in it */
	uint64_t migrations, hot_n, flagged_n;
	uint64_t *lru;          /* grey-box: [nvms][LRU_BUCKETS] histograms */
	pol_out out;
	bool host_rows, vm_rows, action_rows;
	/* dom0's work for guests' traffic (rules above), when some host's
	 * dom0_cpu_per_gbit is not 0: cores per host, and per VM. */
	bool dom0_on;
	double *dom0, *charge;
	void (*decide_fn)(void *ctx, bool done); /* dc_progress.decide */
	void *decide_ctx;
};

void dc_control_set_decide_hook(dc_control *ctl, void (*fn)(void *, bool),
				void *ctx)
{
	ctl->decide_fn = fn;
	ctl->decide_ctx = ctx;
}

bool dc_control_wanted(const dc_config *c)
{
	if (c->policy.policy != 0)
		return true;
	for (size_t v = 0; v < c->nvms; v++)
		if (c->vms[v].demand_source != DC_DEMAND_NONE)
			return true;
	return false;
}

/* Host h's settings (capacities, power, dom0): its rack's kind. */
static const dc_host_cfg *host_cfg(const dc_control *ctl, size_t h)
{
	return dc_config_rack_host(ctl->cfg, ctl->w->hosts[h].rack);
}

dc_control *dc_control_create(const dc_config *c, dc_world *w, uint64_t seed,
			      sim_results *r, sim_diag *d)
{
	dc_control *ctl = sim_xcalloc(1, sizeof *ctl);
	ctl->cfg = c;
	ctl->w = w;
	ctl->r = r;
	ctl->d = d;
	ctl->interval_ns = c->policy.interval_ns;
	size_t nh = w->nhosts ? w->nhosts : 1, nv = w->nvms ? w->nvms : 1;
	ctl->gens = sim_xcalloc(nv, sizeof *ctl->gens);
	ctl->alloc = sim_xcalloc(nv * POL_NRES, sizeof *ctl->alloc);
	ctl->mig_to = sim_xcalloc(nv, sizeof *ctl->mig_to);
	ctl->want = sim_xcalloc(nv * 2, sizeof *ctl->want);
	ctl->dem = sim_xcalloc(nv * 3, sizeof *ctl->dem);
	ctl->seed = seed;
	ctl->sum = sim_xcalloc(nh * 2, sizeof *ctl->sum);
	ctl->hv = sim_xcalloc(nh, sizeof *ctl->hv);
	ctl->vv = sim_xcalloc(nv, sizeof *ctl->vv);
	ctl->energy_j = sim_xcalloc(nh, sizeof *ctl->energy_j);
	ctl->counted = sim_xcalloc(nh, sizeof *ctl->counted);
	for (size_t h = 0; h < w->nhosts; h++)
		ctl->dom0_on |= host_cfg(ctl, h)->dom0_cpu_per_gbit > 0;
	if (ctl->dom0_on) {
		ctl->dom0 = sim_xcalloc(nh, sizeof *ctl->dom0);
		ctl->charge = sim_xcalloc(nv, sizeof *ctl->charge);
	}
	ctl->active_n = sim_xcalloc(nh, sizeof *ctl->active_n);
	ctl->full_n = sim_xcalloc(nh, sizeof *ctl->full_n);
	ctl->requested = sim_xcalloc(nv, sizeof *ctl->requested);
	ctl->degraded = sim_xcalloc(nv, sizeof *ctl->degraded);
	ctl->mig_since_ns = sim_xcalloc(nv, sizeof *ctl->mig_since_ns);
	ctl->mig_done_ns = sim_xcalloc(nv, sizeof *ctl->mig_done_ns);
	if (c->policy.mode == POL_GREY_BOX)
		ctl->lru = sim_xcalloc(nv * LRU_BUCKETS, sizeof *ctl->lru);
	for (size_t v = 0; v < w->nvms; v++) {
		const dc_vm_cfg *vc = &c->vms[v];
		ctl->alloc[v * POL_NRES + POL_CPU] = (double)w->vms[v].vcpus;
		ctl->alloc[v * POL_NRES + POL_NET] = 0;
		ctl->alloc[v * POL_NRES + POL_MEM] =
			(double)w->vms[v].memory_bytes;
		ctl->mig_to[v] = POL_NONE;
		if (vc->demand_source == DC_DEMAND_GENERATOR) {
			char *name = sim_xasprintf("vm/%s/demand", vc->name);
			gsl_rng *rng = sim_rng_stream(seed, name);
			free(name);
			ctl->gens[v] = wl_demand_create(&vc->demand,
							ctl->interval_ns, rng);
			gsl_rng_free(rng);
		}
	}
	ctl->host_rows = dc_results_has(&c->results, DC_TABLE_HOST_INTERVALS);
	ctl->vm_rows = dc_results_has(&c->results, DC_TABLE_VM_INTERVALS);
	ctl->action_rows = dc_results_has(&c->results, DC_TABLE_ACTIONS);
	ctl->ops = pol_ops_at((size_t)c->policy.policy);
	pol_out_init(&ctl->out, w->nhosts);
	if (c->policy.policy != 0) {
		ctl->pol = pol_policy_create(ctl->ops, &c->policy, w->nhosts,
					     w->nvms, d);
		if (!ctl->pol) {
			dc_control_destroy(ctl);
			return NULL;
		}
	}
	return ctl;
}

void dc_control_destroy(dc_control *ctl)
{
	if (!ctl)
		return;
	for (size_t v = 0; v < ctl->w->nvms; v++)
		wl_demand_destroy(ctl->gens[v]);
	pol_policy_destroy(ctl->pol);
	pol_out_fini(&ctl->out);
	free(ctl->gens);
	free(ctl->alloc);
	free(ctl->mig_to);
	free(ctl->want);
	free(ctl->dem);
	free(ctl->sum);
	free(ctl->hv);
	free(ctl->vv);
	free(ctl->energy_j);
	free(ctl->counted);
	free(ctl->dom0);
	free(ctl->charge);
	free(ctl->active_n);
	free(ctl->full_n);
	free(ctl->requested);
	free(ctl->degraded);
	free(ctl->mig_since_ns);
	free(ctl->mig_done_ns);
	free(ctl->lru);
	free(ctl);
}

uint64_t dc_control_interval_ns(const dc_control *ctl)
{
	return ctl->interval_ns;
}

/* The start of the interval to be accounted next. */
static uint64_t accounting_from(const dc_control *ctl)
{
	return ctl->steps * ctl->interval_ns;
}

void dc_control_migrating(dc_control *ctl, uint32_t vm, uint32_t dst,
			  uint64_t now_ns)
{
	if (dst != POL_NONE) {
		ctl->migrations++;
		ctl->mig_since_ns[vm] = now_ns;
	} else if (ctl->mig_to[vm] != POL_NONE) {
		uint64_t from = accounting_from(ctl);
		if (ctl->mig_since_ns[vm] > from)
			from = ctl->mig_since_ns[vm];
		if (now_ns > from)
			ctl->mig_done_ns[vm] += now_ns - from;
	}
	ctl->mig_to[vm] = dst;
}

bool dc_control_in_flight(const dc_control *ctl, uint32_t vm)
{
	return ctl->mig_to[vm] != POL_NONE;
}

void dc_control_resize(dc_control *ctl, uint32_t vm, pol_resource res,
		       double amount)
{
	if (amount >= 0 && isfinite(amount))
		ctl->alloc[(size_t)vm * POL_NRES + res] = amount;
}

/* One VM's demand over the interval starting at t0 (index i): CPU cores,
 * network bit/s, memory bytes in use; *dm the generator's interval. */
static void demand_of(const dc_control *ctl, size_t v, uint64_t i,
		      trace_util_pos pos, double out[3], wl_demand *dm)
{
	const dc_vm_cfg *vc = &ctl->cfg->vms[v];
	double vcpus = (double)ctl->w->vms[v].vcpus;
	memset(dm, 0, sizeof *dm);
	out[0] = out[1] = out[2] = 0;
	if (vc->demand_source == DC_DEMAND_TRACE) {
		const trace_util *u = vc->util_trace;
		trace_util_interp in = (trace_util_interp)vc->util.resample;
		out[0] = trace_util_read(u, TRACE_UTIL_CPU, in, pos) * vcpus;
		out[1] = trace_util_read(u, TRACE_UTIL_NET, in, pos) * 8;
		out[2] = trace_util_read(u, TRACE_UTIL_MEM, in, pos);
	} else if (vc->demand_source == DC_DEMAND_GENERATOR) {
		wl_demand_at(ctl->gens[v], i, dm);
		out[0] = dm->cpu * vcpus;
		out[1] = dm->net_Bps * 8;
		out[2] = dm->mem_bytes;
	}
}

/* True if VM v is a web server (generator of kind web). */
static bool is_web(const dc_control *ctl, size_t v)
{
	return ctl->cfg->vms[v].demand_source == DC_DEMAND_GENERATOR &&
	       ctl->cfg->vms[v].demand.kind == WL_DEMAND_WEB;
}

/* Fills VM v's grey-box memory statistics from its working set (bytes
 * in use) as the rules above say. */
static void grey_memory(dc_control *ctl, size_t v, double ws,
			pol_vm_view *vv, double secs)
{
	uint64_t *hist = &ctl->lru[v * LRU_BUCKETS];
	memset(hist, 0, LRU_BUCKETS * sizeof *hist);
	double pages = ws > 0 ? ceil(ws / LRU_PAGE_BYTES) : 0;
	/* Whole pages per bucket, enough buckets to span the working set. */
	double per = pages > 0 ? ceil(pages / LRU_BUCKETS) : 1;
	for (size_t b = 0; b < LRU_BUCKETS && pages > 0; b++) {
		double n = fmin(per, pages);
		hist[b] = (uint64_t)n;
		pages -= n;
	}
	vv->lru_hist = hist;
	vv->lru_buckets = LRU_BUCKETS;
	vv->lru_bucket_bytes = (uint64_t)(per * LRU_PAGE_BYTES);
	vv->lru_beyond = 0;
	double short_bytes = ws - vv->alloc[POL_MEM];
	vv->page_faults_per_s =
		short_bytes > 0 ? ceil(short_bytes / LRU_PAGE_BYTES) / secs : 0;
}

/* Writes the host_intervals row of host h. */
static int host_row(dc_control *ctl, uint64_t now, size_t h, double vol,
		    bool hot, double power)
{
	const pol_host_view *x = &ctl->hv[h];
	sim_value v[] = {
		{.i = (int64_t)now},
		{.s = ctl->w->hosts[h].name},
		{.r = x->used[POL_CPU] / x->cap[POL_CPU]},
		{.r = x->used[POL_NET] / x->cap[POL_NET]},
		{.r = x->used[POL_MEM] / x->cap[POL_MEM]},
		{.r = x->used[POL_CPU]},
		{.r = vol},
		{.i = hot},
		{.r = power},
	};
	return sim_results_row(ctl->r, &dc_host_intervals_table, v, ctl->d);
}

/* dom0's work this interval (rules above): each VM's traffic as its
 * source host's NIC grants it, times that host's cost, charged to the VM
 * and counted in the host's CPU use. */
static void dom0_work(dc_control *ctl)
{
	const dc_world *w = ctl->w;
	memset(ctl->dom0, 0, w->nhosts * sizeof *ctl->dom0);
	for (size_t v = 0; v < w->nvms; v++) {
		uint32_t h = w->vms[v].host;
		double want = ctl->want[v * 2 + 1];
		double s = ctl->sum[h * 2 + 1], cap = ctl->hv[h].cap[POL_NET];
		double g = s > cap ? want * (cap / s) : want;
		double c = host_cfg(ctl, h)->dom0_cpu_per_gbit * g / 1e9;
		ctl->charge[v] = c;
		ctl->dom0[h] += c;
	}
	for (size_t h = 0; h < w->nhosts; h++)
		ctl->hv[h].used[POL_CPU] += ctl->dom0[h];
}

int dc_control_step(dc_control *ctl, uint64_t now, const pol_out **out)
{
	const dc_world *w = ctl->w;
	uint64_t t0 = now - ctl->interval_ns;
	uint64_t i = ctl->steps++;
	double secs = (double)ctl->interval_ns / 1e9;
	trace_util_pos pos = trace_util_pos_at(t0);
	memset(ctl->sum, 0, w->nhosts * 2 * sizeof *ctl->sum);
	for (size_t h = 0; h < w->nhosts; h++) {
		pol_host_view *x = &ctl->hv[h];
		memset(x, 0, sizeof *x);
		x->cap[POL_CPU] = (double)w->hosts[h].cpus;
		x->cap[POL_NET] = (double)w->hosts[h].nic_bps;
		x->cap[POL_MEM] = (double)w->hosts[h].memory_bytes;
		const dc_host_cfg *hc = host_cfg(ctl, h);
		x->power_idle_w = hc->power_idle_w;
		x->power_peak_w = hc->power_peak_w;
		x->power_table_w = dc_host_power_table(hc);
	}
	memset(ctl->counted, 0, w->nhosts * sizeof *ctl->counted);
	/* Demands, capped by allocations, counted on their hosts. */
	for (size_t v = 0; v < w->nvms; v++) {
		double *dem = &ctl->dem[v * 3];
		wl_demand dm;
		demand_of(ctl, v, i, pos, dem, &dm);
		const double *al = &ctl->alloc[v * POL_NRES];
		double *want = &ctl->want[v * 2];
		want[0] = fmin(dem[0], al[POL_CPU]);
		want[1] = al[POL_NET] > 0 ? fmin(dem[1], al[POL_NET]) : dem[1];
		/* PDM: what it asked for, and what its migrations cost. */
		uint64_t mig_ns = ctl->mig_done_ns[v];
		ctl->mig_done_ns[v] = 0;
		if (ctl->mig_to[v] != POL_NONE)
			mig_ns += now - (ctl->mig_since_ns[v] > t0
						 ? ctl->mig_since_ns[v] : t0);
		ctl->requested[v] += want[0] * secs;
		if (mig_ns)
			ctl->degraded[v] += pol_migration_loss(
				want[0], (double)mig_ns / 1e9);
		uint32_t hs[2] = {w->vms[v].host, ctl->mig_to[v]};
		for (int k = 0; k < 2 && hs[k] != POL_NONE; k++) {
			ctl->sum[hs[k] * 2] += want[0];
			ctl->sum[hs[k] * 2 + 1] += want[1];
			ctl->hv[hs[k]].used[POL_MEM] += al[POL_MEM];
			ctl->counted[hs[k]]++;
		}
		pol_vm_view *vv = &ctl->vv[v];
		memset(vv, 0, sizeof *vv);
		vv->host = w->vms[v].host;
		vv->migrating = ctl->mig_to[v] != POL_NONE;
		memcpy(vv->alloc, al, sizeof vv->alloc);
		double excess = dem[2] - al[POL_MEM];
		vv->swap_bps = excess > 0 ? 2 * excess * 8 / secs : 0;
		vv->grey = ctl->cfg->policy.mode == POL_GREY_BOX;
		vv->guest_swap_bps = vv->grey ? vv->swap_bps : 0;
		if (vv->grey)
			grey_memory(ctl, v, dem[2], vv, secs);
		if (is_web(ctl, v)) {
			/* Filled for the response time; a policy reads them
			 * (app) only in grey-box mode. */
			vv->app = vv->grey;
			vv->arrival_rate = dm.arrival_rate;
			vv->interarrival_var_s2 = dm.arrival_var_s2;
			vv->service_s = dm.service_s;
			vv->service_var_s2 = dm.service_var_s2;
			vv->sla_response_s =
				(double)ctl->cfg->vms[v].demand.sla_ns / 1e9;
		}
	}
	if (ctl->dom0_on)
		dom0_work(ctl);
	/* Shares: each host gives min(1, capacity / counted demand), its CPU
	 * capacity less dom0's work. */
	int rc = 0;
	for (size_t v = 0; v < w->nvms && rc == 0; v++) {
		pol_vm_view *vv = &ctl->vv[v];
		const double *want = &ctl->want[v * 2];
		uint32_t hs[2] = {vv->host, ctl->mig_to[v]};
		double granted[2] = {0, 0};
		for (int k = 0; k < 2 && hs[k] != POL_NONE; k++) {
			for (int r = 0; r < 2; r++) {
				double s = ctl->sum[hs[k] * 2 + r];
				double cap = ctl->hv[hs[k]].cap[r];
				if (r == 0 && ctl->dom0_on)
					cap = fmax(0, cap - ctl->dom0[hs[k]]);
				double g = s > cap ? want[r] * (cap / s)
						   : want[r];
				ctl->hv[hs[k]].used[r] += g;
				if (k == 0)
					granted[r] = g;
			}
		}
		double dem_cpu = ctl->dem[v * 3];
		double mem_use = ctl->dem[v * 3 + 2];
		vv->cpu = granted[0] + (ctl->dom0_on ? ctl->charge[v] : 0);
		vv->net_bps = granted[1];
		bool violated = false;
		if (is_web(ctl, v)) {
			/* The cores it may use over its vcpus (rules above). */
			double f = want[0] > 0 ? granted[0] / want[0] : 1;
			double share = f * vv->alloc[POL_CPU] /
				       (double)w->vms[v].vcpus;
			vv->response_s = share > 0
				? wl_demand_response_s(
					  &(wl_demand){
						  .arrival_rate = vv->arrival_rate,
						  .arrival_var_s2 =
							  vv->interarrival_var_s2,
						  .service_s = vv->service_s,
						  .service_var_s2 =
							  vv->service_var_s2},
					  share)
				: INFINITY;
			violated = vv->sla_response_s > 0 &&
				   vv->response_s > vv->sla_response_s;
			/* The log reports service times as measured: those
			 * of the vcpus stretched to the share. */
			if (share > 0) {
				vv->service_s /= share;
				vv->service_var_s2 /= share * share;
			}
		}
		if (!ctl->vm_rows)
			continue;
		sim_value row[] = {
			{.i = (int64_t)now},
			{.s = w->vms[v].name},
			{.s = w->hosts[vv->host].name},
			{.r = dem_cpu},
			{.r = vv->alloc[POL_CPU]},
			{.r = granted[0]},
			{.r = fmax(0, dem_cpu - granted[0])},
			{.r = granted[1]},
			{.r = mem_use},
			{.r = vv->alloc[POL_MEM]},
			{.r = vv->swap_bps},
			{.i = violated},
		};
		rc = sim_results_row(ctl->r, &dc_vm_intervals_table, row, ctl->d);
	}
	pol_view view = {
		.interval = i,
		.now_ns = now,
		.interval_ns = ctl->interval_ns,
		.seed = ctl->seed,
		.nhosts = w->nhosts,
		.nvms = w->nvms,
		.hosts = ctl->hv,
		.vms = ctl->vv,
	};
	pol_out_clear(&ctl->out);
	if (ctl->pol) {
		if (ctl->decide_fn)
			ctl->decide_fn(ctl->decide_ctx, false);
		pol_policy_step(ctl->pol, &view, &ctl->out);
		if (ctl->decide_fn)
			ctl->decide_fn(ctl->decide_ctx, true);
	}
	double umax = ctl->cfg->policy.vol_util_max;
	for (size_t h = 0; h < w->nhosts && rc == 0; h++) {
		const pol_host_view *x = &ctl->hv[h];
		double u = x->used[POL_CPU] / x->cap[POL_CPU];
		double p = dc_host_power_w(host_cfg(ctl, h), u, ctl->counted[h]);
		ctl->energy_j[h] += p * secs;
		if (ctl->counted[h]) {
			ctl->active_n[h]++;
			ctl->full_n[h] += ctl->sum[h * 2] +
						  (ctl->dom0_on ? ctl->dom0[h]
								: 0) >=
					  x->cap[POL_CPU];
		}
		double t = ctl->cfg->policy.threshold;
		ctl->hot_n += u > t || x->used[POL_NET] / x->cap[POL_NET] > t;
		ctl->flagged_n += ctl->out.hot[h] != 0;
		if (!ctl->host_rows)
			continue;
		double vol = pol_volume(u, x->used[POL_NET] / x->cap[POL_NET],
					x->used[POL_MEM] / x->cap[POL_MEM],
					umax);
		rc = host_row(ctl, now, h, vol, ctl->out.hot[h] != 0, p);
	}
	*out = &ctl->out;
	return rc;
}

int dc_control_action_row(dc_control *ctl, uint64_t now, const pol_action *a,
			  const char *outcome)
{
	if (!ctl->action_rows)
		return 0;
	const dc_world *w = ctl->w;
	bool resize = a->kind == POL_RESIZE;
	sim_value v[] = {
		{.i = (int64_t)now},
		{.s = pol_action_kind_name(a->kind)},
		{.s = w->vms[a->vm].name},
		{.s = a->kind == POL_SWAP ? w->vms[a->vm_b].name : ""},
		{.s = w->hosts[a->from].name},
		{.s = resize ? "" : w->hosts[a->to].name},
		{.s = resize ? (a->resource == POL_CPU   ? "cpu"
				: a->resource == POL_NET ? "net"
							 : "mem")
			     : ""},
		{.r = resize ? a->amount : 0},
		{.s = pol_reason_name(a->reason)},
		{.s = outcome},
	};
	return sim_results_row(ctl->r, &dc_actions_table, v, ctl->d);
}

/* The energy rows: per host, then "total". */
static int energy_rows(dc_control *ctl, double total)
{
	int rc = 0;
	double secs = (double)ctl->steps * (double)ctl->interval_ns / 1e9;
	for (size_t h = 0; h <= ctl->w->nhosts && rc == 0; h++) {
		double e = h < ctl->w->nhosts ? ctl->energy_j[h] : total;
		sim_value v[] = {
			{.s = h < ctl->w->nhosts ? ctl->w->hosts[h].name : "total"},
			{.r = secs},
			{.r = e},
			{.r = e / 3.6e6},
			{.r = secs > 0 ? e / secs : 0},
		};
		rc = sim_results_row(ctl->r, &dc_energy_table, v, ctl->d);
	}
	return rc;
}

/* The run's policy_metrics row (rules at the top). */
static int metrics_row(dc_control *ctl, double total_j)
{
	size_t nh = ctl->w->nhosts, nv = ctl->w->nvms;
	double slatah = pol_slatah_counts(ctl->active_n, ctl->full_n, nh);
	double pdm = pol_pdm(ctl->degraded, ctl->requested, nv);
	uint64_t active = 0, full = 0;
	double req = 0, deg = 0;
	for (size_t h = 0; h < nh; h++) {
		active += ctl->active_n[h];
		full += ctl->full_n[h];
	}
	for (size_t v = 0; v < nv; v++) {
		req += ctl->requested[v];
		deg += ctl->degraded[v];
	}
	sim_value v[] = {
		{.s = ctl->ops->name},
		{.i = (int64_t)ctl->steps},
		{.r = slatah},
		{.r = pdm},
		{.r = pol_slav(slatah, pdm)},
		{.r = total_j / 3.6e6},
		{.i = (int64_t)ctl->migrations},
		{.i = (int64_t)ctl->hot_n},
		{.i = (int64_t)ctl->flagged_n},
		{.i = (int64_t)active},
		{.i = (int64_t)full},
		{.r = req},
		{.r = deg},
	};
	return sim_results_row(ctl->r, &dc_policy_metrics_table, v, ctl->d);
}

int dc_control_finish(dc_control *ctl, uint64_t end_ns)
{
	(void)end_ns;
	/* Summed in host order, as the energy rows list them. */
	double total = 0;
	for (size_t h = 0; h < ctl->w->nhosts; h++)
		total += ctl->energy_j[h];
	int rc = 0;
	if (dc_results_has(&ctl->cfg->results, DC_TABLE_ENERGY))
		rc = energy_rows(ctl, total);
	if (rc == 0 &&
	    dc_results_has(&ctl->cfg->results, DC_TABLE_POLICY_METRICS))
		rc = metrics_row(ctl, total);
	return rc;
}
