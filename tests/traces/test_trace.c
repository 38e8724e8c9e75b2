/* SPDX-License-Identifier: MIT */
/*
 * Tests of traces/trace.c: page-dirty format v1 read into exact values,
 * the exact message of every refusal, the writer's canonical bytes and its
 * round trip, the builder, and a deterministic mutation fuzz of the parser
 * (a few thousand inputs, each accepted or refused with a position).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "trace.h"
#include "../fuzz/mutate.h"

/* Criterion's eq(str, ...) takes char *, and -Wwrite-strings makes
 * literals const: the cast is the price of the new assert API. */
#define STR(s) ((char *)(s))

#define HEAD                                                                   \
	"# vdcsim page-dirty trace v1\n"                                       \
	"pages 131072\n"                                                       \
	"page_size 4096\n"                                                     \
	"interval 50ms\n"

typedef struct parsed {
	trace_pages *t;
	int rc;
	char *msg;
} parsed;

static parsed parse_n(const char *text, size_t len)
{
	parsed p;
	sim_diag d;
	sim_diag_init(&d);
	p.t = (trace_pages *)1;
	p.rc = trace_pages_parse("t.pdt", text, len, &p.t, &d);
	p.msg = sim_xstrdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return p;
}

static parsed parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void done(parsed *p)
{
	trace_pages_destroy(p->t);
	free(p->msg);
}

/* The text must be refused with exactly this one message. */
static void refused(const char *text, const char *want)
{
	parsed p = parse(text);
	cr_assert(eq(int, p.rc, SIM_EINPUT), "accepted:\n%s", text);
	cr_assert(eq(ptr, p.t, NULL));
	cr_assert(eq(str, p.msg, STR(want)));
	done(&p);
}

/* Sample i's pages as a string "a b c" for compact comparisons. */
static char *pages_of(const trace_pages *t, size_t i)
{
	size_t n = t->first[i + 1] - t->first[i];
	char *s = sim_xcalloc(n * 12 + 1, 1), *o = s;
	for (size_t k = t->first[i]; k < t->first[i + 1]; k++)
		o += sprintf(o, "%s%u", o == s ? "" : " ", t->page[k]);
	return s;
}

static void sample_is(const trace_pages *t, size_t i, uint64_t time_ns,
		      const char *pages)
{
	cr_assert(lt(sz, i, t->nsamples));
	cr_assert(eq(u64, t->time_ns[i], time_ns), "sample %zu", i);
	char *got = pages_of(t, i);
	cr_assert(eq(str, got, STR(pages)), "sample %zu", i);
	free(got);
}

/* ------------------------------------------------------------------------
 * Accepted inputs
 * ------------------------------------------------------------------------ */

Test(trace_parse, the_example_of_the_format_reads_into_exact_values)
{
	parsed p = parse("# vdcsim page-dirty trace v1\n"
			 "pages 131072\n"
			 "page_size 4096\n"
			 "interval 50ms\n"
			 "# comment lines and blank lines are allowed\n"
			 "50000000 17 18 100-163 9000\n"
			 "100000000\n");
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	trace_pages *t = p.t;
	cr_assert(eq(u64, t->pages, 131072));
	cr_assert(eq(u64, t->page_size, 4096));
	cr_assert(eq(u64, t->interval_ns, 50000000));
	cr_assert(eq(sz, t->nsamples, 2));
	cr_assert(eq(sz, t->first[0], 0));
	cr_assert(eq(sz, t->first[1], 2 + 64 + 1));
	cr_assert(eq(sz, t->first[2], t->first[1]));
	cr_assert(eq(u32, t->page[0], 17));
	cr_assert(eq(u32, t->page[1], 18));
	for (uint32_t k = 0; k < 64; k++)
		cr_assert(eq(u32, t->page[2 + k], 100 + k));
	cr_assert(eq(u32, t->page[66], 9000));
	sample_is(t, 1, 100000000, "");
	done(&p);
}

Test(trace_parse, pages_in_any_order_with_duplicates_become_sorted_and_distinct)
{
	parsed p = parse(HEAD "10 9 3-5 4 2 5-6 9 0 131071 7-7\n");
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	sample_is(p.t, 0, 10, "0 2 3 4 5 6 7 9 131071");
	done(&p);
}

