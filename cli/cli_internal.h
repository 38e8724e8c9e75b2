/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of the vdcsim command: where its data files are,
 * the run plan (sweep points x replications), and the subcommands.
 */
#ifndef VDCSIM_CLI_INTERNAL_H
#define VDCSIM_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dc.h"
#include "sim.h"

/* Exit statuses of every subcommand. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_INTERRUPTED = 130 };

/* The folder holding configs/ and plots/: $VDCSIM_DATADIR if set; the
 * source tree when this executable runs from its build tree; else the
 * installed share/vdcsim (next to the executable's bin/, then the
 * configured prefix). Returns a new string, or NULL when none exists. */
char *cli_datadir(void);

/* One sweep axis: a parameter path and its values (a sequence node of the
 * base document). */
/* One swept parameter. Axes of one zip group share a dimension: they
 * take their i-th values together. A path may have '*' components
 * (migrations.*.scheme): the value is set at every index of that list. */
typedef struct cli_axis {
	char *path;
	const cfg_node *values;
	const cfg_node *key;    /* its key in sweep: (or in a zip group) */
	size_t dim;             /* its dimension, into cli_plan.dim_len */
	int typed;              /* a cli_typed: the kind of every value, for
				   the typed runs column; CLI_TYPED_NONE if
				   the values are not all one numeric kind */
	char *typed_name;       /* that column's name (owned), or NULL */
} cli_axis;

/* The kinds of swept values stored again as numbers, in base units. */
typedef enum cli_typed {
	CLI_TYPED_NONE,
	CLI_TYPED_NUMBER, /* a plain number: REAL */
	CLI_TYPED_BYTES,  /* a size: bytes */
	CLI_TYPED_RATE,   /* a rate: bit/s */
	CLI_TYPED_TIME,   /* a time: ns */
	CLI_TYPED_PERCENT /* a percentage: as a fraction */
} cli_typed;

/* The kind of a swept value's text (CLI_TYPED_NONE for words and
 * collections) and its value in base units. */
cli_typed cli_typed_value(const cfg_node *n, double *out);

/* One point of a plan, built on demand: its document (sweep applied and
 * removed), its emitted text (if asked for) and its validated config. */
typedef struct cli_point {
	cfg_doc *doc;           /* owned; NULL when the plan has no sweep
				   axis (cfg then reads plan->point_base) */
	char *text;
	dc_config *cfg;
} cli_point;

/* Everything a run or a sweep will do, validated before any output. Points
 * are not kept: each is built when it is checked and again when it runs,
 * so memory does not grow with the sweep. */
typedef struct cli_plan {
	cfg_doc *base;          /* file + --set + --seed, sweep included; owned */
	char *base_dir;         /* relative trace paths start here; NULL: the
				   config file's folder (dc_config_load_at) */
	char *base_text;        /* cfg_doc_emit(base) */
	cfg_doc *point_base;    /* base without sweep: and replications:,
				   which each point clones (owned), or base
				   itself when it has neither */
	cli_axis *axes;         /* paths in canonical form (cli_path_canonical) */
	size_t naxes;
	size_t *dim_len;        /* values of each dimension (an axis alone, or
				   a zip group); points = their product, the
				   last dimension varying fastest */
	size_t ndims;
	size_t npoints;
	uint32_t replications;
	const cfg_node *reps_node; /* replications:, or NULL */
	size_t nruns;           /* npoints x replications */
	bool allow_large;       /* dc_config_check_bounds' allow_large */
	dc_loader *loader;      /* owned: traces read once for every point */
	cli_point first;        /* point 0, with its text */
	dc_estimate total;      /* events, rows, rows_max, bytes_max: summed
				   over every run (saturating) */
	size_t random_points;   /* points whose runs draw random numbers */
	sim_column *run_cols;   /* columns of the runs table */
	size_t nrun_cols;
	sim_table runs_table;
	sim_table configs_table; /* keyed by hash (sim_results_declare_keyed) */
	size_t shard_i, shard_n; /* run only the runs r with r % shard_n ==
				    shard_i (vdcsim run --shard); shard_n 0:
				    every run */
} cli_plan;

