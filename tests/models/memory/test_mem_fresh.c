/* SPDX-License-Identifier: MIT */
/*
 * Fresh-page dirtying (models/memory/fresh.c): the rate of fresh_rate or
 * of SimGrid's intensity (Hirofuchi, Lebre & Pouilloux, IEEE CloudCom
 * 2013) scaled by the CPU share, the working set in pages, and the check
 * that a guest's dirtying: describes one model.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <string.h>

#include "mem.h"

/* Loads text's `dirtying:` mapping into *c and checks it; returns the
 * check's result, with its messages in d. */
static int load_dirtying(const char *text, mem_dirtying_cfg *c, sim_diag *d,
			 cfg_doc **doc)
{
	cr_assert(eq(int, cfg_doc_parse("c.yaml", text, strlen(text), doc, d),
		     0));
	const cfg_node *root = cfg_doc_root(*doc);
	const cfg_node *map = cfg_map_get(root, "dirtying");
	cr_assert(eq(int, cfg_section_load(mem_sections()[0], map, root, c, d),
		     0), "%s", d->text ? d->text : "");
	return mem_dirtying_check(c, map, "vms[].dirtying", d);
}

/* SimGrid's model ([Hirofuchi13], migration oracle 12): a VM at full CPU dirties
 * intensity x its migration speed, at half CPU half of it; its working
 * set defaults to all of memory here (SimGrid's 90% is set explicitly),
 * and 90% of 1024 MiB is 235929.6 pages, rounded up. */
Test(mem_fresh, intensity_is_a_share_of_the_migration_speed_times_cpu)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	mem_dirtying_cfg c;
	cr_assert(eq(int, load_dirtying("dirtying: {intensity: 50%}\n", &c, &d,
					 &doc), 0));
	cr_assert(mem_dirtying_is_fresh(&c));
	uint64_t speed = UINT64_C(100) << 23; /* 100 MiB/s in bit/s */
	cr_assert(eq(dbl, mem_fresh_bytes_per_s(&c, speed), 50.0 * (1 << 20)));
	cr_assert(eq(u64, mem_working_set_pages(&c, UINT64_C(1) << 30),
		     262144));
	cfg_doc_destroy(doc);
	doc = NULL;
	cr_assert(eq(int, load_dirtying("dirtying: {intensity: 50%, "
					 "cpu_share: 50%, working_set: 90%}\n",
					 &c, &d, &doc), 0));
	cr_assert(eq(dbl, mem_fresh_bytes_per_s(&c, speed), 25.0 * (1 << 20)));
	cr_assert(eq(u64, mem_working_set_pages(&c, UINT64_C(1) << 30),
		     235930));
	cfg_doc_destroy(doc);
	doc = NULL;
	/* fresh_rate is a rate of its own; cpu_share scales it too. */
	cr_assert(eq(int, load_dirtying("dirtying: {fresh_rate: 64MiB/s, "
					 "cpu_share: 25%}\n", &c, &d, &doc),
		     0));
	cr_assert(eq(dbl, mem_fresh_bytes_per_s(&c, speed), 16.0 * (1 << 20)));
	cfg_doc_destroy(doc);
	doc = NULL;
	cr_assert(eq(int, load_dirtying("dirtying: {hot_rate: 10}\n", &c, &d,
					 &doc), 0));
	cr_assert(not(mem_dirtying_is_fresh(&c)));
	cr_assert(eq(dbl, mem_fresh_bytes_per_s(&c, speed), 0.0));
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
}

/* One model per guest, and the working set and CPU share only with a
 * rate of fresh pages: each mix is reported at its key. */
Test(mem_fresh, mixed_models_are_reported_at_their_keys)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"dirtying: {hot_rate: 5, intensity: 10%}\n",
		 "c.yaml:1:36: vms[].dirtying.intensity: together with hot_set"},
		{"dirtying: {fresh_rate: 1MB/s, intensity: 10%}\n",
		 "c.yaml:1:42: vms[].dirtying.intensity: together with "
		 "fresh_rate"},
		{"dirtying: {hot_set: 1MiB, fresh_rate: 1MB/s}\n",
		 "c.yaml:1:39: vms[].dirtying.fresh_rate: together with"},
		{"dirtying: {hot_rate: 5, working_set: 90%}\n",
		 "c.yaml:1:38: vms[].dirtying.working_set: without fresh_rate"},
		{"dirtying: {cpu_share: 50%}\n",
		 "c.yaml:1:23: vms[].dirtying.cpu_share: without fresh_rate"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sim_diag d;
		sim_diag_init(&d);
		cfg_doc *doc = NULL;
		mem_dirtying_cfg c;
		cr_assert(eq(int, load_dirtying(bad[i].text, &c, &d, &doc),
			     SIM_EINPUT), "%s", bad[i].text);
		cr_assert(d.text && strstr(d.text, bad[i].want), "got '%s'",
			  d.text ? d.text : "");
		cfg_doc_destroy(doc);
		sim_diag_fini(&d);
	}
}
