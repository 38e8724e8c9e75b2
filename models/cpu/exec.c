/* SPDX-License-Identifier: MIT */
/*
 * The detailed executor: one abstract instruction at a time, the level
 * checked on every one, a TLB lookup on every LOAD/STORE, and what each
 * instruction becomes under the vcpu's mode charged from the machine's
 * one cost set. The costs per mode are in models/cpu/README.md.
 */
#include "cpu_internal.h"

#include <string.h>

/* ---- charging --------------------------------------------------------- */

static inline void guest(cpu_vcpu *v, uint64_t c)
{
	if (v->level == CPU_LEVEL_USER)
		v->r.cycles_user += c;
	else
		v->r.cycles_kernel += c;
}

static inline void vmm(cpu_vcpu *v, cpu_vmm_kind k, uint64_t c)
{
	v->r.vmm[k] += c;
	v->r.cycles_vmm += c;
}

/* A TLB flush (the page-walk cache's too, whole either way); with
 * `keep_global` the global entries stay ([IntelSDM]: a CR3 write with
 * global pages enabled). */
static void flush_tlb_as(cpu_vcpu *v, bool keep_global)
{
	if (keep_global)
		mem_tlb_flush_nonglobal(&v->core->tlb);
	else
		mem_tlb_flush(&v->core->tlb);
	if (v->core->m.pwc_entries)
		mem_tlb_flush(&v->core->pwc);
	v->r.events[CPU_EV_TLB_FLUSH]++;
}

static void flush_tlb(cpu_vcpu *v)
{
	flush_tlb_as(v, false);
}

/* A flush of the VM's translations: the TLB and page-walk cache, and
 * the nested TLB, which a guest's own address-space switch keeps. */
static void flush_vm(cpu_vcpu *v)
{
	flush_tlb(v);
	if (v->core->m.ntlb_entries)
		mem_tlb_flush(&v->core->ntlb);
}

/* A world switch: to another VM's world, or a hosted VMM's visit to the
 * host world and back ([Sugerman01]); another address space in between
 * (the TLB flushed without VPIDs). */
static void switch_world(cpu_vcpu *v)
{
	v->r.events[CPU_EV_WORLD_SWITCH]++;
	vmm(v, CPU_VMM_TRAP, v->core->m.world_switch);
	if (!v->core->m.tlb_vpid)
		flush_vm(v);
}

/* A VM exit and entry with `handler` cycles of VMM work between; without
 * VPIDs the transitions flush the TLB. */
static void hw_exit(cpu_vcpu *v, uint64_t handler)
{
	const cpu_machine *m = &v->core->m;
	v->r.events[CPU_EV_EXIT]++;
	vmm(v, CPU_VMM_EXIT, m->hw.exit);
	vmm(v, CPU_VMM_EMULATION, handler);
	if (!m->tlb_vpid)
		flush_vm(v);
}

static void trap(cpu_vcpu *v, uint64_t c)
{
	v->r.events[CPU_EV_TRAP]++;
	vmm(v, CPU_VMM_TRAP, c);
}

static void hypercall(cpu_vcpu *v, uint64_t extra)
{
	v->r.events[CPU_EV_HYPERCALL]++;
	vmm(v, CPU_VMM_HYPERCALL, v->core->m.pv.hypercall);
	vmm(v, CPU_VMM_EMULATION, extra);
}

/* PV: one MMU hypercall carries the queued updates, each validated. */
static void pv_flush(cpu_vcpu *v)
{
	if (!v->pv_queue)
		return;
	hypercall(v, v->pv_queue * v->core->m.pv.validate);
	v->pv_queue = 0;
}

/* x86-64 PV: the guest kernel is a separate address space the hypervisor
 * switches to and from; untagged, each crossing flushes. */
static void pv_crossing(cpu_vcpu *v)
{
	if (v->mode != CPU_MODE_PV || v->core->m.arch != CPU_ARCH_X86_64)
		return;
	trap(v, v->core->m.pv.crossing);
	if (!v->core->m.tlb_asid)
		flush_tlb(v);
}

/* ---- levels ----------------------------------------------------------- */

enum entry { ENTRY_SYSCALL, ENTRY_EXC, ENTRY_IRQ };

static void bt_frame_start(cpu_vcpu *v, unsigned cls)
{
	cpu_frame *f = &v->frame[v->depth];
	f->bt_class = cls;
	f->bt_block = 0;
	f->bt_left = 0;
}

/* Enters the guest kernel (the mode's delivery cost charged); false if
 * the stream nests deeper than allowed (counted as #GP, nothing done). */
