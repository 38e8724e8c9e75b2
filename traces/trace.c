/* SPDX-License-Identifier: MIT */
/*
 * Page-dirty traces, text format v1 (traces/page-dirty-format.md): the
 * parser with FILE:LINE:COL messages, the atomic writer and the builder
 * that generators use. The parser stops at the first problem and trusts no
 * length, number or byte of its input. Utilisation traces are not here yet.
 */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "# vdcsim page-dirty trace v1"
/* The first line without its version, to tell "another version" from "not
 * a trace at all". */
#define MAGIC_STEM "# vdcsim page-dirty trace "

/* Limits of format v1, documented in page-dirty-format.md. A page index is
 * a uint32_t, so a trace describes at most 2^32 pages. Page sizes span the
 * 512-byte VAX page to the 1 GiB x86 huge page. */
#define MAX_BYTES ((size_t)1 << 30)
#define MAX_PAGES (UINT64_C(1) << 32)
#define MIN_PAGE_SIZE UINT64_C(512)
#define MAX_PAGE_SIZE (UINT64_C(1) << 30)
/* Pages stored, after merging duplicates within each sample: 1 GiB of
 * uint32_t. One short line such as "1 0-4294967295" would otherwise ask
 * for 16 GiB, and a parser must refuse rather than run out of memory. */
#define MAX_ENTRIES ((size_t)1 << 28)

/* The longest piece of user text quoted in a message before it is cut. */
#define SHOW_MAX 60

/* The header keys, in the order the writer emits them. */
enum { KEY_PAGES, KEY_PAGE_SIZE, KEY_INTERVAL, NKEYS };
static const char *const key_names[] = {"pages", "page_size", "interval",
					NULL};
static const char *const key_examples[] = {"pages 131072", "page_size 4096",
					   "interval 50ms"};

/* ------------------------------------------------------------------------
 * Growing arrays of samples, shared by the parser and the builder
 * ------------------------------------------------------------------------ */

typedef struct acc {
	trace_pages *t;
	size_t time_cap;  /* capacity of t->time_ns and t->first (+1) */
	size_t page_cap;  /* capacity of t->page */
	size_t npages;    /* entries used in t->page */
} acc;

static void acc_init(acc *a, uint64_t pages, uint64_t page_size,
		     uint64_t interval_ns)
{
	trace_pages *t = sim_xcalloc(1, sizeof *t);
	t->pages = pages;
	t->page_size = page_size;
	t->interval_ns = interval_ns;
	a->t = t;
	a->time_cap = 16;
	a->page_cap = 256;
	a->npages = 0;
	t->time_ns = sim_xmalloc(a->time_cap * sizeof *t->time_ns);
	t->first = sim_xmalloc((a->time_cap + 1) * sizeof *t->first);
	t->page = sim_xmalloc(a->page_cap * sizeof *t->page);
}

/* Starts a sample at time_ns; its pages follow with acc_page. */
static void acc_sample(acc *a, uint64_t time_ns)
{
	trace_pages *t = a->t;
	if (t->nsamples == a->time_cap) {
		a->time_cap *= 2;
		t->time_ns = sim_xrealloc(t->time_ns, a->time_cap,
					  sizeof *t->time_ns);
		t->first = sim_xrealloc(t->first, a->time_cap + 1,
					sizeof *t->first);
	}
	t->time_ns[t->nsamples] = time_ns;
	t->first[t->nsamples] = a->npages;
	t->nsamples++;
}

static void acc_reserve(acc *a, size_t more)
{
	if (a->page_cap - a->npages >= more)
		return;
	size_t cap = a->page_cap;
	while (cap - a->npages < more)
		cap *= 2;
	a->t->page = sim_xrealloc(a->t->page, cap, sizeof *a->t->page);
	a->page_cap = cap;
}

static trace_pages *acc_finish(acc *a)
{
	trace_pages *t = a->t;
	t->first[t->nsamples] = a->npages;
	a->t = NULL;
	return t;
}

