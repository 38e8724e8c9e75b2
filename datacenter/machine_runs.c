/* SPDX-License-Identifier: MIT */
/*
 * The machine alone as an experiment (`machine:`): one machine file, a
 * list of workloads (catalog presets or stream mappings) and a list of
 * modes; each workload's stream runs unchanged under every mode on a
 * fresh core and VM (after a warm-up), and the machine_runs table gets a row per workload
 * and mode with cycles split by where they went, counts per event kind
 * and the slowdown against native on the same stream; with
 * machine.sampling, each measured run is cpu_sample_run's (windows run in
 * detail, the rest skipped and extrapolated) and the row carries the
 * estimate's interval. No datacenter is built and no engine runs: the
 * machine model is not event-driven.
 */
#include "dc_internal.h"

#include <stdlib.h>
#include <string.h>

#include "cpu.h"

typedef struct dc_machine_workload {
	const char *name;       /* the preset's name, or "stream<i>" */
	char *owned_name;
	wl_stream_params p;
} dc_machine_workload;

struct dc_machine_cfg {
	const char *file;       /* as written */
	uint64_t instructions, warmup, memory_bytes;
	bool prefault;
	char *path;             /* file joined to the config's folder */
	cfg_doc *doc;           /* the machine file (m.name borrows from it) */
	cpu_machine m;
	dc_machine_workload *workloads;
	size_t nworkloads;
	int modes[CPU_MODE_COUNT];
	size_t nmodes;
	bool sampled;           /* machine.sampling given: sampled mode */
	cpu_sample_params sp;
	const cfg_node *at;     /* machine.instructions, else the section:
				   where a warning about the length points */
	const cfg_node *sampling_at; /* machine.sampling.period, else the
					section */
};

static const char *const machine_subsections[] = {"workloads", "modes",
						  "sampling", "overrides", NULL};

static const cfg_param machine_exp_params[] = {
	{.name = "file", .type = CFG_T_STRING, .def = NULL,
	 .offset = offsetof(dc_machine_cfg, file),
	 .doc = "machine file (configs/machines/*.yaml), relative to the "
		"config's folder"},
	{.name = "instructions", .type = CFG_T_UINT, .def = "10000000",
	 .min = "1000", .max = "100000000000",
	 .offset = offsetof(dc_machine_cfg, instructions),
	 .doc = "instructions measured per workload and mode, exactly "
		"(the event in progress at the end is cut); a benchmark "
		"loop's run should hold ten of its events and a whole loop, "
		"below which validate and run warn"},
	{.name = "warmup", .type = CFG_T_UINT, .def = "1000000", .min = "0",
	 .max = "100000000000", .offset = offsetof(dc_machine_cfg, warmup),
	 .doc = "instructions run first and not measured: they fill page "
		"tables, shadows and the translation cache"},
	{.name = "prefault", .type = CFG_T_BOOL, .def = "true",
	 .offset = offsetof(dc_machine_cfg, prefault),
	 .doc = "before the warm-up, touch every page of every address "
		"space's working set and kernel data (wl_stream_warm) and, "
		"under bt, translate every kernel block, so the measurement "
		"sees steady state, not first-touch faults or first "
		"translations"},
	{.name = "memory", .type = CFG_T_BYTES, .def = "1GiB", .min = "1MiB",
	 .max = "1TiB", .offset = offsetof(dc_machine_cfg, memory_bytes),
	 .doc = "the VM's guest-physical memory"},
	/* machine.overrides is loaded apart (apply_overrides); listed here
	 * only in the section's doc. */
};

const cfg_section dc_machine_section = {
	.path = "machine",
	.doc = "the machine alone: workloads (catalog names or stream "
	       "mappings, workloads[].stream) under modes (native, te, bt, "
	       "pv, hw, hw-nested, uml; default: every mode the machine runs, "
	       "by its arch, hw_assist and nested_paging); "
	       "overrides: a mapping shaped as the machine file's machine: "
	       "(e.g. {bt: {fault: 5000}, tlb_entries: 128}) replaces those "
	       "values of the file, checked as the file's own",
	.params = machine_exp_params,
	.nparams = sizeof machine_exp_params / sizeof machine_exp_params[0],
	.subsections = machine_subsections};

/* Sampled mode (cpu_sample_run; models/cpu/README.md "Sampled mode"): the
 * defaults are cpu_sample_defaults'. */