static bool enter(cpu_vcpu *v, enum entry kind, unsigned arg, uint64_t va)
{
	const cpu_machine *m = &v->core->m;
	if (v->depth >= 2 || (kind == ENTRY_SYSCALL && v->depth != 0)) {
		v->r.events[CPU_EV_GP]++;
		return false;
	}
	pv_crossing(v);
	v->depth++;
	v->level = CPU_LEVEL_KERNEL;
	unsigned cls = kind == ENTRY_SYSCALL ? 0
		       : kind == ENTRY_EXC   ? 1 + arg % TRACE_EXC_COUNT
					     : 1 + TRACE_EXC_COUNT + arg % TRACE_IRQ_COUNT;
	bt_frame_start(v, cls);
	bool fault = kind == ENTRY_EXC && arg % TRACE_EXC_COUNT != TRACE_EXC_DIVIDE;
	/* Under shadow paging the VMM's path of a true fault (its cost is
	 * charged below) also fills the shadow entry of the access that
	 * faulted once the guest has mapped it: its retry takes no hidden
	 * fault of its own. */
	if (fault && v->shadow)
		v->fill_page = va >> v->core->base_shift;
	switch (kind) {
	case ENTRY_SYSCALL:
		v->r.events[CPU_EV_SYSCALL]++;
		guest(v, m->native.syscall);
		break;
	case ENTRY_EXC:
		v->r.events[CPU_EV_EXCEPTION]++;
		guest(v, m->native.exception);
		break;
	case ENTRY_IRQ:
		v->r.events[CPU_EV_INTERRUPT]++;
		guest(v, m->native.interrupt);
		break;
	}
	switch (v->mode) {
	case CPU_MODE_NATIVE:
	case CPU_MODE_HW_NESTED:
		if (kind == ENTRY_IRQ && v->mode == CPU_MODE_HW_NESTED)
			hw_exit(v, m->hw.emulate);
		break;
	case CPU_MODE_TE:
		trap(v, m->te.reflect);
		break;
	case CPU_MODE_BT:
		/* A hosted VMM yields a hardware interrupt to the host,
		 * which handles it, then raises the guest's. */
		if (kind == ENTRY_IRQ && m->bt.hosted)
			switch_world(v);
		trap(v, m->bt.reflect);
		if (fault)
			vmm(v, CPU_VMM_EMULATION, m->bt.fault);
		break;
	case CPU_MODE_PV:
		/* System calls enter the guest directly (the fast handler);
		 * faults and events bounce through the hypervisor. */
		if (kind != ENTRY_SYSCALL)
			trap(v, m->pv.bounce);
		break;
	case CPU_MODE_HW:
		if (fault)
			hw_exit(v, m->hw.fault);
		else if (kind == ENTRY_IRQ)
			hw_exit(v, m->hw.emulate);
		break;
	case CPU_MODE_UML:
		cpu_uml_enter(v);
		break;
	case CPU_MODE_COUNT:
		sim_panic("cpu: mode");
	}
	return true;
}

static void leave(cpu_vcpu *v)
{
	if (v->depth == 0) {
		v->r.events[CPU_EV_GP]++;
		return;
	}
	v->depth--;
	if (v->depth == 0) {
		/* Before the guest runs user code again its page-table
		 * updates must be in place. */
		if (v->mode == CPU_MODE_PV)
			pv_flush(v);
		v->level = CPU_LEVEL_USER;
		pv_crossing(v);
		if (v->mode == CPU_MODE_UML)
			cpu_uml_leave(v);
	}
}

/* ---- memory ----------------------------------------------------------- */

/* The key of a page in a direct-mapped cache: the page number in the low
 * bits (they index the slot), the page size in the top six. */
static uint64_t cache_key(uint64_t va, unsigned shift)
{
	return (va >> shift) | (uint64_t)shift << 58;
}

static void ensure_pt(cpu_vcpu *v, uint64_t va, unsigned shift, uint64_t *gfn,
		      unsigned *gshift, unsigned *levels);

