/* SPDX-License-Identifier: MIT */
/*
 * Small shared services of sim/: the error table, allocation that panics on
 * exhaustion, diagnostics, edit-distance suggestions and the FNV-1a hash.
 */
#include "sim.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sim_strerror(int code)
{
	if (code == 0)
		return "success";
	switch (code) {
#define SIM_ERROR_CASE(name, value, text)                                      \
	case value:                                                            \
		return text;
		SIM_ERRORS(SIM_ERROR_CASE)
#undef SIM_ERROR_CASE
	default:
		return "unknown error";
	}
}

_Noreturn void sim_panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "vdcsim: internal error at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *sim_xmalloc(size_t bytes)
{
	void *p = malloc(bytes ? bytes : 1);
	if (!p)
		sim_panic("out of memory allocating %zu bytes", bytes);
	return p;
}

void *sim_xcalloc(size_t count, size_t bytes)
{
	void *p = calloc(count ? count : 1, bytes ? bytes : 1);
	if (!p)
		sim_panic("out of memory allocating %zu x %zu bytes", count,
			  bytes);
	return p;
}

void *sim_xrealloc(void *ptr, size_t count, size_t bytes)
{
	if (bytes && count > SIZE_MAX / bytes)
		sim_panic("allocation size overflow (%zu x %zu)", count, bytes);
	size_t total = count * bytes;
	void *p = realloc(ptr, total ? total : 1);
	if (!p)
		sim_panic("out of memory reallocating %zu bytes", total);
	return p;
}

char *sim_xstrdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = sim_xmalloc(n);
	memcpy(p, s, n);
	return p;
}

char *sim_xasprintf(const char *fmt, ...)
{
	va_list ap, aq;
	char small[256];
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		sim_panic("bad format '%s'", fmt);
	char *p = sim_xmalloc((size_t)n + 1);
	if ((size_t)n < sizeof small)
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, aq);
	va_end(aq);
	return p;
}

void sim_diag_init(sim_diag *d)
{
	memset(d, 0, sizeof *d);
}

void sim_diag_fini(sim_diag *d)
{
	free(d->text);
	memset(d, 0, sizeof *d);
}

static void diag_append(sim_diag *d, const char *s, size_t n)
{
	if (d->len + n + 1 > d->cap) {
		size_t cap = d->cap ? d->cap : 256;
		while (cap < d->len + n + 1)
			cap *= 2;
		d->text = sim_xrealloc(d->text, cap, 1);
		d->cap = cap;
	}
	memcpy(d->text + d->len, s, n);
	d->len += n;
	d->text[d->len] = '\0';
}

size_t sim_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1Fu, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0Fu, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Code points that a terminal acts on or that reorder what is shown:
 * the C1 controls (U+0080..U+009F, among them the 8-bit CSI) and the
 * Unicode line separators and bidirectional controls. */
static bool is_format_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}


/* Every message goes through here, so that no user text (a key, a value,
 * a file name, a --set argument) can move the cursor, recolour the
 * terminal or forge a line of its own. */
static void diag_append_escaped(sim_diag *d, const char *s, size_t n)
{
	char *e = sim_escape_n(s, n);
	diag_append(d, e, strlen(e));
	free(e);
}

char *sim_escape_n(const char *s, size_t n)
{
	/* \uNNNN is the longest escape: 6 bytes for a 2- or 3-byte input. */
	char *out = sim_xmalloc(n * 4 + 1);
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t len = sim_utf8_decode(p + i, n - i, &cp);
		if (len == 1 && cp >= 0x20 && cp != 0x7f) {
			out[o++] = (char)cp;
		} else if (len == 1 && (cp == '\n' || cp == '\r' || cp == '\t')) {
			out[o++] = '\\';
			out[o++] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
		} else if (len <= 1) {
			o += (size_t)snprintf(out + o, 5, "\\x%02x", p[i]);
			len = 1;
		} else if (is_format_control(cp)) {
			o += (size_t)snprintf(out + o, 7, "\\u%04x", (unsigned)cp);
		} else {
			memcpy(out + o, p + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
	return out;
}

char *sim_escape(const char *s)
{
	return sim_escape_n(s ? s : "", s ? strlen(s) : 0);
}

void sim_diag_verror(sim_diag *d, const char *file, unsigned line,
		     unsigned col, const char *fmt, va_list ap)
{
	/* No fixed buffers: a long path keeps its position prefix. */
	if (file) {
		diag_append_escaped(d, file, strlen(file));
		char pos[48];
		int h = line ? snprintf(pos, sizeof pos, ":%u:%u: ", line,
					col ? col : 1)
			     : snprintf(pos, sizeof pos, ": ");
		diag_append(d, pos, (size_t)h);
	}
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		sim_panic("bad format '%s'", fmt);
	char *msg = sim_xmalloc((size_t)n + 1);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	diag_append_escaped(d, msg, (size_t)n);
	free(msg);
	diag_append(d, "\n", 1);
	d->errors++;
}

void sim_diag_append(sim_diag *d, const sim_diag *from)
{
	if (from->len)
		diag_append(d, from->text, from->len);
	d->errors += from->errors;
}

void sim_diag_error(sim_diag *d, const char *file, unsigned line, unsigned col,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_diag_verror(d, file, line, col, fmt, ap);
	va_end(ap);
}

size_t sim_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = sim_xcalloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t dist = row[lb];
	free(row);
	return dist;
}

const char *sim_suggest(const char *word, const char *const *candidates)
{
	size_t limit = strlen(word) / 3;
	if (limit < 2)
		limit = 2;
	const char *best = NULL;
	size_t best_dist = limit + 1;
	for (size_t i = 0; candidates && candidates[i]; i++) {
		size_t dist = sim_edit_distance(word, candidates[i]);
		if (dist < best_dist) {
			best = candidates[i];
			best_dist = dist;
		}
	}
	return best;
}

uint64_t sim_hash64_more(uint64_t h, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

uint64_t sim_hash64(const void *bytes, size_t len)
{
	return sim_hash64_more(SIM_HASH64_INIT, bytes, len);
}

bool sim_name_is_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > SIM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');
		if (!alnum && c != '_' && (i == 0 || (c != '-' && c != '.')))
			return false;
	}
	return true;
}
