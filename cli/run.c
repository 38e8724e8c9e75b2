/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim run`: executes a plan into a staging directory DIR.partial (each
 * run into points/NNNNNN.sqlite, renamed into place when complete, by this
 * process or by -j worker processes), then merges the runs in order into
 * results.sqlite, exports CSVs, draws plots and renames DIR.partial to DIR.
 * An interrupted or failed run leaves only DIR.partial, which --resume
 * completes by running the points that have no file.
 */
#include "run_internal.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "vdcsim_config.h"

typedef struct run_opts {
	const char *config;
	const char *outdir;
	const char *resume;
	const char *seed;
	char **sets;
	size_t nsets;
	unsigned jobs;
	bool svg;
	bool progress;
	bool allow_large;
	bool no_csv;
	bool no_plots;
	bool mpi;
	size_t shard_i, shard_n; /* --shard I/N as I - 1 and N; N 0: none */
} run_opts;

static char *run_seed_text(uint64_t seed)
{
	return sim_xasprintf("%" PRIu64, seed);
}

/* The staging directory records the folder of the config it was started
 * from, because the config it keeps (DIR.partial/config.yaml) lives
 * elsewhere and relative trace paths are relative to the original; the
 * file goes with points/ when the run completes. */
#define CONFIG_DIR_FILE "points/config_dir"

/* Writes the absolute folder of config_path into staging; 0 or an error
 * in d. */
static int save_config_dir(const char *staging, const char *config_path,
			   sim_diag *d)
{
	char *real = realpath(config_path, NULL);
	if (!real) {
		sim_diag_error(d, config_path, 0, 0, "cannot resolve: %s",
			       strerror(errno));
		return SIM_EIO;
	}
	char *slash = strrchr(real, '/');
	slash[slash == real ? 1 : 0] = '\0';
	char *path = sim_xasprintf("%s/" CONFIG_DIR_FILE, staging);
	int rc = cli_write_file(path, real, d);
	free(path);
	free(real);
	return rc;
}

char *cli_run_config_dir(const char *staging)
{
	char *path = sim_xasprintf("%s/" CONFIG_DIR_FILE, staging);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return NULL;
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	if (n == 0)
		return NULL;
	buf[n] = '\0';
	return sim_xstrdup(buf);
}

int cli_shard_parse(const char *text, size_t *i, size_t *n)
{
	unsigned long long a, b;
	int used = 0;
	if (sscanf(text, "%llu/%llu%n", &a, &b, &used) != 2 ||
	    text[used] != '\0' || text[0] < '1' || text[0] > '9' ||
	    a < 1 || b < a || b > CLI_SHARDS_MAX)
		return -1;
	*i = (size_t)(a - 1);
	*n = (size_t)b;
	return 0;
}

int cli_shard_read(const char *dir, size_t *i, size_t *n)
{
	char *path = sim_xasprintf("%s/" CLI_SHARD_FILE, dir);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return 0;
	char buf[64];
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return cli_shard_parse(buf, i, n) == 0 ? 1 : -1;
}

static int remove_points(const char *staging)
{
	char *dir = sim_xasprintf("%s/points", staging);
	DIR *dh = opendir(dir);
	if (dh) {
		struct dirent *de;
		while ((de = readdir(dh)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			char *f = sim_xasprintf("%s/%s", dir, de->d_name);
			unlink(f);
			free(f);
		}
		closedir(dh);
	}
	int rc = rmdir(dir);
	free(dir);
	return rc;
}

/* Merges the point files in run order (a single run's file becomes
 * results.sqlite as it is), writes the meta rows, then CSVs and plots as
 * asked. */
static int finish(const cli_plan *p, const char *staging,
		  const cli_outputs *o,
		  unsigned *plots, bool *skipped, sim_diag *d)
{
	char *db = sim_xasprintf("%s/results.sqlite", staging);
	unlink(db);
	sim_results *r = NULL;
	int rc;
	if (p->nruns == 1) {
		/* Nothing to merge: the run's own database, with the same
		 * tables and rows, takes the meta rows. */
		char *f = cli_point_path(staging, 0, "");
		rc = rename(f, db) == 0 ? 0 : SIM_EIO;
		if (rc != 0)
			sim_diag_error(d, f, 0, 0, "cannot rename into place: %s",
				       strerror(errno));
		free(f);
		if (rc == 0)
			rc = sim_results_open(db, &r, d);
	} else {
		rc = sim_results_create(db, &r, d);
	}
	char hash[17];
	cli_config_hash(p->base_text, hash);
	char *npoints = sim_xasprintf("%zu", p->npoints);
	char *nreps = sim_xasprintf("%u", p->replications);
	char *seed = run_seed_text(p->first.cfg->experiment.seed);
	const char *meta[][2] = {
		{"schema_version", SIM_RESULTS_SCHEMA_VERSION_TEXT},
		{"vdcsim_version", VDCSIM_VERSION},
		{"experiment", p->first.cfg->experiment.name},
		{"seed", seed},
		{"rng_derivation", SIM_RNG_DERIVATION},
		{"config_hash", hash},
		{"config", p->base_text},
		{"points", npoints},
		{"replications", nreps},
	};
	for (size_t i = 0; rc == 0 && i < sizeof meta / sizeof meta[0]; i++)
		rc = sim_results_meta(r, meta[i][0], meta[i][1], d);
	free(npoints);
	free(nreps);
	free(seed);
	for (size_t run = 0; rc == 0 && p->nruns > 1 && run < p->nruns; run++) {
		char *f = cli_point_path(staging, run, "");
		rc = sim_results_merge(r, f, d);
		/* A stopping signal is honoured between points. */
		if (rc == 0 && cli_stop_signal())
			rc = SIM_EINTR;
		free(f);
	}
	if (rc == 0 && p->replications > 1) {
		size_t nspecs;
		const sim_summary_spec *specs = dc_summary_specs(&nspecs);
		rc = sim_results_summarize(r, specs, nspecs, d);
	}
	free(db);
	*plots = 0;
	*skipped = false;
	if (o->csv && o->plots)
		return cli_results_publish(r, rc, staging, o->svg, plots,
					   skipped, d);
	if (rc == 0 && o->csv)
		rc = sim_results_export_csv(r, staging, d);
	if (rc != 0) {
		sim_results_abort(r);
		return rc;
	}
	return sim_results_close(r, d);
}

int cli_run_create_staging(const char *staging, const char *config_path,
			   const char *config_dir, const cli_plan *plan,
			   int *lock_fd, sim_diag *d)
{
	char *tmp = cli_staging_new(staging, lock_fd, d);
	if (!tmp) {
		cli_print_diag(d);
		return CLI_FAIL;
	}
	char *cfg = sim_xasprintf("%s/config.yaml", tmp);
	int rc = cli_write_file(cfg, plan->base_text, d);
	free(cfg);
	if (rc == 0 && config_dir) {
		char *path = sim_xasprintf("%s/" CONFIG_DIR_FILE, tmp);
		rc = cli_write_file(path, config_dir, d);
		free(path);
	} else if (rc == 0) {
		rc = save_config_dir(tmp, config_path, d);
	}
	if (rc == 0 && plan->shard_n) {
		char *path = sim_xasprintf("%s/" CLI_SHARD_FILE, tmp);
		char *text = sim_xasprintf("%zu/%zu\n", plan->shard_i + 1,
					   plan->shard_n);
		rc = cli_write_file(path, text, d);
		free(text);
		free(path);
	}
	if (rc == 0)
		rc = cli_inputs_record(tmp, plan, d);
	if (rc == 0)
		rc = cli_staging_publish(tmp, staging, d);
	else
		cli_staging_remove(tmp);
	free(tmp);
	if (rc == 0)
		return CLI_OK;
	cli_print_diag(d);
	return rc == SIM_EEXIST ? CLI_USAGE : CLI_FAIL;
}

/* Moves the finished staging directory to final: synced, never onto
 * something that appeared there meanwhile, then its lock file removed and
 * the parent synced. 0, or CLI_FAIL after saying so. */
static int move_into_place(const char *staging, const char *final,
			   sim_diag *d)
{
	/* Everything inside is synced (by each writer); the directory too,
	 * then the rename into place, then its parent. */
	cli_sync_dir(staging);
	/* Never onto something that appeared at DIR meanwhile (an empty
	 * directory there would be replaced by a plain rename). */
	if (sim_path_rename(staging, final, false, d) != 0) {
		cli_print_diag(d);
		cli_error("the results are complete in '%s'; move them into "
			  "place by hand", staging);
		return CLI_FAIL;
	}
	/* The lock goes with the rename; then the file itself. */
	char *lock = sim_xasprintf("%s/" CLI_LOCK_FILE, final);
	unlink(lock);
	free(lock);
	cli_sync_parent(final);
	return CLI_OK;
}

/* A shard's runs are complete: its directory keeps their point files for
 * vdcsim merge, which writes the results of the whole plan. */
static int publish_shard(const cli_plan *plan, const char *staging,
			 const char *final, sim_diag *d)
{
	int status = move_into_place(staging, final, d);
	if (status != CLI_OK)
		return status;
	char *shown = sim_escape(final);
	printf("%s: shard %zu/%zu: %zu of the %zu runs (%zu point%s x %u "
	       "replication%s)\n  merge the %zu shards with: vdcsim merge OUT "
	       "DIR_1 ... DIR_%zu\n",
	       shown, plan->shard_i + 1, plan->shard_n, cli_plan_shard_runs(plan),
	       plan->nruns, plan->npoints, plan->npoints == 1 ? "" : "s",
	       plan->replications, plan->replications == 1 ? "" : "s",
	       plan->shard_n, plan->shard_n);
	free(shown);
	return CLI_OK;
}

int cli_run_publish(const cli_plan *plan, const char *staging,
		    const char *final, const cli_outputs *outs,
		    cli_progress *pr, sim_diag *d)
{
	unsigned plots = 0;
	bool skipped = false;
	if (pr->on)
		cli_progress_print(pr, "writing results.sqlite, CSV files and "
				   "plots");
	int rc = finish(plan, staging, outs, &plots, &skipped, d);
	cli_progress_end(pr);
	int status = CLI_OK;
	if (rc == SIM_EINTR || (rc == 0 && cli_stop_signal())) {
		cli_error("interrupted while writing the results: every run is "
			  "complete in '%s'; finish with: vdcsim run --resume %s",
			  staging, final);
		return cli_interrupted_status();
	}
	if (rc == SIM_ETOOL) {
		/* The data is complete; only a plot failed. Present the data and
		 * say so, with a failing status. */
		cli_print_diag(d);
		status = CLI_FAIL;
	} else if (rc != 0) {
		cli_print_diag(d);
		cli_error("could not finish the results; the runs are kept in '%s'",
			  staging);
		return CLI_FAIL;
	}
	remove_points(staging);
	int mrc = move_into_place(staging, final, d);
	if (mrc != CLI_OK)
		return mrc;
	char *shown = sim_escape(final);
	printf("%s: %zu run%s (%zu point%s x %u replication%s)\n", shown,
	       plan->nruns, plan->nruns == 1 ? "" : "s", plan->npoints,
	       plan->npoints == 1 ? "" : "s", plan->replications,
	       plan->replications == 1 ? "" : "s");
	if (!outs->csv)
		printf("  results.sqlite (no CSV files, no plots)\n");
	else if (!outs->plots)
		printf("  results.sqlite, CSV files (no plots)\n");
	else
		printf("  results.sqlite, CSV files, %u plot%s\n", plots,
		       plots == 1 ? "" : "s");
	if (skipped)
		printf("  plots skipped: gnuplot is not installed (apt-get install "
		       "gnuplot-nox, then: vdcsim plot %s)\n", shown);
	cli_machine_summary(final);
	free(shown);
	return status;
}

static void usage_run(FILE *f)
{
	fputs("usage: vdcsim run [CONFIG] [-o DIR] [--seed N] [--set PATH=VALUE]...\n"
	      "                  [-j N] [--resume DIR] [--svg] [--progress]\n"
	      "                  [--allow-large] [--no-csv] [--no-plots]\n"
	      "                  [--shard I/N] [--mpi]\n"
	      "\n"
	      "Runs the experiment in CONFIG (configs/default.yaml when left out):\n"
	      "every point of its sweep, times its replications. Writes DIR (by\n"
	      "default results/NAME, NAME from experiment.name, with -2, -3... if\n"
	      "taken) holding results.sqlite, one CSV per table, config.yaml and\n"
	      "the plots. DIR appears only when complete; until then the work is\n"
	      "in DIR.partial.\n"
	      "\n"
	      "  -o, --output DIR     results directory (must not exist)\n"
	      "      --seed N         override experiment.seed\n"
	      "      --set PATH=VALUE override a parameter (repeatable), e.g.\n"
	      "                       --set datacenter.host.memory=128GiB\n"
	      "  -j, --jobs N         run up to N runs in parallel processes\n"
	      "      --resume DIR     finish an interrupted run (DIR or DIR.partial)\n"
	      "      --svg            draw SVG instead of PNG\n"
	      "      --progress       progress on stderr even when not a terminal\n"
	      "      --allow-large    accept runs past the documented bounds (rows,\n"
	      "                       events, page writes per run)\n"
	      "      --no-csv         no CSV files (and so no plots); as results.csv: false\n"
	      "      --no-plots       no plots; as results.plots: false\n"
	      "      --shard I/N      run only share I of N of the runs (run r,\n"
	      "                       counted from 0, when r mod N = I - 1) and\n"
	      "                       keep them in DIR for vdcsim merge, which\n"
	      "                       makes of the N shards the results of one\n"
	      "                       run, byte for byte\n"
	      "      --mpi            under mpirun -n N: rank 0 hands the runs out\n"
	      "                       one at a time to the other ranks and merges\n"
	      "                       them, the same bytes as -j (needs a vdcsim\n"
	      "                       built with meson -Dmpi=enabled)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Exit status: 0 done, 1 run-time failure (a full disk included),\n"
	      "2 bad usage or input (DIR in use by another vdcsim; --resume after\n"
	      "an input changed), 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP\n"
	      "(resume with --resume DIR).\n",
	      f);
}

static int parse_run_opts(int argc, char **argv, run_opts *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"seed", required_argument, NULL, 's'},
		{"set", required_argument, NULL, 'S'},
		{"jobs", required_argument, NULL, 'j'},
		{"resume", required_argument, NULL, 'r'},
		{"svg", no_argument, NULL, 'v'},
		{"progress", no_argument, NULL, 'p'},
		{"allow-large", no_argument, NULL, 'L'},
		{"no-csv", no_argument, NULL, 'C'},
		{"no-plots", no_argument, NULL, 'P'},
		{"shard", required_argument, NULL, 'H'},
		{"mpi", no_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->jobs = 1;
	o->sets = sim_xcalloc((size_t)argc + 1, sizeof *o->sets);
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":o:j:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': o->outdir = optarg; break;
		case 's':
			if (cli_check_seed("run", optarg) != 0)
				return -1;
			o->seed = optarg;
			break;
		case 'S': o->sets[o->nsets++] = optarg; break;
		case 'r': o->resume = optarg; break;
		case 'v': o->svg = true; break;
		case 'p': o->progress = true; break;
		case 'L': o->allow_large = true; break;
		case 'C': o->no_csv = true; break;
		case 'P': o->no_plots = true; break;
		case 'M': o->mpi = true; break;
		case 'H':
			if (cli_shard_parse(optarg, &o->shard_i, &o->shard_n) != 0) {
				cli_error("run: --shard '%s': expected I/N with 1 <= I <= N "
					  "<= %d", optarg, CLI_SHARDS_MAX);
				return -1;
			}
			break;
		case 'h': usage_run(stdout); return 1;
		case 'j': {
			char *end;
			errno = 0;
			unsigned long j = strtoul(optarg, &end, 10);
			if (errno || *end || j < 1 || j > 1024 || optarg[0] == '-') {
				cli_error("run: -j '%s': expected a whole number from 1 to 1024",
					  optarg);
				return -1;
			}
			o->jobs = (unsigned)j;
			break;
		}
		case ':':
			cli_error("run: option '%s' needs a value (see vdcsim run --help)",
				  argv[optind - 1]);
			return -1;
		default:
			cli_error("run: unknown option '%s' (see vdcsim run --help)",
				  argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		o->config = argv[optind++];
	if (optind < argc) {
		cli_error("run: unexpected argument '%s' (expected at most one CONFIG)",
			  argv[optind]);
		return -1;
	}
	if (o->resume && (o->config || o->nsets || o->seed || o->outdir ||
			  o->shard_n)) {
		cli_error("run: --resume DIR takes the config and shard from DIR "
			  "(expected no CONFIG, --set, --seed, --shard or -o with "
			  "it)");
		return -1;
	}
	if (o->mpi && (o->jobs > 1 || o->shard_n)) {
		cli_error("run: --mpi hands the runs to the MPI ranks (expected no "
			  "-j or --shard with it: start more ranks instead)");
		return -1;
	}
	if (o->mpi && !cli_mpi_built()) {
		cli_error("run: --mpi: this vdcsim was built without MPI (expected "
			  "a build configured with meson setup -Dmpi=enabled)");
		return -1;
	}
	return 0;
}

/* A worker rank of --mpi: loads the plan as rank 0 does (quietly: rank 0
 * reports its errors) and runs what rank 0 hands out. */
static int mpi_worker(const run_opts *o)
{
	char *config_path = NULL, *config_dir = NULL;
	if (o->resume) {
		size_t n = strlen(o->resume);
		while (n > 1 && o->resume[n - 1] == '/')
			n--;
		if (n > 8 && strncmp(o->resume + n - 8, ".partial", 8) == 0)
			n -= 8;
		char *staging = sim_xasprintf("%.*s.partial", (int)n, o->resume);
		config_path = sim_xasprintf("%s/config.yaml", staging);
		config_dir = cli_run_config_dir(staging);
		free(staging);
	} else if (o->config) {
		config_path = sim_xstrdup(o->config);
	} else {
		char *dd = cli_datadir();
		if (dd)
			config_path = sim_xasprintf("%s/configs/default.yaml", dd);
		free(dd);
	}
	sim_diag d;
	sim_diag_init(&d);
	cli_plan plan;
	memset(&plan, 0, sizeof plan);
	bool ok = config_path &&
		  cli_plan_load(config_path, o->sets, o->nsets, o->seed,
				config_dir, o->allow_large, &plan, &d) == 0;
	int status = cli_mpi_worker(&plan, ok);
	cli_plan_fini(&plan);
	sim_diag_fini(&d);
	free(config_path);
	free(config_dir);
	return status;
}

int cli_cmd_run(int argc, char **argv)
{
	run_opts o;
	int prc = parse_run_opts(argc, argv, &o);
	if (prc != 0) {
		free(o.sets);
		return prc > 0 ? CLI_OK : CLI_USAGE;
	}
	sim_diag d;
	sim_diag_init(&d);
	cli_plan plan;
	memset(&plan, 0, sizeof plan);
	char *final = NULL, *staging = NULL, *config_path = NULL;
	char *config_dir = NULL;
	int status = CLI_OK;
	int lock_fd = -1;
	cli_own_plots own = {0};
	/* From here on a stopping signal is recorded, not fatal: whatever
	 * is in flight finishes or is abandoned cleanly. */
	cli_signals_install();
	if (o.mpi) {
		int rank, nranks;
		if (cli_mpi_init(&rank, &nranks) != 0) {
			cli_error("run: --mpi: MPI could not start (expected "
				  "vdcsim run CONFIG --mpi under mpirun)");
			free(o.sets);
			return CLI_FAIL;
		}
		if (rank > 0) {
			status = mpi_worker(&o);
			cli_mpi_finish();
			free(o.sets);
			return status;
		}
	}

	if (o.resume) {
		size_t n = strlen(o.resume);
		while (n > 1 && o.resume[n - 1] == '/')
			n--;
		if (n > 8 && strncmp(o.resume + n - 8, ".partial", 8) == 0)
			final = sim_xasprintf("%.*s", (int)(n - 8), o.resume);
		else
			final = sim_xasprintf("%.*s", (int)n, o.resume);
		staging = sim_xasprintf("%s.partial", final);
		if (!cli_exists(staging)) {
			if (cli_exists(final))
				cli_error("run: '%s' is complete: nothing to resume", final);
			else
				cli_error("run: no interrupted run at '%s' (expected the "
					  "directory of a run that did not finish)", staging);
			status = CLI_USAGE;
			goto out;
		}
		int lrc = cli_staging_lock(staging, &lock_fd, &d);
		if (lrc == 0)
			lrc = cli_inputs_check(staging, &d);
		if (lrc != 0) {
			cli_print_diag(&d);
			cli_error("run: cannot resume '%s' (see above)", staging);
			/* In use or changed inputs: 2; an I/O failure: 1. */
			status = lrc == SIM_EIO ? CLI_FAIL : CLI_USAGE;
			goto out;
		}
		config_path = sim_xasprintf("%s/config.yaml", staging);
		config_dir = cli_run_config_dir(staging);
	} else {
		if (o.config) {
			config_path = sim_xstrdup(o.config);
		} else {
			char *dd = cli_datadir();
			if (!dd) {
				cli_error("run: no CONFIG given and configs/default.yaml "
					  "not found (set VDCSIM_DATADIR)");
				status = CLI_USAGE;
				goto out;
			}
			config_path = sim_xasprintf("%s/configs/default.yaml", dd);
			free(dd);
		}
	}

	if (cli_plan_load(config_path, o.sets, o.nsets, o.seed, config_dir,
			  o.allow_large, &plan, &d) != 0) {
		cli_print_diag(&d);
		status = CLI_USAGE;
		goto out;
	}
	cli_plan_warn(&plan);
	/* The plots asked for and the config's own scripts are checked, and
	 * the scripts audited, before any run starts. */
	if (cli_plots_check(&plan, &own, &d) != 0) {
		cli_print_diag(&d);
		status = CLI_USAGE;
		goto out;
	}
	plan.shard_i = o.shard_i;
	plan.shard_n = o.shard_n;
	if (o.resume && cli_shard_read(staging, &plan.shard_i, &plan.shard_n) < 0) {
		cli_error("run: '%s/" CLI_SHARD_FILE "' is damaged (expected I/N): "
			  "cannot resume", staging);
		status = CLI_FAIL;
		goto out;
	}
	if (!o.resume) {
		const char *name = plan.first.cfg->experiment.name;
		if (o.outdir) {
			final = cli_outdir_arg("run", o.outdir);
			if (!final) {
				status = CLI_USAGE;
				goto out;
			}
		} else {
			/* A valid experiment.name (SIM_NAME_RULE, checked at
			 * load) is always one path component. */
			final = cli_default_outdir(name);
		}
		staging = sim_xasprintf("%s.partial", final);
		if (cli_exists(final)) {
			cli_error("run: output directory '%s' exists (expected a new "
				  "path: remove it or choose another with -o)", final);
			status = CLI_USAGE;
			goto out;
		}
		if (cli_exists(staging)) {
			long holder = cli_staging_holder(staging);
			if (holder)
				cli_error("run: '%s' is in use by another vdcsim "
					  "(pid %ld holds its lock file): expected "
					  "one process per results directory",
					  staging, holder);
			else
				cli_error("run: an unfinished run is at '%s' (resume "
					  "it with vdcsim run --resume %s, or remove "
					  "it)", staging, final);
			status = CLI_USAGE;
			goto out;
		}
		status = cli_run_create_staging(staging, config_path, NULL,
						&plan, &lock_fd, &d);
		if (status != CLI_OK)
			goto out;
	} else {
		char *points = sim_xasprintf("%s/points", staging);
		cli_mkdir_p(points);
		free(points);
	}
	/* The audited copies are what vdcsim plot DIR draws again. */
	if (cli_own_plots_write(staging, &own, &d) != 0) {
		cli_print_diag(&d);
		status = CLI_FAIL;
		goto out;
	}
	if (cli_stop_signal()) {
		cli_error("interrupted before any run: resume with vdcsim run "
			  "--resume %s", final);
		status = cli_interrupted_status();
		goto out;
	}

	cli_progress pr = {0};
	pr.tty = isatty(STDERR_FILENO);
	pr.on = pr.tty || o.progress;
	pr.start_s = cli_wall_s();
	pr.nruns = cli_plan_shard_runs(&plan);
	int rc = o.mpi ? cli_mpi_run_all(&plan, staging, &pr, &d)
		       : cli_run_all(&plan, staging, o.jobs, &pr, &d);
	cli_progress_end(&pr);
	if (rc == SIM_EINTR || cli_stop_signal()) {
		cli_print_diag(&d);
		cli_error("interrupted: %zu of %zu runs are complete in '%s'; finish "
			  "with: vdcsim run --resume %s", pr.done, pr.nruns, staging,
			  final);
		status = cli_interrupted_status();
		goto out;
	}
	if (rc != 0) {
		cli_print_diag(&d);
		cli_error("run failed; completed runs are kept in '%s' (vdcsim run "
			  "--resume %s reruns the rest)", staging, final);
		status = CLI_FAIL;
		goto out;
	}
	const dc_results_cfg *rs = &plan.first.cfg->results;
	cli_outputs outs = {.csv = rs->csv && !o.no_csv, .svg = o.svg};
	outs.plots = outs.csv && rs->plots && !o.no_plots;
	status = plan.shard_n ? publish_shard(&plan, staging, final, &d)
			      : cli_run_publish(&plan, staging, final, &outs, &pr,
						&d);
out:
	cli_own_plots_fini(&own);
	if (o.mpi)
		cli_mpi_finish();
	if (lock_fd >= 0)
		close(lock_fd);
	cli_plan_fini(&plan);
	sim_diag_fini(&d);
	free(final);
	free(staging);
	free(config_path);
	free(config_dir);
	free(o.sets);
	return status;
}
