/* SPDX-License-Identifier: MIT */
/*
 * The consolidation heuristics of [BeloglazovBuyya12], as CloudSim users
 * know them: overload detection by a static threshold (THR), median
 * absolute deviation (MAD), interquartile range (IQR) or local regression
 * (LR); VM selection by minimum migration time; power-aware best-fit
 * decreasing placement; and underload consolidation. CPU only, as in the
 * paper; memory is checked for fit. Metrics are in beloglazov_metrics.c.
 */
#include "pol_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct bb_state {
	pol_params p;
	int detector;          /* POL_KIND_BB_* */
	size_t nhosts, nvms;
	double *store;
	pol_ring *vm_cpu;      /* per VM: cores used, last `cap` intervals */
	uint32_t cap;
	uint32_t *assign;      /* per VM: planned host (POL_NONE: unplaced) */
	/* Each host's planned VMs as a list in increasing id order (hfirst
	 * per host, vnext per VM, POL_NONE ends it), kept with assign, so
	 * that a host's sums visit only its own VMs, in the id order the
	 * sums have always used (the same bytes as a scan of every VM). */
	uint32_t *hfirst, *vnext;
	uint32_t *members;     /* scratch: planned_ids' answer */
	uint32_t *snap;        /* scratch: the VMs of a host being emptied */
	uint32_t *order, *tmpo;
	double *key;
	double *series, *s2, *scratch; /* cap doubles each (scratch 2 cap) */
	uint8_t *role;         /* per host: 1 over, 2 destination, 4 emptied */
	uint8_t *busy;         /* per VM: given an action */
} bb_state;

enum { ROLE_OVER = 1, ROLE_DEST = 2, ROLE_EMPTIED = 4 };

static int bb_create(bb_state *s, const pol_params *p, size_t nhosts,
		     size_t nvms, int detector, sim_diag *d)
{
	if (nhosts >= POL_NONE || nvms >= POL_NONE) {
		sim_diag_error(d, NULL, 0, 0, "policy: too many hosts or VMs");
		return SIM_EINPUT;
	}
	s->p = *p;
	s->detector = detector;
	s->nhosts = nhosts;
	s->nvms = nvms;
	uint64_t c = p->bb_history > p->bb_lr_len ? p->bb_history
						  : p->bb_lr_len;
	s->cap = (uint32_t)(c > p->window ? c : p->window);
	s->store = sim_xcalloc(nvms * s->cap + 1, sizeof *s->store);
	s->vm_cpu = sim_xcalloc(nvms + 1, sizeof *s->vm_cpu);
	for (size_t i = 0; i < nvms; i++)
		s->vm_cpu[i] = (pol_ring){.v = s->store + i * s->cap,
					  .cap = s->cap};
	size_t nmax = (nhosts > nvms ? nhosts : nvms) + 1;
	s->assign = sim_xcalloc(nvms + 1, sizeof *s->assign);
	s->hfirst = sim_xcalloc(nhosts + 1, sizeof *s->hfirst);
	s->vnext = sim_xcalloc(nvms + 1, sizeof *s->vnext);
	s->members = sim_xcalloc(nvms + 2, sizeof *s->members);
	s->snap = sim_xcalloc(nvms + 1, sizeof *s->snap);
	s->order = sim_xcalloc(nmax, sizeof *s->order);
	s->tmpo = sim_xcalloc(nmax, sizeof *s->tmpo);
	s->key = sim_xcalloc(nmax, sizeof *s->key);
	s->series = sim_xcalloc(s->cap, sizeof *s->series);
	s->s2 = sim_xcalloc(s->cap, sizeof *s->s2);
	s->scratch = sim_xcalloc(2 * (size_t)s->cap, sizeof *s->scratch);
	s->role = sim_xcalloc(nhosts + 1, 1);
	s->busy = sim_xcalloc(nvms + 1, 1);
	return 0;
}

static void bb_destroy(void *st)
{
	bb_state *s = st;
	free(s->store);
	free(s->vm_cpu);
	free(s->assign);
	free(s->hfirst);
	free(s->vnext);
	free(s->members);
	free(s->snap);
	free(s->order);
	free(s->tmpo);
	free(s->key);
	free(s->series);
	free(s->s2);
	free(s->scratch);
	free(s->role);
	free(s->busy);
}

static void bb_observe(void *st, const pol_view *v)
{
	bb_state *s = st;
	for (size_t i = 0; i < v->nvms; i++)
		pol_ring_push(&s->vm_cpu[i], v->vms[i].cpu);
}

