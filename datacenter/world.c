/* SPDX-License-Identifier: MIT */
/*
 * Hosts, racks and VMs built from a validated config, on the fabric
 * topology of models/network, and the initial placement of VMs: named
 * hosts first come, first served in config order, then the configured
 * policy for VMs that name none.
 */
#include "dc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long dc_world_find_host(const dc_world *w, const char *name)
{
	/* The topology names every node once ("rack1/host2", or with several
	 * datacenters "dc0/rack1/host2"), so exact lookup keeps one name per
	 * host; hosts are its first nodes. */
	long id = net_topo_node_find(w->topo, name);
	if (id < 0 || (size_t)id >= w->nhosts)
		return -1;
	return id;
}

static bool fits(const dc_host *h, const dc_vm_cfg *vm)
{
	return h->memory_bytes - h->memory_committed_bytes >= vm->memory_bytes;
}

/* A max tree over the hosts' free memory (leaves in host order, padded
 * with 0 to a power of two), so that a policy finds its host in
 * O(log hosts): first-fit is the leftmost leaf with room, worst-fit the
 * leftmost leaf holding the maximum, which is the first host of those
 * with the most free memory. */
typedef struct free_tree {
	uint64_t *max; /* node k's children are 2k and 2k+1; leaves at n.. */
	size_t n;      /* leaves */
} free_tree;

static uint64_t free_of(const dc_host *h)
{
	return h->memory_bytes - h->memory_committed_bytes;
}

static void tree_init(free_tree *t, const dc_world *w)
{
	t->n = 1;
	while (t->n < w->nhosts)
		t->n *= 2;
	t->max = sim_xcalloc(2 * t->n, sizeof *t->max);
	for (size_t i = 0; i < w->nhosts; i++)
		t->max[t->n + i] = free_of(&w->hosts[i]);
	for (size_t k = t->n - 1; k >= 1; k--)
		t->max[k] = t->max[2 * k] > t->max[2 * k + 1] ? t->max[2 * k]
							       : t->max[2 * k + 1];
}

static void tree_set(free_tree *t, size_t host, uint64_t free_bytes)
{
	size_t k = t->n + host;
	t->max[k] = free_bytes;
	for (k /= 2; k >= 1; k /= 2)
		t->max[k] = t->max[2 * k] > t->max[2 * k + 1] ? t->max[2 * k]
							       : t->max[2 * k + 1];
}

static long choose_host(const dc_world *w, const free_tree *t,
			const dc_vm_cfg *vm)
{
	uint64_t need = vm->memory_bytes;
	if (t->max[1] < need)
		return -1;
	bool first_fit = w->cfg->datacenter.placement == DC_PLACE_FIRST_FIT;
	/* First-fit: go left whenever the left subtree has room. Worst-fit:
	 * go left whenever the left subtree holds the maximum. */
	uint64_t want = first_fit ? need : t->max[1];
	size_t k = 1;
	while (k < t->n)
		k = t->max[2 * k] >= want ? 2 * k : 2 * k + 1;
	return (long)(k - t->n);
}

static void commit(dc_world *w, size_t vi, long hi, bool by_policy)
{
	dc_host *h = &w->hosts[hi];
	const dc_vm_cfg *vc = &w->cfg->vms[vi];
	dc_vm *vm = &w->vms[vi];
	vm->name = vc->name;
	vm->host = (uint32_t)hi;
	vm->vcpus = vc->vcpus;
	vm->memory_bytes = vc->memory_bytes;
	vm->placed_by_policy = by_policy;
	h->vcpus_committed += vc->vcpus;
	h->memory_committed_bytes += vc->memory_bytes;
	h->nvms++;
}