/* A guest PTE store at the current level (a user-level one is a #GP). */
static void pte_write(cpu_vcpu *v, uint64_t va, unsigned shift, bool map)
{
	const cpu_machine *m = &v->core->m;
	v->r.events[CPU_EV_PTE_WRITE]++;
	guest(v, m->native.pte_write);
	mem_pt *gpt = mem_vm_gpt(v->vm, v->asid);
	/* A page larger than the VM's memory is mapped with base pages. */
	unsigned b = v->core->base_shift;
	if (shift - b >= 63 ||
	    (UINT64_C(1) << (shift - b)) > mem_vm_geometry(v->vm)->guest_pages)
		shift = b;
	mem_pt *traced = NULL;
	switch (v->mode) {
	case CPU_MODE_PV:
		v->r.events[CPU_EV_PTE_QUEUED]++;
		if (++v->pv_queue >= m->pv.batch)
			pv_flush(v);
		break;
	case CPU_MODE_UML:
		cpu_uml_pte(v);
		break;
	case CPU_MODE_BT:
	case CPU_MODE_HW:
	case CPU_MODE_TE: {
		if (!v->shadow)
			break;
		/* The VMM traces (write-protects) every guest page-table
		 * page a shadow is derived from: a store anywhere in such a
		 * page traps, whether the shadow holds that entry or not.
		 * A page is traced while the shadow has a node for it, held
		 * entries or not, until the VMM drops the shadow. A store
		 * into an untraced page runs at full speed, its entry
		 * filled on first use. */
		mem_pt *spt = mem_vm_spt_peek(v->vm, v->asid);
		if (!spt || !mem_pt_table_exists(spt, va, shift))
			break;
		bool held = mem_pt_lookup(spt, va, NULL, NULL, NULL);
		/* A true fault's handler mapping the page that faulted, an
		 * entry the shadow does not hold, is part of the fault path
		 * whose whole cost bt.fault and hw.fault were derived from
		 * ([AdamsAgesen06] pgfault, a store in the handler): it is
		 * not charged twice. */
		if (!held && map && va >> b == v->fill_page)
			break;
		v->r.events[CPU_EV_PTE_TRAP]++;
		if (v->mode == CPU_MODE_BT) {
			v->r.events[CPU_EV_CALLOUT]++;
			vmm(v, CPU_VMM_EMULATION, m->bt.pte);
		} else if (v->mode == CPU_MODE_HW) {
			hw_exit(v, m->hw.pte);
		} else {
			trap(v, m->te.trap);
		}
		/* The handler emulates the store and updates the shadow
		 * entry in place if the shadow holds one: an unmap removes
		 * it, a map points it at the new frame (below). An entry
		 * the shadow does not hold stays for a hidden fault. */
		if (!held)
			break;
		if (!map)
			mem_pt_unmap(spt, va);
		else
			traced = spt;
		break;
	}
	default:
		break;
	}
	/* mem_pt_lookup sets old_shift only when va is mapped; unmapped, the
	 * invalidation below is of the new size alone. */
	unsigned old_shift = shift;
	uint64_t old_gfn;
	if (map) {
		uint64_t gfn;
		if (!mem_pt_lookup(gpt, va, &gfn, &old_shift, NULL) ||
		    old_shift != shift) {
			gfn = mem_vm_gfn_alloc(v->vm, shift - v->core->base_shift);
			mem_pt_map(gpt, va, shift, gfn);
		}
		if (traced)
			mem_pt_map(traced, va, shift, mem_vm_pmap(v->vm, gfn, NULL));
	} else if (!mem_pt_lookup(gpt, va, &old_gfn, &old_shift, NULL)) {
		old_shift = shift;
	} else {
		/* The guest frees the frame; its next allocation reuses it. */
		mem_pt_unmap(gpt, va);
		if (old_shift == v->core->base_shift)
			mem_vm_gfn_free(v->vm, old_gfn);
		if (v->l2tlb.key)
			mem_kcache_put(&v->l2tlb, cache_key(va, old_shift),
				       UINT32_MAX, 0);
	}
	mem_tlb_invalidate(&v->core->tlb, va, old_shift, v->tag);
	if (old_shift != shift)
		mem_tlb_invalidate(&v->core->tlb, va, shift, v->tag);
}

/* The guest's page fault on va, raised by the machine: delivered like
 * EXCEPTION(PAGE_FAULT), the handler's instructions, the PTE write, the
 * return. */
static void true_fault(cpu_vcpu *v, uint64_t va, unsigned shift)
{
	const cpu_machine *m = &v->core->m;
	v->r.events[CPU_EV_TRUE_FAULT]++;
	cpu_level lv = v->level;
	unsigned depth = v->depth;
	cpu_frame saved = v->frame[depth < 2 ? depth + 1 : 2];
	if (depth >= 2) {
		/* No deeper entry is possible: the fault is charged as if
		 * taken at the inner level, and the level kept. */
		v->depth = 1;
	}
	enter(v, ENTRY_EXC, TRACE_EXC_PAGE_FAULT, va);
	guest(v, m->fault_insns * m->native.alu);
	pte_write(v, va, shift, true);
	leave(v);
	v->level = lv;
	v->depth = depth;
	v->frame[depth < 2 ? depth + 1 : 2] = saved;
}

/* The guest mapping of va (a true fault first if there is none). */
static void ensure_pt(cpu_vcpu *v, uint64_t va, unsigned shift, uint64_t *gfn,
		      unsigned *gshift, unsigned *levels)
{
	mem_pt *gpt = mem_vm_gpt(v->vm, v->asid);
	if (!mem_pt_lookup(gpt, va, gfn, gshift, levels)) {
		true_fault(v, va, shift);
		if (!mem_pt_lookup(gpt, va, gfn, gshift, levels))
			sim_panic("cpu: a fault left va unmapped");
	}
	/* The frame of this base page inside a large one. */
	unsigned b = v->core->base_shift;
	*gfn += (va >> b) & ((UINT64_C(1) << (*gshift - b)) - 1);
}

/* The host walk of one guest-physical address of a 2-D walk, key (below
 * 2^50) its host page's, in the host region `region` (what one host
 * leaf table maps): no reference when the nested TLB holds it; else the
 * host levels, or only the leaf's when the page-walk cache holds the
 * region's upper levels ([Bhargava08]'s page-walk cache extended to the
 * nested dimension); both then keep it. */
