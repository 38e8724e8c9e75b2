/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of sim/cfg_tree.c and sim/cfg_parse.c: parsing into
 * positioned nodes, every refusal with its exact "file:line:col: message",
 * alias expansion and its budget, overrides by dotted path, cloning, and
 * canonical emission.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

/* Criterion's eq(str, ...) takes char *, and -Wwrite-strings makes
 * literals const: the cast is the price of the new assert API. */
#define STR(s) ((char *)(s))

static cfg_doc *parse_ok(const char *text)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = NULL;
	int rc = cfg_doc_parse("c.yaml", text, strlen(text), &doc, &d);
	cr_assert(eq(int, rc, 0), "refused: %s", d.text ? d.text : "");
	cr_assert(not(eq(ptr, doc, NULL)));
	sim_diag_fini(&d);
	return doc;
}

/* Parses text (len bytes) expecting a refusal; returns the messages. */
static char *parse_err_n(const char *text, size_t len)
{
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc = (cfg_doc *)1;
	int rc = cfg_doc_parse("c.yaml", text, len, &doc, &d);
	cr_assert(eq(int, rc, SIM_EINPUT));
	cr_assert(eq(ptr, doc, NULL));
	char *msg = strdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return msg;
}

static char *parse_err(const char *text)
{
	return parse_err_n(text, strlen(text));
}

#define EXPECT_ERROR(text, want)                                               \
	do {                                                                   \
		char *got_ = parse_err(text);                                  \
		cr_expect(eq(str, STR(got_), STR(want)));                      \
		free(got_);                                                    \
	} while (0)

/* Same kinds, texts and keys; a quoted scalar must read back quoted, and
 * when strict the plain ones must read back plain. */
static bool same_tree(const cfg_node *a, const cfg_node *b, bool strict)
{
	if (cfg_node_kind(a) != cfg_node_kind(b) ||
	    cfg_node_len(a) != cfg_node_len(b))
		return false;
	if (cfg_node_kind(a) == CFG_SCALAR) {
		if (strcmp(cfg_node_text(a), cfg_node_text(b)) != 0)
			return false;
		if (cfg_node_is_quoted(a) && !cfg_node_is_quoted(b))
			return false;
		return !strict || cfg_node_is_quoted(a) == cfg_node_is_quoted(b);
	}
	for (size_t i = 0; i < cfg_node_len(a); i++) {
		if (cfg_node_kind(a) == CFG_MAP &&
		    !same_tree(cfg_node_key(a, i), cfg_node_key(b, i), strict))
			return false;
		if (!same_tree(cfg_node_at(a, i), cfg_node_at(b, i), strict))
			return false;
	}
	return true;
}

static const cfg_node *at_path(const cfg_doc *doc, const char *a,
			       const char *b)
{
	const cfg_node *n = cfg_map_get(cfg_doc_root(doc), a);
	return b ? cfg_map_get(n, b) : n;
}

/* ---------------------------------------------------------------- good */

Test(cfg_tree, parses_nested_nodes_with_one_based_positions)
{
	cfg_doc *doc = parse_ok("experiment: {name: x, seed: 42}\n"
				"datacenter:\n"
				"  host:\n"
				"    cpus: 4\n"
				"    memory: \"16GiB\"\n"
				"vms:\n"
				"  - {name: web1}\n"
				"  - name: web2\n");
	const cfg_node *root = cfg_doc_root(doc);
	cr_assert(eq(int, cfg_node_kind(root), CFG_MAP));
	cr_assert(eq(sz, cfg_node_len(root), 3));
	cr_assert(eq(str, STR(cfg_node_text(cfg_node_key(root, 1))),
		     STR("datacenter")));
	const cfg_node *cpus = at_path(doc, "datacenter", "host");
	cpus = cfg_map_get(cpus, "cpus");
	cr_assert(eq(str, STR(cfg_node_text(cpus)), STR("4")));
	cr_assert(eq(u32, cfg_node_line(cpus), 4));
	cr_assert(eq(u32, cfg_node_col(cpus), 11));
	cr_assert(eq(str, STR(cfg_node_file(cpus)), STR("c.yaml")));
	cr_assert(not(cfg_node_is_quoted(cpus)));
	const cfg_node *mem =
		cfg_map_get(at_path(doc, "datacenter", "host"), "memory");
	cr_assert(cfg_node_is_quoted(mem));
	const cfg_node *vms = at_path(doc, "vms", NULL);
	cr_assert(eq(int, cfg_node_kind(vms), CFG_SEQ));
	cr_assert(eq(sz, cfg_node_len(vms), 2));
	const cfg_node *web2 = cfg_map_get(cfg_node_at(vms, 1), "name");
	cr_assert(eq(str, STR(cfg_node_text(web2)), STR("web2")));
	cr_assert(eq(u32, cfg_node_line(web2), 8));
	cr_assert(eq(u32, cfg_node_col(web2), 11));
	cr_assert(eq(u32, cfg_node_line(cfg_node_at(vms, 0)), 7));
	cr_assert(eq(u32, cfg_node_col(cfg_node_at(vms, 0)), 5));
	cr_assert(eq(ptr, (void *)cfg_map_get(root, "nope"), NULL));
	cr_assert(eq(ptr, (void *)cfg_map_get(vms, "x"), NULL));
	cr_assert(eq(ptr, (void *)cfg_node_text(vms), NULL));
	cr_assert(eq(ptr, (void *)cfg_node_at(vms, 2), NULL));
	cr_assert(eq(ptr, (void *)cfg_node_key(vms, 0), NULL));
	cr_assert(eq(sz, cfg_node_len(cpus), 0));
	cfg_doc_destroy(doc);
}

