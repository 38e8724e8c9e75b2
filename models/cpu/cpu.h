/* SPDX-License-Identifier: MIT */
/*
 * models/cpu/: the machine model. A cycle-approximate CPU runs abstract
 * guest instruction streams (traces/trace.h) through privilege rings, a
 * TLB and page tables (models/memory/) under one of the virtualization
 * modes, charging every event from one cost set per machine file.
 * Detailed mode, and a sampled mode (cpu_sample_run) that runs detailed
 * windows of a generated stream and extrapolates per phase. VCPU scheduling across VMs is the caller's (a
 * datacenter runs vcpus on cores and the core charges world switches).
 */
#ifndef VDCSIM_CPU_H
#define VDCSIM_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "sim.h"
#include "trace.h"
#include "wl.h"

/* ------------------------------------------------------------------------
 * Architectures, modes, rings
 * ------------------------------------------------------------------------ */

typedef enum cpu_arch {
	CPU_ARCH_X86,     /* four rings: VMM 0, PV guest kernel 1, apps 3 */
	CPU_ARCH_X86_64,  /* two usable levels: a deprivileged guest kernel
			     shares the lower level with its applications */
	CPU_ARCH_MIPS,    /* kernel / supervisor / user (Disco) */
	CPU_ARCH_COUNT
} cpu_arch;

typedef enum cpu_mode {
	CPU_MODE_NATIVE,  /* the guest kernel owns the machine */
	CPU_MODE_TE,      /* trap-and-emulate (Disco; broken on x86) */
	CPU_MODE_BT,      /* binary translation, shadow tables (VMware) */
	CPU_MODE_PV,      /* paravirtualization (Xen) */
	CPU_MODE_HW,      /* VT-x/AMD-V with shadow page tables */
	CPU_MODE_HW_NESTED, /* VT-x/AMD-V with EPT/NPT (2-D walks) */
	CPU_MODE_UML,     /* User-Mode Linux: the guest kernel a host process */
	CPU_MODE_COUNT
} cpu_mode;

/* "native", "te", "bt", "pv", "hw", "hw-nested", "uml". */
const char *cpu_mode_name(cpu_mode m);
/* True if the architecture can run the mode: MIPS runs native and te;
 * x86 and x86-64 run every mode. (cpu_machine_runs adds what a given
 * machine's hardware has.) */
bool cpu_mode_is_supported(cpu_arch a, cpu_mode m);

/* Guest privilege levels the executor tracks (the stream's view). */
typedef enum cpu_level { CPU_LEVEL_USER, CPU_LEVEL_KERNEL } cpu_level;

/* The hardware ring (x86: 0..3; MIPS: 0 kernel, 1 supervisor, 2 user)
 * the guest's `level` runs in under mode m on arch a; the VMM is always
 * ring 0. Native and hardware-assisted guest kernels run in ring 0 (HW:
 * non-root ring 0); TE, BT and PV deprivilege the kernel to ring 1 (x86,
 * MIPS supervisor) or, on x86-64, to ring 3 beside its applications; a
 * UML kernel is a host process in ring 3. */
unsigned cpu_ring(cpu_arch a, cpu_mode m, cpu_level level);

/* ------------------------------------------------------------------------
 * Machine files: one cost set per machine, shared by every workload and
 * mode (the YAML files in configs/machines/, parameter tables in machine.c).
 * Every cost is in cycles of this machine's clock.
 * ------------------------------------------------------------------------ */

typedef enum cpu_refill { CPU_REFILL_HARDWARE, CPU_REFILL_SOFTWARE } cpu_refill;

