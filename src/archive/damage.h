/*
 * damage.h: telling damage from what an item's manifest recorded.
 *
 * Known-good is what the manifest recorded when the file was whole.  A file
 * it lists is damaged when it is gone, is no longer a regular file (a link,
 * say), or its bytes no longer have the recorded digest.  The check is cheap
 * for an untouched item: a file is hashed only when it was modified or
 * changed (mtime or ctime) after the manifest was written.
 *
 * Files changed since the manifest by this tool itself (a sync killed between
 * rewriting a complete item and renewing its manifest: see
 * store_begin_rewrite()) are not damage: the check records them in the
 * manifest, unless they were being repaired.
 */
#ifndef FA_DAMAGE_H
#define FA_DAMAGE_H

#include <stddef.h>

#include "error.h"
#include "store.h"

enum damage_kind {
	DAMAGE_MISSING = 0,
	DAMAGE_NOT_REGULAR = 1, /* a symbolic link, a folder, ... */
	DAMAGE_CHANGED = 2,     /* not the bytes recorded */
};

struct damage_file {
	char *name;             /* a file name in the item's folder; owned */
	enum damage_kind kind;
};

/* An item's damaged files; names[] is a NULL-terminated view of their names. */
struct damage {
	struct damage_file *v;
	const char **names;
	size_t n;
};

#define DAMAGE_INIT { NULL, NULL, 0 }

void damage_release(struct damage *d);
/* Adds name (copied) to d: FA_ENOMEM or 0. */
int damage_add(struct damage *d, const char *name, enum damage_kind kind);
/* True when d (which may be NULL) lists name. */
int damage_has(const struct damage *d, const char *name);
/* "missing", "not a regular file", "changed since it was archived" */
const char *damage_kind_text(enum damage_kind kind);

/*
 * Checks a complete item's files against its own manifest; ret gets the
 * damaged ones (none for an item without a manifest: nothing was recorded).
 * A rewrite left pending by a killed run is settled first (its files
 * recorded, its marker removed).  FA_EINVAL (message naming it) when the
 * item's folder is a symbolic link: it is never followed.
 */
int damage_check_item(const struct store *s, enum store_kind kind, const char *id,
		      struct damage *ret, struct err *e);

/* The same, writing nothing: a killed run's own writes are not damage, nor recorded. */
int damage_find_item(const struct store *s, enum store_kind kind, const char *id,
		     struct damage *ret, struct err *e);

/*
 * Checks the files of the folder dir against its own manifest, whose lines
 * name them "<prefix><name>" (the avatars: "avatars/"), as
 * damage_check_item() does for an item, with no rewrite pending.  No folder
 * or no manifest: nothing was recorded, no damage.
 */
int damage_check_dir(const char *dir, const char *prefix, struct damage *ret, struct err *e);

/*
 * Keeps the damaged file name of the folder dir as
 * "damaged-<now>-<name>" (a second name for the same inode: a link is kept as
 * a link, never followed); ret_kept gets the new name.  Nothing to keep (it is
 * gone) is not an error.
 */
int damage_keep_copy(const char *dir, const char *name, long long now, struct buf *ret_kept,
		     struct err *e);

/* The same for the file at path (its folder's name and its own taken apart). */
int damage_keep_file(const char *path, long long now, struct buf *ret_kept, struct err *e);

#endif
