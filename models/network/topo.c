/* SPDX-License-Identifier: MIT */
/*
 * The topology: named nodes, full-duplex links stored as pairs of directed
 * links, a hashed name index, and shortest routes: in closed form on an
 * untouched datacenter fabric (dc_topo.c), else by breadth-first search
 * with a bounded number of source trees cached. Nothing here knows about
 * flows, except that a net freezes the topology it is built on.
 */
#include "net.h"
#include "net_internal.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

/* One source's shortest-path tree: for each node, the directed link by
 * which the search reached it (NIL for the source and unreachable nodes)
 * and its distance in hops; `used` is the cache clock at its last use. */
typedef struct tree {
	uint32_t *via;
	uint32_t *hops;
	uint32_t src;
	uint64_t used;
} tree;

struct net_topo {
	char **names;
	uint8_t *kinds;
	uint32_t nnodes, nodes_cap;

	net_link_desc *links; /* directed */
	uint32_t nlinks, links_cap;

	/* Outgoing directed links of each node, in increasing index, as
	 * compressed rows rebuilt after links were added: out[first[v] ..
	 * first[v+1]). */
	uint32_t *first, *out;
	bool adj_stale;

	/* At most NET_TOPO_PATH_TREES source trees (via == NULL: a free
	 * slot), the least recently used evicted first; which trees are
	 * cached never changes a route, only what it costs. */
	tree trees[NET_TOPO_PATH_TREES];
	uint64_t clock;
	uint32_t *queue; /* search scratch */

	/* Set by net_topo_create_dc, cleared by any later node or link: the
	 * fabric's parameters, from which routes are computed without a
	 * search (dc_route). */
	net_dc_params dc;
	bool is_dc;

	uint32_t *index; /* name hash table, see index_insert */
	size_t index_cap;

	bool frozen;
};

net_topo *net_topo_create(void)
{
	net_topo *t = sim_xcalloc(1, sizeof *t);
	t->adj_stale = true;
	return t;
}

static void trees_clear(net_topo *t)
{
	for (uint32_t i = 0; i < NET_TOPO_PATH_TREES; i++) {
		free(t->trees[i].via);
		free(t->trees[i].hops);
		t->trees[i].via = t->trees[i].hops = NULL;
	}
}

void net_topo_destroy(net_topo *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nnodes; i++)
		free(t->names[i]);
	free(t->names);
	free(t->kinds);
	free(t->links);
	free(t->first);
	free(t->out);
	trees_clear(t);
	free(t->queue);
	free(t->index);
	free(t);
}

/* The name index is an open-addressing hash table of node ids (NIL when
 * empty) with linear probing, kept at most half full. It serves lookups
 * only; nothing iterates over it, so its order never reaches results. */
static size_t name_slot(const net_topo *t, const char *name)
{
	return (size_t)sim_hash64(name, strlen(name)) & (t->index_cap - 1);
}

static void index_insert(net_topo *t, uint32_t id)
{
	size_t i = name_slot(t, t->names[id]);
	while (t->index[i] != NIL)
		i = (i + 1) & (t->index_cap - 1);
	t->index[i] = id;
}

static void index_grow(net_topo *t)
{
	t->index_cap = t->index_cap ? 2 * t->index_cap : 64;
	t->index = sim_xrealloc(t->index, t->index_cap, sizeof *t->index);
	for (size_t i = 0; i < t->index_cap; i++)
		t->index[i] = NIL;
	for (uint32_t v = 0; v < t->nnodes; v++)
		index_insert(t, v);
}

long net_topo_node_find(const net_topo *t, const char *name)
{
	if (!name || t->index_cap == 0)
		return -1;
	for (size_t i = name_slot(t, name); t->index[i] != NIL;
	     i = (i + 1) & (t->index_cap - 1))
		if (strcmp(t->names[t->index[i]], name) == 0)
			return (long)t->index[i];
	return -1;
}

