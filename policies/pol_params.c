/* SPDX-License-Identifier: MIT */
/*
 * The "policy" parameter table: every knob of every policy, written once
 * with its default, range and source tag, loaded by the config loader and
 * printed by `vdcsim params`. Rules that tie parameters together (k <= n
 * <= window) are checked after the table, at the offending value.
 */
#include "pol_internal.h"

#include <inttypes.h>
#include <string.h>

static const char *const policy_names[] = {
	"none", "sandpiper", "threshold", "random",
	"bb-thr", "bb-mad", "bb-iqr", "bb-lr", NULL};
_Static_assert(sizeof policy_names / sizeof policy_names[0] ==
		       POL_KIND_COUNT + 1,
	       "one name per policy kind");
static const char *const mode_names[] = {"black-box", "grey-box", NULL};
static const char *const staging_names[] = {"auto", "one-side",
					    "third-host", NULL};

#define OFF(f) offsetof(pol_params, f)

static const cfg_param params[] = {
	{"name", CFG_T_ENUM, "none", NULL, NULL, policy_names, OFF(policy),
	 "the policy: none, sandpiper, threshold (k-of-n, no forecast), "
	 "random (destination), bb-thr|bb-mad|bb-iqr|bb-lr "
	 "[BeloglazovBuyya12]"},
	{"mode", CFG_T_ENUM, "black-box", NULL, NULL, mode_names, OFF(mode),
	 "sandpiper: dom0 statistics only, or also an in-VM daemon's "
	 "[Wood07]"},
	/* [Wood07]: statistics reported every interval, about 10 s (approx.). */
	{"interval", CFG_T_TIME, "10s", "1ms", "24h", NULL, OFF(interval_ns),
	 "I: monitoring interval; a view and a policy step every I"},
	/* [D] W is not given in [Wood07]. */
	{"window", CFG_T_UINT, "20", "1", "10000", NULL, OFF(window),
	 "W: observations per profile (percentiles; >= n)"},
	/* [Wood07]: a high percentile, 95th as the example. */
	{"percentile", CFG_T_PERCENT, "95%", "1%", "100%", NULL,
	 OFF(percentile), "profile percentile for peak needs"},
	/* [Wood07]: k = 3, n = 5, T = 75 % (approximate). */
	{"k", CFG_T_UINT, "3", "1", "1000", NULL, OFF(k),
	 "hot when k of the last n observations are above T (k <= n)"},
	{"n", CFG_T_UINT, "5", "1", "1000", NULL, OFF(n),
	 "observations the k-of-n rule and the AR(1) estimator look at"},
	{"threshold", CFG_T_PERCENT, "75%", "1%", "100%", NULL,
	 OFF(threshold), "T: CPU and network hot above it; destinations stay "
	 "at or below it"},
	/* [D] memory is placed up to capacity: the oracles of [Wood07]'s
	 * examples accept destinations above T in memory. */
	{"mem_threshold", CFG_T_PERCENT, "100%", "1%", "100%", NULL,
	 OFF(mem_threshold), "destinations' memory stays at or below it"},
	{"clamp_phi", CFG_T_BOOL, "false", NULL, NULL, NULL, OFF(clamp_phi),
	 "clamp the AR(1) coefficient to [0, 1] (default: unclamped)"},
	{"swap_hot", CFG_T_RATE, "0bit/s", "0bit/s", "1Tbit/s", NULL,
	 OFF(swap_hot_bps), "swap I/O above this is memory pressure"},
	/* [D] the increment is not given in [Wood07]. */
	{"mem_step", CFG_T_BYTES, "64MiB", "1MiB", "1TiB", NULL,
	 OFF(mem_step_bytes), "black-box: memory need raised by this while "
	 "the VM swaps"},
	{"ws_miss_ratio", CFG_T_PERCENT, "1%", "0%", "100%", NULL,
	 OFF(ws_miss_ratio), "grey-box: working set = smallest memory whose "
	 "LRU miss ratio is at most this"},
	/* [D] cf. targets blocked 10-60 s after a move in [Wolke15]. */
	{"hold_down", CFG_T_TIME, "60s", "0s", "24h", NULL, OFF(hold_down_ns),
	 "a VM moved (or swapped) is not moved again for this long"},
	{"swaps", CFG_T_BOOL, "true", NULL, NULL, NULL, OFF(swaps),
	 "run the swap phase when no migration fits a hot host"},
	{"swap_staging", CFG_T_ENUM, "auto", NULL, NULL, staging_names,
	 OFF(swap_staging), "how a swap is staged (policies/README.md)"},
	{"swap_room", CFG_T_PERCENT, "10%", "0%", "100%", NULL, OFF(swap_room),
	 "one-side staging: memory a host may exceed briefly, fraction of "
	 "its memory"},
	/* [Wood09]: resizing in place, migrating only when it cannot. */
	{"resize", CFG_T_BOOL, "true", NULL, NULL, NULL, OFF(resize),
	 "resize a VM in place when its host has room"},
	{"sla_k", CFG_T_UINT, "1", "1", "1000", NULL, OFF(sla_k),
	 "grey-box: hot when SLA violations in sla_k of the last n (<= n)"},
	{"vol_util_max", CFG_T_PERCENT, "99%", "50%", "99.99%", NULL,
	 OFF(vol_util_max), "utilisations are capped here in Volume"},
	/* [BeloglazovBuyya12]: THR 0.8, MAD s = 2.5, IQR s = 1.5,
	 * LR s = 1.2. */
	{"bb_thr", CFG_T_PERCENT, "80%", "1%", "100%", NULL, OFF(bb_thr),
	 "THR: overloaded above it; also the fallback with short history"},
	{"bb_mad_s", CFG_T_FLOAT, "2.5", "0", "100", NULL, OFF(bb_mad_s),
	 "MAD: threshold 1 - s * MAD"},
	{"bb_iqr_s", CFG_T_FLOAT, "1.5", "0", "100", NULL, OFF(bb_iqr_s),
	 "IQR: threshold 1 - s * IQR"},
	{"bb_lr_s", CFG_T_FLOAT, "1.2", "0", "100", NULL, OFF(bb_lr_s),
	 "LR: overloaded when s * predicted utilisation >= 1"},
	/* [D]: samples below this fall back to THR, as CloudSim does. */
	{"bb_history", CFG_T_UINT, "12", "3", "10000", NULL, OFF(bb_history),
	 "MAD, IQR: samples needed before the adaptive threshold applies"},
	/* CloudSim's LR regresses the last 10 samples [CloudSim]. */
	{"bb_lr_len", CFG_T_UINT, "10", "3", "10000", NULL, OFF(bb_lr_len),
	 "LR: samples regressed"},
	{"bb_underload", CFG_T_BOOL, "true", NULL, NULL, NULL,
	 OFF(bb_underload), "consolidate: empty the least utilised hosts"},
};

