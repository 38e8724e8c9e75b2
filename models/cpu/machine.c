/* SPDX-License-Identifier: MIT */
/*
 * Machine files: the parameter tables of the machine model (one cost set
 * per machine, every cost in cycles with its source tag from
 * docs/references.md), the defaults (the 2006 P4 with VT-x) and the
 * loader with its geometry checks.
 */
#include "cpu_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define OFF(f) offsetof(cpu_machine, f)
/* A cost in cycles: 0 .. 10^9. */
#define CYC(nm, f, def, doc)                                                   \
	{nm, CFG_T_UINT, def, "0", "1000000000", NULL, OFF(f), doc " (cycles)"}

static const char *const arch_choices[] = {"x86", "x86-64", "mips", NULL};
static const char *const refill_choices[] = {"hardware", "software", NULL};
static const char *const subsections[] = {"native", "te", "bt", "pv", "hw",
					  "uml", NULL};

static const cfg_param machine_params[] = {
	{"name", CFG_T_STRING, "", NULL, NULL, NULL, OFF(name),
	 "the machine's name in results"},
	{"arch", CFG_T_ENUM, "x86", NULL, NULL, arch_choices, OFF(arch),
	 "x86 (four rings), x86-64 (guest kernel shares the lower level with "
	 "its applications) or mips (kernel/supervisor/user)"},
	/* [AdamsAgesen06] set-up: a 3.8 GHz Pentium 4 672. */
	{"clock_mhz", CFG_T_UINT, "3800", "1", "100000", NULL, OFF(clock_mhz),
	 "core clock (MHz); cycles / clock_mhz = microseconds"},
	/* The default machine, [AdamsAgesen06]'s Pentium 4 672, has the
	 * first VT-x and no nested paging (docs/references.md, "Hardware
	 * assistance"). */
	{"hw_assist", CFG_T_BOOL, "true", NULL, NULL, NULL, OFF(hw_assist),
	 "hardware-assisted virtualization (VT-x/AMD-V): without it the "
	 "machine does not run hw or hw-nested (x86 only)"},
	{"nested_paging", CFG_T_BOOL, "false", NULL, NULL, NULL,
	 OFF(nested_paging), "nested paging (EPT/NPT, with hw_assist): "
	 "without it the machine does not run hw-nested"},
	{"page_size", CFG_T_POW2, "4KiB", "1KiB", "1GiB", NULL, OFF(page_size),
	 "base page"},
	/* 32-bit x86 without PAE: two levels of 1024 entries. */
	{"pt_levels", CFG_T_UINT, "2", "1", "6", NULL, OFF(pt_levels),
	 "guest page-table levels (x86-64: 4)"},
	{"pt_bits", CFG_T_UINT, "10", "1", "12", NULL, OFF(pt_bits),
	 "index bits per page-table level (x86-64: 9); a large page is the "
	 "base page times 2^(k * pt_bits)"},
	/* [Intel-P4] the Pentium 4 DTLB: 64 entries, fully associative. */
	{"tlb_entries", CFG_T_UINT, "64", "1", "65536", NULL, OFF(tlb_entries),
	 "TLB entries (a multiple of tlb_ways)"},
	{"tlb_ways", CFG_T_UINT, "64", "1", "65536", NULL, OFF(tlb_ways),
	 "TLB associativity (tlb_entries/tlb_ways must be a power of two)"},
	{"tlb_asid", CFG_T_BOOL, "false", NULL, NULL, NULL, OFF(tlb_asid),
	 "entries tagged by address space (PCID, MIPS ASID); else a page-table "
	 "base write flushes the TLB"},
	{"tlb_vpid", CFG_T_BOOL, "false", NULL, NULL, NULL, OFF(tlb_vpid),
	 "entries tagged by VM (VPID/ASID); else VM exits, entries and world "
	 "switches flush the TLB"},
	/* [Linux24] marks the kernel's mappings global when the CPU has
	 * PGE; [IntelSDM]: a CR3 write keeps global entries. */
	{"global_pages", CFG_T_BOOL, "false", NULL, NULL, NULL,
	 OFF(global_pages), "x86 global pages (PGE): the guest kernel's "
	 "own TLB entries survive its page-table base writes, natively and "
	 "under nested paging (PV guests may not set the bit; shadow modes "
	 "switch shadows); VM exits, entries and world switches without "
	 "VPIDs remove them too"},
	{"refill", CFG_T_ENUM, "hardware", NULL, NULL, refill_choices,
	 OFF(refill), "TLB refill by a hardware walker or a software handler"},
	/* [Machine-A] 20-40 cycles when the walk hits the caches. */
	CYC("walk_ref", walk_ref, "30", "one page-walk memory reference"),
	{"pwc_entries", CFG_T_UINT, "0", "0", "65536", NULL, OFF(pwc_entries),
	 "page-walk cache entries, fully associative (0: none; else a power "
	 "of two)"},
	{"host_levels", CFG_T_UINT, "4", "1", "6", NULL, OFF(host_levels),
	 "nested paging: host page-table levels (of pt_bits each)"},
	{"host_page_size", CFG_T_POW2, "4KiB", "1KiB", "1GiB", NULL,
	 OFF(host_page_size), "nested paging: host page size (2MiB shortens "
	 "the 2-D walk)"},
	/* [Bhargava08]'s caching of the nested dimension: a nested TLB of
	 * guest-physical to host translations spares a 2-D walk the host
	 * walks of the addresses it holds, and the page-walk cache (if any)
	 * holds host levels too. */
	{"ntlb_entries", CFG_T_UINT, "0", "0", "1024", NULL,
	 OFF(ntlb_entries), "nested paging: nested TLB entries, one host page "
	 "each, fully associative; with it the page-walk cache holds host "
	 "levels too (0: neither; else a power of two)"},
	/* [JacobMudge98] software refill, tens of cycles. */
	CYC("refill_handler", refill_handler, "15",
	    "software TLB refill handler"),
	{"l2tlb_entries", CFG_T_UINT, "0", "0", "65536", NULL,
	 OFF(l2tlb_entries), "Disco's second-level software TLB per vcpu "
	 "(0: none; else a power of two)"},
	/* [Machine-A] VT-x of 2006: 5-10 k cycles plus the flush. */
	CYC("world_switch", world_switch, "7000",
	    "switching the core between VMs"),
	/* [AdamsAgesen06] Table: native pgfault 1093 - divzero 889 cycles. */
	{"fault_insns", CFG_T_UINT, "150", "0", "1000000", NULL,
	 OFF(fault_insns), "kernel instructions a guest runs per page fault "
	 "the machine raises"},
};

