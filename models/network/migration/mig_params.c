/* SPDX-License-Identifier: MIT */
/*
 * The migration model's knobs: the "migrations[]" parameter table (the
 * one place defaults are written, with their sources), the presets each
 * pre-copy policy hard-codes, and Clark's rate rule.
 */
#include "mig_internal.h"

#include <stddef.h>

/* ---- parameters ------------------------------------------------------- */

static const char *const scheme_choices[] = {
	"stop-and-copy", "precopy", "push", "postcopy", "hybrid", NULL};
_Static_assert(sizeof scheme_choices / sizeof scheme_choices[0] ==
		       MIG_SCHEME_COUNT + 1,
	       "one name per scheme");
static const char *const policy_choices[] = {"xen", "clark", "qemu",
					     "xen-v2", NULL};
static const char *const scan_choices[] = {"ascending", "xen", NULL};

static const cfg_param mig_param_table[] = {
	{.name = "scheme", .type = CFG_T_ENUM, .def = "precopy",
	 .choices = scheme_choices, .offset = offsetof(mig_params, scheme),
	 .doc = "stop-and-copy; precopy (iterative push, then stop-and-copy; "
		"[Clark05] §3); push (one live pass, then stop-and-copy); "
		"postcopy (state, resume, then pull: active push and demand "
		"faults; Hines & Gopalan); hybrid (precopy, then postcopy)"},
	{.name = "policy", .type = CFG_T_ENUM, .def = "xen",
	 .choices = policy_choices, .offset = offsetof(mig_params, policy),
	 .doc = "when pre-copy stops: Xen legacy caps ([XenLegacy]), Clark's rate "
		"rule as Xen's 2005 save loop has it ([Clark05] §5, "
		"[XenLegacy]), QEMU's downtime rule ([QEMU]) or Xen v2 ([XenV2])"},
	/* START_MBIT_RATE 100 in Xen's legacy save code ([XenLegacy]; [Clark05] §5). */
	{.name = "start_rate", .type = CFG_T_RATE, .def = "100Mibit/s",
	 .min = "1bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mig_params, start_rate_bps),
	 .doc = "clark: rate of the first round"},
	/* [Clark05] §5: "+ 50 Mbit/s" per round. */
	{.name = "rate_step", .type = CFG_T_RATE, .def = "50Mibit/s",
	 .min = "0bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mig_params, rate_step_bps),
	 .doc = "clark: added to the observed dirty rate for the next round, "
		"when that exceeds the current rate"},
	/* MAX_MBIT_RATE 500 in Xen's legacy save code ([XenLegacy]). */
	{.name = "max_rate", .type = CFG_T_RATE, .def = "500Mibit/s",
	 .min = "1bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mig_params, max_rate_bps),
	 .doc = "cap of the migration's flows (the paused round's: "
		"final_rate when that is set)"},
	/* [Clark05] §5 sends the final round "at the maximum allowable
	 * rate"; §6's SPECweb moved its 18.2 MiB in 201 ms, about 724
	 * Mibit/s, while the adaptive rate was held to 500. 0: max_rate. */
	{.name = "final_rate", .type = CFG_T_RATE, .def = "0bit/s",
	 .min = "0bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mig_params, final_rate_bps),
	 .doc = "cap of the paused (stop-and-copy) round; 0: max_rate"},
	/* DEF_MAX_ITERS 29 ([XenLegacy]). */
	{.name = "max_rounds", .type = CFG_T_UINT, .def = "29", .min = "1",
	 .max = "1000000", .offset = offsetof(mig_params, max_rounds),
	 .doc = "live pre-copy rounds at most"},
	/* DEF_MAX_FACTOR 3 ([XenLegacy]). */
	{.name = "max_sent_factor", .type = CFG_T_FLOAT, .def = "3",
	 .min = "1", .max = "1000000",
	 .offset = offsetof(mig_params, max_sent_factor),
	 .doc = "xen, clark: stop once more than this many times the memory "
		"has been sent"},
	/* "sent_this_iter + skip_this_iter < 50" ([XenLegacy]), and Xen v2's
	 * SPP_TARGET_DIRTY_COUNT 50 ([XenV2]). */
	{.name = "stop_pages", .type = CFG_T_UINT, .def = "50", .min = "0",
	 .max = "1000000000000",
	 .offset = offsetof(mig_params, stop_pages),
	 .doc = "stop when fewer pages than this remain to send"},
	/* DEFAULT_MIGRATE_SET_DOWNTIME 300 ms ([QEMU]). */
	{.name = "downtime_limit", .type = CFG_T_TIME, .def = "300ms",
	 .min = "0ns", .max = "2000s",
	 .offset = offsetof(mig_params, downtime_limit_ns),
	 .doc = "qemu: switch over when the rest can be sent in this time"},
	/* Xen legacy peeks the dirty bitmap and skips ([XenLegacy], [Clark05] §5). */
	{.name = "skip", .type = CFG_T_BOOL, .def = "true",
	 .offset = offsetof(mig_params, skip),
	 .doc = "skip pages dirtied again before they are sent (Xen legacy); "
		"false: resend them (KVM/QEMU: [QEMU])"},
	/* permute() and the batch loop of Xen's legacy save code ([XenLegacy]). */
	{.name = "scan", .type = CFG_T_ENUM, .def = "ascending",
	 .choices = scan_choices, .offset = offsetof(mig_params, scan),
	 .doc = "page-exact skip: the order a live round examines its pages "
		"in; ascending: page order, a dirty-log peek per 1024 pages "
		"examined (the presets are calibrated with it); xen: Xen "
		"legacy's permuted order (one page of every 4 MiB in turn), a "
		"peek per 1024 pages sent"},
	/* A write to a write-protected page traps to the VMM: Xen's
	 * page-fault path takes 3,927 cycles ([AdamsAgesen06],
	 * the pgfault nanobenchmark), 1.3 µs at 3 GHz. */
	{.name = "log_fault_cost", .type = CFG_T_TIME, .def = "1300ns",
	 .min = "0ns", .max = "1s",
	 .offset = offsetof(mig_params, log_fault_ns),
	 .doc = "dirty logging: the guest's cost of the write fault on its "
		"first write to a page in each live round"},
	/* vCPU registers, device models and the hypervisor's records of the
	 * guest: no source gives its size alone, but Clark et al. (NSDI 2005,
	 * §6) bound it: Quake 3's whole final round, the last dirty pages and
	 * this state together, was 148 KiB. 128 KiB stays within that bound
	 * (1 ms at 1 Gbit/s). Closed-form migration oracles (memory only) set 0B. */
	{.name = "state_size", .type = CFG_T_BYTES, .def = "128KiB",
	 .min = "0B", .max = "1TiB",
	 .offset = offsetof(mig_params, state_bytes),
	 .doc = "CPU and device state, sent while paused (all post-copy "
		"sends before resuming); 128 KiB is within the 148 KiB of Clark "
		"et al. NSDI 2005's Quake 3 final round (pages and state)"},
	/* Xen's MAX_BATCH_SIZE, 1024 pages ([XenLegacy]). */
	{.name = "pull_batch", .type = CFG_T_UINT, .def = "1024", .min = "1",
	 .max = "1000000000000",
	 .offset = offsetof(mig_params, pull_batch_pages),
	 .doc = "postcopy, hybrid: pages per active-push flow (the fault "
		"accounting's time step)"},
	/* Hines & Gopalan's pre-paging moves the push to the faulting
	 * address ([Hines09]); here forward from it. Off by default: the
	 * statistical fidelity has no spatial model of faults, and with a
	 * hot set at the bottom of memory (where the generators put it) a
	 * cold fault moves the push away from the hot pages not yet sent,
	 * so it costs faults (README.md). */
	{.name = "prepaging", .type = CFG_T_BOOL, .def = "false",
	 .offset = offsetof(mig_params, prepaging),
	 .doc = "postcopy, hybrid (page-exact only): the active push goes "
		"on from the latest fault's page"},
	{.name = "disk_max_rounds", .type = CFG_T_UINT, .def = "29",
	 .min = "1", .max = "1000000",
	 .offset = offsetof(mig_params, disk_max_rounds),
	 .doc = "local disk: pre-copy rounds at most before memory (the "
		"first sends every block)"},
	/* Bradford et al. throttle a guest that writes faster than the
	 * transfer can follow ([Bradford07]); 0 leaves it unthrottled. */
	{.name = "disk_write_limit", .type = CFG_T_RATE, .def = "0bit/s",
	 .min = "0bit/s", .max = "1000Tbit/s",
	 .offset = offsetof(mig_params, disk_write_limit_bps),
	 .doc = "local disk: guest disk writes throttled to this rate while "
		"migrating, e.g. 20MB/s (0: no throttle)"},
	/* dynDNS + IP tunnel ([Bradford07]); 0 on a LAN, where the
	 * gratuitous ARP redirects at once. */
	{.name = "redirect_time", .type = CFG_T_TIME, .def = "0ns",
	 .min = "0ns", .max = "720h",
	 .offset = offsetof(mig_params, redirect_ns),
	 .doc = "after resume, old connections are tunnelled through the "
		"source this long, until the new address is announced"},
	/* Stage 1 happens before any page moves and the VM runs through it,
	 * so it adds to the total only; Clark et al. give no figure for it
	 * ([Clark05] §3), and it stays free. */
	{.name = "reservation_cost", .type = CFG_T_TIME, .def = "0ns",
	 .min = "0ns", .max = "1h",
	 .offset = offsetof(mig_params, reservation_ns),
	 .doc = "stage 1: reserving resources at the target"},
	/* Stage 4 is a handshake (the target says it holds a consistent
	 * image, the source acknowledges: [Clark05] §3), one round trip,
	 * under a millisecond on a LAN. Clark's measured start-up after the
	 * final copy covers it together with the resume, and activation_cost
	 * carries that figure whole; this one splits it off if wanted. */
	{.name = "commitment_cost", .type = CFG_T_TIME, .def = "0ns",
	 .min = "0ns", .max = "1h",
	 .offset = offsetof(mig_params, commitment_ns),
	 .doc = "stage 4: the target confirms, the source lets go (paused; "
		"by default inside activation_cost's measured start-up)"},
	/* Clark et al. ([Clark05] §6) measured the start-up after the final
	 * copy (commitment, resuming the domain, the unsolicited ARP reply)
	 * at 9 ms for SPECweb and 40 ms for Quake 3 (migration oracle 8); the default
	 * is the SPECweb figure, as the default guest is SPECweb-like.
	 * QEMU's later announcements (rounds 50 ms apart and growing,
	 * [QEMU]) repeat the ARP while the VM already runs, so they
	 * add nothing here. Closed-form migration oracles set 0ns. */
	{.name = "activation_cost", .type = CFG_T_TIME, .def = "9ms",
	 .min = "0ns", .max = "1h",
	 .offset = offsetof(mig_params, activation_ns),
	 .doc = "stage 5: resuming at the target, gratuitous ARP (paused); "
		"9 ms is Clark et al. NSDI 2005's SPECweb start-up (Quake 3: "
		"40 ms)"},
};

