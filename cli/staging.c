/* SPDX-License-Identifier: MIT */
/*
 * The staging directory DIR.partial of `vdcsim run`: created atomically
 * with its lock file (a fresh directory, filled, then renamed into place),
 * locked with flock() by the one process working in it, holding a record
 * of the hashes of its inputs that --resume compares, and point files
 * that --resume checks before it trusts them.
 */
#define _GNU_SOURCE
#include "run_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

/* ---- directories ------------------------------------------------------ */

void cli_sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *parent = slash ? sim_xasprintf("%.*s", (int)(slash - path) + 1,
					     path)
			     : sim_xstrdup(".");
	cli_sync_dir(parent);
	free(parent);
}

void cli_sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Writes this process's pid into the lock file fd (replacing what an
 * earlier holder wrote). */
static void write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n)
		fsync(fd);
}

char *cli_staging_new(const char *staging, int *lock_fd, sim_diag *d)
{
	*lock_fd = -1;
	char *parent = sim_xstrdup(staging);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (cli_mkdir_p(parent) != 0) {
			sim_file_io_error(d, parent, "create the directory",
					  errno);
			free(parent);
			return NULL;
		}
	}
	free(parent);
	char *tmp = sim_xasprintf("%s.new-XXXXXX", staging);
	if (!mkdtemp(tmp)) {
		sim_file_io_error(d, staging, "create the directory", errno);
		free(tmp);
		return NULL;
	}
	/* mkdtemp makes it 0700; a results directory is as any other. */
	mode_t um = umask(0);
	umask(um);
	chmod(tmp, 0777 & ~um);
	char *points = sim_xasprintf("%s/points", tmp);
	char *lock = sim_xasprintf("%s/" CLI_LOCK_FILE, tmp);
	int err = 0;
	int fd = -1;
	if (mkdir(points, 0777) != 0)
		err = errno;
	if (!err) {
		fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0)
			err = errno;
	}
	free(points);
	free(lock);
	if (err) {
		if (fd >= 0)
			close(fd);
		sim_file_io_error(d, staging, "create the directory", err);
		cli_staging_remove(tmp);
		free(tmp);
		return NULL;
	}
	write_pid(fd);
	*lock_fd = fd;
	return tmp;
}

void cli_staging_remove(const char *dir)
{
	const char *sub[] = {"points", ""};
	for (size_t i = 0; i < 2; i++) {
		char *path = sub[i][0] ? sim_xasprintf("%s/%s", dir, sub[i])
				       : sim_xstrdup(dir);
		DIR *dh = opendir(path);
		if (dh) {
			struct dirent *de;
			while ((de = readdir(dh)) != NULL) {
				if (strcmp(de->d_name, ".") == 0 ||
				    strcmp(de->d_name, "..") == 0 ||
				    strcmp(de->d_name, "points") == 0)
					continue;
				char *f = sim_xasprintf("%s/%s", path,
							de->d_name);
				unlink(f);
				free(f);
			}
			closedir(dh);
		}
		rmdir(path);
		free(path);
	}
}

/* Says that staging is in use by holder, in d. */
static int in_use(const char *staging, long holder, sim_diag *d)
{
	sim_diag_error(d, staging, 0, 0,
		       "in use by another vdcsim (pid %ld holds its lock "
		       "file '" CLI_LOCK_FILE "'): expected one process per "
		       "results directory; wait for it to finish or stop it",
		       holder);
	return SIM_EEXIST;
}

int cli_staging_publish(char *tmp, const char *staging, sim_diag *d)
{
	char *points = sim_xasprintf("%s/points", tmp);
	cli_sync_dir(points);
	cli_sync_dir(tmp);
	free(points);
	/* Never onto a staging directory another run created meanwhile;
	 * its lock's holder is named too. */
	int rc = sim_path_rename(tmp, staging, false, d);
	long holder = rc == SIM_EEXIST ? cli_staging_holder(staging) : 0;
	if (holder)
		rc = in_use(staging, holder, d);
	if (rc == 0) {
		cli_sync_parent(staging);
	} else {
		cli_staging_remove(tmp);
	}
	return rc;
}

static long read_pid(int fd)
{
	char buf[32] = {0};
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	return strtol(buf, NULL, 10);
}

long cli_staging_holder(const char *staging)
{
	char *lock = sim_xasprintf("%s/" CLI_LOCK_FILE, staging);
	int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(lock);
	if (fd < 0)
		return 0;
	long holder = 0;
	if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
		holder = read_pid(fd);
		if (holder <= 0)
			holder = -1; /* held, pid not written yet */
	}
	close(fd);
	return holder;
}

