/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of models/cpu/: machine files and their errors, rings and
 * traps, the trap-and-emulate hole, shadow paging's hidden faults apart
 * from true faults, dirty logging, 2-D walks, PV batching, Disco's
 * software TLB, BT's translation cache. Streams are built by hand.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "cpu_streams.h"

#define EV(r, e) ((r).events[CPU_EV_##e])

/* ---- machine files ------------------------------------------------------ */

Test(cpu_machine, every_shipped_machine_file_loads_and_the_tables_are_sound)
{
	for (size_t i = 0; cpu_sections()[i]; i++)
		cfg_section_check(cpu_sections()[i]);
	static const char *const names[] = {"p4-xeon-2003", "p4-vtx-2006",
					    "mips-r10000", "x86-ept-vpid"};
	for (size_t i = 0; i < 4; i++) {
		cpu_machine m = machine_file(names[i]);
		cr_assert(eq(str, (char *)m.name, (char *)names[i]));
		cpu_core *c = cpu_core_create(&m);
		cpu_core_destroy(c);
	}
	cpu_machine m = machine_file("mips-r10000");
	cr_assert(eq(int, m.arch, CPU_ARCH_MIPS));
	cr_assert(eq(int, m.refill, CPU_REFILL_SOFTWARE));
	cr_assert(m.te.patched_hal);
}

/* Loads text as file m.yaml; returns the diagnostics (caller frees). */
static char *load_error(const char *text)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	cpu_machine m;
	int rc = cfg_doc_parse("m.yaml", text, strlen(text), &doc, &d);
	if (rc == 0)
		rc = cpu_machine_load(doc, &m, &d);
	cr_assert(eq(int, rc, SIM_EINPUT), "accepted: %s", text);
	char *msg = strdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
	return msg;
}

static void expect_error(const char *text, const char *where,
			 const char *what)
{
	char *msg = load_error(text);
	cr_expect(strstr(msg, where) == msg, "want %s, got %s", where, msg);
	cr_expect(strstr(msg, what) != NULL, "want '%s' in %s", what, msg);
	free(msg);
}

Test(cpu_machine, bad_machine_files_are_reported_at_file_line_col)
{
	expect_error("machine:\n  tlb_entires: 64\n", "m.yaml:2:3:",
		     "unknown key");
	expect_error("machine:\n  native:\n    syscall: -5\n", "m.yaml:3:14:",
		     "syscall");
	expect_error("machine:\n  hw:\n    exit: 12ms\n", "m.yaml:3:11:",
		     "exit");
	expect_error("machine:\n  tlb_entries: 60\n  tlb_ways: 8\n",
		     "m.yaml:3:13:", "divisible");
	expect_error("machine:\n  tlb_entries: 48\n  tlb_ways: 4\n",
		     "m.yaml:3:13:", "power of two");
	expect_error("machine:\n  page_size: 3000\n", "m.yaml:2:14:",
		     "page_size");
	expect_error("machine:\n  l2tlb_entries: 1000\n", "m.yaml:2:18:",
		     "power of two");
	expect_error("machine:\n  host_page_size: 8KiB\n", "m.yaml:2:19:",
		     "host page size");
	expect_error("machin:\n  arch: x86\n", "m.yaml:1:1:",
		     "unknown top-level key");
	expect_error("machine:\n  arch: sparc\n", "m.yaml:2:9:", "arch");
	expect_error("machine:\n  bt: {reflect: 1, reflex: 2}\n",
		     "m.yaml:2:20:", "unknown key");
}

/* ---- rings and traps ------------------------------------------------------ */

Test(cpu_rings, each_mode_runs_the_guest_kernel_in_its_ring)
{
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_X86, CPU_MODE_NATIVE, CPU_LEVEL_KERNEL), 0));
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_X86, CPU_MODE_PV, CPU_LEVEL_KERNEL), 1));
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_X86, CPU_MODE_PV, CPU_LEVEL_USER), 3));
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_X86, CPU_MODE_BT, CPU_LEVEL_KERNEL), 1));
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_X86, CPU_MODE_HW, CPU_LEVEL_KERNEL), 0));
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_X86_64, CPU_MODE_PV, CPU_LEVEL_KERNEL), 3));
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_MIPS, CPU_MODE_TE, CPU_LEVEL_KERNEL), 1));
	cr_assert(eq(u32, cpu_ring(CPU_ARCH_MIPS, CPU_MODE_TE, CPU_LEVEL_USER), 2));
	cr_assert(not(cpu_mode_is_supported(CPU_ARCH_MIPS, CPU_MODE_HW)));
	cr_assert(cpu_mode_is_supported(CPU_ARCH_X86, CPU_MODE_TE));
}

/* A machine runs hw only with hw_assist and hw-nested only with nested
 * paging as well; the machine files say what their hardware had. */
Test(cpu_rings, a_machine_runs_the_modes_its_hardware_has)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	cr_assert(cpu_machine_runs(&m, CPU_MODE_BT));
	cr_assert(cpu_machine_runs(&m, CPU_MODE_UML));
	cr_assert(not(cpu_machine_runs(&m, CPU_MODE_HW)));
	cr_assert(not(cpu_machine_runs(&m, CPU_MODE_HW_NESTED)));
	m = machine_file("p4-vtx-2006");
	cr_assert(cpu_machine_runs(&m, CPU_MODE_HW));
	cr_assert(not(cpu_machine_runs(&m, CPU_MODE_HW_NESTED)));
	m = machine_file("x86-ept-vpid");
	cr_assert(cpu_machine_runs(&m, CPU_MODE_HW_NESTED));
	m.hw_assist = false;
	cr_assert(not(cpu_machine_runs(&m, CPU_MODE_HW_NESTED)));
	m = machine_file("mips-r10000");
	cr_assert(cpu_machine_runs(&m, CPU_MODE_TE));
	cr_assert(not(cpu_machine_runs(&m, CPU_MODE_BT)));
}

