/* SPDX-License-Identifier: MIT */
/*
 * The experiment's configuration as datacenter/ sees it: the parameter
 * tables of `experiment`, `datacenter` and `vms`, and their validation into
 * a dc_config. Placement is checked here too, so that a config that loads
 * is a config that runs.
 */
#include "dc_internal.h"

#include <stdlib.h>
#include <string.h>

const char *const dc_top_keys[] = {"experiment", "datacenter", "vms",
				   "migrations", "results", "policy",
				   "machine", "sweep", "replications", NULL};

static const cfg_param experiment_params[] = {
	{.name = "name", .type = CFG_T_STRING, .def = "experiment",
	 .offset = offsetof(dc_experiment_cfg, name),
	 .doc = "names the results directory (results/NAME) and the runs; "
		"a name: " SIM_NAME_RULE},
	{.name = "seed", .type = CFG_T_UINT, .def = "1", .min = "0",
	 .max = "9223372036854775807",
	 .offset = offsetof(dc_experiment_cfg, seed),
	 .doc = "master seed; every random stream derives from it"},
	{.name = "duration", .type = CFG_T_TIME, .def = "60s", .min = "1ns",
	 .offset = offsetof(dc_experiment_cfg, duration_ns),
	 .doc = "simulated time each run covers"},
	{.name = "sample_interval", .type = CFG_T_TIME, .def = "10s",
	 .min = "1us", .offset = offsetof(dc_experiment_cfg, sample_interval_ns),
	 .doc = "period of the host monitor's samples (host_samples and "
		"link_samples; results: may give each its own)"},
};

static const char *const placement_choices[] = {"first-fit", "worst-fit", NULL};
static const char *const datacenter_subsections[] = {
	"host", "fabric", "network", "host_kinds", "topology", NULL};
/* The same with racks: as a list, which topology.c reads. */
static const char *const datacenter_list_subsections[] = {
	"host", "fabric", "network", "host_kinds", "topology", "racks", NULL};

static const cfg_param datacenter_params[] = {
	{.name = "racks", .type = CFG_T_UINT, .def = "2", .min = "1",
	 .max = "100000", .offset = offsetof(dc_datacenter_cfg, racks),
	 .doc = "number of racks (in each datacenter), all alike; or a list "
		"with an entry {hosts: N, kind: NAME} per rack "
		"(datacenter.racks[])"},
	{.name = "hosts_per_rack", .type = CFG_T_UINT, .def = "4", .min = "1",
	 .max = "10000", .offset = offsetof(dc_datacenter_cfg, hosts_per_rack),
	 .doc = "hosts in each rack, named rackR/hostH (only with racks: as "
		"a number)"},
	{.name = "placement", .type = CFG_T_ENUM, .def = "first-fit",
	 .choices = placement_choices,
	 .offset = offsetof(dc_datacenter_cfg, placement),
	 .doc = "where VMs without a host: go (first-fit in host order, or "
		"worst-fit by free memory)"},
};

