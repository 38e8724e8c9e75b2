/* SPDX-License-Identifier: MIT */
/*
 * Mutants of experiment configs for test_dc_fuzz.c: the values and keys
 * a mutation puts in (hostile or foreign tokens, other keys' names, each
 * parameter's edges and its type's extremes), a forgiving scanner of where
 * a text's keys, values and items are, and the mutations themselves
 * (values replaced, keys deleted, renamed or inserted, list items
 * duplicated, values swapped), all drawn from the caller's GSL stream.
 * Header-only: the test program includes it once.
 */
#ifndef TEST_DC_MUTATE_H
#define TEST_DC_MUTATE_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "../fuzz/mutate.h"
#include "dc.h"

/* The longest config text a mutant may grow to. */
#define MAX_LEN 8000

/* Values that ranges, units, kinds and names must all refuse or survive:
 * extremes, wrong units, empty and compound values, other keys' enum
 * choices and names of hosts and VMs that may or may not exist. */
static const char *const nasty[] = {
	"0", "-1", "1", "18446744073709551615", "99999999999999999999",
	"1e308", "nan", "inf", "-inf", "0.5", "1e-9", "4294967296",
	"4294967295", "65536", "0B", "1B", "1023B", "512B", "1TiB",
	"1024TiB", "0bit/s", "1bit/s", "1000Tbit/s", "0ns", "1ns", "720h",
	"''", "[]", "{}", "~", "true", "no", "postcopy", "hybrid", "push",
	"stop-and-copy", "precopy", "page-exact", "statistical", "xen-v2",
	"clark", "qemu", "hotset", "uniform", "zipf", "replay", "sweep", "specweb",
	"quake3", "worst-fit", "rack0/host0", "rack0/host1", "rack1/host0",
	"rack9/host9", "dc1/rack0/host0", "dc0/rack0/host1", "rack0/host01",
	"web", "a", "db", "r.pdt", ".", "/dev/null", "missing.pdt",
	"\"\\x00\"", "'r.pdt '", "1e10", "-0", "1s", "0s",
};

/* Values a key might well take: mutants made of them mostly load, so the
 * loaded configs reach the run with unusual combinations. */
static const char *const plausible[] = {
	"1", "2", "3", "8", "64", "200", "1000", "1e5", "0.9", "2MiB",
	"4KiB", "8MiB", "16MiB", "64MiB", "1GiB", "10Mbit/s", "100Mbit/s",
	"1Gbit/s", "10Gbit/s", "1ms", "50ms", "300ms", "1s", "0s",
	"postcopy", "hybrid", "push", "stop-and-copy", "precopy",
	"page-exact", "statistical", "xen", "xen-v2", "clark", "qemu",
	"true", "false", "rack0/host1", "rack1/host0", "rack0/host2",
	"rack0/host3", "dc1/rack0/host1", "web", "a", "b", "c", "g", "r", "v",
	"w", "peer", "idle", "db", "{kind: hotset, hot_pages: 16, hot_rate: "
	"100, cold_rate: 1}", "{kind: uniform, rate: 500}",
	"{kind: zipf, rate: 100}", "{kind: sweep, pages: 64, rate: 300}",
	"[{to: web}]", "{size: 4MiB}",
	"{hot_set: 1MiB, hot_rate: 100}",
};

/* Keys to insert or rename to: every key of the experiment's parameter
 * tables (dc_section_at) and of their subsections, plus near misses. */
static const char *const extra_keys[] = {"bogus", "sweep", "replications",
					 "Name", "max-rate"};

static const char *pick_key(gsl_rng *r)
{
	size_t n = 0;
	for (size_t i = 0; dc_section_at(i); i++) {
		const cfg_section *s = dc_section_at(i);
		n += s->nparams;
		for (size_t k = 0; s->subsections && s->subsections[k]; k++)
			n++;
	}
	size_t want = fuzz_pick(r, n + sizeof extra_keys / sizeof *extra_keys);
	for (size_t i = 0; dc_section_at(i); i++) {
		const cfg_section *s = dc_section_at(i);
		if (want < s->nparams)
			return s->params[want].name;
		want -= s->nparams;
		for (size_t k = 0; s->subsections && s->subsections[k]; k++)
			if (want-- == 0)
				return s->subsections[k];
	}
	return extra_keys[want];
}

