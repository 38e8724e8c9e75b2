/* SPDX-License-Identifier: MIT */
/*
 * The run plan: the configuration with its overrides, the sweep's cartesian
 * product (the last axis varies fastest) times the replications. Every
 * point is validated up front, one at a time, so that no output is written
 * for a bad config; a point's config is built again when it runs.
 */
#include "cli_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct top_cfg {
	uint64_t replications;
} top_cfg;

static const cfg_param top_params[] = {
	{.name = "replications", .type = CFG_T_UINT, .def = "1", .min = "1",
	 .max = "100000", .offset = offsetof(top_cfg, replications),
	 .doc = "runs per sweep point; replication r > 0 gets seed "
		"splitmix64(seed + r) with its top bit cleared (0 to "
		"2^63 - 1, so --seed N with replications: 1 runs it alone)"},
};

static const cfg_section top_section = {
	.path = "(top level)",
	.doc = "sweep: maps parameter paths (datacenter.host.memory, vms.0.vcpus, "
	       "migrations.*.scheme for every entry) to lists of values; each "
	       "point of their cartesian product is run; zip: {PATH: [...], "
	       "PATH: [...]} varies lists of one length together",
	.params = top_params,
	.nparams = 1,
};

const cfg_section *cli_plan_section(void)
{
	return &top_section;
}

/* The largest plan we accept; past it a sweep is almost surely a typo. */
#define MAX_RUNS ((size_t)10000000)

/* Adds the axis `key`: `vals` to dimension dim; false after reporting a
 * path that cannot be swept or values that are not a non-empty list. */
static bool add_axis(cli_plan *p, const cfg_node *key, const cfg_node *vals,
		     size_t dim, const char *where, sim_diag *d)
{
	const char *path = cfg_node_text(key);
	if (strncmp(path, "sweep", 5) == 0 ||
	    strncmp(path, "replications", 12) == 0) {
		cfg_error(d, key, "sweep: cannot sweep '%s' (expected a "
			  "parameter path such as datacenter.host.memory)",
			  path);
		return false;
	}
	if (cfg_node_kind(vals) != CFG_SEQ || cfg_node_len(vals) == 0) {
		cfg_error(d, vals, "%s%s: expected a non-empty list of "
			  "values, got %s", where, path,
			  cfg_node_kind(vals) == CFG_SEQ
				  ? "an empty list"
				  : cfg_kind_name(cfg_node_kind(vals)));
		return false;
	}
	cli_axis *ax = &p->axes[p->naxes++];
	ax->path = cli_path_canonical(path);
	ax->values = vals;
	ax->key = key;
	ax->dim = dim;
	return true;
}

/* A zip group: a mapping of paths to lists of one length, varied
 * together as one dimension. */
static void load_zip_group(cli_plan *p, const cfg_node *group, sim_diag *d)
{
	if (cfg_node_kind(group) != CFG_MAP || cfg_node_len(group) == 0) {
		cfg_error(d, group, "sweep.zip: expected a mapping of parameter "
			  "paths to lists of one length (or a list of such "
			  "mappings), got %s",
			  cfg_node_kind(group) == CFG_MAP
				  ? "an empty mapping"
				  : cfg_kind_name(cfg_node_kind(group)));
		return;
	}
	size_t dim = p->ndims, len = 0;
	const cfg_node *first = NULL;
	for (size_t i = 0; i < cfg_node_len(group); i++) {
		const cfg_node *key = cfg_node_key(group, i);
		const cfg_node *vals = cfg_node_at(group, i);
		if (!add_axis(p, key, vals, dim, "sweep.zip.", d))
			continue;
		if (!first) {
			first = key;
			len = cfg_node_len(vals);
		} else if (cfg_node_len(vals) != len) {
			char *a = sim_escape(cfg_node_text(key));
			char *b = sim_escape(cfg_node_text(first));
			cfg_error(d, vals, "sweep.zip.%s: %zu values, but '%s' "
				  "(%u:%u) has %zu (expected lists of one length "
				  "in a zip group: their i-th values go "
				  "together)",
				  a, cfg_node_len(vals), b, cfg_node_line(first),
				  cfg_node_col(first), len);
			free(a);
			free(b);
		}
	}
	if (first)
		p->dim_len[p->ndims++] = len;
}

