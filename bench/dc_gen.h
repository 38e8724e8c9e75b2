/* SPDX-License-Identifier: MIT */
/*
 * Generators of bench/dc_scale's experiments (dc_gen.c): plain YAML text,
 * so that configs/scale/migrations-10k.yaml is exactly what the bench
 * writes.
 */
#ifndef VDCSIM_DC_GEN_H
#define VDCSIM_DC_GEN_H

#include <stdio.h>

/* The shape of dc_gen_scale's datacenter for nvms VMs: nvms/10 hosts
 * (at least 1) in racks of 20 (or one rack of fewer), rounded up to whole
 * racks. */
void dc_gen_scale_shape(unsigned long nvms, unsigned long *racks,
			unsigned long *per_rack);
/* Writes the scale experiment of nvms VMs to f: the hosts of
 * dc_gen_scale_shape, 10 VMs of 4 GiB a host by worst-fit (hosts of
 * 64 GiB), an hour sampled every 10 s, one statistical pre-copy per 10
 * VMs, started over the first 3,000 s. Cost: O(nvms) lines. */
void dc_gen_scale(FILE *f, unsigned long nvms);

/* The wave experiments: racks of DC_GEN_HOSTS_PER_RACK hosts, a wave
 * every DC_GEN_WAVE_S seconds, DC_GEN_TAIL_S seconds after the last. */
#define DC_GEN_HOSTS_PER_RACK 20
#define DC_GEN_WAVE_S 10
#define DC_GEN_TAIL_S 30
/* configs/scale/migrations-10k.yaml is dc_gen_waves(f, 10, 50). */
#define DC_GEN_10K_RACKS 10
#define DC_GEN_10K_WAVES 50
/* Writes a wave experiment to f: racks x 20 hosts with `waves` VMs of
 * 1 GiB each, every one migrated once: in wave w each host sends its VM
 * w to the same host of the next rack (QEMU's rule, 30 ms downtime limit).
 * waves <= 100 (two-digit names). */
void dc_gen_waves(FILE *f, unsigned racks, unsigned waves);

#endif /* VDCSIM_DC_GEN_H */