/* A hostile value three times in eight, another key's name once in
 * eight, a plausible value otherwise. */
static const char *pick_value(gsl_rng *r)
{
	size_t how = fuzz_pick(r, 8);
	if (how == 0)
		return pick_key(r);
	if (how < 4)
		return nasty[fuzz_pick(r, sizeof nasty / sizeof *nasty)];
	return plausible[fuzz_pick(r, sizeof plausible / sizeof *plausible)];
}

/* Values of one type at the extremes of what its parser takes: they
 * pass the parse and reach range checks, the loader's cross-checks and
 * the models. */
static const char *const uint_extremes[] = {"0", "1", "2", "4294967295",
	"4294967296", "9223372036854775807", "18446744073709551615"};
static const char *const float_extremes[] = {"0", "1e-300", "0.001", "1e10",
	"1e15", "1e308", "-0", "4.9e-324"};
static const char *const bytes_extremes[] = {"0B", "1B", "511B", "4095B",
	"4KiB", "1GiB", "1TiB", "1024TiB", "16EiB", "18446744073709551615B"};
static const char *const rate_extremes[] = {"0bit/s", "1bit/s", "7bit/s",
	"1kbit/s", "1Tbit/s", "10Tbit/s", "100Tbit/s", "1000Tbit/s",
	"18446744073709551615bit/s"};
static const char *const time_extremes[] = {"0ns", "1ns", "999ns", "1us",
	"1s", "1h", "720h", "18446744073709551615ns", "300000h"};

static const char *const string_extremes[] = {"''", ".", "/", "/dev/null",
	"r.pdt", "missing.pdt", "rack0/host0", "dc1/rack0/host0", "web",
	"rack0/host1/", "dc0/rack0", "a-very-long-name-"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};

static const char *pick_extreme(gsl_rng *r, const cfg_param *p)
{
#define PICK(a) a[fuzz_pick(r, sizeof a / sizeof *a)]
	switch (p->type) {
	case CFG_T_UINT:
	case CFG_T_INT:
		return PICK(uint_extremes);
	case CFG_T_FLOAT:
	case CFG_T_PERCENT:
		return PICK(float_extremes);
	case CFG_T_BYTES:
	case CFG_T_POW2:
		return PICK(bytes_extremes);
	case CFG_T_RATE:
		return PICK(rate_extremes);
	case CFG_T_TIME:
		return PICK(time_extremes);
	case CFG_T_STRING:
		return PICK(string_extremes);
	default:
		return pick_value(r);
	}
#undef PICK
}

/* A value for key (n bytes). If the key is a parameter (keys in several
 * tables, memory or hot_rate, take one of them): a third of the time what
 * its table gives (its default, least or greatest value, or a choice),
 * which the loader must take; a third an extreme of its type. Otherwise,
 * and for other keys, as pick_value. */
static const char *pick_value_for(gsl_rng *r, const char *key, size_t n)
{
	const cfg_param *found[8];
	size_t nfound = 0;
	for (size_t i = 0; dc_section_at(i); i++) {
		const cfg_section *s = dc_section_at(i);
		for (size_t k = 0; k < s->nparams && nfound < 8; k++) {
			const cfg_param *p = &s->params[k];
			if (strlen(p->name) == n && strncmp(p->name, key, n) == 0)
				found[nfound++] = p;
		}
	}
	size_t how = fuzz_pick(r, 3);
	if (!nfound || how == 2)
		return pick_value(r);
	const cfg_param *p = found[fuzz_pick(r, nfound)];
	if (how == 1)
		return pick_extreme(r, p);
	const char *edges[32];
	size_t nedges = 0;
	const char *e[] = {p->def, p->min, p->max};
	for (size_t j = 0; j < 3; j++)
		if (e[j])
			edges[nedges++] = e[j];
	for (size_t j = 0; p->choices && p->choices[j] && nedges < 32; j++)
		edges[nedges++] = p->choices[j];
	return nedges ? edges[fuzz_pick(r, nedges)] : pick_value(r);
}