static int load_axes(cli_plan *p, sim_diag *d)
{
	const cfg_node *root = cfg_doc_root(p->base);
	const cfg_node *sweep = cfg_map_get(root, "sweep");
	p->npoints = 1;
	if (!sweep)
		return 0;
	if (cfg_node_kind(sweep) != CFG_MAP) {
		cfg_error(d, sweep, "sweep: expected a mapping of parameter paths "
			  "to lists of values, got %s",
			  cfg_kind_name(cfg_node_kind(sweep)));
		return SIM_EINPUT;
	}
	/* Every axis once: the sweep's keys and each zip group's. */
	size_t cap = 0;
	for (size_t i = 0; i < cfg_node_len(sweep); i++) {
		const cfg_node *v = cfg_node_at(sweep, i);
		if (strcmp(cfg_node_text(cfg_node_key(sweep, i)), "zip") != 0) {
			cap++;
		} else if (cfg_node_kind(v) == CFG_SEQ) {
			for (size_t g = 0; g < cfg_node_len(v); g++)
				cap += cfg_node_len(cfg_node_at(v, g)) + 1;
		} else {
			cap += cfg_node_len(v) + 1;
		}
	}
	p->axes = sim_xcalloc(cap ? cap : 1, sizeof *p->axes);
	p->dim_len = sim_xcalloc(cap ? cap : 1, sizeof *p->dim_len);
	unsigned before = d->errors;
	for (size_t i = 0; i < cfg_node_len(sweep); i++) {
		const cfg_node *key = cfg_node_key(sweep, i);
		const cfg_node *vals = cfg_node_at(sweep, i);
		if (strcmp(cfg_node_text(key), "zip") == 0 &&
		    !cfg_node_is_quoted(key)) {
			if (cfg_node_kind(vals) == CFG_SEQ &&
			    cfg_node_len(vals) > 0)
				for (size_t g = 0; g < cfg_node_len(vals); g++)
					load_zip_group(p, cfg_node_at(vals, g), d);
			else
				load_zip_group(p, vals, d);
			continue;
		}
		if (add_axis(p, key, vals, p->ndims, "sweep.", d))
			p->dim_len[p->ndims++] = cfg_node_len(vals);
	}
	for (size_t k = 0; d->errors == before && k < p->ndims; k++) {
		if (p->npoints > MAX_RUNS / p->dim_len[k]) {
			const cfg_node *at = sweep;
			for (size_t a = 0; a < p->naxes; a++)
				if (p->axes[a].dim == k) {
					at = p->axes[a].values;
					break;
				}
			cfg_error(d, at, "sweep: more than %zu points (expected a "
				  "smaller sweep)", MAX_RUNS);
			break;
		}
		p->npoints *= p->dim_len[k];
	}
	if (d->errors == before)
		cli_check_axes(p, d);
	return d->errors == before ? 0 : SIM_EINPUT;
}

const cfg_node *cli_plan_axis_value(const cli_plan *p, size_t pt, size_t a)
{
	size_t stride = 1, dim = p->axes[a].dim;
	for (size_t b = p->ndims; b-- > dim + 1;)
		stride *= p->dim_len[b];
	size_t idx = (pt / stride) % p->dim_len[dim];
	return cfg_node_at(p->axes[a].values, idx);
}

/* The node at a dotted path of doc (map keys, sequence indices), or NULL. */
static const cfg_node *node_at(const cfg_doc *doc, const char *path,
			       size_t len)
{
	const cfg_node *n = cfg_doc_root(doc);
	const char *s = path, *end = path + len;
	while (n && s < end) {
		size_t l = strcspn(s, ".");
		if (s + l > end)
			l = (size_t)(end - s);
		char *comp = sim_xasprintf("%.*s", (int)l, s);
		if (cfg_node_kind(n) == CFG_MAP) {
			n = cfg_map_get(n, comp);
		} else if (cfg_node_kind(n) == CFG_SEQ) {
			char *e;
			unsigned long long i = strtoull(comp, &e, 10);
			n = *comp && !*e ? cfg_node_at(n, (size_t)i) : NULL;
		} else {
			n = NULL;
		}
		free(comp);
		s += l + 1;
	}
	return n;
}