static unsigned host_walk(cpu_vcpu *v, uint64_t key, uint64_t region)
{
	cpu_core *c = v->core;
	uint32_t tag = c->m.tlb_vpid ? (uint32_t)v->vm_id : 0;
	if (mem_tlb_lookup(&c->ntlb, key << 12, 12, tag))
		return 0;
	mem_tlb_insert(&c->ntlb, key << 12, 12, tag, 0, 0);
	if (!c->m.pwc_entries || c->host_m < 2)
		return c->host_m;
	/* A host region's entry: bit 49 and the region, as a page of its
	 * own (a guest entry is keyed by its table's virtual range). */
	uint64_t rk = (UINT64_C(1) << 49 | region) << 12;
	if (mem_tlb_lookup(&c->pwc, rk, 12, tag))
		return 1;
	mem_tlb_insert(&c->pwc, rk, 12, tag, 0, 0);
	return c->host_m;
}

/* A page walk for va mapped by guest frame gfn through `levels` guest
 * levels; host_m > 0: a 2-D walk. With a nested TLB each guest-physical
 * address the walk translates (a guest page-table page it reads, then
 * gfn) is looked up there first ([Bhargava08]). The guest's table pages
 * have no frames in the model: each is keyed by its address space,
 * level and the virtual range it maps, as a frame of its own. */
static void walk(cpu_vcpu *v, uint64_t va, unsigned levels, unsigned host_m,
		 uint64_t gfn)
{
	cpu_core *c = v->core;
	const unsigned bits = (unsigned)c->m.pt_bits;
	bool hit = false;
	if (c->m.pwc_entries) {
		unsigned s = c->base_shift + bits;
		if (mem_tlb_lookup(&c->pwc, va, s, v->tag))
			hit = levels > 1;
		else
			mem_tlb_insert(&c->pwc, va, s, v->tag, 0, 0);
	}
	unsigned refs;
	if (host_m && c->m.ntlb_entries) {
		unsigned g = hit ? 1 : levels;
		/* The lowest table page the walk reads maps 2^lo bytes. */
		unsigned lo = c->base_shift +
			      bits * ((unsigned)c->m.pt_levels - levels + 1);
		uint64_t va48 = va & ((UINT64_C(1) << 48) - 1);
		/* The host region of gfn; the table pages, which have no
		 * frames, are taken to lie in the same one. */
		uint64_t region = gfn >> (c->host_k + bits);
		refs = g;
		for (unsigned j = 0; j < g; j++) {
			/* A table page: bit 49, its level, address space and
			 * range (30 bits of it; a data frame below 2^49). */
			unsigned s = lo + bits * j;
			uint64_t range = s < 48 ? va48 >> s : 0;
			refs += host_walk(v, UINT64_C(1) << 49 |
						     (uint64_t)(s & 7) << 46 |
						     (uint64_t)v->asid << 30 |
						     (range & 0x3fffffff),
					  region);
		}
		refs += host_walk(v, (gfn >> c->host_k) &
					     ((UINT64_C(1) << 49) - 1),
				  region);
	} else {
		refs = mem_walk_refs(levels, host_m, hit);
	}
	v->r.events[CPU_EV_WALK_REFS] += refs;
	v->r.cycles_tlb += refs * c->m.walk_ref;
}

