/* SPDX-License-Identifier: MIT */
/*
 * Deterministic semantic fuzzing of experiment configs: small valid seeds
 * mutated by a fixed-seed mt19937 (values replaced by hostile or foreign
 * tokens, keys deleted, renamed or inserted, list items duplicated, values
 * swapped) must be refused with positioned messages, or load, build and
 * run (bounded by an event budget) without a crash. Not a test of what the
 * runs compute: test_dc.c and the golden suite check that.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "../fuzz/mutate.h"
#include "../sim/tmpdir.h"
#include "dc.h"

#define MAX_LEN 8000

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

/* Values that ranges, units, kinds and names must all refuse or survive:
 * extremes, wrong units, empty and compound values, other keys' enum
 * choices and names of hosts and VMs that may or may not exist. */
static const char *const nasty[] = {
	"0", "-1", "1", "18446744073709551615", "99999999999999999999",
	"1e308", "nan", "inf", "-inf", "0.5", "1e-9", "4294967296",
	"4294967295", "65536", "0B", "1B", "1023B", "512B", "1TiB",
	"1024TiB", "0bit/s", "1bit/s", "1000Tbit/s", "0ns", "1ns", "720h",
	"''", "[]", "{}", "~", "true", "no", "postcopy", "hybrid", "push",
	"stop-and-copy", "precopy", "page-exact", "statistical", "xen-v2",
	"clark", "qemu", "hotset", "uniform", "zipf", "replay", "sweep", "specweb",
	"quake3", "worst-fit", "rack0/host0", "rack0/host1", "rack1/host0",
	"rack9/host9", "dc1/rack0/host0", "dc0/rack0/host1", "rack0/host01",
	"web", "a", "db", "r.pdt", ".", "/dev/null", "missing.pdt",
	"\"\\x00\"", "'r.pdt '", "1e10", "-0", "1s", "0s",
};

/* Values a key might well take: mutants made of them mostly load, so the
 * loaded configs reach the run with unusual combinations. */
static const char *const plausible[] = {
	"1", "2", "3", "8", "64", "200", "1000", "1e5", "0.9", "2MiB",
	"4KiB", "8MiB", "16MiB", "64MiB", "1GiB", "10Mbit/s", "100Mbit/s",
	"1Gbit/s", "10Gbit/s", "1ms", "50ms", "300ms", "1s", "0s",
	"postcopy", "hybrid", "push", "stop-and-copy", "precopy",
	"page-exact", "statistical", "xen", "xen-v2", "clark", "qemu",
	"true", "false", "rack0/host1", "rack1/host0", "rack0/host2",
	"rack0/host3", "dc1/rack0/host1", "web", "a", "b", "c", "g", "r", "v",
	"w", "peer", "idle", "db", "{kind: hotset, hot_pages: 16, hot_rate: "
	"100, cold_rate: 1}", "{kind: uniform, rate: 500}",
	"{kind: zipf, rate: 100}", "{kind: sweep, pages: 64, rate: 300}",
	"[{to: web}]", "{size: 4MiB}",
	"{hot_set: 1MiB, hot_rate: 100}",
};

/* Keys to insert or rename to: every key of the experiment's parameter
 * tables (dc_section_at) and of their subsections, plus near misses. */
static const char *const extra_keys[] = {"bogus", "sweep", "replications",
					 "Name", "max-rate"};

static const char *pick_key(gsl_rng *r)
{
	size_t n = 0;
	for (size_t i = 0; dc_section_at(i); i++) {
		const cfg_section *s = dc_section_at(i);
		n += s->nparams;
		for (size_t k = 0; s->subsections && s->subsections[k]; k++)
			n++;
	}
	size_t want = fuzz_pick(r, n + sizeof extra_keys / sizeof *extra_keys);
	for (size_t i = 0; dc_section_at(i); i++) {
		const cfg_section *s = dc_section_at(i);
		if (want < s->nparams)
			return s->params[want].name;
		want -= s->nparams;
		for (size_t k = 0; s->subsections && s->subsections[k]; k++)
			if (want-- == 0)
				return s->subsections[k];
	}
	return extra_keys[want];
}