/* Builds every host's list from the VMs' current hosts. O(hosts + VMs). */
static void lists_build(bb_state *s, const pol_view *v)
{
	for (uint32_t h = 0; h < v->nhosts; h++)
		s->hfirst[h] = POL_NONE;
	/* Pushing in decreasing id order leaves each list increasing. */
	for (uint32_t i = (uint32_t)v->nvms; i-- > 0;) {
		uint32_t h = v->vms[i].host;
		s->assign[i] = h;
		s->vnext[i] = s->hfirst[h];
		s->hfirst[h] = i;
	}
}

/* Moves VM i's plan to host h (POL_NONE: unplaced), keeping both lists
 * in id order. O(VMs on the two hosts). */
static void plan_move(bb_state *s, uint32_t i, uint32_t h)
{
	uint32_t old = s->assign[i];
	if (old == h)
		return;
	if (old != POL_NONE) {
		uint32_t *p = &s->hfirst[old];
		while (*p != i)
			p = &s->vnext[*p];
		*p = s->vnext[i];
	}
	s->assign[i] = h;
	if (h != POL_NONE) {
		uint32_t *p = &s->hfirst[h];
		while (*p != POL_NONE && *p < i)
			p = &s->vnext[*p];
		s->vnext[i] = *p;
		*p = i;
	}
}

/* Writes the ids of the VMs planned on h, and `plus` (if not POL_NONE
 * and not among them), into out in increasing id order: the order in
 * which a scan of all VMs would visit them, so sums over them come out
 * the same. Returns how many. O(VMs on h). */
static size_t planned_ids(const bb_state *s, uint32_t h, uint32_t plus,
			  uint32_t *out)
{
	size_t n = 0;
	for (uint32_t i = s->hfirst[h]; i != POL_NONE; i = s->vnext[i]) {
		if (plus != POL_NONE && plus <= i) {
			if (plus < i)
				out[n++] = plus;
			plus = POL_NONE;
		}
		out[n++] = i;
	}
	if (plus != POL_NONE)
		out[n++] = plus;
	return n;
}

/* Host h's utilisation history under the planned assignment, with VM
 * `plus` added (or POL_NONE): the sum of its VMs' histories over its
 * capacity, as CloudSim derives a host's history. Returns the length. */
static size_t host_series(bb_state *s, const pol_view *v, uint32_t h,
			  uint32_t plus)
{
	size_t len = s->nvms ? s->vm_cpu[0].len : 0;
	memset(s->series, 0, len * sizeof *s->series);
	double cap = v->hosts[h].cap[POL_CPU];
	size_t n = planned_ids(s, h, plus, s->members);
	for (size_t j = 0; j < n; j++) {
		uint32_t i = s->members[j];
		size_t m = pol_ring_last(&s->vm_cpu[i], len, s->s2);
		for (size_t k = 0; k < m; k++)
			s->series[len - m + k] += s->s2[k];
	}
	for (size_t k = 0; k < len; k++)
		s->series[k] = cap > 0 ? s->series[k] / cap : 1;
	return len;
}

/* The longest migration time of h's planned VMs in intervals, at half
 * the host's NIC as CloudSim assumes. */
static double migration_intervals(const bb_state *s, const pol_view *v,
				  uint32_t h, uint32_t plus)
{
	double mem = 0, bw = v->hosts[h].cap[POL_NET] / 2;
	size_t n = planned_ids(s, h, plus, s->members);
	for (size_t j = 0; j < n; j++)
		if (v->vms[s->members[j]].alloc[POL_MEM] > mem)
			mem = v->vms[s->members[j]].alloc[POL_MEM];
	if (bw <= 0 || v->interval_ns == 0)
		return 0;
	return ceil(mem * 8 / bw / ((double)v->interval_ns * 1e-9));
}

static bool overloaded(bb_state *s, const pol_view *v, uint32_t h,
		       uint32_t plus)
{
	size_t len = host_series(s, v, h, plus);
	if (len == 0)
		return false;
	double u = s->series[len - 1];
	double *x = s->series;
	switch (s->detector) {
	case POL_KIND_BB_MAD:
		if (len >= s->p.bb_history)
			return u > 1 - s->p.bb_mad_s *
					       pol_mad(x, len, s->scratch);
		break;
	case POL_KIND_BB_IQR:
		if (len >= s->p.bb_history)
			return u > 1 - s->p.bb_iqr_s *
					       pol_iqr(x, len, s->scratch);
		break;
	case POL_KIND_BB_LR:
		if (len >= s->p.bb_lr_len) {
			size_t L = s->p.bb_lr_len;
			double a, b;
			pol_loess_fit(x + len - L, L, &a, &b);
			double pred = a + b * ((double)L +
				migration_intervals(s, v, h, plus));
			return s->p.bb_lr_s * pred >= 1;
		}
		break;
	default:
		break;
	}
	return u > s->p.bb_thr; /* THR, and the fallback on short history */
}

