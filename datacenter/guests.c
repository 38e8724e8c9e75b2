/* SPDX-License-Identifier: MIT */
/*
 * What a VM does besides occupying its host, as configured: `page_writes:`
 * (a page-write generator of workloads/, or the replay of a page-dirty
 * trace, read here) and `traffic:` (background flows to other VMs). Loading
 * and checks only; the run uses them in experiment.c and traffic.c.
 */
#include "dc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * traffic:
 * ------------------------------------------------------------------------ */

static const cfg_param traffic_params[] = {
	{.name = "to", .type = CFG_T_STRING, .def = NULL,
	 .offset = offsetof(dc_traffic_cfg, to),
	 .doc = "the VM the flow goes to (another VM's name); it runs "
		"between the two VMs' hosts, none while they share one"},
	{.name = "rate", .type = CFG_T_RATE, .def = "1000Tbit/s",
	 .min = "1bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(dc_traffic_cfg, rate_bps),
	 .doc = "cap on the flow's rate; the default is above every link: "
		"no cap, the flow takes its max-min fair share"},
	{.name = "start", .type = CFG_T_TIME, .def = "0s",
	 .offset = offsetof(dc_traffic_cfg, start_ns),
	 .doc = "when the flow starts (at most experiment.duration)"},
	{.name = "stop", .type = CFG_T_TIME, .def = "0s",
	 .offset = offsetof(dc_traffic_cfg, stop_ns),
	 .doc = "when it stops, after start; 0s: at the end of the run"},
};

const cfg_section dc_traffic_section = {
	.path = "vms[].traffic[]",
	.doc = "each entry of a VM's traffic: list is one persistent flow to "
	       "another VM, competing max-min fairly with migrations",
	.params = traffic_params,
	.nparams = sizeof traffic_params / sizeof traffic_params[0],
};

static void load_traffic(dc_vm_cfg *vm, const cfg_node *list, sim_diag *d)
{
	if (cfg_node_kind(list) != CFG_SEQ) {
		cfg_error(d, list, "vms[].traffic: expected a sequence of flow "
			  "mappings, got %s", cfg_kind_name(cfg_node_kind(list)));
		return;
	}
	vm->ntraffic = cfg_node_len(list);
	vm->traffic = sim_xcalloc(vm->ntraffic ? vm->ntraffic : 1,
				  sizeof *vm->traffic);
	for (size_t i = 0; i < vm->ntraffic; i++) {
		const cfg_node *item = cfg_node_at(list, i);
		dc_traffic_cfg *t = &vm->traffic[i];
		t->node = item;
		cfg_section_load(&dc_traffic_section, item, item, t, d);
	}
}

/* The names of c's VMs, NULL-terminated (a new array of borrowed
 * strings). */
static const char **vm_names(const dc_config *c)
{
	const char **names = sim_xcalloc(c->nvms + 1, sizeof *names);
	size_t nnames = 0;
	for (size_t v = 0; v < c->nvms; v++)
		if (c->vms[v].name)
			names[nnames++] = c->vms[v].name;
	return names;
}

