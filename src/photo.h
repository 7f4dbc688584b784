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
};

struct photo_result {
	int original_missing;  /* a smaller size was archived: Flickr did not offer the original */
	int downloaded;        /* media files fetched this time */
	int gone;              /* Flickr says the photo no longer exists */
	char note[256];        /* something worth telling the user, or "" */
};

int photo_archive(struct photo_ctx *ctx, enum store_kind kind, const json_t *listing,
		  const json_t *albums, struct photo_result *res, struct err *e);

#endif
