/* SPDX-License-Identifier: MIT */
/*
 * The warm-up pass of an instruction stream: one access to every page of
 * every address space's working set and kernel data, so that a machine
 * measured after it runs in steady state (the benchmarks the catalog
 * stands for ran for minutes, their working sets mapped long before the
 * measurement) instead of paying each first-touch fault inside the
 * measurement.
 */
#include "stream_internal.h"

static unsigned log2u(uint64_t x)
{
	unsigned s = 0;
	while (x >>= 1)
		s++;
	return s;
}

static void put(trace_insn *buf, size_t *n, uint8_t op, uint64_t va,
		uint8_t size, uint16_t asid)
{
	if (buf) {
		trace_insn *in = &buf[*n];
		*in = (trace_insn){0};
		in->op = op;
		in->va = va;
		in->size = size;
		in->asid = asid;
	}
	(*n)++;
}

size_t wl_stream_warm(const wl_stream_params *p, trace_insn *buf)
{
	size_t n = 0;
	uint64_t large = (uint64_t)(p->large_fraction * (double)p->ws_bytes);
	large -= large % p->large_page;
	uint8_t lsize = (uint8_t)log2u(p->large_page);
	uint64_t procs = p->processes ? p->processes : 1;
	for (uint64_t a = 0; a < procs; a++) {
		/* Into address space a, touching the kernel's data there. */
		put(buf, &n, TRACE_OP_SYSCALL, 0, 0, 0);
		if (a != 0)
			put(buf, &n, TRACE_OP_CTX_SWITCH, 0, 0, (uint16_t)a);
		for (uint64_t o = 0; o < p->kernel_ws_bytes; o += p->base_page)
			put(buf, &n, TRACE_OP_LOAD, WL_VA_KERNEL + o, 0, 0);
		put(buf, &n, TRACE_OP_RETURN, 0, 0, 0);
		for (uint64_t o = 0; o < large; o += p->large_page)
			put(buf, &n, TRACE_OP_LOAD, WL_VA_WS + o, lsize, 0);
		for (uint64_t o = large; o < p->ws_bytes; o += p->base_page)
			put(buf, &n, TRACE_OP_LOAD, WL_VA_WS + o, 0, 0);
	}
	if (procs > 1) {
		put(buf, &n, TRACE_OP_SYSCALL, 0, 0, 0);
		put(buf, &n, TRACE_OP_CTX_SWITCH, 0, 0, 0);
		put(buf, &n, TRACE_OP_RETURN, 0, 0, 0);
	}
	return n;
}
