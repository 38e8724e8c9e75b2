/* SPDX-License-Identifier: MIT */
/*
 * Tests of traces/insn.c and insn_read.c: the binary instruction-trace
 * format v1. The worked example of traces/insn-format.md byte for byte,
 * round trips of every op and encoding form, the streaming writer and
 * reader across window boundaries, the exact message of each refusal, the
 * privilege-level checker, and a deterministic mutation fuzz of the
 * reader (tens of thousands of inputs: each refused with a byte offset, or
 * accepted and re-encoded to the very same bytes).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "trace.h"
#include "../fuzz/mutate.h"

#define STR(s) ((char *)(s))

static trace_insn mk(unsigned op, unsigned arg, uint64_t va, unsigned size,
		    unsigned asid)
{
	trace_insn i;
	memset(&i, 0, sizeof i);
	i.op = (uint8_t)op;
	i.arg = (uint8_t)arg;
	i.va = va;
	i.size = (uint8_t)size;
	i.asid = (uint16_t)asid;
	return i;
}

/* The worked example of traces/insn-format.md. */
static void example(trace_insn *x)
{
	x[0] = mk(TRACE_OP_LOAD, 0, 0x10000000, 0, 0);
	x[1] = mk(TRACE_OP_STORE, 0, 0x10000008, 0, 0);
	x[2] = mk(TRACE_OP_BRANCH, 1, 0, 0, 0);
	x[3] = mk(TRACE_OP_SYSCALL, 0, 0, 0, 0);
	x[4] = mk(TRACE_OP_PRIV, TRACE_PRIV_PORT_IO, 0, 0, 0);
	x[5] = mk(TRACE_OP_PTE_WRITE, 1, 0x10000000, 21, 0);
	x[6] = mk(TRACE_OP_CTX_SWITCH, 0, 0, 0, 3);
	x[7] = mk(TRACE_OP_RETURN, 0, 0, 0, 0);
	x[8] = mk(TRACE_OP_LOAD, 0, 0x0fffff00, 0, 0);
}

static const uint8_t example_bytes[] = {
	/* header */
	0x89, 0x56, 0x49, 0x54, 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0x00, 0x0c,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* body */
	0x01, 0x80, 0x80, 0x80, 0x80, 0x02, /* LOAD 0x10000000 */
	0x02, 0x10,                         /* STORE +8 */
	0x13,                               /* BRANCH taken */
	0x05,                               /* SYSCALL */
	0x77,                               /* PRIV PORT_IO */
	0x59, 0x80, 0x80, 0x80, 0x80, 0x02, /* PTE_WRITE map 2 MiB */
	0x3b,                               /* CTX_SWITCH 3 */
	0x06,                               /* RETURN */
	0x01, 0x8f, 0x04,                   /* LOAD -0x108 */
};

static uint8_t *encode(const trace_insn *x, size_t n, size_t *len)
{
	uint8_t *b;
	sim_diag d;
	sim_diag_init(&d);
	int rc = trace_insn_encode(x, n, 12, &b, len, &d);
	cr_assert(eq(int, rc, 0), "%s", d.text ? d.text : "");
	sim_diag_fini(&d);
	return b;
}

Test(insn_format, the_worked_example_encodes_to_the_documented_bytes)
{
	trace_insn x[9];
	example(x);
	size_t len;
	uint8_t *b = encode(x, 9, &len);
	cr_assert(eq(sz, len, sizeof example_bytes + 8));
	cr_assert(eq(int, memcmp(b, example_bytes, sizeof example_bytes), 0));
	uint64_t sum = 0;
	for (int i = 0; i < 8; i++)
		sum |= (uint64_t)b[sizeof example_bytes + i] << (8 * i);
	cr_assert(eq(u64, sum, sim_hash64(example_bytes + 32,
					  sizeof example_bytes - 32)));
	free(b);
}

static void same(const trace_insn *a, const trace_insn *b, size_t n)
{
	for (size_t k = 0; k < n; k++)
		cr_assert(eq(int, memcmp(&a[k], &b[k], sizeof *a), 0),
			  "instruction %zu: op %u/%u va %llx/%llx", k, a[k].op,
			  b[k].op, (unsigned long long)a[k].va,
			  (unsigned long long)b[k].va);
}

