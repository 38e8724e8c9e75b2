/* SPDX-License-Identifier: MIT */
/*
 * The recorder's driver: the workload's load operations, then its run
 * through the phases a user sets (ramp, bursts, checkpoints), with a
 * sample of the arena's written pages every K operations, K = interval /
 * nominal time per operation. Simulated time advances only with
 * operations, so the trace depends on the options and the seed alone.
 */
#include "rec_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rec_workload *const workloads[] = {
	&rec_wl_oltp, &rec_wl_cache, &rec_wl_zlib, &rec_wl_munch, NULL,
};

const rec_workload *rec_workload_at(size_t i)
{
	return i < sizeof workloads / sizeof workloads[0] ? workloads[i] : NULL;
}

const rec_workload *rec_workload_find(const char *name)
{
	for (size_t i = 0; workloads[i]; i++)
		if (strcmp(workloads[i]->name, name) == 0)
			return workloads[i];
	return NULL;
}

static const rec_param *param_find(const rec_workload *w, const char *name,
				   size_t len)
{
	for (const rec_param *p = w->params; p->name; p++)
		if (strlen(p->name) == len && strncmp(p->name, name, len) == 0)
			return p;
	return NULL;
}

/* Parses a parameter's value (sizes with units where unit is "B"). */
static int param_parse(const rec_param *p, const char *s, double *v,
		       const char **why)
{
	if (strcmp(p->unit, "B") == 0) {
		uint64_t b;
		if (cfg_parse_bytes(s, &b, why) != 0)
			return -1;
		*v = (double)b;
		return 0;
	}
	if (cfg_parse_float(s, v, why) != 0)
		return -1;
	return 0;
}

int rec_opts_check(const rec_opts *o, sim_diag *d)
{
	const rec_workload *w = o->w;
	int rc = 0;
	for (size_t i = 0; i < o->nsets; i++) {
		const char *s = o->sets[i], *eq = strchr(s, '=');
		const rec_param *p = eq ? param_find(w, s, (size_t)(eq - s)) : NULL;
		if (!eq) {
			sim_diag_error(d, "trace-record", 0, 0, "--param '%s': "
				       "expected NAME=VALUE", s);
			rc = SIM_EINPUT;
			continue;
		}
		if (!p) {
			sim_diag_error(d, "trace-record", 0, 0, "--param '%s': "
				       "workload %s has no parameter '%.*s' "
				       "(expected one of vdcsim trace-record "
				       "--list)", s, w->name, (int)(eq - s), s);
			rc = SIM_EINPUT;
			continue;
		}
		double v;
		const char *why = NULL;
		if (param_parse(p, eq + 1, &v, &why) != 0 || !(v >= p->min) ||
		    !(v <= p->max)) {
			sim_diag_error(d, "trace-record", 0, 0, "--param '%s': "
				       "%s (expected %s from %g to %g%s%s)", s,
				       why ? why : "out of range",
				       strcmp(p->unit, "B") == 0 ? "a size" : "a number",
				       p->min, p->max, *p->unit ? " " : "", p->unit);
			rc = SIM_EINPUT;
		}
	}
	uint64_t op = o->op_ns ? o->op_ns : w->op_ns;
	if (o->interval_ns < op) {
		sim_diag_error(d, "trace-record", 0, 0, "--interval shorter than "
			       "one operation (%llu ns; expected an interval of at "
			       "least the --op-time)", (unsigned long long)op);
		rc = SIM_EINPUT;
	} else if (o->interval_ns / op > UINT64_C(100000000)) {
		sim_diag_error(d, "trace-record", 0, 0, "more than 10^8 operations "
			       "per sample (expected a shorter --interval or a "
			       "longer --op-time)");
		rc = SIM_EINPUT;
	}
	if (o->duration_ns < o->interval_ns) {
		sim_diag_error(d, "trace-record", 0, 0, "--duration shorter than "
			       "one --interval (expected at least one sample)");
		rc = SIM_EINPUT;
	} else if (o->duration_ns / o->interval_ns > UINT64_C(1000000)) {
		sim_diag_error(d, "trace-record", 0, 0, "more than 10^6 samples "
			       "(expected a shorter --duration or a longer "
			       "--interval)");
		rc = SIM_EINPUT;
	}
	if (o->burst_every_ns && o->burst_ns > o->burst_every_ns) {
		sim_diag_error(d, "trace-record", 0, 0, "--burst-length longer than "
			       "--burst-every (expected bursts that end before the "
			       "next one starts)");
		rc = SIM_EINPUT;
	}
	if (!(o->burst_factor >= 0 && o->burst_factor <= 100)) {
		sim_diag_error(d, "trace-record", 0, 0, "--burst-factor %g (expected "
			       "0 to 100)", o->burst_factor);
		rc = SIM_EINPUT;
	}
	uint64_t bytes = o->arena_bytes ? o->arena_bytes : w->arena_bytes;
	if (bytes < REC_ARENA_MIN || bytes > REC_ARENA_MAX || bytes % REC_PAGE) {
		sim_diag_error(d, "trace-record", 0, 0, "--memory of %llu bytes does "
			       "not fit the arena (expected a multiple of 4 KiB "
			       "from 1 MiB to 4 GiB)", (unsigned long long)bytes);
		rc = SIM_EINPUT;
	}
	return rc;
}

