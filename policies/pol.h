/* SPDX-License-Identifier: MIT */
/*
 * policies/: migration policies and the control interface between the
 * datacenter and them. Each monitoring interval the datacenter fills a
 * read-only view (hosts, VMs, black-box and grey-box statistics) and a
 * policy answers with actions (migrate, swap, resize). A policy never
 * touches model state: it keeps its own history in its own state and sees
 * the effect of its actions only through later views. Sandpiper
 * [Wood07], the baselines and [BeloglazovBuyya12]'s heuristics live here;
 * policies/README.md documents every rule and parameter.
 */
#ifndef VDCSIM_POL_H
#define VDCSIM_POL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* "No host" or "no VM" in an id field. */
#define POL_NONE UINT32_MAX

/* Resources a host offers and a VM is allocated. Units everywhere in the
 * interface: CPU in cores (1.0 = one core fully busy), network in bit/s,
 * memory in bytes; all held as double so that fractions stay exact. */
typedef enum pol_resource {
	POL_CPU,
	POL_NET,
	POL_MEM,
	POL_NRES
} pol_resource;

/* ------------------------------------------------------------------------
 * The view: what the policy reads at the end of each monitoring interval.
 * Hosts and VMs are numbered 0..n-1 by the datacenter in a fixed order
 * (their order in the config); the numbering never changes during a run.
 * All pointers are borrowed for the duration of one call.
 * ------------------------------------------------------------------------ */

typedef struct pol_host_view {
	double cap[POL_NRES];  /* capacity: cores, NIC bit/s, memory bytes */
	double used[POL_NRES]; /* aggregate over the interval: CPU cores used
				  (guests and dom0), NIC bit/s (rx + tx),
				  memory bytes allocated to resident VMs
				  (a VM migrating in counts on both hosts) */
	double power_idle_w;   /* linear power model: watts at 0 % CPU ... */
	double power_peak_w;   /* ... and at 100 % (both 0: unknown) */
	/* A SPECpower-style table instead (NULL: the linear model): watts at
	 * 0 %, 10 %, ..., 100 % CPU (POL_POWER_POINTS values, linear in
	 * between; power_idle_w and power_peak_w then hold its ends).
	 * Borrowed for the call. pol_host_power reads whichever is set. */
	const double *power_table_w;
} pol_host_view;

/* Points of a power table: 0 %, 10 %, ..., 100 % CPU utilisation. */
#define POL_POWER_POINTS 11

/* One VM's statistics. Black-box fields are what dom0 sees and are always
 * valid; grey-box fields come from an in-VM daemon and are valid only when
 * `grey` is true, the application fields only when `app` is true. */
typedef struct pol_vm_view {
	uint32_t host;           /* current host (the source while migrating) */
	bool migrating;          /* a migration of this VM is in flight */
	double alloc[POL_NRES];  /* allocation: cores, bit/s (0 = uncapped),
				    memory bytes (the VM's footprint) */
	/* Black-box (dom0) */
	double cpu;              /* cores used, dom0 I/O work charged back */
	double net_bps;          /* VIF rx + tx, bit/s */
	double swap_bps;         /* I/O on the guest's swap device, bit/s */
	/* Grey-box (in-VM daemon) */
	bool grey;
	const uint64_t *lru_hist; /* page accesses by LRU stack distance:
				     bucket i counts distances in
				     [i, i+1) * lru_bucket_bytes */
	size_t lru_buckets;
	uint64_t lru_bucket_bytes;
	uint64_t lru_beyond;      /* accesses deeper than the histogram,
				     cold misses included */
	double page_faults_per_s;
	double guest_swap_bps;    /* swap I/O as the guest reports it */
	/* Application log (grey-box) */
	bool app;
	double arrival_rate;      /* requests/s over the interval */
	double interarrival_var_s2; /* variance of inter-arrival times, s^2 */
	double service_s;         /* mean service time, s */
	double service_var_s2;    /* variance of service times, s^2 */
	double response_s;        /* mean response time, s */
	double sla_response_s;    /* response-time target d, s (0: none) */
} pol_vm_view;

typedef struct pol_view {
	uint64_t interval;       /* 0 for the first interval of the run */
	uint64_t now_ns;         /* end of the interval */
	uint64_t interval_ns;    /* its length */
	uint64_t seed;           /* the run's master seed (random streams) */
	size_t nhosts, nvms;
	const pol_host_view *hosts;
	const pol_vm_view *vms;
} pol_view;

/* ------------------------------------------------------------------------
 * Actions: what a policy asks for. The datacenter carries them out in the
 * order given and reports the outcome only through later views.
 * ------------------------------------------------------------------------ */

typedef enum pol_action_kind {
	POL_MIGRATE, /* vm from `from` to `to` */
	POL_SWAP,    /* vm (on `from`) and vm_b (on `to`) exchange hosts */
	POL_RESIZE,  /* vm's allocation of `resource` becomes `amount` */
} pol_action_kind;

