/* SPDX-License-Identifier: MIT */
/*
 * datacenter/loader.c: configs loaded through one loader context read a
 * replayed trace once and share it; and dc_config_has_random_draws, which
 * says whether replications of a config can differ.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dc.h"
#include "../sim/tmpdir.h"

static void write_trace(const char *dir, const char *name)
{
	trace_pages_builder *b = trace_pages_builder_create(1024, 4096, SIM_MS(50));
	uint32_t pages[3] = {1, 2, 3};
	for (uint64_t t = SIM_MS(50); t <= SIM_S(2); t += SIM_MS(50))
		trace_pages_builder_add(b, t, pages, 3);
	trace_pages *t = trace_pages_builder_finish(b);
	char *path = tmpdir_path(dir, name);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, trace_pages_save(t, path, &d), 0), "%s", d.text);
	sim_diag_fini(&d);
	free(path);
	trace_pages_destroy(t);
}

static cfg_doc *parse_in(const char *dir, const char *text)
{
	char *path = tmpdir_path(dir, "c.yaml");
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc;
	cr_assert(eq(int, cfg_doc_parse(path, text, strlen(text), &doc, &d), 0));
	sim_diag_fini(&d);
	free(path);
	return doc;
}

static const char replay_yaml[] =
	"experiment: {duration: 1s}\n"
	"datacenter: {racks: 1, hosts_per_rack: 2}\n"
	"vms:\n  - {name: g, memory: 4MiB,\n"
	"     page_writes: {kind: replay, trace: t.pdt}}\n"
	"  - {name: h, memory: 4MiB,\n"
	"     page_writes: {kind: replay, trace: t.pdt}}\n";

Test(dc_loader, configs_through_one_loader_read_a_trace_once_and_share_it)
{
	char dir[64];
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dc-loader-XXXXXX");
	write_trace(dir, "t.pdt");
	cfg_doc *doc = parse_in(dir, replay_yaml);
	sim_diag d;
	sim_diag_init(&d);
	dc_loader *l = dc_loader_create();
	dc_config *c[3];
	for (int i = 0; i < 3; i++)
		cr_assert(eq(int, dc_config_load_with(doc, NULL, l, &c[i], &d), 0),
			  "%s", d.text);
	/* Two VMs in three configs: one read, one trace object. */
	cr_assert(eq(sz, dc_loader_reads(l), 1));
	cr_assert(c[0]->vms[0].trace != NULL);
	for (int i = 0; i < 3; i++)
		for (int v = 0; v < 2; v++)
			cr_assert(c[i]->vms[v].trace == c[0]->vms[0].trace);
	/* The trace is no longer read once it is held: removing the file
	 * changes nothing for later configs of the same loader. */
	char *tp = tmpdir_path(dir, "t.pdt");
	cr_assert(eq(int, unlink(tp), 0));
	dc_config *more;
	cr_assert(eq(int, dc_config_load_with(doc, NULL, l, &more, &d), 0));
	cr_assert(eq(sz, dc_loader_reads(l), 1));
	dc_config_destroy(more);
	for (int i = 0; i < 3; i++)
		dc_config_destroy(c[i]);
	dc_loader_destroy(l);
	/* Without a loader the file is read (and now missing). */
	cr_assert(eq(int, dc_config_load_with(doc, NULL, NULL, &more, &d),
		     SIM_EINPUT));
	cr_assert(strstr(d.text, "cannot read") != NULL, "%s", d.text);
	sim_diag_fini(&d);
	free(tp);
	cfg_doc_destroy(doc);
	tmpdir_remove(dir);
}

Test(dc_loader, a_failed_read_is_not_kept)
{
	char dir[64];
	tmpdir_make(dir, sizeof dir, "/tmp/vdcsim-dc-loader-XXXXXX");
	cfg_doc *doc = parse_in(dir, replay_yaml);
	sim_diag d;
	sim_diag_init(&d);
	dc_loader *l = dc_loader_create();
	dc_config *c;
	cr_assert(eq(int, dc_config_load_with(doc, NULL, l, &c, &d), SIM_EINPUT));
	write_trace(dir, "t.pdt");
	sim_diag_fini(&d);
	sim_diag_init(&d);
	cr_assert(eq(int, dc_config_load_with(doc, NULL, l, &c, &d), 0), "%s",
		  d.text);
	cr_assert(eq(sz, dc_loader_reads(l), 1));
	dc_config_destroy(c);
	dc_loader_destroy(l);
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
	tmpdir_remove(dir);
}

static bool draws(const char *text)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc;
	cr_assert(eq(int, cfg_doc_parse("e.yaml", text, strlen(text), &doc, &d), 0));
	dc_config *c;
	cr_assert(eq(int, dc_config_load(doc, &c, &d), 0), "%s", d.text);
	bool r = dc_config_has_random_draws(c);
	dc_config_destroy(c);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	return r;
}

#define DC "experiment: {duration: 10s}\n" \
	   "datacenter: {racks: 1, hosts_per_rack: 2}\n"

Test(dc_loader, random_draws_come_only_from_page_exact_generators)
{
	/* No migration, or a statistical one: nothing random. */
	cr_assert(eq(int, 0, draws(DC "vms: [{name: a, memory: 64MiB, page_writes: quake3}]\n")));
	cr_assert(eq(int, 0, draws(DC "vms: [{name: a, memory: 64MiB, page_writes: quake3}]\n"
			    "migrations: [{vm: a, to: rack0/host1, at: 1s}]\n")));
	/* Page-exact over a generator draws. */
	cr_assert(eq(int, 1, draws(DC "vms: [{name: a, memory: 64MiB, page_writes: quake3}]\n"
			   "migrations: [{vm: a, to: rack0/host1, at: 1s, "
			   "fidelity: page-exact}]\n")));
	cr_assert(eq(int, 1, draws(DC "vms: [{name: a, memory: 64MiB, dirtying: "
			   "{hot_set: 1MiB, hot_rate: 100, cold_rate: 1}}]\n"
			   "migrations: [{vm: a, to: rack0/host1, at: 1s, "
			   "fidelity: page-exact}]\n")));
	/* A sweep is a function of time: page-exact, it draws nothing. */
	cr_assert(eq(int, 0, draws(DC "vms: [{name: a, memory: 64MiB, page_writes: "
			    "{kind: sweep, pages: 1024, rate: 5000}}]\n"
			    "migrations: [{vm: a, to: rack0/host1, at: 1s, "
			    "fidelity: page-exact}]\n")));
	/* Page-exact of an idle guest has no generator. */
	cr_assert(eq(int, 0, draws(DC "vms: [{name: a, memory: 64MiB}]\n"
			    "migrations: [{vm: a, to: rack0/host1, at: 1s, "
			    "fidelity: page-exact}]\n")));
}
