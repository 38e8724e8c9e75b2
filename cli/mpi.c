/* SPDX-License-Identifier: MIT */
/*
 * `vdcsim run CONFIG --mpi` under mpirun: rank 0 does what `vdcsim run`
 * does alone (the staging directory, resuming, merging, publishing) but
 * hands the runs out one at a time to the other ranks as they ask for
 * them. A worker rank runs its run into a point file of its own (in a
 * private temporary folder, so no shared file system is needed) and sends
 * the file's bytes back; rank 0 stores them as the run's point file
 * exactly as a local run would (.tmp, fsync, rename). The point files are
 * those of -j, so the merged results are the same bytes. Built only with
 * the meson feature `mpi` (VDCSIM_HAVE_MPI); without it --mpi is refused.
 */
#define _GNU_SOURCE
#include "run_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef VDCSIM_HAVE_MPI
#include <mpi.h>

/* One message header: the run (-1: a worker's first "ready"), the size of
 * the point file that follows (-1: the run failed, -2: interrupted) and the
 * length of the messages that follow. */
enum { TAG_HEADER = 1, TAG_DATA = 2, TAG_TEXT = 3, TAG_RUN = 4 };
#define STOP_RUN (-1)
/* Bytes per MPI message of a point file (an int count). */
#define CHUNK (1 << 30)

static int rank = -1, nranks = 0;
static bool *stopped;          /* rank 0: workers told to stop */

bool cli_mpi_built(void)
{
	return true;
}

int cli_mpi_init(int *r, int *n)
{
	int provided;
	if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SINGLE, &provided) !=
	    MPI_SUCCESS)
		return -1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &nranks);
	*r = rank;
	*n = nranks;
	if (rank == 0)
		stopped = sim_xcalloc((size_t)nranks, sizeof *stopped);
	return 0;
}

static void send_run(int to, long long run)
{
	MPI_Send(&run, 1, MPI_LONG_LONG, to, TAG_RUN, MPI_COMM_WORLD);
	if (run == STOP_RUN)
		stopped[to] = true;
}

static void send_bytes(const char *buf, long long len, int tag)
{
	for (long long off = 0; off < len; off += CHUNK) {
		int n = len - off < CHUNK ? (int)(len - off) : CHUNK;
		MPI_Send(buf + off, n, MPI_BYTE, 0, tag, MPI_COMM_WORLD);
	}
}

