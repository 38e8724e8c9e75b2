/* SPDX-License-Identifier: MIT */
/*
 * Golden tests of orderings that must come out of the event mix alone,
 * on one machine file each (reference oracles 8, 9 and 11): first-
 * generation VT-x beats binary translation on a syscall-heavy stream with
 * few page-table updates and loses on a fork-heavy one; nested paging
 * beats shadow paging on the fork-heavy stream and loses on a TLB-miss-
 * bound one with 4 KiB pages, less so with 2 MiB host pages. Streams are
 * hand-built; no cost is set per test. Global pages keep the guest
 * kernel's TLB entries across its context switches (oracle 12).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "cpu_streams.h"

static void alu(stream *s, int n)
{
	for (int i = 0; i < n; i++)
		put(s, i % 5 == 4 ? TRACE_OP_BRANCH : TRACE_OP_ALU, 0, 0);
}

/* ApacheWin-like: requests of user work and system calls over a small,
 * warm working set; no process creation. */
static void syscall_heavy(stream *s, int requests)
{
	for (int r = 0; r < requests; r++) {
		alu(s, 400);
		for (int p = 0; p < 16; p++)
			put(s, TRACE_OP_LOAD, 0, (uint64_t)(0x100 + p) << 12);
		for (int k = 0; k < 8; k++) {
			put(s, TRACE_OP_SYSCALL, 0, 0);
			alu(s, 150);
			put(s, TRACE_OP_LOAD, 0, 0xc0000000);
			put(s, TRACE_OP_RETURN, 0, 0);
		}
	}
}

/* forkwait-like: the parent (address space 0, 64 pages) forks a child:
 * the kernel write-protects the parent's PTEs and fills the child's
 * table; the child (address space 1) reads its pages, copies on write a
 * quarter of them (PROT_FAULT, PTE write) and exits (unmapping every
 * page); the parent's wait returns. */
#define FORK_PAGES 64
static void fork_heavy(stream *s, int forks)
{
	for (int p = 0; p < FORK_PAGES; p++)
		put(s, TRACE_OP_STORE, 0, (uint64_t)(0x400 + p) << 12);
	for (int f = 0; f < forks; f++) {
		put(s, TRACE_OP_SYSCALL, 0, 0);             /* fork */
		alu(s, 2000);
		for (int p = 0; p < FORK_PAGES; p++)
			put(s, TRACE_OP_PTE_WRITE, 1, (uint64_t)(0x400 + p) << 12);
		put_asid(s, 1);
		for (int p = 0; p < FORK_PAGES; p++)
			put(s, TRACE_OP_PTE_WRITE, 1, (uint64_t)(0x400 + p) << 12);
		put(s, TRACE_OP_RETURN, 0, 0);              /* in the child */
		for (int p = 0; p < FORK_PAGES; p++)
			put(s, TRACE_OP_LOAD, 0, (uint64_t)(0x400 + p) << 12);
		for (int p = 0; p < FORK_PAGES; p += 4) {
			uint64_t va = (uint64_t)(0x400 + p) << 12;
			put(s, TRACE_OP_EXCEPTION, TRACE_EXC_PROT_FAULT, va);
			alu(s, 150);
			put(s, TRACE_OP_PTE_WRITE, 1, va);
			put(s, TRACE_OP_RETURN, 0, 0);
			put(s, TRACE_OP_STORE, 0, va);
		}
		put(s, TRACE_OP_SYSCALL, 0, 0);             /* exit */
		alu(s, 1000);
		for (int p = 0; p < FORK_PAGES; p++)
			put(s, TRACE_OP_PTE_WRITE, 0, (uint64_t)(0x400 + p) << 12);
		put_asid(s, 0);
		put(s, TRACE_OP_RETURN, 0, 0);              /* wait returns */
		for (int p = 0; p < FORK_PAGES; p++)
			put(s, TRACE_OP_LOAD, 0, (uint64_t)(0x400 + p) << 12);
	}
}

/* A TLB-miss-bound stream: loads over a working set of `pages` pages,
 * far larger than the TLB, with some work between. */
static void tlb_bound(stream *s, int rounds, int pages)
{
	for (int r = 0; r < rounds; r++)
		for (int p = 0; p < pages; p++) {
			put(s, TRACE_OP_LOAD, 0, (uint64_t)(0x10000 + p * 7 % pages) << 12);
			alu(s, 4);
		}
}

static uint64_t run(const cpu_machine *m, cpu_mode mode, const stream *s,
		    cpu_results *r)
{
	return cycles_after(m, mode, s, s, r);
}

/* Oracle 9 ([AdamsAgesen06] §3.3): the ordering of VT-x and BT flips
 * with the event mix alone. */
Test(cpu_oracles, oracle9_vtx_wins_on_syscalls_and_loses_on_forks)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	stream a = {0}, f = {0};
	syscall_heavy(&a, 50);
	fork_heavy(&f, 10);
	uint64_t a_bt = run(&m, CPU_MODE_BT, &a, NULL);
	uint64_t a_hw = run(&m, CPU_MODE_HW, &a, NULL);
	uint64_t f_bt = run(&m, CPU_MODE_BT, &f, NULL);
	uint64_t f_hw = run(&m, CPU_MODE_HW, &f, NULL);
	uint64_t f_nat = run(&m, CPU_MODE_NATIVE, &f, NULL);
	cr_log_info("syscall-heavy: BT %lu VT %lu; fork-heavy: native %lu BT "
		    "%lu VT %lu (BT %.2fx, VT %.2fx native)",
		    (unsigned long)a_bt, (unsigned long)a_hw, (unsigned long)f_nat,
		    (unsigned long)f_bt, (unsigned long)f_hw,
		    (double)f_bt / (double)f_nat, (double)f_hw / (double)f_nat);
	cr_assert(lt(u64, a_hw, a_bt));
	cr_assert(lt(u64, f_bt, f_hw));
	stream_free(&a);
	stream_free(&f);
}