typedef struct cpu_machine {
	const char *name;         /* borrowed from the document; "" if none */
	int arch;                 /* cpu_arch */
	uint64_t clock_mhz;
	bool hw_assist;           /* VT-x/AMD-V: the hw modes */
	bool nested_paging;       /* EPT/NPT: hw-nested */
	/* memory */
	uint64_t page_size;       /* bytes, a power of two */
	uint64_t pt_levels, pt_bits;
	uint64_t tlb_entries, tlb_ways;
	bool tlb_asid;            /* entries tagged by address space */
	bool tlb_vpid;            /* entries tagged by VM (VPID / ASID) */
	bool global_pages;        /* x86 PGE: the guest kernel's own
				     entries survive its CR3 writes where
				     the mode lets it mark them global */
	int refill;               /* cpu_refill */
	uint64_t walk_ref;        /* cycles per page-walk memory reference */
	uint64_t pwc_entries;     /* page-walk cache, fully associative
				     (0: none) */
	uint64_t host_levels;     /* nested walk: host page-table levels */
	uint64_t host_page_size;  /* nested walk: host page size */
	uint64_t ntlb_entries;    /* nested walk: nested TLB, guest-physical
				     to host translations; with it the
				     page-walk cache holds host levels
				     (0: neither) */
	uint64_t refill_handler;  /* software refill handler */
	uint64_t l2tlb_entries;   /* Disco's second-level software TLB */
	uint64_t world_switch;    /* VM-to-VM switch on a core */
	uint64_t fault_insns;     /* kernel instructions of a handled fault */
	struct {
		uint64_t alu, mem, branch, indirect, syscall, exception,
			interrupt, pte_write, sensitive;
		uint64_t priv[TRACE_PRIV_COUNT];
	} native;
	struct {
		uint64_t trap, reflect, io, l2tlb_hit;
		bool patched_hal;
	} te;
	struct {
		uint64_t reflect, fault, map, indirect, callout, io, pte,
			fill, shadow_switch, translate, block_insns;
		bool hosted; /* device accesses and hardware interrupts go
				through the host world (world_switch) */
	} bt;
	struct {
		uint64_t hypercall, bounce, validate, batch, flag, crossing;
	} pv;
	struct {
		uint64_t exit, io, pte, fault, fill, cr3, emulate;
	} hw;
	struct {
		uint64_t signal, pte, ctx, io, hostcall;
	} uml;
} cpu_machine;

/* The machine's parameter tables, NULL-terminated: "machine" and its
 * subsections machine.native, .te, .bt, .pv, .hw, .uml (for `vdcsim params`
 * and cfg_section_load; target struct cpu_machine). */
const cfg_section *const *cpu_sections(void);
/* Fills m with every default (a consistent machine: the 2006 P4 with
 * VT-x, [AdamsAgesen06]). */
void cpu_machine_defaults(cpu_machine *m);
/* Loads the `machine:` mapping of a parsed document into m: unknown keys,
 * bad values and ranges, TLB entries not divisible by the ways (or a set
 * count that is not a power of two), page sizes that are not powers of
 * two, page tables wider than 64 bits. Every problem is reported at its
 * node as FILE:LINE:COL. m->name borrows from doc. Returns 0 or
 * SIM_EINPUT. */
int cpu_machine_load(const cfg_doc *doc, cpu_machine *m, sim_diag *d);
/* True if machine m can run mode: its arch supports it
 * (cpu_mode_is_supported), and hw needs m->hw_assist, hw-nested
 * m->hw_assist and m->nested_paging. cpu_vcpu_create refuses the others,
 * so that no run charges a 2003 machine the costs of VT-x it did not
 * have; a what-if sets the flag. */
bool cpu_machine_runs(const cpu_machine *m, cpu_mode mode);
/* Reads and parses the file at path, then cpu_machine_load. The returned
 * document (*doc_out, to be destroyed by the caller) owns m->name. */
int cpu_machine_load_file(const char *path, cfg_doc **doc_out,
			  cpu_machine *m, sim_diag *d);

/* ------------------------------------------------------------------------
 * Results of running a vcpu
 * ------------------------------------------------------------------------ */

/* Events counted per run. */
typedef enum cpu_event {
	CPU_EV_SYSCALL,       /* guest system calls */
	CPU_EV_EXCEPTION,     /* guest exceptions (incl. machine-raised faults) */
	CPU_EV_INTERRUPT,
	CPU_EV_PRIV,          /* privileged instructions run in the kernel */
	CPU_EV_GP,            /* privileged op from user level: guest #GP */
	CPU_EV_TRAP,          /* traps into the VMM (TE, BT/PV reflections) */
	CPU_EV_EXIT,          /* VM exits (HW) */
	CPU_EV_HYPERCALL,     /* hypercalls (PV; vmcall under HW counts exit) */
	CPU_EV_CALLOUT,       /* BT callouts for sensitive instructions */
	CPU_EV_TRANSLATE,     /* BT blocks translated */
	CPU_EV_PTE_WRITE,     /* guest PTE writes */
	CPU_EV_PTE_TRAP,      /* PTE writes the VMM had to intercept */
	CPU_EV_PTE_QUEUED,    /* PV PTE updates queued for a batch */
	CPU_EV_TRUE_FAULT,    /* page faults of the guest's own tables */
	CPU_EV_HIDDEN_FAULT,  /* shadow / nested fills the guest never sees */
	CPU_EV_DIRTY_FAULT,   /* first writes caught by dirty logging */
	CPU_EV_TLB_MISS,
	CPU_EV_WALK_REFS,     /* page-walk memory references */
	CPU_EV_L2TLB_HIT,     /* Disco: misses served by the L2TLB */
	CPU_EV_TLB_FLUSH,
	CPU_EV_CTX_SWITCH,
	CPU_EV_WORLD_SWITCH,
	CPU_EV_VIOLATION,     /* sensitive instructions that misbehaved */
	CPU_EV_COUNT
} cpu_event;

