/* SPDX-License-Identifier: MIT */
/*
 * The flow model's changes: exact integer progress of each flow, the heap
 * of drain times, per-link flow lists, demands and carried-bit integrals,
 * and max-min fair rates recomputed by water-filling over the part of the
 * network that a change can affect, installed as new rates and drain
 * times. flow.c starts, re-caps and cancels flows and handles their
 * events through the functions here (declared in net_internal.h).
 *
 * What a change recomputes. A directed link is tight when the flows
 * crossing it could ask for more than its capacity (one of them is
 * uncapped, or their caps add up to more), and slack otherwise; each link
 * keeps its flows' cap sum, uncapped and sharing counts, so its mode
 * (slack; single: tight with one flow; binding: tight with several) is
 * O(1) to tell. Water-filling never freezes flows at a slack link's share,
 * and a single link acts as a cap on its flow (see net_waterfill in
 * share.c), so a flow with no binding link runs at its effective cap, and
 * the others get exactly the rates of water-filling over the binding links
 * alone, separately for each binding component, and equal rates within a
 * group (same binding links, same effective cap; group.c). A change (a
 * flow starts, drains, is cancelled or is re-capped) alters the lists,
 * demands and so modes of its own links only, the seeds; the flows of a
 * seed whose mode changed are regrouped (net_regroup_seeds). Every binding
 * component that does not reach a seed that is binding, or was before the
 * change, nor a regrouped flow, has the same links, groups and caps as
 * before and keeps its rates; so only the groups of the changed and
 * regrouped flows and the components through such seeds are collected
 * (net_collect) and water-filled (net_waterfill), both in share.c, and
 * only the flows whose rate changed are brought up to date, moved on
 * their links' loads and in the drain heap (net_reshare).
 *
 * Cost of a change whose recomputed set has G groups of h binding links,
 * K of them capped, over L binding links, C flows changing rate, with A
 * flows sharing in the whole net: O(G·h·log L + K·log K) to collect and
 * water-fill (a heap of binding links by exact share, with keys refreshed
 * lazily, and a heap of caps), and O(C·(h + log A)) to install (each
 * changed flow's links are folded and their loads moved, and a heap of
 * drain times is updated; the net's one engine event follows the heap's
 * top). When links are slack (flows held by their caps, as rate-limited
 * migrations are) G = 0 and a change costs O(h + log A) however many
 * flows share the links. Two rarer cases also search the whole connected
 * component (through all links, tight or not; see net_rank_component),
 * O(its flows·h): when other flows drain in the same ns as a flow, to
 * find which leave with it, and when one change gives two flows the same
 * drain time, to order their drains as net.h says (see plan_order).
 */
#include "net.h"
#include "net_internal.h"

#include <stdlib.h>

/* ---- exact progress ----------------------------------------------------- */

/* Brings a sharing flow's progress to now at its current rate. Lazy
 * updates are exact because the rate was constant since updated_ns and
 * the carry keeps the fraction of a bit. */
static void advance(flow *f, uint64_t now)
{
	if (now == f->updated_ns)
		return;
	u128 num = (u128)f->rate_bps * (now - f->updated_ns) + f->carry_bit_ns;
	u128 sent = num / NS_PER_S;
	if (sent >= f->remaining_bits) {
		/* Only in the nanosecond that drains the flow: what the fluid
		 * carried beyond the flow's size is kept so that it can be
		 * taken back from the links' integrals. */
		f->excess_bit_ns +=
			(uint64_t)(num - (u128)f->remaining_bits * NS_PER_S);
		f->remaining_bits = 0;
		f->carry_bit_ns = 0;
	} else {
		f->remaining_bits -= (uint64_t)sent;
		f->carry_bit_ns = (uint64_t)(num % NS_PER_S);
	}
	f->updated_ns = now;
}

/* The first ns at which a flow updated at `now` has sent all its bits at
 * rate_bps: the least dt with rate·dt + carry >= remaining·10^9. */
static uint64_t drain_time(const flow *f, uint64_t rate_bps, uint64_t now)
{
	if (f->remaining_bits == 0)
		return now;
	if (rate_bps == 0)
		return SIM_TIME_MAX;
	u128 need = (u128)f->remaining_bits * NS_PER_S - f->carry_bit_ns;
	u128 dt = (need + rate_bps - 1) / rate_bps;
	if (dt >= SIM_TIME_MAX - now)
		return SIM_TIME_MAX;
	return now + (uint64_t)dt;
}