static const cfg_param native_params[] = {
	CYC("alu", native.alu, "1", "register instruction"),
	CYC("mem", native.mem, "1", "load or store that hits the TLB"),
	CYC("branch", native.branch, "1", "direct branch"),
	/* [AdamsAgesen06] call/ret 11 native. */
	CYC("indirect", native.indirect, "11", "indirect call/return/jump"),
	/* [AdamsAgesen06] syscall 242 native. */
	CYC("syscall", native.syscall, "242", "system call round trip"),
	/* [AdamsAgesen06] divzero 889 native. */
	CYC("exception", native.exception, "889",
	    "exception delivery round trip"),
	CYC("interrupt", native.interrupt, "889",
	    "interrupt delivery round trip (as an exception)"),
	/* [AdamsAgesen06] ptemod about 1 natively (a store). */
	CYC("pte_write", native.pte_write, "1", "page-table entry store"),
	CYC("sensitive", native.sensitive, "20", "POPF-like instruction"),
	/* [Machine-A] 50-200 for a CR3 write. */
	CYC("pt_base", native.priv[TRACE_PRIV_PT_BASE], "100",
	    "page-table base write"),
	CYC("tlb_write", native.priv[TRACE_PRIV_TLB_WRITE], "10",
	    "TLB entry write"),
	CYC("intr_off", native.priv[TRACE_PRIV_INTR_OFF], "10",
	    "interrupts disabled"),
	CYC("intr_on", native.priv[TRACE_PRIV_INTR_ON], "10",
	    "interrupts enabled"),
	/* [AdamsAgesen06] cr8wr about 150 native. */
	CYC("tpr", native.priv[TRACE_PRIV_TPR], "150", "task-priority write"),
	CYC("timer", native.priv[TRACE_PRIV_TIMER], "100", "timer programming"),
	CYC("halt", native.priv[TRACE_PRIV_HALT], "100", "halt"),
	/* [AdamsAgesen06] in 3209 native. */
	CYC("port_io", native.priv[TRACE_PRIV_PORT_IO], "3209",
	    "port I/O to a device"),
	CYC("cpuid", native.priv[TRACE_PRIV_CPUID], "100", "CPUID"),
};

