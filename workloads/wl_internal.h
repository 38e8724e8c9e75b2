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

#endif /* VDCSIM_WL_INTERNAL_H */
