/* SPDX-License-Identifier: MIT */
/*
 * File-system helpers of the vdcsim command: directories, the default
 * results directory name, and whole files written through a rename.
 */
#include "cli_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_mkdir_p(const char *path)
{
	char *buf = sim_xstrdup(path);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
			free(buf);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
	free(buf);
	return rc;
}

bool cli_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Picks results/NAME, results/NAME-2, ... : the first whose directory and
 * staging directory are both free. */
char *cli_default_outdir(const char *name)
{
	for (unsigned i = 1;; i++) {
		char *dir = i == 1 ? sim_xasprintf("results/%s", name)
				   : sim_xasprintf("results/%s-%u", name, i);
		char *partial = sim_xasprintf("%s.partial", dir);
		bool taken = cli_exists(dir) || cli_exists(partial);
		free(partial);
		if (!taken)
			return dir;
		free(dir);
	}
}

bool cli_safe_name(const char *s)
{
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

int cli_write_file(const char *path, const char *text, sim_diag *d)
{
	char *tmp = sim_xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	int rc = 0;
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		sim_diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
		rc = SIM_EIO;
	}
	free(tmp);
	return rc;
}


int cli_check_seed(const char *cmd, const char *s)
{
	uint64_t v;
	const char *why = NULL;
	if (cfg_parse_uint(s, &v, &why) != 0 || v > (uint64_t)INT64_MAX) {
		cli_error("%s: --seed '%s': expected a whole number from 0 to "
			  "9223372036854775807", cmd, s);
		return -1;
	}
	return 0;
}

int cli_plots_draw(const char *dir, bool svg, unsigned *made, bool *skipped,
		   sim_diag *d)
{
	*made = 0;
	*skipped = false;
	char *datadir = cli_datadir();
	if (!datadir) {
		sim_diag_error(d, NULL, 0, 0,
			       "vdcsim: cannot find the plots/ folder (set "
			       "VDCSIM_DATADIR to the folder holding configs/ and "
			       "plots/)");
		return SIM_ENOENT;
	}
	char *scripts = sim_xasprintf("%s/plots", datadir);
	int rc = sim_plots_render(scripts, dir, dir, svg, made, skipped, d);
	free(scripts);
	free(datadir);
	return rc;
}

int cli_results_publish(sim_results *r, int rc, const char *dir, bool svg,
			unsigned *made, bool *skipped, sim_diag *d)
{
	*made = 0;
	*skipped = false;
	if (rc == 0)
		rc = sim_results_export_csv(r, dir, d);
	if (rc != 0) {
		sim_results_abort(r);
		return rc;
	}
	rc = sim_results_close(r, d);
	if (rc != 0)
		return rc;
	return cli_plots_draw(dir, svg, made, skipped, d);
}
