/* SPDX-License-Identifier: MIT */
/*
 * Private to models/cpu/: the core and vcpu structures the executor
 * (exec.c), the lifecycle (cpu.c) and the loader (machine.c) share.
 */
#ifndef VDCSIM_CPU_INTERNAL_H
#define VDCSIM_CPU_INTERNAL_H

#include "cpu.h"

/* BT translation cache: blocks remembered per kernel entry class. */
#define CPU_BT_CLASSES (1 + TRACE_EXC_COUNT + TRACE_IRQ_COUNT + 1)
#define CPU_BT_BLOCKS 1024u
/* TLB hints per vcpu (a power of two). */
#define CPU_UTLB 64u

struct cpu_core {
	cpu_machine m;
	mem_tlb tlb;
	mem_tlb pwc;              /* page-walk cache (machine pwc_entries,
				     fully associative; unused when 0) */
	mem_tlb ntlb;             /* nested TLB (machine ntlb_entries, fully
				     associative; unused when 0) */
	uint64_t next_mfn;
	cpu_vcpu *last;           /* the vcpu that ran last */
	unsigned base_shift;
	unsigned host_m;          /* host levels walked (host page size) */
	unsigned host_k;          /* guest pages per host page, log2 */
	bool shift_ok[64];        /* page shifts the page tables can map */
};

/* One kernel entry on the vcpu's small stack (user -> kernel -> irq). */
typedef struct cpu_frame {
	unsigned bt_class;
	uint64_t bt_block;
	uint64_t bt_left;
} cpu_frame;

struct cpu_vcpu {
	cpu_core *core;
	mem_vm *vm;
	uint16_t vm_id;
	cpu_mode mode;
	bool shadow;              /* BT, HW, TE on x86: shadow tables */
	bool globals;             /* kernel entries are global: native or
				     hw-nested on a global_pages machine */
	bool x86_te;              /* TE on x86: the virtualization hole */
	cpu_level level;
	unsigned depth;           /* 0 user, 1 kernel, 2 nested interrupt */
	cpu_frame frame[3];
	uint16_t asid;
	uint32_t tag;             /* TLB tag of the current address space */
	uint64_t pv_queue;        /* PV: PTE updates queued */
	uint64_t fill_page;       /* shadow: page of the last true fault */
	uint8_t *tc;              /* BT: [CPU_BT_CLASSES * CPU_BT_BLOCKS] */
	mem_kcache l2tlb;         /* TE on a software-refilled TLB */
	bool logging;
	/* Hints into the core's TLB by virtual page number: an entry found
	 * there whose key and tag still match is the entry a set search
	 * would find (replacement is FIFO, so a hit changes no state). A
	 * simulator speed-up only: it decides nothing. */
	const mem_tlb_entry *utlb[CPU_UTLB + 1];
	/* utlb[CPU_UTLB] points here: an entry that matches the key 1 (no
	 * page's key) under the current tag, which non-memory instructions
	 * look up so that the loop need not branch on the kind of op. */
	mem_tlb_entry always;
	uint16_t shift_of[256];   /* page shift per trace_insn size */
	cpu_results r;
};

/* An entry that never matches (key 0), for empty hints. */
extern const mem_tlb_entry cpu_null_entry;

/* uml.c: what the UML-like mode adds (models/cpu/README.md). A guest
 * kernel entry: the host's interception and signal round trip, and a
 * host process switch; its return to user level: the switch back. */
void cpu_uml_enter(cpu_vcpu *v);
void cpu_uml_leave(cpu_vcpu *v);
/* A guest PTE write applied to the host address space. */
void cpu_uml_pte(cpu_vcpu *v);
/* A page-table base write: a host process switch (its flush is the
 * caller's, as for every mode). */
void cpu_uml_pt_base(cpu_vcpu *v);
/* A privileged instruction of kind `kind` in the guest kernel. */
void cpu_uml_priv(cpu_vcpu *v, unsigned kind);

/* The vcpu's TLB tag for address space asid. */
uint32_t cpu_tag_of(const cpu_vcpu *v, uint16_t asid);

#endif /* VDCSIM_CPU_INTERNAL_H */
