/* SPDX-License-Identifier: MIT */
/*
 * Binary instruction traces, format v1: the reader. It decodes block by
 * block into the caller's buffer from a file (through a 64 KiB window) or
 * from memory, trusts no byte of its input and reports every problem as
 * "FILE:OFFSET: what is wrong (expected ...)". The writer is in insn.c.
 */
#include "insn_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RBUF (64 << 10)

struct trace_insn_reader {
	char *name;
	FILE *f;              /* NULL when reading memory */
	const uint8_t *mem;   /* memory: the whole image */
	size_t mem_len;
	uint8_t *own;         /* file: the window's storage */
	const uint8_t *buf;   /* window: body bytes buf[pos..len) */
	size_t pos, len;
	uint64_t win_off;     /* file offset of buf[0] */
	uint64_t unread;      /* body bytes not yet in the window */
	uint64_t count, body, done;
	unsigned page_shift;
	uint64_t prev[VA_KINDS];
	uint64_t hash;
	int failed;           /* the error to repeat, or 0 */
	bool verified;        /* end of body, checksum and end of file */
};

static const char *const op_names[TRACE_OP_COUNT] = {
	"ALU",       "LOAD",     "STORE",     "BRANCH",     "INDIRECT",
	"SYSCALL",   "RETURN",   "PRIV",      "SENSITIVE",  "PTE_WRITE",
	"HYPERCALL", "CTX_SWITCH", "INTERRUPT", "EXCEPTION",
};

static int fail(trace_insn_reader *r, sim_diag *d, uint64_t off,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(trace_insn_reader *r, sim_diag *d, uint64_t off,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sim_diag_error(d, NULL, 0, 0, "%s:%llu: %s", r->name,
		       (unsigned long long)off, msg);
	r->failed = SIM_EINPUT;
	return SIM_EINPUT;
}

static int io_fail(trace_insn_reader *r, sim_diag *d, int err)
{
	char msg[128];
	if (strerror_r(err, msg, sizeof msg))
		snprintf(msg, sizeof msg, "error %d", err);
	sim_diag_error(d, r->name, 0, 0, "%s (expected a readable "
		       "instruction trace)", msg);
	r->failed = SIM_EIO;
	return SIM_EIO;
}

/* ------------------------------------------------------------------------
 * Header
 * ------------------------------------------------------------------------ */

static int check_header(trace_insn_reader *r, const uint8_t *h, size_t have,
			sim_diag *d)
{
	size_t magic = have < INSN_MAGIC_LEN ? have : INSN_MAGIC_LEN;
	for (size_t i = 0; i < magic; i++)
		if (h[i] != (uint8_t)INSN_MAGIC[i])
			return fail(r, d, i,
				    "not a vdcsim instruction trace (expected "
				    "the magic bytes 89 56 49 54 0d 0a 1a 0a)");
	if (have < INSN_HEADER)
		return fail(r, d, have,
			    "file ends inside the header (expected %d bytes "
			    "of header)", INSN_HEADER);
	uint64_t version = insn_get_le(h + 8, 2);
	if (version != INSN_VERSION)
		return fail(r, d, 8,
			    "format version %llu is not supported (expected "
			    "%d)", (unsigned long long)version, INSN_VERSION);
	if (h[10] < TRACE_INSN_PAGE_SHIFT_MIN ||
	    h[10] > TRACE_INSN_PAGE_SHIFT_MAX)
		return fail(r, d, 10,
			    "base page shift %u out of range (expected %d to "
			    "%d)", h[10], TRACE_INSN_PAGE_SHIFT_MIN,
			    TRACE_INSN_PAGE_SHIFT_MAX);
	if (h[11])
		return fail(r, d, 11, "flags 0x%02x set (expected 0)", h[11]);
	if (insn_get_le(h + 12, 4))
		return fail(r, d, 12, "reserved bytes not zero (expected 0)");
	r->page_shift = h[10];
	r->count = insn_get_le(h + 16, 8);
	r->body = insn_get_le(h + 24, 8);
	if (r->count > TRACE_INSN_MAX_COUNT)
		return fail(r, d, 16,
			    "instruction count %llu too large (expected at "
			    "most 2^48)", (unsigned long long)r->count);
	if (r->body < r->count || r->body > r->count * INSN_MAX_BYTES)
		return fail(r, d, 24,
			    "body of %llu bytes cannot hold %llu instructions "
			    "(expected 1 to %d bytes per instruction)",
			    (unsigned long long)r->body,
			    (unsigned long long)r->count, INSN_MAX_BYTES);
	return 0;
}

static int check_size(trace_insn_reader *r, uint64_t size, sim_diag *d)
{
	uint64_t want = INSN_HEADER + r->body + INSN_TRAILER;
	if (size == want)
		return 0;
	return fail(r, d, size < want ? size : want,
		    "file is %llu bytes (expected %llu: the 32-byte header, "
		    "the %llu-byte body it declares and an 8-byte checksum)",
		    (unsigned long long)size, (unsigned long long)want,
		    (unsigned long long)r->body);
}

static trace_insn_reader *reader_new(const char *name)
{
	trace_insn_reader *r = sim_xcalloc(1, sizeof *r);
	r->name = sim_xstrdup(name);
	r->hash = SIM_HASH64_INIT;
	return r;
}

int trace_insn_reader_open_mem(const char *name, const void *bytes,
			       size_t len, trace_insn_reader **out,
			       sim_diag *d)
{
	trace_insn_reader *r = reader_new(name);
	*out = NULL;
	r->mem = bytes;
	r->mem_len = len;
	if (check_header(r, r->mem, len, d) || check_size(r, len, d)) {
		trace_insn_reader_close(r);
		return SIM_EINPUT;
	}
	r->buf = r->mem + INSN_HEADER;
	r->len = (size_t)r->body;
	r->win_off = INSN_HEADER;
	*out = r;
	return 0;
}

int trace_insn_reader_open(const char *path, trace_insn_reader **out,
			   sim_diag *d)
{
	trace_insn_reader *r = reader_new(path);
	*out = NULL;
	r->f = fopen(path, "rb");
	if (!r->f) {
		io_fail(r, d, errno);
		trace_insn_reader_close(r);
		return SIM_EIO;
	}
	uint8_t h[INSN_HEADER];
	size_t have = fread(h, 1, sizeof h, r->f);
	int rc = ferror(r->f) ? io_fail(r, d, errno)
			      : check_header(r, h, have, d);
	struct stat st;
	if (rc == 0 && fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode))
		rc = check_size(r, (uint64_t)st.st_size, d);
	if (rc) {
		trace_insn_reader_close(r);
		return rc;
	}
	r->own = sim_xmalloc(RBUF);
	r->buf = r->own;
	r->win_off = INSN_HEADER;
	r->unread = r->body;
	*out = r;
	return 0;
}