/* A TLB miss on va: refill per the machine and mode; returns the entry. */
static mem_tlb_entry *tlb_miss(cpu_vcpu *v, uint64_t va, unsigned shift)
{
	cpu_core *c = v->core;
	const cpu_machine *m = &c->m;
	uint64_t gfn;
	unsigned gs, levels;
	ensure_pt(v, va, shift, &gfn, &gs, &levels);
	if (gs != shift) {
		/* The stream's size hint differs from the mapping's. */
		mem_tlb_entry *e = mem_tlb_lookup(&c->tlb, va, gs, v->tag);
		if (e)
			return e;
	}
	v->r.events[CPU_EV_TLB_MISS]++;
	if (m->refill == CPU_REFILL_SOFTWARE) {
		uint64_t key = cache_key(va, gs);
		if (v->mode == CPU_MODE_TE) {
			/* Disco: the miss traps to the monitor, which serves it
			 * from the L2TLB or reflects it to the guest's refill
			 * handler, whose TLB write traps in turn. */
			if (mem_kcache_get(&v->l2tlb, key, v->tag, NULL)) {
				v->r.events[CPU_EV_L2TLB_HIT]++;
				v->r.events[CPU_EV_TRAP]++;
				vmm(v, CPU_VMM_EMULATION, m->te.l2tlb_hit);
			} else {
				trap(v, m->te.reflect);
				v->r.cycles_tlb += m->refill_handler;
				trap(v, m->te.trap);
				mem_vm_pmap(v->vm, gfn, NULL);
				mem_kcache_put(&v->l2tlb, key, v->tag, gfn);
			}
		} else {
			v->r.cycles_tlb += m->refill_handler;
		}
	} else if (v->shadow) {
		mem_pt *spt = mem_vm_spt(v->vm, v->asid);
		if (!mem_pt_lookup(spt, va, NULL, NULL, NULL)) {
			if (va >> c->base_shift == v->fill_page) {
				/* Paid by the fault, but for bt.map where
				 * bt.fault leaves the mapping out (it is 0
				 * where bt.fault holds it). */
				v->fill_page = UINT64_MAX;
				if (v->mode == CPU_MODE_BT)
					vmm(v, CPU_VMM_EMULATION, m->bt.map);
			} else {
				v->r.events[CPU_EV_HIDDEN_FAULT]++;
				if (v->mode == CPU_MODE_HW)
					hw_exit(v, m->hw.fill);
				else if (v->mode == CPU_MODE_BT)
					trap(v, m->bt.fill);
				else
					trap(v, m->te.trap);
			}
			uint64_t base = gfn - ((va >> c->base_shift) &
					       ((UINT64_C(1) << (gs - c->base_shift)) - 1));
			mem_pt_map(spt, va, gs, mem_vm_pmap(v->vm, base, NULL));
		}
		walk(v, va, levels, 0, gfn);
	} else if (v->mode == CPU_MODE_HW_NESTED) {
		if (!mem_vm_pmap_has(v->vm, gfn)) {
			/* EPT violation: the host maps the host page that
			 * holds the frame, every frame of it. */
			v->r.events[CPU_EV_HIDDEN_FAULT]++;
			hw_exit(v, m->hw.fill);
			uint64_t n = UINT64_C(1) << c->host_k;
			uint64_t pages = mem_vm_geometry(v->vm)->guest_pages;
			for (uint64_t f = gfn & ~(n - 1); f < pages && n; f++, n--)
				mem_vm_pmap(v->vm, f, NULL);
		}
		walk(v, va, levels, c->host_m, gfn);
	} else {
		walk(v, va, levels, 0, gfn);
	}
	uint64_t gbase = gfn - ((va >> c->base_shift) &
				((UINT64_C(1) << (gs - c->base_shift)) - 1));
	/* The guest kernel maps its own memory global where it can. */
	uint32_t g = v->globals && v->level != CPU_LEVEL_USER ? MEM_TLB_G : 0;
	return mem_tlb_insert(&c->tlb, va, gs, v->tag, gbase,
			      (v->logging ? 0 : MEM_TLB_W) | g);
}

/* A store through an entry without W: dirty logging sees the first write
 * to each page. */
static void logged_store(cpu_vcpu *v, mem_tlb_entry *e, uint64_t va)
{
	const cpu_machine *m = &v->core->m;
	unsigned b = v->core->base_shift;
	unsigned s = (unsigned)(e->key & 63);
	uint64_t gfn = e->gfn + ((va >> b) & ((UINT64_C(1) << (s - b)) - 1));
	mem_dirtylog *log = mem_vm_dirtylog(v->vm);
	if (mem_dirtylog_mark(log, gfn)) {
		v->r.events[CPU_EV_DIRTY_FAULT]++;
		switch (v->mode) {
		case CPU_MODE_HW:
		case CPU_MODE_HW_NESTED:
			hw_exit(v, m->hw.fill);
			return;  /* the exit may have flushed e */
		case CPU_MODE_BT:
			trap(v, m->bt.fill);
			break;
		case CPU_MODE_PV:
			trap(v, m->pv.bounce);
			break;
		default:
			trap(v, m->te.trap);
			break;
		}
	}
	if (s == b)  /* large pages stay protected: one entry, many frames */
		e->flags |= MEM_TLB_W;
}

/* A LOAD or STORE the hints did not settle (its mem cost is charged by
 * the caller): the TLB's set search, a refill on a miss, dirty logging
 * on a protected store. Always inlined: with cpu_vcpu_touch as its
 * second caller GCC kept it out of line, and the detailed mode lost 8 %
 * of its instructions per second (bench/cpu, bt 1.87e8 against 2.06e8). */
__attribute__((always_inline)) static inline void
access(cpu_vcpu *v, const trace_insn *in, bool store)
{
	cpu_core *c = v->core;
	if (c->m.arch == CPU_ARCH_MIPS && v->mode == CPU_MODE_NATIVE &&
	    v->level == CPU_LEVEL_KERNEL)
		return;  /* IRIX's kernel runs unmapped (KSEG0) natively */
	unsigned shift = v->shift_of[in->size];
	mem_tlb_entry *e = mem_tlb_lookup(&c->tlb, in->va, shift, v->tag);
	if (!e)
		e = tlb_miss(v, in->va, shift);
	if (store && !(e->flags & MEM_TLB_W)) {
		logged_store(v, e, in->va);
		return;
	}
	unsigned s = (unsigned)(e->key & 63);
	v->utlb[(in->va >> s) & (CPU_UTLB - 1)] = e;
}

/* ---- privileged and sensitive ------------------------------------------ */

/* The flush of the guest's own page-table base write on an untagged
 * TLB: the guest kernel's entries stay where they are global. */
static void flush_space(cpu_vcpu *v)
{
	flush_tlb_as(v, v->globals);
}

static void switch_space(cpu_vcpu *v, uint16_t asid)
{
	if (!v->core->m.tlb_asid)
		flush_space(v);
	v->asid = asid;
	v->tag = cpu_tag_of(v, asid);
	v->always.tag = v->tag;
}

