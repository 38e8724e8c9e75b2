/* SPDX-License-Identifier: MIT */
/*
 * Sandpiper's fast path (sorted windows, cached percentiles and
 * forecasts, the fused pass over the VMs) against its naive path (a sort
 * of every window, one pass per step) on 200 random worlds: the same actions, byte for byte, the
 * same hot flags, needs and projected loads, every interval. The worlds
 * move as the actions say, and their samples repeat often (held traces),
 * so that the caches are both reused and refreshed.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pol_internal.h"
#include "sandpiper_index.h"

#define MIB (1024.0 * 1024.0)
#define MAX_H 24
#define MAX_V 96

/* splitmix64: the worlds' own generator, fixed by the world's number. */
static uint64_t next_u64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unit(uint64_t *x)
{
	return (double)(next_u64(x) >> 11) * 0x1.0p-53;
}

static size_t below(uint64_t *x, size_t n)
{
	return (size_t)(next_u64(x) % n);
}

typedef struct rworld {
	size_t nh, nv;
	pol_host_view h[MAX_H];
	pol_vm_view m[MAX_V];
	double dom0[MAX_H];
	double want_cpu[MAX_V], want_net[MAX_V], rate[MAX_V];
	uint64_t seed;
} rworld;

static const double cpu_levels[] = {0, 0.05, 0.1, 0.2, 0.25, 0.3, 0.45,
				    0.6, 0.8, 1.0};
static const double mem_levels[] = {256, 512, 768, 1024, 1536};

static void build(rworld *w, uint64_t *x)
{
	memset(w, 0, sizeof *w);
	w->nh = 2 + below(x, MAX_H - 1);
	w->nv = 1 + below(x, MAX_V);
	w->seed = next_u64(x);
	for (size_t h = 0; h < w->nh; h++) {
		double cores = (double)(1 + below(x, 4));
		w->h[h] = (pol_host_view){
			.cap = {cores, 1e9, (double)(2048 + 1024 * below(x, 4)) * MIB},
			.power_idle_w = 100, .power_peak_w = 200};
		w->dom0[h] = below(x, 3) == 0 ? 0.05 * cores : 0;
	}
	for (size_t i = 0; i < w->nv; i++) {
		pol_vm_view *m = &w->m[i];
		m->host = (uint32_t)below(x, w->nh);
		m->alloc[POL_CPU] = (double)(1 + below(x, 2));
		m->alloc[POL_NET] = 0;
		m->alloc[POL_MEM] = mem_levels[below(x, 5)] * MIB;
		w->want_cpu[i] = cpu_levels[below(x, 10)];
		w->want_net[i] = below(x, 2) ? 0 : 1e8 * (double)below(x, 5);
		w->rate[i] = 10 * (double)below(x, 8);
	}
}

/* One interval's view: samples held with probability 0.7, else drawn
 * again; a few VMs swap or run an application; hosts' use is the sum of
 * their VMs' plus dom0 (a VM migrating counts on its source only here). */
static void step(rworld *w, uint64_t *x, uint64_t t, bool grey, pol_view *v)
{
	for (size_t h = 0; h < w->nh; h++) {
		w->h[h].used[POL_CPU] = w->dom0[h];
		w->h[h].used[POL_NET] = 0;
		w->h[h].used[POL_MEM] = 0;
	}
	for (size_t i = 0; i < w->nv; i++) {
		pol_vm_view *m = &w->m[i];
		if (unit(x) > 0.7)
			w->want_cpu[i] = cpu_levels[below(x, 10)] *
					 m->alloc[POL_CPU];
		if (unit(x) > 0.8)
			w->want_net[i] = 1e8 * (double)below(x, 5);
		if (unit(x) > 0.7)
			w->rate[i] = 10 * (double)below(x, 8);
		m->cpu = fmin(w->want_cpu[i], m->alloc[POL_CPU]);
		m->net_bps = w->want_net[i];
		m->swap_bps = below(x, 25) == 0 ? 1e6 : 0;
		m->migrating = below(x, 30) == 0;
		m->app = grey && i % 3 == 0;
		m->grey = false;
		m->guest_swap_bps = grey ? m->swap_bps : 0;
		if (m->app) {
			m->arrival_rate = w->rate[i];
			m->interarrival_var_s2 = 1e-4;
			m->service_s = 0.01;
			m->service_var_s2 = 1e-5;
			m->sla_response_s = 0.05;
			m->response_s = below(x, 6) == 0 ? 0.08 : 0.02;
		}
		pol_host_view *hv = &w->h[m->host];
		hv->used[POL_CPU] += m->cpu;
		hv->used[POL_NET] += m->net_bps;
		hv->used[POL_MEM] += m->alloc[POL_MEM];
	}
	*v = (pol_view){.interval = t, .now_ns = (t + 1) * 10000000000ULL,
			.interval_ns = 10000000000ULL, .seed = w->seed,
			.nhosts = w->nh, .nvms = w->nv, .hosts = w->h,
			.vms = w->m};
}

/* Carries the actions out at once (the next view shows them). */
static void apply(rworld *w, const pol_out *o)
{
	for (size_t k = 0; k < o->nactions; k++) {
		const pol_action *a = &o->actions[k];
		if (a->kind == POL_MIGRATE)
			w->m[a->vm].host = a->to;
		else if (a->kind == POL_SWAP) {
			w->m[a->vm].host = a->to;
			w->m[a->vm_b].host = a->from;
		} else if (a->amount < 64) {
			w->m[a->vm].alloc[a->resource] = a->amount;
		}
	}
}

