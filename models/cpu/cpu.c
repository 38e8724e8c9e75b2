/* SPDX-License-Identifier: MIT */
/*
 * Cores and vcpus of the machine model: creation with the machine's TLB
 * geometry and tags, the ring each level runs in per mode, names, and the
 * results. The executor is exec.c, the machine files machine.c.
 */
#include "cpu_internal.h"

#include <stdlib.h>
#include <string.h>

const mem_tlb_entry cpu_null_entry;

static const char *const mode_names[] = {"native", "te", "bt", "pv", "hw",
					 "hw-nested", "uml"};
_Static_assert(sizeof mode_names / sizeof mode_names[0] == CPU_MODE_COUNT,
	       "one name per mode");

const char *cpu_mode_name(cpu_mode m)
{
	return m < CPU_MODE_COUNT ? mode_names[m] : "?";
}

bool cpu_mode_is_supported(cpu_arch a, cpu_mode m)
{
	if (m >= CPU_MODE_COUNT || a >= CPU_ARCH_COUNT)
		return false;
	if (a == CPU_ARCH_MIPS)
		return m == CPU_MODE_NATIVE || m == CPU_MODE_TE;
	return true;
}

bool cpu_machine_runs(const cpu_machine *m, cpu_mode mode)
{
	if (!cpu_mode_is_supported((cpu_arch)m->arch, mode))
		return false;
	if (mode == CPU_MODE_HW)
		return m->hw_assist;
	if (mode == CPU_MODE_HW_NESTED)
		return m->hw_assist && m->nested_paging;
	return true;
}

unsigned cpu_ring(cpu_arch a, cpu_mode m, cpu_level level)
{
	bool mips = a == CPU_ARCH_MIPS;
	unsigned user = mips ? 2 : 3;
	if (level == CPU_LEVEL_USER)
		return user;
	if (m == CPU_MODE_NATIVE || m == CPU_MODE_HW || m == CPU_MODE_HW_NESTED)
		return 0;
	if (m == CPU_MODE_UML)
		return user;
	return a == CPU_ARCH_X86_64 ? user : 1;
}

static const char *const event_names[] = {
	"syscall", "exception", "interrupt", "priv", "gp", "trap", "exit",
	"hypercall", "callout", "translate", "pte_write", "pte_trap",
	"pte_queued", "true_fault", "hidden_fault", "dirty_fault", "tlb_miss",
	"walk_refs", "l2tlb_hit", "tlb_flush", "ctx_switch", "world_switch",
	"violation"};
_Static_assert(sizeof event_names / sizeof event_names[0] == CPU_EV_COUNT,
	       "one name per event");

const char *cpu_event_name(cpu_event e)
{
	return e < CPU_EV_COUNT ? event_names[e] : "?";
}

uint64_t cpu_results_cycles(const cpu_results *r)
{
	return r->cycles_user + r->cycles_kernel + r->cycles_vmm + r->cycles_tlb;
}

void cpu_results_add(cpu_results *a, const cpu_results *b)
{
	a->insns += b->insns;
	a->insns_user += b->insns_user;
	a->insns_kernel += b->insns_kernel;
	a->cycles_user += b->cycles_user;
	a->cycles_kernel += b->cycles_kernel;
	a->cycles_vmm += b->cycles_vmm;
	a->cycles_tlb += b->cycles_tlb;
	for (size_t i = 0; i < CPU_VMM_COUNT; i++)
		a->vmm[i] += b->vmm[i];
	for (size_t i = 0; i < CPU_EV_COUNT; i++)
		a->events[i] += b->events[i];
	a->violations += b->violations;
}

/* The results columns' names of the VMM's cycles by kind. */
static const char *vmm_kind_name(unsigned k)
{
	static const char *const names[] = {
		"vmm_trap", "vmm_exit", "vmm_hypercall", "vmm_emulation",
		"vmm_translation"};
	_Static_assert(sizeof names / sizeof names[0] == CPU_VMM_COUNT,
		       "one name per kind");
	return k < CPU_VMM_COUNT ? names[k] : "?";
}

/* |a - b| > slack */
static bool differ(uint64_t a, uint64_t b, uint64_t slack)
{
	return (a > b ? a - b : b - a) > slack;
}

