/* SPDX-License-Identifier: MIT */
/*
 * Parameters of the page-write generators: the declarative table that
 * configs are loaded against, the checks against a VM's size, and the
 * presets shaped like Clark et al.'s traced workloads. Drawing writes is
 * in pagegen.c.
 */
#include "wl_internal.h"
#include "stream_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Parameter table
 * ------------------------------------------------------------------------ */

/* In wl_pages_kind order. */
static const char *const kind_names[] = {"uniform", "hotset", "zipf",
					 "replay", "sweep", NULL};

/* Rates are bounded so that a window's expected write count stays a
 * number the Poisson draw handles; 1e10 writes/s is far above what any
 * memory system sustains. */
static const cfg_param pages_params[] = {
	{"kind", CFG_T_ENUM, NULL, NULL, NULL, kind_names,
	 offsetof(wl_pages_params, kind),
	 "how each write picks its page: uniform, hotset, zipf, replay or "
	 "sweep (in page order through the region, cyclically)"},
	{"pages", CFG_T_UINT, "0", NULL, "4294967296", NULL,
	 offsetof(wl_pages_params, pages),
	 "uniform, zipf, sweep: pages in the region written (0: from offset to "
	 "the end of the VM)"},
	{"offset", CFG_T_UINT, "0", NULL, "4294967295", NULL,
	 offsetof(wl_pages_params, offset),
	 "first page of the region (uniform, zipf, sweep; a sweep is there at "
	 "time 0) or of the hot set (hotset)"},
	{"hot_pages", CFG_T_UINT, "0", NULL, "4294967296", NULL,
	 offsetof(wl_pages_params, hot_pages),
	 "hotset: pages in the hot set"},
	{"hot_rate", CFG_T_FLOAT, "0", "0", "1e10", NULL,
	 offsetof(wl_pages_params, hot_rate),
	 "hotset: writes per second into the hot set (writes/s)"},
	{"cold_rate", CFG_T_FLOAT, "0", "0", "1e10", NULL,
	 offsetof(wl_pages_params, cold_rate),
	 "hotset: writes per second spread over all other pages (writes/s)"},
	{"rate", CFG_T_FLOAT, "0", "0", "1e10", NULL,
	 offsetof(wl_pages_params, rate),
	 "uniform, zipf, sweep: writes per second (writes/s; a sweep's pages "
	 "per second)"},
	{"zipf_s", CFG_T_FLOAT, "1", "0", "10", NULL,
	 offsetof(wl_pages_params, zipf_s),
	 "zipf: exponent s; the page of popularity rank r is written with "
	 "probability proportional to 1/r^s"},
	{"trace", CFG_T_STRING, "", NULL, NULL, NULL,
	 offsetof(wl_pages_params, trace),
	 "replay: path of a page-dirty trace (traces/page-dirty-format.md)"},
};

static const cfg_section pages_section = {
	"vms[].page_writes",
	"which guest pages a VM's workload writes, and how fast",
	pages_params,
	sizeof pages_params / sizeof pages_params[0],
	NULL,
};

static const cfg_section *const sections[] = {&pages_section,
						&wl_demand_section, &wl_stream_table, NULL};

const cfg_section *const *wl_sections(void)
{
	return sections;
}

/* ------------------------------------------------------------------------
 * Presets. Page counts assume 4 KiB pages; workloads/README.md gives the
 * source of every number. In short: specweb, quake3 and mmuncher are
 * calibrated against the figures Clark et al. report (NSDI 2005 §6;
 * [Clark05] in docs/references.md) through an expected-value model of Xen's
 * 2005 pre-copy; oltp and kernel-compile are guesses, since the paper
 * holds no number for them.
 * ------------------------------------------------------------------------ */

#define MIB_PAGES(x) ((uint64_t)(x) * 256)  /* 4 KiB pages in x MiB */
#define S(x) ((uint64_t)((x) * 1e9))          /* seconds in ns */

/* Time structure, workloads/README.md "Time structure": every number is a
 * guess shaped after the kind of event each workload has (the dirtying
 * rates under Clark et al.'s Figures 3-6 rise and fall), none a published
 * parameter. Swings keep the long-run mean the calibrated base rate. */
