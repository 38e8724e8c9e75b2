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
#include <dirent.h>

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

/* The names (without .gp) of the *.gp files of folder, sorted, as a
 * NULL-terminated array (free with free_names). */
static char **gp_names(const char *folder, size_t *n)
{
	char **v = sim_xcalloc(1, sizeof *v);
	*n = 0;
	DIR *dh = opendir(folder);
	if (!dh)
		return v;
	struct dirent *de;
	while ((de = readdir(dh)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 3 ||
		    strcmp(de->d_name + len - 3, ".gp") != 0)
			continue;
		v = sim_xrealloc(v, *n + 2, sizeof *v);
		v[(*n)++] = sim_xasprintf("%.*s", (int)(len - 3), de->d_name);
		v[*n] = NULL;
	}
	closedir(dh);
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

static void free_names(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The tables whose CSV files dir holds: what a copied script may read. */
static char **csv_tables(const char *dir)
{
	char **v = sim_xcalloc(1, sizeof *v);
	size_t n = 0;
	DIR *dh = opendir(dir);
	if (!dh)
		return v;
	struct dirent *de;
	while ((de = readdir(dh)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 4 ||
		    strcmp(de->d_name + len - 4, ".csv") != 0)
			continue;
		v = sim_xrealloc(v, n + 2, sizeof *v);
		v[n++] = sim_xasprintf("%.*s", (int)(len - 4), de->d_name);
		v[n] = NULL;
	}
	closedir(dh);
	return v;
}

void cli_own_plots_fini(cli_own_plots *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->names[i]);
		free(o->texts[i]);
	}
	free(o->names);
	free(o->texts);
	memset(o, 0, sizeof *o);
}

/* The tables an own script may read: those the run writes, runs and
 * summary, into tables (room for DC_TABLE_COUNT + 3), NULL-terminated. */
static void own_tables(const dc_results_cfg *rs, const char **tables)
{
	size_t nt = 0;
	tables[nt++] = "runs";
	tables[nt++] = "summary";
	for (size_t t = 0; t < DC_TABLE_COUNT; t++)
		if (rs->tables & (1u << t))
			tables[nt++] = dc_table_names[t];
	tables[nt] = NULL;
}

int cli_plots_check(const cli_plan *plan, cli_own_plots *own, sim_diag *d)
{
	memset(own, 0, sizeof *own);
	const dc_results_cfg *rs = &plan->first.cfg->results;
	if (rs->nplot_names == 0 && rs->nplot_scripts == 0)
		return 0;
	char *folder = plots_folder(d);
	if (!folder)
		return SIM_ENOENT;
	size_t nbuilt;
	char **built = gp_names(folder, &nbuilt);
	free(folder);
	int rc = 0;
	for (size_t i = 0; i < rs->nplot_names; i++) {
		const dc_plot_ref *r = &rs->plot_names[i];
		bool known = false;
		for (size_t j = 0; j < nbuilt && !known; j++)
			known = strcmp(built[j], r->text) == 0;
		if (known)
			continue;
		const char *near = sim_suggest(r->text, (const char *const *)built);
		char *shown = sim_escape(r->text);
		if (near)
			sim_diag_error(d, r->file, r->line, r->col,
				       "results.plots: unknown plot '%s' (did you "
				       "mean '%s'? vdcsim plot DIR --list names "
				       "them all)", shown, near);
		else
			sim_diag_error(d, r->file, r->line, r->col,
				       "results.plots: unknown plot '%s' (expected "
				       "the name of a script of plots/, without "
				       ".gp)", shown);
		free(shown);
		rc = SIM_EINPUT;
	}
	const char *tables[DC_TABLE_COUNT + 3];
	own_tables(rs, tables);
	own->names = sim_xcalloc(rs->nplot_scripts + 1, sizeof *own->names);
	own->texts = sim_xcalloc(rs->nplot_scripts + 1, sizeof *own->texts);
	for (size_t i = 0; i < rs->nplot_scripts; i++) {
		const dc_plot_ref *r = &rs->plot_scripts[i];
		const char *slash = strrchr(r->text, '/');
		const char *base = slash ? slash + 1 : r->text;
		size_t len = strlen(base);
		char *stem = len > 3 && strcmp(base + len - 3, ".gp") == 0
				     ? sim_xasprintf("%.*s", (int)(len - 3), base)
				     : NULL;
		if (!stem || !sim_name_is_valid(stem)) {
			sim_diag_error(d, r->file, r->line, r->col,
				       "results.plot_scripts: '%s' is not a "
				       "NAME.gp file name (expected a gnuplot "
				       "script named like a table: letters, digits, "
				       "_)", r->text);
			free(stem);
			rc = SIM_EINPUT;
			continue;
		}
		bool clash = false;
		for (size_t j = 0; j < nbuilt && !clash; j++)
			clash = strcmp(built[j], stem) == 0;
		for (size_t j = 0; j < own->n && !clash; j++)
			clash = strcmp(own->names[j], stem) == 0;
		if (clash) {
			sim_diag_error(d, r->file, r->line, r->col,
				       "results.plot_scripts: '%s' would draw %s, "
				       "a plot of the same name as another "
				       "(expected a name of its own)", r->text,
				       stem);
			free(stem);
			rc = SIM_EINPUT;
			continue;
		}
		char *path;
		if (r->text[0] == '/') {
			path = sim_xstrdup(r->text);
		} else if (plan->base_dir) {
			path = sim_xasprintf("%s/%s", plan->base_dir, r->text);
		} else {
			const char *cs = r->file ? strrchr(r->file, '/') : NULL;
			path = cs ? sim_xasprintf("%.*s/%s", (int)(cs - r->file),
						  r->file, r->text)
				  : sim_xstrdup(r->text);
		}
		char *text = sim_plots_audit_file(path, tables, d);
		free(path);
		if (!text) {
			free(stem);
			rc = SIM_EINPUT;
			continue;
		}
		own->names[own->n] = stem;
		own->texts[own->n] = text;
		own->n++;
	}
	free_names(built);
	if (rc != 0)
		cli_own_plots_fini(own);
	return rc;
}

