/* SPDX-License-Identifier: MIT */
/*
 * traces/: trace formats of vdcsim: read (with FILE:LINE:COL errors),
 * validate and write. Today: page-dirty traces, the input of Clark et al.'s
 * writable-working-set analysis and of trace-driven memory dirtying; and
 * the abstract guest instructions the machine model executes; and
 * utilisation traces (CPU, memory, disk, network per VM: PlanetLab and
 * Bitbrains) that drive the Sandpiper policies.
 */
#ifndef VDCSIM_TRACE_H
#define VDCSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/*
 * Page-dirty trace, text format version 1 (documented in
 * traces/page-dirty-format.md):
 *
 *   # vdcsim page-dirty trace v1        <- first line, exactly
 *   pages 131072                        <- guest pages (1 .. 2^32)
 *   page_size 4096                      <- bytes per page (power of two)
 *   interval 50ms                       <- nominal sample period (a time)
 *   # comment lines and blank lines are allowed anywhere after line 1
 *   50000000 17 18 100-163 9000         <- a sample: time in ns, then pages
 *   100000000                           <- a sample with nothing dirtied
 *
 * A sample lists the pages written in (previous sample time, its time];
 * times strictly increase and start after 0; pages are decimal indices
 * < pages or inclusive ranges a-b (a <= b), in any order, duplicates
 * allowed (they are merged). The trace covers (0, last sample time].
 */
typedef struct trace_pages {
	uint64_t pages;        /* guest pages */
	uint64_t page_size;    /* bytes */
	uint64_t interval_ns;  /* nominal sample period */
	size_t nsamples;
	uint64_t *time_ns;     /* [nsamples], strictly increasing */
	size_t *first;         /* [nsamples + 1]: sample i's pages are
				  page[first[i] .. first[i+1]) */
	uint32_t *page;        /* sorted, distinct within a sample */
} trace_pages;

/* Reads a page-dirty trace from text (len bytes) named `file` in messages.
 * On error returns SIM_EINPUT with "file:line:col: what is wrong (expected
 * ...)" in d and *out NULL. Never crashes on any input. O(len + P log P)
 * for P listed pages. */
int trace_pages_parse(const char *file, const char *text, size_t len,
		      trace_pages **out, sim_diag *d);
/* Reads the file at path and parses it (I/O errors as "path: message"). */
int trace_pages_load(const char *path, trace_pages **out, sim_diag *d);
/* Writes t in format v1 (ranges for runs of 3 or more consecutive pages)
 * to path through sim_file with flags (SIM_FILE_REPLACE to replace an
 * existing regular file): a fresh temporary, synced, renamed; a link,
 * device or FIFO at path is refused (SIM_EINPUT) and left as it was.
 * Deterministic bytes. */
int trace_pages_save_as(const trace_pages *t, const char *path,
			unsigned flags, sim_diag *d);
/* trace_pages_save_as with SIM_FILE_REPLACE. */
int trace_pages_save(const trace_pages *t, const char *path, sim_diag *d);
/* Frees a trace; NULL is a no-op. */
void trace_pages_destroy(trace_pages *t);

/* Builds a trace sample by sample (for generators and tests). Creating one
 * panics on pages outside 1..2^32, a page_size that is not a power of two
 * from 512 to 2^30, or interval_ns outside 1..2^63-1 (the durations a
 * config or trace can state; callers validate user input first).
 * The parser also refuses files over 1 GiB and traces of more than 2^28
 * listed pages (see traces/page-dirty-format.md). */
typedef struct trace_pages_builder trace_pages_builder;
trace_pages_builder *trace_pages_builder_create(uint64_t pages,
						uint64_t page_size,
						uint64_t interval_ns);
/* Appends a sample at time_ns (> the previous sample's) with n pages (each
 * < pages, any order, duplicates allowed). Panics on a broken invariant. */
void trace_pages_builder_add(trace_pages_builder *b, uint64_t time_ns,
			     const uint32_t *pages, size_t n);
