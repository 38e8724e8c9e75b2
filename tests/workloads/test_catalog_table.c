/* SPDX-License-Identifier: MIT */
/*
 * workloads/README.md's preset table ("The table lists every parameter a
 * preset sets") against the catalog (workloads/catalog.c): each preset's
 * rows, read as a `workloads[].stream` mapping through the parameter
 * table's own loader, must give the preset exactly. So a value changed
 * in one place and not the other, a parameter a preset sets that the
 * table does not list (it would keep the default) and a row naming an
 * unknown key all fail, each naming the preset and the key.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"

#define MAXP 64

/* One preset's rows, as YAML: "key: value" lines. */
typedef struct doc_preset {
	char name[64];
	char *yaml;
	size_t len, cap;
} doc_preset;

static char *read_readme(size_t *len)
{
	const char *src = getenv("VDCSIM_TEST_SRCDIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/../%s", src ? src : "tests",
		 "workloads/README.md");
	FILE *f = fopen(path, "rb");
	cr_assert(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = malloc((size_t)n + 1);
	cr_assert(fread(text, 1, (size_t)n, f) == (size_t)n);
	text[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return text;
}

/* s without its leading and trailing blanks (in place). */
static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

static void append(doc_preset *p, const char *key, size_t klen,
		   const char *val, size_t vlen)
{
	size_t need = p->len + klen + vlen + 4;
	if (need > p->cap) {
		p->cap = need * 2;
		p->yaml = realloc(p->yaml, p->cap);
	}
	p->len += (size_t)sprintf(p->yaml + p->len, "%.*s: %.*s\n", (int)klen,
				  key, (int)vlen, val);
}

/* Splits "`a`, `b`" and "x, y" into their items; returns their number. */
static size_t items(char *s, char **out, size_t max)
{
	size_t n = 0;
	for (char *t = strtok(s, ","); t && n < max; t = strtok(NULL, ","))
		out[n++] = trim(t);
	return n;
}

/* The table's rows, grouped by preset; returns the number of presets. */
static size_t parse_table(char *text, doc_preset *out, size_t max)
{
	char *at = strstr(text, "| preset | parameter | value | unit | source |");
	cr_assert(at != NULL, "workloads/README.md has no preset table");
	at = strchr(at, '\n') + 1;  /* the header */
	at = strchr(at, '\n') + 1;  /* its rule */
	size_t np = 0;
	while (*at == '|') {
		char *end = strchr(at, '\n');
		cr_assert(end != NULL);
		*end = '\0';
		char *cell[8];
		size_t nc = 0;
		for (char *c = at + 1; nc < 8;) {
			char *bar = strchr(c, '|');
			if (!bar)
				break;
			*bar = '\0';
			cell[nc++] = trim(c);
			c = bar + 1;
		}
		cr_assert(nc >= 3, "a table row of %zu cells", nc);
		if (*cell[0]) {
			cr_assert(np < max);
			memset(&out[np], 0, sizeof out[np]);
			snprintf(out[np].name, sizeof out[np].name, "%s", cell[0]);
			np++;
		}
		cr_assert(np > 0, "the table's first row names no preset");
		char *keys[16], *vals[16];
		char *kcell = cell[1], *vcell = cell[2];
		size_t nk = items(kcell, keys, 16);
		size_t nv = items(vcell, vals, 16);
		cr_assert(eq(sz, nk, nv), "%s: %zu parameters, %zu values in one "
			  "row", out[np - 1].name, nk, nv);
		for (size_t i = 0; i < nk; i++) {
			size_t kl = strlen(keys[i]);
			cr_assert(kl > 2 && keys[i][0] == '`' &&
					  keys[i][kl - 1] == '`',
				  "%s: parameter '%s' not in backquotes",
				  out[np - 1].name, keys[i]);
			append(&out[np - 1], keys[i] + 1, kl - 2, vals[i],
			       strlen(vals[i]));
		}
		at = end + 1;
	}
	return np;
}

/* Whether field p of a and b holds the same value (a double to the
 * table's rounding: 5 significant digits). */
static bool same_field(const cfg_param *p, const void *a, const void *b,
		       char *why, size_t wn)
{
	const char *x = (const char *)a + p->offset;
	const char *y = (const char *)b + p->offset;
	switch (p->type) {
	case CFG_T_FLOAT:
	case CFG_T_PERCENT: {
		double u, v;
		memcpy(&u, x, sizeof u);
		memcpy(&v, y, sizeof v);
		snprintf(why, wn, "README %.9g, catalog %.9g", u, v);
		return fabs(u - v) <= 1e-5 * fmax(fabs(u), fabs(v));
	}
	case CFG_T_BOOL:
		snprintf(why, wn, "README %d, catalog %d", *(const bool *)x,
			 *(const bool *)y);
		return *(const bool *)x == *(const bool *)y;
	case CFG_T_ENUM:
		snprintf(why, wn, "README %d, catalog %d", *(const int *)x,
			 *(const int *)y);
		return *(const int *)x == *(const int *)y;
	default: {
		uint64_t u, v;
		memcpy(&u, x, sizeof u);
		memcpy(&v, y, sizeof v);
		snprintf(why, wn, "README %llu, catalog %llu",
			 (unsigned long long)u, (unsigned long long)v);
		return u == v;
	}
	}
}

Test(catalog_table, every_preset_is_its_rows_in_the_readme)
{
	size_t len;
	char *text = read_readme(&len);
	doc_preset *dp = calloc(MAXP, sizeof *dp);
	size_t np = parse_table(text, dp, MAXP);
	size_t listed = 0;
	const cfg_section *sec = wl_stream_section();
	for (size_t i = 0; i < np; i++) {
		const wl_stream_preset *w = wl_stream_preset_find(dp[i].name);
		cr_expect(w != NULL, "the table's preset '%s' is not in the "
			  "catalog", dp[i].name);
		if (!w)
			continue;
		listed++;
		cfg_doc *doc = NULL;
		sim_diag d;
		sim_diag_init(&d);
		char file[96];
		snprintf(file, sizeof file, "README(%s)", dp[i].name);
		cr_assert(eq(int, cfg_doc_parse(file, dp[i].yaml, dp[i].len, &doc,
					       &d), 0), "%s", d.text);
		wl_stream_params got;
		memset(&got, 0, sizeof got);
		cr_expect(eq(int, cfg_section_load(sec, cfg_doc_root(doc), NULL,
						  &got, &d), 0),
			  "%s: %s", dp[i].name, d.text ? d.text : "");
		for (size_t k = 0; k < sec->nparams; k++) {
			char why[160];
			cr_expect(same_field(&sec->params[k], &got, &w->params,
					     why, sizeof why),
				  "%s: `%s`: %s", dp[i].name,
				  sec->params[k].name, why);
		}
		cfg_doc_destroy(doc);
		sim_diag_fini(&d);
		free(dp[i].yaml);
	}
	size_t n = 0;
	while (wl_stream_preset_at(n))
		n++;
	cr_expect(eq(sz, listed, n), "the table lists %zu of the catalog's %zu "
		  "presets", listed, n);
	free(dp);
	free(text);
}
