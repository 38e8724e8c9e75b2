/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of sim/cfg_params.c: loading a mapping against a parameter
 * table (defaults, units, bounds, enums, strings), the exact message of
 * every refusal, and the self-check that panics on a broken table.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Criterion's eq(str, ...) takes char *, and -Wwrite-strings makes
 * literals const: the cast is the price of the new assert API. */
#define STR(s) ((char *)(s))

typedef struct host_cfg {
	uint64_t cpus;
	uint64_t memory_bytes;
	uint64_t nic_bps;
	uint64_t boot_ns;
	double load;
	double weight;
	int64_t offset;
	bool ht;
	const char *name;
	int placement;
} host_cfg;

static const char *const placements[] = {"first-fit", "worst-fit", NULL};
static const char *const host_subsections[] = {"disks", NULL};

static const cfg_param host_params[] = {
	{"cpus", CFG_T_UINT, "4", "1", "4096", NULL, offsetof(host_cfg, cpus),
	 "cores"},
	{"memory", CFG_T_BYTES, "16GiB", "1MiB", "1TiB", NULL,
	 offsetof(host_cfg, memory_bytes), "RAM"},
	{"nic", CFG_T_RATE, "1Gbit/s", "1Mbit/s", NULL, NULL,
	 offsetof(host_cfg, nic_bps), "NIC rate"},
	{"boot", CFG_T_TIME, "10s", NULL, "1h", NULL,
	 offsetof(host_cfg, boot_ns), "boot time"},
	{"load", CFG_T_PERCENT, "50%", "0%", "100%", NULL,
	 offsetof(host_cfg, load), "target load"},
	{"weight", CFG_T_FLOAT, "1.5", "0", NULL, NULL,
	 offsetof(host_cfg, weight), "weight"},
	{"offset", CFG_T_INT, "0", "-10", "10", NULL,
	 offsetof(host_cfg, offset), "offset"},
	{"ht", CFG_T_BOOL, "false", NULL, NULL, NULL, offsetof(host_cfg, ht),
	 "hyper-threading"},
	{"name", CFG_T_STRING, NULL, NULL, NULL, NULL,
	 offsetof(host_cfg, name), "host name"},
	{"placement", CFG_T_ENUM, "first-fit", NULL, NULL, placements,
	 offsetof(host_cfg, placement), "placement"},
};

static const cfg_section host_section = {
	"datacenter.host", "a host", host_params,
	sizeof host_params / sizeof host_params[0], host_subsections};

typedef struct loaded {
	cfg_doc *doc;
	host_cfg cfg;
	int rc;
	char *msg;
} loaded;

/* Parses text and loads its `host` key against the host table. */
static loaded load(const char *text)
{
	loaded l;
	memset(&l, 0, sizeof l);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("c.yaml", text, strlen(text), &l.doc,
					&d),
		     0),
		  "%s", d.text ? d.text : "");
	const cfg_node *root = cfg_doc_root(l.doc);
	l.rc = cfg_section_load(&host_section, cfg_map_get(root, "host"), root,
				&l.cfg, &d);
	l.msg = strdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return l;
}

static void done(loaded *l)
{
	free(l->msg);
	cfg_doc_destroy(l->doc);
}

#define EXPECT_LOAD_ERROR(text, want)                                          \
	do {                                                                   \
		loaded l_ = load(text);                                        \
		cr_expect(eq(int, l_.rc, SIM_EINPUT));                         \
		cr_expect(eq(str, STR(l_.msg), STR(want)));                    \
		done(&l_);                                                     \
	} while (0)

Test(cfg_params, the_table_of_the_tests_is_well_formed)
{
	cfg_section_check(&host_section);
}

Test(cfg_params, defaults_apply_to_absent_keys)
{
	loaded l = load("host: {name: h0}\n");
	cr_assert(eq(int, l.rc, 0), "%s", l.msg);
	cr_expect(eq(u64, l.cfg.cpus, 4));
	cr_expect(eq(u64, l.cfg.memory_bytes, UINT64_C(16) << 30));
	cr_expect(eq(u64, l.cfg.nic_bps, UINT64_C(1000000000)));
	cr_expect(eq(u64, l.cfg.boot_ns, UINT64_C(10000000000)));
	cr_expect(eq(dbl, l.cfg.load, 0.5));
	cr_expect(eq(dbl, l.cfg.weight, 1.5));
	cr_expect(eq(i64, l.cfg.offset, 0));
	cr_expect(not(l.cfg.ht));
	cr_expect(eq(str, STR(l.cfg.name), STR("h0")));
	cr_expect(eq(int, l.cfg.placement, 0));
	done(&l);
}