static void round_trip(const trace_insn *x, size_t n)
{
	size_t len, got;
	uint8_t *b = encode(x, n, &len);
	trace_insn *y;
	unsigned shift;
	sim_diag d;
	sim_diag_init(&d);
	int rc = trace_insn_decode("t.vit", b, len, &y, &got, &shift, &d);
	cr_assert(eq(int, rc, 0), "%s", d.text ? d.text : "");
	cr_assert(eq(sz, got, n));
	cr_assert(eq(u32, shift, 12));
	same(x, y, n);
	free(y);
	free(b);
	sim_diag_fini(&d);
}

Test(insn_format, every_op_argument_and_encoding_form_round_trips)
{
	trace_insn x[400];
	size_t n = 0;
	for (unsigned op = 0; op < TRACE_OP_COUNT; op++)
		for (unsigned arg = 0; arg < 9; arg++) {
			trace_insn i = mk(op, arg, 0, 0, 0);
			if (!trace_insn_problem(&i))
				x[n++] = i;
		}
	static const unsigned sizes[] = {0, 12, 21, 30, 1, 13, 16, 22, 63};
	static const uint64_t vas[] = {0, 1, UINT64_MAX, 0x7fffffffffffffff,
				       0x8000000000000000, 4096, 0xffffffff80000000};
	for (size_t s = 0; s < 9; s++)
		for (size_t v = 0; v < 7; v++) {
			x[n++] = mk(TRACE_OP_LOAD, 0, vas[v], sizes[s], 0);
			x[n++] = mk(TRACE_OP_STORE, 0, vas[6 - v], sizes[s], 0);
			x[n++] = mk(TRACE_OP_PTE_WRITE, v & 1, vas[v], sizes[s], 0);
		}
	for (size_t v = 0; v < 7; v++)
		for (unsigned e = 0; e < TRACE_EXC_COUNT; e++)
			x[n++] = mk(TRACE_OP_EXCEPTION, e, vas[v], 0, 0);
	static const unsigned asids[] = {0, 1, 14, 15, 16, 127, 128, 65535};
	for (size_t a = 0; a < 8; a++)
		x[n++] = mk(TRACE_OP_CTX_SWITCH, 0, 0, 0, asids[a]);
	cr_assert(lt(sz, n, 400));
	round_trip(x, n);
	round_trip(x, 0);
}

Test(insn_format, malformed_instructions_are_refused_by_the_encoder)
{
	trace_insn bad[] = {
		mk(TRACE_OP_COUNT, 0, 0, 0, 0),
		mk(TRACE_OP_BRANCH, 2, 0, 0, 0),
		mk(TRACE_OP_ALU, 0, 8, 0, 0),
		mk(TRACE_OP_ALU, 0, 0, 12, 0),
		mk(TRACE_OP_LOAD, 0, 0, 64, 0),
		mk(TRACE_OP_LOAD, 0, 0, 0, 1),
		mk(TRACE_OP_PRIV, TRACE_PRIV_COUNT, 0, 0, 0),
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		trace_insn x[2] = {mk(TRACE_OP_ALU, 0, 0, 0, 0), bad[k]};
		uint8_t *b = (uint8_t *)1;
		size_t len;
		sim_diag d;
		sim_diag_init(&d);
		cr_assert(eq(int, trace_insn_encode(x, 2, 12, &b, &len, &d),
			     SIM_EINPUT));
		cr_assert(eq(ptr, b, NULL));
		cr_assert(eq(int, strncmp(d.text, "instruction 1: ", 15), 0),
			  "%s", d.text);
		sim_diag_fini(&d);
	}
}

/* ------------------------------------------------------------------------
 * Refusals
 * ------------------------------------------------------------------------ */

static char *refusal(const uint8_t *b, size_t len)
{
	trace_insn *y = (trace_insn *)1;
	size_t n;
	sim_diag d;
	sim_diag_init(&d);
	int rc = trace_insn_decode("t.vit", b, len, &y, &n, NULL, &d);
	cr_assert(eq(int, rc, SIM_EINPUT));
	cr_assert(eq(ptr, y, NULL));
	char *msg = sim_xstrdup(d.text);
	sim_diag_fini(&d);
	return msg;
}

/* The example with byte `at` set to v (and the checksum fixed when
 * fix), refused with exactly `want`. */
