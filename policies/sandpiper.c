/* SPDX-License-Identifier: MIT */
/*
 * Sandpiper [Wood07]: profiles over a window, hotspot detection (k of the
 * last n observations above T and an AR(1) forecast above T; swapping for
 * memory; SLA violations in grey-box mode), provisioning (black-box
 * percentile and forecast, memory stepped while swapping; grey-box G/G/1
 * sizing and working set) and in-place resizes. Mitigation (migrations,
 * swaps) is in sandpiper_mitigate.c. Also the threshold-only and
 * random-destination baselines, which differ only in a flag.
 */
#include "pol_internal.h"
#include "sandpiper_index.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

int sp_create(sp_state *s, const pol_params *p, size_t nhosts, size_t nvms,
	      sp_variant variant, sim_diag *d)
{
	if (nhosts >= POL_NONE || nvms >= POL_NONE) {
		sim_diag_error(d, NULL, 0, 0,
			       "policy: %zu hosts and %zu VMs (expected fewer "
			       "than %u of each)", nhosts, nvms,
			       (unsigned)POL_NONE);
		return SIM_EINPUT;
	}
	s->p = *p;
	s->variant = variant;
	s->nhosts = nhosts;
	s->nvms = nvms;
	uint32_t w = (uint32_t)p->window;
	size_t nrings = 4 * nhosts;
	s->store = sim_xcalloc(nrings ? nrings * w : 1, sizeof *s->store);
	pol_ring *rings = sim_xcalloc(nrings ? nrings : 1, sizeof *rings);
	for (size_t i = 0; i < nrings; i++)
		rings[i] = (pol_ring){.v = s->store + i * w, .cap = w};
	s->host_util[0] = rings;
	s->host_util[1] = rings + nhosts;
	s->host_swap = rings + 2 * nhosts;
	s->host_sla = rings + 3 * nhosts;
	sp_series_init(&s->vm_use[0], nvms, w);
	sp_series_init(&s->vm_use[1], nvms, w);
	sp_series_init(&s->vm_rate, nvms, w);
	bool grey = p->mode == POL_GREY_BOX;
	double *sorted = sim_xcalloc((grey ? 3 : 2) * nvms * w + 1,
				     sizeof *sorted);
	s->sorted_use[0] = sorted;
	s->sorted_use[1] = sorted + nvms * w;
	s->sorted_rate = grey ? sorted + 2 * nvms * w : NULL;
	s->vc = sim_xcalloc(nvms + 1, sizeof *s->vc);
	s->vm_host = sim_xcalloc(nvms + 1, sizeof *s->vm_host);
	s->moved_at_ns = sim_xcalloc(nvms + 1, sizeof *s->moved_at_ns);
	for (size_t i = 0; i < nvms; i++)
		s->moved_at_ns[i] = UINT64_MAX;
	size_t nmax = nhosts > nvms ? nhosts : nvms;
	s->need = sim_xcalloc(nvms * POL_NRES + 1, sizeof *s->need);
	s->load = sim_xcalloc(nhosts * POL_NRES + 1, sizeof *s->load);
	s->order = sim_xcalloc(2 * (nhosts + nvms) + 2, sizeof *s->order);
	s->order2 = sim_xcalloc(2 * (nhosts + nvms) + 2, sizeof *s->order2);
	s->pick = sim_xcalloc(nhosts + 1, sizeof *s->pick);
	s->first_vm = sim_xcalloc(nhosts + 1, sizeof *s->first_vm);
	s->next_vm = sim_xcalloc(nvms + 1, sizeof *s->next_vm);
	s->last_vm = sim_xcalloc(nhosts + 1, sizeof *s->last_vm);
	s->grow = sim_xcalloc(nvms + 1, 1);
	s->key = sim_xcalloc(nmax + 1, sizeof *s->key);
	s->key2 = sim_xcalloc(nmax + 1, sizeof *s->key2);
	s->tmp = sim_xcalloc(w + 1, sizeof *s->tmp);
	s->tmp2 = sim_xcalloc(w + 1, sizeof *s->tmp2);
	s->busy = sim_xcalloc(nvms + 1, 1);
	s->hot = sim_xcalloc(nhosts + 1, 1);
	return 0;
}

