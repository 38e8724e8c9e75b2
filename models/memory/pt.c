/* SPDX-License-Identifier: MIT */
/*
 * Multi-level radix page tables (guest, shadow) and a VM's memory as the
 * MMU sees it: guest page tables per address space, deterministic
 * guest-physical frames, the pmap to machine frames, shadow tables and
 * the dirty log. What a walk costs is the CPU model's business.
 */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* A slot: 0 empty; a leaf is frame << 8 | shift << 2 | 1; an inner slot
 * is child index << 2 | 2. */
#define SLOT_LEAF 1u
#define SLOT_NODE 2u

struct mem_pt {
	unsigned levels, bits, base_shift;
	unsigned reach;      /* base_shift + levels * bits */
	uint64_t fanout;
	uint64_t *slot;      /* [cap * fanout]; node i at slot[i * fanout] */
	uint64_t nnodes, cap;
	uint64_t mappings;
	/* Roots past node 0's, for addresses beyond the reach: the bits
	 * above it (key_of) and the root node, in order of creation. */
	uint64_t *root_key, *root_node;
	size_t nroots, caproots;
};

mem_pt *mem_pt_create(unsigned levels, unsigned bits, unsigned base_shift)
{
	if (levels < 1 || levels > 6 || bits < 1 || bits > 12 ||
	    base_shift < 10 || base_shift + levels * bits > 64)
		sim_panic("mem_pt_create: %u levels of %u bits over 2^%u",
			  levels, bits, base_shift);
	mem_pt *pt = sim_xcalloc(1, sizeof *pt);
	pt->levels = levels;
	pt->bits = bits;
	pt->base_shift = base_shift;
	pt->reach = base_shift + levels * bits;
	pt->fanout = UINT64_C(1) << bits;
	pt->cap = 4;
	pt->slot = sim_xcalloc((size_t)(pt->cap * pt->fanout), sizeof *pt->slot);
	pt->nnodes = 1;
	return pt;
}

void mem_pt_destroy(mem_pt *pt)
{
	if (!pt)
		return;
	free(pt->slot);
	free(pt->root_key);
	free(pt->root_node);
	free(pt);
}

bool mem_pt_shift_is_valid(const mem_pt *pt, unsigned shift)
{
	if (shift < pt->base_shift || shift > MEM_PAGE_SHIFT_MAX)
		return false;
	unsigned d = shift - pt->base_shift;
	return d % pt->bits == 0 && d / pt->bits < pt->levels;
}

/* The bits of va above the reach, 0 when they are all zeros or all ones
 * (the canonical halves: node 0's root holds both). */
static uint64_t key_of(const mem_pt *pt, uint64_t va)
{
	if (pt->reach >= 64)
		return 0;
	uint64_t k = va >> pt->reach;
	return k == UINT64_MAX >> pt->reach ? 0 : k;
}

/* The root node of va's key: true with *node, false if it has none. */
static bool root_of(const mem_pt *pt, uint64_t va, uint64_t *node)
{
	uint64_t k = key_of(pt, va);
	*node = 0;
	if (!k)
		return true;
	for (size_t i = 0; i < pt->nroots; i++)
		if (pt->root_key[i] == k) {
			*node = pt->root_node[i];
			return true;
		}
	return false;
}

/* Index of va in a node at depth l (0 = root). */
static size_t index_at(const mem_pt *pt, uint64_t va, unsigned l)
{
	unsigned sh = pt->base_shift + pt->bits * (pt->levels - 1 - l);
	return (size_t)((va >> sh) & (pt->fanout - 1));
}

bool mem_pt_lookup(const mem_pt *pt, uint64_t va, uint64_t *frame,
		   unsigned *shift, unsigned *levels_walked)
{
	uint64_t node;
	if (!root_of(pt, va, &node)) {
		/* The walk reads the root's empty entry. */
		if (levels_walked)
			*levels_walked = 1;
		return false;
	}
	for (unsigned l = 0; l < pt->levels; l++) {
		uint64_t s = pt->slot[node * pt->fanout + index_at(pt, va, l)];
		if (s & SLOT_LEAF) {
			if (frame)
				*frame = s >> 8;
			if (shift)
				*shift = (unsigned)(s >> 2 & 63);
			if (levels_walked)
				*levels_walked = l + 1;
			return true;
		}
		if (!(s & SLOT_NODE)) {
			if (levels_walked)
				*levels_walked = l + 1;
			return false;
		}
		node = s >> 2;
	}
	sim_panic("mem_pt_lookup: an inner slot at the last level");
}

bool mem_pt_table_exists(const mem_pt *pt, uint64_t va, unsigned shift)
{
	if (!mem_pt_shift_is_valid(pt, shift))
		sim_panic("mem_pt_table_exists: page shift %u", shift);
	/* The entry of a page of 2^shift bytes lives in the node at depth
	 * leaf_level; walk down to it. */
	unsigned leaf_level = pt->levels - 1 - (shift - pt->base_shift) / pt->bits;
	uint64_t node;
	if (!root_of(pt, va, &node))
		return false;
	for (unsigned l = 0; l < leaf_level; l++) {
		uint64_t s = pt->slot[node * pt->fanout + index_at(pt, va, l)];
		if (s & SLOT_LEAF)
			return true;  /* a larger mapping covers va */
		if (!(s & SLOT_NODE))
			return false;
		node = s >> 2;
	}
	return true;
}

