/* SPDX-License-Identifier: MIT */
/*
 * The configuration tree: positioned nodes that live in a per-document
 * arena, the (tag, key) table that parsing and copying share, and
 * read-only access to the nodes. Parsing YAML text into a tree is in
 * cfg_parse.c, copies and dotted-path overrides in cfg_edit.c, emission
 * in cfg_emit.c. It gives keys no meaning; parameter tables (cfg_params.c)
 * and units (cfg_units.c) do that.
 */
#include "sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_BLOCK ((size_t)16 << 10)
#define ARENA_MAX_BLOCK ((size_t)1 << 20)

/* The longest text shown inside a message before it is cut. */
#define SHOW_MAX 60

void *cfg_arena_alloc(cfg_doc *doc, size_t bytes)
{
	const size_t align = _Alignof(max_align_t);
	if (bytes > SIZE_MAX / 2)
		sim_panic("arena request of %zu bytes", bytes);
	bytes = (bytes + align - 1) & ~(align - 1);
	cfg_arena_block *b = doc->blocks;
	if (b && b->cap - b->used >= bytes) {
		void *p = (char *)b->data + b->used;
		b->used += bytes;
		return p;
	}
	if (bytes > doc->block_bytes / 4 && b) {
		/* A big request gets a block of its own behind the current
		 * one, so the current block keeps serving small requests. */
		cfg_arena_block *big = sim_xmalloc(sizeof *big + bytes);
		big->used = big->cap = bytes;
		big->next = b->next;
		b->next = big;
		return big->data;
	}
	size_t cap = doc->block_bytes;
	if (doc->block_bytes < ARENA_MAX_BLOCK)
		doc->block_bytes *= 2;
	if (cap < bytes)
		cap = bytes;
	b = sim_xmalloc(sizeof *b + cap);
	b->cap = cap;
	b->used = bytes;
	b->next = doc->blocks;
	doc->blocks = b;
	return b->data;
}