int cli_staging_lock(const char *staging, int *lock_fd, sim_diag *d)
{
	*lock_fd = -1;
	char *lock = sim_xasprintf("%s/" CLI_LOCK_FILE, staging);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		int rc = sim_file_io_error(d, lock, "open the lock file", errno);
		free(lock);
		return rc;
	}
	free(lock);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;
		long holder = read_pid(fd);
		close(fd);
		if (err == EWOULDBLOCK)
			return in_use(staging, holder > 0 ? holder : -1, d);
		return sim_file_io_error(d, staging, "lock", err);
	}
	write_pid(fd);
	*lock_fd = fd;
	return 0;
}

/* ---- inputs ----------------------------------------------------------- */

/* 64-bit FNV-1a of the file at path (as sim_hash64 of its bytes), read in
 * pieces; 0 or errno. */
static int hash_file(const char *path, uint64_t *h)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	uint64_t x = SIM_HASH64_INIT;
	unsigned char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			return err;
		}
		x = sim_hash64_more(x, buf, (size_t)n);
	}
	close(fd);
	*h = x;
	return 0;
}

typedef struct strbuf_t {
	char *s;
	size_t len;
} strbuf_t;

/* Appends the record's line of path: "HASH LEN PATH\n", LEN the bytes of
 * PATH (which may hold any character). A relative PATH is inside base, the
 * staging directory. Does nothing once *rc is set; sets it on failure. */
static void add_input(strbuf_t *b, const char *base, const char *path,
		      sim_diag *d, int *rc)
{
	if (*rc)
		return;
	char *full = path[0] == '/' ? sim_xstrdup(path)
				    : sim_xasprintf("%s/%s", base, path);
	uint64_t h = 0;
	int err = hash_file(full, &h);
	if (err) {
		*rc = sim_file_io_error(d, full, "read", err);
		free(full);
		return;
	}
	free(full);
	char *line = sim_xasprintf("%016" PRIx64 " %zu %s\n", h, strlen(path),
				   path);
	size_t n = strlen(line);
	b->s = sim_xrealloc(b->s, b->len + n + 1, 1);
	memcpy(b->s + b->len, line, n + 1);
	b->len += n;
	free(line);
}

int cli_inputs_record(const char *dir, const cli_plan *plan, sim_diag *d)
{
	strbuf_t b = {sim_xstrdup(""), 0};
	int rc = 0;
	add_input(&b, dir, "config.yaml", d, &rc);
	/* Every trace any point replays, once each, in first-use order: the
	 * plan checked every point through its loader, which read each
	 * trace once. A relative path (to the working directory) is made
	 * absolute, as the record's relative paths are inside dir. */
	for (size_t i = 0; i < dc_loader_count(plan->loader) && rc == 0; i++) {
		const char *t = dc_loader_path(plan->loader, i);
		char *abs = t[0] == '/' ? sim_xstrdup(t) : realpath(t, NULL);
		if (!abs) {
			rc = sim_file_io_error(d, t, "read", errno);
			break;
		}
		add_input(&b, dir, abs, d, &rc);
		free(abs);
	}
	if (rc == 0) {
		char *rec = sim_xasprintf("%s/" CLI_INPUTS_FILE, dir);
		rc = cli_write_file(rec, b.s, d);
		free(rec);
	}
	free(b.s);
	return rc;
}

int cli_inputs_check(const char *staging, sim_diag *d)
{
	char *rec = sim_xasprintf("%s/" CLI_INPUTS_FILE, staging);
	FILE *f = fopen(rec, "rb");
	if (!f) {
		free(rec);
		return 0;
	}
	int rc = 0;
	for (;;) {
		uint64_t want;
		size_t len;
		if (fscanf(f, "%16" SCNx64 " %zu ", &want, &len) != 2)
			break;
		if (len == 0 || len > 65536) {
			rc = -1;
			break;
		}
		char *path = sim_xcalloc(len + 1, 1);
		if (fread(path, 1, len, f) != len || fgetc(f) != '\n') {
			free(path);
			rc = -1;
			break;
		}
		char *full = path[0] == '/' ? sim_xstrdup(path)
					    : sim_xasprintf("%s/%s", staging, path);
		uint64_t have = 0;
		int err = hash_file(full, &have);
		if (err) {
			sim_diag_error(d, full, 0, 0,
				       "cannot read this input of the run: %s "
				       "(expected the file the run started "
				       "with; resuming without it would mix "
				       "results of different inputs)",
				       strerror(err));
			rc = SIM_EINPUT;
		} else if (have != want) {
			sim_diag_error(d, full, 0, 0,
				       "changed since the run started (FNV-1a "
				       "64 %016" PRIx64 ", recorded %016" PRIx64
				       "): expected the same input; resuming "
				       "would mix results of different inputs "
				       "(start a new run instead)",
				       have, want);
			rc = SIM_EINPUT;
		}
		free(full);
		free(path);
		if (rc)
			break;
	}
	if (rc == 0 && !feof(f))
		rc = -1;
	if (rc == -1) {
		sim_diag_error(d, rec, 0, 0,
			       "damaged record of the run's inputs (expected "
			       "lines 'HASH LENGTH PATH')");
		rc = SIM_EINPUT;
	}
	fclose(f);
	free(rec);
	return rc;
}