Test(cfg_tree, kinds_have_human_names)
{
	cr_expect(eq(str, STR(cfg_kind_name(CFG_MAP)), STR("a mapping")));
	cr_expect(eq(str, STR(cfg_kind_name(CFG_SEQ)), STR("a sequence")));
	cr_expect(eq(str, STR(cfg_kind_name(CFG_SCALAR)), STR("a scalar")));
}

Test(cfg_tree, positions_count_characters_and_skip_a_byte_order_mark)
{
	cfg_doc *doc = parse_ok("\xef\xbb\xbf"
				"\xc3\xa9t\xc3\xa9: 1\r\n"
				"b: 2\r\n");
	const cfg_node *root = cfg_doc_root(doc);
	cr_assert(eq(str, STR(cfg_node_text(cfg_node_key(root, 0))),
		     STR("\xc3\xa9t\xc3\xa9")));
	cr_assert(eq(u32, cfg_node_col(cfg_node_at(root, 0)), 6));
	cr_assert(eq(u32, cfg_node_line(cfg_node_at(root, 1)), 2));
	cr_assert(eq(u32, cfg_node_col(cfg_node_at(root, 1)), 4));
	cfg_doc_destroy(doc);
}

Test(cfg_tree, quoting_and_string_tags_mark_scalars_as_strings)
{
	cfg_doc *doc = parse_ok("a: 1\nb: '1'\nc: \"1\"\nd: !!str 1\n"
				"e: !!int 1\nf: |\n  text\ng:\nh: ~\n");
	const cfg_node *r = cfg_doc_root(doc);
	const char *keys = "abcdefgh";
	const bool quoted[] = {false, true, true, true, false, true, false,
			       false};
	for (size_t i = 0; i < 8; i++) {
		char k[2] = {keys[i], 0};
		cr_expect(eq(int, cfg_node_is_quoted(cfg_map_get(r, k)),
			     quoted[i]),
			  "key %s", k);
	}
	cr_expect(eq(str, STR(cfg_node_text(cfg_map_get(r, "f"))),
		     STR("text\n")));
	cr_expect(eq(str, STR(cfg_node_text(cfg_map_get(r, "g"))), STR("")));
	cfg_doc_destroy(doc);
}

Test(cfg_tree, aliases_expand_to_copies_of_their_anchor)
{
	cfg_doc *doc = parse_ok("base: &b {cpus: 4, disks: [a, b]}\n"
				"h1: *b\n"
				"h2: {inner: *b}\n"
				"name: &n web\n"
				"names: [*n, *n]\n"
				"keys: {*n : 1}\n");
	const cfg_node *h1 = at_path(doc, "h1", NULL);
	cr_assert(eq(int, cfg_node_kind(h1), CFG_MAP));
	cr_assert(eq(str, STR(cfg_node_text(cfg_map_get(h1, "cpus"))),
		     STR("4")));
	const cfg_node *inner = at_path(doc, "h2", "inner");
	cr_assert(eq(sz, cfg_node_len(cfg_map_get(inner, "disks")), 2));
	const cfg_node *names = at_path(doc, "names", NULL);
	cr_assert(eq(str, STR(cfg_node_text(cfg_node_at(names, 1))),
		     STR("web")));
	const cfg_node *keys = at_path(doc, "keys", NULL);
	cr_assert(eq(str, STR(cfg_node_text(cfg_node_key(keys, 0))),
		     STR("web")));
	cr_assert(eq(u32, cfg_node_line(cfg_node_key(keys, 0)), 6));
	cr_assert(eq(u32, cfg_node_col(cfg_node_key(keys, 0)), 8));
	char *text = cfg_doc_emit(doc);
	cr_assert(eq(str, STR(text),
		     STR("base:\n  cpus: 4\n  disks:\n  - a\n  - b\n"
		     "h1:\n  cpus: 4\n  disks:\n  - a\n  - b\n"
		     "h2:\n  inner:\n    cpus: 4\n    disks:\n    - a\n    - b\n"
		     "name: web\nnames:\n- web\n- web\nkeys:\n  web: 1\n")));
	free(text);
	cfg_doc_destroy(doc);
}

Test(cfg_tree, a_redefined_anchor_is_not_a_loop)
{
	cfg_doc *doc = parse_ok("a: &x [&x 1, *x]\nb: *x\n");
	const cfg_node *a = at_path(doc, "a", NULL);
	cr_assert(eq(str, STR(cfg_node_text(cfg_node_at(a, 1))), STR("1")));
	cr_assert(eq(str, STR(cfg_node_text(at_path(doc, "b", NULL))),
		     STR("1")));
	cfg_doc_destroy(doc);
}

Test(cfg_tree, a_large_flat_file_with_many_keys_parses)
{
	size_t n = 20000;
	char *text = sim_xmalloc(n * 24 + 1), *o = text;
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "key%zu: %zu\n", i, i);
	cfg_doc *doc = parse_ok(text);
	cr_assert(eq(sz, cfg_node_len(cfg_doc_root(doc)), n));
	cr_assert(eq(str,
		     STR(cfg_node_text(
			     cfg_map_get(cfg_doc_root(doc), "key19999"))),
		     STR("19999")));
	cfg_doc_destroy(doc);
	free(text);
}

Test(cfg_tree, nesting_up_to_the_depth_limit_is_accepted)
{
	char text[512], *o = text;
	o += sprintf(o, "a: ");
	for (int i = 0; i < CFG_MAX_DEPTH - 1; i++)
		*o++ = '[';
	for (int i = 0; i < CFG_MAX_DEPTH - 1; i++)
		*o++ = ']';
	*o = '\0';
	cfg_doc *doc = parse_ok(text);
	cfg_doc_destroy(doc);
}