void sp_destroy(sp_state *s)
{
	free(s->store);
	free(s->host_util[0]);
	for (int k = 0; k < 2; k++)
		sp_series_fini(&s->vm_use[k]);
	sp_series_fini(&s->vm_rate);
	free(s->sorted_use[0]);
	free(s->vc);
	free(s->vm_host);
	free(s->moved_at_ns);
	free(s->need);
	free(s->load);
	free(s->order);
	free(s->order2);
	free(s->pick);
	free(s->first_vm);
	free(s->next_vm);
	free(s->last_vm);
	free(s->grow);
	free(s->key);
	free(s->key2);
	free(s->tmp);
	free(s->tmp2);
	free(s->busy);
	free(s->hot);
	if (s->rng)
		gsl_rng_free(s->rng);
	memset(s, 0, sizeof *s);
}

static bool is_grey(const sp_state *s)
{
	return s->p.mode == POL_GREY_BOX;
}

/* The swap I/O the policy may see for VM m. */
static double vm_swap(const sp_state *s, const pol_vm_view *m)
{
	double x = m->swap_bps;
	if (is_grey(s) && m->grey && m->guest_swap_bps > x)
		x = m->guest_swap_bps;
	return x;
}

static bool vm_sla_violated(const sp_state *s, const pol_vm_view *m)
{
	return is_grey(s) && m->app && m->sla_response_s > 0 &&
	       m->response_s > m->sla_response_s;
}

/* The fast path's push of sample x into series k (CPU, network) of VM
 * i, with the window's percentile and forecast updated only when they
 * can change: the percentile when the window's multiset changes (the
 * sample dropped differs from x, or the window is still filling), the
 * forecast unless the last n + 1 samples are all equal (then the last n
 * are the same sequence as before). Leaves s->vc[i].peak[k]. */
static void push_fast(sp_state *s, int k, size_t i, double x)
{
	sp_series *sr = &s->vm_use[k];
	size_t w = sr->cap, n = s->p.n;
	bool full = sr->len == sr->cap;
	bool same_last = sr->len > 0 && sp_series_newest(sr, i) == x;
	sp_vm_cache *c = &s->vc[i];
	uint32_t run = c->run[k];
	double *sorted = s->sorted_use[k] + i * w;
	double *row = sp_series_row(sr);
	if (!full || row[i] != x) {
		sp_sorted_push(sorted, sr->len, full, row[i], x);
		c->pct[k] = sp_sorted_percentile(sorted, sr->len + !full,
						    s->p.percentile);
		row[i] = x;
	}
	if (!(same_last && run >= n)) {
		/* The window's last n samples: the row just set is the
		 * newest, the rows before it are read directly. */
		size_t len = sr->len + !full, m = n < len ? n : len;
		size_t r = (sr->head + sr->cap + 1 - m) % sr->cap;
		for (size_t j = 0; j < m; j++) {
			s->tmp[j] = sr->v[r * sr->nitems + i];
			r = r + 1 == sr->cap ? 0 : r + 1;
		}
		c->fc[k] = pol_ar1_forecast(s->tmp, m, s->p.clamp_phi, NULL);
	}
	c->run[k] = same_last ? (run <= w ? run + 1 : run) : 1;
	c->peak[k] = c->pct[k] > c->fc[k] ? c->pct[k] : c->fc[k];
}

/* The naive path's pushes: every VM's samples into its series. */
static void observe_vms(sp_state *s, const pol_view *v)
{
	double *rate = sp_series_row(&s->vm_rate);
	for (size_t i = 0; i < v->nvms; i++) {
		const pol_vm_view *m = &v->vms[i];
		rate[i] = m->app ? m->arrival_rate : 0;
		s->key[m->host] += vm_swap(s, m);
		if (vm_sla_violated(s, m))
			s->key2[m->host] = 1;
	}
	sp_series_advance(&s->vm_rate);
	for (int k = 0; k < 2; k++) {
		double *row = sp_series_row(&s->vm_use[k]);
		for (size_t i = 0; i < v->nvms; i++)
			row[i] = k ? v->vms[i].net_bps : v->vms[i].cpu;
		sp_series_advance(&s->vm_use[k]);
	}
}

