/* SPDX-License-Identifier: MIT */
/*
 * Executing the runs of `vdcsim run`: each run is written into
 * points/NNNNNN.sqlite.tmp, closed and synced, renamed to
 * points/NNNNNN.sqlite and the folder synced, so a point file that exists
 * is complete. A point file kept from an earlier attempt is checked before
 * it is trusted. -j N runs them in worker processes that die with the
 * parent (PR_SET_PDEATHSIG), so a killed run leaves nothing running.
 */
#define _GNU_SOURCE
#include "run_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vdcsim_config.h"

/* Exit status of a worker whose run was interrupted. */
#define WORKER_INTERRUPTED 3

void cli_progress_print(cli_progress *pr, const char *text)
{
	if (pr->tty)
		fprintf(stderr, "\r\033[K%s", text);
	else
		fprintf(stderr, "%s\n", text);
	fflush(stderr);
}

void cli_progress_end(cli_progress *pr)
{
	if (pr->on && pr->tty)
		fputs("\r\033[K", stderr);
}

/* What both run hooks do first: 1 when a stopping signal came (stop the
 * run), 0 when a timer tick asks for a progress line (*el: the run's wall
 * seconds so far), -1 otherwise. */
static int hook_due(cli_progress *pr, double *el)
{
	if (cli_stop_signal())
		return 1;
	if (!cli_attention_take() || !pr->on)
		return -1;
	*el = cli_wall_s() - pr->run_start_s;
	return 0;
}

/* Wall seconds left when a fraction frac is done after el seconds. */
static double eta_s(double el, double frac)
{
	return frac > 0 ? el * (1 - frac) / frac : 0;
}

/* The engine's attention callback: a stopping signal stops the run after
 * the current event; a timer tick prints where the run is. */
static void attention_hook(void *ctx, sim_engine *e)
{
	cli_progress *pr = ctx;
	double el;
	int due = hook_due(pr, &el);
	if (due == 1)
		sim_stop(e);
	if (due != 0)
		return;
	double frac = pr->duration_ns
			      ? (double)sim_now(e) / (double)pr->duration_ns
			      : 0;
	char line[256];
	snprintf(line, sizeof line,
		 "run %zu/%zu: simulated %.3f s of %.3f s, %.3g events/s, "
		 "ETA %.0f s",
		 pr->run + 1, pr->nruns, (double)sim_now(e) * 1e-9,
		 (double)pr->duration_ns * 1e-9,
		 el > 0 ? (double)sim_events_executed(e) / el : 0,
		 eta_s(el, frac));
	cli_progress_print(pr, line);
}

/* The same for a machine: experiment, which has no engine: where the
 * run is in instructions (warm-ups included) over all of its workloads
 * and modes. True stops the run. */
static bool machine_hook(void *ctx, uint64_t done, uint64_t total)
{
	cli_progress *pr = ctx;
	double el;
	int due = hook_due(pr, &el);
	if (due != 0)
		return due == 1;
	char line[256];
	snprintf(line, sizeof line,
		 "run %zu/%zu: machine: %.3g of %.3g instructions, %.3g "
		 "instructions/s, ETA %.0f s",
		 pr->run + 1, pr->nruns, (double)done, (double)total,
		 el > 0 ? (double)done / el : 0,
		 eta_s(el, total ? (double)done / (double)total : 0));
	cli_progress_print(pr, line);
	return false;
}

static void progress_points(cli_progress *pr)
{
	if (!pr->on)
		return;
	double el = cli_wall_s() - pr->start_s;
	double eta = pr->done ? el * (double)(pr->nruns - pr->done) /
					(double)pr->done
			      : 0;
	char line[256];
	snprintf(line, sizeof line,
		 "runs done: %zu of %zu, %.1f s elapsed, ETA %.0f s", pr->done,
		 pr->nruns, el, eta);
	cli_progress_print(pr, line);
}

bool cli_plan_has_run(const cli_plan *p, size_t run)
{
	return p->shard_n == 0 || run % p->shard_n == p->shard_i;
}

size_t cli_plan_shard_runs(const cli_plan *p)
{
	if (p->shard_n == 0)
		return p->nruns;
	return p->nruns / p->shard_n + (p->shard_i < p->nruns % p->shard_n);
}

char *cli_point_path(const char *staging, size_t run, const char *suffix)
{
	return sim_xasprintf("%s/points/%06zu.sqlite%s", staging, run + 1,
			     suffix);
}

