/* SPDX-License-Identifier: MIT */
/*
 * The control interface's plumbing: answers (pol_out), the action log
 * format, the registry of policies and a running policy instance. The
 * decisions themselves are in sandpiper*.c, baselines.c and beloglazov*.c.
 */
#include "pol_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pol_out_init(pol_out *o, size_t nhosts)
{
	memset(o, 0, sizeof *o);
	o->nhosts = nhosts;
	o->hot = sim_xcalloc(nhosts ? nhosts : 1, 1);
}

void pol_out_fini(pol_out *o)
{
	free(o->actions);
	free(o->hot);
	memset(o, 0, sizeof *o);
}

void pol_out_clear(pol_out *o)
{
	o->nactions = 0;
	if (o->nhosts)
		memset(o->hot, 0, o->nhosts);
}

void pol_out_push(pol_out *o, const pol_action *a)
{
	if (o->nactions == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 16;
		o->actions = sim_xrealloc(o->actions, o->cap, sizeof *a);
	}
	o->actions[o->nactions++] = *a;
}

const char *pol_action_kind_name(pol_action_kind k)
{
	switch (k) {
	case POL_MIGRATE: return "migrate";
	case POL_SWAP: return "swap";
	case POL_RESIZE: return "resize";
	}
	return "?";
}

const char *pol_reason_name(pol_reason r)
{
	static const char *const names[POL_REASON_COUNT] = {
		"hotspot", "sla", "memory", "provision", "overload",
		"underload"};
	return (unsigned)r < POL_REASON_COUNT ? names[r] : "?";
}

static const char *const resource_names[POL_NRES] = {"cpu", "net", "mem"};

/* Ids print as decimal, "none" for POL_NONE; amounts with %.17g, which
 * round-trips a double, so the same action always gives the same bytes. */
int pol_action_format(const pol_action *a, uint64_t now_ns, char *buf,
		      size_t n)
{
	const char *kind = pol_action_kind_name(a->kind);
	const char *why = pol_reason_name(a->reason);
	switch (a->kind) {
	case POL_MIGRATE:
		return snprintf(buf, n,
				"%" PRIu64 " migrate vm=%" PRIu32
				" from=%" PRIu32 " to=%" PRIu32 " reason=%s\n",
				now_ns, a->vm, a->from, a->to, why);
	case POL_SWAP:
		if (a->stage == POL_NONE)
			return snprintf(buf, n,
					"%" PRIu64 " swap vm=%" PRIu32
					" host=%" PRIu32 " with vm=%" PRIu32
					" host=%" PRIu32 " first=%" PRIu32
					" reason=%s\n",
					now_ns, a->vm, a->from, a->vm_b, a->to,
					a->b_first ? a->vm_b : a->vm, why);
		return snprintf(buf, n,
				"%" PRIu64 " swap vm=%" PRIu32 " host=%" PRIu32
				" with vm=%" PRIu32 " host=%" PRIu32
				" stage=%" PRIu32 " reason=%s\n",
				now_ns, a->vm, a->from, a->vm_b, a->to,
				a->stage, why);
	case POL_RESIZE:
		return snprintf(buf, n,
				"%" PRIu64 " resize vm=%" PRIu32
				" host=%" PRIu32 " %s=%.17g reason=%s\n",
				now_ns, a->vm, a->from,
				(unsigned)a->resource < POL_NRES
					? resource_names[a->resource]
					: "?",
				a->amount, why);
	}
	return snprintf(buf, n, "%" PRIu64 " %s\n", now_ns, kind);
}

/* ---- registry ---------------------------------------------------------- */

/* The order is the CFG_T_ENUM order of the "policy.name" parameter
 * (pol_params.c checks that they agree). */
static const pol_ops *const all_ops[] = {
	&pol_none_ops,    &pol_sandpiper_ops, &pol_threshold_ops,
	&pol_random_ops,  &pol_bb_thr_ops,    &pol_bb_mad_ops,
	&pol_bb_iqr_ops,  &pol_bb_lr_ops,
};
_Static_assert(sizeof all_ops / sizeof all_ops[0] == POL_KIND_COUNT,
	       "one ops table per policy kind");

const pol_ops *pol_ops_at(size_t i)
{
	return i < POL_KIND_COUNT ? all_ops[i] : NULL;
}

const pol_ops *pol_ops_find(const char *name)
{
	for (size_t i = 0; name && i < POL_KIND_COUNT; i++)
		if (strcmp(all_ops[i]->name, name) == 0)
			return all_ops[i];
	return NULL;
}

/* ---- a running policy -------------------------------------------------- */

struct pol_policy {
	const pol_ops *ops;
	size_t nhosts, nvms;
	void *state;
};

pol_policy *pol_policy_create(const pol_ops *ops, const pol_params *p,
			      size_t nhosts, size_t nvms, sim_diag *d)
{
	pol_policy *pol = sim_xcalloc(1, sizeof *pol);
	pol->ops = ops;
	pol->nhosts = nhosts;
	pol->nvms = nvms;
	pol->state = sim_xcalloc(1, ops->state_size ? ops->state_size : 1);
	if (ops->create(pol->state, p, nhosts, nvms, d) != 0) {
		free(pol->state);
		free(pol);
		return NULL;
	}
	return pol;
}

void pol_policy_destroy(pol_policy *pol)
{
	if (!pol)
		return;
	pol->ops->destroy(pol->state);
	free(pol->state);
	free(pol);
}

void pol_policy_step(pol_policy *pol, const pol_view *v, pol_out *out)
{
	if (v->nhosts != pol->nhosts || v->nvms != pol->nvms ||
	    out->nhosts != pol->nhosts)
		sim_panic("policy %s made for %zu hosts and %zu VMs got a view "
			  "of %zu and %zu", pol->ops->name, pol->nhosts,
			  pol->nvms, v->nhosts, v->nvms);
	for (size_t i = 0; i < v->nvms; i++)
		if (v->vms[i].host >= v->nhosts)
			sim_panic("VM %zu on host %" PRIu32 " of %zu", i,
				  v->vms[i].host, v->nhosts);
	pol_out_clear(out);
	pol->ops->observe(pol->state, v);
	pol->ops->decide(pol->state, v, out);
}

const pol_ops *pol_policy_ops(const pol_policy *pol)
{
	return pol->ops;
}

/* ---- the "none" policy -------------------------------------------------- */

/* No state, no history, no action: the baseline that shows what the
 * workload does to hosts left alone. */
static int none_create(void *state, const pol_params *p, size_t nhosts,
		       size_t nvms, sim_diag *d)
{
	(void)state;
	(void)p;
	(void)nhosts;
	(void)nvms;
	(void)d;
	return 0;
}

static void none_observe(void *state, const pol_view *v)
{
	(void)state;
	(void)v;
}

static void none_decide(void *state, const pol_view *v, pol_out *out)
{
	(void)state;
	(void)v;
	(void)out;
}

static void none_destroy(void *state)
{
	(void)state;
}

const pol_ops pol_none_ops = {
	.name = "none",
	.doc = "no policy: never detects, never acts",
	.state_size = 0,
	.create = none_create,
	.observe = none_observe,
	.decide = none_decide,
	.destroy = none_destroy,
};
