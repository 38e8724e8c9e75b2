/* SPDX-License-Identifier: MIT */
/*
 * Typed scalar values of the configuration: sizes, rates and durations with
 * their units, percentages, integers, floats and booleans. Quantities with
 * units are computed in exact integer arithmetic from the decimal text, never
 * through a double. This file knows nothing about nodes or parameter tables.
 */
#include "sim.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A unit of a quantity: its spelling and how many base units it holds. */
typedef struct unit {
	const char *name;
	uint64_t mult;
} unit;

#define KI UINT64_C(1024)

static const unit byte_units[] = {
	{"B", 1},
	{"kB", UINT64_C(1000)},
	{"MB", UINT64_C(1000000)},
	{"GB", UINT64_C(1000000000)},
	{"TB", UINT64_C(1000000000000)},
	{"KiB", KI},
	{"MiB", KI * KI},
	{"GiB", KI * KI * KI},
	{"TiB", KI * KI * KI * KI},
	{NULL, 0},
};

/* Rates are stored in bit/s, so byte rates carry a factor of 8. */
static const unit rate_units[] = {
	{"bit/s", 1},
	{"kbit/s", UINT64_C(1000)},
	{"Mbit/s", UINT64_C(1000000)},
	{"Gbit/s", UINT64_C(1000000000)},
	{"Tbit/s", UINT64_C(1000000000000)},
	{"Kibit/s", KI},
	{"Mibit/s", KI * KI},
	{"Gibit/s", KI * KI * KI},
	{"B/s", 8},
	{"kB/s", UINT64_C(8000)},
	{"MB/s", UINT64_C(8000000)},
	{"GB/s", UINT64_C(8000000000)},
	{"KiB/s", 8 * KI},
	{"MiB/s", 8 * KI * KI},
	{"GiB/s", 8 * KI * KI * KI},
	{NULL, 0},
};

static const unit time_units[] = {
	{"ns", 1},
	{"us", UINT64_C(1000)},
	{"ms", UINT64_C(1000000)},
	{"s", UINT64_C(1000000000)},
	{"min", UINT64_C(60000000000)},
	{"h", UINT64_C(3600000000000)},
	{NULL, 0},
};

/* The explanations of one quantity kind. They are static text because the
 * parsers' contract hands out static strings; the caller adds the value. */
typedef struct quantity {
	const unit *units;
	bool bare_ok;          /* a number without unit means the base unit */
	const char *expect;    /* the text is not a number at all */
	const char *unknown;   /* must start with "unknown unit" */
	const char *missing;   /* no unit where one is needed */
	const char *negative;
	const char *fraction;  /* not whole in the base unit */
	const char *overflow;
} quantity;

#define TOO_MANY_DIGITS "too many digits (expected at most 60 significant digits)"

static const quantity bytes_q = {
	byte_units, true,
	"expected a size such as 512MiB",
	"unknown unit (expected one of B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)",
	NULL,
	"negative size (expected a size such as 512MiB)",
	"fraction of a byte (expected a whole number of bytes)",
	"too large (expected at most 9223372036854775807 B, the largest "
	"size stored exactly)",
};

static const quantity rate_q = {
	rate_units, false,
	"expected a rate such as 1Gbit/s",
	"unknown unit (expected one of bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s, "
	"Kibit/s, Mibit/s, Gibit/s, B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s or "
	"GiB/s)",
	"missing unit (expected a rate such as 1Gbit/s)",
	"negative rate (expected a rate such as 1Gbit/s)",
	"fraction of a bit/s (expected a whole number of bit/s)",
	"too large (expected at most 9223372036854775807 bit/s, the "
	"largest rate stored exactly)",
};

static const quantity time_q = {
	time_units, false,
	"expected a duration such as 10ms",
	"unknown unit (expected one of ns, us, ms, s, min or h)",
	"missing unit (expected a duration such as 10ms)",
	"negative duration (expected a duration such as 10ms)",
	"fraction of a nanosecond (expected a whole number of ns)",
	"too large (expected at most 9223372036854775807 ns, about 292 "
	"years, the longest duration stored exactly)",
};

/* Enough significant digits for any sensible input; with the largest
 * multiplier (< 2^47) the product stays below 2^247, inside `big`. */
#define MAX_DIGITS 60

/* A decimal number as its significant digits (leading zeros and trailing
 * fractional zeros dropped) and the count of those digits after the point:
 * value = digits / 10^frac. */