static const wl_phases specweb_phases = {
	/* The request mix drifts: ±25 % over 30 s. */
	.swing = 0.25, .swing_period_ns = S(30),
};
static const wl_phases oltp_phases = {
	/* A database checkpoint every 60 s (the first at 20 s) flushes the
	 * buffer pool through 96 MiB of page cache for 5 s. */
	.nbursts = 1,
	.bursts = {{.period_ns = S(60), .first_ns = S(20), .length_ns = S(5),
		    .rate = 30000, .offset = MIB_PAGES(64),
		    .pages = MIB_PAGES(96)}},
};
static const wl_phases kernel_compile_phases = {
	/* A compile unit every 2 s: the compiler's hot memory moves by
	 * 16 MiB over a 64 MiB span; a link of 4 s every 40 s (the first at
	 * 35 s) writes 64 MiB of objects and output. */
	.shift_period_ns = S(2), .shift_pages = MIB_PAGES(16),
	.shift_span = MIB_PAGES(64),
	.nbursts = 1,
	.bursts = {{.period_ns = S(40), .first_ns = S(35), .length_ns = S(4),
		    .rate = 40000, .offset = MIB_PAGES(128),
		    .pages = MIB_PAGES(64)}},
};
static const wl_phases quake3_phases = {
	/* Play is steady (a server's 20 Hz frames); a map change every 60 s
	 * (the first at 60 s) loads the next map over 24 MiB of the game's
	 * 36 MiB in 3 s, so the preset fits wherever its hot set does. */
	.nbursts = 1,
	.bursts = {{.period_ns = S(60), .first_ns = S(60), .length_ns = S(3),
		    .rate = 15000, .offset = MIB_PAGES(12),
		    .pages = MIB_PAGES(24)}},
};

/* All default to the 512 MiB VM Clark et al. traced for Figures 3-6
 * ([Clark05] §4); Clark's §6 VM sizes (800 MiB SPECweb, 64 MiB Quake 3)
 * are set by configs/clark/evaluation.yaml. */
static const wl_pages_preset presets[] = {
	{"specweb",
	 "SPECweb99 on Apache: a 20 MiB hot set, rates swinging +-25 % over 30 s",
	 (uint64_t)512 << 20,
	 {.kind = WL_PAGES_HOTSET, .hot_pages = MIB_PAGES(20),
	  .hot_rate = 50000, .cold_rate = 1000, .zipf_s = 1, .trace = "",
	  .phases = &specweb_phases}},
	{"oltp",
	 "OSDB OLTP on PostgreSQL: a 64 MiB buffer pool, a checkpoint every 60 s "
	 "(guesses)",
	 (uint64_t)512 << 20,
	 {.kind = WL_PAGES_HOTSET, .hot_pages = MIB_PAGES(64),
	  .hot_rate = 10000, .cold_rate = 1000, .zipf_s = 1, .trace = "",
	  .phases = &oltp_phases}},
	{"kernel-compile",
	 "Linux kernel build: a compile unit every 2 s, a link every 40 s "
	 "(guesses)",
	 (uint64_t)512 << 20,
	 {.kind = WL_PAGES_HOTSET, .hot_pages = MIB_PAGES(32),
	  .hot_rate = 20000, .cold_rate = 2000, .zipf_s = 1, .trace = "",
	  .phases = &kernel_compile_phases}},
	{"quake3",
	 "Quake 3 server with 6 players: a 36 MiB hot set, a map change every "
	 "60 s",
	 (uint64_t)512 << 20,
	 {.kind = WL_PAGES_HOTSET, .hot_pages = MIB_PAGES(36),
	  .hot_rate = 1400, .cold_rate = 250, .zipf_s = 1, .trace = "",
	  .phases = &quake3_phases}},
	{"mmuncher",
	 "Clark's diabolical MMuncher: writes a 256 MiB region continuously",
	 (uint64_t)512 << 20,
	 {.kind = WL_PAGES_UNIFORM, .pages = MIB_PAGES(256), .rate = 60000,
	  .zipf_s = 1, .trace = ""}},
};

