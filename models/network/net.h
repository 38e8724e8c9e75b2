/* SPDX-License-Identifier: MIT */
/*
 * models/network/: the network of the simulated datacenter. A topology of
 * hosts and switches joined by full-duplex links, shortest paths between
 * nodes, and a flow-level fluid model in which flows share every directed
 * link max-min fairly, with exact integer completion times. Live migration
 * (migration/) builds on these flows; packets are not modelled.
 */
#ifndef VDCSIM_NET_H
#define VDCSIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* ------------------------------------------------------------------------
 * Topology. Nodes are numbered 0, 1, ... in the order they are added. A
 * full-duplex link k between nodes a and b is two independent directed
 * links, each with its own capacity and latency: directed link 2k goes
 * from a to b and 2k+1 from b to a. Every other function in this header
 * speaks of directed links.
 * ------------------------------------------------------------------------ */

typedef struct net_topo net_topo;

typedef enum net_node_kind {
	NET_NODE_HOST,   /* an end point of flows (it may also forward) */
	NET_NODE_SWITCH, /* a ToR, aggregation or core switch, or a router */
} net_node_kind;

/* One directed link, as the topology stores it. */
typedef struct net_link_desc {
	uint32_t from, to;     /* node ids */
	uint64_t capacity_bps; /* 1 ..= NET_LINK_MAX_BPS */
	uint64_t latency_ns;   /* one-way propagation delay */
} net_link_desc;

/* Largest link capacity, 1 Pbit/s. The bound keeps every 128-bit
 * integral of rate over time (bit·ns) far from overflow for any run that
 * fits the 64-bit clock. */
#define NET_LINK_MAX_BPS UINT64_C(1000000000000000)

/* Largest number of nodes, and of directed links, in one topology. */
#define NET_TOPO_MAX_NODES (UINT32_C(1) << 26)
#define NET_TOPO_MAX_LINKS (UINT32_C(1) << 27)

/* Creates an empty topology. */
net_topo *net_topo_create(void);
/* Frees the topology, its names and its path cache; NULL is a no-op. Every
 * net (flow model) built on it must no longer be used afterwards. */
void net_topo_destroy(net_topo *t);

/* Adds a node named `name` (copied; non-empty; unique within the topology)
 * and stores its id in *id (which may be NULL). Returns 0, SIM_EEXIST if
 * the name is taken, or SIM_EINPUT for an empty name, too many nodes, or a
 * topology frozen by net_create. O(1) expected (a hashed name index). */
int net_topo_node_add(net_topo *t, net_node_kind kind, const char *name,
		      uint32_t *id);

/* Adds a full-duplex link between nodes a and b (a != b; parallel links
 * are allowed) with the same capacity and latency in both directions, and
 * stores its index k in *link (directed links 2k: a->b, 2k+1: b->a; link
 * may be NULL). Returns 0, or SIM_EINPUT for an unknown node, a == b, a
 * capacity outside 1 ..= NET_LINK_MAX_BPS, too many links, or a frozen
 * topology. Adding a link empties the path cache. */
int net_topo_link_add(net_topo *t, uint32_t a, uint32_t b, uint64_t bps,
		      uint64_t latency_ns, uint32_t *link);
/* As net_topo_link_add with each direction's capacity and latency given
 * separately (ab_* for a->b, ba_* for b->a). */
int net_topo_link_add_asym(net_topo *t, uint32_t a, uint32_t b,
			   uint64_t ab_bps, uint64_t ba_bps,
			   uint64_t ab_latency_ns, uint64_t ba_latency_ns,
			   uint32_t *link);

/* Number of nodes, and of directed links (twice the full-duplex links). */
size_t net_topo_node_count(const net_topo *t);
size_t net_topo_link_count(const net_topo *t);
/* A node's name and kind; id must be < net_topo_node_count (else NULL
 * and NET_NODE_HOST). The name is owned by the topology. */
const char *net_topo_node_name(const net_topo *t, uint32_t id);
net_node_kind net_topo_node_kind(const net_topo *t, uint32_t id);
/* Directed link `link`, or NULL if there is none. The pointer is valid
 * until the next link is added. */
const net_link_desc *net_topo_link(const net_topo *t, uint32_t link);
/* The id of the node named `name`, or -1. O(1) expected. */
long net_topo_node_find(const net_topo *t, const char *name);

