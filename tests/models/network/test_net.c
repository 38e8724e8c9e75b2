/* SPDX-License-Identifier: MIT */
/*
 * Tests of models/network/: topologies and routes (generic and datacenter),
 * the parameter table, and the fluid flow model: exact completion times
 * worked out by hand, max-min rates on textbook cases, caps, cancels,
 * carried-bit integrals, what a change recomputes (slack and tight links,
 * rates and events left alone, the order of simultaneous drains),
 * determinism, and randomized runs checked after every recomputation.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

#define MBPS(x) ((uint64_t)(x) * UINT64_C(1000000))
#define GBPS(x) ((uint64_t)(x) * UINT64_C(1000000000))

/* ---- helpers ------------------------------------------------------------ */

/* Adds nodes "n0".."n<k-1>" (hosts) to t. */
static void add_nodes(net_topo *t, uint32_t k)
{
	for (uint32_t i = 0; i < k; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%u", i);
		uint32_t id;
		cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, name, &id),
			     0));
		cr_assert(eq(u32, id, i));
	}
}

/* A line n0 - n1 - ... - n<k>: full-duplex link i joins n<i> and n<i+1>
 * with bps[i] and lat[i] both ways, so directed link 2i is n<i> -> n<i+1>. */
static net_topo *line(uint32_t k, const uint64_t *bps, const uint64_t *lat)
{
	net_topo *t = net_topo_create();
	add_nodes(t, k + 1);
	for (uint32_t i = 0; i < k; i++)
		cr_assert(eq(int,
			     net_topo_link_add(t, i, i + 1, bps[i],
					       lat ? lat[i] : 0, NULL),
			     0));
	return t;
}

/* What a flow's on_done saw. */
typedef struct done_rec {
	uint64_t at_ns;
	int calls;
	net_flow_info info; /* queried inside the callback */
} done_rec;

static void record_done(void *ctx, net *n, net_flow_id id)
{
	done_rec *r = ctx;
	r->at_ns = sim_now(net_engine(n));
	r->calls++;
	cr_assert(eq(int, net_flow_query(n, id, &r->info), 0));
	cr_assert(eq(int, r->info.state, NET_FLOW_DONE));
	cr_assert(not(net_flow_is_active(n, id)));
}

static net_flow_id start(net *n, uint32_t src, uint32_t dst, uint64_t bytes,
			 uint64_t cap, done_rec *r)
{
	net_flow_id id = 0;
	cr_assert(eq(int,
		     net_flow_start(n, src, dst, bytes, cap,
				    r ? record_done : NULL, r, &id),
		     0));
	cr_assert(ne(u64, id, 0));
	return id;
}

static net_link_stats stats_of(const net *n, uint32_t link)
{
	net_link_stats s;
	cr_assert(eq(int, net_link_query(n, link, &s), 0));
	return s;
}

/* ceil(a / b) */
static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* ---- topology ----------------------------------------------------------- */

Test(net_topo, a_full_duplex_link_is_two_directed_links_with_their_own_capacity)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 3);
	uint32_t k;
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, MBPS(10), 5, &k), 0));
	cr_assert(eq(u32, k, 0));
	cr_assert(eq(int,
		     net_topo_link_add_asym(t, 2, 1, MBPS(100), MBPS(20), 7, 9,
					    &k),
		     0));
	cr_assert(eq(u32, k, 1));
	cr_assert(eq(sz, net_topo_node_count(t), 3));
	cr_assert(eq(sz, net_topo_link_count(t), 4));
	const net_link_desc *l = net_topo_link(t, 2);
	cr_assert(eq(u32, l->from, 2));
	cr_assert(eq(u32, l->to, 1));
	cr_assert(eq(u64, l->capacity_bps, MBPS(100)));
	cr_assert(eq(u64, l->latency_ns, 7));
	l = net_topo_link(t, 3);
	cr_assert(eq(u32, l->from, 1));
	cr_assert(eq(u32, l->to, 2));
	cr_assert(eq(u64, l->capacity_bps, MBPS(20)));
	cr_assert(eq(u64, l->latency_ns, 9));
	cr_assert(eq(ptr, (void *)net_topo_link(t, 4), NULL));
	net_topo_destroy(t);
	net_topo_destroy(NULL);
}

Test(net_topo, node_names_are_unique_and_found_by_name)
{
	net_topo *t = net_topo_create();
	uint32_t id;
	cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, "a", &id), 0));
	cr_assert(eq(int, net_topo_node_add(t, NET_NODE_SWITCH, "sw", &id), 0));
	cr_assert(eq(u32, id, 1));
	cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, "a", &id),
		     SIM_EEXIST));
	cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, "", &id),
		     SIM_EINPUT));
	/* Enough nodes to make the name index grow several times. */
	for (int i = 0; i < 500; i++) {
		char name[16];
		snprintf(name, sizeof name, "h%d", i);
		cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, name,
						    NULL),
			     0));
	}
	cr_assert(eq(long, net_topo_node_find(t, "sw"), 1));
	cr_assert(eq(long, net_topo_node_find(t, "h499"), 501));
	cr_assert(eq(long, net_topo_node_find(t, "h500"), -1));
	cr_assert(eq(str, (char *)net_topo_node_name(t, 1), (char *)"sw"));
	cr_assert(eq(int, net_topo_node_kind(t, 1), NET_NODE_SWITCH));
	cr_assert(eq(ptr, (void *)net_topo_node_name(t, 9999), NULL));
	net_topo_destroy(t);
}

Test(net_topo, bad_links_are_refused)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 2);
	cr_assert(eq(int, net_topo_link_add(t, 0, 0, 1, 0, NULL), SIM_EINPUT));
	cr_assert(eq(int, net_topo_link_add(t, 0, 2, 1, 0, NULL), SIM_EINPUT));
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, 0, 0, NULL), SIM_EINPUT));
	cr_assert(eq(int,
		     net_topo_link_add(t, 0, 1, NET_LINK_MAX_BPS + 1, 0, NULL),
		     SIM_EINPUT));
	cr_assert(eq(int, net_topo_link_add_asym(t, 0, 1, 1, 0, 0, 0, NULL),
		     SIM_EINPUT));
	cr_assert(eq(sz, net_topo_link_count(t), 0));
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, NET_LINK_MAX_BPS, 0, NULL),
		     0));
	net_topo_destroy(t);
}

/*
 * A diamond with a detour, and parallel links:
 *   link 0: n0-n1   link 1: n1-n3   link 2: n0-n2   link 3: n2-n3
 *   link 4: n0-n4   link 5: n4-n5   link 6: n5-n3   (3 hops: never taken)
 *   link 7: n0-n1 again (parallel to link 0)
 * Two 2-hop routes n0->n3: via n1 (directed 0, 2) and via n2 (4, 6); the
 * first is less at the first link, so it wins. Back from n3 they are
 * (3, 1) and (7, 5): (3, 1) wins. Of the parallel links n0->n1 the lower
 * index (directed 0) is used, and n1->n0 takes directed 1, not 15.
 */
Test(net_topo, routes_take_fewest_hops_then_lowest_link_index)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 6);
	const uint32_t ends[][2] = {{0, 1}, {1, 3}, {0, 2}, {2, 3},
				    {0, 4}, {4, 5}, {5, 3}, {0, 1}};
	for (size_t i = 0; i < 8; i++)
		cr_assert(eq(int,
			     net_topo_link_add(t, ends[i][0], ends[i][1],
					       MBPS(1), 10 * (i + 1), NULL),
			     0));
	uint32_t p[8];
	size_t n;
	cr_assert(eq(int, net_topo_path(t, 0, 3, p, 8, &n), 0));
	cr_assert(eq(sz, n, 2));
	cr_assert(eq(u32, p[0], 0));
	cr_assert(eq(u32, p[1], 2));
	cr_assert(eq(int, net_topo_path(t, 3, 0, p, 8, &n), 0));
	cr_assert(eq(sz, n, 2));
	cr_assert(eq(u32, p[0], 3));
	cr_assert(eq(u32, p[1], 1));
	cr_assert(eq(int, net_topo_path(t, 1, 0, p, 8, &n), 0));
	cr_assert(eq(sz, n, 1));
	cr_assert(eq(u32, p[0], 1));
	/* Latency of n0 -> n3: links 0 and 1, 10 + 20 ns. */
	uint64_t lat;
	cr_assert(eq(int, net_topo_path_latency(t, 0, 3, &lat), 0));
	cr_assert(eq(u64, lat, 30));
	/* A short buffer gets the first links and the full length. */
	cr_assert(eq(int, net_topo_path(t, 0, 5, p, 1, &n), 0));
	cr_assert(eq(sz, n, 2));
	cr_assert(eq(u32, p[0], 8));
	net_topo_destroy(t);
}

Test(net_topo, unreachable_nodes_and_unknown_nodes_are_reported)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 3);
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, 1, 0, NULL), 0));
	size_t n = 99;
	uint64_t lat;
	cr_assert(eq(int, net_topo_path(t, 0, 2, NULL, 0, &n), SIM_ENOENT));
	cr_assert(eq(int, net_topo_path_latency(t, 2, 0, &lat), SIM_ENOENT));
	cr_assert(eq(int, net_topo_path(t, 0, 3, NULL, 0, &n), SIM_EINPUT));
	cr_assert(eq(int, net_topo_path(t, 1, 1, NULL, 0, &n), 0));
	cr_assert(eq(sz, n, 0));
	cr_assert(eq(int, net_topo_path_latency(t, 1, 1, &lat), 0));
	cr_assert(eq(u64, lat, 0));
	/* A link added later is seen: the cache was emptied. */
	cr_assert(eq(int, net_topo_link_add(t, 1, 2, 1, 4, NULL), 0));
	cr_assert(eq(int, net_topo_path(t, 0, 2, NULL, 0, &n), 0));
	cr_assert(eq(sz, n, 2));
	net_topo_destroy(t);
}