Test(cpu_rings, privileged_ops_from_user_level_are_guest_gp_faults)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	/* The 2006 machine with nested paging, a what-if (its CPU had none). */
	m.nested_paging = true;
	stream s = {0};
	put(&s, TRACE_OP_PRIV, TRACE_PRIV_INTR_OFF, 0);
	put(&s, TRACE_OP_RETURN, 0, 0);      /* nothing to return from */
	put(&s, TRACE_OP_PTE_WRITE, 1, 0x1000);
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	put(&s, TRACE_OP_SYSCALL, 0, 0);     /* a syscall inside the kernel */
	put(&s, TRACE_OP_INTERRUPT, 0, 0);
	put(&s, TRACE_OP_INTERRUPT, 0, 0);   /* deeper than one level */
	put(&s, TRACE_OP_RETURN, 0, 0);
	put(&s, TRACE_OP_PRIV, TRACE_PRIV_INTR_OFF, 0);  /* fine: kernel */
	put(&s, TRACE_OP_RETURN, 0, 0);
	put(&s, 200, 0, 0);                  /* not an op */
	for (cpu_mode mo = 0; mo < CPU_MODE_COUNT; mo++) {
		rig r = rig_make(&m, mo);
		cpu_vcpu_run(r.v, s.in, s.n);
		cpu_results res = *cpu_vcpu_results(r.v);
		cr_assert(eq(u64, EV(res, GP), 6), "%s", cpu_mode_name(mo));
		cr_assert(eq(u64, EV(res, PRIV), 1));
		cr_assert(eq(int, cpu_vcpu_level(r.v), CPU_LEVEL_USER));
		rig_free(&r);
	}
	stream_free(&s);
}

/* SYSCALL, n sensitive instructions in the kernel, RETURN, and one at
 * user level (harmless everywhere). */
static cpu_results run_sensitive(const cpu_machine *m, cpu_mode mode, int n)
{
	stream s = {0};
	put(&s, TRACE_OP_SENSITIVE, 0, 0);
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	for (int i = 0; i < n; i++)
		put(&s, TRACE_OP_SENSITIVE, 0, 0);
	put(&s, TRACE_OP_RETURN, 0, 0);
	cpu_results r;
	cycles_after(m, mode, NULL, &s, &r);
	stream_free(&s);
	return r;
}

Test(cpu_rings, trap_and_emulate_on_x86_misses_sensitive_ops_and_says_so)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	/* The 2006 machine with nested paging, a what-if (its CPU had none). */
	m.nested_paging = true;
	cpu_results te = run_sensitive(&m, CPU_MODE_TE, 10);
	cr_assert(eq(u64, te.violations, 10));
	cr_assert(eq(u64, EV(te, VIOLATION), 10));
	for (cpu_mode mo = 0; mo < CPU_MODE_COUNT; mo++) {
		if (mo == CPU_MODE_TE)
			continue;
		cpu_results r = run_sensitive(&m, mo, 10);
		cr_assert(eq(u64, r.violations, 0), "%s", cpu_mode_name(mo));
	}
	cr_assert(eq(u64, EV(run_sensitive(&m, CPU_MODE_BT, 10), CALLOUT), 10));
	/* On MIPS every sensitive instruction is privileged: it traps. */
	cpu_machine mips = machine_file("mips-r10000");
	cpu_results d = run_sensitive(&mips, CPU_MODE_TE, 10);
	cr_assert(eq(u64, d.violations, 0));
	cr_assert(eq(u64, EV(d, TRAP), 11));  /* 10 + the syscall reflected */
}

Test(cpu_exec, native_costs_are_the_sum_of_the_instructions)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	stream s = {0};
	for (int i = 0; i < 100; i++) {
		put(&s, TRACE_OP_ALU, 0, 0);
		put(&s, TRACE_OP_BRANCH, 1, 0);
		put(&s, TRACE_OP_INDIRECT, 0, 0);
	}
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	put(&s, TRACE_OP_PRIV, TRACE_PRIV_PORT_IO, 0);
	put(&s, TRACE_OP_RETURN, 0, 0);
	cpu_results r;
	uint64_t c = cycles_after(&m, CPU_MODE_NATIVE, NULL, &s, &r);
	cr_assert(eq(u64, c, 100 * (1 + 1 + 11) + 242 + 3209));
	cr_assert(eq(u64, r.cycles_user, 1300));
	cr_assert(eq(u64, r.cycles_kernel, 242 + 3209));
	cr_assert(eq(u64, r.cycles_vmm, 0));
	cr_assert(eq(u64, r.insns, 303));
	cr_assert(eq(u64, r.insns_kernel, 2));
	stream_free(&s);
}

/* ---- memory --------------------------------------------------------------- */

static void touch(stream *s, uint64_t first_page, int n, bool store)
{
	for (int i = 0; i < n; i++)
		put(s, store ? TRACE_OP_STORE : TRACE_OP_LOAD, 0,
		    (first_page + (uint64_t)i) << 12);
}

Test(cpu_mmu, shadow_paging_counts_hidden_faults_apart_from_true_faults)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	/* The 2006 machine with nested paging, a what-if (its CPU had none). */
	m.nested_paging = true;
	for (cpu_mode mo = 0; mo < CPU_MODE_COUNT; mo++) {
		rig r = rig_make(&m, mo);
		stream s = {0};
		touch(&s, 100, 20, false);
		cpu_vcpu_run(r.v, s.in, s.n);
		cpu_results a = *cpu_vcpu_results(r.v);
		bool shadow = mo == CPU_MODE_BT || mo == CPU_MODE_HW ||
			      mo == CPU_MODE_TE;
		cr_assert(eq(u64, EV(a, TRUE_FAULT), 20), "%s", cpu_mode_name(mo));
		/* The true fault's VMM path fills the shadow of the retried
		 * access; nested paging maps each new frame in the host. */
		cr_assert(eq(u64, EV(a, HIDDEN_FAULT),
			     mo == CPU_MODE_HW_NESTED ? 20 : 0),
			  "%s", cpu_mode_name(mo));
		/* Away and back: the untagged TLB is flushed, the shadows
		 * survive, so the pages miss but fault in no way. */
		cpu_vcpu_reset_results(r.v);
		stream t = {0};
		put(&t, TRACE_OP_SYSCALL, 0, 0);
		put_asid(&t, 1);
		put_asid(&t, 0);
		put(&t, TRACE_OP_RETURN, 0, 0);
		touch(&t, 100, 20, false);
		cpu_vcpu_run(r.v, t.in, t.n);
		cpu_results b = *cpu_vcpu_results(r.v);
		cr_assert(eq(u64, EV(b, TRUE_FAULT), 0));
		cr_assert(eq(u64, EV(b, HIDDEN_FAULT), 0));
		cr_assert(ge(u64, EV(b, TLB_MISS), 20));
		/* A VMM that dropped its shadows refills them: hidden only. */
		mem_vm_shadow_drop(r.vm);
		cpu_vcpu_reset_results(r.v);
		cpu_vcpu_run(r.v, t.in, t.n);
		cpu_results c = *cpu_vcpu_results(r.v);
		cr_assert(eq(u64, EV(c, TRUE_FAULT), 0));
		cr_assert(eq(u64, EV(c, HIDDEN_FAULT), shadow ? 20 : 0));
		stream_free(&s);
		stream_free(&t);
		rig_free(&r);
	}
}