void net_schedule(net *n, uint32_t fi, uint64_t at_ns, uint32_t kind)
{
	flow *f = &n->flows[fi];
	net_payload p = {fi, f->gen};
	f->ev = sim_event_schedule(n->engine, n->model, at_ns, kind, &p,
				   sizeof p);
}

void net_unschedule(net *n, flow *f)
{
	if (f->ev)
		sim_event_cancel(n->engine, f->ev);
	f->ev = 0;
}

/* ---- the drain heap ----------------------------------------------------- */

/* By drain time, ties in the order the drain times were set. */
static bool dheap_less(const net *n, uint32_t a, uint32_t b)
{
	const flow *x = &n->flows[a], *y = &n->flows[b];
	if (x->drain_ns != y->drain_ns)
		return x->drain_ns < y->drain_ns;
	return x->dseq < y->dseq;
}

static void dheap_set(net *n, uint32_t pos, uint32_t fi)
{
	n->dheap[pos] = fi;
	n->flows[fi].dheap_pos = pos;
}

static void dheap_up(net *n, uint32_t pos)
{
	uint32_t fi = n->dheap[pos];
	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;
		if (!dheap_less(n, fi, n->dheap[parent]))
			break;
		dheap_set(n, pos, n->dheap[parent]);
		pos = parent;
	}
	dheap_set(n, pos, fi);
}

static void dheap_down(net *n, uint32_t pos)
{
	uint32_t fi = n->dheap[pos];
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= n->ndheap)
			break;
		if (c + 1 < n->ndheap &&
		    dheap_less(n, n->dheap[c + 1], n->dheap[c]))
			c++;
		if (!dheap_less(n, n->dheap[c], fi))
			break;
		dheap_set(n, pos, n->dheap[c]);
		pos = c;
	}
	dheap_set(n, pos, fi);
}

static void dheap_remove(net *n, uint32_t fi)
{
	uint32_t pos = n->flows[fi].dheap_pos;
	if (pos == NIL)
		return;
	n->flows[fi].dheap_pos = NIL;
	uint32_t last = n->dheap[--n->ndheap];
	if (pos == n->ndheap)
		return;
	dheap_set(n, pos, last);
	dheap_up(n, pos);
	dheap_down(n, n->flows[last].dheap_pos);
}

/* Puts a flow whose drain_ns was just set where it belongs: in the heap
 * at its new key, or out of it if it never drains. O(log A). */
static void dheap_update(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	if (f->drain_ns == SIM_TIME_MAX) {
		dheap_remove(n, fi);
		return;
	}
	if (f->dheap_pos == NIL) {
		dheap_set(n, n->ndheap++, fi);
		dheap_up(n, f->dheap_pos);
		return;
	}
	dheap_up(n, f->dheap_pos);
	dheap_down(n, f->dheap_pos);
}

/* Stores in n->gone the flows whose drain time is now, and returns how
 * many: a walk of the heap below the entries at now, O(that many). */
uint32_t net_draining_now(net *n, uint64_t now)
{
	uint32_t nb = 0, top = 0;
	if (n->ndheap)
		n->stack[top++] = 0;
	while (top) {
		uint32_t pos = n->stack[--top];
		uint32_t fi = n->dheap[pos];
		if (n->flows[fi].drain_ns < now)
			sim_panic("net: flow %u missed its drain", fi);
		if (n->flows[fi].drain_ns != now)
			continue;
		n->gone[nb++] = fi;
		for (uint32_t c = 2 * pos + 1; c <= 2 * pos + 2; c++)
			if (c < n->ndheap)
				n->stack[top++] = c;
	}
	return nb;
}

/* ---- link lists, demands and integrals ---------------------------------- */


/* Adds (sign 1) or removes (sign -1) a sharing flow's cap to or from the
 * demand of each of its links, and updates their modes. */
void net_demand(net *n, const flow *f, int sign)
{
	for (uint32_t k = 0; k < f->nlinks; k++) {
		link_state *l = &n->links[f->links[k]];
		l->sharing += (uint32_t)sign;
		if (f->cap_bps == NET_UNCAPPED)
			l->uncapped += (uint32_t)sign;
		else if (sign > 0)
			l->cap_sum_bps += f->cap_bps;
		else
			l->cap_sum_bps -= f->cap_bps;
		l->tight = l->uncapped != 0 || l->cap_sum_bps > l->capacity_bps;
		l->mode = !l->tight ? LINK_SLACK
			  : l->sharing == 1 ? LINK_SINGLE : LINK_BINDING;
	}
}