#define NPRESETS (sizeof presets / sizeof presets[0])

const wl_pages_preset *wl_pages_preset_find(const char *name)
{
	for (size_t i = 0; name && i < NPRESETS; i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

const wl_pages_preset *wl_pages_preset_at(size_t i)
{
	return i < NPRESETS ? &presets[i] : NULL;
}

/* ------------------------------------------------------------------------
 * Loading and checking
 * ------------------------------------------------------------------------ */

/* A config string made fit for a one-line message: bytes outside
 * printable ASCII escaped, cut after 60 bytes. The caller frees it. */
static char *show(const char *s)
{
	size_t n = strlen(s), cut = n > 60 ? 60 : n;
	char *out = sim_xmalloc(cut * 4 + 4), *o = out;
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f) {
			snprintf(o, 5, "\\x%02x", c);
			o += 4;
		} else {
			*o++ = (char)c;
		}
	}
	if (cut < n)
		for (int k = 0; k < 3; k++)
			*o++ = '.';
	*o = '\0';
	return out;
}

int wl_pages_params_load(const cfg_node *n, const cfg_node *where,
			 wl_pages_params *out, sim_diag *d)
{
	memset(out, 0, sizeof *out);
	if (!n || cfg_node_kind(n) != CFG_SCALAR)
		return cfg_section_load(&pages_section, n, where, out, d);
	const char *name = cfg_node_text(n);
	if (!cfg_node_is_quoted(n) &&
	    (!*name || !strcmp(name, "~") || !strcmp(name, "null"))) {
		cfg_error(d, n,
			  "%s: expected a preset name or a mapping, got null",
			  pages_section.path);
		return SIM_EINPUT;
	}
	const wl_pages_preset *p = wl_pages_preset_find(name);
	if (p) {
		*out = p->params;
		return 0;
	}
	const char *names[NPRESETS + 1];
	for (size_t i = 0; i < NPRESETS; i++)
		names[i] = presets[i].name;
	names[NPRESETS] = NULL;
	const char *near = sim_suggest(name, names);
	char *shown = show(name);
	if (near)
		cfg_error(d, n,
			  "%s: unknown preset '%s' (did you mean '%s'?)",
			  pages_section.path, shown, near);
	else
		cfg_error(d, n,
			  "%s: unknown preset '%s' (expected one of specweb, "
			  "oltp, kernel-compile, quake3, mmuncher, or a mapping "
			  "with a kind)",
			  pages_section.path, shown);
	free(shown);
	return SIM_EINPUT;
}

void wl_region(const wl_pages_params *p, uint64_t pages, uint64_t *first,
	       uint64_t *count)
{
	*first = p->offset;
	*count = p->pages ? p->pages : pages - p->offset;
}

static bool bad_rate(double r)
{
	return !isfinite(r) || r < 0;
}

/* Reports the first bad rate among those the kind uses. */
static int check_rates(const wl_pages_params *p, const char *what,
		       sim_diag *d)
{
	static const char want[] = "a finite number of writes/s, at least 0";
	const char *name = NULL;
	double v = 0;
	if (p->kind == WL_PAGES_HOTSET && bad_rate(p->hot_rate)) {
		name = "hot_rate";
		v = p->hot_rate;
	} else if (p->kind == WL_PAGES_HOTSET && bad_rate(p->cold_rate)) {
		name = "cold_rate";
		v = p->cold_rate;
	} else if ((p->kind == WL_PAGES_UNIFORM || p->kind == WL_PAGES_ZIPF ||
		    p->kind == WL_PAGES_SWEEP) &&
		   bad_rate(p->rate)) {
		name = "rate";
		v = p->rate;
	}
	if (!name)
		return 0;
	sim_diag_error(d, what, 0, 0, "%s %g is not a rate (expected %s)", name,
		       v, want);
	return SIM_EINPUT;
}

