/* SPDX-License-Identifier: MIT */
/*
 * Copies and edits of configuration trees: deep copies that keep aliases
 * shared, dotted-path overrides (`--set`) that change nothing when they
 * fail, and removal of a top-level key. Parsing is in cfg_parse.c.
 */
#include "sim_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct copier {
	cfg_doc *dst;
	cfg_table memo;         /* shared source node -> its copy */
	const char *src_file;   /* one-entry cache for cfg_intern_file */
	const char *dst_file;
} copier;

/* Deep-copies src into c->dst. Shared nodes are copied once and stay
 * shared, so a copy costs what the original did, not its expansion. */
static cfg_node *copy_node(copier *c, const cfg_node *src)
{
	if (src->shared) {
		cfg_node *done =
			cfg_table_get(&c->memo, (uint64_t)(uintptr_t)src, NULL);
		if (done)
			return done;
	}
	if (src->file != c->src_file) {
		c->src_file = src->file;
		c->dst_file = cfg_intern_file(c->dst, src->file);
	}
	cfg_node *n = cfg_arena_alloc(c->dst, sizeof *n);
	*n = *src;
	n->file = c->dst_file;
	if (src->text)
		n->text = cfg_arena_strndup(c->dst, src->text,
					    strlen(src->text));
	size_t k = cfg_kid_count(src);
	if (k) {
		n->kids = cfg_arena_alloc(c->dst, k * sizeof *n->kids);
		for (size_t i = 0; i < k; i++)
			n->kids[i] = copy_node(c, src->kids[i]);
	}
	if (src->shared)
		cfg_table_put(&c->memo, (uint64_t)(uintptr_t)src, NULL, n);
	return n;
}

static cfg_node *copy_into(cfg_doc *dst, const cfg_node *src)
{
	copier c;
	memset(&c, 0, sizeof c);
	c.dst = dst;
	cfg_node *n = copy_node(&c, src);
	cfg_table_fini(&c.memo);
	return n;
}

cfg_doc *cfg_doc_clone(const cfg_doc *doc)
{
	if (!doc)
		return NULL;
	cfg_doc *c = cfg_doc_new();
	for (size_t i = 0; i < doc->nfiles; i++)
		cfg_intern_file(c, doc->files[i]);
	c->root = doc->root ? copy_into(c, doc->root) : NULL;
	return c;
}

/* Makes n safe to change: a shared node is replaced by a private copy
 * whose children, now reachable from two parents, become shared. */
static cfg_node *unshare(cfg_doc *doc, cfg_node *n)
{
	if (!n->shared)
		return n;
	cfg_node *c = cfg_arena_alloc(doc, sizeof *c);
	*c = *n;
	c->shared = false;
	size_t k = cfg_kid_count(n);
	if (k) {
		c->kids = cfg_arena_alloc(doc, k * sizeof *c->kids);
		memcpy(c->kids, n->kids, k * sizeof *c->kids);
		for (size_t i = 0; i < k; i++)
			c->kids[i]->shared = true;
	}
	return c;
}

/* Appends key -> value to map n (unshared) and returns the value slot. */
static cfg_node **map_append(cfg_doc *doc, cfg_node *n, cfg_node *key,
			     cfg_node *value)
{
	cfg_node **kids = cfg_arena_alloc(doc, (2 * n->n + 2) * sizeof *kids);
	if (n->n)
		memcpy(kids, n->kids, 2 * n->n * sizeof *kids);
	kids[2 * n->n] = key;
	kids[2 * n->n + 1] = value;
	n->kids = kids;
	n->n++;
	return &kids[2 * n->n - 1];
}

/* Reads a decimal sequence index; false if s is not one. Values too big
 * for size_t saturate (and are then out of range). */
static bool parse_index(const char *s, size_t *out)
{
	size_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned dg = (unsigned)(*s - '0');
		v = v > (SIZE_MAX - dg) / 10 ? SIZE_MAX : v * 10 + dg;
	}
	*out = v;
	return true;
}