Test(cpu_mmu, a_pte_store_traps_anywhere_in_a_traced_page_table_page)
{
	/* 32-bit tables: a leaf page-table page maps 4 MiB (1024 pages). */
	cpu_machine m = machine_file("p4-vtx-2006");
	/* The 2006 machine with nested paging, a what-if (its CPU had none). */
	m.nested_paging = true;
	stream s = {0};
	touch(&s, 10, 4, false);             /* pages 10..13 shadowed */
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	for (int i = 0; i < 8; i++)          /* 4 shadowed, 4 not: same page */
		put(&s, TRACE_OP_PTE_WRITE, 1, (uint64_t)(10 + i) << 12);
	for (int i = 0; i < 4; i++)          /* another page-table page */
		put(&s, TRACE_OP_PTE_WRITE, 1, (uint64_t)(2048 + i) << 12);
	put(&s, TRACE_OP_RETURN, 0, 0);
	cpu_results r;
	cycles_after(&m, CPU_MODE_BT, NULL, &s, &r);
	/* 4 from the faults of the first touches (each part of its fault's
	 * path, not a trap of its own), 12 in the syscall. */
	cr_assert(eq(u64, EV(r, PTE_WRITE), 16));
	cr_assert(eq(u64, EV(r, PTE_TRAP), 8));
	cr_assert(eq(u64, EV(r, CALLOUT), 8));
	cycles_after(&m, CPU_MODE_HW, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, PTE_TRAP), 8));
	cr_assert(eq(u64, EV(r, EXIT), 4 + 8));  /* the faults, the stores */
	cycles_after(&m, CPU_MODE_HW_NESTED, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, PTE_TRAP), 0));
	cycles_after(&m, CPU_MODE_NATIVE, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, PTE_TRAP), 0));
	stream_free(&s);
}

/* A guest page-table page stays traced while the shadow has a page for
 * it, whether or not that page still holds entries (a VMM keeps a shadow
 * page until it drops the shadow): an exit's unmaps trap to the last. */
Test(cpu_mmu, a_page_table_page_stays_traced_after_its_shadow_entries_go)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	stream s = {0};
	touch(&s, 10, 2, false);             /* pages 10, 11 shadowed */
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	put(&s, TRACE_OP_PTE_WRITE, 0, 10 << 12);  /* traced: traps */
	put(&s, TRACE_OP_PTE_WRITE, 0, 11 << 12);  /* traps, empties it */
	put(&s, TRACE_OP_PTE_WRITE, 1, 12 << 12);  /* still traced */
	put(&s, TRACE_OP_PTE_WRITE, 0, 13 << 12);
	put(&s, TRACE_OP_RETURN, 0, 0);
	static const cpu_mode modes[] = {CPU_MODE_BT, CPU_MODE_HW};
	for (size_t i = 0; i < 2; i++) {
		rig r = rig_make(&m, modes[i]);
		cpu_vcpu_run(r.v, s.in, s.n);
		cr_assert(eq(u64, EV(*cpu_vcpu_results(r.v), PTE_TRAP), 4),
			  "%s", cpu_mode_name(modes[i]));
		/* Once the VMM drops its shadows nothing is traced until a
		 * hidden fault builds a shadow page again. */
		mem_vm_shadow_drop(r.vm);
		cpu_vcpu_reset_results(r.v);
		cpu_vcpu_run(r.v, s.in + 2, s.n - 2);
		cr_assert(eq(u64, EV(*cpu_vcpu_results(r.v), PTE_TRAP), 0),
			  "%s", cpu_mode_name(modes[i]));
		rig_free(&r);
	}
	stream_free(&s);
}

Test(cpu_mmu, dirty_logging_faults_once_per_page_per_round)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	/* The 2006 machine with nested paging, a what-if (its CPU had none). */
	m.nested_paging = true;
	for (cpu_mode mo = CPU_MODE_TE; mo < CPU_MODE_COUNT; mo++) {
		rig r = rig_make(&m, mo);
		stream s = {0};
		touch(&s, 0, 10, true);
		cpu_vcpu_run(r.v, s.in, s.n);
		cr_assert(cpu_vcpu_dirtylog_start(r.v));
		cpu_vcpu_reset_results(r.v);
		stream t = {0};
		touch(&t, 0, 10, true);
		touch(&t, 0, 10, true);
		touch(&t, 0, 10, false);
		cpu_vcpu_run(r.v, t.in, t.n);
		cr_assert(eq(u64, EV(*cpu_vcpu_results(r.v), DIRTY_FAULT), 10),
			  "%s", cpu_mode_name(mo));
		cr_assert(gt(u64, cpu_vcpu_results(r.v)->cycles_vmm, 0));
		cr_assert(eq(u64, cpu_vcpu_dirtylog_clean(r.v, NULL), 10));
		stream u = {0};
		touch(&u, 5, 3, true);
		cpu_vcpu_run(r.v, u.in, u.n);
		cr_assert(eq(u64, EV(*cpu_vcpu_results(r.v), DIRTY_FAULT), 13));
		cpu_vcpu_dirtylog_stop(r.v);
		cpu_vcpu_run(r.v, t.in, t.n);
		cr_assert(eq(u64, EV(*cpu_vcpu_results(r.v), DIRTY_FAULT), 13));
		stream_free(&s);
		stream_free(&t);
		stream_free(&u);
		rig_free(&r);
	}
	rig n = rig_make(&m, CPU_MODE_NATIVE);
	cr_assert(not(cpu_vcpu_dirtylog_start(n.v)));
	rig_free(&n);
}

