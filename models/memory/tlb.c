/* SPDX-License-Identifier: MIT */
/*
 * The TLB of the machine model (set-associative, FIFO, tagged or not), the
 * page-walk reference count of one- and two-dimensional walks, and small
 * direct-mapped key caches (page-walk cache, Disco's L2TLB). Costs are
 * charged by models/cpu/, not here.
 */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

bool mem_tlb_geometry_is_valid(uint64_t entries, uint64_t ways)
{
	return ways >= 1 && ways <= entries && entries <= MEM_TLB_MAX_ENTRIES &&
	       entries % ways == 0 && is_pow2(entries / ways);
}

void mem_tlb_init(mem_tlb *t, uint32_t entries, uint32_t ways)
{
	if (!mem_tlb_geometry_is_valid(entries, ways))
		sim_panic("mem_tlb_init: %u entries, %u ways", entries, ways);
	t->ways = ways;
	t->sets = entries / ways;
	t->set_mask = t->sets - 1;
	t->e = sim_xcalloc(entries, sizeof *t->e);
	t->victim = sim_xcalloc(t->sets, sizeof *t->victim);
	t->valid = sim_xcalloc(t->sets, sizeof *t->valid);
	t->gen = 1;
	t->flushes = 0;
	memset(t->sig, 0, sizeof t->sig);
}

/* The signature bit of a key (a multiplicative hash, its top 8 bits). */
static unsigned sig_bit(uint64_t key)
{
	return (unsigned)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 56);
}

void mem_tlb_fini(mem_tlb *t)
{
	free(t->e);
	free(t->victim);
	free(t->valid);
	t->e = NULL;
	t->victim = NULL;
	t->valid = NULL;
}

mem_tlb_entry *mem_tlb_insert(mem_tlb *t, uint64_t va, unsigned shift,
			      uint32_t tag, uint64_t gfn, uint32_t flags)
{
	uint64_t vpn = va >> shift;
	size_t set = (size_t)(vpn & t->set_mask);
	mem_tlb_entry *s = t->e + set * t->ways;
	/* An invalid way is used first, so a TLB fills before it evicts. */
	uint32_t w = t->ways;
	if (t->valid[set] < t->ways) {
		for (w = 0; w < t->ways && s[w].key; w++)
			;
		t->valid[set]++;
	}
	if (w == t->ways) {
		w = t->victim[set];
		t->victim[set] = w + 1 == t->ways ? 0 : w + 1;
	}
	s[w].key = vpn << 6 | shift;
	unsigned b = sig_bit(s[w].key);
	t->sig[b >> 6] |= UINT64_C(1) << (b & 63);
	s[w].tag = tag;
	s[w].flags = flags;
	s[w].gfn = gfn;
	t->gen++;
	return &s[w];
}

void mem_tlb_invalidate(mem_tlb *t, uint64_t va, unsigned shift,
			uint32_t tag)
{
	unsigned b = sig_bit((va >> shift) << 6 | shift);
	if (!(t->sig[b >> 6] >> (b & 63) & 1))
		return;
	mem_tlb_entry *e = mem_tlb_lookup(t, va, shift, tag);
	if (e) {
		e->key = 0;
		t->valid[(size_t)(e - t->e) / t->ways]--;
		t->gen++;
	}
}

void mem_tlb_flush(mem_tlb *t)
{
	memset(t->e, 0, (size_t)t->sets * t->ways * sizeof *t->e);
	memset(t->sig, 0, sizeof t->sig);
	memset(t->valid, 0, t->sets * sizeof *t->valid);
	t->gen++;
	t->flushes++;
}

void mem_tlb_flush_nonglobal(mem_tlb *t)
{
	size_t n = (size_t)t->sets * t->ways;
	for (size_t i = 0; i < n; i++)
		if (t->e[i].key && !(t->e[i].flags & MEM_TLB_G)) {
			t->e[i].key = 0;
			t->valid[i / t->ways]--;
		}
	t->gen++;
	t->flushes++;
}

void mem_tlb_flush_tag(mem_tlb *t, uint32_t mask, uint32_t want)
{
	size_t n = (size_t)t->sets * t->ways;
	for (size_t i = 0; i < n; i++)
		if (t->e[i].key && (t->e[i].tag & mask) == (want & mask)) {
			t->e[i].key = 0;
			t->valid[i / t->ways]--;
		}
	t->gen++;
}

void mem_tlb_clear_writable(mem_tlb *t)
{
	size_t n = (size_t)t->sets * t->ways;
	for (size_t i = 0; i < n; i++)
		t->e[i].flags &= ~MEM_TLB_W;
	t->gen++;
}

uint64_t mem_tlb_valid(const mem_tlb *t)
{
	size_t n = (size_t)t->sets * t->ways;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v += t->e[i].key != 0;
	return v;
}

unsigned mem_walk_refs(unsigned n, unsigned m, bool pwc_hit)
{
	if (n == 0)
		sim_panic("mem_walk_refs: a walk of 0 levels");
	unsigned g = pwc_hit ? 1 : n;
	return g * (m + 1) + m;
}

void mem_kcache_init(mem_kcache *c, uint64_t entries)
{
	if (entries && !is_pow2(entries))
		sim_panic("mem_kcache_init: %llu entries",
			  (unsigned long long)entries);
	c->mask = entries ? entries - 1 : 0;
	c->key = entries ? sim_xcalloc(entries, sizeof *c->key) : NULL;
	c->val = entries ? sim_xcalloc(entries, sizeof *c->val) : NULL;
	c->tag = entries ? sim_xcalloc(entries, sizeof *c->tag) : NULL;
}

void mem_kcache_fini(mem_kcache *c)
{
	free(c->key);
	free(c->val);
	free(c->tag);
	c->key = NULL;
	c->val = NULL;
	c->tag = NULL;
}

bool mem_kcache_get(const mem_kcache *c, uint64_t key, uint32_t tag,
		    uint64_t *val)
{
	if (!c->key)
		return false;
	size_t i = (size_t)(key & c->mask);
	if (c->key[i] != key || c->tag[i] != tag)
		return false;
	if (val)
		*val = c->val[i];
	return true;
}

void mem_kcache_put(mem_kcache *c, uint64_t key, uint32_t tag, uint64_t val)
{
	if (!c->key)
		return;
	size_t i = (size_t)(key & c->mask);
	c->key[i] = key;
	c->tag[i] = tag;
	c->val[i] = val;
}

void mem_kcache_clear(mem_kcache *c)
{
	if (c->key)
		memset(c->key, 0, (size_t)(c->mask + 1) * sizeof *c->key);
}
