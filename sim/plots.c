/* SPDX-License-Identifier: MIT */
/*
 * Plots: runs gnuplot on each plots/NAME.gp whose "# needs:" tables have
 * data, writing NAME.png or NAME.svg through sim_file. gnuplot is an
 * optional run-time tool: without it nothing is drawn and the caller is
 * told. No path reaches gnuplot as text it could interpret: it runs in the
 * data folder (scripts open "./NAME.csv"), reads its script by absolute
 * path from argv, and writes its plot to descriptor 3, a temporary this
 * process created. Each run has a time limit.
 */
#define _GNU_SOURCE
#include "sim.h"
#include "sim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include <sqlite3.h>

extern char **environ;

/* Lines of a script searched for its "# needs:" declaration. */
#define NEEDS_LINES 10
/* Bytes of gnuplot's stderr kept for the error message. */
#define STDERR_KEEP 4096
/* How long a gnuplot run is waited for between checks of the stop flag. */
#define STOP_SLICE_MS 100
/* Lines of gnuplot's stderr quoted in the error message. */
#define STDERR_LINES 3

void sim_names_add(sim_name_list *l, char *s)
{
	l->v = sim_xrealloc(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
}

void sim_names_free(sim_name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_executable_file(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	       access(path, X_OK) == 0;
}

/* Looks gnuplot up on PATH as execvp would, except that empty entries
 * (the current directory, by a legacy rule) are ignored. Without PATH the
 * system's default search path applies. Returns a new string or NULL. */
static char *find_gnuplot(void)
{
	const char *path = getenv("PATH");
	char *def = NULL;
	if (!path) {
		size_t n = confstr(_CS_PATH, NULL, 0);
		def = sim_xmalloc(n ? n : 1);
		if (n == 0 || confstr(_CS_PATH, def, n) == 0)
			strcpy(def, "/usr/bin:/bin");
		path = def;
	}
	char *found = NULL;
	for (const char *p = path; !found;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 0) {
			char *cand = sim_xasprintf("%.*s/gnuplot", (int)len, p);
			if (is_executable_file(cand))
				found = cand;
			else
				free(cand);
		}
		if (!end)
			break;
		p = end + 1;
	}
	free(def);
	return found;
}

/* Appends text to a gnuplot command as a single-quoted string, the one
 * place where a string is made for gnuplot. Inside single quotes gnuplot
 * expands nothing (no backslash escapes, no `backquotes`) and a quote is
 * written twice; a line break would end the command and cannot be
 * written, nor can a leading '<' or '|', which make gnuplot's file
 * commands run a shell. Returns a new string, or NULL for such text. */
static char *gp_quote(const char *text)
{
	if (text[0] == '<' || text[0] == '|' || strpbrk(text, "\r\n"))
		return NULL;
	size_t n = 2;
	for (const char *p = text; *p; p++)
		n += *p == '\'' ? 2 : 1;
	char *out = sim_xmalloc(n + 1), *o = out;
	*o++ = '\'';
	for (const char *p = text; *p; p++) {
		if (*p == '\'')
			*o++ = '\'';
		*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

/* The *.gp files of dir, sorted bytewise (not by locale) so that plots are
 * drawn, and errors met, in the same order everywhere. */
static int list_scripts(const char *dir, sim_name_list *out, sim_diag *d)
{
	DIR *dh = opendir(dir);
	if (!dh) {
		int err = errno;
		sim_diag_error(d, dir, 0, 0, "cannot read plot scripts: %s",
			       strerror(err));
		return err == ENOENT ? SIM_ENOENT : SIM_EIO;
	}
	struct dirent *de;
	while ((de = readdir(dh)) != NULL) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n <= 3 ||
		    strcmp(de->d_name + n - 3, ".gp") != 0)
			continue;
		char *full = sim_xasprintf("%s/%s", dir, de->d_name);
		struct stat sb;
		bool regular = stat(full, &sb) == 0 && S_ISREG(sb.st_mode);
		free(full);
		if (regular)
			sim_names_add(out, sim_xstrdup(de->d_name));
	}
	closedir(dh);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_names);
	return 0;
}

/* What a script says about when it applies, from its first lines:
 * "# needs: a, b" (tables that must have rows) and "# when: SELECT ..."
 * (one read-only query on results.sqlite whose first value must be true). */
