/* SPDX-License-Identifier: MIT */
/*
 * Where vdcsim's data files (configs/, plots/) are: a source tree when the
 * executable runs from its build tree, or the installed share/vdcsim.
 */
#include "cli_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vdcsim_config.h"

static bool has_data(const char *dir)
{
	char *p = sim_xasprintf("%s/plots", dir);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return ok;
}

/* The directory holding this executable, from /proc/self/exe. */
static char *exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return sim_xstrdup(buf);
}

char *cli_datadir(void)
{
	const char *env = getenv("VDCSIM_DATADIR");
	if (env && *env)
		return has_data(env) ? sim_xstrdup(env) : NULL;
	char *exe = exe_dir();
	if (exe) {
		/* A build tree has meson-private/ at its root, one level above
		 * cli/ where the executable is built. */
		char *mp = sim_xasprintf("%s/../meson-private", exe);
		struct stat st;
		bool in_build = stat(mp, &st) == 0;
		free(mp);
		if (in_build && has_data(VDCSIM_SOURCE_DIR)) {
			free(exe);
			return sim_xstrdup(VDCSIM_SOURCE_DIR);
		}
		char *rel = sim_xasprintf("%s/../share/vdcsim", exe);
		free(exe);
		if (has_data(rel)) {
			char *real = realpath(rel, NULL);
			free(rel);
			return real;
		}
		free(rel);
	}
	if (has_data(VDCSIM_INSTALL_DATADIR))
		return sim_xstrdup(VDCSIM_INSTALL_DATADIR);
	if (has_data(VDCSIM_SOURCE_DIR))
		return sim_xstrdup(VDCSIM_SOURCE_DIR);
	return NULL;
}
