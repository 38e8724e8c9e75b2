/* SPDX-License-Identifier: MIT */
/*
 * Parameter paths of a plan: the canonical form of a sweep axis or --set
 * path (sequence indices without leading zeros, so that vms.0.memory and
 * vms.00.memory name one parameter), the check that no two axes set the
 * same parameter or one inside another, that no --set sets what a sweep
 * axis sets, and that a --set path is UTF-8.
 */
#include "cli_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cli_path_canonical(const char *path)
{
	size_t n = strlen(path);
	char *out = sim_xmalloc(n + 1), *o = out;
	const char *s = path;
	for (;;) {
		size_t len = strcspn(s, ".");
		bool digits = len > 0;
		for (size_t i = 0; i < len; i++)
			digits &= s[i] >= '0' && s[i] <= '9';
		size_t skip = 0;
		while (digits && skip + 1 < len && s[skip] == '0')
			skip++;
		memcpy(o, s + skip, len - skip);
		o += len - skip;
		if (!s[len])
			break;
		*o++ = '.';
		s += len + 1;
	}
	*o = '\0';
	return out;
}

bool cli_paths_overlap(const char *a, const char *b)
{
	/* Component by component, '*' matching any component: overlapping
	 * when one path's components all match the other's leading ones. */
	for (;;) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		bool star = (la == 1 && a[0] == '*') || (lb == 1 && b[0] == '*');
		if (!star && (la != lb || strncmp(a, b, la) != 0))
			return false;
		if (!a[la] || !b[lb])
			return true;
		a += la + 1;
		b += lb + 1;
	}
}

int cli_check_axes(const cli_plan *p, sim_diag *d)
{
	unsigned before = d->errors;
	for (size_t i = 1; i < p->naxes; i++) {
		for (size_t j = 0; j < i; j++) {
			if (!cli_paths_overlap(p->axes[i].path, p->axes[j].path))
				continue;
			const cfg_node *ki = p->axes[i].key;
			const cfg_node *kj = p->axes[j].key;
			char *a = sim_escape(cfg_node_text(ki));
			char *b = sim_escape(cfg_node_text(kj));
			bool same = strcmp(p->axes[i].path, p->axes[j].path) == 0;
			cfg_error(d, ki,
				  "sweep: '%s' %s '%s' swept at %u:%u "
				  "(expected each parameter swept once: "
				  "merge their lists into one axis)",
				  a, same ? "is the same parameter as"
					  : "overlaps",
				  b, cfg_node_line(kj), cfg_node_col(kj));
			free(a);
			free(b);
			break;
		}
	}
	return d->errors == before ? 0 : SIM_EINPUT;
}

int cli_check_set_path(const char *arg, sim_diag *d)
{
	const unsigned char *s = (const unsigned char *)arg;
	size_t end = strcspn(arg, "=");
	for (size_t i = 0; i < end;) {
		uint32_t cp;
		size_t n = sim_utf8_decode(s + i, end - i, &cp);
		if (n == 0) {
			sim_diag_error(d, "--set", 1, (unsigned)(i + 1),
				       "invalid UTF-8 byte 0x%02x (expected "
				       "UTF-8 text)", s[i]);
			return SIM_EINPUT;
		}
		i += n;
	}
	return 0;
}

int cli_check_sets(const cli_plan *p, char *const *sets, size_t nsets,
		   sim_diag *d)
{
	unsigned before = d->errors;
	for (size_t i = 0; i < nsets; i++) {
		const char *eq = strchr(sets[i], '=');
		if (!eq)
			continue;
		char *raw = sim_xasprintf("%.*s", (int)(eq - sets[i]), sets[i]);
		char *path = cli_path_canonical(raw);
		for (size_t a = 0; a < p->naxes; a++) {
			if (!cli_paths_overlap(path, p->axes[a].path))
				continue;
			const cfg_node *k = p->axes[a].key;
			char *s = sim_escape(raw);
			char *t = sim_escape(cfg_node_text(k));
			sim_diag_error(d, "--set", 1, 1,
				       "override '%s' sets what sweep axis '%s' "
				       "(%s:%u:%u) sets at every point "
				       "(expected --set on a parameter the "
				       "sweep leaves alone: change the sweep's "
				       "list instead)",
				       s, t, cfg_node_file(k), cfg_node_line(k),
				       cfg_node_col(k));
			free(s);
			free(t);
			break;
		}
		free(path);
		free(raw);
	}
	return d->errors == before ? 0 : SIM_EINPUT;
}
