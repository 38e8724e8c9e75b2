/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim trace-record`: runs a real program (workloads/rec.h) over a
 * write-tracked arena and writes its page-dirty trace, so that `vdcsim
 * wws` and the simulator can replay what a real program wrote.
 */
#include "cli_internal.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "trace.h"

#define DEFAULT_DURATION "20s"
/* Clark et al. read the dirty bitmap every 50 ms ([Clark05] §4). */
#define DEFAULT_INTERVAL "50ms"

static void usage_record(FILE *f)
{
	fputs("usage: vdcsim trace-record WORKLOAD [-o FILE] [--force]\n"
	      "                           [--mechanism auto|uffd|mprotect]\n"
	      "                           [--memory SIZE] [--duration TIME]\n"
	      "                           [--interval TIME] [--op-time TIME]\n"
	      "                           [--ramp TIME] [--burst-every TIME]\n"
	      "                           [--burst-length TIME] [--burst-factor X]\n"
	      "                           [--checkpoint-every TIME] [--seed N]\n"
	      "                           [-p NAME=VALUE]...\n"
	      "       vdcsim trace-record --list\n"
	      "\n"
	      "Runs a real program (SQLite, a web cache, zlib, a memory muncher)\n"
	      "over a memory arena of SIZE whose pages are write-tracked like a\n"
	      "hypervisor's dirty log, and writes its page-dirty trace\n"
	      "(traces/page-dirty-format.md) to FILE (default WORKLOAD.pdt).\n"
	      "Simulated time advances by the workload's nominal time per\n"
	      "operation (--op-time); a sample is taken every --interval, that is\n"
	      "every K = interval / op-time operations at level 1. Phases: the\n"
	      "workload's load operations, then the run: a linear ramp of the\n"
	      "level from 0 to 1 over --ramp, bursts of --burst-factor times the\n"
	      "level for --burst-length every --burst-every, and a checkpoint\n"
	      "every --checkpoint-every. Same options and seed: the same bytes,\n"
	      "whatever the mechanism or the machine's speed.\n"
	      "\n"
	      "  -o, --output FILE       the trace (an existing file only with --force)\n"
	      "  --mechanism M           uffd: userfaultfd write-protection (async)\n"
	      "                          read with PAGEMAP_SCAN; mprotect: SIGSEGV on\n"
	      "                          first write; auto (default): uffd, else\n"
	      "                          mprotect with a note on stderr\n"
	      "  --memory SIZE           arena, the traced VM's memory (1 MiB to 4 GiB;\n"
	      "                          default: the workload's, see --list)\n"
	      "  --duration TIME         trace length, load included (default " DEFAULT_DURATION ")\n"
	      "  --interval TIME         sample period (default " DEFAULT_INTERVAL ")\n"
	      "  --op-time TIME          nominal time per operation (default: the\n"
	      "                          workload's, see --list)\n"
	      "  --ramp TIME             ramp after the load (default 0: none)\n"
	      "  --burst-every TIME      period of bursts (default 0: none)\n"
	      "  --burst-length TIME     length of each burst (default 0)\n"
	      "  --burst-factor X        level during a burst, 0 to 100 (default 2)\n"
	      "  --checkpoint-every TIME period of checkpoints (default 0: none)\n"
	      "  --seed N                seed of the workload's random streams (default 1)\n"
	      "  -p, --param NAME=VALUE  a workload parameter (see --list)\n"
	      "  --force                 replace an existing FILE\n"
	      "  --list                  list the workloads and their parameters\n"
	      "\n"
	      "Exit status: 0 written, 1 a write failed or the arena could not\n"
	      "be mapped, 2 bad usage or input (an unknown workload, a size that\n"
	      "does not fit, --mechanism uffd refused, an existing FILE); nothing\n"
	      "is written then.\n",
	      f);
}

static int bad_value(const char *opt, const char *val, const char *why)
{
	cli_error("trace-record: %s '%s': %s", opt, val, why);
	return -1;
}

static int parse_time_opt(const char *opt, const char *s, uint64_t *out)
{
	const char *why = NULL;
	if (cfg_parse_time(s, out, &why) != 0)
		return bad_value(opt, s, why);
	return 0;
}

typedef struct rec_cli {
	rec_opts o;
	const char *out, *name;
	bool list, force;
} rec_cli;

static int parse_opts(int argc, char **argv, rec_cli *r, const char **sets)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"mechanism", required_argument, NULL, 'M'},
		{"memory", required_argument, NULL, 'm'},
		{"duration", required_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'},
		{"op-time", required_argument, NULL, 't'},
		{"ramp", required_argument, NULL, 'r'},
		{"burst-every", required_argument, NULL, 'E'},
		{"burst-length", required_argument, NULL, 'L'},
		{"burst-factor", required_argument, NULL, 'F'},
		{"checkpoint-every", required_argument, NULL, 'C'},
		{"seed", required_argument, NULL, 's'},
		{"param", required_argument, NULL, 'p'},
		{"force", no_argument, NULL, 'f'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	rec_opts *o = &r->o;
	const char *why = NULL;
	cfg_parse_time(DEFAULT_DURATION, &o->duration_ns, &why);
	cfg_parse_time(DEFAULT_INTERVAL, &o->interval_ns, &why);
	o->seed = 1;
	o->burst_factor = 2;
	o->sets = sets;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":o:p:h", longopts, NULL)) != -1) {
		why = NULL;
		int rc = 0;
		switch (ch) {
		case 'o': r->out = optarg; break;
		case 'f': r->force = true; break;
		case 'l': r->list = true; break;
		case 'h': usage_record(stdout); return 1;
		case 'p': sets[o->nsets++] = optarg; break;
		case 'M': {
			size_t k = 0;
			while (rec_mech_names[k] && strcmp(rec_mech_names[k], optarg))
				k++;
			if (!rec_mech_names[k])
				return bad_value("--mechanism", optarg,
						 "expected auto, uffd or mprotect");
			o->mech = (rec_mech)k;
			break;
		}
		case 'm':
			if (cfg_parse_bytes(optarg, &o->arena_bytes, &why) != 0)
				return bad_value("--memory", optarg, why);
			if (o->arena_bytes < REC_ARENA_MIN ||
			    o->arena_bytes > REC_ARENA_MAX ||
			    o->arena_bytes % REC_PAGE)
				return bad_value("--memory", optarg, "does not fit "
						 "the arena (expected a multiple of "
						 "4 KiB from 1 MiB to 4 GiB)");
			break;
		case 'd': rc = parse_time_opt("--duration", optarg, &o->duration_ns); break;
		case 'i': rc = parse_time_opt("--interval", optarg, &o->interval_ns); break;
		case 't': rc = parse_time_opt("--op-time", optarg, &o->op_ns); break;
		case 'r': rc = parse_time_opt("--ramp", optarg, &o->ramp_ns); break;
		case 'E': rc = parse_time_opt("--burst-every", optarg, &o->burst_every_ns); break;
		case 'L': rc = parse_time_opt("--burst-length", optarg, &o->burst_ns); break;
		case 'C': rc = parse_time_opt("--checkpoint-every", optarg,
					      &o->checkpoint_every_ns); break;
		case 'F':
			if (cfg_parse_float(optarg, &o->burst_factor, &why) != 0)
				return bad_value("--burst-factor", optarg, why);
			break;
		case 's':
			if (cfg_parse_uint(optarg, &o->seed, &why) != 0)
				return bad_value("--seed", optarg, why);
			break;
		case ':':
			cli_error("trace-record: option '%s' needs a value (see vdcsim "
				  "trace-record --help)", argv[optind - 1]);
			return -1;
		default:
			cli_error("trace-record: unknown option '%s' (see vdcsim "
				  "trace-record --help)", argv[optind - 1]);
			return -1;
		}
		if (rc != 0)
			return -1;
	}
	if (r->list)
		return optind == argc ? 0 : (cli_error("trace-record: --list takes "
						       "no WORKLOAD"), -1);
	if (argc - optind != 1) {
		cli_error("trace-record: expected one WORKLOAD (see vdcsim "
			  "trace-record --list)");
		return -1;
	}
	r->name = argv[optind];
	if (o->interval_ns == 0)
		return bad_value("--interval", "0", "expected a time above 0");
	return 0;
}

static void list_workloads(void)
{
	for (size_t i = 0; rec_workload_at(i); i++) {
		const rec_workload *w = rec_workload_at(i);
		printf("%s: %s\n  arena %" PRIu64 " MiB; an operation is %s, "
		       "nominal %" PRIu64 " us\n", w->name, w->doc,
		       w->arena_bytes >> 20, w->op, w->op_ns / 1000);
		for (const rec_param *p = w->params; p->name; p++)
			printf("  %-12s %-8s %s\n", p->name, p->def, p->doc);
		putchar('\n');
	}
}

static int unknown_workload(const char *name)
{
	const char *names[16];
	size_t n = 0;
	for (; n < 15 && rec_workload_at(n); n++)
		names[n] = rec_workload_at(n)->name;
	names[n] = NULL;
	const char *near = sim_suggest(name, names);
	if (near)
		cli_error("trace-record: unknown workload '%s' (did you mean '%s'?)",
			  name, near);
	else
		cli_error("trace-record: unknown workload '%s' (expected one of "
			  "vdcsim trace-record --list)", name);
	return CLI_USAGE;
}

int cli_cmd_tracerecord(int argc, char **argv)
{
	rec_cli r;
	memset(&r, 0, sizeof r);
	const char **sets = sim_xcalloc((size_t)argc + 1, sizeof *sets);
	int prc = parse_opts(argc, argv, &r, sets);
	int status = CLI_OK;
	if (prc != 0) {
		status = prc > 0 ? CLI_OK : CLI_USAGE;
		goto out;
	}
	if (r.list) {
		list_workloads();
		goto out;
	}
	r.o.w = rec_workload_find(r.name);
	if (!r.o.w) {
		status = unknown_workload(r.name);
		goto out;
	}
	sim_diag d;
	sim_diag_init(&d);
	char *path = r.out ? sim_xstrdup(r.out) : sim_xasprintf("%s.pdt", r.name);
	int rc = rec_opts_check(&r.o, &d);
	if (rc == 0)
		rc = sim_file_check_target(path, SIM_FILE_REPLACE, &d);
	if (rc == 0 && !r.force && cli_exists(path)) {
		sim_diag_error(&d, path, 0, 0, "already exists (expected a new "
			       "file name; --force replaces it)");
		rc = SIM_EEXIST;
	}
	trace_pages *t = NULL;
	rec_stats st;
	if (rc == 0)
		rc = rec_record(&r.o, &t, &st, &d);
	if (rc == 0 && st.note)
		cli_error("trace-record: %s: falling back to mprotect (same "
			  "trace, slower)", st.note);
	if (rc == 0)
		rc = trace_pages_save_as(t, path, r.force ? SIM_FILE_REPLACE : 0, &d);
	if (rc == 0) {
		char *shown = sim_escape(path);
		printf("%s: %s, %" PRIu64 " pages of 4 KiB, %zu samples, %" PRIu64
		       " load and %" PRIu64 " run operations, %" PRIu64
		       " checkpoints, arena %" PRIu64 " KiB used, mechanism %s\n",
		       shown, r.o.w->name, t->pages, t->nsamples, st.load_ops,
		       st.ops, st.checkpoints, st.arena_peak >> 10,
		       rec_mech_names[st.mech]);
		free(shown);
	} else {
		cli_print_diag(&d);
		status = rc == SIM_EINPUT || rc == SIM_EEXIST ? CLI_USAGE : CLI_FAIL;
	}
	trace_pages_destroy(t);
	free(path);
	sim_diag_fini(&d);
out:
	free(sets);
	return status;
}
