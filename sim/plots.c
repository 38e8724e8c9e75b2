/* SPDX-License-Identifier: MIT */
/*
 * Plots: runs gnuplot on each plots/NAME.gp whose "# needs:" tables have
 * data, writing NAME.png or NAME.svg through a temporary name. gnuplot is
 * an optional run-time tool: without it nothing is drawn and the caller is
 * told. No shell is involved; paths reach gnuplot as argv and -e strings.
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

extern char **environ;

/* Lines of a script searched for its "# needs:" declaration. */
#define NEEDS_LINES 10
/* Bytes of gnuplot's stderr kept for the error message. */
#define STDERR_KEEP 4096
/* Lines of gnuplot's stderr quoted in the error message. */
#define STDERR_LINES 3

typedef struct name_list {
	char **v;
	size_t n;
} name_list;

static void names_add(name_list *l, char *s)
{
	l->v = sim_xrealloc(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
}

static void names_free(name_list *l)
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

/* gnuplot receives paths inside single-quoted strings, where a quote
 * cannot be written portably and a line break ends the command. Such paths
 * are refused rather than mangled. */
static int check_quotable(const char *path, sim_diag *d)
{
	if (!strpbrk(path, "'\r\n"))
		return 0;
	sim_diag_error(d, path, 0, 0,
		       "path contains a single quote or a line break, which "
		       "cannot be passed to gnuplot (rename it)");
	return SIM_EINPUT;
}

/* The *.gp files of dir, sorted bytewise (not by locale) so that plots are
 * drawn, and errors met, in the same order everywhere. */
static int list_scripts(const char *dir, name_list *out, sim_diag *d)
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
			names_add(out, sim_xstrdup(de->d_name));
	}
	closedir(dh);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_names);
	return 0;
}

/* Reads the tables named on the first "# needs: a, b" line among the
 * script's first lines. A script without such a line needs nothing. */
static int read_needs(const char *script, name_list *needs, sim_diag *d)
{
	FILE *f = fopen(script, "r");
	if (!f) {
		sim_diag_error(d, script, 0, 0, "cannot read: %s",
			       strerror(errno));
		return SIM_EIO;
	}
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	for (unsigned ln = 1; ln <= NEEDS_LINES; ln++) {
		if (getline(&line, &cap, f) < 0)
			break;
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '#')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "needs:", 6) != 0)
			continue;
		p += 6;
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
				sim_diag_error(d, script, ln,
					       (unsigned)(start - line) + 1,
					       "expected a table name in "
					       "'# needs: table[, table...]'");
				rc = SIM_EINPUT;
				break;
			}
			char *name = sim_xmalloc((size_t)(end - start) + 1);
			memcpy(name, start, (size_t)(end - start));
			name[end - start] = '\0';
			names_add(needs, name);
			if (*p != ',')
				break;
			p++;
		}
		break;
	}
	free(line);
	fclose(f);
	if (rc != 0)
		names_free(needs);
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

static bool needs_met(const char *data_dir, const name_list *needs)
{
	for (size_t i = 0; i < needs->n; i++) {
		char *csv = sim_xasprintf("%s/%s.csv", data_dir, needs->v[i]);
		bool ok = has_data_rows(csv);
		free(csv);
		if (!ok)
			return false;
	}
	return true;
}

/* Reads fd to its end, keeping the first STDERR_KEEP bytes; draining the
 * rest keeps a chatty gnuplot from blocking on a full pipe. */
