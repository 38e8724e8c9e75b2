/* SPDX-License-Identifier: MIT */
/*
 * Datacenter topologies (racks of hosts under ToR switches, one core per
 * datacenter, a full mesh of WAN links between cores) and the network's
 * parameter table. The numbering and latency split are documented in
 * net.h; datacenter/ relies on host ids matching its own host indices.
 */
#include "net.h"
#include "net_internal.h"

#include <stdlib.h>

static const cfg_param dc_network_params[] = {
	{.name = "datacenters", .type = CFG_T_UINT, .def = "1", .min = "1",
	 .max = "64", .offset = offsetof(net_dc_params, datacenters),
	 .doc = "datacenters, each with the racks below and a core switch, "
		"joined by WAN links"},
	{.name = "rack_latency", .type = CFG_T_TIME, .def = "2us",
	 .min = "0ns", .max = "10s",
	 .offset = offsetof(net_dc_params, rack_latency_ns),
	 .doc = "one-way latency between two hosts of the same rack"},
	{.name = "wan_bandwidth", .type = CFG_T_RATE, .def = "1Gbit/s",
	 .min = "1kbit/s", .max = "1000Tbit/s",
	 .offset = offsetof(net_dc_params, wan_bps),
	 .doc = "bandwidth of each WAN link between two datacenters' cores, "
		"each direction"},
	{.name = "wan_latency", .type = CFG_T_TIME, .def = "10ms",
	 .min = "0ns", .max = "10s",
	 .offset = offsetof(net_dc_params, wan_latency_ns),
	 .doc = "one-way latency of each WAN link"},
};

static const cfg_section dc_network_section = {
	.path = "datacenter.network",
	.doc = "the network beyond the fabric: rack latency, datacenters and "
	       "the WAN between them",
	.params = dc_network_params,
	.nparams = sizeof dc_network_params / sizeof dc_network_params[0]};

static const cfg_section *const sections[] = {&dc_network_section, NULL};

const cfg_section *net_dc_section(void)
{
	return &dc_network_section;
}

const cfg_section *const *net_sections(void)
{
	return sections;
}

uint32_t net_dc_host(const net_dc_params *p, uint64_t d, uint64_t r,
		     uint64_t h)
{
	return (uint32_t)((d * p->racks + r) * p->hosts_per_rack + h);
}

uint32_t net_dc_tor(const net_dc_params *p, uint64_t d, uint64_t r)
{
	uint64_t hosts = p->datacenters * p->racks * p->hosts_per_rack;
	return (uint32_t)(hosts + d * p->racks + r);
}

uint32_t net_dc_core(const net_dc_params *p, uint64_t d)
{
	uint64_t hosts = p->datacenters * p->racks * p->hosts_per_rack;
	return (uint32_t)(hosts + p->datacenters * p->racks + d);
}

static bool rate_ok(uint64_t bps)
{
	return bps >= 1 && bps <= NET_LINK_MAX_BPS;
}

static bool params_ok(const net_dc_params *p)
{
	if (p->datacenters == 0 || p->datacenters > NET_DC_MAX_DATACENTERS ||
	    p->racks == 0 || p->hosts_per_rack == 0)
		return false;
	/* Each factor is checked against the bound divided by the others, so
	 * that the product cannot wrap before it is compared. */
	if (p->racks > NET_DC_MAX_HOSTS / p->datacenters ||
	    p->hosts_per_rack > NET_DC_MAX_HOSTS / (p->datacenters * p->racks))
		return false;
	if (!rate_ok(p->nic_bps) || !rate_ok(p->uplink_bps))
		return false;
	return p->datacenters == 1 || rate_ok(p->wan_bps);
}

/* The node name prefix of datacenter d: none when there is only one, so
 * that single-datacenter names match datacenter/'s "rackR/hostH". */
static char *dc_name(const net_dc_params *p, uint64_t d, const char *rest)
{
	if (p->datacenters == 1)
		return sim_xstrdup(rest);
	return sim_xasprintf("dc%llu/%s", (unsigned long long)d, rest);
}

static void add_node(net_topo *t, net_node_kind kind, char *name)
{
	if (net_topo_node_add(t, kind, name, NULL) != 0)
		sim_panic("net_topo_create_dc: cannot add node '%s'", name);
	free(name);
}

static void add_link(net_topo *t, uint32_t a, uint32_t b, uint64_t bps,
		     uint64_t up_ns, uint64_t down_ns)
{
	if (net_topo_link_add_asym(t, a, b, bps, bps, up_ns, down_ns, NULL) !=
	    0)
		sim_panic("net_topo_create_dc: cannot link nodes %u and %u", a,
			  b);
}