/* The route from src to dst: a shortest path by hop count. Among equally
 * short paths the one taken is the least when paths are compared as
 * sequences of directed link indices from the source (the lowest-indexed
 * link at the first point where they differ); a breadth-first search that
 * scans each node's outgoing links in increasing index finds exactly that
 * path. Writes the first min(n, cap) directed links of the n-link path into
 * links (from the source; links may be NULL if cap is 0), stores n in
 * *nlinks (which may be NULL), and returns 0; a path from
 * a node to itself is empty (n = 0). Returns SIM_ENOENT if dst cannot be
 * reached and SIM_EINPUT for an unknown node.
 * Cost: on a fabric made by net_topo_create_dc and left as it was (no node
 * or link added since), O(1) and no memory: the route is computed from the
 * numbering (it is the only shortest path there). On any other topology
 * routes are cached per (source, destination) pair in use: a cached route
 * costs O(n) expected; any other runs the search (stopped at dst, so
 * O(nodes + links) at worst) and is cached, the least recently used routes
 * evicted while more than NET_TOPO_PATH_PAIRS routes or more than
 * NET_TOPO_PATH_LINKS links in all would be cached (a route longer than
 * that is not cached). Eviction changes no route: the search is
 * deterministic. So the cache never holds more than
 * NET_TOPO_PATH_CACHE_MAX_BYTES, whatever the number of hosts or pairs;
 * the search's scratch is 12 bytes per node, allocated once. Adding a node
 * or a link empties the cache. */
int net_topo_path(net_topo *t, uint32_t src, uint32_t dst, uint32_t *links,
		  size_t cap, size_t *nlinks);

/* Most routes, and most links over all routes, a topology caches for
 * net_topo_path; the bytes of one cached route besides its links. */
#define NET_TOPO_PATH_PAIRS 4096u
#define NET_TOPO_PATH_LINKS 65536u
#define NET_TOPO_PATH_ENTRY_BYTES 40u
/* The most bytes net_topo_path_cache_bytes can report: the entries, a
 * hash table of two 4-byte heads per entry, and 4 bytes per link (about
 * 450 KiB). */
#define NET_TOPO_PATH_CACHE_MAX_BYTES                                        \
	((size_t)NET_TOPO_PATH_PAIRS * (NET_TOPO_PATH_ENTRY_BYTES + 8u) +    \
	 (size_t)NET_TOPO_PATH_LINKS * 4u)

/* Bytes of route cache the topology holds now: its entries' slots, hash
 * table and links (0 on an untouched datacenter fabric, and before the
 * first search), for tests and benchmarks. O(1). */
size_t net_topo_path_cache_bytes(const net_topo *t);
/* Routes the topology caches now (at most NET_TOPO_PATH_PAIRS). O(1). */
size_t net_topo_path_cache_entries(const net_topo *t);
/* The one-way latency of the route from src to dst: the sum of its
 * directed links' latencies (saturating), 0 from a node to itself. Errors
 * and cost as net_topo_path (the latency is cached with the route). */
int net_topo_path_latency(net_topo *t, uint32_t src, uint32_t dst,
			  uint64_t *latency_ns);

/* ------------------------------------------------------------------------
 * Datacenter topologies. D datacenters; each has R racks of H hosts, one
 * top-of-rack (ToR) switch per rack and one core switch. Every host has a
 * link to its ToR, every ToR one uplink to its datacenter's core, and each
 * pair of cores a WAN link (a full mesh).
 *
 * Names: with one datacenter, hosts are "rack<r>/host<h>" (as in
 * datacenter/), ToRs "rack<r>/tor" and the core "core"; with several, each
 * name is prefixed by "dc<d>/" ("dc1/rack0/host3", "dc1/rack0/tor",
 * "dc1/core").
 *
 * Numbering: hosts first, node id = (d·R + r)·H + h (so with one
 * datacenter a host's id is datacenter/'s rack-major host index), then
 * the ToRs (id D·R·H + d·R + r), then the cores (D·R·H + D·R + d).
 * Full-duplex links in the same order: host links first (link k joins host
 * k to its ToR, so directed link 2k is the host's uplink), then ToR
 * uplinks (rack-major), then WAN links between cores i < j in
 * lexicographic order of (i, j). Each link is added host or ToR (or the
 * lower core) first, so even directed links point towards the core.
 *
 * Latencies are given per route, as datacenter/ states them, and split
 * over the two directed links of each hop so that every host-to-host route
 * adds up exactly: the directed link towards the core carries ceil(L/2)
 * and the one away from it floor(L/2) of rack_latency (host links) and of
 * fabric_latency (ToR uplinks). A WAN link carries wan_latency each way.
 * Host-to-host one-way latencies are then:
 *   same rack:             rack_latency
 *   other rack, same dc:   rack_latency + fabric_latency
 *   other datacenter:      rack_latency + fabric_latency + wan_latency
 * ------------------------------------------------------------------------ */