/* Sets value at path, where each '*' component stands for every index of
 * the list there (recursively). An axis whose '*' names no list, or an
 * empty one, is reported at its key. */
static int set_path(cfg_doc *doc, const cli_axis *ax, const char *path,
		    const cfg_node *value, sim_diag *d)
{
	const char *star = strstr(path, "*");
	while (star && !((star == path || star[-1] == '.') &&
			 (star[1] == '.' || star[1] == '\0')))
		star = strstr(star + 1, "*");
	if (!star)
		return cfg_doc_set(doc, path, value, "sweep", d);
	size_t plen = star == path ? 0 : (size_t)(star - path - 1);
	const cfg_node *list = node_at(doc, path, plen);
	if (!list || cfg_node_kind(list) != CFG_SEQ || cfg_node_len(list) == 0) {
		char *shown = sim_escape(ax->path);
		cfg_error(d, ax->key, "sweep: '%s': '%.*s' is not a non-empty "
			  "list in the config (expected '*' to stand for the "
			  "indices of a list, as in migrations.*.scheme)",
			  shown, (int)plen, path);
		free(shown);
		return SIM_EINPUT;
	}
	for (size_t i = 0; i < cfg_node_len(list); i++) {
		char *one = sim_xasprintf("%.*s%s%zu%s", (int)plen, path,
					  plen ? "." : "", i, star + 1);
		int rc = set_path(doc, ax, one, value, d);
		free(one);
		if (rc)
			return rc;
	}
	return 0;
}

int cli_plan_build_point(const cli_plan *p, size_t pt, bool text,
			 cli_point *out, sim_diag *d)
{
	memset(out, 0, sizeof *out);
	if (p->naxes == 0) {
		/* Every point is the base itself: nothing to change, so
		 * nothing to copy (a config only reads its document). */
		if (text)
			out->text = p->point_base == p->base
					    ? sim_xstrdup(p->base_text)
					    : cfg_doc_emit(p->point_base);
		return dc_config_load_with(p->point_base, p->base_dir,
					   p->loader, &out->cfg, d);
	}
	cfg_doc *doc = cfg_doc_clone(p->point_base);
	out->doc = doc;
	for (size_t a = 0; a < p->naxes; a++)
		if (set_path(doc, &p->axes[a], p->axes[a].path,
			     cli_plan_axis_value(p, pt, a), d) != 0)
			return SIM_EINPUT;
	if (text)
		out->text = cfg_doc_emit(doc);
	return dc_config_load_with(doc, p->base_dir, p->loader, &out->cfg, d);
}

void cli_point_fini(cli_point *pt)
{
	dc_config_destroy(pt->cfg);
	cfg_doc_destroy(pt->doc);
	free(pt->text);
	memset(pt, 0, sizeof *pt);
}

cli_typed cli_typed_value(const cfg_node *n, double *out)
{
	const char *t = cfg_node_text(n);
	if (!t || !*t)
		return CLI_TYPED_NONE;
	const char *why;
	char *end;
	double x = strtod(t, &end);
	/* A plain number (no unit), finite, not hex or inf/nan words. */
	if (!*end && (t[0] == '-' || t[0] == '+' || t[0] == '.' ||
		      (t[0] >= '0' && t[0] <= '9')) &&
	    !strpbrk(t, "xXnN") && isfinite(x)) {
		*out = x;
		return CLI_TYPED_NUMBER;
	}
	uint64_t u;
	double f;
	if (cfg_parse_rate(t, &u, &why) == 0) {
		*out = (double)u;
		return CLI_TYPED_RATE;
	}
	if (cfg_parse_time(t, &u, &why) == 0) {
		*out = (double)u;
		return CLI_TYPED_TIME;
	}
	if (cfg_parse_bytes(t, &u, &why) == 0) {
		*out = (double)u;
		return CLI_TYPED_BYTES;
	}
	if (cfg_parse_percent(t, &f, &why) == 0) {
		*out = f;
		return CLI_TYPED_PERCENT;
	}
	return CLI_TYPED_NONE;
}

/* Sets the axis's typed kind and column name: the path with '.' as '_',
 * '*' as "all", and the base unit's suffix (_bytes, _bps, _ns, _frac). */