Test(trace_parse, comments_blank_lines_blanks_and_crlf_line_ends_are_accepted)
{
	parsed p = parse("# vdcsim page-dirty trace v1\r\n"
			 "\r\n"
			 "  # an indented comment, even with odd bytes \x01\xff\n"
			 "\tpages\t 16 \n"
			 "page_size 512\r\n"
			 "interval 1.5 s\n"
			 "\n"
			 " 7\t1  2 \r\n"
			 "# between samples\n"
			 "9 15");
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	cr_assert(eq(u64, p.t->pages, 16));
	cr_assert(eq(u64, p.t->page_size, 512));
	cr_assert(eq(u64, p.t->interval_ns, 1500000000));
	cr_assert(eq(sz, p.t->nsamples, 2));
	sample_is(p.t, 0, 7, "1 2");
	sample_is(p.t, 1, 9, "15");
	done(&p);
}

Test(trace_parse, a_header_without_samples_is_an_empty_trace)
{
	parsed p = parse("# vdcsim page-dirty trace v1\n"
			 "interval 8s\npage_size 1073741824\npages 4294967296");
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	cr_assert(eq(sz, p.t->nsamples, 0));
	cr_assert(eq(sz, p.t->first[0], 0));
	cr_assert(eq(u64, p.t->pages, UINT64_C(4294967296)));
	cr_assert(eq(u64, p.t->interval_ns, UINT64_C(8000000000)));
	done(&p);
}

Test(trace_parse, the_last_pages_of_a_4_gib_page_space_and_the_largest_time_read)
{
	parsed p = parse("# vdcsim page-dirty trace v1\n"
			 "pages 4294967296\npage_size 4096\ninterval 1ns\n"
			 "18446744073709551615 4294967293-4294967295 0\n");
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	sample_is(p.t, 0, UINT64_MAX, "0 4294967293 4294967294 4294967295");
	done(&p);
}

/* ------------------------------------------------------------------------
 * Refusals, each with its exact message
 * ------------------------------------------------------------------------ */

Test(trace_errors, an_empty_input_is_not_a_trace)
{
	refused("", "t.pdt:1:1: not a page-dirty trace (expected the first "
		    "line '# vdcsim page-dirty trace v1')\n");
}

Test(trace_errors, a_wrong_first_line_is_not_a_trace)
{
	refused("pages 10\n",
		"t.pdt:1:1: not a page-dirty trace (expected the first line "
		"'# vdcsim page-dirty trace v1')\n");
	refused("# vdcsim page-dirty trace v1 \n",
		"t.pdt:1:1: not a page-dirty trace (expected the first line "
		"'# vdcsim page-dirty trace v1')\n");
}

Test(trace_errors, another_version_is_named)
{
	refused("# vdcsim page-dirty trace v2\npages 10\n",
		"t.pdt:1:27: unsupported page-dirty trace version 'v2' "
		"(expected v1)\n");
}

Test(trace_errors, an_unknown_header_key_is_refused_with_a_suggestion)
{
	refused("# vdcsim page-dirty trace v1\npage_sise 4096\n",
		"t.pdt:2:1: unknown header key 'page_sise' (did you mean "
		"'page_size'?)\n");
	refused("# vdcsim page-dirty trace v1\n  rate 10\n",
		"t.pdt:2:3: unknown header key 'rate' (expected pages, "
		"page_size or interval)\n");
}

Test(trace_errors, a_duplicate_header_key_names_its_first_line)
{
	refused(HEAD "pages 5\n",
		"t.pdt:5:1: duplicate header key 'pages' (expected each key "
		"once; first given on line 2)\n");
}

Test(trace_errors, a_header_key_after_samples_is_refused)
{
	refused(HEAD "# samples\n10 1\n20 2\ninterval 10ms\n",
		"t.pdt:8:1: header key 'interval' after the first sample "
		"(expected the header before line 6)\n");
}

Test(trace_errors, a_missing_header_key_is_reported_at_the_first_sample)
{
	refused("# vdcsim page-dirty trace v1\npages 10\ninterval 50ms\n"
		"  50000000 1\n",
		"t.pdt:4:3: missing header key 'page_size' before the first "
		"sample (expected a line such as 'page_size 4096')\n");
}

Test(trace_errors, a_missing_header_key_is_reported_at_the_end_without_samples)
{
	refused("# vdcsim page-dirty trace v1\npages 10\npage_size 4096\n",
		"t.pdt:4:1: missing header key 'interval' (expected a line "
		"such as 'interval 50ms')\n");
	refused("# vdcsim page-dirty trace v1\npage_size 4096",
		"t.pdt:2:15: missing header key 'pages' (expected a line such "
		"as 'pages 131072')\n");
}

