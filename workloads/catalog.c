/* SPDX-License-Identifier: MIT */
/*
 * The workload catalog: named instruction streams, each defined only by
 * its instruction mix, address pattern and event rates, every number
 * taken from a source in docs/references.md or an estimate whose
 * reasoning workloads/README.md gives (the "Workload catalog" table). No
 * preset carries a correction factor: what a stream costs under each
 * virtualization mode comes out of the machine model.
 */
#include "stream_internal.h"

#include <string.h>

/* Presets override the table's defaults field by field. */
#pragma GCC diagnostic ignored "-Woverride-init"

/* A benchmark loop: USER instructions of loop overhead per iteration
 * (an estimate), and the rate of an event that takes LEN instructions
 * once per iteration, in events per 1000 instructions. */
#define USER 20
#define PER_LOOP(len) (1000.0 / (USER + (double)(len)))

/* lmbench on the Xen paper's machine [Barham03] Table 3-5: kernel work
 * in instructions is the native (L-UP) latency at 2.4 GHz and an assumed
 * IPC of 1, rounded (an estimate, README), less the entry and exit the
 * machine charges itself: a system call's round trip is the null call
 * (0.45 us, Table 3, the machine's native.syscall), a fault's delivery
 * and return 0.37 us ([AdamsAgesen06] divzero, 889 cycles on the same P4
 * core, the machine's native.exception). Counting them in the handler
 * too made every native latency about twice the paper's. */
#define US(x) ((uint64_t)((x) * 2400 + 0.5))
#define LM_NULL 0.45
#define LM_FAULT 0.37
#define LM_SYS(t) US((t) - LM_NULL)
#define LM_FLT(t) US((t) - LM_FAULT)

/* Instruction lengths of events as the programs of stream_params.c lay
 * them out, for the loop rates above. */
#define SYSCALL_LEN(k) (2 + (double)(k))
#define FAULT_LEN(k) (4 + (double)(k))
#define FORK_LEN(f, fp, c, ck, e, ep)                                          \
	(3 + (double)(f) + (double)(fp) + (double)(c) * FAULT_LEN(ck) + 3 +    \
	 (double)(e) + (double)(ep))
#define EXEC_LEN(x, xp, xf, fk)                                                \
	(2 + (double)(x) + (double)(xp) + (double)(xf) * FAULT_LEN(fk))

/* A benchmark loop's locality: the loop's few variables (one page, read
 * in order) and 64 KiB of kernel data, as the applications' (below). The
 * lmbench and forkwait streams are defined as the native time at IPC 1
 * ([Barham03] Tables 3-5, [AdamsAgesen06] section 5); the table's default
 * of 1 MiB of kernel data read at random missed a 64-entry TLB on most
 * kernel accesses (about 19 cycles per instruction natively), which
 * contradicted that definition. */
#define LOOP_LOCALITY                                                          \
	.ws_bytes = 4096, .hot_bytes = 0, .seq_access = 1,                     \
	.kernel_ws_bytes = 64 << 10

/* lmbench's fork: a small process; PTE and fault counts are estimates
 * (README). Kernel work: the native 110 us less what the loop's other
 * parts take at IPC 1: two system calls' round trips (fork, exit), each
 * copy-on-write fault's delivery and handler, the PTE writes; split 2:1
 * between fork and exit. (Until 2026-12 150,000 and 80,000, with the
 * faults' handlers not taken off: the loop ran 200 us natively.) */
#define LM_FORK_PTES 200
#define LM_COW 60
#define LM_COW_INSNS 2500
#define LM_FORK_WORK                                                           \
	(US(110 - 2 * LM_NULL - LM_COW * LM_FAULT) -                           \
	 LM_COW * LM_COW_INSNS - 2 * LM_FORK_PTES)
#define LM_FORK_INSNS (LM_FORK_WORK * 2 / 3)
#define LM_EXIT_INSNS (LM_FORK_WORK - LM_FORK_INSNS)
#define LM_FORK_LEN                                                            \
	FORK_LEN(LM_FORK_INSNS, LM_FORK_PTES, LM_COW, LM_COW_INSNS,            \
		 LM_EXIT_INSNS, LM_FORK_PTES)
