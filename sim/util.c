/* SPDX-License-Identifier: MIT */
/*
 * Small shared services of sim/: the error table, allocation that panics on
 * exhaustion, diagnostics, edit-distance suggestions and the FNV-1a hash.
 */
#include "sim.h"

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

void sim_diag_verror(sim_diag *d, const char *file, unsigned line,
		     unsigned col, const char *fmt, va_list ap)
{
	char head[512];
	int h = 0;
	if (file && line)
		h = snprintf(head, sizeof head, "%s:%u:%u: ", file, line,
			     col ? col : 1);
	else if (file)
		h = snprintf(head, sizeof head, "%s: ", file);
	if (h < 0)
		h = 0;
	if ((size_t)h >= sizeof head)
		h = (int)sizeof head - 1;
	diag_append(d, head, (size_t)h);
	char small[256];
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(small, sizeof small, fmt, aq);
	va_end(aq);
	if (n < 0)
		sim_panic("bad format '%s'", fmt);
	if ((size_t)n < sizeof small) {
		diag_append(d, small, (size_t)n);
	} else {
		char *msg = sim_xmalloc((size_t)n + 1);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		diag_append(d, msg, (size_t)n);
		free(msg);
	}
	diag_append(d, "\n", 1);
	d->errors++;
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

uint64_t sim_hash64(const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}