/* Writes the runs row of run into r. */
static int runs_row(const cli_plan *p, size_t run, const char *text,
		    uint64_t seed, const dc_run_stats *st, sim_results *r,
		    sim_diag *d)
{
	size_t pt = cli_plan_point(p, run);
	char hash[17];
	cli_config_hash(text, hash);
	sim_value *v = sim_xcalloc(p->nrun_cols, sizeof *v);
	v[0].i = (int64_t)run + 1;
	v[1].i = (int64_t)pt;
	v[2].i = cli_plan_replication(p, run);
	v[3].i = (int64_t)seed;
	v[4].s = hash;
	v[5].s = VDCSIM_VERSION;
	v[6].i = (int64_t)st->events;
	v[7].i = (int64_t)st->end_ns;
	char **axis_text = sim_xcalloc(p->naxes + 1, sizeof *axis_text);
	for (size_t a = 0; a < p->naxes; a++) {
		axis_text[a] = cfg_node_emit_flow(cli_plan_axis_value(p, pt, a));
		v[8 + a].s = axis_text[a];
	}
	/* The typed columns follow, in axis order, for the typed axes. */
	size_t c = 8 + p->naxes;
	for (size_t a = 0; a < p->naxes; a++) {
		if (!p->axes[a].typed_name)
			continue;
		double x = 0;
		cli_typed_value(cli_plan_axis_value(p, pt, a), &x);
		v[c++].r = x;
	}
	int rc = sim_results_row(r, &p->runs_table, v, d);
	/* The config text is stored once per distinct text, by its hash. */
	sim_value cv[2] = {{.s = hash}, {.s = text}};
	if (rc == 0)
		rc = sim_results_row(r, &p->configs_table, cv, d);
	for (size_t a = 0; a < p->naxes; a++)
		free(axis_text[a]);
	free(axis_text);
	free(v);
	return rc;
}

/* Executes run `run` of the plan into its point file. Returns 0, SIM_EINTR,
 * or another error with messages in d. */
int cli_run_one(const cli_plan *p, size_t run, const char *staging,
		cli_progress *pr, sim_diag *d)
{
	size_t pt = cli_plan_point(p, run);
	uint32_t rep = cli_plan_replication(p, run);
	/* Point 0 is kept, built and checked, by the plan: its runs borrow
	 * it (a run only reads its config); other points are built here. */
	cli_point built = {0};
	const cli_point *point = &p->first;
	int rc = 0;
	if (pt != 0 || !p->first.cfg || !p->first.text) {
		rc = cli_plan_build_point(p, pt, true, &built, d);
		if (rc != 0) {
			cli_point_fini(&built);
			return rc;
		}
		point = &built;
	}
	const dc_config *c = point->cfg;
	uint64_t seed = sim_rng_replication_seed(c->experiment.seed, rep);
	char *tmp = cli_point_path(staging, run, ".tmp");
	char *fin = cli_point_path(staging, run, "");
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
		pr->run_start_s = cli_wall_s();
		pr->duration_ns = c->experiment.duration_ns;
		/* No every-N-events hook: the attention flag (signals and the
		 * progress timer) is read after every event. */
		dc_progress hook = {.fn = attention_hook, .ctx = pr,
				    .attention = &cli_attention,
				    .machine = machine_hook};
		rc = dc_experiment_run(c, seed, r, &hook, &st, d);
	}
	if (rc == 0)
		rc = runs_row(p, run, point->text, seed, &st, r, d);
	/* Closing commits and fsyncs the file: the name below then never
	 * points at a file whose data is only in the page cache. */
	if (rc == 0) {
		rc = sim_results_close(r, d);
		r = NULL;
	}
	if (rc == 0)
		rc = sim_path_rename(tmp, fin, true, d);
	if (rc == 0) {
		char *dir = sim_xasprintf("%s/points", staging);
		cli_sync_dir(dir);
		free(dir);
	}
	if (rc != 0) {
		sim_results_abort(r);
		unlink(tmp);
	}
	free(tmp);
	free(fin);
	cli_point_fini(&built);
	return rc;
}

/* The runs whose point file is missing or damaged (said on stderr, and
 * the file removed); the others count as done. */
size_t cli_runs_to_do(const cli_plan *p, const char *staging,
		      cli_progress *pr, size_t *todo)
{
	size_t ntodo = 0;
	for (size_t run = 0; run < p->nruns; run++) {
		if (!cli_plan_has_run(p, run))
			continue;
		char *fin = cli_point_path(staging, run, "");
		char *why = NULL;
		if (!cli_exists(fin)) {
			todo[ntodo++] = run;
		} else if ((why = cli_point_check(fin, p, run)) != NULL) {
			cli_error("%s: damaged point file (%s): running run %zu "
				  "again", fin, why, run + 1);
			unlink(fin);
			todo[ntodo++] = run;
		} else {
			pr->done++;
		}
		free(why);
		free(fin);
	}
	return ntodo;
}

/* A worker: dies with the parent, runs runs[0..n) in turn, exits 0, 1 or
 * WORKER_INTERRUPTED (at its first failure). */
