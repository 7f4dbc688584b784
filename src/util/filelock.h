/*
 * filelock.h: the one way flickr-archive takes a lock between processes: an
 * advisory flock(2) lock on a lock file that is never replaced (nothing is
 * written to it; it only names the lock).  Used for the archive's lock
 * (store_lock) and the shared record of API calls (quota_log_lock).
 *
 * The lock belongs to the open file, not to the process: two opens of the
 * same file, even by one process, contend like two runs would; closing the
 * descriptor lets the lock go.  A process that dies lets it go too, so a
 * crash never leaves a stale lock behind.
 */
#ifndef FA_FILELOCK_H
#define FA_FILELOCK_H

#include <sys/types.h>

#include "error.h"

enum filelock_flags {
	FILELOCK_SHARED = 0,         /* beside other shared holders, never an exclusive one */
	FILELOCK_EXCLUSIVE = 1 << 0, /* alone */
	FILELOCK_WAIT = 1 << 1,      /* wait for the holders to let go; else FA_EBUSY at once */
	FILELOCK_CREATE = 1 << 2,    /* filelock_open: create the file (mode) when missing */
};

/*
 * Opens the lock file name (relative to dirfd, or AT_FDCWD) without locking
 * it: never through a symlink (O_NOFOLLOW), not inherited by the programs we
 * run (O_CLOEXEC).  shown is the path the error message names.  0 and the
 * descriptor in *ret_fd; FA_ENOTFOUND when it does not exist (and no
 * FILELOCK_CREATE), or FA_EIO.  On failure *ret_fd is -1.
 */
int filelock_open(int dirfd, const char *name, const char *shown, unsigned flags, mode_t mode,
		  int *ret_fd, struct err *e);

/*
 * Takes the lock on fd, shared or exclusive (flags), waiting for it with
 * FILELOCK_WAIT (a signal meanwhile does not end the wait), else FA_EBUSY
 * when another holds it.  On failure no lock is held.  Not for changing a
 * lock already held: the old one may be let go first.
 */
int filelock_take(int fd, unsigned flags, const char *shown, struct err *e);

/* Lets the lock on fd go; fd stays open for the next filelock_take(). */
void filelock_drop(int fd);

#endif