typedef enum pol_reason {
	POL_REASON_HOTSPOT,   /* a resource of the source host is hot */
	POL_REASON_SLA,       /* grey-box: response-time SLA violations */
	POL_REASON_MEMORY,    /* memory pressure (swapping, working set) */
	POL_REASON_PROVISION, /* resize to the estimated need */
	POL_REASON_OVERLOAD,  /* [BeloglazovBuyya12] overload detection */
	POL_REASON_UNDERLOAD, /* [BeloglazovBuyya12] consolidation */
	POL_REASON_COUNT
} pol_reason;

/* A swap is staged as policies/README.md describes: with `stage` a third
 * host, vm goes to stage, vm_b to vm's old host, then vm to vm_b's old host
 * (three migrations, no host ever over its memory); with stage POL_NONE,
 * the VM named by b_first (vm_b if true, else vm) moves first and its
 * destination may exceed its memory by at most the swap_room parameter
 * until the second migration completes (two migrations). */
typedef struct pol_action {
	pol_action_kind kind;
	pol_reason reason;
	uint32_t vm;        /* the VM (swap: the one leaving the hot host) */
	uint32_t vm_b;      /* swap: the partner; else POL_NONE */
	uint32_t from, to;  /* migrate: source, destination; swap: the hosts
			       of vm and vm_b; resize: the VM's host twice */
	uint32_t stage;     /* swap: staging host or POL_NONE */
	bool b_first;       /* swap without staging host: vm_b moves first */
	pol_resource resource; /* resize */
	double amount;         /* resize: the new allocation, in its unit */
} pol_action;

/* A policy's answer for one interval: actions in order and one "hot" flag
 * per host (a hotspot detected this interval, whether or not an action
 * resolves it). Caller storage; the policy appends with pol_out_push. */
typedef struct pol_out {
	pol_action *actions; /* owned */
	size_t nactions, cap;
	uint8_t *hot;        /* nhosts flags, owned */
	size_t nhosts;
} pol_out;

/* Initialises an empty answer for nhosts hosts in caller storage. */
void pol_out_init(pol_out *o, size_t nhosts);
/* Frees what o holds; the struct may be initialised again. */
void pol_out_fini(pol_out *o);
/* Empties the action list and clears every hot flag (keeps storage). */
void pol_out_clear(pol_out *o);
/* Appends a copy of a. Amortised O(1). */
void pol_out_push(pol_out *o, const pol_action *a);

/* The action's kind and reason as words ("migrate", "hotspot"). */
const char *pol_action_kind_name(pol_action_kind k);
const char *pol_reason_name(pol_reason r);
/* Writes one log line for a at time now_ns into buf (NUL-terminated,
 * truncated to n bytes), e.g. "10000000000 migrate vm=1 from=0 to=1
 * reason=hotspot\n"; returns the length it needed (as snprintf). Numbers
 * are printed with fixed formats, so equal actions give equal bytes. */
int pol_action_format(const pol_action *a, uint64_t now_ns, char *buf,
		      size_t n);

/* ------------------------------------------------------------------------
 * Parameters: one table, section "policy" (see pol_sections), loaded into
 * this struct. Every default and its source: policies/README.md.
 * ------------------------------------------------------------------------ */

typedef enum pol_mode { POL_BLACK_BOX, POL_GREY_BOX } pol_mode;

typedef enum pol_staging {
	POL_STAGE_AUTO,       /* one side if swap_room allows, else third host */
	POL_STAGE_ONE_SIDE,   /* only through brief extra room on one side */
	POL_STAGE_THIRD_HOST, /* only through a third host */
} pol_staging;

typedef struct pol_params {
	int policy;             /* index into pol_ops_at order (CFG_T_ENUM) */
	int mode;               /* a pol_mode */
	uint64_t interval_ns;   /* the monitoring interval I (the datacenter
				   builds a view and steps the policy every I) */
	uint64_t window;        /* W: observations kept for profiles */
	double percentile;      /* profile percentile, fraction */
	uint64_t k, n;          /* hot when k of the last n are above T */
	double threshold;       /* T, fraction of capacity (CPU, network) */
	double mem_threshold;   /* placement limit for memory, fraction */
	bool clamp_phi;         /* clamp the AR(1) coefficient to [0, 1] */
	uint64_t swap_hot_bps;  /* swap I/O above this is memory pressure */
	uint64_t mem_step_bytes; /* black-box memory increment */
	double ws_miss_ratio;   /* grey-box working set: miss ratio target */
	uint64_t hold_down_ns;  /* a moved VM is not moved again before */
	bool swaps;             /* run the swap phase */
	int swap_staging;       /* a pol_staging */
	double swap_room;       /* one-side staging: memory excess allowed */
	bool resize;            /* resize in place before migrating */
	uint64_t sla_k;         /* SLA violations in sla_k of the last n */
	double vol_util_max;    /* utilisations capped here in Volume */
	/* [BeloglazovBuyya12] */
	double bb_thr;          /* THR: static threshold */
	double bb_mad_s;        /* MAD safety parameter */
	double bb_iqr_s;        /* IQR safety parameter */
	double bb_lr_s;         /* LR safety parameter */
	uint64_t bb_history;    /* MAD/IQR: samples needed, else THR */
	uint64_t bb_lr_len;     /* LR: samples regressed, else THR */
	bool bb_underload;      /* consolidate underloaded hosts */
} pol_params;