Test(trace_errors, a_header_key_without_value_is_refused)
{
	refused("# vdcsim page-dirty trace v1\npages  \n",
		"t.pdt:2:6: missing value of header key 'pages' (expected a "
		"line such as 'pages 131072')\n");
}

Test(trace_errors, a_second_token_after_a_number_value_is_refused)
{
	refused("# vdcsim page-dirty trace v1\npages 131072 pages\n",
		"t.pdt:2:14: unexpected 'pages' after the value of 'pages' "
		"(expected the end of the line)\n");
}

Test(trace_errors, pages_must_be_a_number_from_1_to_2_to_the_32)
{
	refused("# vdcsim page-dirty trace v1\npages 12k\n",
		"t.pdt:2:7: '12k' is not a number (expected the number of "
		"pages, from 1 to 4294967296)\n");
	refused("# vdcsim page-dirty trace v1\npages -1\n",
		"t.pdt:2:7: '-1' is not a number (expected the number of "
		"pages, from 1 to 4294967296)\n");
	refused("# vdcsim page-dirty trace v1\npages 0\n",
		"t.pdt:2:7: pages 0 is out of range (expected 1 to "
		"4294967296)\n");
	refused("# vdcsim page-dirty trace v1\npages 4294967297\n",
		"t.pdt:2:7: pages 4294967297 is out of range (expected 1 to "
		"4294967296)\n");
	refused("# vdcsim page-dirty trace v1\npages 99999999999999999999999\n",
		"t.pdt:2:7: pages 99999999999999999999999 is out of range "
		"(expected 1 to 4294967296)\n");
}

Test(trace_errors, page_size_must_be_a_power_of_two_in_range)
{
	refused("# vdcsim page-dirty trace v1\npage_size 4000\n",
		"t.pdt:2:11: page_size 4000 is not a power of two (expected a "
		"power of two from 512 to 1073741824)\n");
	refused("# vdcsim page-dirty trace v1\npage_size 256\n",
		"t.pdt:2:11: page_size 256 is out of range (expected a power "
		"of two from 512 to 1073741824)\n");
	refused("# vdcsim page-dirty trace v1\npage_size 2147483648\n",
		"t.pdt:2:11: page_size 2147483648 is out of range (expected a "
		"power of two from 512 to 1073741824)\n");
	refused("# vdcsim page-dirty trace v1\npage_size 4KiB\n",
		"t.pdt:2:11: '4KiB' is not a number (expected the page size in "
		"bytes, a power of two from 512 to 1073741824)\n");
}

Test(trace_errors, interval_must_be_a_positive_duration_with_a_unit)
{
	refused("# vdcsim page-dirty trace v1\ninterval 50\n",
		"t.pdt:2:10: interval '50': missing unit (expected a duration "
		"such as 10ms)\n");
	refused("# vdcsim page-dirty trace v1\ninterval soon\n",
		"t.pdt:2:10: interval 'soon' is not a duration (expected a "
		"duration such as 10ms)\n");
	refused("# vdcsim page-dirty trace v1\ninterval 5 fortnights\n",
		"t.pdt:2:10: interval '5 fortnights': unknown unit (expected "
		"one of ns, us, ms, s, min or h)\n");
	refused("# vdcsim page-dirty trace v1\ninterval 0ms\n",
		"t.pdt:2:10: interval '0ms' is out of range (expected at least "
		"1ns)\n");
	refused("# vdcsim page-dirty trace v1\ninterval 0.5ns\n",
		"t.pdt:2:10: interval '0.5ns': fraction of a nanosecond "
		"(expected a whole number of ns)\n");
}

Test(trace_errors, an_embedded_nul_is_shown_escaped_and_refused)
{
	static const char text[] = "# vdcsim page-dirty trace v1\ninterval 5ms"
				   "\0x\n";
	parsed p = parse_n(text, sizeof text - 1);
	cr_assert(eq(int, p.rc, SIM_EINPUT));
	cr_assert(eq(str, p.msg,
		     STR("t.pdt:2:10: interval '5ms\\x00x' is not a duration "
			 "(expected a duration such as 10ms)\n")));
	done(&p);
	static const char sample[] = HEAD "10 1\0002\n";
	p = parse_n(sample, sizeof sample - 1);
	cr_assert(eq(str, p.msg,
		     STR("t.pdt:5:4: '1\\x002' is not a page (expected a page "
			 "number or a range a-b)\n")));
	done(&p);
}