uint64_t trace_insn_reader_count(const trace_insn_reader *r)
{
	return r->count;
}

unsigned trace_insn_reader_page_shift(const trace_insn_reader *r)
{
	return r->page_shift;
}

void trace_insn_reader_close(trace_insn_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->own);
	free(r->name);
	free(r);
}

/* ------------------------------------------------------------------------
 * Body
 * ------------------------------------------------------------------------ */

/* Moves the unread rest of the window to its front and fills it with up
 * to RBUF bytes of body. */
static int refill(trace_insn_reader *r, sim_diag *d)
{
	size_t rest = r->len - r->pos;
	memmove(r->own, r->buf + r->pos, rest);
	r->win_off += r->pos;
	r->pos = 0;
	size_t want = RBUF - rest;
	if (want > r->unread)
		want = (size_t)r->unread;
	size_t got = fread(r->own + rest, 1, want, r->f);
	if (ferror(r->f))
		return io_fail(r, d, errno);
	r->hash = sim_hash64_more(r->hash, r->own + rest, got);
	r->len = rest + got;
	r->unread -= got;
	if (got < want)
		return fail(r, d, r->win_off + r->len,
			    "file ends inside the body (expected %llu body "
			    "bytes, as the header says)",
			    (unsigned long long)r->body);
	return 0;
}

/* What went wrong inside one instruction: the message and the byte of the
 * instruction it is at. */
typedef struct bad {
	const char *what;
	size_t at;
	unsigned v1, v2;
} bad;

static int get_varint(const uint8_t *p, size_t avail, size_t *n,
		      uint64_t *v, bad *b)
{
	uint64_t x = 0;
	for (size_t i = 0; i < 10; i++) {
		if (*n + i >= avail) {
			b->what = "trunc";
			b->at = *n + i;
			return -1;
		}
		uint8_t c = p[*n + i];
		if (i == 9 && c > 1) {
			b->what = "varint above 2^64 (expected at most 10 "
				  "bytes encoding a 64-bit value)";
			b->at = *n + i;
			return -1;
		}
		x |= (uint64_t)(c & 0x7f) << (7 * i);
		if (!(c & 0x80)) {
			if (i && !c) {
				b->what = "varint with a trailing zero byte "
					  "(expected the shortest encoding)";
				b->at = *n + i;
				return -1;
			}
			*n += i + 1;
			*v = x;
			return 0;
		}
	}
	b->what = "varint longer than 10 bytes (expected at most 10)";
	b->at = *n + 9;
	return -1;
}