/* A hostile value three times in eight, another key's name once in
 * eight, a plausible value otherwise. */
static const char *pick_value(gsl_rng *r)
{
	size_t how = fuzz_pick(r, 8);
	if (how == 0)
		return pick_key(r);
	if (how < 4)
		return nasty[fuzz_pick(r, sizeof nasty / sizeof *nasty)];
	return plausible[fuzz_pick(r, sizeof plausible / sizeof *plausible)];
}

/* Values of one type at the extremes of what its parser takes: they
 * pass the parse and reach range checks, the loader's cross-checks and
 * the models. */
static const char *const uint_extremes[] = {"0", "1", "2", "4294967295",
	"4294967296", "9223372036854775807", "18446744073709551615"};
static const char *const float_extremes[] = {"0", "1e-300", "0.001", "1e10",
	"1e15", "1e308", "-0", "4.9e-324"};
static const char *const bytes_extremes[] = {"0B", "1B", "511B", "4095B",
	"4KiB", "1GiB", "1TiB", "1024TiB", "16EiB", "18446744073709551615B"};
static const char *const rate_extremes[] = {"0bit/s", "1bit/s", "7bit/s",
	"1kbit/s", "1Tbit/s", "10Tbit/s", "100Tbit/s", "1000Tbit/s",
	"18446744073709551615bit/s"};
static const char *const time_extremes[] = {"0ns", "1ns", "999ns", "1us",
	"1s", "1h", "720h", "18446744073709551615ns", "300000h"};

static const char *const string_extremes[] = {"''", ".", "/", "/dev/null",
	"r.pdt", "missing.pdt", "rack0/host0", "dc1/rack0/host0", "web",
	"rack0/host1/", "dc0/rack0", "a-very-long-name-"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};

static const char *pick_extreme(gsl_rng *r, const cfg_param *p)
{
#define PICK(a) a[fuzz_pick(r, sizeof a / sizeof *a)]
	switch (p->type) {
	case CFG_T_UINT:
	case CFG_T_INT:
		return PICK(uint_extremes);
	case CFG_T_FLOAT:
	case CFG_T_PERCENT:
		return PICK(float_extremes);
	case CFG_T_BYTES:
	case CFG_T_POW2:
		return PICK(bytes_extremes);
	case CFG_T_RATE:
		return PICK(rate_extremes);
	case CFG_T_TIME:
		return PICK(time_extremes);
	case CFG_T_STRING:
		return PICK(string_extremes);
	default:
		return pick_value(r);
	}
#undef PICK
}

/* A value for key (n bytes). If the key is a parameter (keys in several
 * tables, memory or hot_rate, take one of them): a third of the time what
 * its table gives (its default, least or greatest value, or a choice),
 * which the loader must take; a third an extreme of its type. Otherwise,
 * and for other keys, as pick_value. */
static const char *pick_value_for(gsl_rng *r, const char *key, size_t n)
{
	const cfg_param *found[8];
	size_t nfound = 0;
	for (size_t i = 0; dc_section_at(i); i++) {
		const cfg_section *s = dc_section_at(i);
		for (size_t k = 0; k < s->nparams && nfound < 8; k++) {
			const cfg_param *p = &s->params[k];
			if (strlen(p->name) == n && strncmp(p->name, key, n) == 0)
				found[nfound++] = p;
		}
	}
	size_t how = fuzz_pick(r, 3);
	if (!nfound || how == 2)
		return pick_value(r);
	const cfg_param *p = found[fuzz_pick(r, nfound)];
	if (how == 1)
		return pick_extreme(r, p);
	const char *edges[32];
	size_t nedges = 0;
	const char *e[] = {p->def, p->min, p->max};
	for (size_t j = 0; j < 3; j++)
		if (e[j])
			edges[nedges++] = e[j];
	for (size_t j = 0; p->choices && p->choices[j] && nedges < 32; j++)
		edges[nedges++] = p->choices[j];
	return nedges ? edges[fuzz_pick(r, nedges)] : pick_value(r);
}

/* ------------------------------------------------------------------------
 * Where a text's keys, values and items are. A forgiving scanner of the
 * YAML subset the seeds use (block mappings and sequences, flow mappings
 * and sequences, plain scalars); on text it does not follow it stops and
 * keeps what it found, which is all the mutations need.
 * ------------------------------------------------------------------------ */

