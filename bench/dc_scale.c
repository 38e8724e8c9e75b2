/* SPDX-License-Identifier: MIT */
/*
 * dc_scale: wall time and memory of whole runs as the datacenter grows.
 * For 1,000 / 10,000 / 100,000 VMs (10 a host, an hour at 10 s samples,
 * one statistical pre-copy per 10 VMs; dc_gen.c writes the configs) it
 * times each phase through the library calls `vdcsim run` makes, then the
 * `vdcsim run` process end to end (plots apart), and prints the growth
 * exponents between sizes. Then the same for configs/scale/
 * migrations-10k.yaml, in migrations per wall second. Checks results (row
 * counts), never time. `--quick` runs small sizes as a unit test and checks
 * that the shipped migrations-10k.yaml is what dc_gen.c writes.
 */
#define _GNU_SOURCE /* wait4 */
#include "dc.h"
#include "dc_gen.h"
#include "bench_util.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- files ------------------------------------------------------------- */


typedef void (*gen_fn)(FILE *f, unsigned long arg);

static int write_config(const char *path, gen_fn gen, unsigned long arg)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		bench_fail("cannot create", path);
		return -1;
	}
	gen(f, arg);
	if (fclose(f) != 0) {
		bench_fail("cannot write", path);
		return -1;
	}
	return 0;
}

/* Appends line (and a newline) to the file at path. */
static int append_line(const char *path, const char *line)
{
	FILE *f = fopen(path, "a");
	if (!f || fprintf(f, "%s\n", line) < 0 || fclose(f) != 0) {
		bench_fail("cannot append to", path);
		return -1;
	}
	return 0;
}

static void gen_scale(FILE *f, unsigned long nvms)
{
	dc_gen_scale(f, nvms);
}

/* arg: racks * 1000 + waves. */
static void gen_waves(FILE *f, unsigned long arg)
{
	dc_gen_waves(f, (unsigned)(arg / 1000), (unsigned)(arg % 1000));
}

/* ---- one count from a results database ---------------------------------- */

/* The number of rows of `table` in the database at path, -1 if it has no
 * such table (or cannot be read). */
static long long count_rows(const char *path, const char *table)
{
	sqlite3 *db = NULL;
	long long n = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_free(sql);
	}
	sqlite3_close(db);
	return n;
}

typedef struct expect {
	long long vms, hosts, migrations, host_samples;
} expect;

/* A count not checked (host samples under a results: section). */
#define UNCHECKED (-2LL)

static void check_counts(const char *db, const expect *x, const char *where)
{
	const char *names[] = {"vms", "hosts", "migrations", "host_samples"};
	long long want[] = {x->vms, x->hosts, x->migrations, x->host_samples};
	for (size_t i = 0; i < 4; i++) {
		if (want[i] == UNCHECKED)
			continue;
		long long got = count_rows(db, names[i]);
		if (got != want[i]) {
			char msg[200];
			snprintf(msg, sizeof msg, "%s: %s has %lld rows, expected %lld",
				 where, names[i], got, want[i]);
			bench_fail("row count", msg);
		}
	}
	/* Every migration finished with at least one round. */
	if (count_rows(db, "migration_rounds") < x->migrations)
		bench_fail("row count", "fewer migration rounds than migrations");
}

/* ---- phases, through the library ---------------------------------------- */

enum {
	PH_PARSE,    /* cfg_doc_load */
	PH_EMIT,     /* the plan's clone and text of the point (cli/plan.c) */
	PH_VALIDATE, /* dc_config_load (its placement check builds a world) */
	PH_WORLD,    /* dc_world_build */
	PH_SIMULATE, /* dc_experiment_run writing no table, less a world */
	PH_ROWS,     /* dc_experiment_run writing every table, less the above,
		      * and closing the point's database */
	PH_MERGE,    /* sim_results_merge into results.sqlite, and close */
	PH_CSV,      /* sim_results_export_csv */
	PH_COUNT
};
static const char *const phase_names[] = {"parse", "emit", "validate",
					  "world", "simulate", "rows",
					  "merge", "csv"};

typedef struct figures {
	double phase[PH_COUNT];     /* wall */
	double phase_cpu[PH_COUNT]; /* this process's CPU */
	double e2e_s, e2e_cpu_s; /* vdcsim run without plots */
	long e2e_rss_kib;
	double plot_s;           /* vdcsim plot of its output */
	long plot_rss_kib;
} figures;

