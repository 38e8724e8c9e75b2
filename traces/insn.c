/* SPDX-License-Identifier: MIT */
/*
 * Binary instruction traces, format v1 (traces/insn-format.md): the
 * well-formedness rule of an abstract instruction, the encoder, the
 * streaming writer (through sim_file: atomic) and the checker of the
 * privilege-level conventions. The reader is in insn_read.c.
 */
#include "insn_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Well-formed instructions
 * ------------------------------------------------------------------------ */

/* The number of values an op's argument takes (1: the argument is 0). */
static unsigned arg_values(unsigned op)
{
	switch (op) {
	case TRACE_OP_BRANCH:
	case TRACE_OP_PTE_WRITE:
		return 2;
	case TRACE_OP_PRIV:
		return TRACE_PRIV_COUNT;
	case TRACE_OP_HYPERCALL:
		return TRACE_HCALL_COUNT;
	case TRACE_OP_INTERRUPT:
		return TRACE_IRQ_COUNT;
	case TRACE_OP_EXCEPTION:
		return TRACE_EXC_COUNT;
	default:
		return 1;
	}
}

static bool has_va(unsigned op)
{
	return op == TRACE_OP_LOAD || op == TRACE_OP_STORE ||
	       op == TRACE_OP_PTE_WRITE || op == TRACE_OP_EXCEPTION;
}

static bool has_size(unsigned op)
{
	return op == TRACE_OP_LOAD || op == TRACE_OP_STORE ||
	       op == TRACE_OP_PTE_WRITE;
}

const char *trace_insn_problem(const trace_insn *i)
{
	if (i->op >= TRACE_OP_COUNT)
		return "unknown op (expected an op below TRACE_OP_COUNT)";
	if (i->arg >= arg_values(i->op))
		return "argument out of range for its op (expected a value of "
		       "the op's enum, or 0)";
	if (i->va && !has_va(i->op))
		return "a va on an op without an address (expected va 0)";
	if (i->size && !has_size(i->op))
		return "a page size on an op without an address (expected "
		       "size 0)";
	if (i->size > 63)
		return "page size above 2^63 (expected size 0 to 63)";
	if (i->asid && i->op != TRACE_OP_CTX_SWITCH)
		return "an asid on an op other than CTX_SWITCH (expected asid "
		       "0)";
	if (i->pad[0] || i->pad[1] || i->pad[2])
		return "padding not zero (expected pad 0)";
	return NULL;
}

/* ------------------------------------------------------------------------
 * Encoder
 * ------------------------------------------------------------------------ */

typedef struct encoder {
	uint64_t prev[VA_KINDS];
	uint64_t hash; /* FNV-1a of the body so far */
} encoder;