void trace_pages_destroy(trace_pages *t)
{
	if (!t)
		return;
	free(t->time_ns);
	free(t->first);
	free(t->page);
	free(t);
}

/* ------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Index of the first non-blank at or after i (n if none). */
static size_t skip_blanks(const char *s, size_t n, size_t i)
{
	while (i < n && is_blank(s[i]))
		i++;
	return i;
}

/* Length of the token starting at i: up to the next blank or the end. */
static size_t token_len(const char *s, size_t n, size_t i)
{
	size_t j = i;
	while (j < n && !is_blank(s[j]))
		j++;
	return j - i;
}

/* Reads s[0..n) as a decimal integer. Returns 0, 1 if it is not all
 * digits (or empty), 2 if it is all digits but above UINT64_MAX. */
static int scan_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0)
		return 1;
	uint64_t v = 0;
	bool over = false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return 1;
		unsigned dgt = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - dgt) / 10)
			over = true;
		else
			v = v * 10 + dgt;
	}
	if (over)
		return 2;
	*out = v;
	return 0;
}

/* User text made fit for a one-line ASCII message: bytes outside printable
 * ASCII escaped (tab as \t, others as \xNN), cut after SHOW_MAX bytes with
 * "..." appended. The caller frees the result. */
static char *show(const char *s, size_t n)
{
	size_t cut = n > SHOW_MAX ? SHOW_MAX : n;
	char *out = sim_xmalloc(cut * 4 + 4);
	size_t o = 0;
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t') {
			out[o++] = '\\';
			out[o++] = 't';
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	if (cut < n)
		for (int k = 0; k < 3; k++)
			out[o++] = '.';
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------------------
 * Parser
 * ------------------------------------------------------------------------ */

/* An inclusive range of pages from one token of a sample. */
typedef struct range {
	uint32_t lo, hi;
} range;

typedef struct parser {
	const char *file;
	sim_diag *d;
	unsigned lineno;            /* the line being read, 1-based */
	uint64_t value[NKEYS];      /* header values */
	unsigned given_on[NKEYS];   /* line of each header key, 0 if absent */
	unsigned first_sample_line;
	unsigned last_sample_line;
	uint64_t last_time_ns;
	bool started;               /* acc holds the trace (header complete) */
	acc a;
	range *r;                   /* the current sample's tokens */
	size_t nr, r_cap;
} parser;

static int fail(parser *p, size_t col0, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports at the current line, 0-based byte column col0; returns
 * SIM_EINPUT so that callers can `return fail(...)`. */
static int fail(parser *p, size_t col0, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	unsigned col = col0 >= UINT32_MAX ? UINT32_MAX : (unsigned)col0 + 1;
	sim_diag_verror(p->d, p->file, p->lineno, col, fmt, ap);
	va_end(ap);
	return SIM_EINPUT;
}

static int check_magic(parser *p, const char *s, size_t n)
{
	size_t stem = sizeof MAGIC_STEM - 1;
	if (n == sizeof MAGIC - 1 && memcmp(s, MAGIC, n) == 0)
		return 0;
	/* A later version of the format deserves a better message than
	 * "not a trace"; "v" and digits are what a version looks like. */
	if (n > stem + 1 && memcmp(s, MAGIC_STEM, stem) == 0 &&
	    s[stem] == 'v') {
		bool version = true;
		for (size_t i = stem + 1; i < n; i++)
			version = version && is_digit(s[i]);
		if (version) {
			char *v = show(s + stem, n - stem);
			int rc = fail(p, stem,
				      "unsupported page-dirty trace version "
				      "'%s' (expected v1)",
				      v);
			free(v);
			return rc;
		}
	}
	return fail(p, 0,
		    "not a page-dirty trace (expected the first line '" MAGIC
		    "')");
}

static int header_key(const char *s, size_t n)
{
	for (int k = 0; k < NKEYS; k++)
		if (strlen(key_names[k]) == n && memcmp(s, key_names[k], n) == 0)
			return k;
	return -1;
}

static int unknown_key(parser *p, const char *s, size_t i, size_t n)
{
	char *shown = show(s + i, n);
	/* Suggestions only for words of a sensible length: the edit distance
	 * costs their length times the key's. */
	const char *near = NULL;
	if (n <= 64) {
		char word[65];
		memcpy(word, s + i, n);
		word[n] = '\0';
		near = sim_suggest(word, key_names);
	}
	int rc;
	if (near)
		rc = fail(p, i, "unknown header key '%s' (did you mean '%s'?)",
			  shown, near);
	else
		rc = fail(p, i,
			  "unknown header key '%s' (expected pages, page_size "
			  "or interval)",
			  shown);
	free(shown);
	return rc;
}

/* The single-token value of pages or page_size at s[i..i+n). */
static int header_number(parser *p, int k, const char *s, size_t i, size_t n)
{
	static const char pages_want[] = "1 to 4294967296";
	static const char size_want[] = "a power of two from 512 to 1073741824";
	char *shown = show(s + i, n);
	uint64_t v = 0;
	int sc = scan_u64(s + i, n, &v);
	int rc = 0;
	if (sc == 1) {
		rc = fail(p, i, "'%s' is not a number (expected %s)", shown,
			  k == KEY_PAGES ? "the number of pages, from 1 to "
					   "4294967296"
					 : "the page size in bytes, a power of "
					   "two from 512 to 1073741824");
	} else if (k == KEY_PAGES && (sc == 2 || v < 1 || v > MAX_PAGES)) {
		rc = fail(p, i, "pages %s is out of range (expected %s)", shown,
			  pages_want);
	} else if (k == KEY_PAGE_SIZE &&
		   (sc == 2 || v < MIN_PAGE_SIZE || v > MAX_PAGE_SIZE)) {
		rc = fail(p, i, "page_size %s is out of range (expected %s)",
			  shown, size_want);
	} else if (k == KEY_PAGE_SIZE && !is_pow2(v)) {
		rc = fail(p, i, "page_size %s is not a power of two (expected %s)",
			  shown, size_want);
	}
	free(shown);
	if (rc == 0)
		p->value[k] = v;
	return rc;
}

/* The value of interval: the rest of the line, parsed as a duration, so
 * that "50ms" and "50 ms" are both accepted as in configurations. */
static int header_interval(parser *p, const char *s, size_t i, size_t n)
{
	char *shown = show(s + i, n);
	char *text = sim_xmalloc(n + 1);
	memcpy(text, s + i, n);
	text[n] = '\0';
	uint64_t v = 0;
	const char *why = "expected a duration such as 10ms";
	/* cfg_parse_time reads a C string: an embedded NUL would hide what
	 * follows it, so such a value is refused here. */
	int rc = memchr(s + i, '\0', n) ? SIM_EINPUT
					: cfg_parse_time(text, &v, &why);
	if (rc) {
		if (strncmp(why, "expected ", 9) == 0)
			rc = fail(p, i, "interval '%s' is not a duration (%s)",
				  shown, why);
		else
			rc = fail(p, i, "interval '%s': %s", shown, why);
	} else if (v == 0) {
		rc = fail(p, i,
			  "interval '%s' is out of range (expected at least "
			  "1ns)",
			  shown);
	} else {
		p->value[KEY_INTERVAL] = v;
	}
	free(text);
	free(shown);
	return rc;
}

static int parse_header(parser *p, const char *s, size_t n, size_t i,
			size_t tl)
{
	int k = header_key(s + i, tl);
	if (k < 0)
		return unknown_key(p, s, i, tl);
	if (p->first_sample_line)
		return fail(p, i,
			    "header key '%s' after the first sample (expected "
			    "the header before line %u)",
			    key_names[k], p->first_sample_line);
	if (p->given_on[k])
		return fail(p, i,
			    "duplicate header key '%s' (expected each key once; "
			    "first given on line %u)",
			    key_names[k], p->given_on[k]);
	size_t v = skip_blanks(s, n, i + tl);
	if (v == n)
		return fail(p, i + tl,
			    "missing value of header key '%s' (expected a line "
			    "such as '%s')",
			    key_names[k], key_examples[k]);
	int rc;
	if (k == KEY_INTERVAL) {
		size_t end = n;
		while (end > v && is_blank(s[end - 1]))
			end--;
		rc = header_interval(p, s, v, end - v);
	} else {
		size_t vl = token_len(s, n, v);
		size_t extra = skip_blanks(s, n, v + vl);
		if (extra < n) {
			char *shown = show(s + extra, token_len(s, n, extra));
			rc = fail(p, extra,
				  "unexpected '%s' after the value of '%s' "
				  "(expected the end of the line)",
				  shown, key_names[k]);
			free(shown);
			return rc;
		}
		rc = header_number(p, k, s, v, vl);
	}
	if (rc == 0)
		p->given_on[k] = p->lineno;
	return rc;
}

static int range_cmp(const void *x, const void *y)
{
	const range *a = x, *b = y;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->hi > b->hi) - (a->hi < b->hi);
}

/* Sorts the ranges and merges those that overlap or touch, in place.
 * Returns the number of pages they cover. */
static uint64_t merge_ranges(range *r, size_t *nr)
{
	if (*nr == 0)
		return 0;
	qsort(r, *nr, sizeof *r, range_cmp);
	size_t o = 0;
	for (size_t i = 1; i < *nr; i++) {
		if ((uint64_t)r[i].lo <= (uint64_t)r[o].hi + 1) {
			if (r[i].hi > r[o].hi)
				r[o].hi = r[i].hi;
		} else {
			r[++o] = r[i];
		}
	}
	*nr = o + 1;
	uint64_t covered = 0;
	for (size_t i = 0; i < *nr; i++)
		covered += (uint64_t)r[i].hi - r[i].lo + 1;
	return covered;
}

static int too_many(parser *p)
{
	return fail(p, 0,
		    "the trace lists more than %zu pages in all (expected at "
		    "most %zu, counting each page once per sample)",
		    MAX_ENTRIES, MAX_ENTRIES);
}

static int push_range(parser *p, uint32_t lo, uint32_t hi)
{
	if (p->nr == p->r_cap) {
		/* A long line of repeated pages would grow the buffer without
		 * bound; merging keeps it within twice the distinct ranges,
		 * which the entry limit bounds in turn. */
		if (p->r_cap >= 4096) {
			uint64_t covered = merge_ranges(p->r, &p->nr);
			if (covered > MAX_ENTRIES - p->a.npages)
				return too_many(p);
		}
		if (p->nr == p->r_cap || p->nr > p->r_cap / 2) {
			p->r_cap = p->r_cap ? 2 * p->r_cap : 64;
			p->r = sim_xrealloc(p->r, p->r_cap, sizeof *p->r);
		}
	}
	p->r[p->nr].lo = lo;
	p->r[p->nr].hi = hi;
	p->nr++;
	return 0;
}

/* One page index at s[i..i+n), already known to be all digits. */
static int page_number(parser *p, const char *s, size_t i, size_t n,
		       uint32_t *out)
{
	uint64_t v = 0;
	if (scan_u64(s + i, n, &v) != 0 || v >= p->value[KEY_PAGES]) {
		char *shown = show(s + i, n);
		int rc = fail(p, i, "page %s is out of range (expected 0 to %" PRIu64
				    ")",
			      shown, p->value[KEY_PAGES] - 1);
		free(shown);
		return rc;
	}
	*out = (uint32_t)v;
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* A page token: "N" or "A-B". */
static int page_token(parser *p, const char *s, size_t i, size_t tl)
{
	const char *dash = memchr(s + i, '-', tl);
	size_t al = dash ? (size_t)(dash - (s + i)) : tl;
	size_t b = i + al + 1, bl = dash ? tl - al - 1 : 0;
	if (!all_digits(s + i, al) || (dash && !all_digits(s + b, bl))) {
		char *shown = show(s + i, tl);
		int rc = fail(p, i,
			      "'%s' is not a page (expected a page number or a "
			      "range a-b)",
			      shown);
		free(shown);
		return rc;
	}
	uint32_t lo, hi;
	if (page_number(p, s, i, al, &lo))
		return SIM_EINPUT;
	hi = lo;
	if (dash) {
		if (page_number(p, s, b, bl, &hi))
			return SIM_EINPUT;
		if (lo > hi) {
			char *shown = show(s + i, tl);
			int rc = fail(p, i,
				      "range %s is reversed (expected a-b with "
				      "a <= b)",
				      shown);
			free(shown);
			return rc;
		}
	}
	return push_range(p, lo, hi);
}

/* The header is complete at the first sample: reports the first missing
 * key at column col0 of the current line (or wherever the caller is). */
static int check_header(parser *p, size_t col0, bool at_end)
{
	for (int k = 0; k < NKEYS; k++) {
		if (p->given_on[k])
			continue;
		return fail(p, col0,
			    "missing header key '%s'%s (expected a line such as "
			    "'%s')",
			    key_names[k], at_end ? "" : " before the first sample",
			    key_examples[k]);
	}
	return 0;
}

static int parse_sample(parser *p, const char *s, size_t n, size_t i,
			size_t tl)
{
	if (!p->started) {
		if (check_header(p, i, false))
			return SIM_EINPUT;
		acc_init(&p->a, p->value[KEY_PAGES], p->value[KEY_PAGE_SIZE],
			 p->value[KEY_INTERVAL]);
		p->started = true;
		p->first_sample_line = p->lineno;
	}
	uint64_t time_ns = 0;
	char *shown = show(s + i, tl);
	int sc = scan_u64(s + i, tl, &time_ns);
	int rc = 0;
	if (sc == 1)
		rc = fail(p, i,
			  "'%s' is not a sample time (expected nanoseconds as "
			  "a decimal integer)",
			  shown);
	else if (sc == 2)
		rc = fail(p, i,
			  "sample time %s is out of range (expected at most "
			  "18446744073709551615)",
			  shown);
	else if (time_ns == 0)
		rc = fail(p, i,
			  "sample time 0 is not after the start of the trace "
			  "(expected a time above 0)");
	else if (p->a.t->nsamples && time_ns <= p->last_time_ns)
		rc = fail(p, i,
			  "sample time %" PRIu64 " is not after the previous "
			  "sample's time %" PRIu64 " on line %u (expected times "
			  "that increase strictly)",
			  time_ns, p->last_time_ns, p->last_sample_line);
	free(shown);
	if (rc)
		return rc;
	p->nr = 0;
	for (size_t j = skip_blanks(s, n, i + tl); j < n;
	     j = skip_blanks(s, n, j)) {
		size_t pl = token_len(s, n, j);
		if (page_token(p, s, j, pl))
			return SIM_EINPUT;
		j += pl;
	}
	uint64_t covered = merge_ranges(p->r, &p->nr);
	if (covered > MAX_ENTRIES - p->a.npages)
		return too_many(p);
	acc_sample(&p->a, time_ns);
	acc_reserve(&p->a, (size_t)covered);
	uint32_t *out = p->a.t->page + p->a.npages;
	for (size_t k = 0; k < p->nr; k++)
		for (uint64_t pg = p->r[k].lo; pg <= p->r[k].hi; pg++)
			*out++ = (uint32_t)pg;
	p->a.npages += (size_t)covered;
	p->last_time_ns = time_ns;
	p->last_sample_line = p->lineno;
	return 0;
}

static int parse_line(parser *p, const char *s, size_t n)
{
	size_t i = skip_blanks(s, n, 0);
	if (i == n || s[i] == '#')
		return 0;
	size_t tl = token_len(s, n, i);
	if (is_digit(s[i]))
		return parse_sample(p, s, n, i, tl);
	if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    s[i] == '_')
		return parse_header(p, s, n, i, tl);
	char *shown = show(s + i, tl);
	int rc = fail(p, i,
		      "unexpected '%s' (expected a header key, a sample time or "
		      "a comment starting with '#')",
		      shown);
	free(shown);
	return rc;
}

int trace_pages_parse(const char *file, const char *text, size_t len,
		      trace_pages **out, sim_diag *d)
{
	*out = NULL;
	if (len > MAX_BYTES) {
		sim_diag_error(d, file, 0, 0,
			       "trace is larger than 1 GiB (expected at most "
			       "%zu bytes)",
			       MAX_BYTES);
		return SIM_EINPUT;
	}
	if (!text && len)
		sim_panic("trace_pages_parse: %zu bytes at NULL", len);
	if (!text)
		text = "";
	parser p;
	memset(&p, 0, sizeof p);
	p.file = file;
	p.d = d;
	size_t pos = 0;
	int rc = 0;
	/* Where the input ends, for messages about what never came. */
	unsigned end_line = 1;
	size_t end_col0 = 0;
	for (p.lineno = 1;; p.lineno++) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL);
		end_line = nl ? p.lineno + 1 : p.lineno;
		end_col0 = nl ? 0 : n;
		/* A CR before the line end is part of a CRLF line end. */
		if (n && s[n - 1] == '\r')
			n--;
		rc = p.lineno == 1 ? check_magic(&p, s, n) : parse_line(&p, s, n);
		if (rc || !nl || pos == len)
			break;
	}
	if (rc == 0 && !p.started) {
		/* A trace without samples is valid once its header is. */
		p.lineno = end_line;
		rc = check_header(&p, end_col0, true);
		if (rc == 0)
			acc_init(&p.a, p.value[KEY_PAGES], p.value[KEY_PAGE_SIZE],
				 p.value[KEY_INTERVAL]);
	}
	free(p.r);
	if (rc) {
		if (p.a.t)
			trace_pages_destroy(acc_finish(&p.a));
		return rc;
	}
	*out = acc_finish(&p.a);
	return 0;
}