static void refused_with(size_t at, uint8_t v, bool fix, const char *want)
{
	uint8_t b[sizeof example_bytes + 8];
	trace_insn x[9];
	example(x);
	size_t len;
	uint8_t *e = encode(x, 9, &len);
	memcpy(b, e, len);
	free(e);
	b[at] = v;
	if (fix) {
		uint64_t h = sim_hash64(b + 32, sizeof example_bytes - 32);
		for (int i = 0; i < 8; i++)
			b[sizeof example_bytes + i] = (uint8_t)(h >> (8 * i));
	}
	char *msg = refusal(b, len);
	cr_assert(eq(str, msg, STR(want)));
	free(msg);
}

Test(insn_errors, each_problem_has_its_offset_and_exact_message)
{
	refused_with(0, 'x', false,
		     "t.vit:0: not a vdcsim instruction trace (expected the "
		     "magic bytes 89 56 49 54 0d 0a 1a 0a)\n");
	refused_with(8, 2, false,
		     "t.vit:8: format version 2 is not supported (expected "
		     "1)\n");
	refused_with(10, 40, false,
		     "t.vit:10: base page shift 40 out of range (expected 9 "
		     "to 30)\n");
	refused_with(11, 1, false, "t.vit:11: flags 0x01 set (expected 0)\n");
	refused_with(24, 200, false,
		     "t.vit:24: body of 200 bytes cannot hold 9 instructions "
		     "(expected 1 to 12 bytes per instruction)\n");
	refused_with(24, 23, false,
		     "t.vit:62: file is 62 bytes (expected 63: the 32-byte "
		     "header, the 23-byte body it declares and an 8-byte "
		     "checksum)\n");
	refused_with(16, 8, false,
		     "t.vit:51: 3 bytes of body after the last instruction "
		     "(expected the body to end with instruction 8)\n");
	refused_with(16, 10, false,
		     "t.vit:54: body ends after 9 instructions (expected 10, "
		     "as the header says)\n");
	refused_with(41, 0x0e, true,
		     "t.vit:41: instruction 3: unknown op 14 (expected 0 to "
		     "13 in the low 4 bits of the opcode byte)\n");
	refused_with(41, 0x15, true,
		     "t.vit:41: instruction 3: SYSCALL with argument 1 "
		     "(expected a value of its enum, or 0 for an op without "
		     "one)\n");
	refused_with(42, 0x97, true,
		     "t.vit:42: instruction 4: PRIV with argument 9 (expected "
		     "a value of its enum, or 0 for an op without one)\n");
	refused_with(32, 0x41, true,
		     "t.vit:32: instruction 0: page-size code 4 (expected 0 "
		     "to 3, or 15 for an explicit size byte)\n");
	refused_with(37, 0x00, true,
		     "t.vit:37: instruction 0: varint with a trailing zero "
		     "byte (expected the shortest encoding)\n");
	refused_with(53, 0xff, true,
		     "t.vit:54: body ends inside instruction 8 (expected the "
		     "body length in the header to cover it)\n");
	refused_with(40, 0x00, false,
		     "t.vit:54: checksum 47f85a7ae450f465 does not match the "
		     "body's FNV-1a 6012e1054f440a12 (expected the body as "
		     "written)\n");
}

Test(insn_errors, short_files_and_extra_bytes_are_refused)
{
	trace_insn x[9];
	example(x);
	size_t len;
	uint8_t *b = encode(x, 9, &len);
	char *msg = refusal(b, 20);
	cr_assert(eq(str, msg, STR("t.vit:20: file ends inside the header "
				   "(expected 32 bytes of header)\n")));
	free(msg);
	msg = refusal(b, 4);
	cr_assert(eq(str, msg, STR("t.vit:4: file ends inside the header "
				   "(expected 32 bytes of header)\n")));
	free(msg);
	msg = refusal(b, 0);
	cr_assert(eq(str, msg, STR("t.vit:0: file ends inside the header "
				   "(expected 32 bytes of header)\n")));
	free(msg);
	free(b);
}

/* ------------------------------------------------------------------------
 * Streaming writer and reader
 * ------------------------------------------------------------------------ */

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/vdcsim-insn-XXXXXX");
	cr_assert(mkdtemp(dir) != NULL);
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert(eq(int, system(cmd), 0));
}

