/* SPDX-License-Identifier: MIT */
/*
 * A tiny scripted datacenter for the policy tests: hosts and VMs with the
 * reference's oracle units (1.0 CPU, 1.0 NIC as 1 Gbit/s, 4096 MiB per
 * host), a view of it, and an "apply" that carries out a policy's actions
 * the way the datacenter will (moves and resizes take effect by the next
 * view). Header-only: each test program includes it once.
 */
#ifndef TEST_POL_WORLD_H
#define TEST_POL_WORLD_H

#include <string.h>

#include "pol.h"

#define MIB (1024.0 * 1024.0)
#define NIC 1e9
#define W_HOSTS 8
#define W_VMS 16
#define STEP_NS UINT64_C(10000000000)

typedef struct world {
	pol_host_view h[W_HOSTS];
	pol_vm_view m[W_VMS];
	double fill[W_HOSTS][POL_NRES]; /* host use beyond its VMs */
	size_t nh, nm;
	uint64_t interval;
} world;

static inline uint32_t w_host(world *w, double cpu, double mem_mib)
{
	uint32_t i = (uint32_t)w->nh++;
	w->h[i] = (pol_host_view){.cap = {1.0, NIC, 4096 * MIB},
				  .power_idle_w = 100, .power_peak_w = 200};
	w->fill[i][POL_CPU] = cpu;
	w->fill[i][POL_MEM] = mem_mib * MIB;
	return i;
}

static inline uint32_t w_vm(world *w, uint32_t host, double cpu,
			    double mem_mib)
{
	uint32_t i = (uint32_t)w->nm++;
	w->m[i] = (pol_vm_view){.host = host, .cpu = cpu,
				.alloc = {1.0, 0, mem_mib * MIB}};
	return i;
}

/* Recomputes host aggregates and returns the view of this interval. */
static inline pol_view w_view(world *w)
{
	for (size_t h = 0; h < w->nh; h++)
		for (int r = 0; r < POL_NRES; r++)
			w->h[h].used[r] = w->fill[h][r];
	for (size_t i = 0; i < w->nm; i++) {
		pol_host_view *h = &w->h[w->m[i].host];
		h->used[POL_CPU] += w->m[i].cpu;
		h->used[POL_NET] += w->m[i].net_bps;
		h->used[POL_MEM] += w->m[i].alloc[POL_MEM];
	}
	return (pol_view){.interval = w->interval,
			  .now_ns = (w->interval + 1) * STEP_NS,
			  .interval_ns = STEP_NS, .seed = 42,
			  .nhosts = w->nh, .nvms = w->nm, .hosts = w->h,
			  .vms = w->m};
}

/* Carries out the actions (instantly: the next view shows them). */
static inline void w_apply(world *w, const pol_out *o)
{
	for (size_t k = 0; k < o->nactions; k++) {
		const pol_action *a = &o->actions[k];
		switch (a->kind) {
		case POL_MIGRATE:
			w->m[a->vm].host = a->to;
			break;
		case POL_SWAP:
			w->m[a->vm].host = a->to;
			w->m[a->vm_b].host = a->from;
			break;
		case POL_RESIZE:
			w->m[a->vm].alloc[a->resource] = a->amount;
			break;
		}
	}
	w->interval++;
}

#endif