/* -------------------------------------------------------------- errors */

Test(cfg_tree, a_duplicate_key_names_the_first_definition)
{
	EXPECT_ERROR("datacenter:\n  host:\n    cpus: 4\n    cpus: 8\n",
		     "c.yaml:4:5: duplicate key 'cpus' (first defined at 3:5; "
		     "expected each key once per mapping)\n");
	EXPECT_ERROR("a: {x: 1, 'x': 2}\n",
		     "c.yaml:1:11: duplicate key 'x' (first defined at 1:5; "
		     "expected each key once per mapping)\n");
}

/* Small mappings find a duplicate by a scan, large ones by a table that
 * takes over at 16 keys: a duplicate of the first key, on each side of
 * that size, and one in a mapping of many keys, beside another mapping
 * with the same keys (keys are per mapping). */
Test(cfg_tree, a_duplicate_key_is_found_in_mappings_of_any_size)
{
	static const unsigned sizes[] = {15, 16, 17, 40};
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		unsigned n = sizes[s];
		char *text = sim_xstrdup("other: {k0: 0, k1: 1}\nm:\n");
		for (unsigned i = 0; i < n; i++) {
			char *more = sim_xasprintf("%s  k%u: %u\n", text, i, i);
			free(text);
			text = more;
		}
		char *more = sim_xasprintf("%s  k0: again\n", text);
		free(text);
		text = more;
		char *want = sim_xasprintf(
			"c.yaml:%u:3: duplicate key 'k0' (first defined at "
			"3:3; expected each key once per mapping)\n",
			n + 3);
		EXPECT_ERROR(text, want);
		free(want);
		free(text);
	}
}

Test(cfg_tree, an_alias_inside_its_own_anchor_is_a_loop)
{
	EXPECT_ERROR("a: &a [1, *a]\n",
		     "c.yaml:1:11: alias '*a' refers to anchor 'a' that "
		     "contains it (alias loop; expected an alias to a complete "
		     "anchor)\n");
	EXPECT_ERROR("a: &a\n  b: {c: *a}\n",
		     "c.yaml:2:10: alias '*a' refers to anchor 'a' that "
		     "contains it (alias loop; expected an alias to a complete "
		     "anchor)\n");
}

Test(cfg_tree, an_undefined_alias_is_refused)
{
	EXPECT_ERROR("a: 1\nb: *b\n",
		     "c.yaml:2:4: undefined alias '*b' (expected an anchor '&b' "
		     "defined earlier)\n");
	EXPECT_ERROR("a: *later\nb: &later 1\n",
		     "c.yaml:1:4: undefined alias '*later' (expected an anchor "
		     "'&later' defined earlier)\n");
}

Test(cfg_tree, an_empty_file_is_an_empty_configuration)
{
	char *got = parse_err_n("", 0);
	cr_expect(eq(str, STR(got),
		     STR("c.yaml:1:1: empty configuration (expected a mapping of "
		     "sections)\n")));
	free(got);
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc;
	cr_expect(eq(int, cfg_doc_parse("c.yaml", NULL, 0, &doc, &d),
		     SIM_EINPUT));
	sim_diag_fini(&d);
}

Test(cfg_tree, a_file_of_comments_or_a_null_document_is_empty)
{
	EXPECT_ERROR("# nothing here\n\n   # still nothing\n",
		     "c.yaml:1:1: empty configuration (expected a mapping of "
		     "sections)\n");
	EXPECT_ERROR("~\n", "c.yaml:1:1: empty configuration (expected a "
			    "mapping of sections)\n");
	EXPECT_ERROR("# header\n---\n",
		     "c.yaml:3:1: empty configuration (expected a mapping of "
		     "sections)\n");
}

Test(cfg_tree, a_document_that_is_a_scalar_or_sequence_is_refused)
{
	EXPECT_ERROR("hello\n", "c.yaml:1:1: configuration is a scalar "
				"(expected a mapping of sections)\n");
	EXPECT_ERROR("'~'\n", "c.yaml:1:1: configuration is a scalar "
			      "(expected a mapping of sections)\n");
	EXPECT_ERROR("- a\n- b\n", "c.yaml:1:1: configuration is a sequence "
				   "(expected a mapping of sections)\n");
}

Test(cfg_tree, more_than_one_document_is_refused)
{
	EXPECT_ERROR("a: 1\n---\nb: 2\n",
		     "c.yaml:2:1: more than one document (expected a single "
		     "YAML document)\n");
	EXPECT_ERROR("---\na: 1\n...\n---\na: 1\n",
		     "c.yaml:4:1: more than one document (expected a single "
		     "YAML document)\n");
}

Test(cfg_tree, bytes_that_are_not_utf8_are_located)
{
	EXPECT_ERROR("a: 1\nb: \xff\n", "c.yaml:2:4: invalid UTF-8 byte 0xff "
					"(expected UTF-8 text)\n");
	/* A truncated sequence, an overlong form and a surrogate. */
	EXPECT_ERROR("a: \xc3\xa9\xe2\x82\n",
		     "c.yaml:1:5: invalid UTF-8 byte 0xe2 (expected UTF-8 "
		     "text)\n");
	EXPECT_ERROR("a: \xc0\xaf\n", "c.yaml:1:4: invalid UTF-8 byte 0xc0 "
				      "(expected UTF-8 text)\n");
	EXPECT_ERROR("a: \xed\xa0\x80\n",
		     "c.yaml:1:4: invalid UTF-8 byte 0xed (expected UTF-8 "
		     "text)\n");
	/* UTF-16 is refused as what it looks like to a UTF-8 reader. */
	EXPECT_ERROR("\xff\xfe" "a\0:\0", "c.yaml:1:1: invalid UTF-8 byte "
					  "0xff (expected UTF-8 text)\n");
}

