/* SPDX-License-Identifier: MIT */
/*
 * The topology: named nodes, full-duplex links stored as pairs of directed
 * links, a hashed name index, and shortest routes: in closed form on an
 * untouched datacenter fabric (dc_topo.c), else by breadth-first search
 * with a bounded cache of the (source, destination) routes in use. Nothing here knows about
 * flows, except that a net freezes the topology it is built on.
 */
#include "net.h"
#include "net_internal.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

/* One cached route: the pair, its directed links (from the source) and
 * their latency sum; prev/next link the entries from the most to the least
 * recently used, hnext chains an entry in its hash bucket (or the free
 * list). Kept small: NET_TOPO_PATH_CACHE_MAX_BYTES counts it as
 * NET_TOPO_PATH_ENTRY_BYTES. */
typedef struct pair {
	uint32_t src, dst;
	uint32_t *links;
	uint64_t latency_ns;
	uint32_t nlinks;
	uint32_t prev, next, hnext;
} pair;
_Static_assert(sizeof(pair) <= NET_TOPO_PATH_ENTRY_BYTES,
	       "a cached route must fit the documented bound");

/* Hash buckets of the pair cache: twice the entries, a power of two. */
#define BUCKETS (2 * NET_TOPO_PATH_PAIRS)
_Static_assert((BUCKETS & (BUCKETS - 1)) == 0, "buckets: a power of two");

/* What a route query sees: the cached entry's links, or the search
 * scratch's for a route too long to cache. */
typedef struct route_view {
	const uint32_t *links;
	size_t nlinks;
	uint64_t latency_ns;
} route_view;

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

	/* The route cache: at most NET_TOPO_PATH_PAIRS (source, destination)
	 * routes holding at most NET_TOPO_PATH_LINKS links in all, the least
	 * recently used evicted first; which routes are cached never changes
	 * a route, only what it costs (a miss searches it again, and the
	 * search is deterministic). pairs == NULL until the first search. */
	pair *pairs;
	uint32_t *buckets;    /* BUCKETS heads of hash chains, NIL: empty */
	uint32_t npairs;      /* slots ever used (free ones included) */
	uint32_t pairs_cap;   /* slots allocated, doubling to the bound */
	uint32_t live;        /* routes cached */
	uint32_t free_pair;   /* free slots, chained through hnext */
	uint32_t mru, lru;    /* ends of the use list, NIL when empty */
	size_t held_links;    /* links held by cached routes */
	/* Search scratch, sized by the node count: the directed link by
	 * which the search reached each node, the search number that reached
	 * it (so nothing is cleared between searches), and the queue, reused
	 * for the route once the search is over. */
	uint32_t *via, *seen, *queue;
	uint32_t search;
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

/* Empties the route cache and drops the search scratch (sized by the node
 * count, which a change may alter). */
static void routes_clear(net_topo *t)
{
	if (t->pairs)
		for (uint32_t i = 0; i < t->npairs; i++)
			free(t->pairs[i].links);
	free(t->pairs);
	free(t->buckets);
	free(t->via);
	free(t->seen);
	free(t->queue);
	t->pairs = NULL;
	t->buckets = t->via = t->seen = t->queue = NULL;
	t->npairs = t->pairs_cap = t->live = 0;
	t->held_links = 0;
	t->search = 0;
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
	routes_clear(t);
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
	routes_clear(t);
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
	routes_clear(t);
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
	t->adj_stale = false;
}

static size_t pair_bucket(uint32_t src, uint32_t dst)
{
	uint32_t key[2] = {src, dst};
	return (size_t)sim_hash64(key, sizeof key) & (BUCKETS - 1);
}

/* Takes entry i out of the use list. */
static void use_unlink(net_topo *t, uint32_t i)
{
	pair *e = &t->pairs[i];
	if (e->prev != NIL)
		t->pairs[e->prev].next = e->next;
	else
		t->mru = e->next;
	if (e->next != NIL)
		t->pairs[e->next].prev = e->prev;
	else
		t->lru = e->prev;
}

/* Puts entry i at the most recently used end. */
static void use_push(net_topo *t, uint32_t i)
{
	pair *e = &t->pairs[i];
	e->prev = NIL;
	e->next = t->mru;
	if (t->mru != NIL)
		t->pairs[t->mru].prev = i;
	else
		t->lru = i;
	t->mru = i;
}

/* Evicts the least recently used route into the free list. */
static void evict_lru(net_topo *t)
{
	uint32_t i = t->lru;
	pair *e = &t->pairs[i];
	uint32_t *at = &t->buckets[pair_bucket(e->src, e->dst)];
	while (*at != i)
		at = &t->pairs[*at].hnext;
	*at = e->hnext;
	use_unlink(t, i);
	t->held_links -= e->nlinks;
	free(e->links);
	e->links = NULL;
	e->hnext = t->free_pair;
	t->free_pair = i;
	t->live--;
}

/* Breadth-first search from src, stopped when dst is reached: nodes are
 * taken in queue order and their outgoing links in increasing index, and
 * each node keeps the first link that reaches it. A full search would set
 * dst's link, and those of the nodes before it, at the same moments, so
 * stopping early gives the same route as the source's whole tree did.
 * Writes the route into t->queue and returns its length, or NIL if dst
 * cannot be reached. O(nodes + links), no memory after the first. */