static void vm_pass(sp_state *s, const pol_view *v);

void sp_observe(sp_state *s, const pol_view *v)
{
	for (size_t h = 0; h < v->nhosts; h++) {
		const pol_host_view *hv = &v->hosts[h];
		pol_ring_push(&s->host_util[0][h],
			      ratio(hv->used[POL_CPU], hv->cap[POL_CPU]));
		pol_ring_push(&s->host_util[1][h],
			      ratio(hv->used[POL_NET], hv->cap[POL_NET]));
		s->key[h] = 0;  /* swap I/O of the host's guests */
		s->key2[h] = 0; /* SLA violations on the host */
		for (int r = 0; r < POL_NRES; r++)
			s->load[h * POL_NRES + r] = hv->used[r];
	}
	if (s->naive)
		observe_vms(s, v);
	else
		vm_pass(s, v);
	for (size_t h = 0; h < v->nhosts; h++) {
		pol_ring_push(&s->host_swap[h],
			      s->key[h] > (double)s->p.swap_hot_bps);
		pol_ring_push(&s->host_sla[h], s->key2[h]);
	}
}

/* ---- detection ---------------------------------------------------------- */

/* k of the last n samples above t and, unless the variant drops it, the
 * AR(1) forecast over the same samples above t. */
static bool series_hot(sp_state *s, const pol_ring *r)
{
	size_t m = pol_ring_last(r, s->p.n, s->tmp);
	if (m < s->p.k || pol_count_above(s->tmp, m, s->p.threshold) < s->p.k)
		return false;
	if (s->variant == SP_THRESHOLD)
		return true;
	return pol_ar1_forecast(s->tmp, m, s->p.clamp_phi, NULL) >
	       s->p.threshold;
}

/* Counts flags (1.0) among the last n samples of r. */
static size_t flags_set(sp_state *s, const pol_ring *r)
{
	size_t m = pol_ring_last(r, s->p.n, s->tmp);
	return pol_count_above(s->tmp, m, 0.5);
}

static void detect(sp_state *s, const pol_view *v, pol_out *out)
{
	for (size_t h = 0; h < v->nhosts; h++) {
		uint8_t why = 0;
		if (is_grey(s) && flags_set(s, &s->host_sla[h]) >= s->p.sla_k)
			why = 1 + POL_REASON_SLA;
		else if (series_hot(s, &s->host_util[0][h]) ||
			 series_hot(s, &s->host_util[1][h]))
			why = 1 + POL_REASON_HOTSPOT;
		else if (flags_set(s, &s->host_swap[h]) >= s->p.k)
			why = 1 + POL_REASON_MEMORY;
		s->hot[h] = why;
		out->hot[h] = why != 0;
	}
}

/* ---- provisioning ------------------------------------------------------- */

/* The naive black-box peak of VM i's series k: the larger of its
 * percentile over the window (a sort) and the AR(1) forecast over the
 * last n samples. */
static double series_peak(sp_state *s, int k, size_t i)
{
	const sp_series *sr = &s->vm_use[k];
	size_t m = sp_series_last(sr, i, sr->cap, s->tmp);
	if (m == 0)
		return 0;
	double pct = pol_percentile(s->tmp, m, s->p.percentile, s->tmp2);
	size_t c = sp_series_last(sr, i, s->p.n, s->tmp);
	double f = pol_ar1_forecast(s->tmp, c, s->p.clamp_phi, NULL);
	return pct > f ? pct : f;
}

