/* SPDX-License-Identifier: MIT */
/*
 * Parsing configuration text: YAML read with libyaml's event API into the
 * positioned nodes of a document (cfg_tree.c has the arena, the nodes and
 * read-only access). Checks the text's characters and positions as
 * libyaml counts them, tags, anchors and aliases, merge keys, duplicate
 * keys and the node, size and depth budgets, each refusal a positioned
 * message; and reads a configuration file with its size limit.
 */
#include "sim_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

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
	cfg_table anchors;
	cfg_table keys;
	size_t nodes;         /* expanded node count so far */
	size_t bytes;         /* expanded scalar text so far */
	size_t documents;
	cfg_node *root;
} parser;

static void mark_pos(const parser *p, yaml_mark_t m, unsigned *line,
		     unsigned *col)
{
	*line = cfg_clamp_uint(m.line + 1);
	*col = cfg_clamp_uint(m.column + 1 + (m.line == 0 ? p->col_offset : 0));
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
		size_t w = sim_utf8_decode(s + i, len - i, &cp);
		if (w == 0) {
			if (stop < len) {
				i++;
				col++;
				continue;
			}
			return fail_at(p, cfg_clamp_uint(line),
				       cfg_clamp_uint(col),
				       "invalid UTF-8 byte 0x%02x (expected "
				       "UTF-8 text)",
				       s[i]);
		}
		if (!is_printable(cp) && stop >= len)
			return fail_at(p, cfg_clamp_uint(line),
				       cfg_clamp_uint(col),
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
		*out_line = cfg_clamp_uint(line);
		*out_col = cfg_clamp_uint(col);
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
		char *s = cfg_show(t);
		free(t);
		return s;
	}
	return cfg_show(tag);
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

/* Mappings with fewer keys than this find a duplicate key by a scan of
 * their keys; larger ones through the parser's table. */
#define SMALL_MAP 16

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
		const frame *f = &p->stack[p->depth - 1];
		cfg_node *map = f->node;
		uint64_t tag = (uint64_t)(uintptr_t)map;
		size_t nkeys = (p->nkids - f->base) / 2;
		const cfg_node *first = NULL;
		if (nkeys < SMALL_MAP) {
			/* Its keys so far, next to each other in kids: a scan
			 * stays in cache where a table of every key of a
			 * large file would miss it at each lookup. */
			for (size_t i = 0; i < nkeys && !first; i++) {
				const cfg_node *k = p->kids[f->base + 2 * i];
				if (k->text == n->text ||
				    (k->text && n->text &&
				     strcmp(k->text, n->text) == 0))
					first = k;
			}
		} else {
			if (nkeys == SMALL_MAP)
				for (size_t i = 0; i < nkeys; i++) {
					cfg_node *k = p->kids[f->base + 2 * i];
					cfg_table_put(&p->keys, tag, k->text, k);
				}
			first = cfg_table_get(&p->keys, tag, n->text);
			if (!first)
				cfg_table_put(&p->keys, tag, n->text, n);
		}
		if (first) {
			char *k = cfg_show(n->text);
			fail(p, m,
			     "duplicate key '%s' (first defined at %u:%u; "
			     "expected each key once per mapping)",
			     k, first->line, first->col);
			free(k);
			return SIM_EINPUT;
		}
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
	anchor *a = cfg_arena_alloc(p->doc, sizeof *a);
	a->node = n;
	a->open = open;
	const char *key = cfg_arena_strndup(p->doc, (const char *)name,
					    strlen((const char *)name));
	/* A later anchor of the same name replaces the earlier one. */
	cfg_table_put(&p->anchors, 0, key, a);
	return a;
}

static cfg_node *positioned(parser *p, cfg_kind kind, yaml_mark_t m)
{
	unsigned line, col;
	mark_pos(p, m, &line, &col);
	return cfg_node_new(p->doc, kind, p->file, line, col);
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
	n->text = cfg_arena_strndup(p->doc, value, len);
	n->bytes = len;
	n->quoted = is_str || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	define_anchor(p, ev->data.scalar.anchor, n, false);
	return add_child(p, n, ev->start_mark);
}

