/* SPDX-License-Identifier: MIT */
/*
 * Tests of sim/util.c: the error table, diagnostic formatting and
 * escaping, the name rule, edit distance and suggestions, and the FNV-1a
 * hash against published vectors; and of sim/file.c, the output files.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"
#include "tmpdir.h"

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

Test(sim_util, diag_append_keeps_nested_messages_as_their_own_lines)
{
	sim_diag inner, outer;
	sim_diag_init(&inner);
	sim_diag_init(&outer);
	sim_diag_error(&inner, "m.yaml", 4, 13, "bad ways");
	sim_diag_error(&inner, "m.yaml", 5, 1, "bad page");
	sim_diag_error(&outer, "c.yaml", 3, 9, "not a usable machine file");
	sim_diag_append(&outer, &inner);
	cr_assert(eq(str, outer.text,
		     (char *)"c.yaml:3:9: not a usable machine file\n"
			     "m.yaml:4:13: bad ways\nm.yaml:5:1: bad page\n"));
	cr_assert(eq(u32, outer.errors, 3));
	sim_diag empty;
	sim_diag_init(&empty);
	sim_diag_append(&outer, &empty);
	cr_assert(eq(u32, outer.errors, 3));
	sim_diag_fini(&empty);
	sim_diag_fini(&inner);
	sim_diag_fini(&outer);
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

Test(sim_util, diag_escapes_control_characters_of_file_and_message)
{
	/* A CR, an ESC, a line break and a tab from user text can neither
	 * move the cursor, recolour the terminal nor forge a line of their
	 * own: one message stays one line. */
	sim_diag d;
	sim_diag_init(&d);
	sim_diag_error(&d, "a\nb.yaml:1:1: forged\r\x1b[31m", 2, 3,
		       "unknown key '%s'", "k\r\x1b[2J\n\tz\x7f");
	cr_assert(eq(str, d.text,
		     "a\\nb.yaml:1:1: forged\\r\\x1b[31m:2:3: unknown key "
		     "'k\\r\\x1b[2J\\n\\tz\\x7f'\n"));
	cr_assert(eq(u32, d.errors, 1));
	sim_diag_fini(&d);
}

Test(sim_util, diag_escapes_c1_bidi_controls_and_bytes_that_are_not_utf8)
{
	sim_diag d;
	sim_diag_init(&d);
	/* U+009B (an 8-bit CSI), U+202E (right-to-left override), U+2028
	 * (line separator), a lone 0xff; ü and € pass as they are. */
	sim_diag_error(&d, NULL, 0, 0, "%s",
		       "\xc2\x9b" "1m \xe2\x80\xae x \xe2\x80\xa8 \xff \xc3\xbc \xe2\x82\xac");
	cr_assert(eq(str, d.text,
		     "\\u009b1m \\u202e x \\u2028 \\xff \xc3\xbc \xe2\x82\xac\n"));
	sim_diag_fini(&d);
}

Test(sim_util, diag_keeps_the_position_of_a_long_path)
{
	/* The prefix used to live in a 512-byte buffer: past it the
	 * ":line:col: " was cut off. */
	char path[1200];
	memset(path, 'p', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	sim_diag d;
	sim_diag_init(&d);
	sim_diag_error(&d, path, 7, 9, "bad");
	char *want = sim_xasprintf("%s:7:9: bad\n", path);
	cr_assert(eq(str, d.text, want));
	free(want);
	sim_diag_fini(&d);
}

Test(sim_util, escape_leaves_plain_text_alone_and_maps_null_to_empty)
{
	char *a = sim_escape("rack0/host0 web-1.x_y");
	cr_assert(eq(str, a, "rack0/host0 web-1.x_y"));
	char *b = sim_escape(NULL);
	cr_assert(eq(str, b, ""));
	char *c = sim_escape_n("a\0b", 3);
	cr_assert(eq(str, c, "a\\x00b"));
	free(a);
	free(b);
	free(c);
}

Test(sim_util, names_follow_the_documented_rule)
{
	const char *good[] = {"a", "web1", "clark-specweb", "A_b.c-9", "_x",
			      "9lives",
			      "1234567890123456789012345678901234567890123456789012345678901234"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		cr_expect(sim_name_is_valid(good[i]), "%s", good[i]);
	const char *bad[] = {
		"", ".", "..", ".hidden", "-rf", "=1+1", "+1", "@SUM(A1)",
		"a/b", "a b", "a,b", "a;b", "a'b", "a\"b", "a\nb", "a\rb",
		"a\x1b", "a:b", "caf\xc3\xa9", "x'); DROP TABLE vms; --",
		"12345678901234567890123456789012345678901234567890123456789012345",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect(not(sim_name_is_valid(bad[i])), "%s", bad[i]);
	cr_expect(not(sim_name_is_valid(NULL)));
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

/* ---- output files (sim/file.c) ---------------------------------------- */

static char fdir[64];

static void make_fdir(void)
{
	tmpdir_make(fdir, sizeof fdir, "/tmp/vdcsim-file-XXXXXX");
}

static void remove_fdir(void)
{
	tmpdir_remove(fdir);
}

TestSuite(sim_file, .init = make_fdir, .fini = remove_fdir);

static char *fpath(const char *name)
{
	return tmpdir_path(fdir, name);
}

static void put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f != NULL, "%s", path);
	fputs(text, f);
	fclose(f);
}

static char *get_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f != NULL, "%s", path);
	char buf[256] = {0};
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return sim_xstrdup(buf);
}

