/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared between the files of models/network/ and nowhere
 * else: the topology's freeze switch, which only a net may throw, and the
 * flow model's state, which flow.c (flows, events, the API),
 * flow_change.c (progress, link lists, installing rates) and share.c (what
 * a change affects, water-filling) all work on.
 */
#ifndef VDCSIM_NET_INTERNAL_H
#define VDCSIM_NET_INTERNAL_H

#include "net.h"

#include <stdbool.h>
#include <stdint.h>

/* Forbids further nodes and links, so that a net's per-link state keeps
 * matching the topology it was built on. */
void topo_freeze(net_topo *t);

/* Longest route of a datacenter fabric: host, ToR, core, core, ToR, host. */
#define NET_DC_MAX_HOPS 5

/* Marks t as the untouched fabric of p (net_topo_create_dc calls it once
 * the fabric is built), so that its routes come from dc_route; adding a
 * node or a link afterwards turns this off. */
void topo_set_dc(net_topo *t, const net_dc_params *p);
/* dc_topo.c: the route from src to dst on p's fabric, as net_topo_path
 * documents it, into links (room for NET_DC_MAX_HOPS); returns its length.
 * Both nodes must exist. O(1), no memory. */
size_t dc_route(const net_dc_params *p, uint32_t src, uint32_t dst,
		uint32_t *links);

/* ---- the flow model's state (flow.c, flow_change.c, share.c) ------------ */

#define NIL UINT32_MAX
#define NS_PER_S UINT64_C(1000000000)

/* Rates times durations overflow 64 bits (10 Gbit/s for 60 years of ns
 * does), so progress and integrals are kept in 128 bits. */
__extension__ typedef unsigned __int128 u128;

enum net_event_kind {
	NET_EV_DRAIN = 1, /* the first flow of the drain heap drains */
	NET_EV_DELIVER,   /* a drained flow's last bit arrives: on_done */
};

typedef struct net_payload {
	uint32_t flow, gen;
} net_payload;
_Static_assert(sizeof(net_payload) <= SIM_PAYLOAD_MAX,
	       "the network's payload must fit in an event");

/* A flow's entry in a link's list: which flow, and which hop of its route
 * the link is (so that the flow's position record can be updated when
 * entries move). */
typedef struct member {
	uint32_t flow, hop;
} member;

/* What a directed link can do to the rates of the flows crossing it.
 * SLACK: no flow on it is held below its cap (see is_tight). SINGLE:
 * tight with one sharing flow, which it then limits exactly as a cap of
 * its capacity would. BINDING: tight with several. Only binding links are
 * water-filled (see net_waterfill in share.c). */
enum link_mode { LINK_SLACK, LINK_SINGLE, LINK_BINDING };

/* A group's entry in a link's list: which group, and which of the
 * group's links the link is. */
typedef struct gentry {
	uint32_t group, idx;
} gentry;

typedef struct link_state {
	/* The integral of load over time, in bit·ns, up to folded_ns, less
	 * the parts below one bit left by flows that have gone: so that once
	 * a link is idle it holds exactly 10^9 times the bits it carried. */
	u128 bit_ns;
	/* Sum of the caps of the capped sharing flows crossing it; with
	 * `uncapped`, what says whether the link is tight. */
	u128 cap_sum_bps;
	uint64_t capacity_bps;
	uint64_t load_bps; /* sum of the rates of the flows crossing it */
	uint64_t folded_ns;
	member *flows; /* sharing flows crossing it, in no particular order */
	uint32_t nflows, flows_cap;
	uint32_t uncapped; /* sharing flows crossing it without a cap */
	uint32_t sharing;  /* sharing flows crossing it (leavers excluded) */
	bool tight;        /* uncapped != 0 or cap_sum_bps > capacity_bps */
	uint8_t mode;      /* an enum link_mode, from tight and sharing */
	/* Groups whose members cross it, when it is binding. */
	gentry *groups;
	uint32_t ngroups, groups_cap;
	/* Scratch of one change. */
	uint8_t was_mode;  /* as a seed: mode before the change */
	uint32_t seed;     /* epoch of the last change it was a seed of */
	uint32_t seen;     /* epoch of the last collect that expanded it */
	uint32_t rank_seen; /* rank_epoch of the last component search */
	uint64_t rem_bps;  /* capacity not yet given to frozen flows */
	uint32_t unfrozen; /* flows on it not yet frozen */
} link_state;

/* A link in the water-filling heap, keyed by its rem_bps and unfrozen as
 * they were when it was last placed (see fresh_top). */
