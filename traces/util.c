/* SPDX-License-Identifier: MIT */
/*
 * Utilisation traces (traces/util-format.md): the PlanetLab/CoMon and
 * Bitbrains GWA-T-12 readers with FILE:LINE:COL messages, the fixed grid
 * they are put on, and O(1) reads by hold or linear interpolation. The
 * readers stop at the first problem and trust no byte of their input.
 * Loading a whole folder is in util_dir.c.
 */
#include "trace.h"
#include "util_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bitbrains "KB" is taken as 1024 bytes: the provisioned memory column
 * holds 2.097152E7 KB for a VM of 20 GiB and 3145728 KB-like values for
 * 3 GiB ones, which are whole numbers of MiB only in units of 1024. */
#define KB 1024.0

/* A step between two rows longer than this is a gap (at least one grid
 * point has no row of its own): 1.5 steps. */
#define GAP_S (TRACE_UTIL_STEP_S + TRACE_UTIL_STEP_S / 2)

/* The most grid samples a trace may span: 2^22 steps of 300 s are about
 * 40 years, far beyond any trace, and keep one bad timestamp from asking
 * for gigabytes. */
#define MAX_SAMPLES ((uint32_t)1 << 22)

/* The longest piece of user text quoted in a message before it is cut. */
#define SHOW_MAX 60

const char *const trace_util_interp_names[] = {"hold", "linear", NULL};

#define NFIELDS 11
static const char *const bb_fields[NFIELDS] = {
	"Timestamp [ms]",
	"CPU cores",
	"CPU capacity provisioned [MHZ]",
	"CPU usage [MHZ]",
	"CPU usage [%]",
	"Memory capacity provisioned [KB]",
	"Memory usage [KB]",
	"Disk read throughput [KB/s]",
	"Disk write throughput [KB/s]",
	"Network received throughput [KB/s]",
	"Network transmitted throughput [KB/s]",
};

/* ------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* User text fit for a one-line ASCII message: bytes outside printable
 * ASCII escaped (tab as \t, others as \xNN), cut after SHOW_MAX bytes with
 * "..." appended. The caller frees the result. */
static char *show(const char *s, size_t n)
{
	size_t cut = n > SHOW_MAX ? SHOW_MAX : n;
	char *out = sim_xmalloc(cut * 4 + 4);
	size_t o = 0;
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t') {
			out[o++] = '\\';
			out[o++] = 't';
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	if (cut < n)
		for (int k = 0; k < 3; k++)
			out[o++] = '.';
	out[o] = '\0';
	return out;
}

typedef struct reader {
	const char *file;
	sim_diag *d;
	unsigned lineno;
} reader;

static int fail(reader *r, size_t col0, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports at the current line, 0-based byte column col0; returns
 * SIM_EINPUT so that callers can `return fail(...)`. */
static int fail(reader *r, size_t col0, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	unsigned col = col0 >= UINT32_MAX ? UINT32_MAX : (unsigned)col0 + 1;
	sim_diag_verror(r->d, r->file, r->lineno, col, fmt, ap);
	va_end(ap);
	return SIM_EINPUT;
}

/* Reads s[0..n) as a decimal number: an optional sign, digits with an
 * optional fraction, an optional exponent; nothing else (no blanks, no
 * "nan", "inf" or hex). Returns false if it is not one or is not finite. */
static bool scan_number(const char *s, size_t n, double *out)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && is_digit(s[i]))
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit(s[i]))
			i++, digits++;
	}
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = 0;
		while (i < n && is_digit(s[i]))
			i++, e++;
		if (!e)
			return false;
	}
	if (i != n || n > 64)
		return false;
	char buf[72];
	memcpy(buf, s, n);
	buf[n] = '\0';
	double v = strtod(buf, NULL);
	if (!isfinite(v))
		return false;
	*out = v;
	return true;
}

/* ------------------------------------------------------------------------
 * Rows as read, before they are put on the grid
 * ------------------------------------------------------------------------ */

typedef struct rows {
	size_t n, cap;
	int64_t *time_s;
	uint16_t *cpu;
	float *mem, *net, *disk;  /* NULL for PlanetLab */
} rows;