/* Entries of the test folder (without . and ..). */
static size_t entries(void)
{
	DIR *dh = opendir(fdir);
	cr_assert(dh != NULL);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dh)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(dh);
	return n;
}

Test(sim_file, put_writes_a_new_file_and_leaves_no_temporary)
{
	char *p = fpath("a.txt");
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_file_put(p, "hello", 5, 0, &d), 0), "%s", d.text);
	char *got = get_text(p);
	cr_assert(eq(str, got, "hello"));
	cr_assert(eq(sz, entries(), 1));
	free(got);
	free(p);
	sim_diag_fini(&d);
}

Test(sim_file, an_existing_file_is_kept_without_replace_and_replaced_with_it)
{
	char *p = fpath("a.txt");
	put_text(p, "old");
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_file_put(p, "new", 3, 0, &d), SIM_EEXIST));
	cr_assert(strstr(d.text, "a.txt: already exists") != NULL, "%s", d.text);
	char *got = get_text(p);
	cr_assert(eq(str, got, "old"));
	free(got);
	cr_assert(eq(int, sim_file_put(p, "new", 3, SIM_FILE_REPLACE, &d), 0));
	got = get_text(p);
	cr_assert(eq(str, got, "new"));
	cr_assert(eq(sz, entries(), 1));
	free(got);
	free(p);
	sim_diag_fini(&d);
}

Test(sim_file, a_symbolic_link_at_the_destination_is_neither_followed_nor_replaced)
{
	char *victim = fpath("victim"), *p = fpath("out.csv");
	put_text(victim, "keep");
	cr_assert(eq(int, symlink(victim, p), 0));
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_file_put(p, "x", 1, SIM_FILE_REPLACE, &d),
		     SIM_EINPUT));
	cr_assert(strstr(d.text, "out.csv: is a symbolic link (refusing to "
				 "write there") != NULL,
		  "%s", d.text);
	char *got = get_text(victim);
	cr_assert(eq(str, got, "keep"));
	struct stat sb;
	cr_assert(eq(int, lstat(p, &sb), 0));
	bool link = S_ISLNK(sb.st_mode);
	cr_assert(link);
	cr_assert(eq(sz, entries(), 2));
	free(got);
	free(victim);
	free(p);
	sim_diag_fini(&d);
}

Test(sim_file, a_link_at_the_old_predictable_temporary_name_is_not_followed)
{
	/* Writers used to open PATH.tmp with fopen, following a link there. */
	char *victim = fpath("victim"), *p = fpath("t.pdt");
	char *tmp = sim_xasprintf("%s.tmp", p);
	put_text(victim, "keep");
	cr_assert(eq(int, symlink(victim, tmp), 0));
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_file_put(p, "data", 4, 0, &d), 0), "%s", d.text);
	char *got = get_text(victim), *out = get_text(p);
	cr_assert(eq(str, got, "keep"));
	cr_assert(eq(str, out, "data"));
	free(got);
	free(out);
	free(tmp);
	free(victim);
	free(p);
	sim_diag_fini(&d);
}