/* A wall and CPU time stamp. */
typedef struct stamp {
	double wall, cpu;
} stamp;

static stamp stamp_now(void)
{
	stamp s = {bench_now_s(), bench_cpu_s()};
	return s;
}

static stamp stamp_sub(stamp a, stamp b)
{
	stamp s = {a.wall - b.wall, a.cpu - b.cpu};
	return s;
}

static void set_phase(figures *fg, int p, stamp s)
{
	fg->phase[p] = s.wall;
	fg->phase_cpu[p] = s.cpu;
}

static stamp run_into(const dc_config *c, const char *path, uint32_t tables,
		      sim_diag *d)
{
	dc_config *m = (dc_config *)c;
	uint32_t keep = m->results.tables;
	m->results.tables = tables;
	unlink(path);
	stamp t0 = stamp_now();
	sim_results *r = NULL;
	int rc = sim_results_create(path, &r, d);
	if (rc == 0) {
		sim_results_set_run(r, 1);
		dc_run_stats st;
		rc = dc_experiment_run(c, c->experiment.seed, r, NULL, &st, d);
	}
	if (rc == 0)
		rc = sim_results_close(r, d);
	else
		sim_results_abort(r);
	stamp t = stamp_sub(stamp_now(), t0);
	m->results.tables = keep;
	if (rc != 0)
		bench_fail("dc_experiment_run", d->text);
	return t;
}

static void phases(const char *cfg_path, const char *dir, const expect *x,
		   figures *fg)
{
	sim_diag d;
	sim_diag_init(&d);
	stamp t0 = stamp_now();
	cfg_doc *doc = NULL;
	if (cfg_doc_load(cfg_path, &doc, &d) != 0) {
		bench_fail("cfg_doc_load", d.text);
		sim_diag_fini(&d);
		return;
	}
	stamp t1 = stamp_now();
	cfg_doc *point = cfg_doc_clone(doc);
	cfg_doc_remove_top(point, "sweep");
	cfg_doc_remove_top(point, "replications");
	char *text = cfg_doc_emit(point);
	volatile uint64_t hash = sim_hash64(text, strlen(text));
	(void)hash;
	stamp t2 = stamp_now();
	dc_config *c = NULL;
	int rc = dc_config_load(point, &c, &d);
	stamp t3 = stamp_now();
	dc_world *w = NULL;
	if (rc == 0)
		rc = dc_world_build(c, &w, &d);
	stamp t4 = stamp_now();
	dc_world_destroy(w);
	set_phase(fg, PH_PARSE, stamp_sub(t1, t0));
	set_phase(fg, PH_EMIT, stamp_sub(t2, t1));
	set_phase(fg, PH_VALIDATE, stamp_sub(t3, t2));
	set_phase(fg, PH_WORLD, stamp_sub(t4, t3));
	if (rc != 0) {
		bench_fail("dc_config_load", d.text);
		goto out;
	}
	char *bare = sim_xasprintf("%s/bare.sqlite", dir);
	char *pt = sim_xasprintf("%s/point.sqlite", dir);
	char *res = sim_xasprintf("%s/results.sqlite", dir);
	char *csv = sim_xasprintf("%s/csv", dir);
	/* An untimed run first: the first run of a process pays for fresh
	 * pages (the page faults of growing its heap), which the runs after
	 * it reuse; both timed runs are then alike, and the process's own
	 * cold costs are in `vdcsim run`'s figures. */
	run_into(c, bare, 0, &d);
	stamp bare_s = run_into(c, bare, 0, &d);
	stamp full_s = run_into(c, pt, c->results.tables, &d);
	set_phase(fg, PH_SIMULATE, stamp_sub(bare_s, stamp_sub(t4, t3)));
	set_phase(fg, PH_ROWS, stamp_sub(full_s, bare_s));
	if (count_rows(bare, "migrations") != -1)
		bench_fail("results.tables", "a run with no tables wrote migrations");
	check_counts(pt, x, "in process");
	/* As cli/run.c's finish: the point merged into results.sqlite, then
	 * one CSV per table. */
	unlink(res);
	mkdir(csv, 0755);
	stamp t5 = stamp_now();
	sim_results *r = NULL;
	rc = sim_results_create(res, &r, &d);
	if (rc == 0)
		rc = sim_results_merge(r, pt, &d);
	stamp t6 = stamp_now();
	if (rc == 0)
		rc = sim_results_export_csv(r, csv, &d);
	stamp t7 = stamp_now();
	if (rc == 0)
		rc = sim_results_close(r, &d);
	else
		sim_results_abort(r);
	stamp t8 = stamp_now();
	if (rc != 0)
		bench_fail("merge or CSV", d.text);
	stamp merge = stamp_sub(t6, t5), close = stamp_sub(t8, t7);
	merge.wall += close.wall;
	merge.cpu += close.cpu;
	set_phase(fg, PH_MERGE, merge);
	set_phase(fg, PH_CSV, stamp_sub(t7, t6));
	free(bare);
	free(pt);
	free(res);
	free(csv);
out:
	dc_config_destroy(c);
	free(text);
	cfg_doc_destroy(point);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

/* ---- the vdcsim process ------------------------------------------------- */

/* A process's peak RSS (ru_maxrss) counts the pages it had before exec,
 * so a child forked from this bench, grown by the in-process phases,
 * would report the bench's size. Commands are therefore forked by a
 * spawner process made at the start, while the bench is small: a request
 * (argv, PATH, log) goes down a pipe, the figures come back. */
typedef struct spawner {
	int req, res; /* pipe ends: requests out, results in */
	pid_t pid;
} spawner;

typedef struct spawn_res {
	int status;
	double wall_s, cpu_s;
	long rss_kib;
} spawn_res;

#define SPAWN_MAX 8192

/* Reads exactly n bytes; false at EOF or on error. */
static bool read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n > 0) {
		ssize_t k = read(fd, p, n);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return false;
		}
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static bool write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return false;
		}
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/* The spawner's loop: a request is a length and NUL-separated strings:
 * PATH ("" for unchanged), the log, then argv. */