void dc_traffic_check(dc_config *c, sim_diag *d)
{
	/* The candidate names for a suggestion, gathered only when a name is
	 * unknown (the lookups themselves go through the hash index). */
	const char **names = NULL;
	for (size_t v = 0; v < c->nvms; v++) {
		const dc_vm_cfg *vm = &c->vms[v];
		for (size_t i = 0; i < vm->ntraffic; i++) {
			dc_traffic_cfg *t = &vm->traffic[i];
			if (!t->to)
				continue; /* its entry failed to load */
			const cfg_node *ton = cfg_map_get(t->node, "to");
			long found = dc_config_find_vm(c, t->to);
			if (found < 0) {
				if (!names)
					names = vm_names(c);
				const char *near = sim_suggest(t->to, names);
				if (near)
					cfg_error(d, ton, "vms[].traffic[].to: no VM "
						  "'%s' (did you mean '%s'?)",
						  t->to, near);
				else
					cfg_error(d, ton, "vms[].traffic[].to: no VM "
						  "'%s' (expected the name of "
						  "another VM in vms:)", t->to);
				continue;
			}
			size_t p = (size_t)found;
			if (p == v) {
				cfg_error(d, ton, "vms[].traffic[].to: VM '%s' "
					  "cannot send to itself (expected "
					  "another VM's name)", t->to);
				continue;
			}
			t->peer = p;
			const cfg_node *startn = cfg_map_get(t->node, "start");
			const cfg_node *stopn = cfg_map_get(t->node, "stop");
			/* A duration of 0 is an experiment: section that
			 * failed to load (its least is 1 ns). */
			if (c->experiment.duration_ns > 0 &&
			    t->start_ns > c->experiment.duration_ns) {
				cfg_error(d, startn,
					  "vms[].traffic[].start: %" PRIu64
					  " ns is after the end of the run "
					  "(expected at most experiment.duration, "
					  "%" PRIu64 " ns)",
					  t->start_ns, c->experiment.duration_ns);
				continue;
			}
			if (t->stop_ns != 0 && t->stop_ns <= t->start_ns)
				cfg_error(d, stopn,
					  "vms[].traffic[].stop: %" PRIu64 " ns "
					  "is not after start, %" PRIu64 " ns "
					  "(expected a later stop, or 0s for the "
					  "end of the run)",
					  t->stop_ns, t->start_ns);
		}
	}
	free(names);
}

/* ------------------------------------------------------------------------
 * page_writes:
 * ------------------------------------------------------------------------ */

bool dc_page_writes_hotcold(const wl_pages_params *p, uint64_t pages,
			    mem_hotcold *out)
{
	memset(out, 0, sizeof *out);
	out->pages = pages;
	switch ((wl_pages_kind)p->kind) {
	case WL_PAGES_HOTSET:
		/* Where the hot set lies does not matter to expected counts,
		 * only to post-copy's in-order push. */
		out->hot_pages = p->hot_pages;
		out->hot_offset = p->offset;
		out->hot_writes_per_s = p->hot_rate;
		out->cold_writes_per_s = p->cold_rate;
		return true;
	case WL_PAGES_UNIFORM:
		/* The region is a hot set that takes every write; the other
		 * pages are cold and never written: each page of the region
		 * has rate r/R, as in the generator. */
		out->hot_pages = p->pages ? p->pages : pages - p->offset;
		out->hot_offset = p->offset;
		out->hot_writes_per_s = p->rate;
		out->cold_writes_per_s = 0;
		return true;
	case WL_PAGES_ZIPF:
	case WL_PAGES_REPLAY:
	case WL_PAGES_SWEEP:
	default:
		/* A sweep is no Poisson stream per page: its pages are
		 * written in order, once a lap, which the hot/cold model's
		 * skip and dirtying formulas do not describe. */
		return false;
	}
}

void dc_dirtying_pages(const dc_vm_cfg *vm, uint64_t pages,
		       wl_pages_params *out)
{
	mem_hotcold hc;
	mem_hotcold_init(&hc, vm->memory_bytes, &vm->dirtying);
	memset(out, 0, sizeof *out);
	if (hc.hot_pages > 0 && hc.hot_pages < pages) {
		out->kind = WL_PAGES_HOTSET;
		out->hot_pages = hc.hot_pages;
		out->hot_rate = hc.hot_writes_per_s;
		out->cold_rate = hc.cold_writes_per_s;
	} else {
		/* One class: all pages hot, or no hot set. */
		out->kind = WL_PAGES_UNIFORM;
		out->rate = hc.hot_pages > 0 ? hc.hot_writes_per_s
					     : hc.cold_writes_per_s;
	}
}

/* A path made fit for a one-line message: bytes outside printable ASCII
 * as \xNN, as the trace reader shows user text. A new string. */
