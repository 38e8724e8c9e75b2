/* SPDX-License-Identifier: MIT */
/*
 * The configuration tree: YAML text parsed with libyaml's event API into
 * positioned nodes that live in a per-document arena, dotted-path overrides,
 * and canonical emission through libyaml's emitter. It gives keys no meaning;
 * parameter tables (cfg_params.c) and units (cfg_units.c) do that.
 */
#include "sim.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* Nodes are immutable once their document is parsed, so an alias does not
 * copy its anchor's subtree: it points at it and the node is marked shared.
 * Readers see exactly the expanded tree a deep copy would give, the node
 * budget counts the expanded size, and an alias bomb costs nothing before it
 * is refused. The only writer, cfg_doc_set, copies shared nodes on its path
 * before changing them. */
struct cfg_node {
	const char *text;   /* scalars: NUL-terminated, in the arena */
	const char *file;   /* interned in the arena */
	cfg_node **kids;    /* maps: key, value, key, value...; sequences: items */
	size_t n;           /* map entries or sequence items */
	size_t size;        /* nodes in the expanded subtree, this one included */
	size_t bytes;       /* scalar text in the expanded subtree */
	unsigned line, col;
	unsigned char kind;
	unsigned char height; /* collections on the longest downward path */
	bool quoted;
	bool shared;        /* may have more than one parent */
};

typedef struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
} arena_block;

struct cfg_doc {
	arena_block *blocks;
	size_t block_bytes;
	cfg_node *root;
	const char **files;  /* distinct file names, strings in the arena */
	size_t nfiles;
};

#define ARENA_FIRST_BLOCK ((size_t)16 << 10)
#define ARENA_MAX_BLOCK ((size_t)1 << 20)

/* The longest text shown inside a message before it is cut. */
#define SHOW_MAX 60