Test(cfg_params, given_values_are_parsed_with_their_units)
{
	loaded l = load("host:\n"
			"  cpus: 64\n"
			"  memory: 512 MiB\n"
			"  nic: 100MB/s\n"
			"  boot: 1.5ms\n"
			"  load: 75%\n"
			"  weight: 2e-1\n"
			"  offset: -10\n"
			"  ht: true\n"
			"  name: 'rack0/host0'\n"
			"  placement: worst-fit\n"
			"  disks: [anything, goes]\n");
	cr_assert(eq(int, l.rc, 0), "%s", l.msg);
	cr_expect(eq(u64, l.cfg.cpus, 64));
	cr_expect(eq(u64, l.cfg.memory_bytes, UINT64_C(512) << 20));
	cr_expect(eq(u64, l.cfg.nic_bps, UINT64_C(800000000)));
	cr_expect(eq(u64, l.cfg.boot_ns, 1500000));
	cr_expect(eq(dbl, l.cfg.load, 0.75));
	cr_expect(eq(dbl, l.cfg.weight, 0.2));
	cr_expect(eq(i64, l.cfg.offset, -10));
	cr_expect(l.cfg.ht);
	cr_expect(eq(str, STR(l.cfg.name), STR("rack0/host0")));
	cr_expect(eq(int, l.cfg.placement, 1));
	done(&l);
}

Test(cfg_params, quoted_numbers_are_parsed_from_their_text)
{
	loaded l = load("host: {name: h, cpus: '8', memory: \"1GiB\", "
			"ht: 'true', load: !!str 10%}\n");
	cr_assert(eq(int, l.rc, 0), "%s", l.msg);
	cr_expect(eq(u64, l.cfg.cpus, 8));
	cr_expect(eq(u64, l.cfg.memory_bytes, UINT64_C(1) << 30));
	cr_expect(l.cfg.ht);
	cr_expect(eq(dbl, l.cfg.load, 0.1));
	done(&l);
}

Test(cfg_params, strings_take_any_scalar_as_written)
{
	loaded l = load("host: {name: 42}\n");
	cr_expect(eq(int, l.rc, 0));
	cr_expect(eq(str, STR(l.cfg.name), STR("42")));
	done(&l);
	/* Quoted, a null's text is a string. */
	l = load("host: {name: '~'}\n");
	cr_expect(eq(int, l.rc, 0));
	cr_expect(eq(str, STR(l.cfg.name), STR("~")));
	done(&l);
	EXPECT_LOAD_ERROR("host: {name: [a]}\n",
			  "c.yaml:1:14: datacenter.host.name: expected a "
			  "string, got a sequence\n");
}

Test(cfg_params, a_null_given_to_a_string_parameter_is_an_error)
{
	/* "name: ~" used to become the text "~": a null means nothing. */
	EXPECT_LOAD_ERROR("host: {name: ~}\n",
			  "c.yaml:1:14: datacenter.host.name: expected a "
			  "string (quote it to mean the text itself), got "
			  "null\n");
	EXPECT_LOAD_ERROR("host: {name: null}\n",
			  "c.yaml:1:14: datacenter.host.name: expected a "
			  "string (quote it to mean the text itself), got "
			  "null\n");
	EXPECT_LOAD_ERROR("host:\n  name:\n",
			  "c.yaml:2:8: datacenter.host.name: expected a "
			  "string (quote it to mean the text itself), got "
			  "null\n");
}

Test(cfg_params, an_unknown_key_suggests_the_nearest_known_one)
{
	EXPECT_LOAD_ERROR("host:\n  name: h\n  cpu: 4\n",
			  "c.yaml:3:3: unknown key 'cpu' in datacenter.host "
			  "(did you mean 'cpus'?)\n");
	EXPECT_LOAD_ERROR("host: {name: h, disk: []}\n",
			  "c.yaml:1:17: unknown key 'disk' in datacenter.host "
			  "(did you mean 'disks'?)\n");
	EXPECT_LOAD_ERROR("host: {name: h, zzz: 1}\n",
			  "c.yaml:1:17: unknown key 'zzz' in datacenter.host "
			  "(expected one of: cpus, memory, nic, boot, load, "
			  "weight, offset, ht, name, placement, disks)\n");
}