Test(net_topo, a_topology_in_use_by_a_net_is_frozen)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 2);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	cr_assert(eq(ptr, net_topology(n), t));
	cr_assert(eq(ptr, net_engine(n), e));
	cr_assert(eq(int, net_topo_node_add(t, NET_NODE_HOST, "x", NULL),
		     SIM_EINPUT));
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, 1, 0, NULL), SIM_EINPUT));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* ---- datacenter topologies ---------------------------------------------- */

static net_dc_params dc_params(uint64_t dcs, uint64_t racks, uint64_t hosts)
{
	return (net_dc_params){
		.datacenters = dcs,
		.racks = racks,
		.hosts_per_rack = hosts,
		.nic_bps = GBPS(1),
		.uplink_bps = GBPS(10),
		.rack_latency_ns = 3001,   /* odd: split 1501 up, 1500 down */
		.fabric_latency_ns = 5003, /* odd: split 2502 up, 2501 down */
		.wan_bps = MBPS(500),
		.wan_latency_ns = 10000007,
	};
}

/* The nodes a route visits, by name, joined with spaces. */
static char *route_names(net_topo *t, uint32_t src, uint32_t dst)
{
	uint32_t p[16];
	size_t n;
	cr_assert(eq(int, net_topo_path(t, src, dst, p, 16, &n), 0));
	cr_assert(le(sz, n, 16));
	static char buf[512];
	snprintf(buf, sizeof buf, "%s", net_topo_node_name(t, src));
	for (size_t i = 0; i < n; i++) {
		const net_link_desc *l = net_topo_link(t, p[i]);
		uint32_t from = i == 0 ? src : net_topo_link(t, p[i - 1])->to;
		cr_assert(eq(u32, l->from, from));
		strncat(buf, " ", sizeof buf - strlen(buf) - 1);
		strncat(buf, net_topo_node_name(t, l->to),
			sizeof buf - strlen(buf) - 1);
	}
	return buf;
}

Test(net_dc, one_datacenter_names_hosts_rack_slash_host_in_rack_major_order)
{
	net_dc_params p = dc_params(1, 3, 4);
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	cr_assert(eq(sz, net_topo_node_count(t), 12 + 3 + 1));
	cr_assert(eq(sz, net_topo_link_count(t), 2 * (12 + 3)));
	cr_assert(eq(str, (char *)net_topo_node_name(t, 3),
		     (char *)"rack0/host3"));
	cr_assert(eq(str, (char *)net_topo_node_name(t, 6),
		     (char *)"rack1/host2"));
	cr_assert(eq(u32, net_dc_host(&p, 0, 1, 2), 6));
	cr_assert(eq(long, net_topo_node_find(t, "rack2/host3"), 11));
	cr_assert(eq(str, (char *)net_topo_node_name(t, net_dc_tor(&p, 0, 1)),
		     (char *)"rack1/tor"));
	cr_assert(eq(str, (char *)net_topo_node_name(t, net_dc_core(&p, 0)),
		     (char *)"core"));
	cr_assert(eq(int, net_topo_node_kind(t, net_dc_core(&p, 0)),
		     NET_NODE_SWITCH));
	cr_assert(eq(int, net_topo_node_kind(t, 5), NET_NODE_HOST));
	/* Directed link 2k is host k's uplink, at the NIC's rate. */
	const net_link_desc *l = net_topo_link(t, 2 * 6);
	cr_assert(eq(u32, l->from, 6));
	cr_assert(eq(u32, l->to, net_dc_tor(&p, 0, 1)));
	cr_assert(eq(u64, l->capacity_bps, GBPS(1)));
	cr_assert(eq(u64, l->latency_ns, 1501));
	cr_assert(eq(u64, net_topo_link(t, 2 * 6 + 1)->latency_ns, 1500));
	/* Then the ToR uplinks. */
	l = net_topo_link(t, 2 * (12 + 2));
	cr_assert(eq(u32, l->from, net_dc_tor(&p, 0, 2)));
	cr_assert(eq(u32, l->to, net_dc_core(&p, 0)));
	cr_assert(eq(u64, l->capacity_bps, GBPS(10)));
	net_topo_destroy(t);
}

Test(net_dc, a_route_within_a_rack_goes_host_tor_host)
{
	net_dc_params p = dc_params(1, 2, 3);
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	uint32_t a = net_dc_host(&p, 0, 1, 0), b = net_dc_host(&p, 0, 1, 2);
	cr_assert(eq(str, route_names(t, a, b),
		     (char *)"rack1/host0 rack1/tor rack1/host2"));
	uint64_t lat;
	cr_assert(eq(int, net_topo_path_latency(t, a, b, &lat), 0));
	cr_assert(eq(u64, lat, 3001));
	cr_assert(eq(int, net_topo_path_latency(t, b, a, &lat), 0));
	cr_assert(eq(u64, lat, 3001));
	net_topo_destroy(t);
}

Test(net_dc, a_route_between_racks_goes_through_the_core)
{
	net_dc_params p = dc_params(1, 3, 2);
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	uint32_t a = net_dc_host(&p, 0, 0, 1), b = net_dc_host(&p, 0, 2, 0);
	cr_assert(eq(str, route_names(t, a, b),
		     (char *)"rack0/host1 rack0/tor core rack2/tor rack2/host0"));
	uint64_t lat;
	cr_assert(eq(int, net_topo_path_latency(t, a, b, &lat), 0));
	cr_assert(eq(u64, lat, 3001 + 5003));
	cr_assert(eq(int, net_topo_path_latency(t, b, a, &lat), 0));
	cr_assert(eq(u64, lat, 3001 + 5003));
	net_topo_destroy(t);
}

Test(net_dc, a_route_between_datacenters_crosses_one_wan_link)
{
	net_dc_params p = dc_params(3, 2, 4);
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	cr_assert(eq(sz, net_topo_node_count(t), 24 + 6 + 3));
	cr_assert(eq(sz, net_topo_link_count(t), 2 * (24 + 6 + 3)));
	uint32_t a = net_dc_host(&p, 1, 0, 3), b = net_dc_host(&p, 2, 1, 0);
	cr_assert(eq(str, (char *)net_topo_node_name(t, a),
		     (char *)"dc1/rack0/host3"));
	cr_assert(eq(long, net_topo_node_find(t, "dc2/rack1/host0"), (long)b));
	cr_assert(eq(str, route_names(t, a, b),
		     (char *)"dc1/rack0/host3 dc1/rack0/tor dc1/core dc2/core "
			     "dc2/rack1/tor dc2/rack1/host0"));
	uint64_t lat;
	cr_assert(eq(int, net_topo_path_latency(t, a, b, &lat), 0));
	cr_assert(eq(u64, lat, 3001 + 5003 + 10000007));
	cr_assert(eq(int, net_topo_path_latency(t, b, a, &lat), 0));
	cr_assert(eq(u64, lat, 3001 + 5003 + 10000007));
	/* The WAN link dc1-dc2 is the last of the mesh (0-1, 0-2, 1-2). */
	uint32_t r[8];
	size_t n;
	cr_assert(eq(int, net_topo_path(t, a, b, r, 8, &n), 0));
	const net_link_desc *wan = net_topo_link(t, r[2]);
	cr_assert(eq(u32, r[2], 2 * (24 + 6 + 2)));
	cr_assert(eq(u64, wan->capacity_bps, MBPS(500)));
	net_topo_destroy(t);
}

Test(net_dc, invalid_parameters_are_refused)
{
	net_topo *t = (net_topo *)1;
	net_dc_params p = dc_params(1, 0, 4);
	cr_assert(eq(int, net_topo_create_dc(&p, &t), SIM_EINPUT));
	cr_assert(eq(ptr, t, NULL));
	p = dc_params(2, 2, 2);
	p.wan_bps = 0;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), SIM_EINPUT));
	p = dc_params(1, 2, 2);
	p.wan_bps = 0; /* unused with one datacenter */
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	net_topo_destroy(t);
	p = dc_params(1, UINT64_C(1) << 40, UINT64_C(1) << 40);
	cr_assert(eq(int, net_topo_create_dc(&p, &t), SIM_EINPUT));
	p = dc_params(NET_DC_MAX_DATACENTERS + 1, 1, 1);
	cr_assert(eq(int, net_topo_create_dc(&p, &t), SIM_EINPUT));
	p = dc_params(1, 1, 1);
	p.nic_bps = NET_LINK_MAX_BPS + 1;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), SIM_EINPUT));
}

Test(net_dc, the_parameter_table_loads_its_documented_defaults_and_overrides)
{
	const cfg_section *s = net_dc_section();
	cfg_section_check(s);
	cr_assert(eq(ptr, (void *)net_sections()[0], (void *)s));
	cr_assert(eq(ptr, (void *)net_sections()[1], NULL));
	cr_assert(eq(str, (char *)s->path, (char *)"datacenter.network"));
	net_dc_params p = {.racks = 7};
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_section_load(s, NULL, NULL, &p, &d), 0));
	cr_assert(eq(u64, p.datacenters, 1));
	cr_assert(eq(u64, p.rack_latency_ns, 2000));
	cr_assert(eq(u64, p.wan_bps, GBPS(1)));
	cr_assert(eq(u64, p.wan_latency_ns, 10000000));
	cr_assert(eq(u64, p.racks, 7)); /* not the table's */

	const char *yaml = "datacenters: 2\nwan_bandwidth: 155Mbit/s\n"
			   "wan_latency: 35ms\nrack_latency: 1500ns\n";
	cfg_doc *doc;
	cr_assert(eq(int, cfg_doc_parse("n.yaml", yaml, strlen(yaml), &doc, &d),
		     0));
	cr_assert(eq(int, cfg_section_load(s, cfg_doc_root(doc), NULL, &p, &d),
		     0));
	cr_assert(eq(u64, p.datacenters, 2));
	cr_assert(eq(u64, p.wan_bps, MBPS(155)));
	cr_assert(eq(u64, p.wan_latency_ns, 35000000));
	cr_assert(eq(u64, p.rack_latency_ns, 1500));
	cfg_doc_destroy(doc);

	yaml = "datacenters: 0\nwan_bandwith: 1Gbit/s\n";
	cr_assert(eq(int, cfg_doc_parse("n.yaml", yaml, strlen(yaml), &doc, &d),
		     0));
	cr_assert(eq(int, cfg_section_load(s, cfg_doc_root(doc), NULL, &p, &d),
		     SIM_EINPUT));
	cr_assert(eq(u32, d.errors, 2));
	cr_assert(not(eq(ptr, strstr(d.text, "did you mean 'wan_bandwidth'"),
			 NULL)));
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