/* Brings a link's integral up to now at its current load. Folding is
 * exact at any time, so a link is folded only before its load changes. */
static void fold(link_state *l, uint64_t now)
{
	l->bit_ns += (u128)l->load_bps * (now - l->folded_ns);
	l->folded_ns = now;
}

void net_link_join(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	for (uint32_t k = 0; k < f->nlinks; k++) {
		link_state *l = &n->links[f->links[k]];
		if (l->nflows == l->flows_cap) {
			l->flows_cap = l->flows_cap ? 2 * l->flows_cap : 4;
			l->flows = sim_xrealloc(l->flows, l->flows_cap,
						sizeof *l->flows);
		}
		f->pos[k] = l->nflows;
		l->flows[l->nflows++] = (member){fi, k};
	}
}

/* Takes a flow off its links' lists, which must have been folded to now,
 * and takes back from their integrals the sub-bit part it leaves unsent
 * (its carry) and what it carried beyond its size, so that each link keeps
 * exactly 10^9 bit·ns per whole bit the flow sent. */
static void link_leave(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	uint64_t back = f->carry_bit_ns + f->excess_bit_ns;
	for (uint32_t k = 0; k < f->nlinks; k++) {
		link_state *l = &n->links[f->links[k]];
		if (l->bit_ns < back)
			sim_panic("net: link %u integral below a flow's share",
				  f->links[k]);
		l->bit_ns -= back;
		uint32_t p = f->pos[k];
		member last = l->flows[--l->nflows];
		l->flows[p] = last;
		n->flows[last.flow].pos[last.hop] = p;
	}
	f->carry_bit_ns = f->excess_bit_ns = 0;
}

/* ---- one change: seeds, leavers, and the documented search -------------- */

static void epoch_next(net *n)
{
	if (++n->epoch != 0)
		return;
	/* Wrapped: clear every mark once, so old epochs cannot collide. */
	for (uint32_t l = 0; l < n->nlinks; l++)
		n->links[l].seen = n->links[l].seed = 0;
	for (uint32_t fi = 0; fi < n->nflows; fi++)
		n->flows[fi].pend = n->flows[fi].noted = 0;
	for (uint32_t g = 0; g < n->ngroups; g++)
		n->groups[g].seen = 0;
	n->epoch = 1;
}

/* Starts a change whose documented component search (see net_rank_component)
 * starts from the links origin[0..norigin), which must stay valid until
 * the change is recomputed. */
void net_change_begin(net *n, const uint32_t *origin, uint32_t norigin)
{
	epoch_next(n);
	n->nseeds = n->ngone = n->npend = 0;
	n->origin = origin;
	n->norigin = norigin;
	n->ranked = false;
}

/* Makes a flow's links seeds of the change, noting whether each was
 * tight; before the flow's lists or demand change. */
void net_seeds_add(net *n, const flow *f)
{
	for (uint32_t k = 0; k < f->nlinks; k++) {
		uint32_t li = f->links[k];
		link_state *l = &n->links[li];
		if (l->seed == n->epoch)
			continue;
		l->seed = n->epoch;
		l->was_mode = l->mode;
		n->seeds[n->nseeds++] = li;
	}
}

/* Puts a sharing flow in the group its cap and links' modes call for. */
static void regroup(net *n, uint32_t fi)
{
	net_group_leave(n, fi);
	net_group_join(n, fi);
}

/* After a change's demands are in place: regroups the sharing flows of
 * every seed whose mode changed (only seeds' lists and demands change),
 * and the changed flow cf (NIL if none is still sharing). O(the lists of
 * those seeds · h) when modes change, else O(seeds). */
void net_regroup_seeds(net *n, uint32_t cf)
{
	for (uint32_t i = 0; i < n->nseeds; i++) {
		const link_state *l = &n->links[n->seeds[i]];
		if (l->mode == l->was_mode)
			continue;
		for (uint32_t j = 0; j < l->nflows; j++) {
			uint32_t fi = l->flows[j].flow;
			if (n->flows[fi].state == NET_FLOW_SHARING)
				regroup(n, fi);
		}
	}
	if (cf != NIL && n->flows[cf].pend != n->epoch)
		regroup(n, cf);
}