typedef struct decimal {
	unsigned char digit[MAX_DIGITS];
	size_t n, frac;
	size_t int_digits;  /* significant digits before the point */
	bool too_many;
} decimal;

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void push_digit(decimal *dec, int v)
{
	if (dec->n == MAX_DIGITS)
		dec->too_many = true;
	else
		dec->digit[dec->n++] = (unsigned char)v;
}

/* Reads digits[.digits] at s into dec and returns how many characters it
 * used, or 0 if s does not start with a number. Fraction zeros are held back
 * until a non-zero digit shows that they matter. */
static size_t scan_decimal(const char *s, decimal *dec)
{
	memset(dec, 0, sizeof *dec);
	size_t i = 0;
	while (is_digit(s[i])) {
		if (dec->n > 0 || s[i] != '0')
			push_digit(dec, s[i] - '0');
		i++;
	}
	if (i == 0)
		return 0;
	dec->int_digits = dec->n;
	if (s[i] == '.' && is_digit(s[i + 1])) {
		size_t zeros = 0, places = 0;
		i++;
		while (is_digit(s[i])) {
			places++;
			if (s[i] == '0') {
				zeros++;
			} else {
				if (dec->n > 0)
					for (; zeros > 0; zeros--)
						push_digit(dec, 0);
				zeros = 0;
				push_digit(dec, s[i] - '0');
			}
			i++;
		}
		/* Trailing zeros of the fraction do not change the value. */
		dec->frac = places - zeros;
		if (dec->n == 0)
			dec->frac = 0;
		/* Leading fraction zeros are not stored but still scale. */
		if (dec->frac > MAX_DIGITS)
			dec->too_many = true;
	}
	return i;
}

/* Unsigned 256-bit integers in 32-bit limbs, least significant first. */
typedef struct big {
	uint32_t w[8];
} big;

static void big_muladd(big *b, uint32_t m, uint32_t add)
{
	uint64_t carry = add;
	for (size_t i = 0; i < 8; i++) {
		uint64_t t = (uint64_t)b->w[i] * m + carry;
		b->w[i] = (uint32_t)t;
		carry = t >> 32;
	}
}

static void big_mul64(big *b, uint64_t m)
{
	big lo = *b, hi = *b;
	big_muladd(&lo, (uint32_t)m, 0);
	big_muladd(&hi, (uint32_t)(m >> 32), 0);
	uint64_t carry = 0;
	for (size_t i = 0; i < 8; i++) {
		uint64_t t = (uint64_t)lo.w[i] + carry + (i ? hi.w[i - 1] : 0);
		b->w[i] = (uint32_t)t;
		carry = t >> 32;
	}
}

static uint32_t big_div10(big *b)
{
	uint64_t rem = 0;
	for (size_t i = 8; i-- > 0;) {
		uint64_t cur = (rem << 32) | b->w[i];
		b->w[i] = (uint32_t)(cur / 10);
		rem = cur % 10;
	}
	return (uint32_t)rem;
}

/* value = dec * mult, rounded to the nearest integer. Returns 0, or 1 if
 * the result is not within 1e-9 relative of a whole number, or 2 if it does
 * not fit in 64 bits. */
