/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim merge OUT DIR...`: the shards of a plan (directories written by
 * vdcsim run --shard I/N, each holding its runs' point files) become the
 * results directory OUT that one vdcsim run of the same config writes, byte
 * for byte: the point files are gathered into OUT's staging directory and
 * published by the same code as run's (cli_run_publish).
 */
#include "run_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct merge_opts {
	const char *out;
	char **dirs;
	size_t ndirs;
	bool svg, progress, no_csv, no_plots;
} merge_opts;

static void usage_merge(FILE *f)
{
	fputs("usage: vdcsim merge OUT DIR... [--svg] [--no-csv] [--no-plots]\n"
	      "                    [--progress]\n"
	      "\n"
	      "Makes the results directory OUT of a plan run in shards: each DIR\n"
	      "is one shard, written by vdcsim run CONFIG --shard I/N -o DIR (on\n"
	      "any machine), and all N shards of the same config must be given,\n"
	      "in any order. OUT is what one vdcsim run of the config writes,\n"
	      "byte for byte (results.sqlite, CSV files, plots); the shards are\n"
	      "left as they are. OUT appears only when complete.\n"
	      "\n"
	      "  --svg          draw SVG instead of PNG\n"
	      "  --no-csv       no CSV files (and so no plots)\n"
	      "  --no-plots     no plots\n"
	      "  --progress     progress on stderr even when not a terminal\n"
	      "\n"
	      "The config's own plot scripts (results.plot_scripts) come from\n"
	      "the shards' audited copies in plot_scripts/, audited again;\n"
	      "every shard must hold the same copies.\n"
	      "\n"
	      "Exit status: 0 merged, 1 run-time failure (a full disk\n"
	      "included), 2 bad usage, a DIR that is not a shard, shards of\n"
	      "different configs, a shard missing or given twice, a run\n"
	      "missing or damaged in its shard, or shards whose plot scripts\n"
	      "are missing, refused by the audit or differ.\n",
	      f);
}

/* 0, 1 after --help, -1 on a usage error (said). */
static int parse_merge_opts(int argc, char **argv, merge_opts *o)
{
	static const struct option longopts[] = {
		{"svg", no_argument, NULL, 'v'},
		{"progress", no_argument, NULL, 'p'},
		{"no-csv", no_argument, NULL, 'C'},
		{"no-plots", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'v': o->svg = true; break;
		case 'p': o->progress = true; break;
		case 'C': o->no_csv = true; break;
		case 'P': o->no_plots = true; break;
		case 'h': usage_merge(stdout); return 1;
		default:
			cli_error("merge: unknown option '%s' (see vdcsim merge --help)",
				  argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind < 2) {
		cli_error("merge: expected OUT and at least one shard DIR (see "
			  "vdcsim merge --help)");
		return -1;
	}
	o->out = argv[optind];
	o->dirs = argv + optind + 1;
	o->ndirs = (size_t)(argc - optind - 1);
	return 0;
}

/* The whole file at path in a new string (NULL if it cannot be read). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = sim_xmalloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap)
			buf = sim_xrealloc(buf, cap *= 2, 1);
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Copies src to dst (a new file), synced. 0 or SIM_EIO with a message. */
static int copy_file(const char *src, const char *dst, sim_diag *d)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		sim_diag_error(d, src, 0, 0, "cannot read: %s", strerror(errno));
		return SIM_EIO;
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		sim_diag_error(d, dst, 0, 0, "cannot create: %s",
			       strerror(errno));
		close(in);
		return SIM_EIO;
	}
	char buf[1 << 16];
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sim_diag_error(d, src, 0, 0, "cannot read: %s",
				       strerror(errno));
			rc = SIM_EIO;
			break;
		}
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				sim_diag_error(d, dst, 0, 0, "cannot write: %s",
					       strerror(errno));
				rc = SIM_EIO;
				break;
			}
			w += k;
		}
		if (rc)
			break;
	}
	if (rc == 0 && fsync(out) != 0) {
		sim_diag_error(d, dst, 0, 0, "cannot sync: %s", strerror(errno));
		rc = SIM_EIO;
	}
	close(in);
	if (close(out) != 0 && rc == 0) {
		sim_diag_error(d, dst, 0, 0, "cannot write: %s", strerror(errno));
		rc = SIM_EIO;
	}
	if (rc)
		unlink(dst);
	return rc;
}

/* Checks the shards: each is a shard of the same N and config, and every
 * share 1..N appears exactly once. Fills owner[i] = the index in o->dirs
 * of share i. Returns an exit status (CLI_OK, or after saying why). */
static int check_shards(const merge_opts *o, size_t *n_out, size_t **owner,
			char **config_text)
{
	size_t n = 0;
	*owner = NULL;
	*config_text = NULL;
	size_t first_len = 0;
	for (size_t k = 0; k < o->ndirs; k++) {
		const char *dir = o->dirs[k];
		char *shown = sim_escape(dir);
		size_t i, nk;
		int got = cli_shard_read(dir, &i, &nk);
		if (got <= 0) {
			cli_error("merge: '%s' is not a shard (expected a directory "
				  "written by vdcsim run --shard I/N, with %s)",
				  shown, got < 0 ? "a valid " CLI_SHARD_FILE
						 : CLI_SHARD_FILE);
			free(shown);
			return CLI_USAGE;
		}
		if (k == 0) {
			n = nk;
			*owner = sim_xcalloc(n, sizeof **owner);
			for (size_t s = 0; s < n; s++)
				(*owner)[s] = SIZE_MAX;
		} else if (nk != n) {
			cli_error("merge: '%s' is a shard of %zu, '%s' of %zu "
				  "(expected the shards of one split)",
				  shown, nk, o->dirs[0], n);
			free(shown);
			return CLI_USAGE;
		}
		if ((*owner)[i] != SIZE_MAX) {
			cli_error("merge: '%s' and '%s' are both shard %zu/%zu "
				  "(expected each shard once)",
				  o->dirs[(*owner)[i]], shown, i + 1, n);
			free(shown);
			return CLI_USAGE;
		}
		(*owner)[i] = k;
		char *cfg = sim_xasprintf("%s/config.yaml", dir);
		size_t len = 0;
		char *text = slurp(cfg, &len);
		free(cfg);
		if (!text) {
			cli_error("merge: '%s' has no readable config.yaml "
				  "(expected a shard of vdcsim run)", shown);
			free(shown);
			return CLI_USAGE;
		}
		if (k == 0) {
			*config_text = text;
			first_len = len;
		} else {
			bool same = len == first_len &&
				    memcmp(text, *config_text, len) == 0;
			free(text);
			if (!same) {
				cli_error("merge: '%s' ran another config than '%s' "
					  "(expected the shards of one config)",
					  shown, o->dirs[0]);
				free(shown);
				return CLI_USAGE;
			}
		}
		free(shown);
	}
	for (size_t s = 0; s < n; s++)
		if ((*owner)[s] == SIZE_MAX) {
			cli_error("merge: shard %zu/%zu is missing (expected all "
				  "%zu shards)", s + 1, n, n);
			return CLI_USAGE;
		}
	*n_out = n;
	return CLI_OK;
}

/* The config's own plot scripts (results.plot_scripts) as the shards
 * keep them: every shard's audited copies (cli_own_plots_read), which must
 * be the same, name for name and byte for byte, in every shard (a shard's
 * copy is what its runs were checked against; the original files need
 * not exist where the merge runs). Returns an exit status (CLI_OK with
 * *own filled, or CLI_USAGE after saying why). */
static int own_scripts(const merge_opts *o, const cli_plan *plan,
		       cli_own_plots *own, sim_diag *d)
{
	for (size_t k = 0; k < o->ndirs; k++) {
		cli_own_plots got;
		if (cli_own_plots_read(o->dirs[k], plan, &got, d) != 0) {
			cli_print_diag(d);
			char *shown = sim_escape(o->dirs[k]);
			cli_error("merge: '%s' lacks a valid copy of the config's "
				  "plot scripts (see above; expected the "
				  CLI_OWN_PLOTS_DIR "/ its run wrote)", shown);
			free(shown);
			return CLI_USAGE;
		}
		if (k == 0) {
			*own = got;
			continue;
		}
		size_t differs = SIZE_MAX;
		for (size_t i = 0; i < got.n && differs == SIZE_MAX; i++)
			if (strcmp(got.texts[i], own->texts[i]) != 0)
				differs = i;
		if (differs != SIZE_MAX) {
			char *shown = sim_escape(o->dirs[k]);
			cli_error("merge: '%s' and '%s' hold different copies of "
				  CLI_OWN_PLOTS_DIR "/%s.gp (expected the shards "
				  "of one config and its scripts: run every "
				  "shard with the same script)", shown,
				  o->dirs[0], got.names[differs]);
			free(shown);
			cli_own_plots_fini(&got);
			return CLI_USAGE;
		}
		cli_own_plots_fini(&got);
	}
	return CLI_OK;
}

int cli_cmd_merge(int argc, char **argv)
{
	merge_opts o;
	int prc = parse_merge_opts(argc, argv, &o);
	if (prc != 0)
		return prc > 0 ? CLI_OK : CLI_USAGE;
	sim_diag d;
	sim_diag_init(&d);
	cli_plan plan;
	memset(&plan, 0, sizeof plan);
	size_t nshards = 0, *owner = NULL;
	char *config_text = NULL, *config_path = NULL, *config_dir = NULL;
	char *final = NULL, *staging = NULL;
	int lock_fd = -1;
	cli_own_plots own = {0};
	cli_signals_install();
	int status = check_shards(&o, &nshards, &owner, &config_text);
	if (status != CLI_OK)
		goto out;
	for (size_t k = 0; k < o.ndirs; k++)
		if (cli_inputs_check(o.dirs[k], &d) != 0) {
			cli_print_diag(&d);
			cli_error("merge: an input of '%s' changed since it ran "
				  "(see above)", o.dirs[k]);
			status = CLI_USAGE;
			goto out;
		}
	config_path = sim_xasprintf("%s/config.yaml", o.dirs[0]);
	config_dir = cli_run_config_dir(o.dirs[0]);
	if (cli_plan_load(config_path, NULL, 0, NULL, config_dir, true, &plan,
			  &d) != 0) {
		cli_print_diag(&d);
		status = CLI_USAGE;
		goto out;
	}
	final = cli_outdir_arg("merge", o.out);
	if (!final) {
		status = CLI_USAGE;
		goto out;
	}
	staging = sim_xasprintf("%s.partial", final);
	if (cli_exists(final) || cli_exists(staging)) {
		cli_error("merge: '%s' exists (expected a new path for OUT)",
			  cli_exists(final) ? final : staging);
		status = CLI_USAGE;
		goto out;
	}
	/* Every run's point file, checked as --resume checks one, before
	 * anything is written. */
	for (size_t run = 0; run < plan.nruns; run++) {
		const char *dir = o.dirs[owner[run % nshards]];
		char *src = cli_point_path(dir, run, "");
		char *why = cli_exists(src) ? cli_point_check(src, &plan, run)
					    : sim_xstrdup("no such file");
		if (why) {
			char *shown = sim_escape(src);
			cli_error("merge: run %zu of shard %zu/%zu: '%s': %s "
				  "(expected the shard's complete point file)",
				  run + 1, run % nshards + 1, nshards, shown, why);
			free(shown);
			free(why);
			free(src);
			status = CLI_USAGE;
			goto out;
		}
		free(src);
	}
	status = own_scripts(&o, &plan, &own, &d);
	if (status != CLI_OK)
		goto out;
	status = cli_run_create_staging(staging, config_path,
					config_dir ? config_dir : "", &plan,
					&lock_fd, &d);
	if (status != CLI_OK)
		goto out;
	/* The audited copies, as vdcsim run writes them: vdcsim plot OUT
	 * draws the config's own scripts again from there. */
	if (cli_own_plots_write(staging, &own, &d) != 0) {
		cli_print_diag(&d);
		cli_error("merge: could not write the plot scripts into '%s' "
			  "(remove it and merge again)", staging);
		status = CLI_FAIL;
		goto out;
	}
	for (size_t run = 0; run < plan.nruns; run++) {
		char *src = cli_point_path(o.dirs[owner[run % nshards]], run, "");
		char *dst = cli_point_path(staging, run, "");
		int rc = copy_file(src, dst, &d);
		free(src);
		free(dst);
		if (rc == 0 && cli_stop_signal())
			rc = SIM_EINTR;
		if (rc != 0) {
			cli_print_diag(&d);
			cli_error("merge: could not gather the runs into '%s' "
				  "(remove it and merge again)", staging);
			status = rc == SIM_EINTR ? cli_interrupted_status()
						 : CLI_FAIL;
			goto out;
		}
	}
	cli_progress pr = {0};
	pr.tty = isatty(STDERR_FILENO);
	pr.on = pr.tty || o.progress;
	pr.start_s = cli_wall_s();
	pr.nruns = plan.nruns;
	pr.done = plan.nruns;
	const dc_results_cfg *rs = &plan.first.cfg->results;
	cli_outputs outs = {.csv = rs->csv && !o.no_csv, .svg = o.svg};
	outs.plots = outs.csv && rs->plots && !o.no_plots;
	status = cli_run_publish(&plan, staging, final, &outs, &pr, &d);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	cli_own_plots_fini(&own);
	cli_plan_fini(&plan);
	sim_diag_fini(&d);
	free(owner);
	free(config_text);
	free(config_path);
	free(config_dir);
	free(final);
	free(staging);
	return status;
}