static char *shown(const char *s)
{
	char *out = sim_xmalloc(strlen(s) * 4 + 1), *o = out;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch >= 0x7f)
			o += snprintf(o, 5, "\\x%02x", ch);
		else
			*o++ = (char)ch;
	}
	*o = '\0';
	return out;
}

/* Joins a configured trace path to the config's folder (dir, with its
 * trailing '/', or "" for the working directory); absolute paths stay. */
static char *trace_path(const char *dir, const char *path)
{
	if (path[0] == '/' || !*dir)
		return sim_xstrdup(path);
	return sim_xasprintf("%s%s", dir, path);
}

/* Reads VM vm's replay trace and checks that it describes the VM's own
 * memory: Clark's traces are of a whole guest, and a trace of another
 * size would replay pages that do not exist or leave pages never
 * written without saying so. */
static int load_trace(dc_vm_cfg *vm, const char *dir, dc_loader *loader,
		      sim_diag *d)
{
	const cfg_node *tn = cfg_map_get(vm->page_writes_node, "trace");
	char *path = trace_path(dir, vm->page_writes.trace);
	/* Unreadable: say so at the config, where the path was written;
	 * trace_pages_load would report at the missing file. (A trace the
	 * loader holds is not read again.) */
	FILE *f = dc_loader_has(loader, path) ? NULL : fopen(path, "rb");
	if (!f && !dc_loader_has(loader, path)) {
		char *p = shown(path);
		cfg_error(d, tn, "vms[].page_writes.trace: cannot read '%s': %s "
			  "(expected a readable page-dirty trace, its path "
			  "relative to the config file's folder)",
			  p, strerror(errno));
		free(p);
		free(path);
		return SIM_EINPUT;
	}
	if (f)
		fclose(f);
	/* Errors inside the trace come positioned in it and go on as they
	 * are; those about the file as a whole ("PATH: message": a folder, a
	 * read error, a file over the size limit) are said at the config's
	 * trace: instead, as an unreadable path is above. */
	sim_diag td;
	sim_diag_init(&td);
	int rc = dc_loader_trace(loader, path, &vm->trace, &td);
	vm->trace_borrowed = loader != NULL;
	size_t n = strlen(path);
	for (const char *line = td.text; line && *line;) {
		size_t len = strcspn(line, "\n");
		if (strncmp(line, path, n) == 0 && line[n] == ':' &&
		    line[n + 1] == ' ') {
			char *p = shown(path);
			cfg_error(d, tn, "vms[].page_writes.trace: cannot read "
				  "'%s': %.*s", p, (int)(len - n - 2),
				  line + n + 2);
			free(p);
		} else {
			sim_diag_error(d, NULL, 0, 0, "%.*s", (int)len, line);
		}
		line += len + (line[len] == '\n');
	}
	sim_diag_fini(&td);
	if (rc != 0) {
		free(path);
		return rc;
	}
	uint64_t page = vm->dirtying.page_size_bytes;
	uint64_t pages = mem_pages_of_bytes(vm->memory_bytes, page);
	if (vm->trace->pages != pages || vm->trace->page_size != page) {
		char *p = shown(path);
		cfg_error(d, tn, "vms[].page_writes.trace: '%s' has %" PRIu64
			  " pages of %" PRIu64 " bytes but VM '%s' has %" PRIu64
			  " pages of %" PRIu64 " bytes (expected a trace of the "
			  "VM's memory: match vms[].memory and "
			  "vms[].dirtying.page_size to it)",
			  p, vm->trace->pages, vm->trace->page_size, vm->name,
			  pages, page);
		free(p);
		free(path);
		return SIM_EINPUT;
	}
	free(path);
	vm->page_writes.replay = vm->trace;
	return 0;
}

static bool has_dirtying_rates(const mem_dirtying_cfg *c)
{
	return c->hot_set_bytes > 0 || c->hot_writes_per_s > 0 ||
	       c->cold_writes_per_s > 0 || mem_dirtying_is_fresh(c);
}

/* ---- vms[].disk ---------------------------------------------------------- */

