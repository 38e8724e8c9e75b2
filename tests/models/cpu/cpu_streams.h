/* SPDX-License-Identifier: MIT */
/*
 * Hand-built instruction streams and a small harness for the machine
 * model's tests: a growable stream, the machine files of
 * configs/machines/, and a one-VM core to run streams on.
 */
#ifndef VDCSIM_TEST_CPU_STREAMS_H
#define VDCSIM_TEST_CPU_STREAMS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"

typedef struct stream {
	trace_insn *in;
	size_t n, cap;
} stream;

static inline void put(stream *s, uint8_t op, uint8_t arg, uint64_t va)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->in = realloc(s->in, s->cap * sizeof *s->in);
	}
	trace_insn *i = &s->in[s->n++];
	memset(i, 0, sizeof *i);
	i->op = op;
	i->arg = arg;
	i->va = va;
}

static inline void put_asid(stream *s, uint16_t asid)
{
	put(s, TRACE_OP_CTX_SWITCH, 0, 0);
	s->in[s->n - 1].asid = asid;
}

static inline void put_sized(stream *s, uint8_t op, uint8_t arg, uint64_t va,
			     uint8_t size)
{
	put(s, op, arg, va);
	s->in[s->n - 1].size = size;
}

static inline void stream_free(stream *s)
{
	free(s->in);
	memset(s, 0, sizeof *s);
}

/* Loads configs/machines/NAME.yaml of the source tree (the name string is
 * leaked with its document: tests are short). */
static inline cpu_machine machine_file(const char *name)
{
	const char *src = getenv("VDCSIM_TEST_SRCDIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/../configs/machines/%s.yaml",
		 src ? src : "tests", name);
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	cpu_machine m;
	if (cpu_machine_load_file(path, &doc, &m, &d) != 0) {
		fprintf(stderr, "%s", d.text ? d.text : "");
		abort();
	}
	/* m.name borrows from the document: callers pass a literal. */
	m.name = name;
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	return m;
}

/* One VM of `pages` guest pages on a core of machine m. */
typedef struct rig {
	cpu_core *core;
	mem_vm *vm;
	cpu_vcpu *v;
} rig;

static inline rig rig_make(const cpu_machine *m, cpu_mode mode)
{
	rig r;
	r.core = cpu_core_create(m);
	mem_vm_geom g = cpu_core_vm_geom(r.core, 1 << 16);
	r.vm = mem_vm_create(&g, cpu_core_mfn_counter(r.core));
	r.v = cpu_vcpu_create(r.core, r.vm, 1, mode);
	return r;
}

static inline void rig_free(rig *r)
{
	cpu_vcpu_destroy(r->v);
	mem_vm_destroy(r->vm);
	cpu_core_destroy(r->core);
}

/* Cycles of stream s on a fresh vcpu after one warm-up run of warm (may
 * be NULL): the warm-up fills page tables, shadows and the translation
 * cache, as a nanobenchmark's first iterations do. */
static inline uint64_t cycles_after(const cpu_machine *m, cpu_mode mode,
				    const stream *warm, const stream *s,
				    cpu_results *out)
{
	rig r = rig_make(m, mode);
	if (warm)
		cpu_vcpu_run(r.v, warm->in, warm->n);
	cpu_vcpu_reset_results(r.v);
	cpu_vcpu_run(r.v, s->in, s->n);
	uint64_t c = cpu_results_cycles(cpu_vcpu_results(r.v));
	if (out)
		*out = *cpu_vcpu_results(r.v);
	rig_free(&r);
	return c;
}

#endif /* VDCSIM_TEST_CPU_STREAMS_H */