static void encoder_init(encoder *e)
{
	memset(e, 0, sizeof *e);
	e->hash = SIM_HASH64_INIT;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static size_t put_delta(encoder *e, int kind, uint64_t va, uint8_t *p)
{
	uint64_t dlt = va - e->prev[kind];
	e->prev[kind] = va;
	return put_varint(p, (dlt << 1) ^ (0 - (dlt >> 63)));
}

/* Encodes a well-formed instruction into p (INSN_MAX_BYTES of room);
 * returns its length. */
static size_t encode_one(encoder *e, const trace_insn *i, uint8_t *p)
{
	unsigned op = i->op, x = i->arg;
	size_t n = 1;
	int code;
	switch (op) {
	case TRACE_OP_LOAD:
	case TRACE_OP_STORE:
		code = insn_size_code(i->size);
		x = code < 0 ? INSN_SIZE_ESC4 : (unsigned)code;
		if (code < 0)
			p[n++] = i->size;
		n += put_delta(e, VA_DATA, i->va, p + n);
		break;
	case TRACE_OP_PTE_WRITE:
		code = insn_size_code(i->size);
		x = i->arg | (code < 0 ? INSN_SIZE_ESC3 : (unsigned)code) << 1;
		if (code < 0)
			p[n++] = i->size;
		n += put_delta(e, VA_PTE, i->va, p + n);
		break;
	case TRACE_OP_EXCEPTION:
		n += put_delta(e, VA_FAULT, i->va, p + n);
		break;
	case TRACE_OP_CTX_SWITCH:
		x = i->asid < INSN_ASID_ESC ? i->asid : INSN_ASID_ESC;
		if (x == INSN_ASID_ESC)
			n += put_varint(p + n, i->asid);
		break;
	default:
		break;
	}
	p[0] = (uint8_t)(op | x << 4);
	e->hash = sim_hash64_more(e->hash, p, n);
	return n;
}

static void header(uint8_t *h, unsigned page_shift, uint64_t count,
		   uint64_t body)
{
	memset(h, 0, INSN_HEADER);
	memcpy(h, INSN_MAGIC, INSN_MAGIC_LEN);
	insn_put_le(h + 8, INSN_VERSION, 2);
	h[10] = (uint8_t)page_shift;
	insn_put_le(h + 16, count, 8);
	insn_put_le(h + 24, body, 8);
}

static bool shift_ok(unsigned s)
{
	return s >= TRACE_INSN_PAGE_SHIFT_MIN && s <= TRACE_INSN_PAGE_SHIFT_MAX;
}

static int bad_shift(const char *path, unsigned s, sim_diag *d)
{
	sim_diag_error(d, path, 0, 0,
		       "base page shift %u out of range (expected %d to %d)", s,
		       TRACE_INSN_PAGE_SHIFT_MIN, TRACE_INSN_PAGE_SHIFT_MAX);
	return SIM_EINPUT;
}

static int bad_insn(const char *path, uint64_t k, const char *why,
		    sim_diag *d)
{
	sim_diag_error(d, path, 0, 0, "instruction %llu: %s",
		       (unsigned long long)k, why);
	return SIM_EINPUT;
}

int trace_insn_encode(const trace_insn *insn, size_t n, unsigned page_shift,
		      uint8_t **out, size_t *len, sim_diag *d)
{
	*out = NULL;
	*len = 0;
	if (!shift_ok(page_shift))
		return bad_shift(NULL, page_shift, d);
	for (size_t k = 0; k < n; k++) {
		const char *why = trace_insn_problem(&insn[k]);
		if (why)
			return bad_insn(NULL, k, why, d);
	}
	if (n > TRACE_INSN_MAX_COUNT)
		return bad_insn(NULL, n, "too many instructions", d);
	uint8_t *buf = sim_xmalloc(INSN_HEADER + n * INSN_MAX_BYTES +
				   INSN_TRAILER);
	encoder e;
	encoder_init(&e);
	size_t at = INSN_HEADER;
	for (size_t k = 0; k < n; k++)
		at += encode_one(&e, &insn[k], buf + at);
	header(buf, page_shift, n, at - INSN_HEADER);
	insn_put_le(buf + at, e.hash, 8);
	*len = at + INSN_TRAILER;
	*out = sim_xrealloc(buf, *len, 1);
	return 0;
}

/* ------------------------------------------------------------------------
 * Streaming writer
 * ------------------------------------------------------------------------ */

#define WBUF (64 << 10)

struct trace_insn_writer {
	sim_file f;
	unsigned page_shift;
	encoder e;
	uint64_t count, body;
	size_t used;
	uint8_t buf[WBUF];
};

int trace_insn_writer_open(const char *path, unsigned flags,
			   unsigned page_shift, trace_insn_writer **out,
			   sim_diag *d)
{
	*out = NULL;
	if (!shift_ok(page_shift))
		return bad_shift(path, page_shift, d);
	trace_insn_writer *w = sim_xcalloc(1, sizeof *w);
	int rc = sim_file_open(&w->f, path, flags, d);
	if (rc != 0) {
		free(w);
		return rc;
	}
	w->page_shift = page_shift;
	encoder_init(&w->e);
	/* The header is written again with the final count at commit. */
	header(w->buf, page_shift, 0, 0);
	w->used = INSN_HEADER;
	*out = w;
	return 0;
}

static int flush(trace_insn_writer *w, sim_diag *d)
{
	int rc = sim_file_write(&w->f, w->buf, w->used, d);
	w->used = 0;
	return rc;
}

int trace_insn_writer_put(trace_insn_writer *w, const trace_insn *insn,
			  size_t n, sim_diag *d)
{
	if (w->f.fd < 0)
		return SIM_EIO;
	for (size_t k = 0; k < n; k++) {
		const char *why = trace_insn_problem(&insn[k]);
		if (why)
			return bad_insn(w->f.path, w->count, why, d);
		if (w->count >= TRACE_INSN_MAX_COUNT)
			return bad_insn(w->f.path, w->count,
					"one past the most a trace holds "
					"(expected at most 2^48)", d);
		if (w->used > WBUF - INSN_MAX_BYTES && flush(w, d))
			return SIM_EIO;
		size_t len = encode_one(&w->e, &insn[k], w->buf + w->used);
		w->used += len;
		w->body += len;
		w->count++;
	}
	return 0;
}

uint64_t trace_insn_writer_count(const trace_insn_writer *w)
{
	return w->count;
}

uint64_t trace_insn_writer_bytes(const trace_insn_writer *w)
{
	return INSN_HEADER + w->body + INSN_TRAILER;
}

int trace_insn_writer_commit(trace_insn_writer *w, sim_diag *d)
{
	int rc = SIM_EIO;
	if (w->f.fd < 0)
		goto out;
	if (w->used > WBUF - INSN_TRAILER && flush(w, d))
		goto out;
	insn_put_le(w->buf + w->used, w->e.hash, 8);
	w->used += INSN_TRAILER;
	if (flush(w, d))
		goto out;
	uint8_t h[INSN_HEADER];
	header(h, w->page_shift, w->count, w->body);
	ssize_t put = pwrite(w->f.fd, h, sizeof h, 0);
	if (put != (ssize_t)sizeof h) {
		sim_file_io_error(d, w->f.path, "write",
				  put < 0 ? errno : EIO);
		sim_file_abort(&w->f);
		goto out;
	}
	rc = sim_file_commit(&w->f, d);
out:
	free(w);
	return rc;
}

void trace_insn_writer_abort(trace_insn_writer *w)
{
	if (!w)
		return;
	sim_file_abort(&w->f);
	free(w);
}

/* ------------------------------------------------------------------------
 * Privilege-level conventions
 * ------------------------------------------------------------------------ */

void trace_insn_levels_init(trace_insn_levels *l)
{
	memset(l, 0, sizeof *l);
}

static const char *level_step(unsigned *depth, const trace_insn *i)
{
	switch (i->op) {
	case TRACE_OP_SYSCALL:
	case TRACE_OP_EXCEPTION:
		if (*depth)
			return i->op == TRACE_OP_SYSCALL
				       ? "SYSCALL inside the kernel (expected "
					 "it at user level)"
				       : "EXCEPTION inside the kernel (expected "
					 "it at user level)";
		*depth = 1;
		return NULL;
	case TRACE_OP_INTERRUPT:
		if (*depth >= 2)
			return "INTERRUPT nested twice (expected at most one "
			       "inside the kernel)";
		++*depth;
		return NULL;
	case TRACE_OP_RETURN:
		if (!*depth)
			return "RETURN at user level (expected an entry "
			       "before it)";
		--*depth;
		return NULL;
	case TRACE_OP_PRIV:
	case TRACE_OP_PTE_WRITE:
	case TRACE_OP_CTX_SWITCH:
	case TRACE_OP_HYPERCALL:
		return *depth ? NULL
			      : "a kernel-only op at user level (expected "
				"PRIV, PTE_WRITE, CTX_SWITCH and HYPERCALL "
				"in the kernel)";
	default:
		return NULL;
	}
}

const char *trace_insn_levels_feed(trace_insn_levels *l,
				   const trace_insn *insn, size_t n,
				   uint64_t *bad)
{
	for (size_t k = 0; k < n; k++) {
		unsigned depth = l->depth;
		const char *why = level_step(&depth, &insn[k]);
		if (why) {
			*bad = l->seen;
			return why;
		}
		l->depth = depth;
		l->seen++;
	}
	return NULL;
}
