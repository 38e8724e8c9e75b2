/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim trace-gen insn`: writes the binary instruction trace
 * (traces/insn-format.md) of a workload-catalog preset or of a mapping of
 * stream parameters (workloads/README.md), and dumps a trace as text.
 */
#include "cli_internal.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "wl.h"

#define DEFAULT_COUNT 1000000
#define BLOCK 65536

static void usage(FILE *f)
{
	fputs("usage: vdcsim trace-gen insn PRESET|FILE.yaml [-n COUNT] [--seed N]\n"
	      "                             [--set KEY=VALUE]... [-o PATH] [--force]\n"
	      "       vdcsim trace-gen insn --list\n"
	      "       vdcsim trace-gen insn --dump TRACE [-n COUNT]\n"
	      "\n"
	      "Writes the binary instruction trace (traces/insn-format.md) of a\n"
	      "workload-catalog preset, or of a YAML mapping of stream parameters\n"
	      "(`vdcsim params`; its key `preset` names a preset to start from),\n"
	      "to PATH (default PRESET.vit). --set overrides one parameter. The\n"
	      "trace holds COUNT instructions, then the rest of the event in\n"
	      "progress, so that it ends at user level with every entry returned.\n"
	      "Same arguments and seed: the same bytes. An existing file is replaced\n"
	      "only with --force; a link, device, FIFO or directory never is.\n"
	      "\n"
	      "  -n, --count COUNT  instructions to generate (default 1000000), or\n"
	      "                     with --dump the most to print (default all)\n"
	      "  --seed N           master seed (default 1; stream workload/stream)\n"
	      "  --set KEY=VALUE    set a stream parameter (repeatable)\n"
	      "  -o, --output PATH  the trace to write\n"
	      "  --force            replace an existing trace\n"
	      "  --list             list the presets\n"
	      "  --dump TRACE       print a trace as text, one instruction a line\n",
	      f);
}

typedef struct opts {
	const char *spec, *out, *dump;
	uint64_t count, seed;
	bool count_set, list, force;
	char **sets;
	size_t nsets;
} opts;

static int parse(int argc, char **argv, opts *o)
{
	static const struct option longopts[] = {
		{"count", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"set", required_argument, NULL, 'S'},
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'f'},
		{"list", no_argument, NULL, 'l'},
		{"dump", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *why = NULL;
	o->count = DEFAULT_COUNT;
	o->seed = 1;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":n:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (cfg_parse_uint(optarg, &o->count, &why) != 0 ||
			    o->count > TRACE_INSN_MAX_COUNT / 2) {
				cli_error("trace-gen insn: --count '%s': %s", optarg,
					  why ? why : "expected at most 2^47");
				return -1;
			}
			o->count_set = true;
			break;
		case 's':
			if (cfg_parse_uint(optarg, &o->seed, &why) != 0) {
				cli_error("trace-gen insn: --seed '%s': %s", optarg,
					  why);
				return -1;
			}
			break;
		case 'S':
			o->sets = sim_xrealloc(o->sets, o->nsets + 1,
					       sizeof *o->sets);
			o->sets[o->nsets++] = optarg;
			break;
		case 'o': o->out = optarg; break;
		case 'f': o->force = true; break;
		case 'l': o->list = true; break;
		case 'd': o->dump = optarg; break;
		case 'h': usage(stdout); return 1;
		case ':':
			cli_error("trace-gen insn: option '%s' needs a value (see "
				  "vdcsim trace-gen insn --help)", argv[optind - 1]);
			return -1;
		default:
			cli_error("trace-gen insn: unknown option '%s' (see vdcsim "
				  "trace-gen insn --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (o->list || o->dump) {
		if (optind != argc) {
			cli_error("trace-gen insn: --list and --dump take no "
				  "PRESET (see vdcsim trace-gen insn --help)");
			return -1;
		}
		return 0;
	}
	if (argc - optind != 1) {
		cli_error("trace-gen insn: expected one PRESET or FILE.yaml (see "
			  "vdcsim trace-gen insn --list)");
		return -1;
	}
	o->spec = argv[optind];
	return 0;
}

static const char *const op_names[TRACE_OP_COUNT] = {
	"ALU",       "LOAD",       "STORE",     "BRANCH",    "INDIRECT",
	"SYSCALL",   "RETURN",     "PRIV",      "SENSITIVE", "PTE_WRITE",
	"HYPERCALL", "CTX_SWITCH", "INTERRUPT", "EXCEPTION",
};

static int dump(const opts *o)
{
	sim_diag d;
	sim_diag_init(&d);
	trace_insn_reader *r;
	int rc = trace_insn_reader_open(o->dump, &r, &d);
	if (rc) {
		cli_print_diag(&d);
		sim_diag_fini(&d);
		return rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
	}
	printf("# %" PRIu64 " instructions, base page %u bytes\n",
	       trace_insn_reader_count(r), 1u << trace_insn_reader_page_shift(r));
	trace_insn *buf = sim_xmalloc(BLOCK * sizeof *buf);
	uint64_t k = 0, limit = o->count_set ? o->count : UINT64_MAX;
	size_t n;
	while (k < limit &&
	       (rc = trace_insn_reader_read(r, buf, BLOCK, &n, &d)) == 0 && n) {
		for (size_t i = 0; i < n && k < limit; i++, k++) {
			const trace_insn *x = &buf[i];
			printf("%" PRIu64 " %s", k, op_names[x->op]);
			if (x->op != TRACE_OP_ALU && x->op != TRACE_OP_SYSCALL &&
			    x->op != TRACE_OP_RETURN && x->op != TRACE_OP_INDIRECT &&
			    x->op != TRACE_OP_SENSITIVE &&
			    x->op != TRACE_OP_CTX_SWITCH && x->op != TRACE_OP_LOAD &&
			    x->op != TRACE_OP_STORE)
				printf(" arg=%u", x->arg);
			if (x->va || x->op == TRACE_OP_LOAD ||
			    x->op == TRACE_OP_STORE)
				printf(" va=0x%" PRIx64, x->va);
			if (x->size)
				printf(" size=%u", x->size);
			if (x->op == TRACE_OP_CTX_SWITCH)
				printf(" asid=%u", x->asid);
			putchar('\n');
		}
	}
	free(buf);
	trace_insn_reader_close(r);
	if (rc) {
		fflush(stdout);
		cli_print_diag(&d);
	}
	sim_diag_fini(&d);
	return rc == 0 ? CLI_OK : rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
}

/* Builds the parameter document: "preset: NAME" for a preset, the file's
 * mapping otherwise, with every --set applied. */
static int load_params(const opts *o, wl_stream_params *p, char **name,
		       sim_diag *d)
{
	cfg_doc *doc = NULL;
	int rc;
	const wl_stream_preset *pre = wl_stream_preset_find(o->spec);
	if (pre) {
		char *text = sim_xasprintf("preset: %s\n", pre->name);
		rc = cfg_doc_parse("PRESET", text, strlen(text), &doc, d);
		free(text);
		*name = sim_xstrdup(pre->name);
	} else if (cli_exists(o->spec)) {
		rc = cfg_doc_load(o->spec, &doc, d);
		const char *base = strrchr(o->spec, '/');
		base = base ? base + 1 : o->spec;
		const char *dot = strrchr(base, '.');
		*name = dot && dot != base ? sim_xasprintf("%.*s", (int)(dot - base),
							   base)
					   : sim_xstrdup(base);
	} else {
		const char *names[64];
		size_t n = 0;
		for (; n < 63 && wl_stream_preset_at(n); n++)
			names[n] = wl_stream_preset_at(n)->name;
		names[n] = NULL;
		const char *near = sim_suggest(o->spec, names);
		char *shown = sim_escape(o->spec);
		if (near)
			sim_diag_error(d, NULL, 0, 0, "trace-gen insn: unknown "
				       "preset '%s' (did you mean '%s'?)", shown,
				       near);
		else
			sim_diag_error(d, NULL, 0, 0, "trace-gen insn: '%s' is "
				       "neither a preset nor a file (expected a "
				       "name from vdcsim trace-gen insn --list, or "
				       "a YAML mapping of stream parameters)",
				       shown);
		free(shown);
		return SIM_EINPUT;
	}
	for (size_t i = 0; rc == 0 && i < o->nsets; i++)
		rc = cfg_doc_set_arg(doc, o->sets[i], d);
	if (rc == 0) {
		const cfg_node *root = cfg_doc_root(doc);
		rc = wl_stream_params_load(root, root, p, d);
	}
	if (rc == 0)
		rc = wl_stream_check(p, o->spec, d);
	cfg_doc_destroy(doc);
	return rc ? SIM_EINPUT : 0;
}

static unsigned shift_of(uint64_t pow2)
{
	unsigned s = 0;
	while ((UINT64_C(1) << s) < pow2)
		s++;
	return s;
}

static int generate(const opts *o, const wl_stream_params *p,
		    const char *path, const char *name, sim_diag *d)
{
	int rc = sim_file_check_target(path, SIM_FILE_REPLACE, d);
	if (rc == 0 && !o->force && cli_exists(path)) {
		sim_diag_error(d, path, 0, 0, "already exists (expected a new "
			       "file name; --force replaces it)");
		rc = SIM_EEXIST;
	}
	if (rc)
		return rc;
	trace_insn_writer *w;
	rc = trace_insn_writer_open(path, o->force ? SIM_FILE_REPLACE : 0,
				    shift_of(p->base_page), &w, d);
	if (rc)
		return rc;
	gsl_rng *r = sim_rng_stream(o->seed, "workload/stream");
	wl_stream *g = wl_stream_create(p, r);
	gsl_rng_free(r);
	trace_insn *buf = sim_xmalloc(BLOCK * sizeof *buf);
	for (uint64_t done = 0; rc == 0 && done < o->count;) {
		size_t k = o->count - done < BLOCK ? (size_t)(o->count - done)
						   : BLOCK;
		wl_stream_fill(g, buf, k);
		rc = trace_insn_writer_put(w, buf, k, d);
		done += k;
	}
	size_t k;
	while (rc == 0 && (k = wl_stream_finish(g, buf, BLOCK)) > 0)
		rc = trace_insn_writer_put(w, buf, k, d);
	uint64_t count = trace_insn_writer_count(w);
	uint64_t bytes = trace_insn_writer_bytes(w);
	if (rc)
		trace_insn_writer_abort(w);
	else
		rc = trace_insn_writer_commit(w, d);
	free(buf);
	wl_stream_destroy(g);
	if (rc == 0) {
		char *shown = sim_escape(path);
		printf("%s: %s, %" PRIu64 " instructions, %" PRIu64
		       " bytes (%.2f per instruction), seed %" PRIu64 "\n",
		       shown, name, count, bytes,
		       count ? (double)bytes / (double)count : 0.0, o->seed);
		free(shown);
	}
	return rc;
}

int cli_cmd_tracegen_insn(int argc, char **argv)
{
	opts o;
	memset(&o, 0, sizeof o);
	int prc = parse(argc, argv, &o);
	if (prc != 0) {
		free(o.sets);
		return prc > 0 ? CLI_OK : CLI_USAGE;
	}
	if (o.list) {
		for (size_t i = 0; wl_stream_preset_at(i); i++)
			printf("%-20s %s\n", wl_stream_preset_at(i)->name,
			       wl_stream_preset_at(i)->doc);
		free(o.sets);
		return CLI_OK;
	}
	if (o.dump) {
		free(o.sets);
		return dump(&o);
	}
	sim_diag d;
	sim_diag_init(&d);
	wl_stream_params p;
	char *name = NULL;
	int rc = load_params(&o, &p, &name, &d);
	if (rc == 0) {
		char *path = o.out ? sim_xstrdup(o.out)
				   : sim_xasprintf("%s.vit", name);
		rc = generate(&o, &p, path, name, &d);
		free(path);
	}
	if (rc)
		cli_print_diag(&d);
	sim_diag_fini(&d);
	free(name);
	free(o.sets);
	return rc == 0 ? CLI_OK
	       : rc == SIM_EINPUT || rc == SIM_EEXIST ? CLI_USAGE
						       : CLI_FAIL;
}
