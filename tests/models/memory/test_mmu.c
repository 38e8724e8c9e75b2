/* SPDX-License-Identifier: MIT */
/*
 * Tests of the MMU structures of models/memory/: TLB geometry, tags,
 * FIFO replacement and flushes; the page-walk reference counts of 1-D and
 * 2-D walks; radix page tables with large pages; a VM's deterministic
 * frames, pmap and shadow tables.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdlib.h>
#include <string.h>

#include "mem.h"

Test(mem_tlb, geometry_needs_entries_divisible_into_a_power_of_two_of_sets)
{
	cr_assert(mem_tlb_geometry_is_valid(64, 64));
	cr_assert(mem_tlb_geometry_is_valid(64, 4));
	cr_assert(mem_tlb_geometry_is_valid(1536, 12));          /* 128 sets */
	cr_assert(not(mem_tlb_geometry_is_valid(1536, 16)));     /* 96 sets */
	cr_assert(not(mem_tlb_geometry_is_valid(60, 8)));        /* 7.5 sets */
	cr_assert(not(mem_tlb_geometry_is_valid(48, 4)));        /* 12 sets */
	cr_assert(not(mem_tlb_geometry_is_valid(4, 8)));
	cr_assert(not(mem_tlb_geometry_is_valid(0, 1)));
	cr_assert(not(mem_tlb_geometry_is_valid(131072, 1)));
}

Test(mem_tlb, hits_after_insert_only_with_the_same_tag_and_page_size)
{
	mem_tlb t;
	mem_tlb_init(&t, 64, 4);
	cr_assert(mem_tlb_lookup(&t, 0x5000, 12, 7) == NULL);
	mem_tlb_insert(&t, 0x5000, 12, 7, 42, MEM_TLB_W);
	mem_tlb_entry *e = mem_tlb_lookup(&t, 0x5fff, 12, 7);
	cr_assert(e != NULL);
	cr_assert(eq(u64, e->gfn, 42));
	cr_assert(mem_tlb_lookup(&t, 0x5000, 12, 8) == NULL);   /* other tag */
	cr_assert(mem_tlb_lookup(&t, 0x5000, 21, 7) == NULL);   /* other size */
	cr_assert(mem_tlb_lookup(&t, 0x6000, 12, 7) == NULL);
	/* A 2 MiB entry covers every 4 KiB page inside it. */
	mem_tlb_insert(&t, 0x200000, 21, 7, 512, MEM_TLB_W);
	cr_assert(mem_tlb_lookup(&t, 0x3fffff, 21, 7) != NULL);
	cr_assert(eq(u64, mem_tlb_valid(&t), 2));
	mem_tlb_fini(&t);
}

Test(mem_tlb, a_full_set_evicts_in_fifo_order_and_hits_change_nothing)
{
	mem_tlb t;
	mem_tlb_init(&t, 8, 2);  /* 4 sets of 2 */
	/* Pages 0, 4, 8 map to set 0. */
	mem_tlb_insert(&t, 0 << 12, 12, 0, 0, 0);
	mem_tlb_insert(&t, 4 << 12, 12, 0, 4, 0);
	cr_assert(mem_tlb_lookup(&t, 0, 12, 0) != NULL); /* a hit: no LRU */
	mem_tlb_insert(&t, 8 << 12, 12, 0, 8, 0);        /* evicts page 0 */
	cr_assert(mem_tlb_lookup(&t, 0, 12, 0) == NULL);
	cr_assert(mem_tlb_lookup(&t, 4 << 12, 12, 0) != NULL);
	cr_assert(mem_tlb_lookup(&t, 8 << 12, 12, 0) != NULL);
	mem_tlb_insert(&t, 12 << 12, 12, 0, 12, 0);      /* evicts page 4 */
	cr_assert(mem_tlb_lookup(&t, 4 << 12, 12, 0) == NULL);
	/* Other sets were untouched. */
	mem_tlb_insert(&t, 1 << 12, 12, 0, 1, 0);
	cr_assert(eq(u64, mem_tlb_valid(&t), 3));
	mem_tlb_fini(&t);
}