static const cfg_param sampling_params[] = {
	{.name = "window", .type = CFG_T_UINT, .def = "1000", .min = "1",
	 .max = "1000000000", .offset = offsetof(cpu_sample_params, window),
	 .doc = "instructions measured per window (U; SMARTS's 1000)"},
	{.name = "warmup", .type = CFG_T_UINT, .def = "2000", .min = "0",
	 .max = "1000000000", .offset = offsetof(cpu_sample_params, warmup),
	 .doc = "instructions run in detail, unmeasured, before each window "
		"(W; SMARTS's 2000)"},
	{.name = "functional", .type = CFG_T_UINT, .def = "8000", .min = "0",
	 .max = "1000000000",
	 .offset = offsetof(cpu_sample_params, functional),
	 .doc = "instructions at the end of each skip whose data accesses "
		"warm the TLB, untimed (functional warming), after a sparse "
		"warming of the skip before them (the cold pages a TLB's "
		"worth of misses would bring); 0: neither"},
	{.name = "period", .type = CFG_T_UINT, .def = "400000", .min = "2",
	 .max = "100000000000", .offset = offsetof(cpu_sample_params, period),
	 .doc = "one window every this many instructions at least (K >= "
		"window + warmup; at most half of machine.instructions, so "
		"that at least two windows give an interval); the rest is "
		"skipped"},
	{.name = "windows", .type = CFG_T_UINT, .def = "1000", .min = "2",
	 .max = "1000000000000",
	 .offset = offsetof(cpu_sample_params, windows),
	 .doc = "at most this many windows: a run longer than windows x "
		"period spaces them machine.instructions / windows apart "
		"(the interval depends on the windows, the time on their "
		"number)"},
	{.name = "pass_cycles", .type = CFG_T_BOOL, .def = "true",
	 .offset = offsetof(cpu_sample_params, pass_cycles),
	 .doc = "a skip of a regular stream of one program (a benchmark "
		"loop) with fewer than one event a window passes whole "
		"cycles without running their own instructions and "
		"extrapolates their costs from the cycles run (faster); "
		"false: every own instruction runs in detail, counted"},
	{.name = "confidence", .type = CFG_T_FLOAT, .def = "0.95",
	 .min = "0.5", .max = "0.9999",
	 .offset = offsetof(cpu_sample_params, confidence),
	 .doc = "confidence of the CPI interval (cpi_half in machine_runs)"},
	{.name = "seed", .type = CFG_T_UINT, .def = "1", .min = "0",
	 .max = "9223372036854775807",
	 .offset = offsetof(cpu_sample_params, seed),
	 .doc = "seed of the windows' offsets in their periods (the "
		"experiment's seed drives the streams)"},
};

const cfg_section dc_machine_sampling_section = {
	.path = "machine.sampling",
	.doc = "run the machine in sampled mode (SMARTS-style windows, the "
	       "rest skipped and extrapolated per phase); absent: detailed. "
	       "`sampling: {}` takes every default",
	.params = sampling_params,
	.nparams = sizeof sampling_params / sizeof sampling_params[0]};

/* ---- loading ---------------------------------------------------------- */

/* Sets every leaf of the overrides mapping n (at dotted path `at` under
 * the machine file's root, whose node there is `have`, NULL if the file
 * has none) in doc. A leaf keeps its position in the config, so a bad
 * value is reported there; a key the file lacks is set whole (a mapping
 * with its keys) at its key's position, so an unknown key is reported at
 * the key the user wrote. */
static int apply_overrides(cfg_doc *doc, const cfg_node *have,
			   const cfg_node *n, const char *at, sim_diag *d)
{
	if (cfg_node_kind(n) != CFG_MAP) {
		const char *sub = strchr(at, '.');
		cfg_error(d, n, "machine.overrides%s: expected a mapping of "
			  "machine-file keys, got %s", sub ? sub : "",
			  cfg_kind_name(cfg_node_kind(n)));
		return SIM_EINPUT;
	}
	int rc = 0;
	for (size_t i = 0; i < cfg_node_len(n); i++) {
		const cfg_node *v = cfg_node_at(n, i);
		const cfg_node *k = cfg_node_key(n, i);
		const cfg_node *h =
			have && cfg_node_kind(have) == CFG_MAP
				? cfg_map_get(have, cfg_node_text(k))
				: NULL;
		char *path = sim_xasprintf("%s.%s", at, cfg_node_text(k));
		if (cfg_node_kind(v) == CFG_MAP && h)
			rc |= apply_overrides(doc, h, v, path, d);
		else if (cfg_doc_set_keyed(doc, path, k, v,
					   "machine.overrides", d) != 0)
			rc = SIM_EINPUT;
		free(path);
	}
	return rc;
}

