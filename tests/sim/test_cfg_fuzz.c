/* SPDX-License-Identifier: MIT */
/*
 * Deterministic fuzzing of the configuration reader: valid seed configs
 * mutated by a fixed-seed mt19937 (byte flips, YAML-significant inserts,
 * truncations, span copies) must be either accepted, emitted and read back
 * as the same tree, or refused with positioned messages. Never a crash.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sim.h"
#include "../fuzz/cfg_same_tree.h"
#include "../fuzz/mutate.h"

/* Criterion's eq(str, ...) takes char *, and -Wwrite-strings makes
 * literals const: the cast is the price of the new assert API. */
#define STR(s) ((char *)(s))

#define FILE_NAME "fuzz.yaml"
#define MAX_LEN 6000

static const char *const seeds[] = {
	"experiment: {name: clark-specweb, seed: 42, duration: 120s}\n"
	"datacenter:\n"
	"  racks: 2\n"
	"  hosts_per_rack: 4\n"
	"  host: {cpus: 4, memory: 16GiB, nic: 1Gbit/s, machine: x86-vtx}\n"
	"  fabric: {uplink: 10Gbit/s, latency: 50us}\n"
	"vms:\n"
	"  - {name: web1, host: rack0/host0, vcpus: 1, memory: 800MiB, "
	"workload: specweb}\n"
	"migrations:\n"
	"  - vm: web1\n"
	"    to: rack1/host0\n"
	"    at: 10s\n"
	"    scheme: precopy            # push | stop-and-copy | precopy\n"
	"    precopy: {start_rate: 100Mbit/s, rate_step: 50Mbit/s,\n"
	"              max_rate: 500Mbit/s, max_rounds: 30}\n"
	"sweep:\n"
	"  migrations.0.precopy.max_rate: [128Mbit/s, 256Mbit/s, 1Gbit/s]\n"
	"replications: 5\n",

	"# Anchors and aliases\n"
	"defaults: &host\n"
	"  cpus: 8\n"
	"  memory: 32GiB\n"
	"  nic: 10Gbit/s\n"
	"datacenter:\n"
	"  racks: 1\n"
	"  host: *host\n"
	"vms:\n"
	"  - &vm {name: a, host: rack0/host0, vcpus: 2, memory: 1GiB}\n"
	"  - name: b\n"
	"    host: rack0/host1\n"
	"    memory: \"512 MiB\"\n"
	"  - *vm\n"
	"experiment:\n"
	"  name: 'it''s \"quoted\"'\n"
	"  seed: 7\n"
	"  duration: 1.5h\n",

	"---\n"
	"experiment: {name: \"tab\\there \\u00e9\", seed: 1, duration: 10ms}\n"
	"datacenter: {racks: 3, hosts_per_rack: 2, host: {cpus: 2, memory: "
	"4GiB,\n"
	"  nic: 1Gibit/s, machine: mips}, fabric: {uplink: 40Gbit/s, "
	"latency: 2us}}\n"
	"vms: [{name: x, host: rack1/host1, vcpus: 1, memory: 64MiB, "
	"workload: muncher},\n"
	"      {name: y, host: rack2/host0, vcpus: 4, memory: 2GB}]\n"
	"notes: |\n"
	"  free text\n"
	"    indented\n"
	"folded: >\n"
	"  one\n"
	"  two\n"
	"...\n",

	"datacenter:\n"
	"  host:\n"
	"    cpus: 4096\n"
	"    memory: 1TiB\n"
	"    machine: x86-bt\n"
	"  fabric:\n"
	"    uplink: 100GB/s\n"
	"    latency: 1ms\n"
	"? complex\n"
	": value\n"
	"empty:\n"
	"nulls: [~, null, '', \"\"]\n"
	"nested: [[[[a]]], {b: {c: {d: [e]}}}]\n"
	"tags: [!!str 5, !!int '6', !!float 7.5, !!bool true, !!null ~]\n",
};

