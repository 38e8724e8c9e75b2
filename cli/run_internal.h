/* SPDX-License-Identifier: MIT */
/*
 * Private declarations shared by `vdcsim run` (run.c, run_pool.c), its
 * staging directory (staging.c) and the signal handling of the long
 * commands (signals.c): how an interrupted, killed, concurrent or
 * disk-starved run loses only the runs in flight and never corrupts one.
 */
#ifndef VDCSIM_CLI_RUN_INTERNAL_H
#define VDCSIM_CLI_RUN_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli_internal.h"

/* ---- the machine table (machine_summary.c) ------------------------------ */

/* Prints, after a machine experiment published in dir, each workload's
 * slowdown against native under each mode (the first point's; the mean
 * over its replications), at most 40 workloads. Prints nothing when dir's
 * results.sqlite has no machine_runs table or cannot be read. */
void cli_machine_summary(const char *dir);

/* ---- signals (signals.c) --------------------------------------------- */

/* Set by SIGINT, SIGTERM, SIGHUP and the progress timer's SIGALRM; the
 * engine reads it after every event (sim_engine_set_attention). Whoever
 * acts on it clears it with cli_attention_take. */
extern volatile sig_atomic_t cli_attention;

/* Catches SIGINT, SIGTERM and SIGHUP (recorded for cli_stop_signal; no
 * SA_RESTART, so a blocking waitpid wakes up), SIGALRM (sets
 * cli_attention, with SA_RESTART) and ignores SIGXFSZ, so that a write
 * past the file size limit fails with EFBIG and is reported instead of
 * killing the process. */
void cli_signals_install(void);
/* The first stopping signal caught (SIGINT, SIGTERM or SIGHUP), or 0. */
int cli_stop_signal(void);
/* Where that signal is recorded, for code below cli/ that polls it
 * (sim_plots_render_timeout's stop). */
const volatile sig_atomic_t *cli_stop_flag(void);
/* The exit status for an interrupted command: 128 + the signal caught
 * (130 SIGINT, 143 SIGTERM, 129 SIGHUP); 130 if none was caught here (a
 * worker was interrupted by someone else). */
int cli_interrupted_status(void);
/* Clears cli_attention; true if it was set. */
bool cli_attention_take(void);
/* Starts a wall-clock timer that sets cli_attention every interval_s
 * seconds (> 0), or stops it (0). */
void cli_progress_timer(double interval_s);
/* Seconds on the monotonic clock (for progress only). */
double cli_wall_s(void);

/* ---- the staging directory (staging.c) ------------------------------- */

/* Name of the lock file in a staging directory; it holds the pid of the
 * process that holds its flock(). */
#define CLI_LOCK_FILE "lock"
/* Name of the input record (hashes of the config and traces) in it. */
#define CLI_INPUTS_FILE "points/inputs"

/* Creates a fresh directory beside staging (STAGING.new-XXXXXX, parents
 * made as needed) with points/ and a locked lock file recording this pid.
 * Returns the new directory's path (to fill, then cli_staging_publish) and
 * sets *lock_fd; NULL with a message in d on failure. */
char *cli_staging_new(const char *staging, int *lock_fd, sim_diag *d);
/* Renames the filled directory tmp to staging, never over anything that
 * appeared meanwhile; on failure removes tmp. 0, SIM_EEXIST (with the
 * holder named when it is locked) or SIM_EIO, with a message in d. */
int cli_staging_publish(char *tmp, const char *staging, sim_diag *d);
/* Removes a directory made by cli_staging_new (its files, points/ and its
 * files, and itself). */
void cli_staging_remove(const char *dir);
/* Takes the lock of an existing staging directory (creating the lock file
 * when an older vdcsim left none) and records this pid in it. 0 and
 * *lock_fd set; SIM_EEXIST if another process holds it (the message in d
 * names its pid); SIM_EIO on other failures. */
int cli_staging_lock(const char *staging, int *lock_fd, sim_diag *d);
/* The pid recorded in staging's lock file if a live process holds the
 * lock, else 0. */
long cli_staging_holder(const char *staging);
/* fsync()s the directory at path (best effort: some file systems refuse);
 * makes renames and new entries inside it durable. */
void cli_sync_dir(const char *path);
/* cli_sync_dir of the folder that holds path (its part up to the last
 * '/', or "." for a bare name). */
void cli_sync_parent(const char *path);
/* Records in dir/CLI_INPUTS_FILE a 64-bit FNV-1a hash of every input of
 * the plan: dir/config.yaml (which must be written already) and every
 * trace file a point replays (those the plan's loader read, by absolute
 * path). 0 or an error in d. */
int cli_inputs_record(const char *dir, const cli_plan *plan, sim_diag *d);
/* Hashes every input recorded in staging again: 0 if all are unchanged
 * (or nothing was recorded, by an older vdcsim); SIM_EINPUT naming the
 * first input that changed or cannot be read. */
int cli_inputs_check(const char *staging, sim_diag *d);
/* Checks a kept point file before --resume trusts it: it opens as SQLite,
 * passes PRAGMA quick_check, has the results schema version, the tables
 * meta, columns, the plan's runs table and every table the point's
 * `results:` selects (dc_table_names, dc_results_has: the selection
 * dc_experiment_run declares), and a runs row for run (0-based) with the
 * point's config hash. NULL if it is good, else why not (a new string). */
char *cli_point_check(const char *path, const cli_plan *plan, size_t run);