/* A short name per event ("syscall", "tlb_miss", ...). */
const char *cpu_event_name(cpu_event e);

/* Where VMM cycles went. */
typedef enum cpu_vmm_kind {
	CPU_VMM_TRAP,        /* trap or reflection round trips */
	CPU_VMM_EXIT,        /* VM exit + entry round trips */
	CPU_VMM_HYPERCALL,
	CPU_VMM_EMULATION,   /* handler work: emulating, shadow upkeep */
	CPU_VMM_TRANSLATION, /* binary translation */
	CPU_VMM_COUNT
} cpu_vmm_kind;

typedef struct cpu_results {
	uint64_t insns, insns_user, insns_kernel;
	uint64_t cycles_user;    /* guest user level's own work */
	uint64_t cycles_kernel;  /* guest kernel's own work */
	uint64_t cycles_vmm;     /* sum of vmm[] */
	uint64_t cycles_tlb;     /* TLB refills: walks, refill handlers */
	uint64_t vmm[CPU_VMM_COUNT];
	uint64_t events[CPU_EV_COUNT];
	uint64_t violations;     /* = events[CPU_EV_VIOLATION] */
} cpu_results;

/* Total cycles: user + kernel + vmm + tlb. */
uint64_t cpu_results_cycles(const cpu_results *r);
/* Adds b into a. */
void cpu_results_add(cpu_results *a, const cpu_results *b);
/* Checks the books of a run under `mode` (on any machine): the
 * instructions by level add up to insns, cycles_vmm is the sum of vmm[],
 * violations is events[CPU_EV_VIOLATION]; a part never exceeds its whole
 * (PTE traps and queued updates of the PTE writes, L2TLB hits of the TLB
 * misses); and what only some modes do is zero in the others: exits and
 * their cycles (hw, hw-nested), hypercall cycles and queued PTE updates
 * (pv), hypercalls (pv, hw, hw-nested: vmcall), callouts, translations
 * and their cycles (bt), L2TLB hits and violations (te), hidden faults
 * (the shadow and nested modes: te, bt, hw, hw-nested), traced PTE writes
 * (te, bt, hw, uml), dirty faults (all but native), and under native any
 * VMM cycle but a world switch's (vmm[CPU_VMM_TRAP], no trap counted).
 * An identity may be off by `slack` (0 for a detailed run's counts; a
 * sampled estimate rounds each field apart). Returns 0, or -1 with what
 * is wrong in why (len bytes). O(1). */
int cpu_results_check(const cpu_results *r, cpu_mode mode, uint64_t slack,
		      char *why, size_t len);

/* ------------------------------------------------------------------------
 * Cores and vcpus. A core is a physical CPU: its TLB is shared by the
 * vcpus run on it, so switching vcpus of different VMs is a world switch
 * (charged to the incoming vcpu; the TLB is flushed unless tagged by VM).
 * A vcpu belongs to one VM (a mem_vm, shared by the VM's vcpus) and holds
 * its own privilege level, address space, queues and results.
 * ------------------------------------------------------------------------ */

typedef struct cpu_core cpu_core;
typedef struct cpu_vcpu cpu_vcpu;

/* Creates a core of machine m (copied; m->name stays borrowed). The
 * machine must have loaded or been filled by cpu_machine_defaults, else
 * the geometry panics. */
cpu_core *cpu_core_create(const cpu_machine *m);
void cpu_core_destroy(cpu_core *c);
/* The core's machine, TLB and machine-frame counter (for VMs' pmaps). */
const cpu_machine *cpu_core_machine(const cpu_core *c);
mem_tlb *cpu_core_tlb(cpu_core *c);
uint64_t *cpu_core_mfn_counter(cpu_core *c);
/* A mem_vm geometry for a VM of guest_pages on this core's machine. */
mem_vm_geom cpu_core_vm_geom(const cpu_core *c, uint64_t guest_pages);

/* Creates a vcpu of VM `vm` (borrowed; vm_id 1..65535 tags its TLB
 * entries when the machine has VPIDs) running under mode (one the
 * machine runs, cpu_machine_runs, else a panic). It starts at user level
 * in address space 0. */