/* Reports an I/O error as "path: message (expected ...)". */
static int io_error(sim_diag *d, const char *path, int err, const char *want)
{
	char msg[256];
	if (strerror_r(err, msg, sizeof msg))
		snprintf(msg, sizeof msg, "error %d", err);
	sim_diag_error(d, path, 0, 0, "%s (expected %s)", msg, want);
	return SIM_EIO;
}

int trace_pages_load(const char *path, trace_pages **out, sim_diag *d)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return io_error(d, path, errno, "a readable page-dirty trace");
	/* A regular file's size says at once whether it is too large; the
	 * read loop below still stops one byte past the limit for pipes. */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > MAX_BYTES) {
		fclose(f);
		sim_diag_error(d, path, 0, 0,
			       "trace is larger than 1 GiB (expected at most "
			       "%zu bytes)",
			       MAX_BYTES);
		return SIM_EINPUT;
	}
	size_t cap = 64 << 10, len = 0;
	char *buf = sim_xmalloc(cap);
	for (;;) {
		if (len == cap) {
			cap = cap > MAX_BYTES / 2 ? MAX_BYTES + 1 : 2 * cap;
			buf = sim_xrealloc(buf, cap, 1);
		}
		size_t want = cap - len;
		size_t got = fread(buf + len, 1, want, f);
		len += got;
		if (got < want || len > MAX_BYTES)
			break;
	}
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		free(buf);
		return io_error(d, path, err, "a readable page-dirty trace");
	}
	int rc = trace_pages_parse(path, buf, len, out, d);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------------
 * Writer
 * ------------------------------------------------------------------------ */

