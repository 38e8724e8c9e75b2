/* SPDX-License-Identifier: MIT */
/*
 * Heterogeneous datacenters: host kinds (datacenter.host_kinds), racks
 * given one by one (racks: as a list of {hosts, kind}), and a topology
 * given explicitly (datacenter.topology: nodes and links) for what the
 * generated fabric cannot express. Also builds the world's network from
 * them (dc_topology_build).
 */
#include "dc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kind shown for hosts of racks without kind: (reserved as a name). */
#define DEFAULT_KIND "default"

/* Most racks a list may give, as racks: as a number. */
#define MAX_RACKS 100000u
/* Most topology nodes and links (far below net's bounds). */
#define MAX_TOPO_ITEMS 1000000u

/* A kind's keys: those of datacenter.host (the values it leaves out are
 * datacenter.host's, set before its mapping is read). */
static const cfg_param kind_params[] = {
	{.name = "cpus", .type = CFG_T_UINT, .def = "16", .min = "1",
	 .max = "4096", .offset = offsetof(dc_host_cfg, cpus),
	 .doc = "physical CPUs per host of this kind (default: datacenter.host's)"},
	{.name = "memory", .type = CFG_T_BYTES, .def = "64GiB", .min = "1MiB",
	 .max = "1024TiB", .offset = offsetof(dc_host_cfg, memory_bytes),
	 .doc = "machine memory per host (default: datacenter.host's)"},
	{.name = "nic", .type = CFG_T_RATE, .def = "10Gbit/s",
	 .min = "1kbit/s", .max = "10Tbit/s",
	 .offset = offsetof(dc_host_cfg, nic_bps),
	 .doc = "host NIC bandwidth, its link to the ToR (default: "
		"datacenter.host's)"},
	{.name = "power_model", .type = CFG_T_ENUM, .def = "linear",
	 .choices = dc_power_model_names,
	 .offset = offsetof(dc_host_cfg, power_model),
	 .doc = "linear, table, ml110-g4 or ml110-g5, as datacenter.host's "
		"(default: datacenter.host's; power_idle or power_peak alone "
		"mean linear, a power_table alone means table)"},
	{.name = "power_off_empty", .type = CFG_T_BOOL, .def = "false",
	 .offset = offsetof(dc_host_cfg, power_off_empty),
	 .doc = "a host of this kind without VMs draws 0 W (default: "
		"datacenter.host's)"},
	{.name = "power_idle", .type = CFG_T_FLOAT, .def = "93.7", .min = "0",
	 .max = "100000", .offset = offsetof(dc_host_cfg, power_idle_w),
	 .doc = "watts at 0 % CPU (default: datacenter.host's; <= power_peak)"},
	{.name = "power_peak", .type = CFG_T_FLOAT, .def = "135", .min = "0",
	 .max = "100000", .offset = offsetof(dc_host_cfg, power_peak_w),
	 .doc = "watts at 100 % CPU (default: datacenter.host's)"},
	{.name = "dom0_cpu_per_gbit", .type = CFG_T_FLOAT, .def = "0",
	 .min = "0", .max = "64",
	 .offset = offsetof(dc_host_cfg, dom0_cpu_per_gbit),
	 .doc = "cores dom0 spends per Gbit/s of a VM's network traffic "
		"(default: datacenter.host's)"},
};
static const char *const kind_subsections[] = {"machine", "power_table",
						      NULL};

#define NPARAMS(a) (sizeof(a) / sizeof((a)[0]))

const cfg_section dc_kind_section = {
	.path = "datacenter.host_kinds.NAME",
	.doc = "a kind of host that racks: entries name (kind: NAME); the key "
	       "machine: is reserved for a machine file per kind",
	.params = kind_params, .nparams = NPARAMS(kind_params),
	.subsections = kind_subsections};

static const cfg_param rack_params[] = {
	{.name = "hosts", .type = CFG_T_UINT, .def = NULL, .min = "1",
	 .max = "10000", .offset = offsetof(dc_rack_cfg, hosts),
	 .doc = "hosts in this rack, named rackR/host0 .. rackR/host<N-1>"},
	{.name = "kind", .type = CFG_T_STRING, .def = "",
	 .offset = offsetof(dc_rack_cfg, kind),
	 .doc = "a key of datacenter.host_kinds; empty: datacenter.host"},
};