/* Returns the finished trace and frees the builder. */
trace_pages *trace_pages_builder_finish(trace_pages_builder *b);

/* ------------------------------------------------------------------------
 * Abstract guest instructions: the ISA of the machine model (models/cpu/).
 * A stream of these is what a guest runs; workloads/ generates streams,
 * the binary instruction-trace format stores them, models/cpu/ executes
 * them through rings, TLB and page tables under a virtualization mode.
 *
 * The privilege level an instruction runs at is not in the instruction:
 * the executor tracks it. A stream starts in user mode; TRACE_OP_SYSCALL,
 * TRACE_OP_INTERRUPT and TRACE_OP_EXCEPTION enter the guest kernel,
 * TRACE_OP_RETURN (sysret/iret/eret) goes back to user mode. Instructions
 * between an entry and its return are the guest kernel's.
 * ------------------------------------------------------------------------ */

typedef enum trace_op {
	TRACE_OP_ALU,        /* register-only work */
	TRACE_OP_LOAD,       /* read of the byte at va */
	TRACE_OP_STORE,      /* write of the byte at va */
	TRACE_OP_BRANCH,     /* direct branch (arg: 1 taken, 0 not) */
	TRACE_OP_INDIRECT,   /* indirect call, return or jump (call/ret) */
	TRACE_OP_SYSCALL,    /* user -> guest kernel system-call entry */
	TRACE_OP_RETURN,     /* guest kernel -> user (sysret, iret, eret) */
	TRACE_OP_PRIV,       /* privileged instruction, arg: trace_priv */
	TRACE_OP_SENSITIVE,  /* sensitive but unprivileged (x86 POPF-like):
				does not trap when run deprivileged */
	TRACE_OP_PTE_WRITE,  /* guest writes the page-table entry that maps
				va (arg: 1 map, 0 unmap / protect) */
	TRACE_OP_HYPERCALL,  /* explicit call into the VMM (paravirtual
				guests; arg: trace_hcall) */
	TRACE_OP_CTX_SWITCH, /* guest kernel switches to address space
				`asid` (implies a page-table base write) */
	TRACE_OP_INTERRUPT,  /* asynchronous interrupt delivered to the
				guest (arg: vector class, trace_irq) */
	TRACE_OP_EXCEPTION,  /* synchronous fault raised by the guest's own
				instruction (arg: trace_exc; va for faults) */
	TRACE_OP_COUNT
} trace_op;

/* Privileged instruction kinds (TRACE_OP_PRIV). */
typedef enum trace_priv {
	TRACE_PRIV_PT_BASE,   /* page-table base write (x86 CR3) */
	TRACE_PRIV_TLB_WRITE, /* TLB entry write (MIPS tlbwr/tlbwi) */
	TRACE_PRIV_INTR_OFF,  /* interrupts disabled (cli) */
	TRACE_PRIV_INTR_ON,   /* interrupts enabled (sti) */
	TRACE_PRIV_TPR,       /* task-priority write (x86 cr8) */
	TRACE_PRIV_TIMER,     /* timer programming */
	TRACE_PRIV_HALT,      /* idle until an interrupt (hlt, wait) */
	TRACE_PRIV_PORT_IO,   /* port I/O (in/out) to a device */
	TRACE_PRIV_CPUID,     /* processor identification (exits on VT-x) */
	TRACE_PRIV_COUNT
} trace_priv;

/* Hypercall kinds (TRACE_OP_HYPERCALL). */
typedef enum trace_hcall {
	TRACE_HCALL_MMU_BATCH, /* flush queued page-table updates */
	TRACE_HCALL_PT_BASE,   /* switch page-table base */
	TRACE_HCALL_EVENT,     /* event channel notify / I/O ring kick */
	TRACE_HCALL_YIELD,     /* block or yield the VCPU */
	TRACE_HCALL_COUNT
} trace_hcall;