static void spawner_loop(int in, int out)
{
	static char buf[SPAWN_MAX];
	uint32_t len;
	while (read_all(in, &len, sizeof len) && len <= sizeof buf &&
	       read_all(in, buf, len)) {
		char *strs[64];
		size_t n = 0;
		for (size_t i = 0; i < len && n < 63; i += strlen(buf + i) + 1)
			strs[n++] = buf + i;
		strs[n] = NULL;
		spawn_res r = {.status = -1};
		if (n >= 3)
			r.status = bench_spawn(strs + 2, strs[0][0] ? strs[0] : NULL,
					 strs[1], &r.wall_s, &r.cpu_s, &r.rss_kib);
		if (!write_all(out, &r, sizeof r))
			break;
	}
}

static bool spawner_start(spawner *sp)
{
	int down[2], up[2];
	if (pipe(down) != 0)
		return false;
	if (pipe(up) != 0) {
		close(down[0]);
		close(down[1]);
		return false;
	}
	fflush(NULL);
	sp->pid = fork();
	if (sp->pid == 0) {
		close(down[1]);
		close(up[0]);
		spawner_loop(down[0], up[1]);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	sp->req = down[1];
	sp->res = up[0];
	return sp->pid > 0;
}

static void spawner_stop(spawner *sp)
{
	close(sp->req);
	close(sp->res);
	waitpid(sp->pid, NULL, 0);
}

/* As spawn, through the spawner. */
static int spawn_via(spawner *sp, char *const argv[], const char *path,
		     const char *log, double *wall_s, double *cpu_s,
		     long *rss_kib)
{
	char buf[SPAWN_MAX];
	size_t len = 0;
	const char *head[] = {path ? path : "", log};
	for (size_t i = 0; i < 2 + 62 && (i < 2 || argv[i - 2]); i++) {
		const char *a = i < 2 ? head[i] : argv[i - 2];
		size_t k = strlen(a) + 1;
		if (len + k > sizeof buf)
			return -1;
		memcpy(buf + len, a, k);
		len += k;
	}
	uint32_t n32 = (uint32_t)len;
	spawn_res r;
	if (!write_all(sp->req, &n32, sizeof n32) ||
	    !write_all(sp->req, buf, len) || !read_all(sp->res, &r, sizeof r))
		return -1;
	*wall_s = r.wall_s;
	*cpu_s = r.cpu_s;
	*rss_kib = r.rss_kib;
	return r.status;
}

/* `vdcsim run CONFIG -o DIR/out` with no gnuplot on its PATH (plots are
 * skipped), then `vdcsim plot DIR/out` timed apart. */
static void end_to_end(spawner *sp, const char *vdcsim, const char *cfg_path,
		       const char *dir, const expect *x, figures *fg)
{
	char *out = sim_xasprintf("%s/out", dir);
	char *log = sim_xasprintf("%s/vdcsim.log", dir);
	char *db = sim_xasprintf("%s/results.sqlite", out);
	bench_rm_tree(out);
	char run_cmd[] = "run", o_opt[] = "-o", plot_cmd[] = "plot";
	char *run_argv[] = {(char *)vdcsim, run_cmd, (char *)cfg_path, o_opt,
			    out, NULL};
	double cpu = 0;
	int st = spawn_via(sp, run_argv, "/nonexistent", log, &fg->e2e_s, &cpu,
			   &fg->e2e_rss_kib);
	fg->e2e_cpu_s = cpu;
	if (st != 0) {
		FILE *lf = fopen(log, "r");
		char line[512] = "";
		if (lf) {
			if (!fgets(line, sizeof line, lf))
				line[0] = '\0';
			fclose(lf);
		}
		bench_fail("vdcsim run", line);
	} else {
		check_counts(db, x, "vdcsim run");
		char *plot_argv[] = {(char *)vdcsim, plot_cmd, out, NULL};
		st = spawn_via(sp, plot_argv, NULL, log, &fg->plot_s, &cpu,
			       &fg->plot_rss_kib);
		if (st != 0)
			bench_fail("vdcsim plot", log);
	}
	bench_rm_tree(out);
	free(db);
	free(log);
	free(out);
}

/* ---- report ------------------------------------------------------------- */

static void print_header(const char *first)
{
	printf("%9s", first);
	for (int p = 0; p < PH_COUNT; p++)
		printf(" %8s", phase_names[p]);
	printf(" | %9s %9s %9s | %8s\n", "run (s)", "cpu (s)", "peak MiB",
	       "plots");
}

static void print_row(unsigned long n, const figures *f)
{
	printf("%9lu", n);
	for (int p = 0; p < PH_COUNT; p++)
		printf(" %8.3f", f->phase[p]);
	printf(" | %9.3f %9.3f %9.1f | %8.3f\n", f->e2e_s, f->e2e_cpu_s,
	       (double)f->e2e_rss_kib / 1024.0, f->plot_s);
	printf("%9s", "cpu");
	for (int p = 0; p < PH_COUNT; p++)
		printf(" %8.3f", f->phase_cpu[p]);
	printf(" |\n");
}

static double exponent(double a, double b, double ratio)
{
	if (a <= 0 || b <= 0)
		return NAN;
	return log(b / a) / log(ratio);
}

static void print_growth(unsigned long n1, const figures *a, unsigned long n2,
			 const figures *b)
{
	double r = (double)n2 / (double)n1;
	char label[48];
	snprintf(label, sizeof label, "%lu->%lu", n1, n2);
	printf("%9s", label);
	for (int p = 0; p < PH_COUNT; p++)
		printf(" %8.2f", exponent(a->phase[p], b->phase[p], r));
	printf(" | %9.2f %9.2f %9.2f | %8.2f\n", exponent(a->e2e_s, b->e2e_s, r),
	       exponent(a->e2e_cpu_s, b->e2e_cpu_s, r),
	       exponent((double)a->e2e_rss_kib, (double)b->e2e_rss_kib, r),
	       exponent(a->plot_s, b->plot_s, r));
	printf("%9s", "cpu");
	for (int p = 0; p < PH_COUNT; p++)
		printf(" %8.2f", exponent(a->phase_cpu[p], b->phase_cpu[p], r));
	printf(" |\n");
}

/* Keeps the best (least) of each figure over repetitions. */
static void keep_best(figures *best, const figures *f, bool first)
{
	if (first) {
		*best = *f;
		return;
	}
	for (int p = 0; p < PH_COUNT; p++) {
		if (f->phase[p] < best->phase[p])
			best->phase[p] = f->phase[p];
		if (f->phase_cpu[p] < best->phase_cpu[p])
			best->phase_cpu[p] = f->phase_cpu[p];
	}
	if (f->e2e_s < best->e2e_s) {
		best->e2e_s = f->e2e_s;
		best->e2e_cpu_s = f->e2e_cpu_s;
	}
	if (f->e2e_rss_kib < best->e2e_rss_kib)
		best->e2e_rss_kib = f->e2e_rss_kib;
	if (f->plot_s < best->plot_s)
		best->plot_s = f->plot_s;
}

/* ---- main --------------------------------------------------------------- */

static int compare_file(const char *path, gen_fn gen, unsigned long arg,
			const char *dir)
{
	char *mine = sim_xasprintf("%s/generated.yaml", dir);
	if (write_config(mine, gen, arg) != 0) {
		free(mine);
		return -1;
	}
	FILE *a = fopen(path, "rb"), *b = fopen(mine, "rb");
	int same = a && b;
	while (same) {
		int ca = getc(a), cb = getc(b);
		if (ca != cb)
			same = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	unlink(mine);
	free(mine);
	if (!same)
		bench_fail("the shipped config differs from what dc_gen.c writes "
		     "(regenerate it with --emit-migrations-10k)", path);
	return same ? 0 : -1;
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [--quick] [--vdcsim PATH] [--migrations CONFIG]\n"
		"          [--sizes N,N,...] [--repeat N] [--no-phases]\n"
		"          [--results 'results: {...}']\n"
		"       %s --emit-scale N FILE | --emit-migrations-10k FILE\n",
		argv0, argv0);
}

int main(int argc, char **argv)
{
	bench_name = "dc_scale";
	bool quick = false;
	const char *vdcsim = NULL, *m10k = NULL;
	unsigned long sizes[8] = {1000, 10000, 100000};
	size_t nsizes = 3;
	unsigned repeat = 1;
	bool in_process = true;
	const char *results = NULL; /* a line appended to the scale configs */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (strcmp(a, "--quick") == 0) {
			quick = true;
		} else if (strcmp(a, "--no-phases") == 0) {
			in_process = false;
		} else if (strcmp(a, "--results") == 0 && more) {
			results = argv[++i];
		} else if (strcmp(a, "--vdcsim") == 0 && more) {
			vdcsim = argv[++i];
		} else if (strcmp(a, "--migrations") == 0 && more) {
			m10k = argv[++i];
		} else if (strcmp(a, "--repeat") == 0 && more) {
			repeat = (unsigned)strtoul(argv[++i], NULL, 10);
			if (repeat == 0)
				repeat = 1;
		} else if (strcmp(a, "--sizes") == 0 && more) {
			nsizes = bench_parse_sizes(argv[++i], sizes, 8);
		} else if (strcmp(a, "--emit-scale") == 0 && i + 2 < argc) {
			unsigned long n = strtoul(argv[i + 1], NULL, 10);
			return write_config(argv[i + 2], gen_scale, n) ? 1 : 0;
		} else if (strcmp(a, "--emit-migrations-10k") == 0 && more) {
			return write_config(argv[i + 1], gen_waves,
					    DC_GEN_10K_RACKS * 1000 +
						    DC_GEN_10K_WAVES)
				       ? 1
				       : 0;
		} else {
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (quick) {
		sizes[0] = 100;
		sizes[1] = 1000;
		nsizes = 2;
	}
	spawner sp = {.pid = -1};
	if (vdcsim && !spawner_start(&sp)) {
		perror("dc_scale: cannot start the spawner");
		return 1;
	}
	char tmpl[] = "/tmp/dc_scale.XXXXXX";
	const char *dir = mkdtemp(tmpl);
	if (!dir) {
		perror("dc_scale: mkdtemp");
		return 1;
	}
	char *cfg = sim_xasprintf("%s/config.yaml", dir);

	printf("dc_scale: whole runs, 10 VMs a host, 1 h simulated at 10 s "
	       "samples, one statistical pre-copy per 10 VMs; seconds, best of "
	       "%u\n",
	       repeat);
	printf("  phases in process: parse (cfg_doc_load), emit (the point's "
	       "clone and text), validate (dc_config_load), world "
	       "(dc_world_build),\n  simulate (dc_experiment_run with no "
	       "table), rows (its rows into SQLite, and close), merge "
	       "(into results.sqlite), csv;\n  then `vdcsim run` as a process "
	       "(no plots: no gnuplot on its PATH) and `vdcsim plot` apart\n");
	print_header("VMs");
	figures *fg = sim_xcalloc(nsizes, sizeof *fg);
	for (size_t s = 0; s < nsizes; s++) {
		unsigned long n = sizes[s];
		if (write_config(cfg, gen_scale, n) != 0)
			break;
		if (results && append_line(cfg, results) != 0)
			break;
		unsigned long racks, per_rack;
		dc_gen_scale_shape(n, &racks, &per_rack);
		unsigned long hosts = racks * per_rack;
		/* An hour at 10 s: samples at 0, 10 s, ..., 3600 s. */
		expect x = {.vms = (long long)n,
			    .hosts = (long long)hosts,
			    .migrations = (long long)(n / 10),
			    .host_samples = results ? UNCHECKED
						    : (long long)hosts * 361};
		for (unsigned k = 0; k < repeat; k++) {
			figures f;
			memset(&f, 0, sizeof f);
			if (in_process)
				phases(cfg, dir, &x, &f);
			if (vdcsim)
				end_to_end(&sp, vdcsim, cfg, dir, &x, &f);
			keep_best(&fg[s], &f, k == 0);
		}
		print_row(n, &fg[s]);
		fflush(stdout);
	}
	printf("growth exponents, log(t2/t1) / log(n2/n1) (1: linear):\n");
	for (size_t s = 1; s < nsizes; s++)
		print_growth(sizes[s - 1], &fg[s - 1], sizes[s], &fg[s]);
	free(fg);

	/* migrations-10k, or in quick mode a small wave config, and the
	 * check that the shipped file is dc_gen.c's. */
	unsigned long waves_arg = quick ? 2 * 1000 + 5
					: DC_GEN_10K_RACKS * 1000 + DC_GEN_10K_WAVES;
	const char *mcfg = cfg;
	if (m10k)
		compare_file(m10k, gen_waves,
			     DC_GEN_10K_RACKS * 1000 + DC_GEN_10K_WAVES, dir);
	if (m10k && !quick)
		mcfg = m10k;
	else
		write_config(cfg, gen_waves, waves_arg);
	unsigned long racks = waves_arg / 1000, waves = waves_arg % 1000;
	unsigned long nmig = racks * DC_GEN_HOSTS_PER_RACK * waves;
	expect x = {.vms = (long long)nmig,
		    .hosts = (long long)(racks * DC_GEN_HOSTS_PER_RACK),
		    .migrations = (long long)nmig,
		    .host_samples = -2};
	figures f;
	memset(&f, 0, sizeof f);
	printf("\n%s: %lu live migrations (%lu hosts, %lu waves)\n",
	       mcfg == m10k ? m10k : "waves (quick)", nmig,
	       racks * DC_GEN_HOSTS_PER_RACK, waves);
	x.host_samples = (long long)(racks * DC_GEN_HOSTS_PER_RACK) *
			 (long long)(waves * DC_GEN_WAVE_S / 10 +
				     DC_GEN_TAIL_S / 10 + 1);
	for (unsigned k = 0; k < repeat; k++) {
		figures g;
		memset(&g, 0, sizeof g);
		if (in_process)
			phases(mcfg, dir, &x, &g);
		if (vdcsim)
			end_to_end(&sp, vdcsim, mcfg, dir, &x, &g);
		keep_best(&f, &g, k == 0);
	}
	print_header("migr.");
	print_row(nmig, &f);
	/* A vdcsim run builds its world twice (validate, then the run), as
	 * the phases count it. */
	double inproc = 0;
	for (int p = 0; p < PH_COUNT; p++)
		inproc += f.phase[p];
	if (in_process)
		printf("  in process: %.0f migrations per wall second (the "
		       "phases summed: %.3f s)\n",
		       (double)nmig / (inproc > 0 ? inproc : 1), inproc);
	if (vdcsim)
		printf("  vdcsim run: %.0f migrations per wall second without "
		       "plots, %.0f with them (plots %.3f s)\n",
		       (double)nmig / f.e2e_s, (double)nmig / (f.e2e_s + f.plot_s),
		       f.plot_s);

	unlink(cfg);
	free(cfg);
	bench_rm_tree(dir);
	if (vdcsim)
		spawner_stop(&sp);
	if (bench_failures) {
		fprintf(stderr, "dc_scale: %d check(s) failed\n", bench_failures);
		return 1;
	}
	return 0;
}
