/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry point for the configuration reader: any input is either
 * refused with positioned messages or accepted, emitted, read back as the
 * same tree and emitted to the same bytes. Not part of the meson build;
 * tests/sim/test_cfg_fuzz.c runs a fixed-seed version of this in CI.
 *
 * Build and run from the source root (clang with libFuzzer):
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isim \
 *     sim/util.c sim/cfg_tree.c sim/cfg_parse.c sim/cfg_edit.c \
 *     sim/cfg_emit.c sim/cfg_units.c sim/cfg_params.c \
 *     tests/fuzz/fuzz_cfg.c -o fuzz_cfg -lyaml -lgsl -lgslcblas -lm
 *   mkdir -p corpus && cp -r configs/. corpus/
 *   ./fuzz_cfg -max_len=8192 -timeout=5 corpus
 */
#include "sim.h"
#include "cfg_same_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Counts nodes of the expanded tree, stopping once past limit. */
static size_t count_upto(const cfg_node *n, size_t limit)
{
	size_t count = 1;
	for (size_t i = 0; i < cfg_node_len(n) && count <= limit; i++) {
		if (cfg_node_kind(n) == CFG_MAP)
			count++;
		count += count_upto(cfg_node_at(n, i), limit - count + 1);
	}
	return count;
}

/* Aborts (which libFuzzer records as a crash) when a property fails. */
static void require(bool ok, const char *what, const char *detail)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_cfg: %s\n%s\n", what, detail ? detail : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	int rc = cfg_doc_parse("fuzz.yaml", (const char *)data, size, &doc, &d);
	require(rc == 0 || rc == SIM_EINPUT, "unexpected return code", NULL);
	if (rc) {
		unsigned line = 0, col = 0;
		require(doc == NULL, "refused input left a document", NULL);
		require(d.text && sscanf(d.text, "fuzz.yaml:%u:%u: ", &line,
					 &col) == 2 && line && col,
			"message without a position", d.text);
		sim_diag_fini(&d);
		return 0;
	}
	/* A few hundred bytes of aliases may legitimately expand to millions
	 * of nodes (up to CFG_MAX_NODES); walking those is slow by nature,
	 * not a finding, so only small trees go round the loop. */
	if (count_upto(cfg_doc_root(doc), 100000) > 100000) {
		cfg_doc_destroy(doc);
		sim_diag_fini(&d);
		return 0;
	}
	char *text = cfg_doc_emit(doc);
	cfg_doc *again = NULL;
	rc = cfg_doc_parse("fuzz.yaml", text, strlen(text), &again, &d);
	require(rc == 0, "emitted text does not parse", text);
	require(cfg_same_tree(cfg_doc_root(doc), cfg_doc_root(again)),
		"emitted text reads back as another tree", text);
	char *text2 = cfg_doc_emit(again);
	require(strcmp(text, text2) == 0, "emission is not a fixed point",
		text2);
	char *flow = cfg_node_emit_flow(cfg_doc_root(doc));
	require(strchr(flow, '\n') == NULL, "flow emission spans lines", flow);
	/* Overrides and clones must hold up on whatever was accepted. */
	cfg_doc *copy = cfg_doc_clone(doc);
	rc = cfg_doc_set_arg(copy, "a.b.0=[x, {y: z}]", &d);
	require(rc == 0 || rc == SIM_EINPUT, "unexpected --set result", NULL);
	cfg_doc_remove_top(copy, "a");
	free(flow);
	free(text2);
	free(text);
	cfg_doc_destroy(copy);
	cfg_doc_destroy(again);
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	return 0;
}
