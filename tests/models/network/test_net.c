/* SPDX-License-Identifier: MIT */
/*
 * Tests of models/network/: topologies and routes (generic and datacenter),
 * the parameter table, and the fluid flow model at rest: exact completion
 * times worked out by hand for lone flows, equal shares, and max-min rates
 * on textbook cases with caps. Rates that change over time are in
 * test_net_changes.c, randomized runs in test_net_random.c.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "net_util.h"

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
