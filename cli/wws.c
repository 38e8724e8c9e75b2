/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim wws`: Clark et al.'s writable-working-set analysis of a page-dirty
 * trace. For each bandwidth, start time and number of pre-copy iterations,
 * the expected downtime of the final stop-and-copy (models/memory), plus
 * the dirtying rate over time and its histogram; written atomically as a
 * results directory with CSV files and plots.
 */
#include "run_internal.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "trace.h"
#include "vdcsim_config.h"

/* Clark et al.'s panels: 128, 256 and 512 Mbit/s in binary units
 * ([Clark05] §4). */
#define DEFAULT_BANDWIDTHS "128Mibit/s,256Mibit/s,512Mibit/s"
#define DEFAULT_ITERATIONS 5
/* Most points (start times x bandwidths x iteration counts) one analysis
 * evaluates and writes: about 640 MB of results. */
#define MAX_WWS_POINTS 1e7
/* About this many start times across the trace unless --step says. */
#define DEFAULT_STARTS 400
#define DEFAULT_BINS 40

typedef struct wws_opts {
	const char *trace;
	const char *bandwidths;
	const char *outdir;
	unsigned iterations;
	uint64_t step_ns;
	unsigned bins;
	bool svg;
	bool progress;
} wws_opts;

static void usage_wws(FILE *f)
{
	fputs("usage: vdcsim wws TRACE [--bandwidth LIST] [--iterations N]\n"
	      "                  [--step TIME] [--bins N] [-o DIR] [--svg]\n"
	      "                  [--progress]\n"
	      "\n"
	      "Clark et al.'s writable-working-set analysis of a page-dirty trace\n"
	      "(format: traces/page-dirty-format.md): for each bandwidth and each\n"
	      "start time, the expected downtime of the final stop-and-copy after\n"
	      "0..N pre-copy iterations (0 = pure stop-and-copy), and the page\n"
	      "dirtying rate. Writes DIR (default results/wws-NAME) with\n"
	      "results.sqlite, wws.csv, dirty_rate.csv, dirty_rate_hist.csv and\n"
	      "plots, atomically.\n"
	      "\n"
	      "  --bandwidth LIST  comma-separated rates (default " DEFAULT_BANDWIDTHS ")\n"
	      "  --iterations N    largest number of pre-copy iterations (default 5)\n"
	      "  --step TIME       spacing of start times (default: about 400 starts)\n"
	      "  --bins N          histogram bins of the dirtying rate (default 40)\n"
	      "  -o, --output DIR  results directory (must not exist)\n"
	      "  --svg             draw SVG instead of PNG\n"
	      "  --progress        progress on stderr even when not a terminal\n"
	      "\n"
	      "Exit status: 0 done, 1 run-time failure (a full disk included),\n"
	      "2 bad usage or a malformed TRACE (FILE:LINE:COL on stderr).\n",
	      f);
}

static int parse_count(const char *opt, const char *s, unsigned lo,
		       unsigned hi, unsigned *out)
{
	uint64_t v;
	const char *why = NULL;
	if (cfg_parse_uint(s, &v, &why) != 0 || v < lo || v > hi) {
		cli_error("wws: %s '%s': expected a whole number from %u to %u", opt,
			  s, lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int parse_wws_opts(int argc, char **argv, wws_opts *o)
{
	static const struct option longopts[] = {
		{"bandwidth", required_argument, NULL, 'b'},
		{"iterations", required_argument, NULL, 'n'},
		{"step", required_argument, NULL, 's'},
		{"bins", required_argument, NULL, 'B'},
		{"output", required_argument, NULL, 'o'},
		{"svg", no_argument, NULL, 'v'},
		{"progress", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->bandwidths = DEFAULT_BANDWIDTHS;
	o->iterations = DEFAULT_ITERATIONS;
	o->bins = DEFAULT_BINS;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b': o->bandwidths = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'v': o->svg = true; break;
		case 'p': o->progress = true; break;
		case 'h': usage_wws(stdout); return 1;
		case 'n':
			if (parse_count("--iterations", optarg, 0, 1000, &o->iterations))
				return -1;
			break;
		case 'B':
			if (parse_count("--bins", optarg, 1, 100000, &o->bins))
				return -1;
			break;
		case 's': {
			const char *why = NULL;
			if (cfg_parse_time(optarg, &o->step_ns, &why) != 0 ||
			    o->step_ns == 0) {
				cli_error("wws: --step '%s': %s", optarg,
					  why ? why : "expected a time above 0, such as 1s");
				return -1;
			}
			break;
		}
		case ':':
			cli_error("wws: option '%s' needs a value (see vdcsim wws --help)",
				  argv[optind - 1]);
			return -1;
		default:
			cli_error("wws: unknown option '%s' (see vdcsim wws --help)",
				  argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 1) {
		cli_error("wws: expected exactly one TRACE (see vdcsim wws --help)");
		return -1;
	}
	o->trace = argv[optind];
	return 0;
}

/* Splits "a,b,c" into rates; reports the first bad one. New array. */
static uint64_t *parse_rates(const char *list, size_t *n)
{
	char *copy = sim_xstrdup(list);
	size_t cap = 1;
	for (const char *c = list; *c; c++)
		cap += *c == ',';
	uint64_t *rates = sim_xcalloc(cap, sizeof *rates);
	*n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		const char *why = NULL;
		if (cfg_parse_rate(tok, &rates[*n], &why) != 0 || rates[*n] == 0) {
			cli_error("wws: --bandwidth '%s': %s", tok,
				  why ? why : "expected a rate above 0, such as 128Mibit/s");
			free(copy);
			free(rates);
			return NULL;
		}
		(*n)++;
	}
	free(copy);
	if (*n == 0) {
		cli_error("wws: --bandwidth '%s': expected a comma-separated list of "
			  "rates, such as " DEFAULT_BANDWIDTHS, list);
		free(rates);
		return NULL;
	}
	return rates;
}

static const sim_column wws_cols[] = {
	{"panel", SIM_COL_INT, "", "bandwidth index, from 0, in --bandwidth order"},
	{"bandwidth_bps", SIM_COL_INT, "bit/s", "migration rate R"},
	{"iterations", SIM_COL_INT, "", "pre-copy iterations N (0 = stop-and-copy)"},
	{"start_ns", SIM_COL_INT, "ns", "when migration starts, in trace time"},
	{"start_s", SIM_COL_REAL, "s", "the same in seconds"},
	{"downtime_ns", SIM_COL_INT, "ns", "expected downtime of the last copy"},
	{"downtime_s", SIM_COL_REAL, "s", "the same in seconds"},
	{"final_pages", SIM_COL_INT, "", "pages sent while stopped"},
	{"precopy_ns", SIM_COL_INT, "ns", "length of the N live rounds"},
	{"sent_pages", SIM_COL_INT, "", "pages sent live"},
};
static const sim_table wws_table = {
	"wws", "expected downtime per bandwidth, start time and iterations "
	"(points whose rounds run past the trace are left out)",
	wws_cols, sizeof wws_cols / sizeof wws_cols[0]};

static const sim_column rate_cols[] = {
	{"sample", SIM_COL_INT, "", "sample index, from 0"},
	{"time_ns", SIM_COL_INT, "ns", "end of the sample"},
	{"time_s", SIM_COL_REAL, "s", "the same in seconds"},
	{"pages", SIM_COL_INT, "", "distinct pages dirtied in the sample"},
	{"rate_pages_s", SIM_COL_REAL, "pages/s", "dirtying rate"},
	{"rate_mibit_s", SIM_COL_REAL, "Mibit/s", "dirtying rate (2^20 bit/s)"},
};
static const sim_table rate_table = {
	"dirty_rate", "the trace's page dirtying rate, sample by sample",
	rate_cols, sizeof rate_cols / sizeof rate_cols[0]};

static const sim_column hist_cols[] = {
	{"bin", SIM_COL_INT, "", "bin index"},
	{"from_mibit_s", SIM_COL_REAL, "Mibit/s", "lower edge (inclusive)"},
	{"to_mibit_s", SIM_COL_REAL, "Mibit/s", "upper edge (exclusive; the last bin also holds faster samples)"},
	{"samples", SIM_COL_INT, "", "samples whose dirtying rate falls in the bin"},
};
static const sim_table hist_table = {
	"dirty_rate_hist", "histogram of the per-sample dirtying rate",
	hist_cols, sizeof hist_cols / sizeof hist_cols[0]};

/* The spacing of start times: --step, or about DEFAULT_STARTS starts
 * across the trace but never closer than its sampling interval. */
static uint64_t start_step(const trace_pages *t, const wws_opts *o)
{
	uint64_t last = t->time_ns[t->nsamples - 1];
	uint64_t step = o->step_ns;
	if (step == 0) {
		step = last / DEFAULT_STARTS;
		if (t->interval_ns && step < t->interval_ns)
			step = t->interval_ns;
		if (step == 0)
			step = 1;
	}
	return step;
}

static size_t start_count(const trace_pages *t, uint64_t step)
{
	uint64_t n = t->time_ns[t->nsamples - 1] / step;
	return n == 0 ? 1 : (size_t)n;
}

/* Refuses an analysis whose table would pass MAX_WWS_POINTS points (a
 * --step of 1ns over a long trace asks for billions); 0 or -1 after saying
 * what to change. */
static int check_size(const trace_pages *t, const wws_opts *o, size_t nrates)
{
	uint64_t step = start_step(t, o);
	double points = (double)start_count(t, step) * (double)nrates *
			((double)o->iterations + 1);
	if (points <= MAX_WWS_POINTS)
		return 0;
	double per_start = (double)nrates * ((double)o->iterations + 1);
	double min_step_s = (double)t->time_ns[t->nsamples - 1] * 1e-9 /
			    (MAX_WWS_POINTS / per_start);
	cli_error("wws: %zu start times x %zu bandwidth(s) x %u iteration "
		  "counts is %.3g points (expected at most %.0e: use a --step "
		  "of at least %.3g s)",
		  start_count(t, step), nrates, o->iterations + 1u, points,
		  MAX_WWS_POINTS, min_step_s);
	return -1;
}

/* Says what the analysis is doing, on stderr, when progress is on; at
 * most once a second (CLI_PROGRESS_PERIOD_S) unless force. */
static void wws_progress(cli_progress *pr, bool force, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void wws_progress(cli_progress *pr, bool force, const char *fmt, ...)
{
	if (!pr->on)
		return;
	double now = cli_wall_s();
	if (!force && now - pr->run_start_s < CLI_PROGRESS_PERIOD_S)
		return;
	pr->run_start_s = now;
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	cli_progress_print(pr, line);
}

static int write_tables(const trace_pages *t, const wws_opts *o,
			const uint64_t *rates, size_t nrates, sim_results *r,
			cli_progress *pr, sim_diag *d)
{
	uint64_t step = start_step(t, o);
	size_t nstarts = start_count(t, step);
	uint64_t *starts = sim_xcalloc(nstarts, sizeof *starts);
	for (size_t i = 0; i < nstarts; i++)
		starts[i] = (uint64_t)i * step;
	size_t npoints = 0;
	wws_progress(pr, true, "wws: computing %zu start times x %zu "
		     "bandwidth(s) x %u iteration counts", nstarts, nrates,
		     o->iterations + 1u);
	mem_wws_point *pts = mem_wws_table(t, starts, nstarts, rates, nrates,
					   o->iterations, &npoints);
	int rc = 0;
	/* Rows go curve by curve (bandwidth, then iterations, then start time)
	 * so that each curve is one contiguous block for gnuplot's lines. */
	size_t niter = o->iterations + 1u;
	for (size_t i = 0; i < npoints && rc == 0; i++) {
		size_t panel = i / (niter * nstarts);
		size_t n = (i / nstarts) % niter;
		size_t s = i % nstarts;
		const mem_wws_point *p = &pts[(s * nrates + panel) * niter + n];
		if ((i & 0xffff) == 0)
			wws_progress(pr, false, "wws: writing rows: %zu of %zu "
				     "points, %.0f %%", i, npoints,
				     100.0 * (double)i / (double)npoints);
		if (!p->evaluable)
			continue;
		sim_value v[] = {
			{.i = (int64_t)panel},
			{.i = (int64_t)p->rate_bps},
			{.i = p->iterations},
			{.i = (int64_t)p->start_ns},
			{.r = (double)p->start_ns / 1e9},
			{.i = (int64_t)p->downtime_ns},
			{.r = (double)p->downtime_ns / 1e9},
			{.i = (int64_t)p->final_pages},
			{.i = (int64_t)p->precopy_ns},
			{.i = (int64_t)p->sent_pages},
		};
		rc = sim_results_row(r, &wws_table, v, d);
	}
	free(pts);
	free(starts);

	double max_rate = 0;
	for (size_t i = 0; i < t->nsamples && rc == 0; i++) {
		double pps = mem_sample_dirty_rate(t, i, MEM_RATE_PAGES_PER_S);
		double mib = mem_sample_dirty_rate(t, i, MEM_RATE_MIBIT_PER_S);
		if (mib > max_rate)
			max_rate = mib;
		sim_value v[] = {
			{.i = (int64_t)i},
			{.i = (int64_t)t->time_ns[i]},
			{.r = (double)t->time_ns[i] / 1e9},
			{.i = (int64_t)(t->first[i + 1] - t->first[i])},
			{.r = pps},
			{.r = mib},
		};
		rc = sim_results_row(r, &rate_table, v, d);
	}
	/* Bins cover [0, the fastest sample], so no sample is clamped. */
	double width = max_rate > 0 ? max_rate * (1 + 1e-9) / o->bins : 1.0;
	uint64_t *counts = sim_xcalloc(o->bins, sizeof *counts);
	mem_dirty_rate_hist(t, MEM_RATE_MIBIT_PER_S, width, o->bins, counts);
	for (size_t b = 0; b < o->bins && rc == 0; b++) {
		sim_value v[] = {
			{.i = (int64_t)b},
			{.r = (double)b * width},
			{.r = (double)(b + 1) * width},
			{.i = (int64_t)counts[b]},
		};
		rc = sim_results_row(r, &hist_table, v, d);
	}
	free(counts);
	return rc;
}

int cli_cmd_wws(int argc, char **argv)
{
	wws_opts o;
	int prc = parse_wws_opts(argc, argv, &o);
	if (prc != 0)
		return prc > 0 ? CLI_OK : CLI_USAGE;
	size_t nrates = 0;
	uint64_t *rates = parse_rates(o.bandwidths, &nrates);
	if (!rates)
		return CLI_USAGE;

	sim_diag d;
	sim_diag_init(&d);
	int status = CLI_OK;
	trace_pages *t = NULL;
	char *final = NULL, *staging = NULL, *db = NULL;
	if (trace_pages_load(o.trace, &t, &d) != 0) {
		cli_print_diag(&d);
		status = CLI_USAGE;
		goto out;
	}
	if (t->nsamples == 0) {
		cli_error("wws: %s: the trace has no samples (expected at least one "
			  "sample line)", o.trace);
		status = CLI_USAGE;
		goto out;
	}
	if (check_size(t, &o, nrates) != 0) {
		status = CLI_USAGE;
		goto out;
	}
	uint64_t timeout_ns;
	if (cli_plots_timeout(&timeout_ns, &d) != 0) {
		cli_print_diag(&d);
		status = CLI_USAGE;
		goto out;
	}
	if (o.outdir) {
		final = cli_outdir_arg("wws", o.outdir);
		if (!final) {
			status = CLI_USAGE;
			goto out;
		}
	} else {
		const char *base = strrchr(o.trace, '/');
		base = base ? base + 1 : o.trace;
		char *name = sim_xasprintf("wws-%s", base);
		char *dot = strrchr(name, '.');
		if (dot && dot != name + 4)
			*dot = '\0';
		if (!cli_safe_name(name)) {
			cli_error("wws: cannot name a directory after '%s' (use -o DIR)",
				  o.trace);
			free(name);
			status = CLI_USAGE;
			goto out;
		}
		final = cli_default_outdir(name);
		free(name);
	}
	staging = sim_xasprintf("%s.partial", final);
	if (cli_exists(final) || cli_exists(staging)) {
		cli_error("wws: output directory '%s' (or '%s') exists (expected a "
			  "new path: remove it or choose another with -o)", final,
			  staging);
		status = CLI_USAGE;
		goto out;
	}
	if (cli_mkdir_p(staging) != 0) {
		cli_error("wws: cannot create '%s': %s", staging, strerror(errno));
		status = CLI_FAIL;
		goto out;
	}

	db = sim_xasprintf("%s/results.sqlite", staging);
	sim_results *r = NULL;
	int rc = sim_results_create(db, &r, &d);
	char *pages = sim_xasprintf("%" PRIu64, t->pages);
	char *page_size = sim_xasprintf("%" PRIu64, t->page_size);
	char *iters = sim_xasprintf("%u", o.iterations);
	const char *meta[][2] = {
		{"schema_version", SIM_RESULTS_SCHEMA_VERSION_TEXT},
		{"vdcsim_version", VDCSIM_VERSION},
		{"analysis", "writable working set (Clark et al. 2005, section 4)"},
		{"trace", o.trace},
		{"pages", pages},
		{"page_size", page_size},
		{"bandwidths", o.bandwidths},
		{"max_iterations", iters},
	};
	for (size_t i = 0; rc == 0 && i < sizeof meta / sizeof meta[0]; i++)
		rc = sim_results_meta(r, meta[i][0], meta[i][1], &d);
	free(pages);
	free(page_size);
	free(iters);
	sim_results_set_run(r, 1);
	if (rc == 0)
		rc = sim_results_declare(r, &wws_table, &d);
	if (rc == 0)
		rc = sim_results_declare(r, &rate_table, &d);
	if (rc == 0)
		rc = sim_results_declare(r, &hist_table, &d);
	cli_progress pr = {0};
	pr.tty = isatty(STDERR_FILENO);
	pr.on = pr.tty || o.progress;
	pr.start_s = pr.run_start_s = cli_wall_s();
	if (rc == 0)
		rc = write_tables(t, &o, rates, nrates, r, &pr, &d);
	unsigned made = 0;
	bool skipped = false;
	wws_progress(&pr, true, "wws: writing results.sqlite, CSV files and "
		     "plots");
	cli_progress_end(&pr);
	rc = cli_results_publish(r, rc, staging, o.svg, &made, &skipped, &d);
	if (rc != 0 && rc != SIM_ETOOL) {
		cli_print_diag(&d);
		cli_error("wws: could not write the results; partial files are in '%s'",
			  staging);
		status = CLI_FAIL;
		goto out;
	}
	if (rc == SIM_ETOOL) {
		cli_print_diag(&d);
		status = CLI_FAIL;
	}
	/* Never over a directory that appeared meanwhile (rename(2) would
	 * replace an empty one). */
	if (sim_path_rename(staging, final, false, &d) != 0) {
		cli_print_diag(&d);
		cli_error("wws: the results are complete in '%s'", staging);
		status = CLI_FAIL;
		goto out;
	}
	char *shown_final = sim_escape(final), *shown_trace = sim_escape(o.trace);
	printf("%s: writable-working-set analysis of %s (%zu bandwidth%s, 0..%u "
	       "iterations)\n  results.sqlite, CSV files, %u plot%s\n",
	       shown_final, shown_trace, nrates, nrates == 1 ? "" : "s",
	       o.iterations, made, made == 1 ? "" : "s");
	if (skipped)
		printf("  plots skipped: gnuplot is not installed (apt-get install "
		       "gnuplot-nox, then: vdcsim plot %s)\n", shown_final);
	free(shown_final);
	free(shown_trace);
out:
	trace_pages_destroy(t);
	free(rates);
	free(final);
	free(staging);
	free(db);
	sim_diag_fini(&d);
	return status;
}