static void rows_init(rows *w, bool full)
{
	memset(w, 0, sizeof *w);
	w->cap = 512;
	w->time_s = sim_xmalloc(w->cap * sizeof *w->time_s);
	w->cpu = sim_xmalloc(w->cap * sizeof *w->cpu);
	if (full) {
		w->mem = sim_xmalloc(w->cap * sizeof *w->mem);
		w->net = sim_xmalloc(w->cap * sizeof *w->net);
		w->disk = sim_xmalloc(w->cap * sizeof *w->disk);
	}
}

static void rows_fini(rows *w)
{
	free(w->time_s);
	free(w->cpu);
	free(w->mem);
	free(w->net);
	free(w->disk);
}

/* Makes room for one more row; returns its index. */
static size_t rows_add(rows *w)
{
	if (w->n == w->cap) {
		w->cap *= 2;
		w->time_s = sim_xrealloc(w->time_s, w->cap, sizeof *w->time_s);
		w->cpu = sim_xrealloc(w->cpu, w->cap, sizeof *w->cpu);
		if (w->mem) {
			w->mem = sim_xrealloc(w->mem, w->cap, sizeof *w->mem);
			w->net = sim_xrealloc(w->net, w->cap, sizeof *w->net);
			w->disk = sim_xrealloc(w->disk, w->cap,
					       sizeof *w->disk);
		}
	}
	return w->n++;
}

/* A trace with one allocation for all its series. */
static trace_util *util_alloc(uint32_t n, bool full)
{
	size_t per = sizeof(uint16_t) + (full ? 3 * sizeof(float) : 0);
	/* The floats go first so that they are aligned. */
	char *blk = sim_xmalloc(sizeof(trace_util) + (size_t)n * per);
	trace_util *u = (trace_util *)(void *)blk;
	memset(u, 0, sizeof *u);
	char *p = blk + sizeof *u;
	if (full) {
		u->mem = (float *)(void *)p;
		u->net = u->mem + n;
		u->disk = u->net + n;
		p = (char *)(u->disk + n);
	}
	u->cpu = (uint16_t *)(void *)p;
	u->n = n;
	u->step_s = TRACE_UTIL_STEP_S;
	return u;
}

_Static_assert(sizeof(trace_util) % sizeof(float) == 0,
	       "series after the struct stay aligned");

void trace_util_destroy(trace_util *u)
{
	if (!u)
		return;
	free(u->name);
	free(u);
}

/* ------------------------------------------------------------------------
 * PlanetLab: one integer CPU % (0..100) per line
 * ------------------------------------------------------------------------ */

