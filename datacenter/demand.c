/* SPDX-License-Identifier: MIT */
/*
 * A VM's resource demand as configured: `demand:` (workloads/' synthetic
 * generator) or `utilisation:` (a PlanetLab or Bitbrains trace, a file or
 * a folder dealt to a group's members), and the `policy:` section. The
 * traces are cached per loader (else per config): each file or folder is
 * read once however many VMs, or sweep points, share it (the PlanetLab day: 1,052 files for any number of
 * VMs). The cache is looked up by path and format in insertion order, so
 * nothing depends on hashing or addresses.
 */
#include "dc_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const format_names[] = {"planetlab", "bitbrains", NULL};

static const cfg_param util_params[] = {
	{.name = "trace", .type = CFG_T_STRING, .def = NULL,
	 .offset = offsetof(dc_util_cfg, trace),
	 .doc = "a trace file, or a folder whose files (sorted by name) are "
		"dealt to a group's members: member k gets file k mod the "
		"number of files; relative to the config's folder"},
	{.name = "format", .type = CFG_T_ENUM, .def = "planetlab",
	 .choices = format_names, .offset = offsetof(dc_util_cfg, format),
	 .doc = "planetlab (CPU % per line) or bitbrains (GWA-T-12 CSV); "
		"traces/util-format.md"},
	{.name = "resample", .type = CFG_T_ENUM, .def = "hold",
	 .choices = trace_util_interp_names,
	 .offset = offsetof(dc_util_cfg, resample),
	 .doc = "how the 300 s samples are read at the monitoring interval: "
		"hold (sample-and-hold) or linear"},
};

const cfg_section dc_util_section = {
	.path = "vms[].utilisation",
	.doc = "a trace-driven VM: CPU demand = the trace's fraction x the "
	       "VM's vcpus (Bitbrains also memory and network)",
	.params = util_params,
	.nparams = sizeof util_params / sizeof util_params[0]};

typedef struct util_entry {
	char *path;
	int format;
	trace_util_set *set;   /* a folder, or */
	trace_util *one;       /* a file */
} util_entry;

struct dc_utils {
	util_entry *e;
	size_t n, cap;
	size_t reads;
};

void dc_utils_destroy(struct dc_utils *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++) {
		free(u->e[i].path);
		trace_util_set_destroy(u->e[i].set);
		trace_util_destroy(u->e[i].one);
	}
	free(u->e);
	free(u);
}

size_t dc_utils_reads(const struct dc_utils *u)
{
	return u ? u->reads : 0;
}

/* The cached entry of (path, format), or NULL. */
static util_entry *find(struct dc_utils *u, const char *path, int format)
{
	for (size_t i = u->n; i-- > 0;)
		if (u->e[i].format == format && strcmp(u->e[i].path, path) == 0)
			return &u->e[i];
	return NULL;
}

/* Reads path (a file or a folder) into a new cache entry, reporting
 * problems about the path as a whole at the config's trace: node tn and
 * those inside a file where they are. NULL on error. */
static util_entry *read_entry(struct dc_utils *u, const char *path,
			      int format, const cfg_node *tn, sim_diag *d)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		char *p = sim_escape(path);
		cfg_error(d, tn, "vms[].utilisation.trace: cannot read '%s': %s "
			  "(expected a utilisation trace file or folder, its "
			  "path relative to the config file's folder)",
			  p, strerror(errno));
		free(p);
		return NULL;
	}
	u->reads++;
	util_entry e = {.path = sim_xstrdup(path), .format = format};
	int rc;
	sim_diag td;
	sim_diag_init(&td);
	if (S_ISDIR(st.st_mode))
		rc = trace_util_dir_load(path, (trace_util_format)format, &e.set,
					 &td);
	else
		rc = trace_util_load(path, (trace_util_format)format, &e.one,
				     &td);
	if (rc != 0) {
		/* "PATH: message" is about the path: say it at trace:. */
		size_t n = strlen(path);
		for (const char *line = td.text; line && *line;) {
			size_t len = strcspn(line, "\n");
			if (strncmp(line, path, n) == 0 && line[n] == ':' &&
			    line[n + 1] == ' ') {
				char *p = sim_escape(path);
				cfg_error(d, tn, "vms[].utilisation.trace: cannot "
					  "read '%s': %.*s", p,
					  (int)(len - n - 2), line + n + 2);
				free(p);
			} else {
				sim_diag_error(d, NULL, 0, 0, "%.*s", (int)len,
					       line);
			}
			line += len + (line[len] == '\n');
		}
		sim_diag_fini(&td);
		free(e.path);
		return NULL;
	}
	sim_diag_fini(&td);
	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 4;
		u->e = sim_xrealloc(u->e, u->cap, sizeof *u->e);
	}
	u->e[u->n] = e;
	return &u->e[u->n++];
}

static void load_util(dc_config *c, dc_vm_cfg *vm, size_t member,
		      const cfg_node *un, const cfg_node *item,
		      const char *base_dir, sim_diag *d)
{
	if (cfg_section_load(&dc_util_section, un, item, &vm->util, d) != 0)
		return;
	const cfg_node *tn = cfg_map_get(un, "trace");
	/* The loader's cache when there is one (a sweep's points share it),
	 * else the config's own. */
	struct dc_utils **cache = c->loader ? dc_loader_utils(c->loader)
					    : &c->utils;
	if (!*cache)
		*cache = sim_xcalloc(1, sizeof **cache);
	const char *t = vm->util.trace;
	char *path = t[0] == '/' || !*base_dir
			     ? sim_xstrdup(t)
			     : sim_xasprintf("%s%s", base_dir, t);
	util_entry *e = find(*cache, path, vm->util.format);
	if (!e)
		e = read_entry(*cache, path, vm->util.format, tn, d);
	free(path);
	if (!e)
		return;
	vm->demand_source = DC_DEMAND_TRACE;
	vm->util_trace = e->one ? e->one : e->set->vm[member % e->set->n];
}

void dc_demand_load(dc_config *c, size_t v, const cfg_node *item,
		    const char *base_dir, sim_diag *d)
{
	dc_vm_cfg *vm = &c->vms[v];
	const cfg_node *dn = cfg_map_get(item, "demand");
	const cfg_node *un = cfg_map_get(item, "utilisation");
	if (dn && un) {
		cfg_error(d, un, "vms[]: VM '%s' has both demand: and "
			  "utilisation: (expected one source of resource "
			  "demand)", vm->name);
		return;
	}
	if (dn) {
		if (wl_demand_params_load(dn, item, &vm->demand, d) == 0)
			vm->demand_source = DC_DEMAND_GENERATOR;
		return;
	}
	if (un) {
		size_t member = vm->group == SIZE_MAX
					? 0
					: v - c->groups[vm->group].first;
		load_util(c, vm, member, un, item, base_dir, d);
	}
}

void dc_policy_load(dc_config *c, const cfg_node *root, sim_diag *d)
{
	const cfg_node *pn = cfg_map_get(root, "policy");
	c->policy_node = pn;
	if (pol_params_load(pn, root, &c->policy, d) != 0)
		return;
	const cfg_node *in = pn ? cfg_map_get(pn, "interval") : NULL;
	if (c->policy.interval_ns > c->experiment.duration_ns && in)
		cfg_error(d, in, "policy.interval: longer than "
			  "experiment.duration (expected at most one interval "
			  "per run)");
}