static uint32_t search(net_topo *t, uint32_t src, uint32_t dst)
{
	if (t->adj_stale)
		adj_rebuild(t);
	if (!t->via) {
		t->via = sim_xmalloc(((size_t)t->nnodes + 1) * sizeof *t->via);
		t->seen = sim_xcalloc((size_t)t->nnodes + 1, sizeof *t->seen);
		t->queue = sim_xmalloc(((size_t)t->nnodes + 1) *
				       sizeof *t->queue);
	}
	if (++t->search == 0) {
		memset(t->seen, 0, ((size_t)t->nnodes + 1) * sizeof *t->seen);
		t->search = 1;
	}
	uint32_t mark = t->search;
	t->seen[src] = mark;
	uint32_t head = 0, tail = 0;
	t->queue[tail++] = src;
	bool found = false;
	while (head < tail && !found) {
		uint32_t u = t->queue[head++];
		for (uint32_t i = t->first[u]; i < t->first[u + 1]; i++) {
			uint32_t l = t->out[i], v = t->links[l].to;
			if (t->seen[v] == mark)
				continue;
			t->seen[v] = mark;
			t->via[v] = l;
			if (v == dst) {
				found = true;
				break;
			}
			t->queue[tail++] = v;
		}
	}
	if (!found)
		return NIL;
	uint32_t n = 0;
	for (uint32_t v = dst; v != src; v = t->links[t->via[v]].from)
		n++;
	uint32_t v = dst;
	for (uint32_t i = n; i-- > 0;) {
		t->queue[i] = t->via[v];
		v = t->links[t->via[v]].from;
	}
	return n;
}

/* The route from src to dst (src != dst, both nodes) on a searched
 * topology: cached, or searched and cached in place of the least recently
 * used routes while NET_TOPO_PATH_PAIRS routes or NET_TOPO_PATH_LINKS links
 * would be exceeded (a route longer than NET_TOPO_PATH_LINKS is not cached:
 * the view points at the scratch, valid until the next search). Returns 0
 * or SIM_ENOENT. O(1) expected on a hit; O(nodes + links) on a miss. */
static int route_of(net_topo *t, uint32_t src, uint32_t dst, route_view *r)
{
	if (!t->pairs) {
		t->pairs_cap = 16;
		t->pairs = sim_xmalloc(t->pairs_cap * sizeof *t->pairs);
		t->buckets = sim_xmalloc(BUCKETS * sizeof *t->buckets);
		for (uint32_t i = 0; i < BUCKETS; i++)
			t->buckets[i] = NIL;
		t->npairs = t->live = 0;
		t->free_pair = NIL;
		t->mru = t->lru = NIL;
		t->held_links = 0;
	}
	size_t b = pair_bucket(src, dst);
	for (uint32_t i = t->buckets[b]; i != NIL; i = t->pairs[i].hnext) {
		pair *e = &t->pairs[i];
		if (e->src != src || e->dst != dst)
			continue;
		if (t->mru != i) {
			use_unlink(t, i);
			use_push(t, i);
		}
		*r = (route_view){e->links, e->nlinks, e->latency_ns};
		return 0;
	}
	uint32_t n = search(t, src, dst);
	if (n == NIL)
		return SIM_ENOENT;
	uint64_t latency_ns = 0;
	for (uint32_t i = 0; i < n; i++)
		latency_ns = sim_time_add(latency_ns,
					  t->links[t->queue[i]].latency_ns);
	*r = (route_view){t->queue, n, latency_ns};
	if (n > NET_TOPO_PATH_LINKS)
		return 0;
	while (t->lru != NIL &&
	       ((t->free_pair == NIL && t->npairs == NET_TOPO_PATH_PAIRS) ||
		t->held_links + n > NET_TOPO_PATH_LINKS))
		evict_lru(t);
	uint32_t i;
	if (t->free_pair != NIL) {
		i = t->free_pair;
		t->free_pair = t->pairs[i].hnext;
	} else {
		if (t->npairs == t->pairs_cap) {
			t->pairs_cap *= 2;
			t->pairs = sim_xrealloc(t->pairs, t->pairs_cap,
						sizeof *t->pairs);
		}
		i = t->npairs++;
	}
	t->live++;
	pair *e = &t->pairs[i];
	e->src = src;
	e->dst = dst;
	e->nlinks = n;
	e->latency_ns = latency_ns;
	e->links = sim_xmalloc(n * sizeof *e->links);
	memcpy(e->links, t->queue, n * sizeof *e->links);
	e->hnext = t->buckets[b];
	t->buckets[b] = i;
	use_push(t, i);
	t->held_links += n;
	r->links = e->links;
	return 0;
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
	route_view r = {NULL, 0, 0};
	if (src != dst) {
		int rc = route_of(t, src, dst, &r);
		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; i < r.nlinks && i < cap; i++)
		links[i] = r.links[i];
	if (nlinks)
		*nlinks = r.nlinks;
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
	} else if (src != dst) {
		route_view r;
		int rc = route_of(t, src, dst, &r);
		if (rc != 0)
			return rc;
		sum = r.latency_ns;
	}
	if (latency_ns)
		*latency_ns = sum;
	return 0;
}

size_t net_topo_path_cache_entries(const net_topo *t)
{
	return t->live;
}

size_t net_topo_path_cache_bytes(const net_topo *t)
{
	if (!t->pairs)
		return 0;
	return (size_t)t->pairs_cap * sizeof *t->pairs +
	       BUCKETS * sizeof *t->buckets +
	       t->held_links * sizeof *t->pairs[0].links;
}

void topo_set_dc(net_topo *t, const net_dc_params *p)
{
	t->dc = *p;
	t->is_dc = true;
	routes_clear(t);
}
