/* SPDX-License-Identifier: MIT */
/*
 * The flow model's recomputation: which groups of flows a change can
 * affect (the changed flows' and the binding components through its
 * links), and their max-min fair rates by water-filling over binding
 * links. State and the
 * reasoning behind both are in net_internal.h and at the top of
 * flow_change.c.
 */
#include "net.h"
#include "net_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- what a change can affect ------------------------------------------- */

static void expand(net *n, uint32_t li)
{
	link_state *l = &n->links[li];
	if (l->seen == n->epoch)
		return;
	l->seen = n->epoch;
	n->comp_links[n->ncomp_links++] = li;
}

static void take(net *n, uint32_t g)
{
	group *gr = &n->groups[g];
	if (gr->seen == n->epoch)
		return;
	gr->seen = n->epoch;
	n->comp_groups[n->ncomp_groups++] = g;
	for (uint32_t k = 0; k < gr->nlinks; k++)
		expand(n, gr->links[k]);
}

/* Collects into comp_groups the groups whose rate the change may alter:
 * those of the pending flows (the changed flow and the flows regrouped by
 * the change) and every group of a link expanded, where the expanded
 * links are the seeds that are binding or were before the change, and
 * every binding link of a collected group. The expanded links go into
 * comp_links, each with its count of sharing flows in unfrozen. The
 * groups of binding components untouched by the seeds keep their rates:
 * their links, members and caps are as before the change, so
 * water-filling would give them the same rates. Cost O(G·h) for G groups
 * collected. */
void net_collect(net *n)
{
	n->ncomp_links = n->ncomp_groups = 0;
	for (uint32_t i = 0; i < n->npend; i++) {
		const flow *f = &n->flows[n->pend[i]];
		if (f->state == NET_FLOW_SHARING && f->group != NIL)
			take(n, f->group);
	}
	for (uint32_t i = 0; i < n->nseeds; i++) {
		link_state *l = &n->links[n->seeds[i]];
		if (l->was_mode == LINK_BINDING || l->mode == LINK_BINDING)
			expand(n, n->seeds[i]);
	}
	for (uint32_t i = 0; i < n->ncomp_links; i++) {
		link_state *l = &n->links[n->comp_links[i]];
		uint32_t sharing = 0;
		for (uint32_t j = 0; j < l->ngroups; j++) {
			uint32_t g = l->groups[j].group;
			sharing += n->groups[g].count;
			take(n, g);
		}
		l->unfrozen = sharing;
	}
}

/* ---- water-filling ------------------------------------------------------ */

/* Entry a has a smaller fair share than entry b, by their keys:
 * rem/unfrozen compared exactly as fractions, ties to the lower link
 * index. Comparing exact shares rather than their floors matters: the
 * link that is really the tightest must freeze its flows first, or a flow
 * could be held to a floored share on a link it does not saturate. Keys
 * live in the heap itself, so sifting touches no link. */
static bool share_less(const hentry *x, const hentry *y)
{
	u128 lhs = (u128)x->rem_bps * y->unfrozen;
	u128 rhs = (u128)y->rem_bps * x->unfrozen;
	if (lhs != rhs)
		return lhs < rhs;
	return x->link < y->link;
}

static void heap_down(net *n, uint32_t pos)
{
	hentry *h = n->heap;
	hentry x = h[pos];
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= n->nheap)
			break;
		if (c + 1 < n->nheap && share_less(&h[c + 1], &h[c]))
			c++;
		if (!share_less(&h[c], &x))
			break;
		h[pos] = h[c];
		pos = c;
	}
	h[pos] = x;
}

/* The binding link with the least exact share. Freezing only ever raises
 * a link's share (see freeze), so keys are not updated as flows freeze: a
 * link's key is at most its share, and the top, once its key is brought
 * up to date without leaving the top, is the least. Links left with no
 * unfrozen flow are dropped as they surface. Each call costs O(log L) per
 * stale link it meets. */
static uint32_t fresh_top(net *n)
{
	for (;;) {
		if (n->nheap == 0)
			sim_panic("net: water-filling ran out of links");
		hentry *top = &n->heap[0];
		const link_state *l = &n->links[top->link];
		if (l->unfrozen == 0) {
			n->heap[0] = n->heap[--n->nheap];
			if (n->nheap)
				heap_down(n, 0);
			continue;
		}
		if (top->rem_bps == l->rem_bps && top->unfrozen == l->unfrozen)
			return top->link;
		top->rem_bps = l->rem_bps;
		top->unfrozen = l->unfrozen;
		heap_down(n, 0);
	}
}

/* Fixes a group's rate and charges it, for each member, to its binding
 * links. A flow is only ever frozen at r <= the least share s_min <= s =
 * C/k of each of its links, and then (C - r)/(k - 1) >= C/k because C >=
 * k·r: a link's share never falls, and freezing a group's members one by
 * one or at once leaves the same state. */
static void freeze(net *n, uint32_t g, uint64_t rate_bps)
{
	group *gr = &n->groups[g];
	gr->frozen = true;
	gr->new_rate_bps = rate_bps;
	n->nleft--;
	u128 total = (u128)rate_bps * gr->count;
	for (uint32_t k = 0; k < gr->nlinks; k++) {
		link_state *l = &n->links[gr->links[k]];
		if (l->rem_bps < total || l->unfrozen < gr->count)
			sim_panic("net: water-filling overcommits link %u",
				  gr->links[k]);
		l->rem_bps -= (uint64_t)total;
		l->unfrozen -= gr->count;
	}
}