/* A reference TLB written plainly (no signature, no per-set counts): a
 * lookup searches the set, an insert takes the first invalid way else
 * the set's FIFO victim, an invalidation searches and clears. */
typedef struct ref_tlb {
	uint32_t sets, ways;
	uint64_t key[2048], gen, flushes;
	uint32_t tag[2048], victim[2048], flags[2048];
} ref_tlb;

static int ref_find(const ref_tlb *r, uint64_t va, unsigned shift,
		    uint32_t tag)
{
	uint64_t vpn = va >> shift, key = vpn << 6 | shift;
	uint32_t set = (uint32_t)(vpn & (r->sets - 1));
	for (uint32_t w = 0; w < r->ways; w++) {
		uint32_t i = set * r->ways + w;
		if (r->key[i] == key && r->tag[i] == tag)
			return (int)i;
	}
	return -1;
}

/* Returns whether it evicted. */
static bool ref_insert(ref_tlb *r, uint64_t va, unsigned shift,
		       uint32_t tag, uint32_t flags)
{
	uint64_t vpn = va >> shift;
	uint32_t set = (uint32_t)(vpn & (r->sets - 1)), w;
	for (w = 0; w < r->ways && r->key[set * r->ways + w]; w++)
		;
	bool full = w == r->ways;
	if (full) {
		w = r->victim[set];
		r->victim[set] = (w + 1) % r->ways;
	}
	r->key[set * r->ways + w] = vpn << 6 | shift;
	r->tag[set * r->ways + w] = tag;
	r->flags[set * r->ways + w] = flags;
	r->gen++;
	return full;
}

/* mem_tlb's shortcuts (the insertion signature that skips an
 * invalidation's search, the per-set count that skips an insert's search
 * for an invalid way) change nothing: a random mix of inserts (a quarter
 * global), invalidations (of held and of absent pages, two page sizes,
 * two tags), tag flushes, flushes of the non-global entries and whole
 * flushes leaves the TLB entry for entry as the reference, with as many
 * generations and flushes. */
Test(mem_tlb, shortcuts_leave_the_tlb_as_a_plain_search_does)
{
	const uint32_t geo[][2] = {{64, 64}, {64, 4}, {1536, 12}};
	static ref_tlb r;
	for (size_t gi = 0; gi < sizeof geo / sizeof geo[0]; gi++) {
		mem_tlb t;
		mem_tlb_init(&t, geo[gi][0], geo[gi][1]);
		memset(&r, 0, sizeof r);
		r.sets = geo[gi][0] / geo[gi][1];
		r.ways = geo[gi][1];
		r.gen = t.gen;
		uint64_t x = 88172645463325252u, hits = 0, evictions = 0;
		uint64_t kept = 0;
		for (int i = 0; i < 200000; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Twice as many pages as entries, per tag. */
			uint64_t va = ((x >> 8) % (2 * geo[gi][0])) << 12;
			unsigned shift = (x >> 20 & 7) ? 12 : 21;
			uint32_t tag = (uint32_t)(x >> 24 & 1);
			unsigned op = (unsigned)((x >> 40) % 100000);
			if (op < 50000) {
				uint32_t fl = (x >> 50 & 3) ? 0 : MEM_TLB_G;
				if (!mem_tlb_lookup(&t, va, shift, tag)) {
					mem_tlb_insert(&t, va, shift, tag, 1, fl);
					evictions += ref_insert(&r, va, shift,
								tag, fl);
				}
			} else if (op < 99970) {
				mem_tlb_invalidate(&t, va, shift, tag);
				int k = ref_find(&r, va, shift, tag);
				if (k >= 0) {
					r.key[k] = 0;
					r.gen++;
					hits++;
				}
			} else if (op < 99980) {
				mem_tlb_flush_nonglobal(&t);
				for (size_t k = 0; k < r.sets * r.ways; k++)
					if (!(r.flags[k] & MEM_TLB_G))
						r.key[k] = 0;
				r.gen++;
				r.flushes++;
				kept += mem_tlb_valid(&t);
			} else if (op < 99990) {
				mem_tlb_flush_tag(&t, 1, tag);
				for (size_t k = 0; k < r.sets * r.ways; k++)
					if (r.key[k] && (r.tag[k] & 1) == tag)
						r.key[k] = 0;
				r.gen++;
			} else {
				mem_tlb_flush(&t);
				memset(r.key, 0, sizeof r.key);
				r.gen++;
				r.flushes++;
			}
			size_t n = (size_t)t.sets * t.ways;
			for (size_t k = 0; k < n; k++)
				cr_assert(t.e[k].key == r.key[k] &&
					  (!r.key[k] || t.e[k].tag == r.tag[k]),
					  "geometry %zu, op %d: entry %zu",
					  gi, i, k);
			cr_assert(eq(u64, t.gen, r.gen));
			cr_assert(eq(u64, t.flushes, r.flushes));
		}
		/* Global entries outlived flushes of the others. */
		cr_assert(gt(u64, kept, 0));
		/* Invalidations found entries to remove, and full TLBs
		 * evicted. */
		cr_assert(gt(u64, hits, 1000));
		cr_assert(gt(u64, evictions, 1000));
		mem_tlb_fini(&t);
	}
}

