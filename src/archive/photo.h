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
	const json_t *item_groups; /* own item id -> its groups (groups.h), or NULL: not known */
};

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

#endif
