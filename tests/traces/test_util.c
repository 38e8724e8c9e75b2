/* SPDX-License-Identifier: MIT */
/*
 * Tests of the utilisation traces (traces/util.c, util_dir.c): PlanetLab
 * and Bitbrains text read into exact values, the exact message of every
 * refusal, the grid (gaps held and counted, CPU clamped), hold and linear
 * reads against closed forms, the repository's copies of both traces with
 * the counts their READMEs state, and a deterministic mutation fuzz.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "trace.h"
#include "../fuzz/mutate.h"

#define STR(s) ((char *)(s))

#define BB_HEAD                                                                \
	"Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\t"       \
	"CPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\t" \
	"Memory usage [KB];\tDisk read throughput [KB/s];\t"                   \
	"Disk write throughput [KB/s];\t"                                      \
	"Network received throughput [KB/s];\t"                               \
	"Network transmitted throughput [KB/s]\n"

/* A row at time t with CPU % pct; the other fields fixed. */
#define BB_ROW(t, pct)                                                         \
	t ";\t2;\t5200.0;\t100.0;\t" pct ";\t2.097152E7;\t1024;\t1.5;\t2.5;\t" \
	  "10;\t0.25\n"

typedef struct parsed {
	trace_util *u;
	int rc;
	char *msg;
} parsed;

static parsed parse_as(const char *file, const char *text, size_t len,
		       trace_util_format fmt)
{
	parsed p;
	sim_diag d;
	sim_diag_init(&d);
	p.u = (trace_util *)1;
	p.rc = trace_util_parse(file, text, len, fmt, &p.u, &d);
	p.msg = sim_xstrdup(d.text ? d.text : "");
	sim_diag_fini(&d);
	return p;
}

static parsed pl(const char *text)
{
	return parse_as("t.txt", text, strlen(text), TRACE_UTIL_PLANETLAB);
}

static parsed bb(const char *text)
{
	return parse_as("t.csv", text, strlen(text), TRACE_UTIL_BITBRAINS);
}

static void done(parsed *p)
{
	trace_util_destroy(p->u);
	free(p->msg);
}

static void refused(parsed p, const char *want)
{
	cr_assert(eq(int, p.rc, SIM_EINPUT), "accepted");
	cr_assert(eq(ptr, p.u, NULL));
	cr_assert(eq(str, p.msg, STR(want)));
	done(&p);
}

#define PL_WANT "(expected an integer CPU percentage from 0 to 100, one per line)"

/* ------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------ */

Test(util_parse, planetlab_lines_read_into_exact_fractions)
{
	parsed p = pl("0\n5\n100\r\n37");
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	trace_util *u = p.u;
	cr_assert(eq(u32, u->n, 4));
	cr_assert(eq(u32, u->rows, 4));
	cr_assert(eq(u32, u->step_s, 300));
	cr_assert(eq(i64, u->start_s, 0));
	cr_assert(eq(u16, u->cpu[0], 0));
	cr_assert(eq(u16, u->cpu[1], 500));
	cr_assert(eq(u16, u->cpu[2], 10000));
	cr_assert(eq(u16, u->cpu[3], 3700));
	cr_assert(eq(str, u->name, STR("t.txt")));
	cr_assert(trace_util_has(u, TRACE_UTIL_CPU));
	cr_assert(not(trace_util_has(u, TRACE_UTIL_MEM)));
	cr_assert(not(trace_util_has(u, TRACE_UTIL_NET)));
	cr_assert(not(trace_util_has(u, TRACE_UTIL_DISK)));
	cr_assert(eq(dbl, trace_util_at(u, TRACE_UTIL_MEM, TRACE_UTIL_HOLD, 0),
		     0));
	cr_assert(eq(dbl, u->cpu_max_pct, 100));
	cr_assert(eq(u32, u->gaps, 0));
	cr_assert(eq(u64, trace_util_duration_ns(u), UINT64_C(1200000000000)));
	done(&p);
}