static const cfg_param te_params[] = {
	/* [Machine-A] Disco: +100-300 per trap and emulation. */
	CYC("trap", te.trap, "200",
	    "trap to the VMM and emulate a privileged instruction"),
	CYC("reflect", te.reflect, "200",
	    "trap and reflect a syscall, exception or interrupt to the guest"),
	CYC("io", te.io, "2000", "device model behind a trapped port access"),
	/* [Machine-A] Disco L2TLB hit: +50-150. */
	CYC("l2tlb_hit", te.l2tlb_hit, "100",
	    "TLB miss served from the L2TLB"),
	/* [Bugnion97] the patched IRIX HAL. */
	{"patched_hal", CFG_T_BOOL, "false", NULL, NULL, NULL,
	 OFF(te.patched_hal), "cheap privileged ops (interrupt flag, TPR) are "
	 "loads/stores to a page shared with the VMM"},
};

static const cfg_param bt_params[] = {
	/* [AdamsAgesen06] syscall 2308 BT - 242 native. */
	CYC("reflect", bt.reflect, "2066",
	    "a guest kernel entry through the VMM (syscall, fault, interrupt)"),
	/* [AdamsAgesen06] pgfault 3927 BT minus its other events (reflect,
	 * native fault, handler, walk). */
	CYC("fault", bt.fault, "760",
	    "a true guest fault's VMM work besides the reflection"),
	CYC("map", bt.map, "0",
	    "a true fault's own mapping (the handler's PTE write and the "
	    "shadow fill), where bt.fault leaves it out"),
	/* [AdamsAgesen06] call/ret 51 BT - 11 native. */
	CYC("indirect", bt.indirect, "40",
	    "extra per indirect control transfer in translated kernel code"),
	/* [AdamsAgesen06] cr8wr 35 BT. */
	CYC("callout", bt.callout, "35",
	    "translated sensitive or privileged instruction"),
	/* [AdamsAgesen06] in 216 BT. */
	CYC("io", bt.io, "216", "port I/O emulated inline"),
	/* [AdamsAgesen06] ptemod 391 BT. */
	CYC("pte", bt.pte, "391", "traced PTE write (callout, shadow update)"),
	/* [Machine-A] a hidden fault costs about what the VMM's fault path
	 * does: [AdamsAgesen06] pgfault 3927 BT - 1093 native. */
	CYC("fill", bt.fill, "2834", "hidden fault: shadow entry filled"),
	CYC("shadow_switch", bt.shadow_switch, "3000",
	    "switching shadow tables on an address-space switch"),
	CYC("translate", bt.translate, "1000", "translating one kernel block"),
	{"block_insns", CFG_T_UINT, "8", "1", "1000000", NULL,
	 OFF(bt.block_insns), "instructions per translated block"},
	/* [Sugerman01] VMware Workstation's hosted architecture. */
	{"hosted", CFG_T_BOOL, "false", NULL, NULL, NULL, OFF(bt.hosted),
	 "a hosted VMM: each device access (then bt.io is the host's access "
	 "alone) and each hardware interrupt is handled in the host world, a "
	 "world switch there and back (world_switch, the TLB flushed without "
	 "VPIDs)"},
};

