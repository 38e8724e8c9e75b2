/* SPDX-License-Identifier: MIT */
/*
 * Groups of flows that water-filling treats as one: the sharing flows
 * with the same binding links and the same effective cap (see struct
 * group in net_internal.h for why they get the same rate). Groups live in
 * slots with a free list and are found by a hashed index; nothing
 * iterates over the index, so its order never reaches results.
 */
#include "net.h"
#include "net_internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t sig_hash(uint64_t cap_bps, const uint32_t *links,
			 uint32_t nlinks)
{
	uint64_t h = sim_splitmix64(cap_bps ^ UINT64_C(0x9e3779b97f4a7c15));
	for (uint32_t i = 0; i < nlinks; i++)
		h = sim_splitmix64(h ^ ((uint64_t)links[i] + 1));
	return h;
}

static void buckets_rebuild(net *n, uint32_t nb)
{
	free(n->gbuckets);
	n->gbuckets = sim_xmalloc((size_t)nb * sizeof *n->gbuckets);
	n->nbuckets = nb;
	for (uint32_t b = 0; b < nb; b++)
		n->gbuckets[b] = NIL;
	for (uint32_t g = 0; g < n->ngroups; g++) {
		group *gr = &n->groups[g];
		if (!gr->live)
			continue;
		uint32_t b = (uint32_t)(gr->hash & (nb - 1));
		gr->hnext = n->gbuckets[b];
		n->gbuckets[b] = g;
	}
}

static uint32_t group_find(const net *n, uint64_t hash, uint64_t cap_bps,
			   const uint32_t *links, uint32_t nlinks)
{
	if (n->nbuckets == 0)
		return NIL;
	for (uint32_t g = n->gbuckets[hash & (n->nbuckets - 1)]; g != NIL;
	     g = n->groups[g].hnext) {
		const group *gr = &n->groups[g];
		if (gr->hash == hash && gr->cap_bps == cap_bps &&
		    gr->nlinks == nlinks &&
		    memcmp(gr->links, links, nlinks * sizeof *links) == 0)
			return g;
	}
	return NIL;
}

static uint32_t group_alloc(net *n)
{
	uint32_t g = n->gfree_head;
	if (g != NIL) {
		n->gfree_head = n->groups[g].hnext;
		return g;
	}
	if (n->ngroups == n->groups_cap) {
		uint32_t cap = n->groups_cap ? 2 * n->groups_cap : 64;
		n->groups = sim_xrealloc(n->groups, cap, sizeof *n->groups);
		memset(n->groups + n->groups_cap, 0,
		       (cap - n->groups_cap) * sizeof *n->groups);
		n->comp_groups = sim_xrealloc(n->comp_groups, cap,
					      sizeof *n->comp_groups);
		n->caps = sim_xrealloc(n->caps, cap, sizeof *n->caps);
		n->groups_cap = cap;
	}
	return n->ngroups++;
}

/* A new group for the signature in n->sig, listed on its links and in the
 * index. Its rate is unknown until the recomputation that follows. */
static uint32_t group_make(net *n, uint64_t hash, uint64_t cap_bps,
			   uint32_t nlinks)
{
	uint32_t g = group_alloc(n);
	group *gr = &n->groups[g];
	if (gr->links_cap < nlinks) {
		gr->links = sim_xrealloc(gr->links, nlinks, sizeof *gr->links);
		gr->lpos = sim_xrealloc(gr->lpos, nlinks, sizeof *gr->lpos);
		gr->links_cap = nlinks;
	}
	memcpy(gr->links, n->sig, nlinks * sizeof *gr->links);
	gr->nlinks = nlinks;
	gr->cap_bps = cap_bps;
	gr->hash = hash;
	gr->count = 0;
	gr->rate_bps = UINT64_MAX;
	gr->seen = 0;
	gr->live = true;
	for (uint32_t i = 0; i < nlinks; i++) {
		link_state *l = &n->links[gr->links[i]];
		if (l->ngroups == l->groups_cap) {
			l->groups_cap = l->groups_cap ? 2 * l->groups_cap : 4;
			l->groups = sim_xrealloc(l->groups, l->groups_cap,
						 sizeof *l->groups);
		}
		gr->lpos[i] = l->ngroups;
		l->groups[l->ngroups++] = (gentry){g, i};
	}
	n->groups_live++;
	if (n->groups_live > n->nbuckets)
		buckets_rebuild(n, n->nbuckets ? 2 * n->nbuckets : 64);
	else {
		uint32_t b = (uint32_t)(hash & (n->nbuckets - 1));
		gr->hnext = n->gbuckets[b];
		n->gbuckets[b] = g;
	}
	return g;
}

