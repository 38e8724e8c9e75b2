/* SPDX-License-Identifier: MIT */
/*
 * The UML-like mode: what must hold whatever its costs. A pure ALU stream
 * costs exactly what it does natively (no instruction of it reaches the
 * host); a syscall-heavy stream is slower under UML than under Xen's
 * paravirtualization (each entry a host signal round trip, against PV's
 * fast system-call path), and slower still per call the less work each
 * call does; every kernel entry and return switches host processes, so an
 * untagged TLB is flushed twice per call and a tagged one never; the
 * guest kernel runs in ring 3; PTE writes and context switches reach the
 * host; sensitive instructions never misbehave.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "cpu_streams.h"

static void alu(stream *s, int n)
{
	for (int i = 0; i < n; i++)
		put(s, i % 5 == 4 ? TRACE_OP_BRANCH : TRACE_OP_ALU, 0, 0);
}

/* System calls of `work` kernel instructions each, with a user load and
 * some user work between them. */
static void syscalls(stream *s, int calls, int work)
{
	for (int c = 0; c < calls; c++) {
		alu(s, 100);
		put(s, TRACE_OP_LOAD, 0, 0x400000);
		put(s, TRACE_OP_SYSCALL, 0, 0);
		alu(s, work);
		put(s, TRACE_OP_LOAD, 0, 0xc0000000);
		put(s, TRACE_OP_RETURN, 0, 0);
	}
}

Test(cpu_uml, pure_alu_costs_the_same_as_native)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	stream s = {0};
	alu(&s, 100000);
	cpu_results rn, ru;
	uint64_t n = cycles_after(&m, CPU_MODE_NATIVE, &s, &s, &rn);
	uint64_t u = cycles_after(&m, CPU_MODE_UML, &s, &s, &ru);
	cr_assert(eq(u64, u, n));
	cr_assert(eq(u64, ru.cycles_vmm, 0));
	cr_assert(eq(u64, ru.events[CPU_EV_TRAP], 0));
	stream_free(&s);
}

Test(cpu_uml, syscall_heavy_stream_is_slower_than_paravirtualized)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	stream s = {0};
	syscalls(&s, 200, 500);
	cpu_results rp, ru;
	uint64_t n = cycles_after(&m, CPU_MODE_NATIVE, &s, &s, NULL);
	uint64_t p = cycles_after(&m, CPU_MODE_PV, &s, &s, &rp);
	uint64_t u = cycles_after(&m, CPU_MODE_UML, &s, &s, &ru);
	cr_log_info("syscalls: native %lu pv %lu uml %lu cycles",
		    (unsigned long)n, (unsigned long)p, (unsigned long)u);
	cr_assert(lt(u64, p, u));
	cr_assert(gt(u64, u, 2 * n));
	/* Every call is a host signal round trip. */
	cr_assert(eq(u64, ru.events[CPU_EV_TRAP], 200));
	cr_assert(eq(u64, rp.events[CPU_EV_TRAP], 0));
	stream_free(&s);
}

Test(cpu_uml, slowdown_grows_as_calls_do_less_work)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	stream a = {0}, b = {0};
	syscalls(&a, 100, 2000);
	syscalls(&b, 100, 20);
	double sa = (double)cycles_after(&m, CPU_MODE_UML, &a, &a, NULL) /
		    (double)cycles_after(&m, CPU_MODE_NATIVE, &a, &a, NULL);
	double sb = (double)cycles_after(&m, CPU_MODE_UML, &b, &b, NULL) /
		    (double)cycles_after(&m, CPU_MODE_NATIVE, &b, &b, NULL);
	cr_assert(gt(dbl, sb, sa));
	stream_free(&a);
	stream_free(&b);
}

Test(cpu_uml, host_process_switches_flush_an_untagged_tlb_only)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	stream s = {0};
	syscalls(&s, 50, 100);
	cpu_results ru, rt;
	cycles_after(&m, CPU_MODE_UML, &s, &s, &ru);
	cr_assert(eq(u64, ru.events[CPU_EV_TLB_FLUSH], 100));
	/* Every call's user load misses again after the flushes. */
	cr_assert(ge(u64, ru.events[CPU_EV_TLB_MISS], 100));
	m.tlb_asid = true;
	cycles_after(&m, CPU_MODE_UML, &s, &s, &rt);
	cr_assert(eq(u64, rt.events[CPU_EV_TLB_FLUSH], 0));
	cr_assert(eq(u64, rt.events[CPU_EV_TLB_MISS], 0));
	cr_assert(lt(u64, rt.cycles_tlb, ru.cycles_tlb));
	stream_free(&s);
}

Test(cpu_uml, kernel_runs_in_ring_3_and_sensitive_ops_behave)
{
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_X86, CPU_MODE_UML, CPU_LEVEL_KERNEL), 3));
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_X86, CPU_MODE_UML, CPU_LEVEL_USER), 3));
	cr_assert(not(cpu_mode_is_supported(CPU_ARCH_MIPS, CPU_MODE_UML)));
	cr_assert(eq(str, (char *)cpu_mode_name(CPU_MODE_UML), "uml"));
	cpu_machine m = machine_file("p4-xeon-2003");
	stream s = {0};
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	for (int i = 0; i < 10; i++)
		put(&s, TRACE_OP_SENSITIVE, 0, 0);
	put(&s, TRACE_OP_RETURN, 0, 0);
	cpu_results r;
	cycles_after(&m, CPU_MODE_UML, NULL, &s, &r);
	cr_assert(eq(u64, r.violations, 0));
	stream_free(&s);
}

Test(cpu_uml, pte_writes_and_switches_reach_the_host)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	stream s = {0};
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	for (int p = 0; p < 8; p++)
		put(&s, TRACE_OP_PTE_WRITE, 1, (uint64_t)(0x400 + p) << 12);
	put_asid(&s, 1);
	put_asid(&s, 0);
	put(&s, TRACE_OP_RETURN, 0, 0);
	cpu_results r;
	cycles_after(&m, CPU_MODE_UML, NULL, &s, &r);
	cr_assert(eq(u64, r.events[CPU_EV_PTE_TRAP], 8));
	cr_assert(eq(u64, r.vmm[CPU_VMM_EMULATION],
		     8 * m.uml.pte + 2 * m.uml.ctx));
	cr_assert(eq(u64, r.vmm[CPU_VMM_TRAP], m.uml.signal));
	stream_free(&s);
}
