/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared between the files of models/network/ and nowhere
 * else: the topology's freeze switch, which only a net may throw.
 */
#ifndef VDCSIM_NET_INTERNAL_H
#define VDCSIM_NET_INTERNAL_H

#include "net.h"

/* Forbids further nodes and links, so that a net's per-link state keeps
 * matching the topology it was built on. */
void topo_freeze(net_topo *t);

#endif /* VDCSIM_NET_INTERNAL_H */