int cpu_results_check(const cpu_results *r, cpu_mode mode, uint64_t slack,
		      char *why, size_t len)
{
	const uint64_t *ev = r->events;
	const char *m = cpu_mode_name(mode);
	uint64_t vsum = 0;
	for (size_t k = 0; k < CPU_VMM_COUNT; k++)
		vsum += r->vmm[k];
	if (differ(r->insns_user + r->insns_kernel, r->insns, slack)) {
		snprintf(why, len, "%s: user + kernel instructions %llu + %llu "
			 "!= %llu", m, (unsigned long long)r->insns_user,
			 (unsigned long long)r->insns_kernel,
			 (unsigned long long)r->insns);
		return -1;
	}
	if (differ(vsum, r->cycles_vmm, slack)) {
		snprintf(why, len, "%s: VMM cycles by kind sum to %llu, not "
			 "cycles_vmm %llu", m, (unsigned long long)vsum,
			 (unsigned long long)r->cycles_vmm);
		return -1;
	}
	if (r->violations != ev[CPU_EV_VIOLATION]) {
		snprintf(why, len, "%s: violations %llu != their events %llu",
			 m, (unsigned long long)r->violations,
			 (unsigned long long)ev[CPU_EV_VIOLATION]);
		return -1;
	}
	/* Parts and their wholes. */
	static const struct {
		cpu_event part, whole;
	} parts[] = {
		{CPU_EV_PTE_TRAP, CPU_EV_PTE_WRITE},
		{CPU_EV_PTE_QUEUED, CPU_EV_PTE_WRITE},
		{CPU_EV_L2TLB_HIT, CPU_EV_TLB_MISS},
	};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (ev[parts[i].part] > ev[parts[i].whole] + slack) {
			snprintf(why, len, "%s: %s %llu > %s %llu", m,
				 cpu_event_name(parts[i].part),
				 (unsigned long long)ev[parts[i].part],
				 cpu_event_name(parts[i].whole),
				 (unsigned long long)ev[parts[i].whole]);
			return -1;
		}
	/* What only some modes do: the modes (bit i: mode i) that may. */
#define M(x) (1u << CPU_MODE_##x)
	static const struct {
		bool vmm;      /* a vmm[] kind, else an event */
		unsigned which;
		unsigned modes;
	} only[] = {
		{true, CPU_VMM_EXIT, M(HW) | M(HW_NESTED)},
		{false, CPU_EV_EXIT, M(HW) | M(HW_NESTED)},
		{true, CPU_VMM_HYPERCALL, M(PV)},
		{false, CPU_EV_HYPERCALL, M(PV) | M(HW) | M(HW_NESTED)},
		{false, CPU_EV_PTE_QUEUED, M(PV)},
		{true, CPU_VMM_TRANSLATION, M(BT)},
		{false, CPU_EV_CALLOUT, M(BT)},
		{false, CPU_EV_TRANSLATE, M(BT)},
		{false, CPU_EV_L2TLB_HIT, M(TE)},
		{false, CPU_EV_VIOLATION, M(TE)},
		{false, CPU_EV_HIDDEN_FAULT,
		 M(TE) | M(BT) | M(HW) | M(HW_NESTED)},
		{false, CPU_EV_PTE_TRAP, M(TE) | M(BT) | M(HW) | M(UML)},
		{false, CPU_EV_DIRTY_FAULT, ~M(NATIVE)},
		{false, CPU_EV_TRAP, ~M(NATIVE)},
		{true, CPU_VMM_EMULATION, ~M(NATIVE)},
	};
#undef M
	for (size_t i = 0; i < sizeof only / sizeof only[0]; i++) {
		uint64_t x = only[i].vmm ? r->vmm[only[i].which]
					 : ev[only[i].which];
		if (x && !(only[i].modes >> mode & 1)) {
			snprintf(why, len, "%s: %s %llu, which this mode "
				 "never counts", m,
				 only[i].vmm ? vmm_kind_name(only[i].which)
					     : cpu_event_name(only[i].which),
				 (unsigned long long)x);
			return -1;
		}
	}
	return 0;
}

static unsigned log2u(uint64_t x)
{
	unsigned s = 0;
	while (x >>= 1)
		s++;
	return s;
}

cpu_core *cpu_core_create(const cpu_machine *m)
{
	cpu_core *c = sim_xcalloc(1, sizeof *c);
	c->m = *m;
	mem_tlb_init(&c->tlb, (uint32_t)m->tlb_entries, (uint32_t)m->tlb_ways);
	if (m->pwc_entries)
		mem_tlb_init(&c->pwc, (uint32_t)m->pwc_entries,
			     (uint32_t)m->pwc_entries);
	if (m->ntlb_entries)
		mem_tlb_init(&c->ntlb, (uint32_t)m->ntlb_entries,
			     (uint32_t)m->ntlb_entries);
	c->base_shift = log2u(m->page_size);
	unsigned hs = log2u(m->host_page_size);
	unsigned k = hs > c->base_shift ? (hs - c->base_shift) / (unsigned)m->pt_bits
					: 0;
	c->host_m = (unsigned)m->host_levels > k ? (unsigned)m->host_levels - k
						 : 1;
	c->host_k = hs > c->base_shift ? hs - c->base_shift : 0;
	for (unsigned l = 0; l < m->pt_levels; l++) {
		unsigned s = c->base_shift + l * (unsigned)m->pt_bits;
		if (s < 64 && s <= MEM_PAGE_SHIFT_MAX)
			c->shift_ok[s] = true;
	}
	return c;
}