typedef struct hentry {
	uint64_t rem_bps;
	uint32_t unfrozen, link;
} hentry;

/* The fields a recomputation reads come first, in one cache line. */
typedef struct flow {
	uint8_t state; /* 0 when free, else a net_flow_state */
	uint32_t pend; /* scratch: epoch of the change that made it pending */
	uint32_t noted; /* scratch: epoch of the change that noted its rate */
	uint32_t nlinks;
	uint32_t *links; /* route, directed links from the source */
	uint64_t cap_bps, rate_bps;
	uint64_t new_rate_bps; /* scratch: the rate being installed */
	/* Its group (see below), or NIL when it crosses no binding link
	 * and so runs at eff_cap; and its index among the group's members. */
	uint32_t group, gpos;
	/* cap_bps, or less: the capacity of a SINGLE link it crosses. */
	uint64_t eff_cap_bps;
	uint64_t seq; /* start order, for the order of simultaneous calls */
	uint32_t gen;  /* generation in the handle; changes when freed */
	uint32_t links_cap;
	uint32_t *pos;   /* pos[i]: index of this flow in links[i]'s list */
	uint32_t rank_seen, rank; /* scratch: the last component search */
	uint32_t src, dst;
	uint64_t bytes;
	/* Progress as of updated_ns: whole bits still to send, the part of a
	 * bit already sent (bit·ns, < 10^9), and what was sent beyond the
	 * size in the nanosecond that drained it (bit·ns). */
	uint64_t remaining_bits, carry_bit_ns, excess_bit_ns;
	uint64_t updated_ns;
	uint64_t drain_ns; /* at the current rate; SIM_TIME_MAX if never */
	uint64_t dseq; /* when drain_ns was set, for ties (see the dheap) */
	uint64_t latency_ns, start_ns;
	sim_event_id ev;
	uint32_t dheap_pos; /* in the drain heap, or NIL */
	net_flow_done_fn done;
	void *ctx;
	uint32_t next_free;
} flow;

/*
 * A group: the sharing flows with the same binding links and the same
 * effective cap. Water-filling gives them the same rate (they are frozen
 * at the same step: a link step freezes every unfrozen flow of its link,
 * and flows of equal cap are frozen at it in consecutive cap steps, as
 * the least share never falls), so it works on groups, each frozen whole,
 * and a link counts each group's members at once. A flow's group changes
 * when its cap or the mode of one of its links does.
 */
typedef struct group {
	uint64_t cap_bps;  /* effective cap of its members */
	uint64_t rate_bps; /* rate of its members, as last installed */
	uint64_t new_rate_bps; /* scratch: result of the water-filling */
	uint64_t hash;
	uint32_t count;    /* members */
	uint32_t nlinks, links_cap;
	uint32_t *links;   /* binding links, increasing */
	uint32_t *lpos;    /* lpos[i]: its index in links[i]'s group list */
	uint32_t *members, members_cap;
	uint32_t hnext;    /* next in its hash chain, or in the free list */
	uint32_t seen;     /* scratch: epoch of the last collect */
	bool frozen;       /* scratch: rate fixed by this water-filling */
	bool live;
} group;

/* A capped group in the order the water-filling considers caps. */
typedef struct capped {
	uint64_t cap_bps, seq;
	uint32_t group;
} capped;

/* A flow whose rate a change alters: its new drain time, and the key it
 * is scheduled in (see plan_order). */
typedef struct change {
	uint64_t drain_ns;
	uint32_t flow, key;
} change;

struct net {
	sim_engine *engine;
	sim_model *model;
	net_topo *topo;

	link_state *links;
	uint32_t nlinks;

	flow *flows;
	uint32_t nflows, flows_cap, free_head;
	size_t active;
	uint64_t next_seq;

	/* Sharing flows with a drain time, in a binary min-heap by drain_ns
	 * (ties in the order drain times were set, dseq), to find the flows
	 * that drain in a given ns without a search; and the one engine
	 * event of the net for drains, at the earliest drain time. */
	uint32_t *dheap, ndheap;
	uint64_t next_dseq;
	sim_event_id drain_ev;
	uint64_t drain_ev_ns; /* SIM_TIME_MAX when there is none */

