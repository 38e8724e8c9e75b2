/* SPDX-License-Identifier: MIT */
/*
 * The hot set + cold writes model of memory dirtying in expected page
 * counts: the statistical fidelity, for runs with too many VMs to keep a
 * bitmap each. mem.h states the assumptions and derives the formulas; the
 * page-exact log checks them in tests/models/memory.
 */
#include "mem.h"

#include <math.h>

static void check_model(const mem_hotcold *m, const char *who)
{
	if (m->pages == 0 || m->hot_pages > m->pages ||
	    m->hot_offset > m->pages - m->hot_pages)
		sim_panic("%s: hot set of %llu pages at page %llu in %llu "
			  "pages", who, (unsigned long long)m->hot_pages,
			  (unsigned long long)m->hot_offset,
			  (unsigned long long)m->pages);
	if (!isfinite(m->hot_writes_per_s) || m->hot_writes_per_s < 0 ||
	    !isfinite(m->cold_writes_per_s) || m->cold_writes_per_s < 0)
		sim_panic("%s: write rates %g and %g writes/s", who,
			  m->hot_writes_per_s, m->cold_writes_per_s);
}

/* λT of one page of a class of `pages` pages receiving `writes_per_s`. A
 * class with no pages has no writes: its rate is irrelevant. */
static double page_exposure(double writes_per_s, uint64_t pages, double t_s)
{
	return pages ? writes_per_s / (double)pages * t_s : 0;
}

/* 1 − e^{−x}, the probability that a page with exposure x is written;
 * expm1 keeps it exact for the tiny exposures of cold pages. */
static double p_written(double x)
{
	return -expm1(-x);
}

/* φ(x) = (1 − e^{−x})/x, the mean of e^{−λτ} over τ uniform on [0, T)
 * with x = λT: the fraction of a class not yet written when its turn
 * comes. */
static double phi(double x)
{
	return x > 0 ? p_written(x) / x : 1;
}

static double seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

mem_pageset mem_hotcold_dirtied(const mem_hotcold *m, uint64_t window_ns)
{
	check_model(m, "mem_hotcold_dirtied");
	double t_s = seconds(window_ns);
	uint64_t cold = m->pages - m->hot_pages;
	double xh = page_exposure(m->hot_writes_per_s, m->hot_pages, t_s);
	double xc = page_exposure(m->cold_writes_per_s, cold, t_s);
	return (mem_pageset){
		.hot_pages = (double)m->hot_pages * p_written(xh),
		.cold_pages = (double)cold * p_written(xc),
	};
}

double mem_hotcold_dirtied_pages(const mem_hotcold *m, uint64_t window_ns)
{
	mem_pageset d = mem_hotcold_dirtied(m, window_ns);
	return d.hot_pages + d.cold_pages;
}

mem_round_est mem_hotcold_round(const mem_hotcold *m, mem_pageset send,
				uint64_t round_ns)
{
	check_model(m, "mem_hotcold_round");
	uint64_t cold = m->pages - m->hot_pages;
	if (!(send.hot_pages >= 0 && send.hot_pages <= (double)m->hot_pages &&
	      send.cold_pages >= 0 && send.cold_pages <= (double)cold))
		sim_panic("mem_hotcold_round: to-send set of %g hot and %g "
			  "cold pages in a model of %llu hot and %llu cold",
			  send.hot_pages, send.cold_pages,
			  (unsigned long long)m->hot_pages,
			  (unsigned long long)cold);
	double t_s = seconds(round_ns);
	double xh = page_exposure(m->hot_writes_per_s, m->hot_pages, t_s);
	double xc = page_exposure(m->cold_writes_per_s, cold, t_s);
	mem_round_est e;
	e.sent.hot_pages = send.hot_pages * phi(xh);
	e.sent.cold_pages = send.cold_pages * phi(xc);
	e.skipped.hot_pages = send.hot_pages - e.sent.hot_pages;
	e.skipped.cold_pages = send.cold_pages - e.sent.cold_pages;
	/* φ(x) − e^{−x} >= 0 in exact arithmetic (the mean of e^{−λτ} over
	 * [0, T) is at least its value at T); rounding could dip below. */
	e.wasted.hot_pages = send.hot_pages * fmax(0, phi(xh) - exp(-xh));
	e.wasted.cold_pages = send.cold_pages * fmax(0, phi(xc) - exp(-xc));
	e.dirtied = mem_hotcold_dirtied(m, round_ns);
	return e;
}

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