static const cfg_param host_params[] = {
	{.name = "cpus", .type = CFG_T_UINT, .def = "16", .min = "1",
	 .max = "4096", .offset = offsetof(dc_host_cfg, cpus),
	 .doc = "physical CPUs per host"},
	{.name = "memory", .type = CFG_T_BYTES, .def = "64GiB", .min = "1MiB",
	 .max = "1024TiB", .offset = offsetof(dc_host_cfg, memory_bytes),
	 .doc = "machine memory per host"},
	{.name = "nic", .type = CFG_T_RATE, .def = "10Gbit/s",
	 .min = "1kbit/s", .max = "10Tbit/s",
	 .offset = offsetof(dc_host_cfg, nic_bps),
	 .doc = "host NIC bandwidth"},
	/* Power (power.c; values and sources in docs/references.md). */
	{.name = "power_model", .type = CFG_T_ENUM, .def = "linear",
	 .choices = dc_power_model_names,
	 .offset = offsetof(dc_host_cfg, power_model),
	 .doc = "linear (power_idle to power_peak), table (power_table: 11 "
		"watts at 0 %, 10 %, ..., 100 % CPU, linear between), or the "
		"SPECpower table of the HP ProLiant ml110-g4 or ml110-g5 "
		"[BeloglazovBuyya12]; a power_table alone means table"},
	/* [BeloglazovBuyya12]'s HP ProLiant ML110 G5 (SPECpower table as
	 * CloudSim ships it): 93.7 W idle, 135 W at 100 % CPU. */
	{.name = "power_idle", .type = CFG_T_FLOAT, .def = "93.7", .min = "0",
	 .max = "100000", .offset = offsetof(dc_host_cfg, power_idle_w),
	 .doc = "watts drawn at 0 % CPU (linear power model; <= power_peak)"},
	{.name = "power_peak", .type = CFG_T_FLOAT, .def = "135", .min = "0",
	 .max = "100000", .offset = offsetof(dc_host_cfg, power_peak_w),
	 .doc = "watts drawn at 100 % CPU (linear power model)"},
	{.name = "power_off_empty", .type = CFG_T_BOOL, .def = "false",
	 .offset = offsetof(dc_host_cfg, power_off_empty),
	 .doc = "a host without VMs (none resident or migrating in) is off "
		"and draws 0 W, as in [BeloglazovBuyya12]; false: every host "
		"always on"},
	/* [Wood07]: dom0 does guests' I/O and Sandpiper charges that CPU
	 * back to them; no published per-bit figure (docs/references.md). */
	{.name = "dom0_cpu_per_gbit", .type = CFG_T_FLOAT, .def = "0",
	 .min = "0", .max = "64",
	 .offset = offsetof(dc_host_cfg, dom0_cpu_per_gbit),
	 .doc = "cores dom0 spends per Gbit/s of a VM's network traffic "
		"(sent + received), taken from the host's cores before the "
		"guests share them and charged back to the VM's CPU in the "
		"policy's view [Wood07]; 0: not modelled (no published "
		"figure: measure your platform's)"},
};

static const char *const host_subsections[] = {"power_table", NULL};

static const cfg_param fabric_params[] = {
	{.name = "uplink", .type = CFG_T_RATE, .def = "40Gbit/s",
	 .min = "1kbit/s", .max = "100Tbit/s",
	 .offset = offsetof(dc_fabric_cfg, uplink_bps),
	 .doc = "bandwidth of each rack's uplink to the core"},
	{.name = "latency", .type = CFG_T_TIME, .def = "5us", .min = "0ns",
	 .max = "10s", .offset = offsetof(dc_fabric_cfg, latency_ns),
	 .doc = "one-way latency added between racks (ToR to ToR)"},
};

static const cfg_param vm_params[] = {
	{.name = "name", .type = CFG_T_STRING, .def = NULL,
	 .offset = offsetof(dc_vm_cfg, name),
	 .doc = "unique VM name: " SIM_NAME_RULE},
	{.name = "host", .type = CFG_T_STRING, .def = "",
	 .offset = offsetof(dc_vm_cfg, host),
	 .doc = "initial host (rackR/hostH); empty: datacenter.placement "
		"chooses"},
	{.name = "vcpus", .type = CFG_T_UINT, .def = "1", .min = "1",
	 .max = "1024", .offset = offsetof(dc_vm_cfg, vcpus),
	 .doc = "virtual CPUs"},
	{.name = "memory", .type = CFG_T_BYTES, .def = "1GiB", .min = "4KiB",
	 .max = "1024TiB", .offset = offsetof(dc_vm_cfg, memory_bytes),
	 .doc = "guest-physical memory"},
	{.name = "count", .type = CFG_T_UINT, .def = "0", .min = "0",
	 .max = "1000000", .offset = offsetof(dc_vm_cfg, count),
	 .doc = "0: one VM; N: a group of N alike VMs named NAME0 .. NAME<N-1> "
		"(a migration naming the group moves each member)"},
};

#define NPARAMS(a) (sizeof(a) / sizeof((a)[0]))

