/* SPDX-License-Identifier: MIT */
/*
 * Parameters of the instruction-stream generators: the declarative table
 * (`vdcsim params`, config loading), the checks the table cannot express,
 * the event programs every stream is built from and the closed-form
 * expectations of a stream. Generating is in stream.c, presets in
 * catalog.c.
 */
#include "stream_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------ */

static const char *const level_names[] = {"user", "kernel", NULL};

#define F(x) offsetof(wl_stream_params, x)
#define PCT(name, def, doc) \
	{#name, CFG_T_PERCENT, def, "0%", "100%", NULL, F(name), doc}
#define RATE(name, doc) \
	{#name, CFG_T_FLOAT, "0", "0", "1000", NULL, F(name), doc}
#define COUNT(name, def, max, doc) \
	{#name, CFG_T_UINT, def, "0", max, NULL, F(name), doc}

static const cfg_param stream_params[] = {
	{"level", CFG_T_ENUM, "user", NULL, NULL, level_names, F(level),
	 "where the body runs: user (applications) or kernel (a benchmark "
	 "loop inside the guest kernel)"},
	PCT(load, "25%", "loads among mix instructions (the body's and the "
	    "kernel's work, kernel-only ops aside)"),
	PCT(store, "12%", "stores among mix instructions"),
	PCT(branch, "18%", "direct branches among mix instructions"),
	PCT(indirect, "1%", "indirect calls, returns and jumps among mix "
	    "instructions"),
	PCT(taken, "60%", "branches taken"),
	{"ws_bytes", CFG_T_BYTES, "16MiB", "4KiB", "512GiB", NULL, F(ws_bytes),
	 "user working set of each process (B)"},
	{"hot_bytes", CFG_T_BYTES, "1MiB", "0B", "512GiB", NULL, F(hot_bytes),
	 "hot part of the working set, at its start (B)"},
	PCT(hot_access, "80%", "random accesses that go to the hot part"),
	PCT(seq_access, "30%", "accesses one stride past the previous one"),
	{"stride_bytes", CFG_T_BYTES, "64B", "1B", "1GiB", NULL,
	 F(stride_bytes), "stride of sequential accesses (B)"},
	{"large_page", CFG_T_POW2, "2MiB", "4KiB", "1GiB", NULL, F(large_page),
	 "bytes of a large page (B)"},
	PCT(large_fraction, "0%", "working set mapped by large pages, at "
	    "its start"),
	{"kernel_ws_bytes", CFG_T_BYTES, "1MiB", "4KiB", "1GiB", NULL,
	 F(kernel_ws_bytes), "kernel data touched by kernel work (B)"},
	{"base_page", CFG_T_POW2, "4KiB", "512B", "1GiB", NULL, F(base_page),
	 "bytes of the base page (B)"},
	{"processes", CFG_T_UINT, "1", "1", "65534", NULL, F(processes),
	 "address spaces the context switches rotate among (asids 0 to "
	 "processes - 1; a forked child runs as asid processes)"},
	{"regular", CFG_T_BOOL, "false", NULL, NULL, NULL, F(regular),
	 "events evenly spaced, their kinds in turn (a benchmark loop), "
	 "rather than a Poisson process"},
	RATE(syscalls, "system calls (/1000 instructions)"),
	RATE(page_faults, "demand page faults on fresh pages (/1000 "
	     "instructions)"),
	RATE(prot_faults, "protection faults on working-set pages (/1000 "
	     "instructions)"),
	RATE(signal_faults, "protection faults on working-set pages that "
	     "change no PTE: the kernel answers with a signal (lmbench's "
	     "prot fault) (/1000 instructions)"),
	RATE(divides, "divide-by-zero exceptions (/1000 instructions)"),
	RATE(forks, "fork + child exit + wait (/1000 instructions)"),
	RATE(execs, "execs (/1000 instructions)"),
	RATE(mmaps, "mmap + touch + munmap (/1000 instructions)"),
	RATE(ctx_switches, "process context switches (/1000 instructions)"),
	RATE(timer_irqs, "timer interrupts (/1000 instructions)"),
	RATE(device_irqs, "device interrupts (/1000 instructions)"),
	RATE(port_io, "port I/O instructions in kernel work (/1000 "
	     "instructions)"),
	RATE(tpr_writes, "task-priority (cr8) writes in kernel work (/1000 "
	     "instructions)"),
	RATE(intr_toggles, "interrupt disables and enables in kernel work "
	     "(/1000 instructions)"),
	RATE(timer_writes, "timer programming in kernel work (/1000 "
	     "instructions)"),
	RATE(cpuid, "CPUID in kernel work (/1000 instructions)"),
	RATE(pte_writes, "PTE writes to mapped working-set pages in kernel "
	     "work, outside faults, fork, exec and mmap (/1000 instructions)"),
	RATE(sensitive, "sensitive unprivileged instructions (POPF-like) in "
	     "kernel work (/1000 instructions)"),
	COUNT(syscall_insns, "300", "1000000000", "kernel instructions per "
	      "system call"),
	COUNT(fault_insns, "1000", "1000000000", "kernel instructions per "
	      "handled demand page fault"),
	COUNT(prot_fault_insns, "1000", "1000000000", "kernel instructions "
	      "per handled protection fault (copy-on-write included)"),
	COUNT(divide_insns, "500", "1000000000", "kernel instructions per "
	      "divide exception"),
	COUNT(ctx_insns, "1500", "1000000000", "kernel instructions per "
	      "context switch"),
	COUNT(irq_insns, "1000", "1000000000", "kernel instructions per "
	      "interrupt"),
	COUNT(fork_insns, "100000", "1000000000", "kernel instructions of "
	      "fork"),
	COUNT(fork_ptes, "250", "1048576", "PTE writes of fork (entries "
	      "copied or write-protected)"),
	COUNT(cow_faults, "50", "1048576", "protection faults of the child "
	      "after fork (copy-on-write)"),
	COUNT(exit_insns, "50000", "1000000000", "kernel instructions of the "
	      "child's exit and the parent's wait"),
	COUNT(exit_ptes, "250", "1048576", "PTE writes (unmaps) of the "
	      "child's exit"),
	COUNT(exec_insns, "200000", "1000000000", "kernel instructions of "
	      "exec"),
	COUNT(exec_ptes, "250", "1048576", "PTE writes (unmaps) of exec"),
	COUNT(exec_faults, "100", "1048576", "demand faults after exec"),
	COUNT(mmap_insns, "2000", "1000000000", "kernel instructions of "
	      "mmap, and again of munmap"),
	COUNT(mmap_pages, "16", "1048576", "pages touched (demand faults) "
	      "and unmapped per mmap"),
};

static const char *const subsections[] = {"preset", NULL};

const cfg_section wl_stream_table = {
	"workloads[].stream",
	"an abstract guest instruction stream: mix, addresses, event rates "
	"(workloads/README.md)",
	stream_params,
	sizeof stream_params / sizeof stream_params[0],
	subsections,
};

const cfg_section *wl_stream_section(void)
{
	return &wl_stream_table;
}

/* ------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------ */

static int unknown_preset(const cfg_node *n, sim_diag *d)
{
	const char *names[64];
	size_t k = 0;
	for (; k < 63 && wl_stream_preset_at(k); k++)
		names[k] = wl_stream_preset_at(k)->name;
	names[k] = NULL;
	const char *near = sim_suggest(cfg_node_text(n), names);
	if (near)
		cfg_error(d, n, "%s: unknown preset '%s' (did you mean '%s'?)",
			  wl_stream_table.path, cfg_node_text(n), near);
	else
		cfg_error(d, n, "%s: unknown preset '%s' (expected a name "
			  "from vdcsim trace-gen insn --list, or a mapping)",
			  wl_stream_table.path, cfg_node_text(n));
	return SIM_EINPUT;
}

int wl_stream_params_load(const cfg_node *n, const cfg_node *where,
			  wl_stream_params *out, sim_diag *d)
{
	memset(out, 0, sizeof *out);
	if (n && cfg_node_kind(n) == CFG_SCALAR) {
		const wl_stream_preset *p =
			wl_stream_preset_find(cfg_node_text(n));
		if (!p)
			return unknown_preset(n, d);
		*out = p->params;
		return 0;
	}
	const cfg_node *pre = n && cfg_node_kind(n) == CFG_MAP
				      ? cfg_map_get(n, "preset")
				      : NULL;
	if (!pre)
		return cfg_section_load(&wl_stream_table, n, where, out, d);
	if (cfg_node_kind(pre) != CFG_SCALAR) {
		cfg_error(d, pre, "%s.preset: expected a preset name, got a %s",
			  wl_stream_table.path, cfg_kind_name(cfg_node_kind(pre)));
		return SIM_EINPUT;
	}
	const wl_stream_preset *p = wl_stream_preset_find(cfg_node_text(pre));
	if (!p)
		return unknown_preset(pre, d);
	/* The preset's values, each key of the mapping loaded over them. */
	wl_stream_params scratch;
	int rc = cfg_section_load(&wl_stream_table, n, where, &scratch, d);
	if (rc)
		return rc;
	*out = p->params;
	for (size_t i = 0; i < cfg_node_len(n); i++) {
		const char *key = cfg_node_text(cfg_node_key(n, i));
		for (size_t k = 0; k < wl_stream_table.nparams; k++)
			if (!strcmp(stream_params[k].name, key))
				cfg_section_param_load(&wl_stream_table,
						       &stream_params[k],
						       cfg_node_at(n, i), out,
						       d);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Programs
 * ------------------------------------------------------------------------ */

typedef struct builder {
	wl_prog *p;
} builder;

static void step(builder *b, unsigned kind, unsigned op, unsigned arg,
		 unsigned where, uint64_t n, uint64_t m)
{
	if (b->p->len >= WL_PROG_MAX)
		sim_panic("event program longer than %d steps", WL_PROG_MAX);
	wl_step *s = &b->p->s[b->p->len++];
	s->kind = (uint8_t)kind;
	s->op = (uint8_t)op;
	s->arg = (uint8_t)arg;
	s->where = (uint8_t)where;
	s->n = n;
	s->m = m;
}

static void op(builder *b, unsigned o, unsigned arg, bool at_page)
{
	step(b, WL_ST_OP, o, arg, at_page, 0, 0);
}

static void kb(builder *b, uint64_t n, uint64_t ptes, unsigned arg,
	       unsigned where)
{
	step(b, WL_ST_KB, 0, arg, where, n, ptes);
}

/* A handled fault on each of n pages of region r: the exception, the
 * handler with its `ptes` PTE writes (0 or 1), the return and the access
 * that faulted. */
static void faults(builder *b, const wl_stream_params *p, uint64_t n,
		   unsigned r, unsigned exc, unsigned access, uint64_t ptes)
{
	step(b, WL_ST_LOOP, 0, 0, r, n, 0);
	op(b, TRACE_OP_EXCEPTION, exc, true);
	kb(b, exc == TRACE_EXC_PROT_FAULT ? p->prot_fault_insns
					  : p->fault_insns,
	   ptes, 1, WL_P_CUR);
	op(b, TRACE_OP_RETURN, 0, false);
	op(b, access, 0, true);
	step(b, WL_ST_END, 0, 0, 0, 0, 0);
}

static void syscall(builder *b, uint64_t n, uint64_t ptes, unsigned arg,
		    unsigned where, int ctx)
{
	op(b, TRACE_OP_SYSCALL, 0, false);
	kb(b, n, ptes, arg, where);
	if (ctx >= 0)
		step(b, WL_ST_CTX, 0, 0, (unsigned)ctx, 0, 0);
	op(b, TRACE_OP_RETURN, 0, false);
}

static void program(const wl_stream_params *p, int e, builder *b)
{
	bool kern = p->level == WL_LEVEL_KERNEL;
	switch (e) {
	case WL_EV_SYSCALL:
		syscall(b, p->syscall_insns, 0, 0, WL_P_CUR, -1);
		break;
	case WL_EV_PAGE_FAULT:
		faults(b, p, 1, WL_L_FRESH, TRACE_EXC_PAGE_FAULT,
		       TRACE_OP_STORE, 1);
		break;
	case WL_EV_PROT_FAULT:
	case WL_EV_SIGNAL:
		faults(b, p, 1, WL_L_WS, TRACE_EXC_PROT_FAULT, TRACE_OP_STORE,
		       e == WL_EV_PROT_FAULT);
		break;
	case WL_EV_DIVIDE:
		op(b, TRACE_OP_EXCEPTION, TRACE_EXC_DIVIDE, false);
		kb(b, p->divide_insns, 0, 0, WL_P_CUR);
		op(b, TRACE_OP_RETURN, 0, false);
		break;
	case WL_EV_FORK:
		syscall(b, p->fork_insns, p->fork_ptes, 1, WL_P_IMAGE,
			WL_T_CHILD);
		faults(b, p, p->cow_faults, WL_L_IMAGE, TRACE_EXC_PROT_FAULT,
		       TRACE_OP_STORE, 1);
		syscall(b, p->exit_insns, p->exit_ptes, 0, WL_P_IMAGE,
			WL_T_PARENT);
		break;
	case WL_EV_EXEC:
		syscall(b, p->exec_insns, p->exec_ptes, 0, WL_P_IMAGE, -1);
		faults(b, p, p->exec_faults, WL_L_IMAGE, TRACE_EXC_PAGE_FAULT,
		       TRACE_OP_LOAD, 1);
		break;
	case WL_EV_MMAP:
		syscall(b, p->mmap_insns, 0, 0, WL_P_CUR, -1);
		faults(b, p, p->mmap_pages, WL_L_MMAP, TRACE_EXC_PAGE_FAULT,
		       TRACE_OP_STORE, 1);
		syscall(b, p->mmap_insns, p->mmap_pages, 0, WL_P_MMAP, -1);
		break;
	case WL_EV_CTX:
		if (kern) {
			kb(b, p->ctx_insns, 0, 0, WL_P_CUR);
			step(b, WL_ST_CTX, 0, 0, WL_T_NEXT, 0, 0);
		} else {
			syscall(b, p->ctx_insns, 0, 0, WL_P_CUR, WL_T_NEXT);
		}
		break;
	case WL_EV_TIMER:
	case WL_EV_DEVICE:
		op(b, TRACE_OP_INTERRUPT,
		   e == WL_EV_TIMER ? TRACE_IRQ_TIMER : TRACE_IRQ_DEVICE, false);
		kb(b, p->irq_insns, 0, 0, WL_P_CUR);
		op(b, TRACE_OP_RETURN, 0, false);
		break;
	default:
		sim_panic("unknown event %d", e);
	}
}

/* Whether event e enters the kernel from user mode (a kernel-level body
 * allows only context switches and interrupts). */
static bool enters_from_user(int e)
{
	return e != WL_EV_CTX && e != WL_EV_TIMER && e != WL_EV_DEVICE;
}

static double event_rate(const wl_stream_params *p, int e)
{
	const double r[WL_EV_COUNT] = {
		p->syscalls,  p->page_faults, p->prot_faults,
		p->signal_faults, p->divides, p->forks,
		p->execs,     p->mmaps,       p->ctx_switches,
		p->timer_irqs, p->device_irqs,
	};
	return r[e];
}

double wl_stream_loop(const wl_stream_params *p)
{
	double least = 0;
	for (int e = 0; e < WL_EV_COUNT; e++) {
		double r = event_rate(p, e);
		if (r > 0 && (least == 0 || r < least))
			least = r;
	}
	return least > 0 ? 1000 / least : 0;
}

unsigned wl_stream_programs(const wl_stream_params *p, wl_prog *out)
{
	unsigned n = 0;
	for (int e = 0; e < WL_EV_COUNT; e++) {
		double r = event_rate(p, e);
		if (!(r > 0))
			continue;
		memset(&out[n], 0, sizeof out[n]);
		out[n].rate = r;
		builder b = {&out[n]};
		program(p, e, &b);
		n++;
	}
	return n;
}

/* What one run of a program holds: instructions, kernel-mix draws,
 * instructions issued in the kernel, and each fixed op. */
typedef struct tally {
	double len, kmix, kernel;
	double op[TRACE_OP_COUNT], exc[TRACE_EXC_COUNT], irq[TRACE_IRQ_COUNT];
} tally;

static void count(const wl_prog *pr, bool kern_level, tally *t)
{
	memset(t, 0, sizeof *t);
	double mult = 1;
	unsigned depth = kern_level;
	for (unsigned i = 0; i < pr->len; i++) {
		const wl_step *s = &pr->s[i];
		switch (s->kind) {
		case WL_ST_LOOP:
			mult = (double)s->n;
			break;
		case WL_ST_END:
			mult = 1;
			break;
		case WL_ST_KB:
			t->len += mult * (double)(s->n + s->m);
			t->kmix += mult * (double)s->n;
			t->kernel += mult * (double)(s->n + s->m);
			t->op[TRACE_OP_PTE_WRITE] += mult * (double)s->m;
			break;
		case WL_ST_CTX:
			t->len += mult;
			t->kernel += mult;
			t->op[TRACE_OP_CTX_SWITCH] += mult;
			break;
		default:
			t->len += mult;
			t->op[s->op] += mult;
			if (depth)
				t->kernel += mult;
			if (s->op == TRACE_OP_EXCEPTION)
				t->exc[s->arg] += mult;
			if (s->op == TRACE_OP_INTERRUPT)
				t->irq[s->arg] += mult;
			if (s->op == TRACE_OP_RETURN)
				depth--;
			else if (s->op == TRACE_OP_SYSCALL ||
				 s->op == TRACE_OP_EXCEPTION ||
				 s->op == TRACE_OP_INTERRUPT)
				depth++;
			break;
		}
	}
}

uint64_t wl_prog_len(const wl_prog *pr)
{
	tally t;
	count(pr, false, &t);
	return (uint64_t)t.len;
}

/* Kernel-only ops per 1000 instructions, by class. */
static void specials(const wl_stream_params *p, double r[WL_CLASSES])
{
	memset(r, 0, WL_CLASSES * sizeof *r);
	r[WL_C_SENSITIVE] = p->sensitive;
	r[WL_C_PTE] = p->pte_writes;
	r[WL_C_PRIV0 + TRACE_PRIV_PORT_IO] = p->port_io;
	r[WL_C_PRIV0 + TRACE_PRIV_TPR] = p->tpr_writes;
	r[WL_C_PRIV0 + TRACE_PRIV_INTR_OFF] = p->intr_toggles / 2;
	r[WL_C_PRIV0 + TRACE_PRIV_INTR_ON] = p->intr_toggles / 2;
	r[WL_C_PRIV0 + TRACE_PRIV_TIMER] = p->timer_writes;
	r[WL_C_PRIV0 + TRACE_PRIV_CPUID] = p->cpuid;
}

static void plain_mix(const wl_stream_params *p, double q, double *c)
{
	c[WL_C_LOAD] = q * p->load;
	c[WL_C_STORE] = q * p->store;
	c[WL_C_TAKEN] = q * p->branch * p->taken;
	c[WL_C_NOT_TAKEN] = q * p->branch * (1 - p->taken);
	c[WL_C_INDIRECT] = q * p->indirect;
	c[WL_C_ALU] = q * fmax(0, 1 - p->load - p->store - p->branch -
				      p->indirect);
}

bool wl_stream_mix(const wl_stream_params *p, const wl_prog *prog,
		   unsigned nprog, wl_mix *m)
{
	memset(m, 0, sizeof *m);
	bool kern = p->level == WL_LEVEL_KERNEL;
	double used = 0, kmix = 0;
	for (unsigned i = 0; i < nprog; i++) {
		tally t;
		count(&prog[i], kern, &t);
		used += prog[i].rate * t.len;
		kmix += prog[i].rate * t.kmix;
	}
	m->body = 1000 - used;
	m->kmix = kmix + (kern ? m->body : 0);
	double r[WL_CLASSES], s = 0;
	specials(p, r);
	for (int c = 0; c < WL_CLASSES; c++)
		s += r[c];
	if (!(m->body > 0) || s > m->kmix)
		return false;
	for (int c = 0; c < WL_CLASSES; c++)
		m->pkern[c] = s > 0 ? r[c] / m->kmix : 0;
	plain_mix(p, 1 - (s > 0 ? s / m->kmix : 0), m->pkern);
	if (kern)
		memcpy(m->pbody, m->pkern, sizeof m->pbody);
	else
		plain_mix(p, 1, m->pbody);
	return true;
}

/* ------------------------------------------------------------------------
 * Checks and expectations
 * ------------------------------------------------------------------------ */

static int bad(sim_diag *d, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(sim_diag *d, const char *what, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sim_diag_error(d, what, 0, 0, "%s", msg);
	return SIM_EINPUT;
}

int wl_stream_check(const wl_stream_params *p, const char *what,
		    sim_diag *d)
{
	double mix = p->load + p->store + p->branch + p->indirect;
	if (mix > 1 + 1e-12)
		return bad(d, what, "load + store + branch + indirect is %g%% "
			   "(expected at most 100%%)", 100 * mix);
	if (p->hot_bytes > p->ws_bytes)
		return bad(d, what, "hot_bytes %llu exceeds ws_bytes %llu "
			   "(expected the hot part inside the working set)",
			   (unsigned long long)p->hot_bytes,
			   (unsigned long long)p->ws_bytes);
	if (p->ws_bytes > WL_REGION_BYTES - WL_VA_WS)
		return bad(d, what, "ws_bytes above the user region (expected "
			   "at most 1023.75 GiB)");
	if (p->large_fraction > 0 && p->large_page <= p->base_page)
		return bad(d, what, "large_page %llu is not larger than "
			   "base_page %llu (expected a large page above the "
			   "base page)", (unsigned long long)p->large_page,
			   (unsigned long long)p->base_page);
	bool from_user = false;
	for (int e = 0; e < WL_EV_COUNT; e++)
		from_user |= enters_from_user(e) && event_rate(p, e) > 0;
	if (p->level == WL_LEVEL_KERNEL && from_user)
		return bad(d, what, "system calls, faults, divides, forks, "
			   "execs or mmaps with a kernel-level body (expected "
			   "them only with level user: they enter the kernel "
			   "from user mode)");
	/* The image's pages follow the working set in its region; mmap's
	 * have a region of their own. */
	uint64_t pages = p->fork_ptes;
	const uint64_t more[] = {p->exit_ptes, p->cow_faults, p->exec_ptes,
				 p->exec_faults};
	for (size_t i = 0; i < sizeof more / sizeof *more; i++)
		if (more[i] > pages)
			pages = more[i];
	if (pages > (WL_REGION_BYTES - wl_image_va(p)) / p->base_page)
		return bad(d, what, "%llu pages of %llu bytes per event do "
			   "not fit beside the working set in a 2^40-byte "
			   "region (expected fewer pages per event)",
			   (unsigned long long)pages,
			   (unsigned long long)p->base_page);
	if (p->mmap_pages > WL_REGION_BYTES / p->base_page)
		return bad(d, what, "mmap_pages %llu of %llu bytes do not fit "
			   "a 2^40-byte region (expected fewer pages per "
			   "mmap)", (unsigned long long)p->mmap_pages,
			   (unsigned long long)p->base_page);
	wl_prog prog[WL_EV_COUNT];
	unsigned n = wl_stream_programs(p, prog);
	wl_mix m;
	if (wl_stream_mix(p, prog, n, &m))
		return 0;
	if (!(m.body > 0))
		return bad(d, what, "events take %.6g of every 1000 "
			   "instructions (expected fewer than 1000: lower the "
			   "event rates or their lengths)", 1000 - m.body);
	double ops = p->port_io + p->tpr_writes + p->intr_toggles +
		     p->timer_writes + p->cpuid + p->pte_writes + p->sensitive;
	return bad(d, what, "kernel-only ops at %.6g per 1000 instructions "
		   "but only %.6g kernel-work instructions to place them in "
		   "(expected at most as many: more kernel work or fewer "
		   "ops)", ops, m.kmix);
}

void wl_stream_expected(const wl_stream_params *p, wl_stream_expect *e)
{
	memset(e, 0, sizeof *e);
	wl_prog prog[WL_EV_COUNT];
	unsigned n = wl_stream_programs(p, prog);
	wl_mix m;
	if (!wl_stream_mix(p, prog, n, &m))
		sim_panic("wl_stream_expected on unchecked parameters");
	bool kern = p->level == WL_LEVEL_KERNEL;
	for (unsigned i = 0; i < n; i++) {
		tally t;
		count(&prog[i], kern, &t);
		double r = prog[i].rate;
		e->events += r;
		e->kernel += r * t.kernel;
		for (int o = 0; o < TRACE_OP_COUNT; o++)
			e->op[o] += r * t.op[o];
		for (int x = 0; x < TRACE_EXC_COUNT; x++)
			e->exc[x] += r * t.exc[x];
		for (int x = 0; x < TRACE_IRQ_COUNT; x++)
			e->irq[x] += r * t.irq[x];
	}
	if (kern)
		e->kernel += m.body;
	double c[WL_CLASSES];
	for (int k = 0; k < WL_CLASSES; k++)
		c[k] = (kern ? 0 : m.body * m.pbody[k]) + m.kmix * m.pkern[k];
	e->op[TRACE_OP_ALU] += c[WL_C_ALU];
	e->op[TRACE_OP_LOAD] += c[WL_C_LOAD];
	e->op[TRACE_OP_STORE] += c[WL_C_STORE];
	e->op[TRACE_OP_BRANCH] += c[WL_C_TAKEN] + c[WL_C_NOT_TAKEN];
	e->taken = c[WL_C_TAKEN];
	e->op[TRACE_OP_INDIRECT] += c[WL_C_INDIRECT];
	e->op[TRACE_OP_SENSITIVE] += c[WL_C_SENSITIVE];
	e->op[TRACE_OP_PTE_WRITE] += c[WL_C_PTE];
	for (int k = 0; k < TRACE_PRIV_COUNT; k++) {
		e->priv[k] = c[WL_C_PRIV0 + k];
		e->op[TRACE_OP_PRIV] += c[WL_C_PRIV0 + k];
	}
}
