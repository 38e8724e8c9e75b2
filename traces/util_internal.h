/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the utilisation-trace files of traces/ (util.c,
 * util_dir.c) and by nothing outside the folder.
 */
#ifndef VDCSIM_UTIL_INTERNAL_H
#define VDCSIM_UTIL_INTERNAL_H

#include "trace.h"

/* Reads the whole file at path into a new buffer *buf of *len bytes (the
 * caller frees it). Returns 0, SIM_EIO ("path: reason (expected a readable
 * utilisation trace)") or SIM_EINPUT for a file over 1 GiB. */
int util_read_file(const char *path, char **buf, size_t *len, sim_diag *d);
/* Reports errno value err for path as util_read_file does; returns
 * SIM_EIO. */
int util_io_error(sim_diag *d, const char *path, int err);

#endif /* VDCSIM_UTIL_INTERNAL_H */