/* Splits a dotted path in place; returns the component count. */
static size_t split_path(char *path, char **comp, size_t max)
{
	size_t n = 0;
	for (char *s = path;; s++) {
		if (n < max)
			comp[n] = s;
		n++;
		s = strchr(s, '.');
		if (!s)
			break;
		*s = '\0';
	}
	return n;
}

/* The first k components joined with dots, for messages. */
static char *join_path(char *const *comp, size_t k)
{
	size_t len = 1;
	for (size_t i = 0; i < k; i++)
		len += strlen(comp[i]) + 1;
	char *s = sim_xmalloc(len), *o = s;
	for (size_t i = 0; i < k; i++) {
		size_t l = strlen(comp[i]);
		if (i)
			*o++ = '.';
		memcpy(o, comp[i], l);
		o += l;
	}
	*o = '\0';
	char *shown = cfg_show(s);
	free(s);
	return shown;
}

/* Walks the path read-only and reports the first component that cannot be
 * followed, so that a failing override changes nothing. */
static int check_path(const cfg_doc *doc, char *const *comp, size_t ncomp,
		      const cfg_node *value, const char *label, sim_diag *d)
{
	const cfg_node *n = doc->root;
	for (size_t i = 0; i < ncomp && n; i++) {
		if (n->kind == CFG_MAP) {
			size_t j = cfg_map_find(n, comp[i]);
			n = j == SIZE_MAX ? NULL : n->kids[2 * j + 1];
			continue;
		}
		char *where = join_path(comp, i);
		char *c = cfg_show(comp[i]);
		size_t idx = 0;
		bool is_index = parse_index(comp[i], &idx);
		int rc = SIM_EINPUT;
		if (n->kind == CFG_SCALAR)
			cfg_error(d, value,
				  "%s: '%s' is a scalar (expected a mapping or "
				  "a sequence)",
				  label, where);
		else if (n->n == 0)
			cfg_error(d, value,
				  "%s: the sequence '%s' is empty (expected an "
				  "existing index)",
				  label, where);
		else if (!is_index)
			cfg_error(d, value,
				  "%s: '%s' is not an index into the sequence "
				  "'%s' (expected 0 to %zu)",
				  label, c, where, n->n - 1);
		else if (idx >= n->n)
			cfg_error(d, value,
				  "%s: index %s is out of range for the "
				  "sequence '%s' (expected 0 to %zu)",
				  label, c, where, n->n - 1);
		else
			rc = 0;
		free(where);
		free(c);
		if (rc)
			return rc;
		n = n->kids[idx];
	}
	return 0;
}

static int set_path(cfg_doc *doc, char *const *comp, size_t ncomp,
		    const cfg_node *key_at, const cfg_node *value)
{
	cfg_node *copy = copy_into(doc, value);
	cfg_node *path[CFG_MAX_DEPTH];
	cfg_node **slot = &doc->root;
	for (size_t i = 0; i < ncomp; i++) {
		cfg_node *n = *slot = unshare(doc, *slot);
		path[i] = n;
		if (n->kind == CFG_SEQ) {
			size_t idx = 0;
			parse_index(comp[i], &idx);
			slot = &n->kids[idx];
			continue;
		}
		size_t j = cfg_map_find(n, comp[i]);
		if (j != SIZE_MAX) {
			slot = &n->kids[2 * j + 1];
			continue;
		}
		/* Missing keys are created at the value's position, which is
		 * where a user would look for the override; the last one at
		 * key_at's, when given (the key the user wrote). */
		cfg_node *key;
		if (key_at && i + 1 == ncomp)
			key = cfg_node_new(doc, CFG_SCALAR,
					   cfg_intern_file(doc, key_at->file),
					   key_at->line, key_at->col);
		else
			key = cfg_node_new(doc, CFG_SCALAR, copy->file,
					   copy->line, copy->col);
		key->text = cfg_arena_strndup(doc, comp[i], strlen(comp[i]));
		key->bytes = strlen(comp[i]);
		cfg_node *v = copy;
		if (i + 1 < ncomp)
			v = cfg_node_new(doc, CFG_MAP, copy->file, copy->line,
					 copy->col);
		slot = map_append(doc, n, key, v);
	}
	*slot = copy;
	for (size_t i = ncomp; i-- > 0;)
		cfg_node_update(path[i]);
	return 0;
}

