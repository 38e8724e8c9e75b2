/* SPDX-License-Identifier: MIT */
/*
 * A folder of utilisation traces, one VM per file, loaded in strcmp order
 * of the file names so that VM order never depends on the order in which
 * the file system lists them. Parsing one file is in util.c.
 */
#include "trace.h"
#include "util_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* Whether file `name` of the folder is a trace of format fmt. */
static bool is_trace_name(const char *name, trace_util_format fmt)
{
	if (name[0] == '.')
		return false;
	if (fmt == TRACE_UTIL_BITBRAINS)
		return ends_with(name, ".csv") && strlen(name) > 4;
	return !ends_with(name, ".md") && !ends_with(name, ".tsv") &&
	       !ends_with(name, ".txt");
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int dir_error(sim_diag *d, const char *dir, int err)
{
	char msg[256];
	if (strerror_r(err, msg, sizeof msg))
		snprintf(msg, sizeof msg, "error %d", err);
	sim_diag_error(d, dir, 0, 0,
		       "%s (expected a readable folder of utilisation traces)",
		       msg);
	return SIM_EIO;
}

/* The sorted names of the regular trace files of dir. */
static int list_names(const char *dir, trace_util_format fmt, char ***out,
		      size_t *count, sim_diag *d)
{
	*out = NULL;
	*count = 0;
	DIR *dp = opendir(dir);
	if (!dp)
		return dir_error(d, dir, errno);
	size_t n = 0, cap = 64;
	char **names = sim_xmalloc(cap * sizeof *names);
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(dp);
		if (!e) {
			if (errno) {
				int err = errno;
				closedir(dp);
				free_names(names, n);
				return dir_error(d, dir, err);
			}
			break;
		}
		if (!is_trace_name(e->d_name, fmt))
			continue;
		struct stat st;
		/* Follows links, as opening the file will. */
		if (fstatat(dirfd(dp), e->d_name, &st, 0) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap *= 2;
			names = sim_xrealloc(names, cap, sizeof *names);
		}
		names[n++] = sim_xstrdup(e->d_name);
	}
	closedir(dp);
	if (n == 0) {
		free(names);
		sim_diag_error(d, dir, 0, 0,
			       "no trace files in the folder (expected %s)",
			       fmt == TRACE_UTIL_BITBRAINS
				       ? "Bitbrains files named *.csv"
				       : "PlanetLab files, one per VM");
		return SIM_EINPUT;
	}
	qsort(names, n, sizeof *names, name_cmp);
	*out = names;
	*count = n;
	return 0;
}

int trace_util_dir_load(const char *dir, trace_util_format fmt,
			trace_util_set **out, sim_diag *d)
{
	*out = NULL;
	char **names;
	size_t n;
	int rc = list_names(dir, fmt, &names, &n, d);
	if (rc)
		return rc;
	trace_util_set *s = sim_xcalloc(1, sizeof *s);
	s->vm = sim_xcalloc(n, sizeof *s->vm);
	size_t dl = strlen(dir);
	bool slash = dl && dir[dl - 1] == '/';
	for (size_t i = 0; i < n && !rc; i++) {
		char *path = sim_xasprintf("%s%s%s", dir, slash ? "" : "/",
					   names[i]);
		rc = trace_util_load(path, fmt, &s->vm[i], d);
		free(path);
		if (!rc)
			s->n++;
	}
	free_names(names, n);
	if (rc) {
		trace_util_set_destroy(s);
		return rc;
	}
	*out = s;
	return 0;
}

void trace_util_set_destroy(trace_util_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		trace_util_destroy(s->vm[i]);
	free(s->vm);
	free(s);
}
