/* SPDX-License-Identifier: MIT */
/*
 * Tests of net_topo_path's two ways of finding a route: the closed form of
 * an untouched datacenter fabric against the breadth-first search that
 * defines the documented rule, pair by pair; and the bounds of the
 * search's per-pair route cache, on fabrics and on topologies of its own.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdlib.h>

#include "net.h"

/* Capacities and latencies all differ per tier, so a route with a wrong
 * link would show in its latency as well as in its links. */
static net_dc_params params(uint64_t d, uint64_t r, uint64_t h)
{
	return (net_dc_params){.datacenters = d, .racks = r,
			       .hosts_per_rack = h, .nic_bps = 1000,
			       .uplink_bps = 4000, .rack_latency_ns = 3,
			       .fabric_latency_ns = 17, .wan_bps = 700,
			       .wan_latency_ns = 101};
}

/* The same fabric with the closed form turned off: adding a node (linked
 * to nothing, so that no route changes) makes net_topo_path search. */
static net_topo *searched(const net_dc_params *p)
{
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(p, &t), 0));
	cr_assert(eq(int, net_topo_node_add(t, NET_NODE_SWITCH, "isolated",
					    NULL),
		     0));
	return t;
}

/* Every ordered pair of nodes (hosts, ToRs and cores, a node with itself
 * included) gets the same links and latency both ways. */
static void compare_all_pairs(const net_dc_params *p)
{
	net_topo *fast, *slow = searched(p);
	cr_assert(eq(int, net_topo_create_dc(p, &fast), 0));
	uint32_t nodes = (uint32_t)net_topo_node_count(fast);
	cr_assert(eq(sz, net_topo_node_count(slow), nodes + 1));
	for (uint32_t a = 0; a < nodes; a++)
		for (uint32_t b = 0; b < nodes; b++) {
			uint32_t x[8], y[8];
			size_t nx = 99, ny = 98;
			cr_assert(eq(int, net_topo_path(fast, a, b, x, 8, &nx),
				     0));
			cr_assert(eq(int, net_topo_path(slow, a, b, y, 8, &ny),
				     0));
			cr_assert(eq(sz, nx, ny), "%u -> %u", a, b);
			for (size_t i = 0; i < nx; i++)
				cr_assert(eq(u32, x[i], y[i]),
					  "%u -> %u hop %zu", a, b, i);
			uint64_t lx = 1, ly = 2;
			cr_assert(eq(int,
				     net_topo_path_latency(fast, a, b, &lx), 0));
			cr_assert(eq(int,
				     net_topo_path_latency(slow, a, b, &ly), 0));
			cr_assert(eq(u64, lx, ly), "%u -> %u", a, b);
			/* A short buffer gets the route's first links. */
			uint32_t z[2] = {NET_TOPO_MAX_LINKS, NET_TOPO_MAX_LINKS};
			size_t nz;
			cr_assert(eq(int, net_topo_path(fast, a, b, z, 1, &nz),
				     0));
			cr_assert(eq(sz, nz, nx));
			if (nx > 0)
				cr_assert(eq(u32, z[0], x[0]));
			cr_assert(eq(u32, z[1], NET_TOPO_MAX_LINKS));
		}
	cr_assert(eq(sz, net_topo_path_cache_bytes(fast), 0));
	net_topo_destroy(fast);
	net_topo_destroy(slow);
}

Test(net_route, dc_routes_equal_the_search_on_one_datacenter)
{
	for (uint64_t r = 1; r <= 4; r++)
		for (uint64_t h = 1; h <= 4; h++) {
			net_dc_params p = params(1, r, h);
			compare_all_pairs(&p);
		}
}

Test(net_route, dc_routes_equal_the_search_across_datacenters)
{
	for (uint64_t d = 2; d <= 4; d++)
		for (uint64_t r = 1; r <= 3; r++)
			for (uint64_t h = 1; h <= 3; h++) {
				net_dc_params p = params(d, r, h);
				compare_all_pairs(&p);
			}
}

/* A fabric to which a link was added (a shortcut between two racks'
 * ToRs) no longer follows the closed form: the shortcut is taken. */