static void type_axis(cli_axis *ax)
{
	int kind = CLI_TYPED_NONE;
	for (size_t i = 0; i < cfg_node_len(ax->values); i++) {
		double x;
		int k = cli_typed_value(cfg_node_at(ax->values, i), &x);
		if (k == CLI_TYPED_NONE || (i > 0 && k != kind)) {
			kind = CLI_TYPED_NONE;
			break;
		}
		kind = k;
	}
	ax->typed = kind;
	if (kind == CLI_TYPED_NONE)
		return;
	static const char *const suffix[] = {"", "", "_bytes", "_bps", "_ns",
					     "_frac"};
	size_t n = strlen(ax->path);
	char *name = sim_xmalloc(3 * n + 8), *o = name;
	for (const char *s = ax->path; *s; s++) {
		if (*s == '.') {
			*o++ = '_';
		} else if (*s == '*') {
			memcpy(o, "all", 3);
			o += 3;
		} else {
			*o++ = *s;
		}
	}
	strcpy(o, suffix[kind]);
	ax->typed_name = name;
}

static void build_run_columns(cli_plan *p)
{
	static const sim_column fixed[] = {
		{"run_id", SIM_COL_INT, "", "run number, from 1"},
		{"point", SIM_COL_INT, "", "sweep point, from 0"},
		{"replication", SIM_COL_INT, "", "replication, from 0"},
		{"seed", SIM_COL_INT, "", "the run's master seed"},
		{"config_hash", SIM_COL_TEXT, "",
		 "the run's effective config: configs.hash (FNV-1a 64 of its text)"},
		{"vdcsim_version", SIM_COL_TEXT, "", "version of the simulator"},
		{"events", SIM_COL_INT, "", "events executed"},
		{"end_ns", SIM_COL_INT, "ns", "simulated time at the end"},
	};
	size_t nf = sizeof fixed / sizeof fixed[0];
	p->run_cols = sim_xcalloc(nf + 2 * p->naxes, sizeof *p->run_cols);
	memcpy(p->run_cols, fixed, sizeof fixed);
	for (size_t a = 0; a < p->naxes; a++)
		p->run_cols[nf + a] = (sim_column){
			p->axes[a].path, SIM_COL_TEXT, "",
			"value of this swept parameter, as written in the config"};
	/* Then, for each axis of numbers or quantities, the same values as
	 * numbers in base units, for sorting and filtering; a name that
	 * another column has already keeps only its text. */
	static const char *const units[] = {"", "", "B", "bit/s", "ns", ""};
	size_t nc = nf + p->naxes;
	for (size_t a = 0; a < p->naxes; a++) {
		cli_axis *ax = &p->axes[a];
		type_axis(ax);
		for (size_t c = 0; ax->typed_name && c < nc; c++)
			if (strcmp(p->run_cols[c].name, ax->typed_name) == 0) {
				free(ax->typed_name);
				ax->typed_name = NULL;
			}
		if (!ax->typed_name)
			continue;
		p->run_cols[nc++] = (sim_column){
			ax->typed_name, SIM_COL_REAL, units[ax->typed],
			ax->typed == CLI_TYPED_PERCENT
				? "the swept value above as a fraction"
				: "the swept value above as a number, in base units"};
	}
	p->nrun_cols = nc;
	p->runs_table = (sim_table){"runs", "one row per run of the sweep",
				    p->run_cols, p->nrun_cols};
	static const sim_column config_cols[] = {
		{"hash", SIM_COL_TEXT, "", "FNV-1a 64 of text, as runs.config_hash"},
		{"text", SIM_COL_TEXT, "", "an effective config (YAML), once"},
	};
	p->configs_table = (sim_table){"configs",
				       "each distinct effective config of the runs",
				       config_cols, 2};
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* Adds the estimate of one point's runs (all its replications). */
static void add_estimate(cli_plan *p, const dc_config *c)
{
	dc_estimate e;
	dc_config_estimate(c, &e);
	uint64_t r = p->replications;
	p->total.events = sat_add(p->total.events, sat_mul(e.events, r));
	p->total.rows = sat_add(p->total.rows, sat_mul(e.rows, r));
	p->total.rows_max = sat_add(p->total.rows_max, sat_mul(e.rows_max, r));
	p->total.bytes_max = sat_add(p->total.bytes_max,
				     sat_mul(e.bytes_max, r));
}

/* Builds point pt into out (its text for point 0 only), checks it
 * against the bounds and adds it to the estimate and the draw count. */
static int check_point(cli_plan *p, size_t pt, cli_point *out, sim_diag *d)
{
	int rc = cli_plan_build_point(p, pt, pt == 0, out, d);
	if (rc == 0)
		rc = dc_config_check_bounds(out->cfg, p->allow_large, d);
	if (rc == 0) {
		add_estimate(p, out->cfg);
		p->random_points += dc_config_has_random_draws(out->cfg);
	}
	return rc;
}

/* A --set that conflicts with the sweep is refused; its value is still
 * checked, in the configuration without the sweep. */
static void check_base(cli_plan *p, sim_diag *d)
{
	dc_config *c = NULL;
	dc_config_load_with(p->point_base, p->base_dir, p->loader, &c, d);
	dc_config_destroy(c);
}

int cli_plan_load(const char *path, char *const *sets, size_t nsets,
		  const char *seed, const char *base_dir, bool allow_large,
		  cli_plan *p, sim_diag *d)
{
	memset(p, 0, sizeof *p);
	p->base_dir = base_dir ? sim_xstrdup(base_dir) : NULL;
	p->allow_large = allow_large;
	p->loader = dc_loader_create();
	if (cfg_doc_load(path, &p->base, d) != 0)
		return SIM_EINPUT;
	unsigned before = d->errors;
	for (size_t i = 0; i < nsets; i++)
		if (cli_check_set_path(sets[i], d) == 0)
			cfg_doc_set_arg(p->base, sets[i], d);
	if (seed) {
		char *arg = sim_xasprintf("experiment.seed=%s", seed);
		cfg_doc_set_arg(p->base, arg, d);
		free(arg);
	}
	if (d->errors != before)
		return SIM_EINPUT;
	p->base_text = cfg_doc_emit(p->base);
	/* What every point starts from: a clone per point of this, not of
	 * the base, so that building a point costs the config, not the
	 * sweep's lists too (which would make a plan quadratic). */
	p->point_base = p->base;
	if (cfg_map_get(cfg_doc_root(p->base), "sweep") ||
	    cfg_map_get(cfg_doc_root(p->base), "replications")) {
		p->point_base = cfg_doc_clone(p->base);
		cfg_doc_remove_top(p->point_base, "sweep");
		cfg_doc_remove_top(p->point_base, "replications");
	}

	const cfg_node *root = cfg_doc_root(p->base);
	top_cfg top;
	p->reps_node = cfg_map_get(root, "replications");
	if (p->reps_node)
		cfg_param_load(&top_params[0], p->reps_node, &top, d);
	else
		top.replications = 1;
	load_axes(p, d);
	if (d->errors == before && cli_check_sets(p, sets, nsets, d) != 0)
		check_base(p, d);
	if (d->errors != before)
		return SIM_EINPUT;
	p->replications = (uint32_t)top.replications;
	if (p->npoints > MAX_RUNS / p->replications) {
		cfg_error(d, p->reps_node, "replications: %zu points x %u "
			  "replications is more than %zu runs (expected fewer)",
			  p->npoints, p->replications, MAX_RUNS);
		return SIM_EINPUT;
	}
	p->nruns = p->npoints * p->replications;
	/* Every point is built, checked and dropped in turn: memory stays
	 * that of one point whatever the sweep's size. A bad base config
	 * fails identically at each of them, so a failing first point ends
	 * the check; after that, stop after a few failing points. */
	size_t bad = check_point(p, 0, &p->first, d) != 0 ? 3 : 0;
	for (size_t pt = 1; pt < p->npoints && bad < 3; pt++) {
		cli_point one;
		bad += check_point(p, pt, &one, d) != 0;
		cli_point_fini(&one);
	}
	if (d->errors != before)
		return SIM_EINPUT;
	build_run_columns(p);
	return 0;
}

/* A machine experiment's benchmark loops that its run holds fewer than
 * DC_MACHINE_MIN_EVENTS events of (the first point's). */
static void warn_short_loops(const cli_plan *p)
{
	dc_machine_short sh[8];
	size_t n = dc_machine_short_loops(p->first.cfg, sh, 8);
	for (size_t i = 0; i < n && i < 8; i++) {
		char *file = sim_escape(cfg_node_file(sh[i].at));
		char *w = sim_escape(sh[i].workload);
		fprintf(stderr, "%s:%u:%u: warning: machine.instructions: %"
			PRIu64 " instructions hold ", file,
			cfg_node_line(sh[i].at), cfg_node_col(sh[i].at),
			sh[i].instructions);
		double ins = (double)sh[i].instructions;
		if (ins < sh[i].loop)
			fprintf(stderr,
				"%.2f of %s's loop (%.3g instructions, one of "
				"its rarest events), so the run misses some of "
				"its kinds of event (expected %.2g instructions "
				"or more)\n",
				ins / sh[i].loop, w, sh[i].loop, sh[i].loop);
		else
			fprintf(stderr,
				"%.1f of %s's evenly spaced events (one every "
				"%.3g instructions), and where the run cuts one "
				"weighs on its ratios (expected at least %d of "
				"them: %.2g instructions or more)\n",
				sh[i].events, w, sh[i].every,
				DC_MACHINE_MIN_EVENTS,
				DC_MACHINE_MIN_EVENTS * sh[i].every);
		free(w);
		free(file);
	}
	if (n > 8)
		fprintf(stderr, "  (and %zu more workloads as short)\n", n - 8);
}

/* A sampled machine experiment with fewer than DC_MACHINE_MIN_WINDOWS
 * windows a run (the first point's). */
static void warn_few_windows(const cli_plan *p)
{
	uint64_t k = 0, n = 0;
	bool capped = false;
	const cfg_node *at = NULL;
	uint64_t w = dc_machine_windows(p->first.cfg, &k, &n, &capped, &at);
	if (!w || w >= DC_MACHINE_MIN_WINDOWS || !at)
		return;
	char *file = sim_escape(cfg_node_file(at));
	fprintf(stderr,
		"%s:%u:%u: warning: machine.sampling: %" PRIu64 " windows a run "
		"(%" PRIu64 " instructions, one window every %" PRIu64 ") "
		"give a wide interval: see cpi_half in machine_runs "
		"(expected at least %d windows: ",
		file, cfg_node_line(at), cfg_node_col(at), w, n, k,
		DC_MACHINE_MIN_WINDOWS);
	if (capped)
		fprintf(stderr, "a larger machine.sampling.windows)\n");
	else
		fprintf(stderr, "%.2g instructions or more, or a shorter "
			"machine.sampling.period)\n",
			(double)k * DC_MACHINE_MIN_WINDOWS);
	free(file);
}

void cli_plan_warn(const cli_plan *p)
{
	warn_short_loops(p);
	warn_few_windows(p);
	if (p->replications < 2 || p->random_points > 0)
		return;
	const cfg_node *n = p->reps_node;
	char *file = sim_escape(cfg_node_file(n));
	fprintf(stderr,
		"%s:%u:%u: warning: replications: %u replications of a config "
		"that draws no random numbers are identical (expected "
		"replications: 1, or a page-exact migration whose guest "
		"writes come from a generator)\n",
		file, cfg_node_line(n), cfg_node_col(n), p->replications);
	free(file);
}

void cli_plan_fini(cli_plan *p)
{
	cli_point_fini(&p->first);
	dc_loader_destroy(p->loader);
	for (size_t a = 0; a < p->naxes; a++) {
		free(p->axes[a].path);
		free(p->axes[a].typed_name);
	}
	free(p->axes);
	free(p->dim_len);
	free(p->run_cols);
	free(p->base_text);
	free(p->base_dir);
	if (p->point_base != p->base)
		cfg_doc_destroy(p->point_base);
	cfg_doc_destroy(p->base);
	memset(p, 0, sizeof *p);
}

void cli_config_hash(const char *text, char out[17])
{
	snprintf(out, 17, "%016" PRIx64, sim_hash64(text, strlen(text)));
}

size_t cli_plan_point(const cli_plan *p, size_t run)
{
	return run / p->replications;
}

uint32_t cli_plan_replication(const cli_plan *p, size_t run)
{
	return (uint32_t)(run % p->replications);
}