static char *recv_bytes(int from, long long len, int tag)
{
	char *buf = sim_xcalloc((size_t)len + 1, 1);
	for (long long off = 0; off < len; off += CHUNK) {
		int n = len - off < CHUNK ? (int)(len - off) : CHUNK;
		MPI_Recv(buf + off, n, MPI_BYTE, from, tag, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
	}
	return buf;
}

void cli_mpi_finish(void)
{
	if (rank < 0)
		return;
	/* Rank 0 tells every worker not yet told to stop, after taking the
	 * message each one sends first (or its last result). */
	for (int w = 1; rank == 0 && w < nranks; w++) {
		while (!stopped[w]) {
			long long h[3];
			MPI_Recv(h, 3, MPI_LONG_LONG, w, TAG_HEADER,
				 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			if (h[1] > 0)
				free(recv_bytes(w, h[1], TAG_DATA));
			if (h[2] > 0)
				free(recv_bytes(w, h[2], TAG_TEXT));
			send_run(w, STOP_RUN);
		}
	}
	free(stopped);
	stopped = NULL;
	MPI_Finalize();
	rank = -1;
}

/* Reads the file at path into a new buffer; its size in *len. */
static char *slurp(const char *path, long long *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			buf = sim_xrealloc(buf, cap, 1);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	*len = (long long)n;
	return buf;
}

/* Writes buf as run's point file in staging as run_pool.c does: into
 * .tmp, synced, renamed, the folder synced. */
static int store_point(const char *staging, size_t run, const char *buf,
		       long long len, sim_diag *d)
{
	char *tmp = cli_point_path(staging, run, ".tmp");
	char *fin = cli_point_path(staging, run, "");
	int rc = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		rc = SIM_EIO;
	for (long long off = 0; rc == 0 && off < len;) {
		ssize_t w = write(fd, buf + off, (size_t)(len - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = SIM_EIO;
		else
			off += w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = SIM_EIO;
	if (fd >= 0 && close(fd) != 0)
		rc = SIM_EIO;
	if (rc != 0)
		sim_diag_error(d, NULL, 0, 0, "vdcsim: cannot write '%s': %s",
			       tmp, strerror(errno));
	if (rc == 0)
		rc = sim_path_rename(tmp, fin, true, d);
	if (rc == 0) {
		char *dir = sim_xasprintf("%s/points", staging);
		cli_sync_dir(dir);
		free(dir);
	} else {
		unlink(tmp);
	}
	free(tmp);
	free(fin);
	return rc;
}

int cli_mpi_run_all(const cli_plan *p, const char *staging, cli_progress *pr,
		    sim_diag *d)
{
	size_t *todo = sim_xcalloc(p->nruns ? p->nruns : 1, sizeof *todo);
	size_t ntodo = cli_runs_to_do(p, staging, pr, todo);
	if (nranks < 2) {
		/* No worker: rank 0 runs them (as vdcsim run alone). */
		free(todo);
		return cli_run_all(p, staging, 1, pr, d);
	}
	size_t next = 0;
	int busy = 0, rc = 0;
	bool failed = false;
	/* Every worker sends a header first ("ready", run -1), then one per
	 * run it was given; each is answered with a run or STOP_RUN. */
	int live = nranks - 1;
	while (live > 0) {
		long long h[3];
		MPI_Status st;
		MPI_Recv(h, 3, MPI_LONG_LONG, MPI_ANY_SOURCE, TAG_HEADER,
			 MPI_COMM_WORLD, &st);
		int w = st.MPI_SOURCE;
		char *data = h[1] > 0 ? recv_bytes(w, h[1], TAG_DATA) : NULL;
		char *text = h[2] > 0 ? recv_bytes(w, h[2], TAG_TEXT) : NULL;
		if (h[0] >= 0) {
			busy--;
			if (h[1] >= 0) {
				int src = store_point(staging, (size_t)h[0], data,
						      h[1], d);
				if (src != 0) {
					failed = true;
					rc = src;
				} else {
					pr->done++;
				}
			} else if (h[1] == -2) {
				if (text)
					sim_diag_error(d, NULL, 0, 0, "%s", text);
				if (rc == 0)
					rc = SIM_EINTR;
			} else {
				if (text)
					fputs(text, stderr);
				failed = true;
			}
		}
		free(data);
		free(text);
		if (next < ntodo && !failed && rc == 0 && !cli_stop_signal()) {
			send_run(w, (long long)todo[next++]);
			busy++;
		} else {
			send_run(w, STOP_RUN);
			live--;
		}
		(void)busy;
	}
	free(todo);
	if (failed && rc == 0) {
		sim_diag_error(d, NULL, 0, 0, "vdcsim: a run failed (see above)");
		return SIM_ETOOL;
	}
	if (rc == 0 && cli_stop_signal())
		return SIM_EINTR;
	return rc;
}

int cli_mpi_worker(const cli_plan *p, bool plan_ok)
{
	char dir[] = "/tmp/vdcsim-mpi-XXXXXX";
	const char *tmpdir = getenv("TMPDIR");
	char *base = tmpdir && *tmpdir
			     ? sim_xasprintf("%s/vdcsim-mpi-XXXXXX", tmpdir)
			     : sim_xstrdup(dir);
	bool have_dir = mkdtemp(base) != NULL;
	char *points = sim_xasprintf("%s/points", base);
	if (have_dir && mkdir(points, 0700) != 0)
		have_dir = false;
	long long h[3] = {-1, 0, 0};
	MPI_Send(h, 3, MPI_LONG_LONG, 0, TAG_HEADER, MPI_COMM_WORLD);
	int status = CLI_OK;
	for (;;) {
		long long run;
		MPI_Recv(&run, 1, MPI_LONG_LONG, 0, TAG_RUN, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		if (run == STOP_RUN)
			break;
		sim_diag d;
		sim_diag_init(&d);
		int rc = SIM_EINPUT;
		if (!plan_ok)
			sim_diag_error(&d, NULL, 0, 0,
				       "vdcsim: MPI rank %d could not load the "
				       "config", rank);
		else if (!have_dir)
			sim_diag_error(&d, NULL, 0, 0,
				       "vdcsim: MPI rank %d: cannot make a "
				       "temporary folder '%s': %s",
				       rank, base, strerror(errno));
		else {
			cli_progress quiet = {0};
			rc = cli_run_one(p, (size_t)run, base, &quiet, &d);
		}
		char *data = NULL;
		long long len = 0;
		if (rc == 0) {
			char *fin = cli_point_path(base, (size_t)run, "");
			data = slurp(fin, &len);
			if (!data) {
				sim_diag_error(&d, NULL, 0, 0,
					       "vdcsim: MPI rank %d cannot read "
					       "'%s': %s",
					       rank, fin, strerror(errno));
				rc = SIM_EIO;
			}
			unlink(fin);
			free(fin);
		}
		const char *text = d.text ? d.text : "";
		long long hh[3] = {run,
				   rc == 0 ? len : rc == SIM_EINTR ? -2 : -1,
				   (long long)strlen(text)};
		MPI_Send(hh, 3, MPI_LONG_LONG, 0, TAG_HEADER, MPI_COMM_WORLD);
		if (rc == 0)
			send_bytes(data, len, TAG_DATA);
		send_bytes(text, hh[2], TAG_TEXT);
		if (rc != 0)
			status = rc == SIM_EINTR ? cli_interrupted_status()
						 : CLI_FAIL;
		free(data);
		sim_diag_fini(&d);
	}
	if (have_dir) {
		rmdir(points);
		rmdir(base);
	}
	free(points);
	free(base);
	return status;
}

#else /* !VDCSIM_HAVE_MPI */

bool cli_mpi_built(void)
{
	return false;
}

int cli_mpi_init(int *r, int *n)
{
	*r = 0;
	*n = 1;
	return -1;
}

void cli_mpi_finish(void)
{
}

int cli_mpi_run_all(const cli_plan *p, const char *staging, cli_progress *pr,
		    sim_diag *d)
{
	return cli_run_all(p, staging, 1, pr, d);
}

int cli_mpi_worker(const cli_plan *p, bool plan_ok)
{
	(void)p;
	(void)plan_ok;
	return CLI_FAIL;
}

#endif