Test(cfg_tree, control_characters_and_nul_bytes_are_located)
{
	char *got = parse_err_n("a: 1\nb: x\0y\n", 11);
	cr_expect(eq(str, STR(got), STR("c.yaml:2:5: disallowed character U+0000 "
			       "(expected printable text)\n")));
	free(got);
	EXPECT_ERROR("a: \x07\n", "c.yaml:1:4: disallowed character U+0007 "
				  "(expected printable text)\n");
	EXPECT_ERROR("a: \"x\\0y\"\n",
		     "c.yaml:1:4: string contains a NUL character (expected "
		     "text without \\0)\n");
}

Test(cfg_tree, a_truncated_file_is_reported_where_it_ends)
{
	EXPECT_ERROR("a: {b: 1",
		     "c.yaml:1:9: did not find expected ',' or '}' while "
		     "parsing a flow mapping (started at 1:4; expected "
		     "well-formed YAML)\n");
	EXPECT_ERROR("a: 'unterminated\n",
		     "c.yaml:2:1: found unexpected end of stream while scanning "
		     "a quoted scalar (started at 1:4; expected well-formed "
		     "YAML)\n");
	EXPECT_ERROR("a: [1, 2",
		     "c.yaml:1:9: did not find expected ',' or ']' while "
		     "parsing a flow sequence (started at 1:4; expected "
		     "well-formed YAML)\n");
}

Test(cfg_tree, bad_indentation_carries_libyaml_problem_and_context)
{
	EXPECT_ERROR("a:\n  b: 1\n c: 2\n",
		     "c.yaml:3:2: did not find expected key while parsing a "
		     "block mapping (started at 1:1; expected well-formed "
		     "YAML)\n");
	EXPECT_ERROR("a: b: c\n", "c.yaml:1:5: mapping values are not allowed "
				  "in this context (expected well-formed "
				  "YAML)\n");
}

Test(cfg_tree, tags_outside_the_core_schema_are_refused)
{
	EXPECT_ERROR("a: !foo 1\n",
		     "c.yaml:1:4: unsupported tag '!foo' on a scalar (expected "
		     "no tag or one of !!str, !!int, !!float, !!bool, "
		     "!!null)\n");
	EXPECT_ERROR("a: !!binary aGk=\n",
		     "c.yaml:1:4: unsupported tag '!!binary' on a scalar "
		     "(expected no tag or one of !!str, !!int, !!float, "
		     "!!bool, !!null)\n");
	EXPECT_ERROR("a: !!map [1]\n",
		     "c.yaml:1:4: unsupported tag '!!map' on a sequence "
		     "(expected no tag or !!seq)\n");
	EXPECT_ERROR("a: !!seq {}\n",
		     "c.yaml:1:4: unsupported tag '!!seq' on a mapping "
		     "(expected no tag or !!map)\n");
}

Test(cfg_tree, keys_must_be_scalars)
{
	EXPECT_ERROR("? [a, b]\n: 1\n",
		     "c.yaml:1:3: key is a sequence (expected a scalar key)\n");
	EXPECT_ERROR("{{a: 1}: 2}\n",
		     "c.yaml:1:2: key is a mapping (expected a scalar key)\n");
	EXPECT_ERROR("m: &m {a: 1}\nn: {*m : 1}\n",
		     "c.yaml:2:5: key is a mapping (expected a scalar key)\n");
}

Test(cfg_tree, nesting_past_the_depth_limit_is_refused)
{
	char text[512], *o = text;
	o += sprintf(o, "a: ");
	for (int i = 0; i < CFG_MAX_DEPTH; i++)
		*o++ = '[';
	*o = '\0';
	EXPECT_ERROR(text, "c.yaml:1:67: nesting deeper than 64 levels "
			   "(expected at most 64 nested mappings and "
			   "sequences)\n");
	/* Through an alias the limit still holds. */
	o = text;
	o += sprintf(o, "a: &a ");
	for (int i = 0; i < 40; i++)
		*o++ = '[';
	for (int i = 0; i < 40; i++)
		*o++ = ']';
	o += sprintf(o, "\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]\n");
	EXPECT_ERROR(text, "c.yaml:2:30: nesting deeper than 64 levels "
			   "through alias '*a' (expected at most 64 nested "
			   "mappings and sequences)\n");
}

Test(cfg_tree, an_alias_bomb_is_refused_by_the_node_budget)
{
	char text[1024], *o = text;
	o += sprintf(o, "a: &a [x,x,x,x,x,x,x,x,x,x]\n");
	const char *names = "abcdefghi";
	for (int i = 1; i < 9; i++) {
		o += sprintf(o, "%c: &%c [", names[i], names[i]);
		for (int k = 0; k < 10; k++)
			o += sprintf(o, "%s*%c", k ? "," : "", names[i - 1]);
		o += sprintf(o, "]\n");
	}
	EXPECT_ERROR(text, "c.yaml:7:14: configuration expands to more than "
			   "4194304 nodes (expected a smaller file; check for "
			   "alias bombs)\n");
}