/* VM i's estimated needs into s->need, from its peaks in s->peak. */
static void provision_vm(sp_state *s, const pol_view *v, size_t i)
{
	size_t w = s->p.window;
	const pol_vm_view *m = &v->vms[i];
	double *need = &s->need[i * POL_NRES];
	need[POL_CPU] = s->vc[i].peak[0];
	need[POL_NET] = s->vc[i].peak[1];
	need[POL_MEM] = m->alloc[POL_MEM];
	if (is_grey(s) && m->app && m->sla_response_s > 0) {
		/* G/G/1 with Kingman's approximation [Wood07]: the CPU
		 * share now serves lambda_cap within d; the peak rate needs
		 * it scaled by lambda_peak/cap. */
		double cap = pol_kingman_lambda_cap(
			m->sla_response_s, m->service_s,
			m->interarrival_var_s2, m->service_var_s2);
		double peak = 0;
		size_t k = s->vm_rate.len;
		if (s->naive && k) {
			sp_series_last(&s->vm_rate, i, k, s->tmp);
			peak = pol_percentile(s->tmp, k, s->p.percentile,
					      s->tmp2);
		} else if (k) {
			peak = sp_sorted_percentile(s->sorted_rate + i * w, k,
						    s->p.percentile);
		}
		need[POL_CPU] = cap > 0 ? m->cpu * peak / cap
					: v->hosts[m->host].cap[POL_CPU];
	}
	if (is_grey(s) && m->grey) {
		/* One step to the working set [Wood07]. */
		double ws = pol_working_set(m->lru_hist, m->lru_buckets,
					    m->lru_bucket_bytes, m->lru_beyond,
					    s->p.ws_miss_ratio);
		if (ws > need[POL_MEM])
			need[POL_MEM] = ws;
	} else if (vm_swap(s, m) > (double)s->p.swap_hot_bps) {
		/* Black-box: swapping shows only that memory is short, not
		 * by how much: one step per interval. */
		need[POL_MEM] += (double)s->p.mem_step_bytes;
	}
}

/* The naive path's provisioning: every peak from its window, then every
 * VM's needs. */
static void provision(sp_state *s, const pol_view *v)
{
	for (size_t i = 0; i < v->nvms; i++) {
		for (int k = 0; k < 2; k++)
			s->vc[i].peak[k] = series_peak(s, k, i);
		provision_vm(s, v, i);
	}
}

/* Projected loads: the needs of each host's VMs plus what the host uses
 * beyond its VMs' observed use (dom0, a VM migrating in). A VM migrating
 * out is projected on its destination only (the datacenter counts it on
 * both hosts while it moves, so the destination's use holds it): a
 * mitigation in flight is not started again. */
static void project(sp_state *s, const pol_view *v)
{
	for (size_t h = 0; h < v->nhosts; h++)
		for (int r = 0; r < POL_NRES; r++)
			s->load[h * POL_NRES + r] = v->hosts[h].used[r];
	for (size_t i = 0; i < v->nvms; i++) {
		const pol_vm_view *m = &v->vms[i];
		double seen[POL_NRES] = {m->cpu, m->net_bps,
					 m->alloc[POL_MEM]};
		for (int r = 0; r < POL_NRES; r++)
			s->load[m->host * POL_NRES + r] -= seen[r];
	}
	for (size_t h = 0; h < v->nhosts; h++)
		for (int r = 0; r < POL_NRES; r++)
			if (s->load[h * POL_NRES + r] < 0)
				s->load[h * POL_NRES + r] = 0;
	for (size_t i = 0; i < v->nvms; i++)
		for (int r = 0; r < POL_NRES && !v->vms[i].migrating; r++)
			s->load[v->vms[i].host * POL_NRES + r] +=
				s->need[i * POL_NRES + r];
}

static double limit(const sp_state *s, const pol_view *v, uint32_t h, int r)
{
	double f = r == POL_MEM ? s->p.mem_threshold : s->p.threshold;
	/* A relative slack of 1e-9 keeps "ends exactly at T" feasible
	 * despite rounding in the sums. */
	return f * v->hosts[h].cap[r] * (1 + 1e-9);
}

bool sp_host_over(const sp_state *s, const pol_view *v, uint32_t h)
{
	for (int r = 0; r < POL_NRES; r++)
		if (s->load[h * POL_NRES + r] > limit(s, v, h, r))
			return true;
	return false;
}

double sp_host_volume(const sp_state *s, const pol_view *v, uint32_t h)
{
	const double *l = &s->load[h * POL_NRES];
	const double *c = v->hosts[h].cap;
	return pol_volume(ratio(l[POL_CPU], c[POL_CPU]),
			  ratio(l[POL_NET], c[POL_NET]),
			  ratio(l[POL_MEM], c[POL_MEM]), s->p.vol_util_max);
}

