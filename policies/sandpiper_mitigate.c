/* SPDX-License-Identifier: MIT */
/*
 * Sandpiper's hotspot mitigation [Wood07]: hot hosts by decreasing
 * Volume, their VMs by decreasing Volume-to-size ratio, each to the
 * least-Volume host that holds its estimated needs within the limits; and,
 * for a hot host where no migration fits, one swap of a VM with a VM of
 * another host, staged as policies/README.md says. Works on the projected
 * loads sandpiper.c prepared, updating them move by move.
 */
#include "pol_internal.h"

#include <gsl/gsl_rng.h>

static double frac(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static double lim(const sp_state *s, const pol_view *v, uint32_t h, int r)
{
	double f = r == POL_MEM ? s->p.mem_threshold : s->p.threshold;
	return f * v->hosts[h].cap[r] * (1 + 1e-9);
}

/* VSR of VM i on host h: its Volume (needs over h's capacity) per MiB of
 * memory [Wood07]. */
static double vsr(const sp_state *s, const pol_view *v, uint32_t i,
		  uint32_t h)
{
	const double *n = &s->need[i * POL_NRES];
	const double *c = v->hosts[h].cap;
	double vol = pol_volume(frac(n[POL_CPU], c[POL_CPU]),
				frac(n[POL_NET], c[POL_NET]),
				frac(n[POL_MEM], c[POL_MEM]), s->p.vol_util_max);
	double mib = n[POL_MEM] / (1024.0 * 1024.0);
	return vol / (mib > 0 ? mib : 1.0 / 1024);
}

/* Adds sign * VM i's needs to host h's load. */
static void shift(sp_state *s, uint32_t i, uint32_t h, double sign)
{
	for (int r = 0; r < POL_NRES; r++)
		s->load[h * POL_NRES + r] += sign * s->need[i * POL_NRES + r];
}

/* True if host h stays within every limit with VM `in` added and VM
 * `out` (or POL_NONE) removed. */
static bool fits(const sp_state *s, const pol_view *v, uint32_t h,
		 uint32_t in, uint32_t out)
{
	if (v->hosts[h].cap[POL_CPU] <= 0 || v->hosts[h].cap[POL_MEM] <= 0)
		return false;
	for (int r = 0; r < POL_NRES; r++) {
		double l = s->load[h * POL_NRES + r] +
			   s->need[in * POL_NRES + r];
		if (out != POL_NONE)
			l -= s->need[out * POL_NRES + r];
		if (l > lim(s, v, h, r))
			return false;
	}
	return true;
}

static pol_reason host_reason(const sp_state *s, uint32_t h)
{
	return s->hot[h] ? (pol_reason)(s->hot[h] - 1) : POL_REASON_HOTSPOT;
}

static void mark_moved(sp_state *s, const pol_view *v, uint32_t i)
{
	s->busy[i] = 1;
	s->moved_at_ns[i] = v->now_ns;
}

/* The VMs of host h that may move, in s->order2 by key (VSR on h),
 * descending or ascending; returns how many. */
static size_t host_vms(sp_state *s, const pol_view *v, uint32_t h,
		       bool desc, uint32_t *idx)
{
	size_t n = 0;
	for (uint32_t i = s->first_vm[h]; i != POL_NONE; i = s->next_vm[i])
		if (sp_vm_movable(s, v, i)) {
			idx[n++] = i;
			s->key2[i] = vsr(s, v, i, h);
		}
	pol_sort_ids(idx, n, s->key2, desc, s->order2 + n);
	return n;
}

/* The destination for VM i leaving h: the least-Volume host that fits
 * (ties by lowest id), or with the random variant a uniformly drawn one
 * among those that fit. POL_NONE if none. */
static uint32_t destination(sp_state *s, const pol_view *v, uint32_t i,
			    uint32_t h)
{
	uint32_t best = POL_NONE, nfit = 0;
	double best_vol = 0;
	for (uint32_t d = 0; d < v->nhosts; d++) {
		if (d == h || s->hot[d] || !fits(s, v, d, i, POL_NONE))
			continue;
		if (s->variant == SP_RANDOM) {
			s->pick[nfit++] = d;
			continue;
		}
		double vol = sp_host_volume(s, v, d);
		if (best == POL_NONE || vol < best_vol) {
			best = d;
			best_vol = vol;
		}
	}
	if (s->variant == SP_RANDOM && nfit)
		best = s->pick[gsl_rng_uniform_int(s->rng, nfit)];
	return best;
}

/* Staging of a swap of a (on h) with b (on d): sets *stage and *b_first;
 * false if the configured rule finds no way. */
static bool staging(sp_state *s, const pol_view *v, uint32_t a, uint32_t h,
		    uint32_t b, uint32_t d, uint32_t *stage, bool *b_first)
{
	*stage = POL_NONE;
	*b_first = false;
	if (s->p.swap_staging != POL_STAGE_THIRD_HOST) {
		/* One side holds both VMs until the second move ends: the
		 * smaller memory excess goes first (a on a tie). */
		double ea = s->load[d * POL_NRES + POL_MEM] +
			    s->need[a * POL_NRES + POL_MEM] -
			    lim(s, v, d, POL_MEM);
		double eb = s->load[h * POL_NRES + POL_MEM] +
			    s->need[b * POL_NRES + POL_MEM] -
			    lim(s, v, h, POL_MEM);
		double ra = frac(ea, v->hosts[d].cap[POL_MEM]);
		double rb = frac(eb, v->hosts[h].cap[POL_MEM]);
		*b_first = rb < ra;
		double r = *b_first ? rb : ra;
		if (r <= s->p.swap_room + 1e-12)
			return true;
		*b_first = false;
		if (s->p.swap_staging == POL_STAGE_ONE_SIDE)
			return false;
	}
	/* A third host with memory for a (its CPU is not checked: a stays
	 * there only between the two other moves). */
	double best_vol = 0;
	for (uint32_t t = 0; t < v->nhosts; t++) {
		if (t == h || t == d || s->hot[t])
			continue;
		if (s->load[t * POL_NRES + POL_MEM] +
			    s->need[a * POL_NRES + POL_MEM] >
		    lim(s, v, t, POL_MEM))
			continue;
		double vol = sp_host_volume(s, v, t);
		if (*stage == POL_NONE || vol < best_vol) {
			*stage = t;
			best_vol = vol;
		}
	}
	return *stage != POL_NONE;
}

/* One swap for hot host h: its VMs by decreasing VSR, partner hosts by
 * increasing Volume, their VMs by increasing VSR; the first pair that
 * leaves both hosts within the limits and can be staged. */
static void swap_phase(sp_state *s, const pol_view *v, uint32_t h,
		       pol_out *out)
{
	uint32_t *mine = s->order;
	size_t nm = host_vms(s, v, h, true, mine);
	/* Partner hosts by Volume: keys in s->key, ids after `mine`. */
	uint32_t *hosts = s->order + nm;
	size_t nh = 0;
	for (uint32_t d = 0; d < v->nhosts; d++)
		if (d != h && !s->hot[d]) {
			hosts[nh++] = d;
			s->key[d] = sp_host_volume(s, v, d);
		}
	pol_sort_ids(hosts, nh, s->key, false, s->order2);
	for (size_t x = 0; x < nm; x++) {
		uint32_t a = mine[x];
		for (size_t y = 0; y < nh; y++) {
			uint32_t d = hosts[y];
			for (uint32_t b = s->first_vm[d]; b != POL_NONE;
			     b = s->next_vm[b])
				s->key2[b] = vsr(s, v, b, d);
			/* Partner VMs in increasing VSR, by selection (a
			 * host holds few VMs). */
			uint32_t last = POL_NONE;
			for (;;) {
				uint32_t b = POL_NONE;
				for (uint32_t c = s->first_vm[d]; c != POL_NONE;
				     c = s->next_vm[c]) {
					if (!sp_vm_movable(s, v, c))
						continue;
					bool after = last == POL_NONE ||
						s->key2[c] > s->key2[last] ||
						(s->key2[c] == s->key2[last] &&
						 c > last);
					bool better = b == POL_NONE ||
						s->key2[c] < s->key2[b] ||
						(s->key2[c] == s->key2[b] &&
						 c < b);
					if (after && better)
						b = c;
				}
				if (b == POL_NONE)
					break;
				last = b;
				uint32_t stage;
				bool b_first;
				if (!fits(s, v, h, b, a) ||
				    !fits(s, v, d, a, b) ||
				    !staging(s, v, a, h, b, d, &stage,
					     &b_first))
					continue;
				pol_action act = {
					.kind = POL_SWAP,
					.reason = host_reason(s, h),
					.vm = a, .vm_b = b, .from = h, .to = d,
					.stage = stage, .b_first = b_first,
					.resource = POL_CPU};
				pol_out_push(out, &act);
				shift(s, a, h, -1);
				shift(s, a, d, +1);
				shift(s, b, d, -1);
				shift(s, b, h, +1);
				mark_moved(s, v, a);
				mark_moved(s, v, b);
				return;
			}
		}
	}
}

void sp_mitigate(sp_state *s, const pol_view *v, pol_out *out)
{
	/* Hot hosts whose projected load is over a limit, by decreasing
	 * Volume. s->order holds them while each is served; the per-host
	 * scratch lives past them. */
	size_t nhot = 0;
	uint32_t *hot = s->order2;
	for (uint32_t h = 0; h < v->nhosts; h++)
		if (s->hot[h] && sp_host_over(s, v, h)) {
			s->key[h] = sp_host_volume(s, v, h);
			hot[nhot++] = h;
		}
	if (nhot == 0)
		return;
	/* The hot list is copied out of the scratch the phases reuse. */
	uint32_t *list = sim_xcalloc(nhot, sizeof *list);
	uint32_t *tmp = sim_xcalloc(nhot, sizeof *tmp);
	for (size_t k = 0; k < nhot; k++)
		list[k] = hot[k];
	pol_sort_ids(list, nhot, s->key, true, tmp);
	for (size_t k = 0; k < nhot; k++) {
		uint32_t h = list[k];
		bool moved = false;
		uint32_t *cand = s->order;
		size_t nc = host_vms(s, v, h, true, cand);
		for (size_t c = 0; c < nc && sp_host_over(s, v, h); c++) {
			uint32_t i = cand[c];
			uint32_t d = destination(s, v, i, h);
			if (d == POL_NONE)
				continue;
			pol_action a = {.kind = POL_MIGRATE,
					.reason = host_reason(s, h),
					.vm = i, .vm_b = POL_NONE, .from = h,
					.to = d, .stage = POL_NONE,
					.resource = POL_CPU};
			pol_out_push(out, &a);
			shift(s, i, h, -1);
			shift(s, i, d, +1);
			mark_moved(s, v, i);
			moved = true;
		}
		if (!moved && s->p.swaps && sp_host_over(s, v, h))
			swap_phase(s, v, h, out);
	}
	free(list);
	free(tmp);
}