Test(cfg_tree, an_alias_bomb_of_long_strings_is_refused_by_the_text_budget)
{
	/* 64 KiB of text aliased 1025 times is only ~1000 nodes but would
	 * emit more than CFG_MAX_BYTES. */
	size_t big = 64 << 10;
	static const char head[] = "s: &s ";
	static const char tail[] =
		"\nt: &t [*s, *s, *s, *s, *s, *s, *s, *s]\n"
		"u: &u [*t, *t, *t, *t, *t, *t, *t, *t]\n"
		"v: [*u, *u, *u, *u, *u, *u, *u, *u, *u, *u, *u, *u, "
		"*u, *u, *u, *u, *u]\n";
	char *text = sim_xmalloc(big + sizeof head + sizeof tail);
	memcpy(text, head, sizeof head - 1);
	memset(text + sizeof head - 1, 'x', big);
	memcpy(text + sizeof head - 1 + big, tail, sizeof tail);
	EXPECT_ERROR(text, "c.yaml:4:61: configuration expands to more than "
			   "67108864 bytes of text (expected a smaller file; "
			   "check for alias bombs)\n");
	free(text);
}

Test(cfg_tree, a_file_over_the_byte_limit_is_refused_unread)
{
	size_t len = CFG_MAX_BYTES + 1;
	char *text = sim_xmalloc(len);
	cr_assert(not(eq(ptr, text, NULL)));
	memset(text, '#', len);
	char *got = parse_err_n(text, len);
	cr_expect(eq(str, STR(got), STR("c.yaml:1:1: configuration is larger than "
			       "67108864 bytes (expected a smaller file)\n")));
	free(got);
	free(text);
}

/* ---------------------------------------------------------------- load */

Test(cfg_tree, load_reads_a_file_and_reports_io_errors_by_path)
{
	char path[] = "/tmp/vdcsim_cfg_tree_XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	const char text[] = "a: {b: 1}\nc: *x\n";
	cr_assert(eq(sz, (size_t)write(fd, text, sizeof text - 1),
		     sizeof text - 1));
	close(fd);
	sim_diag d;
	sim_diag_init(&d);
	cfg_doc *doc;
	cr_assert(eq(int, cfg_doc_load(path, &doc, &d), SIM_EINPUT));
	char *want = sim_xasprintf("%s:2:4: undefined alias '*x' (expected an "
				   "anchor '&x' defined earlier)\n",
				   path);
	cr_expect(eq(str, STR(d.text), STR(want)));
	free(want);
	sim_diag_fini(&d);
	unlink(path);

	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_load("/nonexistent/x.yaml", &doc, &d),
		     SIM_EIO));
	cr_expect(eq(ptr, doc, NULL));
	cr_expect(eq(str, STR(d.text),
		     STR("/nonexistent/x.yaml: No such file or directory "
		     "(expected a readable YAML file)\n")));
	sim_diag_fini(&d);

	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_load("/tmp", &doc, &d), SIM_EIO));
	cr_expect(eq(str, STR(d.text), STR("/tmp: Is a directory (expected a readable "
				  "YAML file)\n")));
	sim_diag_fini(&d);
}

/* ---------------------------------------------------------------- emit */

static const char nontrivial[] =
	"experiment: {name: clark-specweb, seed: 42, duration: 120s}\n"
	"datacenter:\n"
	"  racks: 2\n"
	"  host: &host {cpus: 4, memory: 16GiB, nic: 1Gbit/s}\n"
	"  fabric:\n"
	"    uplink: 10Gbit/s   # comment\n"
	"    latency: 50us\n"
	"  spare: *host\n"
	"vms:\n"
	"  - {name: web1, host: rack0/host0, memory: 800MiB}\n"
	"  - name: 'db: primary'\n"
	"    tags: [\"a\", 'b', c, '', \"tab\\there\", 'multi\n\n  line']\n"
	"    note: |\n"
	"      first\n"
	"      second\n"
	"    empty: {}\n"
	"    none: []\n"
	"    nothing:\n"
	"    tilde: ~\n"
	"    quoted_null: 'null'\n"
	"    number_string: \"42\"\n"
	"    unicode: \"h\\u00e9llo \xe2\x9c\x93\"\n"
	"    '': empty key\n"
	"    \"with space\": -1\n"
	"sweep:\n"
	"  migrations.0.precopy.max_rate: [128Mbit/s, 1Gbit/s]\n";

Test(cfg_tree, emitting_and_parsing_again_gives_the_same_tree)
{
	cfg_doc *doc = parse_ok(nontrivial);
	char *once = cfg_doc_emit(doc);
	cfg_doc *again = parse_ok(once);
	cr_assert(same_tree(cfg_doc_root(doc), cfg_doc_root(again), true),
		  "emitted:\n%s", once);
	char *twice = cfg_doc_emit(again);
	cr_assert(eq(str, STR(twice), STR(once)));
	free(twice);
	free(once);
	cfg_doc_destroy(again);
	cfg_doc_destroy(doc);
}

Test(cfg_tree, emission_is_canonical_block_yaml)
{
	cfg_doc *doc = parse_ok("b: {x: 1, 'y': [1, 2]}\na: \"s\"\nc: []\n"
				"d: 'two\n\n  lines'\ne:\n");
	char *text = cfg_doc_emit(doc);
	cr_assert(eq(str, STR(text),
		     STR("b:\n  x: 1\n  'y':\n  - 1\n  - 2\na: 's'\nc: []\n"
		     "d: \"two\\nlines\"\ne:\n")));
	free(text);
	cfg_doc_destroy(doc);
}