typedef struct plot_rule {
	sim_name_list needs;
	char *when;          /* the query, or NULL */
	char *when_doc;      /* its "-- explanation", or NULL */
	unsigned when_line, when_col;
} plot_rule;

static void rule_free(plot_rule *r)
{
	sim_names_free(&r->needs);
	free(r->when);
	free(r->when_doc);
	memset(r, 0, sizeof *r);
}

/* Parses the table list of a needs: line starting at p (of line ln). */
static int parse_needs(const char *script, const char *line, const char *p,
		       unsigned ln, sim_name_list *needs, sim_diag *d)
{
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *start = p;
		while (*p && *p != ',' && *p != '\n' && *p != '\r')
			p++;
		const char *end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == start || memchr(start, '/', (size_t)(end - start))) {
			sim_diag_error(d, script, ln, (unsigned)(start - line) + 1,
				       "expected a table name in "
				       "'# needs: table[, table...]'");
			return SIM_EINPUT;
		}
		char *name = sim_xmalloc((size_t)(end - start) + 1);
		memcpy(name, start, (size_t)(end - start));
		name[end - start] = '\0';
		sim_names_add(needs, name);
		if (*p != ',')
			return 0;
		p++;
	}
}

/* Reads the first "# needs:" and "# when:" lines among the script's first
 * lines. A script without them needs nothing and always applies. */
static int read_rule(const char *script, plot_rule *rule, sim_diag *d)
{
	memset(rule, 0, sizeof *rule);
	FILE *f = fopen(script, "r");
	if (!f) {
		sim_diag_error(d, script, 0, 0, "cannot read: %s",
			       strerror(errno));
		return SIM_EIO;
	}
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	bool needs_seen = false;
	for (unsigned ln = 1; rc == 0 && ln <= NEEDS_LINES; ln++) {
		if (getline(&line, &cap, f) < 0)
			break;
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '#')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!needs_seen && strncmp(p, "needs:", 6) == 0) {
			needs_seen = true;
			rc = parse_needs(script, line, p + 6, ln, &rule->needs, d);
		} else if (!rule->when && strncmp(p, "when:", 5) == 0) {
			rule->when_col = (unsigned)(p - line) + 1;
			p += 5;
			size_t n = strcspn(p, "\r\n");
			/* " -- why" at the end says what the query asks, in
			 * words, for vdcsim plot --list: the last " -- " of
			 * the line, so that the query itself may hold "--"
			 * (in a string, or a " -- " before the last). */
			const char *doc = NULL;
			for (const char *at = strstr(p, " -- ");
			     at && (size_t)(at - p) < n;
			     at = strstr(at + 1, " -- "))
				doc = at;
			if (doc) {
				doc++;
				const char *w = doc + 2;
				while (*w == ' ')
					w++;
				rule->when_doc = sim_xasprintf(
					"%.*s", (int)(n - (size_t)(w - p)), w);
				n = (size_t)(doc - p);
			}
			rule->when = sim_xasprintf("%.*s", (int)n, p);
			rule->when_line = ln;
		}
	}
	free(line);
	fclose(f);
	if (rc != 0)
		rule_free(rule);
	return rc;
}

/* True if path is a CSV with at least one record after its header. The
 * header's end is found honouring quotes, as a column name may hold a line
 * break. */
static bool has_data_rows(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	bool quoted = false, data = false;
	int c;
	while ((c = getc(f)) != EOF) {
		if (c == '"')
			quoted = !quoted;
		else if (c == '\n' && !quoted) {
			data = getc(f) != EOF;
			break;
		}
	}
	fclose(f);
	return data;
}

/* Evaluates a when: query on data_dir/results.sqlite, read-only: 1 if its
 * first value is true, 0 if false or no row (why says so), SIM_ETOOL with a
 * message naming the script's line if the query is not one read-only
 * statement or fails. No results.sqlite (wws folders of an older vdcsim)
 * counts as false. */