char *cfg_arena_strndup(cfg_doc *doc, const char *s, size_t len)
{
	char *p = cfg_arena_alloc(doc, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

cfg_doc *cfg_doc_new(void)
{
	cfg_doc *doc = sim_xcalloc(1, sizeof *doc);
	doc->block_bytes = ARENA_FIRST_BLOCK;
	return doc;
}

void cfg_doc_destroy(cfg_doc *doc)
{
	if (!doc)
		return;
	for (cfg_arena_block *b = doc->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(doc->files);
	free(doc);
}

/* Returns the document's copy of a file name; documents see only a handful
 * of names (the file and `--set`), so a linear search is enough. */
const char *cfg_intern_file(cfg_doc *doc, const char *name)
{
	for (size_t i = 0; i < doc->nfiles; i++)
		if (doc->files[i] == name || strcmp(doc->files[i], name) == 0)
			return doc->files[i];
	doc->files = sim_xrealloc(doc->files, doc->nfiles + 1,
				  sizeof *doc->files);
	const char *copy = cfg_arena_strndup(doc, name, strlen(name));
	doc->files[doc->nfiles++] = copy;
	return copy;
}

cfg_node *cfg_node_new(cfg_doc *doc, cfg_kind kind, const char *file,
		       unsigned line, unsigned col)
{
	cfg_node *n = cfg_arena_alloc(doc, sizeof *n);
	memset(n, 0, sizeof *n);
	n->kind = (unsigned char)kind;
	n->file = file;
	n->line = line;
	n->col = col;
	n->size = 1;
	return n;
}

/* Recomputes size and height from the children (after an edit). */
void cfg_node_update(cfg_node *n)
{
	size_t size = 1, height = 0, bytes = n->text ? strlen(n->text) : 0;
	for (size_t i = 0; i < cfg_kid_count(n); i++) {
		size += n->kids[i]->size;
		bytes += n->kids[i]->bytes;
		if (n->kids[i]->height > height)
			height = n->kids[i]->height;
	}
	n->size = size;
	n->bytes = bytes;
	n->height = (unsigned char)(n->kind == CFG_SCALAR ? 0 : height + 1);
}

/* Writes s into a new string fit for a one-line message: control
 * characters escaped, and cut (at a character boundary) after SHOW_MAX
 * bytes with "..." appended. */
char *cfg_show(const char *s)
{
	size_t len = strlen(s), cut = len;
	if (cut > SHOW_MAX) {
		cut = SHOW_MAX;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
	}
	char *out = sim_xmalloc(cut * 4 + 4);
	size_t o = 0;
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c == '\t') {
			out[o++] = '\\';
			out[o++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	if (cut < len)
		for (int k = 0; k < 3; k++)
			out[o++] = '.';
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------------------
 * A small open-addressing hash table keyed by (tag, string). It serves the
 * duplicate-key check (tag = the mapping), anchors (tag 0) and the copy
 * memo (tag = a node's address, no string). Nothing iterates over it, so
 * its order never reaches any output.
 * ------------------------------------------------------------------------ */

static uint64_t table_hash(uint64_t tag, const char *key)
{
	uint64_t h = key ? sim_hash64(key, strlen(key)) : 0;
	h ^= tag * UINT64_C(0x9e3779b97f4a7c15);
	h ^= h >> 31;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 29;
	return h;
}

static bool entry_is(const cfg_table_entry *e, uint64_t tag, const char *key)
{
	if (e->tag != tag)
		return false;
	if (e->key == key)
		return true;
	return e->key && key && strcmp(e->key, key) == 0;
}

void *cfg_table_get(const cfg_table *t, uint64_t tag, const char *key)
{
	if (!t->cap)
		return NULL;
	size_t mask = t->cap - 1;
	for (size_t i = table_hash(tag, key) & mask;; i = (i + 1) & mask) {
		if (!t->e[i].val)
			return NULL;
		if (entry_is(&t->e[i], tag, key))
			return t->e[i].val;
	}
}

static void table_grow(cfg_table *t)
{
	cfg_table old = *t;
	t->cap = old.cap ? old.cap * 2 : 64;
	t->e = sim_xcalloc(t->cap, sizeof *t->e);
	t->used = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.e[i].val)
			cfg_table_put(t, old.e[i].tag, old.e[i].key,
				      old.e[i].val);
	free(old.e);
}

/* Inserts or replaces. */
void cfg_table_put(cfg_table *t, uint64_t tag, const char *key, void *val)
{
	if (2 * (t->used + 1) > t->cap)
		table_grow(t);
	size_t mask = t->cap - 1;
	size_t i = table_hash(tag, key) & mask;
	while (t->e[i].val && !entry_is(&t->e[i], tag, key))
		i = (i + 1) & mask;
	if (!t->e[i].val)
		t->used++;
	t->e[i] = (cfg_table_entry){tag, key, val};
}

void cfg_table_fini(cfg_table *t)
{
	free(t->e);
	memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

size_t cfg_map_find(const cfg_node *n, const char *key)
{
	for (size_t i = 0; i < n->n; i++)
		if (strcmp(n->kids[2 * i]->text, key) == 0)
			return i;
	return SIZE_MAX;
}

const cfg_node *cfg_doc_root(const cfg_doc *doc)
{
	return doc ? doc->root : NULL;
}

cfg_kind cfg_node_kind(const cfg_node *n)
{
	if (!n)
		sim_panic("cfg_node_kind of no node");
	return (cfg_kind)n->kind;
}

size_t cfg_node_len(const cfg_node *n)
{
	return n && n->kind != CFG_SCALAR ? n->n : 0;
}

const cfg_node *cfg_node_at(const cfg_node *n, size_t i)
{
	if (!n || n->kind == CFG_SCALAR || i >= n->n)
		return NULL;
	return n->kind == CFG_MAP ? n->kids[2 * i + 1] : n->kids[i];
}

const cfg_node *cfg_node_key(const cfg_node *n, size_t i)
{
	if (!n || n->kind != CFG_MAP || i >= n->n)
		return NULL;
	return n->kids[2 * i];
}

const cfg_node *cfg_map_get(const cfg_node *n, const char *key)
{
	if (!n || n->kind != CFG_MAP)
		return NULL;
	size_t j = cfg_map_find(n, key);
	return j == SIZE_MAX ? NULL : n->kids[2 * j + 1];
}

const char *cfg_node_text(const cfg_node *n)
{
	return n && n->kind == CFG_SCALAR ? n->text : NULL;
}

bool cfg_node_is_quoted(const cfg_node *n)
{
	return n && n->kind == CFG_SCALAR && n->quoted;
}

const char *cfg_node_file(const cfg_node *n)
{
	return n ? n->file : NULL;
}

unsigned cfg_node_line(const cfg_node *n)
{
	return n ? n->line : 0;
}

unsigned cfg_node_col(const cfg_node *n)
{
	return n ? n->col : 0;
}

const char *cfg_kind_name(cfg_kind k)
{
	switch (k) {
	case CFG_SCALAR:
		return "a scalar";
	case CFG_MAP:
		return "a mapping";
	case CFG_SEQ:
		return "a sequence";
	}
	return "a node";
}

void cfg_error(sim_diag *d, const cfg_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (n)
		sim_diag_verror(d, n->file, n->line, n->col, fmt, ap);
	else
		sim_diag_verror(d, NULL, 0, 0, fmt, ap);
	va_end(ap);
}