Test(cfg_tree, flow_emission_fits_on_one_line)
{
	cfg_doc *doc = parse_ok("a: [128Mbit/s, '1 Gbit/s', {x: \"q\\nr\"}]\n"
				"b: plain\nc: ''\n");
	char *flow = cfg_node_emit_flow(cfg_map_get(cfg_doc_root(doc), "a"));
	cr_expect(eq(str, STR(flow), STR("[128Mbit/s, '1 Gbit/s', {x: \"q\\nr\"}]")));
	free(flow);
	flow = cfg_node_emit_flow(cfg_map_get(cfg_doc_root(doc), "b"));
	cr_expect(eq(str, STR(flow), STR("plain")));
	free(flow);
	flow = cfg_node_emit_flow(cfg_map_get(cfg_doc_root(doc), "c"));
	cr_expect(eq(str, STR(flow), STR("''")));
	free(flow);
	flow = cfg_node_emit_flow(cfg_doc_root(doc));
	cr_expect(eq(str, STR(flow), STR("{a: [128Mbit/s, '1 Gbit/s', {x: \"q\\nr\"}], "
				"b: plain, c: ''}")));
	free(flow);
	cfg_doc_destroy(doc);
}

/* ---------------------------------------------------------------- edit */

static cfg_doc *value_doc(const char *text)
{
	return parse_ok(text);
}

static int set_from(cfg_doc *doc, const char *path, const char *value_yaml,
		    char **msg)
{
	cfg_doc *v = value_doc(value_yaml);
	sim_diag d;
	sim_diag_init(&d);
	int rc = cfg_doc_set(doc, path, cfg_map_get(cfg_doc_root(v), "v"),
			     "override", &d);
	*msg = strdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	cfg_doc_destroy(v);
	return rc;
}

Test(cfg_tree, set_replaces_values_in_maps_and_sequences)
{
	cfg_doc *doc = parse_ok("a: {b: 1, c: 2}\nxs: [x, {y: 1}, z]\n");
	char *msg;
	cr_assert(eq(int, set_from(doc, "a.b", "v: 10\n", &msg), 0));
	free(msg);
	cr_assert(eq(int, set_from(doc, "xs.1.y", "v: [1, 2]\n", &msg), 0));
	free(msg);
	cr_assert(eq(int, set_from(doc, "xs.2", "v: {k: v}\n", &msg), 0));
	free(msg);
	char *text = cfg_doc_emit(doc);
	cr_expect(eq(str, STR(text), STR("a:\n  b: 10\n  c: 2\nxs:\n- x\n- y:\n  - 1\n"
				"  - 2\n- k: v\n")));
	free(text);
	cfg_doc_destroy(doc);
}

Test(cfg_tree, set_creates_missing_keys_and_intermediate_maps)
{
	cfg_doc *doc = parse_ok("a: {b: 1}\n");
	char *msg;
	cr_assert(eq(int, set_from(doc, "a.c", "v: 2\n", &msg), 0));
	free(msg);
	cr_assert(eq(int, set_from(doc, "x.y.z", "\n\nv: deep\n", &msg), 0));
	free(msg);
	char *text = cfg_doc_emit(doc);
	cr_expect(eq(str, STR(text), STR("a:\n  b: 1\n  c: 2\nx:\n  y:\n    z: deep\n")));
	free(text);
	/* New keys stand at the value's position. */
	const cfg_node *x = cfg_node_key(cfg_doc_root(doc), 1);
	cr_expect(eq(u32, cfg_node_line(x), 3));
	cr_expect(eq(u32, cfg_node_col(x), 4));
	cfg_doc_destroy(doc);
}