/* Characters and tokens that mean something to a YAML reader. */
static const char significant[] = ":-[]{}&*!\"'\t\n #,?|>%@`~.=\\";
static const char *const tokens[] = {
	"&a ",	 "*a",	   "!!str ", "<<: *a", "- ",	 ": ",	"---\n",
	"...\n", "? ",	   "{",	     "[",      "'",	 "\"",	"\\u0000",
	"\xef\xbb\xbf", "\xc3\xa9", "\xe2\x80\xa8", "\r\n", "!x ", "%YAML 1.1\n",
	"&b [*a, *a, *a, *a]", "a: &a [1, 2]\n", "\n  ", "\t",
};

typedef struct buf {
	char b[MAX_LEN + 64];
	size_t len;
} buf;

static void insert(buf *x, size_t at, const char *s, size_t n)
{
	fuzz_insert(x->b, &x->len, MAX_LEN, at, s, n);
}


static void mutate(buf *x, gsl_rng *r)
{
	size_t at = fuzz_pick(r, x->len + 1);
	switch (gsl_rng_uniform_int(r, 8)) {
	case 0: /* flip one bit */
		if (x->len)
			x->b[fuzz_pick(r, x->len)] ^= (char)(1u << fuzz_pick(r, 8));
		break;
	case 1: { /* insert a significant character */
		char c = significant[fuzz_pick(r, sizeof significant - 1)];
		insert(x, at, &c, 1);
		break;
	}
	case 2: { /* insert NUL, 0xff or another random byte */
		static const char odd[] = {'\0', (char)0xff, (char)0x80,
					   (char)0xc3, (char)0x07};
		char c = fuzz_pick(r, 2) ? odd[fuzz_pick(r, sizeof odd)]
				    : (char)fuzz_pick(r, 256);
		insert(x, at, &c, 1);
		break;
	}
	case 3: /* delete a span */
		fuzz_delete_span(x->b, &x->len, at, r);
		break;
	case 4: /* truncate */
		x->len = at;
		break;
	case 5: { /* duplicate a span elsewhere */
		char tmp[64];
		size_t n = fuzz_copy_span(x->b, x->len, r, tmp);
		if (n)
			insert(x, fuzz_pick(r, x->len + 1), tmp, n);
		break;
	}
	case 6: { /* insert a YAML token */
		const char *t = tokens[fuzz_pick(r, sizeof tokens / sizeof *tokens)];
		insert(x, at, t, strlen(t));
		break;
	}
	default: /* overwrite with a significant character */
		if (x->len)
			x->b[fuzz_pick(r, x->len)] =
				significant[fuzz_pick(r, sizeof significant - 1)];
		break;
	}
}

/* Which message prefixes a check allows. */
enum origin {
	CONFIG_ONLY,  /* "fuzz.yaml:L:C: " */
	WITH_SET,     /* also "--set:L:C: ", nodes an override brought in */
	WITH_BARE_SET /* also "--set: ", a malformed override */
};

/* Every message line starts with a file name and a 1-based position. */
static bool all_positioned(const char *text, enum origin origin)
{
	if (!text || !*text)
		return false;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			return false;
		const char *p = NULL;
		if (strncmp(line, FILE_NAME ":", sizeof FILE_NAME) == 0)
			p = line + sizeof FILE_NAME;
		else if (origin != CONFIG_ONLY && strncmp(line, "--set:", 6) == 0)
			p = line + 6;
		if (!p)
			return false;
		if (origin == WITH_BARE_SET && p == line + 6 && *p == ' ') {
			line = end + 1;
			continue;
		}
		unsigned l = 0, c = 0;
		int used = 0;
		if (sscanf(p, "%u:%u: %n", &l, &c, &used) != 2 || used == 0 ||
		    l == 0 || c == 0)
			return false;
		line = end + 1;
	}
	return true;
}

/* Small tables shaped like the real ones. */
typedef struct fuzz_cfg {
	uint64_t u[4];
	uint64_t bytes, rate, time;
	double pct, f;
	int64_t i;
	bool b;
	const char *s[2];
	int e;
} fuzz_cfg;