/* Loads the machine file into mc->doc and mc->m, with machine.overrides
 * (if any) applied first. Problems of the file are positioned in it, of
 * an override at the override. */
static int load_machine(dc_machine_cfg *mc, const cfg_node *map,
			sim_diag *d)
{
	const cfg_node *fn = cfg_map_get(map, "file");
	const cfg_node *ov = cfg_map_get(map, "overrides");
	sim_diag md;
	sim_diag_init(&md);
	int rc = cfg_doc_load(mc->path, &mc->doc, &md);
	if (rc == 0 && ov)
		rc = apply_overrides(mc->doc,
				     cfg_map_get(cfg_doc_root(mc->doc),
						 "machine"),
				     ov, "machine", &md);
	if (rc == 0)
		rc = cpu_machine_load(mc->doc, &mc->m, &md);
	if (rc != 0) {
		/* A problem inside the machine file is positioned there (or
		 * at an override); one with the file as a whole (missing,
		 * unreadable) here too. */
		cfg_error(d, fn, "machine.file: '%s' is not a usable machine "
			  "file (expected a machine file such as "
			  "configs/machines/p4-xeon-2003.yaml)%s", mc->path,
			  md.errors ? "; its problems follow" : "");
		sim_diag_append(d, &md);
	}
	sim_diag_fini(&md);
	return rc;
}

static void load_sampling(dc_machine_cfg *mc, const cfg_node *map,
			  sim_diag *d)
{
	const cfg_node *n = cfg_map_get(map, "sampling");
	if (!n)
		return;
	mc->sampled = true;
	if (cfg_section_load(&dc_machine_sampling_section, n, n, &mc->sp,
			     d) != 0)
		return;
	const cfg_node *pn = cfg_map_get(n, "period");
	const cfg_node *at = pn ? pn : n;
	mc->sampling_at = at;
	if (mc->sp.period < mc->sp.window + mc->sp.warmup)
		cfg_error(d, at, "machine.sampling.period: %llu is below "
			  "window + warmup (%llu) (expected a period that "
			  "holds a warm-up and a window)",
			  (unsigned long long)mc->sp.period,
			  (unsigned long long)(mc->sp.window + mc->sp.warmup));
	else if (mc->instructions / mc->sp.period < 2)
		cfg_error(d, at, "machine.sampling.period: %llu leaves fewer "
			  "than two windows in machine.instructions (%llu) "
			  "(expected a period of at most %llu, or more "
			  "instructions)",
			  (unsigned long long)mc->sp.period,
			  (unsigned long long)mc->instructions,
			  (unsigned long long)(mc->instructions / 2));
}

static void load_workloads(dc_machine_cfg *mc, const cfg_node *map,
			   sim_diag *d)
{
	const cfg_node *ws = cfg_map_get(map, "workloads");
	if (!ws) {
		cfg_error(d, map, "machine: missing key workloads (expected a "
			  "list of catalog names or stream mappings)");
		return;
	}
	if (cfg_node_kind(ws) != CFG_SEQ || cfg_node_len(ws) == 0) {
		cfg_error(d, ws, "machine.workloads: expected a non-empty list of "
			  "catalog names or stream mappings, got %s",
			  cfg_node_kind(ws) == CFG_SEQ
				  ? "an empty list"
				  : cfg_kind_name(cfg_node_kind(ws)));
		return;
	}
	mc->nworkloads = cfg_node_len(ws);
	mc->workloads = sim_xcalloc(mc->nworkloads, sizeof *mc->workloads);
	for (size_t i = 0; i < mc->nworkloads; i++) {
		const cfg_node *n = cfg_node_at(ws, i);
		dc_machine_workload *w = &mc->workloads[i];
		if (wl_stream_params_load(n, n, &w->p, d) != 0)
			continue;
		char *what = sim_xasprintf("machine.workloads[%zu]", i);
		sim_diag sub;
		sim_diag_init(&sub);
		bool bad = wl_stream_check(&w->p, what, &sub) != 0;
		if (bad && sub.text) {
			/* One message per line, each at the workload. */
			for (const char *l = sub.text; *l;) {
				size_t k = strcspn(l, "\n");
				cfg_error(d, n, "%.*s", (int)k, l);
				l += k + (l[k] == '\n');
			}
		} else if (bad) {
			cfg_error(d, n, "%s", what);
		}
		sim_diag_fini(&sub);
		free(what);
		if (cfg_node_kind(n) == CFG_SCALAR) {
			w->name = cfg_node_text(n);
		} else {
			w->owned_name = sim_xasprintf("stream%zu", i);
			w->name = w->owned_name;
		}
		for (size_t j = 0; j < i; j++)
			if (mc->workloads[j].name &&
			    !strcmp(mc->workloads[j].name, w->name)) {
				const cfg_node *f = cfg_node_at(ws, j);
				cfg_error(d, n, "machine.workloads: '%s' is listed "
					  "twice (first at %u:%u; expected each "
					  "workload once)", w->name,
					  cfg_node_line(f), cfg_node_col(f));
				break;
			}
	}
}

