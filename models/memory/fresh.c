/* SPDX-License-Identifier: MIT */
/*
 * Fresh-page dirtying: a guest whose every write goes to a page of its
 * working set not written before, at a rate ([Liu11]'s geometric
 * model) or at a share of the migration speed (SimGrid's model, Hirofuchi,
 * Lebre & Pouilloux, IEEE CloudCom 2013; [Hirofuchi13]). mem.h states it.
 */
#include "mem.h"

#include <math.h>

bool mem_dirtying_is_fresh(const mem_dirtying_cfg *c)
{
	return c->fresh_rate_bps > 0 || c->intensity > 0;
}

double mem_fresh_bytes_per_s(const mem_dirtying_cfg *c, uint64_t mig_rate_bps)
{
	double bps = c->fresh_rate_bps > 0
			     ? (double)c->fresh_rate_bps
			     : c->intensity * (double)mig_rate_bps;
	return bps / 8 * c->cpu_share;
}

uint64_t mem_working_set_pages(const mem_dirtying_cfg *c,
			       uint64_t memory_bytes)
{
	uint64_t pages = mem_pages_of_bytes(memory_bytes, c->page_size_bytes);
	if (!(c->working_set > 0))
		return pages; /* a struct not loaded from the table */
	double w = ceil(c->working_set * (double)pages);
	if (!(w >= 1))
		return 1;
	return w < (double)pages ? (uint64_t)w : pages;
}

/* The key's node in map, or map itself (or NULL) when it is absent. */
static const cfg_node *at(const cfg_node *map, const char *key)
{
	const cfg_node *n = map ? cfg_map_get(map, key) : NULL;
	return n ? n : map;
}

int mem_dirtying_check(const mem_dirtying_cfg *c, const cfg_node *map,
		       const char *what, sim_diag *d)
{
	bool hotcold = c->hot_set_bytes > 0 || c->hot_writes_per_s > 0 ||
		       c->cold_writes_per_s > 0;
	int rc = 0;
	if (c->fresh_rate_bps > 0 && hotcold) {
		cfg_error(d, at(map, "fresh_rate"),
			  "%s.fresh_rate: together with hot_set, hot_rate or "
			  "cold_rate (expected either fresh_rate or the "
			  "hot/cold model)",
			  what);
		rc = SIM_EINPUT;
	}
	if (c->intensity > 0 && (hotcold || c->fresh_rate_bps > 0)) {
		cfg_error(d, at(map, "intensity"),
			  "%s.intensity: together with %s (expected one model: "
			  "intensity, fresh_rate or the hot/cold rates)",
			  what, hotcold ? "hot_set, hot_rate or cold_rate"
					: "fresh_rate");
		rc = SIM_EINPUT;
	}
	if (!mem_dirtying_is_fresh(c)) {
		static const char *const keys[] = {"working_set", "cpu_share"};
		for (int i = 0; i < 2; i++) {
			const cfg_node *n = map ? cfg_map_get(map, keys[i])
						: NULL;
			if (!n)
				continue;
			cfg_error(d, n,
				  "%s.%s: without fresh_rate or intensity "
				  "(expected it only with a rate of fresh "
				  "pages; the hot/cold model has its own "
				  "hot_set)",
				  what, keys[i]);
			rc = SIM_EINPUT;
		}
	}
	return rc;
}