Test(util_parse, bitbrains_rows_read_in_bytes_and_fractions)
{
	parsed p = bb(BB_HEAD BB_ROW("1372629804", "25.5")
			      "1372630104;\t4;\t9600;\t1;\t107.25;\t1024;\t"
			      "2048.5;\t0;\t0;\t1E1;\t1e-1\r\n");
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	trace_util *u = p.u;
	cr_assert(eq(u32, u->n, 2));
	cr_assert(eq(i64, u->start_s, 1372629804));
	cr_assert(eq(u16, u->cpu[0], 2550));
	cr_assert(eq(u16, u->cpu[1], 10000));
	/* KB is 1024 bytes: 1024 KB is 1 MiB. */
	cr_assert(eq(flt, u->mem[0], 1048576.0f));
	cr_assert(eq(flt, u->mem[1], 2048.5f * 1024));
	cr_assert(eq(flt, u->disk[0], 4.0f * 1024));
	cr_assert(eq(flt, u->net[0], 10.25f * 1024));
	cr_assert(eq(flt, u->net[1], (float)(10.1 * 1024)));
	cr_assert(eq(u32, u->cores, 4));
	cr_assert(eq(dbl, u->cpu_mhz, 9600));
	cr_assert(eq(u64, u->mem_bytes, UINT64_C(21474836480)));
	cr_assert(eq(u32, u->clamped, 1));
	cr_assert(eq(dbl, u->cpu_max_pct, 107.25));
	cr_assert(eq(str, u->name, STR("t")));
	for (int r = 0; r < TRACE_UTIL_NRES; r++)
		cr_assert(trace_util_has(u, (trace_util_res)r));
	done(&p);
}

Test(util_grid, rows_go_to_the_nearest_point_and_gaps_hold_and_are_counted)
{
	/* Offsets from 1000000000: 0, 150 (a tie: the earlier point), 300,
	 * 1200 after a gap of 900 s, 1651 and 1950 (both point 6: the last
	 * wins), 2100, then 2700 after a gap of 600 s. */
	parsed p = bb(BB_HEAD BB_ROW("1000000000", "10")
			      BB_ROW("1000000150", "11")
			      BB_ROW("1000000300", "20")
			      BB_ROW("1000001200", "50")
			      BB_ROW("1000001500", "60")
			      BB_ROW("1000001651", "70")
			      BB_ROW("1000001950", "71")
			      BB_ROW("1000002100", "101.5")
			      BB_ROW("1000002700", "90"));
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	trace_util *u = p.u;
	static const uint16_t want[] = {1100, 2000, 2000, 2000, 5000, 6000,
					7100, 10000, 10000, 9000};
	cr_assert(eq(u32, u->n, 10));
	cr_assert(eq(u32, u->rows, 9));
	for (uint32_t k = 0; k < u->n; k++)
		cr_assert(eq(u16, u->cpu[k], want[k]), "point %u", k);
	cr_assert(eq(u32, u->gaps, 2));
	cr_assert(eq(u64, u->gap_longest_s, 900));
	cr_assert(eq(u32, u->clamped, 1));
	sim_diag w;
	sim_diag_init(&w);
	cr_assert(eq(u32, trace_util_warnings(u, "t.csv", &w), 2));
	cr_assert(eq(str, w.text,
		     STR("t.csv: warning: 2 gaps between rows held at the last "
			 "value (longest 900 s; expected steps of 300 s)\n"
			 "t.csv: warning: 1 CPU sample above 100% clamped to "
			 "100% (largest 101.50%)\n")));
	sim_diag_fini(&w);
	done(&p);
}

Test(util_grid, a_clean_trace_has_no_warnings)
{
	parsed p = pl("1\n2\n");
	sim_diag w;
	sim_diag_init(&w);
	cr_assert(eq(u32, trace_util_warnings(p.u, "t.txt", &w), 0));
	cr_assert(eq(u32, w.errors, 0));
	sim_diag_fini(&w);
	done(&p);
}

/* ------------------------------------------------------------------------
 * Resampling
 * ------------------------------------------------------------------------ */

#define S_NS UINT64_C(1000000000)