int cli_own_plots_read(const char *dir, const cli_plan *plan,
		       cli_own_plots *own, sim_diag *d)
{
	memset(own, 0, sizeof *own);
	const dc_results_cfg *rs = &plan->first.cfg->results;
	const char *tables[DC_TABLE_COUNT + 3];
	own_tables(rs, tables);
	char *sub = sim_xasprintf("%s/" CLI_OWN_PLOTS_DIR, dir);
	size_t nfound;
	char **found = gp_names(sub, &nfound);
	own->names = sim_xcalloc(rs->nplot_scripts + 1, sizeof *own->names);
	own->texts = sim_xcalloc(rs->nplot_scripts + 1, sizeof *own->texts);
	int rc = 0;
	/* The config names them (cli_plots_check kept their stems when the
	 * shard ran); each must be there, audited again. */
	for (size_t i = 0; i < rs->nplot_scripts; i++) {
		const char *text = rs->plot_scripts[i].text;
		const char *slash = strrchr(text, '/');
		const char *base = slash ? slash + 1 : text;
		size_t len = strlen(base);
		char *stem = len > 3 ? sim_xasprintf("%.*s", (int)(len - 3), base)
				     : sim_xstrdup(base);
		char *path = sim_xasprintf("%s/%s.gp", sub, stem);
		char *copy = sim_plots_audit_file(path, tables, d);
		free(path);
		if (!copy) {
			free(stem);
			rc = SIM_EINPUT;
			continue;
		}
		own->names[own->n] = stem;
		own->texts[own->n] = copy;
		own->n++;
	}
	/* And nothing else: a script the config does not name was not
	 * written by its run. */
	for (size_t j = 0; j < nfound; j++) {
		bool named = false;
		for (size_t i = 0; i < own->n && !named; i++)
			named = strcmp(own->names[i], found[j]) == 0;
		if (!named && rc == 0) {
			char *path = sim_xasprintf("%s/%s.gp", sub, found[j]);
			sim_diag_error(d, path, 0, 0,
				       "a plot script the config's "
				       "results.plot_scripts does not name "
				       "(expected only the audited copies its "
				       "run wrote)");
			free(path);
			rc = SIM_EINPUT;
		}
	}
	free_names(found);
	free(sub);
	if (rc != 0)
		cli_own_plots_fini(own);
	return rc;
}

int cli_own_plots_write(const char *dir, const cli_own_plots *own,
			sim_diag *d)
{
	if (own->n == 0)
		return 0;
	char *sub = sim_xasprintf("%s/" CLI_OWN_PLOTS_DIR, dir);
	cli_mkdir_p(sub);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < own->n; i++) {
		char *path = sim_xasprintf("%s/%s.gp", sub, own->names[i]);
		rc = cli_write_file(path, own->texts[i], d);
		free(path);
	}
	free(sub);
	return rc;
}

/* The plot names results.plots lists in dir/config.yaml (NULL-terminated),
 * or NULL when it is not a list (or cannot be read). */
static char **asked_plots(const char *dir)
{
	char *path = sim_xasprintf("%s/config.yaml", dir);
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	char **v = NULL;
	if (cfg_doc_load(path, &doc, &d) == 0) {
		const cfg_node *res = cfg_map_get(cfg_doc_root(doc), "results");
		const cfg_node *pl = res ? cfg_map_get(res, "plots") : NULL;
		if (pl && cfg_node_kind(pl) == CFG_SEQ) {
			size_t n = cfg_node_len(pl), k = 0;
			v = sim_xcalloc(n + 1, sizeof *v);
			for (size_t i = 0; i < n; i++) {
				const cfg_node *it = cfg_node_at(pl, i);
				if (cfg_node_kind(it) == CFG_SCALAR)
					v[k++] = sim_xstrdup(cfg_node_text(it));
			}
		}
	}
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	free(path);
	return v;
}

