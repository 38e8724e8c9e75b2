/* SPDX-License-Identifier: MIT */
/*
 * Deterministic semantic fuzzing of experiment configs: small valid seeds
 * mutated by a fixed-seed mt19937 (values replaced by hostile or foreign
 * tokens, keys deleted, renamed or inserted, list items duplicated, values
 * swapped; the mutations are in dc_mutate.h) must be refused with
 * positioned messages, or load, build and run (bounded by an event budget)
 * without a crash. Not a test of what the runs compute: test_dc.c and the
 * golden suite check that.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "../sim/tmpdir.h"
#include "dc.h"
#include "dc_mutate.h"

/* The seeds: every scheme, policy and fidelity, the knobs, page_writes
 * generators and a replay, dirtying hot/cold and fresh_rate, disks,
 * traffic, two datacenters over a WAN, both placement policies. Small
 * VMs and seconds of simulated time, so that a mutant that keeps their
 * shape runs in milliseconds. Flow mappings one entry per line, so that
 * the mutations below find their keys, values and items. */
static const char *const seeds[] = {
	/* A LAN of two racks: pre-copy (xen) and stop-and-copy (clark),
	 * statistical, with background traffic and worst-fit placement. */
	"experiment: {name: lan, seed: 3, duration: 2s, sample_interval: 500ms}\n"
	"datacenter:\n"
	"  racks: 2\n"
	"  hosts_per_rack: 2\n"
	"  placement: worst-fit\n"
	"  host: {cpus: 8, memory: 256MiB, nic: 1Gbit/s}\n"
	"  fabric: {uplink: 2Gbit/s, latency: 20us}\n"
	"  network: {rack_latency: 2us}\n"
	"vms:\n"
	"  - {name: web, host: rack0/host0, vcpus: 2, memory: 32MiB,\n"
	"     dirtying: {page_size: 4KiB, hot_set: 2MiB, hot_rate: 5000, "
	"cold_rate: 100}}\n"
	"  - {name: db, host: rack1/host1, memory: 16MiB,\n"
	"     dirtying: {hot_set: 1MiB, hot_rate: 2000, cold_rate: 50},\n"
	"     traffic: [{to: web, rate: 100Mbit/s, start: 100ms, stop: 1500ms}]}\n"
	"  - {name: idle, memory: 8MiB, traffic: [{to: db}]}\n"
	"migrations:\n"
	"  - {vm: web, to: rack1/host0, at: 200ms, scheme: precopy, policy: xen,\n"
	"     fidelity: statistical, max_rate: 200Mbit/s, max_rounds: 10,\n"
	"     state_size: 64KiB, activation_cost: 5ms}\n"
	"  - {vm: db, to: rack0/host1, at: 300ms, scheme: stop-and-copy, "
	"policy: clark,\n"
	"     start_rate: 50Mbit/s, rate_step: 20Mbit/s, max_rate: 300Mbit/s}\n"
	"replications: 2\n",

	/* Two datacenters over a WAN: a VM with a local disk and hotset
	 * page writes, pre-copied page-exact under qemu's rule. */
	"experiment: {name: wan, duration: 3s, sample_interval: 1s}\n"
	"datacenter:\n"
	"  racks: 1\n"
	"  hosts_per_rack: 2\n"
	"  host: {memory: 128MiB, nic: 10Gbit/s}\n"
	"  network: {datacenters: 2, wan_bandwidth: 500Mbit/s, "
	"wan_latency: 10ms}\n"
	"vms:\n"
	"  - {name: web, host: dc0/rack0/host0, memory: 16MiB,\n"
	"     page_writes: {kind: hotset, hot_pages: 64, hot_rate: 1000, "
	"cold_rate: 10},\n"
	"     disk: {size: 32MiB, block_size: 4KiB, hot_set: 1MiB, "
	"hot_rate: 200, cold_rate: 5}}\n"
	"  - {name: peer, host: dc1/rack0/host1, memory: 8MiB,\n"
	"     traffic: [{to: web, rate: 50Mbit/s}]}\n"
	"migrations:\n"
	"  - {vm: web, to: dc1/rack0/host0, at: 100ms, scheme: precopy, "
	"policy: qemu,\n"
	"     fidelity: page-exact, max_rate: 400Mbit/s, downtime_limit: 50ms,\n"
	"     disk_max_rounds: 5, disk_write_limit: 1MB/s, redirect_time: 2s,\n"
	"     reservation_cost: 1ms, commitment_cost: 1ms}\n",

	/* Post-copy, hybrid (xen-v2) and push, all page-exact: uniform and
	 * zipf page writes, and dirtying's hot/cold rates drawn by a
	 * generator. */
	"experiment: {name: post, duration: 2s, sample_interval: 250ms}\n"
	"datacenter: {racks: 1, hosts_per_rack: 4, host: {memory: 256MiB, "
	"nic: 1Gbit/s}}\n"
	"vms:\n"
	"  - {name: a, host: rack0/host0, memory: 16MiB,\n"
	"     page_writes: {kind: uniform, pages: 512, offset: 128, rate: 3000}}\n"
	"  - {name: b, host: rack0/host1, memory: 8MiB,\n"
	"     page_writes: {kind: zipf, pages: 1024, rate: 2000, zipf_s: 1.2}}\n"
	"  - {name: c, host: rack0/host2, memory: 8MiB,\n"
	"     dirtying: {hot_set: 512KiB, hot_rate: 800, cold_rate: 20}}\n"
	"migrations:\n"
	"  - {vm: a, to: rack0/host3, at: 100ms, scheme: postcopy, "
	"fidelity: page-exact,\n"
	"     max_rate: 500Mbit/s, pull_batch: 64, prepaging: true, "
	"state_size: 32KiB}\n"
	"  - {vm: b, to: rack0/host2, at: 200ms, scheme: hybrid, policy: xen-v2,\n"
	"     fidelity: page-exact, max_rate: 300Mbit/s, max_rounds: 3, "
	"pull_batch: 256,\n"
	"     prepaging: false}\n"
	"  - {vm: c, to: rack0/host0, at: 150ms, scheme: push, policy: xen,\n"
	"     fidelity: page-exact, max_rate: 200Mbit/s, skip: false,\n"
	"     log_fault_cost: 2us}\n",

	/* The geometric model (fresh_rate) under qemu's rule, and a trace
	 * replayed page-exact (r.pdt, written next to the config). */
	"experiment: {name: geo, duration: 1s, sample_interval: 100ms}\n"
	"datacenter: {racks: 1, hosts_per_rack: 3, host: {memory: 64MiB, "
	"nic: 1Gbit/s}}\n"
	"vms:\n"
	"  - {name: g, host: rack0/host0, memory: 16MiB,\n"
	"     dirtying: {fresh_rate: 8MiB/s}}\n"
	"  - {name: r, host: rack0/host1, memory: 4MiB,\n"
	"     page_writes: {kind: replay, trace: r.pdt}}\n"
	"migrations:\n"
	"  - {vm: g, to: rack0/host2, at: 0s, scheme: precopy, policy: qemu,\n"
	"     max_rate: 64MiB/s, downtime_limit: 30ms, max_rounds: 100,\n"
	"     max_sent_factor: 4, stop_pages: 10}\n"
	"  - {vm: r, to: rack0/host0, at: 100ms, scheme: precopy, "
	"fidelity: page-exact,\n"
	"     max_rate: 1Gbit/s}\n",

	/* Block style, first-fit placement, a disk with fresh_rate, the
	 * hybrid scheme statistical over the racks' uplinks. */
	"experiment:\n"
	"  name: block\n"
	"  duration: 2s\n"
	"  sample_interval: 1s\n"
	"datacenter:\n"
	"  racks: 2\n"
	"  hosts_per_rack: 1\n"
	"  host:\n"
	"    memory: 64MiB\n"
	"    nic: 1Gbit/s\n"
	"  fabric:\n"
	"    uplink: 500Mbit/s\n"
	"vms:\n"
	"  - name: v\n"
	"    memory: 24MiB\n"
	"    vcpus: 4\n"
	"    dirtying:\n"
	"      hot_set: 4MiB\n"
	"      hot_rate: 3000\n"
	"    disk:\n"
	"      size: 8MiB\n"
	"      fresh_rate: 1MB/s\n"
	"  - name: w\n"
	"    memory: 24MiB\n"
	"migrations:\n"
	"  - vm: v\n"
	"    to: rack1/host0\n"
	"    at: 500ms\n"
	"    scheme: hybrid\n"
	"    policy: clark\n"
	"    max_rate: 400Mbit/s\n"
	"    pull_batch: 128\n"
	"    disk_max_rounds: 3\n",
};