#define LM_FORK                                                                \
	.fork_insns = LM_FORK_INSNS, .fork_ptes = LM_FORK_PTES,                \
	.cow_faults = LM_COW, .prot_fault_insns = LM_COW_INSNS,                \
	.exit_insns = LM_EXIT_INSNS, .exit_ptes = LM_FORK_PTES
/* exec of a small program: 420 us more than fork [Barham03] Table 3, less
 * its system call's round trip, its faults (delivery and handler) and
 * its PTE writes, as fork's. (Until 2026-12 850,000: 730 us natively.) */
#define LM_EXEC_PTES 200
#define LM_EXEC_FAULTS 100
#define LM_EXEC_FAULT_INSNS 3400
#define LM_EXEC_INSNS                                                          \
	(US(530 - 110 - LM_NULL - LM_EXEC_FAULTS * LM_FAULT) -                 \
	 LM_EXEC_FAULTS * LM_EXEC_FAULT_INSNS - LM_EXEC_PTES)
#define LM_EXEC_LEN                                                            \
	EXEC_LEN(LM_EXEC_INSNS, LM_EXEC_PTES, LM_EXEC_FAULTS,                  \
		 LM_EXEC_FAULT_INSNS)
#define LM_EXEC                                                                \
	.exec_insns = LM_EXEC_INSNS, .exec_ptes = LM_EXEC_PTES,                \
	.exec_faults = LM_EXEC_FAULTS, .fault_insns = LM_EXEC_FAULT_INSNS

/* lat_mmap maps the file, stores one byte every 16 KiB over the first
 * tenth of the mapping, and unmaps it; lmbench's summary reports the
 * largest size it ran, and lmbench runs sizes up to its memory size, 8 MiB
 * at the least ([lmbench]): 52 stores, each a demand fault, per
 * iteration. (16 MiB would put 103 faults in the native 68 us, 0.66 us
 * each, under half of lat_pagefault's 1.42.) mmap and munmap each take
 * what a call of open/close does (0.96 us, Table 3; an estimate); the
 * faults take the rest of the native 68 us (Table 5): 1.27 us each, under
 * lat_pagefault's figure, which touches its pages in random order. (Until
 * 2026-12 16 faults, an estimate, and 22.5 us of kernel work in each
 * call.) */
#define LM_MMAP_TOUCH 52
#define LM_MMAP_US 68          /* Table 5, L-UP */
#define LM_MMAP_CALL_US 0.96   /* Table 3 open/close, per call */
#define LM_MMAP_CALL LM_SYS(LM_MMAP_CALL_US)
#define LM_MMAP_FLT                                                            \
	LM_FLT((LM_MMAP_US - 2 * LM_MMAP_CALL_US) / LM_MMAP_TOUCH)

/* lat_proc shell: fork, then the child execs /bin/sh -c /tmp/hello
 * ([lmbench]). The shell (bash, RedHat 7.2's /bin/sh) runs a lone simple
 * command by exec, without a fork of its own: so one fork and two execs
 * an iteration, and the shell's own work, 4000 us less a fork (110) and
 * two execs beyond it (420 each) = 3050 us ([Barham03] Table 3). Of
 * that, its start-up's page faults, the exec's kind (LM_EXEC_FAULT_INSNS
 * and a delivery each): 141, measured on a 2026 host (README); the rest
 * is user work. (Until 2026-12 two forks and two execs and 2940 us of
 * user work with no faults.) */
#define LM_SH_WORK_US (4000 - 110 - 2 * (530 - 110))
#define LM_SH_FAULTS 141
#define LM_SH_USER                                                             \
	(US(LM_SH_WORK_US - LM_SH_FAULTS * LM_FAULT) -                        \
	 LM_SH_FAULTS * LM_EXEC_FAULT_INSNS)