static const cfg_param dirtying_params[] = {
	{.name = "page_size", .type = CFG_T_POW2, .def = "4KiB",
	 .min = "512B", .max = "1GiB",
	 .offset = offsetof(mem_dirtying_cfg, page_size_bytes),
	 .doc = "guest page size (x86: 4KiB)"},
	{.name = "hot_set", .type = CFG_T_BYTES, .def = "0B", .min = "0B",
	 .offset = offsetof(mem_dirtying_cfg, hot_set_bytes),
	 .doc = "size of the hot set that takes hot_rate (capped at the "
		"VM's memory)"},
	{.name = "hot_rate", .type = CFG_T_FLOAT, .def = "0", .min = "0",
	 .offset = offsetof(mem_dirtying_cfg, hot_writes_per_s),
	 .doc = "page writes per second into the hot set, each to a uniform "
		"hot page"},
	{.name = "cold_rate", .type = CFG_T_FLOAT, .def = "0", .min = "0",
	 .offset = offsetof(mem_dirtying_cfg, cold_writes_per_s),
	 .doc = "page writes per second into the rest of memory, each to a "
		"uniform cold page"},
	/* [Liu11], [Akoush10]: the geometric model's dirty rate D,
	 * every write to a clean page (so min(M, D·T/P) pages in T). */
	{.name = "fresh_rate", .type = CFG_T_RATE, .def = "0bit/s",
	 .min = "0bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mem_dirtying_cfg, fresh_rate_bps),
	 .doc = "instead of hot/cold: memory dirtied at this rate, every "
		"write to a clean page of the working set (the geometric "
		"model, e.g. 64MiB/s; statistical fidelity only)"},
	/* SimGrid's dp_intensity (Hirofuchi, Lebre & Pouilloux, IEEE
	 * CloudCom 2013; [Hirofuchi13]): bytes dirtied per flop executed,
	 * set so that a VM at full speed dirties this share of its
	 * migration speed. Above 100% pre-copy cannot converge (λ >= 1). */
	{.name = "intensity", .type = CFG_T_PERCENT, .def = "0%",
	 .min = "0%", .max = "100000%",
	 .offset = offsetof(mem_dirtying_cfg, intensity),
	 .doc = "instead of hot/cold or fresh_rate: fresh pages dirtied at "
		"this share of the migration's max_rate, scaled by cpu_share "
		"(SimGrid's dp_intensity, Hirofuchi et al. CloudCom 2013; "
		"statistical fidelity only)"},
	/* SimGrid dirties in proportion to the CPU work the VM receives;
	 * vdcsim has no CPU contention model, so the share is given. */
	{.name = "cpu_share", .type = CFG_T_PERCENT, .def = "100%",
	 .min = "0%", .max = "100%",
	 .offset = offsetof(mem_dirtying_cfg, cpu_share),
	 .doc = "with fresh_rate or intensity: the share of its CPU the VM "
		"gets while migrating; its dirtying scales with it"},
	/* SimGrid caps each interval's dirtied bytes at working_set_memory,
	 * 90% of RAM in sg_vm_create_migratable ([Hirofuchi13]); 100% keeps
	 * the geometric model, where all of memory can be dirtied. */
	{.name = "working_set", .type = CFG_T_PERCENT, .def = "100%",
	 .min = "0.0001%", .max = "100%",
	 .offset = offsetof(mem_dirtying_cfg, working_set),
	 .doc = "with fresh_rate or intensity: the share of memory written "
		"(from the bottom); a window of t dirties min(rate x t, "
		"working set); SimGrid's sg_vm_create_migratable uses 90%"},
};

static const cfg_section dirtying_section = {
	.path = "vms[].dirtying",
	.doc = "statistical memory dirtying: a hot set and cold writes, or "
	       "fresh pages of a working set at a rate",
	.params = dirtying_params,
	.nparams = sizeof dirtying_params / sizeof dirtying_params[0],
};

static const cfg_section *const sections[] = {&dirtying_section, NULL};

const cfg_section *const *mem_sections(void)
{
	return sections;
}

void mem_hotcold_init(mem_hotcold *m, uint64_t memory_bytes,
		      const mem_dirtying_cfg *c)
{
	if (memory_bytes == 0)
		sim_panic("mem_hotcold_init: a guest without memory");
	m->pages = mem_pages_of_bytes(memory_bytes, c->page_size_bytes);
	uint64_t hot = mem_pages_of_bytes(c->hot_set_bytes, c->page_size_bytes);
	m->hot_pages = hot < m->pages ? hot : m->pages;
	m->hot_writes_per_s = c->hot_writes_per_s;
	m->cold_writes_per_s = c->cold_writes_per_s;
}