typedef struct span {
	size_t start, end;
} span;

#define MAX_SPANS 512

typedef struct layout {
	span scalars[MAX_SPANS]; /* plain scalar values */
	span scalar_key[MAX_SPANS]; /* each one's key ({0, 0}: none) */
	size_t nscalars;
	span keys[MAX_SPANS];    /* keys of mapping entries */
	size_t nkeys;
	span entries[MAX_SPANS]; /* key: value, with its lines when block */
	bool entry_flow[MAX_SPANS];
	size_t nentries;
	span items[MAX_SPANS];   /* sequence items, with their lines if block */
	bool item_flow[MAX_SPANS];
	size_t nitems;
	size_t maps[MAX_SPANS];  /* just after a flow mapping's '{' */
	size_t nmaps;
} layout;

static void add(span *a, size_t *n, size_t start, size_t end)
{
	if (*n < MAX_SPANS && end > start)
		a[(*n)++] = (span){start, end};
}

static void add_scalar(layout *l, size_t start, size_t end, span key)
{
	if (l->nscalars < MAX_SPANS && end > start) {
		l->scalar_key[l->nscalars] = key;
		l->scalars[l->nscalars++] = (span){start, end};
	}
}

static size_t skip_blanks(const char *b, size_t len, size_t p)
{
	while (p < len && (b[p] == ' ' || b[p] == '\n'))
		p++;
	return p;
}

/* The end of a plain scalar starting at p in flow context. */
static size_t scalar_end(const char *b, size_t len, size_t p)
{
	size_t e = p;
	while (e < len && !strchr(",{}[]\n#", b[e]))
		e++;
	while (e > p && b[e - 1] == ' ')
		e--;
	return e;
}

static size_t flow_value(layout *l, const char *b, size_t len, size_t p,
			 unsigned depth);

/* A value in flow context at p (after blanks): a flow collection or a
 * scalar, the value of key (if it is not empty). Returns its end. */
static size_t any_value(layout *l, const char *b, size_t len, size_t p,
			unsigned depth, span key)
{
	if (p < len && (b[p] == '{' || b[p] == '['))
		return flow_value(l, b, len, p, depth + 1);
	size_t e = scalar_end(b, len, p);
	add_scalar(l, p, e, key);
	return e;
}

/* A flow mapping or sequence at p; returns the position after its closing
 * bracket (or where the scanner gave up). */
static size_t flow_value(layout *l, const char *b, size_t len, size_t p,
			 unsigned depth)
{
	if (depth > 16)
		return len;
	bool map = b[p] == '{';
	char close = map ? '}' : ']';
	if (map && l->nmaps < MAX_SPANS)
		l->maps[l->nmaps++] = p + 1;
	p++;
	for (;;) {
		p = skip_blanks(b, len, p);
		if (p >= len)
			return len;
		if (b[p] == close)
			return p + 1;
		size_t start = p, end;
		if (map) {
			size_t k = p;
			while (k < len && !strchr(":,{}[]\n", b[k]))
				k++;
			if (k >= len || b[k] != ':')
				return len;
			add(l->keys, &l->nkeys, start, k);
			end = any_value(l, b, len, skip_blanks(b, len, k + 1),
					depth, (span){start, k});
			if (l->nentries < MAX_SPANS && end > start) {
				l->entry_flow[l->nentries] = true;
				l->entries[l->nentries++] = (span){start, end};
			}
		} else {
			end = any_value(l, b, len, p, depth, (span){0, 0});
			if (l->nitems < MAX_SPANS && end > start) {
				l->item_flow[l->nitems] = true;
				l->items[l->nitems++] = (span){start, end};
			}
		}
		p = skip_blanks(b, len, end);
		if (p < len && b[p] == ',')
			p++;
		else if (p < len && b[p] == close)
			return p + 1;
		else
			return len;
	}
}

static size_t line_end(const char *b, size_t len, size_t p)
{
	while (p < len && b[p] != '\n')
		p++;
	return p < len ? p + 1 : len;
}