static const cfg_param pv_params[] = {
	/* [Barham03] Table 5 at 2.4 GHz: a protection fault (no PTE work)
	 * costs Xen 1.40 - 1.06 us more, one bounce; a page fault 2.73 -
	 * 1.42 us more, a bounce and the PTE update's hypercall. */
	CYC("hypercall", pv.hypercall, "2328", "hypercall round trip"),
	CYC("bounce", pv.bounce, "816",
	    "fault or event bounced through the hypervisor to the guest"),
	CYC("validate", pv.validate, "50", "validating one queued PTE update"),
	/* [Barham03] up to 2048 queued updates per hypercall. */
	{"batch", CFG_T_UINT, "2048", "1", "1000000", NULL, OFF(pv.batch),
	 "PTE updates per MMU hypercall at most"},
	CYC("flag", pv.flag, "1",
	    "cheap privileged op as a shared-memory flag write"),
	CYC("crossing", pv.crossing, "600",
	    "x86-64: a guest kernel crossing through the hypervisor"),
};

static const cfg_param hw_params[] = {
	/* [Agesen12] round trip about 2,400 cycles on Prescott. */
	CYC("exit", hw.exit, "2400", "VM exit + entry round trip"),
	/* [AdamsAgesen06] in 15826 VT = exit + device model. */
	CYC("io", hw.io, "13426", "port I/O device model after an exit"),
	/* [AdamsAgesen06] ptemod 12733 VT = exit + emulation. */
	CYC("pte", hw.pte, "10333", "emulating a traced PTE write"),
	/* [AdamsAgesen06] pgfault 11242 VT = exit + native fault path
	 * (1101) + fault. */
	CYC("fault", hw.fault, "7741", "true guest fault: walk, inject"),
	/* [Machine-A] about the VT fault path: 11242 - 1093 - exit. */
	CYC("fill", hw.fill, "7749",
	    "hidden fault: shadow or nested entry filled"),
	/* [Machine-A] CR3 exit + shadow lookup, 3-5 k. */
	CYC("cr3", hw.cr3, "2000", "shadow switch after a CR3 exit"),
	CYC("emulate", hw.emulate, "500",
	    "other exit handlers (CPUID, HLT, timer, interrupt, vmcall)"),
};

/* [Barham03] Tables 3-5 (UML skas3 against L-UP, 2.4 GHz); the defaults
 * are those cycle counts (the 2003 Xeon's file repeats them). */
static const cfg_param uml_params[] = {
	/* Table 3 null call: 24.7 - 0.45 us = 24.25 us. */
	CYC("signal", uml.signal, "58200",
	    "a guest kernel entry intercepted by the host and handed to the "
	    "kernel's process (ptrace stop, signal, return)"),
	/* Table 5 page fault: 26.3 - 1.42 us, less one signal: 0.63 us. */
	CYC("pte", uml.pte, "1510",
	    "a guest PTE write applied to the host address space (host "
	    "mmap/munmap/mprotect)"),
	/* Table 4 context switch 2p/0K: 15.5 - 0.77 us = 14.73 us. */
	CYC("ctx", uml.ctx, "35350",
	    "a guest page-table base write: switching host processes"),
	/* [Machine-A] a host system call (native.syscall of the Xeon's
	 * file) in front of the device work (native.port_io). */
	CYC("io", uml.io, "4289",
	    "a device access as a host system call on a file or socket"),
	/* [Machine-A] one host system call. */
	CYC("hostcall", uml.hostcall, "1080",
	    "another privileged operation as a host system call (timer, "
	    "halt, CPUID)"),
};