#define NSEEDS (sizeof seeds / sizeof *seeds)

/* ------------------------------------------------------------------------
 * Running a case
 * ------------------------------------------------------------------------ */

/* The run's event budget: the seeds finish in a few hundred events; it
 * bounds mutants that sample every microsecond, pull a page at a time or
 * migrate for simulated years. */
#define MAX_EVENTS UINT64_C(10000)

/* A page-exact migration draws every page write of each round in the
 * round's one event, at some nanoseconds a write: mutants whose writes
 * would run into the billions are not run (see would_be_slow). */
#define MAX_EXACT_WRITES 2e7
/* and whose bitmaps would hold more pages than this. */
#define MAX_EXACT_PAGES (UINT64_C(1) << 21)

/* What a batch's cases came to: refused by the reader (unparsed) or by
 * the loader; accepted, and then either skipped as too slow or run, to
 * the end or to the event budget. */
typedef struct stats {
	unsigned cases, unparsed, refused, accepted, skipped, runs, finished;
} stats;

/* The batch's files: a folder with the replay trace, the config's name
 * in messages (inside the folder, so that r.pdt resolves) and one
 * results database for every run of the batch. */
typedef struct fixture {
	char dir[64];
	char *config;
	char *trace;
	sim_results *results;
	int64_t run;
} fixture;