/* A pseudo-random stream exercising every form: small and huge deltas,
 * explicit sizes, long asids. */
static void random_stream(trace_insn *x, size_t n, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	uint64_t va = 0x10000000;
	for (size_t k = 0; k < n; k++) {
		unsigned op = (unsigned)gsl_rng_uniform_int(r, TRACE_OP_COUNT);
		trace_insn i = mk(op, 0, 0, 0, 0);
		unsigned u = (unsigned)gsl_rng_uniform_int(r, 9);
		i.arg = (uint8_t)u;
		if (trace_insn_problem(&i))
			i.arg = 0;
		if (op == TRACE_OP_LOAD || op == TRACE_OP_STORE ||
		    op == TRACE_OP_PTE_WRITE || op == TRACE_OP_EXCEPTION) {
			va += gsl_rng_uniform_int(r, 3) == 0
				      ? (uint64_t)gsl_rng_get(r) << 20
				      : 8 * gsl_rng_uniform_int(r, 64);
			i.va = va;
		}
		if (op == TRACE_OP_LOAD || op == TRACE_OP_STORE ||
		    op == TRACE_OP_PTE_WRITE)
			i.size = (uint8_t)gsl_rng_uniform_int(r, 40);
		if (op == TRACE_OP_CTX_SWITCH)
			i.asid = (uint16_t)gsl_rng_uniform_int(r, 40);
		x[k] = i;
	}
	gsl_rng_free(r);
}

Test(insn_stream, the_writer_and_reader_agree_across_window_boundaries,
     .init = make_dir, .fini = remove_dir)
{
	enum { N = 300000 };
	trace_insn *x = sim_xcalloc(N, sizeof *x);
	random_stream(x, N, 7);
	char path[128];
	snprintf(path, sizeof path, "%s/s.vit", dir);
	sim_diag d;
	sim_diag_init(&d);
	trace_insn_writer *w;
	cr_assert(eq(int, trace_insn_writer_open(path, 0, 12, &w, &d), 0));
	for (size_t k = 0; k < N; k += 1000)
		cr_assert(eq(int, trace_insn_writer_put(w, x + k, 1000, &d), 0));
	cr_assert(eq(u64, trace_insn_writer_count(w), N));
	uint64_t bytes = trace_insn_writer_bytes(w);
	cr_assert(eq(int, trace_insn_writer_commit(w, &d), 0));

	/* The streamed file is byte for byte the in-memory encoding. */
	size_t len;
	uint8_t *mem = encode(x, N, &len);
	cr_assert(eq(u64, bytes, len));
	FILE *f = fopen(path, "rb");
	uint8_t *file = sim_xmalloc(len + 1);
	cr_assert(eq(sz, fread(file, 1, len + 1, f), len));
	fclose(f);
	cr_assert(eq(int, memcmp(file, mem, len), 0));

	trace_insn_reader *r;
	cr_assert(eq(int, trace_insn_reader_open(path, &r, &d), 0));
	cr_assert(eq(u64, trace_insn_reader_count(r), N));
	trace_insn buf[7];
	size_t got = 0, n;
	for (;;) {
		cr_assert(eq(int, trace_insn_reader_read(r, buf, 7, &n, &d), 0),
			  "%s", d.text);
		if (!n)
			break;
		same(x + got, buf, n);
		got += n;
	}
	cr_assert(eq(sz, got, N));
	trace_insn_reader_close(r);
	free(file);
	free(mem);
	free(x);
	sim_diag_fini(&d);
}

Test(insn_stream, a_truncated_file_fails_at_its_end_and_keeps_failing,
     .init = make_dir, .fini = remove_dir)
{
	enum { N = 50000 };
	trace_insn *x = sim_xcalloc(N, sizeof *x);
	random_stream(x, N, 3);
	size_t len;
	uint8_t *mem = encode(x, N, &len);
	char path[128];
	snprintf(path, sizeof path, "%s/t.vit", dir);
	cr_assert(eq(int, sim_file_put(path, mem, len - 100, 0, NULL), 0));
	sim_diag d;
	sim_diag_init(&d);
	trace_insn_reader *r;
	cr_assert(eq(int, trace_insn_reader_open(path, &r, &d), SIM_EINPUT));
	cr_assert(eq(ptr, r, NULL));
	char want[256];
	snprintf(want, sizeof want, "%s:%zu: file is %zu bytes (expected "
		 "%zu: the 32-byte header, the %zu-byte body it declares and "
		 "an 8-byte checksum)\n", path, len - 100, len - 100, len,
		 len - 40);
	cr_assert(eq(str, d.text, want));
	sim_diag_fini(&d);
	free(mem);
	free(x);
}