Test(util_resample, hold_and_linear_match_their_closed_forms)
{
	/* Samples 0, 0.3, 0.6 at 0, 300, 600 s. Linear at t in [0, 600]
	 * is t/1000 (t in s); hold is 0.3·floor(t/300); both hold 0.6 after
	 * 600 s. */
	parsed p = pl("0\n30\n60\n");
	trace_util *u = p.u;
	for (uint64_t t = 0; t <= 900; t += 25) {
		double lin = trace_util_at(u, TRACE_UTIL_CPU, TRACE_UTIL_LINEAR,
					   t * S_NS);
		double hold = trace_util_at(u, TRACE_UTIL_CPU, TRACE_UTIL_HOLD,
					    t * S_NS);
		double want_lin = t <= 600 ? (double)t / 1000 : 0.6;
		double want_hold = t < 600 ? 0.3 * (double)(t / 300) : 0.6;
		cr_assert(fabs(lin - want_lin) < 1e-12, "t %lu: %g", t, lin);
		cr_assert(fabs(hold - want_hold) < 1e-12, "t %lu: %g", t, hold);
	}
	/* A 10 s monitoring interval from interval 25 on: t = 250 .. 340 s. */
	double out[10];
	trace_util_resample(u, TRACE_UTIL_CPU, TRACE_UTIL_LINEAR, 10 * S_NS, 25,
			    10, out);
	for (int j = 0; j < 10; j++)
		cr_assert(fabs(out[j] - (250 + 10 * j) / 1000.0) < 1e-12);
	trace_util_resample(u, TRACE_UTIL_CPU, TRACE_UTIL_HOLD, 10 * S_NS, 25,
			    10, out);
	for (int j = 0; j < 10; j++)
		cr_assert(eq(dbl, out[j], j < 5 ? 0.0 : 0.3), "j %d", j);
	/* A position computed once reads the same bits as trace_util_at. */
	for (uint64_t t = 0; t < 1000 * S_NS; t += 7 * S_NS + 123) {
		trace_util_pos pos = trace_util_pos_at(t);
		cr_assert(pos.frac >= 0 && pos.frac < 1);
		for (int m = TRACE_UTIL_HOLD; m <= TRACE_UTIL_LINEAR; m++) {
			double a = trace_util_at(u, TRACE_UTIL_CPU, m, t);
			double b = trace_util_read(u, TRACE_UTIL_CPU, m, pos);
			cr_assert(eq(int, memcmp(&a, &b, sizeof a), 0));
		}
	}
	/* Far past the end, and at the largest time: the last value. */
	cr_assert(eq(dbl, trace_util_at(u, TRACE_UTIL_CPU, TRACE_UTIL_LINEAR,
					 UINT64_MAX), 0.6));
	done(&p);
}

Test(util_resample, linear_reads_memory_network_and_disk_between_rows)
{
	parsed p = bb(BB_HEAD "100;\t1;\t1;\t1;\t0;\t1;\t0;\t0;\t0;\t0;\t0\n"
			      "400;\t1;\t1;\t1;\t100;\t1;\t3000;\t30;\t0;\t0;\t"
			      "300\n");
	cr_assert(eq(int, p.rc, 0), "%s", p.msg);
	trace_util *u = p.u;
	uint64_t t = 100 * S_NS; /* a third of the way */
	cr_assert(fabs(trace_util_at(u, TRACE_UTIL_MEM, TRACE_UTIL_LINEAR, t) -
		       1000 * 1024) < 1e-6);
	cr_assert(fabs(trace_util_at(u, TRACE_UTIL_DISK, TRACE_UTIL_LINEAR, t) -
		       10 * 1024) < 1e-6);
	cr_assert(fabs(trace_util_at(u, TRACE_UTIL_NET, TRACE_UTIL_LINEAR, t) -
		       100 * 1024) < 1e-6);
	cr_assert(fabs(trace_util_at(u, TRACE_UTIL_CPU, TRACE_UTIL_LINEAR, t) -
		       1.0 / 3) < 1e-12);
	cr_assert(eq(dbl, trace_util_at(u, TRACE_UTIL_MEM, TRACE_UTIL_HOLD, t),
		     0));
	done(&p);
}

Test(util_resample, an_interval_of_zero_panics, .signal = SIGABRT)
{
	parsed p = pl("1\n");
	double x;
	trace_util_resample(p.u, TRACE_UTIL_CPU, TRACE_UTIL_HOLD, 0, 0, 1, &x);
}

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

