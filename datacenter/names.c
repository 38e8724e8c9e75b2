/* SPDX-License-Identifier: MIT */
/*
 * A map from borrowed names to indices (VM names to their place in vms:),
 * by open addressing over FNV-1a hashes. Only lookups go through it: nothing
 * iterates it, so its order never reaches results.
 */
#include "dc_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
	const char *name; /* NULL: empty */
	size_t value;
} slot;

struct dc_names {
	slot *slots;
	size_t cap; /* a power of two, at least twice the count */
	size_t count;
};

static size_t capacity_for(size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	return cap;
}

dc_names *dc_names_create(size_t expected)
{
	dc_names *m = sim_xcalloc(1, sizeof *m);
	m->cap = capacity_for(expected);
	m->slots = sim_xcalloc(m->cap, sizeof *m->slots);
	return m;
}

void dc_names_destroy(dc_names *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static size_t home(const dc_names *m, const char *name)
{
	return (size_t)sim_hash64(name, strlen(name)) & (m->cap - 1);
}

static void grow(dc_names *m)
{
	slot *old = m->slots;
	size_t old_cap = m->cap;
	m->cap *= 2;
	m->slots = sim_xcalloc(m->cap, sizeof *m->slots);
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].name)
			continue;
		size_t k = home(m, old[i].name);
		while (m->slots[k].name)
			k = (k + 1) & (m->cap - 1);
		m->slots[k] = old[i];
	}
	free(old);
}

size_t dc_names_add(dc_names *m, const char *name, size_t value)
{
	if (2 * (m->count + 1) > m->cap)
		grow(m);
	size_t k = home(m, name);
	for (; m->slots[k].name; k = (k + 1) & (m->cap - 1))
		if (strcmp(m->slots[k].name, name) == 0)
			return m->slots[k].value;
	m->slots[k].name = name;
	m->slots[k].value = value;
	m->count++;
	return value;
}

long dc_names_find(const dc_names *m, const char *name)
{
	if (!m || !name)
		return -1;
	for (size_t k = home(m, name); m->slots[k].name;
	     k = (k + 1) & (m->cap - 1))
		if (strcmp(m->slots[k].name, name) == 0)
			return (long)m->slots[k].value;
	return -1;
}
