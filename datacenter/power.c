/* SPDX-License-Identifier: MIT */
/*
 * Host power: the linear model, a SPECpower-style table by utilisation
 * decile, and the tables of the two machines [BeloglazovBuyya12] simulates
 * (docs/references.md), with the settings' validation. What a host draws
 * per interval, and so energy, is control.c's.
 */
#include "dc_internal.h"

#include <string.h>

const char *const dc_power_model_names[] = {"linear", "table", "ml110-g4",
					    "ml110-g5", NULL};

/* SPECpower_ssj2008 watts at 0 %, 10 %, ..., 100 % load, as CloudSim ships
 * them for [BeloglazovBuyya12]'s hosts (docs/references.md): the HP
 * ProLiant ML110 G4 (Xeon 3040, 2 cores at 1860 MHz, 4 GB) and G5 (Xeon
 * 3075, 2 cores at 2660 MHz, 4 GB). */
static const double ml110_g4_w[POL_POWER_POINTS] = {
	86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117};
static const double ml110_g5_w[POL_POWER_POINTS] = {
	93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135};

/* The most watts a table point may hold (as power_peak's bound). */
#define MAX_W 100000.0

const double *dc_host_power_table(const dc_host_cfg *h)
{
	return h->power_model == DC_POWER_LINEAR ? NULL : h->power_table_w;
}

double dc_host_power_w(const dc_host_cfg *h, double u, size_t vms)
{
	if (vms == 0 && h->power_off_empty)
		return 0;
	const double *t = dc_host_power_table(h);
	return t ? pol_power_table(t, u)
		 : pol_power_linear(h->power_idle_w, h->power_peak_w, u);
}

/* Reads the power_table sequence n into h->power_table_w; false (reported)
 * if it is not POL_POWER_POINTS non-negative watts that never fall. */
static bool read_table(dc_host_cfg *h, const cfg_node *n, const char *path,
		       sim_diag *d)
{
	if (cfg_node_kind(n) != CFG_SEQ) {
		cfg_error(d, n, "%s.power_table: expected a list of %d watts "
			  "(at 0 %%, 10 %%, ..., 100 %% CPU), got %s", path,
			  POL_POWER_POINTS, cfg_kind_name(cfg_node_kind(n)));
		return false;
	}
	if (cfg_node_len(n) != POL_POWER_POINTS) {
		cfg_error(d, n, "%s.power_table: %zu values (expected %d watts, "
			  "at 0 %%, 10 %%, ..., 100 %% CPU)", path,
			  cfg_node_len(n), POL_POWER_POINTS);
		return false;
	}
	for (size_t i = 0; i < POL_POWER_POINTS; i++) {
		const cfg_node *item = cfg_node_at(n, i);
		const char *why = "expected a number";
		double w;
		if (cfg_node_kind(item) != CFG_SCALAR ||
		    cfg_parse_float(cfg_node_text(item), &w, &why) != 0) {
			cfg_error(d, item, "%s.power_table[%zu]: %s", path, i,
				  why);
			return false;
		}
		if (w < 0 || w > MAX_W) {
			cfg_error(d, item, "%s.power_table[%zu]: %g W is out of "
				  "range (expected 0 to %g W)", path, i, w,
				  MAX_W);
			return false;
		}
		if (i > 0 && w < h->power_table_w[i - 1]) {
			cfg_error(d, item, "%s.power_table[%zu]: %g W is less "
				  "than the %g W at %zu %% (expected watts that "
				  "never fall as CPU use grows)", path, i, w,
				  h->power_table_w[i - 1], (i - 1) * 10);
			return false;
		}
		h->power_table_w[i] = w;
	}
	return true;
}

void dc_host_power_load(dc_host_cfg *h, const cfg_node *map,
			const cfg_node *where, const char *path, sim_diag *d)
{
	const cfg_node *table = cfg_map_get(map, "power_table");
	const cfg_node *model = cfg_map_get(map, "power_model");
	const cfg_node *idle = cfg_map_get(map, "power_idle");
	const cfg_node *peak = cfg_map_get(map, "power_peak");
	/* A table without a model means the table model. */
	if (table && !model)
		h->power_model = DC_POWER_TABLE;
	const char *name = dc_power_model_names[h->power_model];
	switch (h->power_model) {
	case DC_POWER_LINEAR:
		if (table) {
			cfg_error(d, table, "%s.power_table: given with "
				  "power_model linear (expected power_model: "
				  "table, or no power_model)", path);
			return;
		}
		if (h->power_idle_w > h->power_peak_w)
			cfg_error(d, idle ? idle : peak ? peak : where,
				  "%s.power_idle: %g W is more than power_peak "
				  "%g W (expected idle <= peak)", path,
				  h->power_idle_w, h->power_peak_w);
		return;
	case DC_POWER_TABLE:
		if (!table) {
			cfg_error(d, model, "%s.power_model: table needs a "
				  "power_table (expected a list of %d watts at "
				  "0 %%, 10 %%, ..., 100 %% CPU)", path,
				  POL_POWER_POINTS);
			return;
		}
		if (!read_table(h, table, path, d))
			return;
		break;
	case DC_POWER_ML110_G4:
	case DC_POWER_ML110_G5:
		if (table) {
			cfg_error(d, table, "%s.power_table: given with "
				  "power_model %s, which has its own (expected "
				  "power_model: table, or no power_model)",
				  path, name);
			return;
		}
		memcpy(h->power_table_w,
		       h->power_model == DC_POWER_ML110_G4 ? ml110_g4_w
							   : ml110_g5_w,
		       sizeof h->power_table_w);
		break;
	default:
		sim_panic("power model %d", h->power_model);
	}
	if (idle || peak) {
		cfg_error(d, idle ? idle : peak, "%s.%s: applies to power_model "
			  "linear only (this host's is %s, whose table gives "
			  "the watts)", path, idle ? "power_idle" : "power_peak",
			  name);
		return;
	}
	h->power_idle_w = h->power_table_w[0];
	h->power_peak_w = h->power_table_w[POL_POWER_POINTS - 1];
}