bool sp_vm_movable(const sp_state *s, const pol_view *v, uint32_t i)
{
	if (v->vms[i].migrating || s->busy[i])
		return false;
	uint64_t t = s->moved_at_ns[i];
	return t == UINT64_MAX || v->now_ns >= sim_time_add(t, s->p.hold_down_ns);
}

/* [Wood09]: grow a VM in place when its host has room for the estimate;
 * otherwise leave the excess to mitigation. Shrinking is not done. */
static const int resize_res[] = {POL_CPU, POL_MEM};

/* True if VM i's need of resource r exceeds its allocation (a resize
 * candidate, whatever its host's load). */
static bool wants_more(const sp_state *s, const pol_vm_view *m, size_t i,
		       int r)
{
	double want = s->need[i * POL_NRES + r];
	return !(m->alloc[r] <= 0 || want <= m->alloc[r] * (1 + 1e-9));
}

static void resize_vm(sp_state *s, const pol_view *v, size_t i,
		      pol_out *out)
{
	const pol_vm_view *m = &v->vms[i];
	if (m->migrating)
		return;
	for (size_t k = 0; k < 2; k++) {
		int r = resize_res[k];
		double want = s->need[i * POL_NRES + r];
		if (!wants_more(s, m, i, r))
			continue;
		if (s->load[m->host * POL_NRES + r] > limit(s, v, m->host, r))
			continue;
		pol_action a = {
			.kind = POL_RESIZE, .vm = (uint32_t)i,
			.vm_b = POL_NONE, .from = m->host, .to = m->host,
			.stage = POL_NONE, .resource = (pol_resource)r,
			.amount = want,
			.reason = r == POL_MEM ? POL_REASON_MEMORY
				: vm_sla_violated(s, m) ? POL_REASON_SLA
				: POL_REASON_PROVISION};
		pol_out_push(out, &a);
	}
}

/* [Wood09]: grow a VM in place when its host has room for the estimate;
 * otherwise leave the excess to mitigation. Shrinking is not done. The
 * fast path visits only the VMs its pass flagged (in id order). */
static void resize(sp_state *s, const pol_view *v, pol_out *out)
{
	for (size_t i = 0; i < v->nvms; i++)
		if (s->naive || (s->grow[i] & SP_GROW))
			resize_vm(s, v, i, out);
}

/* The fast path's one pass over the VMs, after the hosts' first: series
 * pushes and peaks, swap and SLA sums per host, needs, the first half of
 * the projection (observed use taken off each host), each host's VM list
 * in id order, and the resize candidates. The naive path does each of
 * these in its own pass. */
static void vm_pass(sp_state *s, const pol_view *v)
{
	size_t w = s->p.window;
	double *rate = sp_series_row(&s->vm_rate);
	bool rate_full = s->vm_rate.len == s->vm_rate.cap;
	for (size_t h = 0; h < v->nhosts; h++)
		s->first_vm[h] = s->last_vm[h] = POL_NONE;
	for (size_t i = 0; i < v->nvms; i++) {
		const pol_vm_view *m = &v->vms[i];
		uint32_t h = m->host;
		s->key[h] += vm_swap(s, m);
		if (vm_sla_violated(s, m))
			s->key2[h] = 1;
		double x = m->app ? m->arrival_rate : 0;
		if (s->sorted_rate)
			sp_sorted_push(s->sorted_rate + i * w, s->vm_rate.len,
				       rate_full, rate[i], x);
		rate[i] = x;
		push_fast(s, 0, i, m->cpu);
		push_fast(s, 1, i, m->net_bps);
		/* The rate window (grey-box) is read with this interval's
		 * sample in it, as the naive path reads it after observe. */
		s->vm_rate.len += !rate_full;
		provision_vm(s, v, i);
		s->vm_rate.len -= !rate_full;
		double *l = &s->load[h * POL_NRES];
		l[POL_CPU] -= m->cpu;
		l[POL_NET] -= m->net_bps;
		l[POL_MEM] -= m->alloc[POL_MEM];
		if (s->first_vm[h] == POL_NONE)
			s->first_vm[h] = (uint32_t)i;
		else
			s->next_vm[s->last_vm[h]] = (uint32_t)i;
		s->last_vm[h] = (uint32_t)i;
		s->next_vm[i] = POL_NONE;
		s->vm_host[i] = h;
		s->grow[i] = m->migrating ? SP_MIGRATING
			   : wants_more(s, m, i, POL_CPU) ||
					   wants_more(s, m, i, POL_MEM)
				   ? SP_GROW
				   : 0;
	}
	sp_series_advance(&s->vm_rate);
	sp_series_advance(&s->vm_use[0]);
	sp_series_advance(&s->vm_use[1]);
}

