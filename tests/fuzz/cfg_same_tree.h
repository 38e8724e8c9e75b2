/* SPDX-License-Identifier: MIT */
/*
 * The round-trip property shared by the config fuzz test and the libFuzzer
 * entry point: two trees are the same if kinds, texts and keys agree.
 */
#ifndef VDCSIM_TESTS_CFG_SAME_TREE_H
#define VDCSIM_TESTS_CFG_SAME_TREE_H

#include <stdbool.h>
#include <string.h>

#include "sim.h"

/* Same kinds, texts and keys; a quoted scalar reads back quoted (a plain
 * one may come back quoted where plain style cannot hold its text). */
static inline bool cfg_same_tree(const cfg_node *a, const cfg_node *b)
{
	if (cfg_node_kind(a) != cfg_node_kind(b) ||
	    cfg_node_len(a) != cfg_node_len(b))
		return false;
	if (cfg_node_kind(a) == CFG_SCALAR)
		return strcmp(cfg_node_text(a), cfg_node_text(b)) == 0 &&
		       (!cfg_node_is_quoted(a) || cfg_node_is_quoted(b));
	for (size_t i = 0; i < cfg_node_len(a); i++) {
		if (cfg_node_kind(a) == CFG_MAP &&
		    !cfg_same_tree(cfg_node_key(a, i), cfg_node_key(b, i)))
			return false;
		if (!cfg_same_tree(cfg_node_at(a, i), cfg_node_at(b, i)))
			return false;
	}
	return true;
}

#endif /* VDCSIM_TESTS_CFG_SAME_TREE_H */
