/* SPDX-License-Identifier: MIT */
/*
 * vdcsim: the command. Dispatches to run, validate, plot, params, wws,
 * trace-gen, trace-record, merge and compare; "help CMD" shows a command's text.
 */
#include "cli_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vdcsim_config.h"

static void usage(FILE *f)
{
	fputs("usage: vdcsim COMMAND [ARGS]\n"
	      "\n"
	      "vdcsim is a deterministic discrete-event simulator of a virtualized\n"
	      "datacenter. Commands:\n"
	      "  run [CONFIG]    run an experiment or sweep into a results directory\n"
	      "  validate CONFIG check a config and its sweep, write nothing\n"
	      "  plot DIR        draw again the plots of a results directory\n"
	      "  params          list every configuration parameter\n"
	      "  wws TRACE       writable-working-set analysis of a page-dirty trace\n"
	      "  trace-gen NAME  write the page-dirty trace of a synthetic workload\n"
	      "  trace-record WORKLOAD  record the page-dirty trace of a real program\n"
	      "  merge OUT DIR...  make one results directory of run --shard shards\n"
	      "  compare DIR_A DIR_B  the metrics of two results directories side by side\n"
	      "  help [COMMAND]  this text, or a command's (as vdcsim COMMAND --help)\n"
	      "\n"
	      "vdcsim --version prints the version. The manual page, vdcsim(1), has\n"
	      "every command's text and every parameter.\n"
	      "Exit status: 0 success, 1 run-time failure, 2 bad usage or input;\n"
	      "run also 130, 143 or 129 when interrupted by SIGINT, SIGTERM or\n"
	      "SIGHUP (finish it with vdcsim run --resume DIR).\n",
	      f);
}

/* glibc's malloc settings for a simulator's allocation pattern (millions
 * of small nodes, rows and events, big arrays regrown): huge pages for the
 * heap where the kernel gives them on request (transparent huge pages in
 * madvise mode), large blocks kept in the heap and memory not handed back
 * between phases. Page faults were 17 % of a 10,000-migration run on this
 * project's reference machine; with these, 0.70 -> 0.56 s. Results never
 * depend on them. glibc reads GLIBC_TUNABLES only at start-up, so vdcsim
 * sets it and executes itself again, once (VDCSIM_MALLOC_TUNED marks the
 * second start; set it to anything to opt out). A user's own
 * GLIBC_TUNABLES, or a preloaded tool, is left alone. */
#define MALLOC_TUNABLES                                                   \
	"glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=268435456:"    \
	"glibc.malloc.trim_threshold=536870912:glibc.malloc.top_pad=67108864"

static void tune_malloc(char **argv)
{
	/* A preloaded library is a tool that wraps this process (valgrind,
	 * a heap profiler): executing ourselves again would leave it, or
	 * (valgrind) start its loader without it. */
	if (getenv("VDCSIM_MALLOC_TUNED") || getenv("GLIBC_TUNABLES") ||
	    getenv("LD_PRELOAD"))
		return;
	if (setenv("VDCSIM_MALLOC_TUNED", "1", 1) != 0 ||
	    setenv("GLIBC_TUNABLES", MALLOC_TUNABLES, 1) != 0)
		return;
	execv("/proc/self/exe", argv);
	/* No /proc: run as we are, without the settings (and without
	 * handing them to the programs we start). */
	unsetenv("GLIBC_TUNABLES");
}

int main(int argc, char **argv)
{
	tune_malloc(argv);
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	bool help = strcmp(cmd, "help") == 0;
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    (help && argc == 2)) {
		usage(stdout);
		return CLI_OK;
	}
	if (help && argc > 3) {
		cli_error("help: expected at most one COMMAND (see vdcsim --help)");
		return CLI_USAGE;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("vdcsim %s\n", VDCSIM_VERSION);
		return CLI_OK;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"run", cli_cmd_run},
		{"validate", cli_cmd_validate},
		{"plot", cli_cmd_plot},
		{"params", cli_cmd_params},
		{"wws", cli_cmd_wws},
		{"trace-gen", cli_cmd_tracegen},
		{"trace-record", cli_cmd_tracerecord},
		{"merge", cli_cmd_merge},
		{"compare", cli_cmd_compare},
	};
	if (help) {
		/* "vdcsim help CMD" is "vdcsim CMD --help". */
		cmd = argv[2];
		for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
			if (strcmp(cmd, cmds[i].name) == 0) {
				char *hargv[] = {argv[2], (char *)"--help", NULL};
				return cmds[i].fn(2, hargv);
			}
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	static const char *const names[] = {"run", "validate", "plot", "params",
					    "wws", "trace-gen", "merge",
					    "trace-record", "compare", NULL};
	const char *near = sim_suggest(cmd, names);
	if (near)
		cli_error("unknown command '%s' (did you mean '%s'?)", cmd, near);
	else
		cli_error("unknown command '%s' (expected run, validate, plot, params, wws, trace-gen, trace-record, merge or compare)",
			  cmd);
	return CLI_USAGE;
}
