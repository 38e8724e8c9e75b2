/* SPDX-License-Identifier: MIT */
/*
 * Output files: every file vdcsim writes (CSVs, plots, traces, configs) is
 * written to a fresh temporary beside its destination, synced, and renamed
 * over the destination only if that is absent or a regular file the caller
 * may replace. Nothing planted at either name (a symbolic link, a device,
 * a FIFO) is ever followed, written or replaced. Not for the SQLite
 * database, which results.c creates with O_EXCL itself.
 */
#define _GNU_SOURCE
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Bytes of the destination's name kept in the temporary's name, which
 * adds about 24 more: the whole stays under NAME_MAX (255). */
#define TMP_STEM_MAX 200
/* Attempts at a fresh temporary name before giving up; each collides only
 * if something already holds that random name. */
#define TMP_TRIES 64

bool sim_fs_is_full(int fd)
{
	struct statvfs sv;
	if (fd < 0 || fstatvfs(fd, &sv) != 0 || sv.f_blocks == 0)
		return false;
	/* Root may write into the blocks reserved for it; others may not. */
	return (geteuid() == 0 ? sv.f_bfree : sv.f_bavail) == 0;
}

int sim_file_io_error(sim_diag *d, const char *path, const char *doing,
		      int err)
{
	if (err == ENOSPC)
		sim_diag_error(d, path, 0, 0,
			       "cannot %s: no space left on device (the disk "
			       "is full)",
			       doing);
	else if (err == EFBIG)
		sim_diag_error(d, path, 0, 0,
			       "cannot %s: file too large (the disk is full "
			       "for this process: its file size limit, ulimit "
			       "-f, was reached)",
			       doing);
	else if (err == EDQUOT)
		sim_diag_error(d, path, 0, 0,
			       "cannot %s: disk quota exceeded (the disk is "
			       "full for this user)",
			       doing);
	else
		sim_diag_error(d, path, 0, 0, "cannot %s: %s", doing,
			       strerror(err ? err : EIO));
	return SIM_EIO;
}

static const char *kind_of(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

int sim_file_check_target(const char *path, unsigned flags, sim_diag *d)
{
	size_t n = path ? strlen(path) : 0;
	if (n == 0 || path[n - 1] == '/') {
		sim_diag_error(d, path ? path : "", 0, 0,
			       "expected a file name, not a directory");
		return SIM_EINPUT;
	}
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return 0; /* absent, or unreachable: creating will say why */
	if (S_ISREG(sb.st_mode)) {
		if (flags & SIM_FILE_REPLACE)
			return 0;
		sim_diag_error(d, path, 0, 0,
			       "already exists (expected a new file name; "
			       "replacing a file must be asked for)");
		return SIM_EEXIST;
	}
	sim_diag_error(d, path, 0, 0,
		       "is %s (refusing to write there: expected a new file "
		       "name or a regular file)",
		       kind_of(sb.st_mode));
	return SIM_EINPUT;
}

static uint64_t tmp_suffix(unsigned attempt)
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
		r = sim_splitmix64((uint64_t)getpid() << 32 ^ attempt ^
				   (uint64_t)(uintptr_t)&r);
	return r;
}

int sim_file_open(sim_file *f, const char *path, unsigned flags, sim_diag *d)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	int rc = sim_file_check_target(path, flags, d);
	if (rc != 0)
		return rc;
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dirlen;
	size_t stem = strlen(base);
	if (stem > TMP_STEM_MAX)
		stem = TMP_STEM_MAX;
	int err = 0;
	for (unsigned i = 0; i < TMP_TRIES; i++) {
		char *tmp = sim_xasprintf("%.*s.%.*s.%016llx.tmp", (int)dirlen,
					  path, (int)stem, base,
					  (unsigned long long)tmp_suffix(i));
		/* O_EXCL refuses any existing name, a symbolic link included;
		 * O_NOFOLLOW says the same for readers of this code. */
		int fd = open(tmp,
			      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				      O_CLOEXEC,
			      0666);
		if (fd >= 0) {
			f->fd = fd;
			f->tmp = tmp;
			f->path = sim_xstrdup(path);
			f->flags = flags;
			return 0;
		}
		err = errno;
		free(tmp);
		if (err != EEXIST)
			break;
	}
	return sim_file_io_error(d, path, "create", err);
}