Test(trace_errors, a_sample_time_must_be_digits_above_zero)
{
	refused(HEAD "50ms 1\n",
		"t.pdt:5:1: '50ms' is not a sample time (expected nanoseconds "
		"as a decimal integer)\n");
	refused(HEAD "0 1\n",
		"t.pdt:5:1: sample time 0 is not after the start of the trace "
		"(expected a time above 0)\n");
	refused(HEAD "18446744073709551616 1\n",
		"t.pdt:5:1: sample time 18446744073709551616 is out of range "
		"(expected at most 18446744073709551615)\n");
}

Test(trace_errors, sample_times_must_increase_strictly)
{
	refused(HEAD "100 1\n\n100 2\n",
		"t.pdt:7:1: sample time 100 is not after the previous sample's "
		"time 100 on line 5 (expected times that increase strictly)\n");
	refused(HEAD "100 1\n99\n",
		"t.pdt:6:1: sample time 99 is not after the previous sample's "
		"time 100 on line 5 (expected times that increase strictly)\n");
}

Test(trace_errors, a_page_out_of_range_names_the_page_and_the_range)
{
	refused(HEAD "# two lines\n50000000 1 131072\n",
		"t.pdt:6:12: page 131072 is out of range (expected 0 to "
		"131071)\n");
	refused(HEAD "\n\n50000000 1 131072\n",
		"t.pdt:7:12: page 131072 is out of range (expected 0 to "
		"131071)\n");
	refused(HEAD "1 5-131072\n",
		"t.pdt:5:5: page 131072 is out of range (expected 0 to "
		"131071)\n");
	refused(HEAD "1 99999999999999999999999\n",
		"t.pdt:5:3: page 99999999999999999999999 is out of range "
		"(expected 0 to 131071)\n");
}

Test(trace_errors, a_reversed_range_is_refused)
{
	refused(HEAD "1 2 9-3\n",
		"t.pdt:5:5: range 9-3 is reversed (expected a-b with a <= b)\n");
}

Test(trace_errors, tokens_that_are_not_pages_are_refused)
{
	static const char *const bad[] = {"12x", "1-", "-", "1-2-3", "+4",
					  "0x10", "1e3", "#1"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[256], want[256];
		snprintf(text, sizeof text, HEAD "7 1 %s\n", bad[i]);
		snprintf(want, sizeof want,
			 "t.pdt:5:5: '%s' is not a page (expected a page "
			 "number or a range a-b)\n",
			 bad[i]);
		refused(text, want);
	}
}

Test(trace_errors, a_line_starting_with_anything_else_is_refused)
{
	refused(HEAD "-5 1\n",
		"t.pdt:5:1: unexpected '-5' (expected a header key, a sample "
		"time or a comment starting with '#')\n");
	refused(HEAD "  \xc3\xa9t\xc3\xa9\n",
		"t.pdt:5:3: unexpected '\\xc3\\xa9t\\xc3\\xa9' (expected a "
		"header key, a sample time or a comment starting with '#')\n");
}

Test(trace_errors, long_user_text_is_cut_in_messages)
{
	char text[512];
	snprintf(text, sizeof text, HEAD "7 %s\n",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "bbbbbbbbbb");
	refused(text, "t.pdt:5:3: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaaaaaaaa...' is not a page (expected a page "
		      "number or a range a-b)\n");
}

Test(trace_errors, a_trace_listing_more_than_2_to_the_28_pages_is_refused)
{
	refused("# vdcsim page-dirty trace v1\npages 4294967296\n"
		"page_size 4096\ninterval 1s\n1 0-4294967295\n",
		"t.pdt:5:1: the trace lists more than 268435456 pages in all "
		"(expected at most 268435456, counting each page once per "
		"sample)\n");
}

Test(trace_errors, many_repeats_of_a_page_are_merged_within_the_limit)
{
	/* 200000 tokens of the same range: the parser merges as it goes. */
	size_t reps = 200000;
	char *text = sim_xmalloc(sizeof HEAD + 16 + reps * 8);
	char *o = text + sprintf(text, HEAD "5");
	for (size_t i = 0; i < reps; i++)
		o += sprintf(o, " 10-20");
	strcpy(o, "\n");
	parsed p = parse(text);
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	cr_assert(eq(sz, p.t->first[1], 11));
	done(&p);
	free(text);
}