static int parse_planetlab(reader *r, const char *s, size_t len, rows *w)
{
	static const char want[] = "an integer CPU percentage from 0 to 100, "
				   "one per line";
	size_t i = 0;
	while (i < len) {
		r->lineno++;
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len;
		size_t e = end;
		if (e > i && s[e - 1] == '\r')
			e--;
		const char *t = s + i;
		size_t n = e - i;
		if (n == 0)
			return fail(r, 0, "empty line (expected %s)", want);
		size_t bad = 0;
		while (bad < n && is_digit(t[bad]))
			bad++;
		if (bad < n) {
			char *sh = show(t, n);
			int rc = fail(r, bad,
				      "'%s' is not a CPU percentage (expected "
				      "%s)",
				      sh, want);
			free(sh);
			return rc;
		}
		unsigned v = 0;
		for (size_t k = 0; k < n && v <= 100; k++)
			v = v * 10 + (unsigned)(t[k] - '0');
		if (v > 100) {
			char *sh = show(t, n);
			int rc = fail(r, 0,
				      "CPU %s%% is out of range (expected %s)",
				      sh, want);
			free(sh);
			return rc;
		}
		if (w->n >= MAX_SAMPLES)
			return fail(r, 0,
				    "more than %" PRIu32 " samples (expected a "
				    "shorter trace)",
				    MAX_SAMPLES);
		size_t k = rows_add(w);
		w->time_s[k] = (int64_t)k * TRACE_UTIL_STEP_S;
		w->cpu[k] = (uint16_t)(v * (TRACE_UTIL_CPU_SCALE / 100));
		i = end + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Bitbrains GWA-T-12: a header, then rows of 11 fields separated by ';'
 * and a tab
 * ------------------------------------------------------------------------ */

typedef struct field {
	size_t at, n;  /* offset in the line, length */
} field;

/* Splits line t[0..n) into fields. Returns the count found (up to
 * NFIELDS + 1, then it stops), or 0 after reporting a ';' that is not
 * followed by a tab. */
static size_t split(reader *r, const char *t, size_t n, field *f, int *rc)
{
	size_t nf = 0, at = 0;
	*rc = 0;
	for (;;) {
		const char *semi = memchr(t + at, ';', n - at);
		size_t end = semi ? (size_t)(semi - t) : n;
		f[nf].at = at;
		f[nf].n = end - at;
		nf++;
		if (!semi || nf == NFIELDS + 1)
			return nf;
		if (end + 1 >= n || t[end + 1] != '\t') {
			*rc = fail(r, end + 1,
				   "';' without a tab after it (expected "
				   "fields separated by ';' and a tab)");
			return 0;
		}
		at = end + 2;
	}
}

static int field_count(reader *r, size_t nf, const field *f, size_t n)
{
	if (nf > NFIELDS)
		return fail(r, f[NFIELDS].at,
			    "more than %d fields (expected %d separated by ';' "
			    "and a tab)",
			    NFIELDS, NFIELDS);
	return fail(r, n,
		    "%zu field%s (expected %d separated by ';' and a tab)", nf,
		    nf == 1 ? "" : "s", NFIELDS);
}

static int parse_header(reader *r, const char *t, size_t n)
{
	field f[NFIELDS + 1];
	int rc;
	size_t nf = split(r, t, n, f, &rc);
	if (rc)
		return rc;
	for (size_t k = 0; k < nf && k < NFIELDS; k++) {
		const char *want = bb_fields[k];
		if (f[k].n == strlen(want) && !memcmp(t + f[k].at, want, f[k].n))
			continue;
		char *sh = show(t + f[k].at, f[k].n);
		rc = fail(r, f[k].at,
			  "header field %zu is '%s' (expected '%s' of the "
			  "Bitbrains GWA-T-12 format)",
			  k + 1, sh, want);
		free(sh);
		return rc;
	}
	if (nf != NFIELDS)
		return field_count(r, nf, f, n);
	return 0;
}

/* Reads field k of a row as a number >= 0. */
static int bb_number(reader *r, const char *t, const field *f, size_t k,
		     double *out)
{
	const char *s = t + f[k].at;
	if (!scan_number(s, f[k].n, out)) {
		char *sh = show(s, f[k].n);
		int rc = fail(r, f[k].at,
			      "'%s' is not a number (expected %s as a decimal "
			      "number)",
			      sh, bb_fields[k]);
		free(sh);
		return rc;
	}
	if (*out < 0) {
		char *sh = show(s, f[k].n);
		int rc = fail(r, f[k].at,
			      "%s %s is out of range (expected at least 0)",
			      bb_fields[k], sh);
		free(sh);
		return rc;
	}
	return 0;
}

typedef struct bb_state {
	int64_t last_s;
	unsigned last_line;
	trace_util meta;  /* cores, cpu_mhz, mem_bytes and repair counts */
} bb_state;

/* Unix seconds: digits only, at most 12 of them (year 33658). */
static int bb_time(reader *r, const char *t, const field *f, bb_state *st,
		   size_t nrows, int64_t *out)
{
	const char *s = t + f[0].at;
	size_t n = f[0].n, k = 0;
	while (k < n && is_digit(s[k]))
		k++;
	if (n == 0 || k < n || n > 12) {
		char *sh = show(s, n);
		int rc = fail(r, 0,
			      "'%s' is not a time (expected Unix seconds, "
			      "up to 12 digits)",
			      sh);
		free(sh);
		return rc;
	}
	int64_t v = 0;
	for (k = 0; k < n; k++)
		v = v * 10 + (s[k] - '0');
	if (nrows && v <= st->last_s)
		return fail(r, 0,
			    "time %" PRId64 " is not after %" PRId64
			    " on line %u (expected increasing Unix seconds)",
			    v, st->last_s, st->last_line);
	*out = v;
	return 0;
}

static int bb_row(reader *r, const char *t, size_t n, rows *w, bb_state *st)
{
	field f[NFIELDS + 1];
	int rc;
	size_t nf = split(r, t, n, f, &rc);
	if (rc)
		return rc;
	if (nf != NFIELDS)
		return field_count(r, nf, f, n);
	int64_t ts = 0;
	if ((rc = bb_time(r, t, f, st, w->n, &ts)))
		return rc;
	if (w->n && (uint64_t)(ts - w->time_s[0]) / TRACE_UTIL_STEP_S >=
			    MAX_SAMPLES - 1)
		return fail(r, 0,
			    "time %" PRId64 " is more than %" PRIu32 " steps of "
			    "%u s after the first row (expected a shorter "
			    "trace)",
			    ts, MAX_SAMPLES - 1, TRACE_UTIL_STEP_S);
	double v[NFIELDS];
	for (size_t k = 1; k < NFIELDS; k++)
		if ((rc = bb_number(r, t, f, k, &v[k])))
			return rc;
	if (v[1] != floor(v[1]) || v[1] > 1e6) {
		char *sh = show(t + f[1].at, f[1].n);
		rc = fail(r, f[1].at,
			  "CPU cores %s is out of range (expected a whole "
			  "number from 0 to 1000000)",
			  sh);
		free(sh);
		return rc;
	}
	if (w->n) {
		int64_t step = ts - st->last_s;
		if (step > (int64_t)GAP_S) {
			st->meta.gaps++;
			if ((uint64_t)step > st->meta.gap_longest_s)
				st->meta.gap_longest_s = (uint64_t)step;
		}
	}
	if (v[1] > st->meta.cores)
		st->meta.cores = (uint32_t)v[1];
	if (v[2] > st->meta.cpu_mhz)
		st->meta.cpu_mhz = v[2];
	double mem_prov = v[5] * KB;
	if (mem_prov > 9.2e18) {
		char *sh = show(t + f[5].at, f[5].n);
		rc = fail(r, f[5].at,
			  "%s %s is out of range (expected below 2^63 bytes)",
			  bb_fields[5], sh);
		free(sh);
		return rc;
	}
	if ((uint64_t)mem_prov > st->meta.mem_bytes)
		st->meta.mem_bytes = (uint64_t)mem_prov;
	double pct = v[4];
	if (pct > st->meta.cpu_max_pct)
		st->meta.cpu_max_pct = pct;
	if (pct > 100) {
		st->meta.clamped++;
		pct = 100;
	}
	size_t k = rows_add(w);
	w->time_s[k] = ts;
	w->cpu[k] = (uint16_t)lround(pct * (TRACE_UTIL_CPU_SCALE / 100));
	/* float holds any finite double below 3.4e38 KB/s; larger values
	 * saturate rather than become infinite. */
	double mem = fmin(v[6] * KB, 3e38);
	double net = fmin((v[9] + v[10]) * KB, 3e38);
	double disk = fmin((v[7] + v[8]) * KB, 3e38);
	w->mem[k] = (float)mem;
	w->net[k] = (float)net;
	w->disk[k] = (float)disk;
	st->last_s = ts;
	st->last_line = r->lineno;
	return 0;
}

static int parse_bitbrains(reader *r, const char *s, size_t len, rows *w,
			   bb_state *st)
{
	size_t i = 0;
	while (i < len) {
		r->lineno++;
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len;
		size_t e = end;
		if (e > i && s[e - 1] == '\r')
			e--;
		int rc;
		if (e == i)
			rc = fail(r, 0,
				  "empty line (expected %s)",
				  r->lineno == 1
					  ? "the Bitbrains GWA-T-12 header"
					  : "a row of 11 fields separated by "
					    "';' and a tab");
		else if (r->lineno == 1)
			rc = parse_header(r, s + i, e - i);
		else
			rc = bb_row(r, s + i, e - i, w, st);
		if (rc)
			return rc;
		i = end + 1;
	}
	if (w->n == 0) {
		r->lineno++;
		return fail(r, 0,
			    "no samples after the header (expected at least "
			    "one row)");
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The grid
 * ------------------------------------------------------------------------ */

/* Puts rows on the grid start + k·step: each row to the nearest point (a
 * tie to the earlier), the last row of a point winning, and points
 * without a row holding the previous point. The first row is point 0. */
static trace_util *grid(const rows *w)
{
	const int64_t step = TRACE_UTIL_STEP_S, half = (step - 1) / 2;
	int64_t t0 = w->time_s[0];
	uint64_t last = (uint64_t)(w->time_s[w->n - 1] - t0 + half) / step;
	bool full = w->mem != NULL;
	trace_util *u = util_alloc((uint32_t)last + 1, full);
	u->start_s = full ? t0 : 0;
	size_t filled = 0;  /* points [0, filled) are set */
	for (size_t i = 0; i < w->n; i++) {
		size_t k = (size_t)((uint64_t)(w->time_s[i] - t0 + half) / step);
		for (; filled < k; filled++) {
			u->cpu[filled] = u->cpu[filled - 1];
			if (full) {
				u->mem[filled] = u->mem[filled - 1];
				u->net[filled] = u->net[filled - 1];
				u->disk[filled] = u->disk[filled - 1];
			}
		}
		u->cpu[k] = w->cpu[i];
		if (full) {
			u->mem[k] = w->mem[i];
			u->net[k] = w->net[i];
			u->disk[k] = w->disk[i];
		}
		filled = k + 1;
	}
	u->rows = (uint32_t)w->n;
	return u;
}

int trace_util_parse(const char *file, const char *text, size_t len,
		     trace_util_format fmt, trace_util **out, sim_diag *d)
{
	*out = NULL;
	reader r = {file, d, 0};
	if (len == 0) {
		r.lineno = 1;
		return fail(&r, 0, "empty file (expected %s)",
			    fmt == TRACE_UTIL_PLANETLAB
				    ? "one integer CPU percentage per line"
				    : "the Bitbrains GWA-T-12 header and rows");
	}
	rows w;
	bb_state st;
	memset(&st, 0, sizeof st);
	rows_init(&w, fmt == TRACE_UTIL_BITBRAINS);
	int rc = fmt == TRACE_UTIL_PLANETLAB ? parse_planetlab(&r, text, len, &w)
					     : parse_bitbrains(&r, text, len, &w,
							       &st);
	if (rc) {
		rows_fini(&w);
		return rc;
	}
	trace_util *u = grid(&w);
	rows_fini(&w);
	u->cores = st.meta.cores;
	u->cpu_mhz = st.meta.cpu_mhz;
	u->mem_bytes = st.meta.mem_bytes;
	u->gaps = st.meta.gaps;
	u->gap_longest_s = st.meta.gap_longest_s;
	u->clamped = st.meta.clamped;
	u->cpu_max_pct = st.meta.cpu_max_pct;
	if (fmt == TRACE_UTIL_PLANETLAB)
		for (uint32_t k = 0; k < u->n; k++)
			if (u->cpu[k] / (double)(TRACE_UTIL_CPU_SCALE / 100) >
			    u->cpu_max_pct)
				u->cpu_max_pct =
					u->cpu[k] /
					(double)(TRACE_UTIL_CPU_SCALE / 100);
	const char *base = file ? strrchr(file, '/') : NULL;
	base = base ? base + 1 : (file ? file : "");
	size_t bl = strlen(base);
	if (fmt == TRACE_UTIL_BITBRAINS && bl > 4 &&
	    !strcmp(base + bl - 4, ".csv"))
		bl -= 4;
	u->name = sim_xmalloc(bl + 1);
	memcpy(u->name, base, bl);
	u->name[bl] = '\0';
	*out = u;
	return 0;
}

/* Reads a whole file into *buf (NUL not appended). Returns 0, SIM_EIO with
 * "path: reason (expected ...)" or SIM_EINPUT for a file over 1 GiB. */
int util_read_file(const char *path, char **buf, size_t *len, sim_diag *d)
{
	const size_t max = (size_t)1 << 30;
	*buf = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return util_io_error(d, path, errno);
	struct stat st;
	size_t cap = 64 << 10;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > max) {
			fclose(f);
			sim_diag_error(d, path, 0, 0,
				       "trace is larger than 1 GiB (expected "
				       "at most %zu bytes)",
				       max);
			return SIM_EINPUT;
		}
		cap = (size_t)st.st_size + 1;
	}
	char *b = sim_xmalloc(cap);
	size_t n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap > max / 2 ? max + 1 : 2 * cap;
			b = sim_xrealloc(b, cap, 1);
		}
		size_t want = cap - n, got = fread(b + n, 1, want, f);
		n += got;
		if (got < want || n > max)
			break;
	}
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		free(b);
		return util_io_error(d, path, err ? err : EIO);
	}
	if (n > max) {
		free(b);
		sim_diag_error(d, path, 0, 0,
			       "trace is larger than 1 GiB (expected at most "
			       "%zu bytes)",
			       max);
		return SIM_EINPUT;
	}
	*buf = b;
	*len = n;
	return 0;
}

