/* SPDX-License-Identifier: MIT */
/*
 * datacenter/: resource demand sources (vms[].demand, vms[].utilisation
 * and their trace cache), the policy: section and host power.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dc.h"
#include "dc_internal.h"

/* Loads text (NULL with messages in *msgs on error; caller frees msgs). */
static dc_config *load_text(const char *text, cfg_doc **doc, char **msgs)
{
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_parse("t.yaml", text, strlen(text), doc, &d),
		     0), "%s", d.text);
	dc_config *c = NULL;
	dc_config_load(*doc, &c, &d);
	*msgs = strdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return c;
}

/* The repository's PlanetLab copy (1,052 trace files, a README and a MANIFEST). */
static char *planetlab_dir(void)
{
	const char *src = getenv("VDCSIM_TEST_SRCDIR");
	cr_assert(src != NULL, "VDCSIM_TEST_SRCDIR is not set");
	return sim_xasprintf("%s/../traces/data/planetlab-20110303", src);
}

Test(dc_demand, a_group_over_a_folder_reads_it_once_and_deals_files_in_order)
{
	char *dir = planetlab_dir();
	/* 2,110 members over 1,052 trace files: member k gets file k mod 1052. */
	char *text = sim_xasprintf(
			   "datacenter: {racks: 20, hosts_per_rack: 20}\n"
			   "vms:\n"
			   "  - {name: pl, count: 2110, memory: 256MiB,\n"
			   "     utilisation: {trace: %s, resample: linear}}\n"
			   "  - {name: one, memory: 256MiB,\n"
			   "     utilisation: {trace: %s}}\n",
			   dir, dir);
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text(text, &doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	cr_assert(eq(sz, dc_utils_reads(c->utils), 1));
	const dc_vm_cfg *v = c->vms;
	cr_assert(eq(int, v[0].demand_source, DC_DEMAND_TRACE));
	cr_assert(eq(int, v[0].util.resample, TRACE_UTIL_LINEAR));
	/* Sorted by name, dealt round-robin, shared not copied. */
	cr_assert(strcmp(v[0].util_trace->name, v[1].util_trace->name) < 0);
	cr_assert(eq(ptr, (void *)v[0].util_trace, (void *)v[1052].util_trace));
	cr_assert(eq(ptr, (void *)v[1].util_trace, (void *)v[1053].util_trace));
	cr_assert(not(eq(ptr, (void *)v[0].util_trace, (void *)v[1].util_trace)));
	/* A VM outside a group takes the folder's first file. */
	cr_assert(eq(ptr, (void *)v[2110].util_trace, (void *)v[0].util_trace));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
	free(text);
	free(dir);
}

Test(dc_demand, a_generator_and_the_policy_section_load_with_defaults)
{
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text(
		"policy: {name: sandpiper, interval: 5s, k: 2}\n"
		"vms:\n  - {name: a, demand: {kind: web, rate: 50}}\n"
		"  - {name: b}\n",
		&doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	cr_assert(eq(int, c->vms[0].demand_source, DC_DEMAND_GENERATOR));
	cr_assert(eq(dbl, c->vms[0].demand.rate, 50.0));
	cr_assert(eq(int, c->vms[1].demand_source, DC_DEMAND_NONE));
	cr_assert(eq(str, (char *)pol_ops_at((size_t)c->policy.policy)->name,
		     "sandpiper"));
	cr_assert(eq(u64, c->policy.interval_ns, SIM_S(5)));
	cr_assert(eq(u64, c->policy.k, 2));
	cr_assert(eq(dbl, c->datacenter.host.power_idle_w, 93.7));
	cr_assert(eq(dbl, c->datacenter.host.power_peak_w, 135.0));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
}

Test(dc_demand, the_default_policy_is_none_and_k_above_n_is_refused)
{
	cfg_doc *doc;
	char *msgs;
	dc_config *c = load_text("vms: []\n", &doc, &msgs);
	cr_assert(c != NULL, "%s", msgs);
	cr_assert(eq(str, (char *)pol_ops_at((size_t)c->policy.policy)->name,
		     "none"));
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	free(msgs);
	c = load_text("policy: {name: sandpiper, k: 4, n: 3}\n", &doc, &msgs);
	cr_assert(eq(ptr, c, NULL));
	cr_assert(strstr(msgs, "t.yaml:1:30: policy.k: 4 is more than n = 3") != NULL,
		  "%s", msgs);
	cfg_doc_destroy(doc);
	free(msgs);
}