/* Walk references of the first load of a fresh page, after its fault. */
static uint64_t refs_of_one_miss(cpu_machine m, cpu_mode mode)
{
	stream s = {0};
	put(&s, TRACE_OP_LOAD, 0, UINT64_C(0x7f0000123000));
	cpu_results r;
	cycles_after(&m, mode, NULL, &s, &r);
	stream_free(&s);
	cr_assert(eq(u64, EV(r, TLB_MISS), 1));
	return EV(r, WALK_REFS);
}

Test(cpu_mmu, nested_walks_make_24_references_fewer_with_large_host_pages)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	m.pwc_entries = 0;
	m.ntlb_entries = 0;
	m.host_page_size = 4096;
	cr_assert(eq(u64, refs_of_one_miss(m, CPU_MODE_NATIVE), 4));
	cr_assert(eq(u64, refs_of_one_miss(m, CPU_MODE_HW), 4));
	cr_assert(eq(u64, refs_of_one_miss(m, CPU_MODE_HW_NESTED), 24));
	m.host_page_size = 2u << 20;
	cr_assert(eq(u64, refs_of_one_miss(m, CPU_MODE_HW_NESTED), 19));
	m.host_page_size = 1u << 30;
	cr_assert(eq(u64, refs_of_one_miss(m, CPU_MODE_HW_NESTED), 14));
}

Test(cpu_mmu, the_page_walk_cache_shortens_walks_of_neighbouring_pages)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	m.ntlb_entries = 0;
	m.host_page_size = 4096;
	stream s = {0};
	touch(&s, 0x1000, 2, false);         /* same leaf table */
	cpu_results r;
	cycles_after(&m, CPU_MODE_HW_NESTED, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, WALK_REFS), 24 + 9));
	cycles_after(&m, CPU_MODE_NATIVE, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, WALK_REFS), 4 + 1));
	stream_free(&s);
}

/* The page-walk cache is fully associative: two leaf tables whose
 * ranges are 32 tables apart (one slot of a direct-mapped cache of 32)
 * both stay, so a third page beside the first walks its leaf level only:
 * 4 + 4 + 1 references natively (a direct-mapped cache would give 12). */
Test(cpu_mmu, the_page_walk_cache_keeps_tables_a_direct_mapped_one_would_alias)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	cr_assert(eq(u64, m.pwc_entries, 32));
	stream s = {0};
	touch(&s, 0x40000, 1, false);
	touch(&s, 0x40000 + 32 * 512, 1, false);
	touch(&s, 0x40001, 1, false);
	cpu_results r;
	cycles_after(&m, CPU_MODE_NATIVE, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, TLB_MISS), 3));
	cr_assert(eq(u64, EV(r, WALK_REFS), 4 + 4 + 1));
	stream_free(&s);
}

/* [Bhargava08]'s nested TLB: a 2-D walk skips the host walk of every
 * guest-physical address the nested TLB holds (the guest's table pages,
 * the data's host page). Two neighbouring pages, 4 levels each way, no
 * page-walk cache: the first walk is cold (24); the second reads the 4
 * guest levels, whose host walks the nested TLB spares, and the new
 * page's host walk (4 with 4 KiB host pages: 8; none when both pages
 * lie in one 2 MiB host page: 4, after a cold walk of 19). */
Test(cpu_mmu, the_nested_tlb_spares_the_host_walks_it_holds)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	m.ntlb_entries = 32;
	m.pwc_entries = 0;
	m.host_page_size = 4096;
	stream s = {0};
	touch(&s, 0x1000, 2, false);
	cpu_results r;
	cycles_after(&m, CPU_MODE_HW_NESTED, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, WALK_REFS), 24 + 8));
	m.host_page_size = 2u << 20;
	cycles_after(&m, CPU_MODE_HW_NESTED, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, WALK_REFS), 19 + 4));
	/* Shadow tables and native walks do not use it. */
	cycles_after(&m, CPU_MODE_NATIVE, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, WALK_REFS), 4 + 4));
	cycles_after(&m, CPU_MODE_HW, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, WALK_REFS), 4 + 4));
	stream_free(&s);
}

/* An EPT violation maps the whole host page that holds the frame: 1024
 * fresh pages (consecutive guest frames) take one exit each on 4 KiB
 * host pages, one per 512 on 2 MiB host pages (2 or 3, by alignment). */
Test(cpu_mmu, an_ept_violation_maps_a_whole_host_page)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	stream s = {0};
	touch(&s, 0x10000, 1024, false);
	cpu_results r;
	m.host_page_size = 4096;
	cycles_after(&m, CPU_MODE_HW_NESTED, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, TRUE_FAULT), 1024));
	cr_assert(eq(u64, EV(r, HIDDEN_FAULT), 1024));
	m.host_page_size = 2u << 20;
	cycles_after(&m, CPU_MODE_HW_NESTED, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, TRUE_FAULT), 1024));
	cr_assert(ge(u64, EV(r, HIDDEN_FAULT), 2));
	cr_assert(le(u64, EV(r, HIDDEN_FAULT), 3));
	cr_assert(eq(u64, EV(r, EXIT), EV(r, HIDDEN_FAULT)));
	stream_free(&s);
}

/* The page-walk cache extended to the nested dimension ([Bhargava08]):
 * after one host walk of a region (what a host leaf table maps), a host
 * walk there that the nested TLB misses reads the leaf level only. The
 * same two pages with both caches, 4 KiB host pages: the cold walk reads
 * 4 guest levels, the root table's full host walk (4), 3 more tables' and
 * the data's leaf (1 each): 12; the second reads the guest leaf (the
 * guest's page-walk cache), its host translation from the nested TLB,
 * and the new page's host leaf: 2. */
Test(cpu_mmu, the_page_walk_cache_holds_the_host_levels_too)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	m.ntlb_entries = 32;
	m.pwc_entries = 32;
	m.host_page_size = 4096;
	stream s = {0};
	touch(&s, 0x1000, 2, false);
	cpu_results r;
	cycles_after(&m, CPU_MODE_HW_NESTED, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, WALK_REFS), 12 + 2));
	stream_free(&s);
}

/* The nested TLB caches guest-physical translations, which a guest's
 * own page-table base write leaves as they are: after one (untagged: the
 * TLB and page-walk cache flushed) a page's walk reads its 4 guest
 * levels and no host level. A VM exit without VPIDs flushes the nested
 * TLB too: the walk after it is cold, 24 references. */