void cpu_core_destroy(cpu_core *c)
{
	if (!c)
		return;
	mem_tlb_fini(&c->tlb);
	if (c->m.pwc_entries)
		mem_tlb_fini(&c->pwc);
	if (c->m.ntlb_entries)
		mem_tlb_fini(&c->ntlb);
	free(c);
}

const cpu_machine *cpu_core_machine(const cpu_core *c)
{
	return &c->m;
}

mem_tlb *cpu_core_tlb(cpu_core *c)
{
	return &c->tlb;
}

uint64_t *cpu_core_mfn_counter(cpu_core *c)
{
	return &c->next_mfn;
}

mem_vm_geom cpu_core_vm_geom(const cpu_core *c, uint64_t guest_pages)
{
	mem_vm_geom g = {(unsigned)c->m.pt_levels, (unsigned)c->m.pt_bits,
			 c->base_shift, guest_pages};
	return g;
}

uint32_t cpu_tag_of(const cpu_vcpu *v, uint16_t asid)
{
	const cpu_machine *m = &v->core->m;
	uint32_t t = m->tlb_asid ? asid : 0;
	if (m->tlb_vpid)
		t |= (uint32_t)v->vm_id << 16;
	return t;
}

cpu_vcpu *cpu_vcpu_create(cpu_core *c, mem_vm *vm, uint16_t vm_id,
			  cpu_mode mode)
{
	if (!cpu_machine_runs(&c->m, mode))
		sim_panic("cpu_vcpu_create: mode %s on machine '%s', which "
			  "cannot run it", cpu_mode_name(mode), c->m.name);
	cpu_vcpu *v = sim_xcalloc(1, sizeof *v);
	v->core = c;
	v->vm = vm;
	v->vm_id = vm_id;
	v->mode = mode;
	bool x86 = c->m.arch != CPU_ARCH_MIPS;
	v->shadow = mode == CPU_MODE_BT || mode == CPU_MODE_HW ||
		    (mode == CPU_MODE_TE && x86);
	v->x86_te = mode == CPU_MODE_TE && x86;
	v->globals = c->m.global_pages && x86 &&
		     (mode == CPU_MODE_NATIVE || mode == CPU_MODE_HW_NESTED);
	v->level = CPU_LEVEL_USER;
	v->fill_page = UINT64_MAX;
	v->tag = cpu_tag_of(v, 0);
	for (size_t i = 0; i < CPU_UTLB; i++)
		v->utlb[i] = &cpu_null_entry;
	v->always.key = 1;
	v->always.tag = v->tag;
	v->always.flags = MEM_TLB_W;
	v->utlb[CPU_UTLB] = &v->always;
	for (size_t i = 0; i < 256; i++)
		v->shift_of[i] = (uint16_t)(i < 64 && c->shift_ok[i] ? i
							       : c->base_shift);
	if (mode == CPU_MODE_BT)
		v->tc = sim_xcalloc(CPU_BT_CLASSES * CPU_BT_BLOCKS, 1);
	mem_kcache_init(&v->l2tlb, mode == CPU_MODE_TE &&
					   c->m.refill == CPU_REFILL_SOFTWARE
				   ? c->m.l2tlb_entries
				   : 0);
	return v;
}

void cpu_vcpu_warm_translations(cpu_vcpu *v)
{
	if (v->tc)
		memset(v->tc, 1, CPU_BT_CLASSES * CPU_BT_BLOCKS);
}

void cpu_vcpu_destroy(cpu_vcpu *v)
{
	if (!v)
		return;
	if (v->core->last == v)
		v->core->last = NULL;
	free(v->tc);
	mem_kcache_fini(&v->l2tlb);
	free(v);
}

void cpu_vcpu_move(cpu_vcpu *v, cpu_core *c)
{
	if (c == v->core)
		return;
	if (!cpu_machine_runs(&c->m, v->mode))
		sim_panic("cpu_vcpu_move: mode %s on machine '%s', which "
			  "cannot run it", cpu_mode_name(v->mode), c->m.name);
	if (v->core->last == v)
		v->core->last = NULL;
	v->core = c;
	for (size_t i = 0; i < CPU_UTLB; i++)
		v->utlb[i] = &cpu_null_entry;
}

cpu_core *cpu_vcpu_core(const cpu_vcpu *v)
{
	return v->core;
}

const cpu_results *cpu_vcpu_results(const cpu_vcpu *v)
{
	return &v->r;
}

void cpu_vcpu_reset_results(cpu_vcpu *v)
{
	memset(&v->r, 0, sizeof v->r);
}

cpu_level cpu_vcpu_level(const cpu_vcpu *v)
{
	return v->level;
}

uint16_t cpu_vcpu_asid(const cpu_vcpu *v)
{
	return v->asid;
}

cpu_mode cpu_vcpu_mode(const cpu_vcpu *v)
{
	return v->mode;
}
