/* SPDX-License-Identifier: MIT */
/*
 * The loader context: replayed traces read once per process. The points of
 * a sweep load the same config many times with one parameter changed; a
 * trace they all replay is read at the first point and borrowed by the
 * others. Traces are looked up by the path they are read from (the config
 * folder joined to the configured path), in insertion order, so nothing
 * here depends on hashing or addresses.
 */
#include "dc_internal.h"

#include <stdlib.h>
#include <string.h>

struct dc_loader {
	char **paths;
	trace_pages **traces;
	size_t n, cap;
	size_t reads;
	struct dc_utils *utils; /* utilisation traces (demand.c) */
};

dc_loader *dc_loader_create(void)
{
	return sim_xcalloc(1, sizeof(dc_loader));
}

void dc_loader_destroy(dc_loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->paths[i]);
		trace_pages_destroy(l->traces[i]);
	}
	dc_utils_destroy(l->utils);
	free(l->paths);
	free(l->traces);
	free(l);
}

size_t dc_loader_reads(const dc_loader *l)
{
	return l ? l->reads : 0;
}

size_t dc_loader_count(const dc_loader *l)
{
	return l ? l->n : 0;
}

const char *dc_loader_path(const dc_loader *l, size_t i)
{
	return l && i < l->n ? l->paths[i] : NULL;
}

static long find(const dc_loader *l, const char *path)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strcmp(l->paths[i], path) == 0)
			return (long)i;
	return -1;
}

bool dc_loader_has(const dc_loader *l, const char *path)
{
	return find(l, path) >= 0;
}

int dc_loader_trace(dc_loader *l, const char *path, trace_pages **out,
		    sim_diag *d)
{
	if (!l)
		return trace_pages_load(path, out, d);
	long i = find(l, path);
	if (i >= 0) {
		*out = l->traces[i];
		return 0;
	}
	/* A trace that fails is not kept: the next point reads it again
	 * and reports the same errors at its own position. */
	l->reads++;
	int rc = trace_pages_load(path, out, d);
	if (rc != 0)
		return rc;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4;
		l->paths = sim_xrealloc(l->paths, l->cap, sizeof *l->paths);
		l->traces = sim_xrealloc(l->traces, l->cap, sizeof *l->traces);
	}
	l->paths[l->n] = sim_xstrdup(path);
	l->traces[l->n++] = *out;
	return 0;
}

struct dc_utils **dc_loader_utils(dc_loader *l)
{
	return &l->utils;
}