/* ---- single flows ------------------------------------------------------- */

/*
 * n0 -(1 Gbit/s, 5 us)- n1 -(300 Mbit/s, 7 us)- n2. A flow of 1,000,001
 * bytes from n0 to n2 runs at the bottleneck's 300 Mbit/s and its last bit
 * leaves at ceil(8,000,008·10^9 / 3·10^8) = 26,666,694 ns (26,666,693.3
 * rounded up); it completes 12 us later.
 */
Test(net_flow, a_lone_flow_completes_after_latency_plus_exact_transfer_time)
{
	const uint64_t bps[] = {GBPS(1), MBPS(300)}, lat[] = {5000, 7000};
	net_topo *t = line(2, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r = {0};
	net_flow_id id = start(n, 0, 2, 1000001, NET_UNCAPPED, &r);
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, id, &info), 0));
	cr_assert(eq(int, info.state, NET_FLOW_SHARING));
	cr_assert(eq(u64, info.rate_bps, MBPS(300)));
	cr_assert(eq(u64, info.latency_ns, 12000));
	cr_assert(eq(u32, info.hops, 2));
	cr_assert(eq(u64, info.drain_ns, 26666694));
	cr_assert(eq(u64, info.done_ns, 26666694 + 12000));
	cr_assert(eq(u64, div_up(8000008 * UINT64_C(1000000000), MBPS(300)),
		     26666694));
	cr_assert(eq(sz, net_flow_count(n), 1));
	sim_run(e);
	cr_assert(eq(int, r.calls, 1));
	cr_assert(eq(u64, r.at_ns, 26666694 + 12000));
	cr_assert(eq(u64, r.info.sent_bits, 8000008));
	cr_assert(eq(u64, r.info.remaining_bits, 0));
	cr_assert(eq(sz, net_flow_count(n), 0));
	cr_assert(not(net_flow_is_active(n, id)));
	cr_assert(eq(int, net_flow_query(n, id, &info), SIM_ENOENT));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

Test(net_flow, a_zero_byte_flow_completes_after_the_latency)
{
	const uint64_t bps[] = {GBPS(1), MBPS(300)}, lat[] = {5000, 7000};
	net_topo *t = line(2, bps, lat);
	sim_engine *e = sim_engine_create();
	sim_run_until(e, 100);
	net *n = net_create(e, t);
	done_rec r = {0};
	net_flow_id id = start(n, 2, 0, 0, NET_UNCAPPED, &r);
	cr_assert(eq(int, r.calls, 0)); /* never inside net_flow_start */
	cr_assert(eq(u64, net_flow_rate_bps(n, id), 0));
	cr_assert(eq(u64, stats_of(n, 3).flows, 0));
	sim_run(e);
	cr_assert(eq(int, r.calls, 1));
	cr_assert(eq(u64, r.at_ns, 100 + 12000));
	cr_assert(eq(u64, r.info.sent_bits, 0));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

Test(net_flow, bad_flows_are_refused_with_a_code)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 3);
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, MBPS(1), 0, NULL), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	net_flow_id id = 7;
	cr_assert(eq(int, net_flow_start(n, 0, 0, 10, NET_UNCAPPED, NULL,
					 NULL, &id),
		     SIM_EINPUT));
	cr_assert(eq(u64, id, 7));
	cr_assert(eq(int, net_flow_start(n, 0, 1, 10, 0, NULL, NULL, &id),
		     SIM_EINPUT));
	cr_assert(eq(int, net_flow_start(n, 0, 9, 10, NET_UNCAPPED, NULL,
					 NULL, &id),
		     SIM_EINPUT));
	cr_assert(eq(int, net_flow_start(n, 0, 1, NET_FLOW_MAX_BYTES + 1,
					 NET_UNCAPPED, NULL, NULL, &id),
		     SIM_EINPUT));
	cr_assert(eq(int, net_flow_start(n, 0, 1, 10, NET_UNCAPPED, NULL,
					 NULL, NULL),
		     SIM_EINPUT));
	cr_assert(eq(int, net_flow_start(n, 0, 2, 10, NET_UNCAPPED, NULL,
					 NULL, &id),
		     SIM_ENOENT));
	cr_assert(eq(u64, id, 0));
	cr_assert(eq(sz, net_flow_count(n), 0));
	cr_assert(eq(sz, sim_events_pending(e), 0));
	/* Stale and never-issued handles. */
	cr_assert(eq(int, net_flow_cancel(n, 0), SIM_ENOENT));
	cr_assert(eq(int, net_flow_cancel(n, 12345), SIM_ENOENT));
	cr_assert(eq(int, net_flow_set_cap(n, 12345, 1), SIM_ENOENT));
	cr_assert(eq(u64, net_flow_rate_bps(n, 12345), 0));
	cr_assert(eq(u64, net_flow_remaining_bytes(n, 12345), 0));
	net_link_stats s;
	cr_assert(eq(int, net_link_query(n, 2, &s), SIM_EINPUT));
	id = start(n, 0, 1, 10, NET_UNCAPPED, NULL);
	cr_assert(eq(int, net_flow_set_cap(n, id, 0), SIM_EINPUT));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* ---- equal sharing ------------------------------------------------------ */

/* Four flows of 125 MB (10^9 bits) on one 1 Gbit/s link get 250 Mbit/s
 * each; alone one takes 1 s, so each of the four takes exactly 4 s, and
 * they complete in the order they started. */
typedef struct order_log {
	int order[8], n;
} order_log;

typedef struct order_tag {
	order_log *log;
	int who;
} order_tag;

static void note_order(void *ctx, net *n, net_flow_id id)
{
	(void)n;
	(void)id;
	order_tag *t = ctx;
	t->log->order[t->log->n++] = t->who;
}

