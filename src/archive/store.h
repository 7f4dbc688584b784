/*
 * store.h: the archive's layout on disk (the original tool's, kept so users
 * can switch over and resume):
 *
 *   ROOT/my_photos/<id>/        original.<ext> (or the video) [poster.jpg]
 *                               original.<ext>.xmp (its sidecar: xmp.h)
 *   ROOT/favorited_photos/<id>/ metadata.json comments.json favorites.json
 *                               exif.json sizes.json complete.flag (last)
 *                               manifest-sha256.txt (before the flag)
 *   ROOT/my_photos_index.json favorites_index.json albums_index.json
 *   ROOT/users_cache.json manifest-sha256.txt bagit.txt
 *   ROOT/avatars/<nsid>.jpg     buddy icons, manifest-sha256.txt (see avatar.h)
 *
 * Ids come from the server and become path components, so every id is
 * checked with store_valid_id() (digits only) before it touches a path.
 */
#ifndef FA_STORE_H
#define FA_STORE_H

#include "buf.h"
#include "error.h"

enum store_kind {
	STORE_MY = 0,
	STORE_FAV = 1,
	STORE_GALLERY = 2,   /* photos of the account's galleries (issue 15) */
};
#define STORE_KINDS 3

struct store {
	char *root;
};

#define STORE_WORK_DIR ".flickr-archive"
#define STORE_COMPLETE_FLAG "complete.flag"
#define STORE_AVATARS_DIR "avatars"
#define STORE_REWRITING_DIR STORE_WORK_DIR "/rewriting"
/* A damaged file that was repaired is kept as "damaged-<unix time>-<name>". */
#define STORE_DAMAGED_PREFIX "damaged-"

/* How store_lock() takes the archive's lock, ROOT/.flickr-archive/lock (filelock.h). */
enum store_lock_how {
	STORE_LOCK_SHARED = 0,    /* a reader (verify): beside other readers, never a writer */
	STORE_LOCK_EXCLUSIVE = 1, /* a writer (sync, site, the search index): alone */
	STORE_LOCK_CREATE = 2,    /* makes the work dir and the lock file when missing */
};

/*
 * Takes the archive's lock without waiting: *ret_fd holds it until
 * store_unlock().  FA_EBUSY when another flickr-archive holds it,
 * FA_ENOTFOUND when there is no lock file (and no STORE_LOCK_CREATE).  On
 * any failure nothing is held and *ret_fd is -1.  Neither the work dir nor
 * the lock file is followed when it is a symlink (O_NOFOLLOW).  Take it
 * before writing anything: a run refused here must leave the archive as it
 * found it.
 */
int store_lock(const char *root, unsigned how, int *ret_fd, struct err *e);
/* Lets the lock go; *fd becomes -1.  Safe when nothing is held. */
void store_unlock(int *fd);

/*
 * Creates the tree if needed and removes temporaries a killed run left (so
 * only under the archive's exclusive lock: another run's temporaries are
 * in use).
 */
int store_open(struct store *s, const char *root, struct err *e);
void store_release(struct store *s);

const char *store_kind_dir(enum store_kind kind);
/* 1 to 32 ASCII digits. */
int store_valid_id(const char *id);
/* "ROOT/<kind dir>/<id>[/<file>]"; the id must be valid. */
int store_item_path(const struct store *s, enum store_kind kind, const char *id,
		    const char *file, struct buf *out) FA_MUST_CHECK;
/* "ROOT/<file>" */
int store_root_path(const struct store *s, const char *file, struct buf *out) FA_MUST_CHECK;

int store_item_complete(const struct store *s, enum store_kind kind, const char *id);
/*
 * Writes the item's manifest-sha256.txt (see manifest.h): every regular file
 * of its folder but complete.flag and the damaged copies, as
 * "<kind dir>/<id>/<name>", relative to the archive root.  written: the
 * names the caller wrote or removed since the last manifest (NULL-terminated;
 * see manifest_write_dir() for NULL): every other file keeps its recorded
 * digest, so damage is never written into the manifest as the truth.
 */
int store_write_manifest(const struct store *s, enum store_kind kind, const char *id,
			 const char *const *written, struct err *e);
/* True when the item has a manifest of its own. */
int store_has_manifest(const struct store *s, enum store_kind kind, const char *id);
/*
 * Writes the item's manifest (as store_write_manifest()), then complete.flag
 * (atomically, last), and ends a rewrite begun with store_begin_rewrite().
 * Call it again after rewriting a file of a complete item: the manifest
 * follows.
 */
int store_mark_complete(const struct store *s, enum store_kind kind, const char *id,
			const char *const *written, struct err *e);
struct manifest_known;
/* The same with a file's digest known from writing it (manifest_write_dir_known()). */
int store_mark_complete_known(const struct store *s, enum store_kind kind, const char *id,
			      const char *const *written, const struct manifest_known *known,
			      struct err *e);

/*
 * Rewriting a complete item: a marker in the work directory
 * (".flickr-archive/rewriting/<kind dir>-<id>", holding the names of the
 * damaged files being repaired, one a line) says, until
 * store_mark_complete(), that files changed since the item's manifest are
 * this tool's own writes, not damage, should the run be killed in between.
 * The marker is synced before it returns, also while syncs are deferred.
 */
int store_begin_rewrite(const struct store *s, enum store_kind kind, const char *id,
			const char *const *damaged, struct err *e);
/* 1 when a rewrite was begun and not ended; ret_damaged (or NULL) gets the marker's names. */
int store_rewrite_pending(const struct store *s, enum store_kind kind, const char *id,
			  struct buf *ret_damaged);

/*
 * Opens the item's folder below the archive root without following a
 * symbolic link at any step (openat2's RESOLVE_BENEATH where the kernel has
 * it, O_NOFOLLOW step by step elsewhere): FA_EINVAL, with a message naming
 * it, when the folder (or my_photos/) is a link; FA_ENOTFOUND when it does
 * not exist.  The caller closes *ret_fd.
 */
int store_open_item_dir(const struct store *s, enum store_kind kind, const char *id,
			int *ret_fd, struct err *e);

/*
 * Finds "<stem>.<ext>" with an allowed extension in dir; stores the file
 * name in ret_name.  Returns 1 when found, 0 when not.
 */
int store_find_media(const char *dir, const char *stem, struct buf *ret_name);

/* A list of item ids. */
struct store_ids {
	char **v;
	size_t n;
	size_t cap;
};

#define STORE_IDS_INIT { NULL, 0, 0 }

int store_ids_add(struct store_ids *ids, const char *id);
/* Sorts newest first (longer ids are newer, then by digits). */
void store_ids_sort(struct store_ids *ids);
/* Whether a sorted list holds id. */
int store_ids_contains(const struct store_ids *ids, const char *id);
void store_ids_free(struct store_ids *ids);
/* The valid item ids under ROOT/<kind dir>/, sorted newest first. */
int store_list_ids(const struct store *s, enum store_kind kind, struct store_ids *out);
/* The same, only the ids for which keep(ud, id) is true (a folder may hold 100,000 ids). */
int store_list_ids_if(const struct store *s, enum store_kind kind,
		      int (*keep)(void *ud, const char *id), void *ud, struct store_ids *out);

/* The canonical form of an allowed media extension ("jpeg" -> "jpg"), or NULL. */
const char *store_allowed_ext(const char *ext);

#endif