Test(cfg_tree, set_reports_bad_paths_at_the_value_and_changes_nothing)
{
	cfg_doc *doc = parse_ok("a: {b: 1}\nxs: [x, y, z]\nnone: []\n");
	char *before = cfg_doc_emit(doc);
	static const struct {
		const char *path, *want;
	} cases[] = {
		{"a.b.c", "c.yaml:1:4: override: 'a.b' is a scalar (expected a "
			  "mapping or a sequence)\n"},
		{"xs.3", "c.yaml:1:4: override: index 3 is out of range for the "
			 "sequence 'xs' (expected 0 to 2)\n"},
		{"xs.99999999999999999999999",
		 "c.yaml:1:4: override: index 99999999999999999999999 is out of "
		 "range for the sequence 'xs' (expected 0 to 2)\n"},
		{"xs.k", "c.yaml:1:4: override: 'k' is not an index into the "
			 "sequence 'xs' (expected 0 to 2)\n"},
		{"xs.-1", "c.yaml:1:4: override: '-1' is not an index into the "
			  "sequence 'xs' (expected 0 to 2)\n"},
		{"none.0", "c.yaml:1:4: override: the sequence 'none' is empty "
			   "(expected an existing index)\n"},
		{"a..b", "c.yaml:1:4: override: empty component in path 'a..b' "
			 "(expected PATH such as a.b.0)\n"},
		{"a.", "c.yaml:1:4: override: empty component in path 'a.' "
		       "(expected PATH such as a.b.0)\n"},
		{"", "c.yaml:1:4: override: empty path (expected PATH such as "
		     "a.b.0)\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *msg;
		cr_expect(eq(int, set_from(doc, cases[i].path, "v: 5\n", &msg),
			     SIM_EINPUT),
			  "path %s", cases[i].path);
		cr_expect(eq(str, STR(msg), STR(cases[i].want)), "path %s",
			  cases[i].path);
		free(msg);
	}
	char *after = cfg_doc_emit(doc);
	cr_expect(eq(str, STR(after), STR(before)));
	free(after);
	free(before);
	cfg_doc_destroy(doc);
}

Test(cfg_tree, set_through_an_alias_changes_only_that_copy)
{
	cfg_doc *doc = parse_ok("base: &b {cpus: 4, disk: {size: 1}}\n"
				"h1: *b\nh2: *b\n");
	char *msg;
	cr_assert(eq(int, set_from(doc, "h1.disk.size", "v: 2\n", &msg), 0));
	free(msg);
	cr_assert(eq(int, set_from(doc, "h2.cpus", "v: 8\n", &msg), 0));
	free(msg);
	char *text = cfg_doc_emit(doc);
	cr_expect(eq(str, STR(text),
		     STR("base:\n  cpus: 4\n  disk:\n    size: 1\n"
		     "h1:\n  cpus: 4\n  disk:\n    size: 2\n"
		     "h2:\n  cpus: 8\n  disk:\n    size: 1\n")));
	free(text);
	cfg_doc_destroy(doc);
}

Test(cfg_tree, set_may_copy_a_node_of_the_same_document)
{
	cfg_doc *doc = parse_ok("a: {b: {c: 1}}\n");
	sim_diag d;
	sim_diag_init(&d);
	const cfg_node *a = cfg_map_get(cfg_doc_root(doc), "a");
	cr_assert(eq(int, cfg_doc_set(doc, "a.b.d", a, NULL, &d), 0));
	char *text = cfg_doc_emit(doc);
	cr_expect(eq(str, STR(text), STR("a:\n  b:\n    c: 1\n    d:\n      b:\n"
				"        c: 1\n")));
	free(text);
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
}

/* cfg_doc_set creates a missing key at its value's position;
 * cfg_doc_set_keyed at the key it is given, the last one only. */
Test(cfg_tree, set_keyed_places_a_created_key_at_the_given_key)
{
	cfg_doc *doc = parse_ok("m: {a: 1}\n");
	cfg_doc *o = parse_ok("x:\n  y:\n    zz: 7\n");
	const cfg_node *y = cfg_map_get(cfg_doc_root(o), "x");
	y = cfg_map_get(y, "y");
	const cfg_node *k = cfg_node_key(y, 0), *v = cfg_node_at(y, 0);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_set_keyed(doc, "m.n.zz", k, v, "o", &d), 0));
	cr_assert(eq(int, cfg_doc_set(doc, "m.p.zz", v, "o", &d), 0));
	const cfg_node *m = cfg_map_get(cfg_doc_root(doc), "m");
	const cfg_node *n = cfg_map_get(m, "n");
	/* m.n was created at the value (3:9), m.n.zz at the key (3:5). */
	cr_assert(eq(u32, cfg_node_line(cfg_node_key(m, 1)), 3));
	cr_assert(eq(u32, cfg_node_col(cfg_node_key(m, 1)), 9));
	cr_assert(eq(u32, cfg_node_line(cfg_node_key(n, 0)), 3));
	cr_assert(eq(u32, cfg_node_col(cfg_node_key(n, 0)), 5));
	const cfg_node *p = cfg_map_get(m, "p");
	cr_assert(eq(u32, cfg_node_col(cfg_node_key(p, 0)), 9));
	cr_assert(eq(u32, cfg_node_col(cfg_map_get(n, "zz")), 9));
	sim_diag_fini(&d);
	cfg_doc_destroy(o);
	cfg_doc_destroy(doc);
}

Test(cfg_tree, set_arg_parses_path_equals_flow_value)
{
	cfg_doc *doc = parse_ok("datacenter: {host: {cpus: 4}}\n"
				"migrations: [{vm: web1}]\n");
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_set_arg(doc, "datacenter.host.cpus=8", &d),
		     0));
	cr_assert(eq(int,
		     cfg_doc_set_arg(doc, "migrations.0.precopy={max_rate: "
					  "1Gbit/s, stop_pages: 50}",
				     &d),
		     0));
	cr_assert(eq(int, cfg_doc_set_arg(doc, "tags=[a, 'b=c']", &d), 0));
	cr_assert(eq(int, cfg_doc_set_arg(doc, "note=", &d), 0));
	cr_assert(eq(ptr, d.text, NULL));
	char *text = cfg_doc_emit(doc);
	cr_expect(eq(str, STR(text),
		     STR("datacenter:\n  host:\n    cpus: 8\nmigrations:\n"
		     "- vm: web1\n  precopy:\n    max_rate: 1Gbit/s\n"
		     "    stop_pages: 50\ntags:\n- a\n- 'b=c'\nnote:\n")));
	free(text);
	const cfg_node *cpus = cfg_map_get(
		cfg_map_get(cfg_map_get(cfg_doc_root(doc), "datacenter"), "host"),
		"cpus");
	cr_expect(eq(str, STR(cfg_node_file(cpus)), STR("--set")));
	cr_expect(eq(u32, cfg_node_line(cpus), 1));
	cr_expect(eq(u32, cfg_node_col(cpus), 22));
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
}