static const cfg_param disk_params[] = {
	{.name = "size", .type = CFG_T_BYTES, .def = "0B", .min = "0B",
	 .max = "1024TiB", .offset = offsetof(dc_disk_cfg, size_bytes),
	 .doc = "local disk migrated with the VM before its memory (WAN "
		"migration); 0: shared storage"},
	/* Bradford et al. track dirty blocks at the block device's
	 * granularity; 4 KiB as a page. */
	{.name = "block_size", .type = CFG_T_POW2, .def = "4KiB",
	 .min = "512B", .max = "1GiB",
	 .offset = offsetof(dc_disk_cfg, block_size_bytes),
	 .doc = "unit of dirty-block tracking"},
	{.name = "hot_set", .type = CFG_T_BYTES, .def = "0B", .min = "0B",
	 .offset = offsetof(dc_disk_cfg, hot_set_bytes),
	 .doc = "blocks that take hot_rate (capped at the disk's size)"},
	{.name = "hot_rate", .type = CFG_T_FLOAT, .def = "0", .min = "0",
	 .offset = offsetof(dc_disk_cfg, hot_writes_per_s),
	 .doc = "block writes per second into the hot set"},
	{.name = "cold_rate", .type = CFG_T_FLOAT, .def = "0", .min = "0",
	 .offset = offsetof(dc_disk_cfg, cold_writes_per_s),
	 .doc = "block writes per second into the other blocks"},
	{.name = "fresh_rate", .type = CFG_T_RATE, .def = "0bit/s",
	 .min = "0bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(dc_disk_cfg, fresh_rate_bps),
	 .doc = "instead of hot/cold: clean blocks written at this rate"},
};

const cfg_section dc_disk_section = {
	.path = "vms[].disk",
	.doc = "a local disk migrated with the VM (block writes in expected "
	       "counts)",
	.params = disk_params,
	.nparams = sizeof disk_params / sizeof disk_params[0]};

/* fresh_rate replaces the hot/cold rates; the two cannot mix. */
static int check_fresh(const cfg_node *map, bool fresh, bool hotcold,
		       const char *what, sim_diag *d)
{
	if (!fresh || !hotcold)
		return 0;
	cfg_error(d, cfg_map_get(map, "fresh_rate"),
		  "%s.fresh_rate: together with hot_set, hot_rate or "
		  "cold_rate (expected either fresh_rate or the hot/cold "
		  "model)", what);
	return -1;
}

static void load_disk(dc_vm_cfg *vm, const cfg_node *item, sim_diag *d)
{
	const cfg_node *dn = cfg_map_get(item, "disk");
	if (cfg_section_load(&dc_disk_section, dn, item, &vm->disk, d) != 0)
		return;
	const dc_disk_cfg *k = &vm->disk;
	check_fresh(dn, k->fresh_rate_bps > 0,
		    k->hot_set_bytes > 0 || k->hot_writes_per_s > 0 ||
			    k->cold_writes_per_s > 0,
		    "vms[].disk", d);
}

static void load_page_writes(dc_vm_cfg *vm, const cfg_node *pw,
			     const cfg_node *item, const char *dir,
			     dc_loader *loader, sim_diag *d)
{
	if (wl_pages_params_load(pw, item, &vm->page_writes, d) != 0)
		return;
	if (has_dirtying_rates(&vm->dirtying)) {
		cfg_error(d, pw, "vms[].page_writes: VM '%s' also has "
			  "dirtying rates (expected one model of its writes: "
			  "page_writes, or dirtying's hot_set, hot_rate and "
			  "cold_rate)", vm->name);
		return;
	}
	vm->page_writes_node = pw;
	bool replay = vm->page_writes.kind == WL_PAGES_REPLAY;
	const char *trace = vm->page_writes.trace;
	if (!replay && trace && *trace) {
		cfg_error(d, cfg_map_get(pw, "trace"),
			  "vms[].page_writes.trace: a trace with kind %s "
			  "(expected kind: replay to replay it, or no trace)",
			  cfg_node_text(cfg_map_get(pw, "kind")));
		return;
	}
	if (replay && trace && *trace && load_trace(vm, dir, loader, d) != 0)
		return;
	uint64_t pages = mem_pages_of_bytes(vm->memory_bytes,
					    vm->dirtying.page_size_bytes);
	/* wl_pages_check reports "what: problem"; what is the position. */
	char *what = sim_xasprintf("%s:%u:%u: vms[].page_writes",
				   cfg_node_file(pw), cfg_node_line(pw),
				   cfg_node_col(pw));
	wl_pages_check(&vm->page_writes, pages, what, d);
	free(what);
}