int dc_world_build(const dc_config *c, dc_world **out, sim_diag *d)
{
	*out = NULL;
	const net_dc_params *np = &c->datacenter.network;
	net_topo *topo = NULL;
	if (dc_topology_build(c, &topo, d) != 0)
		return SIM_EINPUT;
	dc_world *w = sim_xcalloc(1, sizeof *w);
	w->cfg = c;
	w->topo = topo;
	w->nhosts = (size_t)c->datacenter.nhosts;
	w->hosts = sim_xcalloc(w->nhosts ? w->nhosts : 1, sizeof *w->hosts);
	size_t next = 0;
	for (uint64_t dcx = 0; dcx < np->datacenters; dcx++)
		for (uint64_t r = 0; r < c->datacenter.racks; r++) {
			const dc_host_cfg *hc = dc_config_rack_host(c, r);
			const dc_rack_cfg *rc = c->datacenter.rack_list
							? &c->datacenter.rack_list[r]
							: NULL;
			const char *kind = rc && rc->kind[0] ? rc->kind
							     : "default";
			for (uint64_t k = 0; k < dc_config_rack_hosts(c, r);
			     k++, next++) {
				dc_host *h = &w->hosts[next];
				h->datacenter = (uint32_t)dcx;
				h->rack = (uint32_t)r;
				h->index = (uint32_t)next;
				h->kind = kind;
				snprintf(h->name, sizeof h->name, "%s",
					 net_topo_node_name(topo, (uint32_t)next));
				h->cpus = hc->cpus;
				h->memory_bytes = hc->memory_bytes;
				h->nic_bps = hc->nic_bps;
				h->power_idle_w = hc->power_idle_w;
				h->power_peak_w = hc->power_peak_w;
			}
		}
	w->nvms = c->nvms;
	w->vms = sim_xcalloc(w->nvms ? w->nvms : 1, sizeof *w->vms);

	unsigned before = d->errors;
	/* Pinned VMs first, so that a policy never takes the room a named
	 * placement was promised. */
	for (size_t i = 0; i < c->nvms; i++) {
		const dc_vm_cfg *vm = &c->vms[i];
		if (vm->host[0] == '\0')
			continue;
		long hi = dc_world_find_host(w, vm->host);
		if (hi < 0 && c->datacenter.rack_list) {
			cfg_error(d, vm->host_node,
				  "vms[].host: no host '%s' (expected %srackR/"
				  "hostH with R < %llu and H below the hosts: of "
				  "rack R in datacenter.racks)",
				  vm->host, np->datacenters > 1 ? "dcD/" : "",
				  (unsigned long long)c->datacenter.racks);
			continue;
		}
		if (hi < 0) {
			if (np->datacenters > 1)
				cfg_error(d, vm->host_node,
					  "vms[].host: no host '%s' (expected "
					  "dcD/rackR/hostH with D < %llu, R < %llu "
					  "and H < %llu)",
					  vm->host,
					  (unsigned long long)np->datacenters,
					  (unsigned long long)np->racks,
					  (unsigned long long)np->hosts_per_rack);
			else
				cfg_error(d, vm->host_node,
					  "vms[].host: no host '%s' (expected "
					  "rackR/hostH with R < %llu and H < %llu)",
					  vm->host, (unsigned long long)np->racks,
					  (unsigned long long)np->hosts_per_rack);
			continue;
		}
		if (!fits(&w->hosts[hi], vm)) {
			cfg_error(d, vm->host_node,
				  "vms[].host: VM '%s' needs %llu bytes of memory but "
				  "host '%s' has %llu free (expected a host with room)",
				  vm->name, (unsigned long long)vm->memory_bytes,
				  vm->host,
				  (unsigned long long)(w->hosts[hi].memory_bytes -
						       w->hosts[hi].memory_committed_bytes));
			continue;
		}
		commit(w, i, hi, false);
	}
	free_tree tree;
	tree_init(&tree, w);
	for (size_t i = 0; i < c->nvms; i++) {
		const dc_vm_cfg *vm = &c->vms[i];
		if (vm->host[0] != '\0')
			continue;
		long hi = choose_host(w, &tree, vm);
		if (hi < 0) {
			cfg_error(d, vm->node,
				  "VM '%s' (%llu bytes of memory) fits on no host "
				  "(expected a host with room: add hosts or memory)",
				  vm->name, (unsigned long long)vm->memory_bytes);
			continue;
		}
		commit(w, i, hi, true);
		tree_set(&tree, (size_t)hi, free_of(&w->hosts[hi]));
	}
	free(tree.max);
	if (d->errors != before) {
		dc_world_destroy(w);
		return SIM_EINPUT;
	}
	*out = w;
	return 0;
}

void dc_world_destroy(dc_world *w)
{
	if (!w)
		return;
	net_topo_destroy(w->topo);
	free(w->hosts);
	free(w->vms);
	free(w);
}