/* A page-table base write in the guest kernel under the vcpu's mode. */
static void pt_base(cpu_vcpu *v)
{
	const cpu_machine *m = &v->core->m;
	guest(v, m->native.priv[TRACE_PRIV_PT_BASE]);
	switch (v->mode) {
	case CPU_MODE_NATIVE:
	case CPU_MODE_HW_NESTED:
		break;
	case CPU_MODE_TE:
		trap(v, m->te.trap);
		break;
	case CPU_MODE_BT:
		v->r.events[CPU_EV_CALLOUT]++;
		vmm(v, CPU_VMM_EMULATION, m->bt.callout + m->bt.shadow_switch);
		break;
	case CPU_MODE_PV:
		pv_flush(v);
		hypercall(v, 0);
		break;
	case CPU_MODE_HW:
		hw_exit(v, m->hw.cr3);
		break;
	case CPU_MODE_UML:
		cpu_uml_pt_base(v);
		break;
	case CPU_MODE_COUNT:
		sim_panic("cpu: mode");
	}
}

static void priv(cpu_vcpu *v, unsigned kind)
{
	const cpu_machine *m = &v->core->m;
	if (v->level == CPU_LEVEL_USER) {
		/* A guest bug: #GP, delivered as an exception. */
		v->r.events[CPU_EV_GP]++;
		if (enter(v, ENTRY_EXC, TRACE_EXC_DIVIDE, 0))
			leave(v);
		return;
	}
	kind %= TRACE_PRIV_COUNT;
	v->r.events[CPU_EV_PRIV]++;
	if (kind == TRACE_PRIV_PT_BASE) {
		pt_base(v);
		if (!m->tlb_asid)
			flush_space(v);
		return;
	}
	bool cheap = kind == TRACE_PRIV_INTR_OFF || kind == TRACE_PRIV_INTR_ON ||
		     kind == TRACE_PRIV_TPR;
	switch (v->mode) {
	case CPU_MODE_NATIVE:
		guest(v, m->native.priv[kind]);
		break;
	case CPU_MODE_TE:
		if (cheap && m->te.patched_hal) {
			guest(v, m->native.mem);
		} else {
			trap(v, m->te.trap);
			if (kind == TRACE_PRIV_PORT_IO)
				vmm(v, CPU_VMM_EMULATION, m->te.io);
		}
		break;
	case CPU_MODE_BT:
		v->r.events[CPU_EV_CALLOUT]++;
		if (kind == TRACE_PRIV_PORT_IO && m->bt.hosted)
			switch_world(v);
		vmm(v, CPU_VMM_EMULATION,
		    kind == TRACE_PRIV_PORT_IO ? m->bt.io : m->bt.callout);
		break;
	case CPU_MODE_PV:
		if (cheap)
			guest(v, m->pv.flag);
		else
			hypercall(v, 0);
		break;
	case CPU_MODE_HW:
	case CPU_MODE_HW_NESTED:
		if (cheap)
			guest(v, m->native.priv[kind]);
		else if (kind == TRACE_PRIV_PORT_IO)
			hw_exit(v, m->hw.io);
		else
			hw_exit(v, m->hw.emulate);
		break;
	case CPU_MODE_UML:
		cpu_uml_priv(v, kind);
		break;
	case CPU_MODE_COUNT:
		sim_panic("cpu: mode");
	}
}

static void sensitive(cpu_vcpu *v)
{
	const cpu_machine *m = &v->core->m;
	if (v->level == CPU_LEVEL_USER || v->mode == CPU_MODE_NATIVE ||
	    v->mode == CPU_MODE_HW || v->mode == CPU_MODE_HW_NESTED ||
	    v->mode == CPU_MODE_UML) {
		guest(v, m->native.sensitive);
		return;
	}
	switch (v->mode) {
	case CPU_MODE_TE:
		if (m->arch == CPU_ARCH_MIPS) {
			trap(v, m->te.trap);  /* all sensitive ops trap on MIPS */
		} else {
			/* Deprivileged, it neither traps nor does what the
			 * guest kernel meant: the virtualization hole. */
			guest(v, m->native.sensitive);
			v->r.events[CPU_EV_VIOLATION]++;
			v->r.violations++;
		}
		break;
	case CPU_MODE_BT:
		v->r.events[CPU_EV_CALLOUT]++;
		vmm(v, CPU_VMM_EMULATION, m->bt.callout);
		break;
	case CPU_MODE_PV:
		guest(v, m->pv.flag);
		break;
	default:
		break;
	}
}