Test(net_route, a_link_added_to_a_fabric_is_routed_over)
{
	net_dc_params p = params(1, 3, 2);
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	uint32_t a = net_dc_host(&p, 0, 0, 0), b = net_dc_host(&p, 0, 2, 1);
	size_t n;
	cr_assert(eq(int, net_topo_path(t, a, b, NULL, 0, &n), 0));
	cr_assert(eq(sz, n, 4));
	cr_assert(eq(int, net_topo_link_add(t, net_dc_tor(&p, 0, 0),
					    net_dc_tor(&p, 0, 2), 1, 0, NULL),
		     0));
	uint32_t l[4];
	cr_assert(eq(int, net_topo_path(t, a, b, l, 4, &n), 0));
	cr_assert(eq(sz, n, 3));
	cr_assert(eq(u32, net_topo_link(t, l[1])->from, net_dc_tor(&p, 0, 0)));
	cr_assert(eq(u32, net_topo_link(t, l[1])->to, net_dc_tor(&p, 0, 2)));
	net_topo_destroy(t);
}

/* 10,000 hosts, a route from every one of them: the fabric keeps no
 * route cache at all (the old per-source trees would hold 10,000 ·
 * 80 KiB), and the routes still have the documented shapes. */
Test(net_route, routes_from_ten_thousand_sources_cache_nothing_on_a_fabric)
{
	net_dc_params p = params(2, 125, 40);
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	uint32_t hosts = 2 * 125 * 40;
	for (uint32_t s = 0; s < hosts; s++) {
		uint32_t d = (s + 7 * 40 + 3) % hosts;
		uint32_t l[8];
		size_t n;
		cr_assert(eq(int, net_topo_path(t, s, d, l, 8, &n), 0));
		bool same_dc = s / (125 * 40) == d / (125 * 40);
		cr_assert(eq(sz, n, same_dc ? 4 : 5), "%u -> %u", s, d);
		cr_assert(eq(u32, net_topo_link(t, l[0])->from, s));
		cr_assert(eq(u32, net_topo_link(t, l[n - 1])->to, d));
	}
	cr_assert(eq(sz, net_topo_path_cache_bytes(t), 0));
	net_topo_destroy(t);
}

/* The cache's own bound, checked after every query. */
static void assert_bounded(const net_topo *t)
{
	cr_assert(le(sz, net_topo_path_cache_entries(t), NET_TOPO_PATH_PAIRS));
	cr_assert(le(sz, net_topo_path_cache_bytes(t),
		     NET_TOPO_PATH_CACHE_MAX_BYTES));
}

/* On a searched topology the cache holds at most NET_TOPO_PATH_PAIRS
 * routes of NET_TOPO_PATH_LINKS links in all, however many pairs are
 * asked, and evicting routes changes none: every ordered pair of a ring
 * (90,300 pairs, routes of up to 150 links, so the link bound binds) is
 * asked twice, in two orders, and each route checked against one worked
 * out by hand, where the shortest path is unique for an odd size. */
Test(net_route, the_pair_cache_is_bounded_by_links_and_eviction_changes_no_route)
{
	enum { N = 301 }; /* odd: unique shortest paths on a ring */
	net_topo *t = net_topo_create();
	for (uint32_t i = 0; i < N; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%u", i);
		cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, name,
						    NULL),
			     0));
	}
	/* Link k joins k and k+1: directed 2k goes k -> k+1. */
	for (uint32_t i = 0; i < N; i++)
		cr_assert(eq(int, net_topo_link_add(t, i, (i + 1) % N, 1, i + 1,
						    NULL),
			     0));
	size_t most = 0;
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t k = 0; k < N * N; k++) {
			uint32_t s = pass ? N - 1 - k % N : k / N;
			uint32_t d = pass ? (k / N * 37 + s) % N : k % N;
			uint32_t fwd = (d + N - s) % N; /* hops going up */
			size_t n;
			uint32_t l[N];
			cr_assert(eq(int, net_topo_path(t, s, d, l, N, &n), 0));
			bool up = fwd <= N / 2;
			cr_assert(eq(sz, n, up ? fwd : N - fwd));
			for (size_t h = 0; h < n; h++) {
				uint32_t at = up ? (s + h) % N
						 : (s + N - h) % N;
				/* Up: link `at`, even; down: link at-1, odd. */
				uint32_t want = up ? 2 * at
						   : 2 * ((at + N - 1) % N) + 1;
				cr_assert(eq(u32, l[h], want));
			}
			/* The latency is the sum of link numbers + 1. */
			uint64_t lat, want_lat = 0;
			cr_assert(eq(int, net_topo_path_latency(t, s, d, &lat),
				     0));
			for (size_t h = 0; h < n; h++)
				want_lat += l[h] / 2 + 1;
			cr_assert(eq(u64, lat, want_lat));
			assert_bounded(t);
			size_t e = net_topo_path_cache_entries(t);
			most = e > most ? e : most;
		}
	/* Routes average N/4 links: the link bound evicts long before the
	 * entry bound, and the cache did fill. */
	cr_assert(lt(sz, most, NET_TOPO_PATH_PAIRS));
	cr_assert(gt(sz, most, NET_TOPO_PATH_LINKS / (N / 2)));
	net_topo_destroy(t);
}

