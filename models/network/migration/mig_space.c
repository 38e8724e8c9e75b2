/* SPDX-License-Identifier: MIT */
/*
 * Spaces: the memory (pages) or the local disk (blocks) as the rounds of a
 * migration iterate over them. What the next round sends, and what the
 * guest dirties meanwhile, statistically (expected counts of mem.h's
 * models) or page-exact (a dirty log fed by a page-write generator).
 */
#include "mig_internal.h"

#include <math.h>
#include <string.h>

void mig_space_fini(mig_space *s)
{
	if (!s->log)
		return;
	mem_dirtylog_destroy(s->log);
	mem_bitmap_fini(&s->send);
	s->log = NULL;
}

void mig_space_init(mig_space *s, uint64_t pages, uint64_t page_size,
		    const mig_dirty *dirty, double scale)
{
	memset(s, 0, sizeof *s);
	s->pages = pages;
	s->page_size = page_size;
	s->dirty = *dirty;
	s->scale = scale;
}

/* Everything to send, as round 1 does; page-exact logging starts now if
 * `logs` (writes before round 1 do not matter: it sends every page). */
void mig_space_begin(mig_space *s, uint64_t now, bool logs)
{
	s->to_send = (mem_pageset){0, 0};
	if (s->dirty.kind == MIG_DIRTY_HOTCOLD) {
		s->to_send.hot_pages = (double)s->dirty.hotcold.hot_pages;
		s->to_send.cold_pages =
			(double)(s->pages - s->dirty.hotcold.hot_pages);
	} else {
		s->to_send.hot_pages = (double)s->pages;
	}
	if (logs && s->dirty.kind == MIG_DIRTY_PAGES) {
		s->log = mem_dirtylog_create(s->pages);
		mem_bitmap_init(&s->send, s->pages);
		mem_bitmap_fill(&s->send);
		mem_dirtylog_start(s->log);
	}
	s->origin_ns = now;
	s->drawn_ns = now;
}

/* Units the next round of s carries. */
uint64_t mig_space_pending(const mig_space *s)
{
	return s->log ? mem_bitmap_count(&s->send)
		      : mig_pages_of(mig_pageset_total(s->to_send));
}

/* The guest's time at real time t: its writes run at s->scale of their
 * speed since logging started. */
static uint64_t guest_ns(const mig_space *s, uint64_t t)
{
	if (s->scale >= 1 || t <= s->origin_ns)
		return t;
	return s->origin_ns +
	       (uint64_t)((double)(t - s->origin_ns) * s->scale);
}

void mig_space_draw(mig_space *s, uint64_t t_ns, wl_writes_fn *fn, void *ctx)
{
	if (t_ns <= s->drawn_ns)
		return;
	uint64_t from = guest_ns(s, s->drawn_ns), to = guest_ns(s, t_ns);
	if (to > from)
		wl_pagegen_writes_batch(s->dirty.pagegen, from, to, fn, ctx);
	s->drawn_ns = t_ns;
}

static void mark_writes(void *ctx, const uint64_t *page, size_t n)
{
	mem_dirtylog_mark_pages(ctx, page, n);
}

void mig_space_draw_log(mig_space *s, uint64_t t_ns)
{
	mig_space_draw(s, t_ns, mark_writes, s->log);
}

/* Expected pages of s dirtied in a window of duration_ns. */
static mem_pageset dirtied_in(const mig_space *s, uint64_t duration_ns)
{
	mem_pageset d = {0, 0};
	uint64_t dt = (uint64_t)((double)duration_ns *
				 (s->scale < 1 ? s->scale : 1));
	switch (s->dirty.kind) {
	case MIG_DIRTY_NONE:
		break;
	case MIG_DIRTY_UNIFORM: {
		double ws = (double)mig_dirty_ws_pages(&s->dirty, s->pages);
		d.hot_pages = s->dirty.uniform_bytes_per_s *
			      ((double)dt / 1e9) / (double)s->page_size;
		if (d.hot_pages > ws)
			d.hot_pages = ws;
		break;
	}
	case MIG_DIRTY_HOTCOLD:
		d = mem_hotcold_dirtied(&s->dirty.hotcold, dt);
		break;
	case MIG_DIRTY_PAGES: /* counted in the log instead */
	default:
		sim_panic("unknown dirty model %d", (int)s->dirty.kind);
	}
	return d;
}

/* After a round of s that lasted duration_ns ending now: the pages
 * dirtied during it become the next round's set. Returns their count. */
uint64_t mig_space_round_end(mig_space *s, uint64_t now,
			     uint64_t duration_ns)
{
	if (s->log) {
		/* SHADOW_OP_CLEAN: the next round sends what was dirtied. */
		mig_space_draw_log(s, now);
		return mem_dirtylog_clean_into(s->log, &s->send);
	}
	s->to_send = dirtied_in(s, duration_ns);
	return mig_pages_of(mig_pageset_total(s->to_send));
}

/* The guest stops writing (pause): the log stops; the set stays. */
void mig_space_pause(mig_space *s)
{
	if (s->log)
		mem_dirtylog_stop(s->log);
}