static int when_met(const char *script, const plot_rule *rule,
		    const char *data_dir, sim_diag *d)
{
	char *path = sim_xasprintf("%s/results.sqlite", data_dir);
	sqlite3 *db = NULL;
	int rc = 0;
	if (access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sim_diag_error(d, path, 0, 0, "sqlite: %s",
			       db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		free(path);
		return SIM_ETOOL;
	}
	free(path);
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(db, rule->when, -1, &st, &tail) != SQLITE_OK ||
	    !st) {
		sim_diag_error(d, script, rule->when_line, rule->when_col,
			       "when: %s (expected one SELECT)",
			       st ? "" : sqlite3_errmsg(db));
		rc = SIM_ETOOL;
	} else if (tail && tail[strspn(tail, " \t;")] != '\0') {
		sim_diag_error(d, script, rule->when_line, rule->when_col,
			       "when: more than one statement (expected one "
			       "SELECT)");
		rc = SIM_ETOOL;
	} else if (!sqlite3_stmt_readonly(st)) {
		sim_diag_error(d, script, rule->when_line, rule->when_col,
			       "when: the statement writes (expected one "
			       "read-only SELECT)");
		rc = SIM_ETOOL;
	} else {
		int s3 = sqlite3_step(st);
		if (s3 == SQLITE_ROW)
			rc = sqlite3_column_int64(st, 0) != 0;
		else if (s3 != SQLITE_DONE) {
			sim_diag_error(d, script, rule->when_line, rule->when_col,
				       "when: sqlite: %s", sqlite3_errmsg(db));
			rc = SIM_ETOOL;
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* 1 if the script applies to the results in data_dir, 0 if not (with the
 * reason in *why, a new string), or an error. */
static int rule_applies(const char *script, const plot_rule *rule,
			const char *data_dir, char **why, sim_diag *d)
{
	*why = NULL;
	for (size_t i = 0; i < rule->needs.n; i++) {
		char *csv = sim_xasprintf("%s/%s.csv", data_dir,
					  rule->needs.v[i]);
		bool ok = has_data_rows(csv);
		free(csv);
		if (!ok) {
			*why = sim_xasprintf("needs rows in %s",
					     rule->needs.v[i]);
			return 0;
		}
	}
	if (!rule->when)
		return 1;
	int rc = when_met(script, rule, data_dir, d);
	if (rc == 0)
		*why = rule->when_doc ? sim_xstrdup(rule->when_doc)
				      : sim_xasprintf("when:%s is false",
						      rule->when);
	return rc;
}

/* Milliseconds left until deadline_ns on the monotonic clock (never
 * negative; INT_MAX when there is no deadline). This bounds how long an
 * external tool may run; it never reaches a result, so sim/'s rule of no
 * clocks (which is about results) is kept. */
/* True if the file open at fd has reached this process's file size limit
 * (ulimit -f): gnuplot's writes past it fail with EFBIG, silently, leaving
 * a truncated plot exactly that long. */
static bool at_size_limit(int fd)
{
	struct rlimit rl;
	struct stat sb;
	return getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	       fstat(fd, &sb) == 0 && (rlim_t)sb.st_size >= rl.rlim_cur;
}

static int ms_left(uint64_t deadline_ns)
{
	if (deadline_ns == 0)
		return INT_MAX;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
		       (uint64_t)ts.tv_nsec;
	if (now >= deadline_ns)
		return 0;
	uint64_t ms = (deadline_ns - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static uint64_t deadline_after(uint64_t timeout_ns)
{
	if (timeout_ns == 0)
		return 0;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return sim_time_add((uint64_t)ts.tv_sec * UINT64_C(1000000000) +
				    (uint64_t)ts.tv_nsec,
			    timeout_ns);
}

/* Reads fd to its end or to the deadline, keeping the first STDERR_KEEP
 * bytes; draining the rest keeps a chatty gnuplot from blocking on a full
 * pipe. Sets *late if the deadline came first. */
static char *read_until(int fd, uint64_t deadline_ns,
			const volatile sig_atomic_t *stop, bool *late,
			bool *stopped)
{
	char *buf = sim_xmalloc(STDERR_KEEP + 1);
	size_t len = 0;
	char chunk[1024];
	*late = false;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int left = ms_left(deadline_ns);
		if (left == 0) {
			*late = true;
			break;
		}
		if (stop && *stop) {
			*stopped = true;
			break;
		}
		/* A signal interrupts poll; the slice bounds the wait for a
		 * stop that came just before it. */
		if (stop && (left == INT_MAX || left > STOP_SLICE_MS))
			left = STOP_SLICE_MS;
		int pr = poll(&pfd, 1, left == INT_MAX ? -1 : left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			break;
		if (pr == 0)
			continue; /* the deadline is checked above */
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t take = (size_t)n;
		if (take > STDERR_KEEP - len)
			take = STDERR_KEEP - len;
		memcpy(buf + len, chunk, take);
		len += take;
	}
	buf[len] = '\0';
	return buf;
}

/* Waits for pid until the deadline or *stop; then kills it (SIGKILL: a
 * hung gnuplot may ignore gentler signals) and reaps it. Returns the wait
 * status; sets *late or *stopped if it had to be killed. */
static int reap_until(pid_t pid, uint64_t deadline_ns,
		      const volatile sig_atomic_t *stop, bool *late,
		      bool *stopped)
{
	int status = 0;
	for (;;) {
		bool killed = *late || *stopped;
		pid_t w = waitpid(pid, &status, killed ? 0 : WNOHANG);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (w == 0 && ms_left(deadline_ns) == 0) {
			*late = true;
			kill(pid, SIGKILL);
			continue;
		}
		if (w == 0 && stop && *stop) {
			*stopped = true;
			kill(pid, SIGKILL);
			continue;
		}
		if (w == 0)
			poll(NULL, 0, 10);
	}
}

/* The first meaningful lines of gnuplot's stderr joined by "; ", leaving
 * out blank lines and the caret lines that point into an echoed command,
 * so the diagnostic stays one line. */
static char *summarize(const char *err)
{
	char *out = sim_xstrdup("");
	unsigned taken = 0;
	for (const char *p = err; *p && taken < STDERR_LINES;) {
		const char *end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		const char *s = p, *e = end;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		bool carets = true;
		for (const char *q = s; q < e; q++)
			carets = carets && (*q == '^' || *q == ' ');
		if (s < e && !carets) {
			char *next = sim_xasprintf("%s%s%.*s", out,
						   taken ? "; " : "",
						   (int)(e - s), s);
			free(out);
			out = next;
			taken++;
		}
		p = *end ? end + 1 : end;
	}
	return out;
}

/* How gnuplot ended. */
typedef struct gp_result {
	bool late;   /* killed at the time limit */
	bool stopped; /* killed because *stop was set */
	int status;  /* wait status, or -1 if it could not be had */
	char *text;  /* the first STDERR_KEEP bytes of its stderr */
} gp_result;

/* Runs gnuplot on one script (an absolute path) in the folder data_dir,
 * its plot going to the open file out_fd. Returns 0 with *res filled, or
 * SIM_ETOOL if gnuplot could not be started (reported). */
static int run_gnuplot(const char *gnuplot, const char *script_abs,
		       const char *shown, const char *data_dir,
		       const char *prelude, int out_fd,
		       bool svg, uint64_t timeout_ns,
		       const volatile sig_atomic_t *stop, gp_result *res,
		       sim_diag *d)
{
	memset(res, 0, sizeof *res);
	int fds[2];
	/* Close-on-exec keeps both ends out of gnuplot except as the
	 * stderr that the file actions install. */
	if (pipe2(fds, O_CLOEXEC) != 0) {
		sim_diag_error(d, shown, 0, 0, "cannot run gnuplot: %s",
			       strerror(errno));
		return SIM_ETOOL;
	}
	/* The only strings gnuplot is given are fixed: the data folder is
	 * its working directory and the plot is descriptor 3. datadir stays
	 * defined for scripts that still write datadir.'/NAME.csv'. */
	char *q_out = gp_quote("/dev/fd/3"), *q_dir = gp_quote(".");
	char *setup = sim_xasprintf("datadir=%s; outfile=%s; svg=%d; %s",
				    q_dir, q_out, svg ? 1 : 0, prelude);
	free(q_out);
	free(q_dir);
	/* -d skips ~/.gnuplot and the system init file, whose settings would
	 * make plots differ between machines. */
	char *argv[] = {
		sim_xstrdup(gnuplot), sim_xstrdup("-d"), sim_xstrdup("-e"),
		setup,		      sim_xstrdup(script_abs), NULL,
	};
	/* dup2 onto itself would leave close-on-exec set on descriptor 3. */
	int src = out_fd == 3 ? fcntl(out_fd, F_DUPFD_CLOEXEC, 4) : out_fd;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, data_dir);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_adddup2(&fa, src, 3);
	pid_t pid;
	int err = src < 0 ? errno
			  : posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (src != out_fd && src >= 0)
		close(src);
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	close(fds[1]);
	if (err != 0) {
		close(fds[0]);
		sim_diag_error(d, shown, 0, 0, "cannot run %s in %s: %s",
			       gnuplot, data_dir, strerror(err));
		return SIM_ETOOL;
	}
	uint64_t deadline = deadline_after(timeout_ns);
	res->text = read_until(fds[0], deadline, stop, &res->late,
			       &res->stopped);
	close(fds[0]);
	if (res->late || res->stopped)
		kill(pid, SIGKILL);
	res->status = reap_until(pid, deadline, stop, &res->late,
				 &res->stopped);
	/* A stop that came while gnuplot ran is a stop even when gnuplot
	 * ended first: a terminal's Ctrl-C and timeout(1) signal the whole
	 * process group, and gnuplot may die of that signal, closing its
	 * pipe, before this process runs its handler (poll reports the
	 * closed pipe rather than the interruption). Without this the run
	 * was published with "gnuplot failed: killed by signal 15". */
	bool clean = res->status >= 0 && WIFEXITED(res->status) &&
		     WEXITSTATUS(res->status) == 0;
	if (stop && *stop && !clean)
		res->stopped = true;
	return 0;
}

/* "60s" or "1500ms" for a limit in ns. */
static char *show_limit(uint64_t ns)
{
	if (ns % UINT64_C(1000000000) == 0)
		return sim_xasprintf("%llus",
				     (unsigned long long)(ns / 1000000000));
	return sim_xasprintf("%llums",
			     (unsigned long long)((ns + 999999) / 1000000));
}

/* Reports how gnuplot failed, in one line naming the script. */
static void report_failure(const gp_result *res, const char *shown,
			   uint64_t timeout_ns, sim_diag *d)
{
	if (res->late) {
		char *lim = show_limit(timeout_ns);
		sim_diag_error(d, shown, 0, 0,
			       "gnuplot did not finish within %s and was "
			       "killed (expected a plot in less time; "
			       "%s=TIME sets the limit)",
			       lim, SIM_PLOTS_TIMEOUT_ENV);
		free(lim);
		return;
	}
	char *sum = summarize(res->text ? res->text : "");
	if (sum[0])
		sim_diag_error(d, shown, 0, 0, "gnuplot failed: %s", sum);
	else if (res->status >= 0 && WIFSIGNALED(res->status))
		sim_diag_error(d, shown, 0, 0,
			       "gnuplot failed: killed by signal %d",
			       WTERMSIG(res->status));
	else
		sim_diag_error(d, shown, 0, 0, "gnuplot failed: exit status %d",
			       res->status >= 0 && WIFEXITED(res->status)
				       ? WEXITSTATUS(res->status)
				       : -1);
	free(sum);
}

/* Renders script NAME.gp into out_dir/NAME.ext through sim_file: the plot
 * never appears half-written, and a failure leaves nothing behind. */
static int render_one(const char *gnuplot, const char *scripts_dir,
		      const char *name, const char *data_dir,
		      const char *prelude, const char *out_dir, bool svg, uint64_t timeout_ns,
		      const volatile sig_atomic_t *stop, sim_diag *d)
{
	const char *ext = svg ? "svg" : "png";
	size_t stem = strlen(name) - 3;
	char *shown = sim_xasprintf("%s/%s", scripts_dir, name);
	char *script = realpath(shown, NULL);
	char *final = sim_xasprintf("%s/%.*s.%s", out_dir, (int)stem, name,
				    ext);
	int rc = 0;
	if (!script)
		rc = sim_file_io_error(d, shown, "read", errno);
	sim_file out = {.fd = -1};
	/* A plot replaces the one drawn before (vdcsim plot DIR draws
	 * again), but never a link or device planted in its place. */
	if (rc == 0)
		rc = sim_file_open(&out, final, SIM_FILE_REPLACE, d);
	gp_result res = {0};
	if (rc == 0)
		rc = run_gnuplot(gnuplot, script, shown, data_dir, prelude,
				 out.fd, svg,
				 timeout_ns, stop, &res, d);
	if (rc == 0 && res.stopped) {
		sim_diag_error(d, shown, 0, 0, "interrupted: gnuplot was "
			       "stopped before it finished this plot");
		rc = SIM_EINTR;
	} else if (rc == 0) {
		bool ok = res.status >= 0 && !res.late &&
			  WIFEXITED(res.status) &&
			  WEXITSTATUS(res.status) == 0;
		struct stat sb;
		/* gnuplot's own write failures are often silent (cairo
		 * ignores them): a full disk is asked of the file system, and
		 * said instead of whatever gnuplot made of it. */
		if (sim_fs_is_full(out.fd)) {
			rc = sim_file_io_error(d, final, "write the plot",
					       ENOSPC);
		} else if (at_size_limit(out.fd)) {
			rc = sim_file_io_error(d, final, "write the plot",
					       EFBIG);
		} else if (!ok) {
			report_failure(&res, shown, timeout_ns, d);
			rc = SIM_ETOOL;
		} else if (fstat(out.fd, &sb) != 0 || sb.st_size == 0) {
			sim_diag_error(d, shown, 0, 0,
				       "gnuplot wrote no plot (the script "
				       "must 'set output outfile')");
			rc = SIM_ETOOL;
		}
	}
	if (rc == 0)
		rc = sim_file_commit(&out, d);
	else
		sim_file_abort(&out);
	free(res.text);
	free(shown);
	free(script);
	free(final);
	return rc;
}

int sim_plots_render(const char *scripts_dir, const char *data_dir,
		     const char *out_dir, bool svg, unsigned *made,
		     bool *skipped, sim_diag *d)
{
	return sim_plots_render_timeout(scripts_dir, data_dir, out_dir, svg,
					SIM_PLOTS_TIMEOUT_NS, NULL, made,
					skipped, d);
}

int sim_plots_render_timeout(const char *scripts_dir, const char *data_dir,
			     const char *out_dir, bool svg,
			     uint64_t timeout_ns,
			     const volatile sig_atomic_t *stop, unsigned *made,
			     bool *skipped, sim_diag *d)
{
	return sim_plots_render_only(scripts_dir, NULL, data_dir, out_dir, svg,
				     timeout_ns, stop, made, skipped, d);
}

/* True if only is NULL or names the script NAME.gp. */
static bool selected(const char *const *only, const char *script)
{
	if (!only)
		return true;
	size_t n = strlen(script) - 3;
	for (size_t i = 0; only[i]; i++)
		if (strlen(only[i]) == n && strncmp(only[i], script, n) == 0)
			return true;
	return false;
}

int sim_plots_render_only(const char *scripts_dir, const char *const *only,
			  const char *data_dir, const char *out_dir, bool svg,
			  uint64_t timeout_ns,
			  const volatile sig_atomic_t *stop, unsigned *made,
			  bool *skipped, sim_diag *d)
{
	unsigned made_here = 0;
	bool skipped_here = false;
	if (!made)
		made = &made_here;
	if (!skipped)
		skipped = &skipped_here;
	*made = 0;
	*skipped = false;
	if (!scripts_dir || !data_dir || !out_dir) {
		sim_diag_error(d, NULL, 0, 0, "sim_plots_render: missing folder");
		return SIM_EINPUT;
	}
	char *gnuplot = find_gnuplot();
	if (!gnuplot) {
		*skipped = true;
		return 0;
	}
	sim_name_list scripts = {0};
	int rc = list_scripts(scripts_dir, &scripts, d);
	char *prelude = sim_plots_prelude(data_dir);
	/* A script that fails (SIM_ETOOL) is reported and the others are
	 * still drawn; an interruption or a write failure stops them. */
	int failed = 0;
	for (size_t i = 0; rc == 0 && i < scripts.n; i++) {
		if (!selected(only, scripts.v[i]))
			continue;
		char *script = sim_xasprintf("%s/%s", scripts_dir, scripts.v[i]);
		plot_rule rule;
		char *why = NULL;
		rc = read_rule(script, &rule, d);
		int applies = rc == 0 ? rule_applies(script, &rule, data_dir,
						     &why, d) : 0;
		free(script);
		free(why);
		if (applies < 0)
			rc = applies;
		if (rc == 0 && applies == 1) {
			rc = render_one(gnuplot, scripts_dir, scripts.v[i],
					data_dir, prelude, out_dir, svg,
					timeout_ns,
					stop, d);
			if (rc == 0)
				(*made)++;
		}
		rule_free(&rule);
		if (rc == SIM_ETOOL) {
			failed = rc;
			rc = 0;
		}
	}
	if (rc == 0)
		rc = failed;
	sim_names_free(&scripts);
	free(prelude);
	free(gnuplot);
	return rc;
}

int sim_plots_list(const char *scripts_dir, const char *data_dir,
		   sim_plot_info **out, size_t *n, sim_diag *d)
{
	*out = NULL;
	*n = 0;
	sim_name_list scripts = {0};
	int rc = list_scripts(scripts_dir, &scripts, d);
	sim_plot_info *v = sim_xcalloc(scripts.n ? scripts.n : 1, sizeof *v);
	for (size_t i = 0; rc == 0 && i < scripts.n; i++) {
		char *script = sim_xasprintf("%s/%s", scripts_dir, scripts.v[i]);
		plot_rule rule;
		rc = read_rule(script, &rule, d);
		char *why = NULL;
		int applies = rc == 0 ? rule_applies(script, &rule, data_dir,
						     &why, d) : 0;
		free(script);
		rule_free(&rule);
		if (applies < 0) {
			rc = applies;
			break;
		}
		size_t len = strlen(scripts.v[i]);
		v[i].name = sim_xasprintf("%.*s", (int)(len - 3), scripts.v[i]);
		v[i].applies = applies == 1;
		v[i].why = why;
		(*n)++;
	}
	sim_names_free(&scripts);
	if (rc != 0) {
		sim_plots_list_free(v, *n);
		*n = 0;
		return rc;
	}
	*out = v;
	return 0;
}

void sim_plots_list_free(sim_plot_info *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].why);
	}
	free(v);
}

/* Reads a whole file (at most SIM_PLOTS_SCRIPT_MAX bytes, no NUL) into a
 * new string, or NULL with a message. */
static char *read_script(const char *path, sim_diag *d)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		sim_diag_error(d, path, 0, 0, "cannot read the plot script: %s",
			       strerror(errno));
		return NULL;
	}
	char *buf = sim_xmalloc(SIM_PLOTS_SCRIPT_MAX + 2);
	size_t n = fread(buf, 1, SIM_PLOTS_SCRIPT_MAX + 1, f);
	bool bad = ferror(f);
	fclose(f);
	buf[n] = '\0';
	if (bad || n > SIM_PLOTS_SCRIPT_MAX || strlen(buf) != n) {
		sim_diag_error(d, path, 0, 0, "%s (expected a gnuplot script "
			       "of at most %d bytes of text)",
			       bad ? "cannot read the plot script"
				   : n > SIM_PLOTS_SCRIPT_MAX ? "too long"
							      : "holds a NUL byte",
			       SIM_PLOTS_SCRIPT_MAX);
		free(buf);
		return NULL;
	}
	return buf;
}