const cfg_section dc_rack_section = {
	.path = "datacenter.racks[]",
	.doc = "racks: as a list, an entry per rack (in each datacenter)",
	.params = rack_params, .nparams = NPARAMS(rack_params)};

static const char *const topology_subsections[] = {"nodes", "links", NULL};

const cfg_section dc_topology_section = {
	.path = "datacenter.topology",
	.doc = "replaces the generated fabric: nodes: a list of switch names, "
	       "links: between them and the hosts (rackR/hostH)",
	.params = NULL, .nparams = 0, .subsections = topology_subsections};

static const cfg_param link_params[] = {
	{.name = "a", .type = CFG_T_STRING, .def = NULL,
	 .offset = offsetof(dc_topo_link_cfg, a),
	 .doc = "one end: a host (rackR/hostH) or a name of nodes:"},
	{.name = "b", .type = CFG_T_STRING, .def = NULL,
	 .offset = offsetof(dc_topo_link_cfg, b),
	 .doc = "the other end"},
	{.name = "capacity", .type = CFG_T_RATE, .def = NULL,
	 .min = "1kbit/s", .max = "1000Tbit/s",
	 .offset = offsetof(dc_topo_link_cfg, capacity_bps),
	 .doc = "bandwidth, each direction (full duplex)"},
	{.name = "latency", .type = CFG_T_TIME, .def = "0ns", .min = "0ns",
	 .max = "10s", .offset = offsetof(dc_topo_link_cfg, latency_ns),
	 .doc = "one-way latency, each direction"},
};

const cfg_section dc_topo_link_section = {
	.path = "datacenter.topology.links[]",
	.doc = "a full-duplex link; at most one between two nodes",
	.params = link_params, .nparams = NPARAMS(link_params)};

/* ---- loading ------------------------------------------------------------- */

static void load_kinds(dc_config *c, const cfg_node *kn, sim_diag *d)
{
	dc_datacenter_cfg *dc = &c->datacenter;
	if (!kn)
		return;
	if (cfg_node_kind(kn) != CFG_MAP) {
		cfg_error(d, kn,
			  "datacenter.host_kinds: expected a mapping of kind "
			  "names to {cpus, memory, nic, ...}, got %s",
			  cfg_kind_name(cfg_node_kind(kn)));
		return;
	}
	size_t n = cfg_node_len(kn);
	if (n == 0) {
		cfg_error(d, kn, "datacenter.host_kinds: no kind given "
				 "(expected at least one NAME: {...})");
		return;
	}
	dc->kinds = sim_xcalloc(n, sizeof *dc->kinds);
	for (size_t i = 0; i < n; i++) {
		const cfg_node *key = cfg_node_key(kn, i);
		const cfg_node *map = cfg_node_at(kn, i);
		dc_host_kind *k = &dc->kinds[dc->nkinds++];
		k->name = cfg_node_text(key);
		k->node = map;
		k->host = dc->host;
		if (!sim_name_is_valid(k->name)) {
			cfg_error(d, key,
				  "datacenter.host_kinds: '%s' is not a valid "
				  "kind name (expected %s)",
				  k->name, SIM_NAME_RULE);
			continue;
		}
		if (strcmp(k->name, DEFAULT_KIND) == 0) {
			cfg_error(d, key,
				  "datacenter.host_kinds: the name '" DEFAULT_KIND
				  "' is reserved for the hosts of datacenter.host "
				  "(expected another name)");
			continue;
		}
		/* Validate the whole mapping first (unknown keys, types),
		 * then take only the keys it gives over datacenter.host. */
		dc_host_cfg scratch;
		if (cfg_section_load(&dc_kind_section, map, key, &scratch, d) !=
		    0)
			continue;
		const cfg_node *machine = cfg_map_get(map, "machine");
		if (machine) {
			cfg_error(d, machine,
				  "datacenter.host_kinds.%s.machine: a machine "
				  "file per host kind is not supported yet "
				  "(expected no machine: key; the kind's "
				  "capacities are cpus, memory and nic)",
				  k->name);
			continue;
		}
		for (size_t p = 0; p < NPARAMS(kind_params); p++) {
			const cfg_node *v = cfg_map_get(map, kind_params[p].name);
			if (v)
				cfg_section_param_load(&dc_kind_section,
						       &kind_params[p], v,
						       &k->host, d);
		}
		/* Power: a kind that gives power_idle or power_peak without
		 * a model or table is linear; then the model is checked (and
		 * a named model's table taken) as for datacenter.host. */
		bool has_model = cfg_map_get(map, "power_model") != NULL;
		bool has_table = cfg_map_get(map, "power_table") != NULL;
		bool has_linear = cfg_map_get(map, "power_idle") ||
				  cfg_map_get(map, "power_peak");
		if (has_linear && !has_model && !has_table)
			k->host.power_model = DC_POWER_LINEAR;
		if (has_model || has_table || has_linear) {
			char path[128];
			snprintf(path, sizeof path, "datacenter.host_kinds.%s",
				 k->name);
			dc_host_power_load(&k->host, map, key, path, d);
		}
	}
}