void sp_decide(sp_state *s, const pol_view *v, pol_out *out)
{
	memset(s->busy, 0, v->nvms);
	if (s->naive) {
		/* Each host's VMs as a list in increasing id order. */
		for (size_t h = 0; h < v->nhosts; h++)
			s->first_vm[h] = POL_NONE;
		for (size_t i = v->nvms; i-- > 0;) {
			s->next_vm[i] = s->first_vm[v->vms[i].host];
			s->first_vm[v->vms[i].host] = (uint32_t)i;
		}
	}
	detect(s, v, out);
	if (s->naive) {
		provision(s, v);
		project(s, v);
	} else {
		/* The projection's second half (vm_pass did the first):
		 * clamp at 0, then the needs of the VMs not leaving. */
		for (size_t h = 0; h < v->nhosts * POL_NRES; h++)
			if (s->load[h] < 0)
				s->load[h] = 0;
		for (size_t i = 0; i < v->nvms; i++)
			if (!(s->grow[i] & SP_MIGRATING))
				for (int r = 0; r < POL_NRES; r++)
					s->load[s->vm_host[i] * POL_NRES + r] +=
						s->need[i * POL_NRES + r];
	}
	if (s->p.resize)
		resize(s, v, out);
	if (s->variant == SP_RANDOM && !s->rng)
		s->rng = sim_rng_stream(v->seed, "policy.random");
	sp_mitigate(s, v, out);
}

/* ---- ops tables --------------------------------------------------------- */

static int sandpiper_create(void *st, const pol_params *p, size_t nh,
			    size_t nv, sim_diag *d)
{
	return sp_create(st, p, nh, nv, SP_SANDPIPER, d);
}

static int threshold_create(void *st, const pol_params *p, size_t nh,
			    size_t nv, sim_diag *d)
{
	return sp_create(st, p, nh, nv, SP_THRESHOLD, d);
}

static int random_create(void *st, const pol_params *p, size_t nh,
			 size_t nv, sim_diag *d)
{
	return sp_create(st, p, nh, nv, SP_RANDOM, d);
}

static void sp_observe_hook(void *st, const pol_view *v)
{
	sp_observe(st, v);
}

static void sp_decide_hook(void *st, const pol_view *v, pol_out *out)
{
	sp_decide(st, v, out);
}

static void sp_destroy_hook(void *st)
{
	sp_destroy(st);
}

const pol_ops pol_sandpiper_ops = {
	.name = "sandpiper",
	.doc = "Sandpiper: k-of-n and AR(1) hotspots, Volume/VSR "
	       "migrations, swaps [Wood07]",
	.state_size = sizeof(sp_state),
	.create = sandpiper_create,
	.observe = sp_observe_hook,
	.decide = sp_decide_hook,
	.destroy = sp_destroy_hook,
};

const pol_ops pol_threshold_ops = {
	.name = "threshold",
	.doc = "Sandpiper without the forecast: k of n above T alone",
	.state_size = sizeof(sp_state),
	.create = threshold_create,
	.observe = sp_observe_hook,
	.decide = sp_decide_hook,
	.destroy = sp_destroy_hook,
};

const pol_ops pol_random_ops = {
	.name = "random",
	.doc = "Sandpiper's detection and VM choice, a random eligible "
	       "destination",
	.state_size = sizeof(sp_state),
	.create = random_create,
	.observe = sp_observe_hook,
	.decide = sp_decide_hook,
	.destroy = sp_destroy_hook,
};