/* Seconds a case may run before the watchdog stops the batch: far more
 * than the slowest case takes under ASan. */
#define WATCHDOG_S 60
#define STRINGIFY(x) #x
#define TEXT_OF(x) STRINGIFY(x)

/* The case running now, for the watchdog's message. A test-only global: a
 * signal handler has no other way to reach it. */
static const buf *current_case;

/* Fails loudly on a case that hangs: the text of the mutant, then abort,
 * which Criterion reports as a crash of the batch. */
static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "\ndc_fuzz: a case ran for more than "
				  TEXT_OF(WATCHDOG_S) " s:\n";
	if (write(2, msg, sizeof msg - 1) < 0 || !current_case)
		abort();
	if (write(2, current_case->b, current_case->len) < 0)
		abort();
	abort();
}

static void fixture_init(fixture *f)
{
	tmpdir_make(f->dir, sizeof f->dir, "/tmp/vdcsim-dcfuzz-XXXXXX");
	f->config = tmpdir_path(f->dir, "fuzz.yaml");
	f->trace = tmpdir_path(f->dir, "r.pdt");
	/* 4 MiB of 4 KiB pages, a hot set written for 2 s in 100 ms
	 * samples: what seed 3's VM r replays. */
	wl_pages_params p;
	memset(&p, 0, sizeof p);
	p.kind = WL_PAGES_HOTSET;
	p.hot_pages = 32;
	p.hot_rate = 2000;
	p.cold_rate = 50;
	trace_pages *t = wl_trace_generate(&p, 1024, 4096, SIM_S(2),
					   SIM_MS(100), 9);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, trace_pages_save(t, f->trace, &d), 0), "%s", d.text);
	trace_pages_destroy(t);
	char *db = tmpdir_path(f->dir, "runs.sqlite");
	cr_assert(eq(int, sim_results_create(db, &f->results, &d), 0), "%s",
		  d.text);
	free(db);
	sim_diag_fini(&d);
	f->run = 0;
	signal(SIGALRM, on_alarm);
}