Test(cfg_params, a_value_of_the_wrong_type_names_the_expected_type)
{
	EXPECT_LOAD_ERROR("host: {name: h, cpus: four}\n",
			  "c.yaml:1:23: datacenter.host.cpus: expected a "
			  "non-negative integer, got 'four'\n");
	EXPECT_LOAD_ERROR("host: {name: h, offset: four}\n",
			  "c.yaml:1:25: datacenter.host.offset: expected an "
			  "integer, got 'four'\n");
	EXPECT_LOAD_ERROR("host: {name: h, ht: yes}\n",
			  "c.yaml:1:21: datacenter.host.ht: expected true or "
			  "false, got 'yes'\n");
	EXPECT_LOAD_ERROR("host: {name: h, weight: heavy}\n",
			  "c.yaml:1:25: datacenter.host.weight: expected a "
			  "number, got 'heavy'\n");
	EXPECT_LOAD_ERROR("host: {name: h, load: 0.5}\n",
			  "c.yaml:1:23: datacenter.host.load: expected a "
			  "percentage such as 50%, got '0.5'\n");
	EXPECT_LOAD_ERROR("host: {name: h, memory: lots}\n",
			  "c.yaml:1:25: datacenter.host.memory: expected a size "
			  "such as 512MiB, got 'lots'\n");
	EXPECT_LOAD_ERROR("host: {name: h, cpus: {n: 4}}\n",
			  "c.yaml:1:23: datacenter.host.cpus: expected a "
			  "non-negative integer, got a mapping\n");
}

Test(cfg_params, a_null_value_is_given_but_of_the_wrong_type)
{
	EXPECT_LOAD_ERROR("host:\n  name: h\n  cpus:\n",
			  "c.yaml:3:8: datacenter.host.cpus: expected a "
			  "non-negative integer, got null\n");
	EXPECT_LOAD_ERROR("host: {name: h, memory: ~}\n",
			  "c.yaml:1:25: datacenter.host.memory: expected a size "
			  "such as 512MiB, got null\n");
	EXPECT_LOAD_ERROR("host: {name: h, placement: null}\n",
			  "c.yaml:1:28: datacenter.host.placement: expected one "
			  "of first-fit, worst-fit, got null\n");
	/* Quoted, it is the text "~", which is simply not a number. */
	EXPECT_LOAD_ERROR("host: {name: h, cpus: '~'}\n",
			  "c.yaml:1:23: datacenter.host.cpus: expected a "
			  "non-negative integer, got '~'\n");
}

Test(cfg_params, an_unknown_unit_is_named_with_the_known_ones)
{
	EXPECT_LOAD_ERROR("host: {name: h, memory: 512Mb}\n",
			  "c.yaml:1:25: datacenter.host.memory: unknown unit "
			  "'Mb' in '512Mb' (expected one of B, kB, MB, GB, TB, "
			  "KiB, MiB, GiB or TiB)\n");
	EXPECT_LOAD_ERROR("host: {name: h, nic: 1.5 Gbps}\n",
			  "c.yaml:1:22: datacenter.host.nic: unknown unit "
			  "'Gbps' in '1.5 Gbps' (expected one of bit/s, kbit/s, "
			  "Mbit/s, Gbit/s, Tbit/s, Kibit/s, Mibit/s, Gibit/s, "
			  "B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s or GiB/s)\n");
}

Test(cfg_params, other_unit_problems_quote_the_text)
{
	EXPECT_LOAD_ERROR("host: {name: h, memory: 0.5B}\n",
			  "c.yaml:1:25: datacenter.host.memory: fraction of a "
			  "byte in '0.5B' (expected a whole number of bytes)\n");
	EXPECT_LOAD_ERROR("host: {name: h, memory: -1GiB}\n",
			  "c.yaml:1:25: datacenter.host.memory: negative size "
			  "in '-1GiB' (expected a size such as 512MiB)\n");
	EXPECT_LOAD_ERROR("host: {name: h, boot: 10}\n",
			  "c.yaml:1:23: datacenter.host.boot: missing unit in "
			  "'10' (expected a duration such as 10ms)\n");
	EXPECT_LOAD_ERROR("host: {name: h, offset: 99999999999999999999}\n",
			  "c.yaml:1:25: datacenter.host.offset: overflow in "
			  "'99999999999999999999' (expected an integer from "
			  "-9223372036854775808 to 9223372036854775807)\n");
}