Test(util_errors, planetlab_refusals_name_line_and_column)
{
	refused(pl(""), "t.txt:1:1: empty file (expected one integer CPU "
			"percentage per line)\n");
	refused(pl("12\n1x\n"),
		"t.txt:2:2: '1x' is not a CPU percentage " PL_WANT "\n");
	refused(pl("-1\n"),
		"t.txt:1:1: '-1' is not a CPU percentage " PL_WANT "\n");
	refused(pl("5\n1 2\n"),
		"t.txt:2:2: '1 2' is not a CPU percentage " PL_WANT "\n");
	refused(pl("5\n7.5\n"),
		"t.txt:2:2: '7.5' is not a CPU percentage " PL_WANT "\n");
	refused(pl("100\n101\n"),
		"t.txt:2:1: CPU 101% is out of range " PL_WANT "\n");
	refused(pl("99999999999999999999999\n"),
		"t.txt:1:1: CPU 99999999999999999999999% is out of range " PL_WANT
		"\n");
	refused(pl("5\n\n6\n"), "t.txt:2:1: empty line " PL_WANT "\n");
	refused(pl("\n"), "t.txt:1:1: empty line " PL_WANT "\n");
	refused(pl("5\n\t\x01\n"),
		"t.txt:2:1: '\\t\\x01' is not a CPU percentage " PL_WANT "\n");
}

Test(util_errors, bitbrains_header_and_field_count_refusals)
{
	refused(bb(""), "t.csv:1:1: empty file (expected the Bitbrains "
			"GWA-T-12 header and rows)\n");
	refused(bb(BB_HEAD), "t.csv:2:1: no samples after the header (expected "
			     "at least one row)\n");
	refused(bb("Timestamp [s];\tCPU cores\n"),
		"t.csv:1:1: header field 1 is 'Timestamp [s]' (expected "
		"'Timestamp [ms]' of the Bitbrains GWA-T-12 format)\n");
	refused(bb("Timestamp [ms];\tCPU cores\n"),
		"t.csv:1:26: 2 fields (expected 11 separated by ';' and a tab)\n");
	refused(bb("Timestamp [ms];CPU cores\n"),
		"t.csv:1:16: ';' without a tab after it (expected fields "
		"separated by ';' and a tab)\n");
	refused(bb("\n"), "t.csv:1:1: empty line (expected the Bitbrains "
			  "GWA-T-12 header)\n");
	refused(bb(BB_HEAD "1;\t2;\t3;\t4;\t5;\t6;\t7;\t8;\t9;\t10\n"),
		"t.csv:2:30: 10 fields (expected 11 separated by ';' and a tab)\n");
	refused(bb(BB_HEAD "1;\t2;\t3;\t4;\t5;\t6;\t7;\t8;\t9;\t10;\t11;\t12\n"),
		"t.csv:2:36: more than 11 fields (expected 11 separated by ';' "
		"and a tab)\n");
	refused(bb(BB_HEAD BB_ROW("1", "1") "\n"),
		"t.csv:3:1: empty line (expected a row of 11 fields separated "
		"by ';' and a tab)\n");
}

Test(util_errors, bitbrains_value_refusals_name_line_and_column)
{
	refused(bb(BB_HEAD "1;\t2;\t3;\t4;\tabc;\t6;\t7;\t8;\t9;\t10;\t11\n"),
		"t.csv:2:13: 'abc' is not a number (expected CPU usage [%] as "
		"a decimal number)\n");
	refused(bb(BB_HEAD "1;\t2;\t3;\t4;\tnan;\t6;\t7;\t8;\t9;\t10;\t11\n"),
		"t.csv:2:13: 'nan' is not a number (expected CPU usage [%] as "
		"a decimal number)\n");
	refused(bb(BB_HEAD "1;\t2;\t3;\t4;\t1e999;\t6;\t7;\t8;\t9;\t10;\t11\n"),
		"t.csv:2:13: '1e999' is not a number (expected CPU usage [%] "
		"as a decimal number)\n");
	refused(bb(BB_HEAD "1;\t2;\t3;\t4;\t5;\t6;\t-7;\t8;\t9;\t10;\t11\n"),
		"t.csv:2:19: Memory usage [KB] -7 is out of range (expected at "
		"least 0)\n");
	refused(bb(BB_HEAD "1;\t2.5;\t3;\t4;\t5;\t6;\t7;\t8;\t9;\t10;\t11\n"),
		"t.csv:2:4: CPU cores 2.5 is out of range (expected a whole "
		"number from 0 to 1000000)\n");
	refused(bb(BB_HEAD "1.5;\t2;\t3;\t4;\t5;\t6;\t7;\t8;\t9;\t10;\t11\n"),
		"t.csv:2:1: '1.5' is not a time (expected Unix seconds, up to "
		"12 digits)\n");
	refused(bb(BB_HEAD BB_ROW("600", "1") BB_ROW("300", "1")),
		"t.csv:3:1: time 300 is not after 600 on line 2 (expected "
		"increasing Unix seconds)\n");
	refused(bb(BB_HEAD BB_ROW("600", "1") BB_ROW("600", "1")),
		"t.csv:3:1: time 600 is not after 600 on line 2 (expected "
		"increasing Unix seconds)\n");
	refused(bb(BB_HEAD BB_ROW("1", "1") BB_ROW("999999999999", "1")),
		"t.csv:3:1: time 999999999999 is more than 4194303 steps of "
		"300 s after the first row (expected a shorter trace)\n");
}