Test(mem_tlb, flushes_remove_all_or_one_tag)
{
	mem_tlb t;
	mem_tlb_init(&t, 64, 4);
	for (uint64_t p = 0; p < 8; p++) {
		mem_tlb_insert(&t, p << 12, 12, 1u << 16 | 3, p, 0);
		mem_tlb_insert(&t, p << 12, 12, 2u << 16 | 3, p, 0);
	}
	cr_assert(eq(u64, mem_tlb_valid(&t), 16));
	uint64_t g = t.gen;
	mem_tlb_flush_tag(&t, 0xffff0000u, 1u << 16);  /* VM 1's entries */
	cr_assert(t.gen > g);
	cr_assert(eq(u64, mem_tlb_valid(&t), 8));
	cr_assert(mem_tlb_lookup(&t, 0, 12, 2u << 16 | 3) != NULL);
	mem_tlb_invalidate(&t, 0, 12, 2u << 16 | 3);
	cr_assert(eq(u64, mem_tlb_valid(&t), 7));
	mem_tlb_flush(&t);
	cr_assert(eq(u64, mem_tlb_valid(&t), 0));
	cr_assert(eq(u64, t.flushes, 1));
	mem_tlb_fini(&t);
}

Test(mem_walk, two_dimensional_walks_make_24_references_for_4x4_levels)
{
	cr_assert(eq(u32, mem_walk_refs(4, 0, false), 4));
	cr_assert(eq(u32, mem_walk_refs(2, 0, false), 2));
	cr_assert(eq(u32, mem_walk_refs(4, 0, true), 1));
	cr_assert(eq(u32, mem_walk_refs(4, 4, false), 24));
	/* 2 MiB host pages: the host walks 3 levels, (4+1)(3+1)-1 = 19. */
	cr_assert(eq(u32, mem_walk_refs(4, 3, false), 19));
	/* 5-level tables: 35 [Bhargava08]. */
	cr_assert(eq(u32, mem_walk_refs(5, 5, false), 35));
	/* A walk-cache hit leaves the guest leaf: 1*(m+1) + m. */
	cr_assert(eq(u32, mem_walk_refs(4, 4, true), 9));
}