static int on_alias(parser *p, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	anchor *a = cfg_table_get(&p->anchors, 0, name);
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

static bool is_merge_key(const cfg_node *k)
{
	return k->kind == CFG_SCALAR && !k->quoted && strcmp(k->text, "<<") == 0;
}

/* The index of key `text` among the first n keys of kids (key, value
 * pairs), or n. */
static size_t key_index(cfg_node *const *kids, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kids[2 * i]->text, text) == 0)
			return i;
	return n;
}

/* YAML merge keys (yaml.org/type/merge.html): in a mapping, `<<: *a` or
 * `<<: [*a, *b]` inserts the keys of those mappings that the mapping does
 * not have itself; among the merged mappings the earlier wins. Rewrites
 * n's pairs in place: its own keys in order, then the merged ones. The
 * merged nodes are shared with their anchors, as aliases are. The key
 * search is linear: a merged mapping is a handful of settings, and
 * O(own x merged) keeps the common case in cache. */
static int merge_keys(parser *p, cfg_node *n)
{
	size_t at = n->n;
	for (size_t i = 0; i < n->n; i++)
		if (is_merge_key(n->kids[2 * i])) {
			at = i;
			break;
		}
	if (at == n->n)
		return 0;
	const cfg_node *v = n->kids[2 * at + 1];
	cfg_node *const *srcs = &n->kids[2 * at + 1];
	size_t nsrcs = 1;
	if (v->kind == CFG_SEQ) {
		srcs = v->kids;
		nsrcs = v->n;
	}
	size_t total = n->n - 1;
	for (size_t s = 0; s < nsrcs; s++) {
		if (srcs[s]->kind != CFG_MAP)
			return fail_at(p, srcs[s]->line, srcs[s]->col,
				       "merge key '<<' takes %s here (expected "
				       "a mapping or a list of mappings, such "
				       "as <<: *base)",
				       cfg_kind_name((cfg_kind)srcs[s]->kind));
		total += srcs[s]->n;
	}
	cfg_node **kids = cfg_arena_alloc(p->doc, 2 * total * sizeof *kids);
	size_t k = 0;
	for (size_t i = 0; i < n->n; i++)
		if (i != at) {
			kids[2 * k] = n->kids[2 * i];
			kids[2 * k + 1] = n->kids[2 * i + 1];
			k++;
		}
	for (size_t s = 0; s < nsrcs; s++)
		for (size_t i = 0; i < srcs[s]->n; i++) {
			cfg_node *key = srcs[s]->kids[2 * i];
			if (key_index(kids, k, key->text) < k)
				continue;
			kids[2 * k] = key;
			kids[2 * k + 1] = srcs[s]->kids[2 * i + 1];
			kids[2 * k + 1]->shared = true;
			k++;
		}
	n->kids = kids;
	n->n = k;
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
		n->kids = cfg_arena_alloc(p->doc, k * sizeof *n->kids);
		memcpy(n->kids, p->kids + f->base, k * sizeof *n->kids);
	}
	p->nkids = f->base;
	if (n->kind == CFG_MAP) {
		int rc = merge_keys(p, n);
		if (rc)
			return rc;
	}
	cfg_node_update(n);
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
		p->root = cfg_node_new(p->doc, CFG_SCALAR, p->file, 1,
				       1 + p->col_offset);
		p->root->text = "";
		return 0;
	}
	return 0;
}

int cfg_doc_parse_text(const char *file, const char *text, size_t len,
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
	p.doc = cfg_doc_new();
	p.file = cfg_intern_file(p.doc, file);
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
	cfg_table_fini(&p.anchors);
	cfg_table_fini(&p.keys);
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
	return cfg_doc_parse_text(file, text, len, true, 0, out, d);
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