static uint64_t node_alloc(mem_pt *pt)
{
	if (pt->nnodes == pt->cap) {
		uint64_t cap = pt->cap * 2;
		pt->slot = sim_xrealloc(pt->slot, (size_t)(cap * pt->fanout),
					sizeof *pt->slot);
		memset(pt->slot + pt->cap * pt->fanout, 0,
		       (size_t)((cap - pt->cap) * pt->fanout) * sizeof *pt->slot);
		pt->cap = cap;
	}
	return pt->nnodes++;
}

/* Leaves under an inner slot's subtree (they go when it is replaced). */
static uint64_t leaves_under(const mem_pt *pt, uint64_t node)
{
	uint64_t n = 0;
	for (uint64_t i = 0; i < pt->fanout; i++) {
		uint64_t s = pt->slot[node * pt->fanout + i];
		if (s & SLOT_LEAF)
			n++;
		else if (s & SLOT_NODE)
			n += leaves_under(pt, s >> 2);
	}
	return n;
}

unsigned mem_pt_map(mem_pt *pt, uint64_t va, unsigned shift, uint64_t frame)
{
	if (!mem_pt_shift_is_valid(pt, shift) || frame >> 56)
		sim_panic("mem_pt_map: page shift %u, frame %llu", shift,
			  (unsigned long long)frame);
	unsigned leaf_level = pt->levels - 1 - (shift - pt->base_shift) / pt->bits;
	unsigned made = 0;
	uint64_t node;
	if (!root_of(pt, va, &node)) {
		if (pt->nroots == pt->caproots) {
			pt->caproots = pt->caproots ? 2 * pt->caproots : 4;
			pt->root_key = sim_xrealloc(pt->root_key, pt->caproots,
						    sizeof *pt->root_key);
			pt->root_node = sim_xrealloc(pt->root_node,
						     pt->caproots,
						     sizeof *pt->root_node);
		}
		node = node_alloc(pt);
		made++;
		pt->root_key[pt->nroots] = key_of(pt, va);
		pt->root_node[pt->nroots++] = node;
	}
	for (unsigned l = 0; l < leaf_level; l++) {
		size_t at = (size_t)(node * pt->fanout) + index_at(pt, va, l);
		uint64_t s = pt->slot[at];
		if (!(s & SLOT_NODE)) {
			if (s & SLOT_LEAF)  /* a large page is split away */
				pt->mappings--;
			uint64_t child = node_alloc(pt);
			made++;
			pt->slot[at] = child << 2 | SLOT_NODE;
			node = child;
		} else {
			node = s >> 2;
		}
	}
	size_t at = (size_t)(node * pt->fanout) + index_at(pt, va, leaf_level);
	uint64_t s = pt->slot[at];
	if (s & SLOT_LEAF)
		pt->mappings--;
	else if (s & SLOT_NODE)
		pt->mappings -= leaves_under(pt, s >> 2);
	pt->slot[at] = frame << 8 | (uint64_t)shift << 2 | SLOT_LEAF;
	pt->mappings++;
	return made;
}

bool mem_pt_unmap(mem_pt *pt, uint64_t va)
{
	uint64_t node;
	if (!root_of(pt, va, &node))
		return false;
	for (unsigned l = 0; l < pt->levels; l++) {
		size_t at = (size_t)(node * pt->fanout) + index_at(pt, va, l);
		uint64_t s = pt->slot[at];
		if (s & SLOT_LEAF) {
			pt->slot[at] = 0;
			pt->mappings--;
			return true;
		}
		if (!(s & SLOT_NODE))
			return false;
		node = s >> 2;
	}
	return false;
}

uint64_t mem_pt_mappings(const mem_pt *pt)
{
	return pt->mappings;
}

uint64_t mem_pt_nodes(const mem_pt *pt)
{
	return pt->nnodes;
}

void mem_pt_clear(mem_pt *pt)
{
	memset(pt->slot, 0, (size_t)(pt->nnodes * pt->fanout) * sizeof *pt->slot);
	pt->nnodes = 1;
	pt->mappings = 0;
	pt->nroots = 0;
}

/* ------------------------------------------------------------------------
 * A VM's memory
 * ------------------------------------------------------------------------ */

#define NO_MFN UINT64_MAX

struct mem_vm {
	mem_vm_geom g;
	uint64_t *next_mfn;    /* borrowed */
	mem_pt **gpt, **spt;   /* [nasid], created on use */
	size_t nasid;
	uint64_t next_gfn;
	uint64_t *freed;       /* stack of freed single frames */
	size_t nfreed, capfreed;
	uint64_t *pmap;        /* [guest_pages]; NO_MFN = none yet */
	uint64_t pmap_frames;
	mem_dirtylog *log;
};