#define SECTION(p, d, pr, sub)                                                 \
	{p, d, pr, sizeof pr / sizeof pr[0], sub}

static const cfg_section sec_machine = SECTION(
	"machine", "a machine: clock, TLB, page tables", machine_params,
	subsections);
static const cfg_section sec_native = SECTION(
	"machine.native", "costs without a VMM", native_params, NULL);
static const cfg_section sec_te = SECTION(
	"machine.te", "trap-and-emulate (Disco)", te_params, NULL);
static const cfg_section sec_bt = SECTION(
	"machine.bt", "binary translation (VMware)", bt_params, NULL);
static const cfg_section sec_pv = SECTION(
	"machine.pv", "paravirtualization (Xen)", pv_params, NULL);
static const cfg_section sec_hw = SECTION(
	"machine.hw", "hardware-assisted (VT-x/AMD-V)", hw_params, NULL);

static const cfg_section sec_uml = SECTION(
	"machine.uml", "User-Mode Linux (the kernel a host process)",
	uml_params, NULL);

static const cfg_section *const sections[] = {
	&sec_machine, &sec_native, &sec_te, &sec_bt, &sec_pv, &sec_hw,
	&sec_uml, NULL};

const cfg_section *const *cpu_sections(void)
{
	return sections;
}

void cpu_machine_defaults(cpu_machine *m)
{
	sim_diag d;
	sim_diag_init(&d);
	memset(m, 0, sizeof *m);
	for (size_t i = 0; sections[i]; i++)
		if (cfg_section_load(sections[i], NULL, NULL, m, &d) != 0)
			sim_panic("cpu_machine_defaults: %s", d.text);
	sim_diag_fini(&d);
}

static unsigned log2u(uint64_t x)
{
	unsigned s = 0;
	while (x >>= 1)
		s++;
	return s;
}

/* Geometry checks the tables cannot state, each at its node. */
static int check_geometry(const cpu_machine *m, const cfg_node *map,
			  sim_diag *d)
{
	int rc = 0;
	const cfg_node *at = cfg_map_get(map, "tlb_ways");
	if (!at)
		at = cfg_map_get(map, "tlb_entries");
	if (!at)
		at = map;
	if (m->tlb_entries % m->tlb_ways != 0 || m->tlb_ways > m->tlb_entries) {
		cfg_error(d, at, "machine.tlb_ways: %llu entries are not "
			  "divisible into %llu ways (expected tlb_entries a "
			  "multiple of tlb_ways)",
			  (unsigned long long)m->tlb_entries,
			  (unsigned long long)m->tlb_ways);
		rc = SIM_EINPUT;
	} else if (!mem_tlb_geometry_is_valid(m->tlb_entries, m->tlb_ways)) {
		cfg_error(d, at, "machine.tlb_ways: %llu sets of %llu ways "
			  "(expected a power of two of sets)",
			  (unsigned long long)(m->tlb_entries / m->tlb_ways),
			  (unsigned long long)m->tlb_ways);
		rc = SIM_EINPUT;
	}
	unsigned base = log2u(m->page_size);
	if (base + m->pt_levels * m->pt_bits > 64) {
		at = cfg_map_get(map, "pt_bits");
		cfg_error(d, at ? at : map, "machine.pt_bits: %llu levels of %llu "
			  "bits over %llu-byte pages exceed 64 bits (expected "
			  "page_size * 2^(levels * bits) <= 2^64)",
			  (unsigned long long)m->pt_levels,
			  (unsigned long long)m->pt_bits,
			  (unsigned long long)m->page_size);
		rc = SIM_EINPUT;
	}
	unsigned hs = log2u(m->host_page_size);
	if (hs < base || (hs - base) % m->pt_bits ||
	    (hs - base) / m->pt_bits >= m->host_levels) {
		at = cfg_map_get(map, "host_page_size");
		cfg_error(d, at ? at : map, "machine.host_page_size: %llu bytes "
			  "is not a host page size (expected page_size times "
			  "2^(k * pt_bits), k < host_levels)",
			  (unsigned long long)m->host_page_size);
		rc = SIM_EINPUT;
	}
	const cfg_node *hwn = cfg_map_get(map, "hw_assist");
	const cfg_node *npn = cfg_map_get(map, "nested_paging");
	if (m->arch == CPU_ARCH_MIPS && ((hwn && m->hw_assist) ||
					 (npn && m->nested_paging))) {
		cfg_error(d, hwn && m->hw_assist ? hwn : npn,
			  "machine.%s: arch mips has no hardware-assisted "
			  "virtualization (expected false, or arch x86 or "
			  "x86-64)", hwn && m->hw_assist ? "hw_assist"
							  : "nested_paging");
		rc = SIM_EINPUT;
	} else if (m->nested_paging && !m->hw_assist) {
		cfg_error(d, npn ? npn : (hwn ? hwn : map),
			  "machine.nested_paging: nested paging without "
			  "hw_assist (expected hw_assist: true, as EPT and NPT "
			  "are part of VT-x and AMD-V)");
		rc = SIM_EINPUT;
	}
	static const char *const pow2_keys[] = {"pwc_entries",
						"l2tlb_entries",
						"ntlb_entries"};
	const uint64_t vals[] = {m->pwc_entries, m->l2tlb_entries,
				 m->ntlb_entries};
	for (size_t i = 0; i < 3; i++) {
		if (vals[i] & (vals[i] - 1)) {
			at = cfg_map_get(map, pow2_keys[i]);
			cfg_error(d, at ? at : map, "machine.%s: %llu is not a "
				  "power of two (expected 0 or a power of two)",
				  pow2_keys[i], (unsigned long long)vals[i]);
			rc = SIM_EINPUT;
		}
	}
	return rc;
}