static const char *const machines[] = {"x86-vtx", "x86-bt", "mips", NULL};
static const char *const top_subs[] = {"experiment", "datacenter", "vms",
				       "migrations", "sweep", NULL};
static const char *const dc_subs[] = {"host", "fabric", NULL};

static const cfg_param top_params[] = {
	{"replications", CFG_T_UINT, "1", "1", "1000", NULL,
	 offsetof(fuzz_cfg, u[0]), ""},
};
static const cfg_param dc_params[] = {
	{"racks", CFG_T_UINT, "1", "1", "64", NULL, offsetof(fuzz_cfg, u[0]),
	 ""},
	{"hosts_per_rack", CFG_T_UINT, "1", "1", "64", NULL,
	 offsetof(fuzz_cfg, u[1]), ""},
};
static const cfg_param host_params[] = {
	{"cpus", CFG_T_UINT, "4", "1", "4096", NULL, offsetof(fuzz_cfg, u[0]),
	 ""},
	{"memory", CFG_T_BYTES, "1GiB", "1MiB", "1TiB", NULL,
	 offsetof(fuzz_cfg, bytes), ""},
	{"nic", CFG_T_RATE, "1Gbit/s", "1Mbit/s", NULL, NULL,
	 offsetof(fuzz_cfg, rate), ""},
	{"machine", CFG_T_ENUM, "x86-vtx", NULL, NULL, machines,
	 offsetof(fuzz_cfg, e), ""},
	{"load", CFG_T_PERCENT, "50%", "0%", "100%", NULL,
	 offsetof(fuzz_cfg, pct), ""},
	{"ht", CFG_T_BOOL, "false", NULL, NULL, NULL, offsetof(fuzz_cfg, b),
	 ""},
};
static const cfg_param fabric_params[] = {
	{"uplink", CFG_T_RATE, "10Gbit/s", NULL, NULL, NULL,
	 offsetof(fuzz_cfg, rate), ""},
	{"latency", CFG_T_TIME, "50us", NULL, "1s", NULL,
	 offsetof(fuzz_cfg, time), ""},
};
static const cfg_param vm_params[] = {
	{"name", CFG_T_STRING, NULL, NULL, NULL, NULL, offsetof(fuzz_cfg, s[0]),
	 ""},
	{"host", CFG_T_STRING, "rack0/host0", NULL, NULL, NULL,
	 offsetof(fuzz_cfg, s[1]), ""},
	{"vcpus", CFG_T_UINT, "1", "1", "64", NULL, offsetof(fuzz_cfg, u[0]),
	 ""},
	{"memory", CFG_T_BYTES, "1GiB", NULL, NULL, NULL,
	 offsetof(fuzz_cfg, bytes), ""},
	{"weight", CFG_T_FLOAT, "1", NULL, NULL, NULL, offsetof(fuzz_cfg, f),
	 ""},
	{"offset", CFG_T_INT, "0", NULL, NULL, NULL, offsetof(fuzz_cfg, i), ""},
};
static const cfg_param exp_params[] = {
	{"name", CFG_T_STRING, "run", NULL, NULL, NULL, offsetof(fuzz_cfg, s[0]),
	 ""},
	{"seed", CFG_T_UINT, "1", NULL, NULL, NULL, offsetof(fuzz_cfg, u[0]),
	 ""},
	{"duration", CFG_T_TIME, "1s", NULL, NULL, NULL,
	 offsetof(fuzz_cfg, time), ""},
};

#define SECTION(path, params, subs)                                            \
	{path, "", params, sizeof params / sizeof params[0], subs}

static const cfg_section top_s = SECTION("", top_params, top_subs);
static const cfg_section dc_s = SECTION("datacenter", dc_params, dc_subs);
static const cfg_section host_s = SECTION("datacenter.host", host_params,
					  NULL);
static const cfg_section fabric_s = SECTION("datacenter.fabric",
					    fabric_params, NULL);
static const cfg_section vm_s = SECTION("vms[]", vm_params, NULL);
static const cfg_section exp_s = SECTION("experiment", exp_params, NULL);