/* ------------------------------------------------------------------------
 * Where a text's keys, values and items are. A forgiving scanner of the
 * YAML subset the seeds use (block mappings and sequences, flow mappings
 * and sequences, plain scalars); on text it does not follow it stops and
 * keeps what it found, which is all the mutations need.
 * ------------------------------------------------------------------------ */

typedef struct span {
	size_t start, end;
} span;

#define MAX_SPANS 512

typedef struct layout {
	span scalars[MAX_SPANS]; /* plain scalar values */
	span scalar_key[MAX_SPANS]; /* each one's key ({0, 0}: none) */
	size_t nscalars;
	span keys[MAX_SPANS];    /* keys of mapping entries */
	size_t nkeys;
	span entries[MAX_SPANS]; /* key: value, with its lines when block */
	bool entry_flow[MAX_SPANS];
	size_t nentries;
	span items[MAX_SPANS];   /* sequence items, with their lines if block */
	bool item_flow[MAX_SPANS];
	size_t nitems;
	size_t maps[MAX_SPANS];  /* just after a flow mapping's '{' */
	size_t nmaps;
} layout;

static void add(span *a, size_t *n, size_t start, size_t end)
{
	if (*n < MAX_SPANS && end > start)
		a[(*n)++] = (span){start, end};
}

static void add_scalar(layout *l, size_t start, size_t end, span key)
{
	if (l->nscalars < MAX_SPANS && end > start) {
		l->scalar_key[l->nscalars] = key;
		l->scalars[l->nscalars++] = (span){start, end};
	}
}

static size_t skip_blanks(const char *b, size_t len, size_t p)
{
	while (p < len && (b[p] == ' ' || b[p] == '\n'))
		p++;
	return p;
}

/* The end of a plain scalar starting at p in flow context. */
static size_t scalar_end(const char *b, size_t len, size_t p)
{
	size_t e = p;
	while (e < len && !strchr(",{}[]\n#", b[e]))
		e++;
	while (e > p && b[e - 1] == ' ')
		e--;
	return e;
}

static size_t flow_value(layout *l, const char *b, size_t len, size_t p,
			 unsigned depth);

/* A value in flow context at p (after blanks): a flow collection or a
 * scalar, the value of key (if it is not empty). Returns its end. */
static size_t any_value(layout *l, const char *b, size_t len, size_t p,
			unsigned depth, span key)
{
	if (p < len && (b[p] == '{' || b[p] == '['))
		return flow_value(l, b, len, p, depth + 1);
	size_t e = scalar_end(b, len, p);
	add_scalar(l, p, e, key);
	return e;
}

/* A flow mapping or sequence at p; returns the position after its closing
 * bracket (or where the scanner gave up). */
static size_t flow_value(layout *l, const char *b, size_t len, size_t p,
			 unsigned depth)
{
	if (depth > 16)
		return len;
	bool map = b[p] == '{';
	char close = map ? '}' : ']';
	if (map && l->nmaps < MAX_SPANS)
		l->maps[l->nmaps++] = p + 1;
	p++;
	for (;;) {
		p = skip_blanks(b, len, p);
		if (p >= len)
			return len;
		if (b[p] == close)
			return p + 1;
		size_t start = p, end;
		if (map) {
			size_t k = p;
			while (k < len && !strchr(":,{}[]\n", b[k]))
				k++;
			if (k >= len || b[k] != ':')
				return len;
			add(l->keys, &l->nkeys, start, k);
			end = any_value(l, b, len, skip_blanks(b, len, k + 1),
					depth, (span){start, k});
			if (l->nentries < MAX_SPANS && end > start) {
				l->entry_flow[l->nentries] = true;
				l->entries[l->nentries++] = (span){start, end};
			}
		} else {
			end = any_value(l, b, len, p, depth, (span){0, 0});
			if (l->nitems < MAX_SPANS && end > start) {
				l->item_flow[l->nitems] = true;
				l->items[l->nitems++] = (span){start, end};
			}
		}
		p = skip_blanks(b, len, end);
		if (p < len && b[p] == ',')
			p++;
		else if (p < len && b[p] == close)
			return p + 1;
		else
			return len;
	}
}

static size_t line_end(const char *b, size_t len, size_t p)
{
	while (p < len && b[p] != '\n')
		p++;
	return p < len ? p + 1 : len;
}