static int get_delta(trace_insn_reader *r, int kind, const uint8_t *p,
		     size_t avail, size_t *n, uint64_t *va, bad *b)
{
	uint64_t z;
	if (get_varint(p, avail, n, &z, b))
		return -1;
	*va = r->prev[kind] + ((z >> 1) ^ (0 - (z & 1)));
	return 0;
}

static int get_size(const uint8_t *p, size_t avail, size_t *n, unsigned code,
		    unsigned esc, uint8_t *size, bad *b)
{
	if (code < 4) {
		*size = insn_size_code_value[code];
		return 0;
	}
	if (code != esc) {
		b->what = "size";
		b->at = 0;
		b->v1 = code;
		b->v2 = esc;
		return -1;
	}
	if (*n >= avail) {
		b->what = "trunc";
		b->at = *n;
		return -1;
	}
	uint8_t s = p[(*n)++];
	if (s < 1 || s > 63 || insn_size_code(s) >= 0) {
		b->what = "xsize";
		b->at = *n - 1;
		b->v1 = s;
		return -1;
	}
	*size = s;
	return 0;
}

/* Decodes the instruction at p (avail bytes of body from there). On
 * success sets *used; the reader's address predecessors advance. */
/* Values the high nibble may take for ops whose argument it is (LOAD,
 * STORE, PTE_WRITE and CTX_SWITCH use it otherwise). */
static const uint8_t arg_values[16] = {
	[TRACE_OP_ALU] = 1,        [TRACE_OP_BRANCH] = 2,
	[TRACE_OP_INDIRECT] = 1,   [TRACE_OP_SYSCALL] = 1,
	[TRACE_OP_RETURN] = 1,     [TRACE_OP_PRIV] = TRACE_PRIV_COUNT,
	[TRACE_OP_SENSITIVE] = 1,  [TRACE_OP_HYPERCALL] = TRACE_HCALL_COUNT,
	[TRACE_OP_INTERRUPT] = TRACE_IRQ_COUNT,
	[TRACE_OP_EXCEPTION] = TRACE_EXC_COUNT,
};

static int decode_one(trace_insn_reader *r, const uint8_t *p, size_t avail,
		      trace_insn *o, size_t *used, bad *b)
{
	static const trace_insn zero;
	*o = zero;
	unsigned op = p[0] & 15, x = p[0] >> 4;
	size_t n = 1;
	o->op = (uint8_t)op;
	uint64_t va, asid;
	switch (op) {
	case TRACE_OP_LOAD:
	case TRACE_OP_STORE:
		if (get_size(p, avail, &n, x, INSN_SIZE_ESC4, &o->size, b) ||
		    get_delta(r, VA_DATA, p, avail, &n, &va, b))
			return -1;
		r->prev[VA_DATA] = o->va = va;
		break;
	case TRACE_OP_PTE_WRITE:
		o->arg = (uint8_t)(x & 1);
		if (get_size(p, avail, &n, x >> 1, INSN_SIZE_ESC3, &o->size,
			     b) ||
		    get_delta(r, VA_PTE, p, avail, &n, &va, b))
			return -1;
		r->prev[VA_PTE] = o->va = va;
		break;
	case TRACE_OP_CTX_SWITCH:
		o->asid = (uint16_t)x;
		if (x != INSN_ASID_ESC)
			break;
		if (get_varint(p, avail, &n, &asid, b))
			return -1;
		if (asid < INSN_ASID_ESC || asid > UINT16_MAX) {
			b->what = "asid";
			b->at = 1;
			return -1;
		}
		o->asid = (uint16_t)asid;
		break;
	default:
		if (x >= arg_values[op]) {
			b->what = op >= TRACE_OP_COUNT ? "op" : "arg";
			b->v1 = op;
			b->v2 = x;
			b->at = 0;
			return -1;
		}
		o->arg = (uint8_t)x;
		if (op == TRACE_OP_EXCEPTION) {
			if (get_delta(r, VA_FAULT, p, avail, &n, &va, b))
				return -1;
			r->prev[VA_FAULT] = o->va = va;
		}
		break;
	}
	*used = n;
	return 0;
}