static long find_kind(const dc_datacenter_cfg *dc, const char *name)
{
	for (size_t i = 0; i < dc->nkinds; i++)
		if (strcmp(dc->kinds[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void report_unknown_kind(const dc_datacenter_cfg *dc,
				const cfg_node *at, const char *name,
				sim_diag *d)
{
	if (dc->nkinds == 0) {
		cfg_error(d, at,
			  "datacenter.racks[].kind: unknown host kind '%s' "
			  "(expected a key of datacenter.host_kinds, which "
			  "is not given)",
			  name);
		return;
	}
	const char **names = sim_xcalloc(dc->nkinds + 1, sizeof *names);
	size_t len = 0;
	for (size_t i = 0; i < dc->nkinds; i++) {
		names[i] = dc->kinds[i].name;
		len += strlen(names[i]) + 2;
	}
	const char *near = sim_suggest(name, names);
	if (near) {
		cfg_error(d, at,
			  "datacenter.racks[].kind: unknown host kind '%s' "
			  "(did you mean '%s'?)",
			  name, near);
	} else {
		char *list = sim_xcalloc(len + 1, 1);
		for (size_t i = 0; i < dc->nkinds; i++) {
			if (i)
				strcat(list, ", ");
			strcat(list, names[i]);
		}
		cfg_error(d, at,
			  "datacenter.racks[].kind: unknown host kind '%s' "
			  "(expected one of: %s)",
			  name, list);
		free(list);
	}
	free(names);
}

static void load_racks(dc_config *c, const cfg_node *dcn, const cfg_node *rn,
		       sim_diag *d)
{
	dc_datacenter_cfg *dc = &c->datacenter;
	const cfg_node *hpr = cfg_map_get(dcn, "hosts_per_rack");
	if (hpr)
		cfg_error(d, cfg_map_get(dcn, "hosts_per_rack") ? hpr : rn,
			  "datacenter.hosts_per_rack: not with racks: as a "
			  "list (expected each rack's hosts: in its entry)");
	size_t n = cfg_node_len(rn);
	if (n == 0 || n > MAX_RACKS) {
		cfg_error(d, rn,
			  "datacenter.racks: %zu entries (expected 1 to %u "
			  "racks, each {hosts: N, kind: NAME})",
			  n, MAX_RACKS);
		return;
	}
	dc->rack_list = sim_xcalloc(n, sizeof *dc->rack_list);
	dc->racks = n;
	dc->hosts_per_rack = 0;
	for (size_t i = 0; i < n; i++) {
		const cfg_node *item = cfg_node_at(rn, i);
		dc_rack_cfg *r = &dc->rack_list[i];
		r->node = item;
		r->kind_index = SIZE_MAX;
		if (cfg_section_load(&dc_rack_section, item, item, r, d) != 0)
			continue;
		if (r->hosts > dc->hosts_per_rack)
			dc->hosts_per_rack = r->hosts;
		if (r->kind[0] == '\0')
			continue;
		long k = find_kind(dc, r->kind);
		if (k < 0)
			report_unknown_kind(dc, cfg_map_get(item, "kind"),
					    r->kind, d);
		else
			r->kind_index = (size_t)k;
	}
}

static void load_topology(dc_config *c, const cfg_node *tn, sim_diag *d)
{
	if (cfg_section_load(&dc_topology_section, tn, tn, NULL, d) != 0)
		return;
	dc_topology_cfg *t = sim_xcalloc(1, sizeof *t);
	c->datacenter.topology = t;
	t->node = tn;
	const cfg_node *nodes = cfg_map_get(tn, "nodes");
	const cfg_node *links = cfg_map_get(tn, "links");
	if (nodes && cfg_node_kind(nodes) != CFG_SEQ) {
		cfg_error(d, nodes,
			  "datacenter.topology.nodes: expected a list of switch "
			  "names, got %s",
			  cfg_kind_name(cfg_node_kind(nodes)));
		return;
	}
	if (!links || cfg_node_kind(links) != CFG_SEQ ||
	    cfg_node_len(links) == 0) {
		cfg_error(d, links ? links : tn,
			  "datacenter.topology.links: expected a non-empty "
			  "list of {a, b, capacity, latency}");
		return;
	}
	size_t nn = nodes ? cfg_node_len(nodes) : 0;
	size_t nl = cfg_node_len(links);
	if (nn > MAX_TOPO_ITEMS || nl > MAX_TOPO_ITEMS) {
		cfg_error(d, nn > MAX_TOPO_ITEMS ? nodes : links,
			  "datacenter.topology: more than %u entries (expected "
			  "a smaller topology)",
			  MAX_TOPO_ITEMS);
		return;
	}
	t->nodes = sim_xcalloc(nn ? nn : 1, sizeof *t->nodes);
	t->node_nodes = sim_xcalloc(nn ? nn : 1, sizeof *t->node_nodes);
	for (size_t i = 0; i < nn; i++) {
		const cfg_node *x = cfg_node_at(nodes, i);
		const char *name = cfg_node_text(x);
		if (cfg_node_kind(x) != CFG_SCALAR || !name || !*name ||
		    strcspn(name, " \t\r\n") != strlen(name) ||
		    strlen(name) >= 32) {
			cfg_error(d, x,
				  "datacenter.topology.nodes: expected a switch "
				  "name (1 to 31 characters, no spaces)");
			continue;
		}
		t->node_nodes[t->nnodes] = x;
		t->nodes[t->nnodes++] = name;
	}
	t->links = sim_xcalloc(nl, sizeof *t->links);
	for (size_t i = 0; i < nl; i++) {
		const cfg_node *x = cfg_node_at(links, i);
		dc_topo_link_cfg *l = &t->links[t->nlinks];
		if (cfg_section_load(&dc_topo_link_section, x, x, l, d) != 0)
			continue;
		l->node = x;
		t->nlinks++;
	}
}

void dc_layout_load(dc_config *c, const cfg_node *dcn, sim_diag *d)
{
	load_kinds(c, cfg_map_get(dcn, "host_kinds"), d);
	const cfg_node *rn = cfg_map_get(dcn, "racks");
	if (rn && cfg_node_kind(rn) == CFG_SEQ)
		load_racks(c, dcn, rn, d);
	const cfg_node *tn = cfg_map_get(dcn, "topology");
	if (tn)
		load_topology(c, tn, d);
}

void dc_layout_free(dc_datacenter_cfg *dc)
{
	free(dc->kinds);
	free(dc->rack_list);
	if (dc->topology) {
		free(dc->topology->nodes);
		free(dc->topology->node_nodes);
		free(dc->topology->links);
		free(dc->topology);
	}
}

const dc_host_cfg *dc_config_rack_host(const dc_config *c, uint64_t r)
{
	const dc_datacenter_cfg *dc = &c->datacenter;
	if (dc->rack_list && dc->rack_list[r].kind_index != SIZE_MAX)
		return &dc->kinds[dc->rack_list[r].kind_index].host;
	return &dc->host;
}

uint64_t dc_config_rack_hosts(const dc_config *c, uint64_t r)
{
	const dc_datacenter_cfg *dc = &c->datacenter;
	return dc->rack_list ? dc->rack_list[r].hosts : dc->hosts_per_rack;
}

/* ---- building -------------------------------------------------------------- */

/* Whether net_topo_create_dc builds c's network: no topology, and every
 * rack with the same hosts and NIC. */
static bool fabric_is_uniform(const dc_config *c)
{
	const dc_datacenter_cfg *dc = &c->datacenter;
	if (dc->topology)
		return false;
	for (uint64_t r = 0; r < dc->racks; r++)
		if (dc_config_rack_hosts(c, r) != dc->hosts_per_rack ||
		    dc_config_rack_host(c, r)->nic_bps != dc->host.nic_bps)
			return false;
	return true;
}

/* Adds the hosts of c to t, rack-major over all datacenters, named as
 * net_topo_create_dc names them. */
static void add_hosts(const dc_config *c, net_topo *t)
{
	const net_dc_params *p = &c->datacenter.network;
	char name[96];
	for (uint64_t dcx = 0; dcx < p->datacenters; dcx++)
		for (uint64_t r = 0; r < c->datacenter.racks; r++)
			for (uint64_t h = 0; h < dc_config_rack_hosts(c, r);
			     h++) {
				if (p->datacenters > 1)
					snprintf(name, sizeof name,
						 "dc%llu/rack%llu/host%llu",
						 (unsigned long long)dcx,
						 (unsigned long long)r,
						 (unsigned long long)h);
				else
					snprintf(name, sizeof name,
						 "rack%llu/host%llu",
						 (unsigned long long)r,
						 (unsigned long long)h);
				if (net_topo_node_add(t, NET_NODE_HOST, name,
						      NULL) != 0)
					sim_panic("host '%s' refused", name);
			}
}

static void add_switch(net_topo *t, const net_dc_params *p, uint64_t dcx,
		       const char *rest)
{
	char name[96];
	if (p->datacenters > 1)
		snprintf(name, sizeof name, "dc%llu/%s",
			 (unsigned long long)dcx, rest);
	else
		snprintf(name, sizeof name, "%s", rest);
	if (net_topo_node_add(t, NET_NODE_SWITCH, name, NULL) != 0)
		sim_panic("switch '%s' refused", name);
}

static void link_or_panic(net_topo *t, uint32_t a, uint32_t b, uint64_t bps,
			  uint64_t up_ns, uint64_t down_ns)
{
	if (net_topo_link_add_asym(t, a, b, bps, bps, up_ns, down_ns, NULL) !=
	    0)
		sim_panic("link %u-%u refused", a, b);
}

/* net_topo_create_dc's fabric with each rack's own host count and NIC:
 * the same names, numbering, link order and latency split (net.h). */
static net_topo *build_generated(const dc_config *c)
{
	const net_dc_params *p = &c->datacenter.network;
	uint64_t D = p->datacenters, R = c->datacenter.racks;
	uint64_t per_dc = 0;
	for (uint64_t r = 0; r < R; r++)
		per_dc += dc_config_rack_hosts(c, r);
	uint64_t hosts = D * per_dc;
	net_topo *t = net_topo_create();
	add_hosts(c, t);
	char rest[48];
	for (uint64_t dcx = 0; dcx < D; dcx++)
		for (uint64_t r = 0; r < R; r++) {
			snprintf(rest, sizeof rest, "rack%llu/tor",
				 (unsigned long long)r);
			add_switch(t, p, dcx, rest);
		}
	for (uint64_t dcx = 0; dcx < D; dcx++)
		add_switch(t, p, dcx, "core");
	uint64_t rack_up = p->rack_latency_ns - p->rack_latency_ns / 2;
	uint64_t rack_down = p->rack_latency_ns / 2;
	uint64_t fab_up = p->fabric_latency_ns - p->fabric_latency_ns / 2;
	uint64_t fab_down = p->fabric_latency_ns / 2;
	uint64_t host = 0;
	for (uint64_t dcx = 0; dcx < D; dcx++)
		for (uint64_t r = 0; r < R; r++) {
			uint32_t tor = (uint32_t)(hosts + dcx * R + r);
			uint64_t nic = dc_config_rack_host(c, r)->nic_bps;
			for (uint64_t h = 0; h < dc_config_rack_hosts(c, r); h++)
				link_or_panic(t, (uint32_t)host++, tor, nic,
					      rack_up, rack_down);
		}
	for (uint64_t dcx = 0; dcx < D; dcx++)
		for (uint64_t r = 0; r < R; r++)
			link_or_panic(t, (uint32_t)(hosts + dcx * R + r),
				      (uint32_t)(hosts + D * R + dcx),
				      p->uplink_bps, fab_up, fab_down);
	for (uint64_t i = 0; i < D; i++)
		for (uint64_t j = i + 1; j < D; j++)
			link_or_panic(t, (uint32_t)(hosts + D * R + i),
				      (uint32_t)(hosts + D * R + j), p->wan_bps,
				      p->wan_latency_ns, p->wan_latency_ns);
	return t;
}

/* A link's unordered pair of nodes, for finding repeated pairs. */
typedef struct pair {
	uint32_t lo, hi;
	size_t link; /* index in topology.links */
} pair;

static int pair_cmp(const void *x, const void *y)
{
	const pair *a = x, *b = y;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return a->link < b->link ? -1 : a->link > b->link;
}

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* An endpoint of a link: its node id, or reports it. */
static long endpoint(const net_topo *t, const dc_topology_cfg *tc,
		     const dc_topo_link_cfg *l, const char *key, sim_diag *d)
{
	const char *name = strcmp(key, "a") == 0 ? l->a : l->b;
	long id = net_topo_node_find(t, name);
	if (id >= 0)
		return id;
	const char **names = sim_xcalloc(tc->nnodes + 1, sizeof *names);
	for (size_t i = 0; i < tc->nnodes; i++)
		names[i] = tc->nodes[i];
	const char *near = sim_suggest(name, names);
	if (near)
		cfg_error(d, cfg_map_get(l->node, key),
			  "datacenter.topology.links[].%s: unknown node '%s' "
			  "(did you mean '%s'?)",
			  key, name, near);
	else
		cfg_error(d, cfg_map_get(l->node, key),
			  "datacenter.topology.links[].%s: unknown node '%s' "
			  "(expected a host rackR/hostH or a name of "
			  "topology.nodes)",
			  key, name);
	free(names);
	return -1;
}

static net_topo *build_explicit(const dc_config *c, sim_diag *d)
{
	const dc_topology_cfg *tc = c->datacenter.topology;
	unsigned before = d->errors;
	net_topo *t = net_topo_create();
	add_hosts(c, t);
	size_t nhosts = net_topo_node_count(t);
	for (size_t i = 0; i < tc->nnodes; i++) {
		long prev = net_topo_node_find(t, tc->nodes[i]);
		if (prev >= 0 && (size_t)prev < nhosts) {
			cfg_error(d, tc->node_nodes[i],
				  "datacenter.topology.nodes: '%s' is a host's "
				  "name (expected a switch name; hosts come "
				  "from racks:)",
				  tc->nodes[i]);
			continue;
		}
		if (prev >= 0) {
			const cfg_node *fn = tc->node_nodes[prev - (long)nhosts];
			cfg_error(d, tc->node_nodes[i],
				  "datacenter.topology.nodes: duplicate node "
				  "'%s' (first at %u:%u; expected unique "
				  "names)",
				  tc->nodes[i], cfg_node_line(fn),
				  cfg_node_col(fn));
			/* Keep ids aligned with the list: a placeholder. */
		}
		char alias[48];
		snprintf(alias, sizeof alias, " dup%zu", i);
		if (net_topo_node_add(t, NET_NODE_SWITCH,
				      prev >= 0 ? alias : tc->nodes[i],
				      NULL) != 0)
			sim_panic("topology node '%s' refused", tc->nodes[i]);
	}
	size_t nnodes = net_topo_node_count(t);
	pair *pairs = sim_xcalloc(tc->nlinks ? tc->nlinks : 1, sizeof *pairs);
	size_t npairs = 0;
	for (size_t i = 0; i < tc->nlinks; i++) {
		const dc_topo_link_cfg *l = &tc->links[i];
		long a = endpoint(t, tc, l, "a", d);
		long b = endpoint(t, tc, l, "b", d);
		if (a < 0 || b < 0)
			continue;
		if (a == b) {
			cfg_error(d, l->node,
				  "datacenter.topology.links[]: a link from "
				  "'%s' to itself (expected two different "
				  "nodes)",
				  l->a);
			continue;
		}
		pairs[npairs++] = (pair){(uint32_t)(a < b ? a : b),
					 (uint32_t)(a < b ? b : a), i};
	}
	qsort(pairs, npairs, sizeof *pairs, pair_cmp);
	for (size_t i = 1; i < npairs; i++)
		if (pairs[i].lo == pairs[i - 1].lo &&
		    pairs[i].hi == pairs[i - 1].hi) {
			const dc_topo_link_cfg *l = &tc->links[pairs[i].link];
			const cfg_node *fn = tc->links[pairs[i - 1].link].node;
			cfg_error(d, l->node,
				  "datacenter.topology.links[]: duplicate link "
				  "between '%s' and '%s' (first at %u:%u; "
				  "expected one link per pair of nodes: give it "
				  "the sum of the capacities)",
				  l->a, l->b, cfg_node_line(fn),
				  cfg_node_col(fn));
		}
	free(pairs);
	if (d->errors != before) {
		net_topo_destroy(t);
		return NULL;
	}
	uint32_t *parent = sim_xcalloc(nnodes, sizeof *parent);
	for (size_t i = 0; i < nnodes; i++)
		parent[i] = (uint32_t)i;
	for (size_t i = 0; i < tc->nlinks; i++) {
		const dc_topo_link_cfg *l = &tc->links[i];
		uint32_t a = (uint32_t)net_topo_node_find(t, l->a);
		uint32_t b = (uint32_t)net_topo_node_find(t, l->b);
		if (net_topo_link_add(t, a, b, l->capacity_bps, l->latency_ns,
				      NULL) != 0)
			sim_panic("topology link %zu refused", i);
		parent[uf_find(parent, a)] = uf_find(parent, b);
	}
	/* Every host must reach the first one (so every other host). */
	size_t cut = 0;
	const char *first_cut = NULL;
	for (size_t h = 1; h < nhosts; h++)
		if (uf_find(parent, (uint32_t)h) != uf_find(parent, 0)) {
			if (!first_cut)
				first_cut = net_topo_node_name(t, (uint32_t)h);
			cut++;
		}
	free(parent);
	if (cut) {
		cfg_error(d, tc->node,
			  "datacenter.topology: host '%s'%s has no route to "
			  "'%s' (%zu host%s cut off; expected links joining "
			  "every host of racks:)",
			  first_cut, cut > 1 ? " (and others)" : "",
			  net_topo_node_name(t, 0), cut, cut == 1 ? "" : "s");
		net_topo_destroy(t);
		return NULL;
	}
	return t;
}

int dc_topology_build(const dc_config *c, net_topo **out, sim_diag *d)
{
	*out = NULL;
	if (c->datacenter.topology) {
		*out = build_explicit(c, d);
		return *out ? 0 : SIM_EINPUT;
	}
	if (fabric_is_uniform(c)) {
		net_dc_params p = c->datacenter.network;
		p.hosts_per_rack = c->datacenter.hosts_per_rack;
		/* The config's ranges keep every count and rate within what
		 * the builder takes, so a refusal is a broken invariant. */
		if (net_topo_create_dc(&p, out) != 0)
			sim_panic("datacenter topology refused for a validated "
				  "config");
		return 0;
	}
	*out = build_generated(c);
	return 0;
}
