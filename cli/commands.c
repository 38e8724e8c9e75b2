/* SPDX-License-Identifier: MIT */
/*
 * The small subcommands: validate (a config and its sweep, no output),
 * plot (redraw a results directory's plots) and params (every parameter
 * table, from the same tables the loader validates against).
 */
#include "cli_internal.h"
#include "pol.h"
#include "cpu.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wl.h"

void cli_error(const char *fmt, ...)
{
	/* Formatted first and escaped whole, as sim_diag_verror does: the
	 * arguments are user text (paths, option values). */
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *msg = sim_xmalloc(n > 0 ? (size_t)n + 1 : 1);
	msg[0] = '\0';
	if (n > 0)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	char *shown = sim_escape(msg);
	fprintf(stderr, "vdcsim: %s\n", shown);
	free(shown);
	free(msg);
}

void cli_print_diag(const sim_diag *d)
{
	if (d->text)
		fputs(d->text, stderr);
}

/* Parses only -h/--help (and --svg, --set, --seed where allowed); returns
 * the index of the first positional argument, -1 on a usage error, -2 after
 * printing help. */
typedef struct small_opts {
	bool svg;
	bool list;
	bool allow_large;
	const char *seed;
	char **sets;
	size_t nsets;
} small_opts;

static int parse_small(int argc, char **argv, const char *cmd, bool allow_svg,
		       bool allow_set, void (*usage)(FILE *), small_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"svg", no_argument, NULL, 'v'},
		{"set", required_argument, NULL, 'S'},
		{"seed", required_argument, NULL, 's'},
		{"allow-large", no_argument, NULL, 'L'},
		{"list", no_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return -2;
		}
		if (ch == 'v' && allow_svg) {
			o->svg = true;
			continue;
		}
		/* --list goes with --svg: both are plot's. */
		if (ch == 'l' && allow_svg) {
			o->list = true;
			continue;
		}
		if (ch == 'S' && allow_set) {
			o->sets[o->nsets++] = optarg;
			continue;
		}
		if (ch == 'L' && allow_set) {
			o->allow_large = true;
			continue;
		}
		if (ch == 's' && allow_set) {
			if (cli_check_seed(cmd, optarg) != 0)
				return -1;
			o->seed = optarg;
			continue;
		}
		if (ch == ':')
			cli_error("%s: option '%s' needs a value (see vdcsim %s --help)",
				  cmd, argv[optind - 1], cmd);
		else
			cli_error("%s: unknown option '%s' (see vdcsim %s --help)", cmd,
				  argv[optind - 1], cmd);
		return -1;
	}
	return optind;
}

static void usage_validate(FILE *f)
{
	fputs("usage: vdcsim validate CONFIG [--set PATH=VALUE]... [--seed N]\n"
	      "                       [--allow-large]\n"
	      "\n"
	      "Checks CONFIG, its overrides and every point of its sweep, as run\n"
	      "would (one point at a time), and writes nothing. Prints the plan's\n"
	      "size and its estimate summed over every run: events (at least),\n"
	      "result rows (at least and at most) and bytes (at most).\n"
	      "A machine file (its first key machine, as in configs/machines/)\n"
	      "is checked against the machine parameters of vdcsim params\n"
	      "instead.\n"
	      "\n"
	      "      --allow-large    accept runs past the documented bounds (rows,\n"
	      "                       events, page writes per run)\n"
	      "\n"
	      "Exit status: 0 valid, 2 not (FILE:LINE:COL messages on stderr).\n",
	      f);
}

/* A machine file (a mapping whose first key is machine, as in
 * configs/machines/) is checked against the machine model's tables
 * instead of as an experiment. Returns false, with nothing reported, for
 * any other file (and for one that does not parse: the experiment path
 * reports that). */
static bool validate_machine(const char *path, bool sets, int *status)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	bool is = false;
	if (cfg_doc_load(path, &doc, &d) == 0) {
		const cfg_node *root = cfg_doc_root(doc);
		const cfg_node *k0 = cfg_node_kind(root) == CFG_MAP
					     ? cfg_node_key(root, 0) : NULL;
		is = k0 && strcmp(cfg_node_text(k0), "machine") == 0;
	}
	if (is && sets) {
		cli_error("validate: --set applies to experiment configs, not to "
			  "a machine file (edit the file instead)");
		*status = CLI_USAGE;
	} else if (is) {
		cpu_machine m;
		if (cpu_machine_load(doc, &m, &d) != 0) {
			cli_print_diag(&d);
			*status = CLI_USAGE;
		} else {
			char *shown = sim_escape(path);
			char *name = sim_escape(m.name);
			printf("%s: valid: machine %s, %" PRIu64 " MHz\n", shown,
			       name, m.clock_mhz);
			free(name);
			free(shown);
		}
	}
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	return is;
}

