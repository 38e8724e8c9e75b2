/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the files of workloads/ and by nothing outside it:
 * the region a uniform or Zipf generator writes, which the checks, the
 * generators and the expected-dirtying formulas must agree on.
 */
#ifndef VDCSIM_WL_INTERNAL_H
#define VDCSIM_WL_INTERNAL_H

#include "wl.h"

/* The largest VM a page index of 32 bits can address (traces use them). */
#define WL_MAX_PAGES (UINT64_C(1) << 32)

/* The region [*first, *first + *count) written by a uniform or Zipf
 * generator of p on a VM of `pages` pages; p->pages = 0 means "to the end
 * of the VM". Assumes p->offset < pages (wl_pages_check). */
void wl_region(const wl_pages_params *p, uint64_t pages, uint64_t *first,
	       uint64_t *count);

/* Time structure (phases.c). Checks ph against a VM of `pages` pages and
 * the base generator p: swing in [0, 1) with a period, bursts' timing and
 * regions inside the VM, shifts only for a hot set, with the moved hot set
 * inside the VM. Reports at `what`; 0 or SIM_EINPUT. */
int wl_phases_check(const wl_pages_params *p, uint64_t pages,
		    const char *what, sim_diag *d);
/* ∫ (1 + swing·sin(2πt/T)) dt over [t0, t1) in seconds (t1 − t0 when
 * ph is NULL or has no swing). */
double wl_phases_swing_s(const wl_phases *ph, uint64_t t0_ns, uint64_t t1_ns);
/* The first time after t_ns where a burst starts or ends or the hot set
 * moves (UINT64_MAX if none): between two such times the structure is
 * constant but for the swing. */
uint64_t wl_phases_next_change(const wl_phases *ph, uint64_t t_ns);
/* Whether event train b is on at t_ns. */
bool wl_burst_on(const wl_burst *b, uint64_t t_ns);
/* The hot set's first page at t_ns (p->offset without shifts). */
uint64_t wl_phases_hot_offset(const wl_pages_params *p, uint64_t t_ns);

#endif /* VDCSIM_WL_INTERNAL_H */