static const cfg_section experiment_section = {
	.path = "experiment", .doc = "what the run is called, its seed and length",
	.params = experiment_params, .nparams = NPARAMS(experiment_params)};
static const cfg_section datacenter_section = {
	.path = "datacenter",
	.doc = "racks of hosts (alike, or of host_kinds), the fabric or an "
	       "explicit topology",
	.params = datacenter_params, .nparams = NPARAMS(datacenter_params),
	.subsections = datacenter_subsections};
/* racks: as a list: the other keys (hosts_per_rack is refused after). */
static const cfg_section datacenter_list_section = {
	.path = "datacenter", .doc = "racks of hosts",
	.params = datacenter_params + 1, .nparams = NPARAMS(datacenter_params) - 1,
	.subsections = datacenter_list_subsections};
static const cfg_section host_section = {
	.path = "datacenter.host", .doc = "every host's capacities and power",
	.params = host_params, .nparams = NPARAMS(host_params),
	.subsections = host_subsections};
static const cfg_section fabric_section = {
	.path = "datacenter.fabric", .doc = "the network between racks",
	.params = fabric_params, .nparams = NPARAMS(fabric_params)};
static const char *const vm_subsections[] = {"dirtying", "page_writes",
					     "disk", "traffic", "demand",
					     "utilisation", NULL};
static const cfg_section vm_section = {
	.path = "vms[]",
	.doc = "each entry of the vms: list is one VM, or a group of alike VMs "
	       "(count:); YAML merge keys (<<: *anchor) share settings",
	.params = vm_params, .nparams = NPARAMS(vm_params),
	.subsections = vm_subsections};

const cfg_section *dc_section_at(size_t i)
{
	static const cfg_section *const order[] = {
		&experiment_section, &datacenter_section, &host_section,
		&fabric_section, NULL /* net_dc_section() */, &dc_kind_section,
		&dc_rack_section, &dc_topology_section, &dc_topo_link_section,
		&vm_section, NULL /* mem */, NULL /* wl */, &dc_disk_section,
		&dc_traffic_section, &dc_migration_section, NULL /* mig */,
		&dc_results_section, &dc_results_tables_section,
		&wl_demand_section, &dc_util_section, NULL /* pol */,
		&dc_machine_section, &dc_machine_sampling_section};
	switch (i) {
	case 4: return net_dc_section();
	case 10: return mem_sections()[0];
	case 11: return wl_sections()[0];
	case 15: return mig_sections()[0];
	case 20: return pol_sections()[0];
	default: return i < sizeof order / sizeof order[0] ? order[i] : NULL;
	}
}

/* The largest world we build; beyond it a typo (racks: 100000 and
 * hosts_per_rack: 10000) would exhaust memory instead of failing clearly. */
#define MAX_HOSTS UINT64_C(1000000)

static void check_top_keys(const cfg_node *root, sim_diag *d)
{
	for (size_t i = 0; i < cfg_node_len(root); i++) {
		const cfg_node *k = cfg_node_key(root, i);
		const char *key = cfg_node_text(k);
		/* x-NAME keys hold anchors to share (x-base: &base {...}),
		 * as in Docker Compose files; vdcsim ignores them. */
		bool known = strncmp(key, "x-", 2) == 0;
		for (size_t j = 0; dc_top_keys[j]; j++)
			known |= strcmp(key, dc_top_keys[j]) == 0;
		if (known)
			continue;
		const char *near = sim_suggest(key, dc_top_keys);
		if (near)
			cfg_error(d, k, "unknown top-level key '%s' (did you mean '%s'?)",
				  key, near);
		else
			cfg_error(d, k,
				  "unknown top-level key '%s' (expected one of: "
				  "experiment, datacenter, vms, migrations, results, "
				  "policy, machine, sweep, replications, or x-NAME for "
				  "anchors)",
				  key);
	}
}

/* Reports name at node n (the value of parameter `what`) unless it
 * follows SIM_NAME_RULE; a long name is shown cut. Returns true if it
 * does. */