Test(util_errors, missing_files_and_folders_are_io_errors_naming_the_path)
{
	sim_diag d;
	sim_diag_init(&d);
	trace_util *u = (trace_util *)1;
	cr_assert(eq(int, trace_util_load("/nonexistent/x", TRACE_UTIL_PLANETLAB,
					  &u, &d),
		     SIM_EIO));
	cr_assert(eq(ptr, u, NULL));
	trace_util_set *s = (trace_util_set *)1;
	cr_assert(eq(int, trace_util_dir_load("/nonexistent/d",
					      TRACE_UTIL_BITBRAINS, &s, &d),
		     SIM_EIO));
	cr_assert(eq(ptr, s, NULL));
	/* A folder given as a file: fopen succeeds, reading fails. */
	cr_assert(eq(int, trace_util_load("/", TRACE_UTIL_PLANETLAB, &u, &d),
		     SIM_EIO));
	cr_assert(eq(ptr, u, NULL));
	cr_assert(eq(str, d.text,
		     STR("/nonexistent/x: No such file or directory (expected "
			 "a readable utilisation trace)\n"
			 "/nonexistent/d: No such file or directory (expected "
			 "a readable folder of utilisation traces)\n"
			 "/: Is a directory (expected a readable utilisation "
			 "trace)\n")));
	sim_diag_fini(&d);
}

static char tdir[64];

static void make_dir(void)
{
	strcpy(tdir, "/tmp/vdcsim-util-XXXXXX");
	cr_assert(mkdtemp(tdir) != NULL);
}