Test(mem_kcache, a_direct_mapped_cache_keeps_the_latest_key_per_slot)
{
	mem_kcache c;
	mem_kcache_init(&c, 4);
	uint64_t v = 0;
	cr_assert(not(mem_kcache_get(&c, 5, 0, &v)));
	mem_kcache_put(&c, 5, 0, 50);
	cr_assert(mem_kcache_get(&c, 5, 0, &v));
	cr_assert(eq(u64, v, 50));
	cr_assert(not(mem_kcache_get(&c, 5, 1, &v)));
	mem_kcache_put(&c, 9, 0, 90);  /* same slot (9 & 3 = 1) */
	cr_assert(not(mem_kcache_get(&c, 5, 0, &v)));
	mem_kcache_clear(&c);
	cr_assert(not(mem_kcache_get(&c, 9, 0, &v)));
	mem_kcache_fini(&c);
	mem_kcache_init(&c, 0);  /* absent: never hits */
	mem_kcache_put(&c, 5, 0, 1);
	cr_assert(not(mem_kcache_get(&c, 5, 0, &v)));
	mem_kcache_fini(&c);
}

Test(mem_pt, maps_base_and_large_pages_at_their_levels)
{
	mem_pt *pt = mem_pt_create(4, 9, 12);
	uint64_t f;
	unsigned s, lv;
	cr_assert(not(mem_pt_lookup(pt, 0x1234000, &f, &s, &lv)));
	cr_assert(eq(u32, lv, 1));
	cr_assert(eq(u32, mem_pt_map(pt, 0x1234000, 12, 77), 3));
	cr_assert(mem_pt_lookup(pt, 0x1234abc, &f, &s, &lv));
	cr_assert(eq(u64, f, 77));
	cr_assert(eq(u32, s, 12));
	cr_assert(eq(u32, lv, 4));
	/* A neighbour shares the nodes. */
	cr_assert(eq(u32, mem_pt_map(pt, 0x1235000, 12, 78), 0));
	cr_assert(eq(u64, mem_pt_mappings(pt), 2));
	/* A 2 MiB page replaces the leaf table holding both. */
	cr_assert(mem_pt_shift_is_valid(pt, 21));
	cr_assert(mem_pt_shift_is_valid(pt, 30));
	cr_assert(not(mem_pt_shift_is_valid(pt, 16)));
	cr_assert(mem_pt_shift_is_valid(pt, 39));       /* a top-level leaf */
	cr_assert(not(mem_pt_shift_is_valid(pt, 48)));
	mem_pt_map(pt, 0x1200000, 21, 1024);
	cr_assert(eq(u64, mem_pt_mappings(pt), 1));
	cr_assert(mem_pt_lookup(pt, 0x1234000, &f, &s, &lv));
	cr_assert(eq(u64, f, 1024));
	cr_assert(eq(u32, s, 21));
	cr_assert(eq(u32, lv, 3));
	/* Splitting it again removes the large mapping. */
	mem_pt_map(pt, 0x1201000, 12, 5);
	cr_assert(eq(u64, mem_pt_mappings(pt), 1));
	cr_assert(not(mem_pt_lookup(pt, 0x1234000, NULL, NULL, NULL)));
	cr_assert(mem_pt_unmap(pt, 0x1201000));
	cr_assert(not(mem_pt_unmap(pt, 0x1201000)));
	cr_assert(eq(u64, mem_pt_mappings(pt), 0));
	mem_pt_clear(pt);
	cr_assert(eq(u64, mem_pt_nodes(pt), 1));
	mem_pt_destroy(pt);
}

