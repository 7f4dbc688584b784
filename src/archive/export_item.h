/*
 * export_item.h: one media file of Flickr's export put into the archive.
 *
 *   - an item whose archived file is the original: compared by size and
 *     SHA-256, never overwritten (a difference is reported);
 *   - an item whose archived file is not the original (a free account's
 *     1024 px, a video's transcode): the export's file, once verified (it
 *     is whole to its last byte, export_scan.h; its header's pixel size is
 *     the Original's size Flickr reported, or larger than the archived
 *     file's; a video must be bigger than the transcode),
 *     becomes original.<ext>, the earlier file kept as
 *     "replaced-<t>-<name>" and listed in sizes.json's "replaced";
 *   - an item not in the archive: made from its photo_<id>.json
 *     (export_map.h), then completed like a synced one; a file that is not
 *     whole is not taken (named), so the item waits for a whole one; a
 *     picture whose JSON says video (export_photo_is_video()) is the
 *     video's poster frame: the item is the video, the picture its
 *     poster.<ext>, the video missing (EXPORT_ITEM_AWAITS_VIDEO) until an
 *     import brings it (export_item_add_video());
 *   - a picture for a video item, or a video for an item made from a picture
 *     (the export's poster frame and its video, in either order): the video
 *     is the original, the picture its poster.<ext> (export_item_other()).
 * sizes.json says "source": "flickr-export" for a file from the export.
 * Every file is written under a temporary name and renamed; the item's
 * manifest follows (store_mark_complete), so verify covers what came in.
 */
#ifndef FA_EXPORT_ITEM_H
#define FA_EXPORT_ITEM_H

#include <stdint.h>

#include "fsutil.h"
#include "json.h"
#include "manifest.h"
#include "store.h"

enum export_item_state {
	EXPORT_ITEM_NONE = 0,        /* not archived (or an import that was interrupted) */
	EXPORT_ITEM_ORIGINAL = 1,    /* complete, its original archived */
	EXPORT_ITEM_NOT_ORIGINAL = 2,/* complete, a smaller size or a transcode archived */
	EXPORT_ITEM_SYNCING = 3,     /* a sync began it and has not finished: left to sync */
	EXPORT_ITEM_NOT_FOLLOWED = 4,/* its folder is a symbolic link (never followed) or a file */
	EXPORT_ITEM_AWAITS_VIDEO = 5,/* complete, a video made from its poster frame alone */
};

/* What the archive holds of my_photos/<id>; ret_media gets its media file's name, if any. */
enum export_item_state export_item_state(const struct store *s, const char *id,
					 struct buf *ret_media);

/* A media file of the export, streamed into a temporary file (or only hashed). */
struct export_file {
	struct fs_tmp tmp;         /* the bytes, when kept */
	const char *ext;           /* from its magic bytes */
	int is_video;
	uint64_t size;
	unsigned char sha256[MANIFEST_DIGEST_LEN];
	long width, height;        /* 0 when the header says nothing (videos) */
	int whole;                 /* 1 whole, 0 cut short or damaged, -1 not checked (export_scan.h) */
	char broken[160];          /* when not whole: what is wrong */
	const char *member;        /* its name in the export, for messages */
};

enum export_outcome {
	EXPORT_SAME = 0,        /* the archived original has the same bytes */
	EXPORT_DIFFERS = 1,     /* ... has other bytes: reported, left alone */
	EXPORT_REPLACED = 2,    /* the export's original replaced a smaller file */
	EXPORT_CREATED = 3,     /* a new item made from the export */
	EXPORT_REJECTED = 4,    /* not installed: it failed the check (why says why) */
	EXPORT_POSTER = 5,      /* a video's poster frame, installed as poster.<ext> */
};

#define EXPORT_WRITTEN_MAX 8

struct export_result {
	enum export_outcome outcome;
	char why[256];
	/* replaced or created, not yet complete (defer): what export_item_complete() records */
	char written[EXPORT_WRITTEN_MAX][80];
	int n_written;          /* 0 for a created item: every file is new */
	/* the media file installed, hashed as it was written: the manifest does not read it again */
	char media[80];
	uint64_t media_size;
	unsigned char media_sha256[MANIFEST_DIGEST_LEN];
};

