/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of datacenter/: the migrations: section, shared by
 * config.c (loading) and experiment.c (nothing else).
 */
#ifndef VDCSIM_DC_INTERNAL_H
#define VDCSIM_DC_INTERNAL_H

#include "dc.h"

/* The table of a migration entry's own keys (vm, to, at, fidelity); its
 * subsections are the mechanism's keys (migration_knob_names). */
extern const cfg_section dc_migration_section;
/* The names of mig_sections()[0]'s parameters, NULL-terminated: a test
 * checks that the two lists agree. */
extern const char *const dc_migration_knob_names[];

/* Loads `migrations:` of root into c (c->vms already loaded). Reports at
 * the entries' nodes. */
void dc_migrations_load(dc_config *c, const cfg_node *root, sim_diag *d);
/* Checks each migration against the initial placement of w: a VM that
 * exists and is migrated once, a destination host that exists, differs
 * from the source and has room (migrations applied in time order), a time
 * within the run. */
void dc_migrations_check(const dc_config *c, const dc_world *w, sim_diag *d);

#endif /* VDCSIM_DC_INTERNAL_H */
