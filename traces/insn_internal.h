/* SPDX-License-Identifier: MIT */
/*
 * Private constants of the binary instruction-trace format v1 shared by
 * its writer (insn.c) and reader (insn_read.c); traces/insn-format.md is
 * the specification.
 */
#ifndef VDCSIM_INSN_INTERNAL_H
#define VDCSIM_INSN_INTERNAL_H

#include "trace.h"

#define INSN_MAGIC "\x89VIT\r\n\x1a\n"
#define INSN_MAGIC_LEN 8
#define INSN_VERSION 1
#define INSN_HEADER 32
#define INSN_TRAILER 8
/* The longest encoding: opcode, size byte, 10-byte varint. */
#define INSN_MAX_BYTES 12

/* Size codes 0..3 for the common page sizes; an escape code means an
 * explicit size byte follows (4 bits for LOAD/STORE, 3 for PTE_WRITE). */
#define INSN_SIZE_ESC4 15
#define INSN_SIZE_ESC3 7
#define INSN_ASID_ESC 15

/* Kinds of address, each delta-coded against its own predecessor. */
enum { VA_DATA, VA_PTE, VA_FAULT, VA_KINDS };

static const uint8_t insn_size_code_value[4] = {0, 12, 21, 30};

/* The short code of a size, or -1 when it needs the explicit byte. */
static inline int insn_size_code(uint8_t size)
{
	for (int c = 0; c < 4; c++)
		if (insn_size_code_value[c] == size)
			return c;
	return -1;
}

static inline void insn_put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t insn_get_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#endif /* VDCSIM_INSN_INTERNAL_H */