static void fixture_fini(fixture *f)
{
	alarm(0);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_results_close(f->results, &d), 0), "%s", d.text);
	sim_diag_fini(&d);
	free(f->config);
	free(f->trace);
	tmpdir_remove(f->dir);
}

/* Every message line starts with "FILE:LINE:COL: " (1-based), FILE the
 * config or a trace it names. */
static bool all_positioned(const fixture *f, const char *text)
{
	if (!text || !*text)
		return false;
	const char *files[] = {f->config, f->trace, "/dev/null"};
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			return false;
		const char *p = NULL;
		for (size_t i = 0; i < sizeof files / sizeof *files && !p; i++) {
			size_t n = strlen(files[i]);
			if (strncmp(line, files[i], n) == 0 && line[n] == ':')
				p = line + n + 1;
		}
		if (!p)
			return false;
		unsigned ln = 0, col = 0;
		int used = 0;
		if (sscanf(p, "%u:%u: %n", &ln, &col, &used) != 2 || used == 0 ||
		    ln == 0 || col == 0 || p + used > end)
			return false;
		line = end + 1;
	}
	return true;
}

static double min_u64(double a, uint64_t b)
{
	return (double)b < a ? (double)b : a;
}

/* The greatest value of vms[].page_writes' parameter `name`: what a
 * page-write generator takes. */
static double generator_max(const char *name)
{
	const cfg_section *s = wl_sections()[0];
	for (size_t i = 0; i < s->nparams; i++) {
		double v;
		const char *why;
		if (strcmp(s->params[i].name, name) == 0 && s->params[i].max &&
		    cfg_parse_float(s->params[i].max, &v, &why) == 0)
			return v;
	}
	cr_fatal("vms[].page_writes.%s has no greatest value", name);
	return 0;
}

/* Page writes per second a page-exact migration of vm draws, in all
 * (*sum) and the greatest of the rates that make it up (*most). */
static void exact_write_rates(const dc_vm_cfg *vm, double *sum, double *most)
{
	double a = 0, b = 0;
	if (vm->page_writes_node) {
		const wl_pages_params *p = &vm->page_writes;
		if (p->kind == WL_PAGES_HOTSET) {
			a = p->hot_rate;
			b = p->cold_rate;
		} else if (p->kind != WL_PAGES_REPLAY) {
			a = p->rate; /* a replay is bounded by its trace */
		}
	} else {
		a = vm->dirtying.hot_writes_per_s;
		b = vm->dirtying.cold_writes_per_s;
	}
	*sum = a + b;
	*most = a > b ? a : b;
}

/* Whether running c would take far longer than a fuzz case should: many
 * hosts (every sample writes a row per host), or a page-exact migration
 * with large bitmaps (O(pages) a round) or that would draw too many
 * writes. A round's writes are drawn in one event, so the event budget
 * does not bound them; the estimate of a migration's length is generous:
 * its bytes, a few times over (rounds), at the slowest rate on its way,
 * shared with every other flow. Only what the models take may be skipped:
 * a generator of more pages or writes/s than page_writes: may have is the
 * loader's to refuse (it would panic or loop for ever), so it is run. */
