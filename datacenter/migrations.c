/* SPDX-License-Identifier: MIT */
/*
 * The `migrations:` section: each entry names a VM, a destination host and
 * a time, with the mechanism's knobs (models/network/migration) in the same
 * mapping. A knob left out takes the default of the entry's policy.
 */
#include "dc_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const fidelity_choices[] = {"statistical", "page-exact",
					       NULL};

static const cfg_param migration_params[] = {
	{.name = "vm", .type = CFG_T_STRING, .def = NULL,
	 .offset = offsetof(dc_migration_cfg, vm), .doc = "the VM to migrate"},
	{.name = "to", .type = CFG_T_STRING, .def = NULL,
	 .offset = offsetof(dc_migration_cfg, to),
	 .doc = "destination host (rackR/hostH)"},
	{.name = "at", .type = CFG_T_TIME, .def = "0s",
	 .offset = offsetof(dc_migration_cfg, at_ns),
	 .doc = "simulated time the migration starts"},
	{.name = "fidelity", .type = CFG_T_ENUM, .def = "statistical",
	 .choices = fidelity_choices,
	 .offset = offsetof(dc_migration_cfg, fidelity),
	 .doc = "guest dirtying in expected counts or page-exact (dirty log)"},
};

const char *const dc_migration_knob_names[] = {
	"scheme", "policy", "start_rate", "rate_step", "max_rate", "final_rate",
	"max_rounds", "max_sent_factor", "stop_pages", "downtime_limit", "skip",
	"scan",
	"log_fault_cost", "state_size", "pull_batch", "prepaging",
	"disk_max_rounds", "disk_write_limit", "redirect_time",
	"reservation_cost", "commitment_cost", "activation_cost", NULL};

const cfg_section dc_migration_section = {
	.path = "migrations[]",
	.doc = "each entry of the migrations: list moves one VM; the keys of "
	       "the mechanism (below) go in the same mapping",
	.params = migration_params,
	.nparams = sizeof migration_params / sizeof migration_params[0],
	.subsections = dc_migration_knob_names,
};

static const cfg_param *knob(const char *name)
{
	const cfg_section *s = mig_sections()[0];
	for (size_t i = 0; i < s->nparams; i++)
		if (strcmp(s->params[i].name, name) == 0)
			return &s->params[i];
	return NULL;
}

/* Loads the knobs of one entry: the policy first (with every knob's
 * validation), then the policy's defaults, then the knobs given.
 * `defaults` is mig_params_default's, made once for all entries (it
 * parses every default of the table). */
static void load_knobs(dc_migration_cfg *m, const cfg_node *item,
		       const mig_params *defaults, sim_diag *d)
{
	const cfg_param *policy = knob("policy");
	m->mig = *defaults;
	const cfg_node *pn = cfg_map_get(item, "policy");
	const cfg_section *knobs = mig_sections()[0];
	if (pn && cfg_section_param_load(knobs, policy, pn, &m->mig, d) != 0)
		return;
	mig_params_preset(&m->mig, (mig_policy)m->mig.policy);
	for (size_t i = 0; i < cfg_node_len(item); i++) {
		const char *key = cfg_node_text(cfg_node_key(item, i));
		const cfg_param *p = knob(key);
		if (p && p != policy)
			cfg_section_param_load(knobs, p, cfg_node_at(item, i),
					       &m->mig, d);
	}
}

/* The group an entry's vm: names (when no VM has that name), or -1. */
static long group_of(const dc_config *c, const cfg_node *item)
{
	const char *vm = cfg_node_text(cfg_map_get(item, "vm"));
	if (!vm || dc_config_find_vm(c, vm) >= 0)
		return -1;
	return dc_config_find_group(c, vm);
}

void dc_migrations_load(dc_config *c, const cfg_node *root, sim_diag *d)
{
	const cfg_node *list = cfg_map_get(root, "migrations");
	if (!list)
		return;
	if (cfg_node_kind(list) != CFG_SEQ) {
		cfg_error(d, list, "migrations: expected a sequence of migration "
			  "mappings, got %s", cfg_kind_name(cfg_node_kind(list)));
		return;
	}
	/* An entry naming a group (and no VM) stands for one migration of
	 * each member, in member order. */
	size_t nitems = cfg_node_len(list), total = 0;
	for (size_t i = 0; i < nitems; i++) {
		long g = group_of(c, cfg_node_at(list, i));
		total += g >= 0 ? c->groups[g].count : 1;
	}
	c->nmigrations = total;
	c->migrations = sim_xcalloc(total ? total : 1, sizeof *c->migrations);
	mig_params defaults;
	mig_params_default(&defaults);
	size_t k = 0;
	for (size_t i = 0; i < nitems; i++) {
		const cfg_node *item = cfg_node_at(list, i);
		dc_migration_cfg *m = &c->migrations[k];
		m->node = item;
		if (cfg_section_load(&dc_migration_section, item, item, m, d) == 0)
			load_knobs(m, item, &defaults, d);
		long g = group_of(c, item);
		if (g < 0) {
			k++;
			continue;
		}
		const dc_vm_group *grp = &c->groups[g];
		for (size_t j = 0; j < grp->count; j++) {
			c->migrations[k + j] = *m;
			c->migrations[k + j].vm = c->vms[grp->first + j].name;
		}
		k += grp->count;
	}
}