static const cfg_section section = {
	"policy",
	"the migration policy and its parameters (policies/README.md)",
	params,
	sizeof params / sizeof params[0],
	NULL,
};

static const cfg_section *const sections[] = {&section, NULL};

const cfg_section *const *pol_sections(void)
{
	return sections;
}

void pol_params_default(pol_params *p)
{
	memset(p, 0, sizeof *p);
	/* Loading an absent section applies every default and cannot fail. */
	sim_diag d;
	sim_diag_init(&d);
	if (cfg_section_load(&section, NULL, NULL, p, &d) != 0)
		sim_panic("policy defaults do not load: %s", d.text);
	sim_diag_fini(&d);
}

/* The node under key `name` of mapping n, or NULL. */
static const cfg_node *child(const cfg_node *n, const char *name)
{
	return n ? cfg_map_get(n, name) : NULL;
}

int pol_params_load(const cfg_node *n, const cfg_node *where, pol_params *p,
		    sim_diag *d)
{
	memset(p, 0, sizeof *p);
	if (cfg_section_load(&section, n, where, p, d) != 0)
		return SIM_EINPUT;
	int rc = 0;
	if (p->k > p->n) {
		const cfg_node *at = child(n, "k") ? child(n, "k") : n;
		cfg_error(d, at ? at : where,
			  "policy.k: %" PRIu64 " is more than n = %" PRIu64
			  " (expected k <= n)", p->k, p->n);
		rc = SIM_EINPUT;
	}
	if (p->sla_k > p->n) {
		const cfg_node *at = child(n, "sla_k") ? child(n, "sla_k") : n;
		cfg_error(d, at ? at : where,
			  "policy.sla_k: %" PRIu64 " is more than n = %" PRIu64
			  " (expected sla_k <= n)", p->sla_k, p->n);
		rc = SIM_EINPUT;
	}
	if (p->n > p->window) {
		const cfg_node *at = child(n, "n") ? child(n, "n")
			: child(n, "window") ? child(n, "window") : n;
		cfg_error(d, at ? at : where,
			  "policy.n: %" PRIu64 " is more than window = %" PRIu64
			  " (expected n <= window)", p->n, p->window);
		rc = SIM_EINPUT;
	}
	return rc;
}