cpu_vcpu *cpu_vcpu_create(cpu_core *c, mem_vm *vm, uint16_t vm_id,
			  cpu_mode mode);
void cpu_vcpu_destroy(cpu_vcpu *v);
/* Moves the vcpu to core c (a scheduler placing vcpus on the cores of a
 * host; from then on c's machine costs apply, so hosts give their cores
 * one machine). The vcpu keeps its state and results; its translations
 * stay in the old core's TLB, so its next accesses on c miss. c's
 * machine must run the vcpu's mode (else a panic). */
void cpu_vcpu_move(cpu_vcpu *v, cpu_core *c);
/* The core the vcpu runs on. */
cpu_core *cpu_vcpu_core(const cpu_vcpu *v);
/* Runs insns[0..n) on the vcpu's core, instruction by instruction, adding
 * to the vcpu's results. If another vcpu of another VM ran last on the
 * core, a world switch is charged first. Stream errors (a RETURN at user
 * level, nesting past one level) are counted as guest #GP and skipped;
 * nothing a stream holds can crash the model. O(n) plus TLB misses. */
void cpu_vcpu_run(cpu_vcpu *v, const trace_insn *insns, size_t n);
/* k instructions of the guest's at the vcpu's current level went by
 * without running (a sampled run's skip): what depends on their count
 * alone advances as running them would, i.e. under BT at kernel level
 * the position in the current entry's blocks, translating (and
 * charging) each block first reached. Nothing else changes. O(k / block
 * size), at most CPU_BT_BLOCKS. */
void cpu_vcpu_pass(cpu_vcpu *v, uint64_t k);
/* Functional warming (a sampled run's, before its warm-up): the n loads
 * at in (op ignored: each a load of in[i].va, size in[i].size) reach
 * the TLB at the vcpu's level and address space as running them would,
 * a miss refilling it (walks, shadow fills, faults, as a load's miss
 * does), but nothing is charged or counted: the results are as before,
 * and BT's position does not move. O(n). */
void cpu_vcpu_touch(cpu_vcpu *v, const trace_insn *in, size_t n);
/* Marks every block of BT's translation cache translated, charging and
 * counting nothing: the state of a VM that has run long enough for each
 * kernel path it runs to have been translated (a machine experiment's
 * prefault does it). No effect outside BT. */
void cpu_vcpu_warm_translations(cpu_vcpu *v);
/* The results so far (borrowed) and a reset to zero. */
const cpu_results *cpu_vcpu_results(const cpu_vcpu *v);
void cpu_vcpu_reset_results(cpu_vcpu *v);
/* Current level, depth of nested kernel entries (0 at user level) and
 * address space. */
cpu_level cpu_vcpu_level(const cpu_vcpu *v);
uint16_t cpu_vcpu_asid(const cpu_vcpu *v);
cpu_mode cpu_vcpu_mode(const cpu_vcpu *v);

/* Dirty logging of the vcpu's VM through the VMM's write faults (needs a
 * virtualized mode; under native it returns false and nothing happens):
 * start clears the log and write-protects every page; clean reads and
 * clears it (the next write to each page faults again) and returns the
 * dirty pages; stop ends logging. The write faults are counted in
 * events[CPU_EV_DIRTY_FAULT] and charged to the VMM. */
bool cpu_vcpu_dirtylog_start(cpu_vcpu *v);
uint64_t cpu_vcpu_dirtylog_clean(cpu_vcpu *v, mem_bitmap *dst);
void cpu_vcpu_dirtylog_stop(cpu_vcpu *v);


