/* SPDX-License-Identifier: MIT */
/*
 * A deterministic allocator over a region (the recorder's arena): size
 * classes four to a power of two (16-byte multiples), carved upwards from
 * the region's start, freed blocks kept on a LIFO list per class. Offsets
 * depend only on the sequence of calls, so the pages a program writes
 * through it are the same wherever the region is mapped. Its own
 * bookkeeping writes (a block's header, the free-list link in a freed
 * block) land in the region too, as a real allocator's do.
 */
#include "rec.h"

#include <string.h>

#define HDR 16u
#define MAGIC 0x52454341u /* "RECA" */

typedef struct hdr {
	uint32_t cls, magic;
	uint64_t pad;
} hdr;

_Static_assert(sizeof(hdr) == HDR, "header is 16 bytes");

/* The block size (header included) of class c. */
static uint64_t class_size(unsigned c)
{
	uint64_t s = (UINT64_C(1) << (4 + c / 4)) * (4 + c % 4) / 4;
	return (s + 15) & ~UINT64_C(15);
}

/* The smallest class whose block holds need bytes, or REC_ALLOC_CLASSES. */
static unsigned class_of(uint64_t need)
{
	unsigned c = 0;
	while (c < REC_ALLOC_CLASSES && class_size(c) < need)
		c++;
	return c;
}

void rec_alloc_init(rec_alloc *al, void *base, uint64_t size)
{
	memset(al, 0, sizeof *al);
	al->base = base;
	al->size = size;
}

uint64_t rec_alloc_roundup(uint64_t n)
{
	unsigned c = class_of(n + HDR);
	return c < REC_ALLOC_CLASSES ? class_size(c) - HDR : n;
}

void *rec_alloc_malloc(rec_alloc *al, uint64_t n)
{
	if (n == 0)
		n = 1;
	unsigned c = n > al->size ? REC_ALLOC_CLASSES : class_of(n + HDR);
	hdr *h = NULL;
	if (c < REC_ALLOC_CLASSES && al->free_list[c]) {
		h = (hdr *)((unsigned char *)al->free_list[c] - HDR);
		memcpy(&al->free_list[c], al->free_list[c], sizeof(void *));
	} else if (c < REC_ALLOC_CLASSES && class_size(c) <= al->size - al->top) {
		h = (hdr *)(al->base + al->top);
		al->top += class_size(c);
		if (al->top > al->peak)
			al->peak = al->top;
	} else {
		if (!al->failed)
			al->failed = n;
		return NULL;
	}
	h->cls = c;
	h->magic = MAGIC;
	al->in_use += class_size(c);
	return (unsigned char *)h + HDR;
}

static hdr *header_of(const rec_alloc *al, const void *p)
{
	hdr *h = (hdr *)((unsigned char *)p - HDR);
	if ((unsigned char *)h < al->base || (unsigned char *)h >= al->base + al->top ||
	    h->magic != MAGIC || h->cls >= REC_ALLOC_CLASSES)
		sim_panic("rec_alloc: %p is not a block of this allocator", p);
	return h;
}

void rec_alloc_free(rec_alloc *al, void *p)
{
	if (!p)
		return;
	hdr *h = header_of(al, p);
	unsigned c = h->cls;
	al->in_use -= class_size(c);
	memcpy(p, &al->free_list[c], sizeof(void *));
	al->free_list[c] = p;
}

uint64_t rec_alloc_size(const rec_alloc *al, const void *p)
{
	return class_size(header_of(al, p)->cls) - HDR;
}

void *rec_alloc_realloc(rec_alloc *al, void *p, uint64_t n)
{
	if (!p)
		return rec_alloc_malloc(al, n);
	uint64_t have = rec_alloc_size(al, p);
	if (n <= have)
		return p;
	void *q = rec_alloc_malloc(al, n);
	if (!q)
		return NULL;
	memcpy(q, p, have);
	rec_alloc_free(al, p);
	return q;
}