static bool would_be_slow(const dc_config *c)
{
	const dc_datacenter_cfg *dcc = &c->datacenter;
	const net_dc_params *np = &dcc->network;
	if (np->datacenters * dcc->racks * dcc->hosts_per_rack > 256)
		return true;
	size_t flows = c->nmigrations;
	for (size_t v = 0; v < c->nvms; v++)
		flows += c->vms[v].ntraffic;
	for (size_t i = 0; i < c->nmigrations; i++) {
		const dc_migration_cfg *m = &c->migrations[i];
		const dc_vm_cfg *vm = &c->vms[m->vm_index];
		if (m->fidelity != DC_FIDELITY_PAGE_EXACT)
			continue;
		uint64_t pages = mem_pages_of_bytes(vm->memory_bytes,
						    vm->dirtying.page_size_bytes);
		double rate, most;
		exact_write_rates(vm, &rate, &most);
		if ((double)pages > generator_max("pages") ||
		    most > generator_max("rate"))
			continue;
		if (pages > MAX_EXACT_PAGES)
			return true;
		double bps = min_u64(1e300, m->mig.max_rate_bps);
		bps = min_u64(bps, dcc->host.nic_bps);
		bps = min_u64(bps, dcc->fabric.uplink_bps);
		if (np->datacenters > 1)
			bps = min_u64(bps, np->wan_bps);
		double rounds = (double)m->mig.max_rounds + 2;
		if (rounds > m->mig.max_sent_factor + 2 &&
		    m->mig.policy != MIG_POLICY_QEMU)
			rounds = m->mig.max_sent_factor + 2;
		double bytes = (double)vm->memory_bytes +
			       (double)m->mig.state_bytes;
		double seconds = (double)c->experiment.duration_ns / 1e9 +
				 8 * bytes * rounds * (double)(flows + 1) / bps +
				 (double)(m->mig.redirect_ns +
					  m->mig.reservation_ns +
					  m->mig.commitment_ns +
					  m->mig.activation_ns) / 1e9;
		if (rate * seconds > MAX_EXACT_WRITES)
			return true;
	}
	return false;
}

static void stop_run(void *ctx, sim_engine *e)
{
	(void)ctx;
	sim_stop(e);
}

static void run_case(fixture *f, const buf *x, stats *st)
{
	st->cases++;
	current_case = x;
	alarm(WATCHDOG_S);
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	int rc = cfg_doc_parse(f->config, x->b, x->len, &doc, &d);
	cr_assert(rc == 0 || rc == SIM_EINPUT, "parse returned %d", rc);
	if (rc != 0) {
		st->unparsed++;
		cr_assert(all_positioned(f, d.text), "input:\n%.*s\nmessages:\n%s",
			  (int)x->len, x->b, d.text ? d.text : "(none)");
		sim_diag_fini(&d);
		return;
	}
	dc_config *c = (dc_config *)1;
	rc = dc_config_load(doc, &c, &d);
	cr_assert(rc == 0 || rc == SIM_EINPUT, "dc_config_load returned %d", rc);
	if (rc != 0) {
		st->refused++;
		cr_assert(eq(ptr, c, NULL));
		cr_assert(all_positioned(f, d.text), "input:\n%.*s\nmessages:\n%s",
			  (int)x->len, x->b, d.text ? d.text : "(none)");
		goto done;
	}
	cr_assert(eq(u32, d.errors, 0), "messages:\n%s", d.text);
	st->accepted++;
	/* The loader has built the world once to check placements; a world
	 * too large to run is not built again here. */
	if (would_be_slow(c)) {
		st->skipped++;
		goto done;
	}
	/* A config that loads is one whose world builds (config.c): a
	 * refusal here would be positioned, but is a broken promise all the
	 * same. */
	dc_world *w = (dc_world *)1;
	rc = dc_world_build(c, &w, &d);
	cr_assert(eq(int, rc, 0), "input:\n%.*s\nmessages (%s):\n%s",
		  (int)x->len, x->b,
		  all_positioned(f, d.text) ? "positioned" : "NOT positioned",
		  d.text ? d.text : "(none)");
	dc_world_destroy(w);
	st->runs++;
	sim_results_set_run(f->results, ++f->run);
	dc_progress progress = {.fn = stop_run, .ctx = NULL,
				.every = MAX_EVENTS};
	dc_run_stats rs;
	rc = dc_experiment_run(c, c->experiment.seed, f->results, &progress,
			       &rs, &d);
	cr_assert(rc == 0 || rc == SIM_EINTR,
		  "dc_experiment_run returned %d\ninput:\n%.*s\nmessages:\n%s",
		  rc, (int)x->len, x->b, d.text ? d.text : "(none)");
	cr_assert(eq(u32, d.errors, 0), "messages:\n%s", d.text);
	if (rc == 0) {
		st->finished++;
		/* A finished run lasts at least its duration. */
		cr_assert(ge(u64, rs.end_ns, c->experiment.duration_ns),
			  "input:\n%.*s", (int)x->len, x->b);
	}
done:
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	alarm(0);
	current_case = NULL;
}