double rec_param_get(const rec_ctx *c, const char *name)
{
	const rec_workload *w = c->o->w;
	const rec_param *p = param_find(w, name, strlen(name));
	if (!p)
		sim_panic("workload %s has no parameter %s", w->name, name);
	double v = 0;
	const char *why = NULL;
	const char *text = p->def;
	for (size_t i = 0; i < c->o->nsets; i++) {
		const char *s = c->o->sets[i], *eq = strchr(s, '=');
		if (eq && param_find(w, s, (size_t)(eq - s)) == p)
			text = eq + 1;  /* the last one given wins */
	}
	if (param_parse(p, text, &v, &why) != 0)
		sim_panic("parameter %s: '%s' does not parse", name, text);
	return v;
}

int rec_nomem(const rec_ctx *c, const char *what, uint64_t n, sim_diag *d)
{
	sim_diag_error(d, "trace-record", 0, 0, "workload %s: %s does not fit "
		       "in the arena of %llu MiB (a request of %llu bytes failed "
		       "with %llu MiB in use; expected a larger --memory or "
		       "smaller --param sizes)", c->o->w->name, what,
		       (unsigned long long)(c->al.size >> 20),
		       (unsigned long long)n,
		       (unsigned long long)(c->al.in_use >> 20));
	return SIM_EINPUT;
}

/* The level (operations per sample over K) of the run sample starting at
 * tau0 after the load: the ramp read at the sample's middle, times the
 * burst factor when tau0 falls in a burst (bursts start at k x every after
 * the load, k >= 1, and last burst_ns). */
static double level_at(const rec_opts *o, uint64_t tau0)
{
	double lv = 1;
	double mid = (double)tau0 + (double)o->interval_ns / 2;
	if (o->ramp_ns && mid < (double)o->ramp_ns)
		lv = mid / (double)o->ramp_ns;
	if (o->burst_every_ns && tau0 >= o->burst_every_ns &&
	    tau0 % o->burst_every_ns < o->burst_ns)
		lv *= o->burst_factor;
	return lv;
}

int rec_record(const rec_opts *o, trace_pages **out, rec_stats *st,
	       sim_diag *d)
{
	*out = NULL;
	memset(st, 0, sizeof *st);
	int rc = rec_opts_check(o, d);
	if (rc != 0)
		return rc;
	const rec_workload *w = o->w;
	uint64_t bytes = o->arena_bytes ? o->arena_bytes : w->arena_bytes;
	uint64_t op_ns = o->op_ns ? o->op_ns : w->op_ns;
	uint64_t k = o->interval_ns / op_ns;
	rec_arena *a;
	rc = rec_arena_create(bytes, o->mech, &a, &st->note, d);
	if (rc != 0)
		return rc;
	st->mech = rec_arena_mech(a);
	rec_ctx c = {.seed = o->seed, .o = o};
	rec_alloc_init(&c.al, rec_arena_base(a), bytes);
	uint64_t npages = bytes / REC_PAGE;
	uint32_t *pages = sim_xcalloc(npages, sizeof *pages);
	trace_pages_builder *b = trace_pages_builder_create(npages, REC_PAGE,
							    o->interval_ns);
	uint64_t nsamples = o->duration_ns / o->interval_ns;
	rc = w->init(&c, d);
	uint64_t nload = rc == 0 ? w->load_ops(&c) : 0, li = 0;
	uint64_t load_end = 0; /* sample index where the run starts */
	bool loading = true;
	for (uint64_t i = 0; i < nsamples && rc == 0; i++) {
		uint64_t t0 = i * o->interval_ns;
		if (loading) {
			for (uint64_t j = 0; j < k && li < nload && rc == 0; j++)
				rc = w->load(&c, li++, d);
			st->load_ops = li;
			if (li >= nload) {
				loading = false;
				load_end = i + 1;
			}
		} else {
			uint64_t tau0 = t0 - load_end * o->interval_ns;
			uint64_t ce = o->checkpoint_every_ns;
			if (ce && (tau0 + o->interval_ns) / ce > tau0 / ce) {
				rc = w->checkpoint(&c, d);
				st->checkpoints++;
			}
			uint64_t nops = (uint64_t)llround((double)k * level_at(o, tau0));
			for (uint64_t j = 0; j < nops && rc == 0; j++)
				rc = w->op_run(&c, d);
			st->ops += nops;
		}
		size_t n;
		rec_arena_collect(a, pages, &n);
		if (rc == 0)
			trace_pages_builder_add(b, t0 + o->interval_ns, pages, n);
	}
	w->fini(&c);
	st->arena_peak = c.al.peak;
	trace_pages *t = trace_pages_builder_finish(b);
	if (rc == 0)
		*out = t;
	else
		trace_pages_destroy(t);
	free(pages);
	rec_arena_destroy(a);
	return rc;
}
