/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim run`: executes a plan into a staging directory DIR.partial (each
 * run into points/NNNNNN.sqlite, renamed into place when complete, by this
 * process or by -j worker processes), then merges the runs in order into
 * results.sqlite, exports CSVs, draws plots and renames DIR.partial to DIR.
 * An interrupted or failed run leaves only DIR.partial, which --resume
 * completes by running the points that have no file.
 */
#include "cli_internal.h"

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

/* Set by SIGINT/SIGTERM; read by the progress hook (which stops the
 * engine) and by the job loop. The only mutable static: a signal handler
 * has nowhere else to write. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: waitpid must wake up */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

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
} run_opts;

/* Wall-clock progress on stderr. Only cli/ reads the clock. */
typedef struct progress {
	bool on, tty;
	double start_s, last_s;
	uint64_t duration_ns;
	size_t run, nruns, done;
	unsigned calls;
} progress;

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress_print(progress *pr, const char *text)
{
	if (pr->tty)
		fprintf(stderr, "\r\033[K%s", text);
	else
		fprintf(stderr, "%s\n", text);
	fflush(stderr);
}

static void progress_end(progress *pr)
{
	if (pr->on && pr->tty)
		fputs("\r\033[K", stderr);
}

static void progress_hook(void *ctx, sim_engine *e)
{
	progress *pr = ctx;
	if (interrupted) {
		sim_stop(e);
		return;
	}
	if (!pr->on || (++pr->calls & 15) != 0)
		return;
	double now = wall_s();
	if (now - pr->last_s < (pr->tty ? 0.25 : 5.0))
		return;
	pr->last_s = now;
	double sim_s = (double)sim_now(e) * 1e-9;
	double el = now - pr->start_s;
	double evs = el > 0 ? (double)sim_events_executed(e) / el : 0;
	double frac = pr->duration_ns ? (double)sim_now(e) / (double)pr->duration_ns : 0;
	double eta = frac > 0 ? el * (1 - frac) / frac : 0;
	char line[256];
	snprintf(line, sizeof line,
		 "run %zu/%zu: simulated %.3f s of %.3f s, %.3g events/s, ETA %.0f s",
		 pr->run + 1, pr->nruns, sim_s, (double)pr->duration_ns * 1e-9,
		 evs, eta);
	progress_print(pr, line);
}

static void progress_points(progress *pr)
{
	if (!pr->on)
		return;
	double now = wall_s();
	double el = now - pr->start_s;
	double eta = pr->done ? el * (double)(pr->nruns - pr->done) / (double)pr->done : 0;
	char line[256];
	snprintf(line, sizeof line, "runs done: %zu of %zu, %.1f s elapsed, ETA %.0f s",
		 pr->done, pr->nruns, el, eta);
	pr->last_s = now;
	progress_print(pr, line);
}

static char *point_path(const char *staging, size_t run, const char *suffix)
{
	return sim_xasprintf("%s/points/%06zu.sqlite%s", staging, run + 1, suffix);
}

static char *run_seed_text(uint64_t seed)
{
	return sim_xasprintf("%" PRIu64, seed);
}

/* Executes run `run` of the plan into its point file. Returns 0, SIM_EINTR,
 * or another error with messages in d. */
static int run_one(const cli_plan *p, size_t run, const char *staging,
		   progress *pr, sim_diag *d)
{
	size_t pt = cli_plan_point(p, run);
	uint32_t rep = cli_plan_replication(p, run);
	cli_point point;
	int rc = cli_plan_build_point(p, pt, true, &point, d);
	if (rc != 0) {
		cli_point_fini(&point);
		return rc;
	}
	const dc_config *c = point.cfg;
	uint64_t seed = sim_rng_replication_seed(c->experiment.seed, rep);
	char *tmp = point_path(staging, run, ".tmp");
	char *fin = point_path(staging, run, "");
	unlink(tmp);
	sim_results *r = NULL;
	rc = sim_results_create(tmp, &r, d);
	if (rc == 0)
		rc = sim_results_declare_plain(r, &p->runs_table, d);
	if (rc == 0)
		rc = sim_results_declare_keyed(r, &p->configs_table, d);
	dc_run_stats st = {0};
	if (rc == 0) {
		sim_results_set_run(r, (int64_t)run + 1);
		pr->run = run;
		pr->duration_ns = c->experiment.duration_ns;
		dc_progress hook = {progress_hook, pr, 4096};
		rc = dc_experiment_run(c, seed, r, &hook, &st, d);
	}
	if (rc == 0) {
		char hash[17];
		const char *text = point.text;
		snprintf(hash, sizeof hash, "%016" PRIx64,
			 sim_hash64(text, strlen(text)));
		sim_value *v = sim_xcalloc(p->nrun_cols, sizeof *v);
		v[0].i = (int64_t)run + 1;
		v[1].i = (int64_t)pt;
		v[2].i = rep;
		v[3].i = (int64_t)seed;
		v[4].s = hash;
		v[5].s = VDCSIM_VERSION;
		v[6].i = (int64_t)st.events;
		v[7].i = (int64_t)st.end_ns;
		char **axis_text = sim_xcalloc(p->naxes + 1, sizeof *axis_text);
		for (size_t a = 0; a < p->naxes; a++) {
			axis_text[a] = cfg_node_emit_flow(
				cli_plan_axis_value(p, pt, a));
			v[8 + a].s = axis_text[a];
		}
		rc = sim_results_row(r, &p->runs_table, v, d);
		sim_value cv[2] = {{.s = hash}, {.s = text}};
		if (rc == 0)
			rc = sim_results_row(r, &p->configs_table, cv, d);
		for (size_t a = 0; a < p->naxes; a++)
			free(axis_text[a]);
		free(axis_text);
		free(v);
	}
	if (rc == 0) {
		rc = sim_results_close(r, d);
		r = NULL;
	}
	if (rc == 0 && rename(tmp, fin) != 0) {
		sim_diag_error(d, fin, 0, 0, "cannot rename into place: %s",
			       strerror(errno));
		rc = SIM_EIO;
	}
	if (rc != 0) {
		sim_results_abort(r);
		unlink(tmp);
	}
	free(tmp);
	free(fin);
	cli_point_fini(&point);
	return rc;
}

/* Runs every run without a point file: in this process (-j 1) or in up to
 * jobs worker processes. Returns 0, SIM_EINTR or an error. */
static int run_all(const cli_plan *p, const char *staging, unsigned jobs,
		   progress *pr, sim_diag *d)
{
	size_t *todo = sim_xcalloc(p->nruns, sizeof *todo);
	size_t ntodo = 0;
	for (size_t run = 0; run < p->nruns; run++) {
		char *fin = point_path(staging, run, "");
		if (cli_exists(fin))
			pr->done++;
		else
			todo[ntodo++] = run;
		free(fin);
	}
	int rc = 0;
	if (jobs <= 1 || ntodo <= 1) {
		for (size_t i = 0; i < ntodo && rc == 0; i++) {
			rc = run_one(p, todo[i], staging, pr, d);
			if (rc == 0) {
				pr->done++;
				if (p->nruns > 1)
					progress_points(pr);
			}
			if (interrupted && rc == 0)
				rc = SIM_EINTR;
		}
		free(todo);
		return rc;
	}

	pid_t *pids = sim_xcalloc(jobs, sizeof *pids);
	size_t next = 0, running = 0;
	bool failed = false;
	while ((next < ntodo && !failed && !interrupted) || running > 0) {
		while (next < ntodo && running < jobs && !failed && !interrupted) {
			fflush(NULL);
			pid_t pid = fork();
			if (pid < 0) {
				sim_diag_error(d, NULL, 0, 0, "vdcsim: cannot fork: %s",
					       strerror(errno));
				failed = true;
				break;
			}
			if (pid == 0) {
				progress child = *pr;
				child.on = false;
				sim_diag cd;
				sim_diag_init(&cd);
				int crc = run_one(p, todo[next], staging, &child, &cd);
				if (cd.text)
					fputs(cd.text, stderr);
				fflush(stderr);
				_exit(crc == 0 ? 0 : crc == SIM_EINTR ? 3 : 1);
			}
			for (unsigned k = 0; k < jobs; k++) {
				if (pids[k] == 0) {
					pids[k] = pid;
					break;
				}
			}
			next++;
			running++;
		}
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR) {
				/* Forward the signal: when it came from kill(1)
				 * rather than the terminal, workers did not see it. */
				for (unsigned k = 0; k < jobs; k++)
					if (pids[k] > 0)
						kill(pids[k], SIGINT);
				continue;
			}
			break;
		}
		for (unsigned k = 0; k < jobs; k++)
			if (pids[k] == pid)
				pids[k] = 0;
		running--;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			pr->done++;
			progress_points(pr);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
			rc = SIM_EINTR;
		} else {
			failed = true;
		}
	}
	free(pids);
	free(todo);
	if (failed) {
		sim_diag_error(d, NULL, 0, 0, "vdcsim: a run failed (see above)");
		return SIM_ETOOL;
	}
	if (interrupted)
		return SIM_EINTR;
	return rc;
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

/* The folder save_config_dir recorded in staging, or NULL if there is
 * none. A new string. */
static char *load_config_dir(const char *staging)
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

/* What finish writes besides results.sqlite. */
typedef struct outputs {
	bool csv, plots, svg;
} outputs;

/* Merges the point files in run order (a single run's file becomes
 * results.sqlite as it is), writes the meta rows, then CSVs and plots as
 * asked. */
static int finish(const cli_plan *p, const char *staging, const outputs *o,
		  unsigned *plots, bool *skipped, sim_diag *d)
{
	char *db = sim_xasprintf("%s/results.sqlite", staging);
	unlink(db);
	sim_results *r = NULL;
	int rc;
	if (p->nruns == 1) {
		/* Nothing to merge: the run's own database, with the same
		 * tables and rows, takes the meta rows. */
		char *f = point_path(staging, 0, "");
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
	snprintf(hash, sizeof hash, "%016" PRIx64,
		 sim_hash64(p->base_text, strlen(p->base_text)));
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
		char *f = point_path(staging, run, "");
		rc = sim_results_merge(r, f, d);
		free(f);
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

static void usage_run(FILE *f)
{
	fputs("usage: vdcsim run [CONFIG] [-o DIR] [--seed N] [--set PATH=VALUE]...\n"
	      "                  [-j N] [--resume DIR] [--svg] [--progress]\n"
	      "                  [--allow-large] [--no-csv] [--no-plots]\n"
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
	      "  -h, --help           this text\n"
	      "\n"
	      "Exit status: 0 done, 1 run-time failure, 2 bad usage or input,\n"
	      "130 interrupted (resume with --resume DIR).\n",
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
	if (o->resume && (o->config || o->nsets || o->seed || o->outdir)) {
		cli_error("run: --resume DIR takes the config from DIR (expected no "
			  "CONFIG, --set, --seed or -o with it)");
		return -1;
	}
	return 0;
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
		config_path = sim_xasprintf("%s/config.yaml", staging);
		config_dir = load_config_dir(staging);
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
	if (!o.resume) {
		const char *name = plan.first.cfg->experiment.name;
		if (o.outdir) {
			size_t n = strlen(o.outdir);
			while (n > 1 && o.outdir[n - 1] == '/')
				n--;
			final = sim_xasprintf("%.*s", (int)n, o.outdir);
		} else if (!cli_safe_name(name)) {
			cli_error("run: experiment.name '%s' cannot name a directory "
				  "(expected no '/' or control characters; or use -o DIR)",
				  name);
			status = CLI_USAGE;
			goto out;
		} else {
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
			cli_error("run: an unfinished run is at '%s' (resume it with "
				  "vdcsim run --resume %s, or remove it)", staging, final);
			status = CLI_USAGE;
			goto out;
		}
		char *points = sim_xasprintf("%s/points", staging);
		int mk = cli_mkdir_p(points);
		free(points);
		char *cfg = sim_xasprintf("%s/config.yaml", staging);
		if (mk != 0) {
			cli_error("run: cannot create '%s': %s", staging, strerror(errno));
			free(cfg);
			status = CLI_FAIL;
			goto out;
		}
		if (cli_write_file(cfg, plan.base_text, &d) != 0 ||
		    save_config_dir(staging, config_path, &d) != 0) {
			free(cfg);
			cli_print_diag(&d);
			status = CLI_FAIL;
			goto out;
		}
		free(cfg);
	} else {
		char *points = sim_xasprintf("%s/points", staging);
		cli_mkdir_p(points);
		free(points);
	}

	install_signals();
	progress pr = {0};
	pr.tty = isatty(STDERR_FILENO);
	pr.on = pr.tty || o.progress;
	pr.start_s = pr.last_s = wall_s();
	pr.nruns = plan.nruns;
	int rc = run_all(&plan, staging, o.jobs, &pr, &d);
	progress_end(&pr);
	if (rc == SIM_EINTR || interrupted) {
		cli_print_diag(&d);
		cli_error("interrupted: %zu of %zu runs are complete in '%s'; finish "
			  "with: vdcsim run --resume %s", pr.done, plan.nruns, staging,
			  final);
		status = CLI_INTERRUPTED;
		goto out;
	}
	if (rc != 0) {
		cli_print_diag(&d);
		cli_error("run failed; completed runs are kept in '%s' (vdcsim run "
			  "--resume %s reruns the rest)", staging, final);
		status = CLI_FAIL;
		goto out;
	}
	unsigned plots = 0;
	bool skipped = false;
	if (pr.on)
		progress_print(&pr, "writing results.sqlite, CSV files and plots");
	/* Plots are drawn from the CSV files: no CSV, no plots. */
	const dc_results_cfg *rs = &plan.first.cfg->results;
	outputs out = {.csv = rs->csv && !o.no_csv, .svg = o.svg};
	out.plots = out.csv && rs->plots && !o.no_plots;
	rc = finish(&plan, staging, &out, &plots, &skipped, &d);
	progress_end(&pr);
	if (rc == SIM_ETOOL) {
		/* The data is complete; only a plot failed. Present the data and
		 * say so, with a failing status. */
		cli_print_diag(&d);
		status = CLI_FAIL;
	} else if (rc != 0) {
		cli_print_diag(&d);
		cli_error("could not finish the results; the runs are kept in '%s'",
			  staging);
		status = CLI_FAIL;
		goto out;
	}
	remove_points(staging);
	if (rename(staging, final) != 0) {
		cli_error("cannot rename '%s' to '%s': %s", staging, final,
			  strerror(errno));
		status = CLI_FAIL;
		goto out;
	}
	printf("%s: %zu run%s (%zu point%s x %u replication%s)\n", final,
	       plan.nruns, plan.nruns == 1 ? "" : "s", plan.npoints,
	       plan.npoints == 1 ? "" : "s", plan.replications,
	       plan.replications == 1 ? "" : "s");
	if (!out.csv)
		printf("  results.sqlite (no CSV files, no plots)\n");
	else if (!out.plots)
		printf("  results.sqlite, CSV files (no plots)\n");
	else
		printf("  results.sqlite, CSV files, %u plot%s\n", plots,
		       plots == 1 ? "" : "s");
	if (skipped)
		printf("  plots skipped: gnuplot is not installed (apt-get install "
		       "gnuplot-nox, then: vdcsim plot %s)\n", final);
out:
	cli_plan_fini(&plan);
	sim_diag_fini(&d);
	free(final);
	free(staging);
	free(config_path);
	free(config_dir);
	free(o.sets);
	return status;
}