static pol_params random_params(uint64_t *x, sp_variant *variant)
{
	pol_params p;
	pol_params_default(&p);
	p.n = 1 + below(x, 6);
	p.k = 1 + below(x, p.n);
	p.window = p.n + below(x, 10);
	p.sla_k = 1 + below(x, p.n);
	static const double pct[] = {0, 0.5, 0.9, 0.95, 1.0};
	p.percentile = pct[below(x, 5)];
	static const double thr[] = {0.5, 0.6, 0.75, 0.9};
	p.threshold = thr[below(x, 4)];
	p.clamp_phi = below(x, 2);
	p.mode = below(x, 3) == 0 ? POL_GREY_BOX : POL_BLACK_BOX;
	p.swaps = below(x, 4) != 0;
	p.resize = below(x, 2);
	p.swap_staging = (int)below(x, 3);
	p.hold_down_ns = 10000000000ULL * below(x, 4);
	*variant = (sp_variant)below(x, 3);
	return p;
}

/* The bytes of an answer: every action's log line and the hot flags. */
static char *answer_text(const pol_out *o, uint64_t now)
{
	size_t cap = 256 + o->nactions * 160 + o->nhosts, n = 0;
	char *buf = malloc(cap);
	for (size_t k = 0; k < o->nactions; k++) {
		char line[256];
		int len = pol_action_format(&o->actions[k], now, line,
					    sizeof line);
		/* The amount too, exactly (the log line rounds it). */
		n += (size_t)snprintf(buf + n, cap - n, "%s%a\n", line,
				      o->actions[k].amount);
		(void)len;
	}
	for (size_t h = 0; h < o->nhosts; h++)
		buf[n++] = o->hot[h] ? 'H' : '.';
	buf[n] = '\0';
	return buf;
}

Test(sandpiper_fast, equals_the_naive_path_on_200_random_worlds)
{
	size_t total_actions = 0, total_moves = 0, total_swaps = 0;
	for (uint64_t world_no = 0; world_no < 200; world_no++) {
		uint64_t x = 0x5eed0000ULL + world_no;
		sp_variant variant;
		pol_params p = random_params(&x, &variant);
		rworld w;
		build(&w, &x);
		sp_state fast, naive;
		memset(&fast, 0, sizeof fast);
		memset(&naive, 0, sizeof naive);
		sim_diag d;
		sim_diag_init(&d);
		cr_assert(eq(int, sp_create(&fast, &p, w.nh, w.nv, variant, &d),
			     0));
		cr_assert(eq(int, sp_create(&naive, &p, w.nh, w.nv, variant,
					    &d), 0));
		sim_diag_fini(&d);
		naive.naive = true;
		pol_out of, on;
		pol_out_init(&of, w.nh);
		pol_out_init(&on, w.nh);
		for (uint64_t t = 0; t < 80; t++) {
			pol_view v;
			step(&w, &x, t, p.mode == POL_GREY_BOX, &v);
			pol_out_clear(&of);
			pol_out_clear(&on);
			sp_observe(&fast, &v);
			sp_decide(&fast, &v, &of);
			sp_observe(&naive, &v);
			sp_decide(&naive, &v, &on);
			cr_assert(eq(int,
				     memcmp(fast.need, naive.need,
					    w.nv * POL_NRES * sizeof(double)),
				     0),
				  "needs differ: world %llu, interval %llu",
				  (unsigned long long)world_no,
				  (unsigned long long)t);
			cr_assert(eq(int,
				     memcmp(fast.load, naive.load,
					    w.nh * POL_NRES * sizeof(double)),
				     0),
				  "loads differ: world %llu, interval %llu",
				  (unsigned long long)world_no,
				  (unsigned long long)t);
			char *a = answer_text(&of, v.now_ns);
			char *b = answer_text(&on, v.now_ns);
			cr_assert(eq(str, a, b), "world %llu, interval %llu",
				  (unsigned long long)world_no,
				  (unsigned long long)t);
			free(a);
			free(b);
			total_actions += on.nactions;
			for (size_t k = 0; k < on.nactions; k++) {
				total_moves += on.actions[k].kind == POL_MIGRATE;
				total_swaps += on.actions[k].kind == POL_SWAP;
			}
			apply(&w, &on);
		}
		pol_out_fini(&of);
		pol_out_fini(&on);
		sp_destroy(&fast);
		sp_destroy(&naive);
	}
	/* The worlds exercised the mitigation, not only detection. */
	cr_assert(gt(sz, total_moves, 100), "%zu migrations", total_moves);
	cr_assert(gt(sz, total_swaps, 0), "%zu swaps", total_swaps);
	cr_assert(gt(sz, total_actions, total_moves + total_swaps));
	cr_log_info("%zu actions: %zu migrations, %zu swaps", total_actions,
		    total_moves, total_swaps);
}

Test(sandpiper_fast, sorted_window_percentile_equals_a_sort)
{
	/* A window of 7 pushed 500 times with values from a small set:
	 * every percentile read from the sorted copy equals the sort. */
	double ring[7], sorted[7], tmp[7], scratch[7];
	uint32_t len = 0, head = 0;
	uint64_t x = 42;
	static const double ps[] = {0, 0.1, 0.5, 0.95, 1.0};
	for (int t = 0; t < 500; t++) {
		double v = (double)below(&x, 4) * 0.25;
		bool full = len == 7;
		sp_sorted_push(sorted, len, full, ring[head], v);
		ring[head] = v;
		head = (head + 1) % 7;
		len += !full;
		for (uint32_t i = 0; i < len; i++)
			tmp[i] = ring[(head + 7 - len + i) % 7];
		for (size_t k = 0; k < 5; k++)
			cr_assert(eq(dbl, sp_sorted_percentile(sorted, len, ps[k]),
				     pol_percentile(tmp, len, ps[k], scratch)));
	}
}