/* Checks what the parser would check, so that whatever is saved reads
 * back. Reports "path: trace to save ..." and returns SIM_EINPUT. */
static int check_trace(const trace_pages *t, const char *path, sim_diag *d)
{
	const char *bad = NULL;
	if (!t)
		bad = "is missing";
	else if (t->pages < 1 || t->pages > MAX_PAGES)
		bad = "has pages out of range (expected 1 to 4294967296)";
	else if (!is_pow2(t->page_size) || t->page_size < MIN_PAGE_SIZE ||
		 t->page_size > MAX_PAGE_SIZE)
		bad = "has a page_size that is not a power of two from 512 to "
		      "1073741824";
	else if (t->interval_ns == 0)
		bad = "has an interval of 0 (expected at least 1ns)";
	else if (!t->first || (t->nsamples && (!t->time_ns || !t->page)))
		bad = "has missing arrays";
	else if (t->first[0] != 0)
		bad = "does not start its pages at index 0";
	for (size_t i = 0; !bad && i < t->nsamples; i++) {
		if (t->time_ns[i] == 0 || (i && t->time_ns[i] <= t->time_ns[i - 1]))
			bad = "has sample times that do not increase strictly "
			      "from above 0";
		else if (t->first[i + 1] < t->first[i] ||
			 (t->first[i + 1] - t->first[i]) > MAX_ENTRIES)
			bad = "has a sample with a negative or huge page count";
		for (size_t k = t->first[i]; !bad && k < t->first[i + 1]; k++)
			if (t->page[k] >= t->pages ||
			    (k > t->first[i] && t->page[k] <= t->page[k - 1]))
				bad = "has a sample whose pages are not sorted, "
				      "distinct and below pages";
	}
	if (!bad && t->nsamples && t->first[t->nsamples] > MAX_ENTRIES)
		bad = "lists more than 268435456 pages in all";
	if (!bad)
		return 0;
	sim_diag_error(d, path, 0, 0, "trace to save %s", bad);
	return SIM_EINPUT;
}