static const cfg_section mig_section = {
	.path = "migrations[]",
	.doc = "a live migration's scheme, pre-copy policy, rates and stage "
	       "costs",
	.params = mig_param_table,
	.nparams = sizeof mig_param_table / sizeof mig_param_table[0]};

static const cfg_section *const sections[] = {&mig_section, NULL};

const cfg_section *const *mig_sections(void)
{
	return sections;
}

void mig_params_default(mig_params *p)
{
	sim_diag d;
	sim_diag_init(&d);
	*p = (mig_params){0};
	/* Loading an absent mapping applies every default: the table is the
	 * one place they are written. */
	if (cfg_section_load(&mig_section, NULL, NULL, p, &d) != 0)
		sim_panic("migration defaults do not load: %s", d.text);
	sim_diag_fini(&d);
}

#define MIBIT(x) ((uint64_t)(x) << 20)

void mig_params_preset(mig_params *p, mig_policy policy)
{
	p->policy = (int)policy;
	switch (policy) {
	case MIG_POLICY_XEN:
		p->max_rounds = 29;
		p->max_sent_factor = 3;
		p->stop_pages = 50;
		break;
	case MIG_POLICY_CLARK:
		p->max_rounds = 29;
		p->max_sent_factor = 3;
		p->stop_pages = 50;
		p->start_rate_bps = MIBIT(100);
		p->max_rate_bps = MIBIT(500);
		break;
	case MIG_POLICY_QEMU:
		p->downtime_limit_ns = SIM_MS(300);
		p->skip = false;
		break;
	case MIG_POLICY_XEN_V2:
		p->max_rounds = 5;
		p->stop_pages = 50;
		p->skip = false;
		break;
	default:
		sim_panic("unknown migration policy %d", (int)policy);
	}
}

uint64_t mig_rate_next_bps(const mig_params *p, uint64_t current_bps,
			   uint64_t dirty_bps, bool *capped)
{
	if (capped)
		*capped = false;
	/* Xen's print_stats(): the rate moves only when the guest dirtied
	 * faster than the round sent ([XenLegacy]). */
	if (dirty_bps <= current_bps)
		return current_bps;
	uint64_t want = dirty_bps > UINT64_MAX - p->rate_step_bps
				? UINT64_MAX
				: dirty_bps + p->rate_step_bps;
	if (want <= p->max_rate_bps)
		return want;
	if (capped)
		*capped = true;
	return p->max_rate_bps;
}
