/* SPDX-License-Identifier: MIT */
/*
 * policy_decide: how long a policy takes to decide, per monitoring
 * interval, the figure Sandpiper's scale study reports next to hotspots
 * resolved ([Wood07] in docs/references.md: "computing a new placement
 * takes seconds" at about 500 hosts). Wall time is kept out of results, so
 * it is measured here: the config is run in this process and
 * dc_progress.decide brackets each interval's policy step (observe and
 * decide) with CLOCK_MONOTONIC. By default it runs
 * configs/sandpiper/scale-study.yaml at each VM count of its sweep (3,000 to
 * 7,000 VMs on 500 hosts, 2 h at 60 s); `--config FILE` runs another
 * config (e.g. one written by `policy_scale --emit`), `--counts` sets
 * vms.0.count per row, `--set PATH=VALUE` applies to every row. It checks
 * that every interval stepped the policy once (never time). `--quick` runs
 * one small row as a unit test.
 */
#define _GNU_SOURCE
#include "dc.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The decisions of one run: their wall times, in order. */
typedef struct timer {
	double started;  /* of the step in progress, or < 0 */
	double *took;
	size_t n, cap;
	size_t unpaired; /* an end without a start, or a start twice */
} timer;

static void on_decide(void *ctx, bool done)
{
	timer *t = ctx;
	double now = bench_now_s();
	if (!done) {
		t->unpaired += t->started >= 0;
		t->started = now;
		return;
	}
	if (t->started < 0) {
		t->unpaired++;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->took = realloc(t->took, t->cap * sizeof *t->took);
		if (!t->took) {
			perror("policy_decide");
			exit(1);
		}
	}
	t->took[t->n++] = now - t->started;
	t->started = -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef struct row {
	size_t vms, hosts, intervals;
	double mean, median, max, total, run;
} row;

/* Runs one point of doc (a clone with count and sets applied) and fills
 * r; returns 0 if it ran and every interval was stepped once. */
static int run_point(const cfg_doc *doc, long count, const char **sets,
		     size_t nsets, const char *db, row *r)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *point = cfg_doc_clone(doc);
	cfg_doc_remove_top(point, "sweep");
	cfg_doc_remove_top(point, "replications");
	int rc = 0;
	if (count > 0) {
		char arg[64];
		snprintf(arg, sizeof arg, "vms.0.count=%ld", count);
		rc = cfg_doc_set_arg(point, arg, &d);
	}
	for (size_t i = 0; i < nsets && rc == 0; i++)
		rc = cfg_doc_set_arg(point, sets[i], &d);
	dc_config *c = NULL;
	if (rc == 0)
		rc = dc_config_load(point, &c, &d);
	timer t = {.started = -1};
	double t0 = bench_now_s();
	if (rc == 0) {
		if (c->policy.policy == 0)
			bench_fail("config", "it has no policy to time");
		unlink(db);
		sim_results *res = NULL;
		rc = sim_results_create(db, &res, &d);
		if (rc == 0) {
			sim_results_set_run(res, 1);
			dc_progress hook = {.ctx = &t, .decide = on_decide};
			dc_run_stats st;
			rc = dc_experiment_run(c, c->experiment.seed, res,
					       &hook, &st, &d);
			if (rc == 0)
				rc = sim_results_close(res, &d);
			else
				sim_results_abort(res);
		}
	}
	double t1 = bench_now_s();
	if (rc != 0)
		bench_fail("run", d.text);
	memset(r, 0, sizeof *r);
	if (rc == 0) {
		r->vms = c->nvms;
		r->hosts = c->datacenter.nhosts;
		r->intervals = t.n;
		r->run = t1 - t0;
		uint64_t want = c->experiment.duration_ns /
				c->policy.interval_ns;
		if (t.n != want) {
			char *m = NULL;
			if (asprintf(&m, "%zu policy steps for %llu intervals",
				     t.n, (unsigned long long)want) < 0)
				m = NULL;
			bench_fail("steps", m);
			free(m);
			rc = 1;
		}
		if (t.unpaired) {
			bench_fail("steps", "a decision hook call without its pair");
			rc = 1;
		}
		for (size_t i = 0; i < t.n; i++) {
			r->total += t.took[i];
			if (t.took[i] > r->max)
				r->max = t.took[i];
		}
		if (t.n) {
			r->mean = r->total / (double)t.n;
			qsort(t.took, t.n, sizeof *t.took, cmp_double);
			r->median = t.took[t.n / 2];
		}
	}
	free(t.took);
	dc_config_destroy(c);
	cfg_doc_destroy(point);
	sim_diag_fini(&d);
	unlink(db);
	return rc;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--quick] [--config FILE] [--counts N,N,...] "
		"[--set PATH=VALUE]...\n"
		"  default: the sandpiper scale study at its swept VM counts "
		"(3000..7000)\n",
		argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	bench_name = "policy_decide";
	const char *config = NULL;
	const char *counts = NULL;
	const char **sets = calloc((size_t)argc + 1, sizeof *sets);
	size_t nsets = 0;
	int quick = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--counts") && i + 1 < argc)
			counts = argv[++i];
		else if (!strcmp(argv[i], "--set") && i + 1 < argc)
			sets[nsets++] = argv[++i];
		else
			usage(argv[0]);
	}
	if (!config)
		usage(argv[0]);
	if (quick) {
		counts = counts ? counts : "600";
		sets[nsets++] = "experiment.duration=20min";
	} else if (!counts && strstr(config, "scale-study")) {
		counts = "3000,4000,5000,6000,7000";
	}
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	if (cfg_doc_load(config, &doc, &d) != 0) {
		fprintf(stderr, "policy_decide: %s", d.text);
		return 1;
	}
	char db[] = "/tmp/policy_decide.XXXXXX";
	int fd = mkstemp(db);
	if (fd < 0) {
		perror("policy_decide: mkstemp");
		return 1;
	}
	close(fd);
	printf("policy_decide: %s, the policy's step (observe and decide) per "
	       "monitoring interval, wall time\n",
	       config);
	printf("%8s %7s %9s | %9s %9s %9s %9s | %9s %6s\n", "VMs", "hosts",
	       "intervals", "mean ms", "median ms", "max ms", "total s",
	       "run s", "share");
	fflush(stdout);
	const char *p = counts ? counts : "0";
	for (;;) {
		long n = strtol(p, NULL, 10);
		row r;
		if (run_point(doc, n, sets, nsets, db, &r) == 0)
			printf("%8zu %7zu %9zu | %9.3f %9.3f %9.3f %9.3f | "
			       "%9.2f %5.1f%%\n",
			       r.vms, r.hosts, r.intervals, r.mean * 1e3,
			       r.median * 1e3, r.max * 1e3, r.total, r.run,
			       r.run > 0 ? 100 * r.total / r.run : 0);
		fflush(stdout);
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	free((void *)sets);
	if (bench_failures) {
		fprintf(stderr, "policy_decide: %d check(s) failed\n",
			bench_failures);
		return 1;
	}
	return 0;
}