/* Orders migrations by time, then by position in the file. */
static int by_time(const void *a, const void *b)
{
	const dc_migration_cfg *x = *(const dc_migration_cfg *const *)a;
	const dc_migration_cfg *y = *(const dc_migration_cfg *const *)b;
	if (x->at_ns != y->at_ns)
		return x->at_ns < y->at_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

void dc_migrations_check(const dc_config *c, const dc_world *w, sim_diag *d)
{
	if (c->nmigrations == 0)
		return;
	uint64_t *free_bytes = sim_xcalloc(w->nhosts, sizeof *free_bytes);
	for (size_t h = 0; h < w->nhosts; h++)
		free_bytes[h] = w->hosts[h].memory_bytes -
				w->hosts[h].memory_committed_bytes;
	uint32_t *where = sim_xcalloc(c->nvms ? c->nvms : 1, sizeof *where);
	size_t *seen = sim_xcalloc(c->nvms ? c->nvms : 1, sizeof *seen);
	for (size_t v = 0; v < c->nvms; v++)
		where[v] = w->vms[v].host;
	const dc_migration_cfg **order =
		sim_xcalloc(c->nmigrations, sizeof *order);
	for (size_t i = 0; i < c->nmigrations; i++)
		order[i] = &c->migrations[i];
	/* qsort with a total order (time, then address in one array) is
	 * deterministic. */
	qsort(order, c->nmigrations, sizeof *order, by_time);
	const char **names = NULL;
	for (size_t k = 0; k < c->nmigrations; k++) {
		dc_migration_cfg *m = (dc_migration_cfg *)order[k];
		const cfg_node *vmn = cfg_map_get(m->node, "vm");
		const cfg_node *ton = cfg_map_get(m->node, "to");
		const cfg_node *atn = cfg_map_get(m->node, "at");
		long found = dc_config_find_vm(c, m->vm);
		size_t v = found < 0 ? c->nvms : (size_t)found;
		if (v == c->nvms) {
			/* The candidates, once for all unknown names. */
			if (!names) {
				names = sim_xcalloc(c->nvms + 1, sizeof *names);
				for (size_t k2 = 0; k2 < c->nvms; k2++)
					names[k2] = c->vms[k2].name;
			}
			const char *near = sim_suggest(m->vm, names);
			if (near)
				cfg_error(d, vmn, "migrations[].vm: no VM '%s' (did "
					  "you mean '%s'?)", m->vm, near);
			else
				cfg_error(d, vmn, "migrations[].vm: no VM '%s' "
					  "(expected the name of a VM in vms:)", m->vm);
			continue;
		}
		m->vm_index = v;
		if (seen[v]) {
			const cfg_node *first = cfg_map_get(c->migrations[seen[v] - 1].node, "vm");
			cfg_error(d, vmn, "migrations[].vm: VM '%s' is already "
				  "migrated at %u:%u (expected one migration per VM)",
				  m->vm, cfg_node_line(first), cfg_node_col(first));
			continue;
		}
		seen[v] = (size_t)(m - c->migrations) + 1;
		if (m->at_ns > c->experiment.duration_ns) {
			cfg_error(d, atn ? atn : m->node,
				  "migrations[].at: %llu ns is after the end of the "
				  "run (expected at most experiment.duration, %llu ns)",
				  (unsigned long long)m->at_ns,
				  (unsigned long long)c->experiment.duration_ns);
			continue;
		}
		long dst = dc_world_find_host(w, m->to);
		if (dst < 0) {
			cfg_error(d, ton, "migrations[].to: no host '%s' (expected "
				  "a host name such as rack0/host1)", m->to);
			continue;
		}
		if ((uint32_t)dst == where[v]) {
			cfg_error(d, ton, "migrations[].to: VM '%s' is on '%s' "
				  "already (expected another host)", m->vm, m->to);
			continue;
		}
		if (free_bytes[dst] < c->vms[v].memory_bytes) {
			cfg_error(d, ton, "migrations[].to: host '%s' has %llu bytes "
				  "free, VM '%s' needs %llu (expected a host with room)",
				  m->to, (unsigned long long)free_bytes[dst], m->vm,
				  (unsigned long long)c->vms[v].memory_bytes);
			continue;
		}
		m->to_host = (uint32_t)dst;
		free_bytes[dst] -= c->vms[v].memory_bytes;
		free_bytes[where[v]] += c->vms[v].memory_bytes;
		where[v] = (uint32_t)dst;
	}
	free(names);
	free(order);
	free(seen);
	free(where);
	free(free_bytes);
}