static size_t indent_at(const char *b, size_t len, size_t p)
{
	size_t i = 0;
	while (p + i < len && b[p + i] == ' ')
		i++;
	return i;
}

/* The end of the lines after `from` indented deeper than `indent`. */
static size_t block_end(const char *b, size_t len, size_t from, size_t indent)
{
	size_t p = from;
	while (p < len) {
		size_t i = indent_at(b, len, p);
		if (p + i < len && b[p + i] != '\n' && i <= indent)
			break;
		p = line_end(b, len, p);
	}
	return p;
}

/* Scans a block line's mapping entry at k (its key's first character):
 * returns where scanning goes on. */
static size_t block_entry(layout *l, const char *b, size_t len,
			  size_t line, size_t k, size_t indent)
{
	size_t c = k;
	while (c < len && !strchr(":\n{}[],", b[c]))
		c++;
	if (c >= len || b[c] != ':')
		return line_end(b, len, line);
	add(l->keys, &l->nkeys, k, c);
	size_t v = c + 1;
	while (v < len && b[v] == ' ')
		v++;
	size_t after;
	if (v < len && (b[v] == '{' || b[v] == '['))
		after = flow_value(l, b, len, v, 1);
	else if (v < len && b[v] != '\n' && b[v] != '#')
		after = any_value(l, b, len, v, 0, (span){k, c});
	else
		after = v;
	after = line_end(b, len, after > line ? after - 1 : line);
	after = block_end(b, len, after, indent);
	if (l->nentries < MAX_SPANS) {
		l->entry_flow[l->nentries] = false;
		l->entries[l->nentries++] = (span){line, after};
	}
	/* The lines below a key with no value on its own line are its
	 * block value: scanned on as lines of their own. */
	return v < len && (b[v] == '\n' || b[v] == '#') ? line_end(b, len, v)
							: after;
}

static void scan(layout *l, const char *b, size_t len)
{
	memset(l, 0, sizeof *l);
	size_t p = 0;
	while (p < len) {
		size_t line = p, indent = indent_at(b, len, p);
		size_t k = p + indent;
		if (k >= len || b[k] == '\n' || b[k] == '#') {
			p = line_end(b, len, p);
			continue;
		}
		if (b[k] == '-' && k + 1 < len && b[k + 1] == ' ') {
			size_t end = block_end(b, len, line_end(b, len, k), indent);
			if (l->nitems < MAX_SPANS) {
				l->item_flow[l->nitems] = false;
				l->items[l->nitems++] = (span){line, end};
			}
			size_t v = k + 2;
			if (v < len && (b[v] == '{' || b[v] == '[')) {
				size_t after = flow_value(l, b, len, v, 1);
				p = line_end(b, len, after > line ? after - 1 : line);
			} else {
				/* "- key: value": an entry indented as its key. */
				p = block_entry(l, b, len, line, v, indent + 2);
			}
			continue;
		}
		p = block_entry(l, b, len, line, k, indent);
	}
}

/* ------------------------------------------------------------------------
 * Mutations
 * ------------------------------------------------------------------------ */

typedef struct buf {
	char b[MAX_LEN + 1];
	size_t len;
} buf;

/* Replaces [s.start, s.end) of x by n bytes of t, unless x would grow
 * past MAX_LEN. */
static void replace(buf *x, span s, const char *t, size_t n)
{
	if (x->len - (s.end - s.start) + n > MAX_LEN)
		return;
	memmove(x->b + s.start + n, x->b + s.end, x->len - s.end);
	memcpy(x->b + s.start, t, n);
	x->len = x->len - (s.end - s.start) + n;
}

static void insert_at(buf *x, size_t at, const char *t, size_t n)
{
	fuzz_insert(x->b, &x->len, MAX_LEN, at, t, n);
}

/* Deletes an entry of a flow mapping with one of its commas, or a block
 * entry with its lines. */
static void delete_entry(buf *x, span s, bool flow)
{
	if (flow) {
		size_t e = s.end;
		while (e < x->len && x->b[e] == ' ')
			e++;
		if (e < x->len && x->b[e] == ',') {
			s.end = e + 1;
		} else {
			size_t p = s.start;
			while (p > 0 && (x->b[p - 1] == ' ' || x->b[p - 1] == '\n'))
				p--;
			if (p > 0 && x->b[p - 1] == ',')
				s.start = p - 1;
		}
	}
	replace(x, s, "", 0);
}