static int report(trace_insn_reader *r, sim_diag *d, uint64_t off,
		  const bad *b)
{
	unsigned long long k = (unsigned long long)r->done;
	uint64_t at = off + b->at;
	if (!strcmp(b->what, "trunc"))
		return fail(r, d, at,
			    "body ends inside instruction %llu (expected the "
			    "body length in the header to cover it)", k);
	if (!strcmp(b->what, "op"))
		return fail(r, d, at,
			    "instruction %llu: unknown op %u (expected 0 to "
			    "%d in the low 4 bits of the opcode byte)",
			    k, b->v1, TRACE_OP_COUNT - 1);
	if (!strcmp(b->what, "arg"))
		return fail(r, d, at,
			    "instruction %llu: %s with argument %u (expected "
			    "a value of its enum, or 0 for an op without "
			    "one)", k, op_names[b->v1], b->v2);
	if (!strcmp(b->what, "size"))
		return fail(r, d, at,
			    "instruction %llu: page-size code %u (expected 0 "
			    "to 3, or %u for an explicit size byte)",
			    k, b->v1, b->v2);
	if (!strcmp(b->what, "xsize"))
		return fail(r, d, at,
			    "instruction %llu: explicit page size %u "
			    "(expected 1 to 63 other than 12, 21 and 30, "
			    "which have short codes)", k, b->v1);
	if (!strcmp(b->what, "asid"))
		return fail(r, d, at,
			    "instruction %llu: long-form asid out of range "
			    "(expected 15 to 65535; smaller asids go in the "
			    "opcode byte)", k);
	return fail(r, d, at, "instruction %llu: %s", k, b->what);
}

/* After the last instruction: nothing left of the body, a matching
 * checksum, and the end of the file. */
static int finish(trace_insn_reader *r, sim_diag *d)
{
	uint64_t end = r->win_off + r->pos;
	if (r->pos < r->len || r->unread)
		return fail(r, d, end,
			    "%llu bytes of body after the last instruction "
			    "(expected the body to end with instruction %llu)",
			    (unsigned long long)(r->len - r->pos + r->unread),
			    (unsigned long long)r->count);
	uint8_t t[INSN_TRAILER + 1];
	size_t have;
	if (r->f) {
		have = fread(t, 1, sizeof t, r->f);
		if (ferror(r->f))
			return io_fail(r, d, errno);
	} else {
		r->hash = sim_hash64_more(r->hash, r->buf, r->len);
		have = r->mem_len - (size_t)end;
		memcpy(t, r->mem + end, have < sizeof t ? have : sizeof t);
	}
	if (have < INSN_TRAILER)
		return fail(r, d, end + have,
			    "file ends inside the checksum (expected 8 bytes)");
	uint64_t sum = insn_get_le(t, 8);
	if (sum != r->hash)
		return fail(r, d, end,
			    "checksum %016llx does not match the body's "
			    "FNV-1a %016llx (expected the body as written)",
			    (unsigned long long)sum,
			    (unsigned long long)r->hash);
	if (have > INSN_TRAILER)
		return fail(r, d, end + INSN_TRAILER,
			    "bytes after the checksum (expected the end of "
			    "the file)");
	return 0;
}

int trace_insn_reader_read(trace_insn_reader *r, trace_insn *buf, size_t max,
			   size_t *n, sim_diag *d)
{
	*n = 0;
	if (r->failed) {
		sim_diag_error(d, r->name, 0, 0, "trace already failed to "
			       "read (expected a new reader)");
		return r->failed;
	}
	size_t got = 0;
	while (got < max && r->done < r->count) {
		if (r->f && r->len - r->pos < INSN_MAX_BYTES && r->unread &&
		    refill(r, d))
			return r->failed;
		size_t avail = r->len - r->pos;
		uint64_t off = r->win_off + r->pos;
		if (!avail)
			return fail(r, d, off,
				    "body ends after %llu instructions "
				    "(expected %llu, as the header says)",
				    (unsigned long long)r->done,
				    (unsigned long long)r->count);
		size_t used;
		bad b;
		if (decode_one(r, r->buf + r->pos, avail, &buf[got], &used,
			       &b))
			return report(r, d, off, &b);
		r->pos += used;
		r->done++;
		got++;
	}
	if (r->done == r->count && !r->verified) {
		if (finish(r, d))
			return r->failed;
		r->verified = true;
	}
	*n = got;
	return 0;
}

int trace_insn_decode(const char *name, const void *bytes, size_t len,
		      trace_insn **out, size_t *n, unsigned *page_shift,
		      sim_diag *d)
{
	*out = NULL;
	*n = 0;
	trace_insn_reader *r;
	int rc = trace_insn_reader_open_mem(name, bytes, len, &r, d);
	if (rc)
		return rc;
	size_t count = (size_t)r->count;
	trace_insn *all = sim_xcalloc(count ? count : 1, sizeof *all);
	size_t got = 0, k;
	do {
		rc = trace_insn_reader_read(r, all + got, count - got, &k, d);
		got += k;
	} while (rc == 0 && k);
	if (page_shift)
		*page_shift = r->page_shift;
	trace_insn_reader_close(r);
	if (rc) {
		free(all);
		return rc;
	}
	*out = all;
	*n = got;
	return 0;
}