/* Writes ns with the largest time unit that divides it, so that the
 * parser's cfg_parse_time reads back the same number. */
static void write_duration(FILE *f, uint64_t ns)
{
	static const struct {
		const char *name;
		uint64_t mult;
	} units[] = {
		{"h", UINT64_C(3600000000000)}, {"min", UINT64_C(60000000000)},
		{"s", UINT64_C(1000000000)},    {"ms", UINT64_C(1000000)},
		{"us", UINT64_C(1000)},
	};
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (ns % units[i].mult == 0) {
			fprintf(f, "%" PRIu64 "%s", ns / units[i].mult,
				units[i].name);
			return;
		}
	fprintf(f, "%" PRIu64 "ns", ns);
}

static void write_trace(FILE *f, const trace_pages *t)
{
	fprintf(f, MAGIC "\npages %" PRIu64 "\npage_size %" PRIu64
		       "\ninterval ",
		t->pages, t->page_size);
	write_duration(f, t->interval_ns);
	fputc('\n', f);
	for (size_t i = 0; i < t->nsamples; i++) {
		fprintf(f, "%" PRIu64, t->time_ns[i]);
		size_t k = t->first[i], end = t->first[i + 1];
		while (k < end) {
			/* A run of consecutive pages is one range when that is
			 * shorter than its members: three or more. */
			size_t j = k + 1;
			while (j < end && t->page[j] == t->page[j - 1] + 1)
				j++;
			if (j - k >= 3) {
				fprintf(f, " %" PRIu32 "-%" PRIu32, t->page[k],
					t->page[j - 1]);
			} else {
				for (size_t m = k; m < j; m++)
					fprintf(f, " %" PRIu32, t->page[m]);
			}
			k = j;
		}
		fputc('\n', f);
	}
}