mem_vm *mem_vm_create(const mem_vm_geom *g, uint64_t *next_mfn)
{
	if (g->guest_pages == 0 || g->guest_pages > (UINT64_C(1) << 40))
		sim_panic("mem_vm_create: %llu guest pages",
			  (unsigned long long)g->guest_pages);
	mem_pt_destroy(mem_pt_create(g->levels, g->bits, g->base_shift));
	mem_vm *vm = sim_xcalloc(1, sizeof *vm);
	vm->g = *g;
	vm->next_mfn = next_mfn;
	vm->pmap = sim_xmalloc((size_t)g->guest_pages * sizeof *vm->pmap);
	memset(vm->pmap, 0xff, (size_t)g->guest_pages * sizeof *vm->pmap);
	vm->log = mem_dirtylog_create(g->guest_pages);
	return vm;
}

void mem_vm_destroy(mem_vm *vm)
{
	if (!vm)
		return;
	for (size_t i = 0; i < vm->nasid; i++) {
		mem_pt_destroy(vm->gpt[i]);
		mem_pt_destroy(vm->spt[i]);
	}
	free(vm->gpt);
	free(vm->spt);
	free(vm->pmap);
	free(vm->freed);
	mem_dirtylog_destroy(vm->log);
	free(vm);
}

static void grow_asids(mem_vm *vm, uint16_t asid)
{
	if (asid < vm->nasid)
		return;
	size_t n = (size_t)asid + 1;
	vm->gpt = sim_xrealloc(vm->gpt, n, sizeof *vm->gpt);
	vm->spt = sim_xrealloc(vm->spt, n, sizeof *vm->spt);
	for (size_t i = vm->nasid; i < n; i++)
		vm->gpt[i] = vm->spt[i] = NULL;
	vm->nasid = n;
}

mem_pt *mem_vm_gpt(mem_vm *vm, uint16_t asid)
{
	grow_asids(vm, asid);
	if (!vm->gpt[asid])
		vm->gpt[asid] = mem_pt_create(vm->g.levels, vm->g.bits,
					      vm->g.base_shift);
	return vm->gpt[asid];
}

mem_pt *mem_vm_spt(mem_vm *vm, uint16_t asid)
{
	grow_asids(vm, asid);
	if (!vm->spt[asid])
		vm->spt[asid] = mem_pt_create(vm->g.levels, vm->g.bits,
					      vm->g.base_shift);
	return vm->spt[asid];
}

mem_pt *mem_vm_spt_peek(const mem_vm *vm, uint16_t asid)
{
	return asid < vm->nasid ? vm->spt[asid] : NULL;
}

void mem_vm_shadow_drop(mem_vm *vm)
{
	for (size_t i = 0; i < vm->nasid; i++)
		if (vm->spt[i])
			mem_pt_clear(vm->spt[i]);
}

uint64_t mem_vm_gfn_alloc(mem_vm *vm, unsigned order)
{
	if (order >= 32)
		sim_panic("mem_vm_gfn_alloc: order %u", order);
	if (order == 0 && vm->nfreed)
		return vm->freed[--vm->nfreed];
	uint64_t n = UINT64_C(1) << order;
	uint64_t gfn = (vm->next_gfn + n - 1) & ~(n - 1);
	if (gfn + n > vm->g.guest_pages)  /* wrap: frames are reused */
		gfn = 0;
	if (n > vm->g.guest_pages)
		n = vm->g.guest_pages;
	vm->next_gfn = gfn + n;
	return gfn;
}

void mem_vm_gfn_free(mem_vm *vm, uint64_t gfn)
{
	if (gfn >= vm->g.guest_pages)
		sim_panic("mem_vm_gfn_free: frame %llu", (unsigned long long)gfn);
	if (vm->nfreed == vm->capfreed) {
		vm->capfreed = vm->capfreed ? 2 * vm->capfreed : 64;
		vm->freed = sim_xrealloc(vm->freed, vm->capfreed,
					 sizeof *vm->freed);
	}
	vm->freed[vm->nfreed++] = gfn;
}

uint64_t mem_vm_pmap(mem_vm *vm, uint64_t gfn, bool *fresh)
{
	if (gfn >= vm->g.guest_pages)
		sim_panic("mem_vm_pmap: frame %llu of %llu",
			  (unsigned long long)gfn,
			  (unsigned long long)vm->g.guest_pages);
	bool f = vm->pmap[gfn] == NO_MFN;
	if (f) {
		vm->pmap[gfn] = (*vm->next_mfn)++;
		vm->pmap_frames++;
	}
	if (fresh)
		*fresh = f;
	return vm->pmap[gfn];
}

bool mem_vm_pmap_has(const mem_vm *vm, uint64_t gfn)
{
	return gfn < vm->g.guest_pages && vm->pmap[gfn] != NO_MFN;
}

uint64_t mem_vm_pmap_frames(const mem_vm *vm)
{
	return vm->pmap_frames;
}

mem_dirtylog *mem_vm_dirtylog(mem_vm *vm)
{
	return vm->log;
}

const mem_vm_geom *mem_vm_geometry(const mem_vm *vm)
{
	return &vm->g;
}