/* The parameter tables of policies/, NULL-terminated: today one, path
 * "policy", target struct pol_params. */
const cfg_section *const *pol_sections(void);

/* Fills p with every default (as if the section were absent). */
void pol_params_default(pol_params *p);

/* Loads the "policy" mapping n (NULL: every default; `where` positions
 * messages then) into p: the table's types and ranges, then the rules
 * that tie parameters together (k <= n <= window), each reported at the
 * offending value as FILE:LINE:COL. Returns 0 or SIM_EINPUT. */
int pol_params_load(const cfg_node *n, const cfg_node *where, pol_params *p,
		    sim_diag *d);

/* ------------------------------------------------------------------------
 * Policies: a static const ops table each, selected by name.
 * ------------------------------------------------------------------------ */

typedef struct pol_ops {
	const char *name;
	const char *doc;         /* one line */
	size_t state_size;       /* zeroed bytes the caller provides */
	/* Sets up state for nhosts hosts and nvms VMs with parameters p
	 * (copied as needed). Returns 0 or SIM_EINPUT if the sizes cannot be
	 * served (reported in d). */
	int (*create)(void *state, const pol_params *p, size_t nhosts,
		      size_t nvms, sim_diag *d);
	/* Records one interval's view into the policy's own history. */
	void (*observe)(void *state, const pol_view *v);
	/* Decides on the view last observed: appends actions to out and sets
	 * its hot flags. Must not keep pointers into v. */
	void (*decide)(void *state, const pol_view *v, pol_out *out);
	/* Releases what state holds (not the state itself). */
	void (*destroy)(void *state);
} pol_ops;

/* The policies, in a fixed order; NULL past the last. */
const pol_ops *pol_ops_at(size_t i);
/* The policy named `name`, or NULL. */
const pol_ops *pol_ops_find(const char *name);

/* A running policy: its ops, its state and the counts it was made for. */
typedef struct pol_policy pol_policy;

/* Creates a policy instance; returns NULL with messages in d if the ops'
 * create hook refuses. The ops table is borrowed (static). */
pol_policy *pol_policy_create(const pol_ops *ops, const pol_params *p,
			      size_t nhosts, size_t nvms, sim_diag *d);
/* Destroys it; NULL is a no-op. */
void pol_policy_destroy(pol_policy *pol);
/* One interval: clears out, then observe and decide. v must have the
 * counts the policy was created for (else a panic: a programming error).
 * Cost: O(hosts + VMs log VMs) for Sandpiper plus its mitigation search
 * (policies/README.md). */
void pol_policy_step(pol_policy *pol, const pol_view *v, pol_out *out);
/* The policy's ops table. */
const pol_ops *pol_policy_ops(const pol_policy *pol);

/* ------------------------------------------------------------------------
 * Estimators (pure functions, exposed for tests and for the datacenter's
 * reports). x holds samples oldest first.
 * ------------------------------------------------------------------------ */

/* Sandpiper's one-step AR(1) forecast [Wood07]: mu = mean of x[0..n),
 * phi = sum_{i<n-1} (x_i - mu)(x_{i+1} - mu) / sum_i (x_i - mu)^2 (the
 * Yule-Walker lag-1 estimate), phi = 0 if that variance is 0; with clamp,
 * phi is clamped to [0, 1]. Returns mu + phi (x_{n-1} - mu); writes phi
 * to *phi_out if not NULL. n >= 1. O(n). */
double pol_ar1_forecast(const double *x, size_t n, bool clamp,
			double *phi_out);
/* The number of x[0..n) strictly above t. */
size_t pol_count_above(const double *x, size_t n, double t);
/* Nearest-rank percentile: the smallest sample v such that at least a
 * fraction p of the n samples is <= v (p in (0, 1]; p <= 0 gives the
 * minimum). n >= 1. Uses scratch (n doubles) for sorting. O(n log n). */
double pol_percentile(const double *x, size_t n, double p, double *scratch);
/* Sandpiper's Volume [Wood07]: 1/((1-cpu)(1-net)(1-mem)), each
 * utilisation first clamped to [0, umax] (umax < 1). */