/* ---- point files ------------------------------------------------------ */

static bool has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_master WHERE type = "
			       "'table' AND name = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The first row's first column of sql as text (a new string), or NULL
 * with *why set. */
static char *first_text(sqlite3 *db, const char *sql, char **why)
{
	sqlite3_stmt *st;
	char *out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*why = sim_xasprintf("sqlite: %s", sqlite3_errmsg(db));
		return NULL;
	}
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		out = sim_xstrdup(t ? (const char *)t : "");
	} else {
		*why = sim_xasprintf("sqlite: %s", s == SQLITE_DONE
							   ? "no result"
							   : sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return out;
}

char *cli_point_check(const char *path, const cli_plan *plan, size_t run)
{
	sqlite3 *db = NULL;
	char *why = NULL;
	char *fn = path[0] == '/' ? sim_xstrdup(path)
				  : sim_xasprintf("./%s", path);
	int s = sqlite3_open_v2(fn, &db, SQLITE_OPEN_READONLY, NULL);
	free(fn);
	if (s != SQLITE_OK) {
		why = sim_xasprintf("sqlite: %s",
				    db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return why;
	}
	char *qc = first_text(db, "PRAGMA quick_check", &why);
	if (qc && strcmp(qc, "ok") != 0)
		why = sim_xasprintf("quick_check: %s", qc);
	free(qc);
	char *uv = why ? NULL : first_text(db, "PRAGMA user_version", &why);
	if (uv && atoi(uv) != SIM_RESULTS_SCHEMA_VERSION)
		why = sim_xasprintf("schema version %s, expected %d", uv,
				    SIM_RESULTS_SCHEMA_VERSION);
	free(uv);
	size_t pt = cli_plan_point(plan, run);
	/* The point as it runs: its tables and its text's hash. */
	cli_point point = {0};
	sim_diag pd;
	sim_diag_init(&pd);
	if (!why && cli_plan_build_point(plan, pt, true, &point, &pd) != 0)
		why = sim_xstrdup("its point of the plan does not load");
	sim_diag_fini(&pd);
	const dc_results_cfg *sel = why ? NULL : &point.cfg->results;
	const char *fixed[] = {"meta", "columns", plan->runs_table.name,
			       plan->configs_table.name};
	for (size_t i = 0; !why && i < sizeof fixed / sizeof fixed[0]; i++)
		if (!has_table(db, fixed[i]))
			why = sim_xasprintf("no table '%s'", fixed[i]);
	for (size_t t = 0; !why && t < DC_TABLE_COUNT; t++)
		if (dc_results_has(sel, (dc_table)t) &&
		    !has_table(db, dc_table_names[t]))
			why = sim_xasprintf("no table '%s'", dc_table_names[t]);
	if (!why) {
		const char *text = point.text;
		char hash[17];
		cli_config_hash(text, hash);
		/* Constant text, values bound: the plan's runs table is
		 * always named "runs". */
		static const char sql[] = "SELECT count(*) FROM runs WHERE "
					  "run_id = ?1 AND config_hash = ?2";
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			why = sim_xasprintf("sqlite: %s", sqlite3_errmsg(db));
		} else {
			sqlite3_bind_int64(st, 1, (sqlite3_int64)run + 1);
			sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_ROW)
				why = sim_xasprintf("sqlite: %s",
						    sqlite3_errmsg(db));
			else if (sqlite3_column_int64(st, 0) != 1)
				why = sim_xasprintf("no runs row for run %zu "
						    "of this config",
						    run + 1);
			sqlite3_finalize(st);
		}
	}
	sqlite3_close(db);
	cli_point_fini(&point);
	return why;
}