int trace_pages_save_as(const trace_pages *t, const char *path,
			unsigned flags, sim_diag *d)
{
	if (check_trace(t, path, d))
		return SIM_EINPUT;
	sim_file out;
	int rc = sim_file_open(&out, path, flags, d);
	if (rc != 0)
		return rc;
	FILE *f = sim_file_stream(&out);
	if (!f) {
		sim_file_abort(&out);
		return sim_file_io_error(d, path, "write", ENOMEM);
	}
	write_trace(f, t);
	return sim_file_commit(&out, d);
}

int trace_pages_save(const trace_pages *t, const char *path, sim_diag *d)
{
	return trace_pages_save_as(t, path, SIM_FILE_REPLACE, d);
}

/* ------------------------------------------------------------------------
 * Builder
 * ------------------------------------------------------------------------ */

struct trace_pages_builder {
	acc a;
	uint32_t *scratch;
	size_t scratch_cap;
};

trace_pages_builder *trace_pages_builder_create(uint64_t pages,
						uint64_t page_size,
						uint64_t interval_ns)
{
	/* The limits are the parser's, so that every built trace saves and
	 * reads back. */
	if (pages < 1 || pages > MAX_PAGES)
		sim_panic("trace builder: %" PRIu64 " pages (expected 1 to "
			  "2^32)",
			  pages);
	if (!is_pow2(page_size) || page_size < MIN_PAGE_SIZE ||
	    page_size > MAX_PAGE_SIZE)
		sim_panic("trace builder: page size %" PRIu64
			  " (expected a power of two from 512 to 2^30)",
			  page_size);
	if (interval_ns == 0 || interval_ns > (uint64_t)INT64_MAX)
		sim_panic("trace builder: interval of %" PRIu64 " ns (expected "
			  "1 to 2^63 - 1)", interval_ns);
	trace_pages_builder *b = sim_xcalloc(1, sizeof *b);
	acc_init(&b->a, pages, page_size, interval_ns);
	return b;
}