/* Loads path, applies the --set arguments in order, then seed (if not NULL,
 * as experiment.seed), and checks every point of the sweep in turn (its
 * config, and dc_config_check_bounds with allow_large), with relative
 * trace paths taken from base_dir (NULL: the folder of path). Refuses sweep
 * axes naming one parameter twice or one inside another, and --set paths
 * that are not UTF-8 or that a sweep axis also sets. On input errors
 * returns SIM_EINPUT with every message in d. Memory: one point at a time. */
int cli_plan_load(const char *path, char *const *sets, size_t nsets,
		  const char *seed, const char *base_dir, bool allow_large,
		  cli_plan *plan, sim_diag *d);
/* Builds point pt (its text only if text) with the plan's loader; on
 * errors returns SIM_EINPUT with messages in d. Free with cli_point_fini
 * in every case. */
int cli_plan_build_point(const cli_plan *plan, size_t pt, bool text,
			 cli_point *out, sim_diag *d);
/* Frees what a point holds; a zeroed point is a no-op. */
void cli_point_fini(cli_point *pt);
/* The value node of axis a at point pt (mixed radix, last axis fastest). */
const cfg_node *cli_plan_axis_value(const cli_plan *plan, size_t pt, size_t a);
/* Prints warnings on stderr, each positioned: replications > 1 where no
 * point draws random numbers (its replications would be identical), and
 * a machine experiment's benchmark loops of which its run holds fewer
 * than DC_MACHINE_MIN_EVENTS events (dc_machine_short_loops). */
void cli_plan_warn(const cli_plan *plan);
/* Frees what the plan holds. */
void cli_plan_fini(cli_plan *plan);
/* The hash of a config's text as stored (runs.config_hash, configs.hash,
 * meta config_hash): sim_hash64 in 16 lowercase hex digits. */
void cli_config_hash(const char *text, char out[17]);
/* Point and replication of a run index (0-based). */
size_t cli_plan_point(const cli_plan *plan, size_t run);
uint32_t cli_plan_replication(const cli_plan *plan, size_t run);

/* plan_paths.c. A path with every all-digit component written without
 * leading zeros ("vms.00.memory" -> "vms.0.memory"). New string. */
char *cli_path_canonical(const char *path);
/* True if canonical paths a and b are equal or one lies inside the other
 * (a whole leading list of the other's components), a '*' component
 * matching any component. */
bool cli_paths_overlap(const char *a, const char *b);
/* Reports each axis of the plan's sweep that overlaps an earlier one, at
 * its key. 0 or SIM_EINPUT. */
int cli_check_axes(const cli_plan *plan, sim_diag *d);
/* Reports the first byte of a --set argument's path (before '=') that is
 * not UTF-8, at --set:1:COL. 0 or SIM_EINPUT. */
int cli_check_set_path(const char *arg, sim_diag *d);
/* Reports, at --set:1:1, each --set whose path overlaps a sweep axis of
 * the plan (axes loaded). 0 or SIM_EINPUT. */
int cli_check_sets(const cli_plan *plan, char *const *sets, size_t nsets,
		   sim_diag *d);
/* The parameter table of the top-level keys cli/ interprets. */
const cfg_section *cli_plan_section(void);

int cli_cmd_run(int argc, char **argv);
int cli_cmd_validate(int argc, char **argv);
int cli_cmd_plot(int argc, char **argv);
int cli_cmd_params(int argc, char **argv);
int cli_cmd_wws(int argc, char **argv);
int cli_cmd_tracegen(int argc, char **argv);
/* vdcsim trace-record (cli/tracerecord.c). */
int cli_cmd_tracerecord(int argc, char **argv);
int cli_cmd_merge(int argc, char **argv);
/* vdcsim compare DIR_A DIR_B (cli/compare.c). */
int cli_cmd_compare(int argc, char **argv);
/* `vdcsim trace-gen insn ...` (argv[0] is "insn"), tracegen_insn.c. */
int cli_cmd_tracegen_insn(int argc, char **argv);

/* Creates path and its missing parents (mode 0777 less umask); 0 or -1
 * with errno set. */
int cli_mkdir_p(const char *path);
/* True if something exists at path. */
bool cli_exists(const char *path);
/* results/NAME, or results/NAME-2, -3, ...: the first name whose directory
 * and NAME.partial staging directory are both free. New string. */
char *cli_default_outdir(const char *name);
/* True if name can be one path component (no '/', no control characters,
 * not "." or ".."). For names made from file names (wws-TRACE); names a
 * user gives follow SIM_NAME_RULE, checked when the config loads. */