static void hcall(cpu_vcpu *v, unsigned kind)
{
	const cpu_machine *m = &v->core->m;
	if (v->level == CPU_LEVEL_USER ||
	    (v->mode != CPU_MODE_PV && v->mode != CPU_MODE_HW &&
	     v->mode != CPU_MODE_HW_NESTED)) {
		v->r.events[CPU_EV_GP]++;
		if (enter(v, ENTRY_EXC, TRACE_EXC_DIVIDE, 0))
			leave(v);
		return;
	}
	if (v->mode != CPU_MODE_PV) {
		v->r.events[CPU_EV_HYPERCALL]++;
		hw_exit(v, m->hw.emulate);
		return;
	}
	if (kind == TRACE_HCALL_MMU_BATCH && v->pv_queue) {
		pv_flush(v);
	} else if (kind == TRACE_HCALL_PT_BASE) {
		pt_base(v);
		if (!m->tlb_asid)
			flush_tlb(v);
	} else {
		hypercall(v, 0);
	}
}

/* ---- BT translation cache ---------------------------------------------- */

/* Called per guest kernel instruction under BT: the first execution of a
 * block (the entry that reached it and its position from the entry)
 * translates it; later ones run from the translation cache. */
static void bt_step(cpu_vcpu *v)
{
	cpu_frame *f = &v->frame[v->depth];
	if (f->bt_left) {
		f->bt_left--;
		return;
	}
	const cpu_machine *m = &v->core->m;
	f->bt_left = m->bt.block_insns - 1;
	uint64_t b = f->bt_block < CPU_BT_BLOCKS ? f->bt_block : CPU_BT_BLOCKS - 1;
	f->bt_block++;
	uint8_t *bit = &v->tc[f->bt_class * CPU_BT_BLOCKS + b];
	if (!*bit) {
		*bit = 1;
		v->r.events[CPU_EV_TRANSLATE]++;
		vmm(v, CPU_VMM_TRANSLATION, m->bt.translate);
	}
}

void cpu_vcpu_pass(cpu_vcpu *v, uint64_t k)
{
	if (v->mode != CPU_MODE_BT || v->level != CPU_LEVEL_KERNEL || !k)
		return;
	/* bt_step k times, a block at a time: the instructions left in the
	 * current block, then ceil(r / block) blocks begun, each translated
	 * on its first execution (positions past the cache's last share
	 * it, so at most CPU_BT_BLOCKS of them are looked up). */
	cpu_frame *f = &v->frame[v->depth];
	if (k <= f->bt_left) {
		f->bt_left -= k;
		return;
	}
	const cpu_machine *m = &v->core->m;
	uint64_t r = k - f->bt_left, bl = m->bt.block_insns;
	uint64_t nb = (r + bl - 1) / bl;
	for (uint64_t i = 0; i < nb; i++) {
		uint64_t b = f->bt_block + i;
		if (b >= CPU_BT_BLOCKS) {
			b = CPU_BT_BLOCKS - 1;
			i = nb - 1; /* the rest share this one */
		}
		uint8_t *bit = &v->tc[f->bt_class * CPU_BT_BLOCKS + b];
		if (!*bit) {
			*bit = 1;
			v->r.events[CPU_EV_TRANSLATE]++;
			vmm(v, CPU_VMM_TRANSLATION, m->bt.translate);
		}
	}
	f->bt_block += nb;
	f->bt_left = nb * bl - r;
}

/* ---- the loop ---------------------------------------------------------- */

static void world_switch(cpu_vcpu *v)
{
	cpu_core *c = v->core;
	cpu_vcpu *last = c->last;
	c->last = v;
	if (!last || last == v || last->vm == v->vm)
		return;
	switch_world(v);
}

/* Everything but the fast instructions: entries, returns, privileged and
 * sensitive ops, PTE writes, hypercalls, switches, bad ops. */
static void slow_insn(cpu_vcpu *v, const trace_insn *in)
{
	cpu_results *r = &v->r;
	switch (in->op) {
	case TRACE_OP_INDIRECT:  /* here only in BT's translated kernel */
		guest(v, v->core->m.native.indirect);
		vmm(v, CPU_VMM_TRANSLATION, v->core->m.bt.indirect);
		break;
	case TRACE_OP_SYSCALL:
		enter(v, ENTRY_SYSCALL, 0, 0);
		break;
	case TRACE_OP_RETURN:
		leave(v);
		break;
	case TRACE_OP_PRIV:
		priv(v, in->arg);
		break;
	case TRACE_OP_SENSITIVE:
		sensitive(v);
		break;
	case TRACE_OP_PTE_WRITE:
		if (v->level == CPU_LEVEL_USER) {
			r->events[CPU_EV_GP]++;
			break;
		}
		pte_write(v, in->va, v->shift_of[in->size], in->arg != 0);
		break;
	case TRACE_OP_HYPERCALL:
		hcall(v, in->arg);
		break;
	case TRACE_OP_CTX_SWITCH:
		if (v->level == CPU_LEVEL_USER) {
			r->events[CPU_EV_GP]++;
			break;
		}
		r->events[CPU_EV_CTX_SWITCH]++;
		pt_base(v);
		switch_space(v, in->asid);
		break;
	case TRACE_OP_INTERRUPT:
		enter(v, ENTRY_IRQ, in->arg, 0);
		break;
	case TRACE_OP_EXCEPTION:
		if (enter(v, ENTRY_EXC, in->arg, in->va) &&
		    in->arg % TRACE_EXC_COUNT != TRACE_EXC_DIVIDE)
			r->events[CPU_EV_TRUE_FAULT]++;
		break;
	default:
		r->events[CPU_EV_GP]++;
		break;
	}
}