Test(trace_errors, an_input_over_1_gib_is_refused_before_it_is_read)
{
	/* The length alone decides: the parser must not touch the bytes. */
	static const char tiny[] = "# vdcsim page-dirty trace v1\n";
	parsed p = parse_n(tiny, ((size_t)1 << 30) + 1);
	cr_assert(eq(int, p.rc, SIM_EINPUT));
	cr_assert(eq(str, p.msg,
		     STR("t.pdt: trace is larger than 1 GiB (expected at most "
			 "1073741824 bytes)\n")));
	done(&p);
}

Test(trace_errors, a_missing_file_is_an_io_error_naming_the_path)
{
	sim_diag d;
	sim_diag_init(&d);
	trace_pages *t = (trace_pages *)1;
	int rc = trace_pages_load("/nonexistent/x.pdt", &t, &d);
	cr_assert(eq(int, rc, SIM_EIO));
	cr_assert(eq(ptr, t, NULL));
	cr_assert(eq(str, d.text,
		     STR("/nonexistent/x.pdt: No such file or directory "
			 "(expected a readable page-dirty trace)\n")));
	sim_diag_fini(&d);
}

/* ------------------------------------------------------------------------
 * Writer and builder
 * ------------------------------------------------------------------------ */

static char tdir[64];

static void make_dir(void)
{
	strcpy(tdir, "/tmp/vdcsim-trace-XXXXXX");
	cr_assert(mkdtemp(tdir) != NULL);
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
	cr_assert(eq(int, system(cmd), 0));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f != NULL, "%s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = sim_xmalloc((size_t)n + 1);
	cr_assert(eq(sz, fread(s, 1, (size_t)n, f), (size_t)n));
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

static char *save_text(const trace_pages *t, const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tdir, name);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, trace_pages_save(t, path, &d), 0), "%s",
		  d.text ? d.text : "");
	sim_diag_fini(&d);
	size_t len;
	return slurp(path, &len);
}

Test(trace_save, the_writer_emits_canonical_text_with_ranges_of_three_or_more,
     .init = make_dir, .fini = remove_dir)
{
	trace_pages_builder *b = trace_pages_builder_create(64, 4096, 90000000000);
	uint32_t s1[] = {9, 1, 2, 5, 6, 7, 20, 21, 22, 23, 30, 31, 63};
	trace_pages_builder_add(b, 50, s1, sizeof s1 / sizeof *s1);
	trace_pages_builder_add(b, 60, NULL, 0);
	uint32_t s3[] = {3, 3, 3};
	trace_pages_builder_add(b, 1000000007, s3, 3);
	trace_pages *t = trace_pages_builder_finish(b);
	char *text = save_text(t, "a.pdt");
	cr_assert(eq(str, text,
		     STR("# vdcsim page-dirty trace v1\n"
			 "pages 64\n"
			 "page_size 4096\n"
			 "interval 90s\n"
			 "50 1 2 5-7 9 20-23 30 31 63\n"
			 "60\n"
			 "1000000007 3\n")));
	free(text);
	trace_pages_destroy(t);
}