Test(cfg_params, a_value_out_of_range_states_the_bounds)
{
	EXPECT_LOAD_ERROR("host: {name: h, cpus: 0}\n",
			  "c.yaml:1:23: datacenter.host.cpus: 0 is out of range "
			  "(expected 1 to 4096)\n");
	EXPECT_LOAD_ERROR("host: {name: h, memory: 2TiB}\n",
			  "c.yaml:1:25: datacenter.host.memory: 2TiB is out of "
			  "range (expected 1MiB to 1TiB)\n");
	EXPECT_LOAD_ERROR("host: {name: h, nic: 999kbit/s}\n",
			  "c.yaml:1:22: datacenter.host.nic: 999kbit/s is out of "
			  "range (expected at least 1Mbit/s)\n");
	EXPECT_LOAD_ERROR("host: {name: h, boot: 61min}\n",
			  "c.yaml:1:23: datacenter.host.boot: 61min is out of "
			  "range (expected at most 1h)\n");
	EXPECT_LOAD_ERROR("host: {name: h, load: 150%}\n",
			  "c.yaml:1:23: datacenter.host.load: 150% is out of "
			  "range (expected 0% to 100%)\n");
	EXPECT_LOAD_ERROR("host: {name: h, offset: -11}\n",
			  "c.yaml:1:25: datacenter.host.offset: -11 is out of "
			  "range (expected -10 to 10)\n");
	/* Bounds are inclusive. */
	loaded l = load("host: {name: h, cpus: 4096, memory: 1MiB, load: 100%, "
			"offset: -10, boot: 60min, nic: 1000kbit/s}\n");
	cr_expect(eq(int, l.rc, 0), "%s", l.msg);
	done(&l);
}

Test(cfg_params, an_enum_lists_its_choices_and_suggests_a_near_one)
{
	EXPECT_LOAD_ERROR("host: {name: h, placement: best}\n",
			  "c.yaml:1:28: datacenter.host.placement: expected one "
			  "of first-fit, worst-fit, got 'best'\n");
	EXPECT_LOAD_ERROR("host: {name: h, placement: worstfit}\n",
			  "c.yaml:1:28: datacenter.host.placement: expected one "
			  "of first-fit, worst-fit, got 'worstfit' (did you "
			  "mean 'worst-fit'?)\n");
}

Test(cfg_params, a_missing_required_key_says_what_to_write)
{
	EXPECT_LOAD_ERROR("host:\n  cpus: 2\n",
			  "c.yaml:2:3: missing required key 'name' in "
			  "datacenter.host (expected name: a string)\n");
	/* An absent section is reported where the caller says. */
	EXPECT_LOAD_ERROR("other: 1\n",
			  "c.yaml:1:1: missing required key 'name' in "
			  "datacenter.host (expected name: a string)\n");
	host_cfg cfg;
	sim_diag d;
	sim_diag_init(&d);
	cr_expect(eq(int, cfg_section_load(&host_section, NULL, NULL, &cfg, &d),
		     SIM_EINPUT));
	cr_expect(eq(str, STR(d.text), STR("missing required key 'name' in "
				  "datacenter.host (expected name: a "
				  "string)\n")));
	cr_expect(eq(u64, cfg.cpus, 4));
	sim_diag_fini(&d);
}

Test(cfg_params, a_section_that_is_not_a_mapping_is_refused)
{
	EXPECT_LOAD_ERROR("host: [a, b]\n",
			  "c.yaml:1:7: datacenter.host: expected a mapping, got "
			  "a sequence\n");
	EXPECT_LOAD_ERROR("host: h0\n",
			  "c.yaml:1:7: datacenter.host: expected a mapping, got "
			  "a scalar\n");
}

Test(cfg_params, every_problem_is_reported_in_document_order)
{
	loaded l = load("host:\n"
			"  cpus: 0\n"
			"  bogus: 1\n"
			"  memory: 1Mb\n");
	cr_expect(eq(int, l.rc, SIM_EINPUT));
	cr_expect(eq(str, STR(l.msg),
		     STR("c.yaml:2:9: datacenter.host.cpus: 0 is out of range "
		     "(expected 1 to 4096)\n"
		     "c.yaml:3:3: unknown key 'bogus' in datacenter.host "
		     "(expected one of: cpus, memory, nic, boot, load, weight, "
		     "offset, ht, name, placement, disks)\n"
		     "c.yaml:4:11: datacenter.host.memory: unknown unit 'Mb' in "
		     "'1Mb' (expected one of B, kB, MB, GB, TB, KiB, MiB, GiB or "
		     "TiB)\n"
		     "c.yaml:2:3: missing required key 'name' in datacenter.host "
		     "(expected name: a string)\n")));
	/* Defaults still fill what was not given. */
	cr_expect(eq(u64, l.cfg.nic_bps, UINT64_C(1000000000)));
	done(&l);
}