int cfg_doc_set(cfg_doc *doc, const char *path, const cfg_node *value,
		const char *what, sim_diag *d)
{
	return cfg_doc_set_keyed(doc, path, NULL, value, what, d);
}

int cfg_doc_set_keyed(cfg_doc *doc, const char *path, const cfg_node *key,
		      const cfg_node *value, const char *what, sim_diag *d)
{
	if (!doc || !doc->root || !path || !value)
		sim_panic("cfg_doc_set needs a document, a path and a value");
	char *shown = cfg_show(path);
	char *label = what ? sim_xstrdup(what)
			   : sim_xasprintf("setting '%s'", shown);
	char *buf = sim_xstrdup(path);
	char *comp[CFG_MAX_DEPTH];
	size_t ncomp = split_path(buf, comp, CFG_MAX_DEPTH);
	int rc = 0;
	bool empty = false;
	for (size_t i = 0; i < ncomp && i < CFG_MAX_DEPTH; i++)
		empty |= !*comp[i];
	if (!*path) {
		cfg_error(d, value, "%s: empty path (expected PATH such as "
				    "a.b.0)",
			  label);
		rc = SIM_EINPUT;
	} else if (ncomp + value->height > CFG_MAX_DEPTH) {
		cfg_error(d, value,
			  "%s: nesting deeper than %d levels (expected at "
			  "most %d nested mappings and sequences)",
			  label, CFG_MAX_DEPTH, CFG_MAX_DEPTH);
		rc = SIM_EINPUT;
	} else if (empty) {
		cfg_error(d, value,
			  "%s: empty component in path '%s' (expected PATH "
			  "such as a.b.0)",
			  label, shown);
		rc = SIM_EINPUT;
	} else {
		rc = check_path(doc, comp, ncomp, value, label, d);
	}
	if (!rc)
		rc = set_path(doc, comp, ncomp, key, value);
	free(buf);
	free(label);
	free(shown);
	return rc;
}

int cfg_doc_set_arg(cfg_doc *doc, const char *arg, sim_diag *d)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		char *a = cfg_show(arg);
		sim_diag_error(d, "--set", 0, 0,
			       "%s in '%s' (expected PATH=VALUE)",
			       eq ? "empty path" : "missing '='", a);
		free(a);
		return SIM_EINPUT;
	}
	size_t plen = (size_t)(eq - arg);
	cfg_doc *vdoc;
	/* Columns of the value count from the start of the whole argument,
	 * so that a message points into what the user typed. */
	int rc = cfg_doc_parse_text("--set", eq + 1, strlen(eq + 1), false,
				    cfg_clamp_uint(plen + 1), &vdoc, d);
	if (rc)
		return rc;
	char *path = sim_xmalloc(plen + 1);
	memcpy(path, arg, plen);
	path[plen] = '\0';
	char *shown = cfg_show(path);
	char *what = sim_xasprintf("override '%s'", shown);
	rc = cfg_doc_set(doc, path, vdoc->root, what, d);
	free(what);
	free(shown);
	free(path);
	cfg_doc_destroy(vdoc);
	return rc;
}

void cfg_doc_remove_top(cfg_doc *doc, const char *key)
{
	if (!doc || !doc->root || doc->root->kind != CFG_MAP)
		return;
	size_t j = cfg_map_find(doc->root, key);
	if (j == SIZE_MAX)
		return;
	cfg_node *r = doc->root = unshare(doc, doc->root);
	memmove(&r->kids[2 * j], &r->kids[2 * j + 2],
		(2 * (r->n - j - 1)) * sizeof *r->kids);
	r->n--;
	cfg_node_update(r);
}