void dc_guest_load(dc_config *c, size_t v, const cfg_node *item,
		   const char *base_dir, sim_diag *d)
{
	dc_vm_cfg *vm = &c->vms[v];
	if (mem_dirtying_check(&vm->dirtying, cfg_map_get(item, "dirtying"),
			       "vms[].dirtying", d) != 0)
		return;
	load_disk(vm, item, d);
	const cfg_node *pw = cfg_map_get(item, "page_writes");
	if (pw)
		load_page_writes(vm, pw, item, base_dir, c->loader, d);
	const cfg_node *tl = cfg_map_get(item, "traffic");
	if (tl)
		load_traffic(vm, tl, d);
}

void dc_guest_fini(dc_vm_cfg *vm)
{
	if (!vm->trace_borrowed)
		trace_pages_destroy(vm->trace);
	vm->trace = NULL;
	free(vm->traffic);
	vm->traffic = NULL;
	free(vm->owned_name);
	vm->owned_name = NULL;
}

/* The greatest value of workloads/' page_writes parameter `name`: the
 * bound page_writes: is held to, and so dirtying: in a page-exact
 * migration (the same generator draws the writes). */
static const char *generator_max(const char *name)
{
	const cfg_section *s = wl_sections()[0];
	for (size_t i = 0; i < s->nparams; i++)
		if (strcmp(s->params[i].name, name) == 0 && s->params[i].max)
			return s->params[i].max;
	sim_panic("vms[].page_writes.%s has no greatest value", name);
}

/* A page-exact migration m of VM vm whose writes come from its dirtying:
 * rates: the generator that stands for them (dc_dirtying_pages) must be
 * one workloads/ takes, as page_writes: would have to be. Rates above
 * page_writes' bound would make a window's Poisson draw loop for ever (an
 * infinite rate) or for hours, and what wl_pages_check refuses (more
 * pages than a generator indexes) would panic in wl_pagegen_create. */
static void check_exact_dirtying(const dc_migration_cfg *m,
				 const dc_vm_cfg *vm, sim_diag *d)
{
	const mem_dirtying_cfg *dy = &vm->dirtying;
	if (dy->hot_writes_per_s == 0 && dy->cold_writes_per_s == 0)
		return; /* an idle guest: no generator */
	const cfg_node *fn = cfg_map_get(m->node, "fidelity");
	double max_rate;
	const char *why;
	if (cfg_parse_float(generator_max("rate"), &max_rate, &why) != 0)
		sim_panic("page_writes' greatest rate does not parse: %s", why);
	uint64_t pages = mem_pages_of_bytes(vm->memory_bytes,
					    dy->page_size_bytes);
	wl_pages_params wp;
	dc_dirtying_pages(vm, pages, &wp);
	/* The rates the generator is given: both for a hot set, one for a
	 * single class (dc_dirtying_pages). */
	bool hot = wp.kind == WL_PAGES_HOTSET || dy->hot_set_bytes > 0;
	bool cold = wp.kind == WL_PAGES_HOTSET || dy->hot_set_bytes == 0;
	const char *key = NULL;
	double v = 0;
	if (hot && dy->hot_writes_per_s > max_rate) {
		key = "hot_rate";
		v = dy->hot_writes_per_s;
	} else if (cold && dy->cold_writes_per_s > max_rate) {
		key = "cold_rate";
		v = dy->cold_writes_per_s;
	}
	if (key) {
		const cfg_node *rn =
			cfg_map_get(cfg_map_get(vm->node, "dirtying"), key);
		cfg_error(d, rn ? rn : vm->node,
			  "vms[].dirtying.%s: %g writes/s is more than "
			  "page-exact dirtying takes (expected at most %s "
			  "writes/s, as in page_writes, for VM '%s' migrated "
			  "page-exact at %u:%u, or fidelity: statistical)",
			  key, v, generator_max("rate"), vm->name,
			  cfg_node_line(fn), cfg_node_col(fn));
		return;
	}
	/* wl_pages_check reports "what: problem"; what is the position. */
	char *what = sim_xasprintf("%s:%u:%u: migrations[].fidelity: "
				   "page-exact writes of VM '%s'",
				   cfg_node_file(fn), cfg_node_line(fn),
				   cfg_node_col(fn), vm->name);
	wl_pages_check(&wp, pages, what, d);
	free(what);
}

