/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry point for the machine-file loader and the machine it
 * builds: any input is either refused with positioned messages (and no
 * machine), or accepted, and then a short fixed stream (user and kernel
 * work, faults on fresh pages, PTE writes, an address-space switch, port
 * I/O, a large page) runs in every mode the machine's architecture
 * supports without a crash, a sanitizer report or books that do not
 * balance. Not part of the meson build; tests/models/cpu/test_cpu.c
 * (cpu_fuzz) runs fixed-seed mutations in CI.
 *
 * Build and run from the source root (clang with libFuzzer), against
 * libraries built with the same instrumentation:
 *   CC=clang meson setup build-fuzz -Dbuildtype=debugoptimized \
 *     -Dc_args="-fsanitize=fuzzer-no-link,address,undefined" \
 *     -Dc_link_args="-fsanitize=address,undefined" -Db_lundef=false
 *   ninja -C build-fuzz models/cpu/libcpu.a models/memory/libmem.a \
 *     sim/libsim.a traces/libtraces.a workloads/libworkloads.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE \
 *     -Isim -Itraces -Imodels/memory -Imodels/cpu -Iworkloads \
 *     tests/fuzz/fuzz_machine.c build-fuzz/models/cpu/libcpu.a \
 *     build-fuzz/workloads/libworkloads.a build-fuzz/models/memory/libmem.a \
 *     build-fuzz/traces/libtraces.a build-fuzz/sim/libsim.a \
 *     -lyaml -lgsl -lgslcblas -lm -o fuzz_machine
 *   mkdir -p mcorpus && cp -r configs/machines/. mcorpus/
 *   ./fuzz_machine -max_len=4096 -timeout=10 mcorpus
 * A -dict file of the machine keys (`vdcsim params`, one quoted key a
 * line) gets more inputs past the loader: in a campaign of 8.9 million
 * inputs, a third of the corpus it grew were valid machine files.
 */
#include "cpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool ok, const char *what, const char *detail)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_machine: %s\n%s\n", what, detail ? detail : "");
	abort();
}

static void put(trace_insn *s, size_t *n, uint8_t op, uint8_t arg,
		uint64_t va)
{
	memset(&s[*n], 0, sizeof s[*n]);
	s[*n].op = op;
	s[*n].arg = arg;
	s[*n].va = va;
	(*n)++;
}

/* A short stream touching what the machine's structures see. */
static size_t stream(trace_insn *s)
{
	size_t n = 0;
	for (int i = 0; i < 40; i++) {
		put(s, &n, TRACE_OP_LOAD, 0, (uint64_t)(0x1000 + i * 37) << 12);
		put(s, &n, TRACE_OP_STORE, 0, (uint64_t)(0x1000 + i) << 12);
		put(s, &n, TRACE_OP_ALU, 0, 0);
		put(s, &n, TRACE_OP_INDIRECT, 0, 0);
	}
	put(s, &n, TRACE_OP_SYSCALL, 0, 0);
	put(s, &n, TRACE_OP_PTE_WRITE, 1, UINT64_C(0x7f0000001000));
	put(s, &n, TRACE_OP_PRIV, TRACE_PRIV_PORT_IO, 0);
	put(s, &n, TRACE_OP_PRIV, TRACE_PRIV_CPUID, 0);
	put(s, &n, TRACE_OP_CTX_SWITCH, 0, 0);
	s[n - 1].asid = 1;
	put(s, &n, TRACE_OP_LOAD, 0, UINT64_C(0xffffffff80001000));
	put(s, &n, TRACE_OP_PTE_WRITE, 0, (uint64_t)0x1003 << 12);
	put(s, &n, TRACE_OP_CTX_SWITCH, 0, 0);
	s[n - 1].asid = 0;
	put(s, &n, TRACE_OP_RETURN, 0, 0);
	put(s, &n, TRACE_OP_EXCEPTION, TRACE_EXC_PAGE_FAULT,
	    UINT64_C(0x300000000000));
	put(s, &n, TRACE_OP_RETURN, 0, 0);
	put(s, &n, TRACE_OP_LOAD, 0, UINT64_C(0x300000000000));
	put(s, &n, TRACE_OP_LOAD, 0, UINT64_C(0x40000000));
	s[n - 1].size = 21;  /* a large page where the tables have one */
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	int rc = cfg_doc_parse("fuzz.yaml", (const char *)data, size, &doc, &d);
	require(rc == 0 || rc == SIM_EINPUT, "unexpected parse result", NULL);
	cpu_machine m;
	if (rc == 0)
		rc = cpu_machine_load(doc, &m, &d);
	require(rc == 0 || rc == SIM_EINPUT, "unexpected load result", d.text);
	if (rc) {
		unsigned line = 0, col = 0;
		require(d.text && sscanf(d.text, "fuzz.yaml:%u:%u: ", &line,
					 &col) == 2,
			"message without a position", d.text);
		cfg_doc_destroy(doc);
		sim_diag_fini(&d);
		return 0;
	}
	trace_insn s[256];
	size_t n = stream(s);
	for (cpu_mode mode = 0; mode < CPU_MODE_COUNT; mode++) {
		if (!cpu_machine_runs(&m, mode))
			continue;
		cpu_core *c = cpu_core_create(&m);
		mem_vm_geom g = cpu_core_vm_geom(c, 1 << 14);
		mem_vm *vm = mem_vm_create(&g, cpu_core_mfn_counter(c));
		cpu_vcpu *v = cpu_vcpu_create(c, vm, 1, mode);
		cpu_vcpu_run(v, s, n);
		cpu_vcpu_run(v, s, n);
		const cpu_results *r = cpu_vcpu_results(v);
		require(r->insns == 2 * n, "instructions lost", NULL);
		uint64_t vmm = 0;
		for (int k = 0; k < CPU_VMM_COUNT; k++)
			vmm += r->vmm[k];
		require(vmm == r->cycles_vmm, "VMM cycles do not add up",
			cpu_mode_name(mode));
		cpu_vcpu_destroy(v);
		mem_vm_destroy(vm);
		cpu_core_destroy(c);
	}
	cfg_doc_destroy(doc);
	sim_diag_fini(&d);
	return 0;
}