static bool listed(char *const *v, const char *name)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
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
	char **asked = asked_plots(dir);
	for (size_t i = 0; i < n; i++) {
		char *why = v[i].why ? sim_escape(v[i].why) : NULL;
		const char *mark = !asked ? ""
				   : listed(asked, v[i].name)
					   ? " (asked for by results.plots)"
					   : " (not asked for by results.plots)";
		printf("%-24s %s%s%s%s\n", v[i].name,
		       v[i].applies ? "fits" : "does not fit",
		       why ? ": " : "", why ? why : "", mark);
		free(why);
	}
	char *sub = sim_xasprintf("%s/" CLI_OWN_PLOTS_DIR, dir);
	size_t nown;
	char **own = gp_names(sub, &nown);
	for (size_t i = 0; i < nown; i++)
		printf("%-24s the config's own script (results.plot_scripts, "
		       "copied to %s/%s.gp)\n", own[i], CLI_OWN_PLOTS_DIR,
		       own[i]);
	free_names(own);
	free(sub);
	free_names(asked);
	sim_plots_list_free(v, n);
	return 0;
}

/* A copy of names (NULL-terminated), or NULL for NULL. */
static char **names_copy(const char *const *names)
{
	if (!names)
		return NULL;
	size_t n = 0;
	while (names[n])
		n++;
	char **v = sim_xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = sim_xstrdup(names[i]);
	return v;
}

/* Every name of names is a script of scripts or of own (a NULL-terminated
 * list); else SIM_EINPUT with the nearest suggested. */
static int names_known(const char *scripts, char *const *own,
		       const char *const *names, sim_diag *d)
{
	size_t nbuilt, nown = 0;
	char **built = gp_names(scripts, &nbuilt);
	while (own && own[nown])
		nown++;
	char **all = sim_xcalloc(nbuilt + nown + 1, sizeof *all);
	for (size_t i = 0; i < nbuilt; i++)
		all[i] = built[i];
	for (size_t i = 0; i < nown; i++)
		all[nbuilt + i] = own[i];
	int rc = 0;
	for (size_t i = 0; names[i]; i++) {
		if (listed(all, names[i]))
			continue;
		const char *near =
			sim_suggest(names[i], (const char *const *)all);
		char *shown = sim_escape(names[i]);
		sim_diag_error(d, "plot", 0, 0,
			       "no plot named '%s'%s%s%s (expected a name that "
			       "vdcsim plot DIR --list shows)",
			       shown, near ? " (did you mean '" : "",
			       near ? near : "", near ? "'?)" : "");
		free(shown);
		rc = SIM_EINPUT;
	}
	free(all);
	free_names(built);
	return rc;
}

int cli_plots_draw(const char *dir, bool svg, const char *const *names,
		   unsigned *made, bool *skipped, sim_diag *d)
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
	char *sub = sim_xasprintf("%s/" CLI_OWN_PLOTS_DIR, dir);
	size_t nown;
	char **own = gp_names(sub, &nown);
	if (names && (rc = names_known(scripts, own, names, d)) != 0) {
		free_names(own);
		free(sub);
		free(scripts);
		return rc;
	}
	char **asked = names ? names_copy(names) : asked_plots(dir);
	if (asked) {
		/* A plot asked for that does not fit is said, not drawn. */
		sim_plot_info *v;
		size_t n;
		rc = sim_plots_list(scripts, dir, &v, &n, d);
		for (size_t i = 0; rc == 0 && i < n; i++)
			if (!v[i].applies && listed(asked, v[i].name)) {
				char *why = v[i].why ? sim_escape(v[i].why) : NULL;
				fprintf(stderr, "vdcsim: warning: %s "
					"asks for %s, which does not fit these "
					"results (%s): not drawn\n",
					names ? "the command line"
					      : "results.plots",
					v[i].name,
					why ? why : "its condition is false");
				free(why);
			}
		if (rc == 0)
			sim_plots_list_free(v, n);
	}
	if (rc == 0)
		rc = sim_plots_render_only(scripts, (const char *const *)asked,
					   dir, dir, svg, timeout_ns,
					   cli_stop_flag(), made, skipped, d);
	free(scripts);
	/* Then the config's own scripts, from their audited copies. */
	char **tables = csv_tables(dir);
	for (size_t i = 0; rc == 0 && !*skipped && i < nown; i++) {
		if (names && !listed(asked, own[i]))
			continue;
		char *path = sim_xasprintf("%s/%s.gp", sub, own[i]);
		rc = sim_plots_render_own(path, (const char *const *)tables, dir,
					  dir, svg, timeout_ns, cli_stop_flag(),
					  made, skipped, d);
		/* A copy that no longer passes the audit is a failed plot. */
		if (rc == SIM_EINPUT)
			rc = SIM_ETOOL;
		free(path);
	}
	free_names(tables);
	free_names(own);
	free_names(asked);
	free(sub);
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
	return cli_plots_draw(dir, svg, NULL, made, skipped, d);
}