Test(mem_pt, a_table_page_exists_from_its_first_entry_until_cleared)
{
	mem_pt *pt = mem_pt_create(2, 10, 12);  /* a leaf maps 4 MiB */
	cr_assert(not(mem_pt_table_exists(pt, 0x5000, 12)));
	mem_pt_map(pt, 0x3000, 12, 7);
	/* Another entry of the same leaf page, unmapped itself: there. */
	cr_assert(mem_pt_table_exists(pt, 0x5000, 12));
	cr_assert(not(mem_pt_lookup(pt, 0x5000, NULL, NULL, NULL)));
	cr_assert(mem_pt_table_exists(pt, 0x3ff000, 12));
	/* The next 4 MiB are another leaf page, not built. */
	cr_assert(not(mem_pt_table_exists(pt, 0x400000, 12)));
	/* A 4 MiB entry lives in the root, which exists. */
	cr_assert(mem_pt_table_exists(pt, 0x800000, 22));
	/* Emptied by unmaps, the node stays (a VMM's shadow page stays
	 * until it drops the shadow). */
	mem_pt_map(pt, 0x4000, 12, 8);
	cr_assert(mem_pt_unmap(pt, 0x3000));
	cr_assert(mem_pt_unmap(pt, 0x4000));
	cr_assert(eq(u64, mem_pt_mappings(pt), 0));
	cr_assert(mem_pt_table_exists(pt, 0x5000, 12));
	cr_assert(eq(u64, mem_pt_nodes(pt), 2));
	/* A large page over a region covers every entry under it. */
	mem_pt_map(pt, 0xc00000, 22, 1024);
	cr_assert(mem_pt_table_exists(pt, 0xc01000, 12));
	/* Splitting it builds a leaf page, which stays when emptied. */
	mem_pt_map(pt, 0xc01000, 12, 9);
	cr_assert(mem_pt_unmap(pt, 0xc01000));
	cr_assert(mem_pt_table_exists(pt, 0xc02000, 12));
	cr_assert(not(mem_pt_table_exists(pt, 0x1000000, 12)));
	mem_pt_clear(pt);
	cr_assert(mem_pt_table_exists(pt, 0x800000, 22));  /* the root */
	cr_assert(not(mem_pt_table_exists(pt, 0x5000, 12)));
	cr_assert(not(mem_pt_table_exists(pt, 0xc02000, 12)));
	mem_pt_destroy(pt);
}

/* A 32-bit table (2 levels of 10 bits over 4 KiB pages) and addresses
 * past its reach, as the streams lay their regions out (2^40 apart):
 * each value of the bits above the reach has a root of its own, so the
 * regions do not share entries; all-zero and all-one high bits (the
 * canonical halves: a kernel at 0xffffffff80000000) share the first. A
 * walk reads the same two levels everywhere. */
Test(mem_pt, regions_beyond_the_reach_do_not_alias)
{
	mem_pt *pt = mem_pt_create(2, 10, 12);
	const uint64_t image = UINT64_C(0x0000010000000000);
	const uint64_t fresh = UINT64_C(0x0000030000000000);
	uint64_t f;
	unsigned s, lv;
	cr_assert(eq(u32, mem_pt_map(pt, 0x5000, 12, 1), 1));
	/* A new region: its root and its leaf page. */
	cr_assert(eq(u32, mem_pt_map(pt, image + 0x5000, 12, 2), 2));
	cr_assert(not(mem_pt_lookup(pt, fresh + 0x5000, NULL, NULL, &lv)));
	cr_assert(eq(u32, lv, 1));
	cr_assert(not(mem_pt_table_exists(pt, fresh + 0x5000, 12)));
	cr_assert(eq(u32, mem_pt_map(pt, fresh + 0x5000, 12, 3), 2));
	cr_assert(mem_pt_lookup(pt, 0x5000, &f, &s, &lv));
	cr_assert(eq(u64, f, 1));
	cr_assert(eq(u32, lv, 2));
	cr_assert(mem_pt_lookup(pt, image + 0x5000, &f, &s, &lv));
	cr_assert(eq(u64, f, 2));
	cr_assert(eq(u32, lv, 2));
	cr_assert(mem_pt_lookup(pt, fresh + 0x5000, &f, NULL, NULL));
	cr_assert(eq(u64, f, 3));
	cr_assert(eq(u64, mem_pt_mappings(pt), 3));
	/* Past 2^20 fresh pages, another 4 GiB: no wrap onto the first. */
	cr_assert(not(mem_pt_lookup(pt, fresh + (UINT64_C(1) << 32) + 0x5000,
				    NULL, NULL, NULL)));
	/* Unmapping one region leaves the others. */
	cr_assert(mem_pt_unmap(pt, image + 0x5000));
	cr_assert(not(mem_pt_unmap(pt, image + 0x5000)));
	cr_assert(not(mem_pt_lookup(pt, image + 0x5000, NULL, NULL, NULL)));
	cr_assert(mem_pt_lookup(pt, 0x5000, NULL, NULL, NULL));
	cr_assert(mem_pt_table_exists(pt, fresh + 0x6000, 12));
	cr_assert(not(mem_pt_table_exists(pt, fresh + 0x400000, 12)));
	/* The kernel's canonical half shares the first root, modulo 2^32. */
	mem_pt_map(pt, UINT64_C(0xffffffff80000000), 12, 4);
	cr_assert(mem_pt_lookup(pt, 0x80000000, &f, NULL, NULL));
	cr_assert(eq(u64, f, 4));
	cr_assert(eq(u64, mem_pt_nodes(pt), 7));
	/* Cleared, every root goes with the nodes. */
	mem_pt_clear(pt);
	cr_assert(eq(u64, mem_pt_nodes(pt), 1));
	cr_assert(not(mem_pt_lookup(pt, fresh + 0x5000, NULL, NULL, NULL)));
	cr_assert(eq(u32, mem_pt_map(pt, fresh + 0x5000, 12, 5), 2));
	cr_assert(mem_pt_lookup(pt, fresh + 0x5000, &f, NULL, NULL));
	cr_assert(eq(u64, f, 5));
	mem_pt_destroy(pt);
}

