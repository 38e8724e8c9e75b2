/* SPDX-License-Identifier: MIT */
/*
 * Canonical emission of configuration trees through libyaml's emitter:
 * block YAML for whole documents, one-line flow YAML for single values.
 * Parsing is in cfg_parse.c; nothing here reports user errors.
 */
#include "sim_internal.h"

#include <limits.h>
#include <string.h>

#include <yaml.h>

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