static void put(const char *name, const char *text)
{
	char *p = sim_xasprintf("%s/%s", tdir, name);
	FILE *f = fopen(p, "w");
	cr_assert(f != NULL);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void remove_dir(void)
{
	static const char *const names[] = {"b", "a", "README.md", ".hidden",
					    "c.csv", "sub", NULL};
	for (int i = 0; names[i]; i++) {
		char *p = sim_xasprintf("%s/%s", tdir, names[i]);
		remove(p);
		free(p);
	}
	rmdir(tdir);
}

Test(util_dir, a_folder_loads_in_name_order_and_stops_at_a_bad_file,
     .init = make_dir, .fini = remove_dir)
{
	sim_diag d;
	sim_diag_init(&d);
	trace_util_set *s;
	cr_assert(eq(int, trace_util_dir_load(tdir, TRACE_UTIL_PLANETLAB, &s,
					      &d),
		     SIM_EINPUT));
	char *want = sim_xasprintf("%s: no trace files in the folder (expected "
				   "PlanetLab files, one per VM)\n",
				   tdir);
	cr_assert(eq(str, d.text, want));
	free(want);
	sim_diag_fini(&d);

	put("b", "2\n");
	put("a", "1\n3\n");
	put("README.md", "not a trace\n");
	put(".hidden", "x\n");
	char *sub = sim_xasprintf("%s/sub", tdir);
	cr_assert(eq(int, mkdir(sub, 0700), 0));
	free(sub);
	sim_diag_init(&d);
	cr_assert(eq(int, trace_util_dir_load(tdir, TRACE_UTIL_PLANETLAB, &s,
					      &d),
		     0), "%s", d.text);
	cr_assert(eq(sz, s->n, 2));
	cr_assert(eq(str, s->vm[0]->name, STR("a")));
	cr_assert(eq(u32, s->vm[0]->n, 2));
	cr_assert(eq(str, s->vm[1]->name, STR("b")));
	trace_util_set_destroy(s);

	put("c.csv", "50\n");
	put("b", "2\nz\n");
	cr_assert(eq(int, trace_util_dir_load(tdir, TRACE_UTIL_PLANETLAB, &s,
					      &d),
		     SIM_EINPUT));
	cr_assert(eq(ptr, s, NULL));
	want = sim_xasprintf("%s/b:2:1: 'z' is not a CPU percentage " PL_WANT
			     "\n",
			     tdir);
	cr_assert(eq(str, d.text, want));
	free(want);
	sim_diag_fini(&d);
	trace_util_set_destroy(NULL);
	trace_util_destroy(NULL);
}

/* ------------------------------------------------------------------------
 * The repository's copies
 * ------------------------------------------------------------------------ */

static char *data_dir(const char *name)
{
	const char *src = getenv("VDCSIM_TEST_SRCDIR");
	cr_assert(src != NULL, "VDCSIM_TEST_SRCDIR is not set");
	return sim_xasprintf("%s/../traces/data/%s", src, name);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(util_data, the_planetlab_day_is_1052_vms_of_288_samples)
{
	char *dir = data_dir("planetlab-20110303");
	sim_diag d;
	sim_diag_init(&d);
	trace_util_set *s;
	double t0 = now_s();
	int rc = trace_util_dir_load(dir, TRACE_UTIL_PLANETLAB, &s, &d);
	double took = now_s() - t0;
	cr_assert(eq(int, rc, 0), "%s", d.text);
	cr_assert(eq(sz, s->n, 1052));
	uint64_t sum = 0, bytes = 0;
	for (size_t i = 0; i < s->n; i++) {
		const trace_util *u = s->vm[i];
		cr_assert(eq(u32, u->n, 288), "%s", u->name);
		cr_assert(eq(u32, u->gaps, 0));
		cr_assert(eq(u32, u->clamped, 0));
		if (i)
			cr_assert(strcmp(s->vm[i - 1]->name, u->name) < 0);
		for (uint32_t k = 0; k < u->n; k++)
			sum += u->cpu[k];
		bytes += sizeof *u + u->n * sizeof *u->cpu + strlen(u->name) + 1;
	}
	/* The README's sum of all samples, in units of 0.01 %. */
	cr_assert(eq(u64, sum, UINT64_C(373097900)));
	cr_assert(eq(str, s->vm[0]->name,
		     STR("146-179_surfsnel_dsl_internl_net_colostate_557")));
	cr_assert(eq(str, s->vm[1051]->name,
		     STR("vn5_cse_wustl_edu_uw_oneswarm")));
	fprintf(stderr,
		"planetlab-20110303: %zu VMs loaded in %.1f ms, %.0f bytes "
		"per VM held\n",
		s->n, took * 1e3, (double)bytes / (double)s->n);
	trace_util_set_destroy(s);
	sim_diag_fini(&d);
	free(dir);
}

Test(util_data, the_bitbrains_excerpt_is_24_vms_of_864_samples)
{
	char *dir = data_dir("bitbrains-rnd-2013-7");
	sim_diag d, w;
	sim_diag_init(&d);
	sim_diag_init(&w);
	trace_util_set *s;
	double t0 = now_s();
	int rc = trace_util_dir_load(dir, TRACE_UTIL_BITBRAINS, &s, &d);
	double took = now_s() - t0;
	cr_assert(eq(int, rc, 0), "%s", d.text);
	cr_assert(eq(sz, s->n, 24));
	uint64_t rows = 0, gaps = 0, clamped = 0, longest = 0;
	double max_pct = 0;
	unsigned warned = 0;
	for (size_t i = 0; i < s->n; i++) {
		const trace_util *u = s->vm[i];
		cr_assert(eq(u32, u->n, 864), "%s", u->name);
		cr_assert(eq(i64, u->start_s, 1372629804));
		rows += u->rows;
		gaps += u->gaps;
		clamped += u->clamped;
		longest = u->gap_longest_s > longest ? u->gap_longest_s : longest;
		max_pct = fmax(max_pct, u->cpu_max_pct);
		warned += trace_util_warnings(u, u->name, &w);
	}
	cr_assert(eq(u64, rows, 20709));
	cr_assert(eq(u64, gaps, 26));
	cr_assert(eq(u64, longest, 900));
	cr_assert(eq(u64, clamped, 807));
	cr_assert(eq(dbl, max_pct, 106.6));
	cr_assert(gt(u32, warned, 0));
	cr_assert(eq(str, s->vm[0]->name, STR("198")));
	cr_assert(eq(str, s->vm[23]->name, STR("96")));
	/* 41.csv: 8 cores, 20 GiB, 4 gaps of at most 601 s, 263 clamped. */
	const trace_util *v41 = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->vm[i]->name, "41"))
			v41 = s->vm[i];
	cr_assert(v41 != NULL);
	cr_assert(eq(u32, v41->cores, 8));
	cr_assert(eq(u64, v41->mem_bytes, UINT64_C(21474836480)));
	cr_assert(eq(u32, v41->gaps, 4));
	cr_assert(eq(u64, v41->gap_longest_s, 601));
	cr_assert(eq(u32, v41->clamped, 263));
	/* Its first row: 0.35833...% CPU, 83884.8 KB in use, 0 + 0.8 KB/s
	 * of disk, 0 + 1.0 KB/s of network. */
	cr_assert(eq(u16, v41->cpu[0], 36));
	cr_assert(eq(flt, v41->mem[0], (float)(83884.8 * 1024)));
	cr_assert(eq(flt, v41->disk[0], (float)(0.8 * 1024)));
	cr_assert(eq(flt, v41->net[0], 1024.0f));
	fprintf(stderr, "bitbrains-rnd-2013-7: %zu VMs loaded in %.1f ms\n%s",
		s->n, took * 1e3, w.text);
	trace_util_set_destroy(s);
	sim_diag_fini(&d);
	sim_diag_fini(&w);
	free(dir);
}

