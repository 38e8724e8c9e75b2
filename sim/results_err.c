/* SPDX-License-Identifier: MIT */
/*
 * Messages for SQLite failures of the results store: a full disk or a file
 * size limit behind SQLITE_FULL or an I/O error is said as sim/file.c says
 * it for every other file, naming the database.
 */
#include "sim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

/* The errno behind a failed SQLite write of the database at path, when it
 * is a full disk (ENOSPC, EDQUOT) or the file size limit (EFBIG); else 0.
 * sqlite3_system_errno often has lost it (it reads errno late), so the
 * file's own last errno, the file system and the limit are asked too. */
static int write_errno(const char *path, sqlite3 *db)
{
	int code = db ? sqlite3_extended_errcode(db) & 0xff : SQLITE_OK;
	if (code != SQLITE_FULL && code != SQLITE_IOERR)
		return 0;
	int err = sqlite3_system_errno(db);
	if (err == ENOSPC || err == EDQUOT || err == EFBIG)
		return err;
	/* The errno the main database file's last failed call saw. */
	err = 0;
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &err) ==
		    SQLITE_OK &&
	    (err == ENOSPC || err == EDQUOT || err == EFBIG))
		return err;
	if (!path)
		return code == SQLITE_FULL ? ENOSPC : 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bool full = sim_fs_is_full(fd);
	struct stat sb;
	bool got = fd >= 0 && fstat(fd, &sb) == 0;
	if (fd >= 0)
		close(fd);
	if (full)
		return ENOSPC;
	/* SQLite writes whole pages (at most 64 KiB): a file within a
	 * page of the limit hit it. */
	struct rlimit rl;
	if (got && getrlimit(RLIMIT_FSIZE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)sb.st_size + 65536 >= rl.rlim_cur)
		return EFBIG;
	return code == SQLITE_FULL ? ENOSPC : 0;
}

int sim_db_error(const char *path, sqlite3 *db, sim_diag *d)
{
	int err = write_errno(path, db);
	if (err) {
		sim_file_io_error(d, path, "write", err);
		return SIM_EDB;
	}
	sim_diag_error(d, path, 0, 0, "sqlite: %s",
		       db ? sqlite3_errmsg(db) : "out of memory");
	return SIM_EDB;
}
