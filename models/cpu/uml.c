/* SPDX-License-Identifier: MIT */
/*
 * The UML-like mode (User-Mode Linux, skas3, as [Barham03] measured it):
 * the guest kernel is a host process and each guest process another one.
 * Every guest kernel entry (system call, fault, interrupt as a host
 * signal) is intercepted by the host (ptrace) and handed to the kernel's
 * process, so it costs a host signal round trip and, on an untagged TLB,
 * the flushes of the two host process switches; PTE writes become host
 * mmap/munmap/mprotect calls on the guest process's host address space;
 * a guest context switch is a host process switch; privileged operations
 * are host system calls. Costs: `machine.uml` of the machine file.
 */
#include "cpu_internal.h"

static void charge(cpu_vcpu *v, cpu_vmm_kind k, uint64_t c)
{
	v->r.vmm[k] += c;
	v->r.cycles_vmm += c;
}

/* A host process switch: without address-space tags the TLB goes. */
static void host_switch(cpu_vcpu *v)
{
	if (v->core->m.tlb_asid)
		return;
	mem_tlb_flush(&v->core->tlb);
	if (v->core->m.pwc_entries)
		mem_tlb_flush(&v->core->pwc);
	v->r.events[CPU_EV_TLB_FLUSH]++;
}

void cpu_uml_enter(cpu_vcpu *v)
{
	v->r.events[CPU_EV_TRAP]++;
	charge(v, CPU_VMM_TRAP, v->core->m.uml.signal);
	host_switch(v);  /* into the guest kernel's host process */
}

void cpu_uml_leave(cpu_vcpu *v)
{
	host_switch(v);  /* back to the guest process's */
}

void cpu_uml_pte(cpu_vcpu *v)
{
	v->r.events[CPU_EV_PTE_TRAP]++;
	charge(v, CPU_VMM_EMULATION, v->core->m.uml.pte);
}

void cpu_uml_pt_base(cpu_vcpu *v)
{
	charge(v, CPU_VMM_EMULATION, v->core->m.uml.ctx);
}

void cpu_uml_priv(cpu_vcpu *v, unsigned kind)
{
	const cpu_machine *m = &v->core->m;
	switch (kind) {
	case TRACE_PRIV_INTR_OFF:
	case TRACE_PRIV_INTR_ON:
	case TRACE_PRIV_TPR:
		/* A flag in the kernel process's memory. */
		v->r.cycles_kernel += m->native.mem;
		break;
	case TRACE_PRIV_PORT_IO:
		/* The device is a host file or socket: a host system call
		 * and the host's own device work. */
		charge(v, CPU_VMM_EMULATION, m->uml.io);
		break;
	default:
		charge(v, CPU_VMM_EMULATION, m->uml.hostcall);
		break;
	}
}