double pol_volume(double cpu, double net, double mem, double umax);
/* Kingman's G/G/1 capacity [Wood07]: the largest arrival rate whose
 * mean response time stays within d: 1 / (s + (va + vb) / (2 (d - s))).
 * Returns 0 when d <= s (no rate meets the target). */
double pol_kingman_lambda_cap(double d, double s, double va, double vb);
/* The working set from an LRU stack-distance histogram: the smallest
 * memory size m = j * bucket_bytes (j = 0..buckets) at which the accesses
 * deeper than m (the misses of an LRU memory of size m) are at most a
 * fraction miss_ratio of all accesses. Returns buckets * bucket_bytes
 * plus one bucket when even the whole histogram misses too often (the
 * daemon saw more than it can tell), and 0 for no accesses. O(buckets). */
double pol_working_set(const uint64_t *hist, size_t buckets,
		       uint64_t bucket_bytes, uint64_t beyond,
		       double miss_ratio);

/* Sorts ids idx[0..n) by key[id] ascending (descending if desc), equal
 * keys by lower id, so the order never depends on the input order (how
 * every policy breaks ties). tmp holds n ids. O(n log n). */
void pol_sort_ids(uint32_t *idx, size_t n, const double *key, bool desc,
		  uint32_t *tmp);

/* ------------------------------------------------------------------------
 * [BeloglazovBuyya12]'s statistics and metrics, over series the datacenter
 * records. Utilisations are fractions of a host's CPU capacity.
 * ------------------------------------------------------------------------ */

/* Median of x[0..n) (the mean of the two middle values when n is even).
 * scratch holds n doubles. O(n log n). */
double pol_median(const double *x, size_t n, double *scratch);
/* Median absolute deviation: median_i |x_i - median(x)|. scratch: 2n. */
double pol_mad(const double *x, size_t n, double *scratch);
/* Interquartile range Q3 - Q1 with CloudSim's quartiles: sorted x,
 * Q1 = x[round(0.25 (n+1)) - 1], Q3 = x[round(0.75 (n+1)) - 1] (indices
 * clamped to the array). n >= 1; scratch: n doubles. */
double pol_iqr(const double *x, size_t n, double *scratch);
/* Local regression of y[0..n) at x = 1..n with tricube weights centred on
 * the newest sample, w_i = (1 - ((n - x_i) / (n - 1))^3)^3: writes the
 * intercept and slope of the weighted least-squares line. n >= 3. O(n). */
void pol_loess_fit(const double *y, size_t n, double *a, double *b);
/* Linear power model: idle + (peak - idle) * u, u clamped to [0, 1]. */
double pol_power_linear(double idle_w, double peak_w, double u);
/* SPECpower-style model (as CloudSim's PowerModelSpecPower): table_w holds
 * the watts at u = 0, 0.1, ..., 1 (POL_POWER_POINTS values); between two
 * points the power is linear in u; u clamped to [0, 1]. */
double pol_power_table(const double *table_w, double u);
/* Host h's power at CPU utilisation u: its table when it has one, else
 * its linear model. */
double pol_host_power(const pol_host_view *h, double u);
/* SLATAH: the mean over hosts of the fraction of their active intervals
 * spent at 100 % CPU (util >= 1). util and active are row-major, nhosts
 * rows of nsteps; hosts never active are left out of the mean. 0 when no
 * host was active. O(nhosts * nsteps). */
double pol_slatah(const double *util, const uint8_t *active, size_t nhosts,
		  size_t nsteps);
/* SLATAH from counts, for series too long to keep: active[h] intervals
 * in which host h was active, full[h] of them at 100 % CPU; the same mean
 * as pol_slatah over hosts with active[h] > 0. O(nhosts). */
double pol_slatah_counts(const uint64_t *active, const uint64_t *full,
			 size_t nhosts);
/* PDM: the mean over VMs of degraded / requested CPU (VMs that requested
 * nothing are left out; 0 when none requested). degraded[j] is the CPU
 * lost to migrations, estimated as 10 % of the VM's CPU use during each of
 * its migrations [BeloglazovBuyya12]. */
double pol_pdm(const double *degraded, const double *requested,
	       size_t nvms);
/* SLAV = SLATAH * PDM. */
double pol_slav(double slatah, double pdm);
/* The CPU a VM loses to a migration over `seconds` of it while it uses
 * `cpu` cores [BeloglazovBuyya12]: 0.1 * cpu * seconds, core-seconds. */
double pol_migration_loss(double cpu, double seconds);
/* The degradation one migration causes: 0.1 * mean CPU use * the
 * migration time mem_bytes * 8 / bw_bps (s); in core-seconds. */
double pol_migration_degradation(double mem_bytes, double bw_bps,
				 double mean_cpu);

#endif