static bool check_name(const char *what, const char *name, const cfg_node *n,
		       sim_diag *d)
{
	if (sim_name_is_valid(name))
		return true;
	size_t len = strlen(name);
	int shown = len > 40 ? 40 : (int)len;
	/* Cut at a character boundary, not inside a UTF-8 sequence. */
	while (shown > 0 && shown < (int)len &&
	       ((unsigned char)name[shown] & 0xC0) == 0x80)
		shown--;
	cfg_error(d, n, "%s: '%.*s%s' is not a valid name (expected %s)", what,
		  shown, name, shown < (int)len ? "..." : "", SIM_NAME_RULE);
	return false;
}

/* The most VMs a config may describe (groups included): as MAX_HOSTS, a
 * bound that turns a typo into a message instead of exhausted memory. */
#define MAX_VMS UINT64_C(1000000)

/* The count: of a vms: entry when it is a valid one, else 0 (its errors
 * are reported when the entry is loaded). */
static uint64_t entry_count(const cfg_node *item)
{
	const char *t = cfg_node_text(cfg_map_get(item, "count"));
	uint64_t n;
	const char *why;
	if (!t || cfg_parse_uint(t, &n, &why) != 0 || n > MAX_VMS)
		return 0;
	return n;
}

/* Loads vms[v] from its entry `item`; member k of a group (count > 0, the
 * entry's count) is named after the group. Returns false if it had
 * errors. */
static bool load_vm(dc_config *c, size_t v, const cfg_node *item,
		    uint64_t count, uint64_t member, const char *base_dir,
		    sim_diag *d)
{
	dc_vm_cfg *vm = &c->vms[v];
	vm->node = item;
	vm->group = SIZE_MAX;
	unsigned before = d->errors;
	int vm_rc = cfg_section_load(&vm_section, item, item, vm, d);
	const cfg_node *name = cfg_map_get(item, "name");
	if (count && vm->name) {
		vm->owned_name = sim_xasprintf("%s%llu", vm->name,
					       (unsigned long long)member);
		vm->name = vm->owned_name;
		vm->group = c->ngroups - 1;
	}
	/* Every name read, even of a VM with errors, counts as used (as the
	 * first of its duplicates). */
	size_t first = vm->name ? dc_names_add(c->vm_names, vm->name, v) : v;
	if (vm_rc != 0)
		return false;
	if (cfg_section_load(mem_sections()[0], cfg_map_get(item, "dirtying"),
			     item, &vm->dirtying, d) != 0)
		return false;
	vm->host_node = cfg_map_get(item, "host");
	if (!check_name(count ? "vms[].name (of a group member)"
				  : "vms[].name",
			vm->name, name, d))
		return false;
	dc_guest_load(c, v, item, base_dir, d);
	dc_demand_load(c, v, item, base_dir, d);
	if (first != v) {
		const cfg_node *fn = cfg_map_get(c->vms[first].node, "name");
		cfg_error(d, name,
			  "duplicate VM name '%s' (first used at %u:%u; "
			  "expected unique names)",
			  vm->name, cfg_node_line(fn), cfg_node_col(fn));
	}
	return d->errors == before;
}