/* Interrupt classes (TRACE_OP_INTERRUPT). */
typedef enum trace_irq {
	TRACE_IRQ_TIMER,
	TRACE_IRQ_DEVICE,
	TRACE_IRQ_IPI,
	TRACE_IRQ_COUNT
} trace_irq;

/* Exception kinds (TRACE_OP_EXCEPTION). */
typedef enum trace_exc {
	TRACE_EXC_PAGE_FAULT, /* not-present fault at va */
	TRACE_EXC_PROT_FAULT, /* protection fault at va (write to read-only) */
	TRACE_EXC_DIVIDE,     /* fault with no MMU work (divide by zero) */
	TRACE_EXC_COUNT
} trace_exc;

/* One abstract instruction, as held in memory (16 bytes; the binary trace
 * format stores it more compactly). Fields an op does not use are 0. */
typedef struct trace_insn {
	uint64_t va;    /* virtual address: LOAD, STORE, PTE_WRITE, faults */
	uint16_t asid;  /* CTX_SWITCH: address space switched to */
	uint8_t op;     /* a trace_op */
	uint8_t arg;    /* the op's argument (see trace_op) */
	uint8_t size;   /* LOAD/STORE/PTE_WRITE: log2 of the page size of
			   the mapping (12 = 4 KiB, 21 = 2 MiB, 30 = 1 GiB);
			   0 means the machine's base page */
	uint8_t pad[3];
} trace_insn;

_Static_assert(sizeof(trace_insn) == 16, "trace_insn is 16 bytes");

/* ------------------------------------------------------------------------
 * Utilisation traces: what a VM used, per resource, every few minutes
 * (traces/util-format.md). Two source formats: PlanetLab/CoMon (CPU only,
 * [BeloglazovBuyya12]) and Bitbrains GWA-T-12 (CPU, memory, disk, network,
 * [ShenBeekIosup15]). Whatever the source, a loaded trace is a series on a
 * fixed grid of TRACE_UTIL_STEP_S seconds starting at its sample 0, kept
 * compactly (CPU as 1/10000 of the VM's allocation in a uint16_t, the
 * others as float), and read at any time in O(1) by sample-and-hold or
 * linear interpolation, so that a monitoring interval of 10 s costs no
 * memory beyond the 300 s samples.
 * A loaded trace is immutable: any number of VMs may share it.
 * ------------------------------------------------------------------------ */

/* The source sampling step of both formats (and the grid step). */
#define TRACE_UTIL_STEP_S 300u
/* CPU samples are stored in units of 1/TRACE_UTIL_CPU_SCALE of the VM's
 * CPU allocation (0.01 %): PlanetLab's integer percentages are exact. */
#define TRACE_UTIL_CPU_SCALE 10000u

typedef enum trace_util_format {
	TRACE_UTIL_PLANETLAB, /* one integer CPU % (0..100) per line */
	TRACE_UTIL_BITBRAINS, /* GWA-T-12: header, 11 ';'+TAB fields a row */
} trace_util_format;

typedef enum trace_util_res {
	TRACE_UTIL_CPU,  /* fraction of the VM's CPU allocation, 0..1 */
	TRACE_UTIL_MEM,  /* memory in use, bytes */
	TRACE_UTIL_NET,  /* network received + transmitted, bytes/s */
	TRACE_UTIL_DISK, /* disk read + written, bytes/s */
	TRACE_UTIL_NRES
} trace_util_res;

/* How a value between two grid samples is read. */
typedef enum trace_util_interp {
	TRACE_UTIL_HOLD,   /* sample-and-hold: the sample at or before t */
	TRACE_UTIL_LINEAR, /* linear between the samples around t, as
			      CloudSim reads PlanetLab traces
			      [BeloglazovBuyya12] */
} trace_util_interp;

/* "hold", "linear", NULL, in trace_util_interp order (for config enums). */
extern const char *const trace_util_interp_names[];