static void load_modes(dc_machine_cfg *mc, const cfg_node *map, sim_diag *d)
{
	const cfg_node *ms = cfg_map_get(map, "modes");
	cpu_arch arch = (cpu_arch)mc->m.arch;
	if (!ms) {
		for (cpu_mode m = 0; m < CPU_MODE_COUNT; m++)
			if (cpu_machine_runs(&mc->m, m))
				mc->modes[mc->nmodes++] = (int)m;
		return;
	}
	if (cfg_node_kind(ms) != CFG_SEQ || cfg_node_len(ms) == 0) {
		cfg_error(d, ms, "machine.modes: expected a non-empty list of "
			  "modes, got %s",
			  cfg_node_kind(ms) == CFG_SEQ
				  ? "an empty list"
				  : cfg_kind_name(cfg_node_kind(ms)));
		return;
	}
	const char *names[CPU_MODE_COUNT + 1];
	for (cpu_mode m = 0; m < CPU_MODE_COUNT; m++)
		names[m] = cpu_mode_name(m);
	names[CPU_MODE_COUNT] = NULL;
	bool seen[CPU_MODE_COUNT] = {false};
	for (size_t i = 0; i < cfg_node_len(ms); i++) {
		const cfg_node *n = cfg_node_at(ms, i);
		const char *t = cfg_node_kind(n) == CFG_SCALAR ? cfg_node_text(n)
							       : NULL;
		int found = -1;
		for (cpu_mode m = 0; t && m < CPU_MODE_COUNT; m++)
			if (!strcmp(t, names[m]))
				found = (int)m;
		if (found < 0) {
			const char *near = t ? sim_suggest(t, names) : NULL;
			char *shown = t ? sim_escape(t) : NULL;
			if (near)
				cfg_error(d, n, "machine.modes[%zu]: unknown mode "
					  "'%s' (did you mean '%s'?)", i, shown,
					  near);
			else
				cfg_error(d, n, "machine.modes[%zu]: unknown mode "
					  "%s%s%s (expected one of native, te, "
					  "bt, pv, hw, hw-nested, uml)", i,
					  t ? "'" : "", t ? shown : "a non-scalar",
					  t ? "'" : "");
			free(shown);
			continue;
		}
		if (!cpu_mode_is_supported(arch, (cpu_mode)found)) {
			cfg_error(d, n, "machine.modes[%zu]: mode '%s' does not "
				  "run on this machine (arch mips runs native "
				  "and te only)", i, t);
			continue;
		}
		if (!cpu_machine_runs(&mc->m, (cpu_mode)found)) {
			bool np = mc->m.hw_assist;
			cfg_error(d, n, "machine.modes[%zu]: machine '%s' has no "
				  "%s (%s: false), so it does not "
				  "run '%s' (expected a mode it runs; for a "
				  "what-if, machine.overrides: {%s: true})", i,
				  mc->m.name[0] ? mc->m.name : mc->file,
				  np ? "nested paging" : "VT-x",
				  np ? "nested_paging" : "hw_assist", t,
				  np ? "nested_paging"
				     : found == CPU_MODE_HW_NESTED
					       ? "hw_assist: true, nested_paging"
					       : "hw_assist");
			continue;
		}
		if (seen[found]) {
			cfg_error(d, n, "machine.modes[%zu]: '%s' is listed "
				  "twice (expected each mode once)", i, t);
			continue;
		}
		seen[found] = true;
		mc->modes[mc->nmodes++] = found;
	}
}