Test(trace_save, intervals_are_written_in_the_largest_exact_unit,
     .init = make_dir, .fini = remove_dir)
{
	static const struct {
		uint64_t ns;
		const char *text;
	} cases[] = {
		{7200000000000, "2h"}, {120000000000, "2min"}, {1000000000, "1s"},
		{50000000, "50ms"},    {1500, "1500ns"},       {3000, "3us"},
		{(uint64_t)INT64_MAX, "9223372036854775807ns"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		trace_pages_builder *b =
			trace_pages_builder_create(1, 512, cases[i].ns);
		trace_pages *t = trace_pages_builder_finish(b);
		char *text = save_text(t, "i.pdt");
		char want[256];
		snprintf(want, sizeof want,
			 "# vdcsim page-dirty trace v1\npages 1\npage_size "
			 "512\ninterval %s\n",
			 cases[i].text);
		cr_assert(eq(str, text, want));
		parsed p = parse(text);
		cr_assert(eq(int, p.rc, 0), "%s", p.msg);
		cr_assert(eq(u64, p.t->interval_ns, cases[i].ns));
		done(&p);
		free(text);
		trace_pages_destroy(t);
	}
}

Test(trace_save, save_then_parse_round_trips_to_identical_bytes,
     .init = make_dir, .fini = remove_dir)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 7);
	trace_pages_builder *b = trace_pages_builder_create(100000, 4096, 50000000);
	uint32_t buf[3000];
	uint64_t time = 0;
	for (int s = 0; s < 200; s++) {
		size_t n = gsl_rng_uniform_int(r, 3000);
		for (size_t k = 0; k < n; k++)
			buf[k] = (uint32_t)(k % 7 == 0 ? 500 + k
						       : gsl_rng_uniform_int(r, 100000));
		time += 1 + gsl_rng_uniform_int(r, 100000000);
		trace_pages_builder_add(b, time, buf, n);
	}
	trace_pages *t = trace_pages_builder_finish(b);
	char *first = save_text(t, "r1.pdt");
	char path[128];
	snprintf(path, sizeof path, "%s/r1.pdt", tdir);
	sim_diag d;
	sim_diag_init(&d);
	trace_pages *back = NULL;
	cr_assert(eq(int, trace_pages_load(path, &back, &d), 0), "%s",
		  d.text ? d.text : "");
	sim_diag_fini(&d);
	cr_assert(eq(sz, back->nsamples, t->nsamples));
	cr_assert(eq(sz, back->first[back->nsamples], t->first[t->nsamples]));
	cr_assert(eq(int, memcmp(back->time_ns, t->time_ns,
				 t->nsamples * sizeof *t->time_ns),
		     0));
	cr_assert(eq(int, memcmp(back->first, t->first,
				 (t->nsamples + 1) * sizeof *t->first),
		     0));
	cr_assert(eq(int, memcmp(back->page, t->page,
				 t->first[t->nsamples] * sizeof *t->page),
		     0));
	char *second = save_text(back, "r2.pdt");
	cr_assert(eq(str, second, first));
	free(first);
	free(second);
	trace_pages_destroy(back);
	trace_pages_destroy(t);
	gsl_rng_free(r);
}

Test(trace_save, an_invalid_trace_is_refused_and_nothing_is_written,
     .init = make_dir, .fini = remove_dir)
{
	trace_pages_builder *b = trace_pages_builder_create(10, 4096, 1000);
	uint32_t pg[] = {1, 2};
	trace_pages_builder_add(b, 5, pg, 2);
	trace_pages *t = trace_pages_builder_finish(b);
	t->page[1] = 1; /* not distinct any more */
	char path[128];
	snprintf(path, sizeof path, "%s/bad.pdt", tdir);
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, trace_pages_save(t, path, &d), SIM_EINPUT));
	char want[256];
	snprintf(want, sizeof want,
		 "%s: trace to save has a sample whose pages are not sorted, "
		 "distinct and below pages\n",
		 path);
	cr_assert(eq(str, d.text, want));
	cr_assert(ne(int, access(path, F_OK), 0));
	sim_diag_fini(&d);
	trace_pages_destroy(t);
}

Test(trace_save, saving_into_a_missing_folder_is_an_io_error)
{
	trace_pages *t = trace_pages_builder_finish(
		trace_pages_builder_create(1, 4096, 1));
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, trace_pages_save(t, "/nonexistent/x.pdt", &d),
		     SIM_EIO));
	cr_assert(eq(str, d.text,
		     STR("/nonexistent/x.pdt: cannot create: No such file or "
			 "directory\n")));
	sim_diag_fini(&d);
	trace_pages_destroy(t);
}

Test(trace_builder, a_sample_time_that_does_not_increase_panics,
     .signal = SIGABRT)
{
	trace_pages_builder *b = trace_pages_builder_create(10, 4096, 1000);
	trace_pages_builder_add(b, 5, NULL, 0);
	trace_pages_builder_add(b, 5, NULL, 0);
}

Test(trace_builder, a_page_beyond_the_trace_panics, .signal = SIGABRT)
{
	trace_pages_builder *b = trace_pages_builder_create(10, 4096, 1000);
	uint32_t pg = 10;
	trace_pages_builder_add(b, 5, &pg, 1);
}

Test(trace_builder, a_page_size_that_is_not_a_power_of_two_panics,
     .signal = SIGABRT)
{
	trace_pages_builder_create(10, 4000, 1000);
}

