/* filelock.c: open a lock file, take its lock, let it go. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "filelock.h"
#include "fsutil.h"

/* The one call: a signal while waiting is no failure, the wait goes on. */
static int lock_op(int fd, int op)
{
	int r;

	while ((r = flock(fd, op)) < 0 && errno == EINTR)
		;
	return r;
}

int filelock_open(int dirfd, const char *name, const char *shown, unsigned flags, mode_t mode,
		  int *ret_fd, struct err *e)
{
	int create = (flags & FILELOCK_CREATE) ? O_CREAT : 0;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | create, mode);

	*ret_fd = -1;
	if (fd < 0 && errno == ENOENT)
		return err_set(e, FA_ENOTFOUND, "there is no lock file '%s'", shown);
	if (fd < 0)
		return fs_errno_error(e, "open the lock file", shown, errno);
	*ret_fd = fd;
	return 0;
}

int filelock_take(int fd, unsigned flags, const char *shown, struct err *e)
{
	int op = (flags & FILELOCK_EXCLUSIVE) ? LOCK_EX : LOCK_SH;

	if (!(flags & FILELOCK_WAIT))
		op |= LOCK_NB;
	if (lock_op(fd, op) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return err_set(e, FA_EBUSY, "'%s' is locked by another process", shown);
	return fs_errno_error(e, "lock", shown, errno);
}

void filelock_drop(int fd)
{
	lock_op(fd, LOCK_UN);
}