int dc_machine_load(dc_config *c, const cfg_node *root, const char *base_dir,
		    sim_diag *d)
{
	const cfg_node *map = cfg_map_get(root, "machine");
	if (!map)
		return 0;
	unsigned before = d->errors;
	dc_machine_cfg *mc = sim_xcalloc(1, sizeof *mc);
	c->machine = mc;
	if (cfg_section_load(&dc_machine_section, map, root, mc, d) != 0)
		return SIM_EINPUT;
	mc->at = cfg_map_get(map, "instructions");
	if (!mc->at)
		mc->at = map;
	mc->path = mc->file[0] == '/' ? sim_xstrdup(mc->file)
				      : sim_xasprintf("%s%s", base_dir, mc->file);
	if (load_machine(mc, map, d) != 0)
		return SIM_EINPUT;
	load_workloads(mc, map, d);
	load_modes(mc, map, d);
	load_sampling(mc, map, d);
	if (mc->memory_bytes / mc->m.page_size < 16)
		cfg_error(d, cfg_map_get(map, "memory") ? cfg_map_get(map, "memory")
							: map,
			  "machine.memory: %llu bytes is fewer than 16 pages of "
			  "%llu bytes (expected a larger VM)",
			  (unsigned long long)mc->memory_bytes,
			  (unsigned long long)mc->m.page_size);
	/* The machine alone writes only its own table. */
	c->results.tables = 0;
	return d->errors == before ? 0 : SIM_EINPUT;
}

void dc_machine_counts(const dc_machine_cfg *mc, uint64_t *rows,
		       uint64_t *runs)
{
	bool native = false;
	for (size_t k = 0; k < mc->nmodes; k++)
		native |= mc->modes[k] == CPU_MODE_NATIVE;
	*rows = (uint64_t)mc->nworkloads * mc->nmodes;
	*runs = (uint64_t)mc->nworkloads * (mc->nmodes + !native);
}

bool dc_config_machine_info(const dc_config *c, dc_machine_info *out)
{
	const dc_machine_cfg *mc = c->machine;
	if (!mc)
		return false;
	uint64_t rows, runs;
	dc_machine_counts(mc, &rows, &runs);
	out->machine = mc->m.name;
	out->workloads = mc->nworkloads;
	out->modes = mc->nmodes;
	out->runs = runs;
	out->instructions = runs * (mc->warmup + mc->instructions);
	out->sampled = mc->sampled;
	return true;
}

size_t dc_machine_short_loops(const dc_config *c, dc_machine_short *out,
			      size_t max)
{
	const dc_machine_cfg *mc = c->machine;
	size_t n = 0;
	for (size_t i = 0; mc && i < mc->nworkloads; i++) {
		const wl_stream_params *p = &mc->workloads[i].p;
		if (!p->regular)
			continue;
		wl_stream_expect e;
		wl_stream_expected(p, &e);
		if (!(e.events > 0))
			continue;
		double every = 1000.0 / e.events, loop = wl_stream_loop(p);
		double ins = (double)mc->instructions;
		if (ins >= DC_MACHINE_MIN_EVENTS * every && ins >= loop)
			continue;
		if (n < max)
			out[n] = (dc_machine_short){
				.workload = mc->workloads[i].name,
				.every = every,
				.events = ins / every,
				.loop = loop,
				.instructions = mc->instructions,
				.at = mc->at};
		n++;
	}
	return n;
}

uint64_t dc_machine_windows(const dc_config *c, uint64_t *period,
			    uint64_t *instructions, bool *capped,
			    const cfg_node **at)
{
	const dc_machine_cfg *mc = c->machine;
	if (!mc || !mc->sampled)
		return 0;
	uint64_t w = cpu_sample_windows(mc->instructions, &mc->sp, period);
	*capped = *period > mc->sp.period;
	*instructions = mc->instructions;
	*at = mc->sampling_at;
	return w;
}

void dc_machine_destroy(dc_machine_cfg *mc)
{
	if (!mc)
		return;
	for (size_t i = 0; i < mc->nworkloads; i++)
		free(mc->workloads[i].owned_name);
	free(mc->workloads);
	free(mc->path);
	cfg_doc_destroy(mc->doc);
	free(mc);
}

/* ---- the table -------------------------------------------------------- */