/* Takes a sharing flow out of sharing at now for a drain or a cancel: its
 * progress is brought to now, its rate comes off its links' loads and its
 * cap off their demands, and it is queued to leave their lists once the
 * change is recomputed (the lists stay as they were until then, for
 * net_rank_component). Its links must already be seeds. */
void net_stop_sharing(net *n, uint32_t fi, uint64_t now)
{
	flow *f = &n->flows[fi];
	advance(f, now);
	net_unschedule(n, f);
	for (uint32_t k = 0; k < f->nlinks; k++) {
		link_state *l = &n->links[f->links[k]];
		fold(l, now);
		l->load_bps -= f->rate_bps;
	}
	net_demand(n, f, -1);
	net_group_leave(n, fi);
	dheap_remove(n, fi);
	f->rate_bps = 0;
	n->gone[n->ngone++] = fi;
}

/*
 * The connected component as the documented model sees it: every link and
 * flow reachable from the change's origin links through shared links, with
 * each flow ranked in the order a breadth-first search finds it (links in
 * the order found, each link's flows in list order). The original model
 * recomputed exactly this component on every change and rescheduled flows
 * in this order, which fixes the order of events due in the same ns; it is
 * kept as the definition of that order and of which flows drain together.
 * Runs on the lists as they were before the change's leavers left. Cost
 * O(links + flows·hops of the component).
 */
void net_rank_component(net *n)
{
	if (n->ranked)
		return;
	if (++n->rank_epoch == 0) {
		for (uint32_t l = 0; l < n->nlinks; l++)
			n->links[l].rank_seen = 0;
		for (uint32_t fi = 0; fi < n->nflows; fi++)
			n->flows[fi].rank_seen = 0;
		n->rank_epoch = 1;
	}
	uint32_t ep = n->rank_epoch, nl = 0, rank = 0;
	for (uint32_t i = 0; i < n->norigin; i++) {
		link_state *l = &n->links[n->origin[i]];
		if (l->rank_seen != ep) {
			l->rank_seen = ep;
			n->rank_links[nl++] = n->origin[i];
		}
	}
	for (uint32_t i = 0; i < nl; i++) {
		const link_state *l = &n->links[n->rank_links[i]];
		for (uint32_t j = 0; j < l->nflows; j++) {
			flow *f = &n->flows[l->flows[j].flow];
			if (f->rank_seen == ep)
				continue;
			f->rank_seen = ep;
			f->rank = rank++;
			for (uint32_t k = 0; k < f->nlinks; k++) {
				link_state *m = &n->links[f->links[k]];
				if (m->rank_seen != ep) {
					m->rank_seen = ep;
					n->rank_links[nl++] = f->links[k];
				}
			}
		}
	}
	n->ranked = true;
}

/* ---- installing the new rates ------------------------------------------- */

static int change_by_drain(const void *a, const void *b)
{
	const change *x = a, *y = b;
	if (x->drain_ns != y->drain_ns)
		return x->drain_ns < y->drain_ns ? -1 : 1;
	return x->flow < y->flow ? -1 : x->flow > y->flow;
}