typedef struct net_dc_params {
	uint64_t datacenters;       /* D >= 1 */
	uint64_t racks;             /* R >= 1, racks per datacenter */
	uint64_t hosts_per_rack;    /* H >= 1 */
	uint64_t nic_bps;           /* host <-> ToR, each direction */
	uint64_t uplink_bps;        /* ToR <-> core, each direction */
	uint64_t rack_latency_ns;   /* host to host within a rack */
	uint64_t fabric_latency_ns; /* added between racks (ToR to ToR) */
	uint64_t wan_bps;           /* core <-> core, each direction */
	uint64_t wan_latency_ns;    /* core to core */
} net_dc_params;

/* Most hosts a datacenter topology may have (over all datacenters), and
 * most datacenters. */
#define NET_DC_MAX_HOSTS (UINT64_C(1) << 24)
#define NET_DC_MAX_DATACENTERS UINT64_C(64)

/* Builds the topology described above into a new *out. Returns 0, or
 * SIM_EINPUT (and *out NULL) if a count is 0, there are more than
 * NET_DC_MAX_DATACENTERS datacenters or NET_DC_MAX_HOSTS hosts, or a rate
 * lies outside 1 ..= NET_LINK_MAX_BPS (wan_bps is checked only when
 * D > 1). O(hosts + D²). */
int net_topo_create_dc(const net_dc_params *p, net_topo **out);
/* Node ids of host h of rack r of datacenter d, of that rack's ToR and of
 * datacenter d's core, under p's numbering. Arguments are not checked. */
uint32_t net_dc_host(const net_dc_params *p, uint64_t d, uint64_t r,
		     uint64_t h);
uint32_t net_dc_tor(const net_dc_params *p, uint64_t d, uint64_t r);
uint32_t net_dc_core(const net_dc_params *p, uint64_t d);

/* The network's own parameters, beyond datacenter/'s racks, hosts_per_rack,
 * host.nic, fabric.uplink and fabric.latency: the section
 * "datacenter.network" (meant as a `network:` mapping inside `datacenter:`)
 * fills the fields datacenters, rack_latency_ns, wan_bps and
 * wan_latency_ns of a net_dc_params and leaves the others alone:
 *   datacenters    uint   default 1       1 ..= 64
 *   rack_latency   time   default 2us     0ns ..= 10s
 *   wan_bandwidth  rate   default 1Gbit/s 1kbit/s ..= 1000Tbit/s
 *   wan_latency    time   default 10ms    0ns ..= 10s
 * The table is static and lives for the program. */
const cfg_section *net_dc_section(void);
/* net's parameter tables, NULL-terminated, for `vdcsim params`. */
const cfg_section *const *net_sections(void);