void dc_guest_check_migrations(const dc_config *c, sim_diag *d)
{
	static const char *const kinds[] = {"uniform", "hotset", "zipf",
					    "replay", "sweep"};
	for (size_t i = 0; i < c->nmigrations; i++) {
		const dc_migration_cfg *m = &c->migrations[i];
		const dc_vm_cfg *vm = &c->vms[m->vm_index];
		if (mem_dirtying_is_fresh(&vm->dirtying) &&
		    m->fidelity == DC_FIDELITY_PAGE_EXACT) {
			cfg_error(d, cfg_map_get(m->node, "fidelity"),
				  "migrations[].fidelity: page-exact, but VM "
				  "'%s' dirties at %s, which has no "
				  "page-write generator (expected fidelity: "
				  "statistical, or dirtying's hot/cold model or "
				  "page_writes)", vm->name,
				  vm->dirtying.fresh_rate_bps > 0
					  ? "a fresh_rate"
					  : "an intensity");
			continue;
		}
		if (!vm->page_writes_node) {
			if (m->fidelity == DC_FIDELITY_PAGE_EXACT)
				check_exact_dirtying(m, vm, d);
			continue;
		}
		const wl_pages_params *p = &vm->page_writes;
		mem_hotcold hc;
		uint64_t pages = mem_pages_of_bytes(vm->memory_bytes,
						    vm->dirtying.page_size_bytes);
		const cfg_node *fn = cfg_map_get(m->node, "fidelity");
		if (m->fidelity == DC_FIDELITY_STATISTICAL &&
		    !dc_page_writes_hotcold(p, pages, &hc)) {
			cfg_error(d, fn ? fn : m->node,
				  "migrations[].fidelity: statistical dirtying "
				  "has no expected counts for page_writes of "
				  "kind %s (VM '%s'; expected fidelity: "
				  "page-exact, or page_writes of kind hotset or "
				  "uniform)",
				  kinds[p->kind], vm->name);
			continue;
		}
		/* The replay runs on the run's clock (see migration_dirty in
		 * experiment.c): a migration that starts once the trace is
		 * over would see an idle guest. */
		if (m->fidelity == DC_FIDELITY_PAGE_EXACT &&
		    p->kind == WL_PAGES_REPLAY && vm->trace) {
			uint64_t end = vm->trace->nsamples
					       ? vm->trace->time_ns[vm->trace->nsamples - 1]
					       : 0;
			if (m->at_ns >= end) {
				const cfg_node *atn = cfg_map_get(m->node, "at");
				cfg_error(d, atn ? atn : m->node,
					  "migrations[].at: %" PRIu64 " ns is not "
					  "before the end of the trace VM '%s' "
					  "replays, %" PRIu64 " ns (expected a "
					  "start within the trace, whose time 0 "
					  "is time 0 of the run)",
					  m->at_ns, vm->name, end);
			}
		}
	}
}