Test(cpu_mmu, an_untagged_exit_empties_the_nested_tlb_a_guest_switch_not)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	m.ntlb_entries = 32;
	m.pwc_entries = 0;
	m.host_page_size = 4096;
	m.tlb_asid = false;
	m.tlb_vpid = false;
	stream warm = {0}, cr3 = {0}, ex = {0};
	touch(&warm, 0x1000, 1, false);
	put(&cr3, TRACE_OP_SYSCALL, 0, 0);
	put_asid(&cr3, 0);
	put(&cr3, TRACE_OP_RETURN, 0, 0);
	touch(&cr3, 0x1000, 1, false);
	put(&ex, TRACE_OP_SYSCALL, 0, 0);
	put(&ex, TRACE_OP_PRIV, TRACE_PRIV_CPUID, 0);  /* always exits */
	put(&ex, TRACE_OP_RETURN, 0, 0);
	touch(&ex, 0x1000, 1, false);
	cpu_results r;
	cycles_after(&m, CPU_MODE_HW_NESTED, &warm, &cr3, &r);
	cr_assert(eq(u64, EV(r, EXIT), 0));
	cr_assert(eq(u64, EV(r, TLB_FLUSH), 1));
	cr_assert(eq(u64, EV(r, TLB_MISS), 1));
	cr_assert(eq(u64, EV(r, WALK_REFS), 4));
	cycles_after(&m, CPU_MODE_HW_NESTED, &warm, &ex, &r);
	cr_assert(eq(u64, EV(r, EXIT), 1));
	cr_assert(eq(u64, EV(r, TLB_MISS), 1));
	cr_assert(eq(u64, EV(r, WALK_REFS), 24));
	stream_free(&warm);
	stream_free(&cr3);
	stream_free(&ex);
}

Test(cpu_mmu, large_pages_take_one_tlb_entry_and_a_shorter_walk)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	m.pwc_entries = 0;
	stream s = {0};
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	put_sized(&s, TRACE_OP_PTE_WRITE, 1, 0x40000000, 21);
	put(&s, TRACE_OP_RETURN, 0, 0);
	for (int i = 0; i < 512; i++)
		put_sized(&s, TRACE_OP_LOAD, 0, 0x40000000 + ((uint64_t)i << 12), 21);
	cpu_results r;
	cycles_after(&m, CPU_MODE_NATIVE, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, TLB_MISS), 1));
	cr_assert(eq(u64, EV(r, WALK_REFS), 3));
	cr_assert(eq(u64, EV(r, TRUE_FAULT), 0));
	/* A 1 GiB page in a VM of 256 MiB is mapped with base pages. */
	stream g = {0};
	put(&g, TRACE_OP_SYSCALL, 0, 0);
	put_sized(&g, TRACE_OP_PTE_WRITE, 1, 0x80000000, 30);
	put(&g, TRACE_OP_RETURN, 0, 0);
	put_sized(&g, TRACE_OP_STORE, 0, 0x80000000 + 0x3fff0000, 30);
	put_sized(&g, TRACE_OP_LOAD, 0, 0x80000000, 30);
	for (cpu_mode mo = 0; mo < CPU_MODE_COUNT; mo++) {
		cycles_after(&m, mo, NULL, &g, &r);
		cr_assert(eq(u64, EV(r, TRUE_FAULT), 1));
	}
	stream_free(&g);
	stream_free(&s);
}

/* ---- modes --------------------------------------------------------------- */

Test(cpu_pv, pte_updates_are_batched_into_mmu_hypercalls)
{
	cpu_machine m = machine_file("p4-xeon-2003");
	stream s = {0};
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	for (int i = 0; i < 5000; i++)
		put(&s, TRACE_OP_PTE_WRITE, 1, (uint64_t)i << 12);
	put(&s, TRACE_OP_RETURN, 0, 0);
	cpu_results r;
	cycles_after(&m, CPU_MODE_PV, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, PTE_QUEUED), 5000));
	cr_assert(eq(u64, EV(r, HYPERCALL), 3));  /* 2048, 2048, 904 at return */
	cr_assert(eq(u64, r.vmm[CPU_VMM_EMULATION], 5000 * m.pv.validate));
	/* A page fault takes two hypervisor transitions [Barham03]. */
	stream f = {0};
	put(&f, TRACE_OP_LOAD, 0, 0x9000);
	cycles_after(&m, CPU_MODE_PV, NULL, &f, &r);
	cr_assert(eq(u64, EV(r, TRAP) + EV(r, HYPERCALL), 2));
	/* System calls take the fast path: no transition. */
	stream c = {0};
	put(&c, TRACE_OP_SYSCALL, 0, 0);
	put(&c, TRACE_OP_RETURN, 0, 0);
	cycles_after(&m, CPU_MODE_PV, NULL, &c, &r);
	cr_assert(eq(u64, r.cycles_vmm, 0));
	/* On x86-64 the kernel is a separate space: two crossings. */
	cpu_machine m64 = machine_file("x86-ept-vpid");
	cycles_after(&m64, CPU_MODE_PV, NULL, &c, &r);
	cr_assert(eq(u64, EV(r, TRAP), 2));
	m64.tlb_asid = false;
	cycles_after(&m64, CPU_MODE_PV, NULL, &c, &r);
	cr_assert(eq(u64, EV(r, TLB_FLUSH), 2));
	stream_free(&s);
	stream_free(&f);
	stream_free(&c);
}