typedef struct trace_util {
	char *name;         /* the file name (Bitbrains: without ".csv") */
	int64_t start_s;    /* Unix time of sample 0 (PlanetLab: 0) */
	uint32_t step_s;    /* TRACE_UTIL_STEP_S */
	uint32_t n;         /* grid samples, >= 1 */
	uint16_t *cpu;      /* [n] in 1/TRACE_UTIL_CPU_SCALE, <= SCALE */
	float *mem;         /* [n] bytes, or NULL (PlanetLab) */
	float *net;         /* [n] bytes/s, or NULL (PlanetLab) */
	float *disk;        /* [n] bytes/s, or NULL (PlanetLab) */
	/* Bitbrains: the largest provisioned values over the rows (they may
	 * change within a trace); 0 for PlanetLab. */
	uint32_t cores;
	double cpu_mhz;
	uint64_t mem_bytes;
	/* Repairs made while reading, for trace_util_warnings. */
	uint32_t rows;         /* source rows read */
	uint32_t gaps;         /* steps between rows longer than 1.5 steps */
	uint64_t gap_longest_s;/* the longest such step, seconds (0: none) */
	uint32_t clamped;      /* CPU samples above 100 % set to 100 % */
	double cpu_max_pct;    /* largest CPU % read, before clamping */
} trace_util;

/* Reads one utilisation trace of format fmt from text (len bytes) named
 * `file` in messages. Bitbrains rows are put on the grid start_s + k·300 s
 * (start_s = the first row's time): each row goes to the nearest grid
 * point (a tie to the earlier), the last row of a point wins, and a point
 * no row reaches holds the previous point's values; steps longer than
 * 450 s are counted as gaps, and CPU above 100 % is clamped and counted
 * (see trace_util_warnings). On error returns SIM_EINPUT with
 * "file:line:col: what is wrong (expected ...)" in d and *out NULL: an
 * empty file, a malformed number, a value out of range, a wrong field
 * count or header, a time not after the previous row's. Never crashes on
 * any input. O(len). */
int trace_util_parse(const char *file, const char *text, size_t len,
		     trace_util_format fmt, trace_util **out, sim_diag *d);
/* Reads the file at path and parses it; the trace is named after the
 * path's last component. A missing or unreadable file is SIM_EIO with
 * "path: reason (expected ...)"; files over 1 GiB are refused. */
int trace_util_load(const char *path, trace_util_format fmt,
		    trace_util **out, sim_diag *d);
/* Frees a trace; NULL is a no-op. */
void trace_util_destroy(trace_util *u);

/* True if u has a series for resource r (PlanetLab: CPU only). */
bool trace_util_has(const trace_util *u, trace_util_res r);
/* The value of resource r (in the unit of trace_util_res) at t_ns after
 * sample 0, read by `interp`. Past the last sample the last value holds;
 * a resource the trace lacks reads 0. Linear reads v[k] + (v[k+1] −
 * v[k])·(t − k·step)/step for k = floor(t/step). O(1), no allocation. */
double trace_util_at(const trace_util *u, trace_util_res r,
		     trace_util_interp interp, uint64_t t_ns);
/* A position on the grid every trace shares (step TRACE_UTIL_STEP_S from
 * sample 0): sample k and the fraction of the step past it. Computing it
 * once per monitoring interval and reading every VM at it with
 * trace_util_read saves each read its 64-bit division. */
typedef struct trace_util_pos {
	uint64_t k;
	double frac;   /* in [0, 1) */
} trace_util_pos;

/* The position of t_ns after sample 0. O(1). */
trace_util_pos trace_util_pos_at(uint64_t t_ns);
/* trace_util_at(u, r, interp, t) for the t that gave pos: the same value,
 * bit for bit. O(1), no allocation. */
double trace_util_read(const trace_util *u, trace_util_res r,
		       trace_util_interp interp, trace_util_pos pos);