int net_topo_create_dc(const net_dc_params *p, net_topo **out)
{
	*out = NULL;
	if (!params_ok(p))
		return SIM_EINPUT;
	net_topo *t = net_topo_create();
	uint64_t D = p->datacenters, R = p->racks, H = p->hosts_per_rack;
	for (uint64_t d = 0; d < D; d++)
		for (uint64_t r = 0; r < R; r++)
			for (uint64_t h = 0; h < H; h++) {
				char *s = sim_xasprintf(
					"rack%llu/host%llu",
					(unsigned long long)r,
					(unsigned long long)h);
				add_node(t, NET_NODE_HOST, dc_name(p, d, s));
				free(s);
			}
	for (uint64_t d = 0; d < D; d++)
		for (uint64_t r = 0; r < R; r++) {
			char *s = sim_xasprintf("rack%llu/tor",
						(unsigned long long)r);
			add_node(t, NET_NODE_SWITCH, dc_name(p, d, s));
			free(s);
		}
	for (uint64_t d = 0; d < D; d++)
		add_node(t, NET_NODE_SWITCH, dc_name(p, d, "core"));

	/* A route between hosts crosses each tier once going up and once
	 * coming down, so giving the upward direction the odd nanosecond
	 * makes every route's latency sum exactly to the configured one. */
	uint64_t rack_up = p->rack_latency_ns - p->rack_latency_ns / 2;
	uint64_t rack_down = p->rack_latency_ns / 2;
	uint64_t fab_up = p->fabric_latency_ns - p->fabric_latency_ns / 2;
	uint64_t fab_down = p->fabric_latency_ns / 2;
	for (uint64_t d = 0; d < D; d++)
		for (uint64_t r = 0; r < R; r++)
			for (uint64_t h = 0; h < H; h++)
				add_link(t, net_dc_host(p, d, r, h),
					 net_dc_tor(p, d, r), p->nic_bps,
					 rack_up, rack_down);
	for (uint64_t d = 0; d < D; d++)
		for (uint64_t r = 0; r < R; r++)
			add_link(t, net_dc_tor(p, d, r), net_dc_core(p, d),
				 p->uplink_bps, fab_up, fab_down);
	for (uint64_t i = 0; i < D; i++)
		for (uint64_t j = i + 1; j < D; j++)
			add_link(t, net_dc_core(p, i), net_dc_core(p, j),
				 p->wan_bps, p->wan_latency_ns,
				 p->wan_latency_ns);
	topo_set_dc(t, p);
	*out = t;
	return 0;
}

/* ---- routes without a search --------------------------------------------- */

/* A node's place in the fabric: its tier (0 host, 1 ToR, 2 core), its
 * datacenter, and the full-duplex link to its parent (hosts and ToRs),
 * whose even directed link goes up. */
typedef struct dc_place {
	unsigned tier;
	uint64_t dc;
	uint64_t up_link; /* full-duplex index; unused for a core */
	uint32_t parent;
} dc_place;

static dc_place place_of(const net_dc_params *p, uint32_t v)
{
	uint64_t R = p->racks, H = p->hosts_per_rack;
	uint64_t hosts = p->datacenters * R * H, tors = p->datacenters * R;
	if (v < hosts)
		return (dc_place){0, v / H / R, v, (uint32_t)(hosts + v / H)};
	if (v < hosts + tors) {
		uint64_t j = v - hosts; /* d·R + r */
		return (dc_place){1, j / R, hosts + j,
				  (uint32_t)(hosts + tors + j / R)};
	}
	return (dc_place){2, v - hosts - tors, 0, 0};
}

/* The full-duplex index of the WAN link between cores i < j: after the
 * host and ToR links, pairs in lexicographic order. */
static uint64_t wan_link(const net_dc_params *p, uint64_t i, uint64_t j)
{
	uint64_t D = p->datacenters, R = p->racks, H = p->hosts_per_rack;
	return D * R * H + D * R + i * D - i * (i + 1) / 2 + (j - i - 1);
}

/*
 * The fabric is a tree in each datacenter (hosts under ToRs under the
 * core) plus a full mesh of cores, so between two nodes there is exactly
 * one shortest path: up from src to the lowest tier where the two meet
 * (the lowest common ancestor in one datacenter; the cores, joined by
 * their direct WAN link, across two), then down to dst. Any other path
 * revisits a tier or crosses a third core, and is longer. Being the only
 * shortest path, it is the one net_topo_path's rule picks.
 */
size_t dc_route(const net_dc_params *p, uint32_t src, uint32_t dst,
		uint32_t *links)
{
	/* The chains up to each side's core, as nodes and uplinks. */
	uint32_t up_a[3], up_b[3], node_a[3], node_b[3];
	size_t na = 0, nb = 0;
	dc_place a = place_of(p, src), b = place_of(p, dst);
	uint64_t dc_a = a.dc, dc_b = b.dc;
	for (uint32_t v = src;;) {
		dc_place x = place_of(p, v);
		node_a[na] = v;
		if (x.tier == 2)
			break;
		up_a[na++] = (uint32_t)(2 * x.up_link);
		v = x.parent;
	}
	for (uint32_t v = dst;;) {
		dc_place x = place_of(p, v);
		node_b[nb] = v;
		if (x.tier == 2)
			break;
		up_b[nb++] = (uint32_t)(2 * x.up_link);
		v = x.parent;
	}
	/* Within a datacenter, climb only to the lowest common node: the
	 * chains end in the same core, so trim their common tops. */
	size_t ta = na, tb = nb;
	if (dc_a == dc_b)
		while (ta > 0 && tb > 0 && node_a[ta - 1] == node_b[tb - 1]) {
			ta--;
			tb--;
		}
	size_t n = 0;
	for (size_t i = 0; i < ta; i++)
		links[n++] = up_a[i];
	if (dc_a != dc_b) {
		uint64_t lo = dc_a < dc_b ? dc_a : dc_b;
		uint64_t hi = dc_a < dc_b ? dc_b : dc_a;
		/* Even directed: from the lower core to the higher. */
		links[n++] =
			(uint32_t)(2 * wan_link(p, lo, hi) + (dc_a > dc_b));
	}
	for (size_t i = tb; i-- > 0;)
		links[n++] = up_b[i] + 1;
	return n;
}