static int scale_exact(const decimal *dec, uint64_t mult, uint64_t *out)
{
	big b;
	memset(&b, 0, sizeof b);
	for (size_t i = 0; i < dec->n; i++)
		big_muladd(&b, 10, dec->digit[i]);
	big_mul64(&b, mult);
	/* Dividing by 10 frac times drops the fractional digits one by one,
	 * least significant first; the last one dropped decides rounding. */
	unsigned char dropped[MAX_DIGITS];
	bool exact = true;
	for (size_t k = 0; k < dec->frac; k++) {
		dropped[k] = (unsigned char)big_div10(&b);
		if (dropped[k])
			exact = false;
	}
	for (size_t i = 2; i < 8; i++)
		if (b.w[i])
			return 2;
	uint64_t q = (uint64_t)b.w[1] << 32 | b.w[0];
	if (exact) {
		*out = q;
		return 0;
	}
	/* The tolerance test is approximate by nature, so a double holding
	 * the leading dropped digits is precise enough for it. */
	double frac = 0, scale = 0.1;
	for (size_t k = dec->frac; k-- > 0 && scale > 1e-20; scale /= 10)
		frac += dropped[k] * scale;
	bool up = dropped[dec->frac - 1] >= 5;
	double err = up ? 1.0 - frac : frac;
	if (err > 1e-9 * ((double)q + frac))
		return 1;
	if (up) {
		if (q == UINT64_MAX)
			return 2;
		q++;
	}
	*out = q;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int parse_quantity(const char *s, const quantity *q, uint64_t *out,
			  const char **why)
{
	const char *bad = q->expect;
	if (!s)
		goto fail;
	if (s[0] == '-' && (is_digit(s[1]) || s[1] == '.')) {
		bad = q->negative;
		goto fail;
	}
	decimal dec;
	size_t used = scan_decimal(s, &dec);
	if (used == 0)
		goto fail;
	const char *u = s + used;
	while (is_blank(*u))
		u++;
	uint64_t mult = 0;
	if (*u == '\0') {
		if (!q->bare_ok) {
			bad = q->missing;
			goto fail;
		}
		mult = 1;
	} else {
		for (const unit *x = q->units; x->name; x++)
			if (strcmp(u, x->name) == 0)
				mult = x->mult;
		if (mult == 0) {
			bad = q->unknown;
			goto fail;
		}
	}
	if (dec.too_many) {
		/* More than 20 integer digits cannot fit in 64 bits anyway. */
		bad = dec.int_digits > 20 ? q->overflow : TOO_MANY_DIGITS;
		goto fail;
	}
	uint64_t v;
	int rc = scale_exact(&dec, mult, &v);
	/* Results are SQLite integers, signed 64-bit: a quantity past
	 * INT64_MAX would come out negative there, so it is refused here. */
	if (rc == 0 && v > (uint64_t)INT64_MAX)
		rc = 2;
	if (rc) {
		bad = rc == 1 ? q->fraction : q->overflow;
		goto fail;
	}
	*out = v;
	return 0;
fail:
	if (why)
		*why = bad;
	return SIM_EINPUT;
}

static int refuse(const char **why, const char *text)
{
	if (why)
		*why = text;
	return SIM_EINPUT;
}

int cfg_parse_bytes(const char *s, uint64_t *out, const char **why)
{
	return parse_quantity(s, &bytes_q, out, why);
}

int cfg_parse_pow2(const char *s, uint64_t *out, const char **why)
{
	uint64_t v;
	int rc = parse_quantity(s, &bytes_q, &v, why);
	if (rc != 0)
		return rc;
	if (v == 0 || (v & (v - 1)) != 0)
		return refuse(why, "not a power of two (expected a power-of-two "
				   "size such as 4KiB)");
	*out = v;
	return 0;
}

int cfg_parse_rate(const char *s, uint64_t *out, const char **why)
{
	return parse_quantity(s, &rate_q, out, why);
}

int cfg_parse_time(const char *s, uint64_t *out, const char **why)
{
	return parse_quantity(s, &time_q, out, why);
}


/* Reads decimal digits into *mag; false on overflow past limit. */
static bool scan_magnitude(const char *s, uint64_t limit, uint64_t *mag,
			   bool *syntax_ok)
{
	uint64_t v = 0;
	bool over = false;
	size_t i = 0;
	for (; is_digit(s[i]); i++) {
		unsigned dgt = (unsigned)(s[i] - '0');
		if (v > (limit - dgt) / 10)
			over = true;
		else
			v = v * 10 + dgt;
	}
	*syntax_ok = i > 0 && s[i] == '\0';
	*mag = v;
	return !over;
}

int cfg_parse_int(const char *s, int64_t *out, const char **why)
{
	static const char expect[] = "expected an integer";
	if (!s)
		return refuse(why, expect);
	bool neg = s[0] == '-';
	const char *p = s + (s[0] == '-' || s[0] == '+');
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t mag;
	bool syntax_ok;
	bool fits = scan_magnitude(p, limit, &mag, &syntax_ok);
	if (!syntax_ok)
		return refuse(why, expect);
	if (!fits)
		return refuse(why, "overflow (expected an integer from "
				   "-9223372036854775808 to "
				   "9223372036854775807)");
	if (neg)
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN
						       : -(int64_t)mag;
	else
		*out = (int64_t)mag;
	return 0;
}

int cfg_parse_uint(const char *s, uint64_t *out, const char **why)
{
	static const char expect[] = "expected a non-negative integer";
	if (!s)
		return refuse(why, expect);
	if (s[0] == '-' && is_digit(s[1]))
		return refuse(why, "negative number (expected a non-negative "
				   "integer)");
	uint64_t mag;
	bool syntax_ok;
	bool fits = scan_magnitude(s, UINT64_MAX, &mag, &syntax_ok);
	if (!syntax_ok)
		return refuse(why, expect);
	if (!fits)
		return refuse(why, "overflow (expected at most "
				   "18446744073709551615)");
	*out = mag;
	return 0;
}

/* Checks the decimal float syntax [+-](d+[.d*]|.d+)([eE][+-]d+) and returns
 * the length of the part before the exponent (0 if the syntax is wrong);
 * *exp_at is the index of 'e' or 'E', or the string length. */
static size_t float_syntax(const char *s, size_t *exp_at)
{
	size_t i = 0, digits = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; is_digit(s[i]); i++)
		digits++;
	if (s[i] == '.')
		for (i++; is_digit(s[i]); i++)
			digits++;
	if (digits == 0)
		return 0;
	size_t mantissa = i;
	*exp_at = i;
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (!is_digit(s[i]))
			return 0;
		while (is_digit(s[i]))
			i++;
	}
	return s[i] == '\0' ? mantissa : 0;
}

