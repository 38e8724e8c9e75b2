/* SPDX-License-Identifier: MIT */
/*
 * Time structure of the page-write generators (wl.h, wl_phases): a
 * sinusoidal swing of every rate, trains of bursts over their own regions,
 * and a hot set that moves at fixed times. Everything here is a pure
 * function of time, so a window's writes depend on the window and the
 * random stream only; pagegen.c splits windows at the times returned by
 * wl_phases_next_change and draws each piece.
 */
#include "wl_internal.h"

#include <inttypes.h>
#include <math.h>

static const double two_pi = 6.283185307179586476925286766559;

double wl_phases_swing_s(const wl_phases *ph, uint64_t t0_ns, uint64_t t1_ns)
{
	double len = (double)(t1_ns - t0_ns) * 1e-9;
	if (!ph || ph->swing == 0 || t1_ns <= t0_ns)
		return len;
	/* ∫ a·sin(ωt) dt = a/ω·(cos ωt0 − cos ωt1). The phase is taken
	 * modulo the period in integers first, so that a late window keeps
	 * full precision. */
	double T = (double)ph->swing_period_ns * 1e-9;
	double w = two_pi / T;
	double a = (double)(t0_ns % ph->swing_period_ns) * 1e-9;
	double b = a + len;
	return len + ph->swing / w * (cos(w * a) - cos(w * b));
}

bool wl_burst_on(const wl_burst *b, uint64_t t_ns)
{
	if (t_ns < b->first_ns)
		return false;
	return (t_ns - b->first_ns) % b->period_ns < b->length_ns;
}

/* The first start or end of one of b's events after t. */
static uint64_t burst_next(const wl_burst *b, uint64_t t)
{
	if (t < b->first_ns)
		return b->first_ns;
	uint64_t k = (t - b->first_ns) / b->period_ns;
	uint64_t start = b->first_ns + k * b->period_ns;
	uint64_t end = start + b->length_ns;
	if (t < end && end < b->first_ns + (k + 1) * b->period_ns)
		return end;
	return start + b->period_ns;
}

uint64_t wl_phases_next_change(const wl_phases *ph, uint64_t t_ns)
{
	uint64_t next = UINT64_MAX;
	if (!ph)
		return next;
	for (size_t i = 0; i < ph->nbursts; i++) {
		uint64_t n = burst_next(&ph->bursts[i], t_ns);
		if (n < next)
			next = n;
	}
	if (ph->shift_period_ns) {
		uint64_t n = (t_ns / ph->shift_period_ns + 1) * ph->shift_period_ns;
		if (n < next)
			next = n;
	}
	return next;
}

uint64_t wl_phases_hot_offset(const wl_pages_params *p, uint64_t t_ns)
{
	const wl_phases *ph = p->phases;
	if (!ph || !ph->shift_period_ns)
		return p->offset;
	uint64_t k = t_ns / ph->shift_period_ns;
	/* k·shift_pages mod span without overflow: both below 2^32 after
	 * the reduction of k. */
	uint64_t steps = k % ph->shift_span;
	return p->offset + steps * (ph->shift_pages % ph->shift_span) %
				   ph->shift_span;
}

int wl_phases_check(const wl_pages_params *p, uint64_t pages,
		    const char *what, sim_diag *d)
{
	const wl_phases *ph = p->phases;
	if (!ph)
		return 0;
	if (!(ph->swing >= 0 && ph->swing < 1) ||
	    (ph->swing > 0 && ph->swing_period_ns == 0)) {
		sim_diag_error(d, what, 0, 0,
			       "swing %g with period %" PRIu64 " ns (expected "
			       "0 <= swing < 1 and a period above 0)",
			       ph->swing, ph->swing_period_ns);
		return SIM_EINPUT;
	}
	if (ph->nbursts > WL_MAX_BURSTS) {
		sim_diag_error(d, what, 0, 0, "%zu burst trains (expected at "
			       "most %d)", ph->nbursts, WL_MAX_BURSTS);
		return SIM_EINPUT;
	}
	for (size_t i = 0; i < ph->nbursts; i++) {
		const wl_burst *b = &ph->bursts[i];
		if (b->period_ns == 0 || b->length_ns == 0 ||
		    b->length_ns > b->period_ns || !isfinite(b->rate) ||
		    b->rate < 0 || b->pages == 0) {
			sim_diag_error(d, what, 0, 0,
				       "burst train %zu: period %" PRIu64
				       " ns, length %" PRIu64 " ns, rate %g, "
				       "%" PRIu64 " pages (expected 0 < length "
				       "<= period, a rate >= 0 and pages >= 1)",
				       i, b->period_ns, b->length_ns, b->rate,
				       b->pages);
			return SIM_EINPUT;
		}
		if (b->offset >= pages || b->pages > pages - b->offset) {
			sim_diag_error(d, what, 0, 0,
				       "burst region of %" PRIu64 " pages at "
				       "offset %" PRIu64 " does not fit in the "
				       "VM's %" PRIu64 " pages (expected a VM "
				       "of at least %" PRIu64 " pages: set a "
				       "larger memory)",
				       b->pages, b->offset, pages,
				       b->offset + b->pages);
			return SIM_EINPUT;
		}
	}
	if (ph->shift_period_ns) {
		if (p->kind != WL_PAGES_HOTSET || ph->shift_span == 0) {
			sim_diag_error(d, what, 0, 0,
				       "a moving hot set needs kind hotset and "
				       "a span of at least 1 page");
			return SIM_EINPUT;
		}
		uint64_t last = p->offset + ph->shift_span - 1;
		if (last > pages || p->hot_pages > pages - last) {
			sim_diag_error(d, what, 0, 0,
				       "a hot set of %" PRIu64 " pages moving "
				       "over %" PRIu64 " pages from offset %"
				       PRIu64 " does not fit in the VM's %"
				       PRIu64 " pages (expected a VM of at "
				       "least %" PRIu64 " pages: set a larger "
				       "memory)",
				       p->hot_pages, ph->shift_span, p->offset,
				       pages, last + p->hot_pages);
			return SIM_EINPUT;
		}
	}
	return 0;
}