Test(insn_stream, an_invalid_instruction_aborts_the_writer_and_leaves_no_file,
     .init = make_dir, .fini = remove_dir)
{
	char path[128];
	snprintf(path, sizeof path, "%s/w.vit", dir);
	sim_diag d;
	sim_diag_init(&d);
	trace_insn_writer *w;
	cr_assert(eq(int, trace_insn_writer_open(path, 0, 12, &w, &d), 0));
	trace_insn x[2] = {mk(TRACE_OP_ALU, 0, 0, 0, 0),
			   mk(TRACE_OP_ALU, 0, 4, 0, 0)};
	cr_assert(eq(int, trace_insn_writer_put(w, x, 2, &d), SIM_EINPUT));
	trace_insn_writer_abort(w);
	cr_assert(eq(int, access(path, F_OK), -1));
	char want[256];
	snprintf(want, sizeof want, "%s: instruction 1: a va on an op without "
		 "an address (expected va 0)\n", path);
	cr_assert(eq(str, d.text, want));
	cr_assert(eq(int, trace_insn_writer_open(path, 0, 31, &w, &d),
		     SIM_EINPUT));
	sim_diag_fini(&d);
}

/* ------------------------------------------------------------------------
 * Privilege levels
 * ------------------------------------------------------------------------ */

static const char *levels(const trace_insn *x, size_t n, uint64_t *bad,
			  unsigned *depth)
{
	trace_insn_levels l;
	trace_insn_levels_init(&l);
	const char *why = trace_insn_levels_feed(&l, x, n, bad);
	*depth = l.depth;
	return why;
}

Test(insn_levels, entries_returns_and_kernel_only_ops_are_checked)
{
	trace_insn ok[] = {
		mk(TRACE_OP_ALU, 0, 0, 0, 0),
		mk(TRACE_OP_SYSCALL, 0, 0, 0, 0),
		mk(TRACE_OP_PRIV, 1, 0, 0, 0),
		mk(TRACE_OP_INTERRUPT, 1, 0, 0, 0),
		mk(TRACE_OP_PTE_WRITE, 1, 8192, 0, 0),
		mk(TRACE_OP_RETURN, 0, 0, 0, 0),
		mk(TRACE_OP_CTX_SWITCH, 0, 0, 0, 4),
		mk(TRACE_OP_RETURN, 0, 0, 0, 0),
		mk(TRACE_OP_EXCEPTION, 0, 4096, 0, 0),
	};
	uint64_t bad = 99;
	unsigned depth;
	cr_assert(eq(ptr, (void *)levels(ok, 9, &bad, &depth), NULL));
	cr_assert(eq(u32, depth, 1));
	trace_insn two[] = {ok[1], ok[3], ok[3]};
	cr_assert(levels(two, 3, &bad, &depth) != NULL);
	cr_assert(eq(u64, bad, 2));
	trace_insn user_priv[] = {ok[0], ok[2]};
	cr_assert(levels(user_priv, 2, &bad, &depth) != NULL);
	cr_assert(eq(u64, bad, 1));
	trace_insn ret[] = {ok[5]};
	cr_assert(levels(ret, 1, &bad, &depth) != NULL);
	cr_assert(eq(u64, bad, 0));
	trace_insn nested[] = {ok[1], ok[8]};
	cr_assert(levels(nested, 2, &bad, &depth) != NULL);
	cr_assert(eq(u64, bad, 1));
	trace_insn user_ctx[] = {ok[6]};
	cr_assert(levels(user_ctx, 1, &bad, &depth) != NULL);
}

/* ------------------------------------------------------------------------
 * Fuzzing
 * ------------------------------------------------------------------------ */

#define FUZZ_MAX 2048