bool cli_safe_name(const char *name);
/* Writes text to path with sim_file_put (a fresh temporary, synced and
 * renamed; an existing regular file is replaced, anything else at path is
 * refused); reports in d. */
int cli_write_file(const char *path, const char *text, sim_diag *d);
/* The results directory named by -o ARG of command cmd: ARG without its
 * trailing slashes ("out/", "out//" -> "out"; "./out" stays), so that its
 * staging directory is the sibling "out.partial". An ARG whose last
 * component is empty, "." or ".." is reported and gives NULL. New string. */
char *cli_outdir_arg(const char *cmd, const char *arg);
/* The time limit of one gnuplot run: SIM_PLOTS_TIMEOUT_ENV if set (a time;
 * 0s for none), else SIM_PLOTS_TIMEOUT_NS. A bad value is reported in d
 * and gives SIM_EINPUT. */
int cli_plots_timeout(uint64_t *timeout_ns, sim_diag *d);

/* The folder of a results directory holding the audited copies of the
 * config's own plot scripts. */
#define CLI_OWN_PLOTS_DIR "plot_scripts"
/* The config's own plot scripts, audited: names (NAME of NAME.gp) and
 * texts. */
typedef struct cli_own_plots {
	char **names;
	char **texts;
	size_t n;
} cli_own_plots;
/* Checks the plots the first point's config asks for: every name of
 * results.plots is a script of plots/ (else a positioned error with a
 * suggestion), and every results.plot_scripts file (relative to the
 * config, or to plan->base_dir) is NAME.gp with a name of its own and
 * passes sim_plots_audit for the tables the run writes; fills *own with
 * the audited texts. 0, or SIM_EINPUT with every message in d (own then
 * empty). */
int cli_plots_check(const cli_plan *plan, cli_own_plots *own, sim_diag *d);
void cli_own_plots_fini(cli_own_plots *o);
/* Reads back the copies a run of plan's config wrote into
 * dir/CLI_OWN_PLOTS_DIR (a shard, for merge): one NAME.gp per script the
 * config's results.plot_scripts names, each audited again
 * (sim_plots_audit_file, for the tables the run writes), and no other
 * NAME.gp there. 0 with *own filled (in the config's order), or
 * SIM_EINPUT with every message in d (own then empty). */
int cli_own_plots_read(const char *dir, const cli_plan *plan,
		       cli_own_plots *own, sim_diag *d);
/* Writes the audited texts into dir/CLI_OWN_PLOTS_DIR/NAME.gp. */
int cli_own_plots_write(const char *dir, const cli_own_plots *own,
			sim_diag *d);
/* Prints, for every script of plots/, whether it fits the results in dir
 * and if not why (sim_plots_list). 0 or an error in d. */
int cli_plots_list(const char *dir, sim_diag *d);
/* Draws every plot of plots/ (found through cli_datadir) whose tables are
 * in the results directory dir, into dir: those the config's
 * results.plots names (all that fit without it), then the config's own
 * scripts. names (NULL-terminated; NULL: as the config says) draws only
 * those built-in or own plots instead; a name that is neither is
 * SIM_EINPUT with the nearest name suggested, and a named plot that does
 * not fit is a warning. Returns as sim_plots_render, or SIM_ENOENT (with a
 * message) if no plots/ folder is found. */
int cli_plots_draw(const char *dir, bool svg, const char *const *names,
		   unsigned *made, bool *skipped, sim_diag *d);
/* Finishes a results database r written into directory dir: if rc (the
 * writer's status so far) is 0, exports the CSVs, closes r and draws the
 * plots; otherwise, or on any failure, aborts r. Takes r in every case.
 * Returns the first error (SIM_ETOOL: the data is complete, a plot failed). */
int cli_results_publish(sim_results *r, int rc, const char *dir, bool svg,
			unsigned *made, bool *skipped, sim_diag *d);

/* Checks a --seed value (0 ..= 2^63 - 1, the range of experiment.seed);
 * says what is wrong for command cmd and returns -1 if it is bad. */
int cli_check_seed(const char *cmd, const char *s);

/* Prints "vdcsim: " + message to stderr as one line, control characters
 * of the message escaped by sim_escape. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the diagnostics' text to stderr. */
void cli_print_diag(const sim_diag *d);

#endif /* VDCSIM_CLI_INTERNAL_H */