Test(cfg_params, a_single_parameter_loads_under_its_own_name)
{
	cfg_doc *doc;
	sim_diag d;
	sim_diag_init(&d);
	const char text[] = "cpus: 9000\nmemory: 2GiB\n";
	cr_assert(eq(int, cfg_doc_parse("c.yaml", text, sizeof text - 1, &doc,
					&d),
		     0));
	host_cfg cfg = {0};
	const cfg_node *root = cfg_doc_root(doc);
	cr_expect(eq(int,
		     cfg_param_load(&host_params[1], cfg_map_get(root, "memory"),
				    &cfg, &d),
		     0));
	cr_expect(eq(u64, cfg.memory_bytes, UINT64_C(2) << 30));
	cr_expect(eq(int,
		     cfg_param_load(&host_params[0], cfg_map_get(root, "cpus"),
				    &cfg, &d),
		     SIM_EINPUT));
	cr_expect(eq(str, STR(d.text), STR("c.yaml:1:7: cpus: 9000 is out of range "
				  "(expected 1 to 4096)\n")));
	cr_expect(eq(u64, cfg.cpus, 0));
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
}

Test(cfg_params, a_top_level_table_names_keys_without_a_section)
{
	static const char *const subs[] = {"experiment", "datacenter", "vms",
					   NULL};
	static const cfg_param params[] = {
		{"replications", CFG_T_UINT, "1", "1", NULL, NULL, 0, "runs"},
	};
	static const cfg_section top = {"", "the file", params, 1, subs};
	cfg_section_check(&top);
	cfg_doc *doc;
	sim_diag d;
	sim_diag_init(&d);
	const char text[] = "experimnt: {}\nreplications: 3\n";
	cr_assert(eq(int, cfg_doc_parse("c.yaml", text, sizeof text - 1, &doc,
					&d),
		     0));
	uint64_t reps = 0;
	cr_expect(eq(int, cfg_section_load(&top, cfg_doc_root(doc), NULL,
					   &reps, &d),
		     SIM_EINPUT));
	cr_expect(eq(str, STR(d.text), STR("c.yaml:1:1: unknown key 'experimnt' (did "
				  "you mean 'experiment'?)\n")));
	cr_expect(eq(u64, reps, 3));
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
}

Test(cfg_params, long_or_odd_keys_are_shown_on_one_line)
{
	EXPECT_LOAD_ERROR("host: {name: h, \"a\\nb\": 1}\n",
			  "c.yaml:1:17: unknown key 'a\\nb' in datacenter.host "
			  "(expected one of: cpus, memory, nic, boot, load, "
			  "weight, offset, ht, name, placement, disks)\n");
	EXPECT_LOAD_ERROR("host: {name: h, cpus: "
			  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			  "xxxxxxxxxx}\n",
			  "c.yaml:1:23: datacenter.host.cpus: expected a "
			  "non-negative integer, got "
			  "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			  "xxxxxxx...'\n");
}

/* Broken tables are programming errors: the check panics (aborts). */

static void check_one(cfg_param p)
{
	cfg_section s = {"broken", "a broken table", &p, 1, NULL};
	cfg_section_check(&s);
}

Test(cfg_params, a_default_out_of_range_is_a_programming_error,
     .signal = SIGABRT)
{
	check_one((cfg_param){"cpus", CFG_T_UINT, "0", "1", "8", NULL, 0, ""});
}

Test(cfg_params, a_bound_that_does_not_parse_is_a_programming_error,
     .signal = SIGABRT)
{
	check_one((cfg_param){"mem", CFG_T_BYTES, "1GiB", "1Mb", NULL, NULL, 0,
			      ""});
}

Test(cfg_params, an_enum_default_outside_its_choices_is_a_programming_error,
     .signal = SIGABRT)
{
	check_one((cfg_param){"p", CFG_T_ENUM, "best-fit", NULL, NULL,
			      placements, 0, ""});
}

Test(cfg_params, min_above_max_is_a_programming_error, .signal = SIGABRT)
{
	check_one((cfg_param){"n", CFG_T_INT, NULL, "5", "1", NULL, 0, ""});
}

Test(cfg_params, bounds_on_a_string_are_a_programming_error,
     .signal = SIGABRT)
{
	check_one((cfg_param){"s", CFG_T_STRING, "x", "a", NULL, NULL, 0, ""});
}

Test(cfg_params, a_parameter_declared_twice_is_a_programming_error,
     .signal = SIGABRT)
{
	static const cfg_param twice[] = {
		{"a", CFG_T_BOOL, "true", NULL, NULL, NULL, 0, ""},
		{"a", CFG_T_BOOL, "true", NULL, NULL, NULL, 0, ""},
	};
	cfg_section s = {"broken", "", twice, 2, NULL};
	cfg_section_check(&s);
}
