/*
 * photo.h: archiving one photo or video into its folder.
 *
 * API calls are made only for what the listing's extras do not carry:
 * getInfo always (raw tags, notes, people, place names), comments only when
 * there are comments, getFavorites pages only when there are faves,
 * people.getList only when people are tagged, getSizes only for videos or
 * when the listing has no url_*, getExif only when no original JPEG with
 * EXIF was archived.  complete.flag is written last; a media file that is
 * already in place is never downloaded again.
 *
 * Originals come first, from every source: a photo's url_o, then getSizes;
 * a video's "Video Original", then the "orig" stream of getStreamInfo, and
 * only then the best transcode.  What Flickr offered but refused (404, 403,
 * 410, a web page), and a part (comments, faves, people, EXIF) it refused,
 * is recorded in metadata.json "synced"."missing" and fetched again on the
 * next run; the item is complete with what there is.
 */
#ifndef FA_PHOTO_H
#define FA_PHOTO_H

#include <stdint.h>

#include "flickr.h"
#include "http.h"
#include "json.h"
#include "pace.h"
#include "store.h"

struct photo_ctx {
	struct flickr_client *fc;
	struct http_client *http;
	const struct store *store;
	struct retry_policy retry; /* for downloads */
	int64_t now;               /* unix seconds, for archived_at */
	int refetch_all;           /* fetch comments and faves even when counts match */
	const char *nsid;          /* the account's NSID (flickr.test.login), borrowed */
	const struct damage *damaged; /* the item's damaged files, repaired now; or NULL */
};

struct fs_tmp;
struct damage;

struct photo_result {
	int original_missing;  /* a smaller size or a transcode is archived, not the original */
	int original_pending;  /* ... though Flickr offered it: it is tried again next run */
	int downloaded;        /* media files fetched this time */
	int gone;              /* Flickr says the photo no longer exists */
	int repaired;          /* damaged files replaced by Flickr's copy (the damaged kept) */
	struct {
		long expected;  /* what Flickr counts */
		long got;       /* unique ones it gave; fewer: the next run asks again */
	} comments, faves;     /* 0 and 0 when not fetched */
	char missing[128];     /* parts still to fetch next run ("comments, exif"), or "" */
	char note[256];        /* something worth telling the user, or "" */
	char bad_json[32];     /* a record found not valid JSON (fetched again), or "" */
};

/*
 * Archives the item, or refreshes an archived one: Flickr's current data is
 * merged with the archived records (see merge.h), comments and faves are
 * fetched again only when their counts or lastupdate moved.  The files
 * ctx->damaged lists are not read but fetched again, each kept aside first
 * as "damaged-<t>-<name>"; so is a media file of an item never completed that
 * sizes.json has no record of (the original Python tool's half-written
 * items), unless the download holds the same bytes.
 */
int photo_archive(struct photo_ctx *ctx, enum store_kind kind, const json_t *listing,
		  const json_t *albums, struct photo_result *res, struct err *e);

/*
 * Without count_faves in the listing nothing tells when an item's faves
 * change (lastupdate is not documented to move for a fave), so an unchanged
 * item's faves are fetched again once every PHOTO_FAVES_PERIOD, at a moment
 * its id picks (a daily sync refreshes an even slice each day).  budget is
 * what this run may still spend on it, in calls, shared by the workers.
 * Returns 1 when refreshed, 0 when not due (or the budget is spent, or the
 * listing has the count), or an error.
 */
#define PHOTO_FAVES_PERIOD (30 * 86400)
int photo_refresh_faves_if_due(struct photo_ctx *ctx, enum store_kind kind,
			       const json_t *listing, _Atomic long *budget, struct err *e);

/* Loads an archived item's metadata.json (an object) into *ret; path gets its path. */
int photo_load_meta(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
		    struct buf *path, json_t **ret, struct err *e);

/* 1 when the archived metadata matches the listing's lastupdate and counts. */
int photo_is_current(const json_t *meta, const json_t *listing);

/*
 * For an archived item the listing shows unchanged: applies what the listing
 * and albums carry (views, album membership, being listed again) without
 * API calls.  Returns 1 when the item is current (ret_changed tells whether
 * metadata.json was rewritten), 0 when it needs photo_archive(), or an error.
 */
int photo_update_local(const struct photo_ctx *ctx, enum store_kind kind, const json_t *listing,
		       const json_t *albums, int *ret_changed, struct err *e);

/*
 * For an archived item no listing shows: its XMP sidecar made to agree with
 * its metadata.json, without API calls (a damaged one is kept aside first).
 * FA_EPARSE when metadata.json is damaged: nothing is built upon it.
 */
int photo_update_sidecar(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			 struct err *e);

/*
 * Marks an archived item as gone upstream (status "unavailable",
 * "unfavorited", ...; "deleted" in older archives), with Flickr's error code
 * when one said so (0: none), last seen at last_seen (0: when its info was
 * last fetched).  An existing mark of the same status is kept.  Returns 1
 * when marked now, 0 when it already was, or an error.
 */
int photo_mark_upstream(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			const char *status, int api_code, const char *detail,
			int64_t last_seen, struct err *e);

/*
 * GETs url into tmp (from its start), retrying transient failures (network,
 * 429, 5xx, a body shorter than its Content-Length) with ctx->retry.  Any
 * other HTTP status is FA_EHTTP (e->http_status set), an empty body
 * FA_EPARSE.  Used for every static file: media, and avatars (avatar.h).
 */
int photo_fetch_file(struct photo_ctx *ctx, const char *url, struct fs_tmp *tmp,
		     int64_t max_bytes, struct http_response *res, struct err *e);

#endif
