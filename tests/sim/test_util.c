/* SPDX-License-Identifier: MIT */
/*
 * Tests of sim/util.c: the error table, diagnostic formatting, edit
 * distance and suggestions, and the FNV-1a hash against published vectors.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <string.h>

#include "sim.h"

Test(sim_util, strerror_gives_each_code_its_text)
{
#define CHECK_CODE(name, value, text)                                          \
	cr_assert(eq(str, (char *)sim_strerror(value), (char *)text), #name);
	SIM_ERRORS(CHECK_CODE)
#undef CHECK_CODE
	cr_assert(eq(str, (char *)sim_strerror(0), (char *)"success"));
}

Test(sim_util, strerror_of_an_unknown_code_says_unknown_error)
{
	cr_assert(eq(str, (char *)sim_strerror(-999), (char *)"unknown error"));
	cr_assert(eq(str, (char *)sim_strerror(1), (char *)"unknown error"));
}

Test(sim_util, error_codes_are_distinct_and_negative)
{
	const int codes[] = {
#define LIST_CODE(name, value, text) value,
		SIM_ERRORS(LIST_CODE)
#undef LIST_CODE
	};
	size_t n = sizeof codes / sizeof codes[0];
	for (size_t i = 0; i < n; i++) {
		cr_assert(lt(int, codes[i], 0));
		for (size_t j = i + 1; j < n; j++)
			cr_assert(ne(int, codes[i], codes[j]));
	}
}

Test(sim_util, diag_with_file_line_and_column_prefixes_all_three)
{
	sim_diag d;
	sim_diag_init(&d);
	sim_diag_error(&d, "x.yaml", 12, 5, "unknown key '%s'", "bandwith");
	cr_assert(eq(str, d.text, (char *)"x.yaml:12:5: unknown key 'bandwith'\n"));
	cr_assert(eq(u32, d.errors, 1));
	sim_diag_fini(&d);
}

Test(sim_util, diag_with_file_only_prefixes_the_file)
{
	sim_diag d;
	sim_diag_init(&d);
	sim_diag_error(&d, "out/results.sqlite", 0, 0, "sqlite: %s", "disk full");
	cr_assert(eq(str, d.text, (char *)"out/results.sqlite: sqlite: disk full\n"));
	sim_diag_fini(&d);
}

Test(sim_util, diag_without_file_is_the_message_alone)
{
	sim_diag d;
	sim_diag_init(&d);
	sim_diag_error(&d, NULL, 3, 4, "%d plots drawn", 2);
	cr_assert(eq(str, d.text, (char *)"2 plots drawn\n"));
	sim_diag_fini(&d);
}

Test(sim_util, diag_keeps_messages_in_the_order_reported)
{
	sim_diag d;
	sim_diag_init(&d);
	sim_diag_error(&d, "a", 1, 1, "first");
	sim_diag_error(&d, NULL, 0, 0, "second");
	/* Long enough to make the buffer grow. */
	char long_msg[1000];
	memset(long_msg, 'x', sizeof long_msg - 1);
	long_msg[sizeof long_msg - 1] = '\0';
	sim_diag_error(&d, "b", 0, 0, "%s", long_msg);
	cr_assert(eq(u32, d.errors, 3));
	cr_assert(eq(int, strncmp(d.text, "a:1:1: first\nsecond\nb: xxx", 26), 0));
	cr_assert(eq(sz, d.len, strlen(d.text)));
	cr_assert(eq(sz, d.len, 13 + 7 + 3 + 999 + 1));
	sim_diag_fini(&d);
	cr_assert(d.text == NULL);
	cr_assert(eq(u32, d.errors, 0));
}

Test(sim_util, edit_distance_matches_known_values)
{
	cr_assert(eq(sz, sim_edit_distance("kitten", "sitting"), 3));
	cr_assert(eq(sz, sim_edit_distance("", "abc"), 3));
	cr_assert(eq(sz, sim_edit_distance("abc", ""), 3));
	cr_assert(eq(sz, sim_edit_distance("", ""), 0));
	cr_assert(eq(sz, sim_edit_distance("flaw", "lawn"), 2));
	cr_assert(eq(sz, sim_edit_distance("same", "same"), 0));
	cr_assert(eq(sz, sim_edit_distance("bandwith", "bandwidth"), 1));
}

Test(sim_util, suggest_picks_the_nearest_candidate_within_the_limit)
{
	const char *const keys[] = {"latency", "bandwidths", "bandwidth", NULL};
	cr_assert(eq(str, (char *)sim_suggest("bandwith", keys), (char *)"bandwidth"));
}

Test(sim_util, suggest_gives_null_beyond_the_limit)
{
	/* The limit is max(2, |word|/3): 2 for "cat", 4 for a 12-letter word. */
	const char *const three[] = {"dog", NULL};
	cr_assert(sim_suggest("cat", three) == NULL);
	const char *const two[] = {"cow", NULL};
	cr_assert(eq(str, (char *)sim_suggest("cat", two), (char *)"cow"));
	const char *const far[] = {"abcdefg12345", NULL};
	cr_assert(sim_suggest("abcdefghijkl", far) == NULL);
	const char *const near[] = {"abcdefgh1234", NULL};
	cr_assert(eq(str, (char *)sim_suggest("abcdefghijkl", near),
		     (char *)"abcdefgh1234"));
	const char *const none[] = {NULL};
	cr_assert(sim_suggest("cat", none) == NULL);
}

Test(sim_util, suggest_breaks_ties_in_favour_of_the_earliest_candidate)
{
	const char *const bh[] = {"bat", "hat", NULL};
	const char *const hb[] = {"hat", "bat", NULL};
	cr_assert(eq(str, (char *)sim_suggest("cat", bh), (char *)"bat"));
	cr_assert(eq(str, (char *)sim_suggest("cat", hb), (char *)"hat"));
}

Test(sim_util, hash64_matches_the_fnv1a_64_test_vectors)
{
	cr_assert(eq(u64, sim_hash64("", 0), UINT64_C(0xcbf29ce484222325)));
	cr_assert(eq(u64, sim_hash64("a", 1), UINT64_C(0xaf63dc4c8601ec8c)));
	cr_assert(eq(u64, sim_hash64("foobar", 6), UINT64_C(0x85944171f73967e8)));
}

Test(sim_util, xasprintf_and_xstrdup_copy_their_text)
{
	char *s = sim_xasprintf("%s-%d", "run", 42);
	cr_assert(eq(str, s, (char *)"run-42"));
	char *t = sim_xstrdup(s);
	cr_assert(t != s);
	cr_assert(eq(str, t, s));
	cr_assert(sim_xstrdup(NULL) == NULL);
	free(s);
	free(t);
}