Test(cpu_bt, kernel_blocks_are_translated_once)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	stream s = {0};
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	for (int i = 0; i < 39; i++)
		put(&s, TRACE_OP_ALU, 0, 0);
	put(&s, TRACE_OP_RETURN, 0, 0);
	rig r = rig_make(&m, CPU_MODE_BT);
	cpu_vcpu_run(r.v, s.in, s.n);
	cr_assert(eq(u64, EV(*cpu_vcpu_results(r.v), TRANSLATE),
		     40 / m.bt.block_insns));
	cpu_vcpu_reset_results(r.v);
	cpu_vcpu_run(r.v, s.in, s.n);
	cr_assert(eq(u64, EV(*cpu_vcpu_results(r.v), TRANSLATE), 0));
	cr_assert(eq(u64, cpu_vcpu_results(r.v)->vmm[CPU_VMM_TRANSLATION], 0));
	rig_free(&r);
	/* A vcpu whose translation cache was warmed (a machine
	 * experiment's prefault) translates nothing, however far the
	 * kernel work reaches; the other costs are the warm run's. */
	rig w = rig_make(&m, CPU_MODE_BT);
	cpu_vcpu_warm_translations(w.v);
	cr_assert(eq(u64, EV(*cpu_vcpu_results(w.v), TRANSLATE), 0));
	cpu_vcpu_run(w.v, s.in, s.n);
	cr_assert(eq(u64, EV(*cpu_vcpu_results(w.v), TRANSLATE), 0));
	rig c = rig_make(&m, CPU_MODE_BT);
	cpu_vcpu_run(c.v, s.in, s.n);
	cpu_vcpu_reset_results(c.v);
	cpu_vcpu_run(c.v, s.in, s.n);
	cr_assert(eq(u64, cpu_results_cycles(cpu_vcpu_results(w.v)),
		     cpu_results_cycles(cpu_vcpu_results(c.v))));
	rig_free(&w);
	rig_free(&c);
	/* Outside BT it does nothing. */
	rig n = rig_make(&m, CPU_MODE_NATIVE);
	cpu_vcpu_warm_translations(n.v);
	cpu_vcpu_run(n.v, s.in, s.n);
	cr_assert(eq(u64, EV(*cpu_vcpu_results(n.v), TRANSLATE), 0));
	rig_free(&n);
	stream_free(&s);
}

/* A hosted BT VMM ([Sugerman01]; p4-xeon-2003, VMware Workstation)
 * handles a hardware interrupt and a device access in the host world:
 * each costs a world switch (world_switch cycles of VMM trap time) and,
 * on the untagged TLB, a flush, after which the page the guest touches
 * misses again. The same machine not hosted charges neither. */
Test(cpu_bt, a_hosted_vmm_switches_to_the_host_for_interrupts_and_io)
{
	cpu_machine hosted = machine_file("p4-xeon-2003"), inplace = hosted;
	cr_assert(hosted.bt.hosted);
	cr_assert(not(hosted.tlb_vpid));
	inplace.bt.hosted = false;
	const uint64_t page = UINT64_C(0x10000000);
	stream warm = {0}, s = {0};
	put(&warm, TRACE_OP_LOAD, 0, page);
	put(&s, TRACE_OP_INTERRUPT, TRACE_IRQ_DEVICE, 0);
	put(&s, TRACE_OP_ALU, 0, 0);
	put(&s, TRACE_OP_RETURN, 0, 0);
	put(&s, TRACE_OP_LOAD, 0, page);
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	put(&s, TRACE_OP_PRIV, TRACE_PRIV_PORT_IO, 0);
	put(&s, TRACE_OP_RETURN, 0, 0);
	put(&s, TRACE_OP_LOAD, 0, page);
	cpu_results h, p;
	cycles_after(&hosted, CPU_MODE_BT, &warm, &s, &h);
	cycles_after(&inplace, CPU_MODE_BT, &warm, &s, &p);
	cr_assert(eq(u64, EV(h, WORLD_SWITCH), 2));
	cr_assert(eq(u64, EV(p, WORLD_SWITCH), 0));
	cr_assert(eq(u64, EV(h, TLB_FLUSH), EV(p, TLB_FLUSH) + 2));
	cr_assert(eq(u64, EV(h, TLB_MISS), EV(p, TLB_MISS) + 2));
	cr_assert(eq(u64, h.vmm[CPU_VMM_TRAP],
		     p.vmm[CPU_VMM_TRAP] + 2 * hosted.world_switch));
	/* The device access itself costs bt.io either way. */
	cr_assert(eq(u64, h.vmm[CPU_VMM_EMULATION], p.vmm[CPU_VMM_EMULATION]));
	stream_free(&warm);
	stream_free(&s);
}

Test(cpu_disco, kernel_accesses_miss_only_when_the_kernel_is_mapped)
{
	cpu_machine m = machine_file("mips-r10000");
	stream s = {0};
	put(&s, TRACE_OP_SYSCALL, 0, 0);
	touch(&s, 0x100, 16, false);
	put(&s, TRACE_OP_RETURN, 0, 0);
	cpu_results r;
	cycles_after(&m, CPU_MODE_NATIVE, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, TLB_MISS), 0));  /* KSEG0 */
	cycles_after(&m, CPU_MODE_TE, NULL, &s, &r);
	cr_assert(eq(u64, EV(r, TLB_MISS), 16)); /* relinked, mapped kernel */
	stream_free(&s);
}

Test(cpu_disco, the_l2tlb_serves_misses_after_a_vcpu_switch_flush)
{
	cpu_machine m = machine_file("mips-r10000");
	cpu_core *c = cpu_core_create(&m);
	mem_vm_geom g = cpu_core_vm_geom(c, 1 << 14);
	mem_vm *a = mem_vm_create(&g, cpu_core_mfn_counter(c));
	mem_vm *b = mem_vm_create(&g, cpu_core_mfn_counter(c));
	cpu_vcpu *va = cpu_vcpu_create(c, a, 1, CPU_MODE_TE);
	cpu_vcpu *vb = cpu_vcpu_create(c, b, 2, CPU_MODE_TE);
	stream s = {0};
	touch(&s, 0, 32, false);
	cpu_vcpu_run(va, s.in, s.n);
	cpu_vcpu_run(vb, s.in, s.n);
	cpu_vcpu_reset_results(va);
	cpu_vcpu_run(va, s.in, s.n);        /* world switch: TLB flushed */
	const cpu_results *r = cpu_vcpu_results(va);
	cr_assert(eq(u64, EV(*r, WORLD_SWITCH), 1));
	cr_assert(eq(u64, EV(*r, TLB_MISS), 32));
	cr_assert(eq(u64, EV(*r, L2TLB_HIT), 32));
	cr_assert(eq(u64, EV(*r, TRUE_FAULT), 0));
	stream_free(&s);
	cpu_vcpu_destroy(va);
	cpu_vcpu_destroy(vb);
	mem_vm_destroy(a);
	mem_vm_destroy(b);
	cpu_core_destroy(c);
}

