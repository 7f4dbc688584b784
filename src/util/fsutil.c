/* fsutil.c: temporary-then-rename files, directory helpers, temp sweeping. */
#define _GNU_SOURCE /* sync_file_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsutil.h"

#define TMP_MARK ".tmp-"
_Static_assert(1 + sizeof(TMP_MARK) - 1 + 6 == 255 - FS_TMP_NAME_MAX, "FS_TMP_NAME_MAX");

int fs_errno_error(struct err *e, const char *what, const char *path, int errnum)
{
	int code = (errnum == ENOSPC || errnum == EDQUOT) ? FA_ENOSPC : FA_EIO;

	return err_set(e, code, "cannot %s '%s': %s", what, path, strerror(errnum));
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int fs_tmp_open(struct fs_tmp *t, const char *final_path, mode_t mode, struct err *e)
{
	const char *slash = strrchr(final_path, '/');
	const char *base = slash ? slash + 1 : final_path;
	struct buf tmpl = BUF_INIT;
	int r = 0;

	t->fd = -1;
	t->tmp_path = NULL;
	t->dir = dir_of(final_path);
	if (!t->dir)
		return err_set(e, FA_ENOMEM, "out of memory");
	if (buf_printf(&tmpl, "%s/.%s" TMP_MARK "XXXXXX", t->dir, base) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	t->fd = mkstemp(tmpl.data);
	if (t->fd >= 0)
		fcntl(t->fd, F_SETFD, FD_CLOEXEC);
	if (t->fd < 0) {
		r = fs_errno_error(e, "create a file in", t->dir, errno);
		goto cleanup;
	}
	t->tmp_path = buf_detach(&tmpl);
	if (fchmod(t->fd, mode) < 0) {
		r = fs_errno_error(e, "set the mode of", t->tmp_path, errno);
		fs_tmp_abort(t);
	}
cleanup:
	buf_release(&tmpl);
	if (r < 0) {
		free(t->dir);
		t->dir = NULL;
	}
	return r;
}

int fs_tmp_write(struct fs_tmp *t, const void *data, size_t len, struct err *e)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(t->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fs_errno_error(e, "write", t->tmp_path, errno);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fs_defer_sync(): the durable writes of this process wait for fs_sync_all() */
static _Atomic int deferred;

int fs_defer_sync(int on)
{
	return atomic_exchange(&deferred, on);
}

int fs_sync_deferred(void)
{
	return deferred;
}

int fs_sync_all(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return fs_errno_error(e, "sync", path, errno);
#ifdef SYS_syncfs
	if (syscall(SYS_syncfs, fd) < 0)
		r = fs_errno_error(e, "sync", path, errno);
#else
	sync();
#endif
	close(fd);
	return r;
}

/* When a committed file is fsynced (with its directory) */
enum sync_when { SYNC_NEVER, SYNC_UNLESS_DEFERRED, SYNC_ALWAYS };

static int tmp_commit(struct fs_tmp *t, const char *final_path, enum sync_when when,
		      struct err *e)
{
	int durable = when == SYNC_ALWAYS || (when == SYNC_UNLESS_DEFERRED && !deferred);
	int r = 0;

	if (durable && fsync(t->fd) < 0) {
		r = fs_errno_error(e, "write", t->tmp_path, errno);
		goto cleanup;
	}
	if (close(t->fd) < 0) {
		t->fd = -1;
		r = fs_errno_error(e, "write", t->tmp_path, errno);
		goto cleanup;
	}
	t->fd = -1;
	if (rename(t->tmp_path, final_path) < 0) {
		r = fs_errno_error(e, "rename into", final_path, errno);
		goto cleanup;
	}
	free(t->tmp_path);
	t->tmp_path = NULL;
	if (durable && fs_fsync_dir(t->dir) < 0)
		r = fs_errno_error(e, "sync directory", t->dir, errno);
cleanup:
	fs_tmp_abort(t);
	return r;
}

int fs_tmp_commit(struct fs_tmp *t, const char *final_path, struct err *e)
{
	return tmp_commit(t, final_path, SYNC_UNLESS_DEFERRED, e);
}

void fs_tmp_start_writeback(struct fs_tmp *t)
{
#ifdef SYNC_FILE_RANGE_WRITE
	/* advice only: the sync that makes the file durable comes later either way */
	if (t->fd >= 0)
		(void)sync_file_range(t->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)t;
#endif
}

void fs_tmp_abort(struct fs_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->tmp_path)
		unlink(t->tmp_path);
	free(t->tmp_path);
	t->tmp_path = NULL;
	free(t->dir);
	t->dir = NULL;
}

static int write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			enum sync_when when, struct err *e)
{
	struct fs_tmp t = FS_TMP_INIT;
	int r;

	r = fs_tmp_open(&t, path, mode, e);
	if (r < 0)
		return r;
	r = fs_tmp_write(&t, data, len, e);
	if (r < 0)
		goto cleanup;
	r = tmp_commit(&t, path, when, e);
cleanup:
	fs_tmp_abort(&t);
	return r;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		    struct err *e)
{
	return write_atomic(path, data, len, mode, SYNC_UNLESS_DEFERRED, e);
}

int fs_write_durable(const char *path, const void *data, size_t len, mode_t mode,
		     struct err *e)
{
	return write_atomic(path, data, len, mode, SYNC_ALWAYS, e);
}

int fs_write_replace(const char *path, const void *data, size_t len, mode_t mode,
		     struct err *e)
{
	return write_atomic(path, data, len, mode, SYNC_NEVER, e);
}

int fs_read_file(const char *path, size_t max, struct buf *out, struct err *e)
{
	char chunk[65536];
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? FA_ENOTFOUND : FA_EIO,
			       "cannot open '%s': %s", path, strerror(errno));
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = err_set(e, FA_EIO, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			r = err_set(e, FA_EPARSE, "'%s' is larger than %zu bytes", path, max);
			break;
		}
		r = buf_append(out, chunk, (size_t)n);
		if (r < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory reading '%s'", path);
			break;
		}
	}
	close(fd);
	return r;
}

int fs_mkdirs(const char *path, mode_t mode, struct err *e)
{
	struct buf p = BUF_INIT;
	int r = 0;

	if (!path || !*path)
		return err_set(e, FA_EINVAL, "empty directory name");
	if (buf_puts(&p, path) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	for (char *s = p.data + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p.data, mode) < 0 && errno != EEXIST) {
			r = fs_errno_error(e, "create directory", p.data, errno);
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (r == 0 && !fs_is_dir(path))
		r = err_set(e, FA_EIO, "'%s' exists and is not a directory", path);
	buf_release(&p);
	return r;
}

int fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	/* some file systems refuse fsync on directories; that is not a failure */
	if (r < 0 && (errno == EINVAL || errno == EBADF || errno == ENOTSUP))
		r = 0;
	close(fd);
	return r;
}

int fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_is_real_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_mtime_not_older(const struct stat *a, const struct stat *b)
{
#ifdef __APPLE__
	const struct timespec ta = a->st_mtimespec, tb = b->st_mtimespec;
#else
	const struct timespec ta = a->st_mtim, tb = b->st_mtim;
#endif
	return ta.tv_sec > tb.tv_sec || (ta.tv_sec == tb.tv_sec && ta.tv_nsec >= tb.tv_nsec);
}

int fs_is_temp_name(const char *name)
{
	const char *mark;

	if (name[0] != '.')
		return 0;
	mark = strstr(name, TMP_MARK);
	return mark && strlen(mark) == strlen(TMP_MARK) + 6;
}

int fs_sweep_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int removed = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (fs_is_temp_name(de->d_name) &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