static int change_by_key(const void *a, const void *b)
{
	const change *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Orders the nch changes for scheduling. Events due at the same ns run in
 * the order they were scheduled, and the documented model scheduled a
 * change's flows in the order of net_rank_component; only flows with the same
 * new drain time can tell the difference (every other event is due at
 * another time, or was scheduled before or after all of these). So the
 * component search runs only when two drain times tie. O(C·log C), plus
 * the search if it runs. */
static void plan_order(net *n, uint32_t nch)
{
	if (nch < 2)
		return;
	/* Mostly a few dozen: insertion sort, cheaper there than qsort. */
	if (nch <= 64) {
		for (uint32_t i = 1; i < nch; i++) {
			change x = n->changes[i];
			uint32_t j = i;
			while (j > 0 &&
			       change_by_drain(&x, &n->changes[j - 1]) < 0) {
				n->changes[j] = n->changes[j - 1];
				j--;
			}
			n->changes[j] = x;
		}
	} else {
		qsort(n->changes, nch, sizeof *n->changes, change_by_drain);
	}
	bool tie = false;
	for (uint32_t i = 1; i < nch && !tie; i++)
		tie = n->changes[i].drain_ns == n->changes[i - 1].drain_ns &&
		      n->changes[i].drain_ns != SIM_TIME_MAX;
	if (!tie)
		return;
	net_rank_component(n);
	for (uint32_t i = 0; i < nch; i++) {
		const flow *f = &n->flows[n->changes[i].flow];
		if (f->rank_seen != n->rank_epoch)
			sim_panic("net: a changed flow outside its component");
		n->changes[i].key = f->rank;
	}
	qsort(n->changes, nch, sizeof *n->changes, change_by_key);
}

/* Keeps the net's one drain event at the earliest drain time, if any:
 * moved only when that time changes. */
static void drain_event_sync(net *n)
{
	uint64_t t = n->ndheap ? n->flows[n->dheap[0]].drain_ns : SIM_TIME_MAX;
	if (t == n->drain_ev_ns)
		return;
	if (n->drain_ev)
		sim_event_cancel(n->engine, n->drain_ev);
	n->drain_ev = 0;
	n->drain_ev_ns = t;
	if (t != SIM_TIME_MAX) {
		net_payload p = {NIL, 0};
		n->drain_ev = sim_event_schedule(n->engine, n->model, t,
						 NET_EV_DRAIN, &p, sizeof p);
	}
}

/* Recomputes the rates after a change whose seeds, leavers
 * (net_stop_sharing) and changed flow cf (NIL if none) are recorded:
 * collects and water-fills what the change can affect, lets the leavers
 * leave their lists, and brings each flow whose rate changed up to now at
 * its old rate, moves it on its links' loads and gives it a new drain
 * event. The others keep theirs. Then tells the hook. */
void net_reshare(net *n)
{
	uint64_t now = sim_now(n->engine);
	net_collect(n);
	net_waterfill(n);
	/* The flows whose rate changes: every member of a group whose rate
	 * did, and pending flows (new to their group, or groupless) whose
	 * rate differs from their group's or their effective cap. The
	 * others' rates were their group's already. */
	uint32_t nch = 0;
	for (uint32_t i = 0; i < n->ncomp_groups; i++) {
		group *gr = &n->groups[n->comp_groups[i]];
		if (gr->new_rate_bps == gr->rate_bps)
			continue;
		gr->rate_bps = gr->new_rate_bps;
		for (uint32_t j = 0; j < gr->count; j++) {
			uint32_t fi = gr->members[j];
			flow *f = &n->flows[fi];
			if (f->rate_bps == gr->rate_bps)
				continue;
			f->new_rate_bps = gr->rate_bps;
			f->noted = n->epoch;
			advance(f, now);
			n->changes[nch++] = (change){
				drain_time(f, f->new_rate_bps, now), fi, 0};
		}
	}
	for (uint32_t i = 0; i < n->npend; i++) {
		uint32_t fi = n->pend[i];
		flow *f = &n->flows[fi];
		if (f->state != NET_FLOW_SHARING)
			continue;
		uint64_t want = f->group == NIL ? f->eff_cap_bps
						: n->groups[f->group].rate_bps;
		/* A member of a changed group is noted already. */
		if (f->rate_bps == want || f->noted == n->epoch)
			continue;
		f->new_rate_bps = want;
		advance(f, now);
		n->changes[nch++] = (change){drain_time(f, want, now), fi, 0};
	}
	plan_order(n, nch);
	for (uint32_t i = 0; i < n->ngone; i++)
		link_leave(n, n->gone[i]);
	for (uint32_t i = 0; i < nch; i++) {
		uint32_t fi = n->changes[i].flow;
		flow *f = &n->flows[fi];
		for (uint32_t k = 0; k < f->nlinks; k++) {
			link_state *l = &n->links[f->links[k]];
			fold(l, now);
			l->load_bps = l->load_bps - f->rate_bps +
				      f->new_rate_bps;
		}
		f->rate_bps = f->new_rate_bps;
		f->drain_ns = n->changes[i].drain_ns;
		f->dseq = n->next_dseq++;
		dheap_update(n, fi);
		n->rate_changes++;
	}
	drain_event_sync(n);
	n->reshares++;
	if (n->hook) {
		n->in_hook = true;
		n->hook(n->hook_ctx, n);
		n->in_hook = false;
	}
}