/* ---- robustness ----------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	*s += UINT64_C(0x9e3779b97f4a7c15);
	return sim_splitmix64(*s);
}

/* Random streams (any op, argument, size and address, including bytes
 * that are no op) never crash a mode, and the results add up. */
Test(cpu_fuzz, random_streams_run_in_every_mode_and_the_books_balance)
{
	static const char *const names[] = {"p4-xeon-2003", "p4-vtx-2006",
					    "mips-r10000", "x86-ept-vpid"};
	uint64_t seed = 7;
	for (size_t k = 0; k < 4; k++) {
		cpu_machine m = machine_file(names[k]);
		for (cpu_mode mo = 0; mo < CPU_MODE_COUNT; mo++) {
			if (!cpu_machine_runs(&m, mo))
				continue;
			rig r = rig_make(&m, mo);
			cpu_vcpu_dirtylog_start(r.v);
			stream s = {0};
			for (int i = 0; i < 20000; i++) {
				uint64_t x = rnd(&seed);
				uint8_t op = (uint8_t)(x % 17);
				put(&s, op, (uint8_t)(x >> 8), (x >> 16) % (1u << 26));
				const uint8_t sizes[8] = {0, 0, 0, 12, 21, 22,
							  30, (uint8_t)(x >> 56)};
				s.in[s.n - 1].size = sizes[(x >> 50) % 8];
				s.in[s.n - 1].asid = (uint16_t)(x >> 40) % 4;
			}
			cpu_vcpu_run(r.v, s.in, s.n);
			if (rnd(&seed) % 2)
				cpu_vcpu_dirtylog_clean(r.v, NULL);
			cpu_vcpu_run(r.v, s.in, s.n);
			const cpu_results *res = cpu_vcpu_results(r.v);
			char why[256];
			cr_assert(eq(int, cpu_results_check(res, mo, 0, why,
							    sizeof why), 0),
				  "%s", why);
			cr_assert(eq(u64, res->insns, 40000));
			cr_assert(eq(u64, res->insns_user + res->insns_kernel, 40000));
			uint64_t vsum = 0;
			for (int i = 0; i < CPU_VMM_COUNT; i++)
				vsum += res->vmm[i];
			cr_assert(eq(u64, vsum, res->cycles_vmm));
			if (mo == CPU_MODE_NATIVE)
				cr_assert(eq(u64, res->cycles_vmm, 0));
			if (mo != CPU_MODE_TE)
				cr_assert(eq(u64, res->violations, 0));
			stream_free(&s);
			rig_free(&r);
		}
	}
}

/* cpu_results_check catches each kind of broken books: sums that do not
 * add up, a part over its whole, and a count or cost of a mode's own in
 * another mode; a real run's books pass (the fuzz test above checks
 * random streams in every mode, datacenter/machine_runs.c every run). */
Test(cpu, broken_books_are_caught)
{
	cpu_machine m;
	cpu_machine_defaults(&m);
	m.nested_paging = true;
	rig r = rig_make(&m, CPU_MODE_BT);
	stream s = {0};
	for (int i = 0; i < 200; i++) {
		put(&s, TRACE_OP_SYSCALL, 0, 0);
		put(&s, TRACE_OP_LOAD, 0, (uint64_t)i << 12);
		put(&s, TRACE_OP_PTE_WRITE, 0, (uint64_t)i << 12);
		put(&s, TRACE_OP_PRIV, TRACE_PRIV_INTR_OFF, 0);
		put(&s, TRACE_OP_RETURN, 0, 0);
	}
	cpu_vcpu_run(r.v, s.in, s.n);
	const cpu_results good = *cpu_vcpu_results(r.v);
	char why[256];
	cr_assert(eq(int, cpu_results_check(&good, CPU_MODE_BT, 0, why,
					    sizeof why), 0), "%s", why);
	cr_assert(gt(u64, good.events[CPU_EV_CALLOUT], 0));
	cr_assert(gt(u64, good.events[CPU_EV_PTE_TRAP], 0));
	cpu_results b = good;
	b.insns_user += 3;
	cr_expect(eq(int, cpu_results_check(&b, CPU_MODE_BT, 0, why,
					    sizeof why), -1));
	cr_expect(eq(int, cpu_results_check(&b, CPU_MODE_BT, 3, why,
					    sizeof why), 0), "%s", why);
	b = good;
	b.vmm[CPU_VMM_EMULATION] += 100;
	cr_expect(eq(int, cpu_results_check(&b, CPU_MODE_BT, 0, why,
					    sizeof why), -1));
	cr_expect(ne(ptr, strstr(why, "cycles_vmm"), NULL), "%s", why);
	b = good;
	b.events[CPU_EV_PTE_TRAP] = b.events[CPU_EV_PTE_WRITE] + 1;
	cr_expect(eq(int, cpu_results_check(&b, CPU_MODE_BT, 0, why,
					    sizeof why), -1));
	cr_expect(ne(ptr, strstr(why, "pte_trap"), NULL), "%s", why);
	b = good;
	b.violations = 1;
	cr_expect(eq(int, cpu_results_check(&b, CPU_MODE_BT, 0, why,
					    sizeof why), -1));
	/* BT's books are not PV's: translations and callouts. */
	cr_expect(eq(int, cpu_results_check(&good, CPU_MODE_PV, 0, why,
					    sizeof why), -1));
	cr_expect(ne(ptr, strstr(why, "vmm_translation"), NULL), "%s", why);
	/* Native's VMM cycles are a world switch's alone. */
	cpu_results z;
	memset(&z, 0, sizeof z);
	z.insns = z.insns_user = 10;
	z.vmm[CPU_VMM_TRAP] = z.cycles_vmm = 5;
	cr_expect(eq(int, cpu_results_check(&z, CPU_MODE_NATIVE, 0, why,
					    sizeof why), 0), "%s", why);
	z.vmm[CPU_VMM_EMULATION] = 5;
	z.cycles_vmm = 10;
	cr_expect(eq(int, cpu_results_check(&z, CPU_MODE_NATIVE, 0, why,
					    sizeof why), -1));
	cr_expect(ne(ptr, strstr(why, "vmm_emulation"), NULL), "%s", why);
	/* An exit's cycles belong to hw and hw-nested alone. */
	b = good;
	b.vmm[CPU_VMM_EXIT] = 7;
	b.cycles_vmm += 7;
	cr_expect(eq(int, cpu_results_check(&b, CPU_MODE_BT, 0, why,
					    sizeof why), -1));
	cr_expect(ne(ptr, strstr(why, "vmm_exit"), NULL), "%s", why);
	stream_free(&s);
	rig_free(&r);
}