int cli_cmd_validate(int argc, char **argv)
{
	small_opts o = {0};
	o.sets = sim_xcalloc((size_t)argc + 1, sizeof *o.sets);
	int i = parse_small(argc, argv, "validate", false, true, usage_validate, &o);
	int status = CLI_OK;
	if (i < 0) {
		status = i == -2 ? CLI_OK : CLI_USAGE;
		goto out;
	}
	if (argc - i != 1) {
		cli_error("validate: expected exactly one CONFIG (see vdcsim validate --help)");
		status = CLI_USAGE;
		goto out;
	}
	sim_diag d;
	sim_diag_init(&d);
	if (validate_machine(argv[i], o.nsets > 0, &status)) {
		sim_diag_fini(&d);
		goto out;
	}
	cli_plan plan;
	cli_own_plots own = {0};
	if (cli_plan_load(argv[i], o.sets, o.nsets, o.seed, NULL, o.allow_large,
			  &plan, &d) != 0 ||
	    cli_plots_check(&plan, &own, &d) != 0) {
		cli_print_diag(&d);
		status = CLI_USAGE;
	} else {
		char *shown = sim_escape(argv[i]);
		dc_machine_info mi;
		if (dc_config_machine_info(plan.first.cfg, &mi)) {
			/* The machine alone: no hosts or VMs to speak of. */
			char *name = sim_escape(mi.machine);
			printf("%s: valid: %zu run%s (%zu point%s x %u "
			       "replication%s), machine %s, %" PRIu64
			       " workload%s x %" PRIu64 " mode%s; per run %"
			       PRIu64 " machine runs, %.3g instructions%s\n",
			       shown, plan.nruns, plan.nruns == 1 ? "" : "s",
			       plan.npoints, plan.npoints == 1 ? "" : "s",
			       plan.replications,
			       plan.replications == 1 ? "" : "s", name,
			       mi.workloads, mi.workloads == 1 ? "" : "s",
			       mi.modes, mi.modes == 1 ? "" : "s", mi.runs,
			       (double)mi.instructions,
			       mi.sampled ? " (sampled)" : "");
			free(name);
		} else {
			printf("%s: valid: %zu run%s (%zu point%s x %u "
			       "replication%s), %zu hosts, %zu VMs\n",
			       shown, plan.nruns, plan.nruns == 1 ? "" : "s",
			       plan.npoints, plan.npoints == 1 ? "" : "s",
			       plan.replications,
			       plan.replications == 1 ? "" : "s",
			       (size_t)plan.first.cfg->datacenter.nhosts,
			       plan.first.cfg->nvms);
		}
		const dc_estimate *e = &plan.total;
		printf("  estimate, summed over all %zu run%s: at least %" PRIu64
		       " events, %" PRIu64 " to %" PRIu64 " rows, at most about "
		       "%" PRIu64 " bytes\n",
		       plan.nruns, plan.nruns == 1 ? "" : "s", e->events, e->rows,
		       e->rows_max, e->bytes_max);
		free(shown);
		cli_plan_warn(&plan);
	}
	cli_own_plots_fini(&own);
	cli_plan_fini(&plan);
	sim_diag_fini(&d);
out:
	free(o.sets);
	return status;
}

static void usage_plot(FILE *f)
{
	fputs("usage: vdcsim plot DIR [NAME...] [--svg] [--list]\n"
	      "\n"
	      "Draws again the plots of results directory DIR from its CSV files,\n"
	      "with gnuplot and the scripts in plots/ (PNG, or SVG with --svg):\n"
	      "the set its config asked for (results.plots, and its own\n"
	      "plot_scripts), or with NAMEs exactly those plots (as --list names\n"
	      "them; one that does not fit is a warning, an unknown name an\n"
	      "error). Each plot replaces the one drawn before. gnuplot may run for\n"
	      "60s per plot; VDCSIM_GNUPLOT_TIMEOUT=TIME changes that (0s: no\n"
	      "limit). A plot is drawn when it fits the results: its tables have\n"
	      "rows and its condition holds (a scheme plot needs several\n"
	      "schemes, the downtime curves several round counts).\n"
	      "\n"
	      "  --svg     draw SVG instead of PNG\n"
	      "  --list    say which plots fit DIR and why the others do not;\n"
	      "            draw nothing\n"
	      "\n"
	      "Exit status: 0 drawn, 1 gnuplot missing or failed (or a write\n"
	      "failed), 2 bad usage or DIR not a results directory.\n",
	      f);
}