static const sim_column machine_run_cols[] = {
	{"machine", SIM_COL_TEXT, "", "machine.name of the machine file"},
	{"workload", SIM_COL_TEXT, "", "catalog preset, or stream<i> for the "
				       "i-th entry when it is a mapping"},
	{"mode", SIM_COL_TEXT, "", "native, te, bt, pv, hw, hw-nested or uml"},
	{"instructions", SIM_COL_INT, "", "instructions measured (warm-up "
					  "excluded; exactly machine.instructions)"},
	{"insns_user", SIM_COL_INT, "", "of them at guest user level"},
	{"insns_kernel", SIM_COL_INT, "", "of them in the guest kernel"},
	{"cycles", SIM_COL_INT, "cycles", "total: user + kernel + vmm + tlb"},
	{"cycles_user", SIM_COL_INT, "cycles", "guest user level's own work"},
	{"cycles_kernel", SIM_COL_INT, "cycles", "guest kernel's own work"},
	{"cycles_vmm", SIM_COL_INT, "cycles", "the VMM: the five columns below"},
	{"vmm_trap", SIM_COL_INT, "cycles", "trap and reflection round trips "
					    "(and world switches, UML's host "
					    "signals)"},
	{"vmm_exit", SIM_COL_INT, "cycles", "VM exit + entry round trips"},
	{"vmm_hypercall", SIM_COL_INT, "cycles", "hypercall round trips"},
	{"vmm_emulation", SIM_COL_INT, "cycles", "handlers: emulation, shadow "
						 "upkeep, host system calls"},
	{"vmm_translation", SIM_COL_INT, "cycles", "binary translation"},
	{"cycles_tlb", SIM_COL_INT, "cycles", "TLB refills: walks and refill "
					      "handlers"},
	{"seconds", SIM_COL_REAL, "s", "cycles / (clock_mhz x 10^6)"},
	{"slowdown", SIM_COL_REAL, "", "cycles / cycles of native on the same "
				       "stream (1 for native)"},
	{"relative", SIM_COL_REAL, "", "1 / slowdown: throughput relative to "
				       "native, as [Barham03] Figure 3 plots"},
	{"n_syscall", SIM_COL_INT, "", "guest system calls"},
	{"n_exception", SIM_COL_INT, "", "guest exceptions (machine-raised "
					 "faults included)"},
	{"n_interrupt", SIM_COL_INT, "", "interrupts"},
	{"n_priv", SIM_COL_INT, "", "privileged instructions in the kernel"},
	{"n_gp", SIM_COL_INT, "", "guest #GP faults (stream errors)"},
	{"n_trap", SIM_COL_INT, "", "traps into the VMM"},
	{"n_exit", SIM_COL_INT, "", "VM exits"},
	{"n_hypercall", SIM_COL_INT, "", "hypercalls"},
	{"n_callout", SIM_COL_INT, "", "BT callouts"},
	{"n_translate", SIM_COL_INT, "", "BT blocks translated"},
	{"n_pte_write", SIM_COL_INT, "", "guest PTE writes"},
	{"n_pte_trap", SIM_COL_INT, "", "PTE writes the VMM intercepted"},
	{"n_pte_queued", SIM_COL_INT, "", "PV PTE updates queued"},
	{"n_true_fault", SIM_COL_INT, "", "page faults of the guest's tables"},
	{"n_hidden_fault", SIM_COL_INT, "", "shadow or nested fills"},
	{"n_dirty_fault", SIM_COL_INT, "", "dirty-logging write faults"},
	{"n_tlb_miss", SIM_COL_INT, "", "TLB misses"},
	{"n_walk_refs", SIM_COL_INT, "", "page-walk memory references"},
	{"n_l2tlb_hit", SIM_COL_INT, "", "misses served by Disco's L2TLB"},
	{"n_tlb_flush", SIM_COL_INT, "", "TLB flushes"},
	{"n_ctx_switch", SIM_COL_INT, "", "guest context switches"},
	{"n_world_switch", SIM_COL_INT, "", "VM-to-VM switches"},
	{"n_violation", SIM_COL_INT, "", "sensitive instructions that "
					 "misbehaved (x86 trap-and-emulate)"},
	{"sampled", SIM_COL_INT, "", "1: sampled mode (machine.sampling), "
				     "every count and cycle column above "
				     "extrapolated (cpi_half bounds the "
				     "cycles only: a count of events the "
				     "windows saw k times, TLB misses say, "
				     "is off by about 1/sqrt(k) or more); "
				     "0: detailed, all exact"},
	{"cpi", SIM_COL_REAL, "cycles", "cycles per instruction (sampled: "
					"the estimate)"},
	{"cpi_half", SIM_COL_REAL, "cycles", "sampled: half-width of cpi's "
					     "interval at machine.sampling."
					     "confidence (jackknife); 0 when "
					     "detailed"},
	{"windows", SIM_COL_INT, "", "sampled: windows measured; 0 when "
				     "detailed"},
	{"detailed", SIM_COL_INT, "", "instructions run in detail (sampled: "
				      "the warm-ups and windows, the stream's "
				      "own instructions in the skips apart; "
				      "detailed: all)"},
};
#define FIXED_COLS 19
#define SAMPLE_COLS 5
_Static_assert(sizeof machine_run_cols / sizeof machine_run_cols[0] ==
		       FIXED_COLS + CPU_EV_COUNT + SAMPLE_COLS,
	       "a column per event kind");