static char *read_all(int fd)
{
	char *buf = sim_xmalloc(STDERR_KEEP + 1);
	size_t len = 0;
	char chunk[1024];
	for (;;) {
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

/* Runs gnuplot on one script; the plot goes to tmp. On failure returns
 * SIM_ETOOL with gnuplot's message. */
static int run_gnuplot(const char *gnuplot, const char *script,
		       const char *data_dir, const char *tmp, bool svg,
		       sim_diag *d)
{
	int fds[2];
	if (pipe(fds) != 0) {
		sim_diag_error(d, script, 0, 0, "cannot run gnuplot: %s",
			       strerror(errno));
		return SIM_ETOOL;
	}
	/* Close-on-exec keeps both ends out of gnuplot except as the
	 * stderr that the file actions install. */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);

	/* -d skips ~/.gnuplot and the system init file, whose settings would
	 * make plots differ between machines. */
	char *argv[] = {
		sim_xstrdup(gnuplot),
		sim_xstrdup("-d"),
		sim_xstrdup("-e"),
		sim_xasprintf("datadir='%s'; outfile='%s'; svg=%d", data_dir,
			      tmp, svg ? 1 : 0),
		sim_xstrdup(script),
		NULL,
	};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	pid_t pid;
	int err = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	close(fds[1]);
	if (err != 0) {
		close(fds[0]);
		sim_diag_error(d, script, 0, 0, "cannot run %s: %s", gnuplot,
			       strerror(err));
		return SIM_ETOOL;
	}
	char *text = read_all(fds[0]);
	close(fds[0]);
	int status = 0;
	pid_t w;
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	int rc = 0;
	if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *sum = summarize(text);
		if (sum[0])
			sim_diag_error(d, script, 0, 0, "gnuplot failed: %s",
				       sum);
		else if (w >= 0 && WIFSIGNALED(status))
			sim_diag_error(d, script, 0, 0,
				       "gnuplot failed: killed by signal %d",
				       WTERMSIG(status));
		else
			sim_diag_error(d, script, 0, 0,
				       "gnuplot failed: exit status %d",
				       w >= 0 && WIFEXITED(status)
					       ? WEXITSTATUS(status)
					       : -1);
		free(sum);
		rc = SIM_ETOOL;
	}
	free(text);
	return rc;
}

/* Renders script NAME.gp into out_dir/NAME.ext through a temporary file
 * that never survives a failure. */
static int render_one(const char *gnuplot, const char *scripts_dir,
		      const char *name, const char *data_dir,
		      const char *out_dir, bool svg, sim_diag *d)
{
	const char *ext = svg ? "svg" : "png";
	size_t stem = strlen(name) - 3;
	char *script = sim_xasprintf("%s/%s", scripts_dir, name);
	char *tmp = sim_xasprintf("%s/.%.*s.%s.tmp", out_dir, (int)stem, name,
				  ext);
	char *final = sim_xasprintf("%s/%.*s.%s", out_dir, (int)stem, name,
				    ext);
	int rc = check_quotable(tmp, d);
	if (rc == 0) {
		unlink(tmp);
		rc = run_gnuplot(gnuplot, script, data_dir, tmp, svg, d);
	}
	if (rc == 0) {
		struct stat sb;
		if (stat(tmp, &sb) != 0 || sb.st_size == 0) {
			sim_diag_error(d, script, 0, 0,
				       "gnuplot wrote no plot (the script "
				       "must 'set output outfile')");
			rc = SIM_ETOOL;
		}
	}
	if (rc == 0 && rename(tmp, final) != 0) {
		sim_diag_error(d, final, 0, 0, "cannot rename into place: %s",
			       strerror(errno));
		rc = SIM_EIO;
	}
	if (rc != 0)
		unlink(tmp);
	free(script);
	free(tmp);
	free(final);
	return rc;
}

int sim_plots_render(const char *scripts_dir, const char *data_dir,
		     const char *out_dir, bool svg, unsigned *made,
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
	name_list scripts = {0};
	int rc = check_quotable(data_dir, d);
	if (rc == 0)
		rc = check_quotable(out_dir, d);
	if (rc == 0)
		rc = list_scripts(scripts_dir, &scripts, d);
	for (size_t i = 0; rc == 0 && i < scripts.n; i++) {
		char *script = sim_xasprintf("%s/%s", scripts_dir, scripts.v[i]);
		name_list needs = {0};
		rc = read_needs(script, &needs, d);
		free(script);
		if (rc == 0 && needs_met(data_dir, &needs)) {
			rc = render_one(gnuplot, scripts_dir, scripts.v[i],
					data_dir, out_dir, svg, d);
			if (rc == 0)
				(*made)++;
		}
		names_free(&needs);
	}
	names_free(&scripts);
	free(gnuplot);
	return rc;
}