Test(mem_vm, frames_are_handed_out_in_order_and_the_pmap_assigns_machine_frames)
{
	uint64_t mfn = 100;
	mem_vm_geom g = {2, 10, 12, 1024};
	mem_vm *a = mem_vm_create(&g, &mfn);
	mem_vm *b = mem_vm_create(&g, &mfn);
	cr_assert(eq(u64, mem_vm_gfn_alloc(a, 0), 0));
	cr_assert(eq(u64, mem_vm_gfn_alloc(a, 0), 1));
	cr_assert(eq(u64, mem_vm_gfn_alloc(a, 2), 4));  /* aligned to 4 */
	cr_assert(eq(u64, mem_vm_gfn_alloc(a, 0), 8));
	bool fresh;
	cr_assert(not(mem_vm_pmap_has(a, 4)));
	cr_assert(eq(u64, mem_vm_pmap(a, 4, &fresh), 100));
	cr_assert(fresh);
	cr_assert(eq(u64, mem_vm_pmap(b, 4, &fresh), 101));  /* shared counter */
	cr_assert(eq(u64, mem_vm_pmap(a, 4, &fresh), 100));
	cr_assert(not(fresh));
	cr_assert(eq(u64, mem_vm_pmap_frames(a), 1));
	/* Address spaces have their own tables; shadows can be dropped. */
	mem_pt_map(mem_vm_gpt(a, 3), 0x4000, 12, 1);
	cr_assert(not(mem_pt_lookup(mem_vm_gpt(a, 0), 0x4000, NULL, NULL, NULL)));
	cr_assert(mem_vm_spt_peek(a, 3) == NULL);
	mem_pt_map(mem_vm_spt(a, 3), 0x4000, 12, 100);
	mem_vm_shadow_drop(a);
	cr_assert(not(mem_pt_lookup(mem_vm_spt(a, 3), 0x4000, NULL, NULL, NULL)));
	cr_assert(eq(u64, mem_dirtylog_pages(mem_vm_dirtylog(a)), 1024));
	/* Freed frames come back first, last freed first. */
	mem_vm_gfn_free(a, 1);
	mem_vm_gfn_free(a, 8);
	cr_assert(eq(u64, mem_vm_gfn_alloc(a, 0), 8));
	cr_assert(eq(u64, mem_vm_gfn_alloc(a, 0), 1));
	cr_assert(eq(u64, mem_vm_gfn_alloc(a, 0), 9));
	/* Past the end the allocator wraps to the bottom. */
	uint64_t last = 0;
	for (int i = 0; i < 1100; i++)
		last = mem_vm_gfn_alloc(b, 0);
	cr_assert(lt(u64, last, 1024));
	mem_vm_destroy(a);
	mem_vm_destroy(b);
}