const sim_table dc_machine_runs_table = {
	"machine_runs",
	"the machine alone (machine:): one row per workload and mode, cycles "
	"split by where they went, counts per event kind, slowdown against "
	"native on the same stream; with machine.sampling, sampled mode's "
	"estimates and their interval",
	machine_run_cols,
	sizeof machine_run_cols / sizeof machine_run_cols[0]};

/* ---- running ---------------------------------------------------------- */

#define BLOCK 65536u

/* Where a machine run is, for dc_progress.machine. */
typedef struct watch {
	const dc_progress *pg; /* NULL: not watched */
	uint64_t done, total;  /* instructions over the whole run */
	bool stop;             /* the hook asked to stop */
} watch;

/* Counts k instructions done and, when the caller's attention flag is
 * up, asks its hook; true once the run is to stop. */
static bool watch_step(watch *wt, uint64_t k)
{
	wt->done += k;
	const dc_progress *pg = wt->pg;
	if (!wt->stop && pg && pg->machine && pg->attention && *pg->attention)
		wt->stop = pg->machine(pg->ctx, wt->done, wt->total);
	return wt->stop;
}

/* Runs n instructions of g on v, block by block, unless wt says stop. */
static void feed(cpu_vcpu *v, wl_stream *g, trace_insn *buf, uint64_t n,
		 watch *wt)
{
	while (n > 0 && !wt->stop) {
		size_t k = n < BLOCK ? (size_t)n : BLOCK;
		wl_stream_fill(g, buf, k);
		cpu_vcpu_run(v, buf, k);
		n -= k;
		watch_step(wt, k);
	}
}

/* One workload under one mode: a fresh core and VM, the workload's
 * stream from its own random stream (the same for every mode). In
 * sampled mode *out is the estimate and *sr the sampling's figures;
 * otherwise *sr describes the exact run (no windows, no interval). */
static void run_one(const dc_machine_cfg *mc, const dc_machine_workload *w,
		    cpu_mode mode, uint64_t seed, trace_insn *buf,
		    cpu_results *out, cpu_sample_result *sr, watch *wt)
{
	cpu_core *core = cpu_core_create(&mc->m);
	mem_vm_geom geom = cpu_core_vm_geom(core,
					    mc->memory_bytes / mc->m.page_size);
	mem_vm *vm = mem_vm_create(&geom, cpu_core_mfn_counter(core));
	cpu_vcpu *v = cpu_vcpu_create(core, vm, 1, mode);
	char *name = sim_xasprintf("machine/%s", w->name);
	gsl_rng *rng = sim_rng_stream(seed, name);
	free(name);
	wl_stream *g = wl_stream_create(&w->p, rng);
	if (mc->prefault) {
		size_t n = wl_stream_warm(&w->p, NULL);
		trace_insn *warm = sim_xcalloc(n, sizeof *warm);
		wl_stream_warm(&w->p, warm);
		cpu_vcpu_run(v, warm, n);
		free(warm);
		cpu_vcpu_warm_translations(v);
	}
	feed(v, g, buf, mc->warmup, wt);
	cpu_vcpu_reset_results(v);
	memset(sr, 0, sizeof *sr);
	if (wt->stop) {
		*out = *cpu_vcpu_results(v);  /* stopped: not used */
	} else if (mc->sampled) {
		/* Exactly `instructions`, as the detailed run below. */
		cpu_sample_run(v, g, mc->instructions, &mc->sp, sr);
		*out = sr->est;
		watch_step(wt, mc->instructions);
	} else {
		/* Exactly `instructions`: the event in progress at the end
		 * is cut, not completed. Completing it would add a tail of
		 * kernel work whose expected length grows with the events'
		 * lengths (the one in progress at a given instruction is
		 * more likely a long one), up to a kernel-heavy 5 % of a
		 * 2 * 10^7-instruction run of lmbench-sh. */
		feed(v, g, buf, mc->instructions, wt);
		*out = *cpu_vcpu_results(v);
		sr->detailed = out->insns;
	}
	/* The books of every run, checked (a broken one is the model's
	 * bug): exact when detailed; a sampled estimate rounds each field
	 * apart, so its sums may be off by a few. */
	char why[256];
	if (!wt->stop && cpu_results_check(out, mode, mc->sampled ? 8 : 0, why,
					   sizeof why) != 0)
		sim_panic("machine run of %s: %s", w->name, why);
	wl_stream_destroy(g);
	gsl_rng_free(rng);
	cpu_vcpu_destroy(v);
	mem_vm_destroy(vm);
	cpu_core_destroy(core);
}