/* Resamples onto a monitoring grid: out[j] = trace_util_at(u, r, interp,
 * (first + j)·interval_ns) for j < count (interval_ns >= 1, else a panic).
 * O(count). */
void trace_util_resample(const trace_util *u, trace_util_res r,
			 trace_util_interp interp, uint64_t interval_ns,
			 uint64_t first, size_t count, double *out);
/* The time the trace covers: n samples of step_s each, in ns. */
uint64_t trace_util_duration_ns(const trace_util *u);

/* Appends to w one "file: warning: ..." line per repair the reader made
 * on u (gaps held, with their count and the longest; CPU samples clamped,
 * with their count and the largest value) and returns how many. */
unsigned trace_util_warnings(const trace_util *u, const char *file,
			     sim_diag *w);

/* A folder of traces, one VM per file, in strcmp order of file names so
 * that VM order never depends on the file system. */
typedef struct trace_util_set {
	size_t n;
	trace_util **vm;   /* [n], sorted by name */
} trace_util_set;

/* Loads every trace file of folder dir: for PlanetLab every regular file
 * whose name does not start with '.' and does not end in .md, .tsv or
 * .txt (so a README or MANIFEST may sit beside the traces); for Bitbrains
 * every regular file ending in .csv. Stops at the first bad file with its
 * message ("dir/name:line:col: ..."); an unreadable folder is SIM_EIO, a
 * folder without trace files SIM_EINPUT. O(total bytes + F log F). */
int trace_util_dir_load(const char *dir, trace_util_format fmt,
			trace_util_set **out, sim_diag *d);
/* Frees the set and its traces; NULL is a no-op. */
void trace_util_set_destroy(trace_util_set *s);

/* ------------------------------------------------------------------------
 * Binary instruction traces, format version 1 (traces/insn-format.md): a
 * 32-byte header (magic, version, base page shift, instruction count, body
 * length), a body of 1 to 12 bytes per instruction (an opcode byte with
 * the argument packed in; addresses as zigzag varint deltas from the
 * previous address of the same kind; the asid only on CTX_SWITCH) and an
 * 8-byte FNV-1a checksum of the body. Typical streams take 2 to 3 bytes
 * per instruction.
 * ------------------------------------------------------------------------ */

/* The base page of a trace: log2 of its size in bytes, 9 (512 B) to 30. */
#define TRACE_INSN_PAGE_SHIFT_MIN 9
#define TRACE_INSN_PAGE_SHIFT_MAX 30
/* The most instructions a trace may hold (2^48: about three days at
 * 10^9 instructions per second). */
#define TRACE_INSN_MAX_COUNT (UINT64_C(1) << 48)

/* Says what is wrong with insn as an instruction of the ISA (an op past
 * TRACE_OP_COUNT, an argument outside its enum, a va, asid or size on an
 * op that does not use it, a size above 63, pad not zero), or NULL if it
 * is well formed. Static text. */
const char *trace_insn_problem(const trace_insn *insn);

/* Encodes n instructions as a complete trace file image (header, body,
 * checksum) with base page shift page_shift (9..30) into a new buffer
 * *out of *len bytes, which the caller frees. A malformed instruction is
 * SIM_EINPUT with "instruction K: problem" in d, and *out NULL. */
int trace_insn_encode(const trace_insn *insn, size_t n, unsigned page_shift,
		      uint8_t **out, size_t *len, sim_diag *d);

/* A writer streams instructions to path through sim_file (a temporary,
 * synced and renamed at commit; flags as for sim_file_open), so a trace of
 * 10^9 instructions never sits in memory. Same instructions, same bytes. */
typedef struct trace_insn_writer trace_insn_writer;
/* Opens a writer; page_shift 9..30 (else SIM_EINPUT). Errors as
 * sim_file_open (nothing is created then) with *out NULL. */
int trace_insn_writer_open(const char *path, unsigned flags,
			   unsigned page_shift, trace_insn_writer **out,
			   sim_diag *d);