Test(trace_builder, destroying_null_is_a_no_op)
{
	trace_pages_destroy(NULL);
}

/* ------------------------------------------------------------------------
 * Fuzzing
 * ------------------------------------------------------------------------ */

#define FUZZ_MAX 4096

/* Mostly samples, so that most mutations land where they can leave a
 * valid trace. At most 2^20 pages: a '-' dropped between two digits of a
 * page makes a range, and ranges of 10^8 pages (which the parser rightly
 * accepts) would make the fuzz slow; the unit tests above cover 2^32. */
static const char *const seeds[] = {
	HEAD "# a comment\n50000000 17 18 100-163 9000\n100000000\n"
	     "150000000 0 131071 5-5 7-9\n"
	     "200000000 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
	     "250000000 2000-3000 40000 50000-50010 77 78 79\n"
	     "\n300000000 1 1 1 1 2 2 2 3 3 3\n"
	     "350000000 1000 2000 3000 4000 5000 6000 7000 8000\n"
	     "400000000 12345 23456 34567 45678 56789 67890\n"
	     "# another comment\n"
	     "450000000 10-20 30-40 50-60 70-80 90-100\n",
	"# vdcsim page-dirty trace v1\npages 1048576\npage_size 4096\n"
	"interval 1s\n1000 1 2 3\n2000 4 5 6\n3000 7 8 9 10 20\n"
	"4000 100 200 300 400 500 600 700 800 900\n5000\n6000 1 1000\n"
	"7000 2 4 8 16 32 64 128 256 512 1024 2048 4096 8192\n"
	"8000 11 22 33 44 55 66 77 88 99\n",
	"# vdcsim page-dirty trace v1\r\ninterval 1.5 s\r\npage_size 512\r\n"
	"pages 16\r\n\r\n7\t1  2 \r\n9 15\r\n",
	"# vdcsim page-dirty trace v1\npages 1048576\npage_size 4096\n"
	"interval 1ns\n1 1048573 1048575 0\n18446744073709551615\n",
	"# vdcsim page-dirty trace v1\npages 1\npage_size 1073741824\n"
	"interval 2h\n",
};

static const char *const tokens[] = {
	" ", "\t", "\n", "\r\n", "-", "#", "0", "9", "131072", "1048576",
	"18446744073709551615", "99999999999999999999", " 1-0", " 0-131071",
	"pages 7\n", "page_size 4096\n", "interval 10ms\n", "interval 0s\n",
	"\n12 ", "\0", "\xff", "v2", "ms",
	/* Benign ones, so that about a third of the inputs still parse. */
	" 5", " 7-9", "\n# c\n", "\n\n", " ", "\n999999999999 1 2\n",
};

typedef struct fbuf {
	char b[FUZZ_MAX + 64];
	size_t len;
} fbuf;


static void insert(fbuf *x, size_t at, const char *s, size_t n)
{
	fuzz_insert(x->b, &x->len, FUZZ_MAX, at, s, n);
}

static void mutate(fbuf *x, gsl_rng *r)
{
	/* Three mutations in four spare the header (the seeds' first four
	 * lines), where nearly any change is refused: the samples deserve as
	 * much attention. */
	size_t lo = 0;
	if (fuzz_pick(r, 4))
		for (int lines = 0; lines < 4; lines++) {
			const char *nl = memchr(x->b + lo, '\n', x->len - lo);
			if (!nl)
				break;
			lo = (size_t)(nl - x->b) + 1;
		}
	size_t at = lo + fuzz_pick(r, x->len - lo + 1);
	switch (gsl_rng_uniform_int(r, 8)) {
	case 0: /* flip one bit */
		if (at < x->len)
			x->b[at] ^= (char)(1u << fuzz_pick(r, 8));
		break;
	case 1: { /* insert a random digit or significant byte */
		static const char sig[] = "0123456789- \t\n#\r";
		char c = sig[fuzz_pick(r, sizeof sig - 1)];
		insert(x, at, &c, 1);
		break;
	}
	case 2: /* delete a span */
		fuzz_delete_span(x->b, &x->len, at, r);
		break;
	case 3: /* truncate */
		x->len = at;
		break;
	case 4: { /* duplicate a span elsewhere */
		char tmp[64];
		size_t n = fuzz_copy_span(x->b, x->len, r, tmp);
		if (n)
			insert(x, at, tmp, n);
		break;
	}
	case 5:
	case 6: { /* insert a token */
		size_t i = fuzz_pick(r, sizeof tokens / sizeof *tokens);
		insert(x, at, tokens[i], tokens[i][0] ? strlen(tokens[i]) : 1);
		break;
	}
	default: /* overwrite with a random byte */
		if (at < x->len)
			x->b[at] = (char)fuzz_pick(r, 256);
		break;
	}
}