static int check_region(const wl_pages_params *p, uint64_t pages,
			const char *what, sim_diag *d)
{
	if (p->offset >= pages) {
		sim_diag_error(d, what, 0, 0,
			       "offset %" PRIu64 " is outside the VM's %" PRIu64
			       " pages (expected at most %" PRIu64 ")",
			       p->offset, pages, pages - 1);
		return SIM_EINPUT;
	}
	if (p->kind == WL_PAGES_HOTSET) {
		if (p->hot_pages == 0) {
			sim_diag_error(d, what, 0, 0,
				       "a hot set of 0 pages (expected "
				       "hot_pages of at least 1)");
			return SIM_EINPUT;
		}
		if (p->hot_pages > pages - p->offset) {
			sim_diag_error(d, what, 0, 0,
				       "hot set of %" PRIu64 " pages at offset "
				       "%" PRIu64 " does not fit in the VM's "
				       "%" PRIu64 " pages (expected offset + "
				       "hot_pages <= %" PRIu64 ")",
				       p->hot_pages, p->offset, pages, pages);
			return SIM_EINPUT;
		}
		if (p->cold_rate > 0 && p->hot_pages == pages) {
			sim_diag_error(d, what, 0, 0,
				       "cold_rate %g with no cold pages "
				       "(expected cold_rate 0 when the hot set "
				       "is the whole VM)",
				       p->cold_rate);
			return SIM_EINPUT;
		}
		return 0;
	}
	if (p->pages > pages - p->offset) {
		sim_diag_error(d, what, 0, 0,
			       "region of %" PRIu64 " pages at offset %" PRIu64
			       " does not fit in the VM's %" PRIu64
			       " pages (expected offset + pages <= %" PRIu64 ")",
			       p->pages, p->offset, pages, pages);
		return SIM_EINPUT;
	}
	return 0;
}

static int check_replay(const wl_pages_params *p, uint64_t pages,
			const char *what, sim_diag *d)
{
	char *shown = show(p->trace ? p->trace : "");
	int rc = 0;
	if (!p->replay) {
		if (p->trace && *p->trace)
			sim_diag_error(d, what, 0, 0,
				       "replay trace '%s' is not loaded "
				       "(expected the caller to load it)",
				       shown);
		else
			sim_diag_error(d, what, 0, 0,
				       "replay without a trace (expected trace: "
				       "PATH of a page-dirty trace)");
		rc = SIM_EINPUT;
	} else if (p->replay->pages > pages) {
		sim_diag_error(d, what, 0, 0,
			       "replay trace '%s' has %" PRIu64 " pages, more "
			       "than the VM's %" PRIu64 " (expected at most "
			       "%" PRIu64 ")",
			       shown, p->replay->pages, pages, pages);
		rc = SIM_EINPUT;
	}
	free(shown);
	return rc;
}

int wl_pages_check(const wl_pages_params *p, uint64_t pages, const char *what,
		   sim_diag *d)
{
	if (pages < 1 || pages > WL_MAX_PAGES) {
		sim_diag_error(d, what, 0, 0,
			       "a VM of %" PRIu64 " pages (expected 1 to "
			       "4294967296)",
			       pages);
		return SIM_EINPUT;
	}
	switch (p->kind) {
	case WL_PAGES_UNIFORM:
	case WL_PAGES_HOTSET:
	case WL_PAGES_SWEEP:
		break;
	case WL_PAGES_ZIPF:
		if (!(p->zipf_s >= 0 && p->zipf_s <= 10)) {
			sim_diag_error(d, what, 0, 0,
				       "zipf_s %g is out of range (expected 0 "
				       "to 10)",
				       p->zipf_s);
			return SIM_EINPUT;
		}
		break;
	case WL_PAGES_REPLAY:
		return check_replay(p, pages, what, d);
	default:
		sim_diag_error(d, what, 0, 0,
			       "unknown page-write kind %d (expected uniform, "
			       "hotset, zipf, replay or sweep)",
			       p->kind);
		return SIM_EINPUT;
	}
	if (check_rates(p, what, d) || check_region(p, pages, what, d))
		return SIM_EINPUT;
	return wl_phases_check(p, pages, what, d);
}

bool wl_pages_draws_random(const wl_pages_params *p)
{
	if (p->kind == WL_PAGES_REPLAY)
		return false;
	if (p->kind == WL_PAGES_SWEEP)
		return p->phases && p->phases->nbursts > 0;
	return true;
}