/* ------------------------------------------------------------------------
 * Fuzz: mutated inputs are read or refused with a position, never crash
 * ------------------------------------------------------------------------ */

#define FUZZ_MAX 4096

static const char *const pl_seeds[] = {
	"0\n5\n100\n37\n12\n99\n1\n0\n0\n64\n",
	"10\r\n20\r\n30\r\n40",
	"100\n",
};

static const char *const bb_seeds[] = {
	BB_HEAD BB_ROW("1372629804", "25.5") BB_ROW("1372630104", "107.2")
		BB_ROW("1372631004", "0") BB_ROW("1372631305", "3.25e1"),
	BB_HEAD "100;\t1;\t1;\t1;\t0;\t1;\t0;\t0;\t0;\t0;\t0\r\n"
		"400;\t1;\t1;\t1;\t100;\t1;\t3000;\t30;\t0;\t0;\t300\r\n",
};

static const char *const tokens[] = {
	";\t", ";", "\t", "\n", "\r\n", "-", ".", "e", "E+", "0", "9", "100",
	"101", "999999999999", "1e308", "nan", "\0", "\xff", " ",
	/* Benign ones. */
	"1", "5", "\n42", "0.5", "12",
};

static void mutate(char *b, size_t *len, gsl_rng *r)
{
	/* Three mutations in four spare a Bitbrains header, which nearly
	 * any change makes unreadable: the rows deserve the attention. */
	size_t lo = 0;
	if (*len > sizeof BB_HEAD - 1 && !memcmp(b, BB_HEAD, sizeof BB_HEAD - 1) &&
	    fuzz_pick(r, 4))
		lo = sizeof BB_HEAD - 1;
	size_t at = lo + fuzz_pick(r, *len - lo + 1);
	switch (gsl_rng_uniform_int(r, 7)) {
	case 0:
		if (at < *len)
			b[at] ^= (char)(1u << fuzz_pick(r, 8));
		break;
	case 1:
		fuzz_delete_span(b, len, at, r);
		break;
	case 2:
		*len = at;
		break;
	case 3: {
		char tmp[64];
		size_t n = fuzz_copy_span(b, *len, r, tmp);
		if (n)
			fuzz_insert(b, len, FUZZ_MAX, at, tmp, n);
		break;
	}
	case 4:
	case 5: {
		const char *t = tokens[fuzz_pick(r, sizeof tokens / sizeof *tokens)];
		fuzz_insert(b, len, FUZZ_MAX, at, t, t[0] ? strlen(t) : 1);
		break;
	}
	default:
		if (at < *len)
			b[at] = (char)fuzz_pick(r, 256);
		break;
	}
}