static void load_vms(dc_config *c, const cfg_node *root, const char *base_dir,
		     sim_diag *d)
{
	const cfg_node *vms = cfg_map_get(root, "vms");
	if (!vms)
		return;
	if (cfg_node_kind(vms) != CFG_SEQ) {
		cfg_error(d, vms, "vms: expected a sequence of VM mappings, got %s",
			  cfg_kind_name(cfg_node_kind(vms)));
		return;
	}
	size_t nitems = cfg_node_len(vms), ngroups = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < nitems; i++) {
		uint64_t n = entry_count(cfg_node_at(vms, i));
		ngroups += n > 0;
		total += n ? n : 1;
		if (total > MAX_VMS) {
			cfg_error(d, cfg_node_at(vms, i),
				  "vms: more than %llu VMs with this entry "
				  "(expected smaller groups)",
				  (unsigned long long)MAX_VMS);
			return;
		}
	}
	c->nvms = (size_t)total;
	c->vms = sim_xcalloc(c->nvms ? c->nvms : 1, sizeof *c->vms);
	c->vm_names = dc_names_create(c->nvms);
	c->groups = sim_xcalloc(ngroups ? ngroups : 1, sizeof *c->groups);
	c->group_names = dc_names_create(ngroups);
	size_t v = 0;
	for (size_t i = 0; i < nitems; i++) {
		const cfg_node *item = cfg_node_at(vms, i);
		uint64_t n = entry_count(item);
		if (n) {
			dc_vm_group *g = &c->groups[c->ngroups++];
			g->name = cfg_node_text(cfg_map_get(item, "name"));
			g->first = v;
			g->count = (size_t)n;
			g->node = item;
			if (g->name)
				dc_names_add(c->group_names, g->name,
					     c->ngroups - 1);
		}
		/* A member's errors are its entry's: report the first
		 * member's, and load the others only from a clean entry. */
		bool ok = load_vm(c, v, item, n, 0, base_dir, d);
		for (uint64_t k = 1; k < n; k++)
			if (ok)
				ok = load_vm(c, v + k, item, n, k, base_dir, d);
			else
				c->vms[v + k].group = SIZE_MAX;
		v += n ? n : 1;
	}
	/* A group and a VM may not share a name: migrations name either. */
	for (size_t g = 0; g < c->ngroups; g++) {
		const char *gn = c->groups[g].name;
		long other = gn ? dc_names_find(c->vm_names, gn) : -1;
		if (other >= 0) {
			const cfg_node *on = cfg_map_get(c->vms[other].node, "name");
			cfg_error(d, cfg_map_get(c->groups[g].node, "name"),
				  "vms[].name: group '%s' has the name of the VM "
				  "at %u:%u (expected a name of its own)",
				  gn, cfg_node_line(on), cfg_node_col(on));
		}
		long first = gn ? dc_names_find(c->group_names, gn) : -1;
		if (first >= 0 && (size_t)first != g) {
			const cfg_node *fn = cfg_map_get(c->groups[first].node, "name");
			cfg_error(d, cfg_map_get(c->groups[g].node, "name"),
				  "duplicate group name '%s' (first used at "
				  "%u:%u; expected unique names)",
				  gn, cfg_node_line(fn), cfg_node_col(fn));
		}
	}
}

long dc_config_find_group(const dc_config *c, const char *name)
{
	return dc_names_find(c->group_names, name);
}

long dc_config_find_vm(const dc_config *c, const char *name)
{
	return dc_names_find(c->vm_names, name);
}