static size_t indent_at(const char *b, size_t len, size_t p)
{
	size_t i = 0;
	while (p + i < len && b[p + i] == ' ')
		i++;
	return i;
}

/* The end of the lines after `from` indented deeper than `indent`. */
static size_t block_end(const char *b, size_t len, size_t from, size_t indent)
{
	size_t p = from;
	while (p < len) {
		size_t i = indent_at(b, len, p);
		if (p + i < len && b[p + i] != '\n' && i <= indent)
			break;
		p = line_end(b, len, p);
	}
	return p;
}

/* Scans a block line's mapping entry at k (its key's first character):
 * returns where scanning goes on. */
static size_t block_entry(layout *l, const char *b, size_t len,
			  size_t line, size_t k, size_t indent)
{
	size_t c = k;
	while (c < len && !strchr(":\n{}[],", b[c]))
		c++;
	if (c >= len || b[c] != ':')
		return line_end(b, len, line);
	add(l->keys, &l->nkeys, k, c);
	size_t v = c + 1;
	while (v < len && b[v] == ' ')
		v++;
	size_t after;
	if (v < len && (b[v] == '{' || b[v] == '['))
		after = flow_value(l, b, len, v, 1);
	else if (v < len && b[v] != '\n' && b[v] != '#')
		after = any_value(l, b, len, v, 0, (span){k, c});
	else
		after = v;
	after = line_end(b, len, after > line ? after - 1 : line);
	after = block_end(b, len, after, indent);
	if (l->nentries < MAX_SPANS) {
		l->entry_flow[l->nentries] = false;
		l->entries[l->nentries++] = (span){line, after};
	}
	/* The lines below a key with no value on its own line are its
	 * block value: scanned on as lines of their own. */
	return v < len && (b[v] == '\n' || b[v] == '#') ? line_end(b, len, v)
							: after;
}

static void scan(layout *l, const char *b, size_t len)
{
	memset(l, 0, sizeof *l);
	size_t p = 0;
	while (p < len) {
		size_t line = p, indent = indent_at(b, len, p);
		size_t k = p + indent;
		if (k >= len || b[k] == '\n' || b[k] == '#') {
			p = line_end(b, len, p);
			continue;
		}
		if (b[k] == '-' && k + 1 < len && b[k + 1] == ' ') {
			size_t end = block_end(b, len, line_end(b, len, k), indent);
			if (l->nitems < MAX_SPANS) {
				l->item_flow[l->nitems] = false;
				l->items[l->nitems++] = (span){line, end};
			}
			size_t v = k + 2;
			if (v < len && (b[v] == '{' || b[v] == '[')) {
				size_t after = flow_value(l, b, len, v, 1);
				p = line_end(b, len, after > line ? after - 1 : line);
			} else {
				/* "- key: value": an entry indented as its key. */
				p = block_entry(l, b, len, line, v, indent + 2);
			}
			continue;
		}
		p = block_entry(l, b, len, line, k, indent);
	}
}

/* ------------------------------------------------------------------------
 * Mutations
 * ------------------------------------------------------------------------ */

typedef struct buf {
	char b[MAX_LEN + 1];
	size_t len;
} buf;

/* Replaces [s.start, s.end) of x by n bytes of t, unless x would grow
 * past MAX_LEN. */
static void replace(buf *x, span s, const char *t, size_t n)
{
	if (x->len - (s.end - s.start) + n > MAX_LEN)
		return;
	memmove(x->b + s.start + n, x->b + s.end, x->len - s.end);
	memcpy(x->b + s.start, t, n);
	x->len = x->len - (s.end - s.start) + n;
}

static void insert_at(buf *x, size_t at, const char *t, size_t n)
{
	fuzz_insert(x->b, &x->len, MAX_LEN, at, t, n);
}

/* Deletes an entry of a flow mapping with one of its commas, or a block
 * entry with its lines. */
static void delete_entry(buf *x, span s, bool flow)
{
	if (flow) {
		size_t e = s.end;
		while (e < x->len && x->b[e] == ' ')
			e++;
		if (e < x->len && x->b[e] == ',') {
			s.end = e + 1;
		} else {
			size_t p = s.start;
			while (p > 0 && (x->b[p - 1] == ' ' || x->b[p - 1] == '\n'))
				p--;
			if (p > 0 && x->b[p - 1] == ',')
				s.start = p - 1;
		}
	}
	replace(x, s, "", 0);
}