static void worker(const cli_plan *p, const size_t *runs, size_t n,
		   const char *staging, const cli_progress *pr, pid_t parent)
{
	/* SIGKILL when the parent dies, even by kill -9; and a parent that
	 * died before this took effect is seen by getppid(). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
	cli_progress child = *pr;
	child.on = false;
	int crc = 0;
	for (size_t i = 0; i < n && crc == 0; i++) {
		sim_diag cd;
		sim_diag_init(&cd);
		crc = cli_run_one(p, runs[i], staging, &child, &cd);
		if (cd.text)
			fputs(cd.text, stderr);
		sim_diag_fini(&cd);
		if (crc == 0 && cli_stop_signal())
			crc = SIM_EINTR;
	}
	fflush(stderr);
	_exit(crc == 0 ? 0 : crc == SIM_EINTR ? WORKER_INTERRUPTED : 1);
}

/* How many runs the next worker takes: one at first; doubled while
 * workers end sooner than WORKER_MIN_S (a fork and an exit per run of a
 * few milliseconds would cost more than the run), but never so many that
 * the last workers leave the others idle for long. Only which process
 * runs a run depends on this, never what the run writes. */
#define WORKER_MIN_S 0.2
static size_t next_batch(size_t batch, double took_s, size_t left,
			 unsigned jobs)
{
	if (took_s < WORKER_MIN_S)
		batch *= 2;
	size_t most = left / (4 * (size_t)jobs);
	if (batch > most)
		batch = most;
	return batch ? batch : 1;
}

static int run_serial(const cli_plan *p, const char *staging,
		      const size_t *todo, size_t ntodo, cli_progress *pr,
		      sim_diag *d)
{
	int rc = 0;
	/* Ticks only while this process runs the engine. */
	if (pr->on)
		cli_progress_timer(CLI_PROGRESS_PERIOD_S);
	for (size_t i = 0; i < ntodo && rc == 0; i++) {
		rc = cli_run_one(p, todo[i], staging, pr, d);
		if (rc == 0) {
			pr->done++;
			if (p->nruns > 1)
				progress_points(pr);
		}
		if (cli_stop_signal() && rc == 0)
			rc = SIM_EINTR;
	}
	cli_progress_timer(0);
	return rc;
}

int cli_run_all(const cli_plan *p, const char *staging, unsigned jobs,
		cli_progress *pr, sim_diag *d)
{
	size_t *todo = sim_xcalloc(p->nruns, sizeof *todo);
	size_t ntodo = cli_runs_to_do(p, staging, pr, todo);
	if (jobs <= 1 || ntodo <= 1) {
		int rc = run_serial(p, staging, todo, ntodo, pr, d);
		free(todo);
		return rc;
	}

	int rc = 0;
	pid_t parent = getpid();
	pid_t *pids = sim_xcalloc(jobs, sizeof *pids);
	size_t *counts = sim_xcalloc(jobs, sizeof *counts);
	double *starts = sim_xcalloc(jobs, sizeof *starts);
	size_t next = 0, running = 0, batch = 1;
	bool failed = false;
	while ((next < ntodo && !failed && !cli_stop_signal()) || running > 0) {
		while (next < ntodo && running < jobs && !failed &&
		       !cli_stop_signal()) {
			fflush(NULL);
			pid_t pid = fork();
			if (pid < 0) {
				sim_diag_error(d, NULL, 0, 0,
					       "vdcsim: cannot fork: %s",
					       strerror(errno));
				failed = true;
				break;
			}
			size_t n = ntodo - next < batch ? ntodo - next : batch;
			if (pid == 0)
				worker(p, todo + next, n, staging, pr, parent);
			for (unsigned k = 0; k < jobs; k++) {
				if (pids[k] == 0) {
					pids[k] = pid;
					counts[k] = n;
					starts[k] = cli_wall_s();
					break;
				}
			}
			next += n;
			running++;
		}
		if (running == 0)
			break;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR) {
				/* Forward a stopping signal: when it came from
				 * kill(1) rather than the terminal, workers did
				 * not see it. */
				int sig = cli_stop_signal();
				for (unsigned k = 0; sig && k < jobs; k++)
					if (pids[k] > 0)
						kill(pids[k], sig);
				continue;
			}
			break;
		}
		size_t n = 0;
		for (unsigned k = 0; k < jobs; k++) {
			if (pids[k] == pid) {
				pids[k] = 0;
				n = counts[k];
				batch = next_batch(batch, cli_wall_s() - starts[k],
						   ntodo - next, jobs);
			}
		}
		running--;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			pr->done += n;
			progress_points(pr);
		} else if (WIFEXITED(status) &&
			   WEXITSTATUS(status) == WORKER_INTERRUPTED) {
			rc = SIM_EINTR;
		} else {
			failed = true;
		}
	}
	free(pids);
	free(counts);
	free(starts);
	free(todo);
	if (failed) {
		sim_diag_error(d, NULL, 0, 0,
			       "vdcsim: a run failed (see above)");
		return SIM_ETOOL;
	}
	if (cli_stop_signal())
		return SIM_EINTR;
	return rc;
}