#define LM_SH_LEN                                                              \
	((double)LM_SH_USER + LM_SH_FAULTS * FAULT_LEN(LM_EXEC_FAULT_INSNS) + \
	 LM_FORK_LEN + 2 * LM_EXEC_LEN)

/* lat_ctx: each switch passes a token and sums the process's array of
 * `k` KiB (one load and one add per 4-byte word). lat_ctx subtracts what
 * one process pays for the token's pipe write and read and the summing,
 * so Table 4's time is the switch alone: the kernel work is 2p/0K's
 * 0.77 us, and a switch's time is the run's non-user cycles per switch
 * less the same mode's null call (configs/machine/xen-ctx.yaml). */
#define CTX_USER(k) ((k) ? (k) * 512 : USER)
#define LM_CTX(p, k)                                                           \
	.processes = p, .ws_bytes = (k) ? (k) << 10 : 4096, .hot_bytes = 0,    \
	.seq_access = 1, .stride_bytes = 4, .load = 0.5, .store = 0,           \
	.branch = 0.1, .indirect = 0, .regular = true,                         \
	.ctx_insns = US(0.77),                                                 \
	.kernel_ws_bytes = 64 << 10,                                           \
	.ctx_switches = 1000.0 / (CTX_USER(k) + 3 + (double)US(0.77))

/* forkwait [AdamsAgesen06] §5: 750 shadow-MMU events per fork+wait pair
 * (the sanity arithmetic, README): 275 PTE writes at fork, 275 at exit,
 * 100 copy-on-write faults each with its PTE write. Kernel work fills the
 * native 150 us pair at 3.8 GHz, IPC 1, less the faults. */
#define FW_LEN FORK_LEN(260000, 275, 100, 500, 160000, 275)

/* Disco's pmake [Bugnion97] Table 2 at 200 MHz, IPC 1, 40 % kernel time
 * (an estimate): per 1000 instructions, demand-zero faults of 21 us,
 * quick faults of 5 us, system calls of ~4300 instructions. */

/* The applications' locality (an estimate, README "TLB locality"): a hot
 * set of 128 KiB and kernel data of 64 KiB (48 pages, inside a 64-entry
 * TLB's reach), sequential accesses word by word, and 0.2 % of random
 * accesses outside the hot set, so that spec-cint's TLB misses come to
 * about 1 per 1000 instructions on a 64-entry TLB, the top of the 0.1-1
 * of [Machine-A] for SPEC CINT (the others 0.9-1.6). */
#define APP_LOCALITY                                                           \
	.hot_bytes = 128 << 10, .hot_access = 0.998, .stride_bytes = 8,        \
	.kernel_ws_bytes = 64 << 10