FILE *sim_file_stream(sim_file *f)
{
	if (!f->stream && f->fd >= 0)
		f->stream = fdopen(f->fd, "wb");
	return f->stream;
}

int sim_file_write(sim_file *f, const void *data, size_t len, sim_diag *d)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;
			sim_file_io_error(d, f->path, "write", err);
			sim_file_abort(f);
			return SIM_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void sim_file_abort(sim_file *f)
{
	if (f->stream)
		fclose(f->stream);
	else if (f->fd >= 0)
		close(f->fd);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

/* Makes a rename durable: the directory entry is synced too. Best
 * effort, as some file systems refuse to sync a directory. */
static void sync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? sim_xasprintf("%.*s", (int)(slash - path) + 1, path)
			  : sim_xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int sim_path_rename(const char *from, const char *to, bool replace,
		    sim_diag *d)
{
	if (replace) {
		if (rename(from, to) == 0)
			return 0;
	} else {
		if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
			return 0;
		/* A file system without RENAME_NOREPLACE: link() refuses an
		 * existing name just as well (for files). A directory cannot
		 * be linked: it is renamed if nothing is at `to` (a check that
		 * another process could race, the best such a file system
		 * allows). */
		if (errno == EINVAL || errno == ENOSYS) {
			struct stat st;
			if (link(from, to) == 0) {
				unlink(from);
				return 0;
			}
			if (errno == EPERM && lstat(from, &st) == 0 &&
			    S_ISDIR(st.st_mode) && lstat(to, &st) != 0 &&
			    errno == ENOENT && rename(from, to) == 0)
				return 0;
			if (errno == ENOENT)
				errno = EIO;
		}
	}
	int err = errno;
	if (err == EEXIST || err == ENOTEMPTY) {
		sim_diag_error(d, to, 0, 0,
			       "appeared while it was being written (expected "
			       "a new name; nothing was replaced)");
		return SIM_EEXIST;
	}
	return sim_file_io_error(d, to, "rename into place", err);
}

int sim_file_commit(sim_file *f, sim_diag *d)
{
	int err = 0;
	if (f->stream) {
		/* The stream records that some earlier write failed but not
		 * why; a full file system is the usual reason. */
		if (fflush(f->stream) != 0)
			err = errno;
		else if (ferror(f->stream))
			err = sim_fs_is_full(f->fd) ? ENOSPC : EIO;
	}
	/* Synced before the rename so that the name never points at a file
	 * whose data is still only in the page cache. */
	if (!err && fsync(f->fd) != 0)
		err = errno;
	int cerr = f->stream ? fclose(f->stream) : close(f->fd);
	if (!err && cerr != 0)
		err = errno;
	f->stream = NULL;
	f->fd = -1;
	int rc = err ? sim_file_io_error(d, f->path, "write", err) : 0;
	/* Checked again: the destination may have changed while we wrote. */
	if (rc == 0)
		rc = sim_file_check_target(f->path, f->flags, d);
	if (rc == 0)
		rc = sim_path_rename(f->tmp, f->path,
				     (f->flags & SIM_FILE_REPLACE) != 0, d);
	if (rc == 0) {
		sync_dir_of(f->path);
		free(f->tmp);
		f->tmp = NULL;
	}
	sim_file_abort(f);
	return rc;
}

int sim_file_put(const char *path, const void *data, size_t len,
		 unsigned flags, sim_diag *d)
{
	sim_file f;
	int rc = sim_file_open(&f, path, flags, d);
	if (rc == 0)
		rc = sim_file_write(&f, data, len, d);
	if (rc == 0)
		rc = sim_file_commit(&f, d);
	return rc;
}