/* One message line "t.pdt:L:C: text\n" with L, C >= 1. */
static bool positioned(const char *msg)
{
	unsigned l = 0, c = 0;
	int used = 0;
	if (sscanf(msg, "t.pdt:%u:%u: %n", &l, &c, &used) != 2 || used == 0 ||
	    l == 0 || c == 0)
		return false;
	const char *nl = strchr(msg, '\n');
	return nl && nl[1] == '\0';
}

/* The invariants trace.h promises of every parsed trace. */
static void check_invariants(const trace_pages *t)
{
	cr_assert(t->pages >= 1 && t->pages <= UINT64_C(4294967296));
	cr_assert(t->page_size >= 512 && !(t->page_size & (t->page_size - 1)));
	cr_assert(t->interval_ns >= 1);
	cr_assert(eq(sz, t->first[0], 0));
	for (size_t i = 0; i < t->nsamples; i++) {
		cr_assert(t->time_ns[i] > (i ? t->time_ns[i - 1] : 0));
		cr_assert(t->first[i] <= t->first[i + 1]);
		for (size_t k = t->first[i]; k < t->first[i + 1]; k++) {
			cr_assert(t->page[k] < t->pages);
			cr_assert(k == t->first[i] || t->page[k] > t->page[k - 1]);
		}
	}
}

static void fuzz_batch(unsigned long seed, unsigned n)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	unsigned accepted = 0, saved = 0;
	for (unsigned i = 0; i < n; i++) {
		fbuf x;
		const char *s = seeds[fuzz_pick(r, sizeof seeds / sizeof *seeds)];
		x.len = strlen(s);
		memcpy(x.b, s, x.len);
		unsigned rounds = 1 + (unsigned)fuzz_pick(r, 3);
		for (unsigned k = 0; k < rounds; k++)
			mutate(&x, r);
		parsed p = parse_n(x.b, x.len);
		cr_assert(p.rc == 0 || p.rc == SIM_EINPUT, "rc %d", p.rc);
		if (p.rc) {
			cr_assert(eq(ptr, p.t, NULL));
			cr_assert(positioned(p.msg), "input:\n%.*s\nmessage: %s",
				  (int)x.len, x.b, p.msg);
			done(&p);
			continue;
		}
		accepted++;
		check_invariants(p.t);
		/* Saving costs an fsync: a sample of the accepted inputs is
		 * enough to check that what parses also saves and reads
		 * back the same. */
		if (accepted % 50 == 1) {
			char *text = save_text(p.t, "f.pdt");
			parsed q = parse(text);
			cr_assert(eq(int, q.rc, 0), "%s", q.msg);
			char *again = save_text(q.t, "g.pdt");
			cr_assert(eq(str, again, text));
			free(again);
			free(text);
			done(&q);
			saved++;
		}
		done(&p);
	}
	/* Both paths must be exercised for the test to mean anything. */
	cr_expect(gt(u32, accepted, n / 10), "accepted %u of %u", accepted, n);
	cr_expect(lt(u32, accepted, n - n / 10), "accepted %u of %u", accepted,
		  n);
	cr_expect(gt(u32, saved, 0));
	gsl_rng_free(r);
}

Test(trace_fuzz, the_seed_traces_are_accepted)
{
	for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
		parsed p = parse(seeds[i]);
		cr_assert(eq(int, p.rc, 0), "seed %zu: %s", i, p.msg);
		check_invariants(p.t);
		done(&p);
	}
}

Test(trace_fuzz, mutated_traces_batch_1_parse_or_fail_with_positions,
     .init = make_dir, .fini = remove_dir)
{
	fuzz_batch(1, 2000);
}

Test(trace_fuzz, mutated_traces_batch_2_parse_or_fail_with_positions,
     .init = make_dir, .fini = remove_dir)
{
	fuzz_batch(2, 2000);
}

Test(trace_fuzz, mutated_traces_batch_3_parse_or_fail_with_positions,
     .init = make_dir, .fini = remove_dir)
{
	fuzz_batch(3, 2000);
}