Test(cfg_tree, set_arg_errors_say_what_was_expected)
{
	cfg_doc *doc = parse_ok("a: {b: 1}\nxs: [1]\n");
	static const struct {
		const char *arg, *want;
	} cases[] = {
		{"a.b", "--set: missing '=' in 'a.b' (expected PATH=VALUE)\n"},
		{"=5", "--set: empty path in '=5' (expected PATH=VALUE)\n"},
		{"a.b={x: 1", "--set:1:10: did not find expected ',' or '}' "
			      "while parsing a flow mapping (started at 1:5; "
			      "expected well-formed YAML)\n"},
		{"a.b=*x", "--set:1:5: undefined alias '*x' (expected an "
			   "anchor '&x' defined earlier)\n"},
		{"a.b.c=1", "--set:1:7: override 'a.b.c': 'a.b' is a scalar "
			    "(expected a mapping or a sequence)\n"},
		{"xs.1=2", "--set:1:6: override 'xs.1': index 1 is out of range "
			   "for the sequence 'xs' (expected 0 to 0)\n"},
		{"a.b=1\n---\n2", "--set:2:1: more than one document (expected a "
				  "single YAML document)\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sim_diag d;
		sim_diag_init(&d);
		cr_expect(eq(int, cfg_doc_set_arg(doc, cases[i].arg, &d),
			     SIM_EINPUT),
			  "arg %s", cases[i].arg);
		cr_expect(eq(str, STR(d.text ? d.text : ""), STR(cases[i].want)),
			  "arg %s", cases[i].arg);
		sim_diag_fini(&d);
	}
	cfg_doc_destroy(doc);
}

Test(cfg_tree, remove_top_takes_out_one_key)
{
	cfg_doc *doc = parse_ok("a: 1\nsweep: {x: [1, 2]}\nb: 2\n");
	cfg_doc_remove_top(doc, "sweep");
	cfg_doc_remove_top(doc, "absent");
	char *text = cfg_doc_emit(doc);
	cr_expect(eq(str, STR(text), STR("a: 1\nb: 2\n")));
	free(text);
	cfg_doc_destroy(doc);
	cfg_doc_destroy(NULL);
}

Test(cfg_tree, a_clone_is_equal_and_independent)
{
	cfg_doc *doc = parse_ok(nontrivial);
	cfg_doc *copy = cfg_doc_clone(doc);
	cr_assert(same_tree(cfg_doc_root(doc), cfg_doc_root(copy), true));
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, cfg_doc_set_arg(copy, "datacenter.host.cpus=64", &d),
		     0));
	cr_assert(eq(int, cfg_doc_set_arg(copy, "datacenter.spare=none", &d),
		     0));
	sim_diag_fini(&d);
	const cfg_node *dc = cfg_map_get(cfg_doc_root(doc), "datacenter");
	cr_expect(eq(str,
		     STR(cfg_node_text(
			     cfg_map_get(cfg_map_get(dc, "host"), "cpus"))),
		     STR("4")));
	cr_expect(eq(int, cfg_node_kind(cfg_map_get(dc, "spare")), CFG_MAP));
	const cfg_node *cdc = cfg_map_get(cfg_doc_root(copy), "datacenter");
	cr_expect(eq(str, STR(cfg_node_file(cfg_map_get(cdc, "racks"))),
		     STR("c.yaml")));
	cr_expect(eq(u32, cfg_node_line(cfg_map_get(cdc, "racks")), 3));
	cfg_doc_destroy(doc);
	/* The clone outlives its original. */
	char *text = cfg_doc_emit(copy);
	cr_expect(not(eq(ptr, strstr(text, "cpus: 64"), NULL)));
	free(text);
	cfg_doc_destroy(copy);
}

Test(cfg_tree, cfg_error_reports_at_the_node)
{
	cfg_doc *doc = parse_ok("a:\n  b: 1\n");
	sim_diag d;
	sim_diag_init(&d);
	cfg_error(&d, cfg_map_get(cfg_map_get(cfg_doc_root(doc), "a"), "b"),
		  "bad %s", "thing");
	cfg_error(&d, NULL, "no place");
	cr_expect(eq(str, STR(d.text), STR("c.yaml:2:6: bad thing\nno place\n")));
	cr_expect(eq(u32, d.errors, 2));
	sim_diag_fini(&d);
	cfg_doc_destroy(doc);
}

/* YAML merge keys: own keys win and keep their order, then the merged
 * mappings' keys, the earlier mapping winning; a quoted "<<" is a plain
 * key; anything but a mapping (or a list of them) is refused. */
Test(cfg_tree, merge_keys_insert_the_keys_a_mapping_lacks)
{
	cfg_doc *doc = parse_ok("a: &a {x: 1, y: 2}\n"
				"b: &b {y: 3, z: 4}\n"
				"one: {<<: *a, x: 9}\n"
				"two: {w: 0, <<: [*b, *a]}\n"
				"lit: {'<<': 5}\n");
	const cfg_node *one = at_path(doc, "one", NULL);
	cr_assert(eq(sz, cfg_node_len(one), 2));
	cr_assert(eq(str, STR(cfg_node_text(cfg_map_get(one, "x"))), STR("9")));
	cr_assert(eq(str, STR(cfg_node_text(cfg_map_get(one, "y"))), STR("2")));
	cr_assert(eq(ptr, (void *)cfg_map_get(one, "<<"), NULL));
	const cfg_node *two = at_path(doc, "two", NULL);
	cr_assert(eq(sz, cfg_node_len(two), 4));
	const char *order[] = {"w", "y", "z", "x"}, *vals[] = {"0", "3", "4", "1"};
	for (size_t i = 0; i < 4; i++) {
		cr_assert(eq(str, STR(cfg_node_text(cfg_node_key(two, i))),
			     STR(order[i])));
		cr_assert(eq(str, STR(cfg_node_text(cfg_node_at(two, i))),
			     STR(vals[i])));
	}
	/* A merged value keeps the position where it was written. */
	cr_assert(eq(u32, cfg_node_line(cfg_map_get(two, "z")), 2));
	cr_assert(eq(str, STR(cfg_node_text(cfg_map_get(at_path(doc, "lit", NULL),
							"<<"))),
		     STR("5")));
	cfg_doc_destroy(doc);
	EXPECT_ERROR("a: &a 3\nb: {<<: *a}\n",
		     "c.yaml:1:4: merge key '<<' takes a scalar here (expected "
		     "a mapping or a list of mappings, such as <<: *base)\n");
	EXPECT_ERROR("b: {<<: [{x: 1}, [2]]}\n",
		     "c.yaml:1:18: merge key '<<' takes a sequence here "
		     "(expected a mapping or a list of mappings, such as <<: "
		     "*base)\n");
	EXPECT_ERROR("b: {<<: {x: 1}, <<: {y: 2}}\n",
		     "c.yaml:1:17: duplicate key '<<' (first defined at 1:5; "
		     "expected each key once per mapping)\n");
}
