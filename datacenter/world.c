/* SPDX-License-Identifier: MIT */
/*
 * Hosts, racks and VMs built from a validated config, and the initial
 * placement of VMs: named hosts first come, first served in config order,
 * then the configured policy for VMs that name none.
 */
#include "dc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long dc_world_find_host(const dc_world *w, const char *name)
{
	/* Accept exactly "rack<R>/host<H>" with canonical decimal numbers, so
	 * that one host has one name ("rack01/host1" is not rack1/host1). */
	unsigned long r, h;
	const char *p = name;
	if (strncmp(p, "rack", 4) != 0)
		return -1;
	p += 4;
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return -1;
	char *end;
	r = strtoul(p, &end, 10);
	if (strncmp(end, "/host", 5) != 0)
		return -1;
	p = end + 5;
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return -1;
	h = strtoul(p, &end, 10);
	if (*end != '\0')
		return -1;
	uint64_t per = w->cfg->datacenter.hosts_per_rack;
	if (r >= w->cfg->datacenter.racks || h >= per)
		return -1;
	return (long)(r * per + h);
}

static bool fits(const dc_host *h, const dc_vm_cfg *vm)
{
	return h->memory_bytes - h->memory_committed_bytes >= vm->memory_bytes;
}

static long choose_host(const dc_world *w, const dc_vm_cfg *vm)
{
	long best = -1;
	for (size_t i = 0; i < w->nhosts; i++) {
		const dc_host *h = &w->hosts[i];
		if (!fits(h, vm))
			continue;
		if (w->cfg->datacenter.placement == DC_PLACE_FIRST_FIT)
			return (long)i;
		uint64_t free_i = h->memory_bytes - h->memory_committed_bytes;
		if (best < 0 ||
		    free_i > w->hosts[best].memory_bytes -
				     w->hosts[best].memory_committed_bytes)
			best = (long)i;
	}
	return best;
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
	dc_world *w = sim_xcalloc(1, sizeof *w);
	w->cfg = c;
	w->nhosts = (size_t)(c->datacenter.racks * c->datacenter.hosts_per_rack);
	w->hosts = sim_xcalloc(w->nhosts, sizeof *w->hosts);
	for (size_t i = 0; i < w->nhosts; i++) {
		dc_host *h = &w->hosts[i];
		h->rack = (uint32_t)(i / c->datacenter.hosts_per_rack);
		h->index = (uint32_t)i;
		snprintf(h->name, sizeof h->name, "rack%" PRIu32 "/host%" PRIu64,
			 h->rack, (uint64_t)(i % c->datacenter.hosts_per_rack));
		h->cpus = c->datacenter.host.cpus;
		h->memory_bytes = c->datacenter.host.memory_bytes;
		h->nic_bps = c->datacenter.host.nic_bps;
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
		if (hi < 0) {
			cfg_error(d, vm->host_node,
				  "vms[].host: no host '%s' (expected rackR/hostH "
				  "with R < %llu and H < %llu)",
				  vm->host, (unsigned long long)c->datacenter.racks,
				  (unsigned long long)c->datacenter.hosts_per_rack);
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
	for (size_t i = 0; i < c->nvms; i++) {
		const dc_vm_cfg *vm = &c->vms[i];
		if (vm->host[0] != '\0')
			continue;
		long hi = choose_host(w, vm);
		if (hi < 0) {
			cfg_error(d, vm->node,
				  "VM '%s' (%llu bytes of memory) fits on no host "
				  "(expected a host with room: add hosts or memory)",
				  vm->name, (unsigned long long)vm->memory_bytes);
			continue;
		}
		commit(w, i, hi, true);
	}
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
	free(w->hosts);
	free(w->vms);
	free(w);
}