/* ------------------------------------------------------------------------
 * Flows: a fluid model. A flow moves a number of bytes from one node to
 * another along the route of net_topo_path. At every instant each directed
 * link's capacity is shared max-min fairly among the flows crossing it,
 * each flow limited also by its own cap; rates are recomputed whenever a
 * flow starts, drains, is cancelled or has its cap changed.
 *
 * Rates are whole bit/s. The water-filling that computes them freezes the
 * flows of the link with the least exact fair share (remaining capacity /
 * unfrozen flows, compared as fractions; ties to the lower link index) at
 * the floor of that share, or freezes a capped flow at its cap when the cap
 * is no larger than the least share; it repeats until every flow is
 * frozen. Flooring leaves at most n-1 bit/s of a link with n flows unused,
 * and keeps equal flows exactly equal; a share below 1 bit/s is 0, and
 * those flows send nothing until the share grows (only where a link has
 * fewer bit/s left than flows: the tests' links of a few bit/s).
 *
 * Exactness: each flow keeps its remaining data in whole bits plus a
 * remainder below one bit, in bit·ns. Over dt ns at rate r it sends exactly
 * floor((r·dt + carry) / 10^9) bits and keeps the rest as the new carry, so
 * a flow's whole-bit total never depends on how often it was updated. Its
 * data has all left the source (it "drains") at the first ns at which the
 * bits sent reach its size: with R bits left, carry c and rate r that is
 * now + ceil((R·10^9 - c) / r). The drain frees its bandwidth at that
 * instant. Its on_done callback runs one path latency later. So a flow of
 * B bytes alone on a route of latency L and rate r completes at
 *     start + L + ceil(8·B·10^9 / r) ns,
 * and a flow of 0 bytes at start + L. Only flows whose rate changed have
 * their completion rescheduled. Flows of one component that drain in the
 * same ns leave together (one recomputation), so n equal flows on a link
 * finish in the same ns, and their on_done calls run in start order.
 * Flows of different components that drain in the same ns leave one at a
 * time, in the order their drain times were set, and flows given the same
 * drain time by one recomputation in the order in which a breadth-first
 * search from the changed flow's links (each link's flows in list order)
 * finds them. Drains reach the engine through one event of the net, kept
 * at the earliest drain time and moved only when that time changes: among
 * other models' events due in the same ns, a drain runs in the place of
 * the event scheduled when the earliest drain time last changed (and the
 * next drain in that ns, if any, after every event already due then).
 * The model draws no random numbers.
 *
 * A flow whose fair share rounds down to 0 bit/s (more flows on a link than
 * it has bit/s) makes no progress, and has no completion scheduled, until
 * its share rises.
 *
 * Cost of a recomputation. A link is slack when none of the flows crossing
 * it is uncapped and their caps add up to no more than its capacity, tight
 * otherwise; a slack link never holds a flow below its cap. A tight link
 * crossed by one flow limits it as a cap would; one crossed by several is
 * binding. Flows with the same binding links and the same cap (or the
 * capacity of a tight link they are alone on, if lower) always get the
 * same rate, and are water-filled as one group. Only the groups a change
 * can affect are recomputed: those of the flow that started or was
 * re-capped and of flows whose links changed mode, and those joined
 * through binding links to the links of the flow that changed (the links
 * that are binding, or were before the change). For G such groups of h
 * binding links, K of them capped, over L binding links it costs
 * O(G·h·log L + K·log K), plus O(h + log A) for each flow whose rate
 * changed (A: the flows sharing in the net), whose drain time is moved in
 * a heap; the net's one drain event is moved only if the earliest drain
 * time changes. A link changing mode costs O(h) for each flow crossing
 * it. So when links are slack (flows held by their caps) a change costs
 * O(h + log A) however many flows share them, and when many flows share
 * a few bottlenecks a change costs about the flows whose rate it changes.
 * Two rarer cases add a search of the whole component, O(its flows·h):
 * several of its flows draining in the same ns, and one recomputation
 * giving two flows the same drain time.
 * ------------------------------------------------------------------------ */

typedef struct net net;

/* A flow handle; 0 is "no flow". Handles of finished or cancelled flows
 * are stale, detected, and never confused with newer flows. */
typedef uint64_t net_flow_id;

/* A cap meaning "no cap". Any other cap must be >= 1 bit/s. */
#define NET_UNCAPPED UINT64_MAX
/* Largest flow: its size in bits must fit in 64 bits. */
#define NET_FLOW_MAX_BYTES (UINT64_MAX / 8)

/* Called when a flow completes (its last bit has arrived at dst), from
 * inside the engine's handler at that time. The flow can still be queried
 * during the call (state NET_FLOW_DONE); its handle is stale afterwards.
 * The callback may start, cancel and re-cap flows. */
typedef void (*net_flow_done_fn)(void *ctx, net *n, net_flow_id id);

typedef enum net_flow_state {
	NET_FLOW_SHARING = 1, /* data still leaving the source */
	NET_FLOW_DELIVERING,  /* drained; last bit in flight for the latency */
	NET_FLOW_DONE,        /* inside its own on_done call */
} net_flow_state;

typedef struct net_flow_info {
	net_flow_state state;
	uint32_t src, dst;        /* node ids */
	uint32_t hops;            /* directed links on its route */
	uint64_t bytes;           /* size */
	uint64_t cap_bps;         /* NET_UNCAPPED if none */
	uint64_t rate_bps;        /* current rate; 0 once drained */
	uint64_t sent_bits;       /* whole bits that have left the source */
	uint64_t remaining_bits;  /* 8·bytes - sent_bits */
	uint64_t latency_ns;      /* one-way latency of the route */
	uint64_t start_ns;
	/* When the flow drains (or drained), and when it completes, at the
	 * current rate (SIM_TIME_MAX if the rate is 0). Exact unless rates
	 * change before then. */
	uint64_t drain_ns, done_ns;
} net_flow_info;