/* strtod in the "C" locale, so that a caller's setlocale cannot turn the
 * decimal point into a comma. The syntax has been checked already. */
static double strtod_c(const char *s)
{
	locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	locale_t old = c ? uselocale(c) : (locale_t)0;
	double v = strtod(s, NULL);
	if (c) {
		uselocale(old);
		freelocale(c);
	}
	return v;
}

int cfg_parse_float(const char *s, double *out, const char **why)
{
	static const char expect[] = "expected a number";
	size_t exp_at;
	if (!s || float_syntax(s, &exp_at) == 0)
		return refuse(why, expect);
	double v = strtod_c(s);
	if (!isfinite(v))
		return refuse(why, "overflow (expected a finite number)");
	*out = v;
	return 0;
}

int cfg_parse_percent(const char *s, double *out, const char **why)
{
	static const char expect[] = "expected a percentage such as 50%";
	if (!s)
		return refuse(why, expect);
	/* Split "NUMBER [blanks] %". */
	const char *pct = strrchr(s, '%');
	if (!pct || pct[1] != '\0' || pct == s)
		return refuse(why, expect);
	const char *end = pct;
	while (end > s && is_blank(end[-1]))
		end--;
	size_t len = (size_t)(end - s);
	char *num = sim_xmalloc(len + 32);
	memcpy(num, s, len);
	num[len] = '\0';
	size_t exp_at;
	if (float_syntax(num, &exp_at) == 0) {
		free(num);
		return refuse(why, expect);
	}
	/* Dividing by 100 after conversion would round twice; moving the
	 * decimal exponent by -2 keeps the result correctly rounded. */
	long e = 0;
	if (exp_at < len) {
		const char *x = num + exp_at + 1;
		bool neg = *x == '-';
		x += *x == '-' || *x == '+';
		for (; is_digit(*x); x++)
			if (e < 1000000)
				e = e * 10 + (*x - '0');
		if (neg)
			e = -e;
	}
	snprintf(num + exp_at, 32, "e%ld", e - 2);
	double v = strtod_c(num);
	free(num);
	if (!isfinite(v))
		return refuse(why, "overflow (expected a finite percentage)");
	*out = v;
	return 0;
}

int cfg_parse_bool(const char *s, bool *out, const char **why)
{
	if (s && strcmp(s, "true") == 0)
		*out = true;
	else if (s && strcmp(s, "false") == 0)
		*out = false;
	else
		return refuse(why, "expected true or false");
	return 0;
}

const char *cfg_type_unit(cfg_type t)
{
	switch (t) {
	case CFG_T_BYTES:
	case CFG_T_POW2:
		return "B";
	case CFG_T_RATE:
		return "bit/s";
	case CFG_T_TIME:
		return "ns";
	case CFG_T_PERCENT:
		return "%";
	case CFG_T_BOOL:
	case CFG_T_INT:
	case CFG_T_UINT:
	case CFG_T_FLOAT:
	case CFG_T_STRING:
	case CFG_T_ENUM:
		return "";
	}
	return "";
}

const char *cfg_type_expect(cfg_type t)
{
	switch (t) {
	case CFG_T_BOOL:
		return "true or false";
	case CFG_T_INT:
		return "an integer";
	case CFG_T_UINT:
		return "a non-negative integer";
	case CFG_T_FLOAT:
		return "a number";
	case CFG_T_BYTES:
		return "a size such as 512MiB";
	case CFG_T_POW2:
		return "a power-of-two size such as 4KiB";
	case CFG_T_RATE:
		return "a rate such as 1Gbit/s";
	case CFG_T_TIME:
		return "a duration such as 10ms";
	case CFG_T_PERCENT:
		return "a percentage such as 50%";
	case CFG_T_STRING:
		return "a string";
	case CFG_T_ENUM:
		return "one of the listed choices";
	}
	return "a value";
}