/* Oracle 8's second half and oracle 11's first ([AdamsAgesen06] §3.3,
 * VMware's EPT evaluation): with nested paging the hardware VMM drops
 * below binary translation and below shadow paging on the fork-heavy
 * stream. */
Test(cpu_oracles, oracle11_nested_paging_beats_shadow_on_mmu_churn)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	/* The 2006 machine with nested paging, a what-if (its CPU had none). */
	m.nested_paging = true;
	stream f = {0};
	fork_heavy(&f, 10);
	cpu_results rn, rs;
	uint64_t nested = run(&m, CPU_MODE_HW_NESTED, &f, &rn);
	uint64_t shadow = run(&m, CPU_MODE_HW, &f, &rs);
	uint64_t bt = run(&m, CPU_MODE_BT, &f, NULL);
	cr_assert(lt(u64, nested, bt));
	cr_assert(lt(u64, nested, shadow));
	cr_assert(eq(u64, rn.events[CPU_EV_PTE_TRAP], 0));
	cr_assert(gt(u64, rs.events[CPU_EV_PTE_TRAP], 0));
	stream_free(&f);
}

/* Oracle 11's second and third parts ([Bhargava08]): on a TLB-
 * miss-bound stream with 4 KiB pages nested paging loses to shadow paging
 * and native, its walks reading more than native's and at most 24
 * references per miss; 2 MiB host pages shrink the walks and so the
 * virtualization share of TLB-miss time (to none here: the stream's
 * 16 MiB lie in 8 host pages, which the nested TLB holds). */
Test(cpu_oracles, oracle11_nested_paging_loses_when_tlb_misses_dominate)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	m.host_page_size = 4096;
	stream s = {0};
	tlb_bound(&s, 4, 4096);
	cpu_results rn, rs, rv, rl;
	uint64_t native = run(&m, CPU_MODE_NATIVE, &s, &rv);
	uint64_t shadow = run(&m, CPU_MODE_HW, &s, &rs);
	uint64_t nested = run(&m, CPU_MODE_HW_NESTED, &s, &rn);
	m.host_page_size = 2u << 20;
	uint64_t large = run(&m, CPU_MODE_HW_NESTED, &s, &rl);
	cr_log_info("TLB-bound: native %lu, shadow %lu, nested %lu, nested "
		    "with 2 MiB host pages %lu", (unsigned long)native,
		    (unsigned long)shadow, (unsigned long)nested,
		    (unsigned long)large);
	cr_assert(gt(u64, rn.events[CPU_EV_TLB_MISS], 0));
	cr_assert(lt(u64, shadow, nested));
	cr_assert(le(u64, native, shadow));
	cr_assert(le(u64, rn.events[CPU_EV_WALK_REFS],
		     24 * rn.events[CPU_EV_TLB_MISS]));
	cr_assert(gt(u64, rn.events[CPU_EV_WALK_REFS],
		     rv.events[CPU_EV_WALK_REFS]));
	cr_assert(lt(u64, rl.cycles_tlb, rn.cycles_tlb));
	cr_assert(lt(u64, large, nested));
	stream_free(&s);
}

/* Context switches on an untagged TLB ([Barham03] Table 4, reference
 * oracle 12): the guest kernel's own entries are global where it can mark
 * them so (x86 PGE), and outlive its CR3 writes natively and under nested
 * paging; Xen's PV guest may not set the bit, and first-generation VT-x's
 * CR3 exit flushes the whole TLB. The stream switches between two
 * processes in the kernel, touching 8 pages of kernel data and one user
 * page per process each time. */
static uint64_t switch_misses(cpu_machine m, cpu_mode mode)
{
	stream s = {0};
	for (int i = 0; i < 40; i++) {
		put(&s, TRACE_OP_SYSCALL, 0, 0);
		for (uint64_t p = 0; p < 8; p++)
			put(&s, TRACE_OP_LOAD, 0, 0xc0000000 + (p << 12));
		put_asid(&s, (uint16_t)(i & 1));
		put(&s, TRACE_OP_RETURN, 0, 0);
		put(&s, TRACE_OP_LOAD, 0, 0x10000);
	}
	cpu_results r;
	cycles_after(&m, mode, &s, &s, &r);
	stream_free(&s);
	return r.events[CPU_EV_TLB_MISS];
}

Test(cpu_oracles, global_kernel_entries_outlive_a_native_context_switch)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	cr_assert(m.global_pages && !m.tlb_asid);
	/* Natively only the user page misses after each switch. */
	cr_assert(eq(u64, switch_misses(m, CPU_MODE_NATIVE), 40));
	/* A PV guest's kernel entries go with every switch. */
	cr_assert(eq(u64, switch_misses(m, CPU_MODE_PV), 40 * 9));
	/* The CR3 exit flushes all. */
	cr_assert(eq(u64, switch_misses(m, CPU_MODE_HW), 40 * 9));
	/* Nested paging (a what-if on this CPU): no exit, the guest's global
	 * entries stay, as natively. */
	m.nested_paging = true;
	cr_assert(eq(u64, switch_misses(m, CPU_MODE_HW_NESTED), 40));
	/* Without global pages the native kernel refills too. */
	m.global_pages = false;
	cr_assert(eq(u64, switch_misses(m, CPU_MODE_NATIVE), 40 * 9));
}