static int u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return (a > b) - (a < b);
}

void trace_pages_builder_add(trace_pages_builder *b, uint64_t time_ns,
			     const uint32_t *pages, size_t n)
{
	trace_pages *t = b->a.t;
	if (time_ns == 0 ||
	    (t->nsamples && time_ns <= t->time_ns[t->nsamples - 1]))
		sim_panic("trace builder: sample time %" PRIu64
			  " does not increase from above 0",
			  time_ns);
	if (n > b->scratch_cap) {
		b->scratch_cap = n;
		b->scratch = sim_xrealloc(b->scratch, n, sizeof *b->scratch);
	}
	for (size_t i = 0; i < n; i++) {
		if (pages[i] >= t->pages)
			sim_panic("trace builder: page %" PRIu32
				  " of a trace of %" PRIu64 " pages",
				  pages[i], t->pages);
		b->scratch[i] = pages[i];
	}
	if (n)
		qsort(b->scratch, n, sizeof *b->scratch, u32_cmp);
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || b->scratch[i] != b->scratch[distinct - 1])
			b->scratch[distinct++] = b->scratch[i];
	if (distinct > MAX_ENTRIES - b->a.npages)
		sim_panic("trace builder: more than %zu pages in all",
			  MAX_ENTRIES);
	acc_sample(&b->a, time_ns);
	acc_reserve(&b->a, distinct);
	if (distinct)
		memcpy(t->page + b->a.npages, b->scratch,
		       distinct * sizeof *b->scratch);
	b->a.npages += distinct;
}

trace_pages *trace_pages_builder_finish(trace_pages_builder *b)
{
	trace_pages *t = acc_finish(&b->a);
	free(b->scratch);
	free(b);
	return t;
}