static const wl_stream_preset presets[] = {
	/* Applications */
	{"spec-cint",
	 "SPEC CINT2000-like: user-bound, kernel well under 1 %",
	 {WL_STREAM_DEFAULTS, .load = 0.26, .store = 0.12, .branch = 0.18,
	  .ws_bytes = 32 << 20, APP_LOCALITY, .seq_access = 0.4, .processes = 2, .syscalls = 0.002,
	  .syscall_insns = 1000, .page_faults = 0.0005, .fault_insns = 1500,
	  .timer_irqs = 0.00004, .irq_insns = 2000, .ctx_switches = 0.00004,
	  .ctx_insns = 2000}},
	{"linux-build",
	 "Linux-build-like: about 7 % of instructions in the kernel, a fork "
	 "and exec per compilation unit",
	 {WL_STREAM_DEFAULTS, .load = 0.25, .store = 0.12, .branch = 0.18,
	  .ws_bytes = 16 << 20, APP_LOCALITY, .processes = 4,
	  .syscalls = 0.01, .syscall_insns = 4500, .page_faults = 0.01,
	  .fault_insns = 1500, .forks = 0.0000033, .execs = 0.0000033,
	  .ctx_switches = 0.002, .ctx_insns = 3000, .timer_irqs = 0.0001,
	  .irq_insns = 2000, .device_irqs = 0.001, .port_io = 0.004,
	  .intr_toggles = 0.05}},
	{"osdb-oltp",
	 "OSDB-OLTP-like: PostgreSQL, ~30 % kernel, many synchronous I/Os "
	 "and context switches",
	 {WL_STREAM_DEFAULTS, .load = 0.27, .store = 0.12, .branch = 0.18,
	  .ws_bytes = 256 << 20, APP_LOCALITY, .processes = 8, .syscalls = 0.0625, .syscall_insns = 4000,
	  .ctx_switches = 0.0125, .ctx_insns = 3000, .device_irqs = 0.0025,
	  .irq_insns = 3000, .port_io = 0.01, .page_faults = 0.002,
	  .fault_insns = 1500, .timer_irqs = 0.0001, .intr_toggles = 0.2}},
	{"osdb-ir",
	 "OSDB-IR-like: PostgreSQL information retrieval, read-mostly "
	 "queries over a cached database, ~15 % kernel",
	 {WL_STREAM_DEFAULTS, .load = 0.28, .store = 0.10, .branch = 0.18,
	  .ws_bytes = 256 << 20, APP_LOCALITY, .processes = 4,
	  .syscalls = 0.03, .syscall_insns = 4000, .ctx_switches = 0.004,
	  .ctx_insns = 3000, .device_irqs = 0.001, .irq_insns = 3000,
	  .port_io = 0.004, .page_faults = 0.002, .fault_insns = 1500,
	  .timer_irqs = 0.0001, .intr_toggles = 0.1}},
	{"specweb",
	 "SPECweb99-like: Apache 1.3, ~45 % kernel, 15 system calls and 10 "
	 "packets per request, 0.5 % CGI forks",
	 {WL_STREAM_DEFAULTS, .load = 0.25, .store = 0.12, .branch = 0.18,
	  .ws_bytes = 64 << 20, APP_LOCALITY, .processes = 16,
	  .syscalls = 0.019, .syscall_insns = 20000, .device_irqs = 0.0125,
	  .irq_insns = 5000, .port_io = 0.025, .ctx_switches = 0.0025,
	  .ctx_insns = 3000, .forks = 0.00000625, .execs = 0.00000625,
	  .timer_irqs = 0.0001, .intr_toggles = 0.2}},
	{"dbench",
	 "dbench-like: file-system operations, about half the instructions "
	 "in the kernel",
	 {WL_STREAM_DEFAULTS, APP_LOCALITY, .processes = 4, .syscalls = 0.1,
	  .syscall_insns = 5000, .device_irqs = 0.0005, .irq_insns = 3000,
	  .port_io = 0.002, .ctx_switches = 0.001, .ctx_insns = 3000,
	  .timer_irqs = 0.0001, .intr_toggles = 0.2}},

	/* lmbench, as in [Barham03] Tables 3-5 */
	{"lmbench-null-call", "lmbench null call: getppid in a loop",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .syscall_insns = LM_SYS(0.45),
	  .syscalls = PER_LOOP(SYSCALL_LEN(LM_SYS(0.45)))}},
	{"lmbench-null-io", "lmbench null I/O: a 1-byte read or write",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .syscall_insns = LM_SYS(0.50),
	  .syscalls = PER_LOOP(SYSCALL_LEN(LM_SYS(0.50)))}},
	{"lmbench-stat", "lmbench stat of a file",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .syscall_insns = LM_SYS(1.28),
	  .syscalls = PER_LOOP(SYSCALL_LEN(LM_SYS(1.28)))}},
	{"lmbench-open-close", "lmbench open + close: two system calls",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .syscall_insns = LM_SYS(0.96),
	  .syscalls = 2 * PER_LOOP(2 * SYSCALL_LEN(LM_SYS(0.96)))}},
	{"lmbench-sig-inst", "lmbench signal handler installation (sigaction)",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .syscall_insns = LM_SYS(0.68),
	  .syscalls = PER_LOOP(SYSCALL_LEN(LM_SYS(0.68)))}},
	{"lmbench-sig-hndl",
	 "lmbench signal delivery: kill and sigreturn, two system calls",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .syscall_insns = LM_SYS(1.245),
	  .syscalls = 2 * PER_LOOP(2 * SYSCALL_LEN(LM_SYS(1.245)))}},
	{"lmbench-fork", "lmbench fork + exit + wait of a small process",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true, LM_FORK,
	  .forks = PER_LOOP(LM_FORK_LEN)}},
	{"lmbench-exec", "lmbench fork + exec + exit + wait",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true, LM_FORK, LM_EXEC,
	  .forks = PER_LOOP(LM_FORK_LEN + LM_EXEC_LEN),
	  .execs = PER_LOOP(LM_FORK_LEN + LM_EXEC_LEN)}},
	{"lmbench-sh",
	 "lmbench sh: fork + exec of /bin/sh, which execs the program; "
	 "3 ms of shell start-up, 141 page faults of it",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true, LM_FORK, LM_EXEC,
	  .forks = 1000.0 / LM_SH_LEN, .execs = 2000.0 / LM_SH_LEN,
	  .page_faults = LM_SH_FAULTS * 1000.0 / LM_SH_LEN}},
	{"lmbench-ctx-2p-0k", "lmbench context switch, 2 processes, 0 KiB",
	 {WL_STREAM_DEFAULTS, LM_CTX(2, 0)}},
	{"lmbench-ctx-2p-16k", "lmbench context switch, 2 processes, 16 KiB",
	 {WL_STREAM_DEFAULTS, LM_CTX(2, 16)}},
	{"lmbench-ctx-2p-64k", "lmbench context switch, 2 processes, 64 KiB",
	 {WL_STREAM_DEFAULTS, LM_CTX(2, 64)}},
	{"lmbench-ctx-8p-16k", "lmbench context switch, 8 processes, 16 KiB",
	 {WL_STREAM_DEFAULTS, LM_CTX(8, 16)}},
	{"lmbench-ctx-8p-64k", "lmbench context switch, 8 processes, 64 KiB",
	 {WL_STREAM_DEFAULTS, LM_CTX(8, 64)}},
	{"lmbench-ctx-16p-16k",
	 "lmbench context switch, 16 processes, 16 KiB",
	 {WL_STREAM_DEFAULTS, LM_CTX(16, 16)}},
	{"lmbench-ctx-16p-64k",
	 "lmbench context switch, 16 processes, 64 KiB",
	 {WL_STREAM_DEFAULTS, LM_CTX(16, 64)}},
	{"lmbench-page-fault", "lmbench page fault on a mapped file",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .fault_insns = LM_FLT(1.42),
	  .page_faults = PER_LOOP(FAULT_LEN(LM_FLT(1.42)))}},
	{"lmbench-mmap",
	 "lmbench mmap latency: mmap 8 MiB, touch 52 pages, munmap",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .mmap_pages = LM_MMAP_TOUCH, .fault_insns = LM_MMAP_FLT,
	  .mmap_insns = LM_MMAP_CALL,
	  .mmaps = PER_LOOP(2 * SYSCALL_LEN(LM_MMAP_CALL) + LM_MMAP_TOUCH +
			    LM_MMAP_TOUCH * FAULT_LEN(LM_MMAP_FLT))}},
	/* lat_sig prot: a store to a read-only mapping faults, the SIGSEGV
	 * handler returns and the store faults again; the benchmark
	 * subtracts a caught signal's cost (lat_sig catch), so what it
	 * reports is the fault, which changes no PTE ([lmbench]). */
	{"lmbench-prot-fault",
	 "lmbench protection fault: a write to a read-only page, the "
	 "caught signal's cost subtracted",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .prot_fault_insns = LM_FLT(1.06),
	  .signal_faults = PER_LOOP(FAULT_LEN(LM_FLT(1.06)))}},

	/* Adams & Agesen's nanobenchmarks [AdamsAgesen06] Table 2 */
	{"aa-syscall", "nanobenchmark: system call round trip",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true, .syscall_insns = 10,
	  .syscalls = 1000.0 / (5 + SYSCALL_LEN(10))}},
	{"aa-in", "nanobenchmark: port I/O (in) inside the kernel",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .level = WL_LEVEL_KERNEL,
	  .port_io = 200}},
	{"aa-cr8wr", "nanobenchmark: task-priority (cr8) write in the kernel",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .level = WL_LEVEL_KERNEL,
	  .tpr_writes = 200}},
	{"aa-call-ret", "nanobenchmark: call and return pairs in the kernel",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .level = WL_LEVEL_KERNEL,
	  .load = 0, .store = 0, .branch = 0.2, .indirect = 0.5}},
	{"aa-pgfault", "nanobenchmark: true guest page fault",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .fault_insns = 100,
	  .page_faults = 1000.0 / (5 + FAULT_LEN(100))}},
	{"aa-divzero", "nanobenchmark: divide-by-zero fault, no MMU work",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .divide_insns = 50,
	  .divides = 1000.0 / (5 + 2 + 50)}},
	{"aa-ptemod", "nanobenchmark: PTE modification inside the kernel",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .level = WL_LEVEL_KERNEL,
	  .pte_writes = 200}},
	{"forkwait",
	 "fork + wait pairs: 750 shadow-MMU events (PTE writes and faults) "
	 "per pair",
	 {WL_STREAM_DEFAULTS, LOOP_LOCALITY, .regular = true,
	  .fork_insns = 260000,
	  .fork_ptes = 275, .cow_faults = 100, .prot_fault_insns = 500,
	  .exit_insns = 160000, .exit_ptes = 275,
	  .forks = PER_LOOP(FW_LEN)}},

	/* Disco [Bugnion97] */
	{"disco-raytrace",
	 "Disco raytrace-like: SPLASH-2 raytrace, compute-bound",
	 {WL_STREAM_DEFAULTS, .load = 0.28, .store = 0.08, .branch = 0.12,
	  .ws_bytes = 32 << 20, APP_LOCALITY,
	  .timer_irqs = 0.0005, .irq_insns = 2000, .syscalls = 0.0005,
	  .syscall_insns = 2000, .page_faults = 0.0002,
	  .fault_insns = 4200}},
	{"disco-pmake",
	 "Disco pmake-like: parallel compile, ~40 % kernel: demand-zero and "
	 "quick faults, system calls, exec",
	 {WL_STREAM_DEFAULTS, .ws_bytes = 8 << 20, APP_LOCALITY,
	  .processes = 4, .page_faults = 0.0286, .fault_insns = 4200,
	  .prot_faults = 0.04, .prot_fault_insns = 1000, .syscalls = 0.02,
	  .syscall_insns = 4300, .execs = 0.000275, .exec_insns = 87400,
	  .forks = 0.000275, .fork_insns = 30000, .exit_insns = 20000,
	  .ctx_switches = 0.005, .ctx_insns = 1500, .timer_irqs = 0.0005,
	  .irq_insns = 2000, .device_irqs = 0.002}},
	{"disco-database",
	 "Disco database-like: Sybase decision support, one memory-"
	 "intensive process, ~20 % kernel",
	 {WL_STREAM_DEFAULTS, .ws_bytes = 256 << 20, APP_LOCALITY,
	  .seq_access = 0.5, .syscalls = 0.015,
	  .syscall_insns = 10000, .device_irqs = 0.002, .irq_insns = 3000,
	  .port_io = 0.008, .page_faults = 0.005, .fault_insns = 4200,
	  .timer_irqs = 0.0005}},
};

#define NPRESETS (sizeof presets / sizeof presets[0])

const wl_stream_preset *wl_stream_preset_find(const char *name)
{
	for (size_t i = 0; name && i < NPRESETS; i++)
		if (!strcmp(presets[i].name, name))
			return &presets[i];
	return NULL;
}

const wl_stream_preset *wl_stream_preset_at(size_t i)
{
	return i < NPRESETS ? &presets[i] : NULL;
}