int net_topo_node_add(net_topo *t, net_node_kind kind, const char *name,
		      uint32_t *id)
{
	if (t->frozen || !name || !*name || t->nnodes >= NET_TOPO_MAX_NODES ||
	    (kind != NET_NODE_HOST && kind != NET_NODE_SWITCH))
		return SIM_EINPUT;
	if (net_topo_node_find(t, name) >= 0)
		return SIM_EEXIST;
	if (t->nnodes == t->nodes_cap) {
		t->nodes_cap = t->nodes_cap ? 2 * t->nodes_cap : 16;
		t->names = sim_xrealloc(t->names, t->nodes_cap,
					sizeof *t->names);
		t->kinds = sim_xrealloc(t->kinds, t->nodes_cap,
					sizeof *t->kinds);
	}
	t->names[t->nnodes] = sim_xstrdup(name);
	t->kinds[t->nnodes] = (uint8_t)kind;
	if (id)
		*id = t->nnodes;
	t->nnodes++;
	if (2 * (size_t)t->nnodes > t->index_cap)
		index_grow(t);
	else
		index_insert(t, t->nnodes - 1);
	/* Cached trees are sized by the node count. */
	trees_clear(t);
	t->adj_stale = true;
	t->is_dc = false;
	return 0;
}

int net_topo_link_add_asym(net_topo *t, uint32_t a, uint32_t b,
			   uint64_t ab_bps, uint64_t ba_bps,
			   uint64_t ab_latency_ns, uint64_t ba_latency_ns,
			   uint32_t *link)
{
	if (t->frozen || a >= t->nnodes || b >= t->nnodes || a == b ||
	    ab_bps == 0 || ab_bps > NET_LINK_MAX_BPS || ba_bps == 0 ||
	    ba_bps > NET_LINK_MAX_BPS || t->nlinks + 2 > NET_TOPO_MAX_LINKS)
		return SIM_EINPUT;
	if (t->nlinks + 2 > t->links_cap) {
		t->links_cap = t->links_cap ? 2 * t->links_cap : 32;
		t->links = sim_xrealloc(t->links, t->links_cap,
					sizeof *t->links);
	}
	t->links[t->nlinks] = (net_link_desc){a, b, ab_bps, ab_latency_ns};
	t->links[t->nlinks + 1] = (net_link_desc){b, a, ba_bps, ba_latency_ns};
	if (link)
		*link = t->nlinks / 2;
	t->nlinks += 2;
	t->adj_stale = true;
	t->is_dc = false;
	trees_clear(t);
	return 0;
}

int net_topo_link_add(net_topo *t, uint32_t a, uint32_t b, uint64_t bps,
		      uint64_t latency_ns, uint32_t *link)
{
	return net_topo_link_add_asym(t, a, b, bps, bps, latency_ns,
				      latency_ns, link);
}

size_t net_topo_node_count(const net_topo *t)
{
	return t->nnodes;
}

size_t net_topo_link_count(const net_topo *t)
{
	return t->nlinks;
}

const char *net_topo_node_name(const net_topo *t, uint32_t id)
{
	return id < t->nnodes ? t->names[id] : NULL;
}

net_node_kind net_topo_node_kind(const net_topo *t, uint32_t id)
{
	return id < t->nnodes ? (net_node_kind)t->kinds[id] : NET_NODE_HOST;
}

const net_link_desc *net_topo_link(const net_topo *t, uint32_t link)
{
	return link < t->nlinks ? &t->links[link] : NULL;
}

void topo_freeze(net_topo *t)
{
	t->frozen = true;
}

/* Counting sort of the directed links by source node: links are visited in
 * increasing index, so each node's row comes out in increasing index too,
 * which is what makes the search's choice among equal paths the
 * documented one. */
static void adj_rebuild(net_topo *t)
{
	t->first = sim_xrealloc(t->first, (size_t)t->nnodes + 1,
				sizeof *t->first);
	t->out = sim_xrealloc(t->out, (size_t)t->nlinks + 1, sizeof *t->out);
	memset(t->first, 0, ((size_t)t->nnodes + 1) * sizeof *t->first);
	for (uint32_t l = 0; l < t->nlinks; l++)
		t->first[t->links[l].from + 1]++;
	for (uint32_t v = 0; v < t->nnodes; v++)
		t->first[v + 1] += t->first[v];
	uint32_t *fill = sim_xmalloc(((size_t)t->nnodes + 1) * sizeof *fill);
	memcpy(fill, t->first, ((size_t)t->nnodes + 1) * sizeof *fill);
	for (uint32_t l = 0; l < t->nlinks; l++)
		t->out[fill[t->links[l].from]++] = l;
	free(fill);
	t->queue = sim_xrealloc(t->queue, (size_t)t->nnodes + 1,
				sizeof *t->queue);
	t->adj_stale = false;
}