/* Short routes: every ordered pair of a searched fabric (12,321 pairs of
 * routes of at most 4 links) fills the cache to NET_TOPO_PATH_PAIRS routes
 * and no further, and every route, evicted or not, equals the closed
 * form's; a second pass in the reverse order asks evicted routes again. */
Test(net_route, the_pair_cache_is_bounded_by_entries_with_more_pairs_in_use)
{
	net_dc_params p = params(1, 10, 10);
	net_topo *fast, *slow = searched(&p);
	cr_assert(eq(int, net_topo_create_dc(&p, &fast), 0));
	uint32_t nodes = (uint32_t)net_topo_node_count(fast);
	cr_assert(gt(u32, nodes * nodes, 2 * NET_TOPO_PATH_PAIRS));
	cr_assert(eq(sz, net_topo_path_cache_entries(slow), 0));
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t k = 0; k < nodes * nodes; k++) {
			uint32_t i = pass ? nodes * nodes - 1 - k : k;
			uint32_t a = i / nodes, b = i % nodes;
			uint32_t x[8], y[8];
			size_t nx, ny;
			cr_assert(eq(int, net_topo_path(fast, a, b, x, 8, &nx),
				     0));
			cr_assert(eq(int, net_topo_path(slow, a, b, y, 8, &ny),
				     0));
			cr_assert(eq(sz, nx, ny), "%u -> %u", a, b);
			for (size_t h = 0; h < nx; h++)
				cr_assert(eq(u32, x[h], y[h]));
			assert_bounded(slow);
		}
	cr_assert(eq(sz, net_topo_path_cache_entries(slow),
		     NET_TOPO_PATH_PAIRS));
	cr_assert(eq(sz, net_topo_path_cache_entries(fast), 0));
	/* Adding a link empties the cache. */
	cr_assert(eq(int, net_topo_link_add(slow, 0, 1, 1, 0, NULL), 0));
	cr_assert(eq(sz, net_topo_path_cache_entries(slow), 0));
	cr_assert(eq(sz, net_topo_path_cache_bytes(slow), 0));
	net_topo_destroy(fast);
	net_topo_destroy(slow);
}

/* A route longer than the cache's link budget is served but not cached:
 * a line of NET_TOPO_PATH_LINKS + 2 nodes. */
Test(net_route, a_route_longer_than_the_link_bound_is_not_cached)
{
	uint32_t n = NET_TOPO_PATH_LINKS + 2;
	net_topo *t = net_topo_create();
	for (uint32_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%u", i);
		cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, name,
						    NULL),
			     0));
		if (i > 0)
			cr_assert(eq(int, net_topo_link_add(t, i - 1, i, 1, 1,
							    NULL),
				     0));
	}
	uint32_t *l = calloc(n, sizeof *l);
	size_t hops;
	cr_assert(eq(int, net_topo_path(t, 0, n - 1, l, n, &hops), 0));
	cr_assert(eq(sz, hops, n - 1));
	for (size_t h = 0; h < hops; h++)
		cr_assert(eq(u32, l[h], 2 * h));
	cr_assert(eq(sz, net_topo_path_cache_entries(t), 0));
	uint64_t lat;
	cr_assert(eq(int, net_topo_path_latency(t, n - 1, 0, &lat), 0));
	cr_assert(eq(u64, lat, n - 1));
	/* A short one next to it is cached. */
	cr_assert(eq(int, net_topo_path(t, 5, 9, l, n, &hops), 0));
	cr_assert(eq(sz, hops, 4));
	cr_assert(eq(sz, net_topo_path_cache_entries(t), 1));
	free(l);
	net_topo_destroy(t);
}
