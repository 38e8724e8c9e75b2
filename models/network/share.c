/* SPDX-License-Identifier: MIT */
/*
 * The flow model's recomputation: which flows a change can affect (the
 * changed flow and the tight components through its links), and their
 * max-min fair rates by water-filling over tight links. State and the
 * reasoning behind both are in net_internal.h and at the top of flow.c.
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

static void take(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	if (f->seen == n->epoch)
		return;
	f->seen = n->epoch;
	f->constrained = false;
	n->comp_flows[n->ncomp_flows++] = fi;
	for (uint32_t k = 0; k < f->nlinks; k++)
		if (is_tight(&n->links[f->links[k]])) {
			f->constrained = true;
			expand(n, f->links[k]);
		}
}

/* Collects into comp_flows the sharing flows whose rate the change may
 * alter: the changed flow cf (NIL if none is still sharing) and every flow
 * of a link expanded, where the expanded links are the seeds that are
 * tight or were tight before the change, and every tight link of a
 * collected flow. The expanded links go into comp_links, each with its
 * count of sharing flows in unfrozen. The flows of tight components
 * untouched by the seeds keep their rates: their links, lists and caps are
 * as before the change, so water-filling would give them the same rates.
 * Cost O(F·h + the lists of the expanded links). */
void net_collect(net *n, uint32_t cf)
{
	n->ncomp_links = n->ncomp_flows = 0;
	if (cf != NIL)
		take(n, cf);
	for (uint32_t i = 0; i < n->nseeds; i++) {
		link_state *l = &n->links[n->seeds[i]];
		if (l->was_tight || is_tight(l))
			expand(n, n->seeds[i]);
	}
	for (uint32_t i = 0; i < n->ncomp_links; i++) {
		link_state *l = &n->links[n->comp_links[i]];
		uint32_t sharing = 0;
		for (uint32_t j = 0; j < l->nflows; j++) {
			uint32_t fi = l->flows[j].flow;
			if (n->flows[fi].state != NET_FLOW_SHARING)
				continue; /* a leaver still listed */
			sharing++;
			take(n, fi);
		}
		l->unfrozen = sharing;
	}
}

/* ---- water-filling ------------------------------------------------------ */

/* Link a has a smaller fair share than link b, by their heap keys:
 * rem/unfrozen compared exactly as fractions, ties to the lower link
 * index. Comparing exact shares rather than their floors matters: the
 * link that is really the tightest must freeze its flows first, or a flow
 * could be held to a floored share on a link it does not saturate. */
static bool share_less(const net *n, uint32_t a, uint32_t b)
{
	const link_state *x = &n->links[a], *y = &n->links[b];
	u128 lhs = (u128)x->key_rem_bps * y->key_unfrozen;
	u128 rhs = (u128)y->key_rem_bps * x->key_unfrozen;
	if (lhs != rhs)
		return lhs < rhs;
	return a < b;
}

static void heap_set(net *n, uint32_t pos, uint32_t l)
{
	n->heap[pos] = l;
	n->links[l].heap_pos = pos;
}

static void heap_down(net *n, uint32_t pos)
{
	uint32_t l = n->heap[pos];
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= n->nheap)
			break;
		if (c + 1 < n->nheap && share_less(n, n->heap[c + 1], n->heap[c]))
			c++;
		if (!share_less(n, n->heap[c], l))
			break;
		heap_set(n, pos, n->heap[c]);
		pos = c;
	}
	heap_set(n, pos, l);
}

/* The tight link with the least exact share. Freezing only ever raises a
 * link's share (see freeze), so keys are not updated as flows freeze: a
 * link's key is at most its share, and the top, once its key is brought
 * up to date without leaving the top, is the least. Links left with no
 * unfrozen flow are dropped as they surface. Each call costs O(log L) per
 * stale link it meets. */
static uint32_t fresh_top(net *n)
{
	for (;;) {
		if (n->nheap == 0)
			sim_panic("net: water-filling ran out of links");
		uint32_t li = n->heap[0];
		link_state *l = &n->links[li];
		if (l->unfrozen == 0) {
			heap_set(n, 0, n->heap[--n->nheap]);
			if (n->nheap)
				heap_down(n, 0);
			continue;
		}
		if (l->key_rem_bps == l->rem_bps &&
		    l->key_unfrozen == l->unfrozen)
			return li;
		l->key_rem_bps = l->rem_bps;
		l->key_unfrozen = l->unfrozen;
		heap_down(n, 0);
	}
}