int cli_cmd_plot(int argc, char **argv)
{
	small_opts o = {0};
	int i = parse_small(argc, argv, "plot", true, false, usage_plot, &o);
	if (i < 0)
		return i == -2 ? CLI_OK : CLI_USAGE;
	if (argc - i < 1) {
		cli_error("plot: expected a results DIR (see vdcsim plot --help)");
		return CLI_USAGE;
	}
	const char *dir = argv[i];
	const char *const *names =
		argc - i > 1 ? (const char *const *)argv + i + 1 : NULL;
	char *meta = sim_xasprintf("%s/meta.csv", dir);
	struct stat st;
	bool ok = stat(meta, &st) == 0;
	free(meta);
	if (!ok) {
		cli_error("plot: '%s' is not a results directory (expected the "
			  "meta.csv that vdcsim run and wws write)", dir);
		return CLI_USAGE;
	}
	sim_diag d;
	sim_diag_init(&d);
	if (o.list) {
		int lrc = cli_plots_list(dir, &d);
		if (lrc != 0)
			cli_print_diag(&d);
		sim_diag_fini(&d);
		return lrc == 0 ? CLI_OK : CLI_FAIL;
	}
	unsigned made = 0;
	bool skipped = false;
	int rc = cli_plots_draw(dir, o.svg, names, &made, &skipped, &d);
	int status = CLI_OK;
	if (rc != 0) {
		cli_print_diag(&d);
		status = rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
	} else if (skipped) {
		cli_error("plot: gnuplot is not installed: no plots drawn (apt-get "
			  "install gnuplot-nox)");
		status = CLI_FAIL;
	} else {
		char *shown = sim_escape(dir);
		printf("%s: %u plot%s drawn\n", shown, made, made == 1 ? "" : "s");
		free(shown);
	}
	sim_diag_fini(&d);
	return status;
}

static void usage_params(FILE *f)
{
	fputs("usage: vdcsim params\n"
	      "\n"
	      "Lists every configuration parameter: its path, type and unit,\n"
	      "default, range and meaning. Sizes take B, kB, MB, GB, TB (powers of\n"
	      "1000) or KiB, MiB, GiB, TiB (powers of 1024); rates bit/s, kbit/s,\n"
	      "Mbit/s, Gbit/s, Kibit/s, Mibit/s, Gibit/s, B/s, kB/s, MB/s, GB/s,\n"
	      "KiB/s, MiB/s, GiB/s; times ns, us, ms, s, min, h; percentages 50%.\n"
	      "\n"
	      "Exit status: 0 listed, 2 bad usage.\n",
	      f);
}

static const char *type_name(cfg_type t)
{
	switch (t) {
	case CFG_T_BOOL: return "bool";
	case CFG_T_INT: return "int";
	case CFG_T_UINT: return "uint";
	case CFG_T_FLOAT: return "float";
	case CFG_T_BYTES: return "size";
	case CFG_T_POW2: return "size 2^k";
	case CFG_T_RATE: return "rate";
	case CFG_T_TIME: return "time";
	case CFG_T_PERCENT: return "percent";
	case CFG_T_STRING: return "string";
	case CFG_T_ENUM: return "enum";
	}
	return "?";
}

static void print_section(const cfg_section *s)
{
	printf("%s: %s\n", s->path, s->doc);
	for (size_t i = 0; i < s->nparams; i++) {
		const cfg_param *p = &s->params[i];
		char range[128] = "";
		if (p->type == CFG_T_ENUM) {
			size_t n = 0;
			for (size_t k = 0; p->choices[k]; k++)
				n += (size_t)snprintf(range + n, n < sizeof range ? sizeof range - n : 0,
						      "%s%s", k ? "|" : "", p->choices[k]);
		} else if (p->min || p->max) {
			snprintf(range, sizeof range, "%s..%s", p->min ? p->min : "",
				 p->max ? p->max : "");
		}
		char def[64];
		snprintf(def, sizeof def, "%s",
			 p->def ? (p->def[0] ? p->def : "\"\"") : "(required)");
		printf("  %-18s %-8s %-22s %-26s %s\n", p->name, type_name(p->type),
		       def, range, p->doc);
	}
	if (s->subsections) {
		printf("  (also:");
		for (size_t k = 0; s->subsections[k]; k++)
			printf(" %s.%s", s->path, s->subsections[k]);
		printf(")\n");
	}
	putchar('\n');
}

int cli_cmd_params(int argc, char **argv)
{
	small_opts o = {0};
	int i = parse_small(argc, argv, "params", false, false, usage_params, &o);
	if (i < 0)
		return i == -2 ? CLI_OK : CLI_USAGE;
	if (i != argc) {
		cli_error("params: unexpected argument '%s' (expected none)", argv[i]);
		return CLI_USAGE;
	}
	printf("%-20s %-8s %-22s %-26s %s\n\n", "parameter", "type", "default",
	       "range", "meaning");
	print_section(cli_plan_section());
	for (size_t k = 0; dc_section_at(k); k++) {
		cfg_section_check(dc_section_at(k));
		print_section(dc_section_at(k));
	}
	/* The policy section: the datacenter will mount it (issue 8). */
	for (const cfg_section *const *s = pol_sections(); *s; s++) {
		cfg_section_check(*s);
		print_section(*s);
	}
	/* Workload tables no experiment mounts yet: the instruction streams
	 * of `vdcsim trace-gen insn` (wl_sections()[0] is vms[].page_writes,
	 * listed above). */
	for (size_t k = 1; wl_sections()[k]; k++) {
		cfg_section_check(wl_sections()[k]);
		print_section(wl_sections()[k]);
	}
	for (size_t k = 0; cpu_sections()[k]; k++) {
		cfg_section_check(cpu_sections()[k]);
		print_section(cpu_sections()[k]);
	}
	return CLI_OK;
}