static void load_checked(const cfg_section *s, const cfg_node *map,
			 const cfg_node *where)
{
	fuzz_cfg out;
	sim_diag d;
	sim_diag_init(&d);
	int rc = cfg_section_load(s, map, where, &out, &d);
	cr_assert(rc == 0 || rc == SIM_EINPUT, "section %s returned %d",
		  s->path, rc);
	if (rc)
		cr_assert(all_positioned(d.text, WITH_SET), "messages:\n%s",
			  d.text ? d.text : "(none)");
	sim_diag_fini(&d);
}

static void load_sections(const cfg_doc *doc)
{
	const cfg_node *root = cfg_doc_root(doc);
	const cfg_node *dc = cfg_map_get(root, "datacenter");
	load_checked(&top_s, root, root);
	load_checked(&dc_s, dc, root);
	load_checked(&host_s, cfg_map_get(dc, "host"), root);
	load_checked(&fabric_s, cfg_map_get(dc, "fabric"), root);
	load_checked(&exp_s, cfg_map_get(root, "experiment"), root);
	const cfg_node *vms = cfg_map_get(root, "vms");
	for (size_t i = 0; i < cfg_node_len(vms); i++)
		if (cfg_node_kind(vms) == CFG_SEQ)
			load_checked(&vm_s, cfg_node_at(vms, i), root);
}

static const char *const set_args[] = {
	"datacenter.host.cpus=8",
	"vms.0.memory=[1GiB, {a: b}]",
	"experiment.name='x'",
	"sweep.a.b.c=1",
};

static void try_override(cfg_doc *doc, gsl_rng *r)
{
	buf arg;
	const char *base = set_args[fuzz_pick(r, sizeof set_args / sizeof *set_args)];
	arg.len = strlen(base);
	memcpy(arg.b, base, arg.len);
	if (fuzz_pick(r, 2))
		mutate(&arg, r);
	/* An argument is a C string: it ends at the first NUL. */
	arg.b[arg.len] = '\0';
	sim_diag d;
	sim_diag_init(&d);
	int rc = cfg_doc_set_arg(doc, arg.b, &d);
	cr_assert(rc == 0 || rc == SIM_EINPUT, "--set %s returned %d", arg.b,
		  rc);
	if (rc)
		cr_assert(all_positioned(d.text, WITH_BARE_SET), "--set '%s':\n%s", arg.b,
			  d.text ? d.text : "(none)");
	sim_diag_fini(&d);
}

static void run_one(const buf *x, gsl_rng *r, unsigned *accepted)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = (cfg_doc *)1;
	int rc = cfg_doc_parse(FILE_NAME, x->b, x->len, &doc, &d);
	cr_assert(rc == 0 || rc == SIM_EINPUT, "parse returned %d", rc);
	if (rc) {
		cr_assert(eq(ptr, doc, NULL));
		cr_assert(all_positioned(d.text, CONFIG_ONLY),
			  "input:\n%.*s\nmessages:\n%s", (int)x->len, x->b,
			  d.text ? d.text : "(none)");
		sim_diag_fini(&d);
		return;
	}
	++*accepted;
	char *text = cfg_doc_emit(doc);
	cfg_doc *again = NULL;
	rc = cfg_doc_parse(FILE_NAME, text, strlen(text), &again, &d);
	cr_assert(eq(int, rc, 0), "input:\n%.*s\nemitted:\n%s\nmessages:\n%s",
		  (int)x->len, x->b, text, d.text ? d.text : "");
	cr_assert(cfg_same_tree(cfg_doc_root(doc), cfg_doc_root(again)),
		  "input:\n%.*s\nemitted:\n%s", (int)x->len, x->b, text);
	char *text2 = cfg_doc_emit(again);
	cr_assert(eq(str, STR(text2), STR(text)));
	free(text2);
	free(text);
	char *flow = cfg_node_emit_flow(cfg_doc_root(doc));
	cr_assert(eq(ptr, strchr(flow, '\n'), NULL), "flow: %s", flow);
	free(flow);
	load_sections(doc);
	try_override(doc, r);
	load_sections(doc);
	cfg_doc_destroy(again);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