/* Fixes a constrained flow's rate and charges it to its tight links (its
 * slack links never bind, so they are not tracked). A flow is only ever
 * frozen at r <= the least share s_min <= s = C/k of each of its tight
 * links, and then (C - r)/(k - 1) >= C/k because C >= k·r: a link's share
 * never falls. */
static void freeze(net *n, uint32_t fi, uint64_t rate_bps)
{
	flow *f = &n->flows[fi];
	f->frozen = true;
	f->new_rate_bps = rate_bps;
	n->nleft--;
	for (uint32_t k = 0; k < f->nlinks; k++) {
		link_state *l = &n->links[f->links[k]];
		if (!is_tight(l))
			continue;
		if (l->rem_bps < rate_bps || l->unfrozen == 0)
			sim_panic("net: water-filling overcommits link %u",
				  f->links[k]);
		l->rem_bps -= rate_bps;
		l->unfrozen--;
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
 * Progressive filling as net.h documents it, over the collected flows:
 * repeatedly take the link with the least exact share s = rem/unfrozen; if
 * the smallest cap among unfrozen flows is <= s, freeze that flow at its
 * cap, otherwise freeze every unfrozen flow of the link at floor(s).
 *
 * Only tight links enter the heap, and free flows (no tight link) are set
 * to their caps at once; this gives the documented rates exactly. On a
 * slack link the flows still unfrozen have caps adding up to at most what
 * is left of its capacity (frozen flows never exceed their caps), so its
 * share is at least their least cap, which is at least the smallest cap of
 * all: whenever a slack link is (or ties with) the least share, the cap
 * branch runs, and it would freeze the same flow with any tight link of
 * that or a larger share on top. So slack links never choose a step, and
 * a free flow's step (at its cap) touches only slack links, changing no
 * other step. Likewise the collected set is a union of whole tight
 * components, whose steps do not interact.
 *
 * Each step freezes at least one flow, and every constrained flow lies on
 * a tight link of the heap. Cost O(L + F·h + K + (S + L)·log L +
 * P·log K) for F flows of h hops, K of them capped and constrained, L
 * tight links, S stale keys met at the top (S <= F·h) and P caps taken
 * (P <= K).
 */
void net_waterfill(net *n)
{
	n->nheap = 0;
	for (uint32_t i = 0; i < n->ncomp_links; i++) {
		uint32_t li = n->comp_links[i];
		link_state *l = &n->links[li];
		if (!is_tight(l) || l->unfrozen == 0)
			continue;
		l->rem_bps = l->key_rem_bps = l->capacity_bps;
		l->key_unfrozen = l->unfrozen;
		heap_set(n, n->nheap++, li);
	}
	for (uint32_t i = n->nheap / 2; i-- > 0;)
		heap_down(n, i);
	uint32_t ncaps = 0;
	n->nleft = 0;
	for (uint32_t i = 0; i < n->ncomp_flows; i++) {
		uint32_t fi = n->comp_flows[i];
		flow *f = &n->flows[fi];
		if (!f->constrained) {
			/* Every link of an uncapped flow is tight. */
			f->frozen = true;
			f->new_rate_bps = f->cap_bps;
			continue;
		}
		f->frozen = false;
		n->nleft++;
		if (f->cap_bps != NET_UNCAPPED)
			n->caps[ncaps++] = (capped){f->cap_bps, f->seq, fi};
	}
	/* Caps are taken smallest first, from a heap: often only some of
	 * them are reached before the shares decide. */
	for (uint32_t i = ncaps / 2; i-- > 0;)
		caps_down(n->caps, ncaps, i);
	while (n->nleft) {
		uint32_t top = fresh_top(n);
		link_state *l = &n->links[top];
		while (ncaps && n->flows[n->caps[0].flow].frozen)
			caps_pop(n->caps, &ncaps);
		if (ncaps &&
		    (u128)n->caps[0].cap_bps * l->unfrozen <= l->rem_bps) {
			capped c = n->caps[0];
			caps_pop(n->caps, &ncaps);
			freeze(n, c.flow, c.cap_bps);
			continue;
		}
		uint64_t share = l->rem_bps / l->unfrozen;
		/* The link's list does not change meanwhile; a leaver still
		 * listed is skipped. */
		for (uint32_t j = 0; j < l->nflows; j++) {
			flow *f = &n->flows[l->flows[j].flow];
			if (f->state == NET_FLOW_SHARING && !f->frozen)
				freeze(n, l->flows[j].flow, share);
		}
	}
}