char *sim_plots_audit_file(const char *path, const char *const *tables,
			   sim_diag *d)
{
	char *text = read_script(path, d);
	if (text && sim_plots_audit(text, path, tables, d) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int sim_plots_render_own(const char *script, const char *const *tables,
			 const char *data_dir, const char *out_dir, bool svg,
			 uint64_t timeout_ns,
			 const volatile sig_atomic_t *stop, unsigned *made,
			 bool *skipped, sim_diag *d)
{
	*skipped = false;
	/* Audited again at every draw: the copy in a results directory may
	 * have been edited since the run. */
	char *text = sim_plots_audit_file(script, tables, d);
	if (!text)
		return SIM_EINPUT;
	free(text);
	char *gnuplot = find_gnuplot();
	if (!gnuplot) {
		*skipped = true;
		return 0;
	}
	const char *slash = strrchr(script, '/');
	const char *name = slash ? slash + 1 : script;
	char *dir = slash ? sim_xasprintf("%.*s", (int)(slash - script), script)
			  : sim_xstrdup(".");
	char *labels = sim_plots_prelude(data_dir);
	/* vdcsim sets the terminal and the output: the script may set
	 * neither. */
	char *prelude = sim_xasprintf(
		"%s; if (svg) { set terminal svg size 800,500 dynamic "
		"background rgb 'white' } else { set terminal pngcairo size "
		"800,500 background rgb 'white' }; set output outfile",
		labels);
	free(labels);
	int rc = render_one(gnuplot, dir, name, data_dir, prelude, out_dir, svg,
			    timeout_ns, stop, d);
	if (rc == 0)
		(*made)++;
	free(prelude);
	free(dir);
	free(gnuplot);
	return rc;
}
