/* SPDX-License-Identifier: MIT */
/*
 * Private to the recorder's workloads (workloads/rec_*.c).
 */
#ifndef VDCSIM_REC_INTERNAL_H
#define VDCSIM_REC_INTERNAL_H

#include "rec.h"

extern const rec_workload rec_wl_oltp, rec_wl_cache, rec_wl_zlib,
	rec_wl_munch;

/* Reports that `what` (a request of n bytes) did not fit in the arena:
 * SIM_EINPUT with the arena's size, what is carved, and what to change. */
int rec_nomem(const rec_ctx *c, const char *what, uint64_t n, sim_diag *d);

#endif /* VDCSIM_REC_INTERNAL_H */