/* src's tree: cached, or searched into the free or least recently used
 * slot. O(NET_TOPO_PATH_TREES) to look up, O(nodes + links) to search. */
static const tree *tree_of(net_topo *t, uint32_t src)
{
	if (t->adj_stale)
		adj_rebuild(t);
	tree *tr = NULL;
	for (uint32_t i = 0; i < NET_TOPO_PATH_TREES; i++) {
		tree *c = &t->trees[i];
		if (c->via && c->src == src) {
			c->used = ++t->clock;
			return c;
		}
		if (!tr || (tr->via && (!c->via || c->used < tr->used)))
			tr = c;
	}
	if (!tr->via) {
		tr->via = sim_xmalloc((size_t)t->nnodes * sizeof *tr->via);
		tr->hops = sim_xmalloc((size_t)t->nnodes * sizeof *tr->hops);
	}
	tr->src = src;
	tr->used = ++t->clock;
	for (uint32_t v = 0; v < t->nnodes; v++) {
		tr->via[v] = NIL;
		tr->hops[v] = NIL;
	}
	tr->hops[src] = 0;
	uint32_t head = 0, tail = 0;
	t->queue[tail++] = src;
	while (head < tail) {
		uint32_t u = t->queue[head++];
		for (uint32_t i = t->first[u]; i < t->first[u + 1]; i++) {
			uint32_t l = t->out[i], v = t->links[l].to;
			if (tr->hops[v] != NIL)
				continue;
			tr->hops[v] = tr->hops[u] + 1;
			tr->via[v] = l;
			t->queue[tail++] = v;
		}
	}
	return tr;
}

/* The route of an untouched datacenter fabric into links (which holds
 * NET_DC_MAX_HOPS); returns its length. */
static size_t route_dc(const net_topo *t, uint32_t src, uint32_t dst,
		       uint32_t *links)
{
	return dc_route(&t->dc, src, dst, links);
}

int net_topo_path(net_topo *t, uint32_t src, uint32_t dst, uint32_t *links,
		  size_t cap, size_t *nlinks)
{
	if (src >= t->nnodes || dst >= t->nnodes)
		return SIM_EINPUT;
	if (t->is_dc) {
		uint32_t r[NET_DC_MAX_HOPS];
		size_t n = route_dc(t, src, dst, r);
		for (size_t i = 0; i < n && i < cap; i++)
			links[i] = r[i];
		if (nlinks)
			*nlinks = n;
		return 0;
	}
	const tree *tr = tree_of(t, src);
	if (tr->hops[dst] == NIL)
		return SIM_ENOENT;
	size_t n = tr->hops[dst];
	if (nlinks)
		*nlinks = n;
	/* Walk back from the destination, writing each link at its place
	 * counted from the source. */
	uint32_t v = dst;
	for (size_t i = n; i-- > 0;) {
		uint32_t l = tr->via[v];
		if (i < cap)
			links[i] = l;
		v = t->links[l].from;
	}
	return 0;
}

int net_topo_path_latency(net_topo *t, uint32_t src, uint32_t dst,
			  uint64_t *latency_ns)
{
	if (src >= t->nnodes || dst >= t->nnodes)
		return SIM_EINPUT;
	uint64_t sum = 0;
	if (t->is_dc) {
		uint32_t r[NET_DC_MAX_HOPS];
		size_t n = route_dc(t, src, dst, r);
		for (size_t i = 0; i < n; i++)
			sum = sim_time_add(sum, t->links[r[i]].latency_ns);
	} else {
		const tree *tr = tree_of(t, src);
		if (tr->hops[dst] == NIL)
			return SIM_ENOENT;
		for (uint32_t v = dst; v != src;) {
			const net_link_desc *l = &t->links[tr->via[v]];
			sum = sim_time_add(sum, l->latency_ns);
			v = l->from;
		}
	}
	if (latency_ns)
		*latency_ns = sum;
	return 0;
}

size_t net_topo_path_cache_bytes(const net_topo *t)
{
	size_t bytes = 0;
	for (uint32_t i = 0; i < NET_TOPO_PATH_TREES; i++)
		if (t->trees[i].via)
			bytes += (size_t)t->nnodes *
				 (sizeof *t->trees[i].via +
				  sizeof *t->trees[i].hops);
	return bytes;
}

void topo_set_dc(net_topo *t, const net_dc_params *p)
{
	t->dc = *p;
	t->is_dc = true;
	trees_clear(t);
}
