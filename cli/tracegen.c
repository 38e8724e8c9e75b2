/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim trace-gen`: writes page-dirty traces of the synthetic workloads
 * shaped like Clark et al.'s (workloads/), so that `vdcsim wws` and the
 * simulator can run on the same files.
 */
#include "cli_internal.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace.h"
#include "wl.h"

#define DEFAULT_DURATION "120s"
/* Clark et al. read the dirty bitmap every 50 ms ([Clark05] §4). */
#define DEFAULT_INTERVAL "50ms"
#define PAGE_SIZE 4096

static void usage_tracegen(FILE *f)
{
	fputs("usage: vdcsim trace-gen PRESET|all [-o PATH] [--force] [--memory SIZE]\n"
	      "                        [--duration TIME] [--interval TIME] [--seed N]\n"
	      "       vdcsim trace-gen --list\n"
	      "       vdcsim trace-gen insn ...  (instruction traces: see\n"
	      "                                   vdcsim trace-gen insn --help)\n"
	      "\n"
	      "Writes the page-dirty trace (traces/page-dirty-format.md) of a\n"
	      "synthetic workload preset to PATH (default PRESET.pdt), or of every\n"
	      "preset into the directory PATH with 'all' (default\n"
	      "synthetic-traces). Same options and seed: the same bytes. An\n"
	      "existing file is replaced only with --force; a link, device, FIFO\n"
	      "or directory in its place never is.\n"
	      "\n"
	      "  --memory SIZE    VM memory (default 512MiB, the VM Clark et al. traced)\n"
	      "  --duration TIME  trace length (default " DEFAULT_DURATION ")\n"
	      "  --interval TIME  sample period (default " DEFAULT_INTERVAL ")\n"
	      "  --seed N         master seed (default 1)\n"
	      "  --force          replace existing trace files\n"
	      "  --list           list the presets\n"
	      "\n"
	      "Exit status: 0 written, 1 a write failed, 2 bad usage or an\n"
	      "existing PATH.\n",
	      f);
}

typedef struct gen_opts {
	const char *preset, *out;
	uint64_t memory_bytes; /* 0 = the preset's */
	uint64_t duration_ns, interval_ns, seed;
	bool list, force;
} gen_opts;

static int bad_value(const char *opt, const char *val, const char *why)
{
	cli_error("trace-gen: %s '%s': %s", opt, val, why);
	return -1;
}

static int parse_gen_opts(int argc, char **argv, gen_opts *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"memory", required_argument, NULL, 'm'},
		{"duration", required_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'},
		{"seed", required_argument, NULL, 's'},
		{"list", no_argument, NULL, 'l'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	const char *why = NULL;
	cfg_parse_time(DEFAULT_DURATION, &o->duration_ns, &why);
	cfg_parse_time(DEFAULT_INTERVAL, &o->interval_ns, &why);
	o->seed = 1;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		why = NULL;
		switch (ch) {
		case 'o': o->out = optarg; break;
		case 'l': o->list = true; break;
		case 'f': o->force = true; break;
		case 'h': usage_tracegen(stdout); return 1;
		case 'm':
			if (cfg_parse_bytes(optarg, &o->memory_bytes, &why) != 0)
				return bad_value("--memory", optarg, why);
			if (o->memory_bytes < PAGE_SIZE)
				return bad_value("--memory", optarg,
						 "expected at least one 4 KiB page");
			break;
		case 'd':
			if (cfg_parse_time(optarg, &o->duration_ns, &why) != 0)
				return bad_value("--duration", optarg, why);
			if (o->duration_ns == 0)
				return bad_value("--duration", optarg, "expected a time above 0");
			break;
		case 'i':
			if (cfg_parse_time(optarg, &o->interval_ns, &why) != 0)
				return bad_value("--interval", optarg, why);
			if (o->interval_ns == 0)
				return bad_value("--interval", optarg, "expected a time above 0");
			break;
		case 's':
			if (cfg_parse_uint(optarg, &o->seed, &why) != 0)
				return bad_value("--seed", optarg, why);
			break;
		case ':':
			cli_error("trace-gen: option '%s' needs a value (see vdcsim "
				  "trace-gen --help)", argv[optind - 1]);
			return -1;
		default:
			cli_error("trace-gen: unknown option '%s' (see vdcsim trace-gen "
				  "--help)", argv[optind - 1]);
			return -1;
		}
	}
	if (o->list)
		return optind == argc ? 0 : (cli_error("trace-gen: --list takes no "
						       "PRESET"), -1);
	if (argc - optind != 1) {
		cli_error("trace-gen: expected one PRESET or 'all' (see vdcsim "
			  "trace-gen --list)");
		return -1;
	}
	o->preset = argv[optind];
	/* A trace of more than ~10^8 samples is a typo, not an experiment. */
	if (o->duration_ns / o->interval_ns > UINT64_C(100000000))
		return bad_value("--duration", "", "more than 10^8 samples (expected "
				 "a shorter duration or a longer interval)");
	return 0;
}

static unsigned save_flags(const gen_opts *o)
{
	return o->force ? SIM_FILE_REPLACE : 0;
}

static int generate(const wl_pages_preset *p, const gen_opts *o,
		    const char *path, sim_diag *d)
{
	uint64_t bytes = o->memory_bytes ? o->memory_bytes : p->vm_bytes;
	uint64_t pages = bytes / PAGE_SIZE;
	if (wl_pages_check(&p->params, pages, p->name, d) != 0)
		return SIM_EINPUT;
	trace_pages *t = wl_trace_generate(&p->params, pages, PAGE_SIZE,
					   o->duration_ns, o->interval_ns, o->seed);
	int rc = trace_pages_save_as(t, path, save_flags(o), d);
	if (rc == 0) {
		char *shown = sim_escape(path);
		printf("%s: %s, %" PRIu64 " pages of 4 KiB, %zu samples\n", shown,
		       p->name, pages, t->nsamples);
		free(shown);
	}
	trace_pages_destroy(t);
	return rc;
}

/* Checks a destination before any work, so that a bad one fails at once
 * and leaves nothing written; an existing file is a usage error that
 * names --force. */
static int check_dest(const char *path, const gen_opts *o, sim_diag *d)
{
	int rc = sim_file_check_target(path, SIM_FILE_REPLACE, d);
	if (rc == 0 && !o->force && cli_exists(path)) {
		sim_diag_error(d, path, 0, 0,
			       "already exists (expected a new file name; "
			       "--force replaces it)");
		rc = SIM_EEXIST;
	}
	return rc;
}

static int status_of(int rc)
{
	return rc == SIM_EINPUT || rc == SIM_EEXIST ? CLI_USAGE : CLI_FAIL;
}

int cli_cmd_tracegen(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "insn") == 0)
		return cli_cmd_tracegen_insn(argc - 1, argv + 1);
	gen_opts o;
	int prc = parse_gen_opts(argc, argv, &o);
	if (prc != 0)
		return prc > 0 ? CLI_OK : CLI_USAGE;
	if (o.list) {
		for (size_t i = 0; wl_pages_preset_at(i); i++) {
			const wl_pages_preset *p = wl_pages_preset_at(i);
			printf("%-16s %6" PRIu64 " MiB  %s\n", p->name,
			       p->vm_bytes >> 20, p->doc);
		}
		return CLI_OK;
	}
	sim_diag d;
	sim_diag_init(&d);
	int status = CLI_OK;
	if (strcmp(o.preset, "all") == 0) {
		const char *dir = o.out ? o.out : "synthetic-traces";
		struct stat sb;
		if (cli_mkdir_p(dir) != 0) {
			cli_error("trace-gen: cannot create '%s': %s", dir, strerror(errno));
			sim_diag_fini(&d);
			return CLI_FAIL;
		}
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			cli_error("trace-gen: '%s' is not a directory (expected a "
				  "folder for the traces of all presets)", dir);
			sim_diag_fini(&d);
			return CLI_USAGE;
		}
		size_t n = 0;
		while (wl_pages_preset_at(n))
			n++;
		char **paths = sim_xcalloc(n, sizeof *paths);
		for (size_t i = 0; i < n; i++) {
			paths[i] = sim_xasprintf("%s/%s.pdt", dir,
						 wl_pages_preset_at(i)->name);
			int rc = check_dest(paths[i], &o, &d);
			if (rc != 0 && status == CLI_OK)
				status = status_of(rc);
		}
		for (size_t i = 0; i < n && status == CLI_OK; i++) {
			int rc = generate(wl_pages_preset_at(i), &o, paths[i], &d);
			if (rc != 0)
				status = status_of(rc);
		}
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
	} else {
		const wl_pages_preset *p = wl_pages_preset_find(o.preset);
		if (!p) {
			const char *names[16];
			size_t n = 0;
			for (; n < 15 && wl_pages_preset_at(n); n++)
				names[n] = wl_pages_preset_at(n)->name;
			names[n] = NULL;
			const char *near = sim_suggest(o.preset, names);
			if (near)
				cli_error("trace-gen: unknown preset '%s' (did you mean '%s'?)",
					  o.preset, near);
			else
				cli_error("trace-gen: unknown preset '%s' (expected one of "
					  "vdcsim trace-gen --list, or all)", o.preset);
			sim_diag_fini(&d);
			return CLI_USAGE;
		}
		char *path = o.out ? sim_xstrdup(o.out) : sim_xasprintf("%s.pdt", p->name);
		int rc = check_dest(path, &o, &d);
		if (rc == 0)
			rc = generate(p, &o, path, &d);
		if (rc != 0)
			status = status_of(rc);
		free(path);
	}
	if (status != CLI_OK)
		cli_print_diag(&d);
	sim_diag_fini(&d);
	return status;
}