/* Takes an empty group off its links and out of the index, and frees its
 * slot (keeping its arrays for the next group there). */
static void group_free(net *n, uint32_t g)
{
	group *gr = &n->groups[g];
	for (uint32_t i = 0; i < gr->nlinks; i++) {
		link_state *l = &n->links[gr->links[i]];
		uint32_t p = gr->lpos[i];
		gentry last = l->groups[--l->ngroups];
		l->groups[p] = last;
		n->groups[last.group].lpos[last.idx] = p;
	}
	uint32_t *at = &n->gbuckets[gr->hash & (n->nbuckets - 1)];
	while (*at != g)
		at = &n->groups[*at].hnext;
	*at = gr->hnext;
	gr->live = false;
	gr->hnext = n->gfree_head;
	n->gfree_head = g;
	n->groups_live--;
}

void net_group_leave(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	uint32_t g = f->group;
	if (g == NIL)
		return;
	group *gr = &n->groups[g];
	uint32_t last = gr->members[--gr->count];
	gr->members[f->gpos] = last;
	n->flows[last].gpos = f->gpos;
	f->group = NIL;
	if (gr->count == 0)
		group_free(n, g);
}

void net_group_join(net *n, uint32_t fi)
{
	flow *f = &n->flows[fi];
	if (f->pend != n->epoch) {
		f->pend = n->epoch;
		n->pend[n->npend++] = fi;
	}
	if (n->sig_cap < f->nlinks) {
		n->sig = sim_xrealloc(n->sig, f->nlinks, sizeof *n->sig);
		n->sig_cap = f->nlinks;
	}
	uint64_t cap = f->cap_bps;
	uint32_t k = 0;
	for (uint32_t i = 0; i < f->nlinks; i++) {
		uint32_t li = f->links[i];
		const link_state *l = &n->links[li];
		if (l->mode == LINK_SINGLE && l->capacity_bps < cap)
			cap = l->capacity_bps;
		if (l->mode != LINK_BINDING)
			continue;
		/* Insertion into increasing order: routes are short. */
		uint32_t j = k++;
		while (j > 0 && n->sig[j - 1] > li) {
			n->sig[j] = n->sig[j - 1];
			j--;
		}
		n->sig[j] = li;
	}
	f->eff_cap_bps = cap;
	if (k == 0) {
		f->group = NIL;
		return;
	}
	uint64_t hash = sig_hash(cap, n->sig, k);
	uint32_t g = group_find(n, hash, cap, n->sig, k);
	if (g == NIL)
		g = group_make(n, hash, cap, k);
	group *gr = &n->groups[g];
	if (gr->count == gr->members_cap) {
		gr->members_cap = gr->members_cap ? 2 * gr->members_cap : 4;
		gr->members = sim_xrealloc(gr->members, gr->members_cap,
					   sizeof *gr->members);
	}
	f->group = g;
	f->gpos = gr->count;
	gr->members[gr->count++] = fi;
}

void net_groups_fini(net *n)
{
	for (uint32_t g = 0; g < n->ngroups; g++) {
		free(n->groups[g].links);
		free(n->groups[g].lpos);
		free(n->groups[g].members);
	}
	for (uint32_t l = 0; l < n->nlinks; l++)
		free(n->links[l].groups);
	free(n->groups);
	free(n->gbuckets);
	free(n->sig);
	free(n->comp_groups);
}