/* The planned use of resource r (CPU or memory) on h, with `plus`. */
static double planned(const bb_state *s, const pol_view *v, uint32_t h,
		      int r, uint32_t plus)
{
	double sum = 0;
	size_t n = planned_ids(s, h, plus, s->members);
	for (size_t j = 0; j < n; j++) {
		uint32_t i = s->members[j];
		sum += r == POL_MEM ? v->vms[i].alloc[POL_MEM] : v->vms[i].cpu;
	}
	return sum;
}

/* Power-aware best fit [BeloglazovBuyya12] (PABFD): the host whose
 * power grows least with VM i, among those with memory for it that the
 * detector would not call overloaded; an empty host counts as off (its
 * whole power is the increase). Skips hosts with a role in `skip` and
 * `self`. POL_NONE if none fits. */
static uint32_t pabfd_host(bb_state *s, const pol_view *v, uint32_t i,
			   uint32_t self, uint8_t skip, bool allow_empty)
{
	uint32_t best = POL_NONE;
	double best_inc = 0;
	for (uint32_t h = 0; h < v->nhosts; h++) {
		const pol_host_view *hv = &v->hosts[h];
		if (h == self || (s->role[h] & skip) || hv->cap[POL_CPU] <= 0)
			continue;
		bool empty = s->hfirst[h] == POL_NONE;
		if (empty && !allow_empty)
			continue;
		double mem = planned(s, v, h, POL_MEM, POL_NONE);
		if (mem + v->vms[i].alloc[POL_MEM] > hv->cap[POL_MEM])
			continue;
		double u0 = planned(s, v, h, POL_CPU, POL_NONE) /
			    hv->cap[POL_CPU];
		double u1 = u0 + v->vms[i].cpu / hv->cap[POL_CPU];
		double p0 = empty ? 0 : pol_host_power(hv, u0);
		double inc = pol_host_power(hv, u1) - p0;
		/* The detector, the costly test, only for a host that would
		 * win: the choice is the same as testing it first. */
		if (best != POL_NONE && !(inc < best_inc))
			continue;
		if (overloaded(s, v, h, i))
			continue;
		if (best == POL_NONE || inc < best_inc) {
			best = h;
			best_inc = inc;
		}
	}
	return best;
}

static void emit(bb_state *s, const pol_view *v, pol_out *out, uint32_t i,
		 uint32_t from, uint32_t to, pol_reason why)
{
	pol_action a = {.kind = POL_MIGRATE, .reason = why, .vm = i,
			.vm_b = POL_NONE, .from = from, .to = to,
			.stage = POL_NONE, .resource = POL_CPU};
	pol_out_push(out, &a);
	plan_move(s, i, to);
	s->busy[i] = 1;
	s->role[to] |= ROLE_DEST;
	(void)v;
}