/* 4 x 5000 cases, split so that Criterion can run them in parallel. */
static void fuzz_batch(unsigned long seed, unsigned n)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	unsigned accepted = 0;
	for (unsigned i = 0; i < n; i++) {
		buf x;
		const char *s = seeds[fuzz_pick(r, sizeof seeds / sizeof *seeds)];
		x.len = strlen(s);
		memcpy(x.b, s, x.len);
		unsigned rounds = 1 + (unsigned)fuzz_pick(r, 4);
		for (unsigned k = 0; k < rounds; k++)
			mutate(&x, r);
		run_one(&x, r, &accepted);
	}
	/* Both paths must be exercised for the test to mean anything. */
	cr_expect(gt(u32, accepted, n / 10), "accepted %u of %u", accepted, n);
	cr_expect(lt(u32, accepted, n - n / 10), "accepted %u of %u", accepted,
		  n);
	gsl_rng_free(r);
}

Test(cfg_fuzz, the_seed_configs_are_accepted_and_round_trip)
{
	for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
		buf x;
		x.len = strlen(seeds[i]);
		memcpy(x.b, seeds[i], x.len);
		unsigned accepted = 0;
		gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
		run_one(&x, r, &accepted);
		gsl_rng_free(r);
		cr_assert(eq(u32, accepted, 1), "seed %zu", i);
	}
}

Test(cfg_fuzz, mutated_configs_batch_1_parse_or_fail_with_positions)
{
	fuzz_batch(1, 5000);
}

Test(cfg_fuzz, mutated_configs_batch_2_parse_or_fail_with_positions)
{
	fuzz_batch(2, 5000);
}

Test(cfg_fuzz, mutated_configs_batch_3_parse_or_fail_with_positions)
{
	fuzz_batch(3, 5000);
}

Test(cfg_fuzz, mutated_configs_batch_4_parse_or_fail_with_positions)
{
	fuzz_batch(4, 5000);
}

Test(cfg_fuzz, random_unit_texts_never_crash_and_integers_round_trip)
{
	static const char alphabet[] = "0123456789.-+ eEBkKMGTiIbt/snmuh%";
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 99);
	for (unsigned i = 0; i < 20000; i++) {
		char s[24];
		size_t n = fuzz_pick(r, sizeof s - 1);
		for (size_t k = 0; k < n; k++)
			s[k] = alphabet[fuzz_pick(r, sizeof alphabet - 1)];
		s[n] = '\0';
		uint64_t u;
		int64_t v;
		double f;
		bool b;
		const char *why = NULL;
		int rcs[] = {cfg_parse_bytes(s, &u, &why),
			     cfg_parse_rate(s, &u, &why),
			     cfg_parse_time(s, &u, &why),
			     cfg_parse_percent(s, &f, &why),
			     cfg_parse_int(s, &v, &why),
			     cfg_parse_uint(s, &u, &why),
			     cfg_parse_float(s, &f, &why),
			     cfg_parse_bool(s, &b, &why)};
		for (size_t k = 0; k < sizeof rcs / sizeof *rcs; k++)
			cr_assert(rcs[k] == 0 || rcs[k] == SIM_EINPUT);
		/* Any count of bytes that SQLite stores exactly (below 2^63)
		 * reads back exactly. */
		uint64_t want = gsl_rng_get(r);
		want = (want << 32 ^ gsl_rng_get(r)) >> 1;
		char t[40];
		snprintf(t, sizeof t, "%" PRIu64 "B", want);
		cr_assert(eq(int, cfg_parse_bytes(t, &u, &why), 0));
		cr_assert(eq(u64, u, want));
		snprintf(t, sizeof t, "%" PRIu64 " MiB", want >> 20);
		cr_assert(eq(int, cfg_parse_bytes(t, &u, &why), 0));
		cr_assert(eq(u64, u, want >> 20 << 20));
	}
	gsl_rng_free(r);
}