/* Per directed link statistics at the current time. */
typedef struct net_link_stats {
	uint64_t capacity_bps;
	uint64_t load_bps;     /* sum of the rates of the flows crossing it */
	uint32_t flows;        /* flows crossing it (sharing, not drained) */
	/* Bits carried since time 0: the integral of load over time, in whole
	 * bits (floor; saturating). Once no flow is crossing the link it equals
	 * the sum of the bits its past flows sent across it; while flows are
	 * crossing, it may run ahead of their whole-bit totals by less than
	 * one bit per flow. Mean utilisation over [t0, t1] is
	 * (carried(t1) - carried(t0)) · 10^9 / (capacity_bps · (t1 - t0)). */
	uint64_t carried_bits;
} net_link_stats;

/* Adds a flow model to engine e over topology t and returns it. t is
 * borrowed and frozen (no nodes or links may be added to it any more); it
 * must outlive every use of the net. The net is engine state: it is freed
 * by sim_engine_destroy and must not be used after. Cost O(nodes + links). */
net *net_create(sim_engine *e, net_topo *t);
/* The engine and topology a net was created with. */
sim_engine *net_engine(const net *n);
net_topo *net_topology(const net *n);

/* Starts a flow of `bytes` bytes from node src to node dst at the current
 * time, limited to cap_bps (NET_UNCAPPED for none), and stores its handle
 * in *id. on_done (may be NULL) is called with ctx when it completes; ctx
 * is borrowed. Returns 0; SIM_EINPUT if src == dst, a node is unknown,
 * cap_bps is 0, bytes exceeds NET_FLOW_MAX_BYTES or id is NULL; SIM_ENOENT
 * if dst cannot be reached from src. Rates are recomputed before it
 * returns, so queries see the new flow's rate at once; on_done never runs
 * inside this call, even for 0 bytes on a route of latency 0.
 * Cost: the route (see net_topo_path) plus one recomputation (above). */
int net_flow_start(net *n, uint32_t src, uint32_t dst, uint64_t bytes,
		   uint64_t cap_bps, net_flow_done_fn on_done, void *ctx,
		   net_flow_id *id);
/* Changes a flow's cap (NET_UNCAPPED removes it) and recomputes rates
 * (one recomputation, unless the cap is unchanged). A drained flow only
 * records it. Returns 0, SIM_EINPUT for a cap of 0, or SIM_ENOENT for a
 * stale handle or a flow inside its own on_done. */
int net_flow_set_cap(net *n, net_flow_id id, uint64_t cap_bps);
/* Cancels a flow: it stops at once, its bandwidth goes to the others and
 * on_done is not called. Bits already sent stay counted on the links.
 * Returns 0, or SIM_ENOENT for a stale handle or a flow inside its own
 * on_done. Cost: one recomputation if the flow was still sharing. */
int net_flow_cancel(net *n, net_flow_id id);
/* True if id is a flow that has neither completed nor been cancelled (a
 * flow inside its own on_done is no longer active). */
bool net_flow_is_active(const net *n, net_flow_id id);
/* Fills *out with the flow's state at the current time. Returns 0, or
 * SIM_ENOENT for a stale handle. */
int net_flow_query(const net *n, net_flow_id id, net_flow_info *out);
/* The flow's current rate, 0 for a stale handle or a drained flow. */
uint64_t net_flow_rate_bps(const net *n, net_flow_id id);
/* Bytes still to leave the source, rounded up; 0 for a stale handle. */
uint64_t net_flow_remaining_bytes(const net *n, net_flow_id id);
/* Flows started and not yet completed or cancelled. */
size_t net_flow_count(const net *n);

/* Fills *out for directed link `link`. Returns 0 or SIM_EINPUT for an
 * unknown link. */
int net_link_query(const net *n, uint32_t link, net_link_stats *out);

/* Calls fn(ctx, n) after every recomputation of rates (once the new rates
 * and link loads are in place), for checks and monitoring. fn may only
 * query; starting, cancelling or re-capping flows from it panics. NULL
 * turns it off. */
void net_set_reshare_hook(net *n, void (*fn)(void *ctx, const net *n),
			  void *ctx);
/* Recomputations of rates so far, and flows whose rate was changed by them
 * (work counters for benchmarks). */
uint64_t net_reshare_count(const net *n);
uint64_t net_rate_change_count(const net *n);

#endif /* VDCSIM_NET_H */