/*
 * With defer, export_item_replace() and export_item_create() leave the item's
 * manifest and complete.flag to export_item_complete(), to be called once the
 * files are durable (a batch's fs_sync_all(): see fsutil.h).
 */
int export_item_complete(const struct store *s, const char *id,
			 const struct export_result *res, struct err *e);

/* Compares f (hashed only) with the archived original media (a file name in the item). */
int export_item_compare(const struct store *s, const char *id, const char *media,
			const struct export_file *f, struct export_result *res, struct err *e);

/* Installs f over the archived smaller file media, if it passes the check. */
int export_item_replace(const struct store *s, const char *id, const char *media,
			struct export_file *f, int64_t now, int defer, struct export_result *res,
			struct err *e);

/*
 * Whether f is the other kind than the archived item my_photos/<id> (a
 * picture for a video, a video for a photo): Flickr's export may hold a
 * video's JPEG poster frame (the JSON's "original") beside the video, in
 * either order.  Then export_item_other() takes it.
 */
int export_item_other_kind(const struct store *s, const char *id, int file_is_video);

/*
 * f of the other kind than the item (its archived media file media):
 *   - a picture of a video item becomes its poster frame, poster.<ext>, as
 *     sync names it, when it has none or a smaller one (that one kept as
 *     "replaced-<t>-poster.<ext>"); the same bytes are EXPORT_SAME, others
 *     EXPORT_DIFFERS (the archived one kept);
 *   - a video of an item this import made from a picture (its poster, which
 *     came first) becomes original.<ext>, the picture poster.<ext>, the item
 *     a video (EXPORT_REPLACED); of a synced photo, it is rejected.
 * The file's bytes must be kept (export_file_read() with tmp_beside).
 */
int export_item_other(const struct store *s, const char *id, const char *media,
		      struct export_file *f, int64_t now, int defer, struct export_result *res,
		      struct err *e);

/*
 * The export's video f of an item made from its poster frame alone
 * (EXPORT_ITEM_AWAITS_VIDEO): it becomes original.<ext> (EXPORT_REPLACED),
 * the records say the original is in.
 */
int export_item_add_video(const struct store *s, const char *id, struct export_file *f,
			  int64_t now, int defer, struct export_result *res, struct err *e);

/*
 * Finishes what a run stopped while a picture of the export gave way to its
 * video (export_item_other()) left: the video already installed beside the
 * picture, or the picture's own name left beside its poster.<ext>.  Returns
 * 1 when it finished the item (res as export_item_other()'s; EXPORT_REJECTED
 * when the video it left was cut short: kept as damaged-*, the item back to
 * the picture or to a video still missing), 0 when there was nothing to
 * finish, or an error.
 */
int export_item_resume(const struct store *s, const char *id, int defer,
		       struct export_result *res, struct err *e);

struct export_new_item {
	const json_t *photo;   /* photo_<id>.json */
	const json_t *profile; /* account_profile.json, or NULL */
	const json_t *albums;  /* [{id, title}] or NULL */
	const json_t *users;   /* users_cache.json, or NULL */
};

/* Makes my_photos/<id> from the export: media, records, manifest, complete.flag. */
int export_item_create(const struct store *s, const char *id, const struct export_new_item *in,
		       struct export_file *f, int64_t now, int defer, struct export_result *res,
		       struct err *e);

#endif

struct export_stream;
struct export_member;

/*
 * Reads the member m (its head first, then the stream) into f: its size,
 * SHA-256, pixel size and whether it is whole, in the one pass, and, when tmp_beside is not NULL, its bytes into a
 * temporary file beside that path (f->tmp; the caller commits or aborts it).
 * Memory stays at EXPORT_MEDIA_HEADER_MAX plus a buffer, whatever the size.
 */
int export_file_read(struct export_file *f, const struct export_member *m,
		     struct export_stream *s, const char *tmp_beside, struct err *e);
