/*
 * photo_update.h: an archived item changed without an API call: what the
 * listing alone tells, and the mark of an item Flickr no longer lists.
 * What photo_archive() fetched is never lost: metadata.json is merged (see
 * merge.h), and the item's completion and manifest renewed.
 */
#ifndef FA_PHOTO_UPDATE_H
#define FA_PHOTO_UPDATE_H

#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "photo.h"
#include "store.h"

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
 * photo_update_sidecar() where the sidecar is upkeep: only a fatal error is
 * returned (into e), since the sidecar is derived and the next run makes it
 * again; a damaged metadata.json is reported with the damage.
 */
int photo_keep_sidecar(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
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
 * Sets metadata.json's key to value (an array) for a complete item, its
 * earlier value kept in history; an empty value where the key is absent
 * writes nothing.  1 when rewritten, 0 when not (the same, or not complete
 * yet), or an error.
 */
int photo_set_meta_field(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			 const char *key, const json_t *value, struct err *e);

#endif
