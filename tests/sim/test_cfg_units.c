/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of sim/cfg_units.c: sizes, rates and durations with SI and
 * binary prefixes in exact integer arithmetic, percentages, integers,
 * floats and booleans, and the exact explanations of each refusal.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <string.h>

#include "sim.h"

/* Criterion's eq(str, ...) takes char *, and -Wwrite-strings makes
 * literals const: the cast is the price of the new assert API. */
#define STR(s) ((char *)(s))

typedef struct good_u64 {
	const char *text;
	uint64_t want;
} good_u64;

typedef struct bad_case {
	const char *text;
	const char *why;
} bad_case;

typedef int (*u64_parser)(const char *, uint64_t *, const char **);

static void check_good(u64_parser parse, const good_u64 *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t got = 0;
		const char *why = NULL;
		int rc = parse(cases[i].text, &got, &why);
		cr_expect(eq(int, rc, 0), "'%s' refused: %s", cases[i].text,
			  why ? why : "");
		cr_expect(eq(u64, got, cases[i].want), "value of '%s'",
			  cases[i].text);
	}
}

static void check_bad(u64_parser parse, const bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t got = 12345;
		const char *why = NULL;
		int rc = parse(cases[i].text, &got, &why);
		cr_expect(eq(int, rc, SIM_EINPUT), "'%s' accepted",
			  cases[i].text);
		cr_expect(eq(u64, got, 12345), "'%s' wrote its output",
			  cases[i].text);
		cr_expect(eq(str, STR(why ? why : "(null)"),
			     STR(cases[i].why)),
			  "explanation for '%s'", cases[i].text);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define KIB UINT64_C(1024)

static const char bytes_unknown[] =
	"unknown unit (expected one of B, kB, MB, GB, TB, KiB, MiB, GiB or "
	"TiB)";
static const char rate_unknown[] =
	"unknown unit (expected one of bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s, "
	"Kibit/s, Mibit/s, Gibit/s, B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s or "
	"GiB/s)";
static const char time_unknown[] =
	"unknown unit (expected one of ns, us, ms, s, min or h)";

Test(cfg_units, sizes_use_si_and_binary_prefixes_exactly)
{
	static const good_u64 cases[] = {
		{"0", 0},
		{"512", 512},
		{"1B", 1},
		{"1kB", 1000},
		{"1MB", 1000000},
		{"1GB", UINT64_C(1000000000)},
		{"1TB", UINT64_C(1000000000000)},
		{"1KiB", KIB},
		{"512MiB", 512 * KIB * KIB},
		{"1GiB", KIB * KIB * KIB},
		{"1TiB", KIB * KIB * KIB * KIB},
		{"1.5GiB", UINT64_C(1610612736)},
		{"0.5KiB", 512},
		{"1.25kB", 1250},
		{"512 MiB", 512 * KIB * KIB},
		{"512\tMiB", 512 * KIB * KIB},
		{"007MB", 7000000},
		{"1.000000B", 1},
		{"0.000001MB", 1},
		{"9223372036854775807B", UINT64_C(9223372036854775807)},
		{"9223372036854775807", UINT64_C(9223372036854775807)},
		{"8388607.999999999999TiB", UINT64_C(9223372036854775807)},
		{"15.99999999999999999999999999999999KiB", 16384},
		{"8388607TiB", UINT64_C(9223370937343148032)},
	};
	check_good(cfg_parse_bytes, cases, N(cases));
}

Test(cfg_units, sizes_within_a_billionth_of_a_byte_count_round_to_it)
{
	/* 1.3 GiB is 1395864371.2 B: 0.2 B is 1.4e-10 of it, within the
	 * header's 1e-9 relative tolerance, so it rounds; 0.1 GiB is
	 * 107374182.4 B, 3.7e-9 off, which is refused. */
	uint64_t got = 0;
	const char *why = NULL;
	cr_assert(eq(int, cfg_parse_bytes("1.3GiB", &got, &why), 0));
	cr_assert(eq(u64, got, UINT64_C(1395864371)));
	cr_assert(eq(int, cfg_parse_bytes("0.1GiB", &got, &why),
		     SIM_EINPUT));
	cr_assert(eq(str, STR(why),
		     STR("fraction of a byte (expected a whole number of bytes)")));
}

Test(cfg_units, sizes_that_are_not_whole_unknown_negative_or_too_big_are_refused)
{
	static const bad_case cases[] = {
		{"0.5B", "fraction of a byte (expected a whole number of bytes)"},
		{"1.1KiB",
		 "fraction of a byte (expected a whole number of bytes)"},
		{"0.0001kB",
		 "fraction of a byte (expected a whole number of bytes)"},
		{"512Mb", bytes_unknown},
		{"512mb", bytes_unknown},
		{"512 Mb", bytes_unknown},
		{"512MIB", bytes_unknown},
		{"512kiB", bytes_unknown},
		{"1e3B", bytes_unknown},
		{"1.5.5GiB", bytes_unknown},
		{"1 000B", bytes_unknown},
		{"1PB", bytes_unknown},
		{"512MiB ", bytes_unknown},
		{"-1B", "negative size (expected a size such as 512MiB)"},
		{"-0.5GiB", "negative size (expected a size such as 512MiB)"},
		{"", "expected a size such as 512MiB"},
		{"abc", "expected a size such as 512MiB"},
		{"MiB", "expected a size such as 512MiB"},
		{"+1B", "expected a size such as 512MiB"},
		{" 1B", "expected a size such as 512MiB"},
		{".5KiB", "expected a size such as 512MiB"},
		{"8388608TiB", "too large (expected at most 9223372036854775807 B, the largest size stored exactly)"},
		{"9223372036854775808", "too large (expected at most 9223372036854775807 B, the largest size stored exactly)"},
		{"8EiB", bytes_unknown},
		{"18446744073709551616",
		 "too large (expected at most 9223372036854775807 B, the largest size stored exactly)"},
		{"16777216TiB",
		 "too large (expected at most 9223372036854775807 B, the largest size stored exactly)"},
		{"18446744073709551615.6B",
		 "too large (expected at most 9223372036854775807 B, the largest size stored exactly)"},
		{"1000000000000000000000000000000000000000000000000000000000000"
		 "000000000B",
		 "too large (expected at most 9223372036854775807 B, the largest size stored exactly)"},
		{"0.00000000000000000000000000000000000000000000000000000000000"
		 "00000000001B",
		 "too many digits (expected at most 60 significant digits)"},
	};
	check_bad(cfg_parse_bytes, cases, N(cases));
}

Test(cfg_units, rates_are_stored_in_bits_per_second)
{
	static const good_u64 cases[] = {
		{"1bit/s", 1},
		{"1kbit/s", 1000},
		{"1Mbit/s", 1000000},
		{"1Gbit/s", UINT64_C(1000000000)},
		{"1Tbit/s", UINT64_C(1000000000000)},
		{"1Kibit/s", KIB},
		{"128Mibit/s", 128 * KIB * KIB},
		{"1Gibit/s", KIB * KIB * KIB},
		{"1B/s", 8},
		{"0.125B/s", 1},
		{"1kB/s", 8000},
		{"100MB/s", UINT64_C(800000000)},
		{"1GB/s", UINT64_C(8000000000)},
		{"1KiB/s", 8 * KIB},
		{"128MiB/s", 8 * (UINT64_C(1) << 27)},
		{"1GiB/s", 8 * KIB * KIB * KIB},
		{"1.5kbit/s", 1500},
		{"10 Gbit/s", UINT64_C(10000000000)},
	};
	check_good(cfg_parse_rate, cases, N(cases));
}

Test(cfg_units, rates_need_a_known_unit_and_a_whole_bit_count)
{
	static const bad_case cases[] = {
		{"100", "missing unit (expected a rate such as 1Gbit/s)"},
		{"1.5", "missing unit (expected a rate such as 1Gbit/s)"},
		{"1Gbps", rate_unknown},
		{"1gbit/s", rate_unknown},
		{"1Gb/s", rate_unknown},
		{"1Tibit/s", rate_unknown},
		{"1TB/s", rate_unknown},
		{"1Gbit", rate_unknown},
		{"0.1bit/s",
		 "fraction of a bit/s (expected a whole number of bit/s)"},
		{"0.1B/s",
		 "fraction of a bit/s (expected a whole number of bit/s)"},
		{"-1Mbit/s", "negative rate (expected a rate such as 1Gbit/s)"},
		{"3000000000GB/s",
		 "too large (expected at most 9223372036854775807 bit/s, the largest rate stored exactly)"},
		{"9223372036854775808bit/s",
		 "too large (expected at most 9223372036854775807 bit/s, the largest rate stored exactly)"},
		{"fast", "expected a rate such as 1Gbit/s"},
	};
	check_bad(cfg_parse_rate, cases, N(cases));
}

Test(cfg_units, durations_are_stored_in_nanoseconds)
{
	static const good_u64 cases[] = {
		{"1ns", 1},
		{"10us", 10000},
		{"1.5ms", 1500000},
		{"10 ms", 10000000},
		{"1s", UINT64_C(1000000000)},
		{"0.5s", UINT64_C(500000000)},
		{"120s", UINT64_C(120000000000)},
		{"2min", UINT64_C(120000000000)},
		{"1h", UINT64_C(3600000000000)},
		{"1.5h", UINT64_C(5400000000000)},
		{"2562047h", UINT64_C(9223369200000000000)},
		{"9223372036854775807ns", UINT64_C(9223372036854775807)},
		{"0ms", 0},
		/* 0.1 ns off a second is within the 1e-9 relative tolerance. */
		{"1.0000000001s", UINT64_C(1000000000)},
	};
	check_good(cfg_parse_time, cases, N(cases));
}

Test(cfg_units, durations_need_a_unit_and_whole_nanoseconds)
{
	static const bad_case cases[] = {
		{"10", "missing unit (expected a duration such as 10ms)"},
		{"10sec", time_unknown},
		{"10S", time_unknown},
		{"10m", time_unknown},
		{"10µs", time_unknown},
		{"0.5ns",
		 "fraction of a nanosecond (expected a whole number of ns)"},
		{"0.0000000015s",
		 "fraction of a nanosecond (expected a whole number of ns)"},
		{"-10ms", "negative duration (expected a duration such as 10ms)"},
		{"2562048h",
		 "too large (expected at most 9223372036854775807 ns, about 292 years, the longest duration stored exactly)"},
		{"soon", "expected a duration such as 10ms"},
	};
	check_bad(cfg_parse_time, cases, N(cases));
}

Test(cfg_units, percentages_become_fractions_and_are_not_clamped)
{
	static const struct {
		const char *text;
		double want;
	} cases[] = {
		{"50%", 0.5},	{"150%", 1.5},	{"0%", 0.0},
		{"12.5%", 0.125}, {"50 %", 0.5},	{"-5%", -0.05},
		{"1e2%", 1.0},	{"33.3%", 0.333}, {"7%", 0.07},
		{"100%", 1.0},	{".5%", 0.005},
	};
	for (size_t i = 0; i < N(cases); i++) {
		double got = -1;
		const char *why = NULL;
		cr_expect(eq(int, cfg_parse_percent(cases[i].text, &got, &why),
			     0),
			  "'%s' refused", cases[i].text);
		/* Exact equality: the percentage is converted as one
		 * correctly rounded decimal, not divided afterwards. */
		cr_expect(eq(dbl, got, cases[i].want), "value of '%s'",
			  cases[i].text);
	}
}

Test(cfg_units, percentages_need_the_percent_sign)
{
	static const char *const bad[] = {"50", "0.5", "%", "50%%", "abc%",
					  "nan%", "inf%", "50% ", "",
					  "5 0%"};
	for (size_t i = 0; i < N(bad); i++) {
		double got = 7;
		const char *why = NULL;
		cr_expect(eq(int, cfg_parse_percent(bad[i], &got, &why),
			     SIM_EINPUT),
			  "'%s' accepted", bad[i]);
		cr_expect(eq(str, STR(why ? why : ""),
			     STR("expected a percentage such as 50%")),
			  "explanation for '%s'", bad[i]);
		cr_expect(eq(dbl, got, 7.0));
	}
	const char *why = NULL;
	double got;
	cr_expect(eq(int, cfg_parse_percent("1e999%", &got, &why), SIM_EINPUT));
	cr_expect(eq(str, STR(why), STR("overflow (expected a finite percentage)")));
}

Test(cfg_units, integers_are_decimal_with_overflow_detected)
{
	static const struct {
		const char *text;
		int64_t want;
	} good[] = {
		{"0", 0},
		{"-1", -1},
		{"+5", 5},
		{"007", 7},
		{"9223372036854775807", INT64_MAX},
		{"-9223372036854775808", INT64_MIN},
	};
	for (size_t i = 0; i < N(good); i++) {
		int64_t got = 0;
		const char *why = NULL;
		cr_expect(eq(int, cfg_parse_int(good[i].text, &got, &why), 0),
			  "'%s' refused", good[i].text);
		cr_expect(eq(i64, got, good[i].want), "value of '%s'",
			  good[i].text);
	}
	static const bad_case bad[] = {
		{"9223372036854775808",
		 "overflow (expected an integer from -9223372036854775808 to "
		 "9223372036854775807)"},
		{"-9223372036854775809",
		 "overflow (expected an integer from -9223372036854775808 to "
		 "9223372036854775807)"},
		{"1.0", "expected an integer"},
		{"0x10", "expected an integer"},
		{"1e3", "expected an integer"},
		{"", "expected an integer"},
		{"-", "expected an integer"},
		{" 1", "expected an integer"},
		{"1_000", "expected an integer"},
		{"four", "expected an integer"},
	};
	for (size_t i = 0; i < N(bad); i++) {
		int64_t got = 99;
		const char *why = NULL;
		cr_expect(eq(int, cfg_parse_int(bad[i].text, &got, &why),
			     SIM_EINPUT),
			  "'%s' accepted", bad[i].text);
		cr_expect(eq(str, STR(why ? why : ""), STR(bad[i].why)),
			  "explanation for '%s'", bad[i].text);
		cr_expect(eq(i64, got, 99));
	}
}

Test(cfg_units, unsigned_integers_refuse_signs_and_overflow)
{
	static const good_u64 good[] = {
		{"0", 0},
		{"4096", 4096},
		{"18446744073709551615", UINT64_MAX},
	};
	check_good(cfg_parse_uint, good, N(good));
	static const bad_case bad[] = {
		{"18446744073709551616",
		 "overflow (expected at most 18446744073709551615)"},
		{"99999999999999999999999",
		 "overflow (expected at most 18446744073709551615)"},
		{"-1", "negative number (expected a non-negative integer)"},
		{"+1", "expected a non-negative integer"},
		{"1.5", "expected a non-negative integer"},
		{"four", "expected a non-negative integer"},
		{"", "expected a non-negative integer"},
	};
	check_bad(cfg_parse_uint, bad, N(bad));
}

Test(cfg_units, floats_are_finite_decimals)
{
	static const struct {
		const char *text;
		double want;
	} good[] = {
		{"1.5", 1.5}, {"-0.25", -0.25}, {"1e3", 1000.0}, {".5", 0.5},
		{"5.", 5.0},	{"1E-2", 0.01},	{"+2", 2.0},	 {"0", 0.0},
		{"1e-400", 0.0},
	};
	for (size_t i = 0; i < N(good); i++) {
		double got = -1;
		const char *why = NULL;
		cr_expect(eq(int, cfg_parse_float(good[i].text, &got, &why), 0),
			  "'%s' refused", good[i].text);
		cr_expect(eq(dbl, got, good[i].want), "value of '%s'",
			  good[i].text);
	}
	static const bad_case bad[] = {
		{"nan", "expected a number"},
		{"inf", "expected a number"},
		{"-inf", "expected a number"},
		{".inf", "expected a number"},
		{"0x1p3", "expected a number"},
		{"1,5", "expected a number"},
		{"", "expected a number"},
		{"e5", "expected a number"},
		{"1e", "expected a number"},
		{".", "expected a number"},
		{"1.5 ", "expected a number"},
		{"1e999", "overflow (expected a finite number)"},
	};
	for (size_t i = 0; i < N(bad); i++) {
		double got = 3;
		const char *why = NULL;
		cr_expect(eq(int, cfg_parse_float(bad[i].text, &got, &why),
			     SIM_EINPUT),
			  "'%s' accepted", bad[i].text);
		cr_expect(eq(str, STR(why ? why : ""), STR(bad[i].why)),
			  "explanation for '%s'", bad[i].text);
		cr_expect(eq(dbl, got, 3.0));
	}
}

Test(cfg_units, booleans_are_exactly_true_or_false)
{
	bool b = false;
	const char *why = NULL;
	cr_assert(eq(int, cfg_parse_bool("true", &b, &why), 0));
	cr_assert(b);
	cr_assert(eq(int, cfg_parse_bool("false", &b, &why), 0));
	cr_assert(not(b));
	static const char *const bad[] = {"True", "yes", "no", "1", "0", "",
					  "on", "true "};
	for (size_t i = 0; i < N(bad); i++) {
		cr_expect(eq(int, cfg_parse_bool(bad[i], &b, &why), SIM_EINPUT),
			  "'%s' accepted", bad[i]);
		cr_expect(eq(str, STR(why), STR("expected true or false")));
	}
}

Test(cfg_units, parsers_accept_a_null_why_and_a_null_text)
{
	uint64_t u;
	int64_t i;
	double f;
	bool b;
	cr_expect(eq(int, cfg_parse_bytes("1Mb", &u, NULL), SIM_EINPUT));
	cr_expect(eq(int, cfg_parse_bytes(NULL, &u, NULL), SIM_EINPUT));
	cr_expect(eq(int, cfg_parse_rate(NULL, &u, NULL), SIM_EINPUT));
	cr_expect(eq(int, cfg_parse_time(NULL, &u, NULL), SIM_EINPUT));
	cr_expect(eq(int, cfg_parse_int(NULL, &i, NULL), SIM_EINPUT));
	cr_expect(eq(int, cfg_parse_uint(NULL, &u, NULL), SIM_EINPUT));
	cr_expect(eq(int, cfg_parse_float(NULL, &f, NULL), SIM_EINPUT));
	cr_expect(eq(int, cfg_parse_percent(NULL, &f, NULL), SIM_EINPUT));
	cr_expect(eq(int, cfg_parse_bool(NULL, &b, NULL), SIM_EINPUT));
}

Test(cfg_units, types_name_their_storage_unit_and_expectation)
{
	cr_expect(eq(str, STR(cfg_type_unit(CFG_T_BYTES)), STR("B")));
	cr_expect(eq(str, STR(cfg_type_unit(CFG_T_RATE)), STR("bit/s")));
	cr_expect(eq(str, STR(cfg_type_unit(CFG_T_TIME)), STR("ns")));
	cr_expect(eq(str, STR(cfg_type_unit(CFG_T_PERCENT)), STR("%")));
	cr_expect(eq(str, STR(cfg_type_unit(CFG_T_INT)), STR("")));
	cr_expect(eq(str, STR(cfg_type_unit(CFG_T_STRING)), STR("")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_BYTES)),
		     STR("a size such as 512MiB")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_INT)), STR("an integer")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_UINT)),
		     STR("a non-negative integer")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_RATE)),
		     STR("a rate such as 1Gbit/s")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_TIME)),
		     STR("a duration such as 10ms")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_PERCENT)),
		     STR("a percentage such as 50%")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_BOOL)),
		     STR("true or false")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_STRING)), STR("a string")));
	cr_expect(eq(str, STR(cfg_type_expect(CFG_T_FLOAT)), STR("a number")));
}