static void fix_up(uint8_t *b, size_t len)
{
	if (len < 40)
		return;
	uint64_t body = len - 40;
	for (int i = 0; i < 8; i++)
		b[24 + i] = (uint8_t)(body >> (8 * i));
	uint64_t h = sim_hash64(b + 32, body);
	for (int i = 0; i < 8; i++)
		b[len - 8 + i] = (uint8_t)(h >> (8 * i));
}

/* One message line "t.vit:OFFSET: text\n" with OFFSET <= len. */
static bool positioned(const char *msg, size_t len)
{
	unsigned long long off = 0;
	int used = 0;
	if (sscanf(msg, "t.vit:%llu: %n", &off, &used) != 1 || used == 0 ||
	    off > len)
		return false;
	const char *nl = strchr(msg, '\n');
	return nl && nl[1] == '\0';
}

static void fuzz_batch(unsigned long seed, unsigned n)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	unsigned accepted = 0;
	for (unsigned it = 0; it < n; it++) {
		enum { M = 60 };
		trace_insn x[M];
		size_t m = 1 + fuzz_pick(r, M);
		random_stream(x, m, seed * 1000003 + it);
		size_t len;
		uint8_t *e = encode(x, m, &len);
		uint8_t b[FUZZ_MAX + 64];
		memcpy(b, e, len);
		free(e);
		unsigned rounds = 1 + (unsigned)fuzz_pick(r, 3);
		for (unsigned k = 0; k < rounds; k++) {
			size_t at = fuzz_pick(r, len + 1);
			/* Mostly the body, where the decoder lives. */
			if (fuzz_pick(r, 4) && len > 40)
				at = 32 + fuzz_pick(r, len - 40);
			switch (gsl_rng_uniform_int(r, 6)) {
			case 0:
				if (at < len)
					b[at] ^= (uint8_t)(1u << fuzz_pick(r, 8));
				break;
			case 1:
				if (at < len)
					b[at] = (uint8_t)fuzz_pick(r, 256);
				break;
			case 2:
				fuzz_delete_span((char *)b, &len, at, r);
				break;
			case 3: {
				char tmp[64];
				size_t k2 = fuzz_copy_span((char *)b, len, r,
							   tmp);
				fuzz_insert((char *)b, &len, FUZZ_MAX, at, tmp,
					    k2);
				break;
			}
			case 4:
				len = at;
				break;
			default: {
				char c = (char)fuzz_pick(r, 256);
				fuzz_insert((char *)b, &len, FUZZ_MAX, at, &c, 1);
				break;
			}
			}
		}
		/* Three inputs in four get a consistent length and checksum,
		 * so that the decoder, not the checksum, judges them. */
		if (fuzz_pick(r, 4))
			fix_up(b, len);
		trace_insn *y = (trace_insn *)1;
		size_t got;
		sim_diag d;
		sim_diag_init(&d);
		int rc = trace_insn_decode("t.vit", b, len, &y, &got, NULL, &d);
		cr_assert(rc == 0 || rc == SIM_EINPUT);
		if (rc) {
			cr_assert(eq(ptr, y, NULL));
			cr_assert(positioned(d.text, len), "%s", d.text);
		} else {
			accepted++;
			/* Encoding is canonical: what reads back re-encodes
			 * to the same bytes (bar the page shift byte). */
			size_t len2;
			uint8_t *again;
			sim_diag_fini(&d);
			sim_diag_init(&d);
			cr_assert(eq(int, trace_insn_encode(y, got, b[10], &again,
							   &len2, &d), 0));
			cr_assert(eq(sz, len2, len));
			cr_assert(eq(int, memcmp(again, b, len), 0));
			free(again);
			free(y);
		}
		sim_diag_fini(&d);
	}
	cr_expect(gt(u32, accepted, n / 20), "accepted %u of %u", accepted, n);
	cr_expect(lt(u32, accepted, n - n / 10), "accepted %u of %u", accepted,
		  n);
	gsl_rng_free(r);
}

Test(insn_fuzz, mutated_traces_batch_1_decode_or_fail_with_offsets)
{
	fuzz_batch(1, 10000);
}

Test(insn_fuzz, mutated_traces_batch_2_decode_or_fail_with_offsets)
{
	fuzz_batch(2, 10000);
}

Test(insn_fuzz, mutated_traces_batch_3_decode_or_fail_with_offsets)
{
	fuzz_batch(3, 10000);
}
