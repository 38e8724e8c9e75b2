/* SPDX-License-Identifier: MIT */
/*
 * Private to workloads/: the event programs and instruction classes that
 * both the stream generator (stream.c) and the closed-form expectations
 * and checks (stream_params.c) are built from, so the two cannot drift
 * apart, and the address-space layout of generated streams.
 */
#ifndef VDCSIM_STREAM_INTERNAL_H
#define VDCSIM_STREAM_INTERNAL_H

#include "wl.h"

/* Layout of every process's address space (README "Addresses"): the
 * working set, then the process image (wl_stream.image), in the first
 * region; mmap and fresh-fault pages in regions of their own, 2^40 bytes
 * apart; the kernel in the top 2 GiB as on x86-64 Linux. */
#define WL_VA_WS     UINT64_C(0x0000000010000000)
#define WL_VA_MMAP   UINT64_C(0x0000020000000000)
#define WL_VA_FRESH  UINT64_C(0x0000030000000000)
#define WL_VA_KERNEL UINT64_C(0xffffffff80000000)
#define WL_REGION_BYTES (UINT64_C(1) << 40)

/* The process image's first page: the next base page after the working
 * set (stream.c lays fork's, exit's and exec's pages out from it;
 * wl_stream_check makes sure they fit the region). */
static inline uint64_t wl_image_va(const wl_stream_params *p)
{
	return WL_VA_WS +
	       (p->ws_bytes + p->base_page - 1) / p->base_page * p->base_page;
}

/* Instruction classes of the mix (a body or kernel work). */
enum {
	WL_C_ALU, WL_C_LOAD, WL_C_STORE, WL_C_TAKEN, WL_C_NOT_TAKEN,
	WL_C_INDIRECT, WL_C_SENSITIVE, WL_C_PTE, WL_C_PRIV0,
	WL_CLASSES = WL_C_PRIV0 + TRACE_PRIV_COUNT
};

/* Events. */
enum {
	WL_EV_SYSCALL, WL_EV_PAGE_FAULT, WL_EV_PROT_FAULT, WL_EV_SIGNAL,
	WL_EV_DIVIDE, WL_EV_FORK, WL_EV_EXEC, WL_EV_MMAP, WL_EV_CTX, WL_EV_TIMER,
	WL_EV_DEVICE, WL_EV_COUNT
};

/* Steps of an event program. */
enum {
	WL_ST_OP,   /* one instruction op/arg; va of the current page if
		       `where` is 1 */
	WL_ST_KB,   /* n kernel-mix instructions with m PTE_WRITE(arg)
		       spread evenly among them, at pages of `where` */
	WL_ST_CTX,  /* CTX_SWITCH to `where` (a WL_T_*) */
	WL_ST_LOOP, /* repeat up to WL_ST_END n times, each time on the
		       next page of region `where` (a WL_L_*) */
	WL_ST_END,
};

enum { WL_L_FRESH, WL_L_WS, WL_L_IMAGE, WL_L_MMAP };     /* loop pages */
enum { WL_P_CUR, WL_P_IMAGE, WL_P_MMAP };                /* KB pages */
enum { WL_T_NEXT, WL_T_CHILD, WL_T_PARENT };             /* CTX targets */

typedef struct wl_step {
	uint8_t kind, op, arg, where;
	uint64_t n, m;
} wl_step;

#define WL_PROG_MAX 16

typedef struct wl_prog {
	double rate;  /* per 1000 instructions */
	unsigned len;
	wl_step s[WL_PROG_MAX];
} wl_prog;

/* Writes the programs of p's events with a rate above 0 into out (room
 * for WL_EV_COUNT) and returns their number. */
unsigned wl_stream_programs(const wl_stream_params *p, wl_prog *out);

/* The instructions one run of pr issues (its loops unrolled, kernel
 * work's mix and PTE writes both). */
uint64_t wl_prog_len(const wl_prog *pr);

/* Per 1000 instructions: the body's instructions, the kernel-mix
 * instructions (kernel work of events, plus the body at kernel level),
 * and the probability of each class in a body draw and a kernel draw. */
typedef struct wl_mix {
	double body, kmix;
	double pbody[WL_CLASSES], pkern[WL_CLASSES];
} wl_mix;

/* Fills m from p and its programs; returns false when the events or the
 * kernel-only ops do not fit (wl_stream_check reports why). */
bool wl_stream_mix(const wl_stream_params *p, const wl_prog *prog,
		   unsigned nprog, wl_mix *m);

/* The parameter table (stream_params.c), for wl_sections(). */
extern const cfg_section wl_stream_table;

/* The table's defaults as an initializer, for the catalog's presets
 * (a unit test holds the two equal). */
#define WL_STREAM_DEFAULTS                                                     \
	.level = WL_LEVEL_USER, .load = 0.25, .store = 0.12, .branch = 0.18,   \
	.indirect = 0.01, .taken = 0.6, .ws_bytes = 16 << 20,                  \
	.hot_bytes = 1 << 20, .hot_access = 0.8, .seq_access = 0.3,            \
	.stride_bytes = 64, .large_page = 2 << 20, .large_fraction = 0,        \
	.kernel_ws_bytes = 1 << 20, .base_page = 4096, .processes = 1,         \
	.regular = false, .syscall_insns = 300, .fault_insns = 1000,           \
	.prot_fault_insns = 1000, .divide_insns = 500, .ctx_insns = 1500,      \
	.irq_insns = 1000, .fork_insns = 100000, .fork_ptes = 250,             \
	.cow_faults = 50, .exit_insns = 50000, .exit_ptes = 250,               \
	.exec_insns = 200000, .exec_ptes = 250, .exec_faults = 100,            \
	.mmap_insns = 2000, .mmap_pages = 16

#endif /* VDCSIM_STREAM_INTERNAL_H */