/* The directory part of path, with its last '/' ("" for a bare name, "/"
 * for a file at the root). A new string. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return sim_xstrdup("");
	size_t n = slash == path ? 1 : (size_t)(slash - path) + 1;
	return sim_xasprintf("%.*s", (int)n, path);
}

int dc_config_load(const cfg_doc *doc, dc_config **out, sim_diag *d)
{
	return dc_config_load_at(doc, NULL, out, d);
}

int dc_config_load_at(const cfg_doc *doc, const char *base_dir,
		      dc_config **out, sim_diag *d)
{
	return dc_config_load_with(doc, base_dir, NULL, out, d);
}

int dc_config_load_with(const cfg_doc *doc, const char *base_dir,
			dc_loader *l, dc_config **out, sim_diag *d)
{
	*out = NULL;
	unsigned before = d->errors;
	const cfg_node *root = cfg_doc_root(doc);
	dc_config *c = sim_xcalloc(1, sizeof *c);
	c->doc = doc;
	c->loader = l;
	/* Trace paths are joined to this prefix: the config file's folder,
	 * so that a config and its traces move together. */
	char *dir;
	if (!base_dir)
		dir = dir_of(cfg_node_file(root));
	else if (*base_dir && base_dir[strlen(base_dir) - 1] != '/')
		dir = sim_xasprintf("%s/", base_dir);
	else
		dir = sim_xstrdup(base_dir);

	check_top_keys(root, d);
	const cfg_node *exn = cfg_map_get(root, "experiment");
	cfg_section_load(&experiment_section, exn, root, &c->experiment, d);
	const cfg_node *name_node = cfg_map_get(exn, "name");
	/* The default name is valid; a given one is checked where it is. */
	if (name_node && cfg_node_kind(name_node) == CFG_SCALAR &&
	    c->experiment.name)
		check_name("experiment.name", c->experiment.name, name_node, d);
	dc_results_load(c, root, d);
	const cfg_node *dcn = cfg_map_get(root, "datacenter");
	const cfg_node *racks_node = cfg_map_get(dcn, "racks");
	bool rack_list = racks_node && cfg_node_kind(racks_node) == CFG_SEQ;
	cfg_section_load(rack_list ? &datacenter_list_section
				   : &datacenter_section,
			 dcn, root, &c->datacenter, d);
	const cfg_node *where = dcn ? dcn : root;
	unsigned host_errors = d->errors;
	const cfg_node *hostn = cfg_map_get(dcn, "host");
	cfg_section_load(&host_section, hostn, where, &c->datacenter.host, d);
	if (d->errors == host_errors)
		dc_host_power_load(&c->datacenter.host, hostn, where,
				   "datacenter.host", d);
	unsigned layout_before = d->errors;
	dc_layout_load(c, dcn, d);
	bool layout_ok = d->errors == layout_before;
	cfg_section_load(&fabric_section, cfg_map_get(dcn, "fabric"), where,
			 &c->datacenter.fabric, d);
	net_dc_params *np = &c->datacenter.network;
	cfg_section_load(net_dc_section(), cfg_map_get(dcn, "network"), where,
			 np, d);
	np->racks = c->datacenter.racks;
	np->hosts_per_rack = c->datacenter.hosts_per_rack;
	np->nic_bps = c->datacenter.host.nic_bps;
	np->uplink_bps = c->datacenter.fabric.uplink_bps;
	np->fabric_latency_ns = c->datacenter.fabric.latency_ns;
	uint64_t per_dc = 0;
	for (uint64_t r = 0; layout_ok && r < c->datacenter.racks; r++)
		per_dc += dc_config_rack_hosts(c, r);
	c->datacenter.nhosts = np->datacenters * per_dc;
	if (d->errors == before && c->datacenter.nhosts > MAX_HOSTS)
		cfg_error(d, where,
			  "datacenter: %llu datacenter(s) x %llu racks of %llu "
			  "hosts in all is more than %llu hosts (expected a "
			  "smaller datacenter)",
			  (unsigned long long)np->datacenters,
			  (unsigned long long)c->datacenter.racks,
			  (unsigned long long)per_dc,
			  (unsigned long long)MAX_HOSTS);
	c->results.host_kinds = c->datacenter.nkinds > 0;
	dc_policy_load(c, root, d);
	load_vms(c, root, dir, d);
	dc_machine_load(c, root, dir, d);
	free(dir);
	dc_traffic_check(c, d);
	c->results.control = dc_control_wanted(c);
	/* Without a control loop its tables are not written (nor merged). */
	if (!c->results.control)
		c->results.tables &= (1u << DC_TABLE_HOST_INTERVALS) - 1;
	dc_migrations_load(c, root, d);

	if (d->errors == before) {
		dc_world *w = NULL;
		if (dc_world_build(c, &w, d) == 0) {
			dc_migrations_check(c, w, d);
			dc_world_destroy(w);
		}
		if (d->errors == before)
			dc_guest_check_migrations(c, d);
	}
	if (d->errors != before) {
		dc_config_destroy(c);
		return SIM_EINPUT;
	}
	*out = c;
	return 0;
}

void dc_config_destroy(dc_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nvms; i++)
		dc_guest_fini(&c->vms[i]);
	free(c->vms);
	free(c->migrations);
	dc_machine_destroy(c->machine);
	dc_utils_destroy(c->utils);
	dc_names_destroy(c->vm_names);
	free(c->groups);
	dc_names_destroy(c->group_names);
	dc_layout_free(&c->datacenter);
	dc_results_free(&c->results);
	free(c);
}