/* The order in which caps are considered: smaller first, ties in start
 * order. */
static bool capped_less(const capped *x, const capped *y)
{
	if (x->cap_bps != y->cap_bps)
		return x->cap_bps < y->cap_bps;
	return x->seq < y->seq;
}

/* Sifts h[pos] down the min-heap h[0..len). */
static void caps_down(capped *h, uint32_t len, uint32_t pos)
{
	capped x = h[pos];
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= len)
			break;
		if (c + 1 < len && capped_less(&h[c + 1], &h[c]))
			c++;
		if (!capped_less(&h[c], &x))
			break;
		h[pos] = h[c];
		pos = c;
	}
	h[pos] = x;
}

static void caps_pop(capped *h, uint32_t *len)
{
	h[0] = h[--*len];
	if (*len)
		caps_down(h, *len, 0);
}

/*
 * Progressive filling as net.h documents it, over the collected groups:
 * repeatedly take the link with the least exact share s = rem/unfrozen; if
 * the smallest cap among unfrozen flows is <= s, freeze that flow at its
 * cap, otherwise freeze every unfrozen flow of the link at floor(s).
 *
 * Only binding links enter the heap; this gives the documented rates
 * exactly. On a slack link the flows still unfrozen have caps adding up to
 * at most what is left of its capacity (frozen flows never exceed their
 * caps), so its share is at least their least cap, which is at least the
 * smallest cap of all: whenever a slack link is (or ties with) the least
 * share, the cap branch runs, and it would freeze the same flow with any
 * link of that or a larger share on top. So slack links never choose a
 * step. A SINGLE link (tight, one flow f) has share C until f is frozen;
 * taking it as a cap C of f gives the same steps' rates: when the link
 * would be the least (share C, every cap larger), the cap branch freezes f
 * at C = floor(C) instead, and a link tying with it at C freezes its
 * flows at C whether f goes first or not. So flows with no binding link
 * run at their effective cap (flow_change.c sets them) and only groups with
 * binding links are water-filled here. The collected set is a union of
 * whole binding components, whose steps do not interact. Caps are taken
 * a group at a time: the members of a group, and all flows of equal cap,
 * are frozen at it in consecutive cap steps (the least share never
 * falls), so the order among equal caps changes no rate.
 *
 * Each step freezes at least one group, and every collected group lies on
 * a binding link of the heap. Cost O(L + G·h + K + (S + L)·log L +
 * P·log K) for G groups of h binding links, K of them capped, L binding
 * links, S stale keys met at the top (S <= G·h) and P caps taken (P <= K).
 */
void net_waterfill(net *n)
{
	n->nheap = 0;
	for (uint32_t i = 0; i < n->ncomp_links; i++) {
		uint32_t li = n->comp_links[i];
		link_state *l = &n->links[li];
		if (l->unfrozen == 0)
			continue;
		l->rem_bps = l->capacity_bps;
		n->heap[n->nheap++] = (hentry){l->capacity_bps, l->unfrozen,
					       li};
	}
	for (uint32_t i = n->nheap / 2; i-- > 0;)
		heap_down(n, i);
	uint32_t ncaps = 0;
	uint64_t least_cap = NET_UNCAPPED;
	n->nleft = n->ncomp_groups;
	for (uint32_t i = 0; i < n->ncomp_groups; i++) {
		uint32_t g = n->comp_groups[i];
		group *gr = &n->groups[g];
		gr->frozen = false;
		if (gr->cap_bps != NET_UNCAPPED) {
			n->caps[ncaps++] = (capped){gr->cap_bps, g, g};
			if (gr->cap_bps < least_cap)
				least_cap = gr->cap_bps;
		}
	}
	/* Caps are taken smallest first, from a heap, built only once the
	 * least share reaches the least cap: often no cap is reached before
	 * the shares decide. */
	bool caps_heaped = false;
	while (n->nleft) {
		uint32_t top = fresh_top(n);
		link_state *l = &n->links[top];
		if (!caps_heaped && ncaps &&
		    (u128)least_cap * l->unfrozen <= l->rem_bps) {
			for (uint32_t i = ncaps / 2; i-- > 0;)
				caps_down(n->caps, ncaps, i);
			caps_heaped = true;
		}
		while (caps_heaped && ncaps &&
		       n->groups[n->caps[0].group].frozen)
			caps_pop(n->caps, &ncaps);
		if (caps_heaped && ncaps &&
		    (u128)n->caps[0].cap_bps * l->unfrozen <= l->rem_bps) {
			capped c = n->caps[0];
			caps_pop(n->caps, &ncaps);
			freeze(n, c.group, c.cap_bps);
			continue;
		}
		uint64_t share = l->rem_bps / l->unfrozen;
		/* The link's group list does not change meanwhile. */
		for (uint32_t j = 0; j < l->ngroups; j++) {
			uint32_t g = l->groups[j].group;
			if (!n->groups[g].frozen)
				freeze(n, g, share);
		}
	}
}