static void load_seed(buf *x, size_t i)
{
	x->len = strlen(seeds[i]);
	cr_assert(x->len <= MAX_LEN);
	memcpy(x->b, seeds[i], x->len);
}

/* n cases of 1 to 4 mutations of a seed each. */
static void fuzz_batch(unsigned long seed, unsigned n)
{
	fixture f;
	fixture_init(&f);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	stats st = {0};
	buf *x = malloc(sizeof *x);
	cr_assert(not(eq(ptr, x, NULL)));
	for (unsigned i = 0; i < n; i++) {
		load_seed(x, fuzz_pick(r, NSEEDS));
		/* Half the cases one mutation, which the loader often takes;
		 * the others up to four. */
		unsigned rounds = fuzz_pick(r, 2) ? 1 : 2 + (unsigned)fuzz_pick(r, 3);
		for (unsigned k = 0; k < rounds; k++)
			mutate(x, r);
		run_case(&f, x, &st);
	}
	cr_log_info("batch %lu: %u cases: %u unparsed, %u refused, %u "
		    "accepted: %u run (%u to the end), %u skipped",
		    seed, st.cases, st.unparsed, st.refused, st.accepted,
		    st.runs, st.finished, st.skipped);
	/* Both paths, and the runs, must be exercised for the test to mean
	 * anything. */
	cr_expect(gt(u32, st.refused, n / 3), "refused %u of %u", st.refused, n);
	cr_expect(gt(u32, st.accepted, n / 6), "accepted %u of %u", st.accepted,
		  n);
	cr_expect(gt(u32, st.runs, n / 8), "ran %u of %u", st.runs, n);
	cr_expect(gt(u32, st.finished, n / 10), "finished %u of %u",
		  st.finished, n);
	free(x);
	gsl_rng_free(r);
	fixture_fini(&f);
}

Test(dc_fuzz, the_seed_configs_load_and_run_to_the_end)
{
	fixture f;
	fixture_init(&f);
	buf *x = malloc(sizeof *x);
	cr_assert(not(eq(ptr, x, NULL)));
	for (size_t i = 0; i < NSEEDS; i++) {
		stats st = {0};
		load_seed(x, i);
		run_case(&f, x, &st);
		cr_assert(eq(u32, st.finished, 1), "seed %zu: %u accepted, %u run",
			  i, st.accepted, st.runs);
	}
	free(x);
	fixture_fini(&f);
}

Test(dc_fuzz, the_scanner_finds_every_value_of_a_flow_mapping)
{
	static const char text[] = "a: {b: 1, c: [x, {d: 2}], e: f}\n";
	layout *l = malloc(sizeof *l);
	cr_assert(not(eq(ptr, l, NULL)));
	scan(l, text, strlen(text));
	/* 1, x, 2 and f are the scalars; a, b, c, d and e the keys. */
	cr_assert(eq(sz, l->nscalars, 4));
	cr_assert(eq(sz, l->nkeys, 5));
	cr_assert(eq(sz, l->nmaps, 2));
	cr_assert(eq(sz, l->nitems, 2));
	const char *want[] = {"1", "x", "2", "f"};
	for (size_t i = 0; i < 4; i++)
		cr_assert(eq(int, strncmp(text + l->scalars[i].start, want[i],
					  l->scalars[i].end - l->scalars[i].start),
			     0));
	free(l);
}

Test(dc_fuzz, mutated_configs_batch_1_are_refused_with_positions_or_run)
{
	fuzz_batch(1, 2500);
}

Test(dc_fuzz, mutated_configs_batch_2_are_refused_with_positions_or_run)
{
	fuzz_batch(2, 2500);
}

Test(dc_fuzz, mutated_configs_batch_3_are_refused_with_positions_or_run)
{
	fuzz_batch(3, 2500);
}

Test(dc_fuzz, mutated_configs_batch_4_are_refused_with_positions_or_run)
{
	fuzz_batch(4, 2500);
}