static bool positioned(const char *msg, const char *file)
{
	unsigned l = 0, c = 0;
	int used = 0;
	char fmt[32];
	snprintf(fmt, sizeof fmt, "%s:%%u:%%u: %%n", file);
	if (sscanf(msg, fmt, &l, &c, &used) != 2 || used == 0 || l == 0 ||
	    c == 0)
		return false;
	const char *nl = strchr(msg, '\n');
	return nl && nl[1] == '\0';
}

static void check_invariants(const trace_util *u)
{
	cr_assert(u->n >= 1 && u->rows >= 1);
	cr_assert(u->rows <= u->n || u->mem);
	for (uint32_t k = 0; k < u->n; k++) {
		cr_assert(u->cpu[k] <= TRACE_UTIL_CPU_SCALE);
		if (u->mem)
			cr_assert(u->mem[k] >= 0 && isfinite(u->mem[k]) &&
				  u->net[k] >= 0 && isfinite(u->net[k]) &&
				  u->disk[k] >= 0 && isfinite(u->disk[k]));
	}
	double v = trace_util_at(u, TRACE_UTIL_CPU, TRACE_UTIL_LINEAR,
				 UINT64_C(12345678901234));
	cr_assert(v >= 0 && v <= 1);
}

static void fuzz(trace_util_format fmt, unsigned long seed, unsigned n)
{
	const char *const *seeds = fmt == TRACE_UTIL_PLANETLAB ? pl_seeds
							      : bb_seeds;
	size_t nseeds = fmt == TRACE_UTIL_PLANETLAB
				? sizeof pl_seeds / sizeof *pl_seeds
				: sizeof bb_seeds / sizeof *bb_seeds;
	const char *file = fmt == TRACE_UTIL_PLANETLAB ? "t.txt" : "t.csv";
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	unsigned accepted = 0;
	for (unsigned i = 0; i < n; i++) {
		static char b[FUZZ_MAX + 64];
		const char *s = seeds[fuzz_pick(r, nseeds)];
		size_t len = strlen(s);
		memcpy(b, s, len);
		unsigned rounds = 1 + (unsigned)fuzz_pick(r, 3);
		for (unsigned k = 0; k < rounds; k++)
			mutate(b, &len, r);
		parsed p = parse_as(file, b, len, fmt);
		cr_assert(p.rc == 0 || p.rc == SIM_EINPUT, "rc %d", p.rc);
		if (p.rc) {
			cr_assert(eq(ptr, p.u, NULL));
			cr_assert(positioned(p.msg, file),
				  "input:\n%.*s\nmessage: %s", (int)len, b,
				  p.msg);
		} else {
			accepted++;
			check_invariants(p.u);
		}
		done(&p);
	}
	cr_expect(gt(u32, accepted, n / 40), "accepted %u of %u", accepted, n);
	cr_expect(lt(u32, accepted, n - n / 20), "accepted %u of %u", accepted,
		  n);
	gsl_rng_free(r);
}

Test(util_fuzz, the_seeds_are_accepted)
{
	for (size_t i = 0; i < sizeof pl_seeds / sizeof *pl_seeds; i++) {
		parsed p = pl(pl_seeds[i]);
		cr_assert(eq(int, p.rc, 0), "%s", p.msg);
		done(&p);
	}
	for (size_t i = 0; i < sizeof bb_seeds / sizeof *bb_seeds; i++) {
		parsed p = bb(bb_seeds[i]);
		cr_assert(eq(int, p.rc, 0), "%s", p.msg);
		done(&p);
	}
}

Test(util_fuzz, mutated_planetlab_traces_read_or_fail_with_positions)
{
	fuzz(TRACE_UTIL_PLANETLAB, 1, 4000);
}

Test(util_fuzz, mutated_bitbrains_traces_read_or_fail_with_positions)
{
	fuzz(TRACE_UTIL_BITBRAINS, 2, 4000);
}
