/* SPDX-License-Identifier: MIT */
/*
 * Temporary folders for the sim/ test programs that write files: made
 * from a mkdtemp template in a suite's .init, removed with everything
 * below them in its .fini. Header-only, so each Criterion program includes
 * it without a build change; nothing here belongs to the library.
 */
#ifndef VDCSIM_TESTS_SIM_TMPDIR_H
#define VDCSIM_TESTS_SIM_TMPDIR_H

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"

/* Makes a new folder from template (ending in XXXXXX) and writes its name
 * into dir, which holds cap bytes. Fails the test if it cannot (a
 * template cut to fit is no template, so mkdtemp refuses it). */
static inline void tmpdir_make(char *dir, size_t cap, const char *template)
{
	snprintf(dir, cap, "%s", template);
	cr_assert(mkdtemp(dir) != NULL);
}

/* A path inside folder dir; the caller frees it. */
static inline char *tmpdir_path(const char *dir, const char *name)
{
	return sim_xasprintf("%s/%s", dir, name);
}

/* Removes path and, for a folder, everything below it. */
static inline void tmpdir_remove_tree(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode)) {
		DIR *dh = opendir(path);
		struct dirent *de;
		while (dh && (de = readdir(dh)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			char *sub = sim_xasprintf("%s/%s", path, de->d_name);
			tmpdir_remove_tree(sub);
			free(sub);
		}
		if (dh)
			closedir(dh);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* Removes the folder tmpdir_make wrote into dir, if it made one. */
static inline void tmpdir_remove(const char *dir)
{
	if (dir[0])
		tmpdir_remove_tree(dir);
}

#endif
