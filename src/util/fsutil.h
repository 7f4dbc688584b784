/*
 * fsutil.h: crash-safe file writing.
 *
 * Every file is written to a hidden temporary name in its final directory
 * (".NAME.tmp-XXXXXX"), fsync'd, renamed over the final name, and the
 * directory fsync'd: a reader, or a run after a crash or power loss, sees the
 * old file or the new one, never a mix.  Temporaries left by a killed run
 * are removed by fs_sweep_temps().
 */
#ifndef FA_FSUTIL_H
#define FA_FSUTIL_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"
#include "error.h"

struct fs_tmp {
	int fd;
	char *tmp_path;
	char *dir;
};

#define FS_TMP_INIT { -1, NULL, NULL }

/*
 * The longest file name fs_tmp_open() can make a temporary beside: its name
 * is ".<name>.tmp-XXXXXX", which must fit in NAME_MAX (255) bytes.
 */
#define FS_TMP_NAME_MAX (255 - 12)

/* Creates a temporary file beside final_path (mode applied via fchmod). */
int fs_tmp_open(struct fs_tmp *t, const char *final_path, mode_t mode, struct err *e);
int fs_tmp_write(struct fs_tmp *t, const void *data, size_t len, struct err *e);
/* fsync + close + rename to final_path + fsync of the directory. */
int fs_tmp_commit(struct fs_tmp *t, const char *final_path, struct err *e);
/*
 * Starts writing the temporary's bytes to disk without waiting (Linux's
 * sync_file_range), so that a deferred sync (fs_defer_sync()) later finds
 * little left to wait for: the disk works while the caller goes on.
 */
void fs_tmp_start_writeback(struct fs_tmp *t);
/* Closes and unlinks the temporary; safe on a never-opened or committed t. */
void fs_tmp_abort(struct fs_tmp *t);

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		    struct err *e);
/* The same, synced even while deferred (a marker that must be on disk before what it guards) */
int fs_write_durable(const char *path, const void *data, size_t len, mode_t mode,
		     struct err *e);
/*
 * The same rename into place without the fsyncs, for files that are made
 * again from the archive (the site's pages and thumbnails): a reader never
 * sees a partial file, but after a power loss the file may be empty.
 */
int fs_write_replace(const char *path, const void *data, size_t len, mode_t mode,
		     struct err *e);
/*
 * Batched durability, for a run that writes many small files (import): while
 * deferred, fs_tmp_commit() and fs_write_atomic() still rename into place
 * but do not fsync; fs_sync_all() (syncfs(2) of path's file system) then
 * makes everything written durable at once.  The caller must call it before
 * anything that says the files are whole (complete.flag), and turn deferral
 * off before it.
 */
/* Returns whether writes were deferred before. */
int fs_defer_sync(int on);
int fs_sync_deferred(void);
int fs_sync_all(const char *path, struct err *e);

/* Reads a whole regular file of at most max bytes into out (appending). */
int fs_read_file(const char *path, size_t max, struct buf *out, struct err *e);

/* mkdir -p with the given mode; existing directories are fine. */
int fs_mkdirs(const char *path, mode_t mode, struct err *e);
int fs_fsync_dir(const char *dir);
int fs_exists(const char *path);
int fs_is_dir(const char *path);
/* A directory itself, not a symbolic link to one. */
int fs_is_real_dir(const char *path);
/* True when a was last modified at the same time as b or later (to the nanosecond where kept). */
int fs_mtime_not_older(const struct stat *a, const struct stat *b);
/* Removes our temporaries (".*.tmp-XXXXXX") directly inside dir; returns how many. */
int fs_sweep_temps(const char *dir);
/* True when name is one of our temporary names. */
int fs_is_temp_name(const char *name);

/* Maps errno from a failed write to FA_ENOSPC or FA_EIO with a message. */
int fs_errno_error(struct err *e, const char *what, const char *path, int errnum);

#endif