/* ---- executing the runs (run_pool.c) --------------------------------- */

/* Wall-clock progress on stderr. Only cli/ reads the clock. */
typedef struct cli_progress {
	bool on, tty;
	double start_s;         /* of the whole command */
	double run_start_s;     /* of the run in this process */
	uint64_t duration_ns;
	size_t run, nruns, done;
} cli_progress;

/* Seconds between progress lines (the timer's period). */
#define CLI_PROGRESS_PERIOD_S 1.0

/* Prints one progress line (rewritten in place on a terminal). */
void cli_progress_print(cli_progress *pr, const char *text);
/* Clears the line on a terminal. */
void cli_progress_end(cli_progress *pr);
/* ---- publishing (run.c, shared with merge.c) --------------------------- */

/* Most shards a plan can be split into (--shard I/N). */
#define CLI_SHARDS_MAX 1000000
/* The shard of a staging or shard directory: "I/N" and a newline. */
#define CLI_SHARD_FILE "points/shard"

/* What a finished run writes besides results.sqlite. */
typedef struct cli_outputs {
	bool csv, plots, svg;
} cli_outputs;

/* Parses "I/N" (1 <= I <= N <= CLI_SHARDS_MAX, decimal, nothing else)
 * into *i = I - 1 and *n = N. 0, or -1 leaving them alone. */
int cli_shard_parse(const char *text, size_t *i, size_t *n);
/* Reads dir/CLI_SHARD_FILE: 1 and *i, *n set; 0 if there is none; -1 if
 * it is malformed. */
int cli_shard_read(const char *dir, size_t *i, size_t *n);
/* The folder of the original config that a staging (or shard) directory
 * recorded, or NULL if none. A new string. */
char *cli_run_config_dir(const char *staging);
/* Creates staging atomically with its lock (held in *lock_fd from then
 * on): the plan's config, the config's folder (config_dir, or when NULL the
 * folder of config_path), the plan's shard and the record of the inputs'
 * hashes are written into a fresh directory then renamed to staging.
 * Returns an exit status (CLI_OK, or after saying why). */
int cli_run_create_staging(const char *staging, const char *config_path,
			   const char *config_dir, const cli_plan *plan,
			   int *lock_fd, sim_diag *d);
/* Every run's point file is in staging: merges them in run order into
 * results.sqlite with the meta rows, writes the CSVs and plots outs asks
 * for, removes the point files, renames staging to final and prints what
 * it made. Returns an exit status (CLI_OK, CLI_FAIL when only a plot
 * failed, or the interrupted status), having said why. */
int cli_run_publish(const cli_plan *plan, const char *staging,
		    const char *final, const cli_outputs *outs,
		    cli_progress *pr, sim_diag *d);

/* True if run (0-based) is this process's to run: every run, or those of
 * the plan's shard (run % shard_n == shard_i). */
bool cli_plan_has_run(const cli_plan *p, size_t run);
/* How many runs cli_plan_has_run accepts. */
size_t cli_plan_shard_runs(const cli_plan *p);
/* Path of run's point file in staging, with suffix ("" or ".tmp"). */
char *cli_point_path(const char *staging, size_t run, const char *suffix);
/* Runs every run of the plan without a good point file into staging
 * (verifying and rerunning damaged ones, each named on stderr): in this
 * process (jobs 1) or in up to jobs worker processes, which die with this
 * one. Returns 0, SIM_EINTR (a stopping signal) or an error. */
int cli_run_all(const cli_plan *p, const char *staging, unsigned jobs,
		cli_progress *pr, sim_diag *d);

/* Executes run `run` of the plan into its point file in staging (which
 * has a points/ folder). Returns 0, SIM_EINTR, or another error with
 * messages in d. */
int cli_run_one(const cli_plan *p, size_t run, const char *staging,
		cli_progress *pr, sim_diag *d);
/* The plan's runs (of this shard) whose point file in staging is missing
 * or damaged (said on stderr, and the file removed), into todo (room for
 * p->nruns); the others are counted in pr->done. Returns how many. */
size_t cli_runs_to_do(const cli_plan *p, const char *staging,
		      cli_progress *pr, size_t *todo);

/* ---- the MPI runner (mpi.c) -------------------------------------------- */

/* True if this vdcsim was built with MPI (meson -Dmpi=enabled). */
bool cli_mpi_built(void);
/* Initialises MPI and stores this process's rank and the number of ranks.
 * Returns 0, or -1 (MPI missing from the build or failing). */
int cli_mpi_init(int *rank, int *nranks);
/* Rank 0: runs every run without a good point file in staging, handing
 * them out one at a time to the worker ranks as each asks (as
 * cli_run_all, which it falls back to with one rank), storing the point
 * files they send back. Returns 0, SIM_EINTR or an error (said in d or on
 * stderr). */
int cli_mpi_run_all(const cli_plan *p, const char *staging, cli_progress *pr,
		    sim_diag *d);
/* A worker rank (> 0): asks rank 0 for runs, runs each into a private
 * temporary folder and sends the point file back, until told to stop.
 * plan_ok false: its plan did not load (each run given is reported as
 * failed). Returns an exit status. */
int cli_mpi_worker(const cli_plan *p, bool plan_ok);
/* Every rank, last: rank 0 tells the workers it has not stopped to stop
 * (answering the message each sends); then MPI_Finalize. No-op without
 * cli_mpi_init. */
void cli_mpi_finish(void);

#endif /* VDCSIM_CLI_RUN_INTERNAL_H */