static void *arena_alloc(cfg_doc *doc, size_t bytes)
{
	const size_t align = _Alignof(max_align_t);
	if (bytes > SIZE_MAX / 2)
		sim_panic("arena request of %zu bytes", bytes);
	bytes = (bytes + align - 1) & ~(align - 1);
	arena_block *b = doc->blocks;
	if (b && b->cap - b->used >= bytes) {
		void *p = (char *)b->data + b->used;
		b->used += bytes;
		return p;
	}
	if (bytes > doc->block_bytes / 4 && b) {
		/* A big request gets a block of its own behind the current
		 * one, so the current block keeps serving small requests. */
		arena_block *big = sim_xmalloc(sizeof *big + bytes);
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

static char *arena_strndup(cfg_doc *doc, const char *s, size_t len)
{
	char *p = arena_alloc(doc, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static cfg_doc *doc_new(void)
{
	cfg_doc *doc = sim_xcalloc(1, sizeof *doc);
	doc->block_bytes = ARENA_FIRST_BLOCK;
	return doc;
}

void cfg_doc_destroy(cfg_doc *doc)
{
	if (!doc)
		return;
	for (arena_block *b = doc->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(doc->files);
	free(doc);
}

/* Returns the document's copy of a file name; documents see only a handful
 * of names (the file and `--set`), so a linear search is enough. */
static const char *intern_file(cfg_doc *doc, const char *name)
{
	for (size_t i = 0; i < doc->nfiles; i++)
		if (doc->files[i] == name || strcmp(doc->files[i], name) == 0)
			return doc->files[i];
	doc->files = sim_xrealloc(doc->files, doc->nfiles + 1,
				  sizeof *doc->files);
	const char *copy = arena_strndup(doc, name, strlen(name));
	doc->files[doc->nfiles++] = copy;
	return copy;
}

static cfg_node *node_new(cfg_doc *doc, cfg_kind kind, const char *file,
			  unsigned line, unsigned col)
{
	cfg_node *n = arena_alloc(doc, sizeof *n);
	memset(n, 0, sizeof *n);
	n->kind = (unsigned char)kind;
	n->file = file;
	n->line = line;
	n->col = col;
	n->size = 1;
	return n;
}

static size_t kid_count(const cfg_node *n)
{
	return n->kind == CFG_MAP ? 2 * n->n : n->n;
}

/* Recomputes size and height from the children (after an edit). */
static void node_update(cfg_node *n)
{
	size_t size = 1, height = 0, bytes = n->text ? strlen(n->text) : 0;
	for (size_t i = 0; i < kid_count(n); i++) {
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
static char *show(const char *s)
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

static unsigned clamp_uint(size_t v)
{
	return v > UINT_MAX ? UINT_MAX : (unsigned)v;
}

/* ------------------------------------------------------------------------
 * A small open-addressing hash table keyed by (tag, string). It serves the
 * duplicate-key check (tag = the mapping), anchors (tag 0) and the copy
 * memo (tag = a node's address, no string). Nothing iterates over it, so
 * its order never reaches any output.
 * ------------------------------------------------------------------------ */

typedef struct entry {
	uint64_t tag;
	const char *key;
	void *val;       /* NULL marks an empty slot */
} entry;

typedef struct table {
	entry *e;
	size_t cap, used;
} table;

static uint64_t table_hash(uint64_t tag, const char *key)
{
	uint64_t h = key ? sim_hash64(key, strlen(key)) : 0;
	h ^= tag * UINT64_C(0x9e3779b97f4a7c15);
	h ^= h >> 31;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 29;
	return h;
}

static bool entry_is(const entry *e, uint64_t tag, const char *key)
{
	if (e->tag != tag)
		return false;
	if (e->key == key)
		return true;
	return e->key && key && strcmp(e->key, key) == 0;
}

static void *table_get(const table *t, uint64_t tag, const char *key)
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

static void table_put(table *t, uint64_t tag, const char *key, void *val);

static void table_grow(table *t)
{
	table old = *t;
	t->cap = old.cap ? old.cap * 2 : 64;
	t->e = sim_xcalloc(t->cap, sizeof *t->e);
	t->used = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.e[i].val)
			table_put(t, old.e[i].tag, old.e[i].key, old.e[i].val);
	free(old.e);
}

/* Inserts or replaces. */
static void table_put(table *t, uint64_t tag, const char *key, void *val)
{
	if (2 * (t->used + 1) > t->cap)
		table_grow(t);
	size_t mask = t->cap - 1;
	size_t i = table_hash(tag, key) & mask;
	while (t->e[i].val && !entry_is(&t->e[i], tag, key))
		i = (i + 1) & mask;
	if (!t->e[i].val)
		t->used++;
	t->e[i] = (entry){tag, key, val};
}

static void table_fini(table *t)
{
	free(t->e);
	memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------ */

typedef struct anchor {
	cfg_node *node;
	bool open;       /* its collection has not ended yet */
} anchor;

typedef struct frame {
	cfg_node *node;
	size_t base;     /* index of its first child in parser.kids */
	anchor *anchor;  /* the anchor naming this collection, or NULL */
} frame;

typedef struct parser {
	cfg_doc *doc;
	const char *file;     /* interned */
	const char *text;
	size_t len;
	unsigned col_offset;  /* added to columns on line 1 (for --set) */
	bool need_map;        /* a configuration, not a --set value */
	sim_diag *d;
	frame stack[CFG_MAX_DEPTH];
	size_t depth;
	cfg_node **kids;      /* children of the open collections, in order */
	size_t nkids, kids_cap;
	table anchors;
	table keys;
	size_t nodes;         /* expanded node count so far */
	size_t bytes;         /* expanded scalar text so far */
	size_t documents;
	cfg_node *root;
} parser;

static void mark_pos(const parser *p, yaml_mark_t m, unsigned *line,
		     unsigned *col)
{
	*line = clamp_uint(m.line + 1);
	*col = clamp_uint(m.column + 1 + (m.line == 0 ? p->col_offset : 0));
}

static int fail_at(parser *p, unsigned line, unsigned col, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
static int fail_at(parser *p, unsigned line, unsigned col, const char *fmt,
		   ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_diag_verror(p->d, p->file, line, col, fmt, ap);
	va_end(ap);
	return SIM_EINPUT;
}

static int fail(parser *p, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(parser *p, yaml_mark_t m, const char *fmt, ...)
{
	unsigned line, col;
	mark_pos(p, m, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	sim_diag_verror(p->d, p->file, line, col, fmt, ap);
	va_end(ap);
	return SIM_EINPUT;
}

static bool is_break(uint32_t cp)
{
	return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 ||
	       cp == 0x2029;
}

/* The characters YAML 1.1 lets a stream contain (c-printable). */
static bool is_printable(uint32_t cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD ||
	       (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
	       (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
	       (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* Decodes one UTF-8 character at s[0..avail); returns its width, or 0 if
 * the bytes are not well-formed UTF-8 (overlong forms, surrogates and
 * values past U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t w;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		w = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		w = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		w = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (w > avail)
		return 0;
	for (size_t k = 1; k < w; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[k] & 0x3F);
	}
	if ((w == 3 && v < 0x800) || (w == 4 && v < 0x10000) ||
	    v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return w;
}

/* Walks the text as libyaml counts positions (columns in characters, a
 * leading byte-order mark not counted). With stop < len it only computes
 * the position of byte `stop`; otherwise it validates the whole text and
 * reports the first byte that is not UTF-8 or not allowed in YAML. */
static int walk_text(parser *p, size_t stop, unsigned *out_line,
		     unsigned *out_col)
{
	const unsigned char *s = (const unsigned char *)p->text;
	size_t len = p->len, i = 0, line = 1, col = 1 + p->col_offset;
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3;
	while (i < len && i < stop) {
		uint32_t cp = 0;
		size_t w = utf8_decode(s + i, len - i, &cp);
		if (w == 0) {
			if (stop < len) {
				i++;
				col++;
				continue;
			}
			return fail_at(p, clamp_uint(line), clamp_uint(col),
				       "invalid UTF-8 byte 0x%02x (expected "
				       "UTF-8 text)",
				       s[i]);
		}
		if (!is_printable(cp) && stop >= len)
			return fail_at(p, clamp_uint(line), clamp_uint(col),
				       "disallowed character U+%04X (expected "
				       "printable text)",
				       (unsigned)cp);
		if (is_break(cp) && !(cp == '\r' && i + 1 < len &&
				      s[i + 1] == '\n')) {
			line++;
			col = 1;
		} else if (!is_break(cp)) {
			col++;
		}
		i += w;
	}
	if (out_line) {
		*out_line = clamp_uint(line);
		*out_col = clamp_uint(col);
	}
	return 0;
}

static int libyaml_fail(parser *p, const yaml_parser_t *yp)
{
	const char *problem = yp->problem ? yp->problem : "unknown problem";
	unsigned line = 1, col = 1;
	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		sim_diag_error(p->d, p->file, 1, 1 + p->col_offset,
			       "out of memory while parsing (expected a "
			       "smaller file)");
		return SIM_ENOMEM;
	case YAML_READER_ERROR:
		/* Reader problems come with a byte offset, not a mark. */
		walk_text(p, yp->problem_offset, &line, &col);
		if (yp->problem_value >= 0)
			return fail_at(p, line, col,
				       "%s (found 0x%02x; expected well-formed "
				       "YAML)",
				       problem, (unsigned)yp->problem_value);
		return fail_at(p, line, col,
			       "%s (expected well-formed YAML)", problem);
	default:
		break;
	}
	unsigned pl, pc;
	mark_pos(p, yp->problem_mark, &pl, &pc);
	/* At the end of input libyaml moves to the start of a line that the
	 * file does not have; the last character is the truthful place. */
	walk_text(p, p->len, &line, &col);
	if (pl < line || (pl == line && pc < col)) {
		line = pl;
		col = pc;
	}
	if (yp->context) {
		unsigned cl, cc;
		mark_pos(p, yp->context_mark, &cl, &cc);
		return fail_at(p, line, col,
			       "%s %s (started at %u:%u; expected well-formed "
			       "YAML)",
			       problem, yp->context, cl, cc);
	}
	return fail_at(p, line, col, "%s (expected well-formed YAML)",
		       problem);
}

/* Shows a tag as users write it: "!!str" for the core schema. */
static char *show_tag(const char *tag)
{
	static const char core[] = "tag:yaml.org,2002:";
	if (strncmp(tag, core, sizeof core - 1) == 0) {
		char *t = sim_xasprintf("!!%s", tag + sizeof core - 1);
		char *s = show(t);
		free(t);
		return s;
	}
	return show(tag);
}

/* Accepts no tag or a core-schema tag that fits the node kind. Sets
 * *is_str for !!str, which makes a scalar a string however it is written. */
static int check_tag(parser *p, const yaml_char_t *utag, cfg_kind kind,
		     yaml_mark_t m, bool *is_str)
{
	static const char *const scalar_tags[] = {
		"tag:yaml.org,2002:str", "tag:yaml.org,2002:int",
		"tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
		"tag:yaml.org,2002:null", NULL};
	const char *tag = (const char *)utag;
	*is_str = false;
	if (!tag)
		return 0;
	if (kind == CFG_SCALAR) {
		for (size_t i = 0; scalar_tags[i]; i++)
			if (strcmp(tag, scalar_tags[i]) == 0) {
				*is_str = i == 0;
				return 0;
			}
	} else if (strcmp(tag, kind == CFG_MAP ? "tag:yaml.org,2002:map"
					       : "tag:yaml.org,2002:seq") == 0) {
		return 0;
	}
	char *t = show_tag(tag);
	fail(p, m, "unsupported tag '%s' on %s (expected no tag or %s)", t,
	     cfg_kind_name(kind),
	     kind == CFG_SCALAR ? "one of !!str, !!int, !!float, !!bool, !!null"
	     : kind == CFG_MAP  ? "!!map"
				: "!!seq");
	free(t);
	return SIM_EINPUT;
}

/* Counts k more nodes and `bytes` more scalar text of the expanded tree
 * against the budgets. Text needs its own budget: one long anchored string
 * aliased a million times costs few nodes but would make everything that
 * walks the tree (emission above all) produce gigabytes. */
static int count_nodes(parser *p, size_t k, size_t bytes, yaml_mark_t m)
{
	if (k > CFG_MAX_NODES - p->nodes)
		return fail(p, m,
			    "configuration expands to more than %zu nodes "
			    "(expected a smaller file; check for alias bombs)",
			    CFG_MAX_NODES);
	if (bytes > CFG_MAX_BYTES - p->bytes)
		return fail(p, m,
			    "configuration expands to more than %zu bytes of "
			    "text (expected a smaller file; check for alias "
			    "bombs)",
			    CFG_MAX_BYTES);
	p->nodes += k;
	p->bytes += bytes;
	return 0;
}

static bool expecting_key(const parser *p)
{
	if (p->depth == 0)
		return false;
	const frame *f = &p->stack[p->depth - 1];
	return f->node->kind == CFG_MAP && (p->nkids - f->base) % 2 == 0;
}

static int add_child(parser *p, cfg_node *n, yaml_mark_t m)
{
	if (p->depth == 0) {
		p->root = n;
		return 0;
	}
	if (expecting_key(p)) {
		if (n->kind != CFG_SCALAR)
			return fail(p, m, "key is %s (expected a scalar key)",
				    cfg_kind_name((cfg_kind)n->kind));
		cfg_node *map = p->stack[p->depth - 1].node;
		const cfg_node *first =
			table_get(&p->keys, (uint64_t)(uintptr_t)map, n->text);
		if (first) {
			char *k = show(n->text);
			fail(p, m,
			     "duplicate key '%s' (first defined at %u:%u; "
			     "expected each key once per mapping)",
			     k, first->line, first->col);
			free(k);
			return SIM_EINPUT;
		}
		table_put(&p->keys, (uint64_t)(uintptr_t)map, n->text, n);
	}
	if (p->nkids == p->kids_cap) {
		p->kids_cap = p->kids_cap ? 2 * p->kids_cap : 64;
		p->kids = sim_xrealloc(p->kids, p->kids_cap, sizeof *p->kids);
	}
	p->kids[p->nkids++] = n;
	return 0;
}

static anchor *define_anchor(parser *p, const yaml_char_t *name,
			     cfg_node *n, bool open)
{
	if (!name)
		return NULL;
	anchor *a = arena_alloc(p->doc, sizeof *a);
	a->node = n;
	a->open = open;
	const char *key = arena_strndup(p->doc, (const char *)name,
					strlen((const char *)name));
	/* A later anchor of the same name replaces the earlier one. */
	table_put(&p->anchors, 0, key, a);
	return a;
}

static cfg_node *positioned(parser *p, cfg_kind kind, yaml_mark_t m)
{
	unsigned line, col;
	mark_pos(p, m, &line, &col);
	return node_new(p->doc, kind, p->file, line, col);
}

static int on_scalar(parser *p, const yaml_event_t *ev)
{
	bool is_str;
	int rc = check_tag(p, ev->data.scalar.tag, CFG_SCALAR, ev->start_mark,
			   &is_str);
	if (rc)
		return rc;
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	/* Texts are C strings; a "\0" escape would silently cut one. */
	if (memchr(value, '\0', len))
		return fail(p, ev->start_mark,
			    "string contains a NUL character (expected text "
			    "without \\0)");
	if ((rc = count_nodes(p, 1, len, ev->start_mark)))
		return rc;
	cfg_node *n = positioned(p, CFG_SCALAR, ev->start_mark);
	n->text = arena_strndup(p->doc, value, len);
	n->bytes = len;
	n->quoted = is_str || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	define_anchor(p, ev->data.scalar.anchor, n, false);
	return add_child(p, n, ev->start_mark);
}

static int on_alias(parser *p, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	anchor *a = table_get(&p->anchors, 0, name);
	if (!a)
		return fail(p, ev->start_mark,
			    "undefined alias '*%s' (expected an anchor '&%s' "
			    "defined earlier)",
			    name, name);
	if (a->open)
		return fail(p, ev->start_mark,
			    "alias '*%s' refers to anchor '%s' that contains "
			    "it (alias loop; expected an alias to a complete "
			    "anchor)",
			    name, name);
	if (p->depth + a->node->height > CFG_MAX_DEPTH)
		return fail(p, ev->start_mark,
			    "nesting deeper than %d levels through alias "
			    "'*%s' (expected at most %d nested mappings and "
			    "sequences)",
			    CFG_MAX_DEPTH, name, CFG_MAX_DEPTH);
	int rc = count_nodes(p, a->node->size, a->node->bytes, ev->start_mark);
	if (rc)
		return rc;
	if (expecting_key(p) && a->node->kind == CFG_SCALAR) {
		/* A key stands where the alias is written, so that messages
		 * about it (a duplicate, an unknown key) point there. */
		cfg_node *key = positioned(p, CFG_SCALAR, ev->start_mark);
		key->text = a->node->text;
		key->bytes = a->node->bytes;
		key->quoted = a->node->quoted;
		return add_child(p, key, ev->start_mark);
	}
	a->node->shared = true;
	return add_child(p, a->node, ev->start_mark);
}

static int on_start(parser *p, const yaml_event_t *ev, cfg_kind kind)
{
	bool is_str;
	const yaml_char_t *tag = kind == CFG_MAP ? ev->data.mapping_start.tag
						 : ev->data.sequence_start.tag;
	const yaml_char_t *name = kind == CFG_MAP
					  ? ev->data.mapping_start.anchor
					  : ev->data.sequence_start.anchor;
	int rc = check_tag(p, tag, kind, ev->start_mark, &is_str);
	if (rc)
		return rc;
	if (expecting_key(p))
		return fail(p, ev->start_mark,
			    "key is %s (expected a scalar key)",
			    cfg_kind_name(kind));
	if (p->depth == CFG_MAX_DEPTH)
		return fail(p, ev->start_mark,
			    "nesting deeper than %d levels (expected at most "
			    "%d nested mappings and sequences)",
			    CFG_MAX_DEPTH, CFG_MAX_DEPTH);
	if ((rc = count_nodes(p, 1, 0, ev->start_mark)))
		return rc;
	cfg_node *n = positioned(p, kind, ev->start_mark);
	frame *f = &p->stack[p->depth++];
	f->node = n;
	f->base = p->nkids;
	f->anchor = define_anchor(p, name, n, true);
	return 0;
}

static int on_end(parser *p, const yaml_event_t *ev)
{
	if (p->depth == 0)
		sim_panic("libyaml ended a collection that was not open");
	frame *f = &p->stack[--p->depth];
	cfg_node *n = f->node;
	size_t k = p->nkids - f->base;
	n->n = n->kind == CFG_MAP ? k / 2 : k;
	if (k) {
		n->kids = arena_alloc(p->doc, k * sizeof *n->kids);
		memcpy(n->kids, p->kids + f->base, k * sizeof *n->kids);
	}
	p->nkids = f->base;
	node_update(n);
	if (f->anchor)
		f->anchor->open = false;
	return add_child(p, n, ev->start_mark);
}

static bool is_null_text(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static int check_root(parser *p)
{
	cfg_node *r = p->root;
	if (!p->need_map || r->kind == CFG_MAP)
		return 0;
	if (r->kind == CFG_SCALAR && !r->quoted && is_null_text(r->text))
		return fail_at(p, r->line, r->col,
			       "empty configuration (expected a mapping of "
			       "sections)");
	return fail_at(p, r->line, r->col,
		       "configuration is %s (expected a mapping of sections)",
		       cfg_kind_name((cfg_kind)r->kind));
}

static int on_event(parser *p, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_NO_EVENT:
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (p->documents++)
			return fail(p, ev->start_mark,
				    "more than one document (expected a "
				    "single YAML document)");
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		return p->root ? check_root(p) : 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(p, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(p, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(p, ev, CFG_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(p, ev, CFG_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(p, ev);
	case YAML_STREAM_END_EVENT:
		if (p->root)
			return 0;
		if (p->need_map)
			return fail_at(p, 1, 1 + p->col_offset,
				       "empty configuration (expected a "
				       "mapping of sections)");
		/* An empty --set value is a null scalar. */
		p->root = node_new(p->doc, CFG_SCALAR, p->file, 1,
				   1 + p->col_offset);
		p->root->text = "";
		return 0;
	}
	return 0;
}

static int parse_text(const char *file, const char *text, size_t len,
		      bool need_map, unsigned col_offset, cfg_doc **out,
		      sim_diag *d)
{
	*out = NULL;
	if (!file)
		file = "<config>";
	if (!text) {
		text = "";
		len = 0;
	}
	if (len > CFG_MAX_BYTES) {
		sim_diag_error(d, file, 1, 1 + col_offset,
			       "configuration is larger than %zu bytes "
			       "(expected a smaller file)",
			       CFG_MAX_BYTES);
		return SIM_EINPUT;
	}
	parser p;
	memset(&p, 0, sizeof p);
	p.doc = doc_new();
	p.file = intern_file(p.doc, file);
	p.text = text;
	p.len = len;
	p.col_offset = col_offset;
	p.need_map = need_map;
	p.d = d;
	int rc = walk_text(&p, SIZE_MAX, NULL, NULL);
	if (rc) {
		cfg_doc_destroy(p.doc);
		return rc;
	}
	yaml_parser_t yp;
	if (!yaml_parser_initialize(&yp))
		sim_panic("out of memory initialising libyaml");
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	bool done = false;
	while (!rc && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&yp, &ev)) {
			rc = libyaml_fail(&p, &yp);
			break;
		}
		rc = on_event(&p, &ev);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	table_fini(&p.anchors);
	table_fini(&p.keys);
	free(p.kids);
	if (rc) {
		cfg_doc_destroy(p.doc);
		return rc;
	}
	p.doc->root = p.root;
	*out = p.doc;
	return 0;
}

int cfg_doc_parse(const char *file, const char *text, size_t len,
		  cfg_doc **out, sim_diag *d)
{
	return parse_text(file, text, len, true, 0, out, d);
}

int cfg_doc_load(const char *path, cfg_doc **out, sim_diag *d)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	char msg[256];
	if (!f) {
		if (strerror_r(errno, msg, sizeof msg))
			snprintf(msg, sizeof msg, "error %d", errno);
		sim_diag_error(d, path, 0, 0,
			       "%s (expected a readable YAML file)", msg);
		return SIM_EIO;
	}
	/* Reading one byte past the limit is enough to refuse the file
	 * without holding all of a huge one in memory. */
	size_t cap = 64 << 10, len = 0;
	char *buf = sim_xmalloc(cap);
	for (;;) {
		if (len == cap) {
			cap = cap > CFG_MAX_BYTES / 2 ? CFG_MAX_BYTES + 1
						      : 2 * cap;
			buf = sim_xrealloc(buf, cap, 1);
		}
		size_t want = cap - len;
		size_t got = fread(buf + len, 1, want, f);
		len += got;
		if (got < want || len > CFG_MAX_BYTES)
			break;
	}
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		free(buf);
		if (strerror_r(err, msg, sizeof msg))
			snprintf(msg, sizeof msg, "error %d", err);
		sim_diag_error(d, path, 0, 0,
			       "%s (expected a readable YAML file)", msg);
		return SIM_EIO;
	}
	int rc = cfg_doc_parse(path, buf, len, out, d);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------------
 * Copies and edits
 * ------------------------------------------------------------------------ */

typedef struct copier {
	cfg_doc *dst;
	table memo;             /* shared source node -> its copy */
	const char *src_file;   /* one-entry cache for intern_file */
	const char *dst_file;
} copier;

/* Deep-copies src into c->dst. Shared nodes are copied once and stay
 * shared, so a copy costs what the original did, not its expansion. */
static cfg_node *copy_node(copier *c, const cfg_node *src)
{
	if (src->shared) {
		cfg_node *done = table_get(&c->memo, (uint64_t)(uintptr_t)src,
					   NULL);
		if (done)
			return done;
	}
	if (src->file != c->src_file) {
		c->src_file = src->file;
		c->dst_file = intern_file(c->dst, src->file);
	}
	cfg_node *n = arena_alloc(c->dst, sizeof *n);
	*n = *src;
	n->file = c->dst_file;
	if (src->text)
		n->text = arena_strndup(c->dst, src->text, strlen(src->text));
	size_t k = kid_count(src);
	if (k) {
		n->kids = arena_alloc(c->dst, k * sizeof *n->kids);
		for (size_t i = 0; i < k; i++)
			n->kids[i] = copy_node(c, src->kids[i]);
	}
	if (src->shared)
		table_put(&c->memo, (uint64_t)(uintptr_t)src, NULL, n);
	return n;
}

static cfg_node *copy_into(cfg_doc *dst, const cfg_node *src)
{
	copier c;
	memset(&c, 0, sizeof c);
	c.dst = dst;
	cfg_node *n = copy_node(&c, src);
	table_fini(&c.memo);
	return n;
}

cfg_doc *cfg_doc_clone(const cfg_doc *doc)
{
	if (!doc)
		return NULL;
	cfg_doc *c = doc_new();
	for (size_t i = 0; i < doc->nfiles; i++)
		intern_file(c, doc->files[i]);
	c->root = doc->root ? copy_into(c, doc->root) : NULL;
	return c;
}

/* Makes n safe to change: a shared node is replaced by a private copy
 * whose children, now reachable from two parents, become shared. */
static cfg_node *unshare(cfg_doc *doc, cfg_node *n)
{
	if (!n->shared)
		return n;
	cfg_node *c = arena_alloc(doc, sizeof *c);
	*c = *n;
	c->shared = false;
	size_t k = kid_count(n);
	if (k) {
		c->kids = arena_alloc(doc, k * sizeof *c->kids);
		memcpy(c->kids, n->kids, k * sizeof *c->kids);
		for (size_t i = 0; i < k; i++)
			c->kids[i]->shared = true;
	}
	return c;
}

static size_t map_find(const cfg_node *n, const char *key)
{
	for (size_t i = 0; i < n->n; i++)
		if (strcmp(n->kids[2 * i]->text, key) == 0)
			return i;
	return SIZE_MAX;
}

/* Appends key -> value to map n (unshared) and returns the value slot. */
static cfg_node **map_append(cfg_doc *doc, cfg_node *n, cfg_node *key,
			     cfg_node *value)
{
	cfg_node **kids = arena_alloc(doc, (2 * n->n + 2) * sizeof *kids);
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
	char *shown = show(s);
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
			size_t j = map_find(n, comp[i]);
			n = j == SIZE_MAX ? NULL : n->kids[2 * j + 1];
			continue;
		}
		char *where = join_path(comp, i);
		char *c = show(comp[i]);
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
		    const cfg_node *value)
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
		size_t j = map_find(n, comp[i]);
		if (j != SIZE_MAX) {
			slot = &n->kids[2 * j + 1];
			continue;
		}
		/* Missing keys are created at the value's position, which is
		 * where a user would look for the override. */
		cfg_node *key = node_new(doc, CFG_SCALAR, copy->file,
					 copy->line, copy->col);
		key->text = arena_strndup(doc, comp[i], strlen(comp[i]));
		key->bytes = strlen(comp[i]);
		cfg_node *v = copy;
		if (i + 1 < ncomp)
			v = node_new(doc, CFG_MAP, copy->file, copy->line,
				     copy->col);
		slot = map_append(doc, n, key, v);
	}
	*slot = copy;
	for (size_t i = ncomp; i-- > 0;)
		node_update(path[i]);
	return 0;
}

int cfg_doc_set(cfg_doc *doc, const char *path, const cfg_node *value,
		const char *what, sim_diag *d)
{
	if (!doc || !doc->root || !path || !value)
		sim_panic("cfg_doc_set needs a document, a path and a value");
	char *shown = show(path);
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
		rc = set_path(doc, comp, ncomp, value);
	free(buf);
	free(label);
	free(shown);
	return rc;
}

int cfg_doc_set_arg(cfg_doc *doc, const char *arg, sim_diag *d)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		char *a = show(arg);
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
	int rc = parse_text("--set", eq + 1, strlen(eq + 1), false,
			    clamp_uint(plen + 1), &vdoc, d);
	if (rc)
		return rc;
	char *path = sim_xmalloc(plen + 1);
	memcpy(path, arg, plen);
	path[plen] = '\0';
	char *shown = show(path);
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
	size_t j = map_find(doc->root, key);
	if (j == SIZE_MAX)
		return;
	cfg_node *r = doc->root = unshare(doc, doc->root);
	memmove(&r->kids[2 * j], &r->kids[2 * j + 2],
		(2 * (r->n - j - 1)) * sizeof *r->kids);
	r->n--;
	node_update(r);
}

/* ------------------------------------------------------------------------
 * Emission
 * ------------------------------------------------------------------------ */

typedef struct outbuf {
	char *s;
	size_t len, cap;
} outbuf;

static int write_out(void *data, unsigned char *bytes, size_t size)
{
	outbuf *o = data;
	if (o->len + size + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap < o->len + size + 1)
			cap *= 2;
		o->s = sim_xrealloc(o->s, cap, 1);
		o->cap = cap;
	}
	memcpy(o->s + o->len, bytes, size);
	o->len += size;
	o->s[o->len] = '\0';
	return 1;
}

static void emit(yaml_emitter_t *em, yaml_event_t *ev, int ok)
{
	/* Every text was parsed by libyaml as valid UTF-8 without NULs, so
	 * a refusal here is a bug, not a user error. */
	if (!ok || !yaml_emitter_emit(em, ev))
		sim_panic("libyaml emitter failed: %s",
			  em->problem ? em->problem : "event refused");
}

static bool has_break(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '\n' || *p == '\r' ||
		    (p[0] == 0xC2 && p[1] == 0x85) ||
		    (p[0] == 0xE2 && p[1] == 0x80 &&
		     (p[2] == 0xA8 || p[2] == 0xA9)))
			return true;
	return false;
}

static void emit_node(yaml_emitter_t *em, const cfg_node *n, bool flow)
{
	yaml_event_t ev;
	switch ((cfg_kind)n->kind) {
	case CFG_SCALAR: {
		size_t len = strlen(n->text);
		if (len > INT_MAX)
			sim_panic("scalar of %zu bytes", len);
		/* Quoted scalars stay quoted so that they read back as
		 * strings. They ask for single quotes because that is where
		 * libyaml falls back when a plain scalar cannot stay plain:
		 * both then take the same path (to double quotes if single
		 * ones cannot hold the text), so emitting what was emitted
		 * gives the same bytes. Texts with line breaks take double
		 * quotes, which keep every value on one line. */
		yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
		if (has_break(n->text))
			style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		else if (n->quoted)
			style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		emit(em, &ev,
		     yaml_scalar_event_initialize(
			     &ev, NULL, NULL, (const yaml_char_t *)n->text,
			     (int)len, 1, 1, style));
		return;
	}
	case CFG_MAP:
		emit(em, &ev,
		     yaml_mapping_start_event_initialize(
			     &ev, NULL, NULL, 1,
			     flow ? YAML_FLOW_MAPPING_STYLE
				  : YAML_BLOCK_MAPPING_STYLE));
		for (size_t i = 0; i < 2 * n->n; i++)
			emit_node(em, n->kids[i], flow);
		emit(em, &ev, yaml_mapping_end_event_initialize(&ev));
		return;
	case CFG_SEQ:
		emit(em, &ev,
		     yaml_sequence_start_event_initialize(
			     &ev, NULL, NULL, 1,
			     flow ? YAML_FLOW_SEQUENCE_STYLE
				  : YAML_BLOCK_SEQUENCE_STYLE));
		for (size_t i = 0; i < n->n; i++)
			emit_node(em, n->kids[i], flow);
		emit(em, &ev, yaml_sequence_end_event_initialize(&ev));
		return;
	}
	sim_panic("node of unknown kind %d", n->kind);
}

static char *emit_root(const cfg_node *root, bool flow)
{
	outbuf o = {NULL, 0, 0};
	yaml_emitter_t em;
	yaml_event_t ev;
	if (!yaml_emitter_initialize(&em))
		sim_panic("out of memory initialising libyaml");
	yaml_emitter_set_output(&em, write_out, &o);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_indent(&em, 2);
	yaml_emitter_set_break(&em, YAML_LN_BREAK);
	emit(&em, &ev,
	     yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(&em, &ev,
	     yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	emit_node(&em, root, flow);
	emit(&em, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(&em, &ev, yaml_stream_end_event_initialize(&ev));
	if (!yaml_emitter_flush(&em))
		sim_panic("libyaml emitter failed to flush");
	yaml_emitter_delete(&em);
	if (!o.s)
		o.s = sim_xstrdup("");
	return o.s;
}

char *cfg_doc_emit(const cfg_doc *doc)
{
	return emit_root(doc->root, false);
}

char *cfg_node_emit_flow(const cfg_node *n)
{
	char *s = emit_root(n, true);
	size_t len = strlen(s);
	/* A stream-level document end marker, if the emitter adds one, is
	 * no part of the value. */
	if (len >= 5 && strcmp(s + len - 5, "\n...\n") == 0)
		len -= 4;
	while (len > 0 && s[len - 1] == '\n')
		len--;
	s[len] = '\0';
	return s;
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

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
	size_t j = map_find(n, key);
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