/* Duplicates a sequence item; if `rename`, the copy's name (its first
 * "name: " value) gets a "2", so that a VM's copy is a new VM. */
static void duplicate_item(buf *x, span s, bool flow, bool rename)
{
	char tmp[MAX_LEN + 4];
	size_t n = s.end - s.start;
	memcpy(tmp, x->b + s.start, n);
	tmp[n] = '\0';
	char *name = strstr(tmp, "name: ");
	if (rename && name) {
		size_t at = (size_t)(name - tmp) + 6;
		at += strcspn(tmp + at, ",}\n ");
		memmove(tmp + at + 1, tmp + at, n - at);
		tmp[at] = '2';
		n++;
	}
	if (flow) {
		memcpy(tmp + n, ", ", 2);
		insert_at(x, s.start, tmp, n + 2);
	} else {
		insert_at(x, s.end, tmp, n);
	}
}

static void swap_spans(buf *x, span a, span b)
{
	if (a.start > b.start) {
		span t = a;
		a = b;
		b = t;
	}
	if (a.end > b.start)
		return; /* nested or overlapping */
	char ta[MAX_LEN], tb[MAX_LEN];
	size_t na = a.end - a.start, nb = b.end - b.start;
	memcpy(ta, x->b + a.start, na);
	memcpy(tb, x->b + b.start, nb);
	/* The later span first, so that the earlier one's offsets hold. */
	replace(x, b, ta, na);
	replace(x, a, tb, nb);
}

static void mutate(buf *x, gsl_rng *r)
{
	layout *l = malloc(sizeof *l);
	cr_assert(not(eq(ptr, l, NULL)));
	scan(l, x->b, x->len);
	switch (fuzz_pick(r, 13)) {
	case 0: case 1: case 2: case 3: case 4: /* replace a value */
		if (l->nscalars) {
			size_t i = fuzz_pick(r, l->nscalars);
			span k = l->scalar_key[i];
			const char *t = pick_value_for(r, x->b + k.start,
						       k.end - k.start);
			replace(x, l->scalars[i], t, strlen(t));
		}
		break;
	case 5: case 6: /* delete a key with its value */
		if (l->nentries) {
			size_t i = fuzz_pick(r, l->nentries);
			delete_entry(x, l->entries[i], l->entry_flow[i]);
		}
		break;
	case 7: /* duplicate a sequence item */
		if (l->nitems) {
			size_t i = fuzz_pick(r, l->nitems);
			duplicate_item(x, l->items[i], l->item_flow[i],
				       fuzz_pick(r, 2));
		}
		break;
	case 8: /* swap two values */
		if (l->nscalars >= 2)
			swap_spans(x, l->scalars[fuzz_pick(r, l->nscalars)],
				   l->scalars[fuzz_pick(r, l->nscalars)]);
		break;
	case 9: /* swap two entries (of maybe different mappings) */
		if (l->nentries >= 2) {
			size_t i = fuzz_pick(r, l->nentries);
			size_t j = fuzz_pick(r, l->nentries);
			if (l->entry_flow[i] && l->entry_flow[j])
				swap_spans(x, l->entries[i], l->entries[j]);
		}
		break;
	case 10: /* rename a key */
		if (l->nkeys) {
			const char *k = pick_key(r);
			replace(x, l->keys[fuzz_pick(r, l->nkeys)], k, strlen(k));
		}
		break;
	default: /* insert a key into a flow mapping */
		if (l->nmaps) {
			size_t at = l->maps[fuzz_pick(r, l->nmaps)];
			const char *k = pick_key(r);
			const char *v = pick_value_for(r, k, strlen(k));
			size_t p = skip_blanks(x->b, x->len, at);
			bool last = p < x->len && x->b[p] == '}';
			char tmp[256];
			int n = snprintf(tmp, sizeof tmp, "%s: %s%s", k, v,
					 last ? "" : ", ");
			insert_at(x, at, tmp, (size_t)n);
		}
		break;
	}
	free(l);
}


#endif