/* Appends n instructions. A malformed one is SIM_EINPUT ("path:
 * instruction K: problem"), an I/O failure SIM_EIO; after an error the
 * caller must call trace_insn_writer_abort. */
int trace_insn_writer_put(trace_insn_writer *w, const trace_insn *insn,
			  size_t n, sim_diag *d);
/* Instructions put so far. */
uint64_t trace_insn_writer_count(const trace_insn_writer *w);
/* Bytes the file holds so far, header and checksum included. */
uint64_t trace_insn_writer_bytes(const trace_insn_writer *w);
/* Writes the checksum and the final header, then commits as
 * sim_file_commit. Frees w in every case. Returns 0 or an error in d
 * (then nothing is left at path that was not there before). */
int trace_insn_writer_commit(trace_insn_writer *w, sim_diag *d);
/* Drops the writer and its temporary; NULL is a no-op. */
void trace_insn_writer_abort(trace_insn_writer *w);

/* A reader decodes a trace block by block into the caller's buffer.
 * Every problem is SIM_EINPUT with "FILE:OFFSET: what is wrong (expected
 * ...)" in d, OFFSET the byte where the problem lies; I/O errors are
 * SIM_EIO ("FILE: message"). Never crashes on any input. */
typedef struct trace_insn_reader trace_insn_reader;
/* Opens the file at path and checks its header (and, for a regular file,
 * that its size is 32 + body + 8). *out NULL on error. */
int trace_insn_reader_open(const char *path, trace_insn_reader **out,
			   sim_diag *d);
/* The same over len bytes in memory (borrowed until close), named `name`
 * in messages. */
int trace_insn_reader_open_mem(const char *name, const void *bytes,
			       size_t len, trace_insn_reader **out,
			       sim_diag *d);
/* The instruction count and base page shift the header declares. */
uint64_t trace_insn_reader_count(const trace_insn_reader *r);
unsigned trace_insn_reader_page_shift(const trace_insn_reader *r);
/* Decodes up to max instructions into buf and sets *n to their number
 * (0 once all are read). The block that holds the last instruction is
 * returned only after the end of the body, the checksum and the end of
 * the file are verified; earlier blocks are well formed but the checksum
 * covering them is checked at the end. After an error, further reads
 * fail again. O(max) time, O(1) memory (a 64 KiB buffer). */
int trace_insn_reader_read(trace_insn_reader *r, trace_insn *buf, size_t max,
			   size_t *n, sim_diag *d);
/* Closes the reader; NULL is a no-op. */
void trace_insn_reader_close(trace_insn_reader *r);

/* Decodes a whole trace image (len bytes named `name`) into a new array
 * *out of *n instructions (the caller frees it) and its page shift. On
 * error SIM_EINPUT as the reader, *out NULL. */
int trace_insn_decode(const char *name, const void *bytes, size_t len,
		      trace_insn **out, size_t *n, unsigned *page_shift,
		      sim_diag *d);

/* Checks the stream conventions (the privilege level a stream is at)
 * incrementally: a stream starts at user level; SYSCALL and EXCEPTION
 * enter the kernel from user level only; INTERRUPT enters from user level
 * or nests once inside the kernel; RETURN leaves the innermost entry;
 * PRIV, PTE_WRITE, CTX_SWITCH and HYPERCALL run only in the kernel. */
typedef struct trace_insn_levels {
	unsigned depth; /* 0 user, 1 kernel, 2 interrupt inside the kernel */
	uint64_t seen;  /* instructions fed so far */
} trace_insn_levels;
/* Starts at user level. */
void trace_insn_levels_init(trace_insn_levels *l);
/* Feeds n instructions. Returns NULL, or the static text of the first
 * violation with *bad its index in the whole stream (l is then left
 * before it). */
const char *trace_insn_levels_feed(trace_insn_levels *l,
				   const trace_insn *insn, size_t n,
				   uint64_t *bad);

#endif /* VDCSIM_TRACE_H */