int util_io_error(sim_diag *d, const char *path, int err)
{
	char msg[256];
	if (strerror_r(err, msg, sizeof msg))
		snprintf(msg, sizeof msg, "error %d", err);
	sim_diag_error(d, path, 0, 0,
		       "%s (expected a readable utilisation trace)", msg);
	return SIM_EIO;
}

int trace_util_load(const char *path, trace_util_format fmt,
		    trace_util **out, sim_diag *d)
{
	*out = NULL;
	char *buf;
	size_t len;
	int rc = util_read_file(path, &buf, &len, d);
	if (rc)
		return rc;
	rc = trace_util_parse(path, buf, len, fmt, out, d);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------------
 * Reading values
 * ------------------------------------------------------------------------ */

bool trace_util_has(const trace_util *u, trace_util_res r)
{
	switch (r) {
	case TRACE_UTIL_CPU:
		return true;
	case TRACE_UTIL_MEM:
		return u->mem != NULL;
	case TRACE_UTIL_NET:
		return u->net != NULL;
	case TRACE_UTIL_DISK:
		return u->disk != NULL;
	default:
		return false;
	}
}

static double sample(const trace_util *u, trace_util_res r, uint32_t k)
{
	switch (r) {
	case TRACE_UTIL_CPU:
		return u->cpu[k] / (double)TRACE_UTIL_CPU_SCALE;
	case TRACE_UTIL_MEM:
		return u->mem ? u->mem[k] : 0;
	case TRACE_UTIL_NET:
		return u->net ? u->net[k] : 0;
	case TRACE_UTIL_DISK:
		return u->disk ? u->disk[k] : 0;
	default:
		sim_panic("trace_util: resource %d", (int)r);
	}
}

#define STEP_NS ((uint64_t)TRACE_UTIL_STEP_S * 1000000000u)

trace_util_pos trace_util_pos_at(uint64_t t_ns)
{
	trace_util_pos p;
	p.k = t_ns / STEP_NS;
	p.frac = (double)(t_ns - p.k * STEP_NS) / (double)STEP_NS;
	return p;
}

double trace_util_read(const trace_util *u, trace_util_res r,
		       trace_util_interp interp, trace_util_pos pos)
{
	if (pos.k >= (uint64_t)u->n - 1)
		return sample(u, r, u->n - 1);
	double a = sample(u, r, (uint32_t)pos.k);
	if (interp == TRACE_UTIL_HOLD)
		return a;
	if (interp != TRACE_UTIL_LINEAR)
		sim_panic("trace_util: interpolation %d", (int)interp);
	double b = sample(u, r, (uint32_t)pos.k + 1);
	return a + (b - a) * pos.frac;
}

double trace_util_at(const trace_util *u, trace_util_res r,
		     trace_util_interp interp, uint64_t t_ns)
{
	return trace_util_read(u, r, interp, trace_util_pos_at(t_ns));
}

void trace_util_resample(const trace_util *u, trace_util_res r,
			 trace_util_interp interp, uint64_t interval_ns,
			 uint64_t first, size_t count, double *out)
{
	if (interval_ns == 0)
		sim_panic("trace_util_resample: an interval of 0 ns");
	for (size_t j = 0; j < count; j++) {
		uint64_t i = first + j;
		uint64_t t = i > UINT64_MAX / interval_ns ? UINT64_MAX
							   : i * interval_ns;
		out[j] = trace_util_at(u, r, interp, t);
	}
}

uint64_t trace_util_duration_ns(const trace_util *u)
{
	return (uint64_t)u->n * STEP_NS;
}

unsigned trace_util_warnings(const trace_util *u, const char *file,
			     sim_diag *w)
{
	unsigned n = 0;
	if (u->gaps) {
		sim_diag_error(w, file, 0, 0,
			       "warning: %" PRIu32 " gap%s between rows held "
			       "at the last value (longest %" PRIu64 " s; "
			       "expected steps of %u s)",
			       u->gaps, u->gaps == 1 ? "" : "s",
			       u->gap_longest_s, TRACE_UTIL_STEP_S);
		n++;
	}
	if (u->clamped) {
		sim_diag_error(w, file, 0, 0,
			       "warning: %" PRIu32 " CPU sample%s above 100%% "
			       "clamped to 100%% (largest %.2f%%)",
			       u->clamped, u->clamped == 1 ? "" : "s",
			       u->cpu_max_pct);
		n++;
	}
	return n;
}