Test(net_flow, n_equal_flows_on_one_link_finish_together_at_n_times_the_solo_time)
{
	const uint64_t bps[] = {GBPS(1)}, lat[] = {1000};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec solo = {0};
	start(n, 0, 1, 125000000, NET_UNCAPPED, &solo);
	sim_run(e);
	cr_assert(eq(u64, solo.at_ns, UINT64_C(1000000000) + 1000));

	uint64_t t0 = sim_now(e);
	done_rec r[4] = {{0}};
	net_flow_id id[4];
	for (int i = 0; i < 4; i++)
		id[i] = start(n, 0, 1, 125000000, NET_UNCAPPED, &r[i]);
	for (int i = 0; i < 4; i++)
		cr_assert(eq(u64, net_flow_rate_bps(n, id[i]), MBPS(250)));
	uint64_t before = net_reshare_count(n);
	sim_run(e);
	for (int i = 0; i < 4; i++)
		cr_assert(eq(u64, r[i].at_ns,
			     t0 + 4 * UINT64_C(1000000000) + 1000));
	/* The four drains were one recomputation. */
	cr_assert(eq(u64, net_reshare_count(n), before + 1));

	/* Completion callbacks run in start order. */
	order_log log = {.n = 0};
	order_tag tags[4];
	for (int i = 0; i < 4; i++) {
		tags[i] = (order_tag){&log, i};
		net_flow_id x;
		cr_assert(eq(int, net_flow_start(n, 0, 1, 1000, NET_UNCAPPED,
						 note_order, &tags[i], &x),
			     0));
	}
	sim_run(e);
	cr_assert(eq(int, log.n, 4));
	for (int i = 0; i < 4; i++)
		cr_assert(eq(int, log.order[i], i));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* Three flows on 1 Gbit/s get floor(10^9/3) = 333,333,333 bit/s each,
 * leaving 1 bit/s (n - 1 at most) unused; 10^9 bits then take
 * ceil(10^18 / 333,333,333) = 3,000,000,004 ns, the same for all three. */
Test(net_flow, floored_equal_shares_stay_equal_and_leave_under_n_bits_unused)
{
	const uint64_t bps[] = {GBPS(1)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r[3] = {{0}};
	for (int i = 0; i < 3; i++)
		start(n, 0, 1, 125000000, NET_UNCAPPED, &r[i]);
	net_link_stats s = stats_of(n, 0);
	cr_assert(eq(u64, s.load_bps, 999999999));
	cr_assert(eq(u32, s.flows, 3));
	sim_run(e);
	for (int i = 0; i < 3; i++)
		cr_assert(eq(u64, r[i].at_ns, UINT64_C(3000000004)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Oracle 13 of the migration reference (SimGrid): 1.25e9 B over a
 * 1.25 GB/s (10^10 bit/s) bottleneck with no latency takes exactly 1 s
 * alone; two identical transfers through the same bottleneck take 2 s each.
 * Dumbbell: a0, a1 - s1 = s2 - b0, b1, hosts on 100 Gbit/s links.
 */
Test(net_flow, two_identical_flows_through_one_bottleneck_take_twice_the_solo_time)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 6); /* a0 a1 s1 s2 b0 b1 */
	cr_assert(eq(int, net_topo_link_add(t, 0, 2, GBPS(100), 0, NULL), 0));
	cr_assert(eq(int, net_topo_link_add(t, 1, 2, GBPS(100), 0, NULL), 0));
	cr_assert(eq(int, net_topo_link_add(t, 2, 3, GBPS(10), 0, NULL), 0));
	cr_assert(eq(int, net_topo_link_add(t, 3, 4, GBPS(100), 0, NULL), 0));
	cr_assert(eq(int, net_topo_link_add(t, 3, 5, GBPS(100), 0, NULL), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec solo = {0}, r[2] = {{0}};
	start(n, 0, 4, 1250000000, NET_UNCAPPED, &solo);
	sim_run(e);
	uint64_t solo_ns = solo.at_ns;
	cr_assert(eq(u64, solo_ns, UINT64_C(1000000000)));
	uint64_t t0 = sim_now(e);
	start(n, 0, 4, 1250000000, NET_UNCAPPED, &r[0]);
	start(n, 1, 5, 1250000000, NET_UNCAPPED, &r[1]);
	sim_run(e);
	cr_assert(eq(u64, r[0].at_ns - t0, 2 * solo_ns));
	cr_assert(eq(u64, r[1].at_ns - t0, 2 * solo_ns));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* ---- max-min on several links ------------------------------------------- */

/*
 * The textbook case (in the manner of Bertsekas & Gallager, Data Networks,
 * §6.5.2): a line n0 - n1 - n2 - n3 with directed links a = n0->n1
 * (120 Mbit/s), b = n1->n2 (150 Mbit/s), c = n2->n3 (90 Mbit/s), and five
 * flows:
 *   F0 n0->n3 (a, b, c)   F1 n0->n1 (a)   F2 n0->n2 (a, b)
 *   F3 n1->n3 (b, c)      F4 n2->n3 (c)
 * Fair shares at the start: a 120/3 = 40, b 150/3 = 50, c 90/3 = 30. The
 * least is c: F0, F3, F4 get 30. Then a has 120 - 30 = 90 for F1 and F2:
 * 45 each; b has 150 - 30 - 30 = 90 for F2 alone: 90, but F2 is already
 * frozen at 45 by a. Result (Mbit/s): F0 30, F1 45, F2 45, F3 30, F4 30;
 * loads a 120 (saturated), b 105 (not), c 90 (saturated). Every flow has
 * the largest rate on a saturated link it crosses.
 */
Test(net_flow, the_textbook_multi_link_example_gets_its_max_min_rates)
{
	const uint64_t bps[] = {MBPS(120), MBPS(150), MBPS(90)};
	net_topo *t = line(3, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	const uint32_t ends[5][2] = {{0, 3}, {0, 1}, {0, 2}, {1, 3}, {2, 3}};
	const uint64_t want[5] = {MBPS(30), MBPS(45), MBPS(45), MBPS(30),
				  MBPS(30)};
	net_flow_id id[5];
	for (int i = 0; i < 5; i++)
		id[i] = start(n, ends[i][0], ends[i][1], 1000000000,
			      NET_UNCAPPED, NULL);
	for (int i = 0; i < 5; i++)
		cr_assert(eq(u64, net_flow_rate_bps(n, id[i]), want[i]),
			  "flow F%d", i);
	cr_assert(eq(u64, stats_of(n, 0).load_bps, MBPS(120)));
	cr_assert(eq(u64, stats_of(n, 2).load_bps, MBPS(105)));
	cr_assert(eq(u64, stats_of(n, 4).load_bps, MBPS(90)));
	/* The reverse directions carry nothing. */
	cr_assert(eq(u64, stats_of(n, 1).load_bps, 0));
	cr_assert(eq(u32, stats_of(n, 2).flows, 3));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Exact shares decide, not floors. Link x = n0->n1 of 21 bit/s carries A
 * (n0->n2) and B (n0->n1); link y = n1->n2 of 10 bit/s carries A. Floors
 * would tie at 10 and x (lower index) would go first, giving both 10 and
 * wasting 1 bit/s; exactly, y's 10 is below x's 10.5, so A gets 10 and B
 * the remaining 11.
 */
Test(net_flow, the_tightest_link_by_exact_share_is_filled_first)
{
	const uint64_t bps[] = {21, 10};
	net_topo *t = line(2, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	net_flow_id a = start(n, 0, 2, 1000, NET_UNCAPPED, NULL);
	net_flow_id b = start(n, 0, 1, 1000, NET_UNCAPPED, NULL);
	cr_assert(eq(u64, net_flow_rate_bps(n, a), 10));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), 11));
	cr_assert(eq(u64, stats_of(n, 0).load_bps, 21));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * One 100 Mbit/s link; A capped at 20 Mbit/s with 5 MB (40 Mbit), B and C
 * uncapped with 15 MB (120 Mbit) each. A's 20 is below the fair 33.3, so A
 * runs at 20 and B, C share the other 80: 40 each. A drains at 40/20 = 2 s;
 * by then B and C have sent 80 Mbit and run at 50 Mbit/s for their last
 * 40 Mbit: 0.8 s, so they complete at 2.8 s.
 */
Test(net_flow, a_capped_flow_leaves_its_unused_share_to_the_others)
{
	const uint64_t bps[] = {MBPS(100)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r[3] = {{0}};
	net_flow_id a = start(n, 0, 1, 5000000, MBPS(20), &r[0]);
	net_flow_id b = start(n, 0, 1, 15000000, NET_UNCAPPED, &r[1]);
	net_flow_id c = start(n, 0, 1, 15000000, NET_UNCAPPED, &r[2]);
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(20)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, c), MBPS(40)));
	sim_run_until(e, SIM_MS(2500));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(50)));
	sim_run(e);
	cr_assert(eq(u64, r[0].at_ns, SIM_S(2)));
	cr_assert(eq(u64, r[1].at_ns, SIM_MS(2800)));
	cr_assert(eq(u64, r[2].at_ns, SIM_MS(2800)));
	/* A cap above the fair share changes nothing. */
	net_flow_id x = start(n, 0, 1, 1000000, MBPS(60), NULL);
	net_flow_id y = start(n, 0, 1, 1000000, NET_UNCAPPED, NULL);
	cr_assert(eq(u64, net_flow_rate_bps(n, x), MBPS(50)));
	cr_assert(eq(u64, net_flow_rate_bps(n, y), MBPS(50)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* ---- rates changing over time ------------------------------------------- */

/*
 * One 100 Mbit/s link with 1 ms latency; A has 25 MB (200 Mbit), B 50 MB
 * (400 Mbit). Both run at 50: A drains at 4 s and completes at 4.001 s. B's
 * rate rises to 100 at 4 s itself (bandwidth is freed when the last bit
 * leaves, not when it lands); B has 200 Mbit left, drains at 6 s and
 * completes at 6.001 s.
 */
Test(net_flow, a_flow_that_finishes_midway_speeds_up_the_others_from_that_instant)
{
	const uint64_t bps[] = {MBPS(100)}, lat[] = {SIM_MS(1)};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec ra = {0}, rb = {0};
	net_flow_id a = start(n, 0, 1, 25000000, NET_UNCAPPED, &ra);
	net_flow_id b = start(n, 0, 1, 50000000, NET_UNCAPPED, &rb);
	sim_run_until(e, SIM_S(4) + SIM_US(500));
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, a, &info), 0));
	cr_assert(eq(int, info.state, NET_FLOW_DELIVERING));
	cr_assert(eq(u64, info.rate_bps, 0));
	cr_assert(eq(u64, info.remaining_bits, 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(100)));
	/* 200 Mbit by 4 s, then 100 Mbit/s for 0.5 ms: 50,000 bits. */
	cr_assert(eq(int, net_flow_query(n, b, &info), 0));
	cr_assert(eq(u64, info.sent_bits, UINT64_C(200050000)));
	cr_assert(eq(u64, net_flow_remaining_bytes(n, b),
		     (UINT64_C(400000000) - UINT64_C(200050000)) / 8));
	sim_run(e);
	cr_assert(eq(u64, ra.at_ns, SIM_S(4) + SIM_MS(1)));
	cr_assert(eq(u64, rb.at_ns, SIM_S(6) + SIM_MS(1)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * The same with numbers that do not divide. 1 Gbit/s, no latency; A, B, C
 * of 1, 2 and 3 MB (8, 16 and 24 Mbit).
 * Phase 1, three flows at floor(10^9/3) = 333,333,333 bit/s: A's 8·10^6
 * bits drain at ceil(8·10^15 / 333,333,333) = 24,000,001 ns. B and C have
 * then sent floor(333,333,333 · 24,000,001 / 10^9) = 8,000,000 bits with
 * 325,333,333 bit·ns carried over.
 * Phase 2, two flows at 5·10^8: B's last 8·10^6 bits need
 * ceil((8·10^15 - 325,333,333) / 5·10^8) = 16,000,000 ns: B at 40,000,001.
 * C sends floor((5·10^8 · 16·10^6 + 325,333,333) / 10^9) = 8·10^6 bits,
 * carry still 325,333,333.
 * Phase 3, C alone at 10^9: ceil((8·10^15 - 325,333,333) / 10^9) =
 * 8,000,000 ns: C at 48,000,001.
 */
Test(net_flow, piecewise_completion_times_are_exact_to_the_nanosecond)
{
	const uint64_t bps[] = {GBPS(1)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r[3] = {{0}};
	start(n, 0, 1, 1000000, NET_UNCAPPED, &r[0]);
	start(n, 0, 1, 2000000, NET_UNCAPPED, &r[1]);
	start(n, 0, 1, 3000000, NET_UNCAPPED, &r[2]);
	sim_run(e);
	cr_assert(eq(u64, r[0].at_ns, 24000001));
	cr_assert(eq(u64, r[1].at_ns, 40000001));
	cr_assert(eq(u64, r[2].at_ns, 48000001));
	for (int i = 0; i < 3; i++)
		cr_assert(eq(u64, r[i].info.sent_bits,
			     8 * UINT64_C(1000000) * (uint64_t)(i + 1)));
	/* The link carried exactly the 48 Mbit. */
	cr_assert(eq(u64, stats_of(n, 0).carried_bits, 48000000));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Two flows of 50 MB (400 Mbit) on 100 Mbit/s, 50 each. At 2 s A is
 * cancelled, having sent 100 Mbit; B has 300 Mbit left at 100 Mbit/s and
 * completes at 5 s. A's callback never runs.
 */
Test(net_flow, cancel_frees_bandwidth_for_the_others)
{
	const uint64_t bps[] = {MBPS(100)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec ra = {0}, rb = {0};
	net_flow_id a = start(n, 0, 1, 50000000, NET_UNCAPPED, &ra);
	net_flow_id b = start(n, 0, 1, 50000000, NET_UNCAPPED, &rb);
	sim_run_until(e, SIM_S(2));
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, a, &info), 0));
	cr_assert(eq(u64, info.sent_bits, UINT64_C(100000000)));
	cr_assert(eq(int, net_flow_cancel(n, a), 0));
	cr_assert(eq(int, net_flow_cancel(n, a), SIM_ENOENT));
	cr_assert(not(net_flow_is_active(n, a)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(100)));
	cr_assert(eq(sz, net_flow_count(n), 1));
	sim_run(e);
	cr_assert(eq(int, ra.calls, 0));
	cr_assert(eq(u64, rb.at_ns, SIM_S(5)));
	/* 100 Mbit of A and 400 of B. */
	cr_assert(eq(u64, stats_of(n, 0).carried_bits, UINT64_C(500000000)));

	sim_engine_destroy(e);
	net_topo_destroy(t);
}

Test(net_flow, a_flow_cancelled_while_its_last_bit_is_in_flight_never_completes)
{
	const uint64_t bps[] = {MBPS(100)}, lat[] = {SIM_MS(10)};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r = {0};
	net_flow_id a = start(n, 0, 1, 12500000, NET_UNCAPPED, &r); /* 1 s */
	sim_run_until(e, SIM_S(1) + SIM_MS(5));
	cr_assert(net_flow_is_active(n, a));
	cr_assert(eq(u64, net_flow_remaining_bytes(n, a), 0));
	cr_assert(eq(int, net_flow_set_cap(n, a, MBPS(1)), 0));
	cr_assert(eq(int, net_flow_cancel(n, a), 0));
	sim_run(e);
	cr_assert(eq(int, r.calls, 0));
	cr_assert(eq(u64, sim_events_executed(e), 1)); /* the drain only */
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Two flows of 400 Mbit on 100 Mbit/s, 50 each. At 2 s (100 Mbit sent
 * each) A is capped at 20: A 20, B 80. B's 300 Mbit take 3.75 s: B
 * completes at 5.75 s, when A has sent 100 + 20·3.75 = 175. Then A runs
 * alone at its cap of 20 until, at 6 s, the cap is lifted: A has sent 180
 * and does the last 220 at 100 Mbit/s, completing at 8.2 s.
 */
static void lift_cap(sim_engine *e, sim_model *m, void *state, uint32_t kind,
		     const void *payload)
{
	(void)e;
	(void)m;
	(void)kind;
	(void)payload;
	void **s = state;
	net *n = s[0];
	net_flow_id *id = s[1];
	cr_assert(eq(int, net_flow_set_cap(n, *id, NET_UNCAPPED), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, *id), MBPS(100)));
}

static const sim_model_ops lift_ops = {
	.name = "lift", .state_size = 2 * sizeof(void *), .handle = lift_cap};

Test(net_flow, set_cap_changes_rates_at_once_and_reschedules_completion)
{
	const uint64_t bps[] = {MBPS(100)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec ra = {0}, rb = {0};
	net_flow_id a = start(n, 0, 1, 50000000, NET_UNCAPPED, &ra);
	net_flow_id b = start(n, 0, 1, 50000000, NET_UNCAPPED, &rb);
	sim_model *m = sim_model_add(e, &lift_ops);
	void **s = sim_model_state(m);
	s[0] = n;
	s[1] = &a;
	sim_event_schedule(e, m, SIM_S(6), 0, NULL, 0);
	sim_run_until(e, SIM_S(2));
	uint64_t changes = net_rate_change_count(n);
	cr_assert(eq(int, net_flow_set_cap(n, a, MBPS(20)), 0));
	cr_assert(eq(u64, net_rate_change_count(n), changes + 2));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(20)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(80)));
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, a, &info), 0));
	cr_assert(eq(u64, info.cap_bps, MBPS(20)));
	/* Setting the same cap again recomputes nothing. */
	uint64_t reshares = net_reshare_count(n);
	cr_assert(eq(int, net_flow_set_cap(n, a, MBPS(20)), 0));
	cr_assert(eq(u64, net_reshare_count(n), reshares));
	sim_run(e);
	cr_assert(eq(u64, rb.at_ns, SIM_MS(5750)));
	cr_assert(eq(u64, ra.at_ns, SIM_MS(8200)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* Flows of other components keep their rates and their events: starting
 * a flow on one link touches nothing on a disjoint one. */
Test(net_flow, flows_in_other_components_are_left_alone)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 4);
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, MBPS(10), 0, NULL), 0));
	cr_assert(eq(int, net_topo_link_add(t, 2, 3, MBPS(10), 0, NULL), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	start(n, 0, 1, 1000000, NET_UNCAPPED, NULL);
	uint64_t changes = net_rate_change_count(n);
	start(n, 2, 3, 1000000, NET_UNCAPPED, NULL);
	cr_assert(eq(u64, net_rate_change_count(n), changes + 1));
	start(n, 3, 2, 1000000, NET_UNCAPPED, NULL); /* other direction */
	cr_assert(eq(u64, net_rate_change_count(n), changes + 2));
	cr_assert(eq(u64, stats_of(n, 3).load_bps, MBPS(10)));
	cr_assert(eq(u64, stats_of(n, 2).load_bps, MBPS(10)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* ---- what a change recomputes -------------------------------------------- */

/*
 * A flow held by its cap on links whose caps add up to no more than their
 * capacity ("slack" links) keeps its rate, and so its drain event and
 * completion time to the ns, whatever other flows come and go, as long as
 * the links stay slack or their shares stay above its cap. Only the flows
 * whose rate changes count as changes.
 */
Test(net_flow, a_flow_whose_rate_does_not_change_keeps_its_completion_time_exactly)
{
	const uint64_t bps[] = {GBPS(1)}, lat[] = {1000};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec ra = {0};
	net_flow_id a = start(n, 0, 1, 37500001, MBPS(300), &ra);
	net_flow_info before;
	cr_assert(eq(int, net_flow_query(n, a, &before), 0));
	/* 300,000,008 bits at 3·10^8 bit/s: ceil(300000008 / 0.3) ns. */
	cr_assert(eq(u64, before.drain_ns, div_up(UINT64_C(3000000080), 3)));
	uint64_t changes = net_rate_change_count(n);
	uint64_t reshares = net_reshare_count(n);

	sim_run_until(e, SIM_MS(100));
	net_flow_id b = start(n, 0, 1, 1000000000, MBPS(300), NULL);
	cr_assert(eq(u64, net_rate_change_count(n), changes + 1)); /* b */
	sim_run_until(e, SIM_MS(200));
	/* Uncapped c makes the link tight: its share of 10^9/3 is still
	 * above the caps, so a and b keep 300 Mbit/s and c gets the rest. */
	net_flow_id c = start(n, 0, 1, 1000000000, NET_UNCAPPED, NULL);
	cr_assert(eq(u64, net_rate_change_count(n), changes + 2)); /* c */
	cr_assert(eq(u64, net_flow_rate_bps(n, c), MBPS(400)));
	sim_run_until(e, SIM_MS(300));
	cr_assert(eq(int, net_flow_set_cap(n, b, MBPS(350)), 0));
	cr_assert(eq(u64, net_rate_change_count(n), changes + 4)); /* b, c */
	cr_assert(eq(int, net_flow_cancel(n, c), 0));
	cr_assert(eq(int, net_flow_cancel(n, b), 0));
	cr_assert(eq(u64, net_rate_change_count(n), changes + 4));
	cr_assert(eq(u64, net_reshare_count(n), reshares + 5));

	net_flow_info after;
	cr_assert(eq(int, net_flow_query(n, a, &after), 0));
	cr_assert(eq(u64, after.rate_bps, MBPS(300)));
	cr_assert(eq(u64, after.drain_ns, before.drain_ns));
	cr_assert(eq(u64, after.done_ns, before.done_ns));
	sim_run(e);
	cr_assert(eq(u64, ra.at_ns, before.drain_ns + 1000));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * 100 Mbit/s, flows capped at 40 Mbit/s: two fit (the link is slack and
 * each runs at its cap); a third overbooks it and all three get
 * floor(10^8 / 3); when it leaves the two return to their caps. Raising
 * one cap to exactly the room left keeps the link slack; one bit/s more
 * makes it tight, and that flow gets the rest of the link.
 */
Test(net_flow, a_link_turns_tight_when_caps_overbook_it_and_slack_when_they_fit_again)
{
	const uint64_t bps[] = {MBPS(100)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	net_flow_id a = start(n, 0, 1, 1000000000, MBPS(40), NULL);
	net_flow_id b = start(n, 0, 1, 1000000000, MBPS(40), NULL);
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(40)));
	net_flow_id c = start(n, 0, 1, 1000000000, MBPS(40), NULL);
	net_flow_id all[] = {a, b, c};
	for (int i = 0; i < 3; i++)
		cr_assert(eq(u64, net_flow_rate_bps(n, all[i]), 33333333));
	cr_assert(eq(u64, stats_of(n, 0).load_bps, 99999999));
	cr_assert(eq(int, net_flow_cancel(n, c), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(40)));
	cr_assert(eq(int, net_flow_set_cap(n, b, MBPS(60)), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(60)));
	cr_assert(eq(int, net_flow_set_cap(n, b, MBPS(60) + 1), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(40)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(60)));
	cr_assert(eq(u64, stats_of(n, 0).load_bps, MBPS(100)));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Flows that drain in the same ns but share no link leave one by one, in
 * the order of their drain events, each with its own recomputation; flows
 * of one component among them still leave together. Q (alone on its link,
 * twice the size) and P, R (sharing theirs) all drain at 1 s.
 */
Test(net_flow, flows_draining_in_the_same_ns_leave_together_only_within_a_component)
{
	net_topo *t = net_topo_create();
	add_nodes(t, 4);
	cr_assert(eq(int, net_topo_link_add(t, 0, 1, MBPS(100), 0, NULL), 0));
	cr_assert(eq(int, net_topo_link_add(t, 2, 3, MBPS(100), 0, NULL), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	order_log log = {.n = 0};
	order_tag tags[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
	net_flow_id q, p, r;
	cr_assert(eq(int, net_flow_start(n, 2, 3, 12500000, NET_UNCAPPED,
					 note_order, &tags[0], &q), 0));
	cr_assert(eq(int, net_flow_start(n, 0, 1, 6250000, NET_UNCAPPED,
					 note_order, &tags[1], &p), 0));
	cr_assert(eq(int, net_flow_start(n, 0, 1, 6250000, NET_UNCAPPED,
					 note_order, &tags[2], &r), 0));
	uint64_t reshares = net_reshare_count(n);
	sim_run(e);
	cr_assert(eq(u64, sim_now(e), SIM_S(1)));
	cr_assert(eq(u64, net_reshare_count(n), reshares + 2));
	cr_assert(eq(int, log.n, 3));
	for (int i = 0; i < 3; i++)
		cr_assert(eq(int, log.order[i], i));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Which of two flows in different components, draining in the same ns,
 * completes first follows the order of their drain events; for flows
 * rescheduled by one change that is the order in which a breadth-first
 * search from the changed flow's links (each link's flows in list order)
 * finds them, as the model has always done. Here, on n0 - n1 - n2, B
 * (n1 -> n2) starts before A (n0 -> n1), both capped at 60 Mbit/s; C
 * (n0 -> n2, uncapped) holds both to 50 Mbit/s until its cap drops to
 * 10 Mbit/s at 1 s, which frees both to their caps in one change, with
 * equal drain times; C's links are searched from n0's side, so A comes
 * first. C is then cancelled, leaving A and B in separate components.
 */
Test(net_flow, flows_freed_by_one_change_to_drain_together_complete_in_search_order)
{
	const uint64_t bps[] = {MBPS(100), MBPS(100)}, lat[] = {1000, 1000};
	net_topo *t = line(2, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	order_log log = {.n = 0};
	order_tag ta = {&log, 0}, tb = {&log, 1};
	net_flow_id a, b;
	done_rec rc = {0};
	cr_assert(eq(int, net_flow_start(n, 1, 2, 12500000, MBPS(60),
					 note_order, &tb, &b), 0));
	cr_assert(eq(int, net_flow_start(n, 0, 1, 12500000, MBPS(60),
					 note_order, &ta, &a), 0));
	net_flow_id c = start(n, 0, 2, 1000000000, NET_UNCAPPED, &rc);
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(50)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(50)));
	sim_run_until(e, SIM_S(1));
	cr_assert(eq(int, net_flow_set_cap(n, c, MBPS(10)), 0));
	cr_assert(eq(u64, net_flow_rate_bps(n, a), MBPS(60)));
	cr_assert(eq(u64, net_flow_rate_bps(n, b), MBPS(60)));
	cr_assert(eq(int, net_flow_cancel(n, c), 0));
	sim_run(e);
	/* 5·10^7 bits left at 6·10^7 bit/s, then the link's latency. */
	cr_assert(eq(u64, sim_now(e),
		     SIM_S(1) + div_up(UINT64_C(5000000000), 6) + 1000));
	cr_assert(eq(int, log.n, 2));
	cr_assert(eq(int, log.order[0], 0)); /* A */
	cr_assert(eq(int, log.order[1], 1)); /* B */
	cr_assert(eq(int, rc.calls, 0));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/*
 * Scale, the migration benchmark's shape: 1,000 flows capped at 1 Gbit/s
 * from host i to host i + 500 of a 1,000-host fabric, all in one connected
 * component through the core, but never more than 40 on a 40 Gbit/s ToR
 * uplink, so every link is slack. Each start changes exactly one rate (the
 * new flow's), no drain changes any, and every flow completes at its
 * closed-form time alone at its cap.
 */
typedef struct capped_run {
	uint64_t start_ns, latency_ns, bytes, done_ns;
} capped_run;

static void capped_done(void *ctx, net *n, net_flow_id id)
{
	(void)id;
	((capped_run *)ctx)->done_ns = sim_now(net_engine(n));
}

Test(net_flow, a_thousand_capped_flows_through_one_core_change_one_rate_each)
{
	net_dc_params p = {.datacenters = 1, .racks = 25,
			   .hosts_per_rack = 40, .nic_bps = GBPS(10),
			   .uplink_bps = GBPS(40), .rack_latency_ns = 2000,
			   .fabric_latency_ns = 5000};
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	gsl_rng *rng = sim_rng_stream(3, "test-net-capped-scale");
	capped_run *runs = calloc(1000, sizeof *runs);
	for (uint32_t i = 0; i < 1000; i++) {
		/* Starts spread over 10 ms, as the benchmark's are. */
		sim_run_until(e, SIM_US(10) * i);
		capped_run *r = &runs[i];
		r->start_ns = sim_now(e);
		r->bytes = 1 + gsl_rng_uniform_int(rng, 10000000);
		cr_assert(eq(int, net_topo_path_latency(t, i, (i + 500) % 1000,
							&r->latency_ns), 0));
		net_flow_id id;
		cr_assert(eq(int, net_flow_start(n, i, (i + 500) % 1000,
						 r->bytes, GBPS(1), capped_done,
						 r, &id), 0));
		cr_assert(eq(u64, net_rate_change_count(n), i + 1));
	}
	gsl_rng_free(rng);
	sim_run(e);
	cr_assert(eq(u64, net_rate_change_count(n), 1000));
	for (uint32_t i = 0; i < 1000; i++) {
		capped_run *r = &runs[i];
		/* 8B bits at 10^9 bit/s take 8B ns. */
		cr_assert(eq(u64, r->done_ns,
			     r->start_ns + r->latency_ns + 8 * r->bytes),
			  "flow %u", i);
	}
	free(runs);
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* ---- carried bits --------------------------------------------------------- */

/*
 * A line n0 - n1 - n2 with odd capacities and sizes. Whatever the rates,
 * each link's carried bits once idle equal the bits of the flows that
 * crossed it, and while a link is saturated its carried bits grow at its
 * capacity (to within a bit per flow).
 */
Test(net_flow, link_carried_bits_equal_the_bits_of_the_flows_that_crossed_it)
{
	const uint64_t bps[] = {999999937, 300000007};
	net_topo *t = line(2, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	done_rec r[3] = {{0}};
	start(n, 0, 2, 1234567, NET_UNCAPPED, &r[0]);  /* links 0, 2 */
	start(n, 0, 1, 7654321, 123456791, &r[1]);     /* link 0 */
	start(n, 1, 2, 3333333, NET_UNCAPPED, &r[2]);  /* link 2 */
	/* Link 2 is saturated from the start: 2 flows, 300000007 bit/s. */
	net_link_stats s = stats_of(n, 2);
	cr_assert(ge(u64, s.load_bps + 1, 300000007));
	sim_run_until(e, SIM_MS(10));
	s = stats_of(n, 2);
	uint64_t want = 300000007 / 100; /* 10 ms at capacity */
	cr_assert(le(u64, s.carried_bits, want));
	cr_assert(ge(u64, s.carried_bits + 2, want));
	/* Mean utilisation over the first 10 ms is 1 to within 10^-6. */
	double u = (double)s.carried_bits * 1e9 /
		   ((double)s.capacity_bps * (double)SIM_MS(10));
	cr_assert(epsilon_eq(dbl, u, 1.0, 1e-6));
	sim_run(e);
	cr_assert(eq(u64, stats_of(n, 0).carried_bits,
		     8 * UINT64_C(1234567) + 8 * UINT64_C(7654321)));
	cr_assert(eq(u64, stats_of(n, 2).carried_bits,
		     8 * UINT64_C(1234567) + 8 * UINT64_C(3333333)));
	cr_assert(eq(u64, stats_of(n, 1).carried_bits, 0));
	cr_assert(eq(u64, stats_of(n, 0).load_bps, 0));
	cr_assert(eq(u32, stats_of(n, 0).flows, 0));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

/* A chain: each completion starts the next flow from inside on_done. */
typedef struct chain {
	int left;
	uint64_t at_ns[4];
	int n;
} chain;

static void next_link_of_chain(void *ctx, net *n, net_flow_id id)
{
	(void)id;
	chain *c = ctx;
	c->at_ns[c->n++] = sim_now(net_engine(n));
	if (--c->left > 0) {
		net_flow_id x;
		cr_assert(eq(int, net_flow_start(n, 0, 1, 1250, NET_UNCAPPED,
						 next_link_of_chain, c, &x),
			     0));
	}
}

/* 1250 B = 10^4 bits at 10 Mbit/s: 1 ms, plus 1 us latency, three times. */
Test(net_flow, on_done_may_start_the_next_flow)
{
	const uint64_t bps[] = {MBPS(10)}, lat[] = {1000};
	net_topo *t = line(1, bps, lat);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	chain c = {.left = 3};
	net_flow_id x;
	cr_assert(eq(int, net_flow_start(n, 0, 1, 1250, NET_UNCAPPED,
					 next_link_of_chain, &c, &x),
		     0));
	sim_run(e);
	cr_assert(eq(int, c.n, 3));
	for (int i = 0; i < 3; i++)
		cr_assert(eq(u64, c.at_ns[i], (uint64_t)(i + 1) * 1001000));
	sim_engine_destroy(e);
	net_topo_destroy(t);
}

static void meddle(void *ctx, const net *n)
{
	(void)n;
	net_flow_cancel((net *)ctx, 1);
}

Test(net_flow, changing_flows_from_the_reshare_hook_panics,
     .signal = SIGABRT)
{
	const uint64_t bps[] = {MBPS(10)};
	net_topo *t = line(1, bps, NULL);
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	net_set_reshare_hook(n, meddle, n);
	start(n, 0, 1, 1000, NET_UNCAPPED, NULL);
}

/* ---- randomized --------------------------------------------------------- */

enum { OP_START, OP_CANCEL, OP_SET_CAP };

typedef struct rop {
	int kind;
	uint32_t target; /* flow index */
	uint64_t cap_bps;
} rop;

typedef struct rflow {
	struct rworld *w;
	net_flow_id id;
	uint32_t src, dst;
	uint64_t bytes, cap_bps, start_ns;
	uint32_t route[8];
	size_t hops;
	bool started, cancelled, done;
	uint64_t sent_at_cancel, done_ns;
} rflow;

typedef struct rworld {
	sim_engine *e;
	net *n;
	net_topo *t;
	rflow *flows;
	size_t nflows;
	rop *ops;
	size_t nops;
	bool starting; /* inside net_flow_start: the new id is not known */
	uint64_t checks, completed;
	/* scratch for the checks, per directed link */
	uint64_t *sum, *max;
	uint32_t *count;
} rworld;

static bool is_sharing(const rworld *w, const rflow *f, net_flow_info *info)
{
	/* A flow being cancelled is already gone when the hook runs inside
	 * net_flow_cancel, before the driver has marked it. */
	if (!f->started || f->cancelled || f->done ||
	    net_flow_query(w->n, f->id, info) != 0)
		return false;
	return info->state == NET_FLOW_SHARING;
}

/* The documented water-filling done naively, over every sharing flow at
 * once rather than a component, with linear scans instead of a heap: the
 * link with the least exact share (ties to the lower index) freezes its
 * flows at the floor of it, unless the smallest cap is no larger. Fills
 * rate[i] for each sharing flow i. */
static void reference_rates(rworld *w, uint64_t *rate)
{
	size_t L = net_topo_link_count(w->t);
	uint64_t *rem = calloc(L, sizeof *rem);
	uint32_t *unfrozen = calloc(L, sizeof *unfrozen);
	bool *open = calloc(w->nflows, sizeof *open);
	uint64_t *cap = calloc(w->nflows, sizeof *cap);
	for (uint32_t l = 0; l < L; l++)
		rem[l] = net_topo_link(w->t, l)->capacity_bps;
	net_flow_info info;
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		if (!is_sharing(w, f, &info))
			continue;
		open[i] = true;
		cap[i] = info.cap_bps;
		for (size_t k = 0; k < f->hops; k++)
			unfrozen[f->route[k]]++;
	}
	for (;;) {
		uint32_t best = UINT32_MAX;
		for (uint32_t l = 0; l < L; l++)
			if (unfrozen[l] &&
			    (best == UINT32_MAX ||
			     (unsigned __int128)rem[l] * unfrozen[best] <
				     (unsigned __int128)rem[best] * unfrozen[l]))
				best = l;
		if (best == UINT32_MAX)
			break;
		size_t low = SIZE_MAX;
		for (size_t i = 0; i < w->nflows; i++)
			if (open[i] && cap[i] != NET_UNCAPPED &&
			    (low == SIZE_MAX || cap[i] < cap[low]))
				low = i;
		uint64_t share = rem[best] / unfrozen[best];
		bool by_cap = low != SIZE_MAX &&
			      (unsigned __int128)cap[low] * unfrozen[best] <=
				      rem[best];
		for (size_t i = 0; i < w->nflows; i++) {
			rflow *f = &w->flows[i];
			bool on_best = false;
			for (size_t k = 0; k < f->hops; k++)
				on_best |= f->route[k] == best;
			uint64_t r;
			if (by_cap) {
				if (i != low)
					continue;
				r = cap[low];
			} else {
				if (!open[i] || !on_best)
					continue;
				r = share;
			}
			open[i] = false;
			rate[i] = r;
			for (size_t k = 0; k < f->hops; k++) {
				rem[f->route[k]] -= r;
				unfrozen[f->route[k]]--;
			}
		}
	}
	free(rem);
	free(unfrozen);
	free(open);
	free(cap);
}

/* After every recomputation: loads are the sums of the rates, no link is
 * over capacity, each flow is capped or has the largest rate on some
 * saturated link it crosses (saturated: less than one bit/s per flow left
 * unused, the slack of floored shares), and the rates are exactly those of
 * the naive global water-filling. */
static void check_shares(void *ctx, const net *n)
{
	rworld *w = ctx;
	if (w->starting)
		return;
	size_t L = net_topo_link_count(w->t);
	memset(w->sum, 0, L * sizeof *w->sum);
	memset(w->max, 0, L * sizeof *w->max);
	memset(w->count, 0, L * sizeof *w->count);
	net_flow_info info;
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		if (!is_sharing(w, f, &info))
			continue;
		cr_assert(gt(u64, info.rate_bps, 0));
		cr_assert(le(u64, info.rate_bps, info.cap_bps));
		for (size_t k = 0; k < f->hops; k++) {
			uint32_t l = f->route[k];
			w->sum[l] += info.rate_bps;
			w->count[l]++;
			if (info.rate_bps > w->max[l])
				w->max[l] = info.rate_bps;
		}
	}
	for (uint32_t l = 0; l < L; l++) {
		net_link_stats s;
		cr_assert(eq(int, net_link_query(n, l, &s), 0));
		cr_assert(eq(u64, s.load_bps, w->sum[l]), "link %u", l);
		cr_assert(eq(u32, s.flows, w->count[l]), "link %u", l);
		cr_assert(le(u64, s.load_bps, s.capacity_bps), "link %u", l);
	}
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		if (!is_sharing(w, f, &info) || info.rate_bps == info.cap_bps)
			continue;
		bool bottlenecked = false;
		for (size_t k = 0; k < f->hops; k++) {
			uint32_t l = f->route[k];
			uint64_t cap = net_topo_link(w->t, l)->capacity_bps;
			if (cap - w->sum[l] < w->count[l] &&
			    info.rate_bps == w->max[l])
				bottlenecked = true;
		}
		cr_assert(bottlenecked, "flow %zu at %llu bit/s has no bottleneck",
			  i, (unsigned long long)info.rate_bps);
	}
	uint64_t *want = calloc(w->nflows, sizeof *want);
	reference_rates(w, want);
	for (size_t i = 0; i < w->nflows; i++)
		if (is_sharing(w, &w->flows[i], &info))
			cr_assert(eq(u64, info.rate_bps, want[i]), "flow %zu", i);
	free(want);
	w->checks++;
}

static void random_done(void *ctx, net *n, net_flow_id id)
{
	rflow *f = ctx;
	net_flow_info info;
	cr_assert(eq(int, net_flow_query(n, id, &info), 0));
	cr_assert(eq(u64, info.sent_bits, 8 * f->bytes));
	cr_assert(eq(u64, info.remaining_bits, 0));
	cr_assert(eq(u64, info.done_ns, sim_now(net_engine(n))));
	/* Never faster than alone at the route's narrowest link. */
	uint64_t narrow = UINT64_MAX;
	for (size_t k = 0; k < f->hops; k++) {
		uint64_t c = net_topo_link(f->w->t, f->route[k])->capacity_bps;
		narrow = c < narrow ? c : narrow;
	}
	uint64_t lat;
	cr_assert(eq(int, net_topo_path_latency(f->w->t, f->src, f->dst, &lat),
		     0));
	uint64_t least = f->start_ns + lat +
			 (uint64_t)(((unsigned __int128)8 * f->bytes *
					     1000000000 +
				     narrow - 1) /
				    narrow);
	cr_assert(ge(u64, sim_now(net_engine(n)), least));
	f->done = true;
	f->done_ns = sim_now(net_engine(n));
	f->w->completed++;
}

static void driver_handle(sim_engine *e, sim_model *m, void *state,
			  uint32_t kind, const void *payload)
{
	(void)m;
	(void)kind;
	rworld *w = *(rworld **)state;
	uint32_t i;
	memcpy(&i, payload, sizeof i);
	const rop *op = &w->ops[i];
	rflow *f = &w->flows[op->target];
	switch (op->kind) {
	case OP_START:
		f->start_ns = sim_now(e);
		w->starting = true;
		cr_assert(eq(int,
			     net_flow_start(w->n, f->src, f->dst, f->bytes,
					    f->cap_bps, random_done, f, &f->id),
			     0));
		w->starting = false;
		f->started = true;
		check_shares(w, w->n);
		break;
	case OP_CANCEL:
	case OP_SET_CAP: {
		if (!f->started)
			break;
		int want = f->cancelled || f->done ? SIM_ENOENT : 0;
		if (op->kind == OP_SET_CAP) {
			cr_assert(eq(int,
				     net_flow_set_cap(w->n, f->id, op->cap_bps),
				     want));
			if (want == 0)
				f->cap_bps = op->cap_bps;
			break;
		}
		net_flow_info info = {0};
		if (want == 0)
			cr_assert(eq(int, net_flow_query(w->n, f->id, &info), 0));
		cr_assert(eq(int, net_flow_cancel(w->n, f->id), want));
		if (want == 0) {
			f->cancelled = true;
			f->sent_at_cancel = info.sent_bits;
		}
		break;
	}
	default:
		cr_fatal("bad op");
	}
}

static const sim_model_ops driver_ops = {
	.name = "driver", .state_size = sizeof(rworld *), .handle = driver_handle};

/* The scale of a random scenario: link capacities, caps, sizes, times. */
typedef struct rscale {
	net_dc_params topo;
	uint64_t cap_min_bps, cap_span_bps; /* caps in [min, min + span) */
	uint64_t max_bytes;                 /* sizes in [1, max_bytes] */
	/* Starts in [0, window), whole ticks (mt19937 draws stay below
	 * 2^32, so long windows are drawn in coarser ticks). */
	uint64_t window_ticks, tick_ns;
	/* One flow or cap change in this many is uncapped; 0 means 2. */
	uint32_t uncapped_one_in;
} rscale;

/* Gigabit links with odd capacities, flows up to 20 MB over 2 s. */
static const rscale big_scale = {
	.topo = {.datacenters = 2, .racks = 2, .hosts_per_rack = 3,
		 .nic_bps = 999999937, .uplink_bps = 1500000001,
		 .rack_latency_ns = 2001, .fabric_latency_ns = 5003,
		 .wan_bps = 300000007, .wan_latency_ns = 3000017},
	.cap_min_bps = 1000000, .cap_span_bps = 900000000,
	.max_bytes = 20000000, .window_ticks = SIM_S(2), .tick_ns = 1};

/* Links of a few dozen bit/s, where every floor matters: ties between
 * exact and floored shares and unused remainders are common. */
static const rscale tiny_scale = {
	.topo = {.datacenters = 2, .racks = 2, .hosts_per_rack = 3,
		 .nic_bps = 97, .uplink_bps = 151, .rack_latency_ns = 3,
		 .fabric_latency_ns = 7, .wan_bps = 61, .wan_latency_ns = 11},
	.cap_min_bps = 1, .cap_span_bps = 60,
	.max_bytes = 100, .window_ticks = 60000000, .tick_ns = 1000};

/* Small caps on the same fabric, and few flows uncapped: most links are
 * slack most of the time, and turn tight and back as flows come and go
 * and caps change, so that recomputations limited to what a change can
 * affect are checked against the global water-filling. */
static const rscale slack_scale = {
	.topo = {.datacenters = 2, .racks = 2, .hosts_per_rack = 3,
		 .nic_bps = 999999937, .uplink_bps = 1500000001,
		 .rack_latency_ns = 2001, .fabric_latency_ns = 5003,
		 .wan_bps = 2000000011, .wan_latency_ns = 3000017},
	.cap_min_bps = 1000000, .cap_span_bps = 40000000,
	.max_bytes = 2000000, .window_ticks = SIM_S(2), .tick_ns = 1,
	.uncapped_one_in = 40};

static uint64_t random_cap(gsl_rng *rng, const rscale *sc)
{
	uint32_t in = sc->uncapped_one_in ? sc->uncapped_one_in : 2;
	if (gsl_rng_uniform_int(rng, in) == 0)
		return NET_UNCAPPED;
	return sc->cap_min_bps + gsl_rng_uniform_int(rng, sc->cap_span_bps);
}

/*
 * Builds and runs a random scenario on a two-datacenter topology: nflows
 * flows between random hosts, of random size (a tenth of them 0 bytes),
 * half of them capped, started at random times within the scale's window,
 * plus as many random cancels and cap changes over 1.5 windows. Returns
 * the world for checks; the caller frees it with random_free.
 */
static rworld *random_run(uint64_t seed, size_t nflows, const rscale *sc)
{
	rworld *w = calloc(1, sizeof *w);
	cr_assert(eq(int, net_topo_create_dc(&sc->topo, &w->t), 0));
	w->e = sim_engine_create();
	w->n = net_create(w->e, w->t);
	size_t L = net_topo_link_count(w->t);
	w->sum = calloc(L, sizeof *w->sum);
	w->max = calloc(L, sizeof *w->max);
	w->count = calloc(L, sizeof *w->count);
	net_set_reshare_hook(w->n, check_shares, w);
	sim_model *drv = sim_model_add(w->e, &driver_ops);
	*(rworld **)sim_model_state(drv) = w;

	gsl_rng *rng = sim_rng_stream(seed, "test-net-random");
	uint32_t hosts = 12;
	w->nflows = nflows;
	w->flows = calloc(nflows, sizeof *w->flows);
	w->nops = 2 * nflows;
	w->ops = calloc(w->nops, sizeof *w->ops);
	for (size_t i = 0; i < nflows; i++) {
		rflow *f = &w->flows[i];
		f->w = w;
		f->src = (uint32_t)gsl_rng_uniform_int(rng, hosts);
		f->dst = (uint32_t)gsl_rng_uniform_int(rng, hosts - 1);
		f->dst += f->dst >= f->src;
		f->bytes = gsl_rng_uniform_int(rng, 10) == 0
				   ? 0
				   : 1 + gsl_rng_uniform_int(rng, sc->max_bytes);
		f->cap_bps = random_cap(rng, sc);
		cr_assert(eq(int, net_topo_path(w->t, f->src, f->dst, f->route,
						8, &f->hops),
			     0));
		w->ops[i] = (rop){OP_START, (uint32_t)i, 0};
		uint64_t at = gsl_rng_uniform_int(rng, sc->window_ticks) *
			      sc->tick_ns;
		uint32_t idx = (uint32_t)i;
		sim_event_schedule(w->e, drv, at, 0, &idx, sizeof idx);
	}
	for (size_t j = nflows; j < w->nops; j++) {
		rop *op = &w->ops[j];
		op->kind = gsl_rng_uniform_int(rng, 3) == 0 ? OP_CANCEL
							   : OP_SET_CAP;
		op->target = (uint32_t)gsl_rng_uniform_int(rng, nflows);
		op->cap_bps = random_cap(rng, sc);
		uint64_t at = gsl_rng_uniform_int(rng, sc->window_ticks / 2 * 3) *
			      sc->tick_ns;
		uint32_t idx = (uint32_t)j;
		sim_event_schedule(w->e, drv, at, 0, &idx, sizeof idx);
	}
	gsl_rng_free(rng);
	cr_assert(eq(int, sim_run(w->e), 0));
	return w;
}

static void random_free(rworld *w)
{
	sim_engine_destroy(w->e);
	net_topo_destroy(w->t);
	free(w->sum);
	free(w->max);
	free(w->count);
	free(w->flows);
	free(w->ops);
	free(w);
}

/* Every flow ended one way or the other, and each link carried exactly the
 * bits of the flows that crossed it: whole for completed flows, as far as
 * they got for cancelled ones. */
static void check_conservation(rworld *w)
{
	size_t cancelled = 0;
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		cr_assert(f->started);
		cr_assert(f->done != f->cancelled, "flow %zu", i);
		cancelled += f->cancelled;
	}
	cr_assert(eq(u64, w->completed + cancelled, w->nflows));
	cr_assert(gt(sz, cancelled, 10));
	cr_assert(gt(u64, w->checks, 400));
	cr_assert(eq(sz, net_flow_count(w->n), 0));
	cr_assert(eq(sz, sim_events_pending(w->e), 0));
	size_t L = net_topo_link_count(w->t);
	uint64_t *want = calloc(L, sizeof *want);
	for (size_t i = 0; i < w->nflows; i++) {
		rflow *f = &w->flows[i];
		uint64_t bits = f->cancelled ? f->sent_at_cancel : 8 * f->bytes;
		for (size_t k = 0; k < f->hops; k++)
			want[f->route[k]] += bits;
	}
	for (uint32_t l = 0; l < L; l++) {
		net_link_stats s;
		cr_assert(eq(int, net_link_query(w->n, l, &s), 0));
		cr_assert(eq(u64, s.carried_bits, want[l]), "link %u", l);
		cr_assert(eq(u64, s.load_bps, 0));
	}
	free(want);
}

Test(net_random, random_flows_conserve_bits_never_overload_links_and_are_max_min_fair)
{
	rworld *w = random_run(20240601, 300, &big_scale);
	check_conservation(w);
	random_free(w);
}

Test(net_random, random_flows_on_links_of_a_few_bits_per_second_are_fair_too)
{
	rworld *w = random_run(99, 300, &tiny_scale);
	check_conservation(w);
	random_free(w);
}

Test(net_random, mostly_capped_flows_on_mostly_slack_links_are_fair_too)
{
	rworld *w = random_run(4242, 300, &slack_scale);
	check_conservation(w);
	random_free(w);
}

Test(net_random, the_same_operations_twice_give_identical_completion_times)
{
	rworld *a = random_run(7, 120, &big_scale);
	rworld *b = random_run(7, 120, &big_scale);
	for (size_t i = 0; i < a->nflows; i++) {
		cr_assert(eq(int, a->flows[i].done, b->flows[i].done));
		cr_assert(eq(u64, a->flows[i].done_ns, b->flows[i].done_ns));
		cr_assert(eq(u64, a->flows[i].sent_at_cancel,
			     b->flows[i].sent_at_cancel));
	}
	cr_assert(eq(u64, net_reshare_count(a->n), net_reshare_count(b->n)));
	cr_assert(eq(u64, sim_events_executed(a->e), sim_events_executed(b->e)));
	cr_assert(eq(u64, sim_now(a->e), sim_now(b->e)));
	random_free(a);
	random_free(b);
}

/*
 * Scale: 1,000 concurrent flows between random hosts of a 1,000-host
 * fabric (25 racks of 40), all started at time 0, run to completion. Every
 * flow completes and the core's links carried exactly what crossed them.
 */
static void count_done(void *ctx, net *n, net_flow_id id)
{
	(void)n;
	(void)id;
	++*(uint64_t *)ctx;
}

Test(net_random, a_thousand_flows_on_a_thousand_host_fabric_complete)
{
	net_dc_params p = {.datacenters = 1, .racks = 25,
			   .hosts_per_rack = 40, .nic_bps = GBPS(10),
			   .uplink_bps = GBPS(40), .rack_latency_ns = 2000,
			   .fabric_latency_ns = 5000};
	net_topo *t;
	cr_assert(eq(int, net_topo_create_dc(&p, &t), 0));
	sim_engine *e = sim_engine_create();
	net *n = net_create(e, t);
	gsl_rng *rng = sim_rng_stream(1, "test-net-scale");
	size_t L = net_topo_link_count(t);
	uint64_t *want = calloc(L, sizeof *want);
	uint32_t route[8];
	uint64_t done = 0;
	for (int i = 0; i < 1000; i++) {
		uint32_t src = (uint32_t)gsl_rng_uniform_int(rng, 1000);
		uint32_t dst = (uint32_t)gsl_rng_uniform_int(rng, 999);
		dst += dst >= src;
		uint64_t bytes = 1 + gsl_rng_uniform_int(rng, 100000000);
		net_flow_id id;
		cr_assert(eq(int, net_flow_start(n, src, dst, bytes,
						 NET_UNCAPPED, count_done, &done,
						 &id),
			     0));
		size_t hops;
		cr_assert(eq(int, net_topo_path(t, src, dst, route, 8, &hops),
			     0));
		for (size_t k = 0; k < hops; k++)
			want[route[k]] += 8 * bytes;
	}
	gsl_rng_free(rng);
	cr_assert(eq(sz, net_flow_count(n), 1000));
	sim_run(e);
	cr_assert(eq(u64, done, 1000));
	for (uint32_t l = 0; l < L; l++)
		cr_assert(eq(u64, stats_of(n, l).carried_bits, want[l]));
	free(want);
	sim_engine_destroy(e);
	net_topo_destroy(t);
}