static void bb_decide(void *st, const pol_view *v, pol_out *out)
{
	bb_state *s = st;
	memset(s->role, 0, v->nhosts);
	memset(s->busy, 0, v->nvms);
	lists_build(s, v);
	/* 1. Overloaded hosts shed VMs of minimum migration time (least
	 * memory: the bandwidth is the host's own) until no longer
	 * overloaded. */
	size_t nsel = 0;
	uint32_t *sel = s->order;
	for (uint32_t h = 0; h < v->nhosts; h++) {
		if (!overloaded(s, v, h, POL_NONE))
			continue;
		s->role[h] |= ROLE_OVER;
		out->hot[h] = 1;
		for (;;) {
			uint32_t pick = POL_NONE;
			for (uint32_t i = s->hfirst[h]; i != POL_NONE;
			     i = s->vnext[i])
				if (!v->vms[i].migrating &&
				    (pick == POL_NONE ||
				     v->vms[i].alloc[POL_MEM] <
					     v->vms[pick].alloc[POL_MEM]))
					pick = i;
			if (pick == POL_NONE)
				break;
			plan_move(s, pick, POL_NONE);
			sel[nsel++] = pick;
			if (!overloaded(s, v, h, POL_NONE))
				break;
		}
	}
	/* 2. PABFD: by decreasing CPU use, each to the host whose power
	 * grows least; a VM that fits nowhere stays. */
	for (size_t k = 0; k < nsel; k++)
		s->key[sel[k]] = v->vms[sel[k]].cpu;
	pol_sort_ids(sel, nsel, s->key, true, s->tmpo);
	for (size_t k = 0; k < nsel; k++) {
		uint32_t i = sel[k], from = v->vms[i].host;
		uint32_t to = pabfd_host(s, v, i, from, ROLE_OVER, true);
		if (to == POL_NONE)
			plan_move(s, i, from);
		else
			emit(s, v, out, i, from, to, POL_REASON_OVERLOAD);
	}
	if (!s->p.bb_underload)
		return;
	/* 3. Underload: the least utilised hosts, in turn, are emptied if
	 * all their VMs fit elsewhere on hosts already on. */
	size_t nh = 0;
	uint32_t *hosts = s->order;
	for (uint32_t h = 0; h < v->nhosts; h++) {
		if (s->role[h] || v->hosts[h].cap[POL_CPU] <= 0 ||
		    s->hfirst[h] == POL_NONE)
			continue;
		s->key[h] = planned(s, v, h, POL_CPU, POL_NONE) /
			    v->hosts[h].cap[POL_CPU];
		hosts[nh++] = h;
	}
	pol_sort_ids(hosts, nh, s->key, false, s->tmpo);
	size_t mark = out->nactions;
	for (size_t k = 0; k < nh; k++) {
		uint32_t h = hosts[k];
		if (s->role[h] & ROLE_DEST)
			continue;
		bool ok = true;
		mark = out->nactions;
		s->role[h] |= ROLE_EMPTIED;
		/* Its VMs as they are now: the moves below change the list. */
		size_t nv = planned_ids(s, h, POL_NONE, s->snap);
		for (size_t j = 0; j < nv && ok; j++) {
			uint32_t i = s->snap[j];
			if (v->vms[i].migrating) {
				ok = false;
				break;
			}
			uint32_t to = pabfd_host(s, v, i, h,
						 ROLE_OVER | ROLE_EMPTIED, false);
			if (to == POL_NONE)
				ok = false;
			else
				emit(s, v, out, i, h, to,
				     POL_REASON_UNDERLOAD);
		}
		if (!ok) {
			/* Undo this host's moves: it stays on, and no
			 * longer a candidate destination it was not. */
			while (out->nactions > mark) {
				pol_action *a = &out->actions[--out->nactions];
				plan_move(s, a->vm, h);
				s->busy[a->vm] = 0;
			}
			s->role[h] &= (uint8_t)~ROLE_EMPTIED;
			s->role[h] |= ROLE_DEST; /* keep it on */
		}
	}
}

/* ---- ops tables --------------------------------------------------------- */

#define BB_OPS(var, kind, nm, what)                                            \
	static int var##_create(void *st, const pol_params *p, size_t nh,      \
				size_t nv, sim_diag *d)                        \
	{                                                                      \
		return bb_create(st, p, nh, nv, kind, d);                      \
	}                                                                      \
	const pol_ops var = {                                                  \
		.name = nm,                                                    \
		.doc = what,                                                   \
		.state_size = sizeof(bb_state),                                \
		.create = var##_create,                                        \
		.observe = bb_observe,                                         \
		.decide = bb_decide,                                           \
		.destroy = bb_destroy,                                         \
	};

BB_OPS(pol_bb_thr_ops, POL_KIND_BB_THR, "bb-thr",
       "static CPU threshold, minimum migration time, PABFD, underload "
       "[BeloglazovBuyya12]")
BB_OPS(pol_bb_mad_ops, POL_KIND_BB_MAD, "bb-mad",
       "MAD adaptive threshold, minimum migration time, PABFD, underload "
       "[BeloglazovBuyya12]")
BB_OPS(pol_bb_iqr_ops, POL_KIND_BB_IQR, "bb-iqr",
       "IQR adaptive threshold, minimum migration time, PABFD, underload "
       "[BeloglazovBuyya12]")
BB_OPS(pol_bb_lr_ops, POL_KIND_BB_LR, "bb-lr",
       "local regression forecast, minimum migration time, PABFD, "
       "underload [BeloglazovBuyya12]")