/* Duplicates a sequence item; if `rename`, the copy's name (its first
 * "name: " value) gets a "2", so that a VM's copy is a new VM. */
static void duplicate_item(buf *x, span s, bool flow, bool rename)
{
	char tmp[MAX_LEN + 4];
	size_t n = s.end - s.start;
	memcpy(tmp, x->b + s.start, n);
	tmp[n] = '\0';
	char *name = strstr(tmp, "name: ");
	if (rename && name) {
		size_t at = (size_t)(name - tmp) + 6;
		at += strcspn(tmp + at, ",}\n ");
		memmove(tmp + at + 1, tmp + at, n - at);
		tmp[at] = '2';
		n++;
	}
	if (flow) {
		memcpy(tmp + n, ", ", 2);
		insert_at(x, s.start, tmp, n + 2);
	} else {
		insert_at(x, s.end, tmp, n);
	}
}

static void swap_spans(buf *x, span a, span b)
{
	if (a.start > b.start) {
		span t = a;
		a = b;
		b = t;
	}
	if (a.end > b.start)
		return; /* nested or overlapping */
	char ta[MAX_LEN], tb[MAX_LEN];
	size_t na = a.end - a.start, nb = b.end - b.start;
	memcpy(ta, x->b + a.start, na);
	memcpy(tb, x->b + b.start, nb);
	/* The later span first, so that the earlier one's offsets hold. */
	replace(x, b, ta, na);
	replace(x, a, tb, nb);
}

static void mutate(buf *x, gsl_rng *r)
{
	layout *l = malloc(sizeof *l);
	cr_assert(not(eq(ptr, l, NULL)));
	scan(l, x->b, x->len);
	switch (fuzz_pick(r, 13)) {
	case 0: case 1: case 2: case 3: case 4: /* replace a value */
		if (l->nscalars) {
			size_t i = fuzz_pick(r, l->nscalars);
			span k = l->scalar_key[i];
			const char *t = pick_value_for(r, x->b + k.start,
						       k.end - k.start);
			replace(x, l->scalars[i], t, strlen(t));
		}
		break;
	case 5: case 6: /* delete a key with its value */
		if (l->nentries) {
			size_t i = fuzz_pick(r, l->nentries);
			delete_entry(x, l->entries[i], l->entry_flow[i]);
		}
		break;
	case 7: /* duplicate a sequence item */
		if (l->nitems) {
			size_t i = fuzz_pick(r, l->nitems);
			duplicate_item(x, l->items[i], l->item_flow[i],
				       fuzz_pick(r, 2));
		}
		break;
	case 8: /* swap two values */
		if (l->nscalars >= 2)
			swap_spans(x, l->scalars[fuzz_pick(r, l->nscalars)],
				   l->scalars[fuzz_pick(r, l->nscalars)]);
		break;
	case 9: /* swap two entries (of maybe different mappings) */
		if (l->nentries >= 2) {
			size_t i = fuzz_pick(r, l->nentries);
			size_t j = fuzz_pick(r, l->nentries);
			if (l->entry_flow[i] && l->entry_flow[j])
				swap_spans(x, l->entries[i], l->entries[j]);
		}
		break;
	case 10: /* rename a key */
		if (l->nkeys) {
			const char *k = pick_key(r);
			replace(x, l->keys[fuzz_pick(r, l->nkeys)], k, strlen(k));
		}
		break;
	default: /* insert a key into a flow mapping */
		if (l->nmaps) {
			size_t at = l->maps[fuzz_pick(r, l->nmaps)];
			const char *k = pick_key(r);
			const char *v = pick_value_for(r, k, strlen(k));
			size_t p = skip_blanks(x->b, x->len, at);
			bool last = p < x->len && x->b[p] == '}';
			char tmp[256];
			int n = snprintf(tmp, sizeof tmp, "%s: %s%s", k, v,
					 last ? "" : ", ");
			insert_at(x, at, tmp, (size_t)n);
		}
		break;
	}
	free(l);
}

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