/* ------------------------------------------------------------------------
 * Sampled mode (sample.c): SMARTS-style systematic sampling [Wunderlich03]
 * of a generated stream. The run of n instructions is cut into periods
 * of `period` instructions; in each, the stream skips ahead (not
 * generating what it skips, wl_stream_skip) by an offset drawn per period
 * from `seed` (uniform in 0..K − U − W: a fixed offset would alias with
 * evenly spaced events), the vcpu is put in the stream's address space
 * and level, then `warmup` instructions run in detail unmeasured (TLB,
 * shadows and page tables warm up again), then `window` instructions run
 * in detail and are measured, split by the stream's phase (body, each
 * event kind); the rest of the period is skipped. The stream's own
 * instructions (its programs' entries, returns, switches and PTE writes,
 * and the mix's privileged, sensitive and PTE-write classes; wl.h), when
 * windows would see fewer than one each, run in detail wherever they
 * fall, skips included, and are counted, not extrapolated; but for a
 * regular stream of one program (a benchmark loop) whose mix has none,
 * a skip passes whole cycles without running their own instructions
 * (wl_stream_skip_cycles, wl_stream_skip_events; `pass_cycles`), keeping
 * in detail the last ones before the warming, as many as take the TLB
 * once round (or back to the last flush), and their costs are
 * extrapolated per own instruction from those run. Over the
 * skip's last `functional` instructions before a warm-up, the mix's data
 * accesses are drawn (not the mix) and warm the TLB untimed
 * (cpu_vcpu_touch), in order with the own instructions, so that a TLB
 * flushed in the skip is refilled as the skipped mix would have refilled
 * it; before that, where windows are far enough apart and the hot set
 * fits the TLB, a sparse warming over a longer span touches only what
 * changes a FIFO TLB (wl_stream_warm_sparse), so that it holds its steady
 * share of pages outside the hot set. The estimate
 * of the rest (the mix) is per phase: the phase's measured cycles per
 * instruction times the number of the run's mix instructions in that
 * phase, which the skip counts exactly. A remainder shorter than a
 * period is skipped and counted.
 * ------------------------------------------------------------------------ */

typedef struct cpu_sample_params {
	uint64_t window;  /* U, instructions measured per window (> 0) */
	uint64_t warmup;  /* W, detailed unmeasured instructions before each */
	uint64_t period;  /* K, one window every K instructions, >= U + W */
	uint64_t windows; /* at most this many windows (>= 2): a run longer
			     than windows x K spaces them n / windows
			     apart, as SMARTS sizes a sample by its windows
			     rather than by the run's length */
	double confidence; /* of the interval, in (0, 1) */
	uint64_t seed;    /* of the windows' offsets in their periods */
	uint64_t functional; /* F: over the last F instructions of the skip
				before each warm-up, the TLB follows the
				skipped mix's data accesses (functional
				warming, untimed; 0: none) */
	bool pass_cycles;    /* a skip of a regular stream of one program
				passes whole cycles without running their
				own instructions, whose costs are
				extrapolated (false: all run, counted) */
} cpu_sample_params;

/* Defaults: U = 1000, W = 2000 (SMARTS's choices), K = 400,000 (about
 * 130 times fewer detailed instructions than the run), 95 %, seed 1,
 * F = 8000, cycles passed (README, "Sampled mode"). */
void cpu_sample_defaults(cpu_sample_params *p);

typedef struct cpu_sample_result {
	cpu_results est;      /* every field extrapolated per phase */
	double cycles;        /* estimated cycles of the run */
	double cpi;           /* cycles / n */
	double cpi_half;      /* half-width of the interval of cpi: t · SE,
				 SE the jackknife (delete-one-window) standard
				 error of the per-phase estimator */
	double smarts_cpi;    /* plain SMARTS: mean of the windows' CPI */
	double smarts_half;   /* t · s / sqrt(windows) */
	uint64_t windows;     /* windows measured */
	uint64_t detailed;    /* instructions run in detail (W + U each) */
	uint64_t unmeasured;  /* instructions of event phases the
				 windows measured by fewer than `window`
				 instructions (or none), and of a body
				 they did not see, charged at their
				 kind's pooled ratio (README, "Sampled
				 mode") */
	uint64_t phase_insns[WL_STREAM_PHASES]; /* run's mix insns per phase
						   (extrapolated) */
	uint64_t own;         /* the stream's own instructions (entries,
				 returns, switches, programs' PTE writes)
				 run in detail, their costs counted */
	uint64_t own_jumped;  /* own instructions of whole cycles a skip
				 passed (a regular stream of one program),
				 their costs extrapolated from those run */
} cpu_sample_result;

/* The windows a sampled run of n instructions with parameters p measures,
 * with *period their spacing: p->period, or n / p->windows where that is
 * longer (at most p->windows windows). O(1). */
uint64_t cpu_sample_windows(uint64_t n, const cpu_sample_params *p,
			    uint64_t *period);

/* Runs n instructions of stream g on vcpu v in sampled mode with
 * parameters p (NULL: the defaults; invalid ones panic) and fills out.
 * g advances by n instructions (wl_stream_skip's realization); v's own
 * results grow by what ran in detail only. With fewer than two windows
 * the halves are INFINITY. Deterministic: same vcpu and stream state,
 * same n and p, same result. O(n / K · (U + W) + events and own
 * instructions skipped). */
void cpu_sample_run(cpu_vcpu *v, wl_stream *g, uint64_t n,
		    const cpu_sample_params *p, cpu_sample_result *out);

#endif /* VDCSIM_CPU_H */
