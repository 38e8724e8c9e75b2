/* SPDX-License-Identifier: MIT */
/*
 * File-system helpers of the vdcsim command: directories, the default
 * results directory name, and whole files written through a rename.
 */
#include "run_internal.h"

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
	/* lstat: a dangling symbolic link still takes the name. */
	struct stat st;
	return lstat(path, &st) == 0;
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
	return sim_file_put(path, text, strlen(text), SIM_FILE_REPLACE, d);
}

char *cli_outdir_arg(const char *cmd, const char *arg)
{
	size_t n = strlen(arg);
	while (n > 1 && arg[n - 1] == '/')
		n--;
	/* The last component becomes NAME.partial beside NAME: it must be
	 * a name, not "", ".", ".." or the root. */
	const char *last = arg;
	for (size_t i = 0; i < n; i++)
		if (arg[i] == '/')
			last = arg + i + 1;
	size_t lastlen = n - (size_t)(last - arg);
	if (lastlen == 0 || (lastlen == 1 && last[0] == '.') ||
	    (lastlen == 2 && last[0] == '.' && last[1] == '.')) {
		cli_error("%s: -o '%s': expected a new directory name (not '.', "
			  "'..' or '/')",
			  cmd, arg);
		return NULL;
	}
	return sim_xasprintf("%.*s", (int)n, arg);
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

int cli_plots_timeout(uint64_t *timeout_ns, sim_diag *d)
{
	*timeout_ns = SIM_PLOTS_TIMEOUT_NS;
	const char *env = getenv(SIM_PLOTS_TIMEOUT_ENV);
	if (!env || !*env)
		return 0;
	const char *why = NULL;
	if (cfg_parse_time(env, timeout_ns, &why) != 0) {
		sim_diag_error(d, NULL, 0, 0,
			       "vdcsim: %s='%s': %s (expected a time such as "
			       "90s, or 0s for no limit)",
			       SIM_PLOTS_TIMEOUT_ENV, env, why ? why : "bad time");
		return SIM_EINPUT;
	}
	return 0;
}

/* The plots/ folder of the installation or the source tree (a new
 * string), or NULL with a message in d. */
static char *plots_folder(sim_diag *d)
{
	char *datadir = cli_datadir();
	if (!datadir) {
		sim_diag_error(d, NULL, 0, 0,
			       "vdcsim: cannot find the plots/ folder (set "
			       "VDCSIM_DATADIR to the folder holding configs/ and "
			       "plots/)");
		return NULL;
	}
	char *scripts = sim_xasprintf("%s/plots", datadir);
	free(datadir);
	return scripts;
}

int cli_plots_list(const char *dir, sim_diag *d)
{
	char *scripts = plots_folder(d);
	if (!scripts)
		return SIM_ENOENT;
	sim_plot_info *v;
	size_t n;
	int rc = sim_plots_list(scripts, dir, &v, &n, d);
	free(scripts);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char *why = v[i].why ? sim_escape(v[i].why) : NULL;
		printf("%-24s %s%s%s\n", v[i].name,
		       v[i].applies ? "fits" : "does not fit",
		       why ? ": " : "", why ? why : "");
		free(why);
	}
	sim_plots_list_free(v, n);
	return 0;
}

int cli_plots_draw(const char *dir, bool svg, unsigned *made, bool *skipped,
		   sim_diag *d)
{
	*made = 0;
	*skipped = false;
	uint64_t timeout_ns;
	int rc = cli_plots_timeout(&timeout_ns, d);
	if (rc != 0)
		return rc;
	char *scripts = plots_folder(d);
	if (!scripts)
		return SIM_ENOENT;
	rc = sim_plots_render_timeout(scripts, dir, dir, svg, timeout_ns,
				      cli_stop_flag(), made,
				      skipped, d);
	free(scripts);
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
