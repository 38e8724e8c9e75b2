/* SPDX-License-Identifier: MIT */
/*
 * Parameter tables: a module declares each parameter once (name, type,
 * default, bounds, doc) and this file validates a mapping of the
 * configuration tree against the table and fills the module's struct. The
 * same tables print `vdcsim params`; printing is not done here.
 */
#include "sim_internal.h"

#include <stdlib.h>
#include <string.h>

/* One parsed value of any parameter type. */
typedef union pval {
	bool b;
	int64_t i;
	uint64_t u;
	double f;
	const char *s;
	int e;
} pval;

static bool is_null_text(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* "a, b or c" style list of an enum's choices. */
static char *choice_list(const char *const *choices)
{
	size_t len = 1;
	for (size_t i = 0; choices && choices[i]; i++)
		len += strlen(choices[i]) + 2;
	char *s = sim_xmalloc(len), *o = s;
	for (size_t i = 0; choices && choices[i]; i++) {
		size_t l = strlen(choices[i]);
		if (i) {
			*o++ = ',';
			*o++ = ' ';
		}
		memcpy(o, choices[i], l);
		o += l;
	}
	*o = '\0';
	return s;
}

/* Parses text as p's type. Returns 0, or SIM_EINPUT with *why from the
 * unit parsers (NULL for an enum, whose message the caller builds). */
static int parse_value(const cfg_param *p, const char *text, pval *v,
		       const char **why)
{
	*why = NULL;
	switch (p->type) {
	case CFG_T_BOOL:
		return cfg_parse_bool(text, &v->b, why);
	case CFG_T_INT:
		return cfg_parse_int(text, &v->i, why);
	case CFG_T_UINT:
		return cfg_parse_uint(text, &v->u, why);
	case CFG_T_FLOAT:
		return cfg_parse_float(text, &v->f, why);
	case CFG_T_BYTES:
		return cfg_parse_bytes(text, &v->u, why);
	case CFG_T_POW2:
		return cfg_parse_pow2(text, &v->u, why);
	case CFG_T_RATE:
		return cfg_parse_rate(text, &v->u, why);
	case CFG_T_TIME:
		return cfg_parse_time(text, &v->u, why);
	case CFG_T_PERCENT:
		return cfg_parse_percent(text, &v->f, why);
	case CFG_T_STRING:
		v->s = text;
		return 0;
	case CFG_T_ENUM:
		for (size_t i = 0; p->choices && p->choices[i]; i++)
			if (strcmp(text, p->choices[i]) == 0) {
				v->e = (int)i;
				return 0;
			}
		return SIM_EINPUT;
	}
	sim_panic("parameter '%s' has unknown type %d", p->name, (int)p->type);
}

/* Returns <0, 0 or >0 as a is below, equal to or above b. */
static int compare(cfg_type t, const pval *a, const pval *b)
{
	switch (t) {
	case CFG_T_INT:
		return (a->i > b->i) - (a->i < b->i);
	case CFG_T_UINT:
	case CFG_T_BYTES:
	case CFG_T_POW2:
	case CFG_T_RATE:
	case CFG_T_TIME:
		return (a->u > b->u) - (a->u < b->u);
	case CFG_T_FLOAT:
	case CFG_T_PERCENT:
		return (a->f > b->f) - (a->f < b->f);
	case CFG_T_BOOL:
	case CFG_T_STRING:
	case CFG_T_ENUM:
		return 0;
	}
	return 0;
}

/* A bound from the table; it was written by a programmer, so a bound that
 * does not parse is a broken invariant. */
static pval bound(const cfg_param *p, const char *text)
{
	pval v;
	const char *why;
	if (parse_value(p, text, &v, &why))
		sim_panic("parameter '%s': bound '%s' does not parse (%s)",
			  p->name, text, why ? why : "not a choice");
	return v;
}

/* True if v lies in p's inclusive bounds. */
static bool in_range(const cfg_param *p, const pval *v)
{
	if (p->min) {
		pval lo = bound(p, p->min);
		if (compare(p->type, v, &lo) < 0)
			return false;
	}
	if (p->max) {
		pval hi = bound(p, p->max);
		if (compare(p->type, v, &hi) > 0)
			return false;
	}
	return true;
}

static void store(const cfg_param *p, void *out, const pval *v)
{
	char *dst = (char *)out + p->offset;
	switch (p->type) {
	case CFG_T_BOOL:
		memcpy(dst, &v->b, sizeof v->b);
		return;
	case CFG_T_INT:
		memcpy(dst, &v->i, sizeof v->i);
		return;
	case CFG_T_UINT:
	case CFG_T_BYTES:
	case CFG_T_POW2:
	case CFG_T_RATE:
	case CFG_T_TIME:
		memcpy(dst, &v->u, sizeof v->u);
		return;
	case CFG_T_FLOAT:
	case CFG_T_PERCENT:
		memcpy(dst, &v->f, sizeof v->f);
		return;
	case CFG_T_STRING:
		memcpy(dst, &v->s, sizeof v->s);
		return;
	case CFG_T_ENUM:
		memcpy(dst, &v->e, sizeof v->e);
		return;
	}
}

/* What a parameter expects, for "expected ..." texts. Enums list their
 * choices; the result is freed by the caller. */
static char *expectation(const cfg_param *p)
{
	if (p->type == CFG_T_ENUM) {
		char *list = choice_list(p->choices);
		char *s = sim_xasprintf("one of %s", list);
		free(list);
		return s;
	}
	return sim_xstrdup(cfg_type_expect(p->type));
}

/* Reports a value that did not parse. The unit parsers' explanations have
 * three shapes, which keep messages of the form "what is wrong (what was
 * expected)": "expected X" (the text is not of the type at all), "unknown
 * unit (...)" (we name the unit) and "PROBLEM (...)" (we name the text). */
static void report_bad(sim_diag *d, const cfg_node *n, const char *path,
		       const cfg_param *p, const char *text, const char *why)
{
	char *shown = cfg_show(text);
	if (p->type == CFG_T_ENUM) {
		char *list = choice_list(p->choices);
		const char *near = sim_suggest(text, p->choices);
		char *hint = near ? cfg_show(near) : NULL;
		cfg_error(d, n, "%s: expected one of %s, got '%s'%s%s%s", path,
			  list, shown, hint ? " (did you mean '" : "",
			  hint ? hint : "", hint ? "'?)" : "");
		free(hint);
		free(list);
	} else if (strncmp(why, "unknown unit", 12) == 0) {
		/* The unit is what follows the number and any blanks. */
		const char *u = text + strspn(text, "0123456789.");
		u += strspn(u, " \t");
		char *unit = cfg_show(u);
		cfg_error(d, n, "%s: unknown unit '%s' in '%s'%s", path, unit,
			  shown, why + 12);
		free(unit);
	} else if (strncmp(why, "expected ", 9) == 0) {
		cfg_error(d, n, "%s: %s, got '%s'", path, why, shown);
	} else {
		const char *paren = strstr(why, " (");
		int head = paren ? (int)(paren - why) : (int)strlen(why);
		cfg_error(d, n, "%s: %.*s in '%s'%s", path, head, why, shown,
			  paren ? paren : "");
	}
	free(shown);
}

static void report_range(sim_diag *d, const cfg_node *n, const char *path,
			 const cfg_param *p, const char *text)
{
	char *shown = cfg_show(text);
	if (p->min && p->max)
		cfg_error(d, n, "%s: %s is out of range (expected %s to %s)",
			  path, shown, p->min, p->max);
	else if (p->min)
		cfg_error(d, n, "%s: %s is out of range (expected at least %s)",
			  path, shown, p->min);
	else
		cfg_error(d, n, "%s: %s is out of range (expected at most %s)",
			  path, shown, p->max);
	free(shown);
}

static int load_param(const char *path, const cfg_param *p,
		      const cfg_node *n, void *out, sim_diag *d)
{
	cfg_kind kind = cfg_node_kind(n);
	const char *text = cfg_node_text(n);
	/* A null is a value that was given but is not of the type, for
	 * strings too: "name: ~" or an empty "host:" means nothing, not the
	 * text "~" or "". Quoted, the same text is a string. */
	bool null = kind == CFG_SCALAR && !cfg_node_is_quoted(n) &&
		    is_null_text(text);
	if (kind != CFG_SCALAR || null) {
		char *want = expectation(p);
		cfg_error(d, n, "%s: expected %s%s, got %s", path, want,
			  null && p->type == CFG_T_STRING
				  ? " (quote it to mean the text itself)"
				  : "",
			  kind == CFG_SCALAR ? "null" : cfg_kind_name(kind));
		free(want);
		return SIM_EINPUT;
	}
	pval v;
	const char *why;
	if (parse_value(p, text, &v, &why)) {
		report_bad(d, n, path, p, text, why ? why : "");
		return SIM_EINPUT;
	}
	if (!in_range(p, &v)) {
		report_range(d, n, path, p, text);
		return SIM_EINPUT;
	}
	store(p, out, &v);
	return 0;
}

int cfg_param_load(const cfg_param *p, const cfg_node *n, void *out,
		   sim_diag *d)
{
	return load_param(p->name, p, n, out, d);
}

/* section path + "." + name, or the name alone for top-level tables. */
static char *param_path(const cfg_section *s, const char *name)
{
	if (!s->path || !*s->path)
		return sim_xstrdup(name);
	return sim_xasprintf("%s.%s", s->path, name);
}

int cfg_section_param_load(const cfg_section *s, const cfg_param *p,
			   const cfg_node *n, void *out, sim_diag *d)
{
	char *path = param_path(s, p->name);
	int rc = load_param(path, p, n, out, d);
	free(path);
	return rc;
}

static const cfg_param *find_param(const cfg_section *s, const char *name)
{
	for (size_t i = 0; i < s->nparams; i++)
		if (strcmp(s->params[i].name, name) == 0)
			return &s->params[i];
	return NULL;
}

static bool is_subsection(const cfg_section *s, const char *name)
{
	for (size_t i = 0; s->subsections && s->subsections[i]; i++)
		if (strcmp(s->subsections[i], name) == 0)
			return true;
	return false;
}

static void report_unknown(const cfg_section *s, const cfg_node *key,
			   sim_diag *d)
{
	size_t nsub = 0;
	while (s->subsections && s->subsections[nsub])
		nsub++;
	const char **known = sim_xcalloc(s->nparams + nsub + 1, sizeof *known);
	for (size_t i = 0; i < s->nparams; i++)
		known[i] = s->params[i].name;
	for (size_t i = 0; i < nsub; i++)
		known[s->nparams + i] = s->subsections[i];
	const char *word = cfg_node_text(key);
	const char *near = sim_suggest(word, known);
	char *shown = cfg_show(word);
	char *where = s->path && *s->path ? sim_xasprintf(" in %s", s->path)
					  : sim_xstrdup("");
	if (near) {
		cfg_error(d, key, "unknown key '%s'%s (did you mean '%s'?)",
			  shown, where, near);
	} else if (!known[0]) {
		cfg_error(d, key, "unknown key '%s'%s (expected no keys here)",
			  shown, where);
	} else {
		char *list = choice_list(known);
		cfg_error(d, key, "unknown key '%s'%s (expected one of: %s)",
			  shown, where, list);
		free(list);
	}
	free(where);
	free(shown);
	free(known);
}

static pval default_of(const cfg_param *p)
{
	pval v;
	const char *why;
	if (parse_value(p, p->def, &v, &why))
		sim_panic("parameter '%s': default '%s' does not parse (%s)",
			  p->name, p->def, why ? why : "not a choice");
	return v;
}

int cfg_section_load(const cfg_section *s, const cfg_node *map,
		     const cfg_node *where, void *out, sim_diag *d)
{
	int rc = 0;
	/* Defaults first, so that the struct is complete whatever the
	 * mapping holds; given values overwrite them below. */
	for (size_t i = 0; i < s->nparams; i++) {
		const cfg_param *p = &s->params[i];
		if (p->def) {
			pval v = default_of(p);
			store(p, out, &v);
		}
	}
	if (map && cfg_node_kind(map) != CFG_MAP) {
		cfg_error(d, map, "%s: expected a mapping, got %s",
			  s->path && *s->path ? s->path : "configuration",
			  cfg_kind_name(cfg_node_kind(map)));
		return SIM_EINPUT;
	}
	for (size_t i = 0; i < cfg_node_len(map); i++) {
		const cfg_node *key = cfg_node_key(map, i);
		const char *name = cfg_node_text(key);
		const cfg_param *p = find_param(s, name);
		if (!p) {
			if (!is_subsection(s, name)) {
				report_unknown(s, key, d);
				rc = SIM_EINPUT;
			}
			continue;
		}
		char *path = param_path(s, name);
		if (load_param(path, p, cfg_node_at(map, i), out, d))
			rc = SIM_EINPUT;
		free(path);
	}
	for (size_t i = 0; i < s->nparams; i++) {
		const cfg_param *p = &s->params[i];
		if (p->def || cfg_map_get(map, p->name))
			continue;
		char *want = expectation(p);
		cfg_error(d, map ? map : where,
			  "missing required key '%s' in %s (expected %s: %s)",
			  p->name,
			  s->path && *s->path ? s->path : "configuration",
			  p->name, want);
		free(want);
		rc = SIM_EINPUT;
	}
	return rc;
}

void cfg_section_check(const cfg_section *s)
{
	const char *sp = s->path ? s->path : "";
	if (s->nparams && !s->params)
		sim_panic("section '%s' has %zu parameters and no table", sp,
			  s->nparams);
	for (size_t i = 0; i < s->nparams; i++) {
		const cfg_param *p = &s->params[i];
		if (!p->name || !*p->name)
			sim_panic("section '%s': parameter %zu has no name", sp,
				  i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->params[j].name, p->name) == 0)
				sim_panic("section '%s': parameter '%s' is "
					  "declared twice",
					  sp, p->name);
		if (is_subsection(s, p->name))
			sim_panic("section '%s': '%s' is both a parameter "
				  "and a subsection",
				  sp, p->name);
		if ((unsigned)p->type > (unsigned)CFG_T_ENUM)
			sim_panic("section '%s': parameter '%s' has unknown "
				  "type %d",
				  sp, p->name, (int)p->type);
		if (p->type == CFG_T_ENUM && (!p->choices || !p->choices[0]))
			sim_panic("section '%s': enum '%s' has no choices", sp,
				  p->name);
		bool ordered = p->type != CFG_T_BOOL &&
			       p->type != CFG_T_STRING &&
			       p->type != CFG_T_ENUM;
		if (!ordered && (p->min || p->max))
			sim_panic("section '%s': parameter '%s' of an "
				  "unordered type has bounds",
				  sp, p->name);
		pval lo, hi, def;
		if (p->min)
			lo = bound(p, p->min);
		if (p->max)
			hi = bound(p, p->max);
		if (p->min && p->max && compare(p->type, &lo, &hi) > 0)
			sim_panic("section '%s': parameter '%s' has min '%s' "
				  "above max '%s'",
				  sp, p->name, p->min, p->max);
		if (p->def) {
			def = default_of(p);
			if (!in_range(p, &def))
				sim_panic("section '%s': default '%s' of '%s' "
					  "is out of range",
					  sp, p->def, p->name);
		}
	}
}