/* Machine files with random bytes changed or cut short load or are
 * refused with a message; never a crash. */
Test(cpu_fuzz, mangled_machine_files_are_refused_with_a_message)
{
	const char *src = getenv("VDCSIM_TEST_SRCDIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/../configs/machines/x86-ept-vpid.yaml",
		 src ? src : "tests");
	FILE *f = fopen(path, "rb");
	cr_assert(f != NULL);
	char base[8192];
	size_t len = fread(base, 1, sizeof base, f);
	fclose(f);
	static const char alphabet[] = "0123456789-:# \n{}[],.abcxyzKiB";
	uint64_t seed = 11;
	int refused = 0;
	for (int t = 0; t < 1500; t++) {
		char text[8192];
		memcpy(text, base, len);
		size_t n = len;
		int edits = 1 + (int)(rnd(&seed) % 4);
		for (int e = 0; e < edits; e++)
			text[rnd(&seed) % n] =
				alphabet[rnd(&seed) % (sizeof alphabet - 1)];
		if (rnd(&seed) % 5 == 0)
			n = rnd(&seed) % n;
		sim_diag d;
		sim_diag_init(&d);
		cfg_doc *doc = NULL;
		cpu_machine m;
		int rc = cfg_doc_parse("m.yaml", text, n, &doc, &d);
		if (rc == 0)
			rc = cpu_machine_load(doc, &m, &d);
		if (rc == 0) {
			/* Whatever loads builds a core. */
			cpu_core_destroy(cpu_core_create(&m));
		} else {
			refused++;
			cr_assert(eq(int, rc, SIM_EINPUT));
			cr_assert(d.text && strncmp(d.text, "m.yaml:", 7) == 0,
				  "%s", d.text ? d.text : "(none)");
		}
		sim_diag_fini(&d);
		cfg_doc_destroy(doc);
	}
	cr_assert(gt(i32, refused, 100));
}

/* The same stream on a fresh core gives the same results, field by
 * field, in every mode. */
Test(cpu_fuzz, runs_are_deterministic)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	stream s = {0};
	uint64_t seed = 3;
	for (int i = 0; i < 5000; i++) {
		uint64_t x = rnd(&seed);
		put(&s, (uint8_t)(x % 15), (uint8_t)(x >> 8), (x >> 16) % (1u << 24));
	}
	for (cpu_mode mo = 0; mo < CPU_MODE_COUNT; mo++) {
		cpu_results a, b;
		cycles_after(&m, mo, &s, &s, &a);
		cycles_after(&m, mo, &s, &s, &b);
		cr_assert(memcmp(&a, &b, sizeof a) == 0, "%s", cpu_mode_name(mo));
	}
	stream_free(&s);
}

/* Two vcpus of one VM share a core without world switches. */
Test(cpu_exec, vcpus_of_one_vm_switch_without_a_world_switch)
{
	cpu_machine m = machine_file("p4-vtx-2006");
	cpu_core *c = cpu_core_create(&m);
	mem_vm_geom g = cpu_core_vm_geom(c, 1 << 12);
	mem_vm *vm = mem_vm_create(&g, cpu_core_mfn_counter(c));
	cpu_vcpu *a = cpu_vcpu_create(c, vm, 1, CPU_MODE_HW);
	cpu_vcpu *b = cpu_vcpu_create(c, vm, 1, CPU_MODE_HW);
	stream s = {0};
	touch(&s, 0, 8, false);
	cpu_vcpu_run(a, s.in, s.n);  /* faults: exits flush the TLB */
	cpu_vcpu_run(a, s.in, s.n);
	cpu_vcpu_reset_results(a);
	for (int i = 0; i < 3; i++) {
		cpu_vcpu_run(b, s.in, s.n);
		cpu_vcpu_run(a, s.in, s.n);
	}
	cr_assert(eq(u64, cpu_vcpu_results(a)->events[CPU_EV_WORLD_SWITCH], 0));
	cr_assert(eq(u64, cpu_vcpu_results(b)->events[CPU_EV_WORLD_SWITCH], 0));
	/* b found a's translations: same VM, same address space. */
	cr_assert(eq(u64, cpu_vcpu_results(b)->events[CPU_EV_TLB_MISS], 0));
	stream_free(&s);
	cpu_vcpu_destroy(a);
	cpu_vcpu_destroy(b);
	mem_vm_destroy(vm);
	cpu_core_destroy(c);
}

/* A vcpu moved to another core of the machine misses there, then hits;
 * its results go on. */
Test(cpu_exec, a_moved_vcpu_refills_on_its_new_core)
{
	cpu_machine m = machine_file("x86-ept-vpid");
	cpu_core *c0 = cpu_core_create(&m), *c1 = cpu_core_create(&m);
	mem_vm_geom g = cpu_core_vm_geom(c0, 1 << 12);
	mem_vm *vm = mem_vm_create(&g, cpu_core_mfn_counter(c0));
	cpu_vcpu *v = cpu_vcpu_create(c0, vm, 1, CPU_MODE_HW_NESTED);
	stream s = {0};
	touch(&s, 0, 8, false);
	cpu_vcpu_run(v, s.in, s.n);
	cpu_vcpu_run(v, s.in, s.n);
	cr_assert(eq(u64, cpu_vcpu_results(v)->events[CPU_EV_TLB_MISS], 8));
	cpu_vcpu_move(v, c1);
	cr_assert(cpu_vcpu_core(v) == c1);
	cpu_vcpu_run(v, s.in, s.n);
	cpu_vcpu_run(v, s.in, s.n);
	cr_assert(eq(u64, cpu_vcpu_results(v)->events[CPU_EV_TLB_MISS], 16));
	cr_assert(eq(u64, cpu_vcpu_results(v)->insns, 32));
	stream_free(&s);
	cpu_vcpu_destroy(v);
	mem_vm_destroy(vm);
	cpu_core_destroy(c0);
	cpu_core_destroy(c1);
}