	/* Scratch of one change, sized for every link and flow slot. */
	uint32_t epoch;
	uint32_t *seeds, nseeds;      /* links whose lists or sums changed */
	uint32_t *gone, ngone;        /* flows leaving their links */
	const uint32_t *origin;       /* where the documented search starts */
	uint32_t norigin;
	uint32_t *pend, npend; /* flows whose rate must be checked */
	uint32_t *comp_links, ncomp_links;
	uint32_t *comp_groups, ncomp_groups;
	capped *caps;
	change *changes;
	hentry *heap;
	uint32_t nheap;
	uint32_t nleft; /* collected groups not yet frozen */
	uint32_t *stack;
	uint32_t rank_epoch;
	bool ranked; /* the component search of this change is done */
	uint32_t *rank_links;
	uint32_t *route;
	size_t route_cap;

	/* Groups (group.c): slots with a free list, and a hash index by
	 * (effective cap, binding links) with chains through hnext. */
	group *groups;
	uint32_t ngroups, groups_cap, groups_live, gfree_head;
	uint32_t *gbuckets, nbuckets;
	uint32_t *sig, sig_cap; /* scratch: one flow's binding links */

	void (*hook)(void *ctx, const net *n);
	void *hook_ctx;
	bool in_hook;
	uint64_t reshares, rate_changes;
};

/* True if the flows crossing the link could ask for more than its
 * capacity. Only such a link can hold a flow below its cap. */
static inline bool is_tight(const link_state *l)
{
	return l->tight;
}

/* group.c: takes a sharing flow out of its group (a no-op for NIL),
 * freeing the group when it empties. O(the group's links). */
void net_group_leave(net *n, uint32_t fi);
/* group.c: puts a sharing flow that has no group into the group of its
 * current binding links and effective cap (made if new), or sets group
 * NIL if it crosses no binding link; and makes it pending (n->pend) for
 * this change. O(h log h) expected. */
void net_group_join(net *n, uint32_t fi);
/* group.c: frees every group's memory (at the net's end). */
void net_groups_fini(net *n);

/* flow_change.c: schedules flow slot fi's event of the given kind at
 * at_ns (its handle in the flow's ev). */
void net_schedule(net *n, uint32_t fi, uint64_t at_ns, uint32_t kind);
/* flow_change.c: cancels the flow's pending event, if any. */
void net_unschedule(net *n, flow *f);
/* flow_change.c: stores in n->gone the flows whose drain time is now and
 * returns how many; O(that many). */
uint32_t net_draining_now(net *n, uint64_t now);
/* flow_change.c: adds (sign 1) or removes (sign -1) a sharing flow's cap
 * to or from the demand of each of its links, and updates their modes. */
void net_demand(net *n, const flow *f, int sign);
/* flow_change.c: appends slot fi to the flow lists of its links. */
void net_link_join(net *n, uint32_t fi);

/* One change, in this order (flow.c: net_flow_start, net_flow_set_cap,
 * net_flow_cancel and a drain): net_change_begin; net_seeds_add for the
 * flows whose links change; the change itself (net_link_join, net_demand,
 * net_stop_sharing); net_regroup_seeds; net_reshare. */

/* flow_change.c: starts a change whose documented component search
 * (net_rank_component) starts from the links origin[0..norigin), which
 * must stay valid until the change is recomputed. */
void net_change_begin(net *n, const uint32_t *origin, uint32_t norigin);
/* flow_change.c: makes a flow's links seeds of the change; before the
 * flow's lists or demand change. */
void net_seeds_add(net *n, const flow *f);
/* flow_change.c: once a change's demands are in place, regroups the
 * sharing flows of every seed whose mode changed, and the changed flow cf
 * (NIL if none is still sharing). */
void net_regroup_seeds(net *n, uint32_t cf);
/* flow_change.c: takes a sharing flow out of sharing at now for a drain
 * or a cancel (progress to now, rate off its links' loads, cap off their
 * demands) and queues it to leave their lists once the change is
 * recomputed. Its links must already be seeds. */
void net_stop_sharing(net *n, uint32_t fi, uint64_t now);
/* flow_change.c: ranks every flow of the connected component reachable
 * from the change's origin links in breadth-first order (rank_seen ==
 * rank_epoch marks them); once per change. O(links + flows·hops of the
 * component). */
void net_rank_component(net *n);
/* flow_change.c: recomputes the rates after a change and installs the
 * ones that changed (progress, link loads, drain times, the net's drain
 * event), then calls the reshare hook. */
void net_reshare(net *n);

/* share.c: collects into n->comp_groups the groups a change can affect
 * (those of the pending flows, and the binding components through the
 * change's seeds); see the comment at the top of flow_change.c. */
void net_collect(net *n);
/* share.c: max-min fair rates (new_rate_bps) of the collected groups by
 * water-filling over their binding links. */
void net_waterfill(net *n);

#endif /* VDCSIM_NET_INTERNAL_H */
