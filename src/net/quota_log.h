/*
 * quota_log.h: the API calls of the last hour, per API key, shared by every
 * flickr-archive process on the machine, so that a second run within the
 * hour, or two syncs of two archives with the same key at once, together
 * stay within the quota.
 *
 * DIR/<SHA-256 hex of the API key>.calls holds one line per call, appended
 * under the lock of DIR/<same>.lock (filelock.h):
 *
 *   1767225600123 1       a call (unix ms, count)
 *   hold 1767225660000    Flickr asked to wait (429 / Retry-After) until then
 *
 * Nothing secret is stored: the key only names the files, through its hash.
 * A reader counts what others appended since it last looked; a last line cut
 * off by a crash is no record (it is truncated away under the lock).  When
 * the file holds more than twice the live lines, or was damaged, it is
 * written anew (temporary + rename) from the window.
 */
#ifndef FA_QUOTA_LOG_H
#define FA_QUOTA_LOG_H

#include <sys/types.h>

#include "error.h"
#include "quota.h"

struct quota_log {
	char *path;      /* DIR/<hash>.calls */
	int lock_fd;
	int fd;          /* the record, opened for appending; -1 until found */
	ino_t ino;       /* of fd, to notice the record written anew by another */
	off_t read_to;   /* bytes counted into the window */
	long lines;      /* records read or written since the file was made */
	int damaged;     /* a line of the record was no record (it was skipped) */
};

#define QUOTA_LOG_INIT { NULL, -1, -1, 0, 0, 0, 0 }

/*
 * The state directory, $XDG_STATE_HOME/flickr-archive or
 * ~/.local/state/flickr-archive, in *ret_dir (caller frees; NULL without a
 * home).  0 or FA_ENOMEM.
 */
int quota_log_default_dir(char **ret_dir);

/* Makes dir if need be and opens the lock of api_key's record. */
int quota_log_open(struct quota_log *l, const char *dir, const char *api_key, struct err *e);
void quota_log_close(struct quota_log *l);

/*
 * Takes the lock (waiting for another process's turn) and counts into w what
 * was recorded since the last look: everything when the record was written
 * anew by another process.  l->damaged tells of lines skipped.
 */
int quota_log_lock(struct quota_log *l, struct quota_window *w, struct err *e);
void quota_log_unlock(struct quota_log *l);

/* Under the lock: records a call (or a hold) in the file and in w. */
int quota_log_add_call(struct quota_log *l, struct quota_window *w, int64_t at_ms,
		       struct err *e);
int quota_log_add_hold(struct quota_log *l, struct quota_window *w, int64_t until_ms,
		       struct err *e);

/* Under the lock: writes the record anew from w when it is worth it (or damaged). */
int quota_log_compact(struct quota_log *l, const struct quota_window *w, struct err *e);

#endif