Test(sim_file, a_fifo_a_directory_and_a_device_are_refused_and_left_alone)
{
	char *fifo = fpath("fifo"), *dir = fpath("dir");
	cr_assert(eq(int, mkfifo(fifo, 0666), 0));
	cr_assert(eq(int, mkdir(dir, 0777), 0));
	const char *targets[] = {fifo, dir, "/dev/null"};
	const char *kinds[] = {"is a FIFO", "is a directory", "is a device"};
	for (size_t i = 0; i < 3; i++) {
		sim_diag d;
		sim_diag_init(&d);
		cr_assert(eq(int, sim_file_put(targets[i], "x", 1,
					       SIM_FILE_REPLACE, &d),
			     SIM_EINPUT),
			  "%s", targets[i]);
		cr_assert(strstr(d.text, kinds[i]) != NULL, "%s", d.text);
		sim_diag_fini(&d);
	}
	struct stat sb;
	cr_assert(eq(int, lstat(fifo, &sb), 0));
	bool is_fifo = S_ISFIFO(sb.st_mode);
	cr_assert(is_fifo);
	cr_assert(eq(int, lstat("/dev/null", &sb), 0));
	bool is_chr = S_ISCHR(sb.st_mode);
	cr_assert(is_chr);
	cr_assert(eq(sz, entries(), 2));
	free(fifo);
	free(dir);
}

Test(sim_file, abort_removes_the_temporary_and_keeps_the_destination)
{
	char *p = fpath("keep.txt");
	put_text(p, "old");
	sim_diag d;
	sim_diag_init(&d);
	sim_file f;
	cr_assert(eq(int, sim_file_open(&f, p, SIM_FILE_REPLACE, &d), 0));
	cr_assert(eq(int, sim_file_write(&f, "new", 3, &d), 0));
	cr_assert(eq(sz, entries(), 2));
	sim_file_abort(&f);
	sim_file_abort(&f);
	cr_assert(eq(sz, entries(), 1));
	char *got = get_text(p);
	cr_assert(eq(str, got, "old"));
	free(got);
	free(p);
	sim_diag_fini(&d);
}

Test(sim_file, a_file_that_appears_while_writing_is_not_replaced)
{
	char *p = fpath("race.txt");
	sim_diag d;
	sim_diag_init(&d);
	sim_file f;
	cr_assert(eq(int, sim_file_open(&f, p, 0, &d), 0));
	cr_assert(eq(int, sim_file_write(&f, "mine", 4, &d), 0));
	put_text(p, "theirs");
	cr_assert(eq(int, sim_file_commit(&f, &d), SIM_EEXIST));
	char *got = get_text(p);
	cr_assert(eq(str, got, "theirs"));
	cr_assert(eq(sz, entries(), 1));
	free(got);
	free(p);
	sim_diag_fini(&d);
}

Test(sim_file, io_errors_say_when_the_disk_is_full)
{
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_file_io_error(&d, "o/x.png", "write", ENOSPC),
		     SIM_EIO));
	cr_assert(eq(str, d.text,
		     "o/x.png: cannot write: no space left on device (the "
		     "disk is full)\n"));
	sim_diag_fini(&d);
}

Test(sim_file, a_rename_without_replace_never_replaces_a_directory)
{
	/* rename(2) would replace an empty directory: publishing a results
	 * directory must not. */
	char *a = fpath("a.partial"), *b = fpath("a");
	cr_assert(eq(int, mkdir(a, 0777), 0));
	cr_assert(eq(int, mkdir(b, 0777), 0));
	sim_diag d;
	sim_diag_init(&d);
	cr_assert(eq(int, sim_path_rename(a, b, false, &d), SIM_EEXIST));
	struct stat sb;
	cr_assert(eq(int, stat(a, &sb), 0));
	cr_assert(eq(int, rmdir(b), 0));
	cr_assert(eq(int, sim_path_rename(a, b, false, &d), 0));
	cr_assert(eq(int, stat(b, &sb), 0));
	free(a);
	free(b);
	sim_diag_fini(&d);
}

/* The test suite's own tool: the tagged gt() is strict and no NaN passes
 * ge() (Criterion 2.4.1 made gt >= and let a NaN pass ge;
 * tests/criterion_gt.h corrects both for every test). */
Test(criterion, tagged_gt_is_strict)
{
	int i = 3;
	uint64_t u = 0;
	double d = 1.5;
	cr_assert(not(gt(int, i, 3)));
	cr_assert(gt(int, i, 2));
	cr_assert(not(gt(u64, u, 0)));
	cr_assert(gt(u64, u + 1, 0));
	cr_assert(not(gt(dbl, d, 1.5)));
	cr_assert(gt(dbl, d, 1.25));
	cr_assert(ge(int, i, 3));
	cr_assert(not(lt(int, i, 3)));
	double nan = NAN;
	cr_assert(not(ge(dbl, nan, 0.0)));
	cr_assert(not(gt(dbl, nan, 0.0)));
	cr_assert(not(le(dbl, nan, 0.0)));
	cr_assert(ge(dbl, d, 1.5));
	cr_assert(not(ge(dbl, d, 1.75)));
}