static int write_row(sim_results *r, const dc_machine_cfg *mc,
		     const char *workload, cpu_mode mode,
		     const cpu_results *res, const cpu_sample_result *sr,
		     uint64_t native_cycles, sim_diag *d)
{
	sim_value v[FIXED_COLS + CPU_EV_COUNT + SAMPLE_COLS];
	uint64_t cyc = cpu_results_cycles(res);
	double slow = native_cycles ? (double)cyc / (double)native_cycles : 0;
	size_t i = 0;
	v[i++].s = mc->m.name;
	v[i++].s = workload;
	v[i++].s = cpu_mode_name(mode);
	v[i++].i = (int64_t)res->insns;
	v[i++].i = (int64_t)res->insns_user;
	v[i++].i = (int64_t)res->insns_kernel;
	v[i++].i = (int64_t)cyc;
	v[i++].i = (int64_t)res->cycles_user;
	v[i++].i = (int64_t)res->cycles_kernel;
	v[i++].i = (int64_t)res->cycles_vmm;
	for (size_t k = 0; k < CPU_VMM_COUNT; k++)
		v[i++].i = (int64_t)res->vmm[k];
	v[i++].i = (int64_t)res->cycles_tlb;
	v[i++].r = (double)cyc / ((double)mc->m.clock_mhz * 1e6);
	v[i++].r = slow;
	v[i++].r = slow > 0 ? 1.0 / slow : 0;
	for (size_t k = 0; k < CPU_EV_COUNT; k++)
		v[i++].i = (int64_t)res->events[k];
	v[i++].i = mc->sampled;
	v[i++].r = res->insns ? (double)cyc / (double)res->insns : 0;
	v[i++].r = mc->sampled ? sr->cpi_half : 0;
	v[i++].i = (int64_t)sr->windows;
	v[i++].i = (int64_t)sr->detailed;
	return sim_results_row(r, &dc_machine_runs_table, v, d);
}

int dc_machine_run(const dc_config *c, uint64_t seed, sim_results *r,
		   const dc_progress *progress, dc_run_stats *stats,
		   sim_diag *d)
{
	const dc_machine_cfg *mc = c->machine;
	uint64_t rows, nruns; /* rows unused: the runs size the progress */
	dc_machine_counts(mc, &rows, &nruns);
	watch wt = {progress, 0, nruns * (mc->warmup + mc->instructions),
		    false};
	int rc = sim_results_declare(r, &dc_machine_runs_table, d);
	trace_insn *buf = sim_xcalloc(BLOCK, sizeof *buf);
	uint64_t runs = 0;
	for (size_t w = 0; w < mc->nworkloads && rc == 0; w++) {
		const dc_machine_workload *wl = &mc->workloads[w];
		/* Native first: every other mode's slowdown is against it. */
		cpu_results native;
		cpu_sample_result native_sr;
		run_one(mc, wl, CPU_MODE_NATIVE, seed, buf, &native,
			&native_sr, &wt);
		runs++;
		uint64_t base = cpu_results_cycles(&native);
		for (size_t k = 0; k < mc->nmodes && rc == 0; k++) {
			cpu_mode mode = (cpu_mode)mc->modes[k];
			cpu_results res = native;
			cpu_sample_result sr = native_sr;
			if (mode != CPU_MODE_NATIVE) {
				run_one(mc, wl, mode, seed, buf, &res, &sr,
					&wt);
				runs++;
			}
			if (wt.stop) {
				rc = SIM_EINTR;
				break;
			}
			rc = write_row(r, mc, wl->name, mode, &res, &sr, base,
				       d);
		}
	}
	free(buf);
	if (stats) {
		stats->events = runs;
		stats->end_ns = 0;
	}
	return rc;
}