int cpu_machine_load(const cfg_doc *doc, cpu_machine *m, sim_diag *d)
{
	cpu_machine_defaults(m);
	const cfg_node *root = cfg_doc_root(doc);
	if (cfg_node_kind(root) != CFG_MAP) {
		cfg_error(d, root, "a machine file is %s (expected a mapping "
			  "with the key machine)",
			  cfg_kind_name(cfg_node_kind(root)));
		return SIM_EINPUT;
	}
	int rc = 0;
	for (size_t i = 0; i < cfg_node_len(root); i++) {
		const cfg_node *k = cfg_node_key(root, i);
		if (strcmp(cfg_node_text(k), "machine") != 0) {
			char *shown = sim_escape(cfg_node_text(k));
			cfg_error(d, k, "unknown top-level key '%s' (expected "
				  "machine)", shown);
			free(shown);
			rc = SIM_EINPUT;
		}
	}
	const cfg_node *map = cfg_map_get(root, "machine");
	if (!map) {
		cfg_error(d, root, "missing key machine (expected the machine's "
			  "mapping)");
		return SIM_EINPUT;
	}
	if (cfg_section_load(&sec_machine, map, root, m, d) != 0)
		return SIM_EINPUT;
	static const char *const subs[] = {"native", "te", "bt", "pv", "hw",
					   "uml"};
	for (size_t i = 0; i < 6; i++)
		if (cfg_section_load(sections[i + 1], cfg_map_get(map, subs[i]),
				     map, m, d) != 0)
			rc = SIM_EINPUT;
	if (check_geometry(m, map, d) != 0)
		rc = SIM_EINPUT;
	return rc;
}

int cpu_machine_load_file(const char *path, cfg_doc **doc_out,
			  cpu_machine *m, sim_diag *d)
{
	*doc_out = NULL;
	cfg_doc *doc;
	int rc = cfg_doc_load(path, &doc, d);
	if (rc != 0)
		return rc;
	rc = cpu_machine_load(doc, m, d);
	if (rc != 0) {
		cfg_doc_destroy(doc);
		return rc;
	}
	*doc_out = doc;
	return 0;
}