/* Ops the loop runs itself: ALU, BRANCH, INDIRECT, LOAD, STORE. */
#define FAST_OPS                                                               \
	(1u << TRACE_OP_ALU | 1u << TRACE_OP_BRANCH | 1u << TRACE_OP_INDIRECT | \
	 1u << TRACE_OP_LOAD | 1u << TRACE_OP_STORE)
#define MEM_OPS (1u << TRACE_OP_LOAD | 1u << TRACE_OP_STORE)

void cpu_vcpu_run(cpu_vcpu *v, const trace_insn *insns, size_t n)
{
	world_switch(v);
	const cpu_machine *m = &v->core->m;
	cpu_results *r = &v->r;
	/* The fast instructions' own costs by op. Their cycles and counts
	 * are summed in one register per run of instructions at one level
	 * (the level changes only in slow_insn) and added to the level's
	 * results before each slow instruction and at the end. */
	uint64_t cost[32] = {0};
	cost[TRACE_OP_ALU] = m->native.alu;
	cost[TRACE_OP_BRANCH] = m->native.branch;
	cost[TRACE_OP_INDIRECT] = m->native.indirect;
	cost[TRACE_OP_LOAD] = cost[TRACE_OP_STORE] = m->native.mem;
	bool bt = v->mode == CPU_MODE_BT;
	bool bt_kernel = bt && v->level == CPU_LEVEL_KERNEL;
	uint64_t acc = 0;
	size_t seg = 0;
	for (size_t i = 0; i < n; i++) {
		const trace_insn *in = &insns[i];
		unsigned op = in->op;
		if (bt_kernel) {
			bt_step(v);
			if (op == TRACE_OP_INDIRECT)
				goto slow;
		}
		if (op < 32 && (FAST_OPS >> op & 1)) {
			acc += cost[op];
			/* A hint hit is a TLB hit of this tag. Other fast ops
			 * look up the entry that always matches, so that
			 * nothing here branches on the kind of op. */
			uint64_t mem = MEM_OPS >> op & 1;
			uint64_t store = op == TRACE_OP_STORE;
			unsigned s = v->shift_of[in->size];
			uint64_t vpn = in->va >> s;
			size_t slot = mem ? (size_t)(vpn & (CPU_UTLB - 1)) : CPU_UTLB;
			uint64_t key = mem ? (vpn << 6 | s) : 1;
			const mem_tlb_entry *e = v->utlb[slot];
			if (((e->key ^ key) | (e->tag ^ v->tag) |
			     (store & ~e->flags)) == 0)
				continue;
			access(v, in, store != 0);
			continue;
		}
	slow:
		/* The run so far, this instruction included, ran at the
		 * level before it. */
		if (v->level == CPU_LEVEL_USER) {
			r->insns_user += i + 1 - seg;
			r->cycles_user += acc;
		} else {
			r->insns_kernel += i + 1 - seg;
			r->cycles_kernel += acc;
		}
		acc = 0;
		seg = i + 1;
		slow_insn(v, in);
		bt_kernel = bt && v->level == CPU_LEVEL_KERNEL;
	}
	if (v->level == CPU_LEVEL_USER) {
		r->insns_user += n - seg;
		r->cycles_user += acc;
	} else {
		r->insns_kernel += n - seg;
		r->cycles_kernel += acc;
	}
	r->insns += n;
}

bool cpu_vcpu_dirtylog_start(cpu_vcpu *v)
{
	if (v->mode == CPU_MODE_NATIVE)
		return false;
	mem_dirtylog_start(mem_vm_dirtylog(v->vm));
	mem_tlb_clear_writable(&v->core->tlb);
	v->logging = true;
	return true;
}

uint64_t cpu_vcpu_dirtylog_clean(cpu_vcpu *v, mem_bitmap *dst)
{
	mem_dirtylog *log = mem_vm_dirtylog(v->vm);
	uint64_t n = dst ? mem_dirtylog_clean_into(log, dst)
			 : mem_dirtylog_clean(log, NULL, NULL);
	mem_tlb_clear_writable(&v->core->tlb);
	return n;
}

void cpu_vcpu_dirtylog_stop(cpu_vcpu *v)
{
	mem_dirtylog_stop(mem_vm_dirtylog(v->vm));
	v->logging = false;
}

void cpu_vcpu_touch(cpu_vcpu *v, const trace_insn *in, size_t n)
{
	world_switch(v);
	const cpu_results saved = v->r;
	for (size_t i = 0; i < n; i++) {
		/* A hint hit changes nothing (cpu_vcpu_run's fast path). */
		unsigned s = v->shift_of[in[i].size];
		uint64_t vpn = in[i].va >> s;
		const mem_tlb_entry *e = v->utlb[vpn & (CPU_UTLB - 1)];
		if (e->key == (vpn << 6 | s) && e->tag == v->tag)
			continue;
		access(v, &in[i], false);
	}
	v->r = saved;
}
